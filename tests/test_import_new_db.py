"""An import into a database that does not exist yet creates it only when the import is
done: refused (a missing file, a bad row) or interrupted, it leaves nothing behind, not
even the folders it would have made."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.sqlite_only("the SQLite file itself: made when an import is done")

GOOD = "目标,数量,日期,记录人\n大讲堂,1,2025-06-01,张\n"
BAD = "目标,单位名称\nfoo,bar\n"


def everything(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("where", ["n.db", "new/folders/n.db"])
@pytest.mark.parametrize("sheet", ["missing", "bad"])
def test_a_refused_import_creates_nothing(chuyi, tmp_path: Path, where, sheet):
    home = tmp_path / "home"
    home.mkdir()
    source = tmp_path / f"{sheet}.csv"
    if sheet == "bad":
        source.write_text(BAD, encoding="utf-8")
    db = home / where
    result = chuyi("--lang", "zh", "--db", str(db), "import", str(source), code=1)
    assert "已新建数据库" not in result.stderr, result.stderr
    assert everything(home) == []


def test_a_done_import_creates_the_database_and_says_where(chuyi, tmp_path: Path):
    source = tmp_path / "good.csv"
    source.write_text(GOOD, encoding="utf-8")
    db = tmp_path / "new" / "n.db"
    result = chuyi("--lang", "en", "--db", str(db), "import", str(source))
    assert f"created the database {db}" in result.stderr
    assert everything(tmp_path / "new") == ["n.db"]
    [entry] = chuyi.json("--db", str(db), "log")
    assert entry["target"] == "think-tank-lectures" and entry["observed"] == "2025-06-01"
    assert chuyi("--db", str(db), "check").stdout.strip() == "ok"


def test_a_refused_import_from_standard_input_creates_nothing(chuyi, tmp_path: Path):
    db = tmp_path / "n.db"
    chuyi("--db", str(db), "import", "-", input=BAD, code=1)
    assert not db.exists() and [p for p in os.listdir(tmp_path) if "n.db" in p] == []
