"""`chuyi template`: the sheet an office fills in, which imports as filled."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from chuyi_cli.cell_values import STAGE_ZH, STATE_ZH

openpyxl = pytest.importorskip("openpyxl")


def validations(sheet) -> dict[str, object]:
    """Each validated column's letter → its validation."""
    return {str(v.sqref).split(":")[0][0]: v for v in sheet.data_validations.dataValidation}


def test_the_template_has_its_sheets_lists_and_formats(chuyi, tmp_path, plan, places):
    path = tmp_path / "t.xlsx"
    said = chuyi("--lang", "zh", "template", "-o", str(path)).stdout
    assert "已生成填报模板" in said and str(path) in said
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["填报", "填表说明", "选项"]
    assert book["选项"].sheet_state == "hidden" and book.active.title == "填报"
    data = book["填报"]
    headers = [c.value for c in data[1]]
    assert headers[:4] == ["目标", "单位名称\n（分年度考核填年度）", "地区", "阶段"]
    assert "日期\n（年/月/日）" in headers
    assert data.freeze_panes == "A2"
    checks = validations(data)
    lists = book["选项"]

    def listed(letter: str) -> list[str]:
        formula = checks[letter].formula1
        column = formula.split("!$")[1][0]
        return [c.value for c in lists[column] if c.value is not None]

    assert listed("A") == [f"{t.id}｜{t.title}" for t in plan.targets]
    assert listed("D") == list(STAGE_ZH.values()) and listed("E") == list(STATE_ZH.values())
    assert listed("C") == [r.name for r in places.regions]
    assert checks["G"].type == "date" and checks["F"].type == "whole"
    assert data["G2"].number_format == "yyyy-mm-dd" and data["B2"].number_format == "@"
    assert data["I2"].number_format == "@"
    guide = [
        " ".join(str(c) for c in row if c) for row in book["填表说明"].iter_rows(values_only=True)
    ]
    text = "\n".join(guide)
    assert "【阶段】" in text and "建设中 正在建设" in text and "示例" in text


def test_the_template_lists_only_the_targets_and_region_asked_for(chuyi, tmp_path):
    path = tmp_path / "t.xlsx"
    chuyi("template", "-o", str(path), "--target", "training-bases", "--target", "culture-bases",
          "--target", "二（四）1", "--region", "长沙")  # fmt: skip
    book = openpyxl.load_workbook(path)
    lists = book["选项"]
    targets = [c.value for c in lists["A"] if c.value]
    assert [t.split("｜")[0] for t in targets] == ["training-bases", "culture-bases"]
    regions = [c.value for c in lists["D"] if c.value]
    assert regions[0] == "长沙市" and "岳麓区" in regions and "株洲市" not in regions
    assert len(regions) == 10


def test_an_existing_file_is_never_overwritten(chuyi, tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"a filled-in sheet")
    said = chuyi("--lang", "en", "template", "-o", str(path), code=1).stderr
    assert "exists and was left as it is" in said
    assert path.read_bytes() == b"a filled-in sheet"
    assert [p.name for p in tmp_path.iterdir() if p.suffix not in ("", ".db")] == ["t.xlsx"]
    assert "unknown target" in chuyi("--lang", "en", "template", "-o", str(tmp_path / "u.xlsx"),
                                     "--target", "nonsense", code=1).stderr  # fmt: skip


def fill(path: Path, rows: list[list[object]]) -> Path:
    """Rows typed into the data sheet, choices taken from its own lists, nothing else
    changed."""
    book = openpyxl.load_workbook(path)
    sheet = book["填报"]
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(number, column).value = value
    filled = path.with_name("filled.xlsx")
    book.save(filled)
    return filled


def choice(path: Path, target_id: str) -> str:
    lists = openpyxl.load_workbook(path)["选项"]
    return next(c.value for c in lists["A"] if c.value and c.value.startswith(target_id + "｜"))


def test_a_template_filled_in_imports_cleanly(chuyi, tmp_path):
    path = tmp_path / "t.xlsx"
    chuyi("template", "-o", str(path))
    assert "added 0, skipped 0" in chuyi("--lang", "en", "import", str(path)).stdout
    day = dt.datetime(2025, 6, 12)
    filled = fill(
        path,
        [
            [
                choice(path, "training-bases"),
                "长沙职业技术学院",
                "岳麓区",
                "建设中",
                None,
                None,
                day,
                "张三",
                "实训室已投入使用",
                None,
            ],
            [
                choice(path, "rebuilt-school-per-city"),
                "湘西民族职业学校",
                "湘西土家族苗族自治州",
                "验收",
                None,
                None,
                day,
                "张三",
                None,
                None,
            ],
            [choice(path, "annual-assessment"), "2023", None, None, "进行中", None, day, "张三"],
            [choice(path, "think-tank-lectures"), None, None, None, None, 2, day, "张三"],
        ],  # fmt: skip
    )
    result = chuyi("--lang", "en", "import", str(filled))
    assert result.stdout.strip() == "added 4, skipped 0 already present"
    assert result.stderr == ""
    got = {e["target"]: (e["unit"], e["region"], e["stage"] or e["state"] or e["quantity"])
           for e in chuyi.json("log")}  # fmt: skip
    assert got == {
        "training-bases": ("长沙职业技术学院", "430104", "building"),
        "rebuilt-school-per-city": ("湘西民族职业学校", "433100", "accepted"),
        "annual-assessment": ("2023", None, "in_progress"),  # the year, in the unit column
        "think-tank-lectures": (None, None, 2),
    }


@pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice (soffice) is not installed; .ci/run installs libreoffice-calc",
)
def test_a_template_filled_and_saved_by_libreoffice_imports(chuyi, tmp_path, office_profile):
    path = tmp_path / "t.xlsx"
    chuyi("template", "-o", str(path), "--region", "长沙")
    filled = fill(path, [[choice(path, "training-bases"), "长沙职业技术学院", "岳麓区", "建设中",
                          None, None, dt.datetime(2025, 6, 12), "张三"]])  # fmt: skip
    out = tmp_path / "saved"
    subprocess.run(
        ["soffice", f"-env:UserInstallation={office_profile.as_uri()}", "--headless",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(filled)],
        capture_output=True, timeout=180, check=False,
    )  # fmt: skip
    assert "added 1" in chuyi("import", str(out / "filled.xlsx")).stdout


@pytest.mark.sqlite_only("the example rows name a recorder other than the login")
def test_the_guide_says_where_the_year_goes_and_its_examples_import(chuyi, tmp_path):
    """The 填表说明 names the year of the annual assessment (in 单位名称, as its header
    says too) and shows an example row of it; every example row, typed into the data
    sheet as shown, imports."""
    path = tmp_path / "t.xlsx"
    chuyi("template", "-o", str(path))
    book = openpyxl.load_workbook(path)
    guide = list(book["填表说明"].iter_rows(values_only=True))
    unit_row = next(row for row in guide if row[0] == "【单位名称】")
    assert "年度" in unit_row[1] and "年度" in unit_row[2]
    assert "年度" in book["填报"]["B1"].value
    start = next(
        i for i, row in enumerate(guide) if row[0] == "【目标】" and row[1] == "【单位名称】"
    )
    examples = [list(row) for row in guide[start + 1 :] if any(row)]
    assert [row[0].split("｜")[0] for row in examples] == ["culture-bases", "annual-assessment"]
    filled = fill(path, [[c if c != "" else None for c in row] for row in examples])
    chuyi("import", str(filled))
    got = {e["target"]: (e["unit"], e["stage"] or e["state"]) for e in chuyi.json("log")}
    assert got == {
        "culture-bases": ("长沙职业技术学院", "building"),
        "annual-assessment": ("2025", "done"),
    }
