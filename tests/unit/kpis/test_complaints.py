"""Complaint KPIs, kpis.md "Complaints", "Working-day clock", "Repeat complaints": given
complaints → expected values, worked out by hand (the arithmetic is in the comments)."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from pipeline.kpis.complaints import (
    complaint_facts, complaint_kpis, judged_complaints, open_complaint_rows, repeat_links,
)

from .conftest import FakeCalendar, context_for, register_frame

NAN = math.nan


def complaint(no, received, customer="C1", **kw):
    return {"complaint_no": no, "received_date": received, "customer_code": customer, **kw}


def frame(rows):
    return register_frame("complaints", rows)


def deliveries(rows):
    return register_frame("deliveries", [
        {"order_no": f"O{i}", "customer_code": c, "due_date": d, "delivered_date": d, "qty_due": q,
         "qty_delivered": q} for i, (c, d, q) in enumerate(rows)])


def pick(long, kpi, period="2026-10", scope="company", key=""):
    rows = long[(long["kpi"] == kpi) & (long["period"] == period) & (long["scope"] == scope) & (long["key"] == key)]
    assert len(rows) == 1, (kpi, period, scope, key, rows)
    return rows.iloc[0]


def has_row(long, kpi, period="2026-10", scope="company", key=""):
    return bool(((long["kpi"] == kpi) & (long["period"] == period) & (long["scope"] == scope)
                 & (long["key"] == key)).any())


# --- reply timeliness, calendar clock ----------------------------------------------------------

# (severity, received, first response, as_of, expected status) — limits: urgent 24 h, normal 48 h
RESPONSE_CASES = [
    ("normal", "2026-10-05 09:00", "2026-10-07 09:00", "2026-10-31", "on_time"),   # exactly 48 h
    ("normal", "2026-10-05 09:00", "2026-10-07 10:00", "2026-10-31", "late"),      # 49 h
    ("normal", "2026-10-05", "2026-10-07", "2026-10-31", "on_time"),               # dates only: 00:00 → 48 h
    ("urgent", "2026-10-05", "2026-10-06", "2026-10-31", "on_time"),               # next-day reply = 24 h
    ("urgent", "2026-10-05 09:00", "2026-10-06 15:00", "2026-10-31", "late"),      # 30 h > 24 h
    ("normal", "2026-10-05 09:00", "2026-10-06 15:00", "2026-10-31", "on_time"),   # 30 h ≤ 48 h
    ("normal", "2026-10-30 09:00", None, "2026-10-31", "pending"),                 # deadline 11-01 09:00 > as_of end
    ("normal", "2026-10-29 09:00", None, "2026-10-31", "late"),                    # deadline 10-31 09:00 < 11-01 00:00
    ("normal", "2026-10-30", None, "2026-10-31", "pending"),                       # deadline 11-01 00:00 = as_of end: could still be on time
    ("urgent", "2026-10-30 09:00", None, "2026-10-31", "late"),                    # deadline 10-31 09:00
]


@pytest.mark.parametrize("severity, received, response, as_of, status", RESPONSE_CASES)
def test_response_timeliness(severity, received, response, as_of, status):
    rows = [complaint("K1", received, severity=severity, first_response_at=response)]
    judged = judged_complaints(frame(rows), context_for("2026-10", as_of))
    assert judged["response_status"].tolist() == [status]


def test_response_on_time_pct_leaves_pending_out():
    rows = [
        complaint("K1", "2026-10-05 09:00", first_response_at="2026-10-07 09:00"),   # on time (48 h)
        complaint("K2", "2026-10-05 09:00", first_response_at="2026-10-07 10:00"),   # late (49 h)
        complaint("K3", "2026-10-06 09:00", first_response_at="2026-10-06 17:00"),   # on time
        complaint("K4", "2026-10-30 09:00"),                                         # pending
    ]
    long = complaint_kpis({"complaints": frame(rows)}, context_for("2026-10"))
    row = pick(long, "response_on_time_pct")
    # on time 2, late 1, pending left out: 2 / 3 × 100
    assert (row["numerator"], row["denominator"]) == (2, 3)
    assert row["value"] == pytest.approx(200 / 3, rel=1e-15)
    # a month with no complaints: no value
    assert math.isnan(pick(long, "response_on_time_pct", "2026-09")["value"])


# --- 8D timeliness and late_8d by deadline month ---------------------------------------------------

def test_8d_deadline_crossing_into_next_month():
    # received 09-28 00:00, normal: 7 days → deadline 10-05 00:00; the 8D came 10-09 → late.
    # d8_on_time_pct belongs to September (received), late_8d to October (deadline).
    rows = [complaint("K1", "2026-09-28", report_8d_at="2026-10-09")]
    long = complaint_kpis({"complaints": frame(rows)}, context_for("2026-10"))
    assert pick(long, "d8_on_time_pct", "2026-09")["value"] == 0.0          # 0 / 1
    assert math.isnan(pick(long, "d8_on_time_pct", "2026-10")["value"])      # none received in October
    assert pick(long, "late_8d", "2026-09")["value"] == 0
    assert pick(long, "late_8d", "2026-10")["value"] == 1
    assert pick(long, "late_8d", scope="customer", key="C1")["value"] == 1


@pytest.mark.parametrize("severity, report_8d_at, as_of, status", [
    ("normal", "2026-10-08", "2026-10-31", "on_time"),        # received 10-01: exactly 7 days
    ("normal", "2026-10-08 08:00", "2026-10-31", "late"),     # 7 days 8 hours
    ("urgent", "2026-10-03", "2026-10-31", "on_time"),        # exactly 2 days
    ("urgent", "2026-10-04", "2026-10-31", "late"),           # 3 days
    ("normal", None, "2026-10-05", "pending"),                # deadline 10-08 00:00, as_of end 10-06 00:00
    ("normal", None, "2026-10-08", "late"),                   # as_of end 10-09 00:00 is past 10-08 00:00
])
def test_8d_timeliness(severity, report_8d_at, as_of, status):
    rows = [complaint("K1", "2026-10-01", severity=severity, report_8d_at=report_8d_at)]
    judged = judged_complaints(frame(rows), context_for("2026-10", as_of))
    assert judged["d8_status"].tolist() == [status]


def test_unreported_8d_past_deadline_counts_in_deadline_month():
    # received 08-27 00:00, normal 7 days: deadline 09-03 00:00; no 8D by as_of → late in September
    rows = [complaint("K1", "2026-08-27")]
    long = complaint_kpis({"complaints": frame(rows)}, context_for("2026-10"))
    assert pick(long, "late_8d", "2026-09")["value"] == 1
    assert pick(long, "late_8d", "2026-08")["value"] == 0
    assert pick(long, "d8_on_time_pct", "2026-08")["value"] == 0.0


# --- rates against deliveries, targets are in test_targets.py ------------------------------------------

def test_complaint_rate_and_ppm():
    # October: 100 lots of 1000 pcs delivered to C1 = 100 lots, 100,000 pcs.
    # Two complaints of C1 with 3 and 2 defective pieces.
    lots = deliveries([("C1", "2026-10-10", 1000)] * 100)
    rows = [complaint("K1", "2026-10-05", defect_qty=3, batch_reject=True),
            complaint("K2", "2026-10-06", defect_qty=2)]
    long = complaint_kpis({"complaints": frame(rows), "deliveries": lots}, context_for("2026-10"))
    for scope, key in (("company", ""), ("customer", "C1")):
        rate = pick(long, "complaint_rate_pct", scope=scope, key=key)
        assert (rate["value"], rate["numerator"], rate["denominator"]) == (2.0, 2, 100)   # 2 / 100 × 100
        ppm = pick(long, "ppm", scope=scope, key=key)
        assert (ppm["value"], ppm["numerator"], ppm["denominator"]) == (50.0, 5, 100000)  # 5 / 100000 × 1e6
        assert pick(long, "defect_qty", scope=scope, key=key)["value"] == 5
        assert pick(long, "batch_rejects", scope=scope, key=key)["value"] == 1
        assert pick(long, "complaints", scope=scope, key=key)["value"] == 2


def test_customer_that_delivered_without_complaints_has_zero():
    lots = deliveries([("C1", "2026-10-10", 1000), ("C2", "2026-10-11", 500)])
    rows = [complaint("K1", "2026-10-05", customer="C1", defect_qty=1)]
    long = complaint_kpis({"complaints": frame(rows), "deliveries": lots}, context_for("2026-10"))
    assert pick(long, "complaints", scope="customer", key="C2")["value"] == 0
    assert pick(long, "complaint_rate_pct", scope="customer", key="C2")["value"] == 0.0   # 0 / 1 lot
    assert pick(long, "ppm", scope="customer", key="C2")["value"] == 0.0                  # 0 / 500 pcs
    assert pick(long, "ppm", scope="customer", key="C1")["value"] == 1000.0               # 1 / 1000 × 1e6
    # company: 1 / 2 lots = 50 %; 1 / 1500 pcs × 1e6
    assert pick(long, "complaint_rate_pct")["value"] == 50.0
    assert pick(long, "ppm")["value"] == pytest.approx(1e6 / 1500, rel=1e-15)


def test_without_deliveries_rate_and_ppm_have_no_value():
    rows = [complaint("K1", "2026-10-05", defect_qty=3)]
    long = complaint_kpis({"complaints": frame(rows)}, context_for("2026-10"))
    assert math.isnan(pick(long, "complaint_rate_pct")["value"])
    assert math.isnan(pick(long, "ppm")["value"])
    assert pick(long, "complaints")["value"] == 1


def test_month_without_deliveries_has_no_rate():
    # complaints in September but nothing delivered in September: no value, never 0 or 100
    lots = deliveries([("C1", "2026-10-10", 1000)])
    rows = [complaint("K1", "2026-09-05", defect_qty=3)]
    long = complaint_kpis({"complaints": frame(rows), "deliveries": lots}, context_for("2026-10"))
    assert math.isnan(pick(long, "complaint_rate_pct", "2026-09")["value"])
    assert math.isnan(pick(long, "ppm", "2026-09")["value"])


# --- category, root cause, scopes --------------------------------------------------------------

def test_complaints_per_category_and_root_cause():
    rows = [complaint("K1", "2026-10-05", category="A", root_cause="man"),
            complaint("K2", "2026-10-06", category="A", root_cause="machine"),
            complaint("K3", "2026-10-07"),                              # blanks: unclassified, undetermined
            complaint("K4", "2026-06-07", category="B")]
    long = complaint_kpis({"complaints": frame(rows)}, context_for("2026-10"))
    assert pick(long, "complaints", scope="category", key="A")["value"] == 2
    assert pick(long, "complaints", scope="category", key="unclassified")["value"] == 1
    assert pick(long, "complaints", scope="category", key="B")["value"] == 0           # B only in June
    assert pick(long, "complaints", "2026-06", scope="category", key="B")["value"] == 1
    assert pick(long, "complaints", scope="root_cause", key="man")["value"] == 1
    assert pick(long, "complaints", scope="root_cause", key="undetermined")["value"] == 1   # K3
    assert pick(long, "complaints", "2026-06", scope="root_cause", key="undetermined")["value"] == 1   # K4
    assert not has_row(long, "complaints", scope="category", key="C")                  # never seen


def test_company_rows_for_every_kpi_and_month_and_no_register_means_no_data():
    long = complaint_kpis({}, context_for("2026-10"))
    assert set(long["scope"]) == {"company"}
    assert long.groupby("kpi").size().to_dict() == {k: 12 for k in (
        "complaints", "complaint_rate_pct", "defect_qty", "ppm", "batch_rejects", "response_on_time_pct",
        "d8_on_time_pct", "late_8d", "median_days_to_close", "open_complaints", "repeat_complaints")}
    assert long["value"].isna().all()


def test_customer_timeliness_rows_only_where_they_have_a_value():
    rows = [complaint("K1", "2026-10-05", first_response_at="2026-10-06")]
    long = complaint_kpis({"complaints": frame(rows)}, context_for("2026-10"))
    assert pick(long, "response_on_time_pct", scope="customer", key="C1")["value"] == 100.0
    assert not has_row(long, "response_on_time_pct", "2026-09", scope="customer", key="C1")
    assert has_row(long, "response_on_time_pct", "2026-09")            # company: every month


# --- closing, open complaints ----------------------------------------------------------------

def test_median_days_to_close_even_count():
    # closed in October after 3, 4, 10 and 20 days: median (4 + 10) / 2 = 7.0.
    # A time of day on the received date does not count (date parts only).
    rows = [complaint("K1", "2026-10-01 18:00", closed_date="2026-10-04"),
            complaint("K2", "2026-10-02", closed_date="2026-10-06"),
            complaint("K3", "2026-09-25", closed_date="2026-10-05"),
            complaint("K4", "2026-09-20", closed_date="2026-10-10"),
            complaint("K5", "2026-09-01", closed_date="2026-09-02")]      # closed in September: 1 day
    long = complaint_kpis({"complaints": frame(rows)}, context_for("2026-10"))
    assert pick(long, "median_days_to_close")["value"] == 7.0
    assert pick(long, "median_days_to_close", "2026-09")["value"] == 1.0
    assert math.isnan(pick(long, "median_days_to_close", "2026-08")["value"])


def test_open_complaints_by_age_band_edges():
    # as_of 2026-10-31. Ages: 10-01 → 30, 09-30 → 31, 09-01 → 60, 08-31 → 61, 08-02 → 90, 08-01 → 91
    ages = {"K30": "2026-10-01", "K31": "2026-09-30", "K60": "2026-09-01",
            "K61": "2026-08-31", "K90": "2026-08-02", "K91": "2026-08-01"}
    rows = [complaint(no, day) for no, day in ages.items()]
    rows.append(complaint("KC", "2026-07-01", closed_date="2026-10-31"))   # closed on as_of: not open
    rows.append(complaint("KF", "2026-10-31 23:00"))                       # received on as_of: open, age 0
    long = complaint_kpis({"complaints": frame(rows)}, context_for("2026-10"))
    assert pick(long, "open_complaints")["value"] == 7
    # the age bands are the pack's, from the open list; kpis_long keeps outputs.md's scopes only
    assert set(long["scope"]) <= {"company", "customer", "category", "root_cause"}
    table = open_complaint_rows(frame(rows), context_for("2026-10"))
    assert dict(zip(table["complaint_no"], table["age_days"])) == {
        "K91": 91, "K90": 90, "K61": 61, "K60": 60, "K31": 31, "K30": 30, "KF": 0}
    assert table["age_band"].value_counts().to_dict() == {"0-30": 2, "31-60": 2, "61-90": 2, ">90": 1}
    assert table.set_index("complaint_no").loc["K61", "age_band"] == "61-90"


def test_open_at_each_month_end_and_as_of_for_the_period():
    # K1 received 09-10, closed 10-05: open at 09-30 (age 20), not at 10-31.
    # K2 received 10-20, open. as_of 10-15 for P = 2026-10: K2 not yet received, K1 closed → 0.
    rows = [complaint("K1", "2026-09-10", closed_date="2026-10-05"), complaint("K2", "2026-10-20")]
    long = complaint_kpis({"complaints": frame(rows)}, context_for("2026-10"))
    assert pick(long, "open_complaints", "2026-09")["value"] == 1
    assert pick(long, "open_complaints", "2026-10")["value"] == 1       # K2
    long = complaint_kpis({"complaints": frame(rows)}, context_for("2026-10", "2026-10-15"))
    assert pick(long, "open_complaints", "2026-10")["value"] == 0


# --- repeat complaints -----------------------------------------------------------------------------

# (earlier complaint, later complaint, repeat?) — same customer C1 unless said; recurrence 6 months
REPEAT_CASES = [
    ("same code, 5 months apart",
     dict(received_date="2026-05-10", part_no="P1", defect_code="D01"),
     dict(received_date="2026-10-10", part_no="P1", defect_code="D01"), True),
    ("same code, 7 months apart",
     dict(received_date="2026-03-10", part_no="P1", defect_code="D01"),
     dict(received_date="2026-10-10", part_no="P1", defect_code="D01"), False),
    ("same code, exactly 6 months (10-10 − 6 months = 04-10 ≤ 04-10)",
     dict(received_date="2026-04-10", part_no="P1", defect_code="D01"),
     dict(received_date="2026-10-10", part_no="P1", defect_code="D01"), True),
    ("same code, 6 months and a day",
     dict(received_date="2026-04-09", part_no="P1", defect_code="D01"),
     dict(received_date="2026-10-10", part_no="P1", defect_code="D01"), False),
    ("code on one side only: same description after whitespace and case folding",
     dict(received_date="2026-08-01", part_no="P1", defect_code="D01", description="Scratch on  cover"),
     dict(received_date="2026-10-10", part_no="P1", description="scratch on cover "), True),
    ("code on one side only: different description",
     dict(received_date="2026-08-01", part_no="P1", defect_code="D01", description="Scratch"),
     dict(received_date="2026-10-10", part_no="P1", description="Dent"), False),
    ("both coded, different codes, same description: codes decide",
     dict(received_date="2026-08-01", part_no="P1", defect_code="D01", description="Scratch"),
     dict(received_date="2026-10-10", part_no="P1", defect_code="D02", description="Scratch"), False),
    ("other part",
     dict(received_date="2026-08-01", part_no="P1", defect_code="D01"),
     dict(received_date="2026-10-10", part_no="P2", defect_code="D01"), False),
    ("other customer",
     dict(received_date="2026-08-01", part_no="P1", defect_code="D01", customer_code="C2"),
     dict(received_date="2026-10-10", part_no="P1", defect_code="D01"), False),
    ("Chinese description, full-width space",
     dict(received_date="2026-09-01", part_no="P1", description="外观 划伤"),
     dict(received_date="2026-10-01", part_no="P1", description="外观\u3000划伤"), True),
    ("no part number: cannot repeat",
     dict(received_date="2026-09-01", defect_code="D01"),
     dict(received_date="2026-10-01", defect_code="D01"), False),
]


@pytest.mark.parametrize("earlier, later, is_repeat", [c[1:] for c in REPEAT_CASES],
                         ids=[c[0] for c in REPEAT_CASES])
def test_repeat_rule(earlier, later, is_repeat):
    rows = [{"complaint_no": "K1", "customer_code": "C1", **earlier},
            {"complaint_no": "K2", "customer_code": "C1", **later}]
    judged = judged_complaints(frame(rows), context_for("2026-10"))
    assert judged["is_repeat"].tolist() == [False, is_repeat]      # the earlier one never repeats the later


def test_repeat_complaints_counted_in_the_repeat_month_and_linked():
    rows = [complaint("K1", "2026-05-10", part_no="P1", defect_code="D01"),
            complaint("K2", "2026-08-10", part_no="P1", defect_code="D01"),     # repeats K1
            complaint("K3", "2026-10-10", part_no="P1", defect_code="D01"),     # repeats K1 and K2
            complaint("K4", "2026-10-11", part_no="P9", defect_code="D01")]
    long = complaint_kpis({"complaints": frame(rows)}, context_for("2026-10"))
    assert pick(long, "repeat_complaints")["value"] == 1                 # K3
    assert pick(long, "repeat_complaints", "2026-08")["value"] == 1      # K2
    assert pick(long, "repeat_complaints", "2026-05")["value"] == 0
    assert pick(long, "repeat_complaints", scope="customer", key="C1")["value"] == 1
    links = repeat_links(frame(rows), context_for("2026-10"))
    assert list(zip(links["complaint_no"], links["repeats_complaint_no"])) == [
        ("K2", "K1"), ("K3", "K1"), ("K3", "K2")]
    assert set(links["matched_on"]) == {"defect_code"}
    assert links["month"].tolist() == ["2026-08", "2026-10", "2026-10"]


def test_recurrence_months_setting():
    # 7 months apart: a repeat once recurrence_months is 8
    rows = [complaint("K1", "2026-03-10", part_no="P1", defect_code="D01"),
            complaint("K2", "2026-10-10", part_no="P1", defect_code="D01")]
    judged = judged_complaints(frame(rows), context_for("2026-10", complaints__recurrence_months=8))
    assert judged["is_repeat"].tolist() == [False, True]


# --- working-day clock --------------------------------------------------------------------------------

# 2026 on the official calendar (chinese_calendar 1.11): National Day + Mid-Autumn holiday
# Oct 1 (Thu) – Oct 7 (Wed) off; make-up working days (调休) Sunday Sep 20 and Saturday Oct 10;
# Mid-Autumn Friday Sep 25 off.
NATIONAL_DAY_2026 = FakeCalendar(
    holidays=["2026-09-25", *(f"2026-10-0{d}" for d in range(1, 8))],
    workdays=["2026-09-20", "2026-10-10"],
)

# (severity, received, response, 8D, expected response status, expected 8D status)
WORKING_CASES = [
    # normal, received Wed 09-30 10:00: reply 48 h → 2 working days: Oct 8 (1), Oct 9 (2) → end 10-10 00:00.
    # 8D 7 working days: Oct 8, 9, 10 (调休 Saturday), 12, 13, 14, 15 → end 10-16 00:00.
    ("normal", "2026-09-30 10:00", "2026-10-09 17:00", "2026-10-15 23:00", "on_time", "on_time"),
    ("normal", "2026-09-30 10:00", "2026-10-10 08:00", "2026-10-16", "late", "late"),
    # urgent: reply 24 h → 1 working day: Oct 8 → end 10-09 00:00; 8D 2 → Oct 8, 9 → end 10-10 00:00
    ("urgent", "2026-09-30 10:00", "2026-10-08 23:59", "2026-10-09 12:00", "on_time", "on_time"),
    ("urgent", "2026-09-30 10:00", "2026-10-09", "2026-10-10 09:00", "late", "late"),
    # received on a holiday (Sat Oct 3): counting starts at the next working day, Oct 8;
    # normal reply ends with Oct 9 (the same as above)
    ("normal", "2026-10-03 11:00", "2026-10-09 23:00", "2026-10-15", "on_time", "on_time"),
    # the make-up Saturday counts: received Fri Oct 9, 2 working days = Sat Oct 10, Mon Oct 12
    # 8D: Oct 10, 12, 13, 14, 15, 16, 19 → end 10-20 00:00: a report dated 10-19 is on time
    ("normal", "2026-10-09 10:00", "2026-10-12 18:00", "2026-10-19 16:00", "on_time", "on_time"),
    ("normal", "2026-10-09 10:00", "2026-10-13 08:00", "2026-10-20", "late", "late"),
]


@pytest.mark.parametrize("severity, received, response, report, resp_status, d8_status", WORKING_CASES)
def test_working_clock_across_national_day(severity, received, response, report, resp_status, d8_status):
    rows = [complaint("K1", received, severity=severity, first_response_at=response, report_8d_at=report)]
    c = context_for("2026-10", calendar=NATIONAL_DAY_2026, complaints__clock="working")
    judged = judged_complaints(frame(rows), c)
    assert judged["response_status"].tolist() == [resp_status]
    assert judged["d8_status"].tolist() == [d8_status]


def test_working_clock_limit_rounds_hours_up_to_days():
    # response_hours normal 36 → ceil(36 / 24) = 2 working days; received Mon 10-12: Tue 13, Wed 14
    rows = [complaint("K1", "2026-10-12 09:00", first_response_at="2026-10-14 20:00")]
    c = context_for("2026-10", calendar=NATIONAL_DAY_2026, complaints__clock="working",
                    complaints__response_hours__normal=36)
    assert judged_complaints(frame(rows), c)["response_status"].tolist() == ["on_time"]


def test_working_clock_pending_and_late_at_as_of():
    # received Mon 10-26, normal 8D: 7 working days Oct 27, 28, 29, 30, Nov 2, 3, 4 → end 11-05 00:00
    rows = [complaint("K1", "2026-10-26 09:00")]
    c = context_for("2026-10", calendar=NATIONAL_DAY_2026, complaints__clock="working")
    assert judged_complaints(frame(rows), c)["d8_status"].tolist() == ["pending"]
    # as_of 11-04, the deadline day itself: as_of has not passed it (its end, 11-05 00:00, is
    # the deadline's end, not past it, as on the calendar clock) → still pending
    c = context_for("2026-11", "2026-11-04", calendar=NATIONAL_DAY_2026, complaints__clock="working")
    assert judged_complaints(frame(rows), c)["d8_status"].tolist() == ["pending"]
    # as_of 11-05: past the deadline day → late
    c = context_for("2026-11", "2026-11-05", calendar=NATIONAL_DAY_2026, complaints__clock="working")
    assert judged_complaints(frame(rows), c)["d8_status"].tolist() == ["late"]


def test_working_clock_late_8d_in_the_month_of_the_last_working_day():
    # received Tue 09-29, normal 8D: Sep 30, Oct 8, 9, 10, 12, 13, 14 → last day Oct 14; not reported
    rows = [complaint("K1", "2026-09-29 09:00")]
    c = context_for("2026-10", calendar=NATIONAL_DAY_2026, complaints__clock="working")
    long = complaint_kpis({"complaints": frame(rows)}, c)
    assert (pick(long, "late_8d", "2026-09")["value"], pick(long, "late_8d")["value"]) == (0, 1)


def test_working_clock_with_the_real_calendar():
    # The same National Day case on the official calendar (pipeline.workdays).
    workdays = pytest.importorskip("pipeline.workdays")
    c = context_for("2026-10", calendar=workdays.WorkCalendar(), complaints__clock="working")
    rows = [complaint("K1", "2026-09-30 10:00", first_response_at="2026-10-09 17:00", report_8d_at="2026-10-15 23:00"),
            complaint("K2", "2026-09-30 10:00", first_response_at="2026-10-10 08:00", report_8d_at="2026-10-16")]
    judged = judged_complaints(frame(rows), c)
    assert judged["response_status"].tolist() == ["on_time", "late"]
    assert judged["d8_status"].tolist() == ["on_time", "late"]


def test_working_clock_needs_a_calendar():
    rows = [complaint("K1", "2026-10-05")]
    c = context_for("2026-10", calendar=None, complaints__clock="working")
    with pytest.raises(ValueError, match="calendar"):
        judged_complaints(frame(rows), c)


# --- facts for the scorecard -----------------------------------------------------------------------

def test_complaint_facts():
    rows = [complaint("K1", "2026-10-05", defect_qty=3, batch_reject=True, report_8d_at="2026-10-08"),
            complaint("K2", "2026-10-06", defect_qty=2),                 # 8D deadline 10-13, none by 10-31: late
            complaint("K3", "2026-09-28", customer="C2", report_8d_at="2026-10-09")]   # late, deadline 10-05
    facts = complaint_facts(frame(rows), context_for("2026-10"))
    expected = pd.DataFrame({
        "customer_key": ["C1", "C2", "C2"], "month": ["2026-10", "2026-09", "2026-10"],
        "complaints": [2.0, 1.0, 0.0], "defect_qty": [5.0, 0.0, 0.0],
        "batch_rejects": [1.0, 0.0, 0.0], "late_8d": [1.0, 0.0, 1.0],
    })
    pd.testing.assert_frame_equal(facts, expected, check_dtype=False)
