"""Score sessions against a dataset's references: the benchmark's Python API.

Each candidate session is one evaluation instance. Per session, the candidate is scored alone;
the corpus row aggregates as the benchmark does: Precision and EDA-Sim are means over instances,
T-BLEU is corpus BLEU (numerators, denominators and lengths summed over instances).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from ilaeda.benchmark.bleu import BleuStats
from ilaeda.benchmark.interestingness import MEASURES, interestingness
from ilaeda.benchmark.metrics import MAX_ORDER, ReferenceSet, score_instance
from ilaeda.benchmark.registry import METRIC_FUNCTIONS, mean
from ilaeda.benchmark.simulate import simulate
from ilaeda.contract import EXTRA_METRICS, METRIC_ORDER, METRICS
from ilaeda.data.references import load_references
from ilaeda.data.schema import Schema, load_schema
from ilaeda.data.sessions import SessionsLike, coerce_sessions, validate_session
from ilaeda.eda.engine import DisplayEngine
from ilaeda.eda.lru import LRUCache
from ilaeda.errors import SessionFormatError

_REFERENCE_SETS: LRUCache[ReferenceSet] = LRUCache(32)


@dataclass
class ScoreResult:
    """Per-session scores (``sessions``: list of dicts) and corpus scores (``corpus``: dict)."""

    sessions: list[dict[str, Any]] = field(default_factory=list)
    corpus: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """``{"sessions": [...], "corpus": {...}}`` (plain JSON types)."""
        return {"sessions": [dict(s) for s in self.sessions], "corpus": dict(self.corpus)}

    def to_json(self, indent: int | None = None) -> str:
        """The JSON text of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), indent=indent)


def reference_set(
    schema: Schema | str,
    dataset: int,
    references: SessionsLike | None = None,
    data_dir: str | os.PathLike[str] | None = None,
) -> ReferenceSet:
    """The (memoised) precomputed reference set of a dataset."""
    schema = load_schema(schema)
    dataset = schema.check_dataset(dataset)
    if references is None:
        refs = [validate_session(s, schema) for s in load_references(schema, dataset, data_dir)]
    else:
        refs = coerce_sessions(references, schema, "reference", dataset)
    if not refs:
        raise SessionFormatError("no reference sessions to score against")
    key = (schema.name, dataset, str(data_dir or ""), tuple(r.actions for r in refs))

    def build() -> ReferenceSet:
        engine = DisplayEngine.for_dataset(schema, dataset, data_dir)
        return ReferenceSet.build([simulate(r.actions, engine) for r in refs])

    return _REFERENCE_SETS.get_or(key, build)


def score_sessions(
    sessions: SessionsLike,
    schema: Schema | str,
    dataset: int,
    references: SessionsLike | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    with_interestingness: bool = True,
) -> ScoreResult:
    """Score candidate sessions against a dataset's references (default: its gold references).

    Args:
        sessions: a session file path, a session document, or a list of sessions / action lists.
        schema: schema name or :class:`~ilaeda.data.schema.Schema`.
        dataset: dataset number of the schema.
        references: custom references (same forms as ``sessions``); default the gold set.
        data_dir: data directory (default: ``$ILAEDA_DATA_DIR`` / user cache).
        with_interestingness: also compute the interestingness measures.

    Returns:
        per-session dicts (``name``, ``length``, ``back_at_root``, the five metrics, the
        interestingness measures) and the corpus dict.
    """
    schema = load_schema(schema)
    dataset = schema.check_dataset(dataset)
    candidates = coerce_sessions(sessions, schema, dataset=dataset)
    if not candidates:
        raise SessionFormatError("no sessions to score")
    refs = reference_set(schema, dataset, references, data_dir)
    engine = DisplayEngine.for_dataset(schema, dataset, data_dir)
    corpus_bleu = BleuStats(MAX_ORDER)
    rows: list[dict[str, Any]] = []
    for session in candidates:
        sim = simulate(session.actions, engine)
        score = score_instance(sim, refs)
        corpus_bleu.merge(score.bleu)
        row: dict[str, Any] = {
            "name": session.name,
            **{m: METRIC_FUNCTIONS[m].session(sim, score) for m in (*EXTRA_METRICS, *METRICS)},
        }
        if with_interestingness:
            row.update(interestingness(sim, engine))
        rows.append(row)
    corpus: dict[str, Any] = {"n_sessions": len(rows), "n_references": len(refs.simulations)}
    corpus.update({m: METRIC_FUNCTIONS[m].corpus(rows, corpus_bleu) for m in METRIC_ORDER})
    if with_interestingness:
        for m in MEASURES:
            corpus[m] = mean(r[m] for r in rows)
    return ScoreResult(rows, corpus)
