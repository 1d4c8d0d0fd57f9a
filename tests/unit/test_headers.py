"""Header normalisation and the alias index (registers.md, "Header matching")."""
import unicodedata

import pytest

from pipeline.headers import AliasIndex, normalise_header
from pipeline.registers import REGISTERS, Column, Register

INDEX = AliasIndex(REGISTERS, {})
ALL_REGISTERS = set(REGISTERS)


@pytest.mark.parametrize("given, expected", [
    # traditional characters are matched as their simplified forms
    ("客戶名稱", "客户名称"),
    ("實際交貨日期", "实际交货日期"),
    # a trailing unit in brackets is ignored, ASCII or full-width brackets
    ("数量(PCS)", "数量"),
    ("金额（元）", "金额"),
    ("Qty (pcs)", "qty"),
    ("单价【元】", "单价"),
    ("金额(元)(含税)", "金额"),
    # a header that is nothing but brackets keeps its word
    ("(备注)", "(备注)"),
    # whitespace everywhere: full-width space, line breaks, tabs, no-break space, zero-width space
    ("客户\u3000名称", "客户名称"),
    ("实际\n交货日期", "实际交货日期"),
    ("实际\r\n交货\t日期", "实际交货日期"),
    (" Customer\u00a0Code ", "customercode"),
    ("\ufeff客诉编号\u200b", "客诉编号"),
    # full-width → half-width, then case folded
    ("ＰＯ", "po"),
    ("８Ｄ回复日期", "8d回复日期"),
    ("PPM目标", "ppm目标"),
    ("", ""),
])
def test_normalise_header(given, expected):
    assert normalise_header(given) == expected


def test_normalisation_leaves_every_catalogue_alias_intact():
    # NFKC and t2s must not change a simplified-Chinese alias: normalising an alias only removes
    # its spaces and folds its case.
    for register in REGISTERS.values():
        for column in register.columns:
            for alias in column.aliases:
                assert unicodedata.normalize("NFKC", alias) == alias
                assert normalise_header(alias) == alias.replace(" ", "").casefold(), alias


EVERY_REGISTER_CODE = {name: "customer_code" for name in ALL_REGISTERS}
EVERY_REGISTER_NAME = {name: "customer_name" for name in ALL_REGISTERS}


@pytest.mark.parametrize("header, expected", [
    ("客户代码", EVERY_REGISTER_CODE),
    # 客户 is an alias of the customer name: it must not make 客户代码 ambiguous, nor the reverse
    ("客户", EVERY_REGISTER_NAME),
    ("客戶名稱", EVERY_REGISTER_NAME),
    ("Customer Code", EVERY_REGISTER_CODE),
    # one header, several registers
    ("类别", {"complaints": "category", "incidents": "type", "feedback": "category",
              "customer_property": "kind", "customer_audits": "finding_type"}),
    ("類別", {"complaints": "category", "incidents": "type", "feedback": "category",
              "customer_property": "kind", "customer_audits": "finding_type"}),
    ("ＰＯ", {"deliveries": "order_no"}),
    ("Order Qty", {"deliveries": "qty_due"}),
    ("订单数量(PCS)", {"deliveries": "qty_due"}),
    ("金额（元）", {"incidents": "amount"}),
    ("交期", {"deliveries": "due_date", "survey_returns": "delivery"}),
    ("8D回复日期", {"complaints": "report_8d_at"}),
    ("5m1e", {"complaints": "root_cause"}),
    # canonical names and the template/report labels are known too
    ("qty_due", {"deliveries": "qty_due"}),
    ("Received date", {"complaints": "received_date"}),
    # bilingual cells as the templates write them: the parts must agree
    ("客户代码\nCustomer code", EVERY_REGISTER_CODE),
    ("客户代码 / Customer code", EVERY_REGISTER_CODE),
    ("客户代码customercode", EVERY_REGISTER_CODE),
    ("订单号\nOrder no", {"deliveries": "order_no"}),
    # 类别 alone is five registers' column; with "Category" only those where both agree
    ("类别\nCategory", {"complaints": "category", "feedback": "category"}),
    # a recognised part and an unknown one: the recognised part decides
    ("客诉编号\nCase ID", {"complaints": "complaint_no"}),
    # two parts naming different columns are not a header of either
    ("客户/料号", {}),
    ("数量/金额", {}),
    # substrings never match
    ("客户代码2", {}),
    ("备注说明", {}),
    ("序号", {}),
    ("", {}),
])
def test_alias_index_match(header, expected):
    assert INDEX.match(header) == expected


def test_extra_alias_from_settings_is_recognised_beside_the_catalogue():
    # settings.md: [headers] complaints = { received_date = ["登记日期"] }
    index = AliasIndex(REGISTERS, {"complaints": {"received_date": ["登记日期"]}})
    # 登记日期 already meant feedback.filed_date and customer_property.registered_date
    assert index.match("登记日期") == {"complaints": "received_date", "feedback": "filed_date",
                                     "customer_property": "registered_date"}
    # normalised like any header
    assert index.match(" 登記日期 ")["complaints"] == "received_date"
    assert "complaints" not in INDEX.match("登记日期")


def test_extra_alias_overrides_another_column_of_the_same_register():
    # The company's own files call the received date 回复日期 (the catalogue's first_response_at).
    index = AliasIndex(REGISTERS, {"complaints": {"received_date": ("回复日期",)}})
    assert index.match("回复日期") == {"complaints": "received_date"}


@pytest.mark.parametrize("extra, message", [
    ({"complaint": {"received_date": ["x"]}}, "unknown register 'complaint'"),
    ({"complaints": {"received": ["x"]}}, "unknown column 'received'"),
])
def test_extra_alias_for_an_unknown_register_or_column_is_refused(extra, message):
    with pytest.raises(ValueError, match=message):
        AliasIndex(REGISTERS, extra)


def test_one_alias_for_two_columns_of_a_register_is_a_catalogue_error():
    bad = Register("x", "x", "x", (Column("a", "text", ("日期",)), Column("b", "date", ("日 期",))))
    with pytest.raises(ValueError, match="names both x.a and x.b"):
        AliasIndex({"x": bad})


def test_every_template_label_is_recognised_as_its_own_column():
    for register in REGISTERS.values():
        for column in register.columns:
            for label in (column.zh, column.en, f"{column.zh}\n{column.en}"):
                assert INDEX.match(label).get(register.name) == column.name, (register.name, label)


@pytest.mark.parametrize("header, expected", [
    ("8D回复日期8D date", {"complaints": "report_8d_at"}),
    ("Order no订单号", {"deliveries": "order_no"}),
    # glued Chinese words are never split into two aliases
    ("备注说明", {}),
    ("客户名称客户", {}),
])
def test_bilingual_cell_without_whitespace_splits_only_where_the_script_changes(header, expected):
    assert INDEX.match(header) == expected
