"""The entry point: the global options, `chuyi` alone, the pager, and building only the
command a command line names."""

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from chuyi_cli import __version__
from chuyi_cli.cli import frame
from chuyi_cli.cli.frame import (
    COMMANDS,
    LangOpt,
    app,
    fail,
    guarded,
    load_commands,
    session_now,
    todays_date,
)
from chuyi_cli.i18n import say
from chuyi_cli.shell import ChuyiCommand


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
        str | None,  # (a file, or a server's postgresql://… that a Path would cut)
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
    from chuyi_cli.i18n import set_lang
    from chuyi_cli.streams import guard_standard_streams

    guard_standard_streams()  # (again: a test's runner brings its own streams)

    session = frame.begin_session(targets, db, lang)
    set_lang(session.lang)
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


# The five commands `chuyi` alone lists, most used first.
BARE_COMMANDS = ("status", "record", "log", "summary", "import")


def _bare() -> None:
    """`chuyi` alone: the status headline and the five most used commands."""
    from chuyi_cli import report
    from chuyi_cli.render import percent

    session = session_now()
    plan = session.plan()
    day = todays_date()
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
    shortest commands would spend on fifteen they do not run; and a command's module is
    imported only when the command line names it. A word that names a
    command is kept even as an option's value or an argument: keeping one too many is
    harmless. With no command named (``chuyi --help``, a typo), every command is listed."""
    if os.environ.get("_CHUYI_COMPLETE"):
        load_commands()  # completing a command line: every command, whole, with its options
        return
    words = set(argv)
    named = [name for name in COMMANDS if name in words]
    if named:
        load_commands(named)
        app.registered_commands[:] = [c for c in app.registered_commands if c.name in words]
        return
    # No command to run, only to list (--help, no command, a typo): each by its name and
    # help alone, without importing its module or reading the options from its signature.
    from typer.models import CommandInfo

    app.registered_commands[:] = [
        CommandInfo(name, cls=ChuyiCommand, help=f"help.{name}", callback=_listed_only)
        for name in COMMANDS
    ]


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
