"""Raw sheet → typed frame of one register, with every rejected row and all its reasons.

Staging only renames, casts and normalises (the dbt "staging" layer): each mapped column is
parsed by its kind (`pipeline.stage.normalise`), blank defaults of registers.md are applied, and
the register's pandera model (`schemas/`) then checks the value rules lazily, so a row with two
problems is reported with both. Fully blank rows and form footers (制表: / 审核: / Prepared by) are
skipped and counted, never rejected. For every sheet: rows read = accepted + rejected + skipped.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow.compute as pc

from pipeline.read.header import Classification
from pipeline.read.model import RawSheet
from pipeline.registers import PROVENANCE, REGISTERS, Column, Register
from pipeline.stage import normalise as nz

REJECT_COLUMNS = ("file", "sheet", "row", "register", "column", "value", "reason")

# A form's footer: a sign-off label followed by a colon, in the first non-empty cell of the row.
FOOTER = re.compile(
    r"^\s*(制表|制表人|审核|审核人|批准|核准|编制|复核|确认|Prepared\s*by|Checked\s*by|Approved\s*by|"
    r"Reviewed\s*by|Made\s*by)\s*[:：]", re.IGNORECASE)

KIND_DTYPES = {"text": "str", "code": "str", "vocab": "str", "month": "str", "round": "str",
               "int": "Int64", "number": "float64", "score": "float64", "bool": "boolean",
               "date": "datetime64[ns]", "datetime": "datetime64[ns]"}

# pandera check name (prefix) → our reason code
CHECK_REASONS = (
    ("not_nullable", "missing_required"),
    ("greater_than_or_equal_to(0)", "negative"),
    ("greater_than_or_equal_to", "below_min"),
    ("greater_than", "not_positive"),
    ("less_than_or_equal_to", "above_max"),
    ("isin", "not_in_vocab"),
    ("str_matches", "bad_format"),
)


@dataclass
class StagedSheet:
    file: str
    sheet: str
    register: str
    frame: pd.DataFrame          # accepted rows: canonical columns + _file, _sheet, _row
    rejects: pd.DataFrame        # one row per (Excel row, column, reason)
    rows_read: int
    skipped: int

    @property
    def accepted(self) -> int:
        return len(self.frame)

    @property
    def rejected(self) -> int:
        return int(self.rejects["row"].nunique()) if len(self.rejects) else 0


def empty_rejects() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="int64" if c == "row" else "str") for c in REJECT_COLUMNS})


def empty_register_frame(register: Register) -> pd.DataFrame:
    cols = {c.name: pd.Series(dtype=KIND_DTYPES[c.kind]) for c in register.columns}
    cols.update({"_file": pd.Series(dtype="str"), "_sheet": pd.Series(dtype="str"),
                 "_row": pd.Series(dtype="int64")})
    return pd.DataFrame(cols)


def _as_text(col: pd.Series) -> pd.Series:
    return col if col.dtype == "str" else col.astype("str").where(col.notna(), np.nan)


def _filled(col: pd.Series) -> np.ndarray:
    """Cells holding something other than whitespace (pyarrow kernels: no Python per cell)."""
    array = col.array
    chunks = getattr(array, "_pa_array", None)
    if chunks is None:
        return col.str.contains(r"\S", regex=True).fillna(False).to_numpy(dtype=bool)
    trimmed = pc.utf8_trim_whitespace(chunks)
    return pc.fill_null(pc.greater(pc.utf8_length(trimmed), 0), False).to_numpy(zero_copy_only=False)


def _row_masks(data: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(non-blank, footer) masks, one column at a time: no row-wise work on a wide frame.

    A footer's sign-off label must be the row's first non-empty cell, so the footer pattern is
    only tried on the cells that are their row's first (nearly all in the first column, few after).
    """
    n = len(data)
    non_blank = np.zeros(n, dtype=bool)
    footer = np.zeros(n, dtype=bool)
    for pos in data.columns:
        col = _as_text(data[pos])
        filled = _filled(col)
        first = filled & ~non_blank
        if first.any():
            starts = col[first].str.match(FOOTER).fillna(False).to_numpy(dtype=bool)
            footer[np.flatnonzero(first)[starts]] = True
        non_blank |= filled
    return non_blank, footer


def _parse(column: Column, raw: pd.Series, *, dayfirst: bool, default_year: int | None) -> nz.Parsed:
    kind = column.kind
    if kind == "text":
        return nz.clean_text(raw)
    if kind == "code":
        return nz.clean_text(raw, code=True)
    if kind in ("date", "datetime"):
        return nz.parse_date(raw, dayfirst=dayfirst, default_year=default_year, keep_time=kind == "datetime")
    if kind == "int":
        return nz.parse_number(raw, integer=True)
    if kind in ("number", "score"):
        return nz.parse_number(raw)
    if kind == "bool":
        return nz.parse_bool(raw)
    if kind == "vocab":
        vocab = {canon: (canon, *spellings) for canon, spellings in column.vocab.items()}
        return nz.parse_vocab(raw, vocab)
    if kind == "month":
        return nz.parse_month(raw, dayfirst=dayfirst)
    if kind == "round":
        return nz.parse_round(raw)
    raise ValueError(f"unknown column kind {kind!r}")


def _as_dtype(values: pd.Series, kind: str) -> pd.Series:
    dtype = KIND_DTYPES[kind]
    if dtype.startswith("datetime64"):
        return pd.to_datetime(values, errors="coerce").astype("datetime64[ns]")
    if dtype == "str":
        return values.astype("str").where(values.notna(), np.nan) if len(values) else values.astype("str")
    return values.astype(dtype)


def _check_reason(check: str) -> str:
    for prefix, reason in CHECK_REASONS:
        if check.startswith(prefix):
            return reason
    return check


@functools.lru_cache(maxsize=None)
def _schema(register_name: str, scale_max: float) -> pa.DataFrameSchema:
    import schemas
    from schemas.survey_returns import survey_schema

    if register_name == "survey_returns":
        return survey_schema(scale_max)
    return schemas.SCHEMAS[register_name].to_schema()


def _schema_failures(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """(index, column, reason) for every value-rule failure of the typed frame."""
    from schemas import CHECK_COLUMNS

    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return pd.DataFrame({"index": pd.Series(dtype="int64"), "column": pd.Series(dtype="str"),
                             "reason": pd.Series(dtype="str")})
    cases = cases[cases["index"].notna()]
    is_frame_check = cases["schema_context"].eq("DataFrameSchema")
    column_cases = cases[~is_frame_check]
    frame_cases = cases[is_frame_check].drop_duplicates(["index", "check"])
    out = pd.concat([
        pd.DataFrame({"index": column_cases["index"].astype("int64"),
                      "column": column_cases["column"].astype(str),
                      "reason": column_cases["check"].astype(str).map(_check_reason)}),
        pd.DataFrame({"index": frame_cases["index"].astype("int64"),
                      "column": frame_cases["check"].astype(str).map(CHECK_COLUMNS).fillna(""),
                      "reason": frame_cases["check"].astype(str)}),
    ], ignore_index=True)
    return out


def fill_merged_down(data: pd.DataFrame, raw: RawSheet, data_start: int) -> pd.DataFrame:
    """`data` (the sheet's rows from `data_start` on) with each vertically merged data cell's value
    given to the rows below it that the merge covers.

    Excel shows a cell merged over C2:C4 on all three rows, but the file holds the value in C2
    only. A merge counts when it is one column wide, at least two rows high and starts at or below
    the first data row (merges in the title and header rows are the header logic's business). A
    covered cell is filled only when it is blank and its row holds something else: a row that is
    blank apart from the merge stays a blank row (skipped, not rejected). Work is per merge and per
    column (one pyarrow `take`), never per cell.
    """
    if not raw.merged or data.empty:
        return data
    top = raw.first_row + data_start                 # Excel row of data's row 0
    n, width = data.shape
    spans: dict[int, list[tuple[int, int]]] = {}     # column position → [(first, last)] data rows
    for first_row, first_col, last_row, last_col in raw.merged:
        if first_col != last_col or last_row <= first_row or first_row < top:
            continue
        pos = first_col - raw.first_col
        first, last = first_row - top, min(last_row - top, n - 1)
        if 0 <= pos < width and first < last:
            spans.setdefault(pos, []).append((first, last))
    if not spans:
        return data
    covered = np.zeros(n, dtype=bool)
    for ranges in spans.values():
        for first, last in ranges:
            covered[first + 1:last + 1] = True
    rows = np.flatnonzero(covered)
    sub = data.iloc[rows]
    filled_sub = [_filled(_as_text(sub.iloc[:, pos])) for pos in range(width)]
    count = np.sum(filled_sub, axis=0)
    at = np.full(n, -1, dtype=np.int64)
    at[rows] = np.arange(len(rows))
    data = data.copy(deep=False)
    for pos, ranges in spans.items():
        wanted = (count - filled_sub[pos] > 0) & ~filled_sub[pos]       # blank here, not elsewhere
        source = np.arange(n)
        for first, last in ranges:
            span = np.arange(first + 1, last + 1)
            take = wanted[at[span]]
            source[span[take]] = first
        if (source != np.arange(n)).any():
            col = data.iloc[:, pos]
            data.isetitem(pos, pd.Series(col.array.take(source), index=col.index, name=col.name))
    return data


def stage_sheet(raw: RawSheet, cls: Classification, *, dayfirst: bool = False,
                scale_max: float = 100.0) -> StagedSheet:
    """Type, normalise and validate the rows of one classified sheet."""
    register = REGISTERS[cls.register]
    data = raw.cells.iloc[cls.data_start:].reset_index(drop=True)
    data = fill_merged_down(data, raw, cls.data_start)
    non_blank, footer = _row_masks(data)
    last = int(np.flatnonzero(non_blank)[-1]) + 1 if non_blank.any() else 0
    data, non_blank, footer = data.iloc[:last], non_blank[:last], footer[:last]
    rows_read = last
    excel_rows = raw.first_row + cls.data_start + np.arange(rows_read, dtype="int64")
    keep = non_blank & ~footer
    skipped = int(rows_read - keep.sum())

    cand = data.loc[keep].reset_index(drop=True)
    rows = excel_rows[keep]
    default_year = nz.year_from_texts([*cls.title_texts, raw.sheet])
    n = len(cand)
    typed: dict[str, pd.Series] = {}
    reject_parts: list[pd.DataFrame] = []
    parse_failed: set[tuple[int, str]] = set()
    for column in register.columns:
        pos = cls.mapping.get(column.name)
        raw_col = cand[pos] if pos is not None else pd.Series([np.nan] * n, dtype="str")
        raw_col = _as_text(raw_col)
        parsed = _parse(column, raw_col, dayfirst=dayfirst, default_year=default_year)
        values = parsed.values
        if column.blank is not None:
            values = values.where(~nz.is_missing(raw_col) | values.notna(), column.blank) \
                if values.dtype != "boolean" else values.fillna(column.blank)
        typed[column.name] = _as_dtype(values, column.kind)
        bad = parsed.error.fillna("").astype(str).ne("")
        if bad.any():
            idx = np.flatnonzero(bad.to_numpy())
            parse_failed.update((int(i), column.name) for i in idx)
            reject_parts.append(pd.DataFrame({
                "index": idx, "column": column.name,
                "reason": parsed.error.to_numpy()[idx].astype(str)}))
    frame = pd.DataFrame(typed, index=pd.RangeIndex(n))
    failures = _schema_failures(frame, _schema(register.name, scale_max))
    if parse_failed and len(failures):
        # A value that could not be parsed is reported once, as such: not again as "missing".
        key = list(zip(failures["index"].tolist(), failures["column"].tolist()))
        failures = failures[[k not in parse_failed for k in key]]
    reject_parts.append(failures)
    rejects_idx = pd.concat(reject_parts, ignore_index=True) if reject_parts else pd.DataFrame()
    rejects = _rejects_table(rejects_idx, cand, cls, raw, register, rows)
    rejected_idx = np.unique(rejects_idx["index"].to_numpy().astype("int64")) if len(rejects_idx) else np.array([], "int64")
    accepted = frame.drop(index=rejected_idx)
    accepted = accepted.assign(_file=raw.file, _sheet=raw.sheet,
                               _row=rows[accepted.index.to_numpy()].astype("int64"))
    accepted = accepted.reset_index(drop=True)
    assert list(accepted.columns[-3:]) == list(PROVENANCE)
    return StagedSheet(raw.file, raw.sheet, register.name, accepted, rejects, rows_read, skipped)


#: a canonical column → the other column that gives the same field (the customer: code or name)
_SAME_FIELD = {"customer_name": "customer_code", "customer_code": "customer_name"}


def _rejects_table(found: pd.DataFrame, cand: pd.DataFrame, cls: Classification, raw: RawSheet,
                   register: Register, rows: np.ndarray) -> pd.DataFrame:
    if found.empty:
        return empty_rejects()
    found = found.drop_duplicates(["index", "column", "reason"]).sort_values(["index", "column", "reason"])
    idx = found["index"].to_numpy().astype("int64")
    cols = found["column"].tolist()
    # a check on "the customer" (code or name) names whichever customer column the sheet has
    positions = [cls.mapping.get(c, cls.mapping.get(_SAME_FIELD.get(c, ""))) for c in cols]
    headers = [cls.headers.get(p, c) if p is not None else (c or "") for p, c in zip(positions, cols)]
    values = []
    for i, p in zip(idx, positions):
        v = cand.iat[i, p] if p is not None and p < cand.shape[1] else None
        values.append("" if v is None or (isinstance(v, float) and v != v) else str(v))
    return pd.DataFrame({
        "file": raw.file, "sheet": raw.sheet, "row": rows[idx].astype("int64"),
        "register": register.name, "column": headers, "value": values,
        "reason": found["reason"].astype(str).to_numpy(),
    }).reset_index(drop=True)


def reject_whole_sheet(raw: RawSheet, cls: Classification, reason: str, column: str = "") -> StagedSheet:
    """A sheet that cannot be used (e.g. two columns for one field): every data row rejected, so
    the loss is visible and counted rather than silent."""
    register = REGISTERS[cls.register]
    data = raw.cells.iloc[cls.data_start:].reset_index(drop=True)
    non_blank, footer = _row_masks(data)
    rows_read = int(np.flatnonzero(non_blank)[-1]) + 1 if non_blank.any() else 0
    non_blank = (non_blank & ~footer)[:rows_read]
    rows = raw.first_row + cls.data_start + np.arange(rows_read, dtype="int64")
    bad_rows = rows[non_blank]
    rejects = pd.DataFrame({"file": raw.file, "sheet": raw.sheet, "row": bad_rows, "register": register.name,
                            "column": column, "value": "", "reason": reason})
    return StagedSheet(raw.file, raw.sheet, register.name, empty_register_frame(register),
                       rejects if len(rejects) else empty_rejects(), rows_read,
                       int(rows_read - len(bad_rows)))
