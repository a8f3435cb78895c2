"""The past: the tally and the units' states on an earlier day.

A recent day comes from ``unit_delta`` (the recent changes kept beside the history); one
further back is worked back from today through the entries observed since, or, when they
are most of the history, folded from it up to the day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterator

from chuyi_cli.entries import Entry
from chuyi_cli.progress import Move, Tallies, UnitState, fold_units, stage_moves, unwind
from chuyi_cli.store.derive import load_states
from chuyi_cli.store.present import Present
from chuyi_cli.store.rows import ENTRY_COLUMNS, STATE_COLUMNS_OF_S, entry_of, state_of
from chuyi_cli.store.sqlite import sqlite_errors

# For each touched unit, what it looked like on day ?1, read from the end of its index
# range: its latest live entry (whose day is its last observed day), the latest live one
# with a region. (Live: neither a void nor voided by then.)
_LIVE_ON_DAY = """
    e.target = t.target AND e.unit IS t.unit AND e.observed <= ?1 AND e.voids IS NULL
    AND NOT EXISTS (SELECT 1 FROM entry v WHERE v.voids = e.id AND v.observed <= ?1)"""
_UNITS_ON_DAY = f"""
SELECT p.target, p.unit, c.observed,
       c.stage, c.state, c.observed, c.recorded, c.id,
       r.region, r.observed, r.recorded, r.id
FROM (
    SELECT t.target, coalesce(t.unit, '') AS unit,
        (SELECT e.id FROM entry e WHERE {_LIVE_ON_DAY}
         ORDER BY e.observed DESC, e.recorded DESC, e.id DESC LIMIT 1) AS current,
        (SELECT e.id FROM entry e WHERE {_LIVE_ON_DAY} AND e.region IS NOT NULL
         ORDER BY e.observed DESC, e.recorded DESC, e.id DESC LIMIT 1) AS place
    FROM temp.touched t
) p
LEFT JOIN entry c ON c.id = p.current
LEFT JOIN entry r ON r.id = p.place
"""


def _day_before(day: str) -> str:
    return (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()


class Past(Present):
    """What the history came to on an earlier day."""

    def changed_since(self, day: str) -> list[tuple[UnitState | None, UnitState | None]]:
        """(state now, state on ``day``) of every unit that an entry observed after
        ``day`` touches; every other unit stands now as it stood then.

        The state on ``day`` is worked back from the state now and the entries observed
        after ``day`` (what they added, and what their voids took away), with the current
        stage and region read from the end of each unit's index range: the work grows
        with the window, not with the history. A property test holds it equal to
        ``fold_units`` of the history up to ``day``."""
        with sqlite_errors(self.path):
            return self._changed_since(day)

    def _changed_since(self, day: str) -> list[tuple[UnitState | None, UnitState | None]]:
        later = self._read(
            "SELECT count(*) FROM entry INDEXED BY entry_by_observed WHERE observed > ?", (day,)
        )[0][0]
        rows = self._read("SELECT count(*) FROM entry")[0][0]  # voids too: all are read
        if later * 4 > rows:
            return self._changed_since_by_folding(day)
        return self._changed_since_by_window(day)

    def _changed_since_by_window(self, day: str) -> list[tuple[UnitState | None, UnitState | None]]:
        db = self.db
        db.execute("CREATE TEMP TABLE IF NOT EXISTS touched (target TEXT NOT NULL, unit TEXT)")
        db.execute("DELETE FROM temp.touched")
        db.execute(
            "INSERT INTO temp.touched SELECT DISTINCT target, unit FROM entry"
            " INDEXED BY entry_by_observed WHERE observed > ?",
            (day,),
        )
        now = {
            (row[0], row[1]): state_of(row)
            for row in db.execute(
                f"SELECT {STATE_COLUMNS_OF_S} FROM temp.touched t"
                " CROSS JOIN unit_state s ON s.target = t.target AND s.unit = coalesce(t.unit, '')"
            )
        }
        # What the window changed in each unit's live count and quantity.
        window = db.execute(
            "SELECT id, target, coalesce(unit, ''), quantity, voids FROM entry"
            " INDEXED BY entry_by_observed WHERE observed > ?",
            (day,),
        ).fetchall()
        counts: dict[tuple[str, str], int] = {}  # each unit's entries after the day
        for row in window:
            counts[(row[1], row[2])] = counts.get((row[1], row[2]), 0) + 1
        added = [row for row in window if row[4] is None]
        voided_now = self._voided_among([row[0] for row in added])
        change: dict[tuple[str, str], list[int]] = {}
        for entry_id, target, unit, quantity, _ in added:
            if entry_id not in voided_now:  # live now, absent on the day
                acc = change.setdefault((target, unit), [0, 0])
                acc[0] -= 1
                acc[1] -= quantity or 0
        cancelled = {row[4] for row in window if row[4] is not None}
        earlier = self._voided_among(list(cancelled), until=day)
        for _id, target, unit, quantity, voids, observed in self._rows_by_id(cancelled):
            if voids is None and observed <= day and _id not in earlier:
                acc = change.setdefault((target, unit), [0, 0])  # live on the day, voided since
                acc[0] += 1
                acc[1] += quantity or 0
        pairs = []
        for row in db.execute(_UNITS_ON_DAY, (day,)):
            target, unit, last, stage, state_ = row[:5]
            current, region, place = row[5:8], row[8], row[9:12]
            later = counts.get((target, unit), 0)
            key = (target, unit)
            state = now[key]
            if later >= state.entries:
                pairs.append((state, None))  # the unit had no entry yet on the day
                continue
            live, quantity = change.get(key, (0, 0))
            then = UnitState(
                target,
                unit,
                region,
                stage,
                state_,
                state.quantity + quantity,
                state.live + live,
                state.entries - later,
                last,
                tuple(current) if current[0] else None,
                tuple(place) if place[0] else None,
            )
            pairs.append((state, then))
        return pairs

    def _changed_since_by_folding(
        self, day: str
    ) -> list[tuple[UnitState | None, UnitState | None]]:
        """The same pairs, for a day far back: one streamed fold of the history up to it
        costs less than working back from a window that holds most of the history."""
        voided = {
            r[0]
            for r in self.db.execute(
                "SELECT voids FROM entry WHERE voids IS NOT NULL AND observed <= ?", (day,)
            )
        }

        def upto() -> Iterator[Entry]:
            cursor = self.db.execute(
                f"SELECT {ENTRY_COLUMNS} FROM entry WHERE observed <= ?", (day,)
            )
            while rows := cursor.fetchmany(5000):
                yield from map(entry_of, rows)

        then = fold_units(upto(), voided=voided)
        keys = self.db.execute(
            "SELECT DISTINCT target, coalesce(unit, '') FROM entry"
            " INDEXED BY entry_by_observed WHERE observed > ?",
            (day,),
        ).fetchall()
        now = load_states(self.db, [tuple(k) for k in keys])
        return [(now[key], then.get(key)) for key in now]

    def _rows_by_id(self, ids: set[str]) -> list[tuple]:
        return self._where_in(
            "SELECT id, target, coalesce(unit, ''), quantity, voids, observed FROM entry",
            "id",
            list(ids),
        )

    def changes_after(
        self, day: str, now: Tallies | None = None, regions_of: Collection[str] | None = None
    ) -> tuple[Tallies, dict[tuple[str, str], Move]] | None:
        """The tally on ``day``, and (stage then, stage now, day of its current entry) of
        each unit whose stage or state moved after it (then None: the unit had no entry
        yet), read from unit_delta alone; None when its rows do not reach back to ``day``.
        (``now``: the tallies now, when the caller has read them with ``regions_of``.)"""
        with sqlite_errors(self.path):
            mark = self.db.execute("SELECT day FROM delta_mark").fetchone()
            if mark is None or day < _day_before(mark[0]):
                return None
            rows = self.db.execute(
                "SELECT target, unit, day, region, stage, units, live, quantity, latest"
                " FROM unit_delta INDEXED BY unit_delta_by_day WHERE day > ?",
                (day,),
            ).fetchall()
            if now is None:
                now = self.tallies(regions_of=regions_of)
            return unwind(now, rows, regions_of), stage_moves(rows)
