"""Environment throughput at scale: no-STOP random actions on tables of 10⁴, 10⁵, 10⁶ rows.

Each size runs in its own process (so its peak RSS is its own): the table is a benchmark dataset
resampled to that many rows with jittered numeric values (``scaled_tables.py``: generated at run time,
seeded, never written), encoded into a **cold** display engine, then the environment plays ``--steps``
random valid actions with STOP resampled (12-action episodes; the loop of ``env_throughput.py``).

Per size it reports ``steps_per_cpu_s`` (steps per second of the process's CPU time: robust to other
processes on a shared machine), ``steps_per_s`` (wall clock), ``encode_s`` (CPU seconds to encode the
table into the engine), ``build_s`` (CPU seconds to generate the table, not part of the engine) and
``peak_rss_mb`` (the process's peak resident memory, table generation included). One JSON line per size,
then a summary line. ``--breakdown`` adds where the CPU time goes: each step's CPU time by the rows of the
view it ends on (< 10⁴, 10⁴–10⁵, ≥ 10⁵) and whether its display was new or memoised.

Usage: ``python benchmarks/env_scale.py [--sizes 10000,100000,1000000] [--steps 2000] [--seed 0]
[--dataset 4] [--breakdown]``
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

from env_throughput import _sampler, run
from scaled_tables import install_engine, resampled_frame, row_counts

from ilaeda.eda.engine import DisplayEngine
from ilaeda.envs import EDAEnv

SCHEMA = "cyber"


def breakdown(env: EDAEnv, engine: DisplayEngine, steps: int, seed: int) -> dict[str, dict[str, float]]:
    """Play ``steps`` no-STOP steps; CPU seconds and steps per class of step (view size, new display or not)."""
    env.action_space.seed(seed)
    sample = _sampler(env, no_stop=True)
    env.reset(seed=seed)
    classes: dict[str, dict[str, float]] = {}
    for _ in range(steps):
        action, known = sample(), len(engine._displays)
        cpu = time.process_time()
        _, _, _, truncated, _ = env.step(action)
        cpu = time.process_time() - cpu
        n = len(engine.view_rows(env.stack.current))
        size = "<1e4" if n < 10_000 else "1e4-1e5" if n < 100_000 else ">=1e5"
        kind = "new" if len(engine._displays) > known else "memoised"
        grouped = "grouped" if env.stack.current.grouping else "ungrouped"
        entry = classes.setdefault(f"{size} {kind} {grouped}", {"steps": 0, "cpu_s": 0.0})
        entry["steps"] += 1
        entry["cpu_s"] += cpu
        if truncated:
            env.reset()
    return {k: {"steps": v["steps"], "cpu_s": round(v["cpu_s"], 3)} for k, v in sorted(classes.items())}


def measure(rows: int, steps: int, seed: int, dataset: int, by_class: bool = False) -> dict[str, object]:
    """One size, in this process."""
    cpu = time.process_time()
    frame = resampled_frame(rows, seed, SCHEMA, dataset)
    build_s = time.process_time() - cpu
    cpu = time.process_time()
    engine = install_engine(frame, SCHEMA, dataset)
    encode_s = time.process_time() - cpu
    del frame
    env = EDAEnv(SCHEMA, (dataset,), horizon=12)
    out: dict[str, object] = {"rows": rows, "steps": steps}
    if by_class:
        classes = breakdown(env, engine, steps, seed)
        cpu_s = sum(c["cpu_s"] for c in classes.values())
        out.update(steps_per_cpu_s=round(steps / cpu_s, 1), breakdown=classes)
    else:
        result = run(env, steps, seed, no_stop=True)
        cpu_s = result["cpu_s"]
        out.update(steps_per_cpu_s=round(steps / cpu_s, 1), steps_per_s=round(result["steps_per_s"], 1))
    return {
        **out,
        "cpu_s": round(cpu_s, 2),
        "encode_s": round(encode_s, 2),
        "build_s": round(build_s, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=row_counts, default=[10_000, 100_000, 1_000_000], help="row counts")
    parser.add_argument("--steps", type=_positive, default=2000, help="no-STOP steps per size")
    parser.add_argument("--seed", type=int, default=0, help="seeds the table and the actions")
    parser.add_argument("--dataset", type=_positive, default=4, help="the cyber dataset resampled")
    parser.add_argument("--breakdown", action="store_true", help="CPU time by view size and new/memoised display")
    parser.add_argument("--child", type=_positive, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.steps, args.seed, args.dataset, args.breakdown)))
        return
    results = []
    for rows in args.sizes:
        command = [sys.executable, __file__, "--child", str(rows), "--steps", str(args.steps)]
        command += ["--seed", str(args.seed), "--dataset", str(args.dataset)] + ["--breakdown"] * args.breakdown
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
        if done.returncode:
            sys.exit(f"error: the measurement at {rows} rows failed (exit status {done.returncode}); see above")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1]), flush=True)
    summary = {str(r["rows"]): {k: r[k] for k in ("steps_per_cpu_s", "encode_s", "peak_rss_mb")} for r in results}
    print(
        json.dumps({"summary": summary, "steps": args.steps, "seed": args.seed, "dataset": f"{SCHEMA}/{args.dataset}"})
    )


if __name__ == "__main__":
    main()
