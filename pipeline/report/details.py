"""The tables of the pack, as plain frames: what the workbook writes and the PDF draws.

Two sources only:
- the run's long KPI table (`kpis_long.csv`): the summary, the trends by customer and month, the
  Pareto tables of categories / root causes / customers, the actions list, what changed;
- the bounded detail lists written by the KPI modules (late lots, open complaints, the scorecard
  points lost, …), called here with the same `(registers, ctx)` as the KPIs, plus one count of the
  complaints register (complaints per part number, for the parts Pareto).

Nothing here recomputes a KPI: values, targets and statuses are read from the long table as they
are. What is derived is presentation: the difference to last month, the mean of the twelve monthly
values, the share and cumulative share of a Pareto, the age band of an open complaint.
Every function is pure (frames in, new frames out); no formatting, no language.
"""
from __future__ import annotations

import importlib
import inspect
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from pipeline.kpis.base import LONG_COLUMNS, month_label, trailing_months
from pipeline.kpis.complaints import AGE_BANDS as COMPLAINT_AGE_BANDS, age_band_of
from pipeline.report.formats import (AREA_ORDER, AREA_REGISTERS, KPI_ORDER, KPIS, SCOPE_ORDER,
                                     kpi_spec)

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.kpis.base import KpiContext
    from pipeline.report import RunInfo

KEYS = ["period", "kpi", "scope", "key"]
NUMERIC = ("value", "numerator", "denominator", "target")
TEXT = ("period", "kpi", "scope", "key", "status", "label")

#: Pareto tables show this many items; the rest are summed into "Other", placed last.
PARETO_TOP = 10
OTHER_KEY = "__other__"
#: Age bands of an open complaint (kpis.md): the KPI module's own, so list and KPI always agree.
AGE_BANDS: tuple[str, ...] = tuple(COMPLAINT_AGE_BANDS)

# --- detail lists written by the KPI modules ----------------------------------------------------

@dataclass(frozen=True)
class DetailSource:
    module: str
    function: str
    area: str


#: name → where the list comes from: `function(registers, ctx) -> DataFrame`, or a function
#: taking one register's frame first (see `detail_function`).
DETAIL_SOURCES: Mapping[str, DetailSource] = {
    "late_lots": DetailSource("pipeline.kpis.delivery", "late_lot_rows", "delivery"),
    "open_complaints": DetailSource("pipeline.kpis.complaints", "open_complaint_rows", "complaints"),
    "repeat_links": DetailSource("pipeline.kpis.complaints", "repeat_links", "complaints"),
    "scorecard_points": DetailSource("pipeline.kpis.scorecard", "scorecard_point_rows", "scorecard"),
    "scorecard_reconciliation": DetailSource("pipeline.kpis.scorecard", "scorecard_reconciliation",
                                             "scorecard"),
    "survey_customers": DetailSource("pipeline.kpis.survey", "survey_customer_table", "satisfaction"),
    "feedback_open": DetailSource("pipeline.kpis.feedback", "feedback_open_items", "feedback"),
    "feedback_summary": DetailSource("pipeline.kpis.feedback", "feedback_monthly_summary", "feedback"),
    "late_visit_reports": DetailSource("pipeline.kpis.visits", "late_visit_reports", "visits"),
    "three_guarantees": DetailSource("pipeline.kpis.service", "three_guarantee_table", "service"),
    "property_by_customer": DetailSource("pipeline.kpis.property", "property_by_customer", "property"),
    "overdue_audit_actions": DetailSource("pipeline.kpis.audits", "overdue_audit_actions", "audits"),
}


def detail_function(source: DetailSource) -> Callable[..., pd.DataFrame] | None:
    """The KPI module's list function as `f(registers, ctx)`, or None while that module or
    function does not exist.

    Only a missing module or attribute is tolerated (the pack then says the list is not
    available); an error raised *inside* a list function is a bug and propagates. A function
    whose first parameter is named after a register (`open_complaint_rows(complaints, ctx)`) is
    handed that register's frame; it is not called when that register is absent.
    """
    try:
        module = importlib.import_module(source.module)
    except ModuleNotFoundError as exc:
        if exc.name and source.module.startswith(exc.name):
            return None
        raise
    function = getattr(module, source.function, None)
    if not callable(function):
        return None
    from pipeline.registers import REGISTERS
    first = next(iter(inspect.signature(function).parameters), "registers")
    if first not in REGISTERS:
        return function

    def from_register(registers: Mapping[str, pd.DataFrame], ctx: "KpiContext") -> pd.DataFrame | None:
        frame = registers.get(first)
        return None if frame is None else function(frame, ctx)
    return from_register


def collect_details(registers: Mapping[str, pd.DataFrame], ctx: "KpiContext") -> dict[str, pd.DataFrame | None]:
    """Every detail list of the pack: a frame (possibly empty), or None when the list is not
    available (its area's registers are all absent, or its KPI module does not provide it)."""
    present = set(registers)
    out: dict[str, pd.DataFrame | None] = {}
    for name, source in DETAIL_SOURCES.items():
        function = detail_function(source)
        if function is None or not present & set(AREA_REGISTERS[source.area]):
            out[name] = None
            continue
        frame = function(registers, ctx)
        out[name] = None if frame is None else frame.reset_index(drop=True)
    out["complaint_parts"] = complaints_by_part(registers.get("complaints"), ctx.months, ctx.period)
    return out


# --- the pack's data ------------------------------------------------------------------------------

@dataclass(frozen=True)
class PackData:
    """Everything the renderers need, already shaped; built once by `pack.build_pack`."""
    run: "RunInfo"
    kpis: pd.DataFrame
    present: frozenset[str]
    names: pd.Series                       # customer key -> name
    details: Mapping[str, pd.DataFrame | None] = field(default_factory=dict)
    previous_kpis: pd.DataFrame | None = None
    #: survey grades best first, as (English label, Chinese label) — the settings' grading
    grades: tuple[tuple[str, str], ...] = ()
    #: customer code -> its own PPM target from the master (to name a target's source)
    ppm_targets: Mapping[str, float] = field(default_factory=dict)

    @property
    def period(self) -> str:
        return self.run.period

    @property
    def months(self) -> tuple[str, ...]:
        return trailing_months(self.run.period, 12)

    def area_present(self, area: str) -> bool:
        """An area is reported when at least one of its registers was provided."""
        return bool(self.present & set(AREA_REGISTERS.get(area, ())))

    def detail(self, name: str) -> pd.DataFrame | None:
        return self.details.get(name)


def normalise_long(kpis: pd.DataFrame) -> pd.DataFrame:
    """The long KPI table with exactly the columns of kpis_long.csv, numbers as float (NaN = none)
    and texts as str ("" = none), whatever dtypes it was handed in."""
    frame = kpis.reindex(columns=list(LONG_COLUMNS))
    return frame.assign(
        **{c: pd.to_numeric(frame[c], errors="coerce").astype("float64") for c in NUMERIC},
        **{c: _as_text(frame[c]) for c in TEXT},
    ).reset_index(drop=True)


_STR = pd.Series(dtype=str).dtype


def _as_text(values: pd.Series) -> pd.Series:
    """Texts as str, missing → ""."""
    if values.dtype == _STR:        # already str: fill the gaps (a round trip through Python objects costs)
        return values.fillna("")
    return values.astype(object).where(values.notna(), "").astype(str)


def customer_ppm_targets(registers: Mapping[str, pd.DataFrame]) -> dict[str, float]:
    """customer code → `ppm_target` from the master, for the customers that have one."""
    master = registers.get("customers")
    if master is None or master.empty or "ppm_target" not in master.columns:
        return {}
    targets = pd.to_numeric(master["ppm_target"], errors="coerce")
    keep = targets.notna() & (targets > 0)
    return dict(zip(master.loc[keep, "customer_code"].astype(str), targets[keep].astype(float)))


def customer_names(registers: Mapping[str, pd.DataFrame]) -> pd.Series:
    """customer key → name: the master's name for a code, else the name written beside the key in
    the first register that has one (a customer not in the master is keyed by what it says)."""
    parts = []
    master = registers.get("customers")
    if master is not None and not master.empty:
        parts.append(pd.Series(master["customer_name"].to_numpy(dtype=object),
                               index=master["customer_code"].astype(str).to_numpy()))
    for name, frame in sorted(registers.items()):
        if name == "customers" or frame is None or frame.empty:
            continue
        if {"customer_key", "customer_name"} <= set(frame.columns):
            # each (key, name) pair once, where it first appears: only the first usable name of a
            # key counts, and a register repeats a few thousand pairs a million times
            pairs = frame[["customer_key", "customer_name"]].drop_duplicates()
            parts.append(pd.Series(pairs["customer_name"].to_numpy(dtype=object),
                                   index=pairs["customer_key"].astype(str).to_numpy()))
    if not parts:
        return pd.Series(dtype=object)
    names = pd.concat(parts)
    names = names[names.notna() & (names.astype(str).str.strip() != "")].astype(str)
    return names[~names.index.duplicated(keep="first")]


# --- periods --------------------------------------------------------------------------------------

_ROUND = re.compile(r"^(\d{4})(?:([HQ])([1-4]))?$")


def round_bounds(label: str) -> tuple[pd.Period, pd.Period] | None:
    """First and last month of a survey round: 2026H2 → (2026-07, 2026-12); 2026Q3 → (07, 09);
    2026 → (01, 12). None for a label that is not a round."""
    match = _ROUND.match(str(label))
    if not match:
        return None
    year, kind, number = int(match[1]), match[2], match[3]
    if kind is None:
        first, months = 1, 12
    elif kind == "H" and number in ("1", "2"):
        first, months = 1 + 6 * (int(number) - 1), 6
    elif kind == "Q":
        first, months = 1 + 3 * (int(number) - 1), 3
    else:
        return None
    start = pd.Period(year=year, month=first, freq="M")
    return start, start + (months - 1)


def rounds_in_order(labels: Iterable[str]) -> list[str]:
    """Survey rounds oldest first (by last month, then first month); non-round labels dropped."""
    bounded = [(round_bounds(x), x) for x in set(labels)]
    return [x for b, x in sorted(((b, x) for b, x in bounded if b), key=lambda p: (p[0][1], p[0][0], p[1]))]


def current_round(labels: Iterable[str], period: str) -> str | None:
    """The survey round the pack reports for period P: the latest round that has started by P."""
    p = pd.Period(period, freq="M")
    started = [x for x in rounds_in_order(labels) if round_bounds(x)[0] <= p]
    return started[-1] if started else None


def previous_month(period: str) -> str:
    return str(pd.Period(period, freq="M") - 1)


def current_periods(kpis: pd.DataFrame, period: str) -> dict[str, str | None]:
    """The period label each cadence reports for P: month → P, year → YYYY, round → current round."""
    survey = kpis.loc[_is_round_kpi(kpis["kpi"]), "period"]
    return {"month": period, "year": period[:4], "round": current_round(survey, period)}


def previous_periods(kpis: pd.DataFrame, period: str) -> dict[str, str | None]:
    """The period each cadence is compared with: last month, last year, the round before."""
    survey = kpis.loc[_is_round_kpi(kpis["kpi"]), "period"]
    rounds = rounds_in_order(survey)
    now = current_round(survey, period)
    before = rounds[rounds.index(now) - 1] if now in rounds and rounds.index(now) > 0 else None
    return {"month": previous_month(period), "year": str(int(period[:4]) - 1), "round": before}


ROUND_KPIS = frozenset(k for k, spec in KPIS.items() if spec.cadence == "round")


def _is_round_kpi(kpi: pd.Series) -> pd.Series:
    """Rows of survey KPIs (their period is a survey round), by a set lookup (no Python per row)."""
    return kpi.isin(ROUND_KPIS)


def _cadence(kpis: pd.DataFrame) -> pd.Series:
    """Cadence of each row: "round" for survey KPIs (period = the round), "year" for a `YYYY`
    period (scorecard_annual, the warranty_cases year to date), else "month"."""
    is_round = _is_round_kpi(kpis["kpi"])
    is_year = kpis["period"].str.fullmatch(r"\d{4}").fillna(False).astype(bool)
    return pd.Series(np.select([is_round, is_year], ["round", "year"], default="month"),
                     index=kpis.index, dtype=object)


def _at_current(kpis: pd.DataFrame, period: str) -> pd.Series:
    """Mask of rows at the period each cadence reports for P."""
    now = current_periods(kpis, period)
    cadence = _cadence(kpis)
    wanted = cadence.map(now)
    return kpis["period"].eq(wanted.fillna("\0"))


# --- the summary ----------------------------------------------------------------------------------

SUMMARY_COLUMNS = ["area", "kpi", "unit", "better", "period", "value", "target", "status",
                   "previous_period", "previous", "delta_previous", "mean_12m", "delta_mean"]


def summary_table(kpis: pd.DataFrame, period: str) -> pd.DataFrame:
    """Every KPI given at company scope, at the period it reports for P, in catalogue order.

    - value, target, status: the long table's row for (P, kpi, company) — for survey KPIs the
      current round, for annual KPIs the year of P;
    - previous: the same KPI one period before (last month, the previous round, last year);
    - mean_12m: the plain mean of the monthly values the 12-month window has (monthly KPIs only;
      a mean of the monthly figures, not a pooled rate, so it matches the trend chart by eye).
    """
    company = kpis[kpis["scope"].eq("company")]
    if company.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    cadence = _cadence(company)
    now, before = current_periods(kpis, period), previous_periods(kpis, period)
    names = sorted(set(company["kpi"]), key=lambda k: (AREA_ORDER.get(kpi_spec(k).area, 99),
                                                      KPI_ORDER.get(k, 999), k))
    # a KPI reports at its monthly rows when it has any (warranty_cases has monthly and YTD rows)
    kpi_cadence = (cadence.map({"month": 0, "round": 1, "year": 2}).groupby(company["kpi"]).min()
                   .map({0: "month", 1: "round", 2: "year"}))
    rows = pd.DataFrame({"kpi": names})
    rows["cadence"] = rows["kpi"].map(kpi_cadence)
    rows["period"] = rows["cadence"].map(now)
    rows["previous_period"] = rows["cadence"].map(before)
    indexed = company.drop_duplicates(["period", "kpi"], keep="last").set_index(["kpi", "period"])
    current = indexed.reindex(pd.MultiIndex.from_arrays([rows["kpi"], rows["period"].fillna("")]))
    prior = indexed.reindex(pd.MultiIndex.from_arrays([rows["kpi"], rows["previous_period"].fillna("")]))
    window = company[company["period"].isin(trailing_months(period, 12)) & cadence.eq("month")]
    means = window.groupby("kpi")["value"].mean()
    out = pd.DataFrame({
        "area": rows["kpi"].map(lambda k: kpi_spec(k).area),
        "kpi": rows["kpi"],
        "unit": rows["kpi"].map(lambda k: kpi_spec(k).unit),
        "better": rows["kpi"].map(lambda k: kpi_spec(k).better or ""),
        "period": rows["period"].fillna(""),
        "value": current["value"].to_numpy(),
        "target": current["target"].to_numpy(),
        "status": current["status"].fillna("").to_numpy(),
        "previous_period": rows["previous_period"].fillna(""),
        "previous": prior["value"].to_numpy(),
        "mean_12m": rows["kpi"].map(means).where(rows["cadence"].eq("month")).to_numpy(dtype="float64"),
    })
    return out.assign(delta_previous=out["value"] - out["previous"],
                      delta_mean=out["value"] - out["mean_12m"])[SUMMARY_COLUMNS]


def headline_kpis(summary: pd.DataFrame) -> pd.DataFrame:
    """The few KPIs the cover shows as tiles: those with a target, headline ones first."""
    preferred = ["otd_pct", "ppm", "complaints", "complaint_rate_pct", "response_on_time_pct",
                 "d8_on_time_pct", "scorecard_final", "survey_score", "open_complaints"]
    chosen = summary[summary["kpi"].isin(preferred)]
    order = {k: i for i, k in enumerate(preferred)}
    return chosen.sort_values("kpi", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


# --- trends by customer and month -------------------------------------------------------------

@dataclass(frozen=True)
class Matrix:
    """One area's KPIs by (kpi, scope, key) × period: `rows` describes each row, `values` and
    `statuses` are aligned with it, columns = the periods shown."""
    rows: pd.DataFrame        # kpi, scope, key, name, unit, target
    values: pd.DataFrame
    statuses: pd.DataFrame

    @property
    def empty(self) -> bool:
        return self.rows.empty


def area_matrix(kpis: pd.DataFrame, area: str, period: str, names: pd.Series) -> Matrix:
    """The area's KPIs by customer (and company, plant, category, root cause, type, item) and by
    period: the 12 months of the window for monthly KPIs, plus the year-to-date column where the
    area has annual rows (scorecard_annual, warranty_cases); the survey rounds for satisfaction."""
    area_kpis = [k for k in KPIS if KPIS[k].area == area]
    rows = kpis[kpis["kpi"].isin(area_kpis)]
    if area == "satisfaction":
        columns = rounds_in_order(rows["period"])
    else:
        columns = list(trailing_months(period, 12))
        if rows["period"].eq(period[:4]).any():
            columns.append(period[:4])
    rows = rows[rows["period"].isin(columns)]
    if rows.empty:
        empty = pd.DataFrame()
        return Matrix(pd.DataFrame(columns=["kpi", "scope", "key", "name", "unit", "target"]), empty, empty)
    rows = rows.drop_duplicates(KEYS, keep="last")
    index_cols = ["kpi", "scope", "key"]
    values = rows.pivot(index=index_cols, columns="period", values="value").reindex(columns=columns)
    statuses = rows.pivot(index=index_cols, columns="period", values="status").reindex(columns=columns)
    # the target shown is the one of the latest period the row has a target for
    targets = (rows[rows["target"].notna()].sort_values("period", key=_period_sort_key)
               .groupby(index_cols)["target"].last())
    order = values.index.to_frame(index=False)
    order = order.assign(_k=order["kpi"].map(KPI_ORDER).fillna(999),
                         _s=order["scope"].map(SCOPE_ORDER).fillna(99))
    order = order.sort_values(["_k", "_s", "key"], kind="stable")
    index = pd.MultiIndex.from_frame(order[index_cols])
    values, statuses = values.reindex(index), statuses.reindex(index).fillna("")
    described = index.to_frame(index=False)
    described = described.assign(
        name=_customer_name(described["key"], described["scope"], names),
        unit=described["kpi"].map(lambda k: kpi_spec(k).unit),
        target=targets.reindex(index).to_numpy(dtype="float64"),
    )
    return Matrix(described, values.reset_index(drop=True), statuses.reset_index(drop=True))


def _customer_name(keys: pd.Series, scopes: pd.Series, names: pd.Series) -> pd.Series:
    """The customer's name on customer rows ("" elsewhere and for a customer with no name)."""
    mapped = keys.map(names).astype(object)
    return mapped.where(scopes.eq("customer") & mapped.notna(), "").astype(str)


def _period_sort_key(periods: pd.Series) -> pd.Series:
    """Sort key that puts a year after its months and rounds by their last month."""
    def key(p: str) -> str:
        if re.fullmatch(r"\d{4}-\d{2}", p):
            return p
        bounds = round_bounds(p)
        return f"{bounds[1]}~" if bounds else p
    # each distinct period worked out once (a long table repeats a dozen periods 100,000 times)
    return periods.map({p: key(p) for p in periods.unique()})


def company_series(kpis: pd.DataFrame, kpi: str, months: Iterable[str], scope: str = "company",
                   key: str = "") -> pd.DataFrame:
    """One KPI's monthly rows (value, numerator, denominator, target, status), one per month of
    `months` in order; a month without a row has NaN values and an empty status."""
    months = list(months)
    rows = kpis[kpis["kpi"].eq(kpi) & kpis["scope"].eq(scope) & kpis["key"].eq(key)
                & kpis["period"].isin(months)].drop_duplicates("period", keep="last")
    out = rows.set_index("period").reindex(months)
    out = out.assign(status=out["status"].fillna(""))
    return out[["value", "numerator", "denominator", "target", "status"]].rename_axis("month").reset_index()


def scope_by_month(kpis: pd.DataFrame, kpi: str, scope: str, months: Iterable[str]) -> pd.DataFrame:
    """One KPI at a scope (category, type, …) as a months × keys table of values (NaN = no row)."""
    months = list(months)
    rows = kpis[kpis["kpi"].eq(kpi) & kpis["scope"].eq(scope) & kpis["period"].isin(months)]
    if rows.empty:
        return pd.DataFrame(index=pd.Index(months, name="month"))
    table = rows.drop_duplicates(["period", "key"], keep="last").pivot(index="period", columns="key",
                                                                       values="value")
    return table.reindex(months).rename_axis("month")


# --- Pareto -----------------------------------------------------------------------------------------

def complaint_counts(kpis: pd.DataFrame, scope: str, months: Iterable[str], period: str) -> pd.DataFrame:
    """Complaints per key of `scope` (category, root_cause, customer) from the long table: the
    count in P and over the 12-month window (the sum of the monthly `complaints` rows)."""
    months = list(months)
    rows = kpis[kpis["kpi"].eq("complaints") & kpis["scope"].eq(scope) & kpis["period"].isin(months)]
    window = rows.groupby("key")["value"].sum(min_count=1)
    month = rows[rows["period"].eq(period)].groupby("key")["value"].sum(min_count=1)
    out = pd.DataFrame({"count": window, "count_period": month.reindex(window.index)})
    return out.fillna({"count_period": 0.0}).rename_axis("key").reset_index()


def complaints_by_part(complaints: pd.DataFrame | None, months: Iterable[str], period: str) -> pd.DataFrame | None:
    """Complaints per part number from the complaint register, received in the 12-month window and
    in P (a complaint with no part number counts under key ""). None without a complaint register."""
    if complaints is None:
        return None
    months = list(months)
    received = month_label(pd.to_datetime(complaints["received_date"]))
    inside = complaints[received.isin(months).to_numpy()]
    parts = inside["part_no"].astype(object).where(inside["part_no"].notna(), "").astype(str)
    window = parts.value_counts()
    month = parts[(received[received.isin(months)] == period).to_numpy()].value_counts()
    out = pd.DataFrame({"count": window.astype("float64"),
                        "count_period": month.reindex(window.index).fillna(0).astype("float64")})
    return out.rename_axis("key").reset_index()


def pareto_table(counts: pd.DataFrame, top: int = PARETO_TOP) -> pd.DataFrame:
    """The `top` keys by count, then one "Other" row summing the rest, placed LAST whatever its
    size (a Pareto ranks the named causes; "Other" is not a cause), with each row's share of the
    total and the cumulative share down the table, in percent. Ties are ordered by key.

    counts: key, count (window), count_period. Keys with a zero count are left out.
    """
    columns = ["rank", "key", "count", "count_period", "share_pct", "cumulative_pct", "other"]
    counts = counts[counts["count"].fillna(0) > 0]
    if counts.empty:
        return pd.DataFrame(columns=columns)
    ranked = counts.sort_values(["count", "key"], ascending=[False, True], kind="stable")
    head, tail = ranked.iloc[:top], ranked.iloc[top:]
    if not tail.empty:
        other = pd.DataFrame({"key": [OTHER_KEY], "count": [tail["count"].sum()],
                              "count_period": [tail["count_period"].sum()]})
        head = pd.concat([head, other], ignore_index=True)
    total = head["count"].sum()
    share = head["count"] / total * 100.0
    return head.assign(
        rank=np.arange(1, len(head) + 1),
        share_pct=share.to_numpy(),
        cumulative_pct=share.cumsum().to_numpy(),
        other=head["key"].eq(OTHER_KEY).to_numpy(),
    )[columns].reset_index(drop=True)


# --- actions list --------------------------------------------------------------------------------

ACTION_COLUMNS = ["area", "kpi", "scope", "key", "name", "period", "unit", "better", "value",
                  "target", "shortfall_pct"]


def actions_table(kpis: pd.DataFrame, period: str, names: pd.Series) -> pd.DataFrame:
    """Every KPI row that missed its target at the period it reports for P (company and every
    customer, plant or other scope below target), with the figure and the target that put it
    there. kpis.md: below target → corrective and preventive action.

    Ordered by area, KPI, scope (company first) and then by how far it is from target
    (`shortfall_pct`: the gap as a percentage of the target, worst first)."""
    missed = kpis[kpis["status"].eq("missed") & _at_current(kpis, period)]
    if missed.empty:
        return pd.DataFrame(columns=ACTION_COLUMNS)
    better = missed["kpi"].map(lambda k: kpi_spec(k).better or "higher")
    gap = np.where(better.eq("lower"), missed["value"] - missed["target"], missed["target"] - missed["value"])
    with np.errstate(divide="ignore", invalid="ignore"):
        shortfall = np.where(missed["target"].abs() > 0, gap / missed["target"].abs() * 100.0, np.nan)
    out = missed.assign(
        area=missed["kpi"].map(lambda k: kpi_spec(k).area),
        unit=missed["kpi"].map(lambda k: kpi_spec(k).unit),
        better=better,
        name=_customer_name(missed["key"], missed["scope"], names),
        shortfall_pct=shortfall,
    )
    out = out.assign(_a=out["area"].map(AREA_ORDER).fillna(99), _k=out["kpi"].map(KPI_ORDER).fillna(999),
                     _s=out["scope"].map(SCOPE_ORDER).fillna(99))
    out = out.sort_values(["_a", "_k", "_s", "shortfall_pct", "key"],
                          ascending=[True, True, True, False, True], kind="stable")
    return out[ACTION_COLUMNS].reset_index(drop=True)


# --- what changed since the previous run -------------------------------------------------------

CHANGE_COLUMNS = ["change", "period", "kpi", "scope", "key", "before", "after", "difference",
                  "status_before", "status_after"]


def changes_table(kpis: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """KPI rows whose value changed, appeared or disappeared since the previous run's kpis_long.

    - changed: a value before and after, differing by more than 1e-9 (relative) — the CSV keeps full
      precision, so a rerun on the same inputs shows nothing;
    - appeared: no row before, or a row with no value, and a value now;
    - disappeared: a value before, and no row or no value now.
    Sorted by period (newest first), then KPI catalogue order, scope and key.
    """
    before = normalise_long(previous).drop_duplicates(KEYS, keep="last")
    after = kpis.drop_duplicates(KEYS, keep="last")
    merged = after[KEYS + ["value", "status"]].merge(
        before[KEYS + ["value", "status"]], on=KEYS, how="outer", suffixes=("_after", "_before"))
    has_before, has_after = merged["value_before"].notna(), merged["value_after"].notna()
    differs = ~np.isclose(merged["value_after"], merged["value_before"], rtol=1e-9, atol=1e-12)
    change = np.select(
        [has_before & has_after & differs, ~has_before & has_after, has_before & ~has_after],
        ["changed", "appeared", "disappeared"], default="")
    out = merged.assign(change=change)
    out = out[out["change"].ne("")]
    out = out.assign(before=out["value_before"], after=out["value_after"],
                     difference=out["value_after"] - out["value_before"],
                     status_before=out["status_before"].fillna(""),
                     status_after=out["status_after"].fillna(""),
                     _k=out["kpi"].map(KPI_ORDER).fillna(999), _s=out["scope"].map(SCOPE_ORDER).fillna(99),
                     _p=_period_sort_key(out["period"]))
    out = out.sort_values(["_p", "_k", "_s", "key"], ascending=[False, True, True, True], kind="stable")
    return out[CHANGE_COLUMNS].reset_index(drop=True)


# --- open complaints and other lists -------------------------------------------------------------

def age_band(age_days: pd.Series) -> pd.Series:
    """The age band of each open complaint (kpis.md), as the complaint KPIs band it."""
    band = age_band_of(age_days)
    return band.where(pd.to_numeric(age_days, errors="coerce").notna(), "").astype(object)


def open_complaint_ages(open_rows: pd.DataFrame | None, as_of: Any) -> pd.DataFrame | None:
    """The open-complaint list with `age_days` and `age_band`, oldest first. The KPI module's own
    age is kept; only a list without one gets its age at `as_of` from the received date."""
    if open_rows is None:
        return None
    rows = open_rows
    if "age_days" not in rows.columns:
        if "received_date" not in rows.columns:
            return rows.assign(age_days=np.nan, age_band="")
        received = pd.to_datetime(rows["received_date"], errors="coerce")
        rows = rows.assign(age_days=(pd.Timestamp(as_of) - received.dt.normalize()).dt.days)
    if "age_band" not in rows.columns or rows["age_band"].isna().any():
        rows = rows.assign(age_band=age_band(rows["age_days"]))
    return rows.sort_values("age_days", ascending=False, kind="stable", na_position="last").reset_index(drop=True)


def age_band_counts(open_rows: pd.DataFrame | None, split: str = "category") -> pd.DataFrame:
    """Open complaints per age band (rows, in band order) and per `split` value (columns)."""
    labels = list(AGE_BANDS)
    if open_rows is None or open_rows.empty or "age_band" not in open_rows.columns:
        return pd.DataFrame(index=pd.Index(labels, name="age_band"))
    by = open_rows[split].astype(object).fillna("") if split in open_rows.columns else pd.Series(
        "", index=open_rows.index)
    table = pd.crosstab(open_rows["age_band"], by)
    return table.reindex(labels, fill_value=0).rename_axis("age_band").rename_axis(None, axis=1)


def grade_counts(kpis: pd.DataFrame, round_label: str | None) -> pd.DataFrame:
    """Customers per grade in a survey round, from the `label` of the customer `survey_score`
    rows (the grade the KPI module gave each score): label, customers."""
    if round_label is None:
        return pd.DataFrame(columns=["label", "customers"])
    rows = kpis[kpis["kpi"].eq("survey_score") & kpis["scope"].eq("customer")
                & kpis["period"].eq(round_label) & kpis["value"].notna()]
    counts = rows["label"].replace("", np.nan).dropna().value_counts()
    return counts.rename_axis("label").reset_index(name="customers")


def bounded(frame: pd.DataFrame | None, limit: int) -> tuple[pd.DataFrame | None, int]:
    """The first `limit` rows of a list and how many it had (the pack says when it was cut)."""
    if frame is None:
        return None, 0
    return frame.iloc[:limit], len(frame)

