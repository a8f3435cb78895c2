"""Import and export: CSV and JSON Lines, Excel's encodings, all or nothing, idempotent."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chuyi_cli.exchange import EXPORT_COLUMNS, neutralise, restore
from tests.test_cli_record import visits  # noqa: F401  (fixture)


def export(chuyi, *args):
    """What `chuyi export > FILE` holds: UTF-8, with a BOM where stdout is not UTF-8."""
    return chuyi("export", *args).stdout_bytes.decode("utf-8-sig").replace("\r\n", "\n")


def test_round_trip_reproduces_units_and_log(chuyi, visits, tmp_path, monkeypatch, plan):  # noqa: F811
    chuyi("void", visits[2], "--reason", "wrong base")
    csv_file, jsonl_file = tmp_path / "all.csv", tmp_path / "all.jsonl"
    chuyi("export", "-o", str(csv_file))
    chuyi("export", "--format", "jsonl", "-o", str(jsonl_file))
    assert csv_file.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel opens UTF-8 with a BOM
    original_log = chuyi.json("log")
    original_units = {t.id: chuyi.json("units", t.id) for t in plan.targets}
    for source in (csv_file, jsonl_file):
        monkeypatch.setenv("CHUYI_DB", str(tmp_path / f"{source.suffix}.db"))
        assert "added 14, skipped 0" in chuyi("import", str(source)).stdout
        assert chuyi.json("log") == original_log
        assert {t.id: chuyi.json("units", t.id) for t in plan.targets} == original_units
        assert "added 0, skipped 14" in chuyi("import", str(source)).stdout  # idempotent


def test_formula_cells_are_neutralised_and_restored(chuyi, tmp_path, monkeypatch):
    for note in ("=1+1", "+cmd", "-2", "@SUM(A1)", "'=quoted", "plain"):
        chuyi("record", "training-bases", "基地", "--stage", "accepted", "--again", "--note", note)
    text = export(chuyi)
    for cell in ("'=1+1", "'+cmd", "'-2", "'@SUM(A1)", "''=quoted"):
        assert cell in text
    out = tmp_path / "x.csv"
    out.write_text(text, encoding="utf-8")
    monkeypatch.setenv("CHUYI_DB", str(tmp_path / "b.db"))
    chuyi("import", str(out))
    notes = sorted(e["note"] for e in chuyi.json("log"))
    assert notes == sorted(["=1+1", "+cmd", "-2", "@SUM(A1)", "'=quoted", "plain"])


@given(st.text(max_size=20))
def test_neutralise_round_trips(cell):
    assert restore(neutralise(cell)) == cell
    assert neutralise(cell)[:1] not in ("=", "+", "-", "@", "\t", "\r")


CHINESE_SHEET = """目标,单位名称,地区,阶段,日期,记录人,备注
training-bases,长沙汽车实训基地,长沙,验收通过,2024/3/5,张三,首批
二(四)2,湖南现代物流职教集团,430100,建设中,2024年3月6日,张三,
think-tank-forum,,,,2025-01-10,李四,
"""


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_chinese_headers_in_each_encoding(chuyi, tmp_path, encoding):
    sheet = tmp_path / "sheet.csv"
    sheet.write_bytes(CHINESE_SHEET.encode(encoding))
    assert "added 3, skipped 0" in chuyi("import", str(sheet)).stdout
    log = {e["target"]: e for e in chuyi.json("log")}
    assert log["training-bases"]["stage"] == "accepted"
    assert log["training-bases"]["observed"] == "2024-03-05"
    assert log["vet-groups"]["stage"] == "building"
    assert log["think-tank-forum"]["quantity"] == 1
    assert "added 0, skipped 3" in chuyi("import", str(sheet)).stdout  # content ids


BAD_ROWS = """目标,单位名称,地区,阶段,数量,日期,记录人
training-bases,好基地,长沙,验收,,2024-03-05,张三
no-such-target,某基地,长沙,验收,,2024-03-05,张三
training-bases,,长沙,验收,,2024-03-05,张三
training-bases,某基地,火星,验收,,2024-03-05,张三
training-bases,某基地,长沙,完成,,2024-03-05,张三
training-bases,某基地,长沙,验收,,2024-13-05,张三
think-tank-lectures,,,,-3,2024-03-05,张三
"""


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_bad_rows_are_all_listed_and_nothing_is_imported(chuyi, tmp_path, isolated, encoding):
    chuyi("record", "training-bases", "已有", "--stage", "accepted")
    before = export(chuyi)
    sheet = tmp_path / "bad.csv"
    sheet.write_bytes(BAD_ROWS.encode(encoding))
    result = chuyi("import", str(sheet), code=1)
    lines = [line for line in result.stderr.splitlines() if line.startswith(f"{sheet}:")]
    assert [int(line.split(":")[1]) for line in lines] == [3, 4, 5, 6, 7, 8]
    assert "unknown target" in lines[0] and "name the unit" in lines[1]
    assert "unknown region" in lines[2] and "bad stage" in lines[3]
    assert "bad date" in lines[4] and "positive" in lines[5]
    assert export(chuyi) == before


def test_dry_run_counts_but_stores_nothing(chuyi, tmp_path):
    sheet = tmp_path / "s.csv"
    sheet.write_text(CHINESE_SHEET, encoding="utf-8")
    assert "would add 3" in chuyi("import", str(sheet), "--dry-run").stdout
    assert chuyi.json("log") == []


def test_unreadable_files(chuyi, tmp_path):
    assert "no such file" in chuyi("import", str(tmp_path / "none.csv"), code=1).stderr
    bad = tmp_path / "x.csv"
    bad.write_text("colour,size\nred,1\n", encoding="utf-8")
    assert "no target (目标) column" in chuyi("import", str(bad), code=1).stderr
    jl = tmp_path / "x.jsonl"
    jl.write_text('{"target": "training-bases"\n', encoding="utf-8")
    assert f"{jl}:1:" in chuyi("import", str(jl), code=1).stderr


def test_void_rows_cancel_entries_across_laptops(chuyi, tmp_path, monkeypatch):
    a = chuyi.json("record", "training-bases", "甲基地", "--stage", "accepted")
    chuyi.json("void", a["id"], "--reason", "wrong")
    shared = tmp_path / "a.jsonl"
    chuyi("export", "--format", "jsonl", "-o", str(shared))
    monkeypatch.setenv("CHUYI_DB", str(tmp_path / "laptop-b.db"))
    chuyi("record", "training-bases", "乙基地", "--stage", "accepted")
    assert "added 2" in chuyi("import", str(shared)).stdout
    units = {u["name"]: u["stage"] for u in chuyi.json("units", "training-bases")}
    assert units == {"甲基地": None, "乙基地": "accepted"}
    orphan = tmp_path / "orphan.jsonl"
    row = json.loads(shared.read_text(encoding="utf-8").splitlines()[1])
    row.update(id="0" * 8 + row["id"][8:], voids="1" * 8 + row["voids"][8:])
    orphan.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    assert "neither stored nor in this file" in chuyi("import", str(orphan), code=1).stderr


def test_export_since(chuyi):
    chuyi("record", "training-bases", "旧", "--date", "2023-01-01", "--stage", "accepted")
    chuyi("record", "training-bases", "新", "--stage", "accepted")
    text = export(chuyi, "--since", "2024-01-01")
    assert "新" in text and "旧" not in text


@pytest.mark.parametrize("text", ["NaN", "inf", "-inf", "1e3", "2.5", "三", "0x10"])
def test_quantities_that_are_not_whole_numbers(chuyi, tmp_path, text):
    sheet = tmp_path / "q.csv"
    sheet.write_text(f"目标,数量,日期,记录人\nthink-tank-forum,{text},2024-03-05,张三\n", "utf-8")
    result = chuyi("import", str(sheet), code=1)
    assert f"{sheet}:2: bad quantity" in result.stderr


# A cell's text as people type it, and what makes a CSV cell special: separators, quotes,
# line breaks, formula signs, a leading quote.
_TYPED = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Co", "Cn"), whitelist_characters="\n\t\r,\"'=+-@ "
    ),
    min_size=1,
    max_size=12,
)
_SPECIAL = st.sampled_from(
    ["=1+1", "'-2", "''@x", "甲,乙", 'say "hi"', "two\nlines", "\t=x", "平常"]
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    notes=st.lists(st.one_of(_TYPED, _SPECIAL), min_size=1, max_size=5),
    recorders=st.lists(_SPECIAL, min_size=1, max_size=5),
)
def test_export_writes_each_cell_as_the_csv_module_does(
    chuyi, tmp_path, monkeypatch, notes, recorders
):
    """The default CSV is the csv module's writing of every entry's cells, each with the
    formula guard, whatever the text: written from SQLite's lines where a batch needs no
    quoting, cell by cell where it does (batches of 2 here, so one export holds both)."""
    from chuyi_cli.store import scans

    monkeypatch.setattr(scans, "STEP", 2)
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    monkeypatch.setenv("CHUYI_DB", str(folder / "chuyi.db"))
    rows = [
        {"target": "training-bases", "unit": f"基地{i}", "region": "长沙", "stage": "accepted",
         "observed": "2025-06-12", "recorder": recorders[i % len(recorders)], "note": note}
        for i, note in enumerate(notes)
    ]  # fmt: skip
    sheet = folder / "typed.jsonl"
    sheet.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    chuyi("import", str(sheet))
    chuyi("export", "-o", str(folder / "all.csv"))
    chuyi("export", "--format", "jsonl", "-o", str(folder / "all.jsonl"))
    entries = [json.loads(line) for line in (folder / "all.jsonl").read_text("utf-8").splitlines()]
    expected = io.StringIO()
    writer = csv.writer(expected, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for e in entries:
        writer.writerow([neutralise("" if e[c] is None else str(e[c])) for c in EXPORT_COLUMNS])
    assert len(entries) == len(rows)
    assert (folder / "all.csv").read_bytes() == ("\ufeff" + expected.getvalue()).encode("utf-8")
    to_stdout = chuyi("export").stdout_bytes.decode("utf-8-sig")
    assert to_stdout == expected.getvalue()
