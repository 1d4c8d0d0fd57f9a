"""Shared helpers for the KPI tests: settings, a run context, resolved-register frames, a calendar.

Use them as fixtures (each returns the helper function) or import them from this module
(`from .conftest import register_frame, context_for`):

    def test_x(make_register, ctx):
        deliveries = make_register("deliveries", [
            {"order_no": "SO1", "customer_code": "C1", "due_date": "2026-10-05",
             "delivered_date": "2026-10-05", "qty_due": 10, "qty_delivered": 10},
        ])
        c = ctx("2026-10", delivery__grace_days=1)          # as_of: the last day of the period
        long = delivery_kpis({"deliveries": deliveries}, c)

- `settings_for(**overrides)` / fixture `make_settings`: the documented defaults with overrides,
  through the real validation (a bad override raises SettingsError). Overrides are given as
  `section__key=value` (also deeper: `complaints__response_hours__urgent=12`) or as a whole table
  `survey={"scale_max": 5}` (merged key by key, like an inputs-folder settings.toml).
- `context_for(period, as_of=None, calendar=<default>, **overrides)` / fixture `ctx`: a KpiContext.
  `as_of` may be a date or "YYYY-MM-DD" (default: `[period] as_of` of the settings, else the last day
  of the period). The calendar defaults to the real `pipeline.workdays.WorkCalendar` built from the
  settings when that module exists, else None; pass `calendar=FakeCalendar(...)` to pin it.
- `register_frame(name, rows)` / fixture `make_register`: a resolved-register frame as
  docs/architecture.md describes it — every canonical column with its dtype (dates as "YYYY-MM-DD"
  or "YYYY-MM-DD HH:MM" text are parsed), the register's blank defaults applied, `_file`/`_sheet`/
  `_row` provenance (given or made up: "test.xlsx", "Sheet1", rows 2, 3, …), `customer_key` (the code,
  else the name) and `segment` (default "non-automotive").
- `FakeCalendar(holidays=(), workdays=())` / fixture `fake_calendar`: Monday–Friday working days,
  minus `holidays`, plus `workdays`, with the WorkCalendar interface (`is_workday`, `deadline_end`).
"""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd
import pytest

from pipeline.kpis.base import KpiContext, month_end
from pipeline.registers import PROVENANCE, REGISTERS
from pipeline.settings import Settings, settings_from_mapping

__all__ = ["FakeCalendar", "context_for", "register_frame", "settings_for"]

_DEFAULT = object()


# --- settings and context -----------------------------------------------------------------

def _nest(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """`{"a__b__c": 1, "d": {...}}` → nested tables."""
    out: dict[str, Any] = {}
    for dotted, value in overrides.items():
        parts = dotted.replace(".", "__").split("__")
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        if isinstance(value, Mapping) and isinstance(node.get(parts[-1]), dict):
            node[parts[-1]].update(value)
        else:
            node[parts[-1]] = dict(value) if isinstance(value, Mapping) else value
    return out


def settings_for(**overrides: Any) -> Settings:
    """The default settings with `overrides` (validated like a settings file)."""
    return settings_from_mapping([("<test overrides>", _nest(overrides))])


def _real_calendar(settings: Settings) -> Any:
    try:
        from pipeline.workdays import WorkCalendar
    except ModuleNotFoundError:
        return None
    return WorkCalendar.from_settings(settings)


def context_for(period: str = "2026-10", as_of: date | str | None = None, *,
                calendar: Any = _DEFAULT, settings: Settings | None = None, **overrides: Any) -> KpiContext:
    """A KpiContext for `period` (see the module docstring)."""
    if settings is None:
        settings = settings_for(**overrides)
    elif overrides:
        raise TypeError("give either settings= or setting overrides, not both")
    if as_of is None:
        as_of = settings.period.as_of or month_end(period).date()
    elif isinstance(as_of, str):
        as_of = date.fromisoformat(as_of)
    if calendar is _DEFAULT:
        calendar = _real_calendar(settings)
    return KpiContext(settings=settings, period=period, as_of=as_of, calendar=calendar)


# --- resolved-register frames ---------------------------------------------------------------------

def _typed(values: list[Any], kind: str, blank: Any) -> pd.Series:
    s = pd.Series(values, dtype=object)
    if blank is not None:
        s = s.where(s.notna(), blank)
    if kind in ("date", "datetime"):
        parsed = pd.to_datetime(s, format="ISO8601")
        parsed = parsed.astype("datetime64[ns]")
        return parsed.dt.normalize() if kind == "date" else parsed
    if kind == "int":
        return pd.Series(pd.array(s.tolist(), dtype="Int64"))
    if kind in ("number", "score"):
        return pd.to_numeric(s).astype("float64")
    if kind == "bool":
        return pd.Series(pd.array(s.tolist(), dtype="boolean"))
    return s.astype("str")


def register_frame(name: str, rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """A resolved-register frame of register `name` from `rows` (dicts of canonical columns)."""
    register = REGISTERS[name]
    rows = [dict(r) for r in rows]
    for r in rows:
        if "customer" in r:                       # shorthand for the customer's code
            r.setdefault("customer_code", r.pop("customer"))
        unknown = set(r) - set(register.column_names) - {*PROVENANCE, "customer_key", "segment"}
        if unknown:
            raise KeyError(f"{name} has no column(s) {sorted(unknown)}")
    n = len(rows)
    data: dict[str, pd.Series] = {}
    for col in register.columns:
        data[col.name] = _typed([r.get(col.name) for r in rows], col.kind, col.blank)
    data["_file"] = pd.Series([r.get("_file", "test.xlsx") for r in rows], dtype="str")
    data["_sheet"] = pd.Series([r.get("_sheet", "Sheet1") for r in rows], dtype="str")
    data["_row"] = pd.Series([r.get("_row", i + 2) for i, r in enumerate(rows)], dtype="int64")
    frame = pd.DataFrame(data, index=pd.RangeIndex(n))
    if register.needs_customer:
        code = frame["customer_code"]
        key = [r.get("customer_key") for r in rows]
        frame = frame.assign(
            customer_key=pd.Series(key, dtype=object).where(pd.notna(pd.Series(key, dtype=object)),
                                                            code.where(code.notna(), frame["customer_name"]))
            .astype("str"),
            segment=pd.Series([r.get("segment", "non-automotive") for r in rows], dtype="str"),
        )
    return frame


# --- a calendar with the WorkCalendar interface ------------------------------------------------

class FakeCalendar:
    """Monday–Friday working days, minus `holidays`, plus `workdays` (WorkCalendar's interface).

    `deadline_end(start, n)`: midnight at the END of the n-th working day strictly after each
    start's date (the exclusive end moment); NaT in, NaT out.
    """

    def __init__(self, holidays: Iterable[date | str] = (), workdays: Iterable[date | str] = ()) -> None:
        self.holidays = {pd.Timestamp(d).date() for d in holidays}
        self.workdays = {pd.Timestamp(d).date() for d in workdays}

    def is_workday(self, d: date | str | pd.Timestamp) -> bool:
        d = pd.Timestamp(d).date()
        if d in self.workdays:
            return True
        return d.weekday() < 5 and d not in self.holidays

    def deadline_end(self, start: pd.Series, n_days: int | pd.Series) -> pd.Series:
        start = pd.to_datetime(pd.Series(start))
        n = n_days if isinstance(n_days, pd.Series) else pd.Series(n_days, index=start.index)
        out = []
        for s, k in zip(start, n):                 # test helper: a handful of rows
            if pd.isna(s) or pd.isna(k):
                out.append(pd.NaT)
                continue
            day, left = pd.Timestamp(s).normalize(), int(k)
            while left > 0:
                day += pd.Timedelta(days=1)
                left -= self.is_workday(day)
            out.append(day + pd.Timedelta(days=1))
        return pd.Series(out, index=start.index, dtype="datetime64[ns]")


# --- fixtures ------------------------------------------------------------------------------------

@pytest.fixture
def make_settings():
    """`make_settings(**overrides) -> Settings`."""
    return settings_for


@pytest.fixture
def ctx():
    """`ctx(period, as_of=None, calendar=<real>, **setting_overrides) -> KpiContext`."""
    return context_for


@pytest.fixture
def make_register():
    """`make_register(name, rows) -> resolved-register DataFrame`."""
    return register_frame


@pytest.fixture
def fake_calendar():
    """The `FakeCalendar` class."""
    return FakeCalendar


# numpy is imported for colleagues' convenience in parametrised expectations (np.nan)
NAN = np.nan
