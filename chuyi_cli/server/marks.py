"""Where the last completed sync left each side, so that the next reads only what is new.

A laptop's file keeps, for each server database it synced with (named by that database's
identity), a mark of both sides as the last completed sync left them:

- the laptop's side: its entries are appended one writer at a time and numbered in the
  order they land (``seq``), so the mark is the last seq that sync had read, with the id
  of the entry there and the number of entries up to it;
- the server's side: the oldest transaction still running when that sync began
  (``pg_snapshot_xmin``). Every entry a transaction below it wrote was committed and read
  by that sync; every entry written later carries a transaction id at or above it
  (``written``, server migration m004), so the next sync reads those. (A seq would not
  do: a transaction holding seq 100 can commit after 101 is seen.) With it, the number of
  entries written below it.

It keeps too the ids of the laptop's entries that stayed on it (refused by the server, or
a void of one refused), read again by every sync. The mark is trusted only while both
sides still hold what it says they held: the laptop the same entry at its seq and the same
number up to it, the server the same database (its identity: the id ``server init`` made,
the database's oid and the cluster's system id) and the same number of entries below its
transaction id. Otherwise the sync compares the whole of both histories, as the first does.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from chuyi_cli.store.rows import ENTRY_COLUMNS, Row

# The laptop's record of its syncs, made by the first sync that completes: the marks, and
# the entries that stayed on the laptop.
LAPTOP_TABLES = (
    """
    CREATE TABLE IF NOT EXISTS sync_mark (
        server TEXT PRIMARY KEY,
        laptop_seq INTEGER NOT NULL,
        laptop_id TEXT,
        laptop_count INTEGER NOT NULL,
        server_xmin TEXT NOT NULL,
        server_count INTEGER NOT NULL,
        pushed_xid TEXT,
        pushed INTEGER NOT NULL
    ) STRICT
    """,
    """
    CREATE TABLE IF NOT EXISTS sync_held (
        server TEXT NOT NULL,
        id TEXT NOT NULL,
        PRIMARY KEY (server, id)
    ) STRICT, WITHOUT ROWID
    """,
)


class Point(NamedTuple):
    """Where the laptop's history stands: its last seq, the id there, the entries up to it."""

    seq: int
    id: str | None
    entries: int


class Mark(NamedTuple):
    laptop: Point
    server_xmin: int
    server_count: int
    pushed_xid: int | None  # the transaction that stored what that sync pushed
    pushed: int


# ------------------------------------------------------------------------------ laptop


def _tables(laptop: Any) -> bool:
    found = laptop._read("SELECT count(*) FROM sqlite_master WHERE name = 'sync_mark'")
    return bool(found[0][0])


def laptop_point(laptop: Any) -> Point:
    seq, count = laptop._read("SELECT coalesce(max(seq), 0), count(*) FROM entry")[0]
    return Point(seq, _id_at(laptop, seq), count)


def _id_at(laptop: Any, seq: int) -> str | None:
    found = laptop._read("SELECT id FROM entry WHERE seq = ?", (seq,))
    return str(found[0][0]) if found else None


def mark_of(laptop: Any, server: str) -> Mark | None:
    """The mark of the last completed sync with ``server`` (its identity), if there is one
    and the laptop still holds what it says: the same entry at its seq and as many up to
    it (a file restored, replaced or renumbered has not)."""
    if not _tables(laptop):
        return None
    rows = laptop._read(
        "SELECT laptop_seq, laptop_id, laptop_count, server_xmin, server_count, pushed_xid,"
        " pushed FROM sync_mark WHERE server = ?",
        (server,),
    )
    if not rows:
        return None
    seq, entry_id, count, xmin, server_count, pushed_xid, pushed = rows[0]
    held = laptop._read("SELECT count(*) FROM entry WHERE seq <= ?", (seq,))[0][0]
    if _id_at(laptop, seq) != entry_id or held != count:
        return None
    xid = int(pushed_xid) if pushed_xid is not None else None
    return Mark(Point(seq, entry_id, count), int(xmin), server_count, xid, pushed)


def held_ids(laptop: Any, server: str) -> list[str]:
    """The laptop's entries that stayed on it at the last sync with ``server``."""
    if not _tables(laptop):
        return []
    rows = laptop._read("SELECT id FROM sync_held WHERE server = ? ORDER BY id", (server,))
    return [r[0] for r in rows]


def laptop_rows_after(laptop: Any, after: int, upto: int) -> list[Row]:
    """The laptop's entries (each row, then its seq) numbered after ``after`` up to
    ``upto``."""
    return list(
        laptop._read(
            f"SELECT {ENTRY_COLUMNS}, seq FROM entry WHERE seq > ? AND seq <= ? ORDER BY seq",
            (after, upto),
        )
    )


def laptop_rows_of(laptop: Any, ids: Sequence[str]) -> list[Row]:
    """The laptop's entries of these ids (each row, then its seq)."""
    return list(laptop._where_in(f"SELECT {ENTRY_COLUMNS}, seq FROM entry", "id", list(ids)))


class Kept(NamedTuple):
    """What a sync that completed on both sides leaves for the next."""

    start: Point  # the laptop as that sync read it
    pulled: int  # the entries it stored into the laptop
    xmin: int  # the server's xmin when it began
    below: int  # the server's entries written below xmin
    pushed_xid: int | None  # the transaction that stored what it pushed
    pushed: int
    held: list[str]  # the ids of the entries that stayed on the laptop


def keep(laptop: Any, server: str, done: Kept) -> None:
    """The mark of a sync that completed on both sides: the laptop as read at its start,
    moved over the entries it then pulled when nothing else was stored meanwhile; the
    server's; the entries that stayed."""
    start, pulled = done.start, done.pulled
    with laptop.write() as db:
        for table in LAPTOP_TABLES:
            db.execute(table)
        since = db.execute(
            "SELECT count(*), max(seq) FROM entry WHERE seq > ?", (start.seq,)
        ).fetchone()
        point = start
        if since[0] and since[0] == pulled:  # (only what this sync pulled came in)
            point = Point(since[1], _id_at(laptop, since[1]), start.entries + pulled)
        db.execute(
            "INSERT OR REPLACE INTO sync_mark (server, laptop_seq, laptop_id, laptop_count,"
            " server_xmin, server_count, pushed_xid, pushed) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                server,
                point.seq,
                point.id,
                point.entries,
                str(done.xmin),
                done.below,
                None if done.pushed_xid is None else str(done.pushed_xid),
                done.pushed,
            ),
        )
        db.execute("DELETE FROM sync_held WHERE server = ?", (server,))
        db.executemany(
            "INSERT INTO sync_held (server, id) VALUES (?, ?)", [(server, i) for i in done.held]
        )


# ------------------------------------------------------------------------------ server


def identity(server: Any) -> str | None:
    """The server database's identity (None: a server without migration m004, which a
    sync compares whole every time)."""
    conn = server.db.conn
    row = conn.execute(
        "SELECT to_regclass('chuyi.identity') IS NOT NULL"
        " AND has_function_privilege('pg_control_system()', 'execute')"
    ).fetchone()
    if row is None or not row[0]:
        return None
    found = conn.execute(
        "SELECT i.id::text, d.oid::text, s.system_identifier::text"
        " FROM chuyi.identity i, pg_database d, pg_control_system() s"
        " WHERE d.datname = current_database()"
    ).fetchone()
    return "/".join(found) if found is not None else None


class Snapshot:
    """The server's history as one repeatable-read transaction sees it, and the oldest
    transaction still running when it began (``xmin``): every entry written below it is
    committed and seen here."""

    def __init__(self, server: Any, xmin: int) -> None:
        self.server, self.conn, self.xmin = server, server.db.conn, xmin

    def count_below(self, xmin: int) -> int:
        """The entries written below transaction ``xmin`` (or before m004)."""
        row = self.conn.execute(
            "SELECT count(*) FROM chuyi.entry WHERE written < %s::xid8 OR written IS NULL",
            (str(xmin),),
        ).fetchone()
        return int(row[0])

    def count_between(self, low: int, high: int) -> int:
        """The entries written from transaction ``low`` on and below ``high``."""
        row = self.conn.execute(
            "SELECT count(*) FROM chuyi.entry WHERE written >= %s::xid8 AND written < %s::xid8",
            (str(low), str(high)),
        ).fetchone()
        return int(row[0])

    def holds(self, mark: Mark) -> bool:
        """Whether the server still holds what ``mark`` says: as many entries written
        below its xmin, and every entry the sync that left it pushed."""
        if self.count_below(mark.server_xmin) != mark.server_count:
            return False
        if mark.pushed_xid is None:
            return True
        row = self.conn.execute(
            "SELECT count(*) FROM chuyi.entry WHERE written = %s::xid8", (str(mark.pushed_xid),)
        ).fetchone()
        return int(row[0]) == mark.pushed

    def rows_since(self, mark: Mark) -> list[Row]:
        """The entries written from the mark's transaction id on (each row, then its seq),
        but those the sync that left it pushed (the laptop holds them: it bears out the
        mark)."""
        return list(
            self.conn.execute(
                f"SELECT {ENTRY_COLUMNS}, seq FROM chuyi.entry WHERE written >= %s::xid8"
                " AND written IS DISTINCT FROM %s::xid8",
                (str(mark.server_xmin), None if mark.pushed_xid is None else str(mark.pushed_xid)),
            ).fetchall()
        )

    def rows_of(self, ids: Sequence[str]) -> list[Row]:
        """The entries of these ids (each row, then its seq), looked up by the id's index."""
        rows: list[Row] = self.server._where_in(
            f"SELECT {ENTRY_COLUMNS}, seq FROM entry", "id", ids
        )
        return rows


def current_xid(server: Any) -> int:
    """The id of the server's transaction under way on ``server``'s connection."""
    row = server.db.execute("SELECT pg_current_xact_id()::text").fetchone()
    return int(row[0])


@contextlib.contextmanager
def snapshot(server: Any) -> Iterator[Snapshot]:
    """A repeatable-read, read-only transaction on the server, and its xmin."""
    from chuyi_cli.server.connect import server_errors

    conn = server.db.conn
    with server_errors(server.db.conninfo), conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        row = conn.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text").fetchone()
        yield Snapshot(server, int(row[0]))
