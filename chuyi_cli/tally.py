"""Tallies: how many units of each target stand at each stage in each region (pure).

A tally is all that status needs, whatever the history's size; :func:`stage_moves` reads
which units moved from the rows of :func:`chuyi_cli.fold.unit_deltas` the store keeps.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import NamedTuple

from chuyi_cli.fold import UnitState


class TallyRow(NamedTuple):
    """How many units of a target stand at a stage (or state) in a region.

    (A named tuple: status reads a few thousand of them on every run.)"""

    region: str  # "" when the units name none
    stage: str  # a stage, a milestone state, or "" (activities; units all voided)
    units: int
    live: int  # their live entries
    quantity: int  # their summed quantities


Tallies = dict[str, list[TallyRow]]
# Targets whose rows at these stages alone are read: target → its stages.
Stages = Mapping[str, Collection[str]]


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


def at_stages(tallies: Tallies, stages: Stages) -> Tallies:
    """``tallies`` with the rows of each target of ``stages`` at its stages alone (a
    target left without rows left out)."""
    result = {}
    for target, rows in tallies.items():
        if target in stages:
            rows = [r for r in rows if r.stage in stages[target]]
        if rows:
            result[target] = rows
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
