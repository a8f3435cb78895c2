"""The plan built from the catalog's fields, with the rules between them: what each kind
of target takes (a coverage target counts the regions of its level, a named target its
names, a milestone or an activity no units), ids and task refs once, and ``duplicate_of``
and ``among`` naming what the catalog holds. Each field is read by
:mod:`chuyi_cli.catalog_fields`; every problem is collected, none stops the others.
(Imported only when a catalog is parsed: a cached one is read without it.)
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple, TypeVar

from chuyi_cli.catalog_fields import Fields, Map, Problems
from chuyi_cli.catalog_nodes import (
    COUNTING_STAGES,
    KINDS,
    LEVELS,
    PROVENANCES,
    Checkpoint,
    NamedUnit,
    Plan,
    Section,
    Target,
    Task,
    normalise_ref,
)
from chuyi_cli.i18n import Message, Word
from chuyi_cli.regions import Gazetteer

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_Value = TypeVar("_Value")


_PLAN_KEYS = {
    "title",
    "title_en",
    "issuers",
    "start",
    "deadline",
    "notes",
    "public_end",
    "deadline_note",
}
_SECTION_KEYS = {"ref", "title", "title_en", "tasks", "provenance", "note", "reconstructed"}
_TASK_KEYS = {
    "ref",
    "title",
    "title_en",
    "targets",
    "provenance",
    "duplicate_of",
    "gap",
    "note",
    "lead",
    "partners",
    "reconstructed",
}
_TARGET_KEYS = {
    "id",
    "title",
    "title_en",
    "kind",
    "goal",
    "unit",
    "level",
    "min_per_region",
    "counts_at",
    "names",
    "source",
    "provenance",
    "restored",
    "gap",
    "note",
    "reconstructed",
    "unverified",
    "frequency",
    "checkpoints",
    "max_per_region",
    "among",
    "yearly",
    "max_quantity",
}


class _Counting(NamedTuple):
    """What a target counts, as its kind allows."""

    goal: int | None
    level: str | None
    min_per_region: int | None
    counts_at: str | None
    names: tuple[NamedUnit, ...]


_NOTHING_COUNTED = _Counting(None, None, None, None, ())


class _KindOnly(NamedTuple):
    """The fields only some kinds of target take."""

    max_per_region: int | None  # coverage
    frequency: str | None  # activity
    among: str | None  # named
    yearly: bool  # milestone
    checkpoints: tuple[Checkpoint, ...]  # count, coverage, named, milestone


class Builder(Fields):
    """Validates the plain values and builds the frozen catalog."""

    def __init__(self, path: str, problems: Problems, places: Gazetteer) -> None:
        super().__init__(path, problems, places)
        self.ids: dict[str, int] = {}
        self.task_refs: dict[str, int] = {}
        self.kinds: dict[str, str | None] = {}
        self.amongs: list[tuple[str, str, int]] = []  # (target, the target it names, line)

    def plan(self, root: Any) -> Plan:
        root = self.mapping(root, Message("cat.w.catalog"), {"plan", "sections"}, 1)
        plan_word = Message("cat.w.plan")
        plan = self.mapping(root.get("plan"), plan_word, _PLAN_KEYS, root.lines.get("plan", 1))
        start = self.date(plan, "start", plan_word)
        deadline = self.date(plan, "deadline", plan_word)
        if deadline <= start:
            self.problem(plan.lines.get("deadline", plan.line), Message("cat.deadline"))
        self.start, self.deadline = start, deadline
        public_end = self.whole(plan, "public_end", plan_word)
        if public_end is not None and not start.year <= public_end <= deadline.year:
            self.problem(
                plan.lines["public_end"],
                Message("cat.public_end", year=public_end, first=start.year, last=deadline.year),
            )
            public_end = None
        issuers = self.texts(plan, "issuers", plan_word)
        if not issuers:
            self.problem(plan.line, Message("cat.no_issuers"))
        raw_sections = root.get("sections")
        sections: list[Section] = []
        if not isinstance(raw_sections, list) or not raw_sections:
            self.problem(root.lines.get("sections", 1), Message("cat.no_sections"))
        else:
            line = root.lines["sections"]
            sections = [self.section(s, line) for s in raw_sections]
        self.check_duplicates(sections)
        self.check_amongs()
        return Plan(
            title=self.text(plan, "title", plan_word) or "",
            title_en=self.text(plan, "title_en", plan_word, required=False) or "",
            issuers=issuers,
            start=start,
            deadline=deadline,
            notes=self.texts(plan, "notes", plan_word),
            sections=tuple(sections),
            path=self.path,
            public_end=public_end,
            deadline_note=self.text(plan, "deadline_note", plan_word, required=False),
        )

    def section(self, raw: Any, line: int) -> Section:
        m = self.mapping(raw, Message("cat.w.a_section"), _SECTION_KEYS, line)
        ref = normalise_ref(self.text(m, "ref", Message("cat.w.a_section")) or "?")
        what = Message("cat.w.section", ref=ref)
        tasks_raw = m.get("tasks")
        if not isinstance(tasks_raw, list) or not tasks_raw:
            self.problem(m.lines.get("tasks", m.line), Message("cat.no_tasks", what=what))
            tasks_raw = []
        return Section(
            ref=ref,
            title=self.text(m, "title", what) or "",
            title_en=self.text(m, "title_en", what, required=False) or "",
            tasks=tuple(self.task(t, ref, m.lines.get("tasks", m.line)) for t in tasks_raw),
            provenance=self.choice(m, "provenance", what, PROVENANCES) or "notice",
            note=self.text(m, "note", what, required=False),
            reconstructed=self.reconstructed(m, what),
        )

    def task(self, raw: Any, section: str, line: int) -> Task:
        m = self.mapping(raw, Message("cat.w.a_task"), _TASK_KEYS, line)
        ref = normalise_ref(self.text(m, "ref", Message("cat.w.a_task")) or "?")
        what = Message("cat.w.task", ref=ref)
        if ref in self.task_refs:
            self.problem(m.line, Message("cat.dup_task", ref=ref, first=self.task_refs[ref]))
        self.task_refs.setdefault(ref, m.line)
        duplicate_of = self.text(m, "duplicate_of", what, required=False)
        gap = self.text(m, "gap", what, required=False)
        raw_targets = m.get("targets")
        targets: tuple[Target, ...] = ()
        if raw_targets is not None:
            if not isinstance(raw_targets, list):
                self.problem(m.lines["targets"], Message("cat.targets_not_list", what=what))
            else:
                targets = tuple(
                    self.target(t, ref, section, m.lines["targets"]) for t in raw_targets
                )
        if duplicate_of and targets:
            self.problem(m.line, Message("cat.repeats_and_lists", what=what, other=duplicate_of))
        if not targets and not duplicate_of and not gap:
            self.problem(m.line, Message("cat.empty_task", what=what))
        return Task(
            ref=ref,
            title=self.text(m, "title", what) or "",
            title_en=self.text(m, "title_en", what, required=False) or "",
            targets=targets,
            provenance=self.choice(m, "provenance", what, PROVENANCES) or "notice",
            duplicate_of=normalise_ref(duplicate_of) if duplicate_of else None,
            gap=gap,
            note=self.text(m, "note", what, required=False),
            lead=self.text(m, "lead", what, required=False) or None,
            partners=self.texts(m, "partners", what),
            reconstructed=self.reconstructed(m, what),
        )

    def target(self, raw: Any, ref: str, section: str, line: int) -> Target:
        """A target: its id, what it counts as its kind allows, the fields only some kinds
        take, and where its words come from (each problem in the order of its fields)."""
        m = self.mapping(raw, Message("cat.w.a_target"), _TARGET_KEYS, line)
        target_id = self.target_id(m, ref)
        what = Message("cat.w.target", id=target_id)
        kind = self.choice(m, "kind", what, KINDS)
        if "kind" not in m:
            self.problem(m.line, Message("cat.no_kind", what=what))
        counting = _Counting(
            goal=self.whole(m, "goal", what),
            level=self.choice(m, "level", what, LEVELS),
            min_per_region=self.whole(m, "min_per_region", what),
            counts_at=self.choice(m, "counts_at", what, COUNTING_STAGES),
            names=(),
        )
        provenance = self.choice(m, "provenance", what, PROVENANCES) or "notice"
        source = self.text(m, "source", what, required=False)
        restored = self.text(m, "restored", what, required=False)
        gap = self.text(m, "gap", what, required=False)
        counting = counting._replace(names=self.names(m, what))
        max_quantity = self.whole(m, "max_quantity", what)
        max_quantity = self.activity_only(m, "max_quantity", max_quantity, what, kind)
        counting = self.counting(m, what, kind, counting)
        if kind == "count" and counting.goal is None and not gap:
            self.problem(m.line, Message("cat.no_goal", what=what))
        only = self.kind_only(m, what, kind, target_id, counting)
        self.kinds[target_id] = kind
        if provenance == "notice" and not source:
            self.problem(m.line, Message("cat.needs_source", what=what))
        if provenance == "restored" and not restored:
            self.problem(m.line, Message("cat.needs_restored", what=what))
        return Target(
            id=target_id,
            ref=ref,
            title=self.text(m, "title", what) or "",
            title_en=self.text(m, "title_en", what, required=False) or "",
            kind=kind or "count",
            goal=counting.goal,
            unit=self.text(m, "unit", what, required=False),
            level=counting.level,
            min_per_region=counting.min_per_region,
            counts_at=counting.counts_at,
            names=counting.names,
            source=source,
            provenance=provenance,
            restored=restored,
            gap=gap,
            note=self.text(m, "note", what, required=False),
            section=section,
            line=m.line,
            reconstructed=self.reconstructed(m, what),
            unverified=self.text(m, "unverified", what, required=False),
            frequency=only.frequency,
            checkpoints=only.checkpoints,
            max_per_region=only.max_per_region,
            among=only.among,
            yearly=only.yearly,
            max_quantity=max_quantity,
        )

    def target_id(self, m: Map, ref: str) -> str:
        """The target's id: a slug, once in the catalog ("?" when it has none)."""
        target_id = self.text(m, "id", Message("cat.w.target_of", ref=ref)) or "?"
        if target_id != "?" and not _ID.match(target_id):
            self.problem(
                m.lines["id"], Message("cat.bad_id", what=Message("cat.w.target", id=target_id))
            )
        if target_id in self.ids:
            self.problem(
                m.lines.get("id", m.line),
                Message("cat.dup_id", id=target_id, first=self.ids[target_id]),
            )
        self.ids.setdefault(target_id, m.lines.get("id", m.line))
        return target_id

    def counting(self, m: Map, what: Message, kind: str | None, c: _Counting) -> _Counting:
        """What the target counts, as its kind allows: a milestone or an activity counts no
        units; a coverage target counts the regions of its level; a named target, its
        names; only a coverage target has a level and a least number a region."""
        if kind in ("milestone", "activity"):
            for key in ("goal", "level", "min_per_region", "counts_at", "names"):
                if m.get(key) is not None:
                    self.problem(
                        m.lines[key],
                        Message("cat.kind_takes_no", what=what, kind=Word(kind or ""), key=key),
                    )
            c = _NOTHING_COUNTED
        else:
            c = c._replace(counts_at=c.counts_at or "accepted")
        if kind == "coverage":
            c = self.coverage(m, what, c)
        elif kind in ("count", "named", "milestone", "activity"):
            for key in ("level", "min_per_region"):
                if m.get(key) is not None and kind in ("count", "named"):
                    self.problem(m.lines[key], Message("cat.only_coverage", what=what, key=key))
            c = c._replace(level=None, min_per_region=None)
        if kind == "named":
            c = self.named(m, what, c)
        elif c.names:
            self.problem(m.lines["names"], Message("cat.only_named", what=what))
        return c

    def coverage(self, m: Map, what: Message, c: _Counting) -> _Counting:
        """A coverage target: its goal is the number of regions at its level."""
        if c.level is None and "level" not in m:
            self.problem(m.line, Message("cat.needs_level", what=what))
        goal = c.goal
        if c.level:
            regions = len(self.places.level(c.level))
            if goal is not None and goal != regions:
                self.problem(
                    m.lines["goal"],
                    Message(
                        "cat.goal_vs_regions", what=what, goal=goal, regions=regions, level=c.level
                    ),
                )
            goal = regions
        return c._replace(goal=goal, min_per_region=c.min_per_region or 1)

    def named(self, m: Map, what: Message, c: _Counting) -> _Counting:
        """A named target: its goal is the number of its names."""
        if not c.names:
            self.problem(m.lines.get("names", m.line), Message("cat.needs_names", what=what))
        elif c.goal is not None and c.goal != len(c.names):
            self.problem(
                m.lines["goal"],
                Message("cat.goal_vs_names", what=what, goal=c.goal, count=len(c.names)),
            )
        return c._replace(goal=len(c.names) or None)

    def kind_only(
        self, m: Map, what: Message, kind: str | None, target_id: str, counting: _Counting
    ) -> _KindOnly:
        """The fields only some kinds of target take, each refused on another kind."""
        max_per_region = self.max_per_region(m, what, kind, counting.min_per_region)
        frequency = self.text(m, "frequency", what, required=False)
        frequency = self.activity_only(m, "frequency", frequency, what, kind)
        among = self.among(m, what, kind, target_id)
        yearly = self.yearly(m, what, kind)
        goal = 1 if kind == "milestone" else counting.goal
        checkpoints = self.checkpoints(m, what, kind, goal, yearly)
        return _KindOnly(max_per_region, frequency, among, yearly, checkpoints)

    def activity_only(
        self, m: Map, key: str, value: _Value | None, what: Message, kind: str | None
    ) -> _Value | None:
        """A field only an activity takes (None, and its problem, for another kind)."""
        if value is not None and kind != "activity":
            self.problem(m.lines[key], Message("cat.only_activity", what=what, key=key))
            return None
        return value

    def max_per_region(
        self, m: Map, what: Message, kind: str | None, least: int | None
    ) -> int | None:
        """The most units a region of a coverage target holds before they are surplus."""
        most = self.whole(m, "max_per_region", what)
        if most is None:
            return None
        if kind != "coverage":
            self.problem(
                m.lines["max_per_region"],
                Message("cat.only_coverage", what=what, key="max_per_region"),
            )
            return None
        if most < (least or 1):
            self.problem(
                m.lines["max_per_region"],
                Message("cat.max_below_min", what=what, most=most, least=least),
            )
        return most

    def among(self, m: Map, what: Message, kind: str | None, target_id: str) -> str | None:
        """The count target a named target's units may or may not be among (checked once
        every target is read)."""
        among = self.text(m, "among", what, required=False)
        if among is None:
            return None
        if kind != "named":
            self.problem(m.lines["among"], Message("cat.only_named_takes", what=what, key="among"))
            return None
        self.amongs.append((target_id, among, m.lines["among"]))
        return among

    def yearly(self, m: Map, what: Message, kind: str | None) -> bool:
        """Whether a milestone has one state a year."""
        yearly = m.get("yearly", False)
        if not isinstance(yearly, bool):
            self.problem(m.lines["yearly"], Message("cat.yearly_not_bool", what=what, value=yearly))
            return False
        if yearly and kind != "milestone":
            self.problem(m.lines["yearly"], Message("cat.yearly_not_milestone", what=what))
            return False
        return yearly

    def check_amongs(self) -> None:
        for target_id, other, line in self.amongs:
            if self.kinds.get(other, "") != "count":
                what = Message("cat.w.target", id=target_id)
                self.problem(line, Message("cat.among_unknown", what=what, other=other))

    def check_duplicates(self, sections: list[Section]) -> None:
        for section in sections:
            for task in section.tasks:
                if task.duplicate_of and task.duplicate_of not in self.task_refs:
                    self.problem(
                        self.task_refs.get(task.ref, 1),
                        Message("cat.repeats_unknown", ref=task.ref, other=task.duplicate_of),
                    )
