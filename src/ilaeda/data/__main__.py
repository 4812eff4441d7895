"""``python -m ilaeda.data fetch|verify|info``: download, check and list the data files.

Exit codes: 0 all good; 1 some file missing or corrupt (``verify``) or a corrupt copy left alone
(``fetch``); 2 bad input or a failed download (one ``error: ...`` line on stderr).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ilaeda.data.dirs import find_local, search_dirs
from ilaeda.data.fetch import BASE_URL_ENV, FileStatus, data_files, fetch_all, source_url, verify
from ilaeda.errors import run_cli

_STYLE = {"ok": "green", "downloaded": "cyan", "missing": "yellow", "corrupt": "bold red"}


def _console() -> Console:
    # Wide when piped, so paths are never cut in logs or tests.
    return Console(width=None if sys.stdout.isatty() else 200)


def _size(path: Path) -> str:
    size = float(path.stat().st_size)
    for unit in ("B", "KiB", "MiB"):
        if size < 1024 or unit == "MiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""  # unreachable


def _status_table(title: str, labels: list[str], results: list[FileStatus]) -> Table:
    table = Table(title=title)
    for column in ("file", "path", "status"):
        table.add_column(column, overflow="fold")
    for label, result in zip(labels, results):
        style = _STYLE.get(result.status, "")
        table.add_row(label, str(result.path or result.file.path), f"[{style}]{result.status}[/]")
    return table


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--schema", action="append", metavar="NAME", help="only this schema's files (repeatable; default: all schemas)"
    )
    common.add_argument(
        "--data-dir", metavar="DIR", help="a data folder searched first (for fetch: also where downloads go)"
    )
    parser = argparse.ArgumentParser(prog="python -m ilaeda.data", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="{fetch,verify,info}")
    fetch = commands.add_parser("fetch", parents=[common], help="download every missing file, verified")
    fetch.add_argument(
        "--base-url", metavar="URL", help=f"download <URL>/<path> from a mirror of the data folder (or ${BASE_URL_ENV})"
    )
    commands.add_parser("verify", parents=[common], help="check the sha256 of every file; exit 1 if any is bad")
    commands.add_parser("info", parents=[common], help="show the search order and where each file is")
    return parser


def _fetch(args: argparse.Namespace, console: Console) -> int:
    labelled = data_files(args.schema)
    results = fetch_all(args.schema, data_dir=args.data_dir, dest_root=args.data_dir, base_url=args.base_url)
    console.print(_status_table("ilaeda data: fetch", [label for label, _ in labelled], results))
    corrupt = [r for r in results if r.status == "corrupt"]
    if corrupt:
        paths = ", ".join(str(r.path) for r in corrupt)
        print(
            f"error: corrupt data files left untouched outside the download folder: {paths}; delete or "
            f"replace them with verified copies",
            file=sys.stderr,
        )
        return 1
    return 0


def _verify(args: argparse.Namespace, console: Console) -> int:
    labelled = data_files(args.schema)
    results = verify(args.schema, data_dir=args.data_dir)
    console.print(_status_table("ilaeda data: verify", [label for label, _ in labelled], results))
    bad = [r for r in results if r.status != "ok"]
    if bad:
        names = ", ".join(f"{r.file.path} ({r.status})" for r in bad)
        print(
            f"error: {len(bad)} data file(s) missing or corrupt: {names}; run `python -m ilaeda.data fetch` "
            f"(delete corrupt copies first)",
            file=sys.stderr,
        )
        return 1
    console.print(f"all {len(results)} files verified")
    return 0


def _info(args: argparse.Namespace, console: Console) -> int:
    dirs = search_dirs(args.data_dir)
    order = Table(title="search order")
    for column in ("#", "source", "directory", "exists"):
        order.add_column(column, overflow="fold")
    for i, (name, directory) in enumerate(dirs, 1):
        order.add_row(str(i), name, str(directory), "yes" if directory.is_dir() else "no")
    order.add_row(str(len(dirs) + 1), "download", os.environ.get(BASE_URL_ENV) or "public URLs (pinned commits)", "")
    console.print(order)
    files = Table(title="data files")
    for column in ("file", "path", "found in", "size"):
        files.add_column(column, overflow="fold")
    for label, file in data_files(args.schema):
        path = find_local(file, args.data_dir)
        if path is None:
            files.add_row(label, file.path, f"[yellow]missing[/] (download: {source_url(file)})", "")
            continue
        where = next((name for name, d in dirs if path == d / file.path), "?")
        files.add_row(label, str(path), where, _size(path))
    console.print(files)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m ilaeda.data`` and ``ilaeda-data``; returns the exit code."""
    args = _parser().parse_args(argv)
    console = _console()
    command = {"fetch": _fetch, "verify": _verify, "info": _info}[args.command]
    return run_cli(lambda: command(args, console), "interrupted (no partial file was kept)")


if __name__ == "__main__":
    sys.exit(main())
