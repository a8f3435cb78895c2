"""The database's shape: every migration, in order, SQL only and frozen as it landed.

A migration makes and changes tables; it never derives what the history folds to. After
the last migration has run, :func:`chuyi_cli.store.sqlite.migrate` derives every
derived table once with today's code, so an old migration never runs code that has
changed since it was written.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from chuyi_cli.errors import ChuyiError

APPLICATION_ID = 0x43485559  # "CHUY": marks a file as a chuyi database


def _m001_entries(db: sqlite3.Connection) -> None:
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute(
        """
        CREATE TABLE entry (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE CHECK (length(id) BETWEEN 8 AND 64),
            target TEXT NOT NULL CHECK (target <> ''),
            unit TEXT CHECK (unit <> ''),
            region TEXT,
            stage TEXT CHECK (stage IN ('selected', 'building', 'accepted', 'revoked')),
            state TEXT CHECK (state IN ('not_started', 'in_progress', 'done')),
            quantity INTEGER CHECK (quantity > 0),
            observed TEXT NOT NULL
                CHECK (observed GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
            recorded TEXT NOT NULL,
            recorder TEXT NOT NULL CHECK (recorder <> ''),
            note TEXT,
            evidence TEXT,
            evidence_sha256 TEXT CHECK (evidence_sha256 IS NULL OR length(evidence_sha256) = 64),
            voids TEXT REFERENCES entry (id) DEFERRABLE INITIALLY DEFERRED,
            CHECK ((stage IS NOT NULL) + (state IS NOT NULL) + (quantity IS NOT NULL)
                   + (voids IS NOT NULL) = 1)
        ) STRICT
        """
    )
    db.execute("CREATE INDEX entry_by_unit ON entry (target, unit, observed, recorded, id)")
    db.execute("CREATE INDEX entry_by_voids ON entry (voids) WHERE voids IS NOT NULL")
    db.execute("CREATE INDEX entry_by_observed ON entry (observed)")
    _forbid_changes(db)


def _m002_derived_state(db: sqlite3.Connection) -> None:
    """What the present looks like, kept beside the history so reads never scan it:
    each unit's current state, units per (target, region, stage), last record per region.
    (They are derived once all migrations have run.)"""
    db.execute(
        """
        CREATE TABLE unit_state (
            target TEXT NOT NULL,
            unit TEXT NOT NULL,
            region TEXT,
            stage TEXT,
            state TEXT,
            quantity INTEGER NOT NULL,
            live INTEGER NOT NULL CHECK (live >= 0),
            entries INTEGER NOT NULL CHECK (entries > 0),
            last_observed TEXT,
            latest_observed TEXT,
            latest_recorded TEXT,
            latest_id TEXT,
            region_observed TEXT,
            region_recorded TEXT,
            region_id TEXT,
            PRIMARY KEY (target, unit)
        ) STRICT, WITHOUT ROWID
        """
    )
    db.execute(
        """
        CREATE TABLE tally (
            target TEXT NOT NULL,
            region TEXT NOT NULL,
            stage TEXT NOT NULL,
            units INTEGER NOT NULL,
            live INTEGER NOT NULL,
            quantity INTEGER NOT NULL,
            PRIMARY KEY (target, region, stage)
        ) STRICT, WITHOUT ROWID
        """
    )
    db.execute(
        "CREATE TABLE region_last (region TEXT PRIMARY KEY, observed TEXT NOT NULL)"
        " STRICT, WITHOUT ROWID"
    )


# Each region's last record: the latest day a live entry (neither a void nor voided)
# observed there.
REGION_LAST = (
    "SELECT e.region, max(e.observed) FROM entry e"
    " WHERE e.region IS NOT NULL AND e.voids IS NULL"
    " AND NOT EXISTS (SELECT 1 FROM entry v WHERE v.voids = e.id) GROUP BY e.region"
)


# The entry table's indexes as they stand now (m003); a bulk import sets them aside and
# builds each once at the end, which costs a fraction of a million random inserts.
ENTRY_INDEXES = {
    "entry_by_id": "CREATE UNIQUE INDEX entry_by_id ON entry (id)",
    "entry_by_unit": "CREATE INDEX entry_by_unit ON entry (target, unit, observed, recorded, id)",
    "entry_by_voids": "CREATE INDEX entry_by_voids ON entry (voids) WHERE voids IS NOT NULL",
    # (voids too: a window's entries, voids aside, are counted from the index alone)
    "entry_by_observed": "CREATE INDEX entry_by_observed ON entry (observed, voids)",
}


def _m003_entries_checked_cheaply(db: sqlite3.Connection) -> None:
    """The entry table again with the same rules, written the way SQLite checks fast.

    A CHECK of ``x IN ('a', 'b', ...)`` builds a small index on every row it checks (it
    cost a bulk import about 5 µs a row); comparisons joined by OR say the same for
    nothing. The id's uniqueness moves from the column to a named index, which a bulk
    import can set aside and build once. Rows keep their seq, so their order stays."""
    db.execute(
        """
        CREATE TABLE entry_m003 (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL CHECK (length(id) BETWEEN 8 AND 64),
            target TEXT NOT NULL CHECK (target <> ''),
            unit TEXT CHECK (unit <> ''),
            region TEXT,
            stage TEXT CHECK (stage = 'selected' OR stage = 'building' OR stage = 'accepted'
                              OR stage = 'revoked'),
            state TEXT CHECK (state = 'not_started' OR state = 'in_progress' OR state = 'done'),
            quantity INTEGER CHECK (quantity > 0),
            observed TEXT NOT NULL
                CHECK (observed GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
            recorded TEXT NOT NULL,
            recorder TEXT NOT NULL CHECK (recorder <> ''),
            note TEXT,
            evidence TEXT,
            evidence_sha256 TEXT CHECK (evidence_sha256 IS NULL OR length(evidence_sha256) = 64),
            voids TEXT REFERENCES entry (id) DEFERRABLE INITIALLY DEFERRED,
            CHECK ((stage IS NOT NULL) + (state IS NOT NULL) + (quantity IS NOT NULL)
                   + (voids IS NOT NULL) = 1)
        ) STRICT
        """
    )
    db.execute("INSERT INTO entry_m003 SELECT * FROM entry ORDER BY seq")
    db.execute("DROP TABLE entry")  # its indexes and triggers go with it
    db.execute("ALTER TABLE entry_m003 RENAME TO entry")
    for sql in ENTRY_INDEXES.values():
        db.execute(sql)
    _forbid_changes(db)
    if db.execute("PRAGMA foreign_key_check(entry)").fetchone() is not None:
        raise ChuyiError("orphan_void_history")


def _forbid_changes(db: sqlite3.Connection) -> None:
    for action in ("UPDATE", "DELETE"):
        db.execute(
            f"""
            CREATE TRIGGER entry_no_{action.lower()} BEFORE {action} ON entry
            BEGIN SELECT RAISE(ABORT, 'entries are append-only: void them instead'); END
            """
        )


def _m004_unit_deltas(db: sqlite3.Connection) -> None:
    """What moved in the tally over the recent past, and the tally with regions summed.

    ``unit_delta`` holds, for the last DELTA_DAYS days, each unit's changes to the tally
    rows (units, live entries, quantity) on the days they happened, as the history known
    now tells them, and the day of the unit's current entry after each; ``delta_mark`` the
    first day they are complete from. Summing the rows after a day turns today's tally
    into that day's, with no history read. ``stage_total`` is the tally summed over
    regions, kept beside it by every write."""
    _create_unit_delta(db)
    db.execute("CREATE TABLE delta_mark (day TEXT NOT NULL) STRICT")
    _create_stage_total(db)


def _create_unit_delta(db: sqlite3.Connection) -> None:
    db.execute(
        """
        CREATE TABLE unit_delta (
            target TEXT NOT NULL,
            unit TEXT NOT NULL,
            day TEXT NOT NULL,
            region TEXT NOT NULL,
            stage TEXT NOT NULL,
            units INTEGER NOT NULL,
            live INTEGER NOT NULL,
            quantity INTEGER NOT NULL,
            latest TEXT,
            PRIMARY KEY (target, unit, day, region, stage)
        ) STRICT, WITHOUT ROWID
        """
    )
    # (Covering: a window's rows are read from the index alone.)
    db.execute("CREATE INDEX unit_delta_by_day ON unit_delta (day, units, live, quantity, latest)")


def _create_stage_total(db: sqlite3.Connection) -> None:
    """The tally with its regions summed: what status reads for a target that does not
    count regions (35 targets × a few stages, instead of thousands of rows)."""
    db.execute(
        """
        CREATE TABLE stage_total (
            target TEXT NOT NULL,
            stage TEXT NOT NULL,
            units INTEGER NOT NULL,
            live INTEGER NOT NULL,
            quantity INTEGER NOT NULL,
            PRIMARY KEY (target, stage)
        ) STRICT, WITHOUT ROWID
        """
    )
    db.execute(
        "INSERT INTO stage_total SELECT target, stage, sum(units), sum(live), sum(quantity)"
        " FROM tally GROUP BY target, stage"
        " HAVING sum(units) <> 0 OR sum(live) <> 0 OR sum(quantity) <> 0"
    )


# ---- shapes of a schema that earlier chuyi wrote under the same number
#
# A migration that landed was later changed in place three times, so files stamped with
# one schema number come in several shapes. Each is brought to the shape the migrations
# now make, in the same transaction as the migrations after it.


def _tables(db: sqlite3.Connection) -> set[str]:
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _settle_schema_2(db: sqlite3.Connection) -> None:
    """Schema 2 as the first releases wrote it: ``unit_state`` of twelve columns and no
    tally or region_last. Its derived state goes and is made again as m002 now makes it."""
    if "tally" in _tables(db):
        return
    db.execute("DROP TABLE IF EXISTS unit_state")  # (its region index goes with it)
    _m002_derived_state(db)


def _m005_settle_schema_4(db: sqlite3.Connection) -> None:
    """Schema 4 as written before ``unit_delta.latest`` (the day of each moved unit's
    current entry) and ``stage_total`` existed: the missing parts are made again (and
    derived, as every derived table is, once the migrations have run). An
    entry index made before it took its present form (schema 3 indexed ``observed``
    alone) is made again."""
    unsettled = _schema_4_unsettled(db)
    for name in unsettled & set(ENTRY_INDEXES):
        db.execute(f"DROP INDEX IF EXISTS {name}")
        db.execute(ENTRY_INDEXES[name])
    if "unit_delta" in unsettled:
        db.execute("DROP TABLE unit_delta")  # (its index goes with it)
        db.execute("DELETE FROM delta_mark")
        _create_unit_delta(db)
    if "stage_total" in unsettled:
        _create_stage_total(db)


def _schema_4_unsettled(db: sqlite3.Connection) -> set[str]:
    """What of a schema-4 file differs from the shape this chuyi reads."""
    made = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"))
    unsettled = {name for name, sql in ENTRY_INDEXES.items() if made.get(name) != sql}
    if "latest" not in {r[1] for r in db.execute("PRAGMA table_info(unit_delta)")}:
        unsettled.add("unit_delta")
    if "stage_total" not in _tables(db):
        unsettled.add("stage_total")
    return unsettled


def readable_as_is(db: sqlite3.Connection, version: int, upto: int) -> bool:
    """Whether a file this chuyi cannot upgrade (read-only) can be read as it stands: a
    schema 4 already in the shape schema 5 settles it to, or a schema 5, 6 or 7 (schema 6
    changes no shape, only what two derived columns count: until the file can be
    upgraded, its units' last dates and regions' last records still count voided
    entries; schema 7 adds checkpoints, schema 8 the tally's changes day by day and
    schemas 9 and 10 when each unit reached each stage, without which the past is read
    the longer way)."""
    if version == 4 and _schema_4_unsettled(db):
        return False
    return 4 <= version < upto <= 10


def _m007_tally_checkpoints(db: sqlite3.Connection) -> None:
    """The tally at every month end since the plan began (up to the day in
    ``checkpoint_mark``), so that any past day is read from the nearest one."""
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS tally_checkpoint (
            day TEXT NOT NULL,
            target TEXT NOT NULL,
            region TEXT NOT NULL,
            stage TEXT NOT NULL,
            units INTEGER NOT NULL,
            live INTEGER NOT NULL,
            quantity INTEGER NOT NULL,
            PRIMARY KEY (day, target, region, stage)
        ) STRICT, WITHOUT ROWID
        """
    )
    db.execute("CREATE TABLE IF NOT EXISTS checkpoint_mark (day TEXT NOT NULL) STRICT")


def _m008_tally_changes(db: sqlite3.Connection) -> None:
    """What each day of the whole history changed in the tally (every unit's moves that
    day, summed by target, region and stage), so that a day between two checkpoints is
    read as the nearer one moved by the days between; and the checkpoints with their
    regions summed (what a report of the whole province reads of most targets)."""
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS tally_change (
            target TEXT NOT NULL,
            day TEXT NOT NULL,
            region TEXT NOT NULL,
            stage TEXT NOT NULL,
            units INTEGER NOT NULL,
            live INTEGER NOT NULL,
            quantity INTEGER NOT NULL,
            PRIMARY KEY (target, day, region, stage)
        ) STRICT, WITHOUT ROWID
        """
    )
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS stage_checkpoint (
            day TEXT NOT NULL,
            target TEXT NOT NULL,
            stage TEXT NOT NULL,
            units INTEGER NOT NULL,
            live INTEGER NOT NULL,
            quantity INTEGER NOT NULL,
            PRIMARY KEY (day, target, stage)
        ) STRICT, WITHOUT ROWID
        """
    )


def _m009_unit_reach(db: sqlite3.Connection) -> None:
    """When each unit was at or past each counting stage (selected, building, accepted):
    a row a stretch of days, from its first day to the first day it no longer was (NULL:
    it still is), so that the units that reached a stage since a day are a range read."""
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS unit_reach (
            target TEXT NOT NULL,
            unit TEXT NOT NULL,
            stage TEXT NOT NULL,
            start TEXT NOT NULL,
            stop TEXT,
            PRIMARY KEY (target, unit, stage, start)
        ) STRICT, WITHOUT ROWID
        """
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS unit_reach_open ON unit_reach (stage, start, target)"
        " WHERE stop IS NULL"
    )


def _m010_unit_reach_latest(db: sqlite3.Connection) -> None:
    """``unit_reach`` again, each stretch still open with the day of its unit's current
    entry (what summary lists beside a unit that reached its stage), and indexed so that
    the open stretches that began after a day are read from the index alone. (Derived
    again, as every derived table is, once the migrations have run.)"""
    db.execute("DROP TABLE IF EXISTS unit_reach")  # (its index goes with it)
    db.execute(
        """
        CREATE TABLE unit_reach (
            target TEXT NOT NULL,
            unit TEXT NOT NULL,
            stage TEXT NOT NULL,
            start TEXT NOT NULL,
            stop TEXT,
            latest TEXT,
            PRIMARY KEY (target, unit, stage, start)
        ) STRICT, WITHOUT ROWID
        """
    )
    db.execute(
        "CREATE INDEX unit_reach_by_start ON unit_reach (stage, stop, start, target, latest)"
    )


def _m006_live_visits(db: sqlite3.Connection) -> None:
    """A voided entry is no visit: each unit's last day observed and each region's last
    record come from live entries only (until now they counted voided entries too). A
    unit's last day is then the day of its current entry."""
    db.execute("UPDATE unit_state SET last_observed = latest_observed")
    db.execute("DELETE FROM region_last")
    db.execute("INSERT INTO region_last " + REGION_LAST)


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _m001_entries,
    _m002_derived_state,
    _m003_entries_checked_cheaply,
    _m004_unit_deltas,
    _m005_settle_schema_4,
    _m006_live_visits,
    _m007_tally_checkpoints,
    _m008_tally_changes,
    _m009_unit_reach,
    _m010_unit_reach_latest,
]
SCHEMA_VERSION = len(MIGRATIONS)

# Run before the migration from a version on (see _settle_schema_2).
SETTLE: dict[int, Callable[[sqlite3.Connection], None]] = {2: _settle_schema_2}
