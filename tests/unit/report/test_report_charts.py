"""Every chart of the pack drawn in both languages with a missing glyph turned into an error, the
fonts it uses, and the PNGs it writes (pipeline/report/charts.py, fonts.py)."""
from __future__ import annotations

import io
import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from pipeline.report import charts, fonts

GLYPH_MISSING = r"Glyph .* missing from font"


def draw_strict(fig: Figure) -> None:
    """Render to PNG in memory with matplotlib's missing-glyph warning as an error."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=GLYPH_MISSING)
        fig.savefig(io.BytesIO(), format="png", dpi=40)


@pytest.fixture(scope="module", params=["zh", "en"])
def pack_charts(request, make_data):
    with charts.chart_style():
        yield charts.PackCharts(make_data(request.param))


def test_the_strict_check_does_catch_a_missing_glyph():
    # control: Chinese drawn with a face that has no Chinese must fail the check above
    fig = Figure()
    fig.text(0.1, 0.5, "交期达成率", family="DejaVu Sans")
    with pytest.raises(UserWarning, match=GLYPH_MISSING):
        draw_strict(fig)


def test_every_chart_renders_every_glyph_in_the_cjk_face(pack_charts):
    with charts.chart_style():
        available = pack_charts.names_available()
        assert available == list(charts.PNG_CHARTS)        # the synthetic month has every area
        for name in available:
            fig = pack_charts.figure(name)
            draw_strict(fig)
            families = {t.get_fontname() for t in fig.findobj(Text) if t.get_text()}
            assert families == {"Noto Sans CJK SC"}, (name, families)
            charts.close(fig)
    assert plt.get_fignums() == []                         # nothing left in pyplot's registry


def test_simplified_chinese_face_is_picked_not_japanese():
    family = fonts.register_cjk_font()
    found = matplotlib.font_manager.findfont(matplotlib.font_manager.FontProperties(family=family))
    assert Path(str(found)).name == "NotoSansCJK-Regular.ttc" and found.face_index == 2
    assert str(fonts.cjk_font_path()).endswith("noto_cjk_sans_otc/NotoSansCJK-Regular.ttc")


def test_rc_params_embed_the_font_and_never_parse_math():
    rc = fonts.rc_params()
    assert rc["pdf.fonttype"] == 42 and rc["text.parse_math"] is False
    assert rc["font.family"] == ["Noto Sans CJK SC"] and "SimHei" not in rc["font.sans-serif"]


def test_cff_subsets_become_truetype_outlines():
    from fontTools import subset
    options = subset.Options()
    options.font_number = fonts.CJK_FACE_INDEX
    font = subset.load_font(str(fonts.cjk_font_path()), options)
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(text="交期Q")
    subsetter.subset(font)
    assert "CFF " in font
    fonts.cff_to_truetype(font)
    assert "glyf" in font and "CFF " not in font and font.sfntVersion == "\x00\x01\x00\x00"
    buffer = io.BytesIO()
    font.save(buffer)                                      # compiles: maxp, loca, hmtx consistent
    assert font["maxp"].numGlyphs == len(font.getGlyphOrder())


def test_pngs_have_stable_names_and_are_closed(make_data, tmp_path, monkeypatch):
    # the charts themselves are drawn above; here only what write_pngs does with them
    made: list[Figure] = []

    def tiny(self, name):
        fig = Figure(figsize=(1, 1))
        fig.text(0.5, 0.5, name)
        made.append(fig)
        return fig
    monkeypatch.setattr(charts.PackCharts, "figure", tiny)
    written = charts.write_pngs(make_data("zh"), tmp_path)
    assert [p.name for p in written] == [f"{n}.png" for n in charts.PNG_CHARTS]
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in written)
    assert all(not fig.texts for fig in made)              # every figure cleared after saving


def test_no_chart_for_an_absent_area(make_data, synthetic_run):
    registers = {k: v for k, v in synthetic_run.registers.items() if k not in ("service", "survey_returns")}
    with charts.chart_style():
        names = charts.PackCharts(make_data("en", registers=registers)).names_available()
    assert not {"service_trend", "warranty_cases", "survey_items", "survey_grades", "survey_customers"} & set(names)
    assert "otd_trend" in names


def test_control_chart_says_which_chart_it_is(pack_charts):
    note = charts.control_note(pack_charts.control, pack_charts.lang)
    method = pack_charts.control.method
    expected = {("zh", "p"): "p 控制图", ("zh", "laney"): "Laney p′ 控制图",
                ("en", "p"): "p-chart", ("en", "laney"): "Laney p′ chart"}[(pack_charts.lang, method)]
    assert note.startswith(expected) and f"{pack_charts.control.sigma_z:.2f}" in note and "1.5" in note
