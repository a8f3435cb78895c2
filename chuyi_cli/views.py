"""What each command shows: core objects turned into tables, trees and JSON values."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from chuyi_cli.catalog_nodes import STAGES, Plan, Section, Target, Task
from chuyi_cli.fold import UnitState
from chuyi_cli.i18n import Words, say
from chuyi_cli.progress import TargetStatus, overall
from chuyi_cli.regions import Gazetteer, gazetteer
from chuyi_cli.render import CLASS_STYLES, Output, bar, percent, points
from chuyi_cli.tables import Column, Styled, plain_table
from chuyi_cli.wrapping import RECORD_CELL, shown, wrap, wrap_items

if TYPE_CHECKING:
    from chuyi_cli.digest import RegionRow, Summary, YearRow
    from chuyi_cli.domain import Entry
    from chuyi_cli.report import QuarterPoint, StatusReport

# --------------------------------------------------------------------------- catalog


def _open_kinds(target: Target) -> list[str]:
    """The open points of one target (see Plan.open_points), in their order."""
    kinds = []
    if target.gap:
        kinds.append("number")
    if target.unverified:
        kinds.append("unverified")
    if target.kind == "activity" and not target.frequency:
        kinds.append("frequency")
    if target.kind == "milestone" and not target.checkpoints and not target.yearly:
        kinds.append("date")
    return kinds


def _task_json(section: Section, task: Task) -> dict[str, Any]:
    return {
        "ref": task.ref,
        "section": section.ref,
        "title": task.title,
        "title_en": task.title_en,
        "provenance": task.provenance,
        "duplicate_of": task.duplicate_of,
        "gap": task.gap,
        "note": task.note,
        "lead": task.lead,
        "partners": list(task.partners),
        "reconstructed": dict(task.reconstructed) or None,
        "targets": [t.id for t in task.targets],
    }


def catalog_json(plan: Plan, sections: list[Section], gaps_only: bool) -> dict[str, Any]:
    targets = [t for s in sections for task in s.tasks for t in task.targets]
    if gaps_only:
        targets = [t for t in targets if _open_kinds(t)]
    refs = {task.ref for s in sections for task in s.tasks}
    value: dict[str, Any] = {
        "plan": {
            "title": plan.title,
            "title_en": plan.title_en,
            "issuers": list(plan.issuers),
            "start": plan.start.isoformat(),
            "deadline": plan.deadline.isoformat(),
            "public_end": plan.public_end,
            "deadline_note": plan.deadline_note,
            "notes": list(plan.notes),
        },
        "sections": [
            {
                "ref": s.ref,
                "title": s.title,
                "title_en": s.title_en,
                "provenance": s.provenance,
                "note": s.note,
                "reconstructed": dict(s.reconstructed) or None,
            }
            for s in sections
        ],
        "targets": [t.as_dict() for t in targets],
        "tasks": [
            _task_json(s, task)
            for s in sections
            for task in s.tasks
            if not gaps_only or task.gap or any(_open_kinds(t) for t in task.targets)
        ],
        "open_points": [p._asdict() for p in plan.open_points() if p.ref in refs],
    }
    return value


def _goal_text(target: Target, out: Output) -> str:
    if target.kind in ("milestone", "activity"):
        return "—"
    if target.goal is None:
        return f"? {out.words('gap_mark')}"
    if target.kind == "coverage":  # the goal counts regions, not schools
        return f"{target.goal} {out.words('regions_of_' + (target.level or 'city'))}"
    return f"{target.goal} {target.unit or ''}".strip()


def _marks(target: Target, out: Output, kinds: list[str] | None = None) -> str:
    w = out.words
    marks = []
    if target.provenance == "restored":
        marks.append(f"[{w('restored_mark')}]")
    if target.reconstructed:
        marks.append(f"[{w('reconstructed_mark')}]")
    for kind in kinds if kinds is not None else ["number"] * bool(target.gap):
        marks.append(f"[{w('open_' + kind)}]")
    return " ".join(marks)


def catalog_tree(out: Output, plan: Plan, sections: list[Section], gaps_only: bool) -> None:
    """The notice as one table: each section, its tasks, and under each task its targets
    (id, kind, goal, title), titles wrapped inside their column. With ``gaps_only``, what
    is open, each with the catalog's words, and the tasks that name no lead department."""
    w = out.words
    out.line(f"{plan.title}  ({plan.start} → {plan.deadline})", "bold")
    out.pre(wrap_items(list(plan.issuers), out.width, measure=out.measure))
    if plan.public_end is not None:
        out.line(say("deadline_beside_public", deadline=plan.deadline, public=plan.public_end))
    out.line()
    columns = [
        Column(w("ref")),
        Column(w("id")),
        Column(w("kind"), priority=3),
        Column(w("goal"), priority=1),
        Column(w("title"), flex=True, min_width=20),
    ]
    rows: list[list[str]] = []
    styles: list[str | None] = []
    for section in sections:
        tasks = [
            t
            for t in section.tasks
            if not gaps_only or t.gap or any(_open_kinds(x) for x in t.targets)
        ]
        if not tasks:
            continue
        mark = f" [{w('restored_mark')}]" if section.provenance == "restored" else ""
        mark += f" [{w('reconstructed_mark')}]" if section.reconstructed else ""
        rows.append([section.ref, "", "", "", w.title(section) + mark])
        styles.append("bold")
        for task in tasks:
            marks = ""
            if task.duplicate_of:
                marks += f" ({w('repeats')} {task.duplicate_of})"
            if task.provenance == "restored":
                marks += f" [{w('restored_mark')}]"
            if task.reconstructed:
                marks += f" [{w('reconstructed_mark')}]"
            if task.gap:
                marks += f" [{w('gap_mark')}: {task.gap}]"
            # (a section that is one task of its ref and words: its row says it once)
            if (task.ref, task.title, marks) != (section.ref, section.title, mark):
                rows.append([task.ref, "", "", "", w.title(task) + marks])
                styles.append(None)
            for target in task.targets:
                kinds = _open_kinds(target)
                if gaps_only and not kinds:
                    continue
                marks = _marks(target, out, kinds if gaps_only else None)
                title = f"{w.title(target)} {marks}".rstrip()
                rows.append(["", target.id, w(target.kind), _goal_text(target, out), title])
                styles.append("yellow" if target.gap else None)
                if gaps_only:  # the catalog's own words on what is open
                    for kind, why in (("number", target.gap), ("unverified", target.unverified)):
                        if why:
                            rows.append(["", "", "", "", f"{w('open_' + kind)}: {why}"])
                            styles.append("dim")
    out.table(columns, rows, styles=styles)
    if gaps_only:
        shown = {task.ref for s in sections for task in s.tasks}
        leads = [p.ref for p in plan.open_points() if p.kind == "lead" and p.ref in shown]
        if leads:
            out.line()  # (a ref is never broken: the list breaks after a 、 only)
            first = say("open_lead_tasks", count=len(leads), refs=leads[0])
            out.pre(wrap_items([first, *leads[1:]], out.width, measure=out.measure))


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
    w = out.words
    places = gazetteer()
    out.line(f"{target.ref}  {target.title}", "bold")
    if w.lang == "en" and target.title_en:
        out.line(target.title_en)
    about = [f"{w('id')} {target.id}", w(target.kind)]
    if target.counts_at:
        about.append(f"{w('counts_at')} {w(target.counts_at)}")
    out.line(" · ".join(about), "dim")
    out.line()
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
    if status.uncovered:
        names = [places.by_code[c].name for c in status.uncovered if c in places.by_code]
        head = say("summary_uncovered", count=len(names), level=w(target.level or ""))
        out.line(f"{head}：")
        for line in wrap_items(names, out.width):
            out.line(line)
    if target.has_units:
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
    if target.kind != "milestone":
        out.line()
        out.line(w("burn_up"), "bold")
        out.pre(burn_up_lines(points, out.width))


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


# --------------------------------------------------------------------------- entries


def entry_json(entry: Entry, voided: bool) -> dict[str, Any]:
    value = entry.as_dict()
    value["voided"] = voided
    return value


def _what(entry: Entry, out: Output) -> str:
    w = out.words
    if entry.voids:
        return f"{w('void_of')} {entry.voids[:8]}"
    if entry.stage:
        return w(entry.stage)
    if entry.state:
        return w(entry.state)
    return f"+{entry.quantity}"


def log_table(
    out: Output, plan: Plan, entries: Iterable[tuple[Entry, bool]], places: Gazetteer
) -> int:
    """Entries as they arrive, newest first; voided ones marked, never hidden. Returns
    how many were shown."""
    w = out.words
    columns = [
        Column(w("entry")),
        Column(w("date")),
        # (text columns that keep their whole width unless nothing else is left to drop:
        # then an id breaks at its hyphens, the stage and void words between words)
        Column(w("target"), flex=True, min_width=40),
        Column(w("unit"), flex=True, min_width=12),
        Column(w("region"), priority=2, flex=True, min_width=6),
        Column(w("what"), flex=True, min_width=8),
        Column(w("recorder"), priority=3, flex=True, min_width=6),
        Column(w("note"), priority=1, flex=True, min_width=10),
    ]

    def rows() -> Iterator[tuple[list[str], str | None]]:
        for e, voided in entries:
            region = places.by_code.get(e.region or "")
            mark = f" ({w('voided')})" if voided else ""
            cells = [
                e.short_id,
                e.observed,
                e.target,
                shown(e.unit or "", RECORD_CELL),
                region.name if region else "",
                _what(e, out) + mark,
                shown(e.recorder, RECORD_CELL),
                shown(e.note or "", RECORD_CELL),
            ]
            yield cells, "strike dim" if voided else ("dim" if e.voids else None)

    whats = [w(s) for s in (*STAGES, "not_started", "in_progress", "done")]
    widest_what = max(whats, key=out.measure) + f" ({w('voided')})"
    widest = [["0" * 8, "0000-00-00", max((t.id for t in plan.targets), key=len), "", "",
               what, "", ""] for what in (widest_what, *whats)]  # fmt: skip
    count = out.stream_table(columns, rows(), widest=widest)
    if not count:
        out.line(w("no_entries"))
    return count


def units_rows(
    target: Target,
    states: list[UnitState],
    places: Gazetteer,
    voided: dict[str, int] | None = None,
) -> list[dict[str, Any]]:
    """Each unit: its last date and ``entries`` from live entries only (a voided entry is
    no visit); ``voided``, how many of its entries were voided, apart."""
    rows = []
    voided = voided or {}
    for s in states:
        region = places.by_code.get(s.region or "")
        rows.append(
            {
                "name": s.unit or None,
                "region": region.name if region else s.region,
                "region_code": s.region,
                "stage": s.stage or s.state,
                "last_date": s.last_observed,
                "entries": s.live,
                "voided": voided.get(s.unit, 0),
                "quantity": s.quantity if target.kind == "activity" else None,
            }
        )
    return rows


def units_table(out: Output, target: Target, rows: list[dict[str, Any]]) -> None:
    w = out.words
    if not rows:
        out.line(f"{target.id}: {w('no_entries')}")
        return
    out.table(
        [w("name"), w("region"), w("stage"), w("last_date"), w("entries")],
        [
            [
                shown(r["name"], RECORD_CELL) if r["name"] else "—",
                r["region"] or "",
                w(r["stage"]) if r["stage"] else "—",
                r["last_date"] or "—",
                say("entries_voided", live=r["entries"], voided=r["voided"])
                if r["voided"]
                else r["entries"],
            ]
            for r in rows
        ],
        title=f"{target.ref} {target.id} — {w.title(target)}",
        numeric=(4,),
    )


# --------------------------------------------------------------------------- status


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


def amount(value: float | int | None, target: Target, w: Words) -> str:
    """A number of the target's units, whole: ``20所``; ``—`` for none. A coverage
    target counts regions (``14个市州``), a yearly milestone years."""
    if value is None:
        return "—"
    unit = target.unit if target.kind in ("count", "named", "coverage") and target.unit else ""
    if target.kind == "coverage":  # (in English the number alone)
        unit = w("regions_of_" + (target.level or "city")) if w.lang == "zh" else ""
    if target.yearly:
        unit = w("years_unit") if w.lang == "zh" else ""
    return f"{value:.0f}{unit}"


def years_text(r: TargetStatus, w: Words) -> str:
    """A yearly milestone's years: done ones, then in progress, then how many are due."""
    years = r.years or {}
    parts = []
    for state in ("done", "in_progress", "not_started"):
        chosen = [y for y, s in years.items() if s == state]
        if chosen:
            parts.append(f"{' '.join(chosen)} {w(state)}")
    parts.append(f"{w('years_due')} {r.years_elapsed}")
    return "; ".join(parts)


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


# --------------------------------------------------------------------------- regions-status


def regions_status_json(rows: list[RegionRow]) -> list[dict[str, Any]]:
    return [
        {
            "code": r.code,
            "name": r.name,
            "covered": r.covered,
            "coverage": {t: list(share) for t, share in r.coverage.items()},
            "units": r.units,
            "last_record": r.last_record,
            "stale": r.stale,
        }
        for r in rows
    ]


def regions_status_table(
    out: Output, coverage: list[Target], rows: list[RegionRow], stale_days: int | None
) -> None:
    """Regions × coverage targets: ✓ (green) or ✗ (red) at the target's own level, and
    ``2/9`` for a county-level target in a city's row; the targets named under the table."""
    w = out.words
    keys = [chr(ord("A") + i) for i in range(len(coverage))]
    columns = [Column(w("code"), priority=2), Column(w("region"))]
    columns += [Column(k, numeric=True) for k in keys]
    columns += [Column(w("units_col"), priority=1, numeric=True), Column(w("last_record"))]
    table, styles = [], []
    for r in rows:
        marks = []
        for t in coverage:
            done, of = r.coverage.get(t.id, (int(r.covered[t.id]), 1))
            text = ("✓" if done else "✗") if of == 1 else f"{done}/{of}"
            marks.append(Styled(text, "green" if done == of else ("red" if not done else "yellow")))
        last = r.last_record or w("never_visited")
        if r.stale:
            last += f" ({w('stale')})"
        table.append([r.code, r.name, *marks, sum(r.units.values()), last])
        styles.append("yellow" if r.stale else None)
    out.table(columns, table, styles=styles)
    for key, t in zip(keys, coverage, strict=True):
        out.line(f"{key}: {t.ref} {t.title}")
    if stale_days is not None:
        stale = [r.name for r in rows if r.stale]
        out.line(f"{w('stale')} ({stale_days}d): {len(stale)}: {'、'.join(stale) or '—'}")


# --------------------------------------------------------------------------- summary


def _status_brief(row: TargetStatus) -> dict[str, Any]:
    return {
        "id": row.target.id,
        "ref": row.target.ref,
        "goal": row.goal,
        "achieved": row.achieved,
        "counts_at": row.counts_at,
        "selected_or_later": row.selected_or_later,
        "completion": None if row.completion is None else round(row.completion, 4),
        "expected": round(row.expected, 4),
        "class": row.cls,
    }


def summary_json(plan: Plan, s: Summary) -> dict[str, Any]:
    return {
        "as_of": s.report.as_of.isoformat(),
        "since": s.since.isoformat(),
        "plan": {
            "start": plan.start.isoformat(),
            "deadline": plan.deadline.isoformat(),
            "elapsed": round(s.report.elapsed, 4),
        },
        "overall": s.report.overall.as_dict(),
        "new_entries": s.new_entries,
        "voids": [
            {
                "id": v.id,
                "voids": v.voids,
                "target": v.target,
                "unit": e.unit if e else None,
                "date": v.observed,
                "reason": v.note,
            }
            for v, e in s.voids
        ],
        "reached": [{"target": t.id, "unit": u, "date": d} for t, u, d in s.reached],
        "changed": [
            {"target": c.target.id, "before": c.before.cls, "after": c.after.cls}
            for c in s.started + s.changed
        ],
        "started": [c.target.id for c in s.started],
        "attention": [_status_brief(r) for r in s.attention],
        "uncovered": {t.id: names for t, names in s.uncovered},
        "stale": [{"region": name, "last_record": last} for name, last in s.stale],
        "gaps": [{"ref": ref, "what": what, "why": why} for ref, what, why in s.gaps],
    }


class _Mail:
    """A mail's text: headings, paragraphs wrapped to the width, tables after a blank line
    (plain text, or Markdown that a viewer renders)."""

    def __init__(self, width: int, markdown: bool) -> None:
        self.width, self.markdown = width, markdown
        self.parts: list[str] = []

    def heading(self, text: str, level: int = 2) -> None:
        self.parts.append(("\n" if self.parts else "") + ("#" * level + " " if self.markdown
                          else "") + text + "\n")  # fmt: skip

    def para(self, text: str, indent: str = "") -> None:
        lines = wrap(text, self.width - len(indent))
        self.parts.append("".join(indent + line + "\n" for line in lines))

    def item(self, text: str) -> None:
        """A list item, its further lines under its text."""
        lines = wrap(text, self.width - 2)
        self.parts.append("- " + lines[0] + "\n" + "".join("  " + x + "\n" for x in lines[1:]))

    def names(self, items: list[str], indent: str = "") -> None:
        """Names separated by 、, a name never split over two lines."""
        lines = wrap_items(items, self.width - len(indent))
        self.parts.append("".join(indent + line + "\n" for line in lines))

    def table(self, columns: list[Column], rows: list[list[Any]], title: str = "") -> None:
        if title:
            self.parts.append("\n" + ("### " if self.markdown else "") + title + "\n")
        table = plain_table(
            [], rows, fmt="github" if self.markdown else "simple", width=self.width,
            columns=columns,
        )  # fmt: skip
        self.parts.append("\n" + table.rstrip("\n") + "\n")

    def text(self) -> str:
        return "".join(self.parts)


def _title_column(w: Words) -> Column:
    return Column(w("title"), flex=True, min_width=20)


def summary_text(plan: Plan, s: Summary, w: Words, markdown: bool, width: int = 100) -> str:
    """What the weekly mail to a department head says: where the notice stands, what
    changed, what needs attention; targets by their titles, nothing of the catalog's own
    notes (`chuyi targets --gaps` lists those)."""
    r = s.report
    mail = _Mail(width, markdown)
    mail.heading(f"{plan.title} — {w('as_of')} {r.as_of}", 1)
    mail.parts.append("\n")
    mail.para(
        say(
            "summary_headline",
            completion=percent(r.overall.completion),
            elapsed=percent(r.elapsed),
            start=plan.start,
            deadline=plan.deadline,
        )
    )
    mail.para(w("list_sep").join(f"{w(c)} {n}" for c, n in r.overall.by_class.items() if n))

    mail.heading(say("summary_since", since=s.since))
    news = say("summary_new", count=s.new_entries)
    if s.voids:
        news += w("sentence_sep") + say("summary_voided", count=len(s.voids))
    mail.para(news)
    if s.reached:
        mail.table(
            [Column(w("ref")), _title_column(w), Column(w("unit"), flex=True, min_width=10),
             Column(w("date"))],
            [[t.ref, t.title, shown(u, RECORD_CELL), d] for t, u, d in s.reached],
            w("reached"),
        )  # fmt: skip
    if s.started:
        # A first record is news of a start, not of failure: no class here (a target
        # behind is under the attention heading, with its class).
        mail.table(
            [Column(w("ref")), _title_column(w), Column(w("achieved"), numeric=True),
             Column(w("goal"), priority=1, numeric=True)],
            [[c.target.ref, c.target.title, amount(c.after.achieved, c.target, w),
              amount(c.after.goal, c.target, w)] for c in s.started],
            w("started"),
        )  # fmt: skip
    if s.changed:
        mail.table(
            [Column(w("ref")), _title_column(w), Column(w("before")), Column(w("after"))],
            [[c.target.ref, c.target.title, w(c.before.cls), w(c.after.cls)] for c in s.changed],
            w("changed"),
        )
    if s.voids:
        titles = {t.id: t.title for t in plan.targets}
        mail.table(
            [Column(w("date")), Column(w("entry")), _title_column(w),
             Column(w("unit"), flex=True, min_width=10),
             Column(w("reason"), flex=True, min_width=10)],
            [[v.observed, (v.voids or "")[:8], titles.get(v.target, v.target),
              (e.unit if e else "") or "", v.note or ""] for v, e in s.voids],
            w("voided_entries"),
        )  # fmt: skip

    mail.heading(w("attention"))
    if s.attention:
        mail.table(
            [Column(w("ref")), _title_column(w), Column(w("goal"), priority=1, numeric=True),
             Column(w("achieved"), numeric=True), Column(w("completion"), numeric=True),
             Column(w("expected"), priority=2, numeric=True), Column(w("class"))],
            [[a.target.ref, a.target.title, amount(a.goal, a.target, w),
              amount(a.achieved, a.target, w), percent(a.completion), percent(a.expected),
              w(a.cls)] for a in s.attention],
        )  # fmt: skip
    else:
        mail.para("—")

    mail.heading(w("missing_coverage"))
    for target, names in s.uncovered:
        missing = say("summary_uncovered", count=len(names), level=w(target.level or ""))
        mail.item(f"{target.ref} {target.title}：{missing}")
        mail.names(names, indent="  ")
    if not s.uncovered:
        mail.para("—")

    mail.heading(w("stale_regions"))
    never = [name for name, last in s.stale if last is None]
    old = [f"{name} ({last})" for name, last in s.stale if last is not None]
    if never:
        mail.names([f"{w('never_visited')}：{never[0]}", *never[1:]])
    if old:
        mail.names([f"{w('last_visit')}：{old[0]}", *old[1:]])
    if not s.stale:
        mail.para("—")
    return mail.text()


def year_json(plan: Plan, year: int, end: Any, rows: list[YearRow]) -> dict[str, Any]:
    return {
        "year": year,
        "end": end.isoformat(),
        "plan": {"start": plan.start.isoformat(), "deadline": plan.deadline.isoformat()},
        "targets": [
            {
                **_status_brief(r.status),
                "start_achieved": r.start_achieved,
                "in_year": r.in_year,
                "year_state": r.year_state,
            }
            for r in rows
        ],
        "overall": overall([r.status for r in rows]).as_dict(),
    }


def year_text(
    plan: Plan, year: int, end: Any, rows: list[YearRow], w: Words, md: bool, width: int = 100
) -> str:
    """The annual-assessment view: per target, achieved at the start of the year, within
    it, and at its end."""
    mail = _Mail(width, md)
    mail.heading(f"{plan.title} — {year} ({w('as_of')} {end})", 1)
    mail.table(
        [Column(w("ref")), _title_column(w), Column(w("goal"), priority=1, numeric=True),
         Column(w("year_start"), priority=2, numeric=True),
         Column(w("in_year"), priority=3, numeric=True),
         Column(w("achieved"), numeric=True), Column(w("completion"), numeric=True),
         Column(w("class"))],
        [
            [
                r.status.target.ref,
                r.status.target.title,
                amount(r.status.goal, r.status.target, w),
                r.start_achieved,
                r.in_year,
                amount(r.status.achieved, r.status.target, w),
                percent(r.status.completion),
                w(r.status.cls),
            ]
            for r in rows
        ],
    )  # fmt: skip
    total = overall([r.status for r in rows])
    mail.parts.append("\n")
    mail.para(f"{w('overall')}: {percent(total.completion)}")
    for r in rows:  # a yearly milestone: the year's own assessment, made after it ends
        if r.status.target.yearly:
            state = w(r.year_state) if r.year_state else w("not_recorded")
            mail.para(say("year_assessed", title=r.status.target.title, year=year, state=state))
    return mail.text()
