"""Staging and resolving: rejects with all reasons, skipped rows, keys, duplicates, superseded rows,
in-sheet conflicts, customer linking and the reconciliation (registers.md, "Bad rows …")."""
from datetime import datetime, timezone

import numpy as np
import pandas as pd

from pipeline.headers import AliasIndex
from pipeline.quality import resolve
from pipeline.read.header import classify
from pipeline.read.model import RawSheet
from pipeline.registers import REGISTERS
from pipeline.stage import stage_sheet

INDEX = AliasIndex(REGISTERS, {})


def raw(rows, file="f.xlsx", sheet="S", first_row=1):
    width = max(len(r) for r in rows)
    frame = pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows])
    return RawSheet(file, sheet, frame.astype("str").where(frame.notna(), np.nan), first_row)


def staged(rows, **kw):
    sheet = raw(rows, **kw)
    cls = classify(sheet.cells, INDEX.match)
    assert cls.status == "ok", cls
    return stage_sheet(sheet, cls)


MASTER = [["客户代码", "客户名称", "客户类别"],
          ["C001", "甲汽车部件", "汽车"],
          ["C002", "乙家电", "非汽车"]]
COMPLAINT_HEADER = ["客诉编号", "客诉日期", "客户名称", "类别", "首次回复时间", "不良数量"]


def test_row_with_two_problems_reports_both_and_counts_once():
    s = staged([COMPLAINT_HEADER,
                ["K1", "2026-10-05", "甲汽车部件", "E", "2026-10-04", "3"]], first_row=3)
    assert s.rows_read == 1 and s.accepted == 0 and s.rejected == 1 and s.skipped == 0
    reasons = sorted(s.rejects["reason"])
    assert reasons == ["not_in_vocab", "response_not_before_received"]
    # Excel row: header on row 3, the data row is row 4; columns named as written
    assert set(s.rejects["row"]) == {4}
    assert sorted(s.rejects["column"]) == ["类别", "首次回复时间"]
    assert "E" in set(s.rejects["value"])


def test_blank_rows_and_footer_are_skipped_not_rejected():
    s = staged([COMPLAINT_HEADER,
                ["K1", "2026-10-05", "甲汽车部件", "A", "", "1"],
                [],
                ["K2", "2026-10-06", "甲汽车部件", "B", "", "2"],
                ["制表: 张三   审核: 李四"],
                []])
    # rows below the header to the last non-empty row: K1, blank, K2, footer
    assert (s.rows_read, s.accepted, s.rejected, s.skipped) == (4, 2, 0, 2)
    assert list(s.frame["_row"]) == [2, 4]


def test_blank_defaults_applied():
    s = staged([COMPLAINT_HEADER, ["K1", "2026-10-05", "甲汽车部件", "", "", ""]])
    row = s.frame.iloc[0]
    assert row["category"] == "unclassified" and row["severity"] == "normal"
    assert row["root_cause"] == "undetermined" and row["defect_qty"] == 0
    assert not row["batch_reject"]


def test_missing_required_value_rejects():
    s = staged([COMPLAINT_HEADER, ["K1", "", "甲汽车部件", "A", "", "1"]])
    assert list(s.rejects["reason"]) == ["missing_required"]
    assert list(s.rejects["column"]) == ["客诉日期"]


def test_a_blank_customer_is_reported_under_the_customer_column_the_sheet_has():
    # registers.md: the report names the "column header as written in the file". The sheet gives
    # the customer by code only (客户代码): a row with no customer names that header, not the
    # canonical customer_name the check is filed under.
    s = staged([["客诉编号", "客诉日期", "客户代码"], ["K1", "2026-10-05", "C001"], ["K2", "2026-10-06", ""]])
    assert list(s.rejects["column"]) == ["客户代码"] and list(s.rejects["row"]) == [3]
    s = staged([COMPLAINT_HEADER, ["K1", "2026-10-05", "", "A", "", "1"]])
    assert list(s.rejects["column"]) == ["客户名称"]


def _resolve(*sheets, mtimes=None):
    master = staged(MASTER, file="master.xlsx")
    return resolve([master, *sheets], mtimes or {})


def test_identical_key_twice_is_one_row_and_a_duplicate():
    s = staged([COMPLAINT_HEADER,
                ["K1", "2026-10-05", "甲汽车部件", "A", "", "1"],
                ["K1", "2026-10-05", "甲汽车部件", "A", "", "1"]])
    res = _resolve(s)
    assert len(res.registers["complaints"]) == 1
    acc = [a for a in res.accounts if a.register == "complaints"][0]
    assert (acc.accepted, acc.duplicates, acc.superseded, acc.rejected) == (2, 1, 0, 0)


def test_same_key_different_values_in_one_sheet_rejects_both():
    s = staged([COMPLAINT_HEADER,
                ["K1", "2026-10-05", "甲汽车部件", "A", "", "1"],
                ["K1", "2026-10-05", "甲汽车部件", "B", "", "1"],
                ["K2", "2026-10-05", "甲汽车部件", "B", "", "1"]])
    res = _resolve(s)
    assert list(res.registers["complaints"]["complaint_no"]) == ["K2"]
    acc = [a for a in res.accounts if a.register == "complaints"][0]
    assert (acc.rows_read, acc.accepted, acc.rejected) == (3, 1, 2)
    conflicts = res.rejects[res.rejects["reason"] == "conflict"]
    assert sorted(conflicts["row"]) == [2, 3]


def test_newest_workbook_wins_and_older_rows_are_superseded():
    old = staged([COMPLAINT_HEADER, ["K1", "2026-10-05", "甲汽车部件", "A", "", "1"],
                  ["K2", "2026-10-06", "甲汽车部件", "A", "", "1"]], file="archive/old.xlsx")
    new = staged([COMPLAINT_HEADER, ["K1", "2026-10-05", "甲汽车部件", "A", "", "7"],
                  ["K2", "2026-10-06", "甲汽车部件", "A", "", "1"]], file="new.xlsx")
    mt = {"archive/old.xlsx": datetime(2026, 9, 1, tzinfo=timezone.utc),
          "new.xlsx": datetime(2026, 10, 31, tzinfo=timezone.utc)}
    res = _resolve(old, new, mtimes=mt)
    used = res.registers["complaints"].set_index("complaint_no")
    assert used.loc["K1", "defect_qty"] == 7 and used.loc["K1", "_file"] == "new.xlsx"
    # K2 is identical in both: one kept (from the newest file), one duplicate
    assert used.loc["K2", "_file"] == "new.xlsx"
    old_acc = [a for a in res.accounts if a.file == "archive/old.xlsx"][0]
    assert (old_acc.superseded, old_acc.duplicates) == (1, 1)
    row = res.set_aside[res.set_aside["kind"] == "superseded"].iloc[0]
    assert (row["file"], row["kept_file"]) == ("archive/old.xlsx", "new.xlsx")


def test_customers_linked_by_code_then_name_unknown_kept():
    s = staged([["客诉编号", "客诉日期", "客户代码", "客户名称"],
                ["K1", "2026-10-05", "ｃ００２", ""],        # full-width code → C002
                ["K2", "2026-10-05", "", "甲汽车部件"],        # by name → C001
                ["K3", "2026-10-05", "", "丙未知公司"]])
    res = _resolve(s)
    c = res.registers["complaints"].set_index("complaint_no")
    assert c.loc["K1", "customer_key"] == "C002" and c.loc["K1", "segment"] == "non-automotive"
    assert c.loc["K2", "customer_key"] == "C001" and c.loc["K2", "segment"] == "automotive"
    assert c.loc["K3", "customer_key"] == "丙未知公司" and c.loc["K3", "segment"] == "non-automotive"
    assert list(res.unknown_customers["customer_key"]) == ["丙未知公司"]


def test_delivery_key_uses_lot_when_present_else_part_and_due_date():
    s = staged([["订单号", "批号", "料号", "客户代码", "交期", "实际交货日期", "订单数量"],
                ["PO1", "L1", "P1", "C001", "2026-10-05", "2026-10-05", "10"],
                ["PO1", "L2", "P1", "C001", "2026-10-05", "2026-10-05", "10"],   # another lot: kept
                ["PO2", "", "P1", "C001", "2026-10-05", "", "10"],
                ["PO2", "", "P1", "C001", "2026-10-05", "", "10"]])              # same fallback key: dup
    res = _resolve(s)
    assert len(res.registers["deliveries"]) == 3


def test_delivery_rules():
    s = staged([["订单号", "客户代码", "交期", "实际交货日期", "订单数量"],
                ["PO1", "C001", "2026-10-05", "2025-10-01", "10"],   # 369 days early → rejected
                ["PO2", "C001", "", "", "10"],                       # no due date → rejected
                ["PO3", "C001", "2026-10-05", "", "-5"]])            # negative qty → rejected
    assert s.rejected == 3
    assert sorted(s.rejects["reason"]) == ["delivered_within_a_year_of_due", "missing_required", "negative"]


def test_register_in_file_name_then_sheet_then_row_order_whatever_order_the_sheets_come_in():
    b = staged([COMPLAINT_HEADER, ["K3", "2026-10-05", "甲汽车部件", "A", "", "1"],
                ["K4", "2026-10-06", "甲汽车部件", "A", "", "1"]], file="b.xlsx")
    a1 = staged([COMPLAINT_HEADER, ["K1", "2026-10-05", "甲汽车部件", "A", "", "1"]], file="a.xlsx", sheet="S1")
    a2 = staged([COMPLAINT_HEADER, ["K2", "2026-10-05", "甲汽车部件", "A", "", "1"],
                 ["K3", "2026-10-05", "甲汽车部件", "A", "", "1"]], file="a.xlsx", sheet="S2")
    res = _resolve(b, a1, a2)
    used = res.registers["complaints"]
    # K3 twice, identical: kept once, from the later sheet (a.xlsx/S2 comes after b.xlsx here)
    assert list(zip(used["complaint_no"], used["_file"], used["_sheet"])) == [
        ("K1", "a.xlsx", "S1"), ("K2", "a.xlsx", "S2"), ("K3", "a.xlsx", "S2"), ("K4", "b.xlsx", "S")]
    row = res.set_aside.iloc[0]
    assert (row["kind"], row["file"], row["kept_file"], row["kept_sheet"]) == ("duplicate", "b.xlsx", "a.xlsx", "S2")
