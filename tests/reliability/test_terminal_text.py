"""Text from records is shown as text in every output form: never Rich markup, never a
control character the terminal would obey (escape sequences, OSC 52 clipboard writes,
clear-screen, title changes, text turned right to left); long cells cut with … in tables,
whole in --json."""

from __future__ import annotations

import datetime as dt
import os
import pty
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chuyi_cli.catalog import load_catalog
from chuyi_cli.regions import gazetteer
from chuyi_cli.rules import make_entry, make_void
from chuyi_cli.store import Store
from chuyi_cli.wrapping import RECORD_CELL, display_width, json_shown, shown

CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4=\x07"  # OSC 52: write the clipboard
CLEAR = "\x1b[2J\x1b[H"
TITLE = "\x1b]0;pwned\x07"
HYPERLINK = "[link=https://evil.example]点此查看[/link]"
C1 = "\x9b31m"  # an 8-bit CSI
RTL = "\u202e"

UNIT = f"湖南{CLIPBOARD}工业{CLEAR}学院{C1}"
RECORDER = f"王{TITLE}老师"
NOTE = f"{HYPERLINK} [/] {RTL}txe.exe " + "很长的备注" * 60
EVIDENCE = f"https://example.org/{CLIPBOARD}"
REASON = f"记错{CLEAR}[/]"

# What must never reach a terminal raw (Rich's own colour codes are ESC [ … m).
OBEYED = re.compile(r"\x1b\](?!\x1b)|\x1b\[2J|\x1b\[H|\x07|\x9b|\u202e|\x1b\]8;")


def hostile_history(db: Path) -> list[str]:
    """Entries written as an older chuyi or another tool could have: their text as it
    came, control characters and markup included."""
    plan, places = load_catalog(), gazetteer()
    today = dt.date.today()
    entry = make_entry(
        plan,
        places,
        plan.find("culture-bases"),
        unit="湖南工业学院",
        region="长沙",
        stage="selected",
        observed=today - dt.timedelta(days=3),
        recorder="王老师",
        today=today,
    )._replace(unit=UNIT, recorder=RECORDER, note=NOTE, evidence=EVIDENCE)
    second = make_entry(
        plan,
        places,
        plan.find("culture-bases"),
        unit="长沙学院",
        region="长沙",
        stage="accepted",
        observed=today - dt.timedelta(days=2),
        recorder="王老师",
        today=today,
    )._replace(unit=f"长沙{HYPERLINK}学院")
    void = make_void(second, "记错", "王老师", today)._replace(note=REASON)
    with Store.open(db) as store:
        store.add([entry, second])
        store.add([void])
    return [entry.id, second.id, void.id]


def assert_as_text(output: str) -> None:
    found = OBEYED.search(output)
    assert found is None, (found, output[max(0, found.start() - 80) : found.end() + 80])
    assert "\x1b" not in output.replace("\x1b[", "")  # no ESC but Rich's own CSI colours


@pytest.fixture
def hostile(isolated: Path) -> list[str]:
    return hostile_history(isolated)


@pytest.mark.parametrize(
    "args",
    [
        ("log",),
        ("log", "--plain"),
        ("units", "culture-bases"),
        ("summary", "--since", "30d"),
        ("summary", "--since", "30d", "--format", "markdown"),
        ("regions-status",),
        ("status",),
        (
            "record",
            "culture-bases",
            "新学校",
            "--region",
            "长沙",
            "--stage",
            "accepted",
            "--note",
            "x",
        ),
    ],
)
def test_record_text_is_shown_escaped_in_plain_output(chuyi, hostile, args):
    result = chuyi("--lang", "en", *args)
    assert_as_text(result.stdout + result.stderr)


def test_log_and_units_show_what_a_record_holds_escaped_and_cut(chuyi, hostile):
    log = chuyi("--lang", "en", "log", "--width", "200").stdout
    assert "\\x1b]52;c;" in log and "\\x07" in log and "\\x9b" in log
    assert "[link=https://evil.example]点此查看[/link]" in log
    assert "\\u202e" in log
    assert "很长的备注" in log and "…" in log  # the long note cut in the table
    units = chuyi("--lang", "en", "units", "culture-bases", "--width", "200").stdout
    assert "\\x1b[2J" in units and "[link=https://evil.example]" in units
    # --json keeps every character, escaped the JSON way.
    entries = {e["id"]: e for e in chuyi.json("log")}
    assert entries[hostile[0]]["unit"] == UNIT
    assert entries[hostile[0]]["note"] == NOTE
    assert entries[hostile[0]]["recorder"] == RECORDER
    assert entries[hostile[2]]["note"] == REASON
    raw = chuyi("log", "--json").stdout
    assert_as_text(raw)
    assert "\\u009b" in raw and "\\u202e" in raw and "\\u001b" in raw


def test_messages_quote_what_was_typed_as_text(chuyi, hostile):
    for args in (
        ("record", f"culture-bases{CLEAR}", "x"),
        ("record", "culture-bases", "x", "--region", f"长沙{TITLE}"),
        ("void", f"abcd{CLIPBOARD}", "--reason", "x"),
        ("show", f"nothing{TITLE}"),
    ):
        result = chuyi("--lang", "en", *args, code=None)
        assert result.exit_code in (1, 2), (args, result.exit_code)
        assert_as_text(result.stdout + result.stderr)
        assert "Traceback" not in result.stdout + result.stderr


def test_export_messages_show_a_path_as_text(chuyi, hostile, tmp_path):
    out = tmp_path / f"x{TITLE}.csv"
    result = chuyi("--lang", "en", "export", "-o", str(out))
    assert "exported 3 entries" in result.stderr
    assert_as_text(result.stderr)
    assert "\\x1b]0;pwned\\x07" in result.stderr
    assert out.read_text(encoding="utf-8-sig").count("\x1b") >= 3  # the file keeps the data


def test_catalog_text_is_shown_escaped_in_show_and_status(chuyi, tmp_path, monkeypatch):
    source = Path(__file__).resolve().parents[2] / "data" / "targets.yaml"
    text = source.read_text(encoding="utf-8")
    hostile = text.replace(
        "title: 14个市州各改扩建1所“楚怡”中职学校",
        'title: "14个市州各改扩建1所\\e]0;pwned\\a“楚怡”\\e[2J中职学校"',
        1,
    )
    assert hostile != text
    catalog = tmp_path / "targets.yaml"
    catalog.write_text(hostile, encoding="utf-8")
    monkeypatch.setenv("CHUYI_TARGETS", str(catalog))
    for args in (("show", "rebuilt-school-per-city"), ("status",), ("targets",)):
        result = chuyi("--lang", "zh", *args)
        assert_as_text(result.stdout + result.stderr)
    assert "\\x1b]0;pwned\\x07" in chuyi("show", "rebuilt-school-per-city").stdout


def in_a_terminal(db: Path, *args: str, columns: int = 80) -> str:
    """chuyi run in a pseudo-terminal (80 columns), as a user at a terminal runs it."""
    master, slave = pty.openpty()
    env = {
        **os.environ,
        "CHUYI_DB": str(db),
        "TERM": "xterm-256color",
        "COLUMNS": str(columns),
        "LINES": "200",
        "CHUYI_PAGER": "",
        "CHUYI_LANG": "en",
    }
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "chuyi_cli", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
    )
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a POSIX pseudo-terminal")
def test_a_terminal_gets_the_records_text_never_its_commands(hostile, isolated):
    for args in (
        ("log",),
        ("units", "culture-bases"),
        ("summary", "--since", "30d"),
        ("export",),
        ("export", "--format", "jsonl"),
    ):
        screen = in_a_terminal(isolated, *args)
        assert "Traceback" not in screen
        assert_as_text(screen)
        assert "\\x1b" in screen or "\\u001b" in screen or args[0] == "summary"
        assert "\x1b]8;" not in screen  # no hidden hyperlink
    exported = subprocess.run(  # to a pipe, the data exactly
        [sys.executable, "-m", "chuyi_cli", "export"],
        env={**os.environ, "CHUYI_DB": str(isolated)},
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8-sig")
    assert CLIPBOARD in exported and RTL in exported
    wide = in_a_terminal(isolated, "log", columns=200)
    assert_as_text(wide)
    assert "长沙[link=https://evil.example]点此查看[/link]" in wide  # shown, not obeyed
    screen = in_a_terminal(isolated, "log")
    widest = max(display_width(re.sub(r"\x1b\[[0-9;]*m", "", x)) for x in screen.splitlines())
    assert widest <= 80


@given(st.text(max_size=200))
def test_shown_leaves_nothing_a_terminal_obeys(text):
    out = shown(text)
    assert not any(
        (ord(ch) < 32 and ch not in "\n\t") or 0x7F <= ord(ch) <= 0x9F or ch == RTL for ch in out
    )
    assert shown(out) == out or "\\" in out  # escaping is stable on what it made
    if text.isprintable() and RTL not in text:
        assert out == text  # ordinary text (Chinese, spaces, punctuation) untouched
    cut_out = shown(text, RECORD_CELL)
    assert display_width(cut_out) <= RECORD_CELL or "…" not in cut_out


@given(st.text(max_size=100))
def test_json_keeps_every_character(text):
    import json

    assert json.loads(json_shown(json.dumps(text, ensure_ascii=False))) == text
