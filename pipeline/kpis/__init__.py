"""The KPIs of a run: every area's long rows, then targets and status, then the fixed order.

    registers + KpiContext
      → delivery_kpis, complaint_kpis, scorecard_kpis, survey_kpis, feedback_kpis, visit_kpis,
        service_kpis, property_kpis, audit_kpis        (one module per area, pure functions)
      → apply_targets                                   (targets.py)
      → sort_long                                       (long.py; the CSV writer lives there too)
"""
from __future__ import annotations

import importlib
from typing import Callable, Mapping

import pandas as pd

from pipeline.kpis.base import KpiContext, LONG_COLUMNS, empty_long
from pipeline.kpis.complaints import complaint_kpis
from pipeline.kpis.delivery import delivery_kpis
from pipeline.kpis.long import sort_long
from pipeline.kpis.targets import apply_targets

__all__ = ["AREA_MODULES", "compute_kpis"]

# (module under pipeline.kpis, function) of the further areas, in the order they are computed.
AREA_MODULES: tuple[tuple[str, str], ...] = (
    ("scorecard", "scorecard_kpis"),
    ("survey", "survey_kpis"),
    ("feedback", "feedback_kpis"),
    ("visits", "visit_kpis"),
    ("service", "service_kpis"),
    ("property", "property_kpis"),
    ("audits", "audit_kpis"),
)

KpiFunction = Callable[[Mapping[str, pd.DataFrame], KpiContext], pd.DataFrame]


def _area_functions() -> list[KpiFunction]:
    """delivery and complaints, then every further area module that exists.

    A module that is not there (yet) is skipped; any other import problem — a module that
    exists but fails to import, or lacks its function — is a bug and is raised.
    """
    functions: list[KpiFunction] = [delivery_kpis, complaint_kpis]
    for module_name, function_name in AREA_MODULES:
        qualified = f"{__name__}.{module_name}"
        try:
            module = importlib.import_module(qualified)
        except ModuleNotFoundError as exc:
            if exc.name == qualified:
                continue
            raise
        functions.append(getattr(module, function_name))
    return functions


def compute_kpis(registers: Mapping[str, pd.DataFrame], ctx: KpiContext) -> pd.DataFrame:
    """Every KPI of the run in the long shape (outputs.md `kpis_long.csv`), with target and
    status (kpis.md "Targets and status"), sorted by period, kpi, scope, key."""
    parts = [frame for frame in (fn(registers, ctx) for fn in _area_functions()) if not frame.empty]
    long = pd.concat(parts, ignore_index=True) if parts else empty_long()
    long = long[list(LONG_COLUMNS)]
    return sort_long(apply_targets(long, registers, ctx.settings))
