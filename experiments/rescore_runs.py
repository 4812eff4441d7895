"""Re-score finished runs' saved sessions with the current benchmark, into a copy analyze can read.

A run scores its generated sessions when it ends. When the scorer changes afterwards (a fix of the
display engine, say), the agents need not be retrained: their sessions are saved as Sacred artifacts
(``sessions_<mode>_<schema><dataset>.json``). This script copies every COMPLETED run's ``run.json`` and
``config.json`` under ``SOURCE`` into ``DEST`` (same layout), with the ``benchmark`` and
``benchmark_deterministic`` sections recomputed from those files by :func:`ilaeda.benchmark.score_sessions`
(with the shares of degenerate actions, :func:`ilaeda.benchmark.degenerate.score_with_degenerate`)
and ``result.rescored`` saying with which code; then ``ilaeda.scripts.analyze`` reads ``DEST``.

    python experiments/rescore_runs.py output/sacred output/rescored/sacred
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from ilaeda.benchmark.degenerate import score_with_degenerate
from ilaeda.benchmark.summary import BENCHMARK_KEYS, plain_json, stat
from ilaeda.contract import POLICY_SECTIONS
from ilaeda.provenance import code_version
from ilaeda.runrecords import CONFIG_FILE, RUN_FILE, completed_runs


def rescore(run_dir: Path, result: dict) -> dict[str, int]:
    """Recompute the benchmark sections of ``result`` from the session files in ``run_dir``; changed counts."""
    changed = {}
    for mode, section in POLICY_SECTIONS.items():
        rows = []
        for name in result["session_files"][mode]:
            doc = json.loads((run_dir / name).read_text())
            scored = score_with_degenerate(doc, doc["schema"], int(doc["dataset"]), with_interestingness=False)
            rows.extend(scored.sessions)
        new = {key: stat(r[key] for r in rows) for key in BENCHMARK_KEYS}
        # a run older than a key (the degenerate shares) counts it as changed
        old = {k: (result[section].get(k) or {}).get("mean") for k in new}
        changed[mode] = sum(old[k] is None or abs((new[k]["mean"] or 0) - old[k]) > 1e-12 for k in new)
        result[section] = plain_json(new)
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("source", type=Path, help="a Sacred file-storage tree (searched recursively for run.json)")
    p.add_argument("dest", type=Path, help="where the re-scored copy goes (created)")
    args = p.parse_args(argv)
    if not args.source.is_dir():
        print(f"error: {args.source} is not a directory", file=sys.stderr)
        return 2
    version = code_version()
    n = 0
    for run_dir, record, result in completed_runs([args.source]):
        target = args.dest / run_dir.relative_to(args.source)
        target.mkdir(parents=True, exist_ok=True)
        changed = rescore(run_dir, result)
        result["rescored"] = {"code_version": version, "changed_metrics": changed}
        (target / RUN_FILE).write_text(json.dumps(record, indent=1))
        session_files = [name for names in result["session_files"].values() for name in names]
        for extra in (CONFIG_FILE, "metrics.json", *session_files):
            if (run_dir / extra).is_file():
                shutil.copy2(run_dir / extra, target / extra)
        n += 1
        print(f"{run_dir.relative_to(args.source)}: changed metric means {changed}")
    print(f"re-scored {n} completed runs into {args.dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
