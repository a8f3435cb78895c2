"""Entries: what a site visit puts on record, and the rules every new entry must pass.

``chuyi record`` builds entries through :func:`make_entry`; ``chuyi import`` through the
same rules in parts (:func:`place_unit`, :func:`measure`, :func:`check_observed`,
:func:`clean_text`), so one set of rules decides what may be stored.
"""

from __future__ import annotations

import datetime as dt
import errno
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from chuyi_cli.catalog import MILESTONE_STATES, STAGES, Plan, Target
from chuyi_cli.errors import ChuyiError, os_reason
from chuyi_cli.i18n import Word
from chuyi_cli.regions import Gazetteer, Region
from chuyi_cli.vocabulary import choices

# Rows typed without an id get one derived from their content, so importing the same
# sheet twice adds nothing.
_ROW_NAMESPACE = "6a1f0c2e-5b3d-4e7a-9c1d-2f8e4b6a0d13"
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"


@lru_cache(maxsize=1)
def _space_near_cjk() -> re.Pattern[str]:
    # Compiled on first use: reads that never name a unit should not pay for it.
    return re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")


_MAX_QUANTITY = 10**9
MAX_TEXT = 2000


class Entry(NamedTuple):
    """One append-only record. Exactly one of stage, state, quantity or voids is set.

    A named tuple rather than a dataclass: imports build a million of them, and a tuple
    is what SQLite takes and gives back.
    """

    id: str
    target: str
    unit: str | None
    region: str | None
    stage: str | None
    state: str | None
    quantity: int | None
    observed: str  # YYYY-MM-DD, the day of the site visit
    recorded: str  # ISO 8601 UTC, when it was put on record
    recorder: str
    note: str | None = None
    evidence: str | None = None
    evidence_sha256: str | None = None
    voids: str | None = None

    @property
    def short_id(self) -> str:
        return self.id[:8]

    @property
    def order(self) -> tuple[str, str, str]:
        """Which of two entries is later: observed date, then recorded time, then id."""
        return (self.observed, self.recorded, self.id)

    def as_dict(self) -> dict[str, Any]:
        return self._asdict()


FIELDS = Entry._fields


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


# (Patterns, compiled on first use: a status never reads evidence.)
_URL = r"(?i)^https?://\S+$"
_SCHEME = r"^[a-zA-Z][a-zA-Z0-9+.-]*://"


def evidence_of(
    text: str | None, sha256: str | None = None, base: Path | None = None
) -> tuple[str | None, str | None]:
    """(evidence, sha256) as an entry keeps them.

    A URL (``http(s)://``) is kept as given. A local path must name a readable regular
    file, kept as its full path with the file's SHA-256, hashed now; a relative path is
    read from ``base`` (an imported sheet's folder) when given. A path that arrives with
    its SHA-256 (an exported entry, hashed where it was recorded) is kept as it is.
    Anything else is refused: evidence that is not there is no evidence."""
    if text is None or not text.strip():
        if sha256:
            raise ChuyiError("evidence_hash_alone")
        return None, None
    text = text.strip()
    if re.match(_URL, text):
        return text, sha256 or None
    if sha256:
        return text, sha256
    if re.match(_SCHEME, text):
        raise ChuyiError("evidence_not_url", text=text)
    path = Path(text).expanduser()
    if base is not None and not path.is_absolute():
        path = base / path
    import stat

    try:
        mode = path.stat().st_mode
    except (OSError, ValueError) as exc:  # (ValueError: a NUL in the path names no file)
        if not isinstance(exc, OSError):
            exc = FileNotFoundError(errno.ENOENT, "No such file or directory")
        raise ChuyiError("evidence_missing", text=text, reason=os_reason(exc)) from None
    if not stat.S_ISREG(mode):
        raise ChuyiError("evidence_not_file", text=text)
    import hashlib

    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as exc:
        raise ChuyiError("evidence_unreadable", text=text, reason=os_reason(exc)) from None
    return str(path.resolve()), digest.hexdigest()


def resolve_region(target: Target, places: Gazetteer, text: str | None) -> Region | None:
    """The region an entry of ``target`` names; for coverage, checked against its level.

    A city-level target takes a 市州, or a 县市区 (it counts for its 市州: unambiguous).
    A county-level target takes a 县市区 only: a 市州 holds many, so it cannot say which.
    """
    if text is None or not str(text).strip():
        if target.kind == "coverage":
            raise ChuyiError("region_needed", target=target.id, level=Word(target.level or ""))
        return None
    region = places.get(text)
    if target.kind == "coverage":
        if region.level == "province":
            raise ChuyiError("region_is_province", target=target.id, region=region.name)
        if target.level == "county" and region.level == "city":
            raise ChuyiError(
                "region_city_for_county",
                target=target.id,
                region=region.name,
                count=len(places.children(region.code)),
            )
    return region


def check_observed(observed: dt.date, plan: Plan, today: dt.date) -> None:
    """A day observed is not in the future: one calendar day past ``today`` is allowed,
    since the record may come from where the calendar is ahead (UTC+14, read in UTC−11)."""
    tomorrow = today + dt.timedelta(days=1)
    if observed > tomorrow:
        raise ChuyiError("date_in_future", day=observed, today=today, tomorrow=tomorrow)
    if observed < plan.start:
        raise ChuyiError("date_before_plan", day=observed, start=plan.start)


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


def place_unit(
    target: Target,
    places: Gazetteer,
    unit: str | None,
    region: str | None,
    plan: Plan | None = None,
) -> tuple[str | None, Region | None]:
    """The unit's name as stored (None for targets without units; for a yearly
    milestone, the year its state is of) and the entry's region."""
    kind = target.kind
    if target.yearly:
        text = normalise_unit(unit) if unit else ""
        first, last = (plan.start.year, plan.deadline.year) if plan else (1, 9999)
        if text and not (len(text) == 4 and text.isdigit() and first <= int(text) <= last):
            raise ChuyiError("year_not_in_plan", year=text, first=first, last=last)
        return text or None, resolve_region(target, places, region)
    if target.has_units:
        if unit and not unit.isprintable():
            refuse_controls(unit, "unit", keep="\n\t\r")  # (line breaks: spaces in a name)
        unit = normalise_unit(unit or "")
        if not unit:
            raise ChuyiError("unit_missing", target=target.id, kind=Word(kind))
        if len(unit) > 200:
            raise ChuyiError("unit_too_long")
        if kind == "named":
            names = [normalise_unit(n.name) for n in target.names]
            if unit not in names:
                raise ChuyiError(
                    "unit_not_named", target=target.id, names="、".join(names), unit=unit
                )
            named = next(n.region for n in target.names if normalise_unit(n.name) == unit)
            if region is None:
                region = named
            else:
                given = places.get(region)
                if given.code not in places.within(places.get(named)):  # (or a 县市区 in it)
                    raise ChuyiError(
                        "named_unit_region",
                        target=target.id,
                        unit=unit,
                        region=places.get(named).name,
                        given=given.name,
                    )
    else:
        if unit is not None and normalise_unit(unit):
            raise ChuyiError("unit_not_taken", target=target.id, kind=Word(kind))
        unit = None
    return unit, resolve_region(target, places, region)


def check_year(
    target: Target, plan: Plan, year: str | None, observed: dt.date, entry_id: str | None
) -> None:
    """A yearly milestone's entry names a year that had begun by the day observed. One
    without a year is history from before the target was kept per year: taken only with
    the id it was exported under, never as a new record."""
    if year is None and not entry_id:
        raise ChuyiError(
            "year_needed", target=target.id, first=plan.start.year, last=plan.deadline.year
        )
    if year is not None and int(year) > observed.year:
        raise ChuyiError("year_not_begun", year=year, observed=observed.isoformat())


class ImplausibleQuantity(ChuyiError):
    """An activity's quantity above its target's bound: stored only when confirmed."""


# An activity entry counts one event or a few; more than this in one entry is almost
# always a slip of the keyboard (a target may set its own bound: max_quantity).
DEFAULT_MAX_QUANTITY = 100


def quantity_bound(target: Target) -> int:
    return getattr(target, "max_quantity", None) or DEFAULT_MAX_QUANTITY


def measure(
    target: Target,
    stage: str | None,
    state: str | None,
    quantity: int | None,
    force: bool = False,
) -> tuple[str | None, str | None, int | None]:
    """(stage, state, quantity) as an entry of ``target`` holds them: the one its kind
    takes, checked. No stage is assumed: a unit's stage changes what is achieved, so it
    is given or the entry is refused. An activity's quantity above the target's bound is
    refused (:class:`ImplausibleQuantity`) unless ``force``."""
    given = [name for name, v in (("stage", stage), ("state", state), ("quantity", quantity)) if v]
    if len(given) > 1:
        raise ChuyiError("one_measure_only", given=", ".join(given))
    kind = target.kind
    if target.has_units:
        if state is not None or quantity is not None:
            raise ChuyiError("stage_not_state", target=target.id, kind=Word(kind))
        if not stage:
            raise ChuyiError("stage_missing", target=target.id, stages=choices("stage"))
        if stage not in STAGES:
            raise ChuyiError("bad_choice", text=stage, what=Word("stage"), choices=choices("stage"))
        return stage, None, None
    if stage is not None:
        raise ChuyiError("no_stage_taken", target=target.id, kind=Word(kind))
    if kind == "milestone":
        if quantity is not None:
            raise ChuyiError("state_not_quantity", target=target.id)
        if state is None:
            raise ChuyiError("state_missing", target=target.id, states=choices("state"))
        if state not in MILESTONE_STATES:
            raise ChuyiError("bad_choice", text=state, what=Word("state"), choices=choices("state"))
        return None, state, None
    if state is not None:
        raise ChuyiError("quantity_not_state", target=target.id)
    if quantity is None:
        quantity = 1
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ChuyiError("bad_quantity", text=quantity)
    if quantity <= 0:
        raise ChuyiError("quantity_not_positive", text=quantity)
    if quantity > _MAX_QUANTITY:
        raise ChuyiError("quantity_too_big", text=quantity)
    bound = quantity_bound(target)
    if quantity > bound and not force:
        raise ImplausibleQuantity(
            "quantity_implausible", target=target.id, quantity=quantity, bound=bound
        )
    return None, None, quantity


def make_entry(
    plan: Plan,
    places: Gazetteer,
    target: Target,
    *,
    unit: str | None = None,
    region: str | None = None,
    stage: str | None = None,
    state: str | None = None,
    quantity: int | None = None,
    observed: dt.date,
    recorder: str,
    today: dt.date,
    note: str | None = None,
    evidence: str | None = None,
    evidence_sha256: str | None = None,
    entry_id: str | None = None,
    derive_id: bool = False,
    recorded: str | None = None,
    force: bool = False,
    evidence_base: Path | None = None,
) -> Entry:
    """A valid entry for ``target``, or ChuyiError saying what is wrong.

    The id is ``entry_id`` when given; else derived from the content when ``derive_id``
    (rows typed into a sheet without ids), else a fresh UUID. ``recorded`` is stored in
    UTC; without it, an imported row (``derive_id``) is recorded at the start of its day
    (:func:`day_start`), a new record now. ``force``: an activity's quantity above its
    bound is taken. The evidence is checked by :func:`evidence_of` (a relative path read
    from ``evidence_base`` when given).
    """
    unit, place = place_unit(target, places, unit, region, plan)
    check_observed(observed, plan, today)
    if target.yearly:
        check_year(target, plan, unit, observed, entry_id)
    recorder = clean_text(recorder, "recorder") or ""
    if not recorder:
        raise ChuyiError("recorder_empty")
    note = clean_text(note, "note")
    stage, state, quantity = measure(target, stage, state, quantity, force)
    evidence, evidence_sha256 = evidence_of(evidence, evidence_sha256, evidence_base)
    code = place.code if place else None
    day = observed.isoformat()
    if recorded is not None:
        recorded = utc_instant(recorded)
    if not entry_id:
        content = (target.id, unit, code, stage, state, quantity, day, recorder, note, evidence)
        entry_id = content_id(content, recorded) if derive_id else new_id()
    if derive_id and recorded is None:
        recorded = day_start(day)
    return Entry(
        entry_id,
        target.id,
        unit,
        code,
        stage,
        state,
        quantity,
        day,
        recorded or utc_now(),
        recorder,
        note,
        evidence,
        evidence_sha256,
        None,
    )


def observation_key(e: Entry) -> tuple[str, str, str | None, str | None, str, str, str] | None:
    """What makes two entries one observation recorded twice: the same target and unit,
    stage (or state), day observed and recorder, put on record on the same day (the
    recording machine's calendar). None for an activity (two lectures on one day are two
    events) and for a void. The rule that ``record`` and ``import`` share: see
    :meth:`chuyi_cli.store.Store.repeat_of`."""
    if e.voids or e.quantity is not None:
        return None
    return (e.target, e.unit or "", e.stage, e.state, e.observed, e.recorder, local_day(e.recorded))


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


def new_id() -> str:
    import uuid

    return str(uuid.uuid4())


def content_id(content: tuple, recorded: str | None = None) -> str:
    """The id of a row typed without one: derived from its content (and its recorded
    time, when it states one), so importing the same sheet twice adds nothing."""
    import uuid

    if recorded is not None:
        content = (*content, recorded)
    return str(uuid.uuid5(uuid.UUID(_ROW_NAMESPACE), repr(content)))


def occurrence_id(first: str, occurrence: int) -> str:
    """The id of the ``occurrence``-th repeat (1, 2, …) of a row typed without an id, whose
    first occurrence has the id ``first``: two identical rows of one sheet (two lectures
    on one day) are two entries, and the same sheet imported again still adds nothing."""
    if not occurrence:
        return first
    import uuid

    return str(uuid.uuid5(uuid.UUID(_ROW_NAMESPACE), f"{first}#{occurrence}"))


def check_void(void_id: str, cancelled: Entry | None, voids: str, voided_by: list[str]) -> None:
    """Whether the entry ``void_id`` may void the entry ``voids`` (``cancelled``, None when
    not on record), which the entries ``voided_by`` void already. One rule for
    ``chuyi void``, an import and the store's last word inside the write: an entry is
    voided once, by an entry that is not a void and not itself."""
    if void_id == voids:
        raise ChuyiError("void_itself", id=void_id)
    if cancelled is None:
        raise ChuyiError("void_not_found", id=voids[:8])
    if cancelled.voids:
        raise ChuyiError("void_of_void", id=cancelled.short_id)
    others = [v for v in voided_by if v != void_id]
    if others:
        raise ChuyiError("void_twice", id=cancelled.short_id, by=others[0][:8])


def check_reason(reason: str | None) -> str:
    """A void's reason: required, as any note is checked."""
    text = clean_text(reason, "reason") or ""
    if not text:
        raise ChuyiError("void_reason_missing")
    return text


def make_void(
    entry: Entry, reason: str, recorder: str, today: dt.date, voided_by: Sequence[str] = ()
) -> Entry:
    """The entry that cancels ``entry``: same target and unit, ``voids`` set, reason as note."""
    void_id = new_id()
    check_void(void_id, entry, entry.id, list(voided_by))
    reason = check_reason(reason)
    recorder = clean_text(recorder, "recorder") or ""
    if not recorder:
        raise ChuyiError("recorder_empty")
    return entry._replace(
        id=void_id,
        stage=None,
        state=None,
        quantity=None,
        observed=today.isoformat(),
        recorded=utc_now(),
        recorder=recorder,
        note=reason,
        evidence=None,
        evidence_sha256=None,
        voids=entry.id,
    )
