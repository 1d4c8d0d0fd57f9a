"""Reading in worker processes: same results as in-process, in file order; a file that hangs or
kills its worker costs that file only."""
import time
from functools import partial

from pipeline.discover import discover
from pipeline.ingest import FileOutcome, StageOptions, process_file
from pipeline.read import pool
from pipeline.run import ROOT

SAMPLE = ROOT / "examples" / "sample_company"


OPTIONS = StageOptions(dayfirst=False, scale_max=100.0, headers={}, passwords={})
TASK = partial(process_file, options=OPTIONS)


def _summary(outcomes):
    return [(o.file, o.status, o.reason, [(s.sheet, s.register, s.header_row,
                                           None if s.staged is None else (s.staged.rows_read, s.staged.accepted))
                                          for s in o.sheets]) for o in outcomes]


def test_pool_works_like_in_process():
    entries = [e for e in discover(SAMPLE) if e.readable]
    in_process = pool.map_files(entries, TASK, FileOutcome.failed, workers=0)
    pooled = pool.map_files(entries, TASK, FileOutcome.failed, workers=2)
    assert _summary(pooled) == _summary(in_process)
    for a, b in zip(in_process, pooled):
        for sa, sb in zip(a.sheets, b.sheets):
            if sa.staged is not None:
                assert sa.staged.frame.equals(sb.staged.frame)


def _hang(entry):  # runs in the worker (spawned: must be importable)
    if entry.rel.endswith("hang.csv"):
        time.sleep(60)
    if entry.rel.endswith("crash.csv"):
        import os
        os._exit(9)
    return TASK(entry)


def test_a_hanging_or_crashing_file_costs_only_that_file(tmp_path, monkeypatch):
    (tmp_path / "a_ok.csv").write_text("客诉编号,客诉日期,客户名称\nK1,2026-10-01,甲\n", encoding="utf-8")
    (tmp_path / "b_hang.csv").write_text("x\n", encoding="utf-8")
    (tmp_path / "c_crash.csv").write_text("x\n", encoding="utf-8")
    (tmp_path / "d_ok.csv").write_text("客诉编号,客诉日期,客户名称\nK2,2026-10-02,乙\n", encoding="utf-8")
    entries = [e for e in discover(tmp_path) if e.readable]
    monkeypatch.setenv("CQ_TEST_READ_HOOK", "tests.unit.test_pool:_hang")
    started = time.monotonic()
    reads = pool.map_files(entries, TASK, FileOutcome.failed, workers=2, budget_s=3)
    assert time.monotonic() - started < 30
    by_file = {r.file: r for r in reads}
    assert [r.file for r in reads] == [e.rel for e in entries]
    assert by_file["a_ok.csv"].status == "read" and by_file["d_ok.csv"].status == "read"
    assert (by_file["b_hang.csv"].status, by_file["b_hang.csv"].reason) == ("failed", "read.too_slow")
    assert (by_file["c_crash.csv"].status, by_file["c_crash.csv"].reason) == ("failed", "read.worker_died")
