"""The conversion report: sessions and actions kept/dropped per dataset, and representability."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from ilaeda.data.schema import SESSION_REPOSITORY_SCHEMA, load_schema
from ilaeda.demos.cache import file_sha256
from ilaeda.demos.conversion import FLAWED_SESSIONS, Conversion, MultiAggregation, locate_actions
from ilaeda.demos.replay import EFFECT_NAMES, REPR_NAMES, REPR_NONE, TYPE_NAMES, ReplaySet
from ilaeda.demos.splits import dataset_replays, expert_sessions

#: The prior conversion: counts of ``actions_atena.tsv`` in AdvEDA (github.com/abhijitmanatkar/AdversarialEDA).
PRIOR = {
    "sessions": 420,
    "sessions_per_dataset": {"1": 151, "2": 104, "3": 90, "4": 75},
    "actions": {"group": 1332, "filter": 529, "back": 919},
}
ACTION_KINDS = ("group", "filter", "back")


def _representability(replays: ReplaySet, horizon: int | None) -> dict[str, dict[str, int]]:
    """Counts per action type of exact / view / none, over all actions or the first ``horizon``."""
    counts: dict[str, Counter[str]] = {k: Counter() for k in ACTION_KINDS}
    for i in range(len(replays)):
        types, levels, _ = replays.expert_flags(i)
        if horizon is not None:
            types, levels = types[:horizon], levels[:horizon]
        for t, level in zip(types, levels):
            counts[TYPE_NAMES[t]][REPR_NAMES[level]] += 1
    return {
        k: {"actions": sum(c.values()), **{n: c.get(n, 0) for n in ("exact", "view", "none")}}
        for k, c in counts.items()
    }


def _unrepresentable_filters(replays: ReplaySet) -> dict[str, int]:
    """Unrepresentable filters by what they do to their view."""
    counts: Counter[str] = Counter()
    for i in range(len(replays)):
        types, levels, effects = replays.expert_flags(i)
        for t, level, effect in zip(types, levels, effects):
            if TYPE_NAMES[t] == "filter" and level == REPR_NONE:
                counts[EFFECT_NAMES[effect]] += 1
    return dict(sorted(counts.items()))


def _fractions(tables: list[dict[str, dict[str, int]]], kinds: tuple[str, ...] = ACTION_KINDS) -> dict[str, float]:
    total = sum(t[k]["actions"] for t in tables for k in kinds)
    exact = sum(t[k]["exact"] for t in tables for k in kinds)
    view = sum(t[k]["view"] for t in tables for k in kinds)
    return {
        "actions": total,
        "exact": exact / total if total else 1.0,
        "view_reproducible": (exact + view) / total if total else 1.0,
    }


def build_report(
    *,
    horizon: int = 12,
    multi_aggregation: MultiAggregation = "first",
    data_dir: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
) -> dict[str, Any]:
    """The conversion report as one JSON-serialisable object."""
    schema = load_schema(SESSION_REPOSITORY_SCHEMA)
    conversion: Conversion = expert_sessions(schema, data_dir=data_dir, multi_aggregation=multi_aggregation)
    path = locate_actions(data_dir)
    datasets: dict[str, Any] = {}
    all_tables, cut_tables = [], []
    totals: dict[str, Counter[str]] = {
        k: Counter()
        for k in ("sessions_dropped", "rows_in", "actions_kept", "rows_dropped", "dropped_columns", "notes")
    }
    for number, report in conversion.reports.items():
        replays = dataset_replays(
            schema,
            number,
            horizon=horizon,
            multi_aggregation=multi_aggregation,
            data_dir=data_dir,
            cache_dir=cache_dir,
            use_cache=use_cache,
        )
        lengths = np.array([len(s.actions) for s in conversion.sessions[number]], dtype=np.int64)
        entry = report.to_json()
        entry["session_length"] = {
            "mean": float(lengths.mean()) if len(lengths) else 0.0,
            "median": float(np.median(lengths)) if len(lengths) else 0.0,
            "max": int(lengths.max()) if len(lengths) else 0,
            "longer_than_horizon": int((lengths > horizon).sum()),
            "actions_beyond_horizon": int(np.clip(lengths - horizon, 0, None).sum()),
        }
        entry["representable"] = _representability(replays, None)
        entry["representable_in_trajectories"] = _representability(replays, horizon)
        entry["unrepresentable_filters"] = _unrepresentable_filters(replays)
        all_tables.append(entry["representable"])
        cut_tables.append(entry["representable_in_trajectories"])
        datasets[str(number)] = entry
        for key, counter in totals.items():
            counter.update(getattr(report, key))
    sessions_in = sum(r.sessions_in for r in conversion.reports.values())
    sessions_kept = sum(r.sessions_kept for r in conversion.reports.values())
    overall = _fractions(all_tables)
    filters = _fractions(all_tables, ("filter",))
    return {
        "schema": schema.name,
        "actions_file": str(path),
        "actions_sha256": file_sha256(path),
        "options": {
            "horizon": horizon,
            "multi_aggregation": multi_aggregation,
            "flawed_sessions": sorted(FLAWED_SESSIONS),
        },
        "sessions_in": sessions_in,
        "sessions_kept_total": sessions_kept,
        "sessions_kept": {k: v["sessions_kept"] for k, v in datasets.items()},
        "actions_kept": {k: totals["actions_kept"].get(k, 0) for k in ACTION_KINDS},
        "totals": {k: dict(sorted(v.items())) for k, v in totals.items()},
        "datasets": datasets,
        "prior": PRIOR,
        "representable_fraction": overall["exact"],
        "view_reproducible_fraction": overall["view_reproducible"],
        "filter_representable_fraction": filters["exact"],
        "filter_view_reproducible_fraction": filters["view_reproducible"],
        "representable_in_trajectories_fraction": _fractions(cut_tables)["exact"],
        "expert_actions": overall["actions"],
    }


def format_report(report: dict[str, Any]) -> str:
    """Human-readable text of :func:`build_report`."""
    ds = report["datasets"]
    names = list(ds)
    lines = [
        f"REACT-IDA sessions → {report['schema']} demonstrations ({report['actions_file']})",
        f"options: horizon {report['options']['horizon']}, multi_aggregation {report['options']['multi_aggregation']}",
        "",
    ]

    def row(label: str, values: Sequence[int | str], total: int | str | None = None) -> str:
        total = sum(v for v in values if isinstance(v, int)) if total is None else total
        return f"{label:<52}" + "".join(f"{v:>8}" for v in values) + f"{total:>9}"

    lines.append(row("", [f"d{n}" for n in names], "total"))
    lines.append(row("sessions in file", [ds[n]["sessions_in"] for n in names]))
    reasons = sorted({r for n in names for r in ds[n]["sessions_dropped"]})
    for reason in reasons:
        lines.append(row(f"  sessions dropped: {reason}", [ds[n]["sessions_dropped"].get(reason, 0) for n in names]))
    lines.append(row("sessions kept", [ds[n]["sessions_kept"] for n in names]))
    lines.append(row("  prior conversion", [report["prior"]["sessions_per_dataset"].get(n, 0) for n in names]))
    kinds = sorted({k for n in names for k in ds[n]["rows_in"]})
    for kind in kinds:
        lines.append(row(f"rows in: {kind}", [ds[n]["rows_in"].get(kind, 0) for n in names]))
    reasons = sorted({r for n in names for r in ds[n]["rows_dropped"]})
    for reason in reasons:
        lines.append(row(f"  rows dropped: {reason}", [ds[n]["rows_dropped"].get(reason, 0) for n in names]))
    for kind in ACTION_KINDS:
        lines.append(
            row(
                f"actions kept: {kind} (prior {report['prior']['actions'][kind]})",
                [ds[n]["actions_kept"][kind] for n in names],
            )
        )
    notes = sorted({r for n in names for r in ds[n]["notes"]})
    for note in notes:
        lines.append(row(f"  {note}"[:52], [ds[n]["notes"].get(note, 0) for n in names]))
    columns = sorted({c for n in names for c in ds[n]["dropped_columns"]})
    if columns:
        lines.append(
            "  columns outside the schema: "
            + ", ".join(f"{c} ×{sum(ds[n]['dropped_columns'].get(c, 0) for n in names)}" for c in columns)
        )
    lines.append(
        row(
            f"sessions longer than the horizon ({report['options']['horizon']})",
            [ds[n]["session_length"]["longer_than_horizon"] for n in names],
        )
    )
    lines.append(
        row("  actions beyond the horizon (cut)", [ds[n]["session_length"]["actions_beyond_horizon"] for n in names])
    )
    lines += ["", "representable expert actions (exact term / same view), all actions:"]
    for kind in ACTION_KINDS:
        cells = []
        for n in names:
            t = ds[n]["representable"][kind]
            cells.append(f"{t['exact']}+{t['view']}/{t['actions']}")
        lines.append(f"  {kind:<10}" + "".join(f"{c:>16}" for c in cells))
    effects = sorted({e for n in names for e in ds[n]["unrepresentable_filters"]})
    for effect in effects:
        lines.append(
            f"  unrepresentable filters that {effect}: "
            + ", ".join(f"d{n} {ds[n]['unrepresentable_filters'].get(effect, 0)}" for n in names)
        )
    lines.append(
        f"  exact: {100 * report['representable_fraction']:.1f} % of {report['expert_actions']} actions "
        f"(filters {100 * report['filter_representable_fraction']:.1f} %); same view: "
        f"{100 * report['view_reproducible_fraction']:.1f} % "
        f"(filters {100 * report['filter_view_reproducible_fraction']:.1f} %); exact within the "
        f"first {report['options']['horizon']} actions: "
        f"{100 * report['representable_in_trajectories_fraction']:.1f} %"
    )
    return "\n".join(lines)
