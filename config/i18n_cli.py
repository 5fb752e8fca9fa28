"""The command line's sentences (`duban …`), in Simplified Chinese (the default) and English.

Merged into `config.i18n.MESSAGES`; every key starts with `cli_`. The office staff who run `duban`
read Chinese, so nothing here may put an English word in front of them in Chinese mode: codes, ids,
paths, URLs and YAML keys are the only Latin text allowed on the Chinese side.
"""

from __future__ import annotations

# The English side of the `cli_pe_*`, `cli_yaml_*` and `cli_arg_*` entries is never shown: in English
# mode the original pydantic, PyYAML or argparse message is printed as it is. It is kept so that
# every key exists in both languages with the same parameters.
CLI_MESSAGES: dict[str, tuple[str, str]] = {
    # --- the argument parser ------------------------------------------------------------------
    "cli_usage_prefix": ("用法：", "usage: "),
    "cli_positionals": ("参数", "positional arguments"),
    "cli_options": ("选项", "options"),
    "cli_help_help": ("显示本帮助并退出", "show this help message and exit"),
    "cli_help_description": (
        "督办 Duban：推动政府工作方案落实到位。",
        "Duban (督办): runs a government work plan to completion.",
    ),
    "cli_help_db": (
        "数据库地址（默认：DATABASE_URL 或 sqlite:///data/duban.db）",
        "database URL (default: DATABASE_URL or sqlite:///data/duban.db)",
    ),
    "cli_help_demo": (
        "以管理员身份体验定陶方案（日期移至今年）",
        "chat as the admin on the Dingtao plan, moved to this year",
    ),
    "cli_help_console": ("在终端里与督办对话", "chat in the terminal"),
    "cli_help_plan_id": ("方案编号", "the plan's id"),
    "cli_help_as": ("身份：admin、leader 或 unit:<单位名>", "admin, leader or unit:<unit name>"),
    "cli_help_plan": ("列出、检查或载入方案文件", "list, check or load plan files"),
    "cli_help_plan_list": ("内置方案和数据库中的方案", "shipped plans and plans in the database"),
    "cli_help_plan_check": (
        "检查方案文件，列出全部错误及其行列",
        "validate a plan file, every error with its line and column",
    ),
    "cli_help_plan_archive": (
        "归档方案：仍可查看，不再发送提醒和简报，也不再接受报送",
        "archive a plan: still readable, sends nothing, accepts no reports",
    ),
    "cli_help_plan_unarchive": ("恢复已归档的方案", "bring an archived plan back"),
    "cli_plan_archived": (
        "方案 {plan} 已归档：不再发送提醒和简报，待发消息已取消；仍可查看。",
        "Plan {plan} is archived: no more reminders or digests, pending messages cancelled; still readable.",
    ),
    "cli_plan_unarchived": ("方案 {plan} 已恢复。", "Plan {plan} is active again."),
    "cli_plan_list_archived": ("    （已于 {date} 归档）", "    (archived {date})"),
    "cli_help_plan_load": ("载入方案文件（或内置方案编号）", "load a plan file (or a shipped plan id)"),
    "cli_help_source": ("方案文件路径或内置方案编号", "a plan file or the id of a shipped plan"),
    "cli_help_invite": ("生成一次性邀请码", "print a single-use invite code"),
    "cli_help_target": ("admin、leader 或单位名", "admin, leader or a unit name"),
    "cli_help_reminders": ("未来几天督办将发出的提醒", "what Duban will send in the coming days"),
    "cli_help_now": (
        "ISO 时间（不带时区时按方案时区）；默认：现在",
        "ISO time (plan time zone when none given); default: now",
    ),
    "cli_help_days": ("天数（1–366，默认 14）", "number of days (1–366, default 14)"),
    "cli_help_json": ("输出 JSON", "machine-readable output"),
    "cli_help_digest": ("此刻将发出的周报（不保存）", "the digest that would be sent (nothing is stored)"),
    "cli_help_chart": (
        "把图表写入此 PNG 文件（缺少的文件夹会自动创建）",
        "write the chart to this PNG file (missing folders are created)",
    ),
    "cli_help_lang": ("周报语言（默认：DUBAN_LANG，即 zh）", "the digest's language (default: DUBAN_LANG, else zh)"),
    "cli_help_run": ("启动提醒引擎和已配置的聊天通道", "start the reminder engine with the configured transports"),
    "cli_help_run_plan": (
        "控制台使用的方案（默认：唯一已载入的方案）",
        "the plan the console works on (default: the only one loaded)",
    ),
    "cli_help_score": ("方案得分", "the plan's scores"),
    "cli_meta_source": ("文件或方案编号", "FILE-or-ID"),
    "cli_meta_target": ("对象", "TARGET"),
    "cli_meta_command": ("命令", "COMMAND"),
    "cli_arg_error": ("{prog}：{message}", "{prog}: error: {message}"),
    "cli_arg_hint": ("查看用法：{prog} --help", "See: {prog} --help"),
    "cli_arg_required": ("缺少参数 {names}", "the following arguments are required: {names}"),
    "cli_arg_command_missing": ("缺少命令，可用的命令：{choices}", "a command is required: {choices}"),
    "cli_arg_command_unknown": (
        "没有“{value}”这个命令，可用的命令：{choices}",
        "no command '{value}'; the commands are: {choices}",
    ),
    "cli_arg_choice": (
        "{name} 不能是“{value}”，可选：{choices}",
        "argument {name}: invalid choice: '{value}' (choose from {choices})",
    ),
    "cli_arg_integer": ("{name} 应为整数（收到“{value}”）", "argument {name}: invalid int value: '{value}'"),
    "cli_arg_needs_value": ("{name} 后面缺少取值", "argument {name}: expected one argument"),
    "cli_arg_unrecognized": ("无法识别的参数：{args}", "unrecognized arguments: {args}"),
    "cli_arg_ambiguous": (
        "选项 {option} 有歧义，可能是：{matches}",
        "ambiguous option: {option} could match {matches}",
    ),
    "cli_arg_invalid": ("命令行参数有误", "invalid arguments"),
    "cli_arg_days": (
        "--days 应为 1 到 366 之间的整数（收到 {value}）",
        "--days takes a whole number from 1 to 366 (got {value})",
    ),
    "cli_arg_now": (
        "--now 应为 ISO 时间，例如 2022-06-01T08:00（收到“{value}”）",
        "--now takes an ISO time such as 2022-06-01T08:00 (got '{value}')",
    ),
    # --- failures the user can fix ---------------------------------------------------------------
    "cli_stopped": ("已停止。", "Stopped."),
    "cli_unexpected": ("意外错误（{kind}），已停止。", "Unexpected error ({kind}); stopped."),
    "cli_settings_invalid": (
        "环境变量或 .env 中的设置有误：{fields}",
        "invalid settings in the environment or .env: {fields}",
    ),
    "cli_no_plan_file": (
        "找不到方案文件或内置方案“{name}”（内置方案：{shipped}）",
        "error: no plan file or shipped plan named '{name}' (shipped: {shipped})",
    ),
    "cli_cannot_read": ("无法读取 {path}：{reason}", "error: cannot read {path}: {reason}"),
    "cli_cannot_write": ("无法写入 {path}：{reason}", "error: cannot write {path}: {reason}"),
    "cli_os_denied": ("没有权限", "permission denied"),
    "cli_os_missing": ("路径不存在", "no such file or folder"),
    "cli_os_is_dir": ("这是一个文件夹", "it is a folder"),
    "cli_os_not_dir": ("路径中有一段是文件而不是文件夹", "part of the path is a file, not a folder"),
    "cli_os_exists": ("路径中已有同名文件", "a file of that name is in the way"),
    "cli_os_read_only": ("只读文件系统", "read-only file system"),
    "cli_os_full": ("磁盘空间不足", "no space left on the disk"),
    "cli_os_refused": (
        "连接被拒绝（服务器没有运行，或端口不对）",
        "connection refused (is the server running, on that port?)",
    ),
    "cli_os_timeout": ("连接超时", "the connection timed out"),
    "cli_os_unreachable": ("无法连接到主机", "the host cannot be reached"),
    "cli_os_no_host": ("找不到主机", "unknown host"),
    "cli_os_other": ("系统错误 {code}", "system error {code}"),
    "cli_db_bad_url": (
        "不是数据库地址：{url}（应写作 sqlite:///路径 或 postgresql://用户@主机/库名）",
        "error: not a database URL: {url} (write sqlite:///path or postgresql://user@host/db)",
    ),
    "cli_db_unsupported": (
        "不支持的数据库“{backend}”：请用 sqlite:/// 或 postgresql://",
        "error: unsupported database '{backend}': use sqlite:/// or postgresql://",
    ),
    "cli_db_unusable": ("无法使用数据库 {url}：{reason}", "error: cannot use the database {url}: {reason}"),
    "cli_db_auth": ("用户名或密码不对", "wrong user name or password"),
    "cli_db_no_database": ("数据库不存在", "the database does not exist"),
    "cli_db_sqlite_open": (
        "无法打开数据库文件（文件夹不存在、路径是文件夹，或没有写权限）",
        "unable to open the database file (missing folder, a folder in its place, or no write permission)",
    ),
    "cli_db_read_only": ("数据库文件是只读的（没有写权限）", "the database file is read-only (no write permission)"),
    "cli_db_driver": ("缺少数据库驱动 {module}", "the database driver {module} is not installed"),
    "cli_db_other": ("数据库报错（{kind}）", "database error ({kind})"),
    # --- the database's schema (duban db …) ----------------------------------------------------
    "cli_help_db_command": ("查看或升级数据库结构", "show or upgrade the database schema"),
    "cli_help_db_upgrade": (
        "把数据库结构升级到本版督办所需的版本（早期版本的督办创建的数据库先纳入版本管理）",
        "upgrade the database schema to this Duban's (adopting a database made before migrations)",
    ),
    "cli_help_db_current": (
        "显示数据库的结构版本，以及是否为最新",
        "show the database's schema revision and whether it is the head",
    ),
    "cli_schema_behind": (
        "数据库 {url} 的结构版本为 {revision}，本版督办需要 {head}：请先运行 duban db upgrade 升级",
        "error: the database {url} is at schema revision {revision}, this Duban needs {head}: run duban db upgrade first",
    ),
    "cli_schema_legacy": (
        "数据库 {url} 由早期版本的督办创建，还没有结构版本：请先运行 duban db upgrade 升级",
        "error: the database {url} was made by an earlier Duban and has no schema revision: run duban db upgrade first",
    ),
    "cli_schema_unknown": (
        "数据库 {url} 的结构版本 {revision} 不是本版督办所知的版本（最新为 {head}），多半由更新版本的督办创建：请使用新版督办",
        "error: the database {url} is at schema revision {revision}, which this Duban (head {head}) does not know; a newer Duban made it: use that version",
    ),
    "cli_schema_not_duban": (
        "无法升级数据库 {url}：它的表缺少无法补上的列（{columns}），看来不是督办的数据库；未做任何改动",
        "error: cannot upgrade the database {url}: its tables lack columns that cannot be added ({columns}); it does not look like Duban's database; nothing was changed",
    ),
    "cli_db_current_head": ("结构版本：{revision}（最新）", "schema revision: {revision} (head)"),
    "cli_db_current_behind": (
        "结构版本：{revision}（不是最新，最新为 {head}；运行 duban db upgrade 升级）",
        "schema revision: {revision} (not the head {head}; duban db upgrade upgrades it)",
    ),
    "cli_db_current_unknown": (
        "结构版本：{revision}（本版督办不认识，它的最新版本为 {head}；多半由更新版本的督办创建）",
        "schema revision: {revision} (unknown to this Duban, whose head is {head}; a newer Duban made it)",
    ),
    "cli_db_current_empty": (
        "结构版本：无（空数据库，首次使用时按最新版本 {head} 创建）",
        "schema revision: none (an empty database, created at the head {head} on first use)",
    ),
    "cli_db_current_legacy": (
        "结构版本：无（由早期版本的督办创建；运行 duban db upgrade 纳入版本管理并升级到 {head}）",
        "schema revision: none (made by an earlier Duban; duban db upgrade adopts it and upgrades it to {head})",
    ),
    "cli_db_up_to_date": (
        "数据库结构已是最新版本 {head}，无需升级。",
        "The schema is already at the head {head}; nothing to do.",
    ),
    "cli_db_created": ("已按最新结构版本 {head} 创建数据库。", "Created the database at schema revision {head}."),
    "cli_db_upgraded": ("数据库结构已从 {revision} 升级到 {head}。", "Upgraded the schema from {revision} to {head}."),
    "cli_db_adopted": (
        "已把早期版本督办创建的数据库纳入版本管理（基线 {baseline}），并升级到 {head}；原有数据全部保留。",
        "Adopted the database made by an earlier Duban (baseline {baseline}) and upgraded it to {head}; all its data is kept.",
    ),
    "cli_db_adopted_tables": ("  补建的表：{names}", "  tables added: {names}"),
    "cli_db_adopted_columns": ("  补上的列：{names}", "  columns added: {names}"),
    "cli_plan_not_loaded": (
        "方案 {plan} 尚未载入（先运行：duban plan load {plan}）",
        "error: plan '{plan}' is not loaded (duban plan load {plan})",
    ),
    "cli_no_unit": ("方案 {plan} 中没有单位“{unit}”", "error: no unit '{unit}' in plan {plan}"),
    "cli_bad_identity": (
        "--as 只能是 admin、leader 或 unit:<单位名>",
        "error: --as takes admin, leader or unit:<unit name>",
    ),
    "cli_run_sqlite_busy": (
        "另一个督办进程正在运行并使用数据库 {path}：单文件数据库只能由一个进程发送提醒（否则每条提醒会发两次）。"
        "多个进程请改用 DATABASE_URL=postgresql://… 数据库。",
        "Another duban run is using the database {path}: on SQLite one instance sends the reminders (two would send "
        "each twice). Several instances need PostgreSQL (DATABASE_URL=postgresql://…).",
    ),
    "cli_run_needs_plan": (
        "请用 --plan 指定一个已载入的方案（已载入：{loaded}）",
        "error: name a loaded plan with --plan (loaded: {loaded})",
    ),
    "cli_run_none_loaded": ("无；先运行 duban plan load <编号>", "none; duban plan load <id>"),
    # --- plan files ------------------------------------------------------------------------------
    "cli_check_ok": (
        "{name}：通过 —— 方案 {plan}：{units} 个单位、{groups} 个单位组、{tasks} 项任务、{gates} 项基础指标、{indicators} 项指标，共 {points} 分{bonus}",
        "{name}: OK — plan {plan}: {units} units, {groups} groups, {tasks} tasks, {gates} gates, {indicators} indicators worth {points}{bonus}",
    ),
    "cli_check_bonus": ("，附加分 {points}", " + {points} bonus"),
    "cli_plan_loaded": (
        "已载入方案 {plan}：{units} 个单位、{tasks} 项任务（{assignments} 项单位分工）、{indicators} 项指标、{gates} 项基础指标。",
        "Loaded plan {plan}: {units} units, {tasks} tasks ({assignments} unit assignments), {indicators} indicators, {gates} gates.",
    ),
    "cli_plan_updated": (
        "已更新方案 {plan}：{units} 个单位、{tasks} 项任务（{assignments} 项单位分工）、{indicators} 项指标、{gates} 项基础指标。",
        "Updated plan {plan}: {units} units, {tasks} tasks ({assignments} unit assignments), {indicators} indicators, {gates} gates.",
    ),
    "cli_load_warning": ("  提醒：{warning}", "  warning: {warning}"),
    "cli_load_unit_kept": (
        "单位 {unit} 已不在方案中；因历史记录可能用到，予以保留",
        "unit {unit} is no longer in the plan; kept because history may refer to it",
    ),
    "cli_load_refused": ("无法更新方案：{reason}", "error: the plan cannot be updated: {reason}"),
    "cli_load_unit_has_progress": (
        "任务 {code}：将被移除的单位已有进展记录",
        "task {code}: a unit with recorded progress would be removed",
    ),
    "cli_load_task_has_progress": (
        "任务 {code} 已有进展记录，不能从方案中删除",
        "task {code} has recorded progress and cannot be removed from the plan",
    ),
    "cli_load_indicator_has_reports": (
        "指标 {code} 已有报送记录，不能从方案中删除",
        "indicator {code} has reports and cannot be removed from the plan",
    ),
    "cli_load_conflict": ("新文件与已有记录冲突", "the new file conflicts with what is recorded"),
    "cli_plan_list_shipped": ("内置方案文件：", "Shipped plan files:"),
    "cli_plan_list_stored": ("数据库中的方案：", "Plans in the database:"),
    "cli_plan_list_none": (
        "数据库里还没有方案（duban plan load <编号>）。",
        "No plans in the database yet (duban plan load <id>).",
    ),
    "cli_plan_list_row": (
        "  {plan}  {name}（{start} 至 {end}，载入于 {loaded} UTC）",
        "  {plan}  {name}  ({start} – {end}, loaded {loaded} UTC)",
    ),
    "cli_invite_expiry": (
        "一次性使用，有效期至 {expires} UTC。在聊天中发送：/bind {code}",
        "Single use, valid until {expires} UTC. In the chat, send: /bind {code}",
    ),
    "cli_reminders_count": ("未来 {days} 天共 {count} 条提醒。", "{count} reminder(s) in the next {days} day(s)."),
    "cli_chart_written": ("图表已写入 {path}", "chart written to {path}"),
    "cli_demo_loaded": (
        "已载入演示方案 {plan}（定陶 2022 年方案，日期移至 {year} 年）。",
        "Loaded the demo plan {plan} (Dingtao 2022 moved to {year}).",
    ),
    "cli_demo_try": (
        "试试：/status  /tasks 逾期  /indicators  /report 3 0.45%  /report 11 8亿  /score 11  /help",
        "Try: /status  /tasks 逾期  /indicators  /report 3 0.45%  /report 11 8亿  /score 11  /help",
    ),
    "cli_console_greeting": (
        "督办控制台 —— 方案 {plan}，身份 {who}。/help 查看命令；Ctrl-D 或 Ctrl-C 退出。",
        "Duban console — plan {plan}, as {who}. /help lists the commands; Ctrl-D or Ctrl-C quits.",
    ),
    "cli_run_console": (
        "督办已启动 —— 方案 {plan}；提醒到点即显示，回复写作 #<编号> <内容>。Ctrl-D 或 Ctrl-C 停止。",
        "Duban running — plan {plan}; reminders show as they fire, reply with #<n> <text>. Ctrl-D or Ctrl-C stops.",
    ),
    "cli_run_waiting": ("督办已启动；Ctrl-C 或 SIGTERM 停止。", "Duban running; Ctrl-C or SIGTERM stops."),
    "cli_run_telegram": ("Telegram：@{bot} 已上线（{mode}）。", "Telegram: serving @{bot} via {mode}."),
    "cli_run_page": (
        "督办看板：{url}（在聊天中发送 /web 获取登录链接）。",
        "Live page: {url} (send /web in the chat for a sign-in link).",
    ),
    "cli_web_taken": (
        "无法在 {listen} 上启动网页服务（{error}）：企业微信回调需要它。请换一个 DUBAN_WEB_LISTEN。",
        "Cannot listen on {listen} ({error}): the WeCom callback needs it. Choose another DUBAN_WEB_LISTEN.",
    ),
    "cli_web_taken_page": (
        "督办看板没有启动：{listen} 已被占用（可用 DUBAN_WEB_LISTEN 换一个地址）。其他功能照常运行。",
        "The live page did not start: {listen} is taken (choose another with DUBAN_WEB_LISTEN). Everything else runs.",
    ),
    "cli_run_wecom": (
        "企业微信：自建应用已上线，回调地址 {address}。",
        "WeCom: the app is serving its callback at {address}.",
    ),
    "cli_mode_webhook": ("webhook", "webhook"),
    "cli_mode_polling": ("长轮询", "long polling"),
    "cli_telegram_token_rejected": (
        "Telegram 拒绝了 DUBAN_TELEGRAM_TOKEN 中的机器人令牌：请核对令牌（是否完整、是否已作废）后重新设置。",
        "error: Telegram rejected the bot token in DUBAN_TELEGRAM_TOKEN; check it (complete? revoked?) and set it again.",
    ),
    "cli_telegram_secret_invalid": (
        "DUBAN_TELEGRAM_SECRET_TOKEN 只能由 A–Z、a–z、0–9、_ 和 - 组成，长度 1 至 256 个字符（现为 {length} 个字符）；"
        "不设置时督办会为每次运行生成一个。",
        "error: DUBAN_TELEGRAM_SECRET_TOKEN may contain only A-Z, a-z, 0-9, _ and -, 1 to 256 characters "
        "(it has {length}); leave it unset and Duban makes one for each run.",
    ),
    # --- the console -----------------------------------------------------------------------------
    "cli_console_chart_saved": ("（图表已保存：{path}）", "(chart: {path})"),
    "cli_console_reminder_chart": ("（附图表，{size} 字节）", "(chart: {size} bytes)"),
    "cli_console_reply_hint": ("回复：#{number} <内容>", "reply: #{number} <text>"),
    "cli_console_no_reminder": (
        "没有 #{number} 号提醒。提醒到点时会显示编号，回复写作 #<编号> <内容>。",
        "There is no reminder #{number}. Reminders show their number when they arrive; reply with #<n> <text>.",
    ),
    "cli_console_reply_empty": (
        "请在编号后写上回复内容：#{number} <内容>",
        "Write your reply after the number: #{number} <text>",
    ),
    "cli_console_pressed": ("> {typed}（{label}）", "> {typed} ({label})"),
    "cli_console_no_button": ("提醒 #{number} 没有第 {index} 个按钮。", "Reminder #{number} has no button {index}."),
    # --- plan-file errors ------------------------------------------------------------------------
    "cli_plan_errors": ("{source}：{count} 处错误", "{source}: {count} error(s)"),
    "cli_plan_error_at": (
        "第 {line} 行第 {column} 列：{path}：{message}",
        "line {line}, column {column}: {path}: {message}",
    ),
    "cli_plan_error_file": ("整个文件：{path}：{message}", "document: {path}: {message}"),
    "cli_plan_root": ("（顶层）", "<root>"),
    "cli_plan_not_mapping": (
        "方案文件应是“键: 值”的映射（id:、name:、units: …）",
        "a plan file is a mapping (id:, name:, units:, …)",
    ),
    "cli_plan_not_utf8": ("文件不是 UTF-8 编码的文本，请另存为 UTF-8", "the file is not UTF-8 text; save it as UTF-8"),
    "cli_plan_defined_twice": ("“{name}”重复定义", "'{name}' is defined twice"),
    "cli_plan_bad_code": (
        "编号“{code}”只能由字母、数字、“.”和“-”组成",
        "code '{code}': use letters, digits, '.' or '-'",
    ),
    "cli_plan_unknown_unit": ("未知的单位或单位组“{name}”", "unknown unit or group '{name}'"),
    "cli_plan_unknown_plain_unit": ("未知的单位“{name}”", "unknown unit '{name}'"),
    "cli_plan_alias_taken": ("“{alias}”已是“{owner}”的名称", "'{alias}' already names '{owner}'"),
    "cli_plan_scored_alias_taken": (
        "“{alias}”已是指标 {code}（{owner}）的名称或别名",
        "'{alias}' already names indicator {code} ({owner})",
    ),
    "cli_plan_group_cycle": ("单位组 {group} 包含了它自己", "group {group} contains itself"),
    "cli_plan_item_twice": ("分项名称“{name}”用了两次", "item name '{name}' is used twice"),
    "cli_plan_items_short": (
        "各分项合计 {total} 分，少于指标满分 {max}",
        "items add up to {total}, less than the maximum {max}",
    ),
    "cli_plan_needs_periods": (
        "periodic_check 规则需要在指标上写 periods",
        "a periodic_check rule needs `periods` on the indicator",
    ),
    "cli_plan_needs_periodic": (
        "写了 periods 的指标，每个分项都要用 periodic_check 计分",
        "a periodic indicator must score every item with periodic_check",
    ),
    "cli_plan_unknown_section": ("未知的板块“{code}”", "unknown section '{code}'"),
    "cli_plan_sum_mismatch": ("指标合计 {total} 分，不等于 {max}", "indicators add up to {total}, not {max}"),
    "cli_plan_bonus_mismatch": ("附加项合计 {total} 分，不等于 {max}", "bonus indicators add up to {total}, not {max}"),
    "cli_plan_ends_before_start": ("方案的结束日期早于开始日期", "the plan ends before it starts"),
    "cli_plan_deadline_outside": (
        "截止日期 {date} 不在方案起止日期 {start} 至 {end} 之内",
        "deadline {date} is outside the plan's dates {start} to {end}",
    ),
    "cli_plan_phase_outside": (
        "阶段日期 {date} 不在方案起止日期 {start} 至 {end} 之内",
        "phase date {date} is outside the plan's dates {start} to {end}",
    ),
    "cli_plan_phase_backwards": ("阶段的结束日期早于开始日期", "the phase ends before it starts"),
    "cli_plan_bad_timezone": (
        "未知的时区“{zone}”（例如 Asia/Shanghai）",
        "unknown time zone '{zone}' (e.g. Asia/Shanghai)",
    ),
    # what the schema's own checks say (config/plan_schema.py raises them in English)
    "cli_schema_one_condition": (
        "条件只能写一个：at_least、above、at_most、below、equals 中的一个",
        "a condition needs exactly one of at_least, above, at_most, below, equals",
    ),
    "cli_schema_linear_same": ("zero_at 与 full_at 不能相同", "zero_at and full_at must differ"),
    "cli_schema_step_positive": ("step 必须大于 0", "step must be positive"),
    "cli_schema_each_needed": (
        "只写名称的分项需要 each 给出满分和规则",
        "items given by name need `each` with their max and rule",
    ),
    "cli_schema_period": ("月份写作 YYYY-MM", "a period is written YYYY-MM"),
    "cli_schema_task_when": (
        "任务需要 deadline（截止日期）或 ongoing: true（长期坚持）",
        "a task needs a deadline or ongoing: true",
    ),
    "cli_schema_workday_counts": ("工作日天数应在 1 到 30 之间", "working-day counts are between 1 and 30"),
    "cli_schema_quiet_hours": (
        "{moment} 落在免打扰时段 {start}–{end} 内",
        "{moment} falls in the quiet hours {start}–{end}",
    ),
    # pydantic's error types (the English side is pydantic's own message)
    "cli_pe_missing": ("缺少此项（必填）", "Field required"),
    "cli_pe_extra": ("不认识的键“{name}”：拼写有误，或不属于这里", "Extra inputs are not permitted ({name})"),
    "cli_pe_text": ("应为文字", "Input should be a valid string"),
    "cli_pe_integer": ("应为整数（收到“{input}”）", "Input should be a valid integer ({input})"),
    "cli_pe_number": ("应为数字（收到“{input}”）", "Input should be a valid number ({input})"),
    "cli_pe_bool": ("应为 true 或 false（收到“{input}”）", "Input should be a valid boolean ({input})"),
    "cli_pe_date": ("“{input}”不是有效的日期（写作 YYYY-MM-DD）", "Input should be a valid date ({input})"),
    "cli_pe_time": ("“{input}”不是有效的时刻（写作 HH:MM）", "Input should be a valid time ({input})"),
    "cli_pe_choice": ("应为以下之一：{choices}（收到“{input}”）", "Input should be one of {choices} ({input})"),
    "cli_pe_tag": ("{field} 应为以下之一：{choices}（收到“{input}”）", "{field} should be one of {choices} ({input})"),
    "cli_pe_tag_missing": ("缺少 {field}", "{field} is missing"),
    "cli_pe_list": ("应为列表（每行以“- ”开头，或写作 [a, b]）", "Input should be a valid list"),
    "cli_pe_mapping": ("应为“键: 值”的映射", "Input should be a valid dictionary"),
    "cli_pe_too_few": ("至少需要 {min} 项", "should have at least {min} items"),
    "cli_pe_too_many": ("最多 {max} 项", "should have at most {max} items"),
    "cli_pe_text_short": ("至少 {min} 个字", "should have at least {min} characters"),
    "cli_pe_text_long": ("最多 {max} 个字", "should have at most {max} characters"),
    "cli_pe_pattern": ("格式不对（应符合 {pattern}）", "should match the pattern {pattern}"),
    "cli_pe_gt": ("应大于 {limit}", "should be greater than {limit}"),
    "cli_pe_ge": ("应不小于 {limit}", "should be greater than or equal to {limit}"),
    "cli_pe_lt": ("应小于 {limit}", "should be less than {limit}"),
    "cli_pe_le": ("应不大于 {limit}", "should be less than or equal to {limit}"),
    "cli_pe_invalid": ("取值无效", "Value error"),
    "cli_pe_value": ("{reason}", "{reason}"),
    "cli_pe_other": ("取值不符合要求（{type}）", "invalid value ({type})"),
    # PyYAML's complaints (the English side is PyYAML's own message)
    "cli_yaml_syntax": ("YAML 格式有误：请检查缩进、冒号和引号", "not valid YAML"),
    "cli_yaml_mapping_values": (
        "此处不能出现“键: 值”：多半是缩进不对，或值里的冒号需要加引号",
        "mapping values are not allowed here",
    ),
    "cli_yaml_tab": ("不能用 Tab 缩进，请改用空格", "found character '\\t' that cannot start any token"),
    "cli_yaml_quote": ("引号没有闭合", "found unexpected end of stream"),
    "cli_yaml_indent": ("缩进不一致", "expected <block end>"),
    "cli_yaml_key": ("缺少冒号“:”，或缩进不一致", "could not find expected ':'"),
    "cli_yaml_tag": ("不支持的 YAML 标签", "could not determine a constructor for the tag"),
    # WeCom group robots (/robot, and what a robot posts)
    "robot_usage": (
        "用法：/robot 查看已绑定的群机器人；/robot <单位名称>|领导 <机器人地址或密钥> 绑定；/robot 解除 <单位名称>|领导 解除绑定。",
        "Usage: /robot lists the bound robots; /robot <unit>|leaders <robot URL or key> binds one; /robot remove <unit>|leaders removes it.",
    ),
    "robot_bad_key": (
        "这不是有效的群机器人地址。请在群聊中添加群机器人，把它的推送地址 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=… 整段发来，或只发其中的密钥。",
        "That is not a group robot's address. Add a robot to the group chat and send its whole address https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=… or just its key.",
    ),
    "robot_leaders": ("领导", "the leaders"),
    "robot_name": ("{who}群机器人", "{who} group robot"),
    "robot_none": (
        "尚未绑定群机器人。发送 /robot <单位名称>|领导 <机器人地址> 绑定。",
        "No group robot is bound. Send /robot <unit>|leaders <robot URL> to bind one.",
    ),
    "robot_header": ("已绑定的群机器人（{count} 个）：", "Group robots bound ({count}):"),
    "robot_line": ("  {who}：密钥尾号 {tail}", "  {who}: key ending {tail}"),
    "robot_bound": (
        "已为{who}绑定群机器人（密钥尾号 {tail}）。提醒和简报将同时发到该群。",
        "Group robot bound for {who} (key ending {tail}). Reminders and digests will also go to that group.",
    ),
    "robot_replaced": (
        "已为{who}更换群机器人（密钥尾号 {tail}），原来的机器人不再接收消息。",
        "Group robot of {who} replaced (key ending {tail}); the previous robot receives nothing more.",
    ),
    "robot_removed": ("已解除{who}的群机器人。", "The group robot of {who} is removed."),
    "robot_not_bound": ("{who}没有绑定群机器人。", "{who} has no group robot bound."),
    "robot_hint_title": ("在督办应用中发送以下命令即可登记：", "To record it, send one of these to the Duban app:"),
    "robot_hint_line": ("{label}：{command}", "{label}: {command}"),
    "cli_bad_leaders_robot": (
        "DUBAN_WECOM_LEADERS_ROBOT 不是有效的群机器人地址或密钥（…/cgi-bin/webhook/send?key=…）",
        "error: DUBAN_WECOM_LEADERS_ROBOT is not a group robot's webhook URL or key (…/cgi-bin/webhook/send?key=…)",
    ),
    "cli_run_robots": ("企业微信群机器人：已绑定 {count} 个。", "WeCom group robots: {count} bound."),
}
