"""The machine-readable KPI table, `kpis_long.csv` (outputs.md).

"UTF-8 with BOM (so Excel shows Chinese correctly), comma-separated, one header row, these columns
in this order: `period,kpi,scope,key,value,numerator,denominator,target,status,label` … `value`: a
plain number, full precision (no thousands separators, no `%`), empty when there is no value …
Rows are sorted by `period, kpi, scope, key`; the same inputs and settings give a byte-identical
file."

Numbers are written as the shortest text that reads back as the same float (Python's `repr`),
in positional notation (never `1e-05`), whole numbers without `.0`. Text fields that a
spreadsheet would take for a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return)
get a leading `'` (OWASP CSV injection); numbers never do, so `-3.5` stays a number.
"""
from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.kpis.base import LONG_COLUMNS

__all__ = ["csv_fields", "format_number", "neutralise_text", "restore_long_text", "restore_text",
           "sort_long", "write_kpis_long"]

NUMBER_COLUMNS = ("value", "numerator", "denominator", "target")
TEXT_COLUMNS = ("period", "kpi", "scope", "key", "status", "label")
_SORT_KEYS = ("period", "kpi", "scope", "key", "label", "status",
              "value", "numerator", "denominator", "target")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CSV_SPECIAL = ('"', ",", "\r", "\n")                 # a field holding any of these is quoted


def sort_long(df: pd.DataFrame) -> pd.DataFrame:
    """Rows in a total order: period, kpi, scope, key (as outputs.md fixes), then label, status,
    value, numerator, denominator, target as tie-breakers, so that a file is deterministic
    whatever order the KPI modules produced. Text sorts by code point (no locale); missing
    numbers sort last. The columns come out in the `kpis_long.csv` order."""
    out = df[list(LONG_COLUMNS)]
    return out.sort_values(list(_SORT_KEYS), kind="mergesort", na_position="last").reset_index(drop=True)


def format_number(x: float) -> str:
    """A float as kpis_long.csv writes it: "" for NaN; whole numbers without ".0"; otherwise the
    shortest round-trip digits, positional (no exponent). Infinity is a bug upstream (every ratio
    has a guarded denominator) and raises rather than print a wrong number."""
    if x is None or (isinstance(x, float) and math.isnan(x)) or pd.isna(x):
        return ""
    x = float(x)
    if math.isinf(x):
        raise ValueError("an infinite KPI value cannot be written to kpis_long.csv")
    if x.is_integer():
        return str(int(x))
    text = repr(x)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text


def neutralise_text(text: str) -> str:
    """A text field safe to open in a spreadsheet: a leading `'` when it starts like a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def restore_text(text: str) -> str:
    """The text `neutralise_text` was given: a leading `'` before a formula character removed.

    (A text that itself began with `'` and a formula character cannot be told apart from a
    neutralised one; it loses its quote. No customer code or name in practice.)"""
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text


def restore_long_text(df: pd.DataFrame) -> pd.DataFrame:
    """A long KPI table read back from a kpis_long.csv, with its text fields as the KPI modules
    produced them (`restore_text`): a previous run's keys compare equal to this run's."""
    out = {}
    for col in TEXT_COLUMNS:
        if col in df.columns:
            values = df[col].astype(object)
            quoted = values.astype("str").str.startswith("'").fillna(False).astype(bool)
            if quoted.any():
                out[col] = values.mask(quoted, values[quoted].map(restore_text))
    return df.assign(**out) if out else df


def _csv_field(text: str) -> str:
    """One text field as `csv_fields` writes a column of them (quoted when it holds a comma, a
    quote, a line feed or a carriage return)."""
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in _CSV_SPECIAL) else text


def csv_fields(values: pd.Series) -> pd.Series:
    """Text fields as a CSV file holds them: quoted (inner quotes doubled) when they contain a
    comma, a quote, a line feed or a carriage return, else as they are.

    This is the csv module's QUOTE_MINIMAL plus the carriage return: with "\\n" line ends the
    csv module leaves a lone "\\r" unquoted, and every spreadsheet and CSV reader takes it for the
    end of the row (a key "\\r=1+1", written "'\\r=1+1", split its row in two)."""
    text = values.astype(object).astype(str)
    needs = text.str.contains(r'[",\r\n]', regex=True)
    quoted = '"' + text.str.replace('"', '""', regex=False) + '"'
    return text.where(~needs, quoted)


def _column_fields(column: pd.Series, number: bool) -> pa.Array:
    """One column of the long table as its CSV fields: numbers by `format_number`, texts
    neutralised (`neutralise_text`, missing → "") and quoted where needed (`_csv_field`).

    Each distinct value is formatted once and the fields are spread back by position: a long
    table has a few thousand distinct values over hundreds of thousands of rows.
    """
    if number:
        which, distinct = pd.factorize(column.astype("float64"))      # no value: -1, written ""
        distinct = distinct.to_numpy()
        # whole numbers (most counts) as `format_number` writes them, str(int(x)), in one numpy
        # step; the others one by one. Digits, "-" and ".": never quoted.
        whole = np.isfinite(distinct) & (np.trunc(distinct) == distinct) & (np.abs(distinct) < 2.0**53)
        fields = distinct.astype(object)
        fields[whole] = distinct[whole].astype("int64").astype(str)
        fields[~whole] = [format_number(v) for v in distinct[~whole]]
        fields = fields.tolist()
    else:
        if not isinstance(column.dtype, pd.StringDtype):     # e.g. object: as str, the way pandas writes it
            column = column.astype(object).where(column.notna(), "").astype(str)
        which, distinct = pd.factorize(column)               # missing: -1, written ""
        fields = [_csv_field(neutralise_text(v)) for v in distinct]
    return pa.array([*fields, ""], type=pa.string()).take(np.where(which < 0, len(fields), which))


def write_kpis_long(df: pd.DataFrame, path: Path) -> None:
    """Write the long table to `path` as kpis_long.csv: UTF-8 with BOM, the ten columns in order,
    sorted (`sort_long`), numbers formatted by `format_number`, text fields neutralised, `\\n`
    line ends, quoting only where the CSV needs it (`csv_fields`). The same frame gives the same
    bytes."""
    rows = sort_long(df)
    lines = [",".join(LONG_COLUMNS)]
    if len(rows):
        fields = [_column_fields(rows[col], col in NUMBER_COLUMNS) for col in LONG_COLUMNS]
        # the rows joined by pyarrow's kernel: no Python string work per row
        lines.extend(pc.binary_join_element_wise(*fields, ",").to_pylist())
    with Path(path).open("w", encoding="utf-8-sig", newline="") as fh:
        fh.write("\n".join(lines) + "\n")
