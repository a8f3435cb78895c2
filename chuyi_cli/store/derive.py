"""Keeping the derived tables in step with the history, in the writer's transaction.

``unit_state`` (each unit's current state), ``tally`` and ``stage_total`` (units per
target, region and stage), ``region_last`` (each region's last record) and
``unit_delta`` (the recent days' changes to the tally): each write folds its entries
into the units they touch; :func:`derive_all` derives everything again from the history
(after a migration, and for ``check --repair``); :func:`derived_in_step` compares.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Iterator

from chuyi_cli.domain import Entry
from chuyi_cli.fold import UnitFold, UnitState, fold_units, unit_deltas
from chuyi_cli.store import checkpoint_upkeep, reach
from chuyi_cli.store.rows import (
    ENTRY_COLUMNS,
    ENTRY_COLUMNS_OF_E,
    STATE_COLUMNS,
    entry_of,
    state_of,
    state_row,
)
from chuyi_cli.store.sqlite import Db, marks
from chuyi_cli.store.unit_pass import Cells, Story, stories
from chuyi_cli.tally import StoredDelta, Tallies, tally

# How far back the past can be read without the history: summary's "before" and a
# recent --as-of come from unit_delta when the day lies within this many days of today.
DELTA_DAYS = 92


def delta_start() -> str:
    """The first day unit_delta keeps, as of today."""
    return (dt.date.today() - dt.timedelta(days=DELTA_DAYS)).isoformat()


_ONE_BY_ONE = 1000  # units refreshed by a query each; more are read in one pass


def refresh_deltas(db: Db, touched: set[tuple[str, str]] | None) -> None:
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
    _recent_units(db, keys)
    db.execute(
        "DELETE FROM unit_delta WHERE day >= ?"
        " AND (target, unit) IN (SELECT target, unit FROM temp.recent_unit)",
        (start,),
    )
    found = _deltas_of_recent_units(db, start)
    db.executemany("INSERT INTO unit_delta VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", found)
    db.execute("DELETE FROM temp.recent_unit")


def _recent_units(db: Db, keys: Iterable[tuple[str, str]]) -> None:
    """temp.recent_unit holds these units (and no other)."""
    db.execute(
        "CREATE TEMP TABLE IF NOT EXISTS recent_unit (target TEXT NOT NULL, unit TEXT NOT NULL,"
        " PRIMARY KEY (target, unit)) WITHOUT ROWID"
    )
    db.execute("DELETE FROM temp.recent_unit")
    db.executemany("INSERT INTO temp.recent_unit VALUES (?, ?)", sorted(keys))


def _deltas_of_recent_units(db: Db, start: str) -> list[StoredDelta]:
    """The unit_delta rows from ``start`` on of the units in temp.recent_unit, worked out
    from their entries in one pass over the table, unit by unit."""
    # (NOT INDEXED: one pass in table order and a sort beats looking up the rows of
    # two thirds of the history one by one through the unit index.)
    rows = db.execute(
        f"SELECT {ENTRY_COLUMNS_OF_E} FROM entry AS e NOT INDEXED"
        " WHERE (e.target, coalesce(e.unit, '')) IN (SELECT target, unit FROM temp.recent_unit)"
        " ORDER BY e.target, coalesce(e.unit, '')"
    )
    found: list[StoredDelta] = []
    for (target, unit), group in itertools.groupby(map(entry_of, rows), key=_unit_key):
        found += [(target, unit, *r) for r in unit_deltas(list(group), start)]
    return found


def _unit_key(e: Entry) -> tuple[str, str]:
    return (e.target, e.unit or "")


def touched_since(db: Db, seq: int) -> set[tuple[str, str]]:
    """The units of the entries stored after ``seq``."""
    return {
        (row[0], row[1] or "")
        # (NOT INDEXED: the new rows by their seq, not a walk of the whole unit index)
        for row in db.execute(
            "SELECT DISTINCT target, unit FROM entry NOT INDEXED WHERE seq > ?", (seq,)
        )
    }


def derive_all(db: Db) -> None:
    """Derive every derived table again from the history: unit_state, the tally,
    stage_total, unit_delta, the checkpoints and region_last in one pass over it unit by
    unit (each region's last record as the units pass, as ``check`` finds it: SQL's
    look-up of a void for each entry took longer)."""
    for table in ("unit_state", "tally", "region_last", "stage_total"):
        db.execute(f"DELETE FROM {table}")
    states: dict[tuple[str, str], UnitState] = {}

    def write(story: Story) -> None:
        state = story[0]
        states[(state.target, state.unit)] = state
        if len(states) >= _STATES_HELD:
            _write_states(db, {}, states)
            states.clear()

    last: dict[str, str] = {}
    derive_changes(db, write, _voided_elsewhere(db), last)
    _write_states(db, {}, states)
    db.executemany("INSERT INTO region_last VALUES (?, ?)", sorted(last.items()))


_STATES_HELD = 20_000  # unit states a rebuild writes at a time


def derive_changes(
    db: Db,
    each: Callable[[Story], None] | None = None,
    voided: set[str] | None = None,
    last: dict[str, str] | None = None,
) -> None:
    """Derive unit_delta, unit_reach and the checkpoints again from the history, in one
    pass (which also calls ``each`` with every unit's state and moves; ``voided`` and
    ``last``: see :func:`stories`)."""
    db.execute("DELETE FROM unit_delta")
    db.execute("DELETE FROM delta_mark")
    start = delta_start()
    db.execute("INSERT INTO delta_mark VALUES (?)", (start,))
    recent: list[StoredDelta] = []
    stretches = reach.Rebuilt(db)

    def keep(story: Story) -> None:
        state, moves = story
        if moves[-1][0] >= start:
            recent.extend((state.target, state.unit, *m) for m in moves if m[0] >= start)
        stretches(story)
        if each is not None:
            each(story)

    checkpoint_upkeep.rebuild(db, each=keep, voided=voided, last=last)
    stretches.flush()
    db.executemany("INSERT INTO unit_delta VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", recent)


def load_states(db: Db, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], UnitState | None]:
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
                f"SELECT {STATE_COLUMNS} FROM unit_state WHERE target = ?"
                f" AND unit IN ({marks(chunk)})",
                (target, *chunk),
            )
            found.update(((row[0], row[1]), state_of(row)) for row in rows)
    return found


def _write_states(
    db: Db,
    before: dict[tuple[str, str], UnitState | None],
    after: dict[tuple[str, str], UnitState],
) -> None:
    """Store the units' new states and move their counts in the tally and in stage_total
    accordingly."""
    db.executemany(
        f"INSERT OR REPLACE INTO unit_state VALUES ({marks(range(15))})",
        [state_row(s) for key, s in after.items() if s != before.get(key)],
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
    summed: dict[tuple[str, ...], list[int]] = {}
    for (target, _region, stage), (units, live, quantity) in moves.items():
        acc = summed.setdefault((target, stage), [0, 0, 0])
        acc[0] += units
        acc[1] += live
        acc[2] += quantity
    _add_counts(db, "stage_total", summed)


def _add_counts(db: Db, table: str, moves: dict[tuple[str, ...], list[int]]) -> None:
    """Add (units, live, quantity) to the rows of ``table`` (tally or stage_total) keyed as
    ``moves`` is; rows left at nothing go."""
    keys = len(next(iter(moves), ()))
    if not keys:
        return
    db.executemany(
        f"INSERT INTO {table} VALUES ({marks(range(keys + 3))}) ON CONFLICT DO UPDATE SET"
        " units = units + excluded.units, live = live + excluded.live,"
        " quantity = quantity + excluded.quantity",
        [(*k, *v) for k, v in moves.items() if any(v)],
    )
    db.execute(f"DELETE FROM {table} WHERE units = 0 AND live = 0 AND quantity = 0")


def _unit_entries(db: Db, target: str, unit: str) -> list[Entry]:
    """Every entry of one unit ("": a target without units), voids included."""
    rows = db.execute(
        f"SELECT {ENTRY_COLUMNS} FROM entry WHERE target = ? AND unit IS ?",
        (target, unit or None),
    )
    return [entry_of(r) for r in rows]


def _fold_key(db: Db, key: tuple[str, str]) -> UnitState:
    return fold_units(_unit_entries(db, *key))[key]


FOLDS_HELD = 200_000  # units an import folds in memory before writing them out


class Apply:
    """Folds newly stored entries into the units they touch, then writes the states.

    Entries are folded in as they come (a back-dated one too: the fold compares order
    keys); a void that cancels a unit's current stage or region has that unit folded
    again from its history, once, at the end.
    """

    def __init__(self, db: Db) -> None:
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
        for key, start in load_states(self.db, new).items():
            self.before[key] = start
            folds[key] = UnitFold(*key, start)
        voids = [e for e in entries if e.voids]
        earlier, cancelled_by = _void_facts(self.db, voids) if voids else (set(), {})
        for e in entries:
            fold = folds[(e.target, e.unit or "")]
            if not e.voids:
                fold.add(e)
                if e.region and self.last.get(e.region, "") < e.observed:
                    self.last[e.region] = e.observed
                continue
            fold.add_void()
            if e.id in earlier:
                continue  # cancelled before: nothing more changes
            cancelled = cancelled_by.get(e.voids)
            if cancelled is None:
                continue
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


def _void_facts(db: Db, voids: list[Entry]) -> tuple[set[str], dict[str, Entry]]:
    """Of these stored voids: those whose entry an earlier void cancelled already, and
    the entries they cancel, by id (two queries for 500 voids, not two for each)."""
    earlier: set[str] = set()
    cancelled: dict[str, Entry] = {}
    for start in range(0, len(voids), 500):
        chunk = voids[start : start + 500]
        listed = marks(chunk)
        earlier.update(
            row[0]
            for row in db.execute(
                f"SELECT v.id FROM entry v WHERE v.id IN ({listed}) AND EXISTS"
                " (SELECT 1 FROM entry w WHERE w.voids = v.voids AND w.seq < v.seq)",
                [e.id for e in chunk],
            )
        )
        cancelled.update(
            (row[0], entry_of(row))
            for row in db.execute(
                f"SELECT {ENTRY_COLUMNS} FROM entry WHERE id IN ({listed})",
                [e.voids for e in chunk],
            )
        )
    return earlier, cancelled


def _region_last_again(db: Db, region: str) -> None:
    """A region's last record worked out again from its live entries (a voided entry is
    no visit): read from the newest day back until one is found. (A void is stored with
    the entry index in place; without INDEXED BY, SQLite sorts the region's entries,
    scanning the whole history for each region.)"""
    row = db.execute(
        "SELECT e.observed FROM entry e INDEXED BY entry_by_observed"
        " WHERE e.region = ? AND e.voids IS NULL"
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


def derived_in_step(db: Db, each: Callable[[list[Cells]], None] | None = None) -> bool:
    """Whether every derived table equals what the history folds to: one pass over the
    history unit by unit (:mod:`.unit_pass`) gives each unit's state (compared with
    unit_state as it comes), its recent changes and what it adds to the checkpoints.
    ``each`` is handed each unit's cells as the pass reads them (every unit's, when the
    answer is True: the pass stops where it finds a unit out of step)."""
    mark = db.execute("SELECT day FROM delta_mark").fetchone()
    months = checkpoint_upkeep.to_compare(db)
    if mark is None or months is False:
        return False
    start = mark[0]
    stored = map(state_of, db.execute(f"SELECT {STATE_COLUMNS} FROM unit_state ORDER BY 1, 2"))
    stored_recent: Iterator[StoredDelta] = iter(
        db.execute("SELECT * FROM unit_delta WHERE day >= ? ORDER BY 1, 2, 3, 4, 5", (start,))
    )
    in_step = [True]
    stretches = reach.Compared(db)
    last: dict[str, str] = {}  # each region's last record, as the units pass

    def states() -> Iterator[UnitState]:
        """Each unit's state, once compared with unit_state, and its recent changes with
        unit_delta (units come in the order of both tables: none held)."""
        for state, moves in stories(db, _voided_elsewhere(db), last, each):
            if next(stored, None) != state:
                in_step[0] = False
                return
            stretches((state, moves))
            if moves[-1][0] >= start:
                recent = sorted((state.target, state.unit, *m) for m in moves if m[0] >= start)
                if any(next(stored_recent, None) != row for row in recent):
                    in_step[0] = False
                    return
            if months is not True:
                months.add(state.target, moves)
            yield state
        in_step[0] = next(stored, None) is None and next(stored_recent, None) is None

    tallies = tally(states())
    if not in_step[0]:
        return False
    return (
        _stored_tallies(db) == tallies
        and _totals_in_step(db, tallies)
        and _region_last_in_step(db, last)
        and stretches.done()
        and (months is True or checkpoint_upkeep.same(db, months))
    )


def _voided_elsewhere(db: Db) -> set[str] | None:
    """Every entry a void cancels, where a void cancels an entry of another unit (which
    no write makes, but a file may hold); else None (a unit's voids are its own)."""
    found = db.execute(
        "SELECT 1 FROM entry AS v JOIN entry AS e ON e.id = v.voids"
        " WHERE v.voids IS NOT NULL"
        " AND (v.target <> e.target OR coalesce(v.unit, '') <> coalesce(e.unit, '')) LIMIT 1"
    ).fetchone()
    if found is None:
        return None
    return {r[0] for r in db.execute("SELECT voids FROM entry WHERE voids IS NOT NULL")}


def _stored_tallies(db: Db) -> Tallies:
    from chuyi_cli.tally import TallyRow

    result: Tallies = {}
    for name, *row in db.execute(
        "SELECT target, region, stage, units, live, quantity FROM tally ORDER BY 1, 2, 3"
    ):
        result.setdefault(name, []).append(TallyRow(*row))
    return result


def _region_last_in_step(db: Db, last: dict[str, str]) -> bool:
    stored = db.execute("SELECT region, observed FROM region_last ORDER BY 1").fetchall()
    return [tuple(r) for r in stored] == sorted(last.items())


def _totals_in_step(db: Db, tallies: Tallies) -> bool:
    summed: dict[tuple[str, str], list[int]] = {}
    for target, rows in tallies.items():
        for r in rows:
            acc = summed.setdefault((target, r.stage), [0, 0, 0])
            acc[0] += r.units
            acc[1] += r.live
            acc[2] += r.quantity
    expected = sorted((*k, *v) for k, v in summed.items() if any(v))
    return db.execute("SELECT * FROM stage_total ORDER BY 1, 2").fetchall() == expected
