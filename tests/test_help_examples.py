"""Every example at the foot of every command's help page (`chuyi CMD -h`, in Chinese and
in English) parses in bash as printed and runs, in a database holding what the examples
name, with exit 0 (or 3 for `--fail-on`: the exit that says a target is in that class).

What an example reads is made first, each in a folder of its own, as tests/test_readme.py
does for the README's examples."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from chuyi_cli import i18n
from chuyi_cli.cli.frame import COMMANDS
from tests.processes import output_encoding, run_chuyi
from tests.runner import run_here
from tests.test_readme import chuyi_on_path, make_what_it_names, words

HEADINGS = ("示例：", "Examples:")


def help_examples(lang: str, command: str) -> list[str]:
    """The `chuyi …` lines under the examples heading of ``chuyi --lang LANG COMMAND -h``
    (the page read in this process, as every test collecting them would otherwise start
    an interpreter for each page: the examples themselves run below as processes)."""
    done = run_here({**os.environ, "COLUMNS": "100"}, "--lang", lang, command, "-h")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() in HEADINGS), len(lines))
    return [x.strip() for x in lines[start + 1 :] if x.strip().startswith("chuyi ")]


EXAMPLES = sorted(
    {(lang, name, line) for lang in ("zh", "en") for name in COMMANDS
     for line in help_examples(lang, name)}
)  # fmt: skip
i18n.set_lang(None)  # (--lang chose this process's language: the environment's again)


# A group's page lists its commands (`chuyi server init -h` …), not examples.
GROUPS = {"server"}


def test_every_command_has_examples_in_both_languages():
    for name in set(COMMANDS) - GROUPS:
        for lang in ("zh", "en"):
            assert any(n == name and lg == lang for lg, n, _ in EXAMPLES), (lang, name)


@pytest.mark.parametrize(("lang", "name", "example"), EXAMPLES)
def test_a_help_example_parses_in_bash(lang, name, example):
    done = subprocess.run(["bash", "-n"], input=example, capture_output=True, text=True)
    assert done.returncode == 0, f"chuyi --lang {lang} {name} -h: `{example}`:\n{done.stderr}"


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A database holding an entry for each id a `void` example names, and a `chuyi` on
    PATH running this checkout's code."""
    home = tmp_path_factory.mktemp("help")
    env = chuyi_on_path(home)
    rows: list[dict[str, str]] = []
    for _, _, example in EXAMPLES:
        said = words(example)
        for i, word in enumerate(said[:-1]):
            named = said[i + 1].ljust(8, "0") + "-0000-4000-8000-000000000000"
            if word == "void" and re.fullmatch(r"[0-9a-f]{4,8}", said[i + 1]):
                if any(r["id"] == named for r in rows):
                    continue  # (both languages name one entry)
                rows.append({
                    "id": named,
                    "target": "training-bases", "unit": f"示例{len(rows)}", "region": "430100",
                    "stage": "accepted", "observed": "2024-03-05", "recorder": "李四",
                })  # fmt: skip
    assert rows  # (the help of void names an entry)
    sheet = home / "base.jsonl"
    sheet.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    env["CHUYI_DB"] = str(home / "base.db")
    done = run_chuyi(env, "import", str(sheet))
    assert done.returncode == 0, done.stderr
    return home / "base.db", env


@pytest.mark.parametrize(("lang", "name", "example"), EXAMPLES)
def test_a_help_example_runs_as_printed(lang, name, example, prepared, tmp_path):
    if "postgresql://" in example:
        pytest.skip("it needs a PostgreSQL server")
    base, env = prepared
    folder = tmp_path / "work"
    folder.mkdir()
    db = folder / "chuyi.db"
    shutil.copyfile(base, db)
    make_what_it_names(example, folder)
    done = subprocess.run(
        ["bash", "-c", example],
        env={**env, "CHUYI_DB": str(db), "CHUYI_LANG": lang},
        cwd=folder,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding=output_encoding(env),
        errors="replace",
        timeout=120,
        check=False,
    )
    wanted = {0, 3} if "--fail-on" in example else {0}
    assert done.returncode in wanted, (
        f"chuyi --lang {lang} {name} -h: `{example}` exited {done.returncode}:\n"
        f"{done.stderr[-2000:]}"
    )
    assert "Traceback" not in done.stderr
