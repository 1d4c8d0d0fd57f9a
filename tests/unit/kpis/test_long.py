"""kpis_long.csv (outputs.md): BOM, column order, number formatting, order, OWASP prefix, and the
same bytes on a rerun."""
from __future__ import annotations

import csv
import io
import math

import pandas as pd
import pytest

from pipeline.kpis.base import long_frame
from pipeline.kpis.long import format_number, neutralise_text, sort_long, write_kpis_long

HEADER = "period,kpi,scope,key,value,numerator,denominator,target,status,label"


def one(**fields) -> pd.DataFrame:
    """One long row from scalars."""
    return long_frame(**{k: [v] for k, v in fields.items()})


def sample() -> pd.DataFrame:
    return pd.concat([
        one(period="2026-10", kpi="otd_pct", scope="customer", key="C2", value=25.0,
                   numerator=1, denominator=4),
        one(period="2026-09", kpi="otd_pct", scope="company", key="", value=math.nan,
                   numerator=0, denominator=0),
        one(period="2026-10", kpi="otd_pct", scope="company", key="", value=1 / 3 * 100,
                   numerator=1, denominator=3),
        one(period="2026", kpi="scorecard_annual", scope="company", key="", value=88.5,
                   label="no_survey"),
        one(period="2026-10", kpi="otd_pct", scope="customer", key="=HYPERLINK(\"x\")", value=-3.5),
        one(period="2026H1", kpi="survey_score", scope="customer", key="C1", value=95.0,
                   label="very satisfied"),
        one(period="2026-10", kpi="complaints", scope="category", key="A", value=2.0),
    ], ignore_index=True)


def read(path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("value, text", [
    (25.0, "25"),                           # whole numbers without ".0"
    (0.0, "0"),
    (-0.0, "0"),
    (150000.0, "150000"),                   # no thousands separators
    (123456789012.0, "123456789012"),
    (1e16, "10000000000000000"),            # positional, not 1e+16
    (0.1, "0.1"),
    (33.333333333333336, "33.333333333333336"),   # shortest text that reads back as the same float
    (1 / 3, "0.3333333333333333"),
    (1e-05, "0.00001"),                     # not 1e-05
    (2.5e-07, "0.00000025"),
    (-3.5, "-3.5"),
    (math.nan, ""),
])
def test_number_format(value, text):
    assert format_number(value) == text
    if text:
        assert float(text) == value         # full precision: it reads back exactly


def test_infinity_is_refused():
    with pytest.raises(ValueError):
        format_number(math.inf)


@pytest.mark.parametrize("text, written", [
    ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
    ("+86 21", "'+86 21"),
    ("-C9", "'-C9"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tC1", "'\tC1"),
    ("\rC1", "'\rC1"),
    ("C-1", "C-1"),                         # only a leading character matters
    ("示例客户", "示例客户"),
    ("", ""),
])
def test_text_neutralised(text, written):
    assert neutralise_text(text) == written


def test_file(tmp_path):
    path = tmp_path / "kpis_long.csv"
    write_kpis_long(sample(), path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf" + HEADER.encode() + b"\n")          # BOM, header, \n
    assert b"\r\n" not in raw and raw.endswith(b"\n")
    rows = read(path)
    assert rows[0] == HEADER.split(",")
    # sorted by period, kpi, scope, key (text by code point: "2026" < "2026-09" < "2026-10" < "2026H1")
    assert [r[:4] for r in rows[1:]] == [
        ["2026", "scorecard_annual", "company", ""],
        ["2026-09", "otd_pct", "company", ""],
        ["2026-10", "complaints", "category", "A"],
        ["2026-10", "otd_pct", "company", ""],
        ["2026-10", "otd_pct", "customer", "'=HYPERLINK(\"x\")"],       # "=" (U+003D) sorts before "C"
        ["2026-10", "otd_pct", "customer", "C2"],
        ["2026H1", "survey_score", "customer", "C1"],
    ]
    assert rows[1][4:] == ["88.5", "", "", "", "", "no_survey"]
    assert rows[2][4:] == ["", "0", "0", "", "", ""]                  # no value: empty, never 0
    assert rows[4][4:7] == ["33.33333333333333", "1", "3"]            # 1/3 × 100 as a float, every digit
    assert rows[5][4] == "-3.5"                                       # a negative number is not prefixed
    assert rows[6][4:7] == ["25", "1", "4"]
    assert rows[7][9] == "very satisfied"


def test_byte_identical_on_rerun_whatever_the_row_order(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    df = sample()
    write_kpis_long(df, a)
    write_kpis_long(df.sample(frac=1.0, random_state=7).reset_index(drop=True), b)
    assert a.read_bytes() == b.read_bytes()
    write_kpis_long(df, b)
    assert a.read_bytes() == b.read_bytes()


def test_sort_is_total():
    # two rows equal on period, kpi, scope, key: the value decides, so the order is fixed
    df = pd.concat([one(period="2026-10", kpi="x", scope="company", value=2.0),
                    one(period="2026-10", kpi="x", scope="company", value=1.0)], ignore_index=True)
    assert sort_long(df)["value"].tolist() == [1.0, 2.0]
    assert sort_long(df.iloc[::-1])["value"].tolist() == [1.0, 2.0]


def test_text_with_comma_quote_and_newline_is_quoted(tmp_path):
    path = tmp_path / "k.csv"
    df = one(period="2026-10", kpi="complaints", scope="customer", key='Acme, "Ltd"\nSH', value=1.0)
    write_kpis_long(df, path)
    assert read(path)[1][3] == 'Acme, "Ltd"\nSH'


def test_file_writes_every_number_as_format_number(tmp_path):
    # whole numbers are written in one step for the whole column, the others one by one: every
    # one of them as format_number writes it
    values = [25.0, 0.0, -0.0, 150000.0, 123456789012.0, 1e16, 2.0**53, 2.0**53 + 2, 1e20, -1e20,
              0.1, 1 / 3, 1e-05, 2.5e-07, -3.5, 12.5, 5e-324]
    df = pd.concat([one(period="2026-10", kpi="x", scope="company", key=f"k{i:02d}", value=v,
                        numerator=-v, denominator=math.nan) for i, v in enumerate(values)], ignore_index=True)
    path = tmp_path / "k.csv"
    write_kpis_long(df, path)
    rows = read(path)[1:]
    assert [r[4] for r in rows] == [format_number(v) for v in values]
    assert [r[5] for r in rows] == [format_number(-v) for v in values]
    assert {r[6] for r in rows} == {""}
