"""Where the packaged data lives: inside the installed package, or data/ of a checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_path(name: str) -> Path:
    """Path of a packaged data file (e.g. ``targets.yaml``)."""
    installed = _PACKAGE / "data" / name
    if installed.exists():
        return installed
    return _PACKAGE.parent / "data" / name


def data_text(name: str) -> str:
    return data_path(name).read_text(encoding="utf-8")
