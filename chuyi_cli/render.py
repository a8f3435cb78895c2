"""Output: rich tables in a terminal; tabulate's plain and Markdown tables elsewhere.

Every table is laid out here before it is drawn: its columns have priorities, and the
least needed drop as the width shrinks (``layout``); what is left of the width goes to the
text columns (titles, names, notes), whose cells are wrapped or cut with … between words,
never inside one: a run of Latin letters or digits, an id, a date or a number stays whole,
and Chinese punctuation stays with the character it belongs to (``wrap``, ``cut``).

The width is ``--width N``, else the terminal's, else (pipes, cron, ``--plain``) 100
columns, and no line of any output is longer than 998 bytes (the limit of a mail's line).
Rich is imported only for a terminal and tabulate only for plain text, so a run imports
one of them at most.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any, NamedTuple
from unicodedata import combining, east_asian_width

from chuyi_cli.i18n import Words

CLASS_STYLES = {
    "done": "bold green",
    "on_track": "green",
    "behind": "yellow",
    "off_track": "bold red",
    "not_started": "dim",
    "no_goal": "cyan",
}

PLAIN_WIDTH = 99  # plain output (pipes, cron, --plain) unless --width says otherwise
MAIL_LINE_BYTES = 998  # RFC 5322: no line of a mail longer than this, CRLF aside
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


def wants_terminal(plain: bool, stream: IO[str]) -> bool:
    """Rich output only for a real terminal that has not asked for plain text."""
    if plain or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def no_color() -> bool:
    """NO_COLOR set and not empty (https://no-color.org): no colour, same layout."""
    return bool(os.environ.get("NO_COLOR"))


def bar(share: float | None, width: int = 10) -> str:
    if share is None:
        return ""
    filled = round(max(0.0, min(share, 1.0)) * width)
    return "#" * filled + "." * (width - filled)


def percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.0f}%"


def points(share: float | None) -> str:
    """A difference of shares in percentage points: +5, -12."""
    return "—" if share is None else f"{share * 100:+.0f}"


# --------------------------------------------------------------------------- widths


def display_width(text: str) -> int:
    """Columns a terminal gives ``text``: 2 for wide (CJK) characters, 0 for combining ones."""
    if text.isascii():
        return len(text)
    width = 0
    for ch in text:
        if combining(ch):
            continue
        width += 2 if east_asian_width(ch) in "WF" else 1
    return width


# Characters a terminal would obey rather than show, besides the control characters
# (C0, DEL, C1: escape sequences, OSC 52 clipboard writes, clear-screen, title changes):
# those that turn the direction of text or break its line.
_OBEYED = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                    "\u2066\u2067\u2068\u2069\u2028\u2029")  # fmt: skip
RECORD_CELL = 80  # columns: text from a record longer than this is cut with … in tables


def _escaped(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def shown(text: str, limit: int | None = None, keep: str = "\n\t") -> str:
    """Text from a record (unit, note, recorder, evidence, a reason) as every output but
    JSON shows it: as text. A control character or one that turns the text's direction is
    written escaped (ESC as ``\\x1b``), so nothing in a record can move the cursor, clear
    the screen, set the title, write the clipboard or hide what follows it; ``keep``: the
    ones left as they are (a line break, a tab). Rich markup needs nothing here: chuyi's
    console never reads markup. ``limit``: wider than this many columns, the text is cut
    with … (for a table cell; JSON keeps it whole). The one place that decides this."""
    if not text.isprintable():
        text = "".join(
            _escaped(ch)
            if (ch in _OBEYED or (unicodedata.category(ch) == "Cc" and ch not in keep))
            else ch
            for ch in text
        )
    if limit is not None and display_width(text) > limit:
        return cut(text, limit)
    return text


class ForTerminal:
    """A text stream for a terminal that data is written to (``export`` with no file):
    each piece written as ``shown`` shows it, line ends as the terminal's. A file or a
    pipe gets the data exactly; a person at a terminal gets it as text."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.encoding = getattr(stream, "encoding", None)

    def write(self, text: str) -> int:
        self.stream.write(shown(text.replace("\r\n", "\n")))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return True


def printable(text: str) -> str:
    """A line as it may be printed (see ``shown``)."""
    return shown(text, keep="")


# Characters that never begin a line (closing punctuation) and never end one (opening).
_NO_START = set("”’）》」』】〕〉，。、；：！？…·%)]}.,;:!?")
_NO_END = set("“‘（《「『【〔〈([{")
# What joins Latin letters and digits into one run (an id, a date, a number, a path).
_JOINS = set("_.-+/:#%@'’")


def _words(chunk: str) -> list[str]:
    """A chunk without spaces as runs of Latin letters and digits (with what joins them)
    and single other characters. (No regular expression: compiling one costs more than
    this loop on what chuyi prints.)"""
    out, i, n = [], 0, len(chunk)
    while i < n:
        ch = chunk[i]
        if ch.isascii() and ch.isalnum():
            j = i + 1
            while j < n and (chunk[j] in _JOINS or (chunk[j].isascii() and chunk[j].isalnum())):
                j += 1
            out.append(chunk[i:j])
            i = j
        else:
            out.append(ch)
            i += 1
    return out


def tokens(text: str, fine: bool = False) -> list[str]:
    """Pieces a line may break between: a word, number, id or date whole; one Chinese
    character with its punctuation; a space as its own piece. A short run between spaces
    (已完成, 进度正常) is one piece too, unless ``fine``."""
    pieces: list[str] = []
    for k, chunk in enumerate(text.split()):
        if k:
            pieces.append(" ")
        if len(chunk) <= 6 and not fine:
            pieces.append(chunk)
            continue
        glued: list[str] = []
        for part in _words(chunk):
            if glued and (part[0] in _NO_START or glued[-1][-1] in _NO_END):
                glued[-1] += part
            else:
                glued.append(part)
        pieces.extend(glued)
    return pieces


def _hard_split(piece: str, width: int, measure: Callable[[str], int]) -> list[str]:
    """A piece wider than the whole cell: split it by characters (the only way left)."""
    out, line = [], ""
    for ch in piece:
        if line and measure(line + ch) > width:
            out.append(line)
            line = ""
        line += ch
    return out + ([line] if line else [])


def wrap(text: str, width: int, measure: Callable[[str], int] = display_width) -> list[str]:
    """``text`` in lines of at most ``width`` columns, broken only between tokens."""
    if "\n" not in text and measure(text) <= width:
        return [text.strip()]
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for piece in tokens(paragraph):
            if piece == " ":
                if line:
                    line += " "
                continue
            if measure(line + piece) <= width:
                line += piece
                continue
            if line.strip():
                lines.append(line.rstrip())
            line = ""
            for part in _finer(piece, width, measure):
                if measure(line + part) <= width:
                    line += part
                    continue
                if line:
                    lines.append(line)
                if measure(part) > width:
                    *full, part = _hard_split(part, width, measure)
                    lines.extend(full)
                line = part
        lines.append(line.rstrip())
    return lines


def _finer(piece: str, width: int, measure: Callable[[str], int]) -> list[str]:
    """A piece too wide for a line, in smaller pieces: punctuation unglued only when a
    word with its punctuation is still too wide."""
    if measure(piece) <= width:
        return [piece]
    out = []
    for part in tokens(piece, fine=True):
        for word in _words(part) if measure(part) > width else [part]:
            out.extend(_after_joins(word) if measure(word) > width else [word])
    return out


def _after_joins(word: str) -> list[str]:
    """An id or a path wider than a line, in parts that each end at what joins it
    (``excellent-`` ``technician-`` ``schools``): broken there, and only there, when it
    must break at all."""
    parts, start = [], 0
    for i, ch in enumerate(word):
        if ch in "-_/." and 0 < i < len(word) - 1:
            parts.append(word[start : i + 1])
            start = i + 1
    return parts + [word[start:]]


def least_width(
    cells: Iterable[str], measure: Callable[[str], int] = display_width, at_joins: bool = True
) -> int:
    """The narrowest a column of these cells can be with nothing split but between words
    (and ``at_joins``, an id at its hyphens)."""
    least = 1
    for cell in cells:
        for line in _cell_lines(cell):
            for piece in tokens(line, fine=True):
                for word in _words(piece):
                    for part in _after_joins(word) if at_joins else [word]:
                        least = max(least, measure(part))
    return least


def wrap_items(
    items: Sequence[str], width: int, sep: str = "、", measure: Callable[[str], int] = display_width
) -> list[str]:
    """A list of names on lines of at most ``width`` columns, broken only after ``sep``:
    a name is never split (unless it alone is wider than a line)."""
    lines: list[str] = []
    line = ""
    for n, item in enumerate(items):
        piece = item + (sep if n < len(items) - 1 else "")
        if line and measure(line + piece) > width:
            lines.append(line)
            line = ""
        if measure(piece) > width:
            *full, piece = wrap(piece, width, measure)
            lines.extend(full)
        line += piece
    return lines + [line] if line else lines


def cut(text: str, width: int, measure: Callable[[str], int] = display_width) -> str:
    """``text`` on one line of at most ``width`` columns, ended with … where it is cut
    (between tokens, or inside one only when the first is wider than the cell)."""
    text = " ".join(text.split())
    if measure(text) <= width:
        return text
    line = ""
    for piece in tokens(text, fine=True):
        if measure(line + piece) > width - 1:
            break
        line += piece
    if not line.strip():
        line = _hard_split(text, max(width - 1, 1), measure)[0]
        if measure(line) > width - 1:
            return "…"[:width]
    return line.rstrip() + "…"


def fit_line(line: str, limit: int = MAIL_LINE_BYTES) -> list[str]:
    """A line as several, none over ``limit`` bytes in UTF-8 (broken between tokens)."""
    if len(line) * 4 <= limit or len(line.encode()) <= limit:
        return [line]
    out, part = [], ""
    for piece in tokens(line):
        if len((part + piece).encode()) > limit:
            if part.strip():
                out.append(part.rstrip())
                part = ""
            while len(piece.encode()) > limit:
                head = piece.encode()[:limit].decode(errors="ignore")
                out.append(head)
                piece = piece[len(head) :]
            piece = piece.lstrip() if not part else piece
        part += piece
    return out + [part.rstrip()]


def fit_text(text: str, limit: int = MAIL_LINE_BYTES) -> str:
    """Every line of ``text`` within ``limit`` bytes."""
    if len(text) * 4 <= limit:
        return text
    return "\n".join(part for line in text.split("\n") for part in fit_line(line, limit))


# --------------------------------------------------------------------------- layout


def _cell_lines(cell: str) -> list[str]:
    return [printable(" ".join(part.split())) for part in cell.split("\n")]


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
    natural = []
    for i, col in enumerate(columns):
        lines = [_cell_lines(row[i]) for row in rows]
        header = max(measure(h) for h in col.header.split("\n"))
        natural.append(max([header] + [measure(x) for ls in lines for x in ls]))
    levels = sorted({c.priority for c in columns}, reverse=True)
    options = []
    for level in levels + [0]:
        keep = [i for i, c in enumerate(columns) if c.priority <= level]
        need = [natural[i] for i in keep]
        if width is None:
            return Layout(keep, need)
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
        _narrower(widths, keep, columns, rows, measure, -spare)
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
    return Layout(keep, widths)


def _narrower(
    widths: list[int],
    keep: Sequence[int],
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    measure: Callable[[str], int],
    excess: int,
) -> None:
    """Take ``excess`` columns from the text columns, a column at a time from the widest:
    first none below its widest word or a readable width (its ``min_width``, at most
    12); then an id may break at its hyphens; then a column goes down to its widest
    word or id part (a Chinese name, a character)."""
    flex = [k for k, i in enumerate(keep) if columns[i].flex]
    for at_joins, readable in ((False, True), (True, True), (True, False)):
        least = {}
        for k in flex:
            col = columns[keep[k]]
            words = least_width([row[keep[k]] for row in rows], measure, at_joins)
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
    shaped = []
    for row in rows:
        cells = []
        for k, i in enumerate(plan.keep):
            lines = _cell_lines(row[i])
            w = plan.widths[k]
            if fixed and not columns[i].flex:
                lines = [cut(line, w, measure) for line in lines]
            elif columns[i].flex:
                if one_line:
                    lines = [cut(" ".join(lines), w, measure)]
                else:
                    lines = [x for line in lines for x in wrap(line, w, measure)]
            cells.append("\n".join(lines))
        shaped.append(cells)
    return shaped


# --------------------------------------------------------------------------- output


class Output:
    """Where a command's result goes, in the form the reader needs.

    ``width``: ``--width N``; else the terminal's width in a terminal, else 100."""

    def __init__(
        self,
        lang: str,
        plain: bool = False,
        stream: IO[str] | None = None,
        width: int | None = None,
    ) -> None:
        self.stream = stream or sys.stdout
        self.words = Words(lang)
        self.terminal = wants_terminal(plain, self.stream)
        self.color = self.terminal and not no_color()
        self._width = width
        self._console: Any = None

    @property
    def console(self) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(
                file=self.stream,
                highlight=False,
                soft_wrap=False,
                markup=False,
                emoji=False,
                no_color=not self.color,
                width=self._width,
            )
        return self._console

    @property
    def width(self) -> int:
        """``--width N``; else the terminal's; plain text at most 100, even in a terminal."""
        if self._width:
            return self._width
        if self.terminal:
            return int(self.console.width)
        isatty = getattr(self.stream, "isatty", None)
        if isatty and isatty():
            import shutil

            return min(PLAIN_WIDTH, shutil.get_terminal_size((PLAIN_WIDTH, 24)).columns)
        return PLAIN_WIDTH

    def measure(self, text: str) -> int:
        if self.terminal:
            from rich.cells import cell_len

            return int(cell_len(text))
        return display_width(text)

    def json(self, value: Any) -> None:
        import json

        from chuyi_cli.streams import is_utf8

        # JSON is data: to a stream that is not UTF-8 (a GBK console) every character
        # outside ASCII is escaped, so whatever reads it gets the same values.
        ascii_only = not is_utf8(getattr(self.stream, "encoding", None) or "utf-8")
        text = json.dumps(value, ensure_ascii=ascii_only, indent=2, default=str)
        self.stream.write(json_shown(text) + "\n")

    def json_array(self, values: Iterable[Any]) -> None:
        """A JSON array written item by item (as ``json`` writes a list), for long ones."""
        import json

        from chuyi_cli.streams import is_utf8

        ascii_only = not is_utf8(getattr(self.stream, "encoding", None) or "utf-8")
        first = True
        for value in values:
            text = json_shown(json.dumps(value, ensure_ascii=ascii_only, indent=2, default=str))
            self.stream.write(("[\n" if first else ",\n") + "  " + text.replace("\n", "\n  "))
            first = False
        self.stream.write("[]\n" if first else "\n]\n")

    def line(self, text: str = "", style: str | None = None) -> None:
        """A paragraph, wrapped to the width between words."""
        lines = wrap(printable(text), self.width, self.measure) if text else [""]
        if self.terminal:
            from rich.text import Text

            for line in lines:
                self.console.print(Text(line, style=(style or "") if self.color else ""))
        else:
            self.stream.write(fit_text("\n".join(lines)) + "\n")

    def pre(self, lines: Sequence[str], style: str | None = None) -> None:
        """Lines laid out already (a chart): spaces kept, each cut to the width."""
        width = self.width
        kept = [line if self.measure(line) <= width else cut(line, width, self.measure)
                for line in (printable(x) for x in lines)]  # fmt: skip
        if self.terminal:
            from rich.text import Text

            for line in kept:
                self.console.print(Text(line, style=(style or "") if self.color else ""))
        else:
            self.stream.write(fit_text("\n".join(kept)) + "\n")

    def table(
        self,
        columns: Sequence[Column | str],
        rows: Sequence[Sequence[Any]],
        title: str | None = None,
        styles: Sequence[str | None] | None = None,
        numeric: Sequence[int] = (),
        one_line: bool = False,
        header: bool = True,
    ) -> None:
        """A table fitted to the width; ``styles`` colours whole rows in a terminal.
        A column given as a header alone is a text column that never drops (``numeric``:
        the indexes of those right-aligned). ``one_line``: text cells are cut with …
        rather than wrapped."""
        columns = self._columns(columns, numeric)
        cells = [["" if c is None else str(c) for c in row] for row in rows]
        plan = layout(columns, cells, self.width, measure=self.measure)
        shaped = shape(columns, cells, plan, one_line, self.measure)
        if title:
            self.line(title, "bold")
        if self.terminal:
            own = [[getattr(row[i], "style", None) for i in plan.keep] for row in rows]
            self._rich_table(columns, plan, shaped, styles, header, own)
        else:
            headers = [columns[i].header for i in plan.keep] if header else None
            right = [columns[i].numeric for i in plan.keep]
            self.stream.write(fit_text(tabulated(headers, shaped, right)) + "\n")

    def _columns(
        self, columns: Sequence[Column | str], numeric: Sequence[int] = ()
    ) -> list[Column]:
        """The columns, their headers on one line off a terminal (tabulate's headers)."""
        cols = as_columns(columns, numeric)
        if self.terminal:
            return cols
        return [c._replace(header=one_line_header(c.header)) for c in cols]

    def _rich_table(
        self,
        columns: Sequence[Column],
        plan: Layout,
        shaped: list[list[str]],
        styles: Sequence[str | None] | None,
        header: bool,
        own: Sequence[Sequence[str | None]] | None = None,
    ) -> None:
        from rich import box
        from rich.table import Table
        from rich.text import Text

        table = Table(
            box=box.SIMPLE_HEAD,
            show_edge=False,
            pad_edge=False,
            padding=(0, 1, 0, 0),  # with the box's divider: columns two spaces apart
            show_header=header,
            header_style="bold" if self.color else "",
        )
        for k, i in enumerate(plan.keep):
            table.add_column(
                columns[i].header,
                justify="right" if columns[i].numeric else "left",
                width=plan.widths[k],
                # (Laid out already; should Rich still narrow a column, folding keeps
                # every character: a record is never cropped.)
                overflow="fold",
            )
        for n, row in enumerate(shaped):
            style = (styles[n] if styles else None) or ""
            cells = [
                Text(c, style=(own[n][k] or "") if own and self.color else "")
                for k, c in enumerate(row)
            ]
            table.add_row(*cells, style=style if self.color else "")
        self.console.print(table)

    def stream_table(
        self,
        columns: Sequence[Column | str],
        rows: Iterable[tuple[Sequence[Any], str | None]],
        widest: Sequence[Sequence[str]] = (),
        chunk: int = 500,
    ) -> int:
        """A table of rows that arrive one by one (``(cells, style)``), printed a chunk at
        a time: laid out once from the first chunk and ``widest`` (the widest values the
        fixed columns can take), so later chunks line up under the same header. Returns
        the number of rows."""
        from itertools import islice

        cols = self._columns(columns)
        source = iter(rows)
        batch = list(islice(source, chunk))
        sample = [["" if c is None else str(c) for c in row] for row, _ in batch]
        plan = layout(cols, sample + [list(w) for w in widest], self.width, measure=self.measure)
        count, first = 0, True
        while batch:
            cells = [["" if c is None else str(c) for c in row] for row, _ in batch]
            shaped = shape(cols, cells, plan, one_line=False, measure=self.measure, fixed=True)
            if self.terminal:
                self._rich_table(cols, plan, shaped, [s for _, s in batch], first)
            else:
                self.stream.write(fit_text(self._fixed_plain(cols, plan, shaped, first)))
                self.stream.flush()
            count += len(batch)
            first = False
            batch = list(islice(source, chunk))
        return count

    def _fixed_plain(
        self, cols: Sequence[Column], plan: Layout, shaped: list[list[str]], header: bool
    ) -> str:
        """Rows padded to the layout's widths, so chunk after chunk lines up under the
        header tabulate drew for the first (tabulate itself would measure every cell of
        every chunk again, for widths already fixed)."""

        def pad(text: str, k: int) -> str:
            room = plan.widths[k] - self.measure(text)
            return " " * room + text if cols[plan.keep[k]].numeric else text + " " * room

        out = []
        if header:
            heads = [cols[i].header for i in plan.keep]
            numeric = [cols[i].numeric for i in plan.keep]
            # (a row as wide as each column, left out: the header and rule at those widths)
            widest = [["x" * w for w in plan.widths]]
            out.extend(tabulated(heads, widest, numeric).rstrip("\n").split("\n")[:-1])
        for row in shaped:
            parts = [cell.split("\n") for cell in row]
            for n in range(max(len(p) for p in parts)):
                cells = [pad(p[n] if n < len(p) else "", k) for k, p in enumerate(parts)]
                out.append("  ".join(cells).rstrip())
        return "\n".join(out) + "\n"

    def text(self, text: str) -> None:
        self.stream.write(fit_text(shown(text)))


_JSON_OBEYED = "[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"


def json_shown(text: str) -> str:
    """JSON with the characters a terminal would obey written as ``\\u`` escapes (JSON
    escapes C0 itself): the same values for whatever reads it."""
    if text.isascii():
        return text
    import re  # (compiled only for JSON that holds more than ASCII: not on status's path)

    return re.sub(_JSON_OBEYED, lambda m: f"\\u{ord(m.group()):04x}", text)


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
        measure = lru_cache(maxsize=8192)(module.wcswidth)
        self.wcswidth = lambda s: len(s) if s.isascii() and s.isprintable() else measure(s)


def _tabulate() -> Any:
    """tabulate, its wide characters measured by wcwidth (remembered, see ``_Widths``)."""
    import tabulate as tab

    if not isinstance(tab.wcwidth, _Widths) and tab.wcwidth is not None:
        tab.wcwidth = _Widths(tab.wcwidth)
    return tab


def tabulated(
    headers: Sequence[str] | None,
    rows: Sequence[Sequence[str]],
    numeric: Sequence[bool] = (),
    markdown: bool = False,
) -> str:
    """A table drawn by tabulate: ``simple`` (columns two spaces apart under a dashed
    rule, a cell may hold several lines) or GitHub Markdown (``markdown``: a cell on one
    line, ``|`` escaped). Wide characters are counted double (tabulate with wcwidth)."""
    tab = _tabulate()
    tab.MIN_PADDING = 0  # columns as wide as their widest cell, not the header + 2
    tab.PRESERVE_WHITESPACE = False
    align = ["right" if (numeric[i] if i < len(numeric) else False) else "left" for i in
             range(len(headers or (rows[0] if rows else [])))]  # fmt: skip
    if markdown:
        rows = [[c.replace("\n", " / ").replace("|", "\\|") for c in row] for row in rows]
    else:  # a row of several lines as several rows: the same text, tabulate's fast path
        rows = [
            [parts[n] if n < len(parts) else "" for parts in split]
            for split in ([c.split("\n") for c in row] for row in rows)
            for n in range(max(map(len, split), default=1))
        ]
    headers = [one_line_header(h) for h in headers or ()]
    text = tab.tabulate(
        rows,
        headers=list(headers) if headers else (),
        tablefmt="github" if markdown else "simple",
        colalign=(align or None) if rows else None,  # (tabulate fails on it with no row)
        disable_numparse=True,
    )
    return "\n".join(line.rstrip() for line in text.split("\n")) + "\n"


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
        cells = [[" / ".join(c.split("\n")) for c in row] for row in cells]
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


def rows_of(items: Iterable[Sequence[Any]]) -> list[list[str]]:
    return [["" if c is None else str(c) for c in row] for row in items]
