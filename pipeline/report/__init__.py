"""The management review pack: `kpi_pack_<PERIOD>.xlsx`, `review_pack_<PERIOD>.pdf`, `charts/*.png`.

Everything shown is drawn from the run's long KPI table (the same numbers as `kpis_long.csv`) and
from bounded detail lists of the KPI modules; the pack never recomputes a KPI.

    from pipeline.report import RunInfo, build_pack
    paths = build_pack(out_dir, kpis, registers, ctx, run, previous_kpis)

`build_pack` lives in `pipeline/report/pack.py` and is imported lazily, so that importing
`RunInfo` does not load matplotlib.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

__all__ = ["RunInfo", "build_pack"]


@dataclass(frozen=True)
class RunInfo:
    """What the pack says about the run itself (cover page, summary sheet, footers)."""
    company: str
    period: str                 # "YYYY-MM"
    as_of: date
    generated_at: datetime
    language: str               # "zh" | "en"
    rows_read: int
    rows_used: int
    rows_rejected: int
    files_read: int
    files_failed: int
    files_skipped: int


def __getattr__(name: str) -> Any:
    if name == "build_pack":
        from pipeline.report.pack import build_pack
        return build_pack
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
