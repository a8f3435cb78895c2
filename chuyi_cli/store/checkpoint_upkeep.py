"""Keeping the checkpoints and the days' changes of the tally: every write adds the month
ends that have passed and moves those its entries change (``add_due``,
``keep_for_units``); a repair or a bulk import makes them all again in one sorted pass
(``rebuild``); ``check`` compares them with the history (``to_compare``, ``same``)."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import sqlite3
from array import array
from collections.abc import Callable, Iterable, Iterator
from itertools import compress, repeat
from operator import itemgetter

from chuyi_cli.fold import DeltaRow, unit_deltas
from chuyi_cli.store.checkpoints import (
    Counts,
    Key,
    changed_between,
    checkpoint_days,
    has_changes,
    has_checkpoints,
    month_ends_before,
    place,
    state_changes,
    units_between,
)
from chuyi_cli.store.rows import ENTRY_COLUMNS, Row, entry_of
from chuyi_cli.store.sqlite import Db, marks
from chuyi_cli.store.unit_pass import Story, stories


def _add(db: sqlite3.Connection, day: str, changes: Counts) -> None:
    rows = [(day, *k, *v) for k, v in changes.items() if any(v)]
    if not rows:
        return
    db.executemany(
        "INSERT INTO tally_checkpoint VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET"
        " units = units + excluded.units, live = live + excluded.live,"
        " quantity = quantity + excluded.quantity",
        rows,
    )
    # (only the rows just moved can have come to nothing: each found by its key)
    db.executemany(
        "DELETE FROM tally_checkpoint WHERE day = ? AND target = ? AND region = ?"
        " AND stage = ? AND units = 0 AND live = 0 AND quantity = 0",
        [row[:4] for row in rows],
    )
    if not has_changes(db):
        return
    summed: dict[tuple[str, str], list[int]] = {}
    for (target, _region, stage), change in changes.items():
        acc = summed.setdefault((target, stage), [0, 0, 0])
        for i in range(3):
            acc[i] += change[i]
    moved = [(day, *k, *v) for k, v in summed.items() if any(v)]
    db.executemany(
        "INSERT INTO stage_checkpoint VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET"
        " units = units + excluded.units, live = live + excluded.live,"
        " quantity = quantity + excluded.quantity",
        moved,
    )
    db.executemany(
        "DELETE FROM stage_checkpoint WHERE day = ? AND target = ? AND stage = ?"
        " AND units = 0 AND live = 0 AND quantity = 0",
        [row[:3] for row in moved],
    )


# The checkpoints with their regions summed, as stage_checkpoint holds them.
_SUMMED = (
    "SELECT day, target, stage, sum(units), sum(live), sum(quantity) FROM tally_checkpoint"
    " GROUP BY day, target, stage HAVING sum(units) <> 0 OR sum(live) <> 0 OR sum(quantity) <> 0"
    " ORDER BY 1, 2, 3"
)


def _set_mark(db: Db, day: str) -> None:
    db.execute("DELETE FROM checkpoint_mark")
    db.execute("INSERT INTO checkpoint_mark VALUES (?)", (day,))


def add_due(db: sqlite3.Connection, today: dt.date | None = None) -> None:
    """Add the checkpoints of the month ends passed since the last write (before this
    write's entries are stored): each from the one before it and the changes of the days
    between (where the store keeps none, the units those days touch)."""
    if not has_checkpoints(db):
        return
    due = month_ends_before(today or dt.date.today())
    held = checkpoint_days(db)
    if not due or (held and held[-1] >= due[-1]):
        return
    daily = has_changes(db)
    previous = held[-1] if held else None
    for day in due[len(held) :]:
        if previous is not None:
            db.execute(
                "INSERT INTO tally_checkpoint SELECT ?, target, region, stage, units, live,"
                " quantity FROM tally_checkpoint WHERE day = ?",
                (day, previous),
            )
            if daily:
                db.execute(
                    "INSERT INTO stage_checkpoint SELECT ?, target, stage, units, live,"
                    " quantity FROM stage_checkpoint WHERE day = ?",
                    (day, previous),
                )
        if daily:
            _add(db, day, changed_between(db, previous or "", day, None))
        else:
            before, after = units_between(db, previous, day)
            _add(db, day, state_changes(before, after, place))
        previous = day
    _set_mark(db, due[-1])


def keep_for_units(db: sqlite3.Connection, stored: int) -> None:
    """Bring the checkpoints and the tally's changes day by day into step for the units
    of the entries stored after seq ``stored``: each checkpoint on or after the first day
    one of them observed, and each day's change from then on, moves by what the unit's
    place in the tally moves (its days from then on worked out with and without them)."""
    days = checkpoint_days(db)
    daily = has_changes(db)
    if not days and not daily:
        return
    touched = db.execute(
        # (NOT INDEXED: the new rows by their seq, not a walk of the whole unit index)
        "SELECT target, unit, min(observed) FROM entry NOT INDEXED WHERE seq > ?"
        " GROUP BY target, unit",
        (stored,),
    ).fetchall()
    changes: dict[str, Counts] = {}
    by_day: dict[tuple[str, str, str, str], list[int]] = {}
    for target, unit, start in touched:
        later = not days or start > days[-1]  # after every checkpoint: none moves
        if later and not daily:
            continue
        rows = db.execute(
            f"SELECT {ENTRY_COLUMNS}, seq FROM entry WHERE target = ? AND unit IS ?",
            (target, unit),
        ).fetchall()
        entries = [entry_of(r[:-1]) for r in rows]
        old = [e for e, r in zip(entries, rows, strict=True) if r[-1] <= stored]
        for sign, moves in ((1, unit_deltas(entries, start)), (-1, unit_deltas(old, start))):
            if not later:
                _bucket(changes, target, moves, days, sign)
            if daily:
                _by_day(by_day, target, moves, sign)
    for day in days:
        if day in changes:
            _add(db, day, changes[day])
    _add_daily(db, by_day)


def _by_day(
    by_day: dict[tuple[str, str, str, str], list[int]],
    target: str,
    rows: Iterable[tuple[str, str, str, int, int, int, str | None]],
    sign: int = 1,
) -> None:
    """Add a unit's day-by-day tally changes to the day each happens on."""
    for day, region, stage, units, live, quantity, _latest in rows:
        acc = by_day.setdefault((target, day, region, stage), [0, 0, 0])
        acc[0] += sign * units
        acc[1] += sign * live
        acc[2] += sign * quantity


def _add_daily(db: sqlite3.Connection, by_day: dict[tuple[str, str, str, str], list[int]]) -> None:
    rows = [(*k, *v) for k, v in by_day.items() if any(v)]
    if not rows:
        return
    db.executemany(
        "INSERT INTO tally_change VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET"
        " units = units + excluded.units, live = live + excluded.live,"
        " quantity = quantity + excluded.quantity",
        rows,
    )
    db.executemany(
        "DELETE FROM tally_change WHERE target = ? AND day = ? AND region = ? AND stage = ?"
        " AND units = 0 AND live = 0 AND quantity = 0",
        [row[:4] for row in rows],
    )


def _bucket(
    changes: dict[str, Counts],
    target: str,
    rows: Iterable[tuple[str, str, str, int, int, int, str | None]],
    days: list[str],
    sign: int = 1,
) -> None:
    """Add a unit's day-by-day tally changes to every checkpoint on or after their day."""
    for day, region, stage, units, live, quantity, _latest in rows:
        for checkpoint in days[_first_on_or_after(days, day) :]:
            acc = changes.setdefault(checkpoint, {}).setdefault((target, region, stage), [0, 0, 0])
            acc[0] += sign * units
            acc[1] += sign * live
            acc[2] += sign * quantity


def _first_on_or_after(days: list[str], day: str) -> int:
    return bisect.bisect_left(days, day)


def rebuild(
    db: Db,
    today: dt.date | None = None,
    each: Callable[[Story], None] | None = None,
    voided: set[str] | None = None,
    last: dict[str, str] | None = None,
) -> None:
    """Derive every checkpoint and the tally's changes day by day again from the
    history, in one pass over it unit by unit (:mod:`.unit_pass`): each unit's moves
    added to the month they happen in (:class:`Months`: a few MiB however long the
    history) and to the days of its target (written target by target). ``each`` is
    called with every unit's state and moves from the same pass (``voided`` and
    ``last``: see :func:`stories`)."""
    kept = has_checkpoints(db)
    daily = has_changes(db)
    days = month_ends_before(today or dt.date.today()) if kept else []
    if kept:
        db.execute("DELETE FROM tally_checkpoint")
        db.execute("DELETE FROM checkpoint_mark")
        if days:
            _set_mark(db, days[-1])
    if daily:
        db.execute("DELETE FROM tally_change")
        db.execute("DELETE FROM stage_checkpoint")
    if not days and each is None and not daily:
        return

    def insert(rows: list[Row]) -> None:
        db.executemany("INSERT INTO tally_change VALUES (?, ?, ?, ?, ?, ?, ?)", rows)

    months = Months(days, insert if daily else None)
    for story in stories(db, voided, last):
        months.add(story[0].target, story[1])
        if each is not None:
            each(story)
    months.flush()
    if kept:
        db.executemany("INSERT INTO tally_checkpoint VALUES (?, ?, ?, ?, ?, ?, ?)", months.rows())
        if daily:
            db.execute("INSERT INTO stage_checkpoint " + _SUMMED)


def _add_by_day(
    by_day: dict[tuple[str, str, str], Row], target: str, moves: list[DeltaRow]
) -> None:
    """A unit's moves added to its target's changes by day, region and stage: each a row
    of ``tally_change`` (target, day, region, stage, units, live, quantity). A move on a
    day and place no other unit of the target moved on (most of them) is its row as it
    is, made in C; rows that add up to nothing are left to the reader."""
    first = (target,)
    get = by_day.get
    for move in moves:
        place = move[:3]
        row = get(place)
        if row is None:
            by_day[place] = first + move[:6]
        else:
            by_day[place] = (target, *place, row[4] + move[3], row[5] + move[4], row[6] + move[5])


class Months:
    """The checkpoints' rows as units' moves add up: per tally row an array of three
    numbers (units, live, quantity) a month, summed month after month at the end; and,
    given ``daily``, the days' changes of each target, handed to it target by target."""

    def __init__(self, days: list[str], daily: Callable[[list[Row]], None] | None = None) -> None:
        self.days = days
        self.last = days[-1] if days else ""
        self.width = 3 * len(days)
        self.index = {day[:7]: n for n, day in enumerate(days)}  # a day's month: its end
        self.months: dict[Key, array[int]] = {}
        self.daily = daily
        self.target = ""
        self.by_day: dict[tuple[str, str, str], Row] = {}  # the target's days

    def add(self, target: str, moves: list[DeltaRow]) -> None:
        """A unit's moves (by day, as :func:`unit_deltas` gives them); units come target
        by target."""
        if self.daily is not None:
            if target != self.target:
                self.flush()
                self.target = target
            _add_by_day(self.by_day, target, moves)
        months, last, index = self.months, self.last, self.index
        for day, region, stage, units, live, quantity, _ in moves:
            if day > last:
                return
            acc = months.get((target, region, stage))
            if acc is None:
                acc = months[(target, region, stage)] = array("q", bytes(8 * self.width))
            n = index.get(day[:7])
            i = 3 * (_first_on_or_after(self.days, day) if n is None else n)
            acc[i] += units
            acc[i + 1] += live
            acc[i + 2] += quantity

    def flush(self) -> None:
        """Hand the last target's days' changes on."""
        if self.daily is not None and self.by_day:
            self.daily(_day_rows(self.by_day))

    def rows(self) -> Iterator[tuple[str, str, str, str, int, int, int]]:
        """(day, target, region, stage, units, live, quantity), tally row by tally row
        (target, region, stage) and each one's month ends in turn, rows at nothing left
        out. A tally row's months are summed and made into rows in C, not a step of
        Python a row, one tally row at a time, so no list of the whole is held (and the
        rows can be read once)."""
        return itertools.chain.from_iterable(map(self._rows_of, sorted(self.months.items())))

    def _rows_of(self, item: tuple[Key, array[int]]) -> Iterator[Row]:
        (target, region, stage), acc = item
        units, live, quantity = (list(itertools.accumulate(acc[k::3])) for k in range(3))
        return compress(
            zip(self.days, repeat(target), repeat(region), repeat(stage), units, live, quantity),
            map(any, zip(units, live, quantity, strict=True)),
        )


def _day_rows(by_day: dict[tuple[str, str, str], Row]) -> list[Row]:
    """One target's rows of ``tally_change`` in table order, none at nothing (emptying
    ``by_day``: its changes by day, region and stage)."""
    # (The keys sorted alone: tuples of strings, which Python compares fastest.)
    rows = list(map(by_day.__getitem__, sorted(by_day)))
    by_day.clear()
    return list(compress(rows, map(any, map(_COUNTS, rows))))


_PLACE, _COUNTS = itemgetter(1, 2, 3), itemgetter(4, 5, 6)
# A row of a target's checkpoint on ?2 other than the one on ?1 (none: '') moved by the
# days' changes between.
_MOVED_ON = (
    "SELECT 1 FROM (SELECT region, stage, units, live, quantity FROM tally_checkpoint"
    " WHERE day = ?2 AND target = ?3"
    " UNION ALL SELECT region, stage, -units, -live, -quantity FROM tally_checkpoint"
    " WHERE day = ?1 AND target = ?3"
    " UNION ALL SELECT region, stage, -units, -live, -quantity FROM tally_change"
    " WHERE target = ?3 AND day > ?1 AND day <= ?2)"
    " GROUP BY region, stage"
    " HAVING sum(units) <> 0 OR sum(live) <> 0 OR sum(quantity) <> 0 LIMIT 1"
)


class DaysCompared:
    """What a pass over the history is compared with where the days' changes are kept:
    each target's changes by day, region and stage, added up from its units' moves and
    compared with ``tally_change`` as its last unit passes; and the checkpoints with the
    running sums of those stored changes at each month end, which equal the pass's once
    the changes do. A target's rows at a time: the memory is one target's days."""

    def __init__(self, db: Db, days: list[str]) -> None:
        self.db, self.days = db, days
        self.target = ""
        self.by_day: dict[tuple[str, str, str], Row] = {}
        self.same = True
        self.changes = 0  # the stored changes compared
        self.targets: list[str] = []  # whose checkpoints are compared

    def add(self, target: str, moves: list[DeltaRow]) -> None:
        """A unit's moves (by day, as :func:`unit_deltas` gives them); units come target
        by target."""
        if target != self.target:
            self.flush()
            self.target = target
        _add_by_day(self.by_day, target, moves)

    def flush(self) -> None:
        """The target's days compared (and then forgotten)."""
        if self.by_day and self.same:
            self.same = self._changes_same() and self._checkpoints_same()
        self.by_day.clear()

    def _changes_same(self) -> bool:
        """Whether the target's stored changes are the ones added up: each stored row's
        counts are those added up for its day, region and stage, none of them is a row
        of nothing, and as many are stored as were added up to something (looked up in
        C, without a step of Python a row)."""
        rows = self.db.execute(
            "SELECT target, day, region, stage, units, live, quantity FROM tally_change"
            " WHERE target = ?",
            (self.target,),
        ).fetchall()
        added = list(map(self.by_day.get, map(_PLACE, rows)))
        self.changes += len(rows)
        return (
            added == rows
            and all(map(any, map(_COUNTS, rows)))
            and len(rows) == sum(map(any, map(_COUNTS, self.by_day.values())))
        )

    def _checkpoints_same(self) -> bool:
        """Whether the target's checkpoints are the running sums of its stored changes
        (the same as those added up) at each month end: each is the one before it
        moved by the changes between (SQLite adds them up; a row of nothing is refused
        apart, in :meth:`done`)."""
        before = ""  # (before the first: nothing)
        for day in self.days:
            if self.db.execute(_MOVED_ON, (before, day, self.target)).fetchone():
                return False
            before = day
        self.targets.append(self.target)
        return True

    def done(self) -> bool:
        """Whether every stored row was compared, and each the same; and the checkpoints
        with their regions summed are theirs."""
        self.flush()
        if not self.same:
            return False
        counted = self.db.execute("SELECT count(*) FROM tally_change").fetchone()[0]
        days = marks(self.days)  # (SQLite's NOT IN () holds for any)
        targets = marks(self.targets)
        stray = self.db.execute(
            "SELECT 1 FROM tally_checkpoint WHERE units = 0 AND live = 0 AND quantity = 0"
            f" OR day NOT IN ({days}) OR target NOT IN ({targets}) LIMIT 1",
            (*self.days, *self.targets),
        ).fetchone()
        summed = self.db.execute("SELECT * FROM stage_checkpoint ORDER BY 1, 2, 3").fetchall()
        return (
            counted == self.changes
            and stray is None
            and summed == self.db.execute(_SUMMED).fetchall()
        )


def to_compare(db: Db) -> Months | DaysCompared | bool:
    """What the checkpoints (and the days' changes) are to be compared with: the months
    of their days, to be filled by one pass over the history and then given to
    :func:`same`; or whether they are in step as they are (none kept, or none due and
    none held: True)."""
    if not has_checkpoints(db):
        return True
    mark = db.execute("SELECT day FROM checkpoint_mark").fetchone()
    days = checkpoint_days(db)
    if mark is None or not days or days[-1] != mark[0]:
        if mark is not None or db.execute("SELECT 1 FROM tally_checkpoint").fetchone():
            return False
        if not has_changes(db):
            return True
        days = []
    return DaysCompared(db, days) if has_changes(db) else Months(days)


def same(db: Db, months: Months | DaysCompared) -> bool:
    """Whether the checkpoints hold the rows ``months`` (filled) comes to, and no other;
    and the days' changes and the summed checkpoints, where they are kept, theirs
    (:meth:`DaysCompared.done`)."""
    if isinstance(months, DaysCompared):
        return months.done()
    stored = db.execute(
        "SELECT day, target, region, stage, units, live, quantity FROM tally_checkpoint"
        " ORDER BY 2, 3, 4, 1"
    )
    missing = object()
    pairs = itertools.zip_longest(stored, months.rows(), fillvalue=missing)
    return all(a == b for a, b in pairs)
