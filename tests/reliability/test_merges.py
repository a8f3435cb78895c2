"""Merging laptops' records: an id means one record, identical rows are so many entries,
any order of imports and exchanges ends in the same books, and an entry is voided once.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HEADER = "目标,单位名称,地区,阶段,数量,日期,记录人,备注\n"
EXAMPLES = int(os.environ.get("CHUYI_FUZZ_EXAMPLES", "60")) // 3


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def problem_lines(stderr: str, path: Path) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(f"{path}:")]


# --------------------------------------------------------------------------- 6. conflicts


def test_an_id_stored_with_other_content_is_a_conflict_with_both_versions(chuyi, tmp_path):
    chuyi("record", "training-bases", "甲基地", "--stage", "accepted", "--note", "首批")
    chuyi("record", "training-bases", "乙基地", "--stage", "building")
    exported = chuyi("export", "--format", "jsonl").stdout.splitlines()
    rows = [json.loads(line) for line in exported]
    rows[0].update(stage="building", note="复查")  # same id, other content
    changed = jsonl(tmp_path / "changed.jsonl", rows)
    before = chuyi("export").stdout
    for args in ((), ("--dry-run",)):
        result = chuyi("--lang", "en", "import", str(changed), *args, code=1)
        (line,) = problem_lines(result.stderr, changed)
        assert line.startswith(f"{changed}:1: id {rows[0]['id'][:8]} is stored already")
        assert "stage: stored 'accepted', this row 'building'" in line
        assert "note: stored '首批', this row '复查'" in line
        assert chuyi("export").stdout == before
    # Identical content is skipped as before, whatever the spelling of the row.
    same = jsonl(tmp_path / "same.jsonl", [json.loads(line) for line in exported])
    assert "added 0, skipped 2" in chuyi("import", str(same)).stdout
    # In Chinese, too.
    assert "内容不同" in chuyi("--lang", "zh", "import", str(changed), code=1).stderr


def test_one_id_twice_in_a_file_with_other_content_is_a_conflict(chuyi, tmp_path):
    row = {
        "id": "0123abcd-0000-4000-8000-000000000001",
        "target": "training-bases",
        "unit": "甲基地",
        "region": "430100",
        "stage": "accepted",
        "observed": "2024-03-05",
        "recorded": "2024-03-05T01:00:00.000000Z",
        "recorder": "张三",
    }
    twice = jsonl(tmp_path / "twice.jsonl", [row, row, {**row, "stage": "revoked"}])
    result = chuyi("--lang", "en", "import", str(twice), code=1)
    (line,) = problem_lines(result.stderr, twice)
    assert line.startswith(f"{twice}:3: id 0123abcd comes earlier in this file")
    assert "stage: stored 'accepted', this row 'revoked'" in line
    assert chuyi.json("log") == []


# --------------------------------------------------------------------------- 7. repeats


def test_identical_rows_are_entries_and_importing_the_sheet_again_adds_nothing(chuyi, tmp_path):
    lecture = "think-tank-lectures,,,,1,2024-03-05,张三,\n"
    sheet = write(tmp_path / "lectures.csv", HEADER + lecture * 3)
    assert "added 3, skipped 0" in chuyi("import", str(sheet)).stdout
    assert "added 0, skipped 3" in chuyi("import", str(sheet)).stdout
    status = {t["id"]: t for t in chuyi.json("status")["targets"]}
    assert status["think-tank-lectures"]["achieved"] == 3
    # The same sheet re-saved with a row above and its rows moved adds only the new row.
    other = "think-tank-lectures,,,,1,2024-03-06,李四,\n"
    resaved = write(tmp_path / "resaved.csv", HEADER + other + lecture * 2 + lecture)
    assert "added 1, skipped 3" in chuyi("import", str(resaved)).stdout
    # A sheet holding one of the three adds nothing: it is the first of them.
    assert (
        "added 0, skipped 1"
        in chuyi("import", str(write(tmp_path / "one.csv", HEADER + lecture))).stdout
    )
    assert len(chuyi.json("log")) == 4


# --------------------------------------------------------------------------- 8. convergence

UNITS = ["甲基地", "乙基地"]
row_strategy = st.one_of(
    st.tuples(
        st.just("training-bases"),
        st.sampled_from(UNITS),
        st.just("长沙"),
        st.sampled_from(["验收", "建设中", "遴选"]),
        st.just(""),
    ),
    st.tuples(
        st.just("think-tank-lectures"),
        st.just(""),
        st.just(""),
        st.just(""),
        st.sampled_from(["1", "2"]),
    ),  # fmt: skip
)
sheet_strategy = st.lists(
    st.tuples(
        row_strategy,
        st.sampled_from(["2024-03-05", "2024-03-06"]),
        st.sampled_from(["张三", "李四"]),
    ),  # fmt: skip
    min_size=1,
    max_size=5,
)


@settings(
    max_examples=max(EXAMPLES, 5),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sheets=st.lists(sheet_strategy, min_size=2, max_size=3),
    order=st.randoms(use_true_random=False),
    void=st.booleans(),
)
def test_two_laptops_importing_the_same_sheets_in_any_order_agree(
    chuyi, tmp_path_factory, sheets, order, void
):
    folder = tmp_path_factory.mktemp("merge")
    files = []
    for n, rows in enumerate(sheets):
        text = HEADER + "".join(
            f"{t},{u},{r},{s},{q},{day},{who},\n" for (t, u, r, s, q), day, who in rows
        )
        files.append(write(folder / f"sheet{n}.csv", text))
    a, b = str(folder / "a.db"), str(folder / "b.db")
    first, second = files[:], files[:]
    order.shuffle(first)
    order.shuffle(second)
    for db, sequence in ((a, first), (b, second)):
        for sheet in sequence:
            chuyi("--db", db, "import", str(sheet))
    if void:  # a correction on one laptop travels with its export
        entry = chuyi.json("--db", a, "log")[-1]
        chuyi("--db", a, "void", entry["id"], "--reason", "录错了", "--by", "王五")
    for source, dest in ((a, b), (b, a)):
        out = folder / "exchange.csv"
        chuyi("--db", source, "export", "-o", str(out))
        chuyi("--db", dest, "import", str(out))

    def books(db: str) -> tuple:
        units = [
            chuyi.json("--db", db, "units", t) for t in ("training-bases", "think-tank-lectures")
        ]
        return chuyi.json("--db", db, "status"), units, chuyi.json("--db", db, "log")

    assert books(a) == books(b)


def test_a_same_day_correction_is_ordered_alike_on_every_laptop(chuyi, tmp_path):
    # Two sheets tell of one school on one day: its stage must not depend on which
    # laptop imported which sheet when (today the importing clock decides).
    one = write(
        tmp_path / "one.csv", HEADER + "training-bases,甲基地,长沙,验收,,2024-03-05,张三,\n"
    )
    two = write(
        tmp_path / "two.csv", HEADER + "training-bases,甲基地,长沙,建设中,,2024-03-05,李四,\n"
    )
    stages = set()
    for name, sequence in (("a", (one, two)), ("b", (two, one))):
        db = str(tmp_path / f"{name}.db")
        for sheet in sequence:
            chuyi("--db", db, "import", str(sheet))
        stages.add(chuyi.json("--db", db, "units", "training-bases")[0]["stage"])
    assert len(stages) == 1


# --------------------------------------------------------------------------- 9. instants


def test_recorded_times_are_compared_as_instants_and_stored_in_utc(chuyi, tmp_path):
    base = {
        "target": "training-bases",
        "unit": "甲基地",
        "region": "430100",
        "observed": "2024-03-05",
        "recorder": "张三",
    }
    rows = [
        # 10:00 in Changsha is 02:00 UTC: earlier than 03:00 UTC, though later as text.
        {**base, "id": "0123abcd-0000-4000-8000-00000000000a", "stage": "accepted",
         "recorded": "2024-03-05T10:00:00+08:00"},
        {**base, "id": "0123abcd-0000-4000-8000-00000000000b", "stage": "building",
         "recorded": "2024-03-05T03:00:00Z"},
    ]  # fmt: skip
    path = jsonl(tmp_path / "zones.jsonl", rows)
    chuyi("import", str(path))
    assert chuyi.json("units", "training-bases")[0]["stage"] == "building"
    recorded = sorted(e["recorded"] for e in chuyi.json("log"))
    assert recorded == ["2024-03-05T02:00:00.000000Z", "2024-03-05T03:00:00.000000Z"]
    # The same rows again (with their offsets) are the stored ones: skipped, no conflict.
    assert "added 0, skipped 2" in chuyi("import", str(path)).stdout


# --------------------------------------------------------------------------- 10. voids


def void_row(entry: dict, **cells: str) -> dict:
    row = {
        "id": "fedcba98-0000-4000-8000-000000000001",
        "target": entry["target"],
        "observed": "2024-03-06",
        "recorder": "张三",
        "note": "录错了",
        "voids": entry["id"],
    }
    row.update(cells)
    return row


def test_void_rows_pass_the_checks_of_any_row(chuyi, tmp_path, today):
    entry = chuyi.json(
        "record", "--stage", "accepted", "training-bases", "甲基地", "--date", "2024-03-05"
    )
    future = (today + dt.timedelta(days=5)).isoformat()
    bad = [
        void_row(entry, observed=future),
        void_row(entry, observed="2019-01-01"),
        void_row(entry, note="x" * 2001),
        void_row(entry, note=""),
        void_row(entry, observed=""),
        void_row(entry, stage="accepted"),
        void_row(entry, recorded="yesterday"),
    ]
    path = jsonl(tmp_path / "voids.jsonl", bad)
    result = chuyi("--lang", "en", "import", str(path), code=1)
    lines = problem_lines(result.stderr, path)
    assert [int(line.split(":")[1]) for line in lines] == [1, 2, 3, 4, 5, 6, 7]
    assert "in the future" in lines[0] and "before the plan" in lines[1]
    assert "longer than 2000" in lines[2] and "reason" in lines[3]
    assert "no date" in lines[4] and "takes no stage" in lines[5]
    assert "bad recorded time" in lines[6]
    assert len(chuyi.json("log")) == 1


def test_an_entry_is_voided_once_however_the_void_arrives(chuyi, tmp_path):
    entry = chuyi.json(
        "record", "--stage", "accepted", "training-bases", "甲基地", "--date", "2024-03-05"
    )
    # Two void rows for one entry in one file: the second is refused.
    two = jsonl(
        tmp_path / "two.jsonl",
        [void_row(entry), void_row(entry, id="fedcba98-0000-4000-8000-000000000002")],
    )
    result = chuyi("--lang", "en", "import", str(two), code=1)
    (line,) = problem_lines(result.stderr, two)
    assert line.startswith(f"{two}:2:") and "voided on line 1 of this file" in line
    # Voided on the command line, then a void row from elsewhere: refused by name.
    chuyi("void", entry["id"], "--reason", "wrong")
    one = jsonl(tmp_path / "one.jsonl", [void_row(entry)])
    result = chuyi("--lang", "en", "import", str(one), code=1)
    assert f"entry {entry['id'][:8]} is already voided by" in result.stderr
    result = chuyi("--lang", "en", "void", entry["id"], "--reason", "again", code=1)
    assert "already voided" in result.stderr
    assert sum(1 for e in chuyi.json("log") if e["voids"]) == 1


def test_a_row_that_voids_itself_is_refused_by_name(chuyi, tmp_path):
    entry = chuyi.json(
        "record", "--stage", "accepted", "training-bases", "甲基地", "--date", "2024-03-05"
    )
    itself = "fedcba98-0000-4000-8000-00000000000f"
    path = jsonl(tmp_path / "self.jsonl", [void_row(entry, id=itself, voids=itself)])
    result = chuyi("--lang", "en", "import", str(path), code=1)
    assert f"{path}:1: entry {itself} voids itself" in result.stderr


def test_four_concurrent_voids_store_exactly_one(chuyi, tmp_path, isolated):
    entry = chuyi.json(
        "record", "--stage", "accepted", "training-bases", "甲基地", "--date", "2024-03-05"
    )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "CHUYI_DB": str(isolated),
        "CHUYI_CACHE_DIR": str(tmp_path / "cache"),
        "CHUYI_USER": "tester",
        "CHUYI_BUSY_TIMEOUT": "30",
        "LANG": "C.UTF-8",
    }
    command = [sys.executable, "-m", "chuyi_cli", "--lang", "en", "void", entry["id"]]
    for round_ in range(3):
        target = (
            entry
            if round_ == 0
            else chuyi.json("record", "--stage", "accepted", "training-bases", f"乙{round_}")
        )
        command[-1] = target["id"]
        runs = [
            subprocess.Popen(
                [*command, "--reason", f"r{n}"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in range(4)
        ]
        results = [(p.wait(timeout=120), p.stderr.read()) for p in runs]
        for p in runs:
            p.stdout.close()
            p.stderr.close()
        assert sorted(code for code, _ in results) == [0, 1, 1, 1], results
        assert all("already voided" in err for code, err in results if code)
        voids = [e for e in chuyi.json("log") if e["voids"] == target["id"]]
        assert len(voids) == 1
