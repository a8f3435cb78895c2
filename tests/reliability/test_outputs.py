"""`backup` and `export -o` write only their own output: never the database or a file
beside it, never someone's `NAME.partial`; created with the user's umask, as `cp` would."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from chuyi_cli.errors import ChuyiError
from chuyi_cli.files import written_whole


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def recorded(chuyi, isolated: Path) -> Path:
    chuyi(
        "record", "--stage", "accepted", "culture-bases", "湖南工业职业技术学院", "--region", "长沙"
    )
    chuyi("record", "think-tank-lectures", "--quantity", "2")
    return isolated


def everything_beside(db: Path) -> dict[str, str]:
    return {p.name: digest(p) for p in db.parent.iterdir() if p.is_file()}


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
@pytest.mark.parametrize("command", ["export", "xlsx", "backup"])
def test_the_database_and_its_sidecars_are_refused_as_output(chuyi, recorded, suffix, command):
    target = Path(str(recorded) + suffix)
    before = everything_beside(recorded)
    args = {
        "export": ["export", "-o", str(target)],
        "xlsx": ["export", "--format", "xlsx", "-o", str(target)],
        "backup": ["backup", str(target)],
    }[command]
    result = chuyi("--lang", "en", *args, code=1)
    words = "is the database itself" if not suffix else "is a file SQLite keeps beside"
    assert words in result.stderr and "Nothing was written" in result.stderr
    assert everything_beside(recorded) == before
    assert len(chuyi.json("log")) == 2  # the database still reads
    zh = chuyi("--lang", "zh", *args, code=1)
    assert "不能用作输出" in zh.stderr and "未写入任何内容" in zh.stderr


def test_another_spelling_of_the_database_is_refused(chuyi, recorded, tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    before = digest(recorded)
    chuyi("export", "-o", f"../{recorded.name}", code=1)
    link = tmp_path / "hard.db"
    os.link(recorded, link)
    chuyi("export", "-o", str(link), code=1)
    assert digest(recorded) == before


def test_someones_partial_file_is_left_alone(chuyi, recorded, tmp_path):
    out = tmp_path / "out.csv"
    theirs = tmp_path / "out.csv.partial"
    theirs.write_text("someone's work\n", encoding="utf-8")
    backup_theirs = tmp_path / "b.db.partial"
    backup_theirs.write_text("someone else's\n", encoding="utf-8")
    chuyi("export", "-o", str(out))
    chuyi("backup", str(tmp_path / "b.db"))
    assert theirs.read_text(encoding="utf-8") == "someone's work\n"
    assert backup_theirs.read_text(encoding="utf-8") == "someone else's\n"
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 3
    assert not [p for p in tmp_path.iterdir() if "chuyi-tmp" in p.name]


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_outputs_are_created_with_the_users_umask(chuyi, recorded, tmp_path, mask):
    old = os.umask(mask)
    try:
        chuyi("export", "-o", str(tmp_path / "x.csv"))
        chuyi("export", "--format", "jsonl", "-o", str(tmp_path / "x.jsonl"))
        chuyi("export", "--format", "xlsx", "-o", str(tmp_path / "x.xlsx"))
        chuyi("backup", str(tmp_path / "b.db"))
    finally:
        os.umask(old)
    for name in ("x.csv", "x.jsonl", "x.xlsx", "b.db"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o666 & ~mask, name


def test_a_failed_write_leaves_nothing_and_an_existing_output_untouched(tmp_path):
    folder = tmp_path / "out"  # (a folder of its own: the test's database lies in tmp_path)
    folder.mkdir()
    out = folder / "x.csv"
    out.write_text("before\n", encoding="utf-8")
    with pytest.raises(ChuyiError), written_whole(out) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise OSError(28, "No space left on device")
    assert out.read_text(encoding="utf-8") == "before\n"
    assert sorted(p.name for p in folder.iterdir()) == ["x.csv"]
    with pytest.raises(KeyboardInterrupt), written_whole(out) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise KeyboardInterrupt
    assert sorted(p.name for p in folder.iterdir()) == ["x.csv"]


def test_backup_never_replaces_a_file(chuyi, recorded, tmp_path):
    dest = tmp_path / "b.db"
    dest.write_bytes(b"precious")
    result = chuyi("--lang", "en", "backup", str(dest), code=1)
    assert "already exists" in result.stderr
    assert dest.read_bytes() == b"precious"
    fresh = tmp_path / "c.db"
    assert "backed up 2 entries" in chuyi("--lang", "en", "backup", str(fresh)).stdout
    con = sqlite3.connect(fresh)
    assert con.execute("SELECT count(*) FROM entry").fetchone()[0] == 2
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    con.close()
