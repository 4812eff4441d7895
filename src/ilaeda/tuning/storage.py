"""Where a study lives: a journal file under the output folder, or an Optuna RDB storage URL.

A URL's password may be written ``user:password@`` (any characters; percent-encoding is decoded), or
left out and read from ``$ILAEDA_STORAGE_PASSWORD`` or an owner-only ``storage_password_file``. It is
masked (:mod:`ilaeda.redaction`) in every message, line and file; a password in the URL's query
(``?password=...``) is refused.
"""

from __future__ import annotations

import os
import stat
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ilaeda.redaction import redact, redact_url, split_password
from ilaeda.scripts.config.tune import PASSWORD_ENV
from ilaeda.tuning import UsageError

if TYPE_CHECKING:
    from ilaeda.tuning.options import Settings


def read_password(password_file: str | None, environ: Mapping[str, str] = os.environ) -> str | None:
    """The storage password: from ``password_file`` (owner-only permissions required), else the environment."""
    if password_file:
        path = Path(password_file).expanduser()
        try:
            info = path.stat()
        except OSError as e:
            raise UsageError(f"storage_password_file {password_file!r}: {e.strerror}") from None
        if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise UsageError(
                f"storage_password_file {password_file!r} is readable by others; run chmod 600 {password_file}"
            )
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            raise UsageError(f"storage_password_file {password_file!r} belongs to another user")
        text = path.read_text(encoding="utf-8").strip()
        if not text:
            raise UsageError(f"storage_password_file {password_file!r} is empty")
        return text
    return environ.get(PASSWORD_ENV) or None


def connect_url(url: str, password: str | None) -> str:
    """The RDB URL to connect with: the URL's own password, else ``password`` for a URL with a user name.

    SQLite has no accounts: a user and password in a ``sqlite://`` URL are ignored.
    """
    from sqlalchemy.engine import URL, make_url
    from sqlalchemy.exc import ArgumentError

    bare, own = split_password(url)
    try:
        parsed = make_url(bare)
    except (ArgumentError, ValueError):
        raise UsageError(
            f"storage {redact_url(url)} is not a database URL (e.g. sqlite:///study.db, postgresql://user@host/db)"
        ) from None
    if parsed.drivername.startswith("sqlite"):  # no accounts: a user and password are ignored
        plain: str = URL.create(parsed.drivername, database=parsed.database, query=parsed.query).render_as_string()
        return plain
    secret = own if own is not None else password
    if secret is None or not parsed.username:
        return bare
    rendered: str = parsed.set(password=secret).render_as_string(hide_password=False)
    return rendered


def sqlite_file(url: str) -> Path | None:
    """The database file of a ``sqlite:///path`` URL (None for other URLs and in-memory databases)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(split_password(url)[0])
    except (ArgumentError, ValueError):
        return None
    if parsed.drivername.startswith("sqlite") and parsed.database not in (None, "", ":memory:"):
        return Path(parsed.database)
    return None


def make_storage(settings: Settings) -> tuple[Any, str]:
    """The Optuna storage and a printable description of it (never with a password)."""
    import optuna

    from ilaeda.tuning.journal import journal_storage

    url = settings.options["storage"]
    if not url:
        path = settings.study_dir / "journal.log"
        return journal_storage(path), f"journal file {path}"
    password = read_password(settings.options["storage_password_file"])
    full = connect_url(url, password)
    database = sqlite_file(url)
    if database is not None:
        database.parent.mkdir(parents=True, exist_ok=True)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    retry = (
        getattr(optuna.storages, "RetryHeartbeatStaleTrialCallback", None) or optuna.storages.RetryFailedTrialCallback
    )
    secrets = [s for s in (password, split_password(url)[1]) if s]
    try:
        storage = optuna.storages.RDBStorage(
            full, heartbeat_interval=60, grace_period=180, heartbeat_stale_trial_callback=retry(max_retry=3)
        )
    except Exception as e:  # any driver or connection error; the message may hold the URL
        raise UsageError(f"cannot open storage {redact_url(url)}: {redact(str(e).splitlines()[0], secrets)}") from None
    return storage, redact_url(url)


def check_output_paths(settings: Settings) -> None:
    """Every folder the study writes to can be created and written, checked before the first trial."""
    from ilaeda.scripts.ingredients.logging import check_output_dir

    check_output_dir(settings.options["output_dir"], "output_dir")
    check_output_dir(settings.options["tuned_dir"], "tuned_dir")
    database = sqlite_file(settings.options["storage"] or "")
    if database is not None:
        check_output_dir(database.parent, "storage (its sqlite folder)")
