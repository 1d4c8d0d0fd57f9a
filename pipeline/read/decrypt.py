"""Password-protected workbooks (registers.md: a protected file is listed as unreadable "unless its
password is given, see settings.md"; settings.md `[input.passwords]`: passwords by file name, each
value naming an environment variable, never the password itself).

`password_for` resolves the setting for one file; `decrypt_to_bytes` opens the file with
msoffcrypto-tool and returns the decrypted workbook, which then goes through `safety.inspect_xlsx`
or `safety.inspect_xls` like any other input (an encrypted package can hold a zip bomb too).

A password never appears in a return value other than `password_for`'s, in an exception message
or in a log line: messages name the file and the environment variable only.
"""
from __future__ import annotations

import io
import os
import unicodedata
from typing import Mapping

import msoffcrypto
from msoffcrypto import exceptions as crypto_errors

from pipeline.read.safety import Limits, Refused
from pipeline.read.sniff import Cfb, CfbError, Source, biff_globals, read_all, sniff

__all__ = ["password_for", "decrypt_to_bytes", "EXCEL_DEFAULT_PASSWORD"]

# Excel encrypts "protected" workbooks that open without a prompt (read-only recommended,
# structure protection in old versions) with this built-in password; Excel, LibreOffice and
# xlrd's documentation all use it. Such a file is read as Excel would read it.
EXCEL_DEFAULT_PASSWORD = "VelvetSweatshop"

# Agile encryption derives the key with `spinCount` hash rounds; Excel writes 100,000 and
# msoffcrypto accepts up to 10,000,000 (tens of seconds in pure Python). A file asking for more
# than ten times Excel's count is refused rather than allowed to stall the run.
MAX_SPIN_COUNT = 1_000_000


def _normalise(name: str) -> str:
    return unicodedata.normalize("NFC", name.replace("\\", "/").strip().strip("/")).casefold()


def password_for(file_name: str, passwords: Mapping[str, str],
                 environ: Mapping[str, str] = os.environ) -> str | None:
    """The password `[input.passwords]` gives for `file_name`, or None when it gives none.

    `file_name` is the file's path relative to the inputs folder (or just its name). A key may be
    a bare file name ("质量月报.xlsx") or a relative path ("2026/质量月报.xlsx"); a path key beats a
    bare-name key, and both are matched case-insensitively after Unicode normalisation (a macOS
    share hands out decomposed characters). The value must be "env:VARIABLE": the password is read
    from that environment variable; an unset or empty variable gives None, so the file is reported
    as password-protected (the plain reason says to set the variable the settings name). Raises
    ValueError for a value that is not of the "env:" form (the settings loader reports that first;
    the value itself is never echoed, as it may be a password typed there by mistake).
    """
    wanted_path = _normalise(file_name)
    wanted_name = wanted_path.rsplit("/", 1)[-1]
    by_path = by_name = None
    for key, value in passwords.items():
        key_norm = _normalise(key)
        if "/" in key_norm:
            if key_norm == wanted_path:
                by_path = (key, value)
        elif key_norm == wanted_name:
            by_name = (key, value)
    chosen = by_path or by_name
    if chosen is None:
        return None
    key, value = chosen
    if not isinstance(value, str) or not value.startswith("env:") or not value[4:].strip():
        raise ValueError(f"[input.passwords] {key!r}: the value must name an environment variable "
                         f"as \"env:VARIABLE\"")
    return environ.get(value[4:].strip()) or None


def decrypt_to_bytes(path: Source, password: str | None, limits: Limits = Limits()) -> bytes:
    """The decrypted bytes of a password-protected workbook.

    Handles OOXML packages in an OLE2 container (agile and standard encryption: a protected
    .xlsx/.xlsm) and BIFF8 .xls with a FILEPASS record (RC4, RC4 CryptoAPI, XOR obfuscation), as
    msoffcrypto-tool supports them. Excel's built-in password is tried after the given one (or
    alone, when none is given), so a file that Excel opens without a prompt is read too.
    A workbook that turns out not to be encrypted is returned unchanged.

    Raises Refused: "encrypted" (no password given, or an encryption msoffcrypto cannot undo),
    "wrong_password", "not_a_workbook", "corrupt"/"truncated", "too_large".
    """
    kind = sniff(path)
    if kind not in ("ole", "ole_encrypted_ooxml", "zip"):
        raise Refused("not_a_workbook", f"not an Office workbook ({kind})")
    try:
        data = read_all(path, limits.max_file_bytes)
    except ValueError as exc:
        raise Refused("too_large", str(exc)) from None
    if kind == "zip":            # an OOXML package is never encrypted as a zip
        return data
    # Walk the container with the validating reader before msoffcrypto/olefile trust it.
    try:
        cfb = Cfb(data)
        if kind == "ole":
            stream_name = cfb.workbook_stream_name()
            if not biff_globals(cfb.read_stream(stream_name)).filepass:
                return data
            if stream_name != "Workbook":
                raise Refused("encrypted", "a password-protected Excel 95 workbook (not supported)")
        else:
            cfb.read_stream("EncryptionInfo")
            cfb.read_stream("EncryptedPackage")
    except KeyError:
        raise Refused("not_a_workbook", "an OLE2 file without a workbook stream") from None
    except CfbError as exc:
        raise Refused("truncated" if exc.truncated else "corrupt", str(exc)) from None

    try:
        office = msoffcrypto.OfficeFile(io.BytesIO(data))
        if not office.is_encrypted():
            return data
        info = getattr(office, "info", None)
        if getattr(office, "type", None) == "agile" and isinstance(info, dict) \
                and int(info.get("spinValue", 0)) > MAX_SPIN_COUNT:
            raise Refused("encrypted", f"key derivation asks for {info['spinValue']} rounds "
                                       f"(Excel uses 100000; limit {MAX_SPIN_COUNT})")
    except Refused:
        raise
    except crypto_errors.FileFormatError as exc:
        raise Refused("not_a_workbook", f"msoffcrypto: {type(exc).__name__}") from None
    except Exception as exc:             # malformed structures surface as struct/assert/index errors
        raise Refused("corrupt", f"msoffcrypto cannot read the encryption header ({type(exc).__name__})") from None

    candidates = [password] if password else []
    if EXCEL_DEFAULT_PASSWORD not in candidates:
        candidates.append(EXCEL_DEFAULT_PASSWORD)
    for candidate in candidates:
        try:
            office = msoffcrypto.OfficeFile(io.BytesIO(data))
            if office.format == "ooxml":
                office.load_key(password=candidate, verify_password=True)
            else:
                office.load_key(password=candidate)
            out = io.BytesIO()
            office.decrypt(out)
        except crypto_errors.InvalidKeyError:
            continue
        except crypto_errors.DecryptionError as exc:
            raise Refused("encrypted", f"unsupported encryption ({_plain(exc)})") from None
        except Exception as exc:
            raise Refused("corrupt", f"decryption failed ({type(exc).__name__})") from None
        return out.getvalue()
    if password:
        raise Refused("wrong_password", "the password from [input.passwords] does not open this file")
    raise Refused("encrypted", "password-protected; no password given in [input.passwords]")


def _plain(exc: Exception) -> str:
    """msoffcrypto's own wording, which never contains the password."""
    return str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
