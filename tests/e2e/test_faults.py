"""Issue 6, faults: a run that is killed, or cannot write, leaves the previous pack as it was.

outputs.md: "A run writes into a temporary folder and moves it into place only when everything
succeeded: a failed run leaves the previous outputs of that period as they were." Exit codes:
"1 nothing usable or a fatal error (message says what and where)"; the analyst never sees a
traceback without --debug (cli.py).

The "previous pack" in the output folder is a set of files with known bytes: whatever is there,
a failed run must not touch a byte of it. Killed runs are real subprocesses (`python -m pipeline
run`), killed with SIGKILL once the stage line of a stage has appeared on stderr; to make the kill
land exactly there, the child holds still after printing that line (`HOLD_AFTER_STAGE`). Write
failures are simulated in-process (tests run as root, so a read-only folder does not stop them).
"""
from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pipeline import cli
from pipeline.i18n import t
from pipeline.run import ROOT, OutputFolder, RunError, _commit
from tests.e2e.test_hostile_folder import write_book

PERIOD = "2026-10"
ENOSPC_TEXT = os.strerror(errno.ENOSPC)          # "No space left on device"

# the child: the real command line, holding still for a minute right after one stage's line
HOLD_MARK = "@@held-after-stage:"
HOLD_AFTER_STAGE = """
import importlib, sys, time
MARK = %r
hold, argv = sys.argv[1], sys.argv[2:]
Progress = next(getattr(importlib.import_module(m), "Progress") for m in ("pipeline.run", "pipeline.ingest")
                if hasattr(importlib.import_module(m), "Progress"))
_stage = Progress.stage
def stage(self, key, *args, **kwargs):
    _stage(self, key, *args, **kwargs)
    if key == hold:
        print(MARK + key, file=sys.stderr, flush=True)
        time.sleep(120)
Progress.stage = stage
from pipeline.cli import main
sys.exit(main(argv))
""" % HOLD_MARK

# the stages a run is killed after (their keys in run.py's progress)
STAGES = ("read", "stage", "kpis", "reports")


def make_inputs(folder: Path) -> Path:
    """One small delivery register: the cheapest inputs that give a whole pack."""
    folder.mkdir(parents=True)
    write_book(folder / "订单交货进度表.xlsx", [("2026年10月", [
        ["订单号", "客户代码", "交期", "实际交货日期", "订单数量", "实交数量"],
        *[[f"SO{i:03d}", f"C00{i % 3 + 1}", "2026-10-05", "2026-10-06", 100, 100] for i in range(6)]])])
    (folder / "settings.toml").write_text('[report]\nlanguage = "en"\n', encoding="utf-8")
    return folder


PREVIOUS = {          # a previous pack of the period: the bytes that must survive
    "kpis_long.csv": "\ufeffperiod,kpi,scope,key,value,numerator,denominator,target,status,label\n"
                     "2026-10,complaints,company,,7,,,,,\n".encode("utf-8"),
    "manifest.json": json.dumps({"period": PERIOD, "exit_code": 0}).encode(),
    f"kpi_pack_{PERIOD}.xlsx": b"PK\x03\x04 the previous workbook",
    f"review_pack_{PERIOD}.pdf": b"%PDF-1.7 the previous pack",
    "charts/otd_trend.png": b"\x89PNG the previous chart",
}


def make_previous_pack(out: Path) -> dict[str, bytes]:
    for rel, data in PREVIOUS.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    return snapshot(out)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (relative path → bytes); {} when the folder is gone."""
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def beside(out: Path) -> list[str]:
    """What else is in the output folder's parent: temporary or old folders of a run."""
    return sorted(p.name for p in out.parent.iterdir() if p.name not in (out.name, ".cq-work"))


def command(inputs: Path, out: Path) -> list[str]:
    return ["run", "--inputs", str(inputs), "--period", PERIOD, "--out", str(out)]


def _pump(stream, lines: queue.Queue) -> None:
    """Every line of `stream` into `lines`, then None. (A thread, not select(): a buffered
    readline may take several lines at once, and select() would not see the ones it kept.)"""
    for line in iter(stream.readline, b""):
        lines.put(line)
    lines.put(None)


def kill_after_stage(inputs: Path, out: Path, stage: str, timeout: float = 120.0) -> tuple[int, str, bool]:
    """Start the run, SIGKILL it once stage `stage`'s progress line is on stderr (the child
    holds still right after printing it and says so with HOLD_MARK); (returncode, stderr, whether
    the kill came there)."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD_AFTER_STAGE, stage, *command(inputs, out)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: queue.Queue = queue.Queue()
    reader = threading.Thread(target=_pump, args=(proc.stderr, lines), daemon=True)
    reader.start()
    seen, held = [], False
    deadline = time.monotonic() + timeout
    try:
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:                      # the child ended on its own
                break
            seen.append(line)
            if line.decode("utf-8", "replace").strip() == HOLD_MARK + stage:
                proc.send_signal(signal.SIGKILL)
                held = True
                break
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        reader.join(timeout=10)
    while not lines.empty():
        line = lines.get()
        if line is not None:
            seen.append(line)
    return proc.returncode, b"".join(seen).decode("utf-8", "replace"), held


def stage_line_seen(stderr: str, stage: str) -> bool:
    """The run's own progress line for `stage` ("[n/N] <label>: 1.23 s") is on stderr."""
    from pipeline.run import STAGE_LABELS

    label = re.escape(STAGE_LABELS[stage][1])          # the inputs' settings say language = "en"
    return re.search(rf"^\[\d+/\d+\] {label}: ", stderr, re.M) is not None


def kill_while_writing(inputs: Path, out: Path, timeout: float = 120.0) -> tuple[int, list[str]]:
    """Start the plain run, SIGKILL it as soon as its temporary folder holds a file (the reports
    are being written); (returncode, the temporary folder's files at the kill)."""
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", *command(inputs, out)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    written: list[str] = []
    try:
        while time.monotonic() < deadline and proc.poll() is None and not written:
            for tmp in (out.parent / ".cq-work" / "staging").glob(f"{out.name}~*"):
                written = sorted(p.name for p in tmp.rglob("*") if p.is_file())
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    return proc.returncode, written


# --- killed runs ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def killed(tmp_path_factory):
    """One run killed after each stage's line, and one killed while writing the reports, each
    over its own previous pack; then a normal run over the pack of the one killed while writing."""
    base = tmp_path_factory.mktemp("killed")
    inputs = make_inputs(base / "inputs")
    results = {}
    for stage in (*STAGES, "writing"):
        out = base / stage / PERIOD
        before = make_previous_pack(out)
        if stage == "writing":
            code, written = kill_while_writing(inputs, out)
            stderr, held = "", True
        else:
            code, stderr, held = kill_after_stage(inputs, out, stage)
            written = []
        results[stage] = {"out": out, "code": code, "stderr": stderr, "held": held, "written": written,
                          "before": before, "after": snapshot(out), "beside": beside(out)}
    out = results["writing"]["out"]
    rerun = subprocess.run([sys.executable, "-m", "pipeline", *command(inputs, out)], cwd=ROOT,
                           capture_output=True, timeout=180)
    results["rerun"] = {"out": out, "proc": rerun, "after": snapshot(out), "beside": beside(out)}
    return results


@pytest.mark.parametrize("stage", STAGES)
def test_the_kill_came_right_after_the_stage_line(killed, stage):
    result = killed[stage]
    assert result["held"], result["stderr"][-2000:]
    assert stage_line_seen(result["stderr"], stage), result["stderr"][-2000:]


@pytest.mark.parametrize("stage", [*STAGES, "writing"])
def test_a_killed_run_leaves_the_previous_pack_byte_identical(killed, stage):
    result = killed[stage]
    assert result["code"] == -signal.SIGKILL, result["stderr"][-2000:]
    assert result["after"] == result["before"]


def test_the_kill_while_writing_came_mid_write(killed):
    # the kill is only a test of atomicity if it came after some report files were written
    assert killed["writing"]["written"], "the run finished before it could be killed"


@pytest.mark.parametrize("stage", ["read", "stage", "kpis"])
def test_a_run_killed_before_writing_leaves_nothing_beside_the_pack(killed, stage):
    # the temporary folder is only made once the KPIs are computed
    assert killed[stage]["beside"] == []


@pytest.mark.parametrize("stage", ["reports", "writing"])
def test_a_run_killed_while_writing_leaves_nothing_beside_the_pack(killed, stage):
    """The pack is built inside the hidden working folder (`.cq-work/staging`), never beside the
    outputs: a SIGKILL (or a power cut) leaves only the previous pack in view."""
    assert killed[stage]["beside"] == []


def test_a_run_after_a_killed_one_writes_the_new_pack(killed):
    rerun = killed["rerun"]
    assert rerun["proc"].returncode == 0, rerun["proc"].stderr.decode("utf-8", "replace")[-2000:]
    files = set(rerun["after"])
    assert {"kpis_long.csv", "manifest.json", f"kpi_pack_{PERIOD}.xlsx", f"review_pack_{PERIOD}.pdf",
            f"data_quality_{PERIOD}.xlsx"} <= files
    assert rerun["after"]["kpis_long.csv"] != PREVIOUS["kpis_long.csv"]
    assert json.loads(rerun["after"]["manifest.json"])["exit_code"] == 0


def staging_leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in (out.parent / ".cq-work" / "staging").glob(f"{out.name}~*"))


def test_a_next_run_cleans_a_killed_runs_leftovers(killed):
    """What the killed run was building stays in the hidden working folder until the next run
    for the same output folder removes it."""
    assert killed["writing"]["written"], "precondition: the killed run had started writing"
    assert staging_leftovers(killed["rerun"]["out"]) == []
    assert killed["rerun"]["beside"] == []


# --- moving the new pack into place -----------------------------------------------------------

def test_a_failed_move_into_place_keeps_the_previous_pack(tmp_path, monkeypatch):
    """`OutputFolder.commit` renames the previous pack away and then the new one into place; when
    the second rename fails, the previous pack is put back."""
    out = tmp_path / "outputs" / PERIOD
    before = make_previous_pack(out)
    real_replace, calls = os.replace, []

    def replace(src, dst):
        calls.append((Path(src).name, Path(dst).name))
        if len(calls) == 2:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(dst))
        return real_replace(src, dst)

    with pytest.raises(RunError):
        with OutputFolder(out) as tmp:
            (tmp / "kpis_long.csv").write_bytes(b"new")
            monkeypatch.setattr(os, "replace", replace)
            _commit(OutputFolder, tmp, out)
    monkeypatch.undo()
    assert len(calls) == 3          # away, (failed) into place, and back
    assert snapshot(out) == before


# --- outputs that cannot be written -----------------------------------------------------------

@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    return make_inputs(tmp_path_factory.mktemp("faults") / "inputs")


def run_in_process(inputs: Path, out: Path) -> tuple[int, str]:
    """`python -m pipeline run` in this process (the writers can be patched); (code, stderr)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = cli.main(command(inputs, out))
    return code, err.getvalue()


def last_line(stderr: str) -> str:
    return stderr.strip().splitlines()[-1]


def assert_plain_failure(code: int, stderr: str) -> None:
    assert code == 1, stderr
    assert "Traceback" not in stderr and 'File "' not in stderr, stderr


def test_an_output_folder_below_a_file_is_a_plain_fatal_error(inputs):
    out = Path("/dev/null") / "outputs" / PERIOD                   # ENOTDIR
    code, stderr = run_in_process(inputs, out)
    assert_plain_failure(code, stderr)
    assert last_line(stderr) == t("run.cannot_write", "en", path=out.parent, why=os.strerror(errno.ENOTDIR))


def test_an_over_long_output_name_is_a_plain_error(inputs, tmp_path):
    """An output path whose name is too long (here 360 bytes) is a plain "cannot write" message."""
    out = tmp_path / ("输出" * 60) / PERIOD
    code, stderr = run_in_process(inputs, out)
    assert_plain_failure(code, stderr)
    assert last_line(stderr) == t("run.cannot_write", "en", path=out.parent, why=os.strerror(errno.ENAMETOOLONG))


def test_a_folder_we_may_not_write_in_is_a_plain_fatal_error(inputs, tmp_path, monkeypatch):
    """Root ignores a read-only folder, so the refusal is mocked where the run makes its
    temporary folder."""
    import tempfile

    out = tmp_path / "outputs" / PERIOD
    before = make_previous_pack(out)

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(out.parent))

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    code, stderr = run_in_process(inputs, out)
    assert_plain_failure(code, stderr)
    assert last_line(stderr) == t("run.cannot_write", "en", path=out.parent, why=os.strerror(errno.EACCES))
    assert snapshot(out) == before and beside(out) == []


def disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, ENOSPC_TEXT)


def xlsxwriter_disk_full(self, *args, **kwargs):
    # what xlsxwriter raises when the disk fills up as it zips a workbook
    from xlsxwriter.exceptions import FileCreateError

    raise FileCreateError(OSError(errno.ENOSPC, ENOSPC_TEXT))


# the writer that finds the disk full: (module, attribute, replacement)
DISK_FULL_AT = {
    "data_quality workbook": ("xlsxwriter.workbook", "Workbook.close", xlsxwriter_disk_full),
    "kpis_long.csv": ("pipeline.kpis.long", "write_kpis_long", disk_full),
    "charts": ("pipeline.report.charts", "write_pngs", disk_full),
}


@pytest.fixture(scope="module", params=sorted(DISK_FULL_AT))
def disk_full_run(request, inputs, tmp_path_factory):
    import importlib

    out = tmp_path_factory.mktemp("disk_full") / "outputs" / PERIOD
    before = make_previous_pack(out)
    module_name, attr, fake = DISK_FULL_AT[request.param]
    target = importlib.import_module(module_name)
    if "." in attr:
        owner, attr = attr.split(".")
        target = getattr(target, owner)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(target, attr, fake)
        code, stderr = run_in_process(inputs, out)
    return {"out": out, "code": code, "stderr": stderr, "before": before, "after": snapshot(out),
            "beside": beside(out)}


def test_disk_full_keeps_the_previous_outputs(disk_full_run):
    r = disk_full_run
    assert_plain_failure(r["code"], r["stderr"])
    assert ENOSPC_TEXT in last_line(r["stderr"])
    assert r["after"] == r["before"]
    assert r["beside"] == []                       # the temporary folder was removed


def test_disk_full_message_is_plain(disk_full_run):
    """outputs.md: a fatal error's "message says what and where": a write that fails half-way
    (disk full) names the output folder in plain words, with no Python class name."""
    last = last_line(disk_full_run["stderr"])
    assert str(disk_full_run["out"]) in last
    assert not re.search(r"\b(OSError|FileCreateError|Errno)\b", last), last
