"""Value normalisation: given raw cell text → expected typed value and reason code.

Rules: shared/spec/registers.md, "Value normalisation (all registers)" and the vocabularies.
Every expected value below is worked out by hand from those rules (arithmetic in comments).
"""
import time
from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from pipeline.i18n import TEXT
from pipeline.registers import REGISTERS
from pipeline.stage.normalise import (
    MISSING_TOKENS, REASON_CODES, Parsed, clean_text, is_missing, parse_bool, parse_date,
    parse_month, parse_number, parse_round, parse_vocab, year_from_texts,
)

NA = None


def text(values, index=None):
    """A column as the reader hands it over: pandas `str`, missing = NaN."""
    return pd.Series(values, dtype="str", index=index)


def one(parse, raw, **kw) -> tuple[object, str]:
    parsed = parse(text([raw]), **kw)
    value = parsed.values.iloc[0]
    return (None if pd.isna(value) else value), parsed.error.iloc[0]


# --- missing --------------------------------------------------------------------------------

MISSING = ["", " ", "\u3000", "\t\n", "-", "/", "N/A", "n/a", "NA", "na", "无", "—",
           "／", "－", "Ｎ／Ａ", " N/A ", "——", "#N/A"]


@pytest.mark.parametrize("raw", MISSING + [None])
@pytest.mark.parametrize("parse", [parse_number, parse_date, parse_bool, parse_month, parse_round,
                                   clean_text])
def test_missing_tokens_are_missing_without_error(parse, raw):
    assert one(parse, raw) == (None, "")


@pytest.mark.parametrize("raw", MISSING + [None])
def test_missing_tokens_are_missing_in_vocab_columns(raw):
    assert one(parse_vocab, raw, vocab={"A": ("a",)}) == (None, "")


@pytest.mark.parametrize("raw, expected", [
    *[(m, True) for m in MISSING], (None, True),
    ("0", False), ("x", False), ("-5", False), ("N/A2", False), ("无效", False),
])
def test_is_missing(raw, expected):
    assert is_missing(text([raw])).tolist() == [expected]


def test_missing_tokens_constant_holds_the_spec_list():
    assert {"", "-", "/", "N/A", "NA", "无", "—"} <= MISSING_TOKENS


# --- numbers --------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected, error", [
    ("12", 12.0, ""),
    ("1.5", 1.5, ""),
    ("1,234", 1234.0, ""),
    ("1,234,567.5", 1234567.5, ""),
    ("１２３", 123.0, ""),                   # full-width digits
    ("１，２３４．５", 1234.5, ""),           # full-width comma and point
    ("120pcs", 120.0, ""),
    ("120 PCS", 120.0, ""),
    ("120PCS", 120.0, ""),
    ("12.5 kg", 12.5, ""),
    ("1,200件", 1200.0, ""),
    ("100元", 100.0, ""),
    ("5 千克", 5.0, ""),                     # 千克 is a unit (kg), not a thousand
    ("¥1,200", 1200.0, ""),
    ("￥1,200", 1200.0, ""),                 # full-width yuan sign
    ("95%", 95.0, ""),                       # the % sign is a unit: a score typed 95% is 95
    ("-5", -5.0, ""),                        # negatives parse; the stage rejects them where ≥ 0
    ("+5", 5.0, ""),
    (".5", 0.5, ""),
    ("1e3", 1000.0, ""),                     # scientific notation is a number
    ("1.5E+03", 1500.0, ""),
    ("  42\u3000", 42.0, ""),
    ("约100", None, "bad_number"),           # text before the number
    ("abc", None, "bad_number"),
    ("1.2.3", None, "bad_number"),
    ("1,2", None, "bad_number"),             # thousands separators group by three
    ("12,34", None, "bad_number"),
    ("1 234", None, "bad_number"),
    ("100-200", None, "bad_number"),
    ("5万", None, "bad_number"),             # a magnitude, not a unit: never a silent 5
    ("1.5万元", None, "bad_number"),
    ("2千", None, "bad_number"),
    ("(5)", None, "bad_number"),
    ("120pcs(2箱)", None, "bad_number"),     # digits after the unit
    ("inf", None, "bad_number"),
    ("nan", None, "bad_number"),
    ("1e999", None, "bad_number"),           # overflows to infinity
    (".", None, "bad_number"),
    ("e5", None, "bad_number"),
])
def test_parse_number(raw, expected, error):
    assert one(parse_number, raw) == (expected, error)


@pytest.mark.parametrize("raw, expected, error", [
    ("3", 3, ""),
    ("3.0", 3, ""),
    ("1,200件", 1200, ""),
    ("１２３", 123, ""),
    ("-2", -2, ""),
    ("1e3", 1000, ""),
    ("110.00000000000001", 110, ""),         # a formula's float noise: within 1e-9 of 110
    ("3.5", None, "not_integer"),
    ("0.1", None, "not_integer"),
    ("12.5 kg", None, "not_integer"),
    ("abc", None, "bad_number"),
    ("1e17", None, "bad_number"),            # beyond 2**53 a float no longer holds every integer
])
def test_parse_number_integer(raw, expected, error):
    assert one(parse_number, raw, integer=True) == (expected, error)


def test_parse_number_dtypes_and_index():
    index = [10, 11, 12, 13]
    floats = parse_number(text(["1", None, "x", "2.5"], index=index))
    assert floats.values.dtype == "float64" and floats.error.dtype == "str"
    assert list(floats.values.index) == index and list(floats.error.index) == index
    assert floats.error.tolist() == ["", "", "bad_number", ""]
    ints = parse_number(text(["1", None, "x", "2.5"], index=index), integer=True)
    assert ints.values.dtype == "Int64"
    assert ints.values.tolist() == [1, pd.NA, pd.NA, pd.NA]
    assert ints.error.tolist() == ["", "", "bad_number", "not_integer"]


def test_parse_number_accepts_object_columns_and_lists():
    # A CSV reader or a test may hand over numbers that are not text yet.
    assert parse_number(pd.Series([1, 2.5, None], dtype=object)).values.tolist()[:2] == [1.0, 2.5]
    assert parse_number(["7"]).values.tolist() == [7.0]


# --- dates ----------------------------------------------------------------------------------

D = datetime

# Excel serials, 1900 date system. Serial 1 is 1900-01-01 and Excel counts a 29 February 1900
# that never was (serial 60), so from 1900-03-01 on a serial is the day count from 1899-12-30.
# 2025-01-01: 2 days (1899-12-30 → 1900-01-01) + 125 years × 365 + 31 leap days (1904 … 2024;
# 1900 is not one) = 2 + 45,625 + 31 = 45,658.
# 45935 = 45658 + 277 → the 278th day of 2025; Jan–Sep hold 31+28+31+30+31+30+31+31+30 = 273
# days → 5 October 2025 (not the 4th).
# 2026-10-03: 2026-01-01 is 45658 + 365 = 46023; 3 October is day 276 → 46023 + 275 = 46298.
# 0.604166666664 of a day × 86,400 s = 52,200 s = 14:30:00.
@pytest.mark.parametrize("raw, expected, error", [
    ("2026-10-03 00:00:00", D(2026, 10, 3), ""),      # an Excel date cell
    ("2026-10-03 14:30:00", D(2026, 10, 3), ""),      # an Excel date-time cell, date kept
    ("45935", D(2025, 10, 5), ""),
    ("46298", D(2026, 10, 3), ""),
    ("45935.604166666664", D(2025, 10, 5), ""),
    ("2026-10-03", D(2026, 10, 3), ""),
    ("2026/10/3", D(2026, 10, 3), ""),
    ("2026.10.3", D(2026, 10, 3), ""),
    ("2026-1-5", D(2026, 1, 5), ""),
    ("20261003", D(2026, 10, 3), ""),                 # eight digits: yyyymmdd, not a serial
    ("2026年10月3日", D(2026, 10, 3), ""),
    ("2026年10月3号", D(2026, 10, 3), ""),
    ("2026 年 10 月 3 日", D(2026, 10, 3), ""),
    ("２０２６－１０－０３", D(2026, 10, 3), ""),       # full-width
    ("2026-10-03 14:30", D(2026, 10, 3), ""),
    ("2026-10-03T14:30", D(2026, 10, 3), ""),
    ("3/10/2026", D(2026, 3, 10), ""),                # month first by default
    ("3-10-2026", D(2026, 3, 10), ""),
    ("3/10/26", D(2026, 3, 10), ""),                  # two-digit year: 20yy
    ("10月3日", None, "no_year"),                     # no default year given
    ("2月29日", None, "no_year"),                     # a day in leap years: still only no_year
    ("2月30日", None, "bad_date"),                    # no such day in any year
    ("2026-13-45", None, "bad_date"),
    ("2026-02-30", None, "bad_date"),
    ("2025-02-29", None, "bad_date"),                 # 2025 is not a leap year
    ("2024-02-29", D(2024, 2, 29), ""),
    ("2026-10-03 24:00", None, "bad_date"),
    ("2026-10-03 14:60", None, "bad_date"),
    ("25/10/2026", None, "bad_date"),                 # month first: month 25 does not exist
    ("2026-10", None, "bad_date"),                    # a month is not a day
    ("10/3", None, "bad_date"),
    ("26-10-03", None, "bad_date"),                   # yy-mm-dd or dd-mm-yy: not guessed
    ("1899-12-31", None, "bad_date"),                 # before the first day Excel holds
    ("next week", None, "bad_date"),
    ("2026年10月", None, "bad_date"),
    # serial edges
    ("1", D(1900, 1, 1), ""),
    ("59", D(1900, 2, 28), ""),
    ("60", None, "bad_date"),                         # Excel's 1900-02-29
    ("61", D(1900, 3, 1), ""),
    ("2958465", D(9999, 12, 31), ""),                 # Excel's last day
    ("2958466", None, "bad_date"),
    ("0", None, "bad_date"),
    ("-45935", None, "bad_date"),
])
def test_parse_date(raw, expected, error):
    assert one(parse_date, raw) == (expected, error)


@pytest.mark.parametrize("raw, expected", [
    ("3/10/2026", D(2026, 10, 3)),
    ("3.10.2026", D(2026, 10, 3)),
    ("3/10/26", D(2026, 10, 3)),
    ("25/10/2026", D(2026, 10, 25)),
    # ISO-like forms are never read day-first
    ("2026-10-03", D(2026, 10, 3)),
    ("2026/3/10", D(2026, 3, 10)),
])
def test_parse_date_dayfirst(raw, expected):
    assert one(parse_date, raw, dayfirst=True) == (expected, "")


@pytest.mark.parametrize("raw, expected, error", [
    ("10月3日", D(2026, 10, 3), ""),
    ("10月3号", D(2026, 10, 3), ""),
    ("2月29日", None, "bad_date"),                    # 2026 is not a leap year
    ("2025年2月1日", D(2025, 2, 1), ""),              # an explicit year wins
])
def test_parse_date_default_year(raw, expected, error):
    assert one(parse_date, raw, default_year=2026) == (expected, error)


@pytest.mark.parametrize("raw, expected", [
    ("2026-10-03 14:30", D(2026, 10, 3, 14, 30)),
    ("2026-10-03 14:30:15", D(2026, 10, 3, 14, 30, 15)),
    ("2026-10-03 14:30:15.250", D(2026, 10, 3, 14, 30, 15)),
    ("2026-10-03 00:00:00", D(2026, 10, 3)),          # no time of day: midnight
    ("2026-10-03", D(2026, 10, 3)),
    ("2026/10/3 8:05", D(2026, 10, 3, 8, 5)),
    ("2026年10月3日 14:30", D(2026, 10, 3, 14, 30)),
    ("2026年10月3日14时30分", D(2026, 10, 3, 14, 30)),
    ("2026年10月3日 9点05分", D(2026, 10, 3, 9, 5)),
    ("3/10/2026 14:30", D(2026, 3, 10, 14, 30)),
    ("45935.604166666664", D(2025, 10, 5, 14, 30)),   # see the serial arithmetic above
    ("45935.5", D(2025, 10, 5, 12, 0)),
])
def test_parse_date_keep_time(raw, expected):
    assert one(parse_date, raw, keep_time=True) == (expected, "")


def test_parse_date_dtype_and_index():
    parsed = parse_date(text(["2026-10-03", None, "x"], index=["a", "b", "c"]))
    assert str(parsed.values.dtype).startswith("datetime64")
    assert list(parsed.values.index) == ["a", "b", "c"]
    assert parsed.error.dtype == "str" and parsed.error.tolist() == ["", "", "bad_date"]


def test_parse_date_repeated_values_are_parsed_once_and_spread_back():
    raw = text(["2026-10-03", "x", "2026-10-03", None, "x", "45935"])
    parsed = parse_date(raw)
    assert parsed.values.tolist()[0] == parsed.values.tolist()[2] == pd.Timestamp(2026, 10, 3)
    assert parsed.error.tolist() == ["", "bad_date", "", "", "bad_date", ""]


# --- booleans -------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected, error", [
    ("是", True, ""), ("否", False, ""),
    ("Y", True, ""), ("N", False, ""), ("y", True, ""), ("n", False, ""),
    ("Yes", True, ""), ("No", False, ""), ("YES", True, ""), ("no", False, ""),
    ("√", True, ""), ("×", False, ""),
    ("✓", True, ""), ("✗", False, ""), ("✔", True, ""), ("✘", False, ""),
    ("1", True, ""), ("0", False, ""), ("1.0", True, ""), ("0.0", False, ""),
    ("OK", True, ""), ("NG", False, ""), ("ok", True, ""), ("ng", False, ""),
    ("true", True, ""), ("false", False, ""), ("TRUE", True, ""), ("False", False, ""),
    ("Ｙ", True, ""), (" 是 ", True, ""),
    ("2", None, "bad_bool"), ("maybe", None, "bad_bool"), ("是的", None, "bad_bool"),
    ("-1", None, "bad_bool"), ("1.5", None, "bad_bool"),
])
def test_parse_bool(raw, expected, error):
    assert one(parse_bool, raw) == (expected, error)


def test_parse_bool_dtype():
    parsed = parse_bool(text(["是", None, "x"]))
    assert parsed.values.dtype == "boolean"
    assert parsed.values.tolist() == [True, pd.NA, pd.NA]


# --- vocabularies ---------------------------------------------------------------------------

CATEGORY = REGISTERS["complaints"].column("category").vocab
SEVERITY = REGISTERS["complaints"].column("severity").vocab
ROOT_CAUSE = REGISTERS["complaints"].column("root_cause").vocab
SEGMENT = REGISTERS["customers"].column("segment").vocab
FEEDBACK_CATEGORY = REGISTERS["feedback"].column("category").vocab
SERVICE_TYPE = REGISTERS["service"].column("type").vocab


@pytest.mark.parametrize("vocab, raw, expected, error", [
    (CATEGORY, "A", "A", ""),
    (CATEGORY, "a", "A", ""),
    (CATEGORY, "a类", "A", ""),
    (CATEGORY, "A类", "A", ""),
    (CATEGORY, "Ａ", "A", ""),
    (CATEGORY, "ａ类", "A", ""),
    (CATEGORY, " b 类 ", "B", ""),
    (CATEGORY, "C類", "C", ""),                        # traditional 類
    (CATEGORY, "D", None, "not_in_vocab"),            # complaints know A–C only
    (FEEDBACK_CATEGORY, "D类", "D", ""),
    (SEVERITY, "紧急", "urgent", ""),
    (SEVERITY, "緊急", "urgent", ""),                 # traditional → simplified
    (SEVERITY, "急件", "urgent", ""),
    (SEVERITY, "High", "urgent", ""),
    (SEVERITY, "URGENT", "urgent", ""),               # the canonical value itself, any case
    (SEVERITY, "普通", "normal", ""),
    (SEVERITY, "一般", "normal", ""),
    (SEVERITY, "很急", None, "not_in_vocab"),
    (ROOT_CAUSE, "人", "man", ""),
    (ROOT_CAUSE, "人员", "man", ""),
    (ROOT_CAUSE, "设备", "machine", ""),
    (ROOT_CAUSE, "設備", "machine", ""),
    (ROOT_CAUSE, "测量", "measurement", ""),
    (ROOT_CAUSE, "material", "material", ""),
    (ROOT_CAUSE, "其他", None, "not_in_vocab"),
    (SEGMENT, "汽车", "automotive", ""),
    (SEGMENT, "non-auto", "non-automotive", ""),
    (SEGMENT, "Non-Automotive", "non-automotive", ""),
    (SERVICE_TYPE, "包换", "warranty_replace", ""),
    (SERVICE_TYPE, "warranty_return", "warranty_return", ""),
])
def test_parse_vocab(vocab, raw, expected, error):
    assert one(parse_vocab, raw, vocab=vocab) == (expected, error)


def test_parse_vocab_keeps_index_and_blank_stays_missing():
    parsed = parse_vocab(text(["A类", None, "", "Z"], index=[3, 1, 2, 0]), CATEGORY)
    assert list(parsed.values.index) == [3, 1, 2, 0]
    assert parsed.values.tolist()[0] == "A" and parsed.values.isna().tolist() == [False, True, True, True]
    assert parsed.error.tolist() == ["", "", "", "not_in_vocab"]


def test_a_spelling_with_two_meanings_is_a_catalogue_error():
    with pytest.raises(ValueError, match="means both"):
        parse_vocab(text(["x"]), {"a": ("甲",), "b": ("甲",)})


# --- months ---------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected, error", [
    ("2026-10", "2026-10", ""),
    ("2026/10", "2026-10", ""),
    ("2026年10月", "2026-10", ""),
    ("2026年10月份", "2026-10", ""),
    ("2026.10", "2026-10", ""),
    ("2026-1", "2026-01", ""),
    ("2026.1", "2026-01", ""),               # what Excel shows for a number cell typed 2026.10
    ("202610", "2026-10", ""),               # six digits: yyyymm
    ("10/2026", "2026-10", ""),
    ("2026-10-03 00:00:00", "2026-10", ""),  # an Excel date cell: any day of the month
    ("2026/10/31", "2026-10", ""),
    ("45935", "2025-10", ""),                # serial 45935 = 2025-10-05 (see the dates above)
    ("２０２６－１０", "2026-10", ""),
    ("2026", None, "bad_month"),             # a year is not a month (nor serial 2026 = 1905)
    ("2026-13", None, "bad_month"),
    ("202613", None, "bad_month"),
    ("10月", None, "bad_month"),
    ("10月3日", None, "bad_month"),          # no year to give it
    ("Q3", None, "bad_month"),
])
def test_parse_month(raw, expected, error):
    assert one(parse_month, raw) == (expected, error)


def test_parse_month_dayfirst_reaches_the_date_forms():
    # 3/10/2026 is March month-first, October day-first
    assert one(parse_month, "3/10/2026") == ("2026-03", "")
    assert one(parse_month, "3/10/2026", dayfirst=True) == ("2026-10", "")


# --- survey rounds --------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected, error", [
    ("2026H1", "2026H1", ""),
    ("2026 H1", "2026H1", ""),
    ("2026h1", "2026H1", ""),
    ("2026-H2", "2026H2", ""),
    ("2026上半年", "2026H1", ""),
    ("2026年上半年", "2026H1", ""),
    ("2026下半年", "2026H2", ""),
    ("2026年第3季度", "2026Q3", ""),
    ("2026第三季度", "2026Q3", ""),
    ("2026年3季度", "2026Q3", ""),
    ("2026Q3", "2026Q3", ""),
    ("2026 Q3", "2026Q3", ""),
    ("2026q4", "2026Q4", ""),
    ("2026年度", "2026", ""),
    ("2026年", "2026", ""),
    ("2026", "2026", ""),
    ("２０２６Ｈ１", "2026H1", ""),
    ("2026H3", None, "bad_round"),
    ("2026Q5", None, "bad_round"),
    ("2026年第5季度", None, "bad_round"),
    ("H1", None, "bad_round"),
    ("26H1", None, "bad_round"),
    ("1026H1", None, "bad_round"),           # before 1900: a typo, not a round
    ("2026-10-03", None, "bad_round"),
])
def test_parse_round(raw, expected, error):
    assert one(parse_round, raw) == (expected, error)


# --- text -----------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, code, expected", [
    ("  甲公司 ", False, "甲公司"),
    ("\u3000甲公司\n", False, "甲公司"),
    ("\ufeffABC\u200b", False, "ABC"),
    ("甲 公司", False, "甲 公司"),            # inside the text nothing changes
    ("ＰＯ－００１", False, "ＰＯ－００１"),     # text is not width-folded
    ("ＰＯ－００１", True, "PO-001"),          # codes are
    (" ＡＢ１２３ ", True, "AB123"),
    ("ab-1", True, "ab-1"),                  # case kept
    ("00123", True, "00123"),                # leading zeros kept
    ("=HYPERLINK(\"x\")", False, "=HYPERLINK(\"x\")"),
])
def test_clean_text(raw, code, expected):
    assert one(clean_text, raw, code=code) == (expected, "")


def test_clean_text_dtype():
    parsed = clean_text(text(["a", None, "-"]), code=True)
    assert parsed.values.dtype == "str" and parsed.values.isna().tolist() == [False, True, True]
    assert parsed.error.tolist() == ["", "", ""]


# --- the year of a sheet --------------------------------------------------------------------

@pytest.mark.parametrize("texts, expected", [
    (["2026年10月顾客抱怨登录表"], 2026),
    (["示例电子有限公司", "顾客抱怨事件登录表", "2026年度"], 2026),
    (["客诉 2025-10"], 2025),
    (["Complaints Oct 2026"], 2026),
    (["２０２６年１０月"], 2026),
    # a year written with 年 wins over a bare number elsewhere
    (["QR-2019-01", "2026年10月"], 2026),
    # the edition of a standard is not the sheet's year
    (["依据 ISO 9001:2015", "IATF 16949：2016"], None),
    (["ISO 9001:2015", "2026年10月"], 2026),
    (["Sheet1"], None),
    (["No. 120261003"], None),               # digits glued to digits are not a year
    (["1899年"], None),                      # 19xx / 20xx only
    ([], None),
    ([None, "2026年"], 2026),
])
def test_year_from_texts(texts, expected):
    assert year_from_texts(texts) == expected


# --- reasons in plain words ------------------------------------------------------------------

@pytest.mark.parametrize("code", REASON_CODES)
def test_every_reason_code_has_plain_words_in_both_languages(code):
    zh, en = TEXT[f"reason.{code}"]
    assert zh and en


def test_parsed_is_a_frozen_pair():
    parsed = parse_number(text(["1"]))
    assert isinstance(parsed, Parsed)
    with pytest.raises(AttributeError):
        parsed.values = None


# --- properties -----------------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=-10**12, max_value=10**12), min_size=1, max_size=20),
       st.sampled_from(["", " PCS", "件", "kg"]))
def test_property_grouped_integers_round_trip(numbers, unit):
    raw = text([f"{n:,}{unit}" for n in numbers])
    parsed = parse_number(raw, integer=True)
    assert parsed.values.tolist() == numbers
    assert (parsed.error == "").all()


DATE_FORMS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日",
              "%Y-%m-%d %H:%M", "%m/%d/%Y"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.datetimes(min_value=D(1950, 1, 1), max_value=D(2099, 12, 31)),
                min_size=1, max_size=20),
       st.sampled_from(DATE_FORMS))
def test_property_dates_round_trip_in_every_form(moments, form):
    raw = text([m.strftime(form) for m in moments])
    parsed = parse_date(raw)
    assert parsed.values.tolist() == [pd.Timestamp(m.date()) for m in moments]
    assert (parsed.error == "").all()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), min_size=1, max_size=10))
def test_property_any_text_gives_a_value_or_a_reason(values):
    raw = text(values)
    for parse in (parse_number, parse_date, parse_bool, parse_month, parse_round):
        parsed = parse(raw)
        assert len(parsed.values) == len(parsed.error) == len(values)
        failed = parsed.error != ""
        # an error never comes with a value, and a cell without a value is missing or an error
        assert parsed.values[failed].isna().all()
        assert (parsed.values.notna() | failed | is_missing(raw)).all()
        assert set(parsed.error) <= {"", *REASON_CODES}


NEAR_MISSES = "0123456789,.+-eE ¥$k件万%/:年月日号时分秒TQHh上下半第季度"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet=NEAR_MISSES, max_size=14), min_size=1, max_size=30))
def test_property_near_miss_text_never_breaks_a_parser(values):
    # Strings built from the very characters the patterns look for: every one must come out as a
    # value or a reason code, never as an exception from a cast.
    raw = text(values)
    for parse in (parse_number, parse_date, parse_month, parse_round):
        parsed = parse(raw)
        assert set(parsed.error) <= {"", *REASON_CODES}
        assert parsed.values[parsed.error != ""].isna().all()


# --- a million rows -------------------------------------------------------------------------

@pytest.mark.slow
def test_a_million_rows_parse_in_seconds():
    rng = np.random.default_rng(7)
    n = 1_000_000
    # Excel date cells (a few thousand distinct days) mixed with serials and typed forms
    days = pd.date_range("2020-01-01", periods=2500).strftime("%Y-%m-%d 00:00:00").to_numpy()
    typed = np.array(["46298", "2026/10/3", "2026年10月3日", "20261003", "x", "-"], dtype=object)
    dates = np.where(rng.random(n) < 0.95, rng.choice(days, n), rng.choice(typed, n))
    # quantities: plain numbers, thousands separators and units
    qty = np.where(rng.random(n) < 0.9, rng.integers(0, 50_000, n).astype(str),
                   np.char.add(rng.integers(0, 5_000, n).astype(str), " PCS"))
    date_column, qty_column = text(dates), text(qty)

    started = time.perf_counter()
    parsed_dates = parse_date(date_column)
    parsed_qty = parse_number(qty_column, integer=True)
    elapsed = time.perf_counter() - started

    assert elapsed < 5.0, f"{elapsed:.1f} s"
    # every "x" and only those is a bad date; "46298" is 2026-10-03 like the typed forms
    assert (parsed_dates.error == "bad_date").sum() == (dates == "x").sum()
    assert (parsed_dates.values == pd.Timestamp(2026, 10, 3)).sum() >= (
        np.isin(dates, typed[:4])).sum()
    assert (parsed_qty.error == "").all() and parsed_qty.values.notna().all()
