"""`chuyi status`, `regions-status` and `summary` as the departments and cron read them."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys

import pytest
from wcwidth import wcswidth

from tests.conftest import ROOT
from tests.processes import run_chuyi
from tests.test_cli_record import visits  # noqa: F401  (fixture)

STATUS_KEYS = {
    "id",
    "ref",
    "kind",
    "goal",
    "achieved",
    "completion",
    "expected",
    "gap",
    "projected",
    "class",
    "pipeline",
    "uncovered",
}


def table_blocks(text: str) -> list[list[str]]:
    """The tables in plain output: runs of lines around a ----- rule line."""
    blocks, lines = [], text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("---") and i > 0:
            j = i + 1
            while j < len(lines) and lines[j].strip():
                j += 1
            blocks.append(lines[i - 1 : j])
    return blocks


def cells_of(line: str) -> list[str]:
    """A line as the terminal cells it takes: a wide character, then a filler cell."""
    out: list[str] = []
    for ch in line:
        out.extend([ch] + ["\0"] * (max(wcswidth(ch), 1) - 1))
    return out


def assert_aligned(text: str) -> None:
    """Every line of every table keeps within its rule, and the gaps between the rule's
    dashes are blank on every line: no cell runs into the next column."""
    blocks = table_blocks(text)
    assert blocks, text
    for block in blocks:
        rule = block[1]
        gaps = [i for i, ch in enumerate(rule) if ch == " "]
        for line in block:
            cells = cells_of(line)
            assert wcswidth(line) <= len(rule), (line, rule)
            assert all(cells[i] == " " for i in gaps if i < len(cells)), (line, rule)


def test_status_json_contract(chuyi, visits):  # noqa: F811
    data = chuyi.json("status")
    assert set(data) >= {"as_of", "plan", "targets", "overall"}
    assert set(data["plan"]) >= {"start", "deadline", "elapsed"}
    assert set(data["overall"]) == {"completion", "by_class"}
    rows = {r["id"]: r for r in data["targets"]}
    for row in rows.values():
        assert STATUS_KEYS <= set(row)
    assert rows["culture-bases"]["achieved"] == 2  # 湖南工业… and 醴陵…
    assert rows["culture-bases"]["pipeline"]["selected"] == 1
    assert rows["public-school-per-county"]["achieved"] == 2
    assert len(rows["public-school-per-county"]["uncovered"]) == 120
    assert rows["rebuilt-school-per-city"]["achieved"] == 1  # 攸县 counts for 株洲市
    assert "株洲市" not in rows["rebuilt-school-per-city"]["uncovered"]
    assert rows["think-tank-lectures"]["achieved"] == 3
    assert rows["think-tank-lectures"]["class"] == "no_goal"
    assessed = rows["annual-assessment"]  # 2025 in progress; no year of the plan done
    assert assessed["years"] == {"2025": "in_progress"} and assessed["achieved"] == 0
    assert assessed["class"] == ("off_track" if assessed["years_elapsed"] else "on_track")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(
    "command",
    [
        ("status",),
        ("status", "--section", "二"),
        ("regions-status",),
        ("regions-status", "--level", "county", "--stale", "30"),
        ("log",),
        ("units", "culture-bases"),
        ("regions",),
        ("summary",),
        ("summary", "--year", "2024"),
    ],
)
def test_plain_tables_line_up_and_have_no_escapes(chuyi, visits, lang, command):  # noqa: F811
    out = chuyi("--lang", lang, *command).stdout
    assert "\x1b" not in out
    assert_aligned(out)


def test_status_filters(chuyi, visits):  # noqa: F811
    only = chuyi.json("status", "--section", "二(三)")
    assert [r["goal"] for r in only["targets"]] == [10, 100, 100, 10]
    behind = chuyi.json("status", "--class", "behind")
    assert behind["targets"] and {r["class"] for r in behind["targets"]} == {"behind"}
    changsha = {r["id"]: r for r in chuyi.json("status", "--region", "长沙")["targets"]}
    assert changsha["culture-bases"]["achieved"] == 1
    assert changsha["public-school-per-county"]["goal"] == 9  # 长沙市's 9 县市区
    assert changsha["public-school-per-county"]["achieved"] == 2
    assert "unknown region" in chuyi("status", "--region", "火星", code=1).stderr


def test_as_of_reproduces_an_earlier_day(chuyi, visits):  # noqa: F811
    then = chuyi.json("status", "--as-of", "2024-06-01")
    rows = {r["id"]: r for r in then["targets"]}
    assert rows["culture-bases"]["achieved"] == 1  # only the 2024-05-01 acceptance
    assert rows["think-tank-lectures"]["achieved"] == 0
    chuyi("record", "training-bases", "新基地", "--stage", "accepted")
    assert chuyi.json("status", "--as-of", "2024-06-01") == then


def test_fail_on_exit_codes(chuyi, visits):  # noqa: F811
    assert chuyi("summary", "--fail-on", "behind", code=3).exit_code == 3
    assert chuyi("summary", "--fail-on", "off_track", code=3).exit_code == 3
    assert chuyi("summary", "--fail-on", "sideways", code=2).exit_code == 2


def test_fail_on_passes_when_all_is_well(chuyi, tmp_path):
    only = tmp_path / "one.yaml"
    only.write_text(
        """plan:
  title: t
  issuers: [a]
  start: 2022-04-08
  deadline: 2030-12-31
sections:
  - ref: 一
    title: s
    tasks:
      - ref: 一
        title: t
        targets:
          - {id: one, title: o, kind: count, goal: 1, source: "1", counts_at: selected}
""",
        encoding="utf-8",
    )
    chuyi("--targets", str(only), "record", "one", "甲", "--stage", "selected")
    assert chuyi("--targets", str(only), "summary", "--fail-on", "behind").exit_code == 0


def test_summary_sections(chuyi, visits):  # noqa: F811
    out = chuyi("summary", "--since", "30d").stdout
    for heading in (
        "Overall",
        "Changes since",
        "New entries",
        "Targets behind or off track",
        "Coverage still missing",
        "Stale regions",
    ):
        assert heading in out
    assert "Gaps in the catalog" not in out  # the catalog's notes: `chuyi targets --gaps`
    data = json.loads(chuyi("summary", "--format", "json", "--since", "2000-01-01").stdout)
    assert data["new_entries"] == 13
    reached = {(r["target"], r["unit"]) for r in data["reached"]}
    assert ("culture-bases", "湖南工业职业技术学院") in reached
    assert {g["ref"] for g in data["gaps"]} >= {"二(一)3", "三(一)"}
    md = chuyi("summary", "--format", "markdown").stdout
    assert md.startswith("# ") and "\n\n| Ref" in md
    assert "bad --since" in chuyi("summary", "--since", "soon", code=1).stderr


def test_year_view(chuyi, visits):  # noqa: F811
    data = json.loads(chuyi("summary", "--year", "2024", "--format", "json").stdout)
    rows = {r["id"]: r for r in data["targets"]}
    assert data["end"] == "2024-12-31"
    assert rows["culture-bases"]["in_year"] == 1 and rows["culture-bases"]["start_achieved"] == 0
    this_year = json.loads(
        chuyi("summary", "--year", str(dt.date.today().year), "--format", "json").stdout
    )
    assert this_year["end"] == dt.date.today().isoformat()
    assert "outside" in chuyi("summary", "--year", "1999", code=1).stderr


def test_regions_status(chuyi, visits):  # noqa: F811
    rows = {r["name"]: r for r in chuyi.json("regions-status")}
    assert len(rows) == 14
    assert rows["湘西土家族苗族自治州"]["covered"]["public-college-per-city"] is True
    assert rows["株洲市"]["covered"]["rebuilt-school-per-city"] is True
    assert rows["长沙市"]["units"]["culture-bases"] == 1
    counties = chuyi.json("regions-status", "--level", "county", "--stale", "10000")
    assert len(counties) == 122
    assert {r["name"] for r in counties if not r["stale"]} >= {"浏阳市", "宁乡市"}


def test_chinese_interface(chuyi, visits, monkeypatch):  # noqa: F811
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    out = chuyi("status").stdout
    assert "完成度" in out and "滞后" in out
    assert "Completion" in chuyi("--lang", "en", "status").stdout


def test_cron_environment_gets_clean_text(tmp_path):
    """`env -i`, no terminal, the installed `chuyi` command: plain aligned text, in Chinese
    since no locale names a language."""
    env = {"CHUYI_DB": str(tmp_path / "cron.db"), "PATH": os.path.dirname(sys.executable)}
    recorded = run_chuyi(
        env, "record", "training-bases", "甲", "--stage", "accepted", "--by", "cron",
        cwd=ROOT, command=True,
    )  # fmt: skip
    assert recorded.returncode == 0, recorded.stderr
    result = run_chuyi(env, "summary", cwd=ROOT, command=True)
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "总体" in result.stdout
    assert "Overall" not in result.stdout
    assert_aligned(result.stdout)
    status = run_chuyi(env, "status", cwd=ROOT, command=True)
    assert status.returncode == 0, status.stderr
    assert "完成度" in status.stdout and "Completion" not in status.stdout
    assert_aligned(status.stdout)


def test_summary_and_a_recent_as_of_read_the_recent_past_as_the_history_tells_it(
    chuyi, monkeypatch
):
    """The recent tally changes kept beside the history, and the history itself, agree.

    A differential test: turning the recent changes off (``past.recent_start``) makes the
    commands read the checkpoints and the history; the output is the same both ways,
    which no single run could show."""
    from chuyi_cli.store import past

    today = dt.date.today()
    ago = [(today - dt.timedelta(days=n)).isoformat() for n in (60, 20, 9, 5, 2, 0)]
    recent = [
        ("culture-bases", "甲馆", "--region", "长沙", "--stage", "building", "--date", ago[0]),
        ("culture-bases", "甲馆", "--region", "长沙", "--stage", "accepted", "--date", ago[3]),
        ("culture-bases", "乙馆", "--region", "岳阳", "--stage", "accepted", "--date", ago[1]),
        ("culture-bases", "丙馆", "--region", "常德", "--stage", "accepted", "--date", ago[4]),
        (
            "rebuilt-school-per-city",
            "丁校",
            "--region",
            "长沙",
            "--stage",
            "accepted",
            "--date",
            ago[2],
        ),
        ("think-tank-lectures", "--quantity", "3", "--date", ago[4]),
        ("goal-brand", "--state", "in_progress", "--date", ago[5]),
    ]
    for args in recent:
        chuyi("record", *args)
    wrong = chuyi.json("log", "culture-bases")[0]["id"]  # 丙馆, two days ago
    chuyi("void", wrong, "--reason", "记错了")
    asked = [
        ("summary", "--format", "json"),
        ("summary", "--format", "json", "--since", "30d"),
        ("status", "--json", "--as-of", ago[2]),
        ("status", "--json", "--as-of", ago[4]),
    ]
    quick = [chuyi(*args).stdout for args in asked]
    reached = {(r["target"], r["unit"]) for r in json.loads(quick[0])["reached"]}
    assert reached == {("culture-bases", "甲馆")}  # 丙馆 was voided; 乙馆 came earlier
    # Without the recent changes kept beside it, the past is read from the history.
    monkeypatch.setattr(past, "recent_start", lambda db: None)
    assert [chuyi(*args).stdout for args in asked] == quick


def test_summary_on_the_first_days_a_date_can_name(chuyi):
    """(Found by the fuzzer: a week back from 0001-01-01 is no day at all.)"""
    result = chuyi("--lang", "en", "summary", "--as-of", "0001-01-01", code=1)
    assert "too many days" in result.stderr and "Traceback" not in result.output
    result = chuyi("--lang", "en", "summary", "--since", "0001-01-01", code=1)
    assert "before any day" in result.stderr
    assert "Overall" in chuyi("--lang", "en", "summary", "--as-of", "0001-01-09").stdout
