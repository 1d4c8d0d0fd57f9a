"""One input file → everything the run learns from it, in words that do not depend on the language.

`process_file` reads a file, classifies each visible sheet and stages it (types, values, rejects).
It runs in a reader worker for large folders (so files are read *and* staged in parallel) and its
result is what the cache keeps per input file: a rerun on unchanged files skips straight to resolve.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Mapping

from pipeline.discover import FileEntry
from pipeline.read.model import FileRead
from pipeline.stage import StagedSheet


@dataclass(frozen=True)
class StageOptions:
    """The settings that change what a file stages to (and so are part of its cache key)."""
    dayfirst: bool
    scale_max: float
    headers: Mapping[str, Mapping[str, tuple[str, ...]]]
    passwords: Mapping[str, str]

    @classmethod
    def from_settings(cls, settings) -> "StageOptions":
        headers = {r: {c: tuple(a) for c, a in cols.items()} for r, cols in settings.headers.items()}
        return cls(bool(settings.input.dayfirst), float(settings.survey.scale_max), headers,
                   dict(settings.input.passwords))

    def fingerprint(self) -> dict:
        return {"dayfirst": self.dayfirst, "scale_max": self.scale_max,
                "headers": {r: {c: list(a) for c, a in sorted(cols.items())}
                            for r, cols in sorted(self.headers.items())}}


@dataclass
class SheetOutcome:
    sheet: str
    register: str | None
    note_key: str
    note_fields: dict = field(default_factory=dict)
    header_row: int | None = None
    staged: StagedSheet | None = None
    mappings: list[tuple[str, str]] = field(default_factory=list)     # (header as written, column)
    ignored: list[str] = field(default_factory=list)
    unrecognised: bool = False


@dataclass
class FileOutcome:
    file: str
    status: str
    reason: str = ""
    detail: str = ""
    modified: datetime | None = None
    seconds: float = 0.0
    sheets: list[SheetOutcome] = field(default_factory=list)
    encrypted: bool = False
    stage_seconds: float = 0.0

    @classmethod
    def failed(cls, entry: FileEntry, reason: str, detail: str = "") -> "FileOutcome":
        return cls(entry.rel, "failed", reason, detail)


_INDEXES: dict = {}


def _alias_index(options: StageOptions):
    from pipeline.headers import AliasIndex
    from pipeline.registers import REGISTERS

    key = repr(options.fingerprint()["headers"])
    if key not in _INDEXES:
        _INDEXES[key] = AliasIndex(REGISTERS, options.headers)
    return _INDEXES[key]


def outcome_of(fr: FileRead, options: StageOptions) -> FileOutcome:
    """Classify and stage every sheet of a file that was read."""
    from pipeline.read.header import classify
    from pipeline.stage import reject_whole_sheet, stage_sheet
    from pipeline.templates import is_instructions_sheet

    index = _alias_index(options)
    out = FileOutcome(fr.file, fr.status, fr.reason, fr.detail, fr.modified, fr.seconds)
    for hidden in fr.hidden_sheets:
        out.sheets.append(SheetOutcome(hidden, None, "sheet.hidden"))
    for raw in fr.sheets:
        if raw.refused:
            # refused (over the safety limits): not read, so not recognised either (--strict fails)
            out.sheets.append(SheetOutcome(raw.sheet, None, "sheet.refused", {"reason": raw.refused},
                                           unrecognised=True))
            continue
        cls = classify(raw.cells, index.match)
        if cls.status in ("ok", "duplicate_column"):
            if cls.status == "ok":
                staged = stage_sheet(raw, cls, dayfirst=options.dayfirst, scale_max=options.scale_max)
                note = SheetOutcome(raw.sheet, cls.register, "sheet.ok")
            else:
                staged = reject_whole_sheet(raw, cls, "sheet_duplicate_column",
                                            ", ".join(h for hs in cls.duplicates.values() for h in hs))
                note = SheetOutcome(raw.sheet, cls.register, "sheet.duplicate_column", {"columns": "; ".join(
                    f"{col}: {' / '.join(hs)}" for col, hs in cls.duplicates.items())})
            note.staged = staged
            note.header_row = raw.first_row + cls.header_index
            note.mappings = [(cls.headers.get(pos, ""), column)
                             for column, pos in sorted(cls.mapping.items(), key=lambda kv: kv[1])]
            note.ignored = list(cls.ignored_headers)
            out.sheets.append(note)
        elif cls.status == "unrecognised" and is_instructions_sheet(raw.sheet, raw.cells):
            # the instructions sheet of our own templates: expected, not a problem (a company
            # sheet that only shares its name is listed as unrecognised like any other)
            out.sheets.append(SheetOutcome(raw.sheet, None, "sheet.instructions"))
        elif cls.status == "empty":
            out.sheets.append(SheetOutcome(raw.sheet, None, "sheet.empty"))
        elif cls.status == "ambiguous":
            out.sheets.append(SheetOutcome(raw.sheet, None, "sheet.ambiguous",
                                           {"candidates": ", ".join(cls.candidates)}, unrecognised=True))
        elif cls.closest:
            out.sheets.append(SheetOutcome(raw.sheet, None, "sheet.unrecognised",
                                           {"closest": cls.closest, "missing": ", ".join(cls.missing)},
                                           unrecognised=True))
        else:
            out.sheets.append(SheetOutcome(raw.sheet, None, "sheet.unrecognised_none", unrecognised=True))
    return out


def process_file(entry: FileEntry, options: StageOptions) -> FileOutcome:
    """Read, classify and stage one file. Never raises for a bad input file."""
    from pipeline.read import read_file

    fr = read_file(entry, options.passwords)
    started = time.perf_counter()
    try:
        outcome = outcome_of(fr, options)
    except (KeyboardInterrupt, SystemExit):
        raise
    except MemoryError:
        return FileOutcome.failed(entry, "refused.too_large")
    outcome.encrypted = fr.encrypted
    outcome.stage_seconds = time.perf_counter() - started
    return outcome
