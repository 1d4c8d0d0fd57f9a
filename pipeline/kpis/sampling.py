"""Survey sampling plan — who gets the next survey (kpis.md; seed 004 QP-14 §4.1).

Seed: 订单额超过50万的调查100%，20万以上50万以下的调查50%，20万以下的调查10%; and the automotive
customers must always be surveyed (seed 004, "针对汽车行业客户必须调查"). The draw inside a tier is
random but reproducible: the same master and seed give the same list.
"""
from __future__ import annotations

import unicodedata
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline.i18n import TEXT, t

PLAN_COLUMNS = ["customer_key", "customer_name", "annual_order_value", "tier", "selected", "reason",
                "segment", "key_customer", "tier_min_value", "tier_share"]

# reason codes (joined with "; " in `reason`); the workbook shows them in words via i18n
TIER_ALL = "tier_all"            # the tier's count covers every customer in it (share 100 %)
TIER_DRAW = "tier_draw"          # drawn at random inside the tier
ALWAYS_SEGMENT = "always_segment:"   # + segment value named in always_include
ALWAYS_KEY = "always_key"        # key customer, "key" named in always_include
NOT_DRAWN = "not_drawn"


def exact(value: float) -> Fraction:
    """A setting's decimal number as the exact fraction the analyst wrote (0.1 → 1/10)."""
    return Fraction(str(float(value)))


NO_TIER = 0                      # `tier` of a customer whose value reaches no tier


def tier_of(values: pd.Series, tiers: Any) -> pd.Series:
    """The 1-based index of each value's tier; `NO_TIER` (0) for a value that reaches none.

    kpis.md: "a customer belongs to the first tier, in the listed order, whose `min_value` its
    value reaches (no value: the last tier)". The tiers may come in any order and need not
    start at 0: a value below every tier's `min_value` belongs to no tier (it is not drawn;
    always-include still adds the customer), while a customer with no value goes to the last
    tier, as the spec says.
    """
    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
    known = ~np.isnan(v)
    conditions = [known & (v >= float(tier.min_value)) for tier in tiers]
    tier = np.select(conditions, list(range(1, len(conditions) + 1)), default=NO_TIER)
    return pd.Series(np.where(known, tier, len(conditions)), index=values.index, dtype="int64")


def tier_count(share: float, members: int) -> int:
    """ceil(share × members), exactly: 0.1 × 30 is 3, not 4 (float 0.1 × 30 = 3.0000000000000004).

    kpis.md: "each tier's count is its share of its customers rounded up".
    """
    product = exact(share) * members
    return min(members, -(-product.numerator // product.denominator))


def sampling_plan(customers: pd.DataFrame | None, settings: Any) -> pd.DataFrame:
    """Every customer of the master with its tier and whether it gets the next survey, and why.

    kpis.md "Survey sampling plan": tiers by `annual_order_value` (`survey.sampling.tiers`),
    each tier's count = its share of its customers rounded up, drawn at random but reproducibly
    from `survey.sampling.seed`; plus every customer whose segment or key flag is named in
    `survey.sampling.always_include`.

    The draw: customers sorted by code (then name); one `numpy.random.default_rng(seed)`; tiers
    in their listed order, each drawing its count without replacement from its own members
    (a tier whose count covers all its members takes them all without drawing). The
    always-include customers are added on top; they are not taken out of the tier draw.
    Columns: customer_key, customer_name, annual_order_value, tier (1-based, listed order; 0 for
    a customer whose value reaches no tier), selected, reason (codes joined by "; "), segment,
    key_customer, tier_min_value, tier_share (no value for a customer in no tier).
    """
    sampling = settings.survey.sampling
    tiers = tuple(sampling.tiers)
    if customers is None or customers.empty or not tiers:
        return _empty_plan()
    master = pd.DataFrame({
        "customer_key": customers["customer_code"].astype(str).to_numpy(),
        "customer_name": _column(customers, "customer_name", "").astype(object).to_numpy(),
        "annual_order_value": pd.to_numeric(_column(customers, "annual_order_value", np.nan),
                                            errors="coerce").to_numpy(dtype="float64"),
        "segment": _column(customers, "segment", "non-automotive").fillna("non-automotive")
        .astype(str).to_numpy(),
        "key_customer": _column(customers, "key_customer", False).fillna(False).astype(bool).to_numpy(),
    })
    # a deterministic order, whatever order the files were read in
    master = master.sort_values(["customer_key", "customer_name"], kind="stable", ignore_index=True)
    master["tier"] = tier_of(master["annual_order_value"], tiers)

    rng = np.random.default_rng(sampling.seed)
    drawn = np.zeros(len(master), dtype=bool)
    tier_reason = np.full(len(master), "", dtype=object)
    for index, tier in enumerate(tiers, start=1):     # a handful of tiers, not rows
        members = np.flatnonzero(master["tier"].to_numpy() == index)
        count = tier_count(tier.share, len(members))
        if count >= len(members):
            drawn[members] = True
            tier_reason[members] = TIER_ALL
        elif count > 0:
            chosen = members[rng.choice(len(members), size=count, replace=False)]
            drawn[chosen] = True
            tier_reason[chosen] = TIER_DRAW

    always = {str(name) for name in sampling.always_include}
    by_segment = master["segment"].isin(always - {"key"}).to_numpy()
    by_key = master["key_customer"].to_numpy() & ("key" in always)
    reasons = pd.DataFrame({
        "tier": tier_reason,
        "segment": np.where(by_segment, ALWAYS_SEGMENT + master["segment"].astype(object), ""),
        "key": np.where(by_key, ALWAYS_KEY, ""),
    })
    stacked = reasons.stack()
    joined = stacked[stacked != ""].groupby(level=0).agg("; ".join)
    selected = drawn | by_segment | by_key
    reason = joined.reindex(master.index).fillna(NOT_DRAWN).where(selected, NOT_DRAWN)

    # index 0 of these lists is NO_TIER: no bound, no share
    tier_index = master["tier"].to_numpy()
    return master.assign(
        selected=selected,
        reason=reason.astype(str).to_numpy(),
        tier_min_value=np.array([np.nan] + [float(tr.min_value) for tr in tiers])[tier_index],
        tier_share=np.array([np.nan] + [float(tr.share) for tr in tiers])[tier_index],
    )[PLAN_COLUMNS]


def _column(frame: pd.DataFrame, name: str, default: Any) -> pd.Series:
    """A column of the master, or `default` everywhere when the inputs did not have it."""
    return frame[name] if name in frame else pd.Series(default, index=frame.index)


def _empty_plan() -> pd.DataFrame:
    dtypes = {"customer_key": str, "customer_name": str, "annual_order_value": "float64",
              "tier": "int64", "selected": bool, "reason": str, "segment": str,
              "key_customer": bool, "tier_min_value": "float64", "tier_share": "float64"}
    return pd.DataFrame({c: pd.Series(dtype=d) for c, d in dtypes.items()})[PLAN_COLUMNS]


# --- the workbook for the sales team ----------------------------------------------------------

def reason_text(reason: str, language: str) -> str:
    """A plan's reason codes in words."""
    words = []
    for code in filter(None, (part.strip() for part in str(reason).split(";"))):
        if code.startswith(ALWAYS_SEGMENT):
            segment = code[len(ALWAYS_SEGMENT):]
            label = f"kpis.sampling.segment.{segment}"
            words.append(t("kpis.sampling.reason.always_segment", language,
                           segment=t(label, language) if label in TEXT else segment))
        else:
            words.append(t(f"kpis.sampling.reason.{code}", language))
    return ("；" if language == "zh" else "; ").join(words)


def tier_text(min_value: float, share: float, language: str) -> str:
    """e.g. "≥ 500,000 · 100%" — the tier as the sales team reads it ("in no tier" without one)."""
    if min_value is None or share is None or np.isnan(min_value) or np.isnan(share):
        return t("kpis.sampling.no_tier", language)
    return t("kpis.sampling.tier_text", language, min_value=f"{min_value:,.0f}",
             share=f"{share * 100:g}%")


def display_width(text: str) -> int:
    """Columns a text takes in Excel: East Asian wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(text))


def write_sampling_plan(plan: pd.DataFrame, path: str | Path, language: str, company: str,
                        period: str, note: str | None = None) -> Path:
    """Write `sampling_plan_<PERIOD>.xlsx`: the dispatch list (selected customers) and the tiers.

    outputs.md: "the next survey's dispatch list (customer, tier, why included)". `path` is the
    output folder (the file is named `sampling_plan_<PERIOD>.xlsx` in it) or the file itself.
    Every text from the inputs is written with `write_string` (a name `=HYPERLINK(…)` stays
    text); a title row with company and period, a frozen header, an autofilter, widths that fit
    Chinese text. `note`, when given, is written under the dispatch list's title (why the list is
    empty). Returns the file written.
    """
    import xlsxwriter

    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        target = target / f"sampling_plan_{period}.xlsx"
    lang = language if language in ("zh", "en") else "zh"
    workbook = xlsxwriter.Workbook(str(target), {"strings_to_formulas": False, "strings_to_urls": False,
                                                 "nan_inf_to_errors": True})
    try:
        formats = {
            "title": workbook.add_format({"bold": True, "font_size": 14}),
            "header": workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1,
                                           "text_wrap": True, "valign": "top"}),
            "text": workbook.add_format({}),
            "money": workbook.add_format({"num_format": "#,##0"}),
            "pct": workbook.add_format({"num_format": "0%"}),
            "int": workbook.add_format({"num_format": "0"}),
        }
        selected = plan[plan["selected"].astype(bool)]
        _write_dispatch(workbook, formats, selected, lang, company, period, note)
        _write_tiers(workbook, formats, plan, lang, company, period)
    finally:
        workbook.close()
    return target


def _title(sheet: Any, formats: dict, lang: str, company: str, period: str) -> None:
    """Row 1: company and period (the title overflows into the empty cells to its right)."""
    sheet.write_string(0, 0, t("kpis.sampling.title", lang, company=company, period=period),
                       formats["title"])
    sheet.set_row(0, 22)


def _write_table(sheet: Any, formats: dict, header_row: int, headers: list[str],
                 columns: list[tuple[list[Any], str]]) -> None:
    """Header at `header_row`, then the columns (values, kind) below it; frozen, filtered, sized."""
    widths = [display_width(h) for h in headers]
    for c, header in enumerate(headers):
        sheet.write_string(header_row, c, header, formats["header"])
    n_rows = len(columns[0][0]) if columns else 0
    for c, (values, kind) in enumerate(columns):
        for r, value in enumerate(values, start=header_row + 1):   # the writer's cell loop
            if isinstance(value, str) and kind != "text":      # a word where a number would be
                sheet.write_string(r, c, value, formats["text"])
                widths[c] = max(widths[c], display_width(value))
            elif kind == "text":
                text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
                sheet.write_string(r, c, text, formats["text"])
                widths[c] = max(widths[c], display_width(text))
            elif value is None or (isinstance(value, float) and np.isnan(value)):
                sheet.write_blank(r, c, None, formats[kind])
            else:
                sheet.write_number(r, c, float(value), formats[kind])
                shown = f"{value:,.0f}" if kind == "money" else (f"{value:.0%}" if kind == "pct" else f"{value:g}")
                widths[c] = max(widths[c], display_width(shown))
    for c, width in enumerate(widths):
        sheet.set_column(c, c, min(max(width + 2, 8), 60))
    sheet.freeze_panes(header_row + 1, 0)
    sheet.autofilter(header_row, 0, header_row + n_rows, max(len(headers) - 1, 0))


def _write_dispatch(workbook: Any, formats: dict, selected: pd.DataFrame, lang: str,
                    company: str, period: str, note: str | None = None) -> None:
    sheet = workbook.add_worksheet(t("kpis.sampling.sheet.dispatch", lang))
    headers = [t(f"kpis.sampling.col.{c}", lang) for c in
               ("customer_code", "customer_name", "annual_order_value", "tier", "tier_text", "reason")]
    _title(sheet, formats, lang, company, period)
    if note:
        sheet.write_string(1, 0, note, formats["text"])
    # the customers in no tier (always-include ones) after the tiers
    ordered = selected.assign(_last=selected["tier"].eq(NO_TIER)).sort_values(
        ["_last", "tier", "customer_key"], kind="stable")
    _write_table(sheet, formats, 2, headers, [
        (ordered["customer_key"].tolist(), "text"),
        (ordered["customer_name"].tolist(), "text"),
        (ordered["annual_order_value"].tolist(), "money"),
        (_tier_cells(ordered["tier"], lang), "int"),
        ([tier_text(m, s, lang) for m, s in zip(ordered["tier_min_value"], ordered["tier_share"])], "text"),
        ([reason_text(r, lang) for r in ordered["reason"]], "text"),
    ])


def _write_tiers(workbook: Any, formats: dict, plan: pd.DataFrame, lang: str,
                 company: str, period: str) -> None:
    sheet = workbook.add_worksheet(t("kpis.sampling.sheet.tiers", lang))
    headers = [t(f"kpis.sampling.col.{c}", lang) for c in
               ("tier", "tier_min_value", "tier_share", "customers", "drawn", "always", "selected")]
    _title(sheet, formats, lang, company, period)
    in_draw = plan["reason"].str.contains(TIER_DRAW) | plan["reason"].str.contains(TIER_ALL)
    summary = (plan.assign(drawn=in_draw, always=plan["selected"] & ~in_draw)
               .groupby("tier", sort=True)
               .agg(tier_min_value=("tier_min_value", "first"), tier_share=("tier_share", "first"),
                    customers=("customer_key", "size"), drawn=("drawn", "sum"),
                    always=("always", "sum"), selected=("selected", "sum"))
               .reset_index())
    summary = summary.assign(_last=summary["tier"].eq(NO_TIER)).sort_values(["_last", "tier"], kind="stable")
    _write_table(sheet, formats, 2, headers, [
        (_tier_cells(summary["tier"], lang), "int"),
        (summary["tier_min_value"].tolist(), "money"),
        (summary["tier_share"].tolist(), "pct"),
        (summary["customers"].tolist(), "int"),
        (summary["drawn"].tolist(), "int"),
        (summary["always"].tolist(), "int"),
        (summary["selected"].tolist(), "int"),
    ])


def _tier_cells(tiers: pd.Series, lang: str) -> list[Any]:
    """The tier numbers for the workbook, "in no tier" in words for `NO_TIER`."""
    return [t("kpis.sampling.no_tier", lang) if int(v) == NO_TIER else int(v) for v in tiers]
