"""``python -m ilaeda.benchmark score``: score a JSON file of sessions with the ATENA benchmark.

Prints the five metrics (Precision, T-BLEU-1/2/3, EDA-Sim) per session and for the corpus, with
each session's length (actions before STOP), its BACKs taken at the root, and the interestingness
measures. Exit codes: 0 success; 2 bad input (one ``error: ...`` line on stderr).
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ilaeda.benchmark.interestingness import MEASURE_LABELS, MEASURES
from ilaeda.benchmark.scoring import ScoreResult, score_sessions
from ilaeda.contract import EXTRA_METRICS, METRIC_LABELS, METRICS
from ilaeda.data.schema import available_schemas, load_schema
from ilaeda.errors import IlaedaError, run_cli

#: Column order of tables and CSV files.
COLUMNS = ("name", *EXTRA_METRICS, *METRICS, *MEASURES)
_HEADERS = {**METRIC_LABELS, "precision": "precision", **MEASURE_LABELS}
CORPUS_NAME = "<corpus>"


def _schemas_epilog() -> str:
    """The schemas and their dataset numbers, for ``score --help``."""
    lines = ["schemas and their datasets (--schema NAME --dataset N):"]
    for name in available_schemas():
        try:
            datasets = ", ".join(map(str, sorted(load_schema(name).datasets)))
        except IlaedaError as exc:
            datasets = f"(unreadable: {exc})"
        lines.append(f"  {name}: {datasets}")
    if len(lines) == 1:
        lines.append("  (none found; $ILAEDA_SCHEMA_DIR points at a folder without schema files)")
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ilaeda.benchmark", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="{score}")
    score = commands.add_parser(
        "score",
        help="score a session file against a dataset's references",
        description="Score a session file against a dataset's references (default: its gold references).",
        epilog=_schemas_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    score.add_argument(
        "sessions", metavar="SESSIONS.json", help='{"sessions": [{"name", "actions"}...]} or a list of action lists'
    )
    score.add_argument("--schema", default="cyber", help="schema name (default: cyber)")
    score.add_argument(
        "--dataset",
        required=True,
        type=int,
        help="dataset number of the schema (see below); a session file whose header names another is refused",
    )
    score.add_argument(
        "--references", metavar="R.json", help="score against these sessions instead of the dataset's gold references"
    )
    score.add_argument("--data-dir", metavar="DIR", help="data folder (default: $ILAEDA_DATA_DIR, cache)")
    score.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    score.add_argument("--csv", metavar="OUT.csv", help="also write per-session and corpus rows as CSV")
    return parser


def _format(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.6f}" if abs(value) < 1e4 else f"{value:.4g}"
    return str(value)


def _table(result: ScoreResult, title: str) -> Table:
    table = Table(title=title)
    for column in COLUMNS:
        table.add_column(_HEADERS.get(column, column), justify="left" if column == "name" else "right")
    for row in result.sessions:
        table.add_row(*(_format(row.get(c, "")) for c in COLUMNS))
    corpus = {"name": CORPUS_NAME, **result.corpus}
    table.add_row(*(_format(corpus.get(c, "")) for c in COLUMNS), style="bold")
    return table


def write_csv(result: ScoreResult, path: str | Path) -> None:
    """Per-session rows, then one ``<corpus>`` row (the corpus aggregation)."""
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(COLUMNS), extrasaction="ignore")
        writer.writeheader()
        for row in result.sessions:
            writer.writerow(row)
        writer.writerow({"name": CORPUS_NAME, **result.corpus})


def _score(args: argparse.Namespace) -> int:
    result = score_sessions(
        args.sessions, args.schema, args.dataset, references=args.references, data_dir=args.data_dir
    )
    if args.csv:
        try:
            write_csv(result, args.csv)
        except OSError as exc:
            raise IlaedaError(f"cannot write {args.csv}: {exc.strerror or exc}") from None
    if args.json:
        print(result.to_json())
    else:
        console = Console(width=None if sys.stdout.isatty() else 220)
        refs = args.references or "gold references"
        console.print(
            _table(
                result,
                f"ATENA benchmark: {args.schema} dataset {args.dataset} vs {refs} "
                f"({result.corpus['n_references']} sessions)",
            )
        )
        console.print(
            "length = actions before STOP; back@root = BACKs taken at the root "
            "(short sessions inflate Precision, BACKs at the root inflate T-BLEU-1)"
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m ilaeda.benchmark`` and ``ilaeda-benchmark``; returns the exit code."""
    args = _parser().parse_args(argv)
    return run_cli(lambda: {"score": _score}[args.command](args))


if __name__ == "__main__":
    sys.exit(main())
