"""Progress arithmetic: pure functions from catalog, entries and a date to status rows.

No I/O here. The rule (also in the README):

- elapsed   = (D - start) / (deadline - start) in days, clamped to [0, 1]
- achieved  = count/named: distinct units whose current stage at D has reached counts_at
              (a later stage counts, revoked does not); coverage: regions of the level
              with at least min_per_region such units; milestone: 1 if done (goal 1);
              activity: the sum of quantities (no goal)
- completion = min(achieved / goal, 1); expected = elapsed; gap = completion - expected
- projected = achieved / elapsed (null when elapsed is 0)
- class: no_goal | done | not_started | on_track (P >= 0.95) | behind (0.6 <= P < 0.95)
         | off_track (P < 0.6), with P = projected / goal; a milestone in progress is
         behind once elapsed >= 0.5, else on track.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from chuyi_cli.catalog_nodes import COUNTING_STAGES, STAGES, Plan, Target
from chuyi_cli.regions import Gazetteer

if TYPE_CHECKING:
    from chuyi_cli.domain import Entry

CLASSES = ("done", "on_track", "behind", "off_track", "not_started", "no_goal")
# How bad a class is, for `--fail-on`: behind or worse, off_track or worse.
SEVERITY = {"done": 0, "no_goal": 0, "on_track": 0, "not_started": 1, "behind": 1, "off_track": 2}
ON_TRACK = 0.95
BEHIND = 0.6
_RANK = {stage: i for i, stage in enumerate(COUNTING_STAGES)}
# The stages that count for a target counting at a stage: that one and the later ones.
_COUNTING_FROM = {s: COUNTING_STAGES[i:] for i, s in enumerate(COUNTING_STAGES)}


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


# --------------------------------------------------------------------------- tallies


class TallyRow(NamedTuple):
    """How many units of a target stand at a stage (or state) in a region.

    (A named tuple: status reads a few thousand of them on every run.)"""

    region: str  # "" when the units name none
    stage: str  # a stage, a milestone state, or "" (activities; units all voided)
    units: int
    live: int  # their live entries
    quantity: int  # their summed quantities


Tallies = dict[str, list[TallyRow]]


def tally(units: Iterable[UnitState]) -> Tallies:
    """Unit states summed by (target, region, stage): all that status needs, whatever the
    history's size."""
    sums: dict[tuple[str, str, str], list[int]] = {}
    for u in units:
        acc = sums.setdefault(u.tally_key, [0, 0, 0])
        acc[0] += 1
        acc[1] += u.live
        acc[2] += u.quantity
    result: Tallies = {}
    for (target, region, stage), (n, live, quantity) in sorted(sums.items()):
        result.setdefault(target, []).append(TallyRow(region, stage, n, live, quantity))
    return result


# A unit's row of unit_deltas as the store gives it back: (target, unit, day, region,
# stage, units, live, quantity, latest).
StoredDelta = tuple[str, str, str, str, str, int, int, int, str | None]


Move = tuple[str | None, str, str | None]  # stage then, stage now, day of the current entry


def stage_moves(deltas: Iterable[StoredDelta]) -> dict[tuple[str, str], Move]:
    """(stage then, stage now, day of its current entry) of each unit whose stage or state
    ``deltas`` move (then None when the unit had no entry yet). A unit counts once in the
    tally: summed, its rows leave +1 where it stands now and -1 where it stood, or nothing
    if that is one row; its last row says its current entry's day."""
    sums: dict[tuple[str, str], dict[tuple[str, str], int]] = {}
    last: dict[tuple[str, str], tuple[str, str | None]] = {}
    for target, unit, day, region, stage, units, _live, _quantity, latest in deltas:
        key = (target, unit)
        if units:
            at = sums.setdefault(key, {})
            at[(region, stage)] = at.get((region, stage), 0) + units
        if key not in last or day > last[key][0]:
            last[key] = (day, latest)
    moves = {}
    for key, at in sums.items():
        now = next((stage for (_, stage), n in at.items() if n > 0), None)
        then = next((stage for (_, stage), n in at.items() if n < 0), None)
        if now is not None and now != then:
            moves[key] = (then, now, last[key][1])
    return moves


def reached(stage: str | None, counts_at: str | None) -> bool:
    """Whether a unit at ``stage`` counts for a target counting at ``counts_at``."""
    if not stage or stage not in _RANK or counts_at is None:
        return False  # no stage (all voided), revoked, or a milestone state
    return _RANK[stage] >= _RANK[counts_at]


def elapsed(plan: Plan, as_of: dt.date) -> float:
    total = (plan.deadline - plan.start).days
    return min(max((as_of - plan.start).days / total, 0.0), 1.0)


class TargetStatus(NamedTuple):
    target: Target
    goal: int | None
    achieved: int
    completion: float | None
    expected: float
    gap: float | None
    projected: float | None
    cls: str
    pipeline: dict[str, int]
    uncovered: list[str] | None  # region codes at the level not yet covered
    covered: list[str] | None = None
    live: int = 0
    counts_at: str | None = None  # the stage units counted at (the target's, or --counts-at)
    selected_or_later: int | None = None  # achieved had every unit counted from selected on
    of_which_named: int | None = None  # of the units counted, those a named target names
    surplus: dict[str, int] | None = None  # coverage: region → units beyond max_per_region
    years: dict[str, str] | None = None  # a yearly milestone: year → state
    years_elapsed: int | None = None  # a yearly milestone: years of the plan ended by as_of
    undated: int = 0  # a yearly milestone: live entries that name no year

    def as_dict(self, names: dict[str, str] | None = None) -> dict[str, Any]:
        def _name(code: str) -> str:
            return names.get(code, code) if names else code

        return {
            "id": self.target.id,
            "ref": self.target.ref,
            "title": self.target.title,
            "title_en": self.target.title_en,
            "kind": self.target.kind,
            "goal": self.goal,
            "achieved": self.achieved,
            "completion": _round(self.completion),
            "expected": _round(self.expected),
            "gap": _round(self.gap),
            "projected": _round(self.projected),
            "class": self.cls,
            "pipeline": self.pipeline,
            "uncovered": [_name(c) for c in self.uncovered] if self.uncovered is not None else None,
            "counts_at": self.counts_at,
            "selected_or_later": self.selected_or_later,
            "of_which_named": self.of_which_named,
            "surplus": {_name(c): n for c, n in self.surplus.items()}
            if self.surplus is not None
            else None,
            "years": self.years,
            "years_elapsed": self.years_elapsed,
            "undated": self.undated if self.years is not None else None,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def plan_years(plan: Plan) -> list[int]:
    """The years of the plan, the first and the last included (2022 … 2030)."""
    return list(range(plan.start.year, plan.deadline.year + 1))


def years_elapsed(plan: Plan, as_of: dt.date) -> int:
    """How many years of the plan have ended by ``as_of`` (the last ends at the deadline)."""
    return sum(1 for y in plan_years(plan) if min(dt.date(y, 12, 31), plan.deadline) <= as_of)


def expected_share(target: Target, plan: Plan, as_of: dt.date) -> float:
    """Where the target should stand on ``as_of``, as a share of its goal: the straight
    line from the start to the deadline, or, with checkpoints, the line through each."""
    share = elapsed(plan, as_of)
    full = 1 if target.kind == "milestone" else target.goal
    if not target.checkpoints or not full:
        return share
    points = [(plan.start, 0.0)]
    points += [(c.by, c.goal / full) for c in target.checkpoints]
    points.append((plan.deadline, 1.0))
    if as_of <= plan.start:
        return 0.0
    for (d0, v0), (d1, v1) in zip(points, points[1:], strict=False):
        if as_of <= d1:
            return v0 + (v1 - v0) * (as_of - d0).days / max((d1 - d0).days, 1)
    return 1.0


def target_status(
    target: Target,
    rows: Iterable[TallyRow],
    plan: Plan,
    as_of: dt.date,
    places: Gazetteer,
    within: set[str] | None = None,
    counts_at: str | None = None,
    years: dict[str, str] | None = None,
    undated: int = 0,
    named_among: int | None = None,
) -> TargetStatus:
    """The status of one target from its tally rows at ``as_of``.

    ``within`` (region codes) restricts it to units in those regions; a coverage target
    then counts only the regions of its level that lie in, or hold, one of them.
    ``counts_at`` counts units at that stage instead of the target's own (a what-if);
    ``years`` (year → state) and ``undated`` are a yearly milestone's, ``named_among``
    the units of a named target ``among`` this one that it counts.
    """
    rows = list(rows) if within is None else [r for r in rows if r.region in within]
    live = sum(r.live for r in rows)
    share = elapsed(plan, as_of)
    pipeline = dict.fromkeys(STAGES, 0)
    for r in rows:
        if r.stage in pipeline:
            pipeline[r.stage] += r.units
    uncovered = covered = None
    kind = target.kind
    goal = target.goal
    state = None
    stage = (counts_at or target.counts_at) if target.has_units else None
    counting = _COUNTING_FROM.get(stage or "", ())
    selected_or_later = surplus = None
    due = None
    if kind in ("count", "named"):
        # A named target only ever takes the units it names (entries are checked).
        achieved = sum(pipeline[s] for s in counting)
        selected_or_later = sum(pipeline[s] for s in COUNTING_STAGES)
    elif kind == "coverage":
        per_region: dict[str, int] = {}
        any_stage: dict[str, int] = {}
        for r in rows:
            if r.stage in COUNTING_STAGES and r.region:
                code = _at_level(r.region, target.level, places)
                if code:
                    any_stage[code] = any_stage.get(code, 0) + r.units
                    if r.stage in counting:
                        per_region[code] = per_region.get(code, 0) + r.units
        level_codes = [p.code for p in places.level(target.level or "city")]
        if within is not None:
            holding = {_at_level(code, target.level, places) for code in within}
            level_codes = [c for c in level_codes if c in within or c in holding]
            goal = len(level_codes)
        minimum = target.min_per_region or 1
        covered = [c for c in level_codes if per_region.get(c, 0) >= minimum]
        uncovered = [c for c in level_codes if per_region.get(c, 0) < minimum]
        achieved = len(covered)
        selected_or_later = sum(1 for c in level_codes if any_stage.get(c, 0) >= minimum)
        if target.max_per_region is not None:
            most = target.max_per_region
            surplus = {c: per_region[c] - most for c in level_codes if per_region.get(c, 0) > most}
    elif kind == "milestone" and target.yearly:
        # One state a year: the years done, against the years of the plan ended by as_of.
        all_years = {str(y) for y in plan_years(plan)}
        years = {y: s for y, s in (years or {}).items() if y in all_years}
        goal = len(all_years)
        achieved = sum(1 for s in years.values() if s == "done")
        due = years_elapsed(plan, as_of)
        share = due / goal
    elif kind == "milestone":
        goal = 1
        state = next((r.stage for r in rows if r.units and r.stage), None)
        achieved = 1 if state == "done" else 0
    else:  # activity
        goal = None
        achieved = sum(r.quantity for r in rows)
    extra: dict[str, Any] = {
        "counts_at": stage,
        "selected_or_later": selected_or_later,
        "of_which_named": named_among,
        "surplus": surplus,
        "years": dict(sorted(years.items())) if due is not None and years is not None else None,
        "years_elapsed": due,
        "undated": undated if due is not None else 0,
    }
    if goal is None:
        return TargetStatus(
            target,
            None,
            achieved,
            None,
            share,
            None,
            None,
            "no_goal",
            pipeline,
            uncovered,
            covered,
            live,
            **extra,
        )
    expected = share if due is not None else expected_share(target, plan, as_of)
    completion = min(achieved / goal, 1.0)
    projected = achieved / share if share > 0 and due is None else None
    cls = classify(target.kind, goal, achieved, projected, share, live, state, expected)
    return TargetStatus(
        target,
        goal,
        achieved,
        completion,
        expected,
        completion - expected,
        projected,
        cls,
        pipeline,
        uncovered,
        covered,
        live,
        **extra,
    )


def classify(
    kind: str,
    goal: int,
    achieved: int,
    projected: float | None,
    share: float,
    live: int,
    state: str | None = None,
    expected: float | None = None,
) -> str:
    """The class of a target; the pace is achieved / goal against ``expected`` (the share
    of the plan's time elapsed, unless checkpoints or years say otherwise)."""
    if expected is None:
        expected = share
    if achieved >= goal:
        return "done"
    if live == 0:
        return "not_started"
    if kind == "milestone" and state is not None:
        if state == "in_progress":
            return "behind" if expected >= 0.5 else "on_track"
        return "not_started"
    if expected <= 0:
        return "on_track"  # nothing is due before the plan starts
    if projected is not None and expected == share:
        pace = projected / goal  # (the straight line: the same float as ever at a boundary)
    else:
        pace = achieved / goal / expected
    if pace >= ON_TRACK:
        return "on_track"
    if pace >= BEHIND:
        return "behind"
    return "off_track"


def _at_level(code: str, level: str | None, places: Gazetteer) -> str | None:
    region = places.by_code.get(code)
    if region is None:
        return None
    if level == "city":
        city = places.city_of(region)
        return city.code if city else None
    return code if region.level == "county" else None


class Overall(NamedTuple):
    completion: float | None
    by_class: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {"completion": _round(self.completion), "by_class": self.by_class}


def overall(rows: Iterable[TargetStatus]) -> Overall:
    """Mean completion of the targets that have a goal, and how many are in each class."""
    rows = list(rows)
    by_class = dict.fromkeys(CLASSES, 0)
    for row in rows:
        by_class[row.cls] += 1
    measured = [r.completion for r in rows if r.completion is not None]
    mean = sum(measured) / len(measured) if measured else None
    return Overall(mean, by_class)


def plan_status(
    plan: Plan,
    tallies: Tallies,
    as_of: dt.date,
    places: Gazetteer,
    targets: Iterable[Target] | None = None,
    within: set[str] | None = None,
    counts_at: str | None = None,
    extras: dict[str, dict[str, Any]] | None = None,
) -> list[TargetStatus]:
    """The status of each target (all of the plan's unless ``targets`` is given);
    ``extras``: per target id, what the tally cannot say (see :func:`target_status`)."""
    chosen = plan.targets if targets is None else list(targets)
    extras = extras or {}
    return [
        target_status(
            t, tallies.get(t.id, []), plan, as_of, places, within, counts_at, **extras.get(t.id, {})
        )
        for t in chosen
    ]
