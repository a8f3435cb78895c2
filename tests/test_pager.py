"""Long output in a terminal goes through a pager, as git's does; short output, pipes and
--no-pager never do."""

from __future__ import annotations

import io
import os
import pty
import select
import sys
from pathlib import Path

import pytest

from chuyi_cli import platform
from chuyi_cli.pager import PagedStdout
from tests.processes import output_encoding

ROOT = Path(__file__).resolve().parent.parent


class Terminal(io.TextIOWrapper):
    def __init__(self) -> None:
        super().__init__(io.BytesIO(), encoding="utf-8")

    def isatty(self) -> bool:
        return True

    def text(self) -> str:
        self.flush()
        return self.buffer.getvalue().decode()  # type: ignore[attr-defined]


def catcher(tmp_path: Path, name: str = "paged.txt") -> tuple[str, Path]:
    """A pager that keeps what it reads in a file."""
    out = tmp_path / name
    script = tmp_path / "pager.py"
    script.write_text(
        "import sys\nopen(sys.argv[1], 'wb').write(sys.stdin.buffer.read())\n", encoding="utf-8"
    )
    return f'"{sys.executable}" "{script}" "{out}"', out


def test_output_that_fits_the_screen_is_written_as_it_is(tmp_path):
    command, caught = catcher(tmp_path)
    real = Terminal()
    paged = PagedStdout(real, command, height=10, width=80)
    paged.write("长沙\n" * 9)  # 9 rows and the prompt's: one screen
    assert real.text() == ""  # held until the command ends
    paged.finish()
    assert real.text() == "长沙\n" * 9 and not caught.exists() and not paged.paging


@pytest.mark.parametrize(
    "text",
    [
        "一行\n" * 10,  # ten rows
        "长" * 41 + "\n" + "x\n" * 8,  # 82 columns wrap to two rows
        "\x1b[1m" + "x" * 70 + "\x1b[0m\n" + "y\n" * 9,  # escape codes take no room
    ],
)
def test_output_taller_than_the_screen_goes_to_the_pager(tmp_path, text):
    command, caught = catcher(tmp_path)
    real = Terminal()
    paged = PagedStdout(real, command, height=10, width=80)
    for line in text.splitlines(keepends=True):
        paged.write(line)
    assert paged.paging
    paged.write("然后\n")  # streamed to the pager as it comes
    paged.finish()
    assert caught.read_text(encoding="utf-8") == text + "然后\n" and real.text() == ""


def test_rows_are_counted_as_the_terminal_draws_them(tmp_path):
    command, caught = catcher(tmp_path)
    cases = [
        ("长" * 40 + "\n" + "x\n" * 8, False),  # 80 columns: one row, 9 in all
        ("长" * 40 + "x\n" + "x\n" * 8, True),  # 81: two rows, 10 in all
        ("\x1b[31m" + "y" * 80 + "\x1b[0m\n" * 9, False),
        ("x" * 800, True),  # a line not yet ended counts too
    ]
    for text, pages in cases:
        paged = PagedStdout(Terminal(), command, height=10, width=80)
        paged.write(text)
        assert paged.paging is pages
        paged.finish()


def test_a_reader_who_quits_early_ends_nothing(tmp_path):
    """`q` in less closes the pipe: the rest is dropped, the command ends as usual."""
    real = Terminal()
    paged = PagedStdout(real, "head -c 1 >/dev/null", height=5, width=80)
    for _ in range(20000):
        paged.write("一行又一行的记录\n")
    paged.flush()
    paged.finish()
    assert paged.paging and real.text() == ""


def test_a_pager_that_cannot_run_leaves_the_output_on_the_terminal(tmp_path, monkeypatch):
    real = Terminal()
    paged = PagedStdout(real, "chuyi-no-such-pager", height=3, width=80)
    monkeypatch.setattr("subprocess.Popen", _refuse)
    paged.write("a\nb\nc\nd\n")
    paged.finish()
    assert real.text() == "a\nb\nc\nd\n"


def _refuse(*args, **kwargs):
    raise OSError("cannot run")


def test_a_pager_gets_text_as_a_stream_not_bytes():
    paged = PagedStdout(Terminal(), "cat", height=10, width=80)
    with pytest.raises(TypeError):
        paged.write(b"")  # type: ignore[arg-type]  (click asks whether it takes bytes)
    assert paged.isatty() and paged.encoding == "utf-8"


# --------------------------------------------------------------------------- the choice


@pytest.mark.parametrize(
    ("system", "env", "less", "chosen"),
    [
        ("linux", {}, True, "less -FRX"),
        ("linux", {}, False, None),
        ("win32", {}, False, "more"),
        ("win32", {}, True, "less -FRX"),
        ("linux", {"PAGER": "most"}, True, "most"),
        ("win32", {"PAGER": "more"}, True, "more"),
        ("linux", {"PAGER": "most", "CHUYI_PAGER": "less -S"}, True, "less -S"),
        ("linux", {"PAGER": ""}, True, None),
        ("linux", {"PAGER": "cat"}, True, None),
        ("win32", {"PAGER": " cat "}, True, None),
        ("linux", {"PAGER": "most", "CHUYI_PAGER": ""}, True, None),
        ("linux", {"CHUYI_PAGER": "cat", "PAGER": "less"}, True, None),
    ],
)
def test_the_pager_is_chosen_as_git_chooses(monkeypatch, system, env, less, chosen):
    monkeypatch.setattr(sys, "platform", system)
    monkeypatch.setattr("shutil.which", lambda name: f"/usr/bin/{name}" if less else None)
    assert platform.pager_command(env) == chosen


def test_the_pager_environment_is_gits(monkeypatch):
    assert platform.pager_environment({})["LESS"] == "FRX"
    assert platform.pager_environment({"LESS": "S"})["LESS"] == "S"


def test_windows_more_gets_no_colour_and_the_console_code_page(monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")
    assert not platform.pager_shows_colour("more")
    assert not platform.pager_shows_colour(r"C:\Windows\System32\MORE.COM")
    assert platform.pager_shows_colour("less -FRX")
    monkeypatch.setattr(os, "device_encoding", lambda fd: "cp936")
    assert platform.pager_encoding("utf-8", 1) == "cp936"
    monkeypatch.setattr(os, "device_encoding", lambda fd: None)
    monkeypatch.setattr("locale.getpreferredencoding", lambda do_setlocale=True: "cp936")
    assert platform.pager_encoding("utf-8", 1) == "cp936"
    monkeypatch.setattr(sys, "platform", "linux")
    assert platform.pager_shows_colour("more")
    assert platform.pager_encoding("utf-8", 1) == "utf-8"


# --------------------------------------------------------------------------- in a terminal


def in_terminal(env: dict[str, str], *args: str) -> tuple[int, bytes]:
    """chuyi in a pseudo-terminal, as a user at a desk runs it."""
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover (the child)
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "chuyi_cli", *args], env)
    out = b""
    while True:
        try:
            ready, _, _ = select.select([fd], [], [], 30)
            data = os.read(fd, 65536) if ready else b""
        except OSError:
            break
        if not data:
            break
        out += data
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), out


@pytest.fixture
def desk(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("PAGER", "CHUYI_PAGER", "NO_COLOR")}
    command, caught = catcher(tmp_path)
    env.update({"TERM": "xterm", "LINES": "24", "COLUMNS": "80", "PAGER": command})
    return env, caught


def test_a_long_report_in_a_terminal_goes_through_the_pager(desk):
    env, caught = desk
    code, shown = in_terminal(env, "--lang", "zh", "status")
    assert code == 0 and shown == b""
    paged = caught.read_text(encoding=output_encoding())
    assert "\x1b[" in paged  # colours, for less -R
    assert paged.count("\n") > 24 and "总体" in paged


def test_short_output_piped_output_and_no_pager_are_never_paged(desk, chuyi):
    env, caught = desk
    code, shown = in_terminal(env, "--lang", "zh", "show", "culture-bases")
    assert code == 0 and "楚怡" in shown.decode(output_encoding()) and not caught.exists()
    for changed, args in [
        ({}, ("--no-pager", "--lang", "zh", "status")),
        ({"PAGER": "cat"}, ("--lang", "zh", "status")),
        ({"PAGER": ""}, ("--lang", "zh", "status")),
        ({"CHUYI_PAGER": ""}, ("--lang", "zh", "status")),
        ({"LINES": "500"}, ("--lang", "zh", "status")),
    ]:
        code, shown = in_terminal({**env, **changed}, *args)
        assert code == 0 and "总体" in shown.decode(output_encoding()), changed
        assert not caught.exists(), changed
    assert "总体" in chuyi("--lang", "zh", "status").stdout and not caught.exists()  # a pipe
