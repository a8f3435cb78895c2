"""What each command shows: core objects turned into tables, trees and JSON values."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chuyi_cli.catalog import STAGES, Plan, Section, Target
from chuyi_cli.i18n import Words
from chuyi_cli.progress import TargetStatus, UnitState, overall
from chuyi_cli.regions import Gazetteer, gazetteer
from chuyi_cli.render import CLASS_STYLES, Column, Output, bar, percent, plain_table, points

if TYPE_CHECKING:
    from chuyi_cli.digest import RegionRow, Summary, YearRow
    from chuyi_cli.entries import Entry
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
        },
        "targets": [r.as_dict(names) for r in rows],
        "overall": report.overall.as_dict(),
    }


def _subtotal(rows: list[TargetStatus]) -> float | None:
    measured = [r.completion for r in rows if r.completion is not None]
    return sum(measured) / len(measured) if measured else None


def amount(value: float | int | None, target: Target) -> str:
    """A number of the target's units, whole: ``20所``; ``—`` for none."""
    if value is None:
        return "—"
    unit = target.unit if target.kind in ("count", "named", "coverage") and target.unit else ""
    return f"{value:.0f}{unit}"


def status_columns(w: Words, ids: bool) -> list[tuple[str, Column]]:
    """The columns of `chuyi status`, each with the priority at which it drops (the
    higher, the sooner): pipeline first, then the projection, the English titles, the
    gap, the bar. A new column is one more line here and one more key in the rows."""
    columns = [
        ("ref", Column(w("ref"))),
        ("id", Column(w("id"))),
        ("title", Column(w("title"), flex=True, min_width=24)),
        ("title_en", Column(w("title_en"), priority=5, flex=True, min_width=36)),
        ("goal", Column(w("goal"), priority=1, numeric=True)),
        ("achieved", Column(w("achieved"), priority=1, numeric=True)),
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
        "goal": amount(r.goal, r.target),
        "achieved": amount(r.achieved, r.target),
        "bar": bar(r.completion),
        "completion": percent(r.completion),
        "expected": percent(r.expected),
        "gap": points(r.gap),
        "projected": "—"
        if r.projected is None or r.target.kind in ("milestone", "activity")
        else amount(round(r.projected), r.target),
        "pipeline": pipeline_text(r.pipeline, out),
        "class": w(r.cls),
    }


def status_table(
    out: Output, plan: Plan, report: StatusReport, rows: list[TargetStatus], ids: bool = False
) -> None:
    """A row per target under its section (the section's row carries its subtotal), in
    one line a row: titles are cut with … so that the whole notice fits two screens."""
    w = out.words
    out.line(
        f"{plan.title} — {w('as_of')} {report.as_of}: {w('elapsed')} "
        f"{percent(report.elapsed)} ({plan.start} → {plan.deadline})",
        "bold",
    )
    shown = {r.target.id for r in rows}
    columns = status_columns(w, ids)
    keys = [key for key, _ in columns]
    table, styles = [], []
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
    out.table([col for _, col in columns], table, styles=styles, one_line=out.terminal)
    out.line(
        f"{w('overall')}: {w('completion')} {percent(report.overall.completion)}, "
        f"{w('elapsed')} {percent(report.elapsed)}",
        "bold",
    )
    out.line(", ".join(f"{w(c)} {n}" for c, n in report.overall.by_class.items() if n))


# --------------------------------------------------------------------------- regions-status


def regions_status_json(rows: list[RegionRow]) -> list[dict[str, Any]]:
    return [
        {
            "code": r.code,
            "name": r.name,
            "covered": r.covered,
            "units": r.units,
            "last_record": r.last_record,
            "stale": r.stale,
        }
        for r in rows
    ]


def regions_status_table(
    out: Output, coverage: list[Target], rows: list[RegionRow], stale_days: int | None
) -> None:
    w = out.words
    headers = [w("code"), w("region")] + [f"{t.ref} {t.id}" for t in coverage]
    headers += [w("units_col"), w("last_record")]
    table, styles = [], []
    for r in rows:
        marks = ["✓" if r.covered[t.id] else "✗" for t in coverage]
        last = r.last_record or "—"
        if r.stale:
            last += f" ({w('stale')})"
        table.append([r.code, r.name, *marks, sum(r.units.values()), last])
        styles.append("yellow" if r.stale else None)
    out.table(headers, table, styles=styles, numeric=(len(headers) - 2,))
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
        "reached": [{"target": t.id, "unit": u, "date": d} for t, u, d in s.reached],
        "changed": [
            {"target": c.target.id, "before": c.before.cls, "after": c.after.cls} for c in s.changed
        ],
        "attention": [_status_brief(r) for r in s.attention],
        "uncovered": {t.id: names for t, names in s.uncovered},
        "stale": [{"region": name, "last_record": last} for name, last in s.stale],
        "gaps": [{"ref": ref, "what": what, "why": why} for ref, what, why in s.gaps],
    }


def summary_text(plan: Plan, s: Summary, w: Words, markdown: bool) -> str:
    fmt = "github" if markdown else "simple"
    h = "## " if markdown else ""
    r = s.report
    lines = [
        f"{'# ' if markdown else ''}{plan.title} — {w('as_of')} {r.as_of}",
        "",
        f"{w('overall')}: {percent(r.overall.completion)} {w('completion')} vs "
        f"{percent(r.elapsed)} {w('elapsed')} ({plan.start} → {plan.deadline})",
        ", ".join(f"{w(c)} {n}" for c, n in r.overall.by_class.items() if n),
        "",
        f"{h}{w('changes_since')} {s.since}",
        f"{w('new_entries')}: {s.new_entries}",
    ]
    text = "\n".join(lines) + "\n"
    if s.reached:
        text += "\n" + plain_table(
            [w("ref"), w("id"), w("unit"), w("date")],
            [[t.ref, t.id, u, d] for t, u, d in s.reached],
            title=w("reached"),
            fmt=fmt,
        )
    if s.changed:
        text += "\n" + plain_table(
            [w("ref"), w("id"), w("before"), w("after")],
            [[c.target.ref, c.target.id, w(c.before.cls), w(c.after.cls)] for c in s.changed],
            title=w("changed"),
            fmt=fmt,
        )
    text += f"\n{h}{w('attention')}\n"
    if s.attention:
        text += plain_table(
            [
                w("ref"),
                w("id"),
                w("goal"),
                w("achieved"),
                w("completion"),
                w("expected"),
                w("class"),
            ],
            [
                [
                    a.target.ref,
                    a.target.id,
                    a.goal,
                    a.achieved,
                    percent(a.completion),
                    percent(a.expected),
                    w(a.cls),
                ]
                for a in s.attention
            ],
            numeric=(2, 3, 4, 5),
            fmt=fmt,
        )
    else:
        text += "—\n\n"
    text += f"{h}{w('missing_coverage')}\n"
    for target, names in s.uncovered:
        text += f"- {target.ref} {target.id}: {len(names)} — {'、'.join(names)}\n"
    if not s.uncovered:
        text += "—\n"
    text += f"\n{h}{w('stale_regions')}\n"
    text += ("、".join(f"{n} ({last or '—'})" for n, last in s.stale) or "—") + "\n"
    text += f"\n{h}{w('catalog_gaps')}\n"
    text += "".join(f"- {ref} {what}: {why}\n" for ref, what, why in s.gaps) or "—\n"
    return text


def year_json(plan: Plan, year: int, end: Any, rows: list[YearRow]) -> dict[str, Any]:
    return {
        "year": year,
        "end": end.isoformat(),
        "plan": {"start": plan.start.isoformat(), "deadline": plan.deadline.isoformat()},
        "targets": [
            {**_status_brief(r.status), "start_achieved": r.start_achieved, "in_year": r.in_year}
            for r in rows
        ],
        "overall": overall([r.status for r in rows]).as_dict(),
    }


def year_text(plan: Plan, year: int, end: Any, rows: list[YearRow], w: Words, md: bool) -> str:
    title = f"{'# ' if md else ''}{plan.title} — {year} ({w('as_of')} {end})\n\n"
    table = plain_table(
        [
            w("ref"),
            w("id"),
            w("goal"),
            w("year_start"),
            w("in_year"),
            w("achieved"),
            w("completion"),
            w("class"),
        ],
        [
            [
                r.status.target.ref,
                r.status.target.id,
                "—" if r.status.goal is None else r.status.goal,
                r.start_achieved,
                r.in_year,
                r.status.achieved,
                percent(r.status.completion),
                w(r.status.cls),
            ]
            for r in rows
        ],
        numeric=(2, 3, 4, 5, 6),
        fmt="github" if md else "simple",
    )
    total = overall([r.status for r in rows])
    return title + table + f"{w('overall')}: {percent(total.completion)}\n"
