"""Reports built from the catalog and the store: status now or on a past day."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from operator import itemgetter
from typing import Any, NamedTuple

from chuyi_cli.canonical import normalise_unit
from chuyi_cli.catalog_nodes import Plan, Section, Target
from chuyi_cli.domain import Entry
from chuyi_cli.errors import ChuyiError
from chuyi_cli.fold import fold_units
from chuyi_cli.i18n import Message
from chuyi_cli.progress import Overall, TargetStatus, elapsed, overall, plan_status, reached
from chuyi_cli.regions import gazetteer
from chuyi_cli.rules import measure, place_unit
from chuyi_cli.store import Store
from chuyi_cli.store import unit_pass as cells_
from chuyi_cli.tally import Tallies


class StatusReport(NamedTuple):
    as_of: dt.date
    elapsed: float
    rows: list[TargetStatus]
    overall: Overall
    counts_at: str | None = None  # every unit counted at this stage (--counts-at), if given

    def sections(self, plan: Plan) -> list[tuple[Section, list[TargetStatus]]]:
        """The rows grouped under their sections, in catalog order."""
        by_section: dict[str, list[TargetStatus]] = {}
        for row in self.rows:
            by_section.setdefault(row.target.section, []).append(row)
        return [(s, by_section[s.ref]) for s in plan.sections if s.ref in by_section]


def scope(plan: Plan, section: str | None, lead: str | None = None) -> list[Target]:
    """The targets of a section (all when None), of the tasks ``lead`` leads or partners
    in (all when None)."""
    targets = plan.targets
    if section is not None:
        refs = {s.ref for s in plan.in_section(section)}
        targets = [t for t in targets if t.section in refs]
    if lead is not None:
        tasks = plan.led_by(lead)
        if not tasks:
            named = sum(1 for _s, task in plan.tasks() if task.lead)
            raise ChuyiError("lead_unknown", department=lead, count=named)
        ids = {t.id for task in tasks for t in task.targets}
        targets = [t for t in targets if t.id in ids]
    return targets


def region_scope(text: str | None) -> set[str] | None:
    """Codes of a region and what lies under it (None: the whole province)."""
    if text is None:
        return None
    places = gazetteer()
    return places.within(places.get(text))


def regions_counted(plan: Plan) -> set[str]:
    """The targets whose status depends on where their units are: the coverage ones."""
    return {t.id for t in plan.targets if t.kind == "coverage"}


def status(
    plan: Plan,
    store: Store,
    day: dt.date,
    targets: list[Target] | None = None,
    within: set[str] | None = None,
    tallies: Tallies | None = None,
    counts_at: str | None = None,
    read: dict[str, list[Entry]] | None = None,
) -> StatusReport:
    """Each target's status on ``day`` (from ``tallies`` when the caller has them);
    ``counts_at``: every unit counted at that stage instead of its target's (a what-if);
    ``read``: a yearly milestone's entries, read once for the statuses of several days."""
    if tallies is None:
        keep = regions_counted(plan) if within is None else None
        tallies = store.tally_on(day.isoformat(), keep)
    chosen = plan.targets if targets is None else targets
    extras = beside_the_tally(plan, store, day, chosen, within, counts_at, read)
    rows = plan_status(plan, tallies, day, gazetteer(), chosen, within, counts_at, extras)
    return StatusReport(day, elapsed(plan, day), rows, overall(rows), counts_at)


def beside_the_tally(
    plan: Plan,
    store: Store,
    day: dt.date,
    targets: list[Target],
    within: set[str] | None = None,
    counts_at: str | None = None,
    read: dict[str, list[Entry]] | None = None,
) -> dict[str, dict[str, Any]]:
    """What a target's status needs that the tally does not keep, from the few entries
    that say it: each year's state of a yearly milestone (and its entries without a
    year, read from ``read`` when they are there and kept there), and how many of a
    count target's units are those a named target names."""
    found: dict[str, dict[str, Any]] = {}
    ids = {t.id for t in targets}
    read = {} if read is None else read
    for target in targets:
        if target.yearly:
            years: dict[str, str] = {}
            undated = 0
            if target.id not in read:
                read[target.id] = store.entries(target.id)
            for (_t, unit), state in fold_units(read[target.id], day).items():
                if within is not None and state.region not in within:
                    continue
                if unit and state.state:
                    years[unit] = state.state
                elif not unit:
                    undated += state.live
            found[target.id] = {"years": years, "undated": undated}
    for named in plan.targets:
        if named.kind != "named" or named.among not in ids:
            continue
        other = plan.target(named.among)
        stage = counts_at or other.counts_at
        count = 0
        for name in named.names:
            unit = normalise_unit(name.name)
            now = fold_units(store.unit_entries(other.id, unit), day).get((other.id, unit))
            if now and reached(now.stage, stage):
                count += within is None or now.region in within
        found.setdefault(other.id, {})["named_among"] = count
    return found


class QuarterPoint(NamedTuple):
    end: dt.date  # the quarter's last day
    achieved: int | None  # None: a quarter still to come
    expected: float | None  # goal × elapsed at its end (None: the target has no goal)


def quarter_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    """The last day of every quarter from the one holding ``start`` to the one holding
    ``end``."""
    ends = []
    year, quarter = start.year, (start.month - 1) // 3
    while True:
        last_month = quarter * 3 + 3
        nxt = dt.date(year + (last_month == 12), last_month % 12 + 1, 1)
        ends.append(nxt - dt.timedelta(days=1))
        if ends[-1] >= end:
            return ends
        year, quarter = (year + 1, 0) if quarter == 3 else (year, quarter + 1)


def burn_up(plan: Plan, store: Store, target: Target, day: dt.date) -> list[QuarterPoint]:
    """Achieved at the end of every quarter of the plan up to ``day`` (the last one: on
    ``day``), against what the elapsed time expects, to the deadline; the tallies of those
    days read at once (quarter ends are month ends: the store's checkpoints)."""
    from chuyi_cli.progress import target_status

    places = gazetteer()
    ends: list[tuple[dt.date, dt.date | None]] = []  # (quarter end, the day it is read on)
    for end in quarter_ends(plan.start, plan.deadline):
        if end > day and (not ends or ends[-1][0] >= day):
            ends.append((end, None))
        else:
            ends.append((end, min(end, day)))
    known = [on.isoformat() for _, on in ends if on is not None]
    tallies = store.tallies_at(known, {target.id})
    points: list[QuarterPoint] = []
    for end, on in ends:
        expected = None if target.goal is None else target.goal * elapsed(plan, end)
        if on is None:
            points.append(QuarterPoint(end, None, expected))
            continue
        rows = tallies[on.isoformat()].get(target.id, [])
        points.append(
            QuarterPoint(end, target_status(target, rows, plan, on, places).achieved, expected)
        )
    return points


def _years_outside(plan: Plan, store: Store, target: Target) -> list[Message]:
    """A yearly milestone's years on record that are not the plan's (the catalog's plan
    dates changed since)."""
    first, last = plan.start.year, plan.deadline.year
    return [
        Message(
            "check_year_outside",
            path=store.path,
            target=target.id,
            year=s.unit,
            first=first,
            last=last,
        )
        for s in store.unit_states(target.id)
        if s.unit and s.live and not (s.unit.isdigit() and first <= int(s.unit) <= last)
    ]


def check_notices(plan: Plan, store: Store) -> list[Message]:
    """What `chuyi check` says without failing: history that is sound but counts for
    nothing until someone acts, such as a yearly milestone's entries that name no year
    (recorded before it was kept per year; no upgrade can know their year)."""
    found: list[Message] = []
    if any(kind == "table" for kind, _ in store.missing_parts()):
        return found  # (a damaged file: check_database names what it lacks)
    for target in plan.targets:
        if target.yearly:
            undated = sum(s.live for s in store.unit_states(target.id) if not s.unit)
            if undated:
                found.append(
                    Message("check_undated", path=store.path, target=target.id, count=undated)
                )
    return found


def check_database(plan: Plan, store: Store) -> list[str | Message]:
    """Everything wrong with a database under this catalog: damage, entries the catalog
    or gazetteer does not know, units a named target does not name, and a derived present
    out of step with the history. (SQLite looks for damage on a connection of its own
    meanwhile, where it can: the problems come as if it had looked first.)"""
    damage = store.integrity_aside()
    try:
        problems, at = _content_problems(plan, store)
    except ChuyiError:
        damage()  # (its error first: SQLite looked for damage first)
        raise
    in_step = None
    if at is not None:
        misfits: list[Message] | None = None
        failed: ChuyiError | None = None
        if not problems:  # (the entries judged in the pass that compares the derived)
            judge = _Misfits(plan)
            try:
                in_step = store.derived_in_step(judge.unit)
            except ChuyiError as exc:
                failed = exc
            if in_step and not judge.found():
                misfits = []
        if misfits is None:  # (read again, in the order stored)
            try:
                misfits = entry_misfits(plan, store)
            except ChuyiError:
                damage()
                raise
        problems[at:at] = misfits
        if problems:
            in_step = None
        elif failed is not None and not damage():  # (a damaged file is said to be damaged)
            raise failed
    found: list[str | Message] = [
        Message("check_damage", path=store.path, problem=p) for p in damage()
    ]
    if not found and in_step is False:
        return [Message("check_out_of_step", path=store.path)]
    return [*found, *problems]


def _content_problems(plan: Plan, store: Store) -> tuple[list[str | Message], int | None]:
    """What :func:`check_database` finds but damage, a derived present out of step and
    the entries that no longer fit (:func:`entry_misfits`): the problems, and where those
    entries go among them (None: the tables they are read from are missing)."""
    from chuyi_cli.canonical import normalise_unit

    places = gazetteer()
    problems: list[str | Message] = []
    missing = store.missing_parts()
    if ("table", "entry") in missing:
        return [Message("db_history_missing", path=store.path, name="entry")], None
    problems += [
        Message("check_missing_part", path=store.path, kind=Message("part." + kind), name=name)
        for kind, name in missing
    ]
    if any(kind == "table" for kind, _ in missing):
        return problems, None  # (the rest reads the tables that are missing)
    known = {t.id for t in plan.targets}
    for target_id, count, _units in store.target_usage():
        if target_id not in known:
            problems.append(
                Message("check_unknown_target", path=store.path, count=count, target=target_id)
            )
    for target in plan.targets:
        if target.kind == "named":
            names = {normalise_unit(n.name) for n in target.names}
            for unit in store.unit_states(target.id):
                if unit.unit not in names:
                    problems.append(
                        Message(
                            "check_unnamed_unit", path=store.path, target=target.id, unit=unit.unit
                        )
                    )
    at = len(problems)
    for yearly in plan.targets:
        if yearly.yearly:
            problems += _years_outside(plan, store, yearly)
    for region, count in store.region_usage():
        if region not in places.by_code:
            problems.append(
                Message("check_unknown_region", path=store.path, count=count, region=region)
            )
    return problems, at


def entry_misfits(plan: Plan, store: Store) -> list[Message]:
    """Every entry that no longer fits its target as the catalog now describes it (an
    edit changed the target's kind, or a coverage target's level): what an entry of that
    target would be refused for today. Voids are checked through what they cancel;
    targets and regions the catalog or gazetteer lacks are reported on their own.

    The history is read as plain cells, each unit's place and each kind of measure
    judged once; the entries are read as such only when one does not fit."""
    from chuyi_cli.store.scans import entry_measures

    judge = _Misfits(plan)
    for cells in entry_measures(store):
        if judge.reason(*cells):
            break
    else:
        return []
    found = []
    for e in store.iter_entries():
        if e.voids:
            continue
        reason = judge.reason(e.target, e.unit, e.region, e.stage, e.state, e.quantity)
        if reason is not None:
            found.append(
                Message(
                    "entry_misfit",
                    path=store.path,
                    entry=e.short_id,
                    what=f"{e.target} {e.unit}" if e.unit else e.target,
                    reason=reason,
                )
            )
    return found


_ELSEWHERE = "elsewhere"  # what is wrong with a place that is reported on its own
_Sized = tuple[str, str | None, str | None, str | None, str | None]
# What the judge reads of a unit pass's cells (:mod:`chuyi_cli.store.unit_pass`).
_KIND = itemgetter(cells_.REGION, cells_.STAGE, cells_.STATE, cells_.QUANTITY, cells_.VOIDS)
_JUDGED = itemgetter(
    cells_.REGION, cells_.STAGE, cells_.STATE, cells_.QUANTITY, cells_.VOIDS, cells_.SEQ
)


class _Misfits:
    """Why an entry would be refused today; None when it fits, or when what is wrong is
    reported on its own (a target or region the catalog lacks, a unit a named target
    does not name). Each place (target, unit, region) is judged once, and each measure
    (target, stage, state, with or without a quantity) once, as its first entry has it;
    an activity's quantity, whose size decides, once per place."""

    def __init__(self, plan: Plan) -> None:
        self.places = gazetteer()
        self.targets = {t.id: t for t in plan.targets}
        self.named = {
            t.id: {normalise_unit(n.name) for n in t.names}
            for t in plan.targets
            if t.kind == "named"
        }
        self.placed: dict[tuple[str, str | None, str | None], str | None] = {}
        self.first_misfit = False
        # (an activity's entries of one place and measure: the first stored, its quantity)
        self.sized: dict[_Sized, tuple[int, int]] = {}
        # (keyed by a place and what was measured there, or by what alone)
        self.measured: dict[tuple[object, ...], str | None] = {}

    def reason(
        self,
        target_id: str,
        unit: str | None,
        region: str | None,
        stage: str | None,
        state: str | None,
        quantity: int | None,
    ) -> str | None:
        place = (target_id, unit, region)
        if place not in self.placed:
            self.placed[place] = self.place(target_id, unit, region)
        placed = self.placed[place]
        if placed is _ELSEWHERE:
            return None
        target = self.targets[target_id]
        sized = quantity is not None and not (stage or state or target.has_units)
        if sized and target.kind != "milestone":
            key: tuple[object, ...] = (*place, stage, state)
        else:
            key = (target_id, stage, state, quantity is None)
        if key not in self.measured:
            self.measured[key] = _refusal(lambda: measure(target, stage, state, quantity))
        return self.measured[key] or placed

    def unit(self, cells: list[tuple[Any, ...]]) -> None:
        """Judge a unit's entries as a pass over the history hands them on (its cells,
        by day observed: each kind of entry once). An activity's quantity is judged at
        the end, as its first entry stored has it (:meth:`found`)."""
        if self.first_misfit:
            return
        target_id, unit = cells[0][cells_.TARGET], cells[0][cells_.UNIT]
        target = self.targets.get(target_id)
        if target is None or target.has_units or target.kind == "milestone":
            # (No quantity's size decides: each kind of entry once, found in C.)
            for region, stage, state, quantity, voids in set(map(_KIND, cells)):
                if voids is None and self.reason(target_id, unit, region, stage, state, quantity):
                    self.first_misfit = True
                    return
            return
        for region, stage, state, quantity, voids, seq in map(_JUDGED, cells):
            if voids is not None:
                continue
            if quantity is not None and not (stage or state):
                key = (target_id, unit, region, stage, state)
                first = self.sized.get(key)
                if first is None or seq < first[0]:
                    self.sized[key] = (seq, quantity)
            elif self.reason(target_id, unit, region, stage, state, quantity):
                self.first_misfit = True
                return

    def found(self) -> bool:
        """Whether an entry :meth:`unit` was handed does not fit."""
        return self.first_misfit or any(
            self.reason(target, unit, region, stage, state, quantity)
            for (target, unit, region, stage, state), (_seq, quantity) in self.sized.items()
        )

    def place(self, target_id: str, unit: str | None, region: str | None) -> str | None:
        target = self.targets.get(target_id)
        if target is None or (region and region not in self.places.by_code):
            return _ELSEWHERE
        if target_id in self.named and unit not in self.named[target_id]:
            return _ELSEWHERE
        return _refusal(lambda: place_unit(target, self.places, unit, region))


def _refusal(rule: Callable[[], object]) -> str | None:
    """What ``rule`` is refused for (None: it passes)."""
    try:
        rule()
    except ChuyiError as exc:
        return str(exc)
    return None
