"""Per-session scores summarised the way run results hold them: ``{"mean", "std", "n"}`` per key, plain JSON."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, overload

import numpy as np

from ilaeda.benchmark.degenerate import DEGENERATE
from ilaeda.contract import EXTRA_METRICS, METRICS

#: Result keys of the benchmark sections, in report order.
BENCHMARK_KEYS = (*EXTRA_METRICS, *DEGENERATE, *METRICS)


def stat(values: Iterable[float]) -> dict[str, float | int]:
    """``{"mean", "std", "n"}`` (population std, like imitation's ``rollout_stats``)."""
    arr = np.asarray([float(v) for v in values], dtype=np.float64)
    if arr.size == 0:
        return {"mean": 0.0, "std": 0.0, "n": 0}
    return {"mean": float(arr.mean()), "std": float(arr.std()), "n": int(arr.size)}


@overload
def plain_json(value: Mapping[str, object]) -> dict[str, Any]: ...
@overload
def plain_json(value: object) -> object: ...
def plain_json(value: object) -> object:
    """Plain JSON (NaN/inf → None, numpy scalars → Python)."""
    if isinstance(value, Mapping):
        return {str(k): plain_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_json(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    return value
