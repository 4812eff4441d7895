"""Policy-evaluation ingredient: generate sessions on the held-out dataset and score them.

For the stochastic (sampled) and the deterministic (most likely action) policy, ``n_sessions`` and
``n_sessions_deterministic`` sessions (60 and 10 by default, the released agents' protocol) are generated on the split's evaluation datasets (one full episode each, cycling over the
datasets), saved as JSON in the references' session format (``sessions_<mode>_<schema><dataset>.json``,
Sacred artifacts), printed as text, and scored with the benchmark, each session scored alone against
the dataset's gold references. The result holds, per metric, ``{"mean", "std", "n"}`` over sessions
(``std`` with ddof 0): ``benchmark`` (stochastic; with the session length, BACKs at the root and the shares
of degenerate actions, :mod:`ilaeda.benchmark.degenerate`), ``benchmark_deterministic``, ``interestingness``
(stochastic) and ``interestingness_deterministic``; the corpus scores (corpus T-BLEU) are under
``benchmark_corpus``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch as th

from ilaeda.algorithms.rollout import GeneratedSession, Predictor, generate_sessions
from ilaeda.benchmark import MEASURES
from ilaeda.benchmark.degenerate import DEGENERATE, score_with_degenerate
from ilaeda.benchmark.summary import BENCHMARK_KEYS, plain_json, stat
from ilaeda.contract import METRICS, check_positive_int
from ilaeda.data.sessions import sessions_to_json
from ilaeda.envs import EDAEnv
from ilaeda.errors import ConfigError
from ilaeda.scripts._sacred import Run, sacred

policy_evaluation_ingredient = sacred.Ingredient("policy_evaluation")

#: Policy modes: result-section suffix and whether actions are deterministic.
MODES = {"stochastic": False, "deterministic": True}

RewardFn = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]


@policy_evaluation_ingredient.config
def config() -> None:
    n_sessions = 60  # sessions generated with the stochastic policy
    n_sessions_deterministic = 10  # sessions generated with the deterministic policy (they differ only by terms)
    render = True  # print every generated session in the run's log
    progress = True  # progress bars
    report = True  # write the session report (report.html, report.ipynb) into <log_dir>/report at the end
    locals()  # quieten linters: every local is a config entry


@policy_evaluation_ingredient.capture
def report_enabled(report: bool = True) -> bool:
    """Whether the run ends by writing its session report (config ``policy_evaluation.report``)."""
    return bool(report)


@policy_evaluation_ingredient.named_config
def fast() -> None:
    n_sessions = 2  # noqa: F841
    n_sessions_deterministic = 2  # noqa: F841


def _learned_returns(sessions: Sequence[GeneratedSession], reward_fn: RewardFn) -> list[float]:
    returns = []
    for s in sessions:
        n = len(s.acts)
        dones = np.zeros(n, dtype=bool)
        dones[-1] = True
        rews = reward_fn(s.obs[:-1], s.acts, s.obs[1:], dones)
        returns.append(float(np.sum(rews)))
    return returns


@policy_evaluation_ingredient.capture
def evaluate(
    policy: Predictor,
    env: EDAEnv,
    *,
    seed: int,
    out_dir: str | Path,
    run: Run | None = None,
    reward_fn: RewardFn | None = None,
    n_sessions: int = 60,
    n_sessions_deterministic: int = 10,
    render: bool = True,
    progress: bool = True,
) -> dict[str, Any]:
    """Generate, save, print and score sessions of both policy modes; returns the result sections.

    Args:
        policy: the trained policy.
        env: the evaluation env (held-out datasets).
        seed: seeds the env's term sampling and the policy's action sampling (per mode).
        out_dir: where the session JSON files go (they are also added as Sacred artifacts of ``run``).
        run: the Sacred run (or None).
        reward_fn: a learned reward ``(obs, acts, next_obs, dones) -> rews``; its per-session returns on
            the stochastic sessions are reported under ``learned_reward_eval``.
        n_sessions: sessions generated with the stochastic policy (config ``policy_evaluation.n_sessions``).
        n_sessions_deterministic: sessions generated with the deterministic policy.
        render: print every session as text.
        progress: show a progress bar.
    """
    for key, value in (("n_sessions", n_sessions), ("n_sessions_deterministic", n_sessions_deterministic)):
        check_positive_int(value, f"policy_evaluation.{key}", error=ConfigError)
    counts = {"stochastic": n_sessions, "deterministic": n_sessions_deterministic}
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    schema = env.schema.name
    result: dict[str, Any] = {"benchmark_corpus": {}, "session_files": {}}
    generated: dict[str, list[GeneratedSession]] = {}
    for k, (mode, deterministic) in enumerate(MODES.items()):
        # The policy's sampling draws from torch's global RNG: seed it here (without disturbing the
        # caller's stream), so the sessions depend only on the policy and the seed.
        with th.random.fork_rng(devices=[]):
            th.manual_seed(int(seed) + k)
            sessions = generate_sessions(
                policy,
                env,
                counts[mode],
                deterministic=deterministic,
                seed=int(seed) + k,
                prefix=f"{mode}_",
                progress=progress,
            )
        generated[mode] = sessions
        rows: list[dict[str, Any]] = []
        files = []
        for dataset in sorted({s.dataset for s in sessions}):
            subset = [s for s in sessions if s.dataset == dataset]
            path = out_dir / f"sessions_{mode}_{schema}{dataset}.json"
            doc = sessions_to_json([s.session for s in subset], schema=schema, dataset=dataset)
            path.write_text(json.dumps(doc, indent=1))
            files.append(path.name)
            if run is not None:
                run.add_artifact(str(path), path.name)
            scored = score_with_degenerate([s.session for s in subset], schema, dataset, data_dir=env.data_dir)
            rows.extend(scored.sessions)
            result["benchmark_corpus"].setdefault(mode, {})[str(dataset)] = scored.corpus
            if render:
                _render(subset, scored.sessions, mode, schema, dataset)
        suffix = "" if mode == "stochastic" else "_deterministic"
        result[f"benchmark{suffix}"] = {key: stat(r[key] for r in rows) for key in BENCHMARK_KEYS}
        result[f"interestingness{suffix}"] = {key: stat(r[key] for r in rows) for key in MEASURES}
        result["session_files"][mode] = files
    if reward_fn is not None:
        result["learned_reward_eval"] = stat(_learned_returns(generated["stochastic"], reward_fn))
    sections: dict[str, Any] = plain_json(result)
    return sections


def _render(
    sessions: Sequence[GeneratedSession], rows: Sequence[Mapping[str, Any]], mode: str, schema: str, dataset: int
) -> None:
    print(f"\n=== generated sessions ({mode} policy) on {schema} dataset {dataset} ===")
    for session, row in zip(sessions, rows):
        scores = "  ".join(f"{k}={row[k]:.3f}" for k in METRICS)
        waste = ", ".join(f"{k} {row[k]:.0%}" for k in DEGENERATE)
        print(f"--- {session.name}: length {row['length']}, back_at_root {row['back_at_root']}, {waste}; {scores}")
        for line in session.text() or ["    (empty session)"]:
            print(f"   {line}")


def print_summary(result: Mapping[str, Any], title: str) -> None:
    """A rich table of the benchmark (both modes), interestingness and timing."""
    from rich.console import Console
    from rich.table import Table

    def cell(entry: Mapping[str, Any] | None) -> str:
        if not entry or entry.get("mean") is None:
            return "-"
        return f"{entry['mean']:.3f} ± {entry['std']:.3f}"

    table = Table(title=title)
    table.add_column("metric")
    table.add_column("stochastic", justify="right")
    table.add_column("deterministic", justify="right")
    for section, keys in (("benchmark", BENCHMARK_KEYS), ("interestingness", MEASURES)):
        for key in keys:
            table.add_row(
                key, cell(result.get(section, {}).get(key)), cell(result.get(f"{section}_deterministic", {}).get(key))
            )
    console = Console(width=100, force_terminal=False)
    console.print()
    console.print(table)
    timing = result.get("timing") or {}
    if timing:
        parts = [f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in timing.items()]
        console.print("timing: " + ", ".join(parts))
    n = (result.get("benchmark", {}).get("precision") or {}).get("n")
    console.print(f"n = {n} sessions per mode; ± is the std over sessions")
