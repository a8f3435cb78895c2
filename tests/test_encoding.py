"""Output in any encoding: a GBK console (Chinese Windows) gets every command's output, with
stand-ins for what GBK lacks, and data (JSON, exports) is never changed on the way."""

from __future__ import annotations

import io
import json
import os
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st
from wcwidth import wcswidth

from chuyi_cli.cli import app
from chuyi_cli.render import Output
from chuyi_cli.streams import guard, holds_everything, is_utf8, stand_in
from chuyi_cli.wrapping import display_width
from tests.processes import run_chuyi
from tests.runner import ChuyiRunner

RARE = "𠀀"  # only GB18030 and Unicode hold it: GBK does not
UNIT = f"{RARE}阳职业技术学校"


class Console(io.TextIOWrapper):
    """A Windows console in a legacy code page (what `chuyi … > file` meets there too)."""

    def __init__(self, encoding: str, tty: bool = False) -> None:
        super().__init__(io.BytesIO(), encoding=encoding)
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty

    def text(self) -> str:
        self.flush()
        raw = self.buffer.getvalue()  # type: ignore[attr-defined]
        return raw.decode(self.encoding)


def test_encodings_that_hold_everything():
    assert holds_everything("utf-8") and holds_everything("UTF8") and holds_everything("gb18030")
    assert not holds_everything("gbk") and not holds_everything("cp936")
    assert not holds_everything("ascii") and not holds_everything("no-such-codec")
    assert is_utf8("utf_8") and is_utf8("utf-8-sig") and not is_utf8("gb18030")


def test_stand_ins_are_readable_in_each_encoding():
    assert stand_in("✓", "gbk") == "√" and stand_in("✗", "gbk") == "×"
    assert stand_in("✓", "ascii") == "v" and stand_in("✗", "cp1252") == "×"
    assert stand_in("✗", "ascii") == "x"
    assert stand_in(RARE, "gbk") == "〓"  # the typesetter's mark for a missing glyph
    assert stand_in(RARE, "cp1252") == "??"
    assert [stand_in(c, "ascii") for c in "─│┼┏━░█"] == list("-|++-.#")
    assert stand_in("é", "ascii") == "e" and stand_in("\u0301", "ascii") == ""
    assert stand_in("\udcff", "utf-8") == "?"  # a file name's undecodable byte


@given(st.characters(blacklist_categories=("Cs",)), st.sampled_from(["gbk", "ascii", "cp1252"]))
def test_a_stand_in_fits_its_encoding_and_keeps_the_width(char, encoding):
    try:
        char.encode(encoding)
        return  # nothing to stand in for
    except UnicodeEncodeError:
        pass
    replacement = stand_in(char, encoding)
    replacement.encode(encoding)  # never fails
    assert display_width(replacement) == display_width(char) or unicodedata.combining(char)


def test_a_guarded_stream_never_fails_and_keeps_what_it_can():
    stream = Console("gbk")
    guard(stream)
    stream.write(f"长沙 ✓ 株洲 ✗ {UNIT} ─┼─ 完成 █░\n")
    assert stream.text() == "长沙 √ 株洲 × 〓阳职业技术学校 ─┼─ 完成 █.\n"


def test_the_terminal_renderer_goes_through_the_same_stand_ins(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("COLUMNS", "80")
    stream = Console("gbk", tty=True)
    guard(stream)
    out = Output("zh", stream=stream)
    assert out.terminal
    out.table(["地区", "覆盖"], [["长沙市", "✓"], [UNIT, "✗"]])
    text = stream.text()
    assert "√" in text and "×" in text and "〓阳职业技术学校" in text
    assert "+" in text or "|" in text  # Rich draws its boxes in ASCII where it cannot


@pytest.fixture
def gbk_history(chuyi, tmp_path):
    """Chinese names GBK holds, one it does not, a void, a note full of marks."""
    chuyi(
        "record",
        "--stage",
        "accepted",
        "culture-bases",
        UNIT,
        "--region",
        "长沙",
        "--note",
        "✓ 验收 — 见附件",
    )
    chuyi(
        "record",
        "--stage",
        "accepted",
        "public-college-per-city",
        "湘西职业技术学院",
        "--region",
        "湘西州",
    )
    chuyi("record", "think-tank-lectures", "--quantity", "2", "--by", f"王{RARE}")
    made = chuyi.json(
        "record", "--stage", "accepted", "training-bases", "衡阳实训基地", "--region", "衡阳"
    )
    chuyi("void", made["id"][:8], "--reason", f"重复 {RARE}")
    chuyi("record", "annual-assessment", "--year", "2025", "--state", "in_progress")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "目标,单位名称,地区,阶段,日期,记录人\n"
        "training-bases,长沙汽车实训基地,长沙,验收通过,2024/3/5,张三\n",
        encoding="gb18030",
    )
    return sheet


COMMANDS = [
    ("targets",),
    ("targets", "--gaps"),
    ("show", "culture-bases"),
    ("regions", "--level", "city"),
    ("check",),
    ("log",),
    ("units", "culture-bases"),
    ("status",),
    ("status", "--plain"),
    ("regions-status",),
    ("regions-status", "--level", "county", "--stale", "30"),
    ("summary",),
    ("summary", "--format", "markdown"),
    ("summary", "--year", "2026"),
    ("summary", "--since", "2022-04-08"),
]


@pytest.mark.parametrize("encoding", ["gbk", "cp936"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_command_writes_a_gbk_console_without_failing(
    chuyi, gbk_history, tmp_path, encoding, lang
):
    runner = ChuyiRunner(charset=encoding)

    def run(*args: str, code: int = 0):
        result = runner.invoke(app, ["--lang", lang, *args])
        assert result.exit_code == code, (args, result.output, result.exception)
        assert "Error" not in result.stderr and "internal" not in result.stderr, result.stderr
        return result

    for args in COMMANDS:
        run(*args).stdout_bytes.decode(encoding)  # strictly: every byte is GBK
    regions = run("regions-status").stdout
    assert "√" in regions and "×" in regions and "✓" not in regions
    units = run("units", "culture-bases").stdout
    assert "〓阳职业技术学校" in units
    table = [line for line in units.splitlines() if line.strip()][-3:]
    assert len({wcswidth(line) for line in table}) == 1, table  # still aligned
    log = run("log").stdout
    assert "湘西" in log and "〓" in log and "√ 验收" in log
    # A message naming what GBK lacks, and the commands that write.
    assert "〓" in run("show", RARE, code=1).stderr
    assert run(
        "record", "--stage", "accepted", "culture-bases", f"{RARE}二校", "--region", "株洲"
    ).stdout
    assert run("import", str(gbk_history)).stdout
    assert run("backup", str(tmp_path / f"备份{RARE}.db")).stdout
    assert "〓" in run("export", "-o", str(tmp_path / f"导出{RARE}.csv")).stderr
    book = tmp_path / f"导出{RARE}.xlsx"
    run("export", "--format", "xlsx", "-o", str(book))
    run("template", "-o", str(tmp_path / f"模板{RARE}.xlsx"))
    run("import", "--dry-run", str(book))  # the preview table, names it cannot hold
    people = run("export", "--headers", "zh").stdout_bytes
    assert people.startswith(b"\xef\xbb\xbf") and UNIT.encode() in people


@pytest.mark.parametrize("encoding", ["gbk", "cp936"])
def test_json_to_a_gbk_console_escapes_and_loses_nothing(chuyi, gbk_history, encoding):
    runner = ChuyiRunner(charset=encoding)
    utf8 = {args: chuyi.json(*args) for args in [("log",), ("units", "culture-bases"), ("status",)]}
    for args, expected in utf8.items():
        out = runner.invoke(app, [*args, "--json"]).stdout_bytes
        assert out.isascii() and b"\\u" in out
        assert json.loads(out) == expected
    units = {u["name"] for u in utf8[("units", "culture-bases")]}
    assert UNIT in units


@pytest.mark.parametrize("encoding", ["gbk", "cp936"])
def test_export_to_a_gbk_stdout_is_the_utf8_file_excel_opens(
    chuyi, gbk_history, tmp_path, encoding
):
    runner = ChuyiRunner(charset=encoding)
    piped = runner.invoke(app, ["export"]).stdout_bytes
    written = tmp_path / "a.csv"
    chuyi("export", "-o", str(written))
    assert piped == written.read_bytes()  # UTF-8 with a BOM, CRLF, every character kept
    assert piped.startswith(b"\xef\xbb\xbf") and UNIT.encode() in piped
    lines = runner.invoke(app, ["export", "--format", "jsonl"]).stdout_bytes.splitlines()
    assert lines and all(line.isascii() for line in lines)
    assert any(json.loads(line)["unit"] == UNIT for line in lines)


def test_a_real_process_under_pythonioencoding_gbk(tmp_path):
    """Python writes redirected output of a Chinese Windows in GBK: so does this run."""
    env = {**os.environ, "CHUYI_DB": str(tmp_path / "w.db"), "PYTHONIOENCODING": "gbk"}
    env.pop("CHUYI_CACHE_DIR", None)
    made = run_chuyi(
        env,
        "record",
        "--stage",
        "accepted",
        "public-college-per-city",
        UNIT,
        "--region",
        "长沙",
        "--by",
        "x",
    )
    assert made.returncode == 0, made.stderr
    assert "〓阳职业技术学校" in made.stdout
    shown = run_chuyi(env, "--lang", "zh", "regions-status")
    assert shown.returncode == 0 and "internal" not in shown.stderr, shown.stderr
    assert "√" in shown.stdout and "×" in shown.stdout and "长沙" in shown.stdout
    unknown = run_chuyi(env, "--lang", "zh", "show", f"{RARE}✓")
    assert unknown.returncode == 1 and "〓√" in unknown.stderr, unknown.stderr


@pytest.mark.parametrize(
    "command", [("check",), ("-h",), ("record", "-h"), ("status",), ("show", "nothing-such")]
)
def test_an_ascii_output_gets_stand_ins_from_every_command(tmp_path, command):
    """Under PYTHONIOENCODING=ascii, help and `check` write what status writes: stand-ins,
    not UTF-8 bytes an ASCII reader cannot read."""
    import subprocess
    import sys

    from tests.processes import ROOT

    env = {**os.environ, "CHUYI_DB": str(tmp_path / "a.db"), "PYTHONIOENCODING": "ascii",
           "PYTHONPATH": str(ROOT), "CHUYI_LANG": "zh"}  # fmt: skip
    run_chuyi({**env, "PYTHONIOENCODING": "utf-8"}, "record", "大讲堂", "--date", "2025-06-01")
    done = subprocess.run(
        [sys.executable, "-m", "chuyi_cli", *command], env=env, capture_output=True, check=False
    )
    assert done.returncode in (0, 1), done.stderr
    for written in (done.stdout, done.stderr):
        assert written.isascii(), written[:200]
    assert b"??" in done.stdout + done.stderr  # (a Chinese character: two columns, two ?)
