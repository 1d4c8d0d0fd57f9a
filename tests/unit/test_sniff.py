"""sniff(): what a file is from its bytes, not its name; is_biff_encrypted(); the validating
OLE2 reader that everything looking inside .xls files goes through."""
from __future__ import annotations

import time
from pathlib import Path

import olefile
import pytest

from pipeline.read.sniff import Cfb, CfbError, is_biff_encrypted, sniff
from tests.fixtures import hostile as H

CORPUS = Path("/work/shared/corpus/real-excel")


def _write(tmp: Path, name: str, data: bytes) -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path


# given: a file built in the test's folder -> expected kind
BUILT = [
    ("empty file", lambda t: H.empty_file(t), "empty"),
    ("CSV text named .xlsx", lambda t: H.text_named_xlsx(t), "text"),
    ("HTML table named .xls, BOM and blank line first", lambda t: H.html_named_xls(t), "html"),
    ("xlsx", lambda t: H.xlsx(t, "a.xlsx", [("S", H.sheet_xml([("A1", 1)]))]), "zip"),
    ("encrypted xlsx", lambda t: H.encrypted_xlsx(t, "pw"), "ole_encrypted_ooxml"),
    ("BIFF8 .xls", lambda t: H.plain_xls(t), "ole"),
    ("BIFF8 .xls with FILEPASS", lambda t: H.xls_filepass(t), "ole"),
    ("OLE2 whose FAT loops", lambda t: H.xls_fat_loop(t), "ole"),
    ("bare BIFF4 worksheet stream", lambda t: _write(t, "b4.xls", H.biff_record(0x0409, b"\0" * 6) + b"\0" * 40), "biff"),
    ("UTF-16LE CSV with BOM", lambda t: _write(t, "u16.csv", "\ufeff编号,数量\r\nA,1\r\n".encode("utf-16-le")), "text"),
    ("UTF-16LE CSV without BOM", lambda t: _write(t, "u16n.csv", "code,qty\r\nA,1\r\n".encode("utf-16-le")), "text"),
    ("GB18030 CSV", lambda t: _write(t, "gbk.csv", "客户代码,客户名称\nC001,示例电子\n".encode("gb18030")), "text"),
    ("cp1252 CSV", lambda t: _write(t, "es.csv", "año,situación\n2026,ok\n".encode("cp1252")), "text"),
    ("lower-case <table> after whitespace", lambda t: _write(t, "t.xls", b"\n\n   <table><tr><td>1</td></tr></table>"), "html"),
    ("XHTML with XML declaration", lambda t: _write(t, "x.xls", b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body><table/></body></html>'), "html"),
    ("Excel 2003 XML Spreadsheet", lambda t: _write(t, "ss.xls", b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>'), "xml"),
    ("PNG image named .xlsx", lambda t: _write(t, "p.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4), "unknown"),
    ("random binary", lambda t: _write(t, "r.bin", bytes((i * 37 + 11) % 256 for i in range(4096))), "unknown"),
]


@pytest.mark.parametrize("label,build,expected", BUILT, ids=[b[0] for b in BUILT])
def test_sniff_built_files(tmp_path, label, build, expected):
    assert sniff(build(tmp_path)) == expected


# given: a corpus file -> its kind, read off PROVENANCE.md's description of each file
CORPUS_KINDS = [
    ("excelize__encryptAES.xlsx", "ole_encrypted_ooxml"),   # "an OLE container rather than a zip"
    ("messytables__encrypted_no_password.xls", "ole"),      # BIFF8 with the default key
    ("deg__example-hxsec-records.xls", "text"),             # GBK tab-separated text named .xls
    ("poi__testEXCEL_3.xls", "biff"),                       # "BIFF3 stream, not OLE"
    ("xlrd__biff4_no_format_no_window2.xls", "biff"),
    ("poi__testEXCEL_95.xls", "ole"),                       # BIFF5 in OLE ("Book" stream)
    ("messytables__utf-16le_encoded.csv", "text"),
    ("deg__example-alipay-records.csv", "text"),            # GB18030 with a preamble
    ("poi__Simple.xlsb", "zip"),                            # a zip, refused later as .xlsb
    ("calamine__covered.ods", "zip"),
    ("calamine__strict_iso_paths.xlsx", "zip"),
]


@pytest.mark.parametrize("name,expected", CORPUS_KINDS)
def test_sniff_corpus(name, expected):
    assert sniff(CORPUS / name) == expected


def test_sniff_accepts_bytes_and_file_objects(tmp_path):
    path = H.plain_xls(tmp_path)
    assert sniff(path.read_bytes()) == "ole"
    with open(path, "rb") as handle:
        assert sniff(handle) == "ole"


# given: a file -> whether a BIFF FILEPASS record says it is encrypted
ENCRYPTION = [
    ("plain BIFF8", lambda t: H.plain_xls(t), False),
    ("FILEPASS in the globals", lambda t: H.xls_filepass(t), True),
    ("corpus: default-key .xls", lambda t: CORPUS / "messytables__encrypted_no_password.xls", True),
    ("corpus: BIFF5 in OLE", lambda t: CORPUS / "poi__testEXCEL_95.xls", False),
    ("xlsx is not BIFF", lambda t: H.xlsx(t, "a.xlsx", [("S", H.sheet_xml([("A1", 1)]))]), False),
    ("text is not BIFF", lambda t: H.text_named_xlsx(t), False),
    ("damaged container", lambda t: H.xls_fat_loop(t), False),
]


@pytest.mark.parametrize("label,build,expected", ENCRYPTION, ids=[e[0] for e in ENCRYPTION])
def test_is_biff_encrypted(tmp_path, label, build, expected):
    assert is_biff_encrypted(build(tmp_path)) is expected


def _ole_corpus() -> list[Path]:
    return [p for p in sorted(CORPUS.iterdir()) if p.read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")]


@pytest.mark.parametrize("path", _ole_corpus(), ids=lambda p: p.name[:40])
def test_cfb_reads_the_same_streams_as_olefile(path):
    # Cfb takes the first directory entry of a name, as python-calamine does; olefile takes the
    # root-level one. They agree wherever the name is unique in the file.
    cfb = Cfb(path.read_bytes())
    ole = olefile.OleFileIO(str(path))
    names = [entry[-1] for entry in ole.listdir(streams=True, storages=False)]
    root_streams = [entry[0] for entry in ole.listdir(streams=True, storages=False) if len(entry) == 1]
    for name in root_streams:
        if names.count(name) == 1:
            assert cfb.read_stream(name) == ole.openstream(name).read(), name
    assert {"Workbook", "Book", "EncryptedPackage"} & set(root_streams)


@pytest.mark.parametrize("build,message", [
    (lambda t: H.xls_fat_loop(t), "loops"),
    (lambda t: _write(t, "short.xls", bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 100), "not an OLE2"),
])
def test_cfb_refuses_what_calamine_would_loop_or_overrun_on(tmp_path, build, message):
    path = build(tmp_path)
    with pytest.raises(CfbError, match=message):
        cfb = Cfb(path.read_bytes())
        cfb.read_stream(cfb.workbook_stream_name())


def test_sniff_every_corpus_file_quickly():
    for path in sorted(CORPUS.iterdir()):
        started = time.perf_counter()
        kind = sniff(path)
        assert kind in {"zip", "ole", "ole_encrypted_ooxml", "biff", "html", "xml", "text", "empty", "unknown"}
        assert time.perf_counter() - started < 1.0, path.name
