"""Display tokens and tree paths (as in the ATENA A-EDA benchmark's code (github.com/TAU-DB/ATENA-A-EDA)).

A session of N actions yields N + 1 tokens: the root display's token, then per action the token of
the display it leads to, except that BACK yields the literal :data:`BACK_TOKEN`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence

#: The token of a BACK action.
BACK_TOKEN = "[back]"

Path = tuple[Hashable, ...]


def tree_paths(tokens: Sequence[Hashable], n: int) -> list[Path]:
    """The length-``n`` tree paths of a token list.

    Scan with a stack: ``[back]`` pops (if the stack is not empty; unlike the session stack, this
    one can lose the root), any other token is pushed and, once the stack holds ``n`` or more
    entries, its last ``n`` entries form a path.
    """
    if n < 1:
        raise ValueError(f"path length must be >= 1, got {n}")
    stack: list[Hashable] = []
    paths: list[Path] = []
    for token in tokens:
        if token == BACK_TOKEN:
            if stack:
                stack.pop()
            continue
        stack.append(token)
        if len(stack) >= n:
            paths.append(tuple(stack[-n:]))
    return paths


def path_counts(tokens: Sequence[Hashable], n: int) -> Counter[Path]:
    """Counter of the length-``n`` tree paths."""
    return Counter(tree_paths(tokens, n))
