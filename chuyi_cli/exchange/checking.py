"""Checking: import rows as entries, under the rules a record is held to."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from chuyi_cli.canonical import MAX_TEXT, clean_text, day_start, parse_date, utc_instant
from chuyi_cli.catalog_nodes import Plan, Target
from chuyi_cli.domain import Entry, content_id
from chuyi_cli.errors import ChuyiError
from chuyi_cli.exchange.cells import EXPORT_COLUMNS, Cells, restore
from chuyi_cli.regions import Gazetteer
from chuyi_cli.rules import check_observed, check_reason, make_entry, measure, place_unit
from chuyi_cli.vocabulary import value_of

_ID = re.compile(r"[0-9a-fA-F-]{8,64}")
_WHOLE = re.compile(r"([+-]?\d{1,30})(?:\.0*)?")
_SHA = re.compile(r"[0-9a-f]{64}")


Measure = tuple[str | None, str | None, int | None]  # (stage, state, quantity)


class _Slow(Exception):
    """A row the fast path leaves to the whole rule (an odd cell, or a bad one)."""


class RowReader:
    """Import rows as entries, under the rules :func:`make_entry` applies to a record.

    What a row says is checked in parts, each remembered by the text that said it: a
    million rows name some thousands of units, days and recorders, and each is checked
    once. A row with anything unusual (spaces around a cell, a formula guard, a bad value)
    goes through :meth:`slow`, the same rules written plainly, which also words the error.
    """

    def __init__(
        self,
        plan: Plan,
        places: Gazetteer,
        today: dt.date,
        guarded: bool,
        force: bool = False,
        base: Path | None = None,
    ) -> None:
        self.plan, self.places, self.today = plan, places, today
        self.guarded = guarded  # CSV cells may carry export's formula guard; JSON's never
        self.force = force  # quantities above a target's bound are taken
        self.base = base  # the sheet's folder: relative evidence paths are read from it
        self.targets: dict[str, Target] = {}
        self.placed: dict[tuple[str, str, str], tuple[Target, str | None, str | None]] = {}
        self.measured: dict[tuple[str, str, str, str], Measure] = {}
        self.days: dict[str, str] = {}
        self.recorders: dict[str, str] = {}

    def forget(self) -> None:
        """Drop what was remembered (the rows are read)."""
        for memory in (self.placed, self.measured, self.days, self.recorders):
            memory.clear()

    def cell(self, value: str) -> str | None:
        """A cell as the rules read it: guard removed, trimmed, None when empty."""
        if self.guarded and value[:1] == "'":
            value = restore(value)
        return value.strip() or None

    def entry(self, cells: Cells) -> Entry | dict[str, str]:
        """The row's entry; a void row comes back as a dict, to finish once the entries
        it may cancel are stored. ChuyiError says what is wrong with a bad row."""
        try:
            return self.fast(cells)
        except _Slow:
            return self.slow(cells)

    def fast(self, cells: Cells) -> Entry | dict[str, str]:
        (entry_id, target_text, unit, region, _, stage, state, quantity, observed,
         recorded, recorder, note, evidence, sha, voids) = cells  # fmt: skip
        if voids or (entry_id and not _ID.fullmatch(entry_id)):
            raise _Slow
        try:
            target, unit_name, code = self.placed[(target_text, unit, region)]
        except KeyError:
            target, unit_name, code = self.place(target_text, unit, region)
        try:
            stage_, state_, amount = self.measured[(target.id, stage, state, quantity)]
        except KeyError:
            stage_, state_, amount = self.measure(target, stage, state, quantity)
        day = self.days.get(observed) or self.day(observed)
        if target.yearly and (unit_name > day[:4] if unit_name else not entry_id):
            raise _Slow  # (a year not yet begun, or none: the plain rule words the error)
        if recorded:
            if not _plain(recorded):
                raise _Slow
            try:
                recorded = utc_instant(recorded)
            except ChuyiError:
                raise _Slow from None
        who = self.recorders.get(recorder) or self.recorder(recorder)
        if note and not (_plain(note) and note.isprintable() and len(note) <= MAX_TEXT):
            raise _Slow
        if evidence or sha:
            raise _Slow  # (checked, and a file hashed, by the whole rule)
        if entry_id:
            entry_id = entry_id.lower()
        else:
            content = (target.id, unit_name, code, stage_, state_, amount, day, who,
                       note or None, evidence or None)  # fmt: skip
            entry_id = content_id(content, recorded or None)
        return Entry(
            entry_id,
            target.id,
            unit_name,
            code,
            stage_,
            state_,
            amount,
            day,
            recorded or day_start(day),
            who,
            note or None,
            evidence or None,
            sha or None,
            None,
        )

    def place(
        self, target_text: str, unit: str, region: str
    ) -> tuple[Target, str | None, str | None]:
        text = self.cell(target_text)
        if not text:
            raise _Slow
        target = self.targets.get(text)
        if target is None:
            target = self.targets[text] = self.plan.find(text)
        try:
            name, place = place_unit(
                target, self.places, self.cell(unit), self.cell(region), self.plan
            )
        except ChuyiError:
            raise _Slow from None
        found = self.placed[(target_text, unit, region)] = (
            target,
            name,
            place.code if place else None,
        )
        return found

    def measure(self, target: Target, stage: str, state: str, quantity: str) -> Measure:
        try:
            found = measure(
                target,
                _word("stage", self.cell(stage)),
                _word("state", self.cell(state)),
                _quantity(self.cell(quantity)),
                self.force,
            )
        except ChuyiError:
            raise _Slow from None
        self.measured[(target.id, stage, state, quantity)] = found
        return found

    def day(self, observed: str) -> str:
        text = self.cell(observed)
        if not text:
            raise _Slow
        try:
            day = parse_date(text)
            check_observed(day, self.plan, self.today)
        except ChuyiError:
            raise _Slow from None
        found = self.days[observed] = day.isoformat()
        return found

    def recorder(self, recorder: str) -> str:
        try:
            who = clean_text(self.cell(recorder), "recorder")
        except ChuyiError:
            raise _Slow from None
        if not who:
            raise _Slow
        self.recorders[recorder] = who
        return who

    def slow(self, cells: Cells) -> Entry | dict[str, str]:
        """The row under the whole rule, cell by cell (and the error, for a bad row)."""
        row = {c: (self.cell(v) or "") for c, v in zip(EXPORT_COLUMNS, cells, strict=True)}

        def cell(name: str) -> str | None:
            return row[name] or None

        entry_id = cell("id")
        if entry_id is not None and not _ID.fullmatch(entry_id):
            raise ChuyiError("bad_id", text=entry_id)
        if cell("voids"):
            return self.void_row(row)
        target_text = cell("target")
        if not target_text:
            raise ChuyiError("no_target")
        target = self.targets.get(target_text)
        if target is None:
            target = self.targets[target_text] = self.plan.find(target_text)
        observed_text = cell("observed")
        quantity = _quantity(cell("quantity"))
        if not observed_text:
            raise ChuyiError("no_date")
        recorded = cell("recorded")
        sha = cell("evidence_sha256")
        if sha and not _SHA.fullmatch(sha):
            raise ChuyiError("bad_sha", text=sha)
        return make_entry(
            self.plan,
            self.places,
            target,
            unit=cell("unit"),
            region=cell("region"),
            stage=_word("stage", cell("stage")),
            state=_word("state", cell("state")),
            quantity=quantity,
            observed=parse_date(observed_text),
            recorder=cell("recorder") or "",
            today=self.today,
            note=cell("note"),
            evidence=cell("evidence"),
            evidence_sha256=sha,
            entry_id=entry_id.lower() if entry_id else None,
            derive_id=True,
            recorded=recorded,
            force=self.force,
            evidence_base=self.base,
        )

    def void_row(self, row: dict[str, str]) -> dict[str, str]:
        """A void row checked as any row is (its id, date, recorder, reason and their
        sizes), to finish against the entry it cancels once the file's entries are in."""
        voids = row["voids"].lower()
        if not _ID.fullmatch(voids):
            raise ChuyiError("bad_id", text=row["voids"])
        for name in ("stage", "state", "quantity", "evidence", "evidence_sha256"):
            if row[name]:
                raise ChuyiError("void_takes_no", field=name)
        entry_id = row["id"].lower()
        if entry_id == voids:
            raise ChuyiError("void_itself", id=entry_id)
        if not row["observed"]:
            raise ChuyiError("no_date")
        observed = parse_date(row["observed"])
        check_observed(observed, self.plan, self.today)
        day = observed.isoformat()
        recorder = clean_text(row["recorder"], "recorder")
        if not recorder:
            raise ChuyiError("no_recorder")
        reason = check_reason(row["note"])
        recorded = utc_instant(row["recorded"]) if row["recorded"] else None
        target = self.plan.find(row["target"]).id if row["target"] else ""
        if not entry_id:
            entry_id = content_id(("void", voids, day, recorder, reason), recorded)
        return {
            "id": entry_id,
            "voids": voids,
            "target": target,
            "observed": day,
            "recorded": recorded or day_start(day),
            "recorder": recorder,
            "note": reason,
        }


def _plain(text: str) -> bool:
    """No formula guard, no spaces around: the cell means what it says."""
    return text[0] != "'" and not text[0].isspace() and not text[-1].isspace()


def _word(kind: str, text: str | None) -> str | None:
    """A stage or state as written in a sheet (``已验收``, ``accepted``), as stored."""
    return value_of(kind, text) if text else None


def _quantity(text: str | None) -> int | None:
    if text is None:
        return None
    # Whole numbers only; a sheet may write 3 as "3.0". (float() would take NaN, inf.)
    match = _WHOLE.fullmatch(text)
    if match is None:
        raise ChuyiError("bad_quantity", text=text)
    quantity = int(match.group(1))
    if quantity <= 0:
        raise ChuyiError("quantity_not_positive", text=text)
    return quantity
