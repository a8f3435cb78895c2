"""Ctrl-C, SIGTERM and a closed terminal: a command stops cleanly or finishes and says so.

Until a command commits, an interrupt raises ``KeyboardInterrupt``: its transaction rolls
back, its temporary files go, and it says ``interrupted; nothing was written`` (exit 130).
From the moment it commits (:func:`committing`), an interrupt is held: the command
finishes and prints what it did, so a user never retries a write that was made. A second
interrupt after the commit stops at once, saying that what was written is kept.

Handlers are installed by :func:`install` (the ``chuyi`` entry point), never on import, and
only for the signals this platform has.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from types import FrameType

# (Loaded before any handler is installed: a handler must not import.)
from chuyi_cli.i18n import fixed

EXIT_INTERRUPTED = 130

_installed = False
_requested = False  # an interrupt asked this run to stop before it committed
_committed = False
_pending: int | None = None
_said = False
_holding = False


def _write_stderr(text: str) -> None:
    try:
        sys.stderr.write(text + "\n")  # (in the encoding the stream was set up with)
        sys.stderr.flush()
    except (RuntimeError, OSError, ValueError, AttributeError):
        # A signal that arrived in the middle of a write to stderr: past its buffer.
        with contextlib.suppress(OSError):
            os.write(2, (text + "\n").encode("utf-8", "replace"))


def report() -> None:
    """Say, once, that the command stopped and wrote nothing."""
    global _said
    if not _said:
        _said = True
        _write_stderr(fixed("interrupted"))


def _handler(signum: int, frame: FrameType | None) -> None:
    global _pending, _requested
    if not _committed and not _holding:
        # Said by whoever catches it (report), not here: the exception may be lost on
        # the way (raised inside a callback Python ignores errors of), and then the run
        # must not have said "nothing was written" and go on to write: `committing`
        # raises it again.
        _requested = True
        raise KeyboardInterrupt
    if _pending is None:
        _pending = signum  # held: written (finish, and say so), or a step that must end
        return
    _write_stderr(fixed("interrupted_after_commit"))
    os._exit(EXIT_INTERRUPTED)


def _unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    """An interrupt raised where Python cannot raise it (a weakref callback, a
    destructor) is noted already (``_requested``: :func:`committing` raises it again, so
    nothing is written after it): not printed as "Exception ignored … Traceback" on the
    user's screen. Anything else as Python prints it."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt) and _requested:
        return
    sys.__unraisablehook__(unraisable)


def install() -> None:
    """Route the signals that ask a run to stop (Ctrl-C, SIGTERM; SIGHUP on POSIX,
    Ctrl-Break on Windows: those the platform has) through the handler."""
    global _installed
    from chuyi_cli.platform import termination_signals

    sys.unraisablehook = _unraisable

    for name in termination_signals():
        number = getattr(signal, name, None)
        if number is None:
            continue
        try:
            if signal.getsignal(number) is signal.SIG_IGN:
                continue  # (nohup: the caller asked for this signal to be ignored)
            signal.signal(number, _handler)
        except (OSError, ValueError):  # not the main thread, or not allowed here
            continue
        _installed = True


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Interrupts wait until the block ends, then stop the command as usual: for steps
    that must not be cut in two (a file created and its name remembered)."""
    global _holding, _pending, _requested
    before = _holding
    _holding = True
    try:
        yield
    finally:
        _holding = before
        if not before and not _committed and _pending is not None:
            _pending = None
            _requested = True
            report()
            raise KeyboardInterrupt


def committing() -> None:
    """Called just before a write becomes permanent (COMMIT, a rename into place): from
    here on an interrupt waits until the command has said what it did."""
    global _committed
    if _requested:  # an interrupt came and was lost on the way: stop before the commit
        raise KeyboardInterrupt
    _committed = True


def requested() -> bool:
    """True once an interrupt asked this run to stop before it committed (an error that
    wraps its KeyboardInterrupt, as a class body's __set_name__ does, is that interrupt)."""
    return _requested


def not_committed() -> None:
    """The commit failed after all (disk full): interrupts stop the command again."""
    global _committed, _pending
    _committed = False
    if _pending is not None and _installed:
        _pending = None
        raise KeyboardInterrupt


def _ignore_from_now() -> None:
    """The command has ended and said how: an interrupt now would only turn its exit
    into a kill (the interpreter puts the default handlers back as it shuts down)."""
    if not _installed:
        return
    from chuyi_cli.platform import termination_signals

    for name in termination_signals():
        number = getattr(signal, name, None)
        if number is not None:
            with contextlib.suppress(OSError, ValueError):
                signal.signal(number, signal.SIG_IGN)


def main() -> None:
    """The ``chuyi`` entry point: handlers first, then the command line."""
    code: object = 0
    try:
        install()
        from chuyi_cli.cli import main as run

        try:
            run()
        except SystemExit as exc:
            code = exc.code
        if code == EXIT_INTERRUPTED and _requested:
            report()  # (stopped where typer turned it into exit 130 without a word)
    except KeyboardInterrupt:
        report()
        code = EXIT_INTERRUPTED
    except Exception:
        if not _requested:
            raise
        report()  # (an interrupt that came wrapped in another error during an import)
        code = EXIT_INTERRUPTED
    _ignore_from_now()
    if _said or _pending is not None:
        # Interrupted, and said how it ended: end exactly so, without the interpreter's
        # shutdown, where an interrupt raised earlier can still turn the exit into a kill.
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(code if isinstance(code, int) else 1)
    sys.exit(code if isinstance(code, (int, str)) or code is None else 1)
