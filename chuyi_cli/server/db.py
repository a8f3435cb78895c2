"""The server's connection as the store sees it: the SQLite store's queries run on
PostgreSQL (in its words, :mod:`~chuyi_cli.server.dialect`), a write's advisory locks,
many rows through COPY, long reads streamed from a cursor, the server's refusals as
SQLite's are said."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
from collections.abc import Iterable, Iterator
from typing import Any

from chuyi_cli.domain import Entry
from chuyi_cli.errors import ChuyiError
from chuyi_cli.server.connect import server_errors
from chuyi_cli.server.dialect import INSERT_VALUES, Nothing, dialect, nullable

# The store's write lock: one advisory lock key ("chuyi" in ASCII, as the server's
# triggers take it too); each target's is :func:`target_lock`.
WRITE_LOCK = 0x6368757969


def target_lock(target: str) -> int:
    """A target's lock key: the first 8 bytes of its id's SHA-256, as the server's
    ``chuyi.target_lock`` has it (its triggers take the same locks for a writer through
    psql, so that one waits for chuyi's writers as they wait for each other)."""
    digest = hashlib.sha256(target.encode("utf-8")).digest()[:8]
    return int.from_bytes(digest, "big", signed=True)


_SCANS = itertools.count()
# An INSERT of this many rows or more goes through COPY (:meth:`ServerDb.executemany`).
STAGED_ROWS = 200


class ServerDb:
    """A psycopg connection that takes the SQLite store's queries (``execute``,
    ``executemany``, ``in_transaction``, explicit BEGIN/COMMIT/ROLLBACK)."""

    def __init__(self, conn: Any, conninfo: str) -> None:
        self.conn = conn
        self.conninfo = conninfo
        self.targets: list[str] | None = None  # a write of these targets only (None: any)

    def execute(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> Any:
        words = sql.lstrip()[:16].upper()
        if words.startswith("PRAGMA"):
            return Nothing()
        if words.startswith("BEGIN"):
            sql = "BEGIN"
        text, numbered = dialect(sql)
        values: Any = tuple(params) if not isinstance(params, dict) else params
        if numbered:
            values = {f"p{i}": v for i, v in enumerate(values, start=1)}
        elif "\x01" in text:
            text, values = nullable(text, values)
        with server_errors(self.conninfo), refused_as_chuyi():
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
        with server_errors(self.conninfo), refused_as_chuyi():
            if len(batch) < STAGED_ROWS or not self._staged(text, batch):
                with self.conn.cursor() as cur:
                    cur.executemany(text, batch)

    def _staged(self, text: str, rows: list[tuple[Any, ...]]) -> bool:
        """Many rows of one INSERT as one statement (:meth:`_through_stage`). False, and
        nothing done, for an INSERT that cannot go so: an upsert (rows that repeat a key
        would meet their own)."""
        found = INSERT_VALUES.match(text)
        if found is None:
            return False
        table, listed, rest = found.group(1), found.group(2), found.group(3)
        columns = listed.strip()[1:-1] if listed else "*"
        if "ON CONFLICT" in rest:
            return False
        self._through_stage(table, columns if listed else None, rows, rest.replace("%%", "%"))
        return True

    def copy(self, table: str, columns: str | None, rows: Iterable[tuple[Any, ...]]) -> None:
        """Rows into ``table`` through COPY (the rules and triggers of an INSERT hold)."""
        listed = f" ({columns})" if columns else ""
        with self.conn.cursor() as cur, cur.copy(f"COPY {table}{listed} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def _through_stage(
        self, table: str, columns: str | None, rows: Iterable[tuple[Any, ...]], rest: str = ""
    ) -> None:
        """Rows into ``table`` (its ``columns``, or all) through COPY into a temporary
        table of the same columns and one INSERT from it (``rest``: the INSERT's ON
        CONFLICT clause): PostgreSQL refuses COPY into a table under row-level security
        (every recorder's), the INSERT holds its policies and triggers for each row, and
        an upsert's conflicts are settled per statement, not per row. The temporary table
        is named by the table and the column list: each list has its own."""
        names = ", ".join(c.strip() for c in columns.split(",")) if columns else "*"
        listed = f" ({names})" if columns else ""
        digest = hashlib.blake2b(names.encode(), digest_size=4).hexdigest()
        stage = f"chuyi_stage_{table}_{digest}"
        self.conn.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} AS"
            f" SELECT {names} FROM {table} WITH NO DATA"
        )
        self.conn.execute(f"TRUNCATE {stage}")
        self.copy(stage, None, rows)
        self.conn.execute(f"INSERT INTO {table}{listed} SELECT * FROM {stage}{rest}")
        self.conn.execute(f"TRUNCATE {stage}")

    def insert_entries(
        self, columns: str, entries: list[Entry], repeats_refused: bool = False
    ) -> None:
        """Entries into the history: a few by INSERT, many through COPY.
        (``repeats_refused``: an id stored already is :class:`DuplicateIdsError`.)"""
        import psycopg

        from chuyi_cli.store.batches import DuplicateIdsError

        with server_errors(self.conninfo), refused_as_chuyi():
            try:
                if len(entries) < STAGED_ROWS:
                    marks = ", ".join(["?"] * len(columns.split(",")))
                    text, _ = dialect(f"INSERT INTO entry ({columns}) VALUES ({marks})")
                    with self.conn.cursor() as cur:
                        cur.executemany(text, [tuple(e) for e in entries])
                else:
                    self._through_stage("entry", columns, entries)
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


@contextlib.contextmanager
def refused_as_chuyi() -> Iterator[None]:
    """A rule of the table (a CHECK, a repeated id, a void of no entry) as SQLite's
    refusals are said."""
    import psycopg

    try:
        yield
    except psycopg.errors.IntegrityError as exc:
        raise ChuyiError("db_refused", path="PostgreSQL", reason=exc.diag.message_primary) from None
