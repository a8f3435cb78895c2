"""What ``chuyi import`` tells its user: what a sheet's reading skipped, a dry run's
preview, a progress bar in a terminal, and the one-line result."""

from __future__ import annotations

import sys
import time
from typing import IO, TYPE_CHECKING, Any

from chuyi_cli.i18n import say
from chuyi_cli.render import Output, wants_terminal
from chuyi_cli.wrapping import RECORD_CELL, shown

if TYPE_CHECKING:
    from chuyi_cli.catalog_nodes import Plan
    from chuyi_cli.exchange.importing import ImportResult
    from chuyi_cli.regions import Gazetteer


def notes(result: ImportResult) -> list[str]:
    """What reading the sheet skipped or ignored, one line each (nothing when none)."""
    info = result.sheet
    if info is None:
        return []
    lines = []
    if info.sheet is not None and (info.header_line > 1 or not info.first_sheet):
        lines.append(say("import_sheet", sheet=info.sheet, line=info.header_line))
    if info.above:
        rows = say("import_sep").join(say("import_row", line=n, text=t) for n, t in info.above)
        lines.append(say("import_above", count=len(info.above), rows=rows))
    if info.ignored:
        names = say("import_sep").join(
            shown(name, limit=RECORD_CELL) if name else say("import_empty_header")
            for name in info.ignored
        )
        lines.append(say("import_ignored", count=len(info.ignored), columns=names))
    if info.blank:
        lines.append(say("import_skipped_blank", count=info.blank))
    if info.totals:
        totals = say("import_sep").join(str(line) for line in info.totals)
        lines.append(say("import_skipped_totals", count=len(info.totals), lines=totals))
    return lines


def result_line(result: ImportResult, dry_run: bool) -> str:
    key = "import_would" if dry_run else "import_done"
    return say(key, added=result.added, skipped=result.skipped)


def preview(out: Output, result: ImportResult, plan: Plan, places: Gazetteer) -> None:
    """Per target the rows to add, skip and refuse; then the first rows as read."""
    w = out.words
    if result.per_target:
        rows = [
            [target, *counts]
            for target, counts in sorted(result.per_target.items(), key=lambda kv: kv[0])
        ]
        out.table(
            [w("target"), say("import_col_add"), say("import_col_skip"), say("import_col_refuse")],
            rows,
            numeric=(1, 2, 3),
        )
    if not result.first:
        return
    out.line(say("import_first_rows", count=len(result.first)))
    for number, entry in enumerate(result.first, start=1):
        try:
            title = w.label(plan.target(entry.target))
        except Exception:
            title = entry.target
        region = places.by_code.get(entry.region or "")
        what = entry.stage or entry.state
        fields = [
            (w("unit"), entry.unit),
            (w("region"), region.name if region else None),
            (w("stage"), w(what) if what else None),
            (say("import_quantity"), str(entry.quantity) if entry.quantity else None),
            (w("date"), entry.observed),
        ]
        out.line(f"{number:>2}. {title}")
        shown = "  ".join(
            say("import_field", label=label, value=value) for label, value in fields if value
        )
        out.line(f"    {shown}")


class Bar:
    """A progress bar on stderr while a long import runs (only in a terminal)."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr
        self.progress: Any = None
        self.task: Any = None
        self.start = time.monotonic()

    def __call__(self, rows: int, share: float | None) -> None:
        if self.progress is None:
            if time.monotonic() - self.start < 0.5 or not wants_terminal(False, self.stream):
                return
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            self.progress = Progress(
                BarColumn(),
                TextColumn("{task.fields[share]}"),
                TextColumn("{task.fields[rows]}"),
                TimeRemainingColumn(),
                console=Console(file=self.stream),
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task("import", total=1.0, rows="", share="")
        rate = rows / max(time.monotonic() - self.start, 1e-6)
        text = say("import_rate", rows=rows, rate=f"{rate:,.0f}")
        if share is None:  # a workbook that does not say how many rows it has
            self.progress.update(self.task, total=None, rows=text, share="")
        else:
            shown = f"{share:>4.0%}"
            self.progress.update(self.task, total=1.0, completed=share, rows=text, share=shown)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
