"""Workbooks into RawSheets with the fast Rust reader.

Cell values come from fastexcel straight into Arrow, every column as text (`dtypes="string"`):
one uniform representation that staging then parses column by column, vectorised. An Excel date
cell arrives as `2026-10-03 00:00:00`, a number as `12` or `1.5`, a boolean as `true`.

What the value reader cannot tell us — which sheets are hidden, the Excel row number of the first
row it returns (it trims leading empty rows), the workbook's own modification time — comes from
the safety inspection of the workbook's parts (`pipeline/read/safety.py`), never by loading the
cell values a second time with a slower reader.
"""
from __future__ import annotations

import io

import pandas as pd

from pipeline.read.model import RawSheet

def _frame(sheet) -> pd.DataFrame:
    frame = sheet.to_pandas()
    frame.columns = range(frame.shape[1])
    return frame


def _first_col(loaded) -> int:
    """Excel column number (A = 1) of the loaded sheet's column 0: fastexcel drops leading empty
    columns and says where each column it kept sits (`absolute_index`, 0-based)."""
    columns = loaded.available_columns()
    return columns[0].absolute_index + 1 if columns else 1


def read_workbook_cells(data: bytes, file: str, first_rows: dict[str, int] | None = None,
                        skip_sheets: dict[str, tuple[str, str]] | None = None,
                        merged: dict[str, tuple[tuple[int, int, int, int], ...]] | None = None
                        ) -> tuple[list[RawSheet], list[str]]:
    """(visible sheets as RawSheets, names of hidden sheets) of an .xlsx/.xlsm/.xls workbook.

    `first_rows` maps a sheet name to the Excel row number of its first used row when the caller
    already knows it (from the safety inspection of the XML); otherwise python-calamine tells us.
    `skip_sheets` maps a sheet name to the (i18n key, detail) it was refused for: it is listed,
    not loaded. `merged` maps a sheet name to its merged ranges (from the same inspection of an
    .xlsx); the value reader does not report them.
    """
    import fastexcel
    import python_calamine

    calamine_book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    metadata = calamine_book.sheets_metadata
    reader = fastexcel.read_excel(data)
    sheets: list[RawSheet] = []
    hidden: list[str] = []
    skip_sheets = skip_sheets or {}
    for meta in metadata:
        name = meta.name
        if str(meta.typ).endswith("WorkSheet") is False:
            continue  # chart sheets, dialog sheets: no cells
        if not str(meta.visible).endswith("Visible"):
            hidden.append(name)
            continue
        if name in skip_sheets:
            key, detail = skip_sheets[name]
            sheets.append(RawSheet(file, name, pd.DataFrame(), 1, key, detail))
            continue
        first_row = (first_rows or {}).get(name)
        if first_row is None:
            start = calamine_book.get_sheet_by_name(name).start
            first_row = (start[0] + 1) if start else 1
        loaded = reader.load_sheet(name, header_row=None, dtypes="string")
        sheets.append(RawSheet(file, name, _frame(loaded), first_row,
                               merged=(merged or {}).get(name, ()), first_col=_first_col(loaded)))
    return sheets, hidden


def read_legacy_xls_cells(data: bytes, file: str) -> tuple[list[RawSheet], list[str]]:
    """BIFF2–BIFF5 workbooks (Excel 3.0–95) that python-calamine cannot detect, through xlrd."""
    import xlrd

    # xlrd prints its warnings ("WARNING *** OLE2 inconsistency", "No CODEPAGE record") to stdout
    # unless given a log file: the analyst's console shows our messages only
    book = xlrd.open_workbook(file_contents=data, on_demand=True, logfile=io.StringIO())
    sheets: list[RawSheet] = []
    hidden: list[str] = []
    for index in range(book.nsheets):
        sheet = book.sheet_by_index(index)
        if getattr(sheet, "visibility", 0):
            hidden.append(sheet.name)
            continue
        rows: list[list[str | None]] = []
        for r in range(sheet.nrows):
            row: list[str | None] = []
            for cell in sheet.row(r):
                row.append(_xlrd_text(cell, book.datemode))
            rows.append(row)
        from pipeline.read.text import rows_to_frame

        frame = rows_to_frame([[v if v is not None else "" for v in row] for row in rows])
        # xlrd keeps leading empty rows, so its first row is Excel row 1.
        sheets.append(RawSheet(file, sheet.name, frame, 1))
    return sheets, hidden


def _xlrd_text(cell, datemode: int) -> str | None:
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, datemode).isoformat(sep=" ")
        except (ValueError, OverflowError):
            return repr(cell.value)
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        value = float(cell.value)
        return str(int(value)) if value.is_integer() else repr(value)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "true" if cell.value else "false"
    return str(cell.value)
