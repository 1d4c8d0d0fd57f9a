"""Control chart of the monthly complaint rate: a p-chart, or Laney's p′ chart when over-dispersed.

The complaint rate of month i is p_i = complaints_i / delivered_lots_i (kpis.md,
`complaint_rate_pct`, here as a proportion). Each month is a subgroup of n_i delivered lots:

    p̄      = Σ complaints / Σ delivered lots over the months plotted (the centre line)
    σ_i    = √(p̄ (1 − p̄) / n_i)                        binomial sigma of month i
    limits = p̄ ± 3 σ_i                                   p-chart, different for every month

With thousands of lots a month the binomial σ_i becomes tiny and real month-to-month variation
(mix of customers and parts) falls outside the limits every month: the chart cries wolf. Laney
(2002) measures that extra variation on the standardised values z_i = (p_i − p̄) / σ_i:

    σ_z    = mean moving range of z / 1.128              (1.128 = d2 for ranges of two)
    limits = p̄ ± 3 σ_i σ_z                               Laney p′ chart

σ_z ≈ 1 when the binomial model holds. We switch to p′ when σ_z > 1.5 (`LANEY_THRESHOLD`): with
twelve months, σ_z is estimated from eleven moving ranges and its standard error is about 0.25,
so 1.5 is roughly the upper 95 % bound of σ_z for an in-control binomial process — above it the
over-dispersion is clear, not noise. The chart always says which one it used and the σ_z found.
A lower limit below zero is drawn at zero.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: σ_z above which the binomial limits are judged too narrow and Laney's p′ is used.
LANEY_THRESHOLD = 1.5
#: d2 for moving ranges of two consecutive points.
D2 = 1.128
#: Width of the limits, in sigmas.
SIGMAS = 3.0


@dataclass(frozen=True)
class ControlChart:
    """The plotted points and limits, in percent (as `complaint_rate_pct`), and the method used.

    `points` columns: month, complaints, lots, rate_pct, cl_pct, ucl_pct, lcl_pct, signal
    (True where the month is outside its limits). `method` is "p" or "laney"; `sigma_z` is NaN
    when it cannot be estimated (fewer than two months, or no complaints at all).
    """
    points: pd.DataFrame
    method: str
    centre_pct: float
    sigma_z: float
    threshold: float = LANEY_THRESHOLD

    @property
    def signals(self) -> int:
        return int(self.points["signal"].sum()) if not self.points.empty else 0


def complaint_rate_control(months: pd.Series, complaints: pd.Series, lots: pd.Series,
                           rate_pct: pd.Series, *, threshold: float = LANEY_THRESHOLD) -> ControlChart:
    """p-chart or Laney p′ chart of the complaint rate, from the monthly numerators and denominators.

    `complaints`, `lots` and `rate_pct` are the company `complaint_rate_pct` rows of the long KPI
    table (numerator, denominator, value), aligned with `months`. Months with no delivered lot
    have no rate (kpis.md: a zero denominator has no value) and are not plotted.
    """
    frame = pd.DataFrame({
        "month": pd.Series(months, dtype=object).to_numpy(),
        "complaints": pd.to_numeric(pd.Series(complaints), errors="coerce").to_numpy(dtype="float64"),
        "lots": pd.to_numeric(pd.Series(lots), errors="coerce").to_numpy(dtype="float64"),
        "rate_pct": pd.to_numeric(pd.Series(rate_pct), errors="coerce").to_numpy(dtype="float64"),
    })
    frame = frame[(frame["lots"] > 0) & frame["complaints"].notna() & frame["rate_pct"].notna()]
    frame = frame.reset_index(drop=True)
    if frame.empty:
        empty = frame.assign(cl_pct=np.nan, ucl_pct=np.nan, lcl_pct=np.nan, signal=False)
        return ControlChart(empty, "p", math.nan, math.nan, threshold)

    p_bar = frame["complaints"].sum() / frame["lots"].sum()
    variance = p_bar * (1.0 - p_bar)
    if not 0.0 < p_bar < 1.0 or variance <= 0:
        # No complaint at all (or more complaints than lots): no binomial spread to draw.
        flat = frame.assign(cl_pct=p_bar * 100.0, ucl_pct=np.nan, lcl_pct=np.nan, signal=False)
        return ControlChart(flat, "p", p_bar * 100.0, math.nan, threshold)

    sigma_i = np.sqrt(variance / frame["lots"].to_numpy())
    p_i = frame["rate_pct"].to_numpy() / 100.0
    z = (p_i - p_bar) / sigma_i
    moving_ranges = np.abs(np.diff(z))
    sigma_z = float(moving_ranges.mean() / D2) if moving_ranges.size else math.nan
    method = "laney" if (not math.isnan(sigma_z) and sigma_z > threshold) else "p"
    spread = SIGMAS * sigma_i * (sigma_z if method == "laney" else 1.0)
    ucl = p_bar + spread
    lcl = np.maximum(p_bar - spread, 0.0)
    signal = (p_i > ucl) | ((p_i < lcl) & (lcl > 0))
    points = frame.assign(cl_pct=p_bar * 100.0, ucl_pct=ucl * 100.0, lcl_pct=lcl * 100.0,
                          signal=signal)
    return ControlChart(points, method, p_bar * 100.0, sigma_z, threshold)
