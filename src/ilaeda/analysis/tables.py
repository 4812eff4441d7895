"""Tables of runs: one row per run (columns by verbosity) and per-(algo, split) aggregates across seeds.

Numeric columns are named ``<section>.<metric>.<stat>``: ``benchmark.precision.mean`` is the mean
Precision over the evaluation sessions of one run's stochastic policy, ``.std`` their std and ``.n``
their number; ``benchmark_deterministic.*`` the same for the deterministic policy. A pretty
``<section>.<metric>.summary`` ("0.2988 ± 0.0894 (n=60)") may sit beside them, for reading only.

Verbosity (``table_verbosity``) of the run table:

* 0: algo, split, eval_dataset, seed, the run's identity and provenance (``config_hash``: the first 12 hex
  digits of :func:`ilaeda.provenance.config_hash`; ``config_diff``: the config values that make the run a
  variant of its algorithm, when there are variants; ``code_version``: ``commit[+dirty]``) and the
  stochastic benchmark means;
* 1: plus run_name, status, the stochastic std and n, and wall time;
* 2: plus command, config file, run dir, start time, host, the deterministic benchmark, interestingness
  (both policies), learned reward and timing, and the pretty summaries;
* 3: plus every config entry (``config.<dotted key>``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ilaeda.analysis.runs import POLICY_SECTIONS, RunRecord, metrics_of
from ilaeda.analysis.stats import pooled_stats, sample_stats, t_halfwidth
from ilaeda.errors import DataError

SECTIONS = tuple(POLICY_SECTIONS.values())
OTHER_SECTIONS = ("interestingness", "interestingness_deterministic", "learned_reward", "timing")


def _flatten(prefix: str, value: object, out: dict[str, Any]) -> None:
    """Numeric (and string) leaves of nested dicts as ``prefix.key.subkey`` entries."""
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}", v, out)
    elif isinstance(value, bool) or value is None or isinstance(value, (int, float, str)):
        out[prefix] = value


def _eval_dataset(value: object) -> object:
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return value


def _diff_text(run: RunRecord) -> str:
    """``key=value; key=value`` of the config values that set a variant apart ("" for none)."""
    return "; ".join(f"{k}={json.dumps(v, default=str)}" for k, v in run.config_diff.items())


def summary(mean: float, std: float, n: float) -> str:
    """``"0.2988 ± 0.0894 (n=60)"``: for reading only, never parsed back."""
    return f"{mean:.4g} ± {std:.4g} (n={int(n)})"


def runs_table(runs: Sequence[RunRecord], verbosity: int = 2) -> pd.DataFrame:
    """One row per run; columns depend on ``verbosity`` (0..3, see the module docstring)."""
    if verbosity not in (0, 1, 2, 3):
        raise ValueError(f"table_verbosity must be 0, 1, 2 or 3, got {verbosity!r}")
    sections = SECTIONS if verbosity >= 2 else SECTIONS[:1]
    metrics = {sec: metrics_of(runs, sec) for sec in sections}
    variants = any(r.config_diff for r in runs)
    rows = []
    for r in runs:
        row: dict[str, Any] = {}
        if verbosity >= 1:
            row.update(run_name=r.run_name, status=r.status)
        row.update(algo=r.algo, split=r.split, eval_dataset=_eval_dataset(r.eval_dataset), seed=r.seed)
        row.update(config_hash=r.config_hash[:12], code_version=r.code_version)
        if variants:
            row["config_diff"] = _diff_text(r)
        if verbosity >= 2:
            row.update(
                command=r.command,
                config_file=r.config_file,
                run_dir=str(r.path),
                start_time=r.run.get("start_time"),
                host=(r.run.get("host") or {}).get("hostname"),
            )
        for sec in sections:
            for m in metrics[sec]:
                s = r.stats(sec, m)
                mean, std, n = s if s is not None else (math.nan, math.nan, math.nan)
                row[f"{sec}.{m}.mean"] = mean
                if verbosity >= 1:
                    row[f"{sec}.{m}.std"] = std
                    row[f"{sec}.{m}.n"] = n
                if verbosity >= 2:
                    row[f"{sec}.{m}.summary"] = summary(mean, std, n) if s is not None else ""
        if verbosity == 1:
            row["timing.wall_s"] = r.wall_s()
        if verbosity >= 2:
            for sec in OTHER_SECTIONS:
                if isinstance(r.result.get(sec), dict):
                    _flatten(sec, r.result[sec], row)
        if verbosity >= 3:
            _flatten("config", r.config, row)
        rows.append(row)
    return pd.DataFrame(rows)


def aggregate_table(runs: Sequence[RunRecord], session_std_ddof: int = 0) -> pd.DataFrame:
    """One row per (algo, split): each metric across seeds, plus the sessions of all seeds pooled.

    Per ``<section>.<metric>``: ``mean``, ``std`` (ddof=1) and ``n_seeds`` of the per-run means,
    ``ci95`` (t half-width over seeds; NaN below two seeds), and ``pooled_mean``, ``pooled_std``,
    ``pooled_n`` over every evaluation session of those runs (``session_std_ddof``: how the runs'
    session stds were computed). Also the mean wall time per run, the runs' ``config_hash`` (one per row:
    configs that differ are variants with their own ``algo`` label), the differing values (``config_diff``)
    and the ``code_versions`` the runs come from.
    """
    groups: dict[tuple[str, str], list[RunRecord]] = {}
    for r in runs:
        groups.setdefault((r.algo, r.split), []).append(r)
    metrics = {sec: metrics_of(runs, sec) for sec in SECTIONS}
    rows = []
    for (algo, split), members in sorted(groups.items()):
        datasets = sorted({str(_eval_dataset(r.eval_dataset)) for r in members})
        row: dict[str, Any] = {
            "algo": algo,
            "split": split,
            "eval_dataset": ",".join(datasets),
            "n_runs": len(members),
            "seeds": ",".join(str(r.seed) for r in members),
            "config_hash": ",".join(sorted({r.config_hash[:12] for r in members})),
            "config_diff": " | ".join(sorted({_diff_text(r) for r in members} - {""})),
            "code_versions": ",".join(sorted({r.code_version for r in members})),
        }
        for sec in SECTIONS:
            for m in metrics[sec]:
                stats = [s for s in (r.stats(sec, m) for r in members) if s is not None]
                mean, std, n = sample_stats([s[0] for s in stats])
                pm, ps, pn = pooled_stats(
                    [s[0] for s in stats], [s[1] for s in stats], [s[2] for s in stats], ddof=session_std_ddof
                )
                row.update(
                    {
                        f"{sec}.{m}.mean": mean,
                        f"{sec}.{m}.std": std,
                        f"{sec}.{m}.n_seeds": n,
                        f"{sec}.{m}.ci95": t_halfwidth(std, n),
                        f"{sec}.{m}.pooled_mean": pm,
                        f"{sec}.{m}.pooled_std": ps,
                        f"{sec}.{m}.pooled_n": pn,
                    }
                )
        walls = [r.wall_s() for r in members]
        row["timing.wall_s.mean"] = sample_stats(walls)[0]
        rows.append(row)
    return pd.DataFrame(rows)


def read_table(path: Path, what: str) -> pd.DataFrame:
    """A CSV file the user named (``what`` names it in the message); DataError when it cannot be read."""
    try:
        return pd.read_csv(path)
    except (OSError, ValueError) as e:
        raise DataError(f"cannot read {what} {path}: {e}") from None
