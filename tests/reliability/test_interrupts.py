"""Ctrl-C and SIGTERM at random moments of every command that writes: each run either
completes and says so, or writes nothing and says ``interrupted; nothing was written``
(exit 130). Never a traceback, never a write that was not announced, never a temporary
file left behind.

A signal is sent once chuyi's own handlers are in place (read from /proc/PID/status):
before that the interpreter is still starting, which no program can govern.
"""

from __future__ import annotations

import csv
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from chuyi_cli.store import Store
from tests.processes import as_a_terminal_starts_it
from tests.runner import run_here

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/status").exists(),
    reason="needs /proc/PID/status to see when chuyi's signal handlers are in place",
)

TRIES = int(os.environ.get("CHUYI_INTERRUPT_TRIES", "10"))
SAID = "interrupted; nothing was written"
# The rows an import stores, and the entries a repair goes through: enough that most of a
# run, from its handlers in place to its end, is that work.
ROWS = 1500


def env_for(db: Path) -> dict[str, str]:
    env = {**os.environ, "CHUYI_DB": str(db), "CHUYI_BUSY_TIMEOUT": "30", "NO_COLOR": "1"}
    env.update(LANG="en_US.UTF-8", CHUYI_LANG="en", CHUYI_USER="tester")
    env.pop("LC_ALL", None)
    return env


def handlers_ready(proc: subprocess.Popen, timeout: float = 30.0) -> bool:
    """Wait until the process catches SIGTERM (chuyi's handlers installed) or ends."""
    bit = 1 << (signal.SIGTERM - 1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                if line.startswith("SigCgt:") and int(line.split()[1], 16) & bit:
                    return True
        except (OSError, ValueError):
            pass
        if proc.poll() is not None:
            return False
        time.sleep(0.0005)
    raise AssertionError("chuyi never installed its SIGTERM handler")


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float  # from the handlers being in place to the end


def run(env: dict[str, str], args: list[str], delay: float | None, sig: int) -> Run:
    """``args`` ending in ``-`` ``PATH``: PATH is the standard input of ``import -``."""
    stdin = None
    if len(args) > 2 and args[-2] == "-":
        stdin = open(args[-1], "rb")  # noqa: SIM115 (closed below)
        args = args[:-1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "chuyi_cli", *args],
        env=env,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=as_a_terminal_starts_it,
    )
    if stdin is not None:
        stdin.close()
    ready = handlers_ready(proc)
    assert ready or delay is None, "chuyi ended without handling SIGTERM"
    start = time.monotonic()
    if delay is not None:
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(sig)
    out, err = proc.communicate(timeout=120)
    return Run(proc.returncode, out, err, time.monotonic() - start)


def completed(result: Run) -> bool:
    """True for a run that completed and said so, False for one that said it wrote
    nothing; anything else fails the test."""
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    if result.returncode == 130:
        assert SAID in result.stderr, result.stderr
        return False
    assert result.returncode == 0, (result.returncode, result.stderr)
    return True


def interrupt_many(
    env: dict[str, str],
    args_for: Callable[[int], list[str]],
    verify: Callable[[int, bool, Run], None],
    tries: int = TRIES,
    seed: int = 10,
) -> Counter:
    """Run the command ``tries`` times, interrupting each at a random moment (half of them
    late, near its commit), alternating SIGINT and SIGTERM; ``verify`` checks each."""
    calibration = run(env, args_for(-1), None, signal.SIGINT)
    assert completed(calibration)
    verify(-1, True, calibration)
    span = calibration.seconds
    rng = random.Random(seed)
    seen: Counter = Counter()
    for i in range(tries):
        late = i % 2 == 1
        delay = rng.uniform(0.6 * span, 1.1 * span) if late else rng.uniform(0, span)
        sig = signal.SIGTERM if i % 4 >= 2 else signal.SIGINT
        result = run(env, args_for(i), delay, sig)
        done = completed(result)
        verify(i, done, result)
        seen["completed" if done else "interrupted"] += 1
    return seen


def entries_where(db: Path, sql: str, *params: object) -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute(f"SELECT count(*) FROM entry WHERE {sql}", params).fetchone()[0]
    finally:
        con.close()


def assert_sound(db: Path, folder: Path | None = None) -> None:
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    with Store.open(db) as store:
        assert store.derived_in_step()
    if folder is not None:
        assert not [p.name for p in folder.iterdir() if "chuyi-tmp" in p.name]


def seed_id(i: int) -> str:
    return f"{i:08x}-5eed-4000-8000-{i:012x}"


def seed_history(db: Path, tmp_path: Path, rows: int) -> None:
    sheet = tmp_path / "seed.csv"
    with sheet.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "target", "unit", "region", "stage", "observed", "recorder"])
        for i in range(rows):
            out.writerow(
                [
                    seed_id(i),
                    "training-bases",
                    f"基地{i}",
                    "430100",
                    "building",
                    "2024-03-05",
                    "k",
                ]
            )
    done = run_here(env_for(db), "import", str(sheet))  # (no interrupt here: in-process)
    assert done.returncode == 0, done.stderr


def test_interrupted_record_is_stored_exactly_when_announced(tmp_path):
    db = tmp_path / "r.db"
    env = env_for(db)
    seed_history(db, tmp_path, 200)

    def args(i: int) -> list[str]:
        return ["record", "training-bases", f"中断{i}", "--region", "长沙", "--stage", "selected"]

    def verify(i: int, done: bool, result: Run) -> None:
        stored = entries_where(db, "unit = ?", f"中断{i}")
        assert stored == (1 if done else 0), (i, done, result.stderr)
        if done:
            assert f"中断{i}" in result.stdout

    seen = interrupt_many(env, args, verify, tries=2 * TRIES)
    assert seen["interrupted"] and seen["completed"], seen
    assert_sound(db)


def test_interrupted_void_is_stored_exactly_when_announced(tmp_path):
    db = tmp_path / "v.db"
    env = env_for(db)
    seed_history(db, tmp_path, TRIES + 1)

    def args(i: int) -> list[str]:
        return ["void", seed_id(i + 1), "--reason", "记错"]

    def verify(i: int, done: bool, result: Run) -> None:
        stored = entries_where(db, "voids = ?", seed_id(i + 1))
        assert stored == (1 if done else 0), (i, done, result.stderr)

    interrupt_many(env, args, verify)
    assert_sound(db)


def test_interrupted_import_stores_all_or_nothing(tmp_path):
    db = tmp_path / "i.db"
    env = env_for(db)
    rows = ROWS

    def sheet(i: int) -> Path:
        path = tmp_path / f"sheet{i}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(["target", "unit", "region", "stage", "observed", "recorder"])
            for n in range(rows):
                out.writerow(
                    ["training-bases", f"校{i}-{n}", "430100", "selected", "2024-03-05", "k"]
                )
        return path

    def args(i: int) -> list[str]:
        return ["import", str(sheet(i))]

    def verify(i: int, done: bool, result: Run) -> None:
        stored = entries_where(db, "unit LIKE ?", f"校{i}-%")
        assert stored == (rows if done else 0), (i, done, stored, result.stderr)
        if done:
            assert f"added {rows}" in result.stdout

    interrupt_many(env, args, verify)
    assert_sound(db)


def test_interrupted_import_from_standard_input_leaves_no_copy(tmp_path):
    db = tmp_path / "s.db"
    spool = tmp_path / "spool"
    spool.mkdir()
    env = {**env_for(db), "TMPDIR": str(spool)}
    rows = ROWS

    def sheet(i: int) -> Path:
        path = tmp_path / f"piped{i}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(["target", "unit", "region", "stage", "observed", "recorder"])
            for n in range(rows):
                out.writerow(
                    ["training-bases", f"管{i}-{n}", "430100", "selected", "2024-03-05", "k"]
                )
        return path

    def verify(i: int, done: bool, result: Run) -> None:
        stored = entries_where(db, "unit LIKE ?", f"管{i}-%")
        assert stored == (rows if done else 0), (i, done, stored, result.stderr)
        assert list(spool.iterdir()) == []  # the copy of standard input is gone

    seen = interrupt_many(env, lambda i: ["import", "-", str(sheet(i))], verify, seed=12)
    assert seen["interrupted"], seen
    assert_sound(db)


def test_interrupted_export_and_backup_leave_their_file_whole_or_absent(tmp_path):
    db = tmp_path / "e.db"
    env = env_for(db)
    seed_history(db, tmp_path, 3000)
    out = tmp_path / "out"
    out.mkdir()

    def export_args(i: int) -> list[str]:
        return ["export", "-o", str(out / f"x{i}.csv")]

    def export_verify(i: int, done: bool, result: Run) -> None:
        path = out / f"x{i}.csv"
        if done:
            assert "exported 3000 entries" in result.stderr
            assert len(path.read_text(encoding="utf-8-sig").splitlines()) == 3001
        else:
            assert not path.exists()
        assert not [p.name for p in out.iterdir() if "chuyi-tmp" in p.name]

    def backup_args(i: int) -> list[str]:
        return ["backup", str(out / f"b{i}.db")]

    def backup_verify(i: int, done: bool, result: Run) -> None:
        path = out / f"b{i}.db"
        if done:
            assert "backed up 3000 entries" in result.stdout
            assert entries_where(path, "1") == 3000
        else:
            assert not path.exists()
        assert not [p.name for p in out.iterdir() if "chuyi-tmp" in p.name]

    interrupt_many(env, export_args, export_verify)
    interrupt_many(env, backup_args, backup_verify, seed=11)
    assert_sound(db, out)


def test_interrupted_repair_leaves_the_present_in_step(tmp_path):
    db = tmp_path / "c.db"
    env = env_for(db)
    seed_history(db, tmp_path, ROWS)

    def verify(i: int, done: bool, result: Run) -> None:
        if done:
            assert result.stdout.strip() == "ok"
        assert_sound(db)

    interrupt_many(env, lambda i: ["check", "--repair"], verify)


SECOND = """
import os, signal, time
from chuyi_cli import interrupts
interrupts.install()
interrupts.committing()
os.kill(os.getpid(), signal.SIGTERM)
print("held", flush=True)
os.kill(os.getpid(), signal.SIGTERM)
time.sleep(5)
print("not reached", flush=True)
"""


def test_a_second_interrupt_after_the_commit_stops_at_once_saying_it_was_kept(tmp_path):
    """Once written, the first interrupt is held and the second ends the run, saying
    that what was written is kept."""
    env = env_for(tmp_path / "unused.db")
    result = subprocess.run(
        [sys.executable, "-c", SECOND], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 130
    assert result.stdout == "held\n"
    assert "interrupted; what was written before is kept whole" in result.stderr
