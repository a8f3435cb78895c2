"""Sheets as offices fill them: workbooks and CSV with title rows, 序号, 合计, typed cells."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chuyi_cli import cell_values, sheets
from chuyi_cli.errors import ChuyiError
from chuyi_cli.regions import UnknownRegion

openpyxl = pytest.importorskip("openpyxl")

YEARS = (2022, 2030)
DAY = dt.date(2025, 6, 12)


def workbook(path: Path, rows: list[list[object]], title: str = "Sheet", **formats: str) -> Path:
    """A workbook whose first sheet holds ``rows``; ``formats``: column letter → format."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for letter, fmt in formats.items():
        for cell in sheet[letter]:
            cell.number_format = fmt
    book.save(path)
    return path


def office_sheet(path: Path) -> Path:
    """As a 市州 office fills it: a merged title, a 填报单位 line, a blank line, 序号, 联系人,
    Alt+Enter in a header and a cell, typed dates, a code typed as a number, a blank row,
    a 合计 row and the empty columns Excel leaves at the right."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "进展统计"
    sheet.append(["附件1：2025年楚怡行动进展统计表"])
    sheet.merge_cells("A1:J1")
    sheet.append(["填报单位：长沙市教育局", None, None, None, "填报日期：2025年6月"])
    sheet.append([])
    sheet.append(
        ["序号", "目标", "单位名称", "所属市州", "所属县市区", "建设阶段",
         "走访时间\n（年/月/日）", "联系人", "填表人", "备注（可选）", None, None]
    )  # fmt: skip
    sheet.append(
        [1, "culture-bases", "湖南工业\n职业技术学院", "长沙市", None, "验收",
         dt.datetime(2025, 6, 12), "张三", "王五", "00123"]
    )  # fmt: skip
    sheet.append(
        [2, "training-bases", "长沙职业技术学院", 430100, "岳麓区", "建设中",
         dt.datetime(2025, 6, 10, 9, 30), "李四", "王五", None]
    )  # fmt: skip
    sheet.append([])
    sheet.append(
        [3, "training-bases", "湖南化工职业技术学院", None, "株洲市渌口区", "遴选",
         45820, None, "王五", "1/2"]
    )  # fmt: skip
    sheet.append(["合计", None, None, None, None, None, None, None, None, None])
    for row in range(5, 9):
        sheet.cell(row, 7).number_format = "yyyy/m/d"
    sheet.cell(8, 7).number_format = "General"  # a serial number, as a pasted value leaves it
    book.save(path)
    return path


def log(chuyi) -> list[dict]:
    return sorted(chuyi.json("log"), key=lambda e: (e["target"], e["unit"] or ""))


# --------------------------------------------------------------------------- the core


@pytest.mark.parametrize(
    ("cell", "key"),
    [
        ("备注（可选）", "备注"),
        ("日期\n（年/月/日）", "日期"),
        ("单位\n名称", "单位名称"),
        ("* 目标 (必填)", "目标"),
        ("目标：", "目标"),
        (None, ""),
        (430100, "430100"),
    ],
)
def test_a_header_cell_is_read_without_breaks_and_hints(cell, key):
    assert sheets.header_key(cell) == key


def test_more_header_words_name_their_fields():
    words = {
        "学校名称": "unit",
        "所属市州": "region_city",
        "所属县市区": "region_county",
        "建设阶段": "stage",
        "走访时间": "observed",
        "检查时间": "observed",
        "填表人": "recorder",
    }
    assert {w: sheets.field_of(w) for w in words} == words


def test_a_header_one_edit_from_a_known_one_is_taken_for_a_typo():
    assert sheets.near_header("单位明称") == "单位名称"
    assert sheets.near_header("走访日其") == "走访日期"
    assert sheets.near_header("notes") == "note"
    # Offices' own columns and two-character words are no typos.
    for other in ("序号", "联系人", "地址", "电话", "联系电话", "学校代码", "项目负责人"):
        assert sheets.near_header(other) is None, other


def test_header_row_is_found_below_titles_and_lists_what_it_ignores():
    rows = iter(
        [
            (1, ["附件1：2025年楚怡行动进展统计表", None, None]),
            (2, [None, None, None]),
            (3, ["填报单位：株洲市", None, None]),
            (4, ["序号", "目标", "单位名称", "联系人", None, "电话", None, None]),
        ]
    )
    table, problems = sheets.find_table(rows, strict=False, years=YEARS)
    assert table is not None and problems == []
    assert table.info.header_line == 4
    assert table.info.above == [(1, "附件1：2025年楚怡行动进展统计表"), (3, "填报单位：株洲市")]
    # The empty header between two named columns is listed; those at the right are not.
    assert table.info.ignored == ["序号", "联系人", "", "电话"]
    assert table.layout.where == {"target": 1, "unit": 2}


def test_no_header_within_the_first_rows():
    rows = iter([(n, ["说明"]) for n in range(1, 30)] + [(30, ["目标"])])
    table, _ = sheets.find_table(rows, strict=False, years=YEARS)
    assert table is None


def test_header_problems_are_named():
    _, problems = sheets.read_header(["目标", "单位明称", "序号"], 1, strict=False)
    assert [p.key for p in problems] == ["sheet_header_typo"]
    assert "did you mean '单位名称'" in problems[0].text("en")
    _, problems = sheets.read_header(["目标", "单位名称", "序号"], 1, strict=True)
    assert [p.key for p in problems] == ["sheet_header_unknown"]
    _, problems = sheets.read_header(["目标", "单位", "学校名称"], 1, strict=False)
    assert [p.key for p in problems] == ["import_same_field"]
    _, problems = sheets.read_header(["目标", "地区", "县市区"], 1, strict=False)
    assert [p.key for p in problems] == ["import_same_field"]


@pytest.mark.parametrize(
    "value",
    [
        DAY,
        dt.datetime(2025, 6, 12),
        dt.datetime(2025, 6, 12, 9, 30),
        45820,
        45820.39583,
        "45820",
        20250612,
        "20250612",
        "2025/6/12 9:30",
        "2025-06-12 09:30:00",
        "2025年6月12日 9:30",
        "２０２５０６１２",
    ],
)
def test_a_date_cell_in_each_form_offices_leave_reads_as_the_day(value):
    assert cell_values.day_text(value, YEARS) == "2025-06-12"


@pytest.mark.parametrize(
    ("value", "key"),
    [
        (3, "sheet_number_not_date"),  # 1900-01-02: no day of the plan
        (60000, "sheet_number_not_date"),  # 2064
        (True, "sheet_bad_date"),
    ],
)
def test_a_date_cell_that_says_no_day_of_the_plan_is_refused_by_name(value, key):
    with pytest.raises(ChuyiError) as caught:
        cell_values.day_text(value, YEARS)
    assert caught.value.message.key == key


@pytest.mark.parametrize(
    ("value", "key"),
    [("6月20日", "date_no_year"), ("6/20", "date_no_year"), ("20251332", "no_such_day")],
)
def test_date_text_no_rule_reads_is_left_to_the_date_rule_to_refuse(value, key):
    """The rule that reads a typed date reads a sheet's date text too (one parser): what
    it refuses is refused by the row's rule, with the row's target."""
    from chuyi_cli.canonical import parse_date

    assert cell_values.day_text(value, YEARS) == value
    with pytest.raises(ChuyiError) as caught:
        parse_date(value)
    assert caught.value.message.key == key


@given(st.dates(dt.date(2022, 1, 1), dt.date(2030, 12, 31)), st.integers(0, 23 * 60 + 59))
def test_every_form_of_a_day_reads_the_same(day, minutes):
    serial = (day - dt.date(1899, 12, 30)).days
    forms = [
        day,
        dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60)),
        serial,
        serial + minutes / 1440,
        day.strftime("%Y%m%d"),
        int(day.strftime("%Y%m%d")),
        f"{day.year}/{day.month}/{day.day} {minutes // 60}:{minutes % 60:02d}",
    ]
    assert {cell_values.day_text(f, YEARS) for f in forms} == {day.isoformat()}


@given(st.one_of(st.integers(-(10**14), 10**14), st.text(max_size=20)))
def test_numbers_read_without_a_trailing_point_zero(value):
    text = cell_values.cell_text(value)
    assert text == str(value)
    if isinstance(value, int):
        assert cell_values.cell_text(float(value)) == str(value)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("４３０１００", "长沙市"),
        ("430100.0", "长沙市"),
        ("430100000000", "长沙市"),
        ("430104000000", "岳麓区"),
        ("湘西自治州", "湘西土家族苗族自治州"),
        ("湘西州", "湘西土家族苗族自治州"),
        ("长沙市岳麓区", "岳麓区"),
        ("长沙岳麓区", "岳麓区"),
        ("湖南省长沙市", "长沙市"),
        ("湖南省湘西自治州吉首市", "吉首市"),
        ("长沙市长沙县", "长沙县"),
        ("省直", "湖南省"),
        ("省属", "湖南省"),
    ],
)
def test_regions_as_sheets_write_them(places, text, name):
    assert places.get(text).name == name


def test_a_county_under_another_city_is_refused_and_suggestions_rank_by_code(places):
    with pytest.raises(UnknownRegion):
        places.get("株洲市岳麓区")
    with pytest.raises(UnknownRegion) as caught:
        places.get("4301")
    assert "did you mean 长沙市" in str(caught.value)
    with pytest.raises(UnknownRegion) as caught:
        places.get("430799")
    assert "did you mean 常德市" in str(caught.value)
    with pytest.raises(UnknownRegion):
        places.get("430181100000")  # a town's code: its county is not guessed


# --------------------------------------------------------------------------- import


def test_an_office_workbook_imports_as_filled(chuyi, tmp_path):
    book = office_sheet(tmp_path / "进展.xlsx")
    result = chuyi("--lang", "zh", "import", str(book))
    assert result.stdout.strip() == "已导入 3 条，跳过 0 条已有记录"
    notes = result.stderr
    assert "读取工作表“进展统计”，表头在第 4 行" in notes
    assert "附件1：2025年楚怡行动进展统计表" in notes and "填报单位：长沙市教育局" in notes
    assert "忽略 2 列：序号、联系人" in notes
    assert "跳过空行 1 行\n跳过合计/小计/总计行 1 行（第 9 行）" in notes
    entries = log(chuyi)
    assert [(e["target"], e["unit"], e["region"], e["stage"], e["observed"]) for e in entries] == [
        ("culture-bases", "湖南工业职业技术学院", "430100", "accepted", "2025-06-12"),
        ("training-bases", "湖南化工职业技术学院", "430212", "selected", "2025-06-12"),
        ("training-bases", "长沙职业技术学院", "430104", "building", "2025-06-10"),
    ]
    assert {e["note"] for e in entries} == {"00123", None, "1/2"}
    assert {e["recorder"] for e in entries} == {"王五"}
    # The same workbook again adds nothing.
    assert "added 0, skipped 3" in chuyi("--lang", "en", "import", str(book)).stdout


def test_the_first_sheet_with_a_target_column_is_read_or_the_one_named(chuyi, tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "填表说明"
    book.active.append(["请按下表填写"])
    for name, unit in (("第一批", "甲基地"), ("第二批", "乙基地")):
        sheet = book.create_sheet(name)
        sheet.append(["目标", "单位名称", "阶段", "日期", "记录人"])
        sheet.append(["training-bases", unit, "验收", DAY, "王五"])
    path = tmp_path / "two.xlsx"
    book.save(path)
    chuyi("import", str(path))
    chuyi("import", str(path), "--sheet", "第二批")
    assert [e["unit"] for e in log(chuyi)] == ["乙基地", "甲基地"]
    missing = chuyi("--lang", "zh", "import", str(path), "--sheet", "第三批", code=1).stderr
    assert "没有名为“第三批”的工作表；现有：填表说明、第一批、第二批" in missing
    none = chuyi("--lang", "en", "import", str(path), "--sheet", "填表说明", code=1).stderr
    assert "no target (目标) column in the first 20 rows of sheet '填表说明'" in none


def test_codes_typed_as_numbers_and_text_cells_keep_their_value(chuyi, tmp_path):
    path = workbook(
        tmp_path / "codes.xlsx",
        [
            ["目标", "单位名称", "地区", "日期", "记录人", "备注", "阶段"],
            ["training-bases", "甲", 430181, DAY, "王五", "430102198001011234", "验收"],
            ["training-bases", "乙", 430100.0, DAY, "王五", 123, "验收"],
            ["training-bases", "丙", "430100000000", DAY, "王五", "=1+1", "验收"],
        ],
    )
    book = openpyxl.load_workbook(path)
    book.active["F4"].data_type = "s"  # a text cell that looks like a formula
    book.save(path)
    chuyi("import", str(path))
    got = {e["unit"]: (e["region"], e["note"]) for e in chuyi.json("log")}
    assert got == {
        "甲": ("430181", "430102198001011234"),
        "乙": ("430100", "123"),
        "丙": ("430100", "=1+1"),
    }


def test_a_csv_with_title_rows_and_office_columns_imports(chuyi, tmp_path):
    sheet = tmp_path / "s.csv"
    sheet.write_text(
        "附件1：2025年楚怡行动进展统计表,,,,,,\n"
        "填报单位：长沙市教育局,,,,,,\n"
        ",,,,,,\n"
        '序号,目标,学校名称,所属县市区,"走访时间\n（年/月/日）",填表人,联系人,阶段,\n'
        "1,training-bases,甲基地,430181.0,20250612,王五,张三,验收,\n"
        ",,,,,,,,\n"
        "2,training-bases,乙基地,长沙市岳麓区,2025/6/10 9:30,王五,李四,验收,\n"
        "合  计,,,,,,,,\n",
        encoding="utf-8",
    )
    result = chuyi("--lang", "en", "import", str(sheet))
    assert "added 2" in result.stdout
    assert "ignored 2 column(s): 序号, 联系人" in result.stderr
    assert "skipped 1 blank row(s)\nskipped 1 total row(s) (合计/小计/总计: row 9)" in result.stderr
    got = {e["unit"]: (e["region"], e["observed"]) for e in chuyi.json("log")}
    assert got == {"甲基地": ("430181", "2025-06-12"), "乙基地": ("430104", "2025-06-10")}


def test_headers_refused_with_did_you_mean_and_strict_refuses_other_columns(chuyi, tmp_path):
    typo = workbook(
        tmp_path / "typo.xlsx",
        [["目标", "单位明称", "日期", "记录人"], ["training-bases", "甲", DAY, "王五"]],
    )
    result = chuyi("--lang", "zh", "import", str(typo), code=1)
    assert f"{typo}:1: 表头“单位明称”无法识别，是否应为“单位名称”？" in result.stderr
    extra = workbook(
        tmp_path / "extra.xlsx",
        [
            ["序号", "目标", "单位名称", "阶段", "日期", "记录人"],
            [1, "training-bases", "甲", "验收", DAY, "王五"],
        ],
    )
    result = chuyi("--lang", "en", "import", str(extra), "--strict", code=1)
    assert "unknown column '序号' (--strict allows no other columns)" in result.stderr
    assert chuyi.json("log") == []
    assert "added 1" in chuyi("import", str(extra)).stdout


def test_a_day_without_a_year_is_refused_by_name(chuyi, tmp_path):
    path = workbook(
        tmp_path / "d.xlsx",
        [["目标", "单位名称", "日期", "记录人"], ["training-bases", "甲", "6月20日", "王五"]],
    )
    result = chuyi("--lang", "zh", "import", str(path), code=1)
    assert f"{path}:2: 日期“6月20日”没有年份" in result.stderr
    assert chuyi.json("log") == []


def test_county_and_city_columns_must_agree(chuyi, tmp_path):
    path = workbook(
        tmp_path / "r.xlsx",
        [
            ["目标", "单位名称", "市州", "县市区", "日期", "记录人"],
            ["training-bases", "甲", "株洲市", "岳麓区", DAY, "王五"],
        ],
    )
    result = chuyi("--lang", "en", "import", str(path), code=1)
    assert "县市区 岳麓区 does not lie in 市州 株洲市" in result.stderr


def _zip(path: Path, names: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in names.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "Excel 97-2003 (.xls)"),
        ("a.et", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "WPS (.et)"),
        ("a.xlsx", b"target,unit\n", "no workbook"),
    ],
)
def test_formats_chuyi_cannot_read_are_named_with_what_to_do(chuyi, tmp_path, name, content, says):
    path = tmp_path / name
    path.write_bytes(content)
    en = chuyi("--lang", "en", "import", str(path), code=1).stderr
    assert says in en and ("as .xlsx or CSV UTF-8" in en or "as CSV UTF-8 or .xlsx" in en)
    assert "另存为" in chuyi("--lang", "zh", "import", str(path), code=1).stderr
    assert "Traceback" not in en


def test_opendocument_numbers_and_broken_workbooks_are_named(chuyi, tmp_path):
    ods = _zip(tmp_path / "a.ods", {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})
    numbers = _zip(tmp_path / "a.numbers", {"Index/Document.iwa": b"x"})
    broken = tmp_path / "b.xlsx"
    broken.write_bytes(b"PK\x03\x04" + bytes(100))
    fake = _zip(tmp_path / "c.xlsx", {"xl/workbook.xml": b"<nonsense"})
    assert "OpenDocument (.ods)" in chuyi("--lang", "en", "import", str(ods), code=1).stderr
    assert "Numbers (.numbers)" in chuyi("--lang", "en", "import", str(numbers), code=1).stderr
    for path in (broken, fake):
        said = chuyi("--lang", "en", "import", str(path), code=1).stderr
        assert "not a readable .xlsx workbook" in said and "Traceback" not in said


def test_dry_run_shows_per_target_counts_and_the_first_rows_as_read(chuyi, tmp_path):
    chuyi("record", "training-bases", "长沙职业技术学院", "--region", "岳麓区",
          "--stage", "building", "--date", "2025-06-10", "--by", "王五")  # fmt: skip
    book = office_sheet(tmp_path / "进展.xlsx")
    chuyi("import", str(book))
    before = chuyi.json("log")
    extra = tmp_path / "more.xlsx"
    workbook(
        extra,
        [
            ["目标", "单位名称", "地区", "阶段", "日期", "记录人", "备注"],
            ["culture-bases", "湖南工业\n职业技术学院", "长沙", "验收", DAY, "王五", "00123"],
            ["training-bases", "新基地", "浏阳", "建设中", DAY, "王五"],
            ["training-bases", "某基地", "火星", "建设中", DAY, "王五"],
        ],
    )
    result = chuyi("--lang", "zh", "import", str(extra), "--dry-run", code=1)
    table = result.stdout
    assert "目标" in table and "新增" in table and "跳过" in table and "拒绝" in table
    rows = {line.split()[0]: line.split()[1:] for line in table.splitlines() if "-bases" in line}
    assert rows == {"culture-bases": ["0", "1", "0"], "training-bases": ["1", "0", "1"]}
    assert "\n1. " in table and "文化传承基地" in table
    assert "单位：新基地" in table and "地区：浏阳市" in table and "阶段：建设中" in table
    assert "日期：2025-06-12" in table
    assert chuyi.json("log") == before
    en = chuyi("--lang", "en", "import", str(extra), "--dry-run", code=1).stdout
    assert "Unit: 新基地" in en and "Region: 浏阳市" in en and "Stage: building" in en


def test_a_dry_run_without_problems_says_nothing_was_written(chuyi, tmp_path):
    book = office_sheet(tmp_path / "进展.xlsx")
    out = chuyi("--lang", "en", "import", str(book), "--dry-run").stdout
    assert out.splitlines()[-1] == "would add 3, skipped 0 already present; nothing was written"
    assert chuyi.json("log") == []


def test_the_progress_bar_shows_in_a_terminal_only(monkeypatch):
    from chuyi_cli import import_view

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    shown = Terminal()
    bar = import_view.Bar(shown)
    bar.start -= 1  # a second into the import
    bar(5000, 0.5)
    bar(10000, 1.0)
    bar.close()
    assert "rows/s" in shown.getvalue() or "行" in shown.getvalue()
    piped = io.StringIO()
    quiet = import_view.Bar(piped)
    quiet.start -= 1
    quiet(5000, 0.5)
    quiet.close()
    assert piped.getvalue() == ""


def test_import_json_result_has_no_notes_on_stdout(chuyi, tmp_path):
    book = office_sheet(tmp_path / "进展.xlsx")
    result = json.loads(chuyi("import", str(book), "--json").stdout)
    assert result["added"] == 3 and result["encoding"] == "xlsx"


def test_the_readme_prints_the_stage_words_the_import_reads():
    from chuyi_cli.vocabulary import STAGE_WORDS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## For office staff", 1)[1].split("\n## ", 1)[0]
    printed = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 2 and cells[0] in ("selected", "building", "accepted", "revoked"):
            printed.update({word.strip(): cells[0] for word in cells[1].split(",")})
    assert printed == STAGE_WORDS


def test_an_xlsm_workbook_is_read_as_a_workbook(chuyi, tmp_path):
    path = workbook(
        tmp_path / "宏.xlsx",
        [
            ["目标", "单位名称", "阶段", "日期", "记录人"],
            ["training-bases", "甲", "验收", DAY, "王五"],
        ],
    )
    macro = path.rename(tmp_path / "宏.xlsm")
    assert "added 1" in chuyi("import", str(macro)).stdout


def test_a_workbook_on_standard_input_is_read_as_a_workbook(tmp_path):
    import os
    import subprocess
    import sys

    from tests.processes import ROOT

    book = office_sheet(tmp_path / "进展.xlsx")
    env = {**os.environ, "CHUYI_DB": str(tmp_path / "in.db"), "CHUYI_LANG": "en",
           "PYTHONPATH": str(ROOT)}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "chuyi_cli", "import", "-"],
        input=book.read_bytes(), capture_output=True, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert b"added 3" in done.stdout
    cut = subprocess.run(
        [sys.executable, "-m", "chuyi_cli", "import", "-"],
        input=book.read_bytes()[:300], capture_output=True, env=env, check=False,
    )  # fmt: skip
    assert cut.returncode == 1 and b"- is not a readable .xlsx workbook" in cut.stderr


def test_targets_and_stages_in_the_words_offices_write(chuyi, tmp_path):
    path = workbook(
        tmp_path / "words.xlsx",
        [
            ["目标", "单位名称", "地区", "阶段", "日期", "记录人"],
            ["实训基地", "甲", "长沙", "在建中", DAY, "王五"],
            ["二（四）1", "乙", "长沙", "已通过验收", DAY, "王五"],
            ["“楚怡”文化传承基地（“楚怡”职业教育文化馆）", "丙", "长沙", "立项建设", DAY, "王五"],
            ["基地", "丁", "长沙", "验收", DAY, "王五"],
            ["training-bases", "戊", "长沙", "乱写", DAY, "王五"],
        ],
    )
    said = chuyi("--lang", "en", "import", str(path), code=1).stderr
    assert f"{path}:5:" in said and "training-bases" in said and "culture-bases" in said
    assert f"{path}:6:" in said and "已通过验收" in said and "立项建设" in said
    assert [line for line in said.splitlines() if line.startswith(f"{path}:")][0].startswith(
        f"{path}:5:"
    )
    book = openpyxl.load_workbook(path)
    book.active.delete_rows(5, 2)
    book.save(path)
    assert "added 3" in chuyi("--lang", "en", "import", str(path)).stdout
    got = {e["unit"]: (e["target"], e["stage"]) for e in chuyi.json("log")}
    assert got == {
        "甲": ("training-bases", "building"),
        "乙": ("training-bases", "accepted"),
        "丙": ("culture-bases", "selected"),
    }
