"""Look inside a workbook, safely, before any reader touches it.

registers.md, "A file that cannot be read": a workbook that would expand past 500 MB of XML, a zip
bomb or XML entity expansion is listed with its reason and the run goes on; a sheet whose used range
goes beyond 1,048,576 rows or 200 columns is refused on its own; reading hostile files must not
hang, exhaust memory or run anything.

Measured on this machine: on a 4 MB zip bomb openpyxl and pandas were still running at 300 s; one
cell at XFD1048576 in a 5 KB .xlsx makes pandas/openpyxl raise MemoryError and makes python-calamine
try to allocate 512 GiB and abort the whole process (uncatchable); one cell record at column 65535
in a 23 KB .xls makes python-calamine abort the same way at open. So the container is inspected
here, with bounded streaming, before fastexcel / python-calamine see the file:

`inspect_xlsx` (OOXML zip packages)
    1. the central directory is parsed by hand, entry count first (Python's zipfile would build an
       object per entry before any limit could apply);
    2. declared sizes and compression ratios are checked;
    3. every XML part a reader or our own code may parse is stream-inflated with zlib under a cap,
       counting the bytes really produced (declared sizes are never trusted alone), checking the
       CRC, and refusing any `<!DOCTYPE` / `<!ENTITY` (no Excel writes them);
    4. worksheets are scanned with bytes regexes over the inflated chunks for the real extent of
       the cells holding values (from `<c r>` references, with `<row r>` placing cells that have
       none; never `<dimension>`) and for the first row holding a value; the same pieces give the
       merged ranges (`<mergeCell ref>`, after `</sheetData>`), which staging needs;
    5. `xl/workbook.xml`, its relationships and `docProps/core.xml` are parsed with defusedxml.

`inspect_xls` (BIFF .xls, OLE2 or bare)
    the compound file is walked by a validating reader (`sniff.Cfb`), FILEPASS means "encrypted",
    and every cell record and DIMENSIONS record of every sheet substream is checked, because the
    readers load every sheet of an .xls at open.

Choices (also in the README):
- The used range that the 200-column / 1,048,576-row limits apply to is the extent of the cells
  holding a value (a `<v>` or inline `<is>` child; for .xls, every cell record but BLANK and
  MULBLANK). That is what the fast readers load and allocate, and it is what an analyst sees as the
  table: Gnumeric formats the whole grid out to XFD1048576 (calamine__issue_174.xlsx, data 2 x 11)
  and Tencent Docs writes styled empty cells to Z200 around a 57 x 12 table (easyexcel__t04.xlsx);
  both are read, not refused. Style-only cells far out are harmless to python-calamine/fastexcel
  but not to openpyxl, which must therefore never be used to read cells of an input.
- Nested archives (xl/embeddings/*.xlsx, OLE objects, vbaProject.bin, images) are never opened,
  by us or by the readers, and are not refused: Excel writes them in ordinary registers. Only the
  XML parts are inflated and counted towards the 500 MB.
- A sheet's first_row/max_row/max_col are taken from the part python-calamine will read
  (`xl/workbook.xml` and `xl/_rels/workbook.xml.rels`, part names matched case-insensitively, first
  match in the zip's order). Where an OPC-correct reading of the relationship names a different
  part, or the zip holds several parts differing only in case, every such part is scanned and the
  largest extent counts, so no reader can reach an unchecked sheet.
"""
from __future__ import annotations

import codecs
import contextlib
import io
import os
import posixpath
import re
import struct
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import BinaryIO, Iterable, Iterator
from urllib.parse import unquote

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from pipeline.read.sniff import (
    OLE_MAGIC,
    BIFF_BOF_TYPES,
    Cfb,
    CfbError,
    biff_globals,
    is_biff_encrypted,
    iter_records,
    read_all,
    sniff,
)

__all__ = ["Refused", "Limits", "SheetInfo", "WorkbookInfo", "inspect_xlsx", "inspect_xls",
           "inspect_xlsx_bytes", "is_encrypted"]


class Refused(Exception):
    """A file (or, via `SheetInfo.refused`, a sheet) that is not read, with a stable reason code.

    `code` keys the plain-words reason `refused.<code>` in `pipeline/i18n.py`; `detail` is a short
    technical note for logs and the data-quality report (never a password, never file content
    beyond a few bytes of markup).

    File-level codes: empty, not_a_workbook, truncated, corrupt, encrypted, wrong_password,
    too_large, too_many_entries, zip_bomb, xml_entities, too_many_strings;
    and too_many_rows / too_many_columns when an .xls sheet is beyond what the .xls format itself
    allows (the readers load every .xls sheet at open, so one bad sheet takes the file down).
    Sheet-level codes (SheetInfo.refused): too_many_rows, too_many_columns, missing_part,
    not_a_worksheet.
    """

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Limits:
    """Safety limits. Defaults are the contract's (registers.md) or justified below.

    max_xml_bytes       500 MB: total XML a workbook may expand to (registers.md).
    max_entries         10,000 parts. Excel writes ~10 parts plus ~3 per sheet; a 1,000-sheet
                        workbook with drawings and comments stays far below.
    max_ratio           200:1 per XML part, for parts inflating past `ratio_floor_bytes` (1 MB).
                        Real sheet XML compresses 8-15:1 (a 1M-row register: 8.6:1; 200k rows of
                        border-only empty cells: 12:1), because every cell repeats its own
                        reference; deflate tops out near 1032:1 on repeated bytes, which is what
                        bombs use. 200:1 leaves >10x headroom above real files and is still 5x
                        below a bomb. Small parts are exempt: a 20 KB styles.xml of repeated <xf/>
                        can exceed 200:1 harmlessly.
    max_rows/max_cols   1,048,576 rows / 200 columns of used range per sheet (registers.md).
    max_file_bytes      500 MB for files read into memory whole: .xls (uncompressed BIFF, so the
                        same order as the XML cap) and encrypted packages before decryption.
    max_meta_bytes      32 MB for a part parsed into a tree (workbook.xml, relationships,
                        docProps/core.xml); real ones are a few KB.
    max_shared_strings  20 million shared strings: readers hold the whole table in memory
                        (~100 bytes each); 1M rows x 12 unique text columns is 12 million.
    max_token_bytes     4 MiB for a single XML tag or cell in a worksheet (Excel caps a cell at
                        32,767 characters); a longer one is malformed or hostile. A row may be four
                        times that.
    max_irregular_bytes 64 MiB of worksheet rows that mix cells with and without references. No
                        writer does that; checking such rows costs a Python step per cell (~10 MB/s),
                        so a crafted sheet is refused after ~7 s instead of running for a minute.
    """

    max_xml_bytes: int = 500_000_000
    max_entries: int = 10_000
    max_ratio: int = 200
    ratio_floor_bytes: int = 1_000_000
    max_rows: int = 1_048_576
    max_cols: int = 200
    max_file_bytes: int = 500_000_000
    max_meta_bytes: int = 32_000_000
    max_shared_strings: int = 20_000_000
    max_token_bytes: int = 4 * 1024 * 1024
    max_irregular_bytes: int = 64 * 1024 * 1024


@dataclass(frozen=True)
class SheetInfo:
    """One sheet in workbook order.

    first_row  1-based Excel row of the first row holding a cell WITH A VALUE (a `<v>` or inline
               `<is>` child; style-only cells do not count), None for a sheet without values. The
               fast readers drop leading empty rows; this puts Excel's row numbers back.
    max_row    1-based row of the lowest cell with a value (0 for a sheet without values).
    max_col    1-based column of the rightmost cell with a value (0 for a sheet without values).
               Both come from the cells' own references (or, for cells written without one, their
               place in the row), never from the <dimension> element.
    refused    None, or the plain reason code why this sheet is not read (see `Refused`).
    merged     the sheet's merged ranges (`<mergeCell ref>` after `</sheetData>`), each as
               (first_row, first_col, last_row, last_col), 1-based Excel numbers, in the part's
               order; at most `MAX_MERGED_RANGES`, the rest ignored. () for .xls.
    """

    name: str
    part_path: str
    state: str                      # "visible" | "hidden" | "veryHidden"
    first_row: int | None
    max_row: int
    max_col: int
    refused: str | None = None
    merged: tuple[tuple[int, int, int, int], ...] = ()


@dataclass(frozen=True)
class WorkbookInfo:
    """What inspection learnt: last-modified time from the workbook's own properties (UTC, or None),
    the sheets in workbook order, and how much XML was inflated (0 for .xls)."""

    modified: datetime | None
    sheets: list[SheetInfo] = field(default_factory=list)
    xml_bytes: int = 0


Source = str | os.PathLike | bytes | bytearray | BinaryIO

_IN_CHUNK = 1 << 20
_OUT_CHUNK = 4 << 20

_STATES = {"visible": "visible", "hidden": "hidden", "veryhidden": "veryHidden"}


# --- opening a source -----------------------------------------------------------------------------

@contextlib.contextmanager
def _opened(source: Source) -> Iterator[tuple[BinaryIO, int]]:
    if isinstance(source, (bytes, bytearray)):
        yield io.BytesIO(source), len(source)
    elif isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as fh:
            yield fh, os.fstat(fh.fileno()).st_size
    else:
        source.seek(0, io.SEEK_END)
        size = source.tell()
        source.seek(0)
        yield source, size


def _describe_content(head: bytes) -> str:
    kind = sniff(head)
    return {
        "text": "plain text (CSV/TSV?)",
        "html": "an HTML page",
        "xml": "an XML document that is not an .xlsx package",
        "biff": "an old Excel 2.x-4.0 worksheet",
        "ole": "an OLE2 file (.xls or another Office 97 document)",
        "unknown": "not a spreadsheet format",
    }.get(kind, kind)


# --- the zip container ----------------------------------------------------------------------------

_EOCD = struct.Struct("<4s4H2LH")
_EOCD64_LOCATOR = struct.Struct("<4sLQL")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_LOCAL = struct.Struct("<4s2B4HL2L2H")


@dataclass(frozen=True)
class _Entry:
    index: int          # position in the central directory
    name: str           # as stored, backslashes turned into slashes
    flags: int
    method: int
    crc: int
    csize: int
    usize: int
    offset: int         # absolute offset of the local header

    @property
    def lower(self) -> str:
        return self.name.lower()


def _central_directory(fh: BinaryIO, size: int, limits: Limits) -> list[_Entry]:
    """The zip's entries, parsed by hand so that the entry count is bounded before anything is built."""
    tail_len = min(size, _EOCD.size + 65535)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    pos = tail.rfind(b"PK\x05\x06")
    while pos >= 0 and pos + _EOCD.size > len(tail):
        pos = tail.rfind(b"PK\x05\x06", 0, pos)
    if pos < 0:
        fh.seek(0)
        if fh.read(4) == b"PK\x03\x04":
            raise Refused("truncated", "the zip's end-of-central-directory record is missing")
        raise Refused("not_a_workbook", "no zip directory")
    _, disk, cd_disk, _, n_total, cd_size, cd_offset, _ = _EOCD.unpack_from(tail, pos)
    record_at = size - tail_len + pos
    if n_total == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:
        locator_at = record_at - _EOCD64_LOCATOR.size
        if locator_at >= _EOCD64.size:
            fh.seek(locator_at)
            sig, _, _, _ = _EOCD64_LOCATOR.unpack(fh.read(_EOCD64_LOCATOR.size))
            if sig == b"PK\x06\x07":
                fh.seek(locator_at - _EOCD64.size)
                (sig, _, _, _, disk, cd_disk, _, n_total, cd_size,
                 cd_offset) = _EOCD64.unpack(fh.read(_EOCD64.size))
                if sig != b"PK\x06\x06":
                    raise Refused("corrupt", "zip64 directory record not found")
                record_at = locator_at - _EOCD64.size
    if disk or cd_disk:
        raise Refused("not_a_workbook", "a multi-volume zip")
    if n_total > limits.max_entries:
        raise Refused("too_many_entries", f"{n_total} parts (limit {limits.max_entries})")
    concat = record_at - cd_size - cd_offset     # bytes prepended to the archive, as zipfile allows
    if concat < 0:
        raise Refused("corrupt", "the zip directory points outside the file")
    fh.seek(cd_offset + concat)
    cd = fh.read(cd_size)
    if len(cd) < cd_size:
        raise Refused("truncated", "the zip directory is cut short")
    entries: list[_Entry] = []
    pos = 0
    while pos + _CENTRAL.size <= len(cd):
        fields = _CENTRAL.unpack_from(cd, pos)
        if fields[0] != b"PK\x01\x02":
            raise Refused("corrupt", "bad zip directory entry")
        if len(entries) >= limits.max_entries:
            raise Refused("too_many_entries", f"more than {limits.max_entries} parts")
        (_, _, _, _, _, flags, method, _, _, crc, csize, usize, name_len, extra_len,
         comment_len, _, _, _, local_offset) = fields
        start = pos + _CENTRAL.size
        raw_name = cd[start:start + name_len]
        extra = cd[start + name_len:start + name_len + extra_len]
        pos = start + name_len + extra_len + comment_len
        if pos > len(cd):
            raise Refused("corrupt", "zip directory entry runs past the directory")
        if 0xFFFFFFFF in (usize, csize, local_offset):
            usize, csize, local_offset = _zip64_sizes(extra, usize, csize, local_offset)
        name = raw_name.decode("utf-8" if flags & 0x800 else "cp437", "replace").replace("\\", "/")
        entries.append(_Entry(len(entries), name, flags, method, crc, csize, usize, local_offset + concat))
    return entries


def _zip64_sizes(extra: bytes, usize: int, csize: int, offset: int) -> tuple[int, int, int]:
    pos = 0
    while pos + 4 <= len(extra):
        tag, length = struct.unpack_from("<HH", extra, pos)
        body = extra[pos + 4:pos + 4 + length]
        if tag == 0x0001:
            values = list(struct.unpack_from(f"<{len(body) // 8}Q", body))
            if usize == 0xFFFFFFFF and values:
                usize = values.pop(0)
            if csize == 0xFFFFFFFF and values:
                csize = values.pop(0)
            if offset == 0xFFFFFFFF and values:
                offset = values.pop(0)
            break
        pos += 4 + length
    return usize, csize, offset


class _Package:
    """The zip entries of one workbook and the bounded, counted inflation of any of them."""

    def __init__(self, fh: BinaryIO, size: int, limits: Limits):
        self.fh = fh
        self.size = size
        self.limits = limits
        self.entries = _central_directory(fh, size, limits)
        self.by_lower: dict[str, list[_Entry]] = {}
        for entry in self.entries:
            self.by_lower.setdefault(entry.lower, []).append(entry)
        self.xml_bytes = 0
        self.parsed: set[int] = set()      # entries already read whole by read_small

    def find(self, name: str) -> list[_Entry]:
        """Entries whose name matches `name` case-insensitively, in the zip's order."""
        return self.by_lower.get(name.lower().lstrip("/"), [])

    def first(self, name: str) -> _Entry | None:
        found = self.find(name)
        return found[0] if found else None

    def check_declared(self, entries: Iterable[_Entry]) -> None:
        """Central-directory checks on the parts that will be inflated, before inflating any."""
        limits = self.limits
        declared = 0
        for entry in entries:
            if entry.flags & 0x1:
                raise Refused("encrypted", f"{entry.name} is stored encrypted inside the zip")
            if entry.method not in (0, 8):
                raise Refused("corrupt", f"{entry.name}: compression method {entry.method} (Excel writes only deflate)")
            if entry.method == 0 and entry.csize != entry.usize:
                raise Refused("corrupt", f"{entry.name}: stored part with inconsistent sizes")
            if entry.usize > max(limits.ratio_floor_bytes, limits.max_ratio * entry.csize):
                raise Refused("zip_bomb", f"{entry.name} declares {entry.usize} bytes from {entry.csize} "
                                          f"compressed (over {limits.max_ratio}:1)")
            declared += entry.usize
        if declared > limits.max_xml_bytes:
            raise Refused("too_large", f"{declared} bytes of XML declared (limit {limits.max_xml_bytes})")

    def stream(self, entry: _Entry, already_counted: int = 0) -> Iterator[bytes]:
        """Inflate `entry` in chunks of at most 4 MiB, refusing as soon as a limit is passed.

        The bytes really produced are counted against the workbook's XML budget (skipping the
        first `already_counted`, for a part inflated a second time), the per-part ratio and the
        part's declared size; the CRC is checked when the part is read to its end.
        """
        limits = self.limits
        fh = self.fh
        fh.seek(entry.offset)
        header = fh.read(_LOCAL.size)
        if len(header) < _LOCAL.size:
            raise Refused("truncated", f"{entry.name}: local header beyond the end of the file")
        fields = _LOCAL.unpack(header)
        if fields[0] != b"PK\x03\x04":
            raise Refused("corrupt", f"{entry.name}: bad local header")
        data_start = entry.offset + _LOCAL.size + fields[10] + fields[11]
        if data_start + entry.csize > self.size:
            raise Refused("truncated", f"{entry.name}: compressed data runs past the end of the file")
        if entry.flags & 0x1:
            raise Refused("encrypted", f"{entry.name} is stored encrypted inside the zip")
        ratio_cap = max(limits.ratio_floor_bytes, limits.max_ratio * entry.csize)
        produced = 0
        crc = 0
        fh.seek(data_start)
        left = entry.csize

        def account(out: bytes) -> None:
            nonlocal produced, crc
            before = produced
            produced += len(out)
            if produced > entry.usize:
                raise Refused("zip_bomb", f"{entry.name} inflates past its declared {entry.usize} bytes")
            if produced > ratio_cap:
                raise Refused("zip_bomb", f"{entry.name} inflates over {limits.max_ratio}:1")
            fresh = produced - max(before, already_counted)
            if fresh > 0:
                self.xml_bytes += fresh
                if self.xml_bytes > limits.max_xml_bytes:
                    raise Refused("too_large", f"over {limits.max_xml_bytes} bytes of XML")
            crc = zlib.crc32(out, crc)

        if entry.method == 0:
            while left > 0:
                out = fh.read(min(left, _OUT_CHUNK))
                if not out:
                    raise Refused("truncated", f"{entry.name}: data cut short")
                left -= len(out)
                account(out)
                yield out
        else:
            inflater = zlib.decompressobj(-15)
            while not inflater.eof:
                if inflater.unconsumed_tail:
                    data = inflater.unconsumed_tail
                elif left > 0:
                    data = fh.read(min(left, _IN_CHUNK))
                    if not data:
                        raise Refused("truncated", f"{entry.name}: data cut short")
                    left -= len(data)
                else:
                    data = b""
                try:
                    out = inflater.decompress(data, _OUT_CHUNK)
                except zlib.error as exc:
                    raise Refused("corrupt", f"{entry.name}: {exc}") from None
                if out:
                    account(out)
                    yield out
                elif not data:
                    break
            if not inflater.eof:
                raise Refused("corrupt", f"{entry.name}: deflate stream ends early")
        if produced != entry.usize:
            raise Refused("corrupt", f"{entry.name}: {produced} bytes, {entry.usize} declared")
        if crc != entry.crc:
            raise Refused("corrupt", f"{entry.name}: CRC mismatch")

    def read_small(self, entry: _Entry) -> bytes:
        """A part parsed into a tree: inflated (with every check), declarations refused, size capped."""
        chunks: list[bytes] = []
        total = 0
        self.parsed.add(entry.index)
        for chunk in self.stream(entry):
            total += len(chunk)
            if total > self.limits.max_meta_bytes:
                raise Refused("too_large", f"{entry.name} is over {self.limits.max_meta_bytes} bytes")
            chunks.append(chunk)
        data = b"".join(chunks)
        for _ in _xml_pieces([data], entry.name, limits=self.limits):
            pass
        return data


# --- XML pieces -----------------------------------------------------------------------------------

_DECLARATION = re.compile(rb"<!(?!--|\[CDATA\[)")


def _check_declarations(piece: bytes, part: str) -> None:
    """Refuse `<!DOCTYPE`, `<!ENTITY` and any other markup declaration (comments and CDATA pass).

    bytes.find on "!" runs at memory speed and "!" is rare in sheet XML; a piece full of "!" (sheet
    references in formulas) falls back to one regex pass after a few hits. A "<!" in the last
    bytes is left for the next check: pieces never end inside markup except at the end of a part,
    where a dangling "<!DOCT" declares nothing.
    """
    pos = piece.find(b"!")
    hits = 0
    decidable = len(piece) - 8       # "<!" this close to the end waits for the next chunk's bytes
    while pos >= 0:
        if pos > 0 and piece[pos - 1] == 0x3C and pos < decidable:   # "<!"
            if not (piece.startswith(b"--", pos + 1) or piece.startswith(b"[CDATA[", pos + 1)):
                _refuse_declaration(piece, pos - 1, part)
        hits += 1
        if hits > 64:
            found = _DECLARATION.search(piece, pos)
            if found:
                _refuse_declaration(piece, found.start(), part)
            return
        pos = piece.find(b"!", pos + 1)


def _refuse_declaration(piece: bytes, at: int, part: str) -> None:
    snippet = piece[at:at + 12].decode("ascii", "replace")
    raise Refused("xml_entities", f"{part}: {snippet}...")


def _utf16_codec(first: bytes) -> str | None:
    if first.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if first.startswith(b"<\x00"):
        return "utf-16-le"
    if first.startswith(b"\x00<"):
        return "utf-16-be"
    return None


_ATTRS_NO_SLASH = rb"""[^>"'/]*(?:(?:"[^"]*"|'[^']*'|/(?!>))[^>"'/]*)*"""
_CELL_TAG = re.compile(rb"<c(?=[\s/>])(" + _ATTRS_NO_SLASH + rb")(/?)>")
_ROW_START = re.compile(rb"<row(?=[\s/>])(" + _ATTRS_NO_SLASH + rb")(/?)>")
# a whole cell: its attributes, and its content unless it is written <c .../>
_CELL_WHOLE = re.compile(rb"<c(?=[\s/>])(" + _ATTRS_NO_SLASH + rb")(?:/>|>(.*?)</c>)", re.S)
# The content of a cell up to its first <v> or <is> child, never past its </c>: python-calamine
# skips comments, processing instructions, CDATA and stray text inside a cell, so they are skipped
# here as well (a "</c>" inside a comment does not end the cell).
_UNTIL_VALUE = (rb"(?:<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|[^<]"
                rb"|<(?!/c\s*>|!--|!\[CDATA\[|\?|(?:v|is)[\s/>]))*<(?:v|is)[\s/>]")
_QUOTED = rb"""(?:"[^"]*"|'[^']*')"""
_OTHER_ATTR = rb"""\s+(?!r\s*=)[^\s=>/"'<]+\s*=\s*""" + _QUOTED
# the reference of a cell WITH A VALUE, wherever r sits among the attributes and however quoted
_VALUED_CELL_REF = re.compile(
    rb"<c(?:" + _OTHER_ATTR + rb")*"
    rb"""\s+r\s*=\s*["']\s*([A-Za-z]+)([0-9]+)\s*["']"""
    rb"(?:\s+[^\s=>/\"'<]+\s*=\s*" + _QUOTED + rb")*\s*>" + _UNTIL_VALUE, re.S)
# a cell start tag with no r attribute at all
_CELL_WITHOUT_R = re.compile(rb"<c(?=[\s/>])(?:" + _OTHER_ATTR + rb")*\s*/?>")
# Namespace prefixes on the elements we look at (`<x:c>`, as the OpenXML SDK writes) are removed
# before scanning: python-calamine matches local names, so `<x:c>` is a cell whatever x is bound to.
_PREFIXED = re.compile(rb":(?:c|row|v|is|f)[\s/>]")
_PREFIX_NAME = re.compile(rb"[A-Za-z_][\w.\-]*")
_PREFIX_OPEN = re.compile(rb"<[A-Za-z_][\w.\-]*:(?=(?:c|row|v|is|f)[\s/>])")
_PREFIX_CLOSE = re.compile(rb"</[A-Za-z_][\w.\-]*:(?=(?:c|row|v|is|f)>)")


def _strip_prefixes(buf: bytes) -> bytes:
    """`buf` with the namespace prefix removed from every <c>, <row>, <v>, <is>, <f> tag.

    A file uses one prefix (or a few): each is removed with bytes.replace at memory speed. Past
    eight distinct prefixes (a crafted file), two regex passes with literal replacements do it."""
    if b":" not in buf:
        return buf
    for _ in range(8):
        found = _PREFIXED.search(buf)
        if found is None:
            return buf
        lt = buf.rfind(b"<", 0, found.start())
        name = buf[lt + 1:found.start()].lstrip(b"/")
        if lt < 0 or not _PREFIX_NAME.fullmatch(name):
            break                                   # not a tag (e.g. text "12:c "): let the regex decide
        buf = buf.replace(b"<" + name + b":", b"<").replace(b"</" + name + b":", b"</")
    return _PREFIX_CLOSE.sub(b"</", _PREFIX_OPEN.sub(b"<", buf))


_NOT_MARKUP = re.compile(rb"<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>", re.S)


def _strip_not_markup(buf: bytes) -> tuple[bytes, int]:
    """`buf` with comments, processing instructions and CDATA sections blanked out, and the offset
    of one still unterminated at the end (-1 if none).

    No writer puts them in a worksheet, but python-calamine skips them, so a "</c>" or "<c" inside a
    comment must not be taken for markup."""
    # "!" and "?" are rare in sheet XML and single-byte searches run at memory speed
    if (b"!" not in buf or b"<!" not in buf) and (b"?" not in buf or b"<?" not in buf):
        return buf, -1
    buf = _NOT_MARKUP.sub(b" ", buf)
    unterminated = [at for at in (buf.find(b"<!--"), buf.find(b"<?"), buf.find(b"<![CDATA[")) if at >= 0]
    return buf, min(unterminated, default=-1)


def _before_open(buf: bytes, cut: int, start: bytes, close: bytes, tag: re.Pattern[bytes]) -> int:
    """`cut`, or the start of the last `start` element before it if that element is not closed
    before `cut` (what follows `cut` goes to the next piece anyway)."""
    at = buf.rfind(start, 0, cut + 1)
    while at >= 0 and buf[at + len(start):at + len(start) + 1] not in _TAG_END:
        at = buf.rfind(start, 0, at)
    if at < 0 or buf.find(close, at, cut) >= 0:
        return cut
    start_tag = tag.match(buf, at)
    if start_tag is not None and start_tag.group(2):       # <c .../> or <row .../>: nothing inside
        return cut
    return at


def _xml_pieces(chunks: Iterable[bytes], part: str, *, limits: Limits, keep: str = "") -> Iterator[bytes]:
    """Re-cut inflated chunks into pieces that never split a piece of markup, after checking each
    for markup declarations.

    XML forbids "<" inside tags and text, so cutting just before the last "<" of a buffer leaves
    every tag that starts in the piece whole; the cut-off tail waits for the next chunk. In a
    worksheet the cut moves back further so that a whole element stays in one piece: a cell
    (`keep="cell"`: its start tag and its <v>/<is> together) or a row (`keep="row"`); namespace
    prefixes, comments, processing instructions and CDATA are stripped there too (declarations are
    checked before). UTF-16 parts (allowed by OPC, never written by Excel) are
    transcoded to UTF-8 first. In a worksheet a tag or cell longer than `max_token_bytes` (Excel
    caps a cell at 32,767 characters) or a row four times that long is refused; elsewhere an
    over-long tag is checked for declarations and dropped.
    """
    carry = b""
    decoder = None
    first = True
    cap = limits.max_token_bytes * (4 if keep == "row" else 1)
    for chunk in chunks:
        if first:
            first = False
            codec = _utf16_codec(chunk)
            if codec:
                decoder = codecs.getincrementaldecoder(codec)("replace")
        if decoder is not None:
            chunk = decoder.decode(chunk).encode("utf-8")
        buf = carry + chunk if carry else chunk
        opened = -1
        if keep:
            _check_declarations(buf, part)          # before comments and CDATA are blanked out
            buf, opened = _strip_not_markup(_strip_prefixes(buf))
        lt = buf.rfind(b"<")
        if opened >= 0:
            lt = opened
        if keep == "cell" and lt >= 0:
            lt = _before_open(buf, lt, b"<c", b"</c>", _CELL_TAG)
        elif keep == "row" and lt >= 0:
            lt = _before_open(buf, lt, b"<row", b"</row>", _ROW_START)
        if lt < 0:
            piece, carry = buf, b""
        else:
            piece, carry = buf[:lt], buf[lt:]
            if len(carry) > cap:
                gt = carry.find(b">")
                if keep and carry.startswith((b"<c", b"<row")):
                    raise Refused("corrupt", f"{part}: a cell or row over {cap} bytes of XML")
                if 0 <= gt < len(carry) - 1:
                    # a complete tag followed by a long run of text: nothing left to wait for
                    piece, carry = buf, b""
                elif keep:
                    raise Refused("corrupt", f"{part}: an XML tag longer than {cap} bytes")
                else:
                    _check_declarations(carry, part)
                    carry = b""
        if piece:
            if not keep:
                _check_declarations(piece, part)
            yield piece
    if decoder is not None:
        carry += decoder.decode(b"", final=True).encode("utf-8")
    if carry:
        if keep:
            _check_declarations(carry, part)
            carry = _strip_not_markup(_strip_prefixes(carry))[0]
        _check_declarations(carry, part)
        yield carry


# --- worksheet geometry ---------------------------------------------------------------------------

class _NeedSlowScan(Exception):
    """The part uses a form the fast scanner does not prove (missing or reordered r attributes,
    single quotes, lower-case references, rows out of order): scan it again exactly."""


@dataclass
class _Geometry:
    first_row: int | None = None
    max_row: int = 0                # extent of the cells with a value
    max_col: int = 0
    refused: str | None = None
    grid_row: int = 0               # .xls: extent of every cell record, blanks included
    grid_col: int = 0
    merged: tuple[tuple[int, int, int, int], ...] = ()      # .xlsx: <mergeCell> ranges


def _col_number(letters: bytes) -> int:
    number = 0
    for byte in letters.upper():
        number = number * 26 + (byte - 64)
    return number


def _col_letters(number: int) -> bytes:
    out = bytearray()
    while number > 0:
        number, rem = divmod(number - 1, 26)
        out.insert(0, 65 + rem)
    return bytes(out)


def _letters_up_to(letters: bytes) -> bytes:
    """A regex matching exactly the column letters of columns A..`letters` (when followed by a
    digit): fewer letters, or as many and not after `letters` in the alphabet."""
    n = len(letters)
    branches = [rb"[A-Z]{1,%d}" % (n - 1)] if n > 1 else []
    for i, byte in enumerate(letters):
        if byte > ord("A"):
            rest = rb"[A-Z]{%d}" % (n - i - 1) if n - i - 1 else b""
            branches.append(letters[:i] + rb"[A-%c]" % (byte - 1) + rest)
    branches.append(letters)
    return b"|".join(branches)


_ROW_TAG = re.compile(rb'<row(?: r="([1-9][0-9]{0,6})"|[\s/>])')
_VALUE_TAG = re.compile(rb"<(?:v|is)[\s/>]")
_CELL_REF = re.compile(rb"([A-Z]+)([0-9]+)")
# The rest of a cell's start tag (quoted attribute values may hold ">"; "/>" ends an empty cell),
# then an optional formula, then the <v> or <is> child that makes it a cell with a value.
_ATTRS = rb"""(?:[^>"'/]|/(?!>)|"[^"]*"|'[^']*')*"""
_HAS_VALUE = rb'"' + _ATTRS + rb">" + _UNTIL_VALUE
_cell_patterns: dict[int, re.Pattern[bytes]] = {}


def _cell_pattern(max_col: int) -> re.Pattern[bytes]:
    """Cells the fast scan must look at: non-canonical start tags (group `odd`), and cells WITH A
    VALUE right of column `max_col` or at row 1,000,000 or below.

    A cell in the known columns and above row 1,000,000 fails the single negative lookahead and
    costs one regex attempt; everything else is looked at closely, and only a cell that has a value
    there reaches Python."""
    pattern = _cell_patterns.get(max_col)
    if pattern is None:
        known = _letters_up_to(_col_letters(max_col)) if max_col else rb"(?!)"
        pattern = re.compile(rb'<c(?! r="(?:' + known + rb')[0-9]{1,6}")(?:(?P<odd>[>/\t\r\n]| (?!r="[A-Z]))'
                             + rb'| r="[A-Z]+[0-9]+' + _HAS_VALUE + rb")", re.S)
        _cell_patterns[max_col] = pattern
    return pattern


_TAG_END = b" />\t\r\n"


def _last_value_tag(piece: bytes) -> int:
    """Offset of the last `<v` / `<is` start tag in `piece` (-1 if none), searching back from the
    end in growing windows so that a piece without values is not scanned once per tag name."""
    end = len(piece)
    window = 1 << 16
    while True:
        start = max(0, end - window)
        best = -1
        for tag in (b"<v", b"<is"):
            pos = piece.rfind(tag, start, end)
            while pos >= 0 and (pos + len(tag) >= len(piece) or piece[pos + len(tag)] not in _TAG_END):
                pos = piece.rfind(tag, start, pos + len(tag) - 1)
            best = max(best, pos)
        if best >= 0 or start == 0:
            return best
        end = start + 2          # a tag straddling the window's start is found next round
        window *= 4


def _canonical_row(piece: bytes, cell: int) -> int:
    """Row of the `<c r="A1"` reference starting at `cell`; anything else needs the exact scan."""
    ref = _CELL_REF.match(piece, cell + 6)
    if ref is None or piece[ref.end():ref.end() + 1] != b'"':
        raise _NeedSlowScan
    return int(ref.group(2))


class _FastSheetScan:
    """Geometry of a worksheet written the way every mainstream writer writes it: `<row r="N">` in
    ascending order, `<c r="A1">` with r first and inside its row (namespace prefixes are already
    stripped). A few regex passes and rfinds per 4 MiB piece, no Python work per cell. Anything
    else raises _NeedSlowScan."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.geo = _Geometry()
        self.last_row = 0           # the last <row r> seen
        self.last_cell_row = 0      # the row of the last <c r> seen

    def _row_of_cell_before(self, piece: bytes, end: int) -> int:
        cell = piece.rfind(b'<c r="', 0, end)
        return _canonical_row(piece, cell) if cell >= 0 else self.last_cell_row

    def feed(self, piece: bytes) -> bool:
        """Scan one piece; False once the sheet is refused (the rest need not be read)."""
        limits = self.limits
        geo = self.geo
        rows = _ROW_TAG.findall(piece)
        if rows:
            if b"" in rows:
                raise _NeedSlowScan
            numbers = list(map(int, rows))
            if numbers[0] <= self.last_row or numbers != sorted(numbers):
                raise _NeedSlowScan
            self.last_row = numbers[-1]
        # Cells must sit in rows already opened: a piece whose first or last cell points below
        # the last <row> tag is not written the mainstream way.
        first_cell = piece.find(b'<c r="')
        if first_cell >= 0:
            if _canonical_row(piece, first_cell) > max(self.last_row, 1):
                raise _NeedSlowScan
            self.last_cell_row = self._row_of_cell_before(piece, len(piece))
            if self.last_cell_row > self.last_row:
                raise _NeedSlowScan
        pattern = _cell_pattern(geo.max_col)
        pos = 0
        while True:
            found = pattern.search(piece, pos)
            if found is None:
                break
            if found.group("odd") is not None:
                raise _NeedSlowScan
            ref = _CELL_REF.match(piece, found.start() + 6)
            if ref is None:
                raise _NeedSlowScan
            col = _col_number(ref.group(1))
            row = int(ref.group(2))
            geo.max_row = max(geo.max_row, row)
            if col > geo.max_col:
                geo.max_col = col
                if col > limits.max_cols:
                    return self._refuse()
                pattern = _cell_pattern(col)
            if geo.max_row > limits.max_rows:
                return self._refuse()
            pos = found.end()
        last_value = _last_value_tag(piece)
        if last_value >= 0:
            # rows ascend and cells sit in their rows, so the last value is on the lowest row
            geo.max_row = max(geo.max_row, self._row_of_cell_before(piece, last_value))
            if geo.first_row is None:
                first_value = _VALUE_TAG.search(piece)
                geo.first_row = self._row_of_cell_before(piece, first_value.start()) or None
        return True

    def _refuse(self) -> bool:
        geo = self.geo
        geo.refused = "too_many_rows" if geo.max_row > self.limits.max_rows else "too_many_columns"
        return False


_ATTR_R = re.compile(rb"(?:^|\s)r\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ANY_REF = re.compile(rb"\s*([A-Za-z]*)([0-9]+)\s*")


def _value_tag(piece: bytes, start: int, end: int, *, last: bool) -> int:
    """Offset of the first (or last) `<v` / `<is` start tag in piece[start:end], -1 if none."""
    found = -1
    for tag in (b"<v", b"<is"):
        size = len(tag)
        pos = piece.rfind(tag, start, end) if last else piece.find(tag, start, end)
        while pos >= 0 and (pos + size >= end or piece[pos + size] not in _TAG_END):
            pos = piece.rfind(tag, start, pos + size - 1) if last else piece.find(tag, pos + 1, end)
        if pos >= 0 and (found < 0 or (pos > found if last else pos < found)):
            found = pos
    return found


def _count_cells(piece: bytes, start: int, end: int) -> int:
    """Cell start tags in piece[start:end] (`<c` then space, `>` or `/`; not `<color`)."""
    count = piece.count(b"<c ", start, end) + piece.count(b"<c>", start, end) + piece.count(b"<c/", start, end)
    for odd in (b"<c\t", b"<c\n", b"<c\r"):
        if piece.find(odd, start, end) >= 0:
            count += piece.count(odd, start, end)
    return count


class _SlowSheetScan:
    """Exact geometry for any well-formed worksheet, following python-calamine's rules: a row
    without r is the one after the previous row, a cell without r sits right of the previous cell
    of its row, a cell's own reference wins over its row's, a cell counts once it has a <v> or
    <is> child, namespace prefixes are ignored.

    Pieces hold whole rows (`keep="row"`). A row whose cells carry no reference at all (how some
    generators write every row) is measured with a few C-level counts; only rows holding references
    in an unusual form cost a Python step per cell."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.geo = _Geometry()
        self.row_index = 0          # 0-based, as calamine counts
        self.col_index = 0
        self.irregular = 0          # bytes of rows that needed a Python step per cell

    def feed(self, piece: bytes) -> bool:
        pos = 0
        end_of_piece = len(piece)
        while True:
            row = _ROW_START.search(piece, pos)
            gap_end = row.start() if row is not None else end_of_piece
            if piece.find(b"<c", pos, gap_end) >= 0:
                # cells outside any row: calamine still places them, on the current row
                self._cells(piece, pos, gap_end)
            if row is None:
                break
            attrs, self_closing = row.groups()
            ref = self._ref(attrs) if b"r" in attrs else None
            if ref is not None:
                self.row_index = ref[1] - 1
            if self_closing:
                self._end_row()
                pos = row.end()
            else:
                close = piece.find(b"</row>", row.end())
                content_end = close if close >= 0 else end_of_piece
                self._cells(piece, row.end(), content_end)
                if close >= 0:
                    self._end_row()
                    pos = close + 6
                else:
                    pos = end_of_piece
            if self.geo.refused:
                return False
        return self.geo.refused is None

    def _end_row(self) -> None:
        self.row_index += 1
        self.col_index = 0

    def _cells(self, piece: bytes, start: int, end: int) -> None:
        if piece.find(b"r=", start, end) < 0 and piece.find(b"r =", start, end) < 0:
            # no cell carries a reference: positions follow from the order of the cells
            last_value = _value_tag(piece, start, end, last=True)
            if last_value >= 0:
                col = self.col_index + _count_cells(piece, start, last_value)
                self._value(self.row_index + 1, col)
            self.col_index += _count_cells(piece, start, end)
            return
        if _CELL_WITHOUT_R.search(piece, start, end) is None:
            # every cell carries one reference (in some unusual form): only cells with a value
            # matter, and one C-level pass per row yields their references
            refs = _VALUED_CELL_REF.findall(piece, start, end)
            if refs:
                letters, digits = zip(*refs)
                rows = list(map(int, digits))
                self._values(min(rows), max(rows), max(map(_col_number, letters)))
            self.col_index = 0
            return
        # cells with and without references mixed in one row: no writer does this, so it is the
        # only form that costs a Python step per cell, and a sheet may hold only so many
        self.irregular += end - start
        if self.irregular > self.limits.max_irregular_bytes:
            raise Refused("corrupt", f"over {self.limits.max_irregular_bytes} bytes of rows mixing "
                                     f"cells with and without references")
        geo = self.geo
        col_index, row_index = self.col_index, self.row_index
        search_r = _ATTR_R.search
        for attrs, content in _CELL_WHOLE.findall(piece, start, end):
            found = search_r(attrs) if b"r" in attrs else None
            ref = _ANY_REF.fullmatch(found.group(1) if found.group(1) is not None else found.group(2)) \
                if found is not None else None
            if ref is not None and ref.group(1) and int(ref.group(2)):
                col, row = _col_number(ref.group(1)) - 1, int(ref.group(2)) - 1
                col_index = col
            else:
                col, row = col_index, row_index
            col_index += 1
            if content and _VALUE_TAG.search(content):
                self._value(row + 1, col + 1)
                if geo.refused:
                    break
        self.col_index = col_index

    def _value(self, row: int, col: int) -> None:
        self._values(row, row, col)

    def _values(self, first_row: int, last_row: int, col: int) -> None:
        geo = self.geo
        if last_row > geo.max_row:
            geo.max_row = last_row
        if col > geo.max_col:
            geo.max_col = col
        if geo.first_row is None or first_row < geo.first_row:
            geo.first_row = first_row
        if geo.max_row > self.limits.max_rows:
            geo.refused = "too_many_rows"
        elif geo.max_col > self.limits.max_cols:
            geo.refused = "too_many_columns"

    @staticmethod
    def _ref(attrs: bytes) -> tuple[int, int] | None:
        """(1-based column or 0, 1-based row) of an r attribute, None when absent or unreadable."""
        found = _ATTR_R.search(attrs)
        if found is None:
            return None
        value = found.group(1) if found.group(1) is not None else found.group(2)
        ref = _ANY_REF.fullmatch(value)
        if ref is None or int(ref.group(2)) == 0:
            return None
        return _col_number(ref.group(1)), int(ref.group(2))


#: merged ranges kept per sheet; a sheet declaring more has the rest ignored (Excel's own files
#: hold a few hundred at most; each costs ~100 bytes of Python objects)
MAX_MERGED_RANGES = 100_000
_EXCEL_ROWS, _EXCEL_COLS = 1_048_576, 16_384
_SHEET_DATA_CLOSE = re.compile(rb"</(?:[A-Za-z_][\w.\-]*:)?sheetData\s*>")
# <mergeCell ref="C2:C4"/>, any namespace prefix, ref wherever it sits among the attributes
_MERGE_CELL = re.compile(
    rb"<(?:[A-Za-z_][\w.\-]*:)?mergeCell\s(?:[^>\"']|\"[^\"]*\"|'[^']*')*?(?<=\s)ref\s*=\s*[\"']\s*"
    rb"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})\s*:\s*\$?([A-Za-z]{1,3})\$?([0-9]{1,7})\s*[\"']")


class _MergedRanges:
    """The `<mergeCell ref>` ranges of a worksheet, collected from the pieces the geometry scan
    already sees. They sit after `</sheetData>`, so a piece is only searched (bytes.find, at memory
    speed) for that closing tag, from the piece's last `</row>` on (found within a few bytes of
    the end of a piece of rows), until it is found; only the tail after it is matched: no work per
    cell. Comments and CDATA are already blanked out of the pieces (`_xml_pieces`)."""

    def __init__(self) -> None:
        self.in_tail = False
        self.ranges: list[tuple[int, int, int, int]] = []

    def feed(self, piece: bytes) -> None:
        start = 0
        if not self.in_tail:
            at = piece.find(b"sheetData", max(0, piece.rfind(b"</row>")))
            while at >= 0:
                lt = piece.rfind(b"</", max(0, at - 256), at)
                close = _SHEET_DATA_CLOSE.match(piece, lt) if lt >= 0 else None
                if close is not None and close.end() > at:
                    self.in_tail = True
                    start = close.end()
                    break
                at = piece.find(b"sheetData", at + 9)
            if not self.in_tail:
                return
        if len(self.ranges) >= MAX_MERGED_RANGES or piece.find(b"mergeCell", start) < 0:
            return
        for found in _MERGE_CELL.finditer(piece, start):
            col1, row1, col2, row2 = found.groups()
            r1, r2, c1, c2 = int(row1), int(row2), _col_number(col1), _col_number(col2)
            if not (0 < r1 <= _EXCEL_ROWS and 0 < r2 <= _EXCEL_ROWS
                    and 0 < c1 <= _EXCEL_COLS and 0 < c2 <= _EXCEL_COLS):
                continue
            self.ranges.append((min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)))
            if len(self.ranges) >= MAX_MERGED_RANGES:
                return

    def into(self, geo: _Geometry) -> _Geometry:
        geo.merged = tuple(self.ranges)
        return geo


def _scan_sheet(package: _Package, entry: _Entry, force_slow: bool = False) -> _Geometry:
    """Geometry of one worksheet part: the fast scan, or the exact one when the fast scan meets a
    form it does not prove (the part is inflated a second time; its bytes are counted once). The
    merged ranges are collected from the same pieces."""
    limits = package.limits
    counted = 0
    if not force_slow:
        fast = _FastSheetScan(limits)
        merged = _MergedRanges()
        chunks = package.stream(entry)
        produced = 0

        def counting(source: Iterator[bytes]) -> Iterator[bytes]:
            nonlocal produced
            for chunk in source:
                produced += len(chunk)
                yield chunk

        try:
            for piece in _xml_pieces(counting(chunks), entry.name, limits=limits, keep="cell"):
                if not fast.feed(piece):
                    break
                merged.feed(piece)
            return merged.into(fast.geo)
        except _NeedSlowScan:
            counted = produced
        finally:
            chunks.close()
    slow = _SlowSheetScan(limits)
    merged = _MergedRanges()
    for piece in _xml_pieces(package.stream(entry, already_counted=counted), entry.name,
                             limits=limits, keep="row"):
        if not slow.feed(piece):
            break
        merged.feed(piece)
    return merged.into(slow.geo)


def _count_shared_strings(package: _Package, entry: _Entry) -> int:
    count = 0
    for piece in _xml_pieces(package.stream(entry), entry.name, limits=package.limits):
        count += piece.count(b"<si>") + piece.count(b"<si ") + piece.count(b"<si/")
        if b":si" in piece:
            count += len(re.findall(rb"<[A-Za-z_][\w.\-]*:si[\s/>]", piece))
        if count > package.limits.max_shared_strings:
            raise Refused("too_many_strings", f"over {package.limits.max_shared_strings} shared strings")
    return count


def _drain(package: _Package, entry: _Entry) -> None:
    for _ in _xml_pieces(package.stream(entry), entry.name, limits=package.limits):
        pass


# --- package metadata (defusedxml) ------------------------------------------------------------------

def _parse_xml(data: bytes, part: str):
    try:
        return SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise Refused("xml_entities", f"{part}: {type(exc).__name__}") from None
    except SafeET.ParseError as exc:
        raise Refused("corrupt", f"{part}: {exc}") from None
    except LookupError as exc:       # an XML declaration naming an encoding Python does not know
        raise Refused("corrupt", f"{part}: {exc}") from None


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _relationships(package: _Package, rels_name: str) -> dict[str, tuple[str, str]]:
    """Id -> (type, target) of a .rels part; external targets left out; {} when the part is absent."""
    entry = package.first(rels_name)
    if entry is None:
        return {}
    root = _parse_xml(package.read_small(entry), entry.name)
    rels: dict[str, tuple[str, str]] = {}
    for element in root.iter():
        if _local(element.tag) != "Relationship":
            continue
        if (element.get("TargetMode") or "").lower() == "external":
            continue
        rels[element.get("Id") or ""] = (element.get("Type") or "", element.get("Target") or "")
    return rels


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _opc_target(base_folder: str, target: str) -> str:
    """The part a relationship target names, per OPC (relative to the source part's folder)."""
    target = target.replace("\\", "/")
    path = target.lstrip("/") if target.startswith("/") else posixpath.join(base_folder, target)
    path = posixpath.normpath(path)
    return "" if path.startswith("..") or path == "." else path


def _calamine_target(target: str) -> str:
    """The part python-calamine reads for a workbook relationship target."""
    target = target.replace("\\", "/")
    if target.startswith("/xl/"):
        return target[1:]
    if target.startswith("xl/"):
        return target
    return "xl/" + target


def _type_is(rel_type: str, suffix: str) -> bool:
    return rel_type.rsplit("/", 1)[-1].lower() == suffix.lower()


def _parse_modified(package: _Package, root_rels: dict[str, tuple[str, str]]) -> datetime | None:
    candidates = [_opc_target("", target) for rel_type, target in root_rels.values()
                  if rel_type.lower().endswith("metadata/core-properties")]
    candidates.append("docProps/core.xml")
    for name in candidates:
        entry = package.first(name) if name else None
        if entry is None:
            continue
        root = _parse_xml(package.read_small(entry), entry.name)
        for element in root.iter():
            if _local(element.tag) == "modified" and element.text:
                return parse_w3cdtf(element.text)
        return None
    return None


def parse_w3cdtf(text: str) -> datetime | None:
    """A W3C-DTF timestamp (`2026-10-31T08:15:00Z`, `2026-10-31`, `2026-10`) as an aware UTC
    datetime; a time without zone is taken as UTC (Excel always writes Z); None when unreadable."""
    value = text.strip()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
        for fmt in ("%Y-%m", "%Y"):
            try:
                moment = datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
        if moment is None:
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


# --- inspect_xlsx ---------------------------------------------------------------------------------

_XML_SUFFIXES = (".xml", ".rels", ".vml", ".psmdcp")


def inspect_xlsx(source: Source, limits: Limits = Limits()) -> WorkbookInfo:
    """Inspect an OOXML workbook (.xlsx/.xlsm) without trusting it; raise `Refused` or describe it.

    `source` is a path, the file's bytes (e.g. a decrypted package) or a seekable binary file.
    """
    with _opened(source) as (fh, size):
        if size == 0:
            raise Refused("empty", "0 bytes")
        head = fh.read(8)
        if not head.startswith(b"PK"):
            _refuse_not_zip(fh, head, limits)
        package = _Package(fh, size, limits)
        return _inspect_package(package)


def inspect_xlsx_bytes(data: bytes, limits: Limits = Limits()) -> WorkbookInfo:
    """`inspect_xlsx` on a workbook held in memory (e.g. the output of `decrypt_to_bytes`)."""
    return inspect_xlsx(data, limits)


def is_encrypted(source: Source) -> bool:
    """True for a password-protected workbook: an OLE2-wrapped OOXML package (`EncryptionInfo`)
    or a BIFF .xls carrying FILEPASS. Decided from content, never from the file name."""
    kind = sniff(source)
    return kind == "ole_encrypted_ooxml" or (kind in ("ole", "biff") and is_biff_encrypted(source))


def _refuse_not_zip(fh: BinaryIO, head: bytes, limits: Limits) -> None:
    if head.startswith(OLE_MAGIC):
        fh.seek(0)
        try:
            cfb = Cfb(read_all(fh, limits.max_file_bytes))
        except ValueError:
            raise Refused("not_a_workbook", "an OLE2 file that cannot be walked") from None
        if cfb.has_stream("EncryptionInfo"):
            raise Refused("encrypted", "a password-protected workbook (OLE2 EncryptionInfo)")
        raise Refused("not_a_workbook", "an OLE2 file (.xls or another Office 97 document), not .xlsx")
    fh.seek(0)
    raise Refused("not_a_workbook", _describe_content(fh.read(64 * 1024)))


def _inspect_package(package: _Package) -> WorkbookInfo:
    root_rels_entry = package.first("_rels/.rels")
    root_rels = _relationships(package, "_rels/.rels") if root_rels_entry else {}
    office_targets = [_opc_target("", target) for rel_type, target in root_rels.values()
                      if _type_is(rel_type, "officeDocument")]
    # python-calamine reads xl/workbook.xml whatever the package says; openpyxl follows _rels/.rels
    workbook_entry = package.first("xl/workbook.xml")
    if workbook_entry is None:
        for target in office_targets:
            workbook_entry = package.first(target) if target else None
            if workbook_entry is not None:
                break
    if workbook_entry is None:
        if package.first("content.xml") and package.first("mimetype"):
            raise Refused("not_a_workbook", "an OpenDocument spreadsheet (.ods), not .xlsx")
        if package.first("xl/workbook.bin"):
            raise Refused("not_a_workbook", "an Excel binary workbook (.xlsb), not .xlsx")
        raise Refused("not_a_workbook", "a zip file without a workbook part")
    workbook_part = workbook_entry.name
    if workbook_part.lower().endswith(".bin"):
        raise Refused("not_a_workbook", "an Excel binary workbook (.xlsb), not .xlsx")
    workbook_folder = posixpath.dirname(workbook_part)

    # Declared-size checks on everything we will inflate, before inflating anything big.
    xml_entries = [e for e in package.entries
                   if e.lower.endswith(_XML_SUFFIXES) and not e.name.endswith("/")]
    package.check_declared(xml_entries)

    wb_rels_name = _rels_name(workbook_part)
    wb_rels = _relationships(package, wb_rels_name)
    if workbook_part.lower() != "xl/workbook.xml" and package.first("xl/_rels/workbook.xml.rels"):
        # the relationships python-calamine reads, whatever the workbook part is called
        wb_rels = {**_relationships(package, "xl/_rels/workbook.xml.rels"), **wb_rels}
    workbook = _parse_xml(package.read_small(workbook_entry), workbook_part)
    modified = _parse_modified(package, root_rels)

    # The sheets, in workbook order, with every part a reader could take for each.
    planned: list[tuple[str, str, str | None, list[_Entry], _Entry | None]] = []
    sheet_parts: dict[int, _Entry] = {}
    for element in workbook.iter():
        if _local(element.tag) != "sheet":
            continue
        name = element.get("name") or ""
        state_raw = element.get("state") or "visible"
        state = _STATES.get(state_raw.lower())
        if state is None:
            raise Refused("corrupt", f"sheet {name!r} has the unknown state {state_raw!r}")
        rid = next((value for key, value in element.attrib.items()
                    if key.startswith("{") and _local(key) == "id"), "")
        rel_type, target = wb_rels.get(rid, ("", ""))
        if not target:
            planned.append((name, state, "missing_part", [], None))
            continue
        calamine_part = _calamine_target(target)
        candidates: list[_Entry] = []
        for path in {calamine_part, _opc_target(workbook_folder, target),
                     _opc_target(workbook_folder, unquote(target))}:
            for entry in package.find(path) if path else []:
                if entry not in candidates:
                    candidates.append(entry)
        candidates.sort(key=lambda e: e.index)
        primary = package.first(calamine_part) or (candidates[0] if candidates else None)
        folder = calamine_part.split("/")[1].lower() if calamine_part.count("/") >= 2 else ""
        is_worksheet = _type_is(rel_type, "worksheet") if rel_type else folder == "worksheets"
        if not candidates:
            planned.append((name, state, "missing_part", [], None))
        elif not is_worksheet:
            planned.append((name, state, "not_a_worksheet", candidates, primary))
        else:
            planned.append((name, state, None, candidates, primary))
            for entry in candidates:
                sheet_parts[entry.index] = entry
    shared_strings = {e.index: e for e in package.find("xl/sharedStrings.xml")}
    for rel_type, target in wb_rels.values():
        if _type_is(rel_type, "sharedStrings"):
            for path in (_calamine_target(target), _opc_target(workbook_folder, target)):
                shared_strings.update((e.index, e) for e in package.find(path))
    package.check_declared([*sheet_parts.values(), *shared_strings.values()])

    # One pass over every XML part, in the zip's order.
    geometry: dict[int, _Geometry] = {}
    strings = 0
    for entry in sorted({e.index: e for e in [*xml_entries, *sheet_parts.values(),
                                               *shared_strings.values()]}.values(),
                        key=lambda e: e.index):
        if entry.index in package.parsed:
            continue
        if entry.index in sheet_parts:
            geometry[entry.index] = _scan_sheet(package, entry)
        elif entry.index in shared_strings:
            strings += _count_shared_strings(package, entry)
            if strings > package.limits.max_shared_strings:
                raise Refused("too_many_strings", f"over {package.limits.max_shared_strings} shared strings")
        else:
            _drain(package, entry)

    sheets = []
    for name, state, refused, candidates, primary in planned:
        if refused is not None or primary is None:
            part = primary.name if primary is not None else ""
            sheets.append(SheetInfo(name, part, state, None, 0, 0, refused or "missing_part"))
            continue
        scanned = [geometry[e.index] for e in candidates]
        first = geometry[primary.index]
        max_row = max(g.max_row for g in scanned)
        max_col = max(g.max_col for g in scanned)
        refused = next((g.refused for g in scanned if g.refused), None)
        sheets.append(SheetInfo(name, primary.name, state, first.first_row, max_row, max_col, refused,
                                first.merged))
    return WorkbookInfo(modified=modified, sheets=sheets, xml_bytes=package.xml_bytes)


# --- inspect_xls ----------------------------------------------------------------------------------

# BIFF cell records whose body starts with row (u16), column (u16). BIFF5/8 ids, then BIFF2-4 ones.
_BIFF_CELLS = {0x0006, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6,
               0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0206, 0x0406}
_BIFF_BLANKS = {0x0201, 0x0001}
_BIFF_MULRK, _BIFF_MULBLANK = 0x00BD, 0x00BE
_BIFF_FORMULAS = {0x0006, 0x0206, 0x0406}
_XLS_MAX_ROWS, _XLS_MAX_COLS = 65_536, 256      # the .xls format's own grid (BIFF8)
_SHEET_STATES = {0: "visible", 1: "hidden", 2: "veryHidden"}


def inspect_xls(source: Source, limits: Limits = Limits()) -> WorkbookInfo:
    """Inspect a BIFF .xls (OLE2 BIFF5/BIFF8, or a bare BIFF2-4 stream); raise `Refused` or
    describe it. The readers load every sheet of an .xls at open, so a sheet beyond the format's
    own 65,536 x 256 grid (only a crafted file has one) refuses the whole file; a sheet beyond the
    contract's 200 columns is refused on its own."""
    with _opened(source) as (fh, size):
        if size == 0:
            raise Refused("empty", "0 bytes")
        if size > limits.max_file_bytes:
            raise Refused("too_large", f"{size} bytes (limit {limits.max_file_bytes})")
        fh.seek(0)
        data = fh.read(size)
    modified = None
    bare = False
    if data.startswith(OLE_MAGIC):
        try:
            cfb = Cfb(data)
            if cfb.has_stream("EncryptionInfo"):
                raise Refused("encrypted", "a password-protected workbook (OLE2 EncryptionInfo)")
            try:
                stream_name = cfb.workbook_stream_name()
                stream = cfb.read_stream(stream_name)
            except KeyError:
                raise Refused("not_a_workbook", "an OLE2 file without a workbook stream "
                                                "(a Word or other Office document?)") from None
            modified = _summary_modified(cfb)
        except CfbError as exc:
            raise Refused("truncated" if exc.truncated else "corrupt", str(exc)) from None
    elif len(data) >= 4 and struct.unpack_from("<H", data)[0] in BIFF_BOF_TYPES:
        stream = data
        stream_name = "BIFF"
        bare = True
    else:
        raise Refused("not_a_workbook", _describe_content(data[:64 * 1024]))
    try:
        globals_ = biff_globals(stream)
        if globals_.filepass:
            raise Refused("encrypted", "a password-protected .xls (FILEPASS)")
        if globals_.sst_count is not None and not 0 <= globals_.sst_count <= len(stream) // 3 + 1:
            # python-calamine pre-allocates the declared count of shared strings
            raise Refused("corrupt", f"shared-string count {globals_.sst_count} impossible for the file")
        if bare or not globals_.sheets:
            plan = [("Sheet 1", "visible", 0, 0)]
        else:
            biff8 = globals_.bof_version not in (0x0500, 0x0400, 0x0300, 0x0200, 0x0002, 0x0007)
            plan = []
            for offset, state, sheet_type, raw_name in globals_.sheets:
                name = _biff_sheet_name(raw_name, biff8, globals_.codepage)
                if (state & 0x3F) not in _SHEET_STATES or sheet_type not in (0, 1, 2, 6):
                    raise Refused("corrupt", f"sheet {name!r}: unknown state or type")
                if offset >= len(stream):
                    raise Refused("corrupt", f"sheet {name!r} starts beyond the workbook stream")
                plan.append((name, _SHEET_STATES[state & 0x3F], offset, sheet_type))
        sheets = []
        for name, state, offset, sheet_type in plan:
            # every substream, charts and macro sheets included: the readers parse them all at open
            geo = _biff_sheet_geometry(stream, offset, name)
            if geo.grid_row > _XLS_MAX_ROWS or geo.grid_col > _XLS_MAX_COLS:
                code = "too_many_rows" if geo.grid_row > _XLS_MAX_ROWS else "too_many_columns"
                raise Refused(code, f"sheet {name!r} has a cell at row {geo.grid_row}, column "
                                    f"{geo.grid_col}: beyond the .xls grid, and .xls readers load "
                                    f"every sheet at open")
            part = f"{stream_name}@{offset}"
            if sheet_type != 0:
                sheets.append(SheetInfo(name, part, state, None, 0, 0, "not_a_worksheet"))
                continue
            refused = ("too_many_rows" if geo.max_row > limits.max_rows else
                       "too_many_columns" if geo.max_col > limits.max_cols else None)
            sheets.append(SheetInfo(name, part, state, geo.first_row, geo.max_row, geo.max_col, refused))
    except CfbError as exc:
        raise Refused("truncated" if exc.truncated else "corrupt", str(exc)) from None
    return WorkbookInfo(modified=modified, sheets=sheets, xml_bytes=0)


def _biff_sheet_geometry(stream: bytes, offset: int, name: str) -> _Geometry:
    """Extent of the valued cells, extent of all cell records and first valued row of one sheet
    substream, from every cell and DIMENSIONS record up to the sheet's own EOF (nested chart
    substreams included)."""
    geo = _Geometry()
    max_row = max_col = grid_row = grid_col = -1
    first = None
    depth = 0
    unpack = struct.unpack_from
    for typ, body, length in iter_records(stream, offset):
        if typ in BIFF_BOF_TYPES:
            depth += 1
            continue
        if typ == 0x000A:
            depth -= 1
            if depth <= 0:
                break
            continue
        if typ in _BIFF_CELLS and length >= 4:
            row, col = unpack("<HH", stream, body)
            valued = typ not in _BIFF_BLANKS
            if typ in _BIFF_FORMULAS and length >= 14 and stream[body + 12:body + 14] == b"\xff\xff" \
                    and stream[body + 6] == 3:
                valued = False          # a formula whose cached result is the empty string
        elif typ in (_BIFF_MULRK, _BIFF_MULBLANK) and length >= 6:
            row, col = unpack("<HH", stream, body)
            col = max(col, unpack("<H", stream, body + length - 2)[0])
            valued = typ == _BIFF_MULRK
        elif typ in (0x0200, 0x0000) and length in (8, 10, 14):
            _check_dimensions(stream, body, length, name)
            continue
        else:
            continue
        if row > grid_row:
            grid_row = row
        if col > grid_col:
            grid_col = col
        if valued:
            if row > max_row:
                max_row = row
            if col > max_col:
                max_col = col
            if first is None or row < first:
                first = row
    geo.max_row, geo.max_col = max_row + 1, max_col + 1
    geo.grid_row, geo.grid_col = grid_row + 1, grid_col + 1
    geo.first_row = None if first is None else first + 1
    return geo


def _check_dimensions(stream: bytes, body: int, length: int, name: str) -> None:
    """python-calamine reserves rows x columns cells from DIMENSIONS before reading any cell, with
    unchecked arithmetic: refuse what no real .xls declares."""
    if length == 14:
        first_row, last_row, first_col, last_col = struct.unpack_from("<IIHH", stream, body)
    else:
        first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH", stream, body)
    if last_row > _XLS_MAX_ROWS or last_col > _XLS_MAX_COLS or (
            last_row >= 1 and last_col >= 1 and (first_row > last_row - 1 or first_col > last_col - 1)):
        raise Refused("corrupt", f"sheet {name!r}: impossible DIMENSIONS record "
                                 f"(rows {first_row}-{last_row}, columns {first_col}-{last_col})")


def _biff_sheet_name(raw: bytes, biff8: bool, codepage: int | None) -> str:
    if not raw:
        return ""
    cch = raw[0]
    if biff8 and len(raw) >= 2:
        wide = raw[1] & 0x1
        text = raw[2:2 + cch * (2 if wide else 1)].decode("utf-16-le" if wide else "latin-1", "replace")
    else:
        text = raw[1:1 + cch].decode(_codepage_codec(codepage), "replace")
    return text.replace("\x00", "")


def _codepage_codec(codepage: int | None) -> str:
    special = {None: "cp1252", 367: "ascii", 1200: "utf-16-le", 10000: "mac_roman",
               10008: "gb2312", 32768: "mac_roman", 32769: "cp1252"}
    name = special.get(codepage, f"cp{codepage}")
    try:
        codecs.lookup(name)
    except LookupError:
        return "latin-1"
    return name


def _summary_modified(cfb: Cfb) -> datetime | None:
    """PIDSI_LASTSAVE_DTM from the SummaryInformation property set, as an aware UTC datetime."""
    try:
        data = cfb.read_stream("\x05SummaryInformation")
    except (KeyError, CfbError):
        return None
    try:
        if len(data) < 48 or struct.unpack_from("<I", data, 24)[0] < 1:
            return None
        section = struct.unpack_from("<I", data, 44)[0]
        count = struct.unpack_from("<I", data, section + 4)[0]
        for i in range(min(count, 256)):
            prop_id, prop_offset = struct.unpack_from("<II", data, section + 8 + 8 * i)
            if prop_id != 13:
                continue
            vt, filetime = struct.unpack_from("<IQ", data, section + prop_offset)
            if vt != 0x40 or filetime == 0:
                return None
            return datetime(1601, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=filetime // 10)
    except (struct.error, OverflowError):
        return None
    return None
