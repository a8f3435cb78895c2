"""Files as offices send them: a file that is not well formed is refused with FILE:LINE,
never repaired, and nothing of it is stored; no file ends in an internal error or a hang.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import run_chuyi

HEADER = "目标,单位名称,地区,阶段,日期,记录人,备注\n"


def sheet(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "s.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def refused(chuyi, path: Path, *lines: int, args: tuple[str, ...] = ()) -> str:
    """Import ``path``: refused, naming exactly ``lines``, and nothing stored."""
    before = chuyi("export").stdout
    result = chuyi("--lang", "en", "import", str(path), *args, code=1)
    named = sorted(
        int(line.split(":")[1])
        for line in result.stderr.splitlines()
        if line.startswith(f"{path}:")
    )
    assert named == sorted(lines), result.stderr
    assert "nothing was imported" in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert chuyi("export").stdout == before
    return result.stderr


# --------------------------------------------------------------------------- CSV


def test_an_unclosed_quote_is_refused_not_swallowing_the_rows_after_it(chuyi, tmp_path):
    # Today the open quote swallows the next rows into one note: "added 1".
    rows = (
        'training-bases,甲基地,长沙,验收,2024-03-05,张三,"首批\n'
        "training-bases,乙基地,长沙,验收,2024-03-05,张三,\n"
        "training-bases,丙基地,长沙,验收,2024-03-05,张三,\n"
    )
    assert "quote" in refused(chuyi, sheet(tmp_path, HEADER + rows), 2)
    # Closed by a later cell's quote: the row after it is where the reader notices.
    closed_later = (
        'training-bases,甲基地,长沙,验收,2024-03-05,张三,"首批\n'
        "training-bases,乙基地,长沙,验收,2024-03-05,张三,x\n"
        'training-bases,丙基地,长沙,验收,2024-03-05,张三,"复查"\n'
    )
    refused(chuyi, sheet(tmp_path, HEADER + closed_later, name="b.csv"), 2)
    # Closed at the very end of a later row: one row of the right width, holding rows.
    closed_at_end = (
        'training-bases,甲基地,长沙,验收,2024-03-05,张三,"首批\n'
        'training-bases,乙基地,长沙,验收,2024-03-05,张三,复查"\n'
    )
    assert "lines 2 to 3" in refused(
        chuyi, sheet(tmp_path, HEADER + closed_at_end, name="c.csv"), 2
    )


def test_a_quoted_note_on_several_lines_is_still_read(chuyi, tmp_path):
    rows = 'training-bases,甲基地,长沙,验收,2024-03-05,张三,"第一行\n第二行, 有逗号"\n'
    assert "added 1" in chuyi("import", str(sheet(tmp_path, HEADER + rows))).stdout
    assert chuyi.json("log")[0]["note"] == "第一行\n第二行, 有逗号"


def test_rows_with_fewer_or_more_cells_than_the_header_are_refused(chuyi, tmp_path):
    first = chuyi.json(
        "record", "training-bases", "甲基地", "--stage", "accepted", "--date", "2024-03-05"
    )
    export = tmp_path / "all.csv"
    chuyi("export", "-o", str(export))
    header, row = export.read_text(encoding="utf-8-sig").splitlines()[:2]
    cells = row.split(",")
    void = cells[:]
    void[0] = "1" * 8 + first["id"][8:]
    void[2] = void[4] = void[5] = ""
    void[-1] = first["id"]
    void[11] = "录错了"
    # A void row cut off before its `voids` cell would today be an `accepted` record.
    cut = ",".join(void[:-1])
    text = "\ufeff" + header + "\r\n" + cut + "\r\n"
    refused(chuyi, sheet(tmp_path, text, name="cut.csv"), 2)
    extra = HEADER + "training-bases,乙基地,长沙,验收,2024-03-05,张三,,多出的格\n"
    assert "8 cells, but the header has 7" in refused(
        chuyi, sheet(tmp_path, extra, name="x.csv"), 2
    )
    # Empty cells at the right, as Excel leaves them, are not a malformed row.
    empty = HEADER + "training-bases,乙基地,长沙,验收,2024-03-05,张三,,,,\n"
    assert "added 1" in chuyi("import", str(sheet(tmp_path, empty, name="e.csv"))).stdout


@pytest.mark.parametrize(
    "header",
    [
        # (市州 and 县市区 together are no such pair: the 县市区 names the region, checked
        # against its 市州; tests/test_sheets.py)
        "目标,单位名称,地区,行政区划代码,阶段,日期,记录人\n",
        "目标,单位名称,地区,县市区,阶段,日期,记录人\n",
        "目标,单位名称,地区,阶段,日期,记录人,备注,说明\n",
        "target,unit,region,stage,observed,recorder,记录人\n",
    ],
)
def test_two_columns_meaning_one_field_are_refused(chuyi, tmp_path, header):
    cells = header.count(",") + 1
    row = "training-bases,甲基地,长沙,验收,2024-03-05,张三" + ",x" * (cells - 6) + "\n"
    text = refused(chuyi, sheet(tmp_path, header + row), 1)
    assert "keep one of them" in text


# --------------------------------------------------------------------------- JSON Lines


def jsonl(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "s.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = {
    "target": "training-bases",
    "unit": "甲基地",
    "region": "长沙",
    "stage": "accepted",
    "observed": "2024-03-05",
    "recorder": "张三",
}


def test_json_lines_follow_the_rules_of_csv(chuyi, tmp_path):
    good = json.dumps(GOOD, ensure_ascii=False)
    unknown = json.dumps({**GOOD, "colour": "red"}, ensure_ascii=False)
    twice = good[:-1] + ', "unit": "乙基地"}'
    alias_twice = json.dumps({**GOOD, "note": "a", "备注": "b"}, ensure_ascii=False)
    listed = json.dumps({**GOOD, "note": ["a", "b"]}, ensure_ascii=False)
    nested = json.dumps({**GOOD, "unit": {"name": "甲基地"}}, ensure_ascii=False)
    path = jsonl(tmp_path, good, unknown, twice, alias_twice, listed, nested)
    text = refused(chuyi, path, 2, 3, 4, 5, 6)
    assert "unknown key(s) 'colour'" in text
    assert "keys 'unit', 'unit' all mean unit" in text
    assert "keys 'note', '备注' all mean note" in text
    assert "'note' holds a list" in text and "'unit' holds an object" in text


def test_json_lines_with_chinese_keys_are_read(chuyi, tmp_path):
    row = {"目标": "training-bases", "单位名称": "甲基地", "阶段": "验收", "日期": "2024-03-05",
           "记录人": "张三"}  # fmt: skip
    path = jsonl(tmp_path, json.dumps(row, ensure_ascii=False))
    assert "added 1" in chuyi("import", str(path)).stdout


# --------------------------------------------------------------------------- encodings


def test_a_file_utf8_but_for_some_lines_is_refused_naming_them(chuyi, tmp_path):
    lines = [
        HEADER,
        "training-bases,长沙汽车实训基地,长沙,验收,2024-03-05,张三,\n",
        "training-bases,湘潭实训基地,湘潭,验收,2024-03-05,李四,\n",
        "training-bases,株洲实训基地,株洲,验收,2024-03-05,王五,\n",
    ]
    data = b"".join(
        line.encode("gb18030" if n in (3, 4) else "utf-8") for n, line in enumerate(lines, 1)
    )
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    # Today the whole file is read as GB18030 and every name of line 2 becomes mojibake.
    assert "not UTF-8" in refused(chuyi, path, 3, 4)
    # Named explicitly, the lines that are not that encoding are named too.
    refused(chuyi, path, 3, 4, args=("--encoding", "utf-8"))


def test_a_question_mark_next_to_chinese_in_a_gb_sheet_is_reported(chuyi, tmp_path):
    # Excel saving "CSV" on a Chinese Windows writes '?' for a character GBK lacks (e.g. 䶮).
    rows = HEADER + "training-bases,湖南?业实训基地,长沙,验收,2024-03-05,张三,\n"
    rows += "training-bases,好基地,长沙,验收,2024-03-05,张三,问题: ok?\n"
    path = sheet(tmp_path, rows, "gb18030")
    assert "'?' next to Chinese characters" in refused(chuyi, path, 2)
    # In a UTF-8 file a '?' is what was typed.
    fine = sheet(tmp_path, rows, "utf-8", name="u.csv")
    assert "added 2" in chuyi("import", str(fine)).stdout


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_excel_unicode_text_is_read(chuyi, tmp_path, encoding):
    # Excel's "Unicode 文本": UTF-16 (with a BOM; here also without), tab-separated.
    text = HEADER.replace(",", "\t") + "training-bases\t甲基地\t长沙\t验收\t2024-03-05\t张三\t\n"
    path = sheet(tmp_path, text, encoding, name="u.txt")
    result = chuyi.json("import", str(path))
    assert result["added"] == 1 and result["encoding"].startswith("utf-16")
    assert chuyi.json("log")[0]["unit"] == "甲基地"


# --------------------------------------------------------------------------- no internal error


@pytest.mark.parametrize("encoding", ["nope", "base64", "rot13", "utf-8\x00", ""])
def test_an_unknown_encoding_is_a_clear_error(chuyi, tmp_path, encoding):
    path = sheet(tmp_path, HEADER)
    result = chuyi("--lang", "en", "import", str(path), "--encoding", encoding, code=1)
    assert "unknown encoding" in result.stderr and "internal" not in result.stderr


def test_huge_numbers_and_deep_brackets_are_clear_errors(chuyi, tmp_path):
    digits = "9" * 5000
    csv_file = sheet(
        tmp_path, f"目标,数量,日期,记录人\nthink-tank-forum,{digits},2024-03-05,张三\n"
    )
    assert "bad quantity" in refused(chuyi, csv_file, 2)
    row = {"target": "think-tank-forum", "observed": "2024-03-05", "recorder": "张三"}
    big = json.dumps(row)[:-1] + f', "quantity": {digits}}}'
    deep = "[" * 100_000 + "]" * 100_000
    deep_object = '{"target": ' + "[" * 100_000 + "]" * 100_000 + "}"
    text = refused(chuyi, jsonl(tmp_path, big, deep, deep_object), 1, 2, 3)
    assert "too long" in text and "too deeply" in text


def env_for(tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "CHUYI_DB": str(tmp_path / "p.db"),
        "CHUYI_CACHE_DIR": str(tmp_path / "cache"),
        "CHUYI_USER": "tester",
        "LANG": "C.UTF-8",
    }


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_what_is_not_a_regular_file_is_refused_at_once(tmp_path):
    env = env_for(tmp_path)
    result = run_chuyi(env, "--lang", "en", "import", "/dev/zero", timeout=60)
    assert result.returncode == 1 and "not a regular file" in result.stderr
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    result = run_chuyi(env, "--lang", "en", "import", str(fifo), timeout=60)  # never blocks
    assert result.returncode == 1 and "not a regular file (FIFO)" in result.stderr
    with open("/dev/zero", "rb") as zero:
        piped = subprocess.run(
            [sys.executable, "-m", "chuyi_cli", "--lang", "en", "import", "-"],
            env=env,
            stdin=zero,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert piped.returncode == 1 and "is a device" in piped.stderr


def test_standard_input_is_read_for_a_dash_or_dev_stdin(chuyi, tmp_path):
    rows = HEADER + "training-bases,甲基地,长沙,验收,2024-03-05,张三,\n"
    assert "added 1" in chuyi("import", "-", input=rows).stdout
    env = env_for(tmp_path)
    for name in ("-", "/dev/stdin"):
        piped = subprocess.run(
            [sys.executable, "-m", "chuyi_cli", "import", name, "--json"],
            env=env,
            input=rows.replace("甲", "乙").encode("gb18030"),
            capture_output=True,
            timeout=60,
            check=False,
        )
        assert piped.returncode == 0, piped.stderr.decode()
        result = json.loads(piped.stdout)
        assert result["encoding"] == "gb18030"
        assert result["added"] == (1 if name == "-" else 0)  # the same sheet again: nothing


# --------------------------------------------------------------------------- dates


def test_a_day_ahead_is_not_in_the_future(chuyi, tmp_path, today):
    # Recorded in UTC+14 while it is still yesterday in UTC-11: one calendar day ahead.
    tomorrow, after = today + dt.timedelta(days=1), today + dt.timedelta(days=2)
    rows = HEADER + f"training-bases,甲基地,长沙,验收,{tomorrow},张三,\n"
    assert "added 1" in chuyi("import", str(sheet(tmp_path, rows))).stdout
    chuyi(
        "record", "training-bases", "乙基地", "--stage", "accepted", "--date", tomorrow.isoformat()
    )
    too_far = HEADER + f"training-bases,丙基地,长沙,验收,{after},张三,\n"
    assert "in the future" in refused(chuyi, sheet(tmp_path, too_far, name="f.csv"), 2)
