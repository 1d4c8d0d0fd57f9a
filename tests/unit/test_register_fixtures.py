"""Good and bad fixtures for every register: a good row is accepted with its values typed and its
blank defaults applied; each bad row is rejected with the reason registers.md gives."""
import numpy as np
import pandas as pd
import pytest

from pipeline.headers import AliasIndex
from pipeline.read.header import classify
from pipeline.read.model import RawSheet
from pipeline.registers import REGISTERS
from pipeline.stage import stage_sheet

INDEX = AliasIndex(REGISTERS, {})


def stage(rows):
    width = max(len(r) for r in rows)
    frame = pd.DataFrame([list(r) + [None] * (width - len(r)) for r in rows])
    sheet = RawSheet("f.xlsx", "S", frame.astype("str").where(frame.notna(), np.nan), 1)
    cls = classify(sheet.cells, INDEX.match)
    assert cls.status == "ok", cls
    return cls.register, stage_sheet(sheet, cls)


# register, header, good row, {canonical column: expected typed value}
GOOD = [
    ("customers", ["客户代码", "客户名称", "客户类别", "年订单额", "重点客户", "PPM目标"],
     ["C001", "甲汽车", "汽车件", "1,200,000", "是", "30"],
     {"customer_code": "C001", "segment": "automotive", "annual_order_value": 1_200_000.0,
      "key_customer": True, "ppm_target": 30.0}),
    ("customers", ["客户代码", "客户名称", "客户类别"], ["C002", "乙家电", ""],
     {"segment": "non-automotive", "key_customer": False}),
    ("incidents", ["日期", "客户名称", "事件类型", "次数", "金额（元）"],
     ["2026/10/3", "甲汽车", "加急运费", "", "1,500"],
     {"date": pd.Timestamp("2026-10-03"), "type": "premium_freight", "count": 1, "amount": 1500.0}),
    ("customer_scorecards", ["客户代码", "评价月份", "综合得分"], ["C001", "2026年10月", "88"],
     {"month": "2026-10", "score": 88.0}),
    ("survey_returns", ["调查批次", "客户名称", "回收日期", "产品质量", "交期", "客户意见"],
     ["2026上半年", "甲汽车", "2026-07-05", "90", "80", "包装需改进"],
     {"round": "2026H1", "quality": 90.0, "delivery": 80.0, "returned_date": pd.Timestamp("2026-07-05")}),
    ("survey_returns", ["调查批次", "客户名称", "回收日期", "产品质量"], ["2026H1", "乙家电", "", ""],
     {"returned_date": pd.NaT}),                                  # not returned: no score needed
    ("feedback", ["反馈编号", "客户名称", "反馈日期", "填表日期", "类别"],
     ["FB-01", "甲汽车", "2026年10月9日", "2026-10-10", ""],
     {"feedback_date": pd.Timestamp("2026-10-09"), "category": "C"}),
    ("visits", ["走访日期", "客户名称", "走访人", "报告日期"], ["2026-10-12", "甲汽车", "王五", "2026-10-14"],
     {"visit_date": pd.Timestamp("2026-10-12"), "report_date": pd.Timestamp("2026-10-14")}),
    ("service", ["报修编号", "客户名称", "报修日期", "服务日期", "服务类型", "服务评价"],
     ["SV-1", "乙家电", "2026-10-01", "2026-10-02", "包换", "很满意"],
     {"type": "warranty_replace", "rating": "satisfied"}),
    ("customer_property", ["财产编号", "客户名称", "财产类别", "状态", "异常日期", "通知客户日期"],
     ["P-1", "甲汽车", "模具", "遗失", "2026-10-05", ""],
     {"kind": "tooling", "status": "lost", "event_date": pd.Timestamp("2026-10-05")}),
    ("customer_audits", ["稽核日期", "客户名称", "稽核发现", "事项类别", "要求完成日期", "完成日期"],
     ["2026-10-20", "甲汽车", "首件记录不全", "不符合项", "2026-11-20", ""],
     {"finding_type": "nonconformity", "due_date": pd.Timestamp("2026-11-20")}),
    ("deliveries", ["订单号", "客户代码", "交期", "实际交货日期", "订单数量", "实交数量", "厂区"],
     ["PO-1", "C001", "20261005", "2026.10.5", "１２０", "120pcs", "深圳厂"],
     {"qty_due": 120, "qty_delivered": 120, "plant": "深圳厂", "due_date": pd.Timestamp("2026-10-05")}),
    ("complaints", ["客诉编号", "客诉日期", "客户名称", "紧急程度", "原因分类", "批退", "索赔金额"],
     ["K-1", "2026-10-03 14:30", "甲汽车", "急件", "料", "Y", "/"],
     {"received_date": pd.Timestamp("2026-10-03 14:30"), "severity": "urgent", "root_cause": "material",
      "batch_reject": True}),
]


@pytest.mark.parametrize("register,header,row,expected", GOOD, ids=[f"{g[0]}-{i}" for i, g in enumerate(GOOD)])
def test_good_row_is_accepted_and_typed(register, header, row, expected):
    name, s = stage([header, row])
    assert name == register
    assert s.rejected == 0, s.rejects.to_dict("records")
    got = s.frame.iloc[0]
    for column, value in expected.items():
        if value is pd.NaT:
            assert pd.isna(got[column])
        else:
            assert got[column] == value, (column, got[column], value)


# register, header, bad row, expected reason codes (all of them)
BAD = [
    ("customers", ["客户代码", "客户名称", "年订单额"], ["C001", "甲", "-5"], {"negative"}),
    ("customers", ["客户代码", "客户名称", "PPM目标"], ["C001", "甲", "0"], {"not_positive"}),
    ("customers", ["客户代码", "客户名称", "客户类别"], ["C001", "甲", "军工"], {"not_in_vocab"}),
    ("incidents", ["日期", "客户名称", "事件类型", "次数"], ["2026-10-03", "甲", "扣款", "0"],
     {"not_in_vocab", "below_min"}),
    ("customer_scorecards", ["客户代码", "评价月份", "综合得分"], ["C001", "2026年13月", "101"],
     {"bad_month", "above_max"}),
    ("survey_returns", ["调查批次", "客户名称", "回收日期", "产品质量"], ["2026H1", "甲", "2026-07-01", "120"],
     {"above_max"}),
    ("survey_returns", ["调查批次", "客户名称", "回收日期", "产品质量"], ["2026H1", "甲", "2026-07-01", ""],
     {"returned_row_has_a_score"}),
    ("survey_returns", ["调查批次", "客户名称", "回收日期", "产品质量"], ["明年", "甲", "", ""], {"bad_round"}),
    ("feedback", ["反馈编号", "客户名称", "反馈日期", "类别"], ["FB-1", "甲", "", "E"],
     {"missing_required", "not_in_vocab"}),
    ("visits", ["走访日期", "客户名称"], ["下周", "甲"], {"bad_date"}),
    ("service", ["报修编号", "客户名称", "报修日期", "服务类型"], ["SV-1", "甲", "2026-10-01", "上门喝茶"],
     {"not_in_vocab"}),
    ("customer_property", ["财产编号", "客户名称", "状态", "异常日期"], ["P-1", "甲", "损坏", ""],
     {"event_date_when_lost_or_damaged"}),
    ("customer_audits", ["稽核日期", "客户名称", "稽核发现", "事项类别"], ["2026-10-01", "甲", "", "缺失"],
     {"missing_required"}),
    ("deliveries", ["订单号", "客户代码", "交期", "实际交货日期", "订单数量"], ["PO-1", "C001", "2026-10-05", "", "约100"],
     {"bad_number"}),
    ("complaints", ["客诉编号", "客诉日期", "客户名称", "结案日期", "8D回复日期"],
     ["K-1", "2026-10-05", "甲", "2026-10-01", "2026-10-02"],
     {"closure_not_before_received", "report_8d_not_before_received"}),
    ("complaints", ["客诉编号", "客诉日期", "客户名称"], ["K-1", "2026-10-05", ""], {"customer_given"}),
]


@pytest.mark.parametrize("register,header,row,reasons", BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_bad_row_is_rejected_with_every_reason(register, header, row, reasons):
    name, s = stage([header, row])
    assert name == register
    assert (s.accepted, s.rejected) == (0, 1)
    assert set(s.rejects["reason"]) == reasons
    assert set(s.rejects["row"]) == {2}


def test_month_day_without_a_year_takes_the_sheet_title_year_or_is_rejected():
    titled = RawSheet("f.xlsx", "2026年10月顾客抱怨登录表", pd.DataFrame(
        [["客诉编号", "客诉日期", "客户名称"], ["K-1", "10月3日", "甲"]]).astype("str"), 1)
    cls = classify(titled.cells, INDEX.match)
    s = stage_sheet(titled, cls)
    assert s.frame.iloc[0]["received_date"] == pd.Timestamp("2026-10-03")
    untitled = RawSheet("f.xlsx", "登录表", titled.cells, 1)
    s = stage_sheet(untitled, cls)
    assert list(s.rejects["reason"]) == ["no_year"]
