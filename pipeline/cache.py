"""A cache of staged registers per input file, so a rerun on unchanged files skips the reading.

Keyed by the file's SHA-256 (plus its path and modification time, which are part of what it
stages to), the versions of the readers and of our own staging code, and the settings that change
staging (`[input] dayfirst`, `[headers]`, `survey.scale_max`). A changed file, setting or version
gives a new key, so exactly its entries are invalidated; `--no-cache` ignores the cache. Frames are
stored as Parquet and the rest as JSON — never pickle, since the outputs folder is shared — and an
entry is written to a temporary folder and renamed into place, so a killed run cannot leave half
an entry. Encrypted workbooks are never cached.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import pandas as pd

from pipeline import installed_versions
from pipeline.discover import FileEntry
from pipeline.ingest import FileOutcome, SheetOutcome, StageOptions
from pipeline.stage import StagedSheet

CACHE_FORMAT = 1
#: our own modules whose code decides what a file stages to
_SOURCES = ("registers.py", "headers.py", "ingest.py", "cache.py", "templates.py", "stage", "read")
_PACKAGES = ("pandas", "pyarrow", "pandera", "fastexcel", "python-calamine", "xlrd", "opencc",
             "charset-normalizer", "defusedxml", "numpy")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A hash of the staging code and the reader versions: a new version invalidates every entry."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256(f"format {CACHE_FORMAT}".encode())
    paths: list[Path] = []
    for name in _SOURCES:
        p = root / name
        paths.extend(sorted(p.rglob("*.py")) if p.is_dir() else [p])
    paths.extend(sorted((root.parent / "schemas").glob("*.py")))
    for p in paths:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    for package, version in installed_versions(_PACKAGES).items():
        h.update(f"{package}={version}".encode())
    return h.hexdigest()


class RegisterCache:
    def __init__(self, folder: Path, options: StageOptions):
        self.folder = folder
        self.options = options
        self._settings = json.dumps(options.fingerprint(), sort_keys=True, ensure_ascii=False)

    def key(self, entry: FileEntry, sha256: str) -> str:
        stat = entry.path.stat()
        parts = [code_fingerprint(), self._settings, entry.rel, sha256, str(stat.st_mtime_ns)]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]

    def load(self, entry: FileEntry, sha256: str) -> FileOutcome | None:
        try:
            path = self.folder / self.key(entry, sha256)
            meta_path = path / "meta.json"
            if not meta_path.is_file():
                return None
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            return _outcome_from(meta, path)
        except (OSError, ValueError, KeyError, TypeError):
            return None          # a damaged or unreachable entry is a miss, never an error

    def store(self, entry: FileEntry, sha256: str, outcome: FileOutcome) -> None:
        if outcome.encrypted:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            final = self.folder / self.key(entry, sha256)
            if final.exists():
                return
            tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.folder))
            try:
                meta = _outcome_meta(outcome, tmp)
                (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
                os.replace(tmp, final)
            finally:
                if tmp.exists():
                    shutil.rmtree(tmp, ignore_errors=True)
        except OSError:
            return                # a cache that cannot be written only costs speed


def _outcome_meta(outcome: FileOutcome, folder: Path) -> dict:
    sheets = []
    for i, s in enumerate(outcome.sheets):
        item = {k: v for k, v in asdict(s).items() if k != "staged"}
        if s.staged is not None:
            st = s.staged
            st.frame.to_parquet(folder / f"{i}_frame.parquet", index=False)
            st.rejects.to_parquet(folder / f"{i}_rejects.parquet", index=False)
            item["staged"] = {"file": st.file, "sheet": st.sheet, "register": st.register,
                              "rows_read": st.rows_read, "skipped": st.skipped,
                              "dtypes": {c: str(t) for c, t in st.frame.dtypes.items()}}
        sheets.append(item)
    return {"file": outcome.file, "status": outcome.status, "reason": outcome.reason,
            "detail": outcome.detail,
            "modified": outcome.modified.isoformat() if outcome.modified else None,
            "seconds": outcome.seconds, "stage_seconds": outcome.stage_seconds, "sheets": sheets}


def _outcome_from(meta: dict, folder: Path) -> FileOutcome:
    sheets = []
    for i, item in enumerate(meta["sheets"]):
        staged_meta = item.pop("staged", None)
        s = SheetOutcome(**{**item, "mappings": [tuple(m) for m in item["mappings"]]})
        if staged_meta is not None:
            frame = pd.read_parquet(folder / f"{i}_frame.parquet")
            frame = frame.astype(staged_meta["dtypes"])
            rejects = pd.read_parquet(folder / f"{i}_rejects.parquet")
            s.staged = StagedSheet(staged_meta["file"], staged_meta["sheet"], staged_meta["register"],
                                   frame, rejects, staged_meta["rows_read"], staged_meta["skipped"])
        sheets.append(s)
    modified = datetime.fromisoformat(meta["modified"]) if meta["modified"] else None
    return FileOutcome(meta["file"], meta["status"], meta["reason"], meta["detail"], modified,
                       meta["seconds"], sheets)
