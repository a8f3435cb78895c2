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
from typing import NamedTuple

from chuyi_cli.fold import DeltaRow, UnitState, fold_units, unit_deltas
from chuyi_cli.store.rows import ENTRY_COLUMNS, ENTRY_COLUMNS_OF_E, Row, entry_of
from chuyi_cli.store.sqlite import Db
from chuyi_cli.store.unit_pass import Story, stories
from chuyi_cli.tally import Tallies, TallyRow

# The plan's first month: the notice was issued on 2022-04-08.
FIRST_MONTH = (2022, 4)

Key = tuple[str, str, str]  # (target, region, stage)
Counts = dict[Key, list[int]]  # key → [units, live, quantity]


def month_ends_before(today: dt.date) -> list[str]:
    """Every month end from the plan's first month that lies before ``today``."""
    days: list[str] = []
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


def has_changes(db: Db) -> bool:
    """Whether the store keeps the tally's changes day by day (``tally_change``: not a
    read-only file from before schema 8, nor the PostgreSQL engine)."""
    if not isinstance(db, sqlite3.Connection):
        return False
    row = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'tally_change'"
    ).fetchone()
    return row is not None


def changed_between(
    db: sqlite3.Connection, first: str, last: str | None, regions_of: Collection[str] | None
) -> Counts:
    """What the days after ``first`` and by ``last`` (None: every day after) changed in
    the tally, summed from ``tally_change``: a few rows a day for each target."""
    params: tuple[str, ...] = ()
    if regions_of is None:
        where = "c.region"
    else:
        keep = sorted(regions_of)
        marks = ",".join("?" * len(keep)) or "NULL"
        where, params = f"CASE WHEN c.target IN ({marks}) THEN c.region ELSE '' END", tuple(keep)
    # (Target by target through the table's key: every target with a change has units.)
    rows = db.execute(
        f"SELECT c.target, {where}, c.stage, sum(c.units), sum(c.live), sum(c.quantity)"
        " FROM (SELECT DISTINCT target FROM tally) AS t CROSS JOIN tally_change AS c"
        " ON c.target = t.target AND c.day > ? AND c.day <= ? GROUP BY 1, 2, 3",
        (*params, first, last or "9999-99-99"),
    )
    return {(t, r, s): [n, lv, q] for t, r, s, n, lv, q in rows}


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
    db: sqlite3.Connection,
    days: Collection[str],
    regions_of: Collection[str] | None = None,
    targets: Collection[str] | None = None,
) -> dict[str, Tallies]:
    """The tally at each of ``days`` (checkpoint days), each target's rows in the order
    of the table's key (which the queries read them in: nothing sorted). (``regions_of``:
    the targets whose rows keep their regions; the others' come summed, region "";
    ``targets``: these targets' rows alone.)"""
    found: dict[str, Tallies] = {day: {} for day in days}
    if not days:
        return found
    marks = ",".join("?" * len(found))
    only = ""
    chosen: tuple[str, ...] = ()
    if targets is not None:
        chosen = tuple(sorted(targets))
        only = f" AND target IN ({','.join('?' * len(chosen)) or 'NULL'})"
    rows = "SELECT day, target, region, stage, units, live, quantity FROM tally_checkpoint"
    if regions_of is None:
        queries = [(f"{rows} WHERE day IN ({marks}){only} ORDER BY 1, 2, 3, 4", (*found, *chosen))]
    else:
        keep = sorted(regions_of)
        kept = f"target IN ({','.join('?' * len(keep))})" if keep else "0"
        summed = (
            "SELECT day, target, '', stage, units, live, quantity FROM stage_checkpoint"
            f" WHERE day IN ({marks}) AND NOT {kept}{only} ORDER BY 1, 2, 4"
            if has_changes(db)
            else "SELECT day, target, '', stage, sum(units), sum(live), sum(quantity)"
            f" FROM tally_checkpoint WHERE day IN ({marks}) AND NOT {kept}{only}"
            " GROUP BY day, target, stage"
            " HAVING sum(units) <> 0 OR sum(live) <> 0 OR sum(quantity) <> 0 ORDER BY 1, 2, 4"
        )
        params = (*found, *keep, *chosen)
        queries = [
            (f"{rows} WHERE day IN ({marks}) AND {kept}{only} ORDER BY 1, 2, 3, 4", params),
            (summed, params),
        ]
    for sql, params in queries:
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


class Standing(NamedTuple):
    """Where a unit stands in the tally on a day (read by :func:`standings_between`)."""

    target: str
    region: str  # "" when no live entry names one
    stage: str  # its current entry's stage or state ("" when none, or no entry is live)
    live: int
    quantity: int
    latest: str | None  # the day its current entry observed (None: no entry is live)

    def place(self, regions_of: Collection[str] | None = None) -> Key:
        """Where it counts (its region "" where regions are summed)."""
        if regions_of is not None and self.target not in regions_of:
            return (self.target, "", self.stage)
        return (self.target, self.region, self.stage)


# Read inside SQLite, one unit (k) at a time through its index: the entries of the unit
# observed by a day, those of them live on it (no void observed by then cancels them),
# and the latest of those, walked back from the day (a few steps, whatever the unit's size).
_OF_UNIT = "e.target = k.target AND e.unit IS k.unit AND e.observed <= {day}"
_LIVE = (
    " AND e.voids IS NULL AND NOT EXISTS"
    " (SELECT 1 FROM entry v WHERE v.voids = e.id AND v.observed <= {day})"
)
_LATEST = " ORDER BY e.observed DESC, e.recorded DESC, e.id DESC LIMIT 1"
# The units an entry observed after ?1 and by ?2 touches.
_TOUCHED = (
    "WITH k AS MATERIALIZED (SELECT DISTINCT target, unit FROM entry"
    " INDEXED BY entry_by_observed WHERE observed > ?1 AND observed <= ?2)"
)


def _known(day: str) -> str:
    return f"EXISTS (SELECT 1 FROM entry e WHERE {_OF_UNIT.format(day=day)})"


def _current(day: str, more: str = "") -> str:
    """The seq of the unit's current entry on ``day`` (with ``more``: of the latest live
    entry that says it)."""
    where = _OF_UNIT.format(day=day) + _LIVE.format(day=day) + more
    return f"(SELECT e.seq FROM entry e WHERE {where}{_LATEST})"


_STAGES = (
    f"{_TOUCHED}, s AS MATERIALIZED (SELECT k.target, k.unit, {_known('?1')} AS known,"
    f" {_current('?1')} AS c1, {_current('?2')} AS c2 FROM k)"
    " SELECT s.target, s.unit, s.known, c1.stage, c1.state, c2.stage, c2.state, c2.observed"
    " FROM s LEFT JOIN entry c1 ON c1.seq = s.c1 LEFT JOIN entry c2 ON c2.seq = s.c2"
)
# The same up to today (in SQLite): the units whose entries reach past ?1, found walking
# the unit index in its own order, and where they stand today read from unit_state.
_STAGES_NOW = (
    "WITH k AS MATERIALIZED (SELECT u.target, nullif(u.unit, '') AS unit, u.stage AS stage2,"
    " u.state AS state2, u.latest_observed AS latest FROM unit_state AS u WHERE EXISTS"
    " (SELECT 1 FROM entry e WHERE e.target = u.target AND e.unit IS nullif(u.unit, '')"
    " AND e.observed > ?1)),"
    f" s AS MATERIALIZED (SELECT k.*, {_current('?1')} AS c1 FROM k)"
    f" SELECT k.target, k.unit, CASE WHEN k.c1 IS NULL THEN {_known('?1')} ELSE 1 END,"
    " c1.stage, c1.state, k.stage2, k.state2, k.latest FROM s AS k"
    " LEFT JOIN entry c1 ON c1.seq = k.c1"
)
_NAMED = " AND e.region <> ''"
_PLACES = (
    f"{_TOUCHED}, s AS MATERIALIZED (SELECT k.target, k.unit, {_known('?1')} AS known,"
    f" {_current('?1')} AS c1, {_current('?1', _NAMED)} AS r1,"
    f" {_current('?2')} AS c2, {_current('?2', _NAMED)} AS r2 FROM k)"
    " SELECT s.target, s.unit, s.known, c1.stage, c1.state, c1.observed, r1.region,"
    " c2.stage, c2.state, c2.observed, r2.region FROM s"
    " LEFT JOIN entry c1 ON c1.seq = s.c1 LEFT JOIN entry r1 ON r1.seq = s.r1"
    " LEFT JOIN entry c2 ON c2.seq = s.c2 LEFT JOIN entry r2 ON r2.seq = s.r2"
)
# Each touched unit's live entries and their quantities on both days, in one pass over
# its entries (a void's own day says from when it cancels).
_SUMS = (
    f"{_TOUCHED}, x AS (SELECT k.target, k.unit, e.observed, e.quantity,"
    " (SELECT min(v.observed) FROM entry v WHERE v.voids = e.id) AS voided"
    " FROM k JOIN entry e ON e.target = k.target AND e.unit IS k.unit"
    " WHERE e.observed <= ?2 AND e.voids IS NULL)"
    " SELECT target, unit,"
    " sum(CASE WHEN observed <= ?1 AND (voided IS NULL OR voided > ?1) THEN 1 ELSE 0 END),"
    " sum(CASE WHEN observed <= ?1 AND (voided IS NULL OR voided > ?1)"
    " THEN coalesce(quantity, 0) ELSE 0 END),"
    " sum(CASE WHEN voided IS NULL OR voided > ?2 THEN 1 ELSE 0 END),"
    " sum(CASE WHEN voided IS NULL OR voided > ?2 THEN coalesce(quantity, 0) ELSE 0 END)"
    " FROM x GROUP BY target, unit"
)


def stages_between(
    db: sqlite3.Connection, first: str, last: str | None
) -> Iterator[tuple[tuple[str, str], str | None, str, str | None]]:
    """((target, unit), stage on ``first``, stage on ``last``, the day of its current
    entry on ``last``) of each unit an entry observed after ``first`` and by ``last``
    (None: open) touches; a stage is its current entry's stage or state ("" when no
    entry is live), None on ``first`` when the unit had no entry yet."""
    if last is None and isinstance(db, sqlite3.Connection):
        rows = db.execute(_STAGES_NOW, (first,))
    else:
        rows = db.execute(_STAGES, (first, last or "9999-99-99"))
    for target, unit, known, stage1, state1, stage2, state2, latest in rows:
        then = (stage1 or state1 or "") if known else None
        yield (target, unit or ""), then, stage2 or state2 or "", latest


def standings_between(
    db: sqlite3.Connection, first: str | None, last: str | None
) -> tuple[dict[tuple[str, str], Standing], dict[tuple[str, str], Standing]]:
    """Where each unit an entry observed after ``first`` and by ``last`` touches stands
    on ``first`` and on ``last`` (None: before any entry; after every one), as the fold
    of its entries has it, read inside SQLite: a step or two through its index for its
    stage and region, one pass over its entries for its live ones."""
    low, high = first or "", last or "9999-99-99"
    # (int: PostgreSQL sums integers as numeric)
    sums = {(t, u or ""): [int(n) for n in rest] for t, u, *rest in db.execute(_SUMS, (low, high))}
    then: dict[tuple[str, str], Standing] = {}
    now: dict[tuple[str, str], Standing] = {}
    for target, unit, known, *day1, stage2, state2, latest2, region2 in db.execute(
        _PLACES, (low, high)
    ):
        key = (target, unit or "")
        live1, quantity1, live2, quantity2 = sums.get(key, (0, 0, 0, 0))
        if known:
            stage1, state1, latest1, region1 = day1
            then[key] = Standing(
                target, region1 or "", stage1 or state1 or "", live1, quantity1, latest1
            )
        now[key] = Standing(
            target, region2 or "", stage2 or state2 or "", live2, quantity2, latest2
        )
    return then, now


def standing_changes(
    then: dict[tuple[str, str], Standing],
    now: dict[tuple[str, str], Standing],
    regions_of: Collection[str] | None = None,
) -> Counts:
    """What the units of ``now`` and ``then`` change in a tally from ``then`` to ``now``."""
    changes: Counts = {}
    for sign, states in ((-1, then), (1, now)):
        for s in states.values():
            acc = changes.setdefault(s.place(regions_of), [0, 0, 0])
            acc[0] += sign
            acc[1] += sign * s.live
            acc[2] += sign * s.quantity
    return changes


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
    if not has_changes(db):
        return
    summed: dict[tuple[str, str], list[int]] = {}
    for (target, _region, stage), change in changes.items():
        acc = summed.setdefault((target, stage), [0, 0, 0])
        for i in range(3):
            acc[i] += change[i]
    db.executemany(
        "INSERT INTO stage_checkpoint VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET"
        " units = units + excluded.units, live = live + excluded.live,"
        " quantity = quantity + excluded.quantity",
        [(day, *k, *v) for k, v in summed.items() if any(v)],
    )
    db.execute(
        "DELETE FROM stage_checkpoint WHERE day = ? AND units = 0 AND live = 0 AND quantity = 0",
        (day,),
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
            _add(db, day, state_changes(before, after))
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
        "SELECT target, unit, min(observed) FROM entry WHERE seq > ? GROUP BY target, unit",
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
) -> None:
    """Derive every checkpoint and the tally's changes day by day again from the
    history, in one pass over it unit by unit (:mod:`.unit_pass`): each unit's moves
    added to the month they happen in (:class:`Months`: a few MiB however long the
    history) and to the days of its target (written target by target). ``each`` is
    called with every unit's state and moves from the same pass (``voided``: see
    :func:`stories`)."""
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
    for story in stories(db, voided):
        months.add(story[0].target, story[1])
        if each is not None:
            each(story)
    months.flush()
    if kept:
        db.executemany("INSERT INTO tally_checkpoint VALUES (?, ?, ?, ?, ?, ?, ?)", months.rows())
        if daily:
            db.execute("INSERT INTO stage_checkpoint " + _SUMMED)


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
        self.by_day: dict[tuple[str, str, str], list[int]] = {}  # the target's days

    def add(self, target: str, moves: list[DeltaRow]) -> None:
        """A unit's moves (by day, as :func:`unit_deltas` gives them); units come target
        by target."""
        if self.daily is not None:
            if target != self.target:
                self.flush()
                self.target = target
            by_day = self.by_day
            for day, region, stage, units, live, quantity, _ in moves:
                changed = by_day.get((day, region, stage))
                if changed is None:
                    by_day[(day, region, stage)] = [units, live, quantity]
                else:
                    changed[0] += units
                    changed[1] += live
                    changed[2] += quantity
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
            self.daily(_day_rows(self.target, self.by_day))

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


def _day_rows(target: str, by_day: dict[tuple[str, str, str], list[int]]) -> list[Row]:
    """One target's rows of ``tally_change`` in table order (emptying ``by_day``: its
    changes by day, region and stage)."""
    rows = [(target, *k, *v) for k, v in sorted(by_day.items()) if any(v)]
    by_day.clear()
    return rows


class _Compared:
    """The days' changes as a pass hands them on, compared with the stored ones."""

    def __init__(self, db: Db) -> None:
        self.stored = iter(db.execute("SELECT * FROM tally_change ORDER BY 1, 2, 3, 4"))
        self.same = True

    def __call__(self, rows: list[Row]) -> None:
        self.same = self.same and all(next(self.stored, None) == row for row in rows)

    def done(self) -> bool:
        return self.same and next(self.stored, None) is None


def to_compare(db: Db) -> Months | bool:
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
    return Months(days, _Compared(db) if has_changes(db) else None)


def same(db: Db, months: Months) -> bool:
    """Whether the checkpoints hold the rows ``months`` (filled) comes to, and no other;
    and the days' changes and the summed checkpoints, where they are kept, theirs."""
    months.flush()
    stored = db.execute(
        "SELECT day, target, region, stage, units, live, quantity FROM tally_checkpoint"
        " ORDER BY 1, 2, 3, 4"
    )
    missing = object()
    pairs = itertools.zip_longest(stored, months.rows(), fillvalue=missing)
    if not all(a == b for a, b in pairs):
        return False
    if not isinstance(months.daily, _Compared):
        return True
    summed = db.execute("SELECT * FROM stage_checkpoint ORDER BY 1, 2, 3").fetchall()
    return months.daily.done() and summed == db.execute(_SUMMED).fetchall()
