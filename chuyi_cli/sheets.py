"""Sheets as offices fill them: workbooks (xlsx, xlsm) and CSV, read into import rows.

A sheet may open with a title row (``附件1：2025年楚怡行动进展统计表``), a 填报单位 line and
blank lines; carry a 序号 column, a 联系人 column and the empty columns Excel leaves at the
right; end with a 合计 row; and hold typed cells (a date cell, a region code as a number).
This module finds the header row, maps the columns, skips what is no record (and counts
it), and turns each cell into the text the import's rules read. Nothing here changes a
value it cannot read for certain: a day without a year or a header one edit from a known
one is refused, never guessed.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chuyi_cli.errors import ChuyiError, os_reason
from chuyi_cli.i18n import Message

# The rows searched for the header: a title, a 填报单位 line and blank lines fit well within.
HEADER_SEARCH = 20

# The fields an import row holds, in order (the export's columns).
COLUMNS = (
    "id",
    "target",
    "unit",
    "region",
    "region_name",
    "stage",
    "state",
    "quantity",
    "observed",
    "recorded",
    "recorder",
    "note",
    "evidence",
    "evidence_sha256",
    "voids",
)

# Headers a person would type, mapped to the export's names. ``region_city`` and
# ``region_county`` are a sheet's 市州 and 县市区 columns: either names the region, and
# both together must agree.
HEADER_ALIASES = {
    "编号": "id",
    "记录编号": "id",
    "目标": "target",
    "目标编号": "target",
    "目标名称": "target",
    "指标": "target",
    "条目": "target",
    "单位名称": "unit",
    "单位": "unit",
    "名称": "unit",
    "学校名称": "unit",
    "地区": "region",
    "地区代码": "region",
    "区域": "region",
    "行政区划代码": "region",
    "市州": "region_city",
    "所属市州": "region_city",
    "县市区": "region_county",
    "所属县市区": "region_county",
    "地区名称": "region_name",
    "阶段": "stage",
    "建设阶段": "stage",
    "状态": "state",
    "数量": "quantity",
    "日期": "observed",
    "走访日期": "observed",
    "走访时间": "observed",
    "观察日期": "observed",
    "检查日期": "observed",
    "检查时间": "observed",
    "记录时间": "recorded",
    "录入时间": "recorded",
    "记录人": "recorder",
    "填报人": "recorder",
    "填表人": "recorder",
    "备注": "note",
    "说明": "note",
    "佐证": "evidence",
    "佐证材料": "evidence",
    "证据": "evidence",
    "佐证哈希": "evidence_sha256",
    "佐证sha256": "evidence_sha256",
    "作废": "voids",
    "作废编号": "voids",
    "作废记录": "voids",
}

# The export's Chinese headers (xlsx, and CSV with --headers zh): one per field.
ZH_HEADERS = {
    "id": "编号",
    "target": "目标",
    "unit": "单位名称",
    "region": "地区代码",
    "region_name": "地区名称",
    "stage": "阶段",
    "state": "状态",
    "quantity": "数量",
    "observed": "日期",
    "recorded": "记录时间",
    "recorder": "记录人",
    "note": "备注",
    "evidence": "佐证材料",
    "evidence_sha256": "佐证哈希",
    "voids": "作废编号",
}

# Columns offices add that hold no field: ignored without being taken for a misspelling.
KNOWN_EXTRAS = frozenset(
    "序号 联系人 联系电话 电话 手机 手机号 职务 邮箱 填报单位 审核人 负责人 地址".split()
)

TOTAL_WORDS = frozenset(("合计", "小计", "总计"))

_HINT = re.compile(r"[（(][^（）()]*[）)]$")
_MARKS = re.compile(r"^[*＊]+|[*＊:：]+$")


def header_key(value: object) -> str:
    """A header cell as it is looked up: no line breaks or spaces, no trailing hint in
    parentheses (``备注（可选）``, ``日期\\n（年/月/日）``), no ``*`` marking it required."""
    text = "".join(unicodedata.normalize("NFKC", str(value)).split()) if value is not None else ""
    previous = None
    while text != previous:
        previous = text
        text = _MARKS.sub("", _HINT.sub("", text))
    return text


def field_of(key: str) -> str | None:
    """The field a header names (its export name, or a word a person would type)."""
    if not key:
        return None
    lowered = key.lower()
    if lowered in COLUMNS:
        return lowered
    return HEADER_ALIASES.get(key) or HEADER_ALIASES.get(lowered)


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` by one change, insertion, deletion or swap of neighbours."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diff) == 1:
            return True
        i = diff[0]
        return len(diff) == 2 and diff[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def near_header(key: str) -> str | None:
    """A known header ``key`` is one edit from (``单位明称`` → ``单位名称``), if any.

    Only headers of three characters or more: two-character words one edit apart are
    usually different words (地址 is no misspelt 地区)."""
    if len(key) < 3 or key in KNOWN_EXTRAS:
        return None
    for known in (*HEADER_ALIASES, *COLUMNS):
        if len(known) >= 3 and _one_edit(key.lower(), known.lower()):
            return known
    return None


@dataclass
class Layout:
    """Where each field sits in a sheet's rows, and what else the header holds."""

    line: int  # the header's line (row number)
    where: dict[str, int]  # field → column index
    ignored: list[str]  # headers of the columns that hold no field ("" for an empty one)
    width: int


def read_header(
    cells: list[object], line: int, strict: bool
) -> tuple[Layout | None, list[Message]]:
    """The layout a header row gives (None when it holds no target column), and why it is
    refused when it is (a misspelt header, a field named twice, an unknown one under
    ``strict``)."""
    keys = [header_key(c) for c in cells]
    fields = [field_of(k) for k in keys]
    if "target" not in fields:
        return None, []
    problems: list[Message] = []
    where: dict[str, int] = {}
    twice: dict[str, list[int]] = {}
    ignored: list[str] = []
    for index, (cell, key, name) in enumerate(zip(cells, keys, fields, strict=True)):
        shown = " ".join(str(cell).split()) if cell is not None else ""
        if name is None:
            near = near_header(key)
            if near is not None:
                problems.append(Message("sheet_header_typo", header=shown, near=near))
            elif strict and key:
                problems.append(Message("sheet_header_unknown", header=shown))
            elif key or any(c is not None and str(c).strip() for c in cells[index + 1 :]):
                ignored.append(shown)
            continue
        if name in where:
            twice.setdefault(name, [where[name]]).append(index)
            continue
        where[name] = index
    if "region" in where and ("region_city" in where or "region_county" in where):
        others = [where[c] for c in ("region_city", "region_county") if c in where]
        twice.setdefault("region", [where["region"]]).extend(others)
    for name, indexes in twice.items():
        listed = ", ".join(repr(" ".join(str(cells[i]).split())) for i in indexes)
        problems.append(Message("import_same_field", columns=listed, field=name))
    width = max((i + 1 for i, c in enumerate(cells) if _present(c)), default=0)
    return Layout(line, where, ignored, width), problems


def is_blank(cells: Iterable[object]) -> bool:
    return all(c is None or not str(c).strip() for c in cells)


def _total_word(value: object) -> bool:
    return value is not None and "".join(str(value).split()) in TOTAL_WORDS


# --------------------------------------------------------------------------- cells


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


# --------------------------------------------------------------------------- tables


@dataclass
class SheetInfo:
    """What reading a sheet skipped and ignored, to tell the user once."""

    sheet: str | None = None  # the workbook's sheet read
    first_sheet: bool = True  # whether it is the workbook's first
    header_line: int = 1
    above: list[tuple[int, str]] = field(default_factory=list)  # rows above the header
    ignored: list[str] = field(default_factory=list)  # columns that hold no field
    second_header: int | None = None  # line of the export's field-name row, skipped
    blank: int = 0  # blank rows between records
    totals: list[int] = field(default_factory=list)  # lines of 合计/小计/总计 rows


Row = tuple[int, list[Any]]  # (line, cells)


class Table:
    """The records of one sheet: its rows after the header, each as the import's cells.

    ``records`` gives (line, cells in :data:`COLUMNS` order) or (line, Message) for a row
    that cannot be read."""

    def __init__(self, layout: Layout, info: SheetInfo, years: tuple[int, int]) -> None:
        self.layout = layout
        self.info = info
        self.years = years
        where = layout.where
        self.picks = [(c, where.get(c)) for c in COLUMNS]
        self.city = where.get("region_city")
        self.county = where.get("region_county")

    def records(
        self, rows: Iterator[tuple[int, Any]], text: bool = False
    ) -> Iterator[tuple[int, tuple[str, ...] | Message]]:
        """Each record row's cells; ``text``: every cell is a str (CSV), read faster, and a
        row with fewer cells than the header is refused (a file cut short)."""
        info = self.info
        target_at = self.layout.where["target"]
        width = self.layout.width
        observed_at = COLUMNS.index("observed")
        plain = text and self.city is None and self.county is None
        # Each field's cell in a row padded to the header's width; a field the header
        # lacks reads the "" appended after them.
        pick = operator.itemgetter(*(width if i is None else i for _, i in self.picks))
        padding = [""] * (width + 1)
        blanks = 0
        first = True
        for line, cells in rows:
            if isinstance(cells, Message):  # a row the file's reader refused
                yield line, cells
                continue
            if (not "".join(cells).strip()) if text else is_blank(cells):
                blanks += 1
                continue
            if first:
                first = False
                if self.is_field_names(cells):
                    info.second_header = line
                    continue
            info.blank += blanks
            blanks = 0
            target = cells[target_at] if target_at < len(cells) else None
            if _total_word(target) or (not _present(target) and _total_word(_lead(cells))):
                info.totals.append(line)
                continue
            if len(cells) > width:
                if not is_blank(cells[width:]):
                    yield line, Message("import_cell_count", cells=len(cells), columns=width)
                    continue
                cells = cells[:width]
            elif text and len(cells) < width:
                yield line, Message("import_cell_count", cells=len(cells), columns=width)
                continue
            try:
                if plain:
                    picked = pick(cells + padding[len(cells) :])
                    if _TITLE_MARK in picked[1]:
                        picked = (picked[0], target_text(picked[1]), *picked[2:])
                    day = picked[observed_at]
                    if day and not (len(day) == 10 and day[4] == "-"):
                        day = day_text(day, self.years)
                        picked = (*picked[:observed_at], day, *picked[observed_at + 1 :])
                    yield line, picked
                else:
                    yield line, self.cells(cells)
            except ChuyiError as exc:
                yield line, exc.message

    def is_field_names(self, cells: list[Any]) -> bool:
        """Whether a row under the header names the fields again (the export's second
        header row, ``id``, ``target`` …)."""
        named = [
            (index, str(cell).strip())
            for index, cell in enumerate(cells)
            if cell is not None and str(cell).strip()
        ]
        where = self.layout.where
        return bool(named) and all(
            name in COLUMNS and where.get(name) == index for index, name in named
        )

    def cells(self, cells: list[Any]) -> tuple[str, ...]:
        size = len(cells)
        out = []
        for name, index in self.picks:
            value = cells[index] if index is not None and index < size else None
            if name == "observed":
                out.append(day_text(value, self.years) if _present(value) else "")
            elif name == "region" and index is None:
                out.append(self.region(cells))
            elif name == "target":
                out.append(target_text(cell_text(value)))
            else:
                out.append(cell_text(value))
        return tuple(out)

    def region(self, cells: list[Any]) -> str:
        """The region of a sheet with 市州 and 县市区 columns: the 县市区 where given (it
        names the 市州 too, checked when both are given), else the 市州."""
        size = len(cells)
        city = cell_text(cells[self.city]) if self.city is not None and self.city < size else ""
        county = (
            cell_text(cells[self.county]) if self.county is not None and self.county < size else ""
        )
        city, county = city.strip(), county.strip()
        if city and county:
            from chuyi_cli.regions import gazetteer

            places = gazetteer()
            outer, inner = places.get(city), places.get(county)
            if places.city_of(inner) != outer:
                raise ChuyiError("sheet_region_mismatch", county=inner.name, city=outer.name)
            return inner.code
        return county or city


def _lead(cells: list[Any]) -> object:
    """The first cell of a row that holds anything."""
    return next((c for c in cells if _present(c)), None)


def _present(value: object) -> bool:
    return value is not None and bool(str(value).strip())


def find_table(
    rows: Iterator[tuple[int, Any]], strict: bool, years: tuple[int, int], sheet: str | None = None
) -> tuple[Table | None, list[tuple[int, Message]]]:
    """Find the header within the first rows; the table that follows (None when no row
    there holds a target column, or a row could not be read) and the problems found, each
    with its line. The rows read are consumed."""
    info = SheetInfo(sheet=sheet)
    for line, cells in rows:
        if isinstance(cells, Message):
            return None, [(line, cells)]
        if line > HEADER_SEARCH:
            break
        layout, found = read_header(cells, line, strict)
        problems = [(line, problem) for problem in found]
        if layout is None:
            if not is_blank(cells):
                info.above.append((line, _row_text(cells)))
            continue
        info.header_line = line
        info.ignored = layout.ignored
        return Table(layout, info, years), problems
    return None, []


def _row_text(cells: list[Any]) -> str:
    text = " ".join(" ".join(cell_text(c).split()) for c in cells if _present(c))
    return text if len(text) <= 40 else text[:39] + "…"


# --------------------------------------------------------------------------- files


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

# Stage and state words for people (an export with Chinese headers, the template): each
# reads back as the value it stands for.
STAGE_ZH = {"selected": "遴选", "building": "建设中", "accepted": "验收", "revoked": "撤销"}
STATE_ZH = {"not_started": "未开始", "in_progress": "进行中", "done": "已完成"}

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


def for_people(row: dict[str, Any]) -> dict[str, Any]:
    """An export row with its stage and state in the words offices use."""
    return {
        **row,
        "stage": STAGE_ZH.get(row["stage"], row["stage"]),
        "state": STATE_ZH.get(row["state"], row["state"]),
    }


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
                cell = WriteOnlyCell(sheet, value=dt.date.fromisoformat(value))
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


# --------------------------------------------------------------------------- template

TEMPLATE_ROWS = 500  # rows of the data sheet formatted and given drop-down lists
# The template's columns: (field, header as the sheet shows it, width).
TEMPLATE_COLUMNS = (
    ("target", "目标", 44),
    ("unit", "单位名称\n（分年度考核填年度）", 30),
    ("region", "地区", 14),
    ("stage", "阶段", 10),
    ("state", "状态", 10),
    ("quantity", "数量", 8),
    ("observed", "日期\n（年/月/日）", 14),
    ("recorder", "记录人", 10),
    ("note", "备注（可选）", 30),
    ("evidence", "佐证材料（可选）", 30),
)
_TITLE_MARK = "｜"  # between a target's id and its title in the template's list


def target_choice(target: Any) -> str:
    """A target as the template's drop-down list shows it: its id, then its title."""
    return f"{target.id}{_TITLE_MARK}{target.title}"


def target_text(text: str) -> str:
    """A target cell as the lookup reads it: a drop-down choice (``id｜title``) is its id."""
    head, mark, _ = text.partition(_TITLE_MARK)
    if mark and head.strip().isascii():
        return head.strip()
    return text


def write_template(
    plan: Any, places: Any, path: Path, targets: list[Any], region: Any | None
) -> None:
    """The workbook an office fills in: the data sheet (填报) with Chinese headers, its
    drop-down lists (targets by id and title, stage and state words, region names, only
    those under ``region`` if given), the date column formatted as dates and the unit and
    note columns as text; a 填表说明 sheet saying what each column means, the stage words
    and an example row; the lists on a hidden sheet (选项)."""
    from openpyxl import Workbook as Book
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Book()
    data = book.active
    data.title = "填报"
    guide = book.create_sheet("填表说明")
    lists = book.create_sheet("选项")
    lists.sheet_state = "hidden"

    regions = sorted(places.within(region)) if region is not None else None
    chosen_regions = [r for r in places.regions if regions is None or r.code in regions]
    options = {
        "target": [target_choice(t) for t in targets],
        "stage": list(STAGE_ZH.values()),
        "state": list(STATE_ZH.values()),
        "region": [r.name for r in chosen_regions],
    }
    ranges = {}
    for column, (name, values) in enumerate(options.items(), start=1):
        letter = get_column_letter(column)
        for row, value in enumerate(values, start=1):
            lists.cell(row, column, value).data_type = "s"
        ranges[name] = f"'选项'!${letter}$1:${letter}${max(len(values), 1)}"

    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="center")
    last = TEMPLATE_ROWS + 1
    for column, (name, header, width) in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = get_column_letter(column)
        cell = data.cell(1, column, header)
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
        data.column_dimensions[letter].width = width
        fmt = DATE_FORMAT if name == "observed" else None
        if name in ("unit", "note", "evidence", "recorder", "target", "region"):
            fmt = TEXT_FORMAT
        if fmt:
            for row in range(2, last + 1):
                data.cell(row, column).number_format = fmt
        area = f"{letter}2:{letter}{last}"
        check = None
        if name in ranges:
            check = DataValidation(type="list", formula1=ranges[name], allow_blank=True)
            check.error = "请从下拉列表中选择"
        elif name == "observed":
            start, end = plan.start, plan.deadline
            check = DataValidation(
                type="date",
                operator="between",
                formula1=f"DATE({start.year},{start.month},{start.day})",
                formula2=f"DATE({end.year},{end.month},{end.day})",
                allow_blank=True,
            )
            check.error = f"请填写 {start} 至 {end} 之间的日期"
        elif name == "quantity":
            check = DataValidation(
                type="whole", operator="greaterThan", formula1="0", allow_blank=True
            )
            check.error = "请填写正整数"
        if check is not None:
            check.showErrorMessage = True
            check.errorTitle = header.split("\n")[0]
            check.add(area)
            data.add_data_validation(check)
    data.row_dimensions[1].height = 32
    data.freeze_panes = "A2"

    example = _example(targets, chosen_regions, plan)
    rows: list[list[Any]] = [
        ["楚怡行动进展填报说明"],
        [],
        ["1. 在“填报”工作表中每行填写一次走访所见；不要改动表头，不要合并单元格。"],
        ["2. 目标、阶段、状态、地区请从下拉列表中选择；日期写成 2025-06-12 或 2025/6/12。"],
        ["3. 填好后导入：chuyi import 本文件.xlsx（先加 --dry-run 查看将导入的内容）。"],
        [],
        ["列", "含义", "何时填写"],
        ["【目标】", "楚怡通知中的目标：标识｜标题，或标识、编号（如 二(四)1）", "必填"],
        [
            "【单位名称】",
            "学校、基地、团队或人员的名称；分年度考核督导填所考核的年度（如 2025）",
            "计数、覆盖、点名类目标必填；分年度考核必填年度",
        ],
        ["【地区】", "市州或县市区的名称或代码", "覆盖类目标必填"],
        ["【阶段】", "单位所处阶段（见下表）", "计数、覆盖、点名类目标必填"],
        ["【状态】", "未开始、进行中、已完成", "里程碑类目标必填"],
        ["【数量】", "活动的次数（正整数）", "活动类目标；空则为 1"],
        ["【日期】", "走访或检查的日期，不晚于今天", "必填"],
        ["【记录人】", "填表人的姓名", "必填"],
        ["【备注】", "所见情况", "可选"],
        ["【佐证材料】", "文件路径或网址", "可选"],
        [],
        ["阶段用词", "含义"],
        *[[word, meaning] for word, meaning in STAGE_GUIDE],
        [],
        ["示例（请在“填报”工作表中填写，不要填在本页）"],
        # (in brackets: a sheet whose row names the columns would read as a data sheet)
        [f"【{header.split(chr(10))[0]}】" for _, header, _ in TEMPLATE_COLUMNS],
        example,
        *_yearly_examples(targets, plan),
    ]
    for row in rows:
        guide.append(row)
    guide.column_dimensions["A"].width = 44
    guide.column_dimensions["B"].width = 56
    guide.column_dimensions["C"].width = 30
    guide["A1"].font = Font(bold=True, size=14)
    book.active = 0
    book.save(path)


# The stage words a template explains (the import also reads other words offices use).
STAGE_GUIDE = (
    ("遴选", "已遴选、入选或立项，尚未建设"),
    ("建设中", "正在建设"),
    ("验收", "已通过验收（或认定）"),
    ("撤销", "已撤销或取消"),
)


def _example(targets: list[Any], regions: list[Any], plan: Any) -> list[Any]:
    """An example row: the first target that counts units, a region, a day of the plan."""
    target = next((t for t in targets if t.has_units), targets[0] if targets else None)
    place = next((r for r in regions if r.level != "province"), None)
    row: list[Any] = [target_choice(target) if target else ""]
    counts = bool(target and target.has_units)
    row += ["长沙职业技术学院" if counts else "", place.name if place else ""]
    row += ["建设中" if counts else "", "" if counts else "进行中", ""]
    row += [max(plan.start, dt.date(2025, 6, 12)).isoformat(), "张三", "现场查看实训室", ""]
    return row


def _yearly_examples(targets: list[Any], plan: Any) -> list[list[Any]]:
    """An example row of a yearly milestone (the annual assessment), when the template
    lists one: the year it is of, in the unit column."""
    target = next((t for t in targets if t.yearly), None)
    if target is None:
        return []
    day = max(plan.start, dt.date(2025, 6, 12))
    return [[target_choice(target), str(day.year), "", "", "已完成", "", day.isoformat(), "张三"]]


def write_new(plan: Any, places: Any, path: Path, targets: list[Any], region: Any | None) -> None:
    """:func:`write_template` to ``path``, which must not exist (a filled-in template is
    never overwritten); written beside it (with the user's umask) and linked in whole, or
    not at all (a rename where the disk has no hard links: a USB stick in exFAT)."""
    from chuyi_cli.files import link_new, temporary_beside
    from chuyi_cli.platform import write_failure

    if path.exists():
        raise ChuyiError("template_exists", path=str(path))
    try:
        with temporary_beside(path) as tmp:
            write_template(plan, places, tmp, targets, region)
            if not link_new(tmp, path):
                raise ChuyiError("template_exists", path=str(path))
    except OSError as exc:
        raise ChuyiError(
            "template_cannot_write", path=str(path), reason=write_failure(exc)
        ) from None
