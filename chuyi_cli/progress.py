"""Progress arithmetic: pure functions from catalog, tallies and a date to status rows.

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
from typing import Any, NamedTuple

from chuyi_cli.catalog_nodes import COUNTING_STAGES, STAGES, Plan, Target
from chuyi_cli.regions import Gazetteer
from chuyi_cli.tally import Tallies, TallyRow

CLASSES = ("done", "on_track", "behind", "off_track", "not_started", "no_goal")
# How bad a class is, for `--fail-on`: behind or worse, off_track or worse.
SEVERITY = {"done": 0, "no_goal": 0, "on_track": 0, "not_started": 1, "behind": 1, "off_track": 2}
ON_TRACK = 0.95
BEHIND = 0.6
_RANK = {stage: i for i, stage in enumerate(COUNTING_STAGES)}
# The stages that count for a target counting at a stage: that one and the later ones.
_COUNTING_FROM = {s: COUNTING_STAGES[i:] for i, s in enumerate(COUNTING_STAGES)}


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
    rows, live, pipeline = _summed(rows, within)
    stage = (counts_at or target.counts_at) if target.has_units else None
    counted = _count(target, rows, pipeline, stage, plan, as_of, places, within, years)
    due, goal, achieved = counted.due, counted.goal, counted.achieved
    share = due / goal if due is not None and goal else elapsed(plan, as_of)
    completion = gap = projected = None
    expected, cls = share, "no_goal"
    if goal is not None:
        expected = share if due is not None else expected_share(target, plan, as_of)
        completion = min(achieved / goal, 1.0)
        gap = completion - expected
        projected = achieved / share if share > 0 and due is None else None
        cls = classify(target.kind, goal, achieved, projected, share, live, counted.state, expected)
    return TargetStatus(
        target,
        goal,
        achieved,
        completion,
        expected,
        gap,
        projected,
        cls,
        pipeline,
        counted.uncovered,
        counted.covered,
        live,
        counts_at=stage,
        selected_or_later=counted.selected_or_later,
        of_which_named=named_among,
        surplus=counted.surplus,
        years=counted.years,
        years_elapsed=due,
        undated=undated if due is not None else 0,
    )


def achieved_on(
    target: Target,
    rows: Iterable[TallyRow],
    plan: Plan,
    as_of: dt.date,
    places: Gazetteer,
    within: set[str] | None = None,
    years: dict[str, str] | None = None,
) -> int:
    """What ``target`` achieved on ``as_of``, as :func:`target_status` counts it, from
    its tally rows: those at the stages :func:`counted_stages` names are enough."""
    rows, _live, pipeline = _summed(rows, within)
    stage = target.counts_at if target.has_units else None
    return _count(target, rows, pipeline, stage, plan, as_of, places, within, years).achieved


def counted_stages(target: Target) -> tuple[str, ...] | None:
    """The stages of the tally rows what ``target`` achieved is counted from: a target
    counting units, its counting stage and those after it (None: every row counts)."""
    if target.kind not in ("count", "named", "coverage"):
        return None
    return _COUNTING_FROM.get((target.counts_at if target.has_units else None) or "", ())


def _summed(
    rows: Iterable[TallyRow], within: set[str] | None
) -> tuple[list[TallyRow], int, dict[str, int]]:
    """A target's rows (in ``within``'s regions), their live entries and their units at
    each stage."""
    rows = list(rows) if within is None else [r for r in rows if r.region in within]
    live = 0
    pipeline = dict.fromkeys(STAGES, 0)
    for _region, at, units, lives, _quantity in rows:  # (unpacked: a burn-up has 25,000)
        live += lives
        if at in pipeline:
            pipeline[at] += units
    return rows, live, pipeline


class _Counted(NamedTuple):
    """What a target's kind counts: its goal (None: an activity's) and achieved, and
    what else the kind says."""

    goal: int | None
    achieved: int
    selected_or_later: int | None = None  # count, named, coverage
    covered: list[str] | None = None  # coverage: region codes at the level
    uncovered: list[str] | None = None
    surplus: dict[str, int] | None = None
    state: str | None = None  # a milestone's current state
    years: dict[str, str] | None = None  # a yearly milestone: year → state, in the plan
    due: int | None = None  # a yearly milestone: years of the plan ended by as_of


def _count(
    target: Target,
    rows: list[TallyRow],
    pipeline: dict[str, int],
    stage: str | None,
    plan: Plan,
    as_of: dt.date,
    places: Gazetteer,
    within: set[str] | None,
    years: dict[str, str] | None,
) -> _Counted:
    """What ``target`` achieved by its kind, units counting from ``stage`` on."""
    kind = target.kind
    counting = _COUNTING_FROM.get(stage or "", ())
    if kind in ("count", "named"):
        # A named target only ever takes the units it names (entries are checked).
        achieved = sum(pipeline[s] for s in counting)
        return _Counted(target.goal, achieved, sum(pipeline[s] for s in COUNTING_STAGES))
    if kind == "coverage":
        return _coverage(target, rows, counting, places, within)
    if kind == "milestone" and target.yearly:
        # One state a year: the years done, against the years of the plan ended by as_of.
        all_years = {str(y) for y in plan_years(plan)}
        kept = {y: s for y, s in (years or {}).items() if y in all_years}
        done = sum(1 for s in kept.values() if s == "done")
        due = years_elapsed(plan, as_of)
        return _Counted(len(all_years), done, years=dict(sorted(kept.items())), due=due)
    if kind == "milestone":
        state = next((r.stage for r in rows if r.units and r.stage), None)
        return _Counted(1, 1 if state == "done" else 0, state=state)
    return _Counted(None, sum(r.quantity for r in rows))  # an activity


def _coverage(
    target: Target,
    rows: list[TallyRow],
    counting: tuple[str, ...],
    places: Gazetteer,
    within: set[str] | None,
) -> _Counted:
    """A coverage target: the regions of its level with at least ``min_per_region``
    units counted (within ``within``'s regions, then its goal)."""
    per_region: dict[str, int] = {}
    any_stage: dict[str, int] = {}
    at_level = places.at_level(target.level)
    for region, stage, units, _live, _quantity in rows:
        if stage in COUNTING_STAGES and region:
            code = at_level.get(region)
            if code:
                any_stage[code] = any_stage.get(code, 0) + units
                if stage in counting:
                    per_region[code] = per_region.get(code, 0) + units
    level_codes = [p.code for p in places.level(target.level or "city")]
    goal = target.goal
    if within is not None:
        holding = {at_level.get(code) for code in within}
        level_codes = [c for c in level_codes if c in within or c in holding]
        goal = len(level_codes)
    minimum = target.min_per_region or 1
    covered = [c for c in level_codes if per_region.get(c, 0) >= minimum]
    uncovered = [c for c in level_codes if per_region.get(c, 0) < minimum]
    selected_or_later = sum(1 for c in level_codes if any_stage.get(c, 0) >= minimum)
    surplus = None
    if target.max_per_region is not None:
        most = target.max_per_region
        surplus = {c: per_region[c] - most for c in level_codes if per_region.get(c, 0) > most}
    return _Counted(goal, len(covered), selected_or_later, covered, uncovered, surplus)


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
