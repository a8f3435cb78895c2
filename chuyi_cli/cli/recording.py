"""`record` and `void`: the two commands that append to the history."""

import functools
import sys
from typing import TYPE_CHECKING, Annotated

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

if TYPE_CHECKING:  # (each imported where it is needed: a command loads only what it uses)
    import datetime as dt
    from collections.abc import Callable

    from chuyi_cli.catalog_nodes import Plan, Target
    from chuyi_cli.domain import Entry
    from chuyi_cli.i18n import Words
    from chuyi_cli.progress import TargetStatus
    from chuyi_cli.regions import Gazetteer
    from chuyi_cli.store import Store


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
    from chuyi_cli.regions import gazetteer
    from chuyi_cli.rules import make_entry

    session = session_now()
    plan = session.plan()
    places = gazetteer()
    today = todays_date()
    ask = Asker(_interactive())
    found = ask.target(plan, target)
    unit = _year_as_unit(found, unit, year)
    ask.begin(found, unit, region, stage, state)
    unit = ask.unit(found, places, unit)
    build = functools.partial(
        make_entry,
        plan,
        places,
        found,
        unit=unit,
        region=ask.region(found, places, unit, region),
        stage=ask.stage(found, stage),
        state=ask.state(found, state),
        quantity=ask.quantity(found, quantity),
        observed=ask.day(plan, today, date),
        recorder=recorder_name(by),
        today=today,
        note=note,
        evidence=evidence,
    )
    entry = _built(ask, build, force)
    words = Words(current_lang())
    if ask.asked:
        ask.confirm(Message("confirm_record", what=_entry_words(entry, places, words)))
    with session.store(write=True) as store:
        alike = _similar_units(store, found, entry)
        store.add([entry], again=again)
        status = _status_after(store, plan, found, today, places)
    out = session.output()
    _warn_similar(entry, alike)
    if as_json:
        out.json(entry.as_dict())
        return
    goal = status.goal if status.goal is not None else "—"
    what = _entry_words(entry, places, words)
    out.line(say("recorded", id=entry.short_id, what=what, achieved=status.achieved, goal=goal))


def _year_as_unit(target: "Target", unit: str | None, year: int | None) -> str | None:
    """A yearly milestone keeps one state a year: ``--year`` is its unit."""
    if year is None:
        return unit
    if not target.yearly:
        raise ChuyiError("year_not_taken", target=target.id)
    return str(year)


def _built(ask: Asker, build: "Callable[..., Entry]", force: bool) -> "Entry":
    """The entry ``build`` makes; a quantity above its target's bound is taken with
    ``force``, or when the person at the terminal confirms it."""
    from chuyi_cli.i18n import Message
    from chuyi_cli.rules import ImplausibleQuantity

    try:
        return build(force=force)
    except ImplausibleQuantity as exc:
        if not ask.interactive:
            raise
        ask.confirm(Message("confirm_quantity", **exc.message.fields), "is_it_right", False)
        return build(force=True)


def _similar_units(store: "Store", target: "Target", entry: "Entry") -> list[str]:
    """For a unit new to its target, the stored units it may be spelled otherwise as."""
    if not entry.unit:
        return []
    others = store.unit_names(target.id, len(entry.unit))
    if entry.unit in others:
        return []
    from chuyi_cli.similar import near

    return near(entry.unit, others)


def _warn_similar(entry: "Entry", alike: list[str]) -> None:
    if alike:
        from chuyi_cli.i18n import Message

        others = "、".join(f"“{name}”" for name in alike)
        warning = Message("similar_unit", target=entry.target, unit=entry.unit, others=others)
        typer.echo(say("warning", message=warning), err=True)


def _status_after(
    store: "Store", plan: "Plan", target: "Target", today: "dt.date", places: "Gazetteer"
) -> "TargetStatus":
    """The target's status with the new entry in (a yearly milestone's years are read
    from its entries, not the tally)."""
    if target.yearly:
        from chuyi_cli.report import status as report_status

        return report_status(plan, store, today, [target]).rows[0]
    from chuyi_cli.progress import target_status

    rows = store.tallies(target.id).get(target.id, [])
    return target_status(target, rows, plan, today, places)


def _interactive() -> bool:
    """Whether chuyi may ask: a person at a terminal (standard input and error)."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def _entry_words(entry: "Entry", places: "Gazetteer", words: "Words") -> str:
    """An entry as a person reads it: target, unit, region by name, stage in words, day."""
    parts = [entry.target]
    if entry.unit:
        parts.append(entry.unit)
    if entry.region:
        region = places.by_code.get(entry.region)
        parts.append(f"{region.name} ({entry.region})" if region else entry.region)
    if entry.stage or entry.state:
        parts.append(words(entry.stage or entry.state or ""))
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
