"""Test-wide settings: one OpenMP thread, the shared data folder when ILAEDA_DATA_DIR is unset, and the
grouping of tests for pytest-xdist (``make test`` runs ``-n auto --dist loadgroup``).
"""

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


def xdist_group_of(item: pytest.Item) -> str | None:
    """The group of tests that must run in one xdist worker with ``item``, or None.

    The tests of a module that share a module-scoped fixture (real training runs, a Slurm cluster, a built
    wheel) form one group, so each worker does not set the fixture up again; a test that names its own
    ``xdist_group`` keeps it.
    """
    if item.get_closest_marker("xdist_group") is not None:
        return None
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return None
    if any(d.scope == "module" for defs in info.name2fixturedefs.values() for d in defs):
        return item.nodeid.split("::", 1)[0]
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Group the tests for xdist, and put the long ones (``slow``, or sharing a module fixture) first: xdist hands
    out work in this order, so they start at once instead of finishing last on one core.
    """
    for item in items:
        group = xdist_group_of(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
    items.sort(
        key=lambda item: item.get_closest_marker("slow") is None and item.get_closest_marker("xdist_group") is None
    )
