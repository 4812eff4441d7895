"""REACT-IDA ``actions.tsv`` → expert sessions in ilaeda's action model (docs/demonstrations.md).

The file records, per analyst action, the view it was applied to (``parent_display_id``) and the view
it produced (``child_display_id``); a session is therefore a tree of views. Conversion:

1. drop the flawed sessions (:data:`FLAWED_SESSIONS`: AdvEDA's list plus later additions);
2. drop sort/project rows (and rows that cannot be expressed: unknown operator code, aggregation
   function or action type, a column outside the schema); the view such a row produced is re-pointed
   to the view it was applied to, so its children re-attach to the real parent;
3. walk the tree with a stack of displays, inserting one BACK per display popped before an action
   whose parent is deeper in the stack; a parent that was popped earlier (rare) is reached again by
   BACKs to the deepest common ancestor followed by the actions that had produced it;
4. REACT operator codes (:data:`REACT_OPERATORS`), ``number`` → ``packet_number`` (numeric comparison
   terms shifted by −1), ``avg`` → ``mean``; a group without aggregation counts the primary key;
   a group with several aggregations becomes one Group (``multi_aggregation="first"``: the first
   aggregation not already in the view) or one Group per new aggregation (``"split"``).
"""

from __future__ import annotations

import csv
import json
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ilaeda.data.locate import locate
from ilaeda.data.schema import SESSION_REPOSITORY_SCHEMA, Schema, load_schema, load_session_repository
from ilaeda.data.sessions import AGG_FUNCS, Action, Back, Filter, Group, Session
from ilaeda.eda.state import ROOT, State
from ilaeda.errors import ConfigError, DataError

#: Sessions the REACT-IDA authors marked as flawed (``react_lib/UtilsAtena.py``).
PRIOR_FLAWED_SESSIONS: frozenset[int] = frozenset(
    {20, 56, 85, 94, 106, 129, 133, 177, 277, 303, 331, 370, 388, 407, 468, 489, 516, 522, 582, 603, 635, 723}
    | set(range(672, 720))
)
#: Later additions to the list (absent from the prior conversion ``actions_atena.tsv``).
LATER_FLAWED_SESSIONS: frozenset[int] = frozenset({345, 405, 408, 498, 671})
#: The flawed sessions ilaeda drops.
FLAWED_SESSIONS: frozenset[int] = PRIOR_FLAWED_SESSIONS | LATER_FLAWED_SESSIONS

#: REACT filter condition codes (bit flags) → operator.
REACT_OPERATORS: Mapping[int, str] = {
    8: "EQ",
    512: "NEQ",
    16: "CONTAINS",
    2: "STARTS_WITH",
    4: "ENDS_WITH",
    32: "GT",
    64: "GE",
    128: "LT",
    256: "LE",
}
#: REACT aggregation types → ilaeda aggregation functions.
REACT_AGG_FUNCS: Mapping[str, str] = {
    "count": "count",
    "sum": "sum",
    "min": "min",
    "max": "max",
    "avg": "mean",
    "mean": "mean",
}
#: Columns renamed from the REACT-IDA table to the benchmark schema.
RENAMED_COLUMNS: Mapping[str, str] = {"number": "packet_number"}
#: Renamed columns whose comparison terms are shifted (1-based packet number → 0-based).
SHIFTED_COLUMNS: Mapping[str, int] = {"number": -1}
#: Operators that compare values (their numeric terms are shifted).
COMPARISON_OPERATORS = frozenset({"EQ", "NEQ", "GT", "GE", "LT", "LE"})

REQUIRED_COLUMNS = (
    "action_id",
    "action_type",
    "action_params",
    "session_id",
    "project_id",
    "parent_display_id",
    "child_display_id",
)

#: Row drop reasons (keys of the conversion report).
DROP_FLAWED = "flawed session"
DROP_SORT = "sort"
DROP_PROJECT = "project"
DROP_COLUMN = "column outside schema"
DROP_OPERATOR = "unknown operator code"
DROP_AGG = "unknown aggregation function"
DROP_TYPE = "unknown action type"
#: Session drop reasons.
SESSION_FLAWED = "flawed"
SESSION_EMPTY = "empty after conversion"

MultiAggregation = Literal["first", "split"]
#: ``tree``: ilaeda's navigation; ``prior``: the prior conversion's (for regression checks only).
Navigation = Literal["tree", "prior"]


def locate_actions(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """Local path of the REACT-IDA ``actions.tsv`` (located or downloaded)."""
    return locate(load_session_repository(), data_dir)


@dataclass(frozen=True)
class ReactRow:
    """One row of ``actions.tsv``; ``line`` is its 1-based line number in the file."""

    line: int
    action_id: int
    action_type: str
    params: Mapping[str, Any]
    session_id: int
    dataset: int
    parent: int
    child: int
    user_id: int | None = None
    solution: bool | None = None


def _int(value: str | None, name: str, where: str) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise DataError(f"{where}: column {name!r} must be an integer, got {value!r}") from None


def read_actions(path: str | os.PathLike[str]) -> list[ReactRow]:
    """Parse ``actions.tsv``; errors name the file, line and column at fault."""
    path = Path(path)
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise DataError(f"cannot read actions file {path}: {exc.strerror or exc}") from None
    rows: list[ReactRow] = []
    with handle:
        reader = csv.DictReader(handle, delimiter="\t")
        header = reader.fieldnames or []
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise DataError(
                f"malformed actions file {path}: missing columns {missing} "
                f"(header: {header}); expected at least {list(REQUIRED_COLUMNS)}"
            )
        try:
            for raw in reader:
                rows.append(_parse_row(raw, reader.line_num, path))
        except csv.Error as exc:
            raise DataError(f"malformed actions file {path}, line {reader.line_num}: {exc}") from None
        except UnicodeDecodeError as exc:
            raise DataError(f"malformed actions file {path}: not UTF-8 ({exc})") from None
    return rows


def _parse_row(raw: Mapping[str, str | None], line: int, path: Path) -> ReactRow:
    where = f"malformed actions file {path}, line {line} (action_id {raw.get('action_id')!r})"
    if any(raw.get(c) is None for c in REQUIRED_COLUMNS):
        raise DataError(f"{where}: the row has too few fields")
    try:
        params = json.loads(raw["action_params"] or "")
    except json.JSONDecodeError as exc:
        raise DataError(f"{where}: bad JSON in action_params ({exc.msg}): {raw['action_params']!r}") from None
    if not isinstance(params, dict):
        raise DataError(f"{where}: action_params must be a JSON object, got {raw['action_params']!r}")
    user = raw.get("user_id")
    solution = raw.get("solution")
    return ReactRow(
        line=line,
        action_id=_int(raw["action_id"], "action_id", where),
        action_type=str(raw["action_type"]).strip().lower(),
        params=params,
        session_id=_int(raw["session_id"], "session_id", where),
        dataset=_int(raw["project_id"], "project_id", where),
        parent=_int(raw["parent_display_id"], "parent_display_id", where),
        child=_int(raw["child_display_id"], "child_display_id", where),
        user_id=_int(user, "user_id", where) if user not in (None, "") else None,
        solution={"true": True, "false": False}.get(str(solution).strip().lower()) if solution else None,
    )


@dataclass(frozen=True)
class ExpertSession:
    """A converted analyst session on one dataset."""

    session_id: int
    dataset: int
    actions: tuple[Action, ...]
    user_id: int | None = None
    solved: bool | None = None

    @property
    def name(self) -> str:
        return f"session{self.session_id}"

    def as_session(self) -> Session:
        return Session(self.name, self.actions)


@dataclass
class DatasetReport:
    """Conversion counts of one dataset."""

    sessions_in: int = 0
    sessions_kept: int = 0
    sessions_dropped: Counter[str] = field(default_factory=Counter)
    rows_in: Counter[str] = field(default_factory=Counter)
    actions_kept: Counter[str] = field(default_factory=Counter)
    rows_dropped: Counter[str] = field(default_factory=Counter)
    dropped_columns: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)

    def to_json(self) -> dict[str, Any]:
        return {
            "sessions_in": self.sessions_in,
            "sessions_kept": self.sessions_kept,
            "sessions_dropped": dict(sorted(self.sessions_dropped.items())),
            "rows_in": dict(sorted(self.rows_in.items())),
            "actions_kept": {k: self.actions_kept.get(k, 0) for k in ("group", "filter", "back")},
            "rows_dropped": dict(sorted(self.rows_dropped.items())),
            "dropped_columns": dict(sorted(self.dropped_columns.items())),
            "notes": dict(sorted(self.notes.items())),
        }


@dataclass
class Conversion:
    """Converted sessions per dataset plus the per-dataset report."""

    schema: str
    sessions: dict[int, list[ExpertSession]]
    reports: dict[int, DatasetReport]

    def all_sessions(self) -> list[ExpertSession]:
        return [s for d in sorted(self.sessions) for s in self.sessions[d]]


def convert_actions(
    rows: Iterable[ReactRow],
    schema: Schema | str = SESSION_REPOSITORY_SCHEMA,
    *,
    flawed: Iterable[int] = FLAWED_SESSIONS,
    multi_aggregation: MultiAggregation = "first",
    navigation: Navigation = "tree",
) -> Conversion:
    """Convert parsed rows into expert sessions, per dataset, with a conversion report.

    ``navigation="prior"`` reproduces the prior conversion's view tracking (a dropped row's view is
    re-pointed to the last view produced, and a parent that is not on the stack is pushed without
    BACKs); it exists to check the prior counts and is wrong for training data.

    Raises:
        DataError: a session refers to a dataset the schema does not have, or mixes datasets.
        ConfigError: unknown ``multi_aggregation`` policy.
    """
    schema = load_schema(schema)
    if multi_aggregation not in ("first", "split"):
        raise ConfigError(f"unknown multi_aggregation {multi_aggregation!r}; use 'first' or 'split'")
    if navigation not in ("tree", "prior"):
        raise ConfigError(f"unknown navigation {navigation!r}; use 'tree' or 'prior'")
    flawed = frozenset(flawed)
    by_session: dict[int, list[ReactRow]] = {}
    for row in rows:
        by_session.setdefault(row.session_id, []).append(row)
    valid = ", ".join(str(n) for n in sorted(schema.datasets))
    reports = {n: DatasetReport() for n in sorted(schema.datasets)}
    sessions: dict[int, list[ExpertSession]] = {n: [] for n in sorted(schema.datasets)}
    for session_id in sorted(by_session):
        srows = sorted(by_session[session_id], key=lambda r: r.action_id)
        datasets = {r.dataset for r in srows}
        if len(datasets) > 1:
            raise DataError(f"session {session_id} (line {srows[0].line}) spans datasets {sorted(datasets)}")
        dataset = srows[0].dataset
        if dataset not in schema.datasets:
            raise DataError(
                f"session {session_id} (actions file line {srows[0].line}) refers to unknown "
                f"dataset {dataset} of schema {schema.name!r}; valid datasets: {valid}"
            )
        report = reports[dataset]
        report.sessions_in += 1
        report.rows_in.update(r.action_type for r in srows)
        if session_id in flawed:
            report.sessions_dropped[SESSION_FLAWED] += 1
            report.rows_dropped[DROP_FLAWED] += len(srows)
            continue
        actions = _SessionConverter(schema, report, multi_aggregation, navigation).convert(srows)
        if not actions:
            report.sessions_dropped[SESSION_EMPTY] += 1
            continue
        report.sessions_kept += 1
        report.actions_kept.update(type(a).__name__.lower() for a in actions)
        sessions[dataset].append(
            ExpertSession(session_id, dataset, tuple(actions), srows[0].user_id, srows[0].solution)
        )
    return Conversion(schema.name, sessions, reports)


class _SessionConverter:
    """Walks one session's view tree and emits actions (one instance per session)."""

    def __init__(
        self,
        schema: Schema,
        report: DatasetReport,
        multi_aggregation: MultiAggregation,
        navigation: Navigation = "tree",
    ) -> None:
        self.schema = schema
        self.prior = navigation == "prior"
        self.last_view: int | None = None
        self.report = report
        self.multi = multi_aggregation
        self.alias: dict[int, int] = {}  # dropped row's child view → the view it came from
        self.tree_parent: dict[int, int] = {}  # view → the view it was produced from
        self.produced: dict[int, tuple[Action, ...]] = {}  # view → the actions that produced it
        self.states: dict[int, State] = {}  # view → its state
        self.stack: list[int] = []
        self.out: list[Action] = []

    def resolve(self, display: int) -> int:
        seen = set()
        while display in self.alias and display not in seen:
            seen.add(display)
            display = self.alias[display]
        return display

    def convert(self, rows: Sequence[ReactRow]) -> list[Action]:
        for row in rows:
            parent = self.resolve(row.parent)
            converted = self._convert_row(row)
            if converted is None:
                self.alias[row.child] = self.last_view if self.prior and self.last_view is not None else parent
                continue
            self._navigate_to(parent)
            state = self.states[parent]
            actions = self._group_actions(converted, state) if isinstance(converted, list) else (converted,)
            for action in actions:
                state = state.with_filter(action) if isinstance(action, Filter) else state.with_group(action)
            self.out.extend(actions)
            if row.child in self.states:  # a view id produced twice: keep the first, count it
                self.report.notes["view id produced twice"] += 1
            self.tree_parent[row.child] = parent
            self.produced[row.child] = actions
            self.states[row.child] = state
            self.stack.append(row.child)
            self.last_view = row.child
        return self.out

    def _navigate_to(self, parent: int) -> None:
        """Emit BACKs (and, for a view popped earlier, re-apply its actions) so ``parent`` is current."""
        if not self.stack:
            self.stack = [parent]
            self.states[parent] = ROOT
            return
        if parent in self.stack:
            while self.stack[-1] != parent:
                self._pop()
            return
        if self.prior:
            self.states.setdefault(parent, ROOT)
            self.stack.append(parent)
            return
        path = [parent]  # parent was visited and popped: climb to a view still on the stack
        while path[-1] not in self.stack and path[-1] in self.tree_parent:
            path.append(self.tree_parent[path[-1]])
        if path[-1] not in self.stack:  # unknown view: treat it as a second root (never seen in the data)
            self.report.notes["unknown parent view"] += 1
            while len(self.stack) > 1:
                self._pop()
            self.states.setdefault(parent, ROOT)
            self.stack[0] = parent
            return
        while self.stack[-1] != path[-1]:
            self._pop()
        for view in reversed(path[:-1]):
            actions = self.produced[view]
            self.out.extend(actions)
            self.report.notes["actions re-applied to revisit a view"] += len(actions)
            self.stack.append(view)

    def _pop(self) -> None:
        view = self.stack.pop()
        n = len(self.produced.get(view, ()))
        self.out.extend(Back() for _ in range(n))

    # ---- single rows -------------------------------------------------------------------------
    def _column(self, name: object) -> str | None:
        column = RENAMED_COLUMNS.get(str(name), str(name))
        if column not in self.schema.columns:
            self.report.dropped_columns[str(name)] += 1
            return None
        return column

    def _convert_row(self, row: ReactRow) -> Filter | list[Group] | None:
        """A Filter, a list of candidate Groups (one per aggregation), or None when dropped."""
        kind = row.action_type
        if kind in ("sort", "project"):
            self.report.rows_dropped[DROP_SORT if kind == "sort" else DROP_PROJECT] += 1
            return None
        if kind == "filter":
            return self._filter(row)
        if kind == "group":
            return self._groups(row)
        self.report.rows_dropped[DROP_TYPE] += 1
        return None

    def _require(self, row: ReactRow, *keys: str) -> None:
        missing = [k for k in keys if k not in row.params]
        if missing:
            raise DataError(
                f"malformed actions file, line {row.line} (action_id {row.action_id}): "
                f"{row.action_type} action_params lacks {missing}: {dict(row.params)}"
            )

    def _filter(self, row: ReactRow) -> Filter | None:
        self._require(row, "field", "term", "condition")
        try:
            code = int(row.params["condition"])
        except (TypeError, ValueError):
            code = -1
        operator = REACT_OPERATORS.get(code)
        if operator is None:
            self.report.rows_dropped[DROP_OPERATOR] += 1
            return None
        raw_column = str(row.params["field"])
        column = self._column(raw_column)
        if column is None:
            self.report.rows_dropped[DROP_COLUMN] += 1
            return None
        term = "" if row.params["term"] is None else str(row.params["term"])
        shift = SHIFTED_COLUMNS.get(raw_column)
        if shift is not None:
            if operator in COMPARISON_OPERATORS:
                shifted = _shift_term(term, shift)
                if shifted is not None:
                    term = shifted
                    self.report.notes["packet-number terms shifted by -1"] += 1
            else:
                self.report.notes["string tests on packet numbers kept unshifted"] += 1
        return Filter(column, operator, term)

    def _groups(self, row: ReactRow) -> list[Group] | None:
        self._require(row, "field")
        column = self._column(row.params["field"])
        aggregations = row.params.get("aggregations") or []
        if not isinstance(aggregations, list):
            raise DataError(
                f"malformed actions file, line {row.line} (action_id {row.action_id}): "
                f"'aggregations' must be a list, got {aggregations!r}"
            )
        pairs: list[tuple[str, str]] = []
        bad_column = column is None
        for agg in aggregations:
            if not isinstance(agg, dict) or "field" not in agg:
                raise DataError(
                    f"malformed actions file, line {row.line} (action_id {row.action_id}): "
                    f"malformed aggregation {agg!r}"
                )
            func = REACT_AGG_FUNCS.get(str(agg.get("type", "count")).lower())
            if func is None or func not in AGG_FUNCS:
                self.report.rows_dropped[DROP_AGG] += 1
                return None
            agg_column = self._column(agg["field"])
            if agg_column is None:
                bad_column = True
                continue
            pairs.append((agg_column, func))
        if bad_column or column is None:
            self.report.rows_dropped[DROP_COLUMN] += 1
            return None
        if not pairs:
            self.report.notes["groups with the default aggregation"] += 1
            return [Group(column, self.schema.primary_key, "count")]
        self.report.notes["groups with explicit aggregations"] += 1
        if len(pairs) > 1:
            self.report.notes["groups with several aggregations"] += 1
        return [Group(column, c, f) for c, f in pairs]

    def _group_actions(self, candidates: list[Group], state: State) -> tuple[Group, ...]:
        """Apply the multi-aggregation policy against the view the group is applied to."""
        if len(candidates) == 1:
            return (candidates[0],)
        fresh = [g for g in candidates if (g.agg_column, g.agg_func) not in state.aggregations]
        if not fresh:
            return (candidates[0],)
        if self.multi == "first":
            if len(fresh) > 1:
                self.report.notes["aggregations left out (multi_aggregation=first)"] += len(fresh) - 1
            return (fresh[0],)
        if len(fresh) > 1:
            self.report.notes["extra group actions (multi_aggregation=split)"] += len(fresh) - 1
        return tuple(fresh)


def _shift_term(term: str, shift: int) -> str | None:
    text = term.strip()
    try:
        return str(int(text) + shift)
    except ValueError:
        pass
    try:
        return repr(float(text) + shift)
    except ValueError:
        return None


def convert_file(
    path: str | os.PathLike[str] | None = None,
    schema: Schema | str = SESSION_REPOSITORY_SCHEMA,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    flawed: Iterable[int] = FLAWED_SESSIONS,
    multi_aggregation: MultiAggregation = "first",
    navigation: Navigation = "tree",
) -> Conversion:
    """Read and convert ``actions.tsv`` (located from the config when ``path`` is None)."""
    path = Path(path) if path is not None else locate_actions(data_dir)
    rows = read_actions(path)
    try:
        return convert_actions(rows, schema, flawed=flawed, multi_aggregation=multi_aggregation, navigation=navigation)
    except DataError as exc:
        raise DataError(f"{path}: {exc}") from None
