"""Environment throughput: uniformly random actions, 12-step episodes, cyber datasets 1–4, one process.

Prints one JSON line::

    {"steps_per_s": ..., "per_dataset": {"cyber/1": ..., ...}, "reset_ms": ..., ...}

Each dataset starts with a cold display engine (nothing memoised), so the figure includes the
cost of computing new views. ``active_steps_per_s`` excludes the absorbing steps after a STOP.

Usage: ``python benchmarks/env_throughput.py [--steps 5000] [--seed 0]``
"""

from __future__ import annotations

import argparse
import json
import time

from ilaeda.eda.engine import DisplayEngine
from ilaeda.envs import EDAEnv


def measure(dataset: int, steps: int, seed: int) -> dict[str, float]:
    """Steps/s on one dataset from a cold engine."""
    DisplayEngine._instances.clear()
    env = EDAEnv("cyber", (dataset,), horizon=12)
    env.engine(dataset)  # load the table outside the timed loop
    env.action_space.seed(seed)
    reset_s, active = 0.0, 0
    start = time.perf_counter()
    t = time.perf_counter()
    env.reset(seed=seed)
    reset_s += time.perf_counter() - t
    resets = 1
    for _ in range(steps):
        _, _, _, truncated, info = env.step(env.action_space.sample())
        active += not info.get("absorbing", False)
        if truncated:
            t = time.perf_counter()
            env.reset()
            reset_s += time.perf_counter() - t
            resets += 1
    elapsed = time.perf_counter() - start
    return {"steps_per_s": steps / elapsed, "active_steps_per_s": active / (elapsed - reset_s),
            "elapsed_s": elapsed, "reset_ms": 1000 * reset_s / resets}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=5000, help="steps per dataset")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    results = {d: measure(d, args.steps, args.seed) for d in (1, 2, 3, 4)}
    total_time = sum(r["elapsed_s"] for r in results.values())
    print(json.dumps({
        "steps_per_s": round(4 * args.steps / total_time, 1),
        "per_dataset": {f"cyber/{d}": round(r["steps_per_s"], 1) for d, r in results.items()},
        "active_steps_per_s": {f"cyber/{d}": round(r["active_steps_per_s"], 1) for d, r in results.items()},
        "reset_ms": round(sum(r["reset_ms"] for r in results.values()) / 4, 3),
        "steps_per_dataset": args.steps,
    }))


if __name__ == "__main__":
    main()
