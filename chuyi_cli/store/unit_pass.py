"""One pass over the history, unit by unit: each unit's state now and how its place in
the tally moved day by day, from one sorted read of the entries as plain cells.

The checkpoints, unit_delta, a repair and ``check`` all read the whole history this way:
SQLite sorts the entries by unit and day (a sort beats looking each unit up through an
index), and each unit is folded day by day once, without an object per entry.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from operator import itemgetter
from typing import Any

from chuyi_cli.domain import Entry
from chuyi_cli.fold import DeltaRow, Order, UnitState, fold_units
from chuyi_cli.store.sqlite import Db

# The cells of an entry the pass reads, and their places in a row.
_CELLS = (
    "e.id, e.target, e.unit, e.region, e.stage, e.state, e.quantity, e.observed,"
    " e.recorded, e.voids, e.seq"
)
ID, TARGET, UNIT, REGION, STAGE, STATE, QUANTITY, OBSERVED, RECORDED, VOIDS, SEQ = range(11)
_UNIT = itemgetter(TARGET, UNIT)
_REGION, _OBSERVED = itemgetter(REGION), itemgetter(OBSERVED)

# An entry's cells as the pass reads them (id, target, unit, region, stage, state,
# quantity, observed, recorded, voids, seq).
Cells = tuple[Any, ...]
Story = tuple[UnitState, list[DeltaRow]]


def stories(
    db: Db,
    voided: set[str] | None = None,
    last: dict[str, str] | None = None,
    each: Callable[[list[Cells]], None] | None = None,
) -> Iterator[Story]:
    """Each unit's state now and its moves (:func:`story`), in (target, unit) order (a
    target without units is the unit ""), as unit_state is ordered.

    ``voided``, when given, is every entry a void cancels: the states are then folded as
    :func:`fold_units` folds the whole history with it (for a file in which a void
    cancels an entry of another unit, which no write makes). ``last``, when given, is
    filled as the units pass with each region's last record: the latest day observed
    of a live entry (neither voided nor a void) naming it, as region_last holds it.
    ``each``, when given, is handed each unit's cells (sorted by day observed)."""
    rows = db.execute(
        f"SELECT {_CELLS} FROM entry AS e NOT INDEXED"
        " ORDER BY e.target, coalesce(e.unit, ''), e.observed"
    )
    for _key, group in itertools.groupby(rows, key=_UNIT):
        cells = list(group)
        fold = _Fold(cells)
        state, moves = _told(fold)
        if last is not None:
            _last_records(cells, fold.voided if voided is None else voided, last)
        if each is not None:
            each(cells)
        if voided is not None:
            key = (state.target, state.unit)
            state = fold_units(map(_entry, cells), voided=voided)[key]
        yield state, moves


def _entry(cells: Cells) -> Entry:
    return Entry(*cells[: RECORDED + 1], "", voids=cells[VOIDS])  # type: ignore[misc, call-arg]


def story(rows: list[Cells]) -> Story:
    """One unit's state after its last entry (as :func:`fold_units` has it) and the moves
    of its place in the tally on each day it has entries (the rows of
    ``unit_deltas(entries, "")``), from its entries' cells sorted by day observed."""
    return _told(_Fold(rows))


def _told(fold: _Fold) -> Story:
    """:func:`story` of a unit's fold, its days folded in turn."""
    rows = fold.rows
    moves: list[DeltaRow] = []
    before: _Place | None = None
    n, i = len(rows), 0
    while i < n:
        day = rows[i][OBSERVED]
        i = fold.day(i)
        now = ((fold.region or "", fold.stage or fold.state or ""), fold.live, fold.quantity)
        if now != before:
            _move(moves, day, before, now, fold.latest)
        before = now
    return fold.state_now(), moves


def _last_records(rows: list[Cells], voided: set[str], last: dict[str, str]) -> None:
    """Each region's last record among a unit's entries (sorted by day observed) that
    are live: not voids, and not in ``voided``."""
    if voided:
        rows = [r for r in rows if r[VOIDS] is None and r[ID] not in voided]
    # (By day observed: a region's last row is its latest.)
    regions = dict(zip(map(_REGION, rows), map(_OBSERVED, rows), strict=True))
    for region, observed in regions.items():
        if region is not None:
            seen = last.get(region)
            if seen is None or observed > seen:
                last[region] = observed


_Place = tuple[tuple[str, str], int, int]  # ((region, stage), live, quantity)


def _move(
    moves: list[DeltaRow], day: str, before: _Place | None, now: _Place, latest: Order | None
) -> None:
    """What a unit's move from ``before`` (None: nowhere) to ``now`` on ``day`` changes in
    the tally rows, in the order of their places."""
    last = latest[0] if latest else None
    place, live, quantity = now
    if before is None:
        moves.append((day, *place, 1, live, quantity, last))
        return
    was, was_live, was_quantity = before
    if was == place:
        moves.append((day, *place, 0, live - was_live, quantity - was_quantity, last))
        return
    gone = (day, *was, -1, -was_live, -was_quantity, last)
    come = (day, *place, 1, live, quantity, last)
    moves += (gone, come) if was < place else (come, gone)


class _Fold:
    """A unit folded day by day: a day's entries count first, then its voids (each
    cancelling its entry from that day on, when that entry is observed by then); a void
    that takes away the entry the stage or the region comes from has the current entry
    found again among those left."""

    __slots__ = ("rows", "target", "unit", "entries", "live", "quantity", "latest",
                 "region_at", "region", "stage", "state", "voided", "by_id")  # fmt: skip

    def __init__(self, rows: list[Cells]) -> None:
        self.rows = rows
        self.target, self.unit = rows[0][TARGET], rows[0][UNIT] or ""
        self.entries = self.live = self.quantity = 0
        self.latest: Order | None = None
        self.region_at: Order | None = None
        self.region: str | None = None
        self.stage: str | None = None
        self.state: str | None = None
        self.voided: set[str] = set()
        self.by_id: dict[str, Cells] | None = None

    def day(self, i: int) -> int:
        """Fold in the day of ``rows[i]``: its entries, then its voids; where the next
        day starts."""
        rows, voided = self.rows, self.voided
        n, day = len(rows), rows[i][OBSERVED]
        entries, live, quantity = self.entries, self.live, self.quantity
        latest, region_at = self.latest, self.region_at
        voids: list[Cells] = []
        while i < n and rows[i][OBSERVED] == day:
            r = rows[i]
            i += 1
            if r[VOIDS] is not None:
                voids.append(r)
                continue
            entries += 1
            if voided and r[ID] in voided:
                continue
            live += 1
            quantity += r[QUANTITY] or 0
            order = (day, r[RECORDED], r[ID])
            if latest is None or order > latest:
                latest, self.stage, self.state = order, r[STAGE], r[STATE]
            if r[REGION] and (region_at is None or order > region_at):
                region_at, self.region = order, r[REGION]
        self.entries, self.live, self.quantity = entries, live, quantity
        self.latest, self.region_at = latest, region_at
        if voids:
            self.cancel(voids, day, i)
        return i

    def cancel(self, voids: list[Cells], day: str, end: int) -> None:
        """The day's voids (``rows[:end]``: the entries up to that day's end)."""
        if self.by_id is None:
            self.by_id = {r[ID]: r for r in self.rows if r[VOIDS] is None}
        refold = False
        for v in voids:
            self.entries += 1
            if v[VOIDS] in self.voided:
                continue  # cancelled before: nothing more changes
            self.voided.add(v[VOIDS])
            gone = self.by_id.get(v[VOIDS])
            if gone is not None and gone[OBSERVED] <= day:
                self.live -= 1
                self.quantity -= gone[QUANTITY] or 0
                order = (gone[OBSERVED], gone[RECORDED], gone[ID])
                refold = refold or order in (self.latest, self.region_at)
        if refold:
            found = _current(self.rows[:end], self.voided)
            self.latest, self.stage, self.state, self.region_at, self.region = found

    def state_now(self) -> UnitState:
        latest = self.latest
        return UnitState(
            self.target, self.unit, self.region, self.stage, self.state, self.quantity,
            self.live, self.entries, latest[0] if latest else None, latest, self.region_at,
        )  # fmt: skip


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
