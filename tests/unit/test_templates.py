"""Blank register templates (outputs.md, `make templates`): one workbook per register, bilingual
headers the reader recognises, drop-down lists, date formats, an instructions sheet."""
from datetime import datetime

import fastexcel
import numpy as np
import openpyxl
import pandas as pd
import pytest

from pipeline.headers import AliasIndex
from pipeline.registers import REGISTERS
from pipeline.stage.normalise import parse_bool, parse_date, parse_month, parse_vocab
from pipeline.templates import INSTRUCTIONS_SHEET_NAMES, vocab_choices, write_templates

INDEX = AliasIndex(REGISTERS, {})


@pytest.fixture(scope="module", params=["zh", "en"])
def templates(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"templates_{request.param}")
    return request.param, write_templates(out, language=request.param)


def read_as_the_reader_does(path, sheet=0) -> pd.DataFrame:
    """fastexcel, every cell as text, no header row: what pipeline/read hands to staging."""
    frame = fastexcel.read_excel(str(path)).load_sheet(sheet, header_row=None,
                                                       dtypes="string").to_pandas()
    return frame.astype("str").where(frame.notna(), np.nan)


def test_one_workbook_per_register(templates):
    language, paths = templates
    assert set(paths) == set(REGISTERS) and len(paths) == 11
    assert len({p.name for p in paths.values()}) == 11
    for name, path in paths.items():
        assert path.exists()
        expected = REGISTERS[name].zh if language == "zh" else REGISTERS[name].en
        assert path.stem == expected


def test_file_names_and_sheets_follow_the_language(templates):
    language, paths = templates
    book = openpyxl.load_workbook(paths["complaints"])
    assert book.sheetnames == (["顾客抱怨事件登录表", "说明"] if language == "zh"
                               else ["Complaint register", "Instructions"])
    assert book.sheetnames[1] in INSTRUCTIONS_SHEET_NAMES


@pytest.mark.parametrize("register", list(REGISTERS))
def test_every_header_cell_names_its_own_column(templates, register):
    _, paths = templates
    cells = read_as_the_reader_does(paths[register])
    headers = cells.iloc[0].tolist()
    columns = REGISTERS[register].columns
    assert len(headers) == len(columns)
    for header, column in zip(headers, columns):
        # two lines in one cell: Chinese and English
        assert "\n" in header
        assert INDEX.match(header).get(register) == column.name, header


@pytest.mark.parametrize("register", list(REGISTERS))
def test_every_vocab_and_bool_column_has_a_drop_down_the_parsers_accept(templates, register):
    language, paths = templates
    sheet = openpyxl.load_workbook(paths[register]).worksheets[0]
    lists = {}
    for validation in sheet.data_validations.dataValidation:
        if validation.type == "list":
            choices = validation.formula1.strip('"').split(",")
            for cell_range in str(validation.sqref).split():
                lists[cell_range.split(":")[0].rstrip("0123456789")] = (choices, str(validation.sqref))
    for index, column in enumerate(REGISTERS[register].columns, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        if column.kind not in ("vocab", "bool"):
            assert letter not in lists
            continue
        choices, sqref = lists[letter]
        assert sqref == f"{letter}2:{letter}1048576"
        assert choices == vocab_choices(column, language)
        raw = pd.Series(choices, dtype="str")
        parsed = parse_bool(raw) if column.kind == "bool" else parse_vocab(raw, column.vocab)
        assert (parsed.error == "").all(), (column.name, choices)
        if column.kind == "vocab":
            # one choice per canonical value, in the catalogue's order
            assert parsed.values.tolist() == list(column.vocab)
        else:
            assert parsed.values.tolist() == [True, False]


def test_chinese_drop_downs_offer_the_chinese_spellings():
    complaints = REGISTERS["complaints"]
    assert vocab_choices(complaints.column("severity"), "zh") == ["紧急", "一般"]
    assert vocab_choices(complaints.column("root_cause"), "zh") == ["人", "机", "料", "法", "环", "测"]
    assert vocab_choices(complaints.column("category"), "zh") == ["A", "B", "C"]
    assert vocab_choices(complaints.column("verified"), "zh") == ["是", "否"]
    assert vocab_choices(complaints.column("severity"), "en") == ["urgent", "normal"]
    assert vocab_choices(complaints.column("verified"), "en") == ["Yes", "No"]


def test_number_columns_carry_their_bounds(templates):
    _, paths = templates
    sheet = openpyxl.load_workbook(paths["customer_scorecards"]).worksheets[0]
    rules = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    # score: a number 0–100 (registers.md, customer_scorecards.score); it is the 4th column
    score = rules["D2"]
    # "between" is the OOXML default operator, which the file leaves out
    assert (score.type, score.operator or "between", score.formula1, score.formula2) == (
        "decimal", "between", "0", "100")
    deliveries = openpyxl.load_workbook(paths["deliveries"]).worksheets[0]
    rules = {str(v.sqref).split(":")[0]: v for v in deliveries.data_validations.dataValidation}
    # qty_due: integer ≥ 0, the 8th column (order_no, lot_no, code, name, part_no, due, delivered)
    assert (rules["H2"].type, rules["H2"].operator, rules["H2"].formula1) == ("whole", "greaterThanOrEqual", "0")


def column_dimension(sheet, index):
    """The <col> entry covering column `index` (neighbours with equal settings share one)."""
    for dimension in sheet.column_dimensions.values():
        if dimension.min <= index <= dimension.max:
            return dimension
    raise AssertionError(f"no width or format set for column {index}")


@pytest.mark.parametrize("register", list(REGISTERS))
def test_formats_required_marks_and_frozen_header(templates, register):
    _, paths = templates
    sheet = openpyxl.load_workbook(paths[register]).worksheets[0]
    reg = REGISTERS[register]
    assert sheet.freeze_panes == "A2"
    for index, column in enumerate(reg.columns, start=1):
        dimension = column_dimension(sheet, index)
        expected = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "month": "yyyy-mm",
                    "code": "@", "text": "@"}.get(column.kind)
        if expected:
            assert dimension.number_format == expected, column.name
        # wide enough for the Chinese label (two units a character) and the English one
        assert dimension.width >= max(2 * len(column.zh), len(column.en)), column.name
        required = column.required or (reg.needs_customer and column.name in ("customer_code", "customer_name"))
        header = sheet.cell(1, index)
        assert (header.fill.fgColor.rgb == "FFF8CBAD") == required, column.name
        assert (header.comment is not None) == required, column.name


@pytest.mark.parametrize("register", list(REGISTERS))
def test_instructions_sheet_lists_every_column(templates, register):
    language, paths = templates
    cells = read_as_the_reader_does(paths[register], sheet=1)
    fields = cells.iloc[:, 1].tolist()
    names = [c.name for c in REGISTERS[register].columns]
    start = fields.index(names[0])
    assert fields[start:start + len(names)] == names
    table = cells.iloc[start:start + len(names)]
    for (_, row), column in zip(table.iterrows(), REGISTERS[register].columns):
        assert row.iloc[2] and row.iloc[3]                 # required?, data type
        if column.kind == "vocab":
            for canonical in column.vocab:
                assert f"→ {canonical}" in row.iloc[4]      # allowed values


def test_instructions_sheet_is_not_taken_for_a_register(templates):
    # The reader reads every visible sheet: the instructions must not look like any register.
    _, paths = templates
    for name, path in paths.items():
        cells = read_as_the_reader_does(path, sheet=1)
        for _, row in cells.head(20).iterrows():
            matched = {}
            for value in row.dropna():
                for register, column in INDEX.match(value).items():
                    matched.setdefault(register, set()).add(column)
            for register, columns in matched.items():
                assert len(columns) <= 1, (name, register, columns)


def fill_in(path, rows, tmp_path):
    """The analyst types two rows into the template and saves it."""
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(r, c, value)
    filled = tmp_path / f"filled_{path.name}"
    book.save(filled)
    return filled


def test_a_filled_in_complaint_template_reads_back(templates, tmp_path):
    language, paths = templates
    columns = [c.name for c in REGISTERS["complaints"].columns]
    first = dict(complaint_no="K-001", received_date=datetime(2026, 10, 3, 14, 30),
                 customer_code="C001", category="A",
                 severity="紧急" if language == "zh" else "urgent",
                 defect_qty=5, verified="是" if language == "zh" else "Yes")
    second = dict(complaint_no="K-002", received_date=datetime(2026, 10, 5),
                  customer_name="乙家电", root_cause="料" if language == "zh" else "material")
    filled = fill_in(paths["complaints"], [[row.get(c) for c in columns] for row in (first, second)],
                     tmp_path)
    cells = read_as_the_reader_does(filled)
    header = [INDEX.match(h).get("complaints") for h in cells.iloc[0]]
    assert header == columns
    data = cells.iloc[1:].reset_index(drop=True)
    data.columns = columns
    received = parse_date(data["received_date"], keep_time=True)
    assert received.values.tolist() == [pd.Timestamp(2026, 10, 3, 14, 30), pd.Timestamp(2026, 10, 5)]
    severity = parse_vocab(data["severity"], REGISTERS["complaints"].column("severity").vocab)
    assert severity.values.iloc[0] == "urgent" and severity.error.tolist() == ["", ""]
    cause = parse_vocab(data["root_cause"], REGISTERS["complaints"].column("root_cause").vocab)
    assert cause.values.iloc[1] == "material"
    assert parse_bool(data["verified"]).values.iloc[0] is np.True_ or \
        bool(parse_bool(data["verified"]).values.iloc[0]) is True


def test_a_filled_in_template_is_classified_by_the_reader(templates, tmp_path):
    header = pytest.importorskip("pipeline.read.header")
    language, paths = templates
    columns = [c.name for c in REGISTERS["customer_scorecards"].columns]
    rows = [dict(customer_code="C001", month=datetime(2026, 10, 1), score=92.5),
            dict(customer_name="乙家电", month=datetime(2026, 9, 1), score=88)]
    filled = fill_in(paths["customer_scorecards"], [[r.get(c) for c in columns] for r in rows],
                     tmp_path)
    cells = read_as_the_reader_does(filled)
    result = header.classify(cells, INDEX.match)
    assert (result.status, result.register, result.header_index, result.data_start) == (
        "ok", "customer_scorecards", 0, 1)
    assert result.mapping == {name: i for i, name in enumerate(columns)}
    months = parse_month(cells.iloc[1:, columns.index("month")])
    assert months.values.tolist() == ["2026-10", "2026-09"]


def test_unknown_language_is_refused(tmp_path):
    with pytest.raises(ValueError, match="language"):
        write_templates(tmp_path, language="fr")


def test_only_our_own_instructions_sheet_is_excused_from_strict(templates):
    # The templates' instructions sheet is expected beside the register (not "unrecognised", so a
    # filled-in template passes --strict); a company's own sheet that is merely named 说明 /
    # Instructions is listed as unrecognised like any other sheet (registers.md: never dropped).
    import pandas as pd

    from pipeline.templates import is_instructions_sheet

    _, paths = templates
    for path in paths.values():
        cells = read_as_the_reader_does(path, sheet=1)
        assert is_instructions_sheet(openpyxl.load_workbook(path, read_only=True).sheetnames[1], cells)
    company = pd.DataFrame([["序号", "内容"], ["1", "本表每月5日前更新"]], dtype="str")
    for name in ("说明", "Instructions"):
        assert not is_instructions_sheet(name, company)
