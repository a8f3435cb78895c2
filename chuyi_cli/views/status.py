"""`chuyi status`: a row per target under its section, the notes its cells cannot hold,
and the same as JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chuyi_cli.catalog_nodes import STAGES, Plan
from chuyi_cli.i18n import Words, say
from chuyi_cli.progress import TargetStatus
from chuyi_cli.regions import gazetteer
from chuyi_cli.render import CLASS_STYLES, Output, bar, percent, points
from chuyi_cli.tables import Column
from chuyi_cli.views.figures import amount, years_text

if TYPE_CHECKING:
    from chuyi_cli.report import StatusReport


def pipeline_text(pipeline: dict[str, int], out: Output) -> str:
    w = out.words
    return ", ".join(f"{w(stage)} {pipeline[stage]}" for stage in STAGES if pipeline.get(stage))


def status_json(plan: Plan, report: StatusReport, rows: list[TargetStatus]) -> dict[str, Any]:
    names = {r.code: r.name for r in gazetteer().regions}
    return {
        "as_of": report.as_of.isoformat(),
        "plan": {
            "title": plan.title,
            "start": plan.start.isoformat(),
            "deadline": plan.deadline.isoformat(),
            "elapsed": round(report.elapsed, 4),
            "public_end": plan.public_end,
        },
        "counts_at": report.counts_at,
        "targets": [r.as_dict(names) for r in rows],
        "overall": report.overall.as_dict(),
    }


def _subtotal(rows: list[TargetStatus]) -> float | None:
    measured = [r.completion for r in rows if r.completion is not None]
    return sum(measured) / len(measured) if measured else None


def status_columns(w: Words, ids: bool) -> list[tuple[str, Column]]:
    """The columns of `chuyi status`, each with the priority at which it drops (the
    higher, the sooner): pipeline first, then the projection, the English titles, the
    gap, the bar. A new column is one more line here and one more key in the rows."""
    columns = [
        ("ref", Column(w("ref"))),
        ("id", Column(w("id"), flex=True, min_width=40)),  # (an id breaks only if it must)
        ("title", Column(w("title"), flex=True, min_width=24)),
        ("title_en", Column(w("title_en"), priority=5, flex=True, min_width=36)),
        ("goal", Column(w("goal"), priority=1, numeric=True)),
        ("achieved", Column(w("achieved"), priority=1, numeric=True)),
        ("selected", Column(w("selected_or_later"), priority=9, numeric=True)),
        ("bar", Column("", priority=6)),
        ("completion", Column(w("completion"), numeric=True)),
        ("expected", Column(w("expected"), priority=2, numeric=True)),
        ("gap", Column(w("gap_points"), priority=4, numeric=True)),
        ("projected", Column(w("projected_units"), priority=7, numeric=True)),
        ("pipeline", Column(w("pipeline"), priority=8)),
        ("class", Column(w("class"))),
    ]
    return [
        (key, col)
        for key, col in columns
        if (ids or key != "id") and (w.lang == "en" or key != "title_en")
    ]


def status_cells(r: TargetStatus, out: Output) -> dict[str, str]:
    """One target's cells, by column key."""
    w = out.words
    return {
        "ref": r.target.ref,
        "id": r.target.id,
        "title": r.target.title,
        "title_en": r.target.title_en,
        "goal": amount(r.goal, r.target, w),
        "achieved": amount(r.achieved, r.target, w),
        "selected": amount(r.selected_or_later, r.target, w),
        "bar": bar(r.completion),
        "completion": percent(r.completion),
        "expected": percent(r.expected),
        "gap": points(r.gap),
        "projected": "—"
        if r.projected is None or r.target.kind in ("milestone", "activity")
        else amount(round(r.projected), r.target, w),
        "pipeline": years_text(r, w) if r.years is not None else pipeline_text(r.pipeline, out),
        "class": w(r.cls),
    }


def status_table(
    out: Output, plan: Plan, report: StatusReport, rows: list[TargetStatus], ids: bool = False
) -> None:
    """A row per target under its section (the section's row carries its subtotal), in
    one line a row: titles are cut with … so that the whole notice fits two screens
    (`chuyi show` has a target's whole title and sentence)."""
    w = out.words
    out.line(
        f"{plan.title} — {w('as_of')} {report.as_of}: {w('elapsed')} "
        f"{percent(report.elapsed)} ({plan.start} → {plan.deadline})",
        "bold",
    )
    shown = {r.target.id for r in rows}
    columns = status_columns(w, ids)
    keys = [key for key, _ in columns]
    table: list[list[str]] = []
    styles: list[str | None] = []
    for section, section_rows in report.sections(plan):
        visible = [r for r in section_rows if r.target.id in shown]
        if not visible:
            continue
        subtotal = _subtotal(section_rows)
        head = {"ref": section.ref, "title": section.title, "title_en": section.title_en}
        if subtotal is not None:
            head |= {"bar": bar(subtotal), "completion": percent(subtotal)}
        table.append([head.get(key, "") for key in keys])
        styles.append("bold")
        for r in visible:
            cells = status_cells(r, out)
            table.append([cells.get(key, "") for key in keys])
            styles.append(CLASS_STYLES.get(r.cls))
    out.table([col for _, col in columns], table, styles=styles, one_line=True)
    out.line(
        f"{w('overall')}: {w('completion')} {percent(report.overall.completion)}, "
        f"{w('elapsed')} {percent(report.elapsed)}",
        "bold",
    )
    out.line(", ".join(f"{w(c)} {n}" for c, n in report.overall.by_class.items() if n))
    for line in status_notes(report, rows, w):
        out.line(line)


def status_notes(report: StatusReport, rows: list[TargetStatus], w: Words) -> list[str]:
    """What the table's cells cannot hold: how many of a target's units a named target
    names, regions beyond a coverage target's most, entries of a yearly milestone
    without a year, the stage chosen by --counts-at."""
    names = {r.code: r.name for r in gazetteer().regions}
    lines = []
    if report.counts_at:
        lines.append(say("counts_at_whatif", stage=w(report.counts_at)))
    for r in rows:
        if r.of_which_named is not None:  # (whether the notice counts them in is open)
            lines.append(
                say(
                    "named_among_status",
                    ref=r.target.ref,
                    title=r.target.title,
                    achieved=amount(r.achieved, r.target, w),
                    named=r.of_which_named,
                )
            )
        if r.surplus:
            regions = "、".join(f"{names.get(c, c)} +{n}" for c, n in r.surplus.items())
            lines.append(
                say(
                    "surplus_regions",
                    ref=r.target.ref,
                    target=r.target.id,
                    regions=regions,
                    most=r.target.max_per_region,
                    unit=r.target.unit or "",
                )
            )
        if r.undated:
            lines.append(say("undated_years", target=r.target.id, count=r.undated))
    return lines
