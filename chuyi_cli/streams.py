"""What chuyi writes when the output's encoding cannot hold a character.

On a Chinese Windows, redirected output (and a legacy console) is written in the ANSI code
page, GBK (cp936): it holds Chinese but not ✓, ✗, some bars and shades, nor the rare
characters only GB18030 has (𠀀). This module is the one place that decides what stands in
for them, for every output path at once: the standard streams get an error handler
(``chuyi-stand-ins``) when a run starts, so Rich, plain tables, messages and help all pass
through it, and nothing a renderer prints can end a run in ``UnicodeEncodeError``.

A stand-in keeps the display width of what it replaces (tables stay aligned): ✓ → √ or v,
✗ → × or x, box drawing → - | +, a wide character the encoding lacks → 〓 (the typesetter's
mark for a missing glyph) or ??. Data is never written through stand-ins: JSON to a stream
that is not UTF-8 escapes with ``\\u`` (lossless), and exports write UTF-8 bytes.
"""

from __future__ import annotations

import codecs
import functools
import sys
from typing import IO, Any
from unicodedata import combining, east_asian_width, name, normalize

HANDLER = "chuyi-stand-ins"

# Encodings that hold every character: nothing ever needs a stand-in.
_COMPLETE = frozenset(
    {"utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le",
     "utf-32-be", "gb18030", "utf-7"}
)  # fmt: skip

# Preferred stand-ins, best first; each has the display width of the character it replaces.
STAND_INS: dict[str, tuple[str, ...]] = {
    "✓": ("√", "v"),
    "✔": ("√", "v"),
    "☑": ("√", "v"),
    "✗": ("×", "x"),
    "✘": ("×", "x"),
    "☒": ("×", "x"),
    "×": ("x",),
    "√": ("v",),
    "→": (">",),
    "←": ("<",),
    "↑": ("^",),
    "↓": ("v",),
    "≥": (">",),
    "≤": ("<",),
    "—": ("-",),
    "–": ("-",),
    "―": ("-",),
    "‐": ("-",),
    "‑": ("-",),
    "…": (".",),
    "“": ('"',),
    "”": ('"',),
    "‘": ("'",),
    "’": ("'",),
    "•": ("·", "*"),
    "·": ("*",),
    "░": (".",),
    "▒": ("▓", ":"),
    "▓": ("#",),
    "█": ("#",),
    "■": ("#",),
    "□": ("o",),
    "●": ("*",),
    "○": ("o",),
}


def _width(char: str) -> int:
    """Columns a terminal gives one character (the rule of wrapping.display_width)."""
    if combining(char):
        return 0
    return 2 if east_asian_width(char) in "WF" else 1


def encoding_name(encoding: str | None) -> str:
    """Python's canonical name of an encoding ('cp936' → 'gbk'), '' when unknown."""
    try:
        return codecs.lookup(encoding or "").name
    except LookupError:
        return ""


def is_utf8(encoding: str | None) -> bool:
    return encoding_name(encoding) in ("utf-8", "utf-8-sig")


def holds_everything(encoding: str | None) -> bool:
    """Whether ``encoding`` can write any character (UTF-*, GB18030)."""
    return encoding_name(encoding) in _COMPLETE


@functools.lru_cache(maxsize=4096)
def _encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeError:
        return False
    return True


def _generic(char: str) -> tuple[str, ...]:
    """Stand-ins for a character the table does not list, by what it is."""
    code = ord(char)
    if 0x2500 <= code <= 0x257F:  # box drawing
        what = name(char, "")
        if "HORIZONTAL" in what and "VERTICAL" not in what:
            return ("─", "-")
        if "VERTICAL" in what and "HORIZONTAL" not in what:
            return ("│", "|")
        return ("┼", "+")
    if 0x2580 <= code <= 0x259F:  # block elements: the parts of a bar
        return ("█", "#")
    plain = "".join(c for c in normalize("NFKD", char) if not combining(c))
    return (plain,) if plain and plain != char else ()


@functools.lru_cache(maxsize=4096)
def stand_in(char: str, encoding: str) -> str:
    """What to write for ``char`` where ``encoding`` cannot: same display width, readable."""
    width = _width(char)
    if width == 0:
        return ""
    for candidate in STAND_INS.get(char, ()) + _generic(char):
        if (
            candidate != char
            and sum(_width(c) for c in candidate) == width
            and _encodes(candidate, encoding)
        ):
            return candidate
    if width == 2:
        return "〓" if _encodes("〓", encoding) else "??"
    return "?"


def _handler(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object[error.start : error.end]
    return "".join(stand_in(char, error.encoding) for char in text), error.end


_registered = False


def register() -> None:
    """Make ``errors="chuyi-stand-ins"`` known to the codecs (once a run)."""
    global _registered
    if not _registered:
        codecs.register_error(HANDLER, _handler)
        _registered = True


def guard(stream: IO[str] | None) -> None:
    """Let ``stream`` write stand-ins for what its encoding cannot hold, never fail.

    Even UTF-8 cannot write a lone surrogate (a file name's undecodable byte), so every
    text stream that can be reconfigured gets the handler."""
    reconfigure: Any = getattr(stream, "reconfigure", None)
    if reconfigure is None or getattr(stream, "errors", None) == HANDLER:
        return
    register()
    try:
        reconfigure(errors=HANDLER)
    except (ValueError, OSError):  # a closed or detached stream: nothing will be written
        pass


def guard_standard_streams() -> None:
    """Guard stdout and stderr: called once when a run starts."""
    guard(sys.stdout)
    guard(sys.stderr)
