"""How the pack shows things, declared once: what each KPI is (unit, which way is better, which
area it belongs to), the colours of a status, the Excel number formats by role, and the text form
of a number for the PDF. The workbook, the PDF and the charts all read these tables, so a PPM is
`#,##0` everywhere and "missed" is the same red on paper and on screen.

Percentages are kept in the unit of `kpis_long.csv` (95.3 means 95.3 %): the workbook shows them
with the literal-percent format `0.0"%"` instead of dividing by 100, so every number an analyst
sees in the pack is the very number in the CSV.
"""
from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd

# --- the KPI catalogue ----------------------------------------------------------------------

AREAS: tuple[str, ...] = ("delivery", "complaints", "scorecard", "satisfaction", "feedback",
                          "visits", "service", "property", "audits")

#: The registers whose presence makes an area reportable (kpis.md): an area with none of them is
#: reported in one line, never as an empty chart. The scorecard draws on four registers.
AREA_REGISTERS: Mapping[str, tuple[str, ...]] = {
    "delivery": ("deliveries",),
    "complaints": ("complaints",),
    "scorecard": ("deliveries", "complaints", "incidents", "customer_scorecards"),
    "satisfaction": ("survey_returns",),
    "feedback": ("feedback",),
    "visits": ("visits",),
    "service": ("service",),
    "property": ("customer_property",),
    "audits": ("customer_audits",),
}


@dataclass(frozen=True)
class KpiSpec:
    """How one KPI of kpis.md is read: `better` is "higher", "lower" or None (a volume)."""
    name: str
    area: str
    unit: str            # pct | ppm | count | qty | days | score
    better: str | None
    cadence: str = "month"   # month | round (survey rounds) | year


_SPECS = (
    KpiSpec("otd_pct", "delivery", "pct", "higher"),
    KpiSpec("otd_qty_pct", "delivery", "pct", "higher"),
    KpiSpec("due_lots", "delivery", "count", None),
    KpiSpec("late_lots", "delivery", "count", "lower"),
    KpiSpec("delivered_lots", "delivery", "count", None),
    KpiSpec("delivered_qty", "delivery", "qty", None),
    KpiSpec("complaints", "complaints", "count", "lower"),
    KpiSpec("complaint_rate_pct", "complaints", "pct", "lower"),
    KpiSpec("ppm", "complaints", "ppm", "lower"),
    KpiSpec("defect_qty", "complaints", "qty", "lower"),
    KpiSpec("batch_rejects", "complaints", "count", "lower"),
    KpiSpec("response_on_time_pct", "complaints", "pct", "higher"),
    KpiSpec("d8_on_time_pct", "complaints", "pct", "higher"),
    KpiSpec("late_8d", "complaints", "count", "lower"),
    KpiSpec("median_days_to_close", "complaints", "days", "lower"),
    KpiSpec("open_complaints", "complaints", "count", "lower"),
    KpiSpec("repeat_complaints", "complaints", "count", "lower"),
    KpiSpec("scorecard_final", "scorecard", "score", "higher"),
    KpiSpec("scorecard_internal", "scorecard", "score", "higher"),
    KpiSpec("scorecard_d", "scorecard", "score", "higher"),
    KpiSpec("scorecard_q", "scorecard", "score", "higher"),
    KpiSpec("scorecard_o", "scorecard", "score", "higher"),
    KpiSpec("scorecard_annual", "scorecard", "score", "higher", "year"),
    KpiSpec("survey_score", "satisfaction", "score", "higher", "round"),
    KpiSpec("survey_return_rate_pct", "satisfaction", "pct", "higher", "round"),
    KpiSpec("survey_item_score", "satisfaction", "score", "higher", "round"),
    KpiSpec("feedback_items", "feedback", "count", None),
    KpiSpec("feedback_filed_on_time_pct", "feedback", "pct", "higher"),
    KpiSpec("feedback_open", "feedback", "count", "lower"),
    KpiSpec("feedback_median_days_to_complete", "feedback", "days", "lower"),
    KpiSpec("visits", "visits", "count", None),
    KpiSpec("visit_report_on_time_pct", "visits", "pct", "higher"),
    KpiSpec("service_requests", "service", "count", None),
    KpiSpec("service_on_time_pct", "service", "pct", "higher"),
    KpiSpec("service_median_days", "service", "days", "lower"),
    KpiSpec("service_satisfaction_pct", "service", "pct", "higher"),
    KpiSpec("warranty_cases", "service", "count", "lower"),
    KpiSpec("property_incidents", "property", "count", "lower"),
    KpiSpec("property_reported_pct", "property", "pct", "higher"),
    KpiSpec("audit_findings", "audits", "count", None),
    KpiSpec("audit_actions_on_time_pct", "audits", "pct", "higher"),
    KpiSpec("audit_open_findings", "audits", "count", "lower"),
)

#: Every KPI of outputs.md, in the order the pack lists them (area by area, headline first).
KPIS: Mapping[str, KpiSpec] = {s.name: s for s in _SPECS}
KPI_ORDER: Mapping[str, int] = {name: i for i, name in enumerate(KPIS)}
AREA_ORDER: Mapping[str, int] = {name: i for i, name in enumerate(AREAS)}
SCOPE_ORDER: Mapping[str, int] = {s: i for i, s in enumerate(
    ("company", "plant", "customer", "category", "root_cause", "type", "item"))}


def kpi_spec(kpi: str) -> KpiSpec:
    """The catalogue entry of `kpi`; a KPI the catalogue does not know is shown as a plain number
    in an "other" area rather than dropped (a new KPI must never vanish from the pack)."""
    return KPIS.get(kpi) or KpiSpec(kpi, "other", "score", None)


#: Where each target comes from (kpis.md, "Targets and status"): the settings key.
TARGET_SETTINGS: Mapping[str, str] = {
    "otd_pct": "targets.otd_pct", "ppm": "targets.ppm", "complaint_rate_pct": "targets.complaint_rate_pct",
    "response_on_time_pct": "targets.response_on_time_pct", "d8_on_time_pct": "targets.d8_on_time_pct",
    "survey_return_rate_pct": "targets.survey_return_rate_pct",
    "feedback_filed_on_time_pct": "targets.feedback_filed_on_time_pct",
    "visit_report_on_time_pct": "targets.visit_report_on_time_pct",
    "service_on_time_pct": "targets.service_on_time_pct",
    "service_satisfaction_pct": "targets.service_satisfaction_pct",
    "property_reported_pct": "targets.property_reported_pct",
    "audit_actions_on_time_pct": "targets.audit_actions_on_time_pct",
    "survey_score": "targets.satisfaction", "scorecard_final": "targets.scorecard",
    "scorecard_annual": "targets.scorecard",
}

# --- colours ----------------------------------------------------------------------------------

#: Status colours: (text, fill). Red/green as the brief asks; grey for "no data".
STATUS_COLOURS: Mapping[str, tuple[str, str]] = {
    "met": ("#1B5E20", "#C8E6C9"),
    "missed": ("#B71C1C", "#FFCDD2"),
    "no_data": ("#616161", "#EEEEEE"),
}
INK = "#212121"
MUTED = "#757575"
RULE = "#BDBDBD"
HEADER_FILL = "#1F4E79"
HEADER_INK = "#FFFFFF"
BAND_FILL = "#F5F8FC"
SERIES = "#1F4E79"
SERIES_LIGHT = "#9DC3E6"
TARGET = "#E65100"
LIMIT = "#C62828"
#: For stacked bars (categories, types): distinguishable in print and for red-green colour blindness.
PALETTE = ("#1F4E79", "#5B9BD5", "#F4B183", "#A9D18E", "#FFD966", "#C00000", "#7F7F7F", "#8E7CC3")

# --- Excel number formats by role ---------------------------------------------------------------

NUMBER_FORMATS: Mapping[str, str] = {
    "pct": '0.0"%"',
    "ppm": "#,##0",
    "count": "#,##0",
    "qty": "#,##0",
    "days": "0.0",
    "score": "0.0",
    "mean_count": "#,##0.0",     # a 12-month mean of counts is fractional
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "int": "0",
}
#: Signed differences (vs last month, vs the 12-month mean): percentages differ in points.
DELTA_FORMATS: Mapping[str, str] = {
    "pct": "+0.0;-0.0;0.0",
    "ppm": "+#,##0;-#,##0;0",
    "count": "+#,##0.0;-#,##0.0;0",
    "qty": "+#,##0;-#,##0;0",
    "days": "+0.0;-0.0;0.0",
    "score": "+0.0;-0.0;0.0",
}

#: Cell formats of the workbook, by role (xlsxwriter properties, on top of the workbook font).
CELL_ROLES: Mapping[str, Mapping[str, Any]] = {
    "title": {"bold": True, "font_size": 14, "font_color": HEADER_FILL},
    "subtitle": {"font_color": MUTED},
    "note": {"italic": True, "font_color": MUTED},
    "section": {"bold": True, "font_size": 11, "font_color": HEADER_FILL, "bottom": 1,
                "bottom_color": HEADER_FILL},
    "header": {"bold": True, "font_color": HEADER_INK, "bg_color": HEADER_FILL, "text_wrap": True,
               "valign": "vcenter", "align": "center", "border": 1, "border_color": RULE},
    "text": {"valign": "top"},
    "wrap": {"valign": "top", "text_wrap": True},
    "missing": {"align": "center", "font_color": STATUS_COLOURS["no_data"][0]},
    "status": {"align": "center"},
}
#: Conditional-format (dxf) formats: only colours, so they combine with any number format.
HIGHLIGHTS: Mapping[str, Mapping[str, Any]] = {
    status: {"font_color": ink, "bg_color": fill} for status, (ink, fill) in STATUS_COLOURS.items()
}

#: The printed "no value" mark (kpis.md: "—" in reports).
NO_VALUE = "—"

# --- text forms for the PDF ---------------------------------------------------------------------

_DECIMALS = {"pct": 1, "ppm": 0, "count": 0, "qty": 0, "days": 1, "score": 1, "mean_count": 1}


def is_missing(value: Any) -> bool:
    """True for None, NaN, NaT and pandas' NA."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):   # a list or array is not "a missing value"
        return False


def format_value(value: Any, unit: str, *, with_unit: bool = True) -> str:
    """A KPI value as printed in the PDF: `95.3%`, `1,234`, `4.5`; "—" when there is no value.

    A count is shown without decimals unless it has some (a 12-month mean of counts)."""
    if is_missing(value):
        return NO_VALUE
    number = float(value)
    if not math.isfinite(number):
        return NO_VALUE
    return format_number(number, unit, with_unit=with_unit)


def format_number(number: float, unit: str, *, with_unit: bool = True) -> str:
    """`format_value` of a finite float, without the checks for a missing value. The text is
    plain ASCII (digits, `,`, `.`, `-`, `%`): its display width is its length."""
    decimals = _DECIMALS.get(unit, 1)
    if unit in ("count", "qty") and not number.is_integer():
        decimals = 1
    text = f"{number:,.{decimals}f}"
    return text + "%" if unit == "pct" and with_unit else text


def number_widths(values: np.ndarray, unit: str) -> np.ndarray:
    """For each column of the 2-D float array `values`: the widest `format_value(x, unit)` of its
    finite values (0 for a column that has none), found without formatting every value.

    With a fixed number of decimals the text of x grows with |x| (the rounding is monotonic) and
    is one longer when x is negative (even -0.0 prints "-0"), so the widest text of a column is
    that of its largest non-negative value or of its most negative one: only those two are
    formatted. Counts and quantities have 0 decimals when whole and 1 otherwise, so whole and
    fractional values are two such groups."""
    finite = np.isfinite(values)
    if unit in ("count", "qty"):
        whole = finite & (values == np.floor(values))
        groups = (whole, finite & ~whole)
    else:
        groups = (finite,)
    negative = np.signbit(values)
    widths = np.zeros(values.shape[1], dtype=np.int64)
    for group in groups:
        # (the values a group may hold, the neutral filler, how to pick its widest)
        for mask, filler, widest in ((group & ~negative, 0.0, np.max), (group & negative, -0.0, np.min)):
            present = mask.any(axis=0)
            if not present.any():
                continue
            extremes = widest(np.where(mask, values, filler), axis=0)
            for j in np.flatnonzero(present).tolist():
                widths[j] = max(widths[j], len(format_number(float(extremes[j]), unit)))
    return widths


def format_delta(value: Any, unit: str) -> str:
    """A signed difference: `+1.2`, `-350`; percentages differ in points (no % sign)."""
    if is_missing(value) or not math.isfinite(float(value)):
        return NO_VALUE
    decimals = _DECIMALS.get(unit, 1)
    if unit in ("count", "qty") and not float(value).is_integer():
        decimals = 1
    number = round(float(value), decimals)
    if number == 0:
        return f"{0:.{decimals}f}"
    return f"{number:+,.{decimals}f}"


def display_width(text: str) -> int:
    """Columns a text takes on screen: East-Asian wide and full-width characters count as 2."""
    text = str(text)
    if text.isascii():          # no ASCII character is wide: skip the per-character lookup
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def widest_line_width(text: str) -> int:
    """The display width of the widest line of `text`: what a column must fit to show it."""
    if text.isascii():
        return len(text) if "\n" not in text else max(len(line) for line in text.split("\n"))
    return _widest_wide_line(text)


@functools.lru_cache(maxsize=65536)   # labels and names recur on every row; ASCII never gets here
def _widest_wide_line(text: str) -> int:
    return max(display_width(line) for line in text.split("\n"))


def truncate(text: str, width: int) -> str:
    """`text` cut to at most `width` display columns, with "…" when it was cut."""
    text = str(text)
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def excel_column_width(texts: list[str], *, minimum: float = 6, maximum: float = 60) -> float:
    """An Excel column width (in characters) that fits the widest of `texts`, Chinese counted double."""
    widest = max((widest_line_width(str(text)) for text in texts), default=0)
    return column_width(widest, minimum=minimum, maximum=maximum)


def column_width(widest: int, *, minimum: float = 6, maximum: float = 60) -> float:
    """`excel_column_width` from the display width of the widest line alone (all it depends on)."""
    return float(min(max(widest + 2, minimum), maximum))


# --- labels (all text comes from pipeline/i18n.py) ---------------------------------------------

#: Columns whose values are vocabulary codes (translated in lists); free text is never translated.
VOCAB_COLUMNS = frozenset({"category", "severity", "root_cause", "type", "finding_type", "kind", "status",
                           "rating", "reason", "filing_status", "report_status", "segment", "item",
                           "status_at_as_of", "change", "cause", "matched_on", "response_status",
                           "d8_status"})


def _text(key: str, language: str, default: str | None = None, **fields: Any) -> str:
    from pipeline.i18n import TEXT, t
    if key not in TEXT and default is not None:
        return default
    return t(key, language, **fields)


def has_text(key: str) -> bool:
    from pipeline.i18n import TEXT
    return key in TEXT


def kpi_label(kpi: str, language: str) -> str:
    """The KPI's name in `language` (the pack's own name, else the KPI module's, else the code)."""
    for key in (f"report.kpi.{kpi}", f"kpis.name.{kpi}"):
        if has_text(key):
            return _text(key, language)
    return kpi


def vocab_label(column: str, value: Any, language: str) -> str:
    """A vocabulary code as a reader sees it: `report.value.<column>.<value>`, else
    `report.value.<value>`, else the value as written (a value the catalogue does not know is
    shown, never dropped)."""
    if is_missing(value):
        return NO_VALUE
    value = str(value)
    for key in (f"report.value.{column}.{value}", f"report.value.{value}"):
        if has_text(key):
            return _text(key, language)
    return value


def scope_key_label(scope: str, key: str, language: str, names: Mapping[str, str] | None = None) -> str:
    """What a (scope, key) row is called: the customer's name, a translated category, root cause,
    service / finding type or survey item, a plant as written; "" for the company."""
    if scope == "company":
        return _text("report.scope.company", language)
    if scope == "customer":
        return str(names.get(key, key)) if names is not None else key
    if scope == "root_cause":
        return vocab_label("root_cause", key, language)
    if scope == "item":
        return vocab_label("item", key, language)
    if scope in ("category", "type"):
        return vocab_label(scope, key, language)
    return key


def column_label(column: str, language: str) -> str:
    """A list column's header: the pack's label, else the KPI module's (`kpis.col.*`), else the
    register catalogue's header for that canonical column, else the column name."""
    for key in (f"report.col.{column}", f"kpis.col.{column}", f"report.value.{column}"):
        if has_text(key):
            return _text(key, language)
    from pipeline.registers import REGISTERS
    for register in REGISTERS.values():
        for col in register.columns:
            if col.name == column and (col.zh or col.en):
                return col.zh if language == "zh" else (col.en or col.zh)
    return column


def month_label(month: str, language: str, *, with_year: bool = False) -> str:
    """'2026-10' → '10月' / 'Oct' (with the year on a second line when asked: the first month
    of an axis and every January)."""
    if not re.fullmatch(r"\d{4}-\d{2}", str(month)):
        return str(month)
    year, number = str(month).split("-")
    text = _text(f"report.month.{int(number)}", language)
    return f"{text}\n{year}" if with_year else text


def status_label(status: str, language: str) -> str:
    """达标 / 未达标 / — ; "" for a KPI that has no target."""
    if status in ("met", "missed", "no_data"):
        return _text(f"report.status.{status}", language)
    return ""


def excel_sheet_name(text: str) -> str:
    """A valid, at most 31-character sheet name (Excel forbids []:*?/\\)."""
    cleaned = re.sub(r"[\[\]:*?/\\]", "-", str(text)).strip("'")
    return cleaned[:31] or "Sheet"
