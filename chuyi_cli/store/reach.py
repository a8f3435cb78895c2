"""When each unit was at or past each counting stage: ``unit_reach``, one row a stretch of
days, kept by every write, rebuilt in the pass that rebuilds the other derived tables, and
compared by ``check``; so that the units that reached a target's stage since a day
(``summary --since``) are a range read, however far back the day.

A unit is at or past a stage on a day when its current entry on that day (as the history
known now has it) says that stage or a later one (revoked, and no live entry, is none);
a stretch starts on the first such day after one that is not and stops on the first day
that is not (NULL: it still is).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from operator import itemgetter

from chuyi_cli.catalog_nodes import COUNTING_STAGES
from chuyi_cli.fold import DeltaRow, unit_deltas
from chuyi_cli.store.rows import ENTRY_COLUMNS, entry_of
from chuyi_cli.store.sqlite import Db, keeps
from chuyi_cli.store.unit_pass import Story

_RANK = {stage: i for i, stage in enumerate(COUNTING_STAGES)}

# (target, unit, stage, start, stop, latest)
ReachRow = tuple[str, str, str, str, str | None, str | None]


_STAGE_START = itemgetter(2, 3)  # a unit_reach row's stage and start


def has_reach(db: Db) -> bool:
    """Whether the store keeps ``unit_reach`` as schema 10 made it (a file of schema 9,
    read as it is, keeps it without the day of each open stretch's current entry: the
    units that reached a stage are otherwise read the longer way)."""
    if not keeps(db, "unit_reach"):
        return False
    return "latest" in {row[1] for row in db.execute("PRAGMA table_info(unit_reach)")}


def stretches(
    target: str, unit: str, moves: Iterable[DeltaRow], latest: str | None
) -> list[ReachRow]:
    """A unit's rows of ``unit_reach`` in the table's order, from its moves in the tally
    (as :func:`chuyi_cli.fold.unit_deltas` gives them: on a day it moves, the row that
    adds it to its new place says its stage or state from that day on). A stretch still
    open holds ``latest``, the day of the unit's current entry now (which a day's void
    and a new entry of the same stage change without moving the unit)."""
    rank = -1
    started: list[str | None] = [None] * len(COUNTING_STAGES)
    found: list[ReachRow] = []
    for day, _region, stage, units, *_ in moves:
        if units != 1:
            continue
        now = _RANK.get(stage, -1)
        for level, name in enumerate(COUNTING_STAGES):
            if now >= level > rank:
                started[level] = day
            elif rank >= level > now:
                start = started[level]
                assert start is not None
                found.append((target, unit, name, start, day, None))
        rank = now
    found += [
        (target, unit, name, start, None, latest)
        for name, start in zip(COUNTING_STAGES, started, strict=True)
        if start is not None and _RANK[name] <= rank
    ]
    return sorted(found, key=_STAGE_START)


def story_rows(story: Story) -> list[ReachRow]:
    """The ``unit_reach`` rows of a unit as a pass over the history tells it."""
    state, moves = story
    return stretches(state.target, state.unit, moves, state.last_observed)


def keep_for_units(db: Db, touched: Iterable[tuple[str, str]]) -> None:
    """Work the rows of these units (the units a write touched) out again from their
    entries (and the day of each one's current entry, from unit_state, which the write
    has brought into step first)."""
    if not has_reach(db):
        return
    for target, unit in sorted(touched):
        db.execute("DELETE FROM unit_reach WHERE target = ? AND unit = ?", (target, unit))
        entries = [
            entry_of(row)
            for row in db.execute(
                f"SELECT {ENTRY_COLUMNS} FROM entry WHERE target = ? AND unit IS ?",
                (target, unit or None),
            )
        ]
        latest = db.execute(
            "SELECT latest_observed FROM unit_state WHERE target = ? AND unit = ?", (target, unit)
        ).fetchone()
        moves = unit_deltas(entries, "")
        insert(db, stretches(target, unit, moves, latest[0] if latest else None))


def insert(db: Db, rows: Iterable[ReachRow]) -> None:
    db.executemany("INSERT INTO unit_reach VALUES (?, ?, ?, ?, ?, ?)", rows)


class Rebuilt:
    """Every unit's rows as one pass over the history hands its units on (in table
    order), written a batch at a time."""

    def __init__(self, db: Db) -> None:
        self.db, self.rows = db, list[ReachRow]()
        self.kept = has_reach(db)
        if self.kept:
            db.execute("DELETE FROM unit_reach")

    def __call__(self, story: Story) -> None:
        if self.kept:
            self.rows += story_rows(story)
            if len(self.rows) >= 20_000:
                self.flush()

    def flush(self) -> None:
        insert(self.db, self.rows)
        self.rows.clear()


class Compared:
    """Every unit's rows as one pass over the history hands its units on, compared with
    the stored ones in the table's order (none held)."""

    def __init__(self, db: Db) -> None:
        self.kept = has_reach(db)
        self.stored: Iterator[tuple[object, ...]] = iter(
            db.execute("SELECT * FROM unit_reach ORDER BY 1, 2, 3, 4") if self.kept else ()
        )
        self.same = True

    def __call__(self, story: Story) -> None:
        if self.kept and self.same:
            rows = story_rows(story)
            self.same = all(next(self.stored, None) == row for row in rows)

    def done(self) -> bool:
        return self.same and next(self.stored, None) is None


def reached_since(
    db: Db, before: str, counting: Mapping[str, str]
) -> list[tuple[str, str, str]] | None:
    """(target, unit, the day of its current entry) of each unit of the targets in
    ``counting`` (target → the stage it counts at) at or past that stage now and not on
    ``before`` (or with no entry by then); None where the store keeps no ``unit_reach``."""
    if not has_reach(db):
        return None
    found: list[tuple[str, str, str]] = []
    by_stage: dict[str, list[str]] = {}
    for target, stage in sorted(counting.items()):
        by_stage.setdefault(stage, []).append(target)
    for stage, targets in sorted(by_stage.items()):
        # Those at or past it on ``before`` whose stretch stopped later and who are at or
        # past it again now: a range of the index, fewer than the stretches open now.
        again = set(
            db.execute(
                "SELECT target, unit FROM unit_reach INDEXED BY unit_reach_by_start"
                " WHERE stage = ?1 AND stop > ?2 AND start <= ?2",
                (stage, before),
            )
        )
        marks = ",".join(f"?{n}" for n in range(3, 3 + len(targets)))
        rows = db.execute(
            "SELECT target, unit, latest FROM unit_reach INDEXED BY unit_reach_by_start"
            f" WHERE stage = ?1 AND stop IS NULL AND start > ?2 AND target IN ({marks})",
            (stage, before, *targets),
        )
        found += [row for row in rows if (row[0], row[1]) not in again]
    return found
