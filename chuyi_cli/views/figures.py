"""Numbers as every view writes them: an amount in the target's own units, a yearly
milestone's years."""

from __future__ import annotations

from chuyi_cli.catalog_nodes import Target
from chuyi_cli.i18n import Words
from chuyi_cli.progress import TargetStatus


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
