"""Output: a command's result in a terminal (Rich) or as plain text (tabulate), JSON.

The width is ``--width N``, else the terminal's, else (pipes, cron, ``--plain``) 100
columns, and no line of any output is longer than 998 bytes (the limit of a mail's line).
Rich is imported only for a terminal and tabulate only for plain text, so a run imports
one of them at most. Tables are laid out in ``tables``; text is measured, wrapped and made
safe to show in ``wrapping``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from typing import IO, Any

from chuyi_cli.i18n import Words
from chuyi_cli.tables import (
    PLAIN_WIDTH,
    Column,
    Layout,
    as_columns,
    layout,
    one_line_header,
    shape,
    tabulated,
)
from chuyi_cli.wrapping import cut, display_width, fit_text, json_shown, printable, shown, wrap

CLASS_STYLES = {
    "done": "bold green",
    "on_track": "green",
    "behind": "yellow",
    "off_track": "bold red",
    "not_started": "dim",
    "no_goal": "cyan",
}


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
        plan = plan._replace(need=None)  # (a later chunk's text may be wider than the first's)
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
