"""Reading the catalog's YAML one field at a time, each checked where it stands.

:class:`Reader` turns composed YAML nodes into plain values (a :class:`Map` remembers the
line of every value) and refuses aliases and non-standard tags; :class:`Fields` reads one
field of a mapping (text, a choice, a positive whole number, a day, a list of text, the
``reconstructed`` reasons, ``checkpoints``, the ``names`` of a named target) and reports
what is wrong with it as ``FILE:LINE: reason``. :mod:`chuyi_cli.catalog` builds the plan
from them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from chuyi_cli.catalog_nodes import Checkpoint, NamedUnit, Reconstructed
from chuyi_cli.i18n import Message
from chuyi_cli.regions import Gazetteer, UnknownRegion

Problems = list[str | Message]


class Map(dict[str, Any]):
    """A mapping from YAML that remembers its own line and its values' lines."""

    line: int = 0
    lines: dict[str, int]


def empty_map(line: int) -> Map:
    empty = Map()
    empty.line, empty.lines = line, {}
    return empty


_ALLOWED_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
}


class Reader:
    """Turns composed YAML nodes into plain values, collecting problems."""

    def __init__(self, path: str, problems: Problems) -> None:
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
            return self.mapping(node, line)
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item) for item in node.value]
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError) as exc:
            self.problem(line, Message("cat.bad_value", value=node.value, reason=exc))
            return None

    def mapping(self, node: Any, line: int) -> Map:
        result = empty_map(line)
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


class Fields:
    """Reads the fields of the catalog's mappings, collecting problems (a field that
    cannot be read is None, or empty, and its problem is reported)."""

    def __init__(self, path: str, problems: Problems, places: Gazetteer) -> None:
        self.path = path
        self.problems = problems
        self.places = places
        # The plan's days, once read: checkpoints must lie between them.
        self.start = dt.date(2000, 1, 1)
        self.deadline = dt.date(2100, 1, 1)

    def problem(self, line: int, message: object) -> None:
        self.problems.append(Message("at_line", path=self.path, line=line, message=message))

    def mapping(self, value: Any, what: object, keys: set[str], line: int) -> Map:
        if not isinstance(value, Map):
            self.problem(line, Message("cat.not_mapping", what=what))
            return empty_map(line)
        for key in value:
            if key not in keys:
                self.problem(value.lines[key], Message("cat.unknown_key", key=key, what=what))
        return value

    def text(self, m: Map, key: str, what: object, required: bool = True) -> str | None:
        value = m.get(key)
        if value is None:
            if required:
                self.problem(m.line, Message("cat.no_key", what=what, key=key))
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problem(m.lines[key], Message("cat.not_text", what=what, key=key, value=value))
            return None
        return str(value).strip()

    def choice(self, m: Map, key: str, what: object, options: tuple[str, ...]) -> str | None:
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

    def whole(self, m: Map, key: str, what: object) -> int | None:
        value = m.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            self.problem(m.lines[key], Message("cat.not_positive", what=what, key=key, value=value))
            return None
        return value

    def date(self, m: Map, key: str, what: object) -> dt.date:
        value = m.get(key)
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        line = m.lines.get(key, m.line)
        self.problem(line, Message("cat.not_date", what=what, key=key, value=value))
        return dt.date(2000, 1, 1)

    def texts(self, m: Map, key: str, what: object) -> tuple[str, ...]:
        value = m.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(m.lines[key], Message("cat.not_texts", what=what, key=key))
            return ()
        return tuple(v.strip() for v in value)

    def reconstructed(self, m: Map, what: object) -> Reconstructed:
        """``reconstructed: {field: why}``: each field named must be one this entry sets."""
        raw = m.get("reconstructed")
        if raw is None:
            return ()
        line = m.lines["reconstructed"]
        if not isinstance(raw, Map) or not raw:
            self.problem(line, Message("cat.reconstructed_map", what=what))
            return ()
        found = []
        for field, why in raw.items():
            at = raw.lines.get(field, line)
            if field == "reconstructed" or field not in m:
                self.problem(at, Message("cat.reconstructed_unset", what=what, field=field))
            elif not isinstance(why, str) or not why.strip():
                self.problem(at, Message("cat.reconstructed_why", what=what, field=field))
            else:
                found.append((field, why.strip()))
        return tuple(found)

    def checkpoints(
        self, m: Map, what: object, kind: str | None, goal: int | None, yearly: bool
    ) -> tuple[Checkpoint, ...]:
        """Goals by earlier days: inside the plan, in order, none above the goal."""
        raw = m.get("checkpoints")
        if raw is None:
            return ()
        line = m.lines["checkpoints"]
        if kind not in ("count", "coverage", "named", "milestone") or yearly:
            self.problem(line, Message("cat.takes_no_checkpoints", what=what))
            return ()
        if goal is None:
            self.problem(line, Message("cat.checkpoints_no_goal", what=what))
            return ()
        if not isinstance(raw, list) or not raw:
            self.problem(line, Message("cat.checkpoints_not_list", what=what))
            return ()
        found: list[Checkpoint] = []
        for item in raw:
            checkpoint = self.checkpoint(item, what, goal, line, found[-1] if found else None)
            if checkpoint is not None:
                found.append(checkpoint)
        return tuple(found)

    def checkpoint(
        self, item: Any, what: object, goal: int, line: int, before: Checkpoint | None
    ) -> Checkpoint | None:
        """One checkpoint, after the one ``before`` it (None when it is wrong)."""
        one = Message("cat.w.checkpoint_of", what=what)
        c = self.mapping(item, one, {"by", "goal"}, line)
        at = c.line or line
        by = self.date(c, "by", one)
        sub = self.whole(c, "goal", one)
        if sub is None:
            if "goal" not in c:
                self.problem(at, Message("cat.no_key", what=one, key="goal"))
            return None
        if not self.start < by < self.deadline:
            self.problem(c.lines.get("by", at), Message("cat.checkpoint_outside", what=what, by=by))
        elif before is not None and by <= before.by:
            self.problem(
                c.lines.get("by", at),
                Message("cat.checkpoint_order", what=what, by=by, before=before.by),
            )
        elif sub > goal or (before is not None and sub < before.goal):
            self.problem(
                c.lines.get("goal", at),
                Message("cat.checkpoint_goal", what=what, goal=sub, last=goal),
            )
        else:
            return Checkpoint(by, sub)
        return None

    def names(self, m: Map, what: object) -> tuple[NamedUnit, ...]:
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
