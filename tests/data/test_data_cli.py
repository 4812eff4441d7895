"""``python -m ilaeda.data fetch|verify|info`` run as real subprocesses."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ilaeda.data.fetch import data_files

N_FILES = 17  # 8 datasets, 8 reference files, the REACT-IDA actions


def run_cli(*args: str, env: dict[str, str | None] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the CLI with ``env`` changes applied (None removes a variable)."""
    full = dict(os.environ)
    for key, value in (env or {}).items():
        if value is None:
            full.pop(key, None)
        else:
            full[key] = value
    return subprocess.run(
        [sys.executable, "-m", "ilaeda.data", *args], env=full, capture_output=True, text=True, timeout=120
    )


def _assert_one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.fixture
def cache_env(tmp_path: Path) -> dict[str, str | None]:
    """An empty cache and no ILAEDA_DATA_DIR: everything must come from a download."""
    return {"ILAEDA_CACHE_DIR": str(tmp_path / "cache"), "ILAEDA_DATA_DIR": None, "ILAEDA_DATA_BASE_URL": None}


def test_data_files_cover_all_schemas_and_the_sessions():
    assert len(data_files()) == N_FILES
    assert data_files(["flights"])[0][1].path == "atena/datasets/flights/1.tsv"


def test_info_shows_search_order_and_locations(data_dir):
    result = run_cli("info")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.index("$ILAEDA_DATA_DIR") < out.index("user cache") < out.index("download")
    assert str(data_dir / "atena/datasets/cyber/1.tsv") in out
    assert "REACT-IDA sessions" in out and "1.4 MiB" in out


def test_info_reports_missing_files(cache_env):
    result = run_cli("info", "--schema", "flights", env=cache_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("missing (download: ") == 8
    assert "raw.githubusercontent.com/TAU-DB/ATENA-A-EDA" in result.stdout


def test_verify_real_data(data_dir):
    result = run_cli("verify")
    assert result.returncode == 0, result.stderr
    assert f"all {N_FILES} files verified" in result.stdout


def test_fetch_then_verify_then_corrupt(cache_env, data_server, tmp_path):
    cache = tmp_path / "cache"
    result = run_cli("fetch", "--base-url", data_server, env=cache_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("downloaded") == N_FILES
    assert len([p for p in cache.rglob("*") if p.is_file()]) == N_FILES

    assert run_cli("verify", env=cache_env).returncode == 0

    target = cache / "reactida/actions.tsv"
    target.write_bytes(target.read_bytes()[:-10])
    result = run_cli("verify", env=cache_env)
    assert result.returncode == 1
    assert "corrupt" in result.stdout
    assert "reactida/actions.tsv (corrupt)" in result.stderr and "ilaeda.data fetch" in result.stderr

    # fetch repairs the cache copy (ILAEDA_DATA_BASE_URL works like --base-url).
    result = run_cli("fetch", env={**cache_env, "ILAEDA_DATA_BASE_URL": data_server})
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("downloaded") == 1
    assert run_cli("verify", env=cache_env).returncode == 0


def test_verify_flags_a_corrupt_copy_and_fetch_leaves_it(tmp_path, data_dir, data_server, cache_env):
    user = tmp_path / "user"
    (user / "atena/datasets/cyber").mkdir(parents=True)
    data = (data_dir / "atena/datasets/cyber/3.tsv").read_bytes()
    (user / "atena/datasets/cyber/3.tsv").write_bytes(data.replace(b"TCP", b"UDP", 1))
    result = run_cli("verify", "--schema", "cyber", "--data-dir", str(user))
    assert result.returncode == 1
    assert "atena/datasets/cyber/3.tsv (corrupt)" in result.stderr
    # fetch downloads the missing files into the cache but leaves the user's folder alone, and says so.
    result = run_cli(
        "fetch", "--schema", "cyber", "--base-url", data_server, env={**cache_env, "ILAEDA_DATA_DIR": str(user)}
    )
    assert result.returncode == 1
    assert "left untouched" in result.stderr and str(user / "atena/datasets/cyber/3.tsv") in result.stderr
    assert result.stdout.count("downloaded") == 8
    assert (user / "atena/datasets/cyber/3.tsv").read_bytes() != data


def test_bad_schema_is_a_one_line_error():
    line = _assert_one_line_error(run_cli("verify", "--schema", "netflow"))
    assert "unknown schema 'netflow'" in line and "cyber, flights" in line


def test_offline_fetch_is_a_one_line_error(cache_env):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    line = _assert_one_line_error(run_cli("fetch", "--base-url", f"http://127.0.0.1:{port}", env=cache_env))
    assert "set ILAEDA_DATA_DIR to a folder holding the data" in line
    assert f"http://127.0.0.1:{port}/atena/datasets/cyber/1.tsv" in line


def test_usage_errors_exit_2():
    result = run_cli("explode")
    assert result.returncode == 2 and "invalid choice" in result.stderr
