"""Header cells → canonical columns (shared/spec/registers.md, "Header matching").

    "A header cell matches an alias after normalisation: strip whitespace everywhere (including
    full-width spaces and line breaks inside the cell), full-width → half-width characters,
    case-insensitive, and ignore a trailing unit in brackets (`数量(PCS)`, `金额（元）`,
    `Qty (pcs)`). Traditional characters are matched as their simplified forms
    (`客戶名稱` = `客户名称`)."

The aliases themselves are data (`pipeline/registers.py`, plus the settings' `[headers]` table);
this module only says when two spellings are the same header. It works on header cells, a few
hundred strings per workbook, so plain Python per string is the right tool here (the million-row
value columns are `pipeline/stage/normalise.py`'s business).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from types import MappingProxyType
from typing import Iterable, Mapping

import opencc

from pipeline.registers import REGISTERS, Register

# Python's \s is Unicode-aware: it covers U+3000 (ideographic space), U+00A0 and every line break.
# Zero-width characters and the BOM are not whitespace to Unicode but are invisible in a cell.
_INVISIBLE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
# One or more bracketed groups at the very end: (PCS), （元） after NFKC, [kg], 【件】.
_TRAILING_BRACKETS = re.compile(r"(?:\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】)+$")
# Bilingual header cells written as "客户代码\nCustomer code" or "客户代码 / Customer code".
_BILINGUAL_SEPARATORS = re.compile(r"[\r\n]+|\s*[/|／｜]\s*")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    """The traditional → simplified converter, built once (loading its dictionaries is the slow part)."""
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=16384)
def _normalise(text: str, drop_unit: bool) -> str:
    # NFKC folds full-width Latin, digits, brackets and the ideographic space to their ASCII
    # forms and leaves CJK unified ideographs untouched (checked over every catalogue alias in
    # tests/unit/test_headers.py); it also folds CJK compatibility ideographs and Kangxi
    # radicals to the ordinary characters, which is what a reader of the header would assume.
    folded = unicodedata.normalize("NFKC", text)
    folded = _INVISIBLE.sub("", folded).casefold()
    folded = _t2s().convert(folded)
    if drop_unit:
        without_unit = _TRAILING_BRACKETS.sub("", folded)
        # A header that is nothing but a bracketed word, "(备注)", keeps its word.
        folded = without_unit or folded
    return folded


def normalise_header(text: str) -> str:
    """A header cell as it is compared with the aliases.

    Rule (registers.md, "Header matching"): strip whitespace everywhere (full-width spaces and
    line breaks inside the cell too), full-width → half-width, case-insensitive, ignore a
    trailing unit in brackets, traditional characters as their simplified forms.

    >>> normalise_header("客戶名稱")
    '客户名称'
    >>> normalise_header("数量(PCS)"), normalise_header("Qty (pcs)"), normalise_header("ＰＯ")
    ('数量', 'qty', 'po')
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    return _normalise(text, True)


def _agreeing(matches: Iterable[Mapping[str, str]]) -> dict[str, str]:
    """Registers on which every non-empty match names the same column."""
    matches = [m for m in matches if m]
    if not matches:
        return {}
    agreed = dict(matches[0])
    for m in matches[1:]:
        agreed = {reg: col for reg, col in agreed.items() if m.get(reg) == col}
    return agreed


class AliasIndex:
    """Every alias of every register, normalised once, for matching header cells.

    Built from the register catalogue plus the settings' `[headers]` extra aliases
    (`{register: {column: (alias, ...)}}`). Besides the aliases of registers.md, a column is also
    known by its canonical name (`qty_due`) and by the Chinese and English labels the templates
    and reports print (`Column.zh`, `Column.en`).

    Whole normalised strings are compared, never substrings: `客户` names the customer, and
    `客户代码` is the customer code, not an ambiguous "客户 + 代码".

    Within one register an alias names one column. Two catalogue columns claiming the same alias
    is a programming error (ValueError). An extra alias from the settings wins over a catalogue
    alias of another column of the same register: the company knows what its own files mean.
    """

    def __init__(
        self,
        registers: Mapping[str, Register] = REGISTERS,
        extra_aliases: Mapping[str, Mapping[str, Iterable[str]]] | None = None,
    ) -> None:
        index: dict[str, dict[str, str]] = {}
        for register in registers.values():
            for column in register.columns:
                spellings = (*column.aliases, column.name, column.zh, column.en)
                for spelling in spellings:
                    self._add(index, register.name, column.name, spelling, override=False)
        for register_name, columns in (extra_aliases or {}).items():
            if register_name not in registers:
                raise ValueError(
                    f"[headers]: unknown register {register_name!r}; known: {', '.join(registers)}")
            known = registers[register_name].column_names
            for column_name, aliases in columns.items():
                if column_name not in known:
                    raise ValueError(
                        f"[headers] {register_name}: unknown column {column_name!r}; "
                        f"known: {', '.join(known)}")
                if isinstance(aliases, str):
                    aliases = (aliases,)
                for alias in aliases:
                    self._add(index, register_name, column_name, alias, override=True)
        self._index: Mapping[str, Mapping[str, str]] = MappingProxyType(
            {key: MappingProxyType(by_register) for key, by_register in index.items()})

    @staticmethod
    def _add(index: dict[str, dict[str, str]], register: str, column: str, alias: str,
             *, override: bool) -> None:
        if not alias:
            return
        # An alias is indexed as written, and without a bracketed tail if it has one, so that a
        # settings alias such as "交期(客户)" can be told apart from "交期(工厂)".
        for key in {_normalise(alias, False), _normalise(alias, True)}:
            if not key:
                continue
            by_register = index.setdefault(key, {})
            current = by_register.get(register)
            if current is not None and current != column and not override:
                raise ValueError(
                    f"alias {alias!r} names both {register}.{current} and {register}.{column}")
            by_register[register] = column

    def _lookup(self, text: str) -> dict[str, str]:
        exact = self._index.get(_normalise(text, False))
        if exact is not None:
            return dict(exact)
        return dict(self._index.get(_normalise(text, True), {}))

    def match(self, header_text: str) -> dict[str, str]:
        """The canonical column this header cell names, per register: `{register: column}`.

        One header may name columns in several registers (`类别` is a complaint's category, an
        incident's type, a property's kind …); the caller decides which register a sheet is.
        An empty dict means the header is unknown.

        Bilingual cells (`客户代码\\nCustomer code`, `客户代码 / Customer code`, as the templates
        write them) match when their parts agree: the result keeps the registers on which every
        recognised part names the same column (`类别 / Category` → complaints and feedback only).
        """
        if not isinstance(header_text, str):
            header_text = "" if header_text is None else str(header_text)
        found = self._lookup(header_text)
        if found:
            return found
        parts = [p for p in _BILINGUAL_SEPARATORS.split(header_text) if p.strip()]
        if len(parts) > 1:
            found = _agreeing(self._lookup(p) for p in parts)
            if found:
                return found
        # The same bilingual cell after someone already stripped its whitespace:
        # "客户代码customercode" is a Chinese alias glued to an English one. Only a cut where the
        # script changes is tried, so that Chinese words are never split into smaller aliases
        # (备注说明 is not 备注 + 说明).
        key = _normalise(header_text, True)
        for cut in range(1, len(key)):
            if key[cut - 1].isascii() == key[cut].isascii():
                continue
            head, tail = self._index.get(key[:cut]), self._index.get(key[cut:])
            if head and tail:
                found = _agreeing((head, tail))
                if found:
                    return found
        return {}

    def __contains__(self, header_text: object) -> bool:
        return bool(self.match(header_text))  # type: ignore[arg-type]

    @property
    def aliases(self) -> Mapping[str, Mapping[str, str]]:
        """Normalised alias → {register: column}, read-only (for reports and tests)."""
        return self._index
