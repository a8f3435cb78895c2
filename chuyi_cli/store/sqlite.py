"""The SQLite engine: connecting (every PRAGMA), migrating, write transactions (BEGIN
IMMEDIATE), read-only files, and the backup API (SQLite's errors as messages:
:mod:`~chuyi_cli.store.sqlite_errors`)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from pathlib import Path
from typing import Any, NamedTuple, Protocol, Self

from chuyi_cli.errors import ChuyiError, os_reason
from chuyi_cli.interrupts import committing, not_committed
from chuyi_cli.store import schema
from chuyi_cli.store.rows import Row
from chuyi_cli.store.schema import APPLICATION_ID, SCHEMA_VERSION, readable_as_is
from chuyi_cli.store.sqlite_errors import (
    LockedError,
    busy_seconds,
    is_locked,
    sqlite_errors,
    sqlite_reason,
)

# Bound as it is, None sends Python's sqlite3 looking for a way to adapt it, and the
# look-up that fails words an AttributeError first: some 0.2 µs a NULL, 6 of them in an
# entry's row (about 0.3 s of a 200,000-row import). Adapted by a C call that gives None
# back, it is bound as NULL at once.
_NOTHING: dict[None, None] = {}
sqlite3.register_adapter(type(None), _NOTHING.get)  # (an empty dict's get: None)


def marks(values: Sized) -> str:
    """A parameter mark for each of ``values``, as a list in SQL takes them: ``?,?,?``."""
    return ",".join("?" * len(values))


class Cursor(Protocol):
    """The rows a query gives (their values as the columns hold them)."""

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Db(Protocol):
    """What deriving the tables asks of a connection: SQLite's own, or the server's
    (:class:`~chuyi_cli.server.db.ServerDb` words the same queries for PostgreSQL)."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Iterable[Sequence[Any]], /) -> object: ...


def keeps(db: Db, table: str) -> bool:
    """Whether the store keeps ``table``: a SQLite file of an older schema, read as it is,
    may not; nor, as yet, the PostgreSQL engine (what it keeps is then read the longer
    way)."""
    if not isinstance(db, sqlite3.Connection):
        return False
    row = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    return row is not None


def migrate(db: sqlite3.Connection, upto: int = SCHEMA_VERSION, path: Path | None = None) -> None:
    """Apply every pending migration, all in one transaction: a file is upgraded whole or
    left as it was, its schema number included.

    Foreign keys are off meanwhile (SQLite's way to rebuild a table); a migration that
    rebuilds one checks them itself before it commits. Migrations only shape tables; when
    the newest shape is reached, every derived table is derived once from the history."""
    if db.execute("PRAGMA user_version").fetchone()[0] >= upto:
        return
    enforced = db.execute("PRAGMA foreign_keys").fetchone()[0]
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        _migrate(db, upto, path)
    finally:
        db.execute(f"PRAGMA foreign_keys = {enforced}")
    # The migrations' page versions need not wait in the WAL (a rebuilt table doubles it).
    with contextlib.suppress(sqlite3.OperationalError):
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _migrate(db: sqlite3.Connection, upto: int, path: Path | None) -> None:
    db.execute("BEGIN IMMEDIATE")
    # (Read once the lock is held: another process may have migrated while we waited.)
    version = db.execute("PRAGMA user_version").fetchone()[0]
    try:
        for step in range(version, upto):
            if step in schema.SETTLE:
                schema.SETTLE[step](db)
            schema.MIGRATIONS[step](db)
        if version < upto and upto == len(schema.MIGRATIONS):
            from chuyi_cli.store.derive import derive_all

            derive_all(db)
        if version < upto:
            db.execute(f"PRAGMA user_version = {upto}")
        db.execute("COMMIT")
    except BaseException as exc:
        if db.in_transaction:
            db.execute("ROLLBACK")
        if isinstance(exc, (sqlite3.Error, ChuyiError)) and not isinstance(exc, LockedError):
            if isinstance(exc, sqlite3.OperationalError) and is_locked(exc):
                raise
            raise ChuyiError(
                "upgrade_failed",
                path=path or "",
                old=version,
                new=upto,
                reason=exc.message if isinstance(exc, ChuyiError) else sqlite_reason(exc),
            ) from None
        raise


# --------------------------------------------------------------------------- unit state


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("chuyi", appauthor=False)) / "chuyi.db"


def _unwritable(path: Path) -> bool:
    return (
        not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK) or _read_only_fs(path)
    )


def _kept_read_only(path: Path) -> bool:
    """Whether a database is to be read and never written: the file or its folder is
    read-only by its mode (0444, 0555: so even for an administrator, whom the system
    would let write), not writable by this user, or on read-only media."""
    folder = path.absolute().parent
    try:
        if not path.stat().st_mode & 0o222 or not folder.stat().st_mode & 0o222:
            return True
    except OSError:
        return False
    return _unwritable(path)


def _nothing_beside(path: Path) -> bool:
    """No write-ahead log or rollback journal with content beside the file: all of the
    database is in the file itself."""
    for suffix in ("-wal", "-journal"):
        try:
            if os.path.getsize(str(path) + suffix) > 0:
                return False
        except OSError:
            continue
    return True


def _problems(rows: list[Any]) -> list[str]:
    """What PRAGMA integrity_check's rows say is wrong (nothing: the file is sound)."""
    return [] if [tuple(r) for r in rows] == [("ok",)] else [r[0] for r in rows]


def _read_only_fs(path: Path) -> bool:
    from chuyi_cli.platform import read_only_filesystem

    return read_only_filesystem(path)


def commit(db: sqlite3.Connection) -> None:
    """COMMIT, with interrupts held from just before it: once it lands, the command
    finishes and says what it wrote."""
    committing()
    try:
        db.execute("COMMIT")
    except BaseException:
        not_committed()
        raise


_SHAPE: list[tuple[str, str, str]] = []


def _newest_shape() -> list[tuple[str, str, str]]:
    """(kind, name, SQL) of every table, then index, trigger and view of a new database."""
    if not _SHAPE:
        db = sqlite3.connect(":memory:", isolation_level=None)
        try:
            migrate(db)
            rows = db.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY"
                " CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'trigger' THEN 2"
                " ELSE 3 END, rowid"
            ).fetchall()
        finally:
            db.close()
        _SHAPE.extend(rows)
    return _SHAPE


class Part(NamedTuple):
    """A part of the schema: a table, an index, a trigger or a view, by name."""

    kind: str  # table | index | trigger | view
    name: str


class SqliteStore:
    """A chuyi database file: open it with :meth:`open`, close it with :meth:`close`."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self.db = db
        self.path = path

    @classmethod
    def open(cls, path: str | Path | None = None, migrate_to: int = SCHEMA_VERSION) -> Self:
        """Open (creating it and its folder if missing) and migrate a chuyi database.

        A file that is not a chuyi database, or comes from a newer chuyi, is refused and
        left untouched.
        """
        path = Path(path) if path else default_db_path()
        if path.is_dir():
            raise ChuyiError("db_is_folder", path=path)
        exists = path.exists()
        if exists and path.stat().st_size == 0:
            raise ChuyiError("db_empty_file", path=path)
        if not exists:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ChuyiError("db_no_folder", path=path.parent, reason=os_reason(exc)) from None
            cls._create(path, migrate_to)
            exists = True
        beside = [Path(str(path) + suffix) for suffix in ("-wal", "-shm", "-journal")]
        present = {p for p in beside if p.exists()}
        try:
            if _kept_read_only(path):
                return cls(cls._connect(path, exists, migrate_to, read_only=True), path)
            try:
                return cls(cls._connect(path, exists, migrate_to), path)
            except ChuyiError as exc:
                # A database on read-only media (a read-only mount) can still be read.
                if not (exists and _unwritable(path) and exc.message.key == "db_cannot_open"):
                    raise
                return cls(cls._connect(path, exists, migrate_to, read_only=True), path)
        except BaseException:
            for sidecar in beside:  # leave no trace beside a file we refused
                if sidecar not in present:
                    with contextlib.suppress(OSError):
                        sidecar.unlink()
            raise

    @staticmethod
    def _create(path: Path, migrate_to: int) -> None:
        """A new database, made whole beside ``path`` and then given its name: an
        interrupt never leaves a half-made file, and of several processes making it at
        once the first one's file is everyone's."""
        from chuyi_cli.files import link_new, temporary_beside
        from chuyi_cli.platform import write_failure

        with temporary_beside(path) as tmp:
            with sqlite_errors(path):
                db = sqlite3.connect(str(tmp), isolation_level=None)
                try:
                    db.execute("PRAGMA journal_mode = WAL")
                    migrate(db, migrate_to, path)
                finally:
                    db.close()
            try:
                link_new(tmp, path)
            except OSError as exc:
                raise ChuyiError("cannot_write", path=path, reason=write_failure(exc)) from None

    @classmethod
    def _connect(
        cls, path: Path, exists: bool, migrate_to: int, read_only: bool = False
    ) -> sqlite3.Connection:
        target = str(path)
        if read_only:
            # Read-only, SQLite would still make the WAL index (-shm) beside the file.
            # When the whole database is in the file (no log or journal with content
            # beside it), or on read-only media, saying the file is immutable reads it
            # with nothing created beside it; nobody can write it meanwhile.
            from chuyi_cli.platform import sqlite_read_only_uri

            immutable = _read_only_fs(path) or _nothing_beside(path)
            target = sqlite_read_only_uri(path, immutable=immutable)
        with sqlite_errors(path):
            db = sqlite3.connect(
                target,
                timeout=busy_seconds(),
                isolation_level=None,
                check_same_thread=False,
                uri=read_only,
            )
        try:
            with sqlite_errors(path):
                cls._identify(db, path, exists)
                db.execute("PRAGMA foreign_keys = ON")
                if read_only:
                    version = db.execute("PRAGMA user_version").fetchone()[0]
                    if version < migrate_to and not readable_as_is(db, version, migrate_to):
                        raise ChuyiError("db_read_only_old", path=path)
                    return db
                db.execute("PRAGMA synchronous = FULL")
                if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    with contextlib.suppress(sqlite3.OperationalError):
                        db.execute("PRAGMA journal_mode = WAL")
                migrate(db, migrate_to, path)
        except BaseException:
            db.close()
            if not exists:
                for suffix in ("", "-wal", "-shm", "-journal"):
                    with contextlib.suppress(OSError):
                        Path(str(path) + suffix).unlink()
            raise
        return db

    @staticmethod
    def _identify(db: sqlite3.Connection, path: Path, exists: bool) -> None:
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if not exists or (app_id == 0 and version == 0 and tables == 0):
            return
        if app_id != APPLICATION_ID:
            raise ChuyiError("db_not_chuyi", path=path)
        if version > SCHEMA_VERSION:
            raise ChuyiError("db_newer", path=path, version=version, known=SCHEMA_VERSION)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def unshared(self) -> Iterator[None]:
        """Writes to a file no other process can know of yet (made under a temporary name,
        to take its own only once written whole), with their rollback journal in memory:
        each page is written once, into the file, instead of into the WAL and then again
        into the file (and every page read looked up in the WAL's index first). The file
        is back in WAL mode when the block ends without error; a crash leaves only the
        temporary file, which nobody opens."""
        with sqlite_errors(self.path):
            self.db.execute("PRAGMA journal_mode = MEMORY")
        yield
        with sqlite_errors(self.path):
            self.db.execute("PRAGMA journal_mode = WAL")

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE): all of it lands, or none of it."""
        with sqlite_errors(self.path):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
                commit(self.db)
            except BaseException:
                # SQLite may have rolled back itself (disk full); a connection closed
                # before this generator was let go (Ctrl-C between BEGIN and the block)
                # rolled back as it closed: nothing is left to roll back, nothing to say.
                with contextlib.suppress(sqlite3.ProgrammingError):
                    if self.db.in_transaction:
                        self.db.execute("ROLLBACK")
                raise

    def _read(self, sql: str, params: Iterable[object] = ()) -> list[Row]:
        with sqlite_errors(self.path):
            return self.db.execute(sql, tuple(params)).fetchall()

    IN_CHUNK = 500  # values a query of :meth:`_where_in` names at most

    def _where_in(
        self,
        select: str,
        column: str,
        values: Sequence[object],
        extra: str = "",
        params: tuple[object, ...] = (),
    ) -> list[Row]:
        """``select`` WHERE ``column`` is one of ``values`` ``extra``, a chunk of values a
        query (:meth:`_one_of`)."""
        rows: list[Row] = []
        for start in range(0, len(values), self.IN_CHUNK):
            clause, given = self._one_of(column, values[start : start + self.IN_CHUNK])
            rows += self._read(f"{select} WHERE {clause}{extra}", (*given, *params))
        return rows

    @staticmethod
    def _one_of(column: str, values: Sequence[object]) -> tuple[str, tuple[object, ...]]:
        """``column`` is one of ``values``, as SQL and its parameters (a list SQLite
        accepts)."""
        return f"{column} IN ({marks(values)})", tuple(values)

    def missing_parts(self) -> list[Part]:
        """The tables, indexes and triggers a database of the newest schema holds and this
        one lacks (a damaged file, or one edited by hand)."""
        if not isinstance(self.db, sqlite3.Connection):
            return []  # (a server's shape is the server's: `chuyi server check`)
        with sqlite_errors(self.path):
            if self.db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                return []  # (an older file read as it is: its shape is its own)
            have = set(self.db.execute("SELECT type, name FROM sqlite_master"))
        return [
            Part(kind, name) for kind, name, _sql in _newest_shape() if (kind, name) not in have
        ]

    def restore_parts(self, db: sqlite3.Connection) -> None:
        """Make again, inside the write ``db`` holds, every part :meth:`missing_parts`
        names (empty: the derived tables are derived afterwards). The table of entries is
        the history: when it is gone, nothing can be made again."""
        missing = set(self.missing_parts())
        if ("table", "entry") in missing:
            raise ChuyiError("db_history_missing", path=self.path, name="entry")
        for kind, name, sql in _newest_shape():
            if (kind, name) in missing:
                db.execute(sql)

    def integrity(self) -> list[str]:
        """Problems PRAGMA integrity_check finds (empty when the file is sound)."""
        return _problems(self._read("PRAGMA integrity_check"))

    def integrity_aside(self) -> Callable[[], list[str]]:
        """:meth:`integrity` started on a connection of its own, in a thread, so that
        SQLite checks the file while this connection reads on; the function returned
        waits for it and gives its problems. (Only a writable file in WAL mode, whose
        readers never wait for each other, is checked aside: any other when the function
        is called.)"""
        if _kept_read_only(self.path) or _unwritable(self.path):
            return self.integrity
        with sqlite_errors(self.path):
            if self.db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                return self.integrity
        found: list[list[str] | BaseException] = []

        def check() -> None:
            try:
                db = sqlite3.connect(str(self.path), busy_seconds(), check_same_thread=False)
                try:
                    found.append(_problems(db.execute("PRAGMA integrity_check").fetchall()))
                finally:
                    db.close()
            except BaseException as exc:  # (given to the caller, in its thread)
                found.append(exc)

        thread = threading.Thread(target=check, name="integrity_check", daemon=True)
        thread.start()

        def problems() -> list[str]:
            thread.join()
            if isinstance(found[0], BaseException):
                with sqlite_errors(self.path):
                    raise found[0]
            return found[0]

        return problems

    def backup(self, dest: Path) -> int:
        """A consistent copy through SQLite's backup API, written beside and renamed in.
        Returns the number of entries the copy holds."""
        from chuyi_cli.files import written_whole

        with written_whole(dest, self.path, new=True) as tmp, sqlite_errors(dest):
            copy = sqlite3.connect(str(tmp), isolation_level=None)
            try:
                self.db.backup(copy)
                copy.execute("PRAGMA journal_mode = DELETE")
                count: int = copy.execute("SELECT count(*) FROM entry").fetchone()[0]
            finally:
                copy.close()
        return count
