"""The PostgreSQL engine: the same store (history, present, past) on the province's server.

The store's queries are written once, for SQLite; this engine runs them on PostgreSQL
through :class:`ServerDb`, which words each in PostgreSQL's dialect (placeholders,
``IS`` between values that may be NULL, upserts with their conflict keys, no index hints)
and turns the server's errors into chuyi's. Every write is one transaction that holds
the store's write lock (a transaction-level advisory lock): writers from any number of
machines take turns, so no update is lost and no two writes deadlock; readers are never
blocked (PostgreSQL's snapshots). The server enforces who may write what (``sql/``).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, Self

from chuyi_cli.entries import Entry
from chuyi_cli.errors import ChuyiError
from chuyi_cli.interrupts import committing, not_committed
from chuyi_cli.server.connect import connect, server_errors, where
from chuyi_cli.store import Store

# The store's write lock: one advisory lock key ("chuyi" in ASCII).
WRITE_LOCK = 0x6368757969
# The upserts of the SQLite store, with the conflict keys PostgreSQL asks for.
_CONFLICT_KEYS = {
    "unit_state": ("target", "unit"),
    "tally": ("target", "region", "stage"),
    "stage_total": ("target", "stage"),
    "region_last": ("region",),
    "unit_delta": ("target", "unit", "day", "region", "stage"),
}
_COLUMNS = {
    "unit_state": (
        "target unit region stage state quantity live entries last_observed latest_observed"
        " latest_recorded latest_id region_observed region_recorded region_id"
    ).split(),
    "region_last": ["region", "observed"],
}


@lru_cache(maxsize=512)
def dialect(sql: str) -> tuple[str, bool]:
    """A query of the SQLite store in PostgreSQL's words; and whether its placeholders
    are numbered (``?1``: the parameters are then given by name)."""
    text = sql.replace("%", "%%")
    text = re.sub(r"\s+INDEXED BY \w+|\s+NOT INDEXED", "", text)
    text = re.sub(r"\bCROSS JOIN\b", "JOIN", text)
    text = re.sub(r"\bNOT IN \(\)", "<> ALL ('{}')", text)  # (an empty list: SQLite's)
    text = re.sub(r"\bIN \(\)", "= ANY ('{}')", text)
    text = re.sub(r"\bIS (?!NOT\b|NULL\b)", "IS NOT DISTINCT FROM ", text)
    text = re.sub(r"\btemp\.", "", text)
    text = re.sub(r"\)\s*WITHOUT ROWID", ")", text)
    replace = re.match(r"\s*INSERT OR REPLACE INTO (\w+)", text)
    if replace:
        table = replace.group(1)
        text = text.replace("INSERT OR REPLACE INTO", "INSERT INTO", 1)
        keys = _CONFLICT_KEYS[table]
        sets = ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS[table] if c not in keys)
        text += f" ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {sets}"
    upsert = re.match(r"\s*INSERT INTO (\w+)", text)
    if upsert and " ON CONFLICT DO UPDATE" in text:
        table = upsert.group(1)
        keys = ", ".join(_CONFLICT_KEYS[table])
        text = text.replace(" ON CONFLICT DO UPDATE", f" ON CONFLICT ({keys}) DO UPDATE")
        for column in ("units", "live", "quantity"):
            text = text.replace(f"{column} = {column} +", f"{column} = {table}.{column} +")
        text = text.replace(
            "max(observed, excluded.observed)", f"greatest({table}.observed, excluded.observed)"
        )
    numbered = bool(re.search(r"\?\d", text))
    text = re.sub(r"\?(\d+)", r"%(p\1)s", text)
    text = text.replace("?", "%s")
    return text, numbered


class _Nothing:
    """What a SQLite PRAGMA gives on the server: nothing."""

    def fetchone(self) -> None:
        return None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return []

    def fetchmany(self, size: int = 0) -> list[tuple[Any, ...]]:
        return []

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(())


class ServerDb:
    """A psycopg connection that takes the SQLite store's queries (``execute``,
    ``executemany``, ``in_transaction``, explicit BEGIN/COMMIT/ROLLBACK)."""

    def __init__(self, conn: Any, conninfo: str) -> None:
        self.conn = conn
        self.conninfo = conninfo

    def execute(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> Any:
        words = sql.lstrip()[:16].upper()
        if words.startswith("PRAGMA"):
            return _Nothing()
        if words.startswith("BEGIN"):
            sql = "BEGIN"
        text, numbered = dialect(sql)
        values: Any = tuple(params) if not isinstance(params, dict) else params
        if numbered:
            values = {f"p{i}": v for i, v in enumerate(values, start=1)}
        with server_errors(self.conninfo), _refused_as_chuyi():
            cursor = self.conn.execute(text, values or None)
            if sql == "BEGIN":
                cursor = self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            return cursor

    def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        text, _ = dialect(sql)
        batch = [tuple(r) for r in rows]
        if not batch:
            return
        with server_errors(self.conninfo), _refused_as_chuyi(), self.conn.cursor() as cur:
            cur.executemany(text, batch)

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return bool(self.conn.info.transaction_status != TransactionStatus.IDLE)

    def close(self) -> None:
        self.conn.close()


@contextlib.contextmanager
def _refused_as_chuyi() -> Iterator[None]:
    """A rule of the table (a CHECK, a repeated id, a void of no entry) as SQLite's
    refusals are said."""
    import psycopg

    try:
        yield
    except psycopg.errors.IntegrityError as exc:
        raise ChuyiError("db_refused", path="PostgreSQL", reason=exc.diag.message_primary) from None


class ServerStore(Store):
    """A chuyi store on a PostgreSQL server: ``open`` it with a connection string."""

    db: Any

    def __init__(self, db: Any, path: Any) -> None:
        super().__init__(db, path)

    @classmethod
    def open(cls, path: str | Path | None = None, migrate_to: int = 0) -> Self:
        conninfo = str(path)
        conn = connect(conninfo, autocommit=True)
        try:
            with server_errors(conninfo):
                row = conn.execute(
                    "SELECT to_regclass('chuyi.unit_state') IS NOT NULL, session_user"
                ).fetchone()
                if not row[0]:
                    raise ChuyiError("server_not_initialised", database=conn.info.dbname)
                conn.execute("SET search_path = chuyi, pg_catalog")
        except BaseException:
            conn.close()
            raise
        store = cls(ServerDb(conn, conninfo), where(conninfo))
        store.login = str(row[1])
        return store

    login = ""

    def close(self) -> None:
        self.db.close()

    @contextlib.contextmanager
    def write(self) -> Iterator[Any]:
        """One write transaction, holding the store's write lock: all of it lands, or
        none of it."""
        self.db.execute("BEGIN")
        try:
            yield self.db
            committing()
            try:
                self.db.execute("COMMIT")
            except BaseException:
                not_committed()
                raise
        except BaseException:
            if self.db.in_transaction:
                with contextlib.suppress(ChuyiError):
                    self.db.execute("ROLLBACK")
            raise

    def _read(self, sql: str, params: Iterable[object] = ()) -> list[tuple[Any, ...]]:
        return list(self.db.execute(sql, tuple(params)).fetchall())

    def import_batches(
        self,
        batches: Iterable[list[Entry]],
        check: Callable[[], list[str]],
        dry_run: bool,
        voids: Callable[[], Iterable[list[Entry]]] | None = None,
        expected: int = 0,
        known: Callable[[Entry, Entry, bool], None] | None = None,
    ) -> tuple[int, int]:
        # (Batch by batch in one transaction: the bulk path's index juggling is SQLite's.)
        return super().import_batches(batches, check, dry_run, voids, 0, known)

    def integrity(self) -> list[str]:
        return []  # (the server's own business: its checksums, its pg_amcheck)

    def backup(self, dest: Path) -> int:
        raise ChuyiError("server_backup")
