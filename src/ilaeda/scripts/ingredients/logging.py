"""Logging ingredient: the run's log directory and imitation's hierarchical logger.

``log_dir`` defaults to ``<log_root>/<command>/<split>/<YYYYmmdd_HHMMSS>_<6 hex>`` (set by a config
hook, so ``config.json`` records it). The logger writes TensorBoard events, stdout tables and
``progress.csv`` (learning curves for ``analyze``) into ``log_dir``; ``log_dir/sacred`` links to the
run's Sacred directory.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from imitation.util import logger as imit_logger
from imitation.util import util as imit_util

from ilaeda.errors import ConfigError
from ilaeda.scripts._sacred import Run, sacred

logging_ingredient = sacred.Ingredient("logging")
logger = logging.getLogger(__name__)


@logging_ingredient.config
def config() -> None:
    log_root = "output"  # parent of every run's log directory
    log_dir = None  # this run's log directory (default: <log_root>/<command>/<split>/<timestamp>)
    log_level = "INFO"  # Python logging level
    log_format_strs = ["tensorboard", "stdout", "csv"]  # imitation/SB3 logger outputs
    locals()  # quieten linters: every local is a config entry


@logging_ingredient.named_config
def quiet() -> None:
    log_format_strs = ["tensorboard", "csv"]  # noqa: F841


def default_log_dir(log_root: str | os.PathLike[str] | None, command: str, name: str) -> Path:
    """``<log_root>/<command>/<name>/<unique timestamp>``."""
    return imit_util.parse_path(log_root or "output") / command / name / imit_util.make_unique_timestamp()


def check_output_dir(path: str | os.PathLike[str], what: str) -> None:
    """Raise a one-line ConfigError when the folder ``path`` could not be created (a file is in the way)."""
    candidate = Path(os.path.expanduser(str(path))).absolute()
    for parent in (candidate, *candidate.parents):
        if parent.exists():
            if not parent.is_dir():
                raise ConfigError(f"{what}={path}: {parent} is a file, not a folder; choose another folder")
            if not os.access(parent, os.W_OK | os.X_OK):
                raise ConfigError(f"{what}={path}: the folder {parent} is not writable; choose another folder")
            return


@logging_ingredient.config_hook
def hook(config: dict[str, Any], command_name: str, logger: logging.Logger) -> dict[str, Any]:
    """Fill ``log_dir`` from the command and the environment's split (when there is one); check both paths."""
    cfg = config["logging"]
    for key in ("log_root", "log_dir"):
        if cfg[key] is not None and not str(command_name).startswith("print_"):
            check_output_dir(cfg[key], f"logging.{key}")
    split = (config.get("environment") or {}).get("split")
    if cfg["log_dir"] is None and split is not None:
        return {"log_dir": str(default_log_dir(cfg["log_root"], command_name, str(split)))}
    return {}


def _link_sacred_dir(log_dir: Path, run: Run | None) -> None:
    """``log_dir/sacred`` → the run's FileStorageObserver directory (relative link; best effort)."""
    for observer in getattr(run, "observers", []):
        run_dir = getattr(observer, "dir", None)
        if run_dir:
            link = log_dir / "sacred"
            try:
                if link.is_symlink() or link.exists():
                    link.unlink()
                link.symlink_to(os.path.relpath(run_dir, log_dir), target_is_directory=True)
            except OSError:  # pragma: no cover - filesystems without symlinks
                pass
            return


@logging_ingredient.capture
def setup_logging(
    _run: Run,
    log_root: str | None,
    log_dir: str | None,
    log_level: str | int,
    log_format_strs: Sequence[str],
    command: str = "run",
    name: str = "run",
) -> tuple[imit_logger.HierarchicalLogger, Path]:
    """Create the log directory and the logger; returns ``(logger, log_dir)``.

    ``command``/``name`` name the directory when ``log_dir`` was not set by the config hook.
    """
    path = imit_util.parse_path(log_dir) if log_dir else default_log_dir(log_root, command, name)
    path.mkdir(parents=True, exist_ok=True)
    level: str | int = int(log_level) if str(log_level).isdigit() else str(log_level).upper()
    numeric = logging.getLevelName(level) if isinstance(level, str) else level
    if not isinstance(numeric, int):
        raise ConfigError(f"logging.log_level must be a logging level such as INFO or 20, got {log_level!r}")
    # imitation logs one INFO line per saved DAgger episode on the root logger: keep the root at
    # WARNING unless a more verbose level is asked for explicitly.
    logging.basicConfig(level=max(numeric, logging.WARNING) if numeric >= logging.INFO else numeric)
    logging.getLogger("ilaeda").setLevel(numeric)
    _link_sacred_dir(path, _run)
    logger.info("Logging to %s", path)
    custom_logger = imit_logger.configure(folder=path, format_strs=list(log_format_strs))
    return custom_logger, path
