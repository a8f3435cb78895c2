"""The commands that read the history: `log` and `units`."""

from typing import Annotated

import typer

from chuyi_cli.cli.frame import (
    JsonOpt,
    LangOpt,
    PlainOpt,
    WidthOpt,
    command,
    date_given,
    session_now,
)
from chuyi_cli.i18n import say
from chuyi_cli.shell import complete_regions, complete_targets


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
    from chuyi_cli.regions import gazetteer
    from chuyi_cli.views.history import entry_json, log_table

    session = session_now()
    places = gazetteer()
    plan = session.plan()
    target_id = plan.find(target).id if target else None
    since_day = date_given(since, "--since")
    within = places.within(places.get(region)) if region else None
    out = session.output(lang, plain, width)
    if limit is None and out.terminal and not as_json:
        limit = 50
    with session.store() as store:
        entries = store.log(
            target_id, since_day.isoformat() if since_day else None, within, by, limit or None
        )
        if as_json:
            out.json_array(entry_json(e, voided) for e, voided in entries)
        else:
            shown = log_table(out, plan, entries, places)
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
    from chuyi_cli.regions import gazetteer
    from chuyi_cli.views.history import units_rows, units_table

    session = session_now()
    found = session.plan().find(target)
    with session.store() as store:
        states = store.unit_states(found.id)
        voided = store.voided_per_unit(found.id)
    out = session.output(lang, plain, width)
    rows = units_rows(found, states, gazetteer(), voided)
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
        units_table(out, found, rows)
