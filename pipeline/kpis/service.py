"""After-sales service and the three guarantees — 售后服务与三包 (seed 001; kpis.md
"After-sales service and three guarantees").

Seed 001: the after-sales department logs every request in the 报修登记表, sends a service person
"按时" and, once served, asks the customer to rate the service (维修反馈单); at each month's end it
works out the customers' satisfaction rate (统计出顾客对产品质量和服务的满意率). Warranty repairs,
replacements and returns (包修/包换/包退) are summed up by type every month and in a year total
(每月底对当月的三包、退货情况进行分类汇总，年底进行一次总汇总).

The service deadline is in CALENDAR days (`service.response_days`), judged by date.
"""
from __future__ import annotations

from typing import Mapping

import pandas as pd

from pipeline.kpis.base import (KpiContext, empty_long, known_and_found, long_frame, month_key_counts,
                                 month_label, monthly_counts, on_time_pct_rows, ratio_pct)
from pipeline.registers import SERVICE
from pipeline.workdays import deadline_status

__all__ = ["service_kpis", "service_requests", "service_on_time_pct", "service_median_days",
           "service_satisfaction_pct", "warranty_cases", "three_guarantee_table", "WARRANTY_TYPES"]

SERVICE_TYPES: tuple[str, ...] = tuple(SERVICE.column("type").vocab)
# 包修 / 包换 / 包退, in the seed's order
WARRANTY_TYPES: tuple[str, ...] = ("warranty_repair", "warranty_replace", "warranty_return")


def service_kpis(registers: Mapping[str, pd.DataFrame], ctx: KpiContext) -> pd.DataFrame:
    """Every after-sales service KPI for every month of the window (and the warranty year to date),
    in the long shape. No service register among the inputs: no rows at all, never zeros.
    """
    requests = registers.get(SERVICE.name)
    if requests is None:
        return empty_long()
    return pd.concat([
        service_requests(requests, ctx),
        service_on_time_pct(requests, ctx),
        service_median_days(requests, ctx),
        service_satisfaction_pct(requests, ctx),
        warranty_cases(requests, ctx),
    ], ignore_index=True)


def service_requests(requests: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """`service_requests(M)`: requests with `request_date` in M, also per type (kpis.md).

    Company scope and one row per service type for every month (0 where none).
    """
    return monthly_counts("service_requests", month_label(requests["request_date"]), list(ctx.months),
                          scope="type", keys=requests["type"], grid_keys=_types(requests))


def service_on_time_pct(requests: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """`service_on_time_pct(M)`: served within `service.response_days` calendar days of the request
    (same on-time / late / pending rule, judged by date) (kpis.md).

    On time: `service_date` ≤ `request_date` + N days. Late: served later, or not served and
    `as_of` is past that day (the as_of day is that day or later). Otherwise pending and left out.
    M is the request month; the value is on time / (on time + late) × 100.
    """
    window = list(ctx.months)
    n_days = int(ctx.settings.service.response_days)
    # the exclusive end of the deadline day: midnight after request day + N
    deadline_end = requests["request_date"].dt.normalize() + pd.Timedelta(days=n_days + 1)
    status = deadline_status(requests["service_date"].dt.normalize(), deadline_end, ctx.as_of_end)
    return on_time_pct_rows("service_on_time_pct", month_label(requests["request_date"]), status, window)


def service_median_days(requests: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """`service_median_days(M)`: request → service, whole days, over requests served in M (kpis.md).

    Calendar days between the dates; the median of an even count is the mean of the middle two.
    """
    window = list(ctx.months)
    served = requests[requests["service_date"].notna()]
    days = (served["service_date"].dt.normalize() - served["request_date"].dt.normalize()).dt.days
    median = days.astype("float64").groupby(month_label(served["service_date"])).median().reindex(window)
    return long_frame(period=window, kpi="service_median_days", scope="company",
                      value=median.to_numpy(dtype="float64"))


def service_satisfaction_pct(requests: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """`service_satisfaction_pct(M) = satisfied / rated × 100` over requests served in M that were
    rated (kpis.md; seed 001: 统计出顾客对产品质量和服务的满意率).

    `satisfied` (满意/很满意/非常满意) counts; `neutral` and `dissatisfied` are rated but not
    satisfied; an unrated request is left out.
    """
    window = list(ctx.months)
    rated = requests[requests["service_date"].notna() & requests["rating"].notna()]
    months = month_label(rated["service_date"])
    rated_count = months.value_counts().reindex(window, fill_value=0)
    satisfied = months[rated["rating"] == "satisfied"].value_counts().reindex(window, fill_value=0)
    return long_frame(period=window, kpi="service_satisfaction_pct", scope="company",
                      value=ratio_pct(satisfied, rated_count), numerator=satisfied.to_numpy(),
                      denominator=rated_count.to_numpy())


def warranty_cases(requests: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """`warranty_cases(M)` per type `warranty_repair`, `warranty_replace`, `warranty_return`
    (包修/包换/包退), by request month, and the year-to-date total with period `YYYY` (kpis.md;
    seed 001: 每月分类汇总, 年底总汇总).

    Scope `type` only. The year to date counts requests dated January 1 to the end of the period
    of the period's year (months January..P).
    """
    window = list(ctx.months)
    months = month_label(requests["request_date"])
    monthly = month_key_counts(months, requests["type"], window, list(WARRANTY_TYPES))
    year = ctx.period[:4]
    year_to_date = (requests.loc[months.isin(_year_to_date_months(ctx)).to_numpy(), "type"]
                    .value_counts().reindex(list(WARRANTY_TYPES), fill_value=0))
    return pd.concat([
        long_frame(period=monthly.index.get_level_values(0), kpi="warranty_cases", scope="type",
                   key=monthly.index.get_level_values(1), value=monthly.to_numpy()),
        long_frame(period=year, kpi="warranty_cases", scope="type", key=list(WARRANTY_TYPES),
                   value=year_to_date.to_numpy()),
    ], ignore_index=True)


def three_guarantee_table(registers: Mapping[str, pd.DataFrame], ctx: KpiContext) -> pd.DataFrame:
    """三包 summary for the pack: one row per month January..P of the period's year with the
    warranty repairs, replacements and returns requested that month (包修/包换/包退) and their
    total, then the year-to-date row labelled `YYYY` (seed 001: 每月分类汇总, 年底总汇总).

    Columns: month, warranty_repair, warranty_replace, warranty_return, total. No service
    register: an empty table with those columns.
    """
    columns = ["month", *WARRANTY_TYPES, "total"]
    requests = registers.get(SERVICE.name)
    if requests is None:
        return pd.DataFrame(columns=columns)
    year = ctx.period[:4]
    months = _year_to_date_months(ctx)
    counts = month_key_counts(month_label(requests["request_date"]), requests["type"], months,
                                 list(WARRANTY_TYPES)).unstack().reindex(index=months, columns=list(WARRANTY_TYPES))
    table = pd.concat([counts, counts.sum().to_frame(year).T])
    table = table.astype("int64").assign(total=lambda t: t.sum(axis=1))
    return table.rename_axis("month").reset_index()[columns]


def _year_to_date_months(ctx: KpiContext) -> list[str]:
    """January..P of the period's year, as 'YYYY-MM'."""
    return [str(p) for p in pd.period_range(f"{ctx.period[:4]}-01", ctx.period, freq="M")]


def _types(requests: pd.DataFrame) -> list[str]:
    """The service types of the vocabulary, plus any other value found (never drop what is there)."""
    return known_and_found(requests["type"], SERVICE_TYPES)
