"""The present: each unit's state, the tally, each region's last record, read from the
tables kept in step with the history (never from the history itself)."""

from __future__ import annotations

from collections.abc import Collection

from chuyi_cli.fold import UnitState
from chuyi_cli.store.history import History
from chuyi_cli.store.rows import STATE_COLUMNS, state_of
from chuyi_cli.store.sqlite import marks
from chuyi_cli.tally import Tallies, TallyRow


class Present(History):
    """What the history comes to today."""

    def unit_names(self, target: str, length: int | None = None) -> list[str]:
        """The names of a target's units (of ``length`` characters, when given)."""
        sql = "SELECT unit FROM unit_state WHERE target = ? AND unit <> ''"
        params: tuple[object, ...] = (target,)
        if length is not None:
            sql += " AND length(unit) = ?"
            params = (target, length)
        return [row[0] for row in self._read(sql, params)]

    def unit_states(self, target: str | None = None) -> list[UnitState]:
        """Each unit's state now (of one target, or all), from the maintained table."""
        sql = f"SELECT {STATE_COLUMNS} FROM unit_state"
        params: tuple[object, ...] = ()
        if target:
            sql += " WHERE target = ?"
            params = (target,)
        return [state_of(row) for row in self._read(sql + " ORDER BY target, unit", params)]

    def tallies(
        self, target: str | None = None, regions_of: Collection[str] | None = None
    ) -> Tallies:
        """Units per (target, region, stage) now: small, whatever the history's size.

        ``regions_of``, when given: the targets whose rows keep their regions; the others'
        come summed over regions (region ""), all that a report of the whole province
        needs of them. (``target``: that target's rows alone, with their regions.)"""
        params: tuple[object, ...] = ()
        if target or regions_of is None:
            sql = "SELECT target, region, stage, units, live, quantity FROM tally"
            if target:
                sql += " WHERE target = ?"
                params = (target,)
            sql += " ORDER BY target, region, stage"
        else:
            keep = sorted(regions_of)
            sql = (
                "SELECT target, region, stage, units, live, quantity FROM tally"
                f" WHERE target IN ({marks(keep)}) UNION ALL"
                " SELECT target, '', stage, units, live, quantity FROM stage_total"
                f" WHERE target NOT IN ({marks(keep)}) ORDER BY 1, 2, 3"
            )
            params = (*keep, *keep)
        result: Tallies = {}
        for name, *row in self._read(sql, params):
            rows = result.get(name)
            if rows is None:
                rows = result[name] = []
            rows.append(TallyRow(*row))
        return result

    def last_record_by_region(self, day: str | None = None) -> dict[str, str]:
        """The latest day a live entry observed, per region, up to ``day`` (an entry voided
        by then is no visit)."""
        if day is None:
            return dict(self._read("SELECT region, observed FROM region_last"))
        return dict(
            self._read(
                "SELECT e.region, max(e.observed) FROM entry e WHERE e.region IS NOT NULL"
                " AND e.voids IS NULL AND e.observed <= ?1 AND NOT EXISTS"
                " (SELECT 1 FROM entry v WHERE v.voids = e.id AND v.observed <= ?1)"
                " GROUP BY e.region",
                (day,),
            )
        )
