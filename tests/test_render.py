"""Output forms: rich in a terminal, tabulate's plain text elsewhere; every table fitted to
its width by column priorities, text cells wrapped or cut between words."""

from __future__ import annotations

import io
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from wcwidth import wcswidth

from chuyi_cli.render import Output
from chuyi_cli.tables import Column, layout, plain_table
from chuyi_cli.wrapping import MAIL_LINE_BYTES, cut, fit_line, tokens, wrap
from tests.test_cli_status import assert_aligned

ESCAPES = re.compile(r"\x1b\[[0-9;]*m")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_tables_fit_the_width_and_wrap_titles_inside_their_cell(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    stream = Terminal()
    out = Output("zh", stream=stream, width=60)
    assert out.terminal
    title = "支持14个市州各改扩建1所“楚怡”中职学校，并统一命名、统一标识、统一风格" * 2
    out.table([Column("编号"), Column("目标", flex=True)], [["二(二)3", title]])
    lines = ESCAPES.sub("", stream.getvalue()).splitlines()
    assert all(wcswidth(line) <= 60 for line in lines), lines
    cell = "".join(line.replace("二(二)3", "").strip() for line in lines[2:])
    assert cell == title  # every character, in order, inside its cell
    assert "14个" in cell and not any(line.rstrip().endswith("1") for line in lines[2:])


def test_plain_when_asked_or_not_a_terminal_and_no_color_keeps_the_layout(monkeypatch):
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert not Output("en", plain=True, stream=Terminal()).terminal
    assert not Output("en", stream=io.StringIO()).terminal
    monkeypatch.setenv("NO_COLOR", "1")
    out = Output("en", stream=Terminal())
    assert out.terminal and not out.color  # the terminal's layout, without colour
    monkeypatch.setenv("NO_COLOR", "")  # set but empty: colour stays
    assert Output("en", stream=Terminal()).color
    monkeypatch.setenv("TERM", "dumb")
    assert not Output("en", stream=Terminal()).terminal


def test_no_color_prints_no_escape_codes_in_a_terminal(monkeypatch):
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("NO_COLOR", "1")
    stream = Terminal()
    out = Output("zh", stream=stream, width=80)
    out.table([Column("编号"), Column("状态")], [["一", "滞后"]], styles=["bold red"])
    out.line("总体", "bold")
    assert "\x1b" not in stream.getvalue()
    assert "─" in stream.getvalue()  # still the terminal's table


def test_plain_table_lines_up_wide_characters():
    text = plain_table(["编号", "目标"], [["x", "湖南工业职业技术学院"], ["长沙", "y"]])
    assert_aligned(text)


def test_markdown_table_is_one_line_a_row_after_a_blank_line():
    text = plain_table(
        ["编号", "目标"], [["一", "第一行\nsecond | line"]], title="标题", fmt="github"
    )
    lines = text.splitlines()
    assert lines[0] == "标题" and lines[1] == ""
    assert lines[2].startswith("| 编号") and set(lines[3]) <= set("|-: ")
    assert "第一行 / second \\| line" in lines[4]


def test_columns_drop_by_priority_as_the_width_shrinks():
    columns = [
        Column("ref"),
        Column("title", flex=True, min_width=10),
        Column("goal", priority=1),
        Column("pipeline", priority=3),
        Column("projected", priority=2),
    ]
    rows = [["二(一)1", "a long title " * 4, "20", "selected 3, accepted 4", "139"]]
    kept = {}
    for width in (200, 60, 40, 30, 20):
        plan = layout(columns, rows, width)
        kept[width] = [columns[i].header for i in plan.keep]
        assert sum(plan.widths) + 2 * (len(plan.keep) - 1) <= width
    assert kept[200] == ["ref", "title", "goal", "pipeline", "projected"]
    assert kept[40] == ["ref", "title", "goal", "projected"]
    assert kept[30] == ["ref", "title", "goal"]
    assert kept[20] == ["ref", "title"]


def test_ids_dates_and_numbers_are_never_broken():
    pieces = tokens("支持14个市州各改扩建1所“楚怡”中职学校 on 2025-06-01 (culture-bases)")
    assert "14" in pieces and "2025-06-01" in pieces and "(culture-bases)" in pieces
    assert "“楚" in pieces and "怡”" in pieces  # quotes stay with their characters
    lines = wrap("记录 think-tank-lectures 2025-06-01 123456 完成", 20)
    assert lines == ["记录", "think-tank-lectures", "2025-06-01 123456", "完成"]


TEXT = st.text(
    alphabet=st.sampled_from(list("湖南楚怡职业教育“”，、（）abcXYZ0123456789-. ")), max_size=80
)


@settings(max_examples=200, deadline=None)
@given(TEXT, st.integers(min_value=4, max_value=40))
def test_wrap_keeps_every_character_within_the_width(text, width):
    lines = wrap(text, width)
    assert all(wcswidth(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")


@settings(max_examples=200, deadline=None)
@given(TEXT, st.integers(min_value=4, max_value=40))
def test_wrap_breaks_no_word_that_fits_a_line(text, width):
    lines = wrap(text, width)
    for word in re.findall(r"[0-9A-Za-z][0-9A-Za-z.\-]*", text):
        if wcswidth(word) <= width:
            assert any(word in line for line in lines), (word, lines)


@settings(max_examples=200, deadline=None)
@given(TEXT, st.integers(min_value=2, max_value=40))
def test_cut_is_a_prefix_ended_with_an_ellipsis(text, width):
    short = cut(text, width)
    plain = " ".join(text.split())
    assert wcswidth(short) <= width
    assert short == plain or (short.endswith("…") and plain.startswith(short[:-1]))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(["湖南", "长沙市", "abc", "1234567", "、"]), max_size=900))
def test_no_line_over_the_mail_limit(words):
    line = " ".join(words)
    parts = fit_line(line)
    assert all(len(p.encode()) <= MAIL_LINE_BYTES for p in parts)
    assert " ".join(parts).split() == line.split()


def test_a_table_with_no_row_is_its_headers() -> None:
    from chuyi_cli.tables import tabulated

    text = tabulated(["编号", "目标值"], [], numeric=[False, True])
    assert text.splitlines()[0].split() == ["编号", "目标值"]


def test_a_streamed_table_wraps_a_later_chunks_text_wider_than_the_first_chunks():
    """A streamed table is laid out from its first chunk; a note in a later chunk that is
    wider than any before it is still wrapped inside its column, every word kept."""
    stream = io.StringIO()
    out = Output("zh", plain=True, stream=stream, width=60)
    long_note = "实地查看发现实训基地建设进度明显滞后需要市州教育局督促整改" * 2
    rows = [((f"单位{i}", "短"), None) for i in range(5)]
    rows.append((("单位最后", long_note), None))
    count = out.stream_table([Column("单位"), Column("备注", flex=True)], rows, chunk=2)
    lines = stream.getvalue().splitlines()
    assert count == 6
    assert all(wcswidth(line) <= 60 for line in lines), lines
    last = next(i for i, line in enumerate(lines) if line.startswith("单位4")) + 1
    assert "".join(line.split()[-1] for line in lines[last:] if line.strip()) == long_note


def test_a_long_table_remembers_a_bounded_number_of_texts_and_draws_the_same(monkeypatch):
    """Each distinct text's width and lines are remembered, up to ``HELD`` texts a kind
    (a log of a million entries is streamed through one process); past that the memo
    starts again, and the table is drawn the same."""
    from chuyi_cli import tables, wrapping

    rows = [
        [f"二(一){i % 3}", f"长沙市第{i}职业学校", "2026-01-0" + str(i % 9 + 1)] for i in range(60)
    ]
    columns = [Column("编号"), Column("单位", flex=True), Column("日期")]
    for memo in (wrapping._MEASURED, wrapping._PLAIN, wrapping._CELL_LINES, tables._WIDTHS):
        memo.clear()
    whole = plain_table([], rows, columns=columns, width=40)
    for memo in (wrapping._MEASURED, wrapping._PLAIN, wrapping._CELL_LINES, tables._WIDTHS):
        memo.clear()
    monkeypatch.setattr(wrapping, "HELD", 7)
    assert plain_table([], rows, columns=columns, width=40) == whole
    for memo in (wrapping._MEASURED, wrapping._PLAIN, wrapping._CELL_LINES, tables._WIDTHS):
        assert 0 < len(memo) <= 7


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from("ab 长沙\u3000\xa0\t\n\x1b\u200e·“")))
def test_a_cells_lines_are_its_lines_with_spaces_run_together_and_nothing_obeyed(cell):
    """A cell's lines as tables print them, the quick way a plain one-line cell takes
    included: each line's spaces run together and trimmed, control characters escaped."""
    from chuyi_cli.wrapping import cell_lines, printable

    expected = tuple(printable(" ".join(part.split())) for part in cell.split("\n"))
    assert cell_lines(cell) == expected
