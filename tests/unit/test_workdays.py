"""The working-day calendar (kpis.md "Working-day clock", "Working-day deadlines elsewhere").

The 2026 days used below, as published in chinese_calendar 1.11 (State Council notice for 2026):
  Mid-autumn      holidays 09-25 Fri, 09-26 Sat, 09-27 Sun
  National Day    holidays 10-01 Thu … 10-07 Wed (seven days)
  调休 make-up working days around them: 2026-09-20 (Sunday) and 2026-10-10 (Saturday)
Every other Monday–Friday of August–November 2026 is an ordinary working day.

"N working days after d" = the end (24:00) of the N-th working day strictly after d; `deadline_end`
returns that end as the next midnight, so a deadline day D is returned as D + 1 day 00:00.
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import chinese_calendar
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from pipeline.workdays import CalendarError, CalendarRangeError, WorkCalendar, known_years

CAL = WorkCalendar()


def ts(text: str | None) -> pd.Timestamp:
    return pd.NaT if text is None else pd.Timestamp(text)


# --- deadlines on the official calendar -------------------------------------------------------

@pytest.mark.parametrize("start, n, deadline_day, why", [
    # 09-30 Wed; 10-01..10-07 off; 1st working day after = 10-08 Thu
    ("2026-09-30", 1, "2026-10-08", "National Day skipped"),
    # 10-08 Thu (1), 10-09 Fri (2), 10-10 Sat = 调休 make-up day (3)
    ("2026-09-30", 3, "2026-10-10", "National Day + 调休 Saturday counted"),
    # 10-09 Fri: 10-10 Sat 调休 (1), 10-11 Sun off, 10-12 Mon (2), 10-13 Tue (3)
    ("2026-10-09", 3, "2026-10-13", "调休 Saturday is the first day"),
    # a start on a Sunday counts from Monday: 10-18 Sun -> 10-19 Mon (1), 10-20 (2), 10-21 (3)
    ("2026-10-18", 3, "2026-10-21", "start on a Sunday"),
    # a start inside the holiday: 10-03 Sat -> 10-08 Thu (1)
    ("2026-10-03", 1, "2026-10-08", "start on a public holiday"),
    # a start on the 调休 Saturday itself (a working day) counts from the next one: 10-12 Mon
    ("2026-10-10", 1, "2026-10-12", "start on a make-up Saturday"),
    # 09-19 Sat (off): the next working day is Sunday 09-20 (调休) -> 09-20 (1)
    ("2026-09-19", 1, "2026-09-20", "调休 Sunday counted"),
    # 09-24 Thu: 09-25..27 Mid-autumn off; 09-28 Mon (1), 09-29 Tue (2)
    ("2026-09-24", 2, "2026-09-29", "Mid-autumn skipped"),
    # an ordinary week: 10-14 Wed -> 10-15 (1), 10-16 (2), 10-19 Mon (3)
    ("2026-10-14", 3, "2026-10-19", "weekend skipped"),
    # the time of day is ignored: 10-09 23:30 is 10-09 -> 10-10 Sat 调休 (1)
    ("2026-10-09 23:30", 1, "2026-10-10", "time of day ignored"),
    # N = 0: the start's own day, worked or not
    ("2026-10-04", 0, "2026-10-04", "zero days"),
])
def test_deadline_end_on_the_official_calendar(start, n, deadline_day, why):
    got = CAL.deadline_end(pd.Series([ts(start)]), n)
    assert got.iloc[0] == ts(deadline_day) + pd.Timedelta(days=1), why


def test_deadline_end_column_keeps_index_dtype_and_missing_values():
    # per-row N (feedback: A/B 1 day, C/D 3 days); NaT start and missing N give NaT
    start = pd.Series(pd.to_datetime(["2026-09-30", None, "2026-10-09", "2026-10-14"]),
                      index=[10, 11, 12, 13]).astype("datetime64[s]")
    n = pd.Series([3, 1, None, 1], index=[10, 11, 12, 13])
    got = CAL.deadline_end(start, n)
    assert got.dtype == np.dtype("datetime64[s]")
    assert list(got.index) == [10, 11, 12, 13]
    # 09-30 +3 -> 10-10 (see above) -> end 10-11; 10-14 +1 -> 10-15 -> end 10-16
    assert got.tolist()[0] == ts("2026-10-11")
    assert pd.isna(got.iloc[1]) and pd.isna(got.iloc[2])
    assert got.iloc[3] == ts("2026-10-16")


def test_deadline_end_takes_n_as_an_array_by_position():
    start = pd.Series(pd.to_datetime(["2026-09-30", "2026-10-14"]), index=[7, 3])
    got = CAL.deadline_end(start, np.array([3, 1]))
    # 09-30 +3 -> 10-10 (调休) -> end 10-11; 10-14 +1 -> 10-15 -> end 10-16
    assert got.tolist() == [ts("2026-10-11"), ts("2026-10-16")] and list(got.index) == [7, 3]


def test_deadline_end_rejects_negative_days():
    with pytest.raises(ValueError):
        CAL.deadline_end(pd.Series([ts("2026-10-14")]), -1)


# --- the plant's own days ---------------------------------------------------------------------

@pytest.mark.parametrize("extra_holidays, extra_workdays, start, n, deadline_day", [
    # plant shutdown Mon 08-03: 07-31 Fri +1 -> 08-03 normally, 08-04 Tue with the shutdown
    ((), (), "2026-07-31", 1, "2026-08-03"),
    (("2026-08-03",), (), "2026-07-31", 1, "2026-08-04"),
    # plant works Sat 08-08: 08-07 Fri +1 -> 08-10 Mon normally, 08-08 Sat with the extra day
    ((), (), "2026-08-07", 1, "2026-08-10"),
    ((), (dt.date(2026, 8, 8),), "2026-08-07", 1, "2026-08-08"),
    # the plant does not work the official 调休 Saturday 10-10: 09-30 +3 -> 10-08, 10-09, 10-12 Mon
    ((dt.date(2026, 10, 10),), (), "2026-09-30", 3, "2026-10-12"),
    # the plant works through National Day on 10-05: 09-30 +1 -> 10-05
    ((), ("2026-10-05",), "2026-09-30", 1, "2026-10-05"),
])
def test_extra_days_override_the_official_calendar(extra_holidays, extra_workdays, start, n, deadline_day):
    cal = WorkCalendar(extra_holidays=extra_holidays, extra_workdays=extra_workdays)
    got = cal.deadline_end(pd.Series([ts(start)]), n)
    assert got.iloc[0] == ts(deadline_day) + pd.Timedelta(days=1)


def test_from_settings_reads_the_calendar_section():
    settings = SimpleNamespace(calendar=SimpleNamespace(extra_holidays=(dt.date(2026, 8, 3),),
                                                        extra_workdays=(dt.date(2026, 8, 8),)))
    cal = WorkCalendar.from_settings(settings)
    assert cal.is_workday(dt.date(2026, 8, 3)) is False
    assert cal.is_workday(dt.date(2026, 8, 8)) is True


def test_a_day_both_shut_and_worked_is_refused():
    with pytest.raises(CalendarError, match="2026-08-03"):
        WorkCalendar(extra_holidays=["2026-08-03"], extra_workdays=["2026-08-03"])


# --- single days and counts -------------------------------------------------------------------

@pytest.mark.parametrize("day, working", [
    ("2026-10-01", False),   # National Day
    ("2026-10-07", False),   # last National Day holiday (a Wednesday)
    ("2026-10-08", True),    # ordinary Thursday
    ("2026-10-10", True),    # 调休 Saturday
    ("2026-10-11", False),   # ordinary Sunday
    ("2026-09-20", True),    # 调休 Sunday
    ("2026-09-25", False),   # Mid-autumn Friday
])
def test_is_workday(day, working):
    assert CAL.is_workday(dt.date.fromisoformat(day)) is working


@pytest.mark.parametrize("a, b, count", [
    ("2026-09-30", "2026-10-10", 3),   # 10-08, 10-09, 10-10 (调休)
    ("2026-10-04", "2026-10-08", 1),   # 10-08 only
    ("2026-10-08", "2026-10-08", 0),   # nothing strictly after a up to b
    ("2026-10-09", "2026-10-12", 2),   # 10-10 (调休), 10-12
    ("2026-10-12", "2026-10-09", -2),  # b before a: the same count, negative
    (None, "2026-10-09", None),
])
def test_working_days_between(a, b, count):
    got = CAL.working_days_between(pd.Series([ts(a)]), pd.Series([ts(b)]))
    assert (pd.isna(got.iloc[0]) if count is None else got.iloc[0] == count)


# --- the known years --------------------------------------------------------------------------

def test_known_years_come_from_the_package():
    years = sorted({d.year for d in chinese_calendar.holidays})
    assert known_years() == range(years[0], years[-1] + 1)
    assert CAL.known_years == known_years()
    assert 2026 in CAL.known_years


def test_a_start_outside_the_span_raises_a_plain_message():
    # years no register can mean (a typo such as 2300) are not counted at all
    with pytest.raises(CalendarRangeError) as err:
        CAL.deadline_end(pd.Series([ts("2026-10-14"), ts("2300-03-01")]), 3)
    message = str(err.value)
    assert "2300-03-01" in message                                  # names the date
    assert f"{CAL.span.start}–{CAL.span.stop - 1}" in message       # and what is covered
    assert "2026-10-14" not in message                              # not the dates that are fine
    assert "NotImplementedError" not in message and "Traceback" not in message


def test_the_message_in_both_languages_and_many_dates_summarised():
    starts = pd.Series(pd.date_range("2300-01-01", periods=8, freq="D"))
    with pytest.raises(CalendarRangeError) as err:
        CAL.deadline_end(starts, 1)
    # five dates named, then "and 3 more"
    assert "2300-01-05" in str(err.value) and "2300-01-06" not in str(err.value)
    assert "3 more" in str(err.value)
    assert err.value.text("en") == str(err.value)
    zh = err.value.text("zh")
    assert "2300-01-01" in zh and "工作日" in zh and "另外 3 个日期" in zh
    assert err.value.dates[0] == dt.date(2300, 1, 1) and len(err.value.dates) == 8


def test_a_deadline_in_a_year_the_package_does_not_know_assumes_monday_to_friday():
    # 2150-01-01 is a Thursday. Monday–Friday assumed: 1 working day after it is Friday 01-02
    # (deadline end: midnight after it, 01-03); 2 working days: Friday 01-02, Monday 01-05 → 01-06.
    cal = WorkCalendar()
    got = cal.deadline_end(pd.Series([ts("2150-01-01"), ts("2150-01-01"), ts("2026-10-14")]),
                           pd.Series([1, 2, 3]))
    assert got.tolist()[:2] == [ts("2150-01-03"), ts("2150-01-06")]
    # recorded, so the run can say so: the start dates and the unknown year; a known date is not
    assert cal.assumed == (dt.date(2150, 1, 1),) and cal.assumed_years == (2150,)
    message = cal.assumed_message("en")
    assert "2150" in message and "2150-01-01" in message and "extra_holidays" in message
    assert "2150" in cal.assumed_message("zh") and "周一至周五" in cal.assumed_message("zh")


def test_the_plant_days_correct_an_assumed_year():
    # The analyst enters the official days of a year the package does not know yet: Friday
    # 2150-01-02 off, Saturday 2150-01-03 a make-up working day. 1 working day after Thursday
    # 01-01 is then Saturday 01-03 (deadline end 01-04); 2 working days: 01-03, Monday 01-05 → 01-06.
    cal = WorkCalendar(extra_holidays=["2150-01-02"], extra_workdays=["2150-01-03"])
    got = cal.deadline_end(pd.Series([ts("2150-01-01"), ts("2150-01-01")]), pd.Series([1, 2]))
    assert got.tolist() == [ts("2150-01-04"), ts("2150-01-06")]


def test_a_deadline_running_past_the_last_known_year_is_recorded():
    # a start inside the known years whose deadline lands in the next, unknown, year
    last = CAL.known_years.stop - 1
    cal = WorkCalendar()
    got = cal.deadline_end(pd.Series([ts(f"{last}-12-31")]), 5).iloc[0]
    assert got.year == last + 1
    assert cal.assumed == (dt.date(last, 12, 31),) and cal.assumed_years == (last + 1,)


def test_known_dates_are_not_recorded_as_assumed():
    cal = WorkCalendar()
    cal.deadline_end(pd.Series([ts("2026-10-14")]), 3)
    cal.working_days_between(pd.Series([ts("2026-10-09")]), pd.Series([ts("2026-10-12")]))
    assert cal.is_workday(dt.date(2026, 10, 10))           # 调休 make-up Saturday
    assert cal.assumed == () and cal.assumed_message("en") is None


def test_a_day_in_an_unknown_year_is_assumed_monday_to_friday_and_recorded():
    cal = WorkCalendar()
    assert cal.is_workday(dt.date(2150, 1, 5))              # a Monday
    assert not cal.is_workday(dt.date(2150, 1, 3))          # a Saturday
    assert cal.assumed_years == (2150,)
    with pytest.raises(CalendarRangeError, match="2300-01-04"):
        cal.is_workday(dt.date(2300, 1, 4))


@pytest.mark.parametrize("done, as_of, verdict", [
    # deadline day 10-15 (exclusive end 10-16 00:00)
    ("2026-10-15", "2026-10-31", "on_time"),    # done on the deadline day
    ("2026-10-16", "2026-10-31", "late"),       # done the day after
    (None, "2026-10-14", "pending"),            # not done, before the deadline day
    (None, "2026-10-15", "pending"),            # not done, the books read on the deadline day itself
    (None, "2026-10-16", "late"),               # not done, as_of has passed the deadline day
])
def test_deadline_status_at_the_deadline_day(done, as_of, verdict):
    from pipeline.workdays import deadline_status

    as_of_end = pd.Timestamp(as_of) + pd.Timedelta(days=1)
    got = deadline_status(pd.Series([ts(done)]), pd.Series([pd.Timestamp("2026-10-16")]), as_of_end)
    assert got.tolist() == [verdict]


# --- agreement with the package's own (loop-based) search ---------------------------------------

@settings(max_examples=300, deadline=None)
@given(start=st.dates(min_value=dt.date(known_years().start, 1, 1),
                      max_value=dt.date(known_years().stop - 1, 11, 30)),
       n=st.integers(min_value=1, max_value=10))
def test_deadline_day_matches_chinese_calendar_find_workday(start, n):
    # find_workday(k, d) = the k-th working day after the first working day on or after d, so the
    # N-th working day strictly after `start` is find_workday(N - 1, start + 1 day).
    expected = chinese_calendar.find_workday(n - 1, start + dt.timedelta(days=1))
    got = CAL.deadline_end(pd.Series([pd.Timestamp(start)]), n).iloc[0]
    assert got == pd.Timestamp(expected) + pd.Timedelta(days=1)


def test_a_large_column_is_fast():
    # 500k deadlines in one call (vectorised: one searchsorted, no per-row loop)
    import time
    starts = pd.Series(pd.date_range("2020-01-01", "2025-12-31", freq="D")).sample(
        500_000, replace=True, random_state=1).reset_index(drop=True)
    t0 = time.perf_counter()
    got = CAL.deadline_end(starts, 3)
    assert time.perf_counter() - t0 < 2.0
    assert got.notna().all() and (got > starts).all()
