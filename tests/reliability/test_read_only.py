"""A read-only database (mode 0444, or a writable file in a read-only folder) is read by
the reporting commands with nothing created beside it, and writes are refused; the first
use of a new database by many processes at once gives each success or exit 75."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import run_chuyi
from tests.runner import run_here

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

REPORTS = [
    ("status",),
    ("status", "--json"),
    ("log",),
    ("units", "culture-bases"),
    ("summary", "--since", "30d"),
    ("summary", "--year", "2025"),
    ("regions-status", "--stale", "30"),
    ("export",),
    ("check",),
]
WRITES = [
    ("record", "--stage", "accepted", "culture-bases", "新学校", "--region", "长沙"),
    ("check", "--repair"),
]


def env_for(db: Path) -> dict[str, str]:
    env = {**os.environ, "CHUYI_DB": str(db), "NO_COLOR": "1", "CHUYI_LANG": "en"}
    env["CHUYI_BUSY_TIMEOUT"] = "30"
    env.pop("LC_ALL", None)
    return env


def listing(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


@pytest.fixture(scope="session")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three records, made once for the tests that copy them."""
    db = tmp_path_factory.mktemp("recorded") / "chuyi.db"
    env = env_for(db)
    for args in (
        (
            "record",
            "--stage",
            "accepted",
            "culture-bases",
            "湖南工业职业技术学院",
            "--region",
            "长沙",
        ),
        (
            "record",
            "--stage",
            "accepted",
            "rebuilt-school-per-city",
            "岳阳县职业中专",
            "--region",
            "岳阳县",
        ),
        ("record", "think-tank-lectures", "--quantity", "2"),
    ):
        done = run_here(env, *args)
        assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in db.parent.iterdir()) == ["chuyi.db"]
    return db


@pytest.fixture
def database(tmp_path: Path, recorded: Path) -> Path:
    folder = tmp_path / "shared"
    folder.mkdir()
    db = folder / "chuyi.db"
    shutil.copyfile(recorded, db)
    return db


def read_everything(db: Path) -> None:
    folder = db.parent
    before = listing(folder)
    env = env_for(db)
    for args in REPORTS:
        # status as its own process; the rest through the CliRunner (the same commands).
        result = (run_chuyi if args == ("status",) else run_here)(env, *args)
        assert result.returncode == 0, (args, result.stderr)
        assert listing(folder) == before, args  # nothing beside it, the file unchanged
    log = run_here(env, "log", "--json")
    assert log.stdout.count('"id"') == 3
    for args in WRITES:
        result = (run_chuyi if args[0] == "record" else run_here)(env, *args)
        assert result.returncode == 1, (args, result.stderr)
        assert "read-only; nothing was written" in result.stderr
        assert listing(folder) == before, args


def test_a_read_only_file_is_read_with_nothing_beside_it(database):
    database.chmod(0o444)
    try:
        read_everything(database)
    finally:
        database.chmod(0o644)


def test_a_writable_file_in_a_read_only_folder_is_read(database):
    database.parent.chmod(0o555)
    try:
        read_everything(database)
    finally:
        database.parent.chmod(0o755)


def test_an_older_read_only_database_in_the_current_shape_is_read(tmp_path):
    """A read-only file from chuyi's last schema-4 release needs nothing of schema 5."""
    folder = tmp_path / "old"
    folder.mkdir()
    db = folder / "chuyi.db"
    con = sqlite3.connect(db, isolation_level=None)
    con.executescript((FIXTURES / "schema4-stage-total.sql").read_text(encoding="utf-8"))
    con.execute("PRAGMA journal_mode = WAL")
    con.close()
    db.chmod(0o444)
    try:
        before = listing(folder)
        result = run_chuyi(env_for(db), "log", "--json")
        assert result.returncode == 0, result.stderr
        assert result.stdout.count('"id"') == 8
        assert listing(folder) == before
    finally:
        db.chmod(0o644)


FIRST_USE = 8


def test_first_use_by_many_processes_at_once(tmp_path):
    """Eight processes record into a database that does not exist yet, released at once:
    each succeeds or exits 75; every one that succeeded is stored, once."""
    db = tmp_path / "new" / "chuyi.db"
    gate = tmp_path / "gate"
    gate.mkdir()
    start = gate / "go"
    script = (
        "import os, sys, time\n"
        f"while not os.path.exists({str(start)!r}): time.sleep(0.001)\n"
        "import runpy\n"
        "sys.argv = ['chuyi'] + sys.argv[1:]\n"
        "runpy.run_module('chuyi_cli', run_name='__main__')\n"
    )
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                script,
                "record",
                "--stage",
                "accepted",
                "training-bases",
                f"基地{n}",
            ],
            env=env_for(db),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(FIRST_USE)
    ]
    start.touch()
    results = [(p.wait(timeout=120), *p.communicate()) for p in procs]
    for code, _out, err in results:
        assert code in (0, 75), (code, err)
        assert "empty" not in err and "Traceback" not in err
    stored = sqlite3.connect(db).execute("SELECT unit FROM entry").fetchall()
    done = {f"基地{n}" for n, (code, _, _) in enumerate(results) if code == 0}
    assert sorted(u for (u,) in stored) == sorted(done)
    assert sorted(p.name for p in db.parent.iterdir() if "chuyi-tmp" in p.name) == []
    check = run_chuyi(env_for(db), "check")
    assert check.stdout.strip() == "ok", check.stderr
    assert stat.S_ISREG(db.stat().st_mode)
