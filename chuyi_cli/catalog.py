"""The target catalog: load ``targets.yaml``, validate it, and hand out frozen objects.

The loader composes the YAML with PyYAML's *safe* loader into nodes (so every value keeps
its line), refuses aliases and non-standard tags, and reports every problem at once as
``FILE:LINE: reason``: each field is read by :mod:`chuyi_cli.catalog_fields`, the plan
built from them by :mod:`chuyi_cli.catalog_build`. A catalog that validated once is read
back from the cache without YAML. The objects, and the plain form the cache keeps, are
in :mod:`chuyi_cli.catalog_nodes`.
"""

from __future__ import annotations

from pathlib import Path

from chuyi_cli.catalog_nodes import Plan, as_plain, plan_from_plain
from chuyi_cli.errors import ChuyiError, ProblemsError, os_reason
from chuyi_cli.i18n import Message
from chuyi_cli.regions import Gazetteer, gazetteer


def parse_catalog(text: str, path: str = "targets.yaml", places: Gazetteer | None = None) -> Plan:
    """Validate catalog text; ProblemsError lists every problem as ``path:line: reason``."""
    import yaml

    from chuyi_cli.catalog_build import Builder
    from chuyi_cli.catalog_fields import Problems, Reader

    problems: Problems = []
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
    value = Reader(path, problems).value(root)
    plan = Builder(path, problems, places or gazetteer()).plan(value)
    if problems:
        raise ProblemsError(problems)
    return plan


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
            return plan_from_plain(kept, str(file))
        except (TypeError, KeyError, AttributeError, ValueError):
            pass  # kept by another shape of chuyi: parse the YAML instead
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ChuyiError("catalog_not_utf8", path=file, byte=exc.start) from None
    plan = parse_catalog(text, str(file))
    cache.save("catalog", key, as_plain(plan))
    return plan
