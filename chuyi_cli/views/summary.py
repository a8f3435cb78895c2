"""`chuyi summary`: the weekly mail to a department head and the annual-assessment view,
as plain text, Markdown or JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chuyi_cli.catalog_nodes import Plan
from chuyi_cli.i18n import Words, say
from chuyi_cli.progress import TargetStatus, overall
from chuyi_cli.render import percent
from chuyi_cli.tables import Column, plain_table
from chuyi_cli.views.figures import amount
from chuyi_cli.wrapping import RECORD_CELL, shown, wrap, wrap_items

if TYPE_CHECKING:
    from chuyi_cli.digest import Summary, YearRow


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
    mail = _Mail(width, markdown)
    _standing(mail, plan, s, w)
    _since(mail, plan, s, w)
    _attention(mail, s, w)
    _uncovered(mail, s, w)
    _stale(mail, s, w)
    return mail.text()


def _standing(mail: _Mail, plan: Plan, s: Summary, w: Words) -> None:
    """The mail's title, completion against time elapsed, and the targets in each class."""
    r = s.report
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


def _since(mail: _Mail, plan: Plan, s: Summary, w: Words) -> None:
    """What happened since the day asked: entries and voids, targets reached, started,
    changed class, and the entries voided."""
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


def _attention(mail: _Mail, s: Summary, w: Words) -> None:
    """The targets behind or off track, with their figures."""
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


def _uncovered(mail: _Mail, s: Summary, w: Words) -> None:
    """Each coverage target's regions not covered yet, by name."""
    mail.heading(w("missing_coverage"))
    for target, names in s.uncovered:
        missing = say("summary_uncovered", count=len(names), level=w(target.level or ""))
        mail.item(f"{target.ref} {target.title}：{missing}")
        mail.names(names, indent="  ")
    if not s.uncovered:
        mail.para("—")


def _stale(mail: _Mail, s: Summary, w: Words) -> None:
    """The regions never visited, then those not visited for long, with their last day."""
    mail.heading(w("stale_regions"))
    never = [name for name, last in s.stale if last is None]
    old = [f"{name} ({last})" for name, last in s.stale if last is not None]
    if never:
        mail.names([f"{w('never_visited')}：{never[0]}", *never[1:]])
    if old:
        mail.names([f"{w('last_visit')}：{old[0]}", *old[1:]])
    if not s.stale:
        mail.para("—")


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
