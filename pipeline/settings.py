"""The settings of a run: `settings.toml` at the project root, overridden key by key by a
`settings.toml` in the inputs folder (shared/spec/settings.md).

    built-in defaults  →  <project root>/settings.toml  →  <inputs folder>/settings.toml

Tables merge key by key at every depth (`[complaints] response_hours = { urgent = 12 }` in the
inputs folder changes the urgent limit only); any other value — a number, a text, a list — replaces
the one before it whole. The built-in defaults are the values settings.md fixes, so a root file
that leaves a key out still runs with the documented default (a test checks the root file and these
defaults agree).

Everything is checked BEFORE any input is read. Every problem is collected (not just the first)
and raised as one `SettingsError` whose lines name the file, the dotted key and what is allowed,
in the language of `report.language` (the CLI turns it into exit code 2).

The result is a tree of frozen dataclasses whose attribute names mirror the TOML
(`s.complaints.response_hours["urgent"]`, `s.survey.sampling.tiers[0].share`); tables with free
keys are read-only mappings.
"""
from __future__ import annotations

import copy
import math
import re
import tomllib
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from pipeline.i18n import LANGUAGES, t
from pipeline.registers import REGISTERS, SURVEY_ITEMS

__all__ = [
    "Band", "CalendarSettings", "ComplaintSettings", "DEFAULTS", "DeliverySettings",
    "FeedbackSettings", "GRADING_SCHEMES", "InputSettings", "PeriodSettings", "ReportSettings",
    "SamplingSettings", "ScorecardSettings", "ServiceSettings", "Settings", "SettingsError",
    "SurveySettings", "Targets", "Tier", "VisitSettings", "band_for", "grade_bands",
    "load_settings", "settings_from_mapping",
]

SETTINGS_FILE = "settings.toml"

# --- the documented defaults (settings.md) -------------------------------------------------

DEFAULTS: Mapping[str, Any] = MappingProxyType({
    "report": {"company": "示例电子有限公司", "language": "zh"},
    "period": {},
    "input": {"dayfirst": False, "passwords": {}},
    "targets": {
        "otd_pct": 98.0, "ppm": 50.0, "complaint_rate_pct": 1.0, "response_on_time_pct": 95.0,
        "d8_on_time_pct": 90.0, "satisfaction": 85.0, "survey_return_rate_pct": 80.0,
        "scorecard": 90.0, "feedback_filed_on_time_pct": 95.0, "visit_report_on_time_pct": 95.0,
        "service_on_time_pct": 95.0, "service_satisfaction_pct": 90.0,
        "property_reported_pct": 100.0, "audit_actions_on_time_pct": 90.0,
    },
    "delivery": {"grace_days": 0, "full_quantity": True},
    "complaints": {
        "response_hours": {"urgent": 24, "normal": 48},
        "d8_days": {"urgent": 2, "normal": 7},
        "clock": "calendar",
        "recurrence_months": 6,
    },
    "feedback": {"file_days": {"A": 1, "B": 1, "C": 3, "D": 3}},
    "visits": {"report_days": 3},
    "service": {"response_days": 2},
    "calendar": {"extra_holidays": [], "extra_workdays": []},
    "survey": {
        "scale_max": 100,
        "items": {"quality": 1, "delivery": 1, "price": 1, "service": 1, "technical": 1,
                  "communication": 1, "packaging": 1},
        "grading": "95-85-70-50",
        "company_weighting": "equal",
        "sampling": {
            "tiers": [{"min_value": 500000, "share": 1.0},
                      {"min_value": 200000, "share": 0.5},
                      {"min_value": 0, "share": 0.1}],
            "always_include": ["automotive", "key"],
            "seed": 2026,
        },
    },
    "scorecard": {"segments": ["automotive"], "derive_late_8d": True, "survey_weight": 0.2},
    "headers": {},
})

# Targets that are percentages or 0–100 scores: at most 100. `ppm` is the only one that is not.
PERCENT_TARGETS = (
    "otd_pct", "complaint_rate_pct", "response_on_time_pct", "d8_on_time_pct", "satisfaction",
    "survey_return_rate_pct", "scorecard", "feedback_filed_on_time_pct", "visit_report_on_time_pct",
    "service_on_time_pct", "service_satisfaction_pct", "property_reported_pct",
    "audit_actions_on_time_pct",
)
SEGMENTS = ("automotive", "non-automotive")
SEVERITIES = ("urgent", "normal")
FEEDBACK_CATEGORIES = ("A", "B", "C", "D")
CLOCKS = ("calendar", "working")
WEIGHTINGS = ("equal", "order_value")
ALWAYS_INCLUDE = (*SEGMENTS, "key")
_ENV_REF = re.compile(r"^env:([A-Za-z_][A-Za-z0-9_]*)$")


# --- the settings tree ---------------------------------------------------------------------

@dataclass(frozen=True)
class Band:
    """One survey grade: a score belongs to the first band (in order) it reaches.

    `min` is the band's lower edge (−inf for the catch-all last band); `inclusive` says whether a
    score equal to `min` is in it (≥) or not (>). "Equal" allows the float noise of a score
    computed from decimals (84.99999999999997 is 85): the relative tolerance of the target status
    (`EDGE_REL_TOL`), so ≥ min − tol and > min + tol.
    """
    min: float
    inclusive: bool
    label_en: str
    label_zh: str

    def reaches(self, scores: np.ndarray) -> np.ndarray:
        """Per score, whether it reaches this band (False for a missing score): ≥ min − tol when
        inclusive, > min + tol when not, tol = `EDGE_REL_TOL` × max(1, |min|); a band whose
        `min` is −inf or missing takes every score."""
        scores = np.asarray(scores, dtype="float64")
        low = self.min
        if low is None or math.isnan(low) or math.isinf(low):
            return ~np.isnan(scores)
        tol = EDGE_REL_TOL * max(1.0, abs(low))
        return scores >= low - tol if self.inclusive else scores > low + tol

    def contains(self, score: float) -> bool:
        return bool(self.reaches(np.array([score]))[0])


#: "Equal" at an edge — a grade's, a target's (`pipeline.kpis.targets`): values within this relative
#: distance count as equal, so float noise (29/100 × 100 = 28.999999999999996) decides nothing.
EDGE_REL_TOL = 1e-9


@dataclass(frozen=True)
class Tier:
    """A survey sampling tier: customers whose annual order value reaches `min_value`, of whom
    `share` (0..1, rounded up) are drawn."""
    min_value: float
    share: float


@dataclass(frozen=True)
class ReportSettings:
    company: str
    language: str


@dataclass(frozen=True)
class PeriodSettings:
    as_of: date | None = None


@dataclass(frozen=True)
class InputSettings:
    dayfirst: bool
    passwords: Mapping[str, str]          # file name -> "env:VARIABLE"

    def password_env(self, file_name: str) -> str | None:
        """The environment variable named for `file_name`'s password, or None."""
        ref = self.passwords.get(file_name)
        return _ENV_REF.match(ref).group(1) if ref else None


@dataclass(frozen=True)
class Targets:
    otd_pct: float
    ppm: float
    complaint_rate_pct: float
    response_on_time_pct: float
    d8_on_time_pct: float
    satisfaction: float
    survey_return_rate_pct: float
    scorecard: float
    feedback_filed_on_time_pct: float
    visit_report_on_time_pct: float
    service_on_time_pct: float
    service_satisfaction_pct: float
    property_reported_pct: float
    audit_actions_on_time_pct: float


@dataclass(frozen=True)
class DeliverySettings:
    grace_days: int
    full_quantity: bool


@dataclass(frozen=True)
class ComplaintSettings:
    response_hours: Mapping[str, float]   # urgent / normal
    d8_days: Mapping[str, int]            # urgent / normal
    clock: str                            # "calendar" | "working"
    recurrence_months: int


@dataclass(frozen=True)
class FeedbackSettings:
    file_days: Mapping[str, int]          # A / B / C / D


@dataclass(frozen=True)
class VisitSettings:
    report_days: int


@dataclass(frozen=True)
class ServiceSettings:
    response_days: int


@dataclass(frozen=True)
class CalendarSettings:
    extra_holidays: tuple[date, ...]
    extra_workdays: tuple[date, ...]


@dataclass(frozen=True)
class SamplingSettings:
    tiers: tuple[Tier, ...]
    always_include: tuple[str, ...]
    seed: int


@dataclass(frozen=True)
class SurveySettings:
    scale_max: float
    items: Mapping[str, float]
    grading: str | tuple[Band, ...]       # a scheme name, or the custom bands
    company_weighting: str
    sampling: SamplingSettings

    @property
    def bands(self) -> tuple[Band, ...]:
        """The grading as bands, whichever form the settings gave it in."""
        return grade_bands(self.grading)


@dataclass(frozen=True)
class ScorecardSettings:
    segments: tuple[str, ...]
    derive_late_8d: bool
    survey_weight: float


@dataclass(frozen=True)
class Settings:
    report: ReportSettings
    period: PeriodSettings
    input: InputSettings
    targets: Targets
    delivery: DeliverySettings
    complaints: ComplaintSettings
    feedback: FeedbackSettings
    visits: VisitSettings
    service: ServiceSettings
    calendar: CalendarSettings
    survey: SurveySettings
    scorecard: ScorecardSettings
    headers: Mapping[str, Mapping[str, tuple[str, ...]]]
    sources: tuple[Path, ...] = field(default=(), compare=False)

    def as_dict(self) -> dict[str, Any]:
        """The settings in force as plain JSON-able data (for manifest.json).

        Dates are ISO texts, tuples lists, bands and tiers tables. Passwords are never in the
        settings at all: only the `env:NAME` reference naming the environment variable.
        """
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self) if f.name != "sources"}


def _plain(value: Any) -> Any:
    if is_dataclass(value):
        out = {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
        if isinstance(value, Band) and math.isinf(value.min):
            out["min"] = None          # the catch-all band: JSON has no infinity
        return out
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


class SettingsError(ValueError):
    """The settings cannot be used. The message lists every problem, one per line, each naming
    the file, the dotted key and what is allowed. `problems` holds them as (file, key, text)."""

    def __init__(self, message: str, problems: Iterable[tuple[str, str, str]] = ()) -> None:
        super().__init__(message)
        self.problems: tuple[tuple[str, str, str], ...] = tuple(problems)


# --- survey grading ----------------------------------------------------------------------------

_NEG_INF = float("-inf")

# kpis.md "Satisfaction survey", grade of every score.
GRADING_SCHEMES: Mapping[str, tuple[Band, ...]] = MappingProxyType({
    # seed 004 QP-14: ≥ 95 非常满意; ≥ 85 满意; ≥ 70 一般; ≥ 50 不好; below 50 很差.
    "95-85-70-50": (
        Band(95.0, True, "very satisfied", "非常满意"),
        Band(85.0, True, "satisfied", "满意"),
        Band(70.0, True, "fair", "一般"),
        Band(50.0, True, "poor", "不好"),
        Band(_NEG_INF, True, "very poor", "很差"),
    ),
    # seed 002: ≥ 98 很满意; > 90 满意; > 75 一般满意; ≥ 60 不满意; below 60 非常不满意.
    "98-90-75-60": (
        Band(98.0, True, "very satisfied", "很满意"),
        Band(90.0, False, "satisfied", "满意"),
        Band(75.0, False, "fair", "一般满意"),
        Band(60.0, True, "dissatisfied", "不满意"),
        Band(_NEG_INF, True, "very dissatisfied", "非常不满意"),
    ),
})


def grade_bands(grading: str | Iterable[Band]) -> tuple[Band, ...]:
    """The bands of a grading, best first: a named scheme of kpis.md or custom bands.

    A score gets the first band it reaches (`Band.contains`); the last band of every grading
    catches everything below the others (`min` = −inf, or a custom last band with `min` ≤ 0,
    which covers every 0–100 score).
    """
    if isinstance(grading, str):
        try:
            return GRADING_SCHEMES[grading]
        except KeyError:
            raise ValueError(f"unknown grading scheme {grading!r}; known: "
                             f"{', '.join(GRADING_SCHEMES)}") from None
    return tuple(grading)


def band_for(score: float | None, bands: Iterable[Band]) -> Band | None:
    """The band a score falls in (None for a missing score)."""
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return None
    for band in bands:
        if band.contains(score):
            return band
    return None


# --- loading -------------------------------------------------------------------------------------

def load_settings(root_file: Path, inputs_dir: Path | None = None) -> Settings:
    """The settings in force: the built-in defaults, then `root_file`, then
    `<inputs_dir>/settings.toml` when that exists, merged key by key and validated.

    Raises `SettingsError` listing every problem with its file, dotted key and what is allowed.
    """
    root_file = Path(root_file)
    files = [root_file]
    if inputs_dir is not None and (Path(inputs_dir) / SETTINGS_FILE).is_file():
        files.append(Path(inputs_dir) / SETTINGS_FILE)

    layers: list[tuple[str, Mapping[str, Any]]] = []
    problems: list[_Problem] = []
    for path in files:
        try:
            with path.open("rb") as fh:
                layers.append((str(path), tomllib.load(fh)))
        except FileNotFoundError:
            problems.append(_Problem(str(path), "", "not_found", None, "toml_file"))
        except tomllib.TOMLDecodeError as exc:
            problems.append(_Problem(str(path), "", "bad_toml", str(exc), "toml_file"))
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(_Problem(str(path), "", "unreadable", str(exc), "toml_file"))
    if problems:
        language = _language_of(layers)
        raise _settings_error(problems, language)
    return settings_from_mapping(layers, sources=tuple(files))


def settings_from_mapping(layers: Iterable[tuple[str, Mapping[str, Any]]] | Mapping[str, Any],
                          sources: tuple[Path, ...] = ()) -> Settings:
    """Settings from already-parsed TOML tables, merged over the defaults in order.

    `layers` is a list of (file name, table), later ones overriding earlier ones, or one table
    (named "<settings>"). Used by `load_settings` and by tests that build settings in memory.
    """
    if isinstance(layers, Mapping):
        layers = [("<settings>", layers)]
    merged: dict[str, Any] = copy.deepcopy(_thaw(DEFAULTS))
    origin: dict[tuple[str, ...], str] = {}
    for name, table in layers:
        _merge_into(merged, table, name, (), origin)
    language = merged.get("report", {}).get("language")
    language = language if language in LANGUAGES else _language_of(layers)
    checker = _Checker(origin)
    settings = checker.build(merged, sources)
    if checker.problems:
        raise _settings_error(checker.problems, language)
    return settings


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_thaw(v) for v in value]
    return value


def _merge_into(base: dict[str, Any], top: Mapping[str, Any], name: str, path: tuple[str, ...],
                origin: dict[tuple[str, ...], str]) -> None:
    """Deep-merge `top` into `base` (tables key by key; anything else replaced whole), noting
    which file each key came from."""
    for key, value in top.items():
        here = (*path, key)
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            origin[here] = name          # the table as a whole: blamed on the last file touching it
            _merge_into(base[key], value, name, here, origin)
        else:
            base[key] = copy.deepcopy(_thaw(value))
            for sub in [p for p in origin if p[:len(here)] == here]:
                del origin[sub]
            _note_origin(value, name, here, origin)


def _note_origin(value: Any, name: str, path: tuple[str, ...], origin: dict[tuple[str, ...], str]) -> None:
    origin[path] = name
    if isinstance(value, Mapping):
        for key, sub in value.items():
            _note_origin(sub, name, (*path, key), origin)


def _language_of(layers: Iterable[tuple[str, Mapping[str, Any]]]) -> str:
    """The language for messages when the settings could not all be read: the last valid
    `report.language` seen, else the default."""
    language = DEFAULTS["report"]["language"]
    for _, table in layers:
        report = table.get("report") if isinstance(table, Mapping) else None
        if isinstance(report, Mapping) and report.get("language") in LANGUAGES:
            language = report["language"]
    return language


# --- validation ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Problem:
    file: str
    key: str
    problem: str             # i18n key under settings.problem.
    value: Any               # shown in the message (None: not shown)
    allowed: str             # i18n key under settings.allowed.
    allowed_fields: tuple[tuple[str, str], ...] = ()


def _settings_error(problems: list[_Problem], language: str) -> SettingsError:
    lines = [_text("settings.errors", language, count=len(problems))]
    triples = []
    for p in problems:
        what = _text(f"settings.problem.{p.problem}", language,
                     **({"value": _show(p.value)} if p.value is not None else {}))
        allowed = _text(f"settings.allowed.{p.allowed}", language, **dict(p.allowed_fields))
        key = p.key or _text("settings.whole_file", language)
        lines.append("  " + _text("settings.error_line", language, file=p.file, key=key, problem=what,
                                  allowed=allowed))
        triples.append((p.file, p.key, f"{what}; {allowed}"))
    return SettingsError("\n".join(lines), triples)


def _text(text_key: str, language: str, /, **fields: Any) -> str:
    """`t()`, always formatted (so that the `{{ … }}` of TOML examples in the texts read `{ … }`)."""
    return t(text_key, language, **(fields or {"_": ""}))


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value) if len(value) <= 80 else repr(value[:77] + "...")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        text = repr(value)
        return text if len(text) <= 80 else text[:77] + "..."
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _dotted(path: tuple[Any, ...]) -> str:
    """A key path as TOML writes it: `survey.sampling.tiers[0].share`, `input.passwords."a.xlsx"`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            part = part if _BARE_KEY.match(part) else '"' + part.replace('"', '\\"') + '"'
            out += f".{part}" if out else part
    return out


def _fmt_num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


class _Checker:
    """Walks the merged table, converting what is valid and collecting a `_Problem` for the rest."""

    def __init__(self, origin: Mapping[tuple[str, ...], str]) -> None:
        self.origin = origin
        self.problems: list[_Problem] = []

    # -- bookkeeping --
    def file_of(self, path: tuple[str, ...]) -> str:
        for i in range(len(path), 0, -1):
            if path[:i] in self.origin:
                return self.origin[path[:i]]
        return "<defaults>"

    def add(self, path: tuple[str, ...], problem: str, value: Any, allowed: str, **allowed_fields: Any) -> None:
        if value is None and problem in ("wrong_type", "out_of_range"):
            problem = "missing"
        self.problems.append(_Problem(self.file_of(path), _dotted(path), problem, value, allowed,
                                      tuple((k, str(v)) for k, v in allowed_fields.items())))

    def table(self, data: Any, path: tuple[str, ...], known: Iterable[str] | None) -> dict[str, Any]:
        """`data` as a table; unknown keys (when `known` is given) are reported."""
        if not isinstance(data, Mapping):
            self.add(path, "wrong_type", data, "table")
            return {}
        if known is not None:
            known = tuple(known)
            for key in data:
                if key not in known:
                    self.add((*path, key), "unknown_key", None, "keys", names=", ".join(known))
        return dict(data)

    # -- scalars --
    def number(self, data: Mapping[str, Any], path: tuple[str, ...], *, ge: float | None = None,
               gt: float | None = None, le: float | None = None) -> float:
        value = data.get(path[-1])
        if ge is not None and le is not None:
            allowed, af = "number_range", {"min": _fmt_num(ge), "max": _fmt_num(le)}
        elif gt is not None:
            allowed, af = "number_gt", {"min": _fmt_num(gt)}
        else:
            allowed, af = "number_ge", {"min": _fmt_num(ge if ge is not None else 0)}
        if not _is_number(value):
            self.add(path, "wrong_type", value, allowed, **af)
            return math.nan
        if (ge is not None and value < ge) or (gt is not None and value <= gt) or (le is not None and value > le):
            self.add(path, "out_of_range", value, allowed, **af)
        return float(value)

    def integer(self, data: Mapping[str, Any], path: tuple[str, ...], *, ge: int) -> int:
        value = data.get(path[-1])
        if not _is_int(value):
            self.add(path, "wrong_type", value, "int_ge", min=ge)
            return ge
        if value < ge:
            self.add(path, "out_of_range", value, "int_ge", min=ge)
        return int(value)

    def boolean(self, data: Mapping[str, Any], path: tuple[str, ...]) -> bool:
        value = data.get(path[-1])
        if not isinstance(value, bool):
            self.add(path, "wrong_type", value, "bool")
            return False
        return value

    def text(self, data: Mapping[str, Any], path: tuple[str, ...]) -> str:
        value = data.get(path[-1])
        if not isinstance(value, str) or not value.strip():
            self.add(path, "wrong_type", value, "text")
            return ""
        return value

    def choice(self, data: Mapping[str, Any], path: tuple[str, ...], choices: tuple[str, ...]) -> str:
        value = data.get(path[-1])
        if value not in choices or not isinstance(value, str):
            self.add(path, "wrong_type" if not isinstance(value, str) else "out_of_range", value,
                     "one_of", names=", ".join(choices))
            return choices[0]
        return value

    def day(self, value: Any, path: tuple[str, ...], allowed: str = "date") -> date | None:
        if isinstance(value, datetime):             # TOML date-time: a day is wanted
            self.add(path, "wrong_type", value, allowed)
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.add(path, "wrong_type", value, allowed)
        return None

    def days(self, data: Mapping[str, Any], path: tuple[str, ...]) -> tuple[date, ...]:
        value = data.get(path[-1])
        if not isinstance(value, list):
            self.add(path, "wrong_type", value, "date_list")
            return ()
        out = [self.day(v, path, "date_list") for v in value]
        return tuple(sorted({d for d in out if d is not None}))

    def texts(self, data: Mapping[str, Any], path: tuple[str, ...], choices: tuple[str, ...] | None = None) -> tuple[str, ...]:
        value = data.get(path[-1])
        allowed, af = ("list_of", {"names": ", ".join(choices)}) if choices else ("text_list", {})
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.add(path, "wrong_type", value, allowed, **af)
            return ()
        if choices:
            bad = [v for v in value if v not in choices]
            if bad:
                self.add(path, "out_of_range", bad, allowed, **af)
                return tuple(v for v in value if v in choices)
        return tuple(value)

    def fixed_keys(self, data: Mapping[str, Any], path: tuple[str, ...], keys: tuple[str, ...],
                   check: Callable[[Mapping[str, Any], tuple[str, ...]], Any]) -> Mapping[str, Any]:
        """A table with exactly `keys` (e.g. urgent/normal), each value checked by `check`."""
        table = self.table(data.get(path[-1]), path, keys)
        out = {}
        for key in keys:
            if key not in table:
                self.add((*path, key), "missing", None, "keys", names=", ".join(keys))
                continue
            out[key] = check(table, (*path, key))
        return MappingProxyType(out)

    # -- the whole tree --
    def build(self, merged: Mapping[str, Any], sources: tuple[Path, ...]) -> Settings:
        top = self.table(merged, (), DEFAULTS.keys())
        sec = {name: self.table(top.get(name, {}), (name,), None if name in ("headers",) else
                                _known_keys(name)) for name in DEFAULTS}

        r = sec["report"]
        report = ReportSettings(company=self.text(r, ("report", "company")),
                                language=self.choice(r, ("report", "language"), LANGUAGES))

        as_of = sec["period"].get("as_of")
        period = PeriodSettings(as_of=None if as_of is None else self.day(as_of, ("period", "as_of")))

        i = sec["input"]
        input_ = InputSettings(dayfirst=self.boolean(i, ("input", "dayfirst")),
                               passwords=self._passwords(i))

        tg = sec["targets"]
        targets = Targets(**{
            name: self.number(tg, ("targets", name), ge=0, le=100) if name in PERCENT_TARGETS
            # the scorecard divides by the PPM target ((ppm − t) / t): it must be above 0
            else self.number(tg, ("targets", name), gt=0)
            for name in DEFAULTS["targets"]
        })

        d = sec["delivery"]
        delivery = DeliverySettings(grace_days=self.integer(d, ("delivery", "grace_days"), ge=0),
                                    full_quantity=self.boolean(d, ("delivery", "full_quantity")))

        c = sec["complaints"]
        complaints = ComplaintSettings(
            response_hours=self.fixed_keys(c, ("complaints", "response_hours"), SEVERITIES,
                                           lambda tb, p: self.number(tb, p, gt=0)),
            d8_days=self.fixed_keys(c, ("complaints", "d8_days"), SEVERITIES,
                                    lambda tb, p: self.integer(tb, p, ge=1)),
            clock=self.choice(c, ("complaints", "clock"), CLOCKS),
            recurrence_months=self.integer(c, ("complaints", "recurrence_months"), ge=1),
        )

        feedback = FeedbackSettings(file_days=self.fixed_keys(
            sec["feedback"], ("feedback", "file_days"), FEEDBACK_CATEGORIES,
            lambda tb, p: self.integer(tb, p, ge=0)))
        visits = VisitSettings(report_days=self.integer(sec["visits"], ("visits", "report_days"), ge=0))
        service = ServiceSettings(response_days=self.integer(sec["service"], ("service", "response_days"), ge=0))

        cal = sec["calendar"]
        holidays = self.days(cal, ("calendar", "extra_holidays"))
        workdays = self.days(cal, ("calendar", "extra_workdays"))
        both = sorted(set(holidays) & set(workdays))
        if both:
            self.add(("calendar", "extra_workdays"), "in_both_lists", ", ".join(d.isoformat() for d in both),
                     "date_list")
        calendar = CalendarSettings(extra_holidays=holidays, extra_workdays=workdays)

        survey = self._survey(sec["survey"])

        s = sec["scorecard"]
        scorecard = ScorecardSettings(
            segments=self.texts(s, ("scorecard", "segments"), SEGMENTS),
            derive_late_8d=self.boolean(s, ("scorecard", "derive_late_8d")),
            survey_weight=self.number(s, ("scorecard", "survey_weight"), ge=0, le=1),
        )

        return Settings(report=report, period=period, input=input_, targets=targets,
                        delivery=delivery, complaints=complaints, feedback=feedback, visits=visits,
                        service=service, calendar=calendar, survey=survey, scorecard=scorecard,
                        headers=self._headers(sec["headers"]), sources=tuple(sources))

    def _passwords(self, section: Mapping[str, Any]) -> Mapping[str, str]:
        table = self.table(section.get("passwords", {}), ("input", "passwords"), None)
        out = {}
        for file_name, ref in table.items():
            path = ("input", "passwords", file_name)
            if not isinstance(ref, str) or not _ENV_REF.match(ref.strip()):
                # never echo what might be a password written straight into the file
                self.add(path, "not_env_reference", None, "env")
                continue
            out[file_name] = ref.strip()
        return MappingProxyType(out)

    def _survey(self, sv: Mapping[str, Any]) -> SurveySettings:
        items_path = ("survey", "items")
        items_table = self.table(sv.get("items"), items_path, SURVEY_ITEMS.keys())
        items = {name: self.number(items_table, (*items_path, name), ge=0)
                 for name in items_table if name in SURVEY_ITEMS}
        if items and not any(w > 0 for w in items.values() if not math.isnan(w)):
            self.add(items_path, "all_zero", None, "weights")

        sp = self.table(sv.get("sampling", {}), ("survey", "sampling"), _known_keys("survey.sampling"))
        sampling = SamplingSettings(
            tiers=self._tiers(sp),
            always_include=self.texts(sp, ("survey", "sampling", "always_include"), ALWAYS_INCLUDE),
            seed=self.integer(sp, ("survey", "sampling", "seed"), ge=0),
        )
        return SurveySettings(
            scale_max=self.number(sv, ("survey", "scale_max"), gt=0),
            items=MappingProxyType(items),
            grading=self._grading(sv),
            company_weighting=self.choice(sv, ("survey", "company_weighting"), WEIGHTINGS),
            sampling=sampling,
        )

    def _grading(self, sv: Mapping[str, Any]) -> str | tuple[Band, ...]:
        path = ("survey", "grading")
        value = sv.get("grading")
        if isinstance(value, str):
            if value not in GRADING_SCHEMES:
                self.add(path, "out_of_range", value, "grading")
                return "95-85-70-50"
            return value
        if not isinstance(value, list) or not value:
            self.add(path, "wrong_type", value, "grading")
            return "95-85-70-50"
        bands: list[Band] = []
        for n, raw in enumerate(value):
            bpath = (*path, n)
            if not isinstance(raw, Mapping):
                self.add(bpath, "wrong_type", raw, "band")
                continue
            for key in raw:
                if key not in ("min", "inclusive", "label", "label_zh"):
                    self.add((*bpath, key), "unknown_key", None, "keys",
                             names="min, inclusive, label, label_zh")
            last = n == len(value) - 1
            if "min" in raw:
                low = float(raw["min"]) if _is_number(raw["min"]) else math.nan
                if math.isnan(low):
                    self.add((*bpath, "min"), "wrong_type", raw["min"], "band")
            elif last:
                low = _NEG_INF
            else:
                self.add((*bpath, "min"), "missing", None, "band")
                low = math.nan
            inclusive = self.boolean(raw, (*bpath, "inclusive")) if "inclusive" in raw else True
            label = self.text(raw, (*bpath, "label"))
            label_zh = self.text(raw, (*bpath, "label_zh")) if "label_zh" in raw else label
            bands.append(Band(low, inclusive, label, label_zh))
        mins = [b.min for b in bands]
        if len(bands) == len(value) and not any(math.isnan(m) for m in mins):
            if any(a <= b for a, b in zip(mins, mins[1:])):
                self.add(path, "not_descending",
                         ", ".join(_fmt_num(m) if math.isfinite(m) else "(none)" for m in mins), "bands")
            elif mins[-1] > 0:
                # every 0–100 score must get a grade
                self.add((*path, len(bands) - 1, "min"), "out_of_range", mins[-1], "last_band")
        return tuple(bands)

    def _tiers(self, sp: Mapping[str, Any]) -> tuple[Tier, ...]:
        path = ("survey", "sampling", "tiers")
        value = sp.get("tiers")
        if not isinstance(value, list) or not value:
            self.add(path, "wrong_type", value, "tiers")
            return ()
        tiers = []
        for n, raw in enumerate(value):
            tpath = (*path, n)
            table = self.table(raw, tpath, ("min_value", "share"))
            if not isinstance(raw, Mapping):
                continue
            for key in ("min_value", "share"):
                if key not in table:
                    self.add((*tpath, key), "missing", None, "tiers")
            if "min_value" in table and "share" in table:
                tiers.append(Tier(self.number(table, (*tpath, "min_value"), ge=0),
                                  self.number(table, (*tpath, "share"), ge=0, le=1)))
        # kpis.md: "a customer belongs to the first tier, in the listed order, whose `min_value`
        # its value reaches (no value: the last tier)" — the order is the analyst's and any list
        # has a meaning: a value that reaches no tier is in none (not drawn), so neither a
        # descending order nor a last tier from 0 is required.
        return tuple(tiers)

    def _headers(self, hd: Mapping[str, Any]) -> Mapping[str, Mapping[str, tuple[str, ...]]]:
        out: dict[str, Mapping[str, tuple[str, ...]]] = {}
        for register, columns in hd.items():
            rpath = ("headers", register)
            if register not in REGISTERS:
                self.add(rpath, "unknown_register", register, "one_of", names=", ".join(REGISTERS))
                continue
            known = REGISTERS[register].column_names
            table = self.table(columns, rpath, known)
            cols = {}
            for column, aliases in table.items():
                if column not in known:
                    continue
                cpath = (*rpath, column)
                if (not isinstance(aliases, list) or not aliases
                        or not all(isinstance(a, str) and a.strip() for a in aliases)):
                    self.add(cpath, "wrong_type", aliases, "aliases")
                    continue
                cols[column] = tuple(a.strip() for a in aliases)
            out[register] = MappingProxyType(cols)
        return MappingProxyType(out)


def _known_keys(section: str) -> tuple[str, ...]:
    node: Any = DEFAULTS
    for part in section.split("."):
        node = node[part]
    keys = tuple(node)
    if section == "period":
        keys = ("as_of",)
    return keys
