"""The working-day calendar: the official Chinese calendar plus the plant's own days.

kpis.md, "Working-day clock": deadlines counted in working days follow the official Chinese
calendar (public holidays off, 调休 make-up days on) from the `chinese_calendar` package, plus
`calendar.extra_holidays` (plant shutdowns) and `calendar.extra_workdays` (the plant's own make-up
days). kpis.md, "Working-day deadlines elsewhere": "N working days after date d" always means the end
of the N-th working day strictly after d — so something arriving on a non-working day starts
counting from the next working day.

The package only knows the years the State Council has published (today 2004–2026); outside them
it raises NotImplementedError. A run must not stop because one late-December complaint has a deadline
in January of a year not yet published, so outside the known years the calendar *assumes* Monday to
Friday working, Saturday and Sunday off, plus the plant's `extra_holidays` / `extra_workdays` (where
the analyst can enter the official days of a new year until the package knows them). Nothing is
assumed silently: every date whose working days needed an assumed year is recorded (`assumed`,
`assumed_years`) and the run lists them as a warning in the data-quality report. Only a date outside
`SPAN` (years no register can plausibly mean) raises `CalendarRangeError`.

Everything is vectorised: the working days of every known year are computed once into a sorted
numpy array, and a deadline is one `searchsorted` plus an index shift for the whole column.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Iterable

import chinese_calendar
import numpy as np
import pandas as pd

from pipeline.i18n import t

__all__ = ["CalendarError", "CalendarRangeError", "LATE", "ON_TIME", "PENDING", "WorkCalendar",
           "deadline_status", "known_years"]

# The three verdicts of a deadline (kpis.md, "Working-day deadlines elsewhere").
ON_TIME, LATE, PENDING = "on_time", "late", "pending"

# How many offending dates a CalendarRangeError message names before it summarises the rest.
_MAX_DATES_NAMED = 5

#: The years the calendar counts working days in at all: the official calendar's years, and around
#: them Monday–Friday assumed (plus the plant's own days). A date outside raises CalendarRangeError.
SPAN = range(1900, 2200)


class CalendarError(ValueError):
    """The working-day calendar cannot be built or used as configured.

    `str(error)` is the plain English message; `error.text(language)` the same in "zh" or "en"
    (pipeline/i18n.py), for the run to show in the report language.
    """

    def __init__(self, message: str, *, key: str | None = None, **fields: Any) -> None:
        super().__init__(message)
        self.key = key
        self.fields = fields

    def text(self, language: str) -> str:
        """The message in `language` ("zh" or "en")."""
        if self.key is None:
            return str(self)
        fields = dict(self.fields)
        if "dates" in fields:
            fields["dates"] = _list_days(fields["dates"], language)
        return t(self.key, language, **fields)


class CalendarRangeError(CalendarError):
    """A working-day count needs a year the official holiday calendar does not cover.

    `dates`: the dates concerned (for a deadline, the start dates whose deadline could not be
    placed); `known_years`: the years the calendar covers.
    """

    def __init__(self, message: str, *, key: str | None = None, dates: Iterable[date] = (),
                 known_years: range | None = None, **fields: Any) -> None:
        self.dates: tuple[date, ...] = tuple(dates)
        self.known_years = known_years
        super().__init__(message, key=key, dates=self.dates, **fields)


def _range_error(key: str, days: np.ndarray, span: range, known: range) -> CalendarRangeError:
    dates = tuple(d.astype(date) for d in np.unique(days))
    fields = {"version": _package_version(), "first": span.start, "last": span.stop - 1,
              "known_first": known.start, "known_last": known.stop - 1}
    return CalendarRangeError(t(key, "en", dates=_list_days(dates, "en"), **fields), key=key,
                              dates=dates, known_years=known, **fields)


def known_years() -> range:
    """The years `chinese_calendar` has official holidays and make-up days for.

    Read from the package's own holiday table — the very bounds its `is_workday` checks before it
    raises NotImplementedError — never hard-coded: upgrading the package widens the range by itself.
    """
    years = [d.year for d in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


def _as_day(value: Any) -> np.datetime64:
    """One date-like value (date, datetime, Timestamp, 'YYYY-MM-DD') as a numpy calendar day."""
    if isinstance(value, datetime):
        value = value.date()
    return np.datetime64(pd.Timestamp(value).date(), "D")


def _days(values: Iterable[Any]) -> np.ndarray:
    return np.array(sorted({_as_day(v) for v in values}), dtype="datetime64[D]")


def _official_day_flags(first: np.datetime64, last: np.datetime64) -> tuple[np.ndarray, np.ndarray]:
    """Every day from `first` to `last` (inclusive) and whether it is an official working day."""
    days = np.arange(first, last + 1, dtype="datetime64[D]")
    # 1970-01-01 was a Thursday: (days since epoch + 3) % 7 gives Monday = 0 … Sunday = 6.
    weekday = (days.astype("int64") + 3) % 7
    working = weekday < 5
    holidays = _days(chinese_calendar.holidays)
    makeup_days = _days(chinese_calendar.workdays)
    working[np.isin(days, holidays)] = False
    working[np.isin(days, makeup_days)] = True
    return days, working


class WorkCalendar:
    """Working days on the official Chinese calendar, adjusted by the plant's own days.

    `extra_holidays`: days the plant does not work although the country does (shutdowns).
    `extra_workdays`: days the plant works although the country does not.
    A day named in both is a contradiction in the settings and raises `CalendarError`.
    """

    def __init__(self, extra_holidays: Iterable[Any] = (), extra_workdays: Iterable[Any] = ()) -> None:
        self.extra_holidays: tuple[date, ...] = tuple(d.astype(date) for d in _days(extra_holidays))
        self.extra_workdays: tuple[date, ...] = tuple(d.astype(date) for d in _days(extra_workdays))
        both = sorted(set(self.extra_holidays) & set(self.extra_workdays))
        if both:
            key = "kpis.calendar.in_both_lists"
            raise CalendarError(t(key, "en", dates=", ".join(d.isoformat() for d in both)), key=key,
                                dates=tuple(both))
        years = known_years()
        self.known_years: range = years
        self._known_first = np.datetime64(f"{years.start:04d}-01-01", "D")
        self._known_last = np.datetime64(f"{years.stop - 1:04d}-12-31", "D")
        span = range(min(SPAN.start, years.start), max(SPAN.stop, years.stop))
        self.span: range = span
        self._first = np.datetime64(f"{span.start:04d}-01-01", "D")
        self._last = np.datetime64(f"{span.stop - 1:04d}-12-31", "D")
        # the official days where the package knows them, Monday–Friday elsewhere; then the
        # plant's own days everywhere (in an assumed year they are how the analyst corrects it)
        days, working = _official_day_flags(self._first, self._last)
        working[np.isin(days, np.array(self.extra_holidays, dtype="datetime64[D]"))] = False
        working[np.isin(days, np.array(self.extra_workdays, dtype="datetime64[D]"))] = True
        self._working_days: np.ndarray = days[working]
        #: start dates whose working days were counted through an assumed (unpublished) year
        self._assumed: set[date] = set()
        self._assumed_years: set[int] = set()

    @classmethod
    def from_settings(cls, settings: Any) -> "WorkCalendar":
        """The calendar of a run: `settings.calendar.extra_holidays` / `extra_workdays`."""
        return cls(extra_holidays=settings.calendar.extra_holidays,
                   extra_workdays=settings.calendar.extra_workdays)

    @property
    def assumed(self) -> tuple[date, ...]:
        """The dates (starts of deadlines, days asked about) whose working days were counted
        through a year the official calendar does not know, Monday–Friday assumed there; sorted."""
        return tuple(sorted(self._assumed))

    @property
    def assumed_years(self) -> tuple[int, ...]:
        """The years outside the official calendar that a count went through, sorted."""
        return tuple(sorted(self._assumed_years))

    def assumed_message(self, language: str) -> str | None:
        """What the analyst is told when counts went through an assumed year (None when none did)."""
        if not self._assumed:
            return None
        years = self.assumed_years
        return t("kpis.calendar.assumed", language, years=", ".join(str(y) for y in years),
                 version=_package_version(), known_first=self.known_years.start,
                 known_last=self.known_years.stop - 1, n=len(self._assumed),
                 dates=_list_days(self._assumed, language))

    def _note_assumed(self, starts: np.ndarray, ends: np.ndarray | None = None) -> None:
        """Record each start whose count reached a year the official calendar does not know
        (the start or the end outside it), and those years."""
        starts = np.asarray(starts, dtype="datetime64[D]")
        ends = starts if ends is None else np.asarray(ends, dtype="datetime64[D]")
        start_out, end_out = self._not_official(starts), self._not_official(ends)
        hit = start_out | end_out
        if not hit.any():
            return
        self._assumed.update(np.unique(starts[hit]).tolist())
        for days in (starts[start_out], ends[end_out]):
            self._assumed_years.update(int(y) for y in np.unique(days.astype("datetime64[Y]").astype("int64") + 1970))

    def _not_official(self, days: np.ndarray) -> np.ndarray:
        return ~np.isnat(days) & ((days < self._known_first) | (days > self._known_last))

    def __repr__(self) -> str:
        return (f"WorkCalendar(known_years={self.known_years.start}–{self.known_years.stop - 1}, "
                f"extra_holidays={len(self.extra_holidays)}, extra_workdays={len(self.extra_workdays)})")

    # --- single days ------------------------------------------------------------------------

    def is_workday(self, day: date | datetime | pd.Timestamp | str) -> bool:
        """Whether the plant works on `day` (official calendar + the plant's own days)."""
        d = _as_day(day)
        self._check_in_span(np.array([d]))
        self._note_assumed(np.array([d]))
        i = np.searchsorted(self._working_days, d)
        return bool(i < len(self._working_days) and self._working_days[i] == d)

    # --- columns ----------------------------------------------------------------------------

    def deadline_end(self, start: pd.Series, n_days: int | pd.Series | np.ndarray, *,
                     strict: bool = True) -> pd.Series:
        """The moment a deadline of N working days after each start runs out.

        kpis.md: "N working days after date d always means: the end of the N-th working day
        strictly after d". Returned as the exclusive end — midnight after that working day — so
        that `done < deadline_end` is "done on or before that day" for dates and date-times alike.
        Only the calendar date of `start` counts (a time of day is ignored); a start on a
        non-working day therefore counts from the next working day. N = 0 ends with the start's
        own day. A missing start or N gives NaT. A deadline that reaches a year the official
        calendar does not cover is counted Monday–Friday there and its start recorded
        (`assumed`); one outside `SPAN` raises `CalendarRangeError` — or, with `strict=False`
        (lists shown beside the KPIs, never the KPIs themselves), is left NaT.
        """
        start = self._as_datetime_series(start)
        out_dtype = start.dtype
        start_days = start.to_numpy(dtype="datetime64[D]")
        n = self._as_counts(n_days, start.index)
        valid = ~np.isnat(start_days) & ~np.isnan(n)
        if (n[valid] < 0).any():
            raise ValueError("A number of working days cannot be negative.")
        result = np.full(len(start_days), np.datetime64("NaT"), dtype="datetime64[D]")
        zero = valid & (n == 0)
        result[zero] = start_days[zero] + 1
        counted = valid & (n > 0)
        days = start_days[counted]
        # index of the first working day strictly after each start, then N − 1 further on
        idx = np.searchsorted(self._working_days, days, side="right") + n[counted].astype("int64") - 1
        beyond = ~self._in_span(days) | (idx >= len(self._working_days))
        if beyond.any() and not strict:
            rows = np.flatnonzero(counted)
            counted[rows[beyond]] = False
            days, idx = days[~beyond], idx[~beyond]
        elif beyond.any():
            raise _range_error("kpis.calendar.deadline_out_of_range", days[beyond], self.span, self.known_years)
        result[counted] = self._working_days[idx] + 1
        self._note_assumed(start_days[valid], result[valid] - 1)
        return pd.Series(result, index=start.index).astype(out_dtype)

    def working_days_between(self, a: pd.Series, b: pd.Series, *, strict: bool = True) -> pd.Series:
        """How many working days d satisfy date(a) < d ≤ date(b), per row (nullable Int64).

        The working-day number of `b` counted from `a`: a form filed on the 2nd working day after
        the feedback gives 2. Zero when b is on or before a's day with no working day between;
        negative when b is before a. Missing on either side gives <NA>. A date in a year the
        official calendar does not know is counted Monday–Friday and recorded (`assumed`); one
        outside `SPAN` raises `CalendarRangeError`, or with `strict=False` gives <NA>.
        """
        a_days = self._as_datetime_series(a).to_numpy(dtype="datetime64[D]")
        b_days = self._as_datetime_series(b).to_numpy(dtype="datetime64[D]")
        valid = ~np.isnat(a_days) & ~np.isnat(b_days)
        if strict:
            self._check_in_span(np.concatenate([a_days[valid], b_days[valid]]))
        else:
            valid &= self._in_span(a_days) & self._in_span(b_days)
        self._note_assumed(a_days[valid], b_days[valid])
        counts = np.zeros(len(a_days), dtype="int64")
        counts[valid] = (np.searchsorted(self._working_days, b_days[valid], side="right")
                         - np.searchsorted(self._working_days, a_days[valid], side="right"))
        index = a.index if isinstance(a, pd.Series) else None
        return pd.Series(counts, index=index, dtype="Int64").mask(~valid)

    # --- internals --------------------------------------------------------------------------

    @staticmethod
    def _as_datetime_series(values: Any) -> pd.Series:
        series = values if isinstance(values, pd.Series) else pd.Series(values)
        if not pd.api.types.is_datetime64_dtype(series.dtype):
            series = pd.to_datetime(series, errors="coerce")
        return series

    @staticmethod
    def _as_counts(n_days: Any, index: pd.Index) -> np.ndarray:
        if isinstance(n_days, pd.Series):       # aligned on the index
            n = pd.to_numeric(n_days.reindex(index), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        elif np.ndim(n_days) == 0:               # one N for every row
            n = np.full(len(index), np.nan if pd.isna(n_days) else float(n_days))
        else:                                    # an array: by position
            n = pd.to_numeric(pd.Series(np.asarray(n_days)), errors="coerce").to_numpy(
                dtype="float64", na_value=np.nan)
            if len(n) != len(index):
                raise ValueError(f"{len(n)} numbers of working days for {len(index)} start dates.")
        if (~np.isnan(n) & (n != np.floor(n))).any():
            raise ValueError("A number of working days must be a whole number.")
        return n

    def _in_span(self, days: np.ndarray) -> np.ndarray:
        return (days >= self._first) & (days <= self._last)

    def _check_in_span(self, days: np.ndarray) -> None:
        days = days[~np.isnat(days)]
        outside = (days < self._first) | (days > self._last)
        if outside.any():
            raise _range_error("kpis.calendar.out_of_range", days[outside], self.span, self.known_years)


def deadline_status(done: pd.Series, deadline_end: pd.Series, as_of_end: pd.Timestamp) -> pd.Series:
    """On time, late or pending, per row (kpis.md, "Working-day deadlines elsewhere").

    "Something done on or before that day is on time; something not done when `as_of` has passed
    that day is late; otherwise pending and left out."
    `done`: when it was done (NaT: not done); `deadline_end`: the exclusive end of the deadline day
    (midnight after it, as `WorkCalendar.deadline_end` returns); `as_of_end`: the end of the
    as_of day. A recorded date is taken as recorded. Not done and `as_of_end` > `deadline_end`
    (the as_of day is after the deadline day: `as_of` "has passed that day") is late; on the
    deadline day itself it is still pending, as on the calendar clock, where a reply is late only
    when `as_of` is past its deadline. Rows with no deadline are NaN (neither on time, late nor
    pending).
    """
    done = pd.to_datetime(done)
    deadline_end = pd.to_datetime(deadline_end)
    has_deadline = deadline_end.notna().to_numpy()
    was_done = done.notna().to_numpy()
    before = (done < deadline_end).to_numpy()
    passed = (deadline_end < pd.Timestamp(as_of_end)).to_numpy()
    verdict = np.select(
        [~has_deadline, was_done & before, was_done | passed],
        [None, ON_TIME, LATE],
        default=PENDING)
    return pd.Series(verdict, index=done.index, dtype="str")


def _list_days(dates: Iterable[date], language: str) -> str:
    """The first few dates in ISO form, then how many more (the message stays one readable line)."""
    dates = sorted(dates)
    named = ", ".join(d.isoformat() for d in dates[:_MAX_DATES_NAMED])
    rest = len(dates) - _MAX_DATES_NAMED
    return named + (" " + t("kpis.calendar.more_dates", language, n=rest) if rest > 0 else "")


def _package_version() -> str:
    return getattr(chinese_calendar, "__version__", "installed")
