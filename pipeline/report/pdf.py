"""`review_pack_<PERIOD>.pdf`: the management review pack, A4 landscape, drawn with matplotlib.

Page order: cover (the month at a glance: headline KPIs as coloured tiles, targets met, what was
missed, the data-quality line) → KPI summary → 12-month trends → complaint Pareto → p-chart of the
complaint rate → scorecard heat map and our score vs the customer's → satisfaction → open
complaints by age → actions list → one page per further area (feedback, visits, service and three
guarantees, customer property, customer audits). An area without data is one line on the cover
and under the summary, never an empty chart. Every page has the company, period and page number
in its footer. The charts are the very functions that write `charts/*.png` (`charts.PackCharts`).

Text is embedded as the bundled Noto Sans CJK SC subset (Type 42), so the PDF prints the same
anywhere and its text can be searched and copied.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from pipeline.i18n import t
from pipeline.report import details as d
from pipeline.report.charts import PackCharts, chart_style, close, draw_heatmap, draw_survey_customers
from pipeline.report.fonts import truetype_subsets
from pipeline.report.formats import (AREAS, BAND_FILL, HEADER_FILL, HEADER_INK, INK, MUTED, NO_VALUE, RULE,
                                     STATUS_COLOURS, VOCAB_COLUMNS, column_label, display_width, format_delta,
                                     format_value, is_missing, kpi_label, scope_key_label, status_label,
                                     truncate, vocab_label)
from pipeline.report.workbook import _data_quality, action_rule, list_columns, with_customer_names

PAGE_SIZE = (11.69, 8.27)          # A4 landscape, inches
MARGIN = 0.45
TOP = PAGE_SIZE[1] - 0.85          # content ends below the page title
BOTTOM = 0.55                      # content starts above the footer
CONTENT_W = PAGE_SIZE[0] - 2 * MARGIN
ROW_H = 0.235                      # table row height, inches
TABLE_FONT = 7.5
#: Rows of a detail list printed in the PDF; the workbook has them all.
PDF_LIST_ROWS = 18
#: Customers of the scorecard heat map that share the page with the trend; beyond, a page each.
HEAT_ROWS_ONE_PAGE = 10
HEAT_ROWS_PER_PAGE = 18
#: At most this many customers in the PDF's heat map (three pages): the lowest mean scores.
HEAT_MAX_ROWS = 54
#: the PDF's actions list: every company-level action, then at most this many in all (the
#: workbook's actions sheet has every row; management reads the first page)
ACTION_MAX_ROWS = 40
#: Customers in the PDF's survey chart (the lowest scores when there are more; the PNG has all).
SURVEY_ROWS = 30

#: Columns a list shows in the PDF (narrower than the workbook), when present.
PDF_COLUMNS: dict[str, tuple[str, ...]] = {
    "open_complaints": ("complaint_no", "customer_name", "received_date", "category", "severity",
                        "description", "age_days"),
    "feedback_open": ("feedback_no", "customer_name", "feedback_date", "category", "subject", "handler",
                      "filing_status", "age_days"),
    "late_visit_reports": ("visit_date", "customer_name", "visitor", "report_deadline", "report_date",
                           "working_days_to_report", "findings"),
    "property_by_customer": ("customer_name", "property_no", "name", "kind", "status", "status_at_as_of",
                             "event_date", "reported_date", "customer_told", "days_to_report"),
    "overdue_audit_actions": ("audit_date", "customer_name", "finding", "finding_type", "responsible_dept",
                              "due_date", "days_overdue"),
    "scorecard_reconciliation": ("customer_name", "month", "d", "q", "o", "internal", "customer_score",
                                 "difference"),
}


@dataclass(frozen=True)
class Col:
    key: str
    header: str
    width: float                 # relative
    align: str = "left"


@dataclass(frozen=True)
class Cell:
    text: str
    ink: str = INK
    fill: str | None = None


def write_pdf(path: Path, data: d.PackData) -> Path:
    """Draw the review pack for `data` and write it to `path`."""
    run = data.run
    with chart_style(), truetype_subsets():
        pages = _Pages(data)
        pages.build()
        total = len(pages.figures)
        metadata = {"Title": f"{t('report.title', run.language)} {run.period}", "Author": run.company,
                    "Subject": f"{run.company} {run.period}", "Creator": "cq-pipeline",
                    "CreationDate": run.generated_at, "ModDate": run.generated_at}
        with PdfPages(path, metadata=metadata) as pdf:
            for number, fig in enumerate(pages.figures, start=1):
                fig.text(0.5, 0.025, t("report.footer", run.language, company=run.company, period=run.period,
                                       page=number, pages=total), ha="center", va="bottom", fontsize=7.5,
                         color=MUTED)
                pdf.savefig(fig)
                close(fig)
    return path


def _frac(fig: Figure, box: tuple[float, float, float, float]) -> list[float]:
    """An (x, y, w, h) box in inches from the page's lower left → figure fractions."""
    w, h = fig.get_size_inches()
    x, y, bw, bh = box
    return [x / w, y / h, bw / w, bh / h]


class _Pages:
    def __init__(self, data: d.PackData) -> None:
        self.data, self.lang = data, data.run.language
        self.charts = PackCharts(data)
        self.figures: list[Figure] = []
        self.names = {str(k): str(v) for k, v in data.names.items()}
        self.summary = d.summary_table(data.kpis, data.period)

    def tx(self, key: str, **fields: Any) -> str:
        return t(key, self.lang, **fields)

    # --- page furniture -----------------------------------------------------------------------
    def page(self, title: str) -> Figure:
        fig = Figure(figsize=PAGE_SIZE)
        fig.patch.set_facecolor("white")
        run = self.data.run
        fig.text(MARGIN / PAGE_SIZE[0], 1 - 0.42 / PAGE_SIZE[1], title, fontsize=15, color=HEADER_FILL,
                 va="center", ha="left")
        fig.text(1 - MARGIN / PAGE_SIZE[0], 1 - 0.42 / PAGE_SIZE[1], f"{run.company} · {run.period}",
                 fontsize=8.5, color=MUTED, va="center", ha="right")
        fig.add_artist(Rectangle((MARGIN / PAGE_SIZE[0], 1 - 0.66 / PAGE_SIZE[1]), CONTENT_W / PAGE_SIZE[0],
                                 0.012 / PAGE_SIZE[1], transform=fig.transFigure, color=HEADER_FILL, lw=0))
        self.figures.append(fig)
        return fig

    def chart(self, fig: Figure, name: str, box: tuple[float, float, float, float],
              margins: tuple[float, float, float, float] = (0.6, 0.65, 0.55, 0.45)) -> None:
        """Draw chart `name` in `box` (inches), leaving `margins` (left, right, bottom, top) for
        its ticks, labels and title."""
        left, right, bottom, top = margins
        x, y, w, h = box
        ax = fig.add_axes(_frac(fig, (x + left, y + bottom, w - left - right, h - bottom - top)))
        self.charts.draw(name, ax)

    def note(self, fig: Figure, x: float, y: float, text: str, *, size: float = 9, colour: str = INK,
             width: float | None = None) -> float:
        """Write `text` at (x, y) inches (top-left anchored), wrapped to `width` inches; returns
        the y below it."""
        width = width or CONTENT_W - (x - MARGIN)
        lines = _wrap(text, width, size)
        fig.text(x / PAGE_SIZE[0], y / PAGE_SIZE[1], "\n".join(lines), fontsize=size, color=colour,
                 va="top", ha="left", linespacing=1.45)
        return y - len(lines) * size * 1.45 / 72 - 0.08

    def table(self, fig: Figure, box: tuple[float, float, float, float], cols: Sequence[Col],
              rows: Sequence[Sequence[Cell]], *, font: float = TABLE_FONT, row_h: float = ROW_H) -> None:
        """A table in `box` (inches): a dark header row, banded rows, texts cut to their column."""
        x, y, w, h = box
        ax = fig.add_axes(_frac(fig, box))
        ax.set_axis_off()
        ax.set_xlim(0, w)
        ax.set_ylim(0, h)
        total = sum(c.width for c in cols)
        widths = [c.width / total * w for c in cols]
        lefts = np.concatenate([[0.0], np.cumsum(widths)[:-1]])
        top = h

        def row(cells: Sequence[Cell], y_top: float, fill: str | None, header: bool = False) -> None:
            if fill:
                ax.add_patch(Rectangle((0, y_top - row_h), w, row_h, color=fill, lw=0))
            for col, left, width, cell in zip(cols, lefts, widths, cells):
                if cell.fill and not header:
                    ax.add_patch(Rectangle((left + 0.02, y_top - row_h + 0.02), width - 0.04, row_h - 0.04,
                                           color=cell.fill, lw=0))
                units = max(3, int(width * 72 / (font * 0.5)) - 2)
                text = truncate(cell.text, units)
                align = "center" if header else col.align
                tx = {"left": left + 0.05, "right": left + width - 0.05, "center": left + width / 2}[align]
                ax.text(tx, y_top - row_h / 2, text, ha=align, va="center", fontsize=font,
                        color=HEADER_INK if header else cell.ink)

        row([Cell(c.header) for c in cols], top, HEADER_FILL, header=True)
        for i, cells in enumerate(rows):
            y_top = top - row_h * (i + 1)
            row(cells, y_top, BAND_FILL if i % 2 else None)
        bottom = top - row_h * (len(rows) + 1)
        ax.plot([0, w], [bottom, bottom], color=RULE, lw=0.6)

    @staticmethod
    def rows_fitting(height: float, row_h: float = ROW_H) -> int:
        return max(1, int(height / row_h) - 1)

    def table_pages(self, title: str, cols: Sequence[Col], rows: Sequence[Sequence[Cell]],
                    intro: str | None = None) -> Figure:
        """As many pages as the rows need; the header repeats on each. Returns the last page."""
        fig = self.page(title)
        y = TOP
        if intro:
            y = self.note(fig, MARGIN, y, intro, size=8.5, colour=MUTED) - 0.05
        remaining = list(rows)
        while True:
            fit = self.rows_fitting(y - BOTTOM)
            chunk, remaining = remaining[:fit], remaining[fit:]
            self.table(fig, (MARGIN, y - ROW_H * (len(chunk) + 1), CONTENT_W, ROW_H * (len(chunk) + 1)), cols, chunk)
            self._last_table_bottom = y - ROW_H * (len(chunk) + 1)
            if not remaining:
                return fig
            fig = self.page(title + self.tx("report.continued"))
            y = TOP
        return fig  # pragma: no cover

    # --- the pages ------------------------------------------------------------------------------
    def build(self) -> None:
        self.cover()
        self.summary_pages()
        self.trend_page()
        self.pareto_page()
        self.control_page()
        self.scorecard_page()
        self.satisfaction_page()
        self.open_complaints_page()
        self.actions_pages()
        self.feedback_page()
        self.visits_page()
        self.service_page()
        self.property_page()
        self.audits_page()

    def cover(self) -> None:
        data, run = self.data, self.data.run
        fig = Figure(figsize=PAGE_SIZE)
        self.figures.append(fig)
        W, H = PAGE_SIZE
        fig.add_artist(Rectangle((0, 6.25 / H), 1, 2.02 / H, transform=fig.transFigure, color=HEADER_FILL, lw=0))
        fig.text(0.6 / W, 7.55 / H, self.tx("report.title"), fontsize=24, color="white", va="center")
        fig.text(0.6 / W, 6.85 / H, run.company, fontsize=16, color="#DCE6F2", va="center")
        fig.text((W - 0.6) / W, 7.45 / H, run.period, fontsize=34, color="white", va="center", ha="right")
        fig.text((W - 0.6) / W, 6.72 / H, f"{self.tx('report.as_of')} {run.as_of:%Y-%m-%d} · "
                 f"{self.tx('report.generated_at')} {run.generated_at:%Y-%m-%d %H:%M}",
                 fontsize=9, color="#DCE6F2", va="center", ha="right")
        fig.text(0.6 / W, 5.85 / H, self.tx("report.cover.glance"), fontsize=13, color=HEADER_FILL, va="center")
        tiles = d.headline_kpis(self.summary).head(8)
        tile_w, tile_h, gap = 2.5, 1.45, 0.17
        for i, rec in enumerate(tiles.itertuples(index=False)):
            col, line = i % 4, i // 4
            x = 0.6 + col * (tile_w + gap)
            y = 4.2 - line * (tile_h + gap)
            self._tile(fig, (x, y, tile_w, tile_h), rec)
        met = int(self.summary["status"].eq("met").sum())
        judged = int(self.summary["status"].isin(["met", "missed"]).sum())
        y = 4.2 - (tile_h + gap) - 0.3 if len(tiles) > 4 else 4.2 - 0.3
        missed = self.summary[self.summary["status"].eq("missed")]
        if judged == 0:      # nothing to judge is not "every target met"
            y = self.note(fig, 0.6, y, self.tx("report.cover.nothing_judged"), size=12, colour=HEADER_FILL,
                          width=W - 1.2)
        else:
            y = self.note(fig, 0.6, y, self.tx("report.cover.targets_met", met=met, total=judged), size=12,
                          colour=HEADER_FILL, width=W - 1.2)
            if missed.empty:
                y = self.note(fig, 0.6, y, self.tx("report.cover.all_met"), size=9.5, width=W - 1.2)
            else:
                items = ("、" if self.lang == "zh" else ", ").join(
                    f"{kpi_label(r.kpi, self.lang)} {format_value(r.value, r.unit)}" for r in missed.itertuples())
                y = self.note(fig, 0.6, y, self.tx("report.cover.missed", items=items), size=9.5,
                              colour=STATUS_COLOURS["missed"][0], width=W - 1.2)
        actions = d.actions_table(data.kpis, data.period, data.names)
        y = self.note(fig, 0.6, y, self.tx("report.cover.actions", n=len(actions)), size=9.5, width=W - 1.2)
        absent = [a for a in AREAS if not data.area_present(a)]
        if absent:
            areas = ("、" if self.lang == "zh" else ", ").join(self.tx(f"report.area.{a}") for a in absent)
            y = self.note(fig, 0.6, y, self.tx("report.cover.absent", areas=areas), size=9, colour=MUTED,
                          width=W - 1.2)
        self.note(fig, 0.6, 0.75, _data_quality(run, self.lang), size=8, colour=MUTED, width=W - 1.2)

    def _tile(self, fig: Figure, box: tuple[float, float, float, float], rec: Any) -> None:
        x, y, w, h = box
        ink, fill = STATUS_COLOURS.get(rec.status, (INK, "#F3F6FA"))
        if rec.status not in ("met", "missed"):
            ink, fill = (INK, "#F3F6FA") if not is_missing(rec.value) else STATUS_COLOURS["no_data"]
        fig.add_artist(Rectangle((x / PAGE_SIZE[0], y / PAGE_SIZE[1]), w / PAGE_SIZE[0], h / PAGE_SIZE[1],
                                 transform=fig.transFigure, color=fill, lw=0))
        W, H = PAGE_SIZE
        fig.text((x + 0.14) / W, (y + h - 0.22) / H, truncate(kpi_label(rec.kpi, self.lang), 30), fontsize=9,
                 color=INK, va="center")
        fig.text((x + 0.14) / W, (y + h / 2 - 0.05) / H, format_value(rec.value, rec.unit), fontsize=22,
                 color=ink, va="center")
        if rec.status:
            fig.text((x + w - 0.14) / W, (y + h / 2 - 0.05) / H, status_label(rec.status, self.lang), fontsize=9,
                     color=ink, va="center", ha="right")
        if not is_missing(rec.target):
            fig.text((x + 0.14) / W, (y + 0.2) / H, self.tx("report.cover.target", target=format_value(rec.target, rec.unit)),
                     fontsize=7.5, color=MUTED, va="center")
        if not is_missing(rec.delta_previous):
            cadence = "round" if re.fullmatch(r"\d{4}[HQ]\d", rec.period) else (
                "year" if re.fullmatch(r"\d{4}", rec.period) else "month")
            # better / worse in the KPI's own direction: green / red; a volume stays grey
            fig.text((x + w - 0.14) / W, (y + 0.2) / H,
                     self.tx(f"report.cover.vs_previous.{cadence}", delta=format_delta(rec.delta_previous, rec.unit)),
                     fontsize=7.5, color=_delta_ink(rec.delta_previous, rec.better), va="center", ha="right")

    def summary_pages(self) -> None:
        lang = self.lang
        cols = [Col("area", column_label("area", lang), 1.5), Col("kpi", column_label("kpi", lang), 2.9),
                Col("period", column_label("period", lang), 0.9), Col("value", column_label("value", lang), 1.0, "right"),
                Col("target", column_label("target", lang), 1.0, "right"),
                Col("status", column_label("status", lang), 0.9, "center"),
                Col("previous", column_label("previous", lang), 1.0, "right"),
                Col("delta_previous", column_label("delta_previous", lang), 1.0, "right"),
                Col("mean_12m", column_label("mean_12m", lang), 1.0, "right"),
                Col("delta_mean", column_label("delta_mean", lang), 1.1, "right")]
        rows = []
        last_area = None
        for rec in self.summary.itertuples(index=False):
            area = self.tx(f"report.area.{rec.area}") if rec.area != last_area else ""
            last_area = rec.area
            ink, fill = STATUS_COLOURS.get(rec.status, (MUTED, None))
            rows.append([
                Cell(area, HEADER_FILL), Cell(kpi_label(rec.kpi, lang)), Cell(rec.period, MUTED),
                Cell(format_value(rec.value, rec.unit), ink if rec.status in ("met", "missed") else INK),
                Cell(format_value(rec.target, rec.unit) if not is_missing(rec.target) else "", MUTED),
                Cell(status_label(rec.status, lang), ink, fill),
                Cell(format_value(rec.previous, rec.unit), MUTED),
                Cell(format_delta(rec.delta_previous, rec.unit), _delta_ink(rec.delta_previous, rec.better)),
                Cell(format_value(rec.mean_12m, "mean_count" if rec.unit == "count" else rec.unit), MUTED),
                Cell(format_delta(rec.delta_mean, rec.unit), _delta_ink(rec.delta_mean, rec.better)),
            ])
        fig = self.table_pages(self.tx("report.page.summary", period=self.data.period), cols, rows,
                               intro=self.tx("report.wb.status_note"))
        absent = [a for a in AREAS if not self.data.area_present(a)]
        if absent:
            y = self._last_table_bottom - 0.2
            if y - BOTTOM < 0.3 * (len(absent) + 1):
                fig = self.page(self.tx("report.page.absent"))
                y = TOP
            y = self.note(fig, MARGIN, y, self.tx("report.page.absent"), size=10, colour=HEADER_FILL)
            for area in absent:
                y = self.note(fig, MARGIN, y, f"{self.tx(f'report.area.{area}')}：{self.tx(f'report.absent.{area}')}"
                              if self.lang == "zh" else f"{self.tx(f'report.area.{area}')}: {self.tx(f'report.absent.{area}')}",
                              size=8.5, colour=MUTED)

    def _grid_page(self, title: str, names: Sequence[str], *, margins: dict[str, tuple] | None = None) -> None:
        names = [n for n in names if self.charts.available(n)]
        if not names:
            return
        fig = self.page(title)
        h = (TOP - BOTTOM - 0.15) / 2
        w = CONTENT_W / 2
        for i, name in enumerate(names[:4]):
            x = MARGIN + (i % 2) * w
            y = TOP - (i // 2 + 1) * h - (0.15 if i // 2 else 0)
            box = (x, y, w, h) if len(names) > 1 else (MARGIN, BOTTOM, CONTENT_W, TOP - BOTTOM)
            self.chart(fig, name, box, (margins or {}).get(name, (0.6, 0.6, 0.55, 0.4)))

    def trend_page(self) -> None:
        self._grid_page(self.tx("report.page.trends"),
                        ["otd_trend", "complaints_trend", "ppm_trend", "response_trend"],
                        margins={"complaints_trend": (0.6, 0.75, 0.55, 0.4),
                                 "response_trend": (0.6, 0.6, 0.85, 0.4)})

    def pareto_page(self) -> None:
        self._grid_page(self.tx("report.page.pareto"),
                        ["pareto_category", "pareto_root_cause", "pareto_customer", "pareto_part"],
                        margins={n: (0.6, 0.6, 0.85, 0.4) for n in ("pareto_customer", "pareto_part",
                                                                    "pareto_category", "pareto_root_cause")})

    def control_page(self) -> None:
        if not self.charts.available("complaint_rate_control"):
            return
        fig = self.page(self.tx("report.page.control"))
        self.chart(fig, "complaint_rate_control", (MARGIN, BOTTOM + 0.2, CONTENT_W, TOP - BOTTOM - 0.2),
                   (0.7, 0.4, 0.6, 0.65))

    def scorecard_page(self) -> None:
        """The heat map (customers × months), then the company trend and our score vs the
        customer's. Up to `HEAT_ROWS_ONE_PAGE` customers share the page with the rest; more are
        paginated, `HEAT_ROWS_PER_PAGE` customers a page, so every cell stays readable."""
        if not self.charts.available("scorecard_heatmap"):
            return
        scores, issued, labels, target = self.charts.heat_scores()
        title = self.tx("report.page.heatmap")
        label_w = min(3.4, 0.35 + max(display_width(truncate(x, 36)) for x in labels) * 8 * 0.5 / 72 + 0.3)
        shown = np.arange(len(scores))
        note = None
        if len(scores) > HEAT_MAX_ROWS:
            # the customers most in need of attention: lowest mean score over the window (key order kept)
            means = scores.mean(axis=1, skipna=True).to_numpy()
            shown = np.sort(np.argsort(np.nan_to_num(means, nan=np.inf), kind="stable")[:HEAT_MAX_ROWS])
            note = self.tx("report.chart.heatmap_cut", shown=HEAT_MAX_ROWS, total=len(scores))
        n = len(shown)
        if n <= HEAT_ROWS_ONE_PAGE:
            fig = self.page(title)
            heat_h = 1.35 + 0.34 * n
            self._heat(fig, (MARGIN, TOP - heat_h, CONTENT_W, heat_h), shown, label_w)
            lower_top = TOP - heat_h
            if note:
                lower_top = self.note(fig, MARGIN, lower_top, note, size=8, colour=MUTED)
        else:
            for start in range(0, n, HEAT_ROWS_PER_PAGE):
                fig = self.page(title if start == 0 else title + self.tx("report.continued"))
                rows = shown[start:start + HEAT_ROWS_PER_PAGE]
                heat_h = min(TOP - BOTTOM, 1.35 + 0.3 * len(rows))
                self._heat(fig, (MARGIN, TOP - heat_h, CONTENT_W, heat_h), rows, label_w)
                if note:
                    self.note(fig, MARGIN, BOTTOM + 0.25, note, size=8, colour=MUTED)
            fig = self.page(title + self.tx("report.continued"))
            lower_top = TOP
        trend_h = min(lower_top - BOTTOM - 0.1, 4.2)
        self.chart(fig, "scorecard_trend", (MARGIN, lower_top - 0.1 - trend_h, CONTENT_W * 0.5, trend_h),
                   (0.6, 0.3, 0.55, 0.4))
        x = MARGIN + CONTENT_W * 0.52
        y = self.note(fig, x, lower_top - 0.2, self.tx("report.page.scorecard_trace"), size=10, colour=HEADER_FILL,
                      width=CONTENT_W * 0.48)
        self._list(fig, "scorecard_reconciliation", self.data.detail("scorecard_reconciliation"),
                   (x, BOTTOM, CONTENT_W * 0.48, y - BOTTOM), sort=("month", False))

    def _heat(self, fig: Figure, box: tuple[float, float, float, float], rows: np.ndarray, label_w: float) -> None:
        """The heat map of the customers at positions `rows`, drawn in `box` (inches)."""
        scores, issued, labels, target = self.charts.heat_scores()
        x, y, w, h = box
        ax = fig.add_axes(_frac(fig, (x + label_w, y + 0.1, w - label_w - 0.2, h - 1.1)))
        draw_heatmap(ax, scores.iloc[rows], issued.iloc[rows], [labels[i] for i in rows], target=target,
                     lang=self.lang)

    def satisfaction_page(self) -> None:
        names = [n for n in ("survey_items", "survey_grades", "survey_customers") if self.charts.available(n)]
        if not names:
            return
        fig = self.page(self.tx("report.page.satisfaction"))
        half = (TOP - BOTTOM) / 2
        left_w = CONTENT_W * 0.45
        self.chart(fig, "survey_items", (MARGIN, BOTTOM + half, left_w, half), (1.0, 0.3, 0.4, 0.4))
        self.chart(fig, "survey_grades", (MARGIN, BOTTOM, left_w, half - 0.1), (0.6, 0.3, 0.45, 0.4))
        table, labels = self.charts.survey_customers_frame()
        label_w = min(2.4, 0.3 + max([display_width(truncate(x, 22)) for x in labels] or [8]) * 8 * 0.5 / 72 + 0.2)
        box = (MARGIN + left_w + 0.2 + label_w, BOTTOM + 0.75, CONTENT_W - left_w - 0.5 - label_w, TOP - BOTTOM - 1.15)
        subtitle = None
        if len(table) > SURVEY_ROWS:
            # the customers most in need of attention: the lowest scores (no score last)
            total = len(table)
            order = pd.to_numeric(table["score"], errors="coerce").sort_values(na_position="first").index[:SURVEY_ROWS]
            keep = table.index.isin(order)
            table, labels = table[keep], [x for x, k in zip(labels, keep) if k]
            subtitle = self.tx("report.chart.survey_customers_lowest", shown=SURVEY_ROWS, total=total)
        ax = fig.add_axes(_frac(fig, box))
        draw_survey_customers(ax, table.reset_index(drop=True), labels, target=self.charts.survey_target(),
                              lang=self.lang, round_label=self.charts.round or "", subtitle=subtitle)

    def open_complaints_page(self) -> None:
        if not self.charts.available("open_complaints_age"):
            return
        fig = self.page(self.tx("report.page.open_complaints"))
        left_w = CONTENT_W * 0.4
        self.chart(fig, "open_complaints_age", (MARGIN, BOTTOM + 1.2, left_w, TOP - BOTTOM - 1.2), (0.5, 0.2, 0.5, 0.4))
        x = MARGIN + left_w + 0.25
        y = self.note(fig, x, TOP, self.tx("report.page.oldest_open"), size=10, colour=HEADER_FILL)
        self._list(fig, "open_complaints", self.charts.open_rows, (x, BOTTOM, CONTENT_W - left_w - 0.25, y - BOTTOM))

    def actions_pages(self) -> None:
        lang = self.lang
        actions = d.actions_table(self.data.kpis, self.data.period, self.data.names)
        title = self.tx("report.page.actions")
        if actions.empty:
            fig = self.page(title)
            judged = self.data.kpis["status"].isin(["met", "missed"]).any()
            self.note(fig, MARGIN, TOP, self.tx("report.actions.none" if judged else "report.actions.nothing_judged"),
                      size=10)
            return
        cols = [Col("area", column_label("area", lang), 1.6), Col("kpi", column_label("kpi", lang), 2.7),
                Col("scope", column_label("scope", lang), 0.7), Col("name", column_label("name", lang), 2.6),
                Col("period", column_label("period", lang), 0.7), Col("value", column_label("value", lang), 0.8, "right"),
                Col("target", column_label("target", lang), 0.8, "right"), Col("rule", column_label("rule", lang), 3.9)]
        missed_ink, missed_fill = STATUS_COLOURS["missed"]
        intro = self.tx("report.actions.intro")
        total = len(actions)
        if total > ACTION_MAX_ROWS:
            company = actions[actions["scope"] == "company"]
            others = actions[actions["scope"] != "company"]
            actions = pd.concat([company, others.head(max(ACTION_MAX_ROWS - len(company), 0))])
            intro += " " + self.tx("report.actions.cut", shown=len(actions), total=total)
        rows = []
        for rec in actions.itertuples(index=False):
            name = "" if rec.scope == "company" else (rec.name or scope_key_label(rec.scope, rec.key, lang, self.names))
            if rec.scope == "customer" and rec.key and rec.name and rec.name != rec.key:
                name = f"{rec.key} {rec.name}"
            rows.append([Cell(self.tx(f"report.area.{rec.area}") if rec.area != "other" else rec.area, HEADER_FILL),
                         Cell(kpi_label(rec.kpi, lang)), Cell(self.tx(f"report.scope.{rec.scope}")
                                                              if rec.scope in _SCOPES else rec.scope, MUTED),
                         Cell(name or NO_VALUE if rec.scope != "company" else ""), Cell(rec.period, MUTED),
                         Cell(format_value(rec.value, rec.unit), missed_ink, missed_fill),
                         Cell(format_value(rec.target, rec.unit), MUTED),
                         Cell(action_rule(rec, lang, self.data.ppm_targets, short=True))])
        self.table_pages(title, cols, rows, intro=intro)

    def _area_page(self, area: str, chart: str, list_name: str | None, list_title: str | None,
                   frame: pd.DataFrame | None = None, *, extra_chart: str | None = None) -> None:
        if not self.data.area_present(area):
            return
        fig = self.page(self.tx(f"report.area.{area}"))
        chart_h = 3.45
        chart_w = CONTENT_W * (0.6 if extra_chart else 1.0)
        self.chart(fig, chart, (MARGIN, TOP - chart_h, chart_w, chart_h), (0.6, 0.65, 0.85, 0.45))
        if extra_chart:
            self.chart(fig, extra_chart, (MARGIN + chart_w + 0.1, TOP - chart_h, CONTENT_W - chart_w - 0.1, chart_h),
                       (0.45, 0.2, 0.55, 0.6))
        if list_name is None:
            return
        y = self.note(fig, MARGIN, TOP - chart_h - 0.15, list_title or "", size=10, colour=HEADER_FILL)
        rows = frame if frame is not None else self.data.detail(list_name)
        self._list(fig, list_name, rows, (MARGIN, BOTTOM, CONTENT_W, y - BOTTOM))

    def feedback_page(self) -> None:
        """Seed 003 §4.7: the month's summary by category, and the items still to chase."""
        if not self.data.area_present("feedback"):
            return
        self._area_page("feedback", "feedback_trend", None, None)
        fig = self.figures[-1]
        left_w = CONTENT_W * 0.44
        top = TOP - 3.45 - 0.15
        y = self.note(fig, MARGIN, top, self.tx("report.page.feedback_summary", period=self.data.period), size=10,
                      colour=HEADER_FILL, width=left_w)
        self._feedback_summary(fig, (MARGIN, BOTTOM, left_w, y - BOTTOM))
        x = MARGIN + left_w + 0.25
        y = self.note(fig, x, top, self.tx("report.page.feedback_chase"), size=10, colour=HEADER_FILL)
        self._list(fig, "feedback_open", self.data.detail("feedback_open"), (x, BOTTOM, CONTENT_W - left_w - 0.25, y - BOTTOM))

    def _feedback_summary(self, fig: Figure, box: tuple[float, float, float, float]) -> None:
        """The KPI module's monthly summary for P, one row per category, and their total."""
        x, y, w, h = box
        summary = self.data.detail("feedback_summary")
        if summary is None:
            self.note(fig, x, y + h, self.tx("report.list_unavailable"), size=8.5, colour=MUTED, width=w)
            return
        month = summary[summary["month"].astype(str).eq(self.data.period)] if "month" in summary else summary.iloc[0:0]
        counts = [c for c in ("received", "filed_on_time", "filed_late", "filing_pending", "completed", "still_open")
                  if c in month.columns]
        if month.empty or not counts:
            self.note(fig, x, y + h, self.tx("report.none"), size=8.5, colour=MUTED, width=w)
            return
        cols = [Col("category", column_label("category", self.lang), 1.3)]
        cols += [Col(c, column_label(c, self.lang), 1.0, "right") for c in counts]
        rows = [[Cell(vocab_label("category", r["category"], self.lang))] +
                [Cell(format_value(r[c], "count")) for c in counts] for _, r in month.iterrows()]
        totals = month[counts].apply(pd.to_numeric, errors="coerce").sum()
        rows.append([Cell(column_label("total", self.lang), HEADER_FILL)] +
                    [Cell(format_value(totals[c], "count"), HEADER_FILL) for c in counts])
        self.table(fig, (x, y + h - ROW_H * (len(rows) + 1), w, ROW_H * (len(rows) + 1)), cols, rows,
                   font=7)

    def visits_page(self) -> None:
        self._area_page("visits", "visits_trend", "late_visit_reports", self.tx("report.page.late_visits"))

    def service_page(self) -> None:
        if not self.data.area_present("service"):
            return
        self._area_page("service", "service_trend", None, None, extra_chart="warranty_cases")
        fig = self.figures[-1]
        y = self.note(fig, MARGIN, TOP - 3.45 - 0.15, self.tx("report.page.three_guarantees"), size=10,
                      colour=HEADER_FILL)
        self._warranty_table(fig, (MARGIN, BOTTOM, CONTENT_W, y - BOTTOM))

    def _warranty_table(self, fig: Figure, box: tuple[float, float, float, float]) -> None:
        """三包 by type (rows) and month of the year (columns), then the year-to-date column."""
        table = self.charts.warranty_table()
        x, y, w, h = box
        if table.empty or table.drop(columns="month").isna().all().all():
            self.note(fig, x, y + h, self.tx("report.none"), size=8.5, colour=MUTED)
            return
        year = self.data.period[:4]
        periods = list(table["month"])
        cols = [Col("type", column_label("type", self.lang), 2.2)]
        cols += [Col(p, t("report.year_to_date", self.lang, year=year) if p == year else _short_month(p, self.lang),
                     1.4 if p == year else 0.8, "right") for p in periods]
        rows = []
        for column in ("warranty_repair", "warranty_replace", "warranty_return", "total"):
            label = column_label(column, self.lang)
            rows.append([Cell(label)] + [Cell(format_value(v, "count"), INK if column != "total" else HEADER_FILL)
                                         for v in table[column]])
        self.table(fig, (x, y + h - ROW_H * (len(rows) + 1), w, ROW_H * (len(rows) + 1)), cols, rows)

    def property_page(self) -> None:
        self._area_page("property", "property_trend", "property_by_customer",
                        self.tx("report.page.property_by_customer"))

    def audits_page(self) -> None:
        self._area_page("audits", "audit_trend", "overdue_audit_actions", self.tx("report.page.overdue_audit"))

    # --- a detail list in a box ---------------------------------------------------------------------
    def _list(self, fig: Figure, name: str, frame: pd.DataFrame | None, box: tuple[float, float, float, float],
              *, sort: tuple[str, bool] | None = None) -> None:
        x, y, w, h = box
        top = y + h
        if frame is None:
            self.note(fig, x, top, self.tx("report.list_unavailable"), size=8.5, colour=MUTED, width=w)
            return
        if frame.empty:
            self.note(fig, x, top, self.tx("report.none"), size=8.5, colour=MUTED, width=w)
            return
        frame = with_customer_names(frame, self.names)
        if sort and sort[0] in frame.columns:
            frame = frame.sort_values(sort[0], ascending=sort[1], kind="stable")
        columns = [c for c in PDF_COLUMNS.get(name, ()) if c in frame.columns]
        if len(columns) < 2:
            columns = [c for c in list_columns(frame, ()) if not c.startswith("_")][:8]
        fit = min(self.rows_fitting(h - 0.3), PDF_LIST_ROWS)
        shown = frame.iloc[:fit]
        # each column as wide as its header or its typical content, plus a little air
        cols = [Col(c, column_label(c, self.lang), max(_col_weight(frame[c], c), display_width(column_label(c, self.lang))) + 2,
                    _col_align(frame[c])) for c in columns]
        rows = [[Cell(self._cell_text(v, c)) for v, c in zip(values, columns)]
                for values in shown[columns].astype(object).to_numpy()]
        self.table(fig, (x, top - ROW_H * (len(rows) + 1), w, ROW_H * (len(rows) + 1)), cols, rows)
        if len(frame) > len(shown):
            self.note(fig, x, top - ROW_H * (len(rows) + 1) - 0.05,
                      self.tx("report.list_cut", shown=len(shown), total=len(frame)), size=7.5, colour=MUTED, width=w)

    def _cell_text(self, value: Any, column: str) -> str:
        if isinstance(value, (bool, np.bool_)):
            return self.tx("report.yes" if value else "report.no")
        if is_missing(value):
            return NO_VALUE
        if isinstance(value, (pd.Timestamp, np.datetime64)) or hasattr(value, "strftime"):
            return f"{pd.Timestamp(value):%Y-%m-%d}"        # the day; the workbook keeps the time
        if isinstance(value, (int, float, np.integer, np.floating)):
            if column.endswith("_pct"):
                return format_value(value, "pct")
            return format_value(value, "count" if float(value).is_integer() else "score")
        if column in VOCAB_COLUMNS:
            return vocab_label(column, value, self.lang)
        return str(value)


_SCOPES = ("company", "customer", "plant", "category", "root_cause", "type", "item")


def _short_month(month: str, lang: str) -> str:
    from pipeline.report.formats import month_label
    return month_label(month, lang)


def _delta_ink(value: Any, better: str) -> str:
    if is_missing(value) or not better or value == 0:
        return MUTED
    improved = (value > 0) == (better == "higher")
    return STATUS_COLOURS["met" if improved else "missed"][0]


def _col_weight(values: pd.Series, column: str) -> float:
    """Relative width of a list column: enough for its header and typical content."""
    sample = values.dropna().astype(str).head(30)
    typical = float(np.percentile([display_width(v) for v in sample], 80)) if len(sample) else 4.0
    if pd.api.types.is_datetime64_any_dtype(values):
        typical = 10.0
    return float(min(max(typical, 5.0), 30.0))


def _col_align(values: pd.Series) -> str:
    return "right" if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values) else "left"


def _wrap(text: str, width_in: float, size: float) -> list[str]:
    """Break `text` into lines of at most `width_in` inches at font `size` (CJK counts double)."""
    units = max(10, int(width_in * 72 / (size * 0.5)) - 1)
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        line, used = "", 0
        for word in _tokens(paragraph):
            w = display_width(word)
            if used + w > units and line:
                lines.append(line.rstrip())
                line, used = word.lstrip(), display_width(word.lstrip())
            else:
                line += word
                used += w
        lines.append(line.rstrip())
    return lines


def _tokens(text: str) -> list[str]:
    """Words for wrapping: a CJK character is a word of its own, Latin words keep their space."""
    out, word = [], ""
    for ch in text:
        if display_width(ch) == 2:
            if word:
                out.append(word)
                word = ""
            out.append(ch)
        elif ch == " ":
            out.append(word + " ")
            word = ""
        else:
            word += ch
    if word:
        out.append(word)
    return out
