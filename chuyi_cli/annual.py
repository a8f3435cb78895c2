"""The annual-assessment report (分年度考核督导): what `chuyi report` writes as a workbook or
a printable page, gathered once here so that both carry the same numbers as `chuyi status`.

No file format here: the xlsx and html writers take an :class:`Annual` and only lay it out.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from chuyi_cli import progress
from chuyi_cli.catalog_nodes import Plan, Target
from chuyi_cli.digest import RegionRow, region_matrix
from chuyi_cli.domain import Entry
from chuyi_cli.errors import ChuyiError
from chuyi_cli.progress import TargetStatus, elapsed
from chuyi_cli.regions import gazetteer
from chuyi_cli.report import (
    StatusReport,
    beside_the_tally,
    region_scope,
    regions_counted,
    scope,
    status,
)
from chuyi_cli.store import Store

# Regions whose last record is older than this many days are marked stale on 地区.
STALE_DAYS = 90
# 明细 lists at most this many entries of the period (the latest); `chuyi export` has all.
ENTRY_ROWS = 3000


class Series(NamedTuple):
    """One target's burn-up: a point per month end from the plan's start to its deadline
    (the month holding the report's day: that day itself)."""

    target: Target
    goal: int
    days: list[dt.date]
    achieved: list[int | None]  # None: after the report's day
    expected: list[float]  # goal × time elapsed, 0 at the start, the goal at the deadline
    projected: list[float | None]  # from the report's day on: today's pace to the deadline


class Annual(NamedTuple):
    plan: Plan
    as_of: dt.date
    year: int | None  # --year: the report of that year (as_of is its last day)
    start: dt.date  # the day before the period: "achieved at the start of the year"
    now: StatusReport
    before: StatusReport
    coverage: list[Target]
    counts: list[Target]
    regions: list[RegionRow]
    series: list[Series]
    entries: list[tuple[Entry, bool]]  # the period's entries, oldest first; True: voided
    section: str | None
    region: str | None
    more_entries: bool = False  # the period holds more entries than ENTRY_ROWS (the latest)


def month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    """The last day of every month from the one holding ``start`` to the one holding
    ``end``."""
    days = []
    year, month = start.year, start.month
    while True:
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        days.append(nxt - dt.timedelta(days=1))
        if days[-1] >= end:
            return days
        year, month = nxt.year, nxt.month


def chart_days(plan: Plan, day: dt.date) -> list[dt.date]:
    """The points of a burn-up chart: every month end from the plan's start to its
    deadline, the month holding ``day`` standing at ``day`` (its last known point)."""
    days = month_ends(plan.start, plan.deadline)
    if plan.start <= day <= plan.deadline:
        return [day if (d.year, d.month) == (day.year, day.month) else d for d in days]
    return days


def achieved_over_time(
    plan: Plan,
    store: Store,
    targets: list[Target],
    days: list[dt.date],
    within: set[str] | None = None,
) -> dict[str, list[int]]:
    """Achieved per target on each of ``days`` (the one place the report reads the
    past: the tallies of every day at once, the month ends from their checkpoints, of
    each target the rows it counts; each day's achieved as `chuyi status --as-of`
    counts it)."""
    found: dict[str, list[int]] = {t.id: [] for t in targets}
    keep = regions_counted(plan) if within is None else None
    stages = {t.id: s for t in targets if (s := progress.counted_stages(t)) is not None}
    tallies = store.tallies_at([d.isoformat() for d in days], keep, set(found), stages)
    places = gazetteer()
    yearly = [t for t in targets if t.yearly]
    read: dict[str, list[Entry]] = {}  # (a yearly milestone's entries, read once)
    for day in days:
        on_day = tallies[day.isoformat()]
        extras = beside_the_tally(plan, store, day, yearly, within, read=read)
        for t in targets:
            years = extras.get(t.id, {}).get("years")
            rows = on_day.get(t.id, [])
            found[t.id].append(progress.achieved_on(t, rows, plan, day, places, within, years))
    return found


def expected_units(plan: Plan, target: Target, goal: int, day: dt.date) -> float:
    """Where a target should stand on ``day``, in its units, as `chuyi status` expects
    it: along its checkpoints (a straight line when it has none); the yearly assessment,
    the years of the plan ended by then."""
    if target.yearly:
        return float(progress.years_elapsed(plan, day))
    return round(goal * progress.expected_share(target, plan, day), 2)


def burn_up_series(
    plan: Plan,
    store: Store,
    rows: list[TargetStatus],
    day: dt.date,
    within: set[str] | None = None,
) -> list[Series]:
    """The burn-up of each of ``rows`` (their status on ``day``) whose target the catalog
    gives a goal (a number of units or regions; milestones and activities have none)."""
    charted = [r for r in rows if r.target.goal is not None and r.goal is not None]
    days = chart_days(plan, day)
    known = [d for d in days if d <= day]
    history = achieved_over_time(plan, store, [r.target for r in charted], known, within)
    found = []
    for row in charted:
        goal = row.goal or 0
        achieved: list[int | None] = list(history[row.target.id])
        achieved += [None] * (len(days) - len(achieved))
        expected = [expected_units(plan, row.target, goal, d) for d in days]
        projected: list[float | None] = [None] * len(days)
        if row.projected is not None and known and day < plan.deadline:
            share_now = elapsed(plan, day)
            for i, d in enumerate(days):
                if d >= known[-1]:
                    # today's pace carried on: achieved ÷ elapsed × elapsed(d)
                    value = row.achieved / share_now * elapsed(plan, d) if share_now else 0.0
                    projected[i] = round(value, 2)
        found.append(Series(row.target, goal, days, achieved, expected, projected))
    return found


def period(
    plan: Plan, today: dt.date, as_of: dt.date | None, year: int | None
) -> tuple[dt.date, dt.date]:
    """(the report's day, the day before its period): --year Y ends on 31 December of Y
    (or today) and starts after 31 December of Y-1; otherwise the year holding the day."""
    if year is not None:
        if year < plan.start.year or year > today.year:
            raise ChuyiError("year_outside", year=year, first=plan.start.year, last=today.year)
        end = min(dt.date(year, 12, 31), today)
    else:
        end = as_of or today
    return end, dt.date(end.year - 1, 12, 31)


def gather(
    plan: Plan,
    store: Store,
    day: dt.date,
    start: dt.date,
    year: int | None = None,
    section: str | None = None,
    region: str | None = None,
) -> Annual:
    """Everything the report shows on ``day``; the status as `chuyi status --as-of day
    [--section] [--region]` reports it."""
    targets = scope(plan, section)
    within = region_scope(region)
    now = status(plan, store, day, targets, within)
    before = status(plan, store, start, targets, within)
    coverage, counts, rows = region_matrix(plan, store, "city", day, STALE_DAYS)
    chosen = {t.id for t in targets}
    coverage = [t for t in coverage if t.id in chosen]
    counts = [t for t in counts if t.id in chosen]
    if within is not None:
        rows = [r for r in rows if r.code in within or within & _under(r.code)]
    series = burn_up_series(plan, store, now.rows, day, within)
    entries, more = period_entries(store, start, day, chosen, within)
    return Annual(
        plan,
        day,
        year,
        start,
        now,
        before,
        coverage,
        counts,
        rows,
        series,
        entries,
        section,
        region,
        more,
    )


def _under(code: str) -> set[str]:
    places = gazetteer()
    return places.within(places.by_code[code])


def period_entries(
    store: Store,
    start: dt.date,
    day: dt.date,
    targets: set[str],
    within: set[str] | None,
    most: int = ENTRY_ROWS,
) -> tuple[list[tuple[Entry, bool]], bool]:
    """The entries observed after ``start`` up to ``day`` (the latest ``most`` of them),
    oldest first, each with whether a void (of any day) cancels it; voids are listed too.
    And whether the period holds more."""
    since = (start + dt.timedelta(days=1)).isoformat()
    found: list[tuple[Entry, bool]] = []
    for e, voided in store.log(since=since, until=day.isoformat()):
        if e.target in targets and (within is None or e.region in within):
            if len(found) == most:
                return found[::-1], True
            found.append((e, voided))
    return found[::-1], False
