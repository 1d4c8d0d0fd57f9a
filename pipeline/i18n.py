"""Every text the analyst or a manager reads, in Chinese and English, side by side.

`report.language` ("zh" | "en") picks the column. One table for the whole product, so that a label
can never exist in one language only: `tests/unit/test_i18n.py` checks both are filled in.

Add entries under the section of the module that uses them; keys are dotted, lower case.
Values may hold `str.format` fields: `t("dq.bad_date", "en", value="x")`.
"""
from __future__ import annotations

LANGUAGES = ("zh", "en")

TEXT: dict[str, tuple[str, str]] = {
    # --- run and command line (pipeline/cli.py, pipeline/run.py) ---
    "run.stage": ("[{n}/{total}] {stage}：{seconds:.2f} 秒", "[{n}/{total}] {stage}: {seconds:.2f} s"),
    "run.validated": ("完成：数据质量报告在 {out}；拒收 {rejected} 行", "Done: data-quality report in {out}; {rejected} rows rejected"),
    "run.nothing_usable": ("没有可用的数据：输入文件夹中没有可读取的登记表（{inputs}）", "nothing usable: no readable register in the inputs folder ({inputs})"),
    "run.no_inputs": ("输入文件夹不存在：{inputs}", "the inputs folder does not exist: {inputs}"),
    "run.bad_period": ("期间格式不对：{period}（应为 YYYY-MM，如 2026-10）", "bad period: {period} (expected YYYY-MM, e.g. 2026-10)"),
    "run.strict_failed": ("--strict：有 {rejected} 行被拒收、{unrecognised} 个工作表未识别", "--strict: {rejected} rows rejected, {unrecognised} sheets not recognised"),
    "run.cannot_write": ("无法写入输出：{path}（{why}）。之前的输出保持不变。", "cannot write the outputs: {path} ({why}). The previous outputs are unchanged."),
    "run.failed": ("运行失败：{why}（加 --debug 可查看技术细节）", "the run failed: {why} (add --debug for technical details)"),
    "run.reading": ("读取 {file}", "reading {file}"),
    "run.done": ("完成：输出在 {out}；拒收 {rejected} 行（详见数据质量报告）",
                 "Done: outputs in {out}; {rejected} rows rejected (see the data-quality report)"),
    # --- discovery and reading (pipeline/discover.py, pipeline/read/) ---
    "skip.type": ("不是要读取的文件类型（只读 .xlsx、.xlsm、.xls、.csv）", "not a file type the run reads (only .xlsx, .xlsm, .xls, .csv)"),
    "skip.settings": ("本次运行的设置文件（作为设置读取）", "this run's settings file (read as settings)"),
    "skip.symlink": ("链接文件，出于安全不读取", "a link; not followed, for safety"),
    "read.empty": ("文件是空的（0 字节）", "the file is empty (0 bytes)"),
    "read.not_a_workbook": ("文件内容不是 Excel 工作簿（扩展名与内容不符）", "the file is not an Excel workbook (its extension does not match its content)"),
    "read.not_text": ("文件扩展名是 .csv，但内容不是文本", "the file is named .csv but is not text"),
    "read.encoding": ("无法识别文本编码（不是 UTF-8、GB18030 或 UTF-16）", "the text encoding could not be told (not UTF-8, GB18030 or UTF-16)"),
    "read.unreadable": ("文件已损坏或无法读取", "the file is damaged or cannot be read"),
    "read.no_table": ("HTML 文件中没有表格", "the HTML file holds no table"),
    "read.no_visible_sheet": ("工作簿没有可见的工作表", "the workbook has no visible sheet"),
    "read.no_readable_sheet": ("工作簿中没有一个工作表能读取", "none of the workbook's sheets could be read"),
    "sheet.hidden": ("隐藏的工作表，不读取", "hidden sheet, not read"),
    "sheet.empty": ("空工作表", "empty sheet"),
    "sheet.unrecognised": ("无法识别为任何登记表；最接近：{closest}，缺少必需列：{missing}", "not recognised as any register; closest: {closest}, lacking required columns: {missing}"),
    "sheet.unrecognised_none": ("无法识别为任何登记表（前 20 行中没有已知表头）", "not recognised as any register (no known header in the first 20 rows)"),
    "sheet.ambiguous": ("同时符合多个登记表（{candidates}），匹配列数相同，未使用", "matches several registers equally ({candidates}); not used"),
    "sheet.duplicate_column": ("同一字段有两列：{columns}；该表未使用", "two columns for one field: {columns}; the sheet is not used"),
    "sheet.ok": ("已读取", "read"),
    "sheet.refused": ("工作表被拒绝：{reason}", "sheet refused: {reason}"),
    "sheet.ignored_columns": ("登记表不使用这些列（已忽略）：{columns}", "columns the register does not use (ignored): {columns}"),
    "warn.unknown_customer": ("客户不在客户清单中：{customer}（{register}，{rows} 行，首见 {file} [{sheet}] 第 {row} 行）；按非汽车客户处理", "customer not in the master: {customer} ({register}, {rows} rows, first at {file} [{sheet}] row {row}); treated as non-automotive"),
    # --- value normalisation (pipeline/stage/normalise.py) ---
    # --- staging, keys, duplicates (pipeline/stage/, pipeline/quality.py) ---
    "reason.missing_required": ("必填项为空", "a required value is blank"),
    "reason.negative": ("不能为负数", "cannot be negative"),
    "reason.below_min": ("小于允许的最小值", "below the smallest value allowed"),
    "reason.not_positive": ("必须大于 0", "must be above 0"),
    "reason.above_max": ("超过允许的最大值（如分数超过满分）", "above the largest value allowed (e.g. a score above the scale)"),
    "reason.bad_format": ("格式不对", "not in the expected form"),
    "reason.conflict": ("同一工作表中同一编号出现两次且内容不同（两行都拒收）", "the same key twice in one sheet with different values (both rows rejected)"),
    "reason.customer_given": ("客户代码和客户名称都为空", "neither customer code nor customer name is given"),
    "reason.delivered_within_a_year_of_due": ("实际交货日期比要求交期早 366 天以上", "delivered more than 366 days before the due date"),
    "reason.response_not_before_received": ("回复时间早于客诉日期", "the response is earlier than the received date"),
    "reason.report_8d_not_before_received": ("8D 日期早于客诉日期", "the 8D is earlier than the received date"),
    "reason.closure_not_before_received": ("结案日期早于客诉日期", "the closure is earlier than the received date"),
    "reason.returned_row_has_a_score": ("已回收的问卷没有任何分数", "a returned survey with no score at all"),
    "reason.event_date_when_lost_or_damaged": ("状态为遗失/损坏/不适用时必须填写异常日期", "an event date is required when the status is lost, damaged or unsuitable"),
    "reason.sheet_duplicate_column": ("工作表中同一字段有两列，无法使用", "the sheet has two columns for one field and cannot be used"),
    "dup.duplicate": ("重复（内容完全相同，只保留一行）", "duplicate (identical, kept once)"),
    "dup.superseded": ("被较新的文件替代", "superseded by a newer workbook"),
    # --- settings (pipeline/settings.py) ---
    "settings.errors": ("设置有 {count} 处问题，运行未开始（未读取任何输入）：",
                        "The settings have {count} problem(s); the run did not start (no input was read):"),
    "settings.error_line": ("{file}：{key} — {problem}；允许：{allowed}",
                            "{file}: {key} — {problem}; allowed: {allowed}"),
    "settings.whole_file": ("（整个文件）", "(the whole file)"),
    "settings.problem.not_found": ("文件不存在", "file not found"),
    "settings.problem.bad_toml": ("不是有效的 TOML：{value}", "not valid TOML: {value}"),
    "settings.problem.unreadable": ("无法读取：{value}", "cannot be read: {value}"),
    "settings.problem.unknown_key": ("未知的设置项", "unknown key"),
    "settings.problem.unknown_register": ("未知的登记表 {value}", "unknown register {value}"),
    "settings.problem.missing": ("缺少此项", "missing"),
    "settings.problem.wrong_type": ("类型不对：{value}", "wrong type: {value}"),
    "settings.problem.out_of_range": ("取值超出范围：{value}", "value out of range: {value}"),
    "settings.problem.in_both_lists": ("这些日期同时列在 extra_holidays 和 extra_workdays 中：{value}",
                                       "these days are in both extra_holidays and extra_workdays: {value}"),
    "settings.problem.not_env_reference": ("不是环境变量引用（设置文件中不得直接写密码）",
                                           "not an environment-variable reference (never write a password in the settings)"),
    "settings.problem.all_zero": ("所有权重都为 0", "every weight is 0"),
    "settings.problem.not_descending": ("没有严格从大到小排列：{value}", "not strictly descending: {value}"),
    "settings.allowed.toml_file": ("可读取的 UTF-8 TOML 文件", "a readable UTF-8 TOML file"),
    "settings.allowed.table": ("一个表（[节] 或 {{ 键 = 值 }}）", "a table ([section] or {{ key = value }})"),
    "settings.allowed.keys": ("此处已知的设置项：{names}", "the known keys here: {names}"),
    "settings.allowed.number_range": ("{min} 到 {max} 之间的数", "a number from {min} to {max}"),
    "settings.allowed.number_gt": ("大于 {min} 的数", "a number above {min}"),
    "settings.allowed.number_ge": ("不小于 {min} 的数", "a number of at least {min}"),
    "settings.allowed.int_ge": ("不小于 {min} 的整数", "a whole number of at least {min}"),
    "settings.allowed.bool": ("true 或 false", "true or false"),
    "settings.allowed.text": ("非空文本（加引号）", "a non-empty text in quotes"),
    "settings.allowed.one_of": ("以下之一：{names}", "one of: {names}"),
    "settings.allowed.list_of": ("由以下值组成的列表：{names}", "a list of: {names}"),
    "settings.allowed.text_list": ("文本列表，如 [\"a\", \"b\"]", "a list of texts, e.g. [\"a\", \"b\"]"),
    "settings.allowed.date": ("日期，如 2026-10-31", "a date such as 2026-10-31"),
    "settings.allowed.date_list": ("日期列表，如 [2026-08-03]，且同一天不能既是假日又是工作日",
                                   "a list of dates such as [2026-08-03], no day in both lists"),
    "settings.allowed.env": ("\"env:环境变量名\"，如 \"env:QA_XLSX_PASSWORD\"",
                             "\"env:VARIABLE_NAME\", e.g. \"env:QA_XLSX_PASSWORD\""),
    "settings.allowed.weights": ("不小于 0 的数，且至少一项大于 0", "numbers of at least 0, at least one above 0"),
    "settings.allowed.grading": ("\"95-85-70-50\"、\"98-90-75-60\"，或分档列表 [{{ min = 90, label = \"very satisfied\", label_zh = \"非常满意\" }}, …]",
                                 "\"95-85-70-50\", \"98-90-75-60\", or a list of bands [{{ min = 90, label = \"very satisfied\", label_zh = \"非常满意\" }}, …]"),
    "settings.allowed.band": ("{{ min = 数, inclusive = true/false（可省略，默认 true）, label = \"英文\", label_zh = \"中文\" }}；只有最后一档可省略 min",
                              "{{ min = number, inclusive = true/false (optional, default true), label = \"English\", label_zh = \"中文\" }}; only the last band may leave out min"),
    "settings.allowed.bands": ("各档 min 严格从大到小", "band mins strictly descending"),
    "settings.allowed.last_band": ("最后一档 min ≤ 0 或省略 min，使每个 0–100 的分数都有等级",
                                   "a last band with min ≤ 0 or no min, so that every 0–100 score gets a grade"),
    "settings.allowed.tiers": ("[{{ min_value = 不小于 0 的数, share = 0 到 1 }}, …]，min_value 严格从大到小，最后一档为 0",
                               "[{{ min_value = number ≥ 0, share = 0 to 1 }}, …], min_value strictly descending, the last one 0"),
    "settings.allowed.last_tier": ("最后一档 min_value = 0（未达到其他档的客户都归入此档）",
                                   "a last tier with min_value = 0 (every customer reaching no other tier belongs to it)"),
    "settings.allowed.aliases": ("表头别名列表，如 [\"登记日期\"]", "a list of header spellings, e.g. [\"登记日期\"]"),
    # --- KPIs (pipeline/kpis/) ---
    "kpis.sampling.title": ("{company} 客户满意度调查抽样名单（{period}）",
                            "{company} customer satisfaction survey: sampling plan ({period})"),
    "kpis.sampling.sheet.dispatch": ("调查发放名单", "Dispatch list"),
    "kpis.sampling.sheet.tiers": ("抽样分层", "Tiers"),
    "kpis.sampling.col.customer_code": ("客户代码", "Customer code"),
    "kpis.sampling.col.customer_name": ("客户名称", "Customer name"),
    "kpis.sampling.col.annual_order_value": ("年订单额", "Annual order value"),
    "kpis.sampling.col.tier": ("层级", "Tier"),
    "kpis.sampling.col.tier_text": ("分层规则", "Tier rule"),
    "kpis.sampling.col.reason": ("入选原因", "Why included"),
    "kpis.sampling.col.tier_min_value": ("年订单额下限", "Order value from"),
    "kpis.sampling.col.tier_share": ("抽样比例", "Share surveyed"),
    "kpis.sampling.col.customers": ("客户数", "Customers"),
    "kpis.sampling.col.drawn": ("分层抽中", "Drawn in tier"),
    "kpis.sampling.col.always": ("规定必查加入", "Added by always-include"),
    "kpis.sampling.col.selected": ("调查客户数", "Customers surveyed"),
    "kpis.sampling.tier_text": ("年订单额 ≥ {min_value}，抽查 {share}", "order value ≥ {min_value}, {share} surveyed"),
    "kpis.sampling.reason.tier_all": ("本层全数调查", "whole tier surveyed"),
    "kpis.sampling.reason.tier_draw": ("本层随机抽中", "drawn at random in its tier"),
    "kpis.sampling.reason.always_segment": ("{segment}客户必查", "{segment} customers always surveyed"),
    "kpis.sampling.reason.always_key": ("重点客户必查", "key customers always surveyed"),
    "kpis.sampling.reason.not_drawn": ("未抽中", "not drawn"),
    "kpis.sampling.segment.automotive": ("汽车", "automotive"),
    "kpis.sampling.segment.non-automotive": ("非汽车", "non-automotive"),
    # --- report labels (pipeline/report/) ---
}


def t(key: str, language: str, /, **fields: object) -> str:
    """The text for `key` in `language`, with `fields` filled in.

    An unknown key is a programming error and raises KeyError: a missing label must fail a test,
    not show a manager a raw key.
    """
    zh, en = TEXT[key]
    text = zh if language == "zh" else en
    return text.format(**fields) if fields else text
