"""kpi_pack_<PERIOD>.xlsx (pipeline/report/workbook.py), read back with openpyxl."""
from __future__ import annotations

import math

import openpyxl
import pytest

from pipeline.report import workbook as wbk
from tests.golden import synthetic
from tests.golden.meaning import workbook_meaning


@pytest.fixture(scope="module")
def books(make_data, tmp_path_factory):
    out = {}
    for language in ("zh", "en"):
        path = tmp_path_factory.mktemp(language) / f"kpi_pack_{synthetic.PERIOD}.xlsx"
        wbk.write_workbook(path, make_data(language))
        out[language] = openpyxl.load_workbook(path)
    return out


def find_row(ws, column: int, text: str) -> int:
    for row in ws.iter_rows(min_col=column, max_col=column):
        if row[0].value == text:
            return row[0].row
    raise AssertionError(f"{text!r} not in column {column} of {ws.title}")


def kpi_value(kpis, kpi, period=synthetic.PERIOD, scope="company", key=""):
    rows = kpis[(kpis["kpi"] == kpi) & (kpis["period"] == period) & (kpis["scope"] == scope) & (kpis["key"] == key)]
    return float(rows["value"].iloc[0])


@pytest.mark.parametrize("language, first_sheets", [
    ("zh", ["汇总", "改进行动", "交期", "延迟批次", "客诉", "未结案客诉", "重复客诉", "柏拉图", "月度评分"]),
    ("en", ["Summary", "Actions", "Delivery", "Late lots", "Complaints", "Open complaints", "Repeat complaints",
            "Pareto", "Scorecard"]),
])
def test_sheet_names_and_order(books, language, first_sheets):
    names = books[language].sheetnames
    assert names[:len(first_sheets)] == first_sheets
    assert names[-1] == ("与上次运行比较" if language == "zh" else "What changed")
    assert len(names) == 25


def test_summary_holds_the_long_tables_numbers_with_status(books, synthetic_run):
    ws = books["zh"]["汇总"]
    r = find_row(ws, 2, "交期达成率（批）")
    # the very value of kpis_long (full precision), shown as 95.7% by the literal-percent format
    assert ws.cell(r, 4).value == kpi_value(synthetic_run.kpis, "otd_pct")
    assert ws.cell(r, 4).number_format == '0.0"%"'
    assert ws.cell(r, 5).value == 98.0 and ws.cell(r, 6).value == "未达标"
    assert ws.cell(r, 7).value == kpi_value(synthetic_run.kpis, "otd_pct", "2026-09")
    ppm = find_row(ws, 2, "客户 PPM")
    assert ws.cell(ppm, 4).number_format == "#,##0"


def test_no_value_is_a_dash_never_zero_or_an_error(books):
    ws = books["zh"]["汇总"]
    r = find_row(ws, 2, "反馈完结天数（中位数）")      # no feedback completed in October: no value
    assert ws.cell(r, 4).value == "—"
    for book in books.values():
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "e", f"{sheet.title}!{cell.coordinate} is an error cell"
                    assert not (isinstance(cell.value, float) and math.isnan(cell.value))


def test_status_is_coloured_by_conditional_format(books):
    ws = books["zh"]["汇总"]
    header = find_row(ws, 6, "状态")
    last = max(r for r in range(header + 1, ws.max_row + 1) if ws.cell(r, 2).value and ws.cell(r, 3).value)
    rules = sorted((str(cf.sqref), rule.formula[0]) for cf in ws.conditional_formatting for rule in cf.rules)
    status_range = f"F{header + 1}:F{last}"
    assert rules == sorted([(status_range, '"达标"'), (status_range, '"未达标"'), (status_range, '"—"')])


def test_frozen_header_filter_and_print_setup(books):
    ws = books["zh"]["汇总"]
    header = find_row(ws, 1, "区域")
    assert ws.freeze_panes == f"C{header + 1}"
    assert ws.auto_filter.ref.startswith(f"A{header}:J")
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9       # A4
    # fit to one page wide (1 is the default and is not written), any number tall
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)
    assert ws.page_setup.fitToHeight == 0 and ws.print_title_rows == f"${header}:${header}"


def test_input_text_that_looks_like_a_formula_stays_text(books):
    ws = books["zh"]["交期"]
    name = synthetic.CUSTOMERS.set_index("customer_code").loc["C004", "customer_name"]
    cells = [c for row in ws.iter_rows() for c in row if c.value == name]
    assert cells and all(c.data_type == "s" for c in cells)


@pytest.mark.parametrize("language, font", [("zh", "Microsoft YaHei"), ("en", "Calibri")])
def test_workbook_font(books, language, font):
    assert books[language]._fonts[0].name == font


def test_column_widths_fit_chinese(books):
    ws = books["zh"]["汇总"]
    # the widest KPI name: 客诉率（件/交货批） = 8 wide + 3 narrow... display width 17 → width 19
    assert ws.column_dimensions["B"].width >= 17


def test_area_without_register_says_so_in_one_line(make_data, tmp_path, synthetic_run):
    registers = {k: v for k, v in synthetic_run.registers.items() if k != "visits"}
    path = wbk.write_workbook(tmp_path / "pack.xlsx", make_data("zh", registers=registers))
    book = openpyxl.load_workbook(path)
    ws = book["客户走访"]
    assert ws["A2"].value == "未提供客户走访记录：本期没有走访数据。"
    assert ws.max_row == 2
    assert "走访报告逾期" not in book.sheetnames
    summary = book["汇总"]
    assert find_row(summary, 2, "未提供客户走访记录：本期没有走访数据。")


def test_native_charts_where_an_analyst_edits_them(tmp_path, make_data):
    path = wbk.write_workbook(tmp_path / "pack.xlsx", make_data("en"))
    meaning = workbook_meaning(path)
    charts = {name: sheet["charts"] for name, sheet in meaning["sheets"].items() if sheet["charts"]}
    assert charts["Delivery"] == ["lineChart"]
    assert charts["Complaints"] == ["barChart+lineChart"]
    assert charts["Pareto"] == ["barChart+lineChart"] * 4
    assert charts["Scorecard"] == ["lineChart"]


def test_what_changed_since_the_previous_run(books, synthetic_run):
    ws = books["en"]["What changed"]
    # synthetic.py made the previous run differ in three ways: company OTD at P was 0.5 higher, the
    # root-cause complaint rows of P were missing (they appear now), and a C999 row has gone.
    kpis = synthetic_run.kpis
    appeared = int(((kpis["kpi"] == "complaints") & (kpis["scope"] == "root_cause")
                    & (kpis["period"] == synthetic.PERIOD)).sum())
    assert ws["A2"].value == f"Since the previous run: 1 values changed, {appeared} appeared, 1 disappeared."
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=5)]
    changed = [r for r in rows if r[0] == "Changed"]
    assert changed[0][1] == synthetic.PERIOD and changed[0][2] == "On-time delivery (lots)"
    assert changed[0][8] == pytest.approx(-0.5)      # the previous run had +0.5
    assert [r[4] for r in rows if r[0] == "Disappeared"] == ["C999"]


def test_long_lists_are_cut_and_say_so(make_data, tmp_path, monkeypatch):
    monkeypatch.setattr(wbk, "MAX_LIST_ROWS", 1)
    path = wbk.write_workbook(tmp_path / "pack.xlsx", make_data("en"))
    ws = openpyxl.load_workbook(path)["Late lots"]
    assert ws["A2"].value == "The first 1 of 4 rows."
    assert ws.max_row == 4            # title, note, header, one row


def test_actions_list_every_missed_target_with_its_rule(books, synthetic_run):
    ws = books["zh"]["改进行动"]
    kpis = synthetic_run.kpis
    missed_now = kpis[(kpis["status"] == "missed") & (
        (kpis["period"] == synthetic.PERIOD) | (kpis["period"] == "2026H1") | (kpis["period"] == "2026"))]
    data_rows = [r for r in ws.iter_rows(min_row=5, values_only=True) if r[0]]
    assert len(data_rows) == len(missed_now)
    otd = [r for r in data_rows if r[1] == "交期达成率（批）" and r[2] == "公司"][0]
    assert otd[9] == f"交期达成率（批） {otd[6]:.1f}%，低于目标 98.0%（设置 targets.otd_pct）"
