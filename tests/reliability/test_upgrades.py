"""Every schema that ever landed upgrades to the newest, keeping every entry; an upgrade that
fails leaves the file as it was, its schema number included.

``tests/fixtures/schema*.sql`` are dumps of small databases written by earlier chuyi, each
with that commit's own code (``tests/fixtures/make_schema_dump.sh COMMIT OUT.sql``):

- schema2-unit-state: 79e95ab…25d3ed4, the first releases (unit_state, no tally)
- schema2-tally: 304fe94…9555f8c (tally and region_last)
- schema3: 202f09c (the entry table with cheaper CHECKs; a narrower observed index)
- schema4-delta: da133e6…cd0be59 (unit_delta without ``latest``, no stage_total)
- schema4-delta-latest: 347a210 (no stage_total)
- schema4-stage-total: 4c1f86b…86489d2
- schema7: 818d589 (monthly checkpoints of the tally, before its changes day by day)
- schema8: a2b7c27 (the tally's changes day by day, before unit_reach)
- schema9: 04c9bdd (unit_reach without the day of each open stretch's current entry)
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from chuyi_cli.store import SCHEMA_VERSION, Store
from chuyi_cli.store import schema as store_schema

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DUMPS = sorted(FIXTURES.glob("schema*.sql"))


def load(dump: Path, path: Path) -> Path:
    """The dump as a database file in WAL mode, as the chuyi that wrote it left it."""
    con = sqlite3.connect(path, isolation_level=None)
    con.executescript(dump.read_text(encoding="utf-8"))
    con.execute("PRAGMA journal_mode = WAL")
    con.close()
    return path


def entries(path: Path) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT * FROM entry ORDER BY seq").fetchall()
    finally:
        con.close()


def shape(path: Path) -> set[tuple]:
    """Tables, indexes and triggers, with the SQL that makes them."""
    con = sqlite3.connect(path)
    try:
        return set(con.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
    finally:
        con.close()


def header(path: Path) -> tuple[int, int]:
    con = sqlite3.connect(path)
    try:
        return (
            con.execute("PRAGMA user_version").fetchone()[0],
            con.execute("PRAGMA application_id").fetchone()[0],
        )
    finally:
        con.close()


def stretches(path: Path, target: str, unit: str) -> list[tuple]:
    """A unit's rows of unit_reach: when it was at or past each stage."""
    con = sqlite3.connect(path)
    try:
        return con.execute(
            "SELECT stage, start, stop FROM unit_reach WHERE target = ? AND unit = ? ORDER BY 1",
            (target, unit),
        ).fetchall()
    finally:
        con.close()


def test_a_fixture_for_every_landed_schema():
    assert [d.stem for d in DUMPS] == [
        "schema2-tally",
        "schema2-unit-state",
        "schema3",
        "schema4-delta-latest",
        "schema4-delta",
        "schema4-stage-total",
        "schema7",
        "schema8",
        "schema9",
    ]
    for dump in DUMPS:
        text = dump.read_text(encoding="utf-8")
        assert "INSERT INTO entry" in text and "PRAGMA user_version" in text


@pytest.mark.parametrize("dump", DUMPS, ids=[d.stem for d in DUMPS])
def test_each_landed_schema_upgrades_keeping_every_entry(dump, tmp_path, chuyi, monkeypatch):
    path = load(dump, tmp_path / "old.db")
    before = entries(path)
    assert len(before) == 8 and any(row[-1] for row in before)  # a void among them
    monkeypatch.setenv("CHUYI_DB", str(path))

    assert chuyi("check").stdout.strip() == "ok"
    assert header(path)[0] == SCHEMA_VERSION
    assert entries(path) == before
    Store.open(tmp_path / "new.db").close()
    assert shape(path) == shape(tmp_path / "new.db")
    assert stretches(path, "culture-bases", "湖南工业职业技术学院") == [
        ("accepted", "2025-06-01", None),
        ("building", "2025-06-01", None),
        ("selected", "2024-03-05", None),
    ]

    log = chuyi.json("log")
    assert sorted(e["id"] for e in log) == sorted(row[1] for row in before)
    voided = {row[-1] for row in before if row[-1]}
    assert {e["id"] for e in log if e["voided"]} == voided
    status = {t["id"]: t for t in chuyi.json("status")["targets"]}
    assert status["culture-bases"]["achieved"] == 1  # the voided school does not count
    assert status["think-tank-lectures"]["achieved"] == 2
    chuyi("summary", "--since", "30d")
    # The upgraded file takes new entries and voids like a new one.
    new = chuyi.json(
        "record", "culture-bases", "湖南化工职业技术学院", "--region", "株洲", "--stage", "accepted"
    )
    chuyi("void", new["id"], "--reason", "重复")
    assert chuyi("check").stdout.strip() == "ok"
    assert entries(path)[: len(before)] == before


def _failing_last_migration(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE half_done (x)")
    raise sqlite3.IntegrityError("simulated failure in the last migration")


@pytest.mark.parametrize("name", ["schema2-unit-state", "schema2-tally", "schema3"])
def test_a_failed_upgrade_leaves_the_file_as_it_was(name, tmp_path, chuyi, monkeypatch):
    (tmp_path / "data").mkdir()
    path = load(FIXTURES / f"{name}.sql", tmp_path / "data" / "old.db")
    bytes_before = path.read_bytes()
    version = header(path)
    real = store_schema.MIGRATIONS
    monkeypatch.setattr(store_schema, "MIGRATIONS", [*real[:-1], _failing_last_migration])
    monkeypatch.setenv("CHUYI_DB", str(path))

    result = chuyi("--lang", "en", "status", code=1)
    assert f"cannot upgrade from schema {version[0]} to {SCHEMA_VERSION}" in result.stderr
    assert "left as it was" in result.stderr
    assert header(path) == version
    assert path.read_bytes() == bytes_before
    assert sorted(p.name for p in path.parent.iterdir()) == ["old.db"]
    zh = chuyi("--lang", "zh", "log", code=1)
    assert "无法从第" in zh.stderr and "文件保持原样" in zh.stderr

    monkeypatch.setattr(store_schema, "MIGRATIONS", real)
    assert chuyi("check").stdout.strip() == "ok"  # the real upgrade still goes through
    assert header(path)[0] == SCHEMA_VERSION
