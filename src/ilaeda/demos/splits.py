"""Demonstrations per split: which sessions train an agent and which evaluate it.

* Leave-one-out (``cyber_loo1``): ``part="train"`` = every session of the training datasets
  (2, 3, 4); ``part="test"`` (or ``"eval"``, the name :meth:`ilaeda.data.splits.Split.datasets` uses) =
  every session of the held-out dataset (1), which contributes nothing to training.
* One dataset (``cyber_2``) or all (``cyber_all``): the sessions of each dataset are split into
  train/test by a seeded permutation (``test_fraction``, ``seed``; the dataset number is mixed into the
  seed so datasets are split independently).
* ``include_references`` adds the gold reference sessions of the training datasets that are not
  evaluation datasets to ``part="train"``; ``include_eval_references`` also adds those of the
  evaluation datasets of a non-leave-one-out split (off by default: they are what the benchmark
  scores against; refused for leave-one-out). ``part="test"`` never holds references.
* ``chain_sessions`` plays the selected sessions of each dataset one after another, each followed by
  BACKs up to the root (as an analyst returns to the table before a new question), so that windows of
  the whole horizon exist for the benchmark's fixed-length setting (``episode_end="no_stop"``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ilaeda.data.loading import dataset_path
from ilaeda.data.locate import locate
from ilaeda.data.references import load_references
from ilaeda.data.schema import SESSION_REPOSITORY_SCHEMA, Schema, load_schema
from ilaeda.data.sessions import Back, Session
from ilaeda.data.splits import Split, canonical_part, parse_split
from ilaeda.demos.cache import cached_replays, file_sha256
from ilaeda.demos.conversion import FLAWED_SESSIONS, Conversion, MultiAggregation, convert_file, locate_actions
from ilaeda.demos.replay import Absorbing, LongSessions, ReplaySet, replay_sessions
from ilaeda.eda.state import SessionStack
from ilaeda.envs.options import EnvOptions, resolve_options
from ilaeda.errors import ConfigError, DataError

if TYPE_CHECKING:
    from imitation.data.types import Trajectory

#: A split part: "train", or the held-out part as "test" or "eval" (:func:`ilaeda.data.splits.canonical_part`).
Part = Literal["train", "test", "eval"]
Source = Literal["sessions", "references", "chained"]


def _schema_json(schema: Schema) -> str:
    return json.dumps(dataclasses.asdict(schema), sort_keys=True, default=sorted)


@lru_cache(maxsize=8)
def _conversion(path: str, sha256: str, schema: Schema, multi_aggregation: str) -> Conversion:
    return convert_file(path, schema, multi_aggregation=multi_aggregation)  # type: ignore[arg-type]


def expert_sessions(
    schema: Schema | None = None,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    multi_aggregation: MultiAggregation = "first",
) -> Conversion:
    """The converted REACT-IDA sessions (memoised by file content); ``schema`` defaults to theirs."""
    schema = schema or load_schema(SESSION_REPOSITORY_SCHEMA)
    if schema.name != SESSION_REPOSITORY_SCHEMA:
        raise DataError(
            f"no expert sessions for schema {schema.name!r}: the REACT-IDA sessions are recorded "
            f"on the {SESSION_REPOSITORY_SCHEMA!r} datasets"
        )
    path = locate_actions(data_dir)
    return _conversion(str(path), file_sha256(path), schema, multi_aggregation)


def chain_sessions(sessions: Sequence[Session], name: str) -> Session:
    """One session playing ``sessions`` in order, each followed by BACKs up to the root."""
    actions = []
    for session in sessions:
        stack = SessionStack()
        for action in session.until_stop():
            stack.apply(action)
            actions.append(action)
        actions.extend([Back()] * stack.depth)
    return Session(name, tuple(actions))


def dataset_replays(
    schema: Schema,
    dataset: int,
    *,
    source: Source = "sessions",
    horizon: int = 12,
    multi_aggregation: MultiAggregation = "first",
    data_dir: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
    indices: Sequence[int] | None = None,
) -> ReplaySet:
    """Replays of one dataset's expert sessions (``source="sessions"``), gold references, or the chain of
    its sessions (``"chained"``: one replay of the sessions at ``indices``, all by default) (cached).
    """
    dataset = schema.check_dataset(dataset)
    if source not in ("sessions", "references", "chained"):
        raise ConfigError(f"unknown demonstration source {source!r}; use 'sessions', 'references' or 'chained'")
    inputs: dict[str, Any] = {
        "source": source,
        "schema": _schema_json(schema),
        "dataset": dataset,
        "horizon": int(horizon),
        "dataset_sha256": file_sha256(dataset_path(schema, dataset, data_dir)),
    }
    if source in ("sessions", "chained"):
        actions = locate_actions(data_dir)
        inputs.update(
            actions_sha256=file_sha256(actions), multi_aggregation=multi_aggregation, flawed=sorted(FLAWED_SESSIONS)
        )
        if source == "chained":
            inputs["indices"] = None if indices is None else [int(i) for i in indices]

        def build() -> ReplaySet:
            conversion = expert_sessions(schema, data_dir=data_dir, multi_aggregation=multi_aggregation)
            sessions = [s.as_session() for s in conversion.sessions[dataset]]
            if source == "chained":
                chosen = sessions if indices is None else [sessions[i] for i in indices]
                sessions = [chain_sessions(chosen, f"chain-d{dataset}")]
            return replay_sessions(sessions, schema, dataset, horizon=horizon, data_dir=data_dir)
    else:
        inputs["references_sha256"] = file_sha256(locate(schema.references[dataset], data_dir))

        def build() -> ReplaySet:
            refs = load_references(schema, dataset, data_dir)
            return replay_sessions(list(refs), schema, dataset, horizon=horizon, data_dir=data_dir)

    tag = (
        ""
        if indices is None or source != "chained"
        else "-" + hashlib.sha256(json.dumps(inputs["indices"]).encode()).hexdigest()[:8]
    )
    return cached_replays(
        f"{schema.name}-{source}-d{dataset}-h{int(horizon)}{tag}",
        inputs,
        build,
        cache_dir=cache_dir,
        use_cache=use_cache,
    )


def split_indices(n: int, test_fraction: float, seed: int, dataset: int) -> tuple[list[int], list[int]]:
    """Seeded train/test indices of ``n`` sessions (each in ascending order).

    The test part gets ``round(test_fraction·n)`` sessions, at least one when ``test_fraction > 0``
    and ``n >= 2``, and never all of them.
    """
    if not 0.0 <= float(test_fraction) < 1.0:
        raise ConfigError(f"test_fraction must be in [0, 1), got {test_fraction}")
    n_test = round(test_fraction * n)
    if test_fraction > 0 and n >= 2:
        n_test = min(max(n_test, 1), n - 1)
    n_test = min(n_test, max(n - 1, 0))
    order = np.random.default_rng([int(seed), int(dataset)]).permutation(n)
    test = sorted(int(i) for i in order[:n_test])
    chosen = set(test)
    return [i for i in range(n) if i not in chosen], test


@dataclasses.dataclass(frozen=True)
class Selection:
    """Sessions of one dataset chosen for a split part."""

    dataset: int
    source: Source
    indices: tuple[int, ...] | None  # None = all


def select(
    split: Split,
    part: Part,
    n_sessions: dict[int, int],
    *,
    include_references: bool = False,
    include_eval_references: bool = False,
    test_fraction: float = 0.3,
    seed: int = 0,
) -> list[Selection]:
    """Which sessions of which datasets form ``part`` of ``split`` (``n_sessions`` per dataset)."""
    train = canonical_part(part) == "train"
    if not 0.0 <= float(test_fraction) < 1.0:
        raise ConfigError(f"test_fraction must be in [0, 1), got {test_fraction}")
    if include_eval_references and split.is_leave_one_out:
        raise ConfigError(
            f"include_eval_references would train on the held-out dataset of {split.name!r}; "
            "leave-one-out splits never train on it"
        )
    out: list[Selection] = []
    for dataset in split.datasets(part):
        if dataset not in n_sessions:
            continue
        if split.is_leave_one_out:
            out.append(Selection(dataset, "sessions", None))
        else:
            train_indices, test_indices = split_indices(n_sessions[dataset], test_fraction, seed, dataset)
            out.append(Selection(dataset, "sessions", tuple(train_indices if train else test_indices)))
    if train:
        for dataset in split.train_datasets:
            held = dataset in split.eval_datasets
            if (include_references and not held) or (include_eval_references and held):
                out.append(Selection(dataset, "references", None))
    return out


def load_demonstrations(
    split: str | Split,
    *,
    part: Part = "train",
    include_references: bool = False,
    include_eval_references: bool = False,
    test_fraction: float = 0.3,
    seed: int = 0,
    options: EnvOptions | None = None,
    horizon: int | None = None,
    long_sessions: LongSessions = "cut",
    absorbing: Absorbing = "keep",
    multi_aggregation: MultiAggregation = "first",
    data_dir: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
    episode_end: str | None = None,
    observe_step: bool | None = None,
    window_stride: int | None = None,
    chain: bool = False,
) -> list[Trajectory]:
    """Expert trajectories of one part of a split (see the module docstring).

    ``options`` (the env's :class:`~ilaeda.envs.options.EnvOptions`; ``horizon``, ``episode_end`` and
    ``observe_step`` override single ones) and ``window_stride`` shape the trajectories for the env they
    train (:meth:`ReplaySet.trajectories`); ``chain`` replays each dataset's selected sessions as one chain.

    Raises:
        ConfigError: unknown split, part, fraction or option.
        DataError: the part holds no demonstration (e.g. ``part="test"`` with ``test_fraction=0``, or
            a schema without recorded sessions and no references requested).
    """
    parsed = parse_split(split)
    schema = parsed.schema
    env_options = resolve_options(options, horizon=horizon, episode_end=episode_end, observe_step=observe_step)
    has_sessions = schema.name == SESSION_REPOSITORY_SCHEMA
    needed = set(parsed.datasets(part))
    replay_options: dict[str, Any] = dict(
        horizon=env_options.horizon,
        multi_aggregation=multi_aggregation,
        data_dir=data_dir,
        cache_dir=cache_dir,
        use_cache=use_cache,
    )
    replays: dict[tuple[int, str], ReplaySet] = {}
    if has_sessions:
        for dataset in sorted(needed):
            replays[(dataset, "sessions")] = dataset_replays(schema, dataset, source="sessions", **replay_options)
    n_sessions = {d: len(r) for (d, source), r in replays.items() if source == "sessions"}
    selections = select(
        parsed,
        part,
        n_sessions,
        include_references=include_references,
        include_eval_references=include_eval_references,
        test_fraction=test_fraction,
        seed=seed,
    )
    trajectories: list[Trajectory] = []
    shape: dict[str, Any] = dict(absorbing=absorbing, options=env_options, window_stride=window_stride)
    for sel in selections:
        if chain and sel.source == "sessions":
            chained = dataset_replays(schema, sel.dataset, source="chained", indices=sel.indices, **replay_options)
            trajectories.extend(chained.trajectories(long_sessions="windows", **shape))
            continue
        key = (sel.dataset, sel.source)
        if key not in replays:
            replays[key] = dataset_replays(schema, sel.dataset, source=sel.source, **replay_options)
        trajectories.extend(replays[key].trajectories(sel.indices, long_sessions=long_sessions, **shape))
    if not trajectories:
        why = (
            f"schema {schema.name!r} has no recorded sessions; pass include_references=True"
            if not has_sessions
            else f"test_fraction={test_fraction}"
            if canonical_part(part) == "eval"
            else "no sessions"
        )
        raise DataError(f"split {parsed.name!r} part {part!r} holds no demonstrations ({why})")
    return trajectories


def load_session_names(
    split: str | Split,
    *,
    part: Part = "train",
    test_fraction: float = 0.3,
    seed: int = 0,
    multi_aggregation: MultiAggregation = "first",
    data_dir: str | os.PathLike[str] | None = None,
) -> dict[int, list[str]]:
    """Names of the expert sessions of a split part, per dataset (no replay needed)."""
    parsed = parse_split(split)
    conversion = expert_sessions(parsed.schema, data_dir=data_dir, multi_aggregation=multi_aggregation)
    n_sessions = {d: len(s) for d, s in conversion.sessions.items()}
    out: dict[int, list[str]] = {}
    for sel in select(parsed, part, n_sessions, test_fraction=test_fraction, seed=seed):
        sessions = conversion.sessions[sel.dataset]
        indices: Sequence[int] = range(len(sessions)) if sel.indices is None else sel.indices
        out[sel.dataset] = [sessions[i].name for i in indices]
    return out
