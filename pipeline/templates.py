"""Blank input registers: one workbook per register, for analysts starting from nothing.

shared/spec/outputs.md: "`make templates` — blank input registers (one workbook per register,
Chinese and English headers, drop-down lists for vocabulary columns, date formats, an
instructions sheet) into `templates/`."

Everything a template says comes from the register catalogue (`pipeline/registers.py`): the
columns, their labels, kinds, vocabularies, ranges and blank defaults; the words around them
come from `pipeline/i18n.py`. A filled-in template must be read back as its register, so each
header cell holds the Chinese label and the English label on two lines of one cell
(`客户代码⏎Customer code`, the English in grey): one header row, no second row the reader could
take for data, and `AliasIndex.match` recognises the pair (tests/unit/test_templates.py reads
the templates back).
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Mapping

import xlsxwriter

from pipeline.headers import normalise_header
from pipeline.i18n import TEXT, t
from pipeline.registers import REGISTERS, Column, Register

# Sheets the analyst does not fill in: a reader may skip them by name.
INSTRUCTIONS_SHEET_NAMES = frozenset(TEXT["template.sheet.instructions"])
# the instructions sheet's table header, one column per key (列名 / 字段 / 是否必填 …)
INSTRUCTIONS_HEADINGS = ("template.col.column", "template.col.field", "template.col.required",
                         "template.col.kind", "template.col.allowed", "template.col.how")


def is_instructions_sheet(name: str, cells) -> bool:
    """True for the instructions sheet `_write_instructions` writes: its name, and its table
    header (in either language) among the first rows of `cells` — a company's own sheet that is
    merely named 说明 / Instructions is not ours."""
    if name not in INSTRUCTIONS_SHEET_NAMES:
        return False
    headers = {tuple(TEXT[k][i] for k in INSTRUCTIONS_HEADINGS) for i in (0, 1)}
    width = len(INSTRUCTIONS_HEADINGS)
    return any(tuple(str(v).strip() for v in row[:width]) in headers
               for row in cells.head(12).itertuples(index=False))

# registers.md marks these "yes (column), values may be blank": the header must be there, a
# blank cell means "not delivered" / "not returned".
COLUMNS_REQUIRED_VALUES_OPTIONAL = frozenset({
    ("deliveries", "delivered_date"),
    ("survey_returns", "returned_date"),
})

_LAST_ROW = 1_048_575                 # 0-based index of Excel's last row
_NUMBER_FORMATS = {
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "month": "yyyy-mm",
    "int": "0",
    "number": "General",
    "score": "General",
}
_TEXT_KINDS = frozenset({"text", "code", "vocab", "bool", "round"})
_BLANK_WORDS = {"unclassified": "template.value.unclassified",
                "undetermined": "template.value.undetermined"}
_WIDE_TEXT_KINDS = frozenset({"text"})
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _display_width(text: str) -> int:
    """Width in Excel character units: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _has_cjk(text: str) -> bool:
    return any(unicodedata.east_asian_width(ch) in "WF" for ch in text)


def vocab_choices(column: Column, language: str) -> list[str]:
    """What the drop-down list offers for a vocabulary or yes/no column.

    Chinese: the first Chinese spelling of each value (紧急, 一般; 人, 机, 料 …) — except where the
    canonical value is itself what people write (the single letters A/B/C/D). English: the
    canonical values (urgent, normal). Every choice is accepted by `parse_vocab`/`parse_bool`.
    """
    if column.kind == "bool":
        return [t("template.value.yes", language), t("template.value.no", language)]
    choices = []
    for canonical, spellings in column.vocab.items():
        if language != "zh" or len(canonical) == 1:
            choices.append(canonical)
            continue
        choices.append(next((s for s in spellings if _has_cjk(s)), canonical))
    return choices


def _header_pair(column: Column, language: str) -> tuple[str, str]:
    zh, en = column.zh or column.label, column.en or column.name
    return (zh, en) if language == "zh" else (en, zh)


def _required_text(register: Register, column: Column, language: str) -> str:
    if register.needs_customer and column.name in ("customer_code", "customer_name"):
        return t("template.required.customer", language)
    if (register.name, column.name) in COLUMNS_REQUIRED_VALUES_OPTIONAL:
        return t("template.required.column", language)
    return t("template.required.yes" if column.required else "template.required.no", language)


def _is_marked_required(register: Register, column: Column) -> bool:
    return column.required or (register.needs_customer
                                and column.name in ("customer_code", "customer_name"))


def _allowed_text(column: Column, language: str) -> str:
    if column.kind == "bool":
        return " / ".join(vocab_choices(column, language))
    if column.kind != "vocab":
        return ""
    sep = "；" if language == "zh" else "; "
    return sep.join(" / ".join(_distinct_spellings((*spellings, canonical))) + f" → {canonical}"
                    for canonical, spellings in column.vocab.items())


def _distinct_spellings(spellings: tuple[str, ...]) -> list[str]:
    """One spelling per form the reader tells apart (a, A, Ａ are one): the plainest of each."""
    groups: dict[str, list[str]] = {}
    for spelling in spellings:
        groups.setdefault(normalise_header(spelling), []).append(spelling)
    return [max(group, key=lambda s: (unicodedata.normalize("NFKC", s) == s,
                                      sum(ch.isupper() for ch in s)))
            for group in groups.values()]


def _number_rule(column: Column, language: str) -> str:
    rules = []
    if column.ge is not None:
        rules.append(t("template.how.min", language, value=f"{column.ge:g}"))
    if column.gt is not None:
        rules.append(t("template.how.above", language, value=f"{column.gt:g}"))
    if column.le is not None:
        rules.append(t("template.how.max", language, value=f"{column.le:g}"))
    return ("，" if language == "zh" else ", ").join(rules)


def _blank_text(column: Column, language: str) -> str:
    blank = column.blank
    if blank is None:
        return ""
    if column.kind == "bool":
        word = t("template.value.yes" if blank else "template.value.no", language)
    elif column.kind == "vocab" and blank in column.vocab:
        word = dict(zip(column.vocab, vocab_choices(column, language)))[blank]
    elif blank in _BLANK_WORDS:
        word = t(_BLANK_WORDS[blank], language)
    else:
        word = str(blank)
    return t("template.how.blank", language, value=word)


def _how_text(register: Register, column: Column, language: str) -> str:
    parts = []
    if column.kind in ("date", "datetime", "month", "round", "bool", "code"):
        parts.append(t(f"template.how.{column.kind}", language))
    if column.kind in ("int", "number"):
        parts.append(_number_rule(column, language))
    if column.kind == "score":
        parts.append(t("template.how.score_scale", language))
        if f"template.how.{register.name}.score" in TEXT:
            parts.append(t(f"template.how.{register.name}.score", language))
    if column.kind == "int":
        parts.append(t("template.how.unit", language))
    specific = f"template.how.{register.name}.{column.name}"
    if specific in TEXT:
        parts.append(t(specific, language))
    parts.append(_blank_text(column, language))
    return ("；" if language == "zh" else "; ").join(p for p in parts if p)


def _sheet_name(text: str) -> str:
    return _SHEET_NAME_FORBIDDEN.sub("_", text)[:31]


class _Formats:
    """Every cell format of a template, declared once and named by role."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        font = {"font_name": "微软雅黑", "font_size": 10}
        header = {**font, "bold": True, "text_wrap": True, "valign": "vcenter", "border": 1}
        self.header_optional = book.add_format({**header, "bg_color": "#D9E1F2"})
        self.header_required = book.add_format({**header, "bg_color": "#F8CBAD"})
        self.header_main = book.add_format({**font, "bold": True})
        self.header_second = book.add_format({**font, "color": "#808080"})
        self.by_kind = {kind: book.add_format({**font, "num_format": fmt})
                        for kind, fmt in _NUMBER_FORMATS.items()}
        self.text = book.add_format({**font, "num_format": "@"})
        self.plain = book.add_format(font)
        self.title = book.add_format({**font, "bold": True, "font_size": 14})
        self.note = book.add_format({**font, "text_wrap": True, "valign": "top"})
        self.table_header = book.add_format({**font, "bold": True, "bg_color": "#D9E1F2",
                                             "border": 1, "text_wrap": True, "valign": "top"})
        self.cell = book.add_format({**font, "border": 1, "text_wrap": True, "valign": "top"})
        self.cell_required = book.add_format({**font, "border": 1, "text_wrap": True,
                                              "valign": "top", "bg_color": "#F8CBAD"})

    def column(self, kind: str):
        return self.text if kind in _TEXT_KINDS else self.by_kind.get(kind, self.plain)


def _write_data_sheet(book: xlsxwriter.Workbook, fmt: _Formats, register: Register,
                      language: str) -> None:
    sheet = book.add_worksheet(_sheet_name(register.zh if language == "zh" else register.en))
    sheet.set_row(0, 36)
    for col, column in enumerate(register.columns):
        first, second = _header_pair(column, language)
        required = _is_marked_required(register, column)
        cell = fmt.header_required if required else fmt.header_optional
        sheet.write_rich_string(0, col, fmt.header_main, first, fmt.header_second,
                                "\n" + second, cell)
        if required:
            customer = register.needs_customer and column.name in ("customer_code", "customer_name")
            sheet.write_comment(0, col, t("template.comment.customer" if customer
                                          else "template.comment.required", language))
        choices = vocab_choices(column, language) if column.kind in ("vocab", "bool") else []
        width = max([_display_width(first), _display_width(second),
                     *(_display_width(c) for c in choices), 10])
        if column.kind in _WIDE_TEXT_KINDS:
            width = max(width, 24)
        sheet.set_column(col, col, min(width + 2, 40), fmt.column(column.kind))
        _validate(sheet, col, column, choices, language)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, 0, len(register.columns) - 1)


def _validate(sheet, col: int, column: Column, choices: list[str], language: str) -> None:
    """Drop-down lists for vocabulary and yes/no columns; number bounds for number columns."""
    if choices:
        sheet.data_validation(1, col, _LAST_ROW, col, {
            "validate": "list", "source": choices,
            "input_title": t("template.list.title", language),
            "input_message": t("template.list.message", language),
            "error_title": t("template.list.error_title", language),
            "error_message": t("template.list.error", language),
        })
        return
    if column.kind not in ("int", "number", "score"):
        return
    low = column.ge if column.ge is not None else column.gt
    if low is None and column.le is None:
        return
    options = {"validate": "integer" if column.kind == "int" else "decimal",
               "error_title": t("template.number.title", language),
               "error_message": t("template.number.error", language,
                                  rule=_number_rule(column, language))}
    if low is not None and column.le is not None:
        options.update(criteria="between", minimum=low, maximum=column.le)
    elif low is not None:
        options.update(criteria=">=" if column.ge is not None else ">", value=low)
    else:
        options.update(criteria="<=", value=column.le)
    sheet.data_validation(1, col, _LAST_ROW, col, options)


def _write_instructions(book: xlsxwriter.Workbook, fmt: _Formats, register: Register,
                        language: str) -> None:
    sheet = book.add_worksheet(t("template.sheet.instructions", language))
    name = f"{register.zh} / {register.en}" if language == "zh" else f"{register.en} / {register.zh}"
    sheet.write_string(0, 0, t("template.title", language, register=name), fmt.title)
    intro = ("template.intro.header", "template.intro.required", "template.intro.lists",
             "template.intro.blank")
    for row, key in enumerate(intro, start=1):
        sheet.write_string(row, 0, t(key, language), fmt.plain)
    top = len(intro) + 2
    for col, key in enumerate(INSTRUCTIONS_HEADINGS):
        sheet.write_string(top, col, t(key, language), fmt.table_header)
    for row, column in enumerate(register.columns, start=top + 1):
        first, second = _header_pair(column, language)
        required = _is_marked_required(register, column)
        cells = (f"{first} / {second}", column.name, _required_text(register, column, language),
                 t(f"template.kind.{column.kind}", language), _allowed_text(column, language),
                 _how_text(register, column, language))
        for col, text in enumerate(cells):
            sheet.write_string(row, col, text,
                               fmt.cell_required if required and col == 2 else fmt.cell)
    for col, width in enumerate((28, 20, 22, 22, 50, 50)):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(top + 1, 0)


def write_template(path: Path, register: Register, language: str = "zh") -> Path:
    """One register's blank workbook: the data sheet (bilingual header, drop-downs, formats,
    frozen header, required columns marked) and the instructions sheet."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                           "nan_inf_to_errors": True})
    try:
        fmt = _Formats(book)
        book.set_properties({"title": f"{register.zh} / {register.en}",
                             "subject": register.name, "comments": "make templates"})
        _write_data_sheet(book, fmt, register, language)
        _write_instructions(book, fmt, register, language)
    finally:
        book.close()
    return path


def write_templates(out_dir: str | Path, language: str = "zh",
                    registers: Mapping[str, Register] = REGISTERS) -> dict[str, Path]:
    """Blank input registers into `out_dir` (created if needed), one workbook per register.

    Files are named after the register in the chosen language (`顾客抱怨事件登录表.xlsx`,
    `Complaint register.xlsx`); an existing file of that name is replaced. Returns register
    name → path.
    """
    if language not in ("zh", "en"):
        raise ValueError(f"language must be 'zh' or 'en', not {language!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for register in registers.values():
        title = register.zh if language == "zh" else register.en
        written[register.name] = write_template(out / f"{_sheet_name(title)}.xlsx", register,
                                                language)
    return written
