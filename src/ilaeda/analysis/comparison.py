"""Comparisons: our runs against reference numbers, and algorithms against each other.

Reference CSV (:data:`REFERENCE_CSV`, shipped with the package), one row per (algo, split, policy, metric):

======== ==========================================================================================
column   meaning
======== ==========================================================================================
algo     the reference system's label (e.g. ``advEDA_released_gail``); mapped to our algorithms by
         ``algo_map`` (default ``{"advEDA_released_gail": ["gail"]}``; ``"*"`` = every algorithm)
split    e.g. ``cyber_loo1``
policy   ``stochastic`` (our result section ``benchmark``) or ``deterministic``
         (``benchmark_deterministic``)
metric   a benchmark metric name (``precision``, ``t_bleu_1``, ...)
mean     the reported mean
std      sample std of the samples behind the mean — or, instead, ``margin`` (half-width of a
         t confidence interval) with ``confidence`` (e.g. 0.95): then ``std = margin·√n / t``
n        number of samples behind the mean
unit     what those samples are: ``sessions`` (evaluation sessions of one agent) or ``seeds``
======== ==========================================================================================

Our side comes in two levels, both in the comparison table:

* ``level=seeds``: one value per run (the run's mean over its sessions), spread across seeds. This is
  what says whether *training* reproduces the reference; its unit differs from a ``sessions``
  reference (whose spread is over sessions of a single agent), and the table says so.
* ``level=sessions``: every evaluation session of all our runs pooled (pooled mean/variance from each
  run's mean, std and n), the same unit as a ``sessions`` reference — described, **not tested**:
  sessions of one run share its seed, and a deterministic policy's sessions are (near-)identical, so
  treating them as independent samples gives meaningless p-values (``test_unit=none``).

The seed level uses Welch's t-test (``test_unit=seeds``); p-values and flags are NaN/empty when a side
has fewer than two samples. ``p_holm`` / ``significant_holm``: Holm–Bonferroni adjusted over every test
of the table (comparison) or of one (policy, metric) across splits and pairs (pairwise);
``holm_family`` names that family and its size.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from ilaeda.analysis.runs import POLICY_SECTIONS, RunRecord, metrics_of
from ilaeda.analysis.stats import (
    NAN_WELCH,
    bootstrap_probability_of_improvement,
    holm_bonferroni,
    pooled_stats,
    sample_stats,
    std_from_margin,
    welch_test,
)
from ilaeda.analysis.tables import read_table
from ilaeda.errors import DataError

logger = logging.getLogger(__name__)

#: The published reference numbers shipped with the package (``ilaeda/analysis/reference_results.csv``).
REFERENCE_CSV = resources.files("ilaeda.analysis") / "reference_results.csv"

DEFAULT_ALGO_MAP: dict[str, list[str]] = {"advEDA_released_gail": ["gail"]}
REQUIRED_COLUMNS = ("algo", "split", "policy", "metric", "mean", "n", "unit")
COMPARISON_COLUMNS = [
    "algo",
    "reference_algo",
    "split",
    "policy",
    "metric",
    "level",
    "ours_mean",
    "ours_std",
    "ours_n",
    "ours_unit",
    "ref_mean",
    "ref_std",
    "ref_n",
    "ref_unit",
    "ref_std_from",
    "diff",
    "t",
    "df",
    "p_value",
    "significant",
    "alpha",
    "note",
    "test_unit",
    "p_holm",
    "significant_holm",
    "holm_family",
]
PAIRWISE_COLUMNS = [
    "split",
    "policy",
    "metric",
    "algo_x",
    "algo_y",
    "mean_x",
    "std_x",
    "n_x",
    "mean_y",
    "std_y",
    "n_y",
    "diff",
    "t",
    "df",
    "p_value",
    "significant",
    "prob_improvement",
    "pi_low",
    "pi_high",
    "unit",
    "test_unit",
    "p_holm",
    "significant_holm",
    "holm_family",
]
#: The columns shown of each table where a page or a terminal has less room than the CSV, in the CSV's order.
COMPARISON_SHOWN = frozenset(
    {"algo", "split", "policy", "metric", "level", "ours_mean", "ours_std", "ours_n", "ref_mean", "ref_std"}
    | {"ref_n", "diff", "t", "p_value", "significant", "note"}
)
PAIRWISE_SHOWN = frozenset(
    {"split", "policy", "metric", "algo_x", "algo_y", "mean_x", "mean_y", "p_value", "significant"}
    | {"prob_improvement", "pi_low", "pi_high"}
)


def shown_columns(columns: Sequence[str], shown: frozenset[str], without: frozenset[str] = frozenset()) -> list[str]:
    """The ``shown`` columns (less ``without``) in the order of ``columns``."""
    return [c for c in columns if c in shown and c not in without]


#: What a sessions-level row says instead of a test.
SESSIONS_NOT_TESTED = "sessions of one run are not independent: not tested (see level=seeds)"
UNITS = ("sessions", "seeds")


def load_reference(path: str | Path) -> pd.DataFrame:
    """Read and validate a reference CSV; adds ``std`` (from ``margin`` where needed) and ``std_from``.

    Raises:
        DataError: the file is missing or unreadable, or a row is malformed (the message names it).
    """
    path = Path(path)
    df = read_table(path, "reference results")
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing or ("std" not in df.columns and "margin" not in df.columns):
        need = missing + ([] if "std" in df.columns or "margin" in df.columns else ["std or margin"])
        raise DataError(f"reference results {path} lack column(s) {', '.join(need)}")
    for col in ("std", "margin", "confidence"):
        if col not in df.columns:
            df[col] = math.nan
    rows = []
    for i, rec in enumerate(df.to_dict("records"), start=2):
        where = f"{path}, line {i}"
        try:
            mean, n = float(rec["mean"]), float(rec["n"])
            std, margin, conf = (float(rec[c]) for c in ("std", "margin", "confidence"))
        except (TypeError, ValueError):
            raise DataError(f"{where}: mean, std, margin, confidence and n must be numbers") from None
        if rec["policy"] not in POLICY_SECTIONS:
            raise DataError(f"{where}: policy {rec['policy']!r} is not one of {', '.join(POLICY_SECTIONS)}")
        if rec["unit"] not in UNITS:
            raise DataError(f"{where}: unit {rec['unit']!r} is not one of {', '.join(UNITS)}")
        if not (math.isfinite(mean) and math.isfinite(n) and n >= 1 and n == int(n)):
            raise DataError(f"{where}: mean must be finite and n a positive integer")
        if math.isfinite(std):
            if std < 0:
                raise DataError(f"{where}: std must not be negative")
            std_from = "std"
        elif math.isfinite(margin):
            if not 0 < conf < 1:
                raise DataError(f"{where}: a margin needs a confidence in (0, 1), e.g. 0.95")
            std, std_from = std_from_margin(margin, int(n), conf), f"margin@{conf:g}"
        else:
            raise DataError(f"{where}: give std, or margin with confidence")
        rows.append({**rec, "mean": mean, "n": int(n), "std": std, "std_from": std_from})
    return pd.DataFrame(rows)


def _ours(
    runs: Sequence[RunRecord], algo: str, split: str, section: str, metric: str, ddof: int
) -> dict[str, tuple[float, float, int]]:
    stats = [
        s for s in (r.stats(section, metric) for r in runs if r.algo == algo and r.split == split) if s is not None
    ]
    return {
        "seeds": sample_stats([s[0] for s in stats]),
        "sessions": pooled_stats([s[0] for s in stats], [s[1] for s in stats], [s[2] for s in stats], ddof),
    }


def _flag(p: float, alpha: float) -> bool | None:
    return None if math.isnan(p) else bool(p < alpha)


def compare_to_reference(
    runs: Sequence[RunRecord],
    reference: pd.DataFrame,
    algo_map: Mapping[str, Sequence[str]] | None = None,
    alpha: float = 0.05,
    session_std_ddof: int = 0,
) -> pd.DataFrame:
    """One row per (our algo, reference row, level) for which we have runs on that split.

    Columns: ``algo, reference_algo, split, policy, metric, level, ours_mean, ours_std, ours_n,
    ours_unit, ref_mean, ref_std, ref_n, ref_unit, ref_std_from, diff, t, df, p_value, significant,
    alpha, note``. ``diff = ours_mean − ref_mean``.
    """
    algo_map = DEFAULT_ALGO_MAP if algo_map is None else algo_map
    ours_algos = sorted({r.algo for r in runs})
    rows: list[dict[str, Any]] = []
    small: list[str] = []
    unmapped = sorted(set(reference["algo"]) - set(algo_map)) if len(reference) else []
    if unmapped:
        logger.warning("reference algo(s) %s not in the algo map; not compared", ", ".join(unmapped))
    for ref in reference.to_dict("records"):
        targets = algo_map.get(ref["algo"], [])
        targets = (
            ours_algos
            if "*" in targets
            else [  # config variants "gail[k=v]" count as their algo
                a for a in ours_algos if a in targets or a.split("[", 1)[0] in targets
            ]
        )
        section = POLICY_SECTIONS[ref["policy"]]
        for algo in targets:
            ours = _ours(runs, algo, ref["split"], section, ref["metric"], session_std_ddof)
            if ours["seeds"][2] == 0:
                continue
            for level, (mean, std, n) in ours.items():
                tested = level == "seeds"
                test = welch_test(mean, std, n, ref["mean"], ref["std"], ref["n"]) if tested else NAN_WELCH
                notes = [] if tested else [SESSIONS_NOT_TESTED]
                if tested and (n < 2 or ref["n"] < 2):
                    notes.append("n<2: no test")
                    small.append(f"{algo}/{ref['split']}/{ref['policy']}/{ref['metric']}/{level}")
                elif tested and math.isnan(test.p_value):
                    notes.append("zero variance on both sides: no test")
                if level != ref["unit"]:
                    notes.append(f"units differ: ours over {level}, reference over {ref['unit']}")
                rows.append(
                    {
                        "algo": algo,
                        "reference_algo": ref["algo"],
                        "split": ref["split"],
                        "policy": ref["policy"],
                        "metric": ref["metric"],
                        "level": level,
                        "ours_mean": mean,
                        "ours_std": std,
                        "ours_n": n,
                        "ours_unit": level,
                        "ref_mean": ref["mean"],
                        "ref_std": ref["std"],
                        "ref_n": ref["n"],
                        "ref_unit": ref["unit"],
                        "ref_std_from": ref["std_from"],
                        "diff": mean - ref["mean"],
                        "t": test.t,
                        "df": test.df,
                        "p_value": test.p_value,
                        "significant": _flag(test.p_value, alpha),
                        "alpha": alpha,
                        "note": "; ".join(notes),
                        "test_unit": "seeds" if tested else "none",
                    }
                )
    if small:
        logger.warning(
            "fewer than 2 samples, p-value NaN for %d comparison(s): %s%s",
            len(small),
            ", ".join(small[:5]),
            " ..." if len(small) > 5 else "",
        )
    _add_holm(rows, alpha, lambda row: "all seed-level tests")
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def _add_holm(rows: list[dict[str, Any]], alpha: float, family: Callable[[dict[str, Any]], str]) -> None:
    """Add ``p_holm``, ``significant_holm`` and ``holm_family`` ("<name> (m=<tests>)") to ``rows``.

    ``family(row)`` names the family a row's test belongs to; Holm–Bonferroni adjusts within each family.
    """
    families: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        families.setdefault(family(row), []).append(row)
    for name, members in families.items():
        adjusted = holm_bonferroni([r["p_value"] for r in members])
        m = sum(not math.isnan(p) for p in adjusted)
        for row, p in zip(members, adjusted):
            row.update(p_holm=p, significant_holm=_flag(p, alpha), holm_family=f"{name} (m={m})")


def pairwise_comparisons(
    runs: Sequence[RunRecord],
    alpha: float = 0.05,
    bootstrap_reps: int = 2000,
    bootstrap_seed: int = 0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Every pair of algorithms on the same split, per policy and metric, across seeds.

    Columns: ``split, policy, metric, algo_x, algo_y, mean_x, std_x, n_x, mean_y, std_y, n_y, diff,
    t, df, p_value, significant, prob_improvement`` (= P(X > Y) over seed pairs, ties count half)
    ``, pi_low, pi_high`` (percentile bootstrap interval at ``confidence``, seeded).
    """
    by_split: dict[str, list[str]] = {}
    for r in runs:
        by_split.setdefault(r.split, [])
        if r.algo not in by_split[r.split]:
            by_split[r.split].append(r.algo)
    rows: list[dict[str, Any]] = []
    small = 0
    for policy, section in POLICY_SECTIONS.items():
        for metric in metrics_of(runs, section):
            for split, algos in sorted(by_split.items()):
                values = {
                    a: [
                        s[0]
                        for s in (r.stats(section, metric) for r in runs if r.algo == a and r.split == split)
                        if s is not None
                    ]
                    for a in algos
                }
                for ax, ay in itertools.combinations(sorted(a for a in algos if values[a]), 2):
                    (mx, sx, nx), (my, sy, ny) = sample_stats(values[ax]), sample_stats(values[ay])
                    test = welch_test(mx, sx, nx, my, sy, ny)
                    small += nx < 2 or ny < 2
                    pi, lo, hi = bootstrap_probability_of_improvement(
                        values[ax], values[ay], reps=bootstrap_reps, confidence=confidence, seed=bootstrap_seed
                    )
                    rows.append(
                        {
                            "split": split,
                            "policy": policy,
                            "metric": metric,
                            "algo_x": ax,
                            "algo_y": ay,
                            "mean_x": mx,
                            "std_x": sx,
                            "n_x": nx,
                            "mean_y": my,
                            "std_y": sy,
                            "n_y": ny,
                            "diff": mx - my,
                            "t": test.t,
                            "df": test.df,
                            "p_value": test.p_value,
                            "significant": _flag(test.p_value, alpha),
                            "prob_improvement": pi,
                            "pi_low": lo,
                            "pi_high": hi,
                            "unit": "seeds",
                            "test_unit": "seeds",
                        }
                    )
    if small:
        logger.warning("fewer than 2 seeds, p-value NaN for %d pairwise comparison(s)", small)
    _add_holm(rows, alpha, lambda row: f"{row['policy']}/{row['metric']}")
    return pd.DataFrame(rows, columns=PAIRWISE_COLUMNS)
