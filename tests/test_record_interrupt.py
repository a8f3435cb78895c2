"""Ctrl-C at a question of `chuyi record` is an interrupt, as anywhere else: it says
"interrupted; nothing was written" (已中断), exits 130 and stores nothing. Ctrl-D (the end
of input) still cancels, exit 1."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.processes import as_a_terminal_starts_it
from tests.test_record_terminal import logged


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
        "CHUYI_DB": str(tmp_path / "chuyi.db"),
        "CHUYI_CACHE_DIR": str(tmp_path / "cache"),
        "CHUYI_USER": "张三",
        "COLUMNS": "80",
        "LINES": "24",
    }


def stopped_at(env: dict[str, str], args: list[str], answers: list[tuple[str, str]],
               wait_for: str, stop: str) -> tuple[int, str]:  # fmt: skip
    """Run chuyi on a pty, answer each prompt, then at ``wait_for`` stop it: ``ctrl-c``
    (SIGINT, as the terminal sends it) or ``ctrl-d`` (the end of input)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "chuyi_cli", *args],
        stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT, start_new_session=True,
        preexec_fn=as_a_terminal_starts_it,
    )  # fmt: skip
    os.close(slave)
    shown, seen, pending, stopped = b"", 0, list(answers), False
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                shown += chunk
            if pending and pending[0][0].encode() in shown[seen:]:
                seen = len(shown)
                os.write(master, pending.pop(0)[1].encode() + b"\r")
            elif not pending and not stopped and wait_for.encode() in shown[seen:]:
                time.sleep(0.2)  # (the question is waiting for its answer)
                stopped = True
                if stop == "ctrl-c":
                    os.kill(proc.pid, signal.SIGINT)
                else:
                    os.write(master, b"\x04")
            if not ready and proc.poll() is not None:
                break
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    assert stopped, shown.decode("utf-8", "replace")
    return proc.returncode, shown.decode("utf-8", "replace").replace("\r\n", "\n")


ASKED = [
    ("目标（序号", "training-bases"),
    ("单位名称", "湖南工业职业技术学院实训基地"),
    ("地区", "长沙"),
    ("阶段（1 遴选", "验收"),
    ("观察日期", ""),
]


@pytest.mark.parametrize(
    ("answers", "wait_for"),
    [([], "目标（序号"), (ASKED[:2], "地区"), (ASKED, "确认记录？")],
    ids=["at the target", "at the region", "at the confirmation"],
)
def test_ctrl_c_at_a_question_is_an_interrupt(env, answers, wait_for):
    code, shown = stopped_at(env, ["record"], answers, wait_for, "ctrl-c")
    assert code == 130, shown
    assert "已中断；未写入任何内容" in shown and "已取消" not in shown, shown
    assert "Traceback" not in shown
    assert logged(env) == []


def test_ctrl_c_at_the_confirmation_of_an_implausible_quantity(env):
    code, shown = stopped_at(
        env, ["--lang", "en", "record", "大讲堂", "--quantity", "1000"], [], "[y/N]", "ctrl-c"
    )
    assert code == 130 and "interrupted; nothing was written" in shown, shown
    assert logged(env) == []


def test_ctrl_d_at_a_question_still_cancels(env):
    code, shown = stopped_at(env, ["record"], ASKED, "确认记录？", "ctrl-d")
    assert code == 1 and "已取消" in shown and "已中断" not in shown, shown
    assert logged(env) == []
