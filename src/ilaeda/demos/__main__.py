"""``python -m ilaeda.demos`` / ``ilaeda-demos``: conversion report, export, cache.

Commands: ``report [--json]``, ``export --out DIR``, ``build --split NAME`` (fill the cache and print
counts), ``cache [--clear]``. Errors print ``error: ...`` and exit with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from ilaeda.envs.options import EPISODE_ENDS, EnvOptions
from ilaeda.errors import IlaedaError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ilaeda-demos", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help="data directory (default: $ILAEDA_DATA_DIR, then the user cache)")
    common.add_argument(
        "--multi-aggregation",
        choices=("first", "split"),
        default="first",
        help="a group with several aggregations → one Group (first new one) or one per aggregation",
    )
    replay = argparse.ArgumentParser(add_help=False)
    replay.add_argument(
        "--horizon", type=int, default=EnvOptions.horizon, help=f"episode horizon (default {EnvOptions.horizon})"
    )
    replay.add_argument("--cache-dir", help="demonstration cache directory (default <user cache>/demos)")
    replay.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")

    report = sub.add_parser("report", parents=[common, replay], help="print the conversion report")
    report.add_argument("--json", action="store_true", help="print one JSON object")
    export = sub.add_parser("export", parents=[common], help="write the sessions as JSON, one file per dataset")
    export.add_argument("--out", required=True, help="output directory")
    build = sub.add_parser("build", parents=[common, replay], help="build (cache) the trajectories of a split")
    build.add_argument("--split", required=True, help="e.g. cyber_loo1, cyber_2, cyber_all")
    build.add_argument("--part", choices=("train", "test", "eval"), default="train")
    build.add_argument("--include-references", action="store_true")
    build.add_argument("--test-fraction", type=float, default=0.3)
    build.add_argument("--seed", type=int, default=0)
    build.add_argument("--long-sessions", choices=("cut", "windows"), default="cut")
    build.add_argument(
        "--episode-end",
        choices=EPISODE_ENDS,
        default=EnvOptions.episode_end,
        help=f"the env the trajectories are for: what STOP does (default {EnvOptions.episode_end})",
    )
    cache = sub.add_parser("cache", help="list (or --clear) the demonstration cache")
    cache.add_argument("--cache-dir")
    cache.add_argument("--clear", action="store_true")
    return parser


def _run(args: argparse.Namespace) -> None:
    if args.command == "report":
        from ilaeda.demos.report import build_report, format_report

        report = build_report(
            horizon=args.horizon,
            multi_aggregation=args.multi_aggregation,
            data_dir=args.data_dir,
            cache_dir=args.cache_dir,
            use_cache=not args.no_cache,
        )
        print(json.dumps(report) if args.json else format_report(report))
    elif args.command == "export":
        from ilaeda.demos.export import export_sessions

        for path in export_sessions(args.out, data_dir=args.data_dir, multi_aggregation=args.multi_aggregation):
            print(path)
    elif args.command == "build":
        from ilaeda.demos.splits import load_demonstrations

        trajectories = load_demonstrations(
            args.split,
            part=args.part,
            include_references=args.include_references,
            test_fraction=args.test_fraction,
            seed=args.seed,
            options=EnvOptions(horizon=args.horizon, episode_end=args.episode_end),
            long_sessions=args.long_sessions,
            multi_aggregation=args.multi_aggregation,
            data_dir=args.data_dir,
            cache_dir=args.cache_dir,
            use_cache=not args.no_cache,
        )
        steps = sum(len(t) for t in trajectories)
        print(f"{args.split} {args.part}: {len(trajectories)} trajectories, {steps} transitions")
    elif args.command == "cache":
        from ilaeda.demos.cache import cache_entries, clear_cache, default_cache_dir

        directory = Path(args.cache_dir) if args.cache_dir else default_cache_dir()
        if args.clear:
            print(f"removed {clear_cache(directory)} files from {directory}")
        else:
            entries = cache_entries(directory)
            print(f"{directory}: {len(entries)} entries")
            for path in entries:
                print(f"  {path.name}  {path.stat().st_size} bytes")


def main(argv: Sequence[str] | None = None) -> int:
    """Console entry point; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        _run(args)
    except IlaedaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
