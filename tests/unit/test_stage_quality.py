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


# --- registers without a key (incidents, visits, customer audits) ------------------------------
# registers.md gives keys only for complaints, deliveries and survey returns; kpis.md counts
# incidents ("n = Σ count of the customer's incidents dated in M"). Identical rows inside one sheet
# are separate events; an identical row in another sheet or file is the same record copied.

INCIDENT_HEADER = ["发生日期", "客户代码", "事件类型", "金额", "说明"]
FINE = ["2026-10-14", "C001", "罚款", "500", "外观不良罚款"]


def _incident_account(res, file, sheet="S"):
    return [a for a in res.accounts if (a.file, a.sheet) == (file, sheet)][0]


def test_identical_incident_rows_in_one_sheet_are_separate_events():
    s = staged([INCIDENT_HEADER, FINE, FINE])
    res = _resolve(s)
    # both fines kept: 2 rows used, nothing set aside; read 2 = accepted 2 + rejected 0 + skipped 0
    assert len(res.registers["incidents"]) == 2
    acc = _incident_account(res, "f.xlsx")
    assert (acc.rows_read, acc.accepted, acc.rejected, acc.skipped, acc.duplicates) == (2, 2, 0, 0, 0)
    assert res.set_aside.empty
    # scorecard, October, C001 (automotive): n = 1 + 1 (blank count → 1 each) + 0 late 8Ds = 2
    # → O = max(0, 25 − 5 × 2) = 15
    from pipeline.kpis.scorecard import scorecard_monthly
    from tests.unit.kpis.conftest import context_for
    no_complaints = pd.DataFrame({"customer_key": pd.Series(dtype=str), "month": pd.Series(dtype=str),
                                  **{c: pd.Series(dtype="int64") for c in
                                     ("complaints", "defect_qty", "batch_rejects", "late_8d")}})
    monthly = scorecard_monthly(None, no_complaints, res.registers["incidents"], None,
                                res.registers["customers"], context_for("2026-10", calendar=None))
    row = monthly[(monthly["customer_key"] == "C001") & (monthly["month"] == "2026-10")].iloc[0]
    assert (row["incidents"], row["o"]) == (2, 15)


def test_the_same_incident_row_in_two_files_is_one_record():
    a = staged([INCIDENT_HEADER, FINE], file="a.xlsx")
    b = staged([INCIDENT_HEADER, FINE], file="b.xlsx")
    mt = {"a.xlsx": datetime(2026, 10, 1, tzinfo=timezone.utc), "b.xlsx": datetime(2026, 10, 31, tzinfo=timezone.utc)}
    res = _resolve(a, b, mtimes=mt)
    # 1 used (from the newest workbook, b.xlsx), 1 duplicate (a.xlsx's row)
    used = res.registers["incidents"]
    assert len(used) == 1 and list(used["_file"]) == ["b.xlsx"]
    assert (_incident_account(res, "a.xlsx").duplicates, _incident_account(res, "b.xlsx").duplicates) == (1, 0)
    row = res.set_aside.iloc[0]
    assert (row["register"], row["kind"], row["file"], row["kept_file"]) == ("incidents", "duplicate", "a.xlsx", "b.xlsx")
    # each sheet still reconciles: read 1 = accepted 1 + 0 + 0
    for f in ("a.xlsx", "b.xlsx"):
        acc = _incident_account(res, f)
        assert acc.rows_read == acc.accepted + acc.rejected + acc.skipped == 1


def test_copies_pair_occurrence_by_occurrence_across_sheets():
    # sheet A holds the fine twice, sheet B twice: occurrence 1 in A pairs with occurrence 1 in
    # B, occurrence 2 with occurrence 2 → 2 used, 2 duplicates
    a = staged([INCIDENT_HEADER, FINE, FINE], file="log.xlsx", sheet="A")
    b = staged([INCIDENT_HEADER, FINE, FINE], file="log.xlsx", sheet="B")
    res = _resolve(a, b)
    assert len(res.registers["incidents"]) == 2
    assert sum(acc.duplicates for acc in res.accounts if acc.register == "incidents") == 2
    # A twice, B three times: B's third copy pairs with nothing in A → 3 used, 2 duplicates
    b3 = staged([INCIDENT_HEADER, FINE, FINE, FINE], file="log.xlsx", sheet="B")
    res = _resolve(a, b3)
    assert len(res.registers["incidents"]) == 3
    assert sum(acc.duplicates for acc in res.accounts if acc.register == "incidents") == 2
    # used + duplicates = rows accepted: 3 + 2 = 2 + 3
    assert sum(acc.accepted for acc in res.accounts if acc.register == "incidents") == 5


def test_a_different_row_is_never_a_copy():
    # the same day and customer, another amount: two different events, both kept (no key, so no
    # conflict either)
    other = ["2026-10-14", "C001", "罚款", "800", "外观不良罚款"]
    res = _resolve(staged([INCIDENT_HEADER, FINE, other]))
    assert len(res.registers["incidents"]) == 2
    assert not (res.rejects["reason"] == "conflict").any()
