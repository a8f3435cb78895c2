"""A sheet's typed cells as the text the import's rules read, and the words offices
write for values.

A date cell, a serial number Excel keeps for a day or ``20250612`` become ``YYYY-MM-DD``
where the day is certain (``6月20日`` has no year: left to the date rule to refuse); a
whole number loses its ``.0``; stage and state words (遴选, 进行中) stand for the values
they name; a target chosen from the template's list (``id｜title``) is its id.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from chuyi_cli.catalog_nodes import Target
from chuyi_cli.errors import ChuyiError

_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (1900 date system, after its 1900-02-29)
_YMD = re.compile(r"(\d{4})(\d{2})(\d{2})")
_SERIAL = re.compile(r"\d{1,6}(?:\.\d+)?")


def day_text(value: object, years: tuple[int, int]) -> str:
    """A date cell, as the import's date rule reads it (``YYYY-MM-DD`` where it is sure).

    Date cells (the time dropped) and serial numbers that fall in the plan's years become
    ``YYYY-MM-DD``; text is read by the date rule (:func:`canonical.parse_date`, the one
    ``record --date`` reads with), and what it cannot read is left to the rule to word,
    with the row's target (``6月20日``: no year)."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        raise ChuyiError("sheet_bad_date", text=str(value))
    if isinstance(value, int | float):
        return _number_day(value, str(value), years)
    text = str(value).strip()
    if not text:
        return ""
    plain = unicodedata.normalize("NFKC", text)
    if _SERIAL.fullmatch(plain):
        return _number_day(float(plain), text, years)
    from chuyi_cli.canonical import parse_date

    try:
        return parse_date(plain).isoformat()
    except ChuyiError:
        return text  # (the row's date rule says what is wrong)


def _ymd(match: re.Match[str], text: str) -> str:
    try:
        return dt.date(*(int(g) for g in match.groups())).isoformat()
    except ValueError:
        raise ChuyiError("sheet_bad_date", text=text) from None


def _number_day(number: float, text: str, years: tuple[int, int]) -> str:
    if number == int(number):
        match = _YMD.fullmatch(str(int(number)))
        if match:
            return _ymd(match, text)
    if 0 < number < 2958466:  # Excel's last day is 9999-12-31
        day = _EPOCH + dt.timedelta(days=int(number))
        if years[0] <= day.year <= years[1]:
            return day.isoformat()
    raise ChuyiError("sheet_number_not_date", text=text, first=years[0], last=years[1])


def cell_text(value: object) -> str:
    """Any other cell as text: whole numbers without ``.0``, dates as ``YYYY-MM-DD``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    return str(value)


# Stage and state words for people (an export with Chinese headers, the template): each
# reads back as the value it stands for.
STAGE_ZH = {"selected": "遴选", "building": "建设中", "accepted": "验收", "revoked": "撤销"}
STATE_ZH = {"not_started": "未开始", "in_progress": "进行中", "done": "已完成"}


def for_people(row: dict[str, Any]) -> dict[str, Any]:
    """An export row with its stage and state in the words offices use."""
    return {
        **row,
        "stage": STAGE_ZH.get(row["stage"], row["stage"]),
        "state": STATE_ZH.get(row["state"], row["state"]),
    }


TITLE_MARK = "｜"  # between a target's id and its title in the template's list


def target_choice(target: Target) -> str:
    """A target as the template's drop-down list shows it: its id, then its title."""
    return f"{target.id}{TITLE_MARK}{target.title}"


def target_text(text: str) -> str:
    """A target cell as the lookup reads it: a drop-down choice (``id｜title``) is its id."""
    head, mark, _ = text.partition(TITLE_MARK)
    if mark and head.strip().isascii():
        return head.strip()
    return text
