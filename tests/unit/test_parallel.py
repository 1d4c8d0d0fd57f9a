"""pipeline.parallel: independent writers side by side, results and failures as if run in turn."""
from __future__ import annotations

import os
import signal

import pytest

from pipeline import parallel
from pipeline.parallel import Job, JobDied, run_jobs, start_jobs

needs_fork = pytest.mark.skipif(not parallel.parallel_available(), reason="jobs run in turn on this platform")


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return os.getpid()


def _fail(path):
    raise OSError(28, "No space left on device", str(path))


def _die():
    os.kill(os.getpid(), signal.SIGKILL)


class _Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("cannot pickle")


def _unpicklable():
    raise _Unpicklable("odd")


@needs_fork
def test_jobs_run_in_child_processes_and_results_keep_their_order(tmp_path):
    jobs = [Job(f"w{i}", _write, (tmp_path / f"{i}.txt", f"job {i}")) for i in range(3)]
    pids = run_jobs(jobs)
    assert len(pids) == 3 and os.getpid() not in pids
    assert [(tmp_path / f"{i}.txt").read_text(encoding="utf-8") for i in range(3)] == ["job 0", "job 1", "job 2"]


def test_in_turn_when_switched_off(tmp_path, monkeypatch):
    monkeypatch.setenv("CQ_REPORT_WORKERS", "0")
    assert not parallel.parallel_available()
    assert run_jobs([Job("a", _write, (tmp_path / "a.txt", "a")), Job("b", _write, (tmp_path / "b.txt", "b"))]) \
        == [os.getpid(), os.getpid()]


@pytest.mark.parametrize("forked", [True, False])
def test_a_failure_is_raised_as_itself_naming_the_writer(tmp_path, forked):
    if forked and not parallel.parallel_available():
        pytest.skip("no fork here")
    jobs = [Job("workbook", _write, (tmp_path / "ok.txt", "ok")), Job("PDF", _fail, (tmp_path / "x.pdf",))]
    with pytest.raises(OSError) as info:
        run_jobs(jobs, parallel=forked)
    assert info.value.errno == 28
    if forked:
        assert any("PDF writer" in note for note in info.value.__notes__)
    assert (tmp_path / "ok.txt").read_text(encoding="utf-8") == "ok"     # the other job finished


@needs_fork
def test_an_exception_that_cannot_cross_processes_still_arrives():
    with pytest.raises(RuntimeError, match="_Unpicklable: odd"):
        run_jobs([Job("charts", _unpicklable), Job("b", int)])


@needs_fork
def test_a_child_killed_without_a_word_is_an_error_naming_it():
    with pytest.raises(JobDied, match="the charts writer stopped unexpectedly"):
        run_jobs([Job("workbook", int), Job("charts", _die)])


@needs_fork
def test_stop_kills_jobs_still_running():
    import time
    started = start_jobs([Job("slow", time.sleep, (60,)), Job("b", int)])
    began = time.monotonic()
    started.stop()
    assert time.monotonic() - began < 10
    assert started.results() == [None, None]


class _NeedsTwoArguments(Exception):
    def __init__(self, what, why):          # pickles, but cannot be rebuilt from its args
        super().__init__(f"{what}: {why}")


def _two_arguments():
    raise _NeedsTwoArguments("PDF", "odd")


@needs_fork
def test_an_exception_that_pickles_but_cannot_be_rebuilt_still_arrives():
    with pytest.raises(RuntimeError, match="_NeedsTwoArguments: PDF: odd"):
        run_jobs([Job("PDF", _two_arguments), Job("b", int)])
