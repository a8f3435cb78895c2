"""Rows as the tables hold them, and back: entries and unit states."""

from __future__ import annotations

from typing import Any

from chuyi_cli.domain import FIELDS, Entry
from chuyi_cli.fold import UnitState

# A row as the database driver gives it: its values are what the columns hold (checked by
# the tables' own constraints), turned into typed shapes by the functions below.
Row = tuple[Any, ...]

ENTRY_COLUMNS = ", ".join(FIELDS)
ENTRY_COLUMNS_OF_E = ", ".join("e." + f for f in FIELDS)
ENTRY_COLUMNS_OF_V = ", ".join("v." + f for f in FIELDS)  # (a void beside its entry, e)


def entry_of(row: Row) -> Entry:
    return Entry(*row)


STATE_COLUMNS = (
    "target, unit, region, stage, state, quantity, live, entries, last_observed,"
    " latest_observed, latest_recorded, latest_id, region_observed, region_recorded, region_id"
)


def state_of(row: Row) -> UnitState:
    latest = (row[9], row[10], row[11]) if row[9] is not None else None
    region_at = (row[12], row[13], row[14]) if row[12] is not None else None
    return UnitState(
        row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], latest, region_at
    )


def state_row(s: UnitState) -> Row:
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
