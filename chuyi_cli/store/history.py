"""The history: entries appended (one by one or as an import), and read back (by id
prefix, by filter, as the log streams them).

Entries are append-only (triggers refuse UPDATE and DELETE); every write also brings the
derived tables into step (:mod:`chuyi_cli.store.derive`) in the same transaction; an
import goes in as :mod:`chuyi_cli.store.batches` says.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from chuyi_cli.canonical import local_day
from chuyi_cli.domain import FIELDS, Entry, observation_key
from chuyi_cli.errors import ChuyiError, ProblemsError
from chuyi_cli.i18n import Message
from chuyi_cli.rules import check_void
from chuyi_cli.store.rows import (
    ENTRY_COLUMNS,
    ENTRY_COLUMNS_OF_E,
    ENTRY_COLUMNS_OF_V,
    Row,
    entry_of,
)
from chuyi_cli.store.sqlite import SqliteStore, marks
from chuyi_cli.store.sqlite_errors import sqlite_errors

if TYPE_CHECKING:  # (what only writes use is imported by them: reading starts without it)
    from chuyi_cli.store.batches import BatchImport, Bulk


class TargetUsage(NamedTuple):
    """How much of the history names one target."""

    target: str
    entries: int
    units: int  # distinct units named


class RegionUsage(NamedTuple):
    """How many entries name one region."""

    region: str
    entries: int


# --------------------------------------------------------------------------- the store


def _filtered(
    target: str | None,
    since: str | None,
    until: str | None,
    regions: set[str] | None,
    recorder: str | None,
) -> tuple[str, list[object]]:
    """The WHERE clause (empty: no filter) and its parameters of the entries that match
    every filter given (observed from ``since`` to ``until``)."""
    where: list[str] = []
    params: list[object] = []
    filters = (
        ("target = ?", target),
        ("observed >= ?", since),
        ("observed <= ?", until),
        ("recorder = ?", recorder),
    )
    for clause, value in filters:
        if value:
            where.append(clause)
            params.append(value)
    if regions is not None:
        where.append(f"region IN ({marks(regions)})")
        params.extend(sorted(regions))
    return (f"WHERE {' AND '.join(where)}" if where else ""), params


class History(SqliteStore):
    """The entries: appended, found, listed."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        super().__init__(db, path)
        self._bulk: Bulk | None = None  # a bulk import's indexes, while it runs

    def add(self, entries: list[Entry], again: bool = False) -> None:
        """Append entries and refresh their units, in one transaction.

        An entry that repeats a stored observation (:meth:`repeat_of`) is refused unless
        ``again``: nothing is written."""
        from chuyi_cli.store import checkpoint_upkeep

        with self.write() as db:
            stored = db.execute("SELECT coalesce(max(seq), 0) FROM entry").fetchone()[0]
            checkpoint_upkeep.add_due(db)
            if not again:
                for e in entries:
                    earlier = self.repeat_of(e)
                    if earlier:
                        raise ChuyiError("repeat_observation", id=earlier[:8])
            self._insert(db, entries)
            for e in entries:
                if e.voids:  # checked again here, where no other writer can come between
                    self._check_void(e)
            self._project(db, entries, stored)

    @staticmethod
    def _project(db: sqlite3.Connection, entries: list[Entry], stored: int) -> None:
        """The derived tables brought into step with ``entries``, just stored after seq
        ``stored``."""
        from chuyi_cli.store import checkpoint_upkeep, reach
        from chuyi_cli.store.derive import Apply, refresh_deltas

        apply = Apply(db)
        apply.entries(entries)
        apply.finish()
        touched = {(e.target, e.unit or "") for e in entries}
        refresh_deltas(db, touched)
        checkpoint_upkeep.keep_for_units(db, stored)
        reach.keep_for_units(db, touched)

    def _check_void(self, void: Entry) -> None:
        assert void.voids is not None
        cancelled = self.entries_by_id([void.voids]).get(void.voids)
        check_void(void.id, cancelled, void.voids, self.voided_by(void.voids))

    def repeat_of(self, e: Entry) -> str | None:
        """The id of a live stored entry (neither voided nor a void) that ``e`` repeats:
        the same target, unit, stage or state, day observed and recorder, put on record
        on the same day (:func:`chuyi_cli.domain.observation_key`); None when there is
        none, or ``e`` is an activity (two events) or a void. Read through the unit
        index, inside the caller's transaction."""
        key = observation_key(e)
        if key is None:
            return None
        if self._bulk is not None and self._bulk.aside:
            self._bulk.restore()  # (a look-up by unit needs the unit index)
        target, unit, stage, state, observed, recorder, day = key
        for entry_id, recorded in self.db.execute(
            "SELECT e.id, e.recorded FROM entry e WHERE e.target = ? AND e.unit IS ?"
            " AND e.observed = ? AND e.stage IS ? AND e.state IS ? AND e.recorder = ?"
            " AND e.voids IS NULL AND e.quantity IS NULL AND e.id <> ?"
            " AND NOT EXISTS (SELECT 1 FROM entry v WHERE v.voids = e.id)",
            (target, unit or None, observed, stage, state, recorder, e.id),
        ):
            if local_day(recorded) == day:
                return str(entry_id)
        return None

    @staticmethod
    def _insert(db: sqlite3.Connection, entries: list[Entry]) -> None:
        # As plain tuples: sqlite3 binds a tuple subclass item by item through the
        # sequence protocol, a third slower (about 1 s in a million-row import).
        db.executemany(
            f"INSERT INTO entry ({ENTRY_COLUMNS}) VALUES ({marks(FIELDS)})",
            map(tuple, entries),
        )

    def import_batches(
        self,
        batches: Iterable[list[Entry]],
        check: Callable[[], Sequence[str | Message]],
        dry_run: bool,
        voids: Callable[[], Iterable[list[Entry]]] | None = None,
        expected: int = 0,
        known: Callable[[Entry, Entry, bool], None] | None = None,
    ) -> tuple[int, int]:
        """Insert batches in one transaction, skipping ids already stored.

        ``voids``, when given, is called once the other entries are in (and indexed) and
        gives the batches of voids. ``check`` runs after the last batch, inside the
        transaction; any problem it returns (or ``dry_run``) rolls everything back.
        ``expected`` (rows, an estimate) decides a bulk import: when it is large and at
        least the history's size, the indexes are set aside and built once at the end.
        ``known(stored, new, here)`` is called for each entry whose id is stored already
        (``here``: stored by this import) before it is skipped: it may differ.
        Returns (added, skipped). Raises :class:`DuplicateIdsError` when a bulk import
        finds one id twice in its own rows (nothing is written; import them again
        without ``expected``).
        """
        with sqlite_errors(self.path):
            run = self._batch_import(dry_run, expected, known)
            self._bulk = run.bulk
            try:
                run.begin()
                for batch in batches:
                    run.insert(batch)
                run.entries_in()
                for batch in voids() if voids is not None else ():
                    run.insert(batch)
                run.finish(check)
            except ProblemsError:
                raise
            except BaseException:
                if self.db.in_transaction:
                    with contextlib.suppress(ChuyiError):  # (a server's lost connection)
                        self.db.execute("ROLLBACK")
                raise
            finally:
                self._bulk = None
                run.end()
        return run.added, run.skipped

    def _batch_import(
        self,
        dry_run: bool,
        expected: int,
        known: Callable[[Entry, Entry, bool], None] | None,
    ) -> BatchImport:
        """The steps of one :meth:`import_batches` (an engine's own, where they differ)."""
        from chuyi_cli.store.batches import BatchImport

        return BatchImport(self, dry_run, expected, known)

    # ---- reading

    def entry(self, prefix: str) -> Entry:
        """The entry whose id starts with ``prefix`` (a unique prefix, as git takes)."""
        text = prefix.strip().lower()
        if len(text) < 4:
            raise ChuyiError("entry_prefix_short", prefix=prefix)
        rows = self._read(
            f"SELECT {ENTRY_COLUMNS} FROM entry WHERE id >= ? AND id < ? ORDER BY id LIMIT 6",
            (text, text + "\uffff"),
        )
        if not rows:
            raise ChuyiError("entry_prefix_none", prefix=prefix)
        if len(rows) > 1:
            ids = ", ".join(r[0][:12] for r in rows)
            raise ChuyiError("ambiguous_entry", text=prefix, ids=ids)
        return entry_of(rows[0])

    def entries_by_id(self, ids: list[str]) -> dict[str, Entry]:
        rows = self._where_in(f"SELECT {ENTRY_COLUMNS} FROM entry", "id", ids)
        return {row[0]: entry_of(row) for row in rows}

    def voided_by(self, entry_id: str) -> list[str]:
        return [r[0] for r in self._read("SELECT id FROM entry WHERE voids = ?", (entry_id,))]

    def voids_of(self, ids: list[str]) -> dict[str, list[str]]:
        """The entries that void each of ``ids`` (:meth:`voided_by` of many at once; an id
        that none voids is not in the dict)."""
        found: dict[str, list[str]] = {}
        for voided, entry_id in self._where_in("SELECT voids, id FROM entry", "voids", ids):
            found.setdefault(voided, []).append(entry_id)
        return found

    def entries(
        self,
        target: str | None = None,
        since: str | None = None,
        regions: set[str] | None = None,
        recorder: str | None = None,
    ) -> list[Entry]:
        """Entries matching every filter given, newest first."""
        clause, params = _filtered(target, since, None, regions, recorder)
        order = "observed DESC, recorded DESC, id DESC"
        sql = f"SELECT {ENTRY_COLUMNS} FROM entry {clause} ORDER BY {order}"
        return [entry_of(r) for r in self._read(sql, params)]

    def log(
        self,
        target: str | None = None,
        since: str | None = None,
        regions: set[str] | None = None,
        recorder: str | None = None,
        limit: int | None = None,
        batch: int = 500,
        until: str | None = None,
    ) -> Iterator[tuple[Entry, bool]]:
        """Entries matching every filter given (observed from ``since`` to ``until``),
        newest first, each with whether a void cancels it: streamed in batches, so the
        first arrives before the last is read."""
        clause, params = _filtered(target, since, until, regions, recorder)
        sql = (
            f"SELECT {ENTRY_COLUMNS} FROM entry {clause}"
            " ORDER BY observed DESC, recorded DESC, id DESC"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with sqlite_errors(self.path):
            cursor = self.db.execute(sql, params)
            while rows := cursor.fetchmany(batch):
                entries = [entry_of(r) for r in rows]
                voided = self._voided_among([e.id for e in entries])
                yield from ((e, e.id in voided) for e in entries)

    def voids_between(self, since: str, until: str) -> list[tuple[Entry, Entry | None]]:
        """The voids observed within the window, oldest first, each with the entry it
        cancels (read beside it: one query)."""
        rows = self._read(
            f"SELECT {ENTRY_COLUMNS_OF_V}, {ENTRY_COLUMNS_OF_E}"
            " FROM entry AS v INDEXED BY entry_by_observed"
            " LEFT JOIN entry AS e INDEXED BY entry_by_id ON e.id = v.voids"
            " WHERE v.observed >= ? AND v.observed <= ? AND v.voids IS NOT NULL"
            " ORDER BY v.observed, v.recorded, v.id",
            (since, until),
        )
        n = len(FIELDS)
        return [(entry_of(r[:n]), entry_of(r[n:]) if r[n] is not None else None) for r in rows]

    def iter_entries(self, since: str | None = None) -> Iterator[Entry]:
        """Every entry in the order it was stored, streamed."""
        sql = f"SELECT {ENTRY_COLUMNS} FROM entry"
        params: tuple[object, ...] = ()
        if since:
            sql += " WHERE observed >= ?"
            params = (since,)
        with sqlite_errors(self.path):
            cursor = self.db.execute(sql + " ORDER BY seq", params)
            while rows := cursor.fetchmany(2000):
                yield from (entry_of(r) for r in rows)

    def rows_by_id(self) -> Iterator[Row]:
        """Every entry as its row and then its seq, in the order of ids, streamed."""
        with sqlite_errors(self.path):
            cursor = self.db.execute(f"SELECT {ENTRY_COLUMNS}, seq FROM entry ORDER BY id")
            while rows := cursor.fetchmany(2000):
                yield from rows

    def unit_entries(self, target: str, unit: str) -> list[Entry]:
        """Every entry of one unit (voids included), in no particular order."""
        sql = f"SELECT {ENTRY_COLUMNS} FROM entry WHERE target = ? AND unit = ?"
        return [entry_of(r) for r in self._read(sql, (target, unit))]

    def voided_per_unit(self, target: str) -> dict[str, int]:
        """How many of each unit's entries (of one target) a void cancels."""
        rows = self._read(
            "SELECT coalesce(e.unit, ''), count(*) FROM entry e WHERE e.target = ?"
            " AND e.voids IS NULL AND EXISTS (SELECT 1 FROM entry v WHERE v.voids = e.id)"
            " GROUP BY 1",
            (target,),
        )
        return dict(rows)

    def _voided_among(self, ids: list[str], until: str | None = None) -> set[str]:
        """Which of ``ids`` a void cancels (a void observed by ``until``, when given)."""
        if until is None:
            return {r[0] for r in self._where_in("SELECT voids FROM entry", "voids", ids)}
        rows = self._where_in(
            "SELECT voids FROM entry", "voids", ids, " AND observed <= ?", (until,)
        )
        return {r[0] for r in rows}

    def target_usage(self) -> list[TargetUsage]:
        """How many entries and units name each target the entries name."""
        rows = self._read(
            "SELECT target, count(*), count(DISTINCT unit) FROM entry GROUP BY target"
        )
        return [TargetUsage(*r) for r in rows]

    def region_usage(self) -> list[RegionUsage]:
        rows = self._read(
            "SELECT region, count(*) FROM entry WHERE region IS NOT NULL GROUP BY region"
        )
        return [RegionUsage(*r) for r in rows]

    def last_observed(self) -> str | None:
        last: str | None = self._read("SELECT max(observed) FROM entry")[0][0]
        return last

    def count(self, since: str | None = None, until: str | None = None) -> int:
        """Entries observed within the window (the whole history without one), voids
        aside: the observations, as a summary counts the new ones. A void is a row of the
        history but no observation."""
        if since is None and until is None:
            return int(self._read("SELECT count(*) FROM entry WHERE voids IS NULL")[0][0])
        return int(
            self._read(
                "SELECT count(*) FROM entry INDEXED BY entry_by_observed"
                " WHERE voids IS NULL AND observed >= ? AND observed <= ?",
                (since or "0000-00-00", until or "9999-99-99"),
            )[0][0]
        )
