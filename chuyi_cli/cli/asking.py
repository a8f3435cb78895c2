"""Asking a person at a terminal for what a record lacks."""

from collections.abc import Callable
from typing import TYPE_CHECKING, NoReturn, TypeVar

import typer

from chuyi_cli.cli.frame import date_given
from chuyi_cli.errors import ChuyiError

if TYPE_CHECKING:  # (imported where each question needs them)
    import datetime

    from chuyi_cli.catalog_nodes import Plan, Target
    from chuyi_cli.regions import Gazetteer

T = TypeVar("T")


class Asker:
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
        from chuyi_cli.wrapping import wrap

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
        except typer.Abort as exc:
            _stopped(exc)
        return str(answer).strip()

    def until_valid(
        self, key: str, check: Callable[[str], T], default: str | None = None, **fields: object
    ) -> T:
        from chuyi_cli.i18n import say

        while True:
            answer = self.prompt(key, default, **fields)
            try:
                return check(answer)
            except ChuyiError as exc:
                self.show(say("prompt_again", message=str(exc)))

    def choices(self, items: list[tuple[str, str]]) -> None:
        """Numbered choices (value, words), one per line, cut to the terminal's width."""
        from chuyi_cli.wrapping import cut

        for i, (value, text) in enumerate(items, start=1):
            typer.echo(cut(f"{i:>3}. {value}  {text}".rstrip(), self.width()), err=True)

    def confirm(self, statement: object, question: str = "go_ahead", yes: bool = True) -> None:
        from chuyi_cli.i18n import say
        from chuyi_cli.vocabulary import answer

        self.show(str(statement))
        asked = self.asked  # (a yes or a no is no answer to what was missing)
        while True:  # 是/否 (对/不, y/n, yes/no); nothing typed: the default
            said = self.prompt(
                "yes_or_no", "", question=say(question), choices=say(f"answers_{yes}".lower())
            )
            agreed = answer(said) if said else yes
            if agreed is not None:
                break
            self.show(say("answer_again"))
        self.asked = asked
        if not agreed:
            raise ChuyiError("cancelled")

    def target(self, plan: "Plan", text: str | None) -> "Target":
        if text is not None:
            return plan.find(text)
        if not self.interactive:
            from chuyi_cli.i18n import Message

            raise ChuyiError(
                "missing_option", option=Message("meta.target"), what=Message("what_target")
            )
        self.active = True
        targets = plan.targets
        self.choices([(t.id, f"{t.ref} {t.title}") for t in targets])

        def check(answer: str) -> "Target":
            if answer.isdigit() and 1 <= int(answer) <= len(targets):
                return targets[int(answer) - 1]
            return plan.find(answer)

        return self.until_valid("prompt_target", check)

    def begin(
        self,
        target: "Target",
        unit: str | None,
        region: str | None,
        stage: str | None,
        state: str | None,
    ) -> None:
        """Decide whether to ask: in a terminal, when something required is missing."""
        missing = (
            (target.has_units and (unit is None or stage is None))
            or (target.kind == "coverage" and region is None)
            or (target.kind == "milestone" and state is None)
        )
        self.active = self.interactive and (self.active or missing)

    def unit(self, target: "Target", places: "Gazetteer", unit: str | None) -> str | None:
        from chuyi_cli.canonical import normalise_unit
        from chuyi_cli.rules import place_unit

        if unit is not None or not target.has_units or not self.active:
            return unit  # (off a terminal, the core's rule names what is missing)
        if target.names:
            self.choices([(n.name, places.by_code[n.region].name) for n in target.names])

        def check(answer: str) -> str:
            if target.names and answer.isdigit() and 1 <= int(answer) <= len(target.names):
                answer = target.names[int(answer) - 1].name
            if target.kind == "coverage":  # (its region is asked next)
                if not normalise_unit(answer):
                    from chuyi_cli.i18n import Word

                    raise ChuyiError("unit_missing", target=target.id, kind=Word(target.kind))
            else:
                place_unit(target, places, answer, None)
            return answer

        return self.until_valid("prompt_unit", check)

    def region(
        self, target: "Target", places: "Gazetteer", unit: str | None, region: str | None
    ) -> str | None:
        from chuyi_cli.rules import place_unit

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

    def stage(self, target: "Target", stage: str | None) -> str | None:
        from chuyi_cli.catalog_nodes import STAGES

        if stage is not None or not target.has_units or not self.active:
            return stage
        return self.pick("prompt_stage", STAGES, _stage_word)

    def state(self, target: "Target", state: str | None) -> str | None:
        from chuyi_cli.catalog_nodes import MILESTONE_STATES

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

    def quantity(self, target: "Target", quantity: int | None) -> int | None:
        if quantity is not None or target.kind != "activity" or not self.active:
            return quantity

        def check(answer: str) -> int:
            if not answer.isdigit() or int(answer) <= 0:
                raise ChuyiError(f"bad quantity {answer!r}: expected a whole number")
            return int(answer)

        return self.until_valid("prompt_quantity", check, "1")

    def day(self, plan: "Plan", today: "datetime.date", text: str | None) -> "datetime.date":
        from chuyi_cli.canonical import parse_date
        from chuyi_cli.rules import check_observed

        if text is not None or not self.active:
            return date_given(text) or today

        def check(answer: str) -> "datetime.date":
            day = parse_date(answer)
            check_observed(day, plan, today)
            return day

        return self.until_valid("prompt_date", check, today.isoformat())


def _stopped(exc: BaseException) -> NoReturn:
    """A question left unanswered: Ctrl-C is an interrupt, as anywhere else (nothing
    written, exit 130); Ctrl-D (the end of input) cancels."""
    from chuyi_cli.interrupts import requested

    typer.echo("", err=True)
    if requested() or isinstance(exc.__context__, KeyboardInterrupt):
        raise KeyboardInterrupt
    raise ChuyiError("cancelled") from None


def _stage_word(text: str) -> str | None:
    """A stage as a person types it: 验收, accepted, 已通过验收 …"""
    from chuyi_cli.vocabulary import value_of

    return value_of("stage", text)


def _state_word(text: str) -> str | None:
    from chuyi_cli.vocabulary import value_of

    return value_of("state", text)
