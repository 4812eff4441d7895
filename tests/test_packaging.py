"""``pip install .`` (not editable) gives a working package: a wheel built from the sources, installed into a
fresh virtual environment, loads the cyber schema and scores sessions from a folder outside the repository.

The new environment sees the test interpreter's site-packages (torch, pandas, ...) through a ``.pth`` line,
so nothing is downloaded; ``.pth`` files of that folder are not run, so an editable install of the checkout
there stays invisible and the test can assert that the installed copy was imported.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
GROUP = {"type": "group", "column": "highest_layer", "agg_column": "packet_number", "agg_func": "count"}


def _run(cmd: list[str | Path], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{cmd} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """(python of the fresh venv, the wheel, env without PYTHONPATH) after installing the built wheel."""
    root = tmp_path_factory.mktemp("packaging")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["OMP_NUM_THREADS"] = "1"
    # Build from a copy of what the sdist needs, so no build output lands in the checkout.
    source = root / "source"
    source.mkdir()
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    wheels = root / "wheels"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", wheels, source],
        cwd=root,
        env=env,
    )
    (wheel,) = wheels.glob("ilaeda-*.whl")
    target = root / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    python = target / "bin" / "python"
    purelib = Path(
        _run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=root, env=env
        ).stdout.strip()
    )
    (purelib / "test_interpreter_site_packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run(
        [sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", wheel],
        cwd=root,
        env=env,
    )
    return python, wheel, env


@pytest.mark.integration
@pytest.mark.slow
def test_wheel_ships_the_data_files(installed: tuple[Path, Path, dict[str, str]]) -> None:
    _, wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in (
        "ilaeda/py.typed",
        "ilaeda/data/schemas/cyber.json",
        "ilaeda/data/schemas/flights.json",
        "ilaeda/data/session_repository.json",
        "ilaeda/analysis/reference_results.csv",
    ):
        assert name in names
    assert not any(n.startswith("tests/") for n in names)


@pytest.mark.integration
@pytest.mark.slow
def test_installed_package_scores_a_session(installed: tuple[Path, Path, dict[str, str]], tmp_path: Path) -> None:
    python, _, env = installed
    venv_root = python.parent.parent
    where = _run(
        [
            python,
            "-c",
            "import ilaeda, ilaeda.data.schema as s, ilaeda.analysis.comparison as c; "
            "print(ilaeda.__file__); print(s.PACKAGED_SCHEMAS); print(c.REFERENCE_CSV); "
            "print(s.load_schema('cyber').primary_key); print(s.available_schemas())",
        ],
        cwd=tmp_path,
        env=env,
    ).stdout.splitlines()
    for line in where[:3]:
        assert Path(line).resolve().is_relative_to(venv_root.resolve()), f"imported {line}, not the installed copy"
        assert not Path(line).resolve().is_relative_to(REPO)
    assert where[3] == "packet_number" and where[4] == "['cyber', 'flights']"
    sessions = tmp_path / "sessions.json"
    sessions.write_text(json.dumps({"sessions": [{"name": "one-group", "actions": [GROUP, {"type": "stop"}]}]}))
    done = _run(
        [python, "-m", "ilaeda.benchmark", "score", "--schema", "cyber", "--dataset", "1", sessions, "--json"],
        cwd=tmp_path,
        env=env,
    )
    result = json.loads(done.stdout)
    (session,) = result["sessions"]
    # The same session and figures as tests/benchmark/test_cli.py, scored by the source tree.
    assert session["length"] == 1 and session["precision"] == 1.0
    assert session["eda_sim"] == pytest.approx(0.25, abs=1e-6)
    assert session["t_bleu_1"] == pytest.approx(0.004087, abs=1e-6)
