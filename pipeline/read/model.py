"""What a reader hands on: every cell as text, with where it came from."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd


@dataclass
class RawSheet:
    """One sheet's cells as text (pandas `str`, missing = NaN), columns numbered 0..n-1.

    `first_row` is the Excel row number of `cells`' first row: the fast readers trim leading
    empty rows, and the data-quality report must show row numbers as Excel shows them.
    `first_col` is the Excel column number (A = 1) of `cells`' column 0: fastexcel trims leading
    empty columns too. `merged` holds the sheet's merged ranges as (first_row, first_col, last_row,
    last_col), 1-based Excel numbers (.xlsx only: () for CSV, HTML and .xls); staging gives a
    vertically merged data cell's value to every row it covers.
    """
    file: str
    sheet: str
    cells: pd.DataFrame
    first_row: int = 1
    refused: str = ""            # i18n key when this sheet alone is refused (size limits)
    refused_detail: str = ""
    merged: tuple[tuple[int, int, int, int], ...] = ()
    first_col: int = 1


@dataclass
class FileRead:
    """The outcome of reading one file: its readable sheets, or why it could not be read."""
    file: str
    status: str                                  # "read" | "failed"
    reason: str = ""                             # i18n key when failed
    detail: str = ""                             # extra words for the reason (never a password)
    sheets: list[RawSheet] = field(default_factory=list)
    hidden_sheets: list[str] = field(default_factory=list)
    modified: datetime | None = None             # the workbook's own modification time, else the file's
    seconds: float = 0.0
    encrypted: bool = False                      # decrypted with a password: never cached
