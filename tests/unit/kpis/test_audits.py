"""Customer audit KPIs (kpis.md "Customer audits"; seed 000 §4.2.7).

Period 2026-10, as_of 2026-10-31 unless a test says otherwise.

  no  audited     type           due         closed      action verdict (by due month)
  A1  2026-10-08  nonconformity  2026-10-20  2026-10-20  Oct: closed ON the due date: ON TIME
  A2  2026-10-08  suggestion     2026-10-20  2026-10-21  Oct: closed a day late: LATE
  A3  2026-10-08  nonconformity  2026-10-25  —           Oct: open past due at as_of: LATE
  A4  2026-10-08  positive       2026-10-20  —           not an action: never on time / late / open
  A5  2026-10-15  nonconformity  2026-11-05  —           due in November (outside the window)
  A6  2026-09-10  nonconformity  2026-09-30  2026-10-05  Sep: LATE
  A7  2026-09-10  suggestion     2026-10-10  2026-10-09  Oct: ON TIME
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.kpis.audits import audit_kpis, overdue_audit_actions
from pipeline.kpis.base import LONG_COLUMNS

from .conftest import context_for, register_frame

REGISTER = register_frame("customer_audits", [
    {"audit_date": audited, "customer_code": "C1", "finding": f"finding {no}", "finding_type": typ,
     "due_date": due, "closed_date": closed, "responsible_dept": "品质部", "_row": 10 + i}
    for i, (no, audited, typ, due, closed) in enumerate([
        ("A1", "2026-10-08", "nonconformity", "2026-10-20", "2026-10-20"),
        ("A2", "2026-10-08", "suggestion", "2026-10-20", "2026-10-21"),
        ("A3", "2026-10-08", "nonconformity", "2026-10-25", None),
        ("A4", "2026-10-08", "positive", "2026-10-20", None),
        ("A5", "2026-10-15", "nonconformity", "2026-11-05", None),
        ("A6", "2026-09-10", "nonconformity", "2026-09-30", "2026-10-05"),
        ("A7", "2026-09-10", "suggestion", "2026-10-10", "2026-10-09"),
    ])])


def row(long, kpi, period, scope="company", key=""):
    found = long[(long.kpi == kpi) & (long.period == period) & (long.scope == scope) & (long.key == key)]
    assert len(found) == 1, (kpi, period, scope, key)
    return found.iloc[0]


@pytest.fixture(scope="module")
def long():
    return audit_kpis({"customer_audits": REGISTER}, context_for("2026-10"))


@pytest.mark.parametrize("period, scope, key, expected", [
    # October audits: A1..A5 = 5: nonconformity A1, A3, A5; suggestion A2; positive A4
    ("2026-10", "company", "", 5),
    ("2026-10", "type", "nonconformity", 3),
    ("2026-10", "type", "suggestion", 1),
    ("2026-10", "type", "positive", 1),
    # September: A6, A7
    ("2026-09", "company", "", 2),
    ("2026-09", "type", "positive", 0),
    ("2026-08", "company", "", 0),
])
def test_audit_findings(long, period, scope, key, expected):
    assert row(long, "audit_findings", period, scope, key)["value"] == expected


@pytest.mark.parametrize("period, on_time, judged, pct", [
    # due in October: A1 on time (closed on the due date), A7 on time; A2 late (a day),
    # A3 late (open, due 10-25 passed); A4 positive excluded -> 2 / 4 × 100 = 50
    ("2026-10", 2, 4, 50.0),
    # due in September: A6 closed 10-05 after 09-30 -> 0 / 1 = 0
    ("2026-09", 0, 1, 0.0),
    ("2026-08", 0, 0, np.nan),
])
def test_audit_actions_on_time_pct(long, period, on_time, judged, pct):
    r = row(long, "audit_actions_on_time_pct", period)
    assert (r["numerator"], r["denominator"]) == (on_time, judged)
    assert (np.isnan(r["value"]) if np.isnan(pct) else r["value"] == pct)


@pytest.mark.parametrize("period, expected", [
    # 09-30: A6 (closed 10-05) and A7 (closed 10-09) open -> 2
    ("2026-09", 2),
    # 10-31: A3 and A5 open; A1, A2, A6, A7 closed; A4 positive is never open -> 2
    ("2026-10", 2),
    ("2026-08", 0),
])
def test_audit_open_findings(long, period, expected):
    assert row(long, "audit_open_findings", period)["value"] == expected


def test_as_of_before_the_due_date_is_pending():
    # as_of 10-22: A3 (due 10-25, open) is pending; October: A1, A7 on time, A2 late -> 2 / 3.
    # Open at 10-22: A3, A5 (A2 closed 10-21, A1 10-20) -> 2
    long = audit_kpis({"customer_audits": REGISTER}, context_for("2026-10", "2026-10-22"))
    r = row(long, "audit_actions_on_time_pct", "2026-10")
    assert (r["numerator"], r["denominator"]) == (2, 3)
    assert r["value"] == pytest.approx(200 / 3)
    assert row(long, "audit_open_findings", "2026-10")["value"] == 2


def test_as_of_on_the_due_date_is_still_pending():
    # as_of 10-25 = A3's due date, A3 open: as_of has not passed that day -> pending (kpis.md:
    # late when "still open after as_of"). October: A1, A7 on time, A2 late -> 2 / 3.
    long = audit_kpis({"customer_audits": REGISTER}, context_for("2026-10", "2026-10-25"))
    r = row(long, "audit_actions_on_time_pct", "2026-10")
    assert (r["numerator"], r["denominator"]) == (2, 3)
    # the next day's books: A3 late -> 2 / 4 = 50
    long = audit_kpis({"customer_audits": REGISTER}, context_for("2026-10", "2026-10-26"))
    r = row(long, "audit_actions_on_time_pct", "2026-10")
    assert (r["numerator"], r["denominator"], r["value"]) == (2, 4, 50.0)


def test_shape_and_absent_register(long):
    assert tuple(long.columns) == LONG_COLUMNS
    assert len(long[long.scope == "type"]) == 3 * 12
    assert len(long[long.scope == "company"]) == 3 * 12
    assert audit_kpis({}, context_for("2026-10")).empty
    assert overdue_audit_actions({}, context_for("2026-10")).empty


def test_overdue_audit_actions():
    # at 10-31 only A3 is open past its due date (10-25): 6 days; A5 is due 11-05; A4 is positive
    overdue = overdue_audit_actions({"customer_audits": REGISTER}, context_for("2026-10"))
    assert overdue["finding"].tolist() == ["finding A3"]
    assert overdue["days_overdue"].tolist() == [6]
    assert overdue["due_date"].tolist() == [pd.Timestamp("2026-10-25")]
    assert overdue["_row"].tolist() == [12]
