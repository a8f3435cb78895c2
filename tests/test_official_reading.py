"""The catalog as officials read it: both counting stages, the named schools among the
bases, surplus rebuilds, checkpoints, the lead department, the yearly assessment."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from chuyi_cli.catalog import load_catalog
from chuyi_cli.catalog_nodes import Checkpoint
from chuyi_cli.progress import elapsed, expected_share, target_status, years_elapsed
from chuyi_cli.tally import TallyRow

ROOT = Path(__file__).resolve().parent.parent
PLAN = load_catalog()


def status_of(target_id, rows, day="2026-07-01", **kw):
    from chuyi_cli.regions import gazetteer

    target = PLAN.target(target_id)
    return target_status(target, rows, PLAN, dt.date.fromisoformat(day), gazetteer(), **kw)


# --------------------------------------------------------------------------- the arithmetic


def test_both_stages_and_a_what_if_stage():
    rows = [
        TallyRow("", "selected", 3, 3, 0),
        TallyRow("", "building", 2, 2, 0),
        TallyRow("", "accepted", 1, 1, 0),
        TallyRow("", "revoked", 4, 4, 0),
    ]
    own = status_of("training-bases", rows)
    assert (own.achieved, own.selected_or_later, own.counts_at) == (1, 6, "accepted")
    what_if = status_of("training-bases", rows, counts_at="selected")
    assert (what_if.achieved, what_if.selected_or_later, what_if.counts_at) == (6, 6, "selected")
    assert status_of("training-bases", rows, counts_at="building").achieved == 3


def test_a_second_rebuilt_school_in_a_city_is_a_surplus_not_hidden():
    zhuzhou, youxian, changsha = "430200", "430223", "430100"
    rows = [
        TallyRow(zhuzhou, "accepted", 1, 1, 0),
        TallyRow(youxian, "accepted", 1, 1, 0),  # 攸县 lies in 株洲市
        TallyRow(changsha, "accepted", 1, 1, 0),
        TallyRow("430300", "selected", 2, 2, 0),
    ]
    s = status_of("rebuilt-school-per-city", rows)
    assert s.achieved == 2 and s.surplus == {zhuzhou: 1}
    assert s.selected_or_later == 3  # 湘潭 has two selected: on record, not yet counted
    assert s.as_dict({zhuzhou: "株洲市"})["surplus"] == {"株洲市": 1}
    assert status_of("public-college-per-city", rows).surplus is None  # (no most there)


def test_run_well_counts_when_accepted_not_when_on_record():
    rows = [TallyRow(code, "selected", 1, 1, 0) for code in ("430100", "430200", "430300")]
    s = status_of("public-college-per-city", rows)
    assert s.achieved == 0 and s.selected_or_later == 3 and s.cls == "off_track"


def test_the_yearly_assessment_counts_years_done_against_years_ended():
    assert years_elapsed(PLAN, dt.date(2026, 7, 1)) == 4  # 2022 … 2025
    assert years_elapsed(PLAN, dt.date(2025, 12, 31)) == 4
    assert years_elapsed(PLAN, dt.date(2030, 12, 31)) == 9
    rows = [TallyRow("", "done", 3, 3, 0)]

    def yearly(years, day="2026-07-01"):
        return status_of("annual-assessment", rows, day, years=years, undated=1)

    done = dict.fromkeys(("2022", "2023"), "done")
    s = yearly({**done, "2024": "in_progress"})
    assert (s.goal, s.achieved, s.years_elapsed) == (9, 2, 4)
    assert s.expected == 4 / 9 and s.cls == "off_track"  # 2 of 4 years
    assert s.years == {"2022": "done", "2023": "done", "2024": "in_progress"} and s.undated == 1
    assert yearly({**done, "2024": "done"}).cls == "behind"  # 3 of 4
    assert yearly({**done, "2024": "done", "2025": "done"}).cls == "on_track"
    assert yearly({str(y): "done" for y in range(2022, 2031)}).cls == "done"
    assert yearly({"2040": "done"}).achieved == 0  # a year outside the plan counts for none
    assert yearly({}, "2022-06-01").cls == "on_track"  # no year has ended yet


def test_checkpoints_move_expected_and_the_class_follows():
    target = PLAN.target("training-bases")._replace(
        checkpoints=(Checkpoint(dt.date(2025, 12, 31), 80),)
    )
    from chuyi_cli.regions import gazetteer

    day = dt.date(2025, 12, 31)
    rows = [TallyRow("", "accepted", 40, 40, 0)]
    s = target_status(target, rows, PLAN, day, gazetteer())
    assert s.expected == 1.0 and s.cls == "off_track"  # half of what was due by now
    straight = target_status(PLAN.target("training-bases"), rows, PLAN, day, gazetteer())
    assert straight.expected == elapsed(PLAN, day) and straight.cls == "on_track"


@given(
    st.lists(st.dates(dt.date(2022, 4, 9), dt.date(2030, 12, 30)), max_size=4, unique=True),
    st.lists(st.integers(0, 80), min_size=4, max_size=4),
    st.dates(dt.date(2021, 1, 1), dt.date(2031, 12, 31)),
)
def test_the_expected_line_passes_through_every_checkpoint(days, goals, day):
    days = sorted(days)
    goals = sorted(goals)[: len(days)]
    checkpoints = tuple(Checkpoint(d, g) for d, g in zip(days, goals, strict=True))
    target = PLAN.target("training-bases")._replace(checkpoints=checkpoints)
    for c in checkpoints:
        assert abs(expected_share(target, PLAN, c.by) - c.goal / 80) < 1e-9
    share = expected_share(target, PLAN, day)
    assert 0.0 <= share <= 1.0
    later = min(day + dt.timedelta(days=30), dt.date(2031, 12, 31))
    assert expected_share(target, PLAN, later) >= share - 1e-12  # never falls back
    bare = PLAN.target("training-bases")
    assert expected_share(bare, PLAN, day) == elapsed(PLAN, day)


# --------------------------------------------------------------------------- as users run it


def rows_by_id(data):
    return {r["id"]: r for r in data["targets"]}


def test_status_shows_both_stages_and_the_named_schools_among_the_bases(chuyi):
    chuyi(
        "record", "culture-bases", "湖南工业职业技术学院", "--region", "长沙", "--stage", "accepted"
    )
    chuyi(
        "record", "culture-bases", " 新化县 楚怡工业学校", "--region", "新化", "--stage", "building"
    )
    chuyi("record", "culture-bases", "岳阳楼基地", "--region", "岳阳", "--stage", "selected")
    chuyi("record", "culture-bases-named", "湖南工业职业技术学院", "--stage", "accepted")
    data = chuyi.json("status")
    assert data["counts_at"] is None and data["plan"]["public_end"] == 2025
    bases = rows_by_id(data)["culture-bases"]
    assert (bases["achieved"], bases["selected_or_later"], bases["of_which_named"]) == (1, 3, 1)
    assert bases["counts_at"] == "accepted" and bases["pipeline"]["selected"] == 1
    assert rows_by_id(data)["training-bases"]["of_which_named"] is None
    what_if = chuyi.json("status", "--counts-at", "selected")
    bases = rows_by_id(what_if)["culture-bases"]
    assert what_if["counts_at"] == "selected" and bases["counts_at"] == "selected"
    assert (bases["achieved"], bases["of_which_named"]) == (3, 2)
    assert rows_by_id(what_if)["culture-bases-named"]["achieved"] == 1
    text = chuyi("--lang", "zh", "status", "--plain", "--width", "200").stdout
    assert "立项及以后" in text
    text = chuyi("--lang", "en", "status", "--counts-at", "selected", "--plain").stdout
    assert "What if: every target counted at stage 'selected'" in text
    assert chuyi.json("status", "--counts-at", "selected")["counts_at"] == "selected"
    card = chuyi("--lang", "zh", "show", "culture-bases").stdout
    assert "其中点名 1" in card and "立项及以后 3个" in card
    assert chuyi("status", "--counts-at", "revoked", code=2).exit_code == 2


def test_a_surplus_rebuild_is_shown(chuyi):
    chuyi(
        "record",
        "rebuilt-school-per-city",
        "株洲楚怡中职",
        "--region",
        "攸县",
        "--stage",
        "accepted",
    )
    chuyi(
        "record",
        "rebuilt-school-per-city",
        "株洲第二楚怡中职",
        "--region",
        "株洲",
        "--stage",
        "accepted",
    )
    chuyi(
        "record", "public-college-per-city", "长沙某职院", "--region", "长沙", "--stage", "selected"
    )
    rows = rows_by_id(chuyi.json("status"))
    assert rows["rebuilt-school-per-city"]["achieved"] == 1
    assert rows["rebuilt-school-per-city"]["surplus"] == {"株洲市": 1}
    assert rows["public-college-per-city"]["achieved"] == 0
    assert rows["public-college-per-city"]["selected_or_later"] == 1
    text = chuyi("--lang", "zh", "status", "--plain").stdout
    assert "二(二)3 rebuilt-school-per-city：超出每地 1 所：株洲市 +1" in text
    assert "14个市州" in chuyi("--lang", "zh", "status", "--plain", "--width", "200").stdout


def test_the_annual_assessment_is_recorded_per_year(chuyi, today):
    chuyi(
        "record", "annual-assessment", "--year", "2023", "--state", "done", "--date", "2024-02-01"
    )
    chuyi(
        "record",
        "annual-assessment",
        "--year",
        "2024",
        "--state",
        "in_progress",
        "--date",
        "2025-01-20",
    )
    out = chuyi(
        "--lang",
        "en",
        "record",
        "annual-assessment",
        "--year",
        "2024",
        "--state",
        "done",
        "--date",
        "2025-03-01",
    ).stdout
    assert "→ 2/9" in out
    refused = [
        (("annual-assessment", "--state", "done"), "is kept per year: give the year (2022–2030)"),
        (("annual-assessment", "--year", "2019", "--state", "done"), "not a year of the plan"),
        (("annual-assessment", "--year", "2031", "--state", "done"), "not a year of the plan"),
        (
            ("annual-assessment", "--year", "2025", "--state", "done", "--date", "2024-12-31"),
            "the year 2025 had not begun on 2024-12-31",
        ),
        (("training-bases", "x", "--year", "2024"), "takes no --year"),
    ]
    for args, words in refused:
        result = chuyi("--lang", "en", "record", *args, code=1)
        assert words in result.stderr, (args, result.stderr)
    assert (
        "按年度记录"
        in chuyi("--lang", "zh", "record", "annual-assessment", "--state", "done", code=1).stderr
    )
    row = rows_by_id(chuyi.json("status", "--as-of", "2025-06-30"))["annual-assessment"]
    assert row["years"] == {"2023": "done", "2024": "done"} and row["years_elapsed"] == 3
    assert (row["goal"], row["achieved"], row["class"]) == (9, 2, "behind")  # 2022 not done
    assert row["expected"] == round(3 / 9, 4) and row["undated"] == 0
    before = rows_by_id(chuyi.json("status", "--as-of", "2025-02-01"))["annual-assessment"]
    assert before["years"] == {"2023": "done", "2024": "in_progress"}
    units = {u["name"]: u["stage"] for u in chuyi.json("units", "annual-assessment")}
    assert units == {"2023": "done", "2024": "done"}
    report = json.loads(chuyi("summary", "--year", "2024", "--format", "json").stdout)
    assessed = next(t for t in report["targets"] if t["id"] == "annual-assessment")
    assert assessed["year_state"] == "done"  # the assessment of 2024, made in 2025
    text = chuyi("--lang", "zh", "summary", "--year", "2024").stdout
    assert "分年度对实施情况进行考核督导：2024 年度的考核督导已完成" in text
    text = chuyi("--lang", "en", "summary", "--year", "2022").stdout
    assert "the assessment of 2022: not recorded" in text
    other = next(t for t in report["targets"] if t["id"] == "training-bases")
    assert other["year_state"] is None and "selected_or_later" in other
    text = chuyi("--lang", "zh", "status", "--plain", "--width", "200").stdout
    assert (
        "2023 2024 已完成; 应完成 3"
        in chuyi(
            "--lang", "zh", "status", "--plain", "--width", "200", "--as-of", "2025-06-30"
        ).stdout
    )
    assert chuyi("check").stdout.strip() == "ok"


def test_an_assessment_without_a_year_is_kept_listed_and_counted_for_none(chuyi, tmp_path):
    old = {
        "id": "0f0e0d0c-0000-4000-8000-000000000001",
        "target": "annual-assessment",
        "state": "done",
        "observed": "2024-03-01",
        "recorded": "2024-03-01T08:00:00Z",
        "recorder": "老同事",
    }
    file = tmp_path / "old.jsonl"
    file.write_text(json.dumps(old, ensure_ascii=False) + "\n", encoding="utf-8")
    chuyi("import", str(file))  # history exported by an earlier chuyi: kept as it is
    row = rows_by_id(chuyi.json("status"))["annual-assessment"]
    assert row["achieved"] == 0 and row["undated"] == 1 and row["years"] == {}
    assert (
        "1 entries name no year and count for none"
        in chuyi("--lang", "en", "status", "--plain").stdout
    )
    result = chuyi("--lang", "en", "check")  # sound history: said, not failed
    assert result.stdout.strip() == "ok"
    assert (
        "warning:" in result.stderr
        and "1 entries of annual-assessment name no year" in result.stderr
    )
    typed = tmp_path / "typed.csv"
    typed.write_text("目标,状态,日期\nannual-assessment,已完成,2024-03-02\n", encoding="utf-8")
    result = chuyi("--lang", "en", "import", str(typed), code=1)
    assert "give the year" in result.stderr  # a row typed today must say its year
    chuyi("void", old["id"], "--reason", "year unknown; recorded again with its year")
    chuyi("record", "annual-assessment", "--year", "2023", "--state", "done")
    assert chuyi("check").stderr == ""
    exported = tmp_path / "all.csv"
    chuyi("export", "-o", str(exported))
    assert ",2023," in exported.read_text(encoding="utf-8-sig")


def catalog_with(tmp_path, old, new):
    text = (ROOT / "data" / "targets.yaml").read_text(encoding="utf-8")
    assert text.count(old) == 1
    mine = tmp_path / "targets.yaml"
    mine.write_text(text.replace(old, new), encoding="utf-8")
    return str(mine)


def test_status_by_lead_department(chuyi, tmp_path):
    result = chuyi("--lang", "en", "status", "--lead", "省教育厅", code=1)
    assert "no task of the catalog names '省教育厅' as lead or partner (0 tasks" in result.stderr
    mine = catalog_with(
        tmp_path,
        "        title_en: Build Chuyi culture-heritage bases\n",
        "        title_en: Build Chuyi culture-heritage bases\n        lead: 湖南省教育厅\n"
        "        partners: [湖南省财政厅]\n",
    )
    for who in ("省教育厅", "湖南省财政厅"):
        data = chuyi.json("--targets", mine, "status", "--lead", who)
        assert [r["id"] for r in data["targets"]] == ["culture-bases", "culture-bases-named"]
    assert chuyi("--targets", mine, "--lang", "en", "status", "--lead", "住建厅", code=1)
    gaps = chuyi.json("--targets", mine, "targets", "--gaps")
    leads = {p["ref"] for p in gaps["open_points"] if p["kind"] == "lead"}
    assert "二(一)2" not in leads and "二(一)1" in leads


def test_a_checkpoint_sets_expected(chuyi, tmp_path):
    mine = catalog_with(
        tmp_path,
        "            goal: 80\n",
        "            goal: 80\n"
        "            checkpoints:\n              - {by: 2025-12-31, goal: 60}\n",
    )
    chuyi(
        "--targets",
        mine,
        "record",
        "training-bases",
        "甲基地",
        "--date",
        "2024-01-02",
        "--stage",
        "accepted",
    )
    plain = rows_by_id(chuyi.json("status", "--as-of", "2025-12-31"))["training-bases"]
    data = chuyi.json("--targets", mine, "status", "--as-of", "2025-12-31")
    row = rows_by_id(data)["training-bases"]
    assert row["expected"] == 0.75 and plain["expected"] == data["plan"]["elapsed"]
    assert row["gap"] == round(1 / 80 - 0.75, 4)
    shown = chuyi("--targets", mine, "--lang", "en", "show", "training-bases").stdout
    assert "checkpoint：2025-12-31 60" in shown


def test_a_year_the_plan_no_longer_has_fails_the_check(chuyi, tmp_path):
    chuyi(
        "record", "annual-assessment", "--year", "2022", "--state", "done", "--date", "2023-01-05"
    )
    text = (ROOT / "data" / "targets.yaml").read_text(encoding="utf-8")
    later = tmp_path / "targets.yaml"
    later.write_text(text.replace("start: 2022-04-08", "start: 2023-01-01"), encoding="utf-8")
    result = chuyi("--lang", "en", "--targets", str(later), "check", code=1)
    assert (
        "annual-assessment holds year '2022', outside the plan's years 2023–2030" in result.stderr
    )
