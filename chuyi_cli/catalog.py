"""The target catalog: load ``targets.yaml``, validate it, and hand out frozen objects.

The loader composes the YAML with PyYAML's *safe* loader into nodes (so every value keeps
its line), refuses aliases and non-standard tags, and reports every problem at once as
``FILE:LINE: reason``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from chuyi_cli.errors import ChuyiError, ProblemsError, os_reason
from chuyi_cli.i18n import Listing, Message, Names, Word
from chuyi_cli.regions import Gazetteer, UnknownRegion, gazetteer

KINDS = ("count", "coverage", "named", "milestone", "activity")
COUNTING_STAGES = ("selected", "building", "accepted")
STAGES = (*COUNTING_STAGES, "revoked")
MILESTONE_STATES = ("not_started", "in_progress", "done")
PROVENANCES = ("notice", "restored")
LEVELS = ("city", "county")

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


# The catalog's objects are named tuples, not dataclasses: every run of chuyi defines
# them, and a frozen dataclass costs several times as much to define.


class NamedUnit(NamedTuple):
    """A unit the notice names (e.g. 湖南工业职业技术学院) and the region it lies in."""

    name: str
    region: str  # gazetteer code


class Checkpoint(NamedTuple):
    """A goal by an earlier day (a yearly sub-goal, a milestone's date)."""

    by: dt.date
    goal: int


# A field a maintainer wrote by analogy or inferred, and why: ("title", "按…类推").
Reconstructed = tuple[tuple[str, str], ...]


class Target(NamedTuple):
    id: str
    ref: str
    title: str
    title_en: str
    kind: str
    goal: int | None
    unit: str | None
    level: str | None
    min_per_region: int | None
    counts_at: str | None
    names: tuple[NamedUnit, ...]
    source: str | None
    provenance: str
    restored: str | None
    gap: str | None
    note: str | None
    section: str
    line: int = 0  # where the catalog file defines it
    reconstructed: Reconstructed = ()
    unverified: str | None = None  # what the public record does not confirm
    frequency: str | None = None  # activities: how often the notice says (None: it does not)
    checkpoints: tuple[Checkpoint, ...] = ()
    max_per_region: int | None = None  # coverage: more units than this in a region is surplus
    among: str | None = None  # named: the count target its units may or may not be among
    yearly: bool = False  # milestone: one state per year of the plan
    max_quantity: int | None = None  # activity: most one entry plausibly holds (default 100)

    @property
    def has_units(self) -> bool:
        """Whether entries of this target name a unit (school, base, person…)."""
        return self.kind in ("count", "coverage", "named")

    def as_dict(self) -> dict[str, Any]:
        """The catalog fields, every key present (null where not applicable)."""
        return {
            "id": self.id,
            "ref": self.ref,
            "section": self.section,
            "title": self.title,
            "title_en": self.title_en,
            "kind": self.kind,
            "goal": self.goal,
            "unit": self.unit,
            "level": self.level,
            "min_per_region": self.min_per_region,
            "counts_at": self.counts_at,
            "names": [{"name": n.name, "region": n.region} for n in self.names] or None,
            "provenance": self.provenance,
            "restored": self.restored,
            "gap": self.gap,
            "note": self.note,
            "source": self.source,
            "reconstructed": dict(self.reconstructed) or None,
            "unverified": self.unverified,
            "frequency": self.frequency,
            "checkpoints": [{"by": c.by.isoformat(), "goal": c.goal} for c in self.checkpoints]
            or None,
            "max_per_region": self.max_per_region,
            "among": self.among,
            "yearly": self.yearly,
            "max_quantity": self.max_quantity,
        }


class Task(NamedTuple):
    ref: str
    title: str
    title_en: str
    targets: tuple[Target, ...]
    provenance: str = "notice"
    duplicate_of: str | None = None
    gap: str | None = None
    note: str | None = None
    lead: str | None = None  # 牵头单位 (the notice names none)
    partners: tuple[str, ...] = ()  # 配合单位
    reconstructed: Reconstructed = ()


class Section(NamedTuple):
    ref: str
    title: str
    title_en: str
    tasks: tuple[Task, ...]
    provenance: str = "notice"
    note: str | None = None
    reconstructed: Reconstructed = ()


class Plan(NamedTuple):
    title: str
    title_en: str
    issuers: tuple[str, ...]
    start: dt.date
    deadline: dt.date
    notes: tuple[str, ...]
    sections: tuple[Section, ...]
    path: str = ""
    public_end: int | None = None  # the year the public notice aims at (到2025年)
    deadline_note: str | None = None  # why the tool tracks its deadline, not public_end

    @property
    def targets(self) -> list[Target]:
        return [t for s in self.sections for task in s.tasks for t in task.targets]

    def tasks(self) -> Iterator[tuple[Section, Task]]:
        for section in self.sections:
            for task in section.tasks:
                yield section, task

    def target(self, target_id: str) -> Target:
        for target in self.targets:
            if target.id == target_id:
                return target
        raise ChuyiError("unknown_target", text=target_id, hint="")

    def find(self, text: str) -> Target:
        """The one target ``text`` names: its id, its ref (half- or full-width parentheses),
        its title as the notice writes it, or a part of the title that no other target's
        holds (``职教名师``, ``实训基地``). A part that several titles hold lists them."""
        key = normalise_ref(text)
        targets = self.targets
        for target in targets:
            if target.id == key.lower():
                return target
        by_ref = [t for t in targets if t.ref == key]
        if len(by_ref) == 1:
            return by_ref[0]
        if by_ref:
            raise _ambiguous(text, by_ref)
        for _section, task in self.tasks():
            if task.ref == key and task.duplicate_of:
                return self.find(task.duplicate_of)
        words = title_key(text)
        if words:
            exact = [t for t in targets if title_key(t.title) == words]
            if len(exact) == 1:
                return exact[0]
            holding = exact or [
                t
                for t in targets
                if words in title_key(t.title)
                or (len(words) >= 3 and words in title_key(t.title_en))
            ]
            if len(holding) == 1 and len(words) >= 2:
                return holding[0]
            if holding:
                raise _ambiguous(text, holding)
        import difflib

        keys = [t.id for t in targets] + sorted({t.ref for t in targets})
        close = difflib.get_close_matches(key, keys, n=4, cutoff=0.5)
        hint = Message("did_you_mean", names=Names(close)) if close else Message("see_targets")
        raise ChuyiError("unknown_target", text=text, hint=hint)

    def in_section(self, ref: str) -> list[Section]:
        """Sections whose ref is ``ref`` or lies under it (``二`` → 二(一) … 二(五))."""
        key = normalise_ref(ref)
        found = [s for s in self.sections if s.ref == key or s.ref.startswith(key + "(")]
        if not found:
            refs = ", ".join(s.ref for s in self.sections)
            raise ChuyiError("unknown_section", text=ref, refs=refs)
        return found

    def gaps(self) -> list[tuple[str, str, str]]:
        """Every number the notice leaves open: (ref, what, why)."""
        found = []
        for _section, task in self.tasks():
            if task.gap:
                found.append((task.ref, task.title, task.gap))
            for target in task.targets:
                if target.gap:
                    found.append((target.ref, target.id, target.gap))
        return found

    def open_points(self) -> list[OpenPoint]:
        """Everything an official would still ask of the catalog, by kind: a number left
        open (``number``), a sentence the public record does not confirm
        (``unverified``), an activity without a frequency, a milestone without a date,
        a task without a lead department (``lead``)."""
        found = []
        for _section, task in self.tasks():
            if task.gap:
                found.append(OpenPoint("number", task.ref, task.title, task.gap))
            for t in task.targets:
                if t.gap:
                    found.append(OpenPoint("number", t.ref, t.id, t.gap))
                if t.unverified:
                    found.append(OpenPoint("unverified", t.ref, t.id, t.unverified))
                if t.kind == "activity" and not t.frequency:
                    found.append(OpenPoint("frequency", t.ref, t.id, None))
                if t.kind == "milestone" and not t.checkpoints and not t.yearly:
                    found.append(OpenPoint("date", t.ref, t.id, None))
            if task.targets and not task.lead:
                found.append(OpenPoint("lead", task.ref, task.title, None))
        return found

    def led_by(self, department: str) -> list[Task]:
        """The tasks whose lead or partners name ``department`` (``省教育厅`` finds
        ``湖南省教育厅``)."""
        key = "".join(department.split())
        return [
            task
            for _section, task in self.tasks()
            if key and any(key in name for name in (task.lead or "", *task.partners) if name)
        ]


class OpenPoint(NamedTuple):
    """One thing the catalog cannot say (see :meth:`Plan.open_points`)."""

    kind: str  # number | unverified | frequency | date | lead
    ref: str
    what: str  # a target id or a task title
    why: str | None  # the catalog's words, when it has them


OPEN_POINT_KINDS = ("number", "unverified", "frequency", "date", "lead")


def normalise_ref(text: str) -> str:
    """``二（二）3`` and ``二 (二) 3`` → ``二(二)3``."""
    return "".join(str(text).replace("（", "(").replace("）", ")").split())


_QUOTES = str.maketrans("", "", "“”‘’\"'「」『』《》")


def title_key(text: str | None) -> str:
    """A title as compared: NFKC (full-width parentheses become half-width), no spaces,
    no quotation marks, lower case: ``"楚怡" 职教集团（联盟）`` = ``“楚怡”职教集团(联盟)``."""
    import unicodedata

    folded = unicodedata.normalize("NFKC", str(text or "")).translate(_QUOTES)
    return "".join(folded.split()).lower()


_SHOWN_CANDIDATES = 8


def _ambiguous(text: str, targets: list[Target]) -> ChuyiError:
    shown: list[object] = [f"{t.id} {t.ref} {t.title}" for t in targets[:_SHOWN_CANDIDATES]]
    if len(targets) > len(shown):
        shown.append(Message("and_more", count=len(targets) - len(shown)))
    listed = Listing(shown)
    return ChuyiError("ambiguous_target", text=text, count=len(targets), candidates=listed)


# --------------------------------------------------------------------------- loading


class _Map(dict):
    """A mapping from YAML that remembers its own line and its values' lines."""

    line: int = 0
    lines: dict[str, int]


_ALLOWED_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
}


class _Reader:
    """Turns composed YAML nodes into plain values, collecting problems."""

    def __init__(self, path: str, problems: list[str]) -> None:
        import yaml

        self.path = path
        self.problems = problems
        self.seen: set[int] = set()
        self.constructor = yaml.SafeLoader("")

    def problem(self, line: int, message: object) -> None:
        self.problems.append(Message("at_line", path=self.path, line=line, message=message))

    def value(self, node: Any) -> Any:
        import yaml

        line = node.start_mark.line + 1
        if id(node) in self.seen:
            self.problem(line, Message("cat.alias"))
            return None
        self.seen.add(id(node))
        if node.tag not in _ALLOWED_TAGS:
            self.problem(line, Message("cat.tag", tag=node.tag))
            return None
        if isinstance(node, yaml.MappingNode):
            result = _Map()
            result.line = line
            result.lines = {}
            for key_node, value_node in node.value:
                key = self.value(key_node)
                if not isinstance(key, str):
                    self.problem(key_node.start_mark.line + 1, Message("cat.key_not_name", key=key))
                    continue
                if key in result:
                    self.problem(key_node.start_mark.line + 1, Message("cat.dup_key", key=key))
                result[key] = self.value(value_node)
                result.lines[key] = value_node.start_mark.line + 1
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item) for item in node.value]
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError) as exc:
            self.problem(line, Message("cat.bad_value", value=node.value, reason=exc))
            return None


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


class _Builder:
    """Validates the plain values and builds the frozen catalog."""

    def __init__(self, path: str, problems: list[str], places: Gazetteer) -> None:
        self.path = path
        self.problems = problems
        self.places = places
        self.ids: dict[str, int] = {}
        self.task_refs: dict[str, int] = {}
        self.start = dt.date(2000, 1, 1)
        self.deadline = dt.date(2100, 1, 1)
        self.kinds: dict[str, str | None] = {}
        self.amongs: list[tuple[str, str, int]] = []  # (target, the target it names, line)

    def problem(self, line: int, message: object) -> None:
        self.problems.append(Message("at_line", path=self.path, line=line, message=message))

    def mapping(self, value: Any, what: object, keys: set[str], line: int) -> _Map:
        if not isinstance(value, _Map):
            self.problem(line, Message("cat.not_mapping", what=what))
            empty = _Map()
            empty.line, empty.lines = line, {}
            return empty
        for key in value:
            if key not in keys:
                self.problem(value.lines[key], Message("cat.unknown_key", key=key, what=what))
        return value

    def text(self, m: _Map, key: str, what: object, required: bool = True) -> str | None:
        value = m.get(key)
        if value is None:
            if required:
                self.problem(m.line, Message("cat.no_key", what=what, key=key))
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problem(m.lines[key], Message("cat.not_text", what=what, key=key, value=value))
            return None
        return str(value).strip()

    def choice(self, m: _Map, key: str, what: object, options: tuple[str, ...]) -> str | None:
        value = m.get(key)
        if value is None:
            return None
        if value not in options:
            self.problem(
                m.lines[key],
                Message(
                    "cat.bad_choice", what=what, key=key, value=value, options=", ".join(options)
                ),
            )
            return None
        return str(value)

    def whole(self, m: _Map, key: str, what: object) -> int | None:
        value = m.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            self.problem(m.lines[key], Message("cat.not_positive", what=what, key=key, value=value))
            return None
        return value

    def date(self, m: _Map, key: str, what: object) -> dt.date:
        value = m.get(key)
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        line = m.lines.get(key, m.line)
        self.problem(line, Message("cat.not_date", what=what, key=key, value=value))
        return dt.date(2000, 1, 1)

    def texts(self, m: _Map, key: str, what: object) -> tuple[str, ...]:
        value = m.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(m.lines[key], Message("cat.not_texts", what=what, key=key))
            return ()
        return tuple(v.strip() for v in value)

    def plan(self, root: Any) -> Plan:
        root = self.mapping(root, Message("cat.w.catalog"), {"plan", "sections"}, 1)
        plan_word = Message("cat.w.plan")
        plan = self.mapping(root.get("plan"), plan_word, _PLAN_KEYS, root.lines.get("plan", 1))
        start = self.date(plan, "start", plan_word)
        deadline = self.date(plan, "deadline", plan_word)
        if deadline <= start:
            self.problem(plan.lines.get("deadline", plan.line), Message("cat.deadline"))
        self.start, self.deadline = start, deadline
        public_end = self.whole(plan, "public_end", "plan")
        if public_end is not None and not start.year <= public_end <= deadline.year:
            self.problem(
                plan.lines["public_end"],
                f"plan: public_end {public_end} is not a year from {start.year} to {deadline.year}",
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
            deadline_note=self.text(plan, "deadline_note", "plan", required=False),
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
        m = self.mapping(raw, Message("cat.w.a_target"), _TARGET_KEYS, line)
        target_id = self.text(m, "id", Message("cat.w.target_of", ref=ref)) or "?"
        what = Message("cat.w.target", id=target_id)
        if target_id != "?" and not _ID.match(target_id):
            self.problem(m.lines["id"], Message("cat.bad_id", what=what))
        if target_id in self.ids:
            self.problem(
                m.lines.get("id", m.line),
                Message("cat.dup_id", id=target_id, first=self.ids[target_id]),
            )
        self.ids.setdefault(target_id, m.lines.get("id", m.line))

        kind = self.choice(m, "kind", what, KINDS)
        if "kind" not in m:
            self.problem(m.line, Message("cat.no_kind", what=what))
        goal = self.whole(m, "goal", what)
        level = self.choice(m, "level", what, LEVELS)
        min_per_region = self.whole(m, "min_per_region", what)
        counts_at = self.choice(m, "counts_at", what, COUNTING_STAGES)
        provenance = self.choice(m, "provenance", what, PROVENANCES) or "notice"
        source = self.text(m, "source", what, required=False)
        restored = self.text(m, "restored", what, required=False)
        gap = self.text(m, "gap", what, required=False)
        names = self.names(m, what)
        max_quantity = self.whole(m, "max_quantity", what)
        if max_quantity is not None and kind != "activity":
            self.problem(m.lines["max_quantity"], f"{what}: only an activity takes 'max_quantity'")
            max_quantity = None

        if kind in ("milestone", "activity"):
            for key in ("goal", "level", "min_per_region", "counts_at", "names"):
                if m.get(key) is not None:
                    self.problem(
                        m.lines[key],
                        Message("cat.kind_takes_no", what=what, kind=Word(kind or ""), key=key),
                    )
            goal = level = min_per_region = counts_at = None
            names = ()
        else:
            counts_at = counts_at or "accepted"
        if kind == "coverage":
            if level is None and "level" not in m:
                self.problem(m.line, Message("cat.needs_level", what=what))
            min_per_region = min_per_region or 1
            if level:
                regions = len(self.places.level(level))
                if goal is not None and goal != regions:
                    self.problem(
                        m.lines["goal"],
                        Message(
                            "cat.goal_vs_regions",
                            what=what,
                            goal=goal,
                            regions=regions,
                            level=level,
                        ),
                    )
                goal = regions
        elif kind in ("count", "named", "milestone", "activity"):
            for key in ("level", "min_per_region"):
                if m.get(key) is not None and kind in ("count", "named"):
                    self.problem(m.lines[key], Message("cat.only_coverage", what=what, key=key))
            level = min_per_region = None
        if kind == "named":
            if not names:
                self.problem(m.lines.get("names", m.line), Message("cat.needs_names", what=what))
            elif goal is not None and goal != len(names):
                self.problem(
                    m.lines["goal"],
                    Message("cat.goal_vs_names", what=what, goal=goal, count=len(names)),
                )
            goal = len(names) or None
        elif names:
            self.problem(m.lines["names"], Message("cat.only_named", what=what))
        if kind in ("count",) and goal is None and not gap:
            self.problem(m.line, Message("cat.no_goal", what=what))
        max_per_region = self.whole(m, "max_per_region", what)
        if max_per_region is not None:
            if kind != "coverage":
                self.problem(
                    m.lines["max_per_region"],
                    f"{what}: only a coverage target takes 'max_per_region'",
                )
                max_per_region = None
            elif max_per_region < (min_per_region or 1):
                self.problem(
                    m.lines["max_per_region"],
                    f"{what}: max_per_region {max_per_region} is below "
                    f"min_per_region {min_per_region}",
                )
        frequency = self.text(m, "frequency", what, required=False)
        if frequency is not None and kind != "activity":
            self.problem(m.lines["frequency"], f"{what}: only an activity takes 'frequency'")
            frequency = None
        among = self.text(m, "among", what, required=False)
        if among is not None:
            if kind != "named":
                self.problem(m.lines["among"], f"{what}: only a named target takes 'among'")
                among = None
            else:
                self.amongs.append((target_id, among, m.lines["among"]))
        yearly = m.get("yearly", False)
        if not isinstance(yearly, bool):
            self.problem(m.lines["yearly"], f"{what}: yearly must be true or false, not {yearly!r}")
            yearly = False
        elif yearly and kind != "milestone":
            self.problem(m.lines["yearly"], f"{what}: only a milestone can be kept per year")
            yearly = False
        checkpoints = self.checkpoints(m, what, kind, 1 if kind == "milestone" else goal, yearly)
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
            goal=goal,
            unit=self.text(m, "unit", what, required=False),
            level=level,
            min_per_region=min_per_region,
            counts_at=counts_at,
            names=names,
            source=source,
            provenance=provenance,
            restored=restored,
            gap=gap,
            note=self.text(m, "note", what, required=False),
            section=section,
            line=m.line,
            reconstructed=self.reconstructed(m, what),
            unverified=self.text(m, "unverified", what, required=False),
            frequency=frequency,
            checkpoints=checkpoints,
            max_per_region=max_per_region,
            among=among,
            yearly=yearly,
            max_quantity=max_quantity,
        )

    def reconstructed(self, m: _Map, what: str) -> Reconstructed:
        """``reconstructed: {field: why}``: each field named must be one this entry sets."""
        raw = m.get("reconstructed")
        if raw is None:
            return ()
        line = m.lines["reconstructed"]
        if not isinstance(raw, _Map) or not raw:
            self.problem(line, f"{what}: reconstructed must map each field made up to why")
            return ()
        found = []
        for field, why in raw.items():
            at = raw.lines.get(field, line)
            if field == "reconstructed" or field not in m:
                self.problem(at, f"{what}: reconstructed names {field!r}, which it does not set")
            elif not isinstance(why, str) or not why.strip():
                self.problem(at, f"{what}: reconstructed {field!r} needs the reason, in words")
            else:
                found.append((field, why.strip()))
        return tuple(found)

    def checkpoints(
        self, m: _Map, what: str, kind: str | None, goal: int | None, yearly: bool
    ) -> tuple[Checkpoint, ...]:
        """Goals by earlier days: inside the plan, in order, none above the goal."""
        raw = m.get("checkpoints")
        if raw is None:
            return ()
        line = m.lines["checkpoints"]
        if kind not in ("count", "coverage", "named", "milestone") or yearly:
            self.problem(
                line,
                f"{what}: takes no checkpoints (they are for count, coverage, named and "
                "milestone targets; a yearly milestone has one state a year)",
            )
            return ()
        if goal is None:
            self.problem(line, f"{what}: checkpoints need a goal to lead to")
            return ()
        if not isinstance(raw, list) or not raw:
            self.problem(line, f"{what}: checkpoints must be a list of {{by: DATE, goal: N}}")
            return ()
        found: list[Checkpoint] = []
        for item in raw:
            c = self.mapping(item, f"a checkpoint of {what}", {"by", "goal"}, line)
            at = c.line or line
            by = self.date(c, "by", f"a checkpoint of {what}")
            sub = self.whole(c, "goal", f"a checkpoint of {what}")
            if sub is None:
                if "goal" not in c:
                    self.problem(at, f"a checkpoint of {what} has no 'goal'")
                continue
            if not self.start < by < self.deadline:
                self.problem(
                    c.lines.get("by", at),
                    f"{what}: checkpoint {by} is not between the plan's start and deadline",
                )
            elif found and by <= found[-1].by:
                self.problem(
                    c.lines.get("by", at), f"{what}: checkpoint {by} is not after {found[-1].by}"
                )
            elif sub > goal or (found and sub < found[-1].goal):
                self.problem(
                    c.lines.get("goal", at),
                    f"{what}: checkpoint goal {sub} must lie between the one before and {goal}",
                )
            else:
                found.append(Checkpoint(by, sub))
        return tuple(found)

    def check_amongs(self) -> None:
        for target_id, other, line in self.amongs:
            if self.kinds.get(other, "") != "count":
                self.problem(
                    line,
                    f"target {target_id}: among {other!r} names no count target of the catalog",
                )

    def names(self, m: _Map, what: object) -> tuple[NamedUnit, ...]:
        raw = m.get("names")
        if raw is None:
            return ()
        line = m.lines["names"]
        if not isinstance(raw, list):
            self.problem(line, Message("cat.names_not_list", what=what))
            return ()
        found = []
        for item in raw:
            name_of = Message("cat.w.name_of", what=what)
            item_map = self.mapping(item, name_of, {"name", "region"}, line)
            name = self.text(item_map, "name", name_of)
            region_text = self.text(item_map, "region", name_of)
            if not name or not region_text:
                continue
            try:
                region = self.places.get(region_text)
            except UnknownRegion as exc:
                self.problem(
                    item_map.lines.get("region", item_map.line),
                    Message("cat.with_what", what=what, message=exc.message),
                )
                continue
            found.append(NamedUnit(name=name, region=region.code))
        return tuple(found)

    def check_duplicates(self, sections: list[Section]) -> None:
        for section in sections:
            for task in section.tasks:
                if task.duplicate_of and task.duplicate_of not in self.task_refs:
                    self.problem(
                        self.task_refs.get(task.ref, 1),
                        Message("cat.repeats_unknown", ref=task.ref, other=task.duplicate_of),
                    )


def parse_catalog(text: str, path: str = "targets.yaml", places: Gazetteer | None = None) -> Plan:
    """Validate catalog text; ProblemsError lists every problem as ``path:line: reason``."""
    import yaml

    problems: list[str | Message] = []
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        root = yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise ProblemsError(
            [
                Message(
                    "at_line",
                    path=path,
                    line=line,
                    message=Message("cat.yaml_syntax", problem=exc.problem),
                )
            ]
        ) from None
    except yaml.YAMLError as exc:
        raise ProblemsError(
            [Message("at_line", path=path, line=1, message=Message("cat.yaml_error", reason=exc))]
        ) from None
    if root is None:
        raise ProblemsError([Message("at_line", path=path, line=1, message=Message("cat.empty"))])
    value = _Reader(path, problems).value(root)
    plan = _Builder(path, problems, places or gazetteer()).plan(value)
    if problems:
        raise ProblemsError(problems)
    return plan


# --------------------------------------------------------------------------- the cache
# Parsing and validating the YAML costs more than the rest of `chuyi status`; a catalog
# that validated once is kept (see cache.py), keyed by its bytes and the gazetteer's.


def _plain(value: Any) -> Any:
    """The catalog as the cache holds it: named tuples as dicts, tuples as lists, days
    as text (what marshal, built into Python and the fastest to read, can hold)."""
    if hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _plan_from_plain(data: dict[str, Any], path: str) -> Plan:
    def pairs(value: list[list[str]]) -> Reconstructed:
        return tuple((field, why) for field, why in value)

    def target(t: dict[str, Any]) -> Target:
        return Target(
            **{
                **t,
                "names": tuple(NamedUnit(**n) for n in t["names"]),
                "reconstructed": pairs(t["reconstructed"]),
                "checkpoints": tuple(
                    Checkpoint(dt.date.fromisoformat(c["by"]), c["goal"]) for c in t["checkpoints"]
                ),
            }
        )

    def task(t: dict[str, Any]) -> Task:
        return Task(
            **{
                **t,
                "targets": tuple(target(x) for x in t["targets"]),
                "partners": tuple(t["partners"]),
                "reconstructed": pairs(t["reconstructed"]),
            }
        )

    def section(s: dict[str, Any]) -> Section:
        return Section(
            **{
                **s,
                "tasks": tuple(task(x) for x in s["tasks"]),
                "reconstructed": pairs(s["reconstructed"]),
            }
        )

    return Plan(
        **{
            **data,
            "issuers": tuple(data["issuers"]),
            "notes": tuple(data["notes"]),
            "start": dt.date.fromisoformat(data["start"]),
            "deadline": dt.date.fromisoformat(data["deadline"]),
            "sections": tuple(section(s) for s in data["sections"]),
            "path": path,
        }
    )


def load_catalog(path: str | Path | None = None) -> Plan:
    """Load and validate a catalog file (the packaged one when ``path`` is None).

    A catalog that validated before is read back from the cache without YAML.
    """
    from chuyi_cli.resources import data_path

    file = Path(path) if path else data_path("targets.yaml")
    try:
        raw = file.read_bytes()
    except IsADirectoryError:
        raise ChuyiError("catalog_is_folder", path=file) from None
    except OSError as exc:
        raise ChuyiError("catalog_unreadable", path=file, reason=os_reason(exc)) from None
    from chuyi_cli import cache
    from chuyi_cli.resources import data_bytes

    key = cache.key(raw, data_bytes("hunan-divisions.csv"))
    kept = cache.load("catalog", key)
    if kept is not None:
        try:
            return _plan_from_plain(kept, str(file))
        except (TypeError, KeyError, AttributeError, ValueError):
            pass  # kept by another shape of chuyi: parse the YAML instead
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ChuyiError("catalog_not_utf8", path=file, byte=exc.start) from None
    plan = parse_catalog(text, str(file))
    cache.save("catalog", key, _plain(plan))
    return plan
