"""Display rules of the pack (pipeline/report/formats.py) and its labels in pipeline/i18n.py."""
from __future__ import annotations

import math

import pytest

from pipeline.i18n import TEXT
from pipeline.registers import REGISTERS
from pipeline.report import formats as f
from pipeline.report.details import AGE_BANDS
from pipeline.report.workbook import AREA_LISTS


@pytest.mark.parametrize("text, width", [("OTD", 3), ("客户A", 5), ("交期达成率", 10), ("ＡＢ", 4), ("", 0),
                                         ("2026-10 交期", 12)])
def test_display_width_counts_east_asian_wide_as_two(text, width):
    assert f.display_width(text) == width


@pytest.mark.parametrize("texts, width", [
    (["OTD"], 6.0),                   # minimum 6
    (["交期达成率（批）"], 18.0),      # 8 wide characters = 16, + 2
    (["x" * 100], 60.0),              # at most 60
    (["短", "a much longer line"], 20.0),
])
def test_excel_column_width_fits_chinese(texts, width):
    assert f.excel_column_width(texts) == width


@pytest.mark.parametrize("value, unit, text", [
    (95.2631, "pct", "95.3%"), (1234.4, "ppm", "1,234"), (12.0, "count", "12"), (4.5, "count", "4.5"),
    (629399.0, "qty", "629,399"), (87.25, "score", "87.2"), (14.0, "days", "14.0"),
    (float("nan"), "pct", "—"), (None, "ppm", "—"), (float("inf"), "pct", "—")])
def test_format_value(value, unit, text):
    assert f.format_value(value, unit) == text


@pytest.mark.parametrize("text, width", [("OTD", 3), ("交期\n2026", 4), ("a\nlonger", 6), ("", 0), ("客户A", 5)])
def test_widest_line_width(text, width):
    assert f.widest_line_width(text) == width
    assert f.column_width(width) == f.excel_column_width([text])


@pytest.mark.parametrize("unit", ["pct", "ppm", "count", "qty", "days", "score", "mean_count", "unknown"])
def test_number_widths_is_the_widest_format_value_of_each_column(unit):
    """The shortcut (format only each column's largest and most negative value) against formatting
    every value: rounding carries (999.95), -0.0 and tiny negatives ("-0"), whole and fractional
    counts, columns without a finite value."""
    import numpy as np
    rng = np.random.default_rng(7)
    edges = [0.0, -0.0, -0.01, 0.04, 0.05, -0.05, 0.5, -0.5, 9.95, 9.96, 99.95, 999.95, 999.5, 9999.5,
             -999.5, 2.5, -2.5, 1.0, -1.0, 12.0, 1e15, -1e15, math.nan, math.inf, -math.inf]
    for _ in range(200):
        n = int(rng.integers(1, 12))
        scale = 10.0 ** int(rng.integers(-3, 8))
        columns = [rng.choice(edges, n), rng.normal(0, scale, n), np.round(rng.normal(0, scale, n), 1),
                   rng.integers(-2000, 2000, n).astype(float), np.full(n, math.nan)]
        values = np.column_stack(columns)
        expected = [max((len(f.format_value(x, unit)) for x in values[:, j] if math.isfinite(x)), default=0)
                    for j in range(values.shape[1])]
        assert f.number_widths(values, unit).tolist() == expected


def test_format_number_is_format_value_of_a_finite_number():
    for value in (95.2631, 1234.4, 12.0, 4.5, -0.0, -0.04, 999.95):
        for unit in ("pct", "ppm", "count", "qty", "score"):
            assert f.format_number(value, unit) == f.format_value(value, unit)
            assert f.format_number(value, unit, with_unit=False) == f.format_value(value, unit, with_unit=False)


@pytest.mark.parametrize("value, unit, text", [(-2.46, "pct", "-2.5"), (16.0, "ppm", "+16"), (0.0, "pct", "0.0"),
                                               (0.04, "pct", "0.0"), (float("nan"), "pct", "—")])
def test_format_delta(value, unit, text):
    assert f.format_delta(value, unit) == text


@pytest.mark.parametrize("text, width, cut", [("交期达成率（批）", 8, "交期达…"), ("abc", 3, "abc"),
                                              ("Northwind Motors", 10, "Northwind…")])
def test_truncate(text, width, cut):
    assert f.truncate(text, width) == cut


def test_sheet_name_rules():
    assert f.excel_sheet_name("a/b:c[d]*?") == "a-b-c-d---"
    assert len(f.excel_sheet_name("x" * 40)) == 31


def test_number_formats_by_role():
    assert f.NUMBER_FORMATS["pct"] == '0.0"%"'          # the kpis_long number, shown with a %
    assert f.NUMBER_FORMATS["ppm"] == "#,##0"
    assert f.NUMBER_FORMATS["date"] == "yyyy-mm-dd"


def test_is_missing():
    import pandas as pd
    assert all(f.is_missing(v) for v in (None, float("nan"), pd.NA, pd.NaT))
    assert not any(f.is_missing(v) for v in (0, "", "—", [1]))


# --- every label exists in both languages ------------------------------------------------------------

OUTPUTS_KPIS = ("due_lots late_lots otd_pct otd_qty_pct delivered_lots delivered_qty complaints complaint_rate_pct "
                "defect_qty ppm batch_rejects response_on_time_pct d8_on_time_pct late_8d median_days_to_close "
                "open_complaints scorecard_d scorecard_q scorecard_o scorecard_internal scorecard_final "
                "scorecard_annual survey_score survey_return_rate_pct survey_item_score repeat_complaints "
                "feedback_items feedback_filed_on_time_pct feedback_open feedback_median_days_to_complete visits "
                "visit_report_on_time_pct service_requests service_on_time_pct service_median_days "
                "service_satisfaction_pct warranty_cases property_incidents property_reported_pct audit_findings "
                "audit_actions_on_time_pct audit_open_findings").split()


def test_catalogue_covers_every_kpi_of_outputs_md():
    assert sorted(f.KPIS) == sorted(OUTPUTS_KPIS)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_kpi_area_and_sheet_has_a_label(language):
    for kpi in OUTPUTS_KPIS:
        assert f.kpi_label(kpi, language) != kpi
    for area in f.AREAS:
        assert TEXT[f"report.area.{area}"] and TEXT[f"report.absent.{area}"]
    names = [TEXT[f"report.sheet.{k}"][0 if language == "zh" else 1]
             for k in ("summary", "actions", "pareto", "changes", *f.AREAS, *[n for v in AREA_LISTS.values() for n in v])]
    assert len(names) == len(set(names)), "sheet names must be unique"
    assert all(len(n) <= 31 and n == f.excel_sheet_name(n) for n in names)


def test_report_texts_are_filled_in_both_languages():
    for key, (zh, en) in TEXT.items():
        if key.startswith("report."):
            assert zh.strip() and en.strip(), key


@pytest.mark.parametrize("language", ["zh", "en"])
def test_vocabulary_values_are_translated(language):
    values = {"complaints": ("category", "severity", "root_cause"), "service": ("type", "rating"),
              "customer_property": ("kind", "status"), "customer_audits": ("finding_type",),
              "feedback": ("category",)}
    for register, columns in values.items():
        for column in columns:
            for value in REGISTERS[register].column(column).vocab:
                assert f.vocab_label(column, value, language) != value or value in ("A", "B", "C", "D"), (column, value)
    assert f.vocab_label("root_cause", "material", "zh") == "料"
    assert f.vocab_label("kind", "material", "zh") == "材料"
    assert f.vocab_label("category", "something new", language) == "something new"   # shown, never dropped
    for band in AGE_BANDS:
        assert TEXT[f"report.age.{band}"]


def test_missing_value_mark():
    assert f.NO_VALUE == "—" and f.format_value(math.nan, "count") == "—"
