"""Rebuild the gold-reference JSON from the benchmark's Python source, by parsing it (never executing it).

The A-EDA benchmark keeps its reference sessions as Python literals (``references/<schema>/datasetN.py``),
e.g. module-level lists of lists of constructor calls::

    references = [
        [GroupAction('highest_layer', 'packet_number', AggregationFunction.COUNT), BackAction(),
         FilterAction('info_line', FilterOperator.CONTAINS, 'Echo (ping) reply')],
        ...
    ]

The exact upstream layout cannot be checked offline, so the parser accepts the plausible forms: positional
or keyword constructor arguments (``GroupAction``/``Group``, ``FilterAction``/``Filter``, ``BackAction``,
``StopAction``), enum members or strings for operators and aggregation functions, dict literals
(``{"type": "filter", ...}``), sessions bound to names and collected in a list or dict, or per-session
module variables. The source is only read with :func:`ast.parse` and :func:`ast.literal_eval`; nothing in it
runs. What guarantees the result is the sha256 of the rebuilt JSON, which the fetcher checks against the
schema: a misread file fails that check instead of yielding wrong references.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlparse

from ilaeda.data.schema import DataFile
from ilaeda.errors import DataError

_OPERATORS = {
    "EQ": "EQ",
    "EQUAL": "EQ",
    "EQUALS": "EQ",
    "==": "EQ",
    "IS": "EQ",
    "NEQ": "NEQ",
    "NE": "NEQ",
    "NOTEQUAL": "NEQ",
    "NOTEQUALS": "NEQ",
    "!=": "NEQ",
    "ISNOT": "NEQ",
    "GT": "GT",
    "GREATER": "GT",
    "GREATERTHAN": "GT",
    ">": "GT",
    "GE": "GE",
    "GTE": "GE",
    "GREATEREQUAL": "GE",
    "GREATEROREQUAL": "GE",
    "GREATERTHANOREQUAL": "GE",
    ">=": "GE",
    "LT": "LT",
    "LESS": "LT",
    "LESSTHAN": "LT",
    "<": "LT",
    "LE": "LE",
    "LTE": "LE",
    "LESSEQUAL": "LE",
    "LESSOREQUAL": "LE",
    "LESSTHANOREQUAL": "LE",
    "<=": "LE",
    "CONTAINS": "CONTAINS",
    "CONTAIN": "CONTAINS",
    "STRCONTAINS": "CONTAINS",
    "STARTSWITH": "STARTS_WITH",
    "STARTWITH": "STARTS_WITH",
    "ENDSWITH": "ENDS_WITH",
    "ENDWITH": "ENDS_WITH",
}
_AGG_FUNCS = {
    "COUNT": "count",
    "LEN": "count",
    "SIZE": "count",
    "SUM": "sum",
    "MIN": "min",
    "MAX": "max",
    "MEAN": "mean",
    "AVG": "mean",
    "AVERAGE": "mean",
}
_ACTION_TYPES = ("group", "filter", "back", "stop")


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-.]", "", text.upper())


def _operator(text: str) -> str | None:
    return _OPERATORS.get(_norm(text)) or _OPERATORS.get(text.strip())


def _agg_func(text: str) -> str | None:
    return _AGG_FUNCS.get(_norm(text))


def _call_name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _action_type_of_call(node: ast.Call) -> str | None:
    name = _call_name(node.func).lower()
    name = name.removesuffix("action")
    return name if name in _ACTION_TYPES else None


class _Value:
    """An argument read from the source: a literal, or an enum member / bare name (``symbol``)."""

    def __init__(self, literal: object = None, symbol: str | None = None) -> None:
        self.literal = literal
        self.symbol = symbol

    @property
    def text(self) -> str:
        return self.symbol if self.symbol is not None else str(self.literal)


class _Parser:
    def __init__(self, tree: ast.Module, origin: str) -> None:
        self.origin = origin
        self.names: dict[str, ast.AST] = {}
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        self.names[target.id] = stmt.value
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value:
                self.names[stmt.target.id] = stmt.value

    # -- helpers ---------------------------------------------------------------------------------------
    def fail(self, node: ast.AST, problem: str) -> DataError:
        line = getattr(node, "lineno", "?")
        return DataError(
            f"cannot read the reference source {self.origin} (line {line}): {problem}; the upstream format "
            f"changed — set ILAEDA_DATA_DIR to a folder holding the reference JSON files"
        )

    def resolve(self, node: ast.AST, depth: int = 0) -> ast.AST:
        while isinstance(node, ast.Name) and node.id in self.names and depth < 20:
            node, depth = self.names[node.id], depth + 1
        return node

    def value(self, node: ast.AST) -> _Value:
        node = self.resolve(node)
        if isinstance(node, ast.Attribute):  # AggregationFunction.COUNT, FilterOperator.EQUAL
            return _Value(symbol=node.attr)
        if isinstance(node, ast.Name):
            return _Value(symbol=node.id)
        if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:  # FilterOperator('eq')
            return self.value(node.args[0])
        try:
            return _Value(literal=ast.literal_eval(node))
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            raise self.fail(node, f"unsupported argument {ast.dump(node)[:80]}") from None

    # -- actions ---------------------------------------------------------------------------------------
    def action(self, node: ast.AST) -> dict[str, str] | None:
        """The JSON action of a constructor call or dict literal, None when ``node`` is not an action."""
        node = self.resolve(node)
        if isinstance(node, ast.Call):
            kind = _action_type_of_call(node)
            if kind is None:
                return None
            positional = [self.value(a) for a in node.args]
            keywords = {(k.arg or "").lower(): self.value(k.value) for k in node.keywords}
            return self.build(kind, positional, keywords, node)
        if isinstance(node, ast.Dict):
            keys = [
                k.value.lower() if isinstance(k, ast.Constant) and isinstance(k.value, str) else None for k in node.keys
            ]
            if None in keys or not {"type", "action", "kind"} & set(keys):
                return None
            items = {k: self.value(v) for k, v in zip(keys, node.values) if k is not None}
            kind_value = items.pop("type", None) or items.pop("action", None) or items.pop("kind", None)
            if kind_value is None:
                return None
            kind = kind_value.text.lower()
            kind = kind.removesuffix("action")
            if kind not in _ACTION_TYPES:
                raise self.fail(node, f"unknown action type {kind_value.text!r}")
            return self.build(kind, [], items, node)
        return None

    def build(self, kind: str, positional: list[_Value], keywords: dict[str, _Value], node: ast.AST) -> dict[str, str]:
        if kind in ("back", "stop"):
            return {"type": kind}
        if kind == "group":
            return self.group(positional, keywords, node)
        return self.filter(positional, keywords, node)

    def group(self, positional: list[_Value], keywords: dict[str, _Value], node: ast.AST) -> dict[str, str]:
        column = agg_column = func = None
        for key, val in keywords.items():
            if "func" in key or key in ("agg", "aggregation", "aggregate", "how"):
                func = val
            elif "agg" in key:
                agg_column = val
            else:
                column = val
        strings = []
        for val in positional:
            if func is None and _agg_func(val.text) and (val.symbol is not None or len(positional) == 3):
                func = val
            else:
                strings.append(val)
        for val in strings:
            if column is None:
                column = val
            elif agg_column is None:
                agg_column = val
            elif func is None:
                func = val
        if column is None:
            raise self.fail(node, "a group action without a column")
        func_name = _agg_func(func.text) if func is not None else "count"
        if func_name is None:
            raise self.fail(node, f"unknown aggregation function {func.text!r}")  # type: ignore[union-attr]
        return {
            "type": "group",
            "column": column.text,
            "agg_column": agg_column.text if agg_column is not None else "",
            "agg_func": func_name,
        }

    def filter(self, positional: list[_Value], keywords: dict[str, _Value], node: ast.AST) -> dict[str, str]:
        column = operator = term = None
        for key, val in keywords.items():
            if "term" in key or "value" in key or key in ("pattern", "arg", "operand"):
                term = val
            elif key.startswith("op") or "operator" in key or key == "condition":
                operator = val
            else:
                column = val
        rest = []
        for val in positional:
            if operator is None and val.symbol is not None and _operator(val.symbol):
                operator = val
            else:
                rest.append(val)
        order = [name for name, got in (("column", column), ("operator", operator), ("term", term)) if got is None]
        filled = dict(zip(order, rest))
        column = column or filled.get("column")
        operator = operator or filled.get("operator")
        term = term or filled.get("term")
        if column is None or operator is None or term is None:
            raise self.fail(node, "a filter action needs a column, an operator and a term")
        op = _operator(operator.text)
        if op is None:
            raise self.fail(node, f"unknown filter operator {operator.text!r}")
        return {"type": "filter", "column": column.text, "operator": op, "term": term.text}

    # -- sessions --------------------------------------------------------------------------------------
    def session(self, node: ast.AST) -> list[dict[str, str]] | None:
        """A non-empty list/tuple of actions (possibly wrapped in a call such as ``Session(actions=...)``)."""
        node = self.resolve(node)
        if isinstance(node, ast.Call) and _action_type_of_call(node) is None:
            for arg in [*node.args, *(k.value for k in node.keywords)]:
                found = self.session(arg)
                if found is not None:
                    return found
            return None
        if not isinstance(node, (ast.List, ast.Tuple)) or not node.elts:
            return None
        first = node.elts[0]
        if len(node.elts) == 2 and isinstance(first, ast.Constant) and isinstance(first.value, str):
            return self.session(node.elts[1])  # ("reference1", [actions...])
        actions = []
        for element in node.elts:
            action = self.action(element)
            if action is None:
                return None
            actions.append(action)
        return actions

    def sessions(self, node: ast.AST) -> list[list[dict[str, str]]] | None:
        """A non-empty list/tuple/dict (values) of sessions."""
        node = self.resolve(node)
        if isinstance(node, (ast.List, ast.Tuple)):
            elements = list(node.elts)
        elif isinstance(node, ast.Dict):
            elements = list(node.values)
        else:
            return None
        found = [self.session(e) for e in elements]
        if not found or any(s is None for s in found):
            return None
        return found  # type: ignore[return-value]


def parse_reference_source(source: str | bytes, origin: str = "<references>") -> list[list[dict[str, str]]]:
    """The reference sessions (lists of JSON actions) written as Python literals in ``source``.

    Picks the largest collection of sessions anywhere in the module (ties: the first in the source); when
    there is none, the module-level variables that each hold one session, in source order.
    """
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DataError(f"cannot read the reference source {origin}: not UTF-8 ({exc})") from None
    try:
        tree = ast.parse(source, filename=origin)
    except SyntaxError as exc:
        raise DataError(
            f"cannot read the reference source {origin}: invalid Python at line {exc.lineno} ({exc.msg}); "
            f"set ILAEDA_DATA_DIR to a folder holding the reference JSON files"
        ) from None
    parser = _Parser(tree, origin)
    candidates = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.List, ast.Tuple, ast.Dict)):
            found = parser.sessions(node)
            if found is not None:
                candidates.append((-len(found), node.lineno, node.col_offset, found))
    best = min(candidates, key=lambda c: c[:3])[3] if candidates else None
    if best is None:
        best = []
        for stmt in tree.body:
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
                found_session = parser.session(stmt.value)
                if found_session is not None:
                    best.append(found_session)
    if not best:
        raise DataError(
            f"no reference sessions found in {origin}: the upstream format is not recognised; set "
            f"ILAEDA_DATA_DIR to a folder holding the reference JSON files"
        )
    return best


def reference_header(file: DataFile) -> dict[str, Any]:
    """``schema``, ``dataset`` and ``source`` of a reference file, from its path and upstream URL."""
    match = re.search(r"([^/]+)/dataset(\d+)\.(?:json|py)$", file.path) or re.search(
        r"([^/]+)/dataset(\d+)\.(?:json|py)$", urlparse(file.url).path
    )
    if match is None:
        raise DataError(f"reference file {file.path}: expected a path ending in <schema>/datasetN.json")
    parts = PurePosixPath(urlparse(file.url).path).parts
    if len(parts) > 6 and re.fullmatch(r"[0-9a-f]{40}", parts[3]):
        # A raw-file URL /<owner>/<repo>/<commit>/<path...>/<schema>/datasetN.py (raw.githubusercontent.com
        # or a mirror with its layout): the source is the references folder at the short commit.
        owner, repo, commit, *path = parts[1:]
        source = f"{owner}/{repo}@{commit[:7]} {PurePosixPath(*path).parent.parent}"
    else:
        source = file.url
    return {"schema": match.group(1), "dataset": int(match.group(2)), "source": source}


def reference_document(sessions: list[list[dict[str, str]]], header: dict[str, Any]) -> dict[str, Any]:
    """The references' JSON document (``schema``, ``dataset``, ``source``, ``sessions``)."""
    return {
        **header,
        "sessions": [{"name": f"reference{i + 1}", "actions": actions} for i, actions in enumerate(sessions)],
    }


def dump_reference_json(document: dict[str, Any]) -> bytes:
    """The byte layout of the published reference JSON files (``indent=1``, no trailing newline)."""
    return json.dumps(document, indent=1).encode("utf-8")


def convert_reference_source(source: str | bytes, file: DataFile) -> bytes:
    """The reference JSON bytes of ``file`` rebuilt from its upstream Python source (not yet verified)."""
    sessions = parse_reference_source(source, origin=file.url)
    return dump_reference_json(reference_document(sessions, reference_header(file)))
