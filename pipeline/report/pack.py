"""The pack's entry point: `build_pack` writes the workbook, the PNG charts and the PDF.

    build_pack(out_dir, kpis, registers, ctx, run, previous_kpis) -> [xlsx, pdf, charts/*.png]

Reads nothing from disk and touches only `out_dir` (the run's temporary folder, moved into place
by `pipeline/run.py` when everything succeeded). Everything shown comes from the long KPI table
`kpis` (the same numbers as kpis_long.csv) and from the KPI modules' detail lists.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Mapping

import pandas as pd

from pipeline.kpis.long import restore_long_text
from pipeline.report import RunInfo
from pipeline.report import details as d

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.kpis.base import KpiContext

__all__ = ["build_pack", "pack_data", "workbook_name", "pdf_name", "CHARTS_FOLDER"]

CHARTS_FOLDER = "charts"


def workbook_name(period: str) -> str:
    return f"kpi_pack_{period}.xlsx"


def pdf_name(period: str) -> str:
    return f"review_pack_{period}.pdf"


def survey_grades(ctx: "KpiContext") -> tuple[tuple[str, str], ...]:
    """The survey grades of the settings in force, best first, as (English, Chinese) labels."""
    survey = getattr(ctx.settings, "survey", None)
    bands = getattr(survey, "bands", None) if survey is not None else None
    if not bands:
        from pipeline.settings import grade_bands
        bands = grade_bands("95-85-70-50")
    return tuple((band.label_en, band.label_zh) for band in bands)


def pack_data(kpis: pd.DataFrame, registers: Mapping[str, pd.DataFrame], ctx: "KpiContext", run: RunInfo,
              previous_kpis: pd.DataFrame | None = None,
              details: Mapping[str, pd.DataFrame | None] | None = None) -> d.PackData:
    """Everything the renderers draw, shaped once. `details` defaults to the KPI modules' lists
    (`details.collect_details`); tests pass hand-made ones."""
    lists = dict(details) if details is not None else d.collect_details(registers, ctx)
    if "complaint_parts" not in lists:
        lists["complaint_parts"] = d.complaints_by_part(registers.get("complaints"), ctx.months, ctx.period)
    return d.PackData(
        run=run,
        kpis=d.normalise_long(kpis),
        present=frozenset(registers),
        names=d.customer_names(registers),
        details=lists,
        # the previous run's kpis_long.csv holds keys as written there, OWASP quote and all
        previous_kpis=d.normalise_long(restore_long_text(previous_kpis)) if previous_kpis is not None else None,
        grades=survey_grades(ctx),
        ppm_targets=d.customer_ppm_targets(registers),
    )


def build_pack(out_dir: Path, kpis: pd.DataFrame, registers: dict[str, pd.DataFrame], ctx: "KpiContext",
               run: RunInfo, previous_kpis: pd.DataFrame | None = None,
               seconds: dict | None = None) -> list[Path]:
    """Write `kpi_pack_<P>.xlsx`, `charts/*.png` and `review_pack_<P>.pdf` into `out_dir`; return
    their paths (workbook, PDF, then the charts). `seconds` receives each writer's wall and CPU time."""
    data = pack_data(kpis, registers, ctx, run, previous_kpis)
    return write_pack(Path(out_dir), data, seconds)


def write_pack(out_dir: Path, data: d.PackData, seconds: dict | None = None) -> list[Path]:
    """Render an already shaped pack (the part of `build_pack` that writes files): the workbook,
    the PNGs and the PDF side by side where the machine allows (`pipeline.parallel`)."""
    from pipeline.parallel import run_jobs

    workbook, pngs, pdf = run_jobs(pack_jobs(Path(out_dir), data), seconds=seconds)
    return [workbook, pdf, *pngs]


def pack_jobs(out_dir: Path, data: d.PackData) -> list:
    """The pack's three independent writers as jobs (`pipeline.parallel.Job`), in the order
    workbook, PNGs, PDF; each returns what it wrote."""
    from pipeline.parallel import Job
    from pipeline.report.charts import write_pngs
    from pipeline.report.pdf import write_pdf
    from pipeline.report.workbook import write_workbook

    out_dir.mkdir(parents=True, exist_ok=True)
    # The workbook takes longest on large inputs (a row per customer and KPI); the charts and the
    # PDF together take about as long, so on two cores they yield to it and all end together.
    return [Job("workbook", write_workbook, (out_dir / workbook_name(data.period), data)),
            Job("charts", write_pngs, (data, out_dir / CHARTS_FOLDER), nice=5),
            Job("PDF", write_pdf, (out_dir / pdf_name(data.period), data), nice=5)]
