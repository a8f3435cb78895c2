"""What chuyi keeps between runs so that each run starts fast: the validated catalog and
the gazetteer, each under a key made of checksums of the files it came from.

Kept with marshal (built into Python, the fastest to read back), so only plain values:
dicts, lists, text, numbers. A missing, stale or unreadable entry is never an error: the
caller builds the value again from its files.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib
from pathlib import Path
from typing import Any

FORMAT = 5  # changes whenever what is kept changes shape


def folder() -> Path | None:
    """CHUYI_CACHE_DIR ("" switches caching off), else the user's cache folder."""
    if os.environ.get("CHUYI_CACHE_DIR") == "":
        return None
    if os.environ.get("CHUYI_CACHE_DIR"):
        return Path(os.environ["CHUYI_CACHE_DIR"])
    if sys.platform.startswith("linux"):  # the XDG rule platformdirs follows, unimported
        base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
        return Path(base) / "chuyi"
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("chuyi", appauthor=False))


def key(*sources: bytes) -> str:
    """Two independent 32-bit checksums and the size of each source, chuyi's version and
    Python's (marshal's format may change). zlib's are C and need no OpenSSL at start-up;
    a file edited by hand cannot meet both by chance."""
    from chuyi_cli import __version__

    parts = []
    for raw in sources:
        parts += [zlib.crc32(raw), zlib.adler32(raw), len(raw)]
    python = f"py{sys.version_info[0]}{sys.version_info[1]}"
    return "-".join(f"{p:x}" for p in parts) + f"-{__version__}-{FORMAT}-{python}"


def load(name: str, key: str) -> Any:
    """What was kept under ``name`` and ``key``, or None."""
    place = folder()
    if place is None:
        return None
    try:
        return marshal.loads((place / f"{name}-{key}.marshal").read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None


def save(name: str, key: str, value: Any) -> None:
    """Keep ``value`` (written beside and renamed in, so a reader never sees half)."""
    place = folder()
    if place is None:
        return
    try:
        place.mkdir(parents=True, exist_ok=True)
        tmp = place / f".{name}-{key}.{os.getpid()}.tmp"
        tmp.write_bytes(marshal.dumps(value))
        os.replace(tmp, place / f"{name}-{key}.marshal")
    except (OSError, ValueError):
        pass  # a read-only home only costs the next run a parse
