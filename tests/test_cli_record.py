"""Recording a site visit, reading it back, correcting it: as a new user would."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3

import pytest

from tests.conftest import ENGINE, VISITS


def record(chuyi, *args, code=0):
    return chuyi("record", *args, code=code)


@pytest.fixture
def visits(chuyi, isolated, request):
    """A dozen units across targets and regions, a spacing variant, a revoked unit: the
    ids of their entries by their order (recorded once a session, each test its copy of
    the file; on the server, recorded for each test)."""
    if ENGINE == "postgresql":
        return {i: chuyi.json("record", *row)["id"] for i, row in enumerate(VISITS)}
    db, ids = request.getfixturevalue("recorded_visits")
    shutil.copyfile(db, isolated)
    return dict(ids)


def test_units_show_what_happened(chuyi, visits):
    units = {u["name"]: u for u in chuyi.json("units", "culture-bases")}
    assert set(units) == {"湖南工业职业技术学院", "醴陵陶瓷文化馆", "岳阳楼基地"}
    school = units["湖南工业职业技术学院"]
    assert school["stage"] == "accepted" and school["entries"] == 2
    assert school["last_date"] == "2024-05-01" and school["region"] == "长沙市"
    assert units["醴陵陶瓷文化馆"]["region"] == "醴陵市"
    revoked = chuyi.json("units", "training-bases")
    assert {u["name"]: u["stage"] for u in revoked}["衡阳实训基地"] == "revoked"


def test_record_prints_one_line_with_progress(chuyi):
    out = record(
        chuyi, "training-bases", "娄底实训基地", "--region", "娄底", "--stage", "accepted"
    ).stdout
    assert out.count("\n") == 1
    assert "training-bases" in out and "1/80" in out
    out = record(
        chuyi,
        "public-school-per-county",
        "浏阳市职业中专",
        "--region",
        "浏阳",
        "--stage",
        "accepted",
    ).stdout
    assert "1/122" in out


def test_record_json_is_the_stored_entry(chuyi, today):
    entry = chuyi.json(
        "record", "vet-groups", "湖南现代物流职教集团", "--stage", "accepted", "--note", "=cmd"
    )
    assert entry["target"] == "vet-groups" and entry["stage"] == "accepted"
    assert entry["observed"] == today.isoformat() and entry["recorder"] == "tester"
    assert entry["note"] == "=cmd" and len(entry["id"]) == 36
    logged = chuyi.json("log")
    assert logged[0]["id"] == entry["id"]
    assert {k: logged[0][k] for k in entry} == entry


def test_void_keeps_the_entry_and_restores_the_count(chuyi, visits):
    before = chuyi.json("units", "culture-bases")
    wrong = chuyi.json(
        "record", "culture-bases", "错误基地", "--region", "长沙", "--stage", "accepted"
    )
    assert len(chuyi.json("units", "culture-bases")) == len(before) + 1
    void = chuyi.json("void", wrong["id"][:6], "--reason", "duplicate school")
    assert void["voids"] == wrong["id"] and void["note"] == "duplicate school"
    log = {e["id"]: e for e in chuyi.json("log", "culture-bases")}
    assert log[wrong["id"]]["voided"] is True  # marked, never hidden
    assert log[void["id"]]["voids"] == wrong["id"]
    units = {u["name"]: u for u in chuyi.json("units", "culture-bases")}
    assert units["错误基地"]["stage"] is None
    assert "已作废" in chuyi("--lang", "zh", "log").stdout


def test_void_refusals(chuyi, visits):
    entry_id = visits[0]
    void = chuyi.json("void", entry_id, "--reason", "typo")
    assert "already voided" in chuyi("void", entry_id, "--reason", "x", code=1).stderr
    assert "itself a void" in chuyi("void", void["id"], "--reason", "x", code=1).stderr
    assert "no entry" in chuyi("void", "ffffffff", "--reason", "x", code=1).stderr
    assert "at least 4" in chuyi("void", "ab", "--reason", "x", code=1).stderr
    assert chuyi("void", entry_id, code=2).exit_code == 2  # --reason is required


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("no-such-target", "x"), "unknown target"),
        (("training-bases",), "name the unit"),
        (("training-bases", "x", "--region", "长纱"), "did you mean 长沙市"),
        (("public-school-per-county", "x"), "give --region"),
        (("public-school-per-county", "x", "--region", "长沙"), "name the 县市区"),
        (("think-tank",), "needs a state"),
        (("think-tank", "--stage", "accepted"), "takes no stage"),
        (("training-bases", "x", "--state", "done"), "takes a stage"),
        (("think-tank-lectures", "--quantity", "-1"), "positive"),
        (("think-tank-lectures", "--quantity", "0"), "positive"),
        (("training-bases", "x", "--stage", "accepted", "--date", "2031-01-01"), "future"),
        (
            ("training-bases", "x", "--stage", "accepted", "--date", "2020-01-01"),
            "before the plan started",
        ),
        (("training-bases", "x", "--stage", "accepted", "--date", "2024-02-30"), "bad date"),
        (("culture-bases-named", "某校"), "counts only the units the notice names"),
        (("二(二)3", "x"), "names 3 targets"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(chuyi, isolated, args, words):
    record(chuyi, "training-bases", "已有基地", "--stage", "accepted")
    before = isolated.read_bytes()
    result = record(chuyi, *args, code=1)
    assert words in result.stderr
    assert "Traceback" not in result.output
    assert isolated.read_bytes() == before  # not a byte of the database changed
    assert [p.name for p in isolated.parent.glob("chuyi.db*")] == ["chuyi.db"]  # nor beside it
    assert len(chuyi.json("log")) == 1


def test_stage_option_is_checked_by_the_command_line(chuyi):
    assert record(chuyi, "training-bases", "x", "--stage", "done", code=2).exit_code == 2


def test_evidence_file_keeps_its_hash(chuyi, tmp_path):
    photo = tmp_path / "visit.jpg"
    photo.write_bytes(b"\xff\xd8 a photo")
    entry = chuyi.json(
        "record", "training-bases", "x", "--stage", "accepted", "--evidence", str(photo)
    )
    assert entry["evidence_sha256"] == hashlib.sha256(b"\xff\xd8 a photo").hexdigest()
    url = chuyi.json(
        "record",
        "training-bases",
        "y",
        "--stage",
        "accepted",
        "--evidence",
        "https://example.org/a.pdf",
    )
    assert url["evidence"] == "https://example.org/a.pdf" and url["evidence_sha256"] is None


def test_recorder_defaults(chuyi, monkeypatch):
    assert (
        chuyi.json("record", "training-bases", "x", "--stage", "accepted")["recorder"] == "tester"
    )
    assert (
        chuyi.json("record", "training-bases", "x", "--stage", "accepted", "--by", "王五")[
            "recorder"
        ]
        == "王五"
    )
    monkeypatch.delenv("CHUYI_USER")
    assert chuyi.json("record", "training-bases", "x", "--stage", "accepted")["recorder"]


def test_log_filters(chuyi, visits):
    assert {e["target"] for e in chuyi.json("log", "culture-bases")} == {"culture-bases"}
    changsha = chuyi.json("log", "--region", "长沙")
    assert changsha and all(e["region"].startswith("4301") for e in changsha)
    assert all(e["observed"] >= "2024-01-01" for e in chuyi.json("log", "--since", "2024-01-01"))
    assert chuyi.json("log", "--by", "nobody") == []
    dates = [(e["observed"], e["recorded"]) for e in chuyi.json("log")]
    assert dates == sorted(dates, reverse=True)


def test_entries_cannot_be_edited_in_the_database(chuyi, isolated, visits):
    db = sqlite3.connect(isolated)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE entry SET unit = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM entry")


def test_check_finds_entries_the_catalog_lost(chuyi, visits, tmp_path):
    from tests.test_catalog import ROOT

    text = (ROOT / "data" / "targets.yaml").read_text(encoding="utf-8")
    renamed = tmp_path / "renamed.yaml"
    renamed.write_text(text.replace("id: training-bases", "id: practice-bases"), encoding="utf-8")
    result = chuyi("--targets", str(renamed), "check", code=1)
    assert "training-bases" in result.stderr
    assert chuyi("check").stdout.strip() == "ok"


@pytest.mark.parametrize(
    ("lang", "heads"),
    [("zh", ["记录", "日期", "目标", "单位"]), ("en", ["Entry", "Date", "Target", "Unit"])],
)
def test_log_heads_each_column_by_what_it_holds(chuyi, visits, lang, heads):
    header = chuyi("--lang", lang, "log").stdout.splitlines()[0]
    assert header.split()[:4] == heads
