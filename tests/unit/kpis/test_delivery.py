"""Delivery KPIs, kpis.md "Delivery": given lots → expected values, worked out by hand."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from pipeline.kpis.delivery import delivery_facts, delivery_kpis, late_lot_rows

from .conftest import context_for, register_frame

NAN = math.nan


def lot(order_no, due, delivered=None, qty_due=10, qty_delivered=None, customer="C1", plant=None):
    if qty_delivered is None:
        qty_delivered = qty_due if delivered else None
    return {"order_no": order_no, "lot_no": "1", "customer_code": customer, "due_date": due,
            "delivered_date": delivered, "qty_due": qty_due, "qty_delivered": qty_delivered, "plant": plant}


def kpis(lots, period="2026-10", as_of=None, **settings):
    c = context_for(period, as_of, **settings)
    return delivery_kpis({"deliveries": register_frame("deliveries", lots)}, c)


def pick(long, kpi, period="2026-10", scope="company", key=""):
    rows = long[(long["kpi"] == kpi) & (long["period"] == period) & (long["scope"] == scope) & (long["key"] == key)]
    assert len(rows) == 1, (kpi, period, scope, key, rows)
    return rows.iloc[0]


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or a == b


SPEC_EXAMPLE = [
    lot("A", "2026-10-05", "2026-10-05", 10, 10),    # on time
    lot("B", "2026-10-10", "2026-10-12", 10, 10),    # late: delivered after due + 0
    lot("C", "2026-10-20", "2026-10-18", 10, 8),     # late: short (full quantity)
    lot("D", "2026-10-28", None, 10, None),          # late: not delivered
]


@pytest.mark.parametrize("kpi, value, numerator, denominator", [
    ("due_lots", 4, NAN, NAN),
    ("late_lots", 3, NAN, NAN),
    ("otd_pct", 25.0, 1, 4),            # (4 − 3) / 4 × 100 = 25.0
    ("otd_qty_pct", 25.0, 10, 40),      # only A is not late: 10 / (10+10+10+10) × 100 = 25.0
    ("delivered_lots", 3, NAN, NAN),    # A, B, C delivered in October
    ("delivered_qty", 28, NAN, NAN),    # 10 + 10 + 8
])
def test_spec_example(kpi, value, numerator, denominator):
    row = pick(kpis(SPEC_EXAMPLE), kpi)
    assert row["value"] == value
    assert same(row["numerator"], numerator) and same(row["denominator"], denominator)


def test_every_month_of_the_window_and_a_quiet_month_has_no_rate():
    long = kpis(SPEC_EXAMPLE)
    company = long[long["scope"] == "company"]
    # 6 KPIs × 12 months 2025-11 … 2026-10
    assert len(company) == 72
    assert sorted(company["period"].unique()) == [str(p) for p in pd.period_range("2025-11", "2026-10", freq="M")]
    # September: nothing due, nothing delivered → counts 0, rates no value (never 0, never 100)
    assert pick(long, "due_lots", "2026-09")["value"] == 0
    assert pick(long, "delivered_lots", "2026-09")["value"] == 0
    assert math.isnan(pick(long, "otd_pct", "2026-09")["value"])
    assert math.isnan(pick(long, "otd_qty_pct", "2026-09")["value"])


@pytest.mark.parametrize("grace, delivered, late", [
    (0, "2026-10-10", 0),     # on the due date
    (2, "2026-10-12", 0),     # exactly due + grace (10 + 2): on time
    (2, "2026-10-13", 1),     # one day after due + grace: late
    (0, "2026-10-11", 1),     # grace 0, a day late
    (0, "2026-10-01", 0),     # early
])
def test_grace_days_boundary(grace, delivered, late):
    long = kpis([lot("A", "2026-10-10", delivered)], delivery__grace_days=grace)
    assert pick(long, "late_lots")["value"] == late
    assert pick(long, "otd_pct")["value"] == (1 - late) * 100.0


@pytest.mark.parametrize("full_quantity, late, otd, otd_qty", [
    # 8 of 10 delivered on the due date
    (True, 1, 0.0, 0.0),       # short counts as late: 0 / 1 lots, 0 / 10 pcs on time
    (False, 0, 100.0, 80.0),   # short does not count: 1 / 1 lot on time, 8 / 10 pcs = 80.0
])
def test_short_delivery(full_quantity, late, otd, otd_qty):
    long = kpis([lot("A", "2026-10-10", "2026-10-10", 10, 8)], delivery__full_quantity=full_quantity)
    assert pick(long, "late_lots")["value"] == late
    assert pick(long, "otd_pct")["value"] == otd
    assert pick(long, "otd_qty_pct")["value"] == otd_qty


def test_undelivered_lots_before_and_after_as_of():
    # as_of 2026-10-15: a lot due 10-10 and not delivered is late; a lot due 10-20 is not due yet
    long = kpis([lot("A", "2026-10-10"), lot("B", "2026-10-20")], as_of="2026-10-15")
    assert pick(long, "due_lots")["value"] == 1
    assert pick(long, "late_lots")["value"] == 1
    assert pick(long, "otd_pct")["value"] == 0.0          # (1 − 1) / 1 × 100


def test_due_on_as_of_counts():
    # due_date ≤ as_of: a lot due on as_of itself is due (and late when not delivered)
    long = kpis([lot("A", "2026-10-15")], as_of="2026-10-15")
    assert (pick(long, "due_lots")["value"], pick(long, "late_lots")["value"]) == (1, 1)


def test_delivered_lots_count_by_delivered_month_whatever_the_due_date():
    # due 09-28, delivered 10-02 (late): due/late in September, delivered in October
    long = kpis([lot("A", "2026-09-28", "2026-10-02", 10, 10)])
    assert (pick(long, "due_lots", "2026-09")["value"], pick(long, "late_lots", "2026-09")["value"]) == (1, 1)
    assert pick(long, "delivered_lots", "2026-09")["value"] == 0
    assert (pick(long, "delivered_lots", "2026-10")["value"], pick(long, "delivered_qty", "2026-10")["value"]) == (1, 10)
    assert pick(long, "due_lots", "2026-10")["value"] == 0


def test_lots_outside_the_window_are_left_out():
    # window 2025-11 … 2026-10: a lot due 2025-10-31 is outside it
    long = kpis([lot("A", "2025-10-31", "2025-10-31")])
    assert long[long["kpi"] == "due_lots"]["value"].sum() == 0
    assert set(long["scope"]) == {"company"}       # the customer has no row in the window


def test_customer_and_plant_scopes():
    lots = [
        lot("A", "2026-10-05", "2026-10-05", customer="C1", plant="P1"),
        lot("B", "2026-10-06", None, customer="C1", plant="P2"),
        lot("C", "2026-10-07", "2026-10-07", customer="C2", plant=None),   # no plant: company/customer only
        lot("D", "2026-08-07", "2026-08-07", customer="C3", plant="P1"),
    ]
    long = kpis(lots)
    assert pick(long, "otd_pct", scope="customer", key="C1")["value"] == 50.0    # 1 of 2
    assert pick(long, "otd_pct", scope="customer", key="C2")["value"] == 100.0
    assert math.isnan(pick(long, "otd_pct", scope="customer", key="C3")["value"])   # nothing due in October
    assert pick(long, "otd_pct", "2026-08", scope="customer", key="C3")["value"] == 100.0
    assert pick(long, "otd_pct", scope="plant", key="P1")["value"] == 100.0
    assert pick(long, "otd_pct", scope="plant", key="P2")["value"] == 0.0
    assert set(long.loc[long["scope"] == "plant", "key"]) == {"P1", "P2"}
    # every customer / plant with a row in the window gets all 12 months of all 6 KPIs
    assert (long.groupby(["scope", "key"]).size() == 72).all()
    # company: 3 due in October, 1 late
    assert (pick(long, "due_lots")["value"], pick(long, "late_lots")["value"]) == (3, 1)


def test_no_plant_rows_without_plant_values():
    long = kpis(SPEC_EXAMPLE)
    assert "plant" not in set(long["scope"])


def test_no_delivery_register_gives_empty_company_rows():
    long = delivery_kpis({}, context_for("2026-10"))
    assert set(long["scope"]) == {"company"} and len(long) == 72
    assert long["value"].isna().all()               # no data, never zeros


def test_delivery_facts_for_the_scorecard():
    lots = SPEC_EXAMPLE + [lot("E", "2026-09-10", "2026-09-10", 5, 5, customer="C2")]
    facts = delivery_facts(register_frame("deliveries", lots), context_for("2026-10"))
    got = facts[["customer_key", "month", "due_lots", "late_lots", "delivered_lots", "delivered_qty"]]
    expected = pd.DataFrame({
        "customer_key": ["C1", "C2"], "month": ["2026-10", "2026-09"],
        "due_lots": [4.0, 1.0], "late_lots": [3.0, 0.0], "delivered_lots": [3.0, 1.0],
        "delivered_qty": [28.0, 5.0],
    })
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)


def test_late_lot_rows_say_why():
    rows = late_lot_rows(register_frame("deliveries", SPEC_EXAMPLE), context_for("2026-10"))
    got = rows[["order_no", "reason", "days_late", "qty_short", "month", "_row"]]
    expected = pd.DataFrame({
        "order_no": ["B", "C", "D"],
        "reason": ["after_grace", "short", "not_delivered"],
        "days_late": [2, 0, 3],          # B: 10-12 − 10-10; C: early; D: as_of 10-31 − 10-28
        "qty_short": [0.0, 2.0, 10.0],
        "month": ["2026-10"] * 3,
        "_row": [3, 4, 5],               # Excel rows of B, C, D (header in row 1)
    })
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)
