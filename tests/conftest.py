"""Test-wide settings: one OpenMP thread, the shared data folder when ILAEDA_DATA_DIR is unset, and the order
in which pytest-xdist hands out test files (``make test`` runs ``-n auto --dist loadfile``).
"""

import os
import signal
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA_DIR = (REPO_ROOT.parent / "shared" / "data").resolve()


@pytest.fixture(scope="session", autouse=True)
def _test_environment() -> None:
    os.environ["OMP_NUM_THREADS"] = "1"
    # xdist workers start with Ctrl-C ignored, and so would every command a test starts: the tests that interrupt
    # a command with SIGINT need it delivered, as in a terminal.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if not os.environ.get("ILAEDA_DATA_DIR"):
        os.environ["ILAEDA_DATA_DIR"] = str(SHARED_DATA_DIR)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the files of the long tests (``slow``) first: xdist (``--dist loadfile``) hands out files in this
    order, so they start at once instead of finishing last on one core. Files that start a local Slurm cluster
    take turns (``tests/slurm.py``'s lock).
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
