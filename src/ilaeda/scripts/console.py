"""The command-line front end shared by the experiments (``main_console``).

Like imitation's ``main_console`` — ``python -m ilaeda.scripts.<exp> <command> [options] with
<file.json | named_config | key=value> ...`` — with three differences:

* exactly one FileStorageObserver per run: ``output/sacred/<experiment>`` (under the cwd) only when
  no ``-F/--file_storage`` was given (imitation added both, so analysis counted every run twice);
* user errors (unknown command or config key, bad split or dataset, missing config file, a policy
  that does not fit the env, any :class:`~ilaeda.errors.IlaedaError`) print one ``error: ...`` line
  and exit with status 2, without a traceback; other failures print the traceback and exit 1;
* SIGTERM raises ``KeyboardInterrupt`` so Sacred records the run as INTERRUPTED (exit status 130).
"""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import NoReturn

from ilaeda import INTERRUPTED
from ilaeda._io import storage_message, storage_problem
from ilaeda.contract import ALGORITHMS
from ilaeda.errors import IlaedaError
from ilaeda.scripts._sacred import check_config_files, sacred
from ilaeda.scripts.ingredients.logging import check_output_dir

ConfigAddedError = sacred.utils.ConfigAddedError
MissingConfigError = sacred.utils.MissingConfigError
NamedConfigNotFoundError = sacred.utils.NamedConfigNotFoundError
SacredError = sacred.utils.SacredError

#: Exit status of user errors.
USAGE_ERROR = 2
#: Which console script runs which algorithm, for "unknown command" hints.
ALGORITHM_SCRIPTS = {token: algorithm.script for token, algorithm in ALGORITHMS.items()}


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> NoReturn:
    raise KeyboardInterrupt(f"signal {signum}")


def install_sigterm_handler() -> None:
    """Make SIGTERM behave like Ctrl-C (Sacred then marks the run INTERRUPTED)."""
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)


def default_storage(experiment: sacred.Experiment) -> Path:
    """Where runs go without ``--file_storage``: ``./output/sacred/<experiment>``."""
    return Path.cwd() / "output" / "sacred" / str(experiment.path)


def format_config_added(exc: ConfigAddedError, experiment: sacred.Experiment) -> str:
    """One line naming the unknown key and where valid keys are listed."""
    keys = [str(k) for k in getattr(exc, "__conflicting_configs__", ())]
    key = keys[0] if keys else "?"
    config = getattr(exc, "__config__", None) or {}
    last = key.rsplit(".", 1)[-1]
    siblings = sorted(k for k in config if k != last) if isinstance(config, dict) else []
    hint = f"; valid keys there: {', '.join(siblings)}" if siblings else ""
    return (
        f"unknown config key {key!r}: no part of {experiment.path!s} uses it (check the JSON file and the "
        f"key=value arguments; `print_config` lists every key){hint}"
    )


def user_error_message(
    exc: BaseException, experiment: sacred.Experiment, named_configs: Sequence[str] = ()
) -> str | None:
    """The one-line message of a user error, or None for a real failure."""
    if isinstance(exc, IlaedaError):
        return str(exc)
    if isinstance(exc, OSError) and storage_problem(exc):  # a full or read-only disk, at start or later
        return storage_message(exc)
    if isinstance(exc, ConfigAddedError):
        return format_config_added(exc, experiment)
    if isinstance(exc, NamedConfigNotFoundError):
        missing = [n for n in named_configs if n.endswith(".json") and not Path(n).is_file()]
        if missing:
            return f"config file {missing[0]!r} not found"
        return str(exc).splitlines()[0]
    if isinstance(exc, MissingConfigError):
        return str(exc).splitlines()[0]
    if isinstance(exc, json.JSONDecodeError):
        files = [n for n in named_configs if n.endswith(".json")]
        return f"a config file ({', '.join(files) or '?'}) is not valid JSON: {exc}"
    if isinstance(exc, SacredError) and not getattr(exc, "print_traceback", True):
        return str(exc).splitlines()[0]
    return None


def _unknown_command(experiment: sacred.Experiment, command: str | None, program: str) -> str:
    commands = [name for name, _ in experiment.gather_commands()]
    algos = [c for c in commands if c in ALGORITHM_SCRIPTS]
    if command is None:
        return f"no command given; {program} runs one of: {', '.join(algos or commands)}"
    hint = ""
    script = ALGORITHM_SCRIPTS.get(command)
    if command == "bcgail":
        hint = " (BC→GAIL is `train_adversarial gail` with bc_warm_start.enabled=True, e.g. bcgail_*.json)"
    elif script and script != experiment.path:
        hint = f" (it is a command of ilaeda.scripts.{script})"
    return f"unknown command {command!r} for {program}{hint}; available: {', '.join(algos)}" + (
        f" (also {', '.join(c for c in commands if c not in algos)})" if len(commands) > len(algos) else ""
    )


def main_console(experiment: sacred.Experiment, argv: Sequence[str] | None = None) -> None:
    """Run ``experiment`` from the command line (see the module docstring); exits on errors."""
    argv = list(sys.argv if argv is None else argv)
    program = f"python -m ilaeda.scripts.{experiment.path!s}"
    install_sigterm_handler()
    _, usage, internal_usage = experiment.get_usage()
    try:
        args = sacred.experiment.docopt(internal_usage, [str(a) for a in argv[1:]], default_help=False)
    except SystemExit:
        print(
            f"error: could not parse the command line; usage: {program} COMMAND [options] with "
            "CONFIG.json [key=value ...]",
            file=sys.stderr,
        )
        sys.exit(USAGE_ERROR)
    if args.get("help") or args.get("--help"):
        print(usage)
        sys.exit(0)
    command = args.get("COMMAND") or experiment.default_command
    if command is None or command not in dict(experiment.gather_commands()):
        print(f"error: {_unknown_command(experiment, command, program)}", file=sys.stderr)
        sys.exit(USAGE_ERROR)
    config_updates, named_configs = sacred.arg_parser.get_config_updates(args["UPDATE"])
    missing = [n for n in named_configs if n.endswith(".json") or "/" in n]
    missing = [n for n in missing if not Path(n).is_file()]
    if missing:  # Sacred would read "dir/x.json" as the named config "json" of an ingredient "dir/x"
        print(f"error: config file {missing[0]!r} not found", file=sys.stderr)
        sys.exit(USAGE_ERROR)
    try:
        check_config_files(named_configs)
        if args.get("--file_storage"):
            check_output_dir(args["--file_storage"], "--file_storage")
    except IlaedaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(USAGE_ERROR)
    observer = None
    if not args.get("--file_storage"):
        observer = sacred.observers.FileStorageObserver(str(default_storage(experiment)))
        experiment.observers.append(observer)
    try:
        experiment.run(command, config_updates, named_configs, info={}, meta_info={}, options=args)
    except KeyboardInterrupt:
        print("error: interrupted (a started run is recorded as INTERRUPTED)", file=sys.stderr)
        sys.exit(INTERRUPTED)
    except Exception as exc:
        message = user_error_message(exc, experiment, named_configs)
        if message is None:
            sacred.utils.print_filtered_stacktrace()
            sys.exit(1)
        print(f"error: {message}", file=sys.stderr)
        sys.exit(USAGE_ERROR)
    finally:
        if observer is not None:
            experiment.observers.remove(observer)
