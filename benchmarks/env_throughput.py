"""Environment throughput: random actions, 12-step episodes, cyber datasets 1–4, one process.

Two workloads, each dataset from a **cold** display engine (nothing memoised; the table is loaded
before timing):

* **no STOP** (the headline, ``no_stop_steps_per_s``): random valid actions with STOP resampled, so
  every episode is 12 real actions, as an agent playing full sessions (and the prior system's
  14.5 steps/s) does;
* **with STOP** (``steps_per_s``): uniformly random actions; a quarter of them are STOP, after
  which the episode is absorbing (cheap steps). ``active_steps_per_s`` counts only the steps
  before STOP.

``*_cpu_*`` divides by the process's CPU time instead of the wall time: on a shared machine it
leaves out the time other processes hold the cores. ``warm_no_stop_*`` replays the same no-STOP episodes on the now warm engine (every display
memoised): the cost of the environment around the engine. ``--profile`` adds where a cold no-STOP
step's time goes (cProfile on CPU time, inclusive time per part as a share of the step loop; parts nest, e.g.
``term_candidates`` is inside ``codec_decode``), and ``--profile-top N`` prints the N functions with
the most own time to stderr.

Prints one JSON line::

    {"no_stop_steps_per_s": ..., "no_stop_per_dataset": {"cyber/1": ...}, "steps_per_s": ..., ...}

Usage: ``python benchmarks/env_throughput.py [--steps 5000] [--seed 0] [--profile] [--profile-top 25]``
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import sys
import time
from collections.abc import Callable

import numpy as np

from ilaeda.eda.engine import DisplayEngine
from ilaeda.envs import EDAEnv

DATASETS = (1, 2, 3, 4)
STOP = 3

#: Profile parts: name → functions (``file suffix:function``) whose inclusive time the part counts.
PARTS: dict[str, tuple[str, ...]] = {
    "action_sampling": ("multi_discrete.py:sample",),
    "codec_decode": ("codec.py:decode",),
    "term_candidates": ("engine.py:term_candidates",),
    "display": ("engine.py:_compute_display",),
    "view_mask": ("engine.py:view_mask", "engine.py:view_rows", "engine.py:_view"),
    "column_statistics": ("engine.py:_data_layer", "engine.py:_column_stats"),
    "grouping": ("engine.py:_granularity",),
    "display_vector": ("display.py:vector",),
    "coherence_penalty": ("coherence.py:coherence_penalty",),
    "observation": ("eda_env.py:_observation",),
    "session_render": ("sessions.py:render_session", "sessions.py:action_to_json"),
}


def _sampler(env: EDAEnv, no_stop: bool) -> Callable[[], np.ndarray]:
    def sample() -> np.ndarray:
        action = env.action_space.sample()
        while no_stop and action[0] == STOP:
            action = env.action_space.sample()
        return action

    return sample


def run(env: EDAEnv, steps: int, seed: int, no_stop: bool) -> dict[str, float]:
    """Play ``steps`` steps (seeded) on ``env``; steps/s with and without resets and absorbing steps."""
    env.action_space.seed(seed)
    sample = _sampler(env, no_stop)
    reset_s, active, resets = 0.0, 0, 1
    cpu = time.process_time()
    start = time.perf_counter()
    env.reset(seed=seed)
    reset_s += time.perf_counter() - start
    for _ in range(steps):
        _, _, _, truncated, info = env.step(sample())
        active += not info.get("absorbing", False)
        if truncated:
            t = time.perf_counter()
            env.reset()
            reset_s += time.perf_counter() - t
            resets += 1
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    return {
        "steps_per_s": steps / elapsed,
        "active_steps_per_s": active / (elapsed - reset_s),
        "elapsed_s": elapsed,
        "cpu_s": cpu,
        "reset_ms": 1000 * reset_s / resets,
    }


def cold_env(dataset: int) -> EDAEnv:
    """An env on one cyber dataset whose display engine starts empty (table already loaded)."""
    DisplayEngine._instances.clear()
    env = EDAEnv("cyber", (dataset,), horizon=12, episode_end="absorbing")  # steps past STOP are absorbing
    env.engine(dataset)
    return env


def profile(steps: int, seed: int, top: int) -> dict[str, float]:
    """Share of the cold no-STOP step loop (all datasets) spent inside each part of :data:`PARTS`."""
    profiler = cProfile.Profile(time.process_time)  # CPU time: other processes' load does not count
    for dataset in DATASETS:
        env = cold_env(dataset)
        profiler.runcall(run, env, steps, seed, True)
    stats = pstats.Stats(profiler, stream=sys.stderr)
    inclusive: dict[str, float] = {}
    total = 0.0
    for (filename, _, function), (_, _, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        key = f"{filename.rsplit('/', 1)[-1]}:{function}"
        inclusive[key] = inclusive.get(key, 0.0) + cumulative
        if key == "env_throughput.py:run":
            total += cumulative
    if top:
        stats.sort_stats("tottime").print_stats(top)
    shares = {
        part: round(sum(inclusive.get(f, 0.0) for f in functions) / total, 3) for part, functions in PARTS.items()
    }
    return {"profiled_s": round(total, 2), **shares}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=5000, help="steps per dataset and workload")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", action="store_true", help="add a cProfile breakdown of a cold no-STOP step")
    parser.add_argument("--profile-top", type=int, default=0, help="print the N functions with most own time")
    args = parser.parse_args()

    no_stop, warm, with_stop = {}, {}, {}
    for d in DATASETS:
        env = cold_env(d)
        no_stop[d] = run(env, args.steps, args.seed, no_stop=True)
        warm[d] = run(env, args.steps, args.seed, no_stop=True)  # same episodes, engine now warm
        with_stop[d] = run(cold_env(d), args.steps, args.seed, no_stop=False)

    def overall(results: dict[int, dict[str, float]], key: str = "elapsed_s") -> float:
        return round(len(DATASETS) * args.steps / sum(r[key] for r in results.values()), 1)

    def per_dataset(results: dict[int, dict[str, float]], key: str = "steps_per_s") -> dict[str, float]:
        return {f"cyber/{d}": round(r[key], 1) for d, r in results.items()}

    out: dict[str, object] = {
        "no_stop_steps_per_s": overall(no_stop),
        "no_stop_per_dataset": per_dataset(no_stop),
        "no_stop_cpu_steps_per_s": overall(no_stop, "cpu_s"),
        "no_stop_cpu_per_dataset": {f"cyber/{d}": round(args.steps / r["cpu_s"], 1) for d, r in no_stop.items()},
        "warm_no_stop_steps_per_s": overall(warm),
        "warm_no_stop_per_dataset": per_dataset(warm),
        "steps_per_s": overall(with_stop),
        "per_dataset": per_dataset(with_stop),
        "active_steps_per_s": per_dataset(with_stop, "active_steps_per_s"),
        "reset_ms": round(sum(r["reset_ms"] for r in no_stop.values()) / len(DATASETS), 3),
        "steps_per_dataset": args.steps,
    }
    if args.profile or args.profile_top:
        out["profile"] = profile(args.steps, args.seed, args.profile_top)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
