"""Files chuyi writes for a user (an export, a backup): written whole beside the output
under a name nobody else uses, renamed into place at the end, and gone on any other exit.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from chuyi_cli.errors import ChuyiError
from chuyi_cli.interrupts import committing, held, not_committed
from chuyi_cli.platform import write_failure

SIDECARS = ("-wal", "-shm", "-journal")


def _same(a: Path, b: Path) -> bool:
    with contextlib.suppress(OSError):
        if os.path.samefile(a, b):  # (a hard link or another spelling of one file)
            return True
    return os.path.realpath(a) == os.path.realpath(b)  # (one that does not exist yet)


def refuse_database(output: Path, database: Path | None) -> None:
    """Refuse an output that is the database or a file SQLite keeps beside it."""
    if database is None:
        return
    if _same(output, database):
        raise ChuyiError("output_is_database", path=output)
    for path in (Path(str(database) + s) for s in SIDECARS):
        if _same(output, path):
            raise ChuyiError("output_is_sidecar", path=output, db=database)


def _temporary_beside(output: Path) -> Path:
    """A new empty file in the output's folder, created with the user's umask (as ``cp``
    would) under a name no one else uses."""
    folder = output.parent
    for _ in range(100):
        tmp = folder / f".{output.name}.{os.getpid()}-{os.urandom(4).hex()}.chuyi-tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        except OSError as exc:
            raise ChuyiError("cannot_write", path=output, reason=write_failure(exc)) from None
        os.close(fd)
        return tmp
    raise ChuyiError("cannot_write", path=output, reason="no free temporary name")


@contextlib.contextmanager
def temporary_beside(output: Path) -> Iterator[Path]:
    """A new empty file beside ``output``, removed (with any SQLite sidecars) when the
    block ends, however it ends, unless the block has renamed or linked it away."""
    tmp: Path | None = None
    try:
        with held():  # (a file created is a file remembered, to be removed)
            tmp = _temporary_beside(output)
        yield tmp
    finally:
        if tmp is not None:
            with held():
                for leftover in (tmp, *(Path(str(tmp) + s) for s in SIDECARS)):
                    with contextlib.suppress(OSError):
                        leftover.unlink()


@contextlib.contextmanager
def written_whole(output: Path, database: Path | None = None, new: bool = False) -> Iterator[Path]:
    """A temporary file beside ``output`` to write; renamed to ``output`` when the block
    ends without error, removed on any other exit (an error, Ctrl-C, SIGTERM).

    ``database``: refused as an output, with its sidecars. ``new``: ``output`` must not
    exist (checked before and again just before the rename)."""
    refuse_database(output, database)
    if new and os.path.lexists(output):
        raise ChuyiError("output_exists", path=output)
    with temporary_beside(output) as tmp:
        try:
            yield tmp
        except OSError as exc:
            raise ChuyiError("cannot_write", path=output, reason=write_failure(exc)) from None
        if new and os.path.lexists(output):
            raise ChuyiError("output_exists", path=output)
        committing()
        try:
            os.replace(tmp, output)
        except OSError as exc:
            not_committed()
            raise ChuyiError("cannot_write", path=output, reason=write_failure(exc)) from None


def link_new(tmp: Path, path: Path) -> bool:
    """Give ``tmp`` the name ``path`` unless a file took that name first (False then).
    (Where hard links are not supported, a rename, after a last look.)"""
    try:
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    except OSError:
        if os.path.lexists(path):
            return False
        os.replace(tmp, path)
        return True
