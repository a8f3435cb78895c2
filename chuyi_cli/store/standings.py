"""Where each unit stood on a day, read inside SQLite one unit at a time through its index:
the units whose stage moved between two days (``summary --since``), and the count of
entries observed between two days (which anchor of the past is nearer)."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterator
from typing import NamedTuple

from chuyi_cli.store.checkpoints import Key


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


def entries_between(db: sqlite3.Connection, first: str | None, last: str | None) -> int:
    """How many entries were observed after ``first`` and by ``last`` (None: open)."""
    row = db.execute(
        "SELECT count(*) FROM entry INDEXED BY entry_by_observed"
        " WHERE observed > ? AND observed <= ?",
        (first or "", last or "9999-99-99"),
    ).fetchone()
    return int(row[0])
