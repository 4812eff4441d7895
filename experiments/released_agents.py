"""Play the released AdvEDA agents in ilaeda's env and measure them with ilaeda's benchmark.

The prior system (AdvEDA, github.com/abhijitmanatkar/AdversarialEDA) released one stable-baselines3 PPO
generator per leave-one-out cyber split (``saved_agents/best{234,134,124,123}/gen_policy/model.zip``,
evaluated on datasets 1, 2, 3, 4). Its published scores (``benchmarking/reference_results.csv``) have no
session length and no BACK-at-root count; this script measures them, and the five metrics to check the
adapter against the published ones.

The agents do not see the tables as ilaeda's ``cyber`` schema does. They were trained on the REACT-IDA
copies of the tables (no ``packet_number``) with the columns that have two or more distinct values, in file
order: 13 columns (:data:`RELEASED_COLUMNS`, with ``captured_length`` and ``number``), and every column
with a numeric dtype summarised by a 20-bin histogram entropy (:data:`RELEASED_NUMERIC`; ilaeda's schema,
like the benchmark, only ``packet_number``). Observation ``Box(165)`` = 3 stacked displays of
``4·13 + 3``; actions ``MultiDiscrete([4, 13, 9, 26, 14, 5])`` in ilaeda's component order, the count
aggregation on ``number``; filter terms drawn from whole values (no word tokens). The adapter is
:func:`released_schema`: ilaeda's env and display engine on that 13-column view of the same tables,
``episode_end="terminate"`` as the prior system, its absorbing indicator dropped from the observation.

Sessions are then written in the ``cyber`` schema for the benchmark (:func:`to_cyber`): ``number`` is
``packet_number + 1`` and ``captured_length`` equals ``length`` in all four tables, so

* ``ilaeda`` translation: ``number`` → ``packet_number`` (comparison terms shifted by −1: the same rows),
  ``captured_length`` → ``length``;
* ``advEDA`` translation (the prior system's own scoring pipeline): ``number`` → ``packet_number`` without
  a shift, ``captured_length`` → ``length`` (its scorer kept ``captured_length``, which the benchmark's
  displays do not show; the same rows), and ``GT`` → ``GE``.

Both drop STOP, as the benchmark does. Length and BACK at the root do not depend on the translation.
Per-session means (the unit of the reference file). Model files are third-party: keep them outside the
repository.

    python experiments/released_agents.py --agents /tmp/released-agents --sessions 60 --seed 0 [--deterministic]
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import math
import statistics
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ilaeda.benchmark import score_sessions
from ilaeda.contract import METRICS
from ilaeda.data.schema import Schema, load_schema
from ilaeda.data.sessions import Action, Back, Filter, Group, Session, Stop
from ilaeda.data.splits import parse_split
from ilaeda.eda.filters import UNKNOWN_TERM
from ilaeda.envs import EDAEnv
from ilaeda.errors import IlaedaError
from ilaeda.provenance import code_version

#: The released agent of each split (trained on the other three datasets).
AGENTS = {"cyber_loo1": "best234", "cyber_loo2": "best134", "cyber_loo3": "best124", "cyber_loo4": "best123"}
#: The columns the released agents observe and act on, in their order.
RELEASED_COLUMNS = (
    "captured_length",
    "eth_dst",
    "eth_src",
    "highest_layer",
    "info_line",
    "ip_dst",
    "ip_src",
    "length",
    "number",
    "sniff_timestamp",
    "tcp_dstport",
    "tcp_srcport",
    "tcp_stream",
)
#: Columns with a numeric dtype: their entropy is a 20-bin histogram's in the released agents' displays.
RELEASED_NUMERIC = frozenset({"captured_length", "length", "number", "tcp_dstport", "tcp_srcport", "tcp_stream"})
#: The released agents' count aggregation column (``packet_number + 1``).
RELEASED_KEY = "number"
#: Released column → cyber column with the same rows.
RENAME = {"number": "packet_number", "captured_length": "length"}
COMPARISONS = frozenset({"EQ", "NEQ", "GT", "GE", "LT", "LE"})
TRANSLATIONS = ("ilaeda", "advEDA")
SHOWN = ("length", "back_at_root")


def released_schema(cyber: Schema | None = None) -> Schema:
    """The released agents' view of the cyber tables: their 13 columns and numeric columns, same files."""
    cyber = cyber or load_schema("cyber")
    return dataclasses.replace(
        cyber,
        name="cyber_released",
        columns=RELEASED_COLUMNS,
        numeric_columns=RELEASED_NUMERIC,
        primary_key=RELEASED_KEY,
        text_columns=frozenset(),
    )


def _shift(term: str) -> str:
    """A ``number`` comparison term as the ``packet_number`` term keeping the same rows."""
    try:
        value = float(term)
    except ValueError:
        return term
    if not math.isfinite(value):
        return term
    shifted = value - 1
    return str(int(shifted)) if shifted == int(shifted) else str(shifted)


def to_cyber(action: Action, translation: str = "ilaeda") -> Action:
    """A released agent's action (its columns) as a ``cyber`` schema action (see the module docstring)."""
    if translation not in TRANSLATIONS:
        raise ValueError(f"unknown translation {translation!r}; use one of {', '.join(TRANSLATIONS)}")
    if isinstance(action, Filter):
        term, operator = action.term, action.operator
        if (
            translation == "ilaeda"
            and action.column == RELEASED_KEY
            and operator in COMPARISONS
            and term != UNKNOWN_TERM
        ):
            term = _shift(term)
        if translation == "advEDA" and operator == "GT":
            operator = "GE"
        return Filter(RENAME.get(action.column, action.column), operator, term)
    if isinstance(action, Group):
        return Group(
            RENAME.get(action.column, action.column), RENAME.get(action.agg_column, action.agg_column), action.agg_func
        )
    if isinstance(action, (Back, Stop)):
        return action
    raise TypeError(f"not an action: {action!r}")


def policy_observation(obs: np.ndarray) -> np.ndarray:
    """The released agents' observation: ilaeda's without its absorbing indicator (the last value)."""
    return obs[:-1]


class UserError(Exception):
    """Bad input: one message, exit code 2."""


def load_agent(path: Path, env: EDAEnv) -> Any:
    """A released generator (stable-baselines3 1.x PPO) with its spaces given as ilaeda's gymnasium ones."""
    from gymnasium import spaces
    from stable_baselines3 import PPO

    if not path.is_file():
        raise UserError(
            f"no released agent at {path}; extract saved_agents/<agent>/gen_policy/model.zip of "
            "github.com/abhijitmanatkar/AdversarialEDA under --agents (same layout)"
        )
    low, high = env.observation_space.low[:-1], env.observation_space.high[:-1]
    custom = {
        "observation_space": spaces.Box(low, high, dtype=np.float32),
        "action_space": env.action_space,
        "lr_schedule": lambda _: 0.0,  # training-only callables pickled by Python 3.8: not needed to act
        "clip_range": lambda _: 0.0,
    }
    try:
        with zipfile.ZipFile(path) as archive:
            saved = json.loads(archive.read("data"))
        saved_obs = saved["observation_space"]["_shape"]
        saved_nvec = [int(v) for v in saved["action_space"]["nvec"].strip("[]").split()]
    except (zipfile.BadZipFile, KeyError, ValueError, AttributeError) as exc:
        raise UserError(f"{path} is not a stable-baselines3 model archive ({exc}); re-extract it") from None
    if saved_obs != [len(low)] or saved_nvec != [int(n) for n in env.action_space.nvec]:
        raise UserError(
            f"{path}: observation shape {saved_obs} / action space {saved_nvec}, expected [{len(low)}] / "
            f"{env.action_space.nvec.tolist()} (the released cyber agents' layout)"
        )
    return PPO.load(path, custom_objects=custom, device="cpu")


def play(model: Any, env: EDAEnv, n_sessions: int, deterministic: bool, seed: int) -> list[tuple[Action, ...]]:
    """``n_sessions`` sessions of ``model`` on the env's (one) dataset; each its actions before STOP."""
    import torch as th

    th.manual_seed(seed)
    out = []
    for i in range(n_sessions):
        obs, _ = env.reset(seed=seed if i == 0 else None)
        while True:
            action, _ = model.predict(policy_observation(obs), deterministic=deterministic)
            obs, _, terminated, truncated, _ = env.step(action)
            if terminated or truncated:
                break
        out.append(tuple(env.session))
    return out


def _stat(values: Sequence[float]) -> dict[str, float]:
    return {"mean": statistics.fmean(values), "std": statistics.pstdev(values), "n": len(values)}


def measure_split(
    split: str, agents: Path, n_sessions: int, deterministic: bool, seed: int, data_dir: str | None
) -> dict[str, Any]:
    """Play one split's released agent on its held-out dataset and score its sessions."""
    dataset = parse_split(split).datasets("eval")[0]
    env = EDAEnv(schema=released_schema(), datasets=(dataset,), episode_end="terminate", data_dir=data_dir)
    model = load_agent(agents / AGENTS[split] / "gen_policy" / "model.zip", env)
    played = play(model, env, n_sessions, deterministic, seed)
    result: dict[str, Any] = {
        "agent": AGENTS[split],
        "dataset": dataset,
        "n": n_sessions,
        "stopped": sum(len(s) < env.horizon for s in played) / n_sessions,
        "released_column_actions": sum(
            isinstance(a, (Filter, Group)) and a.column in RENAME for s in played for a in s
        ),
    }
    for translation in TRANSLATIONS:
        sessions = [Session(f"{split}_{i}", tuple(to_cyber(a, translation) for a in s)) for i, s in enumerate(played)]
        rows = score_sessions(sessions, "cyber", dataset, data_dir=data_dir, with_interestingness=False).sessions
        if translation == TRANSLATIONS[0]:
            for key in SHOWN:
                result[key] = _stat([r[key] for r in rows])
            result["sessions_with_back_at_root"] = sum(r["back_at_root"] > 0 for r in rows) / len(rows)
        result[translation] = {m: _stat([r[m] for r in rows]) for m in METRICS}
    return result


def read_reference(path: Path, policy: str) -> dict[str, dict[str, float]]:
    """``{split: {metric: mean}}`` of the released agents' published scores for one policy mode."""
    out: dict[str, dict[str, float]] = {}
    if not path.is_file():
        return out
    with path.open(newline="") as handle:
        for r in csv.DictReader(handle):
            if r.get("policy") == policy:
                out.setdefault(r["split"], {})[r["metric"]] = float(r["mean"])
    return out


def over_splits(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Mean over the splits of each per-split mean."""
    first = next(iter(results.values()))
    mean: dict[str, Any] = {k: statistics.fmean(r[k]["mean"] for r in results.values()) for k in SHOWN}
    mean["sessions_with_back_at_root"] = statistics.fmean(r["sessions_with_back_at_root"] for r in results.values())
    mean["stopped"] = statistics.fmean(r["stopped"] for r in results.values())
    for translation in TRANSLATIONS:
        mean[translation] = {
            m: statistics.fmean(r[translation][m]["mean"] for r in results.values()) for m in first[translation]
        }
    return mean


def table(results: dict[str, dict[str, Any]], mean: dict[str, Any], reference: dict[str, dict[str, float]]) -> str:
    """Markdown table: per split and mean, ilaeda translation / advEDA translation / published."""
    splits = list(results)
    lines = ["| | " + " | ".join(splits) + " | mean |", "|---|" + "---:|" * (len(splits) + 1)]
    for key in SHOWN:
        cells = [f"{results[s][key]['mean']:.3f}" for s in splits] + [f"{mean[key]:.3f}"]
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    for m in METRICS:
        cells = []
        for s in splits:
            ref = reference.get(s, {}).get(m)
            ref_text = "—" if ref is None else f"{ref:.3f}"
            cells.append(f"{results[s]['ilaeda'][m]['mean']:.3f} / {results[s]['advEDA'][m]['mean']:.3f} / {ref_text}")
        refs = [reference.get(s, {}).get(m) for s in splits]
        ref_mean = "—" if None in refs else f"{statistics.fmean(refs):.3f}"  # type: ignore[arg-type]
        cells.append(f"{mean['ilaeda'][m]:.3f} / {mean['advEDA'][m]:.3f} / {ref_mean}")
        lines.append(f"| {m} | " + " | ".join(cells) + " |")
    lines.append("\nmetrics: ilaeda translation / advEDA translation (GT → GE) / published (reference_results.csv)")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--agents", type=Path, required=True, help="folder holding best{234,134,124,123}/gen_policy/model.zip"
    )
    p.add_argument(
        "--sessions", type=int, default=60, help="sessions per split (reference: 60 stochastic, 10 deterministic)"
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--deterministic", action="store_true", help="the policy's most likely actions")
    p.add_argument("--splits", nargs="+", default=list(AGENTS), choices=list(AGENTS))
    p.add_argument("--reference", type=Path, default=Path("benchmarking/reference_results.csv"))
    p.add_argument("--data-dir", default=None, help="data directory (default: $ILAEDA_DATA_DIR / user cache)")
    args = p.parse_args(argv)
    if args.sessions < 1:
        p.error("--sessions must be at least 1")
    if not args.agents.is_dir():
        print(f"error: --agents {args.agents} is not a directory", file=sys.stderr)
        return 2
    policy = "deterministic" if args.deterministic else "stochastic"
    try:
        results = {
            s: measure_split(s, args.agents, args.sessions, args.deterministic, args.seed, args.data_dir)
            for s in args.splits
        }
    except (UserError, IlaedaError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    mean = over_splits(results)
    record = {
        "command": "python experiments/released_agents.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "code": code_version(),
        "policy": policy,
        "sessions": args.sessions,
        "seed": args.seed,
        "splits": results,
        "mean": mean,
    }
    print(json.dumps(record))
    print()
    print(table(results, mean, read_reference(args.reference, policy)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
