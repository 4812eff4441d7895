"""Sacred, imported once with ilaeda's settings (quiet ``pkg_resources`` warning, ``sys`` capture), and the
experiment class of the training scripts.

``Experiment.add_config("benchmarking/<cfg>.json")`` (imitation's documented way to run a benchmark config
from Python, followed by ``ex.run(...)``) behaves like ``with <cfg>.json`` on the command line: the file is
applied to the experiment *and its ingredients* at each run. Plain Sacred would add the whole file to the
experiment's own config, where ingredient entries (``environment``, ``rl``...) are silently ignored.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)

import sacred  # noqa: E402
from sacred.run import Run  # noqa: E402
from sacred.utils import apply_backspaces_and_linefeeds  # noqa: E402

from ilaeda.errors import ConfigError  # noqa: E402
from ilaeda.provenance import config_files_hashes  # noqa: E402

# ``fd`` capture misbehaves in subprocesses and under pytest (Sacred issue 289); ``sys`` is what
# imitation passes everywhere with ``--capture=sys``.
sacred.SETTINGS.CAPTURE_MODE = "sys"


def _after_start_only(event: Any) -> Any:
    """A FileStorageObserver end event that does nothing when the run's ``started_event`` never finished (a
    Ctrl-C that landed inside it): Sacred would log the observer's AttributeError traceback after the interrupt.
    """

    def guarded(self: sacred.observers.FileStorageObserver, **kwargs: Any) -> Any:
        if getattr(self, "run_entry", None) is None:
            return None
        return event(self, **kwargs)

    guarded.__wrapped__ = event  # type: ignore[attr-defined]
    return guarded


for _event in ("interrupted_event", "failed_event"):
    _method = getattr(sacred.observers.FileStorageObserver, _event)
    if not hasattr(_method, "__wrapped__"):
        setattr(sacred.observers.FileStorageObserver, _event, _after_start_only(_method))

_CONFIG_SUFFIXES = (".json", ".yaml", ".yml", ".pickle")


def read_config_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A JSON config file's object; one-line :class:`ConfigError` naming the file otherwise."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {str(path)!r} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise ConfigError(f"cannot read config file {str(path)!r}: {reason}") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"config file {str(path)!r} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ConfigError(
            f"config file {str(path)!r} must hold one JSON object of config entries "
            f'({{"key": value, ...}}), not a {type(value).__name__}'
        )
    return value


def check_config_files(named_configs: list[str] | tuple[str, ...]) -> None:
    """Every named config that is a JSON file must be readable and hold a JSON object."""
    for name in named_configs:
        if str(name).endswith(".json") and os.path.isfile(name):
            read_config_file(name)


class Experiment(sacred.Experiment):
    """A Sacred experiment whose ``add_config(file)`` works like ``with file`` on the command line."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # sacred.Experiment's arguments, passed on
        super().__init__(*args, **kwargs)
        self.config_files: list[str] = []

    def _ingredient_paths(self) -> set[str]:
        return {ingredient.path for ingredient, depth in self.traverse_ingredients() if depth > 0}

    def add_config(
        self, cfg_or_file: str | os.PathLike[str] | dict[str, object] | None = None, **kw_conf: object
    ) -> None:
        """Add a config file (applied at each run like ``with file``) or a dict of the experiment's own keys.

        A dict (or keywords) holding an ingredient's entries is refused: Sacred would ignore them. Save them
        in a JSON file and add that, or pass them to ``ex.run(config_updates=...)``.
        """
        if isinstance(cfg_or_file, (str, os.PathLike)):
            path = Path(cfg_or_file)
            if path.suffix == ".json":
                read_config_file(path)
            elif not path.is_file():
                raise ConfigError(f"config file {str(path)!r} not found")
            self.config_files.append(str(path.resolve()))
            return
        entries = {**(cfg_or_file or {}), **kw_conf} if isinstance(cfg_or_file, (dict, type(None))) else {}
        nested = sorted(set(entries) & self._ingredient_paths())
        if nested:
            raise ConfigError(
                f"add_config got the ingredient entry {nested[0]!r}, which Sacred would ignore; add a JSON file "
                f"instead (ex.add_config('cfg.json')) or pass it as ex.run(..., config_updates={{{nested[0]!r}: "
                "...}})"
            )
        super().add_config(cfg_or_file, **kw_conf)

    def _create_run(
        self,
        command_name: str | None = None,
        config_updates: dict[str, object] | None = None,
        named_configs: Sequence[str] = (),
        info: dict[str, object] | None = None,
        meta_info: dict[str, object] | None = None,
        options: dict[str, object] | None = None,
    ) -> Run:
        named = [*self.config_files, *(named_configs or ())]
        check_config_files(named)
        run: Run = super()._create_run(command_name, config_updates, named, info, meta_info, options)
        run.info.setdefault("config_files", config_files_hashes(named))  # the files as they were at the start
        return run


def new_experiment(name: str, ingredients: list[sacred.Ingredient]) -> Experiment:
    """An :class:`Experiment` whose captured output keeps only the final state of progress-bar lines."""
    # The run record's ``host.pid``: with ``host.hostname`` it lets ``experiments/commands.py --skip_completed``
    # tell a live RUNNING run from one killed a moment ago (whose heartbeat still looks fresh).
    ex = Experiment(
        name, ingredients=ingredients, additional_host_info=[sacred.host_info.HostInfoGetter(os.getpid, "pid")]
    )
    ex.captured_out_filter = apply_backspaces_and_linefeeds  # type: ignore[assignment]  # Sacred annotates it None
    return ex


__all__ = ["Experiment", "Run", "check_config_files", "new_experiment", "read_config_file", "sacred"]
