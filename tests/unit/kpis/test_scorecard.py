"""The monthly customer scorecard, worked by hand from kpis.md "Monthly customer scorecard".

Given rows → expected points. Every expected value is computed in the comment beside it from
the spec's rules: D = max(0, 25 − 5 × late), PPM part = 25 − ⌊10 × (ppm − t) / t⌋ (floor 0),
batch part = max(0, 25 − 5 × rejects), O = max(0, 25 − 5 × (incidents + late 8Ds)).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.kpis.scorecard import (company_monthly, ppm_part, scorecard_annual, scorecard_monthly)

from .conftest import context_for, register_frame


def make_ctx(period="2026-10", **overrides):
    """The documented settings with `section__key` overrides (the scorecard needs no calendar)."""
    return context_for(period, calendar=None, **overrides)


def customers(*rows):
    """(code, segment, ppm_target) rows of the customer master."""
    return register_frame("customers", [
        {"customer_code": code, "customer_name": f"name {code}", "segment": segment,
         "ppm_target": None if target is None or np.isnan(target) else target}
        for code, segment, target in rows])


def delivery_facts(*rows):
    """(customer, month, due_lots, late_lots, delivered_lots, delivered_qty)."""
    return pd.DataFrame(rows, columns=["customer_key", "month", "due_lots", "late_lots",
                                       "delivered_lots", "delivered_qty"])


def complaint_facts(*rows):
    """(customer, month, complaints, defect_qty, batch_rejects, late_8d)."""
    return pd.DataFrame(rows, columns=["customer_key", "month", "complaints", "defect_qty",
                                       "batch_rejects", "late_8d"])


def incidents(*rows):
    """(customer, date, type, count) rows of the incidents register (a blank count is 1)."""
    return register_frame("incidents", [{"customer": c, "date": d, "type": t, "count": n}
                                        for c, d, t, n in rows])


def customer_scores(*rows):
    """(customer, month, score) rows of the customer-issued scorecards."""
    return register_frame("customer_scorecards", [{"customer": c, "month": m, "score": s}
                                                  for c, m, s in rows])


NO_INCIDENTS = incidents()
NO_SCORES = customer_scores()
AUTO = customers(("C1", "automotive", 100.0), ("C2", "automotive", np.nan),
                 ("N1", "non-automotive", np.nan))


def one_row(monthly, customer, month):
    rows = monthly[(monthly["customer_key"] == customer) & (monthly["month"] == month)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


# --- the kpis.md worked example -----------------------------------------------------------------

@pytest.mark.parametrize("sent, final", [
    (None, 73.0),      # no customer score: final = internal = 73
    (88.0, 88.0),      # "If the customer sent its own October score of 88, final = 88."
])
def test_the_spec_example(sent, final):
    # target 100 ppm (C1's master target); October: 2 late lots, ppm 125 (125 defects in
    # 1,000,000 delivered), 1 batch reject, 1 fine and 1 late 8D.
    scores = customer_scores(("C1", "2026-10", sent)) if sent is not None else NO_SCORES
    monthly = scorecard_monthly(
        delivery_facts(("C1", "2026-10", 10, 2, 10, 1_000_000)),
        complaint_facts(("C1", "2026-10", 1, 125, 1, 1)),
        incidents(("C1", "2026-10-14", "fine", 1)), scores, AUTO, make_ctx())
    row = one_row(monthly, "C1", "2026-10")
    assert row["d"] == 15            # 25 − 5 × 2
    assert row["ppm_part"] == 23     # 25 − ⌊10 × (125 − 100) / 100⌋ = 25 − ⌊2.5⌋
    assert row["batch_part"] == 20   # 25 − 5 × 1
    assert row["q"] == 43            # 23 + 20
    assert row["o"] == 15            # 25 − 5 × (1 fine + 1 late 8D)
    assert row["internal"] == 73     # 43 + 15 + 15
    assert row["final"] == final


# --- the PPM part, counted exactly ----------------------------------------------------------------

@pytest.mark.parametrize("defects, delivered, target, expected", [
    (30, 1_000_000, 30.0, 25),         # ppm 30 = target: 25
    (33, 1_000_000, 30.0, 24),         # ppm 33: exactly 10 % over → ⌊10 × 3 / 30⌋ = 1 → 24
    (32_997, 1_000_000_000, 30.0, 25),  # ppm 32.997: 9.99 % over → ⌊0.999⌋ = 0 → 25
    (36, 1_000_000, 30.0, 23),         # ppm 36: 20 % over → ⌊2⌋ = 2 → 23 (float gives 1.999… → 24)
    (42, 1_000_000, 30.0, 21),         # ppm 42: 40 % over → 4 → 21 (float gives 3.999…)
    (69, 1_000_000, 30.0, 12),         # ppm 69: 130 % over → 13 → 12 (float gives 12.999…)
    (125, 1_000_000, 100.0, 23),       # the spec example: ⌊2.5⌋ = 2 → 23
    (1_000, 1_000_000, 30.0, 0),       # ppm 1000: ⌊10 × 970 / 30⌋ = 323 → max(0, 25 − 323) = 0
    (10**12, 1, 0.1, 0),               # absurdly far over: still 0, no overflow
    (0, 0, 30.0, 25),                  # nothing delivered, no defects: 25
    (5, 0, 30.0, 0),                   # nothing delivered but defects: 0
    (3, 100_000, 30.0, 25),            # ppm 30 at another volume: 25
    (1, 30_303, 30.0, 24),             # 10⁶ / 30,303 = 33.00003 ppm → ⌊10 × 3.00003 / 30⌋ = 1 → 24
    (1, 30_304, 30.0, 25),             # 10⁶ / 30,304 = 32.99894 ppm → ⌊0.99965⌋ = 0 → 25
])
def test_ppm_part(defects, delivered, target, expected):
    got = ppm_part(pd.Series([defects]), pd.Series([delivered]), pd.Series([target]))
    assert got.tolist() == [expected]


def test_ppm_target_from_master_else_setting():
    # C1 has ppm_target 100 in the master, C2 none → targets.ppm = 50.
    # Both: 60 defects in 1,000,000 → ppm 60.
    # C1: 60 ≤ 100 → 25. C2: ⌊10 × (60 − 50) / 50⌋ = 2 → 23.
    monthly = scorecard_monthly(
        delivery_facts(("C1", "2026-10", 1, 0, 1, 1_000_000), ("C2", "2026-10", 1, 0, 1, 1_000_000)),
        complaint_facts(("C1", "2026-10", 1, 60, 0, 0), ("C2", "2026-10", 1, 60, 0, 0)),
        NO_INCIDENTS, NO_SCORES, AUTO, make_ctx(targets__ppm=50.0))
    assert one_row(monthly, "C1", "2026-10")["ppm_part"] == 25
    assert one_row(monthly, "C2", "2026-10")["ppm_part"] == 23
    assert one_row(monthly, "C2", "2026-10")["ppm_target"] == 50.0


# --- D, batch and O floors; the customer set ---------------------------------------------------

@pytest.mark.parametrize("late, expected_d", [(0, 25), (1, 20), (5, 0), (6, 0)])
def test_delivery_points_floor_at_zero(late, expected_d):
    # D = max(0, 25 − 5 × late): 25, 20, 0, max(0, −5) = 0
    monthly = scorecard_monthly(delivery_facts(("C2", "2026-09", 8, late, 8, 800)),
                                complaint_facts(), NO_INCIDENTS, NO_SCORES, AUTO, make_ctx())
    assert one_row(monthly, "C2", "2026-09")["d"] == expected_d


def test_other_points_count_every_incident_type_and_count():
    # October: a fine (count 2), premium freight (count 1), a recall with a blank count (→ 1)
    # and 1 late 8D from the complaints: n = 2 + 1 + 1 + 1 = 5 → O = max(0, 25 − 25) = 0.
    # An incident dated in September does not count in October.
    monthly = scorecard_monthly(
        delivery_facts(("C2", "2026-10", 1, 0, 1, 100)),
        complaint_facts(("C2", "2026-10", 0, 0, 0, 1)),
        incidents(("C2", "2026-10-02", "fine", 2), ("C2", "2026-10-20", "premium_freight", 1),
                  ("C2", "2026-10-31", "recall", None), ("C2", "2026-09-30", "fine", 1)),
        NO_SCORES, AUTO, make_ctx())
    assert one_row(monthly, "C2", "2026-10")["o"] == 0
    assert one_row(monthly, "C2", "2026-09")["o"] == 20     # the September fine: 25 − 5


def test_late_8d_not_derived_when_switched_off():
    # derive_late_8d false: the complaint facts' late 8D costs nothing → O = 25 − 5 × 1 fine = 20
    monthly = scorecard_monthly(
        delivery_facts(("C2", "2026-10", 1, 0, 1, 100)),
        complaint_facts(("C2", "2026-10", 1, 0, 0, 3)),
        incidents(("C2", "2026-10-02", "fine", 1)), NO_SCORES, AUTO, make_ctx(scorecard__derive_late_8d=False))
    assert one_row(monthly, "C2", "2026-10")["o"] == 20


def test_only_scorecard_segments_and_active_months():
    # N1 is non-automotive: no rows. UNKNOWN is not in the master: non-automotive, no rows.
    # C2 in August has only a late 8D whose deadline falls then (not a due lot, delivered lot,
    # complaint, incident or customer score): no row. 2025-10 is outside the window: no row.
    monthly = scorecard_monthly(
        delivery_facts(("N1", "2026-10", 3, 3, 3, 300), ("UNKNOWN", "2026-10", 1, 0, 1, 10),
                       ("C2", "2025-10", 1, 1, 1, 10), ("C2", "2026-10", 1, 0, 0, 0)),
        complaint_facts(("C2", "2026-08", 0, 0, 0, 1)),
        NO_INCIDENTS, NO_SCORES, AUTO, make_ctx())
    assert monthly[["customer_key", "month"]].values.tolist() == [["C2", "2026-10"]]


def test_non_automotive_included_when_settings_name_it():
    monthly = scorecard_monthly(delivery_facts(("N1", "2026-10", 3, 3, 3, 300)), complaint_facts(),
                                NO_INCIDENTS, NO_SCORES, AUTO,
                                make_ctx(scorecard__segments=["automotive", "non-automotive"]))
    assert one_row(monthly, "N1", "2026-10")["d"] == 10      # 25 − 5 × 3


def test_a_month_with_only_a_customer_issued_score():
    # C2 sent 91 for July and nothing else happened: D 25; PPM part 25 (nothing delivered, no
    # defects); batch 25; O 25 → internal 100; final = the customer's 91.
    monthly = scorecard_monthly(delivery_facts(), complaint_facts(), NO_INCIDENTS,
                                customer_scores(("C2", "2026-07", 91.0)), AUTO, make_ctx())
    row = one_row(monthly, "C2", "2026-07")
    assert (row["d"], row["q"], row["o"], row["internal"], row["final"]) == (25, 50, 25, 100, 91)


def test_no_incidents_register_counts_as_no_incidents():
    # No incidents register at all (None): many factories keep no incident log, so n = the
    # derived late 8Ds only. C2, October: 1 due lot on time → D 25; 1 complaint with 0 defects in
    # 100 delivered, no batch reject → Q 25 + 25 = 50; no late 8D → n = 0 → O 25; internal 100.
    monthly = scorecard_monthly(delivery_facts(("C2", "2026-10", 1, 0, 1, 100)),
                                complaint_facts(("C2", "2026-10", 1, 0, 0, 0)), None,
                                NO_SCORES, AUTO, make_ctx())
    row = one_row(monthly, "C2", "2026-10")
    assert (row["d"], row["q"], row["o"], row["internal"], row["final"]) == (25, 50, 25, 100, 100)
    # with one late 8D that month: n = 0 incidents + 1 late 8D → O = 25 − 5 = 20, internal 95
    monthly = scorecard_monthly(delivery_facts(("C2", "2026-10", 1, 0, 1, 100)),
                                complaint_facts(("C2", "2026-10", 1, 0, 0, 1)), None,
                                NO_SCORES, AUTO, make_ctx())
    row = one_row(monthly, "C2", "2026-10")
    assert (row["o"], row["internal"]) == (20, 95)


def test_o_unknown_only_when_late_8ds_are_derived_from_an_absent_complaints_register():
    # No complaints register (None) with derive_late_8d on: the late 8Ds of n cannot be counted →
    # no O (and no Q, which needs the complaints too), no internal; the customer-issued score
    # still stands as the final.
    monthly = scorecard_monthly(delivery_facts(("C2", "2026-10", 1, 0, 1, 100)), None, None,
                                customer_scores(("C2", "2026-10", 95.0)), AUTO, make_ctx())
    row = one_row(monthly, "C2", "2026-10")
    assert row["d"] == 25
    assert np.isnan(row["o"]) and np.isnan(row["q"]) and np.isnan(row["internal"])
    assert row["final"] == 95.0
    # derive_late_8d off: n = incidents only; no incidents register → n = 0 → O 25 (Q still unknown)
    monthly = scorecard_monthly(delivery_facts(("C2", "2026-10", 1, 0, 1, 100)), None, None,
                                NO_SCORES, AUTO, make_ctx(scorecard__derive_late_8d=False))
    row = one_row(monthly, "C2", "2026-10")
    assert row["o"] == 25 and np.isnan(row["q"]) and np.isnan(row["internal"])


def test_scorecard_without_an_incidents_file():
    # customers: C1 automotive; deliveries: one October lot, due 10-05, delivered 10-05, 1,000 of
    # 1,000 → on time; complaints: the register is there, its one complaint is from September
    # (received 09-01, first response and 8D on 09-02: nothing late), none in October; no
    # incidents file. October: D = 25 − 5 × 0 = 25; PPM part: 0 defects → ppm 0 ≤ 100 → 25, batch
    # part 25 − 0 = 25 → Q 50; O = 25 − 5 × (0 incidents + 0 late 8Ds) = 25;
    # internal = 25 + 50 + 25 = 100 = final (no customer-issued score).
    from pipeline.kpis.scorecard import scorecard_kpis
    registers = {
        "customers": customers(("C1", "automotive", 100.0)),
        "deliveries": register_frame("deliveries", [
            {"order_no": "SO1", "lot_no": "L1", "customer": "C1", "due_date": "2026-10-05",
             "delivered_date": "2026-10-05", "qty_due": 1000, "qty_delivered": 1000}]),
        "complaints": register_frame("complaints", [
            {"complaint_no": "CP1", "customer": "C1", "received_date": "2026-09-01 09:00",
             "first_response_at": "2026-09-02 09:00", "report_8d_at": "2026-09-02 10:00",
             "defect_qty": 0, "severity": "normal"}]),
    }
    long = scorecard_kpis(registers, make_ctx()).set_index(["period", "kpi", "scope", "key"])
    for kpi, value in (("scorecard_d", 25.0), ("scorecard_q", 50.0), ("scorecard_o", 25.0),
                       ("scorecard_internal", 100.0), ("scorecard_final", 100.0)):
        assert long.loc[("2026-10", kpi, "customer", "C1"), "value"] == value, kpi


# --- company mean and the annual blend ----------------------------------------------------------

def _two_customers(ctx):
    # October: C1 internal 73 (the spec example, target 100); C2 nothing wrong → 100.
    # September: C1 sent 80.
    return scorecard_monthly(
        delivery_facts(("C1", "2026-10", 10, 2, 10, 1_000_000), ("C2", "2026-10", 5, 0, 5, 5000)),
        complaint_facts(("C1", "2026-10", 1, 125, 1, 1)),
        incidents(("C1", "2026-10-14", "fine", 1)),
        customer_scores(("C1", "2026-09", 80.0)), AUTO, ctx)


def test_company_monthly_is_the_mean_of_customer_finals():
    ctx = make_ctx()
    company = company_monthly(_two_customers(ctx), ctx.months).set_index("month")
    # October: (73 + 100) / 2 = 86.5 over 2 customers; September: C1 alone, 80.
    assert company.loc["2026-10", ["sum", "count", "value"]].tolist() == [173.0, 2.0, 86.5]
    assert company.loc["2026-09", "value"] == 80.0
    # a month of the window with no customer score has no value (never 0)
    assert len(company) == 12 and np.isnan(company.loc["2026-08", "value"])


def _surveys(customer_rows, company_rows):
    return (pd.DataFrame(customer_rows, columns=["round", "customer_key", "score"]),
            pd.DataFrame(company_rows, columns=["round", "value"]))


def test_annual_blend_with_and_without_survey():
    ctx = make_ctx()
    monthly = _two_customers(ctx)
    company = company_monthly(monthly, ctx.months)
    customer_survey, company_survey = _surveys(
        [("2026H1", "C1", 70.0), ("2026H2", "C1", 90.0), ("2025H2", "C1", 10.0),
         ("2026H1", "C2", np.nan)],               # C2's survey was not returned: no score
        [("2026H1", 75.0), ("2025H2", 10.0)])
    annual = scorecard_annual(monthly, company, customer_survey, company_survey, ctx)
    got = annual.set_index(["scope", "key"])
    assert set(annual["period"]) == {"2026"}
    # C1: monthly finals of 2026: September 80, October 73 → mean 76.5;
    # S = mean(2026H1 70, 2026H2 90) = 80 (2025H2 is another year) → 0.2 × 80 + 0.8 × 76.5 = 77.2
    assert got.loc[("customer", "C1"), "value"] == pytest.approx(77.2)
    assert got.loc[("customer", "C1"), "label"] == ""
    # C2: October 100 only, no survey score in 2026 → the monthly mean 100, labelled no_survey
    assert got.loc[("customer", "C2"), "value"] == 100.0
    assert got.loc[("customer", "C2"), "label"] == "no_survey"
    # company: monthly September 80, October 86.5 → 83.25; S = 75 (2026H1 only)
    # → 0.2 × 75 + 0.8 × 83.25 = 15 + 66.6 = 81.6
    assert got.loc[("company", ""), "value"] == pytest.approx(81.6)
    assert got.loc[("company", ""), "label"] == ""


def test_annual_months_are_january_to_the_period():
    # period 2026-02: the window reaches back to 2025-03, but the annual score takes only
    # January and February 2026. C2: 2025-12 internal 75 (5 late lots → D 0), 2026-01 100,
    # 2026-02 customer score 90 → annual = mean(100, 90) = 95, no survey.
    ctx = make_ctx(period="2026-02")
    monthly = scorecard_monthly(
        delivery_facts(("C2", "2025-12", 5, 5, 5, 50), ("C2", "2026-01", 1, 0, 1, 10)),
        complaint_facts(), NO_INCIDENTS, customer_scores(("C2", "2026-02", 90.0)), AUTO, ctx)
    customer_survey, company_survey = _surveys([], [])
    annual = scorecard_annual(monthly, company_monthly(monthly, ctx.months), customer_survey,
                              company_survey, ctx).set_index(["scope", "key"])
    assert annual.loc[("customer", "C2"), "value"] == 95.0
    assert annual.loc[("customer", "C2"), "label"] == "no_survey"
    assert annual.loc[("company", ""), "value"] == 95.0      # company months: 100 and 90
    assert annual.loc[("company", ""), "label"] == "no_survey"


# --- from the registers: the long rows, the points trace and the reconciliation ------------------

def _registers():
    """The kpis.md example as register rows (C1, target 100 ppm), plus a non-automotive N1.

    October deliveries of C1: L1 due 10-05 delivered 10-05 600,000/600,000 (on time); L2 due 10-10
    delivered 10-12 200,000/200,000 (late: after the due date); L3 due 10-20 not delivered (late).
    → late_lots 2, delivered_qty 800,000.
    CP1 received 10-08, 100 defects, batch reject, no 8D: deadline 10-08 + 7 days = 10-15, past at
    as_of 10-31 → 1 late 8D in October. ppm = 100 / 800,000 × 10⁶ = 125.
    A fine on 10-14. C1 sent its own September score of 88 (nothing else in September).
    Survey 2026H1: C1 scored 70 (quality 70), N1 scored 90.
    """
    lots = [
        {"order_no": "SO1", "lot_no": "L1", "customer": "C1", "due_date": "2026-10-05",
         "delivered_date": "2026-10-05", "qty_due": 600_000, "qty_delivered": 600_000},
        {"order_no": "SO1", "lot_no": "L2", "customer": "C1", "due_date": "2026-10-10",
         "delivered_date": "2026-10-12", "qty_due": 200_000, "qty_delivered": 200_000},
        {"order_no": "SO2", "lot_no": "L3", "customer": "C1", "due_date": "2026-10-20",
         "delivered_date": None, "qty_due": 100, "qty_delivered": None},
        {"order_no": "SO9", "lot_no": "L1", "customer": "N1", "due_date": "2026-10-20",
         "delivered_date": None, "qty_due": 100, "qty_delivered": None},
    ]
    complaint = {"complaint_no": "CP1", "customer": "C1", "received_date": "2026-10-08",
                 "defect_qty": 100, "batch_reject": True, "severity": "normal"}
    return {
        "customers": customers(("C1", "automotive", 100.0), ("N1", "non-automotive", np.nan)),
        "deliveries": register_frame("deliveries", lots),
        "complaints": register_frame("complaints", [complaint]),
        "incidents": incidents(("C1", "2026-10-14", "fine", 1)),
        "customer_scorecards": customer_scores(("C1", "2026-09", 88.0)),
        "survey_returns": register_frame("survey_returns", [
            {"round": "2026H1", "customer": "C1", "respondent": "a", "returned_date": "2026-06-20",
             "quality": 70},
            {"round": "2026H1", "customer": "N1", "respondent": "b", "returned_date": "2026-06-21",
             "quality": 90}]),
    }


def test_scorecard_kpis_from_the_registers():
    from pipeline.kpis.scorecard import scorecard_kpis
    long = scorecard_kpis(_registers(), make_ctx()).set_index(["period", "kpi", "scope", "key"])
    expected = {
        ("2026-10", "scorecard_d", "customer", "C1"): 15.0,          # 25 − 5 × 2
        ("2026-10", "scorecard_q", "customer", "C1"): 43.0,          # 23 + 20
        ("2026-10", "scorecard_o", "customer", "C1"): 15.0,          # fine + late 8D
        ("2026-10", "scorecard_internal", "customer", "C1"): 73.0,
        ("2026-10", "scorecard_final", "customer", "C1"): 73.0,
        ("2026-09", "scorecard_internal", "customer", "C1"): 100.0,  # nothing went wrong
        ("2026-09", "scorecard_final", "customer", "C1"): 88.0,      # the customer's own score
        ("2026-09", "scorecard_final", "company", ""): 88.0,         # C1 alone
        ("2026-10", "scorecard_final", "company", ""): 73.0,
        # C1: 0.2 × 70 + 0.8 × mean(88, 73) = 14 + 0.8 × 80.5 = 78.4
        ("2026", "scorecard_annual", "customer", "C1"): 78.4,
        # company: survey (70 + 90) / 2 = 80 (equal weighting, every surveyed customer);
        # monthly mean(88, 73) = 80.5 → 0.2 × 80 + 0.8 × 80.5 = 16 + 64.4 = 80.4
        ("2026", "scorecard_annual", "company", ""): 80.4,
    }
    for key, value in expected.items():
        assert long.loc[key, "value"] == pytest.approx(value), key
    assert long.loc[("2026", "scorecard_annual", "customer", "C1"), "label"] == ""
    # N1 is not automotive: no scorecard rows
    assert "N1" not in set(long.index.get_level_values("key"))
    # the company score has a row for every month of the window, empty where nobody was scored
    company = long.xs(("scorecard_final", "company"), level=("kpi", "scope"))
    assert len(company) == 12 and np.isnan(company.loc[("2026-08", ""), "value"])
    assert company.loc[("2026-10", ""), ["numerator", "denominator"]].tolist() == [73.0, 1.0]


def test_point_rows_trace_every_point_lost():
    from pipeline.kpis.scorecard import scorecard_point_rows
    rows = scorecard_point_rows(_registers(), make_ctx())
    got = rows[["month", "component", "cause", "points", "reference"]].values.tolist()
    assert got == [
        ["2026-10", "D", "late_lot", 5.0, "SO1 / L2"],     # due 10-10
        ["2026-10", "D", "late_lot", 5.0, "SO2 / L3"],     # due 10-20
        ["2026-10", "Q", "ppm", 2.0, "CP1"],               # 25 − 23, all of it from CP1's defects
        ["2026-10", "Q", "batch_reject", 5.0, "CP1"],
        ["2026-10", "O", "fine", 5.0, ""],                 # dated 10-14
        ["2026-10", "O", "late_8d", 5.0, "CP1"],           # deadline 10-15
    ]
    # they add up to what was lost: 100 − 73 = 27
    assert rows["points"].sum() == 27.0
    assert rows[["_file", "_sheet"]].notna().all().all() and rows["_row"].tolist() == [3, 4, 2, 2, 2, 2]


def test_point_rows_stop_at_the_floor_and_share_ppm_by_defects():
    # 6 late lots: 5 × 5 = 25 points, the sixth costs 0. Two complaints with 30 and 10 defects
    # in 100,000 delivered: ppm 400 against the default 50 → ⌊10 × 350 / 50⌋ = 70 → PPM part 0,
    # 25 points lost, shared 30 : 10 → 18.75 and 6.25.
    lots = [{"order_no": f"SO{n}", "customer": "C2", "due_date": f"2026-10-0{n}", "delivered_date": None,
             "qty_due": 10} for n in range(1, 7)]
    lots.append({"order_no": "SO7", "customer": "C2", "due_date": "2026-09-30",
                 "delivered_date": "2026-10-01", "qty_due": 100_000, "qty_delivered": 100_000})
    registers = {
        "customers": AUTO,
        "deliveries": register_frame("deliveries", lots),
        "complaints": register_frame("complaints", [
            {"complaint_no": "X1", "customer": "C2", "received_date": "2026-10-02", "defect_qty": 30,
             "report_8d_at": "2026-10-03"},
            {"complaint_no": "X2", "customer": "C2", "received_date": "2026-10-03", "defect_qty": 10,
             "report_8d_at": "2026-10-04"}]),
        "incidents": incidents(),
    }
    from pipeline.kpis.scorecard import scorecard_point_rows
    rows = scorecard_point_rows(registers, make_ctx())
    october = rows[rows["month"] == "2026-10"]
    assert october.loc[october["cause"] == "late_lot", "points"].tolist() == [5.0] * 5 + [0.0]
    assert october.loc[october["cause"] == "ppm", "points"].tolist() == [18.75, 6.25]
    assert october["points"].sum() == 50.0              # D 0 and PPM part 0: 100 − 50


def test_reconciliation_sets_ours_beside_the_customers():
    from pipeline.kpis.scorecard import scorecard_reconciliation
    rec = scorecard_reconciliation(_registers(), make_ctx())
    # September: ours 25 + 50 + 25 = 100, the customer's 88 → difference 88 − 100 = −12
    assert rec.values.tolist() == [["C1", "2026-09", 25.0, 50.0, 25.0, 100.0, 88.0, -12.0]]
