"""Offline, then sync: a laptop's SQLite file and the server exchange the entries each
lacks, by id, so both then hold the same history (and report the same).

An entry the server already holds under its id is skipped; one it holds under that id
with other content is a conflict; an entry the login may not write there (another
recorder's, or a region or target it is not granted) stays on the laptop. Conflicts stop
the whole sync (nothing is written); entries not granted are listed and the rest goes.

The first sync with a server database compares the two histories whole; each completed
sync then leaves a mark of both sides in the laptop's file (:mod:`chuyi_cli.server.marks`),
and the next reads only the entries written since on either side, with those that stayed
on the laptop, and looks each up on the other side by its id. ``full`` compares the whole
histories again, as does a sync whose mark either side no longer bears out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from chuyi_cli.domain import Entry
from chuyi_cli.server import marks


class Synced(NamedTuple):
    pushed: int
    pulled: int
    conflicts: list[tuple[Entry, Entry]]  # (the laptop's, the server's) under one id
    refused: list[tuple[Entry, str]]  # (the laptop's entry, why: "recorder" or "grant")


class _Found(NamedTuple):
    """What a comparison found: what the server lacks, what the laptop lacks, conflicts."""

    push: list[tuple[int, Entry]]  # (the laptop's seq, the entry)
    pull: list[tuple[int, str]]  # (the server's seq, the id)
    conflicts: list[tuple[Entry, Entry]]


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


def _compare_whole(laptop: Any, server: Any) -> _Found:
    """Both histories read side by side in the order of their ids (held neither whole nor
    twice: only what one side lacks is kept)."""
    found = _Found([], [], [])
    here, there = _by_id(laptop), _by_id(server)
    a, b = next(here, None), next(there, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a[0] < b[0]):
            assert a is not None
            found.push.append((a[-1], Entry(*a[:-1])))
            a = next(here, None)
        elif a is None or b[0] < a[0]:
            found.pull.append((b[-1], b[0]))
            b = next(there, None)
        else:
            if a[:-1] != b[:-1]:
                found.conflicts.append((Entry(*a[:-1]), Entry(*b[:-1])))
            a, b = next(here, None), next(there, None)
    return found


def _compare_new(
    laptop: Any, snap: marks.Snapshot, mark: marks.Mark, start: marks.Point, held: list[str]
) -> _Found:
    """The laptop's entries after its mark and those that stayed on it, each looked up on
    the server by id; the server's entries written since its mark, each looked up on the
    laptop. (An entry that neither side wrote since was compared by an earlier sync.)"""
    found = _Found([], [], [])
    after = marks.laptop_rows_after(laptop, mark.laptop.seq, start.seq)
    ours = list({r[0]: r for r in [*marks.laptop_rows_of(laptop, held), *after]}.values())
    theirs = snap.rows_since(mark)
    on_server = {r[0]: r for r in snap.rows_of([r[0] for r in ours])}
    on_laptop = {r[0]: r for r in marks.laptop_rows_of(laptop, [r[0] for r in theirs])}
    clashes: dict[str, tuple[Entry, Entry]] = {}
    for row in ours:
        other = on_server.get(row[0])
        if other is None:
            found.push.append((row[-1], Entry(*row[:-1])))
        elif other[:-1] != row[:-1]:
            clashes[row[0]] = (Entry(*row[:-1]), Entry(*other[:-1]))
    for row in theirs:
        mine = on_laptop.get(row[0])
        if mine is None:
            found.pull.append((row[-1], row[0]))
        elif mine[:-1] != row[:-1]:
            clashes[row[0]] = (Entry(*mine[:-1]), Entry(*row[:-1]))
    found.conflicts.extend(clashes[i] for i in sorted(clashes))
    return found


def _compare(
    laptop: Any, server: Any, identity: str | None, full: bool, start: marks.Point
) -> tuple[_Found, int, int]:
    """What each side lacks, from the mark of the last sync when both sides bear it out
    (else the whole histories); with the server's mark for the next sync (its xmin and the
    entries written below it)."""
    mark = None if full or identity is None else marks.mark_of(laptop, identity)
    held = marks.held_ids(laptop, identity) if mark is not None and identity else []
    with marks.snapshot(server) as snap:
        if mark is not None and not snap.holds(mark):
            mark = None  # (the server lost or gained entries the mark had seen)
        if mark is None:
            found = _compare_whole(laptop, server)
            below = snap.count_below(snap.xmin) if identity is not None else 0
        else:
            found = _compare_new(laptop, snap, mark, start, held)
            below = mark.server_count + snap.count_between(mark.server_xmin, snap.xmin)
    return found, snap.xmin, below


def sync(laptop: Any, server: Any, full: bool = False) -> Synced:
    """Push what the server lacks, pull what the laptop lacks; nothing when any id is a
    conflict. The mark of both sides moves once both hold what they should."""
    identity = marks.identity(server)
    start = marks.laptop_point(laptop)
    found, xmin, below = _compare(laptop, server, identity, full, start)
    if found.conflicts:
        return Synced(0, 0, found.conflicts, [])
    missing = [e for _, e in sorted(found.push, key=lambda p: p[0])]
    refused, kept = _refusals(server, missing)
    held = {e.id for e, _ in refused}
    back = [e for e in kept if e.voids and e.voids in held]  # (a void of what stays)
    kept = [e for e in kept if not (e.voids and e.voids in held)]
    pushed, xid = _store(server, kept)
    pulled = _pull(laptop, server, [i for _, i in sorted(found.pull)])
    if identity is not None:
        stay = sorted(held | {e.id for e in back})
        marks.keep(laptop, identity, marks.Kept(start, pulled, xmin, below, xid, pushed, stay))
    return Synced(pushed, pulled, [], refused)


def _refusals(server: Any, missing: list[Entry]) -> tuple[list[tuple[Entry, str]], list[Entry]]:
    """The entries the server would refuse from this login (and why), and the rest."""
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
    return refused, kept


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


def _store(server: Any, entries: list[Entry]) -> tuple[int, int | None]:
    """The entries into the server, in one transaction; how many it stored, and that
    transaction's id (what the next sync checks the server still holds)."""
    if not entries:
        return 0, None
    plain, voids = _ordered(entries)
    xid: list[int] = []

    def noted() -> list[str]:  # (run inside the import's transaction, before it commits)
        xid.append(marks.current_xid(server))
        return []

    added, _ = server.import_batches(_batches(plain), noted, False, voids=lambda: _batches(voids))
    return int(added), xid[0] if xid and added else None
