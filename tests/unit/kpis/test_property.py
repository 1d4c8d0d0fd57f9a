"""Customer property KPIs (kpis.md "Customer property"; seed 000 §4.1.3: loss, damage or
unsuitability must be reported to the customer).

Period 2026-10, as_of 2026-10-31.

  no  customer  kind       status      registered  event       reported    counts as
  P1  C1        tooling    lost        2026-01-10  2026-10-05  —           Oct incident, not reported
  P2  C1        equipment  damaged     2026-01-10  2026-10-12  2026-10-13  Oct incident, reported
  P8  C1        tooling    lost        2026-03-01  2026-08-10  —           Aug incident, never reported
  P3  C2        material   in_use      2026-02-01  —           —           no incident
  P4  C2        document   unsuitable  2026-02-01  2026-09-20  2026-09-25  Sep incident, reported
  P5  C2        tooling    returned    2026-02-01  —           —           no incident
  P6  C3        material   damaged     2026-05-01  2026-11-03  2026-11-04  November: outside the window
  P7  C3        material   in_use      2026-11-01  —           —           registered after as_of
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pipeline.kpis.base import LONG_COLUMNS
from pipeline.kpis.property import property_by_customer, property_kpis

from .conftest import context_for, register_frame

REGISTER = register_frame("customer_property", [
    {"property_no": no, "customer_code": cust, "kind": kind, "status": status,
     "registered_date": reg, "event_date": event, "reported_date": reported, "name": f"item {no}"}
    for no, cust, kind, status, reg, event, reported in [
        ("P1", "C1", "tooling", "lost", "2026-01-10", "2026-10-05", None),
        ("P2", "C1", "equipment", "damaged", "2026-01-10", "2026-10-12", "2026-10-13"),
        ("P3", "C2", "material", "in_use", "2026-02-01", None, None),
        ("P4", "C2", "document", "unsuitable", "2026-02-01", "2026-09-20", "2026-09-25"),
        ("P5", "C2", "tooling", "returned", "2026-02-01", None, None),
        ("P6", "C3", "material", "damaged", "2026-05-01", "2026-11-03", "2026-11-04"),
        ("P7", "C3", "material", "in_use", "2026-11-01", None, None),
        ("P8", "C1", "tooling", "lost", "2026-03-01", "2026-08-10", None),
    ]])


def row(long, kpi, period):
    found = long[(long.kpi == kpi) & (long.period == period)]
    assert len(found) == 1
    return found.iloc[0]


@pytest.mark.parametrize("period, incidents, reported, pct", [
    # October: P1 lost (not reported) + P2 damaged (reported) -> 1 / 2 × 100 = 50
    ("2026-10", 2, 1, 50.0),
    # September: P4 unsuitable, reported -> 100
    ("2026-09", 1, 1, 100.0),
    # August: the lost tool P8, never reported -> an incident, 0 / 1 = 0 %
    ("2026-08", 1, 0, 0.0),
    # July: no incident -> 0 incidents, no value
    ("2026-07", 0, 0, np.nan),
])
def test_property_kpis(period, incidents, reported, pct):
    long = property_kpis({"customer_property": REGISTER}, context_for("2026-10"))
    assert row(long, "property_incidents", period)["value"] == incidents
    r = row(long, "property_reported_pct", period)
    assert (r["numerator"], r["denominator"]) == (reported, incidents)
    assert (np.isnan(r["value"]) if np.isnan(pct) else r["value"] == pct)


def test_shape_and_absent_register():
    long = property_kpis({"customer_property": REGISTER}, context_for("2026-10"))
    assert tuple(long.columns) == LONG_COLUMNS and len(long) == 2 * 12
    assert set(long.scope) == {"company"}
    assert property_kpis({}, context_for("2026-10")).empty
    assert property_by_customer({}, context_for("2026-10")).empty


def test_property_by_customer():
    items = property_by_customer({"customer_property": REGISTER}, context_for("2026-10"))
    # P7 (registered 11-01) is not listed; sorted by customer then property number
    assert items["property_no"].tolist() == ["P1", "P2", "P8", "P3", "P4", "P5", "P6"]
    got = items.set_index("property_no")
    # P6 was damaged on 11-03, after as_of: still in use on 10-31
    assert got["status_at_as_of"].to_dict() == {
        "P1": "lost", "P2": "damaged", "P8": "lost", "P3": "in_use", "P4": "unsuitable",
        "P5": "returned", "P6": "in_use"}
    told = got["customer_told"]
    assert (told["P1"], told["P2"], told["P8"], told["P4"]) == (False, True, False, True)
    assert told[["P3", "P5", "P6"]].isna().all()
    # event -> report: P2 10-12 -> 10-13 = 1 day; P4 09-20 -> 09-25 = 5 days
    assert (got.loc["P2", "days_to_report"], got.loc["P4", "days_to_report"]) == (1, 5)
    assert pd.isna(got.loc["P1", "days_to_report"]) and pd.isna(got.loc["P6", "days_to_report"])
    assert {"_file", "_sheet", "_row", "customer_key"} <= set(items.columns)
