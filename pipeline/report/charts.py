"""Every chart of the pack. Each chart is a `draw_*(ax, …)` function that draws on an Axes (so a PDF
page can place several side by side) and a `*_figure(…) -> Figure` that makes it a figure of its
own (the PNG for slides). Charts never save or show anything: `save_png` and the PDF do.

Figures are made with `matplotlib.figure.Figure`, not pyplot, so none is kept in pyplot's registry
(a loop of charts cannot leak figures); the caller still closes each one after saving. All text is
drawn with the bundled Noto Sans CJK SC face (`fonts.py`) inside `chart_style()`; every label comes
from `pipeline/i18n.py` through the `lang` argument.
"""
from __future__ import annotations

import contextlib
import math
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from pipeline.i18n import t
from pipeline.report import fonts
from pipeline.report.control import ControlChart
from pipeline.report.formats import (INK, LIMIT, MUTED, NO_VALUE, PALETTE, RULE, SERIES, SERIES_LIGHT,
                                     STATUS_COLOURS, TARGET, display_width, format_value, kpi_label,
                                     month_label, truncate, vocab_label)

#: Size of a chart saved on its own (inches): a 16:9-friendly half slide.
CHART_SIZE = (10.0, 5.0)
PNG_DPI = 150
MET, MISSED = STATUS_COLOURS["met"][0], STATUS_COLOURS["missed"][0]
HEAT_GOOD, HEAT_NEAR, HEAT_BAD, HEAT_NONE = "#A9D8A6", "#FFE699", "#F4A6A6", "#F2F2F2"
#: Within this many points below the scorecard target a month shows amber, further below red.
HEAT_NEAR_POINTS = 10.0


@contextlib.contextmanager
def chart_style() -> Iterator[None]:
    """The pack's matplotlib settings (bundled CJK face embedded, no mathtext) for a block of code;
    both drawing and saving must happen inside it."""
    with matplotlib.rc_context(fonts.rc_params()):
        yield


def new_figure(size: tuple[float, float] = CHART_SIZE) -> Figure:
    return Figure(figsize=size, layout="constrained")


def save_png(fig: Figure, path: Path) -> Path:
    """Save a chart as PNG and close it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    # One draw, not savefig's two: with a layout engine `savefig` lays the figure out in a
    # rehearsal draw and again in the real one (for "tight" boxes, which these charts do not use).
    # Drawing on the canvas runs the constrained layout once and renders; the pixels are saved as is.
    fig.set_dpi(PNG_DPI)
    fig.patch.set_facecolor("white")
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1).save(
        path, format="png", dpi=(PNG_DPI, PNG_DPI), compress_level=6)
    close(fig)
    return path


def close(fig: Figure) -> None:
    """Release a figure (and its pyplot registration, if it ever had one)."""
    import matplotlib.pyplot as plt
    plt.close(fig)
    fig.clear()


def _figure_of(draw: Callable[..., Any], *args: Any, size: tuple[float, float] = CHART_SIZE,
               **kwargs: Any) -> Figure:
    fig = new_figure(size)
    ax = fig.add_subplot()
    draw(ax, *args, **kwargs)
    return fig


# --- small pieces ---------------------------------------------------------------------------------

def _title(ax: Axes, text: str, subtitle: str | None = None, *, pad: float = 6) -> None:
    """A left-aligned bold title, with an optional grey subtitle line between it and the axes.
    `pad` (points) leaves room for tick labels drawn above the axes (the heat map)."""
    if subtitle:
        ax.set_title(text, loc="left", fontsize=11, color=INK, pad=pad + 13)
        ax.annotate(subtitle, xy=(0, 1), xycoords="axes fraction", xytext=(0, pad), textcoords="offset points",
                    fontsize=8, color=MUTED, va="bottom", ha="left", annotation_clip=False)
    else:
        ax.set_title(text, loc="left", fontsize=11, color=INK, pad=pad)


def _month_axis(ax: Axes, months: Sequence[str], lang: str) -> None:
    ticks = range(len(months))
    labels = [month_label(m, lang, with_year=(i == 0 or m.endswith("-01"))) for i, m in enumerate(months)]
    ax.set_xticks(list(ticks), labels)
    ax.set_xlim(-0.6, len(months) - 0.4)
    ax.tick_params(axis="x", length=0)


def _grid(ax: Axes) -> None:
    ax.grid(axis="y", color="#E6E6E6", linewidth=0.7)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color(RULE)
    ax.spines["bottom"].set_color(RULE)


def _no_data(ax: Axes, lang: str, title: str) -> None:
    _title(ax, title)
    ax.text(0.5, 0.5, t("report.chart.no_data", lang), transform=ax.transAxes, ha="center", va="center",
            color=MUTED, fontsize=11)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def _pct_axis(ax: Axes) -> None:
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}%"))


def _twin_spines(twin: Axes) -> None:
    """A right-hand axis shows only its own spine."""
    for side in ("top", "left", "bottom"):
        twin.spines[side].set_visible(False)
    twin.spines["right"].set_color(RULE)


def _status_colour(status: str) -> str:
    return {"met": MET, "missed": MISSED}.get(status, SERIES)


def _target_line(ax: Axes, xs: np.ndarray, targets: np.ndarray, unit: str, lang: str,
                 colour: str = TARGET, label: bool = True, inside: bool = False) -> None:
    """The target as a dashed step line, labelled at its right end: beyond the last month, or just
    above the line's start when a right-hand axis takes the space beyond (`inside`)."""
    if np.all(np.isnan(targets)):
        return
    ax.step(xs, targets, where="mid", color=colour, linestyle="--", linewidth=1.3, zorder=2)
    valid = np.flatnonzero(~np.isnan(targets))
    at = int(valid[0] if inside else valid[-1])
    if label:
        ax.annotate(t("report.chart.target_value", lang, target=format_value(targets[at], unit)),
                    (xs[at], targets[at]), xytext=(-6 if inside else 4, 3), textcoords="offset points",
                    fontsize=7.5, color=colour, ha="left", va="bottom", annotation_clip=False)


# --- trends -------------------------------------------------------------------------------------------

def draw_trend(ax: Axes, series: pd.DataFrame, *, kpi: str, unit: str, lang: str, title: str | None = None) -> None:
    """A KPI's 12 monthly values with its target: markers red where missed, green where met, a gap
    where the month has no value ("—"), every value labelled."""
    title = title or kpi_label(kpi, lang)
    values = series["value"].to_numpy(dtype="float64")
    if np.all(np.isnan(values)):
        _no_data(ax, lang, title)
        return
    xs = np.arange(len(series))
    ax.plot(xs, values, color=SERIES, linewidth=2, zorder=3)
    colours = [_status_colour(s) for s in series["status"]]
    ax.scatter(xs, values, c=colours, s=36, zorder=4, edgecolors="white", linewidths=0.8)
    _value_labels(ax, xs, values, unit)
    _target_line(ax, xs, series["target"].to_numpy(dtype="float64"), unit, lang)
    _month_axis(ax, list(series["month"]), lang)
    if unit == "pct":
        _pct_axis(ax)
    _pad_y(ax, values, series["target"].to_numpy(dtype="float64"), floor_zero=unit not in ("pct", "score"))
    _grid(ax)
    _title(ax, title)


def _pad_y(ax: Axes, *arrays: np.ndarray, floor_zero: bool = True, top_pad: float = 0.18) -> None:
    finite = np.concatenate([a[np.isfinite(a)] for a in arrays if a is not None and a.size])
    if finite.size == 0:
        return
    low, high = float(finite.min()), float(finite.max())
    span = high - low if high > low else max(abs(high), 1.0)
    bottom = 0.0 if floor_zero and low >= 0 else low - span * 0.25
    if low >= 0:
        bottom = max(bottom, 0.0)       # a rate or count never goes below zero
    ax.set_ylim(bottom, high + span * top_pad + (span * 0.05 if floor_zero else 0))


def _value_labels(ax: Axes, xs: np.ndarray, values: np.ndarray, unit: str) -> None:
    """Label every point: below it where it is a dip (lower than both neighbours), else above, so
    that the label never sits on the line."""
    for i, (x, v) in enumerate(zip(xs, values)):
        if np.isnan(v):
            continue
        neighbours = [values[k] for k in (i - 1, i + 1) if 0 <= k < len(values) and not np.isnan(values[k])]
        # a dip at zero keeps its label above: below it would sit on the month labels
        dip = bool(neighbours) and all(v < n for n in neighbours) and v > 0
        ax.annotate(format_value(v, unit), (x, v), xytext=(0, -11 if dip else 6), textcoords="offset points",
                    ha="center", va="center" if dip else "bottom", fontsize=7, color=INK)


def trend_figure(series: pd.DataFrame, *, kpi: str, unit: str, lang: str, title: str | None = None) -> Figure:
    return _figure_of(draw_trend, series, kpi=kpi, unit=unit, lang=lang, title=title)


def draw_complaints(ax: Axes, counts: pd.DataFrame, rate: pd.DataFrame, *, lang: str) -> None:
    """Complaints per month (bars, counted) and the complaint rate per lot delivered (line, right
    axis) with its target."""
    title = t("report.chart.complaints_trend", lang)
    values = counts["value"].to_numpy(dtype="float64")
    if np.all(np.isnan(values)):
        _no_data(ax, lang, title)
        return
    xs = np.arange(len(counts))
    ax.bar(xs, np.nan_to_num(values), color=SERIES_LIGHT, width=0.6, zorder=2)
    for x, v in zip(xs, values):
        if not np.isnan(v):     # the count sits inside the bar's foot: the rate line runs above
            ax.annotate(format_value(v, "count"), (x, 0), xytext=(0, 3), textcoords="offset points",
                        ha="center", va="bottom", fontsize=7.5, color=SERIES)
    ax.set_ylabel(t("report.chart.count", lang))
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    _pad_y(ax, values, top_pad=0.35)
    twin = ax.twinx()
    r = rate["value"].to_numpy(dtype="float64")
    twin.plot(xs, r, color=SERIES, linewidth=2, marker="o", markersize=4, zorder=3)
    twin.scatter(xs, r, c=[_status_colour(s) for s in rate["status"]], s=30, zorder=4,
                 edgecolors="white", linewidths=0.8)
    _target_line(twin, xs, rate["target"].to_numpy(dtype="float64"), "pct", lang, inside=True)
    _pct_axis(twin)
    _pad_y(twin, r, rate["target"].to_numpy(dtype="float64"), top_pad=0.3)
    _twin_spines(twin)
    twin.set_ylabel(t("report.chart.rate", lang))
    _month_axis(ax, list(counts["month"]), lang)
    _grid(ax)
    ax.spines["right"].set_visible(False)
    handles = [Patch(color=SERIES_LIGHT, label=kpi_label("complaints", lang)),
               Line2D([], [], color=SERIES, marker="o", label=kpi_label("complaint_rate_pct", lang)),
               Line2D([], [], color=TARGET, linestyle="--", label=t("report.chart.target", lang))]
    ax.legend(handles=handles, loc="upper left", frameon=False, ncols=3, fontsize=7.5)
    _title(ax, title)


def complaints_figure(counts: pd.DataFrame, rate: pd.DataFrame, *, lang: str) -> Figure:
    return _figure_of(draw_complaints, counts, rate, lang=lang)


def draw_multi_trend(ax: Axes, lines: Sequence[tuple[str, pd.DataFrame]], *, unit: str, lang: str,
                     title: str) -> None:
    """Several KPIs of the same unit over the 12 months, each with its own target (same colour,
    dashed)."""
    colours = (SERIES, "#5B9BD5", "#A9D18E", "#F4B183")
    all_values = [s["value"].to_numpy(dtype="float64") for _, s in lines]
    if not lines or all(np.all(np.isnan(v)) for v in all_values):
        _no_data(ax, lang, title)
        return
    xs = np.arange(len(lines[0][1]))
    handles = []
    targets = []
    for (kpi, series), colour, values in zip(lines, colours, all_values):
        ax.plot(xs, values, color=colour, linewidth=2, marker="o", markersize=4, zorder=3)
        missed = series["status"].eq("missed").to_numpy()
        ax.scatter(xs[missed], values[missed], s=40, color=MISSED, zorder=4, edgecolors="white")
        target = series["target"].to_numpy(dtype="float64")
        targets.append(target)
        if not np.all(np.isnan(target)):
            ax.step(xs, target, where="mid", color=colour, linestyle="--", linewidth=1.1, zorder=2)
        handles.append(Line2D([], [], color=colour, marker="o", label=kpi_label(kpi, lang)))
    handles.append(Line2D([], [], color=MUTED, linestyle="--", label=t("report.chart.target", lang)))
    handles.append(Line2D([], [], color=MISSED, marker="o", linestyle="", label=t("report.status.missed", lang)))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False,
              ncols=len(handles), fontsize=7.5)
    _month_axis(ax, list(lines[0][1]["month"]), lang)
    if unit == "pct":
        _pct_axis(ax)
    _pad_y(ax, *all_values, *targets, floor_zero=False, top_pad=0.1)
    _grid(ax)
    _title(ax, title)


def multi_trend_figure(lines: Sequence[tuple[str, pd.DataFrame]], *, unit: str, lang: str, title: str) -> Figure:
    return _figure_of(draw_multi_trend, lines, unit=unit, lang=lang, title=title)


def draw_bars_and_rates(ax: Axes, months: Sequence[str], stacks: pd.DataFrame, stack_labels: Mapping[str, str],
                        rates: Sequence[tuple[str, pd.DataFrame]], *, lang: str, title: str,
                        bar_label: str | None = None) -> None:
    """Monthly volumes as (stacked) bars, with percentage KPIs as lines on the right axis, each
    with its target dashed. Used for feedback, visits, service, property and audits."""
    months = list(months)
    totals = stacks.sum(axis=1, min_count=1).to_numpy(dtype="float64") if not stacks.empty else np.full(len(months), np.nan)
    rate_values = [s["value"].to_numpy(dtype="float64") for _, s in rates]
    if np.all(np.isnan(totals)) and all(np.all(np.isnan(v)) for v in rate_values):
        _no_data(ax, lang, title)
        return
    xs = np.arange(len(months))
    bottom = np.zeros(len(months))
    handles = []
    for i, column in enumerate(stacks.columns):
        heights = np.nan_to_num(stacks[column].to_numpy(dtype="float64"))
        colour = PALETTE[i % len(PALETTE)] if len(stacks.columns) > 1 else SERIES_LIGHT
        ax.bar(xs, heights, bottom=bottom, color=colour, width=0.6, zorder=2)
        bottom = bottom + heights
        handles.append(Patch(color=colour, label=stack_labels.get(column, str(column))))
    for x, v in zip(xs, totals):
        if not np.isnan(v) and v != 0:
            ax.annotate(format_value(v, "count"), (x, v), xytext=(0, 2), textcoords="offset points",
                        ha="center", fontsize=7, color=INK)
    if bar_label:
        ax.set_ylabel(bar_label)
    finite = totals[np.isfinite(totals)]
    top = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    # bars in the lower half, rate lines in the upper half: one axes, two bands that never cross
    ax.set_ylim(0, top * (2.15 if rates else 1.25))
    ticks = matplotlib.ticker.MaxNLocator(nbins=4, integer=True).tick_values(0, top)
    ax.yaxis.set_major_locator(matplotlib.ticker.FixedLocator([v for v in ticks if 0 <= v <= top * 1.05]))
    _month_axis(ax, months, lang)
    _grid(ax)
    if rates:
        twin = ax.twinx()
        colours = (SERIES, "#C55A11", "#7030A0")
        for (kpi, series), colour, values in zip(rates, colours, rate_values):
            twin.plot(xs, values, color=colour, linewidth=2, marker="o", markersize=4, zorder=3)
            missed = series["status"].eq("missed").to_numpy()
            twin.scatter(xs[missed], values[missed], s=40, color=MISSED, zorder=4, edgecolors="white")
            target = series["target"].to_numpy(dtype="float64")
            if not np.all(np.isnan(target)):
                twin.step(xs, target, where="mid", color=colour, linestyle="--", linewidth=1.1)
            handles.append(Line2D([], [], color=colour, marker="o", label=kpi_label(kpi, lang)))
        handles.append(Line2D([], [], color=MUTED, linestyle="--", label=t("report.chart.target", lang)))
        low = min([0.0] + [float(np.nanmin(v)) for v in rate_values if np.isfinite(v).any()])
        twin.set_ylim(low - (112 - low) * 1.05, 112)
        twin.set_yticks([v for v in (0, 25, 50, 75, 100) if v >= low - 1e-9])
        _pct_axis(twin)
        _twin_spines(twin)
        ax.spines["right"].set_visible(False)
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.1), frameon=False,
              ncols=min(6, len(handles)), fontsize=7.5)
    _title(ax, title)


def bars_and_rates_figure(months: Sequence[str], stacks: pd.DataFrame, stack_labels: Mapping[str, str],
                          rates: Sequence[tuple[str, pd.DataFrame]], *, lang: str, title: str,
                          bar_label: str | None = None) -> Figure:
    return _figure_of(draw_bars_and_rates, months, stacks, stack_labels, rates, lang=lang, title=title,
                      bar_label=bar_label)


def draw_warranty(ax: Axes, table: pd.DataFrame, *, lang: str, year: str) -> None:
    """三包 cases per month of the year (stacked by 包修 / 包换 / 包退) with the year-to-date totals
    in the subtitle (seed 001: 每月分类汇总, 年底总汇总)."""
    title = t("report.chart.warranty", lang, year=year)
    types = [c for c in ("warranty_repair", "warranty_replace", "warranty_return") if c in table.columns]
    monthly = table[table["month"].astype(str).str.fullmatch(r"\d{4}-\d{2}")] if "month" in table else table.iloc[0:0]
    if monthly.empty or not types:
        _no_data(ax, lang, title)
        return
    totals_row = table[table["month"].astype(str).eq(year)]
    months = list(monthly["month"].astype(str))
    xs = np.arange(len(months))
    bottom = np.zeros(len(months))
    handles = []
    ytd = {c: totals_row[c].iloc[0] for c in types} if not totals_row.empty else {}
    for i, column in enumerate(types):
        heights = pd.to_numeric(monthly[column], errors="coerce").fillna(0).to_numpy(dtype="float64")
        ax.bar(xs, heights, bottom=bottom, color=PALETTE[i], width=0.6, zorder=2)
        bottom = bottom + heights
        label = vocab_label("type", column, lang)
        if column in ytd:           # the year-to-date total of each type in its legend entry
            label = t("report.chart.ytd_of_type", lang, type=label, n=format_value(ytd[column], "count"))
        handles.append(Patch(color=PALETTE[i], label=label))
    for x, v in zip(xs, bottom):
        ax.annotate(format_value(v, "count"), (x, v), xytext=(0, 2), textcoords="offset points",
                    ha="center", fontsize=7)
    _month_axis(ax, months, lang)
    _pad_y(ax, bottom, top_pad=0.7)          # room for the three-line legend above the bars
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    _grid(ax)
    ax.legend(handles=handles, loc="upper left", frameon=False, ncols=1 if len(types) > 2 else 2, fontsize=7.5)
    subtitle = None
    if not totals_row.empty:
        total = totals_row["total"].iloc[0] if "total" in totals_row else sum(ytd.values())
        subtitle = t("report.chart.ytd_totals", lang, year=year, items=format_value(total, "count"))
    _title(ax, title, subtitle)


def warranty_figure(table: pd.DataFrame, *, lang: str, year: str) -> Figure:
    return _figure_of(draw_warranty, table, lang=lang, year=year)


# --- Pareto -----------------------------------------------------------------------------------------

def draw_pareto(ax: Axes, table: pd.DataFrame, labels: Sequence[str], *, lang: str, title: str) -> None:
    """Bars by count, largest first, "Other" last in grey; the cumulative share as a line on the
    right axis (0–100 %) with the 80 % line dotted."""
    if table.empty:
        _no_data(ax, lang, title)
        return
    xs = np.arange(len(table))
    counts = table["count"].to_numpy(dtype="float64")
    colours = [MUTED if o else SERIES for o in table["other"]]
    ax.bar(xs, counts, color=colours, width=0.65, zorder=2)
    for x, v in zip(xs, counts):
        ax.annotate(format_value(v, "count"), (x, v), xytext=(0, 2), textcoords="offset points",
                    ha="center", fontsize=7)
    width = 18 if len(table) <= 6 else 12
    shown = [truncate(x, width) for x in labels]
    # tilt the labels only when side by side they would not fit under their bars
    tilt = sum(display_width(x) + 3 for x in shown) > 75
    ax.set_xticks(list(xs), shown, rotation=25 if tilt else 0, ha="right" if tilt else "center",
                  rotation_mode="anchor", fontsize=7.5)
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.tick_params(axis="x", length=0)
    ax.set_ylabel(t("report.chart.count", lang))
    _pad_y(ax, counts, top_pad=0.15)
    twin = ax.twinx()
    cumulative = table["cumulative_pct"].to_numpy(dtype="float64")
    twin.plot(xs, cumulative, color=TARGET, marker="o", markersize=4, linewidth=1.8, zorder=3)
    for x, v in zip(xs, cumulative):
        twin.annotate(f"{v:.0f}%", (x, v), xytext=(0, 5), textcoords="offset points", ha="center",
                      fontsize=6.5, color=TARGET)
    twin.axhline(80, color=TARGET, linestyle=":", linewidth=0.9)
    twin.set_ylim(0, 112)
    _pct_axis(twin)
    _twin_spines(twin)
    _grid(ax)
    ax.spines["right"].set_visible(False)
    ax.set_xlim(-0.6, len(table) - 0.4)
    _title(ax, title)


def pareto_figure(table: pd.DataFrame, labels: Sequence[str], *, lang: str, title: str) -> Figure:
    return _figure_of(draw_pareto, table, labels, lang=lang, title=title)


# --- control chart ------------------------------------------------------------------------------------

def control_note(chart: ControlChart, lang: str) -> str:
    """The sentence that says which chart was drawn and why (σ_z against its threshold)."""
    if chart.points.empty or math.isnan(chart.centre_pct) or chart.points["ucl_pct"].isna().all():
        return t("report.chart.pchart.flat", lang)
    if math.isnan(chart.sigma_z):
        return t("report.chart.pchart.few", lang)
    key = "report.chart.pchart.laney" if chart.method == "laney" else "report.chart.pchart.p"
    return t(key, lang, sigma_z=f"{chart.sigma_z:.2f}", threshold=f"{chart.threshold:g}")


def draw_control(ax: Axes, chart: ControlChart, months: Sequence[str], *, lang: str) -> None:
    """The monthly complaint rate against its centre line and 3σ limits (different each month, from
    that month's delivered lots); months outside the limits in red; the method stated on the chart."""
    title = t("report.chart.pchart", lang)
    note = control_note(chart, lang)
    points = chart.points
    if points.empty:
        _no_data(ax, lang, title)
        return
    position = {m: i for i, m in enumerate(months)}
    xs = points["month"].map(position).to_numpy(dtype="float64")
    rate = points["rate_pct"].to_numpy(dtype="float64")
    ax.plot(xs, rate, color=SERIES, linewidth=1.8, marker="o", markersize=5, zorder=3,
            label=kpi_label("complaint_rate_pct", lang))
    ax.axhline(chart.centre_pct, color=INK, linewidth=1.1, zorder=2,
               label=t("report.chart.cl", lang, value=format_value(chart.centre_pct, "pct")))
    if points["ucl_pct"].notna().any():
        ucl = points["ucl_pct"].to_numpy(dtype="float64")
        lcl = points["lcl_pct"].to_numpy(dtype="float64")
        # each month has its own limits (its own number of lots): one short segment per month
        ax.hlines(ucl, xs - 0.42, xs + 0.42, color=LIMIT, linestyle="--", linewidth=1.3,
                  label=t("report.chart.ucl", lang))
        ax.hlines(lcl, xs - 0.42, xs + 0.42, color=LIMIT, linestyle=":", linewidth=1.3,
                  label=t("report.chart.lcl", lang))
        signal = points["signal"].to_numpy(dtype=bool)
        if signal.any():
            ax.scatter(xs[signal], rate[signal], s=90, facecolors="none", edgecolors=MISSED, linewidths=2,
                       zorder=5, label=t("report.chart.signal", lang))
        _pad_y(ax, rate, ucl, lcl, top_pad=0.12)
    else:
        _pad_y(ax, rate, top_pad=0.3)
    _value_labels(ax, xs, rate, "pct")
    _month_axis(ax, months, lang)
    _pct_axis(ax)
    _grid(ax)
    ax.legend(loc="upper left", frameon=False, ncols=5, fontsize=7.5)
    flagged = points.loc[points["signal"], "month"].tolist()
    verdict = (t("report.chart.signals", lang, months="、".join(flagged) if lang == "zh" else ", ".join(flagged))
               if flagged else t("report.chart.no_signal", lang))
    _title(ax, title, f"{note} {verdict}")


def control_figure(chart: ControlChart, months: Sequence[str], *, lang: str) -> Figure:
    return _figure_of(draw_control, chart, months, lang=lang)


# --- scorecard heat map --------------------------------------------------------------------------------

#: customers drawn in a chart of one row per customer (heat map, survey scores)
PNG_MAX_CUSTOMERS = 60


def heat_colour(value: float, target: float) -> str:
    """Green at or above target, amber within 10 points below it, red further below, grey for no score."""
    if value is None or math.isnan(value):
        return HEAT_NONE
    if value >= target:
        return HEAT_GOOD
    return HEAT_NEAR if value >= target - HEAT_NEAR_POINTS else HEAT_BAD


def draw_heatmap(ax: Axes, scores: pd.DataFrame, issued: pd.DataFrame, labels: Sequence[str], *,
                 target: float, lang: str, title: str | None = None) -> None:
    """Customers (rows) × months (columns) of `scorecard_final`, each cell coloured by band and
    printed; a month scored by the customer itself is marked *."""
    title = title or t("report.chart.heatmap", lang, target=format_value(target, "score"))
    if scores.empty:
        _no_data(ax, lang, title)
        return
    months = list(scores.columns)
    n_rows, n_cols = scores.shape
    for i in range(n_rows):
        for j in range(n_cols):
            value = float(scores.iat[i, j])
            ax.add_patch(matplotlib.patches.Rectangle((j, i), 1, 1, facecolor=heat_colour(value, target),
                                                      edgecolor="white", linewidth=1.5))
            text = NO_VALUE if math.isnan(value) else f"{value:.0f}"
            if not math.isnan(value) and bool(issued.iat[i, j]):
                text += "*"
            ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", fontsize=8 if n_rows <= 15 else 7,
                    color=INK if not math.isnan(value) else MUTED)
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)
    ax.set_xticks(np.arange(n_cols) + 0.5,
                  [month_label(m, lang, with_year=(k == 0 or m.endswith("-01"))) for k, m in enumerate(months)])
    ax.set_yticks(np.arange(n_rows) + 0.5, [truncate(x, 36) for x in labels], fontsize=8)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.xaxis.tick_top()
    _title(ax, title, t("report.chart.heatmap_legend", lang), pad=26)


def heatmap_figure(scores: pd.DataFrame, issued: pd.DataFrame, labels: Sequence[str], *, target: float,
                   lang: str) -> Figure:
    height = max(3.2, 1.6 + 0.32 * len(scores))
    return _figure_of(draw_heatmap, scores, issued, labels, target=target, lang=lang, size=(10.0, height))


# --- satisfaction ----------------------------------------------------------------------------------

def draw_survey_items(ax: Axes, items: pd.DataFrame, *, target: float, lang: str, round_label: str) -> None:
    """Each survey item's company-wide mean (0–100), best on top, with the satisfaction target."""
    title = t("report.chart.survey_items", lang, round=round_label)
    if items.empty or items["value"].isna().all():
        _no_data(ax, lang, title)
        return
    items = items.sort_values("value", ascending=True, na_position="first")
    ys = np.arange(len(items))
    values = items["value"].to_numpy(dtype="float64")
    colours = [MISSED if (not math.isnan(target) and v < target) else SERIES for v in values]
    ax.barh(ys, np.nan_to_num(values), color=colours, height=0.6, zorder=2)
    for y, v in zip(ys, values):
        ax.annotate(format_value(v, "score"), (0 if math.isnan(v) else v, y), xytext=(3, 0),
                    textcoords="offset points", va="center", fontsize=7.5)
    ax.set_yticks(ys, [vocab_label("item", k, lang) for k in items["key"]])
    if not math.isnan(target):
        ax.axvline(target, color=TARGET, linestyle="--", linewidth=1.2)
        ax.annotate(t("report.chart.target_value", lang, target=format_value(target, "score")), (target, len(ys) - 0.4),
                    xytext=(3, 0), textcoords="offset points", fontsize=7.5, color=TARGET)
    ax.set_xlim(0, 105)
    ax.grid(axis="x", color="#E6E6E6", linewidth=0.7)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", length=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    _title(ax, title)


def survey_items_figure(items: pd.DataFrame, *, target: float, lang: str, round_label: str) -> Figure:
    return _figure_of(draw_survey_items, items, target=target, lang=lang, round_label=round_label)


def draw_grades(ax: Axes, grades: pd.DataFrame, order: Sequence[tuple[str, str]], *, lang: str,
                round_label: str) -> None:
    """Customers per grade in the round, best grade first; `order` is (English label, shown label)."""
    total = int(grades["customers"].sum()) if not grades.empty else 0
    title = t("report.chart.survey_grades", lang, round=round_label, n=total)
    if total == 0:
        _no_data(ax, lang, title)
        return
    counts = grades.set_index("label")["customers"]
    xs = np.arange(len(order))
    values = np.array([float(counts.get(en, 0)) for en, _ in order])
    ramp = ["#2E7D32", "#81C784", "#FFD54F", "#FF8A65", "#C62828", "#8E0000"]
    colours = [ramp[min(i, len(ramp) - 1)] if len(order) <= 5 else ramp[min(i * 5 // len(order), 4)]
               for i in range(len(order))]
    ax.bar(xs, values, color=colours, width=0.6, zorder=2)
    for x, v in zip(xs, values):
        ax.annotate(f"{v:.0f}", (x, v), xytext=(0, 2), textcoords="offset points", ha="center", fontsize=8)
    ax.set_xticks(list(xs), [shown for _, shown in order], fontsize=8)
    ax.set_ylabel(t("report.chart.customers", lang))
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    _pad_y(ax, values, top_pad=0.25)
    _grid(ax)
    ax.tick_params(axis="x", length=0)
    _title(ax, title)


def grades_figure(grades: pd.DataFrame, order: Sequence[tuple[str, str]], *, lang: str, round_label: str) -> Figure:
    return _figure_of(draw_grades, grades, order, lang=lang, round_label=round_label)


def draw_survey_customers(ax: Axes, table: pd.DataFrame, labels: Sequence[str], *, target: float, lang: str,
                          round_label: str, subtitle: str | None = None) -> None:
    """Each customer's survey score with its 95 % interval and its n; a customer with fewer than 3
    returns is drawn hollow (small sample); a customer with no return shows "—"."""
    title = t("report.chart.survey_customers", lang, round=round_label)
    if table.empty:
        _no_data(ax, lang, title)
        return
    ys = np.arange(len(table))
    score = pd.to_numeric(table["score"], errors="coerce").to_numpy(dtype="float64")
    low = pd.to_numeric(table.get("ci_low", pd.Series(np.nan, index=table.index)), errors="coerce").to_numpy(dtype="float64")
    high = pd.to_numeric(table.get("ci_high", pd.Series(np.nan, index=table.index)), errors="coerce").to_numpy(dtype="float64")
    small = table.get("small_sample", pd.Series(False, index=table.index)).fillna(False).astype(bool).to_numpy()
    returned = pd.to_numeric(table.get("returned", pd.Series(np.nan, index=table.index)), errors="coerce").to_numpy()
    has_ci = ~np.isnan(low) & ~np.isnan(high)
    ax.hlines(ys[has_ci], low[has_ci], high[has_ci], color=SERIES_LIGHT, linewidth=3, zorder=2)
    below = ~np.isnan(score) & (score < target)
    colour = np.where(below, MISSED, SERIES)
    for y, s, c, hollow in zip(ys, score, colour, small):
        if math.isnan(s):
            continue
        ax.scatter([s], [y], s=46, zorder=3, facecolors="white" if hollow else c, edgecolors=c, linewidths=1.8)
    left = 40.0 if np.all(np.isnan(low)) else min(40.0, float(np.nanmin(low)) - 5)
    for y, s, n, hi in zip(ys, score, returned, high):
        n_text = t("report.chart.n", lang, n="—" if np.isnan(n) else f"{n:.0f}")
        if math.isnan(s):
            ax.annotate(f"{NO_VALUE}   {n_text}", (left + 1, y), va="center", fontsize=7.5, color=MUTED)
        else:
            x = hi if not math.isnan(hi) else s
            ax.annotate(f"{format_value(s, 'score')}  ({n_text})", (x, y), xytext=(6, 0),
                        textcoords="offset points", va="center", fontsize=7.5)
    if not math.isnan(target):
        ax.axvline(target, color=TARGET, linestyle="--", linewidth=1.2)
    ax.set_xlim(left, 112)
    ax.set_ylim(len(ys) - 0.5, -0.5)
    ax.set_yticks(ys, [truncate(x, 22) for x in labels], fontsize=8)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="#E6E6E6", linewidth=0.7)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    handles = [Line2D([], [], marker="o", linestyle="", color=SERIES, label=t("report.col.score", lang)),
               Line2D([], [], marker="o", linestyle="", markerfacecolor="white", color=SERIES,
                      label=t("report.chart.small_sample", lang)),
               Line2D([], [], color=SERIES_LIGHT, linewidth=3, label=t("report.chart.interval", lang)),
               Line2D([], [], color=TARGET, linestyle="--", label=t("report.chart.target", lang))]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.06), frameon=False, ncols=4,
              fontsize=7.5)
    _title(ax, title, subtitle)


def survey_customers_figure(table: pd.DataFrame, labels: Sequence[str], *, target: float, lang: str,
                            round_label: str) -> Figure:
    height = max(3.5, 1.8 + 0.3 * len(table))
    return _figure_of(draw_survey_customers, table, labels, target=target, lang=lang,
                      round_label=round_label, size=(10.0, height))


# --- open complaints --------------------------------------------------------------------------------

def draw_age_bands(ax: Axes, bands: pd.DataFrame, *, lang: str, as_of: str) -> None:
    """Open complaints per age band (0–30, 31–60, 61–90, over 90 days), stacked by category."""
    total = int(bands.to_numpy().sum()) if not bands.empty else 0
    title = t("report.chart.open_age", lang, as_of=as_of, n=total)
    if total == 0:
        _no_data(ax, lang, title)
        return
    xs = np.arange(len(bands.index))
    bottom = np.zeros(len(xs))
    handles = []
    for i, column in enumerate(bands.columns):
        heights = bands[column].to_numpy(dtype="float64")
        colour = PALETTE[i % len(PALETTE)]
        ax.bar(xs, heights, bottom=bottom, color=colour, width=0.6, zorder=2)
        bottom = bottom + heights
        handles.append(Patch(color=colour, label=vocab_label("category", column, lang) if column else NO_VALUE))
    for x, v in zip(xs, bottom):
        ax.annotate(f"{v:.0f}", (x, v), xytext=(0, 2), textcoords="offset points", ha="center", fontsize=8)
    ax.set_xticks(list(xs), [t(f"report.age.{b}", lang) for b in bands.index])
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    _pad_y(ax, bottom, top_pad=0.3)
    _grid(ax)
    ax.tick_params(axis="x", length=0)
    if len(bands.columns) > 1 or (len(bands.columns) == 1 and bands.columns[0]):
        ax.legend(handles=handles, loc="upper right", frameon=False, fontsize=7.5)
    _title(ax, title)


def age_bands_figure(bands: pd.DataFrame, *, lang: str, as_of: str) -> Figure:
    return _figure_of(draw_age_bands, bands, lang=lang, as_of=as_of)


# --- the pack's charts ----------------------------------------------------------------------------

#: The PNG files under charts/, in pack order: stable names for slides that link to them.
PNG_CHARTS: tuple[str, ...] = (
    "otd_trend", "ppm_trend", "complaints_trend", "response_trend", "scorecard_trend",
    "pareto_category", "pareto_root_cause", "pareto_customer", "pareto_part", "complaint_rate_control",
    "scorecard_heatmap", "survey_items", "survey_grades", "survey_customers", "open_complaints_age",
    "feedback_trend", "visits_trend", "service_trend", "warranty_cases", "property_trend", "audit_trend",
)
#: Which area each chart belongs to: a chart of an absent area is not drawn at all.
CHART_AREA: Mapping[str, str] = {
    "otd_trend": "delivery", "ppm_trend": "complaints", "complaints_trend": "complaints",
    "response_trend": "complaints", "scorecard_trend": "scorecard", "pareto_category": "complaints",
    "pareto_root_cause": "complaints", "pareto_customer": "complaints", "pareto_part": "complaints",
    "complaint_rate_control": "complaints", "scorecard_heatmap": "scorecard", "survey_items": "satisfaction",
    "survey_grades": "satisfaction", "survey_customers": "satisfaction", "open_complaints_age": "complaints",
    "feedback_trend": "feedback", "visits_trend": "visits", "service_trend": "service",
    "warranty_cases": "service", "property_trend": "property", "audit_trend": "audits",
}
PARETO_DIMENSIONS = ("category", "root_cause", "customer", "part")
#: The further areas' trend charts: (count KPI, its scope by kind or None, the vocabulary column
#: that names the kinds, the rate KPIs drawn as lines).
AREA_TRENDS: Mapping[str, tuple[str, str | None, str | None, tuple[str, ...]]] = {
    "feedback_trend": ("feedback_items", "category", "category", ("feedback_filed_on_time_pct",)),
    "visits_trend": ("visits", None, None, ("visit_report_on_time_pct",)),
    "service_trend": ("service_requests", "type", "type", ("service_on_time_pct", "service_satisfaction_pct")),
    "property_trend": ("property_incidents", None, None, ("property_reported_pct",)),
    "audit_trend": ("audit_findings", "type", "finding_type", ("audit_actions_on_time_pct",)),
}


class PackCharts:
    """The charts of one pack: the inputs of every chart taken from the pack's data once, and one
    `draw(name, ax)` / `figure(name)` per chart of `PNG_CHARTS`."""

    def __init__(self, data: Any) -> None:
        from pipeline.report import details as d
        from pipeline.report.control import complaint_rate_control
        from pipeline.report.workbook import pareto_label, pareto_tables

        self.data, self.lang = data, data.run.language
        self.d = d
        kpis, months = data.kpis, list(data.months)
        self.months = months
        self.names = {str(k): str(v) for k, v in data.names.items()}
        self.series = {k: d.company_series(kpis, k, months) for k in (
            "otd_pct", "ppm", "complaints", "complaint_rate_pct", "response_on_time_pct", "d8_on_time_pct",
            "scorecard_final", "feedback_filed_on_time_pct", "visits", "visit_report_on_time_pct",
            "service_on_time_pct", "service_satisfaction_pct", "property_incidents", "property_reported_pct",
            "audit_actions_on_time_pct", "feedback_items", "service_requests", "audit_findings")}
        self.paretos = pareto_tables(data) if data.area_present("complaints") else {}
        self.pareto_labels = {dim: [pareto_label(dim, k, self.lang, self.names) for k in table["key"]]
                              for dim, table in self.paretos.items()}
        rate = self.series["complaint_rate_pct"]
        self.control = complaint_rate_control(rate["month"], rate["numerator"], rate["denominator"], rate["value"])
        self.round = d.current_periods(kpis, data.period)["round"]
        self.open_rows = d.open_complaint_ages(data.detail("open_complaints"), data.run.as_of)
        self._heat: tuple | None = None

    # which charts this pack has
    def available(self, name: str) -> bool:
        area = CHART_AREA[name]
        if not self.data.area_present(area):
            return False
        if name == "open_complaints_age":
            return self.open_rows is not None
        if name == "scorecard_heatmap" or name == "scorecard_trend":
            return not self.heat_scores()[0].empty
        if area == "satisfaction":
            return self.round is not None
        return True

    def names_available(self) -> list[str]:
        return [n for n in PNG_CHARTS if self.available(n)]

    # inputs shaped for the harder charts
    def heat_scores(self) -> tuple[pd.DataFrame, pd.DataFrame, list[str], float]:
        """Customer × month `scorecard_final`, which of them the customer issued, row labels, target."""
        if self._heat is None:
            self._heat = self._heat_scores()
        return self._heat

    def heat_scores_shown(self) -> tuple[pd.DataFrame, pd.DataFrame, list[str], float, str | None]:
        """The heat map's rows for a chart: every customer up to `PNG_MAX_CUSTOMERS`, else those with
        the lowest mean score of the window (a chart of hundreds of rows is neither readable nor
        quick to draw; the workbook has them all), and the note saying so."""
        scores, issued, labels, target = self.heat_scores()
        if len(scores) <= PNG_MAX_CUSTOMERS:
            return scores, issued, labels, target, None
        means = scores.mean(axis=1, skipna=True).to_numpy()
        shown = np.sort(np.argsort(np.nan_to_num(means, nan=np.inf), kind="stable")[:PNG_MAX_CUSTOMERS])
        note = t("report.chart.heatmap_cut", self.lang, shown=PNG_MAX_CUSTOMERS, total=len(scores))
        return (scores.iloc[shown], issued.iloc[shown], [labels[i] for i in shown], target, note)

    def survey_customers_shown(self) -> tuple[pd.DataFrame, list[str], str | None]:
        """The survey chart's customers: all up to `PNG_MAX_CUSTOMERS`, else the lowest scores."""
        table, labels = self.survey_customers_frame()
        if len(table) <= PNG_MAX_CUSTOMERS:
            return table, labels, None
        total = len(table)
        order = pd.to_numeric(table["score"], errors="coerce").sort_values(na_position="first").index[:PNG_MAX_CUSTOMERS]
        keep = table.index.isin(order)
        subtitle = t("report.chart.survey_customers_lowest", self.lang, shown=PNG_MAX_CUSTOMERS, total=total)
        return table[keep].reset_index(drop=True), [x for x, k in zip(labels, keep) if k], subtitle

    def _heat_scores(self) -> tuple[pd.DataFrame, pd.DataFrame, list[str], float]:
        kpis = self.data.kpis
        final = kpis[kpis["kpi"].eq("scorecard_final") & kpis["scope"].eq("customer") & kpis["period"].isin(self.months)]
        if final.empty:
            empty = pd.DataFrame(columns=self.months)
            return empty, empty, [], 90.0
        scores = final.pivot_table(index="key", columns="period", values="value", aggfunc="last", dropna=False)
        scores = scores.reindex(columns=self.months)
        internal = kpis[kpis["kpi"].eq("scorecard_internal") & kpis["scope"].eq("customer")
                        & kpis["period"].isin(self.months)]
        internal = internal.pivot_table(index="key", columns="period", values="value", aggfunc="last",
                                        dropna=False).reindex(index=scores.index, columns=self.months)
        # a final score that is not our internal one was issued by the customer (kpis.md)
        issued = scores.notna() & internal.notna() & ~np.isclose(scores.fillna(-1), internal.fillna(-1))
        labels = [f"{k}  {self.names[k]}" if k in self.names and self.names[k] != k else k for k in scores.index]
        targets = final["target"].dropna()
        return scores, issued, labels, float(targets.iloc[-1]) if not targets.empty else 90.0

    def survey_items_frame(self) -> pd.DataFrame:
        kpis = self.data.kpis
        rows = kpis[kpis["kpi"].eq("survey_item_score") & kpis["period"].eq(self.round or "")]
        return rows[["key", "value"]].reset_index(drop=True)

    def survey_target(self) -> float:
        kpis = self.data.kpis
        rows = kpis[kpis["kpi"].eq("survey_score") & kpis["period"].eq(self.round or "")]["target"].dropna()
        return float(rows.iloc[0]) if not rows.empty else math.nan

    def survey_customers_frame(self) -> tuple[pd.DataFrame, list[str]]:
        table = self.data.detail("survey_customers")
        if table is None or table.empty:
            kpis = self.data.kpis
            rows = kpis[kpis["kpi"].eq("survey_score") & kpis["scope"].eq("customer") & kpis["period"].eq(self.round or "")]
            table = pd.DataFrame({"customer_key": rows["key"], "score": rows["value"]})
        else:
            table = table[table["round"].astype(str).eq(self.round or "")]
        table = table.assign(_s=pd.to_numeric(table["score"], errors="coerce")).sort_values(
            "_s", ascending=False, na_position="last").drop(columns="_s").reset_index(drop=True)
        labels = [self.names.get(str(k), str(k)) for k in table["customer_key"]]
        return table, labels

    def warranty_table(self) -> pd.DataFrame:
        """三包 by month (January..P) and year to date, from the long table's warranty_cases rows."""
        kpis, year = self.data.kpis, self.data.period[:4]
        months = [str(p) for p in pd.period_range(f"{year}-01", self.data.period, freq="M")]
        rows = kpis[kpis["kpi"].eq("warranty_cases") & kpis["scope"].eq("type")]
        types = ["warranty_repair", "warranty_replace", "warranty_return"]
        table = (rows[rows["period"].isin([*months, year])]
                 .pivot_table(index="period", columns="key", values="value", aggfunc="last")
                 .reindex(index=[*months, year], columns=types))
        table = table.assign(total=table[types].sum(axis=1, min_count=1))
        return table.rename_axis("month").reset_index()

    # drawing
    def draw(self, name: str, ax: Axes) -> None:
        lang, s = self.lang, self.series
        if name == "otd_trend":
            draw_trend(ax, s["otd_pct"], kpi="otd_pct", unit="pct", lang=lang, title=t("report.chart.otd_trend", lang))
        elif name == "ppm_trend":
            draw_trend(ax, s["ppm"], kpi="ppm", unit="ppm", lang=lang, title=t("report.chart.ppm_trend", lang))
        elif name == "complaints_trend":
            draw_complaints(ax, s["complaints"], s["complaint_rate_pct"], lang=lang)
        elif name == "response_trend":
            draw_multi_trend(ax, [("response_on_time_pct", s["response_on_time_pct"]),
                                  ("d8_on_time_pct", s["d8_on_time_pct"])], unit="pct", lang=lang,
                             title=t("report.chart.response_trend", lang))
        elif name == "scorecard_trend":
            draw_trend(ax, s["scorecard_final"], kpi="scorecard_final", unit="score", lang=lang,
                       title=t("report.chart.scorecard_trend", lang))
        elif name.startswith("pareto_"):
            dim = name.removeprefix("pareto_")
            table = self.paretos.get(dim, pd.DataFrame())
            total = int(table["count"].sum()) if not table.empty else 0
            draw_pareto(ax, table, self.pareto_labels.get(dim, []), lang=lang,
                        title=t("report.chart.pareto", lang, what=t(f"report.pareto.{dim}", lang), n=total))
        elif name == "complaint_rate_control":
            draw_control(ax, self.control, self.months, lang=lang)
        elif name == "scorecard_heatmap":
            scores, issued, labels, target, note = self.heat_scores_shown()
            title = t("report.chart.heatmap", lang, target=format_value(target, "score"))
            draw_heatmap(ax, scores, issued, labels, target=target, lang=lang,
                         title=title if note is None else f"{title}\n{note}")
        elif name == "survey_items":
            draw_survey_items(ax, self.survey_items_frame(), target=self.survey_target(), lang=lang,
                              round_label=self.round or "")
        elif name == "survey_grades":
            order = [(en, zh if lang == "zh" else en) for en, zh in self.data.grades]
            draw_grades(ax, self.d.grade_counts(self.data.kpis, self.round), order, lang=lang,
                        round_label=self.round or "")
        elif name == "survey_customers":
            table, labels, subtitle = self.survey_customers_shown()
            draw_survey_customers(ax, table, labels, target=self.survey_target(), lang=lang,
                                  round_label=self.round or "", subtitle=subtitle)
        elif name == "open_complaints_age":
            draw_age_bands(ax, self.d.age_band_counts(self.open_rows), lang=lang, as_of=f"{self.data.run.as_of:%Y-%m-%d}")
        elif name in AREA_TRENDS:
            self._area_trend(ax, name)
        elif name == "warranty_cases":
            draw_warranty(ax, self.warranty_table(), lang=lang, year=self.data.period[:4])
        else:
            raise KeyError(name)

    def _area_trend(self, ax: Axes, name: str) -> None:
        """A further area's monthly count as bars (stacked by kind when the KPI has one) with its
        rates as lines, from `AREA_TRENDS`."""
        lang, s = self.lang, self.series
        count, scope, vocab, rates = AREA_TRENDS[name]
        stacks = self.d.scope_by_month(self.data.kpis, count, scope, self.months) if scope else None
        if stacks is None or stacks.empty or stacks.shape[1] == 0:
            stacks = s[count].set_index("month")[["value"]]
        labels = {c: vocab_label(vocab, c, lang) for c in stacks.columns} if scope else {}
        draw_bars_and_rates(ax, self.months, stacks, labels | {"value": kpi_label(count, lang)},
                            [(rate, s[rate]) for rate in rates], lang=lang, title=t(f"report.chart.{name}", lang))

    def figure(self, name: str) -> Figure:
        size = CHART_SIZE
        if name == "scorecard_heatmap":
            size = (10.0, max(3.2, 2.1 + 0.32 * len(self.heat_scores_shown()[0])))
        elif name == "survey_customers":
            size = (10.0, max(3.5, 1.9 + 0.3 * len(self.survey_customers_shown()[0])))
        elif name == "complaint_rate_control":
            size = (11.0, 5.0)
        fig = new_figure(size)
        ax = fig.add_subplot()
        self.draw(name, ax)
        return fig


def write_pngs(data: Any, folder: Path) -> list[Path]:
    """Every chart of the pack as its own PNG under `folder` (stable names, `PNG_CHARTS`)."""
    written = []
    with chart_style():
        charts = PackCharts(data)
        for name in charts.names_available():
            written.append(save_png(charts.figure(name), folder / f"{name}.png"))
    return written
