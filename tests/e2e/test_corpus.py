"""Every real-world file in ../shared/corpus is read or refused with a reason: no exception
escapes, no hang (the brief: "The pipeline must read them or refuse them with a reason")."""
import time
from pathlib import Path

import pytest

from pipeline.discover import discover
from pipeline.headers import AliasIndex
from pipeline.i18n import TEXT
from pipeline.read import read_file
from pipeline.read.header import classify
from pipeline.registers import REGISTERS

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
ENTRIES = discover(CORPUS) if CORPUS.is_dir() else []
INDEX = AliasIndex(REGISTERS, {})


@pytest.mark.skipif(not ENTRIES, reason="../shared/corpus is not beside this checkout")
@pytest.mark.parametrize("entry", ENTRIES, ids=[e.rel for e in ENTRIES])
def test_corpus_file_is_read_or_refused_with_a_reason(entry):
    if not entry.readable:
        assert entry.skip_reason in TEXT          # listed as skipped, with a reason
        return
    started = time.perf_counter()
    result = read_file(entry)
    assert result.status in ("read", "failed")
    if result.status == "failed":
        assert result.reason in TEXT, result.reason
    for sheet in result.sheets:
        if not sheet.refused:
            classify(sheet.cells, INDEX.match)    # must not raise either
    assert time.perf_counter() - started < 60
