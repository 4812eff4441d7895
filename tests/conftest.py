"""Test-wide settings: one OpenMP thread, the shared data folder when ILAEDA_DATA_DIR is unset, and the
grouping of tests for pytest-xdist (``make test`` runs ``-n auto --dist loadfile``; the ``xdist_group`` marks
serve ``--dist loadgroup``).
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


#: The xdist group of every module whose tests start a local Slurm cluster (tests/slurm.py): two clusters on
#: one host at once are not something the tests mean to exercise, so such modules run one after another.
SLURM_GROUP = "slurm-cluster"


def _module(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0]


def _shares_a_module_fixture(item: pytest.Item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    return info is not None and any(d.scope == "module" for defs in info.name2fixturedefs.values() for d in defs)


def xdist_group_of(item: pytest.Item) -> str | None:
    """The group of tests that must run in one xdist worker with ``item``, or None.

    The tests of a module that share a module-scoped fixture (real training runs, a Slurm cluster, a built
    wheel) form one group, so no second worker sets the fixture up again; in the modules that start a Slurm
    cluster that group is :data:`SLURM_GROUP`. A test that names its own ``xdist_group`` keeps it.
    """
    if item.get_closest_marker("xdist_group") is not None or not _shares_a_module_fixture(item):
        return None
    module = getattr(item, "module", None)
    return SLURM_GROUP if hasattr(module, "slurm_cluster") else _module(item)


def pytest_itemcollected(item: pytest.Item) -> None:
    """Mark the groups as the items are collected: xdist reads the markers in its own collection hook."""
    group = xdist_group_of(item)
    if group is not None:
        item.add_marker(pytest.mark.xdist_group(group))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the long tests (``slow``, or in a group) first: xdist hands out work in this order, so they start at
    once instead of finishing last on one core.
    """
    items.sort(
        key=lambda item: item.get_closest_marker("slow") is None and item.get_closest_marker("xdist_group") is None
    )
