r"""Bit-for-bit comparison of two display-engine implementations on seeded random sessions.

Plays the same seeded random sessions (12 actions, STOP resampled) on every dataset of both schemas
with the sources of this checkout and with another source tree (e.g. an earlier commit), each in its
own process, and compares, step by step: the display token (every value at full precision), the
observation, the coherence penalty, the decoded action, the term candidates a filter drew from, the
view's row mask and three columns' value counts (large arrays by their SHA-1). Prints one JSON line;
exit code 1 on a difference.

``--rows 10000,100000`` plays them instead on cyber/4 resampled to each of these sizes
(``scaled_tables.py``, the tables of ``env_scale.py``; seeded by the size), one table at a time.

    git archive <commit> src configs | tar -x -C /tmp/old
    OMP_NUM_THREADS=1 ILAEDA_DATA_DIR=../shared/data python benchmarks/engine_equivalence.py \
        --reference /tmp/old/src [--episodes 300] [--rows 10000,100000]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

from scaled_tables import row_counts

DATASETS = [(schema, d) for schema in ("cyber", "flights") for d in (1, 2, 3, 4)]
STOP, FILTER = 3, 1


def _digest(*parts: bytes) -> str:
    return hashlib.sha1(b"\x1e".join(parts)).hexdigest()


def record(episodes: int, sizes: list[int]) -> dict[str, list]:
    """Everything observable of ``episodes`` seeded sessions per dataset (or resampled table), step by step."""
    import numpy as np
    from scaled_tables import install_engine, resampled_frame  # imports ilaeda: the implementation measured

    from ilaeda.data.sessions import OPERATORS
    from ilaeda.eda.engine import DisplayEngine
    from ilaeda.envs import EDAEnv

    out: dict[str, list] = {}
    targets = [(schema, dataset, 0) for schema, dataset in DATASETS] if not sizes else [("cyber", 4, n) for n in sizes]
    for schema, dataset, rows in targets:
        DisplayEngine._instances.clear()
        if rows:
            install_engine(resampled_frame(rows, rows, schema, dataset), schema, dataset)
        env = EDAEnv(schema, (dataset,), horizon=12)
        engine = env.engine(dataset)
        env.action_space.seed(dataset)
        steps: list = []
        for episode in range(episodes):
            env.reset(seed=1000 * dataset + episode)
            truncated = False
            while not truncated:
                action = env.action_space.sample()
                while action[0] == STOP:
                    action = env.action_space.sample()
                if action[0] == FILTER:
                    column, operator = env.schema.columns[action[1]], OPERATORS[action[2]]
                    c = engine.term_candidates(env.stack.current.filters, column, operator)
                    terms = "\x1f".join(c.terms).encode()
                    steps.append(("candidates", len(c.terms), _digest(terms, c.positions.tobytes()), c.tokens))
                obs, _, _, truncated, info = env.step(action)
                state = env.stack.current
                mask = np.packbits(engine.view_mask(state.filters)).tobytes()
                steps.append(
                    (
                        env.current_display.token,
                        obs.tobytes(),
                        info["coherence_penalty"],
                        info["action"],
                        _digest(mask),
                        *(_digest(engine.value_counts(state.filters, c).tobytes()) for c in env.schema.columns[::5]),
                    )
                )
        out[f"{schema}/{dataset}" + (f"×{rows}" if rows else "")] = steps
    return out


def _run(src: str, episodes: int, rows: str, path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, __file__, "--dump", str(path), "--episodes", str(episodes), "--rows", rows]
    subprocess.run(command, env=env, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reference", help="the other implementation's source directory (holding ilaeda/)")
    parser.add_argument("--episodes", type=int, default=300, help="sessions per dataset")
    parser.add_argument("--rows", type=row_counts, default=[], help="play on cyber/4 resampled to these sizes instead")
    parser.add_argument("--dump", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dump:
        Path(args.dump).write_bytes(pickle.dumps(record(args.episodes, args.rows)))
        return
    if not args.reference or not (Path(args.reference) / "ilaeda").is_dir():
        parser.error("--reference must be a source directory holding the ilaeda package, e.g. /tmp/old/src")
    here = str(Path(__file__).resolve().parents[1] / "src")
    with tempfile.TemporaryDirectory() as tmp:
        rows = ",".join(map(str, args.rows))
        _run(args.reference, args.episodes, rows, Path(tmp) / "reference.pkl")
        _run(here, args.episodes, rows, Path(tmp) / "current.pkl")
        reference = pickle.loads((Path(tmp) / "reference.pkl").read_bytes())
        current = pickle.loads((Path(tmp) / "current.pkl").read_bytes())
    first_difference = {}
    for key, steps in reference.items():
        other = current[key]
        index = next((i for i, (a, b) in enumerate(zip(steps, other)) if a != b), None)
        if index is None and len(steps) != len(other):
            index = min(len(steps), len(other))
        if index is not None:
            first_difference[key] = index
    print(
        json.dumps(
            {
                "equal": not first_difference,
                "records": sum(len(s) for s in reference.values()),
                "episodes_per_dataset": args.episodes,
                "tables": list(reference),
                "first_difference": first_difference,
            }
        )
    )
    sys.exit(1 if first_difference else 0)


if __name__ == "__main__":
    main()
