"""The monthly run as the analyst meets it: outputs, exit codes, determinism (outputs.md)."""
import json
import shutil
import subprocess
import sys

import pytest

from pipeline.run import ROOT

SAMPLE = ROOT / "examples" / "sample_company"


def run_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "out"
    proc = run_cli("run", "--inputs", str(SAMPLE), "--period", "2026-10", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out, proc


def test_run_writes_every_output(demo):
    out, proc = demo
    names = {p.name for p in out.iterdir()}
    assert {"kpis_long.csv", "manifest.json", "data_quality_2026-10.xlsx", "sampling_plan_2026-10.xlsx",
            "kpi_pack_2026-10.xlsx", "review_pack_2026-10.pdf", "charts"} <= names
    assert list((out / "charts").glob("*.png"))
    last = proc.stderr.strip().splitlines()[-1]
    assert str(out) in last and "13" in last          # where the outputs are, how many rows rejected
    assert "Traceback" not in proc.stderr


def test_manifest_is_complete(demo):
    out, _ = demo
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["period"] == "2026-10" and m["as_of"] == "2026-10-31"
    assert all(len(f["sha256"]) == 64 for f in m["files"])
    assert m["settings"]["report"]["company"] == "示例电子有限公司"
    assert {"discover", "read", "stage", "resolve", "kpis", "reports"} <= set(m["timings"])
    # every writer of the outputs timed on its own (in its child process when they ran side by side)
    writers = m["timings"]["reports"]["writers"]
    assert set(writers) == {"data quality", "kpis_long", "sampling plan", "workbook", "charts", "PDF"}
    assert all(w["wall_s"] >= 0 and w["cpu_s"] >= 0 for w in writers.values())
    assert m["packages"]["pandas"]
    for s in m["sheets"]:
        assert s["rows_read"] == s["accepted"] + s["rejected"] + s["skipped"]


def test_second_run_gives_byte_identical_kpis(demo, tmp_path):
    out, _ = demo
    again = tmp_path / "again"
    proc = run_cli("run", "--inputs", str(SAMPLE), "--period", "2026-10", "--out", str(again), "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert (again / "kpis_long.csv").read_bytes() == (out / "kpis_long.csv").read_bytes()


def test_kpis_long_shape(demo):
    out, _ = demo
    data = (out / "kpis_long.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    header = data[3:].split(b"\n", 1)[0].decode()
    assert header == "period,kpi,scope,key,value,numerator,denominator,target,status,label"


def test_strict_exits_3_when_rows_are_rejected(tmp_path):
    proc = run_cli("validate", "--inputs", str(SAMPLE), "--out", str(tmp_path / "v"))
    assert proc.returncode == 0
    proc = run_cli("run", "--inputs", str(SAMPLE), "--period", "2026-10", "--out", str(tmp_path / "s"),
                   "--strict", "--quiet")
    assert proc.returncode == 3
    assert (tmp_path / "s" / "kpis_long.csv").is_file()   # the outputs are still written


def test_bad_period_is_exit_2(tmp_path):
    proc = run_cli("run", "--inputs", str(SAMPLE), "--period", "2026-13", "--out", str(tmp_path / "x"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert not (tmp_path / "x").exists()


def test_bad_settings_stop_before_reading_with_exit_2(tmp_path):
    inputs = tmp_path / "in"
    shutil.copytree(SAMPLE, inputs)
    (inputs / "settings.toml").write_text('[targets]\notd_pct = -5\n[report]\ncompany = "X"\n', encoding="utf-8")
    proc = run_cli("run", "--inputs", str(inputs), "--period", "2026-10", "--out", str(tmp_path / "x"))
    assert proc.returncode == 2
    assert "targets.otd_pct" in proc.stderr and "settings.toml" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_nothing_usable_is_exit_1(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "notes.txt").write_text("nothing here", encoding="utf-8")
    proc = run_cli("run", "--inputs", str(inputs), "--period", "2026-10", "--out", str(tmp_path / "x"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr


def test_missing_inputs_folder_is_exit_2(tmp_path):
    proc = run_cli("run", "--inputs", str(tmp_path / "nope"), "--period", "2026-10", "--out", str(tmp_path / "x"))
    assert proc.returncode == 2


def test_failed_run_leaves_previous_outputs(demo, tmp_path):
    out, _ = demo
    target = tmp_path / "keep"
    shutil.copytree(out, target)
    before = (target / "kpis_long.csv").read_bytes()
    inputs = tmp_path / "empty"
    inputs.mkdir()
    proc = run_cli("run", "--inputs", str(inputs), "--period", "2026-10", "--out", str(target))
    assert proc.returncode == 1
    assert (target / "kpis_long.csv").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".keep.tmp-")]
