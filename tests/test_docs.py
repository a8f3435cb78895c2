"""The README against the code, so that neither drifts from the other.

- Every command and every option of the command line (read from the typer app itself)
  has its row in the README's command table, and no row names one that is gone.
- The exit-code table lists exactly the exit codes chuyi_cli defines (``EXIT_*``).
- The stage, state, class and level words the README gives are the words the command
  line and the import take, in English and in Chinese.
- Each file the Layout section names exists, with a line saying its job, and every
  module of ``chuyi_cli/`` is named there (read from the tree, wherever modules move).
"""

from __future__ import annotations

import ast
import re

import pytest
import typer

from chuyi_cli.cli import app
from chuyi_cli.i18n import WORDS
from chuyi_cli.vocabulary import TABLES, value_of, words_for
from tests.processes import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
PACKAGE = ROOT / "chuyi_cli"
HELP = {"-h", "--help"}


def section(title: str) -> str:
    """The text of the README's section ``## title``, up to the next of its level."""
    match = re.search(rf"^## {re.escape(title)}\n", README, re.MULTILINE)
    assert match, f"the README has no section {title!r}"
    rest = README[match.end() :]
    end = re.search(r"^## ", rest, re.MULTILINE)
    return rest[: end.start()] if end else rest


def table_rows(text: str) -> list[list[str]]:
    """The cells of each row of the Markdown tables in ``text`` (the header rows too)."""
    rows = []
    for line in text.splitlines():
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        cells = re.split(r"(?<!\\)\|", line.strip().strip("|"))
        rows.append([c.strip().replace("\\|", "|") for c in cells])
    return rows


# ---------------------------------------------------------------------------- commands


def the_command_line() -> dict[str, typer.core.TyperCommand]:
    """Each command by its name as typed (``""`` for ``chuyi`` alone: the global options;
    ``server init`` for a command of a group)."""
    found = {}

    def walk(name: str, command) -> None:
        found[name] = command
        for sub, inner in getattr(command, "commands", {}).items():
            walk(f"{name} {sub}".strip(), inner)

    walk("", typer.main.get_command(app))
    return found


def takes(command) -> tuple[list[str], set[str]]:
    """(arguments, options) of a command: ``["TARGET", "[UNIT]"]``, ``{"--stage", …}``."""
    arguments = [
        p.name.upper() if p.required else f"[{p.name.upper()}]"
        for p in command.params
        if p.param_type_name == "argument"
    ]
    options = {
        flag
        for p in command.params
        if p.param_type_name == "option" and not p.hidden
        for flag in (*p.opts, *p.secondary_opts)
    }
    return arguments, options - HELP


COMMAND_TABLE = {
    row[0].strip("`").removeprefix("chuyi").strip(): row
    for row in table_rows(section("Every command and option"))
    if row[0].startswith("`chuyi")
}


def test_the_command_table_names_every_command_and_none_other():
    assert sorted(COMMAND_TABLE) == sorted(the_command_line())


@pytest.mark.parametrize("name", sorted(the_command_line()), ids=lambda n: n or "chuyi")
def test_every_argument_and_option_of_a_command_is_in_its_row(name):
    arguments, options = takes(the_command_line()[name])
    _, written_arguments, written_options = COMMAND_TABLE[name]
    assert re.findall(r"\[?[A-Z][A-Z_]*\]?", written_arguments) == arguments
    written = set(re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", written_options))
    assert written == options, (
        f"chuyi {name}: missing from the README {sorted(options - written)}, "
        f"in the README but not taken {sorted(written - options)}"
    )


@pytest.mark.parametrize("name", sorted(n for n in the_command_line() if n))
def test_every_command_is_explained_beyond_the_table(name):
    """Its row is a summary: the command is also shown at work in the text."""
    table = section("Every command and option")
    prose = README.replace(table, "")
    assert re.search(rf"chuyi(?: --?[\w-]+(?: \S+)?)* {re.escape(name)}(?![\w-])", prose), name


@pytest.mark.parametrize("name", sorted(the_command_line()), ids=lambda n: n or "chuyi")
def test_every_command_has_help_as_the_readme_says(chuyi, name):
    assert "Every command has `-h/--help`" in README
    for flag in sorted(HELP):
        assert chuyi(*name.split(), flag).stdout


# -------------------------------------------------------------------------- exit codes


def exit_codes_defined() -> dict[int, list[str]]:
    """Every ``EXIT_NAME = N`` at the top of a module of chuyi_cli, by its code."""
    found: dict[int, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.Assign):
                continue
            value = node.value
            for target in node.targets:
                if (
                    isinstance(target, ast.Name)
                    and target.id.startswith("EXIT_")
                    and isinstance(value, ast.Constant)
                    and isinstance(value.value, int)
                ):
                    found.setdefault(value.value, []).append(target.id)
    return found


def test_the_exit_code_table_is_every_exit_code_the_code_defines():
    rows = table_rows(section("Exit codes"))
    written = [int(row[0]) for row in rows if row[0].isdigit()]
    defined = exit_codes_defined()
    assert len(written) == len(set(written))
    assert sorted(written) == sorted(defined), defined
    assert all(row[1] for row in rows)  # each says what it means


# ------------------------------------------------------------------------------- words


def cjk_words(text: str) -> list[str]:
    return re.findall(r"[\u4e00-\u9fff]+", text)


def test_the_stage_table_is_the_vocabulary():
    """The stage words table: each stage in English and every Chinese word taken for it,
    no word more (the interface's own word included)."""
    table = section("For office staff (Excel and WPS)")
    rows = {r[0]: r[1] for r in table_rows(table) if r[0] in TABLES["stage"][1]}
    stages = TABLES["stage"][1]
    assert sorted(rows) == sorted(stages)
    for stage in stages:
        written = cjk_words(rows[stage])
        assert len(written) == len(set(written)), stage
        assert sorted(written) == sorted(words_for("stage", stage)), stage
        assert WORDS[stage][0] in rows[stage] and WORDS[stage][1] == stage


OPTION_KINDS = {"--stage": "stage", "--state": "state", "--class": "class", "--level": "level"}


@pytest.mark.parametrize("option", sorted(OPTION_KINDS))
def test_the_option_words_are_the_ones_taken(option):
    """The option-values table: every value in English; every Chinese word it shows is
    taken for that kind; for all but the stage (whose words have their own table), every
    word taken is shown."""
    kind = OPTION_KINDS[option]
    rows = [r for r in table_rows(section("A short tour")) if f"`{option}`" in r[0]]
    assert len(rows) == 1, option
    cell = rows[0][1]
    values = TABLES[kind][1]
    for value in values:
        assert re.search(rf"(?<![\w]){value}(?![\w])", cell), (option, value)
    shown = cjk_words(cell)
    assert shown
    for word in shown:
        assert value_of(kind, word) in values, (option, word)
    if kind != "stage":
        every = {w for v in values for w in words_for(kind, v)}
        assert set(shown) == every, (option, sorted(every - set(shown)))
    for value in values:  # the interface's own word for each is among those shown
        assert WORDS[value][0] in shown, (option, value)


# ------------------------------------------------------------------------------ layout


def layout() -> dict[str, str]:
    """Each path the Layout section's block names, with the job its line gives.

    A line at the left names a folder (``chuyi_cli/``) or a file; a line indented under a
    folder names what is in it, each level two spaces deeper; after the name, its job."""
    block = re.search(r"```\n(.*?)```", section("Layout"), re.DOTALL)
    assert block, "the Layout section has no block"
    folders: list[str] = []
    named: dict[str, str] = {}
    for line in block.group(1).splitlines():
        if not line.strip():
            continue
        depth = (len(line) - len(line.lstrip(" "))) // 2
        name, _, job = line.strip().partition(" ")
        del folders[depth:]
        path = "".join(folders) + name
        named[path] = job.strip()
        if name.endswith("/"):
            folders.append(name)
    return named


def test_every_file_the_layout_names_exists_with_its_job():
    named = layout()
    assert named
    for path, job in named.items():
        assert (ROOT / path).exists(), f"the Layout names {path}, which is not there"
        assert job, f"the Layout gives {path} no job"


def test_every_module_of_the_package_is_in_the_layout():
    named = layout()
    modules = [p.relative_to(ROOT).as_posix() for p in PACKAGE.rglob("*.py")]
    folders = {p.parent.relative_to(ROOT).as_posix() + "/" for p in PACKAGE.rglob("*.py")}
    assert modules
    missing = sorted(set(modules) - set(named)) + sorted(folders - set(named))
    assert not missing, f"not in the README's Layout: {missing}"
