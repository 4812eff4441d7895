"""Filter semantics, evaluated once per category (then looked up by row code).

Faithful to the benchmark's simulator (the same semantics as AdvEDA's environment):

* EQ/NEQ/GT/GE/LT/LE on a numeric column compare with ``float(term)`` (``<UNK>`` → NaN); a term
  that is not a number makes the whole filter chain empty. On a text column they compare strings.
  Missing cells: NEQ is true, every other comparison false.
* CONTAINS/STARTS_WITH/ENDS_WITH test ``str(cell)`` literally (floats render as ``445.0``); a missing
  cell of a text column never matches, one of a numeric column is the text ``nan`` (pandas' ``astype(str)``),
  so e.g. CONTAINS ``a`` keeps it.
"""

from __future__ import annotations

import operator as op
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ilaeda.data.sessions import OPERATORS, Filter
from ilaeda.eda.table import EncodedColumn
from ilaeda.errors import ConfigError

UNKNOWN_TERM = "<UNK>"
#: How pandas' ``astype(str)`` renders a missing numeric cell, which string tests then see.
MISSING_NUMBER_TEXT = "nan"

_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "EQ": op.eq,
    "NEQ": op.ne,
    "GT": op.gt,
    "GE": op.ge,
    "LT": op.lt,
    "LE": op.le,
}
STRING_TESTS = frozenset({"CONTAINS", "STARTS_WITH", "ENDS_WITH"})


class InvalidFilter(Exception):
    """The filter cannot be evaluated (e.g. a non-numeric term on a numeric column): empty view."""


def category_mask(column: EncodedColumn, action: Filter) -> np.ndarray:
    """Boolean per code (index 0 = missing cell) telling which rows the filter keeps."""
    if action.operator not in OPERATORS:
        raise ConfigError(f"unknown operator {action.operator!r}; valid operators: {', '.join(OPERATORS)}")
    result = np.zeros(column.n_categories + 1, dtype=bool)
    if action.operator in STRING_TESTS:
        result[1:] = string_test(column, action.operator, str(action.term), range(column.n_categories))
        result[0] = missing_cell_matches(column, action.operator, str(action.term))
        return result
    compare = _COMPARE[action.operator]
    if column.kind == "str" and column.strictly_sorted:
        result[1:] = _sorted_comparison(column.categories, action.operator, str(action.term))
    elif column.kind == "str":
        result[1:] = compare(column.categories, str(action.term))
    else:
        value = np.nan if action.term == UNKNOWN_TERM else _to_float(action.term)
        with np.errstate(invalid="ignore"):
            result[1:] = compare(column.categories.astype(np.float64), value)
    result[0] = action.operator == "NEQ"
    return result


def _sorted_comparison(categories: np.ndarray, operator: str, term: str) -> np.ndarray:
    """``categories <operator> term`` for strictly ascending categories, by binary search."""
    left = int(np.searchsorted(categories, term, side="left"))
    right = left + int(left < len(categories) and categories[left] == term)
    result = np.zeros(len(categories), dtype=bool)
    if operator in ("EQ", "NEQ"):
        result[left:right] = True
        return ~result if operator == "NEQ" else result
    lower, upper = {"GT": (right, None), "GE": (left, None), "LT": (0, left), "LE": (0, right)}[operator]
    result[lower:upper] = True
    return result


def string_test(column: EncodedColumn, operator: str, term: str, categories: Iterable[int]) -> list[bool]:
    """CONTAINS/STARTS_WITH/ENDS_WITH ``term`` on the strings of ``categories`` (0-based indices)."""
    strings = column.strings
    if operator == "CONTAINS":
        return [term in strings[i] for i in categories]
    if operator == "STARTS_WITH":
        return [strings[i].startswith(term) for i in categories]
    return [strings[i].endswith(term) for i in categories]


def missing_cell_matches(column: EncodedColumn, operator: str, term: str) -> bool:
    """Whether a string test keeps a missing cell: never on a text column; on a numeric one the benchmark
    tests ``astype(str)``, where a missing cell is the text ``nan``.
    """
    if column.kind == "str":
        return False
    if operator == "CONTAINS":
        return term in MISSING_NUMBER_TEXT
    if operator == "STARTS_WITH":
        return MISSING_NUMBER_TEXT.startswith(term)
    return MISSING_NUMBER_TEXT.endswith(term)


def _to_float(term: str) -> float:
    try:
        return float(term)
    except (TypeError, ValueError):
        raise InvalidFilter(term) from None
