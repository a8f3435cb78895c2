"""`chuyi targets`: the catalog as one table (section, task, target) and as JSON, or only
what is open in it (``--gaps``)."""

from __future__ import annotations

from typing import Any

from chuyi_cli.catalog_nodes import Plan, Section, Target, Task
from chuyi_cli.i18n import say
from chuyi_cli.render import Output
from chuyi_cli.tables import Column
from chuyi_cli.wrapping import wrap_items


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


_Row = tuple[list[str], str | None]  # a row's cells and its style


def catalog_tree(out: Output, plan: Plan, sections: list[Section], gaps_only: bool) -> None:
    """The notice as one table: each section, its tasks, and under each task its targets
    (id, kind, goal, title), titles wrapped inside their column. With ``gaps_only``, what
    is open, each with the catalog's words, and the tasks that name no lead department."""
    w = out.words
    _plan_heading(out, plan)
    columns = [
        Column(w("ref")),
        Column(w("id")),
        Column(w("kind"), priority=3),
        Column(w("goal"), priority=1),
        Column(w("title"), flex=True, min_width=20),
    ]
    rows = [row for section in sections for row in _section_rows(out, section, gaps_only)]
    out.table(columns, [cells for cells, _ in rows], styles=[style for _, style in rows])
    if gaps_only:
        _without_lead(out, plan, sections)


def _plan_heading(out: Output, plan: Plan) -> None:
    """The notice's title and span, its issuers, and the deadline beside the public one."""
    out.line(f"{plan.title}  ({plan.start} → {plan.deadline})", "bold")
    out.pre(wrap_items(list(plan.issuers), out.width, measure=out.measure))
    if plan.public_end is not None:
        out.line(say("deadline_beside_public", deadline=plan.deadline, public=plan.public_end))
    out.line()


def _added_marks(item: Section | Task, out: Output) -> str:
    """`` [restored]``, `` [reconstructed]``: what of a section or task the notice lacks."""
    w = out.words
    mark = f" [{w('restored_mark')}]" if item.provenance == "restored" else ""
    return mark + (f" [{w('reconstructed_mark')}]" if item.reconstructed else "")


def _section_rows(out: Output, section: Section, gaps_only: bool) -> list[_Row]:
    """A section's row, then each of its tasks' and their targets' (only those with
    something open, with ``gaps_only``); none for a section with nothing to show."""
    w = out.words
    tasks = [
        t for t in section.tasks if not gaps_only or t.gap or any(_open_kinds(x) for x in t.targets)
    ]
    if not tasks:
        return []
    mark = _added_marks(section, out)
    rows: list[_Row] = [([section.ref, "", "", "", w.title(section) + mark], "bold")]
    for task in tasks:
        marks = f" ({w('repeats')} {task.duplicate_of})" if task.duplicate_of else ""
        marks += _added_marks(task, out)
        if task.gap:
            marks += f" [{w('gap_mark')}: {task.gap}]"
        # (a section that is one task of its ref and words: its row says it once)
        if (task.ref, task.title, marks) != (section.ref, section.title, mark):
            rows.append(([task.ref, "", "", "", w.title(task) + marks], None))
        for target in task.targets:
            rows.extend(_target_rows(out, target, gaps_only))
    return rows


def _target_rows(out: Output, target: Target, gaps_only: bool) -> list[_Row]:
    """A target's row; with ``gaps_only``, only an open one's, and under it the catalog's
    own words on what is open."""
    w = out.words
    kinds = _open_kinds(target)
    if gaps_only and not kinds:
        return []
    marks = _marks(target, out, kinds if gaps_only else None)
    title = f"{w.title(target)} {marks}".rstrip()
    cells = ["", target.id, w(target.kind), _goal_text(target, out), title]
    rows: list[_Row] = [(cells, "yellow" if target.gap else None)]
    if gaps_only:
        for kind, why in (("number", target.gap), ("unverified", target.unverified)):
            if why:
                rows.append((["", "", "", "", f"{w('open_' + kind)}: {why}"], "dim"))
    return rows


def _without_lead(out: Output, plan: Plan, sections: list[Section]) -> None:
    """The tasks shown that name no lead department, after the table."""
    shown = {task.ref for s in sections for task in s.tasks}
    leads = [p.ref for p in plan.open_points() if p.kind == "lead" and p.ref in shown]
    if leads:
        out.line()  # (a ref is never broken: the list breaks after a 、 only)
        first = say("open_lead_tasks", count=len(leads), refs=leads[0])
        out.pre(wrap_items([first, *leads[1:]], out.width, measure=out.measure))
