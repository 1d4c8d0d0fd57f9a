"""The bundled sample company read end to end, checked against what its generator knows it wrote
(examples/sample_company_expectations.json): registers, row accounts, rejects, files."""
import json

import pytest

from pipeline.run import ROOT, Progress, ingest, load_run_settings, validate

SAMPLE = ROOT / "examples" / "sample_company"
EXPECT = json.loads((ROOT / "examples" / "sample_company_expectations.json").read_text(encoding="utf-8"))

# the generator's reason tags → our reason codes
REASONS = {
    "response_before_received": "response_not_before_received",
    "negative_qty": "negative",
    "missing_required": "missing_required",
    "not_in_vocab": "not_in_vocab",
    "bad_number": "bad_number",
    "bad_date": "bad_date",
    "no_year": "no_year",
    "score_out_of_range": "above_max",
    "no_score": "returned_row_has_a_score",
    "conflict": "conflict",
    "event_date_required": "event_date_when_lost_or_damaged",
}


@pytest.fixture(scope="module")
def ingested():
    settings = load_run_settings(SAMPLE)
    return ingest(SAMPLE, settings, Progress("en", 4, quiet=True))


@pytest.fixture(scope="module")
def manifest(tmp_path_factory):
    out = tmp_path_factory.mktemp("validate") / "out"
    assert validate(SAMPLE, out, quiet=True) == 0
    assert (out / "data_quality.xlsx").is_file()
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def test_every_sheet_is_classified_and_accounted_as_expected(manifest):
    got = {(s["file"], s["sheet"]): s for s in manifest["sheets"]}
    for want in EXPECT["sheets"]:
        have = got[(want["file"], want["sheet"])]
        assert have["register"] == want["register"], want
        for k in ("rows_read", "accepted", "rejected", "skipped", "duplicates", "superseded"):
            assert have[k] == want[k], (want["file"], want["sheet"], k, have[k], want[k])


def test_reconciliation_adds_up_on_every_sheet(manifest):
    for s in manifest["sheets"]:
        assert s["rows_read"] == s["accepted"] + s["rejected"] + s["skipped"], s


def test_register_rows_used(manifest):
    assert manifest["registers"] == EXPECT["registers"]


def test_hidden_sheets_are_listed_not_read(manifest):
    got = {(s["file"], s["sheet"]): s for s in manifest["sheets"]}
    for hidden in EXPECT["hidden_sheets"]:
        s = got[(hidden["file"], hidden["sheet"])]
        assert s["register"] is None and s["rows_read"] == 0


def test_file_statuses(manifest):
    got = {f["file"]: f for f in manifest["files"]}
    for want in EXPECT["files"]:
        if want["status"] == "ignored":
            assert want["file"] not in got
        else:
            assert got[want["file"]]["status"] == want["status"], want
    assert all(f["reason"] for f in manifest["files"] if f["status"] != "read")
    assert not any("~$" in f for f in got)


def test_every_expected_reject_is_reported_with_its_reason(ingested):
    rejects = ingested.resolved.rejects
    for want in EXPECT["rejected"]:
        rows = rejects[(rejects["file"] == want["file"]) & (rejects["sheet"] == want["sheet"])
                       & (rejects["row"] == want["row"])]
        assert len(rows), want
        assert REASONS[want["reason_kind"]] in set(rows["reason"]), (want, rows.to_dict("records"))
        if want["reason_kind"] not in ("conflict",):
            assert want["column"] in set(rows["column"]), (want, rows.to_dict("records"))
    expected_rows = {(w["file"], w["sheet"], w["row"]) for w in EXPECT["rejected"]}
    got_rows = set(zip(rejects["file"], rejects["sheet"], rejects["row"]))
    assert got_rows == expected_rows


def test_unknown_customers_are_kept_and_warned(ingested):
    warned = set(ingested.resolved.unknown_customers["customer_key"])
    assert warned == {u["customer"] for u in EXPECT["unknown_customers"]}
    deliveries = ingested.resolved.registers["deliveries"]
    for u in EXPECT["unknown_customers"]:
        kept = deliveries[deliveries["customer_key"] == u["customer"]]
        assert len(kept) == len(u["rows"]) and set(kept["segment"]) == {"non-automotive"}


def test_duplicates_and_superseded_rows_are_the_copies_not_used(ingested):
    aside = ingested.resolved.set_aside
    for kind, expected in (("duplicate", EXPECT["duplicates"]), ("superseded", EXPECT["superseded"])):
        got = aside[aside["kind"] == kind]
        got_rows = set(zip(got["file"], got["sheet"], got["row"]))
        want_rows = {(w["file"], w["sheet"], w["row"]) for w in expected}
        assert got_rows == want_rows, kind
        kept = {(r.file, r.sheet, r.row): (r.kept_file, r.kept_sheet, r.kept_row) for r in got.itertuples()}
        for w in expected:
            k = w.get("kept") or w.get("by") or {}
            if k:
                assert kept[(w["file"], w["sheet"], w["row"])] == (k["file"], k["sheet"], k["row"])
