"""The units that reached their target's counting stage since a day, as ``unit_reach``
gives them (a range read), equal folding the history at both days, however the entries
arrived; and a unit_reach out of step is found by check and made again by a repair."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings

from chuyi_cli.fold import fold_units
from chuyi_cli.progress import reached
from chuyi_cli.store import Store
from tests.test_past import HOW, arrive, days, entry, history_of, steps

COUNTING = {"bases": "accepted", "cities": "building", "talks": "selected"}


def expected_reached(entries, since):
    """(target, unit, day of its current entry now) of each unit at or past its
    target's stage now and not on ``since``, from two folds of the history."""
    then, now = fold_units(entries, since), fold_units(entries)
    found = []
    for (target, unit), state in now.items():
        stage = COUNTING.get(target)
        if stage is None or not reached(state.tally_key[2], stage):
            continue
        before = then.get((target, unit))
        if before is None or not reached(before.tally_key[2], stage):
            found.append((target, unit, state.latest[0] if state.latest else ""))
    return sorted(found)


@settings(max_examples=60, deadline=None)
@given(steps, HOW, days)
def test_reached_since_a_day_is_the_difference_of_two_folds(tmp_path_factory, drawn, how, since):
    entries = history_of(drawn)
    today = dt.date.today().isoformat()
    with Store.open(tmp_path_factory.mktemp("db") / "r.db") as store:
        arrive(store, entries, how)
        got = store.reached_since(since.isoformat(), today, COUNTING)
        assert store.derived_in_step()
    assert got is not None
    assert sorted(got) == expected_reached(entries, since)


def test_a_unit_that_left_its_stage_and_came_back_within_the_window_has_not_reached_it(tmp_path):
    """Accepted before the day, revoked, then accepted again after it: at the stage on
    both days, so not news; a unit revoked before the day and accepted after it is."""
    day = dt.date(2024, 1, 1)
    entries = [
        entry("bases", day - dt.timedelta(days=30), "甲", stage="accepted", region="430100"),
        entry("bases", day + dt.timedelta(days=10), "甲", stage="revoked", region="430100"),
        entry("bases", day + dt.timedelta(days=20), "甲", stage="accepted", region="430100"),
        entry("bases", day - dt.timedelta(days=30), "乙", stage="accepted", region="430100"),
        entry("bases", day - dt.timedelta(days=5), "乙", stage="revoked", region="430100"),
        entry("bases", day + dt.timedelta(days=20), "乙", stage="accepted", region="430100"),
    ]
    with Store.open(tmp_path / "b.db") as store:
        store.add(entries, again=True)
        got = store.reached_since(day.isoformat(), dt.date.today().isoformat(), COUNTING)
    later = (day + dt.timedelta(days=20)).isoformat()
    assert got == [("bases", "乙", later)]


def test_a_void_after_the_day_that_takes_a_unit_back_to_its_stage_makes_it_reached(tmp_path):
    """Accepted, then revoked before the day; the revocation voided after it: the unit
    is accepted now, and was not on the day, its current entry older than the day."""
    day = dt.date(2024, 1, 1)
    accepted = entry("bases", day - dt.timedelta(days=30), "甲", stage="accepted", region="430100")
    revoked = entry("bases", day - dt.timedelta(days=10), "甲", stage="revoked", region="430100")
    void = entry("bases", day + dt.timedelta(days=3), "甲", voids=revoked.id)
    with Store.open(tmp_path / "v.db") as store:
        store.add([accepted, revoked], again=True)
        store.add([void])
        got = store.reached_since(day.isoformat(), dt.date.today().isoformat(), COUNTING)
        assert store.derived_in_step()
    assert got == [("bases", "甲", accepted.observed)]


def test_check_finds_unit_reach_out_of_step_and_a_repair_makes_it_again(tmp_path):
    entries = [
        entry("bases", dt.date(2024, 3, 1), "甲", stage="selected", region="430100"),
        entry("bases", dt.date(2024, 6, 1), "甲", stage="accepted", region="430100"),
    ]
    with Store.open(tmp_path / "c.db") as store:
        store.add(entries, again=True)
        held = store.db.execute("SELECT * FROM unit_reach ORDER BY 1, 2, 3, 4").fetchall()
        assert held == [
            ("bases", "甲", "accepted", "2024-06-01", None, "2024-06-01"),
            ("bases", "甲", "building", "2024-06-01", None, "2024-06-01"),
            ("bases", "甲", "selected", "2024-03-01", None, "2024-06-01"),
        ]
        with store.write() as db:
            db.execute("UPDATE unit_reach SET start = '2024-05-01' WHERE stage = 'accepted'")
        assert not store.derived_in_step()
        store.rebuild()
        assert store.derived_in_step()
        assert store.db.execute("SELECT * FROM unit_reach ORDER BY 1, 2, 3, 4").fetchall() == held


def test_a_void_and_a_new_entry_of_the_same_stage_on_one_day_give_its_day(tmp_path):
    """A wrong entry voided and the visit recorded again on a later day, at the same
    stage: the unit does not move, but the day of its current entry is the new one."""
    day = dt.date(2024, 1, 1)
    wrong = entry("bases", day + dt.timedelta(days=5), "甲", stage="accepted", region="430100")
    void = entry("bases", day + dt.timedelta(days=8), "甲", voids=wrong.id)
    again = entry("bases", day + dt.timedelta(days=8), "甲", stage="accepted", region="430100")
    with Store.open(tmp_path / "d.db") as store:
        store.add([wrong], again=True)
        store.add([void, again], again=True)
        got = store.reached_since(day.isoformat(), dt.date.today().isoformat(), COUNTING)
        assert store.derived_in_step()
    assert got == [("bases", "甲", again.observed)]
    assert got == expected_reached([wrong, void, again], day)
