"""The catalog encodes the whole notice, faithfully, and the loader catches every slip."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chuyi_cli.catalog import load_catalog, parse_catalog
from chuyi_cli.errors import ProblemsError

ROOT = Path(__file__).resolve().parent.parent
NOTICE = (ROOT / "data" / "notice" / "notice.txt").read_text(encoding="utf-8")
FACTS = (ROOT / "data" / "notice" / "FACTS.md").read_text(encoding="utf-8")


def squeeze(text: str) -> str:
    return "".join(text.split())


def numbers(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


# Every numbered item the notice has (our copy, plus what the public record restores).
NUMBERED_ITEMS = [
    "二(一)1",
    "二(一)2",
    "二(一)3",
    "二(二)1",
    "二(二)2",
    "二(二)3",
    "二(二)4",
    "二(三)1",
    "二(三)2",
    "二(三)3",
    "二(三)4",
    "二(四)1",
    "二(四)2",
    "二(四)3",
    "二(四)4",
    "二(四)5",
    "二(四)6",
    "二(四)7",
    "二(四)8",
    "三(三)",
    "三(四)",
]


def test_every_numbered_item_has_its_task(plan):
    refs = {task.ref for _, task in plan.tasks()}
    assert set(NUMBERED_ITEMS) <= refs


def test_plan_header(plan):
    assert plan.start.isoformat() == "2022-04-08"
    assert plan.deadline.isoformat() == "2030-12-31"
    assert len(plan.issuers) == 5
    assert all(issuer in NOTICE for issuer in ("湖南省教育厅", "湖南省财政厅"))
    assert "楚怡" in plan.title and "双碳" not in plan.title


def test_sources_are_verbatim_from_our_copy(plan):
    copy = squeeze(NOTICE)
    for target in plan.targets:
        if target.source:
            assert squeeze(target.source) in copy, target.id


def test_each_goal_is_the_number_of_its_own_sentence(plan, places):
    for target in plan.targets:
        if target.goal is None:
            continue
        if target.kind == "coverage":
            assert target.goal == len(places.level(target.level))
            assert target.min_per_region in numbers(target.source)
        elif target.kind == "named":
            assert target.goal == len(target.names)
            assert all(n.name in target.source for n in target.names)
        elif target.provenance == "restored":
            assert target.goal in numbers(target.restored), target.id
            assert str(target.goal) in FACTS
        else:
            assert target.goal in numbers(target.source), target.id


def test_required_goals(plan):
    goals = {t.id: t.goal for t in plan.targets}
    assert goals["culture-bases"] == 20
    assert goals["undergrad-schools"] == 3
    assert goals["high-level-colleges"] == 10
    assert goals["public-college-per-city"] == 14
    assert goals["public-school-per-county"] == 122
    assert goals["excellent-schools"] == 10
    assert goals["rebuilt-school-per-city"] == 14
    assert goals["excellent-technician-schools"] == 5
    groups = [
        "undergrad-specialty-groups",
        "college-specialty-groups",
        "school-specialty-groups",
        "technician-specialty-groups",
    ]
    assert [goals[g] for g in groups] == [10, 100, 100, 10]
    assert goals["training-bases"] == 80
    assert goals["vet-groups"] == 30


def test_restored_targets_say_so(plan):
    restored = {t.id for t in plan.targets if t.provenance == "restored"}
    assert {"undergrad-schools", "college-specialty-groups", "school-specialty-groups"} <= restored


def test_teachers_masters_craftsmen_once_each(plan):
    for word in ("名师", "大师", "工匠"):
        found = [t for t in plan.targets if t.kind == "count" and t.title.endswith("职教" + word)]
        assert len(found) == 1, word
        assert found[0].goal == 30
    repeats = {task.ref: task.duplicate_of for _, task in plan.tasks() if task.duplicate_of}
    assert repeats == {"二(四)6": "二(四)3", "二(四)7": "二(四)4", "二(四)8": "二(四)5"}


def test_gaps_are_kept_not_invented(plan):
    gaps = {ref for ref, _, _ in plan.gaps()}
    assert {"二(一)3", "二(二)2", "二(五)", "三(一)", "三(二)"} <= gaps
    by_id = {t.id: t for t in plan.targets}
    assert by_id["spirit-bearers"].goal is None
    assert by_id["public-college-per-industry"].goal is None


def test_think_tank_lectures_forum_and_assessment(plan):
    kinds = {t.id: t.kind for t in plan.targets}
    assert kinds["think-tank"] == "milestone"
    assert kinds["think-tank-lectures"] == "activity"
    assert kinds["think-tank-forum"] == "activity"
    assert kinds["annual-assessment"] == "milestone"
    named = next(t for t in plan.targets if t.kind == "named")
    assert [n.name for n in named.names] == ["湖南工业职业技术学院", "新化县楚怡工业学校"]


def test_ids_are_unique_ascii_slugs(plan):
    ids = [t.id for t in plan.targets]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9-]+", i) for i in ids)


def test_counting_targets_say_why_they_count_where(plan):
    text = (ROOT / "data" / "targets.yaml").read_text(encoding="utf-8")
    assert text.count("counts_at:") == sum(1 for t in plan.targets if t.counts_at)
    for line in text.splitlines():
        if line.strip().startswith("counts_at:"):
            assert "#" in line, line


# --------------------------------------------------------------------------- broken YAML

GOOD_TARGET = """
          - id: {id}
            title: 某目标
            kind: {kind}
            goal: {goal}
            unit: 个
            source: 建设20个
"""


def catalog(targets: str) -> str:
    return f"""plan:
  title: 测试
  issuers: [甲]
  start: 2022-04-08
  deadline: 2030-12-31
sections:
  - ref: 二(一)
    title: 一节
    tasks:
      - ref: 二(一)1
        title: 一项
        targets:{targets}"""


def problems_of(text: str) -> list[str]:
    with pytest.raises(ProblemsError) as info:
        parse_catalog(text, "t.yaml")
    return [str(p) for p in info.value.problems]


def test_a_good_minimal_catalog_loads():
    plan = parse_catalog(catalog(GOOD_TARGET.format(id="a", kind="count", goal=20)), "t.yaml")
    assert [t.id for t in plan.targets] == ["a"]


@pytest.mark.parametrize(
    ("targets", "line", "words"),
    [
        (
            GOOD_TARGET.format(id="a", kind="count", goal=20) + "            colour: red\n",
            19,
            "unknown key 'colour'",
        ),
        (
            GOOD_TARGET.format(id="a", kind="count", goal=20)
            + GOOD_TARGET.format(id="a", kind="count", goal=5),
            20,
            "duplicate target id 'a'",
        ),
        (GOOD_TARGET.format(id="a", kind="tally", goal=20), 15, "bad kind 'tally'"),
        (GOOD_TARGET.format(id="a", kind="count", goal=-3), 16, "positive integer"),
        (GOOD_TARGET.format(id="a", kind="count", goal="twenty"), 16, "positive integer"),
        (GOOD_TARGET.format(id="a", kind="coverage", goal=14), 13, "needs 'level'"),
        (GOOD_TARGET.format(id="a", kind="named", goal=2), 13, "needs 'names'"),
        (
            GOOD_TARGET.format(id="a", kind="named", goal=1)
            + "            names:\n              - name: 某校\n                region: 火星市\n",
            21,
            "unknown region '火星市'",
        ),
    ],
)
def test_each_broken_catalog_names_file_and_line(targets, line, words):
    found = problems_of(catalog(targets))
    assert any(p.startswith(f"t.yaml:{line}:") and words in p for p in found), found


def test_every_problem_is_reported_at_once():
    targets = GOOD_TARGET.format(id="a", kind="tally", goal=-1) + GOOD_TARGET.format(
        id="a", kind="count", goal=5
    )
    found = problems_of(catalog(targets))
    assert len(found) >= 3


def test_syntax_error_has_a_line():
    found = problems_of("plan:\n  title: [unclosed\nsections: []\n")
    assert found[0].startswith("t.yaml:") and "syntax" in found[0]


def test_python_tags_and_aliases_are_refused():
    found = problems_of(
        catalog(
            GOOD_TARGET.format(
                id="a", kind="count", goal="!!python/object/apply:os.system ['true']"
            )
        )
    )
    assert any("tag" in p for p in found)
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    for i in range(1, 30):
        bomb += f"{chr(97 + i % 26)}{i}: &x{i} [" + ",".join(["*a"] * 9) + "]\n"
    found = problems_of(bomb)
    assert any("alias" in p for p in found)


def test_packaged_catalog_loads_without_a_path():
    assert len(load_catalog().targets) >= 30


def test_a_validated_catalog_is_cached_and_a_changed_one_is_not_reused(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("CHUYI_CACHE_DIR", str(cache))
    mine = tmp_path / "targets.yaml"
    mine.write_text((ROOT / "data" / "targets.yaml").read_text(encoding="utf-8"), "utf-8")
    first = load_catalog(mine)
    assert len(list(cache.glob("catalog-*"))) == 1
    assert load_catalog(mine) == first
    mine.write_text(mine.read_text(encoding="utf-8").replace("goal: 80", "goal: 81"), "utf-8")
    assert load_catalog(mine).target("training-bases").goal == 81
    for stale in cache.glob("catalog-*"):
        stale.write_bytes(b"{not a cache" + bytes(range(256)))
    assert load_catalog(mine).target("training-bases").goal == 81
    mine.write_text("plan: [\n", encoding="utf-8")
    with pytest.raises(ProblemsError):
        load_catalog(mine)  # a broken file is never served from the cache


def test_the_gazetteer_is_kept_between_runs_and_rebuilt_when_the_cache_is_damaged(
    tmp_path, monkeypatch
):
    from chuyi_cli import regions
    from chuyi_cli.resources import data_text

    monkeypatch.setenv("CHUYI_CACHE_DIR", str(tmp_path / "cache"))
    from_csv = regions.Gazetteer.from_csv(data_text("hunan-divisions.csv")).regions
    for damage in (None, b"\x00garbage", b"[]"):
        monkeypatch.setattr(regions, "_GAZETTEER", None)
        if damage is not None:
            for kept in (tmp_path / "cache").glob("gazetteer-*"):
                kept.write_bytes(damage)
        assert regions.gazetteer().regions == from_csv
        assert len(list((tmp_path / "cache").glob("gazetteer-*"))) == 1
    monkeypatch.setattr(regions, "_GAZETTEER", None)
    assert regions.gazetteer().get("长沙").name == "长沙市"  # read back from the cache
