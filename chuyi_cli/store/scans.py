"""Whole-history reads done inside SQLite: the export's lines (without a Python object
per cell) and the cells of every entry that `check` judges."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from chuyi_cli.domain import FIELDS
from chuyi_cli.store.rows import Row
from chuyi_cli.store.sqlite import SqliteStore
from chuyi_cli.store.sqlite_errors import sqlite_errors

# The export's cells: the entry's fields, the region's name after its code.
_CELLS = tuple(
    (name, "n.name" if name == "region_name" else f"e.{name}")
    for name in (*FIELDS[:4], "region_name", *FIELDS[4:])
)
Batch = tuple[list[str], Callable[[], list[Row]]]
STEP = 5000  # entries a batch of lines holds


def entry_lines(
    store: SqliteStore,
    since: str | None,
    names: Mapping[str, str],
    cell: Callable[[str, str], str],
) -> Iterator[Batch]:
    """Every entry observed on or after ``since`` (all: None), in the order stored, as one
    line: its cells (the entry's fields, and after the region's code its name from
    ``names``), each as the SQL ``cell(name, column)`` makes it, NULL as nothing, joined by
    commas. In batches of up to STEP entries, each with a function that reads the same
    entries as plain cells (for a batch the caller writes another way)."""
    fmt = ",".join(["%s"] * len(_CELLS))
    line = f"printf('{fmt}', {', '.join(cell(name, sql) for name, sql in _CELLS)})"
    plain = ", ".join(sql for _, sql in _CELLS)
    where = "e.seq BETWEEN ? AND ?" + (" AND e.observed >= ?" if since else "")
    source = f" FROM entry e LEFT JOIN temp.region_name n ON n.code = e.region WHERE {where}"
    order = " ORDER BY e.seq"
    with sqlite_errors(store.path):
        db = store.db
        db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS region_name"
            " (code TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT ROWID"
        )
        db.execute("DELETE FROM temp.region_name")
        db.executemany("INSERT INTO temp.region_name VALUES (?, ?)", names.items())
        first, last = db.execute("SELECT min(seq), max(seq) FROM entry").fetchone()
    if first is None:
        return
    for low in range(first, last + 1, STEP):
        high = low + STEP - 1
        params = (low, high, since) if since else (low, high)
        with sqlite_errors(store.path):
            lines = [r[0] for r in store.db.execute(f"SELECT {line}{source}{order}", params)]
        if lines:

            def cells(params: tuple[object, ...] = params) -> list[Row]:
                with sqlite_errors(store.path):
                    return store.db.execute(f"SELECT {plain}{source}{order}", params).fetchall()

            yield lines, cells


def entry_measures(
    store: SqliteStore,
) -> Iterator[tuple[str, str | None, str | None, str | None, str | None, int | None]]:
    """(target, unit, region, stage, state, quantity) of every entry but the voids, in
    the order stored: plain cells, streamed."""
    with sqlite_errors(store.path):
        yield from store.db.execute(
            "SELECT target, unit, region, stage, state, quantity FROM entry"
            " WHERE voids IS NULL ORDER BY seq"
        )
