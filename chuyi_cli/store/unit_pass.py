"""One pass over the history, unit by unit: each unit's state now and how its place in
the tally moved day by day, from one sorted read of the entries as plain cells.

The checkpoints, unit_delta, a repair and ``check`` all read the whole history this way:
SQLite sorts the entries by unit and day (a sort beats looking each unit up through an
index), and each unit is folded day by day once, without an object per entry.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from operator import itemgetter
from typing import Any

from chuyi_cli.domain import Entry
from chuyi_cli.fold import DeltaRow, Order, UnitState, fold_units

# The cells of an entry the pass reads, and their places in a row.
_CELLS = (
    "e.id, e.target, e.unit, e.region, e.stage, e.state, e.quantity, e.observed,"
    " e.recorded, e.voids"
)
ID, TARGET, UNIT, REGION, STAGE, STATE, QUANTITY, OBSERVED, RECORDED, VOIDS = range(10)
_UNIT = itemgetter(TARGET, UNIT)

# An entry's cells as the pass reads them (id, target, unit, region, stage, state,
# quantity, observed, recorded, voids).
Cells = tuple[Any, ...]
Story = tuple[UnitState, list[DeltaRow]]


def stories(db: sqlite3.Connection, voided: set[str] | None = None) -> Iterator[Story]:
    """Each unit's state now and its moves (:func:`story`), in (target, unit) order (a
    target without units is the unit ""), as unit_state is ordered.

    ``voided``, when given, is every entry a void cancels: the states are then folded as
    :func:`fold_units` folds the whole history with it (for a file in which a void
    cancels an entry of another unit, which no write makes)."""
    rows = db.execute(
        f"SELECT {_CELLS} FROM entry AS e NOT INDEXED"
        " ORDER BY e.target, coalesce(e.unit, ''), e.observed"
    )
    for _key, group in itertools.groupby(rows, key=_UNIT):
        cells = list(group)
        state, moves = story(cells)
        if voided is not None:
            key = (state.target, state.unit)
            state = fold_units(map(_entry, cells), voided=voided)[key]
        yield state, moves


def _entry(cells: Cells) -> Entry:
    return Entry(*cells[: RECORDED + 1], "", voids=cells[VOIDS])  # type: ignore[misc, call-arg]


def story(rows: list[Cells]) -> Story:
    """One unit's state after its last entry (as :func:`fold_units` has it) and the moves
    of its place in the tally on each day it has entries (the rows of
    ``unit_deltas(entries, "")``), from its entries' cells sorted by day observed.

    A day's entries count first, then its voids (each cancelling its entry from that day
    on, when that entry is observed by then); a void that takes away the entry the stage
    or the region comes from has the current entry found again among those left."""
    first = rows[0]
    target, unit = first[TARGET], first[UNIT] or ""
    moves: list[DeltaRow] = []
    entries = live = quantity = 0
    latest: Order | None = None
    region_at: Order | None = None
    region = stage = state = None
    voided: set[str] = set()
    by_id: dict[str, Cells] | None = None
    place: tuple[str, str] | None = None
    was_live = was_quantity = 0
    n, i = len(rows), 0
    while i < n:
        day = rows[i][OBSERVED]
        voids: list[Cells] = []
        j = i
        while j < n and rows[j][OBSERVED] == day:
            r = rows[j]
            j += 1
            if r[VOIDS] is not None:
                voids.append(r)
                continue
            entries += 1
            if voided and r[ID] in voided:
                continue
            live += 1
            if r[QUANTITY]:
                quantity += r[QUANTITY]
            order = (day, r[RECORDED], r[ID])
            if latest is None or order > latest:
                latest, stage, state = order, r[STAGE], r[STATE]
            if r[REGION] and (region_at is None or order > region_at):
                region_at, region = order, r[REGION]
        if voids:
            if by_id is None:
                by_id = {r[ID]: r for r in rows if r[VOIDS] is None}
            refold = False
            for v in voids:
                entries += 1
                if v[VOIDS] in voided:
                    continue  # cancelled before: nothing more changes
                voided.add(v[VOIDS])
                gone = by_id.get(v[VOIDS])
                if gone is not None and gone[OBSERVED] <= day:
                    live -= 1
                    quantity -= gone[QUANTITY] or 0
                    order = (gone[OBSERVED], gone[RECORDED], gone[ID])
                    refold = refold or order in (latest, region_at)
            if refold:
                latest, stage, state, region_at, region = _current(rows[:j], voided)
        now = (region or "", stage or state or "")
        last = latest[0] if latest else None
        if place is None:
            moves.append((day, *now, 1, live, quantity, last))
        elif now == place:
            if live != was_live or quantity != was_quantity:
                moves.append((day, *now, 0, live - was_live, quantity - was_quantity, last))
        else:
            gone_from = (day, *place, -1, -was_live, -was_quantity, last)
            come_to = (day, *now, 1, live, quantity, last)
            moves += (gone_from, come_to) if place < now else (come_to, gone_from)
        place, was_live, was_quantity = now, live, quantity
        i = j
    last = latest[0] if latest else None
    return (
        UnitState(
            target, unit, region, stage, state, quantity, live, entries, last, latest, region_at
        ),  # fmt: skip
        moves,
    )


def _current(
    rows: list[Cells], voided: set[str]
) -> tuple[Order | None, str | None, str | None, Order | None, str | None]:
    """(latest, stage, state, region_at, region) among the live entries of ``rows``."""
    latest: Order | None = None
    region_at: Order | None = None
    region = stage = state = None
    for r in rows:
        if r[VOIDS] is not None or r[ID] in voided:
            continue
        order = (r[OBSERVED], r[RECORDED], r[ID])
        if latest is None or order > latest:
            latest, stage, state = order, r[STAGE], r[STATE]
        if r[REGION] and (region_at is None or order > region_at):
            region_at, region = order, r[REGION]
    return latest, stage, state, region_at, region
