"""The episode-end study: choose the default on inner validation splits, then run the held-out grid.

Phase ``select`` trains BC→GAIL (+ coherence penalty) with each episode-end variant on the inner
validation splits ``cyber_loo<k>_val<j>`` (train on two of the split's training datasets, evaluate on
the third: the held-out dataset ``k`` is never touched) and picks the variant with the best mean of
T-BLEU-1/2/3 and EDA-Sim (stochastic policy) among those whose sessions have ≥ ``--min_length``
actions. Phase ``grid`` trains that variant on the four leave-one-out splits (``bcgail``, then the
λ = 0 ablation, ``gail``, ``bc``, ``dagger``, ``airl``, in that order of priority) for the given seeds,
and stops starting new runs at ``--deadline`` seconds. Standard library and ``ilaeda.contract`` only; every run is a real
Sacred command line, recorded under ``<out>/sacred/<phase>-<variant>-<algo>-<split>-s<seed>``, so
``ilaeda.scripts.analyze`` reads them (``run_name=grid-<variant>-<label>``, ``select-<variant>-bcgail``).

    python experiments/episode_end_study.py --out output/study --jobs "$(nproc)" --seeds 0,1,2,3,4
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from ilaeda.contract import POLICY_SECTIONS, SCRIPT_COMMANDS
from ilaeda.runrecords import completed_runs

#: Episode-end variants (Sacred config updates). All but ``absorbing_sessions`` train on the analysts' sessions
#: plus the gold references of the training datasets (the prior system's setting).
VARIANTS: dict[str, list[str]] = {
    "absorbing": [
        "environment.episode_end=absorbing",
        "environment.observe_step=True",
        "demonstrations.include_references=True",
    ],
    "absorbing_sessions": ["environment.episode_end=absorbing", "environment.observe_step=True"],
    "terminate": [
        "environment.episode_end=terminate",
        "demonstrations.include_references=True",
        "demonstrations.absorbing=drop",
    ],
    "terminate_masked": [
        "environment.episode_end=terminate",
        "environment.mask_back_at_root=True",
        "demonstrations.include_references=True",
        "demonstrations.absorbing=drop",
    ],
    "no_stop": [
        "environment.episode_end=no_stop",
        "environment.observe_step=True",
        "demonstrations.chain_sessions=True",
        "demonstrations.include_references=True",
    ],
}
#: Inner validation splits: one per leave-one-out split, validation dataset = the next training dataset.
INNER_SPLITS = ("cyber_loo1_val2", "cyber_loo2_val3", "cyber_loo3_val4", "cyber_loo4_val1")
HELD_OUT_SPLITS = ("cyber_loo1", "cyber_loo2", "cyber_loo3", "cyber_loo4")
SCORE_METRICS = ("t_bleu_1", "t_bleu_2", "t_bleu_3", "eda_sim")
#: Grid entries in priority order: (label, config algorithm, extra updates).
GRID = (
    ("bcgail", "bcgail", []),
    ("bcgail-nopenalty", "bcgail", ["reward.penalty_coef=0.0"]),
    ("gail", "gail", []),
    ("bc", "bc", []),
    ("dagger", "dagger", []),
    ("airl", "airl", []),
)
#: Driver status of a run (exit codes of the runs themselves are shown as they are).
STATUS = {0: "ok", -1: "skipped (deadline)", -2: "already completed"}
QUIET = ["policy_evaluation.render=False", "policy_evaluation.progress=False"]


def command(
    out: Path,
    phase: str,
    variant: str,
    label: str,
    algo: str,
    split: str,
    seed: int,
    updates: Sequence[str],
    extra: Sequence[str] = (),
) -> tuple[str, list[str]]:
    """(run id, argv) of one training run."""
    held = split.split("_val")[0]
    run_id = f"{phase}-{variant}-{label}-{split}-s{seed}"
    script, sacred_command = SCRIPT_COMMANDS[algo]
    argv = [
        sys.executable,
        "-m",
        f"ilaeda.scripts.{script}",
        sacred_command,
        f"--name={phase}-{variant}-{label}",
        f"--file_storage={out / 'sacred' / run_id}",
        "with",
        f"benchmarking/{algo}_{held}.json",
        f"seed={seed}",
        f"environment.split={split}",
        f"logging.log_root={out / 'logs'}",
        *QUIET,
        *VARIANTS[variant],
        *updates,
        *extra,
    ]
    return run_id, argv


def run_all(jobs: list[tuple[str, list[str]]], workers: int, out: Path, deadline: float) -> dict[str, int]:
    """Run the jobs (at most ``workers`` at once, none started after ``deadline``); exit code per run id.

    A run whose Sacred record says COMPLETED is not run again (-2), so an interrupted study resumes.
    """
    (out / "logs").mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    codes: dict[str, int] = {}

    def one(job: tuple[str, list[str]]) -> tuple[str, int]:
        run_id, argv = job
        if load_result(out, run_id) is not None:
            return run_id, -2
        if time.monotonic() > deadline:
            return run_id, -1
        with open(out / "logs" / f"{run_id}.log", "w") as log:
            log.write(shlex.join(argv) + "\n")
            log.flush()
            return run_id, subprocess.call(argv, stdout=log, stderr=subprocess.STDOUT, env=env)

    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        for run_id, code in pool.map(one, jobs):
            codes[run_id] = code
            print(f"{run_id}: {STATUS.get(code, f'exit {code}')}", flush=True)
    return codes


def load_result(out: Path, run_id: str) -> dict | None:
    """The result of a COMPLETED run, or None."""
    return next((result for _, _, result in completed_runs([out / "sacred" / run_id])), None)


def summarise(results: Sequence[dict]) -> dict[str, float]:
    """Mean over runs of each metric, length and BACKs at the root (stochastic policy)."""
    keys = ("length", "back_at_root", *SCORE_METRICS)
    out = {k: statistics.fmean(r[POLICY_SECTIONS["stochastic"]][k]["mean"] for r in results) for k in keys}
    out["score"] = statistics.fmean(out[k] for k in SCORE_METRICS)
    out["n_runs"] = len(results)
    return out


def select(
    out: Path, seeds: Sequence[int], min_length: float, variants: Sequence[str] = tuple(VARIANTS)
) -> tuple[str, dict[str, dict[str, float]]]:
    """The chosen variant and each variant's validation summary."""
    table = {}
    for variant in variants:
        results = [
            r
            for split in INNER_SPLITS
            for seed in seeds
            if (r := load_result(out, f"select-{variant}-bcgail-{split}-s{seed}")) is not None
        ]
        if results:
            table[variant] = summarise(results)
    eligible = {v: s for v, s in table.items() if s["length"] >= min_length} or table
    if not eligible:
        raise SystemExit("no validation run completed; see the logs under " + str(out / "logs"))
    return max(eligible, key=lambda v: eligible[v]["score"]), table


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default="output/study", help="output directory (default output/study)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="runs at once (default: all cores)")
    p.add_argument("--seeds", default="0,1,2,3,4", help="grid seeds (default 0,1,2,3,4)")
    p.add_argument("--select_seeds", default="0", help="seeds of the validation runs (default 0)")
    p.add_argument("--min_length", type=float, default=10.0, help="minimum mean session length to be chosen")
    p.add_argument("--deadline", type=float, default=float("inf"), help="start no run after this many seconds")
    p.add_argument(
        "--select_variants", default=",".join(VARIANTS), help="comma-separated variants to validate (default: all)"
    )
    p.add_argument("--variant", default=None, help="skip the selection and use this variant")
    p.add_argument("--only", default=None, help="comma-separated grid labels to run (default: all, in order)")
    p.add_argument("--extra", nargs="*", default=[], help="more Sacred config updates for every run (smoke tests)")
    args = p.parse_args(argv)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    deadline = start + args.deadline
    seeds = [int(s) for s in args.seeds.split(",")]
    select_seeds = [int(s) for s in args.select_seeds.split(",")]
    if args.variant is None:
        candidates = args.select_variants.split(",")
        if unknown := sorted(set(candidates) - set(VARIANTS)):
            p.error(f"--select_variants: unknown {', '.join(unknown)}; use {', '.join(VARIANTS)}")
        jobs = [
            command(out, "select", v, "bcgail", "bcgail", split, seed, [], args.extra)
            for seed in select_seeds
            for split in INNER_SPLITS
            for v in candidates
        ]
        run_all(jobs, args.jobs, out, deadline)
        variant, table = select(out, select_seeds, args.min_length, candidates)
        (out / "selection.json").write_text(json.dumps({"chosen": variant, "validation": table}, indent=1))
    else:
        if args.variant not in VARIANTS:
            p.error(f"--variant must be one of {', '.join(VARIANTS)}")
        variant, table = args.variant, {}
    print(json.dumps({"phase": "select", "chosen": variant, "validation": table}), flush=True)
    labels = None if args.only is None else set(args.only.split(","))
    jobs = [
        command(out, "grid", variant, label, algo, split, seed, updates, args.extra)
        for label, algo, updates in GRID
        if labels is None or label in labels
        for seed in seeds
        for split in HELD_OUT_SPLITS
    ]
    codes = run_all(jobs, args.jobs, out, deadline)
    print(
        json.dumps(
            {
                "phase": "grid",
                "variant": variant,
                "completed": sum(c == 0 for c in codes.values()),
                "failed": sum(c > 0 for c in codes.values()),
                "skipped": sum(c == -1 for c in codes.values()),
                "already_completed": sum(c == -2 for c in codes.values()),
                "wall_s": round(time.monotonic() - start, 1),
            }
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
