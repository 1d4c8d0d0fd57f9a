"""The KPI workbook of the synthetic month against its golden files, by meaning (sheet names, cell
values, number formats, frozen panes, filters, conditional-format ranges, print setup, charts).
The golden files change only through `make golden` (python -m tests.golden.regenerate)."""
from __future__ import annotations

import json

import pytest

from tests.golden.meaning import differences, workbook_meaning
from tests.golden.regenerate import LANGUAGES, golden_path, golden_workbook


@pytest.mark.parametrize("language", LANGUAGES)
def test_workbook_matches_its_golden_file(language, tmp_path):
    expected = json.loads(golden_path(language).read_text(encoding="utf-8"))
    actual = workbook_meaning(golden_workbook(tmp_path / "pack.xlsx", language))
    problems = differences(expected, actual)
    assert not problems, "the workbook differs from tests/golden (run `make golden` if meant):\n" + "\n".join(problems)

