"""Quality feedback KPIs (kpis.md "Quality feedback register"; seed 003 §4.3, §4.7).

Period 2026-10, as_of 2026-10-31 (a Saturday) unless a test says otherwise. file_days A/B 1, C/D 3.
2026 calendar facts used (chinese_calendar 1.11): 10-01..10-07 National Day off; 10-10 (Sat) is a
调休 working day; otherwise Monday–Friday work, weekends off.

The register, hand-worked:
  no  cat feedback        filed        completed   filing deadline (N-th working day after)
  F1  A   10-12 Mon       10-14 Wed    10-20       1 wd: 10-13 Tue -> filed on the 2nd: LATE
  F2  C   10-14 Wed       10-19 Mon    10-16       3 wd: 10-15, 10-16, 10-19 -> filed on the 3rd: ON TIME
  F3  D   10-29 Thu       —            —           3 wd: 10-30, 11-02, 11-03 -> as_of 10-31 not past: PENDING
  F4  B   10-28 Wed       —            —           1 wd: 10-29 -> not filed, as_of past it: LATE
  F5  A   09-30 Wed       10-08 Thu    10-09       1 wd: 10-08 (after National Day): ON TIME
  F6  C   09-10 Thu       09-10        09-14       filed the same day: ON TIME
  F7  C   08-20 Thu       08-21 Fri    10-23       3 wd: 08-21, 08-24, 08-25: ON TIME
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.kpis.base import LONG_COLUMNS
from pipeline.kpis.feedback import feedback_kpis, feedback_monthly_summary, feedback_open_items
from pipeline.workdays import WorkCalendar

from .conftest import context_for, register_frame


def make_ctx(period="2026-10", as_of="2026-10-31"):
    # the documented defaults: file_days A 1, B 1, C 3, D 3; the real calendar
    return context_for(period, as_of)


def feedback_frame(rows) -> pd.DataFrame:
    cols = ("feedback_no", "category", "feedback_date", "filed_date", "completed_date")
    return register_frame("feedback", [
        {**dict(zip(cols, row)), "customer_code": f"C{i % 2}", "_file": "fb.xlsx", "_sheet": "登记表",
         "_row": 5 + i}
        for i, row in enumerate(rows)])


REGISTER = feedback_frame([
    ("F1", "A", "2026-10-12", "2026-10-14", "2026-10-20"),
    ("F2", "C", "2026-10-14", "2026-10-19", "2026-10-16"),
    ("F3", "D", "2026-10-29", None, None),
    ("F4", "B", "2026-10-28", None, None),
    ("F5", "A", "2026-09-30", "2026-10-08", "2026-10-09"),
    ("F6", "C", "2026-09-10", "2026-09-10", "2026-09-14"),
    ("F7", "C", "2026-08-20", "2026-08-21", "2026-10-23"),
])


def value(long: pd.DataFrame, kpi: str, period: str, scope: str = "company", key: str = ""):
    row = long[(long.kpi == kpi) & (long.period == period) & (long.scope == scope) & (long.key == key)]
    assert len(row) == 1, (kpi, period, scope, key)
    return row.iloc[0]


@pytest.fixture(scope="module")
def long() -> pd.DataFrame:
    return feedback_kpis({"feedback": REGISTER}, make_ctx())


@pytest.mark.parametrize("kpi, period, scope, key, expected", [
    # feedback_items: October F1..F4; September F5, F6; August F7; July none
    ("feedback_items", "2026-10", "company", "", 4),
    ("feedback_items", "2026-10", "category", "A", 1),
    ("feedback_items", "2026-10", "category", "B", 1),
    ("feedback_items", "2026-10", "category", "C", 1),
    ("feedback_items", "2026-10", "category", "D", 1),
    ("feedback_items", "2026-09", "company", "", 2),
    ("feedback_items", "2026-09", "category", "A", 1),
    ("feedback_items", "2026-09", "category", "B", 0),
    ("feedback_items", "2026-08", "company", "", 1),
    ("feedback_items", "2026-07", "company", "", 0),
    # feedback_open at month ends: Aug 31 F7 (completed 10-23) = 1; Sep 30 F7 + F5 (completed
    # 10-09; F6 completed 09-14) = 2; Oct 31 (as_of) F3, F4 = 2 (F1, F2, F5, F7 completed by then)
    ("feedback_open", "2026-07", "company", "", 0),
    ("feedback_open", "2026-08", "company", "", 1),
    ("feedback_open", "2026-09", "company", "", 2),
    ("feedback_open", "2026-10", "company", "", 2),
])
def test_counts(long, kpi, period, scope, key, expected):
    assert value(long, kpi, period, scope, key)["value"] == expected


@pytest.mark.parametrize("period, on_time, judged, pct", [
    # October: F2 on time; F1 (filed on the 2nd working day, limit 1) and F4 (not filed, deadline
    # 10-29 passed) late; F3 pending, left out -> 1 / (1 + 2) × 100 = 33.33 %
    ("2026-10", 1, 3, 100 / 3),
    # September: F5 (filed 10-08, first working day after National Day) and F6 on time -> 2/2
    ("2026-09", 2, 2, 100.0),
    ("2026-08", 1, 1, 100.0),
    # July: nothing judged -> no value (never 0, never 100)
    ("2026-07", 0, 0, np.nan),
])
def test_filed_on_time_pct(long, period, on_time, judged, pct):
    row = value(long, "feedback_filed_on_time_pct", period)
    assert row["numerator"] == on_time and row["denominator"] == judged
    assert (np.isnan(row["value"]) if np.isnan(pct) else row["value"] == pytest.approx(pct))


@pytest.mark.parametrize("period, median", [
    # completed in October: F2 10-14→10-16 = 2, F1 10-12→10-20 = 8, F5 09-30→10-09 = 9,
    # F7 08-20→10-23 = 11 + 30 + 23 = 64 -> even count: (8 + 9) / 2 = 8.5
    ("2026-10", 8.5),
    # September: F6 09-10→09-14 = 4
    ("2026-09", 4.0),
    ("2026-08", np.nan),
])
def test_median_days_to_complete(long, period, median):
    got = value(long, "feedback_median_days_to_complete", period)["value"]
    assert (np.isnan(got) if np.isnan(median) else got == median)


def test_every_kpi_for_every_month_of_the_window(long):
    assert tuple(long.columns) == LONG_COLUMNS
    months = make_ctx().months
    company = long[long.scope == "company"]
    for kpi in ("feedback_items", "feedback_filed_on_time_pct", "feedback_open",
                "feedback_median_days_to_complete"):
        assert tuple(company.loc[company.kpi == kpi, "period"]) == months
    # per category only for feedback_items, four categories a month
    assert set(long.loc[long.scope == "category", "kpi"]) == {"feedback_items"}
    assert len(long[long.scope == "category"]) == 4 * 12
    assert (long["target"].isna()).all() and (long["status"] == "").all()


def test_as_of_earlier_in_the_month():
    # as_of 10-28 (Wed): F4's deadline day 10-29 has not passed -> pending; F3 not yet received.
    # October judged: F1 late, F2 on time -> 1/2 = 50 %. Open at 10-28: F4 only (F1 completed
    # 10-20, F7 10-23; F3 received 10-29 is after as_of) = 1.
    long = feedback_kpis({"feedback": REGISTER}, make_ctx(as_of="2026-10-28"))
    row = value(long, "feedback_filed_on_time_pct", "2026-10")
    assert (row["numerator"], row["denominator"], row["value"]) == (1, 2, 50.0)
    assert value(long, "feedback_open", "2026-10")["value"] == 1


def test_absent_register_gives_no_rows():
    long = feedback_kpis({}, make_ctx())
    assert long.empty and tuple(long.columns) == LONG_COLUMNS


def test_empty_register_gives_zero_counts_and_no_rates():
    long = feedback_kpis({"feedback": REGISTER.iloc[0:0]}, make_ctx())
    assert value(long, "feedback_items", "2026-10")["value"] == 0
    assert np.isnan(value(long, "feedback_filed_on_time_pct", "2026-10")["value"])


def test_a_deadline_in_the_next_unknown_year_is_counted_and_recorded():
    # an item received on the last day the package knows needs the next year's calendar: it is
    # counted Monday–Friday there (recorded for the run's warning), the run does not stop.
    # Category A, 1 working day, not filed, as_of = the received day → pending: no judged item.
    last = WorkCalendar().known_years.stop - 1
    register = feedback_frame([("F9", "A", f"{last}-12-31", None, None)])
    ctx = make_ctx(period=f"{last}-12", as_of=f"{last}-12-31")
    long = feedback_kpis({"feedback": register}, ctx)
    pick = lambda kpi: long[(long.kpi == kpi) & (long.period == f"{last}-12") & (long.scope == "company")].iloc[0]  # noqa: E731
    assert pick("feedback_items")["value"] == 1
    assert (pick("feedback_filed_on_time_pct")["denominator"] or 0) == 0
    assert ctx.calendar.assumed_years == (last + 1,)


def test_open_items_to_chase():
    items = feedback_open_items({"feedback": REGISTER}, make_ctx())
    # open at 10-31: F4 (received 10-28, age 3 days, filing late, deadline 10-29) and F3
    # (received 10-29, age 2, filing pending, deadline 11-03); oldest first
    assert items["feedback_no"].tolist() == ["F4", "F3"]
    assert items["age_days"].tolist() == [3, 2]
    assert items["filing_status"].tolist() == ["late", "pending"]
    assert items["file_deadline"].tolist() == [pd.Timestamp("2026-10-29"), pd.Timestamp("2026-11-03")]
    assert items["_row"].tolist() == [8, 7]     # provenance kept (F3 is the 3rd row: Excel row 7)
    assert {"_file", "_sheet", "customer_key"} <= set(items.columns)


def test_open_items_without_register():
    assert feedback_open_items({}, make_ctx()).empty


@pytest.mark.parametrize("month, category, received, on_time, late, pending, completed, still_open", [
    # October: A F1 late, completed F1 (10-20) + F5 (10-09); B F4 late, open; C F2 on time,
    # completed F2 + F7; D F3 pending, open
    ("2026-10", "A", 1, 0, 1, 0, 2, 0),
    ("2026-10", "B", 1, 0, 1, 0, 0, 1),
    ("2026-10", "C", 1, 1, 0, 0, 2, 0),
    ("2026-10", "D", 1, 0, 0, 1, 0, 1),
    # September: A F5 on time, open at 09-30; C F6 on time and completed 09-14, F7 still open
    ("2026-09", "A", 1, 1, 0, 0, 0, 1),
    ("2026-09", "C", 1, 1, 0, 0, 1, 1),
    ("2026-07", "C", 0, 0, 0, 0, 0, 0),
])
def test_monthly_summary(month, category, received, on_time, late, pending, completed, still_open):
    summary = feedback_monthly_summary({"feedback": REGISTER}, make_ctx())
    assert len(summary) == 12 * 4
    row = summary[(summary.month == month) & (summary.category == category)].iloc[0]
    assert (row.received, row.filed_on_time, row.filed_late, row.filing_pending, row.completed,
            row.still_open) == (received, on_time, late, pending, completed, still_open)


@pytest.mark.parametrize("overrides, on_time, judged", [
    # C within 2 working days: F2 (filed on the 3rd) turns late -> October 0 on time / 3 judged
    ({"feedback__file_days__C": 2}, 0, 3),
    # plant shutdown on Tue 10-13: F1's first working day after 10-12 becomes 10-14, the day it
    # was filed -> on time; October: F1, F2 on time, F4 late -> 2 / 3
    ({"calendar__extra_holidays": ["2026-10-13"]}, 2, 3),
])
def test_settings_reach_the_deadlines(overrides, on_time, judged):
    long = feedback_kpis({"feedback": REGISTER}, context_for("2026-10", "2026-10-31", **overrides))
    row = value(long, "feedback_filed_on_time_pct", "2026-10")
    assert (row["numerator"], row["denominator"]) == (on_time, judged)
