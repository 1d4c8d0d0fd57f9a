"""bytes → RawSheets, for one file at a time, refusing safely (registers.md, "What a run reads").

The order matters: we look at what the file really is (magic bytes, not its extension), inspect a
zip container's sizes and XML before any parser sees it, decrypt only with a password the settings
name, and only then hand the bytes to the fast reader. Any failure becomes a plain reason on the
file; a reader's exception never reaches the analyst.
"""
from __future__ import annotations

import os
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping

from pipeline.discover import FileEntry
from pipeline.read.model import FileRead, RawSheet

__all__ = ["FileRead", "RawSheet", "read_file"]


def _fs_modified(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.utc)


def _failed(entry: FileEntry, reason: str, detail: str = "") -> FileRead:
    return FileRead(entry.rel, "failed", reason, detail)


def read_file(entry: FileEntry, passwords: Mapping[str, str] | None = None,
              environ: Mapping[str, str] | None = None) -> FileRead:
    """Read one discovered file. Never raises for a bad input file: returns a failed FileRead."""
    started = time.perf_counter()
    try:
        result = _read(entry, passwords or {}, os.environ if environ is None else environ)
    except MemoryError:
        result = _failed(entry, "refused.too_large")
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - incl. a Rust reader's PanicException on a strange file
        result = _failed(entry, "read.unreadable", f"{type(exc).__name__}: {exc}"[:300])
    result.seconds = time.perf_counter() - started
    return result


def _read(entry: FileEntry, passwords: Mapping[str, str], environ: Mapping[str, str]) -> FileRead:
    from pipeline.read import safety
    from pipeline.read.sniff import sniff

    if entry.size == 0:
        return _failed(entry, "read.empty")
    kind = sniff(entry.path)
    if kind == "empty":
        return _failed(entry, "read.empty")
    if kind in ("html",):
        return _read_html(entry)
    if kind == "text":
        if entry.kind != "csv" and entry.kind != "xls":
            return _failed(entry, "read.not_a_workbook")
        return _read_csv(entry)
    if entry.kind == "csv":
        return _failed(entry, "read.not_text")
    data = entry.path.read_bytes()
    if kind == "ole_encrypted_ooxml" or (kind in ("ole", "biff") and safety.is_encrypted(entry.path)):
        from pipeline.read.decrypt import decrypt_to_bytes, password_for

        password = password_for(entry.rel, passwords, environ)
        if password is None:
            password = password_for(Path(entry.rel).name, passwords, environ)
        try:
            # with no password configured, Excel's built-in key is still tried: files Excel opens
            # without a prompt are read
            data = decrypt_to_bytes(entry.path, password)
        except safety.Refused as refused:
            return _failed(entry, f"refused.{refused.code}")
        kind = "zip" if data[:4] == b"PK\x03\x04" else "ole"
        result = _read_xlsx(entry, data) if kind == "zip" else _read_xls(entry, data)
        result.encrypted = True
        return result
    if kind == "zip":
        return _read_xlsx(entry, data)
    if kind in ("ole", "biff"):
        return _read_xls(entry, data)
    return _failed(entry, "read.not_a_workbook")


def _geometry(info) -> tuple[dict[str, int], dict[str, tuple[str, str]]]:
    """From the inspection: each sheet's first used row, and the sheets refused on their own."""
    first_rows = {s.name: s.first_row for s in info.sheets if s.first_row is not None}
    skip = {s.name: (f"refused.{s.refused}", "") for s in info.sheets if s.refused}
    return first_rows, skip


def _merged(info) -> dict[str, tuple[tuple[int, int, int, int], ...]]:
    """From the inspection of an .xlsx: each sheet's merged ranges (sheets without any left out)."""
    return {s.name: s.merged for s in info.sheets if s.merged}


def _read_xlsx(entry: FileEntry, data: bytes) -> FileRead:
    from pipeline.read import safety
    from pipeline.read.excel import read_workbook_cells

    try:
        info = safety.inspect_xlsx_bytes(data, safety.Limits())
    except safety.Refused as refused:
        return _failed(entry, f"refused.{refused.code}", refused.detail)
    first_rows, skip = _geometry(info)
    sheets, hidden = read_workbook_cells(data, entry.rel, first_rows, skip, _merged(info))
    modified = info.modified or _fs_modified(entry.path)
    return _with_sheets(entry, sheets, hidden, modified)


def _read_xls(entry: FileEntry, data: bytes) -> FileRead:
    from pipeline.read import safety
    from pipeline.read.excel import read_legacy_xls_cells, read_workbook_cells

    # The readers load every sheet of an .xls at open: inspect the records first (a crafted file
    # can make calamine allocate hundreds of GiB and abort the process).
    try:
        info = safety.inspect_xls(data, safety.Limits())
    except safety.Refused as refused:
        return _failed(entry, f"refused.{refused.code}", refused.detail)
    first_rows, skip = _geometry(info)
    modified = info.modified or _fs_modified(entry.path)
    try:
        sheets, hidden = read_workbook_cells(data, entry.rel, first_rows, skip)
    except Exception as calamine_error:  # noqa: BLE001 - calamine cannot detect BIFF2-5: try xlrd
        try:
            sheets, hidden = read_legacy_xls_cells(data, entry.rel)
        except Exception:  # noqa: BLE001
            return _failed(entry, "read.unreadable", f"{type(calamine_error).__name__}: {calamine_error}"[:300])
        sheets = [sh if sh.sheet not in skip else RawSheet(entry.rel, sh.sheet, sh.cells.iloc[:0], 1, *skip[sh.sheet])
                  for sh in sheets]
    return _with_sheets(entry, sheets, hidden, modified)


def _read_csv(entry: FileEntry) -> FileRead:
    from pipeline.read.text import TextDecodeError, read_text_table

    try:
        sheet, _encoding = read_text_table(entry.path.read_bytes(), entry.rel)
    except TextDecodeError:
        return _failed(entry, "read.encoding")
    return _with_sheets(entry, [sheet], [], _fs_modified(entry.path))


def _read_html(entry: FileEntry) -> FileRead:
    from pipeline.read.html import read_html_tables

    sheets = read_html_tables(entry.path.read_bytes(), entry.rel)
    if not sheets:
        return _failed(entry, "read.no_table")
    return _with_sheets(entry, sheets, [], _fs_modified(entry.path))


def _with_sheets(entry: FileEntry, sheets: list[RawSheet], hidden: list[str],
                 modified: datetime) -> FileRead:
    readable = [s for s in sheets if not s.refused]
    if sheets and not readable:
        first = sheets[0]
        result = _failed(entry, "read.no_readable_sheet", first.refused)
        result.sheets = sheets
        result.hidden_sheets = hidden
        return result
    if not sheets:
        return FileRead(entry.rel, "failed", "read.no_visible_sheet", hidden_sheets=hidden)
    return FileRead(entry.rel, "read", sheets=sheets, hidden_sheets=hidden, modified=modified)
