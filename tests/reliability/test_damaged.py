"""Damaged or wrong files: a clear message, a documented exit code, no traceback, and the
files chuyi was given left byte-identical."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import run_chuyi
from tests.runner import Ran, run_here

ROOT = Path(__file__).resolve().parents[2]


def environment(db: Path, targets: Path | None = None) -> dict[str, str | None]:
    return {
        "CHUYI_DB": str(db),
        "NO_COLOR": "1",
        "CHUYI_BUSY_TIMEOUT": "2",
        "CHUYI_CACHE_DIR": "",
        "CHUYI_TARGETS": None if targets is None else str(targets),
    }


def chuyi(*args: str, db: Path, targets: Path | None = None):
    """chuyi as its own process, as a shell runs it."""
    full = {**os.environ, **environment(db, targets)}
    return run_chuyi({k: v for k, v in full.items() if v is not None}, *args, timeout=120)


def chuyi_here(*args: str, db: Path, targets: Path | None = None) -> Ran:
    return run_here(environment(db, targets), *args)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"


def assert_refused(result: Ran | subprocess.CompletedProcess[str], words: str, code: int = 1):
    assert result.returncode == code, (result.returncode, result.stderr)
    assert words in result.stderr, result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.fixture(scope="session")
def recorded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding 30 records, made once for the tests that copy it."""
    db = tmp_path_factory.mktemp("recorded") / "real.db"
    for i in range(30):
        result = chuyi_here(
            "record", "training-bases", f"基地{i}", "--region", "长沙", "--stage", "accepted", db=db
        )
        assert result.returncode == 0, result.stderr
    # Fold the write-ahead log in, so the file alone is the database.
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    return db


@pytest.fixture
def real_db(tmp_path: Path, recorded_db: Path) -> Path:
    db = tmp_path / "real.db"
    shutil.copyfile(recorded_db, db)
    return db


def damaged_databases(tmp_path: Path, real: Path) -> Iterator[tuple[str, Path, str]]:
    folder = tmp_path / "a-folder.db"
    folder.mkdir()
    yield "a directory", folder, "is a directory"
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    yield "an empty file", empty, "empty"
    noise = tmp_path / "noise.db"
    noise.write_bytes(os.urandom(8192))
    yield "random bytes", noise, "not a usable chuyi database"
    for cut in (100, 4096, real.stat().st_size // 2):
        short = tmp_path / f"truncated-{cut}.db"
        short.write_bytes(real.read_bytes()[:cut])
        yield f"a copy truncated at {cut} bytes", short, "chuyi database"
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE notes (x)")
    con.commit()
    con.close()
    yield "another program's SQLite file", other, "not a chuyi database"
    newer = tmp_path / "newer.db"
    shutil.copy(real, newer)
    con = sqlite3.connect(newer)
    con.execute("PRAGMA user_version = 99")
    con.close()
    yield "a newer chuyi's database", newer, "newer chuyi"


@pytest.mark.parametrize(
    "command",
    [
        ("status",),
        ("log",),
        ("record", "vet-groups", "某集团", "--stage", "accepted"),
        ("export",),
        ("check",),
    ],
)
def test_damaged_databases_are_refused_untouched(tmp_path, real_db, command):
    case = tmp_path / "case"
    case.mkdir()
    tried = 0
    for what, path, words in damaged_databases(case, real_db):
        before = digest(path)
        # As its own process for status, whose entry point says the same as the command.
        result = (chuyi if command == ("status",) else chuyi_here)(*command, db=path)
        assert_refused(result, words)
        assert digest(path) == before, what
        for suffix in ("-wal", "-shm", "-journal"):  # nothing left beside it either
            assert not Path(str(path) + suffix).exists(), (what, suffix)
        tried += 1
    assert tried == 8


BROKEN_CATALOGS = {
    "syntax error": ("plan:\n  title: [unclosed\nsections: []\n", "syntax"),
    "unknown key": (
        (ROOT / "data" / "targets.yaml")
        .read_text(encoding="utf-8")
        .replace("  start: 2022-04-08", "  start: 2022-04-08\n  colour: red", 1),
        "unknown key 'colour'",
    ),
    "python object tag": (
        "plan: !!python/object/apply:os.system ['touch /tmp/pwned']\n",
        "not allowed",
    ),
    "alias bomb": (
        "a: &a [x,x,x,x,x,x,x,x,x]\n"
        + "".join(
            f"l{i}: &l{i} [{','.join(['*' + ('a' if i == 0 else f'l{i - 1}')] * 9)}]\n"
            for i in range(25)
        ),
        "aliases",
    ),
    "not UTF-8": ("plan: 测试\n".encode("gb18030"), "not UTF-8"),
    "empty": ("", "empty"),
}


@pytest.mark.parametrize("name", list(BROKEN_CATALOGS))
def test_broken_catalogs_are_refused_untouched(tmp_path, name):
    text, words = BROKEN_CATALOGS[name]
    catalog = tmp_path / "targets.yaml"
    if isinstance(text, bytes):
        catalog.write_bytes(text)
    else:
        catalog.write_text(text, encoding="utf-8")
    before = digest(catalog)
    for command in (("check",), ("status",), ("targets",)):
        run = chuyi if command == ("status",) else chuyi_here
        result = run(*command, db=tmp_path / "c.db", targets=catalog)
        assert_refused(result, words)
    assert digest(catalog) == before
    assert not Path("/tmp/pwned").exists()


@contextlib.contextmanager
def small_filesystem(tmp_path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted for the test, or a skip saying why there is none."""
    if sys.platform != "linux" or os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root on Linux to mount a small tmpfs")
    point = tmp_path / "mnt"
    point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"this machine does not allow a tmpfs mount: {done.stderr.strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)


def test_a_read_only_filesystem(tmp_path, real_db):
    with small_filesystem(tmp_path, "8m") as point:
        db = point / "ro.db"
        shutil.copy(real_db, db)
        subprocess.run(["mount", "-o", "remount,ro", str(point)], check=True)
        before = digest(db)
        status = chuyi("status", "--json", db=db)
        assert status.returncode == 0, status.stderr  # reading still works
        assert '"achieved": 30' in status.stdout
        assert chuyi("log", db=db).returncode == 0
        assert_refused(
            chuyi("record", "vet-groups", "某集团", "--stage", "accepted", db=db), "read-only"
        )
        assert digest(db) == before


def test_a_full_disk(tmp_path):
    with small_filesystem(tmp_path, "320k") as point:
        db = point / "full.db"
        stored = 0
        result = None
        for i in range(400):
            result = chuyi_here(
                "record",
                "training-bases",
                f"基地{i}",
                "--stage",
                "accepted",
                "--note",
                "填" * 1500,
                db=db,
            )
            if result.returncode != 0:
                break
            stored += 1
        assert result is not None and stored > 0
        assert_refused(result, "nothing was written")
        con = sqlite3.connect(db)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT count(*) FROM entry").fetchone()[0] == stored
        con.close()
        assert chuyi("status", db=db).returncode == 0
