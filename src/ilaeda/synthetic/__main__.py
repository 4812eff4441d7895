"""Synthetic bundles with planted events: make one, score sessions' event discovery, measure the random agent.

Exit status: 0 done; 2 bad input (one ``error: ...`` line on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ilaeda.data.sessions import load_sessions
from ilaeda.errors import IlaedaError
from ilaeda.synthetic.analysts import random_session
from ilaeda.synthetic.bundle import EVENTS_FILE, SCHEMA_FILE, Bundle, load_bundle, write_bundle
from ilaeda.synthetic.events import EVENT_KINDS, event_rows
from ilaeda.synthetic.metrics import Discovery, event_discovery

MIN_ROWS, MAX_ROWS = 1_000, 10_000_000


def _bounded_int(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is outside {low}..{high}")
        return value

    return parse


def _kinds(text: str) -> list[str]:
    kinds = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in EVENT_KINDS]
    if unknown or not kinds:
        raise argparse.ArgumentTypeError(
            f"unknown event kinds {unknown or [text]}; give a comma-separated list of {', '.join(EVENT_KINDS)}"
        )
    return kinds


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ilaeda.synthetic", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="{make,discovery,random}")
    make = commands.add_parser("make", help="write a bundle: tables, schema.json, references, events.json")
    make.add_argument("out", type=Path, help="the bundle folder to create (must not exist, or be empty)")
    make.add_argument("--rows", type=_bounded_int(MIN_ROWS, MAX_ROWS), default=10_000, help="rows per table")
    make.add_argument("--datasets", type=_bounded_int(1, 100), default=4, help="number of tables")
    make.add_argument("--seed", type=_bounded_int(0, 2**32 - 1), default=0)
    make.add_argument("--events", type=_kinds, default=list(EVENT_KINDS), help="comma-separated event kinds")
    make.add_argument("--name", default="synthetic", help="the schema name written into schema.json")
    make.add_argument("--no-references", action="store_true", help="skip the scripted reference sessions")
    discovery = commands.add_parser("discovery", help="event discovery of a session file on one table")
    discovery.add_argument("bundle", type=Path)
    discovery.add_argument("sessions", type=Path, help="a session JSON file (the references' format)")
    discovery.add_argument("--dataset", type=_bounded_int(1, 100), default=1)
    random = commands.add_parser("random", help="event discovery of the random agent (no STOP) on every table")
    random.add_argument("bundle", type=Path)
    random.add_argument("--sessions", type=_bounded_int(1, 100_000), default=200, help="sessions per table")
    random.add_argument("--length", type=_bounded_int(1, 1_000), default=12, help="actions per session")
    random.add_argument("--seed", type=_bounded_int(0, 2**32 - 1), default=0)
    return parser


def _make(args: argparse.Namespace) -> int:
    out: Path = args.out
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise IlaedaError(f"{out} already exists and is not an empty folder; give a new folder for the bundle")
    if sum(event_rows(kind, args.rows) for kind in args.events) > args.rows // 2:
        raise IlaedaError(f"{len(args.events)} events do not fit in {args.rows} rows; plant fewer or raise --rows")
    try:
        write_bundle(out, args.rows, args.datasets, args.seed, args.events, args.name, not args.no_references)
    except OSError as exc:
        raise IlaedaError(
            f"cannot write the bundle to {out}: {exc.strerror or exc}; choose a writable folder"
        ) from None
    print(f"wrote {out}: {args.datasets} tables of {args.rows} rows, events {', '.join(args.events)}")
    return 0


def _bundle(path: Path) -> Bundle:
    if not (path / SCHEMA_FILE).is_file() or not (path / EVENTS_FILE).is_file():
        raise IlaedaError(f"{path} is not a synthetic bundle (no {SCHEMA_FILE} and {EVENTS_FILE}); make one first")
    try:
        return load_bundle(path)
    except (ValueError, KeyError, TypeError) as exc:
        raise IlaedaError(f"malformed {path / EVENTS_FILE}: {exc!r}; remake the bundle") from None


def _print(label: str, found: Discovery) -> None:
    per_event = json.dumps({k: round(v, 4) for k, v in found.per_event.items()})
    print(f"{label}: discovery {found.rate:.4f} over {len(found.per_session)} sessions; per event {per_event}")


def _discovery(args: argparse.Namespace) -> int:
    bundle = _bundle(args.bundle)
    dataset = bundle.schema.check_dataset(args.dataset)
    sessions = load_sessions(args.sessions, bundle.schema.columns)
    if not sessions:
        raise IlaedaError(f"{args.sessions} holds no session; give a file with at least one")
    _print(
        f"{args.sessions} on table {dataset}", event_discovery(sessions, bundle.engine(dataset), bundle.events[dataset])
    )
    return 0


def _random(args: argparse.Namespace) -> int:
    bundle = _bundle(args.bundle)
    rates = []
    for dataset in bundle.datasets:
        rng = np.random.default_rng([args.seed, dataset])
        engine = bundle.engine(dataset)
        sessions = [random_session(engine, args.length, rng, f"random{i}") for i in range(args.sessions)]
        found = event_discovery(sessions, engine, bundle.events[dataset])
        rates.append(found.rate)
        _print(f"random agent, table {dataset}", found)
    print(f"random agent: mean discovery {float(np.mean(rates)):.4f} over {len(rates)} tables")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m ilaeda.synthetic``; returns the exit code."""
    args = _parser().parse_args(argv)
    commands = {"make": _make, "discovery": _discovery, "random": _random}
    try:
        return commands[args.command](args)
    except IlaedaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
