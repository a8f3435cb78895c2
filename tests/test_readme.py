"""Every `chuyi …` line of the README's shell code blocks parses in bash as written (a
parenthesis or another shell character unquoted is a syntax error a user would meet), and
runs, in a temporary database prepared with what the examples need, with exit 0 or the
exit a comment after the line gives (`# exit 1: why`).

What an example needs is made before it runs, each in a folder of its own with a copy of
one prepared database: the entries whose ids `chuyi void` names, a sheet `chuyi import`
reads (CSV, JSON Lines or a workbook, by its name), a file `--evidence` names."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import ROOT, output_encoding, run_chuyi

README = ROOT / "README.md"
SHELL_BLOCKS = {"", "sh", "bash", "shell", "console"}
_COMMAND = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*chuyi(?:\s|$)")
_EXIT = re.compile(r"#.*\bexit (\d+)")


def readme_commands(text: str) -> list[tuple[int, str]]:
    """(line number, command) of each `chuyi …` line in the shell code blocks."""
    found = []
    block: str | None = None  # the open block's language ("" for none)
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("```"):
            block = line[3:].strip().lower() if block is None else None
            continue
        if block is None or block not in SHELL_BLOCKS:
            continue
        command = line.strip().removeprefix("$ ")
        if _COMMAND.match(command):
            found.append((number, command))
    return found


COMMANDS = readme_commands(README.read_text(encoding="utf-8"))


def expected_exit(command: str) -> int:
    match = _EXIT.search(command)
    return int(match.group(1)) if match else 0


def words(command: str) -> list[str]:
    try:
        return shlex.split(command, comments=True)
    except ValueError:
        return []


def test_the_readme_has_examples_and_the_reader_finds_them():
    sample = (
        "```sh\nchuyi a\n  $ chuyi b   # exit 1: x\nls\n```\n```cron\n0 chuyi c\n```\nchuyi d\n"
    )
    assert readme_commands(sample) == [(2, "chuyi a"), (3, "chuyi b   # exit 1: x")]
    assert expected_exit("chuyi b   # exit 1: x") == 1 and expected_exit("chuyi a") == 0
    assert len(COMMANDS) >= 15
    assert any("void" in c for _, c in COMMANDS) and any("record" in c for _, c in COMMANDS)


@pytest.mark.parametrize(
    ("number", "command"), COMMANDS, ids=[f"README.md:{n}" for n, _ in COMMANDS]
)
def test_a_readme_example_parses_in_bash(number, command):
    done = subprocess.run(["bash", "-n"], input=command, capture_output=True, text=True)
    assert done.returncode == 0, (
        f"README.md:{number}: bash cannot parse `{command}`:\n{done.stderr}"
    )


def chuyi_on_path(home: Path) -> dict[str, str]:
    """An environment with `chuyi` on PATH running this checkout's code, as a user's
    shell runs it, its home and cache in ``home`` (and the run's output encoding)."""
    bin_dir = home / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "chuyi"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m chuyi_cli "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(ROOT),
        "HOME": str(home),
        "CHUYI_CACHE_DIR": str(home / "cache"),
        "CHUYI_USER": "张三",
        "LANG": "C.UTF-8",
    }
    if "PYTHONIOENCODING" in os.environ:
        env["PYTHONIOENCODING"] = os.environ["PYTHONIOENCODING"]
    return env


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A database holding what the examples name, a `chuyi` on PATH running this
    checkout's code, and the environment to run them in."""
    home = tmp_path_factory.mktemp("readme")
    env = {**chuyi_on_path(home), "CHUYI_DB": str(home / "base.db")}
    # Entries for `chuyi void ID` (an entry of that id) and for the reports to show.
    rows = [
        {"target": "training-bases", "unit": "长沙汽车实训基地", "region": "430100",
         "stage": "accepted", "observed": "2024-03-05", "recorder": "李四"},
        {"target": "culture-bases", "unit": "醴陵陶瓷文化馆", "region": "430281",
         "stage": "building", "observed": "2024-06-01", "recorder": "李四"},
    ]  # fmt: skip
    for _, command in COMMANDS:
        said = words(command)
        for i, word in enumerate(said[:-1]):
            if word == "void" and re.fullmatch(r"[0-9a-f]{4,8}", said[i + 1]):
                entry_id = said[i + 1].ljust(8, "0") + "-0000-4000-8000-000000000000"
                rows.append({**rows[0], "id": entry_id, "unit": f"示例{len(rows)}"})
    sheet = home / "base.jsonl"
    sheet.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    done = run_chuyi(env, "import", str(sheet))
    assert done.returncode == 0, done.stderr
    return home / "base.db", env


SHEET_ROWS = [
    ["目标", "单位名称", "地区", "阶段", "日期", "记录人"],
    ["training-bases", "示例实训基地", "长沙", "验收", "2024-05-06", "王五"],
]


def make_what_it_names(command: str, folder: Path) -> None:
    """The files an example reads, where it names them (relative to its folder)."""
    said = words(command)
    for i, word in enumerate(said[:-1]):
        name = said[i + 1]
        if name.startswith("-") or "://" in name or Path(name).is_absolute():
            continue  # (an absolute path is the example's point: it is not there)
        path = folder / name
        if path.exists() or not (word == "import" or word == "--evidence"):
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if word == "--evidence":
            path.write_bytes(b"%PDF-1.4 an example")
        elif path.suffix.lower() in (".xlsx", ".xlsm"):
            import openpyxl

            book = openpyxl.Workbook()
            for row in SHEET_ROWS:
                book.active.append(row)
            book.save(path)
        elif path.suffix.lower() in (".jsonl", ".json", ".ndjson"):
            row = dict(zip(SHEET_ROWS[0], SHEET_ROWS[1], strict=True))
            path.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
        else:
            path.write_text("".join(",".join(r) + "\n" for r in SHEET_ROWS), encoding="utf-8")


@pytest.mark.parametrize(
    ("number", "command"), COMMANDS, ids=[f"README.md:{n}" for n, _ in COMMANDS]
)
def test_a_readme_example_runs_as_the_readme_says(number, command, prepared, tmp_path):
    base, env = prepared
    folder = tmp_path / "work"
    folder.mkdir()
    db = folder / "chuyi.db"
    shutil.copyfile(base, db)
    named = re.search(r"--db (\S+)", command)  # (an example's own database: the prepared one)
    if named and not Path(named.group(1)).is_absolute():
        shutil.copyfile(base, folder / named.group(1))
    make_what_it_names(command, folder)
    done = subprocess.run(
        ["bash", "-c", command],
        env={**env, "CHUYI_DB": str(db)},
        cwd=folder,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding=output_encoding(env),
        errors="replace",
        timeout=120,
        check=False,
    )
    wanted = expected_exit(command)
    assert done.returncode == wanted, (
        f"README.md:{number}: `{command}` exited {done.returncode}, not {wanted}:\n"
        f"{done.stderr[-2000:]}"
    )
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
