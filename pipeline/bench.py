"""`make bench` / `python -m pipeline bench --sizes medium,large`: where the monthly job's time goes.

Issue 5 measured, on a 2-core laptop, one 1,000,000-row × 12-column delivery sheet: pandas +
openpyxl 271 s, pandas + calamine 33–49 s, fastexcel → Arrow 10.9–12.5 s, only inflating the
sheet's XML 2.2–2.8 s. This harness puts the pipeline on that scale, honestly:

* the inputs: `pipeline.benchdata` writes (once, cached under `.bench/`) a company's registers in
  their messy real shapes — 1,000,000 delivery lots in 12 monthly workbooks for `large`, a tenth of
  everything for `medium`, 2,000 lots for `tiny`;
* the full run: `python -m pipeline run …` in its own process, so its peak RSS is its own (cold:
  its previous outputs removed, and `--no-cache` passed should the CLI ever grow a cache); the
  per-stage wall, CPU and peak RSS come from the `timings` the run writes into its
  `manifest.json`, the whole process's from `wait4`;
* the floor: the same files read into memory by the fastest reader here and nothing else
  (fastexcel straight into Arrow, every sheet of every file) in a process of its own, in the same
  run (median of a few repeats: the machine is noisy); plus two reference lines, the same read with
  every cell as text (what the pipeline's reader asks for) and only inflating the sheets' XML;
* the naive baseline: `pandas.read_excel(engine="openpyxl")` of the same files fed through the
  pipeline's own stage / resolve / KPI / report code (the run with its reader swapped), on the
  smallest size only and extrapolated linearly to the larger ones;
* the warm rerun: the run's cache of staged registers emptied, filled by one run, then the same
  command again on unchanged inputs (and its kpis_long.csv compared with the filling run's);
* the ratios run/floor and naive/run, and growth: the full run at 10 %, 30 % and 100 % of the
  largest size, with the exponent of time vs rows fitted by least squares on log-log;
* optionally a cProfile of the run on the largest size: the functions the time is spent in.

Everything lands in `BENCHMARKS.md` (the figures section is rewritten, the header above it kept).
The measuring is kept apart from the rendering: `run_benchmarks()` returns a `Benchmark`,
`render_figures()` turns it into Markdown, `write_benchmarks_md()` writes the file.
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from statistics import median
from typing import TYPE_CHECKING, Callable, Sequence

if TYPE_CHECKING:  # the worker processes stay lean: the floor must not pay for importing pandas
    from pipeline.benchdata import BenchInputs, BenchSpec

ROOT = Path(__file__).resolve().parent.parent
PERIOD = "2026-10"
STAGES = ("discover", "read", "stage", "resolve", "kpis", "reports")
STAGE_LABELS = {"discover": "discover", "read": "read", "stage": "stage/validate",
                "resolve": "resolve", "kpis": "KPIs", "reports": "reports"}
GROWTH_FRACTIONS = (0.1, 0.3, 1.0)
FLOOR_MODES = {
    "fastexcel": "fastexcel → Arrow, types inferred (the floor)",
    "fastexcel_text": "fastexcel → Arrow, every cell as text (what the pipeline's reader asks for)",
    "inflate": "only inflating every sheet's XML (zlib), no parsing",
}
TARGET_FLOOR_RATIO = 1.5
TARGET_WARM_RATIO = 0.2
TARGET_RSS_MB = 2.5 * 1024
SUBPROCESS_TIMEOUT_S = 3 * 3600
MARKER = "<!-- bench:figures — everything below this line is rewritten by `python -m pipeline bench` -->"
DEFAULT_HEADER = """# Benchmarks

How long the monthly job takes on a company's whole history, where the time goes, and how far it
is from the fastest possible read of the same files. Written by `make bench`
(`python -m pipeline bench --sizes medium,large`; `pipeline/bench.py`, inputs from
`pipeline/benchdata.py`, cached under `.bench/`).

How to read the figures:

- **Inputs** are generated, deterministic and in the sample company's messy shapes (title rows above
  the header, dates typed as text, thousands separators, a traditional-Chinese header, a few bad and
  duplicate rows). `large` is issue 5's scale: 1,000,000 delivery lots in 12 monthly workbooks,
  50,000 complaints, 20,000 survey rows, 5,000 incidents, 3,000 customers; `medium` is a tenth.
  They are written by xlsxwriter in `constant_memory` mode, which stores text cells inline rather
  than in the shared-strings table Excel itself writes: the XML is larger, the values the same.
- **Per stage**: wall seconds, CPU seconds (all threads; CPU > wall means several cores worked) and
  the main process's peak RSS *so far* at the end of the stage, as the run itself wrote them into
  `manifest.json`. Reader worker processes (the run reads larger folders in parallel) are not in a
  stage's CPU or RSS. The **process** row is the whole `python -m pipeline run` measured from
  outside (`wait4`: interpreter start-up, imports, settings and the manifest are in it and in no
  stage; its CPU includes the workers'); the **process tree** row is the most memory the run and
  its workers held at once (summed PSS, sampled every 0.1 s): the figure the 2.5 GB budget is about.
- **Floor**: the same files read into memory by the fastest reader available and nothing else, in
  its own process. **run/floor** is how many floors the whole run costs; the goal is ≤ 1.5 with a
  peak RSS ≤ 2.5 GB on the large inputs.
- **Naive**: `pandas.read_excel(engine="openpyxl")` instead of our reader, everything else the same
  code; measured on the medium inputs only and extrapolated linearly (said so where it is).
- **Growth**: the full run at 10 %, 30 % and 100 % of the largest size; the exponent is the slope of
  log(time) against log(rows) (1.0 = linear), and a straight line splits each time into a fixed
  part and a cost per million rows (a big fixed part pulls the exponent below 1).
- **Hot spots**: a cProfile of the whole run on the large inputs (files read in the profiled process,
  so reading and staging show too); the profiler slows Python-level calls, so read its shares, not
  its seconds. The raw statistics stay in `.bench/<folder>/logs/profile.pstats`.
- Each figure is one measurement on a shared, noisy machine (the floor: the median of a few), with
  the input files in the OS page cache (they were just written or hashed). Other work on the machine
  moves wall times by up to ±30 % between two runs (the load average is printed with the figures);
  CPU seconds move far less. Compare ratios and CPU more than absolute wall seconds.
"""


# --- measuring a process ------------------------------------------------------------------------

@dataclass
class Measured:
    """One child process, measured from outside."""
    command: list[str]
    exit_code: int
    wall_s: float
    cpu_s: float                 # user + system of the process and every descendant it waited for
    peak_rss_mb: float           # wait4: the largest single process (itself or a reaped descendant)
    stdout: str
    stderr_tail: str
    tree_peak_rss_mb: float = 0.0  # sampled: the most the whole process tree held at once (sum of PSS)
    processes: int = 1           # the most processes seen at once in the tree

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    @property
    def memory_mb(self) -> float:
        """What the machine had to hold at the peak: the tree's sum, at least the largest process."""
        return max(self.peak_rss_mb, self.tree_peak_rss_mb)


class _TreeSampler(threading.Thread):
    """Every `interval` seconds, the memory of a process and all its descendants (reader worker
    processes included), as the sum of their PSS: a page shared by several processes (libraries,
    a fork's copy-on-write pages) is divided among them, so the sum is what the tree really holds.
    Samples start once the process runs our command: just after `fork`, before `exec`, it is a copy
    of this process and would be counted as such."""

    def __init__(self, pid: int, command: Sequence[str], interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.command, self.interval = pid, list(command), interval
        self.peak_bytes, self.most_processes = 0, 1
        self.done = threading.Event()

    def run(self) -> None:
        try:
            import psutil

            root = psutil.Process(self.pid)
        except Exception:  # noqa: BLE001 - no psutil or the process is already gone: no sample
            return
        started = False
        while not self.done.is_set():
            try:
                started = started or root.cmdline() == self.command
                procs = [root, *root.children(recursive=True)] if started else []
            except psutil.Error:
                procs = []
            total = 0
            for p in procs:
                try:
                    info = p.memory_full_info()
                    total += getattr(info, "pss", info.rss)
                except psutil.AccessDenied:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak_bytes = max(self.peak_bytes, total)
            self.most_processes = max(self.most_processes, len(procs))
            self.done.wait(self.interval)


def measure(command: Sequence[str], *, log_path: Path, cwd: Path = ROOT,
            timeout_s: float = SUBPROCESS_TIMEOUT_S) -> Measured:
    """Run `command`, wait for it with `wait4` and return its wall time, CPU time and peak RSS.

    `wait4` gives the CPU of the process and of every descendant it reaped, and the largest single
    resident set among them (`ru_maxrss`, not a sum); a sampler thread adds the whole tree's summed
    PSS, which is what the machine must hold when the run reads files in worker processes.
    stderr goes to `log_path` (the run's own progress lines); stdout is returned.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as err, tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        proc = subprocess.Popen(list(command), cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        sampler = _TreeSampler(proc.pid, command)
        sampler.start()
        timer = threading.Timer(timeout_s, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
            sampler.done.set()
            sampler.join()
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        stdout = out.read().decode("utf-8", errors="replace")
    tail = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-6:]
    return Measured(list(command), proc.returncode, wall, usage.ru_utime + usage.ru_stime,
                    usage.ru_maxrss / 1024.0, stdout, "\n".join(tail),
                    sampler.peak_bytes / 1024 / 1024, sampler.most_processes)


def _worker_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "pipeline.bench", *args]


def _last_json(stdout: str) -> dict:
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    return {}


# --- results ------------------------------------------------------------------------------------

@dataclass
class RunResult:
    """The full monthly job on one inputs folder."""
    inputs: BenchInputs
    process: Measured
    stages: dict[str, dict]            # manifest.json "timings": stage → wall_s, cpu_s, peak_rss_mb
    account: dict                      # rows read / accepted / rejected …, sheets recognised
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.process.ok and not self.error

    @property
    def spec(self) -> BenchSpec:
        return self.inputs.spec

    def stage_wall(self, stage: str) -> float | None:
        t = self.stages.get(stage)
        return None if t is None else float(t["wall_s"])

    @property
    def stage_sum(self) -> float:
        return sum(float(t["wall_s"]) for t in self.stages.values())


@dataclass
class FloorResult:
    mode: str
    runs: list[Measured]
    read_s: list[float]                # in-process read time of each repeat (no start-up, no imports)
    sheets: int = 0
    rows: int = 0
    cells: int = 0
    bytes_inflated: int = 0
    error: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.runs) and all(r.ok for r in self.runs) and not self.error

    @property
    def wall_s(self) -> float:
        return median(r.wall_s for r in self.runs)

    @property
    def read_median_s(self) -> float:
        return median(self.read_s) if self.read_s else float("nan")

    @property
    def peak_rss_mb(self) -> float:
        return max(r.memory_mb for r in self.runs)

    @property
    def cpu_s(self) -> float:
        return median(r.cpu_s for r in self.runs)


@dataclass
class NaiveResult:
    inputs: BenchInputs
    process: Measured
    mode: str                          # "pipeline": read_excel + our stage/resolve/KPI code; "read_only"
    read_s: float
    stages: dict[str, dict]            # discover … kpis, as `pipeline.run.Progress` timed them
    note: str = ""
    same_kpis: bool | None = None      # its kpis_long.csv byte-identical to the run's on the same inputs

    @property
    def ok(self) -> bool:
        return self.process.ok and self.mode in ("pipeline", "read_only")

    @property
    def to_kpis_s(self) -> float:
        """discover → KPIs, the part of the job the reader changes."""
        return sum(float(t["wall_s"]) for k, t in self.stages.items() if k in STAGES[:5])


@dataclass
class PackFloorResult:
    """The pack's libraries alone, for a pack the size of the run's (`pack_floor`)."""
    process: Measured
    volume: dict                       # numbers, texts, pngs, pages: what the run's pack holds
    cpu_s: dict[str, float]            # writer ("workbook", "charts", "PDF") → CPU seconds
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.process.ok and not self.error and bool(self.cpu_s)

    @property
    def total_cpu_s(self) -> float:
        return sum(self.cpu_s.values())


@dataclass
class ProfileResult:
    inputs: BenchInputs
    process: Measured
    total_s: float
    own: list[dict]                    # top functions by own (internal) time
    cumulative: list[dict]             # our functions by cumulative time


@dataclass
class Benchmark:
    sizes: list[str]
    command: str
    started: datetime
    machine: dict
    packages: dict[str, str]
    inputs: dict[str, BenchInputs] = field(default_factory=dict)          # size → inputs
    runs: dict[BenchSpec, RunResult] = field(default_factory=dict)
    floors: dict[str, dict[str, FloorResult]] = field(default_factory=dict)  # size → mode → floor
    warm: dict[str, WarmResult] = field(default_factory=dict)                # size → warm rerun
    pack_floors: dict[str, PackFloorResult] = field(default_factory=dict)    # size → the pack's floor
    naive: NaiveResult | None = None
    naive_size: str = ""
    growth: list[BenchSpec] = field(default_factory=list)
    profile: ProfileResult | None = None
    finished: datetime | None = None
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def run_for(self, size: str) -> RunResult | None:
        return self.runs.get(self.inputs[size].spec) if size in self.inputs else None

    @property
    def ok(self) -> bool:
        floors_ok = all(f.ok for modes in self.floors.values() for f in modes.values())
        naive_ok = self.naive is None or self.naive.ok
        warm_ok = all(w.ok for w in self.warm.values())
        pack_ok = all(p.ok for p in self.pack_floors.values())
        return all(r.ok for r in self.runs.values()) and floors_ok and naive_ok and warm_ok and pack_ok


# --- the steps ----------------------------------------------------------------------------------

def cold_run_flags() -> list[str]:
    """`--no-cache` when the CLI has it: a cache of parsed registers must not make a run look fast."""
    from pipeline.cli import build_parser

    parser = build_parser()
    for action in parser._subparsers._group_actions:   # argparse keeps sub-commands here
        run = action.choices.get("run")
        if run is not None and "--no-cache" in run._option_string_actions:
            return ["--no-cache"]
    return []


def run_full(inputs: BenchInputs, log: Callable[[str], None], *, use_cache: bool = False,
             fresh: bool = True, name: str = "run") -> RunResult:
    """`python -m pipeline run --inputs … --period 2026-10 --out …` in its own process: cold by
    default (no previous outputs, `--no-cache`); `use_cache` lets it read and fill its cache of
    staged registers, `fresh=False` keeps the previous outputs (a rerun)."""
    out = inputs.root / "out"
    if fresh and out.exists():
        shutil.rmtree(out)     # a cold run: no previous pack for the run to compare with
    command = [sys.executable, "-m", "pipeline", "run", "--inputs", str(inputs.inputs),
               "--period", PERIOD, "--out", str(out), *([] if use_cache else cold_run_flags())]
    log(f"{name} {inputs.spec.label}: {' '.join(_display(command))}")
    measured = measure(command, log_path=inputs.root / "logs" / f"{name}.log")
    stages, account, error = {}, {}, ""
    manifest_path = out / "manifest.json"
    if measured.ok and manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        stages = {k: manifest.get("timings", {})[k] for k in STAGES if k in manifest.get("timings", {})}
        account = manifest_account(manifest)
        account["cache_hits"] = manifest.get("cache_hits")
        missing = [s for s in STAGES if s not in stages]
        if missing:
            error = f"manifest.json has no timings for {', '.join(missing)}"
    elif measured.ok:
        error = "the run wrote no manifest.json"
    else:
        error = f"exit code {measured.exit_code}: {measured.stderr_tail.splitlines()[-1] if measured.stderr_tail else ''}"
    log(f"{name} {inputs.spec.label}: {measured.wall_s:.1f} s wall, {measured.cpu_s:.1f} s CPU, "
        f"{measured.memory_mb:,.0f} MB peak ({measured.processes} processes at most)"
        + (f" — FAILED ({error})" if error else ""))
    return RunResult(inputs, measured, stages, account, error)


@dataclass
class WarmResult:
    """A rerun on unchanged inputs with the cache of staged registers, against the cold run."""
    filling: RunResult                 # cache emptied first: a cold run that also writes the cache
    warm: RunResult                    # the same command again: every file from the cache
    same_kpis: bool | None = None      # the warm kpis_long.csv byte-identical to the filling run's

    @property
    def ok(self) -> bool:
        return self.filling.ok and self.warm.ok


def run_warm(inputs: BenchInputs, log: Callable[[str], None]) -> WarmResult:
    """Empty the run's cache, run once to fill it, then rerun unchanged: the warm rerun."""
    cache = inputs.root / ".cq-work" / "cache"
    if cache.exists():
        shutil.rmtree(cache)
    filling = run_full(inputs, log, use_cache=True, name="run-filling-cache")
    kpis = inputs.root / "out" / "kpis_long.csv"
    before = kpis.read_bytes() if filling.ok and kpis.is_file() else None
    warm = run_full(inputs, log, use_cache=True, fresh=False, name="run-warm")
    same = None if before is None or not kpis.is_file() else kpis.read_bytes() == before
    return WarmResult(filling, warm, same)


def manifest_account(manifest: dict) -> dict:
    """What the run made of the inputs: did every sheet get recognised, how many rows were used."""
    sheets = manifest.get("sheets", [])
    files = manifest.get("files", [])
    total = {k: sum(int(s.get(k) or 0) for s in sheets)
             for k in ("rows_read", "accepted", "rejected", "skipped", "duplicates", "superseded")}
    total["sheets"] = len(sheets)
    total["sheets_recognised"] = sum(1 for s in sheets if s.get("register"))
    total["files"] = len(files)
    total["files_read"] = sum(1 for f in files if f.get("status") == "read")
    total["registers"] = {k: v.get("rows", 0) for k, v in manifest.get("registers", {}).items() if v.get("rows")}
    return total


def run_floor(inputs: BenchInputs, mode: str, repeats: int, log: Callable[[str], None]) -> FloorResult:
    result = FloorResult(mode, [], [])
    for i in range(repeats):
        m = measure(_worker_command("_floor", mode, str(inputs.inputs)),
                    log_path=inputs.root / "logs" / f"floor-{mode}-{i + 1}.log")
        result.runs.append(m)
        if not m.ok:
            result.error = m.stderr_tail.splitlines()[-1] if m.stderr_tail else f"exit code {m.exit_code}"
            break
        data = _last_json(m.stdout)
        result.read_s.append(float(data["read_s"]))
        result.sheets, result.rows, result.cells = data["sheets"], data["rows"], data["cells"]
        result.bytes_inflated = data.get("bytes", 0)
    if result.runs:
        log(f"floor {inputs.spec.label} [{mode}]: {result.wall_s:.2f} s wall (median of {len(result.runs)}), "
            f"{result.peak_rss_mb:,.0f} MB peak" + (f" — FAILED ({result.error})" if result.error else ""))
    return result


#: `pack_floor`'s measurements → the writer they are the floor of (`timings.reports.writers`)
PACK_FLOOR_WRITERS = {"xlsx_cpu_s": "workbook", "png_cpu_s": "charts", "pdf_cpu_s": "PDF"}


def run_pack_floor(inputs: BenchInputs, log: Callable[[str], None]) -> PackFloorResult:
    """The pack's libraries alone (xlsxwriter, matplotlib) writing a pack the size of the one the
    cold run just wrote into `<folder>/out`, in a process of their own."""
    m = measure(_worker_command("_pack_floor", str(inputs.root / "out")),
                log_path=inputs.root / "logs" / "pack-floor.log")
    data = _last_json(m.stdout) if m.ok else {}
    cpu = {writer: float(data[key]) for key, writer in PACK_FLOOR_WRITERS.items() if key in data}
    volume = {k: int(data.get(k, 0)) for k in ("numbers", "texts", "pngs", "pages")}
    error = "" if m.ok else (m.stderr_tail.splitlines()[-1] if m.stderr_tail else f"exit code {m.exit_code}")
    result = PackFloorResult(m, volume, cpu, error)
    log(f"pack floor {inputs.spec.label}: {result.total_cpu_s:.1f} s CPU for "
        f"{volume['numbers'] + volume['texts']:,} cells, {volume['pngs']} PNGs, {volume['pages']} PDF pages"
        + (f" — FAILED ({error})" if error else ""))
    return result


def run_naive(inputs: BenchInputs, log: Callable[[str], None]) -> NaiveResult:
    out = inputs.root / "naive-out"
    if out.exists():
        shutil.rmtree(out)
    log(f"naive {inputs.spec.label}: pandas.read_excel(engine='openpyxl') + the pipeline's own stages")
    m = measure(_worker_command("_naive", str(inputs.inputs), str(out), PERIOD),
                log_path=inputs.root / "logs" / "naive.log")
    data = _last_json(m.stdout) if m.ok else {}
    result = NaiveResult(inputs, m, data.get("mode", "failed"), float(data.get("read_s", float("nan"))),
                         data.get("timings", {}), data.get("note", "" if m.ok else m.stderr_tail))
    ours, theirs = inputs.root / "out" / "kpis_long.csv", out / "kpis_long.csv"
    if result.mode == "pipeline" and ours.is_file() and theirs.is_file():
        result.same_kpis = ours.read_bytes() == theirs.read_bytes()
    log(f"naive {inputs.spec.label}: {m.wall_s:.1f} s wall ({result.mode}), {m.memory_mb:,.0f} MB peak"
        + ("" if result.same_kpis is None else f"; KPIs {'identical to' if result.same_kpis else 'DIFFER from'} the run's"))
    return result


def run_profile(inputs: BenchInputs, log: Callable[[str], None], top: int = 25) -> ProfileResult:
    out = inputs.root / "profile-out"
    if out.exists():
        shutil.rmtree(out)
    log(f"profile {inputs.spec.label}: cProfile of the whole run")
    m = measure(_worker_command("_profile", str(inputs.inputs), str(out), PERIOD, str(top),
                                str(inputs.root / "logs" / "profile.pstats")),
                log_path=inputs.root / "logs" / "profile.log")
    data = _last_json(m.stdout) if m.ok else {}
    log(f"profile {inputs.spec.label}: {m.wall_s:.1f} s under the profiler")
    return ProfileResult(inputs, m, float(data.get("total_s", float("nan"))), data.get("own", []),
                         data.get("cumulative", []))


def fit_exponent(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Slope b of log(y) = a + b·log(x), least squares; None with fewer than two usable points."""
    import numpy as np

    pts = [(x, y) for x, y in zip(xs, ys) if x and y and x > 0 and y > 0]
    if len({x for x, _ in pts}) < 2:
        return None
    lx = np.log([x for x, _ in pts])
    ly = np.log([y for _, y in pts])
    slope, _intercept = np.polyfit(lx, ly, 1)
    return float(slope)


def fit_fixed_and_linear(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float] | None:
    """(a, b) of y = a + b·x, least squares: a fixed cost and a cost per row; None with fewer than
    two distinct x. A run with large fixed costs (start-up, a PDF of bounded size) shows an exponent
    below 1 even when its variable part is linear: this says how big each part is."""
    import numpy as np

    pts = [(x, y) for x, y in zip(xs, ys) if x is not None and y is not None]
    if len({x for x, _ in pts}) < 2:
        return None
    slope, intercept = np.polyfit([x for x, _ in pts], [y for _, y in pts], 1)
    return float(intercept), float(slope)


def machine_info() -> dict:
    cpu_model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu_model = platform.processor()
    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gb = int(line.split()[1]) / 1024 / 1024
                break
    except OSError:
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"nproc": nproc, "memory_gb": mem_gb, "cpu_model": cpu_model or "unknown",
            "python": sys.version.split()[0], "platform": platform.platform()}


def package_versions() -> dict[str, str]:
    from pipeline import installed_versions

    return installed_versions(("pandas", "numpy", "pyarrow", "pandera", "fastexcel", "python-calamine",
                               "openpyxl", "xlsxwriter", "matplotlib", "psutil"), missing="not installed")


def run_benchmarks(sizes: Sequence[str], bench_dir: Path, *, growth_fractions: Sequence[float] = GROWTH_FRACTIONS,
                   floor_repeats: int = 3, profile: bool = True, command: str = "",
                   log: Callable[[str], None] | None = None) -> Benchmark:
    """Generate (or reuse) the inputs, then measure floors, full runs, the naive baseline and growth."""
    from pipeline.benchdata import SIZE_SCALES, ensure_inputs, spec_for

    log = log or (lambda _msg: None)
    sizes = sorted(dict.fromkeys(sizes), key=lambda s: SIZE_SCALES[s])
    bench = Benchmark(list(sizes), command or f"python -m pipeline bench --sizes {','.join(sizes)}",
                      datetime.now().astimezone(), machine_info(), package_versions())
    bench.load_before = os.getloadavg()
    bench_dir = Path(bench_dir)

    largest = spec_for(sizes[-1])
    bench.growth = list(dict.fromkeys(largest.scaled(f) for f in growth_fractions))
    specs = list(dict.fromkeys([*(spec_for(s) for s in sizes), *bench.growth]))
    prepared: dict[BenchSpec, BenchInputs] = {}
    for spec in sorted(specs, key=lambda s: s.lots):
        prepared[spec] = ensure_inputs(spec, bench_dir, log=log)
    bench.inputs = {s: prepared[spec_for(s)] for s in sizes}

    for size in sizes:
        inputs = bench.inputs[size]
        bench.floors[size] = {mode: run_floor(inputs, mode, floor_repeats if mode == "fastexcel" else 1, log)
                              for mode in FLOOR_MODES}
        bench.runs[inputs.spec] = run_full(inputs, log)
        if bench.runs[inputs.spec].ok:
            bench.pack_floors[size] = run_pack_floor(inputs, log)
        bench.warm[size] = run_warm(inputs, log)
    for spec in sorted(bench.growth, key=lambda s: s.lots):
        if spec not in bench.runs:
            bench.runs[spec] = run_full(prepared[spec], log)

    bench.naive_size = sizes[0]
    bench.naive = run_naive(bench.inputs[sizes[0]], log)
    if profile:  # on the largest inputs: where the time goes at the scale that matters
        bench.profile = run_profile(bench.inputs[sizes[-1]], log)
    bench.load_after = os.getloadavg()
    bench.finished = datetime.now().astimezone()
    return bench


# --- rendering ----------------------------------------------------------------------------------

def _s(x: float | None) -> str:
    if x is None or x != x:
        return "—"
    return f"{x:,.1f}" if x >= 100 else f"{x:.2f}"


def _mb(x: float | None) -> str:
    return "—" if x is None or x != x else f"{x:,.0f}"


def _ratio(x: float | None) -> str:
    return "—" if x is None or x != x else f"{x:.2f} ×"


def _display(command: Sequence[str]) -> list[str]:
    """A command as a reader would type it: `python` for this interpreter, paths relative to the repo."""
    out = []
    for i, part in enumerate(command):
        if i == 0 and part == sys.executable:
            out.append("python")
            continue
        try:
            out.append(str(Path(part).relative_to(ROOT)) if part.startswith("/") else part)
        except ValueError:
            out.append(part)
    return out


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return lines



def render_figures(b: Benchmark) -> str:
    """The figures section of BENCHMARKS.md (everything below the marker)."""
    L: list[str] = []
    m = b.machine
    L += ["## Machine and command", ""]
    L += [f"- Date: {b.started:%Y-%m-%d %H:%M %Z}" + (f" (took {(b.finished - b.started).total_seconds() / 60:.1f} min)"
                                                      if b.finished else "")]
    L += [f"- Machine: {m['nproc']} cores (`nproc`), {m['memory_gb']:.1f} GB memory, CPU `{m['cpu_model']}`, "
          f"{m['platform']}, Python {m['python']}"]
    L += [f"- Load average (1/5/15 min) before: {' / '.join(f'{x:.2f}' for x in b.load_before)}; "
          f"after: {' / '.join(f'{x:.2f}' for x in b.load_after)} (above {m['nproc']} means other work shared the cores)"]
    L += ["- Packages: " + ", ".join(f"{k} {v}" for k, v in b.packages.items())]
    L += [f"- Command: `{b.command}` (the full run of each size: "
          f"`python -m pipeline run --inputs .bench/<folder>/inputs --period {PERIOD} --out .bench/<folder>/out"
          f"{' ' + ' '.join(cold_run_flags()) if cold_run_flags() else ''}`)"]
    L += [""]

    L += ["## Inputs", ""]
    rows = []
    for size, inp in b.inputs.items():
        s = inp.spec
        floor = b.floors.get(size, {}).get("fastexcel")
        cells = f"{floor.cells:,}" if floor and floor.ok else "—"
        rows.append([size, f"`.bench/{inp.root.name}`", f"{s.lots:,}", f"{s.complaints:,}", f"{s.survey_rows:,}",
                     f"{s.incidents:,}", f"{s.customers:,}", str(inp.files), f"{inp.bytes / 1e6:,.1f}", cells,
                     "cached" if inp.cached else f"generated in {inp.generated_s:.1f} s"])
    L += _table(["size", "folder", "delivery lots", "complaints", "survey rows", "incidents", "customers",
                 "workbooks", "MB", "cells read (floor)", "generation"], rows)
    L += [""]

    L += ["## Full run, per stage", ""]
    for size in b.sizes:
        r = b.run_for(size)
        if r is None:
            continue
        L += [f"### {size} ({r.spec.lots:,} lots)", ""]
        if not r.ok:
            L += [f"The run failed: {r.error or r.process.stderr_tail}", "",
                  "```", r.process.stderr_tail, "```", ""]
            if not r.stages:
                continue
        total = r.stage_sum
        rows = []
        for st in STAGES:
            t = r.stages.get(st)
            if t is None:
                rows.append([STAGE_LABELS[st], "—", "—", "—", "—"])
                continue
            share = 100 * float(t["wall_s"]) / total if total else float("nan")
            rows.append([STAGE_LABELS[st], _s(float(t["wall_s"])), _s(float(t["cpu_s"])),
                         _mb(float(t["peak_rss_mb"])), f"{share:.0f} %"])
        rows.append(["**stages**", f"**{_s(total)}**", _s(sum(float(t['cpu_s']) for t in r.stages.values())), "", "100 %"])
        rows.append(["**process** (wait4; peak = largest single process)", f"**{_s(r.process.wall_s)}**",
                     _s(r.process.cpu_s), _mb(r.process.peak_rss_mb), ""])
        rows.append([f"**process tree** (sampled; {r.process.processes} processes at most)", "", "",
                     f"**{_mb(r.process.memory_mb)}**", ""])
        L += _table(["stage", "wall s", "CPU s", "peak RSS so far, MB", "share of stages"], rows)
        if _reads_and_stages_per_file(r.stages):
            L += ["", "In this version the **read** stage also classifies and stages each file (in the reader "
                      "workers, in parallel, for folders over a few MB); **stage/validate** only gathers their "
                      "results. The workers' CPU is in the process row, not in the stage's. Likewise the "
                      "**reports** are written by child processes side by side (`pipeline/parallel.py`): the "
                      "stage's CPU is the main process's share only (shaping the pack's data)."]
        a = r.account
        if a:
            regs = ", ".join(f"{k} {v:,}" for k, v in a.get("registers", {}).items())
            L += ["", f"Read {a['files_read']}/{a['files']} files, {a['sheets_recognised']}/{a['sheets']} sheets "
                      f"recognised; rows read {a['rows_read']:,} = accepted {a['accepted']:,} + rejected "
                      f"{a['rejected']:,} + skipped {a['skipped']:,} (duplicates {a['duplicates']:,}, superseded "
                      f"{a['superseded']:,}). Rows used: {regs}."]
        L += [""]

    L += ["## Read floor", "",
          "The same files, every sheet, read into memory and nothing else, each in a process of its own "
          "(`python -m pipeline.bench _floor MODE DIR`). *wall* is the whole process (start-up and imports "
          "included), *read* the reading alone.", ""]
    rows = []
    for size, modes in b.floors.items():
        for mode, f in modes.items():
            if not f.ok:
                rows.append([size, FLOOR_MODES[mode], "failed: " + f.error, "", "", "", ""])
                continue
            reps = f" (median of {len(f.runs)}: {', '.join(_s(r.wall_s) for r in f.runs)})" if len(f.runs) > 1 else ""
            volume = f"{f.bytes_inflated / 1e6:,.0f} MB XML" if mode == "inflate" else f"{f.rows:,} rows, {f.cells:,} cells"
            rows.append([size, FLOOR_MODES[mode], _s(f.wall_s) + reps, _s(f.read_median_s), _s(f.cpu_s),
                         _mb(f.peak_rss_mb), volume])
    L += _table(["size", "reader", "wall s", "read s", "CPU s", "peak RSS MB", "volume"], rows)
    L += [""]

    L += _pack_floor_section(b)

    L += ["## Naive baseline", ""]
    n = b.naive
    if n is None:
        L += ["Not measured.", ""]
    elif not n.ok:
        L += [f"The naive baseline failed: {n.note}", ""]
    else:
        base_rows = n.inputs.spec.data_rows
        if n.mode == "pipeline":
            L += [f"`pandas.read_excel(path, sheet_name=None, header=None, dtype=str, engine=\"openpyxl\")` of every "
                  f"workbook of the **{b.naive_size}** inputs, the frames handed to the pipeline's own ingest "
                  f"(stage/validate, resolve) and `compute_kpis` (`python -m pipeline.bench _naive`: "
                  f"`pipeline.run.ingest` with its reader swapped). The reports do not depend on the reader and "
                  f"are not written again: the whole-job estimate adds the run's own. Its `kpis_long.csv` is "
                  + ("**byte-identical** to the run's, so both did the same work." if n.same_kpis else
                     "**not identical** to the run's: treat the comparison with care." if n.same_kpis is False else
                     "not compared (the run wrote none).")]
        else:
            L += [f"Only the naive read is timed (`pandas.read_excel(engine=\"openpyxl\")` of every workbook of the "
                  f"**{b.naive_size}** inputs): the pipeline's stages could not be fed with its frames ({n.note})."]
        L += [""]
        rows = [[STAGE_LABELS[st], _s(float(n.stages[st]["wall_s"])),
                 _s(float(n.stages[st]["cpu_s"])), _mb(float(n.stages[st]["peak_rss_mb"]))]
                for st in STAGES[:5] if st in n.stages]
        if rows:
            at = next(i for i, st in enumerate(k for k in STAGES[:5] if k in n.stages) if st == "read") + 1 \
                if "read" in n.stages else len(rows)
            rows.insert(at, ["… of which `pandas.read_excel` (openpyxl)", _s(n.read_s), "", ""])
            rows.append(["**discover → KPIs**", f"**{_s(n.to_kpis_s)}**", "", ""])
        else:
            rows = [["`pandas.read_excel` (openpyxl)", _s(n.read_s), "", ""]]
        rows.append(["**process** (wait4)", _s(n.process.wall_s), _s(n.process.cpu_s), _mb(n.process.memory_mb)])
        L += _table([f"naive, {b.naive_size}", "wall s", "CPU s", "peak RSS so far, MB"], rows)
        L += ["", "Extrapolated to the other sizes linearly in rows (the naive read is linear in cells; "
                  "the stages after it are the run's own and are taken from the run where it was measured):", ""]
        ext = []
        for size in b.sizes:
            spec = b.inputs[size].spec
            factor = spec.data_rows / base_rows
            how = "measured" if size == b.naive_size else f"extrapolated linearly (× {factor:.1f} rows)"
            job = _naive_job_s(b, size)
            ext.append([size, _s(n.read_s * factor), _s(n.to_kpis_s * factor) if n.stages else "—",
                        _s(job), how])
        L += _table(["size", "naive read s", "naive discover → KPIs s", "naive whole job s (est.)", ""], ext)
        L += [""]

    L += ["## Ratios", ""]
    rows = []
    for size in b.sizes:
        r = b.run_for(size)
        f = b.floors.get(size, {}).get("fastexcel")
        if r is None or not r.ok or f is None or not f.ok:
            rows.append([size, "—", "—", "—", "—", "—", "—", "—"])
            continue
        run_floor_ratio = r.process.wall_s / f.wall_s
        cpu_ratio = r.process.cpu_s / f.cpu_s if f.cpu_s else float("nan")
        read_ratio = (r.stage_wall("read") or float("nan")) / f.read_median_s
        rss_ratio = r.process.memory_mb / f.peak_rss_mb
        naive_part, naive_job = "—", "—"
        if n is not None and n.ok:
            factor = b.inputs[size].spec.data_rows / n.inputs.spec.data_rows
            suffix = "" if size == b.naive_size else " (extrapolated)"
            if n.stages:
                run_part = sum(r.stage_wall(st) or 0.0 for st in STAGES[:5])
                naive_part = _ratio(n.to_kpis_s * factor / run_part) + suffix
            else:
                naive_part = "read only: " + _ratio(n.read_s * factor / (r.stage_wall("read") or float("nan"))) + suffix
            job = _naive_job_s(b, size)
            naive_job = _ratio(job / r.process.wall_s) + suffix if job is not None else "—"
        rows.append([size, _ratio(run_floor_ratio), _ratio(cpu_ratio), _ratio(read_ratio), _ratio(rss_ratio),
                     naive_part, naive_job,
                     f"{'met' if run_floor_ratio <= TARGET_FLOOR_RATIO else 'missed'} / "
                     f"{'met' if r.process.memory_mb <= TARGET_RSS_MB else 'missed'}"])
    L += _table(["size", "run / floor (process wall)", "run / floor (CPU)", "read stage / floor read", "peak RSS run / floor",
                 "naive / run, discover → KPIs", "naive / run, whole job (est.)", "goal ≤ 1.5 × floor / ≤ 2.5 GB"], rows)
    L += ["", "On a shared machine the CPU ratio is the steadier one: other work stretches wall time, "
              "not CPU time (the run's CPU includes its reader workers').", ""]

    L += ["## Warm rerun", ""]
    L += ["The cache of staged registers (`.cq-work/cache` beside the outputs, one entry per input file, "
          "keyed by its SHA-256, the reader and schema versions and the settings that shape staging): "
          "emptied, filled by one run, then the same command again on unchanged inputs. The goal: the warm "
          "rerun ≤ 0.2 × the cold run (the cold run is the `--no-cache` run above).", ""]
    rows = []
    for size in b.sizes:
        w, cold = b.warm.get(size), b.run_for(size)
        if w is None or cold is None:
            continue
        if not w.ok or not cold.ok:
            rows.append([size, "—", "failed" if not w.filling.ok else "—", "failed" if not w.warm.ok else "—",
                         "—", "—", "—", "—"])
            continue
        ratio = w.warm.process.wall_s / cold.process.wall_s
        hits = w.warm.account.get("cache_hits")
        rows.append([size, _s(cold.process.wall_s), _s(w.filling.process.wall_s), _s(w.warm.process.wall_s),
                     " / ".join(_s(w.warm.stage_wall(st)) for st in STAGES),
                     f"{hits if hits is not None else '—'} of {b.inputs[size].files}",
                     {True: "byte-identical", False: "DIFFERENT", None: "—"}[w.same_kpis],
                     f"{_ratio(ratio)} ({'met' if ratio <= TARGET_WARM_RATIO else 'missed'})"])
    L += _table(["size", "cold s", "cold, filling the cache s", "warm s",
                 "warm per stage s (" + " / ".join(STAGE_LABELS[st] for st in STAGES) + ")",
                 "files from the cache", "kpis_long.csv warm vs cold", "warm / cold (goal ≤ 0.2)"], rows)
    L += [""]

    L += ["## Growth", ""]
    points = [b.runs[s] for s in sorted(b.growth, key=lambda s: s.lots) if s in b.runs]
    if points:
        rows = []
        for r in points:
            rows.append([f"{r.spec.lots:,}", f"{r.spec.data_rows:,}", _s(r.process.wall_s) if r.ok else "failed",
                         _s(r.process.cpu_s), _mb(r.process.memory_mb),
                         *[_s(r.stage_wall(st)) for st in STAGES]])
        L += _table(["lots", "all rows", "process wall s", "CPU s", "peak RSS MB",
                     *[f"{STAGE_LABELS[st]} s" for st in STAGES]], rows)
        ok = [r for r in points if r.ok]
        xs = [r.spec.data_rows for r in ok]
        series = [("process wall s", [r.process.wall_s for r in ok]), ("process CPU s", [r.process.cpu_s for r in ok]),
                  ("peak RSS MB (tree)", [r.process.memory_mb for r in ok])]
        series += [(f"{STAGE_LABELS[st]} s", [r.stage_wall(st) or 0.0 for r in ok]) for st in STAGES]
        rows = []
        for name, ys in series:
            exponent = fit_exponent(xs, ys)
            line = fit_fixed_and_linear(xs, ys)
            rows.append([name, "—" if exponent is None else f"{exponent:.2f}",
                         "—" if line is None else _s(line[0]), "—" if line is None else _s(line[1] * 1e6)])
        L += ["", f"Fitted over {len(ok)} points (every register scales with the lots): the exponent of "
                  "log(y) against log(rows), least squares (1.0 = linear), and the straight line "
                  "y = fixed + slope × rows, which tells a fixed cost from a cost per row:", ""]
        L += _table(["measure", "exponent", "fixed part", "per million rows"], rows)
        L += [""]

    L += ["## Where the time goes", ""]
    L += _where_the_time_goes(b)
    L += [""]

    if b.profile is not None:
        p = b.profile
        L += [f"## Hot spots (cProfile of the full run, {p.inputs.spec.label} inputs)", ""]
        if not p.own:
            L += [f"The profile failed: {p.process.stderr_tail}", ""]
        else:
            L += [f"{_s(p.total_s)} s under the profiler (which slows Python-level calls, so read shares, "
                  "not seconds; the files are read in the profiled process, one after the other, "
                  "`CQ_READ_WORKERS=0`, so that reading and staging are seen too, and the report writers "
                  "one after the other, `CQ_REPORT_WORKERS=0`). Functions by own time:", ""]
            L += _table(["function", "calls", "own s", "share"],
                        [[f"`{e['function']}`", f"{e['calls']:,}", _s(e["own_s"]),
                          f"{100 * e['own_s'] / p.total_s:.0f} %"] for e in p.own])
            L += ["", "The pipeline's own functions by cumulative time (callees included; the raw statistics are in "
                      f"`.bench/{p.inputs.root.name}/logs/profile.pstats`, for `python -m pstats`):", ""]
            L += _table(["function", "calls", "cumulative s", "share"],
                        [[f"`{e['function']}`", f"{e['calls']:,}", _s(e["cum_s"]),
                          f"{100 * e['cum_s'] / p.total_s:.0f} %"] for e in p.cumulative])
            L += [""]
    return "\n".join(L).rstrip() + "\n"


def _pack_floor_section(b: Benchmark) -> list[str]:
    """The pack's libraries alone against the run's writers, and the least a whole run can cost."""
    L = ["## The pack's own floor", "",
         "The pack the contract asks for (`outputs.md`), written by its libraries alone with nothing of ours "
         "around them, in a process of its own (`python -m pipeline.bench _pack_floor OUT`): xlsxwriter writing "
         "as many text and number cells as the run's KPI workbook holds (rows of 17, one number format), "
         "matplotlib drawing as many minimal charts (12 points and a title, no layout engine) into PNGs and into "
         "PDF pages with the bundled CJK face embedded. CPU seconds; the run's writers' CPU is from its "
         "`manifest.json` (`timings.reports.writers`).", ""]
    rows = []
    for size, p in b.pack_floors.items():
        r = b.run_for(size)
        writers = (r.stages.get("reports", {}).get("writers") or {}) if r is not None else {}
        if not p.ok:
            rows.append([size, "failed: " + p.error, "", "", "", ""])
            continue
        v = p.volume
        what = {"workbook": f"{v['numbers'] + v['texts']:,} cells ({v['texts']:,} text)",
                "charts": f"{v['pngs']} PNG charts", "PDF": f"{v['pages']} PDF pages"}
        total_run = 0.0
        for writer, cpu in p.cpu_s.items():
            ours = float(writers[writer]["cpu_s"]) if writer in writers else None
            total_run += ours or 0.0
            rows.append([size, writer, what[writer], _s(cpu), _s(ours),
                         _ratio(ours / cpu) if ours and cpu else "—"])
        rows.append([size, "**all three**", "", f"**{_s(p.total_cpu_s)}**", f"**{_s(total_run)}**",
                     _ratio(total_run / p.total_cpu_s) if p.total_cpu_s else "—"])
    L += _table(["size", "writer", "what the run's pack holds", "library alone, CPU s", "the run's writer, CPU s",
                 "run ÷ library"], rows)
    cores = b.machine.get("nproc") or 1
    for size, p in b.pack_floors.items():
        f, r = b.floors.get(size, {}).get("fastexcel"), b.run_for(size)
        if not p.ok or f is None or not f.ok or r is None or not r.ok:
            continue
        least = (f.cpu_s + p.total_cpu_s) / cores
        goal = TARGET_FLOOR_RATIO * f.wall_s
        L += ["", f"- **{size}**: reading at the floor ({_s(f.cpu_s)} CPU s) and writing the pack at its libraries' "
                  f"floor ({_s(p.total_cpu_s)} CPU s) take at least {_s(least)} s on {cores} cores, with every core "
                  f"busy from start to end and nothing else done (no staging, validation, resolve, KPIs, start-up, "
                  f"no waiting between them); the goal ≤ {TARGET_FLOOR_RATIO} × floor is {_s(goal)} s, "
                  + (f"which leaves {_s(goal - least)} s for all the rest." if least < goal else
                     "so it is out of reach with these libraries on this machine.")
                  + f" A rerun that writes the pack again needs at least {_s(p.total_cpu_s / cores)} s; "
                  f"the warm goal ≤ {TARGET_WARM_RATIO} × the cold run is {_s(TARGET_WARM_RATIO * r.process.wall_s)} s."]
    return L + [""]


def _reads_and_stages_per_file(stages: dict[str, dict]) -> bool:
    """True when the run's stage/validate took next to nothing beside read: staging moved into read."""
    read, stage = stages.get("read"), stages.get("stage")
    return bool(read and stage) and float(stage["wall_s"]) <= 0.02 * max(float(read["wall_s"]), 0.001) + 0.005


def _naive_job_s(b: Benchmark, size: str) -> float | None:
    """The whole job with the naive reader: the run's process wall with its discover → KPIs part
    replaced by the naive one (scaled linearly in rows from where the naive was measured)."""
    n, r = b.naive, b.run_for(size)
    if n is None or not n.ok or not n.stages or r is None or not r.ok:
        return None
    factor = b.inputs[size].spec.data_rows / n.inputs.spec.data_rows
    run_part = sum(r.stage_wall(st) or 0.0 for st in STAGES[:5])
    return r.process.wall_s - run_part + n.to_kpis_s * factor


def _where_the_time_goes(b: Benchmark) -> list[str]:
    size = b.sizes[-1]
    r = b.run_for(size)
    f = b.floors.get(size, {}).get("fastexcel")
    if r is None or not r.ok or not r.stages:
        return [f"No successful run on the {size} inputs to analyse."]
    total = r.stage_sum
    ranked = sorted(r.stages.items(), key=lambda kv: -float(kv[1]["wall_s"]))
    top, t = ranked[0]
    out = [f"- On the **{size}** inputs the dominant stage is **{STAGE_LABELS[top]}**: "
           f"{_s(float(t['wall_s']))} s of {_s(total)} s of stage time ({100 * float(t['wall_s']) / total:.0f} %); "
           "then " + ", ".join(f"{STAGE_LABELS[k]} {_s(float(v['wall_s']))} s" for k, v in ranked[1:4]) + "."]
    outside = r.process.wall_s - total
    out += [f"- Outside the stages (interpreter start-up, imports, settings, manifest): {_s(outside)} s."]
    cores = b.machine.get("nproc") or 1
    # With reader workers the read stage's CPU is theirs, not the main process's: said below instead.
    busy = [(STAGE_LABELS[k], float(v["cpu_s"]) / float(v["wall_s"])) for k, v in ranked
            if float(v["wall_s"]) > 0.05 * total and not (k == "read" and r.process.processes > 1)
            and not (k == "reports" and v.get("writers"))]
    out += ["- CPU ÷ wall per stage of the main process (how many of the " + f"{cores} cores it kept busy): "
            + ", ".join(f"{k} {x:.2f}" for k, x in busy) + "."]
    writers = r.stages.get("reports", {}).get("writers") or {}
    writers_cpu = sum(float(w["cpu_s"]) for w in writers.values())
    reports = r.stage_wall("reports")
    if writers and reports:
        slowest = max(writers, key=lambda name: float(writers[name]["wall_s"]))
        out += [f"- The report writers (child processes): {_s(writers_cpu)} s CPU in {_s(reports)} s of "
                f"reports wall, about {writers_cpu / reports:.1f} of the {cores} cores busy; by CPU: "
                + ", ".join(f"{name} {_s(float(w['cpu_s']))} s" for name, w in
                            sorted(writers.items(), key=lambda kv: -float(kv[1]["cpu_s"])))
                + f"; the last to finish: {slowest} ({_s(float(writers[slowest]['wall_s']))} s wall)."]
    outside_cpu = r.process.cpu_s - sum(float(v["cpu_s"]) for v in r.stages.values()) - writers_cpu
    read = r.stage_wall("read")
    if r.process.processes > 1 and read:
        out += [f"- CPU outside the main process's stages and the writers (the reader workers, start-up): "
                f"{_s(outside_cpu)} s, against {_s(read)} s of read-stage wall: about {outside_cpu / read:.1f} "
                f"of the {cores} cores busy while reading."]
    if f is not None and f.ok:
        goal = TARGET_FLOOR_RATIO * f.wall_s
        gap = r.process.wall_s - goal
        out += [f"- Floor {_s(f.wall_s)} s, so the goal of ≤ {TARGET_FLOOR_RATIO} × floor is ≤ {_s(goal)} s: "
                + (f"the run must lose {_s(gap)} s ({100 * gap / r.process.wall_s:.0f} % of its time)."
                   if gap > 0 else "met.")]
        read = r.stage_wall("read")
        if read:
            out += [f"- The read stage alone is {read / f.read_median_s:.1f} × the floor's read "
                    f"({_s(read)} s vs {_s(f.read_median_s)} s)."]
    rss = r.process.memory_mb
    peak_stage = next((STAGE_LABELS[k] for k in STAGES if k in r.stages
                       and float(r.stages[k]["peak_rss_mb"]) >= 0.95 * max(float(v["peak_rss_mb"]) for v in r.stages.values())),
                      "")
    out += [f"- Peak RSS {rss:,.0f} MB (budget {TARGET_RSS_MB:,.0f} MB: "
            + ("met" if rss <= TARGET_RSS_MB else f"over by {rss - TARGET_RSS_MB:,.0f} MB")
            + (f"); the main process reaches its own peak by the end of **{peak_stage}**." if peak_stage else ").")]
    return out


def write_benchmarks_md(figures: str, path: Path) -> None:
    """Rewrite the figures below the marker; keep the header above it (or write the default one)."""
    header = DEFAULT_HEADER
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        if MARKER in text:
            header = text.split(MARKER, 1)[0]
    path.write_text(header.rstrip() + "\n\n" + MARKER + "\n\n" + figures, encoding="utf-8")


# --- the command ----------------------------------------------------------------------------------

def _stderr_log(started: float) -> Callable[[str], None]:
    def log(message: str) -> None:
        print(f"[bench {time.perf_counter() - started:7.1f} s] {message}", file=sys.stderr, flush=True)
    return log


def main(sizes: list[str]) -> int:
    """`python -m pipeline bench --sizes medium,large` (also `tiny`): 0 when every measurement ran."""
    from pipeline.benchdata import SIZE_SCALES

    sizes = [s.strip() for s in sizes if s.strip()]
    unknown = [s for s in sizes if s not in SIZE_SCALES]
    if not sizes or unknown:
        print(f"error: unknown size {', '.join(unknown) or '(none)'}; choose from {', '.join(SIZE_SCALES)}",
              file=sys.stderr)
        return 2
    log = _stderr_log(time.perf_counter())
    bench_dir = ROOT / ".bench"
    bench = run_benchmarks(sizes, bench_dir, command=f"python -m pipeline bench --sizes {','.join(sizes)}", log=log)
    # A tiny-only run is a check of the harness, not figures worth keeping: it does not overwrite them.
    target = ROOT / "BENCHMARKS.md" if set(sizes) - {"tiny"} else bench_dir / "BENCHMARKS-tiny.md"
    write_benchmarks_md(render_figures(bench), target)
    log(f"figures written to {target}" + ("" if bench.ok else " — some measurements FAILED (see the file)"))
    return 0 if bench.ok else 1


# --- the worker processes (python -m pipeline.bench _floor | _pack_floor | _naive | _profile) ------

def _workbooks(inputs: Path) -> list[Path]:
    return sorted(p for p in inputs.rglob("*") if p.suffix.lower() in (".xlsx", ".xlsm", ".xls")
                  and not p.name.startswith(("~$", ".")))


def floor_read(inputs: Path, mode: str) -> dict:
    """Read every sheet of every workbook under `inputs` with nothing else; what was read and how long."""
    if mode == "inflate":
        import zipfile

        started = time.perf_counter()
        total = sheets = 0
        for path in _workbooks(inputs):
            with zipfile.ZipFile(path) as zf:
                for info in zf.infolist():
                    if info.filename.startswith("xl/worksheets/") or info.filename == "xl/sharedStrings.xml":
                        with zf.open(info) as part:
                            while chunk := part.read(1 << 22):
                                total += len(chunk)
                        sheets += info.filename.startswith("xl/worksheets/sheet")
        return {"read_s": time.perf_counter() - started, "sheets": sheets, "rows": 0, "cells": 0, "bytes": total}
    import fastexcel

    dtypes = "string" if mode == "fastexcel_text" else None
    started = time.perf_counter()
    sheets = rows = cells = 0
    batches = []      # kept, so the floor holds everything in memory as the pipeline must
    for path in _workbooks(inputs):
        reader = fastexcel.read_excel(str(path))
        for name in reader.sheet_names:
            batch = reader.load_sheet(name, header_row=None, dtypes=dtypes, eager=True)
            batches.append(batch)
            sheets += 1
            rows += batch.num_rows
            cells += batch.num_rows * batch.num_columns
    return {"read_s": time.perf_counter() - started, "sheets": sheets, "rows": rows, "cells": cells}


def pack_volume(out: Path) -> dict:
    """What a run's pack holds: valued cells of the KPI workbook (text and numbers), PNG charts and
    PDF pages, counted from the files the run wrote into `out`."""
    import re
    import zipfile

    numbers = texts = 0
    for workbook in sorted(out.glob("kpi_pack_*.xlsx")):
        with zipfile.ZipFile(workbook) as zf:
            for info in zf.infolist():
                if info.filename.startswith("xl/worksheets/sheet"):
                    xml = zf.read(info)
                    valued, text = xml.count(b"<v>"), xml.count(b' t="s"')
                    texts += text
                    numbers += valued - text
    pages = sum(len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf.read_bytes()))
                for pdf in sorted(out.glob("review_pack_*.pdf")))
    pngs = len(list((out / "charts").glob("*.png")))
    return {"numbers": numbers, "texts": texts, "pngs": pngs, "pages": pages}


def pack_floor(out: Path) -> dict:
    """The least the pack's libraries need for a pack the size of the one in `out`, with nothing of
    ours around them: xlsxwriter writing as many text and number cells (rows of 17, one format),
    matplotlib drawing as many minimal charts (12 points, a title, no layout engine) into PNGs and
    into PDF pages with the bundled CJK face embedded. CPU seconds of this process (one thread)."""
    import xlsxwriter
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    from pipeline.report.charts import CHART_SIZE, chart_style, close, save_png
    from pipeline.report.fonts import truetype_subsets
    from pipeline.report.pdf import PAGE_SIZE

    volume = pack_volume(out)
    result = dict(volume)
    names = [f"客户{i:04d} 有限公司" for i in range(3000)]     # text cells: a customer-sized pool
    months = [f"{i + 1}月" for i in range(12)]
    values = [90.0 + (i % 97) / 10 for i in range(12)]

    def chart(fig: Figure, rect: Sequence[float]) -> None:
        ax = fig.add_axes(rect)
        ax.plot(months, values, marker="o")
        ax.axhline(95.0, linestyle="--")
        ax.set_title("准时交货率 按月趋势（目标 95%）")
        ax.set_ylabel("%")

    with tempfile.TemporaryDirectory(prefix="cq-pack-floor-") as tmp:
        started = time.process_time()
        wb = xlsxwriter.Workbook(os.path.join(tmp, "floor.xlsx"))
        ws = wb.add_worksheet("floor")
        fmt = wb.add_format({"num_format": "0.0"})
        cells, texts = volume["numbers"] + volume["texts"], volume["texts"]
        for n in range(cells):
            row, col = divmod(n, 17)
            if n < texts:
                ws.write_string(row, col, names[n % len(names)])
            else:
                ws.write_number(row, col, values[n % 12], fmt)
        wb.close()
        result["xlsx_cpu_s"] = time.process_time() - started

        with chart_style():
            started = time.process_time()
            for i in range(volume["pngs"]):
                fig = Figure(figsize=CHART_SIZE)
                chart(fig, [0.1, 0.12, 0.85, 0.78])
                save_png(fig, Path(tmp) / f"chart{i}.png")
            result["png_cpu_s"] = time.process_time() - started

            started = time.process_time()
            with truetype_subsets(), PdfPages(os.path.join(tmp, "floor.pdf")) as pdf:
                for i in range(volume["pages"]):
                    fig = Figure(figsize=PAGE_SIZE)
                    fig.text(0.05, 0.95, f"管理评审 第{i + 1}页", fontsize=15)
                    chart(fig, [0.08, 0.1, 0.86, 0.75])
                    pdf.savefig(fig)
                    close(fig)
            result["pdf_cpu_s"] = time.process_time() - started
    return result


def naive_read_file(entry, passwords=None, environ=None):
    """A reader as the textbook writes it: `pandas.read_excel(engine="openpyxl")`, cells as text."""
    from datetime import timezone

    import pandas as pd

    from pipeline.read.model import FileRead, RawSheet

    frames = pd.read_excel(entry.path, sheet_name=None, header=None, dtype=str, engine="openpyxl")
    sheets = []
    for name, frame in frames.items():
        frame = frame.copy()
        frame.columns = range(frame.shape[1])
        sheets.append(RawSheet(entry.rel, name, frame, 1))
    modified = datetime.fromtimestamp(entry.path.stat().st_mtime, tz=timezone.utc)
    return FileRead(entry.rel, "read", sheets=sheets, modified=modified)


def _naive_main(inputs: Path, out: Path, period: str) -> dict:
    """The naive read fed through the pipeline's own ingest (stage/validate, resolve) and KPI code.

    `pipeline.run.ingest` is called with its reader swapped for `naive_read_file` (one file after
    the other, in this process), then `compute_kpis` as `pipeline.run.run` calls it; the reports are not written (they do not
    depend on the reader: the comparison takes the run's own). The KPIs go to `out/kpis_long.csv`
    so the caller can check they are the run's, byte for byte. If any of that is not possible,
    only the naive read is timed, and the note says why.
    """
    import importlib

    import pipeline.read
    import pipeline.run as run_module

    our_read_file = pipeline.read.read_file
    counter = {"calls": 0, "read_s": 0.0}

    def counted(entry, *args, **kwargs):
        started = time.perf_counter()
        try:
            if entry.kind != "xlsx":
                return our_read_file(entry, *args, **kwargs)
            return naive_read_file(entry, *args, **kwargs)
        finally:
            counter["calls"] += 1
            counter["read_s"] += time.perf_counter() - started

    def one_after_another(entries, task, *args, **kwargs):
        # The naive way: one file after the other, in this process (no reader workers).
        return [task(entry) for entry in entries]

    def counted_many(entries, passwords=None, *args, **kwargs):
        return [counted(entry, passwords) for entry in entries]

    # Wherever the run's ingest finds its reader (`pipeline.read.read_file`, looked up at call time
    # by `pipeline.ingest.process_file`; or a name imported into `pipeline.run`), it finds ours;
    # and its file pool, if any, runs in this process so that it does.
    os.environ["CQ_READ_WORKERS"] = "0"
    swaps = [(pipeline.read, "read_file", counted), (run_module, "read_file", counted),
             (run_module, "read_files", counted_many), (run_module, "map_files", one_after_another)]
    try:
        swaps.append((importlib.import_module("pipeline.ingest"), "read_file", counted))
    except ImportError:
        pass
    swapped = [(module, name, getattr(module, name)) for module, name, _ in swaps if hasattr(module, name)]
    for module, name, replacement in swaps:
        if hasattr(module, name):
            setattr(module, name, replacement)
    note = ""
    try:
        import pandas as pd

        from pipeline.kpis import compute_kpis
        from pipeline.kpis.base import KpiContext
        from pipeline.kpis.long import write_kpis_long
        from pipeline.workdays import WorkCalendar

        settings = run_module.load_run_settings(inputs)
        progress = run_module.Progress(settings.report.language, total=5, quiet=True)
        ingested = run_module.ingest(inputs, settings, progress)
        registers = {k: v for k, v in ingested.resolved.registers.items() if len(v) or k == "customers"}
        t0, c0 = time.perf_counter(), time.process_time()
        as_of = settings.period.as_of or pd.Period(period, freq="M").end_time.date()
        ctx = KpiContext(settings=settings, period=period, as_of=as_of,
                         calendar=WorkCalendar.from_settings(settings))
        kpis = compute_kpis(registers, ctx)
        progress.stage("kpis", "KPIs", t0, c0)
        out.mkdir(parents=True, exist_ok=True)
        write_kpis_long(kpis, out / "kpis_long.csv")
    except Exception as exc:  # noqa: BLE001 - reported in the figures, then the read is timed alone
        note = f"{type(exc).__name__}: {exc}"[:200]
    finally:
        for module, name, original in swapped:
            setattr(module, name, original)
    if not note and counter["calls"]:
        return {"mode": "pipeline", "read_s": counter["read_s"], "timings": progress.timings,
                "calls": counter["calls"]}
    note = note or "pipeline.run.ingest never called a reader the harness could swap"
    from pipeline.discover import discover

    started = time.perf_counter()
    for entry in discover(inputs):
        if entry.readable and entry.kind == "xlsx":
            naive_read_file(entry)
    return {"mode": "read_only", "read_s": time.perf_counter() - started, "timings": {}, "note": note}


def _profile_main(inputs: Path, out: Path, period: str, top: int, dump: Path | None = None) -> dict:
    """The whole run under cProfile: the top functions by own time, ours by cumulative time; the
    raw statistics go to `dump` for `python -m pstats` (callers, callees)."""
    import cProfile
    import pstats

    from pipeline.cli import main as cli_main

    # The profiler sees only this process: the reader workers' files are read here, one by one,
    # and the report writers run here one after the other.
    os.environ["CQ_READ_WORKERS"] = "0"
    os.environ["CQ_REPORT_WORKERS"] = "0"
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    code = cli_main(["--quiet", "run", "--inputs", str(inputs), "--period", period, "--out", str(out),
                     *cold_run_flags()])
    profiler.disable()
    total = time.perf_counter() - started
    if code != 0:
        raise SystemExit(code)
    if dump is not None:
        profiler.dump_stats(str(dump))
    stats = pstats.Stats(profiler).stats   # (file, line, name) → (primitive calls, calls, own, cumulative, callers)

    def name(key) -> str:
        file, line, func = key
        if file.startswith("~") or file == "{built-in}":
            return func
        path = Path(file)
        for anchor in (ROOT, *[Path(p) for p in sys.path if p]):
            try:
                return f"{path.relative_to(anchor)}:{line}({func})"
            except ValueError:
                continue
        return f"{path.name}:{line}({func})"

    rows = [(name(k), v[1], v[2], v[3], k[0]) for k, v in stats.items()]
    own = sorted(rows, key=lambda r: -r[2])[:top]
    ours = [r for r in rows if str(ROOT / "pipeline") in r[4] or str(ROOT / "schemas") in r[4]]
    cumulative = sorted((r for r in ours if "bench.py" not in r[4]), key=lambda r: -r[3])[:top]
    return {"total_s": total,
            "own": [{"function": r[0], "calls": r[1], "own_s": r[2]} for r in own],
            "cumulative": [{"function": r[0], "calls": r[1], "cum_s": r[3]} for r in cumulative]}


def _worker(argv: list[str]) -> int:
    command, args = argv[0], argv[1:]
    if command == "_floor":
        result = floor_read(Path(args[1]), args[0])
    elif command == "_pack_floor":
        result = pack_floor(Path(args[0]))
    elif command == "_naive":
        result = _naive_main(Path(args[0]), Path(args[1]), args[2])
    elif command == "_profile":
        result = _profile_main(Path(args[0]), Path(args[1]), args[2], int(args[3]),
                               Path(args[4]) if len(args) > 4 else None)
    else:
        print(f"unknown worker {command!r}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(_worker(sys.argv[1:]))
