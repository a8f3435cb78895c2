"""Several writers at once, readers in a loop, and kill -9 in the middle of an import."""

from __future__ import annotations

import contextlib
import csv
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chuyi_cli.cli import app
from tests.processes import run_chuyi
from tests.runner import ChuyiRunner

# Each loop builds only the commands it runs, as a process of `chuyi` does (cli.main), and
# builds them once, as that process does, then runs them again and again.
WRITER = """
import sys
import typer.main
from chuyi_cli.cli import app
app.registered_commands[:] = [c for c in app.registered_commands if c.name == "record"]
chuyi = typer.main.get_command(app)
name, count = sys.argv[1], int(sys.argv[2])
for i in range(count):
    try:
        chuyi(
            ["record", "training-bases", f"{name}-{i}", "--stage", "accepted", "--by", name],
            standalone_mode=False,
        )
    except SystemExit as exc:
        if exc.code:
            sys.exit(exc.code)
"""

READER = """
import sys, io, contextlib
import typer.main
from chuyi_cli.cli import app
app.registered_commands[:] = [
    c for c in app.registered_commands if c.name in ("status", "export")
]
chuyi = typer.main.get_command(app)
deadline = float(sys.argv[1])
import time
while time.time() < deadline:
    for args in (["status", "--json"], ["export"]):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            try:
                chuyi(args, standalone_mode=False)
            except SystemExit as exc:
                if exc.code:
                    sys.exit(exc.code)
"""


def env_for(db: Path) -> dict[str, str]:
    return {**os.environ, "CHUYI_DB": str(db), "CHUYI_BUSY_TIMEOUT": "30", "NO_COLOR": "1"}


def start_writers(env: dict[str, str], count: int, each: int) -> list[subprocess.Popen]:
    """A fresh database, then ``count`` processes recording ``each`` entries at once."""
    create = "import os; from chuyi_cli.store import Store; Store.open(os.environ['CHUYI_DB'])"
    subprocess.run([sys.executable, "-c", create], env=env, check=True, capture_output=True)
    return [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, f"w{n}", str(each)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for n in range(count)
    ]


@pytest.mark.slow
def test_four_writers_and_a_reader(tmp_path):
    db = tmp_path / "busy.db"
    env = env_for(db)
    writers = start_writers(env, count=4, each=250)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(time.time() + 600)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    errors = []
    for w in writers:
        _, err = w.communicate(timeout=600)
        errors.append((w.returncode, err.decode()))
    reader.send_signal(signal.SIGTERM)
    reader.communicate(timeout=60)
    assert errors == [(0, "")] * 4
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT count(*) FROM entry").fetchone()[0] == 1000
    assert con.execute("SELECT count(DISTINCT unit) FROM entry").fetchone()[0] == 1000
    assert con.execute("SELECT count(*) FROM unit_state").fetchone()[0] == 1000


def write_big_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["target", "unit", "region", "stage", "observed", "recorder"])
        for i in range(rows):
            out.writerow(["training-bases", f"基地{i}", "430100", "accepted", "2024-03-05", "k"])


def entries_in(db: Path) -> int:
    """How many entries the file holds (none where there is no file or no table yet), and
    that SQLite finds it sound."""
    if not db.exists():
        return 0
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = con.execute("SELECT count(*) FROM sqlite_master WHERE name='entry'")
        return (
            con.execute("SELECT count(*) FROM entry").fetchone()[0] if tables.fetchone()[0] else 0
        )
    finally:
        con.close()


@pytest.mark.slow
def test_kill_9_during_import_leaves_none_or_all(tmp_path):
    big = tmp_path / "big.csv"
    rows = 2_000
    write_big_csv(big, rows)
    # How long the whole import takes here, once: the kills fall anywhere in that span
    # (the interpreter starting, the rows going in, the commit, just after).
    started = time.monotonic()
    whole = run_chuyi(env_for(tmp_path / "whole.db"), "import", str(big))
    span = time.monotonic() - started
    assert whole.returncode == 0 and entries_in(tmp_path / "whole.db") == rows, whole.stderr
    rng = random.Random(7)
    outcomes = []
    for attempt in range(20):
        db = tmp_path / f"crash{attempt}.db"
        proc = subprocess.Popen(
            [sys.executable, "-m", "chuyi_cli", "import", str(big)],
            env=env_for(db),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        with contextlib.suppress(subprocess.TimeoutExpired):  # (it may be done by then)
            proc.wait(timeout=rng.uniform(0.05, 1.1 * span))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        count = entries_in(db)
        assert count in (0, rows), (attempt, count)
        # A new database takes its name only once the import is done: killed inside it,
        # the import leaves its unfinished database under a temporary name, never a
        # database at the name given.
        unfinished = any(tmp_path.glob(f".{db.name}.*.chuyi-tmp"))
        outcomes.append((count, db.exists() or unfinished))
        if not any(tmp_path.glob(f"*{db.name}*")):
            continue  # (killed before it wrote a file: the import again is `whole` above)
        # The import again (through the CliRunner: the same command, no new interpreter).
        done = ChuyiRunner().invoke(app, ["import", str(big)], env={"CHUYI_DB": str(db)})
        assert done.exit_code == 0, done.stderr
        assert entries_in(db) == rows
    print(f"import {span:.2f} s; entries left by each kill, and whether the file was made:")
    print(outcomes)
    # At least one kill landed inside the import: its database begun, none of its rows kept.
    assert (0, True) in outcomes


def _until_stored(db: Path, count: int, writers: list[subprocess.Popen]) -> None:
    """Waits until ``db`` holds ``count`` entries, or until every writer has ended."""
    con = sqlite3.connect(db, timeout=30)
    try:
        while any(w.poll() is None for w in writers):
            if con.execute("SELECT count(*) FROM entry").fetchone()[0] >= count:
                return
            time.sleep(0.01)
    finally:
        con.close()


@pytest.mark.slow
def test_backup_while_writers_run_holds_a_prefix_of_history(tmp_path):
    db = tmp_path / "live.db"
    env = env_for(db)
    writers = start_writers(env, count=3, each=150)
    copies = []
    try:
        for k in range(4):
            # Each copy once the writers are that far on (90, 180, 270, 360 of 450).
            _until_stored(db, 90 * (k + 1), writers)
            copy = tmp_path / f"copy{k}.db"
            done = run_chuyi(env, "backup", str(copy))
            assert done.returncode == 0, done.stderr
            copies.append(copy)
    finally:
        for w in writers:
            w.communicate(timeout=600)
    assert all(w.returncode == 0 for w in writers)
    final = sqlite3.connect(db)
    order = {row[0]: row[1] for row in final.execute("SELECT id, seq FROM entry")}
    counts = []
    for copy in copies:
        con = sqlite3.connect(copy)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        ids = [row[0] for row in con.execute("SELECT id FROM entry ORDER BY seq")]
        # A prefix: every entry the copy holds is in the final history at the same place,
        # and nothing the final history had before the copy's last entry is missing.
        assert [order[i] for i in ids] == list(range(1, len(ids) + 1))
        assert con.execute("SELECT count(*) FROM unit_state").fetchone()[0] == len(ids)
        counts.append(len(ids))
        con.close()
    print("entries in the copies:", counts)
    assert counts == sorted(counts) and counts[-1] <= 450
    assert final.execute("SELECT count(*) FROM entry").fetchone()[0] == 450
