"""Rules: every check a new entry or void passes before it is stored.

``chuyi record`` builds entries through :func:`make_entry` and voids through
:func:`make_void`; ``chuyi import`` through the same rules in parts (:func:`place_unit`,
:func:`measure`, :func:`check_observed`, :func:`check_void`, :func:`void_of`…), so one
set of rules decides what may be stored.
"""

from __future__ import annotations

import datetime as dt
import errno
import re
from collections.abc import Sequence
from pathlib import Path

from chuyi_cli.canonical import (
    clean_text,
    day_start,
    normalise_unit,
    refuse_controls,
    utc_instant,
    utc_now,
)
from chuyi_cli.catalog_nodes import MILESTONE_STATES, STAGES, Plan, Target
from chuyi_cli.domain import Entry, content_id, new_id
from chuyi_cli.errors import ChuyiError, os_reason
from chuyi_cli.i18n import Word
from chuyi_cli.regions import Gazetteer, Region
from chuyi_cli.vocabulary import choices

_MAX_QUANTITY = 10**9

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
    if target.has_units:
        return _stage_of(target, stage, state, quantity), None, None
    if stage is not None:
        raise ChuyiError("no_stage_taken", target=target.id, kind=Word(target.kind))
    if target.kind == "milestone":
        return None, _state_of(target, state, quantity), None
    if state is not None:
        raise ChuyiError("quantity_not_state", target=target.id)
    return None, None, _quantity_of(target, quantity, force)


def _stage_of(target: Target, stage: str | None, state: str | None, quantity: int | None) -> str:
    """The stage an entry of a target with units holds: given, and one of the stages."""
    if state is not None or quantity is not None:
        raise ChuyiError("stage_not_state", target=target.id, kind=Word(target.kind))
    if not stage:
        raise ChuyiError("stage_missing", target=target.id, stages=choices("stage"))
    if stage not in STAGES:
        raise ChuyiError("bad_choice", text=stage, what=Word("stage"), choices=choices("stage"))
    return stage


def _state_of(target: Target, state: str | None, quantity: int | None) -> str:
    """The state a milestone's entry holds: given, and one of a milestone's states."""
    if quantity is not None:
        raise ChuyiError("state_not_quantity", target=target.id)
    if state is None:
        raise ChuyiError("state_missing", target=target.id, states=choices("state"))
    if state not in MILESTONE_STATES:
        raise ChuyiError("bad_choice", text=state, what=Word("state"), choices=choices("state"))
    return state


def _quantity_of(target: Target, quantity: int | None, force: bool) -> int:
    """An activity's quantity: 1 when not given; a whole number from 1 to the target's
    bound (above it only when ``force``), never above :data:`_MAX_QUANTITY`."""
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
    return quantity


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
    recorder = check_recorder(recorder)
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


def check_recorder(recorder: str | None) -> str:
    """Who put it on record: required, as any text is checked."""
    text = clean_text(recorder, "recorder") or ""
    if not text:
        raise ChuyiError("recorder_empty")
    return text


def check_reason(reason: str | None) -> str:
    """A void's reason: required, as any note is checked."""
    text = clean_text(reason, "reason") or ""
    if not text:
        raise ChuyiError("void_reason_missing")
    return text


def make_void(
    entry: Entry, reason: str, recorder: str, today: dt.date, voided_by: Sequence[str] = ()
) -> Entry:
    """The entry that cancels ``entry``, recorded now: see :func:`void_of`."""
    void_id = new_id()
    check_void(void_id, entry, entry.id, list(voided_by))
    reason = check_reason(reason)
    recorder = check_recorder(recorder)
    return void_of(entry, void_id, today.isoformat(), utc_now(), recorder, reason)


def void_of(
    cancelled: Entry, void_id: str, observed: str, recorded: str, recorder: str, reason: str
) -> Entry:
    """The void ``void_id`` of ``cancelled`` (checked by :func:`check_void`), as ``chuyi
    void`` and an imported void row store it: the cancelled entry's target, unit and
    region, ``voids`` set, no measure and no evidence, the reason as its note."""
    return cancelled._replace(
        id=void_id,
        stage=None,
        state=None,
        quantity=None,
        observed=observed,
        recorded=recorded,
        recorder=recorder,
        note=reason,
        evidence=None,
        evidence_sha256=None,
        voids=cancelled.id,
    )
