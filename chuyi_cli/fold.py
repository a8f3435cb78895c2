"""The fold: the one rule of where a unit stands, from its entries (pure).

A unit's current stage (or state) is that of its latest live entry: observed date, then
recorded time, then id, so the order entries arrive in never changes it. :class:`UnitFold`
applies the rule entry by entry (a history, or the entries a write adds);
:func:`fold_units` folds a history at once; :func:`unit_deltas` says how one unit's place
in the tally moves day by day, which turns today's tally back into a past day's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from chuyi_cli.domain import Entry

Order = tuple[str, str, str]  # (observed, recorded, id): which of two entries is later


class UnitState(NamedTuple):
    """Where one unit of one target stands (for milestones and activities: the target).

    Named tuples here and below: they cost a fraction of a dataclass to define and to
    build, and every run of chuyi builds them."""

    target: str
    unit: str  # "" for milestone and activity targets
    region: str | None
    stage: str | None  # current stage of the latest live entry (units)
    state: str | None  # current state (milestones)
    quantity: int  # sum of live quantities (activities)
    live: int  # entries neither voided nor voids
    entries: int  # every entry of the unit, voided ones and voids included
    # The latest day a live entry observed (a voided entry is no visit): the day of the
    # current entry, None when no entry is live.
    last_observed: str | None
    latest: Order | None = None  # order key of the current live entry
    region_at: Order | None = None  # order key of the live entry the region comes from

    @property
    def tally_key(self) -> tuple[str, str, str]:
        """Where the unit counts in a tally: (target, region, stage or state)."""
        return (self.target, self.region or "", self.stage or self.state or "")


class UnitFold:
    """Builds a unit's state entry by entry; the one rule for history and live updates."""

    __slots__ = (
        "target",
        "unit",
        "region",
        "stage",
        "state",
        "quantity",
        "live",
        "entries",
        "last",
        "latest",
        "region_at",
    )

    def __init__(self, target: str, unit: str, start: UnitState | None = None) -> None:
        self.target, self.unit = target, unit
        if start is None:
            self.region = self.stage = self.state = self.last = None
            self.latest = self.region_at = None
            self.quantity = self.live = self.entries = 0
        else:
            self.region, self.stage, self.state = start.region, start.stage, start.state
            self.quantity, self.live, self.entries = start.quantity, start.live, start.entries
            self.last, self.latest, self.region_at = (
                start.last_observed,
                start.latest,
                start.region_at,
            )

    def add(self, e: Entry, live: bool = True) -> None:
        """An entry of this unit (not a void); ``live`` False when it is voided."""
        self.entries += 1
        if not live:
            return
        if self.last is None or e.observed > self.last:
            self.last = e.observed
        self.live += 1
        self.quantity += e.quantity or 0
        order = e.order
        if self.latest is None or order > self.latest:
            self.latest, self.stage, self.state = order, e.stage, e.state
        if e.region and (self.region_at is None or order > self.region_at):
            self.region_at, self.region = order, e.region

    def add_void(self) -> None:
        """A void of this unit: an entry on record, not an observation."""
        self.entries += 1

    def cancel(self, e: Entry) -> bool:
        """A live entry became voided. True when the current stage or region came from it
        (then the unit must be folded again from its history; the last day observed, the
        current entry's, comes back with it)."""
        self.live -= 1
        self.quantity -= e.quantity or 0
        return e.order in (self.latest, self.region_at)

    def state_now(self) -> UnitState:
        return UnitState(
            self.target,
            self.unit,
            self.region,
            self.stage,
            self.state,
            self.quantity,
            self.live,
            self.entries,
            self.last,
            self.latest,
            self.region_at,
        )


def fold_units(
    entries: Iterable[Entry], as_of: dt.date | None = None, voided: set[str] | None = None
) -> dict[tuple[str, str], UnitState]:
    """Each (target, unit)'s state from its entries observed on or before ``as_of``.

    The current stage is that of the latest live entry (observed date, then recorded
    time, then id), so the order entries arrive in never changes the result. A caller
    that knows which entries those voids cancel passes ``voided``; the entries are then
    streamed, not held.
    """
    limit = as_of.isoformat() if as_of else None
    kept: Iterable[Entry] = entries
    if limit is not None:
        kept = (e for e in entries if e.observed <= limit)
    if voided is None:
        kept = list(kept)
        voided = {e.voids for e in kept if e.voids}
    folds: dict[tuple[str, str], UnitFold] = {}
    for e in kept:
        key = (e.target, e.unit or "")
        fold = folds.get(key)
        if fold is None:
            fold = folds[key] = UnitFold(*key)
        if e.voids:
            fold.add_void()
        else:
            fold.add(e, live=e.id not in voided)
    return {key: fold.state_now() for key, fold in folds.items()}


DeltaRow = tuple[str, str, str, int, int, int, str | None]


def unit_deltas(entries: list[Entry], start: str) -> list[DeltaRow]:
    """How one unit's place in the tally moves on each day from ``start`` on.

    Rows (day, region, stage, units, live, quantity, latest): what the unit adds to (or,
    negative, takes from) that tally row on that day, as the entries observed by then
    (voids by their own day) have it, and the day of its current entry after that day.
    Summed over the days after D, they turn the tally of today back into the tally of D.
    ``entries`` are all of the unit's, voids included.

    One pass: the unit is folded up to ``start``, then day by day; a void that takes the
    current stage or region away has the unit folded again up to that day."""
    ordered = sorted(entries, key=lambda e: e.observed)
    first = next((i for i, e in enumerate(ordered) if e.observed >= start), len(ordered))
    rows: list[DeltaRow] = []
    if first == len(ordered):
        return rows
    key = (ordered[0].target, ordered[0].unit or "")
    fold = UnitFold(*key, fold_units(ordered[:first]).get(key))
    voided = {e.voids for e in ordered[:first] if e.voids}
    cancelled = {e.id: e for e in entries if not e.voids}
    before = _place_in_tally(fold.state_now() if fold.entries else None)
    i = first
    while i < len(ordered):
        day = ordered[i].observed
        j = i
        while j < len(ordered) and ordered[j].observed == day:
            j += 1
        todays = ordered[i:j]
        refold = False
        for e in todays:
            if not e.voids:
                fold.add(e, live=e.id not in voided)
        for e in todays:
            if e.voids:
                fold.add_void()
                if e.voids in voided:
                    continue  # cancelled before: nothing more changes
                voided.add(e.voids)
                gone = cancelled.get(e.voids)
                if gone is not None and gone.observed <= day and fold.cancel(gone):
                    refold = True
        if refold:
            fold = UnitFold(*key, fold_units(ordered[:j])[key])
        state = fold.state_now()
        now = _place_in_tally(state)
        latest = state.latest[0] if state.latest else None
        for place in sorted(before.keys() | now.keys()):
            a, b = now.get(place, (0, 0, 0)), before.get(place, (0, 0, 0))
            change = (a[0] - b[0], a[1] - b[1], a[2] - b[2])
            if any(change):
                rows.append((day, *place, *change, latest))
        before = now
        i = j
    return rows


def _place_in_tally(state: UnitState | None) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(region, stage) → (units, live, quantity): what a unit in ``state`` adds to a tally."""
    if state is None:
        return {}
    return {state.tally_key[1:]: (1, state.live, state.quantity)}
