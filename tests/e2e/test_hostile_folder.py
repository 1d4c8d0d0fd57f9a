"""Issue 6: a folder of hostile files beside good registers, run end to end as the analyst runs it.

registers.md, "What a run reads": a file that cannot be read (corrupt or truncated, password-
protected unless its password is given, not what its extension says, over the safety limits: a
zip bomb, XML entity expansion) is listed with its reason in plain words and the run goes on;
"reading hostile files must not hang, exhaust memory or run anything". outputs.md: "Text that
comes from the inputs is always written to workbooks as text, never as a formula". settings.md:
passwords come from the environment variable `[input.passwords]` names, never from the file.

One run (`python -m pipeline run`, a subprocess under a 6 GiB address-space limit) serves every
test of this module; each test checks one promise on its outputs.
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from pipeline.i18n import t
from pipeline.run import ROOT
from tests.fixtures import hostile as H

PERIOD = "2026-10"
ADDRESS_SPACE = 6 << 30            # the 6 GiB RLIMIT_AS the run must live within
TIME_LIMIT_S = 60.0
PASSWORD = "Qa-h10!质量月报-7319"  # only ever in the child's environment
WRONG_PASSWORD = "not-it-4471"

# Customer names and complaint texts an analyst might paste, each a spreadsheet formula when
# opened unprotected: a hyperlink, a DDE command, and the other characters OWASP lists.
NAMES = ('=HYPERLINK("http://evil.example/x","点我")', "=cmd|' /C calc'!A0", "+SUM(1,2)",
         "-2+3", "@SUM(A1:A2)")
DESCRIPTIONS = ('=HYPERLINK("http://evil.example/d","不良")', "=cmd|' /C notepad'!A1", "+1+1 划伤",
                "-1 尺寸超差", "@A1 缺料")
# customers that are not in the master: keyed by their name as written (registers.md), so the
# name becomes the `key` of kpis_long.csv rows
UNKNOWN = ("=1+1 临时客户", "+临时客户", "-临时客户", "@临时客户")
CODES = ("C001", "C002", "C003", "C004", "C005")

GOOD_FILES = ("客户清单.xlsx", "订单交货进度表.xlsx", "顾客抱怨事件登录表.xlsx", "质量月报.xlsx")
# file → (i18n key of the reason the manifest must give); the keys are what each file is:
BAD_FILES = {
    "bomb.xlsx": "refused.zip_bomb",                # 1 GiB of spaces from ~1 MB: ratio ~1000:1
    "bomb_lying.xlsx": "refused.zip_bomb",          # the same, declaring 1,000 bytes
    "laughs.xlsx": "refused.xml_entities",          # billion laughs in sharedStrings.xml
    "xxe.xlsx": "refused.xml_entities",             # an external entity reading /etc/passwd
    "truncated.xlsx": "refused.truncated",          # cut in half
    "empty.xlsx": "read.empty",                     # 0 bytes
    "export.xlsx": "read.not_a_workbook",           # CSV text named .xlsx
    "protected_no_password.xlsx": "refused.encrypted",    # not named in [input.passwords]
    "质量周报.xlsx": "refused.wrong_password",       # named, but its variable holds a wrong one
    "质量年报.xlsx": "refused.encrypted",             # named, but its variable is not set
    "wide.xlsx": "read.no_readable_sheet",          # its only sheet is 201 columns wide
}

SETTINGS = """\
[report]
language = "en"

[input.passwords]
"质量月报.xlsx" = "env:QA_XLSX_PASSWORD"
"质量周报.xlsx" = "env:QA_WRONG_PASSWORD"
"质量年报.xlsx" = "env:QA_UNSET_PASSWORD"
"""


# --- building the folder ----------------------------------------------------------------------

def write_book(path: Path, sheets: list[tuple[str, list[list[object]]]]) -> Path:
    """A workbook as Excel users make them: text cells as text (so `=…` stays a string in the
    input too), numbers as numbers."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False})
    for name, rows in sheets:
        ws = wb.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, str):
                    ws.write_string(r, c, value)
                elif value is not None:
                    ws.write_number(r, c, value)
    wb.close()
    return path


def encrypt(plain: Path, target: Path, password: str) -> Path:
    """`plain` encrypted as Excel does (OOXML agile encryption) into `target`."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with plain.open("rb") as handle:
        OOXMLFile(handle).encrypt(password, out)
    target.write_bytes(out.getvalue())
    return target


def good_registers(inputs: Path, scratch: Path) -> None:
    write_book(inputs / "客户清单.xlsx", [("客户", [
        ["客户代码", "客户名称", "客户类别", "年订单额", "重点客户"],
        *[[code, name, "汽车", 600_000, "是"] for code, name in zip(CODES, NAMES)]])])
    write_book(inputs / "订单交货进度表.xlsx", [("2026年10月", [
        ["订单号", "客户代码", "交期", "实际交货日期", "订单数量", "实交数量"],
        *[[f"SO{i:03d}", CODES[i % 5], "2026-10-05", "2026-10-05", 1000, 1000] for i in range(10)]])])
    write_book(inputs / "顾客抱怨事件登录表.xlsx", [("2026年10月", [
        ["客诉编号", "客诉日期", "客户名称", "类别", "不良描述", "不良数量"],
        *[[f"K{i:03d}", f"2026-10-{i + 3:02d}", name, "A", text, 5]
          for i, (name, text) in enumerate(zip(NAMES, DESCRIPTIONS))],
        *[[f"K1{i:02d}", f"2026-10-{i + 3:02d}", name, "B", "外观不良", 2] for i, name in enumerate(UNKNOWN)]])])
    # September's complaints, in a workbook protected with the password the settings name.
    # Padded with remarks past 4 KiB, as every Excel-written package is (msoffcrypto-tool writes
    # a broken container for smaller ones).
    plain = write_book(scratch / "质量月报_plain.xlsx", [("2026年9月", [
        ["客诉编号", "客诉日期", "客户代码", "不良数量", "备注"],
        ["K-901", "2026-09-10", "C001", 3, "x" * 3000],
        ["K-902", "2026-09-20", "C002", 4, "y" * 3000]])])
    encrypt(plain, inputs / "质量月报.xlsx", PASSWORD)


def bad_files(inputs: Path, scratch: Path) -> None:
    made = {
        "bomb.xlsx": H.zip_bomb(scratch),
        "bomb_lying.xlsx": H.zip_bomb(scratch, lie_about_size=True),
        "laughs.xlsx": H.billion_laughs(scratch),
        "xxe.xlsx": H.external_entity(scratch),
        "truncated.xlsx": H.truncated_workbook(scratch),
        "empty.xlsx": H.empty_file(scratch),
        "export.xlsx": H.text_named_xlsx(scratch),
        "protected_no_password.xlsx": H.encrypted_xlsx(scratch, "whatever-1"),
        "wide.xlsx": H.wide_workbook(scratch, 201),
    }
    for name, path in made.items():
        shutil.move(str(path), inputs / name)
    plain = write_book(scratch / "weekly_plain.xlsx", [("周报", [["客诉编号"], *[[f"W{i}"] for i in range(600)]])])
    encrypt(plain, inputs / "质量周报.xlsx", "the-real-weekly-one")
    encrypt(plain, inputs / "质量年报.xlsx", "the-real-yearly-one")


def build_hostile_folder(inputs: Path, scratch: Path) -> None:
    inputs.mkdir(parents=True)
    scratch.mkdir(parents=True)
    good_registers(inputs, scratch)
    bad_files(inputs, scratch)
    (inputs / "settings.toml").write_text(SETTINGS, encoding="utf-8")


def limit_address_space() -> None:            # runs in the child, before exec
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    inputs, out = base / "inputs", base / "outputs" / PERIOD
    build_hostile_folder(inputs, base / "scratch")
    # read in two worker processes, as a real folder of a few megabytes is (pipeline/read/pool.py);
    # the .xls run below reads in-process
    env = {**os.environ, "QA_XLSX_PASSWORD": PASSWORD, "QA_WRONG_PASSWORD": WRONG_PASSWORD,
           "PYTHONUNBUFFERED": "1", "CQ_READ_WORKERS": "2"}
    env.pop("QA_UNSET_PASSWORD", None)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pipeline", "run", "--inputs", str(inputs),
                           "--period", PERIOD, "--out", str(out)],
                          cwd=ROOT, env=env, preexec_fn=limit_address_space, capture_output=True,
                          timeout=TIME_LIMIT_S * 3)
    seconds = time.perf_counter() - started
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8")) if out.is_dir() else {}
    return {"proc": proc, "seconds": seconds, "out": out, "inputs": inputs, "manifest": manifest}


# --- the run as a whole -----------------------------------------------------------------------

def test_run_succeeds_within_a_minute_under_the_memory_limit(hostile_run):
    proc = hostile_run["proc"]
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")[-3000:]
    assert hostile_run["seconds"] < TIME_LIMIT_S, hostile_run["seconds"]


def test_no_traceback_on_stderr(hostile_run):
    stderr = hostile_run["proc"].stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr
    assert not re.search(r"\b\w+(Error|Exception|Panic)\b", stderr), stderr
    # the last line says where the pack is (outputs.md)
    assert stderr.strip().splitlines()[-1] == t("run.done", "en", out=hostile_run["out"], rejected=0)


def test_every_file_is_accounted_for(hostile_run):
    listed = {f["file"] for f in hostile_run["manifest"]["files"]}
    # settings.toml is listed as skipped (it is the folder's settings, not a register)
    assert listed == set(GOOD_FILES) | set(BAD_FILES) | {"settings.toml"}


@pytest.mark.parametrize("name,reason_key", sorted(BAD_FILES.items()))
def test_each_bad_file_failed_with_its_reason(hostile_run, name, reason_key):
    files = {f["file"]: f for f in hostile_run["manifest"]["files"]}
    assert files[name]["status"] == "failed"
    assert files[name]["reason"].startswith(t(reason_key, "en"))


@pytest.mark.parametrize("name", GOOD_FILES)
def test_good_registers_are_read(hostile_run, name):
    files = {f["file"]: f for f in hostile_run["manifest"]["files"]}
    assert (files[name]["status"], files[name]["reason"]) == ("read", "")


def test_rows_of_the_good_registers_are_all_used(hostile_run):
    # by hand: 5 customers; 10 delivery lots; complaints 5 (master customers) + 4 (unknown
    # customers) in October + 2 in September from the protected workbook = 11
    manifest = hostile_run["manifest"]
    got = {name: manifest["registers"][name]["rows"] for name in ("customers", "deliveries", "complaints")}
    assert got == {"customers": 5, "deliveries": 10, "complaints": 11}
    for sheet in manifest["sheets"]:
        assert sheet["rows_read"] == sheet["accepted"] + sheet["rejected"] + sheet["skipped"], sheet
    assert manifest["rows_rejected"] == 0


def test_the_protected_workbook_was_read_with_its_password(hostile_run):
    # September holds only the protected workbook's two complaints: K-901 (C001), K-902 (C002)
    rows = read_long(hostile_run["out"])
    september = {(r["scope"], r["key"]): r["value"] for r in rows
                 if r["period"] == "2026-09" and r["kpi"] == "complaints"}
    assert september[("company", "")] == "2"
    assert september[("customer", "C001")] == "1" and september[("customer", "C002")] == "1"


def test_the_wide_sheet_is_listed_with_its_own_reason(hostile_run):
    """registers.md: a sheet beyond 200 columns "is refused on its own, with its reason"."""
    sheets = table(hostile_run["out"] / f"data_quality_{PERIOD}.xlsx", "Sheets")
    wide = [row for row in sheets if row["File"] == "wide.xlsx"]
    assert [(row["Sheet"], row["Note"]) for row in wide] == [
        ("wide", t("sheet.refused", "en", reason=t("refused.too_many_columns", "en")))]


def test_a_wide_workbook_says_why_in_the_manifest(hostile_run):
    """A workbook whose only sheet is too wide is `failed`, and the manifest says why."""
    files = {f["file"]: f for f in hostile_run["manifest"]["files"]}
    assert "200 columns" in files["wide.xlsx"]["reason"]


# --- nothing from the inputs becomes a formula ------------------------------------------------

def output_workbooks(out: Path) -> list[Path]:
    return sorted(out.rglob("*.xlsx"))


def test_every_output_workbook_is_there(hostile_run):
    names = {p.name for p in output_workbooks(hostile_run["out"])}
    assert names == {f"kpi_pack_{PERIOD}.xlsx", f"data_quality_{PERIOD}.xlsx", f"sampling_plan_{PERIOD}.xlsx"}


def test_no_formula_in_any_output_workbook(hostile_run):
    """None of our writers writes a formula at all, so any formula cell is input text gone wrong."""
    formulas = []
    for path in output_workbooks(hostile_run["out"]):
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                formulas += [(path.name, ws.title, c.coordinate, c.value) for c in row if c.data_type == "f"]
        # and no <f> element hides in any part (openpyxl reads only what it understands)
        with zipfile.ZipFile(path) as zf:
            for part in zf.namelist():
                if part.endswith(".xml") and "/worksheets/" in part:
                    assert b"<f>" not in zf.read(part) and b"<f " not in zf.read(part), (path.name, part)
    assert formulas == []


def cell_texts(path: Path) -> dict[str, set[str]]:
    """sheet title → every text cell's value."""
    wb = openpyxl.load_workbook(path)
    return {ws.title: {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
            for ws in wb.worksheets}


def test_customer_names_kept_literally_in_the_sampling_plan(hostile_run):
    texts = set().union(*cell_texts(hostile_run["out"] / f"sampling_plan_{PERIOD}.xlsx").values())
    # every master customer has an order value of 600,000, in the 100 % tier: all five listed
    assert set(NAMES) <= texts


def test_input_text_kept_literally_in_the_pack(hostile_run):
    texts = set().union(*cell_texts(hostile_run["out"] / f"kpi_pack_{PERIOD}.xlsx").values())
    missing = [x for x in (*NAMES, *UNKNOWN) if x not in texts]
    assert missing == []
    assert not any(x.startswith("'") and x[1:] in (*NAMES, *UNKNOWN) for x in texts)


def test_input_text_kept_literally_in_the_data_quality_report(hostile_run):
    """Each unknown customer is warned about by its name as written (inside a sentence)."""
    warnings = table(hostile_run["out"] / f"data_quality_{PERIOD}.xlsx", "Warnings")
    messages = [row["Message"] for row in warnings]
    for name in UNKNOWN:
        assert sum(f": {name} (complaints" in message for message in messages) == 1, name


def table(path: Path, sheet: str) -> list[dict]:
    """A data-quality sheet as records (header on its first row, or the second below a note)."""
    ws = openpyxl.load_workbook(path)[sheet]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    head = 1 if rows and rows[0][1:] == [None] * (len(rows[0]) - 1) and len(rows) > 1 else 0
    header = rows[head]
    return [dict(zip(header, r)) for r in rows[head + 1:]]


# --- kpis_long.csv: OWASP CSV injection -------------------------------------------------------

def read_long(out: Path) -> list[dict]:
    with (out / "kpis_long.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_kpis_long_prefixes_formula_like_keys_with_a_quote(hostile_run):
    """outputs.md / architecture.md: text fields beginning with =, +, -, @, tab or CR get a
    leading single quote; the unknown customers are keyed by their names as written."""
    keys = {r["key"] for r in read_long(hostile_run["out"]) if r["scope"] == "customer"}
    assert {"'" + name for name in UNKNOWN} <= keys
    assert not keys & set(UNKNOWN)
    for row in read_long(hostile_run["out"]):
        for column in ("period", "kpi", "scope", "key", "status", "label"):
            assert not row[column].startswith(("=", "+", "-", "@", "\t", "\r")), row


# --- the password -----------------------------------------------------------------------------

def searchable_bytes(path: Path) -> list[bytes]:
    """The bytes a reader of `path` could see: a zip's parts inflated, a PDF's streams inflated."""
    data = path.read_bytes()
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(path) as zf:
            return [data, *(zf.read(n) for n in zf.namelist())]
    if data[:5] == b"%PDF-":
        streams = [data]
        for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
            try:
                streams.append(zlib.decompress(match.group(1)))
            except zlib.error:
                pass
        return streams
    return [data]


def written_files(hostile_run) -> list[Path]:
    """Everything the run left in the outputs' parent: the pack and any working folder (cache)."""
    return sorted(p for p in hostile_run["out"].parent.rglob("*") if p.is_file())


def test_the_password_never_appears_in_outputs_or_stderr(hostile_run):
    proc = hostile_run["proc"]
    for secret in (PASSWORD, WRONG_PASSWORD):
        forms = [secret.encode("utf-8"), secret.encode("utf-16-le"), json.dumps(secret)[1:-1].encode()]
        assert not any(f in proc.stderr or f in proc.stdout for f in forms)
        for path in written_files(hostile_run):
            for blob in searchable_bytes(path):
                assert not any(f in blob for f in forms), (path.name, secret)


def test_the_protected_workbooks_rows_are_not_kept_on_disk(hostile_run):
    """What a password protects is not written out in the clear by a cache: no stored frame
    holds the protected workbook's complaint numbers (K-901, K-902)."""
    import pandas as pd

    for path in written_files(hostile_run):
        if path.suffix == ".parquet":
            frame = pd.read_parquet(path)
            text = frame.astype(str).to_numpy().ravel().tolist()
            assert not {"K-901", "K-902"} & set(text), path
        elif path.suffix in (".json", ".csv", ".txt"):
            assert b"K-901" not in path.read_bytes() or path.name == "kpis_long.csv", path


# --- .xls files: the same promises ------------------------------------------------------------

XLS_FILES = {                       # file → reason key the inspection (safety.inspect_xls) gives
    "far.xls": "refused.too_many_columns",     # a cell at column 65536: calamine reserves 128 GiB
    "dims.xls": "refused.corrupt",             # DIMENSIONS declaring 4,294,967,295 rows
    "offset.xls": "refused.corrupt",           # a sheet starting past the end of its stream
}


@pytest.fixture(scope="module")
def xls_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile_xls")
    inputs, scratch, out = base / "inputs", base / "scratch", base / "out"
    inputs.mkdir()
    scratch.mkdir()
    write_book(inputs / "订单交货进度表.xlsx", [("2026年10月", [
        ["订单号", "客户代码", "交期", "实际交货日期", "订单数量", "实交数量"],
        ["SO001", "C001", "2026-10-05", "2026-10-05", 100, 100]])])
    for path in (H.xls_far_cell(scratch), H.xls_bad_dimensions(scratch), H.xls_sheet_offset_beyond(scratch),
                 H.xls_wide(scratch, 256)):
        shutil.move(str(path), inputs / path.name)
    (inputs / "settings.toml").write_text('[report]\nlanguage = "en"\n', encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "pipeline", "run", "--inputs", str(inputs),
                           "--period", PERIOD, "--out", str(out)],
                          cwd=ROOT, preexec_fn=limit_address_space, capture_output=True, timeout=180)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8")) if out.is_dir() else {}
    return {"proc": proc, "out": out, "manifest": manifest}


def test_hostile_xls_files_fail_alone(xls_run):
    """A cell at column 65536 or an impossible DIMENSIONS record would make calamine allocate
    128-512 GiB and abort the process: the .xls is inspected first, fails with its reason, and
    the run goes on."""
    proc = xls_run["proc"]
    stderr = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 0, stderr[:600]
    files = {f["file"]: f for f in xls_run["manifest"]["files"]}
    assert {name: (files[name]["status"], files[name]["reason"]) for name in XLS_FILES} == {
        name: ("failed", t(key, "en")) for name, key in XLS_FILES.items()}
    assert "panicked" not in stderr and "Traceback" not in stderr


def test_an_xls_sheet_wider_than_200_columns_is_refused_alone(xls_run):
    """registers.md: a sheet beyond 200 columns is refused on its own (wide256.xls's "wide" sheet
    has 256 columns)."""
    assert xls_run["out"].is_dir(), "the run left no outputs"
    sheets = table(xls_run["out"] / f"data_quality_{PERIOD}.xlsx", "Sheets")
    wide = {row["Sheet"]: row["Note"] for row in sheets if row["File"] == "wide256.xls"}
    assert wide["wide"] == t("sheet.refused", "en", reason=t("refused.too_many_columns", "en"))


# --- text and HTML "workbooks": the same sheet limits, no crash on odd markup ------------------

def _csv(columns: int, padding: int = 0) -> bytes:
    header = ",".join(f"列{c}" for c in range(1, columns + 1)) + "," * padding
    return (header + "\n" + ",".join(str(c) for c in range(1, columns + 1)) + "," * padding + "\n").encode("utf-8")


def _html_row(cells: list[str], colspan: str | None = None) -> str:
    span = f' colspan="{colspan}"' if colspan is not None else ""
    return "<tr>" + "".join(f"<td{span}>{c}</td>" for c in cells) + "</tr>"


# file name, bytes → (status, [(sheet, refusal key)], shape of the first sheet's cells or None)
TEXT_FILES = [
    ("wide.csv", _csv(201), ("failed", [("", "refused.too_many_columns")], None)),
    ("limit.csv", _csv(200), ("read", [("", "")], (2, 200))),
    # 300 empty fields after every line (an export of a formatted range): used range 2 x 2
    ("padded.csv", _csv(2, padding=300), ("read", [("", "")], (2, 302))),
    ("wide.xls", ("<html><table>" + _html_row([f"h{c}" for c in range(201)]) + "</table></html>").encode(),
     ("failed", [("table1", "refused.too_many_columns")], None)),
    # a colspan that is no number: counts as 1, the file is read
    ("odd_span.xls", ("<html><table>" + _html_row(["订单号"], colspan="²") + _html_row(["SO1"])
                      + "</table></html>").encode(), ("read", [("table1", "")], (2, 1))),
    ("huge_span.xls", ("<html><table>" + _html_row(["订单号"], colspan="1000000000") + "</table></html>").encode(),
     ("read", [("table1", "")], (1, 1))),
]

# HTML exports as ERP systems write them → the rows read (nothing dropped)
HTML_ROWS = [
    ("end tags left out (legal HTML)",
     "<table><tr><td>订单号<td>客户代码<tr><td>SO1<td>C1<tr><td>SO2<td>C2</table>",
     [["订单号", "客户代码"], ["SO1", "C1"], ["SO2", "C2"]]),
    ("a table nested in a cell belongs to the cell",
     "<table><tr><td>订单号</td><td>备注</td></tr><tr><td>SO1</td><td><table><tr><td>甲</td><td>乙</td>"
     "</tr></table></td></tr><tr><td>SO2</td><td>丙</td></tr></table>",
     [["订单号", "备注"], ["SO1", "甲 乙"], ["SO2", "丙"]]),
    ("cut short at the end of the file",
     "<table><tr><td>订单号</td></tr><tr><td>SO1</td></tr><tr><td>SO2",
     [["订单号"], ["SO1"], ["SO2"]]),
]


@pytest.mark.parametrize("name,data,expected", TEXT_FILES, ids=[f[0] for f in TEXT_FILES])
def test_text_and_html_sheets_obey_the_sheet_limits(tmp_path, name, data, expected):
    from pipeline.discover import FileEntry
    from pipeline.read import read_file

    path = tmp_path / name
    path.write_bytes(data)
    result = read_file(FileEntry(path, name, "csv" if name.endswith(".csv") else "xls", len(data)))
    status, sheets, shape = expected
    assert result.status == status, (result.reason, result.detail)
    assert [(s.sheet, s.refused) for s in result.sheets] == sheets
    if shape is not None:
        assert result.sheets[0].cells.shape == shape


@pytest.mark.parametrize("label,html,rows", HTML_ROWS, ids=[h[0] for h in HTML_ROWS])
def test_html_tables_lose_no_row(label, html, rows):
    from pipeline.read.html import read_html_tables

    [sheet] = read_html_tables(("<html><body>" + html).encode("utf-8"), "erp.xls")
    assert sheet.cells.fillna("").to_numpy().tolist() == rows
