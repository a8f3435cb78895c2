"""What differs between Windows and POSIX systems, decided here and nowhere else.

Each choice reads the platform when it is made (``sys.platform``), so a test can run it as
Windows would. Only modules every run imports anyway (os, sys, shutil).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import PurePath, PureWindowsPath


def windows() -> bool:
    return sys.platform == "win32"


# --------------------------------------------------------------------------- the pager


def pager_command(environ: Mapping[str, str] | None = None) -> str | None:
    """The pager, as git chooses one: ``CHUYI_PAGER``, else ``PAGER``, else ``less -FRX``
    where it is found, else ``more`` on Windows, else none. A variable set empty or to
    ``cat`` means no pager."""
    env = os.environ if environ is None else environ
    for name in ("CHUYI_PAGER", "PAGER"):
        if name in env:
            chosen = env[name].strip()
            return None if chosen in ("", "cat") else chosen
    if shutil.which("less"):
        return "less -FRX"
    if windows():
        return "more"
    return None


def pager_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The pager's environment: ``LESS=FRX`` unless set (quit if one screen, colours,
    keep the screen), as git sets it, so ``PAGER=less`` behaves as the default does."""
    env = dict(os.environ if environ is None else environ)
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    return env


def pager_shows_colour(command: str) -> bool:
    """Whether the pager passes colours to the terminal. Windows' ``more`` prints escape
    codes as text; less (-R, as chuyi sets it) and the others pass them."""
    if not windows():
        return True
    words = command.split()
    name = PureWindowsPath(words[0].strip('"')).name.lower() if words else ""
    return name not in ("more", "more.com")


def pager_encoding(stdout_encoding: str | None, fileno: int | None) -> str:
    """What the pager reads. On Windows a console program reads its pipe in the console's
    code page (cp936 on a Chinese Windows), whatever Python writes to the console itself;
    elsewhere the terminal's encoding."""
    if windows():
        found = os.device_encoding(fileno) if fileno is not None else None
        if found:
            return found
        import locale

        return locale.getpreferredencoding(False)
    return stdout_encoding or "utf-8"


# --------------------------------------------------------------------------- files


def sqlite_read_only_uri(path: PurePath | str, immutable: bool = False) -> str:
    """A ``file:`` URI that opens ``path`` read-only in SQLite.

    On Windows, a drive letter becomes SQLite's documented ``file:///C:/…`` form and
    backslashes become slashes (``C:\\楚怡\\chuyi.db`` → ``file:///C:/%E6%A5%9A…``);
    elsewhere the path is quoted as it is (relative paths stay relative)."""
    from urllib.parse import quote

    text = str(path)
    if windows():
        text = text.replace("\\", "/")
        if len(text) > 1 and text[1] == ":" and text[0].isalpha():
            text = "/" + text  # file:///C:/…
        uri = "file:" + ("//" if text.startswith("/") else "") + quote(text, safe="/:")
    else:
        uri = "file:" + quote(text)
    return uri + "?mode=ro" + ("&immutable=1" if immutable else "")


def write_failure(exc: OSError) -> object:
    """Why a file could not be written, for a message. On Windows a file open in Excel or
    WPS cannot be replaced (a sharing violation, seen as "permission denied"): say so."""
    from chuyi_cli.errors import os_reason

    reason = os_reason(exc)
    if windows() and isinstance(exc, PermissionError):
        from chuyi_cli.i18n import Message

        return Message("file_in_use", reason=reason)
    return reason


def read_only_filesystem(path: PurePath | str) -> bool:
    """Whether ``path`` lies on a file system mounted read-only (POSIX statvfs). Windows
    has no such call: a read-only medium shows as files nobody may write (os.access)."""
    statvfs = getattr(os, "statvfs", None)
    if statvfs is None:
        return False
    try:
        return bool(statvfs(path).f_flag & getattr(os, "ST_RDONLY", 1))
    except OSError:
        return False


def termination_signals() -> tuple[str, ...]:
    """Names of the signals that ask a run to stop, those this system has: Ctrl-C and
    SIGTERM everywhere; a closed terminal (SIGHUP) on POSIX, Ctrl-Break on Windows."""
    import signal

    wanted = ("SIGINT", "SIGTERM", "SIGBREAK") if windows() else ("SIGINT", "SIGTERM", "SIGHUP")
    return tuple(name for name in wanted if hasattr(signal, name))
