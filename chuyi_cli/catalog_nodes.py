"""The catalog's objects: the plan, its sections, tasks and targets, frozen; and how the
plan finds a target by its id, its ref or the words of its title.

:mod:`chuyi_cli.catalog` loads them from ``targets.yaml``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple, TypeVar

from chuyi_cli.errors import ChuyiError
from chuyi_cli.i18n import Listing, Message, Names

KINDS = ("count", "coverage", "named", "milestone", "activity")
COUNTING_STAGES = ("selected", "building", "accepted")
STAGES = (*COUNTING_STAGES, "revoked")
MILESTONE_STATES = ("not_started", "in_progress", "done")
PROVENANCES = ("notice", "restored")
LEVELS = ("city", "county")


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
        hint = Message("did_you_mean", names=Names([*close])) if close else Message("see_targets")
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


# --------------------------------------------------------------------------- plain form
# Parsing and validating the YAML costs more than the rest of `chuyi status`; a catalog
# that validated once is kept (see cache.py, catalog.load_catalog) in this plain form.


def as_plain(value: Any) -> Any:
    """The catalog as the cache holds it: named tuples as dicts, tuples as lists, days
    as text (what marshal, built into Python and the fastest to read, can hold)."""
    if hasattr(value, "_asdict"):
        return {k: as_plain(v) for k, v in value._asdict().items()}
    if isinstance(value, tuple | list):
        return [as_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


_Node = TypeVar("_Node")


def plan_from_plain(data: dict[str, Any], path: str) -> Plan:
    def node(kind: Callable[..., _Node], plain: dict[str, Any], **fields: Any) -> _Node:
        """A target, task or section from its dict: its reconstructed fields as pairs,
        and ``fields`` (what it holds) made again."""
        pairs = tuple((field, why) for field, why in plain["reconstructed"])
        return kind(**{**plain, "reconstructed": pairs, **fields})

    def target(t: dict[str, Any]) -> Target:
        names = tuple(NamedUnit(**n) for n in t["names"])
        checkpoints = tuple(
            Checkpoint(dt.date.fromisoformat(c["by"]), c["goal"]) for c in t["checkpoints"]
        )
        return node(Target, t, names=names, checkpoints=checkpoints)

    def task(t: dict[str, Any]) -> Task:
        targets = tuple(target(x) for x in t["targets"])
        return node(Task, t, targets=targets, partners=tuple(t["partners"]))

    def section(s: dict[str, Any]) -> Section:
        return node(Section, s, tasks=tuple(task(x) for x in s["tasks"]))

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
