"""The fast import path: its row reader agrees with the plain rules, and a bulk import
(indexes set aside, built once) stores what a row-by-row import stores."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chuyi_cli.domain import Entry
from chuyi_cli.errors import ChuyiError
from chuyi_cli.exchange import EXPORT_COLUMNS, importing
from chuyi_cli.exchange.checking import RowReader, _Slow
from chuyi_cli.store import ENTRY_INDEXES, Store, batches

TODAY = dt.date(2026, 6, 30)
RECORDED = "2025-01-02T03:04:05.000006Z"


def cells(**given: str) -> tuple[str, ...]:
    return tuple(given.get(c, "") for c in EXPORT_COLUMNS)


def both(reader: RowReader, row: tuple[str, ...]) -> tuple[object, object]:
    """What the fast path and the plain rules make of one row (an entry, a void row's
    dict, or the error's words); the fast path may hand a row over (None)."""
    outcomes = []
    for path in (reader.fast, reader.slow):
        try:
            outcomes.append(path(row))
        except _Slow:
            outcomes.append(None)
        except ChuyiError as exc:
            outcomes.append(str(exc))
    return outcomes[0], outcomes[1]


# Cells as sheets hold them: good values, near misses, spaces, formula guards.
texts = {
    "id": ["", "0123abcd-0000-4000-8000-00000000000a", "ABCDEF12", "xyz", " 0123abcd "],
    "target": ["training-bases", "二(四)2", "think-tank-forum", "goal-brand", "nope",
               "culture-bases-named", " training-bases", "'training-bases", ""],
    "unit": ["", "长沙汽车实训基地", " 长沙 汽车实训基地 ", "湖南工业职业技术学院", "'=甲",
             "甲\t乙"],
    "region": ["", "长沙", "430100", "430102", "长沙县", " 430100", "火星"],
    "stage": ["", "building", "验收通过", "建设中", "bogus", " accepted"],
    "state": ["", "done", "进行中", "bad"],
    "quantity": ["", "3", "3.0", "0", "-2", "'-2", "NaN", "x", " 4"],
    "observed": ["2024-03-05", "2024/3/5", "2024年3月6日", "2031-01-01", "2019-01-01",
                 "2024-02-30", "", " 2024-03-05", "soon"],
    "recorded": ["", RECORDED, "2025-01-02T03:04:05", "yesterday", " " + RECORDED],
    "recorder": ["张三", "", " 李四 ", "'=王五", "a\x00b"],
    "note": ["", "首批", " 复查 ", "'=1+1", "line\nbreak", "x" * 2001],
    "evidence": ["", "https://example.org/a.pdf", " ./a.pdf"],
    "evidence_sha256": ["", "a" * 64, "A" * 64, "a" * 63],
    "voids": ["", "", "", "0123abcd-0000-4000-8000-00000000000a"],
}  # fmt: skip
rows = st.fixed_dictionaries({name: st.sampled_from(choices) for name, choices in texts.items()})


@settings(max_examples=400, deadline=None)
@given(rows)
def test_fast_path_agrees_with_the_plain_rules(plan, places, row):
    """A differential test, so through the two internal paths (``reader.fast``,
    ``reader.slow``, ``_Slow`` for a row handed over): an import uses one or the other
    for each row, and only comparing both on the same row shows that they agree."""
    reader = RowReader(plan, places, TODAY, guarded=True)
    fast, slow = both(reader, cells(**row))
    if fast is not None:
        if isinstance(slow, Entry) and not row["recorded"]:
            fast = fast._replace(recorded=slow.recorded)  # both "now", microseconds apart
        assert fast == slow
    # Remembered parts give the same answer the second time.
    again, _ = both(reader, cells(**row))
    if isinstance(again, Entry) and isinstance(fast, Entry) and not row["recorded"]:
        again = again._replace(recorded=fast.recorded)
    assert again == fast


def test_json_cells_carry_no_formula_guard(plan, places):
    row = cells(target="training-bases", unit="基地", stage="accepted", observed="2024-03-05",
                recorder="甲", note="'=kept as written")  # fmt: skip
    assert RowReader(plan, places, TODAY, guarded=False).entry(row).note == "'=kept as written"
    assert RowReader(plan, places, TODAY, guarded=True).entry(row).note == "=kept as written"


def history_csv(path, rows: int, repeat: int | None = None, orphan: bool = False) -> None:
    """Rows of several kinds of target, some voided, optionally one row twice."""
    lines = [",".join(EXPORT_COLUMNS)]
    ids = []
    for i in range(rows):
        entry_id = f"{i:08x}-0000-4000-8000-000000000000"
        ids.append(entry_id)
        day = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"
        if i % 5 == 4:
            target, unit, stage, state, qty = "think-tank-forum", "", "", "", str(1 + i % 3)
        elif i % 7 == 6:
            target, unit, stage, state, qty = "goal-brand", "", "", "in_progress", ""
        else:
            stages = ("selected", "building", "accepted")
            target, unit, stage, state, qty = (
                "training-bases",
                f"基地{i % 9}",
                stages[i % 3],
                "",
                "",
            )
        lines.append(
            f"{entry_id},{target},{unit},430100,,{stage},{state},{qty},{day},"
            f"2025-01-01T00:00:{i % 60:02d}.{i:06d}Z,督导{i % 3},,,,"
        )
        if repeat == i:
            lines.append(lines[-1])
    for n, victim in enumerate(ids[::6]):
        lines.append(
            f"{n:08x}-1111-4000-8000-000000000000,,,,,,,,2024-12-01,{RECORDED},督导,错填,,,{victim}"
        )
    if orphan:
        lines.append("ffffffff-1111-4000-8000-000000000000,,,,,,,,2024-12-01,,督导,x,,,ffffffff")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def snapshot(path) -> dict:
    db = sqlite3.connect(path)
    return {
        table: sorted(db.execute(f"SELECT * FROM {table}").fetchall(), key=repr)
        for table in ("entry", "unit_state", "tally", "region_last")
    } | {
        "indexes": sorted(
            r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        )
    }


def import_into(path, csv_file, plan, places, bulk: bool, monkeypatch):
    """Import by the bulk path or row by row, whatever the file's size. (Differential:
    ``BULK_ROWS`` chooses the path an import would choose by size alone, and a spy on
    ``Bulk.set_aside`` proves which ran; the two are compared by the tests below.)"""
    monkeypatch.setattr(batches, "BULK_ROWS", 1 if bulk else 10**12)
    monkeypatch.setattr(importing, "BATCH", 7)  # many batches: repeats fall in different ones
    set_aside = []
    real = batches.Bulk.set_aside

    def spy(self):
        set_aside.append(list(self.names))
        real(self)

    monkeypatch.setattr(batches.Bulk, "set_aside", spy)
    with Store.open(path) as s:
        stored = s.count()
        result = importing.import_file(s, csv_file, plan, places, TODAY)
        assert bool(set_aside) == bulk
        if bulk:  # the id index stays where there are ids to find
            assert ("entry_by_id" in set_aside[0]) == (stored == 0)
        assert s.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert s.integrity() == [] and s.derived_in_step()
    return result


@pytest.mark.parametrize("repeat", [None, 40])
def test_bulk_import_stores_what_row_by_row_stores(tmp_path, plan, places, monkeypatch, repeat):
    csv_file = tmp_path / "h.csv"
    history_csv(csv_file, 120, repeat=repeat)
    results = {}
    for bulk in (True, False):
        results[bulk] = import_into(tmp_path / f"{bulk}.db", csv_file, plan, places, bulk,
                                    monkeypatch)  # fmt: skip
    assert (results[True].added, results[True].skipped) == (140, 1 if repeat else 0)
    assert (results[True].added, results[True].skipped) == (
        results[False].added,
        results[False].skipped,
    )
    bulk, plain = snapshot(tmp_path / "True.db"), snapshot(tmp_path / "False.db")
    entry_cols = slice(1, None)  # all but seq
    assert [r[entry_cols] for r in bulk["entry"]] == [r[entry_cols] for r in plain["entry"]]
    assert {k: v for k, v in bulk.items() if k != "entry"} == {
        k: v for k, v in plain.items() if k != "entry"
    }
    assert set(ENTRY_INDEXES) <= set(bulk["indexes"])
    # Into a history that already holds entries, bulk keeps the id index and skips repeats.
    again = import_into(tmp_path / "True.db", csv_file, plan, places, True, monkeypatch)
    assert (again.added, again.skipped) == (0, 141 if repeat else 140)


def test_bulk_import_refusing_a_row_leaves_the_database_as_it_was(
    tmp_path, plan, places, monkeypatch
):
    csv_file = tmp_path / "h.csv"
    history_csv(csv_file, 60, orphan=True)
    path = tmp_path / "b.db"
    Store.open(path).close()
    before = snapshot(path)
    with pytest.raises(ChuyiError) as caught:
        import_into(path, csv_file, plan, places, True, monkeypatch)
    assert "ffffffff" in "\n".join(caught.value.lines())
    assert snapshot(path) == before


def test_a_bulk_void_of_nothing_is_refused_by_the_store(tmp_path):
    orphan = Entry("aaaaaaaa-1", "think-tank-forum", None, None, None, None, None,
                   "2024-01-01", RECORDED, "x", voids="bbbbbbbb-2")  # fmt: skip
    with Store.open(tmp_path / "o.db") as s:
        with pytest.raises(ChuyiError, match="not on record"):
            s.import_batches([[orphan]], list, False, expected=10**9)
        assert s.count() == 0
        assert s.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
