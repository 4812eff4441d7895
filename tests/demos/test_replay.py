"""Replaying sessions through the environment into fixed-horizon trajectories."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ilaeda.data.schema import load_schema
from ilaeda.data.sessions import Back, Filter, Group, Session, Stop, load_sessions
from ilaeda.demos.export import export_sessions
from ilaeda.demos.replay import (
    EFFECT_NAMES,
    REPR_EXACT,
    REPR_NONE,
    REPR_VIEW,
    encode_action,
    filter_effect,
    replay_env,
    replay_sessions,
)
from ilaeda.demos.splits import dataset_replays, expert_sessions
from ilaeda.envs import EDAEnv
from ilaeda.errors import ConfigError

CYBER = load_schema("cyber")

G_SRC = Group("ip_src", "packet_number", "count")
G_LEN = Group("highest_layer", "length", "sum")
F_TCP = Filter("highest_layer", "EQ", "TCP")
STOP = [3, 0, 0, 0, 0, 0]


def test_short_session_is_padded_like_the_env() -> None:
    session = Session("s", (G_SRC, Back(), F_TCP, G_LEN))
    replays = replay_sessions([session], CYBER, 2, horizon=12)
    (trajectory,) = replays.trajectories(episode_end="absorbing")
    assert trajectory.obs.dtype == np.float32 and trajectory.obs.shape == (13, 154)
    assert trajectory.acts.dtype == np.int64 and trajectory.acts.shape == (12, 6)
    assert trajectory.terminal
    assert trajectory.acts[:4, 0].tolist() == [2, 0, 1, 2]
    assert trajectory.acts[4:].tolist() == [STOP] * 8
    assert trajectory.acts[3].tolist() == [2, 3, 0, 0, 8, 1]  # highest_layer, sum of length (k + 1)
    assert [i["kind"] for i in trajectory.infos] == ["expert"] * 4 + ["stop"] + ["absorbing"] * 7
    assert {i["dataset"] for i in trajectory.infos} == {2}
    # the same episode stepped by hand in a horizon-12 env
    env = EDAEnv("cyber", (2,), horizon=12, episode_end="absorbing")
    obs, _ = env.reset(seed=3)
    observed = [obs]
    for action in session.actions:
        observed.append(env.step_action(action)[0])
    observed.append(env.step_action(Stop())[0])
    truncated = False
    while not truncated:
        obs, _, terminated, truncated, _ = env.step(np.array(STOP))
        assert not terminated
        observed.append(obs)
    assert np.array_equal(np.asarray(observed, dtype=np.float32), trajectory.obs)
    assert (trajectory.obs[5:, 153] == 1).all() and not trajectory.obs[5:, :153].any()  # absorbing after STOP
    assert not trajectory.obs[:5, 153].any()


def test_long_sessions_cut_or_windows() -> None:
    actions = (G_SRC, Back()) * 7  # 14 actions
    replays = replay_sessions([Session("long", actions)], CYBER, 2, horizon=12)
    assert replays.steps.tolist() == [24] and replays.n_actions.tolist() == [14]
    (cut,) = replays.trajectories(episode_end="absorbing")
    assert cut.acts[:, 0].tolist() == [2, 0] * 6 and [i["kind"] for i in cut.infos] == ["expert"] * 12
    first, second = replays.trajectories(long_sessions="windows", episode_end="absorbing")
    assert first == cut
    assert np.array_equal(second.obs[0], first.obs[-1])
    assert second.acts[:, 0].tolist() == [2, 0, 3] + [3] * 9
    assert [i["step"] for i in second.infos] == list(range(12, 24))
    with pytest.raises(ConfigError, match="long_sessions"):
        replays.trajectories(long_sessions="slide")  # type: ignore[arg-type]


def test_absorbing_steps_can_be_dropped() -> None:
    session = Session("s", (G_SRC, Back(), F_TCP, G_LEN))
    replays = replay_sessions([session, Session("twelve", (G_SRC, Back()) * 6)], CYBER, 2, horizon=12)
    (kept, full), (dropped, full_dropped) = (
        replays.trajectories(episode_end="absorbing"),
        replays.trajectories(absorbing="drop", episode_end="absorbing"),
    )
    assert len(dropped) == 5 and dropped.acts[-1].tolist() == STOP
    assert np.array_equal(dropped.obs, kept.obs[:6]) and np.array_equal(dropped.acts, kept.acts[:5])
    assert [i["kind"] for i in dropped.infos] == ["expert"] * 4 + ["stop"]
    assert full_dropped == full  # no STOP within the horizon: nothing to drop
    with pytest.raises(ConfigError, match="absorbing"):
        replays.trajectories(absorbing="pad")  # type: ignore[arg-type]


def test_exactly_horizon_long_session_has_no_stop() -> None:
    replays = replay_sessions([Session("twelve", (G_SRC, Back()) * 6)], CYBER, 2, horizon=12)
    (trajectory,) = replays.trajectories(episode_end="absorbing")
    assert 3 not in trajectory.acts[:, 0] and len(trajectory) == 12


def test_stop_inside_a_session_ends_it() -> None:
    replays = replay_sessions([Session("s", (G_SRC, Stop(), F_TCP))], CYBER, 2, horizon=4)
    (trajectory,) = replays.trajectories(episode_end="absorbing")
    assert trajectory.acts[:, 0].tolist() == [2, 3, 3, 3] and replays.n_actions.tolist() == [1]


def test_representability_levels() -> None:
    env = replay_env(CYBER)
    env.reset(options={"dataset": 2})
    engine, root = env.engine(), env.stack.current
    assert encode_action(env, engine, root, F_TCP)[1] == REPR_EXACT
    assert encode_action(env, engine, root, G_LEN)[1] == REPR_EXACT
    nzmx = Filter("info_line", "CONTAINS", "Nzmx")
    vector, level = encode_action(env, engine, root, nzmx)
    assert level == REPR_NONE and vector[:3].tolist() == [1, 4, 6]
    assert EFFECT_NAMES[filter_effect(engine, root, nzmx)] == "empty the view"
    assert EFFECT_NAMES[filter_effect(engine, root, Filter("highest_layer", "NEQ", "icmp"))] == "keep every row"
    env.reset(options={"dataset": 3})
    login = Filter("info_line", "CONTAINS", "login")  # not a token, but a token keeps the same rows
    vector, level = encode_action(env, env.engine(), env.stack.current, login)
    assert level == REPR_VIEW
    env.step_action(Filter("info_line", "CONTAINS", "*/fg*"))  # empties the view
    assert encode_action(env, env.engine(), env.stack.current, Filter("info_line", "CONTAINS", "fg"))[1] == REPR_VIEW


def test_replay_argument_errors() -> None:
    with pytest.raises(ConfigError, match="horizon"):
        replay_sessions([], CYBER, 2, horizon=0)
    with pytest.raises(ConfigError, match="unknown dataset 7"):
        replay_sessions([], CYBER, 7)
    empty = replay_sessions([], CYBER, 2)
    assert len(empty) == 0 and empty.trajectories() == [] and empty.obs.shape == (0, 153)


def test_round_trip_exported_sessions_give_the_same_trajectories(tmp_path: Path) -> None:
    paths = export_sessions(tmp_path / "out")
    conversion = expert_sessions()
    assert [p.name for p in paths] == [f"cyber_dataset{d}.json" for d in (1, 2, 3, 4)]
    for dataset, path in zip((1, 2, 3, 4), paths):
        sessions = load_sessions(path, columns=load_schema("cyber").columns)
        assert [s.name for s in sessions] == [s.name for s in conversion.sessions[dataset]]
        replayed = replay_sessions(sessions, CYBER, dataset).trajectories(long_sessions="windows")
        direct = dataset_replays(CYBER, dataset, use_cache=False).trajectories(long_sessions="windows")
        assert len(replayed) == len(direct) and all(a == b for a, b in zip(replayed, direct))


def test_trajectories_fit_the_env_spaces() -> None:
    env = EDAEnv("cyber", (1, 2, 3, 4))
    for dataset in (1, 2, 3, 4):
        for trajectory in dataset_replays(CYBER, dataset, use_cache=False).trajectories(long_sessions="windows"):
            assert all(env.action_space.contains(a) for a in trajectory.acts)
            assert all(env.observation_space.contains(o) for o in trajectory.obs)


def _play(env: EDAEnv, actions: list, horizon: int) -> list[np.ndarray]:
    obs, _ = env.reset(seed=0)
    observed = [obs]
    for action in actions:
        obs, _, terminated, truncated, _ = env.step_action(action)
        observed.append(obs)
        if terminated or truncated:
            break
    return observed


@pytest.mark.parametrize("episode_end", ["absorbing", "terminate"])
def test_observations_match_the_env_with_step_features(episode_end: str) -> None:
    session = Session("s", (G_SRC, F_TCP, Back(), G_LEN))
    replays = replay_sessions([session], CYBER, 2, horizon=6)
    (trajectory,) = replays.trajectories(episode_end=episode_end, observe_step=True)
    env = EDAEnv("cyber", (2,), horizon=6, episode_end=episode_end, observe_step=True)
    actions = [*session.actions, Stop()] + ([Stop()] if episode_end == "absorbing" else [])
    observed = _play(env, actions, 6)
    assert np.array_equal(np.asarray(observed, dtype=np.float32), trajectory.obs)
    assert len(trajectory.acts) == (6 if episode_end == "absorbing" else 5)
    assert trajectory.acts[-1].tolist() == STOP


def test_no_stop_keeps_only_whole_windows_of_real_actions() -> None:
    replays = replay_sessions(
        [Session("long", (G_SRC, F_TCP, Back(), Back()) * 3 + (G_LEN,)), Session("short", (G_SRC,))],
        CYBER,
        2,
        horizon=4,
    )
    windows = replays.trajectories(long_sessions="windows", episode_end="no_stop", observe_step=True)
    assert len(windows) == 3  # 13 actions: windows at 0, 4, 8; the short session gives none
    assert all(3 not in w.acts[:, 0] and len(w.acts) == 4 and not w.obs[:, 153].any() for w in windows)
    assert [w.obs[0, 154] for w in windows] == [0.0] * 3  # step features restart in each window
    strided = replays.trajectories(long_sessions="windows", episode_end="no_stop", window_stride=2)
    assert [w.infos[0]["step"] for w in strided] == [0, 2, 4, 6, 8]
    for stride in (0, 1.5, "2"):  # refused: no truncation of 1.5 to 1, no traceback for "2"
        with pytest.raises(
            ConfigError, match=r"^window_stride must be a positive integer or None \(the horizon\), got"
        ):
            replays.trajectories(long_sessions="windows", window_stride=stride)
    with pytest.raises(ConfigError, match="episode_end"):
        replays.trajectories(episode_end="never")
