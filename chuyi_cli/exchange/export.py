"""Export: every entry as CSV (Excel-friendly), JSON Lines or an xlsx workbook."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from chuyi_cli.entries import Entry
from chuyi_cli.errors import ChuyiError
from chuyi_cli.exchange.cells import EXPORT_COLUMNS, neutralise
from chuyi_cli.regions import Gazetteer
from chuyi_cli.sheets import ZH_HEADERS, for_people, write_workbook


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
