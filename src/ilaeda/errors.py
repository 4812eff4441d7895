"""Exceptions with messages meant for users: each names the problem and the fix."""


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
