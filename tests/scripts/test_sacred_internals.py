"""The Sacred internals that :mod:`ilaeda.scripts.console` relies on, pinned by ``sacred>=0.8.4,<0.9``.

``main_console`` parses the command line itself (Sacred's ``docopt`` and ``get_config_updates``) and reads
private attributes of Sacred's errors (``__conflicting_configs__``, ``__config__``). None of that is public
API: if a Sacred release moves or changes it, these tests fail before a user sees a traceback.
"""

from __future__ import annotations

import configparser
import errno
import importlib.metadata
import inspect
import os
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from ilaeda.scripts._sacred import sacred
from ilaeda.scripts.console import user_error_message

REPO = Path(__file__).resolve().parents[2]


def _experiment() -> sacred.Experiment:
    ex = sacred.Experiment("probe")
    ex.add_config(a=1, sub={"x": 2})

    @ex.command
    def go(a: int, sub: dict) -> int:
        return a + sub["x"]

    return ex


def test_installed_sacred_is_in_the_pinned_range() -> None:
    parser = configparser.ConfigParser()
    parser.read(REPO / "setup.cfg")
    requirements = [
        Requirement(line)
        for line in parser["options"]["install_requires"].splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    (sacred_req,) = [r for r in requirements if r.name == "sacred"]
    assert any(s.operator in ("<", "<=", "==", "~=") for s in sacred_req.specifier), (
        "sacred needs an upper bound: console.py uses its internals"
    )
    assert importlib.metadata.version("sacred") in sacred_req.specifier


def test_docopt_parses_the_internal_usage() -> None:
    assert list(inspect.signature(sacred.experiment.docopt).parameters)[:3] == ["docstring", "argv", "default_help"]
    short, usage, internal_usage = _experiment().get_usage()
    assert "COMMAND" in internal_usage and "Options:" in usage and short
    args = sacred.experiment.docopt(
        internal_usage, ["go", "with", "a=3", "cfg.json", "--file_storage=out"], default_help=False
    )
    assert args["COMMAND"] == "go" and args["UPDATE"] == ["a=3", "cfg.json"]
    assert args["--file_storage"] == "out" and args["help"] is False and args["--help"] is False
    with pytest.raises(SystemExit):
        sacred.experiment.docopt(internal_usage, ["go", "--no_such_option"], default_help=False)


def test_get_config_updates_splits_updates_from_named_configs() -> None:
    updates, named = sacred.arg_parser.get_config_updates(["a=3", "sub.x='y'", "named", "cfg.json"])
    assert updates == {"a": 3, "sub": {"x": "y"}}
    assert named == ["named", "cfg.json"]


def test_run_signature_and_commands() -> None:
    ex = _experiment()
    params = list(inspect.signature(ex.run).parameters)
    assert params == ["command_name", "config_updates", "named_configs", "info", "meta_info", "options"]
    assert "go" in dict(ex.gather_commands())
    run = ex.run("go", {"a": 5}, [], info={}, meta_info={}, options={"--loglevel": "ERROR"})
    assert run.result == 7
    # ilaeda.scripts._sacred.Experiment overrides the internal _create_run with this signature.
    import sacred.experiment

    create = list(inspect.signature(sacred.experiment.Experiment._create_run).parameters)
    assert create == ["self", "command_name", "config_updates", "named_configs", "info", "meta_info", "options"]


def test_config_added_error_names_the_unknown_key() -> None:
    ex = _experiment()
    with pytest.raises(sacred.utils.ConfigAddedError) as info:
        ex.run("go", {"b": 2}, [], info={}, meta_info={}, options={"--loglevel": "ERROR"})
    assert tuple(info.value.__conflicting_configs__) == ("b",)
    assert {"a", "sub"} <= set(info.value.__config__)
    message = user_error_message(info.value, ex)
    assert message is not None and "unknown config key 'b'" in message and "valid keys there: a" in message


def test_other_errors_console_maps() -> None:
    ex = _experiment()
    with pytest.raises(sacred.utils.NamedConfigNotFoundError) as missing_named:
        ex.run("go", {}, ["no_such_named_config"], info={}, meta_info={}, options={"--loglevel": "ERROR"})
    assert user_error_message(missing_named.value, ex) is not None

    @ex.command
    def needs(undefined_key: int) -> int:
        return undefined_key

    with pytest.raises(sacred.utils.MissingConfigError) as missing:
        ex.run("needs", {}, [], info={}, meta_info={}, options={"--loglevel": "ERROR"})
    assert "undefined_key" in (user_error_message(missing.value, ex) or "")
    quiet = sacred.utils.SacredError("bad input", print_traceback=False)
    assert quiet.print_traceback is False and user_error_message(quiet, ex) == "bad input"
    assert callable(sacred.utils.print_filtered_stacktrace)
    assert issubclass(sacred.observers.FileStorageObserver, sacred.observers.RunObserver)


@pytest.mark.parametrize(
    ("code", "reason"), [(errno.ENOSPC, "no space left on the device"), (errno.EROFS, "the file system is read-only")]
)
def test_a_full_or_read_only_disk_during_a_run_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], code: int, reason: str
) -> None:
    from ilaeda.scripts.console import main_console

    ex = _experiment()

    @ex.command
    def fill() -> None:
        raise OSError(code, os.strerror(code), str(tmp_path / "out" / "sessions.json"))

    with pytest.raises(SystemExit) as exit_info:
        main_console(ex, ["probe", "fill", f"--file_storage={tmp_path / 'sacred'}", "--loglevel=ERROR"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and "Traceback" not in err and err.count("\n") == 1, err
    assert err.startswith(f"error: cannot write {tmp_path / 'out' / 'sessions.json'}: {reason}")


def test_an_interrupt_inside_started_event_logs_no_observer_traceback(tmp_path: Path) -> None:
    """A Ctrl-C that lands before the FileStorageObserver finished ``started_event`` (the run has no
    ``run_entry`` yet): its end events do nothing instead of raising AttributeError, which Sacred would log
    as a traceback after the interrupt.
    """
    import datetime

    from ilaeda.scripts import _sacred

    observer = _sacred.sacred.observers.FileStorageObserver(str(tmp_path / "runs"))
    now = datetime.datetime.now(datetime.timezone.utc)
    assert observer.interrupted_event(interrupt_time=now, status="INTERRUPTED") is None
    assert observer.failed_event(fail_time=now, fail_trace=["x"]) is None
    assert not (tmp_path / "runs").exists() or not list((tmp_path / "runs").glob("*/run.json"))
