"""The gymnasium environment."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from ilaeda.data.sessions import Back, Filter, Group, Stop
from ilaeda.envs import ENV_ID, EDAEnv
from ilaeda.errors import ConfigError

G_HL = Group("highest_layer", "packet_number", "count")


def test_check_env_and_spaces() -> None:
    env = EDAEnv("cyber", (1, 2))
    check_env(env, skip_render_check=True)
    assert env.action_space.nvec.tolist() == [4, 12, 9, 26, 13, 5]
    assert env.observation_space.shape == (154,)  # 3 displays of 51 + the absorbing indicator
    assert env.observation_space.dtype == np.float32


def test_registered() -> None:
    env = gym.make(ENV_ID, datasets=[2], horizon=5)
    obs, info = env.reset(seed=0)
    assert obs.shape == (154,) and info["dataset"] == 2


def test_golden_penalty_sequence_and_absorbing_stop() -> None:
    env = EDAEnv("cyber", (1,), horizon=12, episode_end="absorbing")
    obs0, _ = env.reset(seed=0)
    assert not obs0[:102].any()  # two zero-padded displays before the root display
    sequence = [G_HL, Group("ip_src", "length", "sum"), Back(), Back(), Back(), G_HL, G_HL, Stop()]
    penalties = []
    for action in sequence:
        obs, reward, terminated, truncated, info = env.step_action(action)
        penalties.append(info["coherence_penalty"])
        assert reward == 0.0 and not terminated and not truncated
    assert penalties == [0, 0, 0, 0, -1, 0, -1, 0]
    absorbing = np.zeros(154, np.float32)
    absorbing[153] = 1.0  # the one canonical absorbing state: displays zeroed, indicator set
    np.testing.assert_array_equal(obs, absorbing)
    for step in range(len(sequence), 12):
        obs, _, terminated, truncated, info = env.step(env.action_space.sample())
        assert info["coherence_penalty"] == 0.0 and info["absorbing"]
        np.testing.assert_array_equal(obs, absorbing)
        assert truncated == (step == 11) and not terminated
    assert len(info["session"]) == 7
    assert info["session"][0] == {
        "type": "group",
        "column": "highest_layer",
        "agg_column": "packet_number",
        "agg_func": "count",
    }
    assert info["session_text"][0] == " 1. GROUP highest_layer COUNT packet_number"
    assert "STOP" in env.render()


def test_observation_stacks_last_three_displays() -> None:
    env = EDAEnv("cyber", (1,))
    env.reset(seed=0)
    root = env.current_display.vector
    obs, *_ = env.step_action(Filter("highest_layer", "EQ", "ICMP"))
    icmp = env.current_display.vector
    np.testing.assert_array_equal(obs[51:102], root)
    np.testing.assert_array_equal(obs[102:153], icmp)
    assert obs[153] == 0.0  # not absorbing


def test_same_seed_same_episodes() -> None:
    def play(seed: int) -> list:
        env = EDAEnv("cyber", (1, 2, 3, 4), episode_end="absorbing")
        env.reset(seed=seed)
        env.action_space.seed(seed)
        sessions = []
        for _ in range(60):
            _, _, _, truncated, info = env.step(env.action_space.sample())
            if truncated:
                sessions.append((info["dataset"], info["session"]))
                env.reset()
        return sessions

    assert play(3) == play(3)
    assert play(3) != play(4)


def test_leave_one_out_never_touches_held_out() -> None:
    env = EDAEnv.for_split("cyber_loo1")
    assert env.datasets == (2, 3, 4)
    seen = {env.reset(seed=s)[1]["dataset"] for s in range(40)}
    assert seen == {2, 3, 4}
    assert 1 not in env._engines
    with pytest.raises(ConfigError):
        env.reset(options={"dataset": 1})


def test_filter_terms_come_from_the_view() -> None:
    env = EDAEnv("cyber", (1,))
    env.reset(seed=0)
    env.step_action(Filter("highest_layer", "EQ", "ICMP"))
    column = env.schema.column_index("highest_layer")
    _, _, _, _, info = env.step(np.array([1, column, 0, 25, 0, 0]))
    assert info["action"]["term"] == "ICMP"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"schema": "nope"},
        {"datasets": (9,)},
        {"datasets": ()},
        {"horizon": 0},
    ],
)
def test_bad_arguments(kwargs: dict) -> None:
    with pytest.raises(ConfigError):
        EDAEnv(**kwargs)


def test_same_seed_same_session_across_processes() -> None:
    import os
    import subprocess
    import sys

    code = (
        "from ilaeda.envs import EDAEnv\n"
        "import numpy as np\n"
        "env = EDAEnv('cyber', (1,)); env.reset(seed=5)\n"
        "col = env.schema.column_index('info_line')\n"
        "print([env.step(np.array([1, col, op, b, 0, 0]))[4]['action']['term']"
        " for op in (6, 7, 8) for b in range(0, 26, 5)])\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": str(h)},
        ).stdout
        for h in (1, 2)
    }
    assert len(outputs) == 1


def test_terminate_ends_the_episode_at_stop() -> None:
    env = EDAEnv("cyber", (1,), horizon=12, episode_end="terminate")
    env.reset(seed=0)
    env.step_action(G_HL)
    obs, _, terminated, truncated, info = env.step_action(Stop())
    assert terminated and not truncated and obs[153] == 1.0
    assert info["session"] == [
        {"type": "group", "column": "highest_layer", "agg_column": "packet_number", "agg_func": "count"}
    ]


def test_no_stop_has_no_stop_action_and_fixed_length() -> None:
    env = EDAEnv("cyber", (2,), horizon=5, episode_end="no_stop")
    check_env(env, skip_render_check=True)
    assert env.action_space.nvec.tolist() == [3, 12, 9, 26, 13, 5]
    env.reset(seed=0)
    for step in range(5):
        obs, _, terminated, truncated, info = env.step(env.action_space.sample())
        assert not terminated and truncated == (step == 4) and obs[153] == 0.0
    assert len(info["session"]) == 5
    with pytest.raises(ConfigError, match="no STOP"):
        env.reset(seed=0)
        env.step_action(Stop())


def test_step_and_depth_features() -> None:
    env = EDAEnv("cyber", (1,), horizon=4, observe_step=True)
    obs, _ = env.reset(seed=0)
    assert env.observation_space.shape == (156,) and obs[154:].tolist() == [0.0, 0.0]
    obs, *_ = env.step_action(G_HL)
    obs, *_ = env.step_action(Filter("highest_layer", "EQ", "ICMP"))
    assert obs[153] == 0.0 and obs[154:].tolist() == [0.5, 0.5]  # step 2 of 4, depth 2
    obs, *_ = env.step_action(Back())
    assert obs[154:].tolist() == [0.75, 0.25]
    obs, *_ = env.step_action(Stop())
    assert obs[153] == 1.0 and not obs[154:].any()  # the absorbing state carries no step features
    assert env.observation_space.contains(obs)


def test_unknown_episode_end() -> None:
    with pytest.raises(ConfigError, match="episode_end"):
        EDAEnv("cyber", (1,), episode_end="sometimes")


def test_action_masks() -> None:
    env = EDAEnv("cyber", (1,), horizon=6, mask_back_at_root=True, min_length=2)
    assert env.masks_active and not EDAEnv("cyber", (1,)).masks_active
    env.reset(seed=0)
    mask = env.action_masks()
    assert mask.shape == (int(env.action_space.nvec.sum()),)
    assert mask[:4].tolist() == [False, True, True, False]  # no BACK at the root, no STOP yet
    assert mask[4:].all()
    env.step_action(G_HL)
    assert env.action_masks()[:4].tolist() == [True, True, True, False]
    env.step_action(Back())
    assert env.action_masks()[:4].tolist() == [False, True, True, True]
    with pytest.raises(ConfigError, match="min_length"):
        EDAEnv("cyber", (1,), horizon=6, min_length=7)
