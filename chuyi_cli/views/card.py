"""`chuyi show`: one target as a card: what the notice says, where it stands, its units
and a burn-up of achieved per quarter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from chuyi_cli.catalog_nodes import STAGES, Plan, Target
from chuyi_cli.i18n import Words, say
from chuyi_cli.progress import TargetStatus
from chuyi_cli.regions import gazetteer
from chuyi_cli.render import CLASS_STYLES, Output, percent
from chuyi_cli.tables import Column
from chuyi_cli.views.figures import amount, years_text
from chuyi_cli.wrapping import wrap_items

if TYPE_CHECKING:
    from chuyi_cli.report import QuarterPoint


def catalog_lines(plan: Plan, target: Target, w: Words) -> list[tuple[str, str, str | None]]:
    """What the catalog says of a target beyond its sentence: (label, text, style) for
    each field made up or inferred, what is unverified or open, the lead department."""
    task = next(task for _s, task in plan.tasks() if target in task.targets)
    found: list[tuple[str, str, str | None]] = []
    for field, why in target.reconstructed:
        found.append((f"{w('reconstructed_mark')}（{field}）", why, None))
    for field, why in task.reconstructed:
        found.append((f"{w('reconstructed_mark')}（{task.ref} {field}）", why, None))
    if target.unverified:
        found.append((w("open_unverified"), target.unverified, "yellow"))
    if target.note:
        found.append((w("note"), target.note, None))
    if target.kind == "coverage" and target.max_per_region is not None:
        found.append((w("max_per_region"), f"{target.max_per_region} {target.unit or ''}", None))
    if target.among:
        found.append((w("among"), say("among_unknown", target=target.among), None))
    if target.yearly:
        years = say("yearly_years", first=plan.start.year, last=plan.deadline.year)
        found.append((w("yearly"), years, None))
    for c in target.checkpoints:
        found.append((w("checkpoint"), f"{c.by} {c.goal}", None))
    if target.kind == "activity":
        found.append((w("frequency"), target.frequency or say("open_frequency"), None))
    if target.kind == "milestone" and not target.checkpoints and not target.yearly:
        found.append((w("open_date"), say("open_date"), None))
    if task.lead:  # (none named: one of the open points `targets --gaps` lists)
        found.append((w("lead"), task.lead, None))
    if task.partners:
        found.append((w("partners"), "、".join(task.partners), None))
    return found


def target_card(
    out: Output,
    target: Target,
    status: TargetStatus,
    units: list[dict[str, Any]],
    points: list[QuarterPoint],
    show_all: bool,
    plan: Plan | None = None,
) -> None:
    """One target for a person: what the notice says, where it stands, the units on
    record, and achieved per quarter against the expected line."""
    _card_heading(out, target)
    _card_notice(out, target, plan)
    _card_figures(out, target, status)
    if status.uncovered:
        _card_uncovered(out, target, status.uncovered)
    if target.has_units:
        _card_units(out, units, show_all)
    if target.kind != "milestone":
        out.line()
        out.line(out.words("burn_up"), "bold")
        out.pre(burn_up_lines(points, out.width))


def _card_heading(out: Output, target: Target) -> None:
    """The target's ref and title (and English title), its id, kind and counting stage."""
    w = out.words
    out.line(f"{target.ref}  {target.title}", "bold")
    if w.lang == "en" and target.title_en:
        out.line(target.title_en)
    about = [f"{w('id')} {target.id}", w(target.kind)]
    if target.counts_at:
        about.append(f"{w('counts_at')} {w(target.counts_at)}")
    out.line(" · ".join(about), "dim")
    out.line()


def _card_notice(out: Output, target: Target, plan: Plan | None) -> None:
    """What the notice says of the target (its sentence, or what was restored) and what
    the catalog adds or leaves open."""
    w = out.words
    if target.source:
        out.line(f"{w('source')}：“{target.source}”")
    if target.restored:
        out.line(f"{w('restored_mark')}：{target.restored}")
    if target.gap:
        out.line(f"{w('gap_mark')}：{target.gap}", "yellow")
    if plan is not None:
        for label, text, style in catalog_lines(plan, target, w):
            out.line(f"{label}：{text}", style)
    out.line()


def _card_figures(out: Output, target: Target, status: TargetStatus) -> None:
    """Goal, achieved, completion and expected on one line; the years of a yearly
    milestone, the class, and the units at each stage."""
    w = out.words
    figures = [
        f"{w('goal')} {amount(status.goal, target, w)}",
        f"{w('achieved')} {amount(status.achieved, target, w)}",
        f"{w('completion')} {percent(status.completion)}",
        f"{w('expected')} {percent(status.expected)}",
    ]
    if status.selected_or_later is not None:  # (the stage provincial reports also cite)
        figures.insert(2, f"{w('selected_or_later')} {amount(status.selected_or_later, target, w)}")
    if status.of_which_named is not None:
        figures.insert(2, f"{w('of_which_named')} {status.of_which_named}")
    out.pre(["   ".join(figures)])
    if status.years is not None:
        out.line(years_text(status, w))
    out.line(f"{w('class')} {w(status.cls)}", CLASS_STYLES.get(status.cls))
    if target.has_units:
        stages = w("list_sep").join(f"{w(s)} {status.pipeline.get(s, 0)}" for s in STAGES)
        out.line(f"{w('pipeline')}：{stages}")


def _card_uncovered(out: Output, target: Target, uncovered: Sequence[str]) -> None:
    """The regions a coverage target has not reached yet, by name."""
    w = out.words
    places = gazetteer()
    names = [places.by_code[c].name for c in uncovered if c in places.by_code]
    head = say("summary_uncovered", count=len(names), level=w(target.level or ""))
    out.line(f"{head}：")
    for line in wrap_items(names, out.width):
        out.line(line)


def _card_units(out: Output, units: list[dict[str, Any]], show_all: bool) -> None:
    """The units on record, the last visited first: 20 of them unless ``show_all``."""
    w = out.words
    out.line()
    shown = units if show_all else units[:20]
    out.line(say("card_units", count=len(units), shown=len(shown)), "bold")
    if units:
        out.table(
            [Column(w("name"), flex=True, min_width=12), Column(w("region"), priority=1),
             Column(w("stage")), Column(w("last_date")),
             Column(w("entries"), priority=2, numeric=True)],
            [[u["name"] or "—", u["region"] or "", w(u["stage"]) if u["stage"] else "—",
              u["last_date"], u["entries"]] for u in shown],
        )  # fmt: skip
    if len(shown) < len(units):
        out.line(say("card_more", count=len(units) - len(shown)), "dim")


def burn_up_lines(points: list[QuarterPoint], width: int, height: int = 8) -> list[str]:
    """Achieved at each quarter's end (#) against the expected line (.), from the plan's
    start to its deadline, with the years under their first quarters: plain characters,
    one or two columns a quarter as the width allows."""
    top = max(
        [p.achieved for p in points if p.achieved is not None]
        + [p.expected for p in points if p.expected is not None]
        + [1]
    )
    label = len(f"{top:.0f}") + 1
    step = 2 if label + 2 * len(points) <= width else 1
    lines = []
    for level in range(height, 0, -1):
        row = []
        for p in points:
            filled = p.achieved is not None and p.achieved / top * height >= level - 0.5
            on_line = p.expected is not None and round(p.expected / top * height) == level
            row.append(("#" if filled else "." if on_line else " ").ljust(step))
        axis = f"{top:.0f}" if level == height else ("0" if level == 1 else "")
        lines.append(f"{axis:>{label - 1}}|" + "".join(row).rstrip())
    years = [" "] * (step * len(points) + 4)
    for n, p in enumerate(points):
        if p.end.month == 3 or n == 0:
            text = str(p.end.year)
            if all(c == " " for c in years[n * step : n * step + len(text) + 1]):
                years[n * step : n * step + len(text)] = list(text)
    lines.append(" " * label + "".join(years).rstrip())
    return lines
