#!/usr/bin/env python3
"""Write the bundled sample company: the customer-quality registers of 示例电子有限公司.

A fictional Chinese export factory (two plants, 深圳厂 and 东莞厂; connectors, harnesses, PCBA) with
12 customers, 14 months of history (2025-09 .. 2026-10, books read as of 2026-10-31) and every
register of `shared/spec/registers.md`, written in the shapes real factories produce: title rows
above the header, merged and two-row headers, simplified / traditional / English headers, dates as
Excel dates and as several kinds of text, numbers with separators, full-width digits and units,
CSV exports in GB18030 and UTF-8, a superseded older copy, duplicates, hidden and foreign sheets,
footers, a lock file, and a few rows that a correct reader must reject for stated reasons.

Beside the folder it writes `sample_company_expectations.json`: what a correct reader must find in
every file and sheet (register, rows read, rejected rows with their Excel row and header, skipped
rows, duplicates, superseded rows, unknown customers, rows left for the KPIs, repeat complaints).
That knowledge comes from the generator itself, not from reading the files back; a self-check at
the end then re-opens every file with python-calamine (and the CSVs with their codecs) and
confirms sheet visibility, the header row, the register the header matches, and the row counts.

Deterministic: one seed (2026), no wall-clock value anywhere; every workbook's created/modified
property is set explicitly and XlsxWriter stamps zip members with a fixed date, so a rerun gives
byte-identical files.  Run:  .venv/bin/python examples/make_sample_company.py   (make sample)
"""
from __future__ import annotations

import csv
import io
import json
import random
import re
import shutil
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import chinese_calendar
import opencc
import xlsxwriter

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from pipeline.registers import REGISTERS  # noqa: E402  (the catalogue: header aliases and vocabularies)

SEED = 2026
COMPANY = "示例电子有限公司"
PERIOD = "2026-10"
AS_OF = date(2026, 10, 31)
AS_OF_END = datetime(2026, 11, 1)            # as_of as a moment: the end of its day
MONTHS = tuple((2025 + (8 + i) // 12, (8 + i) % 12 + 1) for i in range(14))   # 2025-09 .. 2026-10
OUT_DIR = HERE / "sample_company"
EXPECTATIONS_FILE = HERE / "sample_company_expectations.json"
ONE_DAY = timedelta(days=1)

_T2S = opencc.OpenCC("t2s")
_S2T = opencc.OpenCC("s2t")


# ============================================================================================
# Calendar: the official Chinese calendar (holidays off, 调休 make-up days on)
# ============================================================================================

def is_workday(d: date) -> bool:
    return chinese_calendar.is_workday(d)


def add_workdays(d: date, n: int) -> date:
    """The n-th working day strictly after d (n = 0 gives d itself)."""
    out = d
    for _ in range(n):
        out += ONE_DAY
        while not is_workday(out):
            out += ONE_DAY
    return out


def previous_workday(d: date) -> date:
    out = d - ONE_DAY
    while not is_workday(out):
        out -= ONE_DAY
    return out


def next_workday_on_or_after(d: date) -> date:
    while not is_workday(d):
        d += ONE_DAY
    return d


def month_days(y: int, m: int) -> list[date]:
    first = date(y, m, 1)
    nxt = date(y + m // 12, m % 12 + 1, 1)
    return [first + timedelta(days=i) for i in range((nxt - first).days)]


def month_workdays(y: int, m: int) -> list[date]:
    return [d for d in month_days(y, m) if is_workday(d)]


def add_months(y: int, m: int, k: int) -> tuple[int, int]:
    i = y * 12 + (m - 1) + k
    return i // 12, i % 12 + 1


def months_before(t: datetime, k: int) -> datetime:
    """The same moment k calendar months earlier (day clamped to the month's length)."""
    y, m = add_months(t.year, t.month, -k)
    return t.replace(year=y, month=m, day=min(t.day, len(month_days(y, m))))


# ============================================================================================
# How cells are written: date and number spellings
# ============================================================================================

_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def d_iso(d: date) -> str:
    return d.isoformat()


def d_slash(d: date) -> str:
    return f"{d.year}/{d.month}/{d.day}"


def d_cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def d_md(d: date) -> str:
    return f"{d.month}月{d.day}日"


def dt_text(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M")


def n_comma(n: int) -> str:
    return f"{n:,}"


def n_fullwidth(n: int) -> str:
    return str(n).translate(_FULLWIDTH)


# ============================================================================================
# Headers come from the register catalogue (pipeline/registers.py)
# ============================================================================================

def norm_header(text: str) -> str:
    """registers.md header matching: no whitespace, half-width, case-folded, no trailing unit
    in brackets, traditional read as simplified."""
    s = unicodedata.normalize("NFKC", str(text))
    s = re.sub(r"\s+", "", s).lower()
    s = re.sub(r"\([^()]*\)$", "", s) or s
    return _T2S.convert(s)


def alias_index() -> dict[str, dict[str, str]]:
    """register -> normalised alias -> canonical column ('customer_code' / 'customer_name' kept)."""
    return {reg.name: {norm_header(a): c.name for c in reg.columns for a in c.aliases}
            for reg in REGISTERS.values()}


ALIASES = alias_index()


def H(register: str, column: str, spelling: str, *, unit: str = "", trad: bool = False,
      wrap: bool = False, space: int | None = None) -> str:
    """A header cell as the company writes it, built from one of the catalogue's aliases.

    `unit` appends a bracketed unit, `wrap` puts a line break before it (or in the middle),
    `space` inserts a full-width space at that position, `trad` writes it in traditional
    characters.  Fails loudly if the spelling is not an alias of that column.
    """
    reg = REGISTERS[register]
    col = reg.column(column)
    if norm_header(spelling) not in {norm_header(a) for a in col.aliases}:
        raise ValueError(f"{spelling!r} is not an alias of {register}.{column}")
    text = _S2T.convert(spelling) if trad else spelling
    if trad and _T2S.convert(text) != spelling:
        raise ValueError(f"traditional form of {spelling!r} does not convert back")
    if space is not None:
        text = text[:space] + "\u3000" + text[space:]
    if wrap and not unit:
        half = len(text) // 2
        text = text[:half] + "\n" + text[half:]
    if unit:
        text = text + ("\n" if wrap else "") + unit
    if ALIASES[register].get(norm_header(text)) != column:
        raise ValueError(f"header {text!r} would not match {register}.{column}")
    return text


def X(register: str, text: str) -> str:
    """A header the register does not know (序号, 品名, 备注 ...): it must stay unknown."""
    if norm_header(text) in ALIASES[register]:
        raise ValueError(f"{text!r} is an alias in {register}; it would not be ignored")
    return text


# ============================================================================================
# The company's customers, products and people
# ============================================================================================

@dataclass(frozen=True)
class Customer:
    code: str
    name: str
    short: str
    segment: str                 # as written in the master
    automotive: bool
    industry: str
    annual_value: int
    key: str                     # 是 / 否 / "" as written
    ppm_target: int | None
    plants: tuple[tuple[str, float], ...]
    on_time: float               # share of lots delivered on time and in full
    lots: tuple[int, int]        # lots per month
    qty: tuple[int, int]         # pcs per lot
    satisfaction: float          # survey level, 0-100
    contacts: tuple[str, ...]    # survey respondents
    parts: tuple[tuple[str, str], ...]


SZ, DG = "深圳厂", "东莞厂"
BIG, MID, SMALL = (3000, 30000), (2000, 12000), (1000, 6000)

CUSTOMERS: tuple[Customer, ...] = (
    Customer("C001", "广州华驰汽车配件有限公司", "华驰", "汽车件", True, "汽车线束", 8_600_000, "是", 30,
             ((SZ, 0.6), (DG, 0.4)), 0.985, (36, 40), BIG, 88.0, ("王磊", "李娜", "陈工"),
             (("WH-0101", "高压线束总成"), ("WH-0102", "BMS采样线束"), ("CN-0103", "防水连接器 12P"),
              ("SN-0104", "温度传感器组件"))),
    Customer("C002", "宁德新能动力电池有限公司", "宁德新能", "汽车", True, "动力电池", 5_200_000, "是", 50,
             ((DG, 1.0),), 0.97, (34, 40), BIG, 84.0, ("林晓峰", "郑敏", "黄工"),
             (("WH-0201", "电芯采样线束"), ("FP-0202", "FPC采集板"), ("CN-0203", "高压连接器 2P"),
              ("SN-0204", "NTC温度传感器"))),
    Customer("C003", "Kessler Automotive GmbH", "Kessler", "auto", True, "Tier-1", 3_400_000, "否", 25,
             ((SZ, 1.0),), 0.95, (32, 38), BIG, 80.0, ("Markus Weber", "Anna Fischer", "Jonas Becker"),
             (("CN-0301", "Sealed connector 16P"), ("WH-0302", "Door harness LH"),
              ("WH-0303", "Door harness RH"))),
    Customer("C004", "重庆长锋汽车电子有限公司", "长锋", "车载", True, "汽车电子", 480_000, "", None,
             ((SZ, 1.0),), 0.93, (28, 34), MID, 90.0, ("刘洋", "邓工"),
             (("PA-0401", "车载充电器控制板"), ("CN-0402", "板端连接器 40P"), ("WH-0403", "仪表线束"))),
    Customer("C005", "苏州博远车载系统有限公司", "博远", "汽车件", True, "车载娱乐", 180_000, "否", None,
             ((DG, 1.0),), 0.92, (25, 28), SMALL, 86.0, ("沈佳",),
             (("FP-0501", "屏幕FPC排线"), ("CN-0502", "USB-C 车载接口"))),
    Customer("C006", "佛山美睿家电有限公司", "美睿", "非汽车", False, "家电", 1_250_000, "是", None,
             ((SZ, 0.5), (DG, 0.5)), 0.99, (34, 40), BIG, 93.0, ("何志强", "梁慧", "罗工"),
             (("PB-0601", "空调电源板"), ("WH-0602", "洗衣机内部线束"), ("CB-0603", "电机控制板"),
              ("WH-0604", "冰箱门体线束"))),
    Customer("C007", "青岛海拓电器股份有限公司", "海拓", "一般", False, "家电", 350_000, "否", None,
             ((DG, 1.0),), 0.965, (28, 33), MID, 91.0, ("孙涛", "于工"),
             (("PB-0701", "热水器主控板"), ("WH-0702", "电源线组件"), ("CN-0703", "端子连接器 4P"))),
    Customer("C008", "武汉光联通信设备有限公司", "光联", "非汽车", False, "通信", 620_000, "否", None,
             ((DG, 1.0),), 0.975, (32, 38), BIG, 87.0, ("胡斌", "程丽", "万工"),
             (("PM-0801", "DC-DC电源模块"), ("CN-0802", "背板连接器"), ("WH-0803", "机柜内部线缆"))),
    Customer("C009", "深圳市云点数码科技有限公司", "云点", "其他", False, "消费电子", 260_000, "否", None,
             ((SZ, 1.0),), 0.94, (28, 33), MID, 82.0, ("周婷", "吴工"),
             (("FP-0901", "耳机FPC"), ("CN-0902", "Type-C 母座"), ("PB-0903", "充电盒PCBA"))),
    Customer("C010", "东莞市声宝电子有限公司", "声宝", "", False, "消费电子", 210_000, "", None,
             ((DG, 1.0),), 0.955, (27, 32), MID, 89.0, ("叶小红", "钟工"),
             (("WH-1001", "音箱内部线材"), ("PB-1002", "功放板PCBA"))),
    Customer("C011", "杭州讯达网络技术有限公司", "讯达", "非汽车", False, "通信", 150_000, "否", None,
             ((SZ, 1.0),), 0.98, (25, 28), SMALL, 94.0, ("蒋文",),
             (("PM-1101", "PoE电源模块"), ("CN-1102", "RJ45 连接器"))),
    Customer("C012", "厦门宏泰照明电器有限公司", "宏泰", "非汽车", False, "照明", 95_000, "否", None,
             ((DG, 1.0),), 0.96, (25, 27), SMALL, 90.0, ("许静",),
             (("PB-1201", "LED驱动板"), ("WH-1202", "灯具连接线"))),
)
BY_CODE = {c.code: c for c in CUSTOMERS}

# A prospect that ordered samples in October 2026 before the master was updated: kept, warned.
UNKNOWN_CUSTOMER = ("C013", "南昌恒通电子有限公司", ("CN-1301", "样品连接器 8P"))

DEFECTS = {
    "D01": "外观划伤", "D02": "尺寸超差", "D03": "端子压接不良", "D04": "虚焊/焊接不良",
    "D05": "功能失效", "D06": "标签错误", "D07": "包装破损", "D08": "混料",
    "D09": "数量短缺", "D10": "异物", "D11": "电性能不良", "D12": "氧化生锈",
}
FINDERS = ("客户IQC来料检验发现", "客户产线装配时发现", "客户OQC抽检发现", "终端用户反馈", "客户实验室测试发现")
CAUSE_WORDS = {"man": ("人", "人员"), "machine": ("机", "设备"), "material": ("料", "物料"),
               "method": ("法", "方法"), "environment": ("环", "环境"), "measurement": ("测", "测量")}
CAUSE_DEPT = {"man": "生产部", "machine": "设备部", "material": "采购部", "method": "工程部",
              "environment": "生产部", "measurement": "品质部", None: "品质部"}
SALES = ("赵敏", "钱伟", "孙丽", "李强")
SERVICE_STAFF = ("周师傅", "吴师傅", "郑工", "王工")
BUSINESS_CLERKS = ("王芳", "陈静", "杨帆")


# ============================================================================================
# Layout model: what goes into a sheet, and what the generator knows about every row
# ============================================================================================

@dataclass(frozen=True)
class Col:
    header: str                  # as written in the file
    key: str                     # the generator's field name
    group: str = ""              # two-row header: the merged group title above the sub-header
    width: float = 12.0
    num_fmt: str = ""            # Excel number format for real numbers
    date_fmt: str = "yyyy-mm-dd"  # Excel number format for real dates


@dataclass(eq=False)
class Row:
    values: dict = field(default_factory=dict)
    kind: str = "data"           # data | blank | footer
    text: str = ""               # footer text
    rejects: list = field(default_factory=list)      # [(column key, reason_kind)]
    duplicate_of: "Row | None" = None
    superseded_by: "Row | None" = None
    customer_unknown: str = ""   # the customer as written, when it is not in the master
    key: str = ""                # the register key, for the expectations
    case: dict | None = None     # a rule case worked out by hand (calendar, repeats ...)
    excel_row: int = 0           # set by the writer
    where: tuple = ()            # (file, sheet), set by the writer


@dataclass(eq=False)
class Sheet:
    name: str
    register: str | None
    titles: list = field(default_factory=list)   # rows above the header; "" = a blank row
    columns: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    hidden: bool = False
    grid: list | None = None     # a free-form sheet (instructions, pivot, dictionary)
    grid_header: int = -1        # 0-based row of the grid drawn as a header
    note: str = ""
    header_row: int = 0          # set by the writer: Excel number of the (last) header row


@dataclass(eq=False)
class Book:
    path: str
    sheets: list
    modified: datetime           # UTC; written as both created and modified
    title: str
    author: str = "质量部"


@dataclass(eq=False)
class CsvFile:
    path: str
    encoding: str                # utf-8-sig | utf-8 | gb18030
    sheet: Sheet
    note: str = ""


def footer(text: str = "制表: 张三   审核: 李四") -> Row:
    return Row(kind="footer", text=text)


def blank() -> Row:
    return Row(kind="blank")


# ============================================================================================
# Writers
# ============================================================================================

class Formats:
    """Formats declared once, named by role; cached per number format."""

    def __init__(self, wb: xlsxwriter.Workbook):
        self.wb = wb
        self.title = wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
        self.subtitle = wb.add_format({"bold": True, "font_size": 13, "align": "center", "valign": "vcenter"})
        self.note = wb.add_format({"font_size": 9, "italic": True})
        self.header = wb.add_format({"bold": True, "border": 1, "text_wrap": True, "align": "center",
                                     "valign": "vcenter", "bg_color": "#DDEBF7"})
        self.plain = wb.add_format({})
        self._cells: dict[str, object] = {}

    def cell(self, num_fmt: str = ""):
        if num_fmt not in self._cells:
            props = {"border": 1, "valign": "top"}
            if num_fmt:
                props["num_format"] = num_fmt
            self._cells[num_fmt] = self.wb.add_format(props)
        return self._cells[num_fmt]


def write_value(ws, fm: Formats, r: int, c: int, value, col: Col | None) -> None:
    if value is None:
        return
    if isinstance(value, datetime):
        fmt = col.date_fmt if col and "h" in col.date_fmt else "yyyy-mm-dd hh:mm"
        ws.write_datetime(r, c, value, fm.cell(fmt))
    elif isinstance(value, date):
        ws.write_datetime(r, c, datetime.combine(value, time()), fm.cell(col.date_fmt if col else "yyyy-mm-dd"))
    elif isinstance(value, bool):
        raise TypeError("booleans are written as the company writes them (是/否, Y/N, √/×, OK/NG)")
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value, fm.cell(col.num_fmt if col else ""))
    else:
        ws.write_string(r, c, str(value), fm.cell(""))


def write_table(ws, fm: Formats, sheet: Sheet, book_path: str) -> None:
    cols = sheet.columns
    ncol = len(cols)
    r = 0
    for i, title in enumerate(sheet.titles):
        if title:
            style = fm.title if i == 0 else fm.subtitle if i == 1 else fm.note
            if i < 2 and ncol > 1:
                ws.merge_range(r, 0, r, ncol - 1, title, style)
            else:
                ws.write_string(r, 0, title, style)
        r += 1
    if any(c.group for c in cols):            # two-row header: group title above sub-headers
        c = 0
        while c < ncol:
            col = cols[c]
            if col.group:
                end = c
                while end + 1 < ncol and cols[end + 1].group == col.group:
                    end += 1
                ws.merge_range(r, c, r, end, col.group, fm.header)
                for k in range(c, end + 1):
                    ws.write_string(r + 1, k, cols[k].header, fm.header)
                c = end + 1
            else:
                ws.merge_range(r, c, r + 1, c, col.header, fm.header)
                c += 1
        ws.set_row(r + 1, 30)
        r += 2
    else:
        for c, col in enumerate(cols):
            ws.write_string(r, c, col.header, fm.header)
        ws.set_row(r, 32)
        r += 1
    sheet.header_row = r                       # the last header row, as Excel numbers it
    ws.freeze_panes(r, 0)
    for c, col in enumerate(cols):
        ws.set_column(c, c, col.width)
    for row in sheet.rows:
        row.excel_row = r + 1
        row.where = (book_path, sheet.name)
        if row.kind == "data":
            for c, col in enumerate(cols):
                write_value(ws, fm, r, c, row.values.get(col.key), col)
        elif row.kind == "footer":
            ws.write_string(r, 0, row.text, fm.plain)
        r += 1


def write_grid(ws, fm: Formats, sheet: Sheet) -> None:
    for r, cells in enumerate(sheet.grid):
        for c, value in enumerate(cells):
            if r == sheet.grid_header and value is not None:
                ws.write_string(r, c, str(value), fm.header)
            elif isinstance(value, float) and 0 <= value <= 1 and r > sheet.grid_header >= 0:
                ws.write_number(r, c, value, fm.cell("0.0%"))
            else:
                write_value(ws, fm, r, c, value, None)
    ws.set_column(0, 0, 28)
    ws.set_column(1, 8, 14)


def write_book(book: Book, root: Path) -> None:
    path = root / book.path
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False, "nan_inf_to_errors": True})
    # XlsxWriter writes `created` as both dcterms:created and dcterms:modified.
    wb.set_properties({"title": book.title, "author": book.author, "company": COMPANY,
                       "created": book.modified})
    fm = Formats(wb)
    for sheet in book.sheets:
        ws = wb.add_worksheet(sheet.name)
        if sheet.grid is not None:
            write_grid(ws, fm, sheet)
        else:
            write_table(ws, fm, sheet, book.path)
        if sheet.hidden:
            ws.hide()
    wb.close()


def csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        raise TypeError("CSV cells are written as text by the renderer")
    return str(value)


def write_csv(cf: CsvFile, root: Path) -> None:
    sheet = cf.sheet
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([c.header for c in sheet.columns])
    sheet.header_row = 1
    for i, row in enumerate(sheet.rows):
        if row.kind != "data":
            raise ValueError("CSV exports have no blank or footer rows")
        row.excel_row = i + 2
        row.where = (cf.path, "")
        w.writerow([csv_text(row.values.get(c.key)) for c in sheet.columns])
    path = root / cf.path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode(cf.encoding))


# ============================================================================================
# Deliveries
# ============================================================================================

@dataclass(eq=False)
class Lot:
    plant: str
    order_no: str
    lot: int
    code: str
    name: str
    part: tuple[str, str]
    qty_due: int
    due: date
    delivered: date | None
    qty_delivered: int | None
    remark: str
    batch: str
    automotive: bool = False


MONTH_STRAIN = {(2025, 10): 0.025, (2026, 2): 0.03, (2026, 10): 0.01}   # National Day, Spring Festival


def lot_outcome(rng: random.Random, cust: Customer, due: date, qty_due: int, ym: tuple[int, int]):
    if rng.random() < cust.on_time - MONTH_STRAIN.get(ym, 0.0):
        delivered = due
        for _ in range(rng.choice((0, 0, 0, 0, 1, 1, 2))):
            delivered = previous_workday(delivered)
        qty, remark = qty_due, ""
    else:
        kind = rng.choices(("late", "short", "undelivered"), (0.65, 0.25, 0.10))[0]
        if kind == "late":
            delivered = next_workday_on_or_after(due + timedelta(days=rng.randint(1, 6)))
            qty, remark = qty_due, rng.choice(("物料延迟", "产能不足", "设备故障", "", ""))
        elif kind == "short":
            delivered = due
            qty = max(100, int(qty_due * rng.uniform(0.6, 0.95)) // 100 * 100)
            remark = rng.choice(("部分交货", "尾数待补", ""))
        else:
            delivered, qty, remark = None, None, rng.choice(("待出货", "缺料"))
    if delivered is not None and delivered > AS_OF:
        delivered, qty, remark = None, None, "待出货"
    return delivered, qty, remark


def make_lots(rng: random.Random) -> dict[tuple[str, tuple[int, int]], list[Lot]]:
    """Delivery lots by (plant, month of the schedule sheet); 2025-08 only feeds a hidden sheet."""
    out: dict[tuple[str, tuple[int, int]], list[Lot]] = defaultdict(list)
    order_seq: Counter = Counter()
    batch_seq: Counter = Counter()
    prefix = {SZ: "SZ", DG: "DG"}
    for ym in ((2025, 8),) + MONTHS:
        y, m = ym
        wdays = month_workdays(y, m)
        for cust in CUSTOMERS:
            total = rng.randint(*cust.lots)
            for plant, share in cust.plants:
                if ym == (2025, 8) and plant != SZ:
                    continue
                remaining = round(total * share)
                while remaining > 0:
                    k = min(remaining, rng.choice((1, 1, 2, 2, 3, 4)))
                    remaining -= k
                    order_seq[(plant, ym)] += 1
                    order_no = f"{prefix[plant]}{y % 100:02d}{m:02d}-{order_seq[(plant, ym)]:04d}"
                    part = rng.choice(cust.parts)
                    for i, due in enumerate(sorted(rng.sample(wdays, k)), 1):
                        qty_due = rng.randrange(cust.qty[0], cust.qty[1] + 1, 500)
                        delivered, qty, remark = lot_outcome(rng, cust, due, qty_due, ym)
                        batch_seq[(plant, due)] += 1
                        batch = f"{prefix[plant][0]}{due:%y%m%d}-{batch_seq[(plant, due)]:02d}"
                        out[(plant, ym)].append(Lot(plant, order_no, i, cust.code, cust.name, part, qty_due,
                                                    due, delivered, qty, remark, batch, cust.automotive))
            if ym == (2026, 10) and rng.random() < 0.5:
                # next month's schedule already on the October sheet: not yet due at as_of
                plant = cust.plants[0][0]
                order_seq[(plant, ym)] += 1
                order_no = f"{prefix[plant]}{y % 100:02d}{m:02d}-{order_seq[(plant, ym)]:04d}"
                part = rng.choice(cust.parts)
                for i, due in enumerate(sorted(rng.sample(month_workdays(2026, 11)[:14], rng.randint(1, 2))), 1):
                    batch_seq[(plant, due)] += 1
                    out[(plant, ym)].append(Lot(plant, order_no, i, cust.code, cust.name, part,
                                                rng.randrange(cust.qty[0], cust.qty[1] + 1, 500), due, None,
                                                None, "下月交货", f"{prefix[plant][0]}{due:%y%m%d}-"
                                                f"{batch_seq[(plant, due)]:02d}", cust.automotive))
    # the prospect not yet in the customer master: three sample lots from 东莞厂 in October
    code, name, part = UNKNOWN_CUSTOMER
    order_seq[(DG, (2026, 10))] += 1
    order_no = f"DG2610-{order_seq[(DG, (2026, 10))]:04d}"
    for i, (due, delivered) in enumerate(((date(2026, 10, 13), date(2026, 10, 13)),
                                          (date(2026, 10, 20), date(2026, 10, 22)),
                                          (date(2026, 10, 27), date(2026, 10, 27))), 1):
        out[(DG, (2026, 10))].append(Lot(DG, order_no, i, code, name, part, 500, due, delivered, 500, "样品",
                                         f"D{due:%y%m%d}-S{i}"))
    for lots in out.values():
        lots.sort(key=lambda lot: (lot.due, lot.order_no, lot.lot))
    return out


def qty_cell(rng: random.Random, n: int | None, allow_unit: bool = True):
    """A quantity as clerks type it: mostly a number, sometimes text with separators or a unit."""
    if n is None:
        return None
    u = rng.random()
    if u < 0.08 and n >= 1000:
        return n_comma(n)
    if u < 0.12:
        return str(n)
    if u < 0.14 and allow_unit:
        return f"{n}PCS" if rng.random() < 0.5 else f"{n} pcs"
    return n


def delivery_columns(trad: bool) -> list[Col]:
    def h(col, spelling, **kw):
        return H("deliveries", col, spelling, trad=trad, **kw)

    def x(text):
        return X("deliveries", _S2T.convert(text) if trad else text)

    date_fmt = "yyyy/m/d" if trad else "yyyy-mm-dd"
    return [
        Col(x("序号"), "seq", width=6),
        Col(h("order_no", "订单号"), "order_no", width=14),
        Col(h("lot_no", "项次"), "lot", width=6),
        Col(h("customer_code", "客户代码"), "code", width=9),
        Col(h("customer_name", "客户名称"), "name", width=28),
        Col(h("part_no", "料号"), "part", width=11),
        Col(x("品名"), "part_name", width=18),
        Col(h("qty_due", "订单数量", unit="" if trad else "(PCS)", wrap=not trad), "qty_due", width=11,
            num_fmt="#,##0"),
        Col(h("due_date", "交期" if trad else "要求交期"), "due", width=12, date_fmt=date_fmt),
        Col(h("delivered_date", "实际交货日期"), "delivered", width=13, date_fmt=date_fmt),
        Col(h("qty_delivered", "实交数量", unit="" if trad else "(PCS)"), "qty_delivered", width=11,
            num_fmt="#,##0"),
        Col(h("plant", "厂区"), "plant", width=8),
        Col(x("备注"), "remark", width=12),
    ]


def delivery_row(rng: random.Random, lot: Lot, seq: int, date_style: str, undelivered_qty: str) -> Row:
    def dcell(d: date | None):
        if d is None:
            return None
        return {"excel": d, "slash": d_slash(d), "cn": d_cn(d), "md": d_md(d), "iso": d_iso(d)}[date_style]

    if lot.delivered is None:
        qty_delivered = {"blank": None, "dash": "-", "zero": 0}[undelivered_qty]
    else:
        qty_delivered = qty_cell(rng, lot.qty_delivered)
    return Row(values={"seq": seq, "order_no": lot.order_no, "lot": lot.lot, "code": lot.code, "name": lot.name,
                       "part": lot.part[0], "part_name": lot.part[1], "qty_due": qty_cell(rng, lot.qty_due, False),
                       "due": dcell(lot.due), "delivered": dcell(lot.delivered), "qty_delivered": qty_delivered,
                       "plant": lot.plant, "remark": lot.remark or None},
               key=f"{lot.order_no}/{lot.lot}")


def delivery_sheet(rng: random.Random, lots: list[Lot], ym: tuple[int, int], *, trad: bool, date_style: str,
                   with_footer: bool) -> Sheet:
    y, m = ym
    name = f"{y}年{m}月"
    titles = ([_S2T.convert(COMPANY), f"{y}年{m}月出貨記錄表", "", ""] if trad else
              [COMPANY, f"{y}年{m}月订单交货进度表", "文件编号: QR-8.2-07  版本: B/0   单位: PCS", ""])
    rows = [delivery_row(rng, lot, i, date_style, rng.choice(("blank", "dash", "zero")))
            for i, lot in enumerate(lots, 1)]
    if with_footer:
        rows += [blank(), footer()]
    return Sheet(name, "deliveries", titles, delivery_columns(trad), rows)


def shenzhen_pivot(lots_by_month: dict) -> Sheet:
    """The plant's own pivot: OTD by customer Jan-Oct (matches no register)."""
    due: Counter = Counter()
    late: Counter = Counter()
    for ym, lots in lots_by_month.items():
        for lot in lots:
            if lot.due > AS_OF:
                continue
            due[lot.name] += 1
            if lot.delivered is None or lot.delivered > lot.due or (lot.qty_delivered or 0) < lot.qty_due:
                late[lot.name] += 1
    grid = [["2026年1-10月 深圳厂交期达成汇总"], ["数据来源: 各月进度表"],
            ["客户名称", "应交批数", "延迟批数", "交期达成率"]]
    for name in sorted(due, key=lambda n: -due[n]):
        grid.append([name, due[name], late[name], round((due[name] - late[name]) / due[name], 4)])
    grid.append(["合计", sum(due.values()), sum(late.values()),
                 round((sum(due.values()) - sum(late.values())) / sum(due.values()), 4)])
    return Sheet("汇总", None, grid=grid, grid_header=2,
                 note="pivot summary; its header has a customer name but no order, due date or quantity")


def deliveries_files(rng: random.Random, lots: dict) -> tuple[list[Book], list[CsvFile]]:
    """Shenzhen keeps a workbook per year (a sheet per month); Dongguan a traditional-header
    workbook until September 2026, then an ERP export."""
    books, csvs = [], []

    # --- 深圳厂 2025: real Excel dates; the old August sheet is hidden; blank rows in November
    sheets = []
    for ym in ((2025, 9), (2025, 10), (2025, 11), (2025, 12)):
        sheet = delivery_sheet(rng, lots[(SZ, ym)], ym, trad=False, date_style="excel", with_footer=False)
        if ym == (2025, 11):
            half = len(sheet.rows) // 2
            sheet.rows[half:half] = [blank(), blank()]
        sheets.append(sheet)
    hidden = delivery_sheet(rng, lots[(SZ, (2025, 8))], (2025, 8), trad=False, date_style="excel",
                            with_footer=False)
    hidden.hidden = True
    hidden.note = "an old month's sheet, hidden: not read"
    books.append(Book("交货/深圳厂/订单交货进度表_2025.xlsx", sheets + [hidden], datetime(2026, 1, 6, 2, 15),
                      "订单交货进度表 2025"))

    # --- 深圳厂 2026: every date spelling, footers, a duplicate, three rejects, a pivot sheet
    styles = {1: "excel", 2: "excel", 3: "md", 4: "slash", 5: "slash", 6: "slash", 7: "excel", 8: "cn",
              9: "excel", 10: "excel"}
    sheets = []
    for m in range(1, 11):
        sheet = delivery_sheet(rng, lots[(SZ, (2026, m))], (2026, m), trad=False, date_style=styles[m],
                               with_footer=True)
        sheets.append(sheet)
    may, june = sheets[4], sheets[5]
    # a lot pasted twice (same key, identical values): kept once, the copy is a duplicate
    original = may.rows[40]
    may.rows.insert(41, Row(values=dict(original.values), key=original.key, duplicate_of=original))
    # a return typed as a negative delivered quantity
    neg = may.rows[75]
    neg.values["qty_delivered"] = -500
    neg.values["remark"] = "客户退回"
    neg.rejects.append(("qty_delivered", "negative_qty"))
    # a lot whose due date was never entered
    nodue = june.rows[30]
    nodue.values["due"] = None
    nodue.rejects.append(("due", "missing_required"))
    books.append(Book("交货/深圳厂/订单交货进度表_2026.xlsx", sheets + [shenzhen_pivot(
        {(2026, m): lots[(SZ, (2026, m))] for m in range(1, 11)})], datetime(2026, 10, 31, 10, 5),
        "订单交货进度表 2026"))

    # --- 东莞厂: traditional headers (the parent company's template), 2025-09 .. 2026-09
    sheets = []
    for ym in MONTHS[:-1]:
        style = "slash" if ym == (2026, 3) else "excel"
        sheets.append(delivery_sheet(rng, lots[(DG, ym)], ym, trad=True, date_style=style, with_footer=False))
    april = sheets[MONTHS.index((2026, 4))]
    two = april.rows[20]                                   # one row, two problems: both reported
    two.values["due"] = "2026/02/30"
    two.values["qty_delivered"] = -20
    two.rejects += [("due", "bad_date"), ("qty_delivered", "negative_qty")]
    books.append(Book("交货/东莞厂/東莞廠出貨記錄.xlsx", sheets, datetime(2026, 10, 2, 1, 40), "出貨記錄"))

    # --- 东莞厂 October 2026: the new ERP's export, English headers, UTF-8 without BOM
    cols = [Col(H("deliveries", "order_no", "Order No"), "order_no"),
            Col(H("deliveries", "lot_no", "Lot No"), "lot"),
            Col(H("deliveries", "customer_code", "Customer Code"), "code"),
            Col(H("deliveries", "customer_name", "Customer Name"), "name"),
            Col(H("deliveries", "part_no", "Part No"), "part"),
            Col(X("deliveries", "Item Description"), "part_name"),
            Col(H("deliveries", "qty_due", "Order Qty"), "qty_due"),
            Col(H("deliveries", "due_date", "Due Date"), "due"),
            Col(H("deliveries", "delivered_date", "Ship Date"), "delivered"),
            Col(H("deliveries", "qty_delivered", "Shipped Qty"), "qty_delivered"),
            Col(H("deliveries", "plant", "Plant"), "plant")]
    rows = []
    for lot in lots[(DG, (2026, 10))]:
        row = Row(values={"order_no": lot.order_no, "lot": f"{lot.lot:02d}", "code": lot.code, "name": lot.name,
                          "part": lot.part[0], "part_name": lot.part[1], "qty_due": str(lot.qty_due),
                          "due": d_iso(lot.due), "delivered": d_iso(lot.delivered) if lot.delivered else None,
                          "qty_delivered": str(lot.qty_delivered or 0), "plant": lot.plant},
                  key=f"{lot.order_no}/{lot.lot:02d}")
        if lot.code not in BY_CODE:
            row.customer_unknown = lot.code
        rows.append(row)
    csvs.append(CsvFile("交货/东莞厂/ERP出货明细_东莞厂_202610.csv", "utf-8",
                        Sheet("", "deliveries", [], cols, rows),
                        note="ERP export: English headers, UTF-8 without BOM"))
    return books, csvs


# ============================================================================================
# Complaints
# ============================================================================================

@dataclass(eq=False)
class Complaint:
    no: str
    received: datetime
    cust: Customer
    part: tuple[str, str]
    batch: str
    description: str
    code: str | None
    qty: int
    category: str | None
    severity: str
    cause: str | None
    dept: str
    response: datetime | None
    d8: date | None
    closed: date | None
    verified: bool | None
    batch_reject: bool
    claim: float | None
    tag: str = ""
    code_cell: str = ""          # the defect code as written ("/" or "无" when the clerk left it out)


# Fixed complaints: the repeats (same customer, part and defect code within 6 months), the
# recurrence 7 months apart (not a repeat by default), and deadlines across National Day.
# (received, customer, part index, code, category, severity, response, 8D, closed, tag)
FIXED_COMPLAINTS = (
    (datetime(2025, 9, 30, 16, 20), "C001", 1, "D04", "A", "urgent", datetime(2025, 10, 9, 9, 30),
     date(2025, 10, 10), date(2025, 10, 24), "national_day_2025"),
    (datetime(2025, 11, 5, 10, 40), "C004", 2, "D02", "B", "normal", None, None, None, "repeat_r3_first"),
    (datetime(2025, 12, 10, 14, 5), "C006", 3, "D05", "B", "normal", None, None, None, "recurrence_7m_first"),
    (datetime(2026, 2, 26, 9, 15), "C004", 2, "D02", "B", "normal", None, None, None, "repeat_r3"),
    (datetime(2026, 3, 11, 11, 0), "C001", 2, "D03", "A", "urgent", None, None, None, "repeat_r1_first"),
    (datetime(2026, 5, 8, 15, 30), "C002", 1, "D07", "C", "normal", None, None, None, "repeat_r2_first"),
    (datetime(2026, 6, 17, 8, 50), "C001", 2, "D03", "A", "urgent", None, None, None, "repeat_r1"),
    (datetime(2026, 7, 14, 13, 25), "C006", 3, "D05", "B", "normal", None, None, None, "recurrence_7m"),
    (datetime(2026, 9, 15, 10, 10), "C002", 1, "D07", "C", "normal", None, None, None, "repeat_r2"),
    (datetime(2026, 9, 30, 10, 5), "C008", 0, "D11", "B", "normal", datetime(2026, 10, 8, 11, 0),
     date(2026, 10, 9), date(2026, 10, 23), "national_day_2026"),
    (datetime(2026, 10, 10, 9, 15), "C002", 3, "D11", "A", "urgent", datetime(2026, 10, 10, 15, 0),
     date(2026, 10, 12), None, "makeup_saturday"),
    (datetime(2026, 10, 20, 14, 45), "C002", 1, "D07", "B", "normal", None, None, None, "repeat_r2_again"),
)


def pick_lot(rng: random.Random, delivered_lots: dict, code: str, received: datetime,
             part: tuple[str, str] | None) -> Lot | None:
    pool = [lot for lot in delivered_lots[code]
            if received.date() - timedelta(days=75) <= lot.delivered < received.date()
            and (part is None or lot.part == part)]
    return rng.choice(pool) if pool else None


def complaint_moment(rng: random.Random, y: int, m: int) -> datetime:
    days = [d for d in month_days(y, m) if d <= AS_OF]
    work = [d for d in days if is_workday(d)]
    d = rng.choice(work) if rng.random() < 0.9 else rng.choice(days)
    return datetime.combine(d, time(rng.randint(8, 18), rng.choice(range(0, 60, 5))))


def make_complaints(rng: random.Random, lots: dict) -> list[Complaint]:
    delivered_lots: dict[str, list[Lot]] = defaultdict(list)
    for plant_lots in lots.values():
        for lot in plant_lots:
            if lot.delivered is not None:
                delivered_lots[lot.code].append(lot)
    fixed_by_month: dict[tuple[int, int], list] = defaultdict(list)
    reserved = set()
    for spec in FIXED_COMPLAINTS:
        fixed_by_month[(spec[0].year, spec[0].month)].append(spec)
        reserved.add((spec[1], BY_CODE[spec[1]].parts[spec[2]][0], spec[3]))
    used_combos: set = set()
    descriptions: set = set()
    weights = [(1.5 if c.annual_value >= 500_000 else 1.0 if c.annual_value >= 200_000 else 0.6)
               * (1.3 if c.automotive else 1.0) for c in CUSTOMERS]
    out: list[Complaint] = []
    for (y, m) in MONTHS:
        specs = list(fixed_by_month[(y, m)])
        # October's register is not cleaned up yet: it carries the five entries a reader rejects
        n_random = max(0, rng.randint(*((14, 16) if (y, m) == (2026, 10) else (8, 15))) - len(specs))
        month: list[Complaint] = []
        for spec in specs:
            received, code, part_i, dcode, cat, sev, resp, d8, closed, tag = spec
            cust = BY_CODE[code]
            part = cust.parts[part_i]
            month.append(build_complaint(rng, received, cust, part, dcode, cat, sev, delivered_lots,
                                         descriptions, tag, resp, d8, closed))
        for _ in range(n_random):
            for _attempt in range(50):
                cust = rng.choices(CUSTOMERS, weights)[0]
                received = complaint_moment(rng, y, m)
                lot = pick_lot(rng, delivered_lots, cust.code, received, None)
                part = lot.part if lot else rng.choice(cust.parts)
                free = [c for c in DEFECTS if (cust.code, part[0], c) not in used_combos | reserved]
                if free:
                    break
            dcode = rng.choice(free)
            used_combos.add((cust.code, part[0], dcode))
            cat = rng.choices(("A", "B", "C", None), (0.14, 0.36, 0.47, 0.03))[0]
            sev = "urgent" if (cat == "A" and rng.random() < 0.8) or rng.random() < 0.12 else "normal"
            month.append(build_complaint(rng, received, cust, part, dcode, cat, sev, delivered_lots,
                                         descriptions, "", None, None, None, lot=lot))
        month.sort(key=lambda c: c.received)
        for i, c in enumerate(month, 1):
            c.no = f"KS{y % 100:02d}{m:02d}-{i:02d}"
        out += month
    return out


def build_complaint(rng, received, cust, part, dcode, cat, sev, delivered_lots, descriptions, tag,
                    resp, d8, closed, lot=None) -> Complaint:
    if lot is None:
        lot = pick_lot(rng, delivered_lots, cust.code, received, part)
    batch = lot.batch if lot else f"{'S' if cust.plants[0][0] == SZ else 'D'}{received - timedelta(days=12):%y%m%d}-01"
    batch_reject = rng.random() < {"A": 0.35, "B": 0.08, "C": 0.02, None: 0.0}[cat]
    # the defect quantity is what sorting confirmed, not the size of the returned lot
    if batch_reject:
        qty = rng.randint(1000, 2500) if rng.random() < 0.1 else rng.randint(30, 300)
    else:
        qty = {"A": rng.randint(5, 100), "B": rng.randint(2, 40), "C": rng.randint(1, 15),
               None: rng.randint(1, 10)}[cat]
    finder = rng.choice(FINDERS)
    description = f"{finder}{DEFECTS[dcode]}，批号{batch}，不良{qty}pcs"
    while description in descriptions:           # unique: the repeat rule's fallback never fires by accident
        qty += 1
        description = f"{finder}{DEFECTS[dcode]}，批号{batch}，不良{qty}pcs"
    descriptions.add(description)
    cause = rng.choices(tuple(CAUSE_WORDS) + (None,), (0.2, 0.15, 0.2, 0.25, 0.05, 0.1, 0.05))[0]
    # first response: most within 24 h (urgent) / 48 h (normal), some late, a few never sent
    limit_h = 24 if sev == "urgent" else 48
    if resp is None:
        u = rng.random()
        if u < 0.9:
            resp = received + timedelta(minutes=5 * rng.randint(6, int(limit_h * 0.8 * 12)))
        elif u < 0.97:
            resp = received + timedelta(minutes=5 * rng.randint((limit_h + 1) * 12, int(limit_h * 2.5 * 12)))
        else:
            resp = None
        if resp is not None and resp.hour < 8:        # replies are written in office hours
            resp = resp.replace(hour=8, minute=5 * rng.randint(0, 11))
        elif resp is not None and resp.hour >= 21:
            resp = (resp + ONE_DAY).replace(hour=8, minute=5 * rng.randint(0, 11))
    if resp is not None and resp >= AS_OF_END:
        resp = None
    # 8D report: within 2 (urgent) / 7 (normal) days mostly, some late, a few missing
    if d8 is None and tag != "makeup_saturday":
        limit_d = 2 if sev == "urgent" else 7
        u = rng.random()
        if u < 0.84:
            d8 = received.date() + timedelta(days=rng.randint(1, limit_d))
        elif u < 0.97:
            d8 = received.date() + timedelta(days=rng.randint(limit_d + 1, limit_d + 10))
        if d8 is not None:
            d8 = next_workday_on_or_after(d8)            # our staff file 8Ds on working days
    if d8 is not None and resp is not None and d8 < resp.date():
        d8 = resp.date()                             # the 8D follows the first reply (still after receipt)
    if d8 is not None and d8 > AS_OF:
        d8 = None
    if d8 is None:
        cause = None if rng.random() < 0.7 else cause
    if closed is None and tag not in ("makeup_saturday", "repeat_r2_again"):
        if rng.random() > 0.04:
            closed = received.date() + timedelta(days=rng.randint(15, 60) if cat == "A" else rng.randint(7, 40))
            if d8 is not None and closed <= d8:
                closed = d8 + timedelta(days=rng.randint(1, 5))
            closed = next_workday_on_or_after(closed)
    if closed is not None and (closed > AS_OF or d8 is None):
        closed = None
    verified = None
    if closed is not None:
        verified = rng.choices((True, False, None), (0.85, 0.05, 0.10))[0]
    claim = None
    if cust.automotive and (cat == "A" or batch_reject):
        claim = float(round(rng.uniform(1500, 30000), -2))
    code_cell = dcode if tag or rng.random() > 0.05 else rng.choice(("/", "无"))
    return Complaint("", received, cust, part, batch, description, dcode, qty, cat, sev, cause,
                     CAUSE_DEPT[cause], resp, d8, closed, verified, batch_reject, claim, tag, code_cell)


# Worked by hand on the official calendar (2025: Oct 1-8 off, Sep 28 and Oct 11 worked;
# 2026: Oct 1-7 off, Sep 20 and Oct 10 worked).
COMPLAINT_CASES = {
    "national_day_2025": {
        "rule": "reply / 8D deadlines across National Day 2025",
        "facts": "urgent, received 2025-09-30 16:20 (Tue), first reply 2025-10-09 09:30, 8D 2025-10-10",
        "calendar_clock": {"response": "late (209.2 h > 24 h)", "8d": "late (deadline 2025-10-02 16:20)"},
        "working_clock": {"response": "on_time (1 working day after 09-30 is 10-09)",
                          "8d": "on_time (2nd working day after 09-30 is 10-10)"}},
    "national_day_2026": {
        "rule": "reply / 8D deadlines across National Day 2026",
        "facts": "normal, received 2026-09-30 10:05 (Wed), first reply 2026-10-08 11:00, 8D 2026-10-09",
        "calendar_clock": {"response": "late (192.9 h > 48 h)", "8d": "late (deadline 2026-10-07 10:05)"},
        "working_clock": {"response": "on_time (2 working days after 09-30: 10-08, 10-09)",
                          "8d": "on_time (7th working day after 09-30 is 10-15; 10-10 is a make-up Saturday)"}},
    "makeup_saturday": {
        "rule": "a complaint received on a 调休 working Saturday",
        "facts": "urgent, received 2026-10-10 09:15 (Sat, worked), reply 15:00 the same day, 8D 2026-10-12",
        "calendar_clock": {"response": "on_time", "8d": "on_time (10-12 00:00 <= 10-12 09:15)"},
        "working_clock": {"response": "on_time", "8d": "on_time (2nd working day after 10-10 is 10-13)"}},
}

COMPLAINT_CUTOFF = datetime(2026, 9, 30, 17, 45)   # the archived copy was saved then (local time)


def complaint_columns() -> list[Col]:
    def h(col, spelling, **kw):
        return H("complaints", col, spelling, **kw)
    return [
        Col(X("complaints", "序号"), "seq", width=5),
        Col(h("complaint_no", "客诉编号"), "no", width=11),
        Col(h("received_date", "客诉日期"), "received", width=17, date_fmt="yyyy-mm-dd hh:mm"),
        Col(h("customer_name", "客户名称"), "customer", width=26),
        Col(h("part_no", "料号"), "part", width=10),
        Col(h("lot_no", "批号"), "batch", width=12),
        Col(h("description", "不良描述"), "description", width=40),
        Col(h("defect_code", "不良代码"), "code", width=8),
        Col(h("defect_qty", "不良数量", unit="(PCS)", wrap=True), "qty", width=9, num_fmt="#,##0"),
        Col(h("category", "类别"), "category", width=6),
        Col(h("severity", "紧急程度", wrap=True), "severity", width=7),
        Col(h("root_cause", "原因分类"), "cause", width=8),
        Col(h("responsible_dept", "责任部门", space=2), "dept", width=9),
        Col(h("first_response_at", "首次回复时间"), "response", group="回复情况", width=17,
            date_fmt="yyyy-mm-dd hh:mm"),
        Col(h("report_8d_at", "8D回复日期"), "d8", group="回复情况", width=12),
        Col(h("closed_date", "结案日期"), "closed", width=14),
        Col(h("verified", "效果确认"), "verified", width=8),
        Col(h("batch_reject", "是否批退"), "batch_reject", width=8),
        Col(h("claim_amount", "索赔金额", unit="（元）"), "claim", width=12, num_fmt="#,##0.00"),
    ]


def complaint_values(c: Complaint, seq: int, cut: datetime | None) -> dict:
    """The row as the clerk wrote it; with `cut`, as the register stood at that moment."""
    r = random.Random(f"{SEED}:{c.no}")
    # every spelling choice is drawn up front, whatever the row holds, so that the archived copy
    # and the current register spell a complaint the same way: they differ only where its facts do
    p = [r.random() for _ in range(10)]
    response = c.response if c.response is not None and (cut is None or c.response <= cut) else None
    d8 = c.d8 if c.d8 is not None and (cut is None or c.d8 <= cut.date()) else None
    closed = c.closed if c.closed is not None and (cut is None or c.closed <= cut.date()) else None
    cause = c.cause if d8 is not None or cut is None else None
    received = c.received if p[0] < 0.7 else dt_text(c.received)
    customer = c.cust.name + (" " if p[1] < 0.05 else "")
    if c.qty >= 1000 and p[2] < 0.3:
        qty = n_comma(c.qty)
    elif p[2] < 0.08:
        qty = n_fullwidth(c.qty)
    elif p[2] < 0.16:
        qty = f"{c.qty}pcs"
    else:
        qty = c.qty
    category = None
    if c.category is not None:
        spellings = (c.category, c.category, f"{c.category}类", f"{c.category.lower()}类",
                     c.category.translate(str.maketrans("ABC", "ＡＢＣ")))
        category = spellings[int(p[3] * len(spellings))]
    severity = (("紧急", "紧急", "急件") if c.severity == "urgent" else ("一般", "普通", None))[int(p[4] * 3)]
    resp_cell = None if response is None else (dt_text(response) if p[5] < 0.6 else response)
    d8_cell = None if d8 is None else (d8 if p[6] < 0.6 else d_slash(d8))
    closed_cell = None if closed is None else (closed if p[7] < 0.5 else d_cn(closed))
    verified = {True: "√", False: "×", None: None}[c.verified] if closed is not None else None
    batch_reject = (("是" if c.batch_reject else "否") if c.received.year == 2025 else
                    ("Y" if c.batch_reject else "N"))
    claim = c.claim if c.claim is not None else ("/", "无", None, 0)[int(p[8] * 4)]
    cause_cell = None if cause is None else CAUSE_WORDS[cause][int(p[9] * 2)]
    return {"seq": seq, "no": c.no, "received": received, "customer": customer, "part": c.part[0],
            "batch": c.batch, "description": c.description, "code": c.code_cell, "qty": qty,
            "category": category, "severity": severity, "cause": cause_cell,
            "dept": c.dept, "response": resp_cell, "d8": d8_cell, "closed": closed_cell, "verified": verified,
            "batch_reject": batch_reject, "claim": claim}


COMPLAINT_TITLES = [COMPANY, "顾客抱怨事件登录表", "文件编号: QR-8.2-03  版本: A/0", ""]

INSTRUCTIONS = [
    ["填写说明"],
    [None],
    ["一、每一件顾客抱怨(含电话、邮件、书面)均须在接到当日登录本表。"],
    ["二、编号规则: KS + 年月 + 两位流水号, 例如 KS2610-01。"],
    ["三、紧急程度: 紧急件须于24小时内首次回复, 一般件48小时内回复; 8D报告紧急件2天、一般件7天内提交。"],
    ["四、原因分类按5M1E填写: 人、机、料、法、环、测。"],
    ["五、不良代码见隐藏工作表, 不得自行新增代码; 结案后由品质部确认效果。"],
    ["六、索赔金额以顾客扣款通知为准, 无索赔填“/”。"],
]


def complaint_dictionary() -> Sheet:
    grid = [["不良代码", "不良名称", "说明"]] + [[k, v, ""] for k, v in DEFECTS.items()]
    return Sheet("数据字典", None, grid=grid, grid_header=0, hidden=True,
                 note="the defect-code list, hidden: not read")


def complaint_files(complaints: list[Complaint]) -> tuple[list[Book], dict]:
    """The current register (with the October entries not yet cleaned up) and the copy archived at
    the end of September: identical rows are duplicates, rows changed since are superseded."""
    october = [c for c in complaints if c.received.year == 2026 and c.received.month == 10 and not c.tag]
    mess = {october[1].no: "reply_before", october[3].no: "category_e", october[5].no: "approx_qty"}
    conflict_a, conflict_b = october[7], october[9]          # b is typed with a's number
    rows: list[Row] = []
    by_no: dict[str, Row] = {}
    for seq, c in enumerate(complaints, 1):
        values = complaint_values(c, seq, None)
        row = Row(values=values, key=c.no)
        kind = mess.get(c.no)
        if kind == "reply_before":
            values["response"] = dt_text(c.received - timedelta(hours=30))
            row.rejects.append(("response", "response_before_received"))
        elif kind == "category_e":
            values["category"] = "E"
            row.rejects.append(("category", "not_in_vocab"))
        elif kind == "approx_qty":
            values["qty"] = "约100"
            row.rejects.append(("qty", "bad_number"))
        if c is conflict_b:
            values["no"] = conflict_a.no
            row.key = conflict_a.no
        if c in (conflict_a, conflict_b):
            row.rejects.append(("no", "conflict"))
        if c.tag in COMPLAINT_CASES:
            row.case = {"register": "complaints", "key": c.no, **COMPLAINT_CASES[c.tag]}
        rows.append(row)
        by_no.setdefault(row.key, row)
    rows += [blank(), footer("制表: 张三   审核: 李四   批准: 王五")]
    current = Book("顾客抱怨事件登录表.xlsx", [
        Sheet("登录表", "complaints", COMPLAINT_TITLES, complaint_columns(), rows),
        Sheet("填写说明", None, grid=INSTRUCTIONS, note="instructions: matches no register"),
        complaint_dictionary()], datetime(2026, 10, 31, 9, 30), "顾客抱怨事件登录表")

    archived_rows: list[Row] = []
    for seq, c in enumerate([c for c in complaints if c.received <= COMPLAINT_CUTOFF], 1):
        values = complaint_values(c, seq, COMPLAINT_CUTOFF)
        newer = by_no[c.no]
        row = Row(values=values, key=c.no)
        if {k: v for k, v in values.items() if k != "seq"} == {k: v for k, v in newer.values.items() if k != "seq"}:
            row.duplicate_of = newer
        else:
            row.superseded_by = newer
        archived_rows.append(row)
    archived_rows += [blank(), footer("制表: 张三   审核: 李四   批准: 王五")]
    archive = Book("archive/顾客抱怨事件登录表_2026-09版.xlsx", [
        Sheet("登录表", "complaints", COMPLAINT_TITLES, complaint_columns(), archived_rows),
        Sheet("填写说明", None, grid=INSTRUCTIONS, note="instructions: matches no register"),
        complaint_dictionary()], datetime(2026, 9, 30, 9, 45), "顾客抱怨事件登录表")
    return [current, archive], {"numbers_written": sorted(set(mess) | {conflict_a.no}),
                                "not_used": sorted(set(mess) | {conflict_a.no, conflict_b.no})}


def same_defect(a: Complaint, b: Complaint) -> bool:
    """kpis.md: the same defect_code where both have one, else the same description after removing
    whitespace and folding case."""
    code_a = None if a.code_cell in ("/", "无", "") else a.code_cell
    code_b = None if b.code_cell in ("/", "无", "") else b.code_cell
    if code_a and code_b:
        return code_a == code_b
    fold = lambda t: re.sub(r"\s+", "", t).casefold()   # noqa: E731
    return fold(a.description) == fold(b.description)


def repeat_expectations(complaints: list[Complaint], rejected_nos: set[str]) -> dict:
    """Repeat complaints by the kpis.md rule (IATF 10.2.3), worked out from what was generated:
    an earlier complaint of the same customer and part with the same defect, received within
    `recurrence_months` (default 6) months before it. Only complaints the KPIs use take part."""
    used = [c for c in complaints if c.no not in rejected_nos]
    repeats, outside = [], []
    for c in used:
        earlier = [e for e in used if e.cust is c.cust and e.part == c.part and e.received < c.received
                   and same_defect(e, c)]
        start = months_before(c.received, 6)
        within = [e.no for e in earlier if e.received >= start]
        older = [e.no for e in earlier if e.received < start]
        entry = {"complaint_no": c.no, "customer": c.cust.code, "part_no": c.part[0], "defect_code": c.code_cell}
        if within:
            repeats.append({**entry, "repeats": within})
        if older:
            outside.append({**entry, "earlier_outside_6_months": older,
                            "months_apart": [round((c.received - e.received).days / 30.44, 1)
                                             for e in earlier if e.received < start]})
    return {"repeat_complaints": repeats, "recurrences_outside_6_months": outside}


# ============================================================================================
# Incidents (ERP export, GB18030)
# ============================================================================================

def incidents_file(rng: random.Random, complaints: list[Complaint], lots: dict, rejected_nos: set) -> CsvFile:
    events = []
    for c in complaints:
        if c.no in rejected_nos:
            continue
        if c.cust.automotive and c.batch_reject and rng.random() < 0.6:
            d = c.received.date() + timedelta(days=rng.randint(3, 10))
            if d <= AS_OF:
                events.append((d, c.cust, "罚款", 1, round(rng.uniform(2000, 20000), -2),
                               f"{c.no} 批退罚款"))
        if c.cust.automotive and c.d8 and c.d8 > c.received.date() + timedelta(days=2 if c.severity == "urgent"
                                                                                 else 7) and rng.random() < 0.5:
            events.append((c.d8, c.cust, rng.choice(("8D延迟", "整改延迟")), 1, None, f"{c.no} 8D报告逾期"))
    late = [lot for plant_lots in lots.values() for lot in plant_lots
            if lot.delivered and lot.delivered > lot.due and lot.code in BY_CODE and lot.due.year >= 2025
            and (lot.due.year, lot.due.month) >= MONTHS[0]]
    for lot in rng.sample(late, 9):
        events.append((lot.delivered, BY_CODE[lot.code], rng.choice(("加急运费", "空运费", "超额运费")),
                       1, round(rng.uniform(1800, 18000), -1), f"{lot.order_no} 交期延误改空运"))
    auto = [c for c in CUSTOMERS if c.automotive] + [BY_CODE["C006"], BY_CODE["C008"]]
    for _ in range(8):
        y, m = rng.choice(MONTHS)
        d = rng.choice([x for x in month_workdays(y, m) if x <= AS_OF])
        cust = rng.choice(auto)
        events.append((d, cust, "特采", rng.choice((1, 1, 2)), None, f"{rng.choice(cust.parts)[0]} 尺寸偏差申请特采"))
    events.append((date(2026, 4, 16), BY_CODE["C003"], "其他", 1, None, "客户通报: 包装标签格式不符 VDA 4902"))
    events.append((date(2026, 8, 5), BY_CODE["C002"], "其他", 1, None, "客户要求驻厂检验一周"))
    # the ERP books an event on a working day; a notice dated in a holiday is entered after it
    events = [(min(next_workday_on_or_after(e[0]), AS_OF),) + tuple(e[1:]) for e in events]
    events.sort(key=lambda e: (e[0], e[1].code))
    cols = [Col(X("incidents", "单据号"), "no"),
            Col(H("incidents", "date", "发生日期"), "date"),
            Col(H("incidents", "customer_code", "客户代码"), "code"),
            Col(H("incidents", "customer_name", "客户名称"), "name"),
            Col(H("incidents", "type", "事件类型"), "type"),
            Col(H("incidents", "count", "次数"), "count"),
            Col(H("incidents", "amount", "金额", unit="（元）"), "amount"),
            Col(H("incidents", "description", "说明"), "description"),
            Col(X("incidents", "登记人"), "clerk")]
    rows = []
    for i, (d, cust, kind, count, amount, text) in enumerate(events, 1):
        rows.append(Row(values={
            "no": f"YC{d:%y%m}{i:03d}", "date": d_slash(d), "code": cust.code, "name": cust.name, "type": kind,
            "count": None if count == 1 and rng.random() < 0.4 else str(count),
            "amount": None if amount is None else (f"{amount:,.2f}" if rng.random() < 0.6 else f"{amount:.0f}"),
            "description": text, "clerk": rng.choice(BUSINESS_CLERKS)}))
    bad = rows[len(rows) // 2]
    bad.values["date"] = "2026-13-45"
    bad.rejects.append(("date", "bad_date"))
    return CsvFile("顾客处罚及异常事件_ERP导出.csv", "gb18030", Sheet("", "incidents", [], cols, rows),
                   note="ERP export in GB18030")


# ============================================================================================
# Customer-issued scorecards
# ============================================================================================

def customer_scorecard_score(rng: random.Random, complaints: list[Complaint], code: str, ym) -> float:
    month = [c for c in complaints if c.cust.code == code and (c.received.year, c.received.month) == ym]
    score = 97.5 - 3 * len(month) - 6 * sum(c.batch_reject for c in month) + rng.gauss(0, 1.2)
    return round(min(100.0, max(60.0, score)), 1)


def scorecard_files(rng: random.Random, complaints: list[Complaint]) -> list[Book]:
    months_c001 = [ym for ym in MONTHS[:-1] if ym not in ((2025, 12), (2026, 4))]
    cols = [Col(H("customer_scorecards", "customer_name", "客户名称"), "name", width=26),
            Col(H("customer_scorecards", "month", "评价月份"), "month", width=11),
            Col(X("customer_scorecards", "质量分"), "q", width=8),
            Col(X("customer_scorecards", "交付分"), "d", width=8),
            Col(X("customer_scorecards", "服务分"), "s", width=8),
            Col(H("customer_scorecards", "score", "综合得分"), "score", width=9),
            Col(X("customer_scorecards", "等级"), "grade", width=6)]
    rows = []
    for ym in months_c001:
        score = customer_scorecard_score(rng, complaints, "C001", ym)
        q = round(min(50.0, score * 0.5 + rng.uniform(-1, 1)), 1)
        d = round(min(30.0, (score - q) * 0.6), 1)
        rows.append(Row(values={"name": BY_CODE["C001"].name, "month": f"{ym[0]}年{ym[1]}月", "q": q, "d": d,
                                "s": round(score - q - d, 1), "score": score,
                                "grade": "A" if score >= 90 else "B" if score >= 80 else "C"},
                        key=f"C001/{ym[0]}-{ym[1]:02d}"))
    huachi = Sheet("华驰", "customer_scorecards",
                   [f"{BY_CODE['C001'].name} 供应商月度绩效评价", f"供应商: {COMPANY}", ""], cols, rows)
    cols2 = [Col(H("customer_scorecards", "customer_code", "客户代码"), "code", width=9),
             Col(H("customer_scorecards", "customer_name", "客户名称"), "name", width=26),
             Col(H("customer_scorecards", "month", "期间"), "month", width=9),
             Col(H("customer_scorecards", "score", "得分"), "score", width=8),
             Col(X("customer_scorecards", "备注"), "remark", width=24)]
    rows2 = []
    for ym in MONTHS[4:-1]:
        score = customer_scorecard_score(rng, complaints, "C002", ym)
        rows2.append(Row(values={"code": "C002", "name": BY_CODE["C002"].name, "month": f"{ym[0]}/{ym[1]:02d}",
                                 "score": str(score) if rng.random() < 0.3 else score,
                                 "remark": "质量扣分" if score < 90 else None}, key=f"C002/{ym[0]}-{ym[1]:02d}"))
    ningde = Sheet("宁德新能", "customer_scorecards", ["宁德新能 供应商月度评分(客户发布)", ""], cols2, rows2)
    first = Book("顾客计分卡/顾客计分卡_2026.xlsx", [huachi, ningde], datetime(2026, 10, 15, 3, 0), "顾客计分卡")

    cols3 = [Col(H("customer_scorecards", "customer_name", "Customer"), "name", width=24),
             Col(H("customer_scorecards", "month", "Period"), "month", width=10, date_fmt="mmm yyyy"),
             Col(X("customer_scorecards", "Quality Points"), "q", width=10),
             Col(X("customer_scorecards", "Delivery Points"), "d", width=10),
             Col(X("customer_scorecards", "Responsiveness Points"), "r", width=12),
             Col(H("customer_scorecards", "score", "Score"), "score", width=8),
             Col(X("customer_scorecards", "Rating"), "rating", width=7)]
    rows3 = []
    for ym in MONTHS[4:-1]:
        score = customer_scorecard_score(rng, complaints, "C003", ym)
        q = round(min(60.0, score * 0.6), 1)
        d = round(min(25.0, (score - q) * 0.62), 1)
        rows3.append(Row(values={"name": BY_CODE["C003"].name, "month": date(ym[0], ym[1], 1), "q": q, "d": d,
                                 "r": round(score - q - d, 1), "score": score,
                                 "rating": "A" if score >= 90 else "B" if score >= 80 else "C"},
                         key=f"C003/{ym[0]}-{ym[1]:02d}"))
    rows3 += [blank(), footer("Prepared by: M. Weber (SQE)    Approved by: K. Schulz")]
    kessler = Sheet("Scorecard", "customer_scorecards",
                    ["Kessler Automotive GmbH", "Supplier Performance Scorecard",
                     f"Supplier: Shiyi Electronics Co., Ltd. ({COMPANY})", "Supplier No.: 400173",
                     "Rating: A >= 90, B 80-89.9, C < 80", ""], cols3, rows3)
    second = Book("顾客计分卡/Kessler_Supplier_Scorecard_2026.xlsx", [kessler], datetime(2026, 10, 9, 7, 30),
                  "Supplier Performance Scorecard", author="Kessler Automotive GmbH")
    return [first, second]


# ============================================================================================
# Survey returns: 2025H2 (workbook, two-row header) and 2026H1 (online survey export, UTF-8 BOM)
# ============================================================================================

ITEMS = ("quality", "delivery", "price", "service", "technical", "communication", "packaging")
ITEM_BIAS = {"quality": 0, "delivery": -2, "price": -6, "service": 2, "technical": -1, "communication": 1,
             "packaging": 3}


def survey_rows(rng: random.Random, round_label: str, sent_from: date, level_shift: float) -> list[dict]:
    rows = []
    for cust in CUSTOMERS:
        n = 3 if cust.annual_value >= 500_000 else 2 if cust.annual_value >= 200_000 else 1
        level = cust.satisfaction + level_shift + rng.gauss(0, 2)
        for person in cust.contacts[:n]:
            sent = add_workdays(sent_from, rng.randint(0, 3))
            returned = sent + timedelta(days=rng.randint(4, 30)) if rng.random() < 0.82 else None
            scores = {item: int(min(100, max(50, round(level + ITEM_BIAS[item] + rng.gauss(0, 4)))))
                      for item in ITEMS} if returned else {}
            if returned and cust.annual_value < 200_000 and rng.random() < 0.5:
                scores["technical"] = None                 # not applicable: written as "/"
            rows.append({"round": round_label, "cust": cust, "respondent": person, "sent": sent,
                         "returned": returned, "scores": scores})
    return rows


def survey_files(rng: random.Random) -> tuple[list[Book], list[CsvFile]]:
    h = lambda col, spelling, **kw: H("survey_returns", col, spelling, **kw)   # noqa: E731
    group = "评分项目（0-100分）"
    cols = [Col(X("survey_returns", "序号"), "seq", width=5),
            Col(h("round", "调查批次"), "round", width=11),
            Col(h("customer_code", "客户代码"), "code", width=8),
            Col(h("customer_name", "客户名称"), "name", width=26),
            Col(h("respondent", "填表人"), "respondent", width=12),
            Col(h("sent_date", "发出日期"), "sent", width=11),
            Col(h("returned_date", "回收日期"), "returned", width=11),
            Col(h("quality", "产品质量"), "quality", group=group, width=7),
            Col(h("delivery", "交期"), "delivery", group=group, width=7),
            Col(h("price", "价格"), "price", group=group, width=7),
            Col(h("service", "服务"), "service", group=group, width=7),
            Col(h("technical", "技术支持"), "technical", group=group, width=7),
            Col(h("communication", "沟通"), "communication", group=group, width=7),
            Col(h("packaging", "包装"), "packaging", group=group, width=7),
            Col(h("overall", "总分"), "overall", width=7),
            Col(h("comments", "客户意见"), "comments", width=30)]
    comments = ("希望缩短打样周期", "交期需要更稳定", "价格偏高", "服务响应及时", "包装需加强防潮", "无",
                "整体满意", "8D报告质量有待提高", "希望提供月度质量报告")
    rows = []
    for i, s in enumerate(survey_rows(rng, "2025下半年", date(2025, 12, 1), 0.0), 1):
        sc = s["scores"]
        present = [v for v in sc.values() if v is not None]
        values = {"seq": i, "round": "2025下半年", "code": s["cust"].code, "name": s["cust"].name,
                  "respondent": s["respondent"], "sent": s["sent"], "returned": s["returned"],
                  **{item: ("/" if sc.get(item, 0) is None else sc.get(item)) for item in ITEMS},
                  "overall": round(sum(present) / len(present)) if present else None,
                  "comments": rng.choice(comments) if s["returned"] else None}
        rows.append(Row(values=values, key=f"2025H2/{s['cust'].code}/{s['respondent']}"))
    returned = [r for r in rows if r.values["returned"] is not None]
    typo = returned[4]
    typo.values["quality"] = 105
    typo.rejects.append(("quality", "score_out_of_range"))
    original = returned[9]
    rows.insert(rows.index(original) + 1, Row(values=dict(original.values), key=original.key,
                                               duplicate_of=original))
    rows += [blank(), footer("制表: 陈静   审核: 李四")]
    book = Book("满意度调查/客户满意度调查表_2025下半年.xlsx", [Sheet(
        "2025下半年", "survey_returns", [COMPANY, "客户满意度调查汇总表（2025年下半年）", "文件编号: QR-9.1-02", ""],
        cols, rows)], datetime(2026, 1, 20, 8, 0), "客户满意度调查 2025下半年")

    cols_csv = [Col(X("survey_returns", "答卷编号"), "seq"),
                Col(h("round", "调查轮次"), "round"),
                Col(h("customer_code", "客户编号"), "code"),
                Col(h("customer_name", "客户名称"), "name"),
                Col(h("respondent", "联系人"), "respondent"),
                Col(h("sent_date", "发放日期"), "sent"),
                Col(h("returned_date", "回收日期"), "returned"),
                Col(h("quality", "质量"), "quality"),
                Col(h("delivery", "交货"), "delivery"),
                Col(h("price", "价格"), "price"),
                Col(h("service", "服务态度"), "service"),
                Col(h("technical", "技术服务"), "technical"),
                Col(h("communication", "沟通协调"), "communication"),
                Col(h("packaging", "包装"), "packaging"),
                Col(h("overall", "综合评分"), "overall"),
                Col(h("comments", "建议"), "comments")]
    rows = []
    for i, s in enumerate(survey_rows(rng, "2026H1", date(2026, 6, 1), 1.5), 1):
        sc = s["scores"]
        present = [v for v in sc.values() if v is not None]
        code = s["cust"].code
        values = {"seq": f"WJ{i:04d}", "round": "2026H1" if rng.random() < 0.8 else "2026 H1",
                  "code": code.translate(str.maketrans("C0123456789", "Ｃ０１２３４５６７８９")) if code == "C006" and
                  s["respondent"] == s["cust"].contacts[0] else code,
                  "name": s["cust"].name, "respondent": s["respondent"], "sent": d_slash(s["sent"]),
                  "returned": d_slash(s["returned"]) if s["returned"] else None,
                  **{item: ("/" if sc.get(item, 0) is None else None if item not in sc else str(sc[item]))
                     for item in ITEMS},
                  "overall": str(round(sum(present) / len(present))) if present else None,
                  "comments": rng.choice(comments) if s["returned"] else None}
        rows.append(Row(values=values, key=f"2026H1/{code}/{s['respondent']}"))
    returned = [r for r in rows if r.values["returned"] is not None]
    empty = returned[6]
    for item in ITEMS + ("overall",):
        empty.values[item] = None
    empty.values["comments"] = "已电话沟通, 未填写评分"
    empty.rejects.append(("returned", "no_score"))
    csv_file = CsvFile("满意度调查/客户满意度调查_2026H1_问卷导出.csv", "utf-8-sig",
                       Sheet("", "survey_returns", [], cols_csv, rows),
                       note="online survey export: UTF-8 with BOM")
    return [book], [csv_file]


# ============================================================================================
# Quality feedback register (seed 003)
# ============================================================================================

FEEDBACK_SUBJECTS = {
    "A": ("批量外观不良投诉", "客户质量考核扣款", "批量退货预警", "严重尺寸不良"),
    "B": ("不良率上升", "包装标识不符新要求", "要求增加出货检验报告", "线盘破损", "要求变更标签格式",
          "希望改善端子镀层"),
    "C": ("物流延误", "物料回收不及时", "运输途中磕碰", "送货单信息不全"),
    "D": ("客户计划变更通知", "库存品处理", "交货地点变更", "客户要求提供年度质量报告"),
}
FEEDBACK_DEPTS = {"A": "质控部", "B": "技术部", "C": "物流部", "D": "经营部"}


def feedback_file(rng: random.Random) -> Book:
    # (feedback date, category, filed date, customer, subject, case): filing deadlines in working days
    # (A, B: 1; C, D: 3), worked by hand on the official calendar
    fixed = [
        (date(2025, 9, 30), "A", date(2025, 10, 9), "C001", "批量外观不良投诉",
         {"rule": "class A files within 1 working day", "expect": "on_time",
          "why": "the 1st working day after 2025-09-30 is 10-09 (Oct 1-8 off)"}),
        (date(2026, 3, 5), "A", date(2026, 3, 9), "C003", "严重尺寸不良",
         {"rule": "class A files within 1 working day", "expect": "late",
          "why": "filed 03-09, the 2nd working day after 03-05 (Thu): the deadline was 03-06"}),
        (date(2026, 9, 29), "C", date(2026, 10, 9), "C007", "物流延误",
         {"rule": "class C files within 3 working days", "expect": "on_time",
          "why": "working days after 09-29: 09-30, 10-08, 10-09 (Oct 1-7 off)"}),
        (date(2026, 10, 8), "A", date(2026, 10, 10), "C002", "批量退货预警",
         {"rule": "class A files within 1 working day", "expect": "late",
          "why": "the 1st working day after 10-08 is 10-09; 10-10 (a make-up Saturday) is the 2nd"}),
    ]
    items = []
    for (y, m) in MONTHS:
        for _ in range(rng.randint(4, 7)):
            d = rng.choice([x for x in month_workdays(y, m) if x <= AS_OF])
            cat = rng.choices("ABCD", (0.1, 0.3, 0.45, 0.15))[0]
            limit = 1 if cat in "AB" else 3
            filed = add_workdays(d, rng.randint(0, limit) if rng.random() < 0.88 else limit + rng.randint(1, 3))
            items.append((d, cat, filed, rng.choice(CUSTOMERS).code, rng.choice(FEEDBACK_SUBJECTS[cat]), None))
    items += fixed
    items.sort(key=lambda t: (t[0], t[3]))
    cols = [Col(H("feedback", "feedback_no", "编号"), "no", width=11),
            Col(H("feedback", "customer_name", "客户名称"), "name", width=26),
            Col(H("feedback", "feedback_date", "反馈日期"), "date", width=11),
            Col(H("feedback", "filed_date", "填表日期"), "filed", width=11),
            Col(H("feedback", "subject", "主题"), "subject", width=20),
            Col(H("feedback", "category", "类别"), "category", width=6),
            Col(H("feedback", "handler", "经手人"), "handler", width=8),
            Col(H("feedback", "dept", "处理部门"), "dept", width=9),
            Col(H("feedback", "completed_date", "完结日期"), "completed", width=11),
            Col(H("feedback", "remark", "备注"), "remark", width=20)]
    rows: list[Row] = []
    seq: Counter = Counter()
    for d, cat, filed, code, subject, case in items:
        seq[(d.year, d.month)] += 1
        no = f"FK{d:%y%m}-{seq[(d.year, d.month)]:02d}"
        filed_cell = None if filed > AS_OF else filed
        completed = next_workday_on_or_after(d + timedelta(days=rng.randint(3, 30))) if rng.random() > 0.08 else None
        if completed is not None and completed > AS_OF:
            completed = None
        spell = (lambda x: x) if d.year == 2025 else d_slash
        category = rng.choice((f"{cat.lower()}类", f"{cat.lower()}类", cat))
        if cat == "C" and case is None and rng.random() < 0.1:
            category = None                                   # blank: class C by default
        remark = rng.choice(("已回复客户", "待客户确认效果", "/", None))
        rows.append(Row(values={
            "no": no, "name": BY_CODE[code].name, "date": spell(d),
            "filed": None if filed_cell is None else spell(filed_cell), "subject": subject,
            "category": category, "handler": rng.choice(BUSINESS_CLERKS), "dept": FEEDBACK_DEPTS[cat],
            "completed": None if completed is None else spell(completed), "remark": remark}, key=no,
            case=None if case is None else {"register": "feedback", "key": no, "feedback_date": d.isoformat(),
                                            "category": cat, "filed_date": filed.isoformat(), **case}))
    first_2026 = next(i for i, r in enumerate(rows) if r.key.startswith("FK26"))
    rows[first_2026:first_2026] = [blank(), blank()]
    rows += [footer("制表: 王芳   审核: 刘强")]
    return Book("客户质量信息反馈登记表.xlsx", [Sheet(
        "登记表", "feedback", [COMPANY, "客户质量信息反馈登记表", "表单编号: GEOP07-F02   版本: B/1", ""], cols, rows)],
        datetime(2026, 10, 30, 8, 20), "客户质量信息反馈登记表", author="经营部")


# ============================================================================================
# Customer visits (seed 003 §4.8): no year anywhere in the title rows or the sheet name
# ============================================================================================

VISIT_FINDINGS = ("客户要求导入IMDS材料申报", "客户计划明年新项目定点, 需提供报价", "对比同行, 我司交期偏长",
                  "客户对近期质量表现满意", "要求每月提供质量周报", "客户产线搬迁, 交货地点变更",
                  "客户反映包装箱强度不足", "客户新增环保要求(REACH 240项)", "客户要求缩短8D回复周期")


def visits_file(rng: random.Random) -> Book:
    fixed = [(date(2025, 9, 26), date(2025, 10, 10), "C006",
              {"rule": "visit report within 3 working days", "expect": "late",
               "why": "working days after 2025-09-26 (Fri): 09-28 (a make-up Sunday), 09-29, 09-30"}),
             (date(2026, 9, 29), date(2026, 10, 9), "C001",
              {"rule": "visit report within 3 working days", "expect": "on_time",
               "why": "working days after 2026-09-29: 09-30, 10-08, 10-09 (Oct 1-7 off)"})]
    visits = []
    for (y, m) in MONTHS:
        for _ in range(rng.randint(2, 4)):
            d = rng.choice([x for x in month_workdays(y, m) if x <= AS_OF])
            u = rng.random()
            report = (add_workdays(d, rng.randint(0, 3)) if u < 0.85 else
                      add_workdays(d, rng.randint(4, 7)) if u < 0.96 else None)
            visits.append((d, report, rng.choice(CUSTOMERS).code, None))
    visits += fixed
    visits.sort(key=lambda v: (v[0], v[2]))
    cols = [Col(X("visits", "序号"), "seq", width=5),
            Col(H("visits", "visit_date", "走访日期", space=2), "date", width=14),
            Col(H("visits", "customer_name", "客户名称"), "name", width=26),
            Col(X("visits", "走访方式"), "mode", width=9),
            Col(H("visits", "visitor", "走访人"), "visitor", width=8),
            Col(H("visits", "report_date", "报告日期"), "report", width=14),
            Col(H("visits", "findings", "走访内容"), "findings", width=34)]
    rows = []
    for i, (d, report, code, case) in enumerate(visits, 1):
        if report is not None and report > AS_OF:
            report = None
        spell = d_cn if rng.random() < 0.6 else (lambda x: x)
        rows.append(Row(values={"seq": i, "date": spell(d), "name": BY_CODE[code].name,
                                "mode": rng.choice(("现场拜访", "现场拜访", "视频会议", "电话")),
                                "visitor": rng.choice(SALES), "report": None if report is None else spell(report),
                                "findings": rng.choice(VISIT_FINDINGS)},
                        case=None if case is None else {"register": "visits", "visit_date": d.isoformat(),
                                                        "report_date": report.isoformat(), **case}))
    # a visit typed as 10月3日 in a sheet whose title rows and name carry no year: rejected
    oct3 = next(r for r in reversed(rows) if r.case is None)
    oct3.values["date"] = "10月3日"
    oct3.rejects.append(("date", "no_year"))
    return Book("客户走访记录.xlsx", [Sheet("走访记录", "visits", [COMPANY, "客户走访记录", "表单编号: QR-7.2-05"],
                                        cols, rows)], datetime(2026, 10, 28, 6, 10), "客户走访记录", author="业务部")


# ============================================================================================
# After-sales service and 三包 (seed 001)
# ============================================================================================

def service_file(rng: random.Random) -> Book:
    kinds = ("维修", "报修", "安装", "调试", "培训", "包修", "包换", "包退", "其他")
    weights = (0.22, 0.08, 0.1, 0.05, 0.05, 0.2, 0.15, 0.1, 0.05)
    problems = ("通电无输出", "连接器插拔力不足", "线束端子松动", "产线安装指导", "测试治具调试", "操作培训",
                "批量不良更换", "外观不良退货", "固件升级")
    requests = []
    for (y, m) in MONTHS:
        for _ in range(rng.randint(3, 6)):
            d = rng.choice([x for x in month_days(y, m) if x <= AS_OF])
            u = rng.random()
            served = (d + timedelta(days=rng.randint(0, 2)) if u < 0.85 else
                      d + timedelta(days=rng.randint(3, 8)) if u < 0.96 else None)
            requests.append([d, served, rng.choice(CUSTOMERS), rng.choices(kinds, weights)[0], None])
    requests.append([date(2026, 9, 30), date(2026, 10, 8), BY_CODE["C008"], "维修",
                     {"rule": "served within 2 calendar days", "expect": "late",
                      "why": "requested 2026-09-30, deadline 10-02, served 10-08 (holidays count: calendar days)"}])
    requests.append([date(2026, 8, 17), None, BY_CODE["C009"], "包换",
                     {"rule": "served within 2 calendar days", "expect": "late",
                      "why": "never served; the deadline 2026-08-19 is before as_of"}])
    requests.sort(key=lambda r: (r[0], r[2].code))
    cols = [Col(H("service", "service_no", "报修编号"), "no", width=11),
            Col(H("service", "customer_name", "客户名称"), "name", width=26),
            Col(H("service", "request_date", "报修日期"), "date", width=11, date_fmt="yyyy/m/d"),
            Col(X("service", "产品型号"), "part", width=10),
            Col(X("service", "故障描述"), "problem", width=18),
            Col(H("service", "type", "服务类型"), "type", width=8),
            Col(H("service", "service_date", "服务日期"), "served", width=11, date_fmt="yyyy/m/d"),
            Col(X("service", "服务人员"), "staff", width=8),
            Col(H("service", "rating", "服务评价"), "rating", width=8)]
    ratings = ("满意", "很满意", "非常满意", "一般", "基本满意", "不满意", None)
    sheets = []
    for year in (2025, 2026):
        rows = []
        seq: Counter = Counter()
        for d, served, cust, kind, case in (r for r in requests if r[0].year == year):
            if served is not None and served > AS_OF:
                served = None
            seq[(d.year, d.month)] += 1
            no = f"BX{d:%y%m}-{seq[(d.year, d.month)]:02d}"
            spell = (lambda x: x) if year == 2025 else d_slash
            rows.append(Row(values={
                "no": no, "name": cust.name, "date": spell(d), "part": rng.choice(cust.parts)[0],
                "problem": rng.choice(problems), "type": kind, "served": None if served is None else spell(served),
                "staff": rng.choice(SERVICE_STAFF) if served else None,
                "rating": rng.choices(ratings, (0.5, 0.2, 0.05, 0.1, 0.05, 0.05, 0.05))[0] if served else "N/A"},
                key=no, case=None if case is None else {"register": "service", "key": no,
                                                        "request_date": d.isoformat(), **case}))
        sheets.append(Sheet(f"{year}年", "service", [f"{COMPANY} 售后服务部", f"报修登记表（{year}年）"], cols, rows))
    return Book("报修登记表.xlsx", sheets, datetime(2026, 10, 31, 1, 0), "报修登记表", author="售后服务部")


# ============================================================================================
# Customer property (seed 000 §4.1)
# ============================================================================================

PROPERTY = (
    # property no, customer, name, kind, registered, status, event, reported
    ("CP-001", "C001", "高压线束压接模具", "模具", date(2024, 3, 12), "在用", None, None),
    ("CP-002", "C001", "BMS线束导通测试治具", "治具", date(2024, 6, 3), "在用", None, None),
    ("CP-003", "C001", "线束总成图纸 Rev.D", "图纸", date(2025, 2, 20), "正常", None, None),
    ("CP-004", "C001", "端子拉力测试仪", "仪器", date(2024, 11, 8), "损坏", date(2026, 3, 12), date(2026, 3, 13)),
    ("CP-005", "C002", "FPC冲切模具", "模具", date(2024, 9, 18), "在用", None, None),
    ("CP-006", "C002", "采样线束检具", "治具", date(2025, 1, 7), "在用", None, None),
    ("CP-007", "C002", "客供NTC芯片", "物料", date(2026, 4, 2), "不适用", date(2026, 5, 6), date(2026, 5, 7)),
    ("CP-008", "C002", "产品规格书 V3.2", "规格", date(2025, 8, 15), "在用", None, None),
    ("CP-009", "C003", "Sealed connector crimp die", "模具", date(2024, 5, 21), "在用", None, None),
    ("CP-010", "C003", "Door harness test board", "治具", date(2024, 5, 21), "遗失", date(2026, 8, 20), None),
    ("CP-011", "C003", "PPAP drawings (VDA)", "图纸", date(2024, 4, 10), "在用", None, None),
    ("CP-012", "C004", "控制板ICT测试治具", "治具", date(2025, 3, 3), "在用", None, None),
    ("CP-013", "C004", "连接器注塑模具", "模具", date(2023, 12, 5), "已归还", None, None),
    ("CP-014", "C005", "FPC检测治具", "治具", date(2025, 10, 9), "正常", None, None),
    ("CP-015", "C006", "电源板烧录治具", "治具", date(2024, 7, 22), "在用", None, None),
    ("CP-016", "C006", "客供MCU芯片", "物料", date(2026, 7, 1), "在用", None, None),
    ("CP-017", "C006", "线束装配图", "图纸", date(2025, 5, 12), "在用", None, None),
    ("CP-018", "C006", "门体线束扣位检具", "治具", date(2025, 9, 30), "遗失", None, None),
    ("CP-019", "C007", "主控板功能测试架", "设备", date(2024, 10, 16), "在用", None, None),
    ("CP-020", "C007", "客供继电器", "材料", date(2026, 2, 27), "归还", None, None),
    ("CP-021", "C008", "背板连接器压接模", "模具", date(2025, 4, 8), "在用", None, None),
    ("CP-022", "C008", "电源模块老化架", "设备", date(2025, 4, 8), "损坏", date(2025, 11, 19), date(2025, 11, 20)),
    ("CP-023", "C009", "Type-C母座检具", "治具", date(2025, 6, 30), "在用", None, None),
    ("CP-024", "C010", "功放板测试治具", "治具", date(2025, 9, 2), "在用", None, None),
    ("CP-025", "C011", "PoE模块测试软件说明", "文件", date(2025, 12, 18), "在用", None, None),
    ("CP-026", "C012", "LED驱动板测试架", "治具", date(2026, 1, 14), "在用", None, None),
    ("CP-027", "C001", "温度传感器校准块", "仪器", date(2025, 7, 7), "遗失", date(2026, 10, 12), date(2026, 10, 13)),
)


PROPERTY_CASES = {
    "CP-010": {"rule": "every loss or damage is reported to the customer", "expect": "not reported",
               "why": "tool lost 2026-08-20, no reported date: property_reported_pct(2026-08) = 0/1"},
    "CP-027": {"rule": "every loss or damage is reported to the customer", "expect": "reported",
               "why": "lost 2026-10-12, reported 10-13: property_reported_pct(2026-10) = 1/1"},
    "CP-018": {"rule": "status 遗失 needs an event date", "expect": "rejected (event_date_required)"},
}


def property_file() -> Book:
    cols = [Col(H("customer_property", "property_no", "财产编号"), "no", width=9),
            Col(H("customer_property", "customer_code", "客户代码"), "code", width=8),
            Col(H("customer_property", "customer_name", "客户名称"), "name", width=26),
            Col(H("customer_property", "name", "财产名称"), "item", width=24),
            Col(H("customer_property", "kind", "财产类别"), "kind", width=8),
            Col(X("customer_property", "数量"), "qty", width=6),
            Col(H("customer_property", "registered_date", "登记日期"), "registered", width=14),
            Col(H("customer_property", "status", "状态"), "status", width=7),
            Col(H("customer_property", "event_date", "异常日期"), "event", width=14),
            Col(H("customer_property", "reported_date", "通知客户日期"), "reported", width=14),
            Col(X("customer_property", "存放位置"), "place", width=10)]
    rows = []
    places = ("模具房", "品质实验室", "文控中心", "仓库A区", "二楼产线")
    for i, (no, code, item, kind, registered, status, event, reported) in enumerate(PROPERTY):
        row = Row(values={"no": no, "code": code, "name": BY_CODE[code].name, "item": item, "kind": kind,
                          "qty": "1" if kind not in ("物料", "材料") else "2,000", "registered": d_cn(registered),
                          "status": status, "event": d_cn(event) if event else "N/A",
                          "reported": d_cn(reported) if reported else ("/" if event else None),
                          "place": places[i % len(places)]}, key=no)
        if status == "遗失" and event is None:
            row.rejects.append(("event", "event_date_required"))
        if no in PROPERTY_CASES:
            row.case = {"register": "customer_property", "key": no, **PROPERTY_CASES[no]}
        rows.append(row)
    return Book("顾客财产登记表.xlsx", [Sheet("财产清单", "customer_property",
                                          [COMPANY, "顾客财产登记表", ""], cols, rows)],
                datetime(2026, 10, 20, 2, 30), "顾客财产登记表", author="业务部")


# ============================================================================================
# Customer audits (seed 000 §4.2.7)
# ============================================================================================

AUDITS = (
    # audit date, customer, [(finding, type, dept, due, closed, verified)]
    (date(2025, 11, 18), "C001", [
        ("来料检验记录完整, 可追溯", "满意事项", "品质部", None, None, None),
        ("首件检验未保留压接截面照片", "缺失", "品质部", date(2025, 12, 5), date(2025, 12, 3), "OK"),
        ("压接机未按频次点检", "不符合项", "生产部", date(2025, 12, 5), date(2025, 12, 12), "OK"),
        ("建议导入防错治具", "建议", "工程部", date(2026, 1, 31), date(2026, 1, 20), "OK"),
        ("现场5S良好", "优点", "生产部", None, None, None)]),
    (date(2026, 3, 10), "C003", [
        ("Control plan not updated after process change (不符合)", "不符合项", "工程部", date(2026, 4, 10),
         date(2026, 4, 9), "OK"),
        ("MSA for crimp height gauge missing", "缺失", "品质部", date(2026, 4, 10), date(2026, 4, 22), "NG"),
        ("Layered process audit well implemented", "满意事项", "品质部", None, None, None),
        ("Suggest IMDS declarations for all new parts", "改善建议", "工程部", date(2026, 6, 30), date(2026, 6, 18), "OK"),
        ("Label not compliant with VDA 4902", "缺失", "物流部", date(2026, 3, 31), date(2026, 3, 30), "OK"),
        ("Traceability from lot to raw material good", "优点", "品质部", None, None, None)]),
    (date(2026, 6, 16), "C002", [
        ("仓库温湿度记录缺失两天", "缺失", "仓库", date(2026, 7, 16), date(2026, 7, 10), "OK"),
        ("FPC来料未做离子污染测试", "不符合", "品质部", date(2026, 7, 31), None, None),
        ("建议增加AOI检测站", "建议", "工程部", date(2026, 12, 31), None, None),
        ("客诉8D报告质量有提升", "满意事项", "品质部", None, None, None)]),
    (date(2026, 9, 22), "C004", [
        ("ESD防护腕带测试记录不全", "缺失", "生产部", date(2026, 10, 9), date(2026, 10, 9), "OK"),
        ("返工品未单独标识", "不符合项", "生产部", date(2026, 10, 16), date(2026, 10, 21), None),
        ("校准过期量具一把仍在使用", "不符合项", "品质部", date(2026, 10, 23), None, None),
        ("建议导入SPC管控关键尺寸", "改善建议", "品质部", date(2026, 11, 30), None, None),
        ("交付准时率提升明显", "满意事项", "物流部", None, None, None)]),
)


def audits_file() -> Book:
    cols = [Col(X("customer_audits", "序号"), "seq", width=5),
            Col(H("customer_audits", "audit_date", "稽核日期"), "date", width=11),
            Col(H("customer_audits", "customer_name", "客户名称"), "name", width=26),
            Col(X("customer_audits", "稽核类型"), "audit_kind", width=9),
            Col(H("customer_audits", "finding", "稽核发现"), "finding", width=36),
            Col(H("customer_audits", "finding_type", "事项类别"), "type", width=8),
            Col(H("customer_audits", "responsible_dept", "责任部门"), "dept", width=8),
            Col(H("customer_audits", "due_date", "要求完成日期"), "due", width=12),
            Col(H("customer_audits", "closed_date", "完成日期"), "closed", width=12),
            Col(H("customer_audits", "verified", "效果确认"), "verified", width=8)]
    rows = []
    seq = 0
    for audit_date, code, findings in AUDITS:
        for finding, kind, dept, due, closed, verified in findings:
            seq += 1
            case = None
            if due is not None and due == closed:
                case = {"register": "customer_audits", "audit_date": audit_date.isoformat(), "customer": code,
                        "rule": "an action closed on or before its due date is on time", "expect": "on_time",
                        "why": f"due {due.isoformat()}, closed the same day"}
            rows.append(Row(case=case, values={"seq": seq, "date": audit_date, "name": BY_CODE[code].name,
                                    "audit_kind": "过程审核" if code != "C003" else "Process audit (VDA 6.3)",
                                    "finding": finding, "type": kind, "dept": dept,
                                    "due": due if due else "/", "closed": closed if closed else ("/" if not due else None),
                                    "verified": verified}))
    return Book("顾客稽核记录.xlsx", [Sheet("稽核记录", "customer_audits",
                                        [COMPANY, "顾客来厂稽核记录", "文件编号: QR-8.2-11", ""], cols, rows)],
                datetime(2026, 10, 26, 7, 45), "顾客稽核记录")


# ============================================================================================
# Customer master
# ============================================================================================

def customers_file() -> Book:
    cols = [Col(X("customers", "序号"), "seq", width=5),
            Col(H("customers", "customer_code", "客户代码"), "code", width=8),
            Col(H("customers", "customer_name", "客户名称"), "name", width=28),
            Col(X("customers", "简称"), "short", width=9),
            Col(H("customers", "segment", "客户类别"), "segment", width=8),
            Col(X("customers", "行业细分"), "industry", width=10),
            Col(H("customers", "annual_order_value", "年订单额", unit="（元）"), "value", width=13,
                num_fmt="#,##0"),
            Col(H("customers", "key_customer", "重点客户"), "key", width=8),
            Col(H("customers", "ppm_target", "PPM目标"), "ppm", width=8),
            Col(X("customers", "主要产品"), "products", width=24)]
    rows = []
    for i, c in enumerate(CUSTOMERS, 1):
        rows.append(Row(values={"seq": i, "code": c.code, "name": c.name, "short": c.short,
                                "segment": c.segment or None, "industry": c.industry,
                                "value": n_comma(c.annual_value) if i % 3 == 1 else c.annual_value,
                                "key": c.key or None, "ppm": c.ppm_target if c.ppm_target else "/",
                                "products": "、".join(p[1] for p in c.parts[:2])}, key=c.code))
    return Book("客户清单.xlsx", [Sheet("客户清单", "customers", [f"{COMPANY} 客户清单", "业务部  更新: 2026/10/08", ""],
                                     cols, rows)], datetime(2026, 10, 8, 1, 12), "客户清单", author="业务部")


# ============================================================================================
# Files that are not registers
# ============================================================================================

README_TXT = """示例电子有限公司 —— 顾客质量台账示例数据 (虚构)

本文件夹由 examples/make_sample_company.py 生成, 供 make demo 演示使用。
各台账保留了工厂实际填写时常见的格式: 标题行、合并单元格、两行表头、繁体表头、
文本日期、千分位和全角数字、“/”表示不适用、ERP导出的CSV等。
本说明文件不是台账, 读取时会被列为“跳过”。
"""

SETTINGS_TOML = """# The sample company's own settings: only what differs from the root settings.toml.
[report]
company = "示例电子有限公司"
"""

LOCK_FILE = "交货/深圳厂/~$订单交货进度表_2026.xlsx"


def lock_file_bytes() -> bytes:
    """An Excel owner file: a length byte, the user name padded, then junk: never read."""
    user = "zhangsan".encode("ascii")
    return bytes([len(user)]) + user.ljust(53, b" ") + bytes(range(0x20, 0x20 + 110))


# ============================================================================================
# Expectations
# ============================================================================================

def header_text(sheet: Sheet, key: str) -> str:
    return next(c.header for c in sheet.columns if c.key == key)


def written(value) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return "" if value is None else str(value)


def sheet_expectation(path: str, sheet: Sheet) -> dict:
    base = {"file": path, "sheet": sheet.name, "register": sheet.register}
    if sheet.register is None:
        return {**base, "header_row": None, "rows_read": 0, "accepted": 0, "rejected": 0, "skipped": 0,
                "duplicates": 0, "superseded": 0, "note": sheet.note}
    if sheet.rows and sheet.rows[-1].kind == "blank":
        raise ValueError(f"{path}/{sheet.name}: trailing blank row would not be read")
    last = sheet.rows[-1].excel_row if sheet.rows else sheet.header_row
    rows_read = last - sheet.header_row
    skipped = sum(r.kind != "data" for r in sheet.rows)
    rejected = sum(bool(r.rejects) for r in sheet.rows)
    two_rows = any(c.group for c in sheet.columns)
    return {**base, "header_row": sheet.header_row,
            "header_rows": [sheet.header_row - 1, sheet.header_row] if two_rows else [sheet.header_row],
            "first_data_row": sheet.header_row + 1,
            "rows_read": rows_read, "accepted": rows_read - rejected - skipped, "rejected": rejected,
            "skipped": skipped, "duplicates": sum(r.duplicate_of is not None for r in sheet.rows),
            "superseded": sum(r.superseded_by is not None for r in sheet.rows)}


def build_expectations(books: list[Book], csvs: list[CsvFile], extra: dict) -> dict:
    files, sheets, hidden, rejected, duplicates, superseded = [], [], [], [], [], []
    unknown: dict[str, dict] = {}
    cases: list[dict] = []
    registers: Counter = Counter()
    tables: list[tuple[str, Sheet]] = []
    for book in books:
        files.append({"file": book.path, "status": "read", "modified": book.modified.isoformat() + "Z"})
        for sheet in book.sheets:
            if sheet.hidden:
                hidden.append({"file": book.path, "sheet": sheet.name, "note": sheet.note})
            else:
                tables.append((book.path, sheet))
    for cf in csvs:
        files.append({"file": cf.path, "status": "read", "encoding": cf.encoding, "note": cf.note})
        tables.append((cf.path, cf.sheet))
    files += [{"file": "README.txt", "status": "skipped", "note": "not a register file type"},
              {"file": "settings.toml", "status": "skipped",
               "note": "the folder's settings override; not a register file type"},
              {"file": LOCK_FILE, "status": "ignored", "note": "Excel lock file: skipped silently, not listed"}]
    for path, sheet in tables:
        exp = sheet_expectation(path, sheet)
        sheets.append(exp)
        if sheet.register:
            registers[sheet.register] += exp["accepted"] - exp["duplicates"] - exp["superseded"]
        for row in sheet.rows:
            for key, reason in row.rejects:
                rejected.append({"file": path, "sheet": sheet.name, "row": row.excel_row,
                                 "column": header_text(sheet, key), "reason_kind": reason,
                                 "value": written(row.values.get(key)), "key": row.key})
            if row.duplicate_of is not None:
                duplicates.append({"file": path, "sheet": sheet.name, "row": row.excel_row, "key": row.key,
                                   "kept": {"file": row.duplicate_of.where[0], "sheet": row.duplicate_of.where[1],
                                            "row": row.duplicate_of.excel_row}})
            if row.superseded_by is not None:
                superseded.append({"file": path, "sheet": sheet.name, "row": row.excel_row, "key": row.key,
                                   "by": {"file": row.superseded_by.where[0], "sheet": row.superseded_by.where[1],
                                          "row": row.superseded_by.excel_row}})
            if row.case is not None:
                cases.append({"file": path, "sheet": sheet.name, "row": row.excel_row, **row.case})
            if row.customer_unknown:
                entry = unknown.setdefault(row.customer_unknown, {
                    "customer": row.customer_unknown, "name": UNKNOWN_CUSTOMER[1], "segment": "non-automotive",
                    "rows": []})
                entry["rows"].append({"file": path, "sheet": sheet.name, "row": row.excel_row,
                                      "register": sheet.register})
    files.sort(key=lambda f: f["file"])
    return {
        "about": "What a correct reader finds in examples/sample_company/ (written by make_sample_company.py). "
                 "Paths are relative to the sample folder. rows_read counts the rows below the (last) header "
                 "row down to the last non-empty row; accepted = rows_read - rejected - skipped; duplicates "
                 "and superseded rows are among the accepted and are counted on the copy that is not used; "
                 "registers.<name>.rows are the rows left for the KPIs. Unrecognised sheets read no rows.",
        "seed": SEED, "company": COMPANY, "period": PERIOD, "as_of": AS_OF.isoformat(),
        "files": files,
        "sheets": sheets,
        "hidden_sheets": hidden,
        "rejected": rejected,
        "duplicates": duplicates,
        "superseded": superseded,
        "unknown_customers": list(unknown.values()),
        "registers": {name: {"rows": registers[name]} for name in REGISTERS if name in registers},
        "rule_cases": cases,
        **extra,
    }


# ============================================================================================
# Self-check: re-open every file and confirm what the expectations say
# ============================================================================================

def classify(cells: list[str]) -> tuple[str | None, dict[int, str]]:
    """The register whose required columns are all present with the most matched columns."""
    best, best_n, best_map, tie = None, 0, {}, False
    for reg in REGISTERS.values():
        mapping = {i: ALIASES[reg.name][norm_header(c)] for i, c in enumerate(cells)
                   if c and norm_header(c) in ALIASES[reg.name]}
        found = set(mapping.values())
        required = set(reg.required) - {"customer"}
        if not required <= found or (reg.needs_customer and not found & {"customer_code", "customer_name"}):
            continue
        if len(found) > best_n:
            best, best_n, best_map, tie = reg.name, len(found), mapping, False
        elif len(found) == best_n:
            tie = True
    return (None, {}) if tie else (best, best_map)


def header_candidates(grid: list[list[str]]):
    """Each row of the first 20 as a header, alone and with the row above (sub-header wins)."""
    for r in range(min(20, len(grid))):
        yield r, grid[r]
        if r:
            yield r, [low or up for up, low in zip(grid[r - 1], grid[r])]


def find_header(grid: list[list[str]]) -> tuple[int | None, str | None, dict]:
    found = (None, None, {})
    for r, cells in header_candidates(grid):
        reg, mapping = classify(cells)
        if reg and len(set(mapping.values())) > len(set(found[2].values())):
            found = (r + 1, reg, mapping)
    return found


def as_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip() if isinstance(v, str) else str(v)


def check_sheet(label: str, grid: list[list[str]], exp: dict, rejects: list[dict], problems: list[str]) -> None:
    last = max((i + 1 for i, row in enumerate(grid) if any(c for c in row)), default=0)
    header_row, register, mapping = find_header(grid)
    if exp["register"] is None:
        if register is not None:
            problems.append(f"{label}: expected no register, header matches {register}")
        return
    if (header_row, register) != (exp["header_row"], exp["register"]):
        problems.append(f"{label}: header {header_row}/{register}, expected {exp['header_row']}/{exp['register']}")
        return
    canon = [c for c in mapping.values() if c not in ("customer_code", "customer_name")]
    if len(canon) != len(set(canon)):
        problems.append(f"{label}: two columns map to the same canonical column")
    if last - header_row != exp["rows_read"]:
        problems.append(f"{label}: rows_read {last - header_row}, expected {exp['rows_read']}")
    header_cells = grid[header_row - 1]
    above = grid[header_row - 2] if header_row >= 2 else []
    for rej in rejects:
        col = next((i for i, c in enumerate(header_cells) if c == rej["column"]), None)
        if col is None:
            col = next((i for i, c in enumerate(above) if c == rej["column"]), None)
        if col is None:
            problems.append(f"{label}: rejected column {rej['column']!r} not in the header")
            continue
        cell = grid[rej["row"] - 1][col] if col < len(grid[rej["row"] - 1]) else ""
        if as_text(cell) != rej["value"] and not (rej["value"] and cell and _same_number(cell, rej["value"])):
            problems.append(f"{label} row {rej['row']}: cell {cell!r}, expected {rej['value']!r}")


def _same_number(a, b) -> bool:
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return False


def self_check(root: Path, expectations: dict) -> list[str]:
    import python_calamine

    problems: list[str] = []
    rejects_by_sheet: dict = defaultdict(list)
    for rej in expectations["rejected"]:
        rejects_by_sheet[(rej["file"], rej["sheet"])].append(rej)
    by_file: dict = defaultdict(list)
    for exp in expectations["sheets"]:
        by_file[exp["file"]].append(exp)
    hidden = {(h["file"], h["sheet"]) for h in expectations["hidden_sheets"]}
    for f in expectations["files"]:
        path = root / f["file"]
        if not path.exists():
            problems.append(f"{f['file']}: missing")
            continue
        if f["status"] != "read":
            continue
        if path.suffix == ".csv":
            text = path.read_bytes().decode(f["encoding"])
            if f["encoding"] == "utf-8" and text.startswith("\ufeff"):
                problems.append(f"{f['file']}: unexpected BOM")
            grid = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
            exp = by_file[f["file"]][0]
            check_sheet(f["file"], grid, exp, rejects_by_sheet[(f["file"], "")], problems)
            continue
        wb = python_calamine.CalamineWorkbook.from_path(str(path))
        meta = {m.name: m.visible for m in wb.sheets_metadata}
        for name, visible in meta.items():
            is_hidden = visible != python_calamine.SheetVisibleEnum.Visible
            if is_hidden != ((f["file"], name) in hidden):
                problems.append(f"{f['file']}/{name}: visibility {visible}")
        expected_names = [e["sheet"] for e in by_file[f["file"]]]
        if [n for n in meta if (f["file"], n) not in hidden] != expected_names:
            problems.append(f"{f['file']}: sheets {list(meta)}, expected {expected_names}")
        for exp in by_file[f["file"]]:
            raw = wb.get_sheet_by_name(exp["sheet"]).to_python(skip_empty_area=False)
            grid = [[as_text(c) if not isinstance(c, str) else c.strip() for c in row] for row in raw]
            check_sheet(f"{f['file']}/{exp['sheet']}", grid, exp, rejects_by_sheet[(f["file"], exp["sheet"])],
                        problems)
    total = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    if total > 3_000_000:
        problems.append(f"sample folder is {total:,} bytes (budget 3 MB)")
    return problems


# ============================================================================================
# Main
# ============================================================================================

def main() -> int:
    master = random.Random(SEED)
    streams = {name: random.Random(master.randrange(2 ** 63)) for name in (
        "deliveries", "delivery_cells", "complaints", "incidents", "scorecards", "survey", "feedback", "visits",
        "service")}
    lots = make_lots(streams["deliveries"])
    complaints = make_complaints(streams["complaints"], lots)

    delivery_books, delivery_csvs = deliveries_files(streams["delivery_cells"], lots)
    complaint_books, complaint_info = complaint_files(complaints)
    rejected_nos = set(complaint_info["not_used"])    # incl. the complaint typed with another's number
    survey_books, survey_csvs = survey_files(streams["survey"])
    books = [customers_file(), *complaint_books, *delivery_books, *scorecard_files(streams["scorecards"], complaints),
             *survey_books, feedback_file(streams["feedback"]), visits_file(streams["visits"]),
             service_file(streams["service"]), property_file(), audits_file()]
    csvs = [*delivery_csvs, incidents_file(streams["incidents"], complaints, lots, rejected_nos), *survey_csvs]

    if OUT_DIR.exists():
        shutil.rmtree(OUT_DIR)
    OUT_DIR.mkdir(parents=True)
    for book in books:
        write_book(book, OUT_DIR)
    for cf in csvs:
        write_csv(cf, OUT_DIR)
    (OUT_DIR / "README.txt").write_text(README_TXT, encoding="utf-8")
    (OUT_DIR / "settings.toml").write_text(SETTINGS_TOML, encoding="utf-8")
    lock = OUT_DIR / LOCK_FILE
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_bytes(lock_file_bytes())

    extra = {"rejected_complaint_numbers": complaint_info["numbers_written"],
             **repeat_expectations(complaints, rejected_nos)}
    expectations = build_expectations(books, csvs, extra)
    EXPECTATIONS_FILE.write_text(json.dumps(expectations, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    problems = self_check(OUT_DIR, expectations)
    for p in problems:
        print("SELF-CHECK:", p, file=sys.stderr)
    n_rows = sum(s["rows_read"] for s in expectations["sheets"])
    print(f"wrote {len(books)} workbooks and {len(csvs)} CSV files into {OUT_DIR.relative_to(HERE.parent)} "
          f"({n_rows} rows, {len(expectations['rejected'])} expected rejects); "
          f"expectations in {EXPECTATIONS_FILE.relative_to(HERE.parent)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
