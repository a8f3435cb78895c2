"""Workbook files: which kind a file is (a workbook chuyi reads, an old or foreign format
it names, or text), reading an xlsx or xlsm sheet by sheet, and writing the export as
one. (openpyxl is imported only when a workbook is read or written.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from chuyi_cli.errors import ChuyiError, os_reason
from chuyi_cli.i18n import Message
from chuyi_cli.sheets import COLUMNS, HEADER_SEARCH, ZH_HEADERS, Row, Table, find_table


def file_kind(path: Path, shown: str | None = None) -> str:
    """What kind of file ``path`` is: ``xlsx`` for a workbook, ``text`` for CSV or JSON
    Lines. A format chuyi cannot read is refused with what to do instead (``shown``: the
    name the user gave, when ``path`` is a copy)."""
    shown = shown or str(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise ChuyiError("import_cannot_read", path=shown, reason=os_reason(exc)) from None
    suffix = path.suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path, suffix, shown)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        kind = "WPS (.et)" if suffix in (".et", ".ett") else "Excel 97-2003 (.xls)"
        raise ChuyiError("sheet_old_workbook", path=shown, kind=kind)
    if suffix in (".xlsx", ".xlsm", ".xls", ".et", ".ods", ".numbers"):
        raise ChuyiError("sheet_not_workbook", path=shown, suffix=suffix)
    return "text"


def _zip_kind(path: Path, suffix: str, shown: str) -> str:
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:80] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError):
        raise ChuyiError("sheet_broken_workbook", path=shown) from None
    if "xl/workbook.xml" in names or any(n.startswith("xl/workbook") for n in names):
        return "xlsx"
    if b"opendocument" in mimetype or suffix == ".ods":
        raise ChuyiError("sheet_other_format", path=shown, kind="OpenDocument (.ods)")
    if suffix == ".numbers" or any(n.startswith("Index/") for n in names):
        raise ChuyiError("sheet_other_format", path=shown, kind="Numbers (.numbers)")
    raise ChuyiError("sheet_broken_workbook", path=shown)


class Workbook:
    """An xlsx or xlsm file, read in read-only mode with the values its cells show."""

    def __init__(self, path: Path, shown: str | None = None) -> None:
        from openpyxl import load_workbook

        self.path = path
        self.shown = shown or str(path)
        # Opened here, not by name: openpyxl would refuse a copy of standard input for
        # its name (.tmp).
        try:
            self.handle = path.open("rb")
        except OSError as exc:
            raise ChuyiError("import_cannot_read", path=self.shown, reason=os_reason(exc)) from None
        try:
            self.book = load_workbook(self.handle, read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a damaged file
            self.handle.close()
            raise ChuyiError("sheet_broken_workbook", path=self.shown) from None

    def close(self) -> None:
        self.book.close()
        self.handle.close()

    @property
    def names(self) -> list[str]:
        return list(self.book.sheetnames)

    def rows(self, name: str) -> Iterator[Row]:
        sheet = self.book[name]
        for line, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            yield line, list(values)

    def size(self, name: str) -> int | None:
        """Rows the sheet says it has (None when it does not say)."""
        try:
            return self.book[name].max_row
        except Exception:
            return None

    def table(
        self, wanted: str | None, strict: bool, years: tuple[int, int]
    ) -> tuple[Table, list[tuple[int, Message]], Iterator[Row]]:
        """The first sheet with a target column (or the sheet ``wanted``), its problems, and
        the rows that follow its header."""
        names = self.names
        if wanted is not None and wanted not in names:
            raise ChuyiError("sheet_no_such_sheet", sheet=wanted, sheets="、".join(names))
        for name in [wanted] if wanted is not None else names:
            rows = self.rows(name)
            table, problems = find_table(rows, strict, years, sheet=name)
            if table is not None:
                table.info.first_sheet = name == names[0]
                return table, problems, rows
        if wanted is not None:
            raise ChuyiError("sheet_no_header", where=wanted, rows=HEADER_SEARCH)
        raise ChuyiError("sheet_no_header_any", path=self.shown, rows=HEADER_SEARCH)


# --------------------------------------------------------------------------- writing

_WIDTHS = {
    "id": 38,
    "target": 24,
    "unit": 30,
    "region": 10,
    "region_name": 16,
    "stage": 8,
    "state": 8,
    "quantity": 6,
    "observed": 12,
    "recorded": 30,
    "recorder": 10,
    "note": 30,
    "evidence": 30,
    "evidence_sha256": 20,
    "voids": 38,
}
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"


def write_workbook(rows: Iterable[dict[str, Any]], path: Path, guard: Any) -> int:
    """The export as a workbook: one sheet, 记录, its Chinese headers frozen above the
    export's field names; every cell typed (text as text, so ``00123``, long digit strings
    and ``1/2`` survive Excel and WPS; the day as a date; the quantity as a number).
    ``guard`` makes a text cell inert where a spreadsheet would run it (as CSV does)."""
    from openpyxl import Workbook as Book
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Book(write_only=True)
    sheet = book.create_sheet("记录")
    sheet.freeze_panes = "A3"
    for index, name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = _WIDTHS[name]
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    grey = Font(color="808080", italic=True)

    def head(value: str, font: Any, shaded: bool) -> Any:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = font
        if shaded:
            cell.fill = fill
        return cell

    sheet.append([head(ZH_HEADERS[c], bold, True) for c in COLUMNS])
    sheet.append([head(c, grey, False) for c in COLUMNS])
    count = 0
    for row in rows:
        cells = []
        for name in COLUMNS:
            value = row[name]
            if value is None or value == "":
                cell = WriteOnlyCell(sheet, value=None)
                cell.number_format = DATE_FORMAT if name == "observed" else TEXT_FORMAT
            elif name == "observed":
                cell = WriteOnlyCell(sheet, value=None)
                cell.value = dt.date.fromisoformat(value)  # (typed: WriteOnlyCell takes no date)
                cell.number_format = DATE_FORMAT
            elif name == "quantity":
                cell = WriteOnlyCell(sheet, value=int(value))
            else:
                text = guard(str(value))
                if ILLEGAL_CHARACTERS_RE.search(text):
                    raise ChuyiError("export_xlsx_control", id=row["id"], field=name)
                cell = WriteOnlyCell(sheet, value=None)
                cell.value = text
                cell.data_type = "s"  # text, even where it starts with "="
                cell.number_format = TEXT_FORMAT
            cells.append(cell)
        sheet.append(cells)
        count += 1
    book.save(path)
    return count
