"""Text as chuyi prints it: how wide it is, where a line may break, and a record's text
made safe to show.

A cell or a paragraph is wrapped or cut with … between words, never inside one: a run of
Latin letters or digits, an id, a date or a number stays whole, and Chinese punctuation
stays with the character it belongs to (``wrap``, ``cut``). Wide (CJK) characters count
two columns (``display_width``). Text from a record is shown as text, never obeyed by the
terminal (``shown``), and no line of any output is longer than 998 bytes, the limit of a
mail's line (``fit_text``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar
from unicodedata import combining, east_asian_width

MAIL_LINE_BYTES = 998  # RFC 5322: no line of a mail longer than this, CRLF aside


# Characters that take one column (printable ASCII) or two (the CJK ideographs, CJK
# punctuation and full-width forms) for unicodedata and for wcwidth alike, the two-column
# ones three bytes in UTF-8: a text of these alone is measured by its length.
PLAIN_WIDE = re.compile("[\x20-\x7e\u3001-\u3029\u3030-\u303e\u4e00-\u9fff\uff01-\uff60]*")


def plain_width(text: str) -> int | None:
    """Columns a text of ``PLAIN_WIDE`` characters alone takes, by its length (None for
    another text): unicodedata and wcwidth measure it alike (remembered: a table's cell
    is measured by both)."""
    found = _PLAIN.get(text, -1)
    if found == -1:
        found = None
        if PLAIN_WIDE.fullmatch(text):
            found = len(text) + (len(text.encode()) - len(text)) // 2  # (the wide: 3 bytes)
        remember(_PLAIN, text, found)
    return found


# What a long table works out for each distinct text, each once: up to this many texts a
# kind, then forgotten all at once and kept again from there (a log of a million entries
# streamed through a pipe would otherwise hold them all; its newest chunk stays).
HELD = 100_000
_K = TypeVar("_K")
_V = TypeVar("_V")


def remember(memo: dict[_K, _V], key: _K, value: _V) -> _V:
    """``value``, kept in ``memo`` under ``key`` (``memo`` emptied first when it holds
    ``HELD``)."""
    if len(memo) >= HELD:
        memo.clear()
    memo[key] = value
    return value


_PLAIN: dict[str, int | None] = {}


def display_width(text: str) -> int:
    """Columns a terminal gives ``text``: 2 for wide (CJK) characters, 0 for combining ones."""
    if text.isascii():
        return len(text)
    width = _MEASURED.get(text)
    if width is not None:
        return width
    width = plain_width(text)
    if width is None:
        width = sum(0 if combining(ch) else 2 if east_asian_width(ch) in "WF" else 1
                    for ch in text)  # fmt: skip
    return remember(_MEASURED, text, width)


_MEASURED: dict[str, int] = {}  # (a long table measures its cells several times)


# Characters a terminal would obey rather than show, besides the control characters
# (C0, DEL, C1: escape sequences, OSC 52 clipboard writes, clear-screen, title changes):
# those that turn the direction of text or break its line.
_OBEYED = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                    "\u2066\u2067\u2068\u2069\u2028\u2029")  # fmt: skip
RECORD_CELL = 80  # columns: text from a record longer than this is cut with … in tables


def _escaped(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _obeyed(keep: str) -> re.Pattern[str]:
    """What ``shown`` escapes: the control characters (category Cc: C0, DEL, C1) but
    those in ``keep``, and the characters in ``_OBEYED``."""
    found = _OBEYED_BY_KEEP.get(keep)
    if found is None:
        controls = "".join(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)] if chr(c) not in keep)
        found = re.compile("[" + re.escape(controls + "".join(sorted(_OBEYED))) + "]")
        _OBEYED_BY_KEEP[keep] = found
    return found


_OBEYED_BY_KEEP: dict[str, re.Pattern[str]] = {}


def _escaped_match(match: re.Match[str]) -> str:
    return _escaped(match.group())


def shown(text: str, limit: int | None = None, keep: str = "\n\t") -> str:
    """Text from a record (unit, note, recorder, evidence, a reason) as every output but
    JSON shows it: as text. A control character or one that turns the text's direction is
    written escaped (ESC as ``\\x1b``), so nothing in a record can move the cursor, clear
    the screen, set the title, write the clipboard or hide what follows it; ``keep``: the
    ones left as they are (a line break, a tab). Rich markup needs nothing here: chuyi's
    console never reads markup. ``limit``: wider than this many columns, the text is cut
    with … (for a table cell; JSON keeps it whole). The one place that decides this."""
    if not text.isprintable():
        text = _obeyed(keep).sub(_escaped_match, text)
    if limit is not None and display_width(text) > limit:
        return cut(text, limit)
    return text


def printable(text: str) -> str:
    """A line as it may be printed (see ``shown``)."""
    return shown(text, keep="")


_JSON_OBEYED = "[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"


def json_shown(text: str) -> str:
    """JSON with the characters a terminal would obey written as ``\\u`` escapes (JSON
    escapes C0 itself): the same values for whatever reads it."""
    if text.isascii():
        return text
    import re  # (compiled only for JSON that holds more than ASCII: not on status's path)

    return re.sub(_JSON_OBEYED, lambda m: f"\\u{ord(m.group()):04x}", text)


# Characters that never begin a line (closing punctuation) and never end one (opening).
_NO_START = set("”’）》」』】〕〉，。、；：！？…·%)]}.,;:!?")
_NO_END = set("“‘（《「『【〔〈([{")
# What joins Latin letters and digits into one run (an id, a date, a number, a path).
_JOINS = set("_.-+/:#%@'’")


def _words(chunk: str) -> list[str]:
    """A chunk without spaces as runs of Latin letters and digits (with what joins them)
    and single other characters. (No regular expression: compiling one costs more than
    this loop on what chuyi prints.)"""
    out, i, n = [], 0, len(chunk)
    while i < n:
        ch = chunk[i]
        if ch.isascii() and ch.isalnum():
            j = i + 1
            while j < n and (chunk[j] in _JOINS or (chunk[j].isascii() and chunk[j].isalnum())):
                j += 1
            out.append(chunk[i:j])
            i = j
        else:
            out.append(ch)
            i += 1
    return out


def tokens(text: str, fine: bool = False) -> list[str]:
    """Pieces a line may break between: a word, number, id or date whole; one Chinese
    character with its punctuation; a space as its own piece. A short run between spaces
    (已完成, 进度正常) is one piece too, unless ``fine``."""
    pieces: list[str] = []
    for k, chunk in enumerate(text.split()):
        if k:
            pieces.append(" ")
        if len(chunk) <= 6 and not fine:
            pieces.append(chunk)
            continue
        glued: list[str] = []
        for part in _words(chunk):
            if glued and (part[0] in _NO_START or glued[-1][-1] in _NO_END):
                glued[-1] += part
            else:
                glued.append(part)
        pieces.extend(glued)
    return pieces


def _hard_split(piece: str, width: int, measure: Callable[[str], int]) -> list[str]:
    """A piece wider than the whole cell: split it by characters (the only way left)."""
    out, line = [], ""
    for ch in piece:
        if line and measure(line + ch) > width:
            out.append(line)
            line = ""
        line += ch
    return out + ([line] if line else [])


def wrap(text: str, width: int, measure: Callable[[str], int] = display_width) -> list[str]:
    """``text`` in lines of at most ``width`` columns, broken only between tokens."""
    if "\n" not in text and measure(text) <= width:
        return [text.strip()]
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for piece in tokens(paragraph):
            if piece == " ":
                if line:
                    line += " "
                continue
            if measure(line + piece) <= width:
                line += piece
                continue
            if line.strip():
                lines.append(line.rstrip())
            line = ""
            for part in _finer(piece, width, measure):
                if measure(line + part) <= width:
                    line += part
                    continue
                if line:
                    lines.append(line)
                if measure(part) > width:
                    *full, part = _hard_split(part, width, measure)
                    lines.extend(full)
                line = part
        lines.append(line.rstrip())
    return lines


def _finer(piece: str, width: int, measure: Callable[[str], int]) -> list[str]:
    """A piece too wide for a line, in smaller pieces: punctuation unglued only when a
    word with its punctuation is still too wide."""
    if measure(piece) <= width:
        return [piece]
    out = []
    for part in tokens(piece, fine=True):
        for word in _words(part) if measure(part) > width else [part]:
            out.extend(_after_joins(word) if measure(word) > width else [word])
    return out


def _after_joins(word: str) -> list[str]:
    """An id or a path wider than a line, in parts that each end at what joins it
    (``excellent-`` ``technician-`` ``schools``): broken there, and only there, when it
    must break at all."""
    parts, start = [], 0
    for i, ch in enumerate(word):
        if ch in "-_/." and 0 < i < len(word) - 1:
            parts.append(word[start : i + 1])
            start = i + 1
    return parts + [word[start:]]


def cell_lines(cell: str) -> tuple[str, ...]:
    """A table cell's lines as they are printed: spaces run together, nothing obeyed
    (worked out once for each distinct cell)."""
    found = _CELL_LINES.get(cell)
    if found is None:
        if cell.isprintable() and "  " not in cell and cell[:1] != " " != cell[-1:]:
            found = (cell,)  # (one line, as it is: the only space a printable text holds)
        else:
            found = tuple(printable(" ".join(part.split())) for part in cell.split("\n"))
        remember(_CELL_LINES, cell, found)
    return found


_CELL_LINES: dict[str, tuple[str, ...]] = {}


def least_width(
    cells: Iterable[str], measure: Callable[[str], int] = display_width, at_joins: bool = True
) -> int:
    """The narrowest a column of these cells can be with nothing split but between words
    (and ``at_joins``, an id at its hyphens)."""
    least = 1
    for cell in cells:
        for line in cell_lines(cell):
            for piece in tokens(line, fine=True):
                for word in _words(piece):
                    for part in _after_joins(word) if at_joins else [word]:
                        least = max(least, measure(part))
    return least


def wrap_items(
    items: Sequence[str], width: int, sep: str = "、", measure: Callable[[str], int] = display_width
) -> list[str]:
    """A list of names on lines of at most ``width`` columns, broken only after ``sep``:
    a name is never split (unless it alone is wider than a line)."""
    lines: list[str] = []
    line = ""
    for n, item in enumerate(items):
        piece = item + (sep if n < len(items) - 1 else "")
        if line and measure(line + piece) > width:
            lines.append(line)
            line = ""
        if measure(piece) > width:
            *full, piece = wrap(piece, width, measure)
            lines.extend(full)
        line += piece
    return lines + [line] if line else lines


def cut(text: str, width: int, measure: Callable[[str], int] = display_width) -> str:
    """``text`` on one line of at most ``width`` columns, ended with … where it is cut
    (between tokens, or inside one only when the first is wider than the cell)."""
    text = " ".join(text.split())
    if measure(text) <= width:
        return text
    line = ""
    for piece in tokens(text, fine=True):
        if measure(line + piece) > width - 1:
            break
        line += piece
    if not line.strip():
        line = _hard_split(text, max(width - 1, 1), measure)[0]
        if measure(line) > width - 1:
            return "…"[:width]
    return line.rstrip() + "…"


def fit_line(line: str, limit: int = MAIL_LINE_BYTES) -> list[str]:
    """A line as several, none over ``limit`` bytes in UTF-8 (broken between tokens)."""
    if len(line) * 4 <= limit or len(line.encode()) <= limit:
        return [line]
    out, part = [], ""
    for piece in tokens(line):
        if len((part + piece).encode()) > limit:
            if part.strip():
                out.append(part.rstrip())
                part = ""
            while len(piece.encode()) > limit:
                head = piece.encode()[:limit].decode(errors="ignore")
                out.append(head)
                piece = piece[len(head) :]
            piece = piece.lstrip() if not part else piece
        part += piece
    return out + [part.rstrip()]


def fit_text(text: str, limit: int = MAIL_LINE_BYTES) -> str:
    """Every line of ``text`` within ``limit`` bytes."""
    if len(text) * 4 <= limit:
        return text
    return "\n".join(part for line in text.split("\n") for part in fit_line(line, limit))
