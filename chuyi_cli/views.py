"""What each command shows: core objects turned into tables, trees and JSON values."""

from __future__ import annotations

from typing import Any

from chuyi_cli.catalog import Plan, Section, Target
from chuyi_cli.entries import Entry
from chuyi_cli.progress import STAGES, TargetStatus, UnitState
from chuyi_cli.regions import Gazetteer, gazetteer
from chuyi_cli.render import CLASS_STYLES, Output, bar, percent, points
from chuyi_cli.report import StatusReport

# --------------------------------------------------------------------------- catalog


def catalog_json(plan: Plan, sections: list[Section], gaps_only: bool) -> dict[str, Any]:
    targets = [t for s in sections for task in s.tasks for t in task.targets]
    if gaps_only:
        targets = [t for t in targets if t.gap]
    value: dict[str, Any] = {
        "plan": {
            "title": plan.title,
            "title_en": plan.title_en,
            "issuers": list(plan.issuers),
            "start": plan.start.isoformat(),
            "deadline": plan.deadline.isoformat(),
            "notes": list(plan.notes),
        },
        "targets": [t.as_dict() for t in targets],
        "tasks": [
            {
                "ref": task.ref,
                "section": s.ref,
                "title": task.title,
                "title_en": task.title_en,
                "provenance": task.provenance,
                "duplicate_of": task.duplicate_of,
                "gap": task.gap,
                "targets": [t.id for t in task.targets],
            }
            for s in sections
            for task in s.tasks
            if not gaps_only or task.gap or any(t.gap for t in task.targets)
        ],
    }
    return value


def _goal_text(target: Target, out: Output) -> str:
    if target.kind in ("milestone", "activity"):
        return "—"
    if target.goal is None:
        return f"? {out.words('gap_mark')}"
    return f"{target.goal} {target.unit or ''}".strip()


def _marks(target: Target, out: Output) -> str:
    marks = []
    if target.provenance == "restored":
        marks.append(f"[{out.words('restored_mark')}]")
    if target.gap:
        marks.append(f"[{out.words('gap_mark')}]")
    return " ".join(marks)


def catalog_tree(out: Output, plan: Plan, sections: list[Section], gaps_only: bool) -> None:
    w = out.words
    out.line(f"{plan.title}  ({plan.start} → {plan.deadline})", "bold")
    out.line("、".join(plan.issuers))
    for section in sections:
        tasks = [
            t for t in section.tasks if not gaps_only or t.gap or any(x.gap for x in t.targets)
        ]
        if not tasks:
            continue
        out.line()
        mark = f" [{w('restored_mark')}]" if section.provenance == "restored" else ""
        out.line(f"{section.ref} {w.label(section)}{mark}", "bold")
        for task in tasks:
            head = f"  {task.ref} {w.label(task)}"
            if task.duplicate_of:
                head += f"  ({w('repeats')} {task.duplicate_of})"
            if task.provenance == "restored":
                head += f" [{w('restored_mark')}]"
            if task.gap:
                head += f" [{w('gap_mark')}: {task.gap}]"
            out.line(head)
            for target in task.targets:
                if gaps_only and not target.gap:
                    continue
                line = (
                    f"    {target.id:<30} {w(target.kind):<9} {_goal_text(target, out):<10} "
                    f"{w.label(target)} {_marks(target, out)}"
                )
                out.line(line.rstrip(), "yellow" if target.gap else None)


def target_detail(out: Output, plan: Plan, target: Target) -> None:
    w = out.words
    places = gazetteer()
    rows = [
        ("id", target.id),
        ("ref", target.ref),
        ("title", target.title),
        ("title_en", target.title_en),
        ("kind", target.kind),
        ("goal", target.goal if target.goal is not None else "—"),
        ("unit", target.unit or "—"),
    ]
    if target.kind == "coverage":
        rows += [("level", target.level), ("min_per_region", target.min_per_region)]
    if target.counts_at:
        rows.append(("counts_at", target.counts_at))
    for named in target.names:
        rows.append(("name", f"{named.name} ({places.by_code[named.region].name})"))
    rows.append(("provenance", target.provenance))
    rows.append(("source", f"“{target.source}”" if target.source else "—"))
    if target.restored:
        rows.append(("restored", target.restored))
    if target.gap:
        rows.append(("gap", target.gap))
    if target.note:
        rows.append(("note", target.note))
    for key, value in rows:
        out.line(f"{key + ':':<16}{value}")
    _ = w


# --------------------------------------------------------------------------- entries


def entry_json(entry: Entry, voided: set[str]) -> dict[str, Any]:
    value = entry.as_dict()
    value["voided"] = entry.id in voided
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


def log_table(out: Output, entries: list[Entry], voided: set[str], places: Gazetteer) -> None:
    w = out.words
    if not entries:
        out.line(w("no_entries"))
        return
    rows, styles = [], []
    for e in entries:
        region = places.by_code.get(e.region or "")
        mark = f" ({w('voided')})" if e.id in voided else ""
        rows.append(
            [
                e.short_id,
                e.observed,
                e.target,
                e.unit or "",
                region.name if region else "",
                _what(e, out) + mark,
                e.recorder,
                e.note or "",
            ]
        )
        styles.append("strike dim" if e.id in voided else ("dim" if e.voids else None))
    out.table(
        [
            w("entry"),
            w("date"),
            w("id"),
            w("unit"),
            w("region"),
            w("what"),
            w("recorder"),
            w("note"),
        ],
        rows,
        styles=styles,
    )


def units_rows(target: Target, states: list[UnitState], places: Gazetteer) -> list[dict[str, Any]]:
    rows = []
    for s in states:
        region = places.by_code.get(s.region or "")
        rows.append(
            {
                "name": s.unit or None,
                "region": region.name if region else s.region,
                "region_code": s.region,
                "stage": s.stage or s.state,
                "last_date": s.last_observed,
                "entries": s.entries,
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
                r["name"] or "—",
                r["region"] or "",
                w(r["stage"]) if r["stage"] else "—",
                r["last_date"],
                r["entries"],
            ]
            for r in rows
        ],
        title=f"{target.ref} {target.id} — {w.title(target)}",
        numeric=(4,),
    )


# --------------------------------------------------------------------------- status


def pipeline_text(pipeline: dict[str, int], out: Output) -> str:
    w = out.words
    return " ".join(f"{w(stage)}{pipeline[stage]}" for stage in STAGES if pipeline.get(stage))


def status_json(plan: Plan, report: StatusReport, rows: list[TargetStatus]) -> dict[str, Any]:
    names = {r.code: r.name for r in gazetteer().regions}
    return {
        "as_of": report.as_of.isoformat(),
        "plan": {
            "title": plan.title,
            "start": plan.start.isoformat(),
            "deadline": plan.deadline.isoformat(),
            "elapsed": round(report.elapsed, 4),
        },
        "targets": [r.as_dict(names) for r in rows],
        "overall": report.overall.as_dict(),
    }


def _subtotal(rows: list[TargetStatus]) -> float | None:
    measured = [r.completion for r in rows if r.completion is not None]
    return sum(measured) / len(measured) if measured else None


def status_table(out: Output, plan: Plan, report: StatusReport, rows: list[TargetStatus]) -> None:
    w = out.words
    out.line(
        f"{plan.title} — {w('as_of')} {report.as_of}: {w('elapsed')} "
        f"{percent(report.elapsed)} {bar(report.elapsed)} ({plan.start} → {plan.deadline})",
        "bold",
    )
    shown = {r.target.id for r in rows}
    headers = [
        w("ref"),
        w("title"),
        w("goal"),
        w("achieved"),
        w("pipeline"),
        w("completion"),
        w("expected"),
        w("gap"),
        w("projected"),
        w("class"),
    ]
    table, styles = [], []
    for section, section_rows in report.sections(plan):
        visible = [r for r in section_rows if r.target.id in shown]
        if not visible:
            continue
        table.append([section.ref, w.title(section), "", "", "", "", "", "", "", ""])
        styles.append("bold")
        for r in visible:
            table.append(
                [
                    r.target.ref,
                    w.title(r.target),
                    "—" if r.goal is None else r.goal,
                    r.achieved,
                    pipeline_text(r.pipeline, out),
                    f"{bar(r.completion)} {percent(r.completion)}"
                    if r.completion is not None
                    else "—",
                    percent(r.expected),
                    points(r.gap),
                    "—" if r.projected is None else f"{r.projected:.1f}",
                    w(r.cls),
                ]
            )
            styles.append(CLASS_STYLES.get(r.cls))
        subtotal = _subtotal(section_rows)
        table.append(
            ["", w("subtotal"), "", "", "", f"{bar(subtotal)} {percent(subtotal)}", "", "", "", ""]
        )
        styles.append("dim")
    out.table(headers, table, styles=styles, numeric=(2, 3, 6, 7, 8))
    counts = ", ".join(f"{w(c)} {n}" for c, n in report.overall.by_class.items() if n)
    out.line(
        f"{w('overall')}: {percent(report.overall.completion)} {bar(report.overall.completion)}"
        f" vs {w('elapsed')} {percent(report.elapsed)} — {counts}",
        "bold",
    )
