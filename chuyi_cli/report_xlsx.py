"""`chuyi report` as a workbook: 总表, 地区, 进度图, 明细, 说明; A4 landscape, titles
repeated on every page, fitted to the width. (openpyxl is imported only here.)"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chuyi_cli.annual import Annual, Series
from chuyi_cli.i18n import Words
from chuyi_cli.report_text import (
    PERCENT_KEYS,
    SUMMARY_KEYS,
    class_counts,
    column,
    entries_note,
    entry_cells,
    entry_headers,
    explanation,
    region_cells,
    region_headers,
    scope_text,
    summary_cells,
    summary_headers,
    t,
)

if TYPE_CHECKING:
    from openpyxl.chart import LineChart

SHEETS = ("总表", "地区", "进度图", "明细", "说明")
# Class → fill colour of its cell on 总表 (conditional formatting on the class word).
CLASS_FILLS = {
    "done": "C6EFCE",
    "on_track": "DDEBF7",
    "behind": "FFEB9C",
    "off_track": "FFC7CE",
    "not_started": "EDEDED",
}
PERCENT = "0.0%"
HEADER_ROW = 4  # rows above: title, as-of and period, scope


def write_xlsx(annual: Annual, path: Path, lang: str) -> None:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.worksheets[0])  # (the sheet a new workbook opens with)
    sheets = {name: book.create_sheet(name) for name in SHEETS}
    _summary(sheets["总表"], annual, lang)
    _regions(sheets["地区"], annual, lang)
    _charts(sheets["进度图"], annual, lang)
    _entries(sheets["明细"], annual, lang)
    _explanation(sheets["说明"], annual, lang)
    for sheet in sheets.values():
        _print_setup(sheet)
    book.save(path)


def _styles() -> tuple[Any, Any, Any]:
    from openpyxl.styles import Alignment, PatternFill

    return _font(bold=True), PatternFill("solid", fgColor="DDEBF7"), Alignment(wrap_text=True)


FONT = "Calibri"  # (the workbook's default: a bold or coloured cell keeps it)
LINE = 15  # points a line of 11-point text takes


def _font(**style: Any) -> Any:
    from openpyxl.styles import Font

    return Font(name=FONT, **style)


def _lines(text: Any, width: float) -> int:
    """How many lines ``text`` wraps to in a column ``width`` characters wide (a Chinese
    character takes two)."""
    from unicodedata import east_asian_width

    room = max(int(width) - 1, 1)
    total = 0
    for part in str(text or "").split("\n"):
        size = sum(2 if east_asian_width(c) in "WF" else 0.85 for c in part)
        total += max(1, -int(-size // room))
    return total


def _fit_height(sheet: Any, row: int, text: Any, width: float) -> None:
    """Make ``row`` tall enough for ``text`` wrapped in a column ``width`` wide (a printed
    sheet does not grow its rows by itself)."""
    lines = _lines(text, width)
    if lines > 1:
        now = sheet.row_dimensions[row].height or LINE
        sheet.row_dimensions[row].height = max(now, LINE * lines)


def _text(cell: Any, value: Any) -> None:
    """A value as it is: text stays text, even one starting with "="."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def _heading(sheet: Any, annual: Annual, lang: str, columns: int) -> None:

    _text(sheet.cell(1, 1), t(lang, "rpt.title", title=annual.plan.title))
    sheet.cell(1, 1).font = _font(bold=True, size=14)
    period = t(lang, "rpt.period", start=_after(annual), end=annual.as_of.isoformat())
    _text(sheet.cell(2, 1), f"{t(lang, 'rpt.as_of', day=annual.as_of)}　{period}")
    scope = scope_text(annual, lang)
    if scope:
        _text(sheet.cell(3, 1), scope)


def _after(annual: Annual) -> str:
    return (annual.start + dt.timedelta(days=1)).isoformat()


def _header_row(sheet: Any, row: int, headers: list[str], widths: Sequence[float]) -> None:
    from openpyxl.utils import get_column_letter

    bold, fill, wrap = _styles()
    for i, (head, width) in enumerate(zip(headers, widths, strict=False), start=1):
        cell = sheet.cell(row, i)
        _text(cell, head)
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
        # (a column at least as wide as the longest word of its header)
        width = max([width, *(len(word) + 2 for word in head.split() if word.isascii())])
        sheet.column_dimensions[get_column_letter(i)].width = width
        _fit_height(sheet, row, head, width)
    sheet.print_title_rows = f"{row}:{row}"
    sheet.freeze_panes = sheet.cell(row + 1, 1)


SUMMARY_WIDTHS = [8, 48, 8, 9, 11, 11, 11, 9, 11, 9, 12]


def _summary(sheet: Any, annual: Annual, lang: str) -> None:
    """A line per target under its section's, the overall line at the foot; each class
    word in its colour."""
    from openpyxl.styles import Alignment

    headers = summary_headers(lang)
    _heading(sheet, annual, lang, len(headers))
    widths = SUMMARY_WIDTHS
    _header_row(sheet, HEADER_ROW, headers, widths)
    bold, _fill, _wrap = _styles()
    middle = Alignment(vertical="center")
    wrapped = Alignment(vertical="center", wrap_text=True)
    centred = Alignment(vertical="center", horizontal="center")
    before = {r.target.id: r for r in annual.before.rows}
    row = HEADER_ROW + 1
    for section, rows in annual.now.sections(annual.plan):
        title = section.title if lang == "zh" else (section.title_en or section.title)
        _text(sheet.cell(row, 1), section.ref)
        _text(sheet.cell(row, 2), title)
        for c in (1, 2):
            sheet.cell(row, c).font = bold
        row += 1
        for status in rows:
            for col, value in enumerate(
                summary_cells(status, before[status.target.id], lang), start=1
            ):
                cell = sheet.cell(row, col)
                _text(cell, value)
                if SUMMARY_KEYS[col - 1] in PERCENT_KEYS:
                    cell.number_format = PERCENT
                cell.alignment = middle
                if col == column("title"):
                    cell.alignment = wrapped
                    _fit_height(sheet, row, value, widths[col - 1])
                elif col == column("counts_at"):
                    cell.alignment = centred
            row += 1
    _summary_total(sheet, annual, lang, row)
    _class_fills(sheet, lang, row - 1)


def _summary_total(sheet: Any, annual: Annual, lang: str, row: int) -> None:
    """The overall line: the mean completion, the time elapsed, the targets by class."""
    bold, _fill, wrap = _styles()
    _text(sheet.cell(row, 2), t(lang, "rpt.overall"))
    sheet.cell(row, 2).font = bold
    mean = annual.now.overall.completion
    completion, expected = column("completion"), column("expected")
    sheet.cell(row, completion).value = None if mean is None else round(mean, 4)
    sheet.cell(row, completion).number_format = PERCENT
    sheet.cell(row, expected).value = round(annual.now.elapsed, 4)
    sheet.cell(row, expected).number_format = PERCENT
    counts = class_counts(annual, lang)
    _text(sheet.cell(row, column("class")), counts)
    for col in range(1, len(SUMMARY_KEYS) + 1):
        sheet.cell(row, col).font = bold
    sheet.cell(row, column("class")).alignment = wrap
    _fit_height(sheet, row, counts, SUMMARY_WIDTHS[column("class") - 1])


def _class_fills(sheet: Any, lang: str, last: int) -> None:
    """Each class word of the targets' lines (down to ``last``) in its colour."""
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    w = Words(lang)
    letter = get_column_letter(column("class"))
    span = f"{letter}{HEADER_ROW + 1}:{letter}{max(last, HEADER_ROW + 1)}"
    for cls, colour in CLASS_FILLS.items():
        word = w(cls).replace('"', '""')
        sheet.conditional_formatting.add(
            span,
            CellIsRule(  # type: ignore[no-untyped-call]  # (untyped in openpyxl's stubs)
                operator="equal",
                formula=[f'"{word}"'],
                fill=PatternFill("solid", bgColor=colour, fgColor=colour),
                font=Font(bold=cls in ("behind", "off_track")),
            ),
        )


def _regions(sheet: Any, annual: Annual, lang: str) -> None:
    """A line per target, a column per 市州; last record and stale ones at the foot."""
    from openpyxl.styles import Alignment, PatternFill

    headers = region_headers(annual, lang)
    _heading(sheet, annual, lang, len(headers))
    if not annual.coverage and not annual.counts:
        _text(sheet.cell(HEADER_ROW, 1), t(lang, "rpt.no_region_targets"))
        return
    widths = [8, 34] + [10.5] * (len(headers) - 2)
    _header_row(sheet, HEADER_ROW, headers, widths)
    bold, _fill, wrap = _styles()
    for col in range(3, len(headers) + 1):
        sheet.cell(HEADER_ROW, col).alignment = Alignment(horizontal="center", wrap_text=True)
    stale = PatternFill("solid", fgColor="FFC7CE")
    rows = region_cells(annual, lang)
    for i, cells in enumerate(rows, start=HEADER_ROW + 1):
        foot = i > HEADER_ROW + len(rows) - 2  # (last record, stale)
        for col, value in enumerate(cells, start=1):
            cell = sheet.cell(i, col)
            _text(cell, value)
            if col == 2:
                cell.alignment = wrap
                _fit_height(sheet, i, value, widths[1])
                if foot:
                    cell.font = bold
            elif col > 2:
                cell.alignment = Alignment(horizontal="center")
                if foot and annual.regions[col - 3].stale:
                    cell.fill = stale
    note = HEADER_ROW + len(rows) + 2
    _text(sheet.cell(note, 1), t(lang, "rpt.region_note"))


CHART_COLS = 9  # columns a chart spans
CHART_ROWS = 18  # rows a chart spans
PER_ROW = 2  # charts side by side
ROWS_A_PAGE = 2  # rows of charts on a printed page (a chart is never cut by a page break)


def _charts(sheet: Any, annual: Annual, lang: str) -> None:
    """One line chart per target with a goal, four to a printed page; its data (month
    ends × achieved, expected, projected) to the right of the charts, outside the printed
    area."""
    from openpyxl.utils import get_column_letter

    _heading(sheet, annual, lang, 1)
    if not annual.series:
        _text(sheet.cell(HEADER_ROW, 1), t(lang, "rpt.no_charts"))
        return
    first = CHART_COLS * PER_ROW + 2  # the data's first column
    last_row = _chart_days(sheet, annual.series[0].days, first, lang)
    names = (
        t(lang, "rpt.series_achieved"),
        t(lang, "rpt.series_expected"),
        t(lang, "rpt.series_projected"),
    )
    for n, series in enumerate(annual.series):
        col = first + 1 + 3 * n
        _chart_data(sheet, series, col, names)
        chart = _line_chart(sheet, series, lang, names, (col, first, last_row))
        row = HEADER_ROW + (n // PER_ROW) * CHART_ROWS
        column = get_column_letter(1 + (n % PER_ROW) * CHART_COLS)
        sheet.add_chart(chart, f"{column}{row}")
    _chart_pages(sheet, len(annual.series))


def _chart_days(sheet: Any, days: list[dt.date], first: int, lang: str) -> int:
    """The month ends down the data's first column; the last row they fill."""
    from openpyxl.utils import get_column_letter

    _text(sheet.cell(HEADER_ROW, first), t(lang, "rpt.month"))
    for i, day in enumerate(days, start=HEADER_ROW + 1):
        sheet.cell(i, first).value = day
        sheet.cell(i, first).number_format = "yyyy-mm-dd"
    sheet.column_dimensions[get_column_letter(first)].width = 11
    return HEADER_ROW + len(days)


def _chart_data(sheet: Any, series: Series, col: int, names: tuple[str, str, str]) -> None:
    """A target's achieved, expected and projected values, a column each from ``col``."""
    _text(sheet.cell(HEADER_ROW - 1, col), series.target.id)  # (which target's data)
    columns: tuple[Sequence[float | None], ...] = (
        series.achieved,
        series.expected,
        series.projected,
    )
    for k, (name, values) in enumerate(zip(names, columns, strict=True)):
        _text(sheet.cell(HEADER_ROW, col + k), f"{series.target.ref} {name}")
        for i, value in enumerate(values, start=HEADER_ROW + 1):
            sheet.cell(i, col + k).value = value


def _line_chart(
    sheet: Any, series: Series, lang: str, names: tuple[str, str, str], at: tuple[int, int, int]
) -> LineChart:
    """A target's chart of its data at ``at`` (its first column, the days' column, the
    last row): achieved solid, expected grey, projected dashed, on a date axis."""
    from openpyxl.chart import LineChart, Reference
    from openpyxl.chart.axis import DateAxis
    from openpyxl.chart.series import SeriesLabel

    col, first, last_row = at
    chart = LineChart()
    title = series.target.title if lang == "zh" else series.target.title_en
    chart.title = _chart_title(
        t(lang, "rpt.chart_title", ref=series.target.ref, title=title, goal=series.goal)
    )
    chart.height = 8.8
    chart.width = 16.5  # type: ignore[assignment]  # (openpyxl's stubs: an int; it takes cm)
    chart.y_axis.title = None
    chart.y_axis.delete = False
    # The month ends on a date axis, labelled once a year.
    chart.x_axis = DateAxis(crossAx=100)
    chart.x_axis.number_format = "yyyy"
    chart.x_axis.majorTimeUnit = "years"
    chart.x_axis.majorUnit = 1
    chart.x_axis.baseTimeUnit = "months"
    chart.x_axis.delete = False
    assert chart.legend is not None  # (a new chart has its legend)
    chart.legend.position = "b"
    data = Reference(sheet, min_col=col, max_col=col + 2, min_row=HEADER_ROW, max_row=last_row)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=first, min_row=HEADER_ROW + 1, max_row=last_row))
    achieved, expected, projected = chart.series
    for s, name in zip(chart.series, names, strict=True):
        s.tx = SeriesLabel(v=name)
    achieved.graphicalProperties.line.solidFill = "1F4E79"
    achieved.graphicalProperties.line.width = 28575
    expected.graphicalProperties.line.solidFill = "A6A6A6"
    projected.graphicalProperties.line.solidFill = "1F4E79"
    projected.graphicalProperties.line.dashStyle = "dash"
    for line in chart.series:
        line.smooth = False
        line.marker.symbol = "none"
    return chart


def _chart_pages(sheet: Any, charts: int) -> None:
    """Two rows of charts a printed page, the data outside the printed area."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.pagebreak import Break

    chart_rows = (charts + PER_ROW - 1) // PER_ROW
    for k in range(ROWS_A_PAGE, chart_rows, ROWS_A_PAGE):
        sheet.row_breaks.append(Break(id=HEADER_ROW - 1 + k * CHART_ROWS))
    rows = HEADER_ROW + chart_rows * CHART_ROWS
    sheet.print_area = f"A1:{get_column_letter(CHART_COLS * PER_ROW)}{rows}"
    for c in range(1, CHART_COLS * PER_ROW + 1):
        sheet.column_dimensions[get_column_letter(c)].width = 9


def _chart_title(text: str) -> Any:
    """A chart's title in 11-point bold (the default, 14-point, takes two lines)."""
    from openpyxl.chart.text import RichText, Text
    from openpyxl.chart.title import Title
    from openpyxl.drawing.text import (
        CharacterProperties,
        Paragraph,
        ParagraphProperties,
        RegularTextRun,
    )

    style = CharacterProperties(sz=1100, b=True)
    line = Paragraph(pPr=ParagraphProperties(defRPr=style), r=[RegularTextRun(rPr=style, t=text)])
    return Title(tx=Text(rich=RichText(p=[line])), overlay=False)


def _entries(sheet: Any, annual: Annual, lang: str) -> None:

    headers = entry_headers(lang)
    _heading(sheet, annual, lang, len(headers))
    note = entries_note(annual, lang)
    if note:
        scope = sheet.cell(3, 1).value
        _text(sheet.cell(3, 1), f"{scope}　{note}" if scope else note)
        sheet.cell(3, 1).font = _font(bold=True, color="9C0006")
    _header_row(sheet, HEADER_ROW, headers, [11, 8, 22, 28, 10, 14, 10, 30, 10, 8])
    grey = _font(color="808080", strike=True)
    rows = entry_cells(annual, lang)
    for i, cells in enumerate(rows, start=HEADER_ROW + 1):
        voided = bool(cells[-1])
        for col, value in enumerate(cells, start=1):
            cell = sheet.cell(i, col)
            _text(cell, value)
            if voided and col < len(cells):
                cell.font = grey
    if not rows:
        _text(sheet.cell(HEADER_ROW + 1, 1), t(lang, "rpt.no_entries"))


def _explanation(sheet: Any, annual: Annual, lang: str) -> None:
    from openpyxl.styles import Alignment

    bold, _fill, _wrap = _styles()
    top = Alignment(wrap_text=True, vertical="top")
    _heading(sheet, annual, lang, 2)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 100
    for i, (head, text) in enumerate(explanation(annual, lang), start=HEADER_ROW):
        _text(sheet.cell(i, 1), head)
        sheet.cell(i, 1).font = bold
        _text(sheet.cell(i, 2), text)
        sheet.cell(i, 1).alignment = sheet.cell(i, 2).alignment = top
        _fit_height(sheet, i, head, 24)
        _fit_height(sheet, i, text, 100)


def _print_setup(sheet: Any) -> None:
    """A4 landscape, fitted to the width, narrow margins, the page's number in the footer."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    margins = sheet.page_margins
    margins.left = margins.right = 0.4
    margins.top = margins.bottom = 0.6
    margins.header = margins.footer = 0.3
    sheet.oddFooter.center.text = "&P / &N"
    if not sheet.print_title_rows:
        sheet.print_title_rows = "1:2"
