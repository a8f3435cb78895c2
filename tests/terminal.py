"""chuyi in a real terminal: a pseudo-terminal of a given size, as a user's window is."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
from pathlib import Path

from tests.processes import output_encoding

ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def run_in_terminal(
    env: dict[str, str],
    *args: str,
    columns: int = 80,
    rows: int = 24,
    cwd: Path | None = None,
    timeout: float = 60,
) -> tuple[int, str]:
    """Run ``python -m chuyi_cli ARGS`` with a terminal of ``columns`` × ``rows`` as its
    stdin, stdout and stderr; returns the exit code and what the terminal received."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    env = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "chuyi_cli", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=cwd,
        close_fds=True,
    )
    os.close(slave)
    received = b""
    try:
        while True:
            ready, _, _ = select.select([master], [], [], timeout)
            if not ready:
                proc.kill()
                raise TimeoutError(f"chuyi {' '.join(args)} printed nothing for {timeout} s")
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the other end closed: the process is done
                break
            if not chunk:
                break
            received += chunk
    finally:
        os.close(master)
        code = proc.wait(timeout)
    text = received.decode(output_encoding(env), "replace")
    return code, text.replace("\r\n", "\n")


def screen_lines(text: str) -> list[str]:
    """The lines the terminal shows, escape codes taken out."""
    return ESCAPES.sub("", text).split("\n")
