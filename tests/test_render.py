"""Output forms: rich in a terminal, plain text elsewhere."""

from __future__ import annotations

import io

from chuyi_cli.render import Output, plain_table


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_gets_rich_tables_that_fold_chinese(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "60")
    stream = Terminal()
    out = Output("zh", stream=stream)
    assert out.terminal
    title = "支持14个市州各改扩建1所“楚怡”中职学校，并统一命名、统一标识、统一风格" * 2
    out.table(["编号", "目标"], [["二(二)3", title]])
    text = stream.getvalue()
    assert "┃" in text or "│" in text
    assert "统一风格" in text.replace("\n", "").replace("│", "").replace(" ", "")


def test_plain_when_asked_or_not_a_terminal(monkeypatch):
    monkeypatch.setenv("TERM", "xterm")
    assert not Output("en", plain=True, stream=Terminal()).terminal
    assert not Output("en", stream=io.StringIO()).terminal
    monkeypatch.setenv("NO_COLOR", "1")
    assert not Output("en", stream=Terminal()).terminal
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    assert not Output("en", stream=Terminal()).terminal


def test_plain_table_lines_share_one_display_width():
    from wcwidth import wcswidth

    text = plain_table(["a", "目标"], [["x", "湖南工业职业技术学院"], ["长", "y"]])
    widths = {wcswidth(line) for line in text.splitlines() if line}
    assert len(widths) == 1
