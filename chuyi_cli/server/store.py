"""The PostgreSQL engine: the same store (history, present, past) on the province's server.

The store's queries are written once, for SQLite; this engine runs them on PostgreSQL
through :class:`~chuyi_cli.server.db.ServerDb`, which words each in PostgreSQL's dialect
(:mod:`~chuyi_cli.server.dialect`) and turns the server's errors into chuyi's. Every
write is one transaction holding advisory locks: a record takes its target's lock (and
the store's, shared), so writers of one target take turns and writers of different
targets go at once; an import, a void or a repair takes the store's lock alone. No update
is lost; a write the server rolls back to break a deadlock is tried again; readers are
never blocked (PostgreSQL's snapshots). The server enforces who may write what
(``sql/``), and derives the projection (unit_state, the tally, …) itself from the history
as each write commits (``sql/m006_projection_by_server.sql``): chuyi only reads it. A
process keeps its connection between commands (a loop of records, the tests) and checks
it before reusing it.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Self

from chuyi_cli.domain import Entry
from chuyi_cli.errors import ChuyiError
from chuyi_cli.interrupts import committing, not_committed
from chuyi_cli.server.connect import ServerBusy, connect, server_errors, where
from chuyi_cli.server.db import ServerDb
from chuyi_cli.store import Store
from chuyi_cli.store.batches import BULK_ROWS, BatchImport
from chuyi_cli.store.rows import ENTRY_COLUMNS

RETRIES = 8  # a write rolled back by the server (deadlock, serialisation) is tried again


# Connections kept between the commands of one process: (connection, login) by server.
_KEPT: dict[str, tuple[Any, str]] = {}


def _kept(conninfo: str) -> tuple[Any, str] | None:
    """The connection an earlier command of this process left, if it still answers."""
    from psycopg.pq import TransactionStatus

    found = _KEPT.pop(conninfo, None)
    if found is None:
        return None
    conn, login = found
    try:
        if conn.info.transaction_status == TransactionStatus.IDLE:
            conn.execute("SELECT 1")
            return conn, login
    except Exception:  # (closed, terminated, lost: a new one then)
        pass
    with contextlib.suppress(Exception):
        conn.close()
    return None


class ServerStore(Store):
    """A chuyi store on a PostgreSQL server: ``open`` it with a connection string."""

    db: Any

    def __init__(self, db: Any, path: Any) -> None:
        super().__init__(db, path)

    @classmethod
    def open(cls, path: str | Path | None = None, migrate_to: int = 0) -> Self:
        conninfo = str(path)
        kept = _kept(conninfo)
        if kept is not None:
            store = cls(ServerDb(kept[0], conninfo), where(conninfo))
            store.login = kept[1]
            return store
        conn = connect(conninfo, autocommit=True)
        try:
            with server_errors(conninfo):
                row = conn.execute(
                    "SELECT to_regclass('chuyi.unit_state') IS NOT NULL, session_user"
                ).fetchone()
                if row is None or not row[0]:
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
        """The connection is kept for the process's next command, unless it is in doubt."""
        from psycopg.pq import TransactionStatus

        conn = self.db.conn
        if conn.closed or conn.info.transaction_status != TransactionStatus.IDLE:
            with contextlib.suppress(Exception):
                conn.close()
            return
        earlier = _KEPT.pop(self.db.conninfo, None)
        if earlier is not None and earlier[0] is not conn:
            with contextlib.suppress(Exception):
                earlier[0].close()
        _KEPT[self.db.conninfo] = (conn, self.login)

    def add(self, entries: list[Entry], again: bool = False) -> None:
        """Append entries (as the SQLite store does) under their targets' locks; a void
        under the store's own (it may take back a region's last record, which entries of
        any target move). Tried again when the server rolls it back to let another by."""
        plain = not any(e.voids for e in entries)
        self.db.targets = sorted({e.target for e in entries}) if plain else None
        try:
            for attempt in range(RETRIES):
                try:
                    super().add(entries, again)
                    return
                except ServerBusy:
                    if attempt == RETRIES - 1:
                        raise
                    time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
        finally:
            self.db.targets = None

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

    IN_CHUNK = 20_000

    @staticmethod
    def _one_of(column: str, values: Sequence[object]) -> tuple[str, tuple[object, ...]]:
        """``column`` is one of ``values``: an array, one parameter for many."""
        return f"{column} = ANY(?)", (list(values),)

    def rows_by_id(self) -> Iterator[tuple[Any, ...]]:
        """Every entry as its row and then its seq, in the order of ids, streamed from
        the server (a cursor of its own, read a batch at a time)."""
        conn = self.db.conn
        with (
            server_errors(self.db.conninfo),
            conn.transaction(),
            conn.cursor(name="chuyi_rows_by_id") as cur,
        ):
            cur.itersize = 5000
            cur.execute(f"SELECT {ENTRY_COLUMNS}, seq FROM entry ORDER BY id")
            yield from cur

    @staticmethod
    def _insert(db: Any, entries: list[Entry]) -> None:
        db.insert_entries(ENTRY_COLUMNS, entries)

    @staticmethod
    def _project(db: Any, entries: list[Entry], stored: int) -> None:
        """Nothing: the server derives its projection itself as the write commits."""

    def rebuild(self) -> None:
        """The projection derived again by the server from the history, by the rules its
        writes keep it by (``chuyi.derive_projection``: an admin's or a superuser's)."""
        with self.write() as db:
            db.execute("SELECT chuyi.derive_projection()")

    def _batch_import(
        self,
        dry_run: bool,
        expected: int,
        known: Callable[[Entry, Entry, bool], None] | None,
    ) -> BatchImport:
        return _Import(self, dry_run, expected, known)

    def integrity(self) -> list[str]:
        return []  # (the server's own business: its checksums, its pg_amcheck)

    def integrity_aside(self) -> Callable[[], list[str]]:
        return self.integrity

    def backup(self, dest: Path) -> int:
        raise ChuyiError("server_backup")


class _Import(BatchImport):
    """The SQLite store's import (:meth:`~chuyi_cli.store.history.History.import_batches`)
    on the server: one transaction under the store's lock, the entries through COPY, no
    index set aside, the projection derived by the server as the import commits. Into
    an empty history, a large import (``expected`` rows) looks no id up: the unique index
    finds a repeat, and the import is refused with :class:`DuplicateIdsError` (as
    SQLite's bulk import is; the importer then goes again, looking each batch's ids up)."""

    derives = False

    def __init__(
        self,
        store: ServerStore,
        dry_run: bool,
        expected: int,
        known: Callable[[Entry, Entry, bool], None] | None,
    ) -> None:
        super().__init__(store, dry_run, 0, known)
        self.server = store.db
        self.expected = expected
        self.blind = False

    def begin(self) -> None:
        super().begin()
        # (Read again under the lock: another writer may have added meanwhile.)
        self.stored = self.db.execute("SELECT coalesce(max(seq), 0) FROM entry").fetchone()[0]
        self.blind = self.expected >= BULK_ROWS and not self.stored

    def not_stored(self, batch: list[Entry]) -> list[Entry]:
        return batch if self.blind else super().not_stored(batch)

    def store_entries(self, entries: list[Entry]) -> None:
        self.server.insert_entries(ENTRY_COLUMNS, entries, repeats_refused=self.blind)

    def entries_in(self) -> None:
        """The entries are in (the voids come next, each id looked up): the history's
        statistics, for the plans of what follows (the voids' look-ups, the recent
        changes, each region's last record) and after: a large load leaves the planner
        guessing until autovacuum comes by. (Skipped with a warning for a login that
        does not own the table.)"""
        self.blind = False
        if self.added >= max(BULK_ROWS, self.stored):
            self.db.execute("ANALYZE entry")
