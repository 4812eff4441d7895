"""The coherence penalty of a session step (the ILAEDA addition; as in AdvEDA, the code of the ILAEDA paper,
github.com/abhijitmanatkar/AdversarialEDA).

After each step ``t`` with action ``a_t``:

* BACK taken at the root → −1 (also at the very first step: the prior system skipped it);
* ``a_t`` equal to ``a_{t−1}`` (whole action, term and aggregation included) → −1 for FILTER/GROUP;
* a BACK ending an alternation ``X, BACK, Y, BACK, ...`` of length ``L > 1`` → −L;
* otherwise 0.
"""

from __future__ import annotations

from collections.abc import Sequence

from ilaeda.data.sessions import Action, Back, Filter, Group


def alternation_length(history: Sequence[Action]) -> int:
    """Walk back from the last action: even offsets must be BACK, odd offsets non-BACK are counted."""
    length = 0
    for offset, action in enumerate(reversed(history)):
        is_back = isinstance(action, Back)
        if offset % 2 == 0:
            if not is_back:
                break
        elif is_back:
            break
        else:
            length += 1
    return length


def coherence_penalty(history: Sequence[Action], was_at_root: bool) -> float:
    """Penalty of the last action of ``history``; ``was_at_root``: the view before it was the root."""
    if not history:
        return 0.0
    last = history[-1]
    if isinstance(last, Back) and was_at_root:
        return -1.0
    if len(history) < 2:
        return 0.0
    previous = history[-2]
    if last == previous:
        return -1.0 if isinstance(last, (Filter, Group)) else 0.0
    if isinstance(last, Back):
        length = alternation_length(history)
        return -float(length) if length > 1 else 0.0
    return 0.0
