"""Satisfaction survey — 客户满意度调查 (kpis.md "Satisfaction survey"; seeds 004 QP-14 and 002 §5.12).

One row of the survey register is one questionnaire sent; it is *returned* when it has a
`returned_date` (registers.md: "blank = not returned"). Per round R found in the register:

- a response's score is the weighted mean of the item scores it has (weights `survey.items`,
  items of weight 0 ignored), rescaled to 0–100; with no item scores, `overall` rescaled;
- `survey_score` per customer (mean of its returned responses) and for the company (mean of the
  customer scores, or weighted by the master's `annual_order_value`);
- `survey_item_score` per item over all returned responses; `survey_return_rate_pct`;
- a grade label for every score, from `grade_bands(survey.grading)`.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from pipeline.kpis.base import KpiContext, empty_long, long_frame, ratio_pct
from pipeline.settings import grade_bands

SMALL_SAMPLE = 3          # kpis.md: fewer than 3 returned responses → flagged small-sample
_KEYS = ["round", "customer_key"]


def mean_of(total: Any, count: Any) -> np.ndarray:
    """total / count, with no value where count is zero (a mean of nothing is not 0)."""
    num = np.asarray(total, dtype="float64")
    den = np.asarray(count, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


# --- responses --------------------------------------------------------------------------------

def scored_items(items: Mapping[str, float], columns: Iterable[str]) -> dict[str, float]:
    """The items that count towards a response's score: named in `survey.items` with a weight
    above 0, and a column of the register."""
    present = set(columns)
    return {item: float(w) for item, w in items.items() if float(w) > 0 and item in present}


def response_scores(survey_returns: pd.DataFrame, items: Mapping[str, float],
                    scale_max: float) -> pd.DataFrame:
    """One row per questionnaire: round, customer_key, returned (bool), score (0–100 or NaN).

    kpis.md: "A response's score: the weighted mean of its item scores present (weights
    `survey.items`), rescaled to 0–100 (`score × 100 / survey.scale_max`); with no item scores,
    `overall` rescaled." Only returned rows (a `returned_date`) get a score.
    """
    weights = scored_items(items, survey_returns.columns)
    returned = survey_returns["returned_date"].notna().to_numpy()
    if weights:
        values = survey_returns[list(weights)].apply(pd.to_numeric, errors="coerce")
        w = pd.Series(weights)
        weighted_sum = values.fillna(0.0).mul(w, axis=1).sum(axis=1)
        weight_sum = values.notna().mul(w, axis=1).sum(axis=1)
        item_mean = (weighted_sum / weight_sum).where(weight_sum > 0)
    else:
        item_mean = pd.Series(np.nan, index=survey_returns.index)
    overall = pd.to_numeric(survey_returns.get("overall", pd.Series(np.nan, index=survey_returns.index)),
                            errors="coerce")
    raw = item_mean.fillna(overall).astype("float64")
    score = (raw * 100.0 / float(scale_max)).where(returned)
    return pd.DataFrame({
        "round": survey_returns["round"].astype(str).to_numpy(),
        "customer_key": survey_returns["customer_key"].astype(str).to_numpy(),
        "returned": returned,
        "score": score.to_numpy(dtype="float64"),
    })


def customer_survey_scores(responses: pd.DataFrame) -> pd.DataFrame:
    """Per (round, customer_key): rows, returned, scored, score_sum, score, score_sd.

    kpis.md: "`survey_score(customer, R)`: mean of that customer's returned responses", and
    "`survey_return_rate_pct(R) = returned rows / rows × 100` (… per customer too)". A customer
    with rows in R but nothing returned keeps its row with no score (return rate 0).
    """
    grouped = responses.assign(scored=responses["score"].notna()).groupby(_KEYS, sort=True)
    out = grouped.agg(rows=("returned", "size"), returned=("returned", "sum"),
                      scored=("scored", "sum"), score_sum=("score", "sum"),
                      score=("score", "mean"), score_sd=("score", "std")).reset_index()
    return out.astype({"rows": "int64", "returned": "int64", "scored": "int64"})


def company_survey_scores(customer_scores: pd.DataFrame, customers: pd.DataFrame | None,
                          weighting: str) -> pd.DataFrame:
    """Per round: value, numerator, denominator of the company survey score.

    kpis.md: "`survey_score(company, R)`: mean of the customer scores (each customer counts
    once) when `survey.company_weighting` = `equal`; weighted by `annual_order_value` when
    `order_value` (a customer with no value in the master weighs nothing)."
    """
    scored = customer_scores[customer_scores["score"].notna()]
    if weighting == "order_value":
        values = _order_values(customers)
        weight = scored["customer_key"].map(values).astype("float64").fillna(0.0).clip(lower=0.0)
    elif weighting == "equal":
        weight = pd.Series(1.0, index=scored.index)
    else:
        raise ValueError(f"survey.company_weighting must be 'equal' or 'order_value', not {weighting!r}")
    parts = pd.DataFrame({"round": scored["round"], "num": weight * scored["score"], "den": weight})
    per_round = parts.groupby("round", sort=True)[["num", "den"]].sum()
    rounds = pd.Index(sorted(customer_scores["round"].unique()), name="round")
    per_round = per_round.reindex(rounds, fill_value=0.0)
    return pd.DataFrame({
        "round": rounds.astype(str),
        "numerator": per_round["num"].to_numpy(dtype="float64"),
        "denominator": per_round["den"].to_numpy(dtype="float64"),
        "value": mean_of(per_round["num"], per_round["den"]),
    })


def _order_values(customers: pd.DataFrame | None) -> pd.Series:
    """customer_code → annual_order_value from the master (empty without a master)."""
    if customers is None or customers.empty or "annual_order_value" not in customers:
        return pd.Series(dtype="float64")
    master = customers.dropna(subset=["customer_code"]).drop_duplicates("customer_code")
    return pd.Series(pd.to_numeric(master["annual_order_value"], errors="coerce").to_numpy(dtype="float64"),
                     index=master["customer_code"].astype(str).to_numpy())


def survey_item_scores(survey_returns: pd.DataFrame, items: Mapping[str, float],
                       scale_max: float) -> pd.DataFrame:
    """Per (round, item): numerator (Σ rescaled item scores), denominator (responses scoring it),
    value.

    kpis.md: "`survey_item_score(item, R)`: that item's mean over all returned responses,
    rescaled to 0–100." Items are those of `survey.items` with a weight above 0 (weight 0 means
    the item is not part of the survey); an item nobody scored in R has no value.
    """
    weights = scored_items(items, survey_returns.columns)
    rounds = sorted(survey_returns["round"].astype(str).unique())
    if not weights or not rounds:
        return pd.DataFrame({"round": pd.Series(dtype=str), "item": pd.Series(dtype=str),
                             "numerator": pd.Series(dtype="float64"),
                             "denominator": pd.Series(dtype="float64"),
                             "value": pd.Series(dtype="float64")})
    returned = survey_returns[survey_returns["returned_date"].notna()]
    values = (returned[list(weights)].apply(pd.to_numeric, errors="coerce") * 100.0 / float(scale_max))
    long = values.assign(round=returned["round"].astype(str).to_numpy()).melt(
        id_vars="round", var_name="item", value_name="score")
    agg = long.groupby(["round", "item"])["score"].agg(["sum", "count"])
    full = pd.MultiIndex.from_product([rounds, list(weights)], names=["round", "item"])
    agg = agg.reindex(full, fill_value=0).reset_index()
    return pd.DataFrame({
        "round": agg["round"].astype(str), "item": agg["item"].astype(str),
        "numerator": agg["sum"].astype("float64"), "denominator": agg["count"].astype("float64"),
        "value": mean_of(agg["sum"], agg["count"]),
    })


# --- grades -----------------------------------------------------------------------------------

def grade(scores: Any, bands: Iterable[Any]) -> pd.DataFrame:
    """label_en and label_zh of each score by the grading bands (empty where there is no score).

    kpis.md: `95-85-70-50`: ≥ 95 very satisfied; ≥ 85 satisfied; ≥ 70 fair; ≥ 50 poor; below 50
    very poor. `98-90-75-60`: ≥ 98 very satisfied; > 90 satisfied; > 75 fair; ≥ 60 dissatisfied;
    below 60 very dissatisfied. A band is `Band(min, inclusive, label_en, label_zh)`: a score is
    in it when score ≥ min (inclusive) or score > min (not); bands come best first
    (`pipeline.settings.grade_bands`) and the first one a score reaches is its grade. A band
    whose `min` is −inf or missing takes every score below the others.

    A score computed from decimals carries float noise (8.1, 8.7, 8.7 on a 10 scale give
    84.99999999999997, by hand 85): each band's edge is compared with the target status's
    tolerance (`Band.reaches`), so 90.00000000000003 is not above 90.
    """
    values = np.asarray(scores, dtype="float64")
    conditions, en, zh = [], [], []
    for band in bands:                 # best first: the first band a score reaches is its grade
        conditions.append(band.reaches(values))
        en.append(band.label_en)
        zh.append(band.label_zh)
    if not conditions:
        blank = np.full(len(values), "", dtype=object)
        return pd.DataFrame({"label_en": blank, "label_zh": blank})
    known = ~np.isnan(values)
    cond = [c & known for c in conditions]
    return pd.DataFrame({"label_en": np.select(cond, en, default="").astype(object),
                         "label_zh": np.select(cond, zh, default="").astype(object)})


def _bands(settings: Any) -> tuple:
    """The grading bands in force (the settings module owns the named schemes)."""
    return tuple(grade_bands(settings.survey.grading))


# --- the 95 % interval of a customer's score --------------------------------------------------

@lru_cache(maxsize=None)
def t_quantile_975(dof: int) -> float:
    """The two-sided 95 % Student-t critical value for `dof` degrees of freedom (t₀.₉₇₅).

    Solved by bisection on the exact finite series of P(|T| < t) for whole degrees of freedom
    (Abramowitz & Stegun 26.7.3–26.7.4), so no statistics package is needed: 12.706 for 1,
    2.228 for 10, → 1.960 as dof grows.
    """
    if dof < 1:
        raise ValueError("degrees of freedom must be at least 1")

    def central(t: float) -> float:
        theta = math.atan(t / math.sqrt(dof))
        s, c = math.sin(theta), math.cos(theta)
        if dof == 1:
            return 2.0 * theta / math.pi
        if dof % 2 == 1:
            term, total = c, c
            for k in range(3, dof - 1, 2):      # (2·4…(k−1))/(3·5…k) cos^k θ
                term *= (k - 1) / k * c * c
                total += term
            return 2.0 / math.pi * (theta + s * total)
        term, total = 1.0, 1.0
        for k in range(2, dof - 1, 2):          # (1·3…(k−1))/(2·4…k) cos^k θ
            term *= (k - 1) / k * c * c
            total += term
        return s * total

    low, high = 0.0, 1.0e4
    for _ in range(200):
        mid = (low + high) / 2.0
        if central(mid) < 0.95:
            low = mid
        else:
            high = mid
    return (low + high) / 2.0


def _t_interval(mean: pd.Series, sd: pd.Series, n: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """mean ± t₀.₉₇₅(n − 1) × sd / √n where n ≥ 2, clipped to the 0–100 scale; else no interval."""
    n_arr = np.asarray(n, dtype="int64")
    usable = n_arr >= 2
    t = np.full(len(n_arr), np.nan)
    for dof in np.unique(n_arr[usable] - 1):
        t[n_arr - 1 == dof] = t_quantile_975(int(dof))
    with np.errstate(invalid="ignore", divide="ignore"):
        half = t * np.asarray(sd, dtype="float64") / np.sqrt(np.where(usable, n_arr, np.nan))
    m = np.asarray(mean, dtype="float64")
    low = np.where(usable, np.clip(m - half, 0.0, 100.0), np.nan)
    high = np.where(usable, np.clip(m + half, 0.0, 100.0), np.nan)
    return low, high


# --- the public functions ---------------------------------------------------------------------

def survey_kpis(registers: Mapping[str, pd.DataFrame], ctx: KpiContext) -> pd.DataFrame:
    """Survey KPIs in the long shape, period = the round label (`2026H1`).

    kpis.md "Satisfaction survey": `survey_score` (customer and company, labelled with the
    grade's English label), `survey_item_score` (scope `item`, key = item name) and
    `survey_return_rate_pct = returned rows / rows × 100` (company and customer). No survey
    register: no rows (the area says its register is absent).
    """
    returns = registers.get("survey_returns")
    if returns is None or returns.empty:
        return empty_long()
    survey = ctx.settings.survey
    bands = _bands(ctx.settings)
    responses = response_scores(returns, survey.items, survey.scale_max)
    per_customer = customer_survey_scores(responses)
    company = company_survey_scores(per_customer, registers.get("customers"), survey.company_weighting)
    items = survey_item_scores(returns, survey.items, survey.scale_max)
    per_round = responses.groupby("round", sort=True)["returned"].agg(["size", "sum"])

    frames = [
        long_frame(period=per_customer["round"], kpi="survey_score", scope="customer",
                   key=per_customer["customer_key"], value=per_customer["score"],
                   numerator=per_customer["score_sum"].where(per_customer["scored"] > 0),
                   denominator=per_customer["scored"],
                   label=grade(per_customer["score"], bands)["label_en"].to_numpy()),
        long_frame(period=company["round"], kpi="survey_score", scope="company", key="",
                   value=company["value"], numerator=company["numerator"],
                   denominator=company["denominator"],
                   label=grade(company["value"], bands)["label_en"].to_numpy()),
        long_frame(period=items["round"], kpi="survey_item_score", scope="item", key=items["item"],
                   value=items["value"], numerator=items["numerator"], denominator=items["denominator"]),
        long_frame(period=per_customer["round"], kpi="survey_return_rate_pct", scope="customer",
                   key=per_customer["customer_key"],
                   value=ratio_pct(per_customer["returned"], per_customer["rows"]),
                   numerator=per_customer["returned"], denominator=per_customer["rows"]),
        long_frame(period=per_round.index.astype(str), kpi="survey_return_rate_pct", scope="company",
                   key="", value=ratio_pct(per_round["sum"], per_round["size"]),
                   numerator=per_round["sum"].to_numpy(), denominator=per_round["size"].to_numpy()),
    ]
    frames = [f for f in frames if not f.empty]
    out = pd.concat(frames, ignore_index=True) if frames else empty_long()
    return out.sort_values(["period", "kpi", "scope", "key"], kind="stable", ignore_index=True)


def survey_customer_table(registers: Mapping[str, pd.DataFrame], ctx: KpiContext) -> pd.DataFrame:
    """Per round and customer, for the pack: rows sent, returned, return rate, score, grade (zh
    and en), small-sample flag and a 95 % interval of the score.

    kpis.md: "A customer with fewer than 3 returned responses in a round is flagged
    small-sample in the pack." The interval is the Student-t interval of the mean of the
    customer's response scores, mean ± t₀.₉₇₅(n − 1) · s / √n (respondents taken as independent
    draws from the customer's staff), clipped to 0–100; it needs two scored responses.
    """
    columns = ["round", "customer_key", "customer_name", "rows", "returned", "return_rate_pct",
               "score", "grade_zh", "grade_en", "small_sample", "ci_low", "ci_high"]
    returns = registers.get("survey_returns")
    if returns is None or returns.empty:
        return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})
    survey = ctx.settings.survey
    per_customer = customer_survey_scores(response_scores(returns, survey.items, survey.scale_max))
    grades = grade(per_customer["score"], _bands(ctx.settings))
    low, high = _t_interval(per_customer["score"], per_customer["score_sd"], per_customer["scored"])
    names = customer_names(registers.get("customers"), returns)
    return pd.DataFrame({
        "round": per_customer["round"].astype(str),
        "customer_key": per_customer["customer_key"].astype(str),
        "customer_name": per_customer["customer_key"].map(names).fillna(per_customer["customer_key"]).astype(str),
        "rows": per_customer["rows"],
        "returned": per_customer["returned"],
        "return_rate_pct": ratio_pct(per_customer["returned"], per_customer["rows"]),
        "score": per_customer["score"],
        "grade_zh": grades["label_zh"].to_numpy(),
        "grade_en": grades["label_en"].to_numpy(),
        "small_sample": (per_customer["returned"] < SMALL_SAMPLE).to_numpy(),
        "ci_low": low,
        "ci_high": high,
    })[columns]


def customer_names(customers: pd.DataFrame | None, *frames: pd.DataFrame) -> pd.Series:
    """customer_key → name: the master's name for linked customers, else the name as written in
    the first register row that has one."""
    parts = []
    if customers is not None and not customers.empty:
        parts.append(pd.Series(customers["customer_name"].to_numpy(),
                               index=customers["customer_code"].astype(str).to_numpy()))
    for frame in frames:
        if frame is not None and "customer_name" in frame and not frame.empty:
            parts.append(pd.Series(frame["customer_name"].to_numpy(),
                                   index=frame["customer_key"].astype(str).to_numpy()))
    if not parts:
        return pd.Series(dtype=object)
    names = pd.concat(parts).dropna()
    return names[~names.index.duplicated(keep="first")].astype(str)
