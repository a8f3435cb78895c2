"""A table with a header and rows is drawn by chuyi itself, each distinct cell measured
and padded once: the same text, byte for byte, that tabulate draws of it (plain and
Markdown, wide characters, cells of several lines, spaces tabulate strips)."""

from __future__ import annotations

from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from chuyi_cli import tables

CHARACTERS = [
    *"ab\n 1-|好中文（）“”，。、…·\u3000\u00a0\t",
    "é",
    "\u0301",
    "\u200b",
    "😀",
    "\u303f",
    "ｱ",
]
cell = st.text(st.sampled_from(CHARACTERS), max_size=6)


def drawn_by_tabulate(headers, rows, numeric, markdown):
    with patch.object(tables, "_drawn", lambda *args: None):
        return tables.tabulated(headers, rows, numeric, markdown)


@settings(max_examples=400, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda n: st.tuples(
            st.lists(cell.map(lambda h: h.replace("\n", "")), min_size=n, max_size=n),
            st.lists(st.lists(cell, min_size=n, max_size=n), min_size=1, max_size=5),
            st.lists(st.booleans(), min_size=n, max_size=n),
        )
    ),
    st.booleans(),
)
def test_a_table_is_drawn_as_tabulate_draws_it(table, markdown):
    headers, rows, numeric = table
    assert tables.tabulated(headers, rows, numeric, markdown) == drawn_by_tabulate(
        headers, rows, numeric, markdown
    )


def test_a_long_list_repeating_its_titles_is_drawn_as_tabulate_draws_it():
    title = "“楚怡”文化传承基地（“楚怡”职业教育文化馆）"
    rows = [["二(一)2", title, f"湘潭县个{n}号", "2026-01-01"] for n in range(300)]
    headers = ["编号", "目标", "单位", "日期"]
    for markdown in (False, True):
        got = tables.tabulated(headers, rows, [False] * 4, markdown)
        assert got == drawn_by_tabulate(headers, rows, [False] * 4, markdown)
        assert got.count("\n") == 302
