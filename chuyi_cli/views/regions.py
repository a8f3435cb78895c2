"""`chuyi regions-status`: regions × coverage targets, units and last records."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chuyi_cli.catalog_nodes import Target
from chuyi_cli.render import Output
from chuyi_cli.tables import Column, Styled

if TYPE_CHECKING:
    from chuyi_cli.digest import RegionRow


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
