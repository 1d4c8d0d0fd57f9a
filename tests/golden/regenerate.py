"""Rewrite the golden files of the KPI workbook from the synthetic month (`make golden`).

Run only on purpose, after a change to the workbook that was meant: the golden files are what the
tests hold the workbook to, by meaning (tests/golden/meaning.py), never by bytes.

    python -m tests.golden.regenerate
"""
from __future__ import annotations

import json
import re
import sys
import tempfile
from pathlib import Path

from pipeline.kpis.base import KpiContext
from pipeline.report import RunInfo
from pipeline.report.pack import pack_data
from pipeline.report.workbook import write_workbook
from pipeline.settings import settings_from_mapping
from tests.golden import synthetic
from tests.golden.meaning import workbook_meaning

GOLDEN = Path(__file__).resolve().parent
LANGUAGES = ("zh", "en")


def golden_path(language: str) -> Path:
    return GOLDEN / f"kpi_pack_{language}.json"


def golden_workbook(path: Path, language: str) -> Path:
    """The workbook of the synthetic month in `language`, written to `path` (fixed generation time)."""
    run = synthetic.build()
    ctx = KpiContext(settings=settings_from_mapping([("<golden>", {})]), period=synthetic.PERIOD,
                     as_of=synthetic.AS_OF)
    info = RunInfo(company=synthetic.COMPANY, period=synthetic.PERIOD, as_of=synthetic.AS_OF,
                   generated_at=synthetic.GENERATED_AT, language=language, rows_read=12840, rows_used=12791,
                   rows_rejected=37, files_read=14, files_failed=1, files_skipped=2)
    data = pack_data(run.kpis, run.registers, ctx, info, run.previous_kpis, details=run.details)
    return write_workbook(path, data)


def dumps(meaning: dict) -> str:
    """JSON with one line per cell, so that a change shows as a readable diff."""
    text = json.dumps(meaning, ensure_ascii=False, indent=1, sort_keys=True)
    # ["value", "format"] pairs on one line
    text = re.sub(r'\[\n\s+(.+),\n\s+(".*")\n\s+\]', r"[\1, \2]", text)
    return text + "\n"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        for language in LANGUAGES:
            book = golden_workbook(Path(tmp) / f"kpi_pack_{language}.xlsx", language)
            golden_path(language).write_text(dumps(workbook_meaning(book)), encoding="utf-8")
            print(f"wrote {golden_path(language).relative_to(GOLDEN.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
