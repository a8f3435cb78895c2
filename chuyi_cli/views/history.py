"""`chuyi log` and `chuyi units`: entries as they arrive, and each unit of a target."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from chuyi_cli.catalog_nodes import STAGES, Plan, Target
from chuyi_cli.fold import UnitState
from chuyi_cli.i18n import say
from chuyi_cli.regions import Gazetteer
from chuyi_cli.render import Output
from chuyi_cli.tables import Column
from chuyi_cli.wrapping import RECORD_CELL, shown

if TYPE_CHECKING:
    from chuyi_cli.domain import Entry


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
