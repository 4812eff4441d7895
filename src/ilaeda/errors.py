"""Exceptions with messages meant for users: each names the problem and the fix; how a command line reports them."""

from __future__ import annotations

import sys
from collections.abc import Callable


class IlaedaError(Exception):
    """Base class of the errors ilaeda reports to users without a traceback."""


class ConfigError(IlaedaError, ValueError):
    """A configuration names something that does not exist (schema, dataset, column, operator...)."""


class DataError(IlaedaError):
    """A data file is missing, corrupt or malformed."""


class SessionFormatError(IlaedaError, ValueError):
    """A session file or action is malformed; the message names the session and action index."""


class StorageError(IlaedaError):
    """A file cannot be written because its file system is full or read-only."""


def run_cli(command: Callable[[], int], interrupted: str = "interrupted") -> int:
    """The exit status of a command-line command: its own, 2 after an :class:`IlaedaError` (printed as one
    ``error:`` line, no traceback), 130 after Ctrl-C (``error: <interrupted>``).
    """
    try:
        return command()
    except IlaedaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"error: {interrupted}", file=sys.stderr)
        return 130
