"""The commands that read the catalog and the gazetteer, and `check`."""

from typing import Annotated

import typer

from chuyi_cli.cli.frame import (
    JsonOpt,
    LangOpt,
    PlainOpt,
    WidthOpt,
    command,
    session_now,
    todays_date,
    word_option,
)
from chuyi_cli.errors import ProblemsError
from chuyi_cli.i18n import say
from chuyi_cli.shell import complete_levels, complete_targets


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
    from chuyi_cli.views.catalog import catalog_json, catalog_tree

    session = session_now()
    plan = session.plan()
    out = session.output(lang, plain, width)
    sections = plan.in_section(section) if section else list(plan.sections)
    if as_json:
        out.json(catalog_json(plan, sections, gaps))
    else:
        catalog_tree(out, plan, sections, gaps)


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
    from chuyi_cli import report
    from chuyi_cli.regions import gazetteer
    from chuyi_cli.views.card import target_card
    from chuyi_cli.views.history import units_rows

    session = session_now()
    plan = session.plan()
    found = plan.find(target)
    out = session.output(lang, width=width)
    if as_json:
        out.json(found.as_dict())
        return
    day = todays_date()
    with session.store() as store:
        status = report.status(plan, store, day, [found]).rows[0]
        units = units_rows(found, store.unit_states(found.id), gazetteer())
        points = report.burn_up(plan, store, found, day)
    units.sort(key=lambda u: (u["last_date"] or "", u["name"] or ""), reverse=True)
    target_card(out, found, status, units, points, show_all, plan)


@command("regions")
def regions_command(
    level: Annotated[
        str | None,
        typer.Option(
            "--level",
            help="help.regions.level",
            callback=word_option("level"),
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
    out = session_now().output(lang, plain, width)
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

    session = session_now()
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
