"""The SQLite store: migrations, refusals that leave files untouched, locking."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from chuyi_cli.errors import ChuyiError
from chuyi_cli.store import SCHEMA_VERSION, LockedError, Store


def test_new_database_has_the_current_schema(tmp_path):
    path = tmp_path / "deep" / "folder" / "c.db"
    with Store.open(path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store.integrity() == []


def test_migration_from_the_first_schema_keeps_and_indexes_entries(chuyi, tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    Store.open(path, migrate_to=1).close()  # a file as the first chuyi wrote it
    monkeypatch.setenv("CHUYI_DB", str(tmp_path / "new.db"))
    chuyi("record", "training-bases", "甲", "--date", "2024-01-01", "--stage", "building")
    chuyi("record", "training-bases", "甲", "--date", "2024-02-01", "--stage", "accepted")
    rows = sqlite3.connect(tmp_path / "new.db").execute("SELECT * FROM entry").fetchall()
    old = sqlite3.connect(path)
    old.executemany(f"INSERT INTO entry VALUES ({','.join('?' * len(rows[0]))})", rows)
    old.commit()
    assert not old.execute(
        "SELECT count(*) FROM sqlite_master WHERE name = 'unit_state'"
    ).fetchone()[0]
    old.close()
    monkeypatch.setenv("CHUYI_DB", str(path))
    units = chuyi.json("units", "training-bases")
    assert units == [
        {
            "name": "甲",
            "region": None,
            "region_code": None,
            "stage": "accepted",
            "last_date": "2024-02-01",
            "entries": 2,
            "voided": 0,
            "quantity": None,
        }
    ]
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    # Everything derived on the way (tally, regions summed, recent changes) is in step.
    assert "ok" in chuyi("check").stdout.lower()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"this is not sqlite at all" * 40, "not a usable chuyi database"),
    ],
)
def test_foreign_files_are_refused_untouched(chuyi, tmp_path, monkeypatch, content, words):
    path = tmp_path / "x.db"
    path.write_bytes(content)
    monkeypatch.setenv("CHUYI_DB", str(path))
    result = chuyi("status", code=1)
    assert words in result.stderr and "Traceback" not in result.output
    assert path.read_bytes() == content


def test_other_sqlite_files_and_newer_schemas_are_refused(chuyi, tmp_path, monkeypatch):
    other = tmp_path / "other.db"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    before = other.read_bytes()
    monkeypatch.setenv("CHUYI_DB", str(other))
    assert "not a chuyi database" in chuyi("log", code=1).stderr
    assert other.read_bytes() == before

    newer = tmp_path / "newer.db"
    Store.open(newer).close()
    db = sqlite3.connect(newer)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    before = newer.read_bytes()
    monkeypatch.setenv("CHUYI_DB", str(newer))
    assert (
        "newer chuyi"
        in chuyi("record", "training-bases", "x", "--stage", "accepted", code=1).stderr
    )
    assert newer.read_bytes() == before


def test_directory_as_database(chuyi, tmp_path, monkeypatch):
    monkeypatch.setenv("CHUYI_DB", str(tmp_path))
    assert "is a directory" in chuyi("status", code=1).stderr


def test_a_locked_database_waits_then_exits_75(chuyi, isolated, monkeypatch):
    chuyi("record", "training-bases", "甲", "--stage", "accepted")
    monkeypatch.setenv("CHUYI_BUSY_TIMEOUT", "0.3")
    holder = sqlite3.connect(isolated, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = chuyi("record", "training-bases", "乙", "--stage", "accepted", code=75)
        assert "locked" in result.stderr
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert len(chuyi.json("log")) == 1


def test_locked_error_is_a_chuyi_error():
    assert issubclass(LockedError, ChuyiError) and LockedError.exit_code == 75


def test_backup_while_writing(chuyi, isolated, tmp_path):
    for i in range(5):
        chuyi("record", "training-bases", f"基地{i}", "--stage", "accepted")
    stop = threading.Event()

    def writer() -> None:
        with Store.open(isolated) as store:
            import datetime as dt

            from chuyi_cli.catalog import load_catalog
            from chuyi_cli.regions import gazetteer
            from chuyi_cli.rules import make_entry

            plan = load_catalog()
            target = plan.target("vet-groups")
            i = 0
            while not stop.is_set() and i < 200:
                store.add(
                    [
                        make_entry(
                            plan,
                            gazetteer(),
                            target,
                            unit=f"集团{i}",
                            stage="accepted",
                            observed=dt.date.today(),
                            recorder="w",
                            today=dt.date.today(),
                        )
                    ]
                )
                i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    copy = tmp_path / "copy.db"
    try:
        out = chuyi("backup", str(copy)).stdout
    finally:
        stop.set()
        thread.join()
    assert "backed up" in out
    with Store.open(copy) as store:
        assert store.integrity() == []
        assert store.count() >= 5
    assert "already exists" in chuyi("backup", str(copy), code=1).stderr


def test_check_finds_a_derived_state_out_of_step_and_repair_mends_it(chuyi, isolated):
    chuyi("record", "training-bases", "甲", "--region", "长沙", "--stage", "accepted")
    chuyi("record", "training-bases", "乙", "--region", "长沙", "--stage", "building")
    assert chuyi("check").stdout.strip() == "ok"
    db = sqlite3.connect(isolated)
    db.execute("UPDATE tally SET units = units + 5")  # what a crashed tool might leave
    db.commit()
    db.close()
    assert "out of step" in chuyi("check", code=1).stderr
    assert chuyi("check", "--repair").stdout.strip() == "ok"
    assert chuyi.json("status", "--section", "二(四)")["targets"][0]["achieved"] == 1


def test_the_current_schema_still_refuses_what_the_first_refused(tmp_path):
    """The rebuilt entry table (cheaper CHECKs, a named id index) keeps every rule."""
    with Store.open(tmp_path / "c.db") as store:
        db = store.db
        good = ("aaaaaaaa-1", "training-bases", "甲", None, "building", None, None,
                "2024-01-01", "2024-01-01T00:00:00Z", "x", None)  # fmt: skip
        insert = (
            "INSERT INTO entry (id, target, unit, region, stage, state, quantity, observed,"
            " recorded, recorder, voids) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        )
        db.execute(insert, good)
        bad = {
            "stage": good[:4] + ("built",) + good[5:],
            "state": good[:4] + (None, "finished") + good[6:],
            "two at once": good[:5] + ("done",) + good[6:],
            "date": good[:7] + ("2024-1-1",) + good[8:],
            "same id": good,
        }
        for number, (what, row) in enumerate(bad.items()):
            entry_id = row[0] if what == "same id" else f"cccccccc-{number}"
            with pytest.raises(sqlite3.IntegrityError):
                db.execute(insert, (entry_id, *row[1:]))
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("UPDATE entry SET stage = 'accepted'")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("DELETE FROM entry")
        db.execute("BEGIN")
        db.execute(insert, ("bbbbbbbb-2", *good[1:4], None, None, None, *good[7:10], "nothing"))
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            db.execute("COMMIT")
        db.execute("ROLLBACK")
        assert db.execute("SELECT count(*) FROM entry").fetchone()[0] == 1


@pytest.mark.sqlite_only("the store opened as the SQLite file itself")
def test_count_is_of_observations_with_or_without_a_window(chuyi, isolated, today):
    """A void is a row of the history but no observation: counted by neither form."""
    for unit in ("甲", "乙", "丙"):
        chuyi("record", "training-bases", unit, "--stage", "accepted", "--date", "2024-01-01")
    first = chuyi.json("log")[-1]["id"]
    chuyi("void", first, "--reason", "记错")
    assert len(chuyi.json("log")) == 4  # three observations and a void
    with Store.open(isolated) as store:
        assert store.count() == 3
        assert store.count("2022-04-08", today.isoformat()) == 3
        assert store.count("2024-01-01", "2024-01-01") == 3
        assert store.count("2024-01-02", today.isoformat()) == 0
