"""Messages are worded when shown, in the language chosen for the run."""

from __future__ import annotations

import pytest

from chuyi_cli import i18n
from chuyi_cli.errors import ChuyiError, ProblemsError
from chuyi_cli.i18n import MESSAGES, Message


@pytest.fixture(autouse=True)
def reset_lang():
    yield
    i18n.set_lang(None)


def test_every_message_has_both_languages_and_the_same_fields():
    import string

    for key, (zh, en) in MESSAGES.items():
        assert zh.strip() and en.strip(), key
        fields = [{f for _, f, _, _ in string.Formatter().parse(text) if f} for text in (zh, en)]
        assert fields[0] == fields[1], key


def test_a_message_is_worded_in_the_language_set_when_shown():
    nested = Message("at_line", path="a.csv", line=3, message=Message("error", message="x"))
    i18n.set_lang("zh")
    assert str(nested) == "a.csv:3: chuyi：错误：x"
    i18n.set_lang("en")
    assert str(nested) == "a.csv:3: chuyi: error: x"


def test_errors_carry_messages_or_plain_sentences():
    i18n.set_lang("en")
    assert str(ChuyiError("a plain sentence")) == "a plain sentence"
    assert str(ChuyiError("error", message="m")) == "chuyi: error: m"
    problems = ProblemsError([Message("at_line", path="f", line=1, message="bad")], "heading")
    assert problems.lines() == ["heading", "f:1: bad"]
