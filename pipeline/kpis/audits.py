"""Customer audits — 顾客来厂稽核 (seed 000 §4.2.7; kpis.md "Customer audits").

Seed 000 §4.2.7: what a customer's on-site audit raises is recorded and classified; what satisfied
the customer is kept up (满意事项, `positive`); shortcomings and improvement suggestions (缺失 /
改善建议: `nonconformity`, `suggestion`) get an action with a formal reply, "quantified, concrete,
timed and verified" (量化、具体、定时、效果确认). Only those two types are actions: a positive
finding has nothing to close and is never on time, late or open.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from pipeline.kpis.base import (KpiContext, empty_long, known_and_found, long_frame, month_end,
                                 month_label, monthly_counts, on_time_pct_rows)
from pipeline.registers import CUSTOMER_AUDITS
from pipeline.workdays import deadline_status

__all__ = ["audit_kpis", "audit_findings", "audit_actions_on_time_pct", "audit_open_findings",
           "overdue_audit_actions", "ACTION_TYPES"]

FINDING_TYPES: tuple[str, ...] = tuple(CUSTOMER_AUDITS.column("finding_type").vocab)
# the findings that call for an action (缺失 / 改善建议)
ACTION_TYPES: tuple[str, ...] = ("nonconformity", "suggestion")

OVERDUE_COLUMNS = ("audit_date", "customer_key", "customer_name", "finding_type", "finding",
                   "responsible_dept", "due_date", "days_overdue", "_file", "_sheet", "_row")


def audit_kpis(registers: Mapping[str, pd.DataFrame], ctx: KpiContext) -> pd.DataFrame:
    """Every customer-audit KPI for every month of the window, in the long shape.

    No audit register among the inputs: no rows at all (the pack says "no register"), never zeros.
    """
    findings = registers.get(CUSTOMER_AUDITS.name)
    if findings is None:
        return empty_long()
    return pd.concat([
        audit_findings(findings, ctx),
        audit_actions_on_time_pct(findings, ctx),
        audit_open_findings(findings, ctx),
    ], ignore_index=True)


def audit_findings(findings: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """`audit_findings(M)`: findings with `audit_date` in M, also per finding type (kpis.md).

    Company scope, and scope `type` keyed by finding type (positive / nonconformity / suggestion)
    for every month (0 where none).
    """
    return monthly_counts("audit_findings", month_label(findings["audit_date"]), list(ctx.months),
                          scope="type", keys=findings["finding_type"],
                          grid_keys=known_and_found(findings["finding_type"], FINDING_TYPES))


def audit_actions_on_time_pct(findings: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """`audit_actions_on_time_pct(M)`: nonconformities and suggestions with `due_date` in M: on time
    when closed on or before the due date; late when closed after it or still open after `as_of`;
    else pending (kpis.md).

    "Still open after as_of" is read as the deadline rule of "Working-day deadlines elsewhere":
    not closed when `as_of` has passed the due day (the as_of day is the due day or later).
    Value = on time / (on time + late) × 100; an action with no due date is in no month.
    """
    window = list(ctx.months)
    actions = _actions(findings)
    deadline_end = actions["due_date"].dt.normalize() + pd.Timedelta(days=1)
    status = deadline_status(actions["closed_date"].dt.normalize(), deadline_end, ctx.as_of_end)
    return on_time_pct_rows("audit_actions_on_time_pct", month_label(actions["due_date"]), status, window)


def audit_open_findings(findings: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """`audit_open_findings(M)`: nonconformities and suggestions audited on or before the month's
    end (or `as_of` for the period itself) and not closed by then (kpis.md)."""
    window = list(ctx.months)
    actions = _actions(findings)
    cutoffs = np.array([pd.Timestamp(ctx.as_of) if month == ctx.period else month_end(month)
                        for month in window], dtype="datetime64[ns]")[:, None]
    audited = actions["audit_date"].to_numpy(dtype="datetime64[ns]")[None, :]
    closed = actions["closed_date"].to_numpy(dtype="datetime64[ns]")[None, :]
    still_open = ((audited <= cutoffs) & (np.isnat(closed) | (closed > cutoffs))).sum(axis=1)
    return long_frame(period=window, kpi="audit_open_findings", scope="company", value=still_open)


def overdue_audit_actions(registers: Mapping[str, pd.DataFrame], ctx: KpiContext) -> pd.DataFrame:
    """The audit actions to chase at `as_of`: nonconformities and suggestions not closed by `as_of`
    whose due date has passed (the due day is `as_of` or earlier), whatever their month, with the
    calendar days past due at `as_of` (0: due that day) and where the row was read from.
    Most overdue first. Open actions with no due date are not overdue and are not listed.
    """
    findings = registers.get(CUSTOMER_AUDITS.name)
    if findings is None:
        return pd.DataFrame(columns=list(OVERDUE_COLUMNS))
    as_of = pd.Timestamp(ctx.as_of)
    actions = _actions(findings)
    overdue = actions[~(actions["closed_date"] <= as_of) & (actions["due_date"] <= as_of)]
    overdue = overdue.assign(
        days_overdue=(as_of - overdue["due_date"].dt.normalize()).dt.days.astype("int64"))
    overdue = overdue.sort_values(["days_overdue", "_file", "_sheet", "_row"],
                                  ascending=[False, True, True, True], kind="stable")
    return overdue.reindex(columns=list(OVERDUE_COLUMNS)).reset_index(drop=True)


def _actions(findings: pd.DataFrame) -> pd.DataFrame:
    """The findings that call for an action: nonconformities and suggestions."""
    return findings[findings["finding_type"].isin(ACTION_TYPES)]
