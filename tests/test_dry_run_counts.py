"""`import --dry-run` counts every row where it will go: a row whose id is stored with
other content is refused (a conflict), not skipped; a problem of the header is no row of
any target; a row refused for its date is counted under its own target."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.sqlite_only("sheets name a recorder other than the login")


def table(output: str) -> dict[str, list[str]]:
    """The dry run's table: target → [add, skip, refuse]."""
    rows = {}
    for line in output.splitlines():
        words = line.split()
        if len(words) == 4 and all(w.isdigit() for w in words[1:]):
            rows[words[0]] = words[1:]
    return rows


def test_a_conflict_is_counted_as_refused(chuyi, tmp_path: Path):
    for i in range(1, 4):
        chuyi("record", "training-bases", f"基地{i}", "--region", "长沙", "--stage", "accepted",
              "--note", f"n{i}")  # fmt: skip
    exported = tmp_path / "c1.csv"
    chuyi("export", "-o", str(exported))
    changed = tmp_path / "c2.csv"
    changed.write_bytes(exported.read_bytes().replace(b"n2", b"changed"))
    result = chuyi("import", str(changed), "--dry-run", code=1)
    assert table(result.stdout) == {"training-bases": ["0", "2", "1"]}, result.stdout
    assert "stored already with other content" in result.stderr


def test_one_id_twice_in_a_file_with_other_content_is_refused(chuyi, tmp_path: Path):
    same = "3f2a9c1b-0000-4000-8000-000000000001"
    sheet = tmp_path / "twice.csv"
    sheet.write_text(
        "id,target,quantity,observed,recorder,note\n"
        f"{same},think-tank-lectures,1,2025-06-01,张,first\n"
        f"{same},think-tank-lectures,1,2025-06-01,张,second\n",
        encoding="utf-8",
    )
    result = chuyi("import", str(sheet), "--dry-run", code=1)
    assert table(result.stdout) == {"think-tank-lectures": ["1", "0", "1"]}, result.stdout
    assert "comes earlier in this file with other content" in result.stderr


def test_a_header_typo_is_no_row_of_any_target(chuyi, tmp_path: Path):
    sheet = tmp_path / "h.csv"
    sheet.write_text(
        "目标,单位明称,阶段,日期,记录人\n实训基地,某校,验收,2025-06-01,张\n", encoding="utf-8"
    )
    result = chuyi("import", str(sheet), "--dry-run", code=1)
    assert "?" not in table(result.stdout), result.stdout
    assert "单位名称" in result.stderr
