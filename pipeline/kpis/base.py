"""What every KPI module shares: the run context, the long-table shape, and the small pieces of
arithmetic the spec repeats (a zero denominator has no value; months of the trailing window).

Each area module exposes one function `<area>_kpis(registers, ctx) -> DataFrame` returning rows
in the long shape (without target/status: `pipeline/kpis/targets.py` adds those for every area).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Callable, Sequence, TypeVar

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.settings import Settings
    from pipeline.workdays import WorkCalendar

T = TypeVar("T")

LONG_COLUMNS = ("period", "kpi", "scope", "key", "value", "numerator", "denominator",
                "target", "status", "label")


@dataclass(frozen=True)
class KpiContext:
    """The run's fixed facts: settings, the period P, `as_of`, the 12-month window, the calendar."""
    settings: "Settings"
    period: str                      # "YYYY-MM"
    as_of: date                      # default: last day of the period
    calendar: "WorkCalendar | None" = None
    # what several KPIs and the pack's lists derive from the same register frames: see `once`
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def once(self, what: str, frames: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """`compute()`, worked out once per context for these register frames and handed back to
        every later caller (who must not change it), e.g. the judged lots, which the delivery KPIs,
        the complaint rates, the scorecard and the pack's late-lot list all read.

        The context is the run's (frozen: settings, period, as_of, calendar), so the answer for the
        same frames cannot change within it; a new context starts empty. Frames are told apart by
        identity (`id`), never by content: the memo keeps each frame it was keyed on, so an id
        cannot be reused by another frame while the memo lives.
        """
        key = (what, *(id(frame) for frame in frames))
        if key not in self._memo:
            self._memo[key] = (frames, compute())
        return self._memo[key][1]

    @property
    def months(self) -> tuple[str, ...]:
        """The trailing 12-month window ending at the period, oldest first."""
        return trailing_months(self.period, 12)

    @property
    def as_of_end(self) -> pd.Timestamp:
        """`as_of` as a moment: the end of that day (24:00), kpis.md."""
        return pd.Timestamp(self.as_of) + pd.Timedelta(days=1)


def trailing_months(period: str, n: int) -> tuple[str, ...]:
    end = pd.Period(period, freq="M")
    return tuple(str(end - i) for i in range(n - 1, -1, -1))


def month_label(dates: pd.Series) -> pd.Series:
    """'YYYY-MM' of each date (missing stays missing).

    Python strings in an object column, None where the date is missing. Formats each distinct
    month once and spreads the labels by position: strftime, or a dict lookup, per row costs
    seconds on a million lots.
    """
    code = (dates.dt.year * 100 + dates.dt.month).to_numpy(dtype="float64", na_value=np.nan)
    which, distinct = pd.factorize(code)                     # a missing date: -1
    labels = np.array([f"{int(c) // 100:04d}-{int(c) % 100:02d}" for c in distinct] + [None], dtype=object)
    return pd.Series(labels[which], index=dates.index, name=dates.name, dtype=object)   # -1 → None


def month_end(month: str) -> pd.Timestamp:
    """The last calendar day of a 'YYYY-MM' month, at midnight."""
    return pd.Period(month, freq="M").end_time.normalize()


def ratio_pct(numerator: Any, denominator: Any) -> Any:
    """numerator / denominator × 100, with no value (NaN) where the denominator is zero or missing.

    kpis.md: "A KPI with a zero denominator has no value … never 0, never 100."
    """
    num = np.asarray(numerator, dtype="float64")
    den = np.asarray(denominator, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where((den > 0) & np.isfinite(den), num / den * 100.0, np.nan)
    return out if out.ndim else float(out)


def long_frame(*, period: Any, kpi: str | Any, scope: str | Any, key: Any = "", value: Any,
               numerator: Any = np.nan, denominator: Any = np.nan, label: Any = "") -> pd.DataFrame:
    """Rows in the long shape from columns or scalars (broadcast like a DataFrame constructor)."""
    frame = pd.DataFrame({
        "period": period, "kpi": kpi, "scope": scope, "key": key,
        "value": value, "numerator": numerator, "denominator": denominator,
        "target": np.nan, "status": "", "label": label,
    })
    if frame.empty:
        return empty_long()
    numbers = ("value", "numerator", "denominator", "target")
    # one new frame from the converted columns (setting ten columns one by one costs more); as
    # arrays, so that nothing is aligned on the index
    return pd.DataFrame({col: (pd.to_numeric(frame[col], errors="coerce").astype("float64") if col in numbers
                               else frame[col].fillna("").astype(str)).array for col in LONG_COLUMNS},
                        index=frame.index)


def empty_long() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64" if c in ("value", "numerator", "denominator", "target")
                                      else str) for c in LONG_COLUMNS})


def known_and_found(values: pd.Series, vocabulary: Sequence[str]) -> list[str]:
    """The keys of a count per kind: the vocabulary in its order, then any other value found,
    sorted (staging allows only the vocabulary, but nothing that is there is ever dropped)."""
    return [*vocabulary, *sorted(set(values.dropna()) - set(vocabulary))]


def month_key_counts(months: pd.Series, keys: pd.Series, window: list[str], grid_keys: Sequence[str]) -> pd.Series:
    """Rows per (month, key) over the whole grid `window` × `grid_keys`, 0 where none; rows with a
    missing month or key are not counted."""
    grid = pd.MultiIndex.from_product([window, list(grid_keys)])
    pairs = pd.DataFrame({"month": months, "key": keys}).dropna()
    return pairs.value_counts().reindex(grid, fill_value=0).astype(np.int64)


def monthly_counts(kpi: str, months: pd.Series, window: list[str], *, scope: str | None = None,
                   keys: pd.Series | None = None, grid_keys: Sequence[str] = ()) -> pd.DataFrame:
    """A count KPI per month of the window: the company row, and with `scope`, one row per
    (month, key of `grid_keys`) counting `keys`; 0 where none."""
    company = months.value_counts().reindex(window, fill_value=0)
    parts = [long_frame(period=window, kpi=kpi, scope="company", value=company.to_numpy())]
    if scope is not None:
        by_key = month_key_counts(months, keys, window, grid_keys)
        parts.append(long_frame(period=by_key.index.get_level_values(0), kpi=kpi, scope=scope,
                                key=by_key.index.get_level_values(1), value=by_key.to_numpy()))
    return pd.concat(parts, ignore_index=True)


def on_time_pct_rows(kpi: str, months: pd.Series, status: pd.Series, window: list[str]) -> pd.DataFrame:
    """`kpi(M) = on time / (on time + late) × 100` over the items of each month M of the window,
    company scope; pending items are left out, and a month with none judged has no value.

    `months` is each item's month ('YYYY-MM'); `status` its verdict ("on_time" / "late" / "pending",
    `pipeline.workdays`), aligned with `months`.
    """
    on_time = months[status == "on_time"].value_counts().reindex(window, fill_value=0)
    late = months[status == "late"].value_counts().reindex(window, fill_value=0)
    judged = on_time + late
    return long_frame(period=window, kpi=kpi, scope="company", value=ratio_pct(on_time, judged),
                      numerator=on_time.to_numpy(), denominator=judged.to_numpy())
