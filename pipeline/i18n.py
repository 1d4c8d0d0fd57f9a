"""Every text the analyst or a manager reads, in Chinese and English, side by side.

`report.language` ("zh" | "en") picks the column. One table for the whole product, so that a label
can never exist in one language only: `tests/unit/test_i18n.py` checks both are filled in.

Add entries under the section of the module that uses them; keys are dotted, lower case.
Values may hold `str.format` fields: `t("dq.bad_date", "en", value="x")`.
"""
from __future__ import annotations

LANGUAGES = ("zh", "en")

TEXT: dict[str, tuple[str, str]] = {
    # --- run and command line (pipeline/cli.py, pipeline/run.py) ---
    "run.done": ("完成：输出在 {out}；拒收 {rejected} 行（详见数据质量报告）",
                 "Done: outputs in {out}; {rejected} rows rejected (see the data-quality report)"),
    # --- discovery and reading (pipeline/discover.py, pipeline/read/) ---
    # --- value normalisation (pipeline/stage/normalise.py) ---
    # --- staging, keys, duplicates (pipeline/stage/, pipeline/quality.py) ---
    # --- settings (pipeline/settings.py) ---
    # --- KPIs (pipeline/kpis/) ---
    # --- report labels (pipeline/report/) ---
}


def t(key: str, language: str, /, **fields: object) -> str:
    """The text for `key` in `language`, with `fields` filled in.

    An unknown key is a programming error and raises KeyError: a missing label must fail a test,
    not show a manager a raw key.
    """
    zh, en = TEXT[key]
    text = zh if language == "zh" else en
    return text.format(**fields) if fields else text
