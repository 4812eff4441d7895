"""Zhang–Shasha ordered tree edit distance (equivalent to ``zss.distance``).

Trees are given as parent lists in creation order: node 0 is the root, ``parents[i] < i`` for
``i > 0``, and children are ordered by creation (as a session builds its display tree). Node
labels are integers; relabel costs come from a matrix indexed by the two trees' labels, insert
and delete costs are constants.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: Insert / delete cost of the benchmark's EDA-Sim (the constant of the original benchmark code).
UNIT_COST = 5000.0


@dataclass(frozen=True)
class OrderedTree:
    """A tree prepared for Zhang–Shasha: post-order labels, leftmost leaves, keyroots (1-based)."""

    labels: tuple[int, ...]  # post-order position p (1-based) → label at labels[p - 1]
    lmld: tuple[int, ...]  # leftmost leaf descendant, 1-based, index 0 unused
    keyroots: tuple[int, ...]  # ascending

    @property
    def size(self) -> int:
        return len(self.labels)

    @classmethod
    def from_parents(cls, parents: Sequence[int], labels: Sequence[int] | None = None) -> OrderedTree:
        """Build from a parent list (``parents[0]`` is ignored: node 0 is the root)."""
        n = len(parents)
        if n == 0:
            raise ValueError("a tree needs at least its root")
        labels = list(range(n)) if labels is None else list(labels)
        children: list[list[int]] = [[] for _ in range(n)]
        for node in range(1, n):
            parent = parents[node]
            if not 0 <= parent < node:
                raise ValueError(f"node {node} has parent {parent}; parents must precede children")
            children[parent].append(node)
        order: list[int] = []  # nodes in post-order
        leftmost: dict[int, int] = {}  # node → post-order index (1-based) of its leftmost leaf
        stack: list[tuple[int, int]] = [(0, 0)]
        while stack:
            node, k = stack.pop()
            if k < len(children[node]):
                stack.append((node, k + 1))
                stack.append((children[node][k], 0))
            else:
                order.append(node)
                pos = len(order)
                leftmost[node] = leftmost[children[node][0]] if children[node] else pos
        lmld = (0, *(leftmost[node] for node in order))
        seen: dict[int, int] = {}
        for pos in range(1, n + 1):
            seen[lmld[pos]] = pos  # the highest node with each leftmost leaf is a keyroot
        return cls(tuple(labels[node] for node in order), lmld, tuple(sorted(seen.values())))


def tree_edit_distance(
    a: OrderedTree,
    b: OrderedTree,
    relabel: Sequence[Sequence[float]],
    insert_cost: float = UNIT_COST,
    delete_cost: float = UNIT_COST,
) -> float:
    """Zhang–Shasha distance; ``relabel[la][lb]`` is the cost of relabelling label ``la`` to ``lb``."""
    n, m = a.size, b.size
    la, lb = a.lmld, b.lmld
    ren = [relabel[x] for x in a.labels]  # post-order row of a → relabel costs by b's label
    blab = b.labels
    td = [[0.0] * (m + 1) for _ in range(n + 1)]
    fd = [[0.0] * (m + 1) for _ in range(n + 1)]
    dc, ic = delete_cost, insert_cost
    for i in a.keyroots:
        li = la[i]
        for j in b.keyroots:
            lj = lb[j]
            row0 = fd[li - 1]
            row0[lj - 1] = 0.0
            for y in range(lj, j + 1):
                row0[y] = row0[y - 1] + ic
            for x in range(li, i + 1):
                prev = fd[x - 1]
                cur = fd[x]
                cur[lj - 1] = prev[lj - 1] + dc
                lx = la[x]
                rx = ren[x - 1]
                tdx = td[x]
                if lx == li:
                    for y in range(lj, j + 1):
                        d = prev[y] + dc
                        e = cur[y - 1] + ic
                        if e < d:
                            d = e
                        if lb[y] == lj:
                            e = prev[y - 1] + rx[blab[y - 1]]
                            if e < d:
                                d = e
                            tdx[y] = d
                        else:
                            e = fd[lx - 1][lb[y] - 1] + tdx[y]
                            if e < d:
                                d = e
                        cur[y] = d
                else:
                    base = fd[lx - 1]
                    for y in range(lj, j + 1):
                        d = prev[y] + dc
                        e = cur[y - 1] + ic
                        if e < d:
                            d = e
                        e = base[lb[y] - 1] + tdx[y]
                        if e < d:
                            d = e
                        cur[y] = d
    return td[n][m]


def normalised_ted(ted: float, size_a: int, size_b: int, unit: float = UNIT_COST) -> float:
    """The benchmark's normalisation: ``2·TED / ((|a| + |b|)·U + TED)``."""
    return 2 * ted / ((size_a + size_b) * unit + ted)
