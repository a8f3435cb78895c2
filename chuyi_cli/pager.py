"""Long output in a terminal goes through a pager, as git's does.

Installed only when stdout is a terminal and a pager is chosen (``platform.pager_command``):
stdout is then a :class:`PagedStdout` that holds what a command prints until it is taller
than the screen. Output that fits is written to the terminal as it is, when the command
ends; output that does not starts the pager, which gets what was held and then the rest as
it comes (a long ``log`` streams into it).
"""

from __future__ import annotations

import io
import re
import shutil
import signal
import subprocess
from typing import IO, Any
from unicodedata import combining, east_asian_width

from chuyi_cli import platform
from chuyi_cli.streams import HANDLER, register

_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")


def _columns(line: str) -> int:
    line = _ESCAPE.sub("", line)
    if line.isascii():
        return len(line)
    return sum(0 if combining(ch) else 2 if east_asian_width(ch) in "WF" else 1 for ch in line)


class PagedStdout(io.TextIOBase):
    """stdout while a pager may be needed: a text stream that reads as a terminal."""

    def __init__(self, real: IO[str], command: str, height: int, width: int) -> None:
        super().__init__()
        self.real = real
        self.command = command
        self.height = max(height, 1)
        self.width = max(width, 1)
        try:
            self._fileno: int | None = real.fileno()
        except (OSError, ValueError, AttributeError):
            self._fileno = None
        self._encoding = platform.pager_encoding(getattr(real, "encoding", None), self._fileno)
        self._held: list[str] = []
        self._rows = 0
        self._partial = ""  # the last line, not yet ended
        self._pipe: IO[str] | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._interrupt_handler: Any = None
        self._quit = False

    # What Rich, click and chuyi's renderers ask of a stream.
    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._encoding

    @property
    def errors(self) -> str:  # type: ignore[override]
        return HANDLER

    def isatty(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        if self._fileno is None:
            raise io.UnsupportedOperation("fileno")
        return self._fileno

    @property
    def paging(self) -> bool:
        return self._process is not None

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if self._pipe is not None:
            self._to_pipe(self._pipe.write, text)
            return len(text)
        self._held.append(text)
        self._count(text)
        if self._too_tall():
            self._start()
        return len(text)

    def flush(self) -> None:
        if self._pipe is not None:
            self._to_pipe(self._pipe.flush)

    def _to_pipe(self, action: Any, *args: Any) -> None:
        if self._quit:
            return
        try:
            action(*args)
        except OSError:
            if self._process is None:
                raise  # the terminal itself
            self._quit = True  # the reader quit the pager: the rest is not wanted

    def _count(self, text: str) -> None:
        """Rows of the screen what was written so far takes (long lines wrap)."""
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()
        for line in lines:
            self._rows += max(1, -(-_columns(line) // self.width))

    def _too_tall(self) -> bool:
        # (The screen's last row is the prompt's once the command ends, as less -F counts.)
        partial = -(-_columns(self._partial) // self.width)
        return self._rows + partial > self.height - 1

    def _start(self) -> None:
        """Start the pager and hand it what was held; without one, write to the terminal."""
        held, self._held = "".join(self._held), []
        try:
            self._process = subprocess.Popen(
                self.command,
                shell=True,
                stdin=subprocess.PIPE,
                env=platform.pager_environment(),
            )
        except OSError:
            self._pipe = self.real  # the pager cannot run: the terminal it is
        else:
            # While the pager has the terminal, Ctrl-C is the pager's (as less and git
            # treat it): chuyi only waits for it to end.
            self._ignore_interrupts()
            register()
            assert self._process.stdin is not None
            self._pipe = io.TextIOWrapper(
                self._process.stdin, encoding=self._encoding, errors=HANDLER
            )
        self._to_pipe(self._pipe.write, held)

    def _ignore_interrupts(self) -> None:
        try:
            self._interrupt_handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
        except (ValueError, OSError):  # not the main thread
            self._interrupt_handler = None

    def finish(self) -> None:
        """The command has ended: write what was held, or let the pager finish."""
        if self._pipe is None:
            self.real.write("".join(self._held))
            self._held = []
            self.real.flush()
            return
        if self._process is None:
            self.real.flush()
            return
        try:
            self._pipe.close()
        except (BrokenPipeError, OSError, ValueError):
            pass  # the reader quit the pager early
        self._process.wait()
        if self._interrupt_handler is not None:
            signal.signal(signal.SIGINT, self._interrupt_handler)


def install(command: str | None) -> PagedStdout | None:
    """Put stdout behind a pager when it is a terminal and one is chosen (None: as it is)."""
    import sys

    real = sys.stdout
    isatty = getattr(real, "isatty", None)
    if command is None or not (isatty and isatty()):
        return None
    size = shutil.get_terminal_size()
    paged = PagedStdout(real, command, size.lines, size.columns)
    sys.stdout = paged
    return paged


def uninstall(paged: PagedStdout) -> None:
    """Finish the pager and give stdout back."""
    import sys

    try:
        paged.finish()
    finally:
        if sys.stdout is paged:
            sys.stdout = paged.real
