"""Fixtures of the report tests: the synthetic month (tests/golden/synthetic.py), its pack data in
both languages, a run context, and a pure-python reader of the PDF's text layer."""
from __future__ import annotations

import re
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Callable

import pytest

from pipeline.kpis.base import KpiContext
from pipeline.report import RunInfo
from pipeline.report.pack import pack_data
from pipeline.settings import settings_from_mapping
from tests.golden import synthetic


@pytest.fixture(scope="session")
def synthetic_run():
    return synthetic.build()


@pytest.fixture(scope="session")
def report_ctx() -> KpiContext:
    return KpiContext(settings=settings_from_mapping([("<report tests>", {})]), period=synthetic.PERIOD,
                      as_of=synthetic.AS_OF)


def run_info(language: str, **changes) -> RunInfo:
    info = RunInfo(company=synthetic.COMPANY, period=synthetic.PERIOD, as_of=synthetic.AS_OF,
                   generated_at=synthetic.GENERATED_AT, language=language, rows_read=12840, rows_used=12791,
                   rows_rejected=37, files_read=14, files_failed=1, files_skipped=2)
    return replace(info, **changes)


@pytest.fixture(scope="session")
def make_data(synthetic_run, report_ctx) -> Callable:
    """`make_data(language, registers=None, details=None, previous=<synthetic>, **run_changes)`."""
    def make(language: str, *, registers=None, details=None, previous="synthetic", **changes):
        registers = synthetic_run.registers if registers is None else registers
        previous_kpis = synthetic_run.previous_kpis if previous == "synthetic" else previous
        return pack_data(synthetic_run.kpis, registers, report_ctx, run_info(language, **changes), previous_kpis,
                         details=synthetic_run.details if details is None else details)
    return make


# --- the PDF's text layer, without poppler ----------------------------------------------------------

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(<<.*?>>)\s*(?:stream\r?\n(.*?)\r?\nendstream|endobj)", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def _literal_strings(content: bytes) -> list[bytes]:
    """The literal strings `( … )` of a content stream, PDF escapes and nesting resolved."""
    out, i, n = [], 0, len(content)
    while i < n:
        if content[i:i + 1] != b"(":
            i += 1
            continue
        depth, buf, i = 1, bytearray(), i + 1
        while i < n and depth:
            ch = content[i:i + 1]
            if ch == b"\\":
                nxt = content[i + 1:i + 2]
                if nxt in _ESCAPES:
                    buf += _ESCAPES[nxt]
                    i += 2
                elif nxt.isdigit():
                    digits = re.match(rb"[0-7]{1,3}", content[i + 1:i + 4]).group(0)
                    buf.append(int(digits, 8))
                    i += 1 + len(digits)
                else:
                    i += 2
                continue
            if ch == b"(":
                depth += 1
            elif ch == b")":
                depth -= 1
                if depth == 0:
                    i += 1
                    break
            buf += ch
            i += 1
        out.append(bytes(buf))
    return out


def _to_unicode_maps(pdf: bytes) -> dict[int, str]:
    """Every ToUnicode CMap's code → text pairs (matplotlib's Identity-H codes)."""
    mapping: dict[int, str] = {}
    for match in _OBJECT.finditer(pdf):
        data = match.group(3)
        if data is None or b"FlateDecode" not in match.group(2):
            continue
        data = zlib.decompress(data)
        if b"begincmap" not in data:
            continue
        for lo, hi, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\[[^\]]*\]|<[0-9a-fA-F]+>)", data):
            targets = re.findall(rb"<([0-9a-fA-F]+)>", dst)
            for k, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                hexa = targets[k] if dst.startswith(b"[") else format(int(targets[0], 16) + k, "04x").encode()
                mapping[code] = bytes.fromhex(hexa.decode()).decode("utf-16-be")
    return mapping


def pdf_text(path: Path) -> str:
    """The text a PDF written by matplotlib shows: every text-showing string of every page content
    stream, decoded through the fonts' ToUnicode maps (two-byte codes, Identity-H)."""
    pdf = Path(path).read_bytes()
    mapping = _to_unicode_maps(pdf)
    pieces = []
    for match in _OBJECT.finditer(pdf):
        data = match.group(3)
        if data is None or b"FlateDecode" not in match.group(2):
            continue
        try:
            data = zlib.decompress(data)
        except zlib.error:
            continue
        if b"BT" not in data or b"Tf" not in data:
            continue
        for block in re.findall(rb"BT(.*?)ET", data, re.S):
            for raw in _literal_strings(block):
                if len(raw) % 2 == 0:
                    codes = [int.from_bytes(raw[k:k + 2], "big") for k in range(0, len(raw), 2)]
                    pieces.append("".join(mapping.get(c, chr(c)) for c in codes))
            pieces.append("\n")
    return "".join(pieces)


@pytest.fixture(scope="session")
def read_pdf_text() -> Callable[[Path], str]:
    return pdf_text


@pytest.fixture(scope="session")
def make_run_info() -> Callable[..., RunInfo]:
    """`make_run_info(language, **changes)`: the synthetic run's RunInfo."""
    return run_info
