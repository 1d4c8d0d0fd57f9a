"""Targets and status, kpis.md "Targets and status": given long rows → expected target/status."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pipeline.kpis import compute_kpis
from pipeline.kpis.base import long_frame, ratio_pct
from pipeline.kpis.targets import TARGET_OF, apply_targets

from .conftest import context_for, register_frame, settings_for

NAN = math.nan


def rows(*items):
    """(kpi, scope, key, value) tuples → long rows of October."""
    kpi, scope, key, value = zip(*items)
    return long_frame(period="2026-10", kpi=list(kpi), scope=list(scope), key=list(key), value=list(value))


MASTER = register_frame("customers", [
    {"customer_code": "C1", "customer_name": "甲", "ppm_target": 100},
    {"customer_code": "C2", "customer_name": "乙"},                    # no ppm_target: targets.ppm
])

# (kpi, scope, key, value, target, status) with the default targets
CASES = [
    # ppm: lower is better; C1 has its own target 100 in the master
    ("ppm", "customer", "C1", 125.0, 100.0, "missed"),
    ("ppm", "customer", "C1", 100.0, 100.0, "met"),           # equal is met
    ("ppm", "customer", "C2", 50.0, 50.0, "met"),             # exactly on targets.ppm
    ("ppm", "customer", "C9", 50.5, 50.0, "missed"),          # not in the master
    ("ppm", "company", "", 60.0, 50.0, "missed"),             # company: targets.ppm, never a customer's
    ("ppm", "customer", "C1", NAN, 100.0, "no_data"),
    # complaint rate: lower is better, target 1.0
    ("complaint_rate_pct", "company", "", 2.0, 1.0, "missed"),
    ("complaint_rate_pct", "customer", "C1", 1.0, 1.0, "met"),
    ("complaint_rate_pct", "customer", "C2", 0.0, 1.0, "met"),
    # higher is better
    ("otd_pct", "company", "", 98.0, 98.0, "met"),
    ("otd_pct", "plant", "P1", 97.9, 98.0, "missed"),
    ("otd_pct", "customer", "C1", NAN, 98.0, "no_data"),
    ("response_on_time_pct", "company", "", 95.0, 95.0, "met"),
    ("d8_on_time_pct", "company", "", 89.0, 90.0, "missed"),
    ("survey_return_rate_pct", "customer", "C1", 80.0, 80.0, "met"),
    ("feedback_filed_on_time_pct", "company", "", 100.0, 95.0, "met"),
    ("visit_report_on_time_pct", "company", "", 94.0, 95.0, "missed"),
    ("service_on_time_pct", "company", "", 95.0, 95.0, "met"),
    ("service_satisfaction_pct", "company", "", 90.0, 90.0, "met"),
    ("property_reported_pct", "company", "", 99.0, 100.0, "missed"),
    ("audit_actions_on_time_pct", "company", "", 90.0, 90.0, "met"),
    ("survey_score", "customer", "C1", 84.9, 85.0, "missed"),        # ← targets.satisfaction
    ("scorecard_final", "company", "", 90.0, 90.0, "met"),           # ← targets.scorecard
    ("scorecard_annual", "customer", "C2", 89.0, 90.0, "missed"),
]


@pytest.mark.parametrize("kpi, scope, key, value, target, status", CASES)
def test_target_and_status(kpi, scope, key, value, target, status):
    out = apply_targets(rows((kpi, scope, key, value)), {"customers": MASTER}, settings_for())
    assert (out["target"].iloc[0], out["status"].iloc[0]) == (target, status)


def test_kpis_without_a_target_are_left_alone():
    out = apply_targets(rows(("due_lots", "company", "", 4.0), ("complaints", "customer", "C1", 2.0)),
                        {}, settings_for())
    assert out["target"].isna().all() and (out["status"] == "").all()


def test_without_a_master_every_ppm_uses_targets_ppm():
    out = apply_targets(rows(("ppm", "customer", "C1", 75.0)), {}, settings_for(targets__ppm=80))
    assert (out["target"].iloc[0], out["status"].iloc[0]) == (80.0, "met")


def test_floating_point_noise_does_not_flip_equal_to_missed():
    # 29 / 100 × 100 is 28.999999999999996 in binary floating point: equal to a target of 29
    value = float(ratio_pct(29, 100))
    assert value != 29.0
    out = apply_targets(rows(("otd_pct", "company", "", value)), {}, settings_for(targets__otd_pct=29))
    assert out["status"].iloc[0] == "met"


def test_every_target_of_kpis_md_is_mapped():
    assert set(TARGET_OF) == {
        "otd_pct", "ppm", "complaint_rate_pct", "response_on_time_pct", "d8_on_time_pct",
        "survey_return_rate_pct", "feedback_filed_on_time_pct", "visit_report_on_time_pct",
        "service_on_time_pct", "service_satisfaction_pct", "property_reported_pct",
        "audit_actions_on_time_pct", "survey_score", "scorecard_final", "scorecard_annual"}


def test_compute_kpis_applies_targets_and_sorts():
    # October at C1: 4 lots due, 1 late → otd 75 % < 98 → missed; PPM 5 / 40 pcs × 1e6 = 125,000
    # against C1's own target 100 → missed.
    deliveries = register_frame("deliveries", [
        {"order_no": f"O{i}", "customer_code": "C1", "due_date": "2026-10-10",
         "delivered_date": "2026-10-10" if i else "2026-10-11", "qty_due": 10, "qty_delivered": 10}
        for i in range(4)])
    complaints = register_frame("complaints", [
        {"complaint_no": "K1", "customer_code": "C1", "received_date": "2026-10-12", "defect_qty": 5}])
    long = compute_kpis({"deliveries": deliveries, "complaints": complaints, "customers": MASTER},
                        context_for("2026-10"))
    key = ["period", "kpi", "scope", "key"]
    assert long[key].equals(long[key].sort_values(key, kind="mergesort").reset_index(drop=True)[key])
    otd = long[(long["kpi"] == "otd_pct") & (long["period"] == "2026-10") & (long["scope"] == "customer")]
    assert otd[["value", "target", "status"]].values.tolist() == [[75.0, 98.0, "missed"]]
    ppm = long[(long["kpi"] == "ppm") & (long["period"] == "2026-10") & (long["scope"] == "customer")]
    assert ppm[["value", "target", "status"]].values.tolist() == [[125000.0, 100.0, "missed"]]
    # September: nothing delivered → no value, no_data
    sep = long[(long["kpi"] == "otd_pct") & (long["period"] == "2026-09") & (long["scope"] == "company")]
    assert sep["status"].tolist() == ["no_data"] and np.isnan(sep["value"].iloc[0])
    assert list(long.columns) == ["period", "kpi", "scope", "key", "value", "numerator", "denominator",
                                  "target", "status", "label"]


def test_compute_kpis_skips_only_missing_area_modules(monkeypatch):
    import pipeline.kpis as kpis_pkg
    monkeypatch.setattr(kpis_pkg, "AREA_MODULES", (("no_such_area", "no_such_kpis"),))
    long = compute_kpis({}, context_for("2026-10"))
    # delivery (6) and complaints (11) company rows, 12 months each, all without data
    assert len(long) == 17 * 12 and long["value"].isna().all()
    assert set(pd.unique(long["status"])) == {"", "no_data"}


def test_ppm_exactly_on_target_met_and_complaint_rate_above_target_missed():
    # October: 100 lots × 1000 pcs = 100,000 pcs delivered; 2 complaints with 3 + 2 = 5 defects.
    # ppm = 5 / 100,000 × 1e6 = 50 = targets.ppm → met (equal is met, lower is better);
    # complaint rate = 2 / 100 × 100 = 2.0 > targets.complaint_rate_pct 1.0 → missed.
    deliveries = register_frame("deliveries", [
        {"order_no": f"O{i}", "customer_code": "C2", "due_date": "2026-10-10", "delivered_date": "2026-10-10",
         "qty_due": 1000, "qty_delivered": 1000} for i in range(100)])
    complaints = register_frame("complaints", [
        {"complaint_no": "K1", "customer_code": "C2", "received_date": "2026-10-05", "defect_qty": 3},
        {"complaint_no": "K2", "customer_code": "C2", "received_date": "2026-10-06", "defect_qty": 2}])
    long = compute_kpis({"deliveries": deliveries, "complaints": complaints, "customers": MASTER},
                        context_for("2026-10"))
    october = long[(long["period"] == "2026-10") & long["scope"].isin(["company", "customer"])]
    got = {(r.kpi, r.scope): (r.value, r.target, r.status) for r in october.itertuples()
           if r.kpi in ("ppm", "complaint_rate_pct")}
    assert got == {("ppm", "company"): (50.0, 50.0, "met"), ("ppm", "customer"): (50.0, 50.0, "met"),
                   ("complaint_rate_pct", "company"): (2.0, 1.0, "missed"),
                   ("complaint_rate_pct", "customer"): (2.0, 1.0, "missed")}
