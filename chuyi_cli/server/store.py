"""The PostgreSQL engine: the same store (history, present, past) on the province's server.

The store's queries are written once, for SQLite; this engine runs them on PostgreSQL
through :class:`ServerDb`, which words each in PostgreSQL's dialect (placeholders,
``IS`` between values that may be NULL, upserts with their conflict keys, no index hints)
and turns the server's errors into chuyi's. Every write is one transaction holding
advisory locks: a record takes its target's lock (and the store's, shared), so writers of
one target take turns and writers of different targets go at once; an import, a void or a
repair takes the store's lock alone. No update is lost; a write the server rolls back to
break a deadlock is tried again; readers are never blocked (PostgreSQL's snapshots). The
server enforces who may write what (``sql/``). A process keeps its connection between
commands (a loop of records, the tests) and checks it before reusing it.
"""

from __future__ import annotations

import contextlib
import itertools
import random
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Self

from chuyi_cli.domain import Entry
from chuyi_cli.errors import ChuyiError, ProblemsError
from chuyi_cli.i18n import Message
from chuyi_cli.interrupts import committing, not_committed
from chuyi_cli.server.connect import ServerBusy, connect, server_errors, where
from chuyi_cli.store import BULK_ROWS, Store, checkpoint_upkeep
from chuyi_cli.store.derive import FOLDS_HELD, Apply, refresh_deltas, touched_since
from chuyi_cli.store.rows import ENTRY_COLUMNS, entry_of

# The store's write lock: one advisory lock key ("chuyi" in ASCII); each target's is a
# hash of its id.
WRITE_LOCK = 0x6368757969
RETRIES = 8  # a write rolled back by the server (deadlock, serialisation) is tried again


def target_lock(target: str) -> int:
    import hashlib

    digest = hashlib.blake2b(target.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


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


_SCANS = itertools.count()
# An INSERT of this many rows or more goes through COPY (:meth:`ServerDb.executemany`).
STAGED_ROWS = 200
_INSERT_VALUES = re.compile(
    r"\s*INSERT INTO (\w+)(\s*\([\w\s,]+\))?\s+VALUES\s*\((?:%s,\s*)*%s\)(.*)\Z", re.S
)


@lru_cache(maxsize=512)
def dialect(sql: str) -> tuple[str, bool]:
    """A query of the SQLite store in PostgreSQL's words; and whether its placeholders
    are numbered (``?1``: the parameters are then given by name)."""
    text = sql.replace("%", "%%")
    text = re.sub(r"\s+INDEXED BY \w+|\s+NOT INDEXED", "", text)
    text = re.sub(r"\bCROSS JOIN\b", "JOIN", text)
    text = re.sub(r"\bprintf\(", "format(", text)  # (%s of NULL is nothing in both)
    text = re.sub(r"\bchar\((\d+)\)", r"chr(\1)", text)
    text = re.sub(r"\bNOT IN \(\)", "<> ALL ('{}')", text)  # (an empty list: SQLite's)
    text = re.sub(r"\bIN \(\)", "= ANY ('{}')", text)
    # `x IS ?` (a value that may be NULL): `x = …` or `x IS NULL` once the value is known,
    # which an index serves (IS NOT DISTINCT FROM it would not); `x IS y` between columns
    # keeps SQLite's meaning.
    text = re.sub(r"\bIS \?", "\x01", text)
    text = re.sub(
        r"(\w+\.\w+) IS (?!NOT\b|NULL\b)(\w+\.\w+)",
        r"(\1 = \2 OR \1 IS NULL AND \2 IS NULL)",
        text,
    )
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
        conflict = ", ".join(_CONFLICT_KEYS[table])
        text = text.replace(" ON CONFLICT DO UPDATE", f" ON CONFLICT ({conflict}) DO UPDATE")
        for column in ("units", "live", "quantity"):
            text = text.replace(f"{column} = {column} +", f"{column} = {table}.{column} +")
        text = text.replace(
            "max(observed, excluded.observed)", f"greatest({table}.observed, excluded.observed)"
        )
    numbered = bool(re.search(r"\?\d", text))
    text = re.sub(r"\?(\d+)", r"%(p\1)s", text)
    text = text.replace("?", "%s")
    return text, numbered


def _nullable(text: str, values: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    """Each ``IS ?`` of a query (marked \x01) as ``= %s``, or ``IS NULL`` for a None."""
    pieces = re.split(r"(%s|\x01)", text)
    out: list[str] = []
    kept: list[Any] = []
    given = iter(values)
    for piece in pieces:
        if piece == "%s":
            kept.append(next(given))
            out.append(piece)
        elif piece == "\x01":
            value = next(given)
            if value is None:
                out.append("IS NULL")
            else:
                kept.append(value)
                out.append("= %s")
        else:
            out.append(piece)
    return "".join(out), tuple(kept)


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
        self.targets: list[str] | None = None  # a write of these targets only (None: any)
        self._columns: dict[str, list[str]] = {}

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
        elif "\x01" in text:
            text, values = _nullable(text, values)
        with server_errors(self.conninfo), _refused_as_chuyi():
            if "NOT INDEXED" in sql and self.in_transaction:
                # (A pass over the table, in SQLite's words: streamed from a cursor on the
                # server, a batch at a time, not received whole.)
                scan = self.conn.cursor(name=f"chuyi_scan_{next(_SCANS)}")
                scan.itersize = 5000
                scan.execute(text, values or None)
                return scan
            cursor = self.conn.execute(text, values or None)
            if sql == "BEGIN":
                self._lock()
            return cursor

    def _lock(self) -> None:
        """The write's locks, always in one order (the store's, then targets sorted by
        key), so two writers never wait for each other in a circle."""
        if self.targets is None:
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            return
        self.conn.execute("SELECT pg_advisory_xact_lock_shared(%s)", (WRITE_LOCK,))
        for key in sorted({target_lock(t) for t in self.targets}):
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (key,))

    def executemany(self, sql: str, rows: Iterable[Iterable[Any]]) -> None:
        text, _ = dialect(sql)
        batch = [tuple(r) for r in rows]
        if not batch:
            return
        with server_errors(self.conninfo), _refused_as_chuyi():
            if len(batch) < STAGED_ROWS or not self._staged(text, batch):
                with self.conn.cursor() as cur:
                    cur.executemany(text, batch)

    def _staged(self, text: str, rows: list[tuple[Any, ...]]) -> bool:
        """Many rows of one INSERT as one statement: copied into a temporary table of the
        same columns, then inserted from it (the upsert's conflicts settled per statement,
        not per row). False, and nothing done, for an INSERT that cannot go so: an upsert
        whose rows repeat a key would meet its own rows."""
        found = _INSERT_VALUES.match(text)
        if found is None:
            return False
        table, listed, rest = found.group(1), found.group(2), found.group(3)
        columns = listed.strip()[1:-1] if listed else "*"
        if "ON CONFLICT" in rest:
            keys = _CONFLICT_KEYS.get(table)
            names = [c.strip() for c in columns.split(",")] if listed else self._columns_of(table)
            if keys is None or not set(keys) <= set(names):
                return False
            at = [names.index(k) for k in keys]
            if len({tuple(r[i] for i in at) for r in rows}) != len(rows):
                return False
        stage = f"chuyi_stage_{table}"
        self.conn.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} AS"
            f" SELECT {columns} FROM {table} WITH NO DATA"
        )
        self.conn.execute(f"TRUNCATE {stage}")
        self.copy(stage, None, rows)
        self.conn.execute(
            f"INSERT INTO {table}{listed or ''} SELECT * FROM {stage}{rest}".replace("%%", "%")
        )
        self.conn.execute(f"TRUNCATE {stage}")
        return True

    def _columns_of(self, table: str) -> list[str]:
        if table not in self._columns:
            self._columns[table] = [
                r[0]
                for r in self.conn.execute(
                    "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass"
                    " AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
                    (table,),
                )
            ]
        return self._columns[table]

    def copy(self, table: str, columns: str | None, rows: Iterable[tuple[Any, ...]]) -> None:
        """Rows into ``table`` through COPY (the rules and triggers of an INSERT hold)."""
        listed = f" ({columns})" if columns else ""
        with self.conn.cursor() as cur, cur.copy(f"COPY {table}{listed} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def _copied_in(self, table: str, columns: str, rows: Iterable[tuple[Any, ...]]) -> None:
        """Rows into ``table`` through COPY into a temporary table of the same columns and
        one INSERT from it: PostgreSQL refuses COPY into a table under row-level security
        (every recorder's), and the INSERT holds its policies and triggers for each row."""
        stage = f"chuyi_copy_{table}"
        self.conn.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} AS"
            f" SELECT {columns} FROM {table} WITH NO DATA"
        )
        self.conn.execute(f"TRUNCATE {stage}")
        self.copy(stage, None, rows)
        self.conn.execute(f"INSERT INTO {table} ({columns}) SELECT * FROM {stage}")
        self.conn.execute(f"TRUNCATE {stage}")

    def insert_entries(
        self, columns: str, entries: list[Entry], repeats_refused: bool = False
    ) -> None:
        """Entries into the history: a few by INSERT, many through COPY.
        (``repeats_refused``: an id stored already is :class:`DuplicateIdsError`.)"""
        import psycopg

        from chuyi_cli.store import DuplicateIdsError

        with server_errors(self.conninfo), _refused_as_chuyi():
            try:
                if len(entries) < STAGED_ROWS:
                    marks = ", ".join(["?"] * len(columns.split(",")))
                    text, _ = dialect(f"INSERT INTO entry ({columns}) VALUES ({marks})")
                    with self.conn.cursor() as cur:
                        cur.executemany(text, [tuple(e) for e in entries])
                else:
                    self._copied_in("entry", columns, entries)
            except psycopg.errors.UniqueViolation:
                if repeats_refused:
                    raise DuplicateIdsError("the same id twice in one file") from None
                raise

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        return bool(self.conn.info.transaction_status != TransactionStatus.IDLE)

    def close(self) -> None:
        self.conn.close()


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
