"""ERP "Excel" exports that are really HTML tables (saved as .xls), read as the tables they are.

The standard library's HTMLParser is enough: it resolves no external entities and runs nothing.
Each <table> becomes one sheet named `table1`, `table2`, … ; colspan is honoured so that columns
line up under merged headers.
"""
from __future__ import annotations

from html.parser import HTMLParser

from pipeline.read.model import RawSheet
from pipeline.read.text import decode_text, rows_to_frame

MAX_CELLS = 5_000_000


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._depth = 0
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._colspan = 1
        self._cells = 0

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._depth += 1
            if self._depth == 1:
                self.tables.append([])
        elif self._depth and tag == "tr":
            self._row = []
        elif self._depth and tag in ("td", "th") and self._row is not None:
            self._cell = []
            span = dict(attrs).get("colspan") or "1"
            self._colspan = int(span) if span.isdigit() and 0 < int(span) <= 200 else 1
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._row.extend([""] * (self._colspan - 1))
            self._cells += self._colspan
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._depth == 1 and self.tables:
                self.tables[-1].append(self._row)
            self._row = None
        elif tag == "table" and self._depth:
            self._depth -= 1
        if self._cells > MAX_CELLS:
            raise ValueError("table too large")

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def read_html_tables(data: bytes, file: str) -> list[RawSheet]:
    text, _ = decode_text(data)
    parser = _Tables()
    parser.feed(text)
    parser.close()
    sheets = []
    for i, rows in enumerate(parser.tables, start=1):
        if rows:
            sheets.append(RawSheet(file, f"table{i}", rows_to_frame(rows), 1))
    return sheets
