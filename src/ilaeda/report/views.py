"""What a reader sees of one session: each action in words, the display it leads to, the tree of displays.

The displays are re-created from the data with the project's own display engine (the same session
stack and view masks the environment and the benchmark use); pandas only lays out the rows of a view
or the aggregates of a grouped view. Also: the session's benchmark scores and its closest gold
reference (highest EDA-Sim against each reference alone).
"""

from __future__ import annotations

import io
import os
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ilaeda.benchmark import METRICS, score_sessions, simulate
from ilaeda.benchmark.degenerate import score_with_degenerate
from ilaeda.benchmark.simulate import Simulation
from ilaeda.data.loading import load_table
from ilaeda.data.references import load_references
from ilaeda.data.schema import Schema, load_schema
from ilaeda.data.sessions import Action, Back, Filter, Group, Session, Stop, render_action
from ilaeda.eda.engine import DisplayEngine
from ilaeda.eda.state import State

#: How a filter operator reads in a sentence.
OPERATOR_WORDS = {
    "EQ": "equals",
    "NEQ": "differs from",
    "GT": "is greater than",
    "GE": "is at least",
    "LT": "is less than",
    "LE": "is at most",
    "CONTAINS": "contains",
    "STARTS_WITH": "starts with",
    "ENDS_WITH": "ends with",
}
#: How an aggregation function reads in a sentence.
FUNCTION_WORDS = {"count": "count", "sum": "sum", "min": "minimum", "max": "maximum", "mean": "average"}
#: Longest text shown in one table cell.
MAX_CELL_CHARS = 60


def describe_action(action: Action) -> str:
    """One plain-English sentence (e.g. ``Group by ip_src and show the count of packet_number per group.``)."""
    if isinstance(action, Filter):
        return f"Filter: keep the rows where {action.column} {OPERATOR_WORDS[action.operator]} {action.term!r}."
    if isinstance(action, Group):
        return (
            f"Group by {action.column} and show the {FUNCTION_WORDS[action.agg_func]} of "
            f"{action.agg_column or 'the rows'} per group."
        )
    if isinstance(action, Back):
        return "Go back to the previous display."
    if isinstance(action, Stop):
        return "Stop the analysis."
    raise TypeError(f"not an action: {action!r}")  # pragma: no cover - the Action union is closed


@dataclass(frozen=True)
class Step:
    """One step of a session: the action, the state it leads to and that display's table."""

    index: int  # 1-based
    action: Action
    words: str
    state: State
    table: pd.DataFrame
    caption: str  # e.g. "812 of 8648 rows" or "14 groups (view: 812 of 8648 rows)"


def _clip(value: object) -> object:
    if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
        return value[: MAX_CELL_CHARS - 1] + "…"
    return value


def _clipped(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.apply(lambda col: col.map(_clip)) if len(frame) else frame


def display_table(engine: DisplayEngine, frame: pd.DataFrame, state: State, rows: int = 5) -> tuple[pd.DataFrame, str]:
    """The table of a display and a caption.

    Ungrouped views (and groupings the engine does not aggregate): the first ``rows`` rows of the
    filtered view. Grouped views: the first ``rows`` groups (sorted by key) with one column per
    aggregation, named ``function(column)``.
    """
    kept = engine.view_rows(state)
    view = frame.iloc[kept]
    total = f"{len(view)} of {len(frame)} row{'s' if len(frame) != 1 else ''}"
    display = engine.display(state)
    if not state.grouping or display.granularity is None:
        note = " (not grouped: the display engine cannot aggregate this grouping)" if state.grouping else ""
        return _clipped(view.head(rows).reset_index(drop=True)), total + note
    aggregations = dict(state.aggregations)  # a later function on the same column wins, as in the engine
    grouped = view.groupby(list(state.grouping), dropna=True, sort=True)
    parts = {}
    for column, func in aggregations.items():
        series = grouped[column]
        if func == "sum" and not pd.api.types.is_numeric_dtype(view[column]):
            parts[f"{func}({column})"] = series.agg(lambda s: "".join(s.dropna().astype(str)))
        else:
            parts[f"{func}({column})"] = series.agg(func)
    table = pd.DataFrame(parts).reset_index()
    return _clipped(table.head(rows)), f"{len(table)} group{'s' if len(table) != 1 else ''} (view: {total})"


def session_steps(
    actions: Sequence[Action],
    schema: Schema | str,
    dataset: int,
    data_dir: str | os.PathLike[str] | None = None,
    rows: int = 5,
) -> list[Step]:
    """Replay ``actions`` (up to the first STOP, which is kept as the last step) and tabulate each display."""
    schema = load_schema(schema)
    engine = DisplayEngine.for_dataset(schema, dataset, data_dir)
    frame = load_table(schema, dataset, data_dir)
    sim = simulate(actions, engine)
    steps = []
    for i, action in enumerate(sim.actions):
        state = sim.states[i + 1]
        table, caption = display_table(engine, frame, state, rows)
        steps.append(Step(i + 1, action, describe_action(action), state, table, caption))
    if len(sim.actions) < len(actions) and isinstance(actions[len(sim.actions)], Stop):
        stop = actions[len(sim.actions)]
        steps.append(
            Step(
                len(sim.actions) + 1,
                stop,
                describe_action(stop),
                sim.states[-1],
                pd.DataFrame(),
                "the session ends here",
            )
        )
    return steps


def root_table(
    schema: Schema | str, dataset: int, data_dir: str | os.PathLike[str] | None = None, rows: int = 5
) -> tuple[pd.DataFrame, str]:
    """The first rows of the whole dataset (the display every session starts from)."""
    schema = load_schema(schema)
    engine = DisplayEngine.for_dataset(schema, dataset, data_dir)
    return display_table(engine, load_table(schema, dataset, data_dir), State(), rows)


def simulation(
    actions: Sequence[Action], schema: Schema | str, dataset: int, data_dir: str | os.PathLike[str] | None = None
) -> Simulation:
    """The benchmark's replay of a session (display tree, tokens, states)."""
    schema = load_schema(schema)
    return simulate(actions, DisplayEngine.for_dataset(schema, dataset, data_dir))


def _tree_layout(parents: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """x (leaf order, parents centred over children) and depth of each node of a parent-list tree."""
    children: dict[int, list[int]] = {i: [] for i in range(len(parents))}
    for node, parent in enumerate(parents):
        if node:
            children[parent].append(node)
    x = np.zeros(len(parents))
    depth = np.zeros(len(parents))
    next_leaf = [0.0]

    def place(node: int, level: int) -> None:
        depth[node] = level
        if not children[node]:
            x[node] = next_leaf[0]
            next_leaf[0] += 1
            return
        for child in children[node]:
            place(child, level + 1)
        x[node] = float(np.mean([x[c] for c in children[node]]))

    place(0, 0)
    return x, depth


def tree_png(sim: Simulation, title: str = "", dpi: int = 80) -> bytes:
    """PNG picture of a session's tree of displays (matplotlib, Agg): each node labelled with the step that
    created it (BACK creates none), edges to parents.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    labels = ["root"]  # other nodes: the step that created them and its action
    for step, action in enumerate(sim.actions, start=1):
        if isinstance(action, (Filter, Group)):
            labels.append(f"{step}: " + "\n".join(textwrap.wrap(render_action(action), 24)))
    x, depth = _tree_layout(sim.parents)
    width = max(4.0, 2.3 * (x.max() + 1))
    height = max(2.2, 1.0 * (depth.max() + 1) + 0.6)
    fig, ax = plt.subplots(figsize=(width, height), dpi=dpi)
    for node, parent in enumerate(sim.parents):
        if node:
            ax.plot([x[parent], x[node]], [-depth[parent], -depth[node]], color="#888", lw=1, zorder=1)
    for node, label in enumerate(labels):
        ax.annotate(
            label,
            (x[node], -depth[node]),
            ha="center",
            va="center",
            fontsize=7,
            zorder=2,
            bbox={"boxstyle": "round,pad=0.3", "fc": "#e8f0fe" if node else "#ffe9c7", "ec": "#4a6fa5"},
        )
    ax.set_xlim(x.min() - 0.7, x.max() + 0.7)
    ax.set_ylim(-depth.max() - 0.6, 0.6)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return _small_png(buffer.getvalue())


def _small_png(png: bytes, colors: int = 64) -> bytes:
    """The same picture with a 64-colour palette (a third of the bytes; reports embed many trees)."""
    from PIL import Image

    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").quantize(colors).save(out, format="PNG", optimize=True)
    return out.getvalue()


@dataclass(frozen=True)
class Closest:
    """The gold reference closest to a session by EDA-Sim, and the session's EDA-Sim to each reference."""

    reference: Session
    eda_sim: float
    per_reference: dict[str, float]


def closest_reference(
    actions: Sequence[Action], schema: Schema | str, dataset: int, data_dir: str | os.PathLike[str] | None = None
) -> Closest:
    """Score the session against each gold reference alone; the highest EDA-Sim wins (first on ties)."""
    schema = load_schema(schema)
    references = list(load_references(schema, dataset, data_dir))
    session = Session("candidate", tuple(actions))
    sims = {}
    for ref in references:
        row = score_sessions(
            [session], schema, dataset, references=[ref], data_dir=data_dir, with_interestingness=False
        ).sessions[0]
        sims[ref.name] = float(row["eda_sim"])
    best = max(references, key=lambda r: sims[r.name])
    return Closest(best, sims[best.name], sims)


def session_scores(
    actions: Sequence[Action], schema: Schema | str, dataset: int, data_dir: str | os.PathLike[str] | None = None
) -> dict[str, float]:
    """The session's benchmark scores against the dataset's gold references (length, degenerate shares, metrics,
    interestingness).
    """
    session = Session("candidate", tuple(actions))
    row = score_with_degenerate([session], schema, dataset, data_dir=data_dir).sessions[0]
    return {k: v for k, v in row.items() if k != "name"}


__all__ = [
    "METRICS",
    "Closest",
    "Step",
    "closest_reference",
    "describe_action",
    "display_table",
    "root_table",
    "session_scores",
    "session_steps",
    "simulation",
    "tree_png",
]
