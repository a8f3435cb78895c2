"""Import and export: entries as CSV (Excel-friendly) or JSON Lines.

Export writes every field of every entry, voids included. Import reads what export
writes, and sheets people type: Chinese headers and values, UTF-8 (with or without BOM)
or GB18030. An import is all or nothing, and idempotent by entry id.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import json
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from chuyi_cli.catalog import Plan, Target
from chuyi_cli.entries import (
    FIELDS,
    MAX_TEXT,
    Entry,
    check_observed,
    check_reason,
    check_void,
    clean_text,
    content_id,
    day_start,
    make_entry,
    measure,
    normalise_unit,
    observation_key,
    occurrence_id,
    parse_date,
    place_unit,
    utc_instant,
)
from chuyi_cli.errors import ChuyiError, ProblemsError
from chuyi_cli.i18n import Message
from chuyi_cli.regions import Gazetteer
from chuyi_cli.sheets import (
    HEADER_ALIASES,
    HEADER_SEARCH,
    ZH_HEADERS,
    SheetInfo,
    Workbook,
    file_kind,
    find_table,
    for_people,
    write_workbook,
)
from chuyi_cli.store import DuplicateIdsError, Store
from chuyi_cli.vocabulary import value_of

BATCH = 5000
EXPORT_COLUMNS = (*FIELDS[:4], "region_name", *FIELDS[4:])

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
    entries: Iterator[Entry],
    places: Gazetteer,
    fmt: str,
    out: Path | None,
    stdout: IO[str],
    headers: str = "fields",
    database: Path | None = None,
) -> int:
    """Write every entry as CSV, JSON Lines or an xlsx workbook to ``out`` (whole, or not
    at all), or (not a workbook) to stdout. ``headers="zh"``: CSV with Chinese headers and
    stage words, for people; the default CSV names the fields, for machines. ``database``:
    refused as ``out``, with the files SQLite keeps beside it.

    A file is UTF-8 (CSV with a BOM, for Excel). To stdout, nothing is lost whatever its
    encoding: JSON Lines escapes with ``\\u`` where stdout is not UTF-8, and CSV goes out as
    UTF-8 bytes (with a BOM where stdout is not UTF-8: Excel then reads it as it reads a
    file of ours), its CRLF line endings untranslated (a Windows console turns ``\\n`` into
    CRLF)."""
    if fmt == "xlsx" and out is None:
        raise ChuyiError("export_xlsx_needs_file")
    if out is None:
        return _write_stdout(entries, places, fmt, stdout, headers)
    from chuyi_cli.files import written_whole

    with written_whole(out, database) as tmp:
        if fmt == "xlsx":
            count = write_workbook(
                (for_people(row) for row in export_rows(entries, places)), tmp, neutralise
            )
        else:
            with open(tmp, "w", encoding="utf-8", newline="") as handle:
                count = _write(entries, places, fmt, handle, bom=fmt == "csv", headers=headers)
    return count


def _write_stdout(
    entries: Iterator[Entry], places: Gazetteer, fmt: str, stdout: IO[str], headers: str
) -> int:
    from chuyi_cli.streams import is_utf8

    utf8 = is_utf8(getattr(stdout, "encoding", None) or "utf-8")
    binary = getattr(stdout, "buffer", None)
    if fmt == "jsonl" or binary is None:
        return _write(entries, places, fmt, stdout, bom=False, ascii_only=not utf8, headers=headers)
    import io

    stdout.flush()
    handle = io.TextIOWrapper(binary, encoding="utf-8", newline="")
    try:
        return _write(entries, places, fmt, handle, bom=not utf8, headers=headers)
    finally:
        handle.flush()
        handle.detach()  # stdout's own bytes stay open


def _write(
    entries: Iterator[Entry],
    places: Gazetteer,
    fmt: str,
    handle: IO[str],
    bom: bool,
    ascii_only: bool = False,
    headers: str = "fields",
) -> int:
    count = 0
    if fmt == "jsonl":
        for row in export_rows(entries, places):
            handle.write(json.dumps(row, ensure_ascii=ascii_only) + "\n")
            count += 1
        return count
    if bom:
        handle.write("\ufeff")
    writer = csv.writer(handle, lineterminator="\r\n")
    people = headers == "zh"
    writer.writerow([ZH_HEADERS[c] for c in EXPORT_COLUMNS] if people else EXPORT_COLUMNS)
    for row in export_rows(entries, places):
        if people:
            row = for_people(row)
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
    problems: list[str | Message] = field(default_factory=list)
    # Units of the rows that may be one unit with another of their target (target, names).
    similar: list[tuple[str, list[str]]] = field(default_factory=list)
    sheet: SheetInfo | None = None  # what reading a sheet skipped and ignored
    # Per target id (or the text a refused row gave): [add, skip, refuse]; dry runs only.
    per_target: dict[str, list[int]] = field(default_factory=dict)
    first: list[Entry] = field(default_factory=list)  # the first entries read (dry runs)
    # Rows that repeat an observation (stored, or earlier in the file): (line, entry id)
    duplicates: list[tuple[int, str]] = field(default_factory=list)


# Encodings of the GB family: Excel writes '?' for a character they cannot hold.
_GB_FAMILY = {"gb18030", "gbk", "gb2312", "cp936", "hz", "big5", "cp950", "big5hkscs"}
_CJK_CHAR = r"\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_LOST_CHARACTER = re.compile(rf"[{_CJK_CHAR}]\?|\?[{_CJK_CHAR}]")
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
        heading=_refused(where, len(other)),
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


def _refused(shown: str, count: int) -> Message:
    return Message("import_refused", count=count, path=shown)


def _undecodable_lines(path: Path, encoding: str) -> list[int]:
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


_WIDTH = len(EXPORT_COLUMNS)
Cells = tuple[str, ...]  # one row's cells in EXPORT_COLUMNS order ("" where absent)
Reason = Message  # why a row cannot be read


def is_json_lines(path: Path, encoding: str) -> bool:
    """Whether ``path`` holds JSON Lines (by its name, or a first line opening an object)."""
    if path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        return True
    with path.open("r", encoding=encoding, errors="replace", newline="") as handle:
        return handle.readline().lstrip().lstrip("\ufeff").startswith("{")


def column_of(name: str) -> str:
    """The export column a header (or a JSON key) means: itself, or what its alias says."""
    key = name.strip().lstrip("\ufeff").strip()
    return HEADER_ALIASES.get(key, HEADER_ALIASES.get(key.lower(), key.lower()))


def _same_field(names: list[str], columns: list[str], what: str) -> Message | None:
    """The first field that two or more of ``names`` mean (``what``: columns or keys)."""
    by_field: dict[str, list[str]] = {}
    for name, column in zip(names, columns, strict=True):
        by_field.setdefault(column, []).append(name)
    for column, named in by_field.items():
        if len(named) > 1:
            listed = ", ".join(repr(n) for n in named)
            if what == "columns":
                return Message("import_same_field", columns=listed, field=column)
            return Message("import_same_key", keys=listed, field=column)
    return None


@dataclass
class Source:
    """How an import reads its file: a workbook or text, which sheet, how strictly."""

    kind: str = "text"  # text (CSV or JSON Lines) | xlsx
    sheet: str | None = None
    strict: bool = False
    years: tuple[int, int] = (1900, 9999)  # serial numbers in a date column: these years
    shown: str | None = None  # the file's name as the user gave it
    info: SheetInfo | None = None  # what reading the sheet skipped (set while reading)
    position: Callable[[], float] | None = None  # share of the file read so far
    force: bool = False  # activity quantities above their target's bound are taken


def _records(
    path: Path, encoding: str, json_lines: bool, source: Source | None = None
) -> Iterator[tuple[int, Cells | Reason]]:
    """(line, cells) for each data row; a Message instead of cells says why it is unreadable."""
    source = source or Source()
    if source.kind == "xlsx":
        yield from _workbook_records(path, source)
        return
    with path.open("r", encoding=encoding, newline="") as handle:
        if json_lines:
            yield from _json_records(handle)
            return
        size = max(path.stat().st_size, 1)
        source.position = lambda: handle.buffer.tell() / size
        lost = codecs.lookup(encoding).name in _GB_FAMILY
        yield from _csv_records(handle, encoding if lost else None, source)


def _csv_records(
    handle: IO[str], gb: str | None, source: Source
) -> Iterator[tuple[int, Cells | Reason]]:
    """CSV rows, refused when not well formed: a quote left open, a row with fewer cells
    than the header or more (but empty ones at the right, as Excel leaves), two columns
    that mean one field. The header is the first row within the first 20 that names a
    target column (see :mod:`chuyi_cli.sheets`). (``gb``: the file's GB-family encoding,
    whose '?' are checked.)"""
    first = handle.readline()
    handle.seek(0)
    delimiter = "\t" if "\t" in first and "," not in first else ","  # Excel's Unicode text
    reader = csv.reader(handle, strict=True, delimiter=delimiter)
    width = [0]  # the header's, once found

    def rows() -> Iterator[tuple[int, list[str] | Reason]]:
        start = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield start, Message("import_unclosed_quote", reason=str(exc))
                return
            line, start = start, reader.line_num + 1
            if width[0]:
                if start - line > 1 and _rows_in_cell(row, delimiter, width[0]):
                    yield line, Message("import_rows_in_cell", line=line, last=start - 1)
                    continue
                if gb is not None:
                    lost = next((c for c in row if "?" in c and _LOST_CHARACTER.search(c)), None)
                    if lost is not None:
                        yield line, Message("import_lost_character", cell=lost, encoding=gb)
                        continue
            yield line, row

    lines = rows()
    table, problems = find_table(lines, source.strict, source.years)
    yield from problems
    if table is None:
        if not problems:
            yield 1, Message("sheet_no_header_csv", rows=HEADER_SEARCH)
        return
    source.info = table.info
    if problems:
        return
    width[0] = table.layout.width
    yield from table.records(lines, text=True)  # type: ignore[arg-type]


def _workbook_records(path: Path, source: Source) -> Iterator[tuple[int, Cells | Reason]]:
    book = Workbook(path, source.shown)
    try:
        table, problems, rows = book.table(source.sheet, source.strict, source.years)
        source.info = table.info
        total = book.size(table.info.sheet or "") or 0
        done = [table.info.header_line]
        source.position = (lambda: min(done[0] / total, 1.0)) if total else None
        yield from problems
        if problems:
            return
        for line, cells in table.records(rows):
            done[0] = line
            yield line, cells
    finally:
        book.close()


def _rows_in_cell(row: list[str], delimiter: str, width: int) -> bool:
    """Whether a cell that spans lines holds a line that looks like a row of the sheet
    (what a quote left open swallows)."""
    return width > 2 and any(
        part.count(delimiter) >= width - 1
        for cell in row
        if "\n" in cell
        for part in cell.splitlines()
    )


class _Pairs(list):  # type: ignore[type-arg]
    """A JSON object as its (key, value) pairs, in order, repeats kept."""


def _json_records(handle: IO[str]) -> Iterator[tuple[int, Cells | Reason]]:
    """JSON Lines under CSV's rules: one object a line, known keys once each, values that
    are single values (text, numbers, null)."""
    import json

    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line, object_pairs_hook=_Pairs)
        except RecursionError:
            yield number, Message("import_json_too_deep")
            continue
        except json.JSONDecodeError as exc:
            yield number, Message("import_not_json_object", reason=exc.msg)
            continue
        except ValueError:  # an integer past Python's digit limit
            yield number, Message("import_json_number")
            continue
        if not isinstance(value, _Pairs):
            yield number, Message("import_not_json_object", reason=type(value).__name__)
            continue
        keys = [str(k) for k, _ in value]
        columns = [column_of(k) for k in keys]
        unknown = [k for k, c in zip(keys, columns, strict=True) if c not in EXPORT_COLUMNS]
        if unknown:
            yield number, Message("import_unknown_keys", keys=", ".join(map(repr, unknown)))
            continue
        same = _same_field(keys, columns, "keys")
        if same is not None:
            yield number, same
            continue
        row: dict[str, str] = {}
        for (key, cell), column in zip(value, columns, strict=True):
            if isinstance(cell, list):
                kind = "import_kind_object" if isinstance(cell, _Pairs) else "import_kind_list"
                row = {}
                yield number, Message("import_not_scalar", key=key, kind=Message(kind))
                break
            row[column] = "" if cell is None else str(cell)
        else:
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

    def place(self, target_text: str, unit: str, region: str) -> tuple:
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

    def measure(self, target: Target, stage: str, state: str, quantity: str) -> tuple:
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


def _void_entry(row: dict[str, str], store: Store, cancelled_here: dict[str, int]) -> Entry:
    """A void row as an entry, its target and unit taken from the entry it cancels, under
    the rule :func:`check_void` applies to ``chuyi void`` (``cancelled_here``: the entries
    voided by earlier rows of the file, and their lines)."""
    voids = row["voids"]
    cancelled = store.entries_by_id([voids]).get(voids)
    check_void(row["id"], cancelled, voids, store.voided_by(voids))
    assert cancelled is not None
    if voids in cancelled_here:
        raise ChuyiError("void_twice_here", id=cancelled.short_id, line=cancelled_here[voids])
    given = row["target"]
    if given and given != cancelled.target:
        raise ChuyiError("void_other_target", target=cancelled.target, given=given)
    return Entry(
        id=row["id"],
        target=cancelled.target,
        unit=cancelled.unit,
        region=cancelled.region,
        stage=None,
        state=None,
        quantity=None,
        observed=row["observed"],
        recorded=row["recorded"],
        recorder=row["recorder"],
        note=row["note"],
        voids=voids,
    )


# What two versions of one id are compared on (recorded, only when the row states it).
_COMPARED = tuple(name for name in FIELDS if name not in ("id", "recorded"))


def _difference(stored: Entry, new: Entry) -> str:
    """How ``new`` differs from the ``stored`` entry of the same id, field by field with
    both values ("" when they say the same). The stored unit is compared as the rules
    name it now, and recorded times as instants."""
    differ = []
    for name in _COMPARED:
        was, now = getattr(stored, name), getattr(new, name)
        if name == "unit" and was:
            was = normalise_unit(was)
        if was != now:
            differ.append((name, getattr(stored, name), now))
    if new.recorded != day_start(new.observed):  # the row states when it was recorded
        try:
            same = utc_instant(stored.recorded) == new.recorded
        except ChuyiError:
            same = False
        if not same:
            differ.append(("recorded", stored.recorded, new.recorded))
    return "; ".join(
        Message(
            "import_conflict_field",
            field=name,
            stored="—" if was is None else repr(was),
            given="—" if now is None else repr(now),
        ).text()
        for name, was, now in differ
    )


# A file this many bytes a row, or more, is read as a bulk import (an estimate: export's
# rows run 120-200 bytes).
_BYTES_PER_ROW = 100


PREVIEW_ROWS = 5


def import_file(
    store: Store,
    path: Path,
    plan: Plan,
    places: Gazetteer,
    today: dt.date,
    encoding: str | None = None,
    dry_run: bool = False,
    stdin: IO[bytes] | None = None,
    *,
    sheet: str | None = None,
    strict: bool = False,
    progress: Callable[[int, float | None], None] | None = None,
    force: bool = False,
) -> ImportResult:
    """Import every row of ``path`` or none: ProblemsError lists each bad row.

    ``path`` is CSV, JSON Lines or an xlsx/xlsm workbook (``sheet``: which sheet, else the
    first with a target column). ``strict`` refuses columns that hold no field.
    ``progress(rows, share)`` is called now and then with the rows read and the share of
    the file read (None when unknown).

    A row typed without an id that repeats an observation (stored, or earlier in the
    file: the rule of :meth:`Store.repeat_of`) is skipped and listed in ``duplicates``;
    rows with ids are entries already on record somewhere, kept or skipped by id alone.
    ``force``: activity quantities above their target's bound are taken.

    ``-`` and ``/dev/stdin`` read ``stdin`` (copied to a temporary file first: the file is
    read more than once); anything else must be a regular file (a FIFO would block, a
    device like /dev/zero never end)."""
    options = Source(
        sheet=sheet, strict=strict, years=(plan.start.year, plan.deadline.year), force=force
    )
    if path.as_posix() in ("-", "/dev/stdin"):  # (on Windows str(path) is \dev\stdin)
        if stdin is None:
            raise ChuyiError("import_stdin_device", what="none")
        with _spooled(stdin) as copy:
            return _import_regular(store, copy, str(path), plan, places, today, encoding, dry_run,
                                   options)  # fmt: skip
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ChuyiError("no_such_file", path=path) from None
    except OSError as exc:
        raise ChuyiError("import_cannot_read", path=path, reason=exc.strerror) from None
    if stat.S_ISDIR(mode):
        raise ChuyiError("is_folder", path=path)
    if not stat.S_ISREG(mode):
        raise ChuyiError("import_not_regular", path=path, what=_file_kind(mode))
    return _import_regular(
        store, path, str(path), plan, places, today, encoding, dry_run, options, progress
    )


def _file_kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "FIFO"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISSOCK, "socket"),
    ):
        if test(mode):
            return name
    return "special file"


@contextlib.contextmanager
def _spooled(stdin: IO[bytes]) -> Iterator[Path]:
    """Standard input copied to a temporary file, removed afterwards."""
    try:
        mode = os.fstat(stdin.fileno()).st_mode
    except (OSError, ValueError, io.UnsupportedOperation):
        mode = 0  # not a real file (a test's stream): read it as it is
    if (stat.S_ISCHR(mode) and not stdin.isatty()) or stat.S_ISBLK(mode):
        raise ChuyiError("import_stdin_device", what=_file_kind(mode))
    from chuyi_cli.interrupts import held

    name = None
    try:
        with held():  # (a file created is a file remembered, to be removed)
            fd, name = tempfile.mkstemp(prefix="chuyi-import-", suffix=".tmp")
        with os.fdopen(fd, "wb") as copy:
            while block := stdin.read(1 << 20):
                copy.write(block)
        yield Path(name)
    finally:
        if name is not None:
            with contextlib.suppress(OSError):
                os.unlink(name)


def _import_regular(
    store: Store,
    path: Path,
    shown: str,
    plan: Plan,
    places: Gazetteer,
    today: dt.date,
    encoding: str | None,
    dry_run: bool,
    source: Source,
    progress: Callable[[int, float | None], None] | None = None,
) -> ImportResult:
    source.kind = file_kind(path, shown)
    source.shown = shown
    try:
        if source.kind == "xlsx":
            encoding = "xlsx"
        elif encoding is not None:
            encoding = checked_encoding(encoding)
        else:
            encoding = detect_encoding(path, shown)
        size = path.stat().st_size
    except OSError as exc:
        raise ChuyiError("import_cannot_read", path=shown, reason=exc.strerror) from None
    # (A workbook is zipped: some four times the rows a text file of its size holds.)
    expected = size * (4 if source.kind == "xlsx" else 1) // _BYTES_PER_ROW
    run = (store, path, shown, plan, places, today, encoding, dry_run, source, progress)
    try:
        return _import(*run, expected)
    except DuplicateIdsError:
        # One id twice in the file, found only when the bulk import built its index:
        # nothing was written; row by row, the second is skipped as a repeat.
        return _import(*run, 0)


def _import(
    store: Store,
    path: Path,
    shown: str,
    plan: Plan,
    places: Gazetteer,
    today: dt.date,
    encoding: str,
    dry_run: bool,
    source: Source,
    progress: Callable[[int, float | None], None] | None,
    expected: int,
) -> ImportResult:
    result = ImportResult(encoding=encoding)
    voids: list[tuple[int, dict[str, str]]] = []
    json_lines = source.kind == "text" and is_json_lines(path, encoding)
    # (Evidence named by a relative path lies beside the sheet; beside the user, for stdin.)
    base = None if shown in ("-", "/dev/stdin") else Path(shown).parent
    reader = RowReader(plan, places, today, guarded=not json_lines, force=source.force, base=base)
    per_target = result.per_target

    def tell(target: str, column: int) -> None:
        if dry_run:
            per_target.setdefault(target, [0, 0, 0])[column] += 1

    def refused(cells: Cells | Reason) -> None:
        if not dry_run:
            return
        text = cells[1].strip() if isinstance(cells, tuple) else ""
        try:
            tell((reader.targets.get(text) or plan.find(text)).id, 2)
        except ChuyiError:
            tell(text or "?", 2)

    def counted(batch: list[Entry]) -> list[Entry]:
        """The batch, its rows counted per target as added or (stored already) skipped."""
        if dry_run:
            known = store.entries_by_id([e.id for e in batch])
            for e in batch:
                tell(e.target, 1 if e.id in known else 0)
        return batch

    problems = result.problems
    lines: dict[str, int] = {}  # the line of each row of the batch being stored
    units: set[tuple[str, str]] = set()  # the units the rows name

    def at(line: int, message: Message) -> Message:
        return Message("at_line", path=shown, line=line, message=message)

    def conflict(stored: Entry, new: Entry, line: int, here: bool) -> None:
        """A row whose id is stored already (``here``: by an earlier row of this file):
        skipped when it says the same, else a conflict listed with both versions."""
        difference = _difference(stored, new)
        if difference:
            key = "import_conflict_here" if here else "import_conflict"
            problems.append(at(line, Message(key, id=new.short_id, fields=difference)))

    def batches() -> Iterator[list[Entry]]:
        batch: list[Entry] = []
        seen: dict[str, Entry] = {}
        repeats: dict[str, int] = {}  # rows typed without an id: how often each was seen
        add_unit = units.add
        observed: dict[tuple, str] = {}  # this batch's observations (rows without ids)
        try:
            for line, row in _records(path, encoding, json_lines, source):
                if progress is not None and not result.rows % 1000:
                    progress(result.rows, source.position() if source.position else None)
                if isinstance(row, Message):
                    problems.append(at(line, row))
                    refused(row)
                    continue
                result.rows += 1
                try:
                    made = reader.entry(row)
                except ChuyiError as exc:
                    problems.append(at(line, exc.message))
                    refused(row)
                    continue
                if isinstance(made, dict):
                    voids.append((line, made))
                    continue
                if not row[0].strip():
                    # Identical rows typed without an id are so many entries (two lectures
                    # on one day): the n-th repeat's id says n.
                    occurrence = repeats.get(made.id, 0)
                    repeats[made.id] = occurrence + 1
                    if occurrence:
                        made = made._replace(id=occurrence_id(made.id, occurrence))
                if dry_run and len(result.first) < PREVIEW_ROWS:
                    result.first.append(made)
                if made.id in seen:
                    conflict(seen[made.id], made, line, True)
                    result.skipped += 1
                    tell(made.target, 1)
                    continue
                if problems and not dry_run:
                    continue
                if not row[0].strip() and (key := observation_key(made)) is not None:
                    # A typed row that repeats an observation, stored or earlier in this
                    # file, is a double entry: listed, not stored. (Earlier batches are
                    # stored by now: the store finds them too.)
                    earlier = observed.get(key) or store.repeat_of(made)
                    if earlier:
                        result.duplicates.append((line, earlier))
                        continue
                    observed[key] = made.id
                seen[made.id] = made
                lines[made.id] = line
                batch.append(made)
                if made.unit:
                    add_unit((made.target, made.unit))
                if len(batch) >= BATCH:
                    if not problems:
                        yield counted(batch)
                    else:  # nothing will be stored: the rows are only counted
                        counted(batch)
                    batch, seen, observed = [], {}, {}
                    lines.clear()
        except UnicodeDecodeError:
            undecodable = _undecodable_lines(path, encoding)
            reason = Message("import_undecodable", encoding=encoding)
            problems.extend(at(n, reason) for n in undecodable)
            if not undecodable:
                problems.append(Message("import_cannot_read", path=shown, reason=reason))
        result.sheet = source.info
        reader.forget()
        if progress is not None:
            progress(result.rows, 1.0)
        if batch and not problems:
            yield counted(batch)
            lines.clear()
        elif batch:
            counted(batch)

    def void_batches() -> Iterator[list[Entry]]:
        # Last: by now every entry of the file they may cancel is in the database.
        batch = []
        cancelled_here: dict[str, int] = {}
        for line, row in voids:
            try:
                batch.append(_void_entry(row, store, cancelled_here))
            except ChuyiError as exc:
                problems.append(at(line, exc.message))
                continue
            cancelled_here[row["voids"]] = line
            lines[row["id"]] = line
        if batch and not problems:
            yield batch

    def known(stored: Entry, new: Entry, here: bool) -> None:
        conflict(stored, new, lines.get(new.id, 0), here)

    try:
        added, skipped = store.import_batches(
            batches(), lambda: result.problems, dry_run, void_batches, expected, known
        )
    except OSError as exc:
        raise ChuyiError("import_cannot_read", path=shown, reason=exc.strerror) from None
    except ProblemsError:
        error = ProblemsError(result.problems, heading=_refused(shown, len(result.problems)))
        error.result = result  # type: ignore[attr-defined]
        raise error from None
    result.added, result.skipped = added, result.skipped + skipped
    if added and not dry_run:
        result.similar = _similar_units(store, units)
    return result


def _similar_units(store: Store, units: set[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """The groups of units that may be one unit (see :mod:`similar`) holding a unit of the
    import's rows."""
    from chuyi_cli.similar import similar_groups

    found = []
    for target in sorted({t for t, _ in units}):
        for group in similar_groups(store.unit_names(target)):
            if any((target, name) in units for name in group):
                found.append((target, group))
    return found
