"""Which encoding a text file to import is in, and which of its lines are not."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from chuyi_cli.errors import ChuyiError, ProblemsError
from chuyi_cli.i18n import Message

# Encodings of the GB family: Excel writes '?' for a character they cannot hold.
GB_FAMILY = {"gb18030", "gbk", "gb2312", "cp936", "hz", "big5", "cp950", "big5hkscs"}
_CJK_CHAR = r"\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
LOST_CHARACTER = re.compile(rf"[{_CJK_CHAR}]\?|\?[{_CJK_CHAR}]")
_HAS_CJK = re.compile(rf"[{_CJK_CHAR}]")


def detect_encoding(path: Path, shown: str | None = None) -> str:
    """utf-8-sig (BOM), utf-16 (Excel's "Unicode text"), utf-8, or gb18030 (what Excel on
    a Chinese Windows writes).

    A file that is UTF-8 but for some lines is refused, naming them: decoded whole as
    GB18030 every Chinese name of the other lines would turn into mojibake."""
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            return "utf-16"
        utf16 = _utf16_without_bom(head)
        if utf16:
            return utf16
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while block := handle.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
        # Line by line: Chinese text that decodes as UTF-8 is UTF-8 (GB18030 bytes that
        # happen to decode give Latin or Cyrillic letters, not Chinese).
        handle.seek(0)
        utf8_lines, other = 0, []
        for number, line in enumerate(handle, start=1):
            if line.isascii():
                continue
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                other.append(number)
                continue
            utf8_lines += bool(_HAS_CJK.search(text))
    if not utf8_lines:
        return "gb18030"
    where = shown or str(path)
    raise ProblemsError(
        [
            Message("at_line", path=where, line=n, message=Message("import_mixed_utf8"))
            for n in other
        ],
        heading=refused(where, len(other)),
    )


def _utf16_without_bom(head: bytes) -> str | None:
    """utf-16-le or utf-16-be for text that is plainly UTF-16 without a BOM: many NUL
    bytes (its commas, digits and newlines), nearly all on one side of each pair."""
    zeros = head.count(0)
    if zeros * 10 < len(head) or len(head) % 2:
        return None
    odd = head[1::2].count(0)
    if odd * 10 >= zeros * 9:
        return "utf-16-le"
    if (zeros - odd) * 10 >= zeros * 9:
        return "utf-16-be"
    return None


def refused(shown: str, count: int) -> Message:
    return Message("import_refused", count=count, path=shown)


def undecodable_lines(path: Path, encoding: str) -> list[int]:
    """The lines of ``path`` that are not ``encoding`` text (for an encoding whose lines
    end in a plain newline byte; [] for another)."""
    if codecs.lookup(encoding).name.startswith("utf-16"):
        return []
    found = []
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                line.decode(encoding)
            except UnicodeDecodeError:
                found.append(number)
    return found


def checked_encoding(encoding: str) -> str:
    """``encoding`` if Python reads text in it; else ChuyiError."""
    try:
        info = codecs.lookup(encoding)
    except (LookupError, ValueError, TypeError):
        raise ChuyiError("import_unknown_encoding", encoding=encoding) from None
    if not getattr(info, "_is_text_encoding", True):  # base64, rot13, zlib…
        raise ChuyiError("import_unknown_encoding", encoding=encoding)
    return encoding
