"""The cells of an exchange file: the export's columns, and the formula guard a
spreadsheet needs (added on export, taken off on import)."""

from __future__ import annotations

import re

from chuyi_cli.domain import FIELDS
from chuyi_cli.i18n import Message

EXPORT_COLUMNS = (*FIELDS[:4], "region_name", *FIELDS[4:])
Cells = tuple[str, ...]  # one row's cells in EXPORT_COLUMNS order ("" where absent)
Reason = Message  # why a row cannot be read

_FORMULA = re.compile(r"^'*[=+\-@\t\r]")
_ESCAPED = re.compile(r"^'+[=+\-@\t\r]")


def neutralise(cell: str) -> str:
    """Make a cell inert in a spreadsheet: one more leading ' where it could run as a formula.

    Reversible: :func:`restore` undoes it exactly, so the round trip keeps every value.
    """
    return "'" + cell if _FORMULA.match(cell) else cell


def restore(cell: str) -> str:
    return cell[1:] if _ESCAPED.match(cell) else cell
