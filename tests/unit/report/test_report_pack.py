"""build_pack end to end, and how the pack finds the KPI modules' detail lists."""
from __future__ import annotations

import types

import openpyxl
import pandas as pd

from pipeline.report import build_pack, charts, details as d
from tests.golden import synthetic


def test_build_pack_writes_workbook_pdf_and_every_chart(tmp_path, synthetic_run, report_ctx, make_run_info,
                                                       read_pdf_text, monkeypatch):
    monkeypatch.setattr(charts, "PNG_DPI", 60)            # the same charts, fewer pixels: a faster test
    paths = build_pack(tmp_path, synthetic_run.kpis, synthetic_run.registers, report_ctx, make_run_info("zh"), None)
    names = [p.relative_to(tmp_path).as_posix() for p in paths]
    assert names[:2] == ["kpi_pack_2026-10.xlsx", "review_pack_2026-10.pdf"]
    assert names[2:] and all(n.startswith("charts/") and n.endswith(".png") for n in names[2:])
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)
    assert synthetic.COMPANY in read_pdf_text(paths[1])
    book = openpyxl.load_workbook(paths[0])
    # with the real list functions, the open complaints are the register's complaints with no closed date
    register = synthetic_run.registers["complaints"]
    still_open = set(register.loc[register["closed_date"].isna(), "complaint_no"])
    ws = book["未结案客诉"]
    listed = {c.value for c in ws["A"][3:] if c.value}
    assert listed == still_open
    assert book["与上次运行比较"]["A2"].value == "本输出文件夹中没有上一次运行的 kpis_long.csv：无从比较。"


def test_a_list_whose_module_is_missing_is_not_available(monkeypatch):
    assert d.detail_function(d.DetailSource("pipeline.kpis.no_such_module", "rows", "delivery")) is None
    assert d.detail_function(d.DetailSource("pipeline.kpis.base", "no_such_function", "delivery")) is None


def test_a_list_function_taking_a_register_gets_that_frame(monkeypatch):
    seen = {}

    def open_rows(complaints, ctx):
        seen["frame"] = complaints
        return complaints.head(0)
    module = types.ModuleType("fake_kpis")
    module.open_rows = open_rows
    monkeypatch.setitem(__import__("sys").modules, "fake_kpis", module)
    function = d.detail_function(d.DetailSource("fake_kpis", "open_rows", "complaints"))
    frame = pd.DataFrame({"complaint_no": ["x"]})
    assert function({"complaints": frame}, None).empty and seen["frame"] is frame
    assert function({}, None) is None                     # register absent: not called


def test_lists_of_absent_areas_are_not_collected(report_ctx, synthetic_run):
    registers = {"customers": synthetic_run.registers["customers"]}
    lists = d.collect_details(registers, report_ctx)
    assert all(lists[name] is None for name in d.DETAIL_SOURCES)
    assert lists["complaint_parts"] is None
