"""Ours against the released agents, mean over the held-out datasets, as a markdown table.

Reads analyze's per-run CSV (``benchmark.<metric>.{mean,std,n}`` per run, stochastic policy) and
``benchmarking/reference_results.csv``. For each metric:

* **sessions** level: every evaluation session of every (split, seed) run pooled (the pooled mean and
  variance come from each run's mean, std and n), against the released agents' sessions of the same
  splits pooled the same way (60 per split); Welch's t-test. Sessions of one run share a trained agent, so
  this level overstates the certainty about *training*; it is the unit of the reference numbers.
* **seeds** level: per seed, the mean over the splits of that seed's run means; one-sample t-test of
  those against the released agents' mean over the splits (one agent per split: no spread).

``length`` and ``back_at_root`` are shown beside the metrics. The reference file has neither; with
``--released_runs`` (the JSON lines that ``experiments/released_agents.py`` prints, one file per seed) they
are compared too, with the released agents' sessions of all given files pooled per split.

With ``--versus OTHER`` the comparison is ours against another algorithm label of the same CSV (e.g. the
λ = 0 ablation ``bcgail[reward.penalty_coef=0.0]``): sessions pooled as above (Welch), and the per-seed
means over splits of the two (Welch over seeds).

    python experiments/compare_released.py results/results.csv [--algo bcgail] [--policy stochastic]
        [--versus LABEL [--versus_source CSV_OR_FOLDER]] [--released_runs released_s0.txt released_s1.txt ...]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import statistics
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import IO, NoReturn

from ilaeda.analysis.stats import one_sample_p, pooled_stats, sample_p, welch_test
from ilaeda.contract import POLICY_SECTIONS, STAT_KEYS
from ilaeda.runrecords import RUN_FILE, completed_result, read_run, walk_run_dirs

METRICS = ("t_bleu_1", "t_bleu_2", "t_bleu_3", "eda_sim", "precision")
SHOWN = ("length", "back_at_root")


def refuse(message: str) -> NoReturn:
    """Bad input: one ``error:`` line on stderr, exit status 2."""
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


def _open(path: str | Path, what: str) -> IO[str]:
    try:
        return open(path, newline="", encoding="utf-8")
    except FileNotFoundError:
        refuse(f"{what} {path} not found")
    except IsADirectoryError:
        refuse(f"{what} {path} is a folder; give the file")
    except OSError as exc:
        refuse(f"cannot read {what} {path}: {exc.strerror or exc}")


def pooled(parts: Sequence[tuple[float, float, int]]) -> tuple[float, float, int]:
    """Mean, std (ddof 1) and n of the union of groups given as (mean, population std, n)."""
    return pooled_stats([p[0] for p in parts], [p[1] for p in parts], [p[2] for p in parts], ddof=0)


def released_shape(paths: Sequence[str], policy: str) -> dict[tuple[str, str], tuple[float, float, int]]:
    """``{(split, length|back_at_root): (mean, std, n)}`` pooled over the released-agent runs of ``policy``."""
    parts: dict[tuple[str, str], list[tuple[float, float, int]]] = defaultdict(list)
    for path in paths:
        with _open(path, "released-agents output") as handle:
            line = next((x for x in handle if x.startswith("{")), None)
        if line is None:
            refuse(f"{path} holds no JSON line of experiments/released_agents.py")
        record = json.loads(line)
        if record.get("policy") != policy:
            continue
        for split, result in record["splits"].items():
            for key in SHOWN:
                stat = result[key]  # population std, as pooled() takes it
                parts[(split, key)].append((float(stat["mean"]), float(stat["std"]), int(stat["n"])))
    out = {}
    for key, groups in parts.items():
        mean, std, n = pooled(groups)
        out[key] = (mean, std * math.sqrt((n - 1) / n), n)  # back to a population std, as the reference's
    return out


def read_runs(source: str) -> list[dict[str, str]]:
    """Per-run rows: analyze's per-run CSV, or a folder of Sacred records (training or eval_policy runs).

    From a folder, every COMPLETED ``run.json`` below it gives a row with ``algo``, ``split``, ``seed`` and
    ``<section>.<metric>.{mean,std,n}`` of its ``benchmark`` and ``benchmark_deterministic`` sections.
    """
    path = Path(source)
    if not path.exists():
        refuse(f"{source} does not exist; give analyze's per-run CSV (csv_output_path) or a folder of Sacred runs")
    if not path.is_dir():
        with _open(path, "results CSV") as handle:
            return list(csv.DictReader(handle))
    rows = []
    for run_dir in walk_run_dirs([path], follow_links=False):
        try:
            result = completed_result(read_run(run_dir))
        except (OSError, ValueError) as exc:
            print(f"warning: skipping {run_dir / RUN_FILE}: unreadable ({exc})", file=sys.stderr)
            continue
        if result is None or POLICY_SECTIONS["stochastic"] not in result:
            continue
        row = {
            "algo": str(result.get("algo")),
            "split": str(result.get("split") or result.get("policy_split")),
            "seed": str(result.get("seed")),
        }
        for section in POLICY_SECTIONS.values():
            for metric, stat in (result.get(section) or {}).items():
                for key in STAT_KEYS:
                    row[f"{section}.{metric}.{key}"] = str(stat[key])
        rows.append(row)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "results_csv", help="analyze's per-run CSV (csv_output_path), or a folder of Sacred runs (e.g. eval_policy's)"
    )
    p.add_argument("--reference", default="benchmarking/reference_results.csv")
    p.add_argument("--algo", default="bcgail")
    p.add_argument("--policy", default="stochastic", choices=("stochastic", "deterministic"))
    p.add_argument("--versus", default=None, help="compare with this algorithm label of the CSV instead")
    p.add_argument("--versus_source", default=None, help="read the --versus runs from this CSV or folder instead")
    p.add_argument(
        "--released_runs", nargs="*", default=[], help="outputs of experiments/released_agents.py (length, BACK@root)"
    )
    args = p.parse_args(argv)
    if args.versus is not None:
        return versus(args.results_csv, args.algo, args.versus, args.policy, args.versus_source)
    prefix = POLICY_SECTIONS[args.policy]
    rows = [r for r in read_runs(args.results_csv) if r.get("algo") == args.algo]
    if not rows:
        refuse(f"no run of algo {args.algo!r} in {args.results_csv}")
    ref: dict[tuple[str, str], tuple[float, float, int]] = {}
    with _open(args.reference, "reference CSV") as handle:
        for r in csv.DictReader(handle):
            if r["policy"] == args.policy:
                ref[(r["split"], r["metric"])] = (float(r["mean"]), float(r["std"]), int(r["n"]))
    ref.update(released_shape(args.released_runs, args.policy))
    splits = sorted({r["split"] for r in rows})
    seeds = sorted({r["seed"] for r in rows})
    print(f"{args.algo}, {args.policy} policy: {len(rows)} runs, splits {', '.join(splits)}, {len(seeds)} seeds\n")
    print(
        "| metric | ours (sessions) | released (sessions) | diff | Welch p (sessions) | ours (seed means) | p (seeds) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for metric in (*SHOWN, *METRICS):
        ours = pooled(_per_run(rows, prefix, metric))
        seed_means = _seed_means(rows, prefix, metric, len(splits))
        seed_cell = (
            f"{statistics.fmean(seed_means):.3f} ± {statistics.stdev(seed_means):.3f}" if len(seed_means) > 1 else "-"
        )
        if metric in SHOWN and not all((s, metric) in ref for s in splits):
            print(f"| {metric} | {ours[0]:.3f} ± {ours[1]:.3f} (n={ours[2]}) | - | - | - | {seed_cell} | - |")
            continue
        theirs = pooled([ref[(s, metric)] for s in splits])
        welch = welch_test(*ours, *theirs)
        p_seed = one_sample_p(seed_means, theirs[0])
        print(
            f"| {metric} | {ours[0]:.3f} ± {ours[1]:.3f} (n={ours[2]}) | {theirs[0]:.3f} ± {theirs[1]:.3f} "
            f"(n={theirs[2]}) | {ours[0] - theirs[0]:+.3f} | {welch.p_value:.2g} | {seed_cell} | {p_seed:.2g} |"
        )
    return 0


def _per_run(rows: list[dict[str, str]], prefix: str, metric: str) -> list[tuple[float, float, int]]:
    return [
        (float(r[f"{prefix}.{metric}.mean"]), float(r[f"{prefix}.{metric}.std"]), int(float(r[f"{prefix}.{metric}.n"])))
        for r in rows
    ]


def _seed_means(rows: list[dict[str, str]], prefix: str, metric: str, n_splits: int) -> list[float]:
    by_seed: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        by_seed[r["seed"]].append(float(r[f"{prefix}.{metric}.mean"]))
    return [statistics.fmean(v) for v in by_seed.values() if len(v) == n_splits]


def versus(results_csv: str, algo: str, other: str, policy: str, other_source: str | None = None) -> int:
    """Print ``algo`` against ``other`` (two labels of one source, or ``other`` read from ``other_source``),
    pooled sessions and seed means.
    """
    prefix = POLICY_SECTIONS[policy]
    rows = read_runs(results_csv)
    other_rows = rows if other_source is None else read_runs(other_source)
    ours, theirs = [r for r in rows if r["algo"] == algo], [r for r in other_rows if r["algo"] == other]
    if not ours or not theirs:
        refuse(f"need runs of both {algo!r} and {other!r} in {results_csv}")
    splits = sorted({r["split"] for r in ours})
    print(f"{algo} ({len(ours)} runs) against {other} ({len(theirs)} runs), {policy} policy\n")
    print(
        f"| metric | {algo} (sessions) | {other} (sessions) | diff | Welch p (sessions) | {algo} (seed means) "
        f"| {other} (seed means) | Welch p (seeds) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for metric in (*SHOWN, *METRICS):
        a, b = pooled(_per_run(ours, prefix, metric)), pooled(_per_run(theirs, prefix, metric))
        welch = welch_test(*a, *b)
        sa, sb = _seed_means(ours, prefix, metric, len(splits)), _seed_means(theirs, prefix, metric, len(splits))
        p_seed = sample_p(sa, sb)

        def cell(values: list[float]) -> str:
            return f"{statistics.fmean(values):.3f} (n={len(values)})" if values else "-"

        print(
            f"| {metric} | {a[0]:.3f} ± {a[1]:.3f} | {b[0]:.3f} ± {b[1]:.3f} | {a[0] - b[0]:+.3f} | "
            f"{welch.p_value:.2g} | {cell(sa)} | {cell(sb)} | {p_seed:.2g} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
