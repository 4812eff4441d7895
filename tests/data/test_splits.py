"""ilaeda.data.splits: the inner (validation) splits of a leave-one-out split used for tuning."""

from __future__ import annotations

import pytest

from ilaeda.data.schema import load_schema
from ilaeda.data.splits import parse_split, validation_splits
from ilaeda.errors import ConfigError


def test_validation_split_never_touches_the_held_out_dataset() -> None:
    inner = parse_split("cyber_loo1_val2")
    assert inner.schema is load_schema("cyber") and inner.name == "cyber_loo1_val2"
    assert inner.train_datasets == (3, 4) and inner.eval_datasets == (2,) and inner.is_leave_one_out
    assert inner.datasets("train") == (3, 4) and inner.datasets("eval") == (2,)
    assert inner.datasets("test") == (2,)  # the demonstrations' name for the evaluation part
    with pytest.raises(
        ConfigError, match=r"part must be 'train' or 'eval' \(or 'test', a synonym of 'eval'\), got 'val'"
    ):
        inner.datasets("val")
    assert parse_split("cyber_loo4_val1").train_datasets == (2, 3)


def test_validation_splits_of_an_outer_split() -> None:
    assert validation_splits("cyber_loo1") == ["cyber_loo1_val2", "cyber_loo1_val3", "cyber_loo1_val4"]
    assert validation_splits(parse_split("cyber_loo3")) == ["cyber_loo3_val1", "cyber_loo3_val2", "cyber_loo3_val4"]
    for inner in validation_splits("cyber_loo2"):
        split = parse_split(inner)
        assert 2 not in split.train_datasets + split.eval_datasets


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("cyber_loo1_val1", "not its held-out dataset 1"),
        ("cyber_loo1_val9", "unknown dataset 9"),
        ("cyber_loo1_val", "invalid split"),
        ("cyber_2_val3", "invalid split"),
    ],
)
def test_bad_validation_splits(name: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_split(name)


@pytest.mark.parametrize("name", ["cyber_2", "cyber_all", "cyber_loo1_val2"])
def test_validation_splits_need_a_leave_one_out_split(name: str) -> None:
    with pytest.raises(ConfigError, match="need a leave-one-out split"):
        validation_splits(name)
