"""Every report as it is read: a real terminal of 80 and 120 columns, a pipe, a mail."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from wcwidth import wcswidth

from chuyi_cli.wrapping import tokens
from tests.processes import as_written
from tests.terminal import run_in_terminal, screen_lines
from tests.test_cli_record import visits  # noqa: F401  (fixture)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def terminal_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "TERM": "xterm-256color", "PAGER": "cat", "CHUYI_PAGER": "cat"}
    env.pop("NO_COLOR", None)
    return {**env, **extra}


def cut_at_a_token(title: str, shown: str) -> bool:
    """``shown`` (without its …) is the title up to a break between two of its pieces."""
    pieces = tokens(title, fine=True)
    prefixes = {"".join(pieces[:k]).rstrip() for k in range(1, len(pieces) + 1)}
    return shown in prefixes


def title_shown(title: str, lines: list[str]) -> str | None:
    """How the title shows on a line of the screen: whole, or its longest cut form."""
    if any(title in line for line in lines):
        return title
    for end in range(len(title) - 1, 0, -1):
        if any(title[:end].rstrip() + "…" in line for line in lines):
            return title[:end].rstrip()
    return None


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("columns", [80, 120])
def test_status_in_a_terminal_fits_and_cuts_titles_between_words(
    visits,  # noqa: F811
    plan,
    lang,
    columns,
):
    code, text = run_in_terminal(
        terminal_env(), "--lang", lang, "status", columns=columns, cwd=ROOT
    )
    assert code == 0, text
    lines = screen_lines(text)
    assert all(wcswidth(line) <= columns for line in lines), [
        line for line in lines if wcswidth(line) > columns
    ]
    if columns == 80 and lang == "zh":
        # about two screens of 24 (with the line on the named schools among the bases)
        assert len([x for x in lines if x.strip()]) <= 53
    for target in plan.targets:
        shown = title_shown(target.title, lines)
        assert shown is not None, target.title
        assert shown == target.title or cut_at_a_token(target.title, shown), shown
    assert "\x1b[" in text  # coloured: a terminal that has not asked otherwise


def test_status_columns_drop_in_order_as_the_terminal_narrows(visits):  # noqa: F811
    seen = {}
    for columns in (80, 120, 200):
        _, text = run_in_terminal(
            terminal_env(), "--lang", "en", "status", columns=columns, cwd=ROOT
        )
        header = "\n".join(screen_lines(text)[1:4])
        seen[columns] = {w for w in ("Pipeline", "Projected", "In English", "Gap") if w in header}
    assert seen[200] == {"Pipeline", "Projected", "In English", "Gap"}
    assert "Pipeline" not in seen[120] and "Gap" in seen[120]
    assert seen[80] <= {"Gap"}


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize(
    "command",
    [
        ("log",),
        ("units", "culture-bases"),
        ("regions-status",),
        ("regions-status", "--level", "county"),
        ("summary",),
        ("targets",),
        ("show", "culture-bases"),
        ("regions",),
        ("status", "--ids"),
    ],
)
def test_every_report_fits_the_terminal(visits, command, columns):  # noqa: F811
    for lang in ("zh", "en"):
        code, text = run_in_terminal(
            terminal_env(), "--lang", lang, *command, columns=columns, cwd=ROOT
        )
        assert code == 0, text
        wide = [line for line in screen_lines(text) if wcswidth(line) > columns]
        assert not wide, wide


def test_no_color_keeps_the_terminal_layout(visits):  # noqa: F811
    _, coloured = run_in_terminal(terminal_env(), "--lang", "zh", "status", cwd=ROOT)
    _, plain = run_in_terminal(terminal_env(NO_COLOR="1"), "--lang", "zh", "status", cwd=ROOT)
    assert "\x1b[" in coloured and "\x1b[" not in plain
    assert screen_lines(plain) == screen_lines(coloured)
    _, empty = run_in_terminal(terminal_env(NO_COLOR=""), "--lang", "zh", "status", cwd=ROOT)
    assert "\x1b[" in empty  # set but empty: colour stays


@pytest.mark.parametrize(
    "command",
    [
        ("status",),
        ("status", "--ids"),
        ("summary",),
        ("summary", "--format", "markdown"),
        ("log",),
        ("regions-status", "--level", "county"),
        ("targets",),
        ("units", "culture-bases"),
    ],
)
def test_plain_output_keeps_to_100_columns(chuyi, visits, command):  # noqa: F811
    for lang in ("zh", "en"):
        out = chuyi("--lang", lang, *command).stdout
        wide = [line for line in out.splitlines() if wcswidth(line) > 100]
        assert not wide, wide  # (Markdown too: a long title is cut with …)
        assert all(len(line.encode()) <= 998 for line in out.splitlines())


def test_width_widens_plain_output(chuyi, visits):  # noqa: F811
    narrow = chuyi("--lang", "en", "status").stdout
    wide = chuyi("--lang", "en", "status", "--width", "200").stdout
    assert "Pipeline" not in narrow and "Pipeline" in wide
    assert max(wcswidth(line) for line in wide.splitlines()) > 100
    assert max(wcswidth(line) for line in wide.splitlines()) <= 200


def test_a_long_list_is_several_lines_of_a_mail(chuyi, visits, places):  # noqa: F811
    out = chuyi("--lang", "zh", "summary", "--width", "1000").stdout
    assert all(len(line.encode()) <= 998 for line in out.splitlines())
    counties = [r.name for r in places.level("county")]
    missing = [name for name in counties if name not in out]
    assert len(missing) == 2  # 浏阳 and 宁乡 are covered; the other 120 are listed


def test_log_shows_the_newest_50_in_a_terminal_and_all_in_a_pipe(chuyi, tmp_path):
    csv = tmp_path / "h.csv"
    subprocess.run(
        [sys.executable, "bench/generate.py", "120", str(csv)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    chuyi("import", str(csv))
    _, text = run_in_terminal(terminal_env(), "--lang", "en", "log", columns=120, cwd=ROOT)
    ids = [line[:8] for line in screen_lines(text) if line[:8].isalnum() and "-" in line[8:22]]
    assert len(ids) == 50 and "-n 0" in text
    piped = chuyi("--lang", "en", "log").stdout.splitlines()
    assert len([x for x in piped if x[:8].isalnum() and x[8:10] == "  "]) == 120
    three = chuyi("--lang", "en", "log", "-n", "3").stdout.splitlines()
    assert [x[:8] for x in three if x[:8].isalnum() and x[8:10] == "  "] == [
        line[:8] for line in piped if line[:8].isalnum() and line[8:10] == "  "
    ][:3]
    every = chuyi("--lang", "en", "log", "--json", "-n", "0").stdout
    assert every.count('"id"') == 120


def test_cron_summary_is_a_chinese_mail_for_a_department_head(visits, plan, tmp_path):  # noqa: F811
    """`env -i`: no LANG, no terminal. Chinese, titles not ids, no catalog notes, within
    100 columns and 998 bytes a line."""
    from tests.processes import run_chuyi

    env = {"CHUYI_DB": os.environ["CHUYI_DB"], "CHUYI_CACHE_DIR": str(tmp_path / "cache")}
    result = run_chuyi(env, "summary", "--since", "2000-01-01", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "总体完成度" in out and "滞后或严重滞后的目标" in out
    assert "湘西职业技术学院" in out  # a unit that reached its stage, under its target's title
    assert "各市州人民政府重点办好1所以上公办高等职业院校" in out
    assert not [t.id for t in plan.targets if t.id in out]  # no slugs
    assert not [why for _, _, why in plan.gaps() if why in out]  # no catalog notes
    assert "从未有记录" in out and "张家界市" in out  # regions never visited say so
    lines = out.splitlines()
    assert max(wcswidth(line) for line in lines) <= 100
    assert all(len(line.encode()) <= 998 for line in lines)
    assert "Overall" not in out and "Changes" not in out


def test_summary_counts_new_entries_without_voids_and_lists_voids_apart(chuyi):
    first = chuyi.json(
        "record", "--stage", "accepted", "culture-bases", "甲基地", "--region", "长沙"
    )
    chuyi("record", "--stage", "accepted", "culture-bases", "乙基地", "--region", "株洲")
    chuyi("void", first["id"][:8], "--reason", "重复录入")
    data = json.loads(chuyi("summary", "--format", "json").stdout)
    assert data["new_entries"] == 2
    assert [(v["voids"], v["reason"], v["unit"]) for v in data["voids"]] == [
        (first["id"], "重复录入", "甲基地")
    ]
    out = chuyi("--lang", "zh", "summary").stdout
    assert "新增记录 2 条" in out and "作废记录 1 条" in out
    voided = out[out.index("作废的记录") :]
    assert first["id"][:8] in voided and "重复录入" in voided and "甲基地" in voided


def test_a_first_record_is_news_of_a_start_not_of_a_fall(chuyi):
    chuyi("record", "--stage", "accepted", "training-bases", "长沙汽车实训基地", "--region", "长沙",
          "--date", (dt.date.today() - dt.timedelta(days=30)).isoformat())  # fmt: skip
    chuyi("record", "--stage", "accepted", "culture-bases", "醴陵陶瓷文化馆", "--region", "醴陵")
    data = json.loads(chuyi("summary", "--format", "json").stdout)
    assert data["started"] == ["culture-bases"]
    out = chuyi("--lang", "zh", "summary").stdout
    started = out[out.index("首次有记录的目标") :]
    assert "“楚怡”文化传承基地" in started.split("\n\n\n")[0]
    assert "状态变化的目标" not in out  # (its class went from 未开始: a start, not a change)


def test_regions_status_shows_county_coverage_in_the_city_view(chuyi, visits):  # noqa: F811
    rows = {r["name"]: r for r in chuyi.json("regions-status")}
    assert rows["长沙市"]["coverage"]["public-school-per-county"] == [2, 9]  # 浏阳, 宁乡
    assert rows["株洲市"]["coverage"]["rebuilt-school-per-city"] == [1, 1]
    out = chuyi("--lang", "zh", "regions-status").stdout
    changsha = next(line for line in out.splitlines() if "长沙市" in line)
    assert "2/9" in changsha and as_written("✗") in changsha  # 长沙 has no 高职 on record
    assert "各县市区重点办好1所以上公办中等职业学校" in out  # named under the table
    assert "public-school-per-county" not in out
    assert "从未有记录" in out  # 张家界市 and others


def test_regions_status_colours_its_marks(visits):  # noqa: F811
    _, text = run_in_terminal(terminal_env(), "--lang", "zh", "regions-status", cwd=ROOT)
    assert f"\x1b[32m{as_written('✓')}" in text and f"\x1b[31m{as_written('✗')}" in text


def test_show_is_a_card_for_a_person(chuyi, visits, plan):  # noqa: F811
    target = next(t for t in plan.targets if t.id == "culture-bases")
    out = chuyi("--lang", "zh", "show", "culture-bases").stdout
    assert out.splitlines()[0].split() == [target.ref, target.title]
    flat = out.replace("\n", "")
    assert target.source in flat  # the notice's sentence, wrapped between words
    assert "目标值 20个" in out and "已达成 2个" in out and "状态 " in out
    assert "遴选 1" in out and "验收 2" in out  # the pipeline by stage
    for unit in ("湖南工业职业技术学院", "醴陵陶瓷文化馆", "岳阳楼基地"):
        assert unit in out
    chart = out[out.index("每季度末已达成") :].splitlines()[1:]
    assert chart[-1].split() == [str(y) for y in range(2022, 2031)]
    assert any("#" in line for line in chart) and any("." in line for line in chart)
    assert "Goal" in chuyi("--lang", "en", "show", "culture-bases").stdout


def test_show_lists_the_first_20_units_and_all_with_all(chuyi):
    for n in range(25):
        chuyi(
            "record",
            "--stage",
            "accepted",
            "training-bases",
            f"实训基地{n:02d}",
            "--region",
            "长沙",
        )
    first = chuyi("--lang", "zh", "show", "training-bases").stdout
    assert sum(f"实训基地{n:02d}" in first for n in range(25)) == 20
    assert "另有 5 个" in first
    every = chuyi("--lang", "zh", "show", "training-bases", "--all").stdout
    assert all(f"实训基地{n:02d}" in every for n in range(25)) and "另有" not in every


def test_burn_up_counts_each_quarter_as_the_history_had_it(chuyi, plan):
    import datetime as dt

    from chuyi_cli.report import burn_up, quarter_ends
    from chuyi_cli.store import Store

    chuyi(
        "record",
        "--stage",
        "accepted",
        "training-bases",
        "甲",
        "--region",
        "长沙",
        "--date",
        "2023-05-10",
    )
    chuyi(
        "record",
        "--stage",
        "accepted",
        "training-bases",
        "乙",
        "--region",
        "长沙",
        "--date",
        "2024-02-01",
    )
    made = chuyi.json("record", "--stage", "accepted", "training-bases", "丙", "--region", "长沙",
                      "--date", "2024-02-02")  # fmt: skip
    chuyi("void", made["id"][:8], "--reason", "错录")
    target = next(t for t in plan.targets if t.id == "training-bases")
    today = dt.date.today()
    with Store.open(os.environ["CHUYI_DB"]) as store:
        points = burn_up(plan, store, target, today)
    ends = quarter_ends(plan.start, plan.deadline)
    assert [p.end for p in points] == ends and len(ends) == 35
    achieved = {p.end.isoformat(): p.achieved for p in points}
    assert achieved["2023-03-31"] == 0 and achieved["2023-06-30"] == 1
    assert achieved["2024-03-31"] == 3  # as `status --as-of` has it: 丙 is voided today
    assert [p.achieved for p in points if p.achieved is not None][-1] == 2
    now = next(n for n, p in enumerate(points) if p.end >= today)  # this quarter: today
    assert points[now].achieved == 2 and all(p.achieved is None for p in points[now + 1 :])
    assert points[-1].expected == target.goal


def test_status_numbers_carry_their_units(chuyi, visits):  # noqa: F811
    out = chuyi("--lang", "zh", "status", "--width", "220").stdout
    header = out.splitlines()[1]
    assert "差距(百分点)" in header and "预计(2030年)" in header
    assert "已达成" in header and "已完成" not in header  # the column is not the class
    row = next(line for line in out.splitlines() if "“楚怡”文化传承基地（" in line)
    cells = row.split()
    assert "20个" in cells and "2个" in cells  # goal and achieved in the target's unit
    projected = [c for c in cells if c.endswith("个") and c not in ("20个", "2个")]
    assert projected and all(c[:-1].isdigit() for c in projected)  # whole units
    assert any(c[0] in "+-" and c[1:].isdigit() for c in cells)  # the gap, in points
    en = chuyi("--lang", "en", "status", "--width", "220").stdout.splitlines()[1]
    assert "Gap (points)" in en and "Achieved" in en


def test_titles_wrap_inside_their_cell_and_only_between_words(chuyi, plan):
    """`targets` at 80 columns: each title's lines, read down its column, give the title
    back whole; a line ends only where the title may break."""
    from tests.test_cli_status import cells_of

    lines = chuyi("--lang", "zh", "targets", "--width", "80").stdout.splitlines()
    rule = next(n for n, line in enumerate(lines) if line.startswith("-------"))
    start = lines[rule].rindex(" ") + 1  # the title column: after the last gap of the rule
    titles: list[tuple[str, list[str]]] = []
    for line in lines[rule + 1 :]:
        cells = cells_of(line)
        head = "".join(cells[:start]).replace("\0", "").split()
        text = "".join(cells[start:]).replace("\0", "").strip()
        if head and head[0] in {t.id for t in plan.targets}:
            titles.append((head[0], [text]))
        elif not head and titles and text:
            titles[-1][1].append(text)
        elif head:
            titles.append(("", [text]))
    found = {tid: parts for tid, parts in titles if tid}
    assert set(found) == {t.id for t in plan.targets}
    for target in plan.targets:
        parts = found[target.id]
        assert "".join(parts).startswith(target.title), (target.id, parts)
        pieces = tokens(target.title, fine=True)
        ends = {len("".join(pieces[:k])) for k in range(len(pieces) + 1)}
        so_far = 0
        for part in parts[:-1]:
            so_far += len(part)
            if so_far < len(target.title):
                assert so_far in ends, (target.title, parts)


def test_markdown_summary_renders_its_tables(chuyi, visits):  # noqa: F811
    from markdown_it import MarkdownIt

    text = chuyi("--lang", "zh", "summary", "--since", "2000-01-01", "--format", "markdown")
    html = MarkdownIt("commonmark").enable("table").render(text.stdout)
    tables = text.stdout.count("\n| 编号")
    assert tables >= 2  # units that reached their stage, targets needing attention
    assert html.count("<table>") == tables
    assert "<h1>" in html and html.count("<h2>") >= 3
    assert "湘西职业技术学院</td>" in html
    year = chuyi("--lang", "zh", "summary", "--year", "2024", "--format", "markdown").stdout
    assert MarkdownIt("commonmark").enable("table").render(year).count("<table>") == 1
