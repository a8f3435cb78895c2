"""Rows as the tables hold them, and back: entries and unit states."""

from __future__ import annotations

from chuyi_cli.entries import FIELDS, Entry
from chuyi_cli.progress import UnitState

ENTRY_COLUMNS = ", ".join(FIELDS)
ENTRY_COLUMNS_OF_E = ", ".join("e." + f for f in FIELDS)


def entry_of(row: tuple) -> Entry:
    return Entry(*row)


STATE_COLUMNS = (
    "target, unit, region, stage, state, quantity, live, entries, last_observed,"
    " latest_observed, latest_recorded, latest_id, region_observed, region_recorded, region_id"
)


def state_of(row: tuple) -> UnitState:
    latest = tuple(row[9:12]) if row[9] is not None else None
    region_at = tuple(row[12:15]) if row[12] is not None else None
    return UnitState(*row[:9], latest=latest, region_at=region_at)  # type: ignore[arg-type]


def state_row(s: UnitState) -> tuple:
    return (
        s.target,
        s.unit,
        s.region,
        s.stage,
        s.state,
        s.quantity,
        s.live,
        s.entries,
        s.last_observed,
        *(s.latest or (None,) * 3),
        *(s.region_at or (None,) * 3),
    )
