"""A database that lost a part (a derived table dropped, an index or a trigger gone):
every command says the database is damaged and to run `chuyi check --repair`, in the
user's language and never as SQLite's words; `check` names each missing part; `check
--repair` builds them again from the history, every entry kept. A lost table of entries
cannot be repaired, and says so."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.test_cli_zh import english_in

pytestmark = pytest.mark.sqlite_only("the SQLite file itself: its tables dropped by hand")


@pytest.fixture
def history(chuyi) -> list[dict]:
    chuyi("record", "training-bases", "长沙汽车实训基地", "--region", "长沙", "--stage", "accepted")
    chuyi(
        "record", "rebuilt-school-per-city", "株洲职校", "--region", "株洲", "--stage", "building"
    )
    chuyi("record", "think-tank-lectures", "--quantity", "2")
    return chuyi.json("log")


def damage(db: Path, *statements: str) -> None:
    con = sqlite3.connect(db)
    for sql in statements:
        con.execute(sql)
    con.commit()
    con.close()


@pytest.mark.parametrize("table", ["tally", "unit_state", "stage_total", "unit_delta"])
def test_a_dropped_derived_table_is_named_and_repaired(chuyi, isolated, history, table):
    before = chuyi("status", "--json").stdout
    damage(isolated, f"DROP TABLE {table}")

    for args in (("status",), ("summary",), ("record", "think-tank-lectures")):
        zh = chuyi("--lang", "zh", *args, code=None)
        if zh.exit_code == 0:  # (a command that never reads this table)
            continue
        assert zh.exit_code == 1, zh.output
        assert f"数据库已损坏（缺少 {table} 表）" in zh.stderr, zh.stderr
        assert "chuyi check --repair" in zh.stderr and english_in(zh.stderr) == []
        en = chuyi("--lang", "en", *args, code=1)
        assert "no such table" not in en.stderr and "damaged" in en.stderr

    zh = chuyi("--lang", "zh", "check", code=1)
    assert f"数据库缺少表 {table}" in zh.stderr + zh.stdout and "--repair" in zh.stderr + zh.stdout
    en = chuyi("--lang", "en", "check", code=1)
    assert f"lacks the table {table}" in en.stderr + en.stdout

    chuyi("check", "--repair")
    assert chuyi("check").stdout.strip() == "ok"
    assert chuyi("status", "--json").stdout == before
    assert chuyi.json("log") == history


def test_lost_tables_of_the_past_are_named_and_made_again(chuyi, isolated, history):
    """Without its changes day by day a file still reads the past, the longer way, as a
    read-only file of an older schema does; `check` names what it lacks, and `check
    --repair` makes it again."""
    chuyi(
        "record", "training-bases", "长沙汽车实训基地", "--stage", "revoked", "--date", "2024-02-03"
    )
    asked = ("status", "--json", "--as-of", "2024-02-10")
    before = chuyi(*asked).stdout
    damage(isolated, "DROP TABLE tally_change", "DROP TABLE stage_checkpoint")
    assert chuyi(*asked).stdout == before
    out = chuyi("--lang", "en", "check", code=1)
    text = out.stdout + out.stderr
    assert "lacks the table tally_change" in text and "lacks the table stage_checkpoint" in text
    chuyi("check", "--repair")
    assert chuyi("check").stdout.strip() == "ok"
    assert chuyi(*asked).stdout == before


def test_a_lost_index_and_trigger_are_named_and_made_again(chuyi, isolated, history):
    damage(isolated, "DROP INDEX entry_by_unit", "DROP TRIGGER entry_no_update")
    out = chuyi("check", code=1)
    text = out.stdout + out.stderr
    assert "lacks the index entry_by_unit" in text and "lacks the trigger entry_no_update" in text
    chuyi("check", "--repair")
    assert chuyi("check").stdout.strip() == "ok"
    con = sqlite3.connect(isolated)
    with pytest.raises(sqlite3.DatabaseError):  # (entries are append-only again)
        con.execute("UPDATE entry SET note = 'changed'")
    con.close()
    assert chuyi.json("log") == history


def test_a_lost_table_of_entries_cannot_be_repaired_and_says_so(chuyi, isolated, history):
    damage(isolated, "DROP TABLE entry")
    for lang, words in (("zh", "无法修复"), ("en", "cannot be repaired")):
        for args in (("status",), ("check",), ("check", "--repair"), ("log",)):
            result = chuyi("--lang", lang, *args, code=1)
            assert words in result.stderr + result.stdout, (args, result.output)
            assert "no such table" not in result.output


def test_repair_keeps_what_the_history_says(chuyi, isolated, history):
    damage(isolated, "DROP TABLE tally", "DROP TABLE region_last")
    chuyi("check", "--repair")
    regions = json.loads(chuyi("regions-status", "--json").stdout)
    assert regions and chuyi("check").stdout.strip() == "ok"


def test_a_lost_unit_reach_is_named_and_made_again(chuyi, isolated, history):
    """Without unit_reach, summary finds the units that reached their stage the longer
    way, and says the same; a record still goes in; `check` names the table, and `check
    --repair` makes it again, in step with what was recorded meanwhile."""
    chuyi(
        "record", "training-bases", "长沙汽车实训基地", "--stage", "revoked", "--date", "2024-02-03"
    )
    asked = ("summary", "--since", "2024-01-01", "--format", "json")
    before = chuyi(*asked).stdout
    assert json.loads(before)["reached"]
    damage(isolated, "DROP TABLE unit_reach")
    assert chuyi(*asked).stdout == before
    chuyi("record", "training-bases", "湘潭实训基地", "--region", "湘潭", "--stage", "accepted")
    out = chuyi("--lang", "en", "check", code=1)
    assert "lacks the table unit_reach" in out.stdout + out.stderr
    slow = chuyi(*asked).stdout
    assert len(json.loads(slow)["reached"]) == len(json.loads(before)["reached"]) + 1
    chuyi("check", "--repair")
    assert chuyi("check").stdout.strip() == "ok"
    assert chuyi(*asked).stdout == slow
