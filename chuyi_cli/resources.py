"""Where the packaged data lives: inside the installed package, or data/ of a checkout."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_path(name: str) -> Path:
    """Path of a packaged data file (e.g. ``targets.yaml``)."""
    installed = _PACKAGE / "data" / name
    if installed.exists():
        return installed
    return _PACKAGE.parent / "data" / name


@lru_cache(maxsize=4)
def data_bytes(name: str) -> bytes:
    """A packaged data file's bytes, read once a run (the catalog's cache key and the
    gazetteer both need the gazetteer's)."""
    return data_path(name).read_bytes()


def data_text(name: str) -> str:
    return data_bytes(name).decode("utf-8")
