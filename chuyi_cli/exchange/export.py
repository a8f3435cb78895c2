"""Export: every entry as CSV (Excel-friendly), JSON Lines or an xlsx workbook.

The default CSV of a large history is written from lines SQLite makes (see
:func:`chuyi_cli.store.scans.entry_lines`): the formula guard in SQL, each batch checked
to need no quoting, and a batch that does written cell by cell as any other export.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from chuyi_cli.cell_values import for_people
from chuyi_cli.domain import Entry
from chuyi_cli.errors import ChuyiError
from chuyi_cli.exchange.cells import EXPORT_COLUMNS, neutralise
from chuyi_cli.regions import Gazetteer
from chuyi_cli.sheets import ZH_HEADERS
from chuyi_cli.store import Store
from chuyi_cli.store.scans import Batch, entry_lines
from chuyi_cli.workbooks import write_workbook

# Cells the entry table's CHECKs hold to a stage word, a state word, a positive whole
# number and a YYYY-MM-DD day: never a formula, never quoted.
_NEVER_FORMULAS = frozenset({"stage", "state", "quantity", "observed"})


def export_rows(entries: Iterator[Entry], places: Gazetteer) -> Iterator[dict[str, Any]]:
    for e in entries:
        row = e.as_dict()
        region = places.by_code.get(e.region) if e.region else None
        row["region_name"] = region.name if region else None
        yield row


def write_export(
    store: Store,
    since: str | None,
    places: Gazetteer,
    fmt: str,
    out: Path | None,
    stdout: IO[str],
    headers: str = "fields",
) -> int:
    """Write every entry of ``store`` (observed on or after ``since``, when given) as CSV,
    JSON Lines or an xlsx workbook to ``out`` (whole, or not at all; never the database
    or a file SQLite keeps beside it), or (not a workbook) to stdout. ``headers="zh"``:
    CSV with Chinese headers and stage words, for people; the default CSV names the
    fields, for machines.

    A file is UTF-8 (CSV with a BOM, for Excel). To stdout, nothing is lost whatever its
    encoding: JSON Lines escapes with ``\\u`` where stdout is not UTF-8, and CSV goes out as
    UTF-8 bytes (with a BOM where stdout is not UTF-8: Excel then reads it as it reads a
    file of ours), its CRLF line endings untranslated (a Windows console turns ``\\n`` into
    CRLF)."""
    if fmt == "xlsx" and out is None:
        raise ChuyiError("export_xlsx_needs_file")
    source = _Source(store, since, places)
    if out is None:
        return _write_stdout(source, fmt, stdout, headers)
    from chuyi_cli.files import written_whole

    with written_whole(out, store.path) as tmp:
        if fmt == "xlsx":
            rows = (for_people(row) for row in export_rows(source.entries(), places))
            count = write_workbook(rows, tmp, neutralise)
        else:
            with open(tmp, "w", encoding="utf-8", newline="") as handle:
                count = _write(source, fmt, handle, bom=fmt == "csv", headers=headers, lines=True)
    return count


class _Source:
    """What an export reads: the entries, or (the default CSV) lines SQLite makes."""

    def __init__(self, store: Store, since: str | None, places: Gazetteer) -> None:
        self.store, self.since, self.places = store, since, places

    def entries(self) -> Iterator[Entry]:
        return self.store.iter_entries(self.since)

    def lines(self) -> Iterator[Batch]:
        names = {code: region.name for code, region in self.places.by_code.items()}
        return entry_lines(self.store, self.since, names, _guarded)


def _guarded(name: str, column: str) -> str:
    """The SQL of a cell with :func:`neutralise`'s guard: one more leading ' where a
    spreadsheet would run it (after any ' it starts with, one of = + - @ tab CR). Two
    comparisons first let through only a cell that sorts before '0' or from '=' to 'A'
    (where all of those fall), before the exact test."""
    if name in _NEVER_FORMULAS:
        return column
    return (
        f"CASE WHEN ({column} < '0' OR {column} BETWEEN '=' AND 'A')"
        f" AND substr(ltrim({column}, ''''), 1, 1) IN ('=', '+', '-', '@', char(9), char(13))"
        f" THEN '''' || {column} ELSE {column} END"
    )


def _write_stdout(source: _Source, fmt: str, stdout: IO[str], headers: str) -> int:
    from chuyi_cli.streams import is_utf8

    utf8 = is_utf8(getattr(stdout, "encoding", None) or "utf-8")
    binary = getattr(stdout, "buffer", None)
    if fmt == "jsonl" or binary is None:  # (a terminal's stream: each row written as shown)
        return _write(source, fmt, stdout, bom=False, ascii_only=not utf8, headers=headers)
    import io

    stdout.flush()
    handle = io.TextIOWrapper(binary, encoding="utf-8", newline="")
    try:
        return _write(source, fmt, handle, bom=not utf8, headers=headers, lines=True)
    finally:
        handle.flush()
        handle.detach()  # stdout's own bytes stay open


def _write(
    source: _Source,
    fmt: str,
    handle: IO[str],
    bom: bool,
    ascii_only: bool = False,
    headers: str = "fields",
    lines: bool = False,
) -> int:
    """``lines``: the default CSV may be written from SQLite's lines."""
    count = 0
    if fmt == "jsonl":
        for row in export_rows(source.entries(), source.places):
            handle.write(json.dumps(row, ensure_ascii=ascii_only) + "\n")
            count += 1
        return count
    if bom:
        handle.write("\ufeff")
    writer = csv.writer(handle, lineterminator="\r\n")
    people = headers == "zh"
    writer.writerow([ZH_HEADERS[c] for c in EXPORT_COLUMNS] if people else EXPORT_COLUMNS)
    if lines and not people:
        return _write_lines(source.lines(), handle, writer)
    for row in export_rows(source.entries(), source.places):
        if people:
            row = for_people(row)
        writer.writerow([neutralise("" if row[c] is None else str(row[c])) for c in EXPORT_COLUMNS])
        count += 1
    return count


def _write_lines(batches: Iterator[Batch], handle: IO[str], writer: Any) -> int:
    """The default CSV's rows from SQLite's lines: a batch none of whose cells holds a
    comma, a quote or a line break is the very text the csv module writes; another is
    written cell by cell."""
    count = 0
    commas = len(EXPORT_COLUMNS) - 1
    for lines, cells in batches:
        text = "\r\n".join(lines)
        breaks = len(lines) - 1
        if (
            '"' not in text
            and text.count("\n") == breaks
            and text.count("\r") == breaks
            and text.count(",") == commas * len(lines)
        ):
            handle.write(text + "\r\n")
        else:
            writer.writerows(
                [neutralise("" if c is None else str(c)) for c in row] for row in cells()
            )
        count += len(lines)
    return count
