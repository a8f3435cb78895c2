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


def _by_id(store: Any) -> dict[str, Entry]:
    return {e.id: e for e in store.iter_entries()}


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
    conflict."""
    here = _by_id(laptop)
    there = _by_id(server)
    both = sorted(here.keys() & there.keys())
    conflicts = [(here[i], there[i]) for i in both if here[i] != there[i]]
    if conflicts:
        return Synced(0, 0, conflicts, [])
    missing = [e for i, e in here.items() if i not in there]
    superuser = bool(
        server.db.execute("SELECT rolsuper FROM pg_roles WHERE rolname = session_user").fetchone()[
            0
        ]
    )
    granted = _granted(server, missing) if not superuser else {}
    refused: list[tuple[Entry, str]] = []
    push: list[Entry] = []
    for e in missing:
        if e.recorder != server.login:
            refused.append((e, "recorder"))
        elif not superuser and not granted[(e.target, e.region)]:
            refused.append((e, "grant"))
        else:
            push.append(e)
    held = {e.id for e, _ in refused}
    push = [e for e in push if not (e.voids and e.voids in held)]  # (a void of what stays)
    pull = [e for i, e in there.items() if i not in here]
    pushed = _store(server, push)
    pulled = _store(laptop, pull)
    return Synced(pushed, pulled, [], refused)


def _store(store: Any, entries: list[Entry]) -> int:
    if not entries:
        return 0
    plain, voids = _ordered(entries)
    added, _ = store.import_batches(
        _batches(plain), lambda: [], False, voids=lambda: _batches(voids)
    )
    return int(added)
