"""Chinese first: every word chuyi prints has a Chinese form, option values take Chinese
words, targets are found by the notice's words, and the habits of a command line."""

from __future__ import annotations

import os
import re
import string
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from wcwidth import wcswidth

from chuyi_cli import i18n
from chuyi_cli.catalog import load_catalog
from chuyi_cli.errors import ChuyiError
from chuyi_cli.i18n import MESSAGES, WORDS
from chuyi_cli.vocabulary import CLASS_WORDS, LEVEL_WORDS, STAGE_WORDS, STATE_WORDS, value_of
from tests.conftest import ROOT
from tests.processes import run_chuyi

COMMANDS = [
    "targets",
    "show",
    "regions",
    "check",
    "record",
    "void",
    "log",
    "units",
    "import",
    "export",
    "backup",
    "status",
    "regions-status",
    "summary",
    "template",
]

_WORD = re.compile(r"[A-Za-z][A-Za-z']{2,}")


def _english_of_the_catalogue() -> set[str]:
    """Words of the catalogue's English forms that its Chinese forms never use."""
    pairs = [*MESSAGES.values(), *WORDS.values()]
    chinese = {w.lower() for zh, _en in pairs for w in _WORD.findall(zh)}
    english = {w.lower() for _zh, en in pairs for w in _WORD.findall(re.sub(r"\{[^}]*\}", " ", en))}
    return english - chinese


ENGLISH = _english_of_the_catalogue()


def english_in(text: str) -> list[str]:
    """English words of the catalogue in ``text``, leaving out what is not the interface's:
    the notice's English titles, option names, ids (``culture-bases``) and paths."""
    plan = load_catalog()
    for target in plan.targets:
        text = text.replace(target.title_en, " ")
    text = text.replace(plan.title_en, " ")
    text = re.sub(r"--?[a-z][a-z-]*|\b[a-z0-9]+(?:[-_][a-z0-9]+)+\b|\S*/\S*", " ", text)
    text = re.sub(r"\b[0-9a-f]{8}\b", " ", text)  # an entry's id (89bad054 is no "bad")
    return sorted({w for w in _WORD.findall(text) if w.lower() in ENGLISH})


@pytest.fixture(autouse=True)
def reset_lang():
    yield
    i18n.set_lang(None)


# --------------------------------------------------------------------------- the catalogue


def test_every_key_has_both_languages_with_the_same_fields():
    for key, (zh, en) in MESSAGES.items():
        assert zh.strip() and en.strip(), key
        fields = [{f for _, f, _, _ in string.Formatter().parse(t) if f} for t in (zh, en)]
        assert fields[0] == fields[1], key
    for key, (zh, en) in WORDS.items():
        assert zh.strip() and en.strip(), key


def test_every_key_the_code_names_is_in_the_catalogue():
    """A key written in the code (ChuyiError("key"), say("key"), help="help.x") exists."""
    named = set()
    for path in (ROOT / "chuyi_cli").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        for call in ("ChuyiError", "UnknownRegion", "LockedError", "Message", "say"):
            named |= set(re.findall(rf'\b{call}\(\s*"([a-z_.-]*[a-z_])"', source))
        named |= set(re.findall(r'help="(help\.[a-z_.-]+)"', source))
    named -= {"key", "unknown_target"} - set(MESSAGES)  # (docstrings' examples)
    assert named, "no key found: the pattern is wrong"
    missing = sorted(k for k in named if k not in MESSAGES)
    assert not missing


def test_the_leak_check_catches_english():
    assert english_in("chuyi: error: unknown target 'x'") == ["error", "unknown"]
    assert english_in("--dry-run culture-bases /tmp/a.csv 未知") == []


# --------------------------------------------------------------------------- no English under zh


@pytest.fixture
def recorded(chuyi):
    for args in (
        ("文化传承基地（", "甲馆", "--region", "长沙", "--stage", "验收", "--date", "2025-03-01"),
        ("大讲堂", "--quantity", "2", "--date", "2025-04-01"),
        ("分年度", "--year", "2025", "--state", "进行中"),
        ("各县市区", "乙校", "--region", "浏阳", "--stage", "在建"),
        ("职教名师", "张三", "--stage", "认定"),
    ):
        chuyi("--lang", "zh", "record", *args)
    return chuyi


RUNS = [
    ("targets",),
    ("targets", "--gaps"),
    ("show", "职教名师"),
    ("show", "各市州"),
    ("show", "职教名师", "--all"),
    ("template", "-o", "填报表.xlsx", "--region", "长沙"),
    ("regions", "--level", "市州"),
    ("check",),
    ("log",),
    ("units", "实训基地"),
    ("status",),
    ("status", "--class", "未开始"),
    ("regions-status", "--level", "县市区"),
    ("summary",),
    ("summary", "--year", "2025"),
    ("summary", "--format", "markdown"),
    ("record", "实训基地", "丙基地", "--stage", "立项建设"),
    ("record", "大讲堂"),
    ("import", "缺失.csv"),
    ("backup", "副本.db"),
    ("void", "abcd1234", "--reason", "写错了"),
    ("void", "zz", "--reason", "写错了"),
    ("show", "楚怡"),
    ("show", "火星计划"),
    ("record", "文化传承基地（", "丁馆", "--date", "2099-01-01"),
    ("record", "文化传承基地（", "丁馆", "--date", "二〇二五"),
    ("record", "各县市区", "某校", "--region", "长沙"),
    ("record", "各县市区", "某校"),
    ("record", "分年度"),
    ("record", "大讲堂", "--quantity", "0"),
    ("record", "实训基地", "某基地", "--region", "火星"),
    ("record", "实训基地", "某基地", "--stage", "完成"),
    ("status", "--class", "很好"),
    ("status", "--section", "九"),
    ("status", "--as-of", "昨天"),
    ("summary", "--since", "上周"),
    ("summary", "--year", "1999"),
    ("status", "--nope"),
    ("stauts",),
    ("void",),
    ("status", "--width", "5"),
    ("record", "实训基地", "x", "--quantity", "三个"),
    ("record", "实训基地", "x", "--date"),
    (),
]


@pytest.mark.parametrize("args", RUNS, ids=[" ".join(a) or "(bare)" for a in RUNS])
def test_no_english_word_of_the_catalogue_leaks_into_chinese_output(
    recorded, tmp_path, monkeypatch, args
):
    monkeypatch.chdir(tmp_path)
    result = recorded("--lang", "zh", *args, code=None)
    assert result.exit_code in (0, 1, 2), result.output
    shown = result.stdout + result.stderr
    assert shown.strip()
    assert english_in(shown) == [], shown


@pytest.mark.parametrize("name", [*COMMANDS, None])
def test_every_help_page_is_chinese_and_fits_80_columns(chuyi, name):
    args = ["--lang", "zh", *([name] if name else []), "--help"]
    page = chuyi(*args).stdout
    assert "用法：" in page and "选项" in page and "显示本帮助并退出" in page
    assert english_in(page) == [], page
    assert max(wcswidth(line) for line in page.splitlines()) <= 80, page
    if name:
        assert "示例：" in page and f"chuyi {name}" in page


@pytest.mark.parametrize("name", COMMANDS)
def test_english_help_pages_stay_english(chuyi, name):
    page = chuyi("--lang", "en", name, "--help").stdout
    assert "Usage:" in page and "Options" in page and "Examples:" in page
    assert not re.search(r"[\u4e00-\u9fff]{2,}[，。；]", page), page


def test_help_pages_of_a_real_terminal_width_break_no_word(tmp_path):
    """At 80 columns (the width click reads), a Chinese help line breaks between
    characters, never inside an option, an id or a ref."""
    env = {"PATH": os.path.dirname(sys.executable), "COLUMNS": "80", "CHUYI_DB": "x.db"}
    for name in ("record", "status", "show", "summary"):
        page = run_chuyi(env, name, "--help", cwd=ROOT).stdout
        assert "用法：" in page, page
        for line in page.splitlines():
            assert wcswidth(line) <= 80, line
            assert not re.search(r"[-(（][\s]*$", line), line  # no break after ( or -
        assert english_in(page) == []


def test_usage_errors_are_worded_in_chinese(chuyi):
    unknown = chuyi("--lang", "zh", "status", "--nope", code=2).stderr
    assert "错误：没有选项 --nope" in unknown and "用法：" in unknown
    typo = chuyi("--lang", "zh", "stauts", code=2).stderr
    assert "没有命令" in typo and "是否要找" in typo and "'status'" in typo
    missing = chuyi("--lang", "zh", "void", code=2).stderr
    assert "缺少参数" in missing
    english = chuyi("--lang", "en", "status", "--nope", code=2).stderr
    assert "No such option: --nope" in english and "Usage:" in english


# --------------------------------------------------------------------------- option values


@pytest.mark.parametrize(
    ("word", "stage"),
    [
        ("遴选", "selected"),
        ("已立项", "selected"),
        ("立项建设", "selected"),
        ("在建中", "building"),
        ("建设期", "building"),
        ("已认定", "accepted"),
        ("验收合格", "accepted"),
        ("已通过验收", "accepted"),
        ("取消", "revoked"),
        ("ACCEPTED", "accepted"),
        ("Building", "building"),
    ],
)
def test_stage_words_of_offices_are_taken_by_record(chuyi, word, stage):
    out = chuyi.json("record", "training-bases", f"基地{word}", "--stage", word)
    assert out["stage"] == stage


def test_state_class_and_level_words_in_either_language(chuyi):
    assert chuyi.json("record", "think-tank", "--state", "进行中")["state"] == "in_progress"
    assert chuyi.json("record", "think-tank", "--state", "DONE")["state"] == "done"
    rows = chuyi.json("status", "--class", "已完成")["targets"]
    assert [r["id"] for r in rows] == ["think-tank"]
    assert chuyi.json("status", "--class", "On_Track")["targets"] == []
    behind = {r["id"] for r in chuyi.json("status", "--class", "未开始")["targets"]}
    assert behind == {r["id"] for r in chuyi.json("status", "--class", "not_started")["targets"]}
    cities = chuyi.json("regions", "--level", "市州")
    assert len(cities) == 14 and cities == chuyi.json("regions", "--level", "CITY")
    assert len(chuyi.json("regions-status", "--level", "县市区")) == 122
    assert chuyi("summary", "--fail-on", "严重滞后").exit_code == 0


def test_an_unknown_word_lists_the_words_taken(chuyi):
    out = chuyi("--lang", "zh", "record", "training-bases", "x", "--stage", "完成", code=2).stderr
    assert "阶段“完成”有误" in out
    for word in ("遴选", "立项建设", "在建中", "已通过验收", "取消", "验收（"):
        assert word in out
    assert "accepted" not in out  # (the words of the user's language)
    english = chuyi("--lang", "en", "status", "--class", "great", code=2).stderr
    assert "bad class 'great'" in english and "on_track" in english and "严重滞后" in english


def test_the_import_takes_the_same_stage_words(chuyi, tmp_path):
    sheet = tmp_path / "sheet.csv"
    words = ["立项建设", "在建中", "已认定", "通过验收", "已撤销", "Accepted"]
    rows = [f"training-bases,基地{i},长沙,{w},2025-03-0{i + 1},张三" for i, w in enumerate(words)]
    sheet.write_text("目标,单位名称,地区,阶段,日期,记录人\n" + "\n".join(rows) + "\n")
    chuyi("import", str(sheet))
    stages = {e["unit"]: e["stage"] for e in chuyi.json("log")}
    assert stages == {
        "基地0": "selected",
        "基地1": "building",
        "基地2": "accepted",
        "基地3": "accepted",
        "基地4": "revoked",
        "基地5": "accepted",
    }
    bad = tmp_path / "bad.csv"
    bad.write_text("目标,单位名称,阶段,日期,记录人\ntraining-bases,某,大概完成,2025-03-01,张三\n")
    out = chuyi("--lang", "zh", "import", str(bad), code=1).stderr
    assert "阶段“大概完成”有误" in out and "立项建设" in out


TABLES = [("stage", STAGE_WORDS), ("state", STATE_WORDS), ("class", CLASS_WORDS)]
TABLES.append(("level", LEVEL_WORDS))


@given(
    st.sampled_from(TABLES).flatmap(lambda t: st.tuples(st.just(t), st.sampled_from(list(t[1]))))
)
def test_every_word_of_a_table_names_its_value_however_it_is_spaced(pair):
    (kind, table), word = pair
    assert value_of(kind, word) == table[word]
    assert value_of(kind, f" {word} ") == table[word]
    value = table[word]
    assert value_of(kind, value.upper()) == value == value_of(kind, value.replace("_", " "))


@given(st.text(min_size=1, max_size=6))
def test_a_word_is_either_taken_or_refused_by_name(text):
    for kind, table in TABLES:
        try:
            value = value_of(kind, text)
        except ChuyiError as exc:
            assert exc.message.key == "bad_choice"
        else:
            assert value in set(table.values())


# --------------------------------------------------------------------------- targets by words


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("职教名师", "renowned-teachers"),
        ("实训基地", "training-bases"),
        ("“楚怡”职教集团(联盟)", "vet-groups"),
        ('"楚怡" 职教集团（联盟）', "vet-groups"),
        ("二（四）1", "training-bases"),
        ("二 (四) 1", "training-bases"),
        ("Renowned-Teachers", "renowned-teachers"),
        ("分年度", "annual-assessment"),
        ("vocational-education masters", "vet-masters"),
    ],
)
def test_targets_are_found_by_id_ref_title_or_a_unique_part(text, target):
    assert load_catalog().find(text).id == target


def test_an_ambiguous_part_lists_the_candidates_and_an_unknown_one_says_so(chuyi):
    out = chuyi("--lang", "zh", "show", "文化传承基地", code=1).stderr
    assert "对应 2 个目标" in out and "culture-bases " in out and "culture-bases-named" in out
    many = chuyi("--lang", "zh", "show", "楚怡", code=1).stderr
    assert "另有" in many
    assert "没有目标“火星计划”" in chuyi("--lang", "zh", "show", "火星计划", code=1).stderr


def test_the_same_lookup_serves_record_show_units_log_and_the_import(chuyi, tmp_path):
    chuyi("record", "实训基地", "甲基地", "--region", "长沙", "--stage", "验收")
    assert chuyi.json("show", "实训基地")["id"] == "training-bases"
    assert [u["name"] for u in chuyi.json("units", "实训基地")] == ["甲基地"]
    assert len(chuyi.json("log", "二（四）1")) == 1
    sheet = tmp_path / "s.csv"
    sheet.write_text("目标,单位名称,阶段,日期,记录人\n职教名师,李四,认定,2025-03-01,张三\n")
    chuyi("import", str(sheet))
    assert [u["name"] for u in chuyi.json("units", "renowned-teachers")] == ["李四"]


# --------------------------------------------------------------------------- chuyi alone


def test_chuyi_alone_prints_the_headline_and_five_commands(chuyi):
    chuyi("record", "think-tank", "--state", "done")
    out = chuyi("--lang", "zh").stdout
    assert out.startswith("总体完成度 ") and "时间进度" in out and "已完成 1" in out
    commands = re.findall(r"^  chuyi (\S+)", out, re.M)
    assert commands == ["status", "record", "log", "summary", "import"]
    english = chuyi("--lang", "en").stdout
    assert english.startswith("Overall completion ") and "Most used commands:" in english


def test_chuyi_alone_in_a_bare_environment_is_chinese(tmp_path):
    env = {"PATH": os.path.dirname(sys.executable), "HOME": str(tmp_path)}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    result = run_chuyi(env, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "总体完成度" in result.stdout and "常用命令" in result.stdout


# --------------------------------------------------------------------------- a missing database

READING = [
    ("status",),
    ("summary",),
    ("log",),
    ("units", "training-bases"),
    ("regions-status",),
    ("export",),
    ("check",),
    ("backup", "copy.db"),
    ("void", "abcd", "--reason", "x"),
    ("import", "--dry-run", "sheet.csv"),
    (),
]


@pytest.mark.parametrize("args", READING, ids=[" ".join(a) or "(bare)" for a in READING])
def test_a_named_database_that_is_missing_is_an_error_for_a_reading_command(
    chuyi, tmp_path, monkeypatch, args
):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sheet.csv").write_text("目标,单位名称,日期,记录人\n实训基地,甲,2025-03-01,张三\n")
    typo = tmp_path / "srv" / "chuyl.db"
    monkeypatch.setenv("CHUYI_DB", str(typo))
    result = chuyi("--lang", "zh", *args, code=1)
    assert str(typo) in result.stderr and "数据库不存在" in result.stderr
    assert not typo.exists() and not typo.parent.exists()
    assert not (tmp_path / "copy.db").exists()
    english = chuyi("--lang", "en", "--db", str(typo), *args, code=1).stderr
    assert "no such database" in english and not typo.exists()


def test_a_writing_command_creates_the_named_database_and_says_where(chuyi, tmp_path):
    db = tmp_path / "new" / "chuyi.db"
    result = chuyi("--lang", "zh", "--db", str(db), "record", "实训基地", "甲", "--stage", "验收")
    assert db.exists() and f"已新建数据库：{db}" in result.stderr
    again = chuyi("--lang", "zh", "--db", str(db), "record", "实训基地", "乙", "--stage", "验收")
    assert "已新建" not in again.stderr
    sheet = tmp_path / "s.csv"
    sheet.write_text("目标,单位名称,阶段,日期,记录人\n实训基地,丙,验收,2025-03-01,张三\n")
    other = tmp_path / "other.db"
    out = chuyi("--lang", "en", "--db", str(other), "import", str(sheet))
    assert other.exists() and f"created the database {other}" in out.stderr


def test_the_default_database_works_on_a_fresh_machine(tmp_path):
    """`pip install . && chuyi status`: no CHUYI_DB, an empty home."""
    env = {"PATH": os.path.dirname(sys.executable), "HOME": str(tmp_path)}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    result = run_chuyi(env, "status", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "完成度" in result.stdout
    assert list((tmp_path / "data").rglob("chuyi.db"))


def test_a_broken_catalog_is_reported_in_chinese(chuyi, tmp_path):
    from tests.test_catalog import GOOD_TARGET, catalog

    broken = tmp_path / "t.yaml"
    good = GOOD_TARGET.format(id="a", kind="count", goal=20)
    broken.write_text(catalog(good + "            colour: red\n"), encoding="utf-8")
    out = chuyi("--lang", "zh", "--targets", str(broken), "status", code=1).stderr
    assert f"{broken}:19: 目标中有未知的键 'colour'" in out, out
    assert english_in(out) == []
    english = chuyi("--lang", "en", "--targets", str(broken), "status", code=1).stderr
    assert f"{broken}:19: unknown key 'colour' in target" in english
    broken.write_text("plan: [\n", encoding="utf-8")
    assert (
        "YAML 语法错误" in chuyi("--lang", "zh", "--targets", str(broken), "check", code=1).stderr
    )
