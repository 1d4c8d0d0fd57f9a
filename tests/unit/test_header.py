"""Header-row detection and register classification (registers.md, "What a run reads")."""
import numpy as np
import pandas as pd

from pipeline.headers import AliasIndex
from pipeline.read.header import classify
from pipeline.registers import REGISTERS

INDEX = AliasIndex(REGISTERS, {})


def cells(rows):
    width = max(len(r) for r in rows)
    return pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows]).astype("str").where(
        pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows]).notna(), np.nan)


def test_header_below_title_rows_is_found():
    sheet = cells([
        ["示例电子有限公司"],
        ["顾客抱怨事件登录表"],
        ["文件编号: QR-8.2-03", None, "版本: A/0"],
        [],
        ["客诉编号", "客诉日期", "客户名称", "类别", "不良数量"],
        ["C-001", "2026-10-03", "甲公司", "A", "5"],
    ])
    result = classify(sheet, INDEX.match)
    assert result.status == "ok"
    assert result.register == "complaints"
    assert result.header_index == 4 and result.data_start == 5
    assert result.mapping == {"complaint_no": 0, "received_date": 1, "customer_name": 2,
                              "category": 3, "defect_qty": 4}
    assert "示例电子有限公司" in result.title_texts


def test_two_row_header_sub_header_wins():
    # 回复情况 is a group title merged over two sub-headers; the other headers span both rows.
    sheet = cells([
        ["客诉编号", "客诉日期", "客户名称", "回复情况", None],
        [None, None, None, "首次回复时间", "8D回复日期"],
        ["C-001", "2026-10-03", "甲公司", "2026-10-04", "2026-10-09"],
    ])
    result = classify(sheet, INDEX.match)
    assert result.status == "ok" and result.register == "complaints"
    assert result.data_start == 2
    assert result.mapping["first_response_at"] == 3 and result.mapping["report_8d_at"] == 4


def test_bilingual_header_english_row_below_is_part_of_the_header():
    # A form with the Chinese headers in one row and the English ones in the row below: the
    # English row names the same columns (4 of 4), so the data start below it, not on it.
    sheet = cells([
        ["顾客抱怨事件登录表"],
        ["客诉编号", "客诉日期", "客户代码", "类别"],
        ["Complaint No", "Complaint Date", "Customer Code", "Category"],
        ["C-001", "2026-10-03", "C001", "A"],
    ])
    result = classify(sheet, INDEX.match)
    assert result.status == "ok" and result.register == "complaints"
    assert result.header_index == 1 and result.data_start == 3
    # a first data row whose values merely happen to match one header is still data
    sheet = cells([["客诉编号", "客诉日期", "客户代码", "类别"], ["C-001", "2026-10-03", "C001", "类别"]])
    assert classify(sheet, INDEX.match).data_start == 1


def test_traditional_and_english_headers():
    sheet = cells([["訂單號", "客戶名稱", "交期", "實際交貨日期", "Order Qty", "Shipped Qty"]])
    result = classify(sheet, INDEX.match)
    assert result.register == "deliveries"
    assert set(result.mapping) == {"order_no", "customer_name", "due_date", "delivered_date",
                                   "qty_due", "qty_delivered"}


def test_delivery_schedule_beats_customer_master_by_matched_columns():
    # Both the customer master's required columns and the delivery schedule's are present:
    # the register with the most matched columns wins.
    sheet = cells([["客户代码", "客户名称", "订单号", "交期", "实际交货日期", "订单数量"]])
    assert classify(sheet, INDEX.match).register == "deliveries"


def test_unrecognised_sheet_names_closest_register_and_missing_columns():
    sheet = cells([["客诉编号", "客户名称", "不良描述"], ["C-1", "甲", "划伤"]])
    result = classify(sheet, INDEX.match)
    assert result.status == "unrecognised"
    assert result.closest == "complaints"
    assert result.missing == ["received_date"]


def test_header_beyond_row_20_is_not_searched():
    rows = [["说明"]] * 20 + [["客诉编号", "客诉日期", "客户名称"]]
    assert classify(cells(rows), INDEX.match).status == "unrecognised"


def test_two_columns_for_one_field_is_an_error_for_the_sheet():
    sheet = cells([["客诉编号", "客诉日期", "投诉日期", "客户名称"]])
    result = classify(sheet, INDEX.match)
    assert result.status == "duplicate_column"
    assert result.duplicates == {"received_date": ["客诉日期", "投诉日期"]}


def test_customer_code_and_name_together_are_fine():
    sheet = cells([["客诉编号", "客诉日期", "客户代码", "客户名称"]])
    result = classify(sheet, INDEX.match)
    assert result.status == "ok"
    assert {"customer_code", "customer_name"} <= set(result.mapping)


def test_unknown_columns_are_listed():
    sheet = cells([["客诉编号", "客诉日期", "客户名称", "业务员备注"]])
    assert classify(sheet, INDEX.match).ignored_headers == ["业务员备注"]


def test_extra_alias_from_settings():
    index = AliasIndex(REGISTERS, {"complaints": {"received_date": ("登记日期",)}})
    sheet = cells([["客诉编号", "登记日期", "客户名称"]])
    assert classify(sheet, index.match).mapping["received_date"] == 1


def test_empty_sheet():
    assert classify(pd.DataFrame(), INDEX.match).status == "empty"
