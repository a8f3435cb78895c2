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
from chuyi_cli.i18n import say
from chuyi_cli.shell import (
    ChuyiCommand,
    ChuyiGroup,
    complete_classes,
    complete_entries,
    complete_levels,
    complete_regions,
    complete_stages,
    complete_states,
    complete_targets,
)

app = typer.Typer(
    name="chuyi",
    cls=ChuyiGroup,
    help="help.chuyi",
    invoke_without_command=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])


def _lang_value(value: str | None) -> str | None:
    """``--lang``: zh or en, in any case (``ZH``, ``zh_CN``, ``中文`` too)."""
    from chuyi_cli.i18n import lang_named, say

    if value is None:
        return None
    lang = lang_named(value)
    if lang is None:
        raise typer.BadParameter(say("bad_lang", text=value))
    return lang


def _complete_lang(incomplete: str) -> list[str]:
    return [v for v in ("zh", "en") if v.startswith(incomplete)]


def _word_option(kind: str, allowed: tuple[str, ...] | None = None) -> Callable[..., Any]:
    """An option's callback that takes the words of ``kind`` in Chinese or English
    (``--stage 验收`` = ``--stage accepted``) and gives the value chuyi stores."""

    def value(text: str | None) -> str | None:
        if text is None:
            return None
        from chuyi_cli.vocabulary import value_of

        try:
            return value_of(kind, text, allowed)
        except ChuyiError as exc:
            raise typer.BadParameter(str(exc)) from None

    return value


class Format(StrEnum):
    csv = "csv"
    jsonl = "jsonl"
    xlsx = "xlsx"


class Headers(StrEnum):
    fields = "fields"
    zh = "zh"


JsonOpt = Annotated[bool, typer.Option("--json", help="help.json")]
PlainOpt = Annotated[bool, typer.Option("--plain", help="help.plain")]
AsOfOpt = Annotated[
    str | None,
    typer.Option("--as-of", help="help.as_of"),
]
WidthOpt = Annotated[
    int | None,
    typer.Option(
        "--width",
        min=40,
        max=1000,
        help="help.width",
        show_default=False,
    ),
]
LangOpt = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="help.lang",
        callback=_lang_value,
        autocompletion=_complete_lang,
        metavar="zh|en",
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

    def store(self, write: bool = False) -> Any:
        """The database: one named by --db or CHUYI_DB must exist for a command that only
        reads (nothing is created by a typo); a writing command creates it and says where.
        The default one (the user data folder) is created by any command."""
        from chuyi_cli.store import Store

        if self.db is not None and not self.db.exists():
            if not write:
                raise ChuyiError("db_missing", path=self.db)
            from chuyi_cli.i18n import say

            store = Store.open(self.db)
            typer.echo(say("db_created", path=self.db), err=True)
            return store
        return Store.open(self.db)

    def language(self, lang: str | None = None) -> str:
        from chuyi_cli.i18n import default_lang

        return lang or self.lang or default_lang()

    def output(self, lang: str | None = None, plain: bool = False, width: int | None = None) -> Any:
        from chuyi_cli.i18n import set_lang
        from chuyi_cli.render import Output

        chosen = self.language(lang)
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


def command(name: str, **kwargs: Any) -> Callable[[F], F]:
    """Register a command; its help and examples are catalogue keys (help.NAME, ex.NAME)."""

    def register(func: F) -> F:
        kwargs.setdefault("help", f"help.{name}")
        kwargs.setdefault("epilog", f"ex.{name}")
        app.command(name, cls=ChuyiCommand, **kwargs)(guarded(func))
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
            help="help.chuyi.targets",
            show_default=False,
        ),
    ] = None,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            envvar="CHUYI_DB",
            help="help.chuyi.db",
            show_default=False,
        ),
    ] = None,
    lang: LangOpt = None,
    no_pager: Annotated[
        bool,
        typer.Option(
            "--no-pager",
            help="help.chuyi.no-pager",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="help.chuyi.version"),
    ] = False,
) -> None:
    """chuyi: where every task and target of the Chuyi notice stands against 2030."""
    global _SESSION
    from chuyi_cli.i18n import set_lang
    from chuyi_cli.streams import guard_standard_streams

    guard_standard_streams()  # (again: a test's runner brings its own streams)

    _SESSION = Session(targets=targets, db=db, lang=lang)
    set_lang(_SESSION.lang)
    isatty = getattr(sys.stdout, "isatty", None)  # (no stdout at all under pythonw)
    if not no_pager and ctx.invoked_subcommand in PAGED_COMMANDS and isatty and isatty():
        _page(ctx)
    if ctx.invoked_subcommand is None and not ctx.resilient_parsing:
        guarded(_bare)()


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
    section: Annotated[str | None, typer.Option("--section", help="help.targets.section")] = None,
    gaps: Annotated[bool, typer.Option("--gaps", help="help.targets.gaps")] = False,
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
    target: Annotated[
        str, typer.Argument(help="help.show.target", autocompletion=complete_targets)
    ],
    show_all: Annotated[bool, typer.Option("--all", help="help.show.all")] = False,
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
    views.target_card(out, found, status, units, points, show_all, plan)


@command("regions")
def regions_command(
    level: Annotated[
        str | None,
        typer.Option(
            "--level",
            help="help.regions.level",
            callback=_word_option("level"),
            autocompletion=complete_levels,
        ),
    ] = None,
    as_json: JsonOpt = False,
    plain: PlainOpt = False,
    width: WidthOpt = None,
    lang: LangOpt = None,
) -> None:
    """The gazetteer: 14 市州 and 122 县市区 with codes and short names."""
    from chuyi_cli.regions import gazetteer

    places = gazetteer()
    regions = places.level(level) if level else places.regions
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
        typer.Option("--repair", help="help.check.repair"),
    ] = False,
) -> None:
    """Validate the catalog and the database; print every problem, or ok."""
    from chuyi_cli.report import check_database, check_notices

    session = _session()
    plan = session.plan()
    with session.store() as store:
        if repair:
            store.rebuild()
        problems = check_database(plan, store)
        notices = check_notices(plan, store)
    for notice in notices:  # (sound history that counts for nothing yet: said, not failed)
        typer.echo(say("warning", message=notice), err=True)
    if problems:
        raise ProblemsError(list(problems))
    typer.echo(say("ok"))


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
    target: Annotated[
        str | None,
        typer.Argument(help="help.record.target", autocompletion=complete_targets),
    ] = None,
    unit: Annotated[
        str | None,
        typer.Argument(help="help.record.unit"),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option("--region", help="help.record.region", autocompletion=complete_regions),
    ] = None,
    stage: Annotated[
        str | None,
        typer.Option(
            "--stage",
            help="help.record.stage",
            callback=_word_option("stage"),
            autocompletion=complete_stages,
        ),
    ] = None,
    state: Annotated[
        str | None,
        typer.Option(
            "--state",
            help="help.record.state",
            callback=_word_option("state"),
            autocompletion=complete_states,
        ),
    ] = None,
    quantity: Annotated[int | None, typer.Option("--quantity", help="help.record.quantity")] = None,
    date: Annotated[str | None, typer.Option("--date", help="help.record.date")] = None,
    by: Annotated[str | None, typer.Option("--by", help="help.record.by")] = None,
    note: Annotated[str | None, typer.Option("--note", help="help.record.note")] = None,
    evidence: Annotated[str | None, typer.Option("--evidence", help="help.record.evidence")] = None,
    year: Annotated[int | None, typer.Option("--year", help="help.record.year")] = None,
    again: Annotated[bool, typer.Option("--again", help="help.record.again")] = False,
    force: Annotated[bool, typer.Option("--force", help="help.record.force")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Put what a site visit saw on record (appends one entry).

    In a terminal, what is missing is asked for; elsewhere it is an error."""
    from chuyi_cli.entries import ImplausibleQuantity, make_entry
    from chuyi_cli.i18n import Message, Words, current_lang
    from chuyi_cli.progress import target_status
    from chuyi_cli.regions import gazetteer

    session = _session()
    plan = session.plan()
    places = gazetteer()
    today = _today()
    ask = _Asker(_interactive())
    found = ask.target(plan, target)
    if year is not None:  # a yearly milestone keeps one state a year: the year is its unit
        if not found.yearly:
            raise ChuyiError("year_not_taken", target=found.id)
        unit = str(year)
    ask.begin(found, unit, region, stage, state)
    unit = ask.unit(found, places, unit)
    region = ask.region(found, places, unit, region)
    stage_text = ask.stage(found, stage)
    state_text = ask.state(found, state)
    quantity = ask.quantity(found, quantity)
    observed = ask.day(plan, today, date)
    words = Words(current_lang())

    def build(forced: bool) -> Any:
        return make_entry(
            plan,
            places,
            found,
            unit=unit,
            region=region,
            stage=stage_text,
            state=state_text,
            quantity=quantity,
            observed=observed,
            recorder=_recorder(by),
            today=today,
            note=note,
            evidence=evidence,
            force=forced,
        )

    try:
        entry = build(force)
    except ImplausibleQuantity as exc:
        if not ask.interactive:
            raise
        ask.confirm(Message("confirm_quantity", **exc.message.fields), "is_it_right", False)
        entry = build(True)
    if ask.asked:
        ask.confirm(Message("confirm_record", what=_entry_words(entry, places, words)))
    with session.store(write=True) as store:
        alike: list[str] = []
        if entry.unit:
            others = store.unit_names(found.id, len(entry.unit))
            if entry.unit not in others:  # a new unit: is it an old one spelled otherwise?
                from chuyi_cli.similar import near

                alike = near(entry.unit, others)
        store.add([entry], again=again)
        if found.yearly:  # (its years are read from its entries, not the tally)
            from chuyi_cli.report import status as report_status

            status = report_status(plan, store, today, [found]).rows[0]
        else:
            rows = store.tallies(found.id).get(found.id, [])
            status = target_status(found, rows, plan, today, places)
    out = session.output()
    if alike:
        others_text = "、".join(f"“{name}”" for name in alike)
        note = Message("similar_unit", target=found.id, unit=entry.unit, others=others_text)
        typer.echo(say("warning", message=note), err=True)
    if as_json:
        out.json(entry.as_dict())
        return
    goal = status.goal if status.goal is not None else "—"
    out.line(
        say(
            "recorded",
            id=entry.short_id,
            what=_entry_words(entry, places, words),
            achieved=status.achieved,
            goal=goal,
        )
    )


def _interactive() -> bool:
    """Whether chuyi may ask: a person at a terminal (standard input and error)."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def _entry_words(entry: Any, places: Any, words: Any) -> str:
    """An entry as a person reads it: target, unit, region by name, stage in words, day."""
    parts = [entry.target]
    if entry.unit:
        parts.append(entry.unit)
    if entry.region:
        region = places.by_code.get(entry.region)
        parts.append(f"{region.name} ({entry.region})" if region else entry.region)
    if entry.stage or entry.state:
        parts.append(words(entry.stage or entry.state))
    else:
        parts.append(f"+{entry.quantity}")
    parts.append(entry.observed)
    return " · ".join(parts)


class _Asker:
    """Asks for what a record lacks when a person is at the terminal; elsewhere, what is
    missing is an error naming the option (the core's rules word it). Asking starts only
    when something required is missing (the target, a unit, a coverage target's region,
    a stage or a state); then the optional parts (a count's region, the day, a quantity)
    are offered too, with their defaults. Each answer is checked by the core's own rule
    and asked again until it passes; what was asked is confirmed before it is stored."""

    def __init__(self, interactive: bool) -> None:
        self.interactive = interactive
        self.active = False  # asking, for this record
        self.asked = False

    def width(self) -> int:
        import shutil

        return max(20, min(shutil.get_terminal_size((80, 24)).columns, 100) - 1)

    def show(self, text: str) -> None:
        """A sentence on standard error, wrapped to the terminal's width."""
        from chuyi_cli.render import wrap

        for line in wrap(text, self.width()):
            typer.echo(line, err=True)

    def prompt(self, key: str, default: str | None = None, **fields: object) -> str:
        from chuyi_cli.i18n import say

        self.asked = True
        try:
            answer = typer.prompt(
                say(key, **fields),
                default=default,
                show_default=bool(default),
                err=True,
            )
        except typer.Abort:
            typer.echo("", err=True)
            raise ChuyiError("cancelled") from None
        return str(answer).strip()

    def until_valid(
        self, key: str, check: Callable[[str], Any], default: str | None = None, **fields: object
    ) -> Any:
        from chuyi_cli.i18n import say

        while True:
            answer = self.prompt(key, default, **fields)
            try:
                return check(answer)
            except ChuyiError as exc:
                self.show(say("prompt_again", message=str(exc)))

    def choices(self, items: list[tuple[str, str]]) -> None:
        """Numbered choices (value, words), one per line, cut to the terminal's width."""
        from chuyi_cli.render import cut

        for i, (value, text) in enumerate(items, start=1):
            typer.echo(cut(f"{i:>3}. {value}  {text}".rstrip(), self.width()), err=True)

    def confirm(self, statement: object, question: str = "go_ahead", yes: bool = True) -> None:
        from chuyi_cli.i18n import say

        self.show(str(statement))
        try:
            agreed = typer.confirm(say(question), default=yes, err=True)
        except typer.Abort:
            typer.echo("", err=True)
            raise ChuyiError("cancelled") from None
        if not agreed:
            raise ChuyiError("cancelled")

    def target(self, plan: Any, text: str | None) -> Any:
        if text is not None:
            return plan.find(text)
        if not self.interactive:
            from chuyi_cli.i18n import Message

            raise ChuyiError("missing_option", option="TARGET", what=Message("what_target"))
        self.active = True
        targets = plan.targets
        self.choices([(t.id, f"{t.ref} {t.title}") for t in targets])

        def check(answer: str) -> Any:
            if answer.isdigit() and 1 <= int(answer) <= len(targets):
                return targets[int(answer) - 1]
            return plan.find(answer)

        return self.until_valid("prompt_target", check)

    def begin(
        self, target: Any, unit: str | None, region: str | None, stage: Any, state: Any
    ) -> None:
        """Decide whether to ask: in a terminal, when something required is missing."""
        missing = (
            (target.has_units and (unit is None or stage is None))
            or (target.kind == "coverage" and region is None)
            or (target.kind == "milestone" and state is None)
        )
        self.active = self.interactive and (self.active or missing)

    def unit(self, target: Any, places: Any, unit: str | None) -> str | None:
        from chuyi_cli.entries import normalise_unit, place_unit

        if unit is not None or not target.has_units or not self.active:
            return unit  # (off a terminal, the core's rule names what is missing)
        if target.names:
            self.choices([(n.name, places.by_code[n.region].name) for n in target.names])

        def check(answer: str) -> str:
            if target.names and answer.isdigit() and 1 <= int(answer) <= len(target.names):
                answer = target.names[int(answer) - 1].name
            if target.kind == "coverage":  # (its region is asked next)
                if not normalise_unit(answer):
                    raise ChuyiError("unit_missing", target=target.id, kind=target.kind)
            else:
                place_unit(target, places, answer, None)
            return answer

        return self.until_valid("prompt_unit", check)

    def region(self, target: Any, places: Any, unit: str | None, region: str | None) -> Any:
        from chuyi_cli.entries import place_unit

        if region is not None or target.kind not in ("count", "coverage") or not self.active:
            return region
        optional = target.kind == "count"

        def check(answer: str) -> str | None:
            if optional and not answer:
                return None
            place_unit(target, places, unit, answer)
            return answer

        key = "prompt_region_optional" if optional else "prompt_region"
        return self.until_valid(key, check, "" if optional else None)

    def stage(self, target: Any, stage: str | None) -> str | None:
        from chuyi_cli.catalog import STAGES

        if stage is not None or not target.has_units or not self.active:
            return stage
        return self.pick("prompt_stage", STAGES, _stage_word)

    def state(self, target: Any, state: str | None) -> str | None:
        from chuyi_cli.catalog import MILESTONE_STATES

        if state is not None or target.kind != "milestone" or not self.active:
            return state
        return self.pick("prompt_state", MILESTONE_STATES, _state_word)

    def pick(self, key: str, options: tuple[str, ...], word: Callable[[str], str | None]) -> str:
        from chuyi_cli.i18n import Words, current_lang

        w = Words(current_lang())
        listed = "  ".join(f"{i} {w(o)}" for i, o in enumerate(options, start=1))

        def check(answer: str) -> str:
            if answer.isdigit() and 1 <= int(answer) <= len(options):
                return options[int(answer) - 1]
            value = word(answer)
            if value in options:
                return value
            raise ChuyiError(f"{answer!r}: {listed}")

        return self.until_valid(key, check, choices=listed)

    def quantity(self, target: Any, quantity: int | None) -> int | None:
        if quantity is not None or target.kind != "activity" or not self.active:
            return quantity

        def check(answer: str) -> int:
            if not answer.isdigit() or int(answer) <= 0:
                raise ChuyiError(f"bad quantity {answer!r}: expected a whole number")
            return int(answer)

        return self.until_valid("prompt_quantity", check, "1")

    def day(self, plan: Any, today: Any, text: str | None) -> Any:
        from chuyi_cli.entries import check_observed, parse_date

        if text is not None or not self.active:
            return _date(text) or today

        def check(answer: str) -> Any:
            day = parse_date(answer)
            check_observed(day, plan, today)
            return day

        return self.until_valid("prompt_date", check, today.isoformat())


def _stage_word(text: str) -> str | None:
    """A stage as a person types it: 验收, accepted, 已通过验收 …"""
    from chuyi_cli.vocabulary import value_of

    return value_of("stage", text)


def _state_word(text: str) -> str | None:
    from chuyi_cli.vocabulary import value_of

    return value_of("state", text)


@command("void")
def void_command(
    entry_id: Annotated[
        str, typer.Argument(help="help.void.entry_id", autocompletion=complete_entries)
    ],
    reason: Annotated[str, typer.Option("--reason", help="help.void.reason")],
    by: Annotated[str | None, typer.Option("--by", help="help.void.by")] = None,
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
        said = say(
            "voided_entry",
            void=void.short_id,
            entry=entry.short_id,
            target=entry.target,
            unit=entry.unit or "",
        )
        out.line(said.replace(" )", ")").replace(" ）", "）"))


@command("log")
def log_command(
    target: Annotated[
        str | None, typer.Argument(help="help.log.target", autocompletion=complete_targets)
    ] = None,
    since: Annotated[str | None, typer.Option("--since", help="help.log.since")] = None,
    region: Annotated[
        str | None,
        typer.Option("--region", help="help.log.region", autocompletion=complete_regions),
    ] = None,
    by: Annotated[str | None, typer.Option("--by", help="help.log.by")] = None,
    limit: Annotated[
        int | None,
        typer.Option(
            "-n",
            "--limit",
            min=0,
            help="help.log.limit",
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
    target: Annotated[
        str, typer.Argument(help="help.units.target", autocompletion=complete_targets)
    ],
    similar: Annotated[bool, typer.Option("--similar", help="help.units.similar")] = False,
    as_json: JsonOpt = False,
    plain: PlainOpt = False,
    width: WidthOpt = None,
    lang: LangOpt = None,
) -> None:
    """Each unit of a target: current stage, region, last date, live entries (voided apart)."""
    from chuyi_cli import views
    from chuyi_cli.regions import gazetteer

    session = _session()
    found = session.plan().find(target)
    with session.store() as store:
        states = store.unit_states(found.id)
        voided = store.voided_per_unit(found.id)
    out = session.output(lang, plain, width)
    rows = views.units_rows(found, states, gazetteer(), voided)
    if similar:
        from chuyi_cli.similar import similar_groups

        groups = similar_groups(r["name"] for r in rows if r["name"])
        alike = {name: group for group in groups for name in group}
        rows = [
            {**r, "similar_to": [n for n in alike[r["name"]] if n != r["name"]]}
            for r in rows
            if r["name"] in alike
        ]
        order = {name: i for i, group in enumerate(groups) for name in group}
        rows.sort(key=lambda r: (order[r["name"]], r["name"]))
        if not rows and not as_json:
            out.line(say("no_similar_units", target=found.id))
            return
    if as_json:
        out.json(rows)
    else:
        views.units_table(out, found, rows)


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

    session = _session()
    plan = session.plan()
    places = gazetteer()
    out = session.output()
    notes = Output(out.words.lang, stream=sys.stderr)  # what the reading skipped, wrapped
    bar = import_view.Bar()
    try:
        with session.store(write=not dry_run) as store:
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
                force=force,
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
                "duplicates": [{"line": n, "repeats": i} for n, i in result.duplicates],
                "rows": result.rows,
                "encoding": result.encoding,
                "dry_run": dry_run,
                "similar": [{"target": t, "units": names} for t, names in result.similar],
            }
        )
        _similar_warnings(result.similar)
        return
    for line in import_view.notes(result):
        notes.line(line)
    _similar_warnings(result.similar)
    if dry_run:
        import_view.preview(out, result, plan, places)
    for line, earlier in result.duplicates:  # (FILE:LINE whole, as problems are shown)
        typer.echo(say("import_duplicate", path=file, line=line, id=earlier[:8]))
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
    from chuyi_cli.sheets import write_new

    session = _session()
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
    session = _session()
    with session.store() as store:
        count = store.backup(file)

    typer.echo(say("backed_up", count=count, path=file))


# --------------------------------------------------------------------------- reports


def _report_on(as_of: str | None) -> tuple[Session, Any, Any]:
    """The session, its plan, and the day a report is for (--as-of, else today)."""
    session = _session()
    return session, session.plan(), _date(as_of, "--as-of") or _today()


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
            callback=_word_option("class"),
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
            callback=_word_option("stage", ("selected", "building", "accepted")),
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
    from chuyi_cli import report, views

    session, plan, day = _report_on(as_of)
    chosen = report.scope(plan, section, lead)
    within = report.region_scope(region)
    with session.store() as store:
        result = report.status(plan, store, day, chosen, within, counts_at=counts_at)
    rows = [r for r in result.rows if cls is None or r.cls == cls]
    out = session.output(lang, plain, width)
    if as_json:
        out.json(views.status_json(plan, result, rows))
    else:
        views.status_table(out, plan, result, rows, ids)


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
            callback=_word_option("level"),
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
    from chuyi_cli import digest, views

    session, plan, day = _report_on(as_of)
    with session.store() as store:
        coverage, counts, rows = digest.region_matrix(plan, store, level, day, stale)
    out = session.output(lang, plain, width)
    if as_json:
        out.json(views.regions_status_json(rows))
    else:
        views.regions_status_table(out, coverage, rows, stale)


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
            callback=_word_option("class", FAIL_ON),
            autocompletion=_complete_fail_on,
        ),
    ] = None,
    stale: Annotated[int, typer.Option("--stale", min=0, help="help.summary.stale")] = 90,
    as_of: AsOfOpt = None,
    width: WidthOpt = None,
    lang: LangOpt = None,
) -> None:
    """Plain text for cron and reports: headline, changes, what needs attention."""
    from chuyi_cli import digest, views
    from chuyi_cli.i18n import Words
    from chuyi_cli.progress import SEVERITY

    session, plan, day = _report_on(as_of)
    words = Words(session.language(lang))
    out = session.output(lang, plain=True, width=width)
    with session.store() as store:
        if year is not None:
            end, rows = digest.year_view(plan, store, year, day)
            statuses = [r.status for r in rows]
            if fmt is SummaryFormat.json:
                out.json(views.year_json(plan, year, end, rows))
            elif fmt is SummaryFormat.html:
                text = views.year_text(plan, year, end, rows, words, False, out.width)
                out.text(_summary_html(plan, store, text, statuses, end, words.lang))
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
            elif fmt is SummaryFormat.html:
                text = views.summary_text(plan, result, words, False, out.width)
                out.text(_summary_html(plan, store, text, statuses, day, words.lang))
            else:
                out.text(
                    views.summary_text(
                        plan, result, words, fmt is SummaryFormat.markdown, out.width
                    )
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

    session = _session()
    chosen = session.language(lang)
    set_lang(chosen)
    if as_of is not None and year is not None:
        raise ChuyiError("rpt.as_of_and_year")
    kind = fmt.value if fmt is not None else output.suffix.lower().lstrip(".")
    if kind not in ("xlsx", "html"):
        raise ChuyiError("rpt.bad_suffix", path=output)
    plan = session.plan()
    day, start = annual.period(plan, _today(), _date(as_of, "--as-of"), year)
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


def _summary_html(plan: Any, store: Any, text: str, rows: Any, day: Any, lang: str) -> str:
    """The summary as a page for a mail: its text, a chart per target behind or off track."""
    from chuyi_cli.annual import burn_up_series
    from chuyi_cli.report_html import summary_page

    late = [r for r in rows if r.cls in FAIL_ON]
    series = burn_up_series(plan, store, late, day)
    return summary_page(plan.title, text, series, lang)


# The five commands `chuyi` alone lists, most used first.
BARE_COMMANDS = ("status", "record", "log", "summary", "import")


def _bare() -> None:
    """`chuyi` alone: the status headline and the five most used commands."""
    from chuyi_cli import report
    from chuyi_cli.render import percent

    session = _session()
    plan = session.plan()
    day = _today()
    with session.store() as store:
        result = report.status(plan, store, day, report.scope(plan, None), None)
    out = session.output()
    w = out.words
    counts = [f"{w(c)} {n}" for c, n in result.overall.by_class.items() if n]
    lines = [
        say(
            "bare.headline",
            completion=percent(result.overall.completion),
            elapsed=percent(result.elapsed),
            day=day,
            deadline=plan.deadline,
        )
    ]
    if counts:
        lines.append(("，" if w.lang == "zh" else ", ").join(counts))
    lines += ["", say("bare.commands")]
    width = max(len(name) for name in BARE_COMMANDS)
    lines += [f"  chuyi {name:<{width}}  {say('bare.' + name)}" for name in BARE_COMMANDS]
    lines += ["", say("bare.more")]
    out.text("\n".join(lines) + "\n")


def _register_only_what_is_asked(argv: list[str]) -> None:
    """Keep only the commands this command line names (when it names any).

    Typer builds every registered command on every run, a few milliseconds chuyi's
    shortest commands would spend on thirteen they do not run. A word that names a
    command is kept even as an option's value or an argument: keeping one too many is
    harmless. With no command named (``chuyi --help``, a typo), every command is listed."""
    if os.environ.get("_CHUYI_COMPLETE"):
        return  # completing a command line: every command, whole, with its options
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
        from chuyi_cli.interrupts import EXIT_INTERRUPTED, report, requested

        if requested():  # an interrupt that came wrapped in another error
            report()
            sys.exit(EXIT_INTERRUPTED)
        if os.environ.get("CHUYI_DEBUG"):
            raise
        sys.stderr.write(say("internal_error", kind=type(exc).__name__, reason=exc) + "\n")
        sys.exit(1)
