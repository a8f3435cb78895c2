"""Connecting to the server, and its refusals in the user's words.

psycopg is imported here and only here, when a server is named. A server that does not
answer is exit 75 (try again later), as a SQLite file that stayed locked; a server that
answers and refuses (no such database, a wrong password, a missing grant) is exit 1.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from chuyi_cli.errors import EXIT_LOCKED, ChuyiError

if TYPE_CHECKING:
    import psycopg


class ServerUnavailable(ChuyiError):
    """The server did not answer, or the connection was lost: nothing to do but retry."""

    exit_code = EXIT_LOCKED


class ServerBusy(ServerUnavailable):
    """The server rolled a write back to let another through (a deadlock or a
    serialisation failure): the store tries it again; exit 75 if it never gets through."""


# A server that answers with one of these is not refusing: it cannot serve right now.
_TEMPORARY = ("starting up", "shutting down", "in recovery mode", "too many clients")


def _driver() -> Any:
    try:
        import psycopg
    except ImportError:
        raise ChuyiError("server_driver_missing") from None
    return psycopg


def where(conninfo: str) -> str:
    """The server as a user would name it, without a password: ``user@host:port/db``."""
    try:
        from psycopg.conninfo import conninfo_to_dict

        parts = conninfo_to_dict(conninfo)
    except Exception:  # (an unreadable string is named as given, password or not)
        return "PostgreSQL"
    host = str(parts.get("host") or parts.get("hostaddr") or "")
    port = f":{parts['port']}" if parts.get("port") else ""
    user = f"{parts['user']}@" if parts.get("user") else ""
    database = str(parts.get("dbname") or parts.get("service") or "")
    text = f"{user}{host}{port}/{database}"
    return text if text != "/" else "PostgreSQL"


def connect(conninfo: str, autocommit: bool = False) -> psycopg.Connection[Any]:
    """A connection to the server ``conninfo`` names (libpq's defaults and ``PG*``
    variables fill in what it leaves out, as for psql)."""
    psycopg = _driver()
    try:
        return psycopg.connect(conninfo, autocommit=autocommit, connect_timeout=10)  # type: ignore[no-any-return]
    except psycopg.OperationalError as exc:
        reason = _reason(exc)
        if "FATAL:" not in str(exc) or any(t in reason for t in _TEMPORARY):
            raise ServerUnavailable(
                "server_unreachable", server=where(conninfo), reason=reason
            ) from None
        raise ChuyiError("server_refused", server=where(conninfo), reason=reason) from None
    except psycopg.ProgrammingError as exc:  # a connection string libpq cannot read
        raise ChuyiError("server_bad_conninfo", text=conninfo, reason=_reason(exc)) from None


def _reason(exc: BaseException) -> str:
    """The server's or libpq's own sentence, on one line."""
    text = str(exc).strip()
    if "FATAL:" in text:
        text = text.split("FATAL:", 1)[1]
    text = text.removeprefix("connection failed:").strip()
    return " ".join(text.split())


def detail(exc: BaseException) -> dict[str, Any]:
    """What the server's own refusal says of itself (its DETAIL, as chuyi's SQL writes it)."""
    diag = getattr(exc, "diag", None)
    text = getattr(diag, "message_detail", None) if diag is not None else None
    if not text:
        return {}
    try:
        found = json.loads(text)
    except ValueError:
        return {}
    return found if isinstance(found, dict) and "chuyi" in found else {}


@contextlib.contextmanager
def server_errors(conninfo: str) -> Iterator[None]:
    """Turn what the server says into chuyi's errors: a refusal chuyi's SQL explains
    (a missing grant, an entry changed) in the user's words, a lost connection as exit 75."""
    psycopg = _driver()
    try:
        yield
    except psycopg.errors.InsufficientPrivilege as exc:
        raise refusal(exc) from None
    except psycopg.errors.TransactionRollback as exc:  # a deadlock or serialisation failure
        raise ServerBusy("server_busy", server=where(conninfo), reason=_reason(exc)) from None
    except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
        lost = ServerUnavailable("server_lost", server=where(conninfo), reason=_reason(exc))
        raise lost from None


def refusal(exc: BaseException) -> ChuyiError:
    """A refused statement in the user's words: which grant is missing, or why."""
    said = detail(exc)
    kind = said.get("chuyi")
    if kind == "not_granted":
        region = said.get("region")
        if region:
            from chuyi_cli.regions import gazetteer

            try:
                region = gazetteer().get(region).name
            except ChuyiError:
                pass
        return ChuyiError(
            "server_not_granted",
            login=said.get("login", ""),
            region=region or _province(),
            target=said.get("target", ""),
        )
    if kind == "recorder":
        return ChuyiError(
            "server_recorder_fixed", login=said.get("login", ""), given=said.get("recorder", "")
        )
    if kind == "append_only":
        return ChuyiError("server_append_only")
    if kind == "not_admin":
        return ChuyiError("server_not_admin", login=said.get("login", ""))
    return ChuyiError("server_denied", reason=_reason(exc))


def _province() -> str:
    from chuyi_cli.regions import gazetteer

    return next(r.name for r in gazetteer().regions if r.level == "province")
