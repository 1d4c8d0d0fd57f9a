"""The data-quality workbook: what was read, and every row that was not used, and why.

One sheet per concern (summary, files, sheets, column mapping, rejected rows, duplicates and
superseded rows, warnings), frozen headers, filters, widths that fit Chinese text. Every text that
came from an input is written as a string, never as a formula.
"""
from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Sequence

import pandas as pd
import xlsxwriter

from pipeline.i18n import t

WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False, "nan_inf_to_errors": True}


def display_width(text: str) -> int:
    """Columns a text needs: East-Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _write_table(workbook, name: str, headers: Sequence[str], rows: Sequence[Sequence[object]],
                 formats: dict, note: str = "") -> None:
    ws = workbook.add_worksheet(name[:31])
    start = 0
    if note:
        ws.write_string(0, 0, note, formats["note"])
        start = 1
    for c, h in enumerate(headers):
        ws.write_string(start, c, h, formats["header"])
    widths = [display_width(h) + 2 for h in headers]
    for r, row in enumerate(rows, start=start + 1):
        for c, value in enumerate(row):
            if value is None or (isinstance(value, float) and value != value):
                continue
            if isinstance(value, bool):
                ws.write_string(r, c, "✓" if value else "✗")
                text = "✓"
            elif isinstance(value, (int, float)):
                ws.write_number(r, c, value)
                text = f"{value:,}"
            else:
                text = str(value)
                ws.write_string(r, c, text)
            widths[c] = max(widths[c], min(display_width(text) + 2, 60))
    for c, w in enumerate(widths):
        ws.set_column(c, c, max(w, 6))
    ws.freeze_panes(start + 1, 0)
    ws.autofilter(start, 0, start + max(len(rows), 1), max(len(headers) - 1, 0))
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(start)


def write_quality_workbook(path: Path, language: str, files: list[dict], sheets: list[dict],
                           mappings: list[dict], rejects: pd.DataFrame, set_aside: pd.DataFrame,
                           warnings: list[dict], summary: list[tuple[str, object]]) -> None:
    L = language
    zh = L == "zh"
    wb = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
    font = "等线" if zh else "Calibri"
    formats = {
        "header": wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "font_name": font,
                                 "text_wrap": True, "valign": "top"}),
        "note": wb.add_format({"italic": True, "font_color": "#555555", "font_name": font}),
    }
    wb.formats[0].set_font_name(font)
    _write_table(wb, "概览" if zh else "Summary", ["项目" if zh else "Item", "数量" if zh else "Count"],
                 summary, formats)
    _write_table(wb, "文件" if zh else "Files",
                 ["文件", "状态", "原因", "大小(字节)", "SHA-256"] if zh else
                 ["File", "Status", "Reason", "Size (bytes)", "SHA-256"],
                 [[f["file"], f["status_label"], f["reason"], f.get("size"), f.get("sha256", "")] for f in files],
                 formats)
    _write_table(wb, "工作表" if zh else "Sheets",
                 ["文件", "工作表", "登记表", "说明", "表头行", "读取行数", "接受", "拒收", "跳过", "重复", "被替代", "核对"]
                 if zh else
                 ["File", "Sheet", "Register", "Note", "Header row", "Rows read", "Accepted", "Rejected",
                  "Skipped", "Duplicates", "Superseded", "Adds up"],
                 [[s["file"], s["sheet"], s.get("register_label", ""), s.get("note", ""), s.get("header_row"),
                   s["rows_read"], s["accepted"], s["rejected"], s["skipped"], s["duplicates"], s["superseded"],
                   s["rows_read"] == s["accepted"] + s["rejected"] + s["skipped"]] for s in sheets],
                 formats, note=("读取行数 = 接受 + 拒收 + 跳过；重复和被替代的行属于“接受”，但不参与计算"
                                if zh else "rows read = accepted + rejected + skipped; duplicates and superseded "
                                           "rows are among the accepted but are not used"))
    _write_table(wb, "列映射" if zh else "Columns",
                 ["文件", "工作表", "登记表", "表头（原文）", "字段"] if zh else
                 ["File", "Sheet", "Register", "Header as written", "Column"],
                 [[m["file"], m["sheet"], m["register"], m["header"], m["column"]] for m in mappings], formats)
    _write_table(wb, "拒收行" if zh else "Rejected rows",
                 ["文件", "工作表", "Excel 行号", "列（原文表头）", "值", "原因"] if zh else
                 ["File", "Sheet", "Excel row", "Column (as written)", "Value", "Reason"],
                 [[r.file, r.sheet, int(r.row), r.column, r.value, r.reason_text]
                  for r in rejects.itertuples(index=False)], formats)
    _write_table(wb, "重复与替代" if zh else "Duplicates",
                 ["登记表", "类别", "文件", "工作表", "Excel 行号", "键", "保留的文件", "保留的工作表", "保留的行"] if zh else
                 ["Register", "Kind", "File", "Sheet", "Excel row", "Key", "Kept file", "Kept sheet", "Kept row"],
                 [[d.register, t(f"dup.{d.kind}", L), d.file, d.sheet, int(d.row), d.key, d.kept_file,
                   d.kept_sheet, None if pd.isna(d.kept_row) else int(d.kept_row)]
                  for d in set_aside.itertuples(index=False)], formats)
    _write_table(wb, "警告" if zh else "Warnings",
                 ["类别", "文件", "工作表", "说明"] if zh else ["Kind", "File", "Sheet", "Message"],
                 [[w["kind"], w.get("file", ""), w.get("sheet", ""), w["message"]] for w in warnings], formats)
    wb.close()
