"""Demonstrations per split."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ilaeda.demos.splits import load_demonstrations, load_session_names, split_indices
from ilaeda.errors import ConfigError, DataError


def datasets_of(trajectories) -> set[int]:  # type: ignore[no-untyped-def]
    return {info["dataset"] for t in trajectories for info in t.infos}


def sessions_of(trajectories) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.infos[0]["session"] for t in trajectories]


def test_leave_one_out(tmp_path: Path) -> None:
    train = load_demonstrations("cyber_loo1", episode_end="absorbing", cache_dir=tmp_path)
    assert len(train) == 102 + 88 + 75 and datasets_of(train) == {2, 3, 4}
    assert all(t.obs.shape == (13, 154) and t.acts.shape == (12, 6) and t.terminal for t in train)
    assert all(t.obs.dtype == np.float32 and t.acts.dtype == np.int64 for t in train)
    test = load_demonstrations("cyber_loo1", part="test", cache_dir=tmp_path)
    assert len(test) == 150 and datasets_of(test) == {1}
    with_refs = load_demonstrations("cyber_loo1", include_references=True, cache_dir=tmp_path)
    refs = [t for t in with_refs if t.infos[0]["session"].startswith("reference")]
    assert len(refs) == 21 and datasets_of(refs) == {2, 3, 4}  # never the held-out dataset's references
    assert all(3 not in t.acts[:, 0] for t in refs)  # 12-action references fill the horizon
    with pytest.raises(ConfigError, match="held-out"):
        load_demonstrations("cyber_loo1", include_eval_references=True, cache_dir=tmp_path)
    windows = load_demonstrations("cyber_loo4", long_sessions="windows", cache_dir=tmp_path)
    assert len(windows) > 150 + 102 + 88 and datasets_of(windows) == {1, 2, 3}


def test_validation_split_demonstrations(tmp_path: Path) -> None:
    """The inner split cyber_loo1_val2 trains on datasets 3 and 4 only and tests on 2; never dataset 1."""
    train = load_demonstrations("cyber_loo1_val2", cache_dir=tmp_path)
    assert datasets_of(train) == {3, 4} and len(train) == 88 + 75
    test = load_demonstrations("cyber_loo1_val2", part="test", cache_dir=tmp_path)
    assert datasets_of(test) == {2} and len(test) == 102
    with pytest.raises(ConfigError, match="include_eval_references"):
        load_demonstrations("cyber_loo1_val2", include_eval_references=True, cache_dir=tmp_path)


def test_within_dataset_split_is_seeded_and_disjoint(tmp_path: Path) -> None:
    train = load_demonstrations("cyber_2", cache_dir=tmp_path)
    test = load_demonstrations("cyber_2", part="test", cache_dir=tmp_path)
    assert (len(train), len(test)) == (71, 31)
    assert not set(sessions_of(train)) & set(sessions_of(test))
    assert sessions_of(load_demonstrations("cyber_2", cache_dir=tmp_path)) == sessions_of(train)
    other = load_demonstrations("cyber_2", part="test", seed=1, cache_dir=tmp_path)
    assert sessions_of(other) != sessions_of(test)
    names = load_session_names("cyber_2", part="test")
    assert names == {2: sessions_of(test)}
    everything = load_demonstrations("cyber_all", test_fraction=0.0, cache_dir=tmp_path)
    assert len(everything) == 415 and datasets_of(everything) == {1, 2, 3, 4}
    with_refs = load_demonstrations("cyber_2", include_eval_references=True, cache_dir=tmp_path)
    assert len(with_refs) == 71 + 7
    assert len(load_demonstrations("cyber_2", include_references=True, cache_dir=tmp_path)) == 71


def test_eval_is_a_synonym_of_test() -> None:
    """``part="eval"`` (the name ``Split.datasets`` uses) selects the same sessions as ``part="test"``."""
    test = load_session_names("cyber_2", part="test")
    assert test and load_session_names("cyber_2", part="eval") == test
    assert load_session_names("cyber_2", part="train") != test


def test_split_indices() -> None:
    train, test = split_indices(10, 0.3, seed=0, dataset=1)
    assert len(test) == 3 and sorted(train + test) == list(range(10))
    assert split_indices(10, 0.3, seed=0, dataset=1) == (train, test)
    assert split_indices(10, 0.3, seed=0, dataset=2) != (train, test)
    assert split_indices(2, 0.01, 0, 1)[1] != [] and split_indices(1, 0.5, 0, 1) == ([0], [])
    with pytest.raises(ConfigError, match="test_fraction"):
        split_indices(10, 1.0, 0, 1)


def test_bad_splits(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="holds no demonstrations"):
        load_demonstrations("cyber_2", part="test", test_fraction=0.0, cache_dir=tmp_path)
    with pytest.raises(DataError, match="no recorded sessions"):
        load_demonstrations("flights_loo1", cache_dir=tmp_path)
    with pytest.raises(ConfigError, match="invalid split"):
        load_demonstrations("cyber-loo1", cache_dir=tmp_path)
    with pytest.raises(ConfigError, match="unknown dataset 9"):
        load_demonstrations("cyber_loo9", cache_dir=tmp_path)
    with pytest.raises(ConfigError, match="part"):
        load_demonstrations("cyber_loo1", part="held_out", cache_dir=tmp_path)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="test_fraction"):
        load_demonstrations("cyber_2", test_fraction=-0.1, cache_dir=tmp_path)


def test_references_of_a_schema_without_sessions(tmp_path: Path) -> None:
    trajectories = load_demonstrations("flights_loo1", include_references=True, cache_dir=tmp_path)
    assert len(trajectories) == 15 and datasets_of(trajectories) == {2, 3, 4}


def test_chained_sessions_return_to_the_root_between_sessions() -> None:
    from ilaeda.data.sessions import Back, Filter, Group, Session
    from ilaeda.demos.splits import chain_sessions

    g = Group("ip_src", "packet_number", "count")
    f = Filter("highest_layer", "EQ", "TCP")
    chained = chain_sessions([Session("a", (g, f)), Session("b", (f, Back(), Back(), Back()))], "c")
    assert chained.actions == (g, f, Back(), Back(), f, Back(), Back(), Back())


def test_no_stop_demonstrations_from_chains(tmp_path: Path) -> None:
    train = load_demonstrations("cyber_loo1", cache_dir=tmp_path, episode_end="no_stop", chain=True, observe_step=True)
    assert datasets_of(train) == {2, 3, 4} and len(train) > 100
    assert all(t.obs.shape == (13, 156) and 3 not in t.acts[:, 0] for t in train)
    with_refs = load_demonstrations(
        "cyber_loo1", cache_dir=tmp_path, episode_end="no_stop", chain=True, include_references=True
    )
    assert len(with_refs) == len(train) + 3 * 7  # the 7 twelve-action references of each training dataset
