"""End to end on a tiny hand-built folder (tests/e2e/handbuilt): every KPI value below was worked
out by hand from shared/spec/kpis.md, with the arithmetic in the comment beside it.

The run is the real one (`pipeline.run.run`, period 2026-10, default settings: grace 0 days, full
quantity, reply 24 h urgent / 48 h normal, 8D 2 / 7 days, calendar clock, as_of 2026-10-31, whose
end is 2026-11-01 00:00), with only the workbook/PDF pack left out for speed; one test marked slow
runs the whole job and checks it writes the same kpis_long.csv. The file is read back with the csv
module and compared row by row.

Row ids (D1…D10, K0…K6, I1, I2, S1…S5, F1, V1, R1, P1, A1) are those of tests/e2e/handbuilt.

    lot  customer  plant  due    delivered      qty due/delivered  as a due lot
    D1   C01       一厂   09-10  09-10          10000/10000        on time
    D2   C01       一厂   09-20  09-22          10000/10000        late (2 days)
    D3   C02       二厂   09-25  09-24           5000/5000         on time (early)
    D4   C01       二厂   09-28  10-02           5000/5000         late; delivered in October
    D5   C01       一厂   10-08  10-08          20000/20000        on time
    D6   C01       一厂   10-15  10-14          20000/15000        late (short)
    D7   C01       二厂   10-28  —              10000/—            late (not delivered)
    D8   C02       二厂   10-10  10-16*         5000*/5000        late (6 days)
    D9   C02*      一厂   10-20  10-20           5000/5000         on time
    D10  C02       二厂   11-05  10-30           4000/4000         not due by as_of; delivered in October

    complaint  customer  received      cat    sev     defects  cause        reply         8D           closed
    K0         C02       07-20         C      normal   0       environment  07-21 (24 h)  07-25        —
    K1         C01       09-15 09:00   A      normal   4       machine      09-16 10:00   09-20        09-25
    K2         C02       09-28         B      urgent  50       man          09-29 08:00   10-01        10-12   batch reject
    K3         C01       10-09 14:00   A      urgent  10       material     10-10 13:00   10-12        10-20   batch reject
    K4         C01       10-20*        C      normal   —       (blank)      10-23 09:00   —            —
    K5         C02       10-30 10:00   —      normal  30*      method       —             —            —
    K6         C03       10-12         B      normal   5       measurement  10-13         10-19        10-25

    * typed as text, the way people do: D8 "2026/10/16" and "5,000", D9 "Ｃ０２" (full width),
      K4 "2026年10月20日", K5 "30 PCS"; every other date is an Excel date or date-time.
"""
from __future__ import annotations

import csv
import json
import math
import re

import pytest

import pipeline.run as run_module
from pipeline.run import run
from tests.e2e.handbuilt import REGISTER_ROWS, build_inputs

PERIOD = "2026-10"
SEP, OCT = "2026-09", "2026-10"
WINDOW = ("2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06",
          "2026-07", "2026-08", "2026-09", "2026-10")
HEADER = "period,kpi,scope,key,value,numerator,denominator,target,status,label"
CUSTOMERS = ("C01", "C02", "C03")

# settings.md [targets] defaults; ppm of C01 is held to its own ppm_target 200 (customer master)
TARGET = {
    "otd_pct": 98.0, "ppm": 50.0, "complaint_rate_pct": 1.0, "response_on_time_pct": 95.0,
    "d8_on_time_pct": 90.0, "survey_score": 85.0, "survey_return_rate_pct": 80.0,
    "scorecard_final": 90.0, "scorecard_annual": 90.0, "feedback_filed_on_time_pct": 95.0,
    "visit_report_on_time_pct": 95.0, "service_on_time_pct": 95.0, "service_satisfaction_pct": 90.0,
    "property_reported_pct": 100.0, "audit_actions_on_time_pct": 90.0,
}
OWN_PPM_TARGET = {"C01": 200.0}

DELIVERY_KPIS = ("due_lots", "late_lots", "otd_pct", "otd_qty_pct", "delivered_lots", "delivered_qty")
COMPLAINT_KPIS = ("complaints", "complaint_rate_pct", "defect_qty", "ppm", "batch_rejects",
                  "repeat_complaints", "response_on_time_pct", "d8_on_time_pct", "late_8d",
                  "median_days_to_close", "open_complaints")
CATEGORIES = ("A", "B", "C", "unclassified")
# every root cause seen in the window (K0 in July brings environment; K4's blank is undetermined)
ROOT_CAUSES = ("environment", "machine", "man", "material", "measurement", "method", "undetermined")
AGE_BANDS = ("0-30", "31-60", "61-90", ">90")


# --- the run ------------------------------------------------------------------------------------

def run_without_pack(inputs, out) -> int:
    """`pipeline.run.run` with the workbook/PDF pack left out: the pack is read from the KPIs,
    never feeds kpis_long.csv, and is most of a run's time (test_the_full_run_with_its_pack runs
    it, marked slow)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(run_module, "_write_pack", lambda *args, **kwargs: None, raising=False)
        return run(inputs, PERIOD, out, quiet=True)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    return build_inputs(tmp_path_factory.mktemp("handbuilt") / "inputs")


@pytest.fixture(scope="module")
def outputs(inputs):
    """The folder run twice, into two output folders."""
    first, second = inputs.parent / "out", inputs.parent / "again"
    assert run_without_pack(inputs, first) == 0
    assert run_without_pack(inputs, second) == 0
    return first, second


@pytest.fixture(scope="module")
def csv_rows(outputs):
    with (outputs[0] / "kpis_long.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def kpis(csv_rows):
    """(period, kpi, scope, key) → the row; a key given twice is a bug in itself."""
    table = {}
    for row in csv_rows:
        ident = (row["period"], row["kpi"], row["scope"], row["key"])
        assert ident not in table, f"row given twice: {ident}"
        table[ident] = row
    return table


def number(text: str) -> float | None:
    return None if text == "" else float(text)


def expected_target(kpi: str, scope: str, key: str) -> float | None:
    if kpi == "ppm" and scope == "customer" and key in OWN_PPM_TARGET:
        return OWN_PPM_TARGET[key]
    return TARGET.get(kpi)


def same(got: str, want: float | None) -> bool:
    if want is None:
        return got == ""
    return got != "" and math.isclose(float(got), want, rel_tol=1e-12, abs_tol=1e-9)


def check(kpis, period, kpi, scope, key, value, num, den, status, label) -> None:
    ident = (period, kpi, scope, key)
    assert ident in kpis, f"missing row {ident}"
    row = kpis[ident]
    got = {c: row[c] for c in ("value", "numerator", "denominator", "target", "status", "label")}
    target = expected_target(kpi, scope, key)
    assert same(row["value"], value), (ident, "value", value, got)
    assert same(row["numerator"], num), (ident, "numerator", num, got)
    assert same(row["denominator"], den), (ident, "denominator", den, got)
    assert same(row["target"], target), (ident, "target", target, got)
    assert row["status"] == status, (ident, "status", status, got)
    assert row["label"] == label, (ident, "label", label, got)


def E(period, kpi, scope, key, value, num=None, den=None, status="", label=""):
    """One expected row: value, numerator, denominator (None = empty), status, label. The target
    is the settings default of the KPI (C01's own for its ppm), empty for untargeted KPIs."""
    return pytest.param(period, kpi, scope, key, value, num, den, status, label,
                        id=f"{period}|{kpi}|{scope}|{key}")


# --- delivery -----------------------------------------------------------------------------------

DELIVERY = [
    # September. Due: D1 D2 D3 D4; late: D2 (09-22 > 09-20), D4 (10-02 > 09-28).
    E(SEP, "due_lots", "company", "", 4),
    E(SEP, "late_lots", "company", "", 2),
    E(SEP, "otd_pct", "company", "", 50.0, 2, 4, "missed"),               # (4 − 2) / 4 × 100
    E(SEP, "otd_qty_pct", "company", "", 50.0, 15000, 30000),             # (D1 10000 + D3 5000) / (10000+10000+5000+5000)
    E(SEP, "delivered_lots", "company", "", 3),                           # D1 09-10, D2 09-22, D3 09-24 (D4 is October's)
    E(SEP, "delivered_qty", "company", "", 25000),                        # 10000 + 10000 + 5000
    E(SEP, "due_lots", "customer", "C01", 3),                             # D1 D2 D4
    E(SEP, "late_lots", "customer", "C01", 2),                            # D2 D4
    E(SEP, "otd_pct", "customer", "C01", 100 / 3, 1, 3, "missed"),        # (3 − 2) / 3 × 100 = 33.33
    E(SEP, "otd_qty_pct", "customer", "C01", 40.0, 10000, 25000),         # D1 10000 / (10000+10000+5000)
    E(SEP, "delivered_lots", "customer", "C01", 2),                       # D1 D2
    E(SEP, "delivered_qty", "customer", "C01", 20000),
    E(SEP, "due_lots", "customer", "C02", 1),                             # D3
    E(SEP, "late_lots", "customer", "C02", 0),
    E(SEP, "otd_pct", "customer", "C02", 100.0, 1, 1, "met"),             # 1 / 1 × 100 ≥ 98
    E(SEP, "otd_qty_pct", "customer", "C02", 100.0, 5000, 5000),
    E(SEP, "delivered_lots", "customer", "C02", 1),
    E(SEP, "delivered_qty", "customer", "C02", 5000),
    # per plant (the sheet has a 厂区 column): 一厂 D1 D2, 二厂 D3 D4
    E(SEP, "due_lots", "plant", "一厂", 2),
    E(SEP, "late_lots", "plant", "一厂", 1),                                # D2
    E(SEP, "otd_pct", "plant", "一厂", 50.0, 1, 2, "missed"),              # (2 − 1) / 2 × 100
    E(SEP, "otd_qty_pct", "plant", "一厂", 50.0, 10000, 20000),            # D1 10000 / (10000 + 10000)
    E(SEP, "delivered_lots", "plant", "一厂", 2),                          # D1 D2
    E(SEP, "delivered_qty", "plant", "一厂", 20000),
    E(SEP, "due_lots", "plant", "二厂", 2),
    E(SEP, "late_lots", "plant", "二厂", 1),                                # D4
    E(SEP, "otd_pct", "plant", "二厂", 50.0, 1, 2, "missed"),
    E(SEP, "otd_qty_pct", "plant", "二厂", 50.0, 5000, 10000),             # D3 5000 / (5000 + 5000)
    E(SEP, "delivered_lots", "plant", "二厂", 1),                          # D3 (D4 arrived in October)
    E(SEP, "delivered_qty", "plant", "二厂", 5000),
    # October. Due: D5 D6 D7 D8 D9 (D10 is due 11-05, after as_of); late: D6 short, D7 not
    # delivered, D8 10-16 > 10-10.
    E(OCT, "due_lots", "company", "", 5),
    E(OCT, "late_lots", "company", "", 3),
    E(OCT, "otd_pct", "company", "", 40.0, 2, 5, "missed"),               # (5 − 3) / 5 × 100
    E(OCT, "otd_qty_pct", "company", "", 25000 / 60000 * 100, 25000, 60000),  # (D5 20000 + D9 5000) / (20000+20000+10000+5000+5000) = 41.67
    E(OCT, "delivered_lots", "company", "", 6),                           # D4 D5 D6 D8 D9 D10
    E(OCT, "delivered_qty", "company", "", 54000),                        # 5000+20000+15000+5000+5000+4000
    E(OCT, "due_lots", "customer", "C01", 3),                             # D5 D6 D7
    E(OCT, "late_lots", "customer", "C01", 2),                            # D6 D7
    E(OCT, "otd_pct", "customer", "C01", 100 / 3, 1, 3, "missed"),        # (3 − 2) / 3 × 100
    E(OCT, "otd_qty_pct", "customer", "C01", 40.0, 20000, 50000),         # D5 20000 / (20000+20000+10000)
    E(OCT, "delivered_lots", "customer", "C01", 3),                       # D4 D5 D6
    E(OCT, "delivered_qty", "customer", "C01", 40000),                    # 5000 + 20000 + 15000
    E(OCT, "due_lots", "customer", "C02", 2),                             # D8 D9
    E(OCT, "late_lots", "customer", "C02", 1),                            # D8
    E(OCT, "otd_pct", "customer", "C02", 50.0, 1, 2, "missed"),           # (2 − 1) / 2 × 100
    E(OCT, "otd_qty_pct", "customer", "C02", 50.0, 5000, 10000),          # D9 5000 / (5000 + 5000)
    E(OCT, "delivered_lots", "customer", "C02", 3),                       # D8 D9 D10
    E(OCT, "delivered_qty", "customer", "C02", 14000),                    # 5000 + 5000 + 4000
    # per plant: 一厂 due D5 D6 D9, 二厂 due D7 D8 (D10, 二厂, is not due yet)
    E(OCT, "due_lots", "plant", "一厂", 3),
    E(OCT, "late_lots", "plant", "一厂", 1),                                # D6
    E(OCT, "otd_pct", "plant", "一厂", 200 / 3, 2, 3, "missed"),           # (3 − 1) / 3 × 100 = 66.67
    E(OCT, "otd_qty_pct", "plant", "一厂", 25000 / 45000 * 100, 25000, 45000),  # (20000 + 5000) / (20000+20000+5000)
    E(OCT, "delivered_lots", "plant", "一厂", 3),                          # D5 D6 D9
    E(OCT, "delivered_qty", "plant", "一厂", 40000),                       # 20000 + 15000 + 5000
    E(OCT, "due_lots", "plant", "二厂", 2),
    E(OCT, "late_lots", "plant", "二厂", 2),                                # D7 D8
    E(OCT, "otd_pct", "plant", "二厂", 0.0, 0, 2, "missed"),               # (2 − 2) / 2 × 100: 0 is a value
    E(OCT, "otd_qty_pct", "plant", "二厂", 0.0, 0, 15000),                 # 0 / (10000 + 5000)
    E(OCT, "delivered_lots", "plant", "二厂", 3),                          # D4 D8 D10
    E(OCT, "delivered_qty", "plant", "二厂", 14000),                       # 5000 + 5000 + 4000
]


# --- complaints ---------------------------------------------------------------------------------

COMPLAINTS = [
    # September: K1 (C01, A, machine), K2 (C02, B, man). Delivered: 3 lots / 25000 pcs (C01 2 /
    # 20000, C02 1 / 5000, C03 none).
    E(SEP, "complaints", "company", "", 2),
    E(SEP, "complaints", "customer", "C01", 1),
    E(SEP, "complaints", "customer", "C02", 1),
    E(SEP, "complaints", "customer", "C03", 0),
    E(SEP, "complaints", "category", "A", 1),
    E(SEP, "complaints", "category", "B", 1),
    E(SEP, "complaints", "category", "C", 0),
    E(SEP, "complaints", "category", "unclassified", 0),
    E(SEP, "complaints", "root_cause", "machine", 1),
    E(SEP, "complaints", "root_cause", "man", 1),
    *[E(SEP, "complaints", "root_cause", c, 0) for c in ("environment", "material", "measurement", "method",
                                                         "undetermined")],
    E(SEP, "complaint_rate_pct", "company", "", 200 / 3, 2, 3, "missed"),        # 2 / 3 × 100 = 66.67 > 1
    E(SEP, "complaint_rate_pct", "customer", "C01", 50.0, 1, 2, "missed"),       # 1 / 2 × 100
    E(SEP, "complaint_rate_pct", "customer", "C02", 100.0, 1, 1, "missed"),      # 1 / 1 × 100
    E(SEP, "complaint_rate_pct", "customer", "C03", None, 0, 0, "no_data"),      # 0 / 0 delivered lots: no value
    E(SEP, "defect_qty", "company", "", 54),                                     # K1 4 + K2 50
    E(SEP, "defect_qty", "customer", "C01", 4),
    E(SEP, "defect_qty", "customer", "C02", 50),
    E(SEP, "defect_qty", "customer", "C03", 0),
    E(SEP, "ppm", "company", "", 2160.0, 54, 25000, "missed"),                   # 54 / 25000 × 10⁶
    E(SEP, "ppm", "customer", "C01", 200.0, 4, 20000, "met"),                    # 4 / 20000 × 10⁶ = 200 = its target: met
    E(SEP, "ppm", "customer", "C02", 10000.0, 50, 5000, "missed"),               # 50 / 5000 × 10⁶
    E(SEP, "ppm", "customer", "C03", None, 0, 0, "no_data"),                     # nothing delivered
    E(SEP, "batch_rejects", "company", "", 1),                                   # K2
    E(SEP, "batch_rejects", "customer", "C01", 0),
    E(SEP, "batch_rejects", "customer", "C02", 1),
    E(SEP, "batch_rejects", "customer", "C03", 0),
    E(SEP, "repeat_complaints", "company", "", 0),
    *[E(SEP, "repeat_complaints", "customer", c, 0) for c in CUSTOMERS],
    # reply: K1 09-16 10:00 − 09-15 09:00 = 25 h ≤ 48 on time; K2 09-29 08:00 − 09-28 00:00 = 32 h > 24 late
    E(SEP, "response_on_time_pct", "company", "", 50.0, 1, 2, "missed"),
    E(SEP, "response_on_time_pct", "customer", "C01", 100.0, 1, 1, "met"),
    E(SEP, "response_on_time_pct", "customer", "C02", 0.0, 0, 1, "missed"),      # one late reply is 0 %, a value
    # 8D: K1 09-20 00:00 ≤ 09-15 09:00 + 7 d = 09-22 09:00 on time; K2 10-01 > 09-28 + 2 d = 09-30 late
    E(SEP, "d8_on_time_pct", "company", "", 50.0, 1, 2, "missed"),
    E(SEP, "d8_on_time_pct", "customer", "C01", 100.0, 1, 1, "met"),
    E(SEP, "d8_on_time_pct", "customer", "C02", 0.0, 0, 1, "missed"),
    # late 8Ds by deadline month: K2's deadline 09-30 is in September
    E(SEP, "late_8d", "company", "", 1),
    E(SEP, "late_8d", "customer", "C01", 0),
    E(SEP, "late_8d", "customer", "C02", 1),
    E(SEP, "late_8d", "customer", "C03", 0),
    # closed in September: K1 09-25 − 09-15 = 10 days
    E(SEP, "median_days_to_close", "company", "", 10),
    E(SEP, "median_days_to_close", "customer", "C01", 10),
    # open at 09-30: K0 (received 07-20, never closed; 72 days old), K2 (closed 10-12; 2 days old)
    E(SEP, "open_complaints", "company", "", 2),
    E(SEP, "open_complaints", "customer", "C01", 0),
    E(SEP, "open_complaints", "customer", "C02", 2),
    E(SEP, "open_complaints", "customer", "C03", 0),

    # October: K3 (C01, A, material), K4 (C01, C, blank cause), K5 (C02, blank category, method),
    # K6 (C03, B, measurement). Delivered: 6 lots / 54000 pcs (C01 3 / 40000, C02 3 / 14000, C03 none).
    E(OCT, "complaints", "company", "", 4),
    E(OCT, "complaints", "customer", "C01", 2),                                  # K3 K4
    E(OCT, "complaints", "customer", "C02", 1),                                  # K5
    E(OCT, "complaints", "customer", "C03", 1),                                  # K6
    E(OCT, "complaints", "category", "A", 1),                                    # K3 ("A类")
    E(OCT, "complaints", "category", "B", 1),                                    # K6
    E(OCT, "complaints", "category", "C", 1),                                    # K4
    E(OCT, "complaints", "category", "unclassified", 1),                         # K5 (blank)
    E(OCT, "complaints", "root_cause", "material", 1),
    E(OCT, "complaints", "root_cause", "undetermined", 1),                       # K4 (blank)
    E(OCT, "complaints", "root_cause", "method", 1),
    E(OCT, "complaints", "root_cause", "measurement", 1),
    *[E(OCT, "complaints", "root_cause", c, 0) for c in ("environment", "machine", "man")],
    E(OCT, "complaint_rate_pct", "company", "", 400 / 6, 4, 6, "missed"),        # 4 / 6 × 100 = 66.67
    E(OCT, "complaint_rate_pct", "customer", "C01", 200 / 3, 2, 3, "missed"),    # 2 / 3 × 100
    E(OCT, "complaint_rate_pct", "customer", "C02", 100 / 3, 1, 3, "missed"),    # 1 / 3 × 100
    E(OCT, "complaint_rate_pct", "customer", "C03", None, 1, 0, "no_data"),      # 1 complaint, 0 lots: no value
    E(OCT, "defect_qty", "company", "", 45),                                     # 10 + 0 (K4 blank) + 30 + 5
    E(OCT, "defect_qty", "customer", "C01", 10),
    E(OCT, "defect_qty", "customer", "C02", 30),
    E(OCT, "defect_qty", "customer", "C03", 5),
    E(OCT, "ppm", "company", "", 45 / 54000 * 1e6, 45, 54000, "missed"),         # 833.33
    E(OCT, "ppm", "customer", "C01", 250.0, 10, 40000, "missed"),                # 10 / 40000 × 10⁶ > 200
    E(OCT, "ppm", "customer", "C02", 30 / 14000 * 1e6, 30, 14000, "missed"),     # 2142.86
    E(OCT, "ppm", "customer", "C03", None, 5, 0, "no_data"),
    E(OCT, "batch_rejects", "company", "", 1),                                   # K3
    E(OCT, "batch_rejects", "customer", "C01", 1),
    E(OCT, "batch_rejects", "customer", "C02", 0),
    E(OCT, "batch_rejects", "customer", "C03", 0),
    # K3 repeats K1: same customer C01, part P-100, "端子 氧化" = "端子氧化" without whitespace,
    # received 24 days after it (within 6 months)
    E(OCT, "repeat_complaints", "company", "", 1),
    E(OCT, "repeat_complaints", "customer", "C01", 1),
    E(OCT, "repeat_complaints", "customer", "C02", 0),
    E(OCT, "repeat_complaints", "customer", "C03", 0),
    # reply: K3 23 h ≤ 24 on time; K4 10-23 09:00 − 10-20 = 81 h > 48 late; K5 none, deadline
    # 11-01 10:00 not passed at as_of's end 11-01 00:00 → pending, left out; K6 24 h ≤ 48 on time
    E(OCT, "response_on_time_pct", "company", "", 200 / 3, 2, 3, "missed"),
    E(OCT, "response_on_time_pct", "customer", "C01", 50.0, 1, 2, "missed"),
    E(OCT, "response_on_time_pct", "customer", "C03", 100.0, 1, 1, "met"),
    # 8D: K3 10-12 00:00 > 10-09 14:00 + 2 d = 10-11 14:00 late; K4 none and 10-20 + 7 d = 10-27
    # passed → late; K5 deadline 11-06 pending; K6 10-19 = 10-12 + 7 d exactly → on time
    E(OCT, "d8_on_time_pct", "company", "", 100 / 3, 1, 3, "missed"),
    E(OCT, "d8_on_time_pct", "customer", "C01", 0.0, 0, 2, "missed"),
    E(OCT, "d8_on_time_pct", "customer", "C03", 100.0, 1, 1, "met"),
    # late 8Ds whose deadline is in October: K3 (10-11), K4 (10-27)
    E(OCT, "late_8d", "company", "", 2),
    E(OCT, "late_8d", "customer", "C01", 2),
    E(OCT, "late_8d", "customer", "C02", 0),
    E(OCT, "late_8d", "customer", "C03", 0),
    # closed in October: K2 10-12 − 09-28 = 14, K3 10-20 − 10-09 = 11, K6 10-25 − 10-12 = 13 → median 13
    E(OCT, "median_days_to_close", "company", "", 13),
    E(OCT, "median_days_to_close", "customer", "C01", 11),
    E(OCT, "median_days_to_close", "customer", "C02", 14),
    E(OCT, "median_days_to_close", "customer", "C03", 13),
    # open at as_of 10-31: K0 (103 days: 11 + 31 + 30 + 31), K4 (11 days), K5 (1 day)
    E(OCT, "open_complaints", "company", "", 3),
    E(OCT, "open_complaints", "customer", "C01", 1),
    E(OCT, "open_complaints", "customer", "C02", 2),
    E(OCT, "open_complaints", "customer", "C03", 0),
]


# --- scorecard ------------------------------------------------------------------------------------

SCORECARD = [
    # C01 (automotive, ppm target 200), September: late lots D2 D4 → D = 25 − 5×2 = 15;
    # ppm 200 ≤ 200 → 25, no batch reject → 25, Q = 50; incidents I2 count 2 + late 8Ds 0 →
    # O = 25 − 5×2 = 15; internal = 50 + 15 + 15 = 80; the customer sent 86 → final 86.
    E(SEP, "scorecard_d", "customer", "C01", 15),
    E(SEP, "scorecard_q", "customer", "C01", 50),
    E(SEP, "scorecard_o", "customer", "C01", 15),
    E(SEP, "scorecard_internal", "customer", "C01", 80),
    E(SEP, "scorecard_final", "customer", "C01", 86, status="missed"),           # 86 < 90
    # October: late lots D6 D7 → D = 15; ppm 250 is 25 % over 200 → 25 − ⌊10 × 50 / 200⌋ = 23,
    # one batch reject (K3) → 20, Q = 43; I1 count 1 + late 8Ds K3 K4 = 3 → O = 25 − 15 = 10;
    # internal = 43 + 15 + 10 = 68, no customer score → final 68.
    E(OCT, "scorecard_d", "customer", "C01", 15),
    E(OCT, "scorecard_q", "customer", "C01", 43),
    E(OCT, "scorecard_o", "customer", "C01", 10),
    E(OCT, "scorecard_internal", "customer", "C01", 68),
    E(OCT, "scorecard_final", "customer", "C01", 68, status="missed"),
    # company = mean of the customers' finals (C01 only: C02 and C03 are not automotive)
    E(SEP, "scorecard_final", "company", "", 86, 86, 1, "missed"),
    E(OCT, "scorecard_final", "company", "", 68, 68, 1, "missed"),
    # annual 2026: C01 0.2 × S (2026H1: 85) + 0.8 × mean(86, 68) = 17 + 61.6 = 78.6;
    # company 0.2 × 84 + 0.8 × mean(86, 68) = 16.8 + 61.6 = 78.4
    E("2026", "scorecard_annual", "customer", "C01", 0.2 * 85 + 0.8 * 77, status="missed"),
    E("2026", "scorecard_annual", "company", "", 0.2 * 84 + 0.8 * 77, status="missed"),
]


# --- survey round 2026H1 ------------------------------------------------------------------------

SURVEY = [
    # responses (scale 100, all items weight 1): S1 (90+80+70+90+80+90+60)/7 = 80; S2 (100+90+80)/3
    # = 90; S3 overall 72; S4 not returned; S5 (100+90+95+95+95+95+95)/7 = 95
    E("2026H1", "survey_score", "customer", "C01", 85.0, 170, 2, "met", "satisfied"),       # (80+90)/2; ≥ 85
    E("2026H1", "survey_score", "customer", "C02", 72.0, 72, 1, "missed", "fair"),          # ≥ 70, < 85
    E("2026H1", "survey_score", "customer", "C03", 95.0, 95, 1, "met", "very satisfied"),   # ≥ 95
    E("2026H1", "survey_score", "company", "", 84.0, 252, 3, "missed", "fair"),             # (85+72+95)/3
    E("2026H1", "survey_return_rate_pct", "company", "", 80.0, 4, 5, "met"),                # 4 of 5 returned = target
    E("2026H1", "survey_return_rate_pct", "customer", "C01", 100.0, 2, 2, "met"),
    E("2026H1", "survey_return_rate_pct", "customer", "C02", 50.0, 1, 2, "missed"),         # S4 not returned
    E("2026H1", "survey_return_rate_pct", "customer", "C03", 100.0, 1, 1, "met"),
    # items, over the returned responses that score them (S3 scored none)
    E("2026H1", "survey_item_score", "item", "quality", 290 / 3, 290, 3),                   # (90+100+100)/3
    E("2026H1", "survey_item_score", "item", "delivery", 260 / 3, 260, 3),                  # (80+90+90)/3
    E("2026H1", "survey_item_score", "item", "price", 245 / 3, 245, 3),                     # (70+80+95)/3
    E("2026H1", "survey_item_score", "item", "service", 92.5, 185, 2),                      # (90+95)/2
    E("2026H1", "survey_item_score", "item", "technical", 87.5, 175, 2),                    # (80+95)/2
    E("2026H1", "survey_item_score", "item", "communication", 92.5, 185, 2),                # (90+95)/2
    E("2026H1", "survey_item_score", "item", "packaging", 77.5, 155, 2),                    # (60+95)/2
]


# --- the one-row registers ------------------------------------------------------------------------

OTHER_REGISTERS = [
    # F1: class A, received Fri 10-09; one working day after it is Sat 10-10 (a 调休 make-up day of
    # National Day 2026), so the form filed Mon 10-12 is late; completed 10-23 (14 days)
    E(OCT, "feedback_items", "company", "", 1),
    E(OCT, "feedback_items", "category", "A", 1),
    *[E(OCT, "feedback_items", "category", c, 0) for c in ("B", "C", "D")],
    E(OCT, "feedback_filed_on_time_pct", "company", "", 0.0, 0, 1, "missed"),
    E(OCT, "feedback_open", "company", "", 0),
    E(OCT, "feedback_median_days_to_complete", "company", "", 14),
    E(SEP, "feedback_items", "company", "", 0),
    E(SEP, "feedback_filed_on_time_pct", "company", "", None, 0, 0, "no_data"),
    # V1: visit Wed 09-30; 3 working days after it: Thu 10-08, Fri 10-09, Sat 10-10 (make-up day)
    # → the report of 10-09 is on time
    E(SEP, "visits", "company", "", 1),
    E(SEP, "visit_report_on_time_pct", "company", "", 100.0, 1, 1, "met"),
    E(OCT, "visits", "company", "", 0),
    E(OCT, "visit_report_on_time_pct", "company", "", None, 0, 0, "no_data"),
    # R1: 包换 requested 10-26, served 10-28 (2 days ≤ 2), rated 满意
    E(OCT, "service_requests", "company", "", 1),
    E(OCT, "service_requests", "type", "warranty_replace", 1),
    E(OCT, "service_requests", "type", "repair", 0),
    E(OCT, "service_on_time_pct", "company", "", 100.0, 1, 1, "met"),
    E(OCT, "service_median_days", "company", "", 2),
    E(OCT, "service_satisfaction_pct", "company", "", 100.0, 1, 1, "met"),
    E(OCT, "warranty_cases", "type", "warranty_replace", 1),
    E(OCT, "warranty_cases", "type", "warranty_repair", 0),
    E(OCT, "warranty_cases", "type", "warranty_return", 0),
    E("2026", "warranty_cases", "type", "warranty_replace", 1),                  # year to date
    E("2026", "warranty_cases", "type", "warranty_repair", 0),
    E("2026", "warranty_cases", "type", "warranty_return", 0),
    # P1: damaged 10-13, never reported to the customer → 0 of 1
    E(OCT, "property_incidents", "company", "", 1),
    E(OCT, "property_reported_pct", "company", "", 0.0, 0, 1, "missed"),
    # A1: nonconformity audited 10-14, due 10-28, still open at as_of → late; open at 10-31
    E(OCT, "audit_findings", "company", "", 1),
    E(OCT, "audit_findings", "type", "nonconformity", 1),
    E(OCT, "audit_findings", "type", "positive", 0),
    E(OCT, "audit_findings", "type", "suggestion", 0),
    E(OCT, "audit_actions_on_time_pct", "company", "", 0.0, 0, 1, "missed"),
    E(OCT, "audit_open_findings", "company", "", 1),
    E(SEP, "audit_open_findings", "company", "", 0),
]


@pytest.mark.parametrize("period,kpi,scope,key,value,num,den,status,label", DELIVERY)
def test_delivery_kpis(kpis, period, kpi, scope, key, value, num, den, status, label):
    check(kpis, period, kpi, scope, key, value, num, den, status, label)


@pytest.mark.parametrize("period,kpi,scope,key,value,num,den,status,label", COMPLAINTS)
def test_complaint_kpis(kpis, period, kpi, scope, key, value, num, den, status, label):
    check(kpis, period, kpi, scope, key, value, num, den, status, label)


@pytest.mark.parametrize("period,kpi,scope,key,value,num,den,status,label", SCORECARD)
def test_scorecard_kpis(kpis, period, kpi, scope, key, value, num, den, status, label):
    check(kpis, period, kpi, scope, key, value, num, den, status, label)


@pytest.mark.parametrize("period,kpi,scope,key,value,num,den,status,label", SURVEY)
def test_survey_kpis(kpis, period, kpi, scope, key, value, num, den, status, label):
    check(kpis, period, kpi, scope, key, value, num, den, status, label)


@pytest.mark.parametrize("period,kpi,scope,key,value,num,den,status,label", OTHER_REGISTERS)
def test_one_row_register_kpis(kpis, period, kpi, scope, key, value, num, den, status, label):
    check(kpis, period, kpi, scope, key, value, num, den, status, label)


def test_scorecard_only_for_the_automotive_customer_and_its_active_months(kpis):
    """C02 and C03 are not automotive: no monthly scorecard rows; C01 scores only September and
    October, the months with a lot, a complaint, an incident or its own score."""
    components = ("scorecard_d", "scorecard_q", "scorecard_o", "scorecard_internal", "scorecard_final")
    got = {(p, k, key) for (p, k, s, key) in kpis if k in components and s == "customer"}
    assert got == {(m, k, "C01") for m in (SEP, OCT) for k in components}
    annual = {(p, s, key) for (p, k, s, key) in kpis if k == "scorecard_annual"}
    assert annual == {("2026", "customer", "C01"), ("2026", "company", "")}


# --- months without data ------------------------------------------------------------------------

EMPTY_IN_NOVEMBER_2025 = [
    # (kpi, scope, key): nothing was due, delivered or received in 2025-11
    ("otd_pct", "company", ""), ("otd_qty_pct", "company", ""),
    ("otd_pct", "customer", "C01"), ("otd_qty_pct", "customer", "C02"),
    ("complaint_rate_pct", "company", ""), ("ppm", "company", ""),
    ("complaint_rate_pct", "customer", "C01"), ("ppm", "customer", "C02"),
    ("response_on_time_pct", "company", ""), ("d8_on_time_pct", "company", ""),
    ("median_days_to_close", "company", ""), ("scorecard_final", "company", ""),
    ("feedback_filed_on_time_pct", "company", ""), ("visit_report_on_time_pct", "company", ""),
    ("service_on_time_pct", "company", ""), ("service_satisfaction_pct", "company", ""),
    ("property_reported_pct", "company", ""), ("audit_actions_on_time_pct", "company", ""),
]


@pytest.mark.parametrize("kpi,scope,key", EMPTY_IN_NOVEMBER_2025, ids=lambda v: v or "-")
def test_a_month_without_data_has_an_empty_value_never_0_or_100(kpis, kpi, scope, key):
    row = kpis.get(("2025-11", kpi, scope, key))
    assert row is not None, f"no 2025-11 row for {kpi} {scope} {key}: every month of the window has one"
    assert row["value"] == "", row
    if kpi in TARGET:
        assert row["status"] == "no_data", row


@pytest.mark.parametrize("kpi,scope,key", [
    ("due_lots", "company", ""), ("late_lots", "customer", "C01"), ("delivered_lots", "company", ""),
    ("complaints", "company", ""), ("defect_qty", "customer", "C02"), ("open_complaints", "company", ""),
], ids=lambda v: v or "-")
def test_counts_of_a_quiet_month_are_zero(kpis, kpi, scope, key):
    """A count with nothing to count is 0 (it has no denominator): 2025-11."""
    assert number(kpis[("2025-11", kpi, scope, key)]["value"]) == 0


def test_july_complaint_without_deliveries_gives_no_rate(kpis):
    """K0 was received in July, when nothing was delivered: 1 complaint, but complaint rate
    1 / 0 lots and ppm 0 / 0 pcs have no value (never infinite, never 0)."""
    assert number(kpis[("2026-07", "complaints", "company", "")]["value"]) == 1
    for kpi in ("complaint_rate_pct", "ppm"):
        row = kpis[("2026-07", kpi, "company", "")]
        assert row["value"] == "" and row["status"] == "no_data", row
    # K0's reply (24 h ≤ 48) and 8D (5 days ≤ 7) were on time: 1 / 1
    assert number(kpis[("2026-07", "response_on_time_pct", "company", "")]["value"]) == 100.0
    assert number(kpis[("2026-07", "d8_on_time_pct", "company", "")]["value"]) == 100.0


@pytest.mark.parametrize("kpi", DELIVERY_KPIS + COMPLAINT_KPIS)
def test_company_rows_cover_every_month_of_the_window(kpis, kpi):
    assert {p for (p, k, s, _) in kpis if k == kpi and s == "company"} == set(WINDOW)


def test_company_scorecard_final_covers_every_month_and_is_empty_without_scores(kpis):
    for month in WINDOW:
        row = kpis[(month, "scorecard_final", "company", "")]
        if month in (SEP, OCT):
            continue
        assert row["value"] == "" and row["status"] == "no_data", row


# --- the exact set of October's delivery and complaint rows ---------------------------------------

def expected_october_identities() -> set[tuple[str, str, str, str]]:
    """outputs.md scopes: delivery KPIs at company, per customer that delivered or had lots due
    (C01, C02) and per plant (一厂, 二厂); complaints also per category and root cause seen in the window;
    rate, defects, ppm, batch rejects and repeats per customer (C01–C03, C03 having a complaint);
    the timeliness rates per customer only where they have a value (C02's only October complaint
    K5 is pending); late 8Ds, median and open complaints per customer with complaints (every one
    has a value: a count, or a closure in October). No other scope: outputs.md lists the scopes, and
    open complaints by age are the pack's (its open-complaints list), not kpis_long rows."""
    rows = set()
    for kpi in DELIVERY_KPIS:
        rows |= {(OCT, kpi, "company", "")} | {(OCT, kpi, "customer", c) for c in ("C01", "C02")}
        rows |= {(OCT, kpi, "plant", plant) for plant in ("一厂", "二厂")}
    rows |= {(OCT, "complaints", "category", c) for c in CATEGORIES}
    rows |= {(OCT, "complaints", "root_cause", c) for c in ROOT_CAUSES}
    for kpi in ("complaints", "complaint_rate_pct", "defect_qty", "ppm", "batch_rejects", "repeat_complaints",
                "late_8d", "median_days_to_close", "open_complaints"):
        rows |= {(OCT, kpi, "company", "")} | {(OCT, kpi, "customer", c) for c in CUSTOMERS}
    for kpi in ("response_on_time_pct", "d8_on_time_pct"):
        rows |= {(OCT, kpi, "company", "")} | {(OCT, kpi, "customer", c) for c in ("C01", "C03")}
    return rows


def test_october_delivery_and_complaint_rows_are_exactly_these(kpis):
    want = expected_october_identities()
    got = {ident for ident in kpis if ident[0] == OCT and ident[1] in DELIVERY_KPIS + COMPLAINT_KPIS}
    assert not want - got, f"missing: {sorted(want - got)}"
    assert not got - want, f"not expected: {sorted(got - want)}"


def test_every_october_delivery_and_complaint_row_has_its_hand_worked_value():
    """The hand-worked tables above cover the exact October set, so no row goes unchecked."""
    worked = {tuple(p.values[:4]) for p in DELIVERY + COMPLAINTS if p.values[0] == OCT}
    assert worked == expected_october_identities()


# --- the file itself ------------------------------------------------------------------------------

def test_csv_has_bom_header_and_plain_numbers(outputs):
    raw = (outputs[0] / "kpis_long.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw[3:].decode("utf-8")
    assert text.splitlines()[0] == HEADER
    plain = re.compile(r"^-?\d+(\.\d+)?$")
    for row in csv.DictReader(text.splitlines()):
        for col in ("value", "numerator", "denominator", "target"):
            assert row[col] == "" or plain.match(row[col]), (col, row)
        assert row["status"] in ("", "met", "missed", "no_data"), row


def test_csv_rows_are_sorted_by_period_kpi_scope_key(csv_rows):
    idents = [(r["period"], r["kpi"], r["scope"], r["key"]) for r in csv_rows]
    assert idents == sorted(idents)


def test_a_second_run_into_another_folder_gives_the_same_bytes(outputs):
    first, second = outputs
    assert (first / "kpis_long.csv").read_bytes() == (second / "kpis_long.csv").read_bytes()


def test_every_input_row_was_used(outputs):
    """The hand arithmetic assumes the pipeline read exactly what the builder wrote: nothing
    rejected, the complaint form's blank row and 制表/审核 footer skipped, every register complete."""
    manifest = json.loads((outputs[0] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rows_rejected"] == 0
    assert {name: r["rows"] for name, r in manifest["registers"].items()} == REGISTER_ROWS
    assert all(f["status"] == "read" for f in manifest["files"])
    complaints = [s for s in manifest["sheets"] if s["register"] == "complaints"]
    assert [(s["accepted"], s["skipped"]) for s in complaints] == [(7, 2)]


@pytest.mark.slow
def test_the_full_run_with_its_pack(inputs, outputs):
    """The whole job on this folder, pack included: it succeeds, writes every output, and its
    kpis_long.csv is the very file checked above."""
    out = inputs.parent / "full"
    assert run(inputs, PERIOD, out, quiet=True) == 0
    for name in (f"kpi_pack_{PERIOD}.xlsx", f"review_pack_{PERIOD}.pdf", f"data_quality_{PERIOD}.xlsx",
                 f"sampling_plan_{PERIOD}.xlsx", "manifest.json"):
        assert (out / name).is_file(), name
    assert list((out / "charts").glob("*.png"))
    assert (out / "kpis_long.csv").read_bytes() == (outputs[0] / "kpis_long.csv").read_bytes()
