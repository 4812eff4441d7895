"""The environment's options as one value: what STOP does, the observation, the action masks, the horizon.

:class:`EnvOptions` is the one definition of these options and of their defaults. The Sacred environment
ingredient builds it from its config, and the env, the demonstrations, the replays, the session oracle,
policy checkpoints and ``eval_policy`` all take it (``docs/environment.md``, "Options").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from ilaeda.contract import check_positive_int
from ilaeda.errors import ConfigError

#: What STOP does (see :mod:`ilaeda.envs.eda_env`).
EPISODE_ENDS = ("absorbing", "terminate", "no_stop")


@dataclasses.dataclass(frozen=True)
class EnvOptions:
    """How an :class:`~ilaeda.envs.EDAEnv` episode runs and what it observes.

    Attributes:
        horizon: steps per episode (at most, with ``episode_end="terminate"``).
        episode_end: what STOP does: ``"terminate"`` (ends the episode; chosen by the episode-end study),
            ``"absorbing"`` (fixed horizon, a canonical absorbing state after STOP) or ``"no_stop"``.
        observe_step: add the step index and the stack depth (÷ horizon) to the observation.
        mask_back_at_root: the action masks forbid BACK at the root.
        min_length: the action masks forbid STOP before this many actions (0 to ``horizon``).
    """

    horizon: int = 12
    episode_end: str = "terminate"
    observe_step: bool = False
    mask_back_at_root: bool = False
    min_length: int = 0

    def validate(self, prefix: str = "") -> EnvOptions:
        """Return ``self`` when every option is valid; else raise a one-line ConfigError naming
        ``<prefix><option>`` and what to write instead.
        """
        check_positive_int(self.horizon, f"{prefix}horizon", error=ConfigError)
        if self.episode_end not in EPISODE_ENDS:
            raise ConfigError(f"{prefix}episode_end must be one of {', '.join(EPISODE_ENDS)}, got {self.episode_end!r}")
        for name in ("observe_step", "mask_back_at_root"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"{prefix}{name} must be true or false, got {getattr(self, name)!r}")
        check_positive_int(self.min_length, f"{prefix}min_length", minimum=0, error=ConfigError)
        if self.min_length > self.horizon:
            raise ConfigError(
                f"{prefix}min_length={self.min_length} is longer than the horizon ({self.horizon}): no session "
                f"could stop; use a min_length from 0 to {self.horizon}"
            )
        return self

    def replace(self, **changes: Any) -> EnvOptions:  # the fields' own types, checked by validate
        """A validated copy with ``changes``; ``None`` values are ignored (the option keeps its value)."""
        given = {key: value for key, value in changes.items() if value is not None}
        unknown = sorted(set(given) - set(OPTION_NAMES))
        if unknown:
            raise ConfigError(f"unknown env option(s) {', '.join(unknown)}; use {', '.join(OPTION_NAMES)}")
        return dataclasses.replace(self, **given).validate()

    @property
    def allow_stop(self) -> bool:
        """Whether the action space has STOP."""
        return self.episode_end != "no_stop"

    @property
    def variable_horizon(self) -> bool:
        """Whether episodes vary in length (imitation's ``allow_variable_horizon`` is then needed)."""
        return self.episode_end == "terminate"

    def to_json(self) -> dict[str, Any]:
        """The plain JSON form (what checkpoints record and ``eval_policy`` reads)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: object, prefix: str = "env_options.", base: EnvOptions | None = None) -> EnvOptions:
        """Options from their JSON form; absent keys keep ``base``'s values (default: the defaults).

        Unknown keys and wrong types are refused (``prefix`` names them in the message).
        """
        if not isinstance(data, Mapping):
            raise ConfigError(f"{prefix.rstrip('.')} must be an object such as {{'episode_end': 'terminate'}}")
        unknown = sorted(set(map(str, data)) - set(OPTION_NAMES))
        if unknown:
            raise ConfigError(f"{prefix}{unknown[0]} is not an env option; use {', '.join(OPTION_NAMES)}")
        return dataclasses.replace(base or cls(), **dict(data)).validate(prefix)


#: The option names, in order.
OPTION_NAMES: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(EnvOptions))


def resolve_options(options: EnvOptions | None = None, **given: Any) -> EnvOptions:
    """``options`` (default: :class:`EnvOptions`'s defaults) with the options given as keywords (``None``:
    not given) — how the consumers that still take single keywords map them onto one value.
    """
    return (options or EnvOptions()).replace(**given)
