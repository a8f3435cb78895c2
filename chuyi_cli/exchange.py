"""Import and export: entries as CSV (Excel-friendly) or JSON Lines.

Export writes every field of every entry, voids included. Import reads what export
writes, and sheets people type: Chinese headers and values, UTF-8 (with or without BOM)
or GB18030. An import is all or nothing, and idempotent by entry id.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
import operator
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from chuyi_cli.catalog import Plan, Target
from chuyi_cli.entries import (
    FIELDS,
    MAX_TEXT,
    Entry,
    check_observed,
    clean_text,
    content_id,
    make_entry,
    measure,
    parse_date,
    place_unit,
    utc_now,
)
from chuyi_cli.errors import ChuyiError, ProblemsError
from chuyi_cli.regions import Gazetteer
from chuyi_cli.store import DuplicateIdsError, Store

BATCH = 5000
EXPORT_COLUMNS = (*FIELDS[:4], "region_name", *FIELDS[4:])

# Headers a person would type, mapped to the export's names.
HEADER_ALIASES = {
    "编号": "id",
    "记录编号": "id",
    "id": "id",
    "目标": "target",
    "目标编号": "target",
    "指标": "target",
    "条目": "target",
    "单位名称": "unit",
    "单位": "unit",
    "名称": "unit",
    "地区": "region",
    "地区代码": "region",
    "区域": "region",
    "市州": "region",
    "县市区": "region",
    "行政区划代码": "region",
    "地区名称": "region_name",
    "阶段": "stage",
    "状态": "state",
    "数量": "quantity",
    "日期": "observed",
    "走访日期": "observed",
    "观察日期": "observed",
    "检查日期": "observed",
    "记录时间": "recorded",
    "录入时间": "recorded",
    "记录人": "recorder",
    "填报人": "recorder",
    "备注": "note",
    "说明": "note",
    "佐证": "evidence",
    "佐证材料": "evidence",
    "证据": "evidence",
    "佐证哈希": "evidence_sha256",
    "佐证SHA256": "evidence_sha256",
    "作废": "voids",
    "作废编号": "voids",
    "作废记录": "voids",
}
STAGE_WORDS = {
    "遴选": "selected",
    "已遴选": "selected",
    "立项": "selected",
    "入选": "selected",
    "建设中": "building",
    "在建": "building",
    "建设": "building",
    "验收": "accepted",
    "验收通过": "accepted",
    "已验收": "accepted",
    "通过验收": "accepted",
    "撤销": "revoked",
    "已撤销": "revoked",
}
STATE_WORDS = {
    "未开始": "not_started",
    "进行中": "in_progress",
    "推进中": "in_progress",
    "已完成": "done",
    "完成": "done",
}

_FORMULA = re.compile(r"^'*[=+\-@\t\r]")
_ESCAPED = re.compile(r"^'+[=+\-@\t\r]")


def neutralise(cell: str) -> str:
    """Make a cell inert in a spreadsheet: one more leading ' where it could run as a formula.

    Reversible: :func:`restore` undoes it exactly, so the round trip keeps every value.
    """
    return "'" + cell if _FORMULA.match(cell) else cell


def restore(cell: str) -> str:
    return cell[1:] if _ESCAPED.match(cell) else cell


# --------------------------------------------------------------------------- export


def export_rows(entries: Iterator[Entry], places: Gazetteer) -> Iterator[dict[str, Any]]:
    for e in entries:
        row = e.as_dict()
        region = places.by_code.get(e.region) if e.region else None
        row["region_name"] = region.name if region else None
        yield row


def write_export(
    entries: Iterator[Entry], places: Gazetteer, fmt: str, out: Path | None, stdout: IO[str]
) -> int:
    """Write every entry as CSV or JSON Lines to ``out`` (atomically) or stdout."""
    if out is None:
        return _write(entries, places, fmt, stdout, bom=False)
    folder = out.parent if str(out.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=out.name + ".", suffix=".partial", dir=folder)
    except OSError as exc:
        raise ChuyiError(f"{out}: cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            count = _write(entries, places, fmt, handle, bom=fmt == "csv")
        os.replace(tmp, out)
    except OSError as exc:
        raise ChuyiError(f"{out}: cannot write: {exc.strerror}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return count


def _write(
    entries: Iterator[Entry], places: Gazetteer, fmt: str, handle: IO[str], bom: bool
) -> int:
    count = 0
    if fmt == "jsonl":
        for row in export_rows(entries, places):
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
        return count
    if bom:
        handle.write("\ufeff")
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for row in export_rows(entries, places):
        writer.writerow([neutralise("" if row[c] is None else str(row[c])) for c in EXPORT_COLUMNS])
        count += 1
    return count


# --------------------------------------------------------------------------- import


@dataclass
class ImportResult:
    added: int = 0
    skipped: int = 0
    rows: int = 0
    encoding: str = "utf-8"
    problems: list[str] = field(default_factory=list)


def detect_encoding(path: Path) -> str:
    """utf-8-sig (BOM), utf-8, or gb18030 (what Excel on a Chinese Windows writes)."""
    with path.open("rb") as handle:
        head = handle.read(3)
        if head == codecs.BOM_UTF8:
            return "utf-8-sig"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while block := handle.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            return "gb18030"


_WIDTH = len(EXPORT_COLUMNS)
Cells = tuple[str, ...]  # one row's cells in EXPORT_COLUMNS order ("" where absent)


def is_json_lines(path: Path, encoding: str) -> bool:
    """Whether ``path`` holds JSON Lines (by its name, or a first line opening an object)."""
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        return True
    with path.open("r", encoding=encoding, errors="replace", newline="") as handle:
        return handle.readline().lstrip().startswith("{")


def _records(path: Path, encoding: str, json_lines: bool) -> Iterator[tuple[int, Cells | str]]:
    """(line, cells) for each data row; a str instead of cells holds why it is unreadable."""
    with path.open("r", encoding=encoding, newline="") as handle:
        if json_lines:
            yield from _json_records(handle)
            return
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            return
        columns = []
        for name in header:
            key = name.strip().lstrip("\ufeff")
            columns.append(HEADER_ALIASES.get(key, HEADER_ALIASES.get(key.lower(), key.lower())))
        unknown = [h for h, c in zip(header, columns, strict=True) if c not in EXPORT_COLUMNS]
        if unknown:
            yield 1, f"unknown column(s) {', '.join(map(repr, unknown))}; see README 'Import'"
            return
        if "target" not in columns:
            yield 1, "no 'target' (目标) column"
            return
        # Each export column's cell in a row padded to the header's width; a column the
        # header lacks reads the "" appended after them.
        where = {c: i for i, c in enumerate(columns)}
        width = len(columns)
        pick = operator.itemgetter(*(where.get(c, width) for c in EXPORT_COLUMNS))
        padding = [""] * (width + 1)
        for row in reader:
            if not any(row) or (not row[0].strip() and not "".join(row).strip()):
                continue
            if len(row) > width:
                yield reader.line_num, f"{len(row)} cells but {width} columns"
                continue
            row += padding[len(row) :]
            yield reader.line_num, pick(row)


def _json_records(handle: IO[str]) -> Iterator[tuple[int, Cells | str]]:
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, f"not a JSON object ({exc.msg})"
            continue
        if not isinstance(value, dict):
            yield number, "not a JSON object"
            continue
        row = {str(k).lstrip("\ufeff"): ("" if v is None else str(v)) for k, v in value.items()}
        yield number, tuple(row.get(c, "") for c in EXPORT_COLUMNS)


_ID = re.compile(r"[0-9a-fA-F-]{8,64}")
_WHOLE = re.compile(r"([+-]?\d{1,30})(?:\.0*)?")
_SHA = re.compile(r"[0-9a-f]{64}")


class _Slow(Exception):
    """A row the fast path leaves to the whole rule (an odd cell, or a bad one)."""


class RowReader:
    """Import rows as entries, under the rules :func:`make_entry` applies to a record.

    What a row says is checked in parts, each remembered by the text that said it: a
    million rows name some thousands of units, days and recorders, and each is checked
    once. A row with anything unusual (spaces around a cell, a formula guard, a bad value)
    goes through :meth:`slow`, the same rules written plainly, which also words the error.
    """

    def __init__(self, plan: Plan, places: Gazetteer, today: dt.date, guarded: bool) -> None:
        self.plan, self.places, self.today = plan, places, today
        self.guarded = guarded  # CSV cells may carry export's formula guard; JSON's never
        self.targets: dict[str, Target] = {}
        self.placed: dict[tuple[str, str, str], tuple[Target, str | None, str | None]] = {}
        self.measured: dict[tuple[str, str, str, str], tuple] = {}
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
        if recorded:
            if not _plain(recorded):
                raise _Slow
            try:
                _check_recorded(recorded)
            except ChuyiError:
                raise _Slow from None
        who = self.recorders.get(recorder) or self.recorder(recorder)
        if note and not (_plain(note) and note.isprintable() and len(note) <= MAX_TEXT):
            raise _Slow
        if (evidence and not _plain(evidence)) or (sha and not _SHA.fullmatch(sha)):
            raise _Slow
        if entry_id:
            entry_id = entry_id.lower()
        else:
            content = (target.id, unit_name, code, stage_, state_, amount, day, who,
                       note or None, evidence or None)  # fmt: skip
            entry_id = content_id(content)
        return Entry(
            entry_id,
            target.id,
            unit_name,
            code,
            stage_,
            state_,
            amount,
            day,
            recorded or utc_now(),
            who,
            note or None,
            evidence or None,
            sha or None,
            None,
        )

    def place(self, target_text: str, unit: str, region: str) -> tuple:
        text = self.cell(target_text)
        if not text:
            raise _Slow
        target = self.targets.get(text)
        if target is None:
            target = self.targets[text] = self.plan.find(text)
        try:
            name, place = place_unit(target, self.places, self.cell(unit), self.cell(region))
        except ChuyiError:
            raise _Slow from None
        found = self.placed[(target_text, unit, region)] = (
            target,
            name,
            place.code if place else None,
        )
        return found

    def measure(self, target: Target, stage: str, state: str, quantity: str) -> tuple:
        try:
            found = measure(
                target,
                _word(STAGE_WORDS, self.cell(stage)),
                _word(STATE_WORDS, self.cell(state)),
                _quantity(self.cell(quantity)),
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
            raise ChuyiError(f"bad id {entry_id!r}")
        if cell("voids"):
            return row
        target_text = cell("target")
        if not target_text:
            raise ChuyiError("no target")
        target = self.targets.get(target_text)
        if target is None:
            target = self.targets[target_text] = self.plan.find(target_text)
        observed_text = cell("observed")
        quantity = _quantity(cell("quantity"))
        if not observed_text:
            raise ChuyiError("no date (observed / 日期)")
        recorded = cell("recorded")
        if recorded:
            recorded = _check_recorded(recorded)
        sha = cell("evidence_sha256")
        if sha and not _SHA.fullmatch(sha):
            raise ChuyiError(f"bad evidence_sha256 {sha!r}")
        return make_entry(
            self.plan,
            self.places,
            target,
            unit=cell("unit"),
            region=cell("region"),
            stage=_word(STAGE_WORDS, cell("stage")),
            state=_word(STATE_WORDS, cell("state")),
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
        )


def _plain(text: str) -> bool:
    """No formula guard, no spaces around: the cell means what it says."""
    return text[0] != "'" and not text[0].isspace() and not text[-1].isspace()


def _word(words: dict[str, str], text: str | None) -> str | None:
    return words.get(text, text) if text else None


def _quantity(text: str | None) -> int | None:
    if text is None:
        return None
    # Whole numbers only; a sheet may write 3 as "3.0". (float() would take NaN, inf.)
    match = _WHOLE.fullmatch(text)
    if match is None:
        raise ChuyiError(f"bad quantity {text!r}: expected a whole number")
    quantity = int(match.group(1))
    if quantity <= 0:
        raise ChuyiError(f"quantity must be positive, not {text}")
    return quantity


def _check_recorded(text: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ChuyiError(f"bad recorded time {text!r}: expected ISO 8601") from None
    if moment.tzinfo is None:
        raise ChuyiError(f"recorded time {text!r} has no time zone")
    return text


def _void_entry(row: dict[str, str], store: Store, today: dt.date) -> Entry:
    """A void row as an entry, its target and unit taken from the entry it cancels."""
    voids = row["voids"].lower()
    found = store.entries_by_id([voids])
    if voids not in found:
        raise ChuyiError(f"voids {voids!r}, which is neither stored nor in this file")
    cancelled = found[voids]
    if cancelled.voids:
        raise ChuyiError(f"voids {voids[:8]}, which is itself a void")
    given = row["target"]
    if given and given != cancelled.target:
        raise ChuyiError(f"voids an entry of {cancelled.target}, but names target {given!r}")
    observed = parse_date(row["observed"] or today.isoformat())
    recorder = row["recorder"]
    if not recorder:
        raise ChuyiError("no recorder (记录人)")
    recorded = row["recorded"]
    entry_id = row["id"].lower()
    if not entry_id:
        raise ChuyiError("a void row needs its id")
    return Entry(
        id=entry_id,
        target=cancelled.target,
        unit=cancelled.unit,
        region=cancelled.region,
        stage=None,
        state=None,
        quantity=None,
        observed=observed.isoformat(),
        recorded=_check_recorded(recorded) if recorded else utc_now(),
        recorder=recorder,
        note=row["note"] or None,
        voids=voids,
    )


# A file this many bytes a row, or more, is read as a bulk import (an estimate: export's
# rows run 120-200 bytes).
_BYTES_PER_ROW = 100


def import_file(
    store: Store,
    path: Path,
    plan: Plan,
    places: Gazetteer,
    today: dt.date,
    encoding: str | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import every row of ``path`` or none: ProblemsError lists each bad row."""
    if path.is_dir():
        raise ChuyiError(f"{path}: is a directory")
    if not path.exists():
        raise ChuyiError(f"{path}: no such file")
    try:
        encoding = encoding or detect_encoding(path)
        codecs.lookup(encoding)
        size = path.stat().st_size
    except LookupError:
        raise ChuyiError(f"unknown encoding {encoding!r}") from None
    except OSError as exc:
        raise ChuyiError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return _import(store, path, plan, places, today, encoding, dry_run, size // _BYTES_PER_ROW)
    except DuplicateIdsError:
        # One id twice in the file, found only when the bulk import built its index:
        # nothing was written; row by row, the second is skipped as a repeat.
        return _import(store, path, plan, places, today, encoding, dry_run, 0)


def _import(
    store: Store,
    path: Path,
    plan: Plan,
    places: Gazetteer,
    today: dt.date,
    encoding: str,
    dry_run: bool,
    expected: int,
) -> ImportResult:
    result = ImportResult(encoding=encoding)
    voids: list[tuple[int, dict[str, str]]] = []
    json_lines = is_json_lines(path, encoding)
    reader = RowReader(plan, places, today, guarded=not json_lines)

    def batches() -> Iterator[list[Entry]]:
        batch: list[Entry] = []
        seen: set[str] = set()
        problems = result.problems
        try:
            for line, row in _records(path, encoding, json_lines):
                if isinstance(row, str):
                    problems.append(f"{path}:{line}: {row}")
                    continue
                result.rows += 1
                try:
                    made = reader.entry(row)
                except ChuyiError as exc:
                    problems.append(f"{path}:{line}: {exc}")
                    continue
                if isinstance(made, dict):
                    voids.append((line, made))
                    continue
                if problems or made.id in seen:
                    result.skipped += made.id in seen
                    continue
                seen.add(made.id)
                batch.append(made)
                if len(batch) >= BATCH:
                    yield batch
                    batch, seen = [], set()
        except UnicodeDecodeError as exc:
            problems.append(f"{path}: not {encoding} text (byte {exc.start})")
        except csv.Error as exc:
            problems.append(f"{path}: unreadable CSV ({exc})")
        reader.forget()
        if batch and not problems:
            yield batch

    def void_batches() -> Iterator[list[Entry]]:
        # Last: by now every entry of the file they may cancel is in the database.
        batch = []
        for line, row in voids:
            try:
                batch.append(_void_entry(row, store, today))
            except ChuyiError as exc:
                result.problems.append(f"{path}:{line}: {exc}")
        if batch and not result.problems:
            yield batch

    try:
        added, skipped = store.import_batches(
            batches(), lambda: result.problems, dry_run, void_batches, expected
        )
    except OSError as exc:
        raise ChuyiError(f"{path}: cannot read: {exc.strerror}") from None
    except ProblemsError:
        raise ProblemsError(
            result.problems,
            heading=f"chuyi: error: {len(result.problems)} bad row(s) in {path}; "
            "nothing was imported:",
        ) from None
    result.added, result.skipped = added, result.skipped + skipped
    return result
