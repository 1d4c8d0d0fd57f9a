"""A realistic synthetic month for the pack: the long KPI table, the registers and the detail lists.

A small electronics maker, period 2026-10, six customers (three automotive) plus one unknown
customer keyed by its name, twelve months of history. The numbers are drawn from a seeded random
generator and then made consistent with the KPI rules (rates from their numerator and
denominator, statuses from their targets), so the charts look like a real month: most KPIs near
target, a few misses, one bad month for complaints, a customer-issued scorecard, a survey round
with small samples, every area present.

Nothing here is used to check a KPI (the KPI modules have their own tests): it is the input the
pack is drawn from, shared by the report tests and `tests/golden/regenerate.py`.
Edge cases kept on purpose: a customer name that looks like a formula (`=HYPERLINK(...)`), a
month with no deliveries for one customer ("—" not 0), a KPI with no value at P.
"""
from __future__ import annotations

from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from pipeline.kpis.base import LONG_COLUMNS, trailing_months
from pipeline.registers import REGISTERS

PERIOD = "2026-10"
MONTHS = trailing_months(PERIOD, 12)
AS_OF = date(2026, 10, 31)
GENERATED_AT = datetime(2026, 11, 2, 8, 30, 0)
COMPANY = "示例电子有限公司"

TARGETS = {
    "otd_pct": 98.0, "ppm": 50.0, "complaint_rate_pct": 1.0, "response_on_time_pct": 95.0,
    "d8_on_time_pct": 90.0, "survey_score": 85.0, "survey_return_rate_pct": 80.0,
    "scorecard_final": 90.0, "scorecard_annual": 90.0, "feedback_filed_on_time_pct": 95.0,
    "visit_report_on_time_pct": 95.0, "service_on_time_pct": 95.0, "service_satisfaction_pct": 90.0,
    "property_reported_pct": 100.0, "audit_actions_on_time_pct": 90.0,
}
LOWER_IS_BETTER = {"ppm", "complaint_rate_pct"}

CUSTOMERS = pd.DataFrame({
    "customer_code": ["C001", "C002", "C003", "C004", "C005", "C006"],
    "customer_name": ["华东汽车电子有限公司", "南方新能源科技股份有限公司", "精工家电有限公司",
                      '=HYPERLINK("http://example.com","点我")', "Northwind Motors GmbH", "星光照明"],
    "segment": ["automotive", "automotive", "non-automotive", "non-automotive", "automotive",
                "non-automotive"],
    "annual_order_value": [2_400_000.0, 1_800_000.0, 650_000.0, 120_000.0, 900_000.0, 300_000.0],
    "key_customer": pd.array([True, True, False, False, True, False], dtype="boolean"),
    "ppm_target": [30.0, np.nan, np.nan, np.nan, 40.0, np.nan],
})
UNKNOWN = "临时客户甲"      # not in the master: keyed by its name as written
AUTOMOTIVE = ["C001", "C002", "C005"]
CATEGORIES = ["A", "B", "C", "unclassified"]
ROOT_CAUSES = ["man", "machine", "material", "method", "environment", "measurement", "undetermined"]
PARTS = [f"PN-{i:04d}" for i in (101, 102, 205, 311, 312, 404, 517, 620, 733, 841, 905, 990, 991, 992)]


def _status(kpi: str, value: float, target: float) -> str:
    if np.isnan(target):
        return ""
    if np.isnan(value):
        return "no_data"
    ok = value <= target if kpi in LOWER_IS_BETTER else value >= target
    return "met" if ok else "missed"


class _Rows:
    """Collects long rows; status from target as kpis.md says (equal to the target is met)."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, period: str, kpi: str, scope: str, key: str, value: float, numerator: float = np.nan,
            denominator: float = np.nan, target: float | None = None, label: str = "") -> None:
        value = float(value) if value is not None else np.nan
        if target is None:
            target = TARGETS.get(kpi, np.nan)
        self.rows.append({"period": period, "kpi": kpi, "scope": scope, "key": key, "value": value,
                          "numerator": float(numerator), "denominator": float(denominator),
                          "target": float(target), "status": _status(kpi, value, float(target)),
                          "label": label})

    def ratio(self, period: str, kpi: str, scope: str, key: str, num: float, den: float,
              scale: float = 100.0, target: float | None = None) -> None:
        value = num / den * scale if den > 0 else np.nan
        self.add(period, kpi, scope, key, value, num, den, target)

    def frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.rows, columns=list(LONG_COLUMNS))
        return frame.sort_values(["period", "kpi", "scope", "key"], ignore_index=True)


def _weights(material: float) -> np.ndarray:
    """Root-cause mix; a bad month is mostly material."""
    raw = np.array([0.22, 0.18, material, 0.15, 0.03, 0.07, 0.1])
    return raw / raw.sum()


def _complaint_register(rng: np.random.Generator) -> pd.DataFrame:
    keys = [*CUSTOMERS["customer_code"], UNKNOWN]
    rate = {"C001": 0.8, "C002": 0.5, "C003": 0.3, "C004": 0.1, "C005": 0.25, "C006": 0.15, UNKNOWN: 0.1}
    rows = []
    n = 0
    for month in MONTHS:
        boost = 3.5 if month == "2026-06" else 1.0        # one bad month: a material problem
        for key in keys:
            for _ in range(rng.poisson(rate[key] * boost)):
                n += 1
                day = int(rng.integers(1, 28))
                received = pd.Timestamp(f"{month}-{day:02d} {int(rng.integers(8, 18)):02d}:00")
                closed = received.normalize() + pd.Timedelta(days=int(rng.integers(5, 60)))
                if closed > pd.Timestamp(AS_OF):
                    closed = pd.NaT
                rows.append({
                    "complaint_no": f"CC{month.replace('-', '')}{n:03d}",
                    "received_date": received, "customer_key": key,
                    "customer_code": key if key != UNKNOWN else np.nan,
                    "customer_name": np.nan if key != UNKNOWN else UNKNOWN,
                    "part_no": PARTS[min(int(rng.geometric(0.28)) - 1, len(PARTS) - 1)]
                               if rng.random() > 0.05 else np.nan,
                    "category": rng.choice(CATEGORIES, p=[0.15, 0.35, 0.4, 0.1]),
                    "severity": "urgent" if rng.random() < 0.2 else "normal",
                    "root_cause": rng.choice(ROOT_CAUSES, p=_weights(0.5 if boost > 1 else 0.25)),
                    "defect_qty": int(rng.integers(1, 16)),
                    "batch_reject": bool(rng.random() < 0.12),
                    "closed_date": closed,
                    "description": "外观划伤" if rng.random() < 0.5 else "尺寸超差",
                })
    frame = pd.DataFrame(rows)
    return frame.assign(_file="客诉/顾客抱怨事件登录表2026.xlsx", _sheet="2026",
                        _row=np.arange(5, 5 + len(frame)), segment=frame["customer_key"].map(
                            dict(zip(CUSTOMERS["customer_code"], CUSTOMERS["segment"]))).fillna("non-automotive"))


_DTYPES = {"text": object, "code": object, "vocab": object, "round": object, "month": object,
           "date": "datetime64[ns]", "datetime": "datetime64[ns]", "int": "Int64", "number": "float64",
           "score": "float64", "bool": "boolean"}


def canonical_register(name: str, rows: pd.DataFrame | None = None) -> pd.DataFrame:
    """A resolved register as docs/architecture.md describes it: every canonical column with its
    dtype (a column the rows lack is entirely missing), provenance, `customer_key` and `segment`."""
    columns = {c.name: _DTYPES[c.kind] for c in REGISTERS[name].columns}
    columns |= {"_file": object, "_sheet": object, "_row": "int64"}
    if name != "customers":
        columns |= {"customer_key": object, "segment": object}
    rows = pd.DataFrame(index=pd.RangeIndex(0)) if rows is None else rows.reset_index(drop=True)
    return pd.DataFrame({c: rows[c].astype(dtype) if c in rows.columns else pd.Series(None, index=rows.index, dtype=dtype)
                         for c, dtype in columns.items()})


def build() -> SimpleNamespace:
    """The synthetic run: `kpis` (long), `registers`, `details`, `names`, `previous_kpis`."""
    rng = np.random.default_rng(20261031)
    out = _Rows()
    complaints = _complaint_register(rng)
    complaints_month = complaints["received_date"].dt.strftime("%Y-%m")
    customer_keys = [*CUSTOMERS["customer_code"], UNKNOWN]
    ppm_targets = dict(zip(CUSTOMERS["customer_code"], CUSTOMERS["ppm_target"]))
    lots_mean = {"C001": 60, "C002": 45, "C003": 30, "C004": 8, "C005": 18, "C006": 12, UNKNOWN: 2}
    late_p = {"C001": 0.02, "C002": 0.03, "C003": 0.01, "C004": 0.05, "C005": 0.04, "C006": 0.0, UNKNOWN: 0.0}

    company = {m: dict.fromkeys(["due", "late", "qty_due", "qty_ok", "dl", "dq", "cc", "dq_def", "br"], 0.0)
               for m in MONTHS}
    score_rows = {m: [] for m in MONTHS}
    for key in customer_keys:
        for month in MONTHS:
            if key == "C004" and month == "2026-08":        # no lot at all that month: "—", not 0
                continue
            if key == UNKNOWN and month < "2026-09":
                continue
            due = int(rng.poisson(lots_mean[key])) + 1
            late = int(rng.binomial(due, late_p[key] * (3.0 if month == "2026-10" and key == "C002" else 1.0)))
            qty_due = float(due * int(rng.integers(2000, 5000)))
            qty_ok = qty_due * (due - late) / due
            delivered = max(due + int(rng.integers(-2, 3)), 1)
            dqty = float(delivered * int(rng.integers(2000, 5000)))
            mine = complaints[(complaints["customer_key"] == key) & (complaints_month == month)]
            cc, defect, br = len(mine), float(mine["defect_qty"].sum()), float(mine["batch_reject"].sum())
            c = company[month]
            for k, v in zip(["due", "late", "qty_due", "qty_ok", "dl", "dq", "cc", "dq_def", "br"],
                            [due, late, qty_due, qty_ok, delivered, dqty, cc, defect, br]):
                c[k] += v
            out.add(month, "due_lots", "customer", key, due)
            out.add(month, "late_lots", "customer", key, late)
            out.ratio(month, "otd_pct", "customer", key, due - late, due)
            out.ratio(month, "otd_qty_pct", "customer", key, qty_ok, qty_due)
            out.add(month, "delivered_lots", "customer", key, delivered)
            out.add(month, "delivered_qty", "customer", key, dqty)
            out.add(month, "complaints", "customer", key, cc)
            out.ratio(month, "complaint_rate_pct", "customer", key, cc, delivered)
            out.add(month, "defect_qty", "customer", key, defect)
            ppm_target = ppm_targets.get(key, np.nan)
            ppm_target = TARGETS["ppm"] if np.isnan(ppm_target) else ppm_target
            out.ratio(month, "ppm", "customer", key, defect, dqty, scale=1e6, target=ppm_target)
            out.add(month, "batch_rejects", "customer", key, br)
            if key in AUTOMOTIVE:
                ppm = defect / dqty * 1e6
                d = max(0, 25 - 5 * late)
                ppm_part = 25 if ppm <= ppm_target else max(0, 25 - int(10 * (ppm - ppm_target) // ppm_target))
                q = ppm_part + max(0, 25 - 5 * int(br))
                o = max(0, 25 - 5 * int(rng.poisson(0.3)))
                internal = d + q + o
                final = internal
                if key == "C001" and month in ("2026-08", "2026-09", "2026-10"):
                    final = {"2026-08": 92.0, "2026-09": 85.0, "2026-10": 88.0}[month]
                for kpi, v in (("scorecard_d", d), ("scorecard_q", q), ("scorecard_o", o),
                               ("scorecard_internal", internal)):
                    out.add(month, kpi, "customer", key, v, target=np.nan)
                out.add(month, "scorecard_final", "customer", key, final)
                score_rows[month].append(final)
    # plant scope for the two plants
    for month in MONTHS:
        c = company[month]
        for plant, share in (("一厂", 0.6), ("二厂", 0.4)):
            due = round(c["due"] * share)
            late = round(c["late"] * (0.75 if plant == "一厂" else 0.25))
            out.add(month, "due_lots", "plant", plant, due)
            out.add(month, "late_lots", "plant", plant, late)
            out.ratio(month, "otd_pct", "plant", plant, due - late, due)
        out.add(month, "due_lots", "company", "", c["due"])
        out.add(month, "late_lots", "company", "", c["late"])
        out.ratio(month, "otd_pct", "company", "", c["due"] - c["late"], c["due"])
        out.ratio(month, "otd_qty_pct", "company", "", c["qty_ok"], c["qty_due"])
        out.add(month, "delivered_lots", "company", "", c["dl"])
        out.add(month, "delivered_qty", "company", "", c["dq"])
        out.add(month, "complaints", "company", "", c["cc"])
        out.ratio(month, "complaint_rate_pct", "company", "", c["cc"], c["dl"])
        out.add(month, "defect_qty", "company", "", c["dq_def"])
        out.ratio(month, "ppm", "company", "", c["dq_def"], c["dq"], scale=1e6)
        out.add(month, "batch_rejects", "company", "", c["br"])
        mine = complaints[complaints_month == month]
        for scope, column, keys in (("category", "category", CATEGORIES), ("root_cause", "root_cause", ROOT_CAUSES)):
            counts = mine[column].value_counts()
            for key in keys:
                if counts.get(key, 0):
                    out.add(month, "complaints", scope, key, counts[key])
        answered = max(int(c["cc"]) - int(rng.integers(0, 2)), 0)
        out.ratio(month, "response_on_time_pct", "company", "", answered, c["cc"])
        d8_done = max(int(c["cc"]) - int(rng.integers(0, 3)), 0)
        out.ratio(month, "d8_on_time_pct", "company", "", d8_done, c["cc"])
        out.add(month, "late_8d", "company", "", int(c["cc"]) - d8_done)
        out.add(month, "median_days_to_close", "company", "", float(rng.integers(12, 35)))
        end = pd.Period(month, freq="M").end_time
        is_open = (complaints["received_date"] <= end) & ~(complaints["closed_date"] <= end)
        out.add(month, "open_complaints", "company", "", int(is_open.sum()))
        out.add(month, "repeat_complaints", "company", "", int(rng.poisson(0.6)))
        scores = score_rows[month]
        out.add(month, "scorecard_final", "company", "", float(np.mean(scores)), np.sum(scores), len(scores))
        # feedback, visits, service, property, audits — company scope
        items = {cat: int(rng.poisson(lam)) for cat, lam in (("A", 0.6), ("B", 1.5), ("C", 3), ("D", 1.2))}
        total = sum(items.values())
        out.add(month, "feedback_items", "company", "", total)
        for cat, n in items.items():
            out.add(month, "feedback_items", "category", cat, n)
        late_fb = int(rng.binomial(total, 0.06))
        out.ratio(month, "feedback_filed_on_time_pct", "company", "", total - late_fb, total)
        out.add(month, "feedback_open", "company", "", int(rng.integers(1, 6)))
        out.add(month, "feedback_median_days_to_complete", "company", "", float(rng.integers(3, 12)))
        visits = int(rng.poisson(5))
        out.add(month, "visits", "company", "", visits)
        late_v = int(rng.binomial(visits, 0.08))
        out.ratio(month, "visit_report_on_time_pct", "company", "", visits - late_v, visits)
        types = {t: int(rng.poisson(lam)) for t, lam in (("repair", 4), ("install", 2), ("training", 0.5),
                                                          ("warranty_repair", 1.5), ("warranty_replace", 0.8),
                                                          ("warranty_return", 0.3), ("other", 0.4))}
        requests = sum(types.values())
        out.add(month, "service_requests", "company", "", requests)
        for t, n in types.items():
            out.add(month, "service_requests", "type", t, n)
            if t.startswith("warranty_"):
                out.add(month, "warranty_cases", "type", t, n)
        late_s = int(rng.binomial(requests, 0.05))
        out.ratio(month, "service_on_time_pct", "company", "", requests - late_s, requests)
        out.add(month, "service_median_days", "company", "", float(rng.integers(1, 4)))
        rated = max(requests - 2, 0)
        out.ratio(month, "service_satisfaction_pct", "company", "", rated - int(rng.binomial(rated, 0.08)), rated)
        incidents = int(rng.poisson(0.4))
        out.add(month, "property_incidents", "company", "", incidents)
        out.ratio(month, "property_reported_pct", "company", "", incidents - (1 if month == "2026-07" and incidents else 0),
                  incidents)
        findings = {t: int(rng.poisson(lam)) if month in ("2026-03", "2026-09") else 0
                    for t, lam in (("positive", 3), ("nonconformity", 4), ("suggestion", 3))}
        out.add(month, "audit_findings", "company", "", sum(findings.values()))
        for t, n in findings.items():
            if n:
                out.add(month, "audit_findings", "type", t, n)
        due_actions = int(rng.poisson(2)) if month >= "2026-04" else 0
        out.ratio(month, "audit_actions_on_time_pct", "company", "", max(due_actions - int(rng.integers(0, 2)), 0),
                  due_actions)
        out.add(month, "audit_open_findings", "company", "", int(rng.integers(0, 5)))
    # year to date
    long_so_far = out.frame()
    ytd = long_so_far[(long_so_far["kpi"] == "warranty_cases") & long_so_far["period"].str.startswith("2026-")]
    for t, v in ytd.groupby("key")["value"].sum().items():
        out.add("2026", "warranty_cases", "type", t, v)
    # survey rounds
    grades = [(95, "very satisfied"), (85, "satisfied"), (70, "fair"), (50, "poor"), (-1, "very poor")]
    for rnd in ("2025H2", "2026H1"):
        scores = []
        returned_total, sent_total = 0, 0
        for key in CUSTOMERS["customer_code"]:
            sent = int(rng.integers(1, 5))
            returned = int(rng.integers(0, sent + 1)) if key != "C001" else sent
            sent_total += sent
            returned_total += returned
            out.ratio(rnd, "survey_return_rate_pct", "customer", key, returned, sent)
            if returned == 0:
                out.add(rnd, "survey_score", "customer", key, np.nan)
                continue
            score = float(np.clip(rng.normal(86, 6), 55, 99))
            scores.append(score)
            label = next(g for lim, g in grades if score >= lim)
            out.add(rnd, "survey_score", "customer", key, score, label=label)
        company_score = float(np.mean(scores))
        out.add(rnd, "survey_score", "company", "", company_score,
                label=next(g for lim, g in grades if company_score >= lim))
        out.ratio(rnd, "survey_return_rate_pct", "company", "", returned_total, sent_total)
        for item in ("quality", "delivery", "price", "service", "technical", "communication", "packaging"):
            out.add(rnd, "survey_item_score", "item", item, float(np.clip(rng.normal(84, 5), 60, 98)))
    # annual scorecard
    kp = out.frame()
    year_final = kp[(kp["kpi"] == "scorecard_final") & kp["period"].str.startswith("2026-")]
    for (scope, key), rows in year_final.groupby(["scope", "key"]):
        out.add("2026", "scorecard_annual", scope, key, float(rows["value"].mean()) * 0.8 + 0.2 * 86.0)
    # a KPI with no value at P: feedback median (nothing completed in October)
    kpis = out.frame()
    mask = (kpis["kpi"] == "feedback_median_days_to_complete") & (kpis["period"] == PERIOD)
    kpis.loc[mask, "value"] = np.nan
    previous = kpis.copy()
    changed = (previous["kpi"] == "otd_pct") & (previous["period"] == PERIOD) & (previous["scope"] == "company")
    previous.loc[changed, "value"] = previous.loc[changed, "value"] + 0.5
    previous = previous[~((previous["kpi"] == "complaints") & (previous["scope"] == "root_cause")
                          & (previous["period"] == PERIOD))]
    previous = pd.concat([previous, pd.DataFrame([{
        "period": "2026-09", "kpi": "late_lots", "scope": "customer", "key": "C999", "value": 1.0,
        "numerator": np.nan, "denominator": np.nan, "target": np.nan, "status": "", "label": ""}])],
        ignore_index=True)

    customers = CUSTOMERS.assign(_file="客户清单.xlsx", _sheet="客户", _row=np.arange(2, 2 + len(CUSTOMERS)))
    # the other registers are present (the pack reports their areas) but empty: the long table above
    # stands for their content, and the detail lists come hand-made below
    registers = {name: canonical_register(name) for name in REGISTERS}
    registers["customers"] = canonical_register("customers", customers)
    registers["complaints"] = canonical_register("complaints", complaints)
    names = pd.Series({**dict(zip(CUSTOMERS["customer_code"], CUSTOMERS["customer_name"])), UNKNOWN: UNKNOWN})
    return SimpleNamespace(kpis=kpis, registers=registers, details=details(complaints, rng),
                           names=names, previous_kpis=previous)


def details(complaints: pd.DataFrame, rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """Hand-made detail lists in the columns the KPI modules give them."""
    as_of = pd.Timestamp(AS_OF)
    open_rows = complaints[complaints["closed_date"].isna()]
    age = (as_of - open_rows["received_date"].dt.normalize()).dt.days
    open_rows = open_rows.assign(
        customer_code=open_rows["customer_code"], age_days=age,
        age_band=pd.cut(age, bins=[-np.inf, 30, 60, 90, np.inf], labels=["0-30", "31-60", "61-90", ">90"]).astype(str),
        lot_no="L1", responsible_dept="品质部", first_response_at=open_rows["received_date"] + pd.Timedelta(hours=20),
        response_status="on_time", report_8d_at=pd.NaT,
        d8_deadline=open_rows["received_date"].dt.normalize() + pd.Timedelta(days=8), d8_status="pending",
    ).sort_values("age_days", ascending=False)
    open_rows = open_rows[["complaint_no", "customer_key", "customer_code", "customer_name", "received_date",
                           "age_days", "age_band", "category", "severity", "part_no", "lot_no", "description",
                           "defect_qty", "responsible_dept", "first_response_at", "response_status",
                           "report_8d_at", "d8_deadline", "d8_status", "_file", "_sheet", "_row"]]
    names = dict(zip(CUSTOMERS["customer_code"], CUSTOMERS["customer_name"]))
    late_lots = pd.DataFrame({
        "month": ["2026-09", "2026-10", "2026-10", "2026-10"],
        "reason": ["after_grace", "not_delivered", "short", "after_grace"],
        "days_late": pd.array([2, 5, 0, 1], dtype="Int64"),
        "qty_short": [0.0, 1200.0, 40.0, 0.0],
        "customer_key": ["C002", "C002", "C001", "C005"],
        "customer_name": [names["C002"], names["C002"], names["C001"], names["C005"]],
        "order_no": ["SO-2609-11", "SO-2610-03", "SO-2610-07", "SO-2610-19"],
        "lot_no": ["1", "2", "1", "3"], "part_no": ["PN-0101", "PN-0102", "PN-0205", "PN-0311"],
        "due_date": pd.to_datetime(["2026-09-20", "2026-10-26", "2026-10-12", "2026-10-15"]),
        "delivered_date": pd.to_datetime(["2026-09-22", None, "2026-10-12", "2026-10-16"]),
        "qty_due": pd.array([1000, 1200, 800, 500], dtype="Int64"),
        "qty_delivered": pd.array([1000, 0, 760, 500], dtype="Int64"),
        "_file": ["交货/订单交货进度表.xlsx"] * 4, "_sheet": ["9月", "10月", "10月", "10月"],
        "_row": [41, 12, 27, 58],
    })
    points = pd.DataFrame({
        "customer_key": ["C001", "C001", "C002", "C002", "C005"],
        "month": ["2026-10", "2026-10", "2026-10", "2026-10", "2026-10"],
        "component": ["Q", "O", "D", "D", "Q"],
        "cause": ["batch_reject", "fine", "late_lot", "late_lot", "ppm"],
        "points": [5.0, 5.0, 5.0, 5.0, 2.0],
        "date": pd.to_datetime(["2026-10-14", "2026-10-20", "2026-10-26", "2026-10-11", "2026-10-09"]),
        "reference": ["CC202610014", "罚款：包装不良", "SO-2610-03 / 2", "SO-2610-11 / 1", "CC202610021"],
        "_file": ["客诉/顾客抱怨事件登录表2026.xlsx", "事件/顾客处罚及异常事件.xlsx", "交货/订单交货进度表.xlsx",
                  "交货/订单交货进度表.xlsx", "客诉/顾客抱怨事件登录表2026.xlsx"],
        "_sheet": ["2026", "Sheet1", "10月", "10月", "2026"],
        "_row": [88, 7, 12, 31, 90],
    })
    reconciliation = pd.DataFrame({
        "customer_key": ["C001", "C001", "C001"], "month": ["2026-08", "2026-09", "2026-10"],
        "d": [25, 25, 25], "q": [45, 40, 45], "o": [25, 20, 20], "internal": [95, 85, 90],
        "customer_score": [92.0, 85.0, 88.0], "difference": [-3.0, 0.0, -2.0],
    })
    survey = pd.DataFrame({
        "round": ["2026H1"] * 6, "customer_key": list(CUSTOMERS["customer_code"]),
        "customer_name": list(CUSTOMERS["customer_name"]),
        "rows": [4, 3, 2, 1, 3, 2], "returned": [4, 2, 2, 0, 1, 2],
        "return_rate_pct": [100.0, 66.66666666666667, 100.0, 0.0, 33.333333333333336, 100.0],
        "score": [91.5, 84.0, 88.25, np.nan, 72.0, 95.5],
        "grade_zh": ["满意", "一般", "满意", "", "一般", "非常满意"],
        "grade_en": ["satisfied", "fair", "satisfied", "", "fair", "very satisfied"],
        "small_sample": [False, True, True, True, True, True],
        "ci_low": [86.2, 46.4, 72.4, np.nan, np.nan, 89.1],
        "ci_high": [96.8, 100.0, 100.0, np.nan, np.nan, 100.0],
    })
    feedback_open = pd.DataFrame({
        "feedback_no": ["FB-2609-04", "FB-2610-02", "FB-2610-09"],
        "customer_key": ["C003", "C001", "C006"],
        "customer_name": [names["C003"], names["C001"], names["C006"]],
        "feedback_date": pd.to_datetime(["2026-09-12", "2026-10-08", "2026-10-27"]),
        "category": ["B", "A", "C"], "subject": ["包装破损", "标签错误", "交期咨询"],
        "handler": ["王强", "李娜", "张伟"], "dept": ["品质部", "品质部", "业务部"],
        "filed_date": pd.to_datetime(["2026-09-14", "2026-10-08", None]),
        "file_deadline": pd.to_datetime(["2026-09-14", "2026-10-09", "2026-10-30"]),
        "filing_status": ["on_time", "on_time", "late"],
        "age_days": [49, 23, 4], "_file": ["反馈登记表.xlsx"] * 3, "_sheet": ["2026"] * 3, "_row": [31, 40, 47],
    })
    late_visits = pd.DataFrame({
        "visit_date": pd.to_datetime(["2026-09-03", "2026-10-20"]), "customer_key": ["C002", "C005"],
        "customer_name": [names["C002"], names["C005"]], "visitor": ["赵敏", "Tom Li"],
        "report_date": pd.to_datetime(["2026-09-10", None]),
        "report_deadline": pd.to_datetime(["2026-09-08", "2026-10-23"]),
        "working_days_to_report": [5.0, np.nan], "findings": ["客户要求增加来料检验报告", "新项目导入"],
        "_file": ["走访记录.xlsx"] * 2, "_sheet": ["Sheet1"] * 2, "_row": [14, 22],
    })
    ytd = [f"2026-{m:02d}" for m in range(1, 11)]
    repair = rng.poisson(1.5, len(ytd))
    replace = rng.poisson(0.8, len(ytd))
    ret = rng.poisson(0.3, len(ytd))
    three = pd.DataFrame({"month": [*ytd, "2026"],
                          "warranty_repair": [*repair, repair.sum()], "warranty_replace": [*replace, replace.sum()],
                          "warranty_return": [*ret, ret.sum()]})
    three = three.assign(total=three[["warranty_repair", "warranty_replace", "warranty_return"]].sum(axis=1))
    prop = pd.DataFrame({
        "customer_key": ["C001", "C001", "C002", "C003"],
        "customer_name": [names["C001"], names["C001"], names["C002"], names["C003"]],
        "property_no": ["CP-001", "CP-007", "CP-013", "CP-020"], "name": ["检具", "来料 IC", "模具 M-12", "图纸"],
        "kind": ["tooling", "material", "tooling", "document"],
        "registered_date": pd.to_datetime(["2025-03-01", "2026-06-20", "2025-11-11", "2024-05-06"]),
        "status": ["in_use", "damaged", "lost", "returned"],
        "status_at_as_of": ["in_use", "damaged", "lost", "returned"],
        "event_date": pd.to_datetime([None, "2026-07-14", "2026-10-03", None]),
        "reported_date": pd.to_datetime([None, None, "2026-10-04", None]),
        "customer_told": pd.array([pd.NA, False, True, pd.NA], dtype="boolean"),
        "days_to_report": pd.array([pd.NA, pd.NA, 1, pd.NA], dtype="Int64"),
        "_file": ["顾客财产.xlsx"] * 4, "_sheet": ["登记"] * 4, "_row": [3, 9, 15, 22],
    })
    audits = pd.DataFrame({
        "audit_date": pd.to_datetime(["2026-03-18", "2026-09-09"]), "customer_key": ["C001", "C005"],
        "customer_name": [names["C001"], names["C005"]],
        "finding_type": ["nonconformity", "suggestion"],
        "finding": ["SPC 控制图未及时更新", "Incoming inspection records incomplete"],
        "responsible_dept": ["品质部", "资材部"],
        "due_date": pd.to_datetime(["2026-05-31", "2026-10-15"]),
        "days_overdue": [153, 16], "_file": ["顾客稽核.xlsx"] * 2, "_sheet": ["2026"] * 2, "_row": [6, 19],
    })
    repeats = pd.DataFrame({
        "month": ["2026-10"], "complaint_no": ["CC202610014"], "received_date": pd.to_datetime(["2026-10-14 09:00"]),
        "repeats_complaint_no": ["CC202606007"], "repeats_received_date": pd.to_datetime(["2026-06-03 14:00"]),
        "customer_key": ["C001"], "part_no": ["PN-0101"], "matched_on": ["description"],
        "defect_code": [None], "description": ["外观划伤"], "repeats_defect_code": [None],
        "repeats_description": ["外观 划伤"], "_file": ["客诉/顾客抱怨事件登录表2026.xlsx"], "_sheet": ["2026"],
        "_row": [88],
    })
    summary = pd.DataFrame({
        "month": np.repeat(MONTHS, 4), "category": ["A", "B", "C", "D"] * 12,
        "received": rng.poisson(1.5, 48), "filed_on_time": rng.poisson(1.4, 48),
        "filed_late": rng.poisson(0.1, 48), "filing_pending": 0, "completed": rng.poisson(1.4, 48),
        "still_open": rng.poisson(0.8, 48)})
    return {"late_lots": late_lots, "open_complaints": open_rows.reset_index(drop=True),
            "repeat_links": repeats, "scorecard_points": points, "scorecard_reconciliation": reconciliation,
            "survey_customers": survey, "feedback_open": feedback_open, "feedback_summary": summary,
            "late_visit_reports": late_visits, "three_guarantees": three, "property_by_customer": prop,
            "overdue_audit_actions": audits}
