"""What a refusal lists, said in the user's language: the stage and state words, the name
of what is missing, the column a sheet names it in, the README section to read, and
suggestions joined as each language lists them."""

from __future__ import annotations

import re

from tests.conftest import ROOT

LATIN_WORDS = re.compile(r"[A-Za-z_]{3,}")


def latin(text: str, allowed: tuple[str, ...] = ()) -> set[str]:
    """Runs of Latin letters in text (ids, options and commands named taken out)."""
    for word in allowed:
        text = text.replace(word, "")
    text = re.sub(r"--[a-z-]+|`[^`]*`|chuyi", "", text)
    return set(LATIN_WORDS.findall(text))


def test_a_missing_or_wrong_stage_lists_the_chinese_words(chuyi):
    said = chuyi("--lang", "zh", "record", "training-bases", "甲", code=1).stderr
    assert "遴选（已遴选、入选、立项" in said and "验收（" in said and "不默认任何阶段" in said
    assert not latin(said, ("training-bases",)), said
    wrong = chuyi("--lang", "zh", "record", "training-bases", "甲", "--stage", "foo", code=2)
    assert "可用的有 遴选（" in wrong.stderr and not latin(wrong.stderr, ("foo", "record")), (
        wrong.stderr
    )
    en = chuyi("--lang", "en", "record", "training-bases", "甲", code=1).stderr
    assert "selected（遴选" in en and "accepted" in en


def test_a_missing_state_lists_the_chinese_words(chuyi):
    said = chuyi("--lang", "zh", "record", "annual-assessment", "--year", "2024", code=1).stderr
    assert "未开始；进行中（推进中）；已完成（完成）" in said
    assert not latin(said, ("annual-assessment",)), said
    assert "in_progress" in chuyi("--lang", "en", "record", "annual-assessment", "--year",
                                  "2024", code=1).stderr  # fmt: skip


def test_what_is_missing_is_named_in_chinese(chuyi):
    said = chuyi("--lang", "zh", "record", code=1).stderr
    assert "缺少 目标（" in said and "TARGET" not in said
    assert "missing TARGET" in chuyi("--lang", "en", "record", code=1).stderr
    unit = chuyi("--lang", "zh", "record", "training-bases", "--stage", "验收", code=1).stderr
    assert "“单位名称”列" in unit and not latin(unit, ("training-bases",)), unit


def test_a_sheet_s_refusals_name_its_columns_and_the_readme_in_chinese(chuyi, tmp_path):
    sheet = tmp_path / "a.csv"
    sheet.write_text("目标,数量,记录人\n大讲堂,1,张三\n", encoding="utf-8")
    said = chuyi("--lang", "zh", "import", str(sheet), code=1).stderr
    assert "未写日期（“日期”列）" in said and "observed" not in said
    rows = tmp_path / "a.jsonl"
    rows.write_text('{"target": "大讲堂", "observed": "2024-05-06", "colour": 1}\n', "utf-8")
    said = chuyi("--lang", "zh", "import", str(rows), code=1).stderr
    assert "见 README 的“导入与导出”一节" in said and "Import and export" not in said
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "\n## Import and export (导入与导出)\n" in readme  # (the section it points to)


def test_suggestions_are_joined_as_each_language_lists_them(chuyi):
    zh = chuyi("--lang", "zh", "record", "training-bases", "甲", "--stage", "验收",
               "--region", "长沙x", code=1).stderr  # fmt: skip
    assert "是否要找：长沙市、长沙县" in zh and ", " not in zh
    en = chuyi("--lang", "en", "record", "training-bases", "甲", "--stage", "accepted",
               "--region", "长沙x", code=1).stderr  # fmt: skip
    assert "did you mean 长沙市, 长沙县" in en
    target = chuyi("--lang", "zh", "show", "trainin-bases", code=1).stderr
    assert "training-bases、" in target and ", " not in target
