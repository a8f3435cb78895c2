"""Interface words and messages in Chinese and English.

``WORDS`` are the words of tables and labels; ``MESSAGES`` are the sentences a user reads
(errors, warnings, confirmations), each a template with ``{name}`` fields. The core raises
``ChuyiError("key", field=value)`` and never words a sentence itself: the sentence is worded
when it is shown, in the language chosen for that run (``set_lang``). Target titles stay as
the notice writes them.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # (typing is not imported to start: only mypy reads what it guards)
if TYPE_CHECKING:
    from collections.abc import Sequence

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
    # the catalog as an official reads it (provenance, open points)
    "reconstructed_mark": ("拟定", "reconstructed"),
    "open_number": ("缺口", "gap"),
    "open_unverified": ("未经核实", "unverified"),
    "open_frequency": ("无频次", "no frequency"),
    "open_date": ("无日期", "no date"),
    "open_lead": ("无牵头单位", "no lead"),
    "regions_of_city": ("个市州", "prefectures"),
    "selected_or_later": ("立项及以后", "Selected+"),
    "of_which_named": ("其中点名", "of which named"),
    "years_unit": ("年", "years"),
    "years_due": ("应完成", "due"),
    "not_recorded": ("未记录", "not recorded"),
    "among": ("是否在内", "among"),
    "yearly": ("按年度", "yearly"),
    "checkpoint": ("阶段目标", "checkpoint"),
    "frequency": ("频次", "frequency"),
    "lead": ("牵头单位", "lead"),
    "partners": ("配合单位", "partners"),
    "max_per_region": ("每地至多", "at most per region"),
    "regions_of_county": ("个县市区", "counties"),
    "city": ("市州", "city"),
    "county": ("县市区", "county"),
    "province": ("省", "province"),
    "notice": ("通知原文", "notice"),
    "restored": ("据公开文本恢复", "restored"),
}


MESSAGES: dict[str, tuple[str, str]] = {
    # key: (zh, en); fields in braces, filled by Message.text
    # the catalog as an official reads it (issue 14)
    "deadline_beside_public": (
        "跟踪截止日期 {deadline}，公开文本期限 {public} 年：公开通知以{public}年为期，"
        "本工具按使用者跟踪的 {deadline} 计算时间进度和应达值。",
        "Tracked deadline {deadline}; the public notice ends in {public}. The public notice "
        "aims at {public}; chuyi paces progress against {deadline}, the deadline its users track.",
    ),
    "open_frequency": ("通知未规定频次", "the notice sets no frequency"),
    "open_date": ("通知未规定完成时间", "the notice sets no date"),
    "open_lead": ("通知未指定牵头单位", "the notice names no lead department"),
    "open_lead_tasks": (
        "未指定牵头单位、配合单位的任务（{count} 项）：{refs}",
        "Tasks without a lead or partner department ({count}): {refs}",
    ),
    "among_unknown": (
        "通知未说明是否在 {target} 之内",
        "the notice does not say whether they are among {target}",
    ),
    "yearly_years": ("每年一个状态，{first}–{last} 年", "one state a year, {first}–{last}"),
    "lead_unknown": (
        "目录中没有任务以“{department}”为牵头单位或配合单位（目录为 {count} 项任务写明了牵头单位；"
        "见 chuyi targets --gaps）",
        "no task of the catalog names {department!r} as lead or partner ({count} tasks name a "
        "lead; see chuyi targets --gaps)",
    ),
    "counts_at_whatif": (
        "假设：所有目标均按“{stage}”阶段计数（--counts-at），非各目标目录所定的计数阶段。",
        "What if: every target counted at stage '{stage}' (--counts-at), not at its own.",
    ),
    "named_among_status": (
        "{ref} {title}：已达成 {achieved}，其中点名 {named}",
        "{ref} {title}: achieved {achieved}, of which named {named}",
    ),
    "surplus_regions": (
        "{ref} {target}：超出每地 {most} {unit}：{regions}",
        "{ref} {target}: more than {most} {unit} in a region: {regions}",
    ),
    "year_assessed": (
        "{title}：{year} 年度的考核督导{state}（截至今日的记录）",
        "{title}: the assessment of {year}: {state} (as recorded by today)",
    ),
    "undated_years": (
        "{target}：{count} 条记录未注明年度，未计入任何一年（见 chuyi check）",
        "{target}: {count} entries name no year and count for none (see chuyi check)",
    ),
    "year_needed": (
        "{target} 按年度记录：请写明年度（{first}–{last}）：命令行用 --year，表格填在“单位名称”列",
        "{target} is kept per year: give the year ({first}–{last}): --year on the command "
        "line, the unit (单位名称) column in a sheet",
    ),
    "year_not_in_plan": (
        "“{year}”不是计划内的年度（{first}–{last}）",
        "{year!r} is not a year of the plan ({first}–{last})",
    ),
    "year_not_begun": (
        "{year} 年尚未开始（观察日期 {observed}），不能记录该年度的考核",
        "the year {year} had not begun on {observed}, the day observed",
    ),
    "year_not_taken": (
        "{target} 不按年度记录，不接受 --year",
        "{target} is not kept per year; it takes no --year",
    ),
    "check_undated": (
        "{path}：{target} 有 {count} 条记录未注明年度（改为按年度记录之前所录），未计入任何一年；"
        "请按年度重新记录（chuyi record {target} --year 年度 --state 状态）并作废原记录",
        "{path}: {count} entries of {target} name no year (recorded before it was kept per "
        "year) and count for none; record each year (chuyi record {target} --year YYYY --state "
        "STATE) and void them",
    ),
    "check_year_outside": (
        "{path}：{target} 记有“{year}”年度，不在计划年度 {first}–{last} 之内",
        "{path}: {target} holds year {year!r}, outside the plan's years {first}–{last}",
    ),
    "since_before_any_day": (
        "--since {text}：早于可以计算的第一天",
        "bad --since {text!r}: before any day chuyi can count",
    ),
    "error": ("chuyi：错误：{message}", "chuyi: error: {message}"),
    "warning": ("chuyi：注意：{message}", "chuyi: warning: {message}"),
    "at_line": ("{path}:{line}: {message}", "{path}:{line}: {message}"),
    # ---- language and habits (issue 13): help pages, click's words, the bare `chuyi`
    "help.chuyi": (
        "对照 2030 年期限，跟踪湖南省职业教育“楚怡”行动通知的各项任务和目标。",
        "Track Hunan's Chuyi (楚怡) vocational-education notice against its 2030 deadline.",
    ),
    "help.help": ("显示本帮助并退出。", "Show this message and exit."),
    "help.json": ("输出 JSON（UTF-8，键名固定）。", "Print JSON (UTF-8, stable keys)."),
    "help.plain": (
        "纯文本表格，不带颜色（同管道输出）。",
        "Plain text tables, no colour (as when piped).",
    ),
    "help.as_of": (
        "按某一天的情况，YYYY-MM-DD（默认今天）；此后的记录不计。",
        "As on this day, YYYY-MM-DD (default today); later entries ignored.",
    ),
    "help.width": (
        "按这么多列排版表格（默认：终端宽度；非终端为 100）。",
        "Lay tables out for this many columns (default: the terminal's; 100 off one).",
    ),
    "help.lang": (
        "界面语言 zh 或 en；默认取 CHUYI_LANG，其次取区域设置（zh*、en*），否则为中文。",
        "Interface language, zh or en; default CHUYI_LANG, else the locale (zh*, en*), else zh.",
    ),
    "help.chuyi.targets": (
        "目标目录（YAML）。默认：随程序安装的 data/targets.yaml。",
        "Target catalog (YAML). Default: the packaged data/targets.yaml.",
    ),
    "help.chuyi.db": (
        "记录所在的 SQLite 数据库，或 PostgreSQL 服务器（postgresql://…、service=…）。"
        "默认：用户数据文件夹中的 chuyi.db。",
        "SQLite database of entries, or a PostgreSQL server (postgresql://…, service=…). "
        "Default: chuyi.db in the user data folder.",
    ),
    "help.chuyi.version": ("显示版本号。", "Show the version."),
    "help.server": (
        "全省共用的 PostgreSQL 服务器：建库、授权、核对（用 --db 或 CHUYI_DB 指定服务器）。",
        "The province's shared PostgreSQL server: set up, grant, check "
        "(the server named by --db or CHUYI_DB).",
    ),
    "help.server.init": (
        "在服务器上建立（或更新）chuyi 的表、角色、策略和地区；须由超级用户执行。",
        "Create (or bring up to date) chuyi's schema, roles, policies and regions on the "
        "server; run by a superuser.",
    ),
    "help.server.grant": (
        "授权登录名：记录某地区（--recorder --region）、查看（--viewer）或管理（--admin）。",
        "Let a login record for a region (--recorder --region), read (--viewer) or "
        "grant (--admin).",
    ),
    "help.server.revoke": (
        "收回登录名的全部授权，或某一地区的记录授权；其记录仍在案。",
        "Take a login's grants away, all or one region's; its entries stay on record.",
    ),
    "help.server.grants": (
        "列出每个被授权的登录名：角色与可记录的地区。",
        "Every login granted a role: its roles and the regions it records for.",
    ),
    "help.server.check": (
        "核对服务器上的表、角色、策略和权限是否与 init 所建一致。",
        "Check that the schema, roles, policies and rights are as init made them.",
    ),
    "help.server.repair": (
        "修复：（超级用户）恢复角色、触发器、行级安全和权限；重新推导当前状态。",
        "Repair: (a superuser) bring back the roles, triggers, row-level security and "
        "rights; derive the present again.",
    ),
    "help.sync": (
        "与服务器交换记录：推送服务器没有的，取回本机没有的（按编号，可重复执行）。",
        "Exchange entries with the server: push what it lacks, pull what this file lacks "
        "(by id; running it again does nothing).",
    ),
    "help.sync.to": (
        "服务器（postgresql://… 或 service=…）。",
        "The server (postgresql://… or service=…).",
    ),
    "help.sync.full": (
        "比对两边的全部记录，而不只是上次同步以来新增的（通常不需要）。",
        "Compare every entry of both sides, not only those added since the last sync "
        "(rarely needed).",
    ),
    "ex.sync": (
        "chuyi sync --to postgresql://changsha_li@db.example/chuyi",
        "chuyi sync --to postgresql://changsha_li@db.example/chuyi",
    ),
    "help.server.login": ("服务器上的登录名。", "A login on the server."),
    "help.server.recorder": (
        "记录员：只能为所授地区追加记录。",
        "Recorder: appends entries for the region granted.",
    ),
    "help.server.viewer": ("查看者：只读。", "Viewer: reads only."),
    "help.server.admin": ("管理员：授权、核对。", "Admin: grants and checks."),
    "help.server.region": (
        "记录员的地区：市州含其下辖县市区，湖南省为全省。",
        "The recorder's region: a 市州 covers its 县市区; 湖南省 the whole province.",
    ),
    "help.server.target": (
        "只许记录这个目标（默认：全部目标）。",
        "Only this target (default: every target).",
    ),
    "help.server.revoke_region": (
        "只收回这个地区的记录授权。",
        "Only the grant to record in this region.",
    ),
    "help.chuyi.no-pager": (
        "长输出不经分页器。终端中默认依次用 CHUYI_PAGER、PAGER、less -FRX（Windows 上为 more）；"
        "设为空或 cat 即不分页。",
        "Never page long output. Default in a terminal: CHUYI_PAGER, else PAGER, "
        "else less -FRX (more on Windows); set either to '' or cat for none.",
    ),
    "help.chuyi.install-completion": (
        "为当前 shell（bash、zsh、fish）安装命令补全。",
        "Install completion for the current shell (bash, zsh, fish).",
    ),
    "help.chuyi.show-completion": (
        "显示当前 shell 的补全脚本，可复制或自行安装。",
        "Show completion for the current shell, to copy it or customize the installation.",
    ),
    "help.targets": (
        "目标目录树：部分 → 任务 → 目标，含目标值和来源。",
        "The catalog as a tree: section → task → target, with goals and provenance.",
    ),
    "help.targets.section": (
        "只看这一部分，如 二 或 二(三)。",
        "Only this section, e.g. 二 or 二(三).",
    ),
    "help.targets.gaps": (
        "只看通知未给出数字的内容。",
        "Only what the notice leaves open (no number).",
    ),
    "help.show": (
        "一个目标的全部信息，含其出处的通知原文。",
        "One target in full, with the sentence of the notice it comes from.",
    ),
    "help.show.target": (
        "目标：标识、编号或通知中的名称（或其中唯一的一段），如 职教名师、二(四)1。",
        "Target: id, ref or the notice's title (or a unique part), e.g. 职教名师, 二(四)1.",
    ),
    "help.show.all": (
        "列出全部单位，而不只是前 20 个。",
        "Every unit on record, not only the first 20.",
    ),
    "help.template": (
        "供各单位填写的 xlsx 表：带下拉列表和“填表说明”工作表。",
        "An xlsx sheet for an office to fill in: drop-down lists, a 填表说明 sheet.",
    ),
    "help.template.output": (
        "要写入的工作簿（不得已存在）。",
        "The workbook to write (must not exist yet).",
    ),
    "help.template.target": (
        "列表中只放这个目标（标识、编号或名称）；可重复。",
        "Only this target in the list (id, ref or title); repeatable.",
    ),
    "help.template.region": (
        "列表中只放这个地区及其下辖地区。",
        "Only this region and those under it in the list.",
    ),
    "help.regions": (
        "区划表：14 个市州和 122 个县市区，含代码和简称。",
        "The gazetteer: 14 市州 and 122 县市区 with codes and short names.",
    ),
    "help.regions.level": (
        "只看 市州 或 县市区（city、county）。",
        "Only 市州 or 县市区 (city, county).",
    ),
    "help.check": (
        "检查目标目录和数据库；列出每个问题，或显示“正常”。",
        "Validate the catalog and the database; print every problem, or ok.",
    ),
    "help.check.repair": (
        "根据历史重新推算当前状态。",
        "Derive the current state again from the history.",
    ),
    "help.record": (
        "记录一次实地查看所见（追加一条记录）。",
        "Put what a site visit saw on record (appends one entry).",
    ),
    "help.record.target": (
        "目标：标识、编号或通知中的名称（须只对应一个目标；在终端中可不填，按提示选择）。",
        "Target: id, ref or the notice's title (or a unique part), naming one target "
        "(asked for in a terminal).",
    ),
    "help.record.unit": (
        "学校、基地、集团或人员（数量、覆盖、点名类目标）。",
        "The school, base, group or person (count, coverage, named).",
    ),
    "help.record.region": (
        "地区：全称、简称或代码（如 长沙、430181）。",
        "Region by name, short name or code (e.g. 长沙, 430181).",
    ),
    "help.record.stage": (
        "单位所处阶段：遴选、建设中、验收、撤销等（或 selected、building、accepted、revoked）；"
        "必须写明，不默认任何阶段。",
        "Unit stage: selected, building, accepted, revoked (or 遴选, 建设中, 验收, 撤销 …); "
        "required: none is assumed.",
    ),
    "help.record.state": (
        "里程碑状态：未开始、进行中、已完成（not_started、in_progress、done）。",
        "Milestone state: not_started, in_progress, done (or 未开始, 进行中, 已完成).",
    ),
    "help.record.quantity": ("活动数量（默认 1）。", "Activity quantity (default 1)."),
    "help.record.date": (
        "查看日期，YYYY-MM-DD（默认今天）。",
        "Day observed, YYYY-MM-DD (default today).",
    ),
    "help.record.by": (
        "记录人；默认取 CHUYI_USER，否则为登录名。",
        "Who records; default CHUYI_USER, else login.",
    ),
    "help.record.note": ("备注，任意文字。", "Free text."),
    "help.record.year": (
        "按年度记录的目标（年度考核督导 annual-assessment）所记的年度，如 2025。",
        "The year a yearly milestone's state is of (annual-assessment), e.g. 2025.",
    ),
    "help.record.evidence": (
        "佐证：可读的文件（保存其 SHA-256）或 http(s):// 网址。",
        "A readable file (its SHA-256 is kept) or an http(s):// URL.",
    ),
    "help.void": (
        "追加一条作废记录以取消某条记录；原记录仍保留在案。",
        "Cancel an entry by appending a void; the entry itself stays on record.",
    ),
    "help.void.entry_id": (
        "记录编号，或其唯一的前几位。",
        "The entry's id, or a unique prefix of it.",
    ),
    "help.void.reason": ("作废理由（必填）。", "Why the entry is wrong (required)."),
    "help.void.by": ("作废人。", "Who voids it."),
    "help.log": (
        "记录列表，最新的在前；已作废的会标出，从不隐藏。",
        "Entries, newest first; voided ones are marked, never hidden.",
    ),
    "help.log.target": (
        "只看这个目标（标识、编号或名称）。",
        "Only this target (id, ref or title).",
    ),
    "help.log.since": ("查看日期不早于 YYYY-MM-DD。", "Observed on or after YYYY-MM-DD."),
    "help.log.region": ("只看这个地区（含其下辖地区）。", "Only this region (and under it)."),
    "help.log.by": ("只看这位记录人。", "Only this recorder."),
    "help.log.limit": (
        "只显示最新的 N 条；0 为全部。默认：终端中 50 条，否则全部。",
        "Show the newest N entries; 0 for all. Default: 50 in a terminal, else all.",
    ),
    "help.units": (
        "目标下的每个单位：当前阶段、地区、最近日期、有效记录数（已作废的另计）。",
        "Each unit of a target: current stage, region, last date, live entries (voided apart).",
    ),
    "help.units.target": ("目标：标识、编号或名称。", "Target id, ref or title."),
    "help.units.similar": (
        "只列可能是同一单位的：同一名称的繁体与简体写法，或只差不可见字符。",
        "Only units that may be one unit: one name in traditional and in simplified"
        " characters, or apart only by invisible characters.",
    ),
    "help.import": (
        "导入记录，要么全部导入，要么一条不导入；已有的记录（编号相同）跳过，"
        "重复录入的行列出并跳过。",
        "Import entries, all or nothing; rows already stored (same id) are skipped, and "
        "typed rows that repeat an observation are listed and skipped.",
    ),
    "help.import.file": (
        "CSV、JSON Lines 或 Excel/WPS 工作簿（.xlsx、.xlsm）；- 表示从标准输入读取。",
        "CSV, JSON Lines or an Excel/WPS workbook (.xlsx, .xlsm); - reads standard input.",
    ),
    "help.import.dry-run": (
        "逐行检查，显示将写入的内容；不写入任何内容。",
        "Check every row; show what would be stored; store nothing.",
    ),
    "help.import.encoding": (
        "utf-8、utf-8-sig、gb18030 或 utf-16（默认：自动识别）。",
        "utf-8, utf-8-sig, gb18030 or utf-16 (default: detected).",
    ),
    "help.import.sheet": (
        "要读取的工作表（默认：第一个含“目标”列的工作表）。",
        "The workbook's sheet to read (default: the first with 目标).",
    ),
    "help.import.strict": (
        "拒绝不是字段的列（序号、联系人等）。",
        "Refuse columns that are no field (序号, 联系人 …).",
    ),
    "help.export": (
        "导出全部记录（含编号和作废记录），供同事或电子表格使用。",
        "Every entry with its id, voids included, for colleagues or a spreadsheet.",
    ),
    "help.export.format": (
        "csv（Excel 可直接打开，带 BOM 的 UTF-8）、jsonl 或 xlsx（单元格带类型；须用 -o）。",
        "csv (Excel, UTF-8 with BOM), jsonl, or xlsx (typed cells; needs -o).",
    ),
    "help.export.headers": (
        "CSV 表头：fields（导出字段名，供程序读取）或 zh（中文表头和阶段用语，供人阅读）。",
        "CSV headers: fields (export's names, for machines) or zh (Chinese "
        "headers and stage words, for people).",
    ),
    "help.export.output": (
        "写入这个文件（默认：标准输出）。",
        "Write to this file (default stdout).",
    ),
    "help.export.since": ("查看日期不早于 YYYY-MM-DD。", "Observed on or after YYYY-MM-DD."),
    "help.backup": (
        "数据库的一致副本；他人写入时也可安全进行。",
        "A consistent copy of the database, safe while others write.",
    ),
    "help.backup.file": ("副本的新文件（不得已存在）。", "New file for the copy (must not exist)."),
    "help.status": (
        "每个目标对照 2030 年的完成情况：已完成、进度、差距、状态。",
        "Completion of every target against 2030: achieved, pace, gap, class.",
    ),
    "help.status.section": ("只看这一部分。", "Only this section."),
    "help.status.region": (
        "只计这个地区（含其下辖地区）的单位。",
        "Only units in this region (and under it).",
    ),
    "help.status.class": (
        "只看这一状态的目标：已完成、正常、滞后、严重滞后、未开始、无目标"
        "（done、on_track、behind、off_track、not_started、no_goal）。",
        "Only targets in this class: done, on_track, behind, off_track, not_started, no_goal "
        "(or 已完成, 正常, 滞后, 严重滞后, 未开始, 无目标).",
    ),
    "help.status.counts_at": (
        "假设所有目标都按此阶段计数（遴选/立项、建设中、验收），重算整个进度；不给则按目录所定。",
        "What if every target counted its units at this stage (selected, building, accepted); "
        "the catalog's own stage otherwise.",
    ),
    "help.status.lead": (
        "只看此单位牵头或配合的任务（如 省教育厅；写名称的一部分即可）。",
        "Only the tasks this department leads or partners in (e.g. 省教育厅; part of the name "
        "will do).",
    ),
    "help.status.ids": (
        "显示每个目标的标识（便于复制到其他命令）。",
        "Show each target's id (to copy into other commands).",
    ),
    "help.regions-status": (
        "地区 × 覆盖类目标（是否覆盖）、各地区单位数、最近记录。",
        "Regions × coverage targets (covered or not), units per region, last record.",
    ),
    "help.regions-status.level": (
        "行：市州（city）或 县市区（county）。",
        "Rows: 市州 (city) or 县市区 (county).",
    ),
    "help.regions-status.stale": (
        "列出这么多天没有记录的地区。",
        "List regions with no record for this many days.",
    ),
    "help.summary": (
        "供定时任务和报告用的纯文本：总体情况、变化、需关注的事项。",
        "Plain text for cron and reports: headline, changes, what needs attention.",
    ),
    "help.summary.since": (
        "自何时以来的变化：7d、30d 或 YYYY-MM-DD。",
        "Changes since: 7d, 30d or YYYY-MM-DD.",
    ),
    "help.summary.year": ("这一年的年度考核视图。", "Annual-assessment view of this year."),
    "help.summary.format": (
        "text、markdown、json 或 html（html：每个滞后目标附一幅小图）。",
        "text, markdown, json or html (html: a small chart per target behind or off track).",
    ),
    "help.summary.fail-on": (
        "有目标处于这一状态或更差时以 3 退出（滞后：滞后、严重滞后或未开始；"
        "严重滞后：仅严重滞后）。",
        "Exit 3 if a target is in this class or worse "
        "(behind: behind, off_track or not_started; off_track: off_track).",
    ),
    "help.summary.stale": (
        "市州多少天没有记录即视为久未记录。",
        "Days without a record that make a 市州 stale.",
    ),
    # examples at the foot of each help page
    "ex.heading": ("示例：", "Examples:"),
    "ex.targets": (
        "chuyi targets --section '二(四)'\nchuyi targets --gaps",
        "chuyi targets --section '二(四)'\nchuyi targets --gaps",
    ),
    "ex.show": (
        "chuyi show 职教名师\nchuyi show '二(四)1'",
        "chuyi show renowned-teachers\nchuyi show '二(四)1'",
    ),
    "ex.template": (
        "chuyi template -o 长沙市填报表.xlsx --region 长沙\nchuyi template --target 实训基地",
        "chuyi template -o changsha.xlsx --region 长沙\nchuyi template --target training-bases",
    ),
    "ex.regions": ("chuyi regions --level 市州", "chuyi regions --level city"),
    "ex.check": ("chuyi check\nchuyi check --repair", "chuyi check\nchuyi check --repair"),
    "ex.record": (
        "chuyi record 文化馆 湖南工业职业技术学院 --region 长沙 --stage 验收\n"
        "chuyi record 大讲堂 --quantity 2 --date 2025-06-01\n"
        "chuyi record 分年度 --year 2025 --state 进行中",
        "chuyi record culture-bases 湖南工业职业技术学院 --region 长沙 --stage accepted\n"
        "chuyi record think-tank-lectures --quantity 2 --date 2025-06-01\n"
        "chuyi record annual-assessment --year 2025 --state in_progress",
    ),
    "ex.server.init": (
        "CHUYI_DB=postgresql://postgres@db.example/chuyi chuyi server init",
        "CHUYI_DB=postgresql://postgres@db.example/chuyi chuyi server init",
    ),
    "ex.server.grant": (
        "chuyi server grant changsha_li --recorder --region 长沙市\n"
        "chuyi server grant jyt_wang --recorder --region 湖南省\n"
        "chuyi server grant fgw_zhao --viewer",
        "chuyi server grant changsha_li --recorder --region 长沙市\n"
        "chuyi server grant jyt_wang --recorder --region 湖南省\n"
        "chuyi server grant fgw_zhao --viewer",
    ),
    "ex.server.revoke": (
        "chuyi server revoke changsha_li\nchuyi server revoke changsha_li --region 浏阳",
        "chuyi server revoke changsha_li\nchuyi server revoke changsha_li --region 浏阳",
    ),
    "ex.server.grants": ("chuyi server grants --json", "chuyi server grants --json"),
    "ex.server.check": ("chuyi server check", "chuyi server check"),
    "ex.void": (
        "chuyi void 3f2a9c1b --reason 单位名称写错",
        'chuyi void 3f2a9c1b --reason "wrong school"',
    ),
    "ex.log": (
        "chuyi log 实训基地 --since 2025-01-01\nchuyi log --region 长沙",
        "chuyi log training-bases --since 2025-01-01\nchuyi log --region 长沙",
    ),
    "ex.units": ("chuyi units 实训基地", "chuyi units training-bases"),
    "ex.import": (
        "chuyi import 长沙.csv --dry-run\nchuyi import 长沙.csv",
        "chuyi import a.csv --dry-run\nchuyi import a.csv",
    ),
    "ex.export": (
        "chuyi export -o 记录.csv\nchuyi export --format jsonl --since 2025-01-01",
        "chuyi export -o a.csv\nchuyi export --format jsonl --since 2025-01-01",
    ),
    "ex.backup": ("chuyi backup 备份-2025-06-30.db", "chuyi backup backup-2025-06-30.db"),
    "ex.status": (
        "chuyi status --class 滞后\nchuyi status --region 长沙 --ids",
        "chuyi status --class behind\nchuyi status --region 长沙 --ids",
    ),
    "ex.regions-status": (
        "chuyi regions-status --level 县市区 --stale 90",
        "chuyi regions-status --level county --stale 90",
    ),
    "help.report": (
        "年度考核报告：Excel 工作簿（总表、地区、进度图、明细、说明）或可打印的网页。",
        "The annual-assessment report: an Excel workbook (总表, 地区, 进度图, 明细, 说明) or a "
        "printable page.",
    ),
    "help.report.output": (
        "报告文件；格式取自后缀 .xlsx 或 .html。",
        "The report file; the format comes from its suffix, .xlsx or .html.",
    ),
    "help.report.format": (
        "xlsx 或 html（默认取自文件后缀）。",
        "xlsx or html (default: from the file's suffix).",
    ),
    "help.report.year": (
        "这一年的报告：截至该年 12 月 31 日（或今天）。",
        "The report of this year: as of its 31 December (or today).",
    ),
    "help.report.section": (
        "只报告这一部分（如 二 或 二(一)）。",
        "Only this section (e.g. 二 or 二(一)).",
    ),
    "help.report.region": ("只报告这一地区及其下级。", "Only this region and what lies under it."),
    "ex.report": (
        "chuyi report -o 2025年度考核.xlsx --year 2025\n"
        "chuyi report -o 报告.html --as-of 2026-06-30",
        "chuyi report -o assessment-2025.xlsx --year 2025\n"
        "chuyi report -o report.html --as-of 2026-06-30",
    ),
    "ex.summary": (
        "chuyi summary --since 7d --fail-on 严重滞后\nchuyi summary --year 2025",
        "chuyi summary --since 7d --fail-on off_track\nchuyi summary --year 2025",
    ),
    # click's words
    "click.usage": ("用法：", "Usage: "),
    "click.arguments": ("参数", "Arguments"),
    "click.options": ("选项", "Options"),
    "click.commands": ("命令", "Commands"),
    "click.default": ("默认：{default}", "default: {default}"),
    "click.required": ("必填", "required"),
    "click.env_var": ("环境变量：{var}", "env var: {var}"),
    "click.dynamic": ("（动态）", "(dynamic)"),
    "click.aborted": ("已中止。", "Aborted!"),
    "click.missing_command": ("缺少命令。", "Missing command."),
    "click.no_such_command": ("没有命令 {name!r}。", "No such command {name!r}."),
    "click.no_such_command_named": ("没有命令“{name}”", "No such command '{name}'"),
    "click.try_help": ("运行“{command}”查看帮助。", "Try '{command}' for help."),
    "click.no_such_option": ("没有选项 {name}{hint}", "No such option: {name}{hint}"),
    "click.missing_argument": ("缺少参数 {name}。", "Missing argument {name}."),
    "click.missing_option": ("缺少选项 {name}。", "Missing option {name}."),
    "click.bad_value": ("{name} 的值无效：{message}", "Invalid value for {name}: {message}"),
    "click.extra_arguments": ("多出了参数（{name}）", "Got unexpected extra argument ({name})"),
    "click.needs_value": ("选项 {name} 需要一个值。", "Option '{name}' requires an argument."),
    "click.takes_no_value": ("选项 {name} 不接受值。", "Option '{name}' does not take a value."),
    "click.not_a_number": ("“{name}”不是有效的数字。", "{name!r} is not a valid number."),
    "click.out_of_range": ("{name} 不在 {range} 范围内。", "{name} is not in the range {range}."),
    "click.with_hint": ("{message}{hint}", "{message}{hint}"),
    "usage_error": ("错误：{message}", "Error: {message}"),
    "meta.options": ("[选项]", "[OPTIONS]"),
    "meta.command": ("命令 [参数]...", "COMMAND [ARGS]..."),
    "meta.text": ("<文本>", "<str>"),
    "meta.stage": ("阶段", "STAGE"),
    "meta.login": ("登录名", "LOGIN"),
    "meta.integer": ("<整数>", "<int>"),
    "meta.path": ("<路径>", "<path>"),
    "meta.target": ("目标", "TARGET"),
    "meta.unit": ("单位", "UNIT"),
    "meta.entry_id": ("记录编号", "ENTRY_ID"),
    "meta.file": ("文件", "FILE"),
    "completion_installed": (
        "已为 {shell} 安装命令补全：{path}\n重新打开终端后生效。",
        "{shell} completion installed in {path}\nCompletion will take effect once you restart "
        "the terminal.",
    ),
    # `chuyi` alone
    "bare.headline": (
        "总体完成度 {completion}，时间进度 {elapsed}（截至 {day}，期限 {deadline}）",
        "Overall completion {completion}, time elapsed {elapsed} "
        "(as of {day}, deadline {deadline})",
    ),
    "bare.commands": ("常用命令：", "Most used commands:"),
    "bare.status": ("各目标完成情况", "where every target stands"),
    "bare.record": ("记录一次实地查看", "put a site visit on record"),
    "bare.log": ("查看记录，最新的在前", "entries, newest first"),
    "bare.summary": ("供邮件和报告用的摘要", "the digest for mail and reports"),
    "bare.import": ("导入同事或表格的记录", "import colleagues' or a sheet's entries"),
    "bare.more": ("全部命令：chuyi -h", "All commands: chuyi -h"),
    # ---- language and habits (issue 13): the catalog's loader (FILE:LINE: reason)
    "cat.w.catalog": ("目标目录", "the catalog"),
    "cat.w.plan": ("plan", "plan"),
    "cat.w.a_section": ("部分", "section"),
    "cat.w.a_task": ("任务", "task"),
    "cat.w.a_target": ("目标", "target"),
    "cat.w.section": ("部分 {ref}", "section {ref}"),
    "cat.w.task": ("任务 {ref}", "task {ref}"),
    "cat.w.target_of": ("{ref} 下的一个目标", "a target of {ref}"),
    "cat.w.target": ("目标 {id}", "target {id}"),
    "cat.w.name_of": ("{what} 的一个点名单位", "a name of {what}"),
    "cat.alias": (
        "目标目录中不允许使用 YAML 别名（&anchor / *alias）",
        "YAML aliases (&anchor / *alias) are not allowed in the catalog",
    ),
    "cat.tag": (
        "目标目录中不允许使用 YAML 标签 {tag!r}",
        "YAML tag {tag!r} is not allowed in the catalog",
    ),
    "cat.key_not_name": ("键 {key!r} 不是名称", "key {key!r} is not a name"),
    "cat.dup_key": ("键 {key!r} 重复", "duplicate key {key!r}"),
    "cat.bad_value": ("值 {value!r} 有误：{reason}", "bad value {value!r}: {reason}"),
    "cat.not_mapping": ("{what} 应为映射（键: 值）", "{what} must be a mapping"),
    "cat.unknown_key": ("{what}中有未知的键 {key!r}", "unknown key {key!r} in {what}"),
    "cat.no_key": ("{what} 缺少 {key!r}", "{what} has no {key!r}"),
    "cat.not_text": (
        "{what}：{key!r} 应为文字，不能是 {value!r}",
        "{what}: {key!r} must be text, not {value!r}",
    ),
    "cat.bad_choice": (
        "{what}：{key} 的值 {value!r} 有误（应为 {options} 之一）",
        "{what}: bad {key} {value!r} (expected one of {options})",
    ),
    "cat.not_positive": (
        "{what}：{key} 应为正整数，不能是 {value!r}",
        "{what}: {key} must be a positive integer, not {value!r}",
    ),
    "cat.not_date": (
        "{what}：{key} 应为日期 YYYY-MM-DD，不能是 {value!r}",
        "{what}: {key} must be a date YYYY-MM-DD, not {value!r}",
    ),
    "cat.not_texts": ("{what}：{key} 应为文字列表", "{what}: {key} must be a list of text"),
    "cat.deadline": ("plan：deadline 应晚于 start", "plan: deadline must follow start"),
    "cat.no_issuers": ("plan 缺少 'issuers'", "plan has no 'issuers'"),
    "cat.no_sections": ("目标目录缺少 'sections' 列表", "the catalog has no list of 'sections'"),
    "cat.no_tasks": ("{what} 缺少 'tasks' 列表", "{what} has no list of 'tasks'"),
    "cat.dup_task": (
        "任务编号 {ref!r} 重复（首次出现在第 {first} 行）",
        "duplicate task ref {ref!r} (first at line {first})",
    ),
    "cat.targets_not_list": ("{what}：targets 应为列表", "{what}: targets must be a list"),
    "cat.repeats_and_lists": (
        "{what} 重复 {other}，不得再列出目标",
        "{what} repeats {other} and must not list targets again",
    ),
    "cat.empty_task": (
        "{what} 既无目标，也无 'duplicate_of' 或 'gap'",
        "{what} has no targets, no 'duplicate_of' and no 'gap'",
    ),
    "cat.bad_id": (
        "{what}：标识应为 ASCII 短名，如 'culture-bases'",
        "{what}: id must be an ASCII slug like 'culture-bases'",
    ),
    "cat.dup_id": (
        "目标标识 {id!r} 重复（首次出现在第 {first} 行）",
        "duplicate target id {id!r} (first at line {first})",
    ),
    "cat.no_kind": ("{what} 缺少 'kind'", "{what} has no 'kind'"),
    "cat.kind_takes_no": ("{what}：{kind}类目标不取 {key!r}", "{what}: a {kind} takes no {key!r}"),
    "cat.needs_level": (
        "{what}：覆盖类目标需要 'level'（city 或 county）",
        "{what}: a coverage target needs 'level' (city or county)",
    ),
    "cat.goal_vs_regions": (
        "{what}：目标值 {goal} 与层级 {level} 的 {regions} 个地区不符",
        "{what}: goal {goal} differs from the {regions} regions at level {level}",
    ),
    "cat.only_coverage": (
        "{what}：只有覆盖类目标取 {key!r}",
        "{what}: only a coverage target takes {key!r}",
    ),
    "cat.needs_names": ("{what}：点名类目标需要 'names'", "{what}: a named target needs 'names'"),
    "cat.goal_vs_names": (
        "{what}：目标值 {goal}，但点名 {count} 个",
        "{what}: goal {goal} but {count} names",
    ),
    "cat.only_named": (
        "{what}：只有点名类目标取 'names'",
        "{what}: only a named target takes 'names'",
    ),
    "cat.no_goal": (
        "{what}：没有目标值；请给出目标值，或在 'gap' 中说明原因",
        "{what}: no goal; give one or say why in 'gap'",
    ),
    "cat.needs_source": (
        "{what}：需要 'source'，即通知中的原句",
        "{what}: needs 'source', the sentence of the notice",
    ),
    "cat.needs_restored": (
        "{what}：来源为 restored 时需要 'restored'，即公开的事实",
        "{what}: provenance restored needs 'restored', the public fact",
    ),
    "cat.names_not_list": ("{what}：names 应为列表", "{what}: names must be a list"),
    "cat.with_what": ("{what}：{message}", "{what}: {message}"),
    "cat.repeats_unknown": (
        "任务 {ref} 重复的任务 {other!r} 不存在",
        "task {ref} repeats unknown task {other!r}",
    ),
    "cat.yaml_syntax": ("YAML 语法错误：{problem}", "YAML syntax error: {problem}"),
    "cat.yaml_error": ("YAML 错误：{reason}", "YAML error: {reason}"),
    "cat.empty": ("目标目录是空的", "the catalog is empty"),
    "cat.public_end": (
        "plan：public_end {year} 不是 {first} 至 {last} 之间的年份",
        "plan: public_end {year} is not a year from {first} to {last}",
    ),
    "cat.only_activity": (
        "{what}：只有活动类目标取 {key!r}",
        "{what}: only an activity takes {key!r}",
    ),
    "cat.only_named_takes": (
        "{what}：只有点名类目标取 {key!r}",
        "{what}: only a named target takes {key!r}",
    ),
    "cat.max_below_min": (
        "{what}：max_per_region {most} 小于 min_per_region {least}",
        "{what}: max_per_region {most} is below min_per_region {least}",
    ),
    "cat.yearly_not_bool": (
        "{what}：yearly 应为 true 或 false，不能是 {value!r}",
        "{what}: yearly must be true or false, not {value!r}",
    ),
    "cat.yearly_not_milestone": (
        "{what}：只有里程碑类目标可以按年度记录",
        "{what}: only a milestone can be kept per year",
    ),
    "cat.among_unknown": (
        "{what}：among {other!r} 不是目标目录中的计数类目标",
        "{what}: among {other!r} names no count target of the catalog",
    ),
    "cat.reconstructed_map": (
        "{what}：reconstructed 应将每个拟定的字段对应到拟定的理由",
        "{what}: reconstructed must map each field made up to why",
    ),
    "cat.reconstructed_unset": (
        "{what}：reconstructed 列出的 {field!r} 本条并未设置",
        "{what}: reconstructed names {field!r}, which it does not set",
    ),
    "cat.reconstructed_why": (
        "{what}：reconstructed {field!r} 需要用文字说明理由",
        "{what}: reconstructed {field!r} needs the reason, in words",
    ),
    "cat.takes_no_checkpoints": (
        "{what}：不取 checkpoints（只有计数、覆盖、点名和里程碑类目标取；"
        "按年度记录的里程碑每年一个状态）",
        "{what}: takes no checkpoints (they are for count, coverage, named and "
        "milestone targets; a yearly milestone has one state a year)",
    ),
    "cat.checkpoints_no_goal": (
        "{what}：checkpoints 需要目标值",
        "{what}: checkpoints need a goal to lead to",
    ),
    "cat.checkpoints_not_list": (
        "{what}：checkpoints 应为 {{by: 日期, goal: N}} 的列表",
        "{what}: checkpoints must be a list of {{by: DATE, goal: N}}",
    ),
    "cat.w.checkpoint_of": ("{what} 的一个检查点", "a checkpoint of {what}"),
    "cat.checkpoint_outside": (
        "{what}：检查点 {by} 不在计划的开始日期与截止日期之间",
        "{what}: checkpoint {by} is not between the plan's start and deadline",
    ),
    "cat.checkpoint_order": (
        "{what}：检查点 {by} 不晚于前一个检查点 {before}",
        "{what}: checkpoint {by} is not after {before}",
    ),
    "cat.checkpoint_goal": (
        "{what}：检查点的目标值 {goal} 应介于前一个检查点的目标值与 {last} 之间",
        "{what}: checkpoint goal {goal} must lie between the one before and {last}",
    ),
    # ---- language and habits (issue 13): errors, warnings and confirmations
    # words that fill a message's fields (Word("date")), where a table's word would not do
    "word.date": ("日期", "date"),
    "word.unit": ("单位名称", "unit name"),
    "word.recorder": ("记录人", "recorder"),
    "word.note": ("备注", "note"),
    "word.reason": ("作废理由", "reason"),
    "word.stage": ("阶段", "stage"),
    "word.state": ("状态", "state"),
    "word.class": ("状态分类", "class"),
    "word.level": ("层级", "level"),
    "word.format": ("格式", "format"),
    # labels of `chuyi show`
    "label.id": ("标识", "id"),
    "label.ref": ("编号", "ref"),
    "label.title": ("目标", "title"),
    "label.title_en": ("英文名称", "title_en"),
    "label.kind": ("类型", "kind"),
    "label.goal": ("目标值", "goal"),
    "label.unit": ("计量单位", "unit"),
    "label.level": ("层级", "level"),
    "label.min_per_region": ("每地区至少", "min_per_region"),
    "label.counts_at": ("计数阶段", "counts_at"),
    "label.name": ("点名单位", "name"),
    "label.provenance": ("来源", "provenance"),
    "label.source": ("原文", "source"),
    "label.restored": ("据公开文本恢复", "restored"),
    "label.gap": ("缺口", "gap"),
    "label.note": ("备注", "note"),
    # dates, evidence, text
    "bad_date": ("{what}“{text}”有误：应为 YYYY-MM-DD", "bad {what} {text!r}: expected YYYY-MM-DD"),
    "no_such_day": ("{what}“{text}”有误：没有这一天", "bad {what} {text!r}: no such day"),
    "date_no_year": (
        "{what}“{text}”没有年份：请写明年份，如 2025-06-20",
        "{what} {text!r} has no year: write the year too, e.g. 2025-06-20",
    ),
    "evidence_unreadable": (
        "无法读取佐证文件“{text}”：{reason}",
        "cannot read evidence file {text!r}: {reason}",
    ),
    "date_in_future": (
        "日期 {day} 在将来：最晚可记明天（{tomorrow}，今天是 {today}）",
        "date {day} is in the future: the latest day taken is tomorrow ({tomorrow}; today is"
        " {today})",
    ),
    "date_before_plan": (
        "日期 {day} 早于行动开始之日（{start}）",
        "date {day} is before the plan started ({start})",
    ),
    "text_control": (
        "{what}的第 {place} 个字符是控制字符 {code}：请删去后再录入（记录按原样保存，不代为改动）",
        "{what} holds the control character {code} (character {place}): take it out and"
        " try again (a record is stored as given, never changed for you)",
    ),
    "text_too_long": ("{what}超过 {limit} 个字符", "{what} is longer than {limit} characters"),
    "unit_too_long": ("单位名称超过 200 个字符", "unit name is longer than 200 characters"),
    "recorder_empty": ("记录人姓名为空", "the recorder's name is empty"),
    "void_reason_missing": ("请说明作废理由（--reason）", "give a reason for the void"),
    "already_voided": (
        "记录 {entry} 已被 {by} 作废",
        "entry {entry} is already voided by {by}",
    ),
    # what a target takes
    "region_needed": (
        "目标 {target} 按地区计数：请用 --region 给出一个{level}",
        "target {target} counts regions: give --region, a {level}",
    ),
    "region_is_province": (
        "目标 {target} 按地区计数：{region}是全省",
        "target {target} counts regions: {region} is the province",
    ),
    "region_city_for_county": (
        "目标 {target} 按县市区计数：{region}是市州，下辖 {count} 个县市区；请写明县市区",
        "target {target} counts 县市区: {region} is a 市州 with {count} of them; name the 县市区",
    ),
    "unit_needed": (
        "目标 {target}（{kind}）按单位计数：请写明单位名称",
        "target {target} ({kind}) counts units: name the unit",
    ),
    "unit_not_named": (
        "目标 {target} 只计通知点名的单位：{names}；“{unit}”不在其中",
        "target {target} counts only the units the notice names: {names}; not {unit!r}",
    ),
    "unit_not_taken": (
        "目标 {target}（{kind}）不记单位名称",
        "target {target} ({kind}) takes no unit name",
    ),
    "one_measure_only": (
        "阶段、状态、数量只能给出一项（给出了 {given}）",
        "give only one of stage, state or quantity (got {given})",
    ),
    "stage_not_state": (
        "目标 {target}（{kind}）记录阶段，不记状态或数量",
        "target {target} ({kind}) takes a stage, not a state or quantity",
    ),
    "no_stage_taken": (
        "目标 {target}（{kind}）不记阶段",
        "target {target} ({kind}) takes no stage",
    ),
    "state_not_quantity": (
        "目标 {target}（里程碑）记录状态，不记数量",
        "target {target} (milestone) takes a state, not a quantity",
    ),
    "state_needed": (
        "目标 {target}（里程碑）需要状态：{states}",
        "target {target} (milestone) needs a state: {states}",
    ),
    "quantity_not_state": (
        "目标 {target}（活动）记录数量，不记状态",
        "target {target} (activity) takes a quantity, not a state",
    ),
    "bad_quantity": (
        "数量“{text}”有误：应为整数",
        "bad quantity {text!r}: expected a whole number",
    ),
    "quantity_not_positive": (
        "数量应为正数，不能是 {text}",
        "quantity must be positive, not {text}",
    ),
    "quantity_too_big": ("数量 {text} 超出实际可能", "quantity {text} is beyond any real count"),
    # option values (stage, state, class, level)
    "bad_lang": (
        "“{text}”不是可用的语言；可用：zh（中文）、en（英文）",
        "{text!r} is not a language chuyi speaks: zh or en",
    ),
    "bad_choice": (
        "{what}“{text}”有误：可用的有 {choices}",
        "bad {what} {text!r}: expected one of {choices}",
    ),
    # targets, sections, regions
    "unknown_target": ("没有目标“{text}”{hint}", "unknown target {text!r}{hint}"),
    "did_you_mean": ("；是否要找：{names}？", "; did you mean {names}?"),
    "see_targets": ("；目标见 `chuyi targets`", "; see `chuyi targets`"),
    "ambiguous_target": (
        "“{text}”对应 {count} 个目标，请写得更具体：{candidates}",
        "{text!r} names {count} targets; did you mean one of: {candidates}",
    ),
    "and_more": ("另有 {count} 个", "{count} more"),
    "unknown_section": (
        "没有部分“{text}”；各部分为：{refs}",
        "unknown section {text!r}; sections are {refs}",
    ),
    "unknown_region": ("没有地区“{text}”{hint}", "unknown region {text!r}{hint}"),
    # entries in the store
    "bad_entry_id": (
        "记录编号“{text}”有误：请至少给出编号的前 4 位",
        "bad entry id {text!r}: give at least 4 characters of its id",
    ),
    "no_such_entry": (
        "没有编号为“{text}”的记录；见 `chuyi log`",
        "no entry with id {text!r}; see `chuyi log`",
    ),
    "ambiguous_entry": (
        "记录编号“{text}”不唯一：{ids}；请多写几位",
        "entry id {text!r} is ambiguous: {ids}; give more of it",
    ),
    "orphan_void": (
        "记录 {entry} 作废的 {voids} 不在记录中",
        "entry {entry} voids {voids}, which is not on record",
    ),
    "orphan_void_history": (
        "历史中有一条作废记录所作废的记录不存在；未升级",
        "the history holds a void of an entry it does not hold; not upgraded",
    ),
    # the database file
    "db_locked": (
        "{path}：数据库被另一个 chuyi 占用（已等待 {seconds} 秒）；请稍后重试",
        "{path}: the database is locked by another chuyi (waited {seconds}s); try again",
    ),
    "db_read_only": (
        "{path}：数据库只读；未写入任何内容",
        "{path}: the database is read-only; nothing was written",
    ),
    "db_cannot_write": (
        "{path}：无法写入（{reason}）；未写入任何内容",
        "{path}: cannot write ({reason}); nothing was written",
    ),
    "db_cannot_open": (
        "{path}：无法打开数据库（{reason}）",
        "{path}: cannot open the database ({reason})",
    ),
    "db_error": ("{path}：数据库出错：{reason}", "{path}: database error: {reason}"),
    "db_damaged": (
        "{path}：数据库已损坏（缺少 {name} 表）；请运行 `chuyi check --repair` 修复",
        "{path}: the database is damaged (its table {name} is missing); run"
        " `chuyi check --repair` to repair it",
    ),
    "db_history_missing": (
        "{path}：数据库已损坏：记录表（{name}）不见了，无法修复；请用备份恢复",
        "{path}: the database is damaged: the table of entries ({name}) is gone and cannot be"
        " repaired; restore a backup",
    ),
    "check_missing_part": (
        "{path}：数据库缺少{kind} {name}；`chuyi check --repair` 可重建",
        "{path}: the database lacks the {kind} {name}; `chuyi check --repair` builds it again",
    ),
    "part.table": ("表", "table"),
    "part.index": ("索引", "index"),
    "part.trigger": ("触发器", "trigger"),
    "part.view": ("视图", "view"),
    "db_refused": ("{path}：数据库拒绝写入：{reason}", "{path}: refused by the database: {reason}"),
    "db_unusable": (
        "{path}：不是可用的 chuyi 数据库（{reason}）；文件未作改动",
        "{path}: not a usable chuyi database ({reason}); it was left as it is",
    ),
    "db_is_folder": (
        "{path}：这是一个文件夹，不是数据库文件",
        "{path}: is a directory, not a database file",
    ),
    "db_empty_file": (
        "{path}：文件是空的，不是 chuyi 数据库；文件未作改动",
        "{path}: the file is empty, not a chuyi database; it was left as is",
    ),
    "db_no_folder": (
        "{path}：无法创建文件夹：{reason}",
        "{path}: cannot create the folder: {reason}",
    ),
    "db_read_only_old": (
        "{path}：数据库只读，且版本过旧，本版 chuyi 无法读取",
        "{path}: read-only, and too old for this chuyi",
    ),
    "db_not_chuyi": (
        "{path}：不是 chuyi 数据库；文件未作改动",
        "{path}: not a chuyi database; it was left as it is",
    ),
    "db_newer": (
        "{path}：由更新版本的 chuyi 写入（结构版本 {version}，本版只认识 {known}）；"
        "请升级 chuyi。文件未作改动",
        "{path}: written by a newer chuyi (schema {version}, this one knows {known}); "
        "upgrade chuyi. The file was left as it is",
    ),
    "db_missing": (
        "{path}：数据库不存在（未创建任何文件）；请检查 --db 或 CHUYI_DB，"
        "或先用 `chuyi record`、`chuyi import` 写入",
        "{path}: no such database (nothing was created); check --db or CHUYI_DB, "
        "or write to it first with `chuyi record` or `chuyi import`",
    ),
    "db_created": ("已新建数据库：{path}", "created the database {path}"),
    # the shared PostgreSQL store (chuyi server …)
    "server_driver_missing": (
        "连接 PostgreSQL 需要 psycopg：pip install 'chuyi[postgres]'",
        "a PostgreSQL server needs psycopg: pip install 'chuyi[postgres]'",
    ),
    "server_unreachable": (
        "无法连接服务器 {server}（{reason}）；未写入任何内容，请稍后重试",
        "cannot reach the server {server} ({reason}); nothing was written, try again later",
    ),
    "server_lost": (
        "与服务器 {server} 的连接中断（{reason}）；本次操作未提交，请重试",
        "lost the connection to the server {server} ({reason}); nothing of this command "
        "was committed, try again",
    ),
    "server_busy": (
        "服务器 {server} 上写入者过多，多次重试仍未写入（{reason}）；未写入任何内容，请稍后重试",
        "too many writers at once on the server {server}: tried again and again ({reason}); "
        "nothing was written, try again later",
    ),
    "sync_needs_server": (
        "--to 应为 PostgreSQL 服务器（postgresql://… 或 service=…），不是 {text}",
        "--to names a PostgreSQL server (postgresql://… or service=…), not {text}",
    ),
    "sync_needs_file": (
        "chuyi sync 在笔记本的 SQLite 文件与服务器之间交换；--db 应为 SQLite 文件",
        "chuyi sync exchanges between a laptop's SQLite file and the server; --db names the file",
    ),
    "sync_done": (
        "已推送 {pushed} 条到服务器，已从服务器取回 {pulled} 条",
        "pushed {pushed} entries to the server, pulled {pulled} from it",
    ),
    "sync_conflicts": (
        "{count} 条记录的编号在两边内容不同；未同步任何内容：",
        "{count} entries have the same id and different content on each side; nothing was synced:",
    ),
    "sync_conflict": ("  编号 {id}", "  id {id}"),
    "sync_refused_recorder": (
        "{id}（{target}）：记录人不是本登录名，留在本机",
        "{id} ({target}): recorded by someone else than this login; kept on this machine",
    ),
    "sync_refused_grant": (
        "{id}（{target}）：本登录名没有该地区或目标的授权，留在本机",
        "{id} ({target}): this login holds no grant for its region or target; kept on this machine",
    ),
    "server_refused": (
        "服务器 {server} 拒绝连接：{reason}",
        "the server {server} refused the connection: {reason}",
    ),
    "server_bad_conninfo": (
        "无法识别的服务器连接串 {text}：{reason}",
        "cannot read the server connection string {text}: {reason}",
    ),
    "server_not_granted": (
        "登录名 {login} 没有在 {region} 记录 {target} 的授权，未写入任何内容；"
        "请管理员执行：chuyi server grant {login} --recorder --region {region}",
        "login {login} holds no recorder grant for {region} (target {target}); nothing was "
        "written. An admin grants it: chuyi server grant {login} --recorder --region {region}",
    ),
    "server_recorder_fixed": (
        "记录人由服务器定为登录名 {login}，不能写作 {given}；在服务器上不接受 --by",
        "on a server the recorder is the login, {login}, and cannot be {given}; "
        "--by is refused on a server",
    ),
    "server_append_only": (
        "记录只能追加，不能修改或删除；请用 chuyi void 作废",
        "entries are append-only: void them instead (chuyi void)",
    ),
    "server_denied": ("服务器拒绝：{reason}", "the server refused: {reason}"),
    "server_not_admin": (
        "登录名 {login} 不是 chuyi 管理员（chuyi_admin），不能授权；"
        "请超级用户执行：chuyi server grant {login} --admin",
        "login {login} is no chuyi admin (chuyi_admin) and cannot grant; a superuser "
        "grants it: chuyi server grant {login} --admin",
    ),
    "server_init_superuser": (
        "chuyi server init 须由超级用户执行（如 postgres），{login} 不是",
        "chuyi server init is run by a superuser (such as postgres); {login} is not one",
    ),
    "server_not_initialised": (
        "数据库 {database} 中没有 chuyi 的表；请先执行 chuyi server init",
        "the database {database} holds no chuyi schema; run chuyi server init first",
    ),
    "server_regions_missing": (
        "数据库 {database} 中的地区表不全；请再执行一次 chuyi server init",
        "the regions in the database {database} are incomplete; run chuyi server init again",
    ),
    "server_reserved_login": (
        "{login} 是保留名称，不能作为登录名授权",
        "{login} is a reserved name, not a login to grant",
    ),
    "server_superuser_login": (
        "{login} 是超级用户，无需授权",
        "{login} is a superuser and needs no grant",
    ),
    "server_no_login": ("服务器上没有登录名 {login}", "the server has no login {login}"),
    "server_needed": (
        "chuyi server 命令需要用 --db 或 CHUYI_DB 指定 PostgreSQL 服务器"
        "（postgresql://… 或 service=…）",
        "chuyi server commands need a PostgreSQL server named by --db or CHUYI_DB "
        "(postgresql://… or service=…)",
    ),
    "server_by_refused": (
        "在服务器上，记录人就是登录名，不接受 --by",
        "on a server the recorder is the login: --by is refused",
    ),
    "server_backup": (
        "服务器上的数据库由其管理员用 pg_dump 备份（见 README）；chuyi backup 只复制 SQLite 文件",
        "a database on a server is backed up by its admins with pg_dump (see the README); "
        "chuyi backup copies SQLite files only",
    ),
    "server_one_role": (
        "请且只请指定一种角色：--recorder、--viewer 或 --admin",
        "give exactly one role: --recorder, --viewer or --admin",
    ),
    "server_region_needed": (
        "记录员须指定地区：--region（市州含其下辖县市区；湖南省为全省）",
        "a recorder is granted a region: --region (a 市州 covers its 县市区; 湖南省 all)",
    ),
    "server_region_for_recorder": (
        "--region 和 --target 只用于 --recorder",
        "--region and --target go with --recorder only",
    ),
    "server_initialised": (
        "已在 {server} 的数据库 {database} 中建立 chuyi 的表、角色和策略",
        "created chuyi's schema, roles and policies in the database {database} on {server}",
    ),
    "server_up_to_date": (
        "{server} 的数据库 {database} 已是最新（角色和地区已核对）",
        "the database {database} on {server} is up to date (roles and regions checked)",
    ),
    "server_login_created": (
        "已新建登录名 {login}（尚无密码：请在服务器上为其设置，如 psql 的 \\password {login}）",
        "created the login {login} (no password yet: set one on the server, e.g. psql's "
        "\\password {login})",
    ),
    "server_granted_region": (
        "{login} 可以记录 {region}（含下辖地区）的所有目标",
        "{login} may record every target in {region} (and the regions under it)",
    ),
    "server_granted_target": (
        "{login} 可以记录 {region}（含下辖地区）的 {target}",
        "{login} may record {target} in {region} (and the regions under it)",
    ),
    "server_granted_role": ("{login} 现为{role}", "{login} is now a {role}"),
    "server_role.admin": ("管理员", "admin"),
    "server_role.recorder": ("记录员", "recorder"),
    "server_role.viewer": ("查看者", "viewer"),
    "server_revoked": (
        "已收回 {login} 的全部授权（其记录仍在案）",
        "took every grant from {login} (its entries stay on record)",
    ),
    "server_revoked_region": (
        "已收回 {login} 在 {region} 的记录授权",
        "took from {login} the grant to record in {region}",
    ),
    "server_no_grants": ("尚未向任何登录名授权", "no login is granted anything yet"),
    "server_check_heading": (
        "服务器上的 chuyi 与 chuyi server init 所建不符：",
        "chuyi on the server differs from what chuyi server init made:",
    ),
    "server_check_ok": (
        "正常：表、角色、策略和权限与 chuyi server init 所建一致",
        "ok: the schema, roles, policies and rights are as chuyi server init made them",
    ),
    "server_check_projection": (
        "保存在历史记录旁的当前状态与历史不符；chuyi server check --repair 可重新推导",
        "the present kept beside the history is out of step with it; "
        "chuyi server check --repair derives it again",
    ),
    "server_check_migration": ("未执行迁移 {name}", "migration {name} not applied"),
    "server_check_table": ("缺少表 chuyi.{table}", "table chuyi.{table} is missing"),
    "server_check_owner": (
        "表 chuyi.{table} 的所有者是 {owner}，应为 chuyi_owner",
        "table chuyi.{table} is owned by {owner}, not chuyi_owner",
    ),
    "server_check_rls": ("chuyi.entry 未启用行级安全", "row-level security is off on chuyi.entry"),
    "server_check_policy": ("缺少策略 {name}", "policy {name} is missing"),
    "server_check_trigger": ("触发器 {name} 缺失或被停用", "trigger {name} is missing or disabled"),
    "server_check_role": ("缺少角色 {role}", "role {role} is missing"),
    "server_check_role_login": (
        "角色 {role} 可以直接登录或绕过策略",
        "role {role} can log in or bypass the policies",
    ),
    "server_check_owner_member": (
        "{login} 被授予了 chuyi_owner（不应有任何成员）",
        "{login} is a member of chuyi_owner (which should have none)",
    ),
    "server_check_right": (
        "{login} 持有不应有的权限 {right}",
        "{login} holds a right it should not: {right}",
    ),
    "db_made_meanwhile": (
        "{path}：导入期间另一个 chuyi 新建了这个数据库；未写入任何内容，请重新导入",
        "{path}: another chuyi created this database during the import; nothing was"
        " written: import again",
    ),
    "backup_exists": (
        "{path}：文件已存在；请换一个新文件名",
        "{path}: already exists; choose a new file name",
    ),
    "backup_cannot_write": (
        "{path}：无法写入备份：{reason}",
        "{path}: cannot write the backup: {reason}",
    ),
    # files: catalog, import, export
    "cannot_read": ("{path}：无法读取：{reason}", "{path}: cannot read: {reason}"),
    "no_such_file": ("{path}：文件不存在", "{path}: no such file"),
    "is_folder": ("{path}：这是一个文件夹", "{path}: is a directory"),
    "unknown_encoding": ("未知的编码“{text}”", "unknown encoding {text!r}"),
    "not_encoded": (
        "{path}：不是 {encoding} 编码的文本（第 {byte} 字节）",
        "{path}: not {encoding} text (byte {byte})",
    ),
    "bad_csv": ("{path}：无法读取的 CSV（{reason}）", "{path}: unreadable CSV ({reason})"),
    "unknown_columns": (
        "未知的列 {columns}；见 README 的“导入与导出”一节",
        "unknown column(s) {columns}; see README 'Import'",
    ),
    "no_target_column": ("没有“目标”（target）列", "no 'target' (目标) column"),
    "row_too_wide": ("本行 {cells} 格，但表头只有 {width} 列", "{cells} cells but {width} columns"),
    "not_json_object": ("不是 JSON 对象（{reason}）", "not a JSON object ({reason})"),
    "not_json_object_plain": ("不是 JSON 对象", "not a JSON object"),
    "bad_id": ("编号“{text}”有误", "bad id {text!r}"),
    "no_target": ("未写目标", "no target"),
    "no_date": ("未写日期（“日期”列）", "no date (observed / 日期)"),
    "bad_sha": ("evidence_sha256“{text}”有误", "bad evidence_sha256 {text!r}"),
    "bad_recorded": (
        "记录时间“{text}”有误：应为 ISO 8601",
        "bad recorded time {text!r}: expected ISO 8601",
    ),
    "void_unknown": (
        "作废的“{text}”既不在数据库中，也不在本文件中",
        "voids {text!r}, which is neither stored nor in this file",
    ),
    "void_void": ("作废的 {text} 本身是一条作废记录", "voids {text}, which is itself a void"),
    "no_recorder": ("未写记录人（记录人）", "no recorder (记录人)"),
    "void_needs_id": ("作废行需要写明自身编号", "a void row needs its id"),
    "bad_rows": (
        "chuyi：错误：{path} 中有 {count} 行有误；未导入任何内容：",
        "chuyi: error: {count} bad row(s) in {path}; nothing was imported:",
    ),
    "catalog_is_folder": (
        "{path}：这是一个文件夹，不是目标目录文件",
        "{path}: is a directory, not a catalog file",
    ),
    "catalog_unreadable": (
        "{path}：无法读取目标目录：{reason}",
        "{path}: cannot read the catalog: {reason}",
    ),
    "catalog_not_utf8": (
        "{path}：不是 UTF-8 文本（第 {byte} 字节）",
        "{path}: not UTF-8 text (byte {byte})",
    ),
    # summary
    "since_too_far": ("--since“{text}”有误：天数过多", "bad --since {text!r}: too many days"),
    "bad_since": (
        "--since“{text}”有误：应为 7d、30d 或 YYYY-MM-DD",
        "bad --since {text!r}: expected 7d, 30d or YYYY-MM-DD",
    ),
    "year_outside": (
        "--year {year} 不在 {first}–{last} 之间",
        "--year {year} is outside {first}–{last}",
    ),
    # check
    "check_unknown_target": (
        "{path}：{count} 条记录写的目标“{target}”不在目标目录中",
        "{path}: {count} entries name target {target!r}, which the catalog does not have",
    ),
    "check_unnamed_unit": (
        "{path}：目标 {target} 记有“{unit}”，目标目录未点名该单位",
        "{path}: target {target} holds {unit!r}, which the catalog does not name",
    ),
    "check_unknown_region": (
        "{path}：{count} 条记录写的地区“{region}”不在区划表中",
        "{path}: {count} entries name region {region!r}, which the gazetteer does not have",
    ),
    "check_out_of_step": (
        "{path}：与历史并存的当前状态与历史不一致；`chuyi check --repair` 可重新推算",
        "{path}: the current state kept beside the history is out of step with it; "
        "`chuyi check --repair` derives it again",
    ),
    "check_damage": ("{path}：{problem}", "{path}: {problem}"),
    # confirmations
    "ok": ("正常", "ok"),
    "recorded_entry": (
        "{entry} {target} {subject}{what} {day} → {achieved}/{goal}",
        "{entry} {target} {subject}{what} {day} → {achieved}/{goal}",
    ),
    "voided_entry": (
        "{void} 作废了 {entry}（{target} {unit}）",
        "{void} voids {entry} ({target} {unit})",
    ),
    "imported": (
        "已导入 {added} 条，跳过已有的 {skipped} 条",
        "added {added}, skipped {skipped} already present",
    ),
    "would_import": (
        "将导入 {added} 条，跳过已有的 {skipped} 条（试运行，未写入任何内容）",
        "would add {added}, skipped {skipped} already present",
    ),
    "internal_error": (
        "chuyi：内部错误：{kind}：{reason}",
        "chuyi: internal error: {kind}: {reason}",
    ),
    # layout and reports (log, status, summary, show, regions-status)
    "summary_headline": (
        "总体完成度 {completion}，时间进度 {elapsed}（{start} → {deadline}）",
        "Overall {completion} complete, {elapsed} of the time elapsed ({start} → {deadline})",
    ),
    "summary_since": ("自 {since} 以来的变化", "Changes since {since}"),
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
    "import_bad_csv": (
        "本行起的 CSV 格式有误（{reason}）：请修正后再导入",
        "the CSV is malformed from the row starting here ({reason}): correct it and import again",
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
        "不认识的列 {columns}；见 README 的“导入与导出”一节",
        "unknown column(s) {columns}; see README 'Import and export'",
    ),
    "import_no_target_column": ("缺少“目标”列", "no 'target' (目标) column"),
    "import_not_json_object": ("不是 JSON 对象（{reason}）", "not a JSON object ({reason})"),
    "import_json_too_deep": ("JSON 嵌套过深", "JSON nested too deeply"),
    "import_json_number": ("数字过长", "a number too long to read"),
    "import_unknown_keys": (
        "不认识的键 {keys}；见 README 的“导入与导出”一节",
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
    "similar_unit": (
        "{target}：新单位 “{unit}” 与已有的 {others} 可能是同一单位（繁简或不可见字符不同）；"
        "如是，请作废本条，按已有名称重新记录",
        "{target}: the new unit “{unit}” may be {others}, spelled otherwise (traditional and"
        " simplified characters, or invisible ones); if so, void this entry and record it"
        " under that name",
    ),
    "similar_units": (
        "{target}：{names} 可能是同一单位（繁简或不可见字符不同）；"
        "见 chuyi units {target} --similar",
        "{target}: {names} may be one unit, spelled otherwise (traditional and simplified"
        " characters, or invisible ones); see chuyi units {target} --similar",
    ),
    "no_similar_units": ("{target}：没有写法相近的单位", "{target}: no units that look alike"),
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
    # --- the annual-assessment report: chuyi report, summary --format html (issue 15)
    "rpt.title": ("{title}：年度考核报告", "{title}: annual assessment report"),
    "rpt.as_of": ("截至 {day}", "As of {day}"),
    "rpt.period": ("统计期间：{start} 至 {end}", "Period: {start} to {end}"),
    "rpt.scope": ("范围：{what}", "Scope: {what}"),
    "rpt.year_start": ("年初已达成", "Achieved at year start"),
    "rpt.achieved_now": ("现已达成", "Achieved now"),
    "rpt.elapsed": ("时间进度", "Time elapsed"),
    "rpt.gap": ("差距", "Gap"),
    "rpt.overall": (
        "总体（有目标值的目标平均完成度）",
        "Overall (mean completion of targets with a goal)",
    ),
    "rpt.no_region_targets": (
        "所选范围内没有覆盖或数量类目标。",
        "No coverage or count target in this scope.",
    ),
    "rpt.no_charts": (
        "所选范围内没有带数量目标值的目标。",
        "No target with a numeric goal in this scope.",
    ),
    "rpt.no_entries": ("统计期间内没有记录。", "No entries in the period."),
    "rpt.entries_cut": (
        "统计期间的记录多于 {most} 条，此处只列出最近的 {most} 条（{first} 起）；"
        "全部记录可用 chuyi export --since {since} 导出。",
        "The period holds more than {most} entries: the latest {most} are listed (from "
        "{first}); chuyi export --since {since} writes them all.",
    ),
    "rpt.month": ("月末", "Month end"),
    "rpt.series_achieved": ("已达成", "Achieved"),
    "rpt.series_expected": ("应达（按时间进度）", "Expected (time elapsed)"),
    "rpt.series_projected": ("按当前进度预计", "Projected at today's pace"),
    "rpt.chart_title": ("{ref} {title}（目标值 {goal}）", "{ref} {title} (goal {goal})"),
    "rpt.stale_mark": ("久未记录", "stale"),
    "rpt.stale_row": ("{days} 天以上无记录", "No record for {days} days"),
    "rpt.region_note": (
        "覆盖类目标：已覆盖数/应覆盖数（县级目标为该市州所辖县市区中已覆盖的个数/县市区总数）；"
        "数量类目标：该市州（含所辖县市区）处于立项及以后阶段的单位数。",
        "Coverage targets: regions covered / regions to cover (for a county-level target, "
        "the 县市区 of the 市州 covered / all of them); count targets: the units of the 市州 "
        "(and its 县市区) at 立项 (selected) or later.",
    ),
    "rpt.voided_mark": ("已作废", "voided"),
    "rpt.void_of": ("作废 {entry}", "voids {entry}"),
    "rpt.entry_state": ("阶段/状态/数量", "Stage / state / quantity"),
    "rpt.rule_title": ("状态判定规则", "How classes are set"),
    "rpt.rule": (
        "已达成：数量类目标为截至日阶段达到其计数阶段（多数为验收）的单位数，"
        "覆盖类为达到该阶段的单位数不少于要求的地区数；“立项及以后”为各单位自立项起即计数时的数目，"
        "两者并列，供按不同口径引用。"
        "时间进度 = (截至日 − 起始日) ÷ (截止日 − 起始日)；应达 = 时间进度（目录设有阶段目标的，"
        "按各阶段目标连线；分年度考核督导为已结束年数 ÷ 年数）；"
        "完成度 = 已达成 ÷ 目标值（不超过 100%）；差距 = 完成度 − 应达；预计 = 已达成 ÷ 时间进度。"
        "已达成 ≥ 目标值为“已完成”；无有效记录为“未开始”；否则以 P = 完成度 ÷ 应达："
        "P ≥ 0.95 为“进度正常”，0.6 ≤ P < 0.95 为“滞后”，P < 0.6 为“严重滞后”；"
        "定性目标“进行中”在应达达到 50% 后为“滞后”；无目标值的目标为“无目标值”。",
        "Achieved: for a count target, the units whose stage on the day has reached the "
        "stage it counts at (accepted for most); for a coverage target, the regions with "
        "enough such units; selected or later: the same had every unit counted from 立项 "
        "(selected) on, beside it, for reports that cite either. elapsed = (as-of − start) "
        "÷ (deadline − start); expected = elapsed (through the catalog's checkpoints where "
        "it has them; for the yearly assessment, the years ended ÷ the years); completion = "
        "achieved ÷ goal (at most 100%); gap = completion − expected; projected = achieved "
        "÷ elapsed. Achieved ≥ goal is done; no live entry is not started; otherwise with "
        "P = completion ÷ expected: P ≥ 0.95 on track, 0.6 ≤ P < 0.95 behind, P < 0.6 off "
        "track; a milestone in progress is behind once expected reaches 50%; a target "
        "without a goal has no goal.",
    ),
    "rpt.notice": ("通知", "The notice"),
    "rpt.issuers": ("印发单位", "Issued by"),
    "rpt.start": ("起始日（公开印发日）", "Start (public issue date)"),
    "rpt.deadline": ("跟踪截止日", "Deadline tracked"),
    "rpt.public_end": ("公开文本的目标年份", "End year in the public text"),
    "rpt.deadline_why": (
        "公开文本的目标写到 {public} 年；本系统按使用单位的要求跟踪至 {deadline}，"
        "时间进度与预计均以 {deadline} 为终点。",
        "The public text sets its goals for {public}; chuyi tracks them to {deadline}, as its "
        "users do: elapsed time and projections end on {deadline}.",
    ),
    "rpt.catalog_notes": ("目录说明", "Notes on the catalog"),
    "rpt.restored_list": ("据公开文本恢复的目标", "Targets restored from the public record"),
    "rpt.gap_list": ("目录中的缺口（无目标值）", "Gaps in the catalog (no goal)"),
    "rpt.unverified_list": ("未经公开文本核实", "Not confirmed by the public record"),
    "rpt.reconstructed_list": ("目录拟定的内容", "Written by the catalog's maintainers"),
    "rpt.none": ("无", "none"),
    "rpt.written": ("已写入报告：{path}", "Report written: {path}"),
    "rpt.bad_suffix": (
        "无法从文件名 {path} 判断格式：请用 .xlsx 或 .html 结尾，或加 --format xlsx|html",
        "cannot tell the format from {path}: end it in .xlsx or .html, or give --format xlsx|html",
    ),
    "rpt.as_of_and_year": ("--as-of 与 --year 只能选一个", "give --as-of or --year, not both"),
    "rpt.chart_small_title": (
        "已达成与应达（虚线：按当前进度预计）",
        "Achieved and expected (dashed: projected)",
    ),
    "rpt.contents": ("目录", "Contents"),
    # (the page's sections, named as the workbook's sheets)
    "rpt.h_summary": ("总表", "总表 Summary"),
    "rpt.h_regions": ("地区", "地区 Regions"),
    "rpt.h_charts": ("进度图", "进度图 Burn-up charts"),
    "rpt.h_entries": ("明细", "明细 Entries"),
    "rpt.h_notes": ("说明", "说明 Notes"),
    # --- recording: what is refused and why, prompts, confirmations (record, void, import)
    "evidence_hash_alone": ("有佐证哈希而无佐证材料", "an evidence hash without the evidence"),
    "evidence_not_url": (
        "佐证 {text!r} 不是 http:// 或 https:// 网址，也不是本地文件路径",
        "evidence {text!r} is neither an http:// or https:// URL nor a local file path",
    ),
    "evidence_missing": (
        "佐证文件 {text!r} 无法找到（{reason}）：本地路径须指向一个可读的文件",
        "evidence file {text!r} is not there ({reason}): a local path must name a readable file",
    ),
    "evidence_not_file": (
        "佐证 {text!r} 不是普通文件（是文件夹或设备）：本地路径须指向一个可读的文件",
        "evidence {text!r} is not a regular file (a folder or a device): "
        "a local path must name a readable file",
    ),
    "named_unit_region": (
        "目标 {target} 点名的单位 {unit} 位于 {region}（据目录），不在 {given}；"
        "可不填 --region（即用目录所列地区）",
        "target {target} names {unit} in {region} (the catalog's region), not in {given}; "
        "leave --region out (the catalog's region is used) or give {region}",
    ),
    "stage_missing": (
        "目标 {target} 须写明阶段（--stage，或“阶段”列）：{stages}；不默认任何阶段",
        "target {target} needs a stage (--stage, or the 阶段 column): {stages}; none is assumed",
    ),
    "unit_missing": (
        "目标 {target}（{kind}）按单位计数：须写明单位名称（命令行的“单位”参数，或“单位名称”列）",
        "target {target} ({kind}) counts units: name the unit (UNIT, or the 单位名称 column)",
    ),
    "state_missing": (
        "目标 {target}（里程碑）须写明状态（--state，或“状态”列）：{states}",
        "target {target} (milestone) needs a state (--state, or the 状态 column): {states}",
    ),
    "quantity_implausible": (
        "数量 {quantity} 超过目标 {target} 单条记录的上限 {bound}，多半是录入错误；"
        "确属实请加 --force",
        "quantity {quantity} is more than one entry of {target} plausibly holds ({bound}); "
        "most likely a slip: if it is right, add --force",
    ),
    "entry_prefix_short": (
        "编号 {prefix!r} 太短：请至少给出编号的前 4 个字符",
        "entry id {prefix!r} is too short: give at least 4 characters of it",
    ),
    "entry_prefix_none": (
        "没有以 {prefix!r} 开头的记录编号；见 `chuyi log`",
        "no entry id starts with {prefix!r}; see `chuyi log`",
    ),
    "repeat_observation": (
        "与已有记录 {id} 相同（同一单位、阶段、观察日期、记录人，且同一天录入），"
        "多半是重复录入；未写入任何内容。确需再记一次，请加 --again",
        "the same observation as entry {id} (same unit, stage, day observed and recorder, "
        "recorded the same day): most likely a double entry; nothing was written. "
        "To record it again, add --again",
    ),
    "import_duplicate": (
        "{path}:{line}: 重复行已跳过：与记录 {id} 相同（同一单位、阶段、观察日期、记录人）",
        "{path}:{line}: skipped as a duplicate of entry {id} "
        "(same unit, stage, day observed and recorder)",
    ),
    "missing_option": (
        "缺少 {option}（{what}）；不在终端中运行，无法询问",
        "missing {option} ({what}); not run in a terminal, so chuyi cannot ask",
    ),
    "what_target": (
        "目标的标识或编号，见 `chuyi targets`",
        "the target's id or ref; see `chuyi targets`",
    ),
    "cancelled": ("已取消；未写入任何内容", "cancelled; nothing was written"),
    "prompt_target": (
        "目标（序号、标识或编号，如 culture-bases、二(四)1）",
        "Target (number, id or ref, e.g. culture-bases, 二(四)1)",
    ),
    "prompt_unit": ("单位名称", "Unit (school, base, group or person)"),
    "prompt_region": (
        "地区（名称、简称或代码，如 长沙、430181）",
        "Region (name, short name or code, e.g. 长沙, 430181)",
    ),
    "prompt_region_optional": (
        "地区（名称、简称或代码；可留空）",
        "Region (name, short name or code; may be left empty)",
    ),
    "prompt_stage": ("阶段（{choices}）", "Stage ({choices})"),
    "prompt_state": ("状态（{choices}）", "State ({choices})"),
    "prompt_quantity": ("数量", "Quantity"),
    "prompt_date": ("观察日期（年-月-日）", "Day observed (YYYY-MM-DD)"),
    "prompt_again": ("请重新输入：{message}", "Try again: {message}"),
    "confirm_record": ("将记录：{what}", "To record: {what}"),
    "go_ahead": ("确认记录？", "Go ahead?"),
    "confirm_quantity": (
        "数量 {quantity} 超过目标 {target} 单条记录的上限 {bound}。",
        "Quantity {quantity} is more than one entry of {target} plausibly holds ({bound}).",
    ),
    "is_it_right": ("确属实？", "Is it right?"),
    "yes_or_no": ("{question} {choices}", "{question} {choices}"),
    "answers_true": ("[是/否，默认是]", "[Y/n]"),
    "answers_false": ("[是/否，默认否]", "[y/N]"),
    "answer_again": ("请回答“是”或“否”（也可答 对/不、y/n）。", "Please answer yes or no (y/n)."),
    "recorded": (
        "已记录 {id}：{what} → {achieved}/{goal}",
        "recorded {id}: {what} → {achieved}/{goal}",
    ),
    "entries_voided": ("{live}（{voided} 条已作废）", "{live} ({voided} voided)"),
    "help.record.again": (
        "同一单位、阶段、观察日期、记录人当天已记录过，仍再记一次。",
        "Record it even if the same unit, stage, day and recorder were recorded today.",
    ),
    "help.record.force": (
        "活动数量超过该目标单条上限时仍记录。",
        "Take an activity quantity above its target's bound (100, or the catalog's).",
    ),
    "help.import.force": (
        "活动数量超过目标单条上限的行仍导入。",
        "Take activity quantities above their target's bound.",
    ),
    "import_duplicates": ("重复行 {count} 行已跳过", "{count} duplicate row(s) skipped"),
    # --- why a file or the database failed (a Cause): from the error's number or kind in
    # Chinese; in English the system's own words (the forms here say what each means)
    "os.not_found": ("文件或文件夹不存在", "no such file or directory"),
    "os.denied": ("没有权限", "permission denied"),
    "os.is_folder": ("这是一个文件夹", "is a directory"),
    "os.not_folder": ("路径中有一段不是文件夹", "not a directory"),
    "os.exists": ("文件已存在", "file exists"),
    "os.disk_full": ("磁盘空间已满", "no space left on device"),
    "os.quota": ("超出了磁盘配额", "disk quota exceeded"),
    "os.read_only": ("所在的磁盘或文件系统只读", "read-only file system"),
    "os.io": ("读写磁盘时出错", "input/output error"),
    "os.name_too_long": ("文件名过长", "file name too long"),
    "os.loop": ("符号链接层数过多或形成循环", "too many levels of symbolic links"),
    "os.too_many_files": ("同时打开的文件过多", "too many open files"),
    "os.busy": ("文件正被其他程序占用", "file busy"),
    "os.cross_device": ("不能跨磁盘移动文件", "invalid cross-device link"),
    "os.too_big": ("文件过大", "file too large"),
    "os.no_device": ("设备不存在或未连接", "no such device"),
    "os.invalid": ("文件名或操作无效", "invalid argument"),
    "os.not_empty": ("文件夹不是空的", "directory not empty"),
    "os.network": ("网络文件系统无响应", "network file system not responding"),
    "os.other": ("系统错误（错误码 {code}）", "system error {code}"),
    "filekind.fifo": ("命名管道", "FIFO"),
    "filekind.char": ("字符设备", "character device"),
    "filekind.block": ("块设备", "block device"),
    "filekind.socket": ("套接字", "socket"),
    "filekind.special": ("特殊文件", "special file"),
    "filekind.none": ("无", "none"),
    "sqlite.not_a_database": ("文件不是数据库，或已损坏", "file is not a database"),
    "sqlite.corrupt": ("数据库文件已损坏", "database disk image is malformed"),
    "sqlite.disk_full": ("磁盘空间已满", "database or disk is full"),
    "sqlite.io": ("读写磁盘时出错", "disk I/O error"),
    "sqlite.cannot_open": ("无法打开文件", "unable to open database file"),
    "sqlite.denied": ("没有权限", "access permission denied"),
    "sqlite.read_only": ("数据库只读", "attempt to write a readonly database"),
    "sqlite.too_big": ("数据过大", "string or blob too big"),
    "sqlite.no_memory": ("内存不足", "out of memory"),
    "sqlite.constraint": ("不符合数据库的约束", "constraint failed"),
    "sqlite.other": ("数据库错误（代码 {code}）", "database error {code}"),
    "csv.unexpected_end": ("文件在引号内结束", "unexpected end of data"),
    "csv.too_large": ("单元格过长", "field larger than field limit"),
    "csv.nul": ("含有空字符", "line contains NUL"),
    "csv.other": ("CSV 格式有误", "malformed CSV"),
    "csv.quote_then_text": ("引号闭合后紧跟了其他字符", "a quote closed and other text after it"),
    "json.kind_text": ("文字", "text"),
    "json.kind_number": ("数字", "a number"),
    "json.kind_bool": ("真假值", "true or false"),
    "json.kind_null": ("空值", "null"),
    "json.other": ("JSON 格式有误，在第 {column} 个字符处", "malformed JSON at character {column}"),
}

_LANG: str | None = None


def set_lang(lang: str | None) -> None:
    """The language of this run's messages (None: from the environment)."""
    global _LANG
    _LANG = lang


def current_lang() -> str:
    return _LANG or default_lang()


def fixed(key: str) -> str:
    """A message without fields, worded without importing anything: what a signal
    handler may say (it can run in the middle of any import, the renderer's included)."""
    return MESSAGES[key][0 if current_lang() == "zh" else 1]


# Fields that repeat what the user gave (a cell, an argument, a stored value): wider than
# GIVEN_COLUMNS, they are cut with … so that no message repeats a 5,000-digit number or a
# whole note (a line of mail holds 998 bytes). chuyi's own lists (stage words, names the
# notice gives, candidates) are other fields, said whole.
GIVEN_FIELDS = frozenset(
    {"text", "value", "cell", "unit", "year", "key", "keys", "given", "stored"}
)
GIVEN_COLUMNS = 80


def _given(value: object) -> object:
    text = value if isinstance(value, str) else str(value)
    if len(text) <= GIVEN_COLUMNS // 2:
        return value
    from chuyi_cli.wrapping import display_width, shown

    return shown(text, limit=GIVEN_COLUMNS) if display_width(text) > GIVEN_COLUMNS else value


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
        from chuyi_cli.wrapping import shown  # (a field may hold a record's text: as text)

        if pair is None:  # a plain sentence passed through as it is
            return shown(self.key)
        if not self.fields:
            return shown(pair[0 if lang == "zh" else 1])
        template = pair[0 if lang == "zh" else 1]
        values = {
            name: value.text(lang)
            if isinstance(value, Message)
            else (_given(value) if name in GIVEN_FIELDS else value)
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


class Word(Message):
    """One word of ``WORDS`` (a kind, a level, a stage) as a field of a message."""

    __slots__ = ()

    def text(self, lang: str | None = None) -> str:
        pair = MESSAGES.get("word." + self.key) or WORDS.get(self.key)
        if pair is None:
            return self.key
        return pair[0 if (lang or current_lang()) == "zh" else 1]


class Cause(Message):
    """Why the system or SQLite refused: the catalogue's words in Chinese, from the error's
    number or kind; in English the system's own words (the field ``detail``)."""

    __slots__ = ()

    def text(self, lang: str | None = None) -> str:
        if (lang or current_lang()) != "zh" and self.fields.get("detail"):
            from chuyi_cli.wrapping import shown

            return shown(str(self.fields["detail"]))
        return super().text(lang)


class Listing(Message):
    """Items of a message joined as each language joins them (``；`` or ``; ``)."""

    __slots__ = ()

    def __init__(self, items: Sequence[object]) -> None:
        super().__init__("", items=list(items))

    def text(self, lang: str | None = None) -> str:
        lang = lang or current_lang()
        items = self.fields["items"]
        assert isinstance(items, list)
        shown = [i.text(lang) if isinstance(i, Message) else str(i) for i in items]
        return ("；" if lang == "zh" else "; ").join(shown)


class Names(Listing):
    """Names (suggestions, candidates) joined as each language lists them: ``长沙市、芙蓉区``
    or ``长沙市, 芙蓉区``."""

    __slots__ = ()

    def text(self, lang: str | None = None) -> str:
        items = self.fields["items"]
        assert isinstance(items, list)
        return ("、" if (lang or current_lang()) == "zh" else ", ").join(map(str, items))


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
