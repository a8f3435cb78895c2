"""The progress arithmetic, by hand-computed cases and by properties (hypothesis)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chuyi_cli.catalog import parse_catalog
from chuyi_cli.domain import Entry
from chuyi_cli.fold import fold_units
from chuyi_cli.progress import (
    achieved_on,
    counted_stages,
    elapsed,
    overall,
    plan_status,
    target_status,
)
from chuyi_cli.tally import tally

START = dt.date(2022, 1, 1)
HALF = START + dt.timedelta(days=50)  # the plan below lasts 100 days

PLAN = parse_catalog(
    """plan:
  title: t
  issuers: [a]
  start: 2022-01-01
  deadline: 2022-04-11
sections:
  - ref: 二(一)
    title: s
    tasks:
      - ref: 二(一)1
        title: t
        targets:
          - {id: bases, title: b, kind: count, goal: 10, source: "10", counts_at: accepted}
          - {id: forty, title: f, kind: count, goal: 40, source: "40", counts_at: accepted}
          - {id: built, title: u, kind: count, goal: 4, source: "4", counts_at: building}
          - id: cities
            title: c
            kind: coverage
            level: city
            min_per_region: 1
            source: "1"
            counts_at: selected
          - id: named
            title: n
            kind: named
            names: [{name: 甲校, region: 长沙市}, {name: 乙校, region: 新化县}]
            source: 甲校 乙校
          - {id: plan-done, title: m, kind: milestone, source: m}
          - {id: talks, title: a, kind: activity, source: a}
""",
    "t.yaml",
)
T = {t.id: t for t in PLAN.targets}
_ids = itertools.count()


def entry(target, unit=None, stage=None, day=START, **fields):
    """An entry of ``target``; later ones get later ids and recorded times."""
    n = next(_ids)
    values = dict.fromkeys(Entry._fields)
    values.update(
        id=f"{n:08d}-0000",
        target=target,
        unit=unit,
        stage=stage,
        observed=day.isoformat(),
        recorder="t",
        recorded=f"2022-01-01T00:00:{n % 60:02d}.{n:06d}Z",
    )
    values.update(fields)
    return Entry(**values)


def status(target_id, entries, day=HALF):
    from chuyi_cli.regions import gazetteer

    rows = tally(fold_units(entries, day).values()).get(target_id, [])
    return target_status(T[target_id], rows, PLAN, day, gazetteer())


def accepted(n, target="bases"):
    return [entry(target, f"u{i}", "accepted") for i in range(n)]


def test_elapsed_is_clamped():
    assert elapsed(PLAN, START - dt.timedelta(days=5)) == 0
    assert elapsed(PLAN, HALF) == 0.5
    assert elapsed(PLAN, dt.date(2030, 1, 1)) == 1


@pytest.mark.parametrize(
    ("target", "n", "cls", "completion", "projected"),
    [
        ("bases", 5, "on_track", 0.5, 10.0),  # P = 1.0
        ("forty", 19, "on_track", 0.475, 38.0),  # P = 0.95 exactly: on track
        ("forty", 18, "behind", 0.45, 36.0),  # P = 0.9
        ("bases", 3, "behind", 0.3, 6.0),  # P = 0.6 exactly: behind
        ("forty", 11, "off_track", 0.275, 22.0),  # P = 0.55
        ("bases", 10, "done", 1.0, 20.0),
        ("bases", 12, "done", 1.0, 24.0),  # completion is capped at 1
    ],
)
def test_count_classes(target, n, cls, completion, projected):
    row = status(target, accepted(n, target))
    assert (row.cls, row.completion, row.projected) == (cls, completion, projected)
    assert row.expected == 0.5 and row.gap == pytest.approx(completion - 0.5)


def test_stages_count_from_counts_at_and_revoked_never():
    entries = [
        entry("bases", "a", "selected"),
        entry("bases", "b", "building"),
        entry("bases", "c", "accepted"),
        entry("bases", "d", "revoked"),
    ]
    row = status("bases", entries)
    assert row.achieved == 1
    assert row.pipeline == {"selected": 1, "building": 1, "accepted": 1, "revoked": 1}
    built = [
        entry("built", "a", "building"),
        entry("built", "b", "accepted"),
        entry("built", "c", "selected"),
    ]
    assert status("built", built).achieved == 2  # a later stage counts too


def test_latest_entry_by_observed_date_wins():
    late = entry("bases", "a", "accepted", day=START + dt.timedelta(days=10))
    early = entry(
        "bases", "a", "revoked", day=START + dt.timedelta(days=5), recorded="2023-01-01T00:00:00Z"
    )  # recorded later, observed earlier
    assert status("bases", [late, early]).achieved == 1


def test_not_started_and_voids():
    assert status("bases", []).cls == "not_started"
    first = entry("bases", "a", "accepted")
    void = entry("bases", "a", voids=first.id)
    assert status("bases", [first, void]).cls == "not_started"
    assert status("bases", [first]).achieved == 1


def test_as_of_ignores_later_entries():
    later = entry("bases", "a", "accepted", day=HALF + dt.timedelta(days=1))
    assert status("bases", [later]).cls == "not_started"
    assert status("bases", [later], HALF + dt.timedelta(days=1)).achieved == 1


def test_coverage_counts_regions_and_lists_the_rest():
    entries = [
        entry("cities", "x", "selected", region="430181"),  # 浏阳市 → 长沙市
        entry("cities", "y", "selected", region="430100"),
        entry("cities", "z", "selected", region="433100"),
    ]
    row = status("cities", entries)
    assert row.goal == 14 and row.achieved == 2 and len(row.uncovered) == 12
    assert "430100" not in row.uncovered and "433100" not in row.uncovered


def test_named_counts_its_units_at_their_stage():
    row = status("named", [entry("named", "甲校", "accepted"), entry("named", "乙校", "building")])
    assert (row.goal, row.achieved, row.cls) == (2, 1, "on_track")  # 1 by half time: P = 1


@pytest.mark.parametrize(
    ("state", "day", "cls"),
    [
        ("in_progress", START + dt.timedelta(days=40), "on_track"),
        ("in_progress", HALF, "behind"),  # elapsed 0.5: behind
        ("done", HALF, "done"),
        ("not_started", HALF, "not_started"),
    ],
)
def test_milestones(state, day, cls):
    row = status("plan-done", [entry("plan-done", state=state)], day)
    assert row.cls == cls and row.goal == 1
    assert row.achieved == (1 if state == "done" else 0)


def test_activity_sums_without_goal():
    row = status("talks", [entry("talks", quantity=2), entry("talks", quantity=3)])
    assert (row.achieved, row.goal, row.cls, row.completion) == (5, None, "no_goal", None)


def test_overall_is_the_mean_of_targets_with_goals():
    from chuyi_cli.regions import gazetteer

    units = fold_units(accepted(5) + [entry("talks", quantity=1)], HALF).values()
    rows = plan_status(PLAN, tally(units), HALF, gazetteer())
    total = overall(rows)
    measured = [r.completion for r in rows if r.completion is not None]
    assert total.completion == pytest.approx(sum(measured) / len(measured))
    assert total.by_class["no_goal"] == 1 and sum(total.by_class.values()) == len(rows)


# --------------------------------------------------------------------------- properties

stages = st.sampled_from(["selected", "building", "accepted", "revoked"])
days = st.integers(min_value=0, max_value=120).map(lambda d: START + dt.timedelta(days=d))
unit_entries = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c", "d"]), stages, days), max_size=25
).map(lambda rows: [entry("bases", u, s, d) for u, s, d in rows])


@given(unit_entries, days)
def test_completion_stays_in_0_1(entries, day):
    row = status("bases", entries, day)
    assert 0 <= row.completion <= 1
    assert row.cls in ("done", "on_track", "behind", "off_track", "not_started")


@given(unit_entries, st.sampled_from(["e", "f", "a"]))
def test_recording_an_accepted_unit_never_lowers_achieved(entries, unit):
    before = status("bases", entries, dt.date(2022, 6, 1)).achieved
    late = entry("bases", unit, "accepted", dt.date(2022, 5, 30))
    assert status("bases", [*entries, late], dt.date(2022, 6, 1)).achieved >= before


@given(unit_entries, st.sampled_from(["a", "e"]), stages)
def test_voiding_an_entry_restores_the_status_before_it(entries, unit, stage):
    day = dt.date(2022, 6, 1)
    before = status("bases", entries, day)
    extra = entry("bases", unit, stage, dt.date(2022, 5, 30))
    void = entry("bases", unit, voids=extra.id, day=dt.date(2022, 5, 31))
    after = status("bases", [*entries, extra, void], day)
    assert (after.achieved, after.pipeline, after.cls) == (
        before.achieved,
        before.pipeline,
        before.cls,
    )


@given(unit_entries, st.randoms())
def test_order_of_entries_does_not_matter(entries, rnd):
    shuffled = list(entries)
    rnd.shuffle(shuffled)
    a, b = status("bases", entries), status("bases", shuffled)
    assert (a.achieved, a.pipeline, a.cls) == (b.achieved, b.pipeline, b.cls)


@settings(max_examples=25, deadline=None)
@given(unit_entries)
def test_the_maintained_table_equals_the_fold_of_history(tmp_path_factory, entries):
    from chuyi_cli.store import Store

    path = tmp_path_factory.mktemp("db") / "p.db"
    with Store.open(path) as store:
        for e in entries:
            store.add([e], again=True)
        assert_kept_as_folded(store, entries)


def assert_kept_as_folded(store, entries):
    """The store's units and tally are what folding ``entries`` gives."""
    folded = fold_units(entries)
    assert {(u.target, u.unit): u for u in store.unit_states()} == folded
    assert store.tallies() == tally(folded.values())


mixed = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c"]), stages, days, st.booleans(), st.integers(0, 99)),
    max_size=20,
)


def with_voids(rows):
    """Entries, some of them voided by a later void (chosen by the drawn flags); an entry
    is voided once."""
    entries = []
    voided = set()
    for unit, stage, day, void, pick in rows:
        if void and entries:
            target = entries[pick % len(entries)]
            if not target.voids and target.id not in voided:
                voided.add(target.id)
                entries.append(entry("bases", target.unit, voids=target.id, day=day))
                continue
        entries.append(entry("bases", unit, stage, day))
    return entries


@settings(max_examples=40, deadline=None)
@given(mixed, st.booleans())
def test_live_updates_voids_and_bulk_import_agree_with_the_fold(tmp_path_factory, rows, bulk):
    """Whatever the order of arrival (one by one, or all at once as an import does)."""
    from chuyi_cli.store import Store

    entries = with_voids(rows)
    path = tmp_path_factory.mktemp("db") / "v.db"
    with Store.open(path) as store:
        if bulk:
            plain = [e for e in entries if not e.voids]
            store.import_batches([plain, [e for e in entries if e.voids]], list, False)
        else:
            for e in entries:
                store.add([e], again=True)
        assert_kept_as_folded(store, entries)


def test_a_repair_derives_the_recent_changes_again(tmp_path):
    from chuyi_cli.store import Store

    today = dt.date.today()
    entries = [
        entry("bases", "甲", "building", today - dt.timedelta(days=40)),
        entry("bases", "甲", "accepted", today - dt.timedelta(days=3)),
        entry("bases", "乙", "selected", today - dt.timedelta(days=1)),
    ]
    with Store.open(tmp_path / "r.db") as store:
        store.add(entries, again=True)
        before = store.db.execute("SELECT * FROM unit_delta ORDER BY 1, 2, 3").fetchall()
        assert len(before) == 4  # 甲 enters, moves on (out of one row, into another); 乙 enters
        store.db.execute("DELETE FROM unit_delta WHERE unit = '乙'")
        assert not store.derived_in_step()
        store.rebuild()
        assert store.db.execute("SELECT * FROM unit_delta ORDER BY 1, 2, 3").fetchall() == before
        assert store.derived_in_step()


def deltas_by_folding(entries, start):
    """unit_deltas' rule the plain way: the unit folded afresh on every day it moves."""
    days = sorted({e.observed for e in entries if e.observed >= start})
    rows = []

    def place(kept):
        return {s.tally_key[1:]: (1, s.live, s.quantity) for s in fold_units(kept).values()}

    before = place([e for e in entries if days and e.observed < days[0]])
    for day in days:
        kept = [e for e in entries if e.observed <= day]
        now = place(kept)
        (state,) = fold_units(kept).values()
        latest = state.latest[0] if state.latest else None
        for key in sorted(before.keys() | now.keys()):
            a, b = now.get(key, (0, 0, 0)), before.get(key, (0, 0, 0))
            if a != b:
                rows.append((day, *key, a[0] - b[0], a[1] - b[1], a[2] - b[2], latest))
        before = now
    return rows


@settings(max_examples=300, deadline=None)
@given(mixed, days, st.lists(st.tuples(days, st.integers(1, 5)), max_size=6))
def test_unit_deltas_in_one_pass_equal_folding_every_day(rows, start, talks):
    from chuyi_cli.fold import unit_deltas

    entries = with_voids(rows)
    talk_entries = [entry("talks", quantity=q, day=d) for d, q in talks]
    for n, victim in enumerate(talk_entries[::2]):
        talk_entries.append(entry("talks", voids=victim.id, day=talks[n][0]))
    for unit in {e.unit for e in entries} | {None}:
        mine = [e for e in entries + talk_entries if e.unit == unit]
        if mine:
            assert unit_deltas(mine, start.isoformat()) == deltas_by_folding(
                mine, start.isoformat()
            )


# A coverage's rows as a tally may hold them: regions of every level, no region, a code
# the gazetteer lacks; each (region, stage) once.
coverage_rows = st.dictionaries(
    st.tuples(
        st.sampled_from(["430100", "430181", "430102", "430200", "430281", "433100", "433127"])
        | st.sampled_from(["430000", "", "439999"]),
        st.sampled_from(["selected", "building", "accepted", "revoked", ""]),
    ),
    st.tuples(st.integers(1, 4), st.integers(1, 9), st.integers(0, 3)),
    max_size=14,
)


@settings(max_examples=300, deadline=None)
@given(
    coverage_rows,
    st.sampled_from(["city", "county", None]),
    st.integers(1, 2),
    st.sampled_from([None, 1]),
    st.sampled_from(["selected", "accepted"]),
    days,
)
def test_what_a_coverage_achieved_is_counted_from_its_rows_at_its_stages(
    drawn, level, least, most, counts_at, day
):
    """A coverage's achieved from its rows at the stages it counts (what the burn-up
    reads of its month ends) is the achieved of its status, at any level."""
    from chuyi_cli.regions import gazetteer
    from chuyi_cli.tally import TallyRow

    places = gazetteer()
    target = T["cities"]._replace(
        level=level, min_per_region=least, max_per_region=most, counts_at=counts_at
    )
    rows = [TallyRow(*key, *counts) for key, counts in sorted(drawn.items())]
    status = target_status(target, rows, PLAN, day, places)
    counted = [r for r in rows if r.stage in counted_stages(target)]
    assert achieved_on(target, counted, PLAN, day, places) == status.achieved


@settings(max_examples=200, deadline=None)
@given(coverage_rows, st.sampled_from(["bases", "built", "named", "talks", "plan-done"]), days)
def test_what_a_target_achieved_is_counted_from_the_rows_at_its_stages(drawn, target_id, day):
    """A target's achieved from its rows at the stages it counts (what the burn-up reads
    of its month ends) is the achieved of its status; a target counting no units reads
    every row."""
    from chuyi_cli.regions import gazetteer
    from chuyi_cli.tally import TallyRow

    places, target = gazetteer(), T[target_id]
    rows = [TallyRow(*key, *counts) for key, counts in sorted(drawn.items())]
    stages = counted_stages(target)
    counted = rows if stages is None else [r for r in rows if r.stage in stages]
    status = target_status(target, rows, PLAN, day, places)
    assert achieved_on(target, counted, PLAN, day, places) == status.achieved
    assert (stages is None) == (target.kind in ("milestone", "activity"))
