"""An import in one transaction: batches of entries in, a bulk import's indexes set
aside and built once, the derived tables brought along at the end (one pass for a whole
new history)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from chuyi_cli.domain import Entry
from chuyi_cli.errors import ChuyiError, ProblemsError
from chuyi_cli.i18n import Message
from chuyi_cli.store import checkpoint_upkeep, reach
from chuyi_cli.store.derive import (
    FOLDS_HELD,
    Apply,
    derive_all,
    refresh_deltas,
    touched_since,
)
from chuyi_cli.store.rows import ENTRY_COLUMNS, entry_of
from chuyi_cli.store.schema import ENTRY_INDEXES
from chuyi_cli.store.sqlite import commit

if TYPE_CHECKING:
    from chuyi_cli.store.history import History

BULK_ROWS = 50_000  # an import this large (and at least the history's size) goes in bulk


class DuplicateIdsError(ChuyiError):
    """A bulk import found an id twice among its own rows."""


class Bulk:
    """A bulk import's indexes: set aside inside its transaction, built once at the end.

    Into an empty history even the id index goes (a million random inserts into it cost
    several times building it once); its foreign key then has no index to check against,
    so foreign keys are off for the transaction and the voids it adds are checked here.
    """

    def __init__(self, db: sqlite3.Connection, stored: int) -> None:
        self.db = db
        # Into a history already holding entries, the id index stays: it finds those.
        self.names = [n for n in ENTRY_INDEXES if not stored or n != "entry_by_id"]
        self.start = stored
        self.aside = False
        self.keys_were_on = False

    def before_begin(self) -> None:
        if "entry_by_id" in self.names:  # (foreign_keys cannot change inside a transaction)
            self.keys_were_on = bool(self.db.execute("PRAGMA foreign_keys").fetchone()[0])
            self.db.execute("PRAGMA foreign_keys = OFF")

    def set_aside(self) -> None:
        for name in self.names:
            self.db.execute(f"DROP INDEX IF EXISTS {name}")
        self.aside = True

    def restore(self) -> None:
        if not self.aside:
            return
        self.aside = False
        for name in self.names:
            try:
                self.db.execute(ENTRY_INDEXES[name])
            except sqlite3.IntegrityError:
                raise DuplicateIdsError("the same id twice in one file") from None

    def check_voids(self) -> None:
        if "entry_by_id" not in self.names:
            return  # the foreign key checked them
        orphan = self.db.execute(
            "SELECT v.id, v.voids FROM entry v WHERE v.seq > ? AND v.voids IS NOT NULL"
            " AND NOT EXISTS (SELECT 1 FROM entry e WHERE e.id = v.voids) LIMIT 1",
            (self.start,),
        ).fetchone()
        if orphan:
            raise ChuyiError("orphan_void", entry=orphan[0], voids=orphan[1])

    def after_end(self) -> None:
        if self.keys_were_on:
            self.db.execute("PRAGMA foreign_keys = ON")


class BatchImport:
    """One :meth:`History.import_batches`: its steps, in order, inside one transaction.

    Into an empty history in bulk, the entries are only inserted as they come: the units
    are folded, and every derived table derived, in one pass once all are in
    (:func:`derive_all`). Otherwise each batch is folded into the units it touches as it
    is inserted (:class:`Apply`)."""

    derives = True  # keeps the derived tables itself (a server derives its own)

    def __init__(
        self,
        history: History,
        dry_run: bool,
        expected: int,
        known: Callable[[Entry, Entry, bool], None] | None,
    ) -> None:
        self.history, self.db, self.dry_run, self.known = history, history.db, dry_run, known
        self.stored = self.db.execute("SELECT coalesce(max(seq), 0) FROM entry").fetchone()[0]
        self.bulk = Bulk(self.db, self.stored) if expected >= max(BULK_ROWS, self.stored) else None
        self.derive_whole = self.bulk is not None and not self.stored and not dry_run
        self.apply = Apply(self.db)
        self.added = self.skipped = 0

    def begin(self) -> None:
        # A larger page cache for this connection keeps the id index's random inserts
        # in memory (40 MiB; the import keeps under 200 MiB in all).
        self.db.execute("PRAGMA cache_size = -16384")
        if self.bulk:
            self.bulk.before_begin()
        self.db.execute("BEGIN IMMEDIATE")
        if not self.dry_run:
            checkpoint_upkeep.add_due(self.db)
        if self.bulk:
            self.bulk.set_aside()

    def insert(self, batch: list[Entry]) -> None:
        """Store the batch's entries whose ids are not stored yet, and fold them in."""
        bulk = self.bulk
        if bulk and bulk.aside and any(e.voids for e in batch):
            bulk.restore()  # a void is checked against the indexed history
        if bulk and bulk.aside and not self.stored:
            fresh = batch  # nothing stored yet: the unique index says the rest
        else:
            fresh = self.not_stored(batch)
        self.skipped += len(batch) - len(fresh)
        self.store_entries(fresh)
        self.added += len(fresh)
        if self.derives and not self.dry_run and not self.derive_whole:
            self.apply.entries(fresh)
            if len(self.apply.folds) > FOLDS_HELD:  # write out: memory stays flat
                self.write_out()

    def store_entries(self, entries: list[Entry]) -> None:
        self.history._insert(self.db, entries)

    def not_stored(self, batch: list[Entry]) -> list[Entry]:
        """The entries of the batch whose ids are not stored; ``known`` is told of the
        others."""
        found = {
            row[0]: row
            for row in self.history._where_in(
                f"SELECT {ENTRY_COLUMNS}, seq FROM entry", "id", [e.id for e in batch]
            )
        }
        if found and self.known is not None:
            for e in batch:
                row = found.get(e.id)
                if row is not None:
                    self.known(entry_of(row[:-1]), e, row[-1] > self.stored)
        return [e for e in batch if e.id not in found]

    def write_out(self) -> None:
        """The units folded so far, written to their tables."""
        self.apply.finish()
        self.apply = Apply(self.db)

    def entries_in(self) -> None:
        """The entries are in (the voids come next): the indexes are built."""
        if self.bulk:
            if not self.dry_run:  # written out first: its memory is free for the sorting
                self.write_out()
            self.bulk.restore()

    def finish(self, check: Callable[[], Sequence[str | Message]]) -> None:
        """Every entry is in: rolled back when ``check`` finds a problem (or for a dry
        run), else the derived tables brought into step and the whole committed."""
        if self.bulk:
            self.bulk.check_voids()
        problems = check()
        if problems:
            self.db.execute("ROLLBACK")
            raise ProblemsError(problems)
        if self.dry_run:
            self.db.execute("ROLLBACK")
            return
        self.derive()
        commit(self.db)

    def derive(self) -> None:
        if not self.derives:
            return
        self.apply.finish()
        if not self.added:
            return
        if self.derive_whole:  # (in one pass, as a repair makes them)
            derive_all(self.db)
            return
        stored = self.stored
        touched = None if not stored else touched_since(self.db, stored)
        refresh_deltas(self.db, touched)
        if self.bulk:  # (in one pass over the history, as a repair does)
            stretches = reach.Rebuilt(self.db)
            checkpoint_upkeep.rebuild(self.db, each=stretches)
            stretches.flush()
        else:
            checkpoint_upkeep.keep_for_units(self.db, stored)
            reach.keep_for_units(self.db, touched or touched_since(self.db, stored))

    def end(self) -> None:
        if self.bulk:
            self.bulk.after_end()
