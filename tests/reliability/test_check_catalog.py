"""A catalog edit that changes a target's kind or a coverage target's level: `chuyi check`
names every entry that no longer fits, instead of `ok`."""

from __future__ import annotations

from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2] / "data" / "targets.yaml"


def edited(tmp_path: Path, changes: dict[str, list[tuple[str, str]]]) -> Path:
    """The packaged catalog with, in each named target's block, each text replaced."""
    text = SOURCE.read_text(encoding="utf-8")
    for target, pairs in changes.items():
        start = text.index(f"id: {target}\n")
        end = text.index("source:", start)
        block = text[start:end]
        for old, new in pairs:
            assert old in block, (target, old)
            block = block.replace(old, new, 1)
        text = text[:start] + block + text[end:]
    path = tmp_path / "targets.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def history(chuyi) -> dict[str, str]:
    ids = {}
    for name, args in {
        "base": (
            "culture-bases",
            "湖南工业职业技术学院",
            "--region",
            "长沙",
            "--stage",
            "accepted",
        ),
        "city": (
            "rebuilt-school-per-city",
            "长沙市职业中专",
            "--region",
            "长沙",
            "--stage",
            "accepted",
        ),
        "county": (
            "rebuilt-school-per-city",
            "浏阳市职业中专",
            "--region",
            "浏阳",
            "--stage",
            "accepted",
        ),
        "forum": ("think-tank-forum", "--quantity", "2"),
        "milestone": ("annual-assessment", "--year", "2025", "--state", "in_progress"),
    }.items():
        ids[name] = chuyi.json("record", *args)["id"][:8]
    wrong = chuyi.json(
        "record", "culture-bases", "记错的学校", "--region", "长沙", "--stage", "accepted"
    )
    chuyi("void", wrong["id"], "--reason", "记错")
    ids["voided"] = wrong["id"][:8]
    assert chuyi("check").stdout.strip() == "ok"
    return ids


def test_kind_and_level_edits_name_every_entry_that_no_longer_fits(
    chuyi, history, tmp_path, monkeypatch
):
    catalog = edited(
        tmp_path,
        {
            "culture-bases": [
                ("kind: count", "kind: activity"),
                ("            goal: 20\n", ""),
                ("counts_at: accepted", "frequency: made an activity"),
            ],
            # (the named schools may be among the bases only while those are counted)
            "culture-bases-named": [("            among: culture-bases\n", "")],
            "rebuilt-school-per-city": [
                ("level: city", "level: county"),
                ("goal: 14", "goal: 122"),
            ],
            "think-tank-forum": [
                (
                    "kind: activity",
                    "kind: count\n            goal: 10\n            counts_at: accepted",
                )
            ],  # fmt: skip
            "annual-assessment": [
                ("kind: milestone", "kind: activity"),
                ('            yearly: true  # "分年度": one state per year of the plan\n', ""),
            ],
        },
    )
    monkeypatch.setenv("CHUYI_TARGETS", str(catalog))
    result = chuyi("--lang", "en", "check", code=1)
    lines = [line for line in result.stderr.splitlines() if "no longer fits" in line]
    named = {line.split("entry ")[1][:8] for line in lines}
    assert named == {
        history["base"],  # a stage, for what is now an activity
        history["voided"],  # voided, but still a record the catalog no longer fits
        history["city"],  # a 市州, for what now counts 县市区
        history["forum"],  # a quantity, for what now counts units
        history["milestone"],  # a state, for what now sums quantities
    }
    assert history["county"] not in named  # a 县市区 still fits a county-level target
    assert all(line.count("\n") == 0 and "Traceback" not in line for line in lines)
    zh = chuyi("--lang", "zh", "check", code=1)
    assert zh.stderr.count("已不符合目录中该目标的定义") == 5


def test_an_unchanged_catalog_stays_ok(chuyi, history, tmp_path, monkeypatch):
    monkeypatch.setenv("CHUYI_TARGETS", str(edited(tmp_path, {})))
    assert chuyi("check").stdout.strip() == "ok"


@pytest.mark.parametrize("first", [2, 1000])
def test_an_activitys_entries_are_judged_as_the_first_stored_has_them(chuyi, first):
    """An activity's entries of one place are judged once, as the first stored has its
    quantity: a plausible first keeps a later forced one from being named, and a forced
    first names them all (as the pass over the history, sorted by day, finds them)."""
    later = 3 if first == 1000 else 1000
    chuyi("record", "think-tank-lectures", "--quantity", str(first), "--force",
          "--date", "2024-03-01")  # fmt: skip
    chuyi("record", "think-tank-lectures", "--quantity", str(later), "--force",
          "--date", "2024-02-01")  # fmt: skip
    out = chuyi("--lang", "en", "check", code=None)
    if first == 2:
        assert out.exit_code == 0 and out.stdout.strip() == "ok", out.output
    else:
        named = [line for line in out.stderr.splitlines() if "no longer fits" in line]
        assert out.exit_code != 0 and len(named) == 2, out.output
        assert all("quantity 1000 is more than" in line for line in named)
