"""The past as the store reads it: every monthly checkpoint, the tally on any day and the
changes between two days equal folding the history, however the entries arrived."""

from __future__ import annotations

import datetime as dt
import itertools
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chuyi_cli.domain import Entry
from chuyi_cli.fold import fold_units
from chuyi_cli.store import Store, batches, checkpoint_upkeep, checkpoints, past
from chuyi_cli.tally import TallyRow, at_stages, tally

FIRST = dt.date(2022, 3, 20)  # before the first checkpoint (2022-04-30)
SPAN = 420  # days: entries reach into 2023, over a dozen month ends
PLACES = ("430100", "430200", "430300", None)
_ids = itertools.count()


def entry(target, day, unit=None, **fields):
    n = next(_ids)
    values = dict.fromkeys(Entry._fields)
    values.update(
        id=f"{n:08d}-past",
        target=target,
        unit=unit,
        observed=day.isoformat(),
        recorder="t",
        recorded=f"2023-01-01T00:00:{n % 60:02d}.{n:06d}Z",
    )
    values.update(fields)
    return Entry(**values)


days = st.integers(0, SPAN).map(lambda d: FIRST + dt.timedelta(days=d))
steps = st.lists(
    st.tuples(
        st.sampled_from(["bases", "bases", "cities", "talks", "plan-done"]),
        st.sampled_from(["甲", "乙", "丙"]),
        st.sampled_from(["selected", "building", "accepted", "revoked"]),
        days,
        st.integers(0, 3),
        st.booleans(),
        st.integers(0, 99),
    ),
    min_size=1,
    max_size=24,
)


def history_of(drawn):
    """Entries of several targets, units and regions, back-dated at random, some of them
    voided (a void on its own day, which may come before the entry's)."""
    entries, voided = [], set()
    for target, unit, stage, day, place, void, pick in drawn:
        live = [e for e in entries if not e.voids and e.id not in voided]
        if void and live:
            victim = live[pick % len(live)]
            voided.add(victim.id)
            entries.append(entry(victim.target, day, victim.unit, voids=victim.id))
        elif target == "talks":
            entries.append(entry("talks", day, quantity=pick % 5 + 1))
        elif target == "plan-done":
            entries.append(entry("plan-done", day, state=["in_progress", "done"][pick % 2]))
        else:
            entries.append(entry(target, day, unit, stage=stage, region=PLACES[place]))
    return entries


def arrive(store, entries, how):
    """Store ``entries`` as record (one by one, or together) or import (row by row or
    in bulk) would, or an import followed by back-dated records."""
    if how == "one by one":
        for e in entries:
            store.add([e], again=True)
    elif how == "together":
        store.add(entries, again=True)
    elif how in ("import", "bulk import"):
        plain = [e for e in entries if not e.voids]
        voids = [e for e in entries if e.voids]
        expected = len(entries) if how == "bulk import" else 0
        with patch.object(batches, "BULK_ROWS", 1):
            store.import_batches([plain], list, False, lambda: [voids], expected=expected)
    else:  # the first half imported, the rest recorded afterwards
        half = len(entries) // 2
        arrive(store, entries[:half], "bulk import")
        arrive(store, entries[half:], "one by one")


def summed(tallies, keep):
    """``tallies`` with the regions of every target but those in ``keep`` summed."""
    result = {}
    for target, rows in tallies.items():
        if target in keep:
            result[target] = rows
            continue
        sums = {}
        for r in rows:
            acc = sums.setdefault(r.stage, [0, 0, 0])
            acc[0] += r.units
            acc[1] += r.live
            acc[2] += r.quantity
        kept = [TallyRow("", stage, *v) for stage, v in sorted(sums.items()) if any(v)]
        if kept:
            result[target] = kept
    return result


def folded(entries, day):
    return tally(fold_units(entries, day).values())


KEEP = {"cities"}
# Rows at some stages alone: of a target counting quantities, of one whose regions are
# kept, of one whose are summed, and of none at all.
STAGES = {"talks": ("",), "cities": ("building", "accepted"), "bases": ("accepted",), "x": ()}
HOW = st.sampled_from(["one by one", "together", "import", "bulk import", "then records"])


@settings(max_examples=40, deadline=None)
@given(steps, HOW)
def test_every_checkpoint_is_the_fold_up_to_its_day(tmp_path_factory, drawn, how):
    entries = history_of(drawn)
    with Store.open(tmp_path_factory.mktemp("db") / "c.db") as store:
        arrive(store, entries, how)
        held = checkpoints.checkpoint_days(store.db)
        stored = checkpoints.read(store.db, held)
        stored_summed = checkpoints.read(store.db, held, KEEP)
        at_stages_summed = checkpoints.read(store.db, held, KEEP, None, STAGES)
        at_stages_kept = checkpoints.read(store.db, held, None, {"talks", "cities"}, STAGES)
        assert store.derived_in_step()
    assert held[0] == "2022-04-30" and held[-1] < dt.date.today().isoformat()
    for day in held:
        expected = folded(entries, dt.date.fromisoformat(day))
        assert stored[day] == expected, day
        assert stored_summed[day] == summed(expected, KEEP), day
        assert at_stages_summed[day] == at_stages(summed(expected, KEEP), STAGES), day
        chosen = {t: r for t, r in expected.items() if t in ("talks", "cities")}
        assert at_stages_kept[day] == at_stages(chosen, STAGES)


@settings(max_examples=40, deadline=None)
@given(steps, HOW, st.lists(days, min_size=1, max_size=4), st.booleans())
def test_the_tally_on_any_day_is_the_fold_up_to_it(tmp_path_factory, drawn, how, asked, recent):
    """Whichever anchor is nearer (the checkpoint before, the one after, today's tally),
    and with the recent changes kept or not."""
    entries = history_of(drawn)
    if recent:  # move the history into the weeks unit_delta keeps
        shift = dt.date.today() - dt.timedelta(days=60) - FIRST - dt.timedelta(days=SPAN)
        entries = [e._replace(observed=_later(e.observed, shift)) for e in entries]
        asked = [d + shift for d in asked]
    with Store.open(tmp_path_factory.mktemp("db") / "t.db") as store:
        arrive(store, entries, how)
        got = {d: store.tally_on(d.isoformat()) for d in asked}
        got_summed = {d: store.tally_on(d.isoformat(), KEEP) for d in asked}
        at = store.tallies_at([d.isoformat() for d in asked], KEEP)
        months = checkpoints.checkpoint_days(store.db)[:3]
        at_months = store.tallies_at(months)
        both = [d.isoformat() for d in asked] + months
        staged = store.tallies_at(both, KEEP, {"cities", "bases", "talks"}, STAGES)
    for d in asked:
        assert got[d] == folded(entries, d), d
        assert got_summed[d] == at[d.isoformat()] == summed(folded(entries, d), KEEP), d
    for m in months:
        assert at_months[m] == folded(entries, dt.date.fromisoformat(m))
    for day in both:
        kept = summed(folded(entries, dt.date.fromisoformat(day)), KEEP)
        chosen = {t: r for t, r in kept.items() if t != "plan-done"}
        assert staged[day] == at_stages(chosen, STAGES), day


def _later(day, shift):
    return (dt.date.fromisoformat(day) + shift).isoformat()


@settings(max_examples=40, deadline=None)
@given(steps, HOW, days, days, st.booleans())
def test_changes_between_two_days_are_the_difference_of_two_folds(
    tmp_path_factory, drawn, how, a, b, recent
):
    entries = history_of(drawn)
    since, until = min(a, b), max(a, b)
    if recent:
        shift = dt.date.today() - dt.timedelta(days=60) - FIRST - dt.timedelta(days=SPAN)
        entries = [e._replace(observed=_later(e.observed, shift)) for e in entries]
        since, until = since + shift, until + shift
    with Store.open(tmp_path_factory.mktemp("db") / "m.db") as store:
        arrive(store, entries, how)
        got = store.changes(since.isoformat(), until.isoformat())
        today = store.changes(since.isoformat())
    assert got == expected_moves(entries, since, until)
    assert today == expected_moves(entries, since, None)


def expected_moves(entries, since, until):
    then, now = fold_units(entries, since), fold_units(entries, until)
    moves = {}
    for key, state in now.items():
        before = then[key].tally_key[2] if key in then else None
        if before != state.tally_key[2]:
            moves[key] = (before, state.tally_key[2], state.latest[0] if state.latest else None)
    return moves


@settings(max_examples=25, deadline=None)
@given(steps, st.sampled_from(range(1, 14)))
def test_month_ends_passed_since_the_last_write_are_added_as_the_history_folds(
    tmp_path_factory, drawn, months
):
    """(Through the store's module: the days pass by a date handed in, not by the
    clock.) Checkpoints taken up to a month end, then those of the months after it added
    at the next write, equal checkpoints derived afresh."""
    entries = history_of(drawn)
    with Store.open(tmp_path_factory.mktemp("db") / "a.db") as store:
        arrive(store, entries, "together")
        first = dt.date(2022, 4 + months // 2, 2)
        with store.write() as db:
            checkpoint_upkeep.rebuild(db, today=first)
            checkpoint_upkeep.add_due(db, today=dt.date(2023, 6, 1) + dt.timedelta(days=months))
        assert store.derived_in_step()
        added = checkpoints.read(store.db, checkpoints.checkpoint_days(store.db))
    for day, tallies in added.items():
        assert tallies == folded(entries, dt.date.fromisoformat(day)), day


def test_recent_changes_and_the_history_give_the_same_past(tmp_path):
    """A differential test of the two ways to a recent day: the changes kept in
    unit_delta, and the checkpoints with the units folded."""
    today = dt.date.today()
    entries = [
        entry("bases", today - dt.timedelta(days=n), unit, stage=stage, region="430100")
        for n, unit, stage in (
            (40, "甲", "building"),
            (20, "甲", "accepted"),
            (9, "乙", "selected"),
        )
    ]
    entries.append(entry("bases", today - dt.timedelta(days=5), "乙", voids=entries[2].id))
    with Store.open(tmp_path / "r.db") as store:
        store.add(entries, again=True)
        asked = [(today - dt.timedelta(days=n)).isoformat() for n in (45, 30, 10, 6, 1)]
        quick = [(store.tally_on(d), store.changes(d)) for d in asked]
        with patch.object(past, "recent_start", lambda db: None):
            slow = [(store.tally_on(d), store.changes(d)) for d in asked]
    assert quick == slow
    moved_on = (today - dt.timedelta(days=20)).isoformat()
    assert quick[1][1] == {
        ("bases", "甲"): ("building", "accepted", moved_on),
        ("bases", "乙"): (None, "", None),
    }


@settings(max_examples=30, deadline=None)
@given(steps, HOW, st.lists(days, min_size=1, max_size=3), days)
def test_without_the_days_changes_the_past_is_the_same(tmp_path_factory, drawn, how, asked, since):
    """A store that keeps no changes day by day (a read-only file of an older schema, a
    server) reads the tally on a day from the units the days between touch, each read
    inside SQLite, and the changes since a day the same way: the same past."""
    entries = history_of(drawn)
    with Store.open(tmp_path_factory.mktemp("db") / "w.db") as store:
        arrive(store, entries, how)
        quick = [store.tally_on(d.isoformat(), KEEP) for d in asked]
        with (
            patch.object(checkpoints, "has_changes", lambda db: False),
            patch.object(past, "recent_start", lambda db: None),
        ):
            slow = [store.tally_on(d.isoformat(), KEEP) for d in asked]
            plain = [store.tally_on(d.isoformat()) for d in asked]
            moves = store.changes(since.isoformat())
    assert quick == slow == [summed(folded(entries, d), KEEP) for d in asked]
    assert plain == [folded(entries, d) for d in asked]
    assert moves == expected_moves(entries, since, None)


def _first_row(table: str, key: str) -> str:
    return f"({key}) = (SELECT {key} FROM {table} ORDER BY {key} LIMIT 1)"


_CHANGE_KEY = "target, day, region, stage"
_CHECKPOINT_KEY = "day, target, region, stage"
_SUMMED_KEY = "day, target, stage"
_DELTA_KEY = "target, unit, day, region, stage"
DAMAGE = {
    "a day's change altered": "UPDATE tally_change SET units = units + 1 WHERE "
    + _first_row("tally_change", _CHANGE_KEY),
    "a day's change lost": "DELETE FROM tally_change WHERE "
    + _first_row("tally_change", _CHANGE_KEY),
    "a day's change of nothing": "INSERT INTO tally_change VALUES"
    " ('bases', '2022-05-05', '430100', 'building', 0, 0, 0)",
    "a day's change of no unit's": "INSERT INTO tally_change VALUES"
    " ('nothing', '2022-05-05', '430100', 'building', 1, 1, 0)",
    "a checkpoint altered": "UPDATE tally_checkpoint SET live = live + 1 WHERE "
    + _first_row("tally_checkpoint", _CHECKPOINT_KEY),
    "a checkpoint lost": "DELETE FROM tally_checkpoint WHERE "
    + _first_row("tally_checkpoint", _CHECKPOINT_KEY),
    "a checkpoint of nothing": "INSERT INTO tally_checkpoint VALUES"
    " ('2022-05-31', 'bases', '430900', 'building', 0, 0, 0)",
    "a checkpoint on no month end": "INSERT INTO tally_checkpoint VALUES"
    " ('2022-05-30', 'bases', '430100', 'building', 1, 1, 0)",
    "a checkpoint of no unit's target": "INSERT INTO tally_checkpoint VALUES"
    " ('2022-05-31', 'nothing', '430100', 'building', 1, 1, 0)",
    "a summed checkpoint altered": "UPDATE stage_checkpoint SET quantity = quantity + 1 WHERE "
    + _first_row("stage_checkpoint", _SUMMED_KEY),
    "a summed checkpoint lost": "DELETE FROM stage_checkpoint WHERE "
    + _first_row("stage_checkpoint", _SUMMED_KEY),
    "a summed checkpoint too many": "INSERT INTO stage_checkpoint VALUES"
    " ('2022-06-30', 'nothing', 'building', 1, 1, 0)",
    "a recent change altered": "UPDATE unit_delta SET live = live + 1 WHERE "
    + _first_row("unit_delta", _DELTA_KEY),
    "a recent change lost": "DELETE FROM unit_delta WHERE " + _first_row("unit_delta", _DELTA_KEY),
    "a region's last record lost": "DELETE FROM region_last WHERE region = '430100'",
    "a region's last record from a voided entry": "UPDATE region_last"
    " SET observed = '2022-08-09' WHERE region = '430200'",
    "a region's last record of none": "INSERT INTO region_last VALUES ('430900', '2022-05-02')",
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_check_finds_any_row_of_the_past_out_of_step(tmp_path, damage):
    """A row of the days' changes, the checkpoints (and their regions summed), the recent
    changes or the regions' last records altered, lost or added is out of step with the
    history; a repair derives them again."""
    today = dt.date.today()
    entries = [
        entry("bases", dt.date(2022, 3, 20), "甲", stage="selected", region="430100"),
        entry("bases", dt.date(2022, 5, 2), "甲", stage="building", region="430100"),
        entry("bases", dt.date(2022, 5, 2), "乙", stage="building", region="430200"),
        entry("bases", dt.date(2022, 8, 9), "乙", stage="accepted", region="430200"),
        entry("talks", dt.date(2022, 6, 1), quantity=3),
        entry("bases", today - dt.timedelta(days=2), "丙", stage="selected", region="430300"),
    ]
    entries.append(entry("bases", dt.date(2022, 9, 1), "乙", voids=entries[3].id))
    with Store.open(tmp_path / "d.db") as store:
        store.add(entries, again=True)
        assert store.derived_in_step()
        store.db.execute(DAMAGE[damage])
        assert not store.derived_in_step()
        store.rebuild()
        assert store.derived_in_step()
