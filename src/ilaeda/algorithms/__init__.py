"""Library code under the experiments (no Sacred here).

* :mod:`~ilaeda.algorithms.penalty`: the coherence-penalised learned reward (``PenalizedGAIL``,
  ``PenalizedAIRL``, ``CoherencePenaltyWrapper``);
* :mod:`~ilaeda.algorithms.session_oracle`: the session-oracle expert for DAgger (an approximate
  expert), registered in imitation's ``policy_registry`` as ``"eda-sessions"`` on import;
* :mod:`~ilaeda.algorithms.serialize`: state-dict checkpoints safe to load with ``weights_only=True``;
* :mod:`~ilaeda.algorithms.rollout`: session generation with a policy, env step timing;
* :mod:`~ilaeda.algorithms.lean`: less torch overhead per training step, the same numbers computed.
"""

from ilaeda.algorithms.penalty import (
    CoherencePenaltyWrapper,
    PenalizedAIRL,
    PenalizedGAIL,
    install_coherence_penalty,
)
from ilaeda.algorithms.rollout import GeneratedSession, StepTimer, generate_sessions
from ilaeda.algorithms.serialize import build_policy, load_policy, policy_metadata, save_policy, save_reward_net
from ilaeda.algorithms.session_oracle import REGISTRY_KEY, SessionOracle, load_session_oracle, register

register()

__all__ = [
    "REGISTRY_KEY",
    "CoherencePenaltyWrapper",
    "GeneratedSession",
    "PenalizedAIRL",
    "PenalizedGAIL",
    "SessionOracle",
    "StepTimer",
    "build_policy",
    "generate_sessions",
    "install_coherence_penalty",
    "load_policy",
    "load_session_oracle",
    "policy_metadata",
    "register",
    "save_policy",
    "save_reward_net",
]
