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

from pipeline.kpis.base import KpiContext, empty_long, long_frame, month_label, ratio_pct

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

    Judged once per run (`KpiContext.once`): the delivery KPIs, the delivery facts of the
    complaint rates and the scorecard, and the late-lot list all read it; do not change it.
    """
    return ctx.once("judged_lots", (deliveries,), lambda: _judge_lots(deliveries, ctx))


def _judge_lots(deliveries: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    grace = pd.Timedelta(days=ctx.settings.delivery.grace_days)
    as_of = pd.Timestamp(ctx.as_of)
    due = deliveries["due_date"].dt.normalize()
    delivered = deliveries["delivered_date"].dt.normalize()
    qty_due = _as_float(deliveries["qty_due"])
    qty_delivered = _as_float(deliveries["qty_delivered"])

    not_delivered = delivered.isna()
    after_grace = delivered.notna() & (delivered > due + grace)
    short = (qty_delivered < qty_due) if ctx.settings.delivery.full_quantity else pd.Series(False, index=deliveries.index)
    # the reason as a number, then its text by position: a text column built from a million
    # Python strings costs a tenth of a second, a take from four labels almost nothing
    which = np.select([not_delivered, after_grace, short], [0, 1, 2], default=3)
    reason = pd.array([*LATE_REASONS, ""], dtype="str").take(which)
    return deliveries.assign(
        due_month=month_of(due),
        is_due=due.notna() & (due <= as_of),
        delivered_month=month_of(delivered),
        late=not_delivered | after_grace | short,
        reason=pd.Series(reason, index=deliveries.index),
        qty_due_n=qty_due,
        qty_delivered_n=qty_delivered,
    )


def month_of(dates: pd.Series) -> pd.Series:
    """'YYYY-MM' of each date, missing stays missing (`base.month_label`: each distinct month is
    formatted once), for registers of hundreds of thousands of rows."""
    return month_label(dates)


def _as_float(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").astype("float64").fillna(0.0)


def _window_months(lots: pd.DataFrame, months: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Where each lot judged by `judged_lots` counts: the position in the window of its due month
    (due lots only) and of its delivered month, -1 where it does not count."""
    window = pd.Index(list(months))
    due_at = np.where(lots["is_due"].to_numpy(dtype=bool), window.get_indexer(lots["due_month"]), -1)
    return due_at, window.get_indexer(lots["delivered_month"])


def _counts_by(lots: pd.DataFrame, at: tuple[np.ndarray, np.ndarray], by: str | None,
               months: tuple[str, ...]) -> tuple[list[str], dict[str, np.ndarray]]:
    """The counts per key and month of the window, from lots judged by `judged_lots` and placed
    in the window by `_window_months` (`at`).

    Due side, by due month (due lots only): due_lots, late_lots, due_qty, ontime_qty
    (Σ qty_delivered of due lots not late). Delivered side, by delivered month: delivered_lots,
    delivered_qty. Returns the keys with some activity in the window, sorted (the company, `by`
    None, is the one key "", always there; lots with a blank key are left out), and each count
    as an array of keys × months. Counted with `np.bincount` over (key, month) cell numbers: a
    group-by per scope costs a second on a million lots. The quantities are whole numbers, so
    their float sums are exact in any order.
    """
    if by:
        key_of, keys = pd.factorize(lots[by])                 # a blank key: -1
    else:
        key_of, keys = np.zeros(len(lots), dtype="int64"), pd.Index([""])
    n = len(keys) * len(months)
    late = lots["late"].to_numpy(dtype=bool)
    qty_due = lots["qty_due_n"].to_numpy(dtype="float64")
    qty_delivered = lots["qty_delivered_n"].to_numpy(dtype="float64")

    def cells(month_at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The (key, month) cell number of each lot counted, and which lots those are."""
        counted = (month_at >= 0) & (key_of >= 0)
        return key_of[counted] * len(months) + month_at[counted], counted

    due_cell, due = cells(at[0])
    delivered_cell, delivered = cells(at[1])
    counts = {
        "due_lots": np.bincount(due_cell, minlength=n).astype("float64"),
        "late_lots": np.bincount(due_cell, weights=late[due], minlength=n),
        "due_qty": np.bincount(due_cell, weights=qty_due[due], minlength=n),
        "ontime_qty": np.bincount(due_cell, weights=np.where(late, 0.0, qty_delivered)[due], minlength=n),
        "delivered_lots": np.bincount(delivered_cell, minlength=n).astype("float64"),
        "delivered_qty": np.bincount(delivered_cell, weights=qty_delivered[delivered], minlength=n),
    }
    counts = {name: values.reshape(len(keys), len(months)) for name, values in counts.items()}
    # the company has its rows whatever happened; a customer or plant when it had some activity
    active = (counts["due_lots"] > 0).any(axis=1) | (counts["delivered_lots"] > 0).any(axis=1) | (by is None)
    names = keys.tolist()
    order = [i for i in sorted(range(len(names)), key=names.__getitem__) if active[i]]
    return [names[i] for i in order], {name: values[order] for name, values in counts.items()}


def _grid(keys: list[str], counts: dict[str, np.ndarray], months: tuple[str, ...]) -> pd.DataFrame:
    """Every key × every month of the window, counts 0 where nothing happened."""
    # the texts repeated by position from the few distinct ones (not built from a Python list per row)
    return pd.DataFrame({"key": pd.array(keys, dtype="str").take(np.repeat(np.arange(len(keys)), len(months))),
                         "month": pd.array(list(months), dtype="str").take(np.tile(np.arange(len(months)), len(keys))),
                         **{name: counts[name].ravel() for name in _COUNTS}})


def delivery_facts(deliveries: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """Per customer and month of the window with any activity: due_lots, late_lots,
    delivered_lots, delivered_qty (and due_qty, ontime_qty), as kpis.md "Delivery" counts them.

    For the scorecard (D = max(0, 25 − 5 × late_lots), the PPM denominator) and for the complaint
    rate and PPM (delivered lots and quantity). Columns: customer_key, month, due_lots, late_lots,
    delivered_lots, delivered_qty, due_qty, ontime_qty. Worked out once per run (`KpiContext.once`).
    """
    return ctx.once("delivery_facts", (deliveries,), lambda: _delivery_facts(deliveries, ctx))


def _delivery_facts(deliveries: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    lots = judged_lots(deliveries, ctx)
    keys, counts = _counts_by(lots, _window_months(lots, ctx.months), "customer_key", ctx.months)
    facts = _grid(keys, counts, ctx.months)
    facts = facts[(facts["due_lots"] > 0) | (facts["delivered_lots"] > 0)]
    return (facts.rename(columns={"key": "customer_key"})
            [["customer_key", "month", "due_lots", "late_lots", "delivered_lots", "delivered_qty",
              "due_qty", "ontime_qty"]]
            .reset_index(drop=True))


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
    at = _window_months(lots, months)
    parts = []
    for scope, column in (("company", None), ("customer", "customer_key"), ("plant", "plant")):
        keys, counts = _counts_by(lots, at, column, months)
        if keys:
            parts.append(_long_rows(_grid(keys, counts, months), scope))
    out = pd.concat(parts, ignore_index=True)
    return out if not out.empty else empty_long()


def late_lot_rows(deliveries: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """The due lots of the window judged late, with their provenance, for the pack.

    Columns: month (the due month), reason (not_delivered / after_grace / short — the first that
    applies), days_late (delivered − due in days, 0 when not after the due date; for a lot not
    delivered, as_of − due),
    qty_short (qty_due − qty_delivered when positive, else 0), then the lot's own columns and
    `_file`, `_sheet`, `_row`. Worked out once per run (the pack lists it, the scorecard's
    points list reads it).
    """
    return ctx.once("late_lot_rows", (deliveries,), lambda: _late_lot_rows(deliveries, ctx))


def _late_lot_rows(deliveries: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
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
