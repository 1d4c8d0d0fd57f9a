"""The pack's tables from the long KPI table (pipeline/report/details.py): given rows → expected
rows, worked by hand from kpis.md and outputs.md."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pipeline.kpis.base import LONG_COLUMNS, trailing_months
from pipeline.report import details as d

P = "2026-10"
MONTHS = trailing_months(P, 12)        # 2025-11 … 2026-10


def long(rows: list[dict]) -> pd.DataFrame:
    base = {"period": P, "kpi": "", "scope": "company", "key": "", "value": np.nan, "numerator": np.nan,
            "denominator": np.nan, "target": np.nan, "status": "", "label": ""}
    return d.normalise_long(pd.DataFrame([{**base, **r} for r in rows], columns=list(LONG_COLUMNS)))


# --- summary -----------------------------------------------------------------------------------------

OTD = [90, 92, 94, 96, 98, 100, 90, 92, 94, 96, 98, 95]


def otd_rows(values=OTD) -> list[dict]:
    return [{"period": m, "kpi": "otd_pct", "value": v, "target": 98.0,
             "status": "" if v is None else ("met" if v >= 98 else "missed")} for m, v in zip(MONTHS, values)]


def test_summary_value_previous_and_twelve_month_mean():
    # P = 95 (missed, target 98), last month 98 → -3; mean of the 12 = 1135/12 = 94.583333 → +0.416667
    row = d.summary_table(long(otd_rows()), P).set_index("kpi").loc["otd_pct"]
    assert (row["value"], row["target"], row["status"], row["previous"]) == (95.0, 98.0, "missed", 98.0)
    assert row["delta_previous"] == pytest.approx(-3.0)
    assert row["mean_12m"] == pytest.approx(1135 / 12)
    assert row["delta_mean"] == pytest.approx(95 - 1135 / 12)
    assert (row["area"], row["unit"], row["better"], row["period"]) == ("delivery", "pct", "higher", P)


def test_summary_mean_skips_months_without_value():
    # January 2026 has no value ("—"): mean of the 11 others = (1135 - 94) / 11 = 94.636364
    values = list(OTD)
    values[MONTHS.index("2026-01")] = None
    row = d.summary_table(long(otd_rows(values)), P).set_index("kpi").loc["otd_pct"]
    assert row["mean_12m"] == pytest.approx(1041 / 11)


def test_summary_kpi_without_value_at_p_is_no_value_not_zero():
    rows = otd_rows()[:-1] + [{"period": P, "kpi": "otd_pct", "value": None, "target": 98.0, "status": "no_data"}]
    row = d.summary_table(long(rows), P).set_index("kpi").loc["otd_pct"]
    assert math.isnan(row["value"]) and row["status"] == "no_data" and math.isnan(row["delta_previous"])


def test_summary_orders_by_area_then_catalogue():
    rows = [{"kpi": "visits", "value": 3}, {"kpi": "complaints", "value": 2}, {"kpi": "ppm", "value": 40},
            {"kpi": "otd_pct", "value": 99}]
    assert d.summary_table(long(rows), P)["kpi"].tolist() == ["otd_pct", "complaints", "ppm", "visits"]


def test_survey_kpis_report_the_current_round_and_compare_with_the_round_before():
    # rounds started by 2026-10: 2025H2, 2026H1, 2026Q3 (2027H1 has not): current 2026Q3, before it 2026H1
    rows = [{"period": r, "kpi": "survey_score", "value": v, "target": 85.0, "status": s}
            for r, v, s in (("2025H2", 80.0, "missed"), ("2026H1", 86.0, "met"), ("2026Q3", 88.0, "met"),
                            ("2027H1", 70.0, "missed"))]
    row = d.summary_table(long(rows), P).set_index("kpi").loc["survey_score"]
    assert (row["period"], row["value"], row["previous_period"], row["previous"]) == ("2026Q3", 88.0, "2026H1", 86.0)
    assert row["delta_previous"] == pytest.approx(2.0) and math.isnan(row["mean_12m"])


def test_annual_kpi_reports_the_year_of_p():
    rows = [{"period": "2026", "kpi": "scorecard_annual", "value": 87.2, "target": 90.0, "status": "missed"},
            {"period": "2025", "kpi": "scorecard_annual", "value": 91.0, "target": 90.0, "status": "met"}]
    row = d.summary_table(long(rows), P).set_index("kpi").loc["scorecard_annual"]
    assert (row["period"], row["value"], row["previous"]) == ("2026", 87.2, 91.0)


@pytest.mark.parametrize("label, bounds", [
    ("2026H1", ("2026-01", "2026-06")), ("2026H2", ("2026-07", "2026-12")), ("2026Q3", ("2026-07", "2026-09")),
    ("2026", ("2026-01", "2026-12")), ("2026H3", None), ("26H1", None)])
def test_round_bounds(label, bounds):
    got = d.round_bounds(label)
    assert (None if got is None else (str(got[0]), str(got[1]))) == bounds


# --- Pareto ------------------------------------------------------------------------------------------

def test_pareto_top_n_then_other_last_with_cumulative_share():
    # counts B 12, A 5, C 3, D 3, E 1 (total 24), top 3: B, A, then C before D (tie → key order);
    # Other = D 3 + E 1 = 4, placed last although it outnumbers C.
    # shares 12/24 = 50, 5/24 = 20.8333, 3/24 = 12.5, 4/24 = 16.6667; cumulative 50, 70.8333, 83.3333, 100
    counts = pd.DataFrame({"key": ["A", "B", "C", "D", "E"], "count": [5.0, 12.0, 3.0, 3.0, 1.0],
                           "count_period": [1.0, 2.0, 0.0, 1.0, 0.0]})
    table = d.pareto_table(counts, top=3)
    assert table["key"].tolist() == ["B", "A", "C", d.OTHER_KEY]
    assert table["count"].tolist() == [12.0, 5.0, 3.0, 4.0]
    assert table["count_period"].tolist() == [2.0, 1.0, 0.0, 1.0]
    assert table["share_pct"].tolist() == pytest.approx([50.0, 20.833333, 12.5, 16.666667], rel=1e-6)
    assert table["cumulative_pct"].tolist() == pytest.approx([50.0, 70.833333, 83.333333, 100.0], rel=1e-6)
    assert table["other"].tolist() == [False, False, False, True] and table["rank"].tolist() == [1, 2, 3, 4]


def test_pareto_without_other_when_everything_fits_and_zero_counts_dropped():
    counts = pd.DataFrame({"key": ["x", "y", "z"], "count": [2.0, 0.0, 6.0], "count_period": [0.0, 0.0, 1.0]})
    table = d.pareto_table(counts, top=10)
    assert table["key"].tolist() == ["z", "x"] and table["cumulative_pct"].tolist() == pytest.approx([75.0, 100.0])


def test_complaint_counts_sum_the_window_from_the_long_table():
    # category A: 2 in 2026-09 and 1 in P; B: 4 in 2025-10 (outside the window) and 1 in 2025-11
    rows = [{"period": "2026-09", "kpi": "complaints", "scope": "category", "key": "A", "value": 2},
            {"period": P, "kpi": "complaints", "scope": "category", "key": "A", "value": 1},
            {"period": "2025-10", "kpi": "complaints", "scope": "category", "key": "B", "value": 4},
            {"period": "2025-11", "kpi": "complaints", "scope": "category", "key": "B", "value": 1}]
    counts = d.complaint_counts(long(rows), "category", MONTHS, P).set_index("key")
    assert counts.loc["A", "count"] == 3 and counts.loc["A", "count_period"] == 1
    assert counts.loc["B", "count"] == 1 and counts.loc["B", "count_period"] == 0


def test_complaints_by_part_counts_the_register_in_the_window():
    register = pd.DataFrame({
        "received_date": pd.to_datetime(["2026-10-03", "2026-10-20", "2026-02-01", "2025-10-30", "2026-10-09"]),
        "part_no": ["P1", "P1", "P2", "P1", None]})
    # window: P1 twice (2025-10-30 is outside), P2 once, no part once; in P: P1 twice, no part once
    counts = d.complaints_by_part(register, MONTHS, P).set_index("key")
    assert counts["count"].to_dict() == {"P1": 2.0, "P2": 1.0, "": 1.0}
    assert counts["count_period"].to_dict() == {"P1": 2.0, "P2": 0.0, "": 1.0}


# --- actions ------------------------------------------------------------------------------------------

def test_actions_every_missed_target_at_its_current_period():
    rows = [
        {"kpi": "otd_pct", "value": 95.0, "target": 98.0, "status": "missed"},
        {"kpi": "otd_pct", "scope": "customer", "key": "C1", "value": 90.0, "target": 98.0, "status": "missed"},
        {"kpi": "otd_pct", "scope": "customer", "key": "C2", "value": 99.0, "target": 98.0, "status": "met"},
        {"period": "2026-09", "kpi": "otd_pct", "value": 91.0, "target": 98.0, "status": "missed"},  # not P
        {"kpi": "ppm", "scope": "customer", "key": "C2", "value": 80.0, "target": 50.0, "status": "missed"},
        {"period": "2026H1", "kpi": "survey_score", "scope": "customer", "key": "C3", "value": 80.0,
         "target": 85.0, "status": "missed"},
        {"period": "2026", "kpi": "scorecard_annual", "value": 87.0, "target": 90.0, "status": "missed"},
    ]
    actions = d.actions_table(long(rows), P, pd.Series({"C1": "甲公司", "C2": "乙公司"}))
    assert list(zip(actions["kpi"], actions["scope"], actions["key"])) == [
        ("otd_pct", "company", ""), ("otd_pct", "customer", "C1"), ("ppm", "customer", "C2"),
        ("scorecard_annual", "company", ""), ("survey_score", "customer", "C3")]
    # shortfall = gap / target × 100: (98-95)/98 = 3.0612 %, (98-90)/98 = 8.1633 %, (80-50)/50 = 60 %,
    # (90-87)/90 = 3.3333 %, (85-80)/85 = 5.8824 %
    assert actions["shortfall_pct"].tolist() == pytest.approx([3.061224, 8.163265, 60.0, 3.333333, 5.882353], rel=1e-6)
    assert actions["name"].tolist() == ["", "甲公司", "乙公司", "", ""]


def test_action_rule_names_the_target_and_where_it_comes_from():
    from pipeline.report.workbook import action_rule
    rows = [{"kpi": "ppm", "scope": "customer", "key": "C2", "value": 80.0, "target": 30.0, "status": "missed"},
            {"kpi": "otd_pct", "value": 95.0, "target": 98.0, "status": "missed"}]
    actions = d.actions_table(long(rows), P, pd.Series(dtype=object))
    rules = {r.kpi: r for r in actions.itertuples(index=False)}
    assert action_rule(rules["otd_pct"], "zh") == "交期达成率（批） 95.0%，低于目标 98.0%（设置 targets.otd_pct）"
    assert action_rule(rules["ppm"], "en", {"C2": 30.0}) == (
        "Customer PPM 80 is above the limit of 30 (the customer's PPM target in the customer master; lower is better)")


# --- what changed -------------------------------------------------------------------------------------

def test_changes_since_the_previous_run():
    before = long([{"kpi": "otd_pct", "value": 1.0}, {"kpi": "ppm", "value": 2.0},
                   {"kpi": "complaints", "value": 3.0}, {"kpi": "late_lots", "value": None}])
    after = long([{"kpi": "otd_pct", "value": 1.0}, {"kpi": "ppm", "value": 2.5},
                  {"kpi": "late_lots", "value": 4.0}, {"kpi": "visits", "value": 5.0}])
    changes = d.changes_table(after, before).set_index("kpi")
    # otd_pct unchanged: not listed; ppm 2 → 2.5; complaints gone; late_lots no value → 4; visits new
    assert changes["change"].to_dict() == {"ppm": "changed", "complaints": "disappeared", "late_lots": "appeared",
                                           "visits": "appeared"}
    assert changes.loc["ppm", "difference"] == pytest.approx(0.5)


def test_a_rerun_on_the_same_inputs_changes_nothing():
    rows = long(otd_rows())
    assert d.changes_table(rows, rows.copy()).empty


# --- open complaints, grades, names ---------------------------------------------------------------------

@pytest.mark.parametrize("age, band", [(0, "0-30"), (30, "0-30"), (31, "31-60"), (60, "31-60"), (61, "61-90"),
                                       (90, "61-90"), (91, ">90"), (400, ">90")])
def test_age_bands_of_kpis_md(age, band):
    assert d.age_band(pd.Series([age])).iloc[0] == band


def test_open_complaint_ages_from_the_received_date_when_the_list_has_none():
    rows = pd.DataFrame({"complaint_no": ["a", "b"], "received_date": pd.to_datetime(["2026-10-30", "2026-07-01"])})
    # at 2026-10-31: a is 1 day old, b 122 days (Jul 30 + Aug 31 + Sep 30 + Oct 31 = 122) → oldest first
    out = d.open_complaint_ages(rows, pd.Timestamp("2026-10-31"))
    assert out["complaint_no"].tolist() == ["b", "a"] and out["age_days"].tolist() == [122, 1]
    assert out["age_band"].tolist() == [">90", "0-30"]


def test_grade_counts_from_the_survey_score_labels():
    rows = [{"period": "2026H1", "kpi": "survey_score", "scope": "customer", "key": k, "value": v, "label": g}
            for k, v, g in (("a", 96, "very satisfied"), ("b", 88, "satisfied"), ("c", 86, "satisfied"),
                            ("d", None, ""))]
    counts = d.grade_counts(long(rows), "2026H1").set_index("label")["customers"].to_dict()
    assert counts == {"satisfied": 2, "very satisfied": 1}


def test_customer_names_master_first_then_as_written():
    registers = {"customers": pd.DataFrame({"customer_code": ["C1"], "customer_name": ["甲公司"]}),
                 "complaints": pd.DataFrame({"customer_key": ["C1", "乙"], "customer_name": ["甲", "乙"]})}
    assert d.customer_names(registers).to_dict() == {"C1": "甲公司", "乙": "乙"}


def test_customer_names_first_usable_name_of_a_key_in_register_order():
    registers = {"deliveries": pd.DataFrame({"customer_key": ["丙", "丙", "丁", "丙", "丁"],
                                             "customer_name": [None, " ", "丁一", "丙二", "丁二"]}),
                 "complaints": pd.DataFrame({"customer_key": ["丙", "戊", "戊"],
                                             "customer_name": ["丙一", np.nan, "戊一"]})}
    # complaints before deliveries (registers by name); a blank name is no name
    names = d.customer_names(registers)
    assert list(names.items()) == [("丙", "丙一"), ("戊", "戊一"), ("丁", "丁一")]


def test_normalise_long_texts_and_numbers_whatever_their_dtypes():
    rows = pd.DataFrame({"period": pd.Series([P, None], dtype="str"), "kpi": pd.Series(["ppm", None], dtype=object),
                         "scope": ["company", "customer"], "key": pd.Series(["", 7], dtype=object),
                         "value": ["1.5", None], "numerator": [1, 2], "denominator": np.nan, "target": np.nan,
                         "status": pd.Series(["met", None], dtype="string"), "label": np.nan})
    out = d.normalise_long(rows)
    assert out["period"].tolist() == [P, ""] and out["kpi"].tolist() == ["ppm", ""]
    assert out["key"].tolist() == ["", "7"] and out["status"].tolist() == ["met", ""]
    assert out["label"].tolist() == ["", ""]
    assert all(out[c].dtype == "str" for c in d.TEXT) and all(out[c].dtype == "float64" for c in d.NUMERIC)
    assert out["value"].tolist()[0] == 1.5 and math.isnan(out["value"].tolist()[1])


def test_area_matrix_by_customer_and_month_with_ytd_column():
    rows = [{"period": m, "kpi": "warranty_cases", "scope": "type", "key": "warranty_repair", "value": 1.0}
            for m in MONTHS] + [{"period": "2026", "kpi": "warranty_cases", "scope": "type",
                                 "key": "warranty_repair", "value": 10.0},
                                {"kpi": "service_requests", "value": 7.0}]
    matrix = d.area_matrix(long(rows), "service", P, pd.Series(dtype=object))
    assert list(matrix.values.columns) == [*MONTHS, "2026"]
    assert matrix.rows["kpi"].tolist() == ["service_requests", "warranty_cases"]
    assert matrix.values.iloc[1]["2026"] == 10.0 and math.isnan(matrix.values.iloc[0]["2025-11"])
