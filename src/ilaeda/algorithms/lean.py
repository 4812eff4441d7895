"""Less torch overhead per step for the small networks of training, with the same numbers computed.

The networks are tiny (50-50-50 MLPs, minibatches of 32), so a gradient step costs torch's Python
dispatch more than arithmetic. :func:`lean_torch` turns off what only checks (distribution argument
validation: every ``Categorical`` re-checks its logits, every ``log_prob`` its sample) and sets the
thread count; :func:`foreach_optimizer` makes an optimiser update all its parameters in one multi-tensor
call instead of a Python loop over them (the same element-wise operations in the same order).
"""

from __future__ import annotations

import torch as th


def lean_torch(num_threads: int) -> None:
    """``num_threads`` intra-op threads; no distribution argument validation (it computes nothing)."""
    th.set_num_threads(int(num_threads))
    th.distributions.Distribution.set_default_validate_args(False)


def foreach_optimizer(optimizer: th.optim.Optimizer) -> th.optim.Optimizer:
    """``optimizer`` updating its parameters with torch's multi-tensor (``foreach``) kernels."""
    for group in optimizer.param_groups:
        if "foreach" in group:
            group["foreach"] = True
    return optimizer
