"""The EDA environment (gymnasium 0.29 API).

An episode is an analysis session of at most ``horizon`` actions (default 12) on one dataset, drawn
with the env's RNG from ``datasets`` at each reset. The reward is 0: learning signal comes from the
imitation algorithms; ``info["coherence_penalty"]`` carries the ILAEDA penalty of each step.

Observation (``Box``, float32): the display vectors of the last :data:`STACKED_DISPLAYS` views
(zero-padded), an absorbing indicator, and with ``observe_step=True`` the step index and the stack
depth, both divided by the horizon. See :func:`compose_observation`.

What STOP does is the ``episode_end`` option (one of :class:`~ilaeda.envs.options.EnvOptions`, with the
horizon, the step features and the action masks):

* ``"absorbing"`` (fixed horizon): STOP ends the analysis and the rest of the episode is absorbing —
  actions are ignored, penalties are 0, and every observation is the one canonical absorbing state
  (displays zeroed, indicator 1; Kostrikov et al., *Discriminator-Actor-Critic*, ICLR 2019), so a
  discriminator can learn when experts stop. ``truncated`` comes at the horizon, so episodes never vary
  in length.
* ``"terminate"`` (the default; the prior system's semantics): STOP sets ``terminated``; episodes vary in length
  (imitation's ``allow_variable_horizon`` is needed).
* ``"no_stop"`` (the benchmark's own setting): the action space has no STOP, every session has exactly
  ``horizon`` actions.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from ilaeda.data.schema import Schema, load_schema
from ilaeda.data.sessions import Action, Back, Stop, action_to_json, render_session
from ilaeda.data.splits import Split, parse_split
from ilaeda.eda.coherence import coherence_penalty
from ilaeda.eda.display import Display
from ilaeda.eda.engine import DisplayEngine
from ilaeda.eda.state import SessionStack
from ilaeda.envs.codec import ActionCodec
from ilaeda.envs.options import EnvOptions, resolve_options
from ilaeda.errors import ConfigError

#: Number of most recent displays stacked in an observation.
STACKED_DISPLAYS = 3
#: Extra features after the stacked displays: the absorbing indicator, then (optionally) step and depth.
N_STEP_FEATURES = 2


def compose_observation(
    displays: np.ndarray, *, absorbing: bool, step: int, depth: int, horizon: int, observe_step: bool
) -> np.ndarray:
    """The observation: stacked display vectors, absorbing indicator, optional step/depth features.

    The absorbing state is one canonical vector (zeros and the indicator) whatever led to it.
    """
    extra = N_STEP_FEATURES if observe_step else 0
    out = np.zeros(len(displays) + 1 + extra, dtype=np.float32)
    if absorbing:
        out[len(displays)] = 1.0
        return out
    out[: len(displays)] = displays
    if observe_step:
        out[len(displays) + 1] = min(step / horizon, 1.0)
        out[len(displays) + 2] = min(depth / horizon, 1.0)
    return out


def _display_bounds(n_columns: int) -> tuple[np.ndarray, np.ndarray]:
    low = np.concatenate([np.zeros(3 * n_columns), -np.ones(n_columns), np.zeros(3)])
    high = np.concatenate([np.ones(3 * n_columns), 2 * np.ones(n_columns), np.ones(3)])
    return low, high


class EDAEnv(gym.Env[np.ndarray, np.ndarray]):
    """Exploratory data analysis on the tables of one schema.

    Args:
        schema: schema name or object (``"cyber"``).
        datasets: dataset numbers an episode may be drawn from (training datasets only).
        horizon: steps per episode (overrides ``options.horizon``).
        data_dir: where the data lives (see :mod:`ilaeda.data.locate`).
        render_mode: ``"ansi"`` makes :meth:`render` return the session as text.
        options: the env options (:class:`~ilaeda.envs.options.EnvOptions`; default: its defaults).
        episode_end, observe_step, mask_back_at_root, min_length: single options, overriding ``options``'s
            (what STOP does: ``"terminate"``, ``"absorbing"`` or ``"no_stop"``, module docstring; step and
            depth features; :meth:`action_masks` forbids BACK at the root / STOP before ``min_length`` actions).
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["ansi"]}  # type: ignore[misc]  # as gymnasium does

    def __init__(
        self,
        schema: str | Schema = "cyber",
        datasets: Sequence[int] = (1,),
        horizon: int | None = None,
        data_dir: str | os.PathLike[str] | None = None,
        render_mode: str | None = None,
        *,
        options: EnvOptions | None = None,
        episode_end: str | None = None,
        observe_step: bool | None = None,
        mask_back_at_root: bool | None = None,
        min_length: int | None = None,
    ) -> None:
        self.schema = load_schema(schema)
        if isinstance(datasets, (int, str)):
            datasets = (int(datasets),)
        if not datasets:
            raise ConfigError("EDAEnv needs at least one dataset")
        self.datasets = tuple(self.schema.check_dataset(d) for d in datasets)
        self.options = resolve_options(
            options,
            horizon=horizon,
            episode_end=episode_end,
            observe_step=observe_step,
            mask_back_at_root=mask_back_at_root,
            min_length=min_length,
        )
        self.horizon = self.options.horizon
        self.episode_end = self.options.episode_end
        self.observe_step = self.options.observe_step
        self.mask_back_at_root = self.options.mask_back_at_root
        self.min_length = self.options.min_length
        self.data_dir = data_dir
        self.render_mode = render_mode
        self.codec = ActionCodec(self.schema, allow_stop=self.options.allow_stop)
        self.action_space = spaces.MultiDiscrete(self.codec.nvec)
        low, high = _display_bounds(self.schema.n_columns)
        self.display_size = len(low)
        extra = 1 + (N_STEP_FEATURES if self.observe_step else 0)
        self.observation_space = spaces.Box(
            np.concatenate([np.tile(low, STACKED_DISPLAYS), np.zeros(extra)]).astype(np.float32),
            np.concatenate([np.tile(high, STACKED_DISPLAYS), np.ones(extra)]).astype(np.float32),
            dtype=np.float32,
        )
        self._engines: dict[int, DisplayEngine] = {}
        self.dataset = self.datasets[0]
        self._reset_session()

    @classmethod
    def for_split(cls, split: str | Split, part: str = "train", **kwargs: Any) -> EDAEnv:  # kwargs: EDAEnv's
        """An env over the training (``part="train"``) or evaluation datasets of a split."""
        parsed = parse_split(split)
        return cls(schema=parsed.schema, datasets=parsed.datasets(part), **kwargs)

    # ------------------------------------------------------------------------------- internals
    def engine(self, dataset: int | None = None) -> DisplayEngine:
        """The display engine of a dataset of this env (loaded on first use)."""
        number = self.dataset if dataset is None else dataset
        if number not in self.datasets:
            raise ConfigError(f"dataset {number} is not one of this env's datasets {self.datasets}")
        if number not in self._engines:
            self._engines[number] = DisplayEngine.for_dataset(self.schema, number, self.data_dir)
        return self._engines[number]

    def _reset_session(self) -> None:
        self.stack = SessionStack()
        self.actions: list[Action] = []
        self.steps = 0
        self.stopped = False
        self._recent: list[np.ndarray] = []

    def displays_vector(self) -> np.ndarray:
        """The stacked display vectors of the last views (zero-padded), without the extra features."""
        pad = [np.zeros(self.display_size, np.float32)] * (STACKED_DISPLAYS - len(self._recent))
        return np.concatenate(pad + self._recent[-STACKED_DISPLAYS:])

    def _observation(self) -> np.ndarray:
        return compose_observation(
            self.displays_vector(),
            absorbing=self.stopped,
            step=self.steps,
            depth=self.stack.depth,
            horizon=self.horizon,
            observe_step=self.observe_step,
        )

    def _push_display(self, display: Display) -> None:
        self._recent.append(display.vector)
        if len(self._recent) > STACKED_DISPLAYS:
            del self._recent[0]

    @property
    def masks_active(self) -> bool:
        """Whether :meth:`action_masks` forbids anything (BACK at the root, an early STOP)."""
        return self.mask_back_at_root or (self.min_length > 0 and self.codec.allow_stop)

    def action_masks(self) -> np.ndarray:
        """Allowed values of each action component, concatenated (sb3-contrib's MaskablePPO format).

        Only the action type is ever masked: BACK at the root (``mask_back_at_root``) and STOP before
        ``min_length`` actions. In the absorbing state everything is allowed (actions are ignored).
        """
        mask = np.ones(int(self.codec.nvec.sum()), dtype=bool)
        if self.stopped:
            return mask
        if self.mask_back_at_root and self.stack.depth == 0:
            mask[0] = False
        if self.codec.allow_stop and len(self.actions) < self.min_length:
            mask[3] = False
        return mask

    @property
    def session(self) -> list[Action]:
        """The actions taken so far, up to STOP."""
        return list(self.actions)

    @property
    def current_display(self) -> Display:
        return self.engine().display(self.stack.current)

    # ------------------------------------------------------------------------------ gym API
    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        options = options or {}
        if "dataset" in options:
            self.dataset = self.schema.check_dataset(options["dataset"])
            if self.dataset not in self.datasets:
                raise ConfigError(f"dataset {self.dataset} is not one of this env's datasets {self.datasets}")
        else:
            self.dataset = self.datasets[int(self.np_random.integers(len(self.datasets)))]
        self._reset_session()
        self._push_display(self.current_display)
        return self._observation(), {"dataset": self.dataset}

    def step(self, action: np.ndarray) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        if self.stopped:
            return self._absorbing_step()
        decoded = self.codec.decode(np.asarray(action), self.engine(), self.stack.current, self.np_random)
        return self.step_action(decoded)

    def step_action(self, action: Action) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Take a concrete action (e.g. a recorded expert action with its real term)."""
        if self.stopped:
            return self._absorbing_step()
        self.steps += 1
        info: dict[str, Any] = {"dataset": self.dataset, "action": action_to_json(action)}
        if isinstance(action, Stop):
            if self.episode_end == "no_stop":
                raise ConfigError("this env has no STOP (episode_end='no_stop')")
            self.stopped = True
            info["coherence_penalty"] = 0.0
        else:
            was_at_root = self.stack.depth == 0
            self.actions.append(action)
            self.stack.apply(action)
            self._push_display(self.current_display)
            info["coherence_penalty"] = coherence_penalty(self.actions, was_at_root)
            if isinstance(action, Back):
                info["back_at_root"] = was_at_root
        return self._finish(info)

    def _absorbing_step(self) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        self.steps += 1
        return self._finish(
            {"dataset": self.dataset, "action": {"type": "stop"}, "coherence_penalty": 0.0, "absorbing": True}
        )

    def _finish(self, info: dict[str, Any]) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        terminated = self.stopped and self.episode_end == "terminate"
        truncated = not terminated and self.steps >= self.horizon
        if terminated or truncated:
            info["session"] = [action_to_json(a) for a in self.actions]
            info["session_text"] = render_session(self.actions)
        return self._observation(), 0.0, terminated, truncated, info

    def render(self) -> str | None:  # type: ignore[override]  # ansi mode renders text
        """The session so far as numbered text lines (``render_mode="ansi"``)."""
        header = f"{self.schema.name} dataset {self.dataset}, step {self.steps}/{self.horizon}"
        lines = render_session(self.actions) + (["    STOP"] if self.stopped else [])
        return "\n".join([header, *lines])
