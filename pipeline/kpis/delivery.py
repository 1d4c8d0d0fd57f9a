"""Delivery — 交期达成率 (on-time delivery), kpis.md "Delivery".

Seed formula: (应交货批数 − 延迟交货批数(包括未交批数)) / 应交货批数 × 100%.

One row of the delivery register is one lot. Every lot is judged once (`judged_lots`), then
counted by due month (due, late, on-time quantity) and by delivered month (delivered lots and
quantity), at company, customer and plant scope.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from pipeline.kpis.base import KpiContext, empty_long, long_frame, ratio_pct

__all__ = ["delivery_facts", "delivery_kpis", "judged_lots", "late_lot_rows", "month_of", "LATE_REASONS"]

DELIVERY_KPIS = ("due_lots", "late_lots", "otd_pct", "otd_qty_pct", "delivered_lots", "delivered_qty")
# Why a due lot is late, in the order the reason is named when several apply.
LATE_REASONS = ("not_delivered", "after_grace", "short")

_COUNTS = ("due_lots", "late_lots", "due_qty", "ontime_qty", "delivered_lots", "delivered_qty")


def judged_lots(deliveries: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """Every lot with its due month, delivered month and whether, as a due lot, it is late.

    kpis.md: "`due_lots(M)`: delivery lots with `due_date` in month M and `due_date` ≤ `as_of`.
    A due lot is late when any of: `delivered_date` is blank (not delivered: counts as late);
    `delivered_date` > `due_date` + `delivery.grace_days` days; `delivery.full_quantity` is true
    and `qty_delivered` < `qty_due`."

    Adds: `due_month`, `is_due`, `delivered_month`, `late`, `reason` (the first of
    not_delivered / after_grace / short that applies, else empty), `qty_due_n`, `qty_delivered_n`
    (the quantities as floats, a blank delivered quantity being 0).
    """
    grace = pd.Timedelta(days=ctx.settings.delivery.grace_days)
    as_of = pd.Timestamp(ctx.as_of)
    due = deliveries["due_date"].dt.normalize()
    delivered = deliveries["delivered_date"].dt.normalize()
    qty_due = _as_float(deliveries["qty_due"])
    qty_delivered = _as_float(deliveries["qty_delivered"])

    not_delivered = delivered.isna()
    after_grace = delivered.notna() & (delivered > due + grace)
    short = (qty_delivered < qty_due) if ctx.settings.delivery.full_quantity else pd.Series(False, index=deliveries.index)
    reason = np.select([not_delivered, after_grace, short], list(LATE_REASONS), default="")
    return deliveries.assign(
        due_month=month_of(due),
        is_due=due.notna() & (due <= as_of),
        delivered_month=month_of(delivered),
        late=not_delivered | after_grace | short,
        reason=pd.Series(reason, index=deliveries.index, dtype="str"),
        qty_due_n=qty_due,
        qty_delivered_n=qty_delivered,
    )


def month_of(dates: pd.Series) -> pd.Series:
    """'YYYY-MM' of each date, missing stays missing — `base.month_label` without formatting every
    row (each distinct month is formatted once), for registers of hundreds of thousands of rows."""
    ym = dates.dt.year * 100 + dates.dt.month
    table = {u: f"{int(u) // 100:04d}-{int(u) % 100:02d}" for u in pd.unique(ym.dropna())}
    return ym.map(table).astype(object).where(dates.notna(), None)


def _as_float(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").astype("float64").fillna(0.0)


def _facts_by(lots: pd.DataFrame, by: str | None, months: tuple[str, ...]) -> pd.DataFrame:
    """Counts per (key, month) over the window, from lots judged by `judged_lots`.

    Due side, by due month (due lots only): due_lots, late_lots, due_qty, ontime_qty
    (Σ qty_delivered of due lots not late). Delivered side, by delivered month: delivered_lots,
    delivered_qty. Only (key, month) pairs with some activity are returned; `key` is "" for
    the company (`by` None).
    """
    key = lots[by] if by else pd.Series("", index=lots.index, dtype="str")
    due = lots[lots["is_due"] & lots["due_month"].isin(months) & key.notna()]
    due_side = (due.assign(key=key, month=due["due_month"],
                           late_i=due["late"].astype("int64"),
                           ontime_qty=due["qty_delivered_n"].where(~due["late"], 0.0))
                .groupby(["key", "month"], sort=False)
                .agg(due_lots=("late_i", "size"), late_lots=("late_i", "sum"),
                     due_qty=("qty_due_n", "sum"), ontime_qty=("ontime_qty", "sum")))
    dl = lots[lots["delivered_month"].isin(months) & key.notna()]
    delivered_side = (dl.assign(key=key, month=dl["delivered_month"])
                      .groupby(["key", "month"], sort=False)
                      .agg(delivered_lots=("qty_delivered_n", "size"),
                           delivered_qty=("qty_delivered_n", "sum")))
    facts = due_side.join(delivered_side, how="outer").fillna(0.0).reset_index()
    for col in _COUNTS:
        if col not in facts:
            facts[col] = 0.0
    return facts[["key", "month", *_COUNTS]].astype({c: "float64" for c in _COUNTS})


def _grid(facts: pd.DataFrame, keys: pd.Index, months: tuple[str, ...]) -> pd.DataFrame:
    """Every key × every month of the window, counts 0 where nothing happened."""
    full = pd.MultiIndex.from_product([keys, list(months)], names=["key", "month"])
    return (facts.set_index(["key", "month"]).reindex(full, fill_value=0.0).reset_index()
            .astype({c: "float64" for c in _COUNTS}))


def delivery_facts(deliveries: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """Per customer and month of the window with any activity: due_lots, late_lots,
    delivered_lots, delivered_qty (and due_qty, ontime_qty), as kpis.md "Delivery" counts them.

    For the scorecard (D = max(0, 25 − 5 × late_lots), the PPM denominator) and for the complaint
    rate and PPM (delivered lots and quantity). Columns: customer_key, month, due_lots, late_lots,
    delivered_lots, delivered_qty, due_qty, ontime_qty.
    """
    facts = _facts_by(judged_lots(deliveries, ctx), "customer_key", ctx.months)
    facts = facts[(facts["due_lots"] > 0) | (facts["delivered_lots"] > 0)]
    return (facts.rename(columns={"key": "customer_key"})
            [["customer_key", "month", "due_lots", "late_lots", "delivered_lots", "delivered_qty",
              "due_qty", "ontime_qty"]]
            .sort_values(["customer_key", "month"], kind="mergesort").reset_index(drop=True))


def _long_rows(grid: pd.DataFrame, scope: str) -> pd.DataFrame:
    """The six delivery KPIs of kpis.md from the per-(key, month) counts.

    `otd_pct(M) = (due_lots − late_lots) / due_lots × 100`;
    `otd_qty_pct(M) = Σ qty_delivered of due lots that are not late / Σ qty_due of due lots × 100`;
    no value where the denominator is 0 ("never 0, never 100").
    """
    on_time = grid["due_lots"] - grid["late_lots"]
    common = {"period": grid["month"], "scope": scope, "key": grid["key"]}
    return pd.concat([
        long_frame(**common, kpi="due_lots", value=grid["due_lots"]),
        long_frame(**common, kpi="late_lots", value=grid["late_lots"]),
        long_frame(**common, kpi="otd_pct", value=ratio_pct(on_time, grid["due_lots"]),
                   numerator=on_time, denominator=grid["due_lots"]),
        long_frame(**common, kpi="otd_qty_pct", value=ratio_pct(grid["ontime_qty"], grid["due_qty"]),
                   numerator=grid["ontime_qty"], denominator=grid["due_qty"]),
        long_frame(**common, kpi="delivered_lots", value=grid["delivered_lots"]),
        long_frame(**common, kpi="delivered_qty", value=grid["delivered_qty"]),
    ], ignore_index=True)


def delivery_kpis(registers: Mapping[str, pd.DataFrame], ctx: KpiContext) -> pd.DataFrame:
    """due_lots, late_lots, otd_pct, otd_qty_pct, delivered_lots, delivered_qty for every month of
    the window, at company scope, per customer and per plant (kpis.md "Delivery": "Per plant as
    well as per customer when a plant column exists").

    Company rows always (all empty when no delivery register was given: no data, never zeros); a
    customer or plant gets all 12 months when it has any due or delivered lot in the window
    (counts 0 and rates empty in its quiet months). Lots with a blank plant count at company and
    customer scope only.
    """
    months = ctx.months
    deliveries = registers.get("deliveries")
    if deliveries is None:
        return pd.concat([long_frame(period=list(months), kpi=kpi, scope="company", value=np.nan)
                          for kpi in DELIVERY_KPIS], ignore_index=True)
    lots = judged_lots(deliveries, ctx)
    parts = [_long_rows(_grid(_facts_by(lots, None, months), pd.Index([""]), months), "company")]
    for scope, column in (("customer", "customer_key"), ("plant", "plant")):
        facts = _facts_by(lots, column, months)
        if facts.empty:
            continue
        keys = pd.Index(sorted(facts["key"].unique()))
        parts.append(_long_rows(_grid(facts, keys, months), scope))
    out = pd.concat(parts, ignore_index=True)
    return out if not out.empty else empty_long()


def late_lot_rows(deliveries: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """The due lots of the window judged late, with their provenance, for the pack.

    Columns: month (the due month), reason (not_delivered / after_grace / short — the first that
    applies), days_late (delivered − due in days, 0 when not after the due date; for a lot not
    delivered, as_of − due),
    qty_short (qty_due − qty_delivered when positive, else 0), then the lot's own columns and
    `_file`, `_sheet`, `_row`.
    """
    lots = judged_lots(deliveries, ctx)
    late = lots[lots["is_due"] & lots["due_month"].isin(ctx.months) & lots["late"]]
    as_of = pd.Timestamp(ctx.as_of)
    due = late["due_date"].dt.normalize()
    delivered_or_as_of = late["delivered_date"].dt.normalize().fillna(as_of)
    out = late.assign(
        month=late["due_month"],
        days_late=(delivered_or_as_of - due).dt.days.clip(lower=0).astype("Int64"),
        qty_short=(late["qty_due_n"] - late["qty_delivered_n"]).clip(lower=0.0),
    )
    cols = ["month", "reason", "days_late", "qty_short", "customer_key", "customer_code", "customer_name",
            "order_no", "lot_no", "part_no", "plant", "due_date", "delivered_date", "qty_due",
            "qty_delivered", "_file", "_sheet", "_row"]
    return (out[[c for c in cols if c in out.columns]]
            .sort_values(["month", "customer_key", "due_date", "order_no", "_file", "_sheet", "_row"],
                         kind="mergesort", na_position="last")
            .reset_index(drop=True))
