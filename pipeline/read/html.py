"""ERP "Excel" exports that are really HTML tables (saved as .xls), read as the tables they are.

The standard library's HTMLParser is enough: it resolves no external entities and runs nothing.
Each <table> becomes one sheet named `table1`, `table2`, … ; colspan is honoured so that columns
line up under merged headers (a colspan that is not a whole number from 1 to 200 counts as 1).
A table beyond the sheet limits (200 columns, 1,048,576 rows) is refused on its own, like a
worksheet.
"""
from __future__ import annotations

from html.parser import HTMLParser

from pipeline.read.model import RawSheet
from pipeline.read.text import decode_text, sheet_from_rows

MAX_CELLS = 5_000_000


def _colspan(value: str | None) -> int:
    """colspan="3" → 3; anything that is not an ASCII whole number from 1 to 200 (`²`, `-1`,
    `1e9`, a full-width `３`) → 1."""
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit()):
        return 1
    span = int(text)
    return span if 0 < span <= 200 else 1


class _Tables(HTMLParser):
    """The rows of every top-level <table>, cell texts stripped.

    HTML lets a writer leave out </td>, </th> and </tr> (old ERP exports do): a new cell or row
    closes the open one, and </table> closes both, so no cell or row is dropped. A table nested in
    a cell is part of that cell: its texts go into the cell (cells apart by a space, rows by a
    line break), not into rows of their own, and the outer row stays whole."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._depth = 0
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._colspan = 1
        self._cells = 0

    def _close_cell(self) -> None:
        if self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._row.extend([""] * (self._colspan - 1))
            self._cells += self._colspan
            if self._cells > MAX_CELLS:
                raise ValueError("table too large")
        self._cell = None

    def _close_row(self) -> None:
        self._close_cell()
        if self._row is not None and self.tables:
            self.tables[-1].append(self._row)
        self._row = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._depth += 1
            if self._depth == 1:
                self.tables.append([])
        elif self._depth > 1:                  # inside a nested table: only its words count
            if self._cell is not None and tag in ("tr", "td", "th", "br"):
                self._cell.append("\n" if tag in ("tr", "br") else " ")
        elif self._depth and tag == "tr":
            self._close_row()
            self._row = []
        elif self._depth and tag in ("td", "th"):
            self._close_cell()
            if self._row is None:              # a cell before any <tr>: its row starts here
                self._row = []
            self._cell = []
            self._colspan = _colspan(dict(attrs).get("colspan"))
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag):
        if tag == "table" and self._depth:
            if self._depth == 1:
                self._close_row()
            self._depth -= 1
        elif self._depth != 1:
            return
        elif tag in ("td", "th"):
            self._close_cell()
        elif tag == "tr":
            self._close_row()

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def close(self) -> None:
        """The end of the file also ends an open table (an export cut short keeps its rows)."""
        super().close()
        if self._depth:
            self._close_row()
            self._depth = 0


def read_html_tables(data: bytes, file: str) -> list[RawSheet]:
    text, _ = decode_text(data)
    parser = _Tables()
    parser.feed(text)
    parser.close()
    return [sheet_from_rows(rows, file, f"table{i}") for i, rows in enumerate(parser.tables, start=1) if rows]
