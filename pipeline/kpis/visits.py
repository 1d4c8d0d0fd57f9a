"""Customer visits — 走访报告 (seed 003 §4.8; kpis.md "Customer visits").

Seed 003 §4.8: after visiting a customer, the sales or after-sales person hands in a written
visit report (走访报告) within three working days (`visits.report_days`), counted on the plant's
working-day calendar (`pipeline/workdays.py`).
"""
from __future__ import annotations

from typing import Mapping

import pandas as pd

from pipeline.kpis.base import KpiContext, empty_long, month_label, monthly_counts, on_time_pct_rows
from pipeline.registers import VISITS
from pipeline.workdays import LATE, WorkCalendar, deadline_status

__all__ = ["visit_kpis", "visits", "visit_report_on_time_pct", "late_visit_reports"]

LATE_REPORT_COLUMNS = ("visit_date", "customer_key", "customer_name", "visitor", "report_date",
                       "report_deadline", "working_days_to_report", "findings", "_file", "_sheet", "_row")


def visit_kpis(registers: Mapping[str, pd.DataFrame], ctx: KpiContext) -> pd.DataFrame:
    """Every visit KPI for every month of the window, in the long shape.

    No visit log among the inputs: no rows at all (the pack says "no register"), never zeros.
    """
    log = registers.get(VISITS.name)
    if log is None:
        return empty_long()
    return pd.concat([visits(log, ctx), visit_report_on_time_pct(log, ctx)], ignore_index=True)


def visits(log: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """`visits(M)`: visits with `visit_date` in M (kpis.md), company scope, 0 where none."""
    return monthly_counts("visits", month_label(log["visit_date"]), list(ctx.months))


def visit_report_on_time_pct(log: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """`visit_report_on_time_pct(M)`: report within `visits.report_days` working days (3) (kpis.md).

    "N working days after date d" is the end of the N-th working day strictly after d: a report
    dated on or before that day is on time; no report when `as_of` has passed that day is late;
    otherwise pending and left out. Over the visits of M (by `visit_date`) that are on time or late.
    """
    window = list(ctx.months)
    judged = _with_report_status(log[month_label(log["visit_date"]).isin(window)], ctx, strict=True)
    return on_time_pct_rows("visit_report_on_time_pct", month_label(judged["visit_date"]),
                            judged["report_status"], window)


def late_visit_reports(registers: Mapping[str, pd.DataFrame], ctx: KpiContext) -> pd.DataFrame:
    """The visits of the window whose report is late at `as_of`: handed in after the deadline day,
    or still missing when `as_of` has passed it — with the deadline day, the working days the
    report took (when there is one) and where the row was read from. In visit order.
    """
    log = registers.get(VISITS.name)
    if log is None:
        return pd.DataFrame(columns=list(LATE_REPORT_COLUMNS))
    in_window = log[month_label(log["visit_date"]).isin(list(ctx.months))]
    judged = _with_report_status(in_window, ctx, strict=False)
    late = judged[judged["report_status"] == LATE]
    late = late.assign(
        report_deadline=late["report_deadline_end"] - pd.Timedelta(days=1),
        working_days_to_report=_calendar(ctx).working_days_between(
            late["visit_date"], late["report_date"], strict=False),
    )
    late = late.sort_values(["visit_date", "_file", "_sheet", "_row"], kind="stable")
    return late.reindex(columns=list(LATE_REPORT_COLUMNS)).reset_index(drop=True)


def _calendar(ctx: KpiContext) -> WorkCalendar:
    return ctx.calendar if ctx.calendar is not None else WorkCalendar.from_settings(ctx.settings)


def _with_report_status(log: pd.DataFrame, ctx: KpiContext, *, strict: bool) -> pd.DataFrame:
    """The visits with `report_deadline_end` (exclusive end of the deadline day) and
    `report_status` (on_time / late / pending at `as_of`)."""
    deadline_end = _calendar(ctx).deadline_end(log["visit_date"], int(ctx.settings.visits.report_days),
                                               strict=strict)
    return log.assign(report_deadline_end=deadline_end,
                      report_status=deadline_status(log["report_date"], deadline_end, ctx.as_of_end))
