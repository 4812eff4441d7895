"""One canonical absorbing action for the discriminator.

In the absorbing state after STOP (``episode_end="absorbing"``) the env ignores actions, so the
generator's actions there are noise while the expert's padded transitions carry the STOP label. A
discriminator that saw them could tell expert from generator by that noise alone, and the reward of
stopping would be an accident. :class:`AbsorbingActionMask` zeroes the (one-hot) action features of every
transition whose state is absorbing, so expert and generator absorbing steps look the same.
"""

from __future__ import annotations

import torch as th
from imitation.rewards.reward_nets import ForwardWrapper, RewardNet


class AbsorbingActionMask(ForwardWrapper):
    """Wraps a reward net; action features are zeroed where ``state[:, indicator] == 1``.

    Args:
        base: the reward net (it must use actions one-hot encoded, as imitation's nets do).
        indicator: index of the absorbing indicator in the flat observation.
    """

    def __init__(self, base: RewardNet, indicator: int) -> None:
        super().__init__(base)
        self.indicator = int(indicator)

    def forward(self, state: th.Tensor, action: th.Tensor, next_state: th.Tensor, done: th.Tensor) -> th.Tensor:
        live = 1.0 - th.flatten(state, 1)[:, self.indicator]
        masked = action * live.reshape((-1,) + (1,) * (action.dim() - 1))
        reward: th.Tensor = self.base(state, masked, next_state, done)
        return reward
