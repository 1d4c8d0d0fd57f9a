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


def test_early_messages_follow_the_report_language(tmp_path):
    # settings.md: `language` governs every message; a bad period is found before anything is read
    inputs = tmp_path / "in"
    inputs.mkdir()
    proc = run_cli("run", "--inputs", str(inputs), "--period", "2026-13", "--out", str(tmp_path / "x"))
    assert proc.returncode == 2 and "期间格式不对" in proc.stderr           # the default language, zh
    (inputs / "settings.toml").write_text('[report]\nlanguage = "en"\n', encoding="utf-8")
    proc = run_cli("run", "--inputs", str(inputs), "--period", "2026-13", "--out", str(tmp_path / "x"))
    assert proc.returncode == 2 and "bad period: 2026-13" in proc.stderr


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


def test_a_deadline_in_a_year_the_holiday_calendar_does_not_know_warns_and_runs(tmp_path):
    """A late-December complaint's working-day deadline runs into next January, a year the
    official calendar package may not know yet: the run goes on (Monday–Friday assumed there) and
    says so on the console and in the data-quality report's warnings, naming the year."""
    import openpyxl

    from pipeline.workdays import known_years

    last = known_years().stop - 1
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "settings.toml").write_text('[complaints]\nclock = "working"\n[report]\nlanguage = "en"\n',
                                          encoding="utf-8")
    (inputs / "complaints.csv").write_text(
        "complaint_no,customer_code,received_date,severity\n"
        f"K1,C01,{last}-12-30,normal\n"          # reply due within 2 working days: into {last + 1}
        f"K2,C01,{last}-12-01,normal\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = run_cli("run", "--inputs", str(inputs), "--period", f"{last}-12", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert str(last + 1) in proc.stderr and "extra_holidays" in proc.stderr
    book = openpyxl.load_workbook(out / f"data_quality_{last}-12.xlsx", read_only=True)
    texts = [str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]
    assert any(str(last + 1) in t and f"{last}-12-30" in t for t in texts)
    # K2 (received 12-01, never answered) is late whatever the next year holds; K1 is pending
    kpis = (out / "kpis_long.csv").read_text(encoding="utf-8-sig").splitlines()
    row = next(line for line in kpis if line.startswith(f"{last}-12,response_on_time_pct,company,"))
    assert row.split(",")[4:7] == ["0", "0", "1"]          # value, numerator, denominator: 0 / 1


def one_complaint_folder(tmp_path, settings: str = ""):
    """An inputs folder with one October complaint (a CSV) and, when given, a settings.toml."""
    inputs = tmp_path / "in"
    inputs.mkdir()
    if settings:
        (inputs / "settings.toml").write_text(settings, encoding="utf-8")
    (inputs / "complaints.csv").write_text("complaint_no,customer_code,received_date\nK1,C01,2026-10-05\n",
                                           encoding="utf-8")
    return inputs


def test_strict_exits_3_when_a_file_could_not_be_read(tmp_path):
    # outputs.md: exit 3 under --strict when a row was rejected or a sheet was not recognised; a
    # file that could not be read at all (here a truncated workbook) had no sheet recognised
    inputs = one_complaint_folder(tmp_path)
    whole = (SAMPLE / "客户清单.xlsx").read_bytes()
    (inputs / "broken.xlsx").write_bytes(whole[: len(whole) // 2])
    plain = run_cli("run", "--inputs", str(inputs), "--period", "2026-10", "--out", str(tmp_path / "a"))
    assert plain.returncode == 0, plain.stderr
    strict = run_cli("run", "--inputs", str(inputs), "--period", "2026-10", "--out", str(tmp_path / "b"),
                     "--strict")
    assert strict.returncode == 3 and "Traceback" not in strict.stderr


def test_as_of_before_the_period_is_exit_2(tmp_path):
    inputs = one_complaint_folder(tmp_path, '[period]\nas_of = 2026-09-15\n[report]\nlanguage = "en"\n')
    proc = run_cli("run", "--inputs", str(inputs), "--period", "2026-10", "--out", str(tmp_path / "x"))
    assert proc.returncode == 2 and "2026-09-15" in proc.stderr and "Traceback" not in proc.stderr
    # after the month is fine: the books of October read on 5 November
    (inputs / "settings.toml").write_text('[period]\nas_of = 2026-11-05\n', encoding="utf-8")
    proc = run_cli("run", "--inputs", str(inputs), "--period", "2026-10", "--out", str(tmp_path / "y"))
    assert proc.returncode == 0, proc.stderr


def test_the_sampling_plan_is_written_without_a_customer_master(tmp_path):
    # outputs.md lists sampling_plan_<PERIOD>.xlsx for every run; with no master it says why it is empty
    import openpyxl

    inputs = one_complaint_folder(tmp_path, '[report]\nlanguage = "en"\n')
    out = tmp_path / "out"
    proc = run_cli("run", "--inputs", str(inputs), "--period", "2026-10", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    sheet = openpyxl.load_workbook(out / "sampling_plan_2026-10.xlsx", read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0].startswith("No customer master") and all(c is None for r in rows[3:] for c in r)
