"""Zhang–Shasha against an independent recursive forest edit distance."""

import random
from functools import cache

import pytest

from ilaeda.benchmark.ted import OrderedTree, normalised_ted, tree_edit_distance


def _nested(parents, labels):
    children = [[] for _ in parents]
    for node in range(1, len(parents)):
        children[parents[node]].append(node)

    def build(node):
        return (labels[node], tuple(build(c) for c in children[node]))

    return build(0)


def _size(forest):
    return sum(1 + _size(children) for _, children in forest)


def brute_force(a, b, cost, unit):
    """Recursive forest distance on the rightmost roots (exponential-free thanks to memoising)."""

    @cache
    def d(f, g):
        if not f and not g:
            return 0.0
        if not f:
            return unit * _size(g)
        if not g:
            return unit * _size(f)
        (lv, cv), (lw, cw) = f[-1], g[-1]
        return min(
            d(f[:-1] + cv, g) + unit,
            d(f, g[:-1] + cw) + unit,
            d(f[:-1], g[:-1]) + d(cv, cw) + cost[lv][lw],
        )

    return d((a,), (b,))


def test_zss_readme_example():
    # A = f(d(a, c(b)), e), B = f(c(d(a, b)), e); unit costs, relabel 1 → distance 2
    names = "abcdef"
    a_par, a_lab = [0, 0, 1, 1, 3, 0], ["f", "d", "a", "c", "b", "e"]
    b_par, b_lab = [0, 0, 1, 2, 2, 0], ["f", "c", "d", "a", "b", "e"]
    cost = [[0.0 if x == y else 1.0 for y in names] for x in names]
    ta = OrderedTree.from_parents(a_par, [names.index(x) for x in a_lab])
    tb = OrderedTree.from_parents(b_par, [names.index(x) for x in b_lab])
    assert tree_edit_distance(ta, tb, cost, 1.0, 1.0) == 2.0


def test_matches_brute_force_on_random_trees():
    rng = random.Random(7)
    unit = 5000.0
    for _ in range(300):
        n, m = rng.randint(1, 8), rng.randint(1, 8)
        pa = [0] + [rng.randrange(i) for i in range(1, n)]
        pb = [0] + [rng.randrange(i) for i in range(1, m)]
        la = [rng.randrange(4) for _ in range(n)]
        lb = [rng.randrange(4) for _ in range(m)]
        cost = [[0.0] * 4 for _ in range(4)]
        for x in range(4):
            for y in range(x):
                cost[x][y] = cost[y][x] = rng.uniform(0, 12500)
        got = tree_edit_distance(OrderedTree.from_parents(pa, la), OrderedTree.from_parents(pb, lb), cost)
        assert got == pytest.approx(brute_force(_nested(pa, la), _nested(pb, lb), cost, unit), abs=1e-6)


def test_identical_trees_have_distance_zero_and_single_nodes_relabel():
    t = OrderedTree.from_parents([0, 0, 1, 1, 0], [0, 1, 2, 3, 4])
    cost = [[0.0 if x == y else 7.0 for y in range(5)] for x in range(5)]
    assert tree_edit_distance(t, t, cost) == 0.0
    root = OrderedTree.from_parents([0], [0])
    assert tree_edit_distance(root, t, cost) == 4 * 5000.0
    assert tree_edit_distance(OrderedTree.from_parents([0], [1]), root, cost) == 7.0


def test_tree_structure_and_validation():
    t = OrderedTree.from_parents([0, 0, 1, 1, 0])  # 0(1(2, 3), 4)
    assert t.labels == (2, 3, 1, 4, 0)  # post-order
    assert t.keyroots == (2, 4, 5)
    with pytest.raises(ValueError):
        OrderedTree.from_parents([0, 2, 1])
    with pytest.raises(ValueError):
        OrderedTree.from_parents([])


def test_normalisation():
    assert normalised_ted(0.0, 3, 5) == 0.0
    assert 1 - normalised_ted(7 * 5000.0, 1, 8) == pytest.approx(0.125)
