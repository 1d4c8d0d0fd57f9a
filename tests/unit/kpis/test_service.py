"""After-sales service and three-guarantee KPIs (kpis.md "After-sales service and three
guarantees"; seed 001).

Period 2026-10, as_of 2026-10-31, `service.response_days` = 2 CALENDAR days, judged by date:
on time if service_date ≤ request_date + 2; late if later, or not served and as_of is past that day.

  no   request     served      type              rating        deadline day   verdict
  S1   2026-10-05  2026-10-07  repair            satisfied     10-07          served ON the deadline: ON TIME
  S2   2026-10-20  2026-10-23  warranty_repair   dissatisfied  10-22          LATE (3 days)
  S3   2026-10-10  —           warranty_replace  —             10-12          never served, passed: LATE
  S4   2026-10-30  —           warranty_return   —             11-01          not passed at 10-31: PENDING
  S5   2026-10-29  —           install           —             10-31          the as_of day itself is over: LATE
  S6   2026-09-28  2026-10-01  warranty_repair   satisfied     09-30          LATE (3 days)
  S7   2026-10-12  2026-10-12  warranty_repair   —             10-14          ON TIME (0 days)
  S8   2026-02-10  2026-02-11  warranty_return   neutral       02-12          ON TIME (1 day)
  S9   2025-12-15  2025-12-16  warranty_repair   —             12-17          ON TIME (last year)
  S10  2026-01-05  2026-01-06  warranty_replace  satisfied     01-07          ON TIME
"""
from __future__ import annotations

import numpy as np
import pytest

from pipeline.kpis.base import LONG_COLUMNS
from pipeline.kpis.service import service_kpis, three_guarantee_table

from .conftest import context_for, register_frame

REGISTER = register_frame("service", [
    {"service_no": no, "customer_code": "C1", "request_date": req, "service_date": srv,
     "type": typ, "rating": rating}
    for no, req, srv, typ, rating in [
        ("S1", "2026-10-05", "2026-10-07", "repair", "satisfied"),
        ("S2", "2026-10-20", "2026-10-23", "warranty_repair", "dissatisfied"),
        ("S3", "2026-10-10", None, "warranty_replace", None),
        ("S4", "2026-10-30", None, "warranty_return", None),
        ("S5", "2026-10-29", None, "install", None),
        ("S6", "2026-09-28", "2026-10-01", "warranty_repair", "satisfied"),
        ("S7", "2026-10-12", "2026-10-12", "warranty_repair", None),
        ("S8", "2026-02-10", "2026-02-11", "warranty_return", "neutral"),
        ("S9", "2025-12-15", "2025-12-16", "warranty_repair", None),
        ("S10", "2026-01-05", "2026-01-06", "warranty_replace", "satisfied"),
    ]])


@pytest.fixture(scope="module")
def long():
    return service_kpis({"service": REGISTER}, context_for("2026-10"))


def row(long, kpi, period, scope="company", key=""):
    found = long[(long.kpi == kpi) & (long.period == period) & (long.scope == scope) & (long.key == key)]
    assert len(found) == 1, (kpi, period, scope, key)
    return found.iloc[0]


def same(got, expected):
    return np.isnan(got) if np.isnan(expected) else got == pytest.approx(expected)


@pytest.mark.parametrize("period, scope, key, expected", [
    # October requests: S1, S2, S3, S4, S5, S7 = 6
    ("2026-10", "company", "", 6),
    ("2026-10", "type", "repair", 1),             # S1
    ("2026-10", "type", "warranty_repair", 2),    # S2, S7
    ("2026-10", "type", "warranty_replace", 1),   # S3
    ("2026-10", "type", "warranty_return", 1),    # S4
    ("2026-10", "type", "install", 1),            # S5
    ("2026-10", "type", "training", 0),
    ("2026-10", "type", "other", 0),
    ("2026-09", "company", "", 1),                # S6
    ("2026-03", "company", "", 0),
])
def test_service_requests(long, period, scope, key, expected):
    assert row(long, "service_requests", period, scope, key)["value"] == expected


@pytest.mark.parametrize("period, on_time, judged, pct", [
    # October (as_of 10-31): on time S1 (on the deadline), S7; late S2, S3 (never served); pending
    # S4 (deadline 11-01) and S5 (requested 10-29, deadline day 10-31 = the as_of day: as_of has
    # not passed it) -> 2 / 4 × 100 = 50
    ("2026-10", 2, 4, 50.0),
    # September: S6 late -> 0 / 1 = 0 (a real zero: one request was judged)
    ("2026-09", 0, 1, 0.0),
    ("2026-02", 1, 1, 100.0),
    # March: nothing requested -> no value
    ("2026-03", 0, 0, np.nan),
])
def test_service_on_time_pct(long, period, on_time, judged, pct):
    r = row(long, "service_on_time_pct", period)
    assert (r["numerator"], r["denominator"]) == (on_time, judged)
    assert same(r["value"], pct)


def test_pending_until_the_deadline_day_is_over():
    # as_of 10-30: S5's deadline day 10-31 is not over -> pending; S3 (10-12) still late.
    # October: on time S1, S7; late S2, S3 -> 2 / 4 = 50
    long = service_kpis({"service": REGISTER}, context_for("2026-10", "2026-10-30"))
    r = row(long, "service_on_time_pct", "2026-10")
    assert (r["numerator"], r["denominator"], r["value"]) == (2, 4, 50.0)


def test_late_once_as_of_has_passed_the_deadline_day():
    # period 2026-11, as_of 11-01: S5 (deadline day 10-31) is late now; S4 (deadline day 11-01 =
    # the as_of day) still pending. October: on time S1, S7; late S2, S3, S5 -> 2 / 5 = 40
    long = service_kpis({"service": REGISTER}, context_for("2026-11", "2026-11-01"))
    r = row(long, "service_on_time_pct", "2026-10")
    assert (r["numerator"], r["denominator"], r["value"]) == (2, 5, 40.0)


@pytest.mark.parametrize("period, median", [
    # served in October: S7 0 days, S1 2, S2 3, S6 3 (09-28 -> 10-01) -> (2 + 3) / 2 = 2.5
    ("2026-10", 2.5),
    ("2026-02", 1.0),                             # S8
    ("2026-09", np.nan),                          # nothing served in September
])
def test_service_median_days(long, period, median):
    assert same(row(long, "service_median_days", period)["value"], median)


@pytest.mark.parametrize("period, satisfied, rated, pct", [
    # served in October and rated: S1 satisfied, S2 dissatisfied, S6 satisfied; S7 unrated (left out)
    # -> 2 / 3 × 100 = 66.67
    ("2026-10", 2, 3, 200 / 3),
    # February: S8 neutral -> 0 / 1 = 0
    ("2026-02", 0, 1, 0.0),
    ("2026-01", 1, 1, 100.0),                     # S10
    # December 2025: S9 served but not rated -> no value
    ("2025-12", 0, 0, np.nan),
])
def test_service_satisfaction_pct(long, period, satisfied, rated, pct):
    r = row(long, "service_satisfaction_pct", period)
    assert (r["numerator"], r["denominator"]) == (satisfied, rated)
    assert same(r["value"], pct)


@pytest.mark.parametrize("period, key, expected", [
    ("2026-10", "warranty_repair", 2),            # S2, S7
    ("2026-10", "warranty_replace", 1),           # S3
    ("2026-10", "warranty_return", 1),            # S4
    ("2026-09", "warranty_repair", 1),            # S6 (by request month)
    ("2026-02", "warranty_return", 1),            # S8
    ("2026-01", "warranty_replace", 1),           # S10
    ("2025-12", "warranty_repair", 1),            # S9
    ("2026-03", "warranty_repair", 0),
    # year to date 2026 (January..October): repair S2, S7, S6 = 3 (S9 is 2025);
    # replace S3, S10 = 2; return S4, S8 = 2
    ("2026", "warranty_repair", 3),
    ("2026", "warranty_replace", 2),
    ("2026", "warranty_return", 2),
])
def test_warranty_cases(long, period, key, expected):
    assert row(long, "warranty_cases", period, "type", key)["value"] == expected


def test_shape(long):
    assert tuple(long.columns) == LONG_COLUMNS
    warranty = long[long.kpi == "warranty_cases"]
    assert set(warranty.scope) == {"type"} and len(warranty) == 3 * 12 + 3
    for kpi in ("service_on_time_pct", "service_median_days", "service_satisfaction_pct"):
        assert len(long[long.kpi == kpi]) == 12
    assert len(long[(long.kpi == "service_requests") & (long.scope == "type")]) == 7 * 12


def test_absent_register():
    assert service_kpis({}, context_for("2026-10")).empty
    assert three_guarantee_table({}, context_for("2026-10")).empty


def test_three_guarantee_table():
    table = three_guarantee_table({"service": REGISTER}, context_for("2026-10"))
    assert table.columns.tolist() == ["month", "warranty_repair", "warranty_replace", "warranty_return", "total"]
    # January..October 2026 and the year row
    assert table["month"].tolist() == [f"2026-{m:02d}" for m in range(1, 11)] + ["2026"]
    by_month = table.set_index("month")
    assert by_month.loc["2026-01"].tolist() == [0, 1, 0, 1]     # S10
    assert by_month.loc["2026-02"].tolist() == [0, 0, 1, 1]     # S8
    assert by_month.loc["2026-09"].tolist() == [1, 0, 0, 1]     # S6
    assert by_month.loc["2026-10"].tolist() == [2, 1, 1, 4]     # S2, S7 | S3 | S4
    assert by_month.loc["2026-05"].tolist() == [0, 0, 0, 0]
    assert by_month.loc["2026"].tolist() == [3, 2, 2, 7]
