"""Work on files in worker processes: in parallel across the cores, and one bad file costs one file.

Each worker is a separate process with its own address-space limit; the parent hands it one file
at a time and waits with a time budget. A worker that runs past the budget is killed and its file
listed as failed ("took longer than …"); a worker that dies (a reader's abort, the memory limit)
costs only the file it was reading. Results come back in the order of the files, so a run is the
same whatever finished first.

Small input folders are read in this process: starting workers (each imports pandas and the Rust
readers) costs more than it saves below a few megabytes.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import resource
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Callable, Sequence, TypeVar

from pipeline.discover import FileEntry

T = TypeVar("T")

#: below this many bytes of input in all, read in-process
POOL_MIN_BYTES = 8 * 1024 * 1024
#: a file's reading budget in seconds (hostile files must not hang the run)
FILE_BUDGET_S = 300.0
#: a worker's address-space limit: generous for a million-row sheet, far below a zip bomb
WORKER_MEMORY_BYTES = 6 * 1024 ** 3
#: how long a worker may take to start (import pandas and the readers)
STARTUP_S = 120.0


def worker_count(entries: Sequence[FileEntry]) -> int:
    forced = os.environ.get("CQ_READ_WORKERS")
    if forced:
        return max(0, int(forced))
    total = sum(e.size for e in entries)
    if len(entries) < 2 or total < POOL_MIN_BYTES:
        return 0
    return max(1, min(len(entries), os.cpu_count() or 1))


def _limit_memory(limit: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    new = limit if soft == resource.RLIM_INFINITY else min(limit, soft)
    if hard != resource.RLIM_INFINITY:
        new = min(new, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (new, hard))
    except (ValueError, OSError):
        pass


def _worker(conn: Connection, task: Callable, memory: int) -> None:
    _limit_memory(memory)
    import pipeline.ingest  # noqa: F401 - import the readers before the budget starts

    hook = os.environ.get("CQ_TEST_READ_HOOK")        # tests only: a task that hangs or dies
    if hook:
        import importlib

        module, name = hook.split(":")
        task = getattr(importlib.import_module(module), name)
    conn.send("ready")                                # imports done: the budget starts now
    while True:
        try:
            entry = conn.recv()
        except EOFError:
            return
        if entry is None:
            return
        conn.send(task(entry))


@dataclass
class _Slot:
    process: mp.Process
    conn: Connection
    index: int | None = None
    started: float = 0.0


def map_files(entries: Sequence[FileEntry], task: Callable[[FileEntry], T],
              failed: Callable[[FileEntry, str, str], T],
              progress: Callable[[int, int, str], None] | None = None,
              workers: int | None = None, budget_s: float = FILE_BUDGET_S,
              memory_bytes: int = WORKER_MEMORY_BYTES) -> list[T]:
    """`task(entry)` for every entry, the results in the order of `entries`.

    `task` must be picklable (a module-level function, or a functools.partial of one);
    `failed(entry, reason_key, detail)` stands in for the result of a file whose worker died or
    ran past the budget.
    """
    total = len(entries)
    workers = worker_count(entries) if workers is None else workers
    if workers <= 0:
        results = []
        for i, entry in enumerate(entries):
            if progress:
                progress(i, total, entry.rel)
            results.append(task(entry))
        if progress:
            progress(total, total, "")
        return results

    ctx = mp.get_context("spawn")
    results: list = [None] * total
    pending = list(range(total))[::-1]          # pop() takes the first file first
    slots: list[_Slot] = []

    def start() -> _Slot:
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_worker, args=(child, task, memory_bytes), daemon=True)
        process.start()
        child.close()
        return _Slot(process, parent)

    def await_ready(new: list[_Slot]) -> None:
        # A worker's start-up (importing pandas and the readers) is not part of any file's budget.
        for slot in new:
            if not slot.conn.poll(STARTUP_S) or slot.conn.recv() != "ready":
                raise RuntimeError("a reader process did not start")

    def give(slot: _Slot) -> None:
        if pending:
            slot.index = pending.pop()
            slot.started = time.monotonic()
            slot.conn.send(entries[slot.index])
        else:
            slot.index = None

    done = 0
    try:
        slots.extend(start() for _ in range(min(workers, total)))
        await_ready(slots)
        for slot in slots:
            give(slot)
        while any(s.index is not None for s in slots):
            busy = [s for s in slots if s.index is not None]
            now = time.monotonic()
            timeout = max(0.05, min(budget_s - (now - s.started) for s in busy))
            ready = wait([s.conn for s in busy] + [s.process.sentinel for s in busy], timeout=timeout)
            for i, slot in enumerate(list(slots)):
                if slot.index is None:
                    continue
                failed_reason = ""
                if slot.conn in ready:
                    try:
                        results[slot.index] = slot.conn.recv()
                    except (EOFError, OSError):
                        failed_reason = "read.worker_died"
                elif slot.process.sentinel in ready or not slot.process.is_alive():
                    failed_reason = "read.worker_died"
                elif time.monotonic() - slot.started > budget_s:
                    failed_reason = "read.too_slow"
                else:
                    continue
                if failed_reason:
                    entry = entries[slot.index]
                    detail = f"{budget_s:.0f}" if failed_reason == "read.too_slow" else \
                        str(slot.process.exitcode if not slot.process.is_alive() else "")
                    results[slot.index] = failed(entry, failed_reason, detail)
                    slot.process.kill()
                    slot.process.join(5)
                    slots[i] = slot = start()
                    await_ready([slot])
                done += 1
                if progress:
                    progress(done, total, entries[slot.index].rel if slot.index is not None else "")
                give(slot)
    finally:
        for slot in slots:
            try:
                slot.conn.send(None)
            except (OSError, BrokenPipeError):
                pass
        for slot in slots:
            slot.process.join(2)
            if slot.process.is_alive():
                slot.process.kill()
    if progress:
        progress(total, total, "")
    return results
