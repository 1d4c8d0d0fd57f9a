"""Issue 6, injection: text from the inputs never becomes a formula in what we write.

outputs.md: "Text that comes from the inputs is always written to workbooks as text, never as a
formula (a customer name `=HYPERLINK(...)` stays that literal string)". docs/architecture.md:
the kpis_long.csv writer prefixes text fields that start like a formula (OWASP CSV injection:
`=`, `+`, `-`, `@`, tab, carriage return) with a single quote; numbers are never prefixed.

Every writer is given text starting with each of those characters, in every field that can hold
input text; the file is read back as a spreadsheet program would read it.
"""
from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from pipeline.kpis.base import LONG_COLUMNS, KpiContext
from pipeline.kpis.long import write_kpis_long
from pipeline.settings import settings_from_mapping

# What OWASP lists, as a customer name or a complaint text might begin.
FORMULA_LIKE = (
    '=HYPERLINK("http://evil.example/x","点我")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
)


# --- kpis_long.csv ---------------------------------------------------------------------------

def long_row(**fields) -> dict:
    row = {"period": "2026-10", "kpi": "complaints", "scope": "customer", "key": "C001", "value": 1.0,
           "numerator": np.nan, "denominator": np.nan, "target": np.nan, "status": "", "label": ""}
    row.update(fields)
    return row


def written_long(tmp_path: Path, rows: list[dict]) -> list[dict]:
    path = tmp_path / "kpis_long.csv"
    write_kpis_long(pd.DataFrame(rows, columns=list(LONG_COLUMNS)), path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


# given a key as the inputs wrote it → the field in kpis_long.csv (OWASP: one leading quote when
# it starts with = + - @ tab CR; anything else exactly as given)
KEYS = [
    ("=1+1", "'=1+1"),
    ('=HYPERLINK("http://evil.example/x","点我")', '\'=HYPERLINK("http://evil.example/x","点我")'),
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("+86 138 0000 0000", "'+86 138 0000 0000"),
    ("-C001", "'-C001"),
    ("-5", "'-5"),                          # text that looks like a number is still text here
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("C-001", "C-001"),                     # a formula character inside: untouched
    ("甲汽车=部件", "甲汽车=部件"),
    ("'=1+1", "'=1+1"),                     # begins with a quote already: nothing to add
    (" =1+1", " =1+1"),                     # begins with a space: a spreadsheet reads text
    ("甲公司\r乙", "甲公司\r乙"),           # a carriage return inside: quoted, the row stays whole
    ('甲, "乙"\n丙', '甲, "乙"\n丙'),
    ("", ""),
]


@pytest.mark.parametrize("given,expected", KEYS, ids=[repr(k) for k, _ in KEYS])
def test_kpis_long_key_neutralised(tmp_path, given, expected):
    [row] = written_long(tmp_path, [long_row(key=given)])
    assert row["key"] == expected


@pytest.mark.parametrize("column", ["period", "kpi", "scope", "key", "status", "label"])
@pytest.mark.parametrize("text", FORMULA_LIKE, ids=repr)
def test_kpis_long_every_text_column_neutralised(tmp_path, column, text):
    [row] = written_long(tmp_path, [long_row(**{column: text})])
    assert row[column] == "'" + text


@pytest.mark.parametrize("column", ["value", "numerator", "denominator", "target"])
def test_kpis_long_negative_numbers_stay_numbers(tmp_path, column):
    # -3.5 is a number, not a formula: written as "-3.5" with no quote
    [row] = written_long(tmp_path, [long_row(**{column: -3.5})])
    assert row[column] == "-3.5"


def formula_like_complaints():
    """Two complaints in October 2026 from customers "=1+1 客户" and "@客户" (not in the
    master: keyed by their names as written, registers.md), and the run's context."""
    from tests.unit.kpis.conftest import register_frame

    complaints = register_frame("complaints", [
        {"complaint_no": "K1", "received_date": "2026-10-05", "customer_name": "=1+1 客户"},
        {"complaint_no": "K2", "received_date": "2026-10-06", "customer_name": "@客户"},
    ])
    ctx = KpiContext(settings=settings_from_mapping([("<injection test>", {})]), period="2026-10",
                     as_of=pd.Timestamp("2026-10-31").date())
    return {"complaints": complaints}, ctx


def test_kpis_long_from_registers_keyed_by_formula_like_names(tmp_path):
    """Those keys reach the CSV quoted: company complaints = 2, each customer 1."""
    from pipeline.kpis import compute_kpis

    registers, ctx = formula_like_complaints()
    rows = written_long(tmp_path, compute_kpis(registers, ctx).to_dict("records"))
    october = {(r["scope"], r["key"]): r["value"] for r in rows
               if r["kpi"] == "complaints" and r["period"] == "2026-10"}
    # complaints are also counted by category and root cause (kpis.md): both blank → the
    # register's defaults "unclassified" and "undetermined", 2 each
    assert october == {("company", ""): "2", ("customer", "'=1+1 客户"): "1", ("customer", "'@客户"): "1",
                       ("category", "unclassified"): "2", ("root_cause", "undetermined"): "2"}


def test_a_rerun_sees_no_change_for_formula_like_keys(tmp_path):
    """The pack's "what changed since the previous run" reads the previous kpis_long.csv (run.py
    `_previous_kpis`): a rerun on the same inputs must show nothing changed — the quoted keys
    there are the same customers as this run's unquoted ones."""
    from pipeline.kpis import compute_kpis
    from pipeline.report import RunInfo
    from pipeline.report.details import changes_table
    from pipeline.report.pack import pack_data
    from pipeline.run import _previous_kpis

    registers, ctx = formula_like_complaints()
    kpis = compute_kpis(registers, ctx)
    write_kpis_long(kpis, tmp_path / "kpis_long.csv")
    info = RunInfo(company="公司", period="2026-10", as_of=ctx.as_of, generated_at=pd.Timestamp("2026-11-01"),
                   language="en", rows_read=2, rows_used=2, rows_rejected=0, files_read=1, files_failed=0,
                   files_skipped=0)
    data = pack_data(kpis, registers, ctx, info, _previous_kpis(tmp_path))
    assert {"'=1+1 客户", "'@客户"} <= set(pd.read_csv(tmp_path / "kpis_long.csv", dtype=str)["key"])
    assert changes_table(data.kpis, data.previous_kpis).empty


# --- workbooks ------------------------------------------------------------------------------

_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def excel_text(value: str) -> str:
    """A shared string as Excel shows it: `_xHHHH_` escapes (how OOXML stores control
    characters such as CR) decoded; `_x005F_` escapes a literal underscore sequence."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), value)


def workbook_cells(path: Path) -> list[tuple[str, str, object, str]]:
    """(sheet, cell, value as Excel shows it, openpyxl data type) of every non-empty cell."""
    wb = openpyxl.load_workbook(path)
    out = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    value = excel_text(c.value) if isinstance(c.value, str) else c.value
                    out.append((ws.title, c.coordinate, value, c.data_type))
    return out


def assert_no_formula_and_literal(path: Path, texts) -> None:
    cells = workbook_cells(path)
    assert [c for c in cells if c[3] == "f"] == []
    with zipfile.ZipFile(path) as zf:
        for part in zf.namelist():
            if part.startswith("xl/worksheets/") and part.endswith(".xml"):
                body = zf.read(part)
                assert b"<f>" not in body and b"<f " not in body, part
    values = {c[2] for c in cells}
    assert [x for x in texts if x not in values] == []


def test_data_quality_workbook_writes_input_text_as_text(tmp_path):
    from pipeline.quality_report import write_quality_workbook

    n = len(FORMULA_LIKE)
    files = [{"file": x, "status_label": "read", "reason": x, "size": 1, "sha256": x} for x in FORMULA_LIKE]
    sheets = [{"file": x, "sheet": x, "register_label": "", "note": x, "header_row": 1, "rows_read": 1,
               "accepted": 1, "rejected": 0, "skipped": 0, "duplicates": 0, "superseded": 0} for x in FORMULA_LIKE]
    mappings = [{"file": x, "sheet": x, "register": "complaints", "header": x, "column": "description"}
                for x in FORMULA_LIKE]
    rejects = pd.DataFrame({"file": FORMULA_LIKE, "sheet": FORMULA_LIKE, "row": range(2, 2 + n),
                            "register": "complaints", "column": FORMULA_LIKE, "value": FORMULA_LIKE,
                            "reason": "bad_number", "reason_text": FORMULA_LIKE})
    set_aside = pd.DataFrame({"register": "complaints", "kind": "duplicate", "file": FORMULA_LIKE,
                              "sheet": FORMULA_LIKE, "row": range(2, 2 + n), "key": FORMULA_LIKE,
                              "kept_file": FORMULA_LIKE, "kept_sheet": FORMULA_LIKE, "kept_row": 2})
    warnings = [{"kind": x, "file": x, "sheet": x, "message": x} for x in FORMULA_LIKE]
    path = tmp_path / "data_quality.xlsx"
    write_quality_workbook(path, "en", files, sheets, mappings, rejects, set_aside, warnings, [("Files", n)])
    assert_no_formula_and_literal(path, FORMULA_LIKE)
    # and every one of them in every column it was given to: 7 sheets' worth of cells
    count = sum(1 for c in workbook_cells(path) if c[2] in FORMULA_LIKE)
    # files 3 columns + sheets 3 + columns 3 + rejects 5 + duplicates 5 + warnings 4 = 23 per text
    assert count == 23 * n


def test_sampling_plan_writes_customer_text_as_text(tmp_path):
    from pipeline.kpis.sampling import sampling_plan, write_sampling_plan
    from tests.unit.kpis.conftest import register_frame, settings_for

    customers = register_frame("customers", [
        {"customer_code": code, "customer_name": name, "annual_order_value": 600_000.0,
         "segment": "non-automotive", "key_customer": False}
        for code, name in zip([*FORMULA_LIKE[4:], "C1", "C2", "C3", "C4"], FORMULA_LIKE)])
    plan = sampling_plan(customers, settings_for())
    assert plan["selected"].all()            # 600,000 reaches the first tier: every one is sent
    path = write_sampling_plan(plan, tmp_path, "en", "=公司", "2026-10")
    assert_no_formula_and_literal(path, [*FORMULA_LIKE, *FORMULA_LIKE[4:]])


HOSTILE_NAMES = {       # the synthetic month's texts → formula-like ones
    "临时客户甲": "=1+1 临时客户",                        # an unknown customer: also a KPI key
    "华东汽车电子有限公司": "=cmd|' /C calc'!A0",
    "南方新能源科技股份有限公司": "+SUM(1,2) 新能源",
    "精工家电有限公司": "-2+3 家电",
    "星光照明": "@SUM(A1:A2) 照明",
    "Northwind Motors GmbH": "\t=1+1 Northwind",
    "外观划伤": '=HYPERLINK("http://evil.example/d","不良")',
    "外观 划伤": "\r=1+1 外观 划伤",                      # a repeat complaint's text
    "PN-0101": "-PN-0101",                                # a part number (late lots list)
    "PN-0404": "@PN-0404",                                # a part number (Pareto)
}


def hostile(frame):
    """`frame` with every cell equal to one of HOSTILE_NAMES' keys replaced."""
    return frame.replace(HOSTILE_NAMES) if isinstance(frame, (pd.DataFrame, pd.Series)) else frame


@pytest.fixture(scope="module")
def hostile_pack(tmp_path_factory):
    """The report tests' synthetic month with its customer names, complaint texts and the
    unknown customer's key replaced by formula-like text; the KPI pack workbook written."""
    from pipeline.report import RunInfo
    from pipeline.report.pack import pack_data
    from pipeline.report.workbook import write_workbook
    from tests.golden import synthetic

    run = synthetic.build()
    registers = {name: hostile(frame) for name, frame in run.registers.items()}
    details = {name: hostile(frame) for name, frame in run.details.items()}
    ctx = KpiContext(settings=settings_from_mapping([("<injection test>", {})]), period=synthetic.PERIOD,
                     as_of=synthetic.AS_OF)
    info = RunInfo(company="=HYPERLINK(\"http://evil.example\") & Co", period=synthetic.PERIOD,
                   as_of=synthetic.AS_OF, generated_at=synthetic.GENERATED_AT, language="en", rows_read=10,
                   rows_used=10, rows_rejected=0, files_read=1, files_failed=0, files_skipped=0)
    data = pack_data(hostile(run.kpis), registers, ctx, info, hostile(run.previous_kpis), details=details)
    return write_workbook(tmp_path_factory.mktemp("pack") / "kpi_pack.xlsx", data)


def test_kpi_pack_workbook_writes_input_text_as_text(hostile_pack):
    assert_no_formula_and_literal(hostile_pack, HOSTILE_NAMES.values())


def test_kpi_pack_workbook_never_quotes_text(hostile_pack):
    # in a workbook a text cell is already safe: no OWASP quote is added to what the inputs said
    values = {c[2] for c in workbook_cells(hostile_pack) if isinstance(c[2], str)}
    assert not {"'" + x for x in HOSTILE_NAMES.values()} & values
