"""Small synthetic bundles shared by the tests of this folder (made once per session)."""

from pathlib import Path

import pytest

from ilaeda.synthetic.bundle import Bundle, load_bundle, write_bundle
from ilaeda.synthetic.events import EVENT_KINDS


@pytest.fixture(scope="session")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three tables of 2,000 rows (seed 7), one event of each kind, with scripted references."""
    return write_bundle(tmp_path_factory.mktemp("bundle") / "b", 2_000, 3, 7, EVENT_KINDS)


@pytest.fixture(scope="session")
def bundle(bundle_dir: Path) -> Bundle:
    return load_bundle(bundle_dir)
