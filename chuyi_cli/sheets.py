"""Sheets as offices fill them: workbooks (xlsx, xlsm) and CSV, read into import rows.

A sheet may open with a title row (``附件1：2025年楚怡行动进展统计表``), a 填报单位 line and
blank lines; carry a 序号 column, a 联系人 column and the empty columns Excel leaves at the
right; end with a 合计 row; and hold typed cells (a date cell, a region code as a number).
This module finds the header row, maps the columns, skips what is no record (and counts
it), and hands each row's cells to :mod:`chuyi_cli.cell_values` for the text the import's
rules read. Nothing here changes a value it cannot read for certain: a day without a year
or a header one edit from a known one is refused, never guessed.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from chuyi_cli.cell_values import TITLE_MARK, cell_text, day_text, target_text
from chuyi_cli.errors import ChuyiError
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
    if value is None:
        return False
    text = str(value)
    # (Every total word ends in 计: a cell without one is none, told without a split.)
    return "计" in text and "".join(text.split()) in TOTAL_WORDS


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
                    if TITLE_MARK in picked[1]:
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
