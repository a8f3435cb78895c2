"""chuyi as a separate process, the way a shell or cron runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def output_encoding(env: Mapping[str, str] | None = None) -> str:
    """The encoding chuyi writes its output in: PYTHONIOENCODING's, else UTF-8.

    CI runs the command-line tests a second time under PYTHONIOENCODING=gbk, as a Chinese
    Windows writes redirected output; every test reads chuyi's output in that encoding."""
    value = (os.environ if env is None else env).get("PYTHONIOENCODING") or ""
    return value.split(":")[0] or "utf-8"


ROOT = Path(__file__).resolve().parent.parent


def as_a_terminal_starts_it() -> None:
    """(A child's ``preexec_fn``.) Ctrl-C and Ctrl-\\ at their defaults, as a terminal's
    shell starts a command in the foreground: a test run started in the background (an
    asynchronous list of a script, nohup) has them ignored, its children inherit that, and
    chuyi rightly leaves an ignored Ctrl-C ignored."""
    for number in (signal.SIGINT, signal.SIGQUIT):
        signal.signal(number, signal.SIG_DFL)


def as_written(text: str, env: Mapping[str, str] | None = None) -> str:
    """``text`` as chuyi writes it in the run's output encoding: under gbk, ✓ shows as √."""
    from chuyi_cli.streams import stand_in

    encoding = output_encoding(env)

    def one(char: str) -> str:
        try:
            char.encode(encoding)
        except UnicodeEncodeError:
            return stand_in(char, encoding)
        return char

    return "".join(one(char) for char in text)


# The `chuyi` command an install puts beside the interpreter (as bench/run.py finds it).
SCRIPT = Path(sys.executable).parent / ("chuyi.exe" if sys.platform == "win32" else "chuyi")


def run_chuyi(
    env: dict[str, str],
    *args: str,
    cwd: Path | None = None,
    timeout: float | None = None,
    command: bool = False,
) -> subprocess.CompletedProcess[str]:
    """chuyi as its own process: ``python -m chuyi_cli``, or with ``command`` the installed
    ``chuyi`` command, as cron runs it (``python -m`` where none is installed)."""
    # This checkout's code, whatever the working folder (an installed chuyi may differ).
    path = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    program = [str(SCRIPT)] if command and SCRIPT.exists() else [sys.executable, "-m", "chuyi_cli"]
    return subprocess.run(
        [*program, *args],
        env={**env, "PYTHONPATH": path},
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding=output_encoding(env),
        check=False,
        timeout=timeout,
    )
