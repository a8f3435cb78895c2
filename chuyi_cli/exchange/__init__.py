"""Import and export: entries as CSV (Excel-friendly), JSON Lines or xlsx workbooks.

Export writes every field of every entry, voids included (:mod:`.export`). Import reads
what export writes, and sheets people type: Chinese headers and values, UTF-8 (with or
without BOM), GB18030 or UTF-16 (:mod:`.encodings`, :mod:`.reading`), each row checked
under the rules of a record (:mod:`.checking`). An import is all or nothing, and idempotent by
entry id (:mod:`.importing`).
"""

from chuyi_cli.exchange.cells import EXPORT_COLUMNS, neutralise, restore
from chuyi_cli.exchange.export import write_export
from chuyi_cli.exchange.importing import ImportResult, import_file

__all__ = ["EXPORT_COLUMNS", "ImportResult", "import_file", "neutralise", "restore", "write_export"]
