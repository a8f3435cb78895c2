"""Monthly checkpoints of the tally: what it was at every month end since the plan began.

``tally_checkpoint`` holds, for each month end from April 2022 up to ``checkpoint_mark``
(the last month end before the day of the last write), the tally as the history known
now folds to on that day. Every write keeps them in its own transaction: a month end
that has passed is added, and an entry (or void) observed on or before a month end
changes that checkpoint by what it changes in its unit's state there. A past day is then
read from the nearest checkpoint and the few units that entries between them touch.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import sqlite3
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator

from chuyi_cli.fold import DeltaRow, UnitState, fold_units, unit_deltas
from chuyi_cli.store.rows import ENTRY_COLUMNS, ENTRY_COLUMNS_OF_E, entry_of
from chuyi_cli.store.sqlite import Db
from chuyi_cli.store.unit_pass import Story, stories
from chuyi_cli.tally import Tallies, TallyRow

# The plan's first month: the notice was issued on 2022-04-08.
FIRST_MONTH = (2022, 4)

Key = tuple[str, str, str]  # (target, region, stage)
Counts = dict[Key, list[int]]  # key → [units, live, quantity]


def month_ends_before(today: dt.date) -> list[str]:
    """Every month end from the plan's first month that lies before ``today``."""
    days = []
    year, month = FIRST_MONTH
    while True:
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        end = nxt - dt.timedelta(days=1)
        if end >= today:
            return days
        days.append(end.isoformat())
        year, month = nxt.year, nxt.month


def has_checkpoints(db: Db) -> bool:
    """Whether the store keeps checkpoints (a read-only file from before schema 7 does
    not, nor, as yet, the PostgreSQL engine: the past is then read the longer way)."""
    if not isinstance(db, sqlite3.Connection):
        return False
    row = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'checkpoint_mark'"
    ).fetchone()
    return row is not None


def checkpoint_days(db: Db) -> list[str]:
    """The month ends the checkpoints hold, oldest first."""
    if not has_checkpoints(db):
        return []
    mark = db.execute("SELECT day FROM checkpoint_mark").fetchone()
    if mark is None:
        return []
    last = dt.date.fromisoformat(mark[0])
    return month_ends_before(last + dt.timedelta(days=1))


def read(
    db: sqlite3.Connection, days: Collection[str], regions_of: Collection[str] | None = None
) -> dict[str, Tallies]:
    """The tally at each of ``days`` (checkpoint days), in one query. (``regions_of``:
    the targets whose rows keep their regions; the others' come summed, region "".)"""
    found: dict[str, Tallies] = {day: {} for day in days}
    if not days:
        return found
    marks = ",".join("?" * len(found))
    if regions_of is None:
        sql = (
            "SELECT day, target, region, stage, units, live, quantity FROM tally_checkpoint"
            f" WHERE day IN ({marks}) ORDER BY 1, 2, 3, 4"
        )
        params: tuple = tuple(found)
    else:
        keep = sorted(regions_of)
        keeps = ",".join("?" * len(keep)) or "NULL"
        sql = (
            "SELECT day, target, region, stage, units, live, quantity FROM tally_checkpoint"
            f" WHERE day IN ({marks}) AND target IN ({keeps}) UNION ALL"
            " SELECT day, target, '', stage, sum(units), sum(live), sum(quantity)"
            f" FROM tally_checkpoint WHERE day IN ({marks}) AND target NOT IN ({keeps})"
            " GROUP BY day, target, stage"
            " HAVING sum(units) <> 0 OR sum(live) <> 0 OR sum(quantity) <> 0"
            " ORDER BY 1, 2, 3, 4"
        )
        params = (*found, *keep, *found, *keep)
    for day, target, *row in db.execute(sql, params):
        found[day].setdefault(target, []).append(TallyRow(*row))
    return found


def moved(tallies: Tallies, changes: Counts) -> Tallies:
    """``tallies`` with ``changes`` added in; only the targets they touch are rebuilt."""
    by_target: dict[str, Counts] = {}
    for key, change in changes.items():
        if any(change):
            by_target.setdefault(key[0], {})[key] = change
    result = dict(tallies)
    for target, moves in by_target.items():
        rows = {(r.region, r.stage): [r.units, r.live, r.quantity] for r in tallies.get(target, ())}
        for (_t, region, stage), (units, live, quantity) in moves.items():
            acc = rows.setdefault((region, stage), [0, 0, 0])
            acc[0] += units
            acc[1] += live
            acc[2] += quantity
        kept = [TallyRow(*k, *v) for k, v in sorted(rows.items()) if any(v)]
        if kept:
            result[target] = kept
        else:
            result.pop(target, None)
    return result


def place(state: UnitState, regions_of: Collection[str] | None = None) -> Key:
    """Where a unit counts in a tally (its region "" where regions are summed)."""
    target, region, stage = state.tally_key
    if regions_of is not None and target not in regions_of:
        region = ""
    return (target, region, stage)


def state_changes(
    then: dict[tuple[str, str], UnitState],
    now: dict[tuple[str, str], UnitState],
    regions_of: Collection[str] | None = None,
) -> Counts:
    """What the units of ``now`` and ``then`` change in a tally from ``then`` to ``now``."""
    changes: Counts = {}
    for sign, states in ((-1, then), (1, now)):
        for s in states.values():
            acc = changes.setdefault(place(s, regions_of), [0, 0, 0])
            acc[0] += sign
            acc[1] += sign * s.live
            acc[2] += sign * s.quantity
    return changes


def units_between(
    db: sqlite3.Connection, first: str | None, last: str | None
) -> tuple[dict[tuple[str, str], UnitState], dict[tuple[str, str], UnitState]]:
    """The states on ``first`` and on ``last`` (None: before any entry; after every one)
    of each unit an entry observed after ``first`` and by ``last`` touches."""
    low, high = first or "", last or "9999-99-99"
    rows = db.execute(
        f"SELECT {ENTRY_COLUMNS_OF_E} FROM (SELECT DISTINCT target, unit FROM entry"
        " INDEXED BY entry_by_observed WHERE observed > ?1 AND observed <= ?2) AS t"
        " JOIN entry AS e ON e.target = t.target AND e.unit IS t.unit WHERE e.observed <= ?2",
        (low, high),
    )
    entries = [entry_of(r) for r in rows]
    before = fold_units(entries, dt.date.fromisoformat(first)) if first else {}
    after = fold_units(entries, dt.date.fromisoformat(last) if last else None)
    return before, after


def entries_between(db: sqlite3.Connection, first: str | None, last: str | None) -> int:
    """How many entries were observed after ``first`` and by ``last`` (None: open)."""
    row = db.execute(
        "SELECT count(*) FROM entry INDEXED BY entry_by_observed"
        " WHERE observed > ? AND observed <= ?",
        (first or "", last or "9999-99-99"),
    ).fetchone()
    return int(row[0])


# --------------------------------------------------------------------------- keeping them


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
    db.execute(
        "DELETE FROM tally_checkpoint WHERE day = ? AND units = 0 AND live = 0 AND quantity = 0",
        (day,),
    )


def _set_mark(db: Db, day: str) -> None:
    db.execute("DELETE FROM checkpoint_mark")
    db.execute("INSERT INTO checkpoint_mark VALUES (?)", (day,))


def add_due(db: sqlite3.Connection, today: dt.date | None = None) -> None:
    """Add the checkpoints of the month ends passed since the last write (before this
    write's entries are stored): each from the one before it and the units touched
    between them."""
    if not has_checkpoints(db):
        return
    due = month_ends_before(today or dt.date.today())
    held = checkpoint_days(db)
    if not due or (held and held[-1] >= due[-1]):
        return
    previous = held[-1] if held else None
    for day in due[len(held) :]:
        if previous is not None:
            db.execute(
                "INSERT INTO tally_checkpoint SELECT ?, target, region, stage, units, live,"
                " quantity FROM tally_checkpoint WHERE day = ?",
                (day, previous),
            )
        before, after = units_between(db, previous, day)
        _add(db, day, state_changes(before, after))
        previous = day
    _set_mark(db, due[-1])


def keep_for_units(db: sqlite3.Connection, stored: int) -> None:
    """Bring the checkpoints into step for the units of the entries stored after seq
    ``stored``: each checkpoint on or after the first day one of them observed moves by
    what the unit's place in the tally there moves (its days from then on worked out
    with and without them)."""
    days = checkpoint_days(db)
    if not days:
        return
    touched = db.execute(
        "SELECT target, unit, min(observed) FROM entry WHERE seq > ? GROUP BY target, unit",
        (stored,),
    ).fetchall()
    changes: dict[str, Counts] = {}
    for target, unit, start in touched:
        if start > days[-1]:
            continue  # after every checkpoint: none moves
        rows = db.execute(
            f"SELECT {ENTRY_COLUMNS}, seq FROM entry WHERE target = ? AND unit IS ?",
            (target, unit),
        ).fetchall()
        entries = [entry_of(r[:-1]) for r in rows]
        old = [e for e, r in zip(entries, rows, strict=True) if r[-1] <= stored]
        _bucket(changes, target, unit_deltas(entries, start), days, 1)
        if old:
            _bucket(changes, target, unit_deltas(old, start), days, -1)
    for day in days:
        if day in changes:
            _add(db, day, changes[day])


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
) -> None:
    """Derive every checkpoint again from the history, in one pass over it unit by unit
    (:mod:`.unit_pass`): each unit's moves added to the month they happen in
    (:class:`Months`: a few MiB however long the history). ``each`` is called with every
    unit's state and moves from the same pass (``voided``: see :func:`stories`)."""
    kept = has_checkpoints(db)
    days = month_ends_before(today or dt.date.today()) if kept else []
    if kept:
        db.execute("DELETE FROM tally_checkpoint")
        db.execute("DELETE FROM checkpoint_mark")
        if days:
            _set_mark(db, days[-1])
    if not days and each is None:
        return
    months = Months(days)
    for story in stories(db, voided):
        months.add(story[0].target, story[1])
        if each is not None:
            each(story)
    if kept:
        db.executemany("INSERT INTO tally_checkpoint VALUES (?, ?, ?, ?, ?, ?, ?)", months.rows())


class Months:
    """The checkpoints' rows as units' moves add up: per tally row an array of three
    numbers (units, live, quantity) a month, summed month after month at the end."""

    def __init__(self, days: list[str]) -> None:
        self.days = days
        self.last = days[-1] if days else ""
        self.width = 3 * len(days)
        self.index = {day[:7]: n for n, day in enumerate(days)}  # a day's month: its end
        self.months: dict[Key, array[int]] = {}

    def add(self, target: str, moves: list[DeltaRow]) -> None:
        """A unit's moves (by day, as :func:`unit_deltas` gives them)."""
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

    def rows(self) -> Iterator[tuple[str, str, str, str, int, int, int]]:
        """(day, target, region, stage, units, live, quantity), ordered as the table's key,
        rows at nothing left out."""
        summed = [
            (key, list(zip(*(itertools.accumulate(acc[k::3]) for k in range(3)), strict=True)))
            for key, acc in sorted(self.months.items())
        ]
        nothing = (0, 0, 0)
        for n, day in enumerate(self.days):
            for key, counts in summed:
                if counts[n] != nothing:
                    yield (day, *key, *counts[n])


def to_compare(db: Db) -> Months | bool:
    """What the checkpoints are to be compared with: the months of their days, to be
    filled by one pass over the history and then given to :func:`same`; or whether they
    are in step as they are (none kept, or none due and none held: True)."""
    if not has_checkpoints(db):
        return True
    mark = db.execute("SELECT day FROM checkpoint_mark").fetchone()
    days = checkpoint_days(db)
    if mark is None or not days or days[-1] != mark[0]:
        return mark is None and not db.execute("SELECT 1 FROM tally_checkpoint").fetchone()
    return Months(days)


def same(db: Db, months: Months) -> bool:
    """Whether the checkpoints hold the rows ``months`` (filled) comes to, and no other."""
    stored = db.execute(
        "SELECT day, target, region, stage, units, live, quantity FROM tally_checkpoint"
        " ORDER BY 1, 2, 3, 4"
    )
    missing = object()
    return all(a == b for a, b in itertools.zip_longest(stored, months.rows(), fillvalue=missing))
