"""What a file really is, from its first bytes rather than its name (registers.md: a file "not what
its extension says" is listed with its reason, never fed to the wrong reader).

`sniff(path)` answers one of:

    "zip"                  an OOXML candidate (.xlsx/.xlsm, but also .ods, .xlsb, any zip)
    "ole"                  an OLE2 compound file: BIFF5/BIFF8 .xls (or another Office 97 file)
    "ole_encrypted_ooxml"  an OLE2 file holding `EncryptionInfo`: a password-protected .xlsx
    "biff"                 a bare BIFF2-BIFF4 worksheet stream (Excel 2.x-4.0 .xls, no OLE wrapper)
    "html"                 an HTML page (ERP "Excel" exports: `<html`, `<table` after BOM/whitespace)
    "xml"                  another XML document (e.g. an Excel 2003 "XML Spreadsheet" named .xls)
    "text"                 decodes as text: CSV/TSV in UTF-8/UTF-16/GB18030/cp1252
    "empty"                0 bytes
    "unknown"              anything else

Only a bounded head of the file is read, except that an OLE2 file's directory is walked to tell an
encrypted workbook from a BIFF one. That walk, and everything else that looks inside an OLE2
container for this package, goes through `Cfb`: a small compound-file reader that validates every
header field, sector chain and stream length that python-calamine's own reader trusts (its
sector-chain walk has no loop check and pre-allocates declared lengths, so a crafted 5 KB file can
make it loop forever or allocate terabytes).
"""
from __future__ import annotations

import io
import os
import struct
from typing import BinaryIO, Iterator

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# BOF record types of BIFF2, BIFF3, BIFF4 and BIFF5/8 worksheet streams.
BIFF_BOF_TYPES = (0x0009, 0x0209, 0x0409, 0x0809)

PEEK_BYTES = 64 * 1024
# An OLE2 file is read whole to walk its directory; past this size (the same as safety.Limits'
# max_file_bytes) it is not walked here and inspect_xls refuses it as too large.
WHOLE_FILE_LIMIT = 500_000_000
# A text file may hold a few form-feeds or stray control characters; binary data holds many.
_MAX_CONTROL_SHARE = 0.01

_ENDOFCHAIN = 0xFFFFFFFE
_RESERVED = 0xFFFFFFFA       # ids at or above this are not sector numbers (calamine's bound)
_DIFSECT = 0xFFFFFFFC

Source = str | os.PathLike | bytes | bytearray | BinaryIO


class CfbError(ValueError):
    """An OLE2 compound file that a reader could not walk safely (loops, out-of-range sectors,
    lengths beyond the file). `truncated` is set when the file simply ends too early."""

    def __init__(self, message: str, *, truncated: bool = False):
        super().__init__(message)
        self.truncated = truncated


def read_head(source: Source, size: int = PEEK_BYTES) -> tuple[bytes, int]:
    """The first `size` bytes of `source` and its total length, without reading the rest."""
    if isinstance(source, (bytes, bytearray)):
        return bytes(source[:size]), len(source)
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as fh:
            return fh.read(size), os.fstat(fh.fileno()).st_size
    pos = source.tell()
    source.seek(0, io.SEEK_END)
    total = source.tell()
    source.seek(0)
    head = source.read(size)
    source.seek(pos)
    return head, total


def read_all(source: Source, max_bytes: int) -> bytes:
    """The whole of `source`, refusing (ValueError) to read more than `max_bytes`."""
    head, total = read_head(source, 0)
    if total > max_bytes:
        raise ValueError(f"{total} bytes, over the {max_bytes}-byte limit")
    if isinstance(source, (bytes, bytearray)):
        return bytes(source)
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as fh:
            return fh.read(max_bytes + 1)
    pos = source.tell()
    source.seek(0)
    data = source.read(max_bytes + 1)
    source.seek(pos)
    return data


def sniff(path: Source) -> str:
    """The file's real type from its magic bytes and a bounded peek (see the module docstring)."""
    head, total = read_head(path)
    if total == 0:
        return "empty"
    if head.startswith(ZIP_MAGICS):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return _sniff_ole(path)
    if _looks_like_bare_biff(head):
        return "biff"
    text = _decode_text(head, at_eof=len(head) >= total)
    if text is None:
        return "unknown"
    markup = _markup_kind(text)
    if markup:
        return markup
    return "text"


def is_biff_encrypted(path: Source) -> bool:
    """True when a BIFF .xls carries a FILEPASS record (RC4, RC4 CryptoAPI or XOR obfuscation).

    Checked in the workbook globals of the `Workbook` (BIFF8) or `Book` (BIFF5) stream, or of a
    bare BIFF stream. A file that is not BIFF at all, or too damaged to walk, is not "encrypted":
    `inspect_xls` reports those with their own reason.
    """
    kind = sniff(path)
    try:
        if kind == "ole":
            cfb = Cfb(read_all(path, WHOLE_FILE_LIMIT))
            stream = cfb.read_stream(cfb.workbook_stream_name())
        elif kind == "biff":
            stream = read_all(path, WHOLE_FILE_LIMIT)
        else:
            return False
        return biff_globals(stream).filepass
    except (CfbError, KeyError, ValueError):
        return False


# --- text and markup ----------------------------------------------------------------------------

def _looks_like_bare_biff(head: bytes) -> bool:
    if len(head) < 8:
        return False
    typ, length = struct.unpack_from("<HH", head)
    return typ in BIFF_BOF_TYPES and 4 <= length <= 20


def _decode_text(head: bytes, *, at_eof: bool) -> str | None:
    """`head` decoded as text when it plausibly is text, else None.

    UTF-8 (with or without BOM) is tried before GB18030 (a UTF-8 file also decodes as GB18030, as
    mojibake), then cp1252 for Western exports; UTF-16 is recognised by its BOM or by the zero
    bytes of mostly-ASCII text. A multi-byte character cut by the peek boundary is forgiven.
    """
    candidates: list[tuple[bytes, str]] = []
    if head.startswith(b"\xef\xbb\xbf"):
        candidates.append((head[3:], "utf-8"))
    elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates.append((head[2:], "utf-16-le" if head[:2] == b"\xff\xfe" else "utf-16-be"))
    elif b"\x00" in head:
        even_nuls = head[0::2].count(0)
        odd_nuls = head[1::2].count(0)
        half = max(1, len(head) // 2)
        if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
            candidates.append((head, "utf-16-le"))
        elif even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
            candidates.append((head, "utf-16-be"))
        else:
            return None
    else:
        candidates += [(head, "utf-8"), (head, "gb18030"), (head, "cp1252")]
    for data, encoding in candidates:
        text = _decode_prefix(data, encoding, at_eof)
        if text is not None and _mostly_printable(text):
            return text
    return None


def _decode_prefix(data: bytes, encoding: str, at_eof: bool) -> str | None:
    unit = 2 if encoding.startswith("utf-16") else 1
    if encoding.startswith("utf-16") and len(data) % 2:
        data = data[:-1]
    # forgive up to 3 bytes (one character) cut at the end of the peek
    for cut in range(0, 1 if at_eof else 4):
        end = len(data) - cut * unit
        if end < 0:
            break
        try:
            return data[:end].decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _mostly_printable(text: str) -> bool:
    if not text:
        return True
    control = sum(1 for ch in text if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or ord(ch) == 0x7F)
    return control <= _MAX_CONTROL_SHARE * len(text)


def _markup_kind(text: str) -> str | None:
    stripped = text.lstrip("\ufeff \t\r\n\f\v\x00")
    if not stripped.startswith("<"):
        return None
    lowered = stripped[:PEEK_BYTES].lower()
    if lowered.startswith(("<html", "<table", "<!doctype html")):
        return "html"
    if "<html" in lowered or "<table" in lowered:
        return "html"
    return "xml"


# --- OLE2 compound files --------------------------------------------------------------------------

def _sniff_ole(path: Source) -> str:
    # The directory sits anywhere in the file, so the container is read whole here (up to
    # WHOLE_FILE_LIMIT; a larger OLE file is refused by `inspect_xls` anyway).
    try:
        cfb = Cfb(read_all(path, WHOLE_FILE_LIMIT))
    except (CfbError, ValueError):
        return "ole"
    return "ole_encrypted_ooxml" if cfb.has_stream("EncryptionInfo") else "ole"


class Cfb:
    """A validated, read-only view of an OLE2 compound file held in memory.

    It walks exactly the structures python-calamine's reader walks (header, DIFAT chain, FAT,
    directory chain, mini stream and mini FAT, one stream) and raises `CfbError` wherever that
    reader would loop forever, index out of range or pre-allocate more than the file holds.
    """

    def __init__(self, data: bytes):
        if len(data) < 512 or not data.startswith(OLE_MAGIC):
            raise CfbError("not an OLE2 compound file", truncated=data.startswith(OLE_MAGIC))
        self.data = data
        self.version = struct.unpack_from("<H", data, 26)[0]
        shift, mini_shift = struct.unpack_from("<HH", data, 30)
        if shift not in (9, 12) or mini_shift != 6:
            raise CfbError(f"sector shift {shift}/{mini_shift}")
        self.sector_size = 1 << shift
        # sector 0 starts right after the header, which fills one sector
        self.n_sectors = max(0, (len(data) - self.sector_size + self.sector_size - 1) // self.sector_size)
        (dir_len, fat_len, dir_start, _sig, _cutoff, mini_fat_start, mini_fat_len,
         difat_start, difat_len) = struct.unpack_from("<IIIIIIIII", data, 40)
        for name, value in (("FAT", fat_len), ("DIFAT", difat_len), ("mini FAT", mini_fat_len),
                            ("directory", dir_len)):
            if value > self.n_sectors:
                raise CfbError(f"{name} length {value} beyond the file's {self.n_sectors} sectors")
        difat = list(struct.unpack_from("<109I", data, 76))
        seen: set[int] = set()
        sector_id = difat_start
        while sector_id < _RESERVED:
            if sector_id in seen or sector_id >= self.n_sectors:
                raise CfbError("DIFAT chain loops or leaves the file")
            seen.add(sector_id)
            difat.extend(struct.unpack_from(f"<{self.sector_size // 4}I", self._sector(sector_id)))
            sector_id = difat.pop()
        fats: list[int] = []
        for fat_sector in difat:
            if fat_sector >= _DIFSECT:
                continue
            if fat_sector >= self.n_sectors:
                raise CfbError("FAT sector beyond the end of the file", truncated=True)
            fats.extend(struct.unpack_from(f"<{self.sector_size // 4}I", self._sector(fat_sector)))
        self.fats = fats
        directory = self._chain(dir_start, self.fats, self.sector_size, self._sector,
                                dir_len * self.sector_size)
        self.entries: list[tuple[str, int, int, int]] = []   # (name, type, start, size)
        for off in range(0, len(directory) - 127, 128):
            raw_name = directory[off:off + 64].decode("utf-16-le", "replace")
            name = raw_name.split("\x00", 1)[0]
            entry_type = directory[off + 66]
            start = struct.unpack_from("<I", directory, off + 116)[0]
            size = (struct.unpack_from("<I", directory, off + 120)[0] if self.sector_size == 512
                    else struct.unpack_from("<Q", directory, off + 120)[0])
            self.entries.append((name, entry_type, start, size))
        if not self.entries:
            raise CfbError("empty root directory")
        self.mini_fats: list[int] = []
        self.ministream = b""
        if mini_fat_len > 0:
            _, _, root_start, root_size = self.entries[0]
            self._check_size("root", root_size)
            self.ministream = self._chain(root_start, self.fats, self.sector_size, self._sector, root_size)
            minifat = self._chain(mini_fat_start, self.fats, self.sector_size, self._sector,
                                  mini_fat_len * self.sector_size)
            self.mini_fats = list(struct.unpack_from(f"<{len(minifat) // 4}I", minifat))

    def _sector(self, sector_id: int) -> bytes:
        start = (sector_id + 1) * self.sector_size
        return self.data[start:start + self.sector_size].ljust(self.sector_size, b"\x00")

    def _mini_sector(self, sector_id: int) -> bytes:
        start = sector_id * 64
        if start + 64 > len(self.ministream):
            raise CfbError("mini sector beyond the mini stream", truncated=True)
        return self.ministream[start:start + 64]

    def _chain(self, start: int, fats: list[int], unit: int, read, length: int) -> bytes:
        """The bytes of the sector chain from `start`, refusing loops and out-of-range ids.

        The visited set bounds the walk by the size of the allocation table, so a crafted chain
        can neither loop nor outgrow the file.
        """
        limit = len(fats)
        parts: list[bytes] = []
        seen: set[int] = set()
        sector_id = start
        while sector_id != _ENDOFCHAIN:
            if sector_id >= limit or sector_id in seen:
                raise CfbError("sector chain loops or leaves the allocation table")
            seen.add(sector_id)
            parts.append(read(sector_id))
            sector_id = fats[sector_id]
        data = b"".join(parts)
        return data[:length] if length else data

    def _check_size(self, name: str, size: int) -> None:
        if size > len(self.data):
            raise CfbError(f"stream {name!r} declares {size} bytes, more than the whole file")

    def has_stream(self, name: str) -> bool:
        return any(entry[0] == name and entry[1] == 2 for entry in self.entries)

    def stream_names(self) -> list[str]:
        return [entry[0] for entry in self.entries if entry[1] == 2]

    def workbook_stream_name(self) -> str:
        """`Workbook` (BIFF8) or `Book` (BIFF5), matched exactly as calamine does; KeyError if none."""
        for name in ("Workbook", "Book"):
            if self.has_stream(name):
                return name
        raise KeyError("no Workbook or Book stream")

    def read_stream(self, name: str) -> bytes:
        for entry_name, entry_type, start, size in self.entries:
            if entry_name == name and entry_type == 2:
                self._check_size(name, size)
                if size < 4096:
                    data = self._chain(start, self.mini_fats, 64, self._mini_sector, size)
                else:
                    data = self._chain(start, self.fats, self.sector_size, self._sector, size)
                if len(data) < size:
                    raise CfbError(f"stream {name!r} ends after {len(data)} of its {size} bytes",
                                   truncated=True)
                return data
        raise KeyError(name)


# --- BIFF records ---------------------------------------------------------------------------------

class BiffGlobals:
    """What the workbook globals of a BIFF stream say: version, encryption, sheets, code page."""

    def __init__(self) -> None:
        self.bof_version = 0
        self.filepass = False
        self.codepage: int | None = None
        self.sst_count: int | None = None
        self.sst_offset = 0
        # BOUNDSHEET records: (stream offset of the sheet's BOF, hsState byte, dt byte, name bytes)
        self.sheets: list[tuple[int, int, int, bytes]] = []
        self.end = 0


def iter_records(stream: bytes, start: int = 0) -> Iterator[tuple[int, int, int]]:
    """(record type, offset of the record body, body length) from `start` to the stream's end.

    Raises CfbError(truncated=True) when a record's declared length runs past the stream.
    """
    pos = start
    end = len(stream)
    unpack = struct.unpack_from
    while pos + 4 <= end:
        typ, length = unpack("<HH", stream, pos)
        body = pos + 4
        if body + length > end:
            raise CfbError(f"record 0x{typ:04X} at {pos} runs past the stream", truncated=True)
        yield typ, body, length
        pos = body + length


def biff_globals(stream: bytes) -> BiffGlobals:
    """Walk the globals substream (up to its EOF record) of a BIFF stream."""
    info = BiffGlobals()
    first = True
    for typ, body, length in iter_records(stream):
        if first:
            if typ not in BIFF_BOF_TYPES:
                raise CfbError(f"stream does not start with a BOF record (0x{typ:04X})")
            info.bof_version = struct.unpack_from("<H", stream, body)[0] if length >= 2 else 0
            first = False
            continue
        if typ == 0x002F:                                   # FILEPASS
            info.filepass = True                            # what follows is encrypted
            break
        elif typ == 0x0042 and length >= 2:                 # CODEPAGE
            info.codepage = struct.unpack_from("<H", stream, body)[0]
        elif typ == 0x00FC and length >= 8:                 # SST
            info.sst_count = struct.unpack_from("<i", stream, body + 4)[0]
            info.sst_offset = body
        elif typ == 0x0085 and length >= 7:                 # BOUNDSHEET
            offset, state, sheet_type = struct.unpack_from("<IBB", stream, body)
            info.sheets.append((offset, state, sheet_type, stream[body + 6:body + length]))
        elif typ == 0x000A:                                 # EOF
            info.end = body + length
            break
    return info
