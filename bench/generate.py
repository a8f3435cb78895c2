"""A deterministic, realistic history of site visits, as CSV that `chuyi import` takes.

Units go through their stages over the years (selected → building → accepted, a few
revoked), are visited again and again by a few dozen recorders across the 14 市州 and 122
县市区; milestones move through their states, activities add quantities, and about one
entry in fifty is a mistake that a void cancels a few days later.

    python bench/generate.py N OUT.csv [--seed 7] [--journal OUT.journal]

The same N and seed give the same file, byte for byte.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import uuid
from collections.abc import Iterator
from pathlib import Path

from chuyi_cli.catalog import load_catalog
from chuyi_cli.domain import FIELDS
from chuyi_cli.regions import gazetteer

START = dt.date(2022, 4, 8)
RECORDED = "T09:00:00.{:06d}Z"
VISITS_PER_UNIT = 12  # visits a unit sees over the plan: selection, checks, acceptance


def _days(rng: random.Random, n: int, last: dt.date) -> list[dt.date]:
    span = (last - START).days
    return sorted(START + dt.timedelta(days=rng.randrange(span)) for _ in range(n))


def history(n: int, seed: int = 7, today: dt.date | None = None) -> Iterator[dict[str, object]]:
    """``n`` entries (voids included) as export rows, in the order they were observed."""
    rng = random.Random(seed)
    plan = load_catalog()
    places = gazetteer()
    cities = places.level("city")
    counties = places.level("county")
    last = (today or dt.date.today()) - dt.timedelta(days=1)
    recorders = [f"督导{i:02d}" for i in range(36)]

    def new_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    rows: list[dict[str, object]] = []
    unit_targets = [t for t in plan.targets if t.has_units]
    other = [t for t in plan.targets if not t.has_units]
    n_units = max(len(unit_targets), n // VISITS_PER_UNIT)
    serial = 0
    while len(rows) < n:
        serial += 1
        # Milestones and activities are few: a state change or an event now and then.
        target = rng.choice(other) if rng.random() < 0.01 else rng.choice(unit_targets)
        if target.kind == "named":
            named = rng.choice(target.names)
            unit, region = named.name, named.region
        elif target.kind == "coverage" and target.level == "county":
            region = rng.choice(counties).code
            unit = f"{places.by_code[region].name}职业中专{serial % (n_units // 122 + 1)}"
        elif target.has_units:
            place = rng.choice(counties if rng.random() < 0.6 else cities)
            region = place.code
            unit = f"{place.name}{target.unit or '个'}{serial % (n_units + 1)}号"
        else:
            unit, region = None, rng.choice(cities).code if rng.random() < 0.5 else None
        mean = VISITS_PER_UNIT if target.has_units else 3 * VISITS_PER_UNIT
        visits = max(1, int(rng.expovariate(1 / mean)))
        days = _days(rng, min(visits, n - len(rows)), last)
        for k, day in enumerate(days):
            share = (k + 1) / len(days)
            row: dict[str, object] = dict.fromkeys(FIELDS)
            row.update(
                id=new_id(),
                target=target.id,
                unit=unit,
                region=region,
                observed=day.isoformat(),
                recorder=rng.choice(recorders),
                recorded=day.isoformat() + RECORDED.format(len(rows) % 1_000_000),
            )
            if target.has_units:
                row["stage"] = (
                    "selected"
                    if share < 0.3
                    else "building"
                    if share < 0.7
                    else "revoked"
                    if rng.random() < 0.01
                    else "accepted"
                )
            elif target.kind == "milestone":
                row["state"] = "in_progress" if share < 0.9 else rng.choice(["in_progress", "done"])
            else:
                row["quantity"] = rng.randint(1, 3)
            if rng.random() < 0.05:
                row["note"] = rng.choice(["复查", "=现场核实", "材料齐全", "-待补充"])
            rows.append(row)
            if len(rows) < n and rng.random() < 0.02:
                void = dict.fromkeys(FIELDS)
                void.update(
                    id=new_id(),
                    target=target.id,
                    unit=unit,
                    region=region,
                    observed=min(day + dt.timedelta(days=3), last).isoformat(),
                    recorded=day.isoformat() + RECORDED.format(len(rows) % 1_000_000),
                    recorder=row["recorder"],
                    note="录入错误",
                    voids=row["id"],
                )
                rows.append(void)
    rows.sort(key=lambda r: (str(r["observed"]), str(r["recorded"]), r["voids"] is not None))
    yield from rows[:n]


def write_csv(rows: Iterator[dict[str, object]], path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(FIELDS)
        for row in rows:
            out.writerow(["" if row[f] is None else row[f] for f in FIELDS])
            count += 1
    return count


def write_journal(rows: Iterator[dict[str, object]], path: Path) -> int:
    """The same history as an hledger journal, the goals as a yearly budget."""
    plan = load_catalog()
    years = plan.deadline.year - plan.start.year + 1
    voided = set()
    kept = []
    for row in rows:
        if row["voids"]:
            voided.add(row["voids"])
        else:
            kept.append(row)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("~ yearly\n")
        for target in plan.targets:
            if target.goal:
                out.write(f"    (goals:{target.id})    {target.goal / years:.2f}\n")
        out.write("\n")
        for row in kept:
            if row["id"] in voided:
                continue
            amount = row["quantity"] or (1 if row["stage"] == "accepted" else 0)
            out.write(
                f"{row['observed']} {row['target']} {row['unit'] or ''}\n"
                f"    (goals:{row['target']})    {amount}\n\n"
            )
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="entries to write")
    parser.add_argument("out", type=Path, help="CSV file to write")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--journal", type=Path, help="also write an hledger journal here")
    args = parser.parse_args()
    print(write_csv(history(args.n, args.seed), args.out), "rows written to", args.out)
    if args.journal:
        count = write_journal(history(args.n, args.seed), args.journal)
        print(count, "transactions written to", args.journal)


if __name__ == "__main__":
    main()
