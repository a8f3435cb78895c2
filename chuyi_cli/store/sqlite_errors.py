"""SQLite's errors in the user's words (a locked file, a read-only one, a damaged one,
SQLite's result codes in Chinese), and how long a writer waits for another."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from chuyi_cli.errors import EXIT_LOCKED, ChuyiError
from chuyi_cli.i18n import Cause

DEFAULT_BUSY_SECONDS = 10.0


class LockedError(ChuyiError):
    exit_code = EXIT_LOCKED


def busy_seconds() -> float:
    try:
        return float(os.environ.get("CHUYI_BUSY_TIMEOUT", DEFAULT_BUSY_SECONDS))
    except ValueError:
        return DEFAULT_BUSY_SECONDS


def is_locked(exc: sqlite3.Error) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text


# SQLite's primary result codes, as the reason of a message (``sqlite.*`` in i18n).
_SQLITE_WORDS = {
    "SQLITE_NOTADB": "not_a_database",
    "SQLITE_CORRUPT": "corrupt",
    "SQLITE_FULL": "disk_full",
    "SQLITE_IOERR": "io",
    "SQLITE_CANTOPEN": "cannot_open",
    "SQLITE_PERM": "denied",
    "SQLITE_AUTH": "denied",
    "SQLITE_READONLY": "read_only",
    "SQLITE_TOOBIG": "too_big",
    "SQLITE_NOMEM": "no_memory",
    "SQLITE_CONSTRAINT": "constraint",
}


def sqlite_reason(exc: sqlite3.Error) -> Cause:
    """Why SQLite refused, worded in the user's language when shown: in Chinese from its
    result code (数据库文件已损坏), in English SQLite's own words."""
    name = getattr(exc, "sqlite_errorname", None) or ""
    primary = "_".join(name.split("_")[:2])  # (SQLITE_IOERR_WRITE is an SQLITE_IOERR)
    words = _SQLITE_WORDS.get(primary)
    if words is None:
        code = getattr(exc, "sqlite_errorcode", None)
        return Cause("sqlite.other", code=code if code is not None else "?", detail=str(exc))
    return Cause("sqlite." + words, detail=str(exc))


def _missing_table(exc: sqlite3.Error) -> str | None:
    """The table a statement found missing (``no such table: tally``), if that is why."""
    text = str(exc)
    if text.startswith("no such table: "):
        return text.removeprefix("no such table: ").removeprefix("main.")
    return None


@contextlib.contextmanager
def sqlite_errors(path: Path) -> Iterator[None]:
    """Turn SQLite's errors into messages a user can act on."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        text = str(exc)
        if is_locked(exc):
            raise LockedError("db_locked", path=path, seconds=f"{busy_seconds():g}") from None
        if "readonly" in text or "read-only" in text:
            raise ChuyiError("db_read_only", path=path) from None
        reason = sqlite_reason(exc)
        if "disk is full" in text or "disk I/O" in text:
            raise ChuyiError("db_cannot_write", path=path, reason=reason) from None
        if "unable to open" in text:
            raise ChuyiError("db_cannot_open", path=path, reason=reason) from None
        table = _missing_table(exc)
        if table is not None:
            key = "db_history_missing" if table == "entry" else "db_damaged"
            raise ChuyiError(key, path=path, name=table) from None
        raise ChuyiError("db_error", path=path, reason=reason) from None
    except sqlite3.IntegrityError as exc:
        raise ChuyiError("db_refused", path=path, reason=sqlite_reason(exc)) from None
    except sqlite3.DatabaseError as exc:
        raise ChuyiError("db_unusable", path=path, reason=sqlite_reason(exc)) from None
