"""The SQLite store: one connect() that sets every PRAGMA, ordered migrations, all SQL.

Entries are append-only (triggers refuse UPDATE and DELETE). Beside them the store keeps
``unit_state``, each unit's current state, refreshed in the same transaction as every
write, so reads of the present never scan the history.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path

from chuyi_cli.entries import FIELDS, Entry, check_void, local_day, observation_key
from chuyi_cli.errors import EXIT_LOCKED, ChuyiError, ProblemsError
from chuyi_cli.interrupts import committing, not_committed
from chuyi_cli.progress import (
    Move,
    Tallies,
    TallyRow,
    UnitFold,
    UnitState,
    fold_units,
    stage_moves,
    tally,
    unit_deltas,
    unwind,
)

APPLICATION_ID = 0x43485559  # "CHUY": marks a file as a chuyi database
DEFAULT_BUSY_SECONDS = 10.0


class LockedError(ChuyiError):
    exit_code = EXIT_LOCKED


# --------------------------------------------------------------------------- migrations


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
    each unit's current state, units per (target, region, stage), last record per region."""
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
    rebuild_derived(db, totals=False)


def rebuild_derived(db: sqlite3.Connection, totals: bool = True) -> None:
    """Derive unit_state, tally, region_last (and stage_total) again from the history."""
    for table in ("unit_state", "tally", "region_last") + (("stage_total",) if totals else ()):
        db.execute(f"DELETE FROM {table}")
    states = fold_units(_entry(r) for r in db.execute(f"SELECT {_ENTRY_COLUMNS} FROM entry"))
    _write_states(db, dict.fromkeys(states), states, totals)
    db.execute("INSERT INTO region_last " + _REGION_LAST)


# Each region's last record: the latest day a live entry (neither a void nor voided)
# observed there.
_REGION_LAST = (
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


# How far back the past can be read without the history: summary's "before" and a
# recent --as-of come from unit_delta when the day lies within this many days of today.
DELTA_DAYS = 92


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
    refresh_deltas(db, None)
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
    tally or region_last. Its derived state goes and is derived again as m002 now does."""
    if "tally" in _tables(db):
        return
    db.execute("DROP TABLE IF EXISTS unit_state")  # (its region index goes with it)
    _m002_derived_state(db)


def _m005_settle_schema_4(db: sqlite3.Connection) -> None:
    """Schema 4 as written before ``unit_delta.latest`` (the day of each moved unit's
    current entry) and ``stage_total`` existed: the missing parts are derived again. An
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
        refresh_deltas(db, None)
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


def _readable_as_is(db: sqlite3.Connection, version: int, upto: int) -> bool:
    """Whether a file this chuyi cannot upgrade (read-only) can be read as it stands: a
    schema 4 already in the shape schema 5 settles it to, or a schema 5 (schema 6 changes
    no shape, only what two derived columns count: until the file can be upgraded, its
    units' last dates and regions' last records still count voided entries)."""
    if version == 4 and _schema_4_unsettled(db):
        return False
    return 4 <= version < upto <= 6


def delta_start() -> str:
    """The first day unit_delta keeps, as of today."""
    return (dt.date.today() - dt.timedelta(days=DELTA_DAYS)).isoformat()


_ONE_BY_ONE = 1000  # units refreshed by a query each; more are read in one pass


def refresh_deltas(db: sqlite3.Connection, touched: set[tuple[str, str]] | None) -> None:
    """Bring unit_delta up to date for the units a write touched (None: every unit).

    Only units with an entry in the recent past have rows there; their rows are worked
    out again from their entries. Rows older than the window are let go."""
    start = delta_start()
    mark = db.execute("SELECT day FROM delta_mark").fetchone()
    if mark is None:
        db.execute("INSERT INTO delta_mark VALUES (?)", (start,))
    elif mark[0] < start:
        db.execute("UPDATE delta_mark SET day = ?", (start,))
    db.execute("DELETE FROM unit_delta WHERE day < ?", (max(start, mark[0] if mark else ""),))
    if touched is None or len(touched) > _ONE_BY_ONE:
        recent = {
            (row[0], row[1] or "")
            for row in db.execute(
                "SELECT DISTINCT target, unit FROM entry INDEXED BY entry_by_observed"
                " WHERE observed >= ?",
                (start,),
            )
        }
        keys = recent if touched is None else recent & touched
    else:
        keys = {
            key
            for key in touched
            if db.execute(
                "SELECT 1 FROM entry WHERE target = ? AND unit IS ? AND observed >= ? LIMIT 1",
                (key[0], key[1] or None, start),
            ).fetchone()
        }
    if len(keys) <= _ONE_BY_ONE:
        for target, unit in sorted(keys):
            db.execute(
                "DELETE FROM unit_delta WHERE target = ? AND unit = ? AND day >= ?",
                (target, unit, start),
            )
            db.executemany(
                "INSERT INTO unit_delta VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(target, unit, *r) for r in unit_deltas(_unit_entries(db, target, unit), start)],
            )
        return
    # Many units (a bulk import): their entries in one pass over the table, unit by unit.
    db.execute(
        "CREATE TEMP TABLE IF NOT EXISTS recent_unit (target TEXT NOT NULL, unit TEXT NOT NULL,"
        " PRIMARY KEY (target, unit)) WITHOUT ROWID"
    )
    db.execute("DELETE FROM temp.recent_unit")
    db.executemany("INSERT INTO temp.recent_unit VALUES (?, ?)", sorted(keys))
    db.execute(
        "DELETE FROM unit_delta WHERE day >= ?"
        " AND (target, unit) IN (SELECT target, unit FROM temp.recent_unit)",
        (start,),
    )
    # (NOT INDEXED: one pass in table order and a sort beats looking up the rows of
    # two thirds of the history one by one through the unit index.)
    rows = db.execute(
        f"SELECT {_ENTRY_COLUMNS_OF_E} FROM entry AS e NOT INDEXED"
        " WHERE (e.target, coalesce(e.unit, '')) IN (SELECT target, unit FROM temp.recent_unit)"
        " ORDER BY e.target, coalesce(e.unit, '')"
    )
    found = []
    for (target, unit), group in itertools.groupby(map(_entry, rows), key=_unit_key):
        found += [(target, unit, *r) for r in unit_deltas(list(group), start)]
    db.executemany("INSERT INTO unit_delta VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", found)
    db.execute("DELETE FROM temp.recent_unit")


def _unit_key(e: Entry) -> tuple[str, str]:
    return (e.target, e.unit or "")


def _day_before(day: str) -> str:
    return (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()


def _touched_since(db: sqlite3.Connection, seq: int) -> set[tuple[str, str]]:
    """The units of the entries stored after ``seq``."""
    return {
        (row[0], row[1] or "")
        for row in db.execute("SELECT DISTINCT target, unit FROM entry WHERE seq > ?", (seq,))
    }


def _m006_live_visits(db: sqlite3.Connection) -> None:
    """A voided entry is no visit: each unit's last day observed and each region's last
    record come from live entries only (until now they counted voided entries too). A
    unit's last day is then the day of its current entry."""
    db.execute("UPDATE unit_state SET last_observed = latest_observed")
    db.execute("DELETE FROM region_last")
    db.execute("INSERT INTO region_last " + _REGION_LAST)


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _m001_entries,
    _m002_derived_state,
    _m003_entries_checked_cheaply,
    _m004_unit_deltas,
    _m005_settle_schema_4,
    _m006_live_visits,
]
SCHEMA_VERSION = len(MIGRATIONS)

# Run before the migration from a version on (see _settle_schema_2).
SETTLE: dict[int, Callable[[sqlite3.Connection], None]] = {2: _settle_schema_2}


def migrate(db: sqlite3.Connection, upto: int = SCHEMA_VERSION, path: Path | None = None) -> None:
    """Apply every pending migration, all in one transaction: a file is upgraded whole or
    left as it was, its schema number included.

    Foreign keys are off meanwhile (SQLite's way to rebuild a table); a migration that
    rebuilds one checks them itself before it commits."""
    if db.execute("PRAGMA user_version").fetchone()[0] >= upto:
        return
    enforced = db.execute("PRAGMA foreign_keys").fetchone()[0]
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        _migrate(db, upto, path)
    finally:
        db.execute(f"PRAGMA foreign_keys = {enforced}")
    # The migrations' page versions need not wait in the WAL (a rebuilt table doubles it).
    with contextlib.suppress(sqlite3.OperationalError):
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _migrate(db: sqlite3.Connection, upto: int, path: Path | None) -> None:
    db.execute("BEGIN IMMEDIATE")
    # (Read once the lock is held: another process may have migrated while we waited.)
    version = db.execute("PRAGMA user_version").fetchone()[0]
    try:
        for step in range(version, upto):
            if step in SETTLE:
                SETTLE[step](db)
            MIGRATIONS[step](db)
        if version < upto:
            db.execute(f"PRAGMA user_version = {upto}")
        db.execute("COMMIT")
    except BaseException as exc:
        if db.in_transaction:
            db.execute("ROLLBACK")
        if isinstance(exc, (sqlite3.Error, ChuyiError)) and not isinstance(exc, LockedError):
            if isinstance(exc, sqlite3.OperationalError) and _is_locked(exc):
                raise
            raise ChuyiError(
                "upgrade_failed",
                path=path or "",
                old=version,
                new=upto,
                reason=str(exc),
            ) from None
        raise


# --------------------------------------------------------------------------- unit state


_ENTRY_COLUMNS = ", ".join(FIELDS)
_ENTRY_COLUMNS_OF_E = ", ".join("e." + f for f in FIELDS)


def _entry(row: tuple) -> Entry:
    return Entry(*row)


_STATE_COLUMNS = (
    "target, unit, region, stage, state, quantity, live, entries, last_observed,"
    " latest_observed, latest_recorded, latest_id, region_observed, region_recorded, region_id"
)

_STATE_COLUMNS_OF_S = ", ".join("s." + c.strip() for c in _STATE_COLUMNS.split(","))


def _state(row: tuple) -> UnitState:
    latest = tuple(row[9:12]) if row[9] is not None else None
    region_at = tuple(row[12:15]) if row[12] is not None else None
    return UnitState(*row[:9], latest=latest, region_at=region_at)  # type: ignore[arg-type]


def _state_row(s: UnitState) -> tuple:
    return (
        s.target,
        s.unit,
        s.region,
        s.stage,
        s.state,
        s.quantity,
        s.live,
        s.entries,
        s.last_observed,
        *(s.latest or (None,) * 3),
        *(s.region_at or (None,) * 3),
    )


def _load_states(db: sqlite3.Connection, keys: Iterable[tuple[str, str]]) -> dict:
    """The stored states of these units (None for a unit not stored yet), a query per
    target and 500 units."""
    found: dict[tuple[str, str], UnitState | None] = dict.fromkeys(keys)
    by_target: dict[str, list[str]] = {}
    for target, unit in found:
        by_target.setdefault(target, []).append(unit)
    for target, units in by_target.items():
        for start in range(0, len(units), 500):
            chunk = units[start : start + 500]
            rows = db.execute(
                f"SELECT {_STATE_COLUMNS} FROM unit_state WHERE target = ?"
                f" AND unit IN ({','.join('?' * len(chunk))})",
                (target, *chunk),
            )
            found.update(((row[0], row[1]), _state(row)) for row in rows)
    return found


def _write_states(
    db: sqlite3.Connection,
    before: dict[tuple[str, str], UnitState | None],
    after: dict[tuple[str, str], UnitState],
    totals: bool = True,
) -> None:
    """Store the units' new states and move their counts in the tally (and, unless
    ``totals`` is False, as before stage_total existed, in stage_total) accordingly."""
    marks = ",".join("?" * 15)
    db.executemany(
        f"INSERT OR REPLACE INTO unit_state VALUES ({marks})",
        [_state_row(s) for key, s in after.items() if s != before.get(key)],
    )
    moves: dict[tuple[str, ...], list[int]] = {}
    for key, new in after.items():
        old = before.get(key)
        if old == new:
            continue
        for sign, s in ((-1, old), (1, new)):
            if s is not None:
                acc = moves.setdefault(s.tally_key, [0, 0, 0])
                acc[0] += sign
                acc[1] += sign * s.live
                acc[2] += sign * s.quantity
    _add_counts(db, "tally", moves)
    if not totals:
        return
    summed: dict[tuple[str, ...], list[int]] = {}
    for (target, _region, stage), (units, live, quantity) in moves.items():
        acc = summed.setdefault((target, stage), [0, 0, 0])
        acc[0] += units
        acc[1] += live
        acc[2] += quantity
    _add_counts(db, "stage_total", summed)


def _add_counts(
    db: sqlite3.Connection, table: str, moves: dict[tuple[str, ...], list[int]]
) -> None:
    """Add (units, live, quantity) to the rows of ``table`` (tally or stage_total) keyed as
    ``moves`` is; rows left at nothing go."""
    keys = len(next(iter(moves), ()))
    if not keys:
        return
    marks = ", ".join("?" * (keys + 3))
    db.executemany(
        f"INSERT INTO {table} VALUES ({marks}) ON CONFLICT DO UPDATE SET"
        " units = units + excluded.units, live = live + excluded.live,"
        " quantity = quantity + excluded.quantity",
        [(*k, *v) for k, v in moves.items() if any(v)],
    )
    db.execute(f"DELETE FROM {table} WHERE units = 0 AND live = 0 AND quantity = 0")


def _unit_entries(db: sqlite3.Connection, target: str, unit: str) -> list[Entry]:
    """Every entry of one unit ("": a target without units), voids included."""
    rows = db.execute(
        f"SELECT {_ENTRY_COLUMNS} FROM entry WHERE target = ? AND unit IS ?",
        (target, unit or None),
    )
    return [_entry(r) for r in rows]


def _fold_key(db: sqlite3.Connection, key: tuple[str, str]) -> UnitState:
    return fold_units(_unit_entries(db, *key))[key]


_FOLDS_HELD = 200_000  # units an import folds in memory before writing them out


class _Apply:
    """Folds newly stored entries into the units they touch, then writes the states.

    Entries are folded in as they come (a back-dated one too: the fold compares order
    keys); a void that cancels a unit's current stage or region has that unit folded
    again from its history, once, at the end.
    """

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.before: dict[tuple[str, str], UnitState | None] = {}
        self.folds: dict[tuple[str, str], UnitFold] = {}
        self.refold: set[tuple[str, str]] = set()
        self.last: dict[str, str] = {}
        self.recheck: set[str] = set()  # regions whose last record a void may take back

    def entries(self, entries: list[Entry]) -> None:
        """Fold in entries already inserted (voids after the entries they cancel)."""
        folds = self.folds
        new = {key for e in entries if (key := (e.target, e.unit or "")) not in folds}
        for key, start in _load_states(self.db, new).items():
            self.before[key] = start
            folds[key] = UnitFold(*key, start)
        for e in entries:
            fold = folds[(e.target, e.unit or "")]
            if not e.voids:
                fold.add(e)
                if e.region and self.last.get(e.region, "") < e.observed:
                    self.last[e.region] = e.observed
                continue
            fold.add_void()
            earlier = self.db.execute(
                "SELECT count(*) FROM entry WHERE voids = ?"
                " AND seq < (SELECT seq FROM entry WHERE id = ?)",
                (e.voids, e.id),
            ).fetchone()[0]
            if earlier:
                continue  # cancelled before: nothing more changes
            row = self.db.execute(
                f"SELECT {_ENTRY_COLUMNS} FROM entry WHERE id = ?", (e.voids,)
            ).fetchone()
            if row is None:
                continue
            cancelled = _entry(row)
            if cancelled.region:
                self.recheck.add(cancelled.region)
            if fold.cancel(cancelled):
                self.refold.add((e.target, e.unit or ""))

    def finish(self) -> None:
        after = {key: fold.state_now() for key, fold in self.folds.items()}
        for key in self.refold:
            after[key] = _fold_key(self.db, key)
        _write_states(self.db, self.before, after)
        self.db.executemany(
            "INSERT INTO region_last VALUES (?, ?) ON CONFLICT DO UPDATE SET"
            " observed = max(observed, excluded.observed)",
            list(self.last.items()),
        )
        for region in sorted(self.recheck):
            _region_last_again(self.db, region)


def _region_last_again(db: sqlite3.Connection, region: str) -> None:
    """A region's last record worked out again from its live entries (a voided entry is
    no visit): read from the newest day back until one is found."""
    row = db.execute(
        "SELECT e.observed FROM entry e WHERE e.region = ? AND e.voids IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM entry v WHERE v.voids = e.id)"
        " ORDER BY e.observed DESC LIMIT 1",
        (region,),
    ).fetchone()
    if row is None:
        db.execute("DELETE FROM region_last WHERE region = ?", (region,))
    else:
        db.execute("INSERT OR REPLACE INTO region_last VALUES (?, ?)", (region, row[0]))


# For each touched unit, what it looked like on day ?1, read from the end of its index
# range: its latest live entry (whose day is its last observed day), the latest live one
# with a region. (Live: neither a void nor voided by then.)
_LIVE_ON_DAY = """
    e.target = t.target AND e.unit IS t.unit AND e.observed <= ?1 AND e.voids IS NULL
    AND NOT EXISTS (SELECT 1 FROM entry v WHERE v.voids = e.id AND v.observed <= ?1)"""
_UNITS_ON_DAY = f"""
SELECT p.target, p.unit, c.observed,
       c.stage, c.state, c.observed, c.recorded, c.id,
       r.region, r.observed, r.recorded, r.id
FROM (
    SELECT t.target, coalesce(t.unit, '') AS unit,
        (SELECT e.id FROM entry e WHERE {_LIVE_ON_DAY}
         ORDER BY e.observed DESC, e.recorded DESC, e.id DESC LIMIT 1) AS current,
        (SELECT e.id FROM entry e WHERE {_LIVE_ON_DAY} AND e.region IS NOT NULL
         ORDER BY e.observed DESC, e.recorded DESC, e.id DESC LIMIT 1) AS place
    FROM temp.touched t
) p
LEFT JOIN entry c ON c.id = p.current
LEFT JOIN entry r ON r.id = p.place
"""


BULK_ROWS = 50_000  # an import this large (and at least the history's size) goes in bulk


class DuplicateIdsError(ChuyiError):
    """A bulk import found an id twice among its own rows."""


class _Bulk:
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


# --------------------------------------------------------------------------- the store


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("chuyi", appauthor=False)) / "chuyi.db"


def _unwritable(path: Path) -> bool:
    return (
        not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK) or _read_only_fs(path)
    )


def _kept_read_only(path: Path) -> bool:
    """Whether a database is to be read and never written: the file or its folder is
    read-only by its mode (0444, 0555: so even for an administrator, whom the system
    would let write), not writable by this user, or on read-only media."""
    folder = path.absolute().parent
    try:
        if not path.stat().st_mode & 0o222 or not folder.stat().st_mode & 0o222:
            return True
    except OSError:
        return False
    return _unwritable(path)


def _nothing_beside(path: Path) -> bool:
    """No write-ahead log or rollback journal with content beside the file: all of the
    database is in the file itself."""
    for suffix in ("-wal", "-journal"):
        try:
            if os.path.getsize(str(path) + suffix) > 0:
                return False
        except OSError:
            continue
    return True


def _read_only_fs(path: Path) -> bool:
    from chuyi_cli.platform import read_only_filesystem

    return read_only_filesystem(path)


def busy_seconds() -> float:
    try:
        return float(os.environ.get("CHUYI_BUSY_TIMEOUT", DEFAULT_BUSY_SECONDS))
    except ValueError:
        return DEFAULT_BUSY_SECONDS


def _is_locked(exc: sqlite3.Error) -> bool:
    text = str(exc)
    return "locked" in text or "busy" in text


@contextlib.contextmanager
def sqlite_errors(path: Path) -> Iterator[None]:
    """Turn SQLite's errors into messages a user can act on."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        text = str(exc)
        if _is_locked(exc):
            raise LockedError("db_locked", path=path, seconds=f"{busy_seconds():g}") from None
        if "readonly" in text or "read-only" in text:
            raise ChuyiError("db_read_only", path=path) from None
        if "disk is full" in text or "disk I/O" in text:
            raise ChuyiError("db_cannot_write", path=path, reason=text) from None
        if "unable to open" in text:
            raise ChuyiError("db_cannot_open", path=path, reason=text) from None
        raise ChuyiError("db_error", path=path, reason=text) from None
    except sqlite3.IntegrityError as exc:
        raise ChuyiError("db_refused", path=path, reason=exc) from None
    except sqlite3.DatabaseError as exc:
        raise ChuyiError("db_unusable", path=path, reason=exc) from None


def _commit(db: sqlite3.Connection) -> None:
    """COMMIT, with interrupts held from just before it: once it lands, the command
    finishes and says what it wrote."""
    committing()
    try:
        db.execute("COMMIT")
    except BaseException:
        not_committed()
        raise


class Store:
    """A chuyi database: open it with :meth:`open`, close it with :meth:`close`."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self.db = db
        self.path = path
        self._bulk: _Bulk | None = None  # a bulk import's indexes, while it runs

    @classmethod
    def open(cls, path: str | Path | None = None, migrate_to: int = SCHEMA_VERSION) -> Store:
        """Open (creating it and its folder if missing) and migrate a chuyi database.

        A file that is not a chuyi database, or comes from a newer chuyi, is refused and
        left untouched.
        """
        path = Path(path) if path else default_db_path()
        if path.is_dir():
            raise ChuyiError("db_is_folder", path=path)
        exists = path.exists()
        if exists and path.stat().st_size == 0:
            raise ChuyiError("db_empty_file", path=path)
        if not exists:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ChuyiError("db_no_folder", path=path.parent, reason=exc.strerror) from None
            cls._create(path, migrate_to)
            exists = True
        beside = [Path(str(path) + suffix) for suffix in ("-wal", "-shm", "-journal")]
        present = {p for p in beside if p.exists()}
        try:
            if _kept_read_only(path):
                return cls(cls._connect(path, exists, migrate_to, read_only=True), path)
            try:
                return cls(cls._connect(path, exists, migrate_to), path)
            except ChuyiError as exc:
                # A database on read-only media (a read-only mount) can still be read.
                if not (exists and _unwritable(path) and exc.message.key == "db_cannot_open"):
                    raise
                return cls(cls._connect(path, exists, migrate_to, read_only=True), path)
        except BaseException:
            for sidecar in beside:  # leave no trace beside a file we refused
                if sidecar not in present:
                    with contextlib.suppress(OSError):
                        sidecar.unlink()
            raise

    @staticmethod
    def _create(path: Path, migrate_to: int) -> None:
        """A new database, made whole beside ``path`` and then given its name: an
        interrupt never leaves a half-made file, and of several processes making it at
        once the first one's file is everyone's."""
        from chuyi_cli.files import link_new, temporary_beside
        from chuyi_cli.platform import write_failure

        with temporary_beside(path) as tmp:
            with sqlite_errors(path):
                db = sqlite3.connect(str(tmp), isolation_level=None)
                try:
                    db.execute("PRAGMA journal_mode = WAL")
                    migrate(db, migrate_to, path)
                finally:
                    db.close()
            try:
                link_new(tmp, path)
            except OSError as exc:
                raise ChuyiError("cannot_write", path=path, reason=write_failure(exc)) from None

    @classmethod
    def _connect(
        cls, path: Path, exists: bool, migrate_to: int, read_only: bool = False
    ) -> sqlite3.Connection:
        target = str(path)
        if read_only:
            # Read-only, SQLite would still make the WAL index (-shm) beside the file.
            # When the whole database is in the file (no log or journal with content
            # beside it), or on read-only media, saying the file is immutable reads it
            # with nothing created beside it; nobody can write it meanwhile.
            from chuyi_cli.platform import sqlite_read_only_uri

            immutable = _read_only_fs(path) or _nothing_beside(path)
            target = sqlite_read_only_uri(path, immutable=immutable)
        with sqlite_errors(path):
            db = sqlite3.connect(
                target,
                timeout=busy_seconds(),
                isolation_level=None,
                check_same_thread=False,
                uri=read_only,
            )
        try:
            with sqlite_errors(path):
                cls._identify(db, path, exists)
                db.execute("PRAGMA foreign_keys = ON")
                if read_only:
                    version = db.execute("PRAGMA user_version").fetchone()[0]
                    if version < migrate_to and not _readable_as_is(db, version, migrate_to):
                        raise ChuyiError("db_read_only_old", path=path)
                    return db
                db.execute("PRAGMA synchronous = FULL")
                if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    with contextlib.suppress(sqlite3.OperationalError):
                        db.execute("PRAGMA journal_mode = WAL")
                migrate(db, migrate_to, path)
        except BaseException:
            db.close()
            if not exists:
                for suffix in ("", "-wal", "-shm", "-journal"):
                    with contextlib.suppress(OSError):
                        Path(str(path) + suffix).unlink()
            raise
        return db

    @staticmethod
    def _identify(db: sqlite3.Connection, path: Path, exists: bool) -> None:
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if not exists or (app_id == 0 and version == 0 and tables == 0):
            return
        if app_id != APPLICATION_ID:
            raise ChuyiError("db_not_chuyi", path=path)
        if version > SCHEMA_VERSION:
            raise ChuyiError("db_newer", path=path, version=version, known=SCHEMA_VERSION)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE): all of it lands, or none of it."""
        with sqlite_errors(self.path):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
                _commit(self.db)
            except BaseException:
                if self.db.in_transaction:  # SQLite may have rolled back itself (disk full)
                    self.db.execute("ROLLBACK")
                raise

    def _read(self, sql: str, params: Iterable[object] = ()) -> list[tuple]:
        with sqlite_errors(self.path):
            return self.db.execute(sql, tuple(params)).fetchall()

    # ---- writing

    def add(self, entries: list[Entry], again: bool = False) -> None:
        """Append entries and refresh their units, in one transaction.

        An entry that repeats a stored observation (:meth:`repeat_of`) is refused unless
        ``again``: nothing is written."""
        with self.write() as db:
            if not again:
                for e in entries:
                    earlier = self.repeat_of(e)
                    if earlier:
                        raise ChuyiError("repeat_observation", id=earlier[:8])
            self._insert(db, entries)
            for e in entries:
                if e.voids:  # checked again here, where no other writer can come between
                    self._check_void(e)
            apply = _Apply(db)
            apply.entries(entries)
            apply.finish()
            refresh_deltas(db, {(e.target, e.unit or "") for e in entries})

    def _check_void(self, void: Entry) -> None:
        assert void.voids is not None
        cancelled = self.entries_by_id([void.voids]).get(void.voids)
        check_void(void.id, cancelled, void.voids, self.voided_by(void.voids))

    def repeat_of(self, e: Entry) -> str | None:
        """The id of a live stored entry (neither voided nor a void) that ``e`` repeats:
        the same target, unit, stage or state, day observed and recorder, put on record
        on the same day (:func:`chuyi_cli.entries.observation_key`); None when there is
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
        marks = ", ".join("?" * len(FIELDS))
        # As plain tuples: sqlite3 binds a tuple subclass item by item through the
        # sequence protocol, a third slower (about 1 s in a million-row import).
        db.executemany(
            f"INSERT INTO entry ({_ENTRY_COLUMNS}) VALUES ({marks})",
            map(tuple, entries),
        )

    def import_batches(
        self,
        batches: Iterable[list[Entry]],
        check: Callable[[], list[str]],
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
        added = skipped = 0
        with sqlite_errors(self.path):
            stored = self.db.execute("SELECT coalesce(max(seq), 0) FROM entry").fetchone()[0]
            bulk = _Bulk(self.db, stored) if expected >= max(BULK_ROWS, stored) else None
            # A larger page cache for this connection keeps the id index's random inserts
            # in memory (40 MiB; the import keeps under 200 MiB in all).
            self.db.execute("PRAGMA cache_size = -16384")
            if bulk:
                bulk.before_begin()
            self._bulk = bulk
            self.db.execute("BEGIN IMMEDIATE")
            apply = _Apply(self.db)
            try:
                if bulk:
                    bulk.set_aside()

                def insert(batch: list[Entry]) -> None:
                    nonlocal added, skipped, apply
                    if bulk and bulk.aside and any(e.voids for e in batch):
                        bulk.restore()  # a void is checked against the indexed history
                    if bulk and bulk.aside and not stored:
                        fresh = batch  # nothing stored yet: the unique index says the rest
                    else:
                        found = {
                            row[0]: row
                            for row in self._where_in(
                                f"SELECT {_ENTRY_COLUMNS}, seq FROM entry",
                                "id",
                                [e.id for e in batch],
                            )
                        }
                        fresh = [e for e in batch if e.id not in found]
                        if found and known is not None:
                            for e in batch:
                                row = found.get(e.id)
                                if row is not None:
                                    known(_entry(row[:-1]), e, row[-1] > stored)
                    skipped += len(batch) - len(fresh)
                    self._insert(self.db, fresh)
                    added += len(fresh)
                    if not dry_run:
                        apply.entries(fresh)
                        if len(apply.folds) > _FOLDS_HELD:  # write out: memory stays flat
                            apply.finish()
                            apply = _Apply(self.db)

                for batch in batches:
                    insert(batch)
                if bulk:
                    if not dry_run:  # written out first: its memory is free for the sorting
                        apply.finish()
                        apply = _Apply(self.db)
                    bulk.restore()
                if voids is not None:
                    for batch in voids():
                        insert(batch)
                if bulk:
                    bulk.check_voids()
                problems = check()
                if problems:
                    self.db.execute("ROLLBACK")
                    raise ProblemsError(problems)
                if not dry_run:
                    apply.finish()
                    if added:
                        refresh_deltas(
                            self.db, None if not stored else _touched_since(self.db, stored)
                        )
                if dry_run:
                    self.db.execute("ROLLBACK")
                else:
                    _commit(self.db)
            except ProblemsError:
                raise
            except BaseException:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise
            finally:
                self._bulk = None
                if bulk:
                    bulk.after_end()
        return added, skipped

    # ---- reading

    def entry(self, prefix: str) -> Entry:
        """The entry whose id starts with ``prefix`` (a unique prefix, as git takes)."""
        text = prefix.strip().lower()
        if len(text) < 4:
            raise ChuyiError("entry_prefix_short", prefix=prefix)
        rows = self._read(
            f"SELECT {_ENTRY_COLUMNS} FROM entry WHERE id >= ? AND id < ? ORDER BY id LIMIT 6",
            (text, text + "\uffff"),
        )
        if not rows:
            raise ChuyiError("entry_prefix_none", prefix=prefix)
        if len(rows) > 1:
            ids = ", ".join(r[0][:12] for r in rows)
            raise ChuyiError("ambiguous_entry", text=prefix, ids=ids)
        return _entry(rows[0])

    def entries_by_id(self, ids: list[str]) -> dict[str, Entry]:
        rows = self._where_in(f"SELECT {_ENTRY_COLUMNS} FROM entry", "id", ids)
        return {row[0]: _entry(row) for row in rows}

    def _where_in(
        self, select: str, column: str, values: list, extra: str = "", params: tuple = ()
    ) -> list[tuple]:
        """``select`` WHERE ``column`` IN values (in chunks SQLite accepts) ``extra``."""
        rows: list[tuple] = []
        with sqlite_errors(self.path):
            for start in range(0, len(values), 500):
                chunk = values[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows += self.db.execute(
                    f"{select} WHERE {column} IN ({marks}){extra}", (*chunk, *params)
                ).fetchall()
        return rows

    def voided_by(self, entry_id: str) -> list[str]:
        return [r[0] for r in self._read("SELECT id FROM entry WHERE voids = ?", (entry_id,))]

    def entries(
        self,
        target: str | None = None,
        since: str | None = None,
        regions: set[str] | None = None,
        recorder: str | None = None,
    ) -> list[Entry]:
        """Entries matching every filter given, newest first."""
        where, params = [], []
        filters = (
            ("target = ?", target),
            ("observed >= ?", since),
            ("recorder = ?", recorder),
        )
        for clause, value in filters:
            if value:
                where.append(clause)
                params.append(value)
        if regions is not None:
            where.append(f"region IN ({','.join('?' * len(regions))})")
            params.extend(sorted(regions))
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        order = "observed DESC, recorded DESC, id DESC"
        sql = f"SELECT {_ENTRY_COLUMNS} FROM entry {clause} ORDER BY {order}"
        return [_entry(r) for r in self._read(sql, params)]

    def log(
        self,
        target: str | None = None,
        since: str | None = None,
        regions: set[str] | None = None,
        recorder: str | None = None,
        limit: int | None = None,
        batch: int = 500,
    ) -> Iterator[tuple[Entry, bool]]:
        """Entries matching every filter given, newest first, each with whether a void
        cancels it: streamed in batches, so the first arrives before the last is read."""
        where, params = [], []
        filters = (
            ("target = ?", target),
            ("observed >= ?", since),
            ("recorder = ?", recorder),
        )
        for clause, value in filters:
            if value:
                where.append(clause)
                params.append(value)
        if regions is not None:
            where.append(f"region IN ({','.join('?' * len(regions))})")
            params.extend(sorted(regions))
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        sql = (
            f"SELECT {_ENTRY_COLUMNS} FROM entry {clause}"
            " ORDER BY observed DESC, recorded DESC, id DESC"
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with sqlite_errors(self.path):
            cursor = self.db.execute(sql, params)
            while rows := cursor.fetchmany(batch):
                entries = [_entry(r) for r in rows]
                voided = self._voided_among([e.id for e in entries])
                yield from ((e, e.id in voided) for e in entries)

    def voids_between(self, since: str, until: str) -> list[tuple[Entry, Entry | None]]:
        """The voids observed within the window, oldest first, each with the entry it
        cancels."""
        voids = [
            _entry(r)
            for r in self._read(
                f"SELECT {_ENTRY_COLUMNS} FROM entry INDEXED BY entry_by_observed"
                " WHERE observed >= ? AND observed <= ? AND voids IS NOT NULL"
                " ORDER BY observed, recorded, id",
                (since, until),
            )
        ]
        cancelled = self.entries_by_id([v.voids for v in voids if v.voids])
        return [(v, cancelled.get(v.voids or "")) for v in voids]

    def iter_entries(self, since: str | None = None) -> Iterator[Entry]:
        """Every entry in the order it was stored, streamed."""
        sql = f"SELECT {_ENTRY_COLUMNS} FROM entry"
        params: tuple = ()
        if since:
            sql += " WHERE observed >= ?"
            params = (since,)
        with sqlite_errors(self.path):
            cursor = self.db.execute(sql + " ORDER BY seq", params)
            while rows := cursor.fetchmany(2000):
                yield from (_entry(r) for r in rows)

    def unit_entries(self, target: str, unit: str) -> list[Entry]:
        """Every entry of one unit (voids included), in no particular order."""
        sql = f"SELECT {_ENTRY_COLUMNS} FROM entry WHERE target = ? AND unit = ?"
        return [_entry(r) for r in self._read(sql, (target, unit))]

    def voided_per_unit(self, target: str) -> dict[str, int]:
        """How many of each unit's entries (of one target) a void cancels."""
        rows = self._read(
            "SELECT coalesce(e.unit, ''), count(*) FROM entry e WHERE e.target = ?"
            " AND e.voids IS NULL AND EXISTS (SELECT 1 FROM entry v WHERE v.voids = e.id)"
            " GROUP BY 1",
            (target,),
        )
        return dict(rows)

    def voided_ids(self) -> set[str]:
        return {r[0] for r in self._read("SELECT voids FROM entry WHERE voids IS NOT NULL")}

    def unit_names(self, target: str, length: int | None = None) -> list[str]:
        """The names of a target's units (of ``length`` characters, when given)."""
        sql = "SELECT unit FROM unit_state WHERE target = ? AND unit <> ''"
        params: tuple = (target,)
        if length is not None:
            sql += " AND length(unit) = ?"
            params = (target, length)
        return [row[0] for row in self._read(sql, params)]

    def unit_states(self, target: str | None = None) -> list[UnitState]:
        """Each unit's state now (of one target, or all), from the maintained table."""
        sql = f"SELECT {_STATE_COLUMNS} FROM unit_state"
        params: tuple = ()
        if target:
            sql += " WHERE target = ?"
            params = (target,)
        return [_state(row) for row in self._read(sql + " ORDER BY target, unit", params)]

    def tallies(
        self, target: str | None = None, regions_of: Collection[str] | None = None
    ) -> Tallies:
        """Units per (target, region, stage) now: small, whatever the history's size.

        ``regions_of``, when given: the targets whose rows keep their regions; the others'
        come summed over regions (region ""), all that a report of the whole province
        needs of them. (``target``: that target's rows alone, with their regions.)"""
        params: tuple = ()
        if target or regions_of is None:
            sql = "SELECT target, region, stage, units, live, quantity FROM tally"
            if target:
                sql += " WHERE target = ?"
                params = (target,)
            sql += " ORDER BY target, region, stage"
        else:
            keep = sorted(regions_of)
            marks = ",".join("?" * len(keep))
            sql = (
                "SELECT target, region, stage, units, live, quantity FROM tally"
                f" WHERE target IN ({marks}) UNION ALL"
                " SELECT target, '', stage, units, live, quantity FROM stage_total"
                f" WHERE target NOT IN ({marks}) ORDER BY 1, 2, 3"
            )
            params = (*keep, *keep)
        result: Tallies = {}
        for name, *row in self._read(sql, params):
            rows = result.get(name)
            if rows is None:
                rows = result[name] = []
            rows.append(TallyRow(*row))
        return result

    def changed_since(self, day: str) -> list[tuple[UnitState | None, UnitState | None]]:
        """(state now, state on ``day``) of every unit that an entry observed after
        ``day`` touches; every other unit stands now as it stood then.

        The state on ``day`` is worked back from the state now and the entries observed
        after ``day`` (what they added, and what their voids took away), with the current
        stage and region read from the end of each unit's index range: the work grows
        with the window, not with the history. A property test holds it equal to
        ``fold_units`` of the history up to ``day``."""
        with sqlite_errors(self.path):
            return self._changed_since(day)

    def _changed_since(self, day: str) -> list[tuple[UnitState | None, UnitState | None]]:
        later = self._read(
            "SELECT count(*) FROM entry INDEXED BY entry_by_observed WHERE observed > ?", (day,)
        )[0][0]
        if later * 4 > self.count():
            return self._changed_since_by_folding(day)
        return self._changed_since_by_window(day)

    def _changed_since_by_window(self, day: str) -> list[tuple[UnitState | None, UnitState | None]]:
        db = self.db
        db.execute("CREATE TEMP TABLE IF NOT EXISTS touched (target TEXT NOT NULL, unit TEXT)")
        db.execute("DELETE FROM temp.touched")
        db.execute(
            "INSERT INTO temp.touched SELECT DISTINCT target, unit FROM entry"
            " INDEXED BY entry_by_observed WHERE observed > ?",
            (day,),
        )
        now = {
            (row[0], row[1]): _state(row)
            for row in db.execute(
                f"SELECT {_STATE_COLUMNS_OF_S} FROM temp.touched t"
                " CROSS JOIN unit_state s ON s.target = t.target AND s.unit = coalesce(t.unit, '')"
            )
        }
        # What the window changed in each unit's live count and quantity.
        window = db.execute(
            "SELECT id, target, coalesce(unit, ''), quantity, voids FROM entry"
            " INDEXED BY entry_by_observed WHERE observed > ?",
            (day,),
        ).fetchall()
        counts: dict[tuple[str, str], int] = {}  # each unit's entries after the day
        for row in window:
            counts[(row[1], row[2])] = counts.get((row[1], row[2]), 0) + 1
        added = [row for row in window if row[4] is None]
        voided_now = self._voided_among([row[0] for row in added])
        change: dict[tuple[str, str], list[int]] = {}
        for entry_id, target, unit, quantity, _ in added:
            if entry_id not in voided_now:  # live now, absent on the day
                acc = change.setdefault((target, unit), [0, 0])
                acc[0] -= 1
                acc[1] -= quantity or 0
        cancelled = {row[4] for row in window if row[4] is not None}
        earlier = self._voided_among(list(cancelled), until=day)
        for _id, target, unit, quantity, voids, observed in self._rows_by_id(cancelled):
            if voids is None and observed <= day and _id not in earlier:
                acc = change.setdefault((target, unit), [0, 0])  # live on the day, voided since
                acc[0] += 1
                acc[1] += quantity or 0
        pairs = []
        for row in db.execute(_UNITS_ON_DAY, (day,)):
            target, unit, last, stage, state_ = row[:5]
            current, region, place = row[5:8], row[8], row[9:12]
            later = counts.get((target, unit), 0)
            key = (target, unit)
            state = now[key]
            if later >= state.entries:
                pairs.append((state, None))  # the unit had no entry yet on the day
                continue
            live, quantity = change.get(key, (0, 0))
            then = UnitState(
                target,
                unit,
                region,
                stage,
                state_,
                state.quantity + quantity,
                state.live + live,
                state.entries - later,
                last,
                tuple(current) if current[0] else None,
                tuple(place) if place[0] else None,
            )
            pairs.append((state, then))
        return pairs

    def _changed_since_by_folding(
        self, day: str
    ) -> list[tuple[UnitState | None, UnitState | None]]:
        """The same pairs, for a day far back: one streamed fold of the history up to it
        costs less than working back from a window that holds most of the history."""
        voided = {
            r[0]
            for r in self.db.execute(
                "SELECT voids FROM entry WHERE voids IS NOT NULL AND observed <= ?", (day,)
            )
        }

        def upto() -> Iterator[Entry]:
            cursor = self.db.execute(
                f"SELECT {_ENTRY_COLUMNS} FROM entry WHERE observed <= ?", (day,)
            )
            while rows := cursor.fetchmany(5000):
                yield from map(_entry, rows)

        then = fold_units(upto(), voided=voided)
        keys = self.db.execute(
            "SELECT DISTINCT target, coalesce(unit, '') FROM entry"
            " INDEXED BY entry_by_observed WHERE observed > ?",
            (day,),
        ).fetchall()
        now = _load_states(self.db, [tuple(k) for k in keys])
        return [(now[key], then.get(key)) for key in now]

    def _voided_among(self, ids: list[str], until: str | None = None) -> set[str]:
        """Which of ``ids`` a void cancels (a void observed by ``until``, when given)."""
        if until is None:
            return {r[0] for r in self._where_in("SELECT voids FROM entry", "voids", ids)}
        rows = self._where_in(
            "SELECT voids FROM entry", "voids", ids, " AND observed <= ?", (until,)
        )
        return {r[0] for r in rows}

    def _rows_by_id(self, ids: set[str]) -> list[tuple]:
        return self._where_in(
            "SELECT id, target, coalesce(unit, ''), quantity, voids, observed FROM entry",
            "id",
            list(ids),
        )

    def last_record_by_region(self, day: str | None = None) -> dict[str, str]:
        """The latest day a live entry observed, per region, up to ``day`` (an entry voided
        by then is no visit)."""
        if day is None:
            return dict(self._read("SELECT region, observed FROM region_last"))
        return dict(
            self._read(
                "SELECT e.region, max(e.observed) FROM entry e WHERE e.region IS NOT NULL"
                " AND e.voids IS NULL AND e.observed <= ?1 AND NOT EXISTS"
                " (SELECT 1 FROM entry v WHERE v.voids = e.id AND v.observed <= ?1)"
                " GROUP BY e.region",
                (day,),
            )
        )

    def derived_in_step(self) -> bool:
        """Whether unit_state and tally equal what the history folds to (a full scan)."""
        with sqlite_errors(self.path):
            rows = self.db.execute(f"SELECT {_ENTRY_COLUMNS} FROM entry")
            folded = fold_units(map(_entry, rows))
            tallies = tally(folded.values())
            in_step = {(u.target, u.unit): u for u in self.unit_states()} == folded and (
                self.tallies() == tallies
            )
            return (
                in_step
                and self._totals_in_step(tallies)
                and self._deltas_in_step()
                and self._region_last_in_step()
            )

    def _region_last_in_step(self) -> bool:
        stored = self.db.execute("SELECT region, observed FROM region_last ORDER BY 1").fetchall()
        return stored == self.db.execute(_REGION_LAST + " ORDER BY 1").fetchall()

    def _totals_in_step(self, tallies: Tallies) -> bool:
        summed: dict[tuple[str, str], list[int]] = {}
        for target, rows in tallies.items():
            for r in rows:
                acc = summed.setdefault((target, r.stage), [0, 0, 0])
                acc[0] += r.units
                acc[1] += r.live
                acc[2] += r.quantity
        expected = sorted((*k, *v) for k, v in summed.items() if any(v))
        return self.db.execute("SELECT * FROM stage_total ORDER BY 1, 2").fetchall() == expected

    def _deltas_in_step(self) -> bool:
        mark = self.db.execute("SELECT day FROM delta_mark").fetchone()
        if mark is None:
            return False
        stored = self.db.execute(
            "SELECT * FROM unit_delta WHERE day >= ? ORDER BY 1, 2, 3, 4, 5", (mark[0],)
        ).fetchall()
        recent = self.db.execute(
            "SELECT DISTINCT target, unit FROM entry WHERE observed >= ?", (mark[0],)
        ).fetchall()
        expected = sorted(
            (target, unit or "", *row)
            for target, unit in recent
            for row in unit_deltas(_unit_entries(self.db, target, unit), mark[0])
        )
        return stored == expected

    def rebuild(self) -> None:
        """Derive unit_state, tally, region_last and unit_delta again from the history."""
        with self.write() as db:
            rebuild_derived(db)
            db.execute("DELETE FROM unit_delta")
            db.execute("DELETE FROM delta_mark")
            refresh_deltas(db, None)

    def changes_after(
        self, day: str, now: Tallies | None = None, regions_of: Collection[str] | None = None
    ) -> tuple[Tallies, dict[tuple[str, str], Move]] | None:
        """The tally on ``day``, and (stage then, stage now, day of its current entry) of
        each unit whose stage or state moved after it (then None: the unit had no entry
        yet), read from unit_delta alone; None when its rows do not reach back to ``day``.
        (``now``: the tallies now, when the caller has read them with ``regions_of``.)"""
        with sqlite_errors(self.path):
            mark = self.db.execute("SELECT day FROM delta_mark").fetchone()
            if mark is None or day < _day_before(mark[0]):
                return None
            rows = self.db.execute(
                "SELECT target, unit, day, region, stage, units, live, quantity, latest"
                " FROM unit_delta INDEXED BY unit_delta_by_day WHERE day > ?",
                (day,),
            ).fetchall()
            if now is None:
                now = self.tallies(regions_of=regions_of)
            return unwind(now, rows, regions_of), stage_moves(rows)

    def target_usage(self) -> list[tuple[str, int, int]]:
        """(target, entries, units) for every target the entries name."""
        return self._read(
            "SELECT target, count(*), count(DISTINCT unit) FROM entry GROUP BY target"
        )

    def region_usage(self) -> list[tuple[str, int]]:
        return self._read(
            "SELECT region, count(*) FROM entry WHERE region IS NOT NULL GROUP BY region"
        )

    def last_observed(self) -> str | None:
        return self._read("SELECT max(observed) FROM entry")[0][0]

    def count(self, since: str | None = None, until: str | None = None) -> int:
        """Entries (voids aside, when a window is given) observed within the window."""
        if since is None and until is None:
            return self._read("SELECT count(*) FROM entry")[0][0]
        return self._read(
            "SELECT count(*) FROM entry INDEXED BY entry_by_observed"
            " WHERE voids IS NULL AND observed >= ? AND observed <= ?",
            (since or "0000-00-00", until or "9999-99-99"),
        )[0][0]

    def integrity(self) -> list[str]:
        """Problems PRAGMA integrity_check finds (empty when the file is sound)."""
        rows = self._read("PRAGMA integrity_check")
        return [] if rows == [("ok",)] else [r[0] for r in rows]

    def backup(self, dest: Path) -> int:
        """A consistent copy through SQLite's backup API, written beside and renamed in.
        Returns the number of entries the copy holds."""
        from chuyi_cli.files import written_whole

        with written_whole(dest, self.path, new=True) as tmp, sqlite_errors(dest):
            copy = sqlite3.connect(str(tmp), isolation_level=None)
            try:
                self.db.backup(copy)
                copy.execute("PRAGMA journal_mode = DELETE")
                count: int = copy.execute("SELECT count(*) FROM entry").fetchone()[0]
            finally:
                copy.close()
        return count
