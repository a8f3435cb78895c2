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
    return [re.sub(r"\\(.)", r"\1", x) for x in lines]  # (bash: as the shell reads it)


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
        encoding=output_encoding(env),
    ).stdout
    asked = script + "\nCOMP_WORDS=(chuyi record x y --stage 验); COMP_CWORD=5\n"
    asked += '_chuyi_completion chuyi\nprintf "%s\\n" "${COMPREPLY[@]}"\n'
    done = subprocess.run(
        ["bash", "-c", asked], env=env, capture_output=True, text=True, encoding=output_encoding()
    )
    assert done.stdout.split() == ["验收", "验收合格", "验收通过"], done.stderr


def _bash_completes(env: dict[str, str], words: str, cword: int) -> list[str]:
    """COMPREPLY of the script --show-completion prints, for bash's COMP_WORDS=(words)."""
    script = subprocess.run(
        ["chuyi", "--show-completion", "bash"],
        env=env,
        capture_output=True,
        encoding=output_encoding(env),
    ).stdout
    asked = script + f"\nCOMP_WORDS=({words}); COMP_CWORD={cword}\n"
    asked += '_chuyi_completion chuyi\nprintf "%s\\n" "${COMPREPLY[@]}"\n'
    done = subprocess.run(
        ["bash", "-c", asked], env=env, capture_output=True, encoding=output_encoding(env)
    )
    return done.stdout.splitlines()


@pytest.mark.skipif(not shutil.which("bash"), reason="bash is not installed")
def test_bash_completion_quotes_what_the_shell_would_misread(tmp_path):
    """A completion goes on bash's line as it is given: `职教集团(联盟)` bare is a syntax
    error. Each one offered reads back in bash as the word completed, bare or inside the
    quote the word typed so far opens."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "chuyi"
    wrapper.write_text(
        f'#!/bin/sh\ncd "{ROOT}" && exec "{sys.executable}" -c "{AS_INSTALLED}" "$@"\n'
    )
    wrapper.chmod(0o755)
    # (a shell in a UTF-8 terminal: what chuyi writes it reads as UTF-8)
    env = {**NAMED_SHELL, "PATH": f"{bin_dir}:{os.environ['PATH']}", "PYTHONIOENCODING": "utf-8"}
    for words, wanted in (
        ("chuyi show 职教集", ["职教集团(联盟)"]),
        ("chuyi show 二\\\\\\(四", ["二(四)1", "二(四)2", "二(四)3", "二(四)4", "二(四)5"]),
        ('chuyi show "\'二(四)1"', ["二(四)1"]),
        ("chuyi show '\"职教集'", ["职教集团(联盟)"]),
    ):
        offered = _bash_completes(env, words, 2)
        assert len(offered) == len(wanted), (words, offered)
        for line, word in zip(offered, wanted, strict=True):
            # (the line as the user ends it: a quote opened is closed by the completion)
            parsed = subprocess.run(
                ["bash", "-c", f'printf "%s\\n" {line}'],
                capture_output=True,
                encoding="utf-8",  # (bash prints the word as the line holds it)
            )
            assert parsed.returncode == 0 and parsed.stdout == word + "\n", (line, parsed)
    assert _bash_completes(env, "chuyi show 职教集", 2) == ["职教集团\\(联盟\\)"]


_SHELL_START = {
    "bash": (["bash", "--norc", "--noprofile"], "source {script}"),
    "zsh": (["zsh", "-f"], "autoload -Uz compinit && compinit -u && source {script}"),
    "fish": (["fish", "--no-config"], "source {script}"),
}


@pytest.mark.parametrize("shell", sorted(_SHELL_START))
def test_a_line_completed_in_each_shell_runs(shell, tmp_path):
    """In the shell itself, in a terminal: `chuyi show 职教集<TAB><Enter>` runs the command
    (bash quotes what chuyi offers; zsh and fish quote what they insert)."""
    import fcntl
    import pty
    import select
    import termios

    start, setup = _SHELL_START[shell]
    if not shutil.which(start[0]):
        pytest.skip(f"{shell} is not installed")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "chuyi"
    wrapper.write_text(
        f'#!/bin/sh\ncd "{ROOT}" && exec "{sys.executable}" -c "{AS_INSTALLED}" "$@"\n'
    )
    wrapper.chmod(0o755)
    env = {
        **NAMED_SHELL,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "TERM": "xterm",
        "LANG": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",  # (the terminal is UTF-8, as LANG says)
    }
    script = tmp_path / f"chuyi.{shell}"
    script.write_text(
        subprocess.run(
            ["chuyi", "--show-completion", shell], env=env, capture_output=True, text=True
        ).stdout
    )
    master, slave = pty.openpty()

    def own_terminal() -> None:  # (the terminal is the shell's own, as in a window)
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        start, stdin=slave, stdout=slave, stderr=slave, env=env, preexec_fn=own_terminal
    )
    os.close(slave)
    seen = b""

    def until(mark: bytes) -> None:
        nonlocal seen
        while mark not in seen:
            ready, _, _ = select.select([master], [], [], 60)
            assert ready, f"{shell} showed no {mark!r}:\n{seen.decode('utf-8', 'replace')}"
            try:
                seen += os.read(master, 65536)
            except OSError:
                break

    try:
        os.write(master, (setup.format(script=script) + "; echo READY-'ok'\n").encode())
        until(b"READY-ok")
        os.write(master, "chuyi --lang en show 职教集\t".encode())
        until("联盟".encode())
        os.write(master, b" && echo SHOWN-'ok'\n")
        until(b"SHOWN-ok")
        os.write(master, b"exit\n")
        proc.wait(60)
    finally:
        proc.kill()
        os.close(master)
    text = seen.decode("utf-8", "replace")
    assert "syntax error" not in text and "parse error" not in text, text
    assert "Id vet-groups" in text, text
