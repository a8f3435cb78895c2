"""Measure chuyi side by side with its yardsticks, in one run, as ratios.

    python bench/run.py [--quick] [--n N] [--runs R] [--no-warm-up] [--import-runs R]
                        [--keep DIR] [--no-hledger] [--postgres [CONNINFO]] [--server-only]
                        [--only GROUPS] [--db FILE] [--csv FILE]

``--only import,check`` runs those groups of figures alone (import, reads, report, check,
past, hledger; check holds check and export); ``--db`` measures the reads, report, check
and the past on that database instead of one imported here (no entry is recorded into
it, but chuyi upgrades a file of an older schema as it opens it: give it a copy);
``--csv`` imports that file instead of one generated here.

Every command runs as a fresh process; each figure is the median of R runs (5 unless
--runs says otherwise) after one warm-up (none with --no-warm-up). Times are wall-clock;
memory is the child's peak resident set (ru_maxrss). The table names each figure, its two
sides, the ratio and the limit it is held to. Nothing here is a test: the machine is
shared and noisy, so read the ratios, not the milliseconds.

--postgres adds the shared server's figures (a PostgreSQL server, by default the local
socket as the superuser postgres; CONNINFO names another, as psql takes one, without a
database): the same history imported into a database of its own (chuyi_bench_<pid>,
made with `chuyi server init`) and into a SQLite file side by side, then status, record
and sync against their SQLite yardsticks. Its databases are dropped at the end unless
--keep. --server-only measures these figures alone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent

# The installed command, as users run it (python -m chuyi_cli where it is not installed),
# running this checkout's code (PYTHONPATH, below): an editable install elsewhere, or an
# older wheel, would measure other code.
_CHECKOUT = str(HERE.parent)
sys.path.insert(0, _CHECKOUT)
_SCRIPT = Path(sys.executable).parent / "chuyi"
CHUYI = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "chuyi_cli"]
# One visit recorded (the same visit every round: --again).
RECORD = [*CHUYI, "record", "training-bases", "基准测试基地", "--region", "长沙",
          "--date", "2024-01-02", "--stage", "accepted", "--again"]  # fmt: skip


def generate(n: int, csv_file: Path, journal: Path | None = None) -> None:
    """Write the history in a child process, so this one stays small: a child forked from
    a large parent would report the parent's memory as its own peak."""
    if csv_file.exists() and journal is None:
        return
    cmd = [sys.executable, str(HERE / "generate.py"), str(n), str(csv_file)]
    if journal is not None:
        cmd += ["--journal", str(journal)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


@dataclass
class Sample:
    seconds: float
    peak_mib: float


def run_once(cmd: Sequence[str], env: dict[str, str], stdin: str | None = None) -> Sample:
    """One fresh process: wall time and peak memory (from wait4, this child alone)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
    )
    if stdin is not None:
        assert proc.stdin is not None
        proc.stdin.write(stdin.encode())
        proc.stdin.close()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 3):
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err}")
    return Sample(seconds, usage.ru_maxrss / 1024)


# A database named by CHUYI_DB is made by a writing command, never by status: made so.
CREATE = "import sys; from chuyi_cli.store import Store; Store.open(sys.argv[1]).close()"


def remove_db(path: Path) -> None:
    """A SQLite file gone, with its write-ahead log and its index."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def fresh_db(path: Path, env: dict[str, str]) -> None:
    """A new, empty chuyi database at ``path`` (any earlier one gone)."""
    remove_db(path)
    run_once([sys.executable, "-c", CREATE, str(path)], env)


@dataclass
class Job:
    cmd: Sequence[str]
    env: dict[str, str]
    before: Callable[[], None] | None = None


# Whether a figure's runs follow a warm-up round (--no-warm-up: not; the tests' runs of
# the bench, which check that every figure is measured, not what it measures).
WARM_UP = True


def measure_together(jobs: dict[str, Job], runs: int, warm: bool = True) -> dict[str, Sample]:
    """Run the jobs in turn, round after round, so that the machine's drift falls on all
    of them alike; each job's median time and largest peak."""
    warm = warm and WARM_UP
    samples: dict[str, list[Sample]] = {name: [] for name in jobs}
    for round_ in range(runs + (1 if warm else 0)):
        for name, job in jobs.items():
            if job.before:
                job.before()
            sample = run_once(job.cmd, job.env)
            if round_ or not warm:
                samples[name].append(sample)
    return {
        name: Sample(statistics.median(x.seconds for x in got), max(x.peak_mib for x in got))
        for name, got in samples.items()
    }


@dataclass
class Figure:
    name: str
    ours: str
    theirs: str
    ratio: float | None
    limit: str
    ok: bool | None
    detail: str = ""


def fmt_ms(sample: Sample) -> str:
    return f"{sample.seconds * 1000:.0f} ms"


def ratio_figure(
    name: str,
    ours_label: str,
    ours: Sample,
    theirs_label: str,
    theirs: Sample,
    limit: float,
    higher_is_better: bool = False,
) -> Figure:
    if higher_is_better:
        value = theirs.seconds / ours.seconds
        ok = value >= limit
        bound = f"≥ {limit:g}×"
    else:
        value = ours.seconds / theirs.seconds
        ok = value <= limit
        bound = f"≤ {limit:g}×"
    return Figure(
        name, f"{ours_label} {fmt_ms(ours)}", f"{theirs_label} {fmt_ms(theirs)}", value, bound, ok
    )


def print_table(figures: list[Figure], header: str) -> None:
    print(header)
    print()
    print("| figure | chuyi | yardstick | ratio | limit | holds |")
    print("|---|---|---|---|---|---|")
    for f in figures:
        ratio = "—" if f.ratio is None else f"{f.ratio:.2f}×"
        holds = {True: "yes", False: "**no**", None: "skipped"}[f.ok]
        print(f"| {f.name} | {f.ours} | {f.theirs} | {ratio} | {f.limit} | {holds} |")
    for f in figures:
        if f.detail:
            print(f"- {f.name}: {f.detail}")


def report_figures(db: Path, env: dict[str, str], work: Path, n: int, runs: int) -> list[Figure]:
    """`chuyi report` (the workbook, as of today: the year so far, its burn-up charts of
    every month end since the start) on the large database: whole, in time and memory."""
    out = work / "report.xlsx"
    got = measure_together({"report": Job([*CHUYI, "report", "-o", str(out)], env)}, runs)
    sample = got["report"]
    return [
        Figure(
            f"report on {n:,} entries",
            f"chuyi report {fmt_ms(sample)}",
            "—",
            None,
            "≤ 5 s",
            sample.seconds <= 5,
        ),
        Figure(
            f"report on {n:,} entries: peak memory",
            f"{sample.peak_mib:.0f} MiB",
            "—",
            None,
            "≤ 200 MiB",
            sample.peak_mib <= 200,
        ),
    ]


def hledger_available(install: bool) -> str | None:
    found = shutil.which("hledger")
    if found or not install:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("hledger is absent; installing Debian's package…", file=sys.stderr)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "hledger"],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    return shutil.which("hledger")


def sqlite_utils_available() -> str | None:
    """The sqlite-utils command, where one is installed and runs (pip install
    sqlite-utils: for this comparison only)."""
    found = shutil.which("sqlite-utils")
    if found is None:
        return None
    try:
        subprocess.run([found, "--version"], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return found


def history_figures(
    n: int, big: Path, env: dict[str, str], base_env: dict[str, str], runs: int
) -> list[Figure]:
    """`check` and `export` on the large history, beside what SQLite's own shell takes
    for the same work: PRAGMA integrity_check alone, and every entry as CSV."""
    sqlite_cli = shutil.which("sqlite3")
    if not sqlite_cli:
        return [
            Figure(f"{name} on {n:,} entries", "—", "sqlite3 shell absent", None, limit, None)
            for name, limit in (("check", "≤ 3×"), ("export", "≤ 3×"))
        ]
    got = measure_together(
        {
            "check": Job([*CHUYI, "check"], env),
            "integrity": Job([sqlite_cli, str(big), "PRAGMA integrity_check"], base_env),
            "export": Job([*CHUYI, "export"], env),
            "csv": Job([sqlite_cli, "-csv", str(big), "SELECT * FROM entry"], base_env),
        },
        runs,
    )
    return [
        ratio_figure(
            f"check on {n:,} entries",
            "chuyi check",
            got["check"],
            "PRAGMA integrity_check",
            got["integrity"],
            3.0,
        ),
        Figure(
            f"check on {n:,} entries: peak memory",
            f"{got['check'].peak_mib:.0f} MiB",
            "—",
            None,
            "≤ 150 MiB",
            got["check"].peak_mib <= 150,
        ),
        ratio_figure(
            f"export on {n:,} entries",
            "chuyi export",
            got["export"],
            "sqlite3 -csv 'select * from entry'",
            got["csv"],
            3.0,
        ),
    ]


# The burn-up series of `chuyi report` (achieved per target at every month end since the
# plan began), computed as the report computes it, in a fresh process.
BURN_UP = (
    "import datetime as dt, os;"
    "from chuyi_cli.annual import burn_up_series;"
    "from chuyi_cli.catalog import load_catalog;"
    "from chuyi_cli.report import status;"
    "from chuyi_cli.store import Store;"
    "plan = load_catalog(None); day = dt.date.today();"
    "store = Store.open(os.environ['CHUYI_DB']);"
    "print(len(burn_up_series(plan, store, status(plan, store, day).rows, day)))"
)


def past_figures(env: dict[str, str], runs: int, work: Path) -> list[Figure]:
    """status --as-of a week, a year and three years back, summary --since the year's
    first day and 30 days back, summary --year for every year of the plan, and the
    burn-up series, each against status now, side by side in the same rounds."""
    today = dt.date.today()
    asked: dict[str, list[str]] = {}
    for label, days in (("a week", 7), ("a year", 365), ("three years", 3 * 365)):
        day = (today - dt.timedelta(days=days)).isoformat()
        asked[f"status --as-of {day} ({label} back)"] = ["status", "--as-of", day]
    first = dt.date(today.year, 1, 1).isoformat()
    asked[f"summary --since {first}"] = ["summary", "--since", first]
    asked["summary --since 30d"] = ["summary", "--since", "30d"]
    for year in range(2022, today.year + 1):
        asked[f"summary --year {year}"] = ["summary", "--year", str(year)]
    jobs = {"status": Job([*CHUYI, "status"], env)}
    jobs |= {name: Job([*CHUYI, *args], env) for name, args in asked.items()}
    jobs["burn-up"] = Job([sys.executable, "-c", BURN_UP], env)
    got = measure_together(jobs, runs)
    found = []
    for name in [*asked, "burn-up"]:
        limit = 2.0 if name == "burn-up" else 1.5
        found.append(ratio_figure(name, "chuyi", got[name], "status", got["status"], limit))
        peak = got[name].peak_mib
        found.append(
            Figure(f"{name}: peak memory", f"{peak:.0f} MiB", "—", None, "≤ 80 MiB", peak <= 80)
        )
    return found


# ---------------------------------------------------------------------------- the server

SERVER = "host=/var/run/postgresql user=postgres"


def _conninfo(server: str, database: str) -> str:
    from psycopg.conninfo import make_conninfo

    return make_conninfo(server, dbname=database)


def _admin(server: str, *statements: str) -> list[str]:
    """Run statements on the server (as its maintenance database); the first row of each
    that returns one, as text."""
    code = (
        "import sys, psycopg\n"
        "with psycopg.connect(sys.argv[1], autocommit=True) as c:\n"
        "    for s in sys.argv[2:]:\n"
        "        cur = c.execute(s)\n"
        "        if cur.description: print(*cur.fetchone(), sep='\\t')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, _conninfo(server, "postgres"), *statements],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.splitlines()


def server_answers(server: str) -> str | None:
    """Why the server cannot be measured (None: it answers, as a superuser)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg absent (pip install 'chuyi[postgres]')"
    try:
        (superuser,) = _admin(server, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    except subprocess.CalledProcessError as exc:
        return f"no server: {exc.stderr.strip().splitlines()[-1] if exc.stderr else exc}"
    return None if superuser == "True" else "not a superuser (server init needs one)"


def _as_recorder(source: Path, dest: Path, login: str) -> None:
    """The history with every entry recorded by ``login``: a server takes entries only
    as the login that writes them."""
    import csv

    if dest.exists():
        return
    with (
        source.open(encoding="utf-8", newline="") as inp,
        dest.open("w", encoding="utf-8", newline="") as out,
    ):
        rows = csv.reader(inp)
        write = csv.writer(out)
        header = next(rows)
        at = header.index("recorder")
        write.writerow(header)
        for row in rows:
            row[at] = login
            write.writerow(row)


def server_figures(
    server: str,
    n: int,
    csv_file: Path,
    work: Path,
    base_env: dict[str, str],
    runs: int,
    import_runs: int,
    keep: bool,
) -> list[Figure]:
    """The shared server against SQLite, on the same entries: import (a fresh database
    each round, made by `chuyi server init`), status, record, and a sync of 10,000 new
    entries against importing them (a copy of the loaded database each round)."""
    why = server_answers(server)
    if why:
        return [
            Figure(f"server: {name}", "—", why, None, limit, None)
            for name, limit in (("import", "≤ 2×"), ("status", "≤ 1.5×"), ("record", "≤ 2×"),
                                ("sync", "≤ 1.5×"))
        ]  # fmt: skip
    (login,) = _admin(server, "SELECT current_user")
    main_db, copy_db = f"chuyi_bench_{os.getpid()}", f"chuyi_bench_{os.getpid()}_copy"
    main, copy = _conninfo(server, main_db), _conninfo(server, copy_db)
    env = {**base_env, "CHUYI_USER": login}

    def on(db: Path | str) -> dict[str, str]:
        return {**env, "CHUYI_DB": str(db)}

    history = work / f"history-{n}-{login}.csv"
    _as_recorder(csv_file, history, login)
    side = work / "server-side.db"  # the same entries in a SQLite file

    def fresh_server() -> None:
        _admin(server, f'DROP DATABASE IF EXISTS "{main_db}"', f'CREATE DATABASE "{main_db}"')
        run_once([*CHUYI, "server", "init"], on(main))

    def fresh_side() -> None:
        fresh_db(side, on(side))

    figures: list[Figure] = []
    try:
        got = measure_together(
            {
                "server": Job([*CHUYI, "import", str(history)], on(main), fresh_server),
                "sqlite": Job([*CHUYI, "import", str(history)], on(side), fresh_side),
            },
            import_runs,
            warm=False,
        )
        figures.append(
            ratio_figure(
                f"server: import {n:,} rows",
                "PostgreSQL",
                got["server"],
                "SQLite",
                got["sqlite"],
                2.0,
            )
        )
        figures.append(
            Figure(
                f"server: import {n:,} rows: peak memory",
                f"{got['server'].peak_mib:.0f} MiB",
                "—",
                None,
                "≤ 200 MiB",
                got["server"].peak_mib <= 200,
            )
        )
        got = measure_together(
            {
                "status server": Job([*CHUYI, "status"], on(main)),
                "status sqlite": Job([*CHUYI, "status"], on(side)),
                "record server": Job(RECORD, on(main)),
                "record sqlite": Job(RECORD, on(side)),
            },
            runs,
        )
        for command, limit in (("status", 1.5), ("record", 2.0)):
            figures.append(
                ratio_figure(
                    f"server: {command} on {n:,} entries",
                    "PostgreSQL",
                    got[f"{command} server"],
                    "SQLite",
                    got[f"{command} sqlite"],
                    limit,
                )
            )
        new_n = min(10_000, max(n // 10, 10))
        figures += _sync_figures(server, main_db, copy, side, work, on, new_n, import_runs)
    finally:
        if not keep:
            _admin(
                server,
                f'DROP DATABASE IF EXISTS "{copy_db}"',
                f'DROP DATABASE IF EXISTS "{copy_db}_import"',
                f'DROP DATABASE IF EXISTS "{main_db}"',
            )
    return figures


def _new_entries(work: Path, new_n: int, round_: int, login: str) -> Path:
    """The entries a laptop records offline in one round (another seed each round), as
    ``login``'s."""
    found = work / (f"new-{new_n}.csv" if not round_ else f"new-{new_n}-r{round_}.csv")
    if not found.exists():
        generated = found.with_name(found.stem + "-any.csv")
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), str(new_n), str(generated),
             "--seed", str(8 + round_)],
            check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        _as_recorder(generated, found, login)
    return found


def _sync_figures(
    server: str,
    main_db: str,
    copy: str,
    side: Path,
    work: Path,
    on: Callable[[Path | str], dict[str, str]],
    new_n: int,
    runs: int,
) -> list[Figure]:
    """A laptop that holds the server's history and has synced with it once (which leaves
    its mark: that first sync compares both histories whole), then records new_n entries
    offline each round: sync pushes those, against `chuyi import` of the same entries
    into another copy of the loaded database."""
    copy_db = _conninfo_dbname(copy)
    for name in (copy_db, f"{copy_db}_import"):
        _admin(
            server,
            f'DROP DATABASE IF EXISTS "{name}"',
            f'CREATE DATABASE "{name}" TEMPLATE "{main_db}" STRATEGY FILE_COPY',
        )
    yard = _conninfo(server, f"{copy_db}_import")
    env = {k: v for k, v in on(side).items() if k != "CHUYI_DB"}
    login = env["CHUYI_USER"]
    laptop = work / "laptop.db"
    remove_db(laptop)
    shutil.copy(side, laptop)
    first = run_once([*CHUYI, "--db", str(laptop), "sync", "--to", copy], env)
    files = [_new_entries(work, new_n, k, login) for k in range(runs)]
    offline, imported = iter(files), iter(files)
    current = {"laptop": work / "round-laptop.csv", "import": work / "round-import.csv"}

    def recorded_offline() -> None:
        shutil.copy(next(offline), current["laptop"])
        run_once([*CHUYI, "import", str(current["laptop"])], on(laptop))

    def to_import() -> None:
        shutil.copy(next(imported), current["import"])

    got = measure_together(
        {
            "sync": Job([*CHUYI, "--db", str(laptop), "sync", "--to", copy], env, recorded_offline),
            "import": Job([*CHUYI, "import", str(current["import"])], on(yard), to_import),
        },  # fmt: skip
        runs,
        warm=False,
    )
    figure = ratio_figure(
        f"server: sync of {new_n:,} new entries", "sync --to", got["sync"], "import",
        got["import"], 1.5,
    )  # fmt: skip
    figure.detail = (
        f"the first sync with that database (no mark yet: both histories compared whole)"
        f" took {fmt_ms(first)}"
    )
    return [
        figure,
        Figure(
            f"server: sync of {new_n:,} new entries: peak memory",
            f"{got['sync'].peak_mib:.0f} MiB",
            "—",
            None,
            "≤ 200 MiB",
            got["sync"].peak_mib <= 200,
        ),
    ]


def _conninfo_dbname(conninfo: str) -> str:
    from psycopg.conninfo import conninfo_to_dict

    return str(conninfo_to_dict(conninfo)["dbname"])


GROUPS = ("import", "reads", "report", "check", "past", "hledger")


def _arguments() -> argparse.Namespace:
    """The command line's options (``groups``: the groups of figures --only chose)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="20,000 entries instead of 1,000,000 (10,000 for hledger)",
    )
    parser.add_argument("--n", type=int, help="entries in the large history")
    parser.add_argument("--peer-n", type=int, help="entries in the hledger comparison")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (median)")
    parser.add_argument(
        "--no-warm-up", action="store_true", help="no warm-up round before a figure's runs"
    )
    parser.add_argument(
        "--import-runs",
        type=int,
        help="runs of each import and sync (default: runs, 3 at most from 500,000 entries)",
    )
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    parser.add_argument("--no-hledger", action="store_true", help="skip the hledger peer")
    parser.add_argument(
        "--postgres",
        nargs="?",
        const=SERVER,
        metavar="CONNINFO",
        help=f"also the shared server's figures (default server: {SERVER!r})",
    )
    parser.add_argument(
        "--server-only", action="store_true", help="the server's figures alone (--postgres)"
    )
    parser.add_argument(
        "--only", help=f"comma-separated groups of figures, of: {', '.join(GROUPS)}"
    )
    parser.add_argument("--db", type=Path, help="an existing database to read (no entry added)")
    parser.add_argument("--csv", type=Path, help="an existing file to import")
    args = parser.parse_args()
    args.groups = set(GROUPS) if not args.only else set(args.only.split(","))
    if args.groups - set(GROUPS):
        parser.error(f"--only takes {', '.join(GROUPS)}")
    if args.server_only and not args.postgres:
        args.postgres = SERVER
    return args


def _base_env(work: Path) -> dict[str, str]:
    """The environment of every run: chuyi from this checkout, compiled, its cache in
    ``work``."""
    # Measure chuyi as it runs once installed: with its bytecode compiled. (An editable
    # checkout under PYTHONDONTWRITEBYTECODE would compile every module on every run.)
    import compileall

    import chuyi_cli

    compileall.compile_dir(Path(chuyi_cli.__file__).parent, quiet=1)
    base_env = {
        **os.environ,
        "NO_COLOR": "1",
        "CHUYI_USER": "bench",
        "CHUYI_CACHE_DIR": str(work / "cache"),
        "PYTHONPATH": os.pathsep.join(p for p in (_CHECKOUT, os.environ.get("PYTHONPATH")) if p),
    }
    base_env.pop("CHUYI_TARGETS", None)
    base_env.pop("PYTHONDONTWRITEBYTECODE", None)
    return base_env


def server_only(
    args: argparse.Namespace,
    n: int,
    csv_file: Path,
    work: Path,
    base_env: dict[str, str],
    runs: int,
    import_runs: int,
) -> None:
    """--server-only: the shared server's figures alone."""
    figures = server_figures(args.postgres, n, csv_file, work, base_env, runs, import_runs,
                             keep=bool(args.keep))  # fmt: skip
    print_table(figures, f"chuyi bench: {n:,} entries, the shared server, median of"
                         f" {runs} runs, Python {sys.version.split()[0]}")  # fmt: skip
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def _flushed() -> None:
    """The pages just written on disk, before anything is timed: a record's fsync would
    wait for the import's half-gigabyte of them."""
    if hasattr(os, "sync"):
        os.sync()


def _rows_in(csv_file: Path) -> int:
    """The rows of a history file (its lines but the header: the bench's files hold no
    line break inside a value)."""
    with open(csv_file, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b"")) - 1


def main() -> None:
    args = _arguments()
    global WARM_UP
    WARM_UP = not args.no_warm_up
    only = args.groups
    n = args.n or (20_000 if args.quick else 1_000_000)
    if args.csv is not None and args.n is None:
        n = _rows_in(args.csv)  # (the figures name the rows of the file given)
    peer_n = args.peer_n or (10_000 if args.quick else 100_000)
    runs = args.runs

    work = args.keep or Path(tempfile.mkdtemp(prefix="chuyi-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    base_env = _base_env(work)

    def env(db: Path) -> dict[str, str]:
        return {**base_env, "CHUYI_DB": str(db)}

    csv_file = args.csv or work / f"history-{n}.csv"
    if args.csv is None and (args.db is None or "import" in only or args.postgres):
        generate(n, csv_file)
    import_runs = args.import_runs or (max(1, min(runs, 3)) if n >= 500_000 else runs)
    if args.server_only:
        server_only(args, n, csv_file, work, base_env, runs, import_runs)
        return
    empty, big = work / "empty.db", args.db or work / "big.db"
    if args.db is None:
        remove_db(big)
    fresh_db(empty, env(empty))
    run_once([*CHUYI, "status"], env(empty))  # and the cache

    figures: list[Figure] = []
    if "import" in only:
        figures += import_figures(n, csv_file, env(work / "imported.db"), base_env, import_runs)
    if args.db is None:  # (the history the other figures read)
        fresh_db(big, env(big))
        run_once([*CHUYI, "import", str(csv_file)], env(big))
        _flushed()
    if "reads" in only:
        figures += read_figures(n, env(big), env(empty), base_env, runs, record=not args.db)
    if "report" in only:
        figures += report_figures(big, env(big), work, n, runs)
    if "check" in only:
        figures += history_figures(n, big, env(big), base_env, import_runs)
    if "past" in only:
        # The past: any day as fast as today, against status on the same database.
        figures += past_figures(env(big), runs, work)
    if "hledger" in only:
        figures.append(hledger_figure(args, work, env, base_env, peer_n, runs))
    if args.postgres:
        figures += server_figures(
            args.postgres, n, csv_file, work, base_env, runs, import_runs, keep=bool(args.keep)
        )

    with sqlite3.connect(f"file:{big}?mode=ro", uri=True) as db:
        units = db.execute("SELECT count(*) FROM unit_state").fetchone()[0]
        rows = db.execute("SELECT count(*) FROM tally").fetchone()[0]
    print_table(
        figures,
        f"chuyi bench: {n:,} entries ({units:,} units, {rows:,} tally rows),"
        f" median of {runs} runs, Python {sys.version.split()[0]}",
    )
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def import_figures(
    n: int, csv_file: Path, env: dict[str, str], base_env: dict[str, str], import_runs: int
) -> list[Figure]:
    """Bulk import into a new database, against sqlite3's .import of the same file into a
    bare table, and sqlite-utils insert --csv."""
    figures: list[Figure] = []
    big = Path(env["CHUYI_DB"])
    work = big.parent

    def fresh_big() -> None:
        # None there: chuyi makes the database, as the shell makes its file (an import
        # into a new database writes it under a temporary name, its journal in memory).
        remove_db(big)

    bare = work / "bare.db"

    def fresh_bare() -> None:
        bare.unlink(missing_ok=True)

    sqlite_cli = shutil.which("sqlite3")
    sqlite_utils = sqlite_utils_available()
    jobs = {"ours": Job([*CHUYI, "import", str(csv_file)], env, fresh_big)}
    if sqlite_cli:
        jobs["sqlite"] = Job(
            [sqlite_cli, str(bare), ".mode csv", f".import {csv_file} entry"], base_env, fresh_bare
        )
    if sqlite_utils:
        jobs["sqlite-utils"] = Job(
            [sqlite_utils, "insert", str(bare), "entry", str(csv_file), "--csv"],
            base_env,
            fresh_bare,
        )
    got = measure_together(jobs, import_runs, warm=False)
    ours = got["ours"]
    if sqlite_cli:
        fig = ratio_figure(
            f"import {n:,} rows", "chuyi import", ours, "sqlite3 .import", got["sqlite"], 8.0
        )
    else:
        fig = Figure(f"import {n:,} rows", fmt_ms(ours), "sqlite3 shell absent", None, "≤ 8×", None)
    figures.append(fig)
    if sqlite_utils:
        fig = ratio_figure(
            f"import {n:,} rows vs sqlite-utils",
            "chuyi import",
            ours,
            "sqlite-utils insert --csv",
            got["sqlite-utils"],
            2.0,
            higher_is_better=True,
        )
    else:
        why = "sqlite-utils absent (pip install sqlite-utils)"
        fig = Figure(f"import {n:,} rows vs sqlite-utils", "—", why, None, "≥ 2×", None)
    figures.append(fig)
    figures.append(
        Figure(
            f"import {n:,} rows: peak memory",
            f"{ours.peak_mib:.0f} MiB",
            "—",
            None,
            "≤ 200 MiB",
            ours.peak_mib <= 200,
        )
    )
    return figures


def read_figures(
    n: int,
    big_env: dict[str, str],
    empty_env: dict[str, str],
    base_env: dict[str, str],
    runs: int,
    record: bool = True,
) -> list[Figure]:
    """History-free reads, start-up and one record (not into a database given by --db):
    all in the same rounds."""
    figures: list[Figure] = []
    got = measure_together(
        {
            "status big": Job([*CHUYI, "status"], big_env),
            "status empty": Job([*CHUYI, "status"], empty_env),
            "summary big": Job([*CHUYI, "summary"], big_env),
            "summary empty": Job([*CHUYI, "summary"], empty_env),
            "typer": Job([sys.executable, "-c", "import typer"], base_env),
            "help": Job([*CHUYI, "--help"], empty_env),
        }
        | (
            {"record big": Job(RECORD, big_env), "record empty": Job(RECORD, empty_env)}
            if record
            else {}
        ),
        runs,
    )
    for command in ("status", "summary"):
        figures.append(
            ratio_figure(
                f"{command} on {n:,} entries",
                "big",
                got[f"{command} big"],
                "empty",
                got[f"{command} empty"],
                1.3,
            )
        )
    figures.append(
        Figure(
            f"status on {n:,} entries: peak memory",
            f"{got['status big'].peak_mib:.0f} MiB",
            "—",
            None,
            "≤ 80 MiB",
            got["status big"].peak_mib <= 80,
        )
    )
    typer = got["typer"]
    figures.append(
        ratio_figure(
            "start-up: status, empty db",
            "chuyi status",
            got["status empty"],
            "python -c 'import typer'",
            typer,
            1.5,
        )
    )
    figures.append(
        ratio_figure(
            "start-up: --help", "chuyi --help", got["help"], "python -c 'import typer'", typer, 1.2
        )
    )
    if record:
        figures.append(
            ratio_figure(
                f"record on {n:,} entries",
                "big",
                got["record big"],
                "empty",
                got["record empty"],
                1.3,
            )
        )

    return figures


def hledger_figure(
    args: argparse.Namespace,
    work: Path,
    env: Callable[[Path], dict[str, str]],
    base_env: dict[str, str],
    peer_n: int,
    runs: int,
) -> Figure:
    """A peer: hledger's budget report over the same history."""
    hledger = None if args.no_hledger else hledger_available(install=not args.quick)
    if hledger:
        journal, peer_db, peer_csv = (
            work / "peer.journal",
            work / "peer.db",
            work / f"peer-{peer_n}.csv",
        )
        generate(peer_n, peer_csv, journal)
        remove_db(peer_db)
        run_once([*CHUYI, "import", str(peer_csv)], env(peer_db))
        got = measure_together(
            {
                "hledger": Job(
                    [hledger, "-f", str(journal), "balance", "--budget", "-Y"], base_env
                ),
                "ours": Job([*CHUYI, "status"], env(peer_db)),
            },
            runs,
        )
        theirs, ours = got["hledger"], got["ours"]
        return ratio_figure(
            f"status vs hledger, {peer_n:,} entries",
            "chuyi status",
            ours,
            "hledger balance --budget",
            theirs,
            25.0,
            higher_is_better=True,
        )
    why = "--no-hledger" if args.no_hledger else "hledger absent (apt-get install hledger)"
    return Figure(f"status vs hledger, {peer_n:,} entries", "—", why, None, "≥ 25×", None)


if __name__ == "__main__":
    main()
