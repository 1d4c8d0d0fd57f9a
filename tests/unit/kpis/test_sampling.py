"""The survey sampling plan, worked by hand from kpis.md "Survey sampling plan"."""
from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

from pipeline.kpis.sampling import sampling_plan, tier_count, tier_of, write_sampling_plan
from pipeline.settings import Tier

from .conftest import register_frame, settings_for

DEFAULT_TIERS = settings_for().survey.sampling.tiers      # 500,000 all; 200,000 half; 0 a tenth


def make_settings(**sampling):
    """The documented settings with `[survey.sampling]` overrides."""
    return settings_for(survey={"sampling": sampling})


def master(*rows):
    """(code, annual_order_value, segment, key_customer) rows of the customer master."""
    return register_frame("customers", [
        {"customer_code": code, "customer_name": f"客户{code}", "segment": segment,
         "key_customer": key, "annual_order_value": None if value is None or np.isnan(value) else value}
        for code, value, segment, key in rows])


def plain(code, value):
    return (code, value, "non-automotive", False)


@pytest.mark.parametrize("value, tier", [
    (900_000, 1), (500_000, 1),          # reaches 500,000: the first tier
    (499_999.99, 2), (200_000, 2),       # reaches 200,000
    (199_999, 3), (0, 3),                # the last tier from 0
    (np.nan, 3),                         # no value: the last tier
])
def test_tier_of(value, tier):
    assert tier_of(pd.Series([value]), DEFAULT_TIERS).tolist() == [tier]


def test_value_below_every_custom_tier_is_in_no_tier_and_no_value_in_the_last():
    # tiers ≥ 1000, ≥ 100: 50 reaches neither → no tier (0); 100 reaches the second; 5000 the
    # first; no value → the last tier (kpis.md), here the second
    tiers = (Tier(1000, 1.0), Tier(100, 0.5))
    assert tier_of(pd.Series([50.0, 100.0, 5000.0, np.nan]), tiers).tolist() == [0, 2, 1, 2]


def test_tiers_in_any_order_take_the_first_listed_that_a_value_reaches():
    # tiers listed ≥ 100 then ≥ 1000: 5000 reaches ≥ 100 first → tier 1 (the second tier can
    # never be reached: the analyst's list, taken as written); 50 → none; no value → tier 2
    tiers = (Tier(100, 0.5), Tier(1000, 1.0))
    assert tier_of(pd.Series([5000.0, 100.0, 50.0, np.nan]), tiers).tolist() == [1, 1, 0, 2]


def test_plan_with_tiers_that_do_not_reach_zero():
    # tiers [≥ 500,000 all; ≥ 200,000 half]:
    #   P1 600,000 → tier 1, alone: ⌈1.0 × 1⌉ = 1 → drawn (whole tier);
    #   H1 300,000, H2 300,000 and N1 (no value → the last tier) → tier 2 holds 3: ⌈0.5 × 3⌉ =
    #   ⌈1.5⌉ = 2 drawn at random among the three;
    #   L1 100,000 reaches no tier → tier 0, not drawn;
    #   K1 100,000, a key customer: no tier either, but always-include ("key") adds it.
    customers = master(plain("P1", 600_000), plain("H1", 300_000), plain("H2", 300_000),
                       plain("N1", np.nan), plain("L1", 100_000),
                       ("K1", 100_000, "non-automotive", True))
    settings = make_settings(tiers=[{"min_value": 500_000, "share": 1.0},
                                    {"min_value": 200_000, "share": 0.5}])
    plan = sampling_plan(customers, settings).set_index("customer_key")
    assert plan["tier"].to_dict() == {"H1": 2, "H2": 2, "K1": 0, "L1": 0, "N1": 2, "P1": 1}
    assert plan.loc["P1", "selected"] and plan.loc["P1", "reason"] == "tier_all"
    tier2 = plan[plan["tier"] == 2]
    assert tier2["selected"].sum() == 2 and set(tier2.loc[tier2["selected"], "reason"]) == {"tier_draw"}
    assert not plan.loc["L1", "selected"] and plan.loc["L1", "reason"] == "not_drawn"
    assert plan.loc["K1", "selected"] and plan.loc["K1", "reason"] == "always_key"
    # a customer in no tier has no tier bound or share
    assert plan.loc[["K1", "L1"], ["tier_min_value", "tier_share"]].isna().all().all()
    assert plan.loc["N1", ["tier_min_value", "tier_share"]].tolist() == [200_000, 0.5]
    # selected: P1 + 2 of tier 2 + K1 = 4
    assert plan["selected"].sum() == 4


def test_workbook_names_a_customer_in_no_tier(tmp_path):
    customers = master(plain("P1", 600_000), ("K1", 100_000, "non-automotive", True))
    settings = make_settings(tiers=[{"min_value": 500_000, "share": 1.0}])
    plan = sampling_plan(customers, settings)
    book = openpyxl.load_workbook(write_sampling_plan(plan, tmp_path / "p.xlsx", "en", "ACME", "2026-10"))
    dispatch = [[c.value for c in row] for row in book.worksheets[0].iter_rows(min_row=4)]
    # P1 in tier 1 first, then K1 (always-include, in no tier)
    assert [r[0] for r in dispatch] == ["P1", "K1"]
    assert dispatch[0][3] == 1 and dispatch[1][3] == "in no tier (order value below every tier)"
    assert dispatch[1][4] == "in no tier (order value below every tier)"
    tiers = [[c.value for c in row] for row in book.worksheets[1].iter_rows(min_row=4)]
    # tier 1: 1 customer, 1 drawn; no tier: 1 customer (K1), 0 drawn, 1 always, 1 selected
    assert tiers[0][0] == 1 and tiers[0][3:] == [1, 1, 0, 1]
    assert tiers[1][0] == "in no tier (order value below every tier)" and tiers[1][3:] == [1, 0, 1, 1]


@pytest.mark.parametrize("share, members, count", [
    (1.0, 4, 4),       # all
    (0.5, 3, 2),       # 1.5 → 2
    (0.5, 4, 2),       # exactly 2
    (0.1, 1, 1),       # 0.1 → 1
    (0.1, 10, 1),      # exactly 1
    (0.1, 11, 2),      # 1.1 → 2
    (0.1, 30, 3),      # exactly 3 (float 0.1 × 30 = 3.0000000000000004 would give 4)
    (0.1, 0, 0),       # an empty tier
    (0.0, 5, 0),       # a tier nobody is surveyed in
])
def test_tier_count_rounds_up_exactly(share, members, count):
    assert tier_count(share, members) == count


def test_plan_tiers_counts_and_reasons():
    customers = master(
        plain("A1", 800_000), plain("A2", 500_000),                          # tier 1: both
        plain("B1", 300_000), plain("B2", 250_000), plain("B3", 200_000),    # tier 2: ⌈1.5⌉ = 2
        *[plain(f"C{n:02d}", 1_000 * n) for n in range(1, 12)],              # tier 3: 11 → ⌈1.1⌉ = 2
        ("K1", np.nan, "non-automotive", True),                              # tier 3, key
        ("M1", 10_000, "automotive", False),                                 # tier 3, automotive
    )
    plan = sampling_plan(customers, make_settings())
    assert list(plan.columns[:6]) == ["customer_key", "customer_name", "annual_order_value", "tier",
                                      "selected", "reason"]
    by = plan.set_index("customer_key")
    assert by.loc[["A1", "A2"], "reason"].tolist() == ["tier_all", "tier_all"]
    tier2 = by[by["tier"] == 2]
    assert len(tier2) == 3 and tier2["selected"].sum() == 2
    assert set(tier2.loc[tier2["selected"], "reason"]) == {"tier_draw"}
    # tier 3 holds C01..C11, K1 (no value) and M1: 13 customers → ⌈1.3⌉ = 2 drawn at random
    tier3 = by[by["tier"] == 3]
    assert len(tier3) == 13
    assert tier3["reason"].str.contains("tier_draw").sum() == 2
    # K1 and M1 are in whatever the draw gave them, plus their always-include rule
    assert by.loc["K1", "selected"] and "always_key" in by.loc["K1", "reason"]
    assert by.loc["M1", "selected"] and "always_segment:automotive" in by.loc["M1", "reason"]
    # everyone not selected says so
    assert set(by.loc[~by["selected"], "reason"]) == {"not_drawn"}
    # selected = 2 + 2 + (2 drawn ∪ {K1, M1}): between 6 and 8
    assert 6 <= by["selected"].sum() <= 8


def test_always_include_only_what_is_named():
    customers = master(("K1", 1_000, "non-automotive", True), ("M1", 1_000, "automotive", False),
                       *[plain(f"C{n:02d}", 1_000) for n in range(1, 30)])
    plan = sampling_plan(customers, make_settings(always_include=["automotive"])).set_index("customer_key")
    # 31 in tier 3 → ⌈3.1⌉ = 4 drawn; K1 is not forced in (key not named), M1 is
    assert plan["reason"].str.contains("tier_draw").sum() == 4
    assert "always_key" not in plan.loc["K1", "reason"]
    assert plan.loc["M1", "selected"]


def test_same_master_and_seed_same_list_whatever_the_row_order():
    customers = master(*[plain(f"C{n:02d}", 1_000 * n) for n in range(1, 41)])
    first = sampling_plan(customers, make_settings(seed=7))
    again = sampling_plan(customers.iloc[::-1].reset_index(drop=True), make_settings(seed=7))
    pd.testing.assert_frame_equal(first, again)
    # 40 customers in the tenth tier: 4 chosen
    assert first["selected"].sum() == 4


def test_another_seed_may_draw_another_list():
    customers = master(*[plain(f"C{n:02d}", 1_000 * n) for n in range(1, 41)])
    lists = {tuple(sampling_plan(customers, make_settings(seed=s)).query("selected")["customer_key"])
             for s in (1, 2, 3, 4, 5)}
    # 4 of 40 (91,390 possible lists): five seeds giving one list would mean the seed is ignored
    assert len(lists) > 1


def test_no_master_no_plan():
    assert sampling_plan(None, make_settings()).empty


def test_workbook(tmp_path):
    customers = master(("=HYPERLINK(\"http://x\")", 900_000, "automotive", False),
                       plain("B1", 300_000), ("K1", np.nan, "non-automotive", True))
    plan = sampling_plan(customers, make_settings())
    path = write_sampling_plan(plan, tmp_path, "zh", "示例电子有限公司", "2026-10")
    assert path.name == "sampling_plan_2026-10.xlsx"
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    assert "示例电子有限公司" in sheet["A1"].value and "2026-10" in sheet["A1"].value
    assert sheet["A3"].value == "客户代码"                     # header under the title
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref.startswith("A3")
    codes = [sheet.cell(row=r, column=1).value for r in range(4, sheet.max_row + 1)]
    # the customer code that looks like a formula stays the literal text
    assert '=HYPERLINK("http://x")' in codes and sheet.cell(row=4, column=1).data_type == "s"
    assert set(codes) == set(plan.loc[plan["selected"], "customer_key"])
    # the English workbook uses English labels
    en = openpyxl.load_workbook(write_sampling_plan(plan, tmp_path / "plan_en.xlsx", "en", "ACME", "2026-10"))
    assert en.worksheets[0]["A3"].value == "Customer code"
    assert en.worksheets[1].title == "Tiers"
