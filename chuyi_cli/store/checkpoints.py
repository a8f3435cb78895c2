"""Monthly checkpoints of the tally: what it was at every month end since the plan began.

``tally_checkpoint`` holds, for each month end from April 2022 up to ``checkpoint_mark``
(the last month end before the day of the last write), the tally as the history known
now folds to on that day. Every write keeps them in its own transaction: a month end
that has passed is added, and an entry (or void) observed on or before a month end
changes that checkpoint by what it changes in its unit's state there. A past day is then
read from the nearest checkpoint and the few units that entries between them touch.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Collection, Mapping
from functools import partial
from itertools import groupby
from operator import itemgetter
from typing import Protocol, TypeVar

from chuyi_cli.fold import UnitState, fold_units
from chuyi_cli.store.rows import ENTRY_COLUMNS_OF_E, entry_of
from chuyi_cli.store.sqlite import Db, keeps, marks
from chuyi_cli.tally import Stages, Tallies, TallyRow

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
    """Whether the store keeps checkpoints (a file of schema 7 or later does)."""
    return keeps(db, "checkpoint_mark")


def has_changes(db: Db) -> bool:
    """Whether the store keeps the tally's changes day by day (``tally_change``: a file
    of schema 8 or later)."""
    return keeps(db, "tally_change")


def region_or_summed(
    regions_of: Collection[str] | None, table: str = ""
) -> tuple[str, tuple[str, ...]]:
    """A row's region in SQL where only the targets of ``regions_of`` keep their regions
    (the others' rows summed, region ""; None: every target's kept), with its parameters
    (``table``: the name the query gives the table)."""
    at = f"{table}." if table else ""
    if regions_of is None:
        return f"{at}region", ()
    keep = sorted(regions_of)
    listed = marks(keep) or "NULL"
    return f"CASE WHEN {at}target IN ({listed}) THEN {at}region ELSE '' END", tuple(keep)


def changed_between(
    db: sqlite3.Connection, first: str, last: str | None, regions_of: Collection[str] | None
) -> Counts:
    """What the days after ``first`` and by ``last`` (None: every day after) changed in
    the tally, summed from ``tally_change``: a few rows a day for each target."""
    where, params = region_or_summed(regions_of, "c")
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
    stages: Stages | None = None,
) -> dict[str, Tallies]:
    """The tally at each of ``days`` (checkpoint days), each target's rows in the order
    of their key (which the queries read them in). (``regions_of``: the targets whose
    rows keep their regions; the others' come summed, region ""; ``targets``: these
    targets' rows alone; ``stages``: targets whose rows at these stages alone are read.)

    A day at a time, a target at a time where its regions are kept: every value a row
    hands over costs as much as a row's work here."""
    found: dict[str, Tallies] = {day: {} for day in days}
    if not days or (targets is not None and not targets):
        return found
    queries = _queries(db, regions_of, targets, stages or {})
    for day, tallies in found.items():
        for sql, params, target in queries:
            rows = db.execute(sql, (day, *params))
            if target is None:  # (each row names its target first)
                for name, its_rows in groupby(rows, _TARGET):
                    tallies[name] = list(map(_TALLY_ROW, map(_ROW, its_rows)))
            elif kept := list(map(_TALLY_ROW, rows)):
                tallies[target] = kept
    return found


# A query of one day's rows: its SQL (the day its first parameter), the parameters after
# the day, and the target its rows are of (None: each row's first column names it).
_Query = tuple[str, tuple[str, ...], str | None]


def _queries(
    db: sqlite3.Connection,
    regions_of: Collection[str] | None,
    targets: Collection[str] | None,
    stages: Stages,
) -> list[_Query]:
    """The queries :func:`read` reads a day's rows with. (None asks for targets ``IN
    ()``, nor for a target's rows at no stage: SQLite would read the whole table.)"""
    only, chosen = _staged(stages)
    if targets is not None:
        only += f" AND target IN ({marks(targets)})"
        chosen += tuple(sorted(targets))
    rows = "region, stage, units, live, quantity FROM tally_checkpoint WHERE day = ?"
    if regions_of is None:
        return [(f"SELECT target, {rows}{only} ORDER BY 1, 2, 3", chosen, None)]
    queries: list[_Query] = []
    for target in sorted(t for t in regions_of if targets is None or t in targets):
        at = tuple(sorted(stages.get(target, ())))
        if target not in stages or at:
            stage_in = f" AND stage IN ({marks(at)})" if at else ""
            sql = f"SELECT {rows} AND target = ?{stage_in} ORDER BY 1, 2"
            queries.append((sql, (target, *at), target))
    apart = sorted(regions_of)
    summed = (
        "SELECT target, '', stage, units, live, quantity FROM stage_checkpoint"
        f" WHERE day = ? AND target NOT IN ({marks(apart)}){only} ORDER BY 1, 3"
        if has_changes(db)
        else "SELECT target, '', stage, sum(units), sum(live), sum(quantity)"
        f" FROM tally_checkpoint WHERE day = ? AND target NOT IN ({marks(apart)}){only}"
        " GROUP BY target, stage"
        " HAVING sum(units) <> 0 OR sum(live) <> 0 OR sum(quantity) <> 0 ORDER BY 1, 3"
    )
    return [*queries, (summed, (*apart, *chosen), None)]


def _staged(stages: Stages) -> tuple[str, tuple[str, ...]]:
    """The condition that keeps the rows of ``stages``' targets at their stages alone
    (the others' all), and its parameters."""
    if not stages:
        return "", ()
    named = sorted(stages)
    pairs = tuple(v for t in named for s in sorted(stages[t]) for v in (t, s))
    sql = f" AND (target NOT IN ({marks(named)})"
    if pairs:
        sql += f" OR (target, stage) IN (VALUES {', '.join(['(?, ?)'] * (len(pairs) // 2))})"
    return sql + ")", (*named, *pairs)


# A day's row (target, region, stage, units, live, quantity) as its target, and as a
# TallyRow (built in C).
_TARGET = itemgetter(0)
_ROW = itemgetter(slice(1, None))
_TALLY_ROW = partial(tuple.__new__, TallyRow)


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


class Counted(Protocol):
    """A unit's state as a tally counts it: its live entries and their quantity."""

    @property
    def live(self) -> int: ...

    @property
    def quantity(self) -> int: ...


_S = TypeVar("_S", bound=Counted)


def state_changes(
    then: Mapping[tuple[str, str], _S],
    now: Mapping[tuple[str, str], _S],
    place_of: Callable[[_S, Collection[str] | None], Key],
    regions_of: Collection[str] | None = None,
) -> Counts:
    """What the units of ``now`` and ``then`` change in a tally from ``then`` to ``now``,
    each counted where ``place_of`` puts it."""
    changes: Counts = {}
    for sign, states in ((-1, then), (1, now)):
        for s in states.values():
            acc = changes.setdefault(place_of(s, regions_of), [0, 0, 0])
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
