"""CPU-seconds and wall seconds of one training run, with a per-phase breakdown.

``python benchmarks/train_throughput.py [--config benchmarking/bcgail_cyber_loo1.json] [--seed 0] [--steps N]
[--json OUT.json]``

Runs the real Sacred experiment (``train_adversarial gail with CONFIG seed=S``, logs in a temporary folder)
in this process. The phases are timed by wrapping the methods that make them (installed here only, so a
normal run pays nothing): each timer keeps its **own** time, the time of the phases nested in it (an env
step inside a rollout, a rollout inside an evaluation) is counted once, under the inner phase; what no
phase covers is ``other``. CPU-seconds are ``resource.getrusage`` user + sys of this process and its
children; the start-up phase is everything before the experiment starts (interpreter, imports).
``--steps`` sets ``total_timesteps`` for a quick check (the grid's configs: 100,000).
"""

from __future__ import annotations

import resource
import time

_START_WALL = time.perf_counter()

import argparse  # noqa: E402  (the clock above starts before the imports it measures)
import functools  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def cpu_seconds() -> float:
    """User + system CPU seconds of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


class PhaseClock:
    """Exclusive CPU and wall time per phase; phases nest (the innermost one running owns the time)."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = {}
        self.wall: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._stack: list[str] = []
        self._mark = (time.process_time(), time.perf_counter())

    def _charge(self) -> None:
        now = (time.process_time(), time.perf_counter())
        if self._stack:
            phase = self._stack[-1]
            self.cpu[phase] = self.cpu.get(phase, 0.0) + now[0] - self._mark[0]
            self.wall[phase] = self.wall.get(phase, 0.0) + now[1] - self._mark[1]
        self._mark = now

    def enter(self, phase: str) -> None:
        """From now on (until a nested phase starts) the time is ``phase``'s."""
        self._charge()
        self._stack.append(phase)

    def wrap(self, owner: Any, name: str, phase: str) -> None:
        """Time every call of ``owner.name`` as ``phase``."""
        original: Callable[..., Any] = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._charge()
            self._stack.append(phase)
            self.calls[phase] = self.calls.get(phase, 0) + 1
            try:
                return original(*args, **kwargs)
            finally:
                self._charge()
                self._stack.pop()

        setattr(owner, name, timed)


def instrument(clock: PhaseClock) -> None:
    """Wrap the methods of each phase (names that exist in every version of the code this compares)."""
    from imitation.algorithms.adversarial.common import AdversarialTrainer
    from imitation.algorithms.bc import BC
    from imitation.rewards.reward_wrapper import RewardVecEnvWrapper
    from sb3_contrib import MaskablePPO
    from stable_baselines3 import PPO
    from stable_baselines3.common.on_policy_algorithm import OnPolicyAlgorithm

    from ilaeda.algorithms.penalty import CoherencePenaltyWrapper
    from ilaeda.envs.eda_env import EDAEnv
    from ilaeda.scripts import train_adversarial
    from ilaeda.scripts.ingredients import training_evaluation

    clock.wrap(BC, "train", "bc_warm_start")
    clock.wrap(OnPolicyAlgorithm, "collect_rollouts", "rollouts")
    clock.wrap(MaskablePPO, "collect_rollouts", "rollouts")
    clock.wrap(EDAEnv, "step", "env_step")
    clock.wrap(EDAEnv, "reset", "env_step")
    clock.wrap(RewardVecEnvWrapper, "step_wait", "reward_wrapper")
    clock.wrap(CoherencePenaltyWrapper, "step_wait", "reward_wrapper")
    clock.wrap(AdversarialTrainer, "train_disc", "discriminator_update")
    clock.wrap(PPO, "train", "ppo_update")
    clock.wrap(MaskablePPO, "train", "ppo_update")
    clock.wrap(training_evaluation, "evaluate_on_training", "evaluation")
    clock.wrap(train_adversarial, "evaluate_and_finish", "evaluation")


PHASES = (
    "startup",
    "bc_warm_start",
    "rollouts",
    "env_step",
    "reward_wrapper",
    "discriminator_update",
    "ppo_update",
    "evaluation",
    "other",
)


def main(argv: list[str] | None = None) -> int:
    """Run one training and print its CPU and wall seconds per phase; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=str(ROOT / "benchmarking" / "bcgail_cyber_loo1.json"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=None, help="total_timesteps (default: the config's)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.steps is not None and args.steps <= 0:
        parser.error(f"--steps must be a positive integer, got {args.steps}")
    if not Path(args.config).is_file():
        parser.error(f"config file {args.config} not found")

    from ilaeda.scripts.train_adversarial import train_adversarial_ex

    clock = PhaseClock()
    instrument(clock)
    startup_cpu, startup_wall = cpu_seconds(), time.perf_counter() - _START_WALL
    clock.enter("other")
    with tempfile.TemporaryDirectory(prefix="ilaeda-throughput-") as tmp:
        updates: dict[str, Any] = {
            "seed": args.seed,
            "logging.log_root": tmp,
            "logging.log_format_strs": ["csv"],
            "policy_evaluation.render": False,
        }
        if args.steps is not None:
            updates["total_timesteps"] = args.steps
        run = train_adversarial_ex.run(
            command_name="gail",
            named_configs=[args.config],
            config_updates=updates,
            options={"--loglevel": "WARNING"},
        )
    clock.enter("other")
    result = run.result or {}
    figures: dict[str, Any] = {
        "config": Path(args.config).name,
        "seed": args.seed,
        "total_timesteps": run.config["total_timesteps"],
        "cpu_s": cpu_seconds(),
        "wall_s": time.perf_counter() - _START_WALL,
        "phases_cpu_s": {"startup": startup_cpu, **clock.cpu},
        "phases_wall_s": {"startup": startup_wall, **clock.wall},
        "calls": clock.calls,
        "t_bleu_2": result.get("benchmark", {}).get("t_bleu_2", {}).get("mean"),
    }
    print(f"{figures['config']} seed={args.seed} total_timesteps={figures['total_timesteps']}")
    print(f"{'phase':<22}{'CPU s':>10}{'wall s':>10}")
    for phase in PHASES:
        cpu = figures["phases_cpu_s"].get(phase, 0.0)
        wall = figures["phases_wall_s"].get(phase, 0.0)
        print(f"{phase:<22}{cpu:>10.2f}{wall:>10.2f}")
    print(f"{'total':<22}{figures['cpu_s']:>10.2f}{figures['wall_s']:>10.2f}")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
