"""Targets and status, kpis.md "Targets and status".

"These KPIs get a target and a status (`met`, `missed`, or `no_data` when there is no value), at
every scope they are given at: `otd_pct` ← `targets.otd_pct`; `ppm` ← the customer's
`ppm_target`, else `targets.ppm` (company: `targets.ppm`); `complaint_rate_pct`,
`response_on_time_pct`, `d8_on_time_pct`, `survey_return_rate_pct`, `feedback_filed_on_time_pct`,
`visit_report_on_time_pct`, `service_on_time_pct`, `service_satisfaction_pct`,
`property_reported_pct`, `audit_actions_on_time_pct` ← the target of the same name;
`survey_score` ← `targets.satisfaction`; `scorecard_final`, `scorecard_annual` ←
`targets.scorecard`. Lower is better for `ppm` and `complaint_rate_pct`; higher for the rest.
Equal to the target is `met`."
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd

from pipeline.settings import EDGE_REL_TOL, Settings

__all__ = ["LOWER_IS_BETTER", "TARGET_OF", "apply_targets", "customer_ppm_targets"]

# kpi -> the `[targets]` setting it is held to
TARGET_OF: Mapping[str, str] = MappingProxyType({
    "otd_pct": "otd_pct",
    "ppm": "ppm",
    "complaint_rate_pct": "complaint_rate_pct",
    "response_on_time_pct": "response_on_time_pct",
    "d8_on_time_pct": "d8_on_time_pct",
    "survey_return_rate_pct": "survey_return_rate_pct",
    "feedback_filed_on_time_pct": "feedback_filed_on_time_pct",
    "visit_report_on_time_pct": "visit_report_on_time_pct",
    "service_on_time_pct": "service_on_time_pct",
    "service_satisfaction_pct": "service_satisfaction_pct",
    "property_reported_pct": "property_reported_pct",
    "audit_actions_on_time_pct": "audit_actions_on_time_pct",
    "survey_score": "satisfaction",
    "scorecard_final": "scorecard",
    "scorecard_annual": "scorecard",
})
LOWER_IS_BETTER = frozenset({"ppm", "complaint_rate_pct"})

# A ratio such as 57/60 × 100 may land a hair off the target in binary floating point; "equal to
# the target is met" must not depend on that: the same "equal" as at a grade's edge.
_REL_TOL = EDGE_REL_TOL


def customer_ppm_targets(registers: Mapping[str, pd.DataFrame]) -> pd.Series:
    """The customer master's `ppm_target` by customer code (customers without one left out)."""
    master = registers.get("customers")
    if master is None or "ppm_target" not in master:
        return pd.Series(dtype="float64")
    targets = master[["customer_code", "ppm_target"]].dropna()
    return (targets.drop_duplicates("customer_code", keep="last")
            .set_index("customer_code")["ppm_target"].astype("float64"))


def apply_targets(long: pd.DataFrame, registers: Mapping[str, pd.DataFrame], settings: Settings) -> pd.DataFrame:
    """`long` with `target` and `status` filled in for the KPIs kpis.md gives a target, at every
    scope (other rows keep theirs). `ppm` at customer scope uses the master's `ppm_target` of that
    customer (its key is the customer code when linked to the master), else `targets.ppm`; at any
    other scope `targets.ppm`. Status: `no_data` without a value; else `met` when the value is
    at least the target (at most, for ppm and complaint_rate_pct), `missed` otherwise.
    """
    kpi = long["kpi"]
    targeted = kpi.isin(list(TARGET_OF))
    defaults = {k: float(getattr(settings.targets, name)) for k, name in TARGET_OF.items()}
    # each distinct KPI looked up once, spread back by position (a dict lookup per row costs)
    which, kpis = pd.factorize(kpi)                                  # a missing kpi: -1
    per_kpi = np.array([defaults.get(k, np.nan) for k in kpis] + [np.nan], dtype="float64")
    target = pd.Series(per_kpi[which], index=long.index)

    by_customer = customer_ppm_targets(registers)
    if not by_customer.empty:
        is_customer_ppm = (kpi == "ppm") & (long["scope"] == "customer")
        # looked up on the customer ppm rows only, put back by position
        own = np.full(len(long), np.nan)
        own[is_customer_ppm.to_numpy()] = long.loc[is_customer_ppm, "key"].map(by_customer).astype("float64").to_numpy()
        own = pd.Series(own, index=long.index)
        target = target.mask(is_customer_ppm & own.notna(), own)

    value = long["value"].astype("float64")
    tol = _REL_TOL * np.maximum(1.0, target.abs())
    lower = kpi.isin(list(LOWER_IS_BETTER))
    met = np.where(lower, value <= target + tol, value >= target - tol)
    # the status as a number, then its text by position (not a text column built row by row)
    status = pd.array(["no_data", "met", "missed"], dtype="str").take(np.select([value.isna(), met], [0, 1], 2))

    return long.assign(
        target=target.where(targeted, long["target"]),
        status=pd.Series(status, index=long.index).where(targeted, long["status"]),
    )
