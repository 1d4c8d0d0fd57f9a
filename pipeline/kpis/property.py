"""Customer property — 顾客财产 (seed 000 §4.1; kpis.md "Customer property").

Seed 000 §4.1.2–4.1.3: material, tooling, instruments and documents the customer provides are
registered with the customer's code and a property number and looked after; when any of it is
lost, damaged or found unsuitable (遗失、损坏或不适用), the customer must be told and the event
recorded. The KPIs count those events and how many the customer was told about.
"""
from __future__ import annotations

from typing import Mapping

import pandas as pd

from pipeline.kpis.base import KpiContext, empty_long, long_frame, month_label, monthly_counts, ratio_pct
from pipeline.registers import CUSTOMER_PROPERTY

__all__ = ["property_kpis", "property_incidents", "property_reported_pct", "property_by_customer",
           "INCIDENT_STATUSES"]

# 遗失 / 损坏 / 不适用: the statuses the seed requires reporting to the customer
INCIDENT_STATUSES: tuple[str, ...] = ("lost", "damaged", "unsuitable")

BY_CUSTOMER_COLUMNS = ("customer_key", "customer_name", "property_no", "name", "kind",
                       "registered_date", "status", "status_at_as_of", "event_date", "reported_date",
                       "customer_told", "days_to_report", "_file", "_sheet", "_row")


def property_kpis(registers: Mapping[str, pd.DataFrame], ctx: KpiContext) -> pd.DataFrame:
    """Every customer-property KPI for every month of the window, in the long shape.

    No customer property register among the inputs: no rows at all, never zeros.
    """
    register = registers.get(CUSTOMER_PROPERTY.name)
    if register is None:
        return empty_long()
    return pd.concat([property_incidents(register, ctx), property_reported_pct(register, ctx)],
                     ignore_index=True)


def property_incidents(register: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """`property_incidents(M)`: items lost, damaged or found unsuitable with `event_date` in M
    (kpis.md), company scope, 0 where none."""
    return monthly_counts("property_incidents", _incident_months(register), list(ctx.months))


def property_reported_pct(register: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """`property_reported_pct(M)`: of the incidents of M, the share with a `reported_date` (the seed
    requires every such event to be reported to the customer), over incidents of M (kpis.md).
    No incident in M: no value.
    """
    window = list(ctx.months)
    months = _incident_months(register)
    incidents = months.value_counts().reindex(window, fill_value=0)
    reported = months[register["reported_date"].notna()].value_counts().reindex(window, fill_value=0)
    return long_frame(period=window, kpi="property_reported_pct", scope="company",
                      value=ratio_pct(reported, incidents), numerator=reported.to_numpy(),
                      denominator=incidents.to_numpy())


def property_by_customer(registers: Mapping[str, pd.DataFrame], ctx: KpiContext) -> pd.DataFrame:
    """The customer property list of the pack: every item registered by `as_of`, per customer, with
    its status at `as_of`, every loss, damage or unsuitability and whether and when the customer
    was told (kpis.md: "The pack lists property per customer with its status at as_of").

    - An item registered after `as_of` is not listed yet.
    - `status_at_as_of`: the recorded status, except that an item whose loss/damage/unsuitability
      happened after `as_of` was still `in_use` then.
    - `customer_told`: for an incident on or before `as_of`, whether `reported_date` is on or before
      `as_of`; empty for other items. `days_to_report`: calendar days from the event to the report
      (as recorded), for those incidents.
    Sorted by customer and property number.
    """
    register = registers.get(CUSTOMER_PROPERTY.name)
    if register is None:
        return pd.DataFrame(columns=list(BY_CUSTOMER_COLUMNS))
    as_of = pd.Timestamp(ctx.as_of)
    items = register[~(register["registered_date"] > as_of)]
    incident = items["status"].isin(INCIDENT_STATUSES)
    happened = incident & (items["event_date"] <= as_of)
    told = pd.Series(pd.array(items["reported_date"] <= as_of, dtype="boolean"), index=items.index)
    items = items.assign(
        status_at_as_of=items["status"].where(~incident | happened, "in_use"),
        customer_told=told.where(happened, pd.NA),
        days_to_report=pd.array(
            (items["reported_date"].dt.normalize() - items["event_date"].dt.normalize()).dt.days
            .where(happened), dtype="Int64"),
    )
    items = items.sort_values(["customer_key", "property_no"], kind="stable")
    return items.reindex(columns=list(BY_CUSTOMER_COLUMNS)).reset_index(drop=True)


def _incident_months(register: pd.DataFrame) -> pd.Series:
    """The event month of each lost / damaged / unsuitable item (None for other items)."""
    return month_label(register["event_date"]).where(register["status"].isin(INCIDENT_STATUSES), None)
