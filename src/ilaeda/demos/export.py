"""Export the converted sessions as JSON in the references' format, one file per dataset."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ilaeda.data.sessions import sessions_to_json
from ilaeda.demos.conversion import MultiAggregation
from ilaeda.demos.splits import expert_sessions
from ilaeda.errors import DataError


def export_sessions(
    out: str | os.PathLike[str],
    *,
    data_dir: str | os.PathLike[str] | None = None,
    multi_aggregation: MultiAggregation = "first",
) -> list[Path]:
    """Write ``<out>/<schema>_dataset<n>.json`` per dataset; return the paths written."""
    conversion = expert_sessions(data_dir=data_dir, multi_aggregation=multi_aggregation)
    directory = Path(out)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(f"cannot create output directory {directory}: {exc.strerror or exc}") from None
    paths = []
    for dataset, sessions in sorted(conversion.sessions.items()):
        document = sessions_to_json((s.as_session() for s in sessions), schema=conversion.schema, dataset=dataset)
        path = directory / f"{conversion.schema}_dataset{dataset}.json"
        try:
            path.write_text(json.dumps(document, indent=1) + "\n")
        except OSError as exc:
            raise DataError(f"cannot write {path}: {exc.strerror or exc}") from None
        paths.append(path)
    return paths
