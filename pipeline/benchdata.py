"""The benchmark's input folders: a whole company's registers at scale, in messy real-life shapes.

Issue 5: a group quality department runs the monthly job over years of history, "tens of workbooks,
a million delivery lots, on a laptop". This module writes such a folder:

* a customer master (客户清单), one sheet with a title row above the header;
* the delivery schedule as 12 monthly workbooks (订单交货进度表, one per month of the period's
  12-month window), 12 columns each (the register's 10 plus two it does not know: unit price and
  shipping mode), written with different header spellings from `pipeline/registers.py` — Chinese,
  English, and one workbook in traditional characters (訂單號, 客戶代碼 …);
* the complaint register (顾客抱怨事件登录表) with one sheet per year, the satisfaction survey
  returns (客户满意度调查表) and the customer incident log (顾客处罚及异常事件).

and the mess a quality analyst meets in them: title, company and document-number rows above the
header, a blank row before it, some dates typed as text (`2026/3/5`, `2026年3月5日`), numbers with
thousands separators or a unit (`12,300`, `1200pcs`), `-` for "not yet", blank categories, a
few rows that must be rejected (a negative quantity, a missing due date), a few exact duplicate
rows, a handful of customers missing from the master, and a sign-off footer (制表： / 审核：).

Generation is deterministic (one fixed seed, split per workbook, and fixed workbook properties),
fast (xlsxwriter `constant_memory`, numpy-vectorised column building, the workbooks spread over
the machine's cores) and cached: a folder is written once under `.bench/` and reused while the
hash of its parameters, of this module's source and of the xlsxwriter version is unchanged.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import pandas as pd

# The "large" company; the other sizes are fractions of it (every register scales alike).
BASE_COUNTS = {"lots": 1_000_000, "complaints": 50_000, "survey_rows": 20_000,
               "incidents": 5_000, "customers": 3_000}
SIZE_SCALES = {"tiny": 0.002, "medium": 0.1, "large": 1.0}
# Below these counts a register is too small to exercise its code paths (tiny sizes only).
MINIMUM_COUNTS = {"lots": 240, "complaints": 24, "survey_rows": 24, "incidents": 12, "customers": 12}

EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
COMPLAINT_MONTHS = 22          # history: the 12-month window plus the ten months before it


@dataclass(frozen=True)
class BenchSpec:
    """What one generated inputs folder holds. Everything that changes the files is in here."""
    lots: int
    complaints: int
    survey_rows: int
    incidents: int
    customers: int
    workbooks: int = 12          # monthly delivery workbooks
    period: str = "2026-10"      # the run's period; the delivery months are its 12-month window
    seed: int = 20261031

    @classmethod
    def at_scale(cls, scale: float) -> "BenchSpec":
        counts = {k: max(MINIMUM_COUNTS[k], int(round(v * scale))) for k, v in BASE_COUNTS.items()}
        return cls(**counts)

    def scaled(self, fraction: float) -> "BenchSpec":
        """The same company at `fraction` of this size (growth measurements)."""
        counts = {k: max(MINIMUM_COUNTS[k], int(round(getattr(self, k) * fraction))) for k in BASE_COUNTS}
        return replace(self, **counts)

    @property
    def data_rows(self) -> int:
        """Register rows written (before the few duplicates the generator adds)."""
        return self.lots + self.complaints + self.survey_rows + self.incidents + self.customers

    @property
    def label(self) -> str:
        for name, scale in SIZE_SCALES.items():
            if self == BenchSpec.at_scale(scale):
                return name
        return f"{self.lots:,} lots"


def spec_for(size: str) -> BenchSpec:
    """`tiny`, `medium` or `large` (ValueError otherwise)."""
    if size not in SIZE_SCALES:
        raise ValueError(f"unknown benchmark size {size!r}: choose from {', '.join(SIZE_SCALES)}")
    return BenchSpec.at_scale(SIZE_SCALES[size])


def source_hash() -> str:
    """This generator's source and the writer's version: a change to either regenerates."""
    import xlsxwriter

    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(xlsxwriter.__version__.encode())
    return h.hexdigest()


def spec_hash(spec: BenchSpec) -> str:
    h = hashlib.sha256(json.dumps(asdict(spec), sort_keys=True).encode())
    h.update(source_hash().encode())
    return h.hexdigest()


@dataclass(frozen=True)
class BenchInputs:
    """A generated folder: where it is and what it holds."""
    spec: BenchSpec
    root: Path                   # .bench/lots<N>-<hash>/ : inputs/, plus the runs' outputs
    inputs: Path
    digest: str
    files: int
    bytes: int
    generated_s: float | None    # None when the cached folder was reused

    @property
    def cached(self) -> bool:
        return self.generated_s is None


def folder_name(spec: BenchSpec) -> str:
    return f"lots{spec.lots}-{spec_hash(spec)[:12]}"


def ensure_inputs(spec: BenchSpec, bench_dir: Path, workers: int | None = None,
                  log: Callable[[str], None] | None = None) -> BenchInputs:
    """The folder for `spec` under `bench_dir`, generated now unless a complete one is cached.

    Folders left by an older version of this generator are removed (they would never be reused).
    """
    log = log or (lambda _msg: None)
    bench_dir = Path(bench_dir)
    bench_dir.mkdir(parents=True, exist_ok=True)
    digest = spec_hash(spec)
    root = bench_dir / folder_name(spec)
    inputs = root / "inputs"
    marker = root / "spec.json"
    _prune_stale(bench_dir, source_hash())
    if marker.is_file() and inputs.is_dir():
        files = sorted(p for p in inputs.iterdir() if p.is_file())
        log(f"inputs {spec.label}: cached in {inputs} ({len(files)} workbooks)")
        return BenchInputs(spec, root, inputs, digest, len(files), sum(p.stat().st_size for p in files), None)

    log(f"inputs {spec.label}: generating {spec.lots:,} lots, {spec.complaints:,} complaints, "
        f"{spec.survey_rows:,} survey rows, {spec.incidents:,} incidents, {spec.customers:,} customers")
    started = time.perf_counter()
    if root.exists():
        shutil.rmtree(root)
    tmp = bench_dir / f".{root.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    (tmp / "inputs").mkdir(parents=True)
    try:
        paths = generate_inputs(spec, tmp / "inputs", workers=workers)
        (tmp / "spec.json").write_text(json.dumps(
            {"spec": asdict(spec), "hash": digest, "source_hash": source_hash()}, indent=2), encoding="utf-8")
        os.replace(tmp, root)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    seconds = time.perf_counter() - started
    size = sum((inputs / p.name).stat().st_size for p in paths)
    log(f"inputs {spec.label}: {len(paths)} workbooks, {size / 1e6:,.1f} MB in {seconds:.1f} s")
    return BenchInputs(spec, root, inputs, digest, len(paths), size, seconds)


def _prune_stale(bench_dir: Path, current_source: str) -> None:
    for marker in bench_dir.glob("lots*-*/spec.json"):
        try:
            stale = json.loads(marker.read_text(encoding="utf-8")).get("source_hash") != current_source
        except (OSError, ValueError):
            stale = True
        if stale:
            shutil.rmtree(marker.parent, ignore_errors=True)


# --- the folder's workbooks ----------------------------------------------------------------------

def workbook_jobs(spec: BenchSpec) -> list[tuple[str, int]]:
    """(kind, index) of every workbook, largest first so the pool's cores finish together."""
    jobs = [("deliveries", k) for k in range(spec.workbooks)]
    jobs += [("complaints", 0), ("survey", 0), ("incidents", 0), ("customers", 0)]
    return jobs


def generate_inputs(spec: BenchSpec, target: Path, workers: int | None = None) -> list[Path]:
    """Write every workbook of `spec` into `target`; returns their paths in job order."""
    jobs = workbook_jobs(spec)
    if workers is None:
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    workers = max(1, min(workers, len(jobs)))
    if workers == 1:
        return [write_workbook(spec, kind, index, target) for kind, index in jobs]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(write_workbook, spec, kind, index, target) for kind, index in jobs]
        return [f.result() for f in futures]


def write_workbook(spec: BenchSpec, kind: str, index: int, target: Path) -> Path:
    """Build one workbook's sheets and write it. Each (kind, index) has its own random stream."""
    writers = {"deliveries": _deliveries_workbook, "complaints": _complaints_workbook,
               "survey": _survey_workbook, "incidents": _incidents_workbook,
               "customers": _customers_workbook}
    stream = {"customers": 1, "deliveries": 2, "complaints": 3, "survey": 4, "incidents": 5}[kind]
    rng = np.random.default_rng([spec.seed, stream, index])
    name, saved_at, sheets = writers[kind](spec, index, rng)
    path = Path(target) / name
    _write_xlsx(path, saved_at, sheets)
    return path


@dataclass
class SheetData:
    """One sheet as it will be written: rows above the header, the header, columns, footer."""
    name: str
    title_rows: list[list[str]]
    header: list[str]
    columns: list[list]            # one list per column: None (blank), str, int/float
    kinds: list[str]               # per column: "text", "int", "number", "date", "datetime"
    footer: list[str]


def _write_xlsx(path: Path, saved_at: datetime, sheets: Sequence[SheetData]) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                         "strings_to_formulas": False, "strings_to_urls": False})
    # Fixed properties: the same bytes every time, and a save time the supersession rule can use.
    wb.set_properties({"title": path.stem, "author": "质量部", "company": "示例电子有限公司",
                       "created": saved_at})
    title_fmt = wb.add_format({"bold": True, "font_size": 14})
    head_fmt = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True})
    formats = {"date": wb.add_format({"num_format": "yyyy-mm-dd"}),
               "datetime": wb.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
               "number": wb.add_format({"num_format": "#,##0.00"}), "int": None, "text": None}
    for sheet in sheets:
        ws = wb.add_worksheet(sheet.name)
        ncols = len(sheet.header)
        ws.set_column(0, ncols - 1, 14)
        r = 0
        for i, row in enumerate(sheet.title_rows):
            for c, value in enumerate(row):
                if value:
                    ws.write_string(r, c, value, title_fmt if i == 0 else None)
            r += 1
        for c, h in enumerate(sheet.header):
            ws.write_string(r, c, h, head_fmt)
        r += 1
        write_string, write_number = ws.write_string, ws.write_number
        fmts = [formats[k] for k in sheet.kinds]
        # The one per-cell loop: xlsxwriter takes cells one by one. Everything above it is numpy.
        for rr, row in enumerate(zip(*sheet.columns), start=r):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if type(value) is str:
                    write_string(rr, c, value)
                else:
                    write_number(rr, c, value, fmts[c])
        r += len(sheet.columns[0]) if sheet.columns else 0
        r += 1
        for c, value in enumerate(sheet.footer):
            if value:
                write_string(r, c, value)
    wb.close()


# --- shared building blocks (vectorised) ----------------------------------------------------------

CITIES = ("苏州", "无锡", "常州", "昆山", "宁波", "杭州", "东莞", "深圳", "惠州", "佛山", "厦门", "福州",
          "青岛", "烟台", "天津", "大连", "沈阳", "长春", "武汉", "长沙", "重庆", "成都", "西安", "合肥")
WORDS = ("华瑞", "恒通", "鼎盛", "金达", "宏远", "瑞丰", "嘉诚", "永信", "正泰", "德润", "通达", "新源",
         "海天", "科华", "中联", "天成", "安捷", "博远", "利达", "盛世", "远航", "华星", "东方", "卓越", "立信")
TRADES = ("电子", "汽车部件", "精密机械", "电器", "科技", "工业")
PLANTS = ("一厂", "二厂", "三厂")
SHIPPING = ("陆运", "海运", "空运", "快递")
DEPTS = ("制造部", "品保部", "工程部", "采购部", "仓储部", "研发部")
DEFECTS = ("外观划伤", "尺寸超差", "功能不良", "包装破损", "混料", "标签错误", "焊接不良", "毛刺",
           "变形", "异物", "数量短缺", "电性能不良")
PEOPLE = ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴婷", "徐强", "孙丽",
          "马超", "朱琳", "胡军", "郭燕")
COMMENTS = ("交期需改善", "质量稳定", "希望加快回复速度", "包装需加强", "价格偏高", "服务满意",
            "技术支持及时", "沟通顺畅")


def _strings(values: np.ndarray) -> pd.Series:
    return pd.Series(values).astype("str")


def _join(*parts) -> np.ndarray:
    """Concatenate string columns and literals elementwise (pandas' vectorised string add)."""
    out = None
    for p in parts:
        s = p if isinstance(p, str) else (p.astype("str") if isinstance(p, pd.Series) else _strings(p))
        out = s if out is None else out + s
    return np.asarray(out, dtype=object)


def _serials(days: np.ndarray) -> np.ndarray:
    """datetime64[D] (or [s]) → Excel serial numbers (float days since 1899-12-30)."""
    if days.dtype == np.dtype("datetime64[D]"):
        return (days - EXCEL_EPOCH).astype("int64").astype("float64")
    seconds = (days - EXCEL_EPOCH.astype("datetime64[s]")).astype("int64")
    return seconds / 86400.0


def _date_texts(days: np.ndarray, style: str) -> np.ndarray:
    """Dates written by hand: `2026/3/5` (style 'slash') or `2026年3月5日` (style 'cn')."""
    idx = pd.DatetimeIndex(days.astype("datetime64[s]"))
    y, m, d = (_strings(idx.year.to_numpy()), _strings(idx.month.to_numpy()), _strings(idx.day.to_numpy()))
    if style == "slash":
        return _join(y, "/", m, "/", d)
    return _join(y, "年", m, "月", d, "日")


def _with_thousands(values: np.ndarray) -> np.ndarray:
    """Integers as text with thousands separators: 12300 → '12,300' (values < 10^9)."""
    v = pd.Series(values.astype("int64"))
    millions, thousands, units = v // 1_000_000, (v // 1000) % 1000, v % 1000
    pad = lambda s: s.astype("str").str.zfill(3)  # noqa: E731
    text = np.where(millions > 0, _join(millions, ",", pad(thousands), ",", pad(units)),
                    np.where(thousands > 0, _join(thousands, ",", pad(units)), _join(units)))
    return text.astype(object)


def _column(values: np.ndarray, *, blank: np.ndarray | None = None,
            texts: Sequence[tuple[np.ndarray, np.ndarray]] = ()) -> list:
    """A column as Python cells: numbers, with `texts` (mask, text values) overriding and
    `blank` cells left empty."""
    out = np.asarray(values, dtype=object)
    for mask, text in texts:
        out = np.where(mask, text, out)
    if blank is not None:
        out = np.where(blank, None, out)
    return out.tolist()


def _date_column(days: np.ndarray, rng: np.random.Generator, *, blank: np.ndarray | None = None,
                 text_share: float = 0.03, cn_share: float = 0.005) -> list:
    """Date cells (Excel serials with a date format), a share of them typed as text."""
    n = len(days)
    pick = rng.random(n)
    texts = []
    if text_share:
        mask = pick < text_share
        texts.append((mask, _date_texts(days, "slash") if mask.any() else np.full(n, None)))
    if cn_share:
        mask = (pick >= text_share) & (pick < text_share + cn_share)
        texts.append((mask, _date_texts(days, "cn") if mask.any() else np.full(n, None)))
    return _column(_serials(days), blank=blank, texts=texts)


def _qty_column(qty: np.ndarray, rng: np.random.Generator, *, blank: np.ndarray | None = None,
                sep_share: float = 0.05, unit_share: float = 0.005) -> list:
    """Integer cells; some typed as text with thousands separators (`12,300`) or a unit (`1200pcs`)."""
    n = len(qty)
    pick = rng.random(n)
    sep = pick < sep_share
    unit = (pick >= sep_share) & (pick < sep_share + unit_share)
    texts = []
    if sep.any():
        with_sep = _with_thousands(np.abs(qty))
        texts.append((sep, np.where(qty < 0, _join("-", pd.Series(with_sep, dtype="str")), with_sep)))
    if unit.any():
        texts.append((unit, _join(_strings(qty), "pcs")))
    return _column(qty.astype("int64"), blank=blank, texts=texts)


def _pick(rng: np.random.Generator, choices: Sequence[str], n: int, p: Sequence[float] | None = None) -> np.ndarray:
    return np.asarray(choices, dtype=object)[rng.choice(len(choices), size=n, p=p)]


def _window_months(spec: BenchSpec, count: int) -> pd.PeriodIndex:
    return pd.period_range(end=pd.Period(spec.period, freq="M"), periods=count, freq="M")


def _title_rows(title: str, ncols: int, variant: int, month_text: str = "") -> list[list[str]]:
    """A form's head: a title, a company / document-number line, sometimes a blank row."""
    company = ["公司：示例电子有限公司", "", "", f"文件编号：QR-QA-{100 + variant:03d}"]
    if month_text:
        company += ["", f"月份：{month_text}"]
    rows = [[title], company[:ncols]]
    if variant % 2 == 0:
        rows.append([])
    return rows


FOOTER = ["制表：张伟", "", "", "审核：王芳"]


# --- customers -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Customers:
    code: np.ndarray          # object (str)
    name: np.ndarray          # object (str)
    weight: np.ndarray        # float, sums to 1: how much business each customer gives
    automotive: np.ndarray    # bool


def customer_table(spec: BenchSpec) -> Customers:
    """The master's customers, the same in every worker process (own random stream)."""
    rng = np.random.default_rng([spec.seed, 1, 999])
    n = spec.customers
    i = np.arange(n)
    code = _join("C", _strings(i + 1).str.zfill(5))
    c, w, t = i % len(CITIES), (i // len(CITIES)) % len(WORDS), (i // (len(CITIES) * len(WORDS))) % len(TRADES)
    name = _join(np.asarray(CITIES, dtype=object)[c], np.asarray(WORDS, dtype=object)[w],
                 np.asarray(TRADES, dtype=object)[t], "有限公司")
    repeat = i // (len(CITIES) * len(WORDS) * len(TRADES))
    name = np.where(repeat > 0, _join(name, _strings(repeat + 1)), name)
    # Business is concentrated: a Zipf-like share, shuffled so code order says nothing.
    weight = 1.0 / (rng.permutation(n) + 5.0) ** 0.9
    weight = weight / weight.sum()
    automotive = rng.random(n) < 0.3
    return Customers(code, name, weight, automotive)


def _customer_cells(cust: Customers, idx: np.ndarray, rng: np.random.Generator,
                    unknown_share: float = 0.0005) -> tuple[list, list]:
    """(code cells, name cells) for rows of customer indices `idx`: mostly both written, a few
    rows with only the name (linked by name), a few customers missing from the master."""
    n = len(idx)
    code = cust.code[idx]
    name = cust.name[idx]
    pick = rng.random(n)
    unknown = pick < unknown_share
    if unknown.any():
        # A handful of customers the master does not know (a new customer, a typo'd code).
        k = rng.integers(1, 6, size=n)
        code = np.where(unknown, _join("C9", _strings(k).str.zfill(4)), code)
        name = np.where(unknown, _join("新客户", _strings(k)), name)
    name_only = (pick >= unknown_share) & (pick < unknown_share + 0.002)
    code = np.where(name_only, None, code)
    return code.tolist(), name.tolist()


def _customers_workbook(spec: BenchSpec, index: int, rng: np.random.Generator):
    cust = customer_table(spec)
    n = spec.customers
    segment = np.where(cust.automotive, _pick(rng, ("汽车", "汽车件", "auto"), n, (0.6, 0.3, 0.1)),
                       _pick(rng, ("非汽车", "一般", "其他"), n, (0.5, 0.3, 0.2)))
    segment = np.where((~cust.automotive) & (rng.random(n) < 0.15), None, segment)   # blank → non-auto
    value = np.round(cust.weight * 2.5e9 * rng.uniform(0.8, 1.2, n), -3)
    key = np.where(value > np.quantile(value, 0.9), "是", np.where(rng.random(n) < 0.5, "否", None))
    ppm = np.asarray((30.0, 50.0, 100.0, np.nan))[rng.choice(4, size=n, p=(0.2, 0.3, 0.2, 0.3))]
    header = ["客户代码", "客户名称", "客户类别", "年订单额(元)", "重点客户", "PPM目标"]
    columns = [cust.code.tolist(), cust.name.tolist(), segment.tolist(),
               _column(value, texts=[(rng.random(n) < 0.05, _with_thousands(value))]),
               key.tolist(), _column(ppm, blank=np.isnan(ppm))]
    sheet = SheetData("客户资料", [["客户清单（2026年度）"]], header, columns,
                      ["text", "text", "text", "number", "text", "number"], [])
    return "客户清单.xlsx", datetime(2026, 1, 5, 9, 0), [sheet]


# --- deliveries ------------------------------------------------------------------------------------

# Header spellings per workbook (registers.md aliases), 12 columns: the register's 10 + 2 unknown.
DELIVERY_HEADERS = {
    "zh": ["订单号", "批号", "客户代码", "客户名称", "料号", "要求交期", "实际交货日期",
           "订单数量", "实交数量", "厂区", "单价(元)", "运输方式"],
    "zh2": ["销售订单号", "交货批次", "客户编号", "客户", "品号", "客户交期", "实际出货日期",
            "应交数量", "出货数量", "工厂", "单价（元）", "运输方式"],
    "en": ["Order No", "Lot No", "Customer Code", "Customer Name", "Part No", "Due Date",
           "Actual Delivery Date", "Qty Due (pcs)", "Qty Delivered (pcs)", "Plant", "Unit Price", "Shipping"],
    # One workbook kept by the Taiwan office: traditional characters, matched as simplified.
    "zh_hant": ["訂單號", "批號", "客戶代碼", "客戶名稱", "料號", "要求交期", "實際交貨日期",
                "訂單數量", "實交數量", "廠區", "單價(元)", "運輸方式"],
}


def delivery_header_variant(index: int, workbooks: int) -> str:
    if index == min(6, workbooks - 1):
        return "zh_hant"
    return ("zh", "zh2", "zh", "en")[index % 4]


def month_counts(total: int, months: int) -> list[int]:
    return [total // months + (k < total % months) for k in range(months)]


def _deliveries_workbook(spec: BenchSpec, index: int, rng: np.random.Generator):
    month = _window_months(spec, spec.workbooks)[index]
    n = month_counts(spec.lots, spec.workbooks)[index]
    cust = customer_table(spec)
    last_month = index == spec.workbooks - 1

    # Orders of one to four lots; every lot of an order goes to the same customer.
    lots_per_order = rng.integers(1, 5, size=n)
    order_of_row = np.repeat(np.arange(n), lots_per_order)[:n]
    starts = np.concatenate([[0], np.cumsum(lots_per_order)[:-1]])
    lot_in_order = np.arange(n) - starts[order_of_row] + 1
    ym = f"{month.year}{month.month:02d}"
    order_no = _join(f"SO{ym}", _strings(order_of_row + 1).str.zfill(6))
    lot_no = _join("L", _strings(lot_in_order).str.zfill(2))
    customer = rng.choice(spec.customers, size=order_of_row.max() + 1, p=cust.weight)[order_of_row]
    code_cells, name_cells = _customer_cells(cust, customer, rng)
    part = _join("P", _strings(rng.integers(1, 5001, size=n)).str.zfill(5), "-",
                 _pick(rng, ("A", "B", "C"), n, (0.6, 0.3, 0.1)))

    first = np.datetime64(month.start_time.date(), "D")
    due = first + rng.integers(0, month.days_in_month, size=n).astype("timedelta64[D]")
    # Most lots ship a few days early or on the day; some late; some not yet shipped.
    state = rng.random(n)
    late = (state >= 0.93) & (state < 0.98 - (0.04 if last_month else 0.0))
    undelivered = state >= 0.98 - (0.04 if last_month else 0.0)
    offset = np.where(late, rng.integers(1, 16, size=n), -rng.integers(0, 7, size=n))
    delivered = due + offset.astype("timedelta64[D]")

    qty_due = rng.integers(1, 500, size=n) * 100
    short = rng.random(n) < 0.04
    qty_delivered = np.where(short, np.floor(qty_due * rng.uniform(0.8, 0.99, size=n)), qty_due).astype("int64")

    # Rows that must be rejected: a negative quantity, a missing due date (two in ten thousand each).
    bad = rng.random(n)
    negative = bad < 0.0002
    no_due = (bad >= 0.0002) & (bad < 0.0004)
    qty_due = np.where(negative, -qty_due, qty_due)

    delivered_cells = _date_column(delivered, rng, blank=undelivered)
    # "Not yet" written as a dash in some workbooks rather than left blank.
    if index % 3 == 1:
        delivered_cells = np.where(undelivered, "-", np.asarray(delivered_cells, dtype=object)).tolist()
    columns = [
        order_no.tolist(), lot_no.tolist(), code_cells, name_cells, part.tolist(),
        _date_column(due, rng, blank=no_due),
        delivered_cells,
        _qty_column(qty_due, rng),
        _qty_column(qty_delivered, rng, blank=undelivered),
        _pick(rng, PLANTS, n, (0.5, 0.3, 0.2)).tolist(),
        np.round(rng.uniform(0.5, 80.0, size=n), 2).tolist(),
        _pick(rng, SHIPPING, n, (0.7, 0.15, 0.05, 0.1)).tolist(),
    ]
    columns = _with_duplicates(columns, rng, share=0.0005)
    variant = delivery_header_variant(index, spec.workbooks)
    header = DELIVERY_HEADERS[variant]
    title = "訂單交貨進度表" if variant == "zh_hant" else ("Delivery schedule" if variant == "en" else "订单交货进度表")
    kinds = ["text"] * 5 + ["date", "date", "int", "int", "text", "number", "text"]
    sheet = SheetData(f"{month.year}年{month.month}月", _title_rows(title, len(header), index,
                                                                  f"{month.year}年{month.month}月"),
                      header, columns, kinds, FOOTER)
    saved = (month + 1).start_time.to_pydatetime().replace(hour=8)
    return f"订单交货进度表_{month.year}-{month.month:02d}.xlsx", saved, [sheet]


def _with_duplicates(columns: list[list], rng: np.random.Generator, share: float) -> list[list]:
    """Repeat a few rows right below themselves (a line pasted twice): counted as duplicates."""
    n = len(columns[0])
    dup = rng.random(n) < share
    if not dup.any():
        return columns
    order = np.repeat(np.arange(n), np.where(dup, 2, 1))
    return [np.asarray(col, dtype=object)[order].tolist() for col in columns]


# --- complaints ------------------------------------------------------------------------------------

COMPLAINT_HEADER = ["客诉编号", "客诉日期", "客户代码", "客户名称", "料号", "批号", "客诉类别", "紧急程度",
                    "不良描述", "不良数量", "原因分类", "责任部门", "首次回复时间", "8D回复日期", "结案日期",
                    "效果确认", "索赔金额", "是否批退", "不良代码"]


def _complaints_workbook(spec: BenchSpec, index: int, rng: np.random.Generator):
    cust = customer_table(spec)
    n = spec.complaints
    months = _window_months(spec, COMPLAINT_MONTHS)
    start = np.datetime64(months[0].start_time.date(), "s")
    end = np.datetime64((months[-1] + 1).start_time.date(), "s")
    span = int((end - start).astype("int64"))
    # Working hours only: 08:00–18:00 on the day received.
    day = rng.integers(0, span // 86400, size=n)
    received = start + (day * 86400 + rng.integers(8 * 3600, 18 * 3600, size=n)).astype("timedelta64[s]")
    received = np.sort(received)
    as_of = end
    customer = rng.choice(spec.customers, size=n, p=cust.weight)
    code_cells, name_cells = _customer_cells(cust, customer, rng)
    year = pd.DatetimeIndex(received).year.to_numpy()
    month = pd.DatetimeIndex(received).month.to_numpy()
    seq = np.arange(n) + 1
    complaint_no = _join("CC", _strings(year), _strings(month).str.zfill(2), "-", _strings(seq).str.zfill(6))

    category = _pick(rng, ("A", "A类", "B", "B类", "C", "c", "Ａ", ""), n, (0.1, 0.05, 0.25, 0.05, 0.3, 0.05, 0.02, 0.18))
    severity = _pick(rng, ("紧急", "急件", "一般", "普通", ""), n, (0.12, 0.03, 0.5, 0.1, 0.25))
    cause = _pick(rng, ("人", "机", "料", "法", "环", "测", "设备", "材料", ""), n,
                  (0.2, 0.12, 0.15, 0.15, 0.03, 0.05, 0.05, 0.05, 0.2))
    defect_qty = rng.integers(1, 2000, size=n)
    response = received + rng.integers(1800, 72 * 3600, size=n).astype("timedelta64[s]")
    report_8d = (received.astype("datetime64[D]") + rng.integers(1, 14, size=n).astype("timedelta64[D]"))
    closed = received.astype("datetime64[D]") + rng.integers(3, 60, size=n).astype("timedelta64[D]")
    open_ = (closed >= as_of.astype("datetime64[D]")) | (rng.random(n) < 0.03)
    no_response = rng.random(n) < 0.03
    no_8d = rng.random(n) < 0.3
    # A reply dated before the complaint: rejected (two in ten thousand).
    early = rng.random(n) < 0.0002
    response = np.where(early, received - np.timedelta64(86400 * 2, "s"), response)
    claim = np.round(rng.lognormal(8, 1.2, size=n), 2)
    claim_blank = rng.random(n) < 0.7

    columns = [
        complaint_no.tolist(),
        _date_column(received, rng, text_share=0.01, cn_share=0.0),
        code_cells, name_cells,
        _join("P", _strings(rng.integers(1, 5001, size=n)).str.zfill(5), "-A").tolist(),
        np.where(rng.random(n) < 0.4, None, _join("L", _strings(rng.integers(1, 5, size=n)).str.zfill(2))).tolist(),
        np.where(category == "", None, category).tolist(),
        np.where(severity == "", None, severity).tolist(),
        _pick(rng, DEFECTS, n).tolist(),
        _qty_column(defect_qty, rng, blank=rng.random(n) < 0.05, sep_share=0.03, unit_share=0.0),
        np.where(cause == "", None, cause).tolist(),
        _pick(rng, DEPTS, n).tolist(),
        _date_column(response, rng, blank=no_response, text_share=0.0, cn_share=0.0),
        _date_column(report_8d, rng, blank=no_8d | open_ & (rng.random(n) < 0.5), text_share=0.02, cn_share=0.0),
        _date_column(closed, rng, blank=open_, text_share=0.02, cn_share=0.005),
        np.where(open_, None, _pick(rng, ("是", "否", "OK", ""), n, (0.6, 0.1, 0.1, 0.2))).tolist(),
        _column(claim, blank=claim_blank, texts=[(rng.random(n) < 0.1, _with_thousands(claim))]),
        _pick(rng, ("否", "N", "是", "Y"), n, (0.8, 0.1, 0.07, 0.03)).tolist(),
        _join("D", _strings(rng.integers(1, 31, size=n)).str.zfill(2)).tolist(),
    ]
    kinds = ["text", "datetime", "text", "text", "text", "text", "text", "text", "text", "int", "text",
             "text", "datetime", "date", "date", "text", "number", "text", "text"]
    sheets = []
    for y in np.unique(year):
        rows = np.flatnonzero(year == y)
        lo, hi = rows[0], rows[-1] + 1
        cols = [col[lo:hi] for col in columns]
        sheets.append(SheetData(f"{y}年客诉", _title_rows(f"{y}年顾客抱怨事件登录表", len(COMPLAINT_HEADER), int(y)),
                                COMPLAINT_HEADER, cols, kinds, FOOTER))
    return "顾客抱怨事件登录表.xlsx", datetime(2026, 11, 2, 9, 0), sheets


# --- survey returns --------------------------------------------------------------------------------

SURVEY_ROUNDS = (("2024 H2", "2024-07-10"), ("2025上半年", "2025-01-10"), ("2025下半年", "2025-07-10"),
                 ("2026H1", "2026-01-10"))
SURVEY_HEADER = ["调查批次", "客户代码", "客户名称", "填表人", "发出日期", "回收日期", "产品质量", "交期",
                 "价格", "服务", "技术支持", "沟通", "包装", "总分", "客户意见"]


def _survey_workbook(spec: BenchSpec, index: int, rng: np.random.Generator):
    cust = customer_table(spec)
    n = spec.survey_rows
    rounds = len(SURVEY_ROUNDS)
    i = np.arange(n)
    # Row i → (round, customer, respondent) one-to-one, so the register's key never repeats.
    r, j = i % rounds, i // rounds
    customer, k = j % spec.customers, j // spec.customers
    respondent = np.asarray(PEOPLE, dtype=object)[k % len(PEOPLE)]
    respondent = np.where(k >= len(PEOPLE), _join(respondent, _strings(k // len(PEOPLE) + 1)), respondent)
    sent = np.asarray([np.datetime64(d, "D") for _, d in SURVEY_ROUNDS])[r]
    returned = sent + rng.integers(3, 40, size=n).astype("timedelta64[D]")
    not_returned = rng.random(n) < 0.15
    code_cells, name_cells = _customer_cells(cust, customer, rng, unknown_share=0.0)
    base = rng.normal(86, 7, size=n)
    items = []
    for _ in range(7):
        score = np.clip(np.round(base + rng.normal(0, 4, size=n)), 40, 100)
        items.append(_column(score, blank=not_returned | (rng.random(n) < 0.03)))
    columns = [
        np.asarray([label for label, _ in SURVEY_ROUNDS], dtype=object)[r].tolist(),
        code_cells, name_cells, respondent.tolist(),
        _date_column(sent, rng, text_share=0.0, cn_share=0.0),
        _date_column(returned, rng, blank=not_returned, text_share=0.05, cn_share=0.0),
        *items,
        [None] * n,
        np.where(rng.random(n) < 0.7, None, _pick(rng, COMMENTS, n)).tolist(),
    ]
    kinds = ["text"] * 4 + ["date", "date"] + ["int"] * 8 + ["text"]
    sheet = SheetData("满意度调查", _title_rows("客户满意度调查表", len(SURVEY_HEADER), 0), SURVEY_HEADER,
                      columns, kinds, FOOTER)
    return "客户满意度调查表.xlsx", datetime(2026, 8, 20, 9, 0), [sheet]


# --- incidents -------------------------------------------------------------------------------------

INCIDENT_HEADER = ["发生日期", "客户代码", "客户名称", "事件类型", "次数", "金额(元)", "说明"]


def _incidents_workbook(spec: BenchSpec, index: int, rng: np.random.Generator):
    cust = customer_table(spec)
    n = spec.incidents
    months = _window_months(spec, spec.workbooks)
    first = np.datetime64(months[0].start_time.date(), "D")
    days = int((np.datetime64((months[-1] + 1).start_time.date(), "D") - first).astype("int64"))
    date = np.sort(first + rng.integers(0, days, size=n).astype("timedelta64[D]"))
    customer = rng.choice(spec.customers, size=n, p=cust.weight)
    code_cells, name_cells = _customer_cells(cust, customer, rng, unknown_share=0.0)
    kind = _pick(rng, ("特采", "罚款", "超额运费", "空运费", "召回", "8D延迟", "其他"), n,
                 (0.35, 0.15, 0.15, 0.05, 0.02, 0.13, 0.15))
    has_amount = np.isin(kind, ("罚款", "超额运费", "空运费", "召回"))
    amount = np.round(rng.lognormal(8.5, 1.0, size=n), 0)
    columns = [
        _date_column(date, rng, text_share=0.05, cn_share=0.01),
        code_cells, name_cells, kind.tolist(),
        _column(rng.integers(1, 4, size=n), blank=rng.random(n) < 0.4),
        _column(amount, blank=~has_amount, texts=[(rng.random(n) < 0.2, _with_thousands(amount))]),
        _pick(rng, DEFECTS, n).tolist(),
    ]
    kinds = ["date", "text", "text", "text", "int", "number", "text"]
    sheet = SheetData("异常事件", _title_rows("顾客处罚及异常事件", len(INCIDENT_HEADER), 1), INCIDENT_HEADER,
                      columns, kinds, FOOTER)
    return "顾客处罚及异常事件.xlsx", datetime(2026, 11, 1, 9, 0), [sheet]


if __name__ == "__main__":  # python -m pipeline.benchdata SIZE [DIR]: write one folder and say where
    size = sys.argv[1] if len(sys.argv) > 1 else "tiny"
    where = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).resolve().parent.parent / ".bench"
    made = ensure_inputs(spec_for(size), where, log=lambda m: print(m, file=sys.stderr))
    print(made.inputs)
