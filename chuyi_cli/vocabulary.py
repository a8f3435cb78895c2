"""The words people write for stages, states, classes and levels, in Chinese or English.

One table per kind of value, read by the command line's options (``--stage 验收``) and by
the import (a 阶段 column of ``已通过验收``) alike, so both take the same words. A value is
compared after NFKC, without spaces, in lower case (``Accepted``, ``ＡＣＣＥＰＴＥＤ``).
"""

from __future__ import annotations

from chuyi_cli.catalog_nodes import LEVELS, MILESTONE_STATES, STAGES
from chuyi_cli.errors import ChuyiError
from chuyi_cli.i18n import WORDS, Listing, Message, Word, current_lang

# The stage words of offices' sheets (the issue of the import lists them), each mapped to
# one stage; the English names are taken as they are.
STAGE_WORDS: dict[str, str] = {
    "遴选": "selected",
    "已遴选": "selected",
    "入选": "selected",
    "立项": "selected",
    "已立项": "selected",
    "立项建设": "selected",
    "建设中": "building",
    "在建": "building",
    "在建中": "building",
    "建设": "building",
    "建设期": "building",
    "认定": "accepted",  # people (名师, 大师, 工匠) are recognised, not accepted
    "已认定": "accepted",
    "验收": "accepted",
    "已验收": "accepted",
    "验收合格": "accepted",
    "验收通过": "accepted",
    "通过验收": "accepted",
    "已通过验收": "accepted",
    "撤销": "revoked",
    "已撤销": "revoked",
    "取消": "revoked",
}

STATE_WORDS: dict[str, str] = {
    "未开始": "not_started",
    "进行中": "in_progress",
    "推进中": "in_progress",
    "已完成": "done",
    "完成": "done",
}

CLASS_WORDS: dict[str, str] = {
    "已完成": "done",
    "完成": "done",
    "正常": "on_track",
    "进度正常": "on_track",
    "滞后": "behind",
    "严重滞后": "off_track",
    "未开始": "not_started",
    "无目标": "no_goal",
    "无目标值": "no_goal",
}

LEVEL_WORDS: dict[str, str] = {
    "市州": "city",
    "市": "city",
    "县市区": "county",
    "县": "county",
}

CLASSES = ("done", "on_track", "behind", "off_track", "not_started", "no_goal")

TABLES: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    "stage": (STAGE_WORDS, STAGES),
    "state": (STATE_WORDS, MILESTONE_STATES),
    "class": (CLASS_WORDS, CLASSES),
    "level": (LEVEL_WORDS, LEVELS),
}


def _key(text: str) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKC", text)
    return "_".join(folded.replace("-", " ").split()).lower()


def value_of(kind: str, text: str, allowed: tuple[str, ...] | None = None) -> str:
    """The value (``accepted``) a word of ``kind`` names (``验收``, ``Accepted``), or a
    ChuyiError that lists every word taken. ``allowed`` narrows the values (``--fail-on``)."""
    words, values = TABLES[kind]
    values = allowed or values
    key = _key(text)
    found = key if key in values else words.get(key)
    if found is None:
        # the word the tables of the interface print for a value is always taken
        found = next((v for v in values if _key(WORDS.get(v, ("", ""))[0]) == key), None)
    if found is None or found not in values:
        raise ChuyiError("bad_choice", text=text, what=Word(kind), choices=choices(kind, allowed))
    return found


# The answers to a yes-or-no question, in either language whatever the interface's.
ANSWER_WORDS: dict[str, bool] = {
    "是": True,
    "是的": True,
    "对": True,
    "好": True,
    "确认": True,
    "y": True,
    "yes": True,
    "否": False,
    "不": False,
    "不是": False,
    "取消": False,
    "n": False,
    "no": False,
}


def answer(text: str) -> bool | None:
    """What an answer to a yes-or-no question says (``是``, ``对``, ``Y``, ``no``, ``否``),
    or None when it says neither."""
    return ANSWER_WORDS.get(_key(text).rstrip("。.!！"))


def words_for(kind: str, value: str) -> list[str]:
    """Every Chinese word taken for ``value`` (the interface's own word first)."""
    words, _values = TABLES[kind]
    own = WORDS.get(value, ("", ""))[0]
    found = [own] if own else []
    return found + [w for w, v in words.items() if v == value and w not in found]


class Choices(Listing):
    """The words a value of ``kind`` takes, for a message, in its language: in Chinese
    the Chinese words alone (``遴选（已遴选、入选…）；建设中（…）``), in English each value
    with its Chinese words (``selected（遴选、入选…）; building（…）``)."""

    __slots__ = ()

    def __init__(self, kind: str, allowed: tuple[str, ...] | None = None) -> None:
        _words, values = TABLES[kind]
        Message.__init__(self, "", kind=kind, values=list(allowed or values))

    def text(self, lang: str | None = None) -> str:
        lang = lang or current_lang()
        kind, values = self.fields["kind"], self.fields["values"]
        assert isinstance(kind, str) and isinstance(values, list)
        if lang == "zh":
            shown = []
            for value in values:
                first, *rest = words_for(kind, value) or [value]
                shown.append(f"{first}（{'、'.join(rest)}）" if rest else first)
            return "；".join(shown)
        return "; ".join(f"{v}（{'、'.join(words_for(kind, v))}）" for v in values)


def choices(kind: str, allowed: tuple[str, ...] | None = None) -> Listing:
    """The words ``kind`` takes, for a message (:class:`Choices`)."""
    return Choices(kind, allowed)


def complete(kind: str, incomplete: str, allowed: tuple[str, ...] | None = None) -> list[str]:
    """The values and words of ``kind`` that start with what was typed (shell completion)."""
    _words, values = TABLES[kind]
    shown = list(allowed or values)
    for value in allowed or values:
        shown += words_for(kind, value)
    return [w for w in dict.fromkeys(shown) if w.lower().startswith(incomplete.lower())]
