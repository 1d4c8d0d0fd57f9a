"""Raw text columns → typed columns, with a reason code for every value that is not valid.

The rules are shared/spec/registers.md, "Value normalisation (all registers)", and the per-column
vocabularies of `pipeline/registers.py`. Range checks (≥ 0, ≤ scale_max, required) are the stage's.

How the values arrive: every cell as text (`"2026-10-03 00:00:00"` for an Excel date, `"45935"`
for a serial typed as a number, `"１２３"`, `"120 PCS"`, …), missing as NaN; a column can be a
million rows long. Every function here therefore

1. factorises the column and works on its DISTINCT values only (a date column of a million
   rows holds a few thousand dates; a quantity column a few thousand numbers),
2. runs pyarrow compute kernels over those (RE2 pattern matches, which run on a fast
   automaton; splits into runs of digits; casts; set look-ups) and numpy arithmetic for
   calendars and Excel serials,
3. spreads the results back to the rows with the factorisation codes.

Plain Python runs only on the rare distinct values that need it (the few holding full-width
characters; vocabulary spellings that are not already in their plain form).

Every function returns `Parsed(values, error)`: `values` typed and missing where the cell is
blank OR invalid, `error` a `str` Series holding "" where fine and else a reason code, whose
plain words live in `pipeline/i18n.py` under `reason.<code>`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.headers import normalise_header

__all__ = [
    "Parsed", "MISSING_TOKENS", "REASON_CODES", "is_missing", "parse_number", "parse_date",
    "parse_bool", "parse_vocab", "parse_month", "parse_round", "clean_text", "year_from_texts",
]


@dataclass(frozen=True)
class Parsed:
    values: pd.Series   # typed values, same index as the input; missing where blank OR invalid
    error: pd.Series    # str dtype, same index: "" where fine, else a reason code


# "Blank, `-`, `/`, `N/A`, `NA`, `无`, `—` → missing" (registers.md). Compared after trimming,
# full-width → half-width and case folding, so `n/a`, `Ｎ／Ａ` and `／` are missing too. Two
# additions an analyst would expect: `——` (what the Chinese input method types for a dash) and
# `#N/A` (a VLOOKUP that found nothing, pasted as text or exported to CSV).
MISSING_TOKENS: frozenset[str] = frozenset({"", "-", "/", "N/A", "NA", "无", "—", "——", "#N/A"})

REASON_CODES: tuple[str, ...] = (
    "bad_number", "not_integer", "bad_date", "no_year", "bad_bool", "not_in_vocab",
    "bad_month", "bad_round",
)

# Full-width forms U+FF01..U+FF5E are ASCII shifted by 0xFEE0; U+3000 is the ideographic space.
# The full-width currency signs and the no-break space are folded too (￥1,200 → ¥1,200).
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD.update({0x3000: 0x20, 0x00A0: 0x20, 0xFFE0: 0xA2, 0xFFE1: 0xA3, 0xFFE5: 0xA5})
_FOLD_RE = r"[\x{3000}\x{A0}\x{FF01}-\x{FF5E}\x{FFE0}\x{FFE1}\x{FFE5}]"
# Invisible characters that are not Unicode whitespace but come with pasted text.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


def _fold_text(text: str) -> str:
    return text.translate(_FOLD)


_MISSING_KEYS = frozenset(_fold_text(t).lower() for t in MISSING_TOKENS)


# --- distinct values in, rows out ---------------------------------------------------------

@dataclass(frozen=True)
class _Distinct:
    index: pd.Index
    codes: np.ndarray        # per row: position of its value in `text`; -1 where the cell is NaN
    text: pa.Array           # distinct values, trimmed (and width-folded unless told not to)
    missing: np.ndarray      # per distinct value: blank or a missing token

    def __len__(self) -> int:
        return len(self.text)


def _as_text(raw: object) -> pd.Series:
    series = raw if isinstance(raw, pd.Series) else pd.Series(raw, dtype=object)
    if series.dtype != "str":
        series = series.astype("str")
    return series


def _to_arrow(values: object) -> pa.Array:
    arr = pa.array(values)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if arr.type != pa.large_string():
        arr = arr.cast(pa.large_string())
    return arr


def _fold_width(arr: pa.Array) -> pa.Array:
    """Full-width → half-width, in Python on the few distinct values that hold such characters."""
    mask = pc.match_substring_regex(arr, _FOLD_RE)
    if not pc.any(mask).as_py():
        return arr
    folded = [_fold_text(v) for v in pc.filter(arr, mask).to_pylist()]
    return pc.replace_with_mask(arr, mask, pa.array(folded, type=arr.type))


def _trim(arr: pa.Array) -> pa.Array:
    """Unicode whitespace (U+3000, U+00A0, line breaks …) and invisible characters off both ends."""
    for trim in (pc.utf8_trim_whitespace, lambda a: pc.utf8_trim(a, _INVISIBLE),
                 pc.utf8_trim_whitespace):
        arr = trim(arr)
    return arr


def _distinct(raw: object, *, fold: bool = True) -> _Distinct:
    series = _as_text(raw)
    codes, uniques = pd.factorize(series)
    text = _trim(_to_arrow(uniques.array))
    folded = _fold_width(text)
    keys = pa.array(sorted(_MISSING_KEYS), type=pa.large_string())
    missing = _np_bool(pc.is_in(pc.utf8_lower(folded), value_set=keys))
    return _Distinct(series.index, codes, folded if fold else text, missing)


def _s(text: str | None) -> pa.Scalar:
    """A large_string scalar (pyarrow kernels do not mix string and large_string)."""
    return pa.scalar(text, pa.large_string())


def _np_bool(arr: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def _spread(d: _Distinct, values: object, *, dtype: str | None = None,
            fill: object = None) -> pd.Series:
    """Per-distinct `values` → one value per row (rows whose cell was NaN get the missing value)."""
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        indices = pa.array(d.codes, mask=d.codes < 0, type=pa.int64())
        return pd.Series(pd.array(pc.take(values, indices), dtype=dtype or "str"), index=d.index)
    taken = pd.api.extensions.take(values, d.codes, allow_fill=True, fill_value=fill)
    return pd.Series(taken, index=d.index, dtype=dtype)


_ERROR_NAMES: tuple[str, ...] = ("", *REASON_CODES)
_ERROR_INDEX = {name: i for i, name in enumerate(_ERROR_NAMES)}


def _error_codes(d: _Distinct, ok: np.ndarray, code: str) -> np.ndarray:
    """Per distinct value: 0 (fine, or missing) or the index of `code` in _ERROR_NAMES."""
    return np.where(ok | d.missing, 0, _ERROR_INDEX[code]).astype(np.int8)


def _spread_error(d: _Distinct, error: np.ndarray) -> pd.Series:
    """Per-distinct error indices → the `str` reason column ("" where fine)."""
    rows = pd.api.extensions.take(np.asarray(error, dtype=np.int8), d.codes, allow_fill=True,
                                  fill_value=0)
    names = pa.array(_ERROR_NAMES, type=pa.large_string())
    return pd.Series(pd.array(pc.take(names, pa.array(rows)), dtype="str"), index=d.index)


def _extract(arr: pa.Array, pattern: str, among: np.ndarray
             ) -> tuple[np.ndarray, dict[str, pa.Array]]:
    """Match `pattern` (RE2 with named groups) against the values at `among` only.

    Returns the positions that matched and, aligned with them, each named group's text ("" where
    an optional group did not take part)."""
    # A plain match runs on RE2's fast automaton; only the values that match pay for groups.
    positions = np.flatnonzero(among & _matches(arr, pattern) if among.any() else among)
    if not len(positions):
        return positions, {}
    found = pc.extract_regex(arr.take(pa.array(positions)), pattern)
    valid = _np_bool(found.is_valid())
    found = found.filter(pa.array(valid))
    return positions[valid], {found.type.field(i).name: found.field(i)
                              for i in range(found.type.num_fields)}


def _matches(arr: pa.Array, pattern: str) -> np.ndarray:
    return _np_bool(pc.match_substring_regex(arr, pattern))


# --- missing --------------------------------------------------------------------------------

def is_missing(raw: pd.Series) -> pd.Series:
    """True where a cell is missing.

    Rule (registers.md): "Blank, `-`, `/`, `N/A`, `NA`, `无`, `—` → missing" — after trimming,
    full-width → half-width, any case (`n/a`, `Ｎ／Ａ`, `／`, whitespace only), plus `——`, `#N/A`.
    """
    d = _distinct(raw)
    return _spread(d, d.missing, dtype=bool, fill=True)


# --- numbers --------------------------------------------------------------------------------

# An optional currency sign, a sign, digits with correct thousands grouping or none, a
# fraction, an exponent, then an optional unit: a word (letters or CJK) holding no digit.
_NUMBER_RE = (
    r"^(?:[¥$€£]\s*)?[+-]?(?:[¥$€£]\s*)?"
    r"(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d*)?(?:[eE][+-]?\d+)?"
    r"\s*(?:[\p{L}%‰°℃][^\d]*)?$"
)
_PLAIN_NUMBER_RE = r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$"
_UNIT_RE = r"\s*[\p{L}%‰°℃][^\d]*$"
# 5万 is 50,000, not "5 of the unit 万": a magnitude word is never taken for a unit
# (千克, 千米, 千瓦 — kg, km, kW — are units).
_MAGNITUDE_RE = r"\d\s*(?:[十百万萬亿億]|千(?:$|[^克米瓦]))"


def _numbers_distinct(d: _Distinct) -> tuple[np.ndarray, np.ndarray]:
    """Per distinct value: the number (NaN if missing or not a number) and whether it parsed."""
    values = np.full(len(d), np.nan)
    # Most cells are plain numbers ("12", "1.5", "-3"): one cast.
    plain = _matches(d.text, _PLAIN_NUMBER_RE) & ~d.missing
    # The others, when the whole value has the accepted shape, lose their unit, currency sign,
    # spaces and thousands separators, and are cast the same way.
    dressed = (~plain & ~d.missing & _matches(d.text, _NUMBER_RE) & _matches(d.text, r"\d")
               & ~_matches(d.text, _MAGNITUDE_RE))
    for hit, undress in ((plain, False), (dressed, True)):
        if not hit.any():
            continue
        text = d.text.filter(pa.array(hit))
        if undress:
            text = pc.replace_substring_regex(text, _UNIT_RE, "")
            text = pc.replace_substring_regex(text, r"[¥$€£,\s]", "")
        # "e5" or "-." has the shape but no digits before the exponent: NaN, then bad_number.
        text = pc.if_else(pc.match_substring_regex(text, r"^[+-]?\.?\d"), text, _s("nan"))
        values[hit] = pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
    ok = np.isfinite(values)
    return np.where(ok, values, np.nan), ok


def parse_number(raw: pd.Series, *, integer: bool = False) -> Parsed:
    """Number cells → float64 (or Int64 with `integer=True`).

    Rule (registers.md): "`1,234`, full-width digits `１２３`, numbers stored as text, a trailing
    unit (`120pcs`, `120 PCS`) → number. Anything else in a numeric column rejects the row."

    - Thousands separators must group by three (`1,234,567`; `1,2` is `bad_number`).
    - A unit is a trailing word without digits: `12.5 kg`, `1,200件`, `100元`, `95%` (→ 95).
      A leading currency sign is accepted (`¥1,200`); a magnitude word is not a unit (`5万` →
      `bad_number`, rather than a silent 5). Text before the number (`约100`) → `bad_number`.
    - Scientific notation is a number (`1e3` → 1000); negative numbers parse (the stage decides
      whether a column allows them); `inf`/`nan` are `bad_number`.
    - `integer=True`: a whole number within 1e-9 (`3.0` → 3, a formula's `110.00000000000001`
      → 110); anything else → `not_integer`.
    """
    d = _distinct(raw)
    values, ok = _numbers_distinct(d)
    error = _error_codes(d, ok, "bad_number")
    if not integer:
        return Parsed(_spread(d, values, dtype="float64", fill=np.nan), _spread_error(d, error))
    rounded = np.round(values)
    whole = ok & (np.abs(values - rounded) <= 1e-9 * np.maximum(1.0, np.abs(values)))
    too_big = ok & (np.abs(values) >= 2.0 ** 53)      # beyond exact integers in a float
    error = np.where(ok & ~whole, _ERROR_INDEX["not_integer"], error).astype(np.int8)
    error = np.where(too_big, _ERROR_INDEX["bad_number"], error).astype(np.int8)
    good = whole & ~too_big
    ints = pd.array(np.where(good, rounded, 0).astype(np.int64), dtype="Int64")
    ints[~good] = pd.NA
    return Parsed(_spread(d, ints, dtype="Int64"), _spread_error(d, error))


# --- dates ----------------------------------------------------------------------------------

def _time(lead: str) -> str:
    """An optional time of day: 14:30, 14:30:00(.000), or 14时30分(15秒) / 14点30分."""
    return (rf"(?:{lead}\d{{1,2}}(?::\d{{2}}(?::\d{{2}}(?:\.\d+)?)?"
            rf"|\s*[时点]\s*\d{{1,2}}\s*分?(?:\s*\d{{1,2}}\s*秒)?))?")


# (kind, pattern): the kind says what the value's runs of digits are, in order.
_DATE_FAMILIES: tuple[tuple[str, str], ...] = (
    # 2026-10-03, 2026/10/3, 2026.10.3, each optionally with a time
    ("ymd", r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}" + _time(r"(?:T|\s+)") + "$"),
    # 2026年10月3日, 2026年10月3号
    ("ymd", r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*[日号]?" + _time(r"\s*") + "$"),
    # 20261003: eight digits are yyyymmdd, never an Excel serial
    ("compact", r"^\d{8}" + _time(r"\s+") + "$"),
    # 10月3日: the year comes from the sheet's title rows or name (default_year)
    ("md", r"^\d{1,2}\s*月\s*\d{1,2}\s*[日号]?" + _time(r"\s*") + "$"),
    # 3/10/2026, 3-10-2026, 3.10.2026: month first unless [input] dayfirst
    ("aby", r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{4}" + _time(r"\s+") + "$"),
    # 3/10/26: two-digit year, slashes only (26-10-03 could as well be yy-mm-dd), year 20yy
    ("abyy", r"^\d{1,2}/\d{1,2}/\d{2}" + _time(r"\s+") + "$"),
)
_EXCEL_CELL_RE = r"^\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2})?$"
_SERIAL_RE = r"^\d{1,7}(?:\.\d+)?$"
_SERIAL_MAX = 2958465            # 9999-12-31, the last day Excel can hold
_FIRST_DAY = np.datetime64("1900-01-01", "us")
_AFTER_LAST_DAY = np.datetime64("10000-01-01", "us")


def _civil_days(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Calendar validity of (y, m, d) and the day as datetime64[D] (NaT where invalid)."""
    ok = ~(np.isnan(y) | np.isnan(m) | np.isnan(d))
    ok &= (y >= 1900) & (y <= 9999) & (m >= 1) & (m <= 12) & (d >= 1)
    yi = np.where(ok, y, 2000).astype(np.int64)
    mi = np.where(ok, m, 1).astype(np.int64)
    di = np.where(ok, d, 1).astype(np.int64)
    month = (yi - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (mi - 1).astype(
        "timedelta64[M]")
    first = month.astype("datetime64[D]")
    days_in_month = ((month + 1).astype("datetime64[D]") - first).astype(np.int64)
    ok &= di <= days_in_month
    day = first + (di - 1).astype("timedelta64[D]")
    return ok, np.where(ok, day, np.datetime64("NaT", "D"))


def _excel_serial(serial: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Excel 1900 date system: serial 1 = 1900-01-01; Excel also counts the non-existent
    1900-02-29 as serial 60, so from 61 on day 0 is 1899-12-30, below it 1899-12-31.
    Only 1..2958465 (1900-01-01..9999-12-31) are dates; 60 is not a day. A fraction is the time
    of day, rounded to the second."""
    whole = np.floor(serial)
    ok = ~np.isnan(serial) & (serial >= 1) & (serial < _SERIAL_MAX + 1) & (whole != 60)
    whole = np.where(ok, whole, 61).astype(np.int64)
    seconds = np.where(ok, np.round((serial - np.floor(serial)) * 86400), 0).astype(np.int64)
    epoch = np.where(whole < 60, np.datetime64("1899-12-31", "us"), np.datetime64("1899-12-30", "us"))
    moment = epoch + whole.astype("timedelta64[D]") + seconds.astype("timedelta64[s]")
    return ok, np.where(ok, moment, np.datetime64("NaT", "us"))


def _digit_runs(arr: pa.Array, count: int) -> list[np.ndarray]:
    """The first `count` runs of digits in each value, as floats; 0 for runs a value lacks.

    Once a value has matched one of the patterns above, its digit runs are its fields in a known
    order (2026年10月3日 14时30分 → 2026, 10, 3, 14, 30), which is far cheaper than capturing
    groups: pyarrow's regex extraction costs about 2 µs a value, a split a tenth of that."""
    spaced = pc.utf8_trim_whitespace(pc.replace_substring_regex(arr, r"\D+", " "))
    padded = pc.binary_join_element_wise(spaced, _s(" 0" * count), _s(""))
    parts = pc.split_pattern(padded, " ")
    return [pc.cast(pc.list_element(parts, i), pa.float64()).to_numpy(zero_copy_only=False)
            for i in range(count)]


def _datetimes_distinct(d: _Distinct, *, dayfirst: bool, default_year: int | None
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Per distinct value: the moment (datetime64[us], NaT if none) and its error index."""
    n = len(d)
    y, m, dd, hh, mm, ss = (np.full(n, np.nan) for _ in range(6))
    needs_year = np.zeros(n, dtype=bool)
    # How an Excel date or date-time cell reads as text ("2026-10-03 00:00:00"), by far the most
    # common form and the one with the most distinct values: fields at fixed positions.
    matched = _matches(d.text, _EXCEL_CELL_RE) & ~d.missing
    if matched.any():
        cells = d.text.filter(pa.array(matched))
        padded = pc.utf8_rpad(cells, 19, "0")   # "2026-10-03" → "2026-10-03000000000"
        for target, start, stop in ((y, 0, 4), (m, 5, 7), (dd, 8, 10), (hh, 11, 13),
                                    (mm, 14, 16), (ss, 17, 19)):
            target[matched] = pc.cast(pc.utf8_slice_codeunits(padded, start, stop),
                                      pa.float64()).to_numpy(zero_copy_only=False)
    for kind, pattern in _DATE_FAMILIES:
        among = ~matched & ~d.missing
        hit = among & _matches(d.text, pattern) if among.any() else among
        if not hit.any():
            continue
        matched |= hit
        runs = _digit_runs(d.text.filter(pa.array(hit)), 6)
        if kind == "ymd":
            year, mon, day, *clock = runs
        elif kind == "compact":
            ymd, *clock = runs[:4]
            year, mon, day = ymd // 10000, ymd // 100 % 100, ymd % 100
        elif kind == "md":
            mon, day, *clock = runs[:5]
            # 10月3日 takes the sheet's year; without one it is no_year (decided below)
            year = np.full(len(mon), np.nan if default_year is None else float(default_year))
            needs_year[hit] = True
        else:  # "aby", "abyy": the [input] dayfirst setting says which of a, b is the day
            a, b, year, *clock = runs
            mon, day = (b, a) if dayfirst else (a, b)
            year = year + 2000 if kind == "abyy" else year
        for target, source in zip((y, m, dd, hh, mm, ss), (year, mon, day, *clock)):
            target[hit] = source

    # A month-day with no year to give it is no_year, provided it is a day in some year (2月29日
    # is checked against a leap year); 2月30日 stays bad_date.
    no_year = needs_year & np.isnan(y)
    valid_day, day = _civil_days(np.where(no_year, 2000, y), m, dd)
    hh, mm, ss = (np.where(np.isnan(x), 0, x) for x in (hh, mm, ss))
    valid_time = (hh <= 23) & (mm <= 59) & (ss <= 59)
    ok = matched & valid_day & valid_time & ~no_year
    seconds = np.where(ok, hh * 3600 + mm * 60 + ss, 0).astype(np.int64)
    moment = day.astype("datetime64[us]") + seconds.astype("timedelta64[s]")

    positions = np.flatnonzero(~matched & ~d.missing & _matches(d.text, _SERIAL_RE))
    if len(positions):
        serial = pc.cast(d.text.take(pa.array(positions)), pa.float64()).to_numpy(
            zero_copy_only=False)
        serial_ok, serial_moment = _excel_serial(serial)
        ok[positions] = serial_ok
        moment[positions] = serial_moment

    ok &= (moment >= _FIRST_DAY) & (moment < _AFTER_LAST_DAY)
    moment = np.where(ok, moment, np.datetime64("NaT", "us"))
    error = np.where(no_year & valid_day & valid_time, _ERROR_INDEX["no_year"],
                     _ERROR_INDEX["bad_date"])
    error = np.where(ok | d.missing, 0, error).astype(np.int8)
    return moment, error


def parse_date(raw: pd.Series, *, dayfirst: bool = False, default_year: int | None = None,
               keep_time: bool = False) -> Parsed:
    """Date cells → datetime64[us] (midnight unless `keep_time`).

    Rule (registers.md): "Excel dates and serial numbers, `2026-10-03`, `2026/10/3`,
    `2026.10.3`, `20261003`, `2026年10月3日`, `10月3日` (year taken from a four-digit year in
    the sheet's title rows or sheet name …; with none there, the row is rejected), and
    date-times (`2026-10-03 14:30`). Day-first vs month-first for `3/10/2026` style values
    follows the `[input] dayfirst` setting (default false, i.e. month first); ISO-like forms are
    never ambiguous."

    - Excel serials: 1 = 1900-01-01 with Excel's 1900 leap-year bug (61 = 1900-03-01; 60, the
      non-existent 1900-02-29, is `bad_date`); 1..2958465 only; a fraction is the time of day.
      Eight digits are yyyymmdd, never a serial.
    - `2026年10月3号` and times (`14:30`, `14:30:00`, `14时30分`) are accepted.
    - `10月3日` takes `default_year`; without one it is `no_year`.
    - `3/10/26` (slashes, two-digit year) is 20yy with the same day/month order as `3/10/2026`.
    - A day that does not exist (`2026-02-30`, `2026-13-45`), a time past 23:59:59, a year
      before 1900 or anything else → `bad_date`. No form is reported as ambiguous: the setting
      decides, and a month-first `25/10/2026` is `bad_date`, not silently swapped.
    - `keep_time=False` keeps the calendar day of a date-time (`2026-10-03 14:30` → 2026-10-03).
    """
    d = _distinct(raw)
    moment, error = _datetimes_distinct(d, dayfirst=dayfirst, default_year=default_year)
    if not keep_time:
        moment = moment.astype("datetime64[D]").astype("datetime64[us]")
    return Parsed(_spread(d, moment, dtype="datetime64[us]", fill=np.datetime64("NaT", "us")),
                  _spread_error(d, error))


# --- months ---------------------------------------------------------------------------------

_MONTH_FAMILIES: tuple[tuple[str, str], ...] = (
    ("ym", r"^\d{4}\s*(?:[-/.]|年)\s*\d{1,2}\s*(?:月份?)?$"),   # 2026-10, 2026/10, 2026.10, 2026年10月
    ("yyyymm", r"^\d{6}$"),                                      # 202610
    ("my", r"^\d{1,2}[-/.]\d{4}$"),                              # 10/2026
)
_YEAR_ONLY_RE = r"^\d{4}(?:\.0+)?$"


def parse_month(raw: pd.Series, *, dayfirst: bool = False) -> Parsed:
    """Month cells → "YYYY-MM" text.

    Rule (registers.md, customer_scorecards.month): "`2026-10`, `2026/10`, `2026年10月`, or any
    date in that month".

    Also `2026.10`, `2026年10月份`, `202610` (six digits are yyyymm) and `10/2026`; any date
    `parse_date` reads (an Excel date cell, a serial, `2026/10/3`) gives its month. A bare year
    (`2026`) is `bad_month`, not the Excel serial 2026 (1905-07-18). Note that a number cell
    typed `2026.10` reaches us as `2026.1`, as Excel itself shows it: January.
    """
    d = _distinct(raw)
    n = len(d)
    y, m = np.full(n, np.nan), np.full(n, np.nan)
    matched = np.zeros(n, dtype=bool)
    for kind, pattern in _MONTH_FAMILIES:
        hit = ~matched & ~d.missing & _matches(d.text, pattern)
        if not hit.any():
            continue
        matched |= hit
        first, second = _digit_runs(d.text.filter(pa.array(hit)), 2)
        if kind == "yyyymm":
            first, second = first // 100, first % 100
        elif kind == "my":
            first, second = second, first
        y[hit], m[hit] = first, second
    ok, first_day = _civil_days(y, m, np.ones(n))
    month = first_day.astype("datetime64[M]")
    year_only = _matches(d.text, _YEAR_ONLY_RE)
    rest = ~matched & ~year_only & ~d.missing
    if rest.any():
        moment, _ = _datetimes_distinct(d, dayfirst=dayfirst, default_year=None)
        dated = rest & ~np.isnat(moment)
        ok |= dated
        month = np.where(dated, moment.astype("datetime64[M]"), month)
    labels = pa.array(np.datetime_as_string(month, unit="M"), type=pa.large_string())
    labels = pc.if_else(pa.array(ok), labels, _s(None))
    return Parsed(_spread(d, labels),
                  _spread_error(d, _error_codes(d, ok, "bad_month")))


# --- survey rounds --------------------------------------------------------------------------

_ROUND_FAMILIES: tuple[tuple[str, str], ...] = (
    ("H", r"^(?P<y>\d{4})年?[-/_.]?h(?P<n>[12])$"),                     # 2026H1, 2026 H1, 2026h1
    ("HALF", r"^(?P<y>\d{4})年?(?P<n>[上下])半年度?$"),                  # 2026上半年, 2026年下半年
    ("Q", r"^(?P<y>\d{4})年?[-/_.]?q(?P<n>[1-4])$"),                    # 2026Q3, 2026 Q3
    ("Q", r"^(?P<y>\d{4})年?第?(?P<n>[1-4一二三四])季度?$"),             # 2026年第3季度, 2026第三季度
    ("Y", r"^(?P<y>\d{4})(?:\.0+)?(?:年度?|年全年|全年|度)?$"),          # 2026, 2026年度, 2026年
)
_ROUND_NUMBERS = {"1": "1", "2": "2", "3": "3", "4": "4", "上": "1", "下": "2",
                  "一": "1", "二": "2", "三": "3", "四": "4"}


def parse_round(raw: pd.Series) -> Parsed:
    """Survey round cells → `2026H1`, `2026H2`, `2026Q3` or `2026`.

    Rule (registers.md, survey_returns.round): "normalised to `2026H1`, `2026H2`, `2026Q3` or
    `2026`: accepts `2026H1`, `2026 H1`, `2026上半年`, `2026下半年`, `2026年第3季度`, `2026Q3`,
    `2026年度`".

    Any case and spacing (`2026h1`, `2026 Q3`), `2026年上半年`, `2026第三季度`, `2026-Q3`,
    `2026年`, and a year typed as a number (`2026`) are accepted; anything else → `bad_round`.
    """
    d = _distinct(raw)
    key = pc.replace_substring_regex(pc.utf8_lower(d.text), r"\s+", "")
    labels = np.full(len(d), None, dtype=object)
    matched = np.zeros(len(d), dtype=bool)
    for kind, pattern in _ROUND_FAMILIES:
        positions, g = _extract(key, pattern, ~matched & ~d.missing)
        if not len(positions):
            continue
        matched[positions] = True
        label = g["y"]
        if kind != "Y":
            number = g["n"]
            for spelled, digit in _ROUND_NUMBERS.items():
                number = pc.replace_substring(number, spelled, digit)
            letter = _s("H" if kind in ("H", "HALF") else "Q")
            label = pc.binary_join_element_wise(label, letter, number, _s(""))
        plausible = pc.cast(g["y"], pa.int64()).to_numpy(zero_copy_only=False) >= 1900
        labels[positions] = np.where(plausible, label.to_numpy(zero_copy_only=False), None)
    ok = np.not_equal(labels, None)
    return Parsed(_spread(d, pa.array(labels, type=pa.large_string())),
                  _spread_error(d, _error_codes(d, ok, "bad_round")))


# --- booleans -------------------------------------------------------------------------------

# "是/否, Y/N, Yes/No, √/×, ✓/✗, 1/0, OK/NG (OK = true), true/false" (registers.md), plus the
# heavy and boxed check marks Word and WPS insert for the same thing.
_TRUE = ("是", "y", "yes", "√", "✓", "✔", "☑", "ok", "true")
_FALSE = ("否", "n", "no", "×", "✗", "✘", "✕", "☒", "ng", "false")
_ONE_RE, _ZERO_RE = r"^1(?:\.0+)?$", r"^0(?:\.0+)?$"


def parse_bool(raw: pd.Series) -> Parsed:
    """Yes/no cells → nullable boolean.

    Rule (registers.md): "Booleans: `是/否`, `Y/N`, `Yes/No`, `√/×`, `✓/✗`, `1/0`, `OK/NG`(OK =
    true), `true/false`" — any case; `1.0`/`0.0` (a number cell) too; `✔ ☑` / `✘ ✕ ☒` as well.
    Anything else → `bad_bool`.
    """
    d = _distinct(raw)
    lowered = pc.utf8_lower(d.text)
    yes = _np_bool(pc.is_in(lowered, value_set=pa.array(_TRUE, type=pa.large_string())))
    yes |= _np_bool(pc.match_substring_regex(lowered, _ONE_RE))
    no = _np_bool(pc.is_in(lowered, value_set=pa.array(_FALSE, type=pa.large_string())))
    no |= _np_bool(pc.match_substring_regex(lowered, _ZERO_RE))
    ok = (yes | no) & ~d.missing
    values = pd.array(yes, dtype="boolean")
    values[~ok] = pd.NA
    return Parsed(_spread(d, values, dtype="boolean"),
                  _spread_error(d, _error_codes(d, ok, "bad_bool")))


# --- vocabularies ---------------------------------------------------------------------------

def _vocab_lookup(vocab: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for canonical, spellings in vocab.items():
        for spelling in (canonical, *spellings):
            key = normalise_header(spelling)
            if lookup.setdefault(key, canonical) != canonical:
                raise ValueError(f"vocabulary spelling {spelling!r} means both "
                                 f"{lookup[key]!r} and {canonical!r}")
    return lookup


def parse_vocab(raw: pd.Series, vocab: Mapping[str, tuple[str, ...]]) -> Parsed:
    """Vocabulary cells → the canonical code.

    Rule (registers.md, the vocabulary columns; e.g. severity "`urgent` (紧急, 急件, 急, urgent,
    high) or `normal` (一般, 普通件, 普通, normal)"): a cell is compared, after the header
    normalisation (whitespace removed, full-width → half-width, any case, traditional →
    simplified, a trailing bracket dropped), with the canonical value and every spelling:
    `a类`, `A类`, `Ａ` → `A`; `緊急` → `urgent`. Anything else → `not_in_vocab`. Blank stays
    missing: the stage applies the register's blank default.
    """
    lookup = _vocab_lookup(vocab)
    d = _distinct(raw)
    keys = list(lookup)
    canon = pa.array([lookup[k] for k in keys], type=pa.large_string())
    # Most cells are already a plain spelling: one set look-up over the distinct values ...
    position = pc.index_in(pc.utf8_lower(d.text), value_set=pa.array(keys, type=pa.large_string()))
    values = pc.take(canon, position)
    # ... and only the distinct values that missed go through the full normalisation.
    missed = _np_bool(pc.is_null(values)) & ~d.missing
    if missed.any():
        rescued = [lookup.get(normalise_header(v)) for v in pc.filter(d.text, pa.array(missed)).to_pylist()]
        values = pc.replace_with_mask(values, pa.array(missed), pa.array(rescued, type=pa.large_string()))
    values = pc.if_else(pa.array(d.missing), _s(None), values)
    ok = _np_bool(pc.is_valid(values))
    return Parsed(_spread(d, values), _spread_error(d, _error_codes(d, ok, "not_in_vocab")))


# --- text -----------------------------------------------------------------------------------

def clean_text(raw: pd.Series, *, code: bool = False) -> Parsed:
    """Text cells → trimmed text (never an error).

    Rule (registers.md): "Text: trimmed; full-width → half-width for codes (customer code, part
    no, order no, complaint no)", and missing tokens are missing. Trimming removes Unicode
    whitespace at both ends (full-width spaces, no-break spaces, line breaks, zero-width
    characters); inside the text nothing changes. `code=True` also folds full-width letters,
    digits and punctuation (`ＰＯ－００１` → `PO-001`); case is kept.
    """
    d = _distinct(raw, fold=code)
    values = pc.if_else(pa.array(d.missing), _s(None), d.text)
    return Parsed(_spread(d, values), _spread_error(d, np.zeros(len(d), dtype=np.int8)))


# --- the year of a sheet --------------------------------------------------------------------

_YEAR_WITH_NIAN = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年")
# A year not glued to other digits, nor the edition of a standard ("ISO 9001:2015").
_YEAR_ALONE = re.compile(r"(?<![\d:：])((?:19|20)\d\d)(?!\d)")


def year_from_texts(texts: Iterable[str]) -> int | None:
    """The year a sheet's `10月3日` dates belong to.

    Rule (registers.md): "year taken from a four-digit year in the sheet's title rows or sheet
    name, e.g. `2026年10月顾客抱怨登录表`; with none there, the row is rejected".

    Looks at the texts in the order given (title rows, then the sheet name). A year written
    with 年 (`2026年`) is preferred to a bare one (`2026-10`, `Oct 2026`); a standard's edition
    after a colon (`ISO 9001:2015`) is not a year. Only 19xx and 20xx count. None if no text
    holds one.
    """
    texts = [t for t in texts if isinstance(t, str)]
    for pattern in (_YEAR_WITH_NIAN, _YEAR_ALONE):
        for text in texts:
            found = pattern.search(_fold_text(text))
            if found:
                return int(found.group(1))
    return None
