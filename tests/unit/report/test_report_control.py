"""p-chart and Laney p′ of the monthly complaint rate (pipeline/report/control.py), worked by hand."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from pipeline.report.control import LANEY_THRESHOLD, complaint_rate_control

MONTHS = ["2026-07", "2026-08", "2026-09", "2026-10"]


def chart(complaints, lots, months=MONTHS):
    rate = [c / n * 100 if n else float("nan") for c, n in zip(complaints, lots)]
    return complaint_rate_control(pd.Series(months), pd.Series(complaints, dtype="float64"),
                                  pd.Series(lots, dtype="float64"), pd.Series(rate))


def test_binomial_spread_gives_a_p_chart():
    # p̄ = (2+1+3+6) / 400 = 0.03; σ_i = √(0.03·0.97/100) = √0.000291 = 0.0170587
    # z = -0.01/σ, -0.02/σ, 0, +0.03/σ = -0.586212, -1.172424, 0, 1.758636
    # moving ranges 0.586212, 1.172424, 1.758636 → mean 1.172424 → σz = 1.172424/1.128 = 1.039383
    # σz ≤ 1.5: p-chart. UCL = 0.03 + 3·0.0170587 = 0.0811762 → 8.11762 %; LCL = max(0, 0.03-0.0511762) = 0
    c = chart([2, 1, 3, 6], [100, 100, 100, 100])
    assert c.method == "p"
    assert c.centre_pct == pytest.approx(3.0)
    assert c.sigma_z == pytest.approx(1.039383, rel=1e-5)
    assert c.points["ucl_pct"].tolist() == pytest.approx([8.11762] * 4, rel=1e-5)
    assert c.points["lcl_pct"].tolist() == [0.0] * 4
    assert c.signals == 0


def test_over_dispersion_switches_to_laney():
    # 10 000 lots a month, complaints 10, 40, 10, 40: p̄ = 100/40 000 = 0.0025
    # σ_i = √(0.0025·0.9975/10 000) = √2.49375e-7 = 4.99375e-4
    # z = ∓0.0015/σ = ∓3.003755; moving ranges 6.007510 (×3) → σz = 6.007510/1.128 = 5.325807 > 1.5
    # Laney: UCL = 0.0025 + 3·4.99375e-4·5.325807 = 0.0025 + 0.0079787 = 0.0104787 → 1.04787 %
    c = chart([10, 40, 10, 40], [10_000] * 4)
    assert c.method == "laney"
    assert c.sigma_z == pytest.approx(5.325807, rel=1e-5)
    assert c.points["ucl_pct"].tolist() == pytest.approx([1.04787] * 4, rel=1e-4)
    # binomial limits (UCL 0.0025 + 3·4.99375e-4 = 0.3998 %) would flag 0.4 % twice; p′ flags nothing
    assert c.signals == 0


def test_a_month_outside_its_limits_is_a_signal():
    # 1, 1, 1, 9 complaints on 200 lots each: p̄ = 12/800 = 0.015; σ_i = √(0.015·0.985/200) = √7.3875e-5
    # = 0.00859506; UCL = 0.015 + 3σ = 0.0407852 → 4.07852 %; October 9/200 = 4.5 % is above it.
    # z = (0.005-0.015)/σ = -1.163459 (×3), (0.045-0.015)/σ = 3.490378; moving ranges 0, 0, 4.653837
    # → mean 1.551279 → σz = 1.551279/1.128 = 1.375247 ≤ 1.5: p-chart
    c = chart([1, 1, 1, 9], [200] * 4)
    assert c.method == "p"
    assert c.sigma_z == pytest.approx(1.375247, rel=1e-5)
    assert c.points["ucl_pct"].iloc[0] == pytest.approx(4.07852, rel=1e-5)
    assert c.points["signal"].tolist() == [False, False, False, True]


def test_each_month_has_its_own_limits_from_its_lots():
    # p̄ = 6/400 = 0.015; σ(100) = √(0.015·0.985/100) = 0.0121552 → UCL 5.14657 %;
    # σ(300) = 0.0070178 → UCL 3.60535 %
    c = chart([2, 4], [100, 300], months=MONTHS[:2])
    assert c.points["ucl_pct"].tolist() == pytest.approx([5.14657, 3.60535], rel=1e-5)


@pytest.mark.parametrize("complaints, lots, expected_points", [
    ([0, 0, 0, 0], [100, 100, 100, 100], 4),       # no complaint at all: points, no limits
    ([1, 2, 0, 0], [100, 100, 0, 0], 2),           # months without lots have no rate: not plotted
])
def test_degenerate_months(complaints, lots, expected_points):
    c = chart(complaints, lots)
    assert len(c.points) == expected_points
    if sum(complaints) == 0:
        assert c.points["ucl_pct"].isna().all() and math.isnan(c.sigma_z)


def test_threshold_is_documented_value():
    assert LANEY_THRESHOLD == 1.5
