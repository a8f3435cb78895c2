"""Interface words and messages in Chinese and English.

``WORDS`` are the words of tables and labels; ``MESSAGES`` are the sentences a user reads
(errors, warnings, confirmations), each a template with ``{name}`` fields. The core raises
``ChuyiError("key", field=value)`` and never words a sentence itself: the sentence is worded
when it is shown, in the language chosen for that run (``set_lang``). Target titles stay as
the notice writes them.
"""

from __future__ import annotations

import os

WORDS: dict[str, tuple[str, str]] = {
    # key: (zh, en)
    "ref": ("编号", "Ref"),
    "id": ("标识", "Id"),
    "target": ("目标", "Target"),
    "title": ("目标", "Target"),
    "kind": ("类型", "Kind"),
    "goal": ("目标值", "Goal"),
    "unit": ("单位", "Unit"),
    "achieved": ("已达成", "Achieved"),
    "pipeline": ("在途", "Pipeline"),
    "completion": ("完成度", "Completion"),
    "expected": ("应达", "Expected"),
    "gap": ("差距", "Gap"),
    "projected": ("预计", "Projected"),
    "class": ("状态", "Class"),
    "provenance": ("来源", "Source"),
    "code": ("代码", "Code"),
    "name": ("名称", "Name"),
    "level": ("层级", "Level"),
    "parent": ("上级", "Parent"),
    "aliases": ("简称", "Aliases"),
    "region": ("地区", "Region"),
    "stage": ("阶段", "Stage"),
    "last_date": ("最近日期", "Last date"),
    "entries": ("记录数", "Entries"),
    "date": ("日期", "Date"),
    "recorder": ("记录人", "By"),
    "what": ("内容", "What"),
    "note": ("备注", "Note"),
    "entry": ("记录", "Entry"),
    "units_col": ("单位数", "Units"),
    "covered": ("覆盖", "Covered"),
    "last_record": ("最近记录", "Last record"),
    "overall": ("总体", "Overall"),
    "subtotal": ("小计", "Subtotal"),
    "elapsed": ("时间进度", "Time elapsed"),
    "as_of": ("截至", "As of"),
    "voided": ("已作废", "voided"),
    "void_of": ("作废", "voids"),
    "gap_mark": ("缺口", "gap"),
    "restored_mark": ("据公开文本恢复", "restored"),
    "repeats": ("重复", "repeats"),
    "no_entries": ("暂无记录", "no entries yet"),
    "stale": ("久未记录", "stale"),
    "changes_since": ("变化，自", "Changes since"),
    "new_entries": ("新增记录", "New entries"),
    "reached": ("达到计数阶段的单位", "Units that reached their counting stage"),
    "changed": ("状态变化的目标", "Targets that changed class"),
    "before": ("之前", "Before"),
    "after": ("之后", "After"),
    "attention": ("滞后或严重滞后的目标", "Targets behind or off track"),
    "missing_coverage": ("尚未覆盖的地区", "Coverage still missing"),
    "stale_regions": ("久未记录的市州", "Stale regions"),
    "catalog_gaps": ("目录中的缺口", "Gaps in the catalog"),
    "year_start": ("年初", "Year start"),
    "in_year": ("本年", "In year"),
    # layout and reports (status, summary, show, regions-status)
    "title_en": ("英文标题", "In English"),
    "started": ("首次有记录的目标", "Targets that got their first record"),
    "counts_at": ("计数阶段", "counts at"),
    "source": ("通知原文", "The notice"),
    "burn_up": (
        "每季度末已达成（#）与应达（.）",
        "Achieved at each quarter's end (#) and expected (.)",
    ),
    "voided_entries": ("作废的记录", "Entries voided"),
    "reason": ("原因", "Reason"),
    "never_visited": ("从未有记录", "Never visited"),
    "last_visit": ("最近记录已久", "Last visited long ago"),
    "list_sep": ("，", ", "),
    "sentence_sep": ("；", "; "),
    "gap_points": ("差距\n(百分点)", "Gap\n(points)"),
    "projected_units": ("预计\n(2030年)", "Projected\n(2030)"),
    # classes
    "done": ("已完成", "done"),
    "on_track": ("进度正常", "on track"),
    "behind": ("滞后", "behind"),
    "off_track": ("严重滞后", "off track"),
    "not_started": ("未开始", "not started"),
    "no_goal": ("无目标值", "no goal"),
    # stages and states
    "selected": ("遴选", "selected"),
    "building": ("建设中", "building"),
    "accepted": ("验收", "accepted"),
    "revoked": ("撤销", "revoked"),
    "in_progress": ("进行中", "in progress"),
    # kinds
    "count": ("数量", "count"),
    "coverage": ("覆盖", "coverage"),
    "named": ("点名", "named"),
    "milestone": ("里程碑", "milestone"),
    "activity": ("活动", "activity"),
    "city": ("市州", "city"),
    "county": ("县市区", "county"),
    "province": ("省", "province"),
}


MESSAGES: dict[str, tuple[str, str]] = {
    # key: (zh, en); fields in braces, filled by Message.text
    "error": ("chuyi：错误：{message}", "chuyi: error: {message}"),
    "warning": ("chuyi：注意：{message}", "chuyi: warning: {message}"),
    "at_line": ("{path}:{line}: {message}", "{path}:{line}: {message}"),
    # layout and reports (log, status, summary, show, regions-status)
    "summary_headline": (
        "总体完成度 {completion}，时间进度 {elapsed}（{start} → {deadline}）",
        "Overall {completion} complete, {elapsed} of the time elapsed ({start} → {deadline})",
    ),
    "summary_since": ("{since} 以来", "Changes since {since}"),
    "summary_new": ("新增记录 {count} 条（作废不计）", "New entries: {count} (voids not counted)"),
    "summary_voided": ("作废记录 {count} 条，见下", "{count} entries voided, listed below"),
    "summary_uncovered": ("尚缺 {count} 个{level}", "{count} regions ({level}) still missing"),
    "card_units": (
        "已记录的单位：共 {count} 个，显示 {shown} 个",
        "Units on record: {count}, {shown} shown",
    ),
    "card_more": ("另有 {count} 个，--all 显示全部", "{count} more; --all shows them all"),
    "log_more": (
        "以上为最近 {limit} 条记录；查看全部请用 -n 0",
        "the newest {limit} entries; -n 0 shows them all",
    ),
    # ---- the store, files, signals and the terminal (issue 10)
    "upgrade_failed": (
        "{path}：无法从第 {old} 版升级到第 {new} 版（{reason}）；文件保持原样，未写入任何内容",
        "{path}: cannot upgrade from schema {old} to {new} ({reason}); the file was left as it was",
    ),
    # --- import and exchange: reading files, conflicts, voids, similar units
    "import_refused": (
        "chuyi：错误：{path} 中有 {count} 处问题；未导入任何内容：",
        "chuyi: error: {count} bad row(s) in {path}; nothing was imported:",
    ),
    "import_not_regular": (
        "{path}：不是普通文件（{what}），未读取；标准输入请写 - 或 /dev/stdin",
        "{path}: not a regular file ({what}); nothing was read (use - or /dev/stdin for"
        " standard input)",
    ),
    "import_stdin_device": (
        "标准输入是设备（{what}），不是文件或管道；未导入任何内容",
        "standard input is a device ({what}), not a file or a pipe; nothing was imported",
    ),
    "import_unknown_encoding": (
        "未知的编码 {encoding!r}：可用 utf-8、utf-8-sig、gb18030、utf-16",
        "unknown encoding {encoding!r}: use utf-8, utf-8-sig, gb18030 or utf-16",
    ),
    "import_mixed_utf8": (
        "此行不是 UTF-8，而文件其余各行是：此行可能从别处粘贴而来；请将文件另存为"
        "“CSV UTF-8”后再导入，或用 --encoding 指明编码",
        "this line is not UTF-8, though the file's other lines are (pasted from elsewhere?);"
        " save the file as CSV UTF-8 and import it again, or name the encoding with"
        " --encoding",
    ),
    "import_undecodable": (
        "此行不是 {encoding} 文本",
        "this line is not {encoding} text",
    ),
    "import_lost_character": (
        "单元格 {cell!r} 中汉字旁有“?”：Excel 以 {encoding} 保存时用“?”代替它存不下的字；"
        "请另存为“CSV UTF-8”后再导入",
        "'?' next to Chinese characters in {cell!r}: Excel writes '?' for a character"
        " {encoding} cannot hold; save the sheet as CSV UTF-8 and import it again",
    ),
    "import_unclosed_quote": (
        '本行开始的引号（"）没有闭合（{reason}）：其后各行会被读成一个单元格；请修正后再导入',
        'a quote (") opened in the row starting here is not closed ({reason}): the rows'
        " after it would be read as one cell; correct it and import again",
    ),
    "import_rows_in_cell": (
        "第 {line} 至 {last} 行被读成一个单元格，其中含有像数据行的内容：引号可能没有闭合",
        "lines {line} to {last} read as one cell that holds what look like rows: a quote"
        " left open?",
    ),
    "import_cell_count": (
        "本行有 {cells} 个单元格，表头有 {columns} 列",
        "{cells} cells, but the header has {columns} columns",
    ),
    "import_same_field": (
        "{columns} 几列都表示 {field}：只保留一列",
        "columns {columns} all mean {field}: keep one of them",
    ),
    "import_unknown_columns": (
        "不认识的列 {columns}；见 README“Import and export”",
        "unknown column(s) {columns}; see README 'Import and export'",
    ),
    "import_no_target_column": ("缺少“目标”列", "no 'target' (目标) column"),
    "import_not_json_object": ("不是 JSON 对象（{reason}）", "not a JSON object ({reason})"),
    "import_json_too_deep": ("JSON 嵌套过深", "JSON nested too deeply"),
    "import_json_number": ("数字过长", "a number too long to read"),
    "import_unknown_keys": (
        "不认识的键 {keys}；见 README“Import and export”",
        "unknown key(s) {keys}; see README 'Import and export'",
    ),
    "import_same_key": ("键 {keys} 都表示 {field}", "keys {keys} all mean {field}"),
    "import_not_scalar": (
        "键 {key!r} 的值是{kind}，不是单个值",
        "key {key!r} holds {kind}, not a single value",
    ),
    "recorded_bad": (
        "记录时间 {text!r} 有误：应为 ISO 8601 格式（如 2024-03-05T10:00:00+08:00）",
        "bad recorded time {text!r}: expected ISO 8601",
    ),
    "recorded_no_zone": (
        "记录时间 {text!r} 没有时区（如 +08:00 或 Z）",
        "recorded time {text!r} has no time zone",
    ),
    "void_itself": ("记录 {id} 作废的是它自己", "entry {id} voids itself"),
    "void_not_found": (
        "作废 {id}，但该记录既未存储，也不在本文件中",
        "voids {id}, which is neither stored nor in this file",
    ),
    "void_of_void": (
        "记录 {id} 本身是一条作废记录；如需恢复，请重新记录该事实",
        "entry {id} is itself a void; record the fact again instead",
    ),
    "void_twice": (
        "记录 {id} 已被 {by} 作废；一条记录只能作废一次",
        "entry {id} is already voided by {by}; an entry is voided once",
    ),
    "void_twice_here": (
        "记录 {id} 在本文件第 {line} 行已被作废；一条记录只能作废一次",
        "entry {id} is voided on line {line} of this file already; an entry is voided once",
    ),
    "void_takes_no": (
        "作废行不能带 {field}：它只取消所指的记录",
        "a void row takes no {field}: it only cancels the entry it names",
    ),
    "void_other_target": (
        "作废的是 {target} 的记录，但本行写的目标是 {given!r}",
        "voids an entry of {target}, but names target {given!r}",
    ),
    "import_conflict": (
        "编号 {id} 已存储，但内容不同（{fields}）；同一编号不能代表两条记录",
        "id {id} is stored already with other content ({fields}); one id cannot be two records",
    ),
    "import_conflict_here": (
        "编号 {id} 在本文件中已出现过，但内容不同（{fields}）",
        "id {id} comes earlier in this file with other content ({fields})",
    ),
    "import_conflict_field": (
        "{field}：已存 {stored}，本行 {given}",
        "{field}: stored {stored}, this row {given}",
    ),
    "import_kind_list": ("列表", "a list"),
    "import_kind_object": ("对象", "an object"),
    "import_cannot_read": ("{path}：无法读取：{reason}", "{path}: cannot read: {reason}"),
    # sheets: workbooks and CSV as offices fill them (import, template, xlsx export)
    "sheet_header_typo": (
        "表头“{header}”无法识别，是否应为“{near}”？",
        "unknown header {header!r}; did you mean {near!r}?",
    ),
    "sheet_header_unknown": (
        "表头“{header}”不是可导入的列（--strict 不允许多余的列）",
        "unknown column {header!r} (--strict allows no other columns)",
    ),
    "sheet_no_header": (
        "工作表“{where}”前 {rows} 行中没有“目标”列",
        "no target (目标) column in the first {rows} rows of sheet {where!r}",
    ),
    "sheet_no_header_any": (
        "{path}：各工作表前 {rows} 行中都没有“目标”列",
        "{path}: no sheet has a target (目标) column in its first {rows} rows",
    ),
    "sheet_no_header_csv": (
        "前 {rows} 行中没有“目标”列（表头须含 目标 或 target）",
        "no target (目标) column in the first {rows} rows (the header must name one)",
    ),
    "sheet_no_such_sheet": (
        "没有名为“{sheet}”的工作表；现有：{sheets}",
        "no sheet named {sheet!r}; the workbook has: {sheets}",
    ),
    "sheet_old_workbook": (
        "{path} 是 {kind} 工作簿，无法直接读取：请另存为 .xlsx 或 CSV UTF-8 后再导入",
        "{path} is an {kind} workbook, which chuyi cannot read: save it as .xlsx or "
        "CSV UTF-8 and import that",
    ),
    "sheet_other_format": (
        "{path} 是 {kind} 文件，无法直接读取：请另存为 .xlsx 或 CSV UTF-8 后再导入",
        "{path} is a {kind} file, which chuyi cannot read: save it as .xlsx or CSV UTF-8 "
        "and import that",
    ),
    "sheet_not_workbook": (
        "{path} 的扩展名是 {suffix}，但内容不是工作簿："
        "请在 Excel 或 WPS 中另存为 .xlsx 或 CSV UTF-8",
        "{path} is named {suffix} but is no workbook: save it from Excel or WPS as .xlsx "
        "or CSV UTF-8",
    ),
    "sheet_broken_workbook": (
        "{path} 不是可读取的 .xlsx 工作簿（文件损坏或已加密）："
        "请在 Excel 或 WPS 中打开后另存为 .xlsx",
        "{path} is not a readable .xlsx workbook (damaged or encrypted): open it in Excel "
        "or WPS and save it as .xlsx again",
    ),
    "sheet_bad_date": ("日期“{text}”无法识别", "bad date {text!r}"),
    "sheet_date_no_year": (
        "日期“{text}”没有年份：请写明年份，如 2025-06-20",
        "date {text!r} has no year: write the year too, e.g. 2025-06-20",
    ),
    "sheet_number_not_date": (
        "日期列中的数字 {text} 不是 {first}—{last} 年间的日期",
        "the number {text} in the date column is no date between {first} and {last}",
    ),
    "sheet_region_mismatch": (
        "县市区“{county}”不属于市州“{city}”",
        "县市区 {county} does not lie in 市州 {city}",
    ),
    "import_sheet": (
        "读取工作表“{sheet}”，表头在第 {line} 行",
        "sheet {sheet!r}, header on row {line}",
    ),
    "import_above": (
        "跳过表头上方 {count} 行：{rows}",
        "skipped {count} row(s) above the header: {rows}",
    ),
    "import_ignored": ("忽略 {count} 列：{columns}", "ignored {count} column(s): {columns}"),
    "export_xlsx_needs_file": (
        "xlsx 工作簿须写入文件：请加 -o 文件名.xlsx",
        "an xlsx workbook goes to a file: add -o FILE.xlsx",
    ),
    "export_xlsx_control": (
        "记录 {id} 的 {field} 含有 .xlsx 无法保存的控制字符；请改用 CSV 或 JSON Lines 导出",
        "entry {id}'s {field} holds a control character .xlsx cannot keep; export CSV or "
        "JSON Lines instead",
    ),
    "export_headers_csv": (
        "--headers zh 只用于 CSV（xlsx 总是带中文表头）",
        "--headers zh is for CSV (an xlsx export always has Chinese headers)",
    ),
    "template_written": (
        "已生成填报模板 {path}：填好“填报”工作表后，用 chuyi import {path} 导入",
        "wrote the template {path}: fill in its sheet 填报, then chuyi import {path}",
    ),
    "template_exists": (
        "{path} 已存在，未覆盖：请用 -o 指定新文件名",
        "{path} exists and was left as it is: name a new file with -o",
    ),
    "template_cannot_write": ("无法写入 {path}：{reason}", "cannot write {path}: {reason}"),
    "import_sep": ("、", ", "),
    "import_row": ("第 {line} 行“{text}”", "row {line} {text!r}"),
    "import_empty_header": ("（无表头）", "(no header)"),
    "import_skipped_blank": ("跳过空行 {count} 行", "skipped {count} blank row(s)"),
    "import_skipped_totals": (
        "跳过合计/小计/总计行 {count} 行（第 {lines} 行）",
        "skipped {count} total row(s) (合计/小计/总计: row {lines})",
    ),
    "import_done": (
        "已导入 {added} 条，跳过 {skipped} 条已有记录",
        "added {added}, skipped {skipped} already present",
    ),
    "import_would": (
        "试导入：将导入 {added} 条，跳过 {skipped} 条已有记录；未写入任何内容",
        "would add {added}, skipped {skipped} already present; nothing was written",
    ),
    "import_col_add": ("新增", "add"),
    "import_col_skip": ("跳过", "skip"),
    "import_col_refuse": ("拒绝", "refuse"),
    "import_quantity": ("数量", "Quantity"),
    "import_field": ("{label}：{value}", "{label}: {value}"),
    "import_first_rows": ("前 {count} 行读作：", "the first {count} row(s) as read:"),
    "import_rate": ("{rows} 行，每秒 {rate} 行", "{rows} rows, {rate} rows/s"),
    # --- the store, files, signals and the terminal (issue 10, continued)
    "interrupted": ("chuyi：已中断；未写入任何内容", "chuyi: interrupted; nothing was written"),
    "interrupted_after_commit": (
        "chuyi：已中断；中断前已写入的内容完整保留（见 chuyi log）",
        "chuyi: interrupted; what was written before is kept whole (see chuyi log)",
    ),
    "output_is_database": (
        "{path}：这是数据库文件本身，不能用作输出；请另选文件名。未写入任何内容",
        "{path}: is the database itself; choose another file. Nothing was written",
    ),
    "output_is_sidecar": (
        "{path}：这是 SQLite 在数据库 {db} 旁保存的文件，不能用作输出；"
        "请另选文件名。未写入任何内容",
        "{path}: is a file SQLite keeps beside the database {db}; choose another file. "
        "Nothing was written",
    ),
    "output_exists": (
        "{path}：文件已存在；请另选文件名。未写入任何内容",
        "{path}: already exists; choose a new file name. Nothing was written",
    ),
    "entry_misfit": (
        "{path}：记录 {entry}（{what}）已不符合目录中该目标的定义：{reason}",
        "{path}: entry {entry} ({what}) no longer fits the catalog's target: {reason}",
    ),
    "number_too_long": (
        "{option}：{digits} 位数字过长，不可能是数量、年份、宽度或天数",
        "{option}: a {digits}-digit number is too long to be a count, year, width or days",
    ),
    "exported": ("已导出 {count} 条记录到 {path}", "exported {count} entries to {path}"),
    "backed_up": ("已备份 {count} 条记录到 {path}", "backed up {count} entries to {path}"),
    "cannot_write": (
        "{path}：无法写入（{reason}）；未写入任何内容",
        "{path}: cannot write ({reason}); nothing was written",
    ),
    # --- Windows: output encodings, the pager, files other programs hold (issue 18)
    "file_in_use": (
        "{reason}；文件可能正在 Excel 或 WPS 中打开，请关闭后重试",
        "{reason}; the file may be open in Excel or WPS: close it and try again",
    ),
}

_LANG: str | None = None


def set_lang(lang: str | None) -> None:
    """The language of this run's messages (None: from the environment)."""
    global _LANG
    _LANG = lang


def current_lang() -> str:
    return _LANG or default_lang()


class Message:
    """A sentence for the user, worded only when shown, in the language chosen then.

    ``Message("at_line", path=p, line=3, message=Message("bad_date", text="x"))``: fields
    that are messages themselves are worded in the same language.
    """

    __slots__ = ("key", "fields")

    def __init__(self, key: str, /, **fields: object) -> None:
        self.key = key
        self.fields = fields

    def text(self, lang: str | None = None) -> str:
        lang = lang or current_lang()
        pair = MESSAGES.get(self.key)
        from chuyi_cli.render import shown  # (a field may hold a record's text: as text)

        if pair is None:  # a plain sentence passed through as it is
            return shown(self.key)
        template = pair[0 if lang == "zh" else 1]
        values = {
            name: value.text(lang) if isinstance(value, Message) else value
            for name, value in self.fields.items()
        }
        return shown(template.format(**values))

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return f"Message({self.key!r}, **{self.fields!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Message):
            return (self.key, self.fields) == (other.key, other.fields)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.key)


def say(key: str, /, **fields: object) -> str:
    """A message worded in this run's language."""
    return Message(key, **fields).text()


def lang_named(text: str | None) -> str | None:
    """``zh`` or ``en`` when the text names that language (``zh_CN.UTF-8``, ``EN``), else None."""
    value = (text or "").strip().lower()
    if value.startswith("zh") or value in ("中文", "汉语", "chinese"):
        return "zh"
    if value.startswith("en") or value in ("英文", "英语", "english"):
        return "en"
    return None


def default_lang() -> str:
    """The language when ``--lang`` is not given.

    ``CHUYI_LANG``, else the locale if it names a language (the first set of LC_ALL,
    LC_MESSAGES, LANG: ``zh*`` or ``en*``), else Chinese: a cron job, ``env -i``, ``C``
    and ``POSIX`` get Chinese, the language of the people who read chuyi.
    """
    chosen = lang_named(os.environ.get("CHUYI_LANG"))
    if chosen:
        return chosen
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return lang_named(value) or "zh"
    return "zh"


class Words:
    """Look words up in one language: ``w("goal")``."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.index = 0 if lang == "zh" else 1

    def __call__(self, key: str) -> str:
        pair = WORDS.get(key)
        return pair[self.index] if pair else key

    def title(self, target: object) -> str:
        """A target's title: the notice's words, with the English one under English."""
        zh = getattr(target, "title", "")
        en = getattr(target, "title_en", "")
        return f"{zh}\n{en}" if self.lang == "en" and en else zh

    def label(self, target: object) -> str:
        """The title on one line (for trees and messages)."""
        return self.title(target).replace("\n", " / ")
