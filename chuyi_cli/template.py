"""The workbook an office fills in (``chuyi template``): the data sheet with Chinese
headers and drop-down lists, the date column as dates, a 填表说明 sheet with an example
row, the lists on a hidden sheet; written beside its name and linked in whole.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chuyi_cli.catalog_nodes import Plan, Target
from chuyi_cli.cell_values import STAGE_ZH, STATE_ZH, target_choice
from chuyi_cli.errors import ChuyiError
from chuyi_cli.regions import Gazetteer, Region
from chuyi_cli.workbooks import DATE_FORMAT, TEXT_FORMAT

if TYPE_CHECKING:
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.worksheet import Worksheet

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


def write_template(
    plan: Plan, places: Gazetteer, path: Path, targets: list[Target], region: Region | None
) -> None:
    """The workbook an office fills in: the data sheet (填报) with Chinese headers, its
    drop-down lists (targets by id and title, stage and state words, region names, only
    those under ``region`` if given), the date column formatted as dates and the unit and
    note columns as text; a 填表说明 sheet saying what each column means, the stage words
    and an example row; the lists on a hidden sheet (选项)."""
    from openpyxl import Workbook as Book
    from openpyxl.worksheet.worksheet import Worksheet

    book = Book()
    data = book.active
    assert isinstance(data, Worksheet)
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
    ranges = _option_lists(lists, options)
    _data_sheet(data, ranges, plan)
    _guide_sheet(guide, _guide_rows(targets, chosen_regions, plan))
    book.active = 0
    book.save(path)


def _option_lists(lists: Worksheet, options: dict[str, list[str]]) -> dict[str, str]:
    """Each drop-down list in a column of the hidden sheet; the range each list reads."""
    from openpyxl.utils import get_column_letter

    ranges = {}
    for column, (name, values) in enumerate(options.items(), start=1):
        letter = get_column_letter(column)
        for row, value in enumerate(values, start=1):
            lists.cell(row, column, value).data_type = "s"
        ranges[name] = f"'选项'!${letter}$1:${letter}${max(len(values), 1)}"
    return ranges


def _data_sheet(data: Worksheet, ranges: dict[str, str], plan: Plan) -> None:
    """The headers, each column's width, format and the values it takes."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

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
        check = _validation(name, ranges, plan)
        if check is not None:
            check.showErrorMessage = True
            check.errorTitle = header.split("\n")[0]
            check.add(f"{letter}2:{letter}{last}")
            data.add_data_validation(check)
    data.row_dimensions[1].height = 32
    data.freeze_panes = "A2"


def _validation(name: str, ranges: dict[str, str], plan: Plan) -> DataValidation | None:
    """What a column's cells may hold: a choice from its list, a day of the plan, a
    positive whole number (None: anything)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    if name in ranges:
        check = DataValidation(type="list", formula1=ranges[name], allow_blank=True)
        check.error = "请从下拉列表中选择"
        return check
    if name == "observed":
        start, end = plan.start, plan.deadline
        check = DataValidation(
            type="date",
            operator="between",
            formula1=f"DATE({start.year},{start.month},{start.day})",
            formula2=f"DATE({end.year},{end.month},{end.day})",
            allow_blank=True,
        )
        check.error = f"请填写 {start} 至 {end} 之间的日期"
        return check
    if name == "quantity":
        check = DataValidation(type="whole", operator="greaterThan", formula1="0", allow_blank=True)
        check.error = "请填写正整数"
        return check
    return None


def _guide_rows(targets: list[Target], regions: list[Region], plan: Plan) -> list[list[Any]]:
    """The 填表说明 sheet's rows: how to fill in, each column, the stage words, examples."""
    return [
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
        _example(targets, regions, plan),
        *_yearly_examples(targets, plan),
    ]


def _guide_sheet(guide: Worksheet, rows: list[list[Any]]) -> None:
    from openpyxl.styles import Font

    for row in rows:
        guide.append(row)
    guide.column_dimensions["A"].width = 44
    guide.column_dimensions["B"].width = 56
    guide.column_dimensions["C"].width = 30
    guide["A1"].font = Font(bold=True, size=14)


# The stage words a template explains (the import also reads other words offices use).
STAGE_GUIDE = (
    ("遴选", "已遴选、入选或立项，尚未建设"),
    ("建设中", "正在建设"),
    ("验收", "已通过验收（或认定）"),
    ("撤销", "已撤销或取消"),
)


def _example(targets: list[Target], regions: list[Region], plan: Plan) -> list[Any]:
    """An example row: the first target that counts units, a region, a day of the plan."""
    target = next((t for t in targets if t.has_units), targets[0] if targets else None)
    place = next((r for r in regions if r.level != "province"), None)
    row: list[Any] = [target_choice(target) if target else ""]
    counts = bool(target and target.has_units)
    row += ["长沙职业技术学院" if counts else "", place.name if place else ""]
    row += ["建设中" if counts else "", "" if counts else "进行中", ""]
    row += [max(plan.start, dt.date(2025, 6, 12)).isoformat(), "张三", "现场查看实训室", ""]
    return row


def _yearly_examples(targets: list[Target], plan: Plan) -> list[list[Any]]:
    """An example row of a yearly milestone (the annual assessment), when the template
    lists one: the year it is of, in the unit column."""
    target = next((t for t in targets if t.yearly), None)
    if target is None:
        return []
    day = max(plan.start, dt.date(2025, 6, 12))
    return [[target_choice(target), str(day.year), "", "", "已完成", "", day.isoformat(), "张三"]]


def write_new(
    plan: Plan, places: Gazetteer, path: Path, targets: list[Target], region: Region | None
) -> None:
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
