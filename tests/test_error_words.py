"""Why a file, a folder or the database failed is said in the user's language: in Chinese
from the error's number or kind (文件或文件夹不存在), the system's own English words only
under --lang en. And no message repeats a huge value whole: what the user gave is cut with
… so that every line fits a line of mail (998 bytes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_cli_zh import english_in

pytestmark = pytest.mark.sqlite_only(
    "SQLite's and the file system's own errors, and sheets recorded by others than the login"
)

MAIL_LINE = 998


def said(chuyi, *args: str, lang: str, code: int = 1) -> str:
    result = chuyi("--lang", lang, *args, code=code)
    assert "Traceback" not in result.output
    return result.stderr


def both(chuyi, *args: str, code: int = 1) -> tuple[str, str]:
    return said(chuyi, *args, lang="zh", code=code), said(chuyi, *args, lang="en", code=code)


def test_a_backup_into_a_missing_folder_says_why_in_chinese(chuyi, tmp_path):
    out = str(tmp_path / "nonexistent" / "b.db")
    zh, en = both(chuyi, "backup", out)
    assert "文件或文件夹不存在" in zh and english_in(zh) == [], zh
    assert "No such file or directory" in en and "nothing was written" in en


def test_an_export_onto_a_folder_says_it_is_a_folder(chuyi, tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    zh, en = both(chuyi, "export", "-o", str(folder))
    assert "这是一个文件夹" in zh and english_in(zh) == [], zh
    assert "Is a directory" in en


def test_missing_evidence_says_why_in_chinese(chuyi, tmp_path):
    args = ("record", "大讲堂", "--evidence", str(tmp_path / "nonexistent" / "x.pdf"))
    zh, en = both(chuyi, *args)
    assert "文件或文件夹不存在" in zh and english_in(zh) == [], zh
    assert "No such file or directory" in en


def test_a_missing_catalog_says_why_in_chinese(chuyi, tmp_path):
    args = ("--targets", str(tmp_path / "nonexistent.yaml"), "status")
    zh, en = both(chuyi, *args)
    assert "文件或文件夹不存在" in zh and english_in(zh) == [], zh
    assert "No such file or directory" in en


def test_a_file_that_is_no_database_says_so_in_chinese(chuyi, tmp_path):
    junk = tmp_path / "j.db"
    junk.write_bytes(b"garbage, not a database at all" * 40)
    before = junk.read_bytes()
    zh, en = both(chuyi, "--db", str(junk), "status")
    assert "文件不是数据库" in zh and english_in(zh) == [], zh
    assert "file is not a database" in en
    assert junk.read_bytes() == before


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(
    "row",
    [
        "大讲堂,{big},2025-06-01,张",  # a quantity of 5,000 digits
        "大讲堂,1,{big},张",  # a date of 5,000 digits
    ],
)
def test_a_refused_cell_is_cut_in_the_message(chuyi, tmp_path, lang, row):
    sheet = tmp_path / "big.csv"
    sheet.write_text(
        "目标,数量,日期,记录人\n" + row.format(big="9" * 5000) + "\n", encoding="utf-8"
    )
    stderr = said(chuyi, "import", str(sheet), lang=lang)
    assert "…" in stderr
    assert max(len(line.encode()) for line in stderr.splitlines()) < MAIL_LINE, stderr


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_region_and_a_target_of_thousands_of_characters_are_cut(chuyi, tmp_path, lang):
    sheet = tmp_path / "big.csv"
    sheet.write_text(
        "目标,单位名称,地区,阶段,日期,记录人\n"
        f"实训基地,某校,{'4' * 5000},验收,2025-06-01,张\n"
        f"{'实' * 3000},某校,长沙,验收,2025-06-01,张\n"
        f"实训基地,某校,长沙,{'验' * 3000},2025-06-01,张\n",
        encoding="utf-8",
    )
    stderr = said(chuyi, "import", str(sheet), lang=lang)
    lines = stderr.splitlines()
    assert len(lines) == 4 and all("…" in line for line in lines[1:]), stderr
    assert max(len(line.encode()) for line in lines) < MAIL_LINE


def test_an_ignored_column_with_a_huge_header_is_cut(chuyi, tmp_path):
    sheet = tmp_path / "wide.csv"
    sheet.write_text(
        f"目标,数量,日期,记录人,{'x' * 3000}\n大讲堂,1,2025-06-01,张,1\n", encoding="utf-8"
    )
    result = chuyi("--lang", "zh", "import", str(sheet), "--dry-run")
    lines = (result.stdout + result.stderr).splitlines()
    assert max(len(line) for line in lines) < 120, lines
    assert any("x…" in line for line in lines)


def test_a_long_value_in_an_argument_is_cut(chuyi):
    stderr = said(chuyi, "record", "大讲堂", "--date", "2" * 3000, lang="zh")
    assert "…" in stderr and len(stderr) < 300, stderr


def test_a_short_value_is_said_whole(chuyi):
    stderr = said(chuyi, "record", "火星计划", lang="en")
    assert "'火星计划'" in stderr


def test_os_reasons_cover_what_files_fail_with():
    """Each reason a file can fail with has a Chinese form without English in it."""
    import errno

    from chuyi_cli.errors import os_reason

    for number in (errno.ENOENT, errno.EACCES, errno.EISDIR, errno.ENOSPC, errno.EROFS, 999):
        reason = os_reason(OSError(number, "System words"))
        assert english_in(reason.text("zh")) == [] and "System" not in reason.text("zh")
        assert reason.text("en") == "System words"


def test_sqlite_reasons_are_worded_from_the_result_code(tmp_path: Path):
    import sqlite3

    from chuyi_cli.store.sqlite_errors import sqlite_reason

    junk = tmp_path / "junk"
    junk.write_bytes(b"x" * 4096)
    with pytest.raises(sqlite3.DatabaseError) as caught:
        sqlite3.connect(junk).execute("SELECT * FROM sqlite_master").fetchall()
    reason = sqlite_reason(caught.value)
    assert reason.text("zh") == "文件不是数据库，或已损坏"
    assert reason.text("en") == "file is not a database"


def test_an_import_of_a_device_or_a_pipe_names_it_in_chinese(chuyi, tmp_path):
    import os

    zh, en = both(chuyi, "import", "/dev/zero")
    assert "字符设备" in zh and english_in(zh) == [], zh
    assert "character device" in en
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    zh, en = both(chuyi, "import", str(fifo))
    assert "命名管道" in zh and "FIFO" not in zh, zh
    assert "(FIFO)" in en


@pytest.mark.parametrize(
    ("text", "zh_words", "en_words"),
    [
        ('目标,数量\n大讲堂,"1\n', "文件在引号内结束", "unexpected end of data"),
        ('目标,数量\n大讲堂,"1"x\n', "引号闭合后紧跟了其他字符", "expected after"),
    ],
)
def test_a_malformed_csv_says_why_in_chinese(chuyi, tmp_path, text, zh_words, en_words):
    sheet = tmp_path / "q.csv"
    sheet.write_text(text, encoding="utf-8")
    zh, en = both(chuyi, "import", str(sheet))
    assert f"{sheet}:2: " in zh and zh_words in zh and english_in(zh) == [], zh
    assert en_words in en


def test_a_json_line_that_is_no_object_says_what_it_is_in_chinese(chuyi, tmp_path):
    lines = tmp_path / "j.jsonl"
    lines.write_text('[1, 2]\n"text"\n{"target": \n', encoding="utf-8")
    zh, en = both(chuyi, "import", str(lines))
    assert "（列表）" in zh and "（文字）" in zh and "JSON 格式有误" in zh, zh
    assert english_in(zh) == [] and "Expecting" not in zh
    assert "(a list)" in en and "(text)" in en and "Expecting value" in en
