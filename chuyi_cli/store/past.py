"""The past: the tally on any earlier day, and what changed between two days.

The one way to read the past. A day is read from the nearest of three anchors: the
monthly checkpoint at or before it, the one after it (or today's tally), each moved by
the few units that entries observed between the anchor and the day touch, folded at
both days; or, for a day within the last weeks, today's tally with the recent changes
kept in ``unit_delta`` taken out.
"""

from __future__ import annotations

import bisect
import datetime as dt
import sqlite3
from collections.abc import Collection, Iterable, Mapping

from chuyi_cli.store import checkpoints, reach
from chuyi_cli.store.checkpoints import Counts, moved, state_changes
from chuyi_cli.store.present import Present
from chuyi_cli.store.sqlite_errors import sqlite_errors
from chuyi_cli.store.standings import (
    Standing,
    entries_between,
    stages_between,
    standings_between,
)
from chuyi_cli.tally import Move, Stages, Tallies, at_stages, stage_moves

# Before the first checkpoint, the days are counted from the notice's day.
FIRST_DAY = "2022-04-08"

# A recent change read from unit_delta costs about this many times less than an entry
# between an anchor and the day (whose unit is read whole and folded twice).
_DELTA_CHEAPER = 8


def _days(first: str, last: str) -> int:
    return (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days


def recent_start(db: sqlite3.Connection) -> str | None:
    """The first day whose tally today's and the changes kept in ``unit_delta`` give
    (None: none kept)."""
    mark = db.execute("SELECT day FROM delta_mark").fetchone()
    if mark is None:
        return None
    return (dt.date.fromisoformat(mark[0]) - dt.timedelta(days=1)).isoformat()


class Past(Present):
    """What the history came to on an earlier day."""

    def tally_on(self, day: str, regions_of: Collection[str] | None = None) -> Tallies:
        """Units per (target, region, stage) on ``day``, as the history known now has it
        (entries observed after it ignored, a void counted from its own day).
        (``regions_of``: the targets whose rows keep their regions; the others' come
        summed, region "", all a report of the whole province needs of them.)"""
        with sqlite_errors(self.path):
            return self._tally_on(day, regions_of)

    def tallies_at(
        self,
        days: Iterable[str],
        regions_of: Collection[str] | None = None,
        targets: Collection[str] | None = None,
        stages: Stages | None = None,
    ) -> dict[str, Tallies]:
        """The tally on each of ``days``: those that are checkpoints (month ends) from
        them, the others each as :meth:`tally_on` reads it. (``targets``: the rows of
        these targets alone; ``stages``: targets whose rows at these stages alone are
        read.)"""
        wanted = sorted(set(days))
        with sqlite_errors(self.path):
            held = set(checkpoints.checkpoint_days(self.db))
            last = self.last_observed()
            found = checkpoints.read(
                self.db,
                [d for d in wanted if d in held and (last or "") > d],
                regions_of,
                targets,
                stages,
            )
            for day in wanted:
                if day not in found:
                    tallies = self._tally_on(day, regions_of)
                    if targets is not None:
                        tallies = {t: rows for t, rows in tallies.items() if t in targets}
                    found[day] = at_stages(tallies, stages) if stages else tallies
        return found

    def changes(self, since: str, until: str | None = None) -> dict[tuple[str, str], Move]:
        """(stage then, stage now, day of its current entry now) of each unit whose stage
        (or state) on ``until`` (None: today) differs from its stage on ``since`` (then
        None: it had no entry yet)."""
        with sqlite_errors(self.path):
            last = self.last_observed()
            if until is not None and until >= (last or ""):
                until = None
            start = recent_start(self.db)
            if start is not None and since >= start:
                rows = self.db.execute(
                    "SELECT target, unit, day, region, stage, units, live, quantity, latest"
                    " FROM unit_delta INDEXED BY unit_delta_by_day WHERE day > ? AND day <= ?",
                    (since, until or "9999-99-99"),
                ).fetchall()
                return stage_moves(rows)
            return {
                key: (then, now, latest)
                for key, then, now, latest in stages_between(self.db, since, until)
                if then != now
            }

    def reached_since(
        self, since: str, until: str, counting: Mapping[str, str]
    ) -> list[tuple[str, str, str]] | None:
        """(target, unit, the day of its current entry) of each unit of the targets in
        ``counting`` (target → the stage it counts at) at or past that stage on ``until``
        and not on ``since`` (or with no entry by then), read from ``unit_reach``; None
        where that is not kept, or ``until`` lies before the last day observed (then
        :meth:`changes` tells it)."""
        with sqlite_errors(self.path):
            if until < (self.last_observed() or ""):
                return None
            return reach.reached_since(self.db, since, counting)

    # ---- how

    def _tally_on(self, day: str, regions_of: Collection[str] | None) -> Tallies:
        db = self.db
        last = self.last_observed()
        if last is None or day >= last:
            return self.tallies(regions_of=regions_of)
        days = checkpoints.checkpoint_days(db)
        if day in days:
            return checkpoints.read(db, [day], regions_of)[day]
        i = bisect.bisect_right(days, day)
        before = days[i - 1] if i else None
        after = days[i] if i < len(days) else None  # None: today's tally
        if checkpoints.has_changes(db):
            return self._moved_by_days(day, before, after, last, regions_of)
        forward = entries_between(db, before, day)
        backward = entries_between(db, day, after)
        start = recent_start(db)
        recent = after is None and start is not None and day >= start
        if recent and backward <= forward * _DELTA_CHEAPER:
            return moved(self.tallies(regions_of=regions_of), self._recent(day, regions_of))
        if forward <= backward:
            base = checkpoints.read(db, [before], regions_of)[before] if before else {}
            then, now = standings_between(db, before, day)
            return moved(base, state_changes(then, now, Standing.place, regions_of))
        if after is None:
            base = self.tallies(regions_of=regions_of)
        else:
            base = checkpoints.read(db, [after], regions_of)[after]
        now, later = standings_between(db, day, after)
        return moved(base, state_changes(later, now, Standing.place, regions_of))

    def _moved_by_days(
        self,
        day: str,
        before: str | None,
        after: str | None,
        last: str,
        regions_of: Collection[str] | None,
    ) -> Tallies:
        """The tally on ``day`` from the nearer anchor (the checkpoint ``before`` it, or
        the one ``after`` it, or today's tally) and the days' changes between."""
        db = self.db
        behind = _days(before, day) if before else _days(FIRST_DAY, day)
        ahead = _days(day, after or last)
        if behind <= ahead:
            base = checkpoints.read(db, [before], regions_of)[before] if before else {}
            return moved(base, checkpoints.changed_between(db, before or "", day, regions_of))
        if after is None:
            base = self.tallies(regions_of=regions_of)
        else:
            base = checkpoints.read(db, [after], regions_of)[after]
        changes = checkpoints.changed_between(db, day, after, regions_of)
        return moved(base, {key: [-n for n in change] for key, change in changes.items()})

    def _recent(self, day: str, regions_of: Collection[str] | None) -> Counts:
        """What the changes kept after ``day`` take out of today's tally."""
        where, params = checkpoints.region_or_summed(regions_of)
        rows = self.db.execute(
            f"SELECT target, {where}, stage, sum(units), sum(live), sum(quantity)"
            " FROM unit_delta INDEXED BY unit_delta_by_day WHERE day > ? GROUP BY 1, 2, 3",
            (*params, day),
        )
        # (int: PostgreSQL sums integers as numeric)
        return {(t, r, s): [-int(n), -int(lv), -int(q)] for t, r, s, n, lv, q in rows}
