"""Find the header row and say which register a sheet is (registers.md, "What a run reads").

The header may be any of the first 20 rows (forms carry a title, a company name, a document
number and blank rows above it); it may be split over two rows, a group title above sub-headers,
where the sub-header wins. A sheet is the register whose required columns are all present; among
several, the one with the most matched columns; a tie is ambiguous and the sheet is not used. A
sheet matching none is reported with the closest register and the required columns it lacks.
"""
from __future__ import annotations

import math

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import pandas as pd

from pipeline.registers import REGISTERS, Register

HEADER_SEARCH_ROWS = 20


@dataclass
class Classification:
    status: str                                   # "ok" | "unrecognised" | "ambiguous" | "duplicate_column" | "empty"
    register: str | None = None
    header_index: int = -1                        # index (in the sheet's cells) of the header's first row
    data_start: int = 0                           # index of the first row below the header
    mapping: dict[str, int] = field(default_factory=dict)        # canonical column → cell position
    headers: dict[int, str] = field(default_factory=dict)        # position → header as written
    ignored_headers: list[str] = field(default_factory=list)     # columns the register does not know
    closest: str | None = None
    missing: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)
    duplicates: dict[str, list[str]] = field(default_factory=dict)
    title_texts: list[str] = field(default_factory=list)         # cells above the header (for years)


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return str(value).strip()


def _combined(top: Sequence[str], sub: Sequence[str]) -> list[str]:
    """Two header rows as one: the sub-header wins where it has text."""
    return [s if s else t for t, s in zip(top, sub)]


def _register_matches(headers: Sequence[str], match) -> dict[str, dict[str, list[int]]]:
    """register → canonical column → positions whose header is one of its aliases."""
    found: dict[str, dict[str, list[int]]] = {}
    for pos, text in enumerate(headers):
        if not text:
            continue
        for register, column in match(text).items():
            found.setdefault(register, {}).setdefault(column, []).append(pos)
    return found


def _complete(register: Register, columns: Mapping[str, list[int]]) -> bool:
    required = [c for c in register.required if c != "customer"]
    if not all(c in columns for c in required):
        return False
    if register.needs_customer and not ("customer_code" in columns or "customer_name" in columns):
        return False
    return True


def _required_found(register: Register, columns: Mapping[str, list[int]]) -> tuple[int, list[str]]:
    missing = []
    for req in register.required:
        if req == "customer":
            if not ("customer_code" in columns or "customer_name" in columns):
                missing.append("customer")
        elif req not in columns:
            missing.append(req)
    return len(register.required) - len(missing), missing


def _repeats_header(row: list[str], register: str, mapping: Mapping[str, int], match) -> bool:
    """True when `row`, just below the header, names the same columns again (a bilingual form
    with the English headers under the Chinese ones): most mapped positions hold a header of the
    same register and column. Such a row is part of the header, not a row of data."""
    hits = sum(1 for column, p in mapping.items()
               if p < len(row) and row[p] and match(row[p]).get(register) == column)
    return hits >= max(2, math.ceil(0.6 * len(mapping)))


def classify(cells: pd.DataFrame, match, registers: Mapping[str, Register] = REGISTERS) -> Classification:
    """Header row, register and column mapping of one sheet.

    `match(header_text) -> {register: canonical column}` is the alias index's lookup.
    """
    if cells.empty:
        return Classification("empty")
    top = [[_cell_text(v) for v in row] for row in
           cells.iloc[: HEADER_SEARCH_ROWS + 1].itertuples(index=False, name=None)]
    best = None            # (score tuple, row index, rows used, headers, matches)
    closest = None         # (fraction, count, register, missing)
    for r in range(min(HEADER_SEARCH_ROWS, len(top))):
        options = [(1, top[r])]
        if r + 1 < len(top):
            # Two rows only when the top row carries a header of its own (a cell merged down over
            # both rows, not overridden by a sub-header): a blank or title row above a header is
            # not a group-title row.
            own = [t for t, sub in zip(top[r], top[r + 1]) if t and not sub]
            if any(match(t) for t in own):
                options.append((2, _combined(top[r], top[r + 1])))
        for rows_used, headers in options:
            matches = _register_matches(headers, match)
            for name, columns in matches.items():
                register = registers[name]
                found, missing = _required_found(register, columns)
                fraction = found / max(len(register.required), 1)
                cand = (fraction, len(columns), name, missing)
                if closest is None or cand[:2] > closest[:2]:
                    closest = cand
            complete = [(len(cols), name) for name, cols in matches.items()
                        if _complete(registers[name], cols)]
            if not complete:
                continue
            top_count = max(c for c, _ in complete)
            # Prefer more matched columns; then the earlier row; then one header row over two.
            score = (top_count, -r, -rows_used)
            if best is None or score > best[0]:
                best = (score, r, rows_used, headers, matches)
    if best is None:
        if closest is None:
            return Classification("unrecognised")
        return Classification("unrecognised", closest=closest[2], missing=list(closest[3]))
    _, r, rows_used, headers, matches = best
    complete = sorted(((len(cols), name) for name, cols in matches.items()
                       if _complete(registers[name], cols)), reverse=True)
    title_texts = [t for row in top[:r] for t in row if t]
    base = dict(header_index=r, data_start=r + rows_used,
                headers={p: h for p, h in enumerate(headers) if h}, title_texts=title_texts)
    if len(complete) > 1 and complete[0][0] == complete[1][0]:
        tied = [name for count, name in complete if count == complete[0][0]]
        return Classification("ambiguous", candidates=sorted(tied), **base)
    name = complete[0][1]
    columns = matches[name]
    duplicates = {col: [headers[p] for p in positions] for col, positions in columns.items()
                  if len(positions) > 1}
    mapping = {col: positions[0] for col, positions in columns.items()}
    start = base["data_start"]
    if start < len(top) and _repeats_header(top[start], name, mapping, match):
        base["data_start"] = start + 1      # a second header line (Chinese above, English below)
    used = {p for positions in columns.values() for p in positions}
    ignored = [h for p, h in enumerate(headers) if h and p not in used]
    status = "duplicate_column" if duplicates else "ok"
    return Classification(status, register=name, mapping=mapping, ignored_headers=ignored,
                          duplicates=duplicates, **base)
