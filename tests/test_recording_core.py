"""The core's recording rules by property: a voided entry is no visit (a unit's last day,
a region's last record), and the duplicate rule `record` and `import` share finds exactly
the live entries of the same observation."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chuyi_cli.domain import Entry, observation_key
from chuyi_cli.errors import ChuyiError
from chuyi_cli.fold import fold_units
from chuyi_cli.rules import evidence_of
from chuyi_cli.store import Store

START = dt.date(2022, 4, 8)
_ids = itertools.count()


def entry(unit="a", stage="accepted", day=0, region=None, recorder="甲", when="2024-01-01", **kw):
    n = next(_ids)
    values = dict.fromkeys(Entry._fields)
    values.update(
        id=f"{n:08x}-0000-4000-8000-000000000000",
        target="training-bases",
        unit=unit,
        region=region,
        stage=stage,
        observed=(START + dt.timedelta(days=day)).isoformat(),
        recorded=f"{when}T10:00:{n % 60:02d}.{n:06d}+00:00",
        recorder=recorder,
    )
    values.update(kw)
    return Entry(**values)


rows = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c"]),  # unit
        st.sampled_from(["selected", "building", "accepted"]),  # stage
        st.integers(0, 40),  # day observed
        st.sampled_from([None, "430100", "430181", "431300"]),  # region
        st.booleans(),  # a void instead
        st.integers(0, 99),  # which entry it voids
    ),
    max_size=25,
)


def history(drawn) -> list[Entry]:
    """Entries and voids of them (each entry voided at most once, after it)."""
    entries: list[Entry] = []
    voided: set[str] = set()
    for unit, stage, day, region, void, pick in drawn:
        live = [e for e in entries if not e.voids and e.id not in voided]
        if void and live:
            gone = live[pick % len(live)]
            voided.add(gone.id)
            entries.append(entry(gone.unit, None, day, gone.region, voids=gone.id))
        else:
            entries.append(entry(unit, stage, day, region))
    return entries


def live_entries(entries: list[Entry]) -> list[Entry]:
    cancelled = {e.voids for e in entries if e.voids}
    return [e for e in entries if not e.voids and e.id not in cancelled]


@settings(max_examples=40, deadline=None)
@given(rows, st.booleans())
def test_last_days_and_last_records_come_from_live_entries(tmp_path_factory, drawn, together):
    entries = history(drawn)
    live = live_entries(entries)
    with Store.open(tmp_path_factory.mktemp("db") / "v.db") as store:
        if together:
            plain = [e for e in entries if not e.voids]
            store.import_batches([plain, [e for e in entries if e.voids]], list, False)
        else:
            for e in entries:
                store.add([e], again=True)
        for unit in store.unit_states():
            days = [e.observed for e in live if e.unit == unit.unit]
            assert unit.last_observed == (max(days) if days else None)
        expected: dict[str, str] = {}
        for e in live:
            if e.region:
                expected[e.region] = max(expected.get(e.region, ""), e.observed)
        assert store.last_record_by_region() == expected
        assert store.derived_in_step()
        # As on a past day: an entry voided later was still a visit then.
        day = (START + dt.timedelta(days=20)).isoformat()
        upto = [e for e in entries if e.observed <= day]
        then: dict[str, str] = {}
        for e in live_entries(upto):
            if e.region:
                then[e.region] = max(then.get(e.region, ""), e.observed)
        assert store.last_record_by_region(day) == then
    assert {k: v.last_observed for k, v in fold_units(entries).items()} == {
        k: max((e.observed for e in live if (e.target, e.unit) == k), default=None)
        for k in fold_units(entries)
    }


observations = st.lists(
    st.tuples(
        st.sampled_from(["a", "b"]),
        st.sampled_from(["building", "accepted"]),
        st.integers(0, 2),
        st.sampled_from(["甲", "乙"]),
        st.sampled_from(["2024-01-01", "2024-01-02"]),  # the day it was put on record
        st.booleans(),  # voided afterwards
    ),
    max_size=15,
)


@settings(max_examples=40, deadline=None)
@given(
    observations,
    st.tuples(
        st.sampled_from(["a", "b"]),
        st.sampled_from(["building", "accepted"]),
        st.integers(0, 2),
        st.sampled_from(["甲", "乙"]),
        st.sampled_from(["2024-01-01", "2024-01-02"]),
    ),
)
def test_repeat_of_finds_the_live_entries_of_the_same_observation(
    tmp_path_factory, drawn, candidate
):
    stored: list[Entry] = []
    voided: set[str] = set()
    with Store.open(tmp_path_factory.mktemp("db") / "r.db") as store:
        for unit, stage, day, who, when, void in drawn:
            e = entry(unit, stage, day, recorder=who, when=when)
            store.add([e], again=True)
            stored.append(e)
            if void:
                store.add([entry(unit, None, day, voids=e.id)], again=True)
                voided.add(e.id)
        unit, stage, day, who, when = candidate
        new = entry(unit, stage, day, recorder=who, when=when, note="又一次")
        same_live = [
            e for e in stored if observation_key(e) == observation_key(new) and e.id not in voided
        ]
        found = store.repeat_of(new)
        assert (found is not None) == bool(same_live)
        assert found is None or found in {e.id for e in same_live}
        if same_live:
            with pytest.raises(ChuyiError) as refused:
                store.add([new])
            assert refused.value.message.key == "repeat_observation"
        store.add([new], again=True)


def test_what_makes_two_entries_one_observation():
    first = entry(note="x", evidence="https://a")
    assert observation_key(first) == observation_key(entry(note="y"))  # note, id, time aside
    for other in (
        entry(unit="b"),
        entry(stage="building"),
        entry(day=1),
        entry(recorder="乙"),
        entry(when="2024-01-02"),
        entry(target="culture-bases"),
    ):
        assert observation_key(other) != observation_key(first)
    assert observation_key(entry(unit=None, stage=None, quantity=2)) is None  # an activity
    assert observation_key(entry(stage=None, voids=first.id)) is None  # a void
    milestone = entry(unit=None, stage=None, state="in_progress")
    assert observation_key(milestone) == observation_key(
        entry(unit=None, stage=None, state="in_progress")
    )


def test_evidence_rules(tmp_path):
    photo = tmp_path / "照片.jpg"
    photo.write_bytes(b"jpeg")
    digest = hashlib.sha256(b"jpeg").hexdigest()
    assert evidence_of(str(photo)) == (str(photo.resolve()), digest)
    assert evidence_of("照片.jpg", base=tmp_path) == (str(photo.resolve()), digest)
    assert evidence_of("http://a.example/x") == ("http://a.example/x", None)
    assert evidence_of(None) == (None, None) and evidence_of("  ") == (None, None)
    assert evidence_of("/elsewhere/x.pdf", "b" * 64) == ("/elsewhere/x.pdf", "b" * 64)
    for text, key in (
        (str(tmp_path / "missing.pdf"), "evidence_missing"),
        (str(tmp_path), "evidence_not_file"),
        ("sftp://a.example/x", "evidence_not_url"),
    ):
        with pytest.raises(ChuyiError) as refused:
            evidence_of(text)
        assert refused.value.message.key == key
    with pytest.raises(ChuyiError) as alone:
        evidence_of("", "c" * 64)
    assert alone.value.message.key == "evidence_hash_alone"
