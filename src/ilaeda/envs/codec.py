"""The action codec: ``MultiDiscrete([4, K, 9, 26, K + 1, 5])`` vectors ↔ actions.

Components: type (0 back, 1 filter, 2 group, 3 stop), column index, operator index, term bin,
aggregation column (0 = count of the primary key, k = column k − 1), aggregation function.
Without STOP (``allow_stop=False``) the type component has 3 values.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ilaeda.data.schema import Schema
from ilaeda.data.sessions import AGG_FUNCS, OPERATORS, Action, Back, Filter, Group, Stop
from ilaeda.eda.engine import DisplayEngine
from ilaeda.eda.filters import UNKNOWN_TERM
from ilaeda.eda.state import State
from ilaeda.eda.terms import N_BINS, position_bin

ACTION_TYPES = ("back", "filter", "group", "stop")


@dataclass(frozen=True)
class Encoded:
    """An action vector and whether it reproduces the action exactly (its term is a candidate)."""

    vector: np.ndarray
    representable: bool


class ActionCodec:
    """Decodes action vectors against the current view; encodes recorded actions."""

    def __init__(self, schema: Schema, allow_stop: bool = True) -> None:
        self.schema = schema
        self.allow_stop = allow_stop
        self.nvec = np.array(
            [
                len(ACTION_TYPES) - (0 if allow_stop else 1),
                schema.n_columns,
                len(OPERATORS),
                N_BINS,
                schema.n_columns + 1,
                len(AGG_FUNCS),
            ],
            dtype=np.int64,
        )

    def decode(self, vector: np.ndarray, engine: DisplayEngine, state: State, rng: np.random.Generator) -> Action:
        """The action a vector means in ``state`` (filter terms drawn with ``rng``)."""
        kind, col, oper, term_bin, agg_col, agg_func = map(int, np.asarray(vector).tolist())
        if kind == 0:
            return Back()
        if kind == 3:
            return Stop()
        column = self.schema.columns[col]
        if kind == 1:
            operator = OPERATORS[oper]
            candidates = engine.term_candidates(state.filters, column, operator)
            term = candidates.choose(term_bin, rng)
            return Filter(column, operator, UNKNOWN_TERM if term is None else term)
        if agg_col == 0:
            return Group(column, self.schema.primary_key, "count")
        return Group(column, self.schema.columns[agg_col - 1], AGG_FUNCS[agg_func])

    def encode(self, action: Action, engine: DisplayEngine, state: State) -> Encoded:
        """Vector of a recorded action in ``state``; the term becomes its frequency bin."""
        vec = np.zeros(len(self.nvec), dtype=np.int64)
        if isinstance(action, Back):
            return Encoded(vec, True)
        if isinstance(action, Stop):
            vec[0] = 3
            return Encoded(vec, True)
        vec[1] = self.schema.column_index(action.column)
        if isinstance(action, Group):
            vec[0] = 2
            if (action.agg_column, action.agg_func) != (self.schema.primary_key, "count"):
                vec[4] = self.schema.column_index(action.agg_column) + 1
                vec[5] = AGG_FUNCS.index(action.agg_func)
            return Encoded(vec, True)
        vec[0] = 1
        vec[2] = OPERATORS.index(action.operator)
        candidates = engine.term_candidates(state.filters, action.column, action.operator)
        position = candidates.position_of(action.term)
        if position is None:
            position = _numeric_match(candidates, action.term)
        representable = position is not None
        if position is None:  # not a candidate: label with the share of rows the filter keeps
            n = int(engine.view_mask(state.filters).sum())
            kept = int(engine.view_mask((*state.filters, action)).sum())
            position = kept / n if n else 0.0
        vec[3] = position_bin(position)
        return Encoded(vec, representable)


def _numeric_match(candidates, term: str) -> float | None:  # type: ignore[no-untyped-def]
    """Position of a candidate equal to ``term`` as a number (``'443'`` matches ``'443.0'``)."""
    if candidates.tokens:
        return None
    try:
        value = float(term)
    except ValueError:
        return None
    for text, position in zip(candidates.terms, candidates.positions):
        try:
            if float(text) == value:
                return float(position)
        except ValueError:
            return None
    return None
