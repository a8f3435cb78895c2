"""Output: rich tables in a terminal; plain text tables for pipes, cron, NO_COLOR, TERM=dumb.

Rich is imported only when stdout is a terminal, and plain tables are drawn here with the
standard library's East Asian Width data, so a cron run imports nothing heavy.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import IO, Any
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


def wants_terminal(plain: bool, stream: IO[str]) -> bool:
    """Rich output only for a real terminal that has not asked for plain text."""
    if plain or os.environ.get("NO_COLOR") is not None or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


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


class Output:
    """Where a command's result goes, in the form the reader needs."""

    def __init__(self, lang: str, plain: bool = False, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stdout
        self.words = Words(lang)
        self.terminal = wants_terminal(plain, self.stream)
        self._console: Any = None

    @property
    def console(self) -> Any:
        if self._console is None:
            from rich.console import Console

            self._console = Console(file=self.stream, highlight=False, soft_wrap=False)
        return self._console

    def json(self, value: Any) -> None:
        import json

        self.stream.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")

    def line(self, text: str = "", style: str | None = None) -> None:
        if self.terminal:
            from rich.text import Text

            self.console.print(Text(text, style=style or ""))
        else:
            self.stream.write(text + "\n")

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[Any]],
        title: str | None = None,
        styles: Sequence[str | None] | None = None,
        numeric: Sequence[int] = (),
        fmt: str = "simple",
    ) -> None:
        """A table; ``styles`` colours whole rows in a terminal, ``numeric`` right-aligns."""
        cells = [["" if c is None else str(c) for c in row] for row in rows]
        if self.terminal:
            from rich.table import Table

            table = Table(title=title, title_justify="left", show_lines=False)
            for i, header in enumerate(headers):
                table.add_column(
                    header, overflow="fold", justify="right" if i in numeric else "left"
                )
            for i, row in enumerate(cells):
                table.add_row(*row, style=(styles[i] if styles else None) or None)
            self.console.print(table)
            return
        self.stream.write(plain_table(headers, cells, title, numeric, fmt))

    def text(self, text: str) -> None:
        self.stream.write(text)


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


def _printable(text: str) -> str:
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else " " for ch in text)


def plain_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    title: str | None = None,
    numeric: Sequence[int] = (),
    fmt: str = "simple",
) -> str:
    """A text table whose every line has the same display width (wide characters counted).

    ``simple``: columns two spaces apart under a dashed rule; ``github``: Markdown pipes.
    A cell may hold several lines (a title and its English under it).
    """
    table = [[_printable(str(h)) for h in headers]] + [
        [
            _printable(" ".join(str(c).split()))
            if "\n" not in str(c)
            else "\n".join(_printable(" ".join(p.split())) for p in str(c).split("\n"))
            for c in row
        ]
        for row in rows
    ]
    split = [[cell.split("\n") for cell in row] for row in table]
    widths = [
        max(display_width(part) for row in split for part in row[i]) for i in range(len(headers))
    ]

    def pad(text: str, i: int) -> str:
        gap = " " * (widths[i] - display_width(text))
        return gap + text if i in numeric else text + gap

    def lines_of(row: list[list[str]]) -> list[list[str]]:
        height = max(len(parts) for parts in row)
        return [
            [pad(parts[k] if k < len(parts) else "", i) for i, parts in enumerate(row)]
            for k in range(height)
        ]

    out = []
    if fmt == "github":
        out.append("| " + " | ".join(lines_of(split[0])[0]) + " |")
        out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        for row in split[1:]:
            out.extend("| " + " | ".join(cells) + " |" for cells in lines_of(row))
    else:
        out.extend("  ".join(cells) for cells in lines_of(split[0]))
        out.append("  ".join("-" * w for w in widths))
        for row in split[1:]:
            out.extend("  ".join(cells) for cells in lines_of(row))
    text = "\n".join(out) + "\n"
    return (title + "\n" + text if title else text) + "\n"
