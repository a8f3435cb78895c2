"""The words and cells the report's two forms share (workbook and page): headers, rows,
the explanation sheet. No file format here, and the numbers are those of the status."""

from __future__ import annotations

import re
from typing import Any

from chuyi_cli.annual import ENTRY_ROWS, STALE_DAYS, Annual
from chuyi_cli.catalog_nodes import Target
from chuyi_cli.i18n import Message, Words
from chuyi_cli.progress import TargetStatus

# Control characters a spreadsheet cell or a page cannot hold: shown as \xNN, not dropped.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def visible(text: str | None) -> str:
    """A record's text with every control character shown as ``\\xNN``."""
    if not text:
        return ""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def t(lang: str, key: str, **fields: object) -> str:
    return Message(key, **fields).text(lang)


def public_end(plan: Any) -> Any:
    """The end year the public text sets (a catalog field, when the catalog has it)."""
    for name in ("public_deadline", "public_end", "notice_deadline"):
        value = getattr(plan, name, None)
        if value is not None:
            return value
    return None


# 总表's columns, in order: (key, whether a fraction shown as a percentage).
SUMMARY_COLUMNS = (
    ("ref", False),
    ("title", False),
    ("goal", False),
    ("counts_at", False),
    ("year_start", False),
    ("achieved", False),
    ("selected_or_later", False),
    ("completion", True),
    ("expected", True),
    ("gap", True),
    ("class", False),
)
SUMMARY_KEYS = [key for key, _percent in SUMMARY_COLUMNS]
PERCENT_KEYS = {key for key, percent in SUMMARY_COLUMNS if percent}


def column(key: str) -> int:
    """The 1-based position of a column of 总表."""
    return SUMMARY_KEYS.index(key) + 1


def summary_headers(lang: str) -> list[str]:
    w = Words(lang)
    heads = {
        "ref": w("ref"),
        "title": w("title"),
        "goal": w("goal"),
        "counts_at": w("counts_at"),
        "year_start": t(lang, "rpt.year_start"),
        "achieved": t(lang, "rpt.achieved_now"),
        "selected_or_later": w("selected_or_later"),
        "completion": w("completion"),
        "expected": t(lang, "rpt.series_expected"),
        "gap": t(lang, "rpt.gap"),
        "class": w("class"),
    }
    return [heads[key] for key in SUMMARY_KEYS]


def summary_cells(row: TargetStatus, before: TargetStatus, lang: str) -> list[Any]:
    """One target's line on 总表: numbers as `status --json` rounds them (fractions);
    achieved at the target's counting stage, and beside it had every unit counted from
    立项 (selected) on, as provincial reports cite both."""
    w = Words(lang)

    def r4(value: float | None) -> float | None:
        return None if value is None else round(value, 4)

    title = row.target.title if lang == "zh" else (row.target.title_en or row.target.title)
    cells = {
        "ref": row.target.ref,
        "title": title,
        "goal": row.goal,
        "counts_at": w(row.counts_at) if row.counts_at else None,
        "year_start": before.achieved,
        "achieved": row.achieved,
        "selected_or_later": row.selected_or_later,
        "completion": r4(row.completion),
        "expected": r4(row.expected),
        "gap": r4(row.gap),
        "class": w(row.cls),
    }
    return [cells[key] for key in SUMMARY_KEYS]


def class_counts(annual: Annual, lang: str) -> str:
    w = Words(lang)
    sep = w("list_sep")
    return sep.join(f"{w(c)} {n}" for c, n in annual.now.overall.by_class.items() if n)


def target_title(target: Target, lang: str) -> str:
    return target.title if lang == "zh" else (target.title_en or target.title)


def region_headers(annual: Annual, lang: str) -> list[str]:
    """地区's header: ref, target, then the 市州 by their short names (长沙, 湘西州)."""
    from chuyi_cli.regions import gazetteer

    w = Words(lang)
    places = gazetteer().by_code
    shorts = [places[r.code].aliases[:1] or (r.name,) for r in annual.regions]
    return [w("ref"), w("target"), *(short[0] for short in shorts)]


def region_cells(annual: Annual, lang: str) -> list[list[Any]]:
    """地区: a line per coverage target (its regions covered in each 市州, "covered/total")
    and per count target (its units in each 市州 at 立项 or later), then each 市州's last
    record and whether it is stale."""
    w = Words(lang)
    rows: list[list[Any]] = []
    for target in annual.coverage:
        shares = [r.coverage.get(target.id, (0, 0)) for r in annual.regions]
        rows.append([target.ref, target_title(target, lang), *(f"{c}/{n}" for c, n in shares)])
    for target in annual.counts:
        units = [r.units.get(target.id, 0) for r in annual.regions]
        rows.append([target.ref, target_title(target, lang), *units])
    never = w("never_visited")
    rows.append(["", w("last_record"), *(r.last_record or never for r in annual.regions)])
    stale = t(lang, "rpt.stale_mark")
    rows.append(
        [
            "",
            t(lang, "rpt.stale_row", days=STALE_DAYS),
            *(stale if r.stale else "" for r in annual.regions),
        ]
    )
    return rows


def entry_headers(lang: str) -> list[str]:
    w = Words(lang)
    return [
        w("date"),
        w("ref"),
        w("target"),
        w("unit"),
        w("region"),
        t(lang, "rpt.entry_state"),
        w("recorder"),
        w("note"),
        w("entry"),
        t(lang, "rpt.voided_mark"),
    ]


def entries_note(annual: Annual, lang: str) -> str | None:
    """What 明细 says when the period holds more entries than it lists."""
    if not annual.more_entries:
        return None
    first = annual.entries[0][0].observed if annual.entries else annual.as_of.isoformat()
    return t(lang, "rpt.entries_cut", most=ENTRY_ROWS, first=first, since=_after(annual))


def entry_cells(annual: Annual, lang: str) -> list[list[Any]]:
    from chuyi_cli.regions import gazetteer

    w = Words(lang)
    names = {r.code: r.name for r in gazetteer().regions}
    refs = {target.id: target.ref for target in annual.plan.targets}
    rows = []
    for e, voided in annual.entries:
        what: str | int | None
        if e.voids:
            what = t(lang, "rpt.void_of", entry=e.voids[:8])
        elif e.stage:
            what = w(e.stage)
        elif e.state:
            what = w(e.state)
        else:
            what = e.quantity  # (a number: a workbook's cell holds it as one)
        rows.append(
            [
                e.observed,
                refs.get(e.target, ""),
                e.target,
                visible(e.unit),
                names.get(e.region or "", e.region or ""),
                what,
                visible(e.recorder),
                visible(e.note),
                e.short_id,
                t(lang, "rpt.voided_mark") if voided else "",
            ]
        )
    return rows


def explanation(annual: Annual, lang: str) -> list[tuple[str, str]]:
    """说明: (heading, text) pairs."""
    w = Words(lang)
    plan = annual.plan
    sep = w("list_sep")
    restored = [f"{x.ref} {x.title}" for x in plan.targets if x.restored]
    gaps = [f"{x.ref} {x.title}：{x.gap}" for x in plan.targets if x.gap]
    items = [
        (t(lang, "rpt.notice"), plan.title if lang == "zh" else f"{plan.title} ({plan.title_en})"),
        (t(lang, "rpt.issuers"), sep.join(plan.issuers)),
        (w("as_of"), annual.as_of.isoformat()),
        ("", t(lang, "rpt.period", start=_after(annual), end=annual.as_of.isoformat())),
        (t(lang, "rpt.start"), plan.start.isoformat()),
        (t(lang, "rpt.deadline"), plan.deadline.isoformat()),
    ]
    end = public_end(plan)
    if end is not None:
        year = getattr(end, "year", end)
        items.append((t(lang, "rpt.public_end"), str(year)))
        why = getattr(plan, "deadline_note", None)  # the catalog's own reason, when it has one
        items.append(("", t(lang, "rpt.deadline_why", public=year, deadline=plan.deadline)))
        if why:
            items.append(("", why))
    items.append((t(lang, "rpt.rule_title"), t(lang, "rpt.rule")))
    items += [(t(lang, "rpt.catalog_notes"), note) for note in plan.notes]
    items.append((t(lang, "rpt.restored_list"), sep.join(restored) or t(lang, "rpt.none")))
    items += [(t(lang, "rpt.gap_list"), g) for g in gaps] or [
        (t(lang, "rpt.gap_list"), t(lang, "rpt.none"))
    ]
    unverified = [f"{x.ref} {x.title}：{x.unverified}" for x in plan.targets if x.unverified]
    items += [(t(lang, "rpt.unverified_list"), u) for u in unverified]
    items += [(t(lang, "rpt.reconstructed_list"), r) for r in reconstructed(plan)]
    # a heading once, over the lines it heads
    return [(h if i == 0 or h != items[i - 1][0] else "", x) for i, (h, x) in enumerate(items)]


def reconstructed(plan: Any) -> list[str]:
    """Each field the catalog's maintainers wrote by analogy or inferred, with why."""
    entries = []
    for section in plan.sections:
        entries.append(section)
        for task in section.tasks:
            entries += [task, *task.targets]
    return [f"{x.ref} {x.title}（{f}）：{why}" for x in entries for f, why in x.reconstructed]


def _after(annual: Annual) -> str:
    import datetime as dt

    return (annual.start + dt.timedelta(days=1)).isoformat()


def scope_text(annual: Annual, lang: str) -> str | None:
    parts = [p for p in (annual.section, annual.region) if p]
    return t(lang, "rpt.scope", what=" / ".join(parts)) if parts else None
