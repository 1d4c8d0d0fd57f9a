"""review_pack_<PERIOD>.pdf (pipeline/report/pdf.py): its text layer, fonts, pages and footers."""
from __future__ import annotations

import re
import shutil
import subprocess
import zlib

import pytest
from matplotlib.text import Text

from pipeline.report import pdf as pdfmod
from pipeline.report.charts import chart_style, close
from tests.golden import synthetic


@pytest.fixture(scope="module")
def zh_pdf(make_data, tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / f"review_pack_{synthetic.PERIOD}.pdf"
    return pdfmod.write_pdf(path, make_data("zh"))


def page_titles(data) -> list[str]:
    """The title of every page, from matplotlib's own text objects (no PDF needed)."""
    with chart_style():
        pages = pdfmod._Pages(data)
        pages.build()
        titles = []
        for fig in pages.figures:
            titles.append(fig.texts[0].get_text())       # the page title is the page's first text
            close(fig)
    return titles


def test_text_layer_has_company_period_and_page_numbers(zh_pdf, read_pdf_text):
    text = read_pdf_text(zh_pdf)
    pages = len(re.findall(rb"/Type /Page\b", zh_pdf.read_bytes()))
    assert synthetic.COMPANY in text and synthetic.PERIOD in text
    assert "客户质量月度管理评审" in text and "数据截止日 2026-10-31" in text
    assert "读取 12,840 行，使用 12,791 行，拒收 37 行" in text
    for page in range(1, pages + 1):
        assert f"{synthetic.COMPANY} · {synthetic.PERIOD} · 第 {page} / {pages} 页" in text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler's pdftotext is not installed")
def test_pdftotext_reads_the_chinese(zh_pdf):
    text = subprocess.run(["pdftotext", "-layout", str(zh_pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert synthetic.COMPANY in text and synthetic.PERIOD in text and "交期达成率" in text


def test_cover_text_objects_carry_company_and_period(make_data):
    with chart_style():
        pages = pdfmod._Pages(make_data("en"))
        pages.cover()
        texts = [t.get_text() for t in pages.figures[0].findobj(Text)]
        close(pages.figures[0])
    assert synthetic.COMPANY in texts and synthetic.PERIOD in texts
    assert "Customer quality: monthly management review" in texts


def test_a4_landscape_and_the_cjk_face_embedded_as_truetype(zh_pdf):
    raw = zh_pdf.read_bytes()
    assert re.findall(rb"/MediaBox \[ 0 0 ([\d.]+) ([\d.]+) \]", raw)[0] == (b"841.68", b"595.44")
    assert b"NotoSansCJKsc-Regular" in raw and b"/CIDFontType2" in raw and b"/FontFile3" not in raw
    # every embedded font program is TrueType (glyf outlines), not CFF: what /FontFile2 promises
    programs = [m for m in re.finditer(rb"<< /Length1 \d+ /Length \d+ /Filter /FlateDecode >>\s*stream\r?\n", raw)]
    assert programs
    for m in programs:
        start = m.end()
        data = zlib.decompressobj().decompress(raw[start:start + 2_000_000])
        assert data[:4] == b"\x00\x01\x00\x00"


def test_page_order_of_a_full_pack(make_data):
    titles = page_titles(make_data("zh"))
    expected = ["客户质量月度管理评审", "KPI 汇总（2026-10）", "12个月趋势", "客诉柏拉图（近12个月）", "客诉率控制图",
                "顾客月度评分", "客户满意度", "未结案客诉", "改进行动清单", "客户质量信息反馈", "客户走访",
                "售后服务与三包", "顾客财产", "顾客来厂稽核"]
    assert [t for t in titles if not t.endswith("（续）")] == expected


def test_an_absent_area_is_one_line_not_a_page(make_data, synthetic_run):
    registers = {k: v for k, v in synthetic_run.registers.items() if k not in ("visits", "customer_audits")}
    with chart_style():
        pages = pdfmod._Pages(make_data("zh", registers=registers))
        pages.build()
        titles = [fig.texts[0].get_text() for fig in pages.figures]
        texts = [t.get_text() for fig in pages.figures for t in fig.findobj(Text)]
        for fig in pages.figures:
            close(fig)
    assert "客户走访" not in titles and "顾客来厂稽核" not in titles
    assert sum("未提供客户走访记录" in t for t in texts) == 1         # under the summary
    assert any(t.startswith("无数据的区域：客户走访、顾客来厂稽核") for t in texts)   # and on the cover


def test_a_long_heat_map_keeps_the_lowest_customers_and_says_so(make_data, monkeypatch, synthetic_run):
    # three scorecard customers; keep 2: the two lowest means of scorecard_final over the window
    monkeypatch.setattr(pdfmod, "HEAT_MAX_ROWS", 2)
    kpis = synthetic_run.kpis
    final = kpis[(kpis["kpi"] == "scorecard_final") & (kpis["scope"] == "customer")]
    lowest = set(final.groupby("key")["value"].mean().nsmallest(2).index)
    with chart_style():
        pages = pdfmod._Pages(make_data("zh"))
        pages.scorecard_page()
        texts = [t.get_text() for fig in pages.figures for t in fig.findobj(Text)]
        for fig in pages.figures:
            close(fig)
    shown = {t.split()[0] for t in texts if t[:1] == "C" and t[1:4].isdigit()}
    assert shown == lowest
    assert any(t.startswith("仅列出窗口内平均得分最低的 2 个客户（共 3 个）") for t in texts)
