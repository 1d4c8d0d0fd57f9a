"""Customer visit KPIs (kpis.md "Customer visits"; seed 003 §4.8: report within 3 working days).

Period 2026-10, as_of 2026-10-31, `visits.report_days` = 3, the real 2026 calendar
(10-01..10-07 National Day off; weekends off).

  visit  visit_date     report_date   the 3 working days after the visit       verdict
  V1     10-13 Tue      10-16 Fri     10-14, 10-15, 10-16 -> report on the 3rd   ON TIME
  V2     10-13 Tue      10-19 Mon     … 10-16 is the 3rd; 10-19 is the 4th       LATE
  V3     09-29 Tue      10-09 Fri     09-30, 10-08, 10-09 (National Day skipped) ON TIME
  V4     10-29 Thu      —             10-30, 11-02, 11-03: as_of 10-31 not past  PENDING
  V5     10-23 Fri      —             10-26, 10-27, 10-28: passed at as_of       LATE
  V6     10-25 Sun      10-28 Wed     10-26, 10-27, 10-28 (counts from Monday)   ON TIME
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.kpis.base import LONG_COLUMNS
from pipeline.kpis.visits import late_visit_reports, visit_kpis

from .conftest import context_for, register_frame

REGISTER = register_frame("visits", [
    {"visit_date": v, "report_date": r, "customer_code": c, "visitor": "王", "_row": row}
    for v, r, c, row in [
        ("2026-10-13", "2026-10-16", "C1", 2),   # V1
        ("2026-10-13", "2026-10-19", "C2", 3),   # V2
        ("2026-09-29", "2026-10-09", "C1", 4),   # V3
        ("2026-10-29", None, "C2", 5),           # V4
        ("2026-10-23", None, "C3", 6),           # V5
        ("2026-10-25", "2026-10-28", "C3", 7),   # V6
    ]])


def value(long, kpi, period):
    row = long[(long.kpi == kpi) & (long.period == period)]
    assert len(row) == 1
    return row.iloc[0]


@pytest.mark.parametrize("period, visits, on_time, judged, pct", [
    # October: V1, V2, V4, V5, V6 = 5 visits; on time V1, V6; late V2, V5; V4 pending -> 2/4 = 50 %
    ("2026-10", 5, 2, 4, 50.0),
    # September: V3 on time -> 1/1 = 100 %
    ("2026-09", 1, 1, 1, 100.0),
    # August: no visit -> 0 visits, no value for the rate
    ("2026-08", 0, 0, 0, np.nan),
])
def test_visit_kpis(period, visits, on_time, judged, pct):
    long = visit_kpis({"visits": REGISTER}, context_for("2026-10"))
    assert value(long, "visits", period)["value"] == visits
    row = value(long, "visit_report_on_time_pct", period)
    assert (row["numerator"], row["denominator"]) == (on_time, judged)
    assert (np.isnan(row["value"]) if np.isnan(pct) else row["value"] == pct)


def test_shape_every_month_company_only():
    long = visit_kpis({"visits": REGISTER}, context_for("2026-10"))
    assert tuple(long.columns) == LONG_COLUMNS
    assert len(long) == 2 * 12 and set(long.scope) == {"company"} and set(long.key) == {""}


def test_report_days_setting():
    # with 4 working days V2 (report on the 4th) is on time too: October 3 on time / 4 judged
    # (V5's 4th working day is 10-29, passed) = 75 %
    long = visit_kpis({"visits": REGISTER}, context_for("2026-10", visits__report_days=4))
    row = value(long, "visit_report_on_time_pct", "2026-10")
    assert (row["numerator"], row["denominator"], row["value"]) == (3, 4, 75.0)


def test_absent_register():
    assert visit_kpis({}, context_for("2026-10")).empty


def test_late_visit_reports():
    late = late_visit_reports({"visits": REGISTER}, context_for("2026-10"))
    # V2 (report on the 4th working day; deadline 10-16) and V5 (none; deadline 10-28)
    assert late["customer_key"].tolist() == ["C2", "C3"]
    assert late["report_deadline"].tolist() == [pd.Timestamp("2026-10-16"), pd.Timestamp("2026-10-28")]
    assert late["working_days_to_report"].tolist()[0] == 4
    assert pd.isna(late["working_days_to_report"].tolist()[1])
    assert late["_row"].tolist() == [3, 6]
