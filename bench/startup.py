"""Where the milliseconds of one `chuyi status` go, in one fresh process.

    python bench/startup.py [--db FILE] [--runs N]

Each run is a new interpreter that times its own steps with perf_counter: importing
typer, importing chuyi's command line, then the steps of the command itself (reading the
catalog, the gazetteer, opening the database, reading the tally, the arithmetic, drawing
the table), and what is left to typer (building the command, parsing, dispatching). The
interpreter's own start is `python -c pass`, timed alike. Medians of N runs (default 9).
For the import side in detail: python -X importtime -c "import chuyi_cli.cli".
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CREATE = "import sys; from chuyi_cli.store import Store; Store.open(sys.argv[1]).close()"

PROBE = r"""
import json, sys, time
t0 = time.perf_counter()
import typer
t1 = time.perf_counter()
import chuyi_cli.cli as cli
t2 = time.perf_counter()
from chuyi_cli import catalog, regions, render, report, store
from chuyi_cli.views import status as status_view
t2b = time.perf_counter()

spent = {}

def timed(owner, name, label):
    real = getattr(owner, name)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0.0) + time.perf_counter() - start
    setattr(owner, name, wrapper)

timed(catalog, "load_catalog", "catalog from its cache")
timed(regions, "gazetteer", "gazetteer")
timed(report, "gazetteer", "gazetteer")
timed(store.Store, "open", "open the database")
timed(store.Store, "tallies", "read the tally")
timed(store.Store, "last_observed", "read the last day")
timed(report, "plan_status", "progress arithmetic")
timed(report, "beside_the_tally", "entries the tally does not keep")
timed(render.Output, "__init__", "set up the output")
timed(status_view, "status_table", "draw the table")
sys.argv = ["chuyi", "status"]
try:
    cli.main()
except SystemExit:
    pass
t3 = time.perf_counter()
own = sum(spent.values())
spent = {"import typer": t1 - t0, "import chuyi_cli.cli": t2 - t1,
         "import the core (catalog, store, progress, report, views)": t2b - t2, **spent,
         "typer: build, parse, dispatch": (t3 - t2b) - own}
sys.stderr.write(json.dumps(spent) + "\n")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="database (default: a new empty one)")
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="chuyi-startup-"))
    env = {**os.environ, "NO_COLOR": "1", "CHUYI_CACHE_DIR": str(work / "cache")}
    env["CHUYI_DB"] = str(args.db or work / "empty.db")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # A database named by CHUYI_DB is made by a writing command, never by status: make it.
    subprocess.run([sys.executable, "-c", CREATE, env["CHUYI_DB"]], env=env, check=True)
    subprocess.run([sys.executable, "-m", "chuyi_cli", "status"], env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    steps: dict[str, list[float]] = {}
    bare: list[float] = []
    for _ in range(args.runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
        bare.append(time.perf_counter() - start)
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-c", PROBE],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        whole = time.perf_counter() - start
        spent = json.loads(done.stderr.strip().splitlines()[-1])
        spent["interpreter start and exit"] = whole - sum(spent.values())
        for step, seconds in spent.items():
            steps.setdefault(step, []).append(seconds)
    total = sum(statistics.median(v) for v in steps.values())
    print(f"chuyi status on {env['CHUYI_DB']}: medians of {args.runs} runs")
    print(f"(python -c pass: {statistics.median(bare) * 1000:.1f} ms)")
    for step, values in steps.items():
        print(f"  {statistics.median(values) * 1000:6.1f} ms  {step}")
    print(f"  {total * 1000:6.1f} ms  in all")


if __name__ == "__main__":
    main()
