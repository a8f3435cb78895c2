"""`chuyi report`: the annual-assessment workbook and page, their charts, and every number
in them equal to `chuyi status --json --as-of` of the same day."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chuyi_cli import annual
from chuyi_cli.i18n import Words
from tests.test_cli_record import visits  # noqa: F401  (fixture)

# The day of the report: today, the day the visits without a --date were recorded.
DAY = dt.date.today().isoformat()
YEAR_START = f"{int(DAY[:4]) - 1}-12-31"  # the day before the year of DAY
SHEETS = ["总表", "地区", "进度图", "明细", "说明"]


def month_count(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def status_json(chuyi, *args: str) -> dict:
    return json.loads(chuyi("status", "--json", *args).stdout)


def open_book(path: Path):
    from openpyxl import load_workbook

    return load_workbook(path)


def summary_rows(sheet) -> dict[str, list]:
    """总表's target lines by ref+title (below the header row 4), and the overall line."""
    rows = {}
    for cells in sheet.iter_rows(min_row=5, values_only=True):
        if all(c is None for c in cells[2:]):
            continue  # a section line
        rows[f"{cells[0]}|{cells[1]}"] = list(cells)
    return rows


def expected_line(target: dict, before: dict, lang: str) -> list:
    """A target's cells on 总表 after its ref and title, from `status --json`: goal, the
    stage it counts at, achieved at the year's start and now, selected or later,
    completion, expected, gap, class."""
    w = Words(lang)
    return [
        target["goal"],
        w(target["counts_at"]) if target["counts_at"] else None,
        before["achieved"],
        target["achieved"],
        target["selected_or_later"],
        target["completion"],
        target["expected"],
        target["gap"],
        w(target["class"]),
    ]


def assert_summary_matches(rows: dict[str, list], now: dict, start: dict, lang: str) -> None:
    w = Words(lang)
    before = {t["id"]: t for t in start["targets"]}
    assert len(rows) == len(now["targets"]) + 1  # (and the overall line)
    for target in now["targets"]:
        title = target["title"] if lang == "zh" else target["title_en"]
        cells = rows.pop(f"{target['ref']}|{title}")
        assert cells[2:] == expected_line(target, before[target["id"]], lang), target["id"]
    (total,) = rows.values()
    assert total[7] == now["overall"]["completion"]
    assert total[8] == now["plan"]["elapsed"]
    for cls, count in now["overall"]["by_class"].items():
        if count:
            assert f"{w(cls)} {count}" in total[10]


def test_the_summary_sheet_shows_both_counting_stages(chuyi, visits, tmp_path):  # noqa: F811
    """The culture bases count at 验收, with a base at 立项 beside them: 总表 says so."""
    path = tmp_path / "r.xlsx"
    chuyi("--lang", "zh", "report", "-o", str(path), "--as-of", DAY)
    sheet = open_book(path)["总表"]
    header = [c.value for c in sheet[4]]
    assert header[3] == "计数阶段" and header[6] == "立项及以后"
    now = {t["id"]: t for t in status_json(chuyi, "--as-of", DAY)["targets"]}
    bases = now["culture-bases"]
    assert bases["selected_or_later"] > bases["achieved"]
    line = summary_rows(sheet)[f"{bases['ref']}|{bases['title']}"]
    assert line[3] == "验收"
    assert (line[5], line[6]) == (bases["achieved"], bases["selected_or_later"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_number_of_the_workbook_is_the_status_of_that_day(chuyi, visits, tmp_path, lang):  # noqa: F811
    path = tmp_path / "r.xlsx"
    chuyi("--lang", lang, "report", "-o", str(path), "--as-of", DAY)
    book = open_book(path)
    assert book.sheetnames == SHEETS
    now = status_json(chuyi, "--as-of", DAY)
    start = status_json(chuyi, "--as-of", YEAR_START)
    assert_summary_matches(summary_rows(book["总表"]), now, start, lang)


def test_a_section_and_a_region_report_what_status_reports_for_them(chuyi, visits, tmp_path):  # noqa: F811
    path = tmp_path / "r.xlsx"
    args = ("--section", "二", "--region", "长沙")
    chuyi("--lang", "en", "report", "-o", str(path), "--as-of", DAY, *args)
    now = status_json(chuyi, "--as-of", DAY, *args)
    start = status_json(chuyi, "--as-of", YEAR_START, *args)
    assert now["targets"] and len(now["targets"]) < 35
    assert_summary_matches(summary_rows(open_book(path)["总表"]), now, start, "en")


def test_a_year_report_ends_on_its_31_december(chuyi, visits, tmp_path):  # noqa: F811
    path = tmp_path / "r.xlsx"
    chuyi("--lang", "zh", "report", "-o", str(path), "--year", "2024")
    now = status_json(chuyi, "--as-of", "2024-12-31")
    start = status_json(chuyi, "--as-of", "2023-12-31")
    book = open_book(path)
    assert_summary_matches(summary_rows(book["总表"]), now, start, "zh")
    # the period's entries: observed in 2024 only
    days = [r[0] for r in book["明细"].iter_rows(min_row=5, values_only=True) if r[0]]
    assert days and all(d.startswith("2024-") for d in days)


def test_charts_one_per_target_with_a_goal_of_every_month_end(chuyi, visits, tmp_path, plan):  # noqa: F811
    path = tmp_path / "r.xlsx"
    chuyi("--lang", "zh", "report", "-o", str(path), "--as-of", DAY)
    book = open_book(path)
    sheet = book["进度图"]
    charts = sheet._charts
    with_goal = [t for t in plan.targets if t.goal is not None]
    assert len(charts) == len(with_goal) > 0
    months = month_count(plan.start, plan.deadline)
    known = month_count(plan.start, dt.date.fromisoformat(DAY))
    now = {t["id"]: t for t in status_json(chuyi, "--as-of", DAY)["targets"]}
    # four charts a printed page: a page break never cuts one
    from chuyi_cli.report_xlsx import CHART_ROWS

    breaks = [b.id for b in sheet.row_breaks.brk]
    assert len(breaks) == (len(charts) - 1) // 4
    for chart in charts:
        top = chart.anchor._from.row + 1
        assert not any(top <= b < top + CHART_ROWS - 1 for b in breaks)
        assert chart.x_axis.tagname == "dateAx" and chart.x_axis.numFmt.formatCode == "yyyy"
    for chart in charts:
        assert chart.tagname == "lineChart"
        achieved, expected, projected = chart.series
        assert projected.graphicalProperties.line.prstDash == "dash"
        for series in (achieved, expected, projected):
            ref = series.val.numRef.f  # '进度图'!$X$5:$X$109
            first, last = (int(n) for n in re.findall(r"\$(\d+)", ref))
            assert last - first + 1 == months
    # the data beside the charts: achieved up to the day, its last point today's status
    ids = [c.value for c in sheet[3]]
    for target in with_goal:
        col = ids.index(target.id)
        values = [sheet.cell(5 + i, col + 1).value for i in range(months)]
        assert all(v is not None for v in values[:known])
        assert all(v is None for v in values[known:])
        assert values[known - 1] == now[target.id]["achieved"]
        expected = [sheet.cell(5 + i, col + 2).value for i in range(months)]
        assert expected[-1] == target.goal and expected == sorted(expected)
        # the expected line passes where status expects the target (the yearly
        # assessment: the years ended)
        goal = now[target.id]["goal"]
        assert expected[known - 1] == pytest.approx(
            now[target.id]["expected"] * goal,
            abs=0.006 + goal * 6e-5,  # (both rounded)
        )


def test_the_chart_series_are_the_status_of_each_month_end(plan, tmp_path):
    """achieved_over_time: each point equals a status --as-of of that day (core), a
    coverage's too (of its month ends, the rows at the stages it counts)."""
    from chuyi_cli import report
    from chuyi_cli.domain import Entry
    from chuyi_cli.store import Store

    store = Store.open(tmp_path / "s.db")
    rows = [
        ("training-bases", "甲基地", "430100", "selected", "2022-06-01"),
        ("training-bases", "甲基地", "430100", "accepted", "2023-01-15"),
        ("training-bases", "乙基地", "430200", "accepted", "2024-07-31"),
        ("training-bases", "乙基地", "430200", "revoked", "2025-03-01"),
        ("public-college-per-city", "甲院", "430181", "accepted", "2022-09-01"),
        ("public-college-per-city", "乙院", "430100", "accepted", "2023-02-01"),
        ("public-college-per-city", "丙院", "430281", "selected", "2023-02-02"),
        ("public-college-per-city", "丙院", "430281", "accepted", "2024-02-02"),
        ("public-college-per-city", "甲院", "430181", "revoked", "2025-04-01"),
    ]
    store.add(
        [
            Entry(f"{i:032x}", t, u, r, s, None, None, d, f"{d}T00:00:00Z", "t")
            for i, (t, u, r, s, d) in enumerate(rows)
        ]
    )
    chosen = [plan.target("training-bases"), plan.target("public-college-per-city")]
    day = dt.date(2025, 5, 10)
    days = [d for d in annual.chart_days(plan, day) if d <= day]
    series = annual.achieved_over_time(plan, store, chosen, days)
    for n, target in enumerate(chosen):
        statuses = [report.status(plan, store, d, chosen).rows[n] for d in days]
        assert series[target.id] == [s.achieved for s in statuses]
    bases, cities = series["training-bases"], series["public-college-per-city"]
    assert bases[days.index(dt.date(2023, 1, 31))] == 1
    assert bases[days.index(dt.date(2024, 7, 31))] == 2
    assert bases[-1] == 1
    assert cities[days.index(dt.date(2023, 1, 31))] == 1  # 浏阳市 counts for 长沙市
    assert cities[days.index(dt.date(2024, 2, 29))] == 2
    assert cities[-1] == 2  # 长沙市 itself still


@given(st.dates(dt.date(2022, 4, 8), dt.date(2030, 12, 31)))
def test_chart_days_one_per_month_the_report_day_in_its_month(day):
    from chuyi_cli.catalog import load_catalog

    plan = load_catalog()
    days = annual.chart_days(plan, day)
    assert len(days) == month_count(plan.start, plan.deadline)
    assert days == sorted(set(days))
    assert day in days
    assert days[-1] == (day if (day.year, day.month) == (2030, 12) else plan.deadline)
    months = [(d.year, d.month) for d in days]
    assert len(set(months)) == len(months)
    for d in days:
        if d != day:
            assert (d + dt.timedelta(days=1)).day == 1


def test_conditional_formats_colour_every_class(chuyi, visits, tmp_path):  # noqa: F811
    path = tmp_path / "r.xlsx"
    chuyi("--lang", "zh", "report", "-o", str(path), "--as-of", DAY)
    sheet = open_book(path)["总表"]
    rules = [r for cf in sheet.conditional_formatting for r in cf.rules]
    words = {r.formula[0].strip('"') for r in rules}
    assert {"已完成", "进度正常", "滞后", "严重滞后", "未开始"} <= words
    ranges = {str(cf.sqref) for cf in sheet.conditional_formatting}
    assert all(r.startswith("K5:K") for r in ranges)
    # print set-up: A4 landscape, header repeated, fitted to the width
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
    assert sheet.print_title_rows.replace("$", "") == "4:4"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth == 1


def test_regions_sheet_is_regions_status(chuyi, visits, tmp_path, plan):  # noqa: F811
    """地区: a line per coverage and count target, a column per 市州, as regions-status."""
    path = tmp_path / "r.xlsx"
    chuyi("--lang", "zh", "report", "-o", str(path), "--as-of", DAY)
    sheet = open_book(path)["地区"]
    coverage = [t for t in plan.targets if t.kind == "coverage"]
    counts = [t for t in plan.targets if t.kind in ("count", "named")]
    rows = json.loads(chuyi("regions-status", "--json", "--as-of", DAY, "--stale", "90").stdout)
    assert len(rows) == 14
    header = [c.value for c in sheet[4]]
    assert header[:2] == ["编号", "目标"]
    assert header[2:] == [r["name"].removesuffix("市") for r in rows[:13]] + ["湘西州"]
    lines = list(sheet.iter_rows(min_row=5, max_row=4 + len(coverage) + len(counts) + 2,
                                 values_only=True))  # fmt: skip
    for line, target in zip(lines, coverage + counts, strict=False):
        assert line[:2] == (target.ref, target.title)
        if target.kind == "coverage":
            shares = [f"{c}/{n}" for c, n in (r["coverage"][target.id] for r in rows)]
            assert list(line[2:]) == shares
        else:
            assert list(line[2:]) == [r["units"][target.id] for r in rows]
    last, stale = lines[-2], lines[-1]
    assert last[1] == "最近记录" and stale[1] == "90 天以上无记录"
    assert list(last[2:]) == [r["last_record"] or "从未有记录" for r in rows]
    assert [bool(c) for c in stale[2:]] == [r["stale"] for r in rows]
    assert any(r["stale"] for r in rows) and not all(r["stale"] for r in rows)
    changsha = lines[coverage.index(plan.target("public-school-per-county"))][2]
    assert changsha.startswith("2/")


def test_voided_entries_are_marked_and_text_is_kept(chuyi, visits, tmp_path):  # noqa: F811
    chuyi("record", "training-bases", "=HYPERLINK(\"x\")[2J", "--region", "长沙",
          "--stage", "accepted", "--date", "2026-03-01")  # fmt: skip
    log = chuyi("--lang", "en", "log", "--json").stdout
    entries = json.loads(log) if log.startswith("[") else [json.loads(x) for x in log.splitlines()]
    (first,) = [e for e in entries if (e.get("unit") or "").startswith("=HYPERLINK")]
    chuyi("void", first["id"], "--reason", "wrong")
    path = tmp_path / "r.xlsx"
    chuyi("--lang", "zh", "report", "-o", str(path), "--as-of", DAY)
    sheet = open_book(path)["明细"]
    rows = [r for r in sheet.iter_rows(min_row=5, values_only=True) if r[0]]
    assert any(r[5] == f"作废 {first['id'][:8]}" for r in rows)  # the void, listed too
    (line,) = [r for r in rows if r[8] == first["id"][:8]]
    assert line[3] == first["unit"] and line[3].startswith("=HYPERLINK")
    assert line[9] == "已作废"
    cell = next(c for c in sheet["D"] if c.value == first["unit"])
    assert cell.data_type == "s"  # text, not a formula


def test_html_has_the_same_numbers_and_needs_nothing_else(chuyi, visits, tmp_path):  # noqa: F811
    path = tmp_path / "r.html"
    chuyi("--lang", "zh", "report", "-o", str(path), "--as-of", DAY)
    text = path.read_text("utf-8")
    assert "<script" not in text.lower()
    remote = r"""(src|href)\s*=|url\(|@import|https?://(?!www\.w3\.org/2000/svg)"""
    assert not re.search(remote, text)
    assert text.count("<svg") == 18
    for section in SHEETS:
        assert f"<h2>{section}</h2>" in text
    assert "page-break-before: always" in text and "size: A4 landscape" in text
    for font in ("Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC"):
        assert font in text
    rows = TargetRows()
    rows.feed(text)
    now = status_json(chuyi, "--as-of", DAY)
    start = {t["id"]: t for t in status_json(chuyi, "--as-of", YEAR_START)["targets"]}
    assert len(rows.rows) == len(now["targets"])
    for target in now["targets"]:
        cells = rows.rows[target["id"]]

        def shown(value):
            if value is None:
                return "—"
            return f"{value * 100:.1f}%" if isinstance(value, float) else str(value)

        line = expected_line(target, start[target["id"]], "zh")
        assert cells[2:] == [shown(v) if i < 8 else v for i, v in enumerate(line)]
    w = Words("zh")
    for cls, count in now["overall"]["by_class"].items():
        if count:
            assert f"{w(cls)} {count}" in text


class TargetRows(HTMLParser):
    """The cells of each <tr data-target=…> of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self.current: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            target = dict(attrs).get("data-target")
            self.current = self.rows.setdefault(target, []) if target else None
        elif tag == "td" and self.current is not None:
            self.current.append("")

    def handle_data(self, data):
        if self.current is not None and self.current:
            self.current[-1] += data


def test_the_format_comes_from_the_suffix_or_is_refused(chuyi, tmp_path):
    path = tmp_path / "report.pdf"
    result = chuyi("--lang", "en", "report", "-o", str(path), code=1)
    assert ".xlsx or .html" in result.stderr
    assert list(tmp_path.iterdir()) == [tmp_path / "chuyi.db"] or not path.exists()
    chuyi("--lang", "en", "report", "-o", str(path), "--format", "html")
    assert path.read_text("utf-8").startswith("<!DOCTYPE html>")
    result = chuyi("--lang", "zh", "report", "--as-of", DAY, "--year", "2025", code=1)
    assert "--year" in result.stderr
    result = chuyi("--lang", "en", "report", "-o", str(tmp_path / "x.xlsx"), "--year", "2019",
                   code=1)  # fmt: skip
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_the_report_has_help(chuyi):
    text = chuyi("--lang", "en", "report", "--help").stdout
    for option in ("--output", "--format", "--as-of", "--year", "--section", "--region", "--lang"):
        assert option in text


# --------------------------------------------------------------------------- rendered

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOPPM = shutil.which("pdftoppm")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def ink(pdf: Path, folder: Path) -> float:
    """The share of non-white pixels on the first page of ``pdf`` (pdftoppm, grey)."""
    subprocess.run(
        [str(PDFTOPPM), "-f", "1", "-l", "1", "-r", "40", "-gray", str(pdf), str(folder / "p")],
        check=True,
        timeout=120,
    )
    (page,) = folder.glob("p*.pgm")
    data = page.read_bytes()
    # P5 header: magic, width, height, maxval, then one byte per pixel
    parts = data.split(maxsplit=4)
    width, height = int(parts[1]), int(parts[2])
    pixels = parts[4][-width * height :]
    return sum(1 for p in pixels if p < 200) / len(pixels)


def chinese_fonts() -> set[str]:
    """The families fontconfig has for Chinese, as a PDF names them (without spaces)."""
    if shutil.which("fc-list") is None:
        return set()
    listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    names = (n for line in listed.stdout.splitlines() for n in line.split(","))
    return {n.replace(" ", "") for n in names if n.strip() and n.isascii()}


def assert_chinese_font_used(pdf: Path) -> None:
    """Where a Chinese font is installed (.ci/run installs one), the printed Chinese is in
    it: embedded in the PDF, not boxes of a Latin font."""
    fonts = chinese_fonts()
    if not fonts or shutil.which("pdffonts") is None:
        return
    embedded = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert any(f in embedded for f in fonts), embedded


@pytest.mark.skipif(
    SOFFICE is None or PDFTOPPM is None,
    reason="LibreOffice or poppler-utils missing; .ci/run installs libreoffice-calc, poppler-utils",
)
def test_the_workbook_prints_a_page_that_is_not_blank(chuyi, visits, tmp_path, office_profile):  # noqa: F811
    path = tmp_path / "r.xlsx"
    chuyi("--lang", "zh", "report", "-o", str(path), "--as-of", DAY)
    out = tmp_path / "pdf"
    subprocess.run(
        [str(SOFFICE), f"-env:UserInstallation={office_profile.as_uri()}", "--headless",
         "--convert-to", "pdf", "--outdir", str(out), str(path)],
        capture_output=True, timeout=300, check=False,
    )  # fmt: skip
    assert (out / "r.pdf").exists()
    assert ink(out / "r.pdf", tmp_path) > 0.01
    assert_chinese_font_used(out / "r.pdf")


def print_html(html: Path, pdf: Path, netlog: Path, profile: Path) -> None:
    subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={profile}", f"--log-net-log={netlog}",
         "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri()],
        capture_output=True, timeout=300, check=False,
    )  # fmt: skip


# Chromium's traffic annotation of the requests a page makes (blink_resource_loader); its
# own (updates, accounts, time) carry others. A page's requests are also partitioned.
PAGE_ANNOTATION = "101845102"


def page_requests(netlog: Path) -> set[str]:
    """The URLs the page asked the network for, from Chromium's net log."""
    text = netlog.read_text("utf-8", "replace")
    found = set(re.findall(rf'"traffic_annotation":{PAGE_ANNOTATION},"url":"([^"]+)"', text))
    found |= set(re.findall(r'"privacy_mode":"[^"]*partitioned[^"]*","url":"([^"]+)"', text))
    return found


needs_chromium = pytest.mark.skipif(
    CHROMIUM is None or PDFTOPPM is None,
    reason="Chromium or poppler-utils missing; .ci/run installs chromium, poppler-utils",
)


@needs_chromium
def test_the_page_prints_without_a_network_request(chuyi, visits, tmp_path, browser_profile):  # noqa: F811
    path = tmp_path / "r.html"
    chuyi("--lang", "zh", "report", "-o", str(path), "--as-of", DAY)
    pdf, netlog = tmp_path / "r.pdf", tmp_path / "net.json"
    print_html(path, pdf, netlog, browser_profile)
    assert pdf.exists()
    assert ink(pdf, tmp_path) > 0.01
    assert_chinese_font_used(pdf)
    assert netlog.stat().st_size > 0
    assert page_requests(netlog) == set()


@needs_chromium
def test_the_network_check_sees_a_page_that_fetches(tmp_path, browser_profile):
    """(The check above can fail: a page with a remote image and font is caught.)"""
    path = tmp_path / "fetching.html"
    path.write_text(
        '<html><body><img src="http://example.invalid/x.png">'
        '<link rel=stylesheet href="https://fonts.example.invalid/a.css">text</body></html>'
    )
    netlog = tmp_path / "net.json"
    print_html(path, tmp_path / "f.pdf", netlog, browser_profile)
    assert page_requests(netlog) == {
        "http://example.invalid/x.png",
        "https://fonts.example.invalid/a.css",
    }


# --------------------------------------------------------------------------- summary html


def test_summary_html_is_the_text_with_a_chart_per_target_behind(chuyi, visits):  # noqa: F811
    from html import unescape

    page = chuyi("--lang", "zh", "summary", "--format", "html", "--as-of", DAY).stdout
    text = chuyi("--lang", "zh", "summary", "--as-of", DAY).stdout
    assert page.isascii()  # (every other character as &#N;: any mail encoding carries it)
    assert max(len(line.encode()) for line in page.splitlines()) <= 998
    assert "<script" not in page and "http://www.w3.org/2000/svg" in page
    shown = unescape(page[page.index("<pre>") + 6 : page.index("</pre>")])
    assert shown.rstrip("\n") == text.rstrip("\n")
    now = status_json(chuyi, "--as-of", DAY)["targets"]
    late = [t for t in now if t["class"] in ("behind", "off_track") and t["goal"] is not None]
    late = [t for t in late if t["kind"] != "milestone"]
    assert late  # (the fixture has some)
    assert page.count("<svg") == len(late)
    for target in late:
        assert unescape(f"{target['ref']} {target['title']}") in unescape(page)


def test_summary_html_of_a_year(chuyi, visits):  # noqa: F811
    page = chuyi("--lang", "en", "summary", "--format", "html", "--year", "2026").stdout
    assert page.startswith("<!DOCTYPE html>") and page.isascii()


def test_the_notes_sheet_names_the_notice_the_public_end_and_the_deadline(chuyi, tmp_path, plan):
    path = tmp_path / "r.xlsx"
    chuyi("--lang", "zh", "report", "-o", str(path), "--as-of", DAY)
    cells = [c for row in open_book(path)["说明"].iter_rows(values_only=True) for c in row if c]
    text = "\n".join(str(c) for c in cells)
    assert plan.title in text and DAY in text and "2030-12-31" in text
    if getattr(plan, "public_end", None):
        assert f"公开文本的目标写到 {plan.public_end} 年" in text
    for target in plan.targets:
        if target.restored:
            assert f"{target.ref} {target.title}" in text
        if target.unverified:
            assert f"{target.ref} {target.title}：{target.unverified}" in text
        for field, why in target.reconstructed:
            assert f"{target.ref} {target.title}（{field}）：{why}" in text
    assert any(t.unverified for t in plan.targets) and any(t.reconstructed for t in plan.targets)
    assert "P ≥ 0.95" in text and "立项及以后" in text


def test_the_entries_sheet_lists_the_latest_of_a_long_period(plan, tmp_path):
    """明细 lists at most ENTRY_ROWS entries, the latest, and says so (core and workbook)."""
    from openpyxl import load_workbook

    from chuyi_cli.domain import Entry
    from chuyi_cli.report_xlsx import write_xlsx
    from chuyi_cli.store import Store

    store = Store.open(tmp_path / "s.db")
    days = ["2025-03-01", "2025-04-01", "2025-05-01", "2025-06-01", "2025-07-01", "2026-01-05"]
    store.add(
        [
            Entry(
                f"{i:032x}",
                "training-bases",
                f"基地{i}",
                "430100",
                "selected",
                None,
                None,
                d,
                f"{d}T00:00:00Z",
                "t",
            )  # fmt: skip
            for i, d in enumerate(days)
        ]
    )
    ids = {x.id for x in plan.targets}
    start, end = dt.date(2024, 12, 31), dt.date(2025, 12, 31)
    found, more = annual.period_entries(store, start, end, ids, None, most=3)
    assert [e.observed for e, _voided in found] == days[2:5] and more
    found, more = annual.period_entries(store, start, end, ids, None, most=5)
    assert [e.observed for e, _voided in found] == days[:5] and not more
    data = annual.gather(plan, store, end, start, 2025)
    assert len(data.entries) == 5 and not data.more_entries
    path = tmp_path / "r.xlsx"
    write_xlsx(data._replace(more_entries=True), path, "zh")
    note = load_workbook(path)["明细"].cell(3, 1).value
    assert f"只列出最近的 {annual.ENTRY_ROWS} 条（2025-03-01 起）" in note
    assert "chuyi export --since 2025-01-01" in note
    write_xlsx(data, path, "zh")
    assert load_workbook(path)["明细"].cell(3, 1).value is None


def test_the_expected_line_is_the_one_status_expects(plan):
    """A chart's expected line goes through the target's checkpoints, as status does, and
    is the years ended for the yearly assessment."""
    from chuyi_cli.catalog_nodes import Checkpoint
    from chuyi_cli.progress import years_elapsed

    bases = plan.target("training-bases")._replace(
        checkpoints=(Checkpoint(dt.date(2025, 12, 31), 60),)
    )
    days = annual.chart_days(plan, dt.date(2026, 11, 29))
    line = [annual.expected_units(plan, bases, 80, d) for d in days]
    assert line[days.index(dt.date(2025, 12, 31))] == 60
    assert line[-1] == 80 and line == sorted(line)
    # (a straight line would stand at 80 × elapsed there, about 36)
    yearly = next(t for t in plan.targets if t.yearly)
    for d in days:
        assert annual.expected_units(plan, yearly, 9, d) == years_elapsed(plan, d)
