"""The domain's values: an entry, its fields, its ids, and when two are one observation.

Plan and Target, the catalog's objects, are in :mod:`chuyi_cli.catalog`; the rules a new
entry passes are in :mod:`chuyi_cli.rules`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from chuyi_cli.canonical import local_day

# Rows typed without an id get one derived from their content, so importing the same
# sheet twice adds nothing.
_ROW_NAMESPACE = "6a1f0c2e-5b3d-4e7a-9c1d-2f8e4b6a0d13"


class Entry(NamedTuple):
    """One append-only record. Exactly one of stage, state, quantity or voids is set.

    A named tuple rather than a dataclass: imports build a million of them, and a tuple
    is what SQLite takes and gives back.
    """

    id: str
    target: str
    unit: str | None
    region: str | None
    stage: str | None
    state: str | None
    quantity: int | None
    observed: str  # YYYY-MM-DD, the day of the site visit
    recorded: str  # ISO 8601 UTC, when it was put on record
    recorder: str
    note: str | None = None
    evidence: str | None = None
    evidence_sha256: str | None = None
    voids: str | None = None

    @property
    def short_id(self) -> str:
        return self.id[:8]

    @property
    def order(self) -> tuple[str, str, str]:
        """Which of two entries is later: observed date, then recorded time, then id."""
        return (self.observed, self.recorded, self.id)

    def as_dict(self) -> dict[str, Any]:
        return self._asdict()


FIELDS = Entry._fields


def observation_key(e: Entry) -> tuple[str, str, str | None, str | None, str, str, str] | None:
    """What makes two entries one observation recorded twice: the same target and unit,
    stage (or state), day observed and recorder, put on record on the same day (the
    recording machine's calendar). None for an activity (two lectures on one day are two
    events) and for a void. The rule that ``record`` and ``import`` share: see
    :meth:`chuyi_cli.store.Store.repeat_of`."""
    if e.voids or e.quantity is not None:
        return None
    return (e.target, e.unit or "", e.stage, e.state, e.observed, e.recorder, local_day(e.recorded))


def new_id() -> str:
    import uuid

    return str(uuid.uuid4())


def content_id(content: tuple[object, ...], recorded: str | None = None) -> str:
    """The id of a row typed without one: derived from its content (and its recorded
    time, when it states one), so importing the same sheet twice adds nothing."""
    import uuid

    if recorded is not None:
        content = (*content, recorded)
    return str(uuid.uuid5(uuid.UUID(_ROW_NAMESPACE), repr(content)))


def occurrence_id(first: str, occurrence: int) -> str:
    """The id of the ``occurrence``-th repeat (1, 2, …) of a row typed without an id, whose
    first occurrence has the id ``first``: two identical rows of one sheet (two lectures
    on one day) are two entries, and the same sheet imported again still adds nothing."""
    if not occurrence:
        return first
    import uuid

    return str(uuid.uuid5(uuid.UUID(_ROW_NAMESPACE), f"{first}#{occurrence}"))
