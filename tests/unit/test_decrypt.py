"""Password-protected workbooks (registers.md; settings.md [input.passwords]): the password comes
from the environment variable the settings name, a wrong or missing one is a plain refusal, and
no password ever shows up in a message."""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from pipeline.read import decrypt
from pipeline.read.decrypt import decrypt_to_bytes, password_for
from pipeline.read.safety import Refused, inspect_xls, inspect_xlsx
from pipeline.read.sniff import sniff
from tests.fixtures import hostile as H

CORPUS = Path("/work/shared/corpus/real-excel")
SECRET = "Qa-2026!月报"

NAME_KEY = {"质量月报.xlsx": "env:QA_XLSX_PASSWORD"}
PATH_AND_NAME = {"质量月报.xlsx": "env:BY_NAME", "2026/10/质量月报.xlsx": "env:BY_PATH"}
ENV = {"QA_XLSX_PASSWORD": "pw-name", "BY_NAME": "pw-name", "BY_PATH": "pw-path", "EMPTY": ""}

# given: (file name as discovered, [input.passwords], environment) -> the password
PASSWORD_FOR = [
    ("bare file name", "质量月报.xlsx", NAME_KEY, ENV, "pw-name"),
    ("path under the inputs folder, bare-name key", "2026/质量月报.xlsx", NAME_KEY, ENV, "pw-name"),
    ("case differs", "质量月报.XLSX", NAME_KEY, ENV, "pw-name"),
    ("Windows separators", "2026\\10\\质量月报.xlsx", PATH_AND_NAME, ENV, "pw-path"),
    ("a path key beats a bare-name key", "2026/10/质量月报.xlsx", PATH_AND_NAME, ENV, "pw-path"),
    ("same name in another folder takes the bare-name key", "2026/11/质量月报.xlsx", PATH_AND_NAME, ENV, "pw-name"),
    ("decomposed Unicode from a Mac share", unicodedata.normalize("NFD", "Qualität.xlsx"),
     {"Qualität.xlsx": "env:QA_XLSX_PASSWORD"}, ENV, "pw-name"),
    ("no entry for the file", "其他.xlsx", NAME_KEY, ENV, None),
    ("variable not set", "质量月报.xlsx", {"质量月报.xlsx": "env:NOT_SET"}, ENV, None),
    ("variable set but empty", "质量月报.xlsx", {"质量月报.xlsx": "env:EMPTY"}, ENV, None),
    ("no passwords configured", "质量月报.xlsx", {}, ENV, None),
]


@pytest.mark.parametrize("label,file_name,passwords,environ,expected", PASSWORD_FOR, ids=[c[0] for c in PASSWORD_FOR])
def test_password_for(label, file_name, passwords, environ, expected):
    assert password_for(file_name, passwords, environ) == expected


@pytest.mark.parametrize("value", ["hunter2", "env:", "ENV:X", ""])
def test_password_for_rejects_a_value_that_is_not_env_without_echoing_it(value):
    with pytest.raises(ValueError) as caught:
        password_for("a.xlsx", {"a.xlsx": value}, ENV)
    assert "env:VARIABLE" in str(caught.value)
    if value not in ("", "env:"):
        assert value not in str(caught.value)


def test_password_for_reads_os_environ_by_default(monkeypatch):
    monkeypatch.setenv("QA_XLSX_PASSWORD", "from-os")
    assert password_for("质量月报.xlsx", NAME_KEY) == "from-os"


@pytest.fixture
def protected(tmp_path) -> Path:
    path = H.encrypted_xlsx(tmp_path, SECRET)
    assert sniff(path) == "ole_encrypted_ooxml"
    return path


def test_right_password_gives_a_workbook_that_inspects(protected):
    data = decrypt_to_bytes(protected, SECRET)
    assert data[:4] == b"PK\x03\x04"
    assert [s.name for s in inspect_xlsx(data).sheets] == ["台账"]


@pytest.mark.parametrize("password,code", [("wrong", "wrong_password"), (None, "encrypted"), ("", "encrypted")])
def test_wrong_or_missing_password_is_a_plain_refusal(protected, password, code):
    with pytest.raises(Refused) as caught:
        decrypt_to_bytes(protected, password)
    assert caught.value.code == code
    assert SECRET not in str(caught.value)
    if password:
        assert password not in caught.value.detail


def test_a_refusal_never_carries_the_password(protected):
    attempt = "Tr0ub4dor&3"
    with pytest.raises(Refused) as caught:
        decrypt_to_bytes(protected, attempt)
    text = f"{caught.value} {caught.value.detail!r} {caught.value.args!r} {caught.value.__cause__!r}"
    assert attempt not in text


def test_corpus_standard_encryption_with_its_password():
    # excelize's test file, AES "standard" encryption, password "password"
    data = decrypt_to_bytes(CORPUS / "excelize__encryptAES.xlsx", "password")
    assert [s.name for s in inspect_xlsx(data).sheets] == ["Sheet1"]


def test_corpus_xls_with_excels_default_key_opens_without_a_password():
    # messytables' file is RC4-encrypted with "VelvetSweatshop": Excel opens it without a prompt
    path = CORPUS / "messytables__encrypted_no_password.xls"
    data = decrypt_to_bytes(path, None)
    sheets = inspect_xls(data).sheets
    assert [(s.name, s.state, s.first_row) for s in sheets] == [("simple.csv", "visible", 1)]


def test_a_given_password_falls_back_to_excels_default_key():
    data = decrypt_to_bytes(CORPUS / "messytables__encrypted_no_password.xls", "whatever the settings say")
    assert inspect_xls(data).sheets[0].name == "simple.csv"


def test_an_unencrypted_workbook_is_returned_unchanged(tmp_path):
    plain = H.plain_xls(tmp_path)
    assert decrypt_to_bytes(plain, "x") == plain.read_bytes()
    book = H.xlsx(tmp_path, "a.xlsx", [("S", H.sheet_xml([("A1", 1)]))])
    assert decrypt_to_bytes(book, None) == book.read_bytes()


@pytest.mark.parametrize("build,code", [
    (lambda t: H.text_named_xlsx(t), "not_a_workbook"),
    (lambda t: H.html_named_xls(t), "not_a_workbook"),
    (lambda t: H.xls_fat_loop(t), "corrupt"),
])
def test_what_is_not_an_encrypted_workbook(tmp_path, build, code):
    with pytest.raises(Refused) as caught:
        decrypt_to_bytes(build(tmp_path), "x")
    assert caught.value.code == code


def test_key_derivation_beyond_the_round_limit_is_refused(protected, monkeypatch):
    # Excel writes spinCount 100,000; with the limit below that the file must be refused, not run
    monkeypatch.setattr(decrypt, "MAX_SPIN_COUNT", 1_000)
    with pytest.raises(Refused) as caught:
        decrypt_to_bytes(protected, SECRET)
    assert caught.value.code == "encrypted" and "100000" in caught.value.detail
