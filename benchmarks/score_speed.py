"""Time the benchmark: ms per 12-action session, scored against cyber dataset 1's 7 references.

Prints one JSON line:

* ``cold_start_ms``: the first call of a fresh process (table load and encoding, reference
  simulation and precomputation, one session);
* ``cold_ms``: a new session with warm references (its views and displays computed for the first
  time);
* ``warm_ms``: the same sessions scored again (display cache hot): the metric code itself;
* ``*_interestingness_ms``: the same with the interestingness measures.

Sessions are 12 random valid non-STOP actions played through ``EDAEnv`` (seeded). They are
generated in this process and timed in a fresh subprocess, so the display caches start empty.

    OMP_NUM_THREADS=1 ILAEDA_DATA_DIR=../shared/data python benchmarks/score_speed.py [--sessions 50]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ilaeda.errors import IlaedaError


def random_sessions(n: int, schema: str, dataset: int, seed: int, horizon: int = 12) -> list[list[dict]]:
    """``n`` sessions of ``horizon`` random valid actions (STOP resampled) from the env."""
    from ilaeda.envs import EDAEnv

    env = EDAEnv(schema, (dataset,), horizon)
    env.action_space.seed(seed)
    out = []
    for i in range(n):
        env.reset(seed=seed + i)
        info: dict = {}
        truncated = False
        while not truncated:
            action = env.action_space.sample()
            while action[0] == 3:  # no STOP: always 12 actions
                action = env.action_space.sample()
            _, _, _, truncated, info = env.step(action)
        out.append(info["session"])
    return out


def _timed(sessions: list, schema: str, dataset: int, interestingness: bool) -> float:
    from ilaeda.benchmark import score_sessions

    start = time.perf_counter()
    for s in sessions:
        score_sessions([s], schema, dataset, with_interestingness=interestingness)
    return (time.perf_counter() - start) * 1000 / len(sessions)


def measure(path: str, schema: str, dataset: int) -> dict:
    """Timings in a process whose caches start empty."""
    sessions = json.loads(Path(path).read_text())
    half = len(sessions) // 2
    first, a, b = sessions[0], sessions[1:half], sessions[half:]
    start = time.perf_counter()
    from ilaeda.benchmark import score_sessions

    score_sessions([first], schema, dataset, with_interestingness=False)
    cold_start = (time.perf_counter() - start) * 1000
    cold = _timed(a, schema, dataset, False)
    cold_i = _timed(b, schema, dataset, True)
    warm = min(_timed(a + b, schema, dataset, False) for _ in range(3))
    warm_i = min(_timed(a + b, schema, dataset, True) for _ in range(3))
    return {
        "schema": schema,
        "dataset": dataset,
        "sessions": len(sessions),
        "actions": 12,
        "references": 7 if schema == "cyber" else 5,
        "cold_start_ms": round(cold_start, 1),
        "cold_ms": round(cold, 2),
        "warm_ms": round(warm, 2),
        "cold_interestingness_ms": round(cold_i, 2),
        "warm_interestingness_ms": round(warm_i, 2),
        "target_warm_ms": 20,
        "python": sys.version.split()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schema", default="cyber")
    parser.add_argument("--dataset", type=int, default=1)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--measure", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.schema, args.dataset)))
        return
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    sessions = random_sessions(args.sessions, args.schema, args.dataset, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sessions.json"
        path.write_text(json.dumps(sessions))
        subprocess.run(
            [sys.executable, __file__, "--measure", str(path), "--schema", args.schema, "--dataset", str(args.dataset)],
            check=True,
        )


if __name__ == "__main__":
    try:
        main()
    except IlaedaError as exc:
        sys.exit(f"error: {exc}")
