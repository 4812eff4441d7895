"""The EDA action model and the session JSON format (the gold references' format).

A session is a list of actions; each action is one of :class:`Back`, :class:`Stop`, :class:`Filter`,
:class:`Group`. JSON form::

    {"type": "group", "column": "ip_src", "agg_column": "packet_number", "agg_func": "count"}
    {"type": "filter", "column": "info_line", "operator": "CONTAINS", "term": "SYN"}
    {"type": "back"}   {"type": "stop"}

A session file is ``{"sessions": [{"name": ..., "actions": [...]}, ...]}`` or a bare list of action
lists.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union, cast

from ilaeda.errors import SessionFormatError

if TYPE_CHECKING:
    from ilaeda.data.schema import Schema

#: What the scoring API accepts as sessions: a path, a session document, or a list of sessions / action
#: lists / JSON.
SessionsLike = Union[str, "os.PathLike[str]", Mapping[str, Any], Sequence[Any]]

#: Filter operators, in action-space order.
OPERATORS: tuple[str, ...] = ("EQ", "NEQ", "GT", "GE", "LT", "LE", "CONTAINS", "STARTS_WITH", "ENDS_WITH")
#: Operators that test strings (the others compare values).
STRING_OPERATORS = frozenset({"CONTAINS", "STARTS_WITH", "ENDS_WITH"})
#: Aggregation functions, in action-space order.
AGG_FUNCS: tuple[str, ...] = ("count", "sum", "min", "max", "mean")
_AGG_ALIASES = {"avg": "mean", "len": "count", "size": "count"}


@dataclass(frozen=True)
class Back:
    """Return to the previous view (the root stays the root)."""


@dataclass(frozen=True)
class Stop:
    """End the analysis: the rest of the episode is absorbing."""


@dataclass(frozen=True)
class Filter:
    """Keep the rows where ``column <operator> term``."""

    column: str
    operator: str
    term: str


@dataclass(frozen=True)
class Group:
    """Group by ``column`` and aggregate ``agg_column`` with ``agg_func``."""

    column: str
    agg_column: str
    agg_func: str = "count"


Action = Back | Stop | Filter | Group


@dataclass(frozen=True)
class Session:
    """A named sequence of actions on one dataset."""

    name: str
    actions: tuple[Action, ...]

    def until_stop(self) -> tuple[Action, ...]:
        """The actions before the first STOP (a STOP ends the session)."""
        return until_stop(self.actions)


def until_stop(actions: Sequence[Action]) -> tuple[Action, ...]:
    """The actions before the first STOP."""
    for i, action in enumerate(actions):
        if isinstance(action, Stop):
            return tuple(actions[:i])
    return tuple(actions)


def action_type(action: Action) -> str:
    """``back``, ``stop``, ``filter`` or ``group``."""
    return type(action).__name__.lower()


def action_to_json(action: Action) -> dict[str, Any]:
    """JSON dict of an action, in the references' format."""
    if isinstance(action, Filter):
        return {"type": "filter", "column": action.column, "operator": action.operator, "term": action.term}
    if isinstance(action, Group):
        return {"type": "group", "column": action.column, "agg_column": action.agg_column, "agg_func": action.agg_func}
    return {"type": action_type(action)}


def _where(session: str | None, index: int | None) -> str:
    parts = []
    if session is not None:
        parts.append(f"session {session!r}")
    if index is not None:
        parts.append(f"action {index}")
    return (" in " + ", ".join(parts)) if parts else ""


def action_from_json(
    raw: object, session: str | None = None, index: int | None = None, columns: Sequence[str] | None = None
) -> Action:
    """Parse one JSON action; errors name the session and action index.

    Args:
        raw: the JSON object.
        session: session name, for error messages.
        index: action index, for error messages.
        columns: when given, the columns the action may refer to.
    """
    where = _where(session, index)
    if not isinstance(raw, dict) or "type" not in raw:
        raise SessionFormatError(f"malformed action{where}: expected an object with a 'type', got {raw!r}")
    kind = str(raw["type"]).lower()
    try:
        if kind == "back":
            return Back()
        if kind == "stop":
            return Stop()
        if kind == "filter":
            operator = str(raw["operator"]).upper()
            if operator not in OPERATORS:
                raise SessionFormatError(
                    f"unknown operator {raw['operator']!r}{where}; valid operators: {', '.join(OPERATORS)}"
                )
            action: Action = Filter(str(raw["column"]), operator, _term(raw["term"], where))
        elif kind == "group":
            func = str(raw.get("agg_func", "count")).lower()
            func = _AGG_ALIASES.get(func, func)
            if func not in AGG_FUNCS:
                raise SessionFormatError(
                    f"unknown aggregation function {raw.get('agg_func')!r}{where}; "
                    f"valid functions: {', '.join(AGG_FUNCS)}"
                )
            action = Group(str(raw["column"]), str(raw.get("agg_column") or ""), func)
        else:
            raise SessionFormatError(
                f"unknown action type {raw['type']!r}{where}; valid types: back, stop, filter, group"
            )
    except KeyError as exc:
        raise SessionFormatError(f"malformed {kind} action{where}: missing field {exc.args[0]!r}") from None
    if columns is not None:
        check_columns(action, columns, where)
    return action


def _term(value: object, where: str = "") -> str:
    """A filter term as the benchmark's string; numbers are written out, anything else is refused."""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return str(value)
    raise SessionFormatError(
        f"invalid filter term {value!r}{where}: a term must be a string (or a finite number), not "
        f"{'NaN/infinity' if isinstance(value, float) else type(value).__name__}; write the value to match as a "
        f'string, e.g. "term": "80"'
    )


def check_columns(action: Action, columns: Sequence[str], where: str = "") -> None:
    """Raise if the action names a column outside ``columns``."""
    names = []
    if isinstance(action, Filter):
        names = [action.column]
    elif isinstance(action, Group):
        names = [action.column] + ([action.agg_column] if action.agg_column else [])
    for name in names:
        if name not in columns:
            raise SessionFormatError(f"unknown column {name!r}{where}; valid columns: {', '.join(columns)}")


def session_from_json(raw: object, name: str, columns: Sequence[str] | None = None) -> Session:
    """Parse ``{"name", "actions"}`` or a bare action list."""
    if isinstance(raw, dict):
        name = str(raw.get("name", name))
        actions = raw.get("actions")
    else:
        actions = raw
    if not isinstance(actions, list):
        raise SessionFormatError(
            f"malformed session {name!r}: expected a list of actions, got {type(actions).__name__}"
        )
    return Session(name, tuple(action_from_json(a, name, i, columns) for i, a in enumerate(actions)))


def sessions_from_json(raw: object, columns: Sequence[str] | None = None, what: str = "session file") -> list[Session]:
    """Parse a session document: ``{"sessions": [...]}`` or a bare list of action lists."""
    if isinstance(raw, dict) and "sessions" in raw:
        raw = raw["sessions"]
    if not isinstance(raw, list):
        raise SessionFormatError(f'malformed {what}: expected {{"sessions": [...]}} or a list of action lists')
    return [session_from_json(item, f"session{i}", columns) for i, item in enumerate(raw)]


def read_session_document(path: str | os.PathLike[str], what: str = "session file") -> object:
    """The parsed JSON of a session file (``what`` names the file in messages, e.g. ``references file``)."""
    path = Path(path)
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise SessionFormatError(f"{what} {path} not found") from None
    except IsADirectoryError:
        raise SessionFormatError(f"{what} {path} is a directory; give the JSON file inside it") from None
    except OSError as exc:
        raise SessionFormatError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SessionFormatError(f"malformed JSON in {what} {path}: {exc}") from None


def header_dataset(raw: object, what: str = "session file") -> int | None:
    """The ``dataset`` a session document's header names (None when it names none).

    Only a JSON integer is a dataset: ``1.5``, ``true`` or ``"1"`` are refused, never coerced.
    """
    if not isinstance(raw, dict) or raw.get("dataset") is None:
        return None
    value = raw["dataset"]
    if isinstance(value, bool) or not isinstance(value, int):
        raise SessionFormatError(
            f"the {what}'s header says dataset {json.dumps(value)}, which is not a dataset number; "
            "write an integer such as 1"
        )
    return value


def check_header(raw: object, schema: str, dataset: int, what: str = "session file") -> None:
    """Refuse a session document whose header names another schema or dataset than the one asked for."""
    named = header_dataset(raw, what)
    if named is not None and named != dataset:
        raise SessionFormatError(
            f"the {what}'s header says dataset {named} but dataset {dataset} was asked for; "
            f"pass --dataset {named}, or use a file of dataset {dataset}"
        )
    named_schema = raw.get("schema") if isinstance(raw, dict) else None
    if isinstance(named_schema, str) and named_schema != schema:
        raise SessionFormatError(
            f"the {what}'s header says schema {named_schema!r} but schema {schema!r} was asked for; "
            f"pass --schema {named_schema}"
        )


def load_sessions(
    path: str | os.PathLike[str], columns: Sequence[str] | None = None, what: str = "session file"
) -> list[Session]:
    """Read a session JSON file."""
    raw = read_session_document(path, what)
    try:
        return sessions_from_json(raw, columns, what)
    except SessionFormatError as exc:
        raise SessionFormatError(f"{path}: {exc}") from None


def sessions_to_json(sessions: Iterable[Session], **header: object) -> dict[str, Any]:
    """A session document (``header`` adds e.g. ``schema`` and ``dataset``)."""
    return {
        **header,
        "sessions": [{"name": s.name, "actions": [action_to_json(a) for a in s.actions]} for s in sessions],
    }


def render_action(action: Action) -> str:
    """One text line, e.g. ``GROUP ip_src COUNT packet_number`` or ``FILTER ip_src EQ '1.2.3.4'``."""
    if isinstance(action, Filter):
        return f"FILTER {action.column} {action.operator} {action.term!r}"
    if isinstance(action, Group):
        return f"GROUP {action.column} {action.agg_func.upper()} {action.agg_column}"
    return action_type(action).upper()


def render_session(actions: Iterable[Action]) -> list[str]:
    """Numbered text lines of a session."""
    return [f"{i + 1:2d}. {render_action(a)}" for i, a in enumerate(actions)]


def validate_session(session: Session, schema: Schema) -> Session:
    """Check columns, operators and functions; an empty aggregation column means the primary key."""
    actions: list[Action] = []
    for i, action in enumerate(session.actions):
        where = _where(session.name, i)
        if isinstance(action, Filter):
            if action.operator not in OPERATORS:
                raise SessionFormatError(
                    f"unknown operator {action.operator!r}{where}; valid operators: {', '.join(OPERATORS)}"
                )
            if not isinstance(action.term, str):
                action = Filter(action.column, action.operator, str(action.term))
        elif isinstance(action, Group):
            if action.agg_func not in AGG_FUNCS:
                raise SessionFormatError(
                    f"unknown aggregation function {action.agg_func!r}{where}; valid functions: {', '.join(AGG_FUNCS)}"
                )
            if not action.agg_column:
                action = Group(action.column, schema.primary_key, action.agg_func)
        elif not isinstance(action, (Back, Stop)):
            raise SessionFormatError(f"not an action{where}: {action!r}")
        check_columns(action, schema.columns, where)
        actions.append(action)
    return Session(session.name, tuple(actions))


#: How messages name a file of candidate sessions and one of references.
FILE_LABELS = {"session": "session file", "reference": "references file"}


def coerce_sessions(
    sessions: SessionsLike, schema: Schema, what: str = "session", dataset: int | None = None
) -> list[Session]:
    """Sessions from a path, a session document, or a list of sessions / action lists / JSON.

    A document (or file) whose header names another dataset than ``dataset`` (or another schema) is refused.
    """
    columns = schema.columns
    label = FILE_LABELS.get(what, f"{what} file")
    if isinstance(sessions, (str, os.PathLike, Mapping)):
        raw = read_session_document(sessions, label) if isinstance(sessions, (str, os.PathLike)) else sessions
        if dataset is not None:
            check_header(raw, schema.name, dataset, label)
        try:
            parsed = sessions_from_json(raw, columns, label)
        except SessionFormatError as exc:
            where = f"{sessions}: " if isinstance(sessions, (str, os.PathLike)) else ""
            raise SessionFormatError(f"{where}{exc}") from None
    elif isinstance(sessions, Session):
        parsed = [sessions]
    elif sessions and all(isinstance(a, (Back, Stop, Filter, Group)) for a in sessions):
        parsed = [Session(f"{what}0", tuple(cast("Sequence[Action]", sessions)))]  # one bare action list
    else:
        parsed = []
        for i, item in enumerate(sessions):
            name = f"{what}{i}"
            if isinstance(item, Session):
                parsed.append(item)
            elif isinstance(item, Mapping):
                parsed.append(session_from_json(item, name, columns))
            elif isinstance(item, (list, tuple)) and all(isinstance(a, (Back, Stop, Filter, Group)) for a in item):
                parsed.append(Session(name, tuple(item)))
            elif isinstance(item, (list, tuple)):
                parsed.append(session_from_json(list(item), name, columns))
            else:
                raise SessionFormatError(
                    f"malformed {what} {i}: expected a session, an action list or a JSON object, "
                    f"got {type(item).__name__}"
                )
    return [validate_session(s, schema) for s in parsed]
