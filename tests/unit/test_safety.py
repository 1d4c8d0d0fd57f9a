"""inspect_xlsx / inspect_xls: hostile files are refused quickly and without big allocations
(registers.md, "A file that cannot be read…"), and the geometry the readers need (first_row,
max_row, max_col, sheet states, modified time) is right.

Expected values are worked out from the cells each test writes: max_row/max_col are the lowest
row and rightmost column holding a value, first_row the first row holding one (registers.md:
the data-quality report shows "the Excel row number as Excel shows it")."""
from __future__ import annotations

import time
import tracemalloc
import zlib
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.read import safety
from pipeline.read.safety import Limits, Refused, SheetInfo, inspect_xls, inspect_xlsx
from pipeline.read.sniff import sniff
from tests.fixtures import hostile as H

CORPUS = Path("/work/shared/corpus/real-excel")
UTC = timezone.utc


def refusal(call) -> str:
    with pytest.raises(Refused) as caught:
        call()
    return caught.value.code


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> dict[bool, Path]:
    """The two 1 GiB bombs (honest and lying about their size), built once for the module."""
    folder = tmp_path_factory.mktemp("bombs")
    return {lie: H.zip_bomb(folder, lie_about_size=lie) for lie in (False, True)}


def one_sheet(tmp: Path, rows_xml: str, name: str = "s.xlsx") -> SheetInfo:
    info = inspect_xlsx(H.xlsx(tmp, name, [("S", H.sheet_xml(raw_rows=rows_xml))]))
    return info.sheets[0]


# --- hostile workbooks ------------------------------------------------------------------------------

HOSTILE = [
    ("billion laughs in sharedStrings", lambda t: H.billion_laughs(t), "xml_entities"),
    ("external entity file:///etc/passwd in workbook.xml", lambda t: H.external_entity(t), "xml_entities"),
    ("external entity in a worksheet", lambda t: H.external_entity(t, "xl/worksheets/sheet1.xml"), "xml_entities"),
    ("external entity in docProps/core.xml", lambda t: H.external_entity(t, "docProps/core.xml"), "xml_entities"),
    ("truncated workbook", lambda t: H.truncated_workbook(t), "truncated"),
    ("empty file", lambda t: H.empty_file(t), "empty"),
    ("text named .xlsx", lambda t: H.text_named_xlsx(t), "not_a_workbook"),
    ("HTML table named .xls", lambda t: H.html_named_xls(t), "not_a_workbook"),
    ("password-protected xlsx", lambda t: H.encrypted_xlsx(t, "s3cret"), "encrypted"),
    ("10,001 zip entries", lambda t: H.many_entries(t), "too_many_entries"),
    ("corpus: .xlsb named as a workbook", lambda t: CORPUS / "poi__Simple.xlsb", "not_a_workbook"),
    ("corpus: .ods", lambda t: CORPUS / "calamine__issue_594_dos.ods", "not_a_workbook"),
    ("corpus: AES-encrypted xlsx", lambda t: CORPUS / "excelize__encryptAES.xlsx", "encrypted"),
]


@pytest.mark.parametrize("label,build,code", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_workbooks_are_refused_quickly(tmp_path, label, build, code):
    path = build(tmp_path)
    started = time.perf_counter()
    assert refusal(lambda: inspect_xlsx(path)) == code
    assert time.perf_counter() - started < 2.0


@pytest.mark.parametrize("lie", [False, True], ids=["1 GiB zip bomb", "zip bomb declaring 1,000 bytes"])
def test_zip_bomb_is_refused_quickly_without_inflating_it(bombs, lie):
    path = bombs[lie]
    started = time.perf_counter()
    tracemalloc.start()
    try:
        assert refusal(lambda: inspect_xlsx(path)) == "zip_bomb"
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 2.0
    # the bomb is 1 GiB inflated; at most one 4 MiB chunk (plus a carried tail) is ever held
    assert peak < 32 * 1024 * 1024


def test_a_bomb_under_the_ratio_is_still_stopped_by_the_xml_budget(bombs):
    # 1 GiB of spaces compresses ~1000:1; with the ratio check widened the 500 MB budget must stop
    # inflation as soon as the running total passes it (here 50 MB, to keep the test fast)
    path = bombs[False]
    limits = Limits(max_ratio=10_000, max_xml_bytes=50_000_000)
    started = time.perf_counter()
    assert refusal(lambda: inspect_xlsx(path, limits)) == "too_large"
    assert time.perf_counter() - started < 2.0


def test_declared_xml_past_the_budget_is_refused_before_inflating(tmp_path):
    path = H.xlsx(tmp_path, "a.xlsx", [("S", H.sheet_xml([(f"A{r}", r) for r in range(1, 100)]))])
    assert refusal(lambda: inspect_xlsx(path, Limits(max_xml_bytes=1_000))) == "too_large"


def test_crc_mismatch_is_corrupt(tmp_path):
    parts = H.workbook_parts([("S", H.sheet_xml([("A1", 1)]))])
    members = []
    for name, data in parts.items():
        compressed, crc, size = H._deflate(data)
        members.append((name, 8, compressed, crc ^ 1 if name.endswith("sheet1.xml") else crc, size))
    path = H._raw_zip(tmp_path / "crc.xlsx", members)
    assert refusal(lambda: inspect_xlsx(path)) == "corrupt"


def test_too_many_shared_strings(tmp_path):
    sst = (H.XML_DECL + b'<sst xmlns="' + H.MAIN_NS.encode() + b'"><si><t>a</t></si><si><t>b</t></si>'
           b"<si><t>c</t></si></sst>")
    path = H.xlsx(tmp_path, "sst.xlsx", [("S", H.sheet_xml([("A1", 1)]))], shared_strings=sst)
    assert inspect_xlsx(path, Limits(max_shared_strings=3)).sheets[0].max_row == 1
    assert refusal(lambda: inspect_xlsx(path, Limits(max_shared_strings=2))) == "too_many_strings"


def test_doctype_in_a_utf16_part_is_seen(tmp_path):
    parts = H.workbook_parts([("S", H.sheet_xml([("A1", 1)]))])
    app = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE x [<!ENTITY a "b">]><Properties/>'
    parts["docProps/app.xml"] = b"\xff\xfe" + app.encode("utf-16-le")
    assert refusal(lambda: inspect_xlsx(H.write_zip(tmp_path / "u16.xlsx", parts))) == "xml_entities"


def test_comments_and_cdata_are_not_declarations(tmp_path):
    rows = '<!-- written by hand --><row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[a<b]]></t></is></c></row>'
    assert one_sheet(tmp_path, rows).max_row == 1


# --- sheet geometry ---------------------------------------------------------------------------------

V = '<v>1</v>'
# given: the sheetData content -> (first_row, max_row, max_col, refused), worked out by hand
GEOMETRY = [
    ("data starting at row 5",
     f'<row r="5"><c r="A5" t="inlineStr"><is><t>编号</t></is></c><c r="B5">{V}</c></row>'
     f'<row r="6"><c r="A6">{V}</c></row><row r="7"><c r="B7">{V}</c></row>',
     (5, 7, 2, None)),
    ("row 1 holds only styled empty cells",
     f'<row r="1"><c r="A1" s="3"/><c r="B1" s="3"></c></row><row r="3"><c r="A3">{V}</c></row>'
     f'<row r="4"><c r="C4">{V}</c></row>',
     (3, 4, 3, None)),                                   # C = column 3
    ("value at XFD1048576 next to A1",
     f'<row r="1"><c r="A1">{V}</c></row><row r="1048576"><c r="XFD1048576">{V}</c></row>',
     (None, None, None, "too_many_columns")),            # XFD = 16,384 > 200
    ("style-only cell at XFD1048576 (Gnumeric formats the whole grid)",
     f'<row r="1"><c r="A1">{V}</c></row><row r="2"><c r="K2">{V}</c></row>'
     '<row r="1048576"><c r="XFD1048576" s="1"/></row>',
     (1, 2, 11, None)),                                  # K = 11; the styled cell has no value
    ("a formula with a cached value far right",
     f'<row r="2"><c r="A2">{V}</c><c r="ZZ2"><f>1+1</f><v>2</v></c></row>',
     (None, None, None, "too_many_columns")),            # ZZ = 26*26 + 26 = 702
    ("a formula with no cached value far right",
     f'<row r="2"><c r="A2">{V}</c><c r="ZZ2"><f>1+1</f></c></row>',
     (2, 2, 1, None)),
    ("shared formula then value, pretty-printed",
     '<row r="3">\n  <c r="HZ3" s="2">\n    <f t="shared" si="0"/>\n    <v>4</v>\n  </c>\n</row>',
     (None, None, None, "too_many_columns")),            # HZ = 8*26 + 26 = 234
    ("row 1,048,577 with a value",
     f'<row r="5"><c r="A5">{V}</c></row><row r="1048577"><c r="A1048577">{V}</c></row>',
     (None, None, None, "too_many_rows")),
    ("row 2,000,000 styled but empty",
     f'<row r="1"><c r="A1">{V}</c></row><row r="2000000"><c r="A2000000" s="1"/></row>',
     (1, 1, 1, None)),
    ("rows and cells without r (positions implied)",
     f'<row><c>{V}</c><c>{V}</c></row><row><c s="1"/><c>{V}</c><c/></row>',
     (1, 2, 2, None)),                                   # row 2: B2 has the value, C2 is empty
    ("a cell without r after B3 sits in C3",
     f'<row r="3"><c r="B3">{V}</c><c>{V}</c></row>',
     (3, 3, 3, None)),
    ("r not the first attribute, far right",
     f'<row r="2"><c s="1" r="XFD2">{V}</c></row>',
     (None, None, None, "too_many_columns")),
    ("'>' inside a quoted attribute before the value",
     f'<row r="2"><c r="A2">{V}</c><c r="XFD2" x="a>b">{V}</c></row>',
     (None, None, None, "too_many_columns")),
    ("namespace-prefixed cells",
     f'<x:row xmlns:x="{H.MAIN_NS}" r="1"><x:c r="A1"><x:v>1</x:v></x:c><x:c r="XFD1"><x:v>1</x:v></x:c></x:row>',
     (None, None, None, "too_many_columns")),
    ("lower-case references",
     f'<row r="5"><c r="a5">{V}</c><c r="xfd5">{V}</c></row>',
     (None, None, None, "too_many_columns")),
    ("rows out of order",
     f'<row r="9"><c r="A9">{V}</c></row><row r="4"><c r="B4">{V}</c></row>',
     (4, 9, 2, None)),
    ("a cell below its own row tag",
     f'<row r="1"><c r="A7">{V}</c></row>',
     (7, 7, 1, None)),
    ("an empty <v/> still makes a value",
     '<row r="2"><c r="C2" t="str"><f>""</f><v/></c></row>',
     (2, 2, 3, None)),
    ("no values at all",
     '<row r="1"><c r="A1" s="1"/></row>',
     (None, 0, 0, None)),
    ("a comment between a far cell and its value",
     f'<row r="1"><c r="A1">{V}</c><c r="XFD1"><!-- </c> --><v>1</v></c></row>',
     (None, None, None, "too_many_columns")),
    ("stray text and a processing instruction before the value",
     f'<row r="1"><c r="A1">{V}</c><c r="XFD1">x<?pi </c>?><v>1</v></c></row>',
     (None, None, None, "too_many_columns")),
    ("a far cell written s-first with a comment before its value",
     f'<row r="1"><c s="1" r="A1">{V}</c><c s="1" r="XFD1"><!--c--><v>1</v></c></row>',
     (None, None, None, "too_many_columns")),
    ("a cell without r hidden by a second r= elsewhere in the row",
     f'<row r="1"><c r="GR1" xr="1">{V}</c><c><v>1</v></c></row>',
     (None, None, None, "too_many_columns")),          # the implied cell is GS1 = column 201
    ("200 columns wide", "".join(f'<c r="{H.column_letters(c)}1">{V}</c>' for c in range(1, 201)).join(
        ['<row r="1">', "</row>"]), (1, 1, 200, None)),
    ("201 columns wide", "".join(f'<c r="{H.column_letters(c)}1">{V}</c>' for c in range(1, 202)).join(
        ['<row r="1">', "</row>"]), (None, None, None, "too_many_columns")),
]


def _geometry(sheet: SheetInfo) -> tuple:
    if sheet.refused:
        return (None, None, None, sheet.refused)
    return (sheet.first_row, sheet.max_row, sheet.max_col, None)


@pytest.mark.parametrize("label,rows,expected", GEOMETRY, ids=[g[0] for g in GEOMETRY])
@pytest.mark.parametrize("chunk", [4 << 20, 5], ids=["4MiB-chunks", "5-byte-chunks"])
def test_sheet_geometry(tmp_path, monkeypatch, label, rows, expected, chunk):
    # 5-byte chunks cut every tag and value apart: the pieces must be re-joined correctly
    monkeypatch.setattr(safety, "_OUT_CHUNK", chunk)
    assert _geometry(one_sheet(tmp_path, rows)) == expected


@pytest.mark.parametrize("label,rows,expected", GEOMETRY, ids=[g[0] for g in GEOMETRY])
def test_exact_scanner_agrees(tmp_path, label, rows, expected):
    # the slow tokeniser, used when the fast scan meets an unusual form, on every case
    path = H.xlsx(tmp_path, "s.xlsx", [("S", H.sheet_xml(raw_rows=rows))])
    with open(path, "rb") as handle:
        package = safety._Package(handle, path.stat().st_size, Limits())
        geo = safety._scan_sheet(package, package.first("xl/worksheets/sheet1.xml"), force_slow=True)
    got = (None, None, None, geo.refused) if geo.refused else (geo.first_row, geo.max_row, geo.max_col, None)
    assert got == expected


def test_far_cell_refuses_only_its_own_sheet(tmp_path):
    info = inspect_xlsx(H.far_cell_workbook(tmp_path))
    assert [(s.name, s.refused) for s in info.sheets] == [
        ("data", None), ("far", "too_many_columns"), ("styled", None)]
    data, _, styled = info.sheets
    assert (data.first_row, data.max_row, data.max_col) == (1, 2, 2)       # A1:B2
    assert (styled.first_row, styled.max_row, styled.max_col) == (1, 2, 11)  # A1 and K2


@pytest.mark.parametrize("columns,refused", [(200, None), (201, "too_many_columns")])
def test_column_limit_is_200(tmp_path, columns, refused):
    sheet = inspect_xlsx(H.wide_workbook(tmp_path, columns)).sheets[0]
    assert sheet.refused == refused
    if refused is None:
        assert (sheet.first_row, sheet.max_row, sheet.max_col) == (1, 2, 200)


def _cells_strategy():
    cell = st.tuples(st.integers(1, 40), st.integers(1, 30), st.booleans())
    return st.lists(cell, min_size=0, max_size=60, unique_by=lambda c: (c[0], c[1]))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=_cells_strategy(), layout=st.sampled_from(["canonical", "implied", "s-first", "single-quotes", "x-prefix"]),
       pretty=st.booleans(), chunk=st.sampled_from([3, 17, 4096, 4 << 20]))
def test_geometry_of_generated_sheets(tmp_path, monkeypatch, cells, layout, pretty, chunk):
    """Property: whatever the layout (references first, implied, after another attribute, single
    quoted, namespace-prefixed; pretty-printed or not) and however the XML is cut into chunks, the
    geometry is that of the cells holding values."""
    monkeypatch.setattr(safety, "_OUT_CHUNK", chunk)
    sep = "\n  " if pretty else ""
    q = "'" if layout == "single-quotes" else '"'
    x = "x:" if layout == "x-prefix" else ""
    rows: dict[int, list[tuple[int, bool]]] = {}
    for row, col, valued in cells:
        rows.setdefault(row, []).append((col, valued))
    parts, previous_row = [], 0
    for row in sorted(rows):
        implied_row = layout == "implied" and row == previous_row + 1
        row_attr = "" if implied_row else f" r={q}{row}{q}"
        cell_xml, previous_col = [], 0
        for col, valued in sorted(rows[row]):
            ref = f"{H.column_letters(col)}{row}"
            if layout == "implied" and col == previous_col + 1:
                attrs = ""
            elif layout == "s-first":
                attrs = f' s="2" r="{ref}"'
            else:
                attrs = f" r={q}{ref}{q}"
            value = f"<{x}v>{col}</{x}v>"
            cell_xml.append(f"<{x}c{attrs}>{sep}{value}{sep}</{x}c>" if valued else f'<{x}c{attrs} s="1"/>')
            previous_col = col
        parts.append(f"<{x}row{row_attr}>{sep}{sep.join(cell_xml)}{sep}</{x}row>")
        previous_row = row
    valued = [(row, col) for row, col, has_value in cells if has_value]
    expected = (min((r for r, _ in valued), default=None), max((r for r, _ in valued), default=0),
                max((c for _, c in valued), default=0))
    xml = H.sheet_xml(raw_rows=sep.join(parts)).replace(b"<worksheet ", f'<worksheet xmlns:x="{H.MAIN_NS}" '.encode())
    path = H.xlsx(tmp_path, f"g{chunk}.xlsx", [("S", xml)])
    sheet = inspect_xlsx(path).sheets[0]
    assert (sheet.first_row, sheet.max_row, sheet.max_col) == expected


def _reference_geometry(xml: bytes) -> tuple:
    """What python-calamine makes of a sheet, read with a real XML parser: a <row r> sets the row,
    </row> moves to the next one, a cell's own reference wins, a cell without one sits right of the
    previous cell, and a cell counts when it has a <v> or <is> child (local names only)."""
    import io
    import xml.etree.ElementTree as ET

    row_index = col_index = 0
    cell = None
    valued = []
    for event, element in ET.iterparse(io.BytesIO(xml), events=("start", "end")):
        name = element.tag.rsplit("}", 1)[-1]
        if name == "row" and event == "start" and element.get("r"):
            row_index = int(element.get("r")) - 1
        elif name == "row" and event == "end":
            row_index, col_index = row_index + 1, 0
        elif name == "c" and event == "start":
            ref = element.get("r")
            if ref:
                letters = ref.rstrip("0123456789")
                col_index = safety._col_number(letters.encode()) - 1
                cell = (int(ref[len(letters):]), col_index + 1)
            else:
                cell = (row_index + 1, col_index + 1)
            col_index += 1
        elif name == "c" and event == "end":
            cell = None
        elif name in ("v", "is") and event == "start" and cell is not None:
            valued.append(cell)
    return (min((r for r, _ in valued), default=None), max((r for r, _ in valued), default=0),
            max((c for _, c in valued), default=0))


_FORMS = st.sampled_from(["first", "after-s", "single", "lower", "none", "x-prefix", "comment", "pi",
                          "text", "formula", "empty-v", "inline"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.tuples(st.integers(1, 12), st.integers(1, 230), st.booleans(), _FORMS),
                      max_size=25, unique_by=lambda c: (c[0], c[1])),
       implied_rows=st.booleans(), pretty=st.booleans(), chunk=st.sampled_from([2, 7, 64, 4 << 20]))
def test_geometry_matches_an_xml_parser(tmp_path, monkeypatch, cells, implied_rows, pretty, chunk):
    """Differential: every cell form a crafted file could use, against expat's reading of it."""
    monkeypatch.setattr(safety, "_OUT_CHUNK", chunk)
    sep = "\n " if pretty else ""
    rows: dict[int, list] = {}
    for row, col, has_value, form in cells:
        rows.setdefault(row, []).append((col, has_value, form))
    out, previous_row = [], 0
    for row in sorted(rows):
        row_attr = "" if implied_rows and row == previous_row + 1 else f' r="{row}"'
        cell_xml = []
        for col, has_value, form in sorted(rows[row]):
            ref = f"{H.column_letters(col)}{row}"
            x = "x:" if form == "x-prefix" else ""
            attrs = {"first": f' r="{ref}" s="1"', "after-s": f' s="1" r="{ref}"', "single": f" r='{ref}'",
                     "lower": f' r="{ref.lower()}"', "none": ""}.get(form, f' r="{ref}"')
            inner = {"comment": "<!-- </c> <c r=\"A1\"> --><v>1</v>", "pi": "<?pi </c>?><v>1</v>",
                     "text": "note<v>1</v>", "formula": "<f>SUM(A1:B2)</f><v>3</v>", "empty-v": "<v/>",
                     "inline": "<is><t>文字</t></is>"}.get(form, f"<{x}v>1</{x}v>")
            cell_xml.append(f"<{x}c{attrs}>{inner}</{x}c>" if has_value else f"<{x}c{attrs}/>")
        out.append(f"<row{row_attr}>{sep}{sep.join(cell_xml)}</row>")
        previous_row = row
    xml = H.sheet_xml(raw_rows=sep.join(out)).replace(b"<worksheet ", f'<worksheet xmlns:x="{H.MAIN_NS}" '.encode())
    expected = _reference_geometry(xml)
    sheet = inspect_xlsx(H.xlsx(tmp_path, f"d{chunk}.xlsx", [("S", xml)])).sheets[0]
    if expected[2] > 200:
        assert sheet.refused == "too_many_columns"
    else:
        assert (sheet.first_row, sheet.max_row, sheet.max_col, sheet.refused) == (*expected, None)


def test_rows_mixing_implied_and_explicit_cells_are_bounded(tmp_path):
    # no writer mixes them; each such row costs a Python step per cell, so their volume is capped
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>1</v></c><c><v>2</v></c></row>' for r in range(1, 2001))
    path = H.xlsx(tmp_path, "mixed.xlsx", [("S", H.sheet_xml(raw_rows=rows))])
    sheet = inspect_xlsx(path).sheets[0]
    assert (sheet.first_row, sheet.max_row, sheet.max_col) == (1, 2000, 2)   # B follows A
    assert refusal(lambda: inspect_xlsx(path, Limits(max_irregular_bytes=10_000))) == "corrupt"


def test_geometry_across_many_4mib_chunks(tmp_path):
    # 120,000 rows x 5 numbers is ~17 MB of XML: four and a half chunks
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>1</v></c><c r="C{r}"><v>2</v></c>'
                   f'<c r="D{r}"><v>3</v></c><c r="E{r}" s="1"/></row>' for r in range(3, 120_003))
    sheet = one_sheet(tmp_path, rows)
    assert (sheet.first_row, sheet.max_row, sheet.max_col) == (3, 120_002, 4)   # E is style-only


# --- workbook structure -----------------------------------------------------------------------------

def test_states_order_and_modified_time(tmp_path):
    path = H.xlsx(tmp_path, "wb.xlsx",
                  [("登记", H.sheet_xml([("A1", 1)])), ("隐藏", H.sheet_xml([("A1", 1)])),
                   ("参数", H.sheet_xml([("B2", 1)]))],
                  states={"隐藏": "hidden", "参数": "veryHidden"}, modified="2026-10-31T16:15:00+08:00")
    info = inspect_xlsx(path)
    assert [(s.name, s.state) for s in info.sheets] == [("登记", "visible"), ("隐藏", "hidden"), ("参数", "veryHidden")]
    assert info.modified == datetime(2026, 10, 31, 8, 15, tzinfo=UTC)       # 16:15 at UTC+8
    assert info.sheets[0].part_path == "xl/worksheets/sheet1.xml"


@pytest.mark.parametrize("text,expected", [
    ("2026-10-31T08:15:00Z", datetime(2026, 10, 31, 8, 15, tzinfo=UTC)),
    ("2026-10-31T08:15:00.5Z", datetime(2026, 10, 31, 8, 15, 0, 500000, tzinfo=UTC)),
    ("2026-10-31", datetime(2026, 10, 31, tzinfo=UTC)),
    ("2026-10", datetime(2026, 10, 1, tzinfo=UTC)),
    ("not a date", None),
])
def test_w3cdtf(text, expected):
    assert safety.parse_w3cdtf(text) == expected


def test_no_core_properties_means_no_modified_time(tmp_path):
    assert inspect_xlsx(H.xlsx(tmp_path, "a.xlsx", [("S", H.sheet_xml([("A1", 1)]))], modified=None)).modified is None


@pytest.mark.parametrize("target", ["/xl/worksheets/sheet1.xml", "worksheets/SHEET1.XML", "xl/worksheets/sheet1.xml"])
def test_relationship_targets_absolute_case_and_package_relative(tmp_path, target):
    path = H.xlsx(tmp_path, "t.xlsx", [("S", H.sheet_xml([("C3", 1)]))], targets={"S": target})
    sheet = inspect_xlsx(path).sheets[0]
    assert (sheet.part_path, sheet.first_row, sheet.max_col, sheet.refused) == ("xl/worksheets/sheet1.xml", 3, 3, None)


def test_missing_content_types_and_shared_strings_are_fine(tmp_path):
    path = H.xlsx(tmp_path, "bare.xlsx", [("S", H.sheet_xml([("A2", "x")]))], content_types=False)
    assert _geometry(inspect_xlsx(path).sheets[0]) == (2, 2, 1, None)


def test_missing_part_and_chart_sheet_are_refused_on_their_own(tmp_path):
    path = H.xlsx(tmp_path, "m.xlsx", [("data", H.sheet_xml([("A1", 1)])), ("gone", H.sheet_xml()),
                                       ("chart", b"<chartsheet/>")],
                  targets={"gone": "worksheets/nowhere.xml"}, chart_sheets=["chart"])
    assert [(s.name, s.refused) for s in inspect_xlsx(path).sheets] == [
        ("data", None), ("gone", "missing_part"), ("chart", "not_a_worksheet")]


def test_parts_differing_only_in_case_are_all_checked(tmp_path):
    # python-calamine takes the first name matching case-insensitively; another reader may take
    # the other one, so the far value in the second part refuses the sheet
    parts = list(H.workbook_parts([("S", H.sheet_xml([("A1", 1)]))]).items())
    parts.append(("xl/worksheets/Sheet1.xml", H.sheet_xml([("A1", 1), ("XFD9", 1)])))
    sheet = inspect_xlsx(H.write_zip(tmp_path / "dup.xlsx", parts)).sheets[0]
    assert sheet.refused == "too_many_columns"


def test_unknown_sheet_state_is_corrupt(tmp_path):
    path = H.xlsx(tmp_path, "st.xlsx", [("S", H.sheet_xml([("A1", 1)]))], states={"S": "secret"})
    assert refusal(lambda: inspect_xlsx(path)) == "corrupt"


def test_decrypted_bytes_can_be_inspected(tmp_path):
    from pipeline.read.decrypt import decrypt_to_bytes

    data = decrypt_to_bytes(H.encrypted_xlsx(tmp_path, "s3cret"), "s3cret")
    info = safety.inspect_xlsx_bytes(data)
    # A1:A2 plus the filler notes in C1:C300
    assert [(s.name, s.first_row, s.max_row, s.max_col) for s in info.sheets] == [("台账", 1, 300, 3)]


# given: a corpus file -> (sheet, first_row, max_row, max_col) from the shapes python-calamine
# returned (READER_RESULTS.csv, PROVENANCE.md), i.e. observed independently of this code
CORPUS_GEOMETRY = [
    ("calamine__strict_iso_paths.xlsx", "ml_out", 1, 76, 18),         # Strict OOXML, 76 x 18
    ("poi__49609.xlsx", "VIC", 1, 39, 98),                             # no [Content_Types].xml
    ("calamine__issue_174.xlsx", "Sheet1", 1, 2, 11),                  # Gnumeric, dimension A1:XFD1048576
    ("easyexcel__t04.xlsx", "工作表1", 1, 57, 12),                      # Tencent Docs, dimension A1
    ("calamine__issue_419.xlsx", "Sheet1", 1, 1, 1),                   # missing sharedStrings part
    ("poi__59746_NoRowNums.xlsx", "Features", 1, 71, 11),              # no r attributes at all
    ("messytables__large.xlsx", "data", 1, 8547, 11),
]


@pytest.mark.parametrize("name,sheet,first_row,max_row,max_col", CORPUS_GEOMETRY)
def test_corpus_geometry(name, sheet, first_row, max_row, max_col):
    found = {s.name: s for s in inspect_xlsx(CORPUS / name).sheets}[sheet]
    assert (found.first_row, found.max_row, found.max_col, found.refused) == (first_row, max_row, max_col, None)


def test_corpus_sheet_states():
    info = inspect_xlsx(CORPUS / "calamine__any_sheets.xlsx")
    assert [(s.name, s.state, s.refused) for s in info.sheets] == [
        ("Visible", "visible", None), ("Hidden", "hidden", None), ("VeryHidden", "veryHidden", None),
        ("Chart", "visible", "not_a_worksheet")]


# --- .xls -------------------------------------------------------------------------------------------

def test_plain_xls(tmp_path):
    info = inspect_xls(H.plain_xls(tmp_path))
    # 台账: A1 is BLANK (no value), title at A2, table at rows 4-5 in columns A-B, BLANK at C6
    assert [(s.name, s.state, s.first_row, s.max_row, s.max_col, s.refused) for s in info.sheets] == [
        ("台账", "visible", 2, 5, 2, None), ("参数", "hidden", 1, 1, 1, None)]
    assert info.modified == datetime(2026, 10, 30, 17, 45, tzinfo=UTC)


XLS_HOSTILE = [
    ("cell at column 65536 (calamine aborts)", lambda t: H.xls_far_cell(t), "too_many_columns"),
    ("FILEPASS", lambda t: H.xls_filepass(t), "encrypted"),
    ("DIMENSIONS of 4,294,967,295 rows", lambda t: H.xls_bad_dimensions(t), "corrupt"),
    ("2^31 shared strings announced", lambda t: H.xls_sst_count(t), "corrupt"),
    ("looping sector chain", lambda t: H.xls_fat_loop(t), "corrupt"),
    ("sheet offset past the stream", lambda t: H.xls_sheet_offset_beyond(t), "corrupt"),
    ("empty", lambda t: H.empty_file(t, "e.xls"), "empty"),
    ("HTML named .xls", lambda t: H.html_named_xls(t), "not_a_workbook"),
    ("xlsx named .xls", lambda t: H.xlsx(t, "x.xls", [("S", H.sheet_xml([("A1", 1)]))]), "not_a_workbook"),
    ("encrypted OOXML named .xls", lambda t: H.encrypted_xlsx(t, "pw"), "encrypted"),
    ("corpus: default-key .xls", lambda t: CORPUS / "messytables__encrypted_no_password.xls", "encrypted"),
]


@pytest.mark.parametrize("label,build,code", XLS_HOSTILE, ids=[h[0] for h in XLS_HOSTILE])
def test_hostile_xls(tmp_path, label, build, code):
    path = build(tmp_path)
    started = time.perf_counter()
    assert refusal(lambda: inspect_xls(path)) == code
    assert time.perf_counter() - started < 2.0


def test_truncated_xls(tmp_path):
    data = H.plain_xls(tmp_path).read_bytes()
    path = tmp_path / "cut.xls"
    path.write_bytes(data[: len(data) // 2])
    assert refusal(lambda: inspect_xls(path)) in ("truncated", "corrupt")


@pytest.mark.parametrize("columns,refused", [(200, None), (201, "too_many_columns")])
def test_xls_column_limit_refuses_the_sheet_only(tmp_path, columns, refused):
    narrow, wide = inspect_xls(H.xls_wide(tmp_path, columns)).sheets
    assert (narrow.refused, wide.refused) == (None, refused)
    assert wide.max_col == columns


@pytest.mark.parametrize("name,expected", [
    ("poi__testEXCEL_3.xls", [("Sheet 1", 1, 35, 10)]),          # bare BIFF3; xlrd read 35 x 10
    ("xlrd__biff4_no_format_no_window2.xls", [("Sheet 1", 1, 27, 4)]),
    ("poi__testEXCEL_95.xls", [("Feuil1", 1, 22, 5), ("Feuil2", None, 0, 0), ("Feuil3", None, 0, 0)]),
])
def test_corpus_xls(name, expected):
    info = inspect_xls(CORPUS / name)
    assert [(s.name, s.first_row, s.max_row, s.max_col) for s in info.sheets] == expected


def test_corpus_whole_grid_xls_is_refused_on_its_own():
    # poi__51535.xls: "used range is the whole grid", pandas returns 65536 x 256
    sheets = inspect_xls(CORPUS / "poi__51535.xls").sheets
    assert [(s.name, s.refused) for s in sheets] == [
        ("Sheet1", "too_many_columns"), ("Sheet2", None), ("Sheet3", None)]


# --- every corpus file --------------------------------------------------------------------------------

@pytest.mark.parametrize("path", sorted(CORPUS.iterdir()), ids=lambda p: p.name[:45])
def test_corpus_file_inspects_or_is_refused(path):
    started = time.perf_counter()
    kind = sniff(path)
    try:
        if kind in ("ole", "biff"):
            info = inspect_xls(path)
        else:
            info = inspect_xlsx(path)
    except Refused as refused:
        assert refused.code in {"empty", "not_a_workbook", "truncated", "corrupt", "encrypted",
                                "too_large", "too_many_entries", "zip_bomb", "xml_entities",
                                "too_many_strings", "too_many_rows", "too_many_columns"}
    else:
        for sheet in info.sheets:
            assert sheet.state in ("visible", "hidden", "veryHidden")
            assert sheet.refused is not None or sheet.max_col <= 200
            assert sheet.first_row is None or 1 <= sheet.first_row <= sheet.max_row
    assert time.perf_counter() - started < 2.0, path.name


def test_deflate_stream_cut_short_is_corrupt(tmp_path):
    parts = H.workbook_parts([("S", H.sheet_xml([(f"A{r}", r) for r in range(1, 50)]))])
    members = []
    for name, data in parts.items():
        compressed, crc, size = H._deflate(data)
        if name.endswith("sheet1.xml"):
            compressed = compressed[: len(compressed) // 2]
        members.append((name, 8, compressed, crc, size))
    assert refusal(lambda: inspect_xlsx(H._raw_zip(tmp_path / "cut.xlsx", members))) == "corrupt"


def test_stored_parts_are_read_too(tmp_path):
    parts = H.workbook_parts([("S", H.sheet_xml([("B4", 1)]))])
    members = [(name, 0, data, zlib.crc32(data), len(data)) for name, data in parts.items()]
    sheet = inspect_xlsx(H._raw_zip(tmp_path / "stored.xlsx", members)).sheets[0]
    assert (sheet.first_row, sheet.max_row, sheet.max_col) == (4, 4, 2)


# --- merged ranges ----------------------------------------------------------------------------------
# The scan that measures a sheet also collects its <mergeCell ref> ranges (they follow
# </sheetData>), as (first_row, first_col, last_row, last_col) in Excel's 1-based numbers.

_MERGE_ROWS = ('<row r="1"><c r="A1" t="inlineStr"><is><t>sheetData> 不是结尾 mergeCell ref="A1:A9"'
               '</t></is></c></row>'
               '<row r="2"><c r="A2"><v>1</v></c><c r="C2" t="inlineStr"><is><t>甲</t></is></c></row>')
# what follows </sheetData>, each line worked out by hand
_MERGE_TAIL = (
    '<sheetProtection sheet="0"/>'
    '<mergeCells count="9">'
    '<mergeCell ref="C2:C4"/>'                          # (2, 3, 4, 3)
    '<mergeCell ref="A1:F1"/>'                          # (1, 1, 1, 6)
    "<mergeCell xr:uid='{1}' ref = 'e6:E5'/>"           # reversed, lower case, quoted '': (5, 5, 6, 5)
    '<mergeCell ref="AA10:AB12"></mergeCell>'           # (10, 27, 12, 28)
    '<mergeCell ref="D7"/>'                             # one cell: not a range, ignored
    '<mergeCell ref="A1048576:A1048577"/>'              # beyond Excel's grid: ignored
    '<!-- <mergeCell ref="B2:B3"/> -->'                  # a comment: ignored
    '<mergeCell href="B5:B6"/>'                         # not a ref attribute: ignored
    '</mergeCells><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>')
_MERGED = ((2, 3, 4, 3), (1, 1, 1, 6), (5, 5, 6, 5), (10, 27, 12, 28))


def _merge_sheet(rows: str = _MERGE_ROWS, tail: str = _MERGE_TAIL) -> bytes:
    return H.sheet_xml(raw_rows=rows).replace(b"</worksheet>", tail.encode() + b"</worksheet>")


@pytest.mark.parametrize("chunk", [4 << 20, 5], ids=["4MiB-chunks", "5-byte-chunks"])
def test_merged_ranges_are_collected(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(safety, "_OUT_CHUNK", chunk)
    sheet = inspect_xlsx(H.xlsx(tmp_path, "m.xlsx", [("S", _merge_sheet())])).sheets[0]
    assert sheet.merged == _MERGED
    assert (sheet.first_row, sheet.max_row, sheet.max_col) == (1, 2, 3)     # geometry unchanged


@pytest.mark.parametrize("rows", [
    _MERGE_ROWS,
    _MERGE_ROWS.replace('<c r="A2">', "<c r='A2'>"),    # single quotes: the fast scan hands over
], ids=["exact scanner", "fast scan falls back to the exact one"])
def test_merged_ranges_from_the_exact_scanner(tmp_path, rows):
    path = H.xlsx(tmp_path, "m.xlsx", [("S", _merge_sheet(rows))])
    with open(path, "rb") as handle:
        package = safety._Package(handle, path.stat().st_size, Limits())
        geo = safety._scan_sheet(package, package.first("xl/worksheets/sheet1.xml"), force_slow=True)
    assert geo.merged == _MERGED
    assert inspect_xlsx(path).sheets[0].merged == _MERGED                  # collected once, not twice


def test_merged_ranges_with_a_namespace_prefix(tmp_path):
    xml = (H.XML_DECL + f'<x:worksheet xmlns:x="{H.MAIN_NS}"><x:sheetData><x:row r="2"><x:c r="B2"><x:v>1</x:v>'
           f'</x:c></x:row></x:sheetData><x:mergeCells count="1"><x:mergeCell ref="B2:B3"/></x:mergeCells>'
           f'</x:worksheet>'.encode())
    sheet = inspect_xlsx(H.xlsx(tmp_path, "x.xlsx", [("S", xml)])).sheets[0]
    assert (sheet.max_row, sheet.max_col, sheet.merged) == (2, 2, ((2, 2, 3, 2),))


def test_no_merged_ranges(tmp_path):
    assert one_sheet(tmp_path, _MERGE_ROWS).merged == ()
    # a mergeCell written inside sheetData is not where Excel puts merges: ignored
    assert one_sheet(tmp_path, _MERGE_ROWS + '<mergeCell ref="A2:A3"/>', "in.xlsx").merged == ()


def test_merged_ranges_are_capped(tmp_path, monkeypatch):
    monkeypatch.setattr(safety, "MAX_MERGED_RANGES", 3)
    tail = "<mergeCells>" + "".join(f'<mergeCell ref="A{r}:A{r + 1}"/>' for r in range(1, 20, 2)) + "</mergeCells>"
    sheet = inspect_xlsx(H.xlsx(tmp_path, "cap.xlsx", [("S", _merge_sheet(tail=tail))])).sheets[0]
    assert sheet.merged == ((1, 1, 2, 1), (3, 1, 4, 1), (5, 1, 6, 1))


def test_merged_ranges_written_by_xlsxwriter_and_openpyxl(tmp_path):
    import openpyxl
    import xlsxwriter

    book = xlsxwriter.Workbook(tmp_path / "xw.xlsx")
    sheet = book.add_worksheet("登录表")
    sheet.merge_range("A1:D1", "标题")
    sheet.merge_range("C2:C4", "甲公司")
    sheet.write("A5", "K4")
    book.close()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["C2"], ws["A5"] = "标题", "甲公司", "K4"
    ws.merge_cells("A1:D1")
    ws.merge_cells("C2:C4")
    wb.save(tmp_path / "op.xlsx")
    for name in ("xw.xlsx", "op.xlsx"):
        info = inspect_xlsx(tmp_path / name).sheets[0]
        assert info.merged == ((1, 1, 1, 4), (2, 3, 4, 3)), name
        assert (info.first_row, info.max_row, info.max_col) == (1, 5, 3), name


def test_xls_sheets_have_no_merged_ranges(tmp_path):
    assert [s.merged for s in inspect_xls(H.plain_xls(tmp_path)).sheets] == [(), ()]
