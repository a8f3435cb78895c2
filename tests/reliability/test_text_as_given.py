"""A record's text is evidence, stored as it was given: U+3000 and NBSP are Chinese text
like any other, a line break inside a cell (CR LF, as Excel writes it, or CR) is one line
break ("\\n", never " \\n"), and a control character is refused by name, never dropped or
turned into a space without a word."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chuyi_cli.canonical import clean_text
from chuyi_cli.errors import ChuyiError

pytestmark = pytest.mark.sqlite_only("sheets and --by name a recorder other than the login")


def notes(chuyi) -> list[str | None]:
    return [e["note"] for e in sorted(chuyi.json("log"), key=lambda e: e["observed"])]


@pytest.mark.parametrize(
    "note",
    [
        "第二行\u3000全角空格",  # an ideographic space
        "一\u00a0二",  # a no-break space
        "第一行\n第二行",
        "甲\t乙",
        "\u3000\u3000首行缩进的段落",  # a paragraph's indent inside the text
    ],
)
def test_record_stores_the_note_as_given(chuyi, note):
    chuyi("record", "think-tank-lectures", "--note", "前" + note)
    assert notes(chuyi) == ["前" + note]


def test_a_line_break_inside_a_cell_is_one_line_break(chuyi, tmp_path: Path):
    sheet = tmp_path / "crlf.csv"
    sheet.write_bytes(
        "目标,数量,日期,记录人,备注\r\n"
        '大讲堂,1,2025-06-01,张,"第一行\r\n第二行"\r\n'
        '大讲堂,1,2025-06-02,张,"甲\r乙"\r\n'
        '大讲堂,1,2025-06-03,张,"丙\u3000丁\u00a0戊"\r\n'.encode()
    )
    chuyi("import", str(sheet))
    assert notes(chuyi) == ["第一行\n第二行", "甲\n乙", "丙\u3000丁\u00a0戊"]
    before = chuyi("log", "--json").stdout
    exported = tmp_path / "out.csv"
    chuyi("export", "-o", str(exported))
    chuyi("import", str(exported))  # (the same entries: skipped, nothing changed)
    assert chuyi("log", "--json").stdout == before


@pytest.mark.parametrize(
    ("field", "args"),
    [
        ("note", ("think-tank-lectures", "--note", "a\x1b[2Jb")),
        ("note", ("think-tank-lectures", "--note", "响铃\x07")),
        ("recorder", ("think-tank-lectures", "--by", "王\x1b]0;x\x07")),
        ("unit", ("training-bases", "长沙\x1b学院", "--stage", "accepted")),
    ],
)
def test_a_control_character_is_refused_by_name(chuyi, field, args):
    zh = chuyi("--lang", "zh", "record", *args, code=1).stderr
    assert "控制字符 U+001B" in zh or "控制字符 U+0007" in zh, zh
    en = chuyi("--lang", "en", "record", *args, code=1).stderr
    assert "control character U+00" in en and field.split()[0] in en, en
    assert chuyi.json("log") == []


def test_an_import_names_the_row_and_the_character(chuyi, tmp_path: Path):
    sheet = tmp_path / "esc.csv"
    sheet.write_text(
        "目标,数量,日期,记录人,备注\n大讲堂,1,2025-06-01,张,好\n大讲堂,1,2025-06-02,张,坏\x1b[31m\n",
        encoding="utf-8",
    )
    err = chuyi("--lang", "zh", "import", str(sheet), code=1).stderr
    assert f"{sheet}:3: 备注的第 2 个字符是控制字符 U+001B" in err, err
    assert chuyi.json("log") == []


# Text without control characters: every Unicode letter, mark, number, punctuation,
# symbol and space, line breaks and tabs.
_TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\r")
    | st.sampled_from("\n\t\u3000\u00a0"),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(_TEXT)
def test_text_without_control_characters_is_kept_but_for_spaces_at_its_ends(text):
    assert clean_text(text, "note") == (text.strip() or None)


@settings(max_examples=200, deadline=None)
@given(_TEXT, st.sampled_from("\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\x9b"), _TEXT)
def test_text_with_a_control_character_is_refused_naming_it(before, control, after):
    with pytest.raises(ChuyiError) as caught:
        clean_text(before + control + after, "note")
    fields = caught.value.message.fields
    assert fields["code"] == f"U+{ord(control):04X}"
    assert (before + control + after)[fields["place"] - 1] == control
