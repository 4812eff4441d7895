"""Checkpoints: state dicts + plain metadata, loaded with weights_only=True, clear errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch as th
from gymnasium import spaces
from imitation.rewards.reward_nets import BasicRewardNet

from ilaeda.algorithms.serialize import (
    REWARD_FORMAT,
    build_policy,
    load_policy,
    policy_metadata,
    read_checkpoint,
    save_policy,
    save_reward_net,
)
from ilaeda.envs import EDAEnv
from ilaeda.errors import ConfigError

KWARGS = {"net_arch": {"pi": [16, 16], "vf": [8]}, "activation_fn": "relu", "ortho_init": True}


@pytest.fixture
def env() -> EDAEnv:
    return EDAEnv("cyber", datasets=(1,), horizon=12)


def test_policy_round_trip(env: EDAEnv, tmp_path) -> None:  # type: ignore[no-untyped-def]
    th.manual_seed(0)
    policy = build_policy(env.observation_space, env.action_space, KWARGS)
    path = save_policy(policy, tmp_path / "p.pt", policy_kwargs=KWARGS, metadata={"algo": "bc", "seed": np.int64(3)})
    raw = th.load(path, weights_only=True)  # no pickled objects inside
    assert raw["format"] == "ilaeda-policy/1" and raw["metadata"] == {"algo": "bc", "seed": 3}
    loaded, meta = load_policy(path, env.observation_space, env.action_space)
    assert meta["algo"] == "bc" and policy_metadata(path)["seed"] == 3
    obs = np.random.default_rng(0).random((5, env.observation_space.shape[0])).astype(np.float32)
    assert np.array_equal(policy.predict(obs, deterministic=True)[0], loaded.predict(obs, deterministic=True)[0])
    for a, b in zip(policy.state_dict().values(), loaded.state_dict().values()):
        assert th.equal(a, b)


def test_mismatched_env_is_refused(env: EDAEnv, tmp_path) -> None:  # type: ignore[no-untyped-def]
    other = spaces.Box(0, 1, (10,), np.float32)
    policy = build_policy(other, env.action_space, KWARGS)
    path = save_policy(policy, tmp_path / "p.pt", policy_kwargs=KWARGS)
    with pytest.raises(ConfigError, match="does not match the environment"):
        load_policy(path, env.observation_space, env.action_space)


def test_foreign_files_are_refused_without_unpickling(env: EDAEnv, tmp_path) -> None:  # type: ignore[no-untyped-def]
    pickled = tmp_path / "whole.pt"
    th.save(th.nn.Linear(2, 2), pickled)  # a whole pickled object: weights_only refuses it
    with pytest.raises(ConfigError, match="not an ilaeda checkpoint"):
        load_policy(pickled, env.observation_space, env.action_space)
    plain = tmp_path / "plain.pt"
    th.save({"a": 1}, plain)
    with pytest.raises(ConfigError, match="expected format"):
        load_policy(plain, env.observation_space, env.action_space)
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a checkpoint")
    with pytest.raises(ConfigError, match="not an ilaeda checkpoint"):
        load_policy(junk, env.observation_space, env.action_space)
    with pytest.raises(ConfigError, match="not found"):
        load_policy(tmp_path / "missing.pt", env.observation_space, env.action_space)


def test_reward_net_round_trip(env: EDAEnv, tmp_path) -> None:  # type: ignore[no-untyped-def]
    net = BasicRewardNet(env.observation_space, env.action_space)
    path = save_reward_net(net, tmp_path / "r.pt", {"algo": "gail"})
    payload = read_checkpoint(path, REWARD_FORMAT)
    assert payload["net_class"] == "imitation.rewards.reward_nets.BasicRewardNet"
    assert payload["metadata"] == {"algo": "gail"}
    fresh = BasicRewardNet(env.observation_space, env.action_space)
    fresh.load_state_dict(payload["state_dict"], strict=True)
    for a, b in zip(net.state_dict().values(), fresh.state_dict().values()):
        assert th.equal(a, b)
    with pytest.raises(ConfigError, match="expected format"):
        read_checkpoint(path, "ilaeda-policy/1")


def test_unknown_activation() -> None:
    with pytest.raises(ConfigError, match="activation"):
        build_policy(spaces.Box(0, 1, (3,)), spaces.MultiDiscrete([2, 2]), {"activation_fn": "swish"})


def test_a_full_disk_leaves_no_partial_checkpoint(env: EDAEnv, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import errno
    import io
    import os

    from ilaeda.errors import StorageError

    net = BasicRewardNet(env.observation_space, env.action_space)
    final = tmp_path / "checkpoints" / "final"
    path = save_reward_net(net, final / "reward_net.pt", {"round": 1})
    before = path.read_bytes()
    real_fdopen = os.fdopen

    class FillsTheDisk(io.BufferedWriter):
        def write(self, data):  # type: ignore[no-untyped-def]
            super().write(bytes(data)[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fdopen", lambda fd, mode: FillsTheDisk(real_fdopen(fd, mode, buffering=0)))
    with pytest.raises(StorageError, match=r"reward-net checkpoint .*reward_net.pt: no space left on the device"):
        save_reward_net(net, path, {"round": 2})
    monkeypatch.undo()
    assert path.read_bytes() == before  # the previous checkpoint, whole
    assert sorted(p.name for p in final.iterdir()) == ["reward_net.pt"]  # no temporary file left
    assert read_checkpoint(path, REWARD_FORMAT)["metadata"] == {"round": 1}


def test_an_architecture_mismatch_is_reported_whole(env: EDAEnv, tmp_path) -> None:  # type: ignore[no-untyped-def]
    policy = build_policy(env.observation_space, env.action_space, KWARGS)
    path = save_policy(policy, tmp_path / "p.pt", policy_kwargs={**KWARGS, "net_arch": {"pi": [32], "vf": [8]}})
    with pytest.raises(ConfigError) as info:
        load_policy(path, env.observation_space, env.action_space)
    message = str(info.value)
    assert "\n" not in message and "size mismatch for mlp_extractor.policy_net.0.weight" in message
    assert "Unexpected key(s) in state_dict" in message  # the second part, cut off before
