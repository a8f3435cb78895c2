"""The one-pass fold of a unit (store/unit_pass.py) against the plain rules it stands
for: fold_units for the state now, unit_deltas for the moves, on random units with
voids, back-dated entries and ties."""

from __future__ import annotations

import datetime as dt
import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from chuyi_cli.domain import Entry
from chuyi_cli.fold import fold_units, unit_deltas
from chuyi_cli.store.unit_pass import stories, story

START = dt.date(2024, 1, 1)
DAYS = st.integers(0, 20).map(lambda d: (START + dt.timedelta(days=d)).isoformat())
ROWS = st.lists(
    st.tuples(
        st.sampled_from(["selected", "building", "accepted", "revoked", None]),
        st.sampled_from(["430100", "430200", None]),
        DAYS,
        st.integers(0, 3),  # recorded: the hour
        st.integers(0, 3),  # quantity (0: none)
        st.one_of(st.none(), st.integers(0, 30), st.integers(0, 30)),  # voids: which row
        DAYS,  # a void's own day
    ),
    min_size=1,
    max_size=30,
)


def unit_of(rows: list[tuple], target: str = "t", unit: str | None = "甲") -> list[Entry]:
    """The rows as one unit's entries: a void cancels an earlier row's entry (any of its
    days), never one voided already, never a void."""
    entries: list[Entry] = []
    voided: set[str] = set()
    for n, (stage, region, day, hour, quantity, voids, void_day) in enumerate(rows):
        recorded = f"{day}T{hour:02d}:00:00Z"
        live = [e for e in entries if not e.voids and e.id not in voided]
        if voids is not None and live:
            cancelled = live[voids % len(live)]
            voided.add(cancelled.id)
            entries.append(
                Entry(f"{target}v{n:07d}", target, unit, cancelled.region, None, None, None,
                      void_day, f"{void_day}T{hour:02d}:00:00Z", "r", "why", voids=cancelled.id)
            )  # fmt: skip
            continue
        kind = {"stage": stage} if stage else {"quantity": quantity or 1}
        entries.append(
            Entry(
                f"{target}e{n:07d}",
                target,
                unit,
                region,
                kind.get("stage"),
                None,
                kind.get("quantity"),
                day,
                recorded,
                "r",
            )  # fmt: skip
        )
    return entries


def cells(e: Entry) -> tuple:
    return (e.id, e.target, e.unit, e.region, e.stage, e.state, e.quantity, e.observed,
            e.recorded, e.voids)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(ROWS, st.randoms())
def test_story_is_the_fold_and_the_deltas(rows: list[tuple], random) -> None:
    entries = unit_of(rows)
    shuffled = entries[:]
    random.shuffle(shuffled)
    shuffled.sort(key=lambda e: e.observed)  # (as SQLite gives them: by day, else any order)
    state, moves = story([cells(e) for e in shuffled])
    assert state == fold_units(entries)[("t", "甲")]
    assert moves == unit_deltas(entries, "")


@settings(max_examples=50, deadline=None)
@given(ROWS, ROWS)
def test_stories_read_every_unit_in_order(first: list[tuple], second: list[tuple]) -> None:
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE TABLE entry (seq INTEGER PRIMARY KEY, id, target, unit, region, stage,"
        " state, quantity, observed, recorded, recorder, note, evidence,"
        " evidence_sha256, voids)"
    )
    entries = unit_of(first, "b", None) + unit_of(second, "a", "乙")
    db.executemany(f"INSERT INTO entry VALUES (NULL{', ?' * 14})", entries)
    found = list(stories(db))
    assert [s.target for s, _ in found] == ["a", "b"]
    assert [s for s, _ in found] == list(dict(sorted(fold_units(entries).items())).values())
    voided = {e.voids for e in entries if e.voids}
    assert list(stories(db, voided)) == found
