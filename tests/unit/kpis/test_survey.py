"""The satisfaction survey, worked by hand from kpis.md "Satisfaction survey"."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.kpis.survey import (grade, response_scores, survey_customer_table, survey_kpis,
                                  t_quantile_975)
from pipeline.settings import Band, grade_bands

from .conftest import context_for, register_frame

ITEMS = ["quality", "delivery", "price", "service", "technical", "communication", "packaging"]
EQUAL = {item: 1 for item in ITEMS}


def make_ctx(**survey):
    """The documented settings with `[survey]` overrides (items merge key by key)."""
    return context_for("2026-10", calendar=None, survey=survey)


def returns(*rows):
    """(round, customer, returned?, {item: score}, overall) → survey register rows."""
    return register_frame("survey_returns", [
        {"round": rnd, "customer": customer, "respondent": f"r{n}",
         "returned_date": "2026-06-20" if returned else None, "overall": overall, **scores}
        for n, (rnd, customer, returned, scores, overall) in enumerate(rows)])


def master(*rows):
    """(code, name, annual_order_value) rows of the customer master."""
    return register_frame("customers", [
        {"customer_code": code, "customer_name": name,
         "annual_order_value": None if value is None or np.isnan(value) else value}
        for code, name, value in rows])


# --- a response's score ------------------------------------------------------------------------

@pytest.mark.parametrize("items, scale_max, scores, overall, expected", [
    # equal weights, 0–100 form: (80 + 90 + 70) / 3 = 80
    (EQUAL, 100, {"quality": 80, "delivery": 90, "price": 70}, None, 80.0),
    # weights quality 2, delivery 1, price 0 (ignored): (2 × 90 + 1 × 60) / 3 = 80
    ({"quality": 2, "delivery": 1, "price": 0}, 100, {"quality": 90, "delivery": 60, "price": 10},
     None, 80.0),
    # only the items present count: quality 2 × 90 alone → 90 (delivery missing)
    ({"quality": 2, "delivery": 1}, 100, {"quality": 90}, None, 90.0),
    # a 1–5 form: (4 + 5) / 2 = 4.5 → 4.5 × 100 / 5 = 90
    (EQUAL, 5, {"quality": 4, "delivery": 5}, None, 90.0),
    # no item scores: overall 4 of 5 → 80
    (EQUAL, 5, {}, 4.0, 80.0),
    # only a weight-0 item scored: it is ignored, so overall 7 of 10 → 70
    ({"quality": 1, "price": 0}, 10, {"price": 9}, 7.0, 70.0),
    # items win over overall when both are there: (3 + 4) / 2 = 3.5 → 70 (overall 5 ignored)
    (EQUAL, 5, {"quality": 3, "service": 4}, 5.0, 70.0),
])
def test_response_score(items, scale_max, scores, overall, expected):
    got = response_scores(returns(("2026H1", "C1", True, scores, overall)), items, scale_max)
    assert got["score"].tolist() == [pytest.approx(expected)]


def test_unreturned_row_has_no_score():
    got = response_scores(returns(("2026H1", "C1", False, {"quality": 80}, None)), EQUAL, 100)
    assert got["returned"].tolist() == [False] and np.isnan(got["score"].iloc[0])


# --- the round's KPIs --------------------------------------------------------------------------

ROUND = returns(
    ("2026H1", "C1", True, {"quality": 80, "delivery": 80}, None),    # response 80
    ("2026H1", "C1", True, {"quality": 100, "delivery": 80}, None),   # response 90
    ("2026H1", "C2", True, {"quality": 60}, None),                    # response 60
    ("2026H1", "C3", False, {}, None),                                # sent, never returned
    ("2026H2", "C2", True, {"delivery": 96}, None),                   # response 96
)
MASTER = master(("C1", "甲公司", 300_000.0), ("C2", "乙公司", 100_000.0), ("C3", "丙公司", np.nan))


def _kpis(weighting="equal", customers=MASTER):
    registers = {"survey_returns": ROUND} | ({"customers": customers} if customers is not None else {})
    out = survey_kpis(registers, make_ctx(company_weighting=weighting))
    return out.set_index(["period", "kpi", "scope", "key"])


def test_customer_scores_and_return_rates():
    got = _kpis()
    # C1: mean(80, 90) = 85 from 2 responses (Σ 170); satisfied (≥ 85)
    assert got.loc[("2026H1", "survey_score", "customer", "C1"),
                   ["value", "numerator", "denominator", "label"]].tolist() == [85.0, 170.0, 2.0, "satisfied"]
    # C2: 60 → poor (≥ 50, < 70)
    assert got.loc[("2026H1", "survey_score", "customer", "C2"), ["value", "label"]].tolist() == [60.0, "poor"]
    # C3: nothing returned → no score, no label; return rate 0 / 1 = 0
    c3 = got.loc[("2026H1", "survey_score", "customer", "C3")]
    assert np.isnan(c3["value"]) and c3["label"] == ""
    assert got.loc[("2026H1", "survey_return_rate_pct", "customer", "C3"), "value"] == 0.0
    assert got.loc[("2026H1", "survey_return_rate_pct", "customer", "C1"), "value"] == 100.0
    # company 2026H1: 3 of 4 rows returned = 75 %
    assert got.loc[("2026H1", "survey_return_rate_pct", "company", ""),
                   ["value", "numerator", "denominator"]].tolist() == [75.0, 3.0, 4.0]
    assert got.loc[("2026H2", "survey_return_rate_pct", "company", ""), "value"] == 100.0


@pytest.mark.parametrize("weighting, customers, expected, label", [
    # equal: each customer once → (85 + 60) / 2 = 72.5 → fair
    ("equal", MASTER, 72.5, "fair"),
    # order value: (300,000 × 85 + 100,000 × 60) / 400,000 = 31,500,000 / 400,000 = 78.75
    ("order_value", MASTER, 78.75, "fair"),
    # C2 with no value in the master weighs nothing → 85 → satisfied
    ("order_value", master(("C1", "甲公司", 300_000.0), ("C2", "乙公司", np.nan)), 85.0, "satisfied"),
    # no master at all: nobody has a value → no company score
    ("order_value", None, np.nan, ""),
])
def test_company_score(weighting, customers, expected, label):
    row = _kpis(weighting, customers).loc[("2026H1", "survey_score", "company", "")]
    assert row["value"] == pytest.approx(expected, nan_ok=True)
    assert row["label"] == label


def test_item_scores_over_all_returned_responses():
    got = _kpis()
    # 2026H1 quality: (80 + 100 + 60) / 3 = 80; delivery: (80 + 80) / 2 = 80
    assert got.loc[("2026H1", "survey_item_score", "item", "quality"),
                   ["value", "numerator", "denominator"]].tolist() == [80.0, 240.0, 3.0]
    assert got.loc[("2026H1", "survey_item_score", "item", "delivery"), "value"] == 80.0
    # nobody scored price: the row is there with no value
    assert np.isnan(got.loc[("2026H1", "survey_item_score", "item", "price"), "value"])
    # 2026H2: delivery 96
    assert got.loc[("2026H2", "survey_item_score", "item", "delivery"), "value"] == 96.0


def test_item_scores_rescaled_and_weight_zero_items_left_out():
    rows = returns(("2026H1", "C1", True, {"quality": 4, "price": 2}, None),
                   ("2026H1", "C2", True, {"quality": 5}, None))
    out = survey_kpis({"survey_returns": rows},
                      make_ctx(items={**{i: 0 for i in ITEMS}, "quality": 1}, scale_max=5))
    items = out[out["kpi"] == "survey_item_score"]
    # quality: (4 + 5) / 2 = 4.5 of 5 → 90; price (and every other item) has weight 0 → not reported
    assert items[["key", "value"]].values.tolist() == [["quality", 90.0]]


def test_no_survey_register_gives_no_rows():
    assert survey_kpis({}, make_ctx()).empty


# --- grades ------------------------------------------------------------------------------------

@pytest.mark.parametrize("score, label", [
    (100.0, "very satisfied"), (95.0, "very satisfied"), (94.99, "satisfied"), (85.0, "satisfied"),
    (84.99, "fair"), (70.0, "fair"), (69.99, "poor"), (50.0, "poor"), (49.99, "very poor"),
    (0.0, "very poor"),
])
def test_grading_95_85_70_50(score, label):
    # ≥ 95 very satisfied; ≥ 85 satisfied; ≥ 70 fair; ≥ 50 poor; below 50 very poor
    assert grade([score], grade_bands("95-85-70-50"))["label_en"].tolist() == [label]


@pytest.mark.parametrize("score, label", [
    (98.0, "very satisfied"), (97.99, "satisfied"), (90.01, "satisfied"),
    (90.0, "fair"),            # > 90 is satisfied, so exactly 90 is fair
    (75.01, "fair"),
    (75.0, "dissatisfied"),    # > 75 is fair, so exactly 75 is dissatisfied
    (60.0, "dissatisfied"),    # ≥ 60
    (59.9, "very dissatisfied"), (0.0, "very dissatisfied"),
])
def test_grading_98_90_75_60(score, label):
    assert grade([score], grade_bands("98-90-75-60"))["label_en"].tolist() == [label]


@pytest.mark.parametrize("scheme, score, label", [
    # 85 by hand, 84.99999999999997 in floating point: ≥ 85 (within 1e-9 × 85) → satisfied
    ("95-85-70-50", 84.99999999999997, "satisfied"),
    # 90 by hand: "> 90" needs more than 90 + 1e-9 × 90, so not satisfied; > 75 → fair
    ("98-90-75-60", 90.00000000000003, "fair"),
    # 98 by hand: ≥ 98 → very satisfied
    ("98-90-75-60", 97.99999999999999, "very satisfied"),
    # a real difference still counts: 84.999 is below 85 by far more than the tolerance → fair
    ("95-85-70-50", 84.999, "fair"),
    ("98-90-75-60", 90.001, "satisfied"),
])
def test_grade_edges_ignore_float_noise(scheme, score, label):
    assert grade([score], grade_bands(scheme))["label_en"].tolist() == [label]


def test_a_score_of_decimal_items_grades_as_worked_by_hand():
    # items 8.1, 8.7, 8.7 on a 10 scale, equal weights: (8.1 + 8.7 + 8.7) / 3 = 8.5 → × 100 / 10
    # = 85 by hand (84.99999999999997 in floating point) → ≥ 85 satisfied under 95-85-70-50
    scores = response_scores(returns(("2026H1", "C1", True,
                                      {"quality": 8.1, "delivery": 8.7, "service": 8.7}, None)),
                             EQUAL, 10)["score"]
    assert scores.tolist() == [pytest.approx(85.0)]
    assert grade(scores, grade_bands("95-85-70-50"))["label_en"].tolist() == ["satisfied"]
    out = survey_kpis({"survey_returns": returns(("2026H1", "C1", True,
                                                   {"quality": 8.1, "delivery": 8.7, "service": 8.7},
                                                   None))}, make_ctx(scale_max=10))
    c1 = out[(out["kpi"] == "survey_score") & (out["scope"] == "customer")]
    assert c1["label"].tolist() == ["satisfied"]


def test_grading_zh_labels_and_missing_score():
    got = grade([96.0, np.nan], grade_bands("95-85-70-50"))
    assert got["label_zh"].tolist() == ["非常满意", ""]
    assert got["label_en"].tolist() == ["very satisfied", ""]


def test_custom_bands():
    bands = (Band(80.0, False, "good", "好"), Band(40.0, True, "ok", "中"),
             Band(float("-inf"), True, "bad", "差"))
    # > 80 good, so 80 itself is ok; ≥ 40 ok; below bad
    got = grade([80.01, 80.0, 40.0, 39.99], bands)
    assert got["label_en"].tolist() == ["good", "ok", "ok", "bad"]
    assert got["label_zh"].tolist() == ["好", "中", "中", "差"]


def test_custom_grading_in_the_kpis():
    # a custom list of bands in the settings: ≥ 80 good, else bad
    bands = [{"min": 80, "label": "good", "label_zh": "好"}, {"label": "bad", "label_zh": "差"}]
    out = survey_kpis({"survey_returns": ROUND}, make_ctx(grading=bands))
    c1 = out[(out["kpi"] == "survey_score") & (out["key"] == "C1") & (out["period"] == "2026H1")]
    assert c1["label"].tolist() == ["good"]          # 85 ≥ 80


# --- the pack's customer table ----------------------------------------------------------------

def test_customer_table_small_sample_and_interval():
    rows = pd.concat([ROUND, returns(
        ("2026H1", "C4", True, {"quality": 78}, None),
        ("2026H1", "C4", True, {"quality": 80}, None),
        ("2026H1", "C4", True, {"quality": 82}, None))], ignore_index=True)
    table = survey_customer_table({"survey_returns": rows, "customers": MASTER}, make_ctx())
    table = table.set_index(["round", "customer_key"])
    c4 = table.loc[("2026H1", "C4")]
    # 3 responses 78, 80, 82: mean 80, s = 2, t₀.₉₇₅(2) = 4.3027 → 80 ± 4.3027 × 2 / √3
    # = 80 ± 4.9683 → [75.0317, 84.9683]; 3 returned is not a small sample; fair (≥ 70, < 85)
    assert c4["score"] == 80.0 and not c4["small_sample"]
    assert c4["ci_low"] == pytest.approx(75.0317, abs=1e-3)
    assert c4["ci_high"] == pytest.approx(84.9683, abs=1e-3)
    assert (c4["grade_zh"], c4["grade_en"]) == ("一般", "fair")
    assert c4["customer_name"] == "C4"                # not in the master: the key as written
    # C1: 2 responses (80, 90) → small sample; s = 7.0711, t₀.₉₇₅(1) = 12.706 → 85 ± 63.53,
    # clipped to the scale → [21.47, 100]
    c1 = table.loc[("2026H1", "C1")]
    assert c1["small_sample"] and c1["returned"] == 2 and c1["customer_name"] == "甲公司"
    assert c1["ci_low"] == pytest.approx(21.47, abs=1e-2) and c1["ci_high"] == 100.0
    # C2: one response → no interval; C3: none returned → no score, return rate 0, small sample
    assert np.isnan(table.loc[("2026H1", "C2"), "ci_low"])
    c3 = table.loc[("2026H1", "C3")]
    assert np.isnan(c3["score"]) and c3["return_rate_pct"] == 0.0 and c3["small_sample"]
    assert c3["grade_en"] == ""


@pytest.mark.parametrize("dof, t", [
    (1, 12.7062), (2, 4.3027), (3, 3.1824), (4, 2.7764), (9, 2.2622), (10, 2.2281),
    (29, 2.0452), (30, 2.0423), (120, 1.9799),
])
def test_t_quantiles_match_the_printed_table(dof, t):
    # the two-sided 95 % column of any Student-t table
    assert t_quantile_975(dof) == pytest.approx(t, abs=1e-4)
