"""The cache of staged registers can never change a result, and invalidates exactly what changed."""
import json
import shutil

import pytest

import pipeline.run as run_module
from pipeline.run import ROOT, run

SAMPLE = ROOT / "examples" / "sample_company"


@pytest.fixture
def no_pack(monkeypatch):
    # The pack does not feed kpis_long.csv; leaving it out keeps these runs quick.
    monkeypatch.setattr(run_module, "_write_pack", lambda *a, **k: None)


def _manifest(out):
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def test_cold_and_warm_runs_give_the_same_bytes(tmp_path, no_pack):
    inputs = tmp_path / "in"
    shutil.copytree(SAMPLE, inputs)
    outs = tmp_path / "outputs"
    assert run(inputs, "2026-10", outs / "cold", quiet=True) == 0
    assert _manifest(outs / "cold")["cache_hits"] == 0
    assert run(inputs, "2026-10", outs / "warm", quiet=True) == 0
    warm = _manifest(outs / "warm")
    readable = sum(f["status"] != "skipped" for f in warm["files"])
    assert warm["cache_hits"] == readable
    assert (outs / "warm" / "kpis_long.csv").read_bytes() == (outs / "cold" / "kpis_long.csv").read_bytes()
    cold_m = _manifest(outs / "cold")
    assert warm["sheets"] == cold_m["sheets"] and warm["registers"] == cold_m["registers"]

    # a changed file invalidates exactly its entry
    changed = inputs / "顾客稽核记录.xlsx"
    changed.write_bytes(changed.read_bytes())          # same bytes, new modification time
    assert run(inputs, "2026-10", outs / "touched", quiet=True) == 0
    assert _manifest(outs / "touched")["cache_hits"] == readable - 1

    # a setting that changes staging invalidates every entry; one that does not, none
    (inputs / "settings.toml").write_text('[report]\ncompany = "X"\n[input]\ndayfirst = true\n', encoding="utf-8")
    assert run(inputs, "2026-10", outs / "dayfirst", quiet=True) == 0
    assert _manifest(outs / "dayfirst")["cache_hits"] == 0
    (inputs / "settings.toml").write_text('[report]\ncompany = "X"\n[input]\ndayfirst = true\n'
                                          '[targets]\notd_pct = 90.0\n', encoding="utf-8")
    assert run(inputs, "2026-10", outs / "target", quiet=True) == 0
    assert _manifest(outs / "target")["cache_hits"] == readable


def test_no_cache_ignores_the_cache(tmp_path, no_pack):
    outs = tmp_path / "outputs"
    assert run(SAMPLE, "2026-10", outs / "a", quiet=True) == 0
    assert run(SAMPLE, "2026-10", outs / "b", quiet=True, no_cache=True) == 0
    assert _manifest(outs / "b")["cache_hits"] == 0
    assert (outs / "a" / "kpis_long.csv").read_bytes() == (outs / "b" / "kpis_long.csv").read_bytes()


def test_a_damaged_cache_entry_is_a_miss(tmp_path, no_pack):
    outs = tmp_path / "outputs"
    assert run(SAMPLE, "2026-10", outs / "a", quiet=True) == 0
    metas = list((outs / ".cq-work" / "cache").glob("*/meta.json"))
    assert metas
    for meta in metas:
        meta.write_text("{not json", encoding="utf-8")
    assert run(SAMPLE, "2026-10", outs / "b", quiet=True) == 0
    assert _manifest(outs / "b")["cache_hits"] == 0
    assert (outs / "a" / "kpis_long.csv").read_bytes() == (outs / "b" / "kpis_long.csv").read_bytes()
