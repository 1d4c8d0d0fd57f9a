"""A tiny factory's inputs folder, written by hand so that every KPI of 2026-10 can be worked out
with a pencil (tests/e2e/test_handbuilt.py holds the arithmetic).

The files look the way a factory keeps them: Chinese headers under a merged title row (and a
document-number row), a form footer (制表/审核), two monthly sheets of one delivery workbook, an
ERP export as GB18030 CSV, customers referred to by code in one register and by name in others,
dates as Excel dates, date-times and typed text. No settings.toml: the documented defaults apply
(grace 0 days, full quantity, reply 24 h urgent / 48 h normal, 8D 2 / 7 days, calendar clock,
as_of = 2026-10-31).

    customers          C01 automotive, ppm_target 200 · C02 non-automotive · C03 non-automotive
    deliveries         D1..D10   (lots due 2026-09 and 2026-10, one due 2026-11; plants 一厂 and 二厂)
    complaints         K0..K6    (one in July, two in September, four in October)
    incidents          I1, I2    (both C01)
    customer scorecard C01 2026-09 = 86
    survey returns     S1..S5    (round 2026H1, S4 not returned)
    feedback, visits, service, customer property, customer audits: one row each

The tables below are the single source of the data: the builder writes them (without the row id
in their first column), and the test's comments refer to those ids (D1, K3, …).
"""
from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import xlsxwriter

__all__ = ["CUSTOMERS", "DELIVERIES", "COMPLAINTS", "INCIDENTS", "CUSTOMER_SCORECARDS", "SURVEY_RETURNS",
           "FEEDBACK", "VISITS", "SERVICE", "CUSTOMER_PROPERTY", "CUSTOMER_AUDITS", "REGISTER_ROWS",
           "build_inputs"]

D = date
T = datetime

C01, C02, C03 = "华东汽车电子有限公司", "南方家电有限公司", "北方仪表有限公司"

# --- customers: 客户清单 ------------------------------------------------------------------------
CUSTOMERS_HEADER = ("客户代码", "客户名称", "客户类别", "年订单额", "重点客户", "PPM目标")
CUSTOMERS = (
    ("M1", "C01", C01, "汽车", 800000, "是", 200),
    ("M2", "C02", C02, "非汽车", 300000, "否", None),
    ("M3", "C03", C03, "一般", 100000, "否", None),
)

# --- deliveries: 订单交货进度表 (one sheet per month) ------------------------------------------
DELIVERIES_HEADER = ("订单号", "批号", "客户代码", "客户名称", "料号", "要求交期", "实际交货日期",
                     "订单数量", "实交数量", "厂区")
# id: (order no, lot, customer code, name, part, due, delivered, qty due, qty delivered, plant)
DELIVERIES = {
    "2026年9月": (
        ("D1", "SO-0901", "01", "C01", C01, "P-100", D(2026, 9, 10), D(2026, 9, 10), 10000, 10000, "一厂"),
        ("D2", "SO-0902", "01", "C01", C01, "P-100", D(2026, 9, 20), D(2026, 9, 22), 10000, 10000, "一厂"),
        ("D3", "SO-0903", "01", "C02", C02, "P-200", D(2026, 9, 25), D(2026, 9, 24), 5000, 5000, "二厂"),
        ("D4", "SO-0904", "01", "C01", C01, "P-101", D(2026, 9, 28), D(2026, 10, 2), 5000, 5000, "二厂"),
    ),
    "2026年10月": (
        ("D5", "SO-1001", "01", "C01", C01, "P-100", D(2026, 10, 8), D(2026, 10, 8), 20000, 20000, "一厂"),
        ("D6", "SO-1002", "01", "C01", C01, "P-100", D(2026, 10, 15), D(2026, 10, 14), 20000, 15000, "一厂"),
        ("D7", "SO-1002", "02", "C01", C01, "P-101", D(2026, 10, 28), None, 10000, None, "二厂"),
        # typed as people do: a slash date, a thousands separator, a full-width code (Ｃ０２ = C02)
        ("D8", "SO-1003", "01", "C02", C02, "P-200", D(2026, 10, 10), "2026/10/16", "5,000", 5000, "二厂"),
        ("D9", "SO-1004", "01", "Ｃ０２", C02, "P-200", D(2026, 10, 20), D(2026, 10, 20), 5000, 5000, "一厂"),
        ("D10", "SO-1005", "01", "C02", C02, "P-201", D(2026, 11, 5), D(2026, 10, 30), 4000, 4000, "二厂"),
    ),
}

# --- complaints: 顾客抱怨事件登录表 ---------------------------------------------------------------
COMPLAINTS_HEADER = ("客诉编号", "客诉日期", "客户名称", "料号", "客诉类别", "紧急程度", "不良描述",
                     "不良数量", "原因分类", "责任部门", "首次回复时间", "8D回复日期", "结案日期", "是否批退")
# id: (no, received, customer name, part, category, severity, description, defects, cause, dept,
#      first response, 8D, closed, batch reject)
COMPLAINTS = (
    ("K0", "CC-2607-01", D(2026, 7, 20), C02, "P-200", "C", "一般", "包装破损", 0, "环境", "仓库",
     D(2026, 7, 21), D(2026, 7, 25), None, "否"),
    ("K1", "CC-2609-01", T(2026, 9, 15, 9, 0), C01, "P-100", "A", "一般", "端子氧化", 4, "设备", "制造部",
     T(2026, 9, 16, 10, 0), D(2026, 9, 20), D(2026, 9, 25), "否"),
    ("K2", "CC-2609-02", D(2026, 9, 28), C02, "P-200", "B", "紧急", "外观划伤", 50, "人员", "制造部",
     T(2026, 9, 29, 8, 0), D(2026, 10, 1), D(2026, 10, 12), "是"),
    ("K3", "CC-2610-01", T(2026, 10, 9, 14, 0), C01, "P-100", "A类", "紧急", "端子 氧化", 10, "物料", "采购部",
     T(2026, 10, 10, 13, 0), D(2026, 10, 12), D(2026, 10, 20), "是"),
    ("K4", "CC-2610-02", "2026年10月20日", C01, "P-101", "C", "一般", "标签错误", None, None, "仓库",
     T(2026, 10, 23, 9, 0), None, None, None),
    ("K5", "CC-2610-03", T(2026, 10, 30, 10, 0), C02, "P-200", None, "一般", "尺寸超差", "30 PCS", "方法", "工程部",
     None, None, None, "否"),
    ("K6", "CC-2610-04", D(2026, 10, 12), C03, "P-300", "B", "一般", "读数漂移", 5, "测量", "品保部",
     D(2026, 10, 13), D(2026, 10, 19), D(2026, 10, 25), "否"),
)

# --- incidents: 顾客处罚及异常事件 (an ERP export, GB18030 CSV) -----------------------------------
INCIDENTS_HEADER = ("发生日期", "客户名称", "事件类型", "次数", "金额", "说明")
INCIDENTS = (
    ("I1", "2026-10-15", C01, "罚款", "1", "5000", "K3 批退罚款"),
    ("I2", "2026-09-18", C01, "空运费", "2", "12000", "D2 延迟交货空运两次"),
)

# --- customer-issued scorecards: 顾客计分卡 -------------------------------------------------------
CUSTOMER_SCORECARDS_HEADER = ("客户名称", "评价月份", "综合得分")
CUSTOMER_SCORECARDS = (
    ("SC1", C01, "2026年9月", 86),
)

# --- survey returns: 客户满意度调查表 ---------------------------------------------------------------
SURVEY_HEADER = ("调查批次", "客户名称", "填表人", "发出日期", "回收日期", "产品质量", "交期", "价格", "服务",
                 "技术支持", "沟通", "包装", "总分", "客户意见")
SURVEY_RETURNS = (
    ("S1", "2026上半年", C01, "张工", D(2026, 6, 1), D(2026, 6, 10), 90, 80, 70, 90, 80, 90, 60, None, "包装需改进"),
    ("S2", "2026H1", C01, "李经理", D(2026, 6, 1), D(2026, 6, 12), 100, 90, 80, None, None, None, None, None, None),
    ("S3", "2026 H1", C02, "王主管", D(2026, 6, 1), D(2026, 6, 15), None, None, None, None, None, None, None, 72,
     "交期需改善"),
    ("S4", "2026H1", C02, "赵工", D(2026, 6, 1), None, None, None, None, None, None, None, None, None, None),
    ("S5", "2026H1", C03, "陈经理", D(2026, 6, 1), D(2026, 6, 20), 100, 90, 95, 95, 95, 95, 95, None, None),
)

# --- the quality department's other registers, one workbook, one sheet each --------------------
FEEDBACK_HEADER = ("反馈编号", "客户名称", "反馈日期", "填表日期", "主题", "类别", "经手人", "完结日期")
FEEDBACK = (
    ("F1", "QF-2610-01", C01, D(2026, 10, 9), D(2026, 10, 12), "端子氧化再发", "A", "刘业务", D(2026, 10, 23)),
)
VISITS_HEADER = ("走访日期", "客户名称", "走访人", "报告日期", "走访内容")
VISITS = (
    ("V1", D(2026, 9, 30), C02, "刘业务", D(2026, 10, 9), "客户要求增加出货检验报告"),
)
SERVICE_HEADER = ("报修编号", "客户名称", "报修日期", "服务日期", "服务类型", "服务评价")
SERVICE = (
    ("R1", "SV-2610-01", C02, D(2026, 10, 26), D(2026, 10, 28), "包换", "满意"),
)
PROPERTY_HEADER = ("财产编号", "客户名称", "财产名称", "财产类别", "登记日期", "状态", "异常日期", "通知客户日期")
CUSTOMER_PROPERTY = (
    ("P1", "CP-001", C01, "端子检具", "工治具", D(2026, 3, 1), "损坏", D(2026, 10, 13), None),
)
AUDITS_HEADER = ("稽核日期", "客户名称", "稽核发现", "事项类别", "责任部门", "要求完成日期", "完成日期")
CUSTOMER_AUDITS = (
    ("A1", D(2026, 10, 14), C01, "来料检验记录不完整", "不符合项", "品保部", D(2026, 10, 28), None),
)

# register name -> how many data rows the folder holds for it (all of them valid)
REGISTER_ROWS = {
    "customers": len(CUSTOMERS),
    "deliveries": sum(len(rows) for rows in DELIVERIES.values()),
    "complaints": len(COMPLAINTS),
    "incidents": len(INCIDENTS),
    "customer_scorecards": len(CUSTOMER_SCORECARDS),
    "survey_returns": len(SURVEY_RETURNS),
    "feedback": len(FEEDBACK),
    "visits": len(VISITS),
    "service": len(SERVICE),
    "customer_property": len(CUSTOMER_PROPERTY),
    "customer_audits": len(CUSTOMER_AUDITS),
}


class _Sheets:
    """One workbook's formats, declared once and named by role."""

    def __init__(self, path: Path):
        self.book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                                    "strings_to_numbers": False, "nan_inf_to_errors": True})
        self.title = self.book.add_format({"bold": True, "font_size": 14, "align": "center"})
        self.header = self.book.add_format({"bold": True, "border": 1, "bg_color": "#DDEBF7"})
        self.day = self.book.add_format({"num_format": "yyyy-mm-dd", "border": 1})
        self.moment = self.book.add_format({"num_format": "yyyy-mm-dd hh:mm", "border": 1})
        self.cell = self.book.add_format({"border": 1})

    def sheet(self, name: str, title: str, doc_no: str, header: tuple[str, ...], rows, footer: bool = False) -> None:
        """Title (merged across the table), document number, a blank row, the header, the rows
        (without their id), and optionally the form's 制表/审核 footer."""
        ws = self.book.add_worksheet(name)
        last = len(header) - 1
        ws.merge_range(0, 0, 0, last, title, self.title)
        ws.write_string(1, 0, f"表单编号：{doc_no}")
        ws.write_row(3, 0, header, self.header)
        for r, row in enumerate(rows, start=4):
            for c, value in enumerate(row[1:]):
                self._write(ws, r, c, value)
        if footer:
            ws.write_string(4 + len(rows) + 1, 0, "制表：王芳")
            ws.write_string(4 + len(rows) + 1, 3, "审核：李强")
        ws.set_column(0, last, 14)

    def _write(self, ws, r: int, c: int, value) -> None:
        if value is None:
            ws.write_blank(r, c, None, self.cell)
        elif isinstance(value, datetime):
            ws.write_datetime(r, c, value, self.moment)
        elif isinstance(value, date):
            ws.write_datetime(r, c, datetime(value.year, value.month, value.day), self.day)
        elif isinstance(value, (int, float)):
            ws.write_number(r, c, value, self.cell)
        else:
            ws.write_string(r, c, value, self.cell)

    def close(self) -> None:
        self.book.close()


def build_inputs(folder: Path) -> Path:
    """Write the hand-built inputs folder into `folder` (created) and return it."""
    folder = Path(folder)
    (folder / "交货").mkdir(parents=True, exist_ok=True)
    (folder / "满意度调查").mkdir(parents=True, exist_ok=True)

    book = _Sheets(folder / "客户清单.xlsx")
    book.sheet("客户清单", "客户清单（2026年度）", "QR-8.2-01", CUSTOMERS_HEADER, CUSTOMERS)
    book.close()

    book = _Sheets(folder / "交货" / "2026年订单交货进度表.xlsx")
    for month, rows in DELIVERIES.items():
        book.sheet(month, f"{month}订单交货进度表", "QR-8.5-07", DELIVERIES_HEADER, rows)
    book.close()

    book = _Sheets(folder / "顾客抱怨事件登录表.xlsx")
    book.sheet("登录表", "2026年顾客抱怨事件登录表", "QR-8.2-03", COMPLAINTS_HEADER, COMPLAINTS, footer=True)
    book.close()

    with (folder / "顾客处罚及异常事件_ERP导出.csv").open("w", encoding="gb18030", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(INCIDENTS_HEADER)
        writer.writerows(row[1:] for row in INCIDENTS)

    book = _Sheets(folder / "顾客计分卡.xlsx")
    book.sheet("计分卡", "客户来函计分卡汇总", "QR-8.2-09", CUSTOMER_SCORECARDS_HEADER, CUSTOMER_SCORECARDS)
    book.close()

    book = _Sheets(folder / "满意度调查" / "2026上半年客户满意度调查.xlsx")
    book.sheet("回收汇总", "2026年上半年客户满意度调查回收汇总", "QR-9.1-02", SURVEY_HEADER, SURVEY_RETURNS)
    book.close()

    book = _Sheets(folder / "质量部其他登记表.xlsx")
    book.sheet("信息反馈", "客户质量信息反馈登记表", "QR-8.2-05", FEEDBACK_HEADER, FEEDBACK)
    book.sheet("走访", "客户走访记录", "QR-8.2-06", VISITS_HEADER, VISITS)
    book.sheet("报修", "报修登记表", "QR-8.5-11", SERVICE_HEADER, SERVICE)
    book.sheet("顾客财产", "顾客财产登记表", "QR-8.5-03", PROPERTY_HEADER, CUSTOMER_PROPERTY)
    book.sheet("来厂稽核", "顾客来厂稽核记录", "QR-9.2-04", AUDITS_HEADER, CUSTOMER_AUDITS)
    book.close()
    return folder
