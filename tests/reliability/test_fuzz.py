"""Fuzzing the command line and the import with hypothesis.

Whatever the input, the exit code is 0, 1 or 2 (or 3/75 where documented), nothing is
raised past the command (a user would see a traceback), and the database changes exactly
as the valid input says: compared through `chuyi export` before and after.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chuyi_cli.cli import app
from tests.runner import ChuyiRunner

EXAMPLES = int(os.environ.get("CHUYI_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

runner = ChuyiRunner()

# Text a user, a spreadsheet or a broken script could hand over.
nasty_text = st.one_of(
    st.text(max_size=30),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=30),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\n",
            "\t\r",
            "=cmd|' /C calc'!A0",
            "-1",
            "+1",
            "@x",
            "长沙",
            "湘西州",
            "430181",
            "二(二)3",
            "二（四）1",
            "culture-bases",
            "9" * 40,
            "-" * 3,
            "'" * 3,
            "\u202e",
            "🎓",
            "NaN",
            "1e309",
        ]
    ),
)
targets = st.one_of(
    st.sampled_from(
        [
            "training-bases",
            "public-school-per-county",
            "think-tank-lectures",
            "annual-assessment",
            "culture-bases-named",
            "二(四)1",
            "一",
        ]
    ),
    nasty_text,
)
numbers = st.one_of(st.integers(min_value=-(10**30), max_value=10**30).map(str), nasty_text)
dates = st.one_of(
    st.dates().map(str),
    st.sampled_from(["2024-02-30", "0001-01-01", "9999-12-31", "2024/3/5", "today"]),
    nasty_text,
)


def invoke(args: list[str], db: Path | None = None):
    result = runner.invoke(app, args, env={"CHUYI_DB": str(db)} if db else None)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"chuyi {args!r} raised {result.exception!r}") from result.exception
    assert result.exit_code in (0, 1, 2, 3, 75), (args, result.exit_code, result.output)
    assert "Traceback" not in result.output
    return result


def export_rows(db: Path | None = None) -> list[dict]:
    out = invoke(["export", "--format", "jsonl"], db).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@FUZZ
@given(
    target=targets,
    unit=st.one_of(st.none(), nasty_text),
    option=st.sampled_from(
        ["--region", "--stage", "--state", "--quantity", "--date", "--by", "--note", "--evidence"]
    ),
    value=st.one_of(nasty_text, numbers, dates),
)
def test_record(isolated, target, unit, option, value):
    before = export_rows()
    # Options first, then `--`: a unit named "--help" is a unit, not a request for help.
    args = ["record", option, value, "--json", "--", target] + ([unit] if unit else [])
    result = invoke(args)
    after = export_rows()
    if result.exit_code == 0:
        stored = json.loads(result.stdout)
        assert len(after) == len(before) + 1
        assert after[-1]["id"] == stored["id"]
    else:
        assert after == before


@FUZZ
@given(prefix=nasty_text, reason=nasty_text)
def test_void(isolated, prefix, reason):
    invoke(["record", "training-bases", "某基地", "--stage", "accepted", "--again"])
    before = export_rows()
    result = invoke(["void", "--reason", reason, "--", prefix])
    after = export_rows()
    assert len(after) == len(before) + (1 if result.exit_code == 0 else 0)
    assert after[: len(before)] == before


@FUZZ
@given(
    args=st.lists(
        st.one_of(
            st.sampled_from(
                ["--section", "--region", "--class", "--as-of", "--json", "--plain", "--lang"]
            ),
            nasty_text,
            dates,
        ),
        max_size=4,
    )
)
def test_status(isolated, args):
    invoke(["record", "training-bases", "某基地", "--stage", "accepted", "--again"])
    before = export_rows()
    invoke(["status", *args])
    invoke(["summary", *args[:2]])
    assert export_rows() == before


COLUMNS = ["目标", "单位名称", "地区", "阶段", "数量", "日期", "记录人", "备注"]
cells = st.one_of(
    nasty_text,
    numbers,
    dates,
    targets,
    st.sampled_from(["验收", "建设中", "selected", "accepted", "revoked"]),
)


@FUZZ
@given(
    rows=st.lists(
        st.lists(cells, min_size=len(COLUMNS), max_size=len(COLUMNS)), min_size=1, max_size=6
    ),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
)
def test_import(isolated, tmp_path_factory, rows, encoding):
    invoke(["record", "training-bases", "某基地", "--stage", "accepted", "--again"])
    before = export_rows()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    path = Path(tmp_path_factory.mktemp("csv")) / "rows.csv"
    try:
        path.write_bytes(buffer.getvalue().encode(encoding))
    except UnicodeEncodeError:
        path.write_bytes(buffer.getvalue().encode("utf-8"))
    result = invoke(["import", str(path), "--json"])
    after = export_rows()
    if result.exit_code == 0:
        added = json.loads(result.stdout)["added"]
        assert len(after) == len(before) + added
        assert after[: len(before)] == before
    else:
        assert after == before
        assert f"{path}:" in result.stderr or "error" in result.stderr


@FUZZ
@given(note=st.text(max_size=40), unit=st.text(min_size=1, max_size=20).filter(str.strip))
def test_export_round_trip_keeps_every_value(isolated, tmp_path_factory, note, unit):
    """Every formula-looking cell is neutralised in the CSV, and comes back exactly."""
    first = invoke(
        [
            "record",
            "training-bases",
            unit,
            "--stage",
            "accepted",
            "--again",
            "--note",
            note,
            "--json",
        ]
    )
    if first.exit_code != 0:
        return
    stored = json.loads(first.stdout)
    folder = Path(tmp_path_factory.mktemp("rt"))
    out = folder / "all.csv"
    invoke(["export", "-o", str(out)])
    for row in csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))):
        for cell in row:
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), cell
    copy = folder / "copy.db"
    invoke(["import", str(out)], copy)
    again = export_rows(copy)
    assert again[-1]["note"] == stored["note"] and again[-1]["unit"] == stored["unit"]
