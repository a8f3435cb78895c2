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
from dataclasses import dataclass, field
from typing import Any

from chuyi_cli.catalog import COUNTING_STAGES, STAGES, Plan, Target
from chuyi_cli.entries import Entry, normalise_unit
from chuyi_cli.regions import Gazetteer

CLASSES = ("done", "on_track", "behind", "off_track", "not_started", "no_goal")
# How bad a class is, for `--fail-on`: behind or worse, off_track or worse.
SEVERITY = {"done": 0, "no_goal": 0, "on_track": 0, "not_started": 1, "behind": 1, "off_track": 2}
ON_TRACK = 0.95
BEHIND = 0.6
_RANK = {stage: i for i, stage in enumerate(COUNTING_STAGES)}


@dataclass(frozen=True)
class UnitState:
    """Where one unit of one target stands (for milestones and activities: the target)."""

    target: str
    unit: str  # "" for milestone and activity targets
    region: str | None
    stage: str | None  # current stage of the latest live entry (units)
    state: str | None  # current state (milestones)
    quantity: int  # sum of live quantities (activities)
    live: int  # entries neither voided nor voids
    entries: int  # every entry of the unit, voided ones and voids included
    last_observed: str | None  # the latest day any of its entries (voids aside) observed
    latest: tuple[str, str, str] | None = None  # order key of the current live entry


def fold_units(
    entries: Iterable[Entry], as_of: dt.date | None = None
) -> dict[tuple[str, str], UnitState]:
    """Each (target, unit)'s state from its entries observed on or before ``as_of``.

    The current stage is that of the latest live entry (observed date, then recorded
    time, then id), so the order entries arrive in never changes the result.
    """
    limit = as_of.isoformat() if as_of else None
    kept = [e for e in entries if limit is None or e.observed <= limit]
    voided = {e.voids for e in kept if e.voids}
    acc: dict[tuple[str, str], dict[str, Any]] = {}
    for e in kept:
        key = (e.target, e.unit or "")
        a = acc.setdefault(
            key,
            {
                "entries": 0,
                "live": 0,
                "quantity": 0,
                "last": None,
                "latest": None,
                "current": None,
                "region_at": None,
                "region": None,
            },
        )
        a["entries"] += 1
        if e.voids:
            continue  # a void is a correction, not an observation
        if a["last"] is None or e.observed > a["last"]:
            a["last"] = e.observed
        if e.id in voided:
            continue
        a["live"] += 1
        a["quantity"] += e.quantity or 0
        if a["latest"] is None or e.order > a["latest"]:
            a["latest"], a["current"] = e.order, e
        if e.region and (a["region_at"] is None or e.order > a["region_at"]):
            a["region_at"], a["region"] = e.order, e.region
    states = {}
    for (target, unit), a in acc.items():
        current = a["current"]
        states[(target, unit)] = UnitState(
            target=target,
            unit=unit,
            region=a["region"],
            stage=current.stage if current else None,
            state=current.state if current else None,
            quantity=a["quantity"],
            live=a["live"],
            entries=a["entries"],
            last_observed=a["last"],
            latest=a["latest"],
        )
    return states


def reached(stage: str | None, counts_at: str | None) -> bool:
    """Whether a unit at ``stage`` counts for a target counting at ``counts_at``."""
    if stage is None or stage == "revoked" or counts_at is None:
        return False
    return _RANK[stage] >= _RANK[counts_at]


def elapsed(plan: Plan, as_of: dt.date) -> float:
    total = (plan.deadline - plan.start).days
    return min(max((as_of - plan.start).days / total, 0.0), 1.0)


@dataclass(frozen=True)
class TargetStatus:
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
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def target_status(
    target: Target,
    units: Iterable[UnitState],
    plan: Plan,
    as_of: dt.date,
    places: Gazetteer,
    within: set[str] | None = None,
) -> TargetStatus:
    """The status of one target from its unit states at ``as_of``.

    ``within`` (region codes) restricts it to units in those regions; a coverage target
    then counts only the regions of its level that lie in, or hold, one of them.
    """
    units = [u for u in units if u.target == target.id]
    if within is not None:
        units = [u for u in units if u.region in within]
    live = sum(u.live for u in units)
    share = elapsed(plan, as_of)
    pipeline = dict.fromkeys(STAGES, 0)
    for u in units:
        if u.stage:
            pipeline[u.stage] += 1
    uncovered = covered = None
    kind = target.kind
    goal = target.goal
    if kind in ("count", "named"):
        counted = [u for u in units if reached(u.stage, target.counts_at)]
        if kind == "named":
            wanted = {normalise_unit(n.name) for n in target.names}
            counted = [u for u in counted if u.unit in wanted]
        achieved = len(counted)
    elif kind == "coverage":
        per_region: dict[str, int] = {}
        for u in units:
            if reached(u.stage, target.counts_at) and u.region:
                code = _at_level(u.region, target.level, places)
                if code:
                    per_region[code] = per_region.get(code, 0) + 1
        level_codes = [r.code for r in places.level(target.level or "city")]
        if within is not None:
            holding = {_at_level(code, target.level, places) for code in within}
            level_codes = [c for c in level_codes if c in within or c in holding]
            goal = len(level_codes)
        minimum = target.min_per_region or 1
        covered = [c for c in level_codes if per_region.get(c, 0) >= minimum]
        uncovered = [c for c in level_codes if per_region.get(c, 0) < minimum]
        achieved = len(covered)
    elif kind == "milestone":
        goal = 1
        state = units[0].state if units else None
        achieved = 1 if state == "done" else 0
    else:  # activity
        goal = None
        achieved = sum(u.quantity for u in units)

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
        )
    completion = min(achieved / goal, 1.0)
    projected = achieved / share if share > 0 else None
    cls = classify(target, goal, achieved, projected, share, live, units)
    return TargetStatus(
        target,
        goal,
        achieved,
        completion,
        share,
        completion - share,
        projected,
        cls,
        pipeline,
        uncovered,
        covered,
        live,
    )


def classify(
    target: Target,
    goal: int,
    achieved: int,
    projected: float | None,
    share: float,
    live: int,
    units: list[UnitState],
) -> str:
    if achieved >= goal:
        return "done"
    if live == 0:
        return "not_started"
    if target.kind == "milestone":
        state = units[0].state if units else None
        if state == "in_progress":
            return "behind" if share >= 0.5 else "on_track"
        return "not_started"
    if projected is None:
        return "on_track"  # nothing is due before the plan starts
    pace = projected / goal
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


@dataclass(frozen=True)
class Overall:
    completion: float | None
    by_class: dict[str, int] = field(default_factory=dict)

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
    units: Iterable[UnitState],
    as_of: dt.date,
    places: Gazetteer,
    targets: Iterable[Target] | None = None,
    within: set[str] | None = None,
) -> list[TargetStatus]:
    """The status of each target (all of the plan's unless ``targets`` is given)."""
    by_target: dict[str, list[UnitState]] = {}
    for u in units:
        by_target.setdefault(u.target, []).append(u)
    chosen = plan.targets if targets is None else list(targets)
    return [target_status(t, by_target.get(t.id, []), plan, as_of, places, within) for t in chosen]
