"""The SQLite store's queries in PostgreSQL's words: placeholders, ``IS`` between values
that may be NULL, no index hints; a PRAGMA is nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

INSERT_VALUES = re.compile(
    r"\s*INSERT INTO (\w+)(\s*\([\w\s,]+\))?\s+VALUES\s*\((?:%s,\s*)*%s\)(.*)\Z", re.S
)


@lru_cache(maxsize=512)
def dialect(sql: str) -> tuple[str, bool]:
    """A query of the SQLite store in PostgreSQL's words; and whether its placeholders
    are numbered (``?1``: the parameters are then given by name)."""
    text = sql.replace("%", "%%")
    text = re.sub(r"\s+INDEXED BY \w+|\s+NOT INDEXED", "", text)
    text = re.sub(r"\bCROSS JOIN\b", "JOIN", text)
    text = re.sub(r"\bprintf\(", "format(", text)  # (%s of NULL is nothing in both)
    text = re.sub(r"\bchar\((\d+)\)", r"chr(\1)", text)
    text = re.sub(r"\bNOT IN \(\)", "<> ALL ('{}')", text)  # (an empty list: SQLite's)
    text = re.sub(r"\bIN \(\)", "= ANY ('{}')", text)
    # `x IS ?` (a value that may be NULL): `x = …` or `x IS NULL` once the value is known,
    # which an index serves (IS NOT DISTINCT FROM it would not); `x IS y` between columns
    # keeps SQLite's meaning.
    text = re.sub(r"\bIS \?", "\x01", text)
    text = re.sub(
        r"(\w+\.\w+) IS (?!NOT\b|NULL\b)(\w+\.\w+)",
        r"(\1 = \2 OR \1 IS NULL AND \2 IS NULL)",
        text,
    )
    text = re.sub(r"\btemp\.", "", text)
    text = re.sub(r"\)\s*WITHOUT ROWID", ")", text)
    numbered = bool(re.search(r"\?\d", text))
    text = re.sub(r"\?(\d+)", r"%(p\1)s", text)
    text = text.replace("?", "%s")
    return text, numbered


def nullable(text: str, values: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    """Each ``IS ?`` of a query (marked \x01) as ``= %s``, or ``IS NULL`` for a None."""
    pieces = re.split(r"(%s|\x01)", text)
    out: list[str] = []
    kept: list[Any] = []
    given = iter(values)
    for piece in pieces:
        if piece == "%s":
            kept.append(next(given))
            out.append(piece)
        elif piece == "\x01":
            value = next(given)
            if value is None:
                out.append("IS NULL")
            else:
                kept.append(value)
                out.append("= %s")
        else:
            out.append(piece)
    return "".join(out), tuple(kept)


class Nothing:
    """What a SQLite PRAGMA gives on the server: nothing."""

    def fetchone(self) -> None:
        return None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return []

    def fetchmany(self, size: int = 0) -> list[tuple[Any, ...]]:
        return []

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(())
