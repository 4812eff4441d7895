"""contract.ALGORITHMS drives the code: every registered algorithm has each piece it names (the Sacred command
of its script, its trainer, a tuning search space or an explicit none, its grid and fast configs).
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

from ilaeda.contract import ALGORITHMS, FAST_TOKEN, config_token
from ilaeda.scripts.config.tune import SEARCH_SPACES

BENCH = Path(__file__).resolve().parents[1] / "benchmarking"


@pytest.mark.parametrize("token", list(ALGORITHMS))
def test_every_registered_algorithm_has_each_piece(token: str) -> None:
    algorithm = ALGORITHMS[token]
    script = importlib.import_module(f"ilaeda.scripts.{algorithm.script}")
    assert algorithm.command in getattr(script, f"{algorithm.script}_ex").commands
    if algorithm.trainer is not None:
        from ilaeda.algorithms import penalty

        assert isinstance(getattr(penalty, algorithm.trainer), type)
    assert (token in SEARCH_SPACES) is algorithm.search_space
    for k in (1, 2, 3, 4):
        grid = BENCH / f"{token}_cyber_loo{k}.json"
        assert config_token(grid.stem) == token
        warm = json.loads(grid.read_text()).get("bc_warm_start", {}).get("enabled", False)
        assert warm is algorithm.warm_start, grid
    for k in (1, 2):
        fast = BENCH / f"{FAST_TOKEN}_{token}_cyber_loo{k}.json"
        assert fast.is_file() and config_token(fast.stem) == token


def test_an_algorithm_registered_without_a_search_space_is_refused_by_tune(monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    from ilaeda.tuning import UsageError, space

    assert set(SEARCH_SPACES) <= set(ALGORITHMS)  # every default space belongs to a registered algorithm
    monkeypatch.setitem(ALGORITHMS, "bc", dataclasses.replace(ALGORITHMS["bc"], search_space=False))
    with pytest.raises(UsageError, match=r"^bc has no default search space"):
        space.load_search_space("bc", None, replace=False)
    spec = {"bc.n_epochs": {"type": "int", "low": 1, "high": 2}}
    monkeypatch.setattr(space, "read_json_object", lambda *_: spec)  # the user's search_space file
    assert space.load_search_space("bc", "space.json", replace=True) == spec
