"""Monthly customer scorecard — 顾客满意度月度评分 (kpis.md; seed 004 §5.7, §5.9).

For each customer of a scorecard segment (default: automotive) and month M in which it has a due
lot, a delivered lot, a complaint, an incident or a customer-issued scorecard:

    D (delivery, 25) = max(0, 25 − 5 × late_lots)
    Q (quality, 50)  = PPM part (25, one point per full 10 % over the PPM target)
                       + batch part (max(0, 25 − 5 × batch_rejects))
    O (other, 25)    = max(0, 25 − 5 × (Σ incident counts + late 8Ds))
    internal = Q + D + O;  final = the customer's own score when it sent one, else internal.

The company's monthly score is the mean of its customers' finals; the annual score blends in the
satisfaction survey: survey_weight × S + (1 − survey_weight) × mean(monthly finals).

The core, `scorecard_monthly`, is a pure function over the delivery and complaint facts frames
(`pipeline.kpis.delivery.delivery_facts`, `pipeline.kpis.complaints.complaint_facts`), so it can
be checked with hand-built facts; `scorecard_kpis` wires it to the registers.

A component needs the registers it reads (architecture.md: a missing register is "no data",
never zeros): D the deliveries; Q the deliveries and the complaints (PPM = defects / delivered).
O is the exception: many factories keep no incident log, so an absent incidents register counts
as no incidents (n = the derived late 8Ds only); O has no value only when it cannot be known,
i.e. `scorecard.derive_late_8d` is on and the complaints register is absent. A component without
its registers has no value, and neither has the internal score; a customer-issued score still
stands.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any, Mapping

import numpy as np
import pandas as pd

from pipeline.kpis.base import KpiContext, empty_long, long_frame, month_label

FULL = 25          # each of D, O and the two halves of Q
STEP = 5           # points per late lot, batch reject, incident or late 8D

MONTHLY_COLUMNS = [
    "customer_key", "month", "due_lots", "late_lots", "delivered_lots", "delivered_qty",
    "complaints", "defect_qty", "batch_rejects", "late_8d", "incidents", "ppm_target",
    "d", "ppm_part", "batch_part", "q", "o", "internal", "customer_score", "final",
]
_DELIVERY_FACTS = ["due_lots", "late_lots", "delivered_lots", "delivered_qty"]
_COMPLAINT_FACTS = ["complaints", "defect_qty", "batch_rejects", "late_8d"]
_KEYS = ["customer_key", "month"]


# --- the pieces of arithmetic -----------------------------------------------------------------

def deduction_score(events: Any) -> np.ndarray:
    """max(0, 25 − 5 × events): D from late lots, the batch part from batch rejects, O from
    incidents and late 8Ds (seed 004 §5.7.1: 每次扣5分，扣完为止)."""
    return np.maximum(0, FULL - STEP * np.asarray(events, dtype="int64"))


def exact_target(target: float) -> Fraction:
    """A PPM target as the exact decimal the analyst wrote (30.0 → 30, 0.1 → 1/10)."""
    return Fraction(str(float(target)))


def ppm_part(defect_qty: pd.Series, delivered_qty: pd.Series, target: pd.Series) -> pd.Series:
    """The PPM half of Q, counted exactly.

    kpis.md: "PPM part = 25 if `ppm` ≤ t; else max(0, 25 − ⌊10 × (ppm − t) / t⌋), one point per
    full 10% over target, counted exactly (ppm 33 against target 30 is exactly 10% over: 24).
    With no delivered quantity in M: 25 if `defect_qty` is 0, else 0."

    With ppm = defects × 10⁶ / delivered and t = p / q, 10 × (ppm − t) / t
    = 10 × (defects × 10⁶ × q − p × delivered) / (delivered × p): whole numbers throughout, so
    the floor is exact (no float can turn 1 into 0.9999999).
    """
    defects = pd.to_numeric(defect_qty).fillna(0).round().astype("int64").astype(object)
    delivered = pd.to_numeric(delivered_qty).fillna(0).round().astype("int64").astype(object)
    fractions = {value: exact_target(value) for value in pd.unique(target.astype("float64"))}
    p = target.astype("float64").map(lambda v: fractions[v].numerator).astype(object)
    q = target.astype("float64").map(lambda v: fractions[v].denominator).astype(object)
    has_delivery = (delivered > 0).astype(bool)
    safe_delivered = delivered.where(has_delivery, 1)
    over = 10 * (defects * 10**6 * q - p * safe_delivered) // (safe_delivered * p)
    lost = over.where(over > 0, 0)
    lost = lost.where(lost < FULL, FULL).astype("int64")      # capped before leaving Python ints
    part = np.maximum(0, FULL - lost)
    no_delivery = np.where(defects.astype("int64") == 0, FULL, 0)
    return pd.Series(np.where(has_delivery, part, no_delivery).astype("int64"), index=target.index)


def customer_segments(customers: pd.DataFrame | None) -> pd.Series:
    """customer_code → segment from the master (registers.md: a customer not in the master is
    `non-automotive`; with no master at all every customer is)."""
    if customers is None or customers.empty or "segment" not in customers:
        return pd.Series(dtype=object)
    master = customers.dropna(subset=["customer_code"]).drop_duplicates("customer_code")
    return pd.Series(master["segment"].fillna("non-automotive").astype(str).to_numpy(),
                     index=master["customer_code"].astype(str).to_numpy())


def customer_ppm_targets(customers: pd.DataFrame | None) -> pd.Series:
    """customer_code → the master's `ppm_target` (customers without one are left out)."""
    if customers is None or customers.empty or "ppm_target" not in customers:
        return pd.Series(dtype="float64")
    master = customers.dropna(subset=["customer_code"]).drop_duplicates("customer_code")
    targets = pd.Series(pd.to_numeric(master["ppm_target"], errors="coerce").to_numpy(dtype="float64"),
                        index=master["customer_code"].astype(str).to_numpy())
    return targets[targets > 0]


# --- the monthly scorecard --------------------------------------------------------------------

def _facts(frame: pd.DataFrame | None, columns: list[str], months: tuple[str, ...]) -> pd.DataFrame:
    """The facts of the window's months, summed per (customer, month), with integer counts."""
    if frame is None or frame.empty:
        return pd.DataFrame({c: pd.Series(dtype=str if c in _KEYS else "int64") for c in _KEYS + columns})
    kept = frame[frame["month"].astype(str).isin(months)]
    out = (kept.assign(customer_key=kept["customer_key"].astype(str), month=kept["month"].astype(str))
           .groupby(_KEYS, sort=True)[columns].sum(min_count=1).reset_index())
    return out.assign(**{c: pd.to_numeric(out[c]).fillna(0).round().astype("int64") for c in columns})


def _incident_counts(incidents: pd.DataFrame | None, months: tuple[str, ...]) -> pd.DataFrame:
    """Σ `count` of incidents per (customer, month of `date`), every type; a blank count is 1."""
    if incidents is None or incidents.empty:
        return pd.DataFrame({"customer_key": pd.Series(dtype=str), "month": pd.Series(dtype=str),
                             "incidents": pd.Series(dtype="int64")})
    dated = incidents.assign(month=month_label(incidents["date"]),
                             customer_key=incidents["customer_key"].astype(str),
                             incidents=pd.to_numeric(incidents["count"]).fillna(1).astype("int64"))
    dated = dated[dated["month"].isin(months)]
    return dated.groupby(_KEYS, sort=True)["incidents"].sum().reset_index()


def _customer_scores(customer_scorecards: pd.DataFrame | None, months: tuple[str, ...]) -> pd.DataFrame:
    """The customer-issued score per (customer, month).

    The register is keyed by (customer, month) (`pipeline.registers`), so resolving leaves one
    row per pair: two different scores in one sheet are both rejected as a conflict, across files
    the newest workbook's wins. The mean below only makes the frame one row per pair whatever it
    is given (hand-built frames); on resolved registers it takes the one score there is.
    """
    if customer_scorecards is None or customer_scorecards.empty:
        return pd.DataFrame({"customer_key": pd.Series(dtype=str), "month": pd.Series(dtype=str),
                             "customer_score": pd.Series(dtype="float64")})
    scored = customer_scorecards.assign(customer_key=customer_scorecards["customer_key"].astype(str),
                                        month=customer_scorecards["month"].astype(str),
                                        customer_score=pd.to_numeric(customer_scorecards["score"]))
    scored = scored[scored["month"].isin(months) & scored["customer_score"].notna()]
    return scored.groupby(_KEYS, sort=True)["customer_score"].mean().reset_index()


def scorecard_monthly(delivery_facts: pd.DataFrame | None, complaint_facts: pd.DataFrame | None,
                      incidents: pd.DataFrame | None, customer_scorecards: pd.DataFrame | None,
                      customers: pd.DataFrame | None, ctx: KpiContext) -> pd.DataFrame:
    """One row per scorecard customer and active month of the window, with every component.

    kpis.md "Monthly customer scorecard": for each customer whose segment is in
    `scorecard.segments` and month M in which that customer has a due lot, a delivered lot, a
    complaint, an incident or a customer-issued scorecard:
    D = max(0, 25 − 5 × late_lots); Q = PPM part + batch part, PPM part against the customer's
    `ppm_target`, else `targets.ppm`; batch part = max(0, 25 − 5 × batch_rejects);
    O = max(0, 25 − 5 × n), n = Σ `count` of the customer's incidents dated in M (every type)
    + `late_8d(M)` when `scorecard.derive_late_8d`; internal = Q + D + O; final = the
    customer-issued score for (customer, M) when one exists, else internal.

    `None` for a frame means its register is absent (see the module note for what that does:
    no incidents register counts as no incidents; no complaints register leaves Q, and O when
    late 8Ds are derived, without a value).
    Facts frames: [customer_key, month, due_lots, late_lots, delivered_lots, delivered_qty] and
    [customer_key, month, complaints, defect_qty, batch_rejects, late_8d].
    """
    settings = ctx.settings
    months = tuple(ctx.months)
    derive_late_8d = bool(settings.scorecard.derive_late_8d)
    frames = [
        _facts(delivery_facts, _DELIVERY_FACTS, months),
        _facts(complaint_facts, _COMPLAINT_FACTS, months),
        _incident_counts(incidents, months),
        _customer_scores(customer_scorecards, months),
    ]
    merged = frames[0]
    for frame in frames[1:]:
        merged = merged.merge(frame, on=_KEYS, how="outer")
    counts = _DELIVERY_FACTS + _COMPLAINT_FACTS + ["incidents"]
    merged = merged.assign(**{c: merged[c].fillna(0).astype("int64") for c in counts})

    active = ((merged["due_lots"] > 0) | (merged["delivered_lots"] > 0) | (merged["complaints"] > 0)
              | (merged["incidents"] > 0) | merged["customer_score"].notna())
    segment = merged["customer_key"].map(customer_segments(customers)).astype(object).fillna("non-automotive")
    rows = merged[active & segment.isin(tuple(settings.scorecard.segments))]
    rows = rows.sort_values(_KEYS, kind="stable", ignore_index=True)

    target = (rows["customer_key"].map(customer_ppm_targets(customers))
              .fillna(float(settings.targets.ppm)).astype("float64"))
    have_deliveries = delivery_facts is not None
    have_complaints = complaint_facts is not None
    # no incidents register = no incidents; O is unknown only when the late 8Ds it counts are
    have_other = have_complaints or not derive_late_8d

    d = pd.Series(deduction_score(rows["late_lots"]), index=rows.index, dtype="float64")
    ppm = ppm_part(rows["defect_qty"], rows["delivered_qty"], target).astype("float64")
    batch = pd.Series(deduction_score(rows["batch_rejects"]), index=rows.index, dtype="float64")
    other_events = rows["incidents"] + (rows["late_8d"] if derive_late_8d else 0)
    o = pd.Series(deduction_score(other_events), index=rows.index, dtype="float64")
    d, ppm = _known_if(d, have_deliveries), _known_if(ppm, have_deliveries and have_complaints)
    batch, o = _known_if(batch, have_complaints), _known_if(o, have_other)
    q = ppm + batch
    internal = q + d + o
    return rows.assign(ppm_target=target, d=d, ppm_part=ppm, batch_part=batch, q=q, o=o,
                       internal=internal,
                       final=rows["customer_score"].where(rows["customer_score"].notna(), internal)
                       )[MONTHLY_COLUMNS]


def _known_if(points: pd.Series, registers_present: bool) -> pd.Series:
    """The points, or no value everywhere when a register they need is absent."""
    return points if registers_present else pd.Series(np.nan, index=points.index, dtype="float64")


def company_monthly(monthly: pd.DataFrame, months: tuple[str, ...]) -> pd.DataFrame:
    """Per month of the window: the mean of the customers' final scores (sum, count, value).

    kpis.md: "Company `scorecard_final(M)` = **mean** of the customers' final scores that month"
    (seed 004 §5.7.4: 所有顾客满意度值加和取平均值). A month with no customer score has no value.
    """
    finals = monthly[monthly["final"].notna()]
    agg = finals.groupby("month")["final"].agg(["sum", "count"]).reindex(list(months))
    total = agg["sum"].fillna(0.0).to_numpy(dtype="float64")
    count = agg["count"].fillna(0).to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(count > 0, total / np.where(count > 0, count, 1), np.nan)
    return pd.DataFrame({"month": list(months), "sum": total, "count": count, "value": value})


def scorecard_annual(monthly: pd.DataFrame, company: pd.DataFrame, customer_survey: pd.DataFrame,
                     company_survey: pd.DataFrame, ctx: KpiContext) -> pd.DataFrame:
    """The annual score per customer and for the company: scope, key, period, value, label.

    kpis.md: "Annual (period label `YYYY`, months January..P): per customer `scorecard_annual =
    survey_weight × S + (1 − survey_weight) × mean(final monthly scores)`, where S is the mean of
    that customer's `survey_score` over the rounds of that year; with no survey in the year,
    `scorecard_annual` = the monthly mean and the row is labelled `no_survey`. Company: the same
    with the company survey scores of the year's rounds and the company monthly scores."
    The rounds of a year are those whose label starts with it (`2026H1`, `2026Q3`, `2026`).
    Customers get a row when they have a scorecard month in January..P.
    """
    year = ctx.period[:4]
    weight = float(ctx.settings.scorecard.survey_weight)
    year_months = [m for m in ctx.months if m.startswith(year)]

    in_year = monthly[monthly["month"].isin(year_months)]
    per_customer = in_year.groupby("customer_key", sort=True)["final"].mean()
    surveys = customer_survey[customer_survey["round"].astype(str).str.startswith(year)
                              & customer_survey["score"].notna()]
    s_customer = surveys.groupby("customer_key")["score"].mean().reindex(per_customer.index)

    company_year = company[company["month"].isin(year_months)]["value"].dropna()
    company_mean = company_year.mean() if len(company_year) else np.nan
    s_company = company_survey[company_survey["round"].astype(str).str.startswith(year)]["value"].dropna()
    s_company_value = s_company.mean() if len(s_company) else np.nan

    monthly_mean = np.append(per_customer.to_numpy(dtype="float64"), company_mean)
    survey = np.append(s_customer.to_numpy(dtype="float64"), s_company_value)
    no_survey = np.isnan(survey)
    value = np.where(no_survey, monthly_mean, weight * survey + (1.0 - weight) * monthly_mean)
    return pd.DataFrame({
        "period": year,
        "scope": ["customer"] * len(per_customer) + ["company"],
        "key": [*per_customer.index.astype(str), ""],
        "value": value,
        "label": np.where(no_survey, "no_survey", ""),
    })


# --- the registers → long rows ----------------------------------------------------------------

def _monthly_from_registers(registers: Mapping[str, pd.DataFrame], ctx: KpiContext) -> pd.DataFrame:
    """`scorecard_monthly` of the registers, worked out once per run (`KpiContext.once`): the
    scorecard KPIs, the points list and the reconciliation all start from it."""
    used = tuple(registers.get(name) for name in
                 ("deliveries", "complaints", "incidents", "customer_scorecards", "customers"))
    return ctx.once("scorecard_monthly", used, lambda: _scorecard_monthly(registers, ctx))


def _scorecard_monthly(registers: Mapping[str, pd.DataFrame], ctx: KpiContext) -> pd.DataFrame:
    deliveries = registers.get("deliveries")
    complaints = registers.get("complaints")
    d_facts = c_facts = None
    if deliveries is not None:
        from pipeline.kpis.delivery import delivery_facts
        d_facts = delivery_facts(deliveries, ctx)
    if complaints is not None:
        from pipeline.kpis.complaints import complaint_facts
        c_facts = complaint_facts(complaints, ctx)
    return scorecard_monthly(d_facts, c_facts, registers.get("incidents"),
                             registers.get("customer_scorecards"), registers.get("customers"), ctx)


def _survey_scores(registers: Mapping[str, pd.DataFrame], ctx: KpiContext) -> tuple[pd.DataFrame, pd.DataFrame]:
    from pipeline.kpis.survey import company_survey_scores, customer_survey_scores, response_scores
    returns = registers.get("survey_returns")
    if returns is None or returns.empty:
        return (pd.DataFrame({"round": pd.Series(dtype=str), "customer_key": pd.Series(dtype=str),
                              "score": pd.Series(dtype="float64")}),
                pd.DataFrame({"round": pd.Series(dtype=str), "value": pd.Series(dtype="float64")}))
    survey = ctx.settings.survey
    per_customer = customer_survey_scores(response_scores(returns, survey.items, survey.scale_max))
    return per_customer, company_survey_scores(per_customer, registers.get("customers"),
                                               survey.company_weighting)


def scorecard_kpis(registers: Mapping[str, pd.DataFrame], ctx: KpiContext) -> pd.DataFrame:
    """The scorecard KPIs in the long shape (kpis.md "Monthly customer scorecard"; outputs.md).

    `scorecard_d`, `scorecard_q`, `scorecard_o`, `scorecard_internal`, `scorecard_final` per
    customer of the scorecard segments and active month; `scorecard_final` for the company, every
    month of the window (the mean of the customers' finals; numerator = their sum, denominator =
    how many); `scorecard_annual` (period `YYYY`) per customer and for the company, labelled
    `no_survey` when no survey round of the year scored it.
    """
    monthly = _monthly_from_registers(registers, ctx)
    company = company_monthly(monthly, tuple(ctx.months))
    customer_survey, company_survey = _survey_scores(registers, ctx)
    annual = scorecard_annual(monthly, company, customer_survey, company_survey, ctx)

    components = {"scorecard_d": "d", "scorecard_q": "q", "scorecard_o": "o",
                  "scorecard_internal": "internal", "scorecard_final": "final"}
    frames = [long_frame(period=monthly["month"], kpi=kpi, scope="customer", key=monthly["customer_key"],
                         value=monthly[column]) for kpi, column in components.items()]
    frames.append(long_frame(period=company["month"], kpi="scorecard_final", scope="company", key="",
                             value=company["value"], numerator=company["sum"],
                             denominator=company["count"]))
    frames.append(long_frame(period=annual["period"], kpi="scorecard_annual", scope=annual["scope"],
                             key=annual["key"], value=annual["value"], label=annual["label"]))
    frames = [f for f in frames if not f.empty]
    out = pd.concat(frames, ignore_index=True) if frames else empty_long()
    return out.sort_values(["period", "kpi", "scope", "key"], kind="stable", ignore_index=True)


# --- traceability: which input rows cost the points --------------------------------------------

POINT_COLUMNS = ["customer_key", "month", "component", "cause", "points", "date", "reference",
                 "_file", "_sheet", "_row"]


def _capped_points(rows: pd.DataFrame, events: str, order: list[str]) -> pd.Series:
    """Points each row cost within its (customer, month, component): 5 per event until the
    component's 25 are gone (seed 004: 扣完为止), in the order of `order`, so a month's rows add
    up to exactly the points lost; rows past the floor cost 0."""
    ordered = rows.sort_values(["customer_key", "month", "component", *order], kind="stable")
    cum = ordered.groupby(["customer_key", "month", "component"], sort=False)[events].cumsum()
    cap = FULL // STEP
    before = (cum - ordered[events]).clip(upper=cap)
    return (STEP * (cum.clip(upper=cap) - before)).astype("float64").reindex(rows.index)


def _point_frame(rows: pd.DataFrame, component: str, cause: Any, date: pd.Series,
                 reference: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({
        "customer_key": rows["customer_key"].astype(str), "month": rows["month"].astype(str),
        "component": component, "cause": cause, "points": np.nan, "date": date, "reference": reference,
        "_file": rows["_file"], "_sheet": rows["_sheet"], "_row": rows["_row"],
    }, index=rows.index)


def _lot_reference(order_no: pd.Series, lot_no: pd.Series | None) -> pd.Series:
    """"order no / lot no", or the order no alone when the lot has no number."""
    order = order_no.astype(object).where(order_no.notna(), "").astype(str)
    if lot_no is None:
        return order
    lot = lot_no.astype(object).where(lot_no.notna(), "").astype(str)
    return pd.Series(np.where(lot.str.strip() != "", order + " / " + lot, order), index=order_no.index)


def scorecard_point_rows(registers: Mapping[str, pd.DataFrame], ctx: KpiContext) -> pd.DataFrame:
    """For every scorecard customer × month with points lost, the input rows that cost them.

    The pack's traceability sheet (seed 004 §5.7.5: 总结并分析主要扣分点). One row per:
    - late due lot (component D, cause `late_lot`), dated by its due date;
    - complaint with defects, received in M, when the PPM part is below 25 (Q, `ppm`): the PPM
      points lost are shared among the month's complaints in proportion to their defect qty;
    - complaint with a batch reject, received in M (Q, `batch_reject`);
    - incident dated in M (O, cause = its type), dated by its date, `count` events each;
    - complaint whose 8D was late with its deadline in M, when `scorecard.derive_late_8d`
      (O, `late_8d`), dated by the deadline.
    `points`: 5 per event in date order until the component's 25 are gone, so the rows of a
    customer-month add up to 100 − internal exactly (rows past the floor show 0). Columns:
    customer_key, month, component, cause, points, date, reference (order/lot no, complaint no,
    incident description), _file, _sheet, _row.
    """
    monthly = _monthly_from_registers(registers, ctx)

    def lost(column: str) -> pd.DataFrame:
        """The (customer, month) pairs where `column` is below its 25 (no value: not judged)."""
        return monthly.loc[monthly[column] < FULL, _KEYS]

    parts: list[pd.DataFrame] = []

    deliveries = registers.get("deliveries")
    if deliveries is not None and not deliveries.empty:
        from pipeline.kpis.delivery import late_lot_rows
        late = late_lot_rows(deliveries, ctx).astype({"customer_key": str}).merge(lost("d"), on=_KEYS)
        lots = _point_frame(late, "D", "late_lot", late["due_date"],
                            _lot_reference(late["order_no"], late.get("lot_no")))
        parts.append(lots.assign(events=1))

    complaints = registers.get("complaints")
    if complaints is not None and not complaints.empty:
        from pipeline.kpis.complaints import LATE, judged_complaints
        judged = judged_complaints(complaints, ctx).assign(
            customer_key=lambda f: f["customer_key"].astype(str))
        received = judged[judged["month"].notna()]
        defects = (received[received["defect_n"] > 0]
                   .merge(monthly.loc[monthly["ppm_part"] < FULL, _KEYS + ["ppm_part"]], on=_KEYS))
        share = defects["defect_n"] / defects.groupby(_KEYS)["defect_n"].transform("sum")
        parts.append(_point_frame(defects, "Q", "ppm", defects["received_date"], defects["complaint_no"])
                     .assign(points=(FULL - defects["ppm_part"]) * share, events=0))
        rejects = received[received["batch_reject_n"] > 0].merge(lost("batch_part"), on=_KEYS)
        parts.append(_point_frame(rejects, "Q", "batch_reject", rejects["received_date"],
                                  rejects["complaint_no"]).assign(events=1))
        if ctx.settings.scorecard.derive_late_8d:
            late8 = (judged[judged["d8_status"] == LATE].drop(columns="month")
                     .rename(columns={"d8_deadline_month": "month"}).merge(lost("o"), on=_KEYS))
            parts.append(_point_frame(late8, "O", "late_8d", late8["d8_deadline"],
                                      late8["complaint_no"]).assign(events=1))

    incidents = registers.get("incidents")
    if incidents is not None and not incidents.empty:
        dated = incidents.assign(month=month_label(incidents["date"]),
                                 customer_key=incidents["customer_key"].astype(str)).merge(lost("o"), on=_KEYS)
        parts.append(_point_frame(dated, "O", dated["type"].astype(str), dated["date"],
                                  dated["description"].astype(object).fillna("")).assign(
            events=pd.to_numeric(dated["count"]).fillna(1).astype("int64")))

    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c == "points" else object) for c in POINT_COLUMNS})
    rows = pd.concat(parts, ignore_index=True)
    rows = rows.assign(date=pd.to_datetime(rows["date"]))
    counted = rows["cause"] != "ppm"
    # the batch part and O share the component letter with other causes: cap each on its own
    capped = rows[counted].assign(component=rows["component"] + ":" + (rows["cause"] == "batch_reject").astype(str))
    rows = rows.assign(points=rows["points"].where(~counted, _capped_points(
        capped, "events", ["date", "_file", "_sheet", "_row"])))
    return (rows.assign(_order=rows["component"].map({"D": 0, "Q": 1, "O": 2}))
            .sort_values(["customer_key", "month", "_order", "date", "_file", "_sheet", "_row"], kind="stable")
            [POINT_COLUMNS].reset_index(drop=True))


def scorecard_reconciliation(registers: Mapping[str, pd.DataFrame], ctx: KpiContext) -> pd.DataFrame:
    """Our internal score beside the customer's own, for every (customer, month) the customer
    scored: customer_key, month, d, q, o, internal, customer_score, difference
    (= customer_score − internal; seed 004 §5.7.3: the customer's score replaces ours whole, so
    the difference is what our own monitoring missed or over-counted)."""
    monthly = _monthly_from_registers(registers, ctx)
    scored = monthly[monthly["customer_score"].notna()]
    return scored.assign(difference=scored["customer_score"] - scored["internal"])[
        ["customer_key", "month", "d", "q", "o", "internal", "customer_score", "difference"]
    ].reset_index(drop=True)
