"""Filter semantics, evaluated once per category (then looked up by row code).

Faithful to the benchmark (reference_system §2.5):

* EQ/NEQ/GT/GE/LT/LE on a numeric column compare with ``float(term)`` (``<UNK>`` → NaN); a term
  that is not a number makes the whole filter chain empty. On a text column they compare strings.
  Missing cells: NEQ is true, every other comparison false.
* CONTAINS/STARTS_WITH/ENDS_WITH test ``str(cell)`` literally (floats render as ``445.0``); a missing
  cell of a text column never matches, one of a numeric column is the text ``nan`` (pandas' ``astype(str)``),
  so e.g. CONTAINS ``a`` keeps it.
"""

from __future__ import annotations

import operator as op
from collections.abc import Callable

import numpy as np

from ilaeda.data.sessions import OPERATORS, Filter
from ilaeda.eda.table import EncodedColumn
from ilaeda.errors import ConfigError

UNKNOWN_TERM = "<UNK>"
#: How pandas' ``astype(str)`` renders a missing numeric cell, which string tests then see.
MISSING_NUMBER_TEXT = "nan"

_COMPARE: dict[str, Callable[[object, object], object]] = {
    "EQ": op.eq, "NEQ": op.ne, "GT": op.gt, "GE": op.ge, "LT": op.lt, "LE": op.le,
}
_STRING_TEST: dict[str, Callable[[str, str], bool]] = {
    "CONTAINS": lambda cell, term: term in cell,
    "STARTS_WITH": lambda cell, term: cell.startswith(term),
    "ENDS_WITH": lambda cell, term: cell.endswith(term),
}


class InvalidFilter(Exception):
    """The filter cannot be evaluated (e.g. a non-numeric term on a numeric column): empty view."""


def category_mask(column: EncodedColumn, action: Filter) -> np.ndarray:
    """Boolean per code (index 0 = missing cell) telling which rows the filter keeps."""
    if action.operator not in OPERATORS:
        raise ConfigError(f"unknown operator {action.operator!r}; valid operators: {', '.join(OPERATORS)}")
    result = np.zeros(column.n_categories + 1, dtype=bool)
    if action.operator in _STRING_TEST:
        test = _STRING_TEST[action.operator]
        term = str(action.term)
        result[1:] = [test(s, term) for s in column.strings]
        # the benchmark tests numeric cells as astype(str), where a missing cell is the text "nan"
        result[0] = column.kind != "str" and test(MISSING_NUMBER_TEXT, term)
        return result
    compare = _COMPARE[action.operator]
    if column.kind == "str":
        result[1:] = compare(column.categories, str(action.term))
    else:
        value = np.nan if action.term == UNKNOWN_TERM else _to_float(action.term)
        with np.errstate(invalid="ignore"):
            result[1:] = compare(column.categories.astype(np.float64), value)
    result[0] = action.operator == "NEQ"
    return result


def _to_float(term: str) -> float:
    try:
        return float(term)
    except (TypeError, ValueError):
        raise InvalidFilter(term) from None
