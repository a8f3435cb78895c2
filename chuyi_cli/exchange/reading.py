"""Reading a file to import as rows of cells: CSV, JSON Lines or a workbook, refused
where it is not well formed."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from chuyi_cli.exchange.cells import EXPORT_COLUMNS, Cells, Reason
from chuyi_cli.exchange.encodings import GB_FAMILY, LOST_CHARACTER
from chuyi_cli.i18n import Cause, Message
from chuyi_cli.sheets import HEADER_ALIASES, HEADER_SEARCH, SheetInfo, find_table
from chuyi_cli.workbooks import Workbook


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


def records(
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
        # (typeshed's TextIOWrapper.buffer lacks tell: an opened file's is a BufferedReader)
        source.position = lambda: handle.buffer.tell() / size  # type: ignore[attr-defined]
        lost = codecs.lookup(encoding).name in GB_FAMILY
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
                reason = _csv_reason(exc)
                key = (
                    "import_unclosed_quote"
                    if reason.key == "csv.unexpected_end"
                    else "import_bad_csv"
                )
                yield start, Message(key, reason=reason)
                return
            line, start = start, reader.line_num + 1
            if width[0]:
                if start - line > 1 and _rows_in_cell(row, delimiter, width[0]):
                    yield line, Message("import_rows_in_cell", line=line, last=start - 1)
                    continue
                if gb is not None:
                    lost = next((c for c in row if "?" in c and LOST_CHARACTER.search(c)), None)
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
    yield from table.records(lines, text=True)


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


def _csv_reason(exc: Exception) -> Cause:
    """Why Python's csv reader stopped, in the user's words (its own under --lang en)."""
    text = str(exc)
    for words, key in (
        ("unexpected end of data", "csv.unexpected_end"),
        ("field larger than field limit", "csv.too_large"),
        ("line contains NUL", "csv.nul"),
        ("expected after", "csv.quote_then_text"),
    ):
        if words in text:
            return Cause(key, detail=text)
    return Cause("csv.other", detail=text)


def _json_kind(value: object) -> Message:
    """What a JSON line holds instead of an object, in words (列表, a list)."""
    if isinstance(value, list):
        return Message("import_kind_list")
    if isinstance(value, bool):
        return Message("json.kind_bool")
    if isinstance(value, int | float):
        return Message("json.kind_number")
    if isinstance(value, str):
        return Message("json.kind_text")
    return Message("json.kind_null")


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
            reason = Cause("json.other", column=exc.colno, detail=exc.msg)
            yield number, Message("import_not_json_object", reason=reason)
            continue
        except ValueError:  # an integer past Python's digit limit
            yield number, Message("import_json_number")
            continue
        if not isinstance(value, _Pairs):
            yield number, Message("import_not_json_object", reason=_json_kind(value))
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
