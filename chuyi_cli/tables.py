"""Tables laid out before they are drawn, and tabulate's plain and Markdown tables.

Every table's columns have priorities, and the least needed drop as the width shrinks
(``layout``); what is left of the width goes to the text columns (titles, names, notes),
whose cells are wrapped or cut with … between words (``shape``). Off a terminal tabulate
draws them (``tabulated``, ``plain_table``); tabulate is imported only for plain text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from chuyi_cli.wrapping import (
    HELD,
    cell_lines,
    cut,
    display_width,
    least_width,
    plain_width,
    remember,
    wrap,
)

PLAIN_WIDTH = 99  # plain output (pipes, cron, --plain) unless --width says otherwise
_GAP = 2  # spaces between two columns


class Column(NamedTuple):
    """One column of a table and how it gives way when the width is short.

    ``priority`` 0 never drops; the higher, the sooner a column drops. A ``flex`` column
    (titles, names, notes) takes what width is left, at least ``min_width``, and its
    cells are wrapped (or cut with …, when the table asks for one line a row)."""

    header: str
    priority: int = 0
    numeric: bool = False
    flex: bool = False
    min_width: int = 12


class Styled(str):
    """A cell with its own style in a terminal (a ✓ in green); plain text elsewhere."""

    style: str

    def __new__(cls, text: str, style: str) -> Styled:
        cell = super().__new__(cls, text)
        cell.style = style
        return cell


class Layout(NamedTuple):
    keep: list[int]  # indexes of the columns shown, in order
    widths: list[int]  # width of each column shown
    need: list[int] | None = None  # the widest line of each in the rows laid out (None: unknown)


_ROOM = 6  # columns more than its least that a text column would like before others show
_READABLE = 12  # a text column narrower than this, once nothing else can give way
_ROOMY_LEVEL = 3  # columns of a lower priority never drop for that room, only to fit


def layout(
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    width: int | None,
    gap: int = _GAP,
    measure: Callable[[str], int] = display_width,
) -> Layout:
    """Which columns fit in ``width`` and how wide each is: the columns of the highest
    priority drop first, until what is left fits with some room for the main text
    (``min_width`` + 6; only columns of priority 3 and up drop for that room), else until
    it fits at all (or only priority 0 is left)."""
    cells = list(zip(*rows, strict=True)) or [()] * len(columns)
    distinct = [list(dict.fromkeys(cells[i])) for i in range(len(columns))]
    natural = []
    for i, col in enumerate(columns):
        header = max(measure(h) for h in col.header.split("\n"))
        widest = max((measure(x) for cell in distinct[i] for x in cell_lines(cell)), default=0)
        natural.append(max(header, widest))
    levels = sorted({c.priority for c in columns}, reverse=True)
    options = []
    for level in levels + [0]:
        keep = [i for i, c in enumerate(columns) if c.priority <= level]
        need = [natural[i] for i in keep]
        if width is None:
            return Layout(keep, need, need)
        least = [max(columns[i].min_width, measure(columns[i].header.split("\n")[0])) for i in keep]
        floor = [
            min(n, low) if columns[i].flex else n
            for i, n, low in zip(keep, need, least, strict=True)
        ]
        liked = [  # (the room is for the text that never drops: a title, a unit's name)
            min(n, low + _ROOM) if columns[i].flex and not columns[i].priority else floor_n
            for i, n, low, floor_n in zip(keep, need, least, floor, strict=True)
        ]
        room = width - gap * (len(keep) - 1)
        fits = sum(floor) <= room
        # Room for the text is worth dropping only the least needed (priority 3 and up).
        roomy = sum(liked) <= room or (fits and level < _ROOMY_LEVEL)
        options.append((keep, need, floor, room, roomy, fits))
    # The most columns that leave the text room; else the most that fit; else the fewest.
    keep, need, floor, room, _, _ = next(
        (o for o in options if o[4]), next((o for o in options if o[5]), options[-1])
    )
    widths = list(floor)
    spare = room - sum(widths)
    if spare < 0:  # nothing more to drop: the text columns narrower than they like
        _narrower(widths, keep, columns, distinct, measure, -spare)
        spare = room - sum(widths)
    flex = [k for k, i in enumerate(keep) if columns[i].flex]
    # What is left goes to the text columns, each up to what it needs.
    while spare > 0 and flex:
        wanting = [k for k in flex if widths[k] < need[k]]
        if not wanting:
            break
        share = max(1, spare // len(wanting))
        for k in wanting:
            add = min(share, need[k] - widths[k], spare)
            widths[k] += add
            spare -= add
    return Layout(keep, widths, need)


def _narrower(
    widths: list[int],
    keep: Sequence[int],
    columns: Sequence[Column],
    cells: Sequence[Sequence[str]],
    measure: Callable[[str], int],
    excess: int,
) -> None:
    """Take ``excess`` columns from the text columns (``cells``: each column's distinct
    cells), a column at a time from the widest:
    first none below its widest word or a readable width (its ``min_width``, at most
    12); then an id may break at its hyphens; then a column goes down to its widest
    word or id part (a Chinese name, a character)."""
    flex = [k for k, i in enumerate(keep) if columns[i].flex]
    for at_joins, readable in ((False, True), (True, True), (True, False)):
        least = {}
        for k in flex:
            col = columns[keep[k]]
            words = least_width(cells[keep[k]], measure, at_joins)
            header = max(measure(h) for h in col.header.split("\n"))
            least[k] = max(words, header, min(col.min_width, _READABLE) if readable else 0)
        while excess > 0:
            able = [k for k in flex if widths[k] > least[k]]
            if not able:
                break
            widest = max(able, key=lambda k: widths[k])
            widths[widest] -= 1
            excess -= 1


def shape(
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    plan: Layout,
    one_line: bool,
    measure: Callable[[str], int] = display_width,
    fixed: bool = False,
) -> list[list[str]]:
    """The cells of the columns kept, each wrapped (or cut) to its column's width
    (``fixed``: a cell of a column that is not text is cut too, should it be wider)."""

    def shaper(k: int, i: int) -> Callable[[str], str]:
        # (a column whose widest line fits: each line of it fits)
        fits = plan.need is not None and plan.need[k] <= plan.widths[k]
        width = plan.widths[k]
        return lambda text: _shaped(text, columns[i], width, one_line, measure, fixed, fits)

    kept = (
        rows
        if plan.keep == list(range(len(columns)))
        else [[row[i] for i in plan.keep] for row in rows]
    )
    return each_distinct(kept, [shaper(k, i) for k, i in enumerate(plan.keep)])


def each_distinct(
    rows: Sequence[Sequence[str]], change: Sequence[Callable[[str], str]]
) -> list[list[str]]:
    """The rows with each cell of column k changed by ``change[k]``, called once for each
    distinct cell of the column (a long list repeats its titles and days)."""
    if not rows:
        return []
    changed = []
    for k, column in enumerate(zip(*rows, strict=True)):
        done = {cell: change[k](cell) for cell in set(column)}
        changed.append([done[cell] for cell in column])
    if not changed:
        return [[] for _ in rows]
    return [list(cells) for cells in zip(*changed, strict=True)]


def _shaped(
    text: str,
    column: Column,
    width: int,
    one_line: bool,
    measure: Callable[[str], int],
    fixed: bool,
    fits: bool = False,
) -> str:
    """One cell wrapped (or cut) to its column's width (see ``shape``; ``fits``: every
    line of the column is known to fit)."""
    lines: Sequence[str] = cell_lines(text)
    if len(lines) == 1 and (fits or measure(lines[0]) <= width):
        return lines[0]  # (one line that fits: as it is, however the column takes it)
    if fixed and not column.flex:
        lines = [cut(line, width, measure) for line in lines]
    elif column.flex:
        if one_line:
            lines = [cut(" ".join(lines), width, measure)]
        else:
            lines = [x for line in lines for x in wrap(line, width, measure)]
    return "\n".join(lines)


def one_line_header(header: str) -> str:
    """A header on one line, as tabulate draws it: 差距(百分点), Gap (points)."""
    return header.replace("\n", " " if header.isascii() else "")


def as_columns(columns: Sequence[Column | str], numeric: Sequence[int] = ()) -> list[Column]:
    """Columns, a bare header standing for a text column that wraps and never drops."""
    return [
        c if isinstance(c, Column) else Column(c, numeric=i in numeric, flex=i not in numeric,
                                               min_width=8)
        for i, c in enumerate(columns)
    ]  # fmt: skip


class _Widths:
    """wcwidth as tabulate calls it, remembering each cell's width: tabulate measures
    every cell several times, and printable ASCII is its length."""

    def __init__(self, module: Any) -> None:
        from functools import lru_cache

        self.wcwidth = module.wcwidth
        measure = lru_cache(maxsize=HELD)(module.wcswidth)
        self.wcswidth = lambda s: len(s) if s.isascii() and s.isprintable() else measure(s)


def _tabulate() -> Any:
    """tabulate, its wide characters measured by wcwidth (remembered, see ``_Widths``)."""
    import tabulate

    tab: Any = tabulate  # (its module-level wcwidth is not in tabulate's stubs)
    if not isinstance(tab.wcwidth, _Widths) and tab.wcwidth is not None:
        tab.wcwidth = _Widths(tab.wcwidth)
    return tab


def tabulated(
    headers: Sequence[str] | None,
    rows: Sequence[Sequence[str]],
    numeric: Sequence[bool] = (),
    markdown: bool = False,
) -> str:
    """A table drawn as tabulate draws it: ``simple`` (columns two spaces apart under a
    dashed rule, a cell may hold several lines) or GitHub Markdown (``markdown``: a cell
    on one line, ``|`` escaped). Wide characters are counted double (wcwidth). A table
    with a header and rows is drawn here (the same text, each distinct cell measured
    once); tabulate draws the others."""
    if markdown:
        rows = each_distinct(rows, [_markdown_cell] * len(rows[0]) if rows else [])
    elif any("\n" in "".join(row) for row in rows):
        # a row of several lines as several rows: the same text, tabulate's fast path
        rows = [part for row in rows for part in _row_lines(row)]
    headers = [one_line_header(h) for h in headers or ()]
    if rows and headers:
        drawn = _drawn(headers, rows, numeric, markdown)
        if drawn is not None:
            return drawn
    tab = _tabulate()
    tab.MIN_PADDING = 0  # columns as wide as their widest cell, not the header + 2
    tab.PRESERVE_WHITESPACE = False
    align = ["right" if (numeric[i] if i < len(numeric) else False) else "left" for i in
             range(len(headers or (rows[0] if rows else [])))]  # fmt: skip
    text = tab.tabulate(
        rows,
        headers=list(headers) if headers else (),
        tablefmt="github" if markdown else "simple",
        colalign=(align or None) if rows else None,  # (tabulate fails on it with no row)
        disable_numparse=True,
    )
    return "\n".join(line.rstrip() for line in text.split("\n")) + "\n"


def _markdown_cell(cell: str) -> str:
    """A cell on one line of a Markdown table: its lines joined, ``|`` escaped."""
    return _joined_lines(cell).replace("|", "\\|")


def _row_lines(row: Sequence[str]) -> list[Sequence[str]]:
    """A row whose cells hold several lines as several rows, a line of each cell in each."""
    if not any("\n" in c for c in row):
        return [row]
    split = [c.split("\n") for c in row]
    return [
        [parts[n] if n < len(parts) else "" for parts in split]
        for n in range(max(map(len, split), default=1))
    ]


def _drawn(
    headers: list[str], rows: Sequence[Sequence[str]], numeric: Sequence[bool], markdown: bool
) -> str | None:
    """The table tabulate draws (``simple`` or ``github``, headers given, cells stripped
    as tabulate strips them, lines without trailing spaces), each distinct cell measured
    and padded once; None for a cell tabulate would measure otherwise (an escape
    sequence in it, or a character wcwidth cannot measure)."""
    columns = list(zip(*rows, strict=True))
    padded: list[list[str]] = []  # each column's cells as drawn, padded to its width
    heads: list[str] = []  # its header, padded alike (a header is not stripped)
    widths = []
    for k, head in enumerate(headers):
        stripped = {c: c.strip() for c in set(columns[k])}
        if any("\x1b" in c for c in stripped):
            return None
        sizes = {c: text_width(c) for c in [*stripped.values(), head]}
        if min(sizes.values()) < 0:
            return None
        width = max(sizes.values())
        widths.append(width)
        # (padded with as many spaces as its text is narrower than the column)
        pad = str.rjust if k < len(numeric) and numeric[k] else str.ljust
        done = {c: pad(t, len(t) + width - sizes[t]) for c, t in stripped.items()}
        padded.append([done[c] for c in columns[k]])
        heads.append(pad(head, len(head) + width - sizes[head]))
    if markdown:
        rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
        lines = ["| " + " | ".join(cells) + " |" for cells in [heads, *zip(*padded, strict=True)]]
    else:
        rule = "  ".join("-" * w for w in widths).rstrip()
        lines = ["  ".join(cells).rstrip() for cells in [heads, *zip(*padded, strict=True)]]
    lines.insert(1, rule)
    return "\n".join(lines) + "\n"


_WIDTHS: dict[str, int] = {}


def text_width(text: str) -> int:
    """Columns a text takes as tabulate measures it (``wcwidth.wcswidth``: -1 for a
    character it cannot measure), remembered."""
    found = _WIDTHS.get(text)
    if found is None:
        if text.isascii() and text.isprintable():
            found = len(text)
        else:
            found = plain_width(text)
        if found is None:
            from importlib import import_module

            found = int(import_module("wcwidth").wcswidth(text))
        remember(_WIDTHS, text, found)
    return found


def _joined_lines(cell: str) -> str:
    """A cell's lines on one line, `` / `` between them."""
    return " / ".join(cell.split("\n"))


def plain_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    title: str | None = None,
    numeric: Sequence[int] = (),
    fmt: str = "simple",
    width: int | None = PLAIN_WIDTH,
    columns: Sequence[Column] | None = None,
) -> str:
    """A plain text (``simple``) or Markdown (``github``) table, fitted to ``width``
    (Markdown: one line a row, a long text cut with …), with a blank line before and
    after."""
    cols = [c._replace(header=one_line_header(c.header))
            for c in as_columns(columns or headers, numeric)]  # fmt: skip
    cells = [["" if c is None else str(c) for c in row] for row in rows]
    markdown = fmt == "github"
    if markdown:  # one line a row: a cell's lines joined
        cells = each_distinct(cells, [_joined_lines] * len(cols))
    if markdown:  # `| a | b |`: three columns between cells and two at each edge
        plan = layout(cols, cells, None if width is None else width - 4, gap=3)
    else:
        plan = layout(cols, cells, width)
    shaped = shape(cols, cells, plan, one_line=markdown)
    text = tabulated(
        [cols[i].header for i in plan.keep], shaped, [cols[i].numeric for i in plan.keep], markdown
    )
    head = f"{title}\n\n" if title and markdown else (f"{title}\n" if title else "")
    return head + text + "\n"
