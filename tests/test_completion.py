"""Shell completion for bash, zsh and fish: commands, options, targets, regions, stages,
the words of every option value, and entry ids for `void`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.processes import output_encoding

# chuyi as the installed command runs it: its program name is "chuyi".
AS_INSTALLED = "import sys; sys.argv[0] = 'chuyi'; from chuyi_cli.cli import main; main()"


def complete(line: str, shell: str = "bash", **env: str) -> list[str]:
    """What the shell would offer for the last word of ``line`` (empty: a new word)."""
    words = line.split(" ")
    environ = {**os.environ, "_CHUYI_COMPLETE": f"complete_{shell}", **env}
    environ["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    if shell == "bash":
        environ |= {"COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1)}
    else:
        environ["_TYPER_COMPLETE_ARGS"] = line
    done = subprocess.run(
        [sys.executable, "-c", AS_INSTALLED],
        env=environ,
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding=output_encoding(),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = [x for x in done.stdout.splitlines() if x]
    if shell == "zsh":  # _arguments '*: :(("value":"help" …))'
        return re.findall(r'^(?:_arguments .*?\(\()?"((?:[^"\\]|\\.)*)":', done.stdout, re.M)
    if shell == "fish":  # value<TAB>help
        return [x.split("\t")[0] for x in lines]
    return lines


def test_commands_and_options_complete():
    assert complete("chuyi reg") == ["regions", "regions-status"]
    assert "--class" in complete("chuyi status --")
    assert "--stage" in complete("chuyi record x y --st")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_targets_complete_by_id_ref_and_the_notice_s_words(shell):
    assert complete("chuyi record culture", shell) == ["culture-bases", "culture-bases-named"]
    assert complete("chuyi show 二(四)", shell)[:2] == ["二(四)1", "二(四)2"]
    assert complete("chuyi record 职教", shell) == [
        "职教集团(联盟)",
        "职教名师",
        "职教大师",
        "职教工匠",
    ]
    assert complete("chuyi units 实训", shell) == ["实训基地"]


def test_every_target_word_completed_names_its_target():
    from chuyi_cli.catalog import load_catalog

    plan = load_catalog()
    for typed in ("楚怡", "职", "高水平", "基地"):
        offered = complete(f"chuyi record {typed}")
        assert offered, typed
        for word in offered:
            assert word.startswith(typed)
            plan.find(word)  # names one target: raises otherwise


def test_regions_stages_and_option_words_complete():
    assert complete("chuyi record x y --region 长") == ["长沙市", "长沙", "长沙县"]
    assert "430181" in complete("chuyi log --region 4301")
    assert complete("chuyi record x y --stage 验") == ["验收", "验收合格", "验收通过"]
    assert {"accepted", "遴选", "立项建设", "取消"} <= set(complete("chuyi record x y --stage "))
    assert complete("chuyi record x --state 进") == ["进行中"]
    assert {"on_track", "正常", "严重滞后"} <= set(complete("chuyi status --class "))
    assert complete("chuyi regions --level 县") == ["县市区", "县"]
    assert complete("chuyi summary --fail-on ") == ["behind", "off_track", "滞后", "严重滞后"]
    assert complete("chuyi --lang ") == ["zh", "en"]


def test_void_completes_entry_ids_of_the_database_and_never_creates_one(chuyi, isolated):
    chuyi("record", "training-bases", "甲基地", "--stage", "accepted")
    chuyi("record", "training-bases", "乙基地", "--stage", "accepted")
    ids = [e["id"][:8] for e in chuyi.json("log")]
    offered = complete("chuyi void ", CHUYI_DB=str(isolated))
    assert sorted(offered) == sorted(ids)
    assert complete(f"chuyi void {ids[0][:5]}", CHUYI_DB=str(isolated)) == [ids[0]]
    missing = isolated.parent / "none.db"
    assert complete("chuyi void ", CHUYI_DB=str(missing)) == []
    assert not missing.exists()


# typer finds the shell from the process tree; named instead, as a user may name it.
NAMED_SHELL = {**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}


def test_the_completion_script_is_shown_for_each_shell():
    for shell, mark in (
        ("bash", "complete -o"),
        ("zsh", "compdef"),
        ("fish", "complete --command chuyi"),
    ):
        done = subprocess.run(
            [sys.executable, "-c", AS_INSTALLED, "--show-completion", shell],
            env=NAMED_SHELL,
            cwd=ROOT,
            capture_output=True,
            text=True,
            encoding=output_encoding(),
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "_CHUYI_COMPLETE" in done.stdout and mark in done.stdout, done.stdout


def test_install_completion_writes_the_shell_s_file(tmp_path):
    env = {**NAMED_SHELL, "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", AS_INSTALLED, "--lang", "zh", "--install-completion", "bash"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding=output_encoding(),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("已为 bash 安装命令补全："), done.stdout
    assert "_CHUYI_COMPLETE" in (tmp_path / ".bash_completions" / "chuyi.sh").read_text()
    assert "chuyi.sh" in (tmp_path / ".bashrc").read_text()


@pytest.mark.skipif(not shutil.which("bash"), reason="bash is not installed")
def test_a_real_bash_completes_through_the_script(tmp_path):
    """The script --show-completion prints, sourced in bash, asked as a TAB would ask."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "chuyi"
    wrapper.write_text(
        f'#!/bin/sh\ncd "{ROOT}" && exec "{sys.executable}" -c "{AS_INSTALLED}" "$@"\n'
    )
    wrapper.chmod(0o755)
    env = {**NAMED_SHELL, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    script = subprocess.run(
        ["chuyi", "--show-completion", "bash"],
        env=env,
        capture_output=True,
        text=True,
        encoding=output_encoding(),
    ).stdout
    asked = script + "\nCOMP_WORDS=(chuyi record x y --stage 验); COMP_CWORD=5\n"
    asked += '_chuyi_completion chuyi\nprintf "%s\\n" "${COMPREPLY[@]}"\n'
    done = subprocess.run(
        ["bash", "-c", asked], env=env, capture_output=True, text=True, encoding=output_encoding()
    )
    assert done.stdout.split() == ["验收", "验收合格", "验收通过"], done.stderr
