"""A data cell merged down over several rows gives its value to every row it covers (registers.md,
"What a run reads"): Excel shows 甲公司 on rows 2-4 of a C2:C4 merge, but the file holds it in C2
only. Merges in the title and header rows are left to the header logic.

Workbooks are written with xlsxwriter (`merge_range`) and openpyxl (`merge_cells`) and read end to
end through `pipeline.ingest.process_file`; the expected rows are worked out by hand beside them.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.discover import discover
from pipeline.ingest import StageOptions, process_file
from pipeline.read import read_file
from pipeline.read.header import classify
from pipeline.read.model import RawSheet
from pipeline.stage import fill_merged_down

OPTIONS = StageOptions(dayfirst=False, scale_max=100.0, headers={}, passwords={})
HEADER = ["客诉编号", "客诉日期", "客户名称", "类别", "不良数量"]
# Excel rows 2-7 of the complaint register; None = a cell left empty (covered by a merge)
ROWS = [
    ["K1", "2026-10-01", "甲公司", "A", 1],      # row 2: top of the customer merge C2:C4
    ["K2", "2026-10-02", None, "B", 2],           # row 3: customer from C2
    ["K3", "2026-10-03", None, "C", 3],           # row 4: customer from C2
    ["K4", "2026-10-04", "乙公司", "A", 4],       # row 5: top of the category merge D5:D6
    ["K5", "2026-10-05", "丙公司", None, 5],      # row 6: category from D5
    ["K6", "2026-10-06", "丁公司", "C", 6],       # row 7: no merge
]
MERGES = ["C2:C4", "D5:D6"]
# (complaint, customer, category, Excel row) of every accepted row
EXPECTED = [("K1", "甲公司", "A", 2), ("K2", "甲公司", "B", 3), ("K3", "甲公司", "C", 4),
            ("K4", "乙公司", "A", 5), ("K5", "丙公司", "A", 6), ("K6", "丁公司", "C", 7)]


def _shift(ref: str, cols: int, rows: int) -> str:
    """An A1 range moved right by `cols` columns and down by `rows` rows (columns A-Z only)."""
    def one(cell: str) -> str:
        return chr(ord(cell[0]) + cols) + str(int(cell[1:]) + rows)
    return ":".join(one(c) for c in ref.split(":"))


def _cell(ref: str) -> tuple[int, int]:
    """0-based (row, column) of an A1 reference (columns A-Z only)."""
    return int(ref[1:]) - 1, ord(ref[0]) - ord("A")


def write_register(path: Path, writer: str, *, header: list[list[str | None]] | None = None,
                   rows: list[list] = ROWS, merges: list[str] = MERGES, title: str | None = None,
                   col_offset: int = 0, extra_merges: tuple[str, ...] = ()) -> Path:
    """A complaint register: optional title row (merged across the table), header row(s), data
    rows. `merges` are given for a sheet whose header is row 1 at column A and move with it;
    `extra_merges` are placed as given. A merge shows the value of its top-left cell."""
    header = header or [HEADER]
    top = (1 if title else 0) + len(header) - 1          # rows added above the data
    grid: dict[tuple[int, int], object] = {}             # 0-based (row, col) → value
    if title:
        grid[(0, col_offset)] = title
    for r, line in enumerate(header):
        for c, text in enumerate(line):
            if text:
                grid[(r + (1 if title else 0), c + col_offset)] = text
    for r, line in enumerate(rows):
        for c, value in enumerate(line):
            if value is not None:
                grid[(r + top + 1, c + col_offset)] = value
    moved = [_shift(ref, col_offset, top) for ref in merges]
    if title:
        moved.insert(0, _shift(f"A1:{chr(ord('A') + len(HEADER) - 1)}1", col_offset, 0))
    moved += list(extra_merges)
    if writer == "xlsxwriter":
        import xlsxwriter

        book = xlsxwriter.Workbook(path)
        sheet = book.add_worksheet("登录表")
        for (r, c), value in grid.items():
            sheet.write(r, c, value)
        for ref in moved:
            # merge_range writes the top-left value and blanks under the rest, as Excel does
            sheet.merge_range(ref, grid.get(_cell(ref.split(":")[0]), ""))
        book.close()
    else:
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "登录表"
        for (r, c), value in grid.items():
            sheet.cell(r + 1, c + 1, value)
        for ref in moved:
            sheet.merge_cells(ref)          # keeps the top-left value, clears the others
        book.save(path)
    return path


def staged_rows(folder: Path):
    [entry] = [e for e in discover(folder) if e.readable]
    outcome = process_file(entry, OPTIONS)
    [sheet] = outcome.sheets
    return sheet, sheet.staged


def accepted(staged) -> list[tuple]:
    frame = staged.frame
    return list(zip(frame["complaint_no"], frame["customer_name"], frame["category"], frame["_row"]))


@pytest.mark.parametrize("writer", ["xlsxwriter", "openpyxl"])
@pytest.mark.parametrize("col_offset", [0, 2], ids=["from column A", "from column C"])
def test_a_merged_customer_and_category_apply_to_every_row(tmp_path, writer, col_offset):
    write_register(tmp_path / "k.xlsx", writer, col_offset=col_offset)
    sheet, staged = staged_rows(tmp_path)
    assert (sheet.register, sheet.header_row) == ("complaints", 1)
    assert staged.rejects.empty
    assert (staged.rows_read, staged.accepted, staged.skipped) == (6, 6, 0)
    assert accepted(staged) == EXPECTED
    assert staged.frame["defect_qty"].tolist() == [1, 2, 3, 4, 5, 6]


def test_without_the_merges_the_covered_rows_are_rejected(tmp_path):
    # the same cells with no merge: rows 3 and 4 have no customer (what happened before)
    write_register(tmp_path / "k.xlsx", "openpyxl", merges=[])
    _, staged = staged_rows(tmp_path)
    assert sorted(staged.rejects["row"].unique().tolist()) == [3, 4]
    assert [r[3] for r in accepted(staged)] == [2, 5, 6, 7]
    assert staged.frame.loc[staged.frame["_row"] == 6, "category"].tolist() == ["unclassified"]


def test_title_and_two_row_header_merges_are_left_alone(tmp_path):
    # row 1: title merged A1:E1; rows 2-3: a two-row header where 客诉编号 and 客诉日期 are merged
    # down A2:A3 and B2:B3, and the group title 客户/问题 spans C2:D2; data from row 4
    header = [["客诉编号", "客诉日期", "客户", None, "不良数量"],
              [None, None, "客户名称", "类别", None]]
    write_register(tmp_path / "k.xlsx", "xlsxwriter", header=header, title="2026年10月顾客抱怨登录表",
                   extra_merges=("A2:A3", "B2:B3", "C2:D2", "E2:E3"))
    # the data merges move down with the title and the second header row: C4:C6 and D7:D8
    raw = read_file(next(e for e in discover(tmp_path) if e.readable)).sheets[0]
    assert set(raw.merged) == {(1, 1, 1, 5), (2, 1, 3, 1), (2, 2, 3, 2), (2, 3, 2, 4), (2, 5, 3, 5),
                               (4, 3, 6, 3), (7, 4, 8, 4)}
    sheet, staged = staged_rows(tmp_path)
    cls = classify(raw.cells, _match())
    assert (cls.header_index, cls.data_start) == (1, 3)          # header rows 2-3, data from row 4
    assert sheet.header_row == 2
    assert staged.rejects.empty
    assert accepted(staged) == [(k, c, g, r + 2) for k, c, g, r in EXPECTED]
    # the header's covered cells (A3, B3, E3) stay blank: the fill starts at the data
    assert raw.cells.iloc[2].isna().tolist() == [True, True, False, False, True]
    assert cls.mapping["customer_name"] == 2 and cls.mapping["defect_qty"] == 4


def _match():
    from pipeline.ingest import _alias_index

    return _alias_index(OPTIONS).match


def test_merges_outside_the_used_range_do_not_crash(tmp_path):
    # below the last row (Z20:Z30, A40:A41), right of the last column (H2:H4) and a block merge
    # F2:G3 with nothing in it: the register reads as with its own merges only
    write_register(tmp_path / "k.xlsx", "openpyxl",
                   extra_merges=("Z20:Z30", "A40:A41", "H2:H4", "F2:G3"))
    _, staged = staged_rows(tmp_path)
    assert staged.rejects.empty
    assert accepted(staged) == EXPECTED


@pytest.mark.parametrize("writer", ["xlsxwriter", "openpyxl"])
def test_a_merge_over_a_blank_row_or_past_the_last_row(tmp_path, writer):
    # customer merged C6:C8: rows 6-7 hold complaints (row 7 takes 丙公司 from C6), row 8 is blank
    # apart from the merge and stays a blank row (skipped, not a row with only a customer).
    # Defect qty merged E9:E12: row 9 is the last row, rows 10-12 lie below the cells read.
    rows = [*ROWS[:4], ["K5", "2026-10-05", "丙公司", "B", 5], ["K6", "2026-10-06", None, "C", 6],
            [None, None, None, None, None], ["K8", "2026-10-08", "戊公司", "A", 8]]
    write_register(tmp_path / "k.xlsx", writer, rows=rows, merges=["C2:C4", "C6:C8", "E9:E12"])
    _, staged = staged_rows(tmp_path)
    assert staged.rejects.empty
    assert (staged.rows_read, staged.accepted, staged.skipped) == (8, 7, 1)      # row 8 skipped
    assert accepted(staged) == [("K1", "甲公司", "A", 2), ("K2", "甲公司", "B", 3), ("K3", "甲公司", "C", 4),
                                ("K4", "乙公司", "A", 5), ("K5", "丙公司", "B", 6), ("K6", "丙公司", "C", 7),
                                ("K8", "戊公司", "A", 9)]


def _raw(cells: list[list], merged, first_row: int = 1, first_col: int = 1) -> RawSheet:
    frame = pd.DataFrame(cells, dtype="str")
    return RawSheet("f.xlsx", "S", frame, first_row, merged=tuple(merged), first_col=first_col)


def test_fill_keeps_values_already_there_and_leaves_horizontal_and_block_merges():
    cells = [["h1", "h2", "h3"],
             ["a", "x", "p"],
             ["b", None, None],
             ["c", "own", None],
             ["d", None, None]]
    # Excel rows 11-15 (row 11 the header), columns C-E: first_col 3, so column C is position 0
    merged = [(12, 4, 15, 4),         # column D rows 12-15: fill "x" into 13 and 15, keep "own" on 14
              (12, 5, 12, 5),         # one cell: nothing
              (13, 3, 13, 5),         # horizontal: nothing
              (12, 5, 13, 6),         # a block two columns wide: nothing
              (11, 3, 12, 3)]         # starts in the header row 11: nothing
    raw = _raw(cells, merged, first_row=11, first_col=3)
    data = raw.cells.iloc[1:].reset_index(drop=True)
    out = fill_merged_down(data, raw, 1)
    assert out[1].tolist() == ["x", "x", "own", "x"]
    assert out[0].tolist() == ["a", "b", "c", "d"]
    assert out[2].isna().tolist() == [False, True, True, True]
    assert raw.cells[1].isna().tolist() == [False, False, True, False, True]       # the sheet untouched
    assert out[1].dtype == data[1].dtype


def test_no_merges_returns_the_same_frame():
    raw = _raw([["a", "b"]], [])
    assert fill_merged_down(raw.cells, raw, 0) is raw.cells


def test_csv_sheets_have_no_merges(tmp_path):
    (tmp_path / "k.csv").write_text("客诉编号,客诉日期,客户名称\nK1,2026-10-01,甲\n", encoding="utf-8")
    raw = read_file(next(e for e in discover(tmp_path) if e.readable)).sheets[0]
    assert (raw.merged, raw.first_col) == ((), 1)
