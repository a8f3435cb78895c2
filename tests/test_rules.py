"""The write rules by property: what an entry of each kind of target measures, and what a
void is, whichever command or file it comes from."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from chuyi_cli.catalog import load_catalog
from chuyi_cli.catalog_nodes import MILESTONE_STATES, STAGES
from chuyi_cli.domain import Entry
from chuyi_cli.errors import ChuyiError
from chuyi_cli.rules import (
    ImplausibleQuantity,
    check_void,
    make_void,
    measure,
    quantity_bound,
    void_of,
)

PLAN = load_catalog()
TARGETS = sorted(PLAN.targets, key=lambda t: t.id)
TODAY = dt.date(2025, 6, 1)

stages = st.one_of(st.none(), st.sampled_from([*STAGES, "done", "accepted ", ""]))
states = st.one_of(st.none(), st.sampled_from([*MILESTONE_STATES, "accepted", ""]))
quantities = st.one_of(
    st.none(), st.sampled_from([True, 0, -1, 1, 2, 100, 101, 10**9, 10**9 + 1]), st.integers()
)


@given(st.sampled_from(TARGETS), stages, states, quantities, st.booleans())
def test_an_entry_measures_what_its_kind_takes_and_nothing_else(
    target, stage, state, quantity, force
):
    """Taken: exactly the measure the target's kind takes, as given (an activity's
    quantity 1 when none is given), within its bounds. Anything else is refused."""
    try:
        measured = measure(target, stage, state, quantity, force)
    except ImplausibleQuantity as exc:
        assert target.kind == "activity" and not force
        assert exc.message.key == "quantity_implausible"
        assert quantity_bound(target) < quantity <= 10**9
        return
    except ChuyiError:
        return
    got_stage, got_state, got_quantity = measured
    assert sum(v is not None for v in measured) == 1
    if target.has_units:
        assert got_stage == stage and stage in STAGES
        assert state is None and quantity is None
    elif target.kind == "milestone":
        assert got_state == state and state in MILESTONE_STATES
        assert stage is None and quantity is None
    else:
        assert stage is None and state is None
        assert got_quantity == (1 if quantity is None else quantity)
        assert type(got_quantity) is int and 1 <= got_quantity <= 10**9
        assert force or got_quantity <= quantity_bound(target)


def _entry(entry_id: str, voids: str | None = None, **fields: object) -> Entry:
    values: dict[str, object] = dict.fromkeys(Entry._fields)
    values.update(
        id=entry_id,
        target="training-bases",
        unit="甲基地",
        region="430100",
        stage=None if voids else "accepted",
        observed="2024-03-05",
        recorded="2024-03-05T02:00:00.000000Z",
        recorder="张三",
        evidence=None if voids else "https://example.org/a",
        voids=voids,
    )
    values.update(fields)
    return Entry(**values)  # type: ignore[arg-type]


def test_a_void_copies_what_it_cancels_and_measures_nothing():
    cancelled = _entry("aaaaaaaa-1")
    void = make_void(cancelled, " 录错了 ", " 李四 ", TODAY)
    assert void == void_of(cancelled, void.id, "2025-06-01", void.recorded, "李四", "录错了")
    assert (void.target, void.unit, void.region) == (cancelled.target, "甲基地", "430100")
    assert void.voids == cancelled.id and void.id != cancelled.id
    assert (void.stage, void.state, void.quantity, void.evidence) == (None, None, None, None)
    assert void.note == "录错了" and void.recorder == "李四" and void.observed == "2025-06-01"


@given(
    st.sampled_from(["aaaaaaaa-1", "bbbbbbbb-2", "cccccccc-3"]),
    st.booleans(),
    st.booleans(),
    st.lists(st.sampled_from(["bbbbbbbb-2", "dddddddd-4"]), max_size=2, unique=True),
)
def test_an_entry_is_voided_once_by_an_entry_that_is_not_a_void(
    void_id, on_record, is_void, voided_by
):
    """check_void, the one rule of `chuyi void`, an import and the store: refused when
    the void is its own target, when there is nothing on record, when the cancelled
    entry is itself a void, and when another entry voids it already."""
    target = "aaaaaaaa-1"
    cancelled = _entry(target, voids="eeeeeeee-5" if is_void else None) if on_record else None
    others = [v for v in voided_by if v != void_id]
    try:
        check_void(void_id, cancelled, target, voided_by)
    except ChuyiError as exc:
        refused = exc.message.key
    else:
        refused = None
    if void_id == target:
        assert refused == "void_itself"
    elif cancelled is None:
        assert refused == "void_not_found"
    elif is_void:
        assert refused == "void_of_void"
    elif others:
        assert refused == "void_twice"
    else:
        assert refused is None
