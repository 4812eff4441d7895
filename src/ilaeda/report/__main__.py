"""``python -m ilaeda.report <sacred run dir | sessions.json> [--out DIR]``: write a session report.

Writes ``report.html`` and ``report.ipynb`` into ``--out`` (default: ``<run dir>/report``, or
``<stem>_report`` beside a session file) and prints the HTML page's path. Exit status 2 on bad input.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ilaeda.errors import IlaedaError
from ilaeda.report.sessions import DEFAULT_MAX_SESSIONS


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write the report of a run directory or a sessions file; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m ilaeda.report", description=__doc__.splitlines()[0])
    parser.add_argument("source", help="a Sacred run directory (output/sacred/<name>/<id>) or a sessions JSON file")
    parser.add_argument("--out", help="output directory (default: <run dir>/report or <file stem>_report)")
    parser.add_argument("--schema", help="schema of a session file that does not name it")
    parser.add_argument("--dataset", type=int, help="dataset of a session file that does not name it")
    parser.add_argument("--rows", type=int, default=5, help="rows shown per display (default 5)")
    parser.add_argument(
        "--max-sessions",
        type=int,
        default=DEFAULT_MAX_SESSIONS,
        help=f"detail at most this many sessions per file (default {DEFAULT_MAX_SESSIONS}; 0: all)",
    )
    parser.add_argument("--no-headline", action="store_true", help="leave out the headline table")
    args = parser.parse_args(argv)
    if args.rows < 1 or args.max_sessions < 0:
        print("error: --rows must be positive and --max-sessions non-negative", file=sys.stderr)
        return 2
    from ilaeda.report.sessions import load_input
    from ilaeda.report.write import write_report

    source = Path(args.source)
    try:
        inp = load_input(source, args.schema, args.dataset)
        out = (
            Path(args.out)
            if args.out
            else (source / "report" if source.is_dir() else source.with_name(f"{source.stem}_report"))
        )
        paths = write_report(
            inp, out, rows=args.rows, max_sessions=args.max_sessions or None, with_headline=not args.no_headline
        )
    except IlaedaError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"notebook: {paths['notebook']}")
    print(f"report: {paths['html']}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
