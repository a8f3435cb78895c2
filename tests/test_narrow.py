"""Reports at the narrowest width `--width` takes, and the words of their numbers: the
unit a coverage target counts in (regions), a yearly one (years), the named schools
among the bases, a first record that is news of a start."""

from __future__ import annotations

import re

import pytest
from wcwidth import wcswidth

from tests.terminal import run_in_terminal, screen_lines
from tests.test_cli_record import visits  # noqa: F401  (fixture)
from tests.test_layout import ROOT, terminal_env

NARROWEST = 60

REPORTS = [
    ("status",),
    ("status", "--ids"),
    ("log",),
    ("units", "culture-bases"),
    ("regions-status",),
    ("regions-status", "--level", "county"),
    ("summary",),
    ("summary", "--format", "markdown"),
    ("summary", "--year", "2024"),
    ("targets",),
    ("targets", "--gaps"),
    ("show", "culture-bases"),
    ("regions",),
]


@pytest.mark.parametrize("command", REPORTS, ids=[" ".join(c) for c in REPORTS])
def test_every_report_keeps_to_the_narrowest_width(chuyi, visits, command):  # noqa: F811
    for lang in ("zh", "en"):
        out = chuyi("--lang", lang, *command, "--width", str(NARROWEST)).stdout
        wide = [line for line in out.splitlines() if wcswidth(line) > NARROWEST]
        assert not wide, wide


def test_a_width_narrower_than_every_report_can_keep_to_is_refused(chuyi):
    done = chuyi("--lang", "zh", "status", "--width", str(NARROWEST - 1), code=2)
    assert str(NARROWEST) in done.stderr


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_log_at_60_columns_breaks_an_id_only_at_its_hyphens(chuyi, lang):
    chuyi("record", "excellent-technician-schools", "湖南工业技师学院", "--region", "长沙",
          "--stage", "accepted", "--note", "验收报告已归档，下次回访时核对")  # fmt: skip
    chuyi("record", "think-tank-lectures", "--quantity", "2")
    code, text = run_in_terminal(
        {**terminal_env(), "PYTHONIOENCODING": "utf-8"},  # (its terminal is UTF-8)
        "--lang",
        lang,
        "log",
        "--width",
        "60",
        columns=100,
        cwd=ROOT,
    )
    assert code == 0, text
    lines = [x.rstrip() for x in screen_lines(text) if x.strip()]
    assert all(wcswidth(line) <= 60 for line in lines), lines
    words = " ".join(lines).split()
    for target in ("excellent-technician-schools", "think-tank-lectures"):
        pieces = [w for w in words if w in target]
        assert "".join(pieces) == target, (target, lines)  # whole, or in pieces in order
        for piece in pieces:  # each piece from a hyphen to a hyphen
            start = target.index(piece)
            assert start == 0 or target[start - 1] == "-", (piece, lines)
            assert piece == target[start:] or piece.endswith("-"), (piece, lines)


def _in_schools(row: str) -> bool:
    """A cell of the row (cells are two spaces apart) that is a number of schools."""
    return any(re.fullmatch(r"\d+所", cell) for cell in re.split(r"\s{2,}", row.strip()))


def test_coverage_and_yearly_targets_count_regions_and_years_in_every_report(chuyi, visits):  # noqa: F811
    chuyi("record", "annual-assessment", "--year", "2023", "--state", "done")
    summary = chuyi("--lang", "zh", "summary").stdout
    rows = [line for line in summary.splitlines() if line.startswith("二(二)3")]
    assert rows and not any(_in_schools(row) for row in rows), rows
    assert any("122个县市区" in row for row in rows), rows
    markdown = chuyi("--lang", "zh", "summary", "--format", "markdown").stdout
    assert "122个县市区" in markdown and "122所" not in markdown
    status = chuyi("--lang", "zh", "status", "--width", "300").stdout
    for line in status.splitlines():
        if line.startswith("二(二)3") and ("个县市区" in line or "个市州" in line):
            assert not _in_schools(line), line  # (the projection too)
    years = [line for line in status.splitlines() if "annual" in line or "分年度" in line]
    assert any(" 9年 " in line for line in years), years
    assert "9年" in chuyi("--lang", "zh", "summary", "--year", "2024").stdout


def test_status_says_how_many_of_the_bases_are_the_named_schools(chuyi):
    chuyi("record", "culture-bases-named", "湖南工业职业技术学院", "--stage", "accepted")
    chuyi("record", "culture-bases", "湖南工业职业技术学院", "--region", "长沙",
          "--stage", "accepted")  # fmt: skip
    chuyi("record", "culture-bases", "醴陵陶瓷文化馆", "--region", "醴陵", "--stage", "accepted")
    code, text = run_in_terminal(terminal_env(), "--lang", "zh", "status", cwd=ROOT)
    assert code == 0, text
    lines = screen_lines(text)
    assert all(wcswidth(line) <= 80 for line in lines)
    said = next(line for line in lines if "其中点名" in line)
    assert "其中点名 1" in said and "已达成 2个" in said, said
    en = chuyi("--lang", "en", "status").stdout
    assert "achieved 2个, of which named 1" in en


def test_a_first_record_is_listed_without_a_class(chuyi):
    chuyi("record", "culture-bases", "醴陵陶瓷文化馆", "--region", "醴陵", "--stage", "accepted")
    out = chuyi("--lang", "zh", "summary").stdout
    started = out[out.index("首次有记录的目标") :].split("\n\n\n")[0].split("\n## ")[0]
    started = started[: started.index("\n\n", started.index("---"))]
    assert "“楚怡”文化传承基地" in started and "1个" in started
    for word in ("严重滞后", "滞后", "未开始", "正常", "状态"):
        assert word not in started, started
    attention = out[out.index("滞后或严重滞后的目标") :]
    assert "严重滞后" in attention  # (its class is said where a class is news)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_tasks_without_a_lead_are_listed_with_no_ref_broken(plan, lang):
    code, text = run_in_terminal(
        terminal_env(), "--lang", lang, "targets", "--gaps", columns=80, cwd=ROOT
    )
    assert code == 0, text
    lines = [x.rstrip() for x in screen_lines(text)]
    start = next(i for i, x in enumerate(lines) if "未指定牵头单位" in x or "without a lead" in x)
    listed = [x for x in lines[start:] if x.strip()]
    assert len(listed) > 1 and all(wcswidth(x) <= 80 for x in listed), listed
    refs = [p.ref for p in plan.open_points() if p.kind == "lead"]
    for line in listed:
        items = line.split("：")[-1].split(": ")[-1].strip("、").split("、")
        assert all(item in refs for item in items), (items, listed)  # each ref whole
    said = "".join(listed)
    assert all(ref in said for ref in refs)


def test_a_section_that_is_one_task_is_one_row(chuyi, plan):
    for lang in ("zh", "en"):
        out = chuyi("--lang", lang, "targets").stdout
        for ref in ("一", "二(五)"):
            rows = [x for x in out.splitlines() if x.split(" ")[0] == ref]
            assert len(rows) == 1, (lang, rows)
        assert len([x for x in out.splitlines() if x.split(" ")[0] == "二(四)1"]) == 1  # a task
