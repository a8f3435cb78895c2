"""Canonical forms: a unit's name, a day, a recorded time and a record's text as stored.

Pure functions of text, shared by every rule that writes (:mod:`chuyi_cli.rules`) and by
what reads a sheet or a command line, so that one spelling of a thing is stored one way.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache

from chuyi_cli.errors import ChuyiError
from chuyi_cli.i18n import Word

_CJK = r"\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"


@lru_cache(maxsize=1)
def _space_near_cjk() -> re.Pattern[str]:
    # Compiled on first use: reads that never name a unit should not pay for it.
    return re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")


MAX_TEXT = 2000


# Characters that show as nothing (Unicode's default-ignorable code points: soft hyphen,
# joiners, direction marks, variation selectors, Hangul fillers, tags…) or as a blank.
_IGNORABLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
_BLANK = "\u2800"  # a braille pattern with no dots: a space to the eye


@lru_cache(maxsize=1)
def _unusual() -> re.Pattern[str]:
    # Neither ASCII nor a common Chinese character: only these need a closer look.
    return re.compile(r"[^\x00-\x7f\u4e00-\u9fff]")


def _invisible(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _BLANK:
        return " "
    if unicodedata.category(ch) in ("Mn", "Me", "Cf") or _ignorable().fullmatch(ch):
        return ""  # a mark or format character NFKC left alone, or one that shows as nothing
    return ch


@lru_cache(maxsize=1)
def _ignorable() -> re.Pattern[str]:
    return re.compile(f"[{_IGNORABLE}]")


@lru_cache(maxsize=1 << 12)
def normalise_unit(name: str) -> str:
    """NFKC; without what shows as nothing (default-ignorable code points, variation
    selectors, combining marks NFKC leaves alone); trimmed, inner spaces collapsed, and
    no spaces beside Chinese characters.

    ``" 湖南 工业职业技术学院 "``, ``"湖南\u034f工业职业技术学院"`` and
    ``"湖南工业职业技术学院"`` are the same unit.
    """
    text = unicodedata.normalize("NFKC", name)
    if not text.isascii():
        text = _unusual().sub(_invisible, text)
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = " ".join(text.split())
    return _space_near_cjk().sub("", text) if " " in text else text


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


@lru_cache(maxsize=1)
def _canonical_instant() -> re.Pattern[str]:
    # Compiled on first use: chuyi status never reads a recorded time.
    return re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")


def utc_instant(text: str) -> str:
    """A recorded time as it is stored: the same instant in UTC, written as utc_now
    writes it, so that comparing two as text compares them as instants.

    ``2024-03-05T10:00:00+08:00`` becomes ``2024-03-05T02:00:00.000000Z``."""
    if _canonical_instant().fullmatch(text):
        try:
            dt.datetime.fromisoformat(text)
            return text
        except ValueError:
            pass
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ChuyiError("recorded_bad", text=text) from None
    if moment.tzinfo is None:
        raise ChuyiError("recorded_no_zone", text=text)
    try:
        moment = moment.astimezone(dt.UTC)
    except OverflowError:
        raise ChuyiError("recorded_bad", text=text) from None
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def day_start(day: str) -> str:
    """The recorded time of an entry that states none (a row typed into a sheet): the
    start of its day, in UTC. Never the importing machine's clock: two machines importing
    the same sheet store the same entry, and order two entries of one day the same way."""
    return f"{day}T00:00:00.000000Z"


_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


@lru_cache(maxsize=1)
def _day_forms() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    # Compiled on first use: most runs read only YYYY-MM-DD.
    return (
        re.compile(r"(\d{4})(\d{2})(\d{2})"),  # 20250612
        re.compile(  # a day with a time, the time dropped: 2025/6/10 9:30
            r"(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)"
            r"(?:\s+|T)\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:\.\d+)?)?"
        ),
        re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*日?|(\d{1,2})\s*[/-]\s*(\d{1,2})"),  # 6月20日
    )


def parse_date(text: str, what: str = "date") -> dt.date:
    """A day as people write it, on the command line and in a sheet alike: YYYY-MM-DD,
    2024/3/5, 2024.3.5, 2024年3月5日, 20240305, full-width digits, and a day with a time
    (``2025/6/10 9:30``: the time dropped). A day without a year (``6月20日``) is refused
    by name."""
    if len(text) == 10:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    plain = unicodedata.normalize("NFKC", str(text)).strip()
    eight, timed, yearless = _day_forms()
    match = _DATE.match(plain) or eight.fullmatch(plain)
    if match is None and (with_time := timed.fullmatch(plain)) is not None:
        match = _DATE.match(with_time.group(1))
    if match is None:
        key = "date_no_year" if yearless.fullmatch(plain) else "bad_date"
        raise ChuyiError(key, what=Word(what), text=text)
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        raise ChuyiError("no_such_day", what=Word(what), text=text) from None


def clean_text(value: str | None, what: str) -> str | None:
    """A record's text (a note, a recorder, a reason) as it is stored: as given, but for
    the spaces at its ends. A line break is one, however written (CR LF or CR: LF); every
    other character is kept (U+3000, NBSP, a tab), and a control character is refused by
    name (:func:`refuse_controls`): a record is evidence, never changed without a word."""
    if value is None:
        return None
    text = str(value)
    if not text.isprintable():
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        refuse_controls(text, what)
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise ChuyiError("text_too_long", what=Word(what), limit=MAX_TEXT)
    return text or None


def refuse_controls(text: str, what: str, keep: str = "\n\t") -> None:
    """Refuse ``text`` if it holds a control character (ESC, BEL, NUL… but those in
    ``keep``) or half of a surrogate pair: named with its code and place, never dropped
    or turned into a space."""
    for place, ch in enumerate(text, start=1):
        if ch in keep or ch.isprintable():
            continue
        if unicodedata.category(ch) in ("Cc", "Cs"):
            raise ChuyiError("text_control", what=Word(what), code=f"U+{ord(ch):04X}", place=place)


def local_day(recorded: str) -> str:
    """The day (this machine's calendar) of a recorded time; for a row typed without one,
    recorded at the start of its day (:func:`day_start`), that day itself."""
    if recorded.endswith("T00:00:00.000000Z"):
        return recorded[:10]
    try:
        moment = dt.datetime.fromisoformat(recorded.replace("Z", "+00:00"))
    except ValueError:
        return recorded[:10]
    if moment.tzinfo is None:
        return moment.date().isoformat()
    return moment.astimezone().date().isoformat()
