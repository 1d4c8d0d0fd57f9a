"""`kpi_pack_<PERIOD>.xlsx`: the analyst's workbook, written with xlsxwriter.

Sheets, in order: summary (every company KPI at P with target, status, vs previous period and vs
the 12-month mean), actions, then one sheet per area by customer and month over the 12-month
window, each followed by its detail lists (late lots, open complaints with age, repeat complaints,
the scorecard traced back to the rows that cost points, …), the Pareto tables, and what changed
since the previous run.

House rules (XlsxWriter's own habits): formats are declared once by role (`formats.py`); every
text from the inputs goes through `write_string` (a customer called `=HYPERLINK(...)` stays
text); no NaN ever reaches `write_number` — a missing value is written as "—"; header rows are
frozen and filtered; column widths count Chinese characters as two; every sheet prints landscape
on A4, fitted to the page width, header rows repeated, company and period in the page header.
"""
from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from pipeline.i18n import t
from pipeline.report import details as d
from pipeline.report.fonts import workbook_font
from pipeline.report.formats import (AREAS, CELL_ROLES, DELTA_FORMATS, HIGHLIGHTS, NO_VALUE, NUMBER_FORMATS,
                                     SERIES, STATUS_COLOURS, TARGET, TARGET_SETTINGS, VOCAB_COLUMNS, column_label,
                                     column_width, display_width, excel_sheet_name, format_number, format_value,
                                     is_missing, kpi_label, kpi_spec, number_widths, scope_key_label,
                                     status_label, vocab_label, widest_line_width)

#: A detail list longer than this is cut (the sheet says so): the pack holds bounded lists.
MAX_LIST_ROWS = 5000
#: Rows of "what changed" written at most.
MAX_CHANGE_ROWS = 5000

#: Which detail lists follow each area's sheet, and the columns they show first (when present).
AREA_LISTS: Mapping[str, tuple[str, ...]] = {
    "delivery": ("late_lots",),
    "complaints": ("open_complaints", "repeat_links"),
    "scorecard": ("scorecard_reconciliation", "scorecard_points"),
    "satisfaction": ("survey_customers",),
    "feedback": ("feedback_open", "feedback_summary"),
    "visits": ("late_visit_reports",),
    "service": ("three_guarantees",),
    "property": ("property_by_customer",),
    "audits": ("overdue_audit_actions",),
}
PREFERRED_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "late_lots": ("month", "customer_key", "customer_name", "order_no", "lot_no", "part_no", "plant",
                  "due_date", "delivered_date", "qty_due", "qty_delivered", "reason", "days_late",
                  "qty_short"),
    "open_complaints": ("complaint_no", "customer_key", "customer_name", "received_date", "age_days",
                        "age_band", "category", "severity", "part_no", "lot_no", "description", "defect_qty",
                        "responsible_dept", "first_response_at", "response_status", "report_8d_at",
                        "d8_deadline", "d8_status"),
    "repeat_links": ("month", "complaint_no", "received_date", "customer_key", "customer_name", "part_no",
                     "defect_code", "description", "repeats_complaint_no", "repeats_received_date",
                     "matched_on", "repeats_defect_code", "repeats_description"),
    "scorecard_reconciliation": ("customer_key", "customer_name", "month", "internal", "customer_score",
                                 "difference", "d", "q", "o"),
    "scorecard_points": ("customer_key", "customer_name", "month", "component", "cause", "points", "date",
                         "reference"),
    "survey_customers": ("round", "customer_key", "customer_name", "rows", "returned", "return_rate_pct",
                         "score", "grade", "small_sample", "ci_low", "ci_high"),
    "feedback_open": ("feedback_no", "customer_key", "customer_name", "feedback_date", "category", "subject",
                      "handler", "dept", "filed_date", "file_deadline", "filing_status", "age_days"),
    "feedback_summary": ("month", "category", "received", "filed_on_time", "filed_late", "filing_pending",
                         "completed", "still_open"),
    "late_visit_reports": ("visit_date", "customer_key", "customer_name", "visitor", "report_date",
                           "report_deadline", "working_days_to_report", "findings"),
    "three_guarantees": ("month", "warranty_repair", "warranty_replace", "warranty_return", "total"),
    "property_by_customer": (),
    "overdue_audit_actions": (),
}
PROVENANCE = ("_file", "_sheet", "_row")
SUMMARY_HEADER_ROW = 5


def write_workbook(path: Path, data: d.PackData) -> Path:
    """Write the KPI workbook for `data` to `path` and return the path."""
    book = _Book(path, data)
    book.summary_sheet()
    book.actions_sheet()
    for area in AREAS:
        book.area_sheet(area)
        for name in AREA_LISTS.get(area, ()):
            if data.area_present(area):
                book.list_sheet(name)
        if area == "complaints":
            book.pareto_sheet()
    book.changes_sheet()
    book.close()
    return path


# --- the workbook ------------------------------------------------------------------------------

class _Book:
    def __init__(self, path: Path, data: d.PackData) -> None:
        self.data = data
        self.lang = data.run.language
        self.names = {str(k): str(v) for k, v in data.names.items()}
        self.wb = xlsxwriter.Workbook(str(path), {
            "strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": True,
            "remove_timezone": True, "default_format_properties": workbook_font(self.lang)})
        run = data.run
        self.wb.set_properties({
            "title": self.tx("report.workbook_title"), "subject": f"{run.company} {run.period}",
            "company": run.company, "created": run.generated_at,
            "comments": t("report.data_quality", self.lang, read=run.rows_read, used=run.rows_used,
                          rejected=run.rows_rejected, files_read=run.files_read,
                          files_failed=run.files_failed, files_skipped=run.files_skipped)})
        self._formats: dict[tuple, Any] = {}
        self._sheet_names: set[str] = set()
        self._labels: dict[tuple, str] = {}

    def tx(self, key: str, **fields: Any) -> str:
        return t(key, self.lang, **fields)

    # labels repeated on every row of a sheet, looked up once each
    def kpi_name(self, kpi: str) -> str:
        key = ("kpi", kpi)
        if key not in self._labels:
            self._labels[key] = kpi_label(kpi, self.lang)
        return self._labels[key]

    def scope_name(self, scope: str) -> str:
        key = ("scope", scope)
        if key not in self._labels:
            self._labels[key] = self.tx(f"report.scope.{scope}") if scope in _SCOPES else scope
        return self._labels[key]

    def vocab(self, column: str, value: str) -> str:
        key = ("vocab", column, value)
        if key not in self._labels:
            self._labels[key] = vocab_label(column, value, self.lang)
        return self._labels[key]

    # formats, declared by role in formats.py and combined here on demand (cached)
    def fmt(self, role: str = "text", *, num: str | None = None, bold: bool = False,
            status: str | None = None, align: str | None = None, ink: str | None = None) -> Any:
        key = (role, num, bold, status, align, ink)
        if key not in self._formats:
            props = dict(CELL_ROLES.get(role, {}))
            if num:
                props["num_format"] = num
            if bold:
                props["bold"] = True
            if status in STATUS_COLOURS:
                props["font_color"], props["bg_color"] = STATUS_COLOURS[status]
            if align:
                props["align"] = align
            if ink:
                props["font_color"] = ink
            self._formats[key] = self.wb.add_format(props)
        return self._formats[key]

    def highlight(self, status: str) -> Any:
        key = ("dxf", status)
        if key not in self._formats:
            self._formats[key] = self.wb.add_format(dict(HIGHLIGHTS[status]))
        return self._formats[key]

    def sheet(self, key: str) -> "_Sheet":
        name = excel_sheet_name(self.tx(f"report.sheet.{key}"))
        base, n = name, 2
        while name.lower() in self._sheet_names:
            name = f"{base[:28]} {n}"
            n += 1
        self._sheet_names.add(name.lower())
        return _Sheet(self, self.wb.add_worksheet(name))

    def close(self) -> None:
        self.wb.close()

    # --- summary --------------------------------------------------------------------------------
    def summary_sheet(self) -> None:
        data, run = self.data, self.data.run
        sh = self.sheet("summary")
        sh.title(0, t("report.title_line", self.lang, title=self.tx("report.workbook_title"),
                      company=run.company, period=run.period))
        sh.text(1, 0, " · ".join([
            f"{self.tx('report.period')} {run.period}",
            f"{self.tx('report.as_of')} {run.as_of:%Y-%m-%d}",
            f"{self.tx('report.generated_at')} {run.generated_at:%Y-%m-%d %H:%M}"]), role="subtitle", fit=False)
        sh.text(2, 0, _data_quality(run, self.lang), role="subtitle", fit=False)
        sh.text(3, 0, self.tx("report.wb.status_note"), role="note", fit=False)
        summary = d.summary_table(data.kpis, data.period)
        columns = ["area", "kpi", "period", "value", "target", "status", "previous", "delta_previous",
                   "mean_12m", "delta_mean"]
        row0 = SUMMARY_HEADER_ROW
        sh.header(row0, [column_label(c, self.lang) for c in columns])
        r = row0
        for r, rec in enumerate(summary.itertuples(index=False), start=row0 + 1):
            unit = rec.unit
            sh.text(r, 0, self.tx(f"report.area.{rec.area}") if rec.area != "other" else rec.area)
            sh.text(r, 1, self.kpi_name(rec.kpi))
            sh.text(r, 2, rec.period)
            sh.number(r, 3, rec.value, unit)
            sh.target(r, 4, rec.target, unit, rec.kpi)
            sh.text(r, 5, status_label(rec.status, self.lang) if rec.status else "", role="status")
            sh.number(r, 6, rec.previous, unit)
            sh.delta(r, 7, rec.delta_previous, unit, rec.better)
            sh.number(r, 8, rec.mean_12m, "mean_count" if unit == "count" else unit)
            sh.delta(r, 9, rec.delta_mean, unit, rec.better)
        last = max(r, row0 + 1)
        for status in ("met", "missed", "no_data"):
            sh.ws.conditional_format(row0 + 1, 5, last, 5, {
                "type": "cell", "criteria": "equal to", "value": f'"{status_label(status, self.lang)}"',
                "format": self.highlight(status)})
        sh.table_frame(row0, last, len(columns) - 1, freeze_cols=2)
        absent = [a for a in AREAS if not data.area_present(a)]
        row = last + 2
        if absent:
            sh.text(row, 0, self.tx("report.page.absent"), role="section", fit=False)
            for i, area in enumerate(absent, start=1):
                sh.text(row + i, 0, self.tx(f"report.area.{area}"))
                sh.text(row + i, 1, self.tx(f"report.absent.{area}"), fit=False)
        sh.finish()
        sh.ws.activate()

    # --- actions -------------------------------------------------------------------------------
    def actions_sheet(self) -> None:
        data = self.data
        sh = self.sheet("actions")
        sh.title(0, self.tx("report.page.actions"))
        actions = d.actions_table(data.kpis, data.period, data.names)
        if actions.empty:
            judged = data.kpis["status"].isin(["met", "missed"]).any()
            sh.text(1, 0, self.tx("report.actions.none" if judged else "report.actions.nothing_judged"),
                    role="note", fit=False)
            sh.finish()
            return
        sh.text(1, 0, self.tx("report.actions.intro"), role="note", fit=False)
        columns = ["area", "kpi", "scope", "key", "name", "period", "value", "target", "shortfall_pct", "rule"]
        row0 = 3
        sh.header(row0, [column_label(c, self.lang) for c in columns])
        r = row0
        for r, rec in enumerate(actions.itertuples(index=False), start=row0 + 1):
            sh.text(r, 0, self.tx(f"report.area.{rec.area}") if rec.area != "other" else rec.area)
            sh.text(r, 1, self.kpi_name(rec.kpi))
            sh.text(r, 2, self.scope_name(rec.scope))
            sh.text(r, 3, rec.key)
            sh.text(r, 4, _row_name(rec.scope, rec.key, rec.name, self.lang, self.names))
            sh.text(r, 5, rec.period)
            sh.number(r, 6, rec.value, rec.unit, status="missed")
            sh.number(r, 7, rec.target, rec.unit)
            sh.number(r, 8, rec.shortfall_pct, "days")
            sh.text(r, 9, action_rule(rec, self.lang, data.ppm_targets), fit=False)
        sh.ws.set_column(9, 9, 48)
        sh.table_frame(row0, r, len(columns) - 1, freeze_cols=2)
        sh.finish(skip_width={9})

    # --- one sheet per area -----------------------------------------------------------------------
    def area_sheet(self, area: str) -> None:
        data = self.data
        sh = self.sheet(area)
        area_name = self.tx(f"report.area.{area}")
        if not data.area_present(area):
            sh.title(0, area_name)
            sh.text(1, 0, self.tx(f"report.absent.{area}"), role="note", fit=False)
            sh.finish()
            return
        matrix = d.area_matrix(data.kpis, area, data.period, data.names)
        key = "report.wb.matrix_rounds" if area == "satisfaction" else "report.wb.matrix"
        sh.title(0, t(key, self.lang, area=area_name))
        if matrix.empty:
            empty_key = "report.empty_area.scorecard" if area == "scorecard" else "report.empty_area"
            sh.text(1, 0, self.tx(empty_key), role="note", fit=False)
            sh.finish()
            return
        sh.text(1, 0, self.tx("report.wb.status_note"), role="note", fit=False)
        row0 = 3
        periods = list(matrix.values.columns)
        headers = [column_label(c, self.lang) for c in ("kpi", "scope", "key", "name", "target")]
        headers += [_period_header(p, self.lang) for p in periods]
        sh.header(row0, headers)
        heat_rows: list[int] = []
        rows = matrix.rows
        values = matrix.values.to_numpy(dtype="float64")
        finite = np.isfinite(values)
        statuses = matrix.statuses.to_numpy(dtype=object)
        # the rows' descriptions column by column (`itertuples` reads Arrow strings one at a time: slow)
        described = zip(*(rows[c].tolist() for c in ("kpi", "scope", "key", "name", "unit", "target")))
        r = row0
        for i, (kpi, scope, key, name, unit, target) in enumerate(described):
            r = row0 + 1 + i
            company = scope == "company"
            heat = area == "scorecard" and kpi == "scorecard_final" and scope == "customer"
            if heat:
                heat_rows.append(r)
            sh.text(r, 0, self.kpi_name(kpi), bold=company)
            sh.text(r, 1, self.scope_name(scope), bold=company)
            sh.text(r, 2, key)
            sh.text(r, 3, _row_name(scope, key, name, self.lang, self.names))
            sh.target(r, 4, target, unit, kpi)
            sh.number_row(r, 5, values[i].tolist(), finite[i].tolist(),
                          [None] * len(periods) if heat else statuses[i].tolist(), unit, bold=company)
        # the widths `number` would have tracked cell by cell, one matrix column at a time
        sh.track_number_columns(5, values, rows["unit"].tolist())
        last_col = 4 + len(periods)
        target = _first_target(rows, "scorecard_final")
        for hr in heat_rows:
            sh.ws.conditional_format(hr, 5, hr, last_col, {
                "type": "3_color_scale", "min_type": "num", "min_value": max(target - 20, 0),
                "mid_type": "num", "mid_value": target - 5, "max_type": "num", "max_value": 100,
                "min_color": "#F8696B", "mid_color": "#FFEB84", "max_color": "#63BE7B"})
        sh.table_frame(row0, r, last_col, freeze_cols=4)
        chart_col = last_col + 2
        if area == "delivery":
            self._trend_chart(sh, chart_col, "otd_pct", "report.chart.otd_trend", line=True)
        elif area == "complaints":
            self._complaints_chart(sh, chart_col)
        elif area == "scorecard":
            self._trend_chart(sh, chart_col, "scorecard_final", "report.chart.scorecard_trend", line=True)
        sh.finish()

    def _chart_data(self, sh: "_Sheet", col: int, kpis: Sequence[str]) -> tuple[int, int, int]:
        """Write the company monthly series of `kpis` (and the first one's target) as a small
        table the native chart reads: rows = months. Returns (header row, first, last row)."""
        months = list(self.data.months)
        row0 = 3
        sh.text(row0 - 1, col, self.tx("report.chart_data"), role="section", fit=False)
        headers = [column_label("month", self.lang)] + [kpi_label(k, self.lang) for k in kpis]
        headers.append(self.tx("report.chart.target"))
        sh.header(row0, headers, col0=col)
        first = d.company_series(self.data.kpis, kpis[0], months)
        series = [d.company_series(self.data.kpis, k, months) for k in kpis]
        for i, month in enumerate(months):
            r = row0 + 1 + i
            sh.text(r, col, month)
            for j, (k, s) in enumerate(zip(kpis, series)):
                sh.number(r, col + 1 + j, s["value"].iloc[i], kpi_spec(k).unit, blank_missing=True)
            sh.number(r, col + 1 + len(kpis), first["target"].iloc[i], kpi_spec(kpis[0]).unit,
                      blank_missing=True)
        return row0, row0 + 1, row0 + len(months)

    def _trend_chart(self, sh: "_Sheet", col: int, kpi: str, title_key: str, *, line: bool) -> None:
        header, first, last = self._chart_data(sh, col, [kpi])
        name = sh.ws.name
        chart = self.wb.add_chart({"type": "line"})
        chart.add_series({"name": [name, header, col + 1], "categories": [name, first, col, last, col],
                          "values": [name, first, col + 1, last, col + 1],
                          "line": {"color": SERIES, "width": 2.25},
                          "marker": {"type": "circle", "size": 6, "fill": {"color": SERIES},
                                     "border": {"color": SERIES}},
                          "data_labels": {"value": True, "position": "above", "num_format": "0.0"}})
        chart.add_series({"name": [name, header, col + 2], "categories": [name, first, col, last, col],
                          "values": [name, first, col + 2, last, col + 2],
                          "line": {"color": TARGET, "width": 1.5, "dash_type": "dash"}})
        chart.set_title({"name": self.tx(title_key), "name_font": {"size": 12}})
        chart.set_legend({"position": "bottom"})
        chart.set_y_axis({"num_format": NUMBER_FORMATS[kpi_spec(kpi).unit], "major_gridlines": {
            "visible": True, "line": {"color": "#E0E0E0"}}})
        chart.show_blanks_as("gap")
        chart.set_size({"width": 620, "height": 320})
        sh.ws.insert_chart(last + 2, col, chart)

    def _complaints_chart(self, sh: "_Sheet", col: int) -> None:
        header, first, last = self._chart_data(sh, col, ["complaints", "complaint_rate_pct"])
        name = sh.ws.name
        bars = self.wb.add_chart({"type": "column"})
        bars.add_series({"name": [name, header, col + 1], "categories": [name, first, col, last, col],
                         "values": [name, first, col + 1, last, col + 1], "fill": {"color": "#9DC3E6"},
                         "data_labels": {"value": True}})
        rate = self.wb.add_chart({"type": "line"})
        rate.add_series({"name": [name, header, col + 2], "categories": [name, first, col, last, col],
                         "values": [name, first, col + 2, last, col + 2], "y2_axis": True,
                         "line": {"color": SERIES, "width": 2.25}, "marker": {"type": "circle", "size": 5}})
        rate.add_series({"name": [name, header, col + 3], "categories": [name, first, col, last, col],
                         "values": [name, first, col + 3, last, col + 3], "y2_axis": True,
                         "line": {"color": TARGET, "width": 1.5, "dash_type": "dash"}})
        bars.combine(rate)
        bars.set_title({"name": self.tx("report.chart.complaints_trend"), "name_font": {"size": 12}})
        bars.set_legend({"position": "bottom"})
        bars.set_y_axis({"name": self.tx("report.chart.count"), "num_format": "0"})
        rate.set_y2_axis({"name": self.tx("report.chart.rate"), "num_format": NUMBER_FORMATS["pct"]})
        bars.show_blanks_as("gap")
        bars.set_size({"width": 620, "height": 320})
        sh.ws.insert_chart(last + 2, col, bars)

    # --- Pareto ----------------------------------------------------------------------------------------
    def pareto_sheet(self) -> None:
        data = self.data
        if not data.area_present("complaints"):
            return
        sh = self.sheet("pareto")
        sh.title(0, self.tx("report.page.pareto"))
        sh.text(1, 0, t("report.wb.pareto_note", self.lang, top=d.PARETO_TOP), role="note", fit=False)
        row = 3
        columns = ["rank", "key", "name", "count_period", "count", "share_pct", "cumulative_pct"]
        for dimension, table in pareto_tables(data).items():
            sh.text(row, 0, self.tx(f"report.pareto.{dimension}"), role="section", fit=False)
            header = row + 1
            sh.header(header, [column_label(c, self.lang) for c in columns])
            if table.empty:
                sh.text(header + 1, 0, self.tx("report.none"), role="note", fit=False)
                row = header + 4
                continue
            for i, rec in enumerate(table.itertuples(index=False)):
                r = header + 1 + i
                sh.number(r, 0, rec.rank, "int")
                sh.text(r, 1, "" if rec.other else rec.key)
                sh.text(r, 2, pareto_label(dimension, rec.key, self.lang, self.names))
                sh.number(r, 3, rec.count_period, "count")
                sh.number(r, 4, rec.count, "count")
                sh.number(r, 5, rec.share_pct, "pct")
                sh.number(r, 6, rec.cumulative_pct, "pct")
            last = header + len(table)
            self._pareto_chart(sh, dimension, header, last, len(columns) + 1)
            row = max(last + 3, header + 19)
        sh.ws.freeze_panes(1, 0)
        sh.print_setup(repeat=None)
        sh.finish()

    def _pareto_chart(self, sh: "_Sheet", dimension: str, header: int, last: int, col: int) -> None:
        name = sh.ws.name
        bars = self.wb.add_chart({"type": "column"})
        bars.add_series({"name": [name, header, 4], "categories": [name, header + 1, 2, last, 2],
                         "values": [name, header + 1, 4, last, 4], "fill": {"color": SERIES},
                         "gap": 40, "data_labels": {"value": True}})
        line = self.wb.add_chart({"type": "line"})
        line.add_series({"name": [name, header, 6], "categories": [name, header + 1, 2, last, 2],
                         "values": [name, header + 1, 6, last, 6], "y2_axis": True,
                         "line": {"color": TARGET, "width": 2}, "marker": {"type": "circle", "size": 5}})
        bars.combine(line)
        bars.set_title({"name": self.tx(f"report.pareto.{dimension}"), "name_font": {"size": 11}})
        bars.set_legend({"none": True})
        line.set_y2_axis({"min": 0, "max": 100, "num_format": NUMBER_FORMATS["pct"]})
        bars.set_size({"width": 560, "height": 300})
        sh.ws.insert_chart(header, col, bars)

    # --- detail lists -------------------------------------------------------------------------------
    def list_sheet(self, name: str) -> None:
        data = self.data
        frame = data.detail(name)
        if name == "open_complaints":
            frame = d.open_complaint_ages(frame, data.run.as_of)
        if frame is None:
            return
        sh = self.sheet(name)
        sh.title(0, self.tx(f"report.sheet.{name}"))
        intro = {"scorecard_reconciliation": "report.wb.trace_intro",
                 "scorecard_points": "report.wb.points_intro"}.get(name)
        note_row = 1
        if intro:
            sh.text(note_row, 0, self.tx(intro), role="note", fit=False)
            note_row += 1
        frame = with_customer_names(frame, self.names)
        if name == "survey_customers":
            frame = _survey_columns(frame, self.lang)
        if name == "three_guarantees" and "month" in frame.columns:
            year = data.period[:4]
            frame = frame.assign(month=frame["month"].astype(str).where(
                frame["month"].astype(str) != year, t("report.year_to_date", self.lang, year=year)))
        columns = list_columns(frame, PREFERRED_COLUMNS.get(name, ()))
        shown, total = d.bounded(frame, MAX_LIST_ROWS)
        if total > len(shown):
            sh.text(note_row, 0, t("report.list_cut_workbook", self.lang, shown=len(shown), total=total),
                    role="note", fit=False)
        row0 = note_row + 1
        if frame.empty:
            sh.text(row0, 0, self.tx("report.none"), role="note", fit=False)
            sh.finish()
            return
        sh.header(row0, [column_label(c, self.lang) for c in columns])
        last = sh.frame_rows(row0 + 1, shown, columns)
        sh.table_frame(row0, last, len(columns) - 1, freeze_cols=min(2, len(columns)))
        if name == "open_complaints" and "age_band" in frame.columns:
            self._age_bands(sh, frame, len(columns) + 1, row0)
        sh.finish()

    def _age_bands(self, sh: "_Sheet", frame: pd.DataFrame, col: int, row0: int) -> None:
        counts = frame["age_band"].value_counts()
        sh.text(row0 - 1, col, self.tx("report.wb.open_bands"), role="section", fit=False)
        sh.header(row0, [column_label("age_band", self.lang), self.tx("report.chart.count")], col0=col)
        for i, band in enumerate(d.AGE_BANDS):
            sh.text(row0 + 1 + i, col, self.tx(f"report.age.{band}"))
            sh.number(row0 + 1 + i, col + 1, float(counts.get(band, 0)), "count")

    # --- what changed --------------------------------------------------------------------------------
    def changes_sheet(self) -> None:
        data = self.data
        sh = self.sheet("changes")
        sh.title(0, self.tx("report.sheet.changes"))
        if data.previous_kpis is None:
            sh.text(1, 0, self.tx("report.changes.no_previous"), role="note", fit=False)
            sh.finish()
            return
        changes = d.changes_table(data.kpis, data.previous_kpis)
        if changes.empty:
            sh.text(1, 0, self.tx("report.changes.none"), role="note", fit=False)
            sh.finish()
            return
        counts = changes["change"].value_counts()
        sh.text(1, 0, t("report.changes.counts", self.lang, changed=int(counts.get("changed", 0)),
                        appeared=int(counts.get("appeared", 0)), disappeared=int(counts.get("disappeared", 0))),
                role="note", fit=False)
        shown, total = d.bounded(changes, MAX_CHANGE_ROWS)
        row0 = 3
        if total > len(shown):
            sh.text(2, 0, t("report.list_cut_workbook", self.lang, shown=len(shown), total=total),
                    role="note", fit=False)
        columns = ["change", "period", "kpi", "scope", "key", "name", "before", "after", "difference",
                   "status_before", "status_after"]
        sh.header(row0, [column_label(c, self.lang) for c in columns])
        r = row0
        for r, rec in enumerate(shown.itertuples(index=False), start=row0 + 1):
            unit = kpi_spec(rec.kpi).unit
            sh.text(r, 0, self.tx(f"report.change.{rec.change}"))
            sh.text(r, 1, rec.period)
            sh.text(r, 2, self.kpi_name(rec.kpi))
            sh.text(r, 3, self.scope_name(rec.scope))
            sh.text(r, 4, rec.key)
            sh.text(r, 5, _row_name(rec.scope, rec.key, "", self.lang, self.names))
            sh.number(r, 6, rec.before, unit)
            sh.number(r, 7, rec.after, unit)
            sh.number(r, 8, rec.difference, unit)
            sh.text(r, 9, status_label(rec.status_before, self.lang))
            sh.text(r, 10, status_label(rec.status_after, self.lang))
        sh.table_frame(row0, r, len(columns) - 1, freeze_cols=3)
        sh.finish()


_SCOPES = ("company", "customer", "plant", "category", "root_cause", "type", "item")


# --- one worksheet -----------------------------------------------------------------------------------

class _Sheet:
    """A worksheet with the pack's writing rules: typed cells, "—" for no value, width tracking."""

    def __init__(self, book: _Book, ws: Worksheet) -> None:
        self.book, self.ws = book, ws
        #: column → display width of the widest line written in it (all its width depends on)
        self.widths: dict[int, int] = {}
        self.header_row: int | None = None
        ws.hide_gridlines(2)
        ws.set_zoom(90)

    def _track(self, col: int, text: str) -> None:
        self._track_width(col, widest_line_width(text))

    def _track_width(self, col: int, width: int) -> None:
        if width > self.widths.get(col, -1):
            self.widths[col] = width

    def title(self, row: int, text: str) -> None:
        self.ws.write_string(row, 0, text, self.book.fmt("title"))
        self.ws.set_row(row, 22)

    def text(self, row: int, col: int, value: Any, *, role: str = "text", bold: bool = False,
             fit: bool = True) -> None:
        if type(value) is str:      # the common case: no missing-value check needed
            text = value
        else:
            text = NO_VALUE if is_missing(value) else str(value)
        self.ws.write_string(row, col, text, self.book.fmt(role, bold=bold))
        if fit:
            self._track(col, text)

    def header(self, row: int, labels: Sequence[str], col0: int = 0) -> None:
        for i, label in enumerate(labels):
            self.ws.write_string(row, col0 + i, label, self.book.fmt("header"))
            # a header may wrap onto two lines: it needs about half its width
            self._track(col0 + i, label[: max(4, (len(label) + 1) // 2)] if display_width(label) > 16 else label)
        if self.header_row is None:
            self.header_row = row
        self.ws.set_row(row, 30)

    def number(self, row: int, col: int, value: Any, unit: str, *, bold: bool = False,
               status: str | None = None, blank_missing: bool = False) -> None:
        number = _finite(value)
        if number is None:
            if blank_missing:       # chart data: a gap, not text, so the line breaks there
                self.ws.write_blank(row, col, None)
            else:
                self.ws.write_string(row, col, NO_VALUE, self.book.fmt("missing", bold=bold))
            self._track_width(col, _NO_VALUE_WIDTH)
            return
        num = NUMBER_FORMATS.get(unit, "0.0")
        self.ws.write_number(row, col, number, self.book.fmt("text", num=num, bold=bold, status=status))
        self._track_width(col, len(format_number(number, _text_unit(unit))))     # ASCII: width = length

    def number_row(self, row: int, col0: int, values: list[float], finite: list[bool],
                   statuses: list[Any], unit: str, *, bold: bool = False) -> None:
        """A row of a matrix of floats from `col0` rightwards, each cell as `number` writes it
        (coloured when its status is met or missed) but without tracking the widths: the caller
        tracks them for the whole matrix with `track_number_columns`."""
        ws, num = self.ws, NUMBER_FORMATS.get(unit, "0.0")
        # this row's formats, each fetched when first needed (as `number` does): the order the
        # formats are created in decides their indexes in styles.xml
        missing_format = None
        formats: dict[str | None, Any] = {}     # by status: None, "met", "missed"
        for col, (value, ok, status) in enumerate(zip(values, finite, statuses), start=col0):
            if not ok:
                if missing_format is None:
                    missing_format = self.book.fmt("missing", bold=bold)
                ws.write_string(row, col, NO_VALUE, missing_format)
                continue
            judged = status if status in ("met", "missed") else None
            if judged not in formats:
                formats[judged] = self.book.fmt("text", num=num, bold=bold, status=judged)
            ws.write_number(row, col, value, formats[judged])

    def track_number_columns(self, col0: int, values: np.ndarray, units: Sequence[str]) -> None:
        """Track the widths `number` tracks, for a matrix of floats written from `col0` whose
        rows have the `units`: per column, "—" where a value is missing, else the widest text."""
        widths = np.where(np.isfinite(values).all(axis=0), 0, _NO_VALUE_WIDTH)
        rows_by_unit: dict[str, list[int]] = {}
        for i, unit in enumerate(units):
            rows_by_unit.setdefault(unit, []).append(i)
        for unit, unit_rows in rows_by_unit.items():
            widths = np.maximum(widths, number_widths(values[unit_rows], _text_unit(unit)))
        for col, width in enumerate(widths.tolist(), start=col0):
            self._track_width(col, width)

    def target(self, row: int, col: int, value: Any, unit: str, kpi: str) -> None:
        """A KPI's target: blank for a KPI that has none (a volume), "—" when it should have one."""
        if is_missing(value) and kpi not in TARGET_SETTINGS:
            self.ws.write_blank(row, col, None)
            return
        self.number(row, col, value, unit)

    def delta(self, row: int, col: int, value: Any, unit: str, better: str) -> None:
        if _finite(value) is None:
            self.ws.write_string(row, col, NO_VALUE, self.book.fmt("missing"))
            return
        ink = None
        if better and value != 0:
            improved = (value > 0) == (better == "higher")
            ink = STATUS_COLOURS["met" if improved else "missed"][0]
        num = DELTA_FORMATS.get(unit, "+0.0;-0.0;0.0")
        self.ws.write_number(row, col, float(value), self.book.fmt("text", num=num, ink=ink))
        self._track(col, f"+{format_value(value, unit)}")

    def value(self, row: int, col: int, value: Any, column: str) -> None:
        """A cell of a detail list: dates as dates, numbers as numbers, vocabulary translated,
        booleans as 是/否, every other text written as text."""
        lang = self.book.lang
        kind = type(value)
        # fast paths for the exact types most cells are: each does what the rules below do with it
        if kind is str:
            self.text(row, col, self.book.vocab(column, value) if column in VOCAB_COLUMNS else value)
        elif kind is int or (kind is float and not math.isnan(value)):
            number = float(value)
            self.number(row, col, number, _list_unit(column, number))
        elif isinstance(value, (bool, np.bool_)):
            self.text(row, col, t("report.yes" if value else "report.no", lang))
        elif is_missing(value):
            self.text(row, col, NO_VALUE, role="missing")
        elif isinstance(value, (pd.Timestamp, datetime, date, np.datetime64)):
            stamp = pd.Timestamp(value)
            if stamp.tzinfo is not None:
                stamp = stamp.tz_localize(None)
            has_time = stamp != stamp.normalize()
            self.ws.write_datetime(row, col, stamp.to_pydatetime(),
                                   self.book.fmt("text", num=NUMBER_FORMATS["datetime" if has_time else "date"]))
            self._track(col, "2026-10-31 00:00" if has_time else "2026-10-31")
        elif isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            number = float(value)
            self.number(row, col, number, _list_unit(column, number))
        elif column in VOCAB_COLUMNS:
            self.text(row, col, vocab_label(column, value, lang))
        else:
            self.text(row, col, str(value))

    def frame_rows(self, row0: int, frame: pd.DataFrame, columns: Sequence[str]) -> int:
        """Write `frame[columns]` from `row0` down; returns the last row written."""
        r = row0 - 1
        values = frame[list(columns)].astype(object).to_numpy()
        for r, row_values in enumerate(values.tolist(), start=row0):
            for j, (value, column) in enumerate(zip(row_values, columns)):
                self.value(r, j, value, column)
        return r

    def table_frame(self, header: int, last: int, last_col: int, *, freeze_cols: int = 0) -> None:
        """Filter buttons on the header row, header frozen, header repeated on every printed page."""
        self.ws.autofilter(header, 0, max(last, header + 1), last_col)
        self.ws.freeze_panes(header + 1, freeze_cols)
        self.print_setup(repeat=header)

    def print_setup(self, *, repeat: int | None) -> None:
        run = self.book.data.run
        self.ws.set_landscape()
        self.ws.set_paper(9)                 # A4
        self.ws.fit_to_pages(1, 0)           # one page wide, as many tall as needed
        self.ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        if repeat is not None:
            self.ws.repeat_rows(repeat)
        company = run.company.replace("&", "&&")
        self.ws.set_header(f"&L{company}&R{run.period}")
        self.ws.set_footer("&C&P / &N")

    def finish(self, skip_width: Iterable[int] = ()) -> None:
        skip = set(skip_width)
        for col, widest in self.widths.items():
            if col not in skip:
                self.ws.set_column(col, col, column_width(widest))
        if self.header_row is None:
            self.print_setup(repeat=None)


_NO_VALUE_WIDTH = display_width(NO_VALUE)


def _finite(value: Any) -> float | None:
    """`value` as a float, or None when it is missing or not finite (what is written as "—")."""
    if isinstance(value, float):      # the common case, without pandas' missing-value check
        number = float(value)
    elif is_missing(value):
        return None
    else:
        number = float(value)
    return number if math.isfinite(number) else None


def _text_unit(unit: str) -> str:
    """The unit whose text a number of `unit` is measured by (an "int" prints as a count)."""
    return "count" if unit == "int" else unit


def _list_unit(column: str, number: float) -> str:
    """How a number in a detail list is shown: row numbers and ranks as integers, `*_pct` as a
    percentage, other whole numbers as counts, the rest with one decimal."""
    if column == "_row" or column == "rank":
        return "int"
    if column.endswith("_pct"):
        return "pct"
    if number.is_integer():
        return "count"
    return "score"


# --- shared helpers (also used by the PDF) ---------------------------------------------------------

def _data_quality(run: Any, lang: str) -> str:
    return t("report.data_quality", lang, read=f"{run.rows_read:,}", used=f"{run.rows_used:,}",
             rejected=f"{run.rows_rejected:,}", files_read=run.files_read, files_failed=run.files_failed,
             files_skipped=run.files_skipped)


def _row_name(scope: str, key: str, name: str, lang: str, names: Mapping[str, str]) -> str:
    """The name column of a KPI row: the customer's name, a translated category / root cause /
    type / item, the plant as written; empty for the company row."""
    if scope in ("company", "plant"):          # a plant is called what its key says
        return ""
    if scope == "customer":
        return name or names.get(key, "")
    return scope_key_label(scope, key, lang, names)


def _period_header(period: str, lang: str) -> str:
    if len(period) == 4 and period.isdigit():
        return t("report.year_to_date", lang, year=period)
    return period


def _first_target(rows: pd.DataFrame, kpi: str) -> float:
    targets = rows.loc[rows["kpi"].eq(kpi), "target"].dropna()
    return float(targets.iloc[0]) if not targets.empty else 90.0


def action_rule(rec: Any, lang: str, ppm_targets: Mapping[str, float] | None = None, *, short: bool = False) -> str:
    """Why an action is listed, with the figure, the target and where the target comes from:
    "交期达成率（批） 95.7%，低于目标 98.0%（设置 targets.otd_pct）". A customer's PPM is judged
    against its own `ppm_target` from the customer master when it has one (kpis.md)."""
    key = "report.rule.lower" if rec.better == "lower" else "report.rule.higher"
    if short:                   # the PDF table shows the KPI and the figure in their own columns
        key = key.replace("report.rule.", "report.rule.short.")
    setting = TARGET_SETTINGS.get(rec.kpi, f"targets.{rec.kpi}")
    if rec.kpi == "ppm" and rec.scope == "customer" and ppm_targets and rec.key in ppm_targets:
        source = t("report.rule.customer_ppm", lang)
    else:
        source = setting if short else t("report.rule.setting", lang, key=setting)
    return t(key, lang, kpi=kpi_label(rec.kpi, lang), value=format_value(rec.value, rec.unit),
             target=format_value(rec.target, rec.unit), source=source)


def pareto_tables(data: d.PackData) -> dict[str, pd.DataFrame]:
    """The four Pareto tables: complaint category, root cause, customer (from the long table) and
    part number (from the complaint register)."""
    months, period = data.months, data.period
    out = {scope: d.pareto_table(d.complaint_counts(data.kpis, scope, months, period))
           for scope in ("category", "root_cause", "customer")}
    parts = data.detail("complaint_parts")
    out["part"] = d.pareto_table(parts) if parts is not None else d.pareto_table(
        pd.DataFrame(columns=["key", "count", "count_period"]))
    return out


def pareto_label(dimension: str, key: str, lang: str, names: Mapping[str, str]) -> str:
    if key == d.OTHER_KEY:
        return t("report.other", lang)
    if dimension == "customer":
        return names.get(key, key)
    if dimension == "part":
        return key or t("report.no_part", lang)
    return vocab_label(dimension, key, lang)


def with_customer_names(frame: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """`customer_name` beside `customer_key`: added when a list has only the key, filled in where a
    list's row has no name (a register row that gave the code only) — the master's name, else
    the key as written."""
    if "customer_key" not in frame.columns:
        return frame
    keys = frame["customer_key"].astype(str)
    mapped = keys.map(dict(names)).astype(object).where(lambda s: s.notna(), keys)
    if "customer_name" in frame.columns:
        return frame.assign(customer_name=frame["customer_name"].astype(object).where(
            frame["customer_name"].notna(), mapped))
    out = frame.copy()
    out.insert(list(frame.columns).index("customer_key") + 1, "customer_name", mapped)
    return out


def _survey_columns(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The survey table with one `grade` column in the report's language."""
    column = "grade_zh" if lang == "zh" else "grade_en"
    if column in frame.columns:
        return frame.assign(grade=frame[column]).drop(columns=[c for c in ("grade_zh", "grade_en")
                                                               if c in frame.columns])
    return frame


def list_columns(frame: pd.DataFrame, preferred: Sequence[str]) -> list[str]:
    """The columns a list shows: the preferred ones it has, in that order, then the rest, with the
    provenance (file, sheet, Excel row) last. Helper columns of the KPI modules that only repeat
    another column (an exclusive deadline end) are left out."""
    present = [c for c in preferred if c in frame.columns]
    rest = [c for c in frame.columns if c not in present and c not in PROVENANCE
            and not str(c).endswith("_end") and c not in ("customer_code",)]
    return present + rest + [c for c in PROVENANCE if c in frame.columns]
