"""Expert ingredient: the policy DAgger queries, looked up in imitation's ``policy_registry``.

Default ``policy_type="eda-sessions"``: the session oracle (:mod:`ilaeda.algorithms.session_oracle`),
an APPROXIMATE expert answering with the recorded action of the nearest recorded state of the split's
training demonstrations. The command hands it the run's split, its one
:class:`~ilaeda.envs.options.EnvOptions` and the demonstrations ingredient's loader keywords, so the oracle
answers from the split's training demonstrations loaded as the trainer's are (all of them, not the
``n_expert_demos`` sample); ``loader_kwargs`` holds only explicit overrides.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from imitation.policies import serialize
from stable_baselines3.common.policies import BasePolicy
from stable_baselines3.common.vec_env import VecEnv

import ilaeda.algorithms  # registers "eda-sessions"
import ilaeda.synthetic.expert  # noqa: F401  (registers "scripted": a scripted analyst, docs/synthetic.md)
from ilaeda.algorithms.session_oracle import REGISTRY_KEY
from ilaeda.data.splits import Split
from ilaeda.envs.options import EnvOptions
from ilaeda.errors import ConfigError
from ilaeda.scripts._sacred import sacred

expert_ingredient = sacred.Ingredient("expert")


@expert_ingredient.config
def config() -> None:
    policy_type = REGISTRY_KEY  # a key of imitation's policy_registry
    loader_kwargs = {}  # type: ignore[var-annotated]  # a Sacred config scope  # overrides of the loader arguments (eda-sessions: load_demonstrations keywords)
    locals()  # quieten linters: every local is a config entry


@expert_ingredient.capture
def get_expert_policy(
    venv: VecEnv,
    policy_type: str,
    loader_kwargs: dict[str, Any],
    *,
    split: Split,
    options: EnvOptions,
    data_dir: str | None,
    demonstration_kwargs: Mapping[str, Any],
) -> BasePolicy:
    """Load the expert named by ``policy_type`` for ``venv``.

    The session oracle loads ``split``'s training demonstrations for an env with ``options`` as the
    demonstrations ingredient does (``demonstration_kwargs``); ``expert.loader_kwargs`` override them.
    """
    if policy_type not in serialize.policy_registry.keys():
        raise ConfigError(
            f"unknown expert.policy_type {policy_type!r}; registered: "
            f"{', '.join(sorted(serialize.policy_registry.keys()))}"
        )
    kwargs = dict(loader_kwargs)
    if policy_type == REGISTRY_KEY:
        kwargs = {"split": split.name, "options": options, "data_dir": data_dir, **demonstration_kwargs, **kwargs}
    try:
        return serialize.load_policy(policy_type, venv, **kwargs)
    except TypeError as exc:
        raise ConfigError(f"expert.loader_kwargs do not fit policy type {policy_type!r}: {exc}") from None
