"""`chuyi record` in a real terminal (a pty at 80 columns): it asks for what is missing,
offers the valid choices, confirms in words, and stores only what was confirmed."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from wcwidth import wcswidth

from tests.conftest import ROOT

ESCAPES = ("\x1b[", "\x1b]")


def in_terminal(
    env: dict[str, str], args: list[str], answers: list[tuple[str, str]], columns: int = 80
) -> tuple[int, str]:
    """Run chuyi on a pty of ``columns`` × 24; answer each prompt (text it waits for,
    then the line typed). Returns the exit code and everything the terminal showed."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "chuyi_cli", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**env, "COLUMNS": str(columns), "LINES": "24"},
        cwd=ROOT,
        start_new_session=True,
    )
    os.close(slave)
    shown, seen = b"", 0
    pending = list(answers)
    deadline = time.monotonic() + 60
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                shown += chunk
            # (typed once the prompt is shown whole, up to the space input() writes
            # last, as a person types: an answer echoed sooner lands before that space)
            if pending and pending[0][0].encode() in shown[seen:] and shown.endswith(b" "):
                seen = len(shown)
                os.write(master, pending.pop(0)[1].encode() + b"\r")
            if not ready and proc.poll() is not None:
                break
            if time.monotonic() > deadline:
                raise AssertionError(f"no end in sight; the terminal showed:\n{shown.decode()}")
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    assert not pending, f"never asked {pending}; the terminal showed:\n{shown.decode()}"
    return proc.returncode, shown.decode("utf-8", "replace").replace("\r\n", "\n")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
        "CHUYI_DB": str(tmp_path / "chuyi.db"),
        "CHUYI_CACHE_DIR": str(tmp_path / "cache"),
        "CHUYI_USER": "张三",
    }


def logged(env: dict[str, str]) -> list[dict]:
    done = subprocess.run(
        [sys.executable, "-m", "chuyi_cli", "log", "--json"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def fits(text: str, columns: int) -> None:
    for line in text.splitlines():
        assert not any(e in line for e in ESCAPES), line
        assert wcswidth(line) <= columns, line


def test_a_clerk_records_a_visit_by_answering_in_chinese(env):
    code, shown = in_terminal(
        env,
        ["record"],
        [
            ("目标（序号", "training-bases"),
            ("单位名称", "湖南 工业职业技术学院实训基地"),
            ("地区", "长沙"),
            ("阶段（1 遴选", "验收"),
            ("观察日期", "2024-05-06"),
            ("确认记录？", "y"),
        ],
    )
    assert code == 0, shown
    words = " ".join(shown.split())  # (long lines are wrapped between words)
    assert "将记录：training-bases · 湖南工业职业技术学院实训基地 · 长沙市 (430100) · 验收" in words
    assert "已记录" in words and "→ 1/80" in words
    fits(shown, 80)
    [entry] = logged(env)
    assert entry["unit"] == "湖南工业职业技术学院实训基地" and entry["stage"] == "accepted"
    assert entry["region"] == "430100" and entry["observed"] == "2024-05-06"


def test_a_wrong_answer_is_asked_again_and_a_no_stores_nothing(env):
    code, shown = in_terminal(
        env,
        ["--lang", "en", "record", "public-school-per-county", "浏阳职专"],
        [
            ("Region", "长沙"),  # a 市州, where the target counts 县市区
            ("Region", "浏阳"),
            ("Stage", "9"),
            ("Stage", "2"),
            ("Day observed", ""),
            ("Go ahead?", "n"),
        ],
    )
    assert code == 1
    assert "name the 县市区" in shown and "Try again" in shown
    assert "浏阳市 (430181) · building" in " ".join(shown.split())
    assert "cancelled; nothing was written" in shown
    fits(shown, 80)
    assert logged(env) == []


def test_nothing_is_asked_when_the_command_line_says_it_all(env):
    code, shown = in_terminal(
        env,
        ["--lang", "en", "record", "training-bases", "甲", "--stage", "selected"],
        [],
    )
    assert code == 0 and "Go ahead?" not in shown and "recorded" in shown
    assert [e["stage"] for e in logged(env)] == ["selected"]


def test_a_confirmation_takes_chinese_answers_and_asks_again_in_chinese(env):
    """是 at 确认记录？; a word that says neither is asked again, in Chinese. (Each answer
    is typed once the prompt's last space is shown, as a person types it.)"""
    code, shown = in_terminal(
        env,
        ["record"],
        [
            ("目标（序号", "training-bases"),
            ("单位名称", "甲基地"),
            ("地区", "长沙"),
            ("阶段（1 遴选", "验收"),
            ("观察日期", "2024-05-06"),
            ("确认记录？ [是/否，默认是]: ", "也许"),
            ("确认记录？ [是/否，默认是]: ", "是"),  # (asked again)
        ],
    )
    assert code == 0, shown
    assert "请回答“是”或“否”" in shown
    assert "Error" not in shown and "invalid input" not in shown
    assert "已记录" in shown
    fits(shown, 80)
    assert [e["unit"] for e in logged(env)] == ["甲基地"]


@pytest.mark.parametrize(
    ("said", "stored"),
    [("是", True), ("对", True), ("Y", True), ("yes", True), ("ｙ", True), ("", False),
     ("否", False), ("不", False), ("n", False), ("No", False)],
)  # fmt: skip
def test_an_implausible_quantity_is_confirmed_in_either_language(env, said, stored):
    code, shown = in_terminal(
        env,
        ["record", "大讲堂", "--quantity", "1000", "--date", "2025-06-01"],
        [("确属实？ [是/否，默认否]: ", said)],
    )
    assert (code == 0) is stored, shown
    assert "Error" not in shown and "invalid input" not in shown
    if not stored:
        assert "已取消；未写入任何内容" in shown
    assert len(logged(env)) == (1 if stored else 0)
    fits(shown, 80)


def test_an_english_confirmation_takes_chinese_words_too(env):
    code, shown = in_terminal(
        env,
        ["--lang", "en", "record", "think-tank-lectures", "--quantity", "500"],
        [("Is it right? [y/N]: ", "maybe"), ("Is it right? [y/N]: ", "是")],
    )
    assert code == 0, shown
    assert "Please answer yes or no" in shown
    assert len(logged(env)) == 1
