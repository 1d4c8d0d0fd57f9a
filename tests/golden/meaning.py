"""What a workbook *means*, as plain JSON-able data: sheet names, every non-empty cell's value and
number format, frozen panes, filters, conditional-format ranges and rules, print setup and the
charts on each sheet. Golden files hold this, never the bytes (xlsx zips carry timestamps) —
the XlsxWriter test-harness habit of comparing by meaning."""
from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl


def _value(value: Any) -> Any:
    if isinstance(value, float):
        return float(f"{value:.10g}")
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


def _charts_per_sheet(path: Path) -> dict[str, list[str]]:
    """Sheet name → the types of the native charts drawn on it (from the package's relations)."""
    out: dict[str, list[str]] = {}
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        workbook = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        targets = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels))
        targets |= {k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="(rId\d+)"', rels)}
        for sheet_name, rid in re.findall(r'<sheet name="([^"]+)" sheetId="\d+" r:id="(rId\d+)"', workbook):
            sheet_path = posixpath.join("xl", targets[rid])
            sheet_rels = posixpath.join(posixpath.dirname(sheet_path), "_rels", posixpath.basename(sheet_path) + ".rels")
            kinds: list[str] = []
            if sheet_rels in names:
                for drawing in re.findall(r'Target="([^"]*drawing\d+\.xml)"', z.read(sheet_rels).decode()):
                    drawing_path = posixpath.normpath(posixpath.join(posixpath.dirname(sheet_path), drawing))
                    drawing_rels = posixpath.join(posixpath.dirname(drawing_path), "_rels",
                                                  posixpath.basename(drawing_path) + ".rels")
                    if drawing_rels not in names:
                        continue
                    for chart in re.findall(r'Target="([^"]*chart\d+\.xml)"', z.read(drawing_rels).decode()):
                        chart_xml = z.read(posixpath.normpath(posixpath.join(posixpath.dirname(drawing_path), chart))).decode()
                        kinds.append("+".join(re.findall(r"<c:(\w+Chart)>", chart_xml)))
            out[sheet_name.replace("&amp;", "&")] = kinds
    return out


def workbook_meaning(path: Path) -> dict[str, Any]:
    wb = openpyxl.load_workbook(path)
    charts = _charts_per_sheet(Path(path))
    sheets: dict[str, Any] = {}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                cells[cell.coordinate] = [_value(cell.value), cell.number_format]
        rules = []
        for cf in ws.conditional_formatting:
            for rule in cf.rules:
                rules.append([str(cf.sqref), rule.type, rule.operator, list(rule.formula or [])])
        sheets[ws.title] = {
            "cells": cells,
            "freeze": ws.freeze_panes,
            "autofilter": ws.auto_filter.ref,
            "conditional_formats": sorted(rules),
            "print": {"orientation": ws.page_setup.orientation, "paper": ws.page_setup.paperSize,
                      "fit_width": ws.page_setup.fitToWidth, "fit_height": ws.page_setup.fitToHeight,
                      "repeat_rows": ws.print_title_rows},
            "charts": charts.get(ws.title, []),
        }
    return {"sheet_names": wb.sheetnames, "sheets": sheets}


def differences(expected: dict[str, Any], actual: dict[str, Any], limit: int = 25) -> list[str]:
    """Human-readable differences between two meanings (first `limit`)."""
    out: list[str] = []
    if expected["sheet_names"] != actual["sheet_names"]:
        out.append(f"sheet names: expected {expected['sheet_names']}, got {actual['sheet_names']}")
    for name in expected["sheet_names"]:
        if name not in actual["sheets"]:
            continue
        e, a = expected["sheets"][name], actual["sheets"][name]
        for key in ("freeze", "autofilter", "conditional_formats", "print", "charts"):
            if e[key] != a[key]:
                out.append(f"{name}: {key}: expected {e[key]!r}, got {a[key]!r}")
        for ref in sorted(set(e["cells"]) | set(a["cells"])):
            if e["cells"].get(ref) != a["cells"].get(ref):
                out.append(f"{name}!{ref}: expected {e['cells'].get(ref)!r}, got {a['cells'].get(ref)!r}")
            if len(out) >= limit:
                return out
    return out
