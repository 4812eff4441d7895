"""The gymnasium EDA environment (registered as ``ilaeda/EDA-v0``), its action codec and penalty, and its options."""

import gymnasium as gym

from ilaeda.eda.coherence import coherence_penalty
from ilaeda.envs.codec import ACTION_TYPES, ActionCodec
from ilaeda.envs.eda_env import STACKED_DISPLAYS, EDAEnv
from ilaeda.envs.options import EPISODE_ENDS, EnvOptions

ENV_ID = "ilaeda/EDA-v0"

if ENV_ID not in gym.registry:
    gym.register(id=ENV_ID, entry_point="ilaeda.envs.eda_env:EDAEnv")

__all__ = [
    "ACTION_TYPES",
    "ENV_ID",
    "EPISODE_ENDS",
    "STACKED_DISPLAYS",
    "ActionCodec",
    "EDAEnv",
    "EnvOptions",
    "coherence_penalty",
]
