"""Fonts of the pack: the Chinese face for matplotlib, and the font names the workbook asks for.

matplotlib never relies on the machine's fonts: the Noto Sans CJK collection shipped by the
`noto-cjk-sans-otc` package is registered explicitly, so a fresh clone renders Chinese exactly
like the analyst's PC. The collection holds ten faces (JP, KR, SC, TC, HK, and their Mono
variants); matplotlib ≥ 3.11 reads every face of a .ttc, so we ask for the Simplified Chinese
face *by family name* — asking for the file would give face 0, the Japanese one, whose glyph
shapes differ for many common characters (直, 骨, 门 …).

The PDF embeds the face as a subset (`pdf.fonttype = 42`), so the pack prints the same anywhere
and its text layer can be searched and copied. SimHei is never used: it lacks most symbols and
looks poor in print.

The workbook embeds nothing (xlsx cannot); it names a font that Excel and WPS both ship with.
"""
from __future__ import annotations

import contextlib
import functools
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

import matplotlib

matplotlib.use("Agg")  # the pack is drawn off-screen, on servers with no display

from matplotlib import font_manager  # noqa: E402  (after choosing the backend)

#: The family name of the Simplified Chinese face inside the Noto Sans CJK collection.
CJK_FAMILY = "Noto Sans CJK SC"
#: The Simplified Chinese face's index in NotoSansCJK-Regular.ttc (JP 0, KR 1, SC 2, TC 3, HK 4).
CJK_FACE_INDEX = 2

#: Workbook fonts, by language: Microsoft YaHei ships with every Windows since Vista, with Office
#: for Mac and with WPS, and is legible on screen at 10 pt; Calibri is Excel's own default.
WORKBOOK_FONT = {"zh": "Microsoft YaHei", "en": "Calibri"}
#: GB2312 character set: tells Excel the font is Chinese, so it never substitutes a Western face.
WORKBOOK_CHARSET = {"zh": 134, "en": 0}
WORKBOOK_FONT_SIZE = 10


class FontNotFound(RuntimeError):
    """The bundled Chinese font is missing: the pack would show boxes instead of Chinese."""


def cjk_font_path() -> Path:
    """The NotoSansCJK-Regular.ttc file inside the installed `noto_cjk_sans_otc` package."""
    try:
        package = resources.files("noto_cjk_sans_otc")
    except ModuleNotFoundError as exc:  # pragma: no cover - a broken install
        raise FontNotFound("The font package noto-cjk-sans-otc is not installed "
                           "(pip install noto-cjk-sans-otc)") from exc
    path = Path(str(package.joinpath("NotoSansCJK-Regular.ttc")))
    if not path.is_file():  # pragma: no cover - a broken install
        raise FontNotFound(f"The Chinese font file is missing: {path}")
    return path


@functools.cache
def register_cjk_font() -> str:
    """Register the collection with matplotlib's font manager (once) and return the family name.

    Raises FontNotFound when the Simplified Chinese face cannot be resolved from the bundled file:
    a silently substituted system font would show boxes or Japanese glyph shapes to a manager.
    """
    path = cjk_font_path()
    known = {(Path(e.fname).resolve(), e.name) for e in font_manager.fontManager.ttflist}
    if (path.resolve(), CJK_FAMILY) not in known:
        font_manager.fontManager.addfont(str(path))
    found = font_manager.findfont(font_manager.FontProperties(family=CJK_FAMILY),
                                  fallback_to_default=False)
    if Path(str(found)).resolve() != path.resolve() or getattr(found, "face_index", CJK_FACE_INDEX) != CJK_FACE_INDEX:
        raise FontNotFound(f"matplotlib resolved {CJK_FAMILY!r} to {found!r}, not face "
                           f"{CJK_FACE_INDEX} of {path}")
    return CJK_FAMILY


def rc_params() -> dict[str, Any]:
    """matplotlib settings for every chart and page of the pack, in both languages.

    One face for all text (Latin, digits and CJK alike), so the PDF carries one embedded font and
    Chinese never falls back to a face without it. Mathtext is off: a customer name holding two
    `$` signs must print as written, not as a formula.
    """
    family = register_cjk_font()
    return {
        "font.family": [family],
        "font.sans-serif": [family],
        "axes.unicode_minus": False,   # U+2212 exists in the face, but "-" matches the tables
        "pdf.fonttype": 42,            # embed the (subset) font: searchable, prints everywhere
        "ps.fonttype": 42,
        "text.parse_math": False,
        "svg.fonttype": "none",
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "axes.titlesize": 11,
        "axes.labelsize": 9,
        "xtick.labelsize": 8,
        "ytick.labelsize": 8,
        "legend.fontsize": 8,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def workbook_font(language: str) -> dict[str, Any]:
    """The workbook's default cell font (xlsxwriter format properties) for `language`."""
    return {"font_name": WORKBOOK_FONT.get(language, WORKBOOK_FONT["en"]),
            "font_size": WORKBOOK_FONT_SIZE,
            "font_charset": WORKBOOK_CHARSET.get(language, 0),
            # not tied to the theme's minor font (Calibri / 宋体), which would override the name
            "font_scheme": "none"}


# --- embedding: Noto Sans CJK is a CFF font; the PDF declares TrueType -------------------------

def cff_to_truetype(font: Any) -> Any:
    """Turn a (subset) OpenType font with CFF outlines into a TrueType-outline font, in place.

    matplotlib's Type 42 embedding writes every font as `CIDFontType2` + `/FontFile2`, which the
    PDF standard reserves for TrueType (glyf) outlines. Noto Sans CJK has CFF outlines: poppler
    shrugs ("Mismatch between font type and embedded font file") but Acrobat may refuse to draw
    the text (matplotlib issue #20870). So each embedded subset — a few hundred glyphs — is
    converted: cubic curves to quadratic ones (at most 1 font unit, 1/1000 em, off), glyf/loca
    instead of CFF, and the metrics tables a TrueType font needs.
    """
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    if "CFF " not in font:
        return font
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        # CFF contours run counter-clockwise, TrueType ones clockwise
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    del font["CFF "]
    if "VORG" in font:          # vertical origins exist only for CFF fonts
        del font["VORG"]
    hmtx = font["hmtx"]
    for name, glyph in glyphs.items():
        glyph.recalcBounds(glyf)
        advance, _ = hmtx[name]
        hmtx[name] = (advance, getattr(glyph, "xMin", 0))
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000          # the TrueType version of maxp (CFF fonts carry 0.5)
    maxp.numGlyphs = len(order)
    maxp.maxZones = 1
    for field in ("maxPoints", "maxContours", "maxCompositePoints", "maxCompositeContours",
                  "maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                  "maxStackElements", "maxSizeOfInstructions", "maxComponentElements", "maxComponentDepth"):
        setattr(maxp, field, 0)
    font["maxp"] = maxp
    maxp.recalc(font)                       # points and contours of the new outlines
    post = font["post"]
    post.formatType = 3.0           # no glyph names needed: the PDF maps CIDs to glyph ids
    font.sfntVersion = "\x00\x01\x00\x00"
    return font


@contextlib.contextmanager
def truetype_subsets() -> Iterator[None]:
    """Within this block, every font subset matplotlib embeds in a PDF is converted from CFF to
    TrueType outlines first (`cff_to_truetype`). matplotlib looks the subsetting function up on
    its module at each call, so wrapping that one function is enough; it is restored on exit.
    If a future matplotlib no longer has the function, nothing is wrapped (and its own
    embedding, hopefully fixed, is used)."""
    try:
        from matplotlib.backends import _backend_pdf_ps as shared
        original = shared.get_glyphs_subset
    except (ImportError, AttributeError):  # pragma: no cover - a matplotlib we do not know
        yield
        return

    @contextlib.contextmanager
    def converted(fontfile: Any, glyphs: Any) -> Iterator[Any]:
        with original(fontfile, glyphs) as result:
            cff_to_truetype(result.font)
            yield result

    shared.get_glyphs_subset = converted
    try:
        yield
    finally:
        shared.get_glyphs_subset = original
