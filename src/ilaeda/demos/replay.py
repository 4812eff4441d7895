"""Replay sessions through the environment into imitation trajectories.

Each recorded action is applied with its real term (``EDAEnv.step_action``), so the next observation
is the view the analyst saw; the action label is the codec's vector (the term's frequency bin).
Episodes have a fixed horizon: a session shorter than the horizon ends with STOP and is padded with
absorbing steps (STOP labels); a longer one is cut to its first ``horizon`` actions
(``long_sessions="cut"``) or split into windows of ``horizon`` steps (``"windows"``, starting every
``window_stride`` steps; later windows start mid-session). A replay stores the stacked display vectors
and the stack depth of every step; :meth:`ReplaySet.trajectories` composes the observations of the env
the trajectories are for (:func:`ilaeda.envs.eda_env.compose_observation`: absorbing indicator, optional
step/depth features, and the episode-end semantics).

Representability of an expert action (the codec's terms, :mod:`ilaeda.eda.terms`):

* ``exact``: BACK/GROUP always; a filter whose term is one of the view's candidate terms;
* ``view``: the term is not a candidate, but a candidate term of the same column and operator keeps
  exactly the same rows (or the view is already empty, where every term keeps nothing) — the
  label then carries that candidate's bin, so the action space reproduces the analyst's view;
* ``none``: no candidate reproduces the view (typically a filter whose result is empty or that
  removes nothing); the label carries the codec's fallback bin (the share of rows kept).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Literal

import numpy as np

from ilaeda.contract import check_positive_int
from ilaeda.data.schema import Schema
from ilaeda.data.sessions import Action, Filter, Session, Stop
from ilaeda.eda.engine import DisplayEngine
from ilaeda.eda.state import State
from ilaeda.eda.terms import position_bin
from ilaeda.envs import EDAEnv
from ilaeda.envs.eda_env import compose_observation
from ilaeda.envs.options import EnvOptions, resolve_options
from ilaeda.errors import ConfigError

if TYPE_CHECKING:
    from imitation.data.types import Trajectory

#: Representability levels (stored as int8).
REPR_NONE, REPR_VIEW, REPR_EXACT = 0, 1, 2
REPR_NAMES = ("none", "view", "exact")
#: Step kinds (stored as int8): an expert action, the STOP closing a short session, an absorbing step.
STEP_EXPERT, STEP_STOP, STEP_ABSORBING = 0, 1, 2
STEP_NAMES = ("expert", "stop", "absorbing")
#: Effect of an expert filter on its view (stored as int8; 0 for other actions).
EFFECT_NAMES = ("", "narrow the view", "empty the view", "keep every row", "act on an empty view")
#: Action type codes (the action vector's first component).
TYPE_NAMES = ("back", "filter", "group", "stop")
#: Candidate terms checked for a view-equivalent term, nearest kept-row count first.
MAX_EQUIVALENCE_CHECKS = 64

LongSessions = Literal["cut", "windows"]
Absorbing = Literal["keep", "drop"]


@dataclass(frozen=True)
class ReplaySet:
    """Replays of the sessions of one dataset (concatenated arrays, one segment per session).

    Per session ``i``: ``steps[i]`` env steps (a multiple of the horizon), ``steps[i] + 1``
    stacked display vectors and stack depths, ``n_actions[i]`` expert actions (before any cut).
    """

    schema: str
    dataset: int
    horizon: int
    names: tuple[str, ...]
    steps: np.ndarray  # (S,) int64
    n_actions: np.ndarray  # (S,) int64
    obs: np.ndarray  # (sum(steps + 1), D) float32, stacked display vectors
    depth: np.ndarray  # (sum(steps + 1),) int16, stack depth of each observation
    acts: np.ndarray  # (sum(steps), 6) int64
    step_kind: np.ndarray  # (sum(steps),) int8
    action_type: np.ndarray  # (sum(n_actions),) int8, per expert action
    representable: np.ndarray  # (sum(n_actions),) int8, per expert action
    effect: np.ndarray  # (sum(n_actions),) int8, per expert action (:data:`EFFECT_NAMES`)

    def __len__(self) -> int:
        return len(self.names)

    @cached_property
    def _offsets(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        act = np.concatenate([[0], np.cumsum(self.steps)])
        obs = act + np.arange(len(act))
        expert = np.concatenate([[0], np.cumsum(self.n_actions)])
        return obs, act, expert

    def session(self, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(obs, acts, step_kind)`` of one session's full replay (``obs``: stacked display vectors)."""
        obs_off, act_off, _ = self._offsets
        return (
            self.obs[obs_off[index] : obs_off[index + 1]],
            self.acts[act_off[index] : act_off[index + 1]],
            self.step_kind[act_off[index] : act_off[index + 1]],
        )

    def depths(self, index: int) -> np.ndarray:
        """Stack depth of each observation of one session's replay."""
        obs_off, _, _ = self._offsets
        return self.depth[obs_off[index] : obs_off[index + 1]]

    def expert_flags(self, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(action_type, representable, effect)`` of one session's expert actions."""
        _, _, off = self._offsets
        sl = slice(off[index], off[index + 1])
        return self.action_type[sl], self.representable[sl], self.effect[sl]

    def trajectories(
        self,
        indices: Sequence[int] | None = None,
        long_sessions: LongSessions = "cut",
        absorbing: Absorbing = "keep",
        *,
        options: EnvOptions | None = None,
        episode_end: str | None = None,
        observe_step: bool | None = None,
        window_stride: int | None = None,
    ) -> list[Trajectory]:
        """Trajectories of the selected sessions (all by default), in order.

        Args:
            indices: sessions to use (default: all).
            long_sessions: ``"cut"`` (first window only) or ``"windows"`` (a window every ``window_stride``
                steps while it starts on an expert action).
            absorbing: ``"keep"`` pads each trajectory to the horizon with its absorbing steps (canonical
                absorbing observation, STOP label); ``"drop"`` ends it with its STOP.
            options: the options of the env the trajectories are for (default: :class:`EnvOptions`'s, with
                this replay's horizon, which ``options.horizon`` must equal). Its ``episode_end``:
                ``"absorbing"`` (as ``absorbing`` says), ``"terminate"`` (end at STOP), ``"no_stop"`` (only
                windows of ``horizon`` expert actions, no STOP); ``observe_step`` adds the step-index and
                stack-depth features (as the env does).
            episode_end: overrides ``options.episode_end``.
            observe_step: overrides ``options.observe_step``.
            window_stride: steps between window starts (default: the horizon).
        """
        if long_sessions not in ("cut", "windows"):
            raise ConfigError(f"unknown long_sessions {long_sessions!r}; use 'cut' or 'windows'")
        if absorbing not in ("keep", "drop"):
            raise ConfigError(f"unknown absorbing {absorbing!r}; use 'keep' or 'drop'")
        opts = resolve_options(
            options, horizon=None if options else self.horizon, episode_end=episode_end, observe_step=observe_step
        )
        if opts.horizon != self.horizon:
            raise ConfigError(
                f"env options have horizon {opts.horizon} but these replays were made with horizon {self.horizon}; "
                "replay with the env's horizon"
            )
        episode_end, observe_step = opts.episode_end, opts.observe_step
        h = self.horizon
        stride = check_positive_int(window_stride, "window_stride", error=ConfigError, none="or None (the horizon)")
        stride = h if stride is None else stride
        from imitation.data.types import Trajectory  # imports torch: only when trajectories are needed

        out: list[Trajectory] = []
        for i in range(len(self)) if indices is None else indices:
            obs, acts, kinds = self.session(i)
            depth = self.depths(i)
            repr_flags = self.expert_flags(i)[1]
            n_expert = int(self.n_actions[i])
            starts = [0] if long_sessions == "cut" else range(0, max(n_expert, 1), stride)
            for start in starts:
                end = start + h
                if end > len(acts):
                    break
                if episode_end == "no_stop":
                    if np.any(kinds[start:end] != STEP_EXPERT):
                        continue
                elif absorbing == "drop" or episode_end == "terminate":
                    stops = np.flatnonzero(kinds[start:end] == STEP_STOP)
                    end = start + int(stops[0]) + 1 if len(stops) else end
                sl = slice(start, end)
                stopped = np.concatenate([[False], np.cumsum(kinds[sl] != STEP_EXPERT) > 0])
                composed = np.stack(
                    [
                        compose_observation(
                            obs[start + j],
                            absorbing=bool(stopped[j]),
                            step=j,
                            depth=int(depth[start + j]),
                            horizon=h,
                            observe_step=observe_step,
                        )
                        for j in range(end - start + 1)
                    ]
                )
                infos = np.array(
                    [
                        {
                            "dataset": self.dataset,
                            "session": self.names[i],
                            "step": t,
                            "kind": STEP_NAMES[kinds[t]],
                            "representable": REPR_NAMES[repr_flags[t]] if kinds[t] == STEP_EXPERT else None,
                        }
                        for t in range(sl.start, sl.stop)
                    ],
                    dtype=object,
                )
                out.append(Trajectory(obs=composed, acts=acts[sl].copy(), infos=infos, terminal=True))
        return out


def replay_env(schema: Schema, data_dir: str | os.PathLike[str] | None = None) -> EDAEnv:
    """An env over all datasets of ``schema`` with a horizon long enough for any session (absorbing steps
    after STOP, which replays record).
    """
    options = EnvOptions(horizon=1_000_000, episode_end="absorbing")
    return EDAEnv(schema=schema, datasets=tuple(sorted(schema.datasets)), options=options, data_dir=data_dir)


def _total_steps(n_actions: int, horizon: int) -> int:
    """Env steps of a replay: whole horizons, with room for STOP when the session does not fill them."""
    return max(horizon, horizon * -(-n_actions // horizon))


def replay_sessions(
    sessions: Sequence[Session],
    schema: Schema,
    dataset: int,
    *,
    horizon: int = 12,
    data_dir: str | os.PathLike[str] | None = None,
    env: EDAEnv | None = None,
) -> ReplaySet:
    """Replay sessions (actions up to any STOP) on one dataset.

    Raises:
        ConfigError: bad horizon, unknown dataset, or an action naming a column outside the schema.
    """
    dataset = schema.check_dataset(dataset)
    if int(horizon) < 1:
        raise ConfigError(f"horizon must be >= 1, got {horizon}")
    horizon = int(horizon)
    env = env or replay_env(schema, data_dir)
    stop_vector = np.array([3, 0, 0, 0, 0, 0], dtype=np.int64)
    obs_parts, depth_parts, act_parts, kind_parts, type_parts, repr_parts, effect_parts = [], [], [], [], [], [], []
    steps, n_actions = [], []
    for session in sessions:
        actions = session.until_stop()
        total = _total_steps(len(actions), horizon)
        env.reset(seed=0, options={"dataset": dataset})
        engine = env.engine()
        observations, depths = [env.displays_vector()], [env.stack.depth]
        acts = np.zeros((total, 6), dtype=np.int64)
        kinds = np.full(total, STEP_ABSORBING, dtype=np.int8)
        types = np.zeros(len(actions), dtype=np.int8)
        reprs = np.zeros(len(actions), dtype=np.int8)
        effects = np.zeros(len(actions), dtype=np.int8)
        for t, action in enumerate(actions):
            vector, level = encode_action(env, engine, env.stack.current, action)
            acts[t], kinds[t], types[t], reprs[t] = vector, STEP_EXPERT, vector[0], level
            if isinstance(action, Filter):
                effects[t] = filter_effect(engine, env.stack.current, action)
            env.step_action(action)
            observations.append(env.displays_vector())
            depths.append(env.stack.depth)
        for t in range(len(actions), total):
            acts[t] = stop_vector
            if t == len(actions):
                kinds[t] = STEP_STOP
                env.step_action(Stop())
            else:
                env.step(stop_vector)
            observations.append(env.displays_vector())
            depths.append(env.stack.depth)
        obs_parts.append(np.asarray(observations, dtype=np.float32))
        depth_parts.append(np.asarray(depths, dtype=np.int16))
        act_parts.append(acts)
        kind_parts.append(kinds)
        type_parts.append(types)
        repr_parts.append(reprs)
        effect_parts.append(effects)
        steps.append(total)
        n_actions.append(len(actions))
    dim = len(env.displays_vector())

    def cat(parts: list[np.ndarray], empty: np.ndarray) -> np.ndarray:
        return np.concatenate(parts) if parts else empty

    return ReplaySet(
        schema=schema.name,
        dataset=dataset,
        horizon=horizon,
        names=tuple(s.name for s in sessions),
        steps=np.asarray(steps, dtype=np.int64),
        n_actions=np.asarray(n_actions, dtype=np.int64),
        obs=cat(obs_parts, np.zeros((0, dim), np.float32)),
        depth=cat(depth_parts, np.zeros(0, np.int16)),
        acts=cat(act_parts, np.zeros((0, 6), np.int64)),
        step_kind=cat(kind_parts, np.zeros(0, np.int8)),
        action_type=cat(type_parts, np.zeros(0, np.int8)),
        representable=cat(repr_parts, np.zeros(0, np.int8)),
        effect=cat(effect_parts, np.zeros(0, np.int8)),
    )


def encode_action(env: EDAEnv, engine: DisplayEngine, state: State, action: Action) -> tuple[np.ndarray, int]:
    """Action vector of a recorded action in ``state`` and its representability level."""
    encoded = env.codec.encode(action, engine, state)
    vector = np.asarray(encoded.vector, dtype=np.int64)
    if encoded.representable:
        return vector, REPR_EXACT
    if not isinstance(action, Filter):
        return vector, REPR_NONE
    position = equivalent_position(engine, state, action)
    if position is None:
        return vector, REPR_NONE
    vector = vector.copy()
    vector[3] = position_bin(position)
    return vector, REPR_VIEW


def filter_effect(engine: DisplayEngine, state: State, action: Filter) -> int:
    """Index in :data:`EFFECT_NAMES` of what ``action`` does to the view of ``state``."""
    n = int(engine.view_mask(state.filters).sum())
    if n == 0:
        return 4
    kept = int(engine.view_mask((*state.filters, action)).sum())
    return 2 if kept == 0 else 3 if kept == n else 1


def equivalent_position(engine: DisplayEngine, state: State, action: Filter) -> float | None:
    """Position of a candidate term (same column and operator) keeping exactly the rows ``action`` keeps.

    In an empty view every term keeps nothing, so the action is reproduced by any vector (position 0).
    Candidates are checked nearest kept-row count first, at most :data:`MAX_EQUIVALENCE_CHECKS`.
    """
    n = int(engine.view_mask(state.filters).sum())
    if n == 0:
        return 0.0
    target = engine.view_mask((*state.filters, action))
    kept = int(target.sum())
    candidates = engine.term_candidates(state.filters, action.column, action.operator)
    if not candidates.terms:
        return None
    positions = np.asarray(candidates.positions, dtype=np.float64)
    if candidates.tokens:
        estimate = positions * n
    else:
        counts = np.diff(np.concatenate([[0.0], positions])) * n
        estimate = counts if action.operator == "EQ" else n - counts if action.operator == "NEQ" else positions * n
    for index in np.argsort(np.abs(estimate - kept), kind="stable")[:MAX_EQUIVALENCE_CHECKS]:
        rows = engine.view_mask((*state.filters, Filter(action.column, action.operator, candidates.terms[index])))
        if int(rows.sum()) == kept and np.array_equal(rows, target):
            return float(positions[index])
    return None
