"""The shared server under load: sixteen offices recording at once while two readers
loop on status, and the server's backend killed in the middle of imports."""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import PgServer
from tests.processes import ROOT

# Each process builds only the command it runs, and once, as a chuyi process does
# (cli.main), then runs it again and again.
WRITER = """
import sys
import typer.main
from chuyi_cli.cli import app
app.registered_commands[:] = [c for c in app.registered_commands if c.name == "record"]
chuyi = typer.main.get_command(app)
name, count = sys.argv[1], int(sys.argv[2])
for i in range(count):
    try:
        chuyi(["record", "training-bases", f"{name}-{i}", "--region", "长沙", "--stage",
             "accepted"], standalone_mode=False)
    except SystemExit as exc:
        if exc.code:
            sys.exit(exc.code)
"""

READER = """
import sys, io, contextlib, json, time
import typer.main
from chuyi_cli.cli import app
app.registered_commands[:] = [c for c in app.registered_commands if c.name == "status"]
chuyi = typer.main.get_command(app)
stop, parent = sys.argv[1], int(sys.argv[2])
import os
reads = 0
# (stops with the test, or when the test run itself is gone)
while not os.path.exists(stop) and os.getppid() == parent:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            chuyi(["status", "--json"], standalone_mode=False)
        except SystemExit as exc:
            if exc.code:
                sys.exit(exc.code)
    json.loads(out.getvalue())
    reads += 1
print(reads)
"""


def _env(conninfo: str) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "CHUYI_DB": conninfo, "NO_COLOR": "1", "PYTHONPATH": path}


def _entries(server: PgServer) -> int:
    with server.admin() as conn:
        return int(conn.execute("SELECT count(*) FROM chuyi.entry").fetchone()[0])


@pytest.mark.slow
def test_sixteen_offices_record_at_once_while_two_read(chuyi, pg_server, tmp_path):
    pg_server.reset()
    # 16 × 100 as the issue asks with CHUYI_LOAD_RECORDS=100 (minutes on a shared
    # machine); 16 × 10 in the suite.
    writers, each = 16, int(os.environ.get("CHUYI_LOAD_RECORDS", "10"))
    logins = [pg_server.login(f"w{n}") for n in range(writers)]
    for login in logins:
        chuyi(
            "--db", pg_server.conninfo, "server", "grant", login, "--recorder", "--region", "长沙"
        )
    stop = tmp_path / "stop"
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", READER, str(stop), str(os.getpid())],
            env=_env(pg_server.conninfo),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    started = time.perf_counter()
    running = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, login, str(each)],
            env=_env(pg_server.as_login(login)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for login in logins
    ]
    errors = [p.communicate(timeout=900)[1] for p in running]
    took = time.perf_counter() - started
    stop.touch()
    reads = [p.communicate(timeout=120) for p in readers]
    assert [p.returncode for p in running] == [0] * writers, errors
    assert all(e == "" for e in errors), errors
    assert [p.returncode for p in readers] == [0, 0], reads
    assert all(err == "" and int(out) > 0 for out, err in reads), reads
    assert _entries(pg_server) == writers * each
    assert chuyi("--db", pg_server.conninfo, "check").exit_code == 0  # projection in step
    status = chuyi.json("--db", pg_server.conninfo, "status")
    bases = next(t for t in status["targets"] if t["id"] == "training-bases")
    assert bases["achieved"] == writers * each
    print(f"\n{writers * each} records by {writers} processes in {took:.1f} s:"
          f" {writers * each / took:.0f} records/s")  # fmt: skip


def _sheet(path: Path, rows: int, recorder: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["target", "unit", "region", "stage", "observed", "recorder"])
        for i in range(rows):
            out.writerow(["training-bases", f"校{i}", "长沙", "selected", "2025-06-01", recorder])


def _connected(server: PgServer, tag: str, importing: subprocess.Popen[str]) -> bool:
    """Whether the import's connection (its ``application_name``) reached the server:
    waits until it is there, or until the import has ended without it."""
    with server.admin() as conn:
        while importing.poll() is None:
            found = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (tag,)
            ).fetchone()
            if found[0]:
                return True
            time.sleep(0.01)
    return False


# Two batches of COPY in the one transaction of an import (chuyi_cli/exchange/importing.py
# stores 5,000 entries at a time).
ROWS = 10_000


@pytest.mark.slow
def test_an_import_killed_on_the_server_is_all_or_nothing(chuyi, pg_server, tmp_path):
    """The server's backend killed at a random moment of a 10,000-row import, ten times:
    each time nothing or everything is stored; the import run again completes."""
    pg_server.reset()
    login = pg_server.login("importer")
    chuyi("--db", pg_server.conninfo, "server", "grant", login, "--recorder", "--region", "湖南省")
    sheet = tmp_path / "big.csv"
    _sheet(sheet, ROWS, login)
    tag = f"chuyi-import-{uuid.uuid4().hex[:8]}"
    conninfo = pg_server.as_login(login) + f" application_name={tag}"
    env = _env(conninfo)
    rng = random.Random(16)
    # The kills fall within this span from the import's connection on; an import done
    # before its kill narrows it to the span that import took.
    within, killed = 2.0, 0
    for _ in range(10):
        importing = subprocess.Popen(
            [sys.executable, "-m", "chuyi_cli", "--lang", "en", "import", str(sheet)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert _connected(pg_server, tag, importing), importing.communicate()
        began = time.monotonic()
        try:
            importing.wait(timeout=rng.uniform(0, within))
        except subprocess.TimeoutExpired:
            with pg_server.admin() as conn:
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name = %s",
                    (tag,),
                )
        else:
            within = time.monotonic() - began
        out, err = importing.communicate(timeout=600)
        stored = _entries(pg_server)
        assert stored in (0, ROWS), (stored, out, err)
        if importing.returncode != 0:
            assert importing.returncode == 75, err
            assert "nothing of this command was committed" in err, err
            assert stored == 0
            killed += 1
        elif stored:
            pg_server.reset()  # (the next kill falls in an import into the same history)
    assert killed, "no kill landed inside an import"
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "chuyi_cli", "import", str(sheet)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert _entries(pg_server) == ROWS
    assert chuyi("--db", pg_server.conninfo, "check").exit_code == 0
    print(f"\n{killed} of 10 imports killed; the import again took"
          f" {time.perf_counter() - started:.1f} s")  # fmt: skip
