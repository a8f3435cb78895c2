"""The ``chuyi`` command line: parse, call the core, hand the result to a renderer."""

import functools
import os
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from chuyi_cli import __version__
from chuyi_cli.errors import EXIT_ALERT, ChuyiError, ProblemsError

app = typer.Typer(
    name="chuyi",
    help="Track Hunan's Chuyi (楚怡) vocational-education notice against its 2030 deadline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])


class Lang(StrEnum):
    zh = "zh"
    en = "en"


class Level(StrEnum):
    city = "city"
    county = "county"


class Stage(StrEnum):
    selected = "selected"
    building = "building"
    accepted = "accepted"
    revoked = "revoked"


class State(StrEnum):
    not_started = "not_started"
    in_progress = "in_progress"
    done = "done"


class Format(StrEnum):
    csv = "csv"
    jsonl = "jsonl"
    xlsx = "xlsx"


class Headers(StrEnum):
    fields = "fields"
    zh = "zh"


class StatusClass(StrEnum):
    done = "done"
    on_track = "on_track"
    behind = "behind"
    off_track = "off_track"
    not_started = "not_started"
    no_goal = "no_goal"


JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (UTF-8, stable keys).")]
PlainOpt = Annotated[
    bool, typer.Option("--plain", help="Plain text tables, no colour (as when piped).")
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of", help="As on this day, YYYY-MM-DD (default today); later entries ignored."
    ),
]
WidthOpt = Annotated[
    int | None,
    typer.Option(
        "--width",
        min=40,
        max=1000,
        help="Lay tables out for this many columns (default: the terminal's; 100 off one).",
        show_default=False,
    ),
]
LangOpt = Annotated[
    Lang | None,
    typer.Option(
        "--lang",
        help="Interface language; default CHUYI_LANG, else the locale (zh*, en*), else zh.",
    ),
]


class Session:
    """What the global options chose, and the catalog and database they point to."""

    def __init__(
        self, targets: Path | None = None, db: Path | None = None, lang: str | None = None
    ) -> None:
        self.targets = targets
        self.db = db
        self.lang = lang
        self._plan: Any = None

    def plan(self) -> Any:
        if self._plan is None:
            from chuyi_cli.catalog import load_catalog

            self._plan = load_catalog(self.targets)
        return self._plan

    def store(self) -> Any:
        from chuyi_cli.store import Store

        return Store.open(self.db)

    def output(
        self, lang: Lang | None = None, plain: bool = False, width: int | None = None
    ) -> Any:
        from chuyi_cli.i18n import default_lang, set_lang
        from chuyi_cli.render import Output

        chosen = lang.value if lang else (self.lang or default_lang())
        set_lang(chosen)
        return Output(chosen, plain, width=width)


_SESSION = Session()


def _session() -> Session:
    """The session the global options of this invocation set up."""
    return _SESSION


def fail(message: object, code: int = 1) -> typer.Exit:
    from chuyi_cli.i18n import say

    typer.echo(say("error", message=message), err=True)
    return typer.Exit(code)


def guarded(func: F) -> F:
    """Turn chuyi's errors into a message on stderr and an exit code, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ProblemsError as exc:
            for line in exc.lines():
                typer.echo(line, err=True)
            raise typer.Exit(exc.exit_code) from None
        except ChuyiError as exc:
            raise fail(str(exc), exc.exit_code) from None
        except KeyboardInterrupt:
            from chuyi_cli.interrupts import EXIT_INTERRUPTED, report

            report()
            raise typer.Exit(EXIT_INTERRUPTED) from None

    return wrapper  # type: ignore[return-value]


def command(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    def register(func: F) -> F:
        app.command(*args, **kwargs)(guarded(func))
        return func

    return register


def _version(value: bool) -> None:
    if value:
        typer.echo(f"chuyi {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    targets: Annotated[
        Path | None,
        typer.Option(
            "--targets",
            envvar="CHUYI_TARGETS",
            help="Target catalog (YAML). Default: the packaged data/targets.yaml.",
            show_default=False,
        ),
    ] = None,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            envvar="CHUYI_DB",
            help="SQLite database of entries. Default: chuyi.db in the user data folder.",
            show_default=False,
        ),
    ] = None,
    lang: LangOpt = None,
    no_pager: Annotated[
        bool,
        typer.Option(
            "--no-pager",
            help="Never page long output. Default in a terminal: CHUYI_PAGER, else PAGER, "
            "else less -FRX (more on Windows); set either to '' or cat for none.",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """chuyi: where every task and target of the Chuyi notice stands against 2030."""
    global _SESSION
    from chuyi_cli.i18n import set_lang
    from chuyi_cli.streams import guard_standard_streams

    guard_standard_streams()  # (again: a test's runner brings its own streams)

    _SESSION = Session(targets=targets, db=db, lang=lang.value if lang else None)
    set_lang(_SESSION.lang)
    isatty = getattr(sys.stdout, "isatty", None)  # (no stdout at all under pythonw)
    if not no_pager and ctx.invoked_subcommand in PAGED_COMMANDS and isatty and isatty():
        _page(ctx)


# Reports whose output can be longer than a screen; the others print a line or ask.
PAGED_COMMANDS = frozenset(
    {"targets", "show", "regions", "check", "log", "units", "status", "regions-status", "summary"}
)


def _page(ctx: typer.Context) -> None:
    """Long output goes through the pager, as git's does (stdout is a terminal)."""
    from chuyi_cli import platform

    command = platform.pager_command()
    if command is None:
        return
    from chuyi_cli import pager

    paged = pager.install(command)
    if paged is None:
        return
    if not platform.pager_shows_colour(command):
        os.environ["NO_COLOR"] = "1"  # the same layout, without escape codes it would show
    ctx.call_on_close(lambda: pager.uninstall(paged))


# --------------------------------------------------------------------------- catalog


@command("targets")
def targets_command(
    section: Annotated[
        str | None, typer.Option("--section", help="Only this section, e.g. 二 or 二(三).")
    ] = None,
    gaps: Annotated[
        bool, typer.Option("--gaps", help="Only what the notice leaves open (no number).")
    ] = False,
    as_json: JsonOpt = False,
    plain: PlainOpt = False,
    width: WidthOpt = None,
    lang: LangOpt = None,
) -> None:
    """The catalog as a tree: section → task → target, with goals and provenance."""
    from chuyi_cli import views

    session = _session()
    plan = session.plan()
    out = session.output(lang, plain, width)
    sections = plan.in_section(section) if section else list(plan.sections)
    if as_json:
        out.json(views.catalog_json(plan, sections, gaps))
    else:
        views.catalog_tree(out, plan, sections, gaps)


@command("show")
def show_command(
    target: Annotated[str, typer.Argument(help="Target id or ref (e.g. culture-bases, 二(四)1).")],
    show_all: Annotated[
        bool, typer.Option("--all", help="Every unit on record, not only the first 20.")
    ] = False,
    as_json: JsonOpt = False,
    width: WidthOpt = None,
    lang: LangOpt = None,
) -> None:
    """One target as a card: the notice's sentence, where it stands, its units, a
    burn-up of achieved per quarter."""
    from chuyi_cli import report, views
    from chuyi_cli.regions import gazetteer

    session = _session()
    plan = session.plan()
    found = plan.find(target)
    out = session.output(lang, width=width)
    if as_json:
        out.json(found.as_dict())
        return
    day = _today()
    with session.store() as store:
        status = report.status(plan, store, day, [found]).rows[0]
        units = views.units_rows(found, store.unit_states(found.id), gazetteer())
        points = report.burn_up(plan, store, found, day)
    units.sort(key=lambda u: (u["last_date"] or "", u["name"] or ""), reverse=True)
    views.target_card(out, found, status, units, points, show_all)


@command("regions")
def regions_command(
    level: Annotated[Level | None, typer.Option("--level", help="Only 市州 or 县市区.")] = None,
    as_json: JsonOpt = False,
    plain: PlainOpt = False,
    width: WidthOpt = None,
    lang: LangOpt = None,
) -> None:
    """The gazetteer: 14 市州 and 122 县市区 with codes and short names."""
    from chuyi_cli.regions import gazetteer

    places = gazetteer()
    regions = places.level(level.value) if level else places.regions
    out = _session().output(lang, plain, width)
    if as_json:
        out.json(
            [
                {
                    "code": r.code,
                    "name": r.name,
                    "level": r.level,
                    "parent": r.parent,
                    "aliases": list(r.aliases),
                }
                for r in regions
            ]
        )
        return
    w = out.words
    parent_name = {r.code: r.name for r in places.regions}
    out.table(
        [w("code"), w("name"), w("level"), w("parent"), w("aliases")],
        [
            [r.code, r.name, w(r.level), parent_name.get(r.parent or "", ""), " ".join(r.aliases)]
            for r in regions
        ],
    )


@command("check")
def check_command(
    repair: Annotated[
        bool,
        typer.Option("--repair", help="Derive the current state again from the history."),
    ] = False,
) -> None:
    """Validate the catalog and the database; print every problem, or ok."""
    from chuyi_cli.report import check_database

    session = _session()
    plan = session.plan()
    with session.store() as store:
        if repair:
            store.rebuild()
        problems = check_database(plan, store)
    if problems:
        raise ProblemsError(problems)
    typer.echo("ok")


# --------------------------------------------------------------------------- recording


def _today() -> Any:
    import datetime

    return datetime.date.today()


def _recorder(by: str | None) -> str:
    if by:
        return by
    if os.environ.get("CHUYI_USER"):
        return os.environ["CHUYI_USER"]
    import getpass  # (with termios: only a record without --by needs it)

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _date(text: str | None, what: str = "date") -> Any:
    from chuyi_cli.entries import parse_date

    return None if text is None else parse_date(text, what)


@command("record")
def record_command(
    target: Annotated[str, typer.Argument(help="Target id or ref naming one target.")],
    unit: Annotated[
        str | None,
        typer.Argument(help="The school, base, group or person (count, coverage, named)."),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option("--region", help="Region by name, short name or code (e.g. 长沙, 430181)."),
    ] = None,
    stage: Annotated[
        Stage | None, typer.Option("--stage", help="Unit stage; default: the target's counts_at.")
    ] = None,
    state: Annotated[State | None, typer.Option("--state", help="Milestone state.")] = None,
    quantity: Annotated[
        int | None, typer.Option("--quantity", help="Activity quantity (default 1).")
    ] = None,
    date: Annotated[
        str | None, typer.Option("--date", help="Day observed, YYYY-MM-DD (default today).")
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Who records; default CHUYI_USER, else login.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Free text.")] = None,
    evidence: Annotated[
        str | None, typer.Option("--evidence", help="Path or URL; a file's SHA-256 is kept.")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Put what a site visit saw on record (appends one entry)."""
    from chuyi_cli.entries import evidence_of, make_entry
    from chuyi_cli.progress import target_status
    from chuyi_cli.regions import gazetteer

    session = _session()
    plan = session.plan()
    places = gazetteer()
    found = plan.find(target)
    today = _today()
    evidence_text, sha = evidence_of(evidence)
    entry = make_entry(
        plan,
        places,
        found,
        unit=unit,
        region=region,
        stage=stage.value if stage else None,
        state=state.value if state else None,
        quantity=quantity,
        observed=_date(date) or today,
        recorder=_recorder(by),
        today=today,
        note=note,
        evidence=evidence_text,
        evidence_sha256=sha,
    )
    with session.store() as store:
        store.add([entry])
        rows = store.tallies(found.id).get(found.id, [])
        status = target_status(found, rows, plan, today, places)
    out = session.output()
    if as_json:
        out.json(entry.as_dict())
        return
    what = entry.stage or entry.state or f"+{entry.quantity}"
    subject = f"{entry.unit} " if entry.unit else ""
    goal = status.goal if status.goal is not None else "—"
    out.line(
        f"{entry.short_id} {found.id} {subject}{what} {entry.observed} → {status.achieved}/{goal}"
    )


@command("void")
def void_command(
    entry_id: Annotated[str, typer.Argument(help="The entry's id, or a unique prefix of it.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the entry is wrong (required).")],
    by: Annotated[str | None, typer.Option("--by", help="Who voids it.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Cancel an entry by appending a void; the entry itself stays on record."""
    from chuyi_cli.entries import make_void

    session = _session()
    with session.store() as store:
        entry = store.entry(entry_id)
        void = make_void(entry, reason, _recorder(by), _today(), store.voided_by(entry.id))
        store.add([void])  # (which checks again inside the write: one void wins a race)
    out = session.output()
    if as_json:
        out.json(void.as_dict())
    else:
        out.line(
            f"{void.short_id} voids {entry.short_id} ({entry.target} {entry.unit or ''})".rstrip()
        )


@command("log")
def log_command(
    target: Annotated[str | None, typer.Argument(help="Only this target (id or ref).")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Observed on or after YYYY-MM-DD.")
    ] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="Only this region (and under it).")
    ] = None,
    by: Annotated[str | None, typer.Option("--by", help="Only this recorder.")] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "-n",
            "--limit",
            min=0,
            help="Show the newest N entries; 0 for all. Default: 50 in a terminal, else all.",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOpt = False,
    plain: PlainOpt = False,
    width: WidthOpt = None,
    lang: LangOpt = None,
) -> None:
    """Entries, newest first; voided ones are marked, never hidden."""
    from chuyi_cli import views
    from chuyi_cli.regions import gazetteer

    session = _session()
    places = gazetteer()
    plan = session.plan()
    target_id = plan.find(target).id if target else None
    since_day = _date(since, "--since")
    within = places.within(places.get(region)) if region else None
    out = session.output(lang, plain, width)
    if limit is None and out.terminal and not as_json:
        limit = 50
    with session.store() as store:
        entries = store.log(
            target_id, since_day.isoformat() if since_day else None, within, by, limit or None
        )
        if as_json:
            out.json_array(views.entry_json(e, voided) for e, voided in entries)
        else:
            shown = views.log_table(out, plan, entries, places)
            if limit and shown == limit:
                from chuyi_cli.i18n import say

                out.line(say("log_more", limit=limit), "dim")


@command("units")
def units_command(
    target: Annotated[str, typer.Argument(help="Target id or ref.")],
    as_json: JsonOpt = False,
    plain: PlainOpt = False,
    width: WidthOpt = None,
    lang: LangOpt = None,
) -> None:
    """Each unit of a target: current stage, region, last date, number of entries."""
    from chuyi_cli import views
    from chuyi_cli.regions import gazetteer

    session = _session()
    found = session.plan().find(target)
    with session.store() as store:
        states = store.unit_states(found.id)
    out = session.output(lang, plain, width)
    rows = views.units_rows(found, states, gazetteer())
    if as_json:
        out.json(rows)
    else:
        views.units_table(out, found, rows)


@command("import")
def import_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV, JSON Lines or an Excel/WPS workbook (.xlsx, .xlsm); - reads standard input."
        ),
    ],
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Check every row; show what would be stored; store nothing."
        ),
    ] = False,
    encoding: Annotated[
        str | None,
        typer.Option("--encoding", help="utf-8, utf-8-sig, gb18030 or utf-16 (default: detected)."),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option(
            "--sheet", help="The workbook's sheet to read (default: the first with 目标)."
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Refuse columns that are no field (序号, 联系人 …)."),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Import entries, all or nothing; rows already stored (same id) are skipped."""
    from chuyi_cli import import_view
    from chuyi_cli.exchange import import_file
    from chuyi_cli.regions import gazetteer
    from chuyi_cli.render import Output

    session = _session()
    plan = session.plan()
    places = gazetteer()
    out = session.output()
    notes = Output(out.words.lang, stream=sys.stderr)  # what the reading skipped, wrapped
    bar = import_view.Bar()
    try:
        with session.store() as store:
            result = import_file(
                store,
                file,
                plan,
                places,
                _today(),
                encoding,
                dry_run,
                sys.stdin.buffer,
                sheet=sheet,
                strict=strict,
                progress=None if as_json else bar,
            )
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
                "rows": result.rows,
                "encoding": result.encoding,
                "dry_run": dry_run,
            }
        )
        return
    for line in import_view.notes(result):
        notes.line(line)
    if dry_run:
        import_view.preview(out, result, plan, places)
    out.line(import_view.result_line(result, dry_run))


@command("export")
def export_command(
    fmt: Annotated[
        Format,
        typer.Option(
            "--format",
            help="csv (Excel, UTF-8 with BOM), jsonl, or xlsx (typed cells; needs -o).",
        ),
    ] = Format.csv,
    headers: Annotated[
        Headers,
        typer.Option(
            "--headers",
            help="CSV headers: fields (export's names, for machines) or zh (Chinese "
            "headers and stage words, for people).",
        ),
    ] = Headers.fields,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file (default stdout).")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Observed on or after YYYY-MM-DD.")
    ] = None,
) -> None:
    """Every entry with its id, voids included, for colleagues or a spreadsheet."""
    from chuyi_cli.exchange import write_export
    from chuyi_cli.regions import gazetteer

    session = _session()
    since_day = _date(since, "--since")
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
            store.iter_entries(since_day.isoformat() if since_day else None),
            gazetteer(),
            fmt.value,
            output,
            stream,
            headers.value,
            store.path,
        )
    if output is not None:
        from chuyi_cli.i18n import say

        typer.echo(say("exported", count=count, path=output), err=True)


@command("template")
def template_command(
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="The workbook to write (must not exist yet)."),
    ] = Path("楚怡填报模板.xlsx"),
    targets: Annotated[
        list[str] | None,
        typer.Option(
            "--target", help="Only this target in the list (id, ref or title); repeatable."
        ),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option("--region", help="Only this region and those under it in the list."),
    ] = None,
) -> None:
    """An xlsx sheet for an office to fill in: drop-down lists, a 填表说明 sheet."""
    from chuyi_cli.regions import gazetteer
    from chuyi_cli.sheets import write_new

    session = _session()
    plan = session.plan()
    places = gazetteer()
    chosen = [plan.find(t) for t in targets] if targets else plan.targets
    chosen = list(dict.fromkeys(chosen))
    within = places.get(region) if region else None
    write_new(plan, places, output, chosen, within)
    from chuyi_cli.i18n import say

    typer.echo(say("template_written", path=output))


@command("backup")
def backup_command(
    file: Annotated[Path, typer.Argument(help="New file for the copy (must not exist).")],
) -> None:
    """A consistent copy of the database, safe while others write."""
    session = _session()
    with session.store() as store:
        count = store.backup(file)
    from chuyi_cli.i18n import say

    typer.echo(say("backed_up", count=count, path=file))


# --------------------------------------------------------------------------- reports


def _report_on(as_of: str | None) -> tuple[Session, Any, Any]:
    """The session, its plan, and the day a report is for (--as-of, else today)."""
    session = _session()
    return session, session.plan(), _date(as_of, "--as-of") or _today()


@command("status")
def status_command(
    section: Annotated[str | None, typer.Option("--section", help="Only this section.")] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="Only units in this region (and under it).")
    ] = None,
    cls: Annotated[
        StatusClass | None, typer.Option("--class", help="Only targets in this class.")
    ] = None,
    ids: Annotated[
        bool, typer.Option("--ids", help="Show each target's id (to copy into other commands).")
    ] = False,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    plain: PlainOpt = False,
    width: WidthOpt = None,
    lang: LangOpt = None,
) -> None:
    """Completion of every target against 2030: achieved, pace, gap, class."""
    from chuyi_cli import report, views

    session, plan, day = _report_on(as_of)
    chosen = report.scope(plan, section)
    within = report.region_scope(region)
    with session.store() as store:
        result = report.status(plan, store, day, chosen, within)
    rows = [r for r in result.rows if cls is None or r.cls == cls.value]
    out = session.output(lang, plain, width)
    if as_json:
        out.json(views.status_json(plan, result, rows))
    else:
        views.status_table(out, plan, result, rows, ids)


class SummaryFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


class FailOn(StrEnum):
    behind = "behind"
    off_track = "off_track"


@command("regions-status")
def regions_status_command(
    level: Annotated[
        Level, typer.Option("--level", help="Rows: 市州 (city) or 县市区.")
    ] = Level.city,
    stale: Annotated[
        int | None,
        typer.Option("--stale", min=0, help="List regions with no record for this many days."),
    ] = None,
    as_of: AsOfOpt = None,
    as_json: JsonOpt = False,
    plain: PlainOpt = False,
    width: WidthOpt = None,
    lang: LangOpt = None,
) -> None:
    """Regions × coverage targets (covered or not), units per region, last record."""
    from chuyi_cli import digest, views

    session, plan, day = _report_on(as_of)
    with session.store() as store:
        coverage, counts, rows = digest.region_matrix(plan, store, level.value, day, stale)
    out = session.output(lang, plain, width)
    if as_json:
        out.json(views.regions_status_json(rows))
    else:
        views.regions_status_table(out, coverage, rows, stale)


@command("summary")
def summary_command(
    since: Annotated[
        str, typer.Option("--since", help="Changes since: 7d, 30d or YYYY-MM-DD.")
    ] = "7d",
    year: Annotated[
        int | None, typer.Option("--year", help="Annual-assessment view of this year.")
    ] = None,
    fmt: Annotated[
        SummaryFormat, typer.Option("--format", help="text, markdown or json.")
    ] = SummaryFormat.text,
    fail_on: Annotated[
        FailOn | None,
        typer.Option(
            "--fail-on",
            help="Exit 3 if a target is in this class or worse "
            "(behind: behind, off_track or not_started; off_track: off_track).",
        ),
    ] = None,
    stale: Annotated[
        int, typer.Option("--stale", min=0, help="Days without a record that make a 市州 stale.")
    ] = 90,
    as_of: AsOfOpt = None,
    width: WidthOpt = None,
    lang: LangOpt = None,
) -> None:
    """Plain text for cron and reports: headline, changes, what needs attention."""
    from chuyi_cli import digest, views
    from chuyi_cli.i18n import Words, default_lang
    from chuyi_cli.progress import SEVERITY

    session, plan, day = _report_on(as_of)
    words = Words(lang.value if lang else (session.lang or default_lang()))
    out = session.output(lang, plain=True, width=width)
    with session.store() as store:
        if year is not None:
            end, rows = digest.year_view(plan, store, year, day)
            statuses = [r.status for r in rows]
            if fmt is SummaryFormat.json:
                out.json(views.year_json(plan, year, end, rows))
            else:
                out.text(
                    views.year_text(
                        plan, year, end, rows, words, fmt is SummaryFormat.markdown, out.width
                    )
                )
        else:
            start = digest.parse_since(since, day)
            result = digest.summary(plan, store, day, start, stale)
            statuses = result.report.rows
            if fmt is SummaryFormat.json:
                out.json(views.summary_json(plan, result))
            else:
                out.text(
                    views.summary_text(
                        plan, result, words, fmt is SummaryFormat.markdown, out.width
                    )
                )
    if fail_on is not None:
        floor = SEVERITY[fail_on.value]
        if any(SEVERITY[r.cls] >= floor for r in statuses):
            raise typer.Exit(EXIT_ALERT)


def _register_only_what_is_asked(argv: list[str]) -> None:
    """Keep only the commands this command line names (when it names any).

    Typer builds every registered command on every run, a few milliseconds chuyi's
    shortest commands would spend on thirteen they do not run. A word that names a
    command is kept even as an option's value or an argument: keeping one too many is
    harmless. With no command named (``chuyi --help``, a typo), every command is listed."""
    words = set(argv)
    named = [c for c in app.registered_commands if c.name in words]
    if named:
        app.registered_commands[:] = named
        return
    # No command to run, only to list (--help, no command, a typo): each by its name and
    # help alone, without the options typer would read from its signature.
    from inspect import getdoc

    from typer.models import CommandInfo

    listed = []
    for info in app.registered_commands:
        fields = {**vars(info), "help": info.help or getdoc(info.callback)}
        listed.append(CommandInfo(**{**fields, "callback": _listed_only}))
    app.registered_commands[:] = listed


# Options that take a number (of days, with --since); a number longer than this many
# digits is no count, year, width or number of days, and is refused before it is read.
_NUMERIC_OPTIONS = ("--quantity", "--year", "--stale", "--width", "--since")
_MOST_DIGITS = 30


def _refuse_numbers_too_long(argv: list[str]) -> None:
    for i, word in enumerate(argv):
        name, eq, value = word.partition("=")
        if name not in _NUMERIC_OPTIONS:
            continue
        if not eq:
            value = argv[i + 1] if i + 1 < len(argv) else ""
        digits = value.strip().lstrip("+-").removesuffix("d").removesuffix("D")
        if len(digits) > _MOST_DIGITS and digits.isascii() and digits.isdigit():
            from chuyi_cli.i18n import say, set_lang

            if "--lang" in argv[:i] and argv.index("--lang") + 1 < len(argv):
                set_lang(argv[argv.index("--lang") + 1])

            sys.stderr.write(
                say("error", message=say("number_too_long", option=name, digits=len(digits))) + "\n"
            )
            sys.exit(2)


def _listed_only() -> None:
    """(Stands for a command in a listing; never run: a named command is built whole.)"""
    raise fail("internal: a listed command ran", 1)


def main() -> None:
    """Entry point: no traceback reaches the user, whatever happens."""
    from chuyi_cli.streams import guard_standard_streams

    guard_standard_streams()  # stand-ins where the output's encoding lacks a character
    try:
        _refuse_numbers_too_long(sys.argv[1:])
        _register_only_what_is_asked(sys.argv[1:])
        app()
    except KeyboardInterrupt:
        from chuyi_cli.interrupts import EXIT_INTERRUPTED, report

        report()
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
    except Exception as exc:  # a bug: say so in one line
        if os.environ.get("CHUYI_DEBUG"):
            raise
        sys.stderr.write(f"chuyi: internal error: {type(exc).__name__}: {exc}\n")
        sys.exit(1)
