"""Report-test helpers: headless Chromium (Debian's ``chromium``, installed by .ci/system-deps.sh) and PNG checks."""

from __future__ import annotations

import base64
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

DATA_URI = re.compile(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"')


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (asserts the signature)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def embedded_pngs(html: str) -> list[bytes]:
    return [base64.b64decode(m) for m in DATA_URI.findall(html)]


def require_chromium() -> str:
    """Path of the chromium binary; skipped on a developer machine without it, a failure under CI=true."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        reason = "chromium not installed (Debian: apt-get install chromium; .ci/system-deps.sh installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def dump_dom(chromium: str, page: Path) -> str:
    """The DOM headless Chromium renders from ``page`` (no network needed: everything is inline)."""
    res = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--dump-dom",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    assert "<body" in res.stdout
    return res.stdout
