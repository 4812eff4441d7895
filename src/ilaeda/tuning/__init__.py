"""Hyper-parameter tuning on a shared Optuna study; the command is :mod:`ilaeda.scripts.tune`.

``options`` (command line → validated settings), ``space`` (search spaces, sampling), ``storage``
(journal or RDB storage, passwords), ``journal`` (a journal file that survives a full disk or a killed
writer), ``trials`` (one trial's runs and objective), ``results`` (the best config and its provenance).
"""

import json
from pathlib import Path
from typing import Any

from ilaeda.errors import IlaedaError


class UsageError(IlaedaError):
    """Bad tune input: one line, exit status 2."""


def read_json_object(path: str, what: str, shape: str = "a JSON object") -> dict[str, Any]:
    """The JSON object in the file ``path`` (``what`` names it in the one-line error)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise UsageError(f"cannot read {what} {path!r}: {e}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{what} {path!r} is not {shape}")
    return data
