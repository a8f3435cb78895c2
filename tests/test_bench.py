"""The benchmark runs end to end at a tiny size, so it cannot rot (no timing is judged)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import output_encoding

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_bench_prints_every_figure(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "run.py"),
            "--n",
            "400",
            "--peer-n",
            "200",
            "--runs",
            "1",
            "--no-warm-up",
            "--no-hledger",
            "--keep",
            str(tmp_path / "work"),
        ],
        capture_output=True,
        text=True,
        encoding=output_encoding(),
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    names = " ".join(rows)
    for figure in (
        "import 400 rows",
        "import 400 rows vs sqlite-utils",
        "peak memory",
        "check on 400 entries",
        "export on 400 entries",
        "status on 400 entries",
        "summary on 400 entries",
        "start-up: status",
        "start-up: --help",
        "record on 400 entries",
        "report on 400 entries",
        "status vs hledger",
        "(a week back)",
        "(three years back)",
        "summary --since 30d",
        "summary --year 2022",
        "burn-up: peak memory",
    ):
        assert figure in names, figure
    # The header, fifteen figures, and the past's: three --as-of, two --since, a --year
    # for every year of the plan so far and the burn-up, each in time and in memory.
    past = 2 * (3 + 2 + (dt.date.today().year - 2021) + 1)
    assert len(rows) == 1 + 15 + past


@pytest.mark.slow
def test_bench_measures_the_server_and_leaves_no_database():
    import psycopg

    from tests.conftest import PG_ADMIN, make_conninfo

    bench = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--n", "400", "--runs", "1",
         "--no-warm-up", "--server-only", "--postgres", PG_ADMIN],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding=output_encoding(),
    )  # fmt: skip
    out, err = bench.communicate(timeout=600)
    assert bench.returncode == 0, err
    rows = [line for line in out.splitlines() if line.startswith("| server: ")]
    names = " ".join(rows)
    for figure in (
        "import 400 rows",
        "status on 400 entries",
        "record on 400 entries",
        "sync of 40 new entries",
    ):
        assert f"server: {figure} |" in names, figure
    assert len(rows) == 6 and not any("| skipped |" in row for row in rows), rows
    with psycopg.connect(make_conninfo(PG_ADMIN, dbname="postgres")) as conn:
        left = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s",
            (f"chuyi_bench_{bench.pid}%",),
        ).fetchall()
    assert left == []


def test_generator_is_deterministic(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import history, write_csv

    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    assert write_csv(history(3000, seed=3), a) == 3000
    write_csv(history(3000, seed=3), b)
    assert a.read_bytes() == b.read_bytes()
    text = a.read_text(encoding="utf-8")
    assert ",revoked," in text or ",accepted," in text
    assert text.count("\n") == 3001


def test_startup_breakdown_names_every_step(tmp_path):
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "startup.py"), "--runs", "1"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    for step in (
        "import typer",
        "import chuyi_cli.cli",
        "catalog from its cache",
        "open the database",
        "read the tally",
        "progress arithmetic",
        "draw the table",
        "typer: build, parse, dispatch",
        "interpreter start and exit",
        "in all",
    ):
        assert step in result.stdout, step


@pytest.mark.slow
def test_bench_runs_chosen_figures_on_a_given_database(tmp_path):
    """--only check,import with --db and --csv: those figures alone, the database given
    read as it is (never written) and the file given imported, its rows counted."""
    csv_file, db = tmp_path / "history.csv", tmp_path / "given.db"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "300", str(csv_file)],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [sys.executable, "-m", "chuyi_cli", "--db", str(db), "import", str(csv_file)],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    before = db.read_bytes()
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--runs", "1",
         "--no-warm-up", "--only", "check,import", "--db", str(db), "--csv", str(csv_file)],
        capture_output=True,
        text=True,
        encoding=output_encoding(),
        check=False,
        timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    names = " ".join(line for line in result.stdout.splitlines() if line.startswith("| "))
    for figure in ("import 300 rows", "check on 300 entries", "export on 300 entries"):
        assert figure in names, (figure, result.stdout)
    for other in ("status on", "report on", "summary --year", "status vs hledger"):
        assert other not in names, (other, result.stdout)
    assert db.read_bytes() == before
