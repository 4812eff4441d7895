"""Checkpoints as state dicts plus plain metadata (loadable with ``torch.load(weights_only=True)``).

imitation's own savers pickle whole objects, which torch ≥ 2.6 refuses to load by default; ilaeda
never uses them. A policy file holds::

    {"format": "ilaeda-policy/1", "policy_class": "ActorCriticPolicy",
     "observation_shape": [153], "action_nvec": [4, 12, 9, 26, 13, 5],
     "policy_kwargs": {"net_arch": {"pi": [...], "vf": [...]}, "activation_fn": "tanh", "ortho_init": true},
     "metadata": {...plain JSON: algo, split, schema, horizon, seed...}, "state_dict": {...tensors}}

and a reward file ``{"format": "ilaeda-reward/1", "net_class": "...", "metadata": {...}, "state_dict"}``.
"""

from __future__ import annotations

import io
import os
import pickle
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import torch as th
from stable_baselines3.common.policies import ActorCriticPolicy
from torch import nn

from ilaeda._io import atomic_write, storage_message, storage_problem
from ilaeda.errors import ConfigError, StorageError

POLICY_FORMAT = "ilaeda-policy/1"
REWARD_FORMAT = "ilaeda-reward/1"

#: Activation functions by config name.
ACTIVATIONS: dict[str, type[nn.Module]] = {
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
    "elu": nn.ELU,
    "leaky_relu": nn.LeakyReLU,
    "gelu": nn.GELU,
}


def activation_class(name: str) -> type[nn.Module]:
    """The torch activation class of a config name (``tanh``, ``relu``...)."""
    try:
        return ACTIVATIONS[str(name).lower()]
    except KeyError:
        raise ConfigError(f"unknown activation function {name!r}; choose one of {', '.join(ACTIVATIONS)}") from None


def sb3_policy_kwargs(plain: Mapping[str, Any]) -> dict[str, Any]:
    """SB3 ``policy_kwargs`` from their plain form (``activation_fn`` as a name)."""
    kwargs = {k: v for k, v in plain.items() if v is not None}
    net_arch = kwargs.get("net_arch")
    if isinstance(net_arch, Mapping):
        kwargs["net_arch"] = {k: [int(x) for x in v] for k, v in net_arch.items()}
    elif net_arch is not None:
        kwargs["net_arch"] = [int(x) for x in net_arch]
    if "activation_fn" in kwargs:
        kwargs["activation_fn"] = activation_class(kwargs["activation_fn"])
    return kwargs


def build_policy(
    observation_space: gym.Space[np.ndarray], action_space: gym.Space[np.ndarray], plain_kwargs: Mapping[str, Any]
) -> ActorCriticPolicy:
    """A fresh ``ActorCriticPolicy`` (the BC and PPO policy family) from plain kwargs."""
    return ActorCriticPolicy(
        observation_space=observation_space,
        action_space=action_space,
        lr_schedule=lambda _: 0.0,
        **sb3_policy_kwargs(plain_kwargs),
    )


def _plain(value: object) -> object:
    """Metadata as plain JSON-like types (what ``weights_only`` loading accepts)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    return str(value)  # also str subclasses such as torch's TorchVersion (not weights_only-safe)


def _save(payload: Mapping[str, Any], path: Path, what: str) -> Path:
    """``payload`` written atomically to ``path`` (never a partial file under its name, even on a full disk)."""
    buffer = io.BytesIO()
    th.save(dict(payload), buffer)
    try:
        return atomic_write(path, buffer.getvalue())
    except OSError as exc:
        if storage_problem(exc) is None:
            raise
        raise StorageError(storage_message(exc, f"the {what} {path}")) from None


def _whole(exc: BaseException) -> str:
    """An exception's message on one line, whole (torch's mismatch reports span several lines)."""
    return "; ".join(line.strip() for line in str(exc).splitlines() if line.strip()) or type(exc).__name__


def _space_signature(
    observation_space: gym.Space[np.ndarray], action_space: gym.Space[np.ndarray]
) -> tuple[list[int], list[int]]:
    obs_shape = [int(x) for x in (observation_space.shape or ())]
    nvec = getattr(action_space, "nvec", None)
    if nvec is None:
        raise ConfigError(f"only MultiDiscrete action spaces are supported, got {action_space}")
    return obs_shape, [int(x) for x in np.asarray(nvec).ravel()]


def save_policy(
    policy: ActorCriticPolicy,
    path: str | os.PathLike[str],
    *,
    policy_kwargs: Mapping[str, Any],
    metadata: Mapping[str, Any] | None = None,
) -> Path:
    """Write a policy checkpoint (state dict + what is needed to rebuild it)."""
    obs_shape, nvec = _space_signature(policy.observation_space, policy.action_space)
    payload = {
        "format": POLICY_FORMAT,
        "policy_class": "ActorCriticPolicy",
        "observation_shape": obs_shape,
        "action_nvec": nvec,
        "policy_kwargs": _plain(policy_kwargs),
        "metadata": _plain(metadata or {}),
        "state_dict": {k: v.detach().cpu() for k, v in policy.state_dict().items()},
    }
    return _save(payload, Path(path), "policy checkpoint")


def checkpoint_path_problem(path: str | os.PathLike[str], what: str = "checkpoint") -> str | None:
    """Why ``path`` cannot be a checkpoint file (missing, or a folder: then what to pass), or None."""
    path = Path(path)
    if path.is_dir():
        inside = sorted(str(p.relative_to(path)) for p in path.glob("*.pt")) or sorted(
            str(p.relative_to(path)) for p in path.glob("**/policy.pt")
        )
        hint = f" ({', '.join(inside[:3])} lie there)" if inside else ""
        return (
            f"{what} {path} is a folder, not a file; pass the .pt file inside it{hint}, e.g. "
            "<log_dir>/checkpoints/final/policy.pt"
        )
    if not path.is_file():
        return f"{what} {path} not found"
    return None


def read_checkpoint(path: str | os.PathLike[str], expected_format: str) -> dict[str, Any]:
    """Load a checkpoint safely (``weights_only=True``); clear errors for missing or foreign files."""
    path = Path(path)
    problem = checkpoint_path_problem(path)
    if problem:
        raise ConfigError(problem)
    try:
        payload = th.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, ValueError, OSError) as exc:
        raise ConfigError(f"{path} is not an ilaeda checkpoint ({expected_format}): {_whole(exc)}") from None
    if not isinstance(payload, dict) or payload.get("format") != expected_format:
        found = payload.get("format") if isinstance(payload, dict) else type(payload).__name__
        raise ConfigError(f"{path} is not an ilaeda checkpoint: expected format {expected_format!r}, found {found!r}")
    return payload


def policy_metadata(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The metadata stored in a policy checkpoint (algo, split, schema, horizon...)."""
    return dict(read_checkpoint(path, POLICY_FORMAT).get("metadata") or {})


def load_policy(
    path: str | os.PathLike[str], observation_space: gym.Space[np.ndarray], action_space: gym.Space[np.ndarray]
) -> tuple[ActorCriticPolicy, dict[str, Any]]:
    """Rebuild a saved policy for an env with the given spaces; returns ``(policy, metadata)``.

    Raises:
        ConfigError: the file is missing, is not a policy checkpoint, or does not match the spaces.
    """
    payload = read_checkpoint(path, POLICY_FORMAT)
    obs_shape, nvec = _space_signature(observation_space, action_space)
    if list(payload["observation_shape"]) != obs_shape or list(payload["action_nvec"]) != nvec:
        raise ConfigError(
            f"policy {path} does not match the environment: it was trained for observations "
            f"{tuple(payload['observation_shape'])} and actions {list(payload['action_nvec'])}, the env has "
            f"observations {tuple(obs_shape)} and actions {nvec} (another schema?)"
        )
    policy = build_policy(observation_space, action_space, payload.get("policy_kwargs") or {})
    try:
        policy.load_state_dict(payload["state_dict"], strict=True)
    except RuntimeError as exc:
        raise ConfigError(f"policy {path} does not match its recorded architecture: {_whole(exc)}") from None
    policy.set_training_mode(False)
    return policy, dict(payload.get("metadata") or {})


def save_reward_net(net: nn.Module, path: str | os.PathLike[str], metadata: Mapping[str, Any] | None = None) -> Path:
    """Write a reward-net checkpoint (state dict, class name, metadata)."""
    cls = type(net)
    payload = {
        "format": REWARD_FORMAT,
        "net_class": f"{cls.__module__}.{cls.__qualname__}",
        "metadata": _plain(metadata or {}),
        "state_dict": {k: v.detach().cpu() for k, v in net.state_dict().items()},
    }
    return _save(payload, Path(path), "reward-net checkpoint")
