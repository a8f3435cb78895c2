"""The reports: `status`, `regions-status`, `summary` and `report`."""

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from chuyi_cli.cli.frame import (
    AsOfOpt,
    JsonOpt,
    LangOpt,
    PlainOpt,
    Session,
    WidthOpt,
    command,
    date_given,
    session_now,
    todays_date,
    word_option,
)
from chuyi_cli.errors import EXIT_ALERT, ChuyiError
from chuyi_cli.i18n import say
from chuyi_cli.shell import complete_classes, complete_levels, complete_regions

if TYPE_CHECKING:  # (each imported by the command that needs it)
    import datetime

    from chuyi_cli.catalog_nodes import Plan
    from chuyi_cli.progress import TargetStatus
    from chuyi_cli.store import Store


def _report_on(as_of: str | None) -> tuple[Session, "Plan", "datetime.date"]:
    """The session, its plan, and the day a report is for (--as-of, else today)."""
    session = session_now()
    return session, session.plan(), date_given(as_of, "--as-of") or todays_date()


@command("status")
def status_command(
    section: Annotated[str | None, typer.Option("--section", help="help.status.section")] = None,
    region: Annotated[
        str | None,
        typer.Option("--region", help="help.status.region", autocompletion=complete_regions),
    ] = None,
    cls: Annotated[
        str | None,
        typer.Option(
            "--class",
            help="help.status.class",
            callback=word_option("class"),
            autocompletion=complete_classes,
        ),
    ] = None,
    ids: Annotated[bool, typer.Option("--ids", help="help.status.ids")] = False,
    counts_at: Annotated[
        str | None,
        typer.Option(
            "--counts-at",
            metavar="meta.stage",
            help="help.status.counts_at",
            callback=word_option("stage", ("selected", "building", "accepted")),
        ),
    ] = None,
    lead: Annotated[str | None, typer.Option("--lead", help="help.status.lead")] = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    plain: PlainOpt = False,
    width: WidthOpt = None,
    lang: LangOpt = None,
) -> None:
    """Completion of every target against 2030: achieved, pace, gap, class."""
    from chuyi_cli import report
    from chuyi_cli.views.status import status_json, status_table

    session, plan, day = _report_on(as_of)
    chosen = report.scope(plan, section, lead)
    within = report.region_scope(region)
    with session.store() as store:
        result = report.status(plan, store, day, chosen, within, counts_at=counts_at)
    rows = [r for r in result.rows if cls is None or r.cls == cls]
    out = session.output(lang, plain, width)
    if as_json:
        out.json(status_json(plan, result, rows))
    else:
        status_table(out, plan, result, rows, ids)


class SummaryFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"
    html = "html"


FAIL_ON = ("behind", "off_track")


def _complete_fail_on(incomplete: str) -> list[str]:
    return [w for w in complete_classes(incomplete) if w in (*FAIL_ON, "滞后", "严重滞后")]


@command("regions-status")
def regions_status_command(
    level: Annotated[
        str,
        typer.Option(
            "--level",
            help="help.regions-status.level",
            callback=word_option("level"),
            autocompletion=complete_levels,
        ),
    ] = "city",
    stale: Annotated[
        int | None,
        typer.Option("--stale", min=0, help="help.regions-status.stale"),
    ] = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    plain: PlainOpt = False,
    width: WidthOpt = None,
    lang: LangOpt = None,
) -> None:
    """Regions × coverage targets (covered or not), units per region, last record."""
    from chuyi_cli import digest
    from chuyi_cli.views.regions import regions_status_json, regions_status_table

    session, plan, day = _report_on(as_of)
    with session.store() as store:
        coverage, counts, rows = digest.region_matrix(plan, store, level, day, stale)
    out = session.output(lang, plain, width)
    if as_json:
        out.json(regions_status_json(rows))
    else:
        regions_status_table(out, coverage, rows, stale)


@command("summary")
def summary_command(
    since: Annotated[str, typer.Option("--since", help="help.summary.since")] = "7d",
    year: Annotated[int | None, typer.Option("--year", help="help.summary.year")] = None,
    fmt: Annotated[
        SummaryFormat, typer.Option("--format", help="help.summary.format")
    ] = SummaryFormat.text,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            help="help.summary.fail-on",
            callback=word_option("class", FAIL_ON),
            autocompletion=_complete_fail_on,
        ),
    ] = None,
    stale: Annotated[int, typer.Option("--stale", min=0, help="help.summary.stale")] = 90,
    as_of: AsOfOpt = None,
    width: WidthOpt = None,
    lang: LangOpt = None,
) -> None:
    """Plain text for cron and reports: headline, changes, what needs attention."""
    from chuyi_cli import digest
    from chuyi_cli.i18n import Words
    from chuyi_cli.progress import SEVERITY
    from chuyi_cli.views.summary import summary_json, summary_text, year_json, year_text

    session, plan, day = _report_on(as_of)
    words = Words(session.language(lang))
    out = session.output(lang, plain=True, width=width)
    with session.store() as store:
        if year is not None:
            end, rows = digest.year_view(plan, store, year, day)
            statuses = [r.status for r in rows]
            if fmt is SummaryFormat.json:
                out.json(year_json(plan, year, end, rows))
            elif fmt is SummaryFormat.html:
                text = year_text(plan, year, end, rows, words, False, out.width)
                out.text(_summary_html(plan, store, text, statuses, end, words.lang))
            else:
                out.text(
                    year_text(
                        plan, year, end, rows, words, fmt is SummaryFormat.markdown, out.width
                    )
                )
        else:
            start = digest.parse_since(since, day)
            result = digest.summary(plan, store, day, start, stale)
            statuses = result.report.rows
            if fmt is SummaryFormat.json:
                out.json(summary_json(plan, result))
            elif fmt is SummaryFormat.html:
                text = summary_text(plan, result, words, False, out.width)
                out.text(_summary_html(plan, store, text, statuses, day, words.lang))
            else:
                out.text(
                    summary_text(plan, result, words, fmt is SummaryFormat.markdown, out.width)
                )
    if fail_on is not None:
        floor = SEVERITY[fail_on]
        if any(SEVERITY[r.cls] >= floor for r in statuses):
            raise typer.Exit(EXIT_ALERT)


class ReportFormat(StrEnum):
    xlsx = "xlsx"
    html = "html"


@command("report")
def report_command(
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="help.report.output"),
    ] = Path("楚怡年度考核报告.xlsx"),
    fmt: Annotated[ReportFormat | None, typer.Option("--format", help="help.report.format")] = None,
    as_of: AsOfOpt = None,
    year: Annotated[int | None, typer.Option("--year", help="help.report.year")] = None,
    section: Annotated[str | None, typer.Option("--section", help="help.report.section")] = None,
    region: Annotated[
        str | None,
        typer.Option("--region", help="help.report.region", autocompletion=complete_regions),
    ] = None,
    lang: LangOpt = None,
) -> None:
    """The annual-assessment report as a workbook or a printable page, with charts."""
    from chuyi_cli import annual
    from chuyi_cli.files import written_whole
    from chuyi_cli.i18n import set_lang

    session = session_now()
    chosen = session.language(lang)
    set_lang(chosen)
    if as_of is not None and year is not None:
        raise ChuyiError("rpt.as_of_and_year")
    kind = fmt.value if fmt is not None else output.suffix.lower().lstrip(".")
    if kind not in ("xlsx", "html"):
        raise ChuyiError("rpt.bad_suffix", path=output)
    plan = session.plan()
    day, start = annual.period(plan, todays_date(), date_given(as_of, "--as-of"), year)
    with session.store() as store:
        data = annual.gather(plan, store, day, start, year, section, region)
        database = store.path
    with written_whole(output, database) as tmp:
        if kind == "xlsx":
            from chuyi_cli.report_xlsx import write_xlsx

            write_xlsx(data, tmp, chosen)
        else:
            from chuyi_cli.report_html import write_html

            write_html(data, tmp, chosen)
    typer.echo(say("rpt.written", path=output))


def _summary_html(
    plan: "Plan",
    store: "Store",
    text: str,
    rows: "list[TargetStatus]",
    day: "datetime.date",
    lang: str,
) -> str:
    """The summary as a page for a mail: its text, a chart per target behind or off track."""
    from chuyi_cli.annual import burn_up_series
    from chuyi_cli.report_html import summary_page

    late = [r for r in rows if r.cls in FAIL_ON]
    series = burn_up_series(plan, store, late, day)
    return summary_page(plan.title, text, series, lang)
