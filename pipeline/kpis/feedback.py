"""Quality feedback register — 客户质量信息反馈 (seed 003; kpis.md "Quality feedback register").

Seed 003 §4.3: the handler files the 客户质量信息反馈表 within one working day for class a/b
problems and within three working days for c/d (`feedback.file_days`); §4.7: at each month's end
the sales department sums up the month's feedback and chases what is not completed. The KPIs count
working days on the plant's calendar (`pipeline/workdays.py`).
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from pipeline.kpis.base import (KpiContext, empty_long, known_and_found, long_frame, month_end,
                                 month_label, monthly_counts, on_time_pct_rows)
from pipeline.registers import FEEDBACK
from pipeline.workdays import LATE, ON_TIME, PENDING, WorkCalendar, deadline_status

__all__ = ["feedback_kpis", "feedback_items", "feedback_filed_on_time_pct", "feedback_open",
           "feedback_median_days_to_complete", "feedback_open_items", "feedback_monthly_summary"]

CATEGORIES: tuple[str, ...] = tuple(FEEDBACK.column("category").vocab)   # A, B, C, D

OPEN_ITEM_COLUMNS = ("feedback_no", "customer_key", "customer_name", "feedback_date", "category",
                     "subject", "handler", "dept", "filed_date", "file_deadline", "filing_status",
                     "age_days", "_file", "_sheet", "_row")
SUMMARY_COLUMNS = ("month", "category", "received", "filed_on_time", "filed_late", "filing_pending",
                   "completed", "still_open")


def feedback_kpis(registers: Mapping[str, pd.DataFrame], ctx: KpiContext) -> pd.DataFrame:
    """Every quality-feedback KPI for every month of the window, in the long shape.

    No feedback register among the inputs: no rows at all (the pack says "no register"), never zeros.
    """
    feedback = registers.get(FEEDBACK.name)
    if feedback is None:
        return empty_long()
    return pd.concat([
        feedback_items(feedback, ctx),
        feedback_filed_on_time_pct(feedback, ctx),
        feedback_open(feedback, ctx),
        feedback_median_days_to_complete(feedback, ctx),
    ], ignore_index=True)


def feedback_items(feedback: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """`feedback_items(M)`: items with `feedback_date` in M, also per category (kpis.md).

    Company scope and one row per category A–D for every month (0 where none).
    """
    return monthly_counts("feedback_items", month_label(feedback["feedback_date"]), list(ctx.months),
                          scope="category", keys=feedback["category"], grid_keys=_categories(feedback))


def feedback_filed_on_time_pct(feedback: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """`feedback_filed_on_time_pct(M)`: the form must be filed within `feedback.file_days[category]`
    working days of the feedback (A and B: 1; C and D: 3); over the items of M that are on time or
    late (kpis.md).

    "N working days after date d" is the end of the N-th working day strictly after d; filed on or
    before that day is on time; not filed when `as_of` has passed that day is late; otherwise
    pending and left out. M is the month of `feedback_date`.
    """
    window = list(ctx.months)
    in_window = feedback[month_label(feedback["feedback_date"]).isin(window)]
    judged = _with_filing_status(in_window, ctx, strict=True)
    return on_time_pct_rows("feedback_filed_on_time_pct", month_label(judged["feedback_date"]),
                            judged["filing_status"], window)


def feedback_open(feedback: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """`feedback_open(M)`: items with `feedback_date` on or before the month's end (or `as_of` for
    the period itself) and no `completed_date` by then — the items to chase (seed 003 §4.7).
    """
    window = list(ctx.months)
    open_counts = _open_at(feedback["feedback_date"], feedback["completed_date"], _cutoffs(ctx))
    return long_frame(period=window, kpi="feedback_open", scope="company", value=open_counts)


def feedback_median_days_to_complete(feedback: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """`feedback_median_days_to_complete(M)`: over items completed in M, whole days (kpis.md).

    Days = `completed_date` − `feedback_date` in calendar days (date parts only); the median of an
    even count is the mean of the middle two. No item completed in M: no value.
    """
    window = list(ctx.months)
    completed = feedback[feedback["completed_date"].notna()]
    days = _whole_days(completed["feedback_date"], completed["completed_date"])
    median = days.groupby(month_label(completed["completed_date"])).median().reindex(window)
    return long_frame(period=window, kpi="feedback_median_days_to_complete", scope="company",
                      value=median.to_numpy(dtype="float64"))


def feedback_open_items(registers: Mapping[str, pd.DataFrame], ctx: KpiContext) -> pd.DataFrame:
    """The feedback items to chase at `as_of` (seed 003 §4.7: 对当月未完成的提出强调事项).

    Every item received on or before `as_of` and not completed by then, whatever its month, with
    its filing deadline and filing verdict at `as_of`, its age in calendar days at `as_of`, and
    where it was read from (file, sheet, Excel row). Oldest first.
    """
    feedback = registers.get(FEEDBACK.name)
    if feedback is None:
        return pd.DataFrame(columns=list(OPEN_ITEM_COLUMNS))
    as_of = pd.Timestamp(ctx.as_of)
    still_open = feedback[(feedback["feedback_date"] <= as_of)
                          & ~(feedback["completed_date"] <= as_of)]
    # a list, not a KPI: an item whose deadline the official calendar cannot place shows no deadline
    items = _with_filing_status(still_open, ctx, strict=False)
    items = items.assign(
        file_deadline=items["file_deadline_end"] - pd.Timedelta(days=1),
        age_days=(as_of - items["feedback_date"].dt.normalize()).dt.days.astype("int64"),
    )
    items = items.sort_values(["age_days", "feedback_no"], ascending=[False, True], kind="stable")
    return items.reindex(columns=list(OPEN_ITEM_COLUMNS)).reset_index(drop=True)


def feedback_monthly_summary(registers: Mapping[str, pd.DataFrame], ctx: KpiContext) -> pd.DataFrame:
    """Seed 003 §4.7 monthly summary: per month of the window and per category, the items received,
    filed on time, filed late and still pending filing (by feedback month), completed (by completion
    month) and still open at the month's end (or `as_of` for the period itself).
    """
    feedback = registers.get(FEEDBACK.name)
    if feedback is None:
        return pd.DataFrame(columns=list(SUMMARY_COLUMNS))
    window = list(ctx.months)
    categories = _categories(feedback)
    grid = pd.MultiIndex.from_product([window, categories], names=["month", "category"])

    in_window = feedback[month_label(feedback["feedback_date"]).isin(window)]
    judged = _with_filing_status(in_window, ctx, strict=True)
    received_month = month_label(judged["feedback_date"])

    def per_month_category(months: pd.Series, rows: pd.DataFrame) -> np.ndarray:
        pairs = pd.DataFrame({"month": months, "category": rows["category"]}).dropna()
        return pairs.value_counts().reindex(grid, fill_value=0).to_numpy()

    def with_status(status: str) -> np.ndarray:
        chosen = judged["filing_status"] == status
        return per_month_category(received_month[chosen], judged[chosen])

    still_open = np.column_stack([
        _open_at(feedback.loc[feedback["category"] == category, "feedback_date"],
                 feedback.loc[feedback["category"] == category, "completed_date"], _cutoffs(ctx))
        for category in categories
    ]).ravel() if len(categories) else np.zeros(0, dtype="int64")
    summary = pd.DataFrame({
        "month": grid.get_level_values("month"),
        "category": grid.get_level_values("category"),
        "received": per_month_category(received_month, judged),
        "filed_on_time": with_status(ON_TIME),
        "filed_late": with_status(LATE),
        "filing_pending": with_status(PENDING),
        "completed": per_month_category(month_label(feedback["completed_date"]), feedback),
        "still_open": still_open,
    })
    return summary.astype({c: "int64" for c in SUMMARY_COLUMNS[2:]})


# --- shared pieces ------------------------------------------------------------------------------

def _calendar(ctx: KpiContext) -> WorkCalendar:
    return ctx.calendar if ctx.calendar is not None else WorkCalendar.from_settings(ctx.settings)


def _with_filing_status(feedback: pd.DataFrame, ctx: KpiContext, *, strict: bool) -> pd.DataFrame:
    """The items with `file_deadline_end` (exclusive end of the filing deadline day) and
    `filing_status` (on_time / late / pending at `as_of`; missing where no deadline applies)."""
    file_days = pd.Series(dict(ctx.settings.feedback.file_days), dtype="float64")
    n_days = feedback["category"].map(file_days)
    deadline_end = _calendar(ctx).deadline_end(feedback["feedback_date"], n_days, strict=strict)
    return feedback.assign(
        file_deadline_end=deadline_end,
        filing_status=deadline_status(feedback["filed_date"], deadline_end, ctx.as_of_end),
    )


def _categories(feedback: pd.DataFrame) -> list[str]:
    """A–D, plus any other value found (staging allows only A–D; never drop what is there)."""
    return known_and_found(feedback["category"], CATEGORIES)


def _cutoffs(ctx: KpiContext) -> list[pd.Timestamp]:
    """The moment each month of the window is read at: its last day, or `as_of` for the period."""
    return [pd.Timestamp(ctx.as_of) if month == ctx.period else month_end(month) for month in ctx.months]


def _open_at(start: pd.Series, end: pd.Series, cutoffs: list[pd.Timestamp]) -> np.ndarray:
    """Per cutoff day c: how many rows started on or before c and were not ended by c."""
    s = start.to_numpy(dtype="datetime64[ns]")[None, :]
    e = end.to_numpy(dtype="datetime64[ns]")[None, :]
    c = np.array(cutoffs, dtype="datetime64[ns]")[:, None]
    return ((s <= c) & (np.isnat(e) | (e > c))).sum(axis=1).astype("int64")


def _whole_days(start: pd.Series, end: pd.Series) -> pd.Series:
    return (end.dt.normalize() - start.dt.normalize()).dt.days.astype("float64")
