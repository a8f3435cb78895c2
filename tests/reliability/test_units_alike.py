"""Names that look the same are one unit; names spelled in traditional and in simplified
characters are shown as possible duplicates, never merged silently."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from chuyi_cli.canonical import normalise_unit

PLAIN = "湖南工业职业技术学院"
# What shows as nothing, or as a blank, and NFKC leaves alone.
INVISIBLE = [
    "\u034f",  # combining grapheme joiner
    "\ufe0f",  # variation selector 16
    "\ufe00",  # variation selector 1
    "\U000e0101",  # variation selector 18
    "\u1160",  # Hangul jungseong filler
    "\u3164",  # Hangul filler
    "\u200b",  # zero width space
    "\u2060",  # word joiner
    "\u00ad",  # soft hyphen
    "\u200e",  # left-to-right mark
    "\U000e0041",  # tag latin capital A
    "\u0301",  # combining acute accent (on a Chinese character NFKC composes nothing)
    "\u20dd",  # combining enclosing circle
]


def test_names_apart_only_by_invisible_characters_are_one_unit(chuyi):
    spellings = [PLAIN[:2] + mark + PLAIN[2:] for mark in INVISIBLE]
    spellings += [PLAIN + "\u2800", "\u2800" + PLAIN, PLAIN[:4] + "\u2800" + PLAIN[4:]]
    for name in spellings:
        chuyi(
            "record", "--stage", "accepted", "--again", "training-bases", name, "--region", "长沙"
        )
    units = chuyi.json("units", "training-bases")
    assert [(u["name"], u["entries"]) for u in units] == [(PLAIN, len(spellings))]


@settings(max_examples=200)
@given(
    st.text(alphabet="湖南长沙工业职业技术学院 0123-()（）", min_size=1, max_size=12),
    st.lists(st.tuples(st.integers(0, 12), st.sampled_from(INVISIBLE)), max_size=4),
)
def test_invisible_characters_never_change_the_key(name, inserts):
    marked = name
    for at, mark in inserts:
        marked = marked[:at] + mark + marked[at:]
    assert normalise_unit(marked) == normalise_unit(name)


def test_visible_differences_stay_apart():
    # Two schools, not one: the key drops only what cannot be seen.
    assert normalise_unit("长沙第一中专") != normalise_unit("长沙第二中专")
    assert normalise_unit("Café") == "Café"  # a composed letter is kept whole
    assert normalise_unit("Cafe\u0301") == "Café"  # (NFKC composes it first)


def test_traditional_and_simplified_spellings_are_shown_as_possible_duplicates(chuyi):
    chuyi("record", "--stage", "accepted", "--again", "training-bases", PLAIN, "--region", "长沙")
    chuyi(
        "record",
        "--stage",
        "accepted",
        "--again",
        "training-bases",
        "长沙汽车实训基地",
        "--region",
        "长沙",
    )
    result = chuyi(
        "--lang",
        "en",
        "record",
        "--stage",
        "accepted",
        "--again",
        "training-bases",
        "湖南工業職業技術學院",
    )
    assert "the new unit “湖南工業職業技術學院” may be “湖南工业职业技术学院”" in result.stderr
    # Never merged: two units until someone voids one.
    assert len(chuyi.json("units", "training-bases")) == 3
    alike = chuyi.json("units", "training-bases", "--similar")
    assert {(u["name"], tuple(u["similar_to"])) for u in alike} == {
        (PLAIN, ("湖南工業職業技術學院",)),
        ("湖南工業職業技術學院", (PLAIN,)),
    }
    table = chuyi("--lang", "en", "units", "training-bases", "--similar").stdout
    assert "湖南工業職業技術學院" in table and "长沙汽车实训基地" not in table
    # A record of a unit already known says nothing.
    again = chuyi(
        "--lang",
        "en",
        "record",
        "--stage",
        "accepted",
        "--again",
        "training-bases",
        "湖南工業職業技術學院",
    )
    assert "may be" not in again.stderr
    nothing = chuyi("--lang", "en", "units", "culture-bases", "--similar").stdout
    assert "no units that look alike" in nothing


def test_an_import_warns_of_a_new_unit_near_an_existing_one(chuyi, tmp_path):
    chuyi(
        "record",
        "--stage",
        "accepted",
        "--again",
        "training-bases",
        "长沙汽车实训基地",
        "--region",
        "长沙",
    )
    sheet = tmp_path / "s.csv"
    sheet.write_text(
        "目标,单位名称,地区,阶段,日期,记录人\n"
        "training-bases,長沙汽車實訓基地,长沙,验收,2024-03-05,张三\n"
        "training-bases,株洲实训基地,株洲,验收,2024-03-05,张三\n",
        encoding="utf-8",
    )
    result = chuyi("--lang", "en", "import", str(sheet), "--json")
    assert json.loads(result.stdout)["similar"] == [
        {"target": "training-bases", "units": ["長沙汽車實訓基地", "长沙汽车实训基地"]}
    ]
    assert "“長沙汽車實訓基地”、“长沙汽车实训基地” may be one unit" in result.stderr
    # Chinese, as a user reads it.
    again = tmp_path / "t.csv"
    again.write_text(
        "目标,单位名称,地区,阶段,日期,记录人\ntraining-bases,株洲實訓基地,株洲,验收,2024-03-05,张三\n",
        encoding="utf-8",
    )
    assert "可能是同一单位" in chuyi("--lang", "zh", "import", str(again)).stderr
