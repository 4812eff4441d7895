"""experiments/released_agents.py: the released agents' view of the cyber tables and the session translation.

The released model files are third-party and not needed here: an untrained PPO with the released layout
stands in for them in the end-to-end run.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from script_modules import REPO, load

from ilaeda.data.sessions import Back, Filter, Group, Stop
from ilaeda.eda.engine import DisplayEngine
from ilaeda.eda.state import ROOT
from ilaeda.envs import EDAEnv

released = load("released_agents", REPO / "experiments" / "released_agents.py")


def _env(dataset: int = 3) -> EDAEnv:
    return EDAEnv(schema=released.released_schema(), datasets=(dataset,), episode_end="terminate")


def test_env_has_the_released_agents_spaces() -> None:
    env = _env()
    obs, _ = env.reset(seed=0)
    assert env.action_space.nvec.tolist() == [4, 13, 9, 26, 14, 5]
    assert released.policy_observation(obs).shape == (3 * (4 * 13 + 3),)
    root = env.current_display
    # dtype-numeric columns get a histogram entropy: the 20 equal-width bins of 1..n are all but equally full
    assert root.entropy[released.RELEASED_COLUMNS.index("number")] == pytest.approx(1.0, abs=1e-3)
    # length: a histogram entropy here, a value-count entropy in the cyber schema
    cyber = DisplayEngine.for_dataset("cyber", 3).display(ROOT)
    length = released.RELEASED_COLUMNS.index("length")
    assert root.entropy[length] != pytest.approx(cyber.entropy[cyber.columns.index("length")])


def test_translation_keeps_the_rows_of_each_view() -> None:
    mine = DisplayEngine.for_dataset(released.released_schema(), 3)
    cyber = DisplayEngine.for_dataset("cyber", 3)
    for action in (
        Filter("number", "LE", "100"),
        Filter("number", "EQ", "7"),
        Filter("captured_length", "GT", "60"),
        Filter("number", "CONTAINS", "7"),
    ):
        translated = released.to_cyber(action, "ilaeda")
        assert translated.column in cyber.schema.columns
        if action.operator != "CONTAINS":  # no term shift keeps the rows of a string test on the key
            assert np.array_equal(mine.view_mask((action,)), cyber.view_mask((translated,)))
    assert released.to_cyber(Filter("number", "EQ", "7")) == Filter("packet_number", "EQ", "6")
    assert released.to_cyber(Filter("number", "EQ", "<UNK>")) == Filter("packet_number", "EQ", "<UNK>")


def test_advEDA_translation_renames_only_and_turns_GT_into_GE() -> None:
    assert released.to_cyber(Filter("number", "GT", "7"), "advEDA") == Filter("packet_number", "GE", "7")
    assert released.to_cyber(Filter("ip_src", "GT", "1"), "ilaeda") == Filter("ip_src", "GT", "1")
    group = Group("captured_length", "number", "count")
    for translation in released.TRANSLATIONS:
        assert released.to_cyber(group, translation) == Group("length", "packet_number", "count")
        assert released.to_cyber(Back(), translation) == Back()
        assert released.to_cyber(Stop(), translation) == Stop()
    with pytest.raises(ValueError, match="unknown translation"):
        released.to_cyber(Back(), "other")


def test_agent_of_another_layout_is_a_user_error(tmp_path: Path) -> None:
    from stable_baselines3 import PPO

    other = EDAEnv(datasets=(3,))  # the cyber schema's spaces: 154 values, 12 columns
    path = tmp_path / "model.zip"
    PPO("MlpPolicy", other, n_steps=8, batch_size=8, device="cpu").save(path)
    with pytest.raises(released.UserError, match=r"expected \[165\]"):
        released.load_agent(path, _env())
    with pytest.raises(released.UserError, match="no released agent"):
        released.load_agent(tmp_path / "missing.zip", _env())
    (tmp_path / "bad.zip").write_text("not a zip")
    with pytest.raises(released.UserError, match="not a stable-baselines3 model archive"):
        released.load_agent(tmp_path / "bad.zip", _env())


def test_end_to_end_with_a_stand_in_agent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import gymnasium as gym
    from gymnasium import spaces
    from stable_baselines3 import PPO

    env = _env()
    low, high = env.observation_space.low[:-1], env.observation_space.high[:-1]

    class Layout(gym.Env):  # the released agents' spaces: no absorbing indicator
        observation_space = spaces.Box(low, high, dtype=np.float32)
        action_space = env.action_space

    target = tmp_path / "best124" / "gen_policy"
    target.mkdir(parents=True)
    PPO("MlpPolicy", Layout(), n_steps=8, batch_size=8, device="cpu", seed=0).save(target / "model.zip")
    argv = ["--agents", str(tmp_path), "--sessions", "3", "--seed", "0", "--splits", "cyber_loo3"]
    assert released.main(argv) == 0
    record = json.loads(capsys.readouterr().out.splitlines()[0])
    split = record["splits"]["cyber_loo3"]
    assert record["policy"] == "stochastic" and split["agent"] == "best124" and split["n"] == 3
    assert 0 <= split["length"]["mean"] <= 12 and 0 <= split["back_at_root"]["mean"] <= split["length"]["mean"]
    assert split["stopped"] > 0 or split["length"]["mean"] == 12
    assert set(split["advEDA"]) == set(split["ilaeda"]) == {"precision", "t_bleu_1", "t_bleu_2", "t_bleu_3", "eda_sim"}
    assert released.main(["--agents", str(tmp_path / "nowhere")]) == 2
