"""Import: every row of a file or none, idempotent by entry id.

A file is read as rows of cells (:mod:`.reading`), each row checked as an entry
(:mod:`.checking`), and the entries stored in batches inside one transaction; void rows come
last, once every entry of the file they may cancel is in.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from chuyi_cli.canonical import day_start, normalise_unit, utc_instant
from chuyi_cli.catalog_nodes import Plan
from chuyi_cli.domain import FIELDS, Entry, observation_key, occurrence_id
from chuyi_cli.errors import ChuyiError, ProblemsError, os_reason
from chuyi_cli.exchange.cells import Cells, Reason
from chuyi_cli.exchange.checking import RowReader
from chuyi_cli.exchange.encodings import (
    checked_encoding,
    detect_encoding,
    refused,
    undecodable_lines,
)
from chuyi_cli.exchange.reading import Source, is_json_lines, records
from chuyi_cli.i18n import Message
from chuyi_cli.regions import Gazetteer
from chuyi_cli.rules import check_void, void_of
from chuyi_cli.sheets import SheetInfo
from chuyi_cli.store import Store
from chuyi_cli.store.batches import DuplicateIdsError
from chuyi_cli.workbooks import file_kind

BATCH = 5000  # entries stored at a time


@dataclass
class ImportResult:
    added: int = 0
    skipped: int = 0
    rows: int = 0
    encoding: str = "utf-8"
    problems: list[str | Message] = field(default_factory=list)
    # Units of the rows that may be one unit with another of their target (target, names).
    similar: list[tuple[str, list[str]]] = field(default_factory=list)
    sheet: SheetInfo | None = None  # what reading a sheet skipped and ignored
    # Per target id (or the text a refused row gave): [add, skip, refuse]; dry runs only.
    per_target: dict[str, list[int]] = field(default_factory=dict)
    first: list[Entry] = field(default_factory=list)  # the first entries read (dry runs)
    # Rows that repeat an observation (stored, or earlier in the file): (line, entry id)
    duplicates: list[tuple[int, str]] = field(default_factory=list)


def _void_entry(
    row: dict[str, str],
    cancelled: Entry | None,
    voided_by: list[str],
    cancelled_here: dict[str, int],
) -> Entry:
    """A void row as an entry, its target and unit taken from the entry it cancels
    (``cancelled``: the stored entry the row names, None when there is none; ``voided_by``:
    the stored voids of it), under the rule :func:`check_void` applies to ``chuyi void``
    (``cancelled_here``: the entries voided by earlier rows of the file, and their lines)."""
    voids = row["voids"]
    check_void(row["id"], cancelled, voids, voided_by)
    assert cancelled is not None
    if voids in cancelled_here:
        raise ChuyiError("void_twice_here", id=cancelled.short_id, line=cancelled_here[voids])
    given = row["target"]
    if given and given != cancelled.target:
        raise ChuyiError("void_other_target", target=cancelled.target, given=given)
    return void_of(
        cancelled, row["id"], row["observed"], row["recorded"], row["recorder"], row["note"]
    )


# What two versions of one id are compared on (recorded, only when the row states it).
_COMPARED = tuple(name for name in FIELDS if name not in ("id", "recorded"))


def _difference(stored: Entry, new: Entry) -> str:
    """How ``new`` differs from the ``stored`` entry of the same id, field by field with
    both values ("" when they say the same). The stored unit is compared as the rules
    name it now, and recorded times as instants."""
    differ = []
    for name in _COMPARED:
        was, now = getattr(stored, name), getattr(new, name)
        if name == "unit" and was:
            was = normalise_unit(was)
        if was != now:
            differ.append((name, getattr(stored, name), now))
    if new.recorded != day_start(new.observed):  # the row states when it was recorded
        try:
            same = utc_instant(stored.recorded) == new.recorded
        except ChuyiError:
            same = False
        if not same:
            differ.append(("recorded", stored.recorded, new.recorded))
    return "; ".join(
        Message(
            "import_conflict_field",
            field=name,
            stored="—" if was is None else repr(was),
            given="—" if now is None else repr(now),
        ).text()
        for name, was, now in differ
    )


# A file this many bytes a row, or more, is read as a bulk import (an estimate: export's
# rows run 120-200 bytes).
_BYTES_PER_ROW = 100


PREVIEW_ROWS = 5


def import_file(
    store: Store,
    path: Path,
    plan: Plan,
    places: Gazetteer,
    today: dt.date,
    encoding: str | None = None,
    dry_run: bool = False,
    stdin: IO[bytes] | None = None,
    *,
    sheet: str | None = None,
    strict: bool = False,
    progress: Callable[[int, float | None], None] | None = None,
    force: bool = False,
) -> ImportResult:
    """Import every row of ``path`` or none: ProblemsError lists each bad row.

    ``path`` is CSV, JSON Lines or an xlsx/xlsm workbook (``sheet``: which sheet, else the
    first with a target column). ``strict`` refuses columns that hold no field.
    ``progress(rows, share)`` is called now and then with the rows read and the share of
    the file read (None when unknown).

    A row typed without an id that repeats an observation (stored, or earlier in the
    file: the rule of :meth:`Store.repeat_of`) is skipped and listed in ``duplicates``;
    rows with ids are entries already on record somewhere, kept or skipped by id alone.
    ``force``: activity quantities above their target's bound are taken.

    ``-`` and ``/dev/stdin`` read ``stdin`` (copied to a temporary file first: the file is
    read more than once); anything else must be a regular file (a FIFO would block, a
    device like /dev/zero never end)."""
    options = Source(
        sheet=sheet, strict=strict, years=(plan.start.year, plan.deadline.year), force=force
    )
    if path.as_posix() in ("-", "/dev/stdin"):  # (on Windows str(path) is \dev\stdin)
        if stdin is None:
            raise ChuyiError("import_stdin_device", what=Message("filekind.none"))
        with _spooled(stdin) as copy:
            return _import_regular(store, copy, str(path), plan, places, today, encoding, dry_run,
                                   options)  # fmt: skip
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise ChuyiError("no_such_file", path=path) from None
    except OSError as exc:
        raise ChuyiError("import_cannot_read", path=path, reason=os_reason(exc)) from None
    if stat.S_ISDIR(mode):
        raise ChuyiError("is_folder", path=path)
    if not stat.S_ISREG(mode):
        raise ChuyiError("import_not_regular", path=path, what=_file_kind(mode))
    return _import_regular(
        store, path, str(path), plan, places, today, encoding, dry_run, options, progress
    )


def _file_kind(mode: int) -> Message:
    """What a file that is not a regular one is, in the user's words (命名管道, FIFO)."""
    for test, name in (
        (stat.S_ISFIFO, "fifo"),
        (stat.S_ISCHR, "char"),
        (stat.S_ISBLK, "block"),
        (stat.S_ISSOCK, "socket"),
    ):
        if test(mode):
            return Message("filekind." + name)
    return Message("filekind.special")


@contextlib.contextmanager
def _spooled(stdin: IO[bytes]) -> Iterator[Path]:
    """Standard input copied to a temporary file, removed afterwards."""
    try:
        mode = os.fstat(stdin.fileno()).st_mode
    except (OSError, ValueError, io.UnsupportedOperation):
        mode = 0  # not a real file (a test's stream): read it as it is
    if (stat.S_ISCHR(mode) and not stdin.isatty()) or stat.S_ISBLK(mode):
        raise ChuyiError("import_stdin_device", what=_file_kind(mode))
    from chuyi_cli.interrupts import held

    name = None
    try:
        with held():  # (a file created is a file remembered, to be removed)
            fd, name = tempfile.mkstemp(prefix="chuyi-import-", suffix=".tmp")
        with os.fdopen(fd, "wb") as copy:
            while block := stdin.read(1 << 20):
                copy.write(block)
        yield Path(name)
    finally:
        if name is not None:
            with contextlib.suppress(OSError):
                os.unlink(name)


def _import_regular(
    store: Store,
    path: Path,
    shown: str,
    plan: Plan,
    places: Gazetteer,
    today: dt.date,
    encoding: str | None,
    dry_run: bool,
    source: Source,
    progress: Callable[[int, float | None], None] | None = None,
) -> ImportResult:
    source.kind = file_kind(path, shown)
    source.shown = shown
    try:
        if source.kind == "xlsx":
            encoding = "xlsx"
        elif encoding is not None:
            encoding = checked_encoding(encoding)
        else:
            encoding = detect_encoding(path, shown)
        size = path.stat().st_size
    except OSError as exc:
        raise ChuyiError("import_cannot_read", path=shown, reason=os_reason(exc)) from None
    # (A workbook is zipped: some four times the rows a text file of its size holds.)
    expected = size * (4 if source.kind == "xlsx" else 1) // _BYTES_PER_ROW
    run = (store, path, shown, plan, places, today, encoding, dry_run, source, progress)
    try:
        return _import(*run, expected)
    except DuplicateIdsError:
        # One id twice in the file, found only when the bulk import built its index:
        # nothing was written; row by row, the second is skipped as a repeat.
        return _import(*run, 0)


def _import(
    store: Store,
    path: Path,
    shown: str,
    plan: Plan,
    places: Gazetteer,
    today: dt.date,
    encoding: str,
    dry_run: bool,
    source: Source,
    progress: Callable[[int, float | None], None] | None,
    expected: int,
) -> ImportResult:
    run = _Run(store, path, shown, plan, places, today, encoding, dry_run, source, progress)
    return run.store_all(expected)


class _Run:
    """One import of one file: its rows read, checked and stored in batches, void rows
    last, every problem listed; nothing stored unless there is none."""

    def __init__(
        self,
        store: Store,
        path: Path,
        shown: str,
        plan: Plan,
        places: Gazetteer,
        today: dt.date,
        encoding: str,
        dry_run: bool,
        source: Source,
        progress: Callable[[int, float | None], None] | None,
    ) -> None:
        self.store, self.path, self.shown, self.plan = store, path, shown, plan
        self.encoding, self.dry_run, self.source, self.progress = (
            encoding,
            dry_run,
            source,
            progress,
        )
        self.result = ImportResult(encoding=encoding)
        self.problems = self.result.problems
        self.voids: list[tuple[int, dict[str, str]]] = []
        self.json_lines = source.kind == "text" and is_json_lines(path, encoding)
        # (Evidence named by a relative path lies beside the sheet; beside the user, for stdin.)
        base = None if shown in ("-", "/dev/stdin") else Path(shown).parent
        self.reader = RowReader(
            plan, places, today, guarded=not self.json_lines, force=source.force, base=base
        )
        self.lines: dict[str, int] = {}  # the line of each row of the batch being stored
        self.units: set[tuple[str, str]] = set()  # the units the rows name
        self.batch: list[Entry] = []
        self.seen: dict[str, Entry] = {}  # this batch's entries by id
        self.repeats: dict[str, int] = {}  # rows typed without an id: how often each was seen
        # this batch's observations (rows without ids)
        self.observed: dict[tuple[str | None, ...], str] = {}

    def store_all(self, expected: int) -> ImportResult:
        result = self.result
        try:
            added, skipped = self.store.import_batches(
                self.batches(), lambda: result.problems, self.dry_run, self.void_batches,
                expected, self.known,
            )  # fmt: skip
        except OSError as exc:
            raise ChuyiError("import_cannot_read", path=self.shown, reason=os_reason(exc)) from None
        except ProblemsError:
            heading = refused(self.shown, len(result.problems))
            error = ProblemsError(result.problems, heading=heading)
            error.result = result  # type: ignore[attr-defined]
            raise error from None
        result.added, result.skipped = added, result.skipped + skipped
        if added and not self.dry_run:
            result.similar = _similar_units(self.store, self.units)
        return result

    def tell(self, target: str, column: int) -> None:
        """Count a row of ``target`` (dry runs): 0 added, 1 skipped, 2 refused."""
        if self.dry_run:
            self.result.per_target.setdefault(target, [0, 0, 0])[column] += 1

    def refuse(self, line: int, why: Message, cells: Cells | Reason) -> None:
        self.problems.append(self.at(line, why))
        if not self.dry_run or why.key in _NOT_A_ROW:
            return
        text = cells[1].strip() if isinstance(cells, tuple) else ""
        try:
            self.tell((self.reader.targets.get(text) or self.plan.find(text)).id, 2)
        except ChuyiError:
            self.tell(text or "?", 2)

    def counted(self, batch: list[Entry]) -> list[Entry]:
        """The batch, its rows counted per target as added, skipped (stored already, the
        same) or refused (stored already with other content: a conflict)."""
        if self.dry_run:
            known = self.store.entries_by_id([e.id for e in batch])
            for e in batch:
                stored = known.get(e.id)
                if stored is None:
                    self.tell(e.target, 0)
                else:
                    self.tell(e.target, 2 if _difference(stored, e) else 1)
        return batch

    def at(self, line: int, message: Message) -> Message:
        return Message("at_line", path=self.shown, line=line, message=message)

    def conflict(self, stored: Entry, new: Entry, line: int, here: bool) -> bool:
        """A row whose id is stored already (``here``: by an earlier row of this file):
        skipped when it says the same, else a conflict listed with both versions (True)."""
        difference = _difference(stored, new)
        if difference:
            key = "import_conflict_here" if here else "import_conflict"
            self.problems.append(self.at(line, Message(key, id=new.short_id, fields=difference)))
        return bool(difference)

    def known(self, stored: Entry, new: Entry, here: bool) -> None:
        self.conflict(stored, new, self.lines.get(new.id, 0), here)

    def batches(self) -> Iterator[list[Entry]]:
        """The file's entries in batches of BATCH, each yielded while no row was refused."""
        result, progress, position = self.result, self.progress, self.source
        try:
            for line, row in records(self.path, self.encoding, self.json_lines, self.source):
                if progress is not None and not result.rows % 1000:
                    progress(result.rows, position.position() if position.position else None)
                if self.take(line, row) and len(self.batch) >= BATCH:
                    yield from self.flush()
        except UnicodeDecodeError:
            self.undecodable()
        result.sheet = self.source.info
        self.reader.forget()
        if progress is not None:
            progress(result.rows, 1.0)
        yield from self.flush()

    def flush(self) -> Iterator[list[Entry]]:
        batch = self.batch
        if batch and not self.problems:
            yield self.counted(batch)
        elif batch:  # nothing will be stored: the rows are only counted
            self.counted(batch)
        self.batch, self.seen, self.observed = [], {}, {}
        self.lines.clear()

    def take(self, line: int, row: Cells | Reason) -> bool:
        """Read one row into the batch; whether it went in."""
        if isinstance(row, Message):
            self.refuse(line, row, row)
            return False
        self.result.rows += 1
        try:
            made = self.reader.entry(row)
        except ChuyiError as exc:
            self.refuse(line, exc.message, row)
            return False
        if isinstance(made, dict):
            self.voids.append((line, made))
            return False
        typed = not row[0].strip()  # a row typed without an id
        if typed:
            # Identical rows typed without an id are so many entries (two lectures on one
            # day): the n-th repeat's id says n.
            occurrence = self.repeats.get(made.id, 0)
            self.repeats[made.id] = occurrence + 1
            if occurrence:
                made = made._replace(id=occurrence_id(made.id, occurrence))
        if self.dry_run and len(self.result.first) < PREVIEW_ROWS:
            self.result.first.append(made)
        if made.id in self.seen:
            conflicting = self.conflict(self.seen[made.id], made, line, True)
            self.result.skipped += 1
            self.tell(made.target, 2 if conflicting else 1)
            return False
        if (self.problems and not self.dry_run) or (typed and self.repeated(line, made)):
            return False
        self.seen[made.id] = made
        self.lines[made.id] = line
        self.batch.append(made)
        if made.unit:
            self.units.add((made.target, made.unit))
        return True

    def repeated(self, line: int, made: Entry) -> bool:
        """Whether a typed row repeats an observation, stored or earlier in this file: a
        double entry, listed, not stored. (Earlier batches are stored by now: the store
        finds them too.)"""
        key = observation_key(made)
        if key is None:
            return False
        earlier = self.observed.get(key) or self.store.repeat_of(made)
        if earlier:
            self.result.duplicates.append((line, earlier))
            return True
        self.observed[key] = made.id
        return False

    def undecodable(self) -> None:
        lines = undecodable_lines(self.path, self.encoding)
        reason = Message("import_undecodable", encoding=self.encoding)
        self.problems.extend(self.at(n, reason) for n in lines)
        if not lines:
            self.problems.append(Message("import_cannot_read", path=self.shown, reason=reason))

    def void_batches(self) -> Iterator[list[Entry]]:
        """The void rows as entries (last: by now every entry of the file they may cancel
        is in the database)."""
        batch = []
        cancelled_here: dict[str, int] = {}
        for start in range(0, len(self.voids), BATCH):
            rows = self.voids[start : start + BATCH]
            # (What the rows cancel, and what voids it already, read at once for a batch.)
            named = sorted({row["voids"] for _, row in rows})
            stored = self.store.entries_by_id(named)
            voided_by = self.store.voids_of(named)
            for line, row in rows:
                voids = row["voids"]
                try:
                    entry = _void_entry(
                        row, stored.get(voids), voided_by.get(voids, []), cancelled_here
                    )
                except ChuyiError as exc:
                    self.problems.append(self.at(line, exc.message))
                    continue
                batch.append(entry)
                cancelled_here[voids] = line
                self.lines[row["id"]] = line
        if batch and not self.problems:
            yield batch
        # (Stored: the rows' memory is free for deriving the tables.)
        self.voids = []
        self.lines.clear()


# Problems of the sheet's header, not of a row: a dry run counts them under no target.
_NOT_A_ROW = frozenset(
    {"sheet_header_typo", "sheet_header_unknown", "import_same_field", "sheet_no_header_csv"}
)


def _similar_units(store: Store, units: set[tuple[str, str]]) -> list[tuple[str, list[str]]]:
    """The groups of units that may be one unit (see :mod:`similar`) holding a unit of the
    import's rows."""
    from chuyi_cli.similar import similar_groups

    found = []
    for target in sorted({t for t, _ in units}):
        for group in similar_groups(store.unit_names(target)):
            if any((target, name) in units for name in group):
                found.append((target, group))
    return found
