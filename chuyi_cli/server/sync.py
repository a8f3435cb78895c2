"""Offline, then sync: a laptop's SQLite file and the server exchange the entries each
lacks, by id, so both then hold the same history (and report the same).

An entry the server already holds under its id is skipped; one it holds under that id
with other content is a conflict; an entry the login may not write there (another
recorder's, or a region or target it is not granted) stays on the laptop. Conflicts stop
the whole sync (nothing is written); entries not granted are listed and the rest goes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from chuyi_cli.domain import Entry


class Synced(NamedTuple):
    pushed: int
    pulled: int
    conflicts: list[tuple[Entry, Entry]]  # (the laptop's, the server's) under one id
    refused: list[tuple[Entry, str]]  # (the laptop's entry, why: "recorder" or "grant")


def _by_id(store: Any) -> Iterator[tuple[Any, ...]]:
    """Every entry of a store as its row, then its seq, in the order of ids (streamed)."""
    yield from store.rows_by_id()


def _granted(server: Any, entries: list[Entry]) -> dict[tuple[str, str | None], bool]:
    pairs = sorted({(e.target, e.region) for e in entries}, key=lambda p: (p[0], p[1] or ""))
    return {
        pair: bool(server.db.execute("SELECT chuyi.may_record(?, ?)", pair).fetchone()[0])
        for pair in pairs
    }


def _ordered(entries: list[Entry]) -> tuple[list[Entry], list[Entry]]:
    """The entries, and the voids apart (stored after what they void)."""
    return [e for e in entries if not e.voids], [e for e in entries if e.voids]


def _batches(entries: list[Entry], size: int = 5000) -> Iterator[list[Entry]]:
    for start in range(0, len(entries), size):
        yield entries[start : start + size]


def sync(laptop: Any, server: Any) -> Synced:
    """Push what the server lacks, pull what the laptop lacks; nothing when any id is a
    conflict. Both histories are read side by side in the order of their ids (held
    neither whole nor twice: only what one side lacks is kept)."""
    push: list[tuple[int, Entry]] = []  # (the laptop's seq, the entry) of what the server lacks
    pull: list[tuple[int, str]] = []  # (the server's seq, the id) of what the laptop lacks
    conflicts: list[tuple[Entry, Entry]] = []
    here, there = _by_id(laptop), _by_id(server)
    a, b = next(here, None), next(there, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a[0] < b[0]):
            assert a is not None
            push.append((a[-1], Entry(*a[:-1])))
            a = next(here, None)
        elif a is None or b[0] < a[0]:
            pull.append((b[-1], b[0]))
            b = next(there, None)
        else:
            if a[:-1] != b[:-1]:
                conflicts.append((Entry(*a[:-1]), Entry(*b[:-1])))
            a, b = next(here, None), next(there, None)
    if conflicts:
        return Synced(0, 0, conflicts, [])
    missing = [e for _, e in sorted(push, key=lambda p: p[0])]
    superuser = bool(
        server.db.execute("SELECT rolsuper FROM pg_roles WHERE rolname = session_user").fetchone()[
            0
        ]
    )
    granted = _granted(server, missing) if not superuser else {}
    refused: list[tuple[Entry, str]] = []
    kept: list[Entry] = []
    for e in missing:
        if e.recorder != server.login:
            refused.append((e, "recorder"))
        elif not superuser and not granted[(e.target, e.region)]:
            refused.append((e, "grant"))
        else:
            kept.append(e)
    held = {e.id for e, _ in refused}
    kept = [e for e in kept if not (e.voids and e.voids in held)]  # (a void of what stays)
    pull.sort()
    pushed = _store(server, kept)
    pulled = _pull(laptop, server, [i for _, i in pull])
    return Synced(pushed, pulled, [], refused)


def _pull(laptop: Any, server: Any, ids: list[str]) -> int:
    """The server's entries of these ids (in the server's order) into the laptop, read
    from the server a batch at a time."""
    if not ids:
        return 0
    voids: list[Entry] = []

    def plain() -> Iterator[list[Entry]]:
        for start in range(0, len(ids), 5000):
            rows = server.entries_by_id(ids[start : start + 5000])
            batch = [rows[i] for i in ids[start : start + 5000]]
            voids.extend(e for e in batch if e.voids)
            yield [e for e in batch if not e.voids]

    added, _ = laptop.import_batches(plain(), lambda: [], False, voids=lambda: _batches(voids))
    return int(added)


def _store(store: Any, entries: list[Entry]) -> int:
    if not entries:
        return 0
    plain, voids = _ordered(entries)
    added, _ = store.import_batches(
        _batches(plain), lambda: [], False, voids=lambda: _batches(voids)
    )
    return int(added)
