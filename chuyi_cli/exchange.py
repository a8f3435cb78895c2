"""Import and export: entries as CSV (Excel-friendly) or JSON Lines.

Export writes every field of every entry, voids included. Import reads what export
writes, and sheets people type: Chinese headers and values, UTF-8 (with or without BOM)
or GB18030. An import is all or nothing, and idempotent by entry id.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from chuyi_cli.catalog import Plan, Target
from chuyi_cli.entries import FIELDS, Entry, make_entry, parse_date, utc_now
from chuyi_cli.errors import ChuyiError, ProblemsError
from chuyi_cli.regions import Gazetteer
from chuyi_cli.store import Store

BATCH = 5000
EXPORT_COLUMNS = (*FIELDS[:4], "region_name", *FIELDS[4:])

# Headers a person would type, mapped to the export's names.
HEADER_ALIASES = {
    "编号": "id",
    "记录编号": "id",
    "id": "id",
    "目标": "target",
    "目标编号": "target",
    "指标": "target",
    "条目": "target",
    "单位名称": "unit",
    "单位": "unit",
    "名称": "unit",
    "地区": "region",
    "地区代码": "region",
    "区域": "region",
    "市州": "region",
    "县市区": "region",
    "行政区划代码": "region",
    "地区名称": "region_name",
    "阶段": "stage",
    "状态": "state",
    "数量": "quantity",
    "日期": "observed",
    "走访日期": "observed",
    "观察日期": "observed",
    "检查日期": "observed",
    "记录时间": "recorded",
    "录入时间": "recorded",
    "记录人": "recorder",
    "填报人": "recorder",
    "备注": "note",
    "说明": "note",
    "佐证": "evidence",
    "佐证材料": "evidence",
    "证据": "evidence",
    "佐证哈希": "evidence_sha256",
    "佐证SHA256": "evidence_sha256",
    "作废": "voids",
    "作废编号": "voids",
    "作废记录": "voids",
}
STAGE_WORDS = {
    "遴选": "selected",
    "已遴选": "selected",
    "立项": "selected",
    "入选": "selected",
    "建设中": "building",
    "在建": "building",
    "建设": "building",
    "验收": "accepted",
    "验收通过": "accepted",
    "已验收": "accepted",
    "通过验收": "accepted",
    "撤销": "revoked",
    "已撤销": "revoked",
}
STATE_WORDS = {
    "未开始": "not_started",
    "进行中": "in_progress",
    "推进中": "in_progress",
    "已完成": "done",
    "完成": "done",
}

_FORMULA = re.compile(r"^'*[=+\-@\t\r]")
_ESCAPED = re.compile(r"^'+[=+\-@\t\r]")


def neutralise(cell: str) -> str:
    """Make a cell inert in a spreadsheet: one more leading ' where it could run as a formula.

    Reversible: :func:`restore` undoes it exactly, so the round trip keeps every value.
    """
    return "'" + cell if _FORMULA.match(cell) else cell


def restore(cell: str) -> str:
    return cell[1:] if _ESCAPED.match(cell) else cell


# --------------------------------------------------------------------------- export


def export_rows(entries: Iterator[Entry], places: Gazetteer) -> Iterator[dict[str, Any]]:
    for e in entries:
        row = e.as_dict()
        region = places.by_code.get(e.region) if e.region else None
        row["region_name"] = region.name if region else None
        yield row


def write_export(
    entries: Iterator[Entry], places: Gazetteer, fmt: str, out: Path | None, stdout: IO[str]
) -> int:
    """Write every entry as CSV or JSON Lines to ``out`` (atomically) or stdout."""
    if out is None:
        return _write(entries, places, fmt, stdout, bom=False)
    folder = out.parent if str(out.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=out.name + ".", suffix=".partial", dir=folder)
    except OSError as exc:
        raise ChuyiError(f"{out}: cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            count = _write(entries, places, fmt, handle, bom=fmt == "csv")
        os.replace(tmp, out)
    except OSError as exc:
        raise ChuyiError(f"{out}: cannot write: {exc.strerror}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return count


def _write(
    entries: Iterator[Entry], places: Gazetteer, fmt: str, handle: IO[str], bom: bool
) -> int:
    count = 0
    if fmt == "jsonl":
        for row in export_rows(entries, places):
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
        return count
    if bom:
        handle.write("\ufeff")
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for row in export_rows(entries, places):
        writer.writerow([neutralise("" if row[c] is None else str(row[c])) for c in EXPORT_COLUMNS])
        count += 1
    return count


# --------------------------------------------------------------------------- import


@dataclass
class ImportResult:
    added: int = 0
    skipped: int = 0
    rows: int = 0
    encoding: str = "utf-8"
    problems: list[str] = field(default_factory=list)


def detect_encoding(path: Path) -> str:
    """utf-8-sig (BOM), utf-8, or gb18030 (what Excel on a Chinese Windows writes)."""
    with path.open("rb") as handle:
        head = handle.read(3)
        if head == codecs.BOM_UTF8:
            return "utf-8-sig"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while block := handle.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            return "gb18030"


def _records(path: Path, encoding: str) -> Iterator[tuple[int, dict[str, str] | str]]:
    """(line, row) for each data row; row is a str holding the reason when unreadable."""
    handle = path.open("r", encoding=encoding, newline="")
    with handle:
        first = handle.readline()
        handle.seek(0)
        if path.suffix.lower() in (".jsonl", ".ndjson", ".json") or first.lstrip().startswith("{"):
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, f"not a JSON object ({exc.msg})"
                    continue
                if not isinstance(value, dict):
                    yield number, "not a JSON object"
                    continue
                yield (
                    number,
                    {
                        str(k).lstrip("\ufeff"): ("" if v is None else str(v))
                        for k, v in value.items()
                    },
                )
            return
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            return
        columns = []
        for name in header:
            key = name.strip().lstrip("\ufeff")
            columns.append(HEADER_ALIASES.get(key, HEADER_ALIASES.get(key.lower(), key.lower())))
        unknown = [h for h, c in zip(header, columns, strict=True) if c not in EXPORT_COLUMNS]
        if unknown:
            yield 1, f"unknown column(s) {', '.join(map(repr, unknown))}; see README 'Import'"
            return
        if "target" not in columns:
            yield 1, "no 'target' (目标) column"
            return
        for row in reader:
            if not any(row) or not "".join(row).strip():
                continue
            number = reader.line_num
            if len(row) > len(columns):
                yield number, f"{len(row)} cells but {len(columns)} columns"
                continue
            # Only a cell that starts with ' can carry export's formula guard.
            yield (
                number,
                {
                    c: (restore(v) if v[:1] == "'" else v)
                    for c, v in zip(columns, row, strict=False)
                },
            )


_ID = re.compile(r"[0-9a-fA-F-]{8,64}")
_WHOLE = re.compile(r"([+-]?\d{1,30})(?:\.0*)?")


def _entry_from_row(
    row: dict[str, str], plan: Plan, places: Gazetteer, today: dt.date, targets: dict
) -> Entry | dict[str, str]:
    """An entry, or (for a void row) the row itself to finish once its entry is known.

    ``targets`` remembers which target each text in the target column names."""

    def cell(name: str) -> str | None:
        value = row.get(name)
        if not value:
            return None
        if value[0].isspace() or value[-1].isspace():
            value = value.strip()
        return value or None

    entry_id = cell("id")
    if entry_id is not None and not _ID.fullmatch(entry_id):
        raise ChuyiError(f"bad id {entry_id!r}")
    if cell("voids"):
        return row
    target_text = cell("target")
    if not target_text:
        raise ChuyiError("no target")
    target = targets.get(target_text)
    if target is None:
        target = targets[target_text] = plan.find(target_text)
    stage = cell("stage")
    stage = STAGE_WORDS.get(stage, stage) if stage else None
    state = cell("state")
    state = STATE_WORDS.get(state, state) if state else None
    quantity_text = cell("quantity")
    quantity = None
    if quantity_text is not None:
        # Whole numbers only; a sheet may write 3 as "3.0". (float() would take NaN, inf.)
        match = _WHOLE.fullmatch(quantity_text)
        if match is None:
            raise ChuyiError(f"bad quantity {quantity_text!r}: expected a whole number")
        quantity = int(match.group(1))
        if quantity <= 0:
            raise ChuyiError(f"quantity must be positive, not {quantity_text}")
    observed_text = cell("observed")
    if not observed_text:
        raise ChuyiError("no date (observed / 日期)")
    recorded = cell("recorded")
    if recorded:
        recorded = _check_recorded(recorded)
    sha = cell("evidence_sha256")
    if sha and not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise ChuyiError(f"bad evidence_sha256 {sha!r}")
    return make_entry(
        plan,
        places,
        target,
        unit=cell("unit"),
        region=cell("region"),
        stage=stage,
        state=state,
        quantity=quantity,
        observed=parse_date(observed_text),
        recorder=cell("recorder") or "",
        today=today,
        note=cell("note"),
        evidence=cell("evidence"),
        evidence_sha256=sha,
        entry_id=entry_id.lower() if entry_id else None,
        derive_id=True,
        recorded=recorded,
    )


def _check_recorded(text: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ChuyiError(f"bad recorded time {text!r}: expected ISO 8601") from None
    if moment.tzinfo is None:
        raise ChuyiError(f"recorded time {text!r} has no time zone")
    return text


def _void_entry(row: dict[str, str], store: Store, today: dt.date) -> Entry:
    """A void row as an entry, its target and unit taken from the entry it cancels."""
    voids = (row.get("voids") or "").strip().lower()
    found = store.entries_by_id([voids])
    if voids not in found:
        raise ChuyiError(f"voids {voids!r}, which is neither stored nor in this file")
    cancelled = found[voids]
    if cancelled.voids:
        raise ChuyiError(f"voids {voids[:8]}, which is itself a void")
    given = (row.get("target") or "").strip()
    if given and given != cancelled.target:
        raise ChuyiError(f"voids an entry of {cancelled.target}, but names target {given!r}")
    observed = parse_date((row.get("observed") or today.isoformat()).strip())
    recorder = (row.get("recorder") or "").strip()
    if not recorder:
        raise ChuyiError("no recorder (记录人)")
    recorded = (row.get("recorded") or "").strip()
    entry_id = (row.get("id") or "").strip().lower()
    if not entry_id:
        raise ChuyiError("a void row needs its id")
    return Entry(
        id=entry_id,
        target=cancelled.target,
        unit=cancelled.unit,
        region=cancelled.region,
        stage=None,
        state=None,
        quantity=None,
        observed=observed.isoformat(),
        recorded=_check_recorded(recorded) if recorded else utc_now(),
        recorder=recorder,
        note=(row.get("note") or "").strip() or None,
        voids=voids,
    )


def import_file(
    store: Store,
    path: Path,
    plan: Plan,
    places: Gazetteer,
    today: dt.date,
    encoding: str | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import every row of ``path`` or none: ProblemsError lists each bad row."""
    if path.is_dir():
        raise ChuyiError(f"{path}: is a directory")
    if not path.exists():
        raise ChuyiError(f"{path}: no such file")
    result = ImportResult()
    try:
        result.encoding = encoding or detect_encoding(path)
        codecs.lookup(result.encoding)
    except LookupError:
        raise ChuyiError(f"unknown encoding {encoding!r}") from None
    except OSError as exc:
        raise ChuyiError(f"{path}: cannot read: {exc.strerror}") from None
    voids: list[tuple[int, dict[str, str]]] = []
    targets: dict[str, Target] = {}

    def batches() -> Iterator[list[Entry]]:
        batch: list[Entry] = []
        seen: set[str] = set()
        try:
            for line, row in _records(path, result.encoding):
                if isinstance(row, str):
                    result.problems.append(f"{path}:{line}: {row}")
                    continue
                result.rows += 1
                try:
                    made = _entry_from_row(row, plan, places, today, targets)
                except ChuyiError as exc:
                    result.problems.append(f"{path}:{line}: {exc}")
                    continue
                if isinstance(made, dict):
                    voids.append((line, made))
                    continue
                if result.problems or made.id in seen:
                    result.skipped += made.id in seen
                    continue
                seen.add(made.id)
                batch.append(made)
                if len(batch) >= BATCH:
                    yield batch
                    batch, seen = [], set()
        except UnicodeDecodeError as exc:
            result.problems.append(f"{path}: not {result.encoding} text (byte {exc.start})")
        except csv.Error as exc:
            result.problems.append(f"{path}: unreadable CSV ({exc})")
        if batch and not result.problems:
            yield batch
        # Voids last: by now every entry of the file they may cancel is in the database.
        void_batch = []
        for line, row in voids:
            try:
                void_batch.append(_void_entry(row, store, today))
            except ChuyiError as exc:
                result.problems.append(f"{path}:{line}: {exc}")
        if void_batch and not result.problems:
            yield void_batch

    try:
        added, skipped = store.import_batches(batches(), lambda: result.problems, dry_run)
    except OSError as exc:
        raise ChuyiError(f"{path}: cannot read: {exc.strerror}") from None
    except ProblemsError:
        raise ProblemsError(
            result.problems,
            heading=f"chuyi: error: {len(result.problems)} bad row(s) in {path}; "
            "nothing was imported:",
        ) from None
    result.added, result.skipped = added, result.skipped + skipped
    return result
