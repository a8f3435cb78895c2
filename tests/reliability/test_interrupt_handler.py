"""The interrupt handler in the corners a real process reaches only by chance: a signal
in the middle of the renderer's import, and one whose exception Python swallows.

Each runs in a process of its own, with the handlers ``chuyi`` installs (``install``) and
a real signal sent to itself at the moment in question."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from chuyi_cli import i18n
from tests.processes import ROOT, as_a_terminal_starts_it

HALF_IMPORTED = """
import signal, sys, types
from chuyi_cli import i18n, interrupts
interrupts.install()
for name in ("chuyi_cli.wrapping", "chuyi_cli.render"):
    sys.modules[name] = types.ModuleType(name)  # no names yet
i18n.set_lang("zh")
try:
    signal.raise_signal(signal.SIGINT)
except KeyboardInterrupt:
    interrupts.report()
"""

LOST = """
import signal, sys
from chuyi_cli import interrupts
from chuyi_cli.store import Store
interrupts.install()
store = Store.open(sys.argv[1])
try:
    with store.write() as db:
        db.execute("CREATE TABLE scratch (x INTEGER) STRICT")
        try:
            signal.raise_signal(signal.SIGTERM)
        except KeyboardInterrupt:
            pass  # lost, as in a callback
        db.execute("INSERT INTO scratch VALUES (1)")
except KeyboardInterrupt:
    print("stopped before the commit")
names = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master")}
print("scratch" in names)
store.close()
"""

# A signal landing between BEGIN and the block of a write: the transaction's context is
# entered (its generator stopped at its yield) but its exit never runs. The store is
# closed on the way out, and the generator is let go afterwards, on a closed connection.
BETWEEN = """
import gc, signal, sys
from chuyi_cli import interrupts
from chuyi_cli.store import Store
interrupts.install()
store = Store.open(sys.argv[1])
try:
    entered = store.write()
    db = entered.__enter__()
    db.execute("CREATE TABLE scratch (x INTEGER) STRICT")
    signal.raise_signal(signal.SIGINT)
except KeyboardInterrupt:
    print("stopped before the block")
store.close()
del entered, db
gc.collect()
store = Store.open(sys.argv[1])
print("scratch" in {r[0] for r in store.db.execute("SELECT name FROM sqlite_master")})
store.close()
"""

# A signal landing inside a weakref callback (importlib's module locks have one, and a
# process that is still importing meets it): Python cannot raise from there and prints
# "Exception ignored in … Traceback" unless told otherwise.
IN_A_CALLBACK = """
import gc, signal, sys, weakref
from chuyi_cli import interrupts
interrupts.install()
class Lock: pass
lock = Lock()
keep = weakref.ref(lock, lambda ref: signal.raise_signal(signal.SIGINT))
del lock
gc.collect()
print(interrupts.requested())
try:
    interrupts.committing()
except KeyboardInterrupt:
    print("stopped before the commit")
"""


def run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={"PATH": "", "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"},
        timeout=60,
        check=False,
        preexec_fn=as_a_terminal_starts_it,
    )


def test_the_interrupt_is_said_while_the_renderer_is_half_imported() -> None:
    done = run(HALF_IMPORTED)
    assert done.returncode == 0, done.stderr
    assert done.stderr == i18n.MESSAGES["interrupted"][0] + "\n"


def test_an_interrupt_lost_on_the_way_still_stops_the_commit(tmp_path: Path) -> None:
    """Python ignores an exception raised in a weakref callback (importlib's module locks
    have one): the run goes on, and must not then commit what it said it would not."""
    done = run(LOST, str(tmp_path / "c.db"))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "stopped before the commit\nFalse\n"
    assert done.stderr == ""  # said once, by whoever catches it: nobody here


def test_an_interrupt_between_begin_and_the_block_leaves_nothing_and_says_nothing(
    tmp_path: Path,
) -> None:
    """The write's generator let go after its store closed finds its transaction already
    rolled back by the close: no "Exception ignored" on the user's screen, nothing kept."""
    done = run(BETWEEN, str(tmp_path / "b.db"))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "stopped before the block\nFalse\n"
    assert done.stderr == ""


def test_an_interrupt_python_cannot_raise_prints_no_traceback() -> None:
    """An interrupt inside a callback Python ignores errors of is noted, not printed as
    "Exception ignored … Traceback": the command stops at its commit and says so once."""
    done = run(IN_A_CALLBACK)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "True\nstopped before the commit\n"
    assert done.stderr == ""
