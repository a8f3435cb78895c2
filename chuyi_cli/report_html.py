"""`chuyi report` as one self-contained page: no script, no network, inline SVG charts;
printed on A4 landscape with a page break between sections, in a font stack that finds a
Chinese font on Windows, macOS and Linux. Also the small charts of `summary --format html`.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from chuyi_cli.annual import Annual, Series
from chuyi_cli.report_text import (
    PERCENT_KEYS,
    SUMMARY_KEYS,
    class_counts,
    entries_note,
    entry_cells,
    entry_headers,
    explanation,
    region_cells,
    region_headers,
    scope_text,
    summary_cells,
    summary_headers,
    t,
)

FONTS = (
    '"Microsoft YaHei", "微软雅黑", "PingFang SC", "Hiragino Sans GB", "Heiti SC", '
    '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "SimSun", "宋体", '
    "sans-serif"
)
# (Where the page is written in ASCII: a <style> does not read &#N; references.)
FONTS_ASCII = ", ".join(name for name in FONTS.split(", ") if name.isascii())
CLASS_COLOURS = {
    "done": "#C6EFCE",
    "on_track": "#DDEBF7",
    "behind": "#FFEB9C",
    "off_track": "#FFC7CE",
    "not_started": "#EDEDED",
    "no_goal": "#FFFFFF",
}
STYLE = f"""
@page {{ size: A4 landscape; margin: 12mm; }}
body {{ font-family: {FONTS}; font-size: 10pt; color: #111; margin: 0 auto; max-width: 270mm; }}
h1 {{ font-size: 15pt; margin: 0 0 4pt; }}
h2 {{ font-size: 12.5pt; margin: 10pt 0 4pt; border-bottom: 1px solid #999; }}
p.meta {{ margin: 0 0 6pt; color: #333; }}
section {{ break-before: page; page-break-before: always; }}
section:first-of-type {{ break-before: auto; page-break-before: auto; }}
table {{ border-collapse: collapse; width: 100%; }}
thead {{ display: table-header-group; }}
tr {{ break-inside: avoid; page-break-inside: avoid; }}
th, td {{ border: 1px solid #bbb; padding: 2pt 4pt; vertical-align: top; }}
th {{ background: #DDEBF7; text-align: left; }}
td:first-child {{ white-space: nowrap; }}
td.n {{ text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }}
tr.sec td {{ font-weight: bold; background: #F2F2F2; }}
tr.total td {{ font-weight: bold; border-top: 2px solid #666; }}
tr.counts td {{ font-weight: bold; }}
td.cls {{ white-space: nowrap; }}
tr.voided td {{ color: #808080; text-decoration: line-through; }}
tr.voided td.mark {{ text-decoration: none; }}
.charts {{ display: flex; flex-wrap: wrap; gap: 6pt; }}
figure {{ margin: 0; width: 128mm; break-inside: avoid; page-break-inside: avoid; }}
figcaption {{ font-size: 9pt; font-weight: bold; }}
.regions table {{ font-size: 8.5pt; table-layout: fixed; }}
.regions col.ref {{ width: 16mm; }}
.regions col.title {{ width: 62mm; }}
.regions th, .regions td {{ padding: 1pt 3pt; }}
.regions td.n {{ text-align: center; }}
.regions th {{ text-align: center; }}
tr.foot td {{ font-weight: bold; background: #F2F2F2; }}
dl dt {{ font-weight: bold; margin-top: 5pt; }}
dl dd {{ margin: 0 0 0 12pt; }}
"""


def _cell(value: Any, percent: bool = False) -> str:
    if value is None:
        return '<td class="n">—</td>'
    if isinstance(value, float) and percent:
        return f'<td class="n">{value * 100:.1f}%</td>'
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<td class="n">{value}</td>'
    return f"<td>{escape(str(value))}</td>"


def _section(name: str, lang: str, inner: str) -> str:
    """A section of the page under its heading (the workbook's sheet name)."""
    return f"<section id={name}><h2>{escape(t(lang, 'rpt.h_' + name))}</h2>{inner}</section>"


def _table(headers: list[str], body: list[str], columns: str = "") -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    return f"<table>{columns}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def page(annual: Annual, lang: str) -> str:
    plan = annual.plan
    title = t(lang, "rpt.title", title=plan.title)
    period = t(
        lang,
        "rpt.period",
        start=_after(annual),
        end=annual.as_of.isoformat(),
    )
    meta = f"{t(lang, 'rpt.as_of', day=annual.as_of)}　{period}"
    scope = scope_text(annual, lang)
    if scope:
        meta += f"　{scope}"
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(title)}</h1><p class=meta>{escape(meta)}</p>",
        _summary(annual, lang),
        _regions(annual, lang),
        _charts(annual, lang),
        _entries(annual, lang),
        _explanation(annual, lang),
        "</body></html>",
    ]
    return "\n".join(parts)


def write_html(annual: Annual, path: Path, lang: str) -> None:
    path.write_text(page(annual, lang), encoding="utf-8")


def _after(annual: Annual) -> str:
    import datetime as dt

    return (annual.start + dt.timedelta(days=1)).isoformat()


def _summary(annual: Annual, lang: str) -> str:
    before = {r.target.id: r for r in annual.before.rows}
    body = []
    for section, rows in annual.now.sections(annual.plan):
        name = section.title if lang == "zh" else (section.title_en or section.title)
        body.append(
            f'<tr class="sec"><td>{escape(section.ref)}</td>'
            f"<td colspan={len(SUMMARY_KEYS) - 1}>{escape(name)}</td></tr>"
        )
        for status in rows:
            cells = summary_cells(status, before[status.target.id], lang)
            tds = [
                _cell(v, percent=key in PERCENT_KEYS)
                for key, v in zip(SUMMARY_KEYS[:-1], cells[:-1], strict=True)
            ]
            colour = CLASS_COLOURS.get(status.cls, "#FFFFFF")
            tds.append(f'<td class="cls" style="background:{colour}">{escape(cells[-1])}</td>')
            body.append(f'<tr data-target="{escape(status.target.id)}">{"".join(tds)}</tr>')
    overall = annual.now.overall
    total = {
        "title": f"<td>{escape(t(lang, 'rpt.overall'))}</td>",
        "completion": _cell(
            None if overall.completion is None else round(overall.completion, 4), True
        ),
        "expected": _cell(round(annual.now.elapsed, 4), True),
    }
    total_cells = "".join(total.get(key, "<td></td>") for key in SUMMARY_KEYS)
    body.append(f'<tr class="total">{total_cells}</tr>')
    # (the targets per class under it, across the table: one narrow cell would widen it)
    counts = escape(class_counts(annual, lang))
    body.append(
        f'<tr class="counts"><td></td><td colspan={len(SUMMARY_KEYS) - 1}>{counts}</td></tr>'
    )
    return _section("summary", lang, _table(summary_headers(lang), body))


def _regions(annual: Annual, lang: str) -> str:
    if not annual.coverage and not annual.counts:
        inner = f"<p>{escape(t(lang, 'rpt.no_region_targets'))}</p>"
    else:
        # A line per target, a column per 市州; last record and stale ones at the foot.
        rows = region_cells(annual, lang)
        body = []
        for i, row in enumerate(rows):
            foot = i >= len(rows) - 2
            cells = []
            for region, value in zip(annual.regions, row[2:], strict=True):
                mark = ' style="background:#FFC7CE"' if foot and region.stale else ""
                # (a day breaks after its year in a narrow column)
                shown = escape(str(value)).replace("-", "-<wbr>", 1)
                cells.append(f'<td class="n"{mark}>{shown}</td>')
            cls = ' class="foot"' if foot else ""
            body.append(
                f"<tr{cls}><td>{escape(row[0])}</td><td>{escape(row[1])}</td>{''.join(cells)}</tr>"
            )
        note = f"<p class=meta>{escape(t(lang, 'rpt.region_note'))}</p>"
        columns = '<colgroup><col class="ref"><col class="title"></colgroup>'
        table = _table(region_headers(annual, lang), body, columns)
        inner = f'{note}<div class="regions">{table}</div>'
    return _section("regions", lang, inner)


def _charts(annual: Annual, lang: str) -> str:
    if not annual.series:
        inner = f"<p>{escape(t(lang, 'rpt.no_charts'))}</p>"
    else:
        figures = []
        for series in annual.series:
            name = series.target.title if lang == "zh" else series.target.title_en
            caption = t(
                lang, "rpt.chart_title", ref=series.target.ref, title=name, goal=series.goal
            )
            chart = svg_chart(series, lang)
            figures.append(f"<figure><figcaption>{escape(caption)}</figcaption>{chart}</figure>")
        legend = escape(_legend(lang))
        inner = f"<p class=meta>{legend}</p><div class=charts>{''.join(figures)}</div>"
    return _section("charts", lang, inner)


def svg_chart(series: Series, lang: str, width: int = 480, height: int = 200) -> str:
    """The burn-up as an inline SVG: achieved (solid), expected (grey), projected (dashed),
    a year tick on the axis."""
    left, right, top, bottom = 40, 8, 8, 22
    inner_w, inner_h = width - left - right, height - top - bottom
    values = [v for v in (*series.expected, *series.achieved, *series.projected) if v is not None]
    high = max([series.goal, *values, 1])
    count = max(len(series.days) - 1, 1)

    def xy(i: int, v: float) -> str:
        return f"{left + inner_w * i / count:.1f},{top + inner_h * (1 - v / high):.1f}"

    def line(values: list[Any], style: str) -> str:
        points = [xy(i, v) for i, v in enumerate(values) if v is not None]
        if len(points) < 2:
            if points:
                x, y = points[0].split(",")
                return f'<circle cx="{x}" cy="{y}" r="2" {style}/>'
            return ""
        lines = [" ".join(points[i : i + 8]) for i in range(0, len(points), 8)]
        return f'<polyline fill="none" {style} points="' + "\n".join(lines) + '"/>'

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" font-size="10" font-family=\'{FONTS}\'>',
        f'<rect x="{left}" y="{top}" width="{inner_w}" height="{inner_h}" fill="#fff" '
        'stroke="#ccc"/>',
    ]
    for frac in (0, 0.5, 1):
        y = top + inner_h * (1 - frac)
        label = f"{high * frac:.0f}"
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + inner_w}" y2="{y:.1f}" stroke="#eee"/>'
            f'<text x="{left - 3}" y="{y + 3:.1f}" text-anchor="end">{label}</text>'
        )
    for i, day in enumerate(series.days):
        if day.month == 6:  # the year's name under its middle
            x = left + inner_w * i / count
            parts.append(
                f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle">{day.year}</text>'
            )
    parts.append(line(series.expected, 'stroke="#A6A6A6" stroke-width="1.5"'))
    parts.append(
        line(series.projected, 'stroke="#1F4E79" stroke-width="1.5" stroke-dasharray="5,4"')
    )
    parts.append(line(series.achieved, 'stroke="#1F4E79" stroke-width="2.5"'))
    parts.append("</svg>")
    return "\n".join(p for p in parts if p)


def _entries(annual: Annual, lang: str) -> str:
    rows = entry_cells(annual, lang)
    if not rows:
        inner = f"<p>{escape(t(lang, 'rpt.no_entries'))}</p>"
    else:
        body = []
        for row in rows:
            cls = ' class="voided"' if row[-1] else ""
            cells = "".join(_cell(v) for v in row[:-1])
            body.append(f'<tr{cls}>{cells}<td class="mark">{escape(row[-1])}</td></tr>')
        inner = _table(entry_headers(lang), body)
        note = entries_note(annual, lang)
        if note:
            inner = f"<p class=meta><strong>{escape(note)}</strong></p>{inner}"
    return _section("entries", lang, inner)


def _explanation(annual: Annual, lang: str) -> str:
    items = []
    for head, text in explanation(annual, lang):
        if head:
            items.append(f"<dt>{escape(head)}</dt>")
        items.append(f"<dd>{escape(text)}</dd>")
    return _section("notes", lang, f"<dl>{''.join(items)}</dl>")


def summary_page(title: str, text: str, series: list[Series], lang: str) -> str:
    """`chuyi summary --format html`: the summary's text as it is, and a small chart per
    target behind or off track. Written in ASCII (other characters as ``&#N;``) in lines
    of at most a few hundred bytes, so that a mail of any encoding carries it whole."""
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title>",
        f"<style>body {{ font-family: {FONTS_ASCII}; }}"
        " figure { margin: 6pt 0; max-width: 480px; }"
        " figcaption { font-weight: bold; font-size: 10pt; }</style></head><body>",
        "<pre>",
        *escape(text.rstrip("\n")).split("\n"),
        "</pre>",
    ]
    if series:
        parts.append(f"<p>{escape(_legend(lang))}</p>")
    for one in series:
        name = one.target.title if lang == "zh" else one.target.title_en
        caption = t(lang, "rpt.chart_title", ref=one.target.ref, title=name, goal=one.goal)
        parts += [f"<figure><figcaption>{escape(caption)}</figcaption>", svg_chart(one, lang)]
        parts.append("</figure>")
    parts.append("</body></html>")
    return "\n".join(parts).encode("ascii", "xmlcharrefreplace").decode("ascii") + "\n"


def _legend(lang: str) -> str:
    return "　".join(
        (
            "━ " + t(lang, "rpt.series_achieved"),
            "━ " + t(lang, "rpt.series_expected"),
            "┅ " + t(lang, "rpt.series_projected"),
        )
    )
