"""Complaints — 客诉, kpis.md "Complaints" (with "Working-day clock" and "Repeat complaints").

Each complaint is judged once (`judged_complaints`: its month, reply and 8D deadlines and whether
each is on time, late or pending at `as_of`, whether it repeats an earlier one), then counted per
month of the window at company and customer scope (complaints also per category and root cause,
open complaints also per age band).

Scopes and rows (outputs.md "kpis_long.csv"):
- company: every KPI, all 12 months (empty where there is no value; all empty when no complaint
  register was given — no data, never zeros);
- customer: complaints, defect_qty, batch_rejects, repeat_complaints, complaint_rate_pct, ppm for
  every customer with a complaint received in the window or a due/delivered lot in it (a customer
  that delivered and had no complaint has 0 complaints and 0 ppm); late_8d and open_complaints for
  every customer with a complaint received in the window or a non-zero count; the timeliness rates
  and the median only where they have a value;
- category (A/B/C/unclassified) and root_cause: complaints, for every value seen in the window.
Open complaints by age (0–30, 31–60, 61–90, over 90 days) are reported in the pack, from the open
list (`open_complaint_rows`): outputs.md gives `open_complaints` no scope for them in kpis_long.
"""
from __future__ import annotations

import math
from typing import Mapping

import numpy as np
import pandas as pd

from pipeline.kpis.base import KpiContext, long_frame, month_end, ratio_pct
from pipeline.kpis.delivery import delivery_facts, month_of

__all__ = [
    "AGE_BANDS", "COMPLAINT_KPIS", "age_band_of", "complaint_facts", "complaint_kpis", "judged_complaints",
    "open_complaint_rows", "repeat_links",
]

COMPLAINT_KPIS = (
    "complaints", "complaint_rate_pct", "defect_qty", "ppm", "batch_rejects",
    "response_on_time_pct", "d8_on_time_pct", "late_8d", "median_days_to_close",
    "open_complaints", "repeat_complaints",
)
# kpis.md: open complaints "reported also by age at that moment: 0–30, 31–60, 61–90 and over 90 days".
AGE_BANDS = ("0-30", "31-60", "61-90", ">90")
_AGE_EDGES = (-math.inf, 30, 60, 90, math.inf)          # (a, b] in whole days


def age_band_of(age_days: pd.Series) -> pd.Series:
    """The age band of an open complaint: 0–30, 31–60, 61–90, over 90 days (kpis.md)."""
    age = pd.to_numeric(age_days, errors="coerce")
    return pd.cut(age, bins=list(_AGE_EDGES), labels=list(AGE_BANDS)).astype("str")

ON_TIME, LATE, PENDING = "on_time", "late", "pending"

# What the monthly counts read of a judged complaint.
_COUNTED_COLUMNS = ("customer_key", "category", "root_cause", "received_date", "closed_date", "month",
                    "response_status", "d8_status", "d8_deadline_month", "closed_month", "days_to_close",
                    "is_repeat", "defect_n", "batch_reject_n")


# --- judging each complaint -----------------------------------------------------------------

def _limit_by_severity(severity: pd.Series, limits: Mapping[str, float]) -> pd.Series:
    """The limit of each complaint's severity (blank or unknown severity: normal, registers.md)."""
    return severity.map(dict(limits)).astype("float64").fillna(float(limits["normal"]))


def _judge(received: pd.Series, done: pd.Series, limit: pd.Series, unit: str,
           ctx: KpiContext) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Status (on_time / late / pending), the deadline and the deadline's month for one clock.

    Calendar clock (kpis.md "Response timeliness"): on time if `done − received ≤ limit`; late
    if it exceeds the limit, or if it is not done and `as_of` (the end of that day) is past the
    deadline; otherwise pending. The deadline is the moment `received + limit`, the last on-time
    instant; its month is the deadline's month.

    Working clock (kpis.md "Working-day clock"): a limit of N working days (replies: hours / 24
    rounded up) "ends at 24:00 of the N-th working day after the received date"; the calendar
    gives that exclusive end moment. On time if done before it; late if done at or after it, or
    not done when `as_of`'s end is past it (the as_of day is after the deadline day, as on the
    calendar clock); otherwise pending. The deadline's month is the month of that N-th working day.
    """
    as_of_end = ctx.as_of_end
    if ctx.settings.complaints.clock == "working":
        if ctx.calendar is None:
            raise ValueError("complaints.clock = \"working\" needs the working-day calendar (ctx.calendar)")
        days = np.ceil(limit / 24.0) if unit == "h" else limit
        end = ctx.calendar.deadline_end(received, days.astype("int64"))
        on_time = done.notna() & (done < end)
        late = (done.notna() & (done >= end)) | (done.isna() & (as_of_end > end))
        deadline, last_day = end, end - pd.Timedelta(days=1)
    else:
        deadline = received + pd.to_timedelta(limit, unit=unit)
        on_time = done.notna() & (done <= deadline)
        late = (done.notna() & (done > deadline)) | (done.isna() & (as_of_end > deadline))
        last_day = deadline
    status = pd.Series(np.select([received.isna(), on_time, late], [PENDING, ON_TIME, LATE], PENDING),
                       index=received.index, dtype="str")
    return status, deadline, month_of(last_day)


def _norm_text(values: pd.Series) -> pd.Series:
    """Whitespace removed everywhere, case folded; empty → missing (kpis.md "Repeat complaints")."""
    # each distinct text normalised once (the regex runs in Python), spread back by position
    which, distinct = pd.factorize(values.astype("str"))                # missing: -1
    norm = pd.Series(distinct).str.replace(r"\s+", "", regex=True).str.casefold()
    norm = norm.where(norm != "")
    return pd.Series(norm.array.take(which, allow_fill=True), index=values.index, name=values.name)  # -1: missing


def _repeat_pairs(complaints: pd.DataFrame, months: int) -> pd.DataFrame:
    """Every (repeat, earlier complaint it repeats) pair, as row positions in `complaints`.

    kpis.md: "a complaint is a repeat when an earlier complaint of the same customer and the same
    `part_no`, with the same defect — same `defect_code` where both have one, else the same
    description after removing whitespace and folding case — was received within
    `complaints.recurrence_months` months before it."
    "Within N months before" is: received − N calendar months ≤ earlier received < received
    (a month back from 31 August is 31 July; from 31 March six months back is 30 September,
    clipped to the month's last day). Defect codes are compared trimmed and case-folded too; a
    complaint without a part number, or without both a code and a description, repeats nothing.

    Two self-merges, each on (customer, part, the defect itself) reduced to one integer group id,
    so only complaints of the same defect are ever paired and the merge moves integers, not text.
    Returns columns pos, pos_prev (positions in `complaints`) and matched_on
    (defect_code / description).
    """
    received = complaints["received_date"]
    usable = (complaints["part_no"].notna() & complaints["customer_key"].notna() & received.notna()).to_numpy()
    base = pd.DataFrame({
        "customer_key": complaints["customer_key"].to_numpy()[usable],
        "part_no": complaints["part_no"].to_numpy()[usable],
        "code_n": _norm_text(complaints["defect_code"]).to_numpy()[usable],
        "desc_n": _norm_text(complaints["description"]).to_numpy()[usable],
        "t": received.to_numpy()[usable],
        "pos": np.flatnonzero(usable),
    })
    base = base.assign(earliest=base["t"] - pd.DateOffset(months=months), coded=base["code_n"].notna())

    def same_defect_pairs(defect: str) -> pd.DataFrame:
        rows = base[base[defect].notna()]
        slim = pd.DataFrame({
            "g": rows.groupby(["customer_key", "part_no", defect], sort=False).ngroup().to_numpy(),
            "t": rows["t"].to_numpy(), "earliest": rows["earliest"].to_numpy(),
            "pos": rows["pos"].to_numpy(), "coded": rows["coded"].to_numpy(),
        })
        pairs = slim.merge(slim[["g", "t", "pos", "coded"]], on="g", suffixes=("", "_prev"))
        return pairs[(pairs["t_prev"] < pairs["t"]) & (pairs["t_prev"] >= pairs["earliest"])]

    by_code = same_defect_pairs("code_n").assign(matched_on="defect_code")
    by_desc = same_defect_pairs("desc_n")
    # the description decides only where not both complaints have a defect code
    by_desc = by_desc[~(by_desc["coded"] & by_desc["coded_prev"])].assign(matched_on="description")
    return pd.concat([by_code, by_desc], ignore_index=True)[["pos", "pos_prev", "matched_on"]]


def _repeats(complaints: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """`_repeat_pairs` with the run's recurrence window, worked out once per run (the KPIs and the
    pack's repeat list both need it)."""
    return ctx.once("repeat_pairs", (complaints,),
                    lambda: _repeat_pairs(complaints, ctx.settings.complaints.recurrence_months))


def judged_complaints(complaints: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """Every complaint with what the KPIs need, judged at `as_of` (the end of that day).

    Adds: month (received), response_deadline / response_status / response_deadline_month
    (limit `complaints.response_hours[severity]` hours), d8_deadline / d8_status /
    d8_deadline_month (limit `complaints.d8_days[severity]` days), closed_month,
    days_to_close ("(`closed_date` − `received_date`) in whole days (date parts only)"),
    is_repeat, defect_n (defect quantity as a float, blank 0) and batch_reject_n (0/1).
    Statuses are on_time / late / pending; a value with no time of day is 00:00.

    Judged once per run (`KpiContext.once`): the complaint KPIs, the scorecard and the pack's
    lists all read it; do not change it.
    """
    return ctx.once("judged_complaints", (complaints,), lambda: _judge_complaints(complaints, ctx))


def _judge_complaints(complaints: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    cfg = ctx.settings.complaints
    received = complaints["received_date"]
    resp_status, resp_deadline, resp_month = _judge(
        received, complaints["first_response_at"],
        _limit_by_severity(complaints["severity"], cfg.response_hours), "h", ctx)
    d8_status, d8_deadline, d8_month = _judge(
        received, complaints["report_8d_at"],
        _limit_by_severity(complaints["severity"], cfg.d8_days), "D", ctx)
    closed = complaints["closed_date"].dt.normalize()
    repeats = _repeats(complaints, ctx)
    return complaints.assign(
        month=month_of(received),
        response_deadline=resp_deadline, response_status=resp_status, response_deadline_month=resp_month,
        d8_deadline=d8_deadline, d8_status=d8_status, d8_deadline_month=d8_month,
        closed_month=month_of(closed),
        days_to_close=(closed - received.dt.normalize()).dt.days.astype("float64"),
        is_repeat=pd.Series(np.isin(np.arange(len(complaints)), repeats["pos"].to_numpy()),
                            index=complaints.index),
        defect_n=pd.to_numeric(complaints["defect_qty"], errors="coerce").astype("float64").fillna(0.0),
        batch_reject_n=complaints["batch_reject"].fillna(False).astype("int64"),
    )


# --- counting per key and month ---------------------------------------------------------------

def _keyed(frame: pd.DataFrame, by: str | None, month_col: str, months: tuple[str, ...]) -> pd.DataFrame:
    """Rows whose `month_col` is in the window, with `key` (the `by` column, "" for company) and
    `month` columns."""
    rows = frame[frame[month_col].isin(months)]
    key = rows[by] if by else pd.Series("", index=rows.index, dtype="str")
    rows = rows.assign(key=key, month=rows[month_col])
    return rows[rows["key"].notna()]


def _reference_days(ctx: KpiContext) -> pd.DataFrame:
    """The day each month of the window is read at: its last day, or `as_of` for the period P."""
    refs = [pd.Timestamp(ctx.as_of) if m == ctx.period else month_end(m) for m in ctx.months]
    return pd.DataFrame({"month": list(ctx.months), "ref": pd.to_datetime(refs)})


def _open_at_month_ends(judged: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """One row per (complaint, month) where the complaint is open at the month's reference day.

    kpis.md: "`open_complaints(M)`: complaints received on or before the month's end (or `as_of`
    for P) with no `closed_date` or a `closed_date` after it" (its age bands at `as_of` are the
    pack's, from `open_complaint_rows`).
    """
    refs = _reference_days(ctx)
    received = judged["received_date"].dt.normalize()
    closed = judged["closed_date"].dt.normalize()
    first, last = refs["ref"].min(), refs["ref"].max()
    candidates = judged.loc[received.notna() & (received <= last) & (closed.isna() | (closed > first)),
                            ["customer_key"]].assign(received_day=received, closed_day=closed)
    cross = candidates.merge(refs, how="cross")
    is_open = (cross["received_day"] <= cross["ref"]) & (cross["closed_day"].isna() | (cross["closed_day"] > cross["ref"]))
    return cross[is_open]


def _count(frame: pd.DataFrame, value: str | None = None) -> pd.Series:
    """Σ `value` (or the number of rows) per (key, month)."""
    grouped = frame.groupby(["key", "month"], sort=False)
    return (grouped.size() if value is None else grouped[value].sum()).astype("float64")


def _grid(series: Mapping[str, pd.Series], keys: list[str], months: tuple[str, ...],
          fill: float = 0.0) -> pd.DataFrame:
    """Columns of per-(key, month) values over every key × month of the window."""
    full = pd.MultiIndex.from_product([keys, list(months)], names=["key", "month"])
    cols = {name: s.reindex(full, fill_value=fill) if s.index.nlevels == 2 else pd.Series(fill, index=full)
            for name, s in series.items()}
    return pd.DataFrame(cols, index=full).reset_index()


def _ppm(defects: pd.Series, delivered_qty: pd.Series) -> np.ndarray:
    """`ppm(M) = defect_qty(M) / delivered_qty(M) × 1,000,000`; no value without delivered quantity."""
    num = np.asarray(defects, dtype="float64")
    den = np.asarray(delivered_qty, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        # multiply first: whole-number inputs then divide once, exactly where the result is exact
        return np.where((den > 0) & np.isfinite(den), num * 1_000_000.0 / den, np.nan)


def _rows(grid: pd.DataFrame, scope: str, kpi: str, value: str | np.ndarray,
          numerator: str | None = None, denominator: str | None = None,
          only_with_value: bool = False) -> pd.DataFrame:
    values = grid[value] if isinstance(value, str) else pd.Series(value, index=grid.index)
    frame = long_frame(period=grid["month"], kpi=kpi, scope=scope, key=grid["key"], value=values,
                       numerator=grid[numerator] if numerator else np.nan,
                       denominator=grid[denominator] if denominator else np.nan)
    return frame[frame["value"].notna()] if only_with_value else frame


def _scope_rows(judged: pd.DataFrame, open_rows: pd.DataFrame, delivered: pd.DataFrame | None,
                by: str | None, ctx: KpiContext) -> pd.DataFrame:
    """Every complaint KPI at company (`by` None) or customer (`by` = customer_key) scope."""
    months = ctx.months
    scope = "customer" if by else "company"
    received = _keyed(judged, by, "month", months)
    resp = received.assign(r_on=(received["response_status"] == ON_TIME).astype("int64"),
                           r_late=(received["response_status"] == LATE).astype("int64"),
                           d_on=(received["d8_status"] == ON_TIME).astype("int64"),
                           d_late=(received["d8_status"] == LATE).astype("int64"),
                           rep=received["is_repeat"].astype("int64"))
    counts = {
        "complaints": _count(received), "defect_qty": _count(received, "defect_n"),
        "batch_rejects": _count(received, "batch_reject_n"), "repeats": _count(resp, "rep"),
        "r_on": _count(resp, "r_on"), "r_late": _count(resp, "r_late"),
        "d_on": _count(resp, "d_on"), "d_late": _count(resp, "d_late"),
    }
    late8 = _count(_keyed(judged[judged["d8_status"] == LATE], by, "d8_deadline_month", months))
    closed = _keyed(judged[judged["days_to_close"].notna()], by, "closed_month", months)
    median = closed.groupby(["key", "month"], sort=False)["days_to_close"].median().astype("float64")
    open_keyed = open_rows.assign(key=open_rows[by] if by else "")
    open_n = _count(open_keyed[open_keyed["key"].notna()])

    if by:
        # the distinct keys (`unique` first: a set built from a text column walks it in Python)
        seen = set(received["key"].unique())
        if delivered is not None:
            seen |= set(delivered["customer_key"].unique())
        volume_keys = sorted(seen)
        status_keys = sorted(set(received["key"].unique())
                             | set(late8[late8 > 0].index.get_level_values("key"))
                             | set(open_n[open_n > 0].index.get_level_values("key")))
    else:
        volume_keys = status_keys = [""]

    # volume: complaints, defects, rejects, repeats, and the rates over delivered lots / quantity
    vol = _grid({k: counts[k] for k in ("complaints", "defect_qty", "batch_rejects", "repeats",
                                        "r_on", "r_late", "d_on", "d_late")}, volume_keys, months)
    if delivered is not None:
        d = delivered.assign(key=delivered["customer_key"] if by else "")
        dl = d.groupby(["key", "month"], sort=False)[["delivered_lots", "delivered_qty"]].sum()
        full = pd.MultiIndex.from_arrays([vol["key"], vol["month"]])
        vol = vol.assign(delivered_lots=dl["delivered_lots"].reindex(full, fill_value=0.0).to_numpy(),
                         delivered_qty=dl["delivered_qty"].reindex(full, fill_value=0.0).to_numpy())
    else:                                   # no delivery register: no denominator, no rate
        vol = vol.assign(delivered_lots=np.nan, delivered_qty=np.nan)
    vol = vol.assign(r_den=vol["r_on"] + vol["r_late"], d_den=vol["d_on"] + vol["d_late"])
    status = _grid({"late_8d": late8, "open": open_n}, status_keys, months)
    med = _grid({"median": median}, volume_keys if not by else sorted(set(closed["key"].unique())), months, fill=np.nan)

    per_customer = bool(by)
    return pd.concat([
        _rows(vol, scope, "complaints", "complaints"),
        _rows(vol, scope, "complaint_rate_pct", ratio_pct(vol["complaints"], vol["delivered_lots"]),
              "complaints", "delivered_lots"),
        _rows(vol, scope, "defect_qty", "defect_qty"),
        _rows(vol, scope, "ppm", _ppm(vol["defect_qty"], vol["delivered_qty"]), "defect_qty", "delivered_qty"),
        _rows(vol, scope, "batch_rejects", "batch_rejects"),
        _rows(vol, scope, "repeat_complaints", "repeats"),
        _rows(vol, scope, "response_on_time_pct", ratio_pct(vol["r_on"], vol["r_den"]), "r_on", "r_den",
              only_with_value=per_customer),
        _rows(vol, scope, "d8_on_time_pct", ratio_pct(vol["d_on"], vol["d_den"]), "d_on", "d_den",
              only_with_value=per_customer),
        _rows(status, scope, "late_8d", "late_8d"),
        _rows(status, scope, "open_complaints", "open"),
        _rows(med, scope, "median_days_to_close", "median", only_with_value=per_customer),
    ], ignore_index=True)


def _group_rows(judged: pd.DataFrame, column: str, scope: str, ctx: KpiContext) -> pd.DataFrame:
    """complaints(M) per category or root cause, for every value seen in the window."""
    received = _keyed(judged, column, "month", ctx.months)
    if received.empty:
        return long_frame(period=[], kpi="complaints", scope=scope, value=[])
    grid = _grid({"n": _count(received)}, sorted(set(received["key"].unique())), ctx.months)
    return _rows(grid, scope, "complaints", "n")


def complaint_kpis(registers: Mapping[str, pd.DataFrame], ctx: KpiContext) -> pd.DataFrame:
    """The complaint KPIs of kpis.md "Complaints", every month of the window:

    - `complaints(M)`: complaints with `received_date` in M (company, customer, category,
      root_cause);
    - `complaint_rate_pct(M) = complaints(M) / delivered_lots(M) × 100`;
    - `defect_qty(M)`: Σ `defect_qty` of complaints received in M;
    - `ppm(M) = defect_qty(M) / delivered_qty(M) × 1,000,000`;
    - `batch_rejects(M)`: complaints received in M with `batch_reject` true;
    - `response_on_time_pct(M) = on_time / (on_time + late) × 100` over complaints received in M
      (pending ones left out); `d8_on_time_pct(M)` likewise for the 8D report;
    - `late_8d(M)`: late 8Ds whose deadline falls in M;
    - `median_days_to_close(M)`: median of whole days received → closed over complaints closed in M;
    - `open_complaints(M)`: open at the month's end (`as_of` for P), also by age band;
    - `repeat_complaints(M)`: repeats received in M.
    Delivered lots and quantity come from `delivery_facts`; without a delivery register the
    rate and PPM have no value.
    """
    months = ctx.months
    complaints = registers.get("complaints")
    if complaints is None:
        return pd.concat([long_frame(period=list(months), kpi=kpi, scope="company", value=np.nan)
                          for kpi in COMPLAINT_KPIS], ignore_index=True)
    deliveries = registers.get("deliveries")
    delivered = delivery_facts(deliveries, ctx) if deliveries is not None else None
    # only the columns the counts read: every filter below then moves a few columns, not all
    judged = judged_complaints(complaints, ctx)[list(_COUNTED_COLUMNS)]
    open_rows = _open_at_month_ends(judged, ctx)
    return pd.concat([
        _scope_rows(judged, open_rows, delivered, None, ctx),
        _scope_rows(judged, open_rows, delivered, "customer_key", ctx),
        _group_rows(judged, "category", "category", ctx),
        _group_rows(judged, "root_cause", "root_cause", ctx),
    ], ignore_index=True)


# --- tables for the scorecard and the pack ----------------------------------------------------

def complaint_facts(complaints: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """Per customer and month of the window with any activity: complaints, defect_qty,
    batch_rejects (by received month) and late_8d (by the 8D deadline's month), for the
    scorecard (Q: PPM and batch parts; O: late 8Ds when `scorecard.derive_late_8d`).
    """
    judged = judged_complaints(complaints, ctx)
    months = ctx.months
    received = _keyed(judged, "customer_key", "month", months)
    late8 = _count(_keyed(judged[judged["d8_status"] == LATE], "customer_key", "d8_deadline_month", months))
    facts = pd.DataFrame({
        "complaints": _count(received), "defect_qty": _count(received, "defect_n"),
        "batch_rejects": _count(received, "batch_reject_n"), "late_8d": late8,
    })
    if facts.empty:
        return pd.DataFrame({"customer_key": pd.Series(dtype="str"), "month": pd.Series(dtype="str"),
                             **{c: pd.Series(dtype="float64") for c in
                                ("complaints", "defect_qty", "batch_rejects", "late_8d")}})
    facts = facts.fillna(0.0).rename_axis(["customer_key", "month"]).reset_index()
    return facts.sort_values(["customer_key", "month"], kind="mergesort").reset_index(drop=True)


def open_complaint_rows(complaints: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """The complaints open at `as_of` (received on or before it, not closed by then), oldest
    first, with `age_days` (as_of − received day) and `age_band` (0-30 / 31-60 / 61-90 / >90),
    their reply and 8D status, and provenance."""
    as_of = pd.Timestamp(ctx.as_of)
    received = complaints["received_date"].dt.normalize()
    closed = complaints["closed_date"].dt.normalize()
    is_open = received.notna() & (received <= as_of) & (closed.isna() | (closed > as_of))
    judged = judged_complaints(complaints, ctx)[is_open]
    age = (as_of - judged["received_date"].dt.normalize()).dt.days
    out = judged.assign(age_days=age.astype("int64"),
                        age_band=age_band_of(age))
    cols = ["complaint_no", "customer_key", "customer_code", "customer_name", "received_date",
            "age_days", "age_band", "category", "severity", "part_no", "lot_no", "description",
            "defect_qty", "responsible_dept", "first_response_at", "response_status",
            "report_8d_at", "d8_deadline", "d8_status", "_file", "_sheet", "_row"]
    return (out[[c for c in cols if c in out.columns]]
            .sort_values(["age_days", "complaint_no"], ascending=[False, True], kind="mergesort")
            .reset_index(drop=True))


def repeat_links(complaints: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """Each repeat complaint received in the window beside every earlier complaint it repeats.

    Columns: month, complaint_no, received_date, repeats_complaint_no, repeats_received_date,
    customer_key, part_no, matched_on (defect_code / description), defect_code, description,
    repeats_defect_code, repeats_description, and the repeat's provenance (`_file`, `_sheet`,
    `_row`).
    """
    pairs = _repeats(complaints, ctx)
    cols = ["complaint_no", "received_date", "customer_key", "part_no", "defect_code", "description",
            "_file", "_sheet", "_row"]
    later = complaints[cols].iloc[pairs["pos"].to_numpy()].reset_index(drop=True)
    earlier = complaints[cols[:2] + cols[4:6]].iloc[pairs["pos_prev"].to_numpy()].reset_index(drop=True)
    out = pd.DataFrame({
        "month": month_of(later["received_date"]),
        "complaint_no": later["complaint_no"], "received_date": later["received_date"],
        "repeats_complaint_no": earlier["complaint_no"], "repeats_received_date": earlier["received_date"],
        "customer_key": later["customer_key"], "part_no": later["part_no"],
        "matched_on": pairs["matched_on"].to_numpy(),
        "defect_code": later["defect_code"], "description": later["description"],
        "repeats_defect_code": earlier["defect_code"], "repeats_description": earlier["description"],
        "_file": later["_file"], "_sheet": later["_sheet"], "_row": later["_row"],
    })
    out = out[out["month"].isin(ctx.months)]
    return (out.sort_values(["received_date", "complaint_no", "repeats_received_date", "repeats_complaint_no"],
                            kind="mergesort")
            .reset_index(drop=True))
