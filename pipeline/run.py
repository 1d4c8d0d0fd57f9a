"""The one place that sequences the stages and touches the output folder.

    discover → read → stage/validate → resolve → KPIs → reports

Outputs are written into a temporary folder beside the target and moved into place only when
everything succeeded (outputs.md): a failed or killed run leaves the previous outputs as they were.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import pandas as pd
from xlsxwriter.exceptions import FileCreateError

from pipeline import __version__, installed_versions
from pipeline.discover import FileEntry, discover
from pipeline.i18n import t
from pipeline.read.pool import map_files
from pipeline.registers import REGISTERS
from pipeline.stage import StagedSheet

ROOT = Path(__file__).resolve().parent.parent
PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")

EXIT_OK, EXIT_FATAL, EXIT_USAGE, EXIT_STRICT = 0, 1, 2, 3


class RunError(Exception):
    """A fatal condition with a plain message for the analyst, and its exit code."""

    def __init__(self, message: str, code: int = EXIT_FATAL):
        super().__init__(message)
        self.code = code


@dataclass
class Progress:
    """One line per stage on stderr, with its time; a bar while reading files."""
    language: str
    total: int
    quiet: bool = False
    n: int = 0
    timings: dict = field(default_factory=dict)

    def stage(self, key: str, label: str, started: float, cpu_started: float) -> None:
        self.n += 1
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.timings[key] = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
                             "peak_rss_mb": round(rss_kb / 1024, 1)}
        self.say(t("run.stage", self.language, n=self.n, total=self.total, stage=label, seconds=wall))

    def bar(self, done: int, total: int, name: str) -> None:
        if self.quiet or total == 0 or not sys.stderr.isatty():
            return
        width = 30
        filled = int(width * done / total)
        sys.stderr.write(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {name[:50]:<50}")
        if done == total:
            sys.stderr.write("\r" + " " * (width + 70) + "\r")
        sys.stderr.flush()

    def say(self, text: str) -> None:
        if not self.quiet:
            print(text, file=sys.stderr, flush=True)


STAGE_LABELS = {
    "discover": ("发现文件", "discover"), "read": ("读取与校验（各文件）", "read + stage/validate (per file)"),
    "stage": ("汇总各表", "collect sheets"), "resolve": ("关联与去重", "resolve"),
    "kpis": ("计算指标", "KPIs"), "reports": ("生成报告", "reports"),
}


def _label(key: str, language: str) -> str:
    zh, en = STAGE_LABELS[key]
    return zh if language == "zh" else en


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def package_versions() -> dict[str, str]:
    names = ["pandas", "numpy", "pyarrow", "pandera", "python-calamine", "fastexcel", "openpyxl",
             "xlrd", "xlsxwriter", "matplotlib", "chinese-calendar", "opencc", "defusedxml",
             "msoffcrypto-tool", "charset-normalizer"]
    return {"python": sys.version.split()[0], "cq-pipeline": __version__, **installed_versions(names)}


@dataclass
class Ingested:
    """Everything reading and validation learned, for the data-quality report and the KPIs."""
    entries: list[FileEntry]
    reads: list                       # FileOutcome per readable file, in discovery order
    sheet_rows: list[dict]
    mappings: list[dict]
    warnings: list[dict]
    staged: list[StagedSheet]
    resolved: object
    unrecognised: int
    hashes: dict[str, str]
    cache_hits: int = 0


def ingest(inputs: Path, settings, progress: Progress, cache_dir: Path | None = None) -> Ingested:
    """discover → read and stage (in workers, or from the cache) → resolve."""
    from functools import partial

    from pipeline.cache import RegisterCache
    from pipeline.ingest import FileOutcome, StageOptions, process_file
    from pipeline.quality import resolve

    L = settings.report.language
    t0, c0 = time.perf_counter(), time.process_time()
    entries = discover(inputs)
    hashes = {e.rel: sha256_of(e.path) for e in entries}
    progress.stage("discover", _label("discover", L), t0, c0)

    t0, c0 = time.perf_counter(), time.process_time()
    options = StageOptions.from_settings(settings)
    readable = [e for e in entries if e.readable]
    cache = RegisterCache(cache_dir, options) if cache_dir is not None else None
    outcomes: dict[str, object] = {}
    if cache is not None:
        for e in readable:
            hit = cache.load(e, hashes[e.rel])
            if hit is not None:
                outcomes[e.rel] = hit
    misses = [e for e in readable if e.rel not in outcomes]
    done = map_files(misses, partial(process_file, options=options), FileOutcome.failed,
                     progress=progress.bar)
    for e, outcome in zip(misses, done):
        outcomes[e.rel] = outcome
        if cache is not None and outcome.status == "read":
            cache.store(e, hashes[e.rel], outcome)
    reads = [outcomes[e.rel] for e in readable]
    progress.stage("read", _label("read", L), t0, c0)

    t0, c0 = time.perf_counter(), time.process_time()
    staged: list[StagedSheet] = []
    sheet_rows: list[dict] = []
    mappings: list[dict] = []
    warnings: list[dict] = []
    unrecognised = 0
    ignored: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for fo in reads:
        for so in fo.sheets:
            fields = dict(so.note_fields)
            if "reason" in fields:
                fields["reason"] = t(fields["reason"], L)
            row = _sheet_row(fo.file, so.sheet, so.register, t(so.note_key, L, **fields))
            unrecognised += so.unrecognised
            if so.staged is not None:
                staged.append(so.staged)
                row["header_row"] = so.header_row
                row["_staged"] = so.staged
                for header, column in so.mappings:
                    mappings.append({"file": fo.file, "sheet": so.sheet, "register": so.register,
                                     "header": header, "column": column})
                for header in so.ignored:
                    ignored.setdefault((so.register, header), []).append((fo.file, so.sheet))
            sheet_rows.append(row)
    # registers.md: columns a register does not know are ignored, listed once in the report.
    for (register, header), where in ignored.items():
        warnings.append({"kind": t("warn.kind.ignored_column", L), "file": where[0][0], "sheet": where[0][1],
                         "message": t("warn.ignored_column", L, header=header, register=register,
                                      sheets=len(where))})
    progress.stage("stage", _label("stage", L), t0, c0)

    t0, c0 = time.perf_counter(), time.process_time()
    mtimes = {fo.file: fo.modified for fo in reads}
    resolved = resolve(staged, mtimes)
    by_key = {(a.file, a.sheet): a for a in resolved.accounts}
    for row in sheet_rows:
        sheet = row.pop("_staged", None)
        if sheet is not None:
            acc = by_key[(sheet.file, sheet.sheet)]
            row.update(rows_read=acc.rows_read, accepted=acc.accepted, rejected=acc.rejected,
                       skipped=acc.skipped, duplicates=acc.duplicates, superseded=acc.superseded)
    for u in resolved.unknown_customers.itertuples(index=False):
        warnings.append({"kind": t("warn.kind.unknown_customer", L), "file": u.first_file, "sheet": u.first_sheet,
                         "message": t("warn.unknown_customer", L, customer=u.customer_key, register=u.register,
                                      rows=int(u.rows), file=u.first_file, sheet=u.first_sheet, row=int(u.first_row))})
    progress.stage("resolve", _label("resolve", L), t0, c0)
    return Ingested(entries, reads, sheet_rows, mappings, warnings, staged, resolved, unrecognised,
                    hashes, cache_hits=len(readable) - len(misses))


def _sheet_row(file: str, sheet: str, register: str | None, note: str) -> dict:
    return {"file": file, "sheet": sheet, "register": register, "note": note, "header_row": None,
            "rows_read": 0, "accepted": 0, "rejected": 0, "skipped": 0, "duplicates": 0, "superseded": 0}


def _file_records(ing: Ingested, L: str) -> list[dict]:
    by_file = {fr.file: fr for fr in ing.reads}
    records = []
    for e in ing.entries:
        if not e.readable:
            status, reason = "skipped", t(e.skip_reason, L)
        else:
            fr = by_file[e.rel]
            status = fr.status
            reason = "" if status == "read" else _reason_text(fr.reason, fr.detail, L)
        records.append({"file": e.rel, "status": status, "reason": reason, "size": e.size,
                        "sha256": ing.hashes[e.rel]})
    return records


def _file_seconds(ing: Ingested, file: str) -> dict:
    """Per-file reading and staging seconds (in the reader workers, so they overlap)."""
    for fo in ing.reads:
        if fo.file == file:
            return {"read_s": round(fo.seconds, 3), "stage_s": round(getattr(fo, "stage_seconds", 0.0), 3)}
    return {}


def _reason_text(reason: str, detail: str, L: str) -> str:
    """A file's failure in plain words; a detail that is itself a reason (the refused sheet's)
    is spelled out too, so "none of the sheets could be read" says why."""
    keys = _TEXT_KEYS()
    text = t(reason, L) if reason in keys else reason
    if detail in keys:
        text += ("：" if L == "zh" else ": ") + t(detail, L)
    return text


def _TEXT_KEYS():
    from pipeline.i18n import TEXT

    return TEXT


def _reject_texts(rejects: pd.DataFrame, L: str) -> pd.DataFrame:
    from pipeline.i18n import TEXT

    def text(code: str) -> str:
        key = f"reason.{code}"
        return t(key, L) if key in TEXT else code

    codes = rejects["reason"].astype(str)
    mapping = {c: text(c) for c in codes.unique()}
    return rejects.assign(reason_text=codes.map(mapping))


def write_quality_outputs(ing: Ingested, out: Path, name: str, L: str) -> dict:
    from pipeline.quality_report import write_quality_workbook

    files = _file_records(ing, L)
    status_labels = {"read": ("已读取", "read"), "skipped": ("跳过", "skipped"), "failed": ("失败", "failed")}
    for f in files:
        f["status_label"] = status_labels[f["status"]][0 if L == "zh" else 1]
    reg_label = {n: (r.zh if L == "zh" else r.en) + f" ({n})" for n, r in REGISTERS.items()}
    for s in ing.sheet_rows:
        s["register_label"] = reg_label.get(s["register"], "") if s["register"] else ""
    rejects = _reject_texts(ing.resolved.rejects, L)
    rows_read = sum(s["rows_read"] for s in ing.sheet_rows)
    summary = [
        ("文件总数" if L == "zh" else "Files", len(files)),
        ("已读取文件" if L == "zh" else "Files read", sum(f["status"] == "read" for f in files)),
        ("失败文件" if L == "zh" else "Files failed", sum(f["status"] == "failed" for f in files)),
        ("跳过文件" if L == "zh" else "Files skipped", sum(f["status"] == "skipped" for f in files)),
        ("读取行数" if L == "zh" else "Rows read", rows_read),
        ("接受行数" if L == "zh" else "Rows accepted", sum(s["accepted"] for s in ing.sheet_rows)),
        ("拒收行数" if L == "zh" else "Rows rejected", sum(s["rejected"] for s in ing.sheet_rows)),
        ("跳过行数（空行、表尾）" if L == "zh" else "Rows skipped (blank, footer)", sum(s["skipped"] for s in ing.sheet_rows)),
        ("重复行" if L == "zh" else "Duplicate rows", sum(s["duplicates"] for s in ing.sheet_rows)),
        ("被替代行" if L == "zh" else "Superseded rows", sum(s["superseded"] for s in ing.sheet_rows)),
        ("未识别工作表" if L == "zh" else "Sheets not recognised", ing.unrecognised),
    ]
    summary += [((r.zh if L == "zh" else r.en) + f" ({n})", len(ing.resolved.registers.get(n, ())))
                for n, r in REGISTERS.items()]
    write_quality_workbook(out / name, L, files, ing.sheet_rows, ing.mappings, rejects,
                           ing.resolved.set_aside, ing.warnings, summary)
    return {"files": files}


def manifest_dict(ing: Ingested, files: list[dict], settings, command: str, period: str | None,
                  as_of: date | None, started: datetime, timings: dict, exit_code: int) -> dict:
    return {
        "tool": {"name": "cq-pipeline", "version": __version__},
        "command": command,
        "period": period,
        "as_of": as_of.isoformat() if as_of else None,
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "files": [{"file": f["file"], "status": f["status"], "reason": f["reason"], "size": f["size"],
                   "sha256": f["sha256"], **_file_seconds(ing, f["file"])} for f in files],
        "sheets": [{k: s[k] for k in ("file", "sheet", "register", "rows_read", "accepted", "rejected",
                                      "skipped", "duplicates", "superseded")} for s in ing.sheet_rows],
        "registers": {n: {"rows": int(len(ing.resolved.registers.get(n, ())))} for n in REGISTERS},
        "rows_rejected": int(sum(s["rejected"] for s in ing.sheet_rows)),
        "settings": settings.as_dict(),
        "settings_files": [str(p) for p in settings.sources],
        "packages": package_versions(),
        "timings": timings,
        "cache_hits": ing.cache_hits,
        "exit_code": exit_code,
    }


#: hidden working folder beside the run folders: the cache and the packs being built
WORK_DIR = ".cq-work"


def _why(exc: BaseException) -> str:
    """An OS error in plain words (xlsxwriter wraps the OSError it met)."""
    inner = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else exc
    if isinstance(inner, OSError) and inner.strerror:
        return inner.strerror
    return str(inner)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class OutputFolder:
    """Build a run's outputs in `<parent>/.cq-work/staging/` and move them into place only on success.

    A run killed at any point (SIGKILL, a power cut) leaves the previous outputs where they were;
    what it was building stays in the hidden working folder and the next run for the same folder
    removes it — or, if it was killed between the two renames of the final move, puts the previous
    outputs back first.
    """

    def __init__(self, target: Path, language: str = "en"):
        self.target = target
        self.language = language
        self.work = target.parent / WORK_DIR / "staging"
        self.tmp: Path | None = None

    def _cannot_write(self, path: Path, exc: BaseException) -> RunError:
        return RunError(t("run.cannot_write", self.language, path=path, why=_why(exc)))

    def __enter__(self) -> Path:
        parent = self.target.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            self.work.mkdir(parents=True, exist_ok=True)
            self._clean_leftovers()
            self.tmp = Path(tempfile.mkdtemp(prefix=f"{self.target.name}~{os.getpid()}~", dir=self.work))
        except OSError as exc:
            raise self._cannot_write(parent, exc) from exc
        return self.tmp

    def _clean_leftovers(self) -> None:
        """Folders of earlier runs of this target that died: restore an old pack, remove the rest."""
        for leftover in sorted(self.work.glob(f"{self.target.name}~*")):
            parts = leftover.name.split("~")
            pid = int(parts[1]) if len(parts) >= 3 and parts[1].isdigit() else -1
            if pid == os.getpid() or (pid > 0 and _pid_alive(pid)):
                continue
            if parts[-1] == "old" and not self.target.exists():
                os.replace(leftover, self.target)
            else:
                shutil.rmtree(leftover, ignore_errors=True)

    def commit(self) -> None:
        old = None
        if self.target.exists():
            old = self.work / f"{self.target.name}~{os.getpid()}~old"
            os.replace(self.target, old)
        try:
            os.replace(self.tmp, self.target)
        except OSError:
            if old is not None and not self.target.exists():
                os.replace(old, self.target)        # the previous outputs go back where they were
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def __exit__(self, exc_type, exc, tb):
        if self.tmp is not None and self.tmp.exists():
            shutil.rmtree(self.tmp, ignore_errors=True)
        return False


def load_run_settings(inputs: Path):
    from pipeline.settings import SettingsError, load_settings

    try:
        return load_settings(ROOT / "settings.toml", inputs)
    except SettingsError as exc:
        raise RunError(str(exc), EXIT_USAGE) from exc


def _early_language(inputs: Path) -> str:
    """The language of a message given before the run's settings are in force (a bad period, a
    missing inputs folder): the settings' `report.language` when they load, else the default."""
    from pipeline.settings import SettingsError, load_settings

    try:
        return load_settings(ROOT / "settings.toml", inputs if inputs.is_dir() else None).report.language
    except (SettingsError, OSError):
        return "zh"


def cache_folder(out: Path, no_cache: bool) -> Path | None:
    """Parsed registers are cached beside the run folders (`outputs/.cq-work/cache`), shared by
    every period's run."""
    return None if no_cache else out.resolve().parent / WORK_DIR / "cache"


def validate(inputs: Path, out: Path, quiet: bool = False, no_cache: bool = False) -> int:
    """`python -m pipeline validate`: only data_quality.xlsx and manifest.json."""
    started = datetime.now(timezone.utc)
    if not inputs.is_dir():
        raise RunError(t("run.no_inputs", _early_language(inputs), inputs=inputs), EXIT_USAGE)
    settings = load_run_settings(inputs)
    L = settings.report.language
    progress = Progress(L, total=4, quiet=quiet)
    ing = ingest(inputs, settings, progress, cache_folder(out, no_cache))
    with OutputFolder(out, L) as tmp, _writing(out, L):
        written = write_quality_outputs(ing, tmp, "data_quality.xlsx", L)
        code = EXIT_OK if any(len(f) for f in ing.resolved.registers.values()) else EXIT_FATAL
        manifest = manifest_dict(ing, written["files"], settings, "validate", None, None, started,
                                 progress.timings, code)
        _write_manifest(tmp, manifest)
        _commit(OutputFolder, tmp, out, L)
    rejected = manifest["rows_rejected"]
    progress.say(t("run.validated", L, out=out / "data_quality.xlsx", rejected=rejected))
    return code


@contextlib.contextmanager
def _writing(out: Path, language: str):
    """Any failure to write an output (disk full, a file locked by Excel, a name too long) becomes
    a plain message naming the folder; the previous outputs are kept."""
    try:
        yield
    except (OSError, FileCreateError) as exc:
        raise OutputFolder(out, language)._cannot_write(out, exc) from exc


def _write_manifest(folder: Path, manifest: dict) -> None:
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")


def _commit(_cls, tmp: Path, out: Path, language: str = "en") -> None:
    folder = OutputFolder(out, language)
    folder.tmp = tmp
    try:
        folder.commit()
    except OSError as exc:
        raise folder._cannot_write(out, exc) from exc


def run(inputs: Path, period: str, out: Path, strict: bool = False, quiet: bool = False,
        no_cache: bool = False) -> int:
    """`python -m pipeline run`: the whole monthly job."""
    from pipeline.kpis import compute_kpis
    from pipeline.kpis.base import KpiContext
    from pipeline.kpis.long import write_kpis_long
    from pipeline.parallel import Job, start_jobs

    started = datetime.now(timezone.utc)
    if not PERIOD_RE.match(period or ""):
        raise RunError(t("run.bad_period", _early_language(inputs), period=period), EXIT_USAGE)
    if not inputs.is_dir():
        raise RunError(t("run.no_inputs", _early_language(inputs), inputs=inputs), EXIT_USAGE)
    settings = load_run_settings(inputs)
    L = settings.report.language
    as_of = settings.period.as_of or pd.Period(period, freq="M").end_time.date()
    first_day = pd.Period(period, freq="M").start_time.date()
    if as_of < first_day:       # the books read before the month began: every figure of P would be empty
        raise RunError(t("run.as_of_before_period", L, as_of=as_of, period=period), EXIT_USAGE)
    progress = Progress(L, total=6, quiet=quiet)
    ing = ingest(inputs, settings, progress, cache_folder(out, no_cache))
    registers = {k: v for k, v in ing.resolved.registers.items() if len(v) or k == "customers"}
    if not any(len(v) for v in registers.values()):
        raise RunError(t("run.nothing_usable", L, inputs=inputs), EXIT_FATAL)

    t0, c0 = time.perf_counter(), time.process_time()
    from pipeline.workdays import WorkCalendar

    from pipeline.workdays import CalendarError

    try:
        calendar = WorkCalendar.from_settings(settings)
        ctx = KpiContext(settings=settings, period=period, as_of=as_of, calendar=calendar)
        kpis = compute_kpis(registers, ctx)
    except CalendarError as exc:
        raise RunError(exc.text(L) if hasattr(exc, "text") else str(exc), EXIT_FATAL) from exc
    assumed = calendar.assumed_message(L)
    if assumed:     # deadlines counted through a year the official calendar does not know yet
        ing.warnings.append({"kind": t("warn.kind.calendar_assumed", L), "file": "", "sheet": "",
                             "message": assumed})
        progress.say(assumed)
    progress.stage("kpis", _label("kpis", L), t0, c0)

    t0, c0 = time.perf_counter(), time.process_time()
    previous = _previous_kpis(out)
    with OutputFolder(out, L) as tmp, _writing(out, L):
        # The writers share nothing but their input: the ones that need no pack data start now,
        # in child processes where the machine allows, while this process shapes the pack's data.
        early = start_jobs([
            Job("data quality", write_quality_outputs, (ing, tmp, f"data_quality_{period}.xlsx", L)),
            Job("kpis_long", write_kpis_long, (kpis, tmp / "kpis_long.csv")),
            Job("sampling plan", _write_sampling_plan, (registers, settings, tmp, period))])
        writers: dict = {}
        try:
            _write_pack(tmp, kpis, registers, ctx, settings, ing, previous, started, writers)
        except BaseException:
            early.stop()
            raise
        written = early.results()[0]
        writers.update(early.seconds)
        rejected = int(sum(s["rejected"] for s in ing.sheet_rows))
        failed = sum(fr.status == "failed" for fr in ing.reads)
        code = EXIT_STRICT if strict and (rejected or ing.unrecognised or failed) else EXIT_OK
        progress.stage("reports", _label("reports", L), t0, c0)
        # each writer's own seconds (in its child process when they ran side by side)
        progress.timings["reports"]["writers"] = {name: writers[name] for name in sorted(writers)}
        manifest = manifest_dict(ing, written["files"], settings, "run", period, as_of, started,
                                 progress.timings, code)
        _write_manifest(tmp, manifest)
        _commit(OutputFolder, tmp, out, L)
    if code == EXIT_STRICT:
        progress.say(t("run.strict_failed", L, rejected=rejected, unrecognised=ing.unrecognised, failed=failed))
    progress.say(t("run.done", L, out=out, rejected=rejected))
    return code


def _previous_kpis(out: Path) -> pd.DataFrame | None:
    path = out / "kpis_long.csv"
    try:
        if not path.is_file():
            return None
        return pd.read_csv(path, encoding="utf-8-sig", dtype={"period": str, "kpi": str, "scope": str,
                                                              "key": str, "status": str, "label": str},
                           keep_default_na=False, na_values={"value": [""], "numerator": [""],
                                                             "denominator": [""], "target": [""]})
    except (OSError, ValueError):
        return None


def _write_sampling_plan(registers, settings, tmp: Path, period: str) -> None:
    """The dispatch list, always written (outputs.md lists the file): without a customer master it
    says there is nothing to draw from, since the draw is by the master's annual order value."""
    from pipeline.kpis.sampling import sampling_plan, write_sampling_plan

    customers = registers.get("customers")
    L = settings.report.language
    note = t("kpis.sampling.no_master", L) if customers is None or customers.empty else None
    plan = sampling_plan(customers, settings)
    write_sampling_plan(plan, tmp / f"sampling_plan_{period}.xlsx", L, settings.report.company, period, note)


def _write_pack(tmp: Path, kpis, registers, ctx, settings, ing: Ingested, previous, started,
                seconds: dict | None = None) -> None:
    from pipeline.report import RunInfo, build_pack

    rows_read = sum(s["rows_read"] for s in ing.sheet_rows)
    run_info = RunInfo(
        company=settings.report.company, period=ctx.period, as_of=ctx.as_of,
        generated_at=started, language=settings.report.language, rows_read=rows_read,
        rows_used=int(sum(len(v) for v in ing.resolved.registers.values())),
        rows_rejected=int(sum(s["rejected"] for s in ing.sheet_rows)),
        files_read=sum(fr.status == "read" for fr in ing.reads),
        files_failed=sum(fr.status == "failed" for fr in ing.reads),
        files_skipped=sum(not e.readable for e in ing.entries))
    build_pack(tmp, kpis, registers, ctx, run_info, previous, seconds)
