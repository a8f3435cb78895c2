"""Units that may be one: the same name written in traditional and in simplified characters.

Never merged: a unit is what its normalised name says (:func:`canonical.normalise_unit`).
Names whose keys here coincide are only shown as possible duplicates, by
``chuyi units --similar`` and as a warning when a record or an import brings a new one.
The conversion is OpenCC's (``t2s``), imported only when some name holds a character
outside GB2312: a name that GB2312 can hold has no traditional character to convert, so
the common case costs no import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

from chuyi_cli.canonical import normalise_unit


@lru_cache(maxsize=1)
def _to_simplified() -> Callable[[str], str]:
    try:
        import opencc
    except ImportError:  # (a dependency; without it, spellings are only compared as they are)
        return str
    convert: Callable[[str], str] = opencc.OpenCC("t2s").convert
    return convert


def _simple(name: str) -> bool:
    """Whether ``name`` surely holds no traditional character (GB2312 holds it)."""
    try:
        name.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def spelling_key(name: str) -> str:
    """What two spellings of one name have in common: the normalised name, simplified."""
    name = normalise_unit(name)
    return name if _simple(name) else _to_simplified()(name)


def similar_groups(names: Iterable[str]) -> list[list[str]]:
    """Groups (two names or more, sorted) of ``names`` that differ as written but share a
    spelling key, in the order of their keys."""
    names = sorted(set(names))
    if all(map(_simple, names)):
        # Nothing to convert; only names one normalisation apart can meet.
        keys = {n: normalise_unit(n) for n in names}
    else:
        keys = {n: spelling_key(n) for n in names}
    by_key: dict[str, list[str]] = {}
    for name, key in keys.items():
        by_key.setdefault(key, []).append(name)
    return [group for _, group in sorted(by_key.items()) if len(group) > 1]


def near(name: str, others: Iterable[str]) -> list[str]:
    """The names among ``others`` (``name`` aside) that may be the same unit as ``name``."""
    others = [o for o in others if o != name]
    if not others:
        return []
    if _simple(name) and all(map(_simple, others)):
        key = normalise_unit(name)
        return [o for o in others if normalise_unit(o) == key]
    key = spelling_key(name)
    return [o for o in others if spelling_key(o) == key]
