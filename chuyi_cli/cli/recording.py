"""`record` and `void`: the two commands that append to the history."""

import sys
from typing import Annotated, Any

import typer

from chuyi_cli.cli.asking import Asker
from chuyi_cli.cli.frame import (
    JsonOpt,
    command,
    recorder_name,
    session_now,
    todays_date,
    word_option,
)
from chuyi_cli.errors import ChuyiError
from chuyi_cli.i18n import say
from chuyi_cli.shell import (
    complete_entries,
    complete_regions,
    complete_stages,
    complete_states,
    complete_targets,
)


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
            callback=word_option("stage"),
            autocompletion=complete_stages,
        ),
    ] = None,
    state: Annotated[
        str | None,
        typer.Option(
            "--state",
            help="help.record.state",
            callback=word_option("state"),
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
    from chuyi_cli.i18n import Message, Words, current_lang
    from chuyi_cli.progress import target_status
    from chuyi_cli.regions import gazetteer
    from chuyi_cli.rules import ImplausibleQuantity, make_entry

    session = session_now()
    plan = session.plan()
    places = gazetteer()
    today = todays_date()
    ask = Asker(_interactive())
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
            recorder=recorder_name(by),
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
    from chuyi_cli.rules import make_void

    session = session_now()
    with session.store() as store:
        entry = store.entry(entry_id)
        void = make_void(entry, reason, recorder_name(by), todays_date(), store.voided_by(entry.id))
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
