"""`chuyi targets`, `show`, `regions`, `check` as a user runs them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from chuyi_cli.streams import is_utf8
from chuyi_cli.wrapping import display_width
from tests.processes import output_encoding, run_chuyi

ROOT = Path(__file__).resolve().parent.parent
TARGET_KEYS = {
    "id",
    "ref",
    "title",
    "title_en",
    "kind",
    "goal",
    "unit",
    "level",
    "min_per_region",
    "counts_at",
    "names",
    "provenance",
    "gap",
    "source",
    "reconstructed",
    "unverified",
    "frequency",
    "checkpoints",
    "max_per_region",
    "among",
    "yearly",
}


def test_targets_tree_shows_the_whole_notice(chuyi, plan):
    out = chuyi("targets").stdout
    for target in plan.targets:
        assert target.id in out
    assert "二(四)6" in out and "二(四)3" in out  # the repeat is shown, pointing back
    assert "[restored]" in out and "[gap]" in out


def test_targets_json_contract(chuyi, plan):
    data = chuyi.json("targets")
    assert set(data["plan"]) >= {"title", "issuers", "start", "deadline"}
    assert data["plan"]["deadline"] == "2030-12-31"
    assert len(data["targets"]) == len(plan.targets)
    for target in data["targets"]:
        assert TARGET_KEYS <= set(target)
    assert "楚怡" in json.dumps(data, ensure_ascii=False)
    # UTF-8 as it is; to a stdout that is not UTF-8 (CI's second run: gbk), \\u escapes.
    escaped = "\\u" in chuyi("targets", "--json").stdout
    assert escaped == (not is_utf8(output_encoding()))


def test_targets_section_and_gaps(chuyi):
    data = chuyi.json("targets", "--section", "二(三)")
    assert [t["goal"] for t in data["targets"]] == [10, 100, 100, 10]
    gaps = chuyi.json("targets", "--gaps")
    numbers = {t["id"] for t in gaps["targets"] if t["gap"]}
    assert numbers == {
        "spirit-bearers",
        "public-college-per-industry",
        "innovation-teams",
        "master-studios",
        "teaching-masters",
        "chuyi-workshops",
        "head-teacher-studios",
    }
    assert {t["ref"] for t in gaps["tasks"] if t["gap"]} == {"三(一)", "三(二)"}
    listed = {t["id"] for t in gaps["targets"]}
    assert {"renowned-teachers", "think-tank-forum", "policy-supply"} <= listed
    assert "training-bases" not in listed and "annual-assessment" not in listed
    kinds = {(p["kind"], p["what"]) for p in gaps["open_points"]}
    assert ("unverified", "vet-craftsmen") in kinds and (
        "frequency",
        "think-tank-lectures",
    ) in kinds
    assert ("date", "think-tank") in kinds and ("lead", "建设一批“楚怡”文化传承基地") in kinds
    result = chuyi("targets", "--section", "九", code=1)
    assert "unknown section" in result.stderr


def test_show_by_id_and_ref(chuyi):
    out = chuyi("show", "training-bases").stdout
    assert "80" in out and "支持建设80个" in out
    assert chuyi("show", "二（四）1").stdout == out  # full-width parentheses work too
    assert "renowned-teachers" in chuyi("show", "二(四)6").stdout  # the repeat leads to 名师


def test_show_ambiguous_and_unknown(chuyi):
    result = chuyi("show", "二(二)3", code=1)
    assert "excellent-schools" in result.stderr and "did you mean" in result.stderr
    result = chuyi("show", "culture-base", code=1)
    assert "did you mean" in result.stderr and "culture-bases" in result.stderr
    assert "Traceback" not in result.output


def test_regions(chuyi):
    regions = chuyi.json("regions")
    levels = [r["level"] for r in regions]
    assert levels.count("city") == 14 and levels.count("county") == 122
    assert levels.count("province") == 1
    by_name = {r["name"]: r for r in regions}
    assert "长沙" in by_name["长沙市"]["aliases"]
    assert "湘西州" in by_name["湘西土家族苗族自治州"]["aliases"]
    assert by_name["浏阳市"]["parent"] == "430100"
    assert len(chuyi.json("regions", "--level", "county")) == 122
    assert "芙蓉区" in chuyi("regions", "--level", "county").stdout


def test_check_ok_and_broken(chuyi, tmp_path):
    assert chuyi("check").stdout.strip() == "ok"
    bad = tmp_path / "bad.yaml"
    bad.write_text("plan:\n  title: x\nsections:\n  - ref: 一\n    titel: y\n", encoding="utf-8")
    result = chuyi("--targets", str(bad), "check", code=1)
    assert f"{bad}:5: unknown key 'titel'" in result.stderr


def test_targets_env_var(chuyi, tmp_path, monkeypatch):
    bad = tmp_path / "bad.yaml"
    bad.write_text("plan: [\n", encoding="utf-8")
    monkeypatch.setenv("CHUYI_TARGETS", str(bad))
    result = chuyi("targets", code=1)
    assert str(bad) in result.stderr and "Traceback" not in result.output


def test_version_and_help(chuyi):
    assert chuyi("--version").stdout.startswith("chuyi ")
    for name in (
        "targets",
        "show",
        "regions",
        "check",
        "record",
        "log",
        "units",
        "void",
        "import",
        "export",
        "backup",
        "status",
        "summary",
        "regions-status",
    ):
        out = chuyi(name, "-h").stdout
        assert "Usage" in out and len(out.splitlines()) > 3, name


def test_runs_as_a_module(tmp_path):
    env = {**os.environ, "CHUYI_DB": str(tmp_path / "m.db"), "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "chuyi_cli", "targets", "--json"],
        capture_output=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["plan"]["deadline"] == "2030-12-31"


def test_each_command_is_defined_where_the_command_line_looks_for_it():
    """``frame.COMMANDS`` is where a run finds a command's module, and the listing order."""
    from chuyi_cli.cli import app
    from chuyi_cli.cli.frame import COMMANDS

    names = [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]
    assert names == list(COMMANDS)
    for info in app.registered_commands:
        assert info.callback.__module__ == f"chuyi_cli.cli.{COMMANDS[info.name]}", info.name
    for group in app.registered_groups:  # (chuyi server …: a group of commands)
        for info in group.typer_instance.registered_commands:
            assert info.callback.__module__ == f"chuyi_cli.cli.{COMMANDS[group.name]}"


def test_a_run_imports_only_the_module_of_the_command_it_names(tmp_path):
    code = (
        "import sys\n"
        "from chuyi_cli.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stderr.write(' '.join(m for m in sys.modules if m.startswith('chuyi_cli.cli.')))\n"
    )
    env = {**os.environ, "CHUYI_DB": str(tmp_path / "m.db")}
    done = subprocess.run(
        [sys.executable, "-c", code, "record", "--help"],
        capture_output=True,
        encoding=output_encoding(env),
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    loaded = set(done.stderr.split())
    assert "chuyi_cli.cli.recording" in loaded
    assert not loaded & {"chuyi_cli.cli.reports", "chuyi_cli.cli.exchange"}, loaded


def test_the_command_line_builds_the_commands_it_names_and_every_one_otherwise(tmp_path):
    """(Only the named commands are built on a run; --help and a typo still see all.)"""
    from chuyi_cli.cli import app

    env = {**os.environ, "CHUYI_DB": str(tmp_path / "m.db"), "NO_COLOR": "1", "COLUMNS": "200"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_chuyi(env, *args, cwd=tmp_path)

    listing = run("--help")
    assert listing.returncode == 0
    names = [c.name for c in app.registered_commands]
    assert len(names) >= 14 and all(name in listing.stdout for name in names)

    # Listed from names and help alone, the page is the one typer draws from whole commands.
    def page(code: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code, "--help"],
            capture_output=True,
            text=True,
            encoding=output_encoding(env),
            env=env,
        )
        return done.stdout

    whole = page("from chuyi_cli.cli import app; app(prog_name='chuyi')")
    listed = page("from chuyi_cli.cli import main; main()")
    assert listed == whole.replace("chuyi [OPTIONS]", "-c [OPTIONS]")
    typo = run("stauts")
    assert typo.returncode == 2 and "status" in typo.stderr
    # A unit named like a command is an argument, and the command it follows still runs.
    recorded = run(
        "record",
        "training-bases",
        "log",
        "--stage",
        "accepted",
        "--by",
        "x",
        "--date",
        "2024-01-02",
    )
    assert recorded.returncode == 0, recorded.stderr
    assert run("units", "training-bases").stdout.count("log") == 1


@pytest.mark.slow
def test_wheel_carries_the_catalog_and_works_from_anywhere(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(wheels.glob("chuyi-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "chuyi_cli/data/targets.yaml" in names
    assert "chuyi_cli/data/hunan-divisions.csv" in names
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (  # run from another folder, with only the installed copy on the path
        "import sys; sys.path.insert(0, sys.argv[1]); import chuyi_cli.resources as r; "
        "from chuyi_cli.catalog import load_catalog; p = load_catalog(); "
        "print(r.data_path('targets.yaml'), len(p.targets))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(site)],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        check=True,
    )
    path, count = result.stdout.split()
    assert path.startswith(str(site)) and int(count) >= 30


def test_gaps_show_what_is_unverified_undated_and_without_a_lead(chuyi):
    def row(text: str, target_id: str) -> str:
        """A target's row, its wrapped lines joined, up to the next row."""
        after = text.split(target_id, 1)[1].split("\n")
        lines = [after[0]] + [x for x in after[1:4] if x.startswith(" " * 8)]
        return "".join(x.strip() for x in lines)

    out = chuyi("--lang", "zh", "targets", "--gaps", "--width", "80").stdout
    assert "[未经核实]" in row(out, "renowned-teachers")
    assert "未经核实:公开文本中未查到本项" in re.sub(r"\s+", "", out)
    assert "[无频次]" in row(out, "think-tank-forum")
    assert "[无日期]" in row(out, "policy-supply")
    assert "未指定牵头单位、配合单位的任务（" in out and "二(五)" in out.split("未指定牵头单位")[1]
    assert "training-bases" not in out
    english = chuyi("--lang", "en", "targets", "--gaps", "--width", "80").stdout
    assert "[unverified]" in english and "[no frequency]" in english and "[no date]" in english
    assert "Tasks without a lead or partner department (" in english
    for text in (out, english):
        assert all(display_width(line) <= 80 for line in text.splitlines())


def test_show_says_what_is_unverified_reconstructed_and_open(chuyi):
    def show(lang: str, target: str) -> str:
        out = chuyi("--lang", lang, "show", target, "--width", "200").stdout
        return re.sub(r"\s+", "", out).replace("（", "(").replace("）", ")")

    out = show("zh", "vet-masters")
    assert "未经核实：公开文本中未查到本项" in out and "牵头单位" not in out  # none named
    out = show("en", "government-agenda")
    assert "reconstructed(title)：“楚怡”据上下文改正" in out
    assert "reconstructed(title_en)：残存文字下接" in out
    assert "assessmentlist" in out and "nodate：thenoticesetsnodate" in out
    assert "reconstructed(二(三)2title)：" in show("en", "college-specialty-groups")
    assert "frequency：thenoticesetsnofrequency" in show("en", "think-tank-forum")
    out = show("zh", "culture-bases-named")
    assert "是否在内：通知未说明是否在culture-bases之内" in out and "是否在20个" in out
    out = show("zh", "rebuilt-school-per-city")
    assert "每地至多：1所" in out
    assert "按年度：每年一个状态，2022–2030年" in show("zh", "annual-assessment")
    data = chuyi.json("show", "undergrad-schools")
    assert set(data["reconstructed"]) == {"counts_at"}
    assert "拟定(counts_at)：公开文本本项原句未取得" in show("zh", "undergrad-schools")


def test_coverage_goals_count_regions_and_the_public_end_is_beside_the_deadline(chuyi):
    out = chuyi("--lang", "zh", "targets").stdout
    assert "14 个市州" in out and "122 个县市区" in out
    assert "14 所" not in out and "122 所" not in out
    assert "跟踪截止日期 2030-12-31，公开文本期限 2025 年" in out
    english = chuyi("--lang", "en", "targets").stdout
    assert "14 prefectures" in english and "122 counties" in english
    assert "Tracked deadline 2030-12-31; the public notice ends in 2025." in english
    assert "aims at 2025" in english
    data = chuyi.json("targets")
    assert data["plan"]["public_end"] == 2025 and "2025" in data["plan"]["deadline_note"]
    three = next(s for s in data["sections"] if s["ref"] == "三")
    assert set(three["reconstructed"]) == {"ref", "title"}


def test_check_names_file_and_line_of_a_bad_new_field(chuyi, tmp_path):
    text = (ROOT / "data" / "targets.yaml").read_text(encoding="utf-8")
    text = text.replace("max_per_region: 1  #", "max_per_region: 0  #")
    text = text.replace("among: culture-bases", "among: vet-groupz")
    bad = tmp_path / "targets.yaml"
    bad.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    max_line = next(i for i, line in enumerate(lines, 1) if "max_per_region: 0" in line)
    among_line = next(i for i, line in enumerate(lines, 1) if "among: vet-groupz" in line)
    result = chuyi("--targets", str(bad), "check", code=1)
    assert f"{bad}:{max_line}: target rebuilt-school-per-city: max_per_region" in result.stderr
    assert f"{bad}:{among_line}: target culture-bases-named: among 'vet-groupz'" in result.stderr
