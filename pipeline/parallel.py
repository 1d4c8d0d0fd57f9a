"""Run independent jobs side by side: the writers of the pack (workbook, PDF, PNGs, data-quality
workbook, sampling plan) each take seconds of pure-Python work and share nothing but their input,
so on a laptop's cores they finish in the time of the longest one rather than of all together.

    results = run_jobs([Job("workbook", write_workbook, (path, data)), ...])

On Linux the jobs run in forked child processes: a fork hands the child the parent's memory (the
KPI table, the registers) without copying or pickling it. Elsewhere — where fork is not safe
(macOS) or does not exist (Windows) — and when `CQ_REPORT_WORKERS=0` (profiling, debugging), they
run one after the other in this process; the results are the same either way, in the order given.

A job's exception is raised again in the parent, as itself when it can be pickled (so an `OSError`
still becomes the run's plain "cannot write" message) and with the child's traceback attached for
`--debug`. A child that dies without a word (killed, out of memory) is an error naming the job.
"""
from __future__ import annotations

import gc
import multiprocessing as mp
import os
import pickle
import signal
import sys
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Sequence


@dataclass
class Job:
    name: str
    fn: Callable[..., Any]
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    #: raised niceness in a child process: on a machine with fewer cores than jobs, the job that
    #: takes longest (the workbook) keeps a core to itself while the others share what is left
    nice: int = 0

    def __call__(self) -> Any:
        return self.fn(*self.args, **self.kwargs)


class JobDied(RuntimeError):
    """A child process ended without reporting (killed, out of memory)."""

    def __init__(self, name: str, exitcode: int | None):
        super().__init__(f"the {name} writer stopped unexpectedly (exit code {exitcode})")
        self.job = name
        self.exitcode = exitcode


def parallel_available() -> bool:
    """Fork is used on Linux only (macOS system libraries are not fork-safe; Windows has none)."""
    if os.environ.get("CQ_REPORT_WORKERS", "").strip() == "0":
        return False
    return sys.platform.startswith("linux") and "fork" in mp.get_all_start_methods()


def run_jobs(jobs: Sequence[Job], parallel: bool | None = None,
             seconds: dict[str, dict[str, float]] | None = None) -> list[Any]:
    """Run `jobs`, return their results in the same order; raise the first failure (in job order).
    `seconds`, when given, receives each job's wall and CPU seconds."""
    started = start_jobs(jobs, parallel)
    results = started.results()
    if seconds is not None:
        seconds.update(started.seconds)
    return results


def start_jobs(jobs: Sequence[Job], parallel: bool | None = None) -> "Started":
    """Start `jobs` and return at once (the parent can work meanwhile); `.results()` waits for them.
    Without parallelism the jobs run here and now, and `.results()` hands back what they gave."""
    if parallel is None:
        parallel = parallel_available()
    if not parallel:
        return Started(jobs, done=[_outcome(job) for job in jobs])
    return Started(jobs, forked=_fork(jobs))


def _outcome(job: Job) -> tuple:
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        value = job()
        return ("ok", value, round(time.perf_counter() - wall, 3), round(time.process_time() - cpu, 3))
    except BaseException as exc:  # noqa: BLE001 - handed back by `results()`, in job order
        return ("error", exc, None)


def _die_with_parent() -> None:
    """A child must not outlive a killed run and go on writing into its abandoned folder."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)          # PR_SET_PDEATHSIG
    except (OSError, AttributeError):          # pragma: no cover - not glibc/musl Linux
        pass


def _child(conn: Connection, job: Job) -> None:
    _die_with_parent()
    if job.nice > 0:
        try:
            os.nice(job.nice)
        except OSError:                        # pragma: no cover - not allowed here: no matter
            pass
    result = _outcome(job)
    if result[0] == "error":
        exc = result[1]
        detail = "".join(traceback.format_exception(exc))
        try:
            pickle.loads(pickle.dumps(exc))    # it must also be rebuilt on the other side
        except Exception:  # noqa: BLE001 - an exception that cannot cross processes
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        result = ("error", exc, detail)
    try:
        conn.send(result)
    finally:
        conn.close()


def _fork(jobs: Sequence[Job]) -> list[tuple[mp.Process, Connection]]:
    ctx = mp.get_context("fork")
    # Objects that exist now are left alone by the children's garbage collector, so their memory
    # pages stay shared with the parent instead of being copied when the collector touches them.
    gc.freeze()
    started: list[tuple[mp.Process, Connection]] = []
    try:
        for job in jobs:
            receive, send = ctx.Pipe(duplex=False)
            process = ctx.Process(target=_child, args=(send, job), name=f"cq-{job.name}", daemon=True)
            process.start()
            send.close()
            started.append((process, receive))
    except BaseException:
        _stop(started)
        raise
    finally:
        gc.unfreeze()
    return started


def _stop(started: Sequence[tuple[mp.Process, Connection]]) -> None:
    for process, conn in started:
        if process.is_alive():
            process.kill()
        process.join()
        conn.close()


class Started:
    """Jobs under way (or, without parallelism, already done)."""

    def __init__(self, jobs: Sequence[Job], *, done: list[tuple] | None = None,
                 forked: list[tuple[mp.Process, Connection]] | None = None) -> None:
        self.jobs = list(jobs)
        #: job name → {"wall_s", "cpu_s"} of each job that finished (known once `results()` returned)
        self.seconds: dict[str, dict[str, float]] = {}
        self._done = done
        self._forked = forked or []

    def results(self) -> list[Any]:
        outcomes = self._done if self._done is not None else self._collect()
        results = []
        for job, outcome in zip(self.jobs, outcomes):
            if outcome[0] == "ok":
                results.append(outcome[1])
                self.seconds[job.name] = {"wall_s": outcome[2], "cpu_s": outcome[3]}
            elif outcome[0] == "died":
                raise JobDied(job.name, outcome[1])
            else:
                exc, detail = outcome[1], outcome[2]
                if detail:
                    exc.add_note(f"in the {job.name} writer (child process):\n{detail}")
                raise exc
        return results

    def stop(self) -> None:
        """Give up on the jobs (the run failed elsewhere): children still working are killed."""
        _stop(self._forked)
        self._forked = []
        self._done = [("ok", None, 0.0, 0.0) for _ in self.jobs] if self._done is None else self._done

    def _collect(self) -> list[tuple]:
        outcomes: dict[int, tuple] = {}
        waiting = {conn: i for i, (_, conn) in enumerate(self._forked)}
        try:
            while waiting:
                for conn in wait(list(waiting)):
                    i = waiting.pop(conn)
                    try:
                        outcomes[i] = conn.recv()
                    except (EOFError, OSError):
                        process = self._forked[i][0]
                        process.join()
                        outcomes[i] = ("died", process.exitcode)
        except BaseException:            # interrupted: no child outlives the run
            _stop(self._forked)
            raise
        for process, conn in self._forked:   # every child reported: they are exiting
            process.join()
            conn.close()
        return [outcomes[i] for i in range(len(self._forked))]
