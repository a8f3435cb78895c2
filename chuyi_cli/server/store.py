"""The PostgreSQL engine: the same store (history, present, past) on the province's server.

The store's queries are written once, for SQLite; this engine runs them on PostgreSQL
through :class:`~chuyi_cli.server.db.ServerDb`, which words each in PostgreSQL's dialect
(:mod:`~chuyi_cli.server.dialect`) and turns the server's errors into chuyi's. Every
write is one transaction holding advisory locks: a record takes its target's lock (and
the store's, shared), so writers of one target take turns and writers of different
targets go at once; an import, a void or a repair takes the store's lock alone. No update
is lost; a write the server rolls back to break a deadlock is tried again; readers are
never blocked (PostgreSQL's snapshots). The server enforces who may write what
(``sql/``). A process keeps its connection between commands (a loop of records, the
tests) and checks it before reusing it.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Self

from chuyi_cli.domain import Entry
from chuyi_cli.errors import ChuyiError, ProblemsError
from chuyi_cli.i18n import Message
from chuyi_cli.interrupts import committing, not_committed
from chuyi_cli.server.connect import ServerBusy, connect, server_errors, where
from chuyi_cli.server.db import ServerDb
from chuyi_cli.store import BULK_ROWS, Store, checkpoint_upkeep
from chuyi_cli.store.derive import FOLDS_HELD, Apply, refresh_deltas, touched_since
from chuyi_cli.store.rows import ENTRY_COLUMNS, entry_of

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

    def _where_in(
        self,
        select: str,
        column: str,
        values: Sequence[object],
        extra: str = "",
        params: tuple[object, ...] = (),
    ) -> list[tuple[Any, ...]]:
        """``select`` WHERE ``column`` is one of values (an array: one query for many)."""
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(values), 20_000):
            chunk = list(values[start : start + 20_000])
            rows += self._read(f"{select} WHERE {column} = ANY(?){extra}", (chunk, *params))
        return rows

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

    def import_batches(
        self,
        batches: Iterable[list[Entry]],
        check: Callable[[], Sequence[str | Message]],
        dry_run: bool,
        voids: Callable[[], Iterable[list[Entry]]] | None = None,
        expected: int = 0,
        known: Callable[[Entry, Entry, bool], None] | None = None,
    ) -> tuple[int, int]:
        """The SQLite store's import (see there), in one transaction under the store's
        lock, the entries through COPY. Into an empty history, a large import (``expected``
        rows) looks no id up: the unique index finds a repeat, and the import is refused
        with :class:`DuplicateIdsError` (as SQLite's bulk import is; the importer then
        goes again, looking each batch's ids up)."""
        db = self.db
        db.execute("BEGIN")
        try:
            run = _Import(self, dry_run, known)
            blind = expected >= BULK_ROWS and not run.stored
            for batch in batches:
                run.insert(batch, blind)
            if run.added >= max(BULK_ROWS, run.stored):
                # The history's statistics, for the plans of what follows (the voids'
                # look-ups, the recent changes, each region's last record) and after: a
                # large load leaves the planner guessing until autovacuum comes by.
                # (Skipped with a warning for a login that does not own the table.)
                db.execute("ANALYZE entry")
            if voids is not None:
                for batch in voids():
                    run.insert(batch, False)
            problems = check()
            if problems:
                db.execute("ROLLBACK")
                raise ProblemsError(problems)
            run.finish()
        except ProblemsError:
            raise
        except BaseException:
            if db.in_transaction:
                with contextlib.suppress(ChuyiError):
                    db.execute("ROLLBACK")
            raise
        return run.added, run.skipped

    def integrity(self) -> list[str]:
        return []  # (the server's own business: its checksums, its pg_amcheck)

    def integrity_aside(self) -> Callable[[], list[str]]:
        return self.integrity

    def backup(self, dest: Path) -> int:
        raise ChuyiError("server_backup")


class _Import:
    """One :meth:`ServerStore.import_batches` inside its transaction: each batch's new
    entries stored and folded into their units, then the derived tables brought along."""

    def __init__(
        self,
        store: ServerStore,
        dry_run: bool,
        known: Callable[[Entry, Entry, bool], None] | None,
    ) -> None:
        self.store, self.db, self.dry_run, self.known = store, store.db, dry_run, known
        self.added = self.skipped = 0
        self.stored: int = self.db.execute("SELECT coalesce(max(seq), 0) FROM entry").fetchone()[0]
        if not dry_run:
            checkpoint_upkeep.add_due(self.db)
        self.apply = Apply(self.db)

    def fresh(self, batch: list[Entry]) -> list[Entry]:
        """The entries of ``batch`` not stored yet (``known`` is told of each that is)."""
        found = {
            row[0]: row
            for row in self.store._where_in(
                f"SELECT {ENTRY_COLUMNS}, seq FROM entry", "id", [e.id for e in batch]
            )
        }
        if found and self.known is not None:
            for e in batch:
                row = found.get(e.id)
                if row is not None:
                    self.known(entry_of(row[:-1]), e, row[-1] > self.stored)
        return [e for e in batch if e.id not in found]

    def insert(self, batch: list[Entry], blind: bool) -> None:
        """Store a batch's new entries (``blind``: all of them, no id looked up)."""
        fresh = batch if blind else self.fresh(batch)
        self.skipped += len(batch) - len(fresh)
        self.db.insert_entries(ENTRY_COLUMNS, fresh, repeats_refused=blind)
        self.added += len(fresh)
        if not self.dry_run:
            self.apply.entries(fresh)
            if len(self.apply.folds) > FOLDS_HELD:  # write out: memory stays flat
                self.apply.finish()
                self.apply = Apply(self.db)

    def finish(self) -> None:
        """The derived tables brought along and the import committed (a dry run: rolled
        back)."""
        db = self.db
        if self.dry_run:
            db.execute("ROLLBACK")
            return
        self.apply.finish()
        if self.added:
            refresh_deltas(db, None if not self.stored else touched_since(db, self.stored))
            checkpoint_upkeep.keep_for_units(db, self.stored)
        committing()
        try:
            db.execute("COMMIT")
        except BaseException:
            not_committed()
            raise
