"""imitation's documented Python path, ``ex.add_config("benchmarking/<cfg>.json")`` then ``ex.run(...)``, resolves
exactly the config that ``with <cfg>.json`` does on the command line, for every JSON in benchmarking/.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ilaeda.contract import ALGORITHMS, config_token
from ilaeda.errors import ConfigError
from ilaeda.scripts.train_adversarial import train_adversarial_ex
from ilaeda.scripts.train_imitation import train_imitation_ex

BENCH = Path(__file__).resolve().parents[2] / "benchmarking"
CONFIGS = sorted(BENCH.glob("*.json"))


def _experiment(path: Path) -> Any:
    script = ALGORITHMS[config_token(path.stem)].script
    return train_imitation_ex if script == "train_imitation" else train_adversarial_ex


def _leaves(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, f"{prefix}{k}.")
    else:
        yield prefix[:-1], value


def _comparable(config: dict[str, Any]) -> dict[str, Any]:
    """The config minus what differs between any two resolutions (the drawn seed, the timestamped log_dir)."""
    out = json.loads(json.dumps(config))
    out.pop("seed", None)
    out["logging"].pop("log_dir", None)
    return out


@pytest.fixture
def restored() -> Iterator[None]:
    saved = {ex: list(ex.config_files) for ex in (train_adversarial_ex, train_imitation_ex)}
    yield
    for ex, files in saved.items():
        ex.config_files[:] = files


@pytest.mark.parametrize("path", CONFIGS, ids=[p.stem for p in CONFIGS])
def test_add_config_file_equals_the_command_line(path: Path, restored: None) -> None:
    ex = _experiment(path)
    cli = ex.run(command_name="print_config", named_configs=[str(path)]).config
    ex.add_config(str(path))
    api = ex.run(command_name="print_config").config
    assert _comparable(api) == _comparable(cli)
    for key, value in _leaves(json.loads(path.read_text())):
        got: Any = api
        for part in key.split("."):
            got = got[part]
        assert got == value, key  # every value of the file reached the resolved config


def test_a_fast_config_added_from_python_trains(restored: None, tmp_path: Path) -> None:
    train_adversarial_ex.add_config(str(BENCH / "fast_gail_cyber_loo2.json"))
    run = train_adversarial_ex.run(
        "gail",
        config_updates={
            "seed": 0,
            "logging": {"log_root": str(tmp_path), "log_format_strs": ["csv"]},
            "policy_evaluation": {"render": False, "progress": False},
        },
        options={"--file_storage": str(tmp_path / "s")},
    )
    assert run.status == "COMPLETED"
    assert run.result["split"] == "cyber_loo2" and run.config["rl"]["batch_size"] == 96
    # the result records the code that produced it and the config file's content hash
    from ilaeda.provenance import config_file_hash

    provenance = run.result["provenance"]
    head = subprocess.run(["git", "-C", str(BENCH.parent), "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode == 0:
        assert provenance["code_version"]["commit"] == head.stdout.strip()
        assert isinstance(provenance["code_version"]["dirty"], bool)
    path = str((BENCH / "fast_gail_cyber_loo2.json").resolve())
    assert provenance["config_files"] == {path: config_file_hash(json.loads(Path(path).read_text()))}


def test_ingredient_entries_in_a_dict_are_refused_with_the_alternative(restored: None, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"ingredient entry 'environment'.*config_updates"):
        train_adversarial_ex.add_config({"environment": {"split": "cyber_loo2"}})
    bad = tmp_path / "not_json.json"
    bad.write_text("{")
    with pytest.raises(ConfigError, match=r"not_json\.json' is not valid JSON"):
        train_adversarial_ex.add_config(str(bad))
    assert train_adversarial_ex.config_files == []
