"""Exports for Excel and WPS: a typed xlsx workbook, CSV with Chinese headers, and round
trips that give back every entry exactly, through LibreOffice where it is installed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chuyi_cli.cell_values import STAGE_ZH, STATE_ZH
from chuyi_cli.exchange import EXPORT_COLUMNS
from chuyi_cli.sheets import ZH_HEADERS

openpyxl = pytest.importorskip("openpyxl")

# Notes a spreadsheet would change: leading zeros, an ID number, a fraction, formulas.
TRICKY = ["00123", "430102198001011234", "1/2", "=1+1", "'=x", "-5 个", "多行\n备注", "@home"]


@pytest.fixture
def history(chuyi):
    """Entries of every kind, with notes a spreadsheet would change, and a void."""
    for number, note in enumerate(TRICKY):
        chuyi("record", "training-bases", f"基地{number:03d}", "--region", "长沙",
              "--stage", ("selected", "building", "accepted")[number % 3],
              "--date", f"2025-0{1 + number % 9}-1{number}", "--note", note)  # fmt: skip
    chuyi(
        "record",
        "--stage",
        "accepted",
        "culture-bases",
        "湖南工业职业技术学院",
        "--region",
        "430100000000",
    )
    chuyi(
        "record",
        "--stage",
        "accepted",
        "rebuilt-school-per-city",
        "湘西民族职业学校",
        "--region",
        "湘西自治州",
    )
    chuyi("record", "think-tank-lectures", "--quantity", "3", "--date", "2024-12-31")
    chuyi("record", "annual-assessment", "--year", "2025", "--state", "in_progress")
    wrong = chuyi.json(
        "record", "--stage", "accepted", "training-bases", "错录基地", "--region", "浏阳"
    )
    chuyi("void", wrong["id"], "--reason", "录错了")
    return chuyi("log", "--json").stdout


def fresh(monkeypatch, tmp_path: Path, name: str) -> None:
    monkeypatch.setenv("CHUYI_DB", str(tmp_path / f"{name}.db"))


def test_an_xlsx_export_is_typed_with_frozen_chinese_headers(chuyi, tmp_path, history):
    path = tmp_path / "out.xlsx"
    said = chuyi("export", "--format", "xlsx", "-o", str(path)).stderr
    assert "exported 14 entries" in said
    sheet = openpyxl.load_workbook(path).active
    assert sheet.title == "记录" and sheet.freeze_panes == "A3"
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [ZH_HEADERS[c] for c in EXPORT_COLUMNS]
    assert list(rows[1]) == list(EXPORT_COLUMNS)
    index = {c: i for i, c in enumerate(EXPORT_COLUMNS)}
    data = rows[2:]
    ids = {e["id"] for e in chuyi.json("log")}
    assert {r[index["id"]] for r in data} == ids
    notes = {r[index["note"]] for r in data}
    assert {"00123", "430102198001011234", "1/2", "'=1+1", "''=x", "'-5 个", "多行\n备注"} <= notes
    assert {type(r[index["observed"]]) for r in data} == {dt.datetime}  # date cells
    assert [r[index["quantity"]] for r in data if r[index["quantity"]] is not None] == [3]
    assert {r[index["stage"]] for r in data} - {None} == {"遴选", "建设中", "验收"}
    assert {r[index["state"]] for r in data} - {None} == {"进行中"}
    for cell in sheet["L"][2:]:  # the notes: text cells, formatted as text
        if cell.value is not None:
            assert cell.data_type == "s" and cell.number_format == "@"
    for cell in sheet["I"][2:]:
        assert cell.is_date and cell.number_format == "yyyy-mm-dd"


def test_an_xlsx_export_reimported_gives_the_same_log(chuyi, tmp_path, monkeypatch, history):
    path = tmp_path / "out.xlsx"
    chuyi("export", "--format", "xlsx", "-o", str(path))
    fresh(monkeypatch, tmp_path, "other")
    assert "added 14" in chuyi("import", str(path)).stdout
    assert chuyi("log", "--json").stdout == history
    assert "added 0, skipped 14" in chuyi("import", str(path)).stdout


def test_csv_with_chinese_headers_for_people(chuyi, tmp_path, monkeypatch, history):
    # (What `chuyi export > FILE` holds: UTF-8, with a BOM where stdout is not UTF-8.)
    machine = chuyi("export").stdout_bytes.decode("utf-8-sig")
    assert machine.splitlines()[0] == ",".join(EXPORT_COLUMNS)
    people = chuyi("export", "--headers", "zh").stdout_bytes.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(people)))
    assert rows[0] == [ZH_HEADERS[c] for c in EXPORT_COLUMNS]
    stages = {r[EXPORT_COLUMNS.index("stage")] for r in rows[1:]} - {""}
    states = {r[EXPORT_COLUMNS.index("state")] for r in rows[1:]} - {""}
    assert stages <= set(STAGE_ZH.values()) and states <= set(STATE_ZH.values())
    path = tmp_path / "people.csv"
    chuyi("export", "--headers", "zh", "-o", str(path))
    fresh(monkeypatch, tmp_path, "other")
    chuyi("import", str(path))
    assert chuyi("log", "--json").stdout == history


def test_export_options_that_cannot_go_together(chuyi, history):
    said = chuyi("--lang", "en", "export", "--format", "xlsx", code=1).stderr
    assert "add -o FILE.xlsx" in said
    said = chuyi("--lang", "zh", "export", "--format", "jsonl", "--headers", "zh", code=1).stderr
    assert "--headers zh 只用于 CSV" in said


def test_every_word_for_people_reads_back_as_its_value():
    from chuyi_cli.vocabulary import STAGE_WORDS, STATE_WORDS

    assert {STAGE_WORDS[word]: value for value, word in STAGE_ZH.items()} == {
        v: v for v in STAGE_ZH
    }
    assert {STATE_WORDS[word]: value for value, word in STATE_ZH.items()} == {
        v: v for v in STATE_ZH
    }


# --------------------------------------------------------------------------- LibreOffice

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed; .ci/run installs libreoffice-calc",
)


def resave(source: Path, target: str, folder: Path, profile: Path) -> Path:
    """``source`` opened and saved again by LibreOffice Calc, as an office would."""
    folder.mkdir(exist_ok=True)
    done = subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(folder),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    suffix = target.split(":")[0]
    out = folder / f"{source.stem}.{suffix}"
    assert out.exists(), done.stdout + done.stderr
    return out


@needs_soffice
@pytest.mark.parametrize(
    ("target", "encoding"),
    [
        ("xlsx:Calc MS Excel 2007 XML", None),
        ("csv:Text - txt - csv (StarCalc):44,34,76,1", "utf-8"),
        ("csv:Text - txt - csv (StarCalc):44,34,85,1", "gb18030"),
    ],
    ids=["xlsx", "csv-utf8", "csv-gb18030"],
)
def test_an_xlsx_export_resaved_by_libreoffice_gives_the_same_log(
    chuyi, tmp_path, monkeypatch, history, target, encoding, office_profile
):
    path = tmp_path / "out.xlsx"
    chuyi("export", "--format", "xlsx", "-o", str(path))
    saved = resave(path, target, tmp_path / "saved", office_profile)
    if encoding is not None:
        raw = saved.read_bytes()
        assert "基地000" in raw.decode(encoding) and "00123" in raw.decode(encoding)
        if encoding == "gb18030":  # truly GB18030: its Chinese is no UTF-8
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
    fresh(monkeypatch, tmp_path, "other")
    assert "added 14" in chuyi("import", str(saved)).stdout
    assert chuyi("log", "--json").stdout == history


_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Co", "Cn"), whitelist_characters="\n\t"
    ),
    max_size=30,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(notes=st.lists(_TEXT, min_size=1, max_size=6))
def test_any_text_survives_the_workbook_as_it_goes_in(tmp_path, notes):
    """What write_workbook puts in a text cell, the import reads back (guard and all)."""
    from chuyi_cli.exchange import neutralise, restore
    from chuyi_cli.workbooks import Workbook, write_workbook

    rows = [
        {**dict.fromkeys(EXPORT_COLUMNS), "id": f"{n:08d}", "target": "t", "note": note,
         "unit": note, "observed": "2025-06-12"}
        for n, note in enumerate(notes)
    ]  # fmt: skip
    path = tmp_path / "notes.xlsx"
    write_workbook(rows, path, neutralise)
    book = Workbook(path)
    try:
        table, problems, rest = book.table(None, False, (2022, 2030))
        read = [cells for _, cells in table.records(rest)]
    finally:
        book.close()
    assert problems == []
    assert [restore(cells[EXPORT_COLUMNS.index("note")]) for cells in read] == notes


@needs_soffice
def test_a_sheet_typed_into_libreoffice_imports_as_typed(chuyi, tmp_path, office_profile):
    """A GB18030 list opened in LibreOffice Calc and saved as xlsx: Calc types the cells
    itself (20250612 and a code as numbers; a date with a time as its locale reads it)."""
    listed = tmp_path / "office.csv"
    listed.write_bytes(
        "附件1：2025年楚怡行动进展统计表,,,,,,\n"
        "填报单位：株洲市教育局,,,,,,\n"
        "序号,目标,学校名称,所属县市区,建设阶段,走访时间,填表人\n"
        "1,training-bases,株洲职业技术学院,株洲市渌口区,在建,2025/6/10 9:30,李四\n"
        "2,culture-bases,湖南铁道职业技术学院,430211,验收,20250612,李四\n"
        "合计,,,,,,\n".encode("gb18030")
    )
    folder = tmp_path / "saved"
    subprocess.run(
        [str(SOFFICE), f"-env:UserInstallation={office_profile.as_uri()}", "--headless",
         "--infilter=Text - txt - csv (StarCalc):44,34,85,1",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(folder), str(listed)],
        capture_output=True, timeout=180, check=False,
    )  # fmt: skip
    book = folder / "office.xlsx"
    typed = list(openpyxl.load_workbook(book).active.iter_rows(min_row=4, values_only=True))
    assert typed[1][3] == 430211 and typed[1][5] == 20250612  # numbers, as Calc typed them
    assert "added 2" in chuyi("import", str(book)).stdout
    got = {e["unit"]: (e["region"], e["stage"], e["observed"]) for e in chuyi.json("log")}
    assert got == {
        "株洲职业技术学院": ("430212", "building", "2025-06-10"),
        "湖南铁道职业技术学院": ("430211", "accepted", "2025-06-12"),
    }
