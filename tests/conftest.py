"""Test-wide settings: one OpenMP thread, and the shared data folder when ILAEDA_DATA_DIR is unset."""

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA_DIR = (REPO_ROOT.parent / "shared" / "data").resolve()


@pytest.fixture(scope="session", autouse=True)
def _test_environment() -> None:
    os.environ["OMP_NUM_THREADS"] = "1"
    if not os.environ.get("ILAEDA_DATA_DIR"):
        os.environ["ILAEDA_DATA_DIR"] = str(SHARED_DATA_DIR)
