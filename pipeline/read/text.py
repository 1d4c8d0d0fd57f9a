"""CSV (and other delimited text) into a RawSheet.

registers.md: CSV files may be UTF-8 (with or without BOM) or GB18030/GBK; the encoding is
detected, not configured. We also take UTF-16 with a BOM (Excel's "Unicode text"), and a file
whose lines were saved in different encodings (an ERP export appended to by hand) is decoded line
by line rather than refused.

A delimited file is one sheet, and the sheet limits hold for it as for a workbook's (registers.md:
"a sheet whose used range goes beyond 1,048,576 rows or 200 columns is refused on its own"): the
used range is the extent of the fields holding a value, so the trailing empty fields that some
exports pad every line with do not count.
"""
from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd

from pipeline.read.model import RawSheet

SNIFF_BYTES = 64 * 1024
DELIMITERS = ",\t;|"


class TextDecodeError(ValueError):
    """The bytes are not text in any encoding we can tell."""


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding name) for CSV bytes, or TextDecodeError."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        raise TextDecodeError("binary")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            pass
    # Mixed: decode line by line, UTF-8 first, then GB18030; then the detector's best guess.
    lines = data.split(b"\n")
    out: list[str] = []
    mixed_ok = True
    for line in lines:
        for encoding in ("utf-8", "gb18030"):
            try:
                out.append(line.decode(encoding))
                break
            except UnicodeDecodeError:
                continue
        else:
            mixed_ok = False
            break
    if mixed_ok:
        return "\n".join(out), "mixed utf-8/gb18030"
    from charset_normalizer import from_bytes

    best = from_bytes(data[:1_000_000]).best()
    if best is None or best.encoding is None:
        raise TextDecodeError("unknown encoding")
    return data.decode(best.encoding, errors="replace"), best.encoding


def _delimiter(text: str) -> str:
    sample = text[:SNIFF_BYTES]
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def rows_to_frame(rows: list[list[str]]) -> pd.DataFrame:
    """Ragged rows of text into a rectangular frame of `str` columns (missing = NaN)."""
    width = max((len(r) for r in rows), default=0)
    if width == 0:
        return pd.DataFrame()
    padded = np.full((len(rows), width), None, dtype=object)
    for i, row in enumerate(rows):
        padded[i, : len(row)] = row
    frame = pd.DataFrame(padded)
    frame = frame.replace("", None)
    return frame.astype("str").where(frame.notna(), np.nan) if len(frame) else frame


def used_extent(rows: list[list[str]]) -> tuple[int, int]:
    """(rows, columns) of the used range: up to the last row and the last column holding a
    non-empty field."""
    last_row, last_col = 0, 0
    for i, row in enumerate(rows, start=1):
        for j in range(len(row), 0, -1):
            if row[j - 1] != "":
                last_row, last_col = i, max(last_col, j)
                break
    return last_row, last_col


def sheet_from_rows(rows: list[list[str]], file: str, sheet: str, first_row: int = 1) -> RawSheet:
    """Ragged rows of text as one RawSheet, or — beyond the sheet limits (200 columns,
    1,048,576 rows of used range, `safety.Limits`) — a refused one, without building its frame."""
    from pipeline.read.safety import Limits

    limits = Limits()
    if max((len(r) for r in rows), default=0) > limits.max_cols or len(rows) > limits.max_rows:
        used_rows, used_cols = used_extent(rows)
        if used_cols > limits.max_cols:
            return RawSheet(file, sheet, pd.DataFrame(), first_row, "refused.too_many_columns",
                            f"{used_cols} columns (limit {limits.max_cols})")
        if used_rows > limits.max_rows:
            return RawSheet(file, sheet, pd.DataFrame(), first_row, "refused.too_many_rows",
                            f"{used_rows} rows (limit {limits.max_rows})")
    return RawSheet(file=file, sheet=sheet, cells=rows_to_frame(rows), first_row=first_row)


def read_text_table(data: bytes, file: str) -> tuple[RawSheet, str]:
    """One delimited-text file as one RawSheet named "" (outputs.md), plus the encoding used;
    refused (`RawSheet.refused`) beyond the sheet limits."""
    text, encoding = decode_text(data)
    delimiter = _delimiter(text)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    return sheet_from_rows(rows, file, ""), encoding
