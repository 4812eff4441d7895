"""The training-evaluation ingredient: benchmark metrics on the training datasets during training."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ilaeda.benchmark import score_sessions
from ilaeda.data.sessions import Group
from ilaeda.envs import EDAEnv
from ilaeda.errors import ConfigError
from ilaeda.scripts.ingredients.training_evaluation import KEYS, evaluate_on_training
from ilaeda.scripts.train_adversarial import train_adversarial_ex

REPO = Path(__file__).resolve().parents[2]


class AlwaysGroup:
    """A policy that always asks for one GROUP action (type 2, column ``ip_src``, count)."""

    def __init__(self, env: EDAEnv) -> None:
        self.action = np.zeros(len(env.action_space.nvec), dtype=np.int64)
        self.action[0], self.action[1] = 2, env.schema.column_index("ip_src")

    def predict(
        self, observation: np.ndarray, state: object = None, episode_start: object = None, deterministic: bool = False
    ) -> tuple[np.ndarray, None]:
        return self.action[None], None


def test_metrics_are_the_benchmark_scores_of_the_sessions_on_the_given_datasets() -> None:
    env = EDAEnv("cyber", (2, 3, 4), 12)
    values = evaluate_on_training(AlwaysGroup(env), env, n_sessions=3, seed=0)
    assert set(values) == {f"{mode}/{key}" for mode in ("stochastic", "deterministic") for key in KEYS}
    assert values["stochastic/length"] == values["deterministic/length"] == 12.0
    expected = []
    for dataset in (2, 3, 4):  # one session per training dataset, each scored against its own references
        session = [Group("ip_src", "packet_number", "count")] * 12
        expected.append(score_sessions([session], "cyber", dataset, with_interestingness=False).sessions[0])
    for key in ("t_bleu_2", "eda_sim"):
        assert values[f"stochastic/{key}"] == pytest.approx(np.mean([r[key] for r in expected]))


@pytest.mark.parametrize(
    ("updates", "match"),
    [
        ({"training_evaluation": {"interval": -1}}, "training_evaluation.interval"),
        ({"training_evaluation": {"n_sessions": 0}}, "training_evaluation.n_sessions"),
        (
            {"training_evaluation": {"interval": 2.0}},
            r"^training_evaluation.interval must be a non-negative integer, got 2.0; write 2 ",
        ),
    ],
)
def test_bad_keys_are_rejected(updates: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        train_adversarial_ex.run(
            command_name="print_config",
            config_updates=updates,
            named_configs=[str(REPO / "benchmarking" / "fast_gail_cyber_loo1.json")],
        )
