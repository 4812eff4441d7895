#!/usr/bin/env python3
r"""Print one training command per (config file, seed), for GNU parallel or Slurm.

Local lines (run them with ``| parallel -j 8``)::

    python experiments/commands.py --name=run0 --cfg_pattern='benchmarking/*_cyber_loo*.json' \
        --seeds 0,1,2 --output_dir=output

Slurm lines (one ``sbatch`` per run; run them with ``| bash``)::

    python experiments/commands.py ... --remote --venv=.venv --partition=cpu

Slurm job array (one job ID for the whole grid; at most K tasks at once; run it with ``| bash``)::

    python experiments/commands.py ... --remote --array --array_throttle=K

Tuning workers (N per config, all on the study ``<name>-<config stem>``; local, ``--remote`` or
``--remote --array``)::

    python experiments/commands.py --name=tune0 --cfg_pattern=benchmarking/gail_cyber_loo1.json \
        --output_dir=output --tune_workers=4 --tune_args='n_trials=40 seeds=[0,1]'

The algorithm is read from the config file name: the first ``_``-separated token of the basename
(the second for ``fast_<algo>_...`` test configs) must be one of the tokens of ``ALGORITHMS`` in ``src/ilaeda/contract.py``
(``gail airl bc dagger bcgail``).
``bcgail`` runs ``train_adversarial gail`` (its JSON turns the BC warm start on). ``fast_*`` test
configs are selected only by a pattern whose file part itself starts with ``fast``.

Each run stores its Sacred record in ``<output_dir>/sacred/<name>-<config stem>-s<seed>/<id>/`` and its
logs under ``<output_dir>``; ``--skip_completed`` leaves out runs that already COMPLETED there, so an
interrupted grid resumes. A run counts as completed when a COMPLETED Sacred run of the same ``--name``,
algorithm, Sacred command and seed used a config file with the same *content* (``config_file_hash``, recorded by the
training scripts; for older records: every value of the file equals the recorded config), so an edited
config is run again. A run still alive (RUNNING with a heartbeat younger than :data:`FRESH_HEARTBEAT_S`) is
left out too. Bad input (an ``--output_dir`` under a file or on a read-only file system...) prints one
``commands.py: error: ...`` line and exits with 2.

With ``--array`` the lines go into ``<slurm log dir>/<name>-array-<hash>.lines`` (written by the printed
snippet itself, named by its content so a resubmission never changes the file of a running array) and
task i runs line i+1. ``--skip_completed`` works as for single runs. A storage password never goes into a
line: a ``--tune_args`` storage URL's ``user:password@`` password is left out of the lines (the workers read
it from ``$ILAEDA_STORAGE_PASSWORD`` or an owner-only ``storage_password_file``); one in the URL's query
is refused. Messages mask it (``src/ilaeda/redaction.py``).

Only the standard library is used (and ``src/ilaeda/contract.py`` and ``redaction.py``, loaded by path), so this runs with any
Python 3.10+.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import glob
import hashlib
import json
import os
import re
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import NoReturn

#: The algorithm names live in the package's contract module, the URL redaction in its redaction module, the
#: reading of Sacred run records in its runrecords module; all are loaded by path, so this script needs
#: neither the package installed nor anything beyond the standard library.
PACKAGE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "src", "ilaeda")
CONTRACT_PATH = os.path.join(PACKAGE_DIR, "contract.py")


def _load_contract(path: str = CONTRACT_PATH, name: str = "_ilaeda_contract") -> ModuleType:
    """A standard-library module of this checkout's package (``contract.py`` by default), loaded by file path."""
    import importlib.util

    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None or not os.path.isfile(path):
        print(
            f"commands.py: error: {os.path.normpath(path)} not found; run this script from an ilaeda checkout",
            file=sys.stderr,
        )
        sys.exit(2)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


contract = _load_contract()
redaction = _load_contract(os.path.join(PACKAGE_DIR, "redaction.py"), "_ilaeda_redaction")
runrecords = _load_contract(os.path.join(PACKAGE_DIR, "runrecords.py"), "_ilaeda_runrecords")
is_alive = runrecords.is_alive
config_file_hash = runrecords.config_file_hash
SACRED_BEAT_INTERVAL_S: float = runrecords.SACRED_BEAT_INTERVAL_S
FRESH_HEARTBEAT_S: float = runrecords.FRESH_HEARTBEAT_S
#: config-name token -> (script module, Sacred command)
ALGORITHMS: dict[str, tuple[str, str]] = contract.SCRIPT_COMMANDS
FAST_TOKEN: str = contract.FAST_TOKEN
ARRAY_DELIMITER = "ILAEDA_ARRAY_LINES"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
#: Slurm --time: minutes, minutes:seconds, hours:minutes:seconds, days-hours[:minutes[:seconds]], or a word.
_TIME_RE = re.compile(r"^(\d+(:\d{1,2}){0,2}|\d+-\d{1,2}(:\d{1,2}){0,2}|infinite|unlimited|UNLIMITED)$")
#: Slurm --mem: a whole number with an optional unit.
_MEM_RE = re.compile(r"^\d+[KMGTkmgt]?$")


class UsageError(Exception):
    """Bad command-line input; reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors are one line (no usage dump) with exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


@dataclass(frozen=True)
class Run:
    """One (config, seed) pair and where its outputs go."""

    cfg_path: str
    algo_token: str
    script: str
    command: str
    seed: int
    cmd_id: str


def parse_seeds(tokens: Sequence[str]) -> list[int]:
    """Seeds from ``["0,1,2"]``, ``["0", "1", "2"]`` or a mix; duplicates dropped, order kept."""
    seeds: list[int] = []
    for token in tokens:
        for piece in re.split(r"[,\s]+", token.strip()):
            if not piece:
                continue
            if not piece.isdigit():
                raise UsageError(f"--seeds: {piece!r} is not a non-negative integer (use 0,1,2 or 0 1 2)")
            if int(piece) not in seeds:
                seeds.append(int(piece))
    if not seeds:
        raise UsageError("--seeds: no seed given (use 0,1,2 or 0 1 2)")
    return seeds


def algo_token(cfg_path: str) -> str:
    """The algorithm token of a config file name, by exact ``_``-token match."""
    token: str = contract.config_token(os.path.splitext(os.path.basename(cfg_path))[0])
    if token not in ALGORITHMS:
        raise UsageError(
            f"cannot tell the algorithm of {cfg_path!r}: its name must start with one of "
            f"{', '.join(ALGORITHMS)} (or fast_<algo>_...)"
        )
    return token


def find_configs(pattern: str, exclude: Sequence[str] = ()) -> list[str]:
    """Sorted config files matching ``pattern``; ``fast_*`` ones only if the pattern asks for them."""
    paths = sorted(p for p in glob.glob(pattern, recursive=True) if os.path.isfile(p))
    if not os.path.basename(pattern).startswith(FAST_TOKEN):
        paths = [p for p in paths if not os.path.basename(p).startswith(FAST_TOKEN + "_")]
    paths = [p for p in paths if not any(fnmatch.fnmatch(os.path.basename(p), e) for e in exclude)]
    if not paths:
        raise UsageError(f"no config file matches --cfg_pattern={pattern!r}")
    for path in paths:
        if "=" in path:
            raise UsageError(f"config path {path!r} contains '=', which Sacred would read as an update")
    return paths


def make_runs(name: str, cfg_paths: Sequence[str], seeds: Sequence[int]) -> list[Run]:
    """One Run per (config, seed), config-major; run ids must be unique."""
    runs: list[Run] = []
    seen: dict[str, str] = {}
    for cfg in cfg_paths:
        token = algo_token(cfg)
        script, command = ALGORITHMS[token]
        stem = os.path.splitext(os.path.basename(cfg))[0]
        for seed in seeds:
            cmd_id = f"{name}-{stem}-s{seed}"
            if cmd_id in seen:
                raise UsageError(
                    f"configs {seen[cmd_id]!r} and {cfg!r} have the same file name; "
                    "run them under different --name values"
                )
            seen[cmd_id] = cfg
            runs.append(Run(cfg, token, script, command, seed, cmd_id))
    return runs


@dataclass(frozen=True)
class Completed:
    """A COMPLETED Sacred run: run name, algorithm token (of its config file, as analyze labels it), command,
    seed, config-file hashes (empty in older records), config.
    """

    name: str
    algo: str | None
    command: str
    seed: int
    file_hashes: frozenset[str]
    config: dict
    #: ``COMPLETED``, or ``RUNNING`` for a run still alive (see :func:`is_alive`).
    status: str = "COMPLETED"


def completed_runs(output_dir: str) -> list[Completed]:
    """Every COMPLETED Sacred run (with a result) under ``output_dir/sacred``, and every live RUNNING one.

    Unreadable or partial records count as not completed.
    """
    done: list[Completed] = []
    for run_dir in runrecords.walk_run_dirs([os.path.join(output_dir, "sacred")], follow_links=False):
        try:
            run = runrecords.read_run(run_dir)
            config = runrecords.read_config(run_dir)
            completed = run.get("status") == "COMPLETED" and isinstance(run.get("result"), dict)
            if not completed and not is_alive(run):
                continue
            files = runrecords.config_files(run, (".json",))
            done.append(
                Completed(
                    str(run["experiment"]["name"]),
                    _token_or_none(files[0]) if files else None,
                    str(run["command"]),
                    runrecords.seed(config),
                    runrecords.config_file_hashes(run),
                    config,
                    "COMPLETED" if completed else "RUNNING",
                )
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
    return done


def _token_or_none(cfg_path: str) -> str | None:
    try:
        return algo_token(cfg_path)
    except UsageError:
        return None


def _within(values: object, config: object) -> bool:
    """Whether every leaf of ``values`` (a config file's content) has the same value in ``config``."""
    if isinstance(values, dict):
        return isinstance(config, dict) and all(k in config and _within(v, config[k]) for k, v in values.items())
    return values == config


def is_completed(run: Run, name: str, content: dict, done: Sequence[Completed]) -> str | None:
    """``"COMPLETED"`` when ``run`` (its config file holding ``content``) already completed under this grid
    name, ``"RUNNING"`` when a live copy of it is running, else None.
    """
    wanted = config_file_hash(content)
    found = None
    for c in done:
        if (c.name, c.command, c.seed) != (name, run.command, run.seed) or c.algo not in (None, run.algo_token):
            continue
        if wanted in c.file_hashes or (not c.file_hashes and _within(content, c.config)):
            if c.status == "COMPLETED":
                return c.status
            found = c.status
    return found


def read_config(path: str) -> dict:
    """A config file's JSON object; UsageError naming the file otherwise."""
    try:
        with open(path, encoding="utf-8") as f:
            content = json.load(f)
    except OSError as e:
        raise UsageError(f"cannot read config file {path!r}: {e.strerror or e}") from None
    except ValueError as e:
        raise UsageError(f"config file {path!r} is not valid JSON: {e}") from None
    if not isinstance(content, dict):
        raise UsageError(f"config file {path!r} must hold one JSON object, not a {type(content).__name__}")
    return content


def write_problem(folder: str) -> str | None:
    """Why nothing can be created in the existing ``folder`` (a read-only file system, no permission), or None.

    The read-only test comes first: it holds for root too, who ignores permission bits.
    """
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "is on a read-only file system"
    except (OSError, AttributeError):  # no statvfs (Windows): the access test still runs
        pass
    if not os.access(folder, os.W_OK | os.X_OK):
        return "is not writable (permission denied)"
    return None


def check_output_dir(path: str) -> None:
    """``--output_dir`` must be a folder, or creatable as one (no regular file in the way), on a writable disk."""
    candidate = os.path.abspath(os.path.expanduser(path))
    while True:
        if os.path.exists(candidate):
            if not os.path.isdir(candidate):
                raise UsageError(f"--output_dir={path}: {candidate} is a file, not a folder; choose another folder")
            problem = write_problem(candidate)
            if problem:
                raise UsageError(f"--output_dir={path}: {candidate} {problem}; choose a writable folder")
            return
        parent = os.path.dirname(candidate)
        if parent == candidate:
            return
        candidate = parent


def _sacred_value(value: str) -> str:
    """``value`` written so that Sacred's ``key=value`` parser gives back this very string."""
    try:
        ast.literal_eval(value)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        if value == value.strip():
            return value
    return json.dumps(value, ensure_ascii=False)


def train_command(run: Run, args: argparse.Namespace) -> str:
    """The shell line that trains one run."""
    q = shlex.quote
    storage = os.path.join(args.output_dir, "sacred", run.cmd_id)
    parts = [
        q(args.python),
        "-m",
        q(f"{args.scripts_package}.{run.script}"),
        run.command,
        "--capture=sys",
        q(f"--name={args.name}"),
        q(f"--file_storage={storage}"),
        "with",
        q(run.cfg_path),
        f"seed={run.seed}",
        q(f"logging.log_root={_sacred_value(args.output_dir)}"),
    ]
    return " ".join(parts)


def sbatch_command(run: Run, args: argparse.Namespace) -> str:
    """The ``sbatch`` line that submits one run (log directory created first)."""
    q = shlex.quote
    inner = train_command(run, args)
    if args.container:
        inner = f"{args.container_cmd} {q(args.container)} {inner}"
    if args.venv:
        inner = f". {q(os.path.join(args.venv, 'bin', 'activate'))} && {inner}"
    log_dir = args.slurm_log_dir or os.path.join(args.output_dir, "slurm")
    parts = [
        "mkdir",
        "-p",
        q(log_dir),
        "&&",
        "sbatch",
        q(f"--job-name={run.cmd_id}"),
        f"--cpus-per-task={args.cpus_per_task}",
        q(f"--mem={args.mem}"),
        q(f"--time={args.time}"),
    ]
    if args.partition:
        parts.append(q(f"--partition={args.partition}"))
    parts += [
        q(f"--output={os.path.join(log_dir, run.cmd_id)}.%j.out"),
        q(f"--error={os.path.join(log_dir, run.cmd_id)}.%j.err"),
    ]
    parts += [q(extra) for extra in shlex.split(args.sbatch_args or "")]
    parts.append(q(f"--wrap={inner}"))
    return " ".join(parts)


def _check_sbatch_args(text: str | None) -> None:
    try:
        shlex.split(text or "")
    except ValueError as e:
        raise UsageError(f"--sbatch_args: {e}") from None


def tune_args(text: str | None) -> list[str]:
    """``--tune_args`` as ``key=value`` tokens; a storage URL's password is taken out of them.

    The workers read it from ``$ILAEDA_STORAGE_PASSWORD`` (or ``storage_password_file``); a password in the
    URL's query is refused.
    """
    try:
        tokens = shlex.split(text or "")
    except ValueError as e:
        raise UsageError(f"--tune_args: {e}") from None
    out = []
    for token in tokens:
        if "=" not in token:
            raise UsageError(f"--tune_args: {token!r} is not key=value")
        key, value = token.split("=", 1)
        if key in ("study_name", "output_dir", "worker"):
            raise UsageError(
                f"--tune_args: {key} is set by commands.py (--name, --output_dir, one worker number per line)"
            )
        if key == "storage":
            if redaction.query_password_key(value) is not None:
                raise UsageError(
                    "--tune_args: a password in the storage URL's query is not accepted; write it as "
                    "user:password@host or set ILAEDA_STORAGE_PASSWORD in the workers' environment"
                )
            value, password = redaction.split_password(value)
            if password is not None:
                print(
                    "commands.py: the storage password is left out of the lines; set ILAEDA_STORAGE_PASSWORD "
                    "in the workers' environment (sbatch passes the submitting shell's) or use "
                    "storage_password_file=FILE (chmod 600)",
                    file=sys.stderr,
                )
                token = f"{key}={value}"
        out.append(token)
    return out


def tune_commands(cfg_paths: Sequence[str], args: argparse.Namespace) -> list[tuple[str, str]]:
    """``(job id, line)`` of ``--tune_workers`` worker lines per config, all on one study per config."""
    q = shlex.quote
    extra = tune_args(args.tune_args)
    lines: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for cfg in cfg_paths:
        token = algo_token(cfg)
        stem = os.path.splitext(os.path.basename(cfg))[0]
        study = f"{args.name}-{stem}"
        if study in seen:
            raise UsageError(
                f"configs {seen[study]!r} and {cfg!r} have the same file name; run them under different --name values"
            )
        seen[study] = cfg
        for worker in range(args.tune_workers):
            parts = [
                q(args.python),
                "-m",
                q(f"{args.scripts_package}.tune"),
                token,
                "with",
                q(cfg),
                q(f"study_name={study}"),
                q(f"output_dir={args.output_dir}"),
                f"worker={worker}",
                *[q(t) for t in extra],
            ]
            lines.append((f"{study}-w{worker}", " ".join(parts)))
    return lines


def wrapped(line: str, args: argparse.Namespace) -> str:
    """A line as a Slurm job runs it: in the container, after activating the venv."""
    q = shlex.quote
    if args.container:
        line = f"{args.container_cmd} {q(args.container)} {line}"
    if args.venv:
        line = f". {q(os.path.join(args.venv, 'bin', 'activate'))} && {line}"
    return line


def _sbatch_options(args: argparse.Namespace) -> list[str]:
    q = shlex.quote
    parts = [f"--cpus-per-task={args.cpus_per_task}", q(f"--mem={args.mem}"), q(f"--time={args.time}")]
    if args.partition:
        parts.append(q(f"--partition={args.partition}"))
    return parts


def array_command(lines: Sequence[str], args: argparse.Namespace) -> str:
    """One shell snippet: write the lines to a file named by their content, submit them as one job array."""
    q = shlex.quote
    if not lines:
        raise UsageError("nothing to submit")
    for line in lines:
        if "\n" in line or line.strip() == ARRAY_DELIMITER:
            raise UsageError("a command line contains a newline; rename the offending path")
    body = "\n".join(wrapped(line, args) for line in lines) + "\n"
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()[:12]
    log_dir = args.slurm_log_dir or os.path.join(args.output_dir, "slurm")
    lines_file = os.path.join(log_dir, f"{args.name}-array-{digest}.lines")
    throttle = f"%{args.array_throttle}" if args.array_throttle else ""
    task = f'eval "$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" {q(lines_file)})"'
    parts = [
        "mkdir",
        "-p",
        q(log_dir),
        "&&",
        "cat",
        ">",
        q(lines_file),
        f"<<'{ARRAY_DELIMITER}'",
        "&&",
        "sbatch",
        q(f"--job-name={args.name}"),
        f"--array=0-{len(lines) - 1}{throttle}",
        *_sbatch_options(args),
        q(f"--output={os.path.join(log_dir, args.name)}.%A_%a.out"),
        q(f"--error={os.path.join(log_dir, args.name)}.%A_%a.err"),
        *[q(extra) for extra in shlex.split(args.sbatch_args or "")],
        q(f"--wrap={task}"),
    ]
    return " ".join(parts) + "\n" + body + ARRAY_DELIMITER


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    p = _Parser(prog="commands.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--name", required=True, help="run name (Sacred --name) shared by the whole grid")
    p.add_argument(
        "--cfg_pattern",
        default="benchmarking/*_cyber_loo*.json",
        help="glob of config files (sorted; default %(default)s)",
    )
    p.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="leave out configs whose file name matches GLOB (repeatable)",
    )
    p.add_argument("--seeds", nargs="+", default=["0"], help="seeds: 0,1,2 or 0 1 2 (default 0)")
    p.add_argument("--output_dir", required=True, help="where Sacred records and logs go")
    p.add_argument("--python", default="python", help="Python executable in the lines (default python)")
    p.add_argument(
        "--scripts_package",
        default="ilaeda.scripts",
        help="package holding train_adversarial/train_imitation (default %(default)s)",
    )
    p.add_argument(
        "--skip_completed",
        action="store_true",
        help="omit runs that already have a COMPLETED Sacred run under --output_dir",
    )
    r = p.add_argument_group("Slurm (--remote)")
    r.add_argument("--remote", action="store_true", help="print one sbatch line per run (pipe into bash)")
    r.add_argument("--cpus_per_task", type=int, default=1, help="sbatch --cpus-per-task (default 1)")
    r.add_argument("--mem", default="4G", help="sbatch --mem (default 4G)")
    r.add_argument("--time", default="24:00:00", help="sbatch --time (default 24:00:00)")
    r.add_argument("--partition", default=None, help="sbatch --partition (default: the cluster's default)")
    r.add_argument("--slurm_log_dir", default=None, help="job stdout/stderr dir (default OUTPUT_DIR/slurm)")
    r.add_argument("--venv", default=None, help="virtual environment the job activates first")
    r.add_argument("--container", default=None, help="container image the job runs in")
    r.add_argument("--container_cmd", default="apptainer exec", help="how to run in --container (default %(default)r)")
    r.add_argument("--sbatch_args", default=None, help="extra sbatch options, e.g. '--account=abc'")
    r.add_argument(
        "--array",
        action="store_true",
        help="submit all lines as ONE Slurm job array (needs --remote; pipe the snippet into bash)",
    )
    r.add_argument(
        "--array_throttle",
        type=int,
        default=None,
        metavar="K",
        help="run at most K array tasks at once (sbatch --array=0-N%%K)",
    )
    t = p.add_argument_group("tuning workers")
    t.add_argument(
        "--tune_workers",
        type=int,
        default=0,
        metavar="N",
        help="print N tune-worker lines per config (one shared study each) instead of training lines",
    )
    t.add_argument(
        "--tune_args",
        default=None,
        help="tune options for every worker, e.g. 'n_trials=40 storage=sqlite:///output/tune.db'",
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Print the command lines; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if not _NAME_RE.match(args.name):
            raise UsageError(f"--name={args.name!r}: use letters, digits, '.', '_' and '-' only")
        if args.cpus_per_task < 1:
            raise UsageError("--cpus_per_task must be at least 1")
        if args.remote and not _TIME_RE.match(args.time):
            raise UsageError(
                f"--time={args.time!r} is not a Slurm time limit; use e.g. 90 (minutes), 12:00:00 or 1-00:00:00"
            )
        if args.remote and not _MEM_RE.match(args.mem):
            raise UsageError(f"--mem={args.mem!r} is not a Slurm memory size; use e.g. 4G or 500M")
        check_output_dir(args.output_dir)
        seeds = parse_seeds(args.seeds)
        runs = make_runs(args.name, find_configs(args.cfg_pattern, args.exclude), seeds)
        contents = {cfg: read_config(cfg) for cfg in sorted({r.cfg_path for r in runs})}
        _check_sbatch_args(args.sbatch_args)
        _check_array_and_tune(args)
        workers = tune_commands(list(dict.fromkeys(r.cfg_path for r in runs)), args) if args.tune_workers else None
    except UsageError as e:
        parser.exit(2, f"{parser.prog}: error: {redaction.redact(str(e))}\n")
    if workers is not None:
        return _emit([line for _, line in workers], args, [job for job, _ in workers])
    if args.skip_completed:
        done = completed_runs(args.output_dir)
        states = [is_completed(r, args.name, contents[r.cfg_path], done) for r in runs]
        alive = states.count("RUNNING")
        running = (
            f", {alive} still running (a heartbeat within {FRESH_HEARTBEAT_S:.0f} s; rerun after they end)"
            if alive
            else ""
        )
        print(
            f"commands.py: {states.count('COMPLETED')} of {len(runs)} runs already completed{running}; "
            f"{states.count(None)} to go",
            file=sys.stderr,
        )
        runs = [r for r, state in zip(runs, states) if state is None]
    if args.array:
        return _emit([train_command(run, args) for run in runs], args, [run.cmd_id for run in runs])
    make = sbatch_command if args.remote else train_command
    return _print([make(run, args) for run in runs])


def _check_array_and_tune(args: argparse.Namespace) -> None:
    if args.array and not args.remote:
        raise UsageError("--array submits a Slurm job array: add --remote")
    if args.array_throttle is not None and (not args.array or args.array_throttle < 1):
        raise UsageError("--array_throttle needs --array and must be at least 1")
    if args.tune_workers < 0:
        raise UsageError("--tune_workers must not be negative")
    if args.tune_args is not None and not args.tune_workers:
        raise UsageError("--tune_args needs --tune_workers")
    if args.tune_workers and args.seeds != ["0"]:
        raise UsageError(
            "--seeds does not apply to tune workers; give the trials' seeds in --tune_args (e.g. seeds=[0,1,2])"
        )
    if args.tune_workers and args.skip_completed:
        raise UsageError("--skip_completed does not apply to tune workers: rerunning a worker resumes its study")


def _emit(lines: Sequence[str], args: argparse.Namespace, job_ids: Sequence[str]) -> int:
    """Print local lines, one sbatch line per line (``--remote``), or one array snippet (``--array``)."""
    if args.array:
        if not lines:
            return 0
        try:
            return _print([array_command(lines, args)])
        except UsageError as e:
            print(f"commands.py: error: {e}", file=sys.stderr)
            return 2
    if not args.remote:
        return _print(lines)
    q = shlex.quote
    log_dir = args.slurm_log_dir or os.path.join(args.output_dir, "slurm")
    out = []
    for job, line in zip(job_ids, lines):
        out.append(
            " ".join(
                [
                    "mkdir",
                    "-p",
                    q(log_dir),
                    "&&",
                    "sbatch",
                    q(f"--job-name={job}"),
                    *_sbatch_options(args),
                    q(f"--output={os.path.join(log_dir, job)}.%j.out"),
                    q(f"--error={os.path.join(log_dir, job)}.%j.err"),
                    *[q(extra) for extra in shlex.split(args.sbatch_args or "")],
                    q(f"--wrap={wrapped(line, args)}"),
                ]
            )
        )
    return _print(out)


def _print(lines: Sequence[str]) -> int:
    try:
        for line in lines:
            print(line, flush=True)
    except BrokenPipeError:  # the reader stopped early (e.g. `| head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    sys.exit(main())
