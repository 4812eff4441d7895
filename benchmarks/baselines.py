"""Baselines of the ATENA benchmark per cyber dataset, written to ``docs/baselines.md``.

* ``random``: a uniformly random agent in ``EDAEnv`` (100 seeded episodes of 12 steps; every
  component of the ``MultiDiscrete`` action drawn uniformly, so STOP comes with probability 1/4 per
  step and sessions are short);
* ``random-no-stop``: the same with STOP resampled (always 12 actions): the fair floor of an agent that plays
  12 actions (``make run``'s bar);
* ``expert (leave-one-out)``: each gold reference scored against the other references of its
  dataset (an expert ceiling; n = 7).

Every session is scored alone; the tables give mean ± sample std over sessions (with the shares of
degenerate actions, ``ilaeda.benchmark.degenerate``), plus the corpus T-BLEU (counts summed over sessions).

    OMP_NUM_THREADS=1 ILAEDA_DATA_DIR=../shared/data python benchmarks/baselines.py [--output docs/baselines.md] \
        [--csv benchmarking/baselines.csv]

``--csv`` also writes the measured means as ``schema,dataset,agent,metric,mean,std,n`` rows: analyze reads
them to normalise scores (random agent = 0, experts = 1; ``ilaeda.analysis.robust``).
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from ilaeda.benchmark import MEASURES, METRICS, reference_set, score_instance, simulate
from ilaeda.benchmark.bleu import BleuStats
from ilaeda.benchmark.degenerate import DEGENERATE, DEGENERATE_LABELS, score_with_degenerate
from ilaeda.benchmark.interestingness import MEASURE_LABELS
from ilaeda.contract import METRIC_LABELS
from ilaeda.data import load_references
from ilaeda.eda import DisplayEngine
from ilaeda.errors import IlaedaError
from ilaeda.report.headline import random_sessions

COLUMNS = ("length", "back_at_root", *DEGENERATE, *METRICS, *MEASURES)
HEADERS = {**METRIC_LABELS, **DEGENERATE_LABELS, **MEASURE_LABELS}
COMMAND = "OMP_NUM_THREADS=1 ILAEDA_DATA_DIR=../shared/data .venv/bin/python benchmarks/baselines.py --csv benchmarking/baselines.csv"


def expert_rows(schema: str, dataset: int) -> tuple[list[dict], dict]:
    """Each reference scored against the others; the corpus T-BLEU sums the instances' counts."""
    refs = load_references(schema, dataset)
    engine = DisplayEngine.for_dataset(schema, dataset)
    rows, stats = [], BleuStats(3)
    for i, ref in enumerate(refs):
        others = [r for j, r in enumerate(refs) if j != i]
        rows.extend(score_with_degenerate([ref], schema, dataset, references=others).sessions)
        stats.merge(score_instance(simulate(ref.actions, engine), reference_set(schema, dataset, others)).bleu)
    return rows, {f"t_bleu_{k}": stats.score(k) for k in (1, 2, 3)}


def summarise(rows: list[dict]) -> dict[str, tuple[float, float]]:
    """Mean and sample std per column."""
    out = {}
    for c in COLUMNS:
        values = np.array([r[c] for r in rows], dtype=np.float64)
        out[c] = (float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else 0.0)
    return out


def _cell(mean: float, std: float, column: str) -> str:
    digits = 1 if column in ("length", "back_at_root", "coherence_penalty") else 3  # shares too: 3 digits
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def run(schema: str, datasets: list[int], n: int, seed: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for dataset in datasets:
        per: dict[str, Any] = {}
        for name, stop in (("random", True), ("random-no-stop", False)):
            sessions = random_sessions(schema, dataset, n, seed, stop)
            result = score_with_degenerate(sessions, schema, dataset)
            per[name] = {"n": len(result.sessions), "summary": summarise(result.sessions), "corpus": result.corpus}
        rows, corpus = expert_rows(schema, dataset)
        per["expert (leave-one-out)"] = {"n": len(rows), "summary": summarise(rows), "corpus": corpus}
        results[str(dataset)] = per
    return results


def _commit() -> str:
    """The code's commit (``git describe --always --dirty``), or ``unknown`` outside a git checkout."""
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else "unknown"


def markdown(results: dict[str, Any], schema: str, n: int, seed: int, seconds: float) -> str:
    lines = [
        "# Benchmark baselines",
        "",
        f"Produced by `benchmarks/baselines.py` ({schema}, {n} random sessions per agent and dataset, "
        f"seed {seed}; {seconds:.0f} s; commit {_commit()}). Regenerate with:",
        "",
        "```",
        COMMAND,
        "```",
        "",
        "Agents:",
        "",
        "* **random**: a uniformly random agent in `EDAEnv` (12-step episodes; each component of the "
        "`MultiDiscrete` action drawn uniformly, filter terms from the env's frequency bins). STOP "
        "comes with probability 1/4 per step, so sessions are short: Precision is inflated and T-BLEU "
        "is crushed by the brevity penalty.",
        "* **random-no-stop**: the same with STOP resampled, so every session has 12 actions. This is the fair "
        "floor of an agent that plays 12 actions (as the grid's agents do): the first random agent's T-BLEU is "
        "low because its sessions are short, not because its actions are worse. `make run` shows both (as "
        "`random agent` and `random, 12 actions, no STOP`) beside its result, so do the session reports' "
        "headlines, and its bar is the second. analyze's normalised scores keep the first as 0.",
        "* **expert (leave-one-out)**: each gold reference scored against the *other* references of its "
        "dataset (n = 7): a ceiling for agents that analyse like the experts.",
        "",
        "Every session is scored alone against the dataset's references (gold set, or the other six for "
        "the expert row). Cells are mean ± sample std over sessions; `length` = actions before STOP, "
        "`back@root` = BACKs taken at the root; `group on key`, `empty view` and `repeated action` are "
        "the shares of a session's actions that group on the primary key, leave an empty view, or repeat an "
        "action on a view it was applied to before; these and the interestingness measures are defined in "
        "`docs/benchmark.md`. The last columns give the corpus T-BLEU (counts summed over the sessions, "
        "as NLTK's `corpus_bleu`).",
        "",
    ]
    for dataset, per in results.items():
        lines += [
            f"## {schema} dataset {dataset}",
            "",
            "| agent | n | " + " | ".join(HEADERS[c] for c in COLUMNS) + " | corpus T-BLEU-1/2/3 |",
            "|---|---:|" + "---:|" * len(COLUMNS) + "---:|",
        ]
        for agent, data in per.items():
            cells = [_cell(*data["summary"][c], c) for c in COLUMNS]
            corpus = data["corpus"]
            bleu = "/".join(f"{corpus[f't_bleu_{k}']:.3f}" for k in (1, 2, 3)) if corpus else "—"
            lines.append(f"| {agent} | {data['n']} | " + " | ".join(cells) + f" | {bleu} |")
        lines.append("")
    return "\n".join(lines)


def write_csv(results: dict[str, Any], schema: str, path: str | Path) -> None:
    """One row per (dataset, agent, column): ``schema,dataset,agent,metric,mean,std,n``."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["schema", "dataset", "agent", "metric", "mean", "std", "n"])
        for dataset, per in results.items():
            for agent, data in per.items():
                for column in COLUMNS:
                    mean, std = data["summary"][column]
                    writer.writerow([schema, dataset, agent, column, f"{mean:.6g}", f"{std:.6g}", data["n"]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schema", default="cyber")
    parser.add_argument("--datasets", default="1,2,3,4")
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", default=str(Path(__file__).resolve().parents[1] / "docs" / "baselines.md"))
    parser.add_argument("--json", metavar="FILE", help="also write the numbers as JSON")
    parser.add_argument("--csv", metavar="FILE", help="also write the means as CSV (benchmarking/baselines.csv)")
    args = parser.parse_args()
    start = time.perf_counter()
    datasets = [int(d) for d in args.datasets.split(",")]
    results = run(args.schema, datasets, args.sessions, args.seed)
    seconds = time.perf_counter() - start
    Path(args.output).write_text(markdown(results, args.schema, args.sessions, args.seed, seconds))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    if args.csv:
        write_csv(results, args.schema, args.csv)
    print(f"wrote {args.output} ({seconds:.1f} s)", file=sys.stderr)


if __name__ == "__main__":
    try:
        main()
    except IlaedaError as exc:
        sys.exit(f"error: {exc}")
