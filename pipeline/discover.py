"""Which files a run reads (registers.md, "What a run reads").

Every .xlsx, .xlsm, .xls and .csv under the inputs folder, recursively. Names starting with `~$`
(Excel lock files) or `.` (hidden files and folders) are skipped silently; every other file is
listed as skipped with its reason, so nothing the analyst dropped in goes unmentioned.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

READABLE = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".csv": "csv"}
SETTINGS_FILE = "settings.toml"


@dataclass(frozen=True)
class FileEntry:
    path: Path
    rel: str                 # relative to the inputs folder, "/" separators
    kind: str                # "xlsx" | "xls" | "csv" | "other"
    size: int
    skip_reason: str = ""    # an i18n key when the file is listed but not read

    @property
    def readable(self) -> bool:
        return not self.skip_reason


def _silently_skipped(name: str) -> bool:
    return name.startswith("~$") or name.startswith(".")


def discover(inputs_dir: Path) -> list[FileEntry]:
    """Every file under `inputs_dir` the run must account for, in a stable order."""
    entries: list[FileEntry] = []
    for path in sorted(inputs_dir.rglob("*"), key=lambda p: p.relative_to(inputs_dir).as_posix()):
        rel_parts = path.relative_to(inputs_dir).parts
        if any(_silently_skipped(part) for part in rel_parts):
            continue
        if not path.is_file() or path.is_symlink():
            if path.is_symlink():
                entries.append(FileEntry(path, "/".join(rel_parts), "other", 0, "skip.symlink"))
            continue
        rel = "/".join(rel_parts)
        kind = READABLE.get(path.suffix.lower(), "other")
        size = path.stat().st_size
        if rel == SETTINGS_FILE:
            entries.append(FileEntry(path, rel, "other", size, "skip.settings"))
        elif kind == "other":
            entries.append(FileEntry(path, rel, kind, size, "skip.type"))
        else:
            entries.append(FileEntry(path, rel, kind, size))
    return entries
