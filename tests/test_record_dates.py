"""`record --date` reads a day as the import does (one parser): 20250610, 2025/6/10,
2025年6月10日, full-width digits, a day with a time; `6月20日` is refused as a day without
a year; a day after tomorrow is refused in words that say tomorrow is taken."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

pytestmark = pytest.mark.sqlite_only("sheets name a recorder other than the login")

FORMS = [
    "20250610",
    "2025/6/10",
    "2025.6.10",
    "2025年6月10日",
    "２０２５-０６-１０",
    "2025/6/10 9:30",
]


@pytest.mark.parametrize("form", FORMS)
def test_record_and_import_read_the_same_day_forms(chuyi, tmp_path: Path, form):
    chuyi("record", "think-tank-lectures", "--date", form, "--note", "typed")
    sheet = tmp_path / "day.csv"
    sheet.write_text(f"目标,数量,日期,记录人,备注\n大讲堂,1,{form},张,sheet\n", encoding="utf-8")
    chuyi("import", str(sheet))
    days = {e["note"]: e["observed"] for e in chuyi.json("log")}
    assert days == {"typed": "2025-06-10", "sheet": "2025-06-10"}


@pytest.mark.parametrize("form", ["6月20日", "6/20", "06-20"])
def test_a_day_without_a_year_is_refused_by_name_in_record_and_import(chuyi, tmp_path, form):
    zh = chuyi("--lang", "zh", "record", "大讲堂", "--date", form, code=1).stderr
    assert f"日期“{form}”没有年份" in zh and "YYYY-MM-DD" not in zh, zh
    en = chuyi("--lang", "en", "record", "大讲堂", "--date", form, code=1).stderr
    assert "has no year" in en
    sheet = tmp_path / "day.csv"
    sheet.write_text(f"目标,数量,日期,记录人\n大讲堂,1,{form},张\n", encoding="utf-8")
    err = chuyi("--lang", "zh", "import", str(sheet), code=1).stderr
    assert f"{sheet}:2: 日期“{form}”没有年份" in err, err
    assert chuyi.json("log") == []


def test_tomorrow_is_taken_and_the_day_after_is_refused_saying_so(chuyi, today):
    tomorrow, after = today + dt.timedelta(days=1), today + dt.timedelta(days=2)
    chuyi("record", "大讲堂", "--date", tomorrow.isoformat())
    zh = chuyi("--lang", "zh", "record", "大讲堂", "--date", after.isoformat(), code=1).stderr
    assert "晚于今天" not in zh and f"最晚可记明天（{tomorrow}" in zh, zh
    en = chuyi("--lang", "en", "record", "大讲堂", "--date", after.isoformat(), code=1).stderr
    assert f"the latest day taken is tomorrow ({tomorrow}" in en, en
    assert [e["observed"] for e in chuyi.json("log")] == [tomorrow.isoformat()]


def test_a_sheet_row_with_a_yearless_date_is_counted_under_its_target(chuyi, tmp_path):
    sheet = tmp_path / "day.csv"
    sheet.write_text("目标,数量,日期,记录人\n大讲堂,1,6月20日,张\n", encoding="utf-8")
    out = chuyi("import", str(sheet), "--dry-run", code=1).stdout
    rows = [line.split() for line in out.splitlines()]
    assert ["think-tank-lectures", "0", "0", "1"] in rows, out
    assert not any(row and row[0] == "?" for row in rows), out
