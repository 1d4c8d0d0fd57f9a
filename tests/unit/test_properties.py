"""Issue 6, property tests (Hypothesis): nothing raises, nothing is lost, order never matters.

- registers.md "Value normalisation": every normaliser of `pipeline/stage/normalise.py` takes any
  cell text (arbitrary Unicode, numbers, dates, booleans, vocabularies, full-width forms, missing
  tokens) and returns a `Parsed` — typed values, and a reason code where a value is not valid —
  never an exception; row i's result depends on row i only.
- registers.md "Bad rows, duplicates, nothing lost": any sheet of any register — header on any of
  the first 20 rows under title rows, columns in any order, junk columns, blank rows, footers,
  keys repeated within and across sheets — through `classify` + `stage_sheet` + `resolve`:
  rows read = accepted + rejected + skipped for every sheet, and the rows used are exactly the
  accepted ones less the duplicates and superseded ones.
- outputs.md "the same inputs … give a byte-identical file": kpis_long.csv does not change when
  the register rows are shuffled and spread over differently named files (xlsx or csv).
- kpis_long.csv: any text survives a CSV reader as one field, neutralised (OWASP).

Test names carry "property" so that `make fuzz` (HYPOTHESIS_PROFILE=fuzz, `-k property`) runs
them with many more examples; `make test` keeps them bounded (tests/conftest.py).
"""
from __future__ import annotations

import csv
import io
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings, strategies as st

from pipeline.headers import AliasIndex
from pipeline.kpis.base import LONG_COLUMNS
from pipeline.kpis.long import neutralise_text, write_kpis_long
from pipeline.quality import resolve
from pipeline.read.header import HEADER_SEARCH_ROWS, classify
from pipeline.read.model import RawSheet
from pipeline.registers import REGISTERS
from pipeline.stage import normalise as nz
from pipeline.stage import stage_sheet
from tests.conftest import examples

INDEX = AliasIndex(REGISTERS, {})

# --- cell texts as the readers hand them over ---------------------------------------------------

FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)} | {" ": "\u3000"})
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日", "%Y年%m月%d号", "%m月%d日",
                "%m/%d/%Y", "%d/%m/%Y", "%m/%d/%y", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%dT%H:%M:%S", "%Y年%m月%d日 %H时%M分", "%Y-%m", "%Y/%m", "%Y年%m月", "%Y%m")
VOCAB_SPELLINGS = sorted({s for r in REGISTERS.values() for c in r.columns
                          for canon, spellings in c.vocab.items() for s in (canon, *spellings)})
TOKENS = sorted({*nz.MISSING_TOKENS, *VOCAB_SPELLINGS, "是", "否", "Y", "N", "√", "×", "OK", "NG", "true",
                 "false", "1", "0", "1.0", "2026H1", "2026 H2", "2026上半年", "2026年第3季度", "2026Q3",
                 "2026年度", "5万", "约100", "1,2", "1e3", "inf", "nan", "-", "60", "2958466", "45935.5",
                 "2026-02-30", "25/10/2026", "24:00", "#N/A", "\u200b", "\ufeff12"})

numbers_as_text = st.one_of(
    st.integers(-10**16, 10**16).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(-1e9, 1e9, allow_nan=False).map(lambda x: f"{x:,.2f}"),
    st.tuples(st.integers(0, 10**7), st.sampled_from(["pcs", " PCS", "件", "kg", "%", "元", "万", "千克"]))
      .map(lambda t: f"{t[0]:,}{t[1]}"),
    st.integers(0, 3_000_000).map(lambda n: f"{n}.{n % 7}"),          # Excel serials, with time
)
dates_as_text = st.tuples(
    st.datetimes(min_value=datetime(1800, 1, 1), max_value=datetime(9999, 12, 31)),
    st.sampled_from(DATE_FORMATS),
).map(lambda t: t[0].strftime(t[1]))
cell_texts = st.one_of(
    st.none(),
    st.text(max_size=20),
    numbers_as_text,
    dates_as_text,
    st.sampled_from(TOKENS),
)
# any of those full-width, or with whitespace (full-width, no-break, line breaks) around it
cells = st.tuples(cell_texts, st.booleans(), st.sampled_from(["", " ", "\u3000", "\u00a0", "\n", "\t"])).map(
    lambda t: None if t[0] is None else (t[0].translate(FULL_WIDTH) if t[1] else t[0]) + t[2])


@st.composite
def columns(draw, max_size: int = 30) -> pd.Series:
    """A raw text column (pandas `str`, missing = NaN) on a shuffled, non-default index."""
    values = draw(st.lists(cells, max_size=max_size))
    index = draw(st.permutations(range(100, 100 + len(values)))) if values else []
    return pd.Series(values, index=pd.Index(index, dtype="int64"), dtype="str")


VOCAB_COLUMNS = [(r.name, c.name) for r in REGISTERS.values() for c in r.columns if c.kind == "vocab"]


def vocab_of(register: str, column: str) -> dict:
    col = REGISTERS[register].column(column)
    return {canon: (canon, *spellings) for canon, spellings in col.vocab.items()}


# the options a normaliser takes, drawn once per example
OPTIONS = st.fixed_dictionaries({
    "dayfirst": st.booleans(), "default_year": st.none() | st.integers(1900, 2099),
    "keep_time": st.booleans(), "vocab": st.sampled_from(VOCAB_COLUMNS), "code": st.booleans(),
})

NORMALISERS = {       # name → (function of (raw column, options), dtype of the values)
    "parse_number": (lambda raw, o: nz.parse_number(raw), "float64"),
    "parse_number_integer": (lambda raw, o: nz.parse_number(raw, integer=True), "Int64"),
    "parse_date": (lambda raw, o: nz.parse_date(raw, dayfirst=o["dayfirst"], default_year=o["default_year"],
                                                keep_time=o["keep_time"]), "datetime64[us]"),
    "parse_bool": (lambda raw, o: nz.parse_bool(raw), "boolean"),
    "parse_vocab": (lambda raw, o: nz.parse_vocab(raw, vocab_of(*o["vocab"])), "str"),
    "parse_month": (lambda raw, o: nz.parse_month(raw, dayfirst=o["dayfirst"]), "str"),
    "parse_round": (lambda raw, o: nz.parse_round(raw), "str"),
    "clean_text": (lambda raw, o: nz.clean_text(raw, code=o["code"]), "str"),
}
REASONS = {"", *nz.REASON_CODES}


def missing_mask(values: pd.Series) -> np.ndarray:
    return values.isna().to_numpy(dtype=bool)


def assert_parsed_shape(parsed, raw: pd.Series, dtype: str) -> None:
    assert isinstance(parsed, nz.Parsed)
    assert parsed.values.index.equals(raw.index) and parsed.error.index.equals(raw.index)
    assert str(parsed.values.dtype) == dtype, parsed.values.dtype
    assert parsed.error.dtype == "str"
    errors = parsed.error.to_numpy(dtype=object)
    assert set(errors) <= REASONS, set(errors) - REASONS
    # a value that is not valid is missing, and a blank cell is missing without an error
    bad = errors != ""
    assert missing_mask(parsed.values)[bad].all()
    blank = raw.isna().to_numpy()
    assert not bad[blank].any() and missing_mask(parsed.values)[blank].all()


def same(a: pd.Series, b: pd.Series) -> bool:
    return a.reset_index(drop=True).equals(b.reset_index(drop=True))


@pytest.mark.parametrize("name", sorted(NORMALISERS))
@settings(max_examples=examples(30), suppress_health_check=[HealthCheck.too_slow])
@given(raw=columns(), options=OPTIONS, data=st.data())
def test_property_normaliser_never_raises_and_returns_parsed(name, raw, options, data):
    function, dtype = NORMALISERS[name]
    parsed = function(raw, options)
    assert_parsed_shape(parsed, raw, dtype)
    # row i's result depends on row i only: reversing the rows reverses the results ...
    again = function(raw.iloc[::-1], options)
    assert same(again.values, parsed.values.iloc[::-1]) and same(again.error, parsed.error.iloc[::-1])
    # ... and a row parsed alone gives what it gave among the others
    if len(raw):
        i = data.draw(st.integers(0, len(raw) - 1), label="row")
        alone = function(raw.iloc[i:i + 1], options)
        assert same(alone.values, parsed.values.iloc[i:i + 1]) and same(alone.error, parsed.error.iloc[i:i + 1])


@settings(max_examples=examples(60))
@given(raw=columns())
def test_property_is_missing_never_raises(raw):
    missing = nz.is_missing(raw)
    assert missing.index.equals(raw.index) and missing.dtype == bool
    assert missing[raw.isna()].all()
    assert missing[raw.isin(list(nz.MISSING_TOKENS))].all()


@settings(max_examples=examples(60))
@given(texts=st.lists(st.one_of(st.text(max_size=30), cell_texts.filter(lambda v: v is not None)), max_size=6))
def test_property_year_from_texts_is_a_plausible_year_or_none(texts):
    year = nz.year_from_texts(texts)
    assert year is None or 1900 <= year <= 2099


# --- sheets: classify → stage → resolve, nothing lost ------------------------------------------

def _is_alias(text: str) -> bool:
    return bool(INDEX.match(text))


# text that is no header of any register and cannot start a footer (no colon)
JUNK = st.text(alphabet=st.characters(blacklist_characters=":：", blacklist_categories=("Cs",)),
               min_size=1, max_size=6).filter(lambda v: v.strip() != "" and not _is_alias(v))
TITLES = ("2026年10月顾客抱怨事件登录表", "示例电子有限公司", "文件编号：QR-8.2-03", "版本 A/0 第1页",
          "Monthly register", "制定日期 2026/10/01")
FOOTERS = ("制表：张三", "审核: 李四", "Prepared by: QA", "批准：王五  日期：2026-10-31")
POOLS = {            # valid cell texts by column kind
    "key": ("K1", "K2", "K3", "K4"),
    "customer": ("C1", "C2", "客户甲"),
    "code": ("A1", "B-2", "ＰＯ－００１", "甲"),
    "text": ("外观划伤", "尺寸超差", "ok", "甲乙"),
    "date": ("2026-10-03", "2026/10/5", "2026年10月7日", "45935", "2026-10-03 14:30"),
    "datetime": ("2026-10-03 08:00", "2026/10/4", "45936.5", "2026年10月9日 14时30分"),
    "int": ("0", "5", "12", "1,200", "120pcs"),
    "number": ("0", "5.5", "1,200.25", "95%", "¥300"),
    "score": ("0", "85", "100", "4.5"),
    "bool": ("是", "否", "Y", "N", "OK", "NG", "√"),
    "month": ("2026-10", "2026年9月", "202608", "2026/10/15"),
    "round": ("2026H1", "2026 H2", "2026Q3", "2026年度", "2026上半年"),
}
INVALID = {          # and texts each kind rejects (or may: 10月8日 needs a year in the titles)
    "date": ("2026-02-30", "10月8日", "2026-13-01"), "datetime": ("2026-10-03 25:00",),
    "int": ("-3", "3.5", "5万"), "number": ("-1", "约100", "1,2"), "score": ("101", "-5"),
    "bool": ("也许",), "month": ("2026", "13/2026"), "round": ("2026H3",),
}


def value_pool(register, column, valid: bool = True) -> tuple[str, ...]:
    if column.name in register.key or column.name in register.key_fallback and column.name != "due_date":
        return POOLS["key"]
    if column.name in ("customer_code", "customer_name"):
        return POOLS["customer"]
    if column.kind == "vocab":
        spellings = [s for canon, sp in column.vocab.items() for s in (canon, *sp)]
        return tuple(s for s in spellings if not _is_alias(s)) + (() if valid else ("未知",))
    return POOLS[column.kind] + (() if valid else INVALID.get(column.kind, ()))


@st.composite
def record(draw, register_name: str) -> dict:
    """A register row as canonical column → cell text (None = blank), from the value pools."""
    register = REGISTERS[register_name]
    return {c.name: draw((st.nothing() if c.required else st.none()) | st.sampled_from(value_pool(register, c)))
            for c in register.columns}


@st.composite
def sheet_layout(draw, register_name: str, file: str, records: list[dict]) -> dict:
    """One sheet of `register_name`: title rows, the header on row `header_index` (< 20),
    the register's required columns (customer by code, name or both) plus optional and junk
    columns in any order, then data, blank and footer rows, then trailing blank rows."""
    register = REGISTERS[register_name]
    chosen = [c for c in register.columns if c.required]
    if register.needs_customer:
        chosen += [register.column(n) for n in draw(st.sampled_from(
            [("customer_code",), ("customer_name",), ("customer_code", "customer_name")]))]
    optional = [c for c in register.columns if not c.required and c not in chosen
                and c.name not in ("customer_code", "customer_name")]
    picked = draw(st.lists(st.sampled_from(range(len(optional))), unique=True, max_size=4)) if optional else []
    chosen += [optional[i] for i in picked]
    junk = draw(st.lists(JUNK, unique=True, max_size=2))
    headers = [(draw(st.sampled_from(c.aliases)), c) for c in chosen] + [(j, None) for j in junk]
    headers = draw(st.permutations(headers))
    width = len(headers)
    header_index = draw(st.integers(0, HEADER_SEARCH_ROWS - 1))
    titles = [[draw(st.sampled_from(TITLES)) if draw(st.booleans()) else None] + [None] * (width - 1)
              for _ in range(header_index)]
    body, kinds = [], []
    for kind in draw(st.lists(st.sampled_from(["data", "data", "data", "blank", "footer"]), max_size=12)):
        if kind == "data":
            # one of the records shared by all sheets (duplicates, superseded rows, conflicts),
            # as it is or with one cell changed, or a row of anything
            how = draw(st.sampled_from(["record", "record", "changed", "random"]))
            base = draw(st.sampled_from(records))
            row = []
            for text, column in headers:
                pool = value_pool(register, column, valid=False) if column is not None else ()
                if how == "random" or column is None:
                    row.append(draw(st.none() | (st.sampled_from(pool) if pool else JUNK) | JUNK))
                else:
                    row.append(base[column.name])
            keys = {*register.key, *register.key_fallback, "customer"}
            changeable = [i for i, (_, c) in enumerate(headers) if c is not None and c.name not in keys]
            if how == "changed" and changeable:
                # the same key with another valid value: superseded across files, a conflict
                # within a sheet
                at = draw(st.sampled_from(changeable))
                row[at] = draw(st.sampled_from(value_pool(register, headers[at][1])))
            if all(v is None for v in row):
                row[0] = "K1"                     # a data row always holds something
            body.append(row)
        elif kind == "blank":
            body.append([None] * width)
        else:
            body.append([draw(st.sampled_from(FOOTERS))] + [None] * (width - 1))
        kinds.append(kind)
    trailing = draw(st.integers(0, 2))
    rows = titles + [[h for h, _ in headers]] + body + [[None] * width] * trailing
    first_row = draw(st.integers(1, 4))           # rows the reader trimmed above (Excel numbering)
    frame = pd.DataFrame(rows, dtype="str") if rows else pd.DataFrame()
    frame.columns = range(width)
    last = max((i for i, k in enumerate(kinds) if k != "blank"), default=-1)
    data_start = header_index + 1
    return {
        "raw": RawSheet(file, draw(st.sampled_from(["Sheet1", "2026年10月", "台账"])), frame, first_row),
        "header_index": header_index,
        "rows_read": last + 1,
        "skipped": sum(k != "data" for k in kinds[:last + 1]),
        "data_rows": {first_row + data_start + i for i, k in enumerate(kinds) if k == "data"},
    }


@st.composite
def register_sheets(draw) -> tuple[str, list[dict], dict]:
    name = draw(st.sampled_from(sorted(REGISTERS)))
    n = draw(st.integers(1, 3))
    records = draw(st.lists(record(name), min_size=1, max_size=3))
    sheets = [draw(sheet_layout(name, f"台账{i}.xlsx", records)) for i in range(n)]
    base = datetime(2026, 10, 31, 8, tzinfo=timezone.utc)
    mtimes = {s["raw"].file: base + timedelta(hours=draw(st.integers(0, 2))) for s in sheets}
    return name, sheets, mtimes


@settings(max_examples=examples(20), suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(case=register_sheets())
def test_property_any_sheet_reconciles_and_loses_no_row(case):
    name, sheets, mtimes = case
    staged = []
    for sheet in sheets:
        raw = sheet["raw"]
        cls = classify(raw.cells, INDEX.match)
        assert (cls.status, cls.register, cls.header_index) == ("ok", name, sheet["header_index"]), cls
        staged.append(stage_sheet(raw, cls))
    resolved = resolve(staged, mtimes)            # raises ReconciliationError if a sheet does not add up
    by_sheet = {(a.file, a.sheet): a for a in resolved.accounts}
    for sheet in sheets:
        acc = by_sheet[(sheet["raw"].file, sheet["raw"].sheet)]
        assert acc.rows_read == acc.accepted + acc.rejected + acc.skipped
        assert (acc.rows_read, acc.skipped) == (sheet["rows_read"], sheet["skipped"])
        rejected_rows = resolved.rejects.loc[resolved.rejects["file"].eq(acc.file), "row"]
        assert acc.rejected == rejected_rows.nunique()
    # the rows used are the accepted ones less the duplicates and superseded ones
    accounts = resolved.accounts
    used = resolved.registers[name]
    assert len(used) == sum(a.accepted - a.duplicates - a.superseded for a in accounts)
    # every data row ends up in exactly one place: used, rejected, or set aside
    def rows_of(frame, file_col, row_col):
        return list(zip(frame[file_col].astype(str), frame[row_col].astype("int64")))
    placed = (rows_of(used, "_file", "_row") + sorted(set(rows_of(resolved.rejects, "file", "row")))
              + rows_of(resolved.set_aside, "file", "row"))
    expected = [(s["raw"].file, r) for s in sheets for r in s["data_rows"]]
    assert sorted(placed) == sorted(expected)
    for what, count in (("rejected", sum(a.rejected for a in accounts)), ("skipped", sum(a.skipped for a in accounts)),
                        ("duplicates", sum(a.duplicates for a in accounts)),
                        ("superseded", sum(a.superseded for a in accounts)),
                        ("conflicts", int(resolved.rejects["reason"].eq("conflict").sum()))):
        event(f"{what}: {'some' if count else 'none'}")


# --- kpis_long.csv does not depend on file names, file order or row order ----------------------

COMPANY = {      # register → (header row, rows): a small company whose keys are all distinct
    "customers": (["客户代码", "客户名称", "客户类别", "年订单额", "重点客户"], [
        ["C001", "华东汽车电子", "汽车", "2400000", "是"], ["C002", "南方新能源", "汽车", "800000", "否"],
        ["C003", "精工家电", "非汽车", "300000", "否"], ["C004", "星光照明", "非汽车", "90000", "是"]]),
    "deliveries": (["订单号", "批号", "客户代码", "交期", "实际交货日期", "订单数量", "实交数量", "厂区"], [
        [f"SO{n:03d}", f"L{n % 3}", f"C00{n % 4 + 1}", f"2026-{8 + n % 3:02d}-{n % 27 + 1:02d}",
         f"2026-{8 + n % 3:02d}-{(n % 27 + 1) + (n % 5 == 0) * 2:02d}", str(100 * (n % 4 + 1)),
         str(100 * (n % 4 + 1) - (n % 7 == 0) * 10), "一厂" if n % 2 else "二厂"] for n in range(30)]),
    "complaints": (["客诉编号", "客诉日期", "客户代码", "类别", "紧急程度", "原因分类", "不良数量",
                    "首次回复时间", "8D回复日期", "结案日期", "不良代码"], [
        ["K001", "2026-08-04 09:00", "C001", "A", "紧急", "人", "12", "2026-08-04 15:00", "2026-08-05", "2026-08-20", "D1"],
        ["K002", "2026-09-10 10:00", "C001", "B", "一般", "机", "3", "2026-09-13 10:00", "2026-09-20", "", "D1"],
        ["K003", "2026-09-15 08:30", "C002", "", "", "", "5", "", "", "", "D2"],
        ["K004", "2026-10-02 14:00", "C003", "C", "一般", "料", "0", "2026-10-03 09:00", "2026-10-08", "2026-10-15", ""],
        ["K005", "2026-10-09 11:00", "C001", "A", "紧急", "法", "40", "2026-10-11 11:00", "", "", "D1"],
        ["K006", "2026-10-20 16:00", "C004", "B", "一般", "环", "7", "2026-10-21 08:00", "2026-10-25", "", "D3"],
        ["K007", "2026-10-28 09:15", "临时客户", "A", "一般", "测", "1", "", "", "", "D2"]]),
    "survey_returns": (["调查批次", "客户代码", "填表人", "发出日期", "回收日期", "产品质量", "交期", "服务", "总分"], [
        ["2026H2", "C001", "王工", "2026-09-01", "2026-09-20", "90", "85", "95", ""],
        ["2026H2", "C001", "李工", "2026-09-01", "2026-09-22", "80", "70", "88", ""],
        ["2026H2", "C002", "赵经理", "2026-09-01", "", "", "", "", ""],
        ["2026H2", "C003", "钱主管", "2026-09-01", "2026-09-25", "", "", "", "76"]]),
}
FILE_NAMES = ("客户清单", "交货记录", "出货", "客诉登记表", "客诉2026", "满意度调查", "台账", "数据",
              "ERP导出", "质量部", "备份", "新建 Microsoft Excel 工作表")


def write_register_file(path: Path, header: list[str], rows: list[list[str]], sheet: str) -> None:
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows([header, *rows])
        return
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    ws = wb.add_worksheet(sheet)
    for r, row in enumerate([header, *rows]):
        for c, value in enumerate(row):
            if value != "":
                ws.write_string(r, c, value)
    wb.close()


def kpis_long_of(layout: list[tuple[str, str, list[list[str]], str]]) -> bytes:
    """Write each (register, file name, rows, sheet) into a fresh inputs folder, run
    `python -m pipeline run` in this process and return kpis_long.csv's bytes.

    The pack (workbook, PDF, PNGs) is not drawn: it does not feed kpis_long.csv and costs
    seconds; everything else is the real `run` — discovery, reading, staging, resolving,
    KPIs, the data-quality workbook, the sampling plan, the manifest."""
    import pipeline.run as run_module

    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as patch:
        inputs, out = Path(tmp) / "inputs", Path(tmp) / "out"
        inputs.mkdir()
        (inputs / "settings.toml").write_text('[report]\nlanguage = "en"\n', encoding="utf-8")
        for register, name, rows, sheet in layout:
            write_register_file(inputs / name, COMPANY[register][0], rows, sheet)
        patch.setattr(run_module, "_write_pack", lambda *args, **kwargs: None)
        assert run_module.run(inputs, "2026-10", out, quiet=True) == 0
        return (out / "kpis_long.csv").read_bytes()


@pytest.fixture(scope="module")
def baseline_kpis_long() -> bytes:
    """One workbook per register, rows in the order written above."""
    return kpis_long_of([(register, f"{register}.xlsx", rows, "Sheet1")
                         for register, (_, rows) in COMPANY.items()])


@st.composite
def shuffled_layouts(draw) -> list[tuple[str, str, list[list[str]], str]]:
    """Each register's rows shuffled and cut into one to three files, the files given names
    drawn at random (so their order in the folder changes), each an .xlsx or a .csv."""
    names = iter(draw(st.permutations(FILE_NAMES)))
    layout = []
    for register, (_, rows) in COMPANY.items():
        order = draw(st.permutations(range(len(rows))))
        shuffled = [rows[i] for i in order]
        cuts = sorted(draw(st.sets(st.integers(1, len(rows) - 1), max_size=2))) if len(rows) > 1 else []
        for start, stop in zip([0, *cuts], [*cuts, len(rows)]):
            suffix = draw(st.sampled_from([".xlsx", ".csv"]))
            sheet = draw(st.sampled_from(["Sheet1", "数据", "2026"]))
            layout.append((register, next(names) + suffix, shuffled[start:stop], sheet))
    return layout


@settings(max_examples=examples(3, fuzz=30), suppress_health_check=[HealthCheck.too_slow],
          deadline=None)
@given(layout=shuffled_layouts())
def test_property_kpis_long_ignores_file_names_file_order_and_row_order(baseline_kpis_long, layout):
    assert kpis_long_of(layout) == baseline_kpis_long


# --- kpis_long.csv: any text is one field, neutralised ------------------------------------------

@settings(max_examples=examples(50))
@given(keys=st.lists(st.text(max_size=12), min_size=1, max_size=5))
def test_property_kpis_long_text_survives_a_csv_reader(keys):
    frame = pd.DataFrame([{"period": "2026-10", "kpi": "complaints", "scope": "customer", "key": key,
                           "value": float(i), "numerator": np.nan, "denominator": np.nan, "target": np.nan,
                           "status": "", "label": key} for i, key in enumerate(keys)], columns=list(LONG_COLUMNS))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kpis_long.csv"
        write_kpis_long(frame, path)
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    assert len(rows) == len(keys)
    by_value = {row["value"]: row for row in rows}
    for i, key in enumerate(keys):
        row = by_value[str(i)]
        assert row["key"] == neutralise_text(key) and row["label"] == neutralise_text(key)
        assert not row["key"].startswith(("=", "+", "-", "@", "\t", "\r"))


# --- the safety inspection: any bytes are described or refused, nothing else -------------------

def _seed_files() -> dict[str, bytes]:
    """Small valid workbooks the mutations start from: an .xlsx with shared strings, an inline
    string, numbers, a hidden sheet and core properties; an .xls with a title and a hidden sheet."""
    from tests.fixtures import hostile as H

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        sst = (H.XML_DECL + f'<sst xmlns="{H.MAIN_NS}" count="2" uniqueCount="2"><si><t>客诉编号</t></si>'
               '<si><t>K-001</t></si></sst>'.encode())
        cells = H.sheet_xml(raw_rows='<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2"><v>3</v></c></row>'
                                     '<row r="3"><c r="A3" t="s"><v>1</v></c><c r="B3" t="inlineStr">'
                                     '<is><t>外观</t></is></c></row>')
        xlsx = H.xlsx(tmp, "seed.xlsx", [("台账", cells), ("参数", H.sheet_xml([("A1", 1)]))],
                      states={"参数": "hidden"}, shared_strings=sst).read_bytes()
        xls = H.plain_xls(tmp).read_bytes()
    return {"xlsx": xlsx, "xls": xls}


SEEDS = _seed_files()


@st.composite
def mutated(draw, kind: str) -> bytes:
    """A seed workbook with a few bytes overwritten, runs inserted or deleted, or cut short —
    within zip/OLE headers, directories, sizes and the XML or BIFF records alike."""
    data = bytearray(SEEDS[kind])
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        how = draw(st.sampled_from(["flip", "flip", "field", "insert", "delete", "truncate"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if how == "flip":
            data[at] = draw(st.integers(0, 255))
        elif how == "field":                  # a 16/32-bit size, count or offset set to an extreme
            width = draw(st.sampled_from([2, 4]))
            value = draw(st.sampled_from([0, 1, 0x7F, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF]))
            data[at:at + width] = (value & (256 ** width - 1)).to_bytes(width, "little")
        elif how == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif how == "delete":
            del data[at:at + draw(st.integers(1, 64))]
        else:
            del data[at:]
    return bytes(data)


@pytest.mark.parametrize("kind", ["xlsx", "xls"])
@settings(max_examples=examples(150), suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_property_inspection_of_a_damaged_workbook_describes_or_refuses(kind, data):
    """registers.md: a corrupt or truncated workbook is listed with its reason and the run goes
    on. The inspection that runs before any reader must therefore end in a description or a
    `Refused` with a known reason — never another exception (which the reader's catch-all would
    turn into a vague "damaged" without a reason code) and never a hang."""
    from pipeline.i18n import TEXT
    from pipeline.read import safety
    from pipeline.read.sniff import sniff

    blob = data.draw(mutated(kind))
    assert sniff(blob) in {"empty", "zip", "ole", "ole_encrypted_ooxml", "biff", "text", "html", "xml", "unknown"}
    inspect = safety.inspect_xlsx if kind == "xlsx" else safety.inspect_xls
    try:
        info = inspect(blob)
    except safety.Refused as refused:
        assert f"refused.{refused.code}" in TEXT, refused.code
        event(f"refused: {refused.code}")
        return
    event("described")
    for sheet in info.sheets:
        assert sheet.refused is None or f"refused.{sheet.refused}" in TEXT
        assert sheet.max_row >= 0 and sheet.max_col >= 0


@settings(max_examples=examples(200))
@given(blob=st.binary(max_size=2048))
def test_property_any_bytes_are_sniffed_and_inspected_or_refused(blob):
    from pipeline.read import safety
    from pipeline.read.sniff import sniff

    sniff(blob)
    for inspect in (safety.inspect_xlsx, safety.inspect_xls):
        try:
            inspect(blob)
        except safety.Refused:
            pass


# XML-level damage inside a well-formed zip: what hand-edited or badly generated packages hold
XML_EDITS = (
    (b'r="A2"', b'r="XFD1048576"'), (b'r="B2"', b'r="ZZZZ2"'), (b'r="A3"', b'r="A0"'),
    (b'<row r="3">', b'<row r="2000000">'), (b'<row r="2">', b'<row>'), (b'<row r="2">', b'<row r="-5">'),
    (b'<v>0</v>', b'<v>99999999</v>'), (b'<v>1</v>', b'<v>-1</v>'), (b't="s"', b't="x"'),
    (b'count="2"', b'count="4294967296"'), (b'uniqueCount="2"', b'uniqueCount="-1"'),
    (b'<sheetData>', b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row>'), (b"</worksheet>", b""),
    (b'name="', b'name="x'), (b'state="hidden"', b'state="veryHidden"'), (b'r:id="rId1"', b'r:id="rId9"'),
    (b'Target="worksheets/sheet1.xml"', b'Target="../../etc/passwd"'),
    (b'Target="worksheets/sheet1.xml"', b'Target="/xl/worksheets/SHEET1.xml"'),
    (b"2026-10-31T08:15:00Z", b"not a date"), (b'<?xml', b'<!DOCTYPE x [<!ENTITY a "b">]><?xml'),
    (b'encoding="UTF-8"', b'encoding="TF-8"'),          # found by fuzzing: a LookupError, not Refused
)


@st.composite
def xml_damaged(draw) -> bytes:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(SEEDS["xlsx"])) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(sorted(parts)))
        old, new = draw(st.sampled_from(XML_EDITS))
        if draw(st.booleans()) and old in parts[name]:
            parts[name] = parts[name].replace(old, new, 1)
        else:                                  # or a run of the part cut out
            body = parts[name]
            at = draw(st.integers(0, len(body)))
            parts[name] = body[:at] + body[at + draw(st.integers(1, 40)):]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    return out.getvalue()


@settings(max_examples=examples(150), suppress_health_check=[HealthCheck.too_slow])
@given(blob=xml_damaged())
def test_property_inspection_of_damaged_xml_describes_or_refuses(blob):
    from pipeline.i18n import TEXT
    from pipeline.read import safety

    try:
        info = safety.inspect_xlsx(blob)
    except safety.Refused as refused:
        assert f"refused.{refused.code}" in TEXT, refused.code
        event(f"refused: {refused.code}")
        return
    event("described")
    for sheet in info.sheets:
        assert sheet.refused is None or f"refused.{sheet.refused}" in TEXT
        if sheet.refused is None:
            # what the reader will be allowed to load stays inside the contract's limits
            assert 0 <= sheet.max_col <= 200 and 0 <= sheet.max_row <= 1_048_576, sheet


READ_IN_CHILD = """
import sys
from pathlib import Path
from pipeline.discover import FileEntry
from pipeline.read import read_file
for name in sys.argv[1:]:
    path = Path(name)
    result = read_file(FileEntry(path, path.name, "xlsx", path.stat().st_size))
    print(path.name, result.status, result.reason, flush=True)
"""


@settings(max_examples=examples(2, fuzz=60), suppress_health_check=[HealthCheck.too_slow])
@given(blobs=st.lists(st.one_of(xml_damaged(), mutated("xlsx")), min_size=1, max_size=12))
def test_property_a_damaged_workbook_never_takes_the_reader_down(blobs):
    """What the inspection lets through, the reader must survive: each file is read by
    `read_file` in a child process under a 3 GiB address-space limit; the child must finish
    (a Rust reader that aborts or runs out of memory takes the whole run down with it) and
    account for every file as read or failed."""
    import resource
    import subprocess
    import sys

    from pipeline.run import ROOT

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, blob in enumerate(blobs):
            path = Path(tmp) / f"f{i}.xlsx"
            path.write_bytes(blob)
            paths.append(str(path))
        child = subprocess.run([sys.executable, "-c", READ_IN_CHILD, *paths], cwd=ROOT, capture_output=True,
                               text=True, preexec_fn=limit, timeout=120)
    assert child.returncode == 0, child.stderr[-2000:]
    lines = child.stdout.splitlines()
    assert len(lines) == len(blobs)
    assert all(line.split(" ")[1] in ("read", "failed") for line in lines)


ENCRYPTED_PASSWORD = "Qa-prop-2026"


def _encrypted_seed() -> bytes:
    from tests.fixtures import hostile as H

    with tempfile.TemporaryDirectory() as tmp:
        return H.encrypted_xlsx(Path(tmp), ENCRYPTED_PASSWORD).read_bytes()


@settings(max_examples=examples(15), suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_property_a_damaged_protected_workbook_is_decrypted_or_refused(data):
    """decrypt.py: "Raises Refused" — for any damage to the OLE container, the encryption
    header or the encrypted package, with the right password, and never with the password in
    the message."""
    from pipeline.i18n import TEXT
    from pipeline.read.decrypt import decrypt_to_bytes
    from pipeline.read.safety import Refused

    SEEDS.setdefault("encrypted", _encrypted_seed())
    blob = data.draw(mutated("encrypted"))
    try:
        decrypt_to_bytes(blob, ENCRYPTED_PASSWORD)
    except Refused as refused:
        assert f"refused.{refused.code}" in TEXT, refused.code
        assert ENCRYPTED_PASSWORD not in str(refused)
        event(f"refused: {refused.code}")
    else:
        event("decrypted")


# --- HTML "workbooks": every cell read back, however the end tags are written -------------------

CELL_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"),
                                           blacklist_characters="<>&\u0085\u00a0"), min_size=1, max_size=8)


@settings(max_examples=examples(60))
@given(rows=st.lists(st.lists(CELL_TEXT, min_size=1, max_size=5), min_size=1, max_size=8), data=st.data())
def test_property_html_table_reads_back_every_cell(rows, data):
    """An ERP export's table, with each </td> and </tr> written or left out (both legal HTML),
    upper- or lower-case tags: every cell comes back in its row and column."""
    from pipeline.read.html import read_html_tables

    parts = ["<HTML><body><table>"]
    for row in rows:
        parts.append(data.draw(st.sampled_from(["<tr>", "<TR>", "\n<tr >"])))
        for text in row:
            parts.append(data.draw(st.sampled_from(["<td>", "<TD>", "<th>"])) + text)
            parts.append(data.draw(st.sampled_from(["</td>", "", "</TD>"])))
        parts.append(data.draw(st.sampled_from(["</tr>", ""])))
    parts.append(data.draw(st.sampled_from(["</table>", ""])))
    [sheet] = read_html_tables("".join(parts).encode("utf-8"), "erp.xls")
    width = max(len(r) for r in rows)
    expected = [[*r, *[None] * (width - len(r))] for r in rows]
    got = sheet.cells.astype(object).where(sheet.cells.notna(), None).to_numpy().tolist()
    assert got == expected
