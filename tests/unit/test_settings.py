"""Settings (shared/spec/settings.md): defaults, the inputs-folder override merged key by key, and
every kind of bad value stopping the run with the file, the dotted key and what is allowed."""
from __future__ import annotations

import dataclasses
import json
import math
import tomllib
from datetime import date
from pathlib import Path

import pytest

from pipeline.settings import (
    DEFAULTS, Band, SettingsError, Tier, band_for, grade_bands, load_settings, settings_from_mapping,
)

ROOT = Path(__file__).resolve().parents[2] / "settings.toml"


def _thawed(value):
    if isinstance(value, dict) or hasattr(value, "items"):
        return {k: _thawed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_thawed(v) for v in value]
    return value


def _inputs(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "inputs"
    folder.mkdir()
    (folder / "settings.toml").write_text(text, encoding="utf-8")
    return folder


# --- defaults -------------------------------------------------------------------------------

def test_root_file_holds_every_documented_default():
    # settings.md: "settings.toml at the project root … holding every default below"
    with ROOT.open("rb") as fh:
        assert tomllib.load(fh) == _thawed(DEFAULTS)


def test_defaults_load_as_documented():
    s = load_settings(ROOT, None)
    assert s.sources == (ROOT,)
    assert (s.report.company, s.report.language) == ("示例电子有限公司", "zh")
    assert s.period.as_of is None
    assert s.input.dayfirst is False and dict(s.input.passwords) == {}
    assert (s.targets.otd_pct, s.targets.ppm, s.targets.complaint_rate_pct) == (98.0, 50.0, 1.0)
    assert (s.targets.response_on_time_pct, s.targets.d8_on_time_pct, s.targets.satisfaction) == (95.0, 90.0, 85.0)
    assert (s.targets.survey_return_rate_pct, s.targets.scorecard) == (80.0, 90.0)
    assert (s.targets.property_reported_pct, s.targets.audit_actions_on_time_pct) == (100.0, 90.0)
    assert (s.delivery.grace_days, s.delivery.full_quantity) == (0, True)
    assert dict(s.complaints.response_hours) == {"urgent": 24, "normal": 48}
    assert dict(s.complaints.d8_days) == {"urgent": 2, "normal": 7}
    assert (s.complaints.clock, s.complaints.recurrence_months) == ("calendar", 6)
    assert dict(s.feedback.file_days) == {"A": 1, "B": 1, "C": 3, "D": 3}
    assert (s.visits.report_days, s.service.response_days) == (3, 2)
    assert (s.calendar.extra_holidays, s.calendar.extra_workdays) == ((), ())
    assert s.survey.scale_max == 100 and set(s.survey.items) == {
        "quality", "delivery", "price", "service", "technical", "communication", "packaging"}
    assert s.survey.grading == "95-85-70-50" and s.survey.company_weighting == "equal"
    assert s.survey.sampling.tiers == (Tier(500000, 1.0), Tier(200000, 0.5), Tier(0, 0.1))
    assert s.survey.sampling.always_include == ("automotive", "key") and s.survey.sampling.seed == 2026
    assert s.scorecard.segments == ("automotive",)
    assert (s.scorecard.derive_late_8d, s.scorecard.survey_weight) == (True, 0.2)
    assert dict(s.headers) == {}


def test_settings_are_frozen():
    s = load_settings(ROOT, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.targets.ppm = 10.0
    with pytest.raises(TypeError):
        s.complaints.response_hours["urgent"] = 1


def test_inputs_folder_without_settings_uses_the_root(tmp_path):
    folder = tmp_path / "inputs"
    folder.mkdir()
    assert load_settings(ROOT, folder).sources == (ROOT,)


# --- the inputs-folder override --------------------------------------------------------------

def test_inputs_folder_overrides_key_by_key(tmp_path):
    folder = _inputs(tmp_path, """
[report]
language = "en"
[period]
as_of = 2026-10-15
[targets]
ppm = 30
[complaints]
response_hours = { urgent = 12 }
[survey.sampling]
always_include = ["key"]
[calendar]
extra_holidays = [2026-08-03, "2026-08-04"]
[input.passwords]
"质量月报.xlsx" = "env:QA_XLSX_PASSWORD"
[headers]
complaints = { received_date = ["登记日期"] }
""")
    s = load_settings(ROOT, folder)
    assert s.sources == (ROOT, folder / "settings.toml")
    # overridden
    assert s.report.language == "en" and s.period.as_of == date(2026, 10, 15)
    assert s.targets.ppm == 30.0
    assert s.complaints.response_hours["urgent"] == 12
    assert s.survey.sampling.always_include == ("key",)
    assert s.calendar.extra_holidays == (date(2026, 8, 3), date(2026, 8, 4))
    assert s.input.passwords == {"质量月报.xlsx": "env:QA_XLSX_PASSWORD"}
    assert s.input.password_env("质量月报.xlsx") == "QA_XLSX_PASSWORD"
    assert s.headers["complaints"]["received_date"] == ("登记日期",)
    # kept from the root, key by key inside the same tables
    assert s.report.company == "示例电子有限公司"
    assert s.targets.otd_pct == 98.0
    assert s.complaints.response_hours["normal"] == 48
    assert s.complaints.d8_days["normal"] == 7
    assert s.survey.sampling.seed == 2026 and len(s.survey.sampling.tiers) == 3


def test_custom_grading_bands(tmp_path):
    folder = _inputs(tmp_path, """
[survey]
grading = [
  { min = 90, label = "very satisfied", label_zh = "非常满意" },
  { min = 75, inclusive = false, label = "satisfied", label_zh = "满意" },
  { label = "not satisfied", label_zh = "不满意" },
]
""")
    s = load_settings(ROOT, folder)
    assert s.survey.grading == (
        Band(90.0, True, "very satisfied", "非常满意"),
        Band(75.0, False, "satisfied", "满意"),
        Band(-math.inf, True, "not satisfied", "不满意"),
    )
    assert grade_bands(s.survey.grading) == s.survey.bands == s.survey.grading
    # 90 ≥ 90 → very satisfied; 75 is not > 75 → not satisfied; 75.5 > 75 → satisfied
    assert [band_for(x, s.survey.bands).label_en for x in (90, 89.9, 75.5, 75, 0)] == [
        "very satisfied", "satisfied", "satisfied", "not satisfied", "not satisfied"]


@pytest.mark.parametrize("scheme, score, label_en, label_zh", [
    # kpis.md: 95-85-70-50: ≥ 95 非常满意; ≥ 85 满意; ≥ 70 一般; ≥ 50 不好; below 50 很差
    ("95-85-70-50", 100, "very satisfied", "非常满意"),
    ("95-85-70-50", 95, "very satisfied", "非常满意"),
    ("95-85-70-50", 94.99, "satisfied", "满意"),
    ("95-85-70-50", 85, "satisfied", "满意"),
    ("95-85-70-50", 70, "fair", "一般"),
    ("95-85-70-50", 69.9, "poor", "不好"),
    ("95-85-70-50", 50, "poor", "不好"),
    ("95-85-70-50", 49.9, "very poor", "很差"),
    ("95-85-70-50", 0, "very poor", "很差"),
    # kpis.md: 98-90-75-60: ≥ 98 很满意; > 90 满意; > 75 一般满意; ≥ 60 不满意; below 60 非常不满意
    ("98-90-75-60", 98, "very satisfied", "很满意"),
    ("98-90-75-60", 97.9, "satisfied", "满意"),
    ("98-90-75-60", 90.01, "satisfied", "满意"),
    ("98-90-75-60", 90, "fair", "一般满意"),
    ("98-90-75-60", 75.01, "fair", "一般满意"),
    ("98-90-75-60", 75, "dissatisfied", "不满意"),
    ("98-90-75-60", 60, "dissatisfied", "不满意"),
    ("98-90-75-60", 59.99, "very dissatisfied", "非常不满意"),
])
def test_named_grading_schemes(scheme, score, label_en, label_zh):
    band = band_for(score, grade_bands(scheme))
    assert (band.label_en, band.label_zh) == (label_en, label_zh)


@pytest.mark.parametrize("scheme, score, label_en", [
    # a score computed from decimals: items 8.1, 8.7, 8.7 on a 10 scale are 85 by hand
    # ((8.1 + 8.7 + 8.7) / 3 × 100 / 10), 84.99999999999997 in floating point: ≥ 85 → satisfied
    ("95-85-70-50", 84.99999999999997, "satisfied"),
    # > 90 is satisfied; 90.00000000000003 is 90 by hand, not above it → the next band, > 75: fair
    ("98-90-75-60", 90.00000000000003, "fair"),
    # 97.99999999999999 is 98 by hand: ≥ 98 → very satisfied
    ("98-90-75-60", 97.99999999999999, "very satisfied"),
])
def test_band_edges_ignore_float_noise(scheme, score, label_en):
    assert band_for(score, grade_bands(scheme)).label_en == label_en


def test_band_tolerance_is_the_target_tolerance():
    # one "equal" for the grades and the target status
    from pipeline.kpis.targets import _REL_TOL
    from pipeline.settings import EDGE_REL_TOL
    assert EDGE_REL_TOL == _REL_TOL


@pytest.mark.parametrize("tiers, expected", [
    # kpis.md only says "the first tier, in the listed order, whose min_value its value reaches":
    # any order and any last bound is a valid list
    ("[{ min_value = 500000, share = 1.0 }, { min_value = 200000, share = 0.5 }]",
     (Tier(500000, 1.0), Tier(200000, 0.5))),
    ("[{ min_value = 100, share = 1 }, { min_value = 500, share = 1 }, { min_value = 0, share = 0.1 }]",
     (Tier(100, 1.0), Tier(500, 1.0), Tier(0, 0.1))),
    ("[{ min_value = 1000, share = 0 }]", (Tier(1000, 0.0),)),
])
def test_any_list_of_valid_tiers_is_accepted(tmp_path, tiers, expected):
    folder = _inputs(tmp_path, f"[survey.sampling]\ntiers = {tiers}\n")
    assert load_settings(ROOT, folder).survey.sampling.tiers == expected


def test_band_for_missing_score():
    assert band_for(float("nan"), grade_bands("95-85-70-50")) is None
    assert band_for(None, grade_bands("95-85-70-50")) is None


def test_as_dict_is_plain_json(tmp_path):
    folder = _inputs(tmp_path, """
[period]
as_of = 2026-10-31
[input.passwords]
"a.xlsx" = "env:A_PW"
[survey]
grading = [{ min = 50, label = "ok" }, { label = "not ok" }]
""")
    d = load_settings(ROOT, folder).as_dict()
    text = json.dumps(d, ensure_ascii=False)
    assert json.loads(text) == d
    assert d["period"]["as_of"] == "2026-10-31"
    assert d["input"]["passwords"] == {"a.xlsx": "env:A_PW"}
    assert d["survey"]["grading"] == [
        {"min": 50.0, "inclusive": True, "label_en": "ok", "label_zh": "ok"},
        {"min": None, "inclusive": True, "label_en": "not ok", "label_zh": "not ok"}]
    assert d["survey"]["sampling"]["tiers"][0] == {"min_value": 500000.0, "share": 1.0}
    assert set(d) == set(DEFAULTS)


# --- bad settings ----------------------------------------------------------------------------

# (inputs-folder settings.toml, the dotted key the message names, a piece of what is allowed (en))
BAD = [
    ("[report]\ncolour = 'red'\n", "report.colour", "the known keys here: company, language"),
    ("[reports]\nlanguage = 'en'\n", "reports", "the known keys here: report, period"),
    ("[report]\ncompany = ''\n", "report.company", "a non-empty text"),
    ("[period]\nas_of = 2026-10-31T10:00:00\n", "period.as_of", "a date such as 2026-10-31"),
    ("[period]\nas_of = '31/10/2026'\n", "period.as_of", "a date such as 2026-10-31"),
    ("[input]\ndayfirst = 'yes'\n", "input.dayfirst", "true or false"),
    ("[input.passwords]\n'a.xlsx' = 'hunter2'\n", 'input.passwords."a.xlsx"', '"env:VARIABLE_NAME"'),
    ("[targets]\notd_pct = '98'\n", "targets.otd_pct", "a number from 0 to 100"),
    ("[targets]\notd_pct = -1\n", "targets.otd_pct", "a number from 0 to 100"),
    ("[targets]\nresponse_on_time_pct = 100.5\n", "targets.response_on_time_pct", "a number from 0 to 100"),
    ("[targets]\nppm = -5\n", "targets.ppm", "a number above 0"),
    ("[targets]\nppm = true\n", "targets.ppm", "a number above 0"),
    ("[targets]\notd = 98\n", "targets.otd", "the known keys here: otd_pct"),
    ("[delivery]\ngrace_days = -1\n", "delivery.grace_days", "a whole number of at least 0"),
    ("[delivery]\ngrace_days = 1.5\n", "delivery.grace_days", "a whole number of at least 0"),
    ("[delivery]\nfull_quantity = 1\n", "delivery.full_quantity", "true or false"),
    ("[complaints]\nresponse_hours = { urgent = 0 }\n", "complaints.response_hours.urgent", "a number above 0"),
    ("[complaints]\nresponse_hours = { critical = 4 }\n", "complaints.response_hours.critical",
     "the known keys here: urgent, normal"),
    ("[complaints]\nresponse_hours = 48\n", "complaints.response_hours", "a table"),
    ("[complaints]\nd8_days = { normal = 0 }\n", "complaints.d8_days.normal", "a whole number of at least 1"),
    ("[complaints]\nclock = 'hours'\n", "complaints.clock", "one of: calendar, working"),
    ("[complaints]\nrecurrence_months = 0\n", "complaints.recurrence_months", "a whole number of at least 1"),
    ("[feedback]\nfile_days = { E = 1 }\n", "feedback.file_days.E", "the known keys here: A, B, C, D"),
    ("[visits]\nreport_days = -3\n", "visits.report_days", "a whole number of at least 0"),
    ("[service]\nresponse_days = 'two'\n", "service.response_days", "a whole number of at least 0"),
    ("[calendar]\nextra_holidays = ['2026-13-01']\n", "calendar.extra_holidays", "a list of dates"),
    ("[calendar]\nextra_holidays = [2026-08-03]\nextra_workdays = [2026-08-03]\n", "calendar.extra_workdays",
     "no day in both lists"),
    ("[survey]\nscale_max = 0\n", "survey.scale_max", "a number above 0"),
    ("[survey]\nitems = { quality = 0, delivery = 0, price = 0, service = 0, technical = 0, "
     "communication = 0, packaging = 0 }\n", "survey.items", "at least one above 0"),
    ("[survey]\nitems = { quality = -1 }\n", "survey.items.quality", "a number of at least 0"),
    ("[survey]\nitems = { looks = 1 }\n", "survey.items.looks", "the known keys here: quality"),
    ("[survey]\ngrading = '90-80-70-60'\n", "survey.grading", '"95-85-70-50", "98-90-75-60", or a list of bands'),
    ("[survey]\ngrading = [{ min = 80, label = 'a' }, { min = 90, label = 'b' }, { label = 'c' }]\n",
     "survey.grading", "band mins strictly descending"),
    ("[survey]\ngrading = [{ min = 80, label = 'a' }, { min = 40, label = 'b' }]\n",
     "survey.grading[1].min", "a last band with min ≤ 0 or no min"),
    ("[survey]\ngrading = [{ min = 80, label = 'a' }, { label = 'b' }, { min = 0, label = 'c' }]\n",
     "survey.grading[1].min", "only the last band may leave out min"),
    ("[survey]\ngrading = [{ min = 80, label = 'a', colour = 'red' }, { label = 'b' }]\n",
     "survey.grading[0].colour", "min, inclusive, label, label_zh"),
    ("[survey]\ncompany_weighting = 'revenue'\n", "survey.company_weighting", "one of: equal, order_value"),
    ("[survey.sampling]\ntiers = [{ min_value = 0, share = 1.5 }]\n", "survey.sampling.tiers[0].share",
     "a number from 0 to 1"),
    ("[survey.sampling]\ntiers = [{ min_value = -1, share = 1 }]\n", "survey.sampling.tiers[0].min_value",
     "a number of at least 0"),
    ("[survey.sampling]\ntiers = [{ min_value = 100, share = -0.5 }]\n", "survey.sampling.tiers[0].share",
     "a number from 0 to 1"),
    ("[survey.sampling]\ntiers = [{ min_value = 100 }]\n", "survey.sampling.tiers[0].share",
     "a list of at least one tier"),
    ("[survey.sampling]\ntiers = []\n", "survey.sampling.tiers", "a list of at least one tier"),
    ("[survey.sampling]\nalways_include = ['vip']\n", "survey.sampling.always_include",
     "a list of: automotive, non-automotive, key"),
    ("[survey.sampling]\nseed = -1\n", "survey.sampling.seed", "a whole number of at least 0"),
    ("[scorecard]\nsurvey_weight = 1.5\n", "scorecard.survey_weight", "a number from 0 to 1"),
    ("[scorecard]\nsegments = ['trucks']\n", "scorecard.segments", "a list of: automotive, non-automotive"),
    ("[scorecard]\nderive_late_8d = 'yes'\n", "scorecard.derive_late_8d", "true or false"),
    ("[headers]\ninvoices = { amount = ['金额'] }\n", "headers.invoices", "one of: customers, deliveries"),
    ("[headers]\ncomplaints = { received_on = ['登记日期'] }\n", "headers.complaints.received_on",
     "the known keys here: complaint_no, received_date"),
    ("[headers]\ncomplaints = { received_date = '登记日期' }\n", "headers.complaints.received_date",
     "a list of header spellings"),
]


@pytest.mark.parametrize("text, key, allowed", BAD, ids=[b[1] for b in BAD])
def test_bad_value_names_file_key_and_what_is_allowed(tmp_path, text, key, allowed):
    # messages in English: the report language is set in the same file
    text = (text.replace("[report]\n", "[report]\nlanguage = 'en'\n", 1) if text.startswith("[report]")
            else "[report]\nlanguage = 'en'\n" + text)
    folder = _inputs(tmp_path, text)
    with pytest.raises(SettingsError) as err:
        load_settings(ROOT, folder)
    message = str(err.value)
    file = str(folder / "settings.toml")
    line = next((ln for ln in message.splitlines() if f": {key} — " in ln), None)
    assert line is not None, message
    assert line.strip().startswith(file + ":"), line
    assert allowed in line, line


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    folder = _inputs(tmp_path, "[targets]\notd_pct = 120\nppm = -1\n[delivery]\ngrace_days = -2\n")
    with pytest.raises(SettingsError) as err:
        load_settings(ROOT, folder)
    keys = [key for _, key, _ in err.value.problems]
    assert keys == ["targets.otd_pct", "targets.ppm", "delivery.grace_days"]
    assert "3" in str(err.value).splitlines()[0]


def test_messages_follow_the_report_language(tmp_path):
    # default language zh: the message is Chinese, and still names the file and the key
    folder = _inputs(tmp_path, "[delivery]\ngrace_days = -1\n")
    with pytest.raises(SettingsError) as err:
        load_settings(ROOT, folder)
    message = str(err.value)
    assert "设置有 1 处问题" in message
    assert "delivery.grace_days" in message and "不小于 0 的整数" in message
    assert str(folder / "settings.toml") in message


def test_unknown_language_is_reported_in_the_last_valid_language(tmp_path):
    # "fr" is not a language the pack speaks: the message uses the root file's language (zh)
    folder = _inputs(tmp_path, "[report]\nlanguage = 'fr'\n")
    with pytest.raises(SettingsError) as err:
        load_settings(ROOT, folder)
    assert "report.language" in str(err.value) and "以下之一：zh, en" in str(err.value)


def test_password_value_is_never_echoed(tmp_path):
    folder = _inputs(tmp_path, "[input.passwords]\n'a.xlsx' = 'hunter2'\n")
    with pytest.raises(SettingsError) as err:
        load_settings(ROOT, folder)
    assert "hunter2" not in str(err.value)


def test_the_file_that_set_the_key_is_named(tmp_path):
    # the root file is fine; a bad key in the inputs file blames the inputs file, a bad key in a
    # root file blames the root file
    root = tmp_path / "root.toml"
    root.write_text("[delivery]\ngrace_days = -1\n", encoding="utf-8")
    folder = _inputs(tmp_path, "[targets]\nppm = 0\n")
    with pytest.raises(SettingsError) as err:
        load_settings(root, folder)
    files = {key: file for file, key, _ in err.value.problems}
    assert files == {"delivery.grace_days": str(root), "targets.ppm": str(folder / "settings.toml")}


def test_not_toml_and_missing_root(tmp_path):
    folder = _inputs(tmp_path, "[targets\nppm = 1\n")
    with pytest.raises(SettingsError) as err:
        load_settings(ROOT, folder)
    assert str(folder / "settings.toml") in str(err.value)
    with pytest.raises(SettingsError) as err:
        load_settings(tmp_path / "nowhere.toml", None)
    assert str(tmp_path / "nowhere.toml") in str(err.value)


def test_settings_from_mapping_validates_too():
    s = settings_from_mapping({"delivery": {"grace_days": 2}})
    assert s.delivery.grace_days == 2 and s.targets.ppm == 50.0
    with pytest.raises(SettingsError):
        settings_from_mapping({"delivery": {"grace_days": -2}})
