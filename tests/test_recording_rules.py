"""What a careful clerk would expect of `record`, `void`, `units` and `import`: a voided
entry is no visit, and likely slips (a named unit in the wrong region, evidence that is not
there, an implausible amount, the same observation twice, a missing stage) are caught
before they are stored."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest

from chuyi_cli.cli import recording
from chuyi_cli.store import SCHEMA_VERSION, Store


def export(chuyi) -> str:
    return chuyi("export", "--format", "jsonl").stdout


def answered(result) -> dict:
    """The JSON a record printed after answering prompts. typer's CliRunner echoes each
    typed answer on standard output (a terminal shows it where it was typed: the pty tests
    in test_record_terminal.py see the real screen), so the JSON starts at its own "{" line."""
    lines = result.stdout.splitlines()
    return json.loads("\n".join(lines[lines.index("{") :]))


def en(chuyi, *args, code=0, input=None):
    """chuyi in English, whatever the locale: the wording is checked."""
    return chuyi("--lang", "en", *args, code=code, input=input)


# --------------------------------------------------------------------------- 1. voids


def region_row(chuyi, name: str, *args: str) -> dict:
    rows = chuyi.json("regions-status", *args)
    return next(r for r in rows if r["name"] == name)


def test_a_voided_entry_is_no_visit(chuyi):
    wrong = chuyi.json(
        "record", "training-bases", "吉首基地", "--region", "湘西州", "--stage", "accepted",
        "--date", "2025-06-01",
    )  # fmt: skip
    chuyi("record", "training-bases", "吉首基地", "--region", "湘西州", "--stage", "building",
          "--date", "2024-01-02")  # fmt: skip
    xiangxi = "湘西土家族苗族自治州"
    assert region_row(chuyi, xiangxi)["last_record"] == "2025-06-01"
    chuyi("void", wrong["id"], "--reason", "记错了地区")
    row = region_row(chuyi, xiangxi, "--stale", "365")
    assert row["last_record"] == "2024-01-02" and row["stale"] is True
    [unit] = chuyi.json("units", "training-bases")
    assert unit["last_date"] == "2024-01-02" and unit["stage"] == "building"
    assert unit["entries"] == 1 and unit["voided"] == 1
    table = en(chuyi, "units", "training-bases").stdout
    assert "1 (1 voided)" in table and "2025-06-01" not in table
    assert "1（1 条已作废）" in chuyi("--lang", "zh", "units", "training-bases").stdout
    assert chuyi("check").stdout.strip() == "ok"


def test_a_region_whose_only_entry_is_voided_was_never_visited(chuyi):
    only = chuyi.json("record", "training-bases", "凤凰基地", "--region", "凤凰县",
                      "--stage", "accepted")  # fmt: skip
    chuyi("void", only["id"], "--reason", "不存在")
    row = region_row(chuyi, "湘西土家族苗族自治州", "--stale", "30")
    assert row["last_record"] is None and row["stale"] is True
    county = region_row(chuyi, "凤凰县", "--level", "county")
    assert county["last_record"] is None
    [unit] = chuyi.json("units", "training-bases")
    assert unit["last_date"] is None and unit["entries"] == 0 and unit["voided"] == 1


def test_check_compares_each_regions_last_record_with_the_history(chuyi, isolated):
    chuyi("record", "training-bases", "甲", "--region", "长沙", "--stage", "accepted")
    db = sqlite3.connect(isolated)
    db.execute("UPDATE region_last SET observed = '2020-01-01'")
    db.commit()
    db.close()
    assert "out of step" in en(chuyi, "check", code=1).stderr
    en(chuyi, "check", "--repair")
    assert chuyi("check").stdout.strip() == "ok"


def test_an_older_database_counts_voided_visits_no_more_once_upgraded(chuyi, tmp_path, isolated):
    """Schema 5 counted a voided entry as its unit's last date and its region's last
    record; the upgrade derives both again from live entries."""
    chuyi("record", "training-bases", "吉首基地", "--region", "湘西州", "--stage", "building",
          "--date", "2024-01-02")  # fmt: skip
    wrong = chuyi.json("record", "training-bases", "吉首基地", "--region", "湘西州",
                       "--stage", "accepted", "--date", "2025-06-01")  # fmt: skip
    chuyi("void", wrong["id"], "--reason", "x")
    db = sqlite3.connect(isolated)
    # As schema 5 kept them: the voided entry's day.
    db.execute("UPDATE unit_state SET last_observed = '2025-06-01'")
    db.execute("UPDATE region_last SET observed = '2025-06-01'")
    db.execute("PRAGMA user_version = 5")
    db.commit()
    db.close()
    [unit] = chuyi.json("units", "training-bases")  # (opens, and so upgrades, the file)
    assert unit["last_date"] == "2024-01-02"
    assert region_row(chuyi, "湘西土家族苗族自治州")["last_record"] == "2024-01-02"
    with Store.open(isolated) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert chuyi("check").stdout.strip() == "ok"


# --------------------------------------------------------------------------- 2. named


def test_a_named_unit_lies_where_the_catalog_says(chuyi, isolated):
    before = export(chuyi)
    result = en(chuyi, "record", "culture-bases-named", "湖南工业职业技术学院", "--region", "株洲",
                "--stage", "accepted", code=1)  # fmt: skip
    assert "长沙市" in result.stderr and "株洲市" in result.stderr
    assert "leave --region out" in result.stderr
    zh = chuyi("--lang", "zh", "record", "culture-bases-named", "湖南工业职业技术学院",
               "--region", "株洲", "--stage", "accepted", code=1).stderr  # fmt: skip
    assert "长沙市" in zh and "不在 株洲市" in zh
    assert export(chuyi) == before
    left_out = chuyi.json("record", "culture-bases-named", "湖南工业职业技术学院",
                          "--stage", "accepted")  # fmt: skip
    assert left_out["region"] == "430100"
    same = chuyi.json("record", "culture-bases-named", "新化县楚怡工业学校", "--region", "新化",
                      "--stage", "building")  # fmt: skip
    assert same["region"] == "431322"


# --------------------------------------------------------------------------- 3. evidence


@pytest.mark.parametrize(
    ("evidence", "words"),
    [
        ("/nonexistent/x.pdf", "not there"),
        (".", "not a regular file"),
        ("/dev/null", "not a regular file"),
        ("ftp://example.org/a.pdf", "neither an http:// or https:// URL"),
        ("file:///etc/hostname", "neither an http:// or https:// URL"),
    ],
)
def test_evidence_that_is_not_there_is_refused(chuyi, evidence, words):
    before = export(chuyi)
    result = en(chuyi, "record", "training-bases", "甲", "--stage", "accepted",
                "--evidence", evidence, code=1)  # fmt: skip
    assert words in result.stderr
    assert export(chuyi) == before


def test_evidence_a_file_is_hashed_and_a_url_kept(chuyi, tmp_path, monkeypatch):
    photo = tmp_path / "现场.jpg"
    photo.write_bytes(b"\xff\xd8 photo")
    monkeypatch.chdir(tmp_path)
    entry = chuyi.json("record", "training-bases", "甲", "--stage", "accepted",
                       "--evidence", "现场.jpg")  # fmt: skip
    assert entry["evidence"] == str(photo.resolve())
    assert entry["evidence_sha256"] == hashlib.sha256(b"\xff\xd8 photo").hexdigest()
    url = chuyi.json("record", "training-bases", "乙", "--stage", "accepted",
                     "--evidence", "HTTPS://example.org/报告.pdf")  # fmt: skip
    assert url["evidence"] == "HTTPS://example.org/报告.pdf" and url["evidence_sha256"] is None


def test_import_applies_the_evidence_rule_row_by_row(chuyi, tmp_path):
    (tmp_path / "验收报告.pdf").write_bytes(b"%PDF report")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "目标,单位名称,阶段,日期,记录人,佐证材料\n"
        "training-bases,甲,验收,2024-03-05,张三,验收报告.pdf\n"
        "training-bases,乙,验收,2024-03-05,张三,/nonexistent/照片.jpg\n"
        "training-bases,丙,验收,2024-03-05,张三,https://example.org/a.pdf\n",
        encoding="utf-8",
    )
    result = en(chuyi, "import", str(sheet), code=1)
    assert f"{sheet}:3:" in result.stderr and "not there" in result.stderr
    assert f"{sheet}:2:" not in result.stderr and f"{sheet}:4:" not in result.stderr
    assert chuyi.json("log") == []
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("/nonexistent/照片.jpg", ""))
    assert "added 3" in en(chuyi, "import", str(sheet)).stdout
    kept = {e["unit"]: e for e in chuyi.json("log")}
    assert kept["甲"]["evidence"] == str((tmp_path / "验收报告.pdf").resolve())
    assert kept["甲"]["evidence_sha256"] == hashlib.sha256(b"%PDF report").hexdigest()
    assert kept["丙"]["evidence"] == "https://example.org/a.pdf"


def test_an_exported_entry_keeps_evidence_hashed_on_another_machine(chuyi, tmp_path):
    """An export carries the file's path on the laptop that recorded it, with its hash:
    the merge keeps it as it is (the file need not be on this machine)."""
    row = {
        "id": "0f0f0f0f-0000-4000-8000-000000000001",
        "target": "training-bases",
        "unit": "甲",
        "stage": "accepted",
        "observed": "2024-03-05",
        "recorded": "2024-03-05T08:00:00Z",
        "recorder": "张三",
        "evidence": "C:\\Users\\张三\\照片.jpg",
        "evidence_sha256": "a" * 64,
    }
    sheet = tmp_path / "a.jsonl"
    sheet.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    assert "added 1" in en(chuyi, "import", str(sheet)).stdout
    assert chuyi.json("log")[0]["evidence"] == row["evidence"]


# --------------------------------------------------------------------------- 4. amounts


def test_an_implausible_quantity_needs_force(chuyi):
    before = export(chuyi)
    result = en(chuyi, "record", "think-tank-lectures", "--quantity", "1000000", code=1)
    assert "--force" in result.stderr and "100" in result.stderr
    assert "--force" in chuyi("--lang", "zh", "record", "think-tank-lectures",
                              "--quantity", "1000000", code=1).stderr  # fmt: skip
    assert export(chuyi) == before
    assert chuyi.json("record", "think-tank-lectures", "--quantity", "100")["quantity"] == 100
    forced = chuyi.json("record", "think-tank-lectures", "--quantity", "1000000", "--force")
    assert forced["quantity"] == 1000000


def test_the_catalog_may_set_a_targets_bound(chuyi, tmp_path):
    from tests.test_catalog import ROOT

    text = (ROOT / "data" / "targets.yaml").read_text(encoding="utf-8")
    marker = "            unit: 期\n"
    assert marker in text
    bounded = tmp_path / "bounded.yaml"
    bounded.write_text(text.replace(marker, marker + "            max_quantity: 5\n", 1))
    assert en(chuyi, "--targets", str(bounded), "record", "think-tank-lectures",
              "--quantity", "6", code=1).stderr.count("(5)") == 1  # fmt: skip
    en(chuyi, "--targets", str(bounded), "record", "think-tank-lectures", "--quantity", "5")
    wrong = tmp_path / "wrong.yaml"
    named = "            counts_at: accepted  # same bar"
    wrong.write_text(text.replace(named, "            max_quantity: 5\n" + named))
    assert (
        "only an activity takes 'max_quantity'"
        in en(chuyi, "--targets", str(wrong), "check", code=1).stderr
    )


def test_an_implausible_quantity_is_confirmed_in_a_terminal(chuyi, terminal):
    refused = en(chuyi, "record", "think-tank-lectures", "--quantity", "500", "--date",
                 "2025-01-01", input="n\n", code=1)  # fmt: skip
    assert "Is it right?" in refused.stderr and "cancelled; nothing was written" in refused.stderr
    assert chuyi.json("log") == []
    taken = en(chuyi, "record", "think-tank-lectures", "--quantity", "500", "--date",
               "2025-01-01", "--json", input="y\n")  # fmt: skip
    assert answered(taken)["quantity"] == 500


def test_import_refuses_implausible_quantities_unless_forced(chuyi, tmp_path):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "目标,数量,日期,记录人\nthink-tank-lectures,3,2024-03-05,张三\n"
        "think-tank-lectures,300,2024-03-06,张三\n",
        encoding="utf-8",
    )
    result = en(chuyi, "import", str(sheet), code=1)
    assert f"{sheet}:3:" in result.stderr and "--force" in result.stderr
    assert chuyi.json("log") == []
    assert "added 2" in en(chuyi, "import", str(sheet), "--force").stdout


# --------------------------------------------------------------------------- 5. twice


def test_the_same_observation_twice_is_refused_unless_again(chuyi, isolated):
    first = chuyi.json("record", "training-bases", "甲", "--region", "长沙", "--stage", "accepted")
    before = export(chuyi)
    again = en(chuyi, "record", "training-bases", " 甲 ", "--region", "长沙市", "--stage",
               "accepted", "--note", "又来了", code=1)  # fmt: skip
    assert first["id"][:8] in again.stderr and "--again" in again.stderr
    assert "nothing was written" in again.stderr
    assert "未写入任何内容" in chuyi("--lang", "zh", "record", "training-bases", "甲",
                                  "--stage", "accepted", code=1).stderr  # fmt: skip
    assert export(chuyi) == before
    chuyi("record", "training-bases", "甲", "--stage", "accepted", "--again")
    # Another stage, day or recorder is another observation.
    chuyi("record", "training-bases", "甲", "--stage", "building")
    chuyi("record", "training-bases", "甲", "--stage", "accepted", "--date", "2024-01-02")
    chuyi("record", "training-bases", "甲", "--stage", "accepted", "--by", "李四")
    # Two lectures on one day are two events.
    chuyi("record", "think-tank-lectures")
    chuyi("record", "think-tank-lectures")
    assert len(chuyi.json("log")) == 7


def test_a_voided_observation_may_be_recorded_again(chuyi):
    first = chuyi.json("record", "think-tank", "--state", "in_progress")
    en(chuyi, "record", "think-tank", "--state", "in_progress", code=1)
    chuyi("void", first["id"], "--reason", "记错了")
    chuyi("record", "think-tank", "--state", "in_progress")


def test_import_skips_repeated_observations_and_lists_them(chuyi, tmp_path, today):
    """A typed row is recorded on the day it observed (its recorded time is that day's
    start): it repeats what was recorded that day, and any identical row before it."""
    day = today.isoformat()
    stored = chuyi.json("record", "training-bases", "甲", "--stage", "accepted", "--by", "张三")
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "目标,单位名称,阶段,日期,记录人,备注\n"
        f"training-bases,甲,验收,{day},张三,\n"  # the one recorded above, today
        "training-bases,乙,验收,2024-03-05,张三,\n"
        "training-bases,乙,验收,2024-03-05,张三,再录一次\n"  # the line above again
        "training-bases,乙,建设中,2024-03-05,张三,\n"  # another stage: kept
        "training-bases,乙,验收,2024-03-05,张三,\n"  # line 3 exactly: a duplicate too
        "think-tank-forum,,,2024-03-05,张三,\n"
        "think-tank-forum,,,2024-03-05,张三,\n",  # two forums on one day: two entries
        encoding="utf-8",
    )
    dry = en(chuyi, "import", str(sheet), "--dry-run").stdout
    assert "would add 4" in dry and "3 duplicate row(s) skipped" in dry
    out = en(chuyi, "import", str(sheet)).stdout
    assert f"{sheet}:2: skipped as a duplicate of entry {stored['id'][:8]}" in out
    assert f"{sheet}:4: skipped as a duplicate of entry" in out
    assert f"{sheet}:6: skipped as a duplicate of entry" in out
    assert "added 4" in out and "3 duplicate row(s) skipped" in out
    units = {u["name"]: u for u in chuyi.json("units", "training-bases")}
    assert units["甲"]["entries"] == 1 and units["乙"]["entries"] == 2
    forums = [e for e in chuyi.json("log") if e["target"] == "think-tank-forum"]
    assert len(forums) == 2
    result = json.loads(en(chuyi, "import", str(sheet), "--json").stdout)
    assert result["added"] == 0 and [d["line"] for d in result["duplicates"]] == [2, 4, 6]
    assert "重复行已跳过" in chuyi("--lang", "zh", "import", str(sheet)).stdout


def test_exported_entries_are_kept_by_id_however_alike(chuyi, tmp_path, monkeypatch):
    """A deliberate second record (--again) travels to the other laptop: entries with ids
    are on record already, and the duplicate rule is for rows typed without one."""
    chuyi("record", "training-bases", "甲", "--stage", "accepted")
    chuyi("record", "training-bases", "甲", "--stage", "accepted", "--again")
    out = tmp_path / "a.csv"
    chuyi("export", "-o", str(out))
    monkeypatch.setenv("CHUYI_DB", str(tmp_path / "b.db"))
    assert "added 2" in en(chuyi, "import", str(out)).stdout


# --------------------------------------------------------------------------- 7. void ids


def test_void_names_the_prefix_no_entry_starts_with(chuyi):
    chuyi("record", "training-bases", "甲", "--stage", "accepted")
    result = en(chuyi, "void", "zzzz", "--reason", "x", code=1)
    assert "no entry id starts with 'zzzz'" in result.stderr
    assert "at least 4" not in result.stderr
    assert "没有以 'zzzz' 开头的记录编号" in chuyi("--lang", "zh", "void", "zzzz", "--reason", "x",
                                           code=1).stderr  # fmt: skip
    assert "at least 4" in en(chuyi, "void", "abc", "--reason", "x", code=1).stderr
    assert "no entry id starts with '0000'" in en(chuyi, "void", "0000", "--reason", "x",
                                                   code=1).stderr  # fmt: skip


# --------------------------------------------------------------------------- no stage


@pytest.mark.parametrize("target", ["training-bases", "public-school-per-county",
                                    "culture-bases-named"])  # fmt: skip
def test_no_stage_is_assumed_off_a_terminal(chuyi, target):
    unit = "湖南工业职业技术学院" if target == "culture-bases-named" else "甲"
    result = en(chuyi, "record", target, unit, "--region", "浏阳", code=1)
    assert "needs a stage" in result.stderr and "--stage" in result.stderr
    assert chuyi.json("log") == []


def test_import_refuses_a_row_without_a_stage(chuyi, tmp_path):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "目标,单位名称,地区,阶段,日期,记录人\n"
        "training-bases,甲,长沙,验收,2024-03-05,张三\n"
        "public-school-per-county,浏阳职专,浏阳,,2024-03-05,张三\n"
        "culture-bases-named,湖南工业职业技术学院,,,2024-03-05,张三\n",
        encoding="utf-8",
    )
    result = en(chuyi, "import", str(sheet), code=1)
    assert f"{sheet}:3:" in result.stderr and f"{sheet}:4:" in result.stderr
    assert result.stderr.count("needs a stage") == 2
    assert chuyi.json("log") == []
    assert "阶段" in chuyi("--lang", "zh", "import", str(sheet), code=1).stderr


# --------------------------------------------------------------------------- missing


@pytest.mark.parametrize(
    ("args", "option"),
    [
        ((), "TARGET"),
        (("training-bases",), "UNIT"),
        (("public-school-per-county", "浏阳职专", "--stage", "accepted"), "--region"),
        (("training-bases", "甲"), "--stage"),
        (("think-tank",), "--state"),
    ],
)
def test_off_a_terminal_what_is_missing_is_an_error_naming_it(chuyi, args, option):
    result = en(chuyi, "record", *args, code=1)
    assert option in result.stderr and "Traceback" not in result.output
    assert chuyi.json("log") == []


def test_help_names_the_new_options(chuyi):
    text = en(chuyi, "record", "--help").stdout
    for option in ("--again", "--force", "--evidence", "--stage"):
        assert option in text
    assert "--force" in en(chuyi, "import", "--help").stdout


# --------------------------------------------------------------------------- prompts


@pytest.fixture
def terminal(monkeypatch):
    """chuyi as if a person sat at the terminal (CliRunner feeds the answers).

    The CliRunner is no terminal, so ``recording._interactive`` is told there is one:
    the one internal name these tests touch. The same prompts in a real pseudo-terminal,
    each a process of its own, are in test_record_terminal.py."""
    monkeypatch.setattr(recording, "_interactive", lambda: True)


def test_record_asks_for_what_is_missing(chuyi, terminal):
    answers = "training-bases\n甲\n长纱\n长沙\ndone\n验收\n2024-05-06\n\n"
    result = en(chuyi, "record", "--json", input=answers)
    asked = result.stderr
    for prompt in ("Target (number, id or ref", "Unit", "Region", "Stage (1 selected",
                   "Day observed (YYYY-MM-DD)"):  # fmt: skip
        assert prompt in asked, prompt
    assert "training-bases" in asked and "二(四)1" in asked  # the choices, listed
    assert asked.count("Try again:") == 2  # a misspelt region, a stage that is none
    assert "To record: training-bases · 甲 · 长沙市 (430100) · accepted · 2024-05-06" in asked
    assert "Go ahead? [Y/n]" in asked
    entry = answered(result)
    assert (entry["unit"], entry["region"], entry["stage"], entry["observed"]) == (
        "甲", "430100", "accepted", "2024-05-06")  # fmt: skip


def test_record_offers_the_named_units_and_takes_the_catalogs_region(chuyi, terminal, today):
    result = en(chuyi, "record", "culture-bases-named", "--json", input="2\n3\n\ny\n")
    assert "湖南工业职业技术学院" in result.stderr and "新化县楚怡工业学校" in result.stderr
    assert "Region" not in result.stderr  # the catalog says where a named unit is
    entry = answered(result)
    assert entry["unit"] == "新化县楚怡工业学校" and entry["region"] == "431322"
    assert entry["observed"] == today.isoformat()


def test_record_asks_a_milestone_its_state_and_an_activity_its_quantity(chuyi, terminal):
    state = en(chuyi, "record", "think-tank", "--json", input="进行中\n\n\n")
    assert "State (1 not started" in state.stderr
    assert answered(state)["state"] == "in_progress"
    # Nothing required is missing: nothing is asked (the quantity is 1, the day today).
    plain = en(chuyi, "record", "think-tank-lectures", "--json")
    assert plain.stderr == "" and json.loads(plain.stdout)["quantity"] == 1
    # Asked for the target, the quantity and the day are offered too.
    asked = en(chuyi, "record", "--json", input="think-tank-lectures\n2\n2024-01-05\n\n")
    assert "Quantity [1]" in asked.stderr
    assert answered(asked)["quantity"] == 2


def test_record_says_the_region_and_stage_in_words_when_it_confirms(chuyi):
    out = chuyi("--lang", "zh", "record", "public-school-per-county", "浏阳职专", "--region",
                "浏阳", "--stage", "selected").stdout  # fmt: skip
    assert "已记录" in out and "浏阳市 (430181)" in out and "遴选" in out
    out = en(chuyi, "record", "training-bases", "甲", "--stage", "building").stdout
    assert "recorded" in out and "· building ·" in out and "→ 0/80" in out


def test_a_record_declined_or_cut_short_writes_nothing(chuyi, terminal):
    declined = en(chuyi, "record", "training-bases", "甲", input="accepted\n\nn\n", code=1)
    assert "cancelled; nothing was written" in declined.stderr
    ended = en(chuyi, "record", "training-bases", input="", code=1)  # Ctrl-D at the prompt
    assert "cancelled; nothing was written" in ended.stderr
    assert chuyi.json("log") == []
