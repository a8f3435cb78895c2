"""The commands that move entries in and out: `import`, `export`, `template`, `backup`."""

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from chuyi_cli.cli.frame import JsonOpt, command, date_given, session_now, todays_date
from chuyi_cli.errors import ChuyiError, ProblemsError
from chuyi_cli.i18n import say
from chuyi_cli.shell import complete_regions, complete_targets

if TYPE_CHECKING:  # (each imported by the command that needs it)
    from chuyi_cli.exchange.importing import ImportResult
    from chuyi_cli.store import Store


class Format(StrEnum):
    csv = "csv"
    jsonl = "jsonl"
    xlsx = "xlsx"


class Headers(StrEnum):
    fields = "fields"
    zh = "zh"


@command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="help.import.file")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="help.import.dry-run")] = False,
    encoding: Annotated[
        str | None,
        typer.Option("--encoding", help="help.import.encoding"),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option("--sheet", help="help.import.sheet"),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="help.import.strict"),
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="help.import.force"),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Import entries, all or nothing; rows already stored (same id) are skipped, and so
    are typed rows that repeat an observation (listed as duplicates)."""
    from chuyi_cli import import_view
    from chuyi_cli.exchange import import_file
    from chuyi_cli.i18n import say
    from chuyi_cli.regions import gazetteer
    from chuyi_cli.render import Output

    session = session_now()
    plan = session.plan()
    places = gazetteer()
    out = session.output()
    notes = Output(out.words.lang, stream=sys.stderr)  # what the reading skipped, wrapped
    bar = import_view.Bar()

    def run(store: "Store") -> "ImportResult":
        return import_file(
            store,
            file,
            plan,
            places,
            todays_date(),
            encoding,
            dry_run,
            sys.stdin.buffer,
            sheet=sheet,
            strict=strict,
            progress=None if as_json else bar,
            force=force,
        )

    try:
        if dry_run:
            with session.store() as store:
                result = run(store)
        else:  # (a database made for it is kept only when the import is done)
            result = session.all_or_nothing(run)
    except ProblemsError as exc:
        bar.close()
        read = getattr(exc, "result", None)
        if read is not None and not as_json:
            for line in import_view.notes(read):
                notes.line(line)
            if dry_run:
                import_view.preview(out, read, plan, places)
        raise
    finally:
        bar.close()  # (also on Ctrl-C: the terminal gets its cursor back)
    if as_json:
        out.json(
            {
                "added": result.added,
                "skipped": result.skipped,
                "duplicates": [{"line": n, "repeats": i} for n, i in result.duplicates],
                "rows": result.rows,
                "encoding": result.encoding,
                "dry_run": dry_run,
                "similar": [{"target": t, "units": names} for t, names in result.similar],
            }
        )
        _similar_warnings(result.similar)
        return
    for note in import_view.notes(result):
        notes.line(note)
    _similar_warnings(result.similar)
    if dry_run:
        import_view.preview(out, result, plan, places)
    for number, earlier in result.duplicates:  # (FILE:LINE whole, as problems are shown)
        typer.echo(say("import_duplicate", path=file, line=number, id=earlier[:8]))
    out.line(import_view.result_line(result, dry_run))
    if result.duplicates:
        out.line(say("import_duplicates", count=len(result.duplicates)))


def _similar_warnings(groups: list[tuple[str, list[str]]]) -> None:
    """A warning for each group of units an import brought that may be one unit."""
    from chuyi_cli.i18n import Message

    for target, names in groups:
        listed = "、".join(f"“{name}”" for name in names)
        note = Message("similar_units", target=target, names=listed)
        typer.echo(say("warning", message=note), err=True)


@command("export")
def export_command(
    fmt: Annotated[
        Format,
        typer.Option(
            "--format",
            help="help.export.format",
        ),
    ] = Format.csv,
    headers: Annotated[
        Headers,
        typer.Option(
            "--headers",
            help="help.export.headers",
        ),
    ] = Headers.fields,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="help.export.output")
    ] = None,
    since: Annotated[str | None, typer.Option("--since", help="help.export.since")] = None,
) -> None:
    """Every entry with its id, voids included, for colleagues or a spreadsheet."""
    from chuyi_cli.exchange import write_export
    from chuyi_cli.regions import gazetteer

    session = session_now()
    since_day = date_given(since, "--since")
    if headers is Headers.zh and fmt is not Format.csv:
        raise ChuyiError("export_headers_csv")
    if fmt is Format.xlsx and output is None:
        raise ChuyiError("export_xlsx_needs_file")
    stream: Any = sys.stdout
    if output is None and sys.stdout.isatty():
        from chuyi_cli.render import ForTerminal

        stream = ForTerminal(sys.stdout)  # (read by eyes: a record's text as text)
    with session.store() as store:
        count = write_export(
            store,
            since_day.isoformat() if since_day else None,
            gazetteer(),
            fmt.value,
            output,
            stream,
            headers.value,
        )
    if output is not None:
        typer.echo(say("exported", count=count, path=output), err=True)


@command("template")
def template_command(
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="help.template.output"),
    ] = Path("楚怡填报模板.xlsx"),
    targets: Annotated[
        list[str] | None,
        typer.Option("--target", help="help.template.target", autocompletion=complete_targets),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option("--region", help="help.template.region", autocompletion=complete_regions),
    ] = None,
) -> None:
    """An xlsx sheet for an office to fill in: drop-down lists, a 填表说明 sheet."""
    from chuyi_cli.regions import gazetteer
    from chuyi_cli.template import write_new

    session = session_now()
    plan = session.plan()
    places = gazetteer()
    chosen = [plan.find(t) for t in targets] if targets else plan.targets
    chosen = list(dict.fromkeys(chosen))
    within = places.get(region) if region else None
    write_new(plan, places, output, chosen, within)
    typer.echo(say("template_written", path=output))


@command("backup")
def backup_command(
    file: Annotated[Path, typer.Argument(help="help.backup.file")],
) -> None:
    """A consistent copy of the database, safe while others write."""
    session = session_now()
    with session.store() as store:
        count = store.backup(file)

    typer.echo(say("backed_up", count=count, path=file))


# --------------------------------------------------------------------------- reports
