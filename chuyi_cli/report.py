"""Reports built from the catalog and the store: status now or on a past day."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chuyi_cli.catalog import Plan, Section, Target
from chuyi_cli.errors import ChuyiError
from chuyi_cli.progress import Overall, TargetStatus, UnitState, elapsed, overall, plan_status
from chuyi_cli.regions import UnknownRegion, gazetteer
from chuyi_cli.store import Store


@dataclass(frozen=True)
class StatusReport:
    as_of: dt.date
    elapsed: float
    rows: list[TargetStatus]
    overall: Overall

    def sections(self, plan: Plan) -> list[tuple[Section, list[TargetStatus]]]:
        """The rows grouped under their sections, in catalog order."""
        by_section: dict[str, list[TargetStatus]] = {}
        for row in self.rows:
            by_section.setdefault(row.target.section, []).append(row)
        return [(s, by_section[s.ref]) for s in plan.sections if s.ref in by_section]


def scope(plan: Plan, section: str | None) -> list[Target]:
    """The targets of a section (all when None)."""
    if section is None:
        return plan.targets
    refs = {s.ref for s in plan.in_section(section)}
    return [t for t in plan.targets if t.section in refs]


def region_scope(text: str | None) -> set[str] | None:
    """Codes of a region and what lies under it (None: the whole province)."""
    if text is None:
        return None
    places = gazetteer()
    try:
        return places.within(places.get(text))
    except UnknownRegion as exc:
        raise ChuyiError(str(exc)) from None


def units_on(store: Store, day: dt.date) -> list[UnitState]:
    """Unit states on ``day``: the maintained table when nothing is observed after it."""
    last = store.last_observed()
    if last is None or day.isoformat() >= last:
        return store.unit_states()
    return store.units_as_of(day.isoformat())


def status(
    plan: Plan,
    store: Store,
    day: dt.date,
    targets: list[Target] | None = None,
    within: set[str] | None = None,
) -> StatusReport:
    rows = plan_status(plan, units_on(store, day), day, gazetteer(), targets, within)
    return StatusReport(day, elapsed(plan, day), rows, overall(rows))
