"""Digests for cron and the annual assessment: regions × targets, changes, year views.

Built from the same tallies as `chuyi status`, on any day as the store reads the past
(:mod:`chuyi_cli.store.past`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from chuyi_cli.catalog_nodes import COUNTING_STAGES, Plan, Target
from chuyi_cli.domain import Entry
from chuyi_cli.errors import ChuyiError
from chuyi_cli.progress import TargetStatus, plan_status, reached
from chuyi_cli.regions import Region, gazetteer
from chuyi_cli.report import StatusReport, regions_counted, status
from chuyi_cli.store import Store

# --------------------------------------------------------------------------- regions


@dataclass(frozen=True)
class RegionRow:
    code: str
    name: str
    covered: dict[str, bool]  # coverage target id → covered
    units: dict[str, int]  # count/named target id → live units in the region
    last_record: str | None
    stale: bool
    # coverage target id → (regions of its level covered within this region, all of them):
    # (2, 9) for a county-level target in a city's row; (1, 1) or (0, 1) at its own level
    coverage: dict[str, tuple[int, int]] = field(default_factory=dict)


def region_matrix(
    plan: Plan,
    store: Store,
    level: str,
    day: dt.date,
    stale_days: int | None,
) -> tuple[list[Target], list[Target], list[RegionRow]]:
    """Regions × coverage targets (covered or not), units per count target, last record."""
    places = gazetteer()
    tallies = store.tally_on(day.isoformat())  # (every region: units are counted per region)
    coverage = [t for t in plan.targets if t.kind == "coverage"]
    counts = [t for t in plan.targets if t.kind in ("count", "named")]
    statuses = {s.target.id: s for s in plan_status(plan, tallies, day, places, coverage)}
    rows = []
    counted: dict[tuple[str, str], int] = {}  # (target, region) → units at a counting stage
    for t in counts:
        for r in tallies.get(t.id, []):
            if r.stage in COUNTING_STAGES:
                counted[(t.id, r.region)] = counted.get((t.id, r.region), 0) + r.units
    for region, last, stale in last_records(store, level, day, stale_days):
        inside = places.within(region)
        covered, shares = {}, {}
        for target in coverage:
            done = set(statuses[target.id].covered or [])
            if target.level == "county" and level == "city":  # the counties of this city
                counties = [c for c in inside if places.by_code[c].level == "county"]
                shares[target.id] = (len(done.intersection(counties)), len(counties))
                covered[target.id] = bool(counties) and done.issuperset(counties)
                continue
            code = region.code
            if target.level == "city" and level == "county":
                city = places.city_of(region)
                code = city.code if city else code
            covered[target.id] = code in done
            shares[target.id] = (int(covered[target.id]), 1)
        per_target = {t.id: sum(counted.get((t.id, code), 0) for code in inside) for t in counts}
        rows.append(RegionRow(region.code, region.name, covered, per_target, last, stale, shares))
    return coverage, counts, rows


def last_records(
    store: Store, level: str, day: dt.date, stale_days: int | None
) -> list[tuple[Region, str | None, bool]]:
    """Each region of ``level`` with its last record by ``day`` (its own or one under
    it) and whether that is older than ``stale_days`` (never, when None)."""
    places = gazetteer()
    last = store.last_observed()
    up_to_today = last is None or day.isoformat() >= last
    latest = store.last_record_by_region(None if up_to_today else day.isoformat())
    limit = None
    if stale_days is not None:
        # (More days than lie behind ``day``: only a region never visited is stale.)
        limit = (day - dt.timedelta(days=min(stale_days, (day - dt.date.min).days))).isoformat()
    found = []
    for region in places.level(level):
        dates = [latest[c] for c in places.within(region) if c in latest]
        last = max(dates) if dates else None
        found.append((region, last, limit is not None and (last is None or last < limit)))
    return found


# --------------------------------------------------------------------------- summary


def parse_since(text: str, today: dt.date) -> dt.date:
    """``7d``, ``30d`` (days back from today) or a date YYYY-MM-DD."""
    value = text.strip().lower()
    if value.endswith("d") and value[:-1].isascii() and value[:-1].isdigit():
        if (
            len(value) > 7
            or int(value[:-1]) > 100_000
            or (today - dt.date.min).days <= int(value[:-1])
        ):
            raise ChuyiError("since_too_far", text=text[:20])
        return today - dt.timedelta(days=int(value[:-1]))
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ChuyiError("bad_since", text=text) from None
    if day == dt.date.min:  # (the day before it, which a summary reads, does not exist)
        raise ChuyiError("since_before_any_day", text=text)
    return day


@dataclass(frozen=True)
class Change:
    target: Target
    before: TargetStatus
    after: TargetStatus


@dataclass(frozen=True)
class Summary:
    report: StatusReport
    since: dt.date
    new_entries: int
    reached: list[tuple[Target, str, str]]  # (target, unit, day it reached counts_at)
    changed: list[Change]  # targets whose class changed, those just started aside
    attention: list[TargetStatus]  # behind, off track
    uncovered: list[tuple[Target, list[str]]]  # coverage targets and their missing regions
    stale: list[tuple[str, str | None]]  # (region name, last record); None: never visited
    gaps: list[tuple[str, str, str]]
    started: list[Change] = field(default_factory=list)  # first record within the window
    voids: list[tuple[Entry, Entry | None]] = field(default_factory=list)  # (void, cancelled)


def summary(plan: Plan, store: Store, day: dt.date, since: dt.date, stale_days: int) -> Summary:
    """What a cron mail says: headline, changes since a day, what needs attention."""
    places = gazetteer()
    before_day = since - dt.timedelta(days=1)
    # The regions summed where no status depends on them.
    keep = regions_counted(plan)
    tallies_now = store.tally_on(day.isoformat(), keep)
    tallies_then = store.tally_on(before_day.isoformat(), keep)
    read: dict[str, list[Entry]] = {}  # (a yearly milestone's entries: read once for both)
    now = status(plan, store, day, tallies=tallies_now, read=read)
    before = status(plan, store, before_day, tallies=tallies_then, read=read)
    new_entries = store.count(since.isoformat(), day.isoformat())
    reached_list = units_reached(plan, store, before_day, day)
    pairs = zip(now.rows, before.rows, strict=True)
    moved = [Change(a.target, b, a) for a, b in pairs if a.cls != b.cls]
    # A target that got its first record is news of a start, not of a class gone wrong.
    started = [c for c in moved if c.before.cls == "not_started"]
    changed = [c for c in moved if c.before.cls != "not_started"]
    attention = [r for r in now.rows if r.cls in ("behind", "off_track")]
    names = {r.code: r.name for r in places.regions}
    uncovered = [(r.target, [names[c] for c in r.uncovered or []]) for r in now.rows if r.uncovered]
    stale = [(r.name, last) for r, last, old in last_records(store, "city", day, stale_days) if old]
    voids = store.voids_between(since.isoformat(), day.isoformat())
    return Summary(
        now,
        since,
        new_entries,
        reached_list,
        changed,
        attention,
        uncovered,
        stale,
        plan.gaps(),
        started,
        voids,
    )


def units_reached(
    plan: Plan, store: Store, before: dt.date, day: dt.date
) -> list[tuple[Target, str, str]]:
    """(target, unit, the day of its current entry on ``day``) of each unit at or past
    its target's counting stage on ``day`` and not on ``before`` (or with no entry by
    then), in the catalog's order, then by day and unit."""
    targets = {t.id: t for t in plan.targets if t.has_units}
    counting = {t.id: t.counts_at for t in targets.values() if t.counts_at}
    found = store.reached_since(before.isoformat(), day.isoformat(), counting)
    if found is None:  # (from the units whose stage moved within the window)
        found = []
        moves = store.changes(before.isoformat(), day.isoformat())
        for (target_id, unit), (then_stage, now_stage, day_of) in moves.items():
            target = targets.get(target_id)
            if target is None or not reached(now_stage, target.counts_at):
                continue
            if not reached(then_stage, target.counts_at):
                found.append((target_id, unit, day_of or ""))
    order = {t.id: i for i, t in enumerate(plan.targets)}
    found.sort(key=lambda item: (order[item[0]], item[2], item[1]))
    return [(targets[t], unit, day_of) for t, unit, day_of in found]


@dataclass(frozen=True)
class YearRow:
    status: TargetStatus  # at the end of the year (or today, for the current year)
    start_achieved: int  # achieved at the end of the year before
    in_year: int  # achieved within the year (for activities: quantities observed in it)
    year_state: str | None = None  # a yearly milestone: the state of this year's, known today


def year_view(plan: Plan, store: Store, year: int, today: dt.date) -> tuple[dt.date, list[YearRow]]:
    """The annual-assessment view: per target, what the year achieved and where it ended."""
    if year < plan.start.year or year > today.year:
        raise ChuyiError("year_outside", year=year, first=plan.start.year, last=today.year)
    end = min(dt.date(year, 12, 31), today)
    at_end = status(plan, store, end).rows
    at_start = status(plan, store, dt.date(year - 1, 12, 31)).rows
    yearly = [t for t in plan.targets if t.yearly]
    # The assessment of a year is made after it: its state as known today.
    known = {r.target.id: r for r in status(plan, store, today, yearly).rows} if yearly else {}
    rows = []
    for after, before in zip(at_end, at_start, strict=True):
        now = known.get(after.target.id)
        state = (now.years or {}).get(str(year)) if now is not None else None
        rows.append(YearRow(after, before.achieved, after.achieved - before.achieved, state))
    return end, rows
