"""Page geometry, fonts and paragraph styles shared by every report.

Text is set in DejaVu Sans, a Unicode TrueType font shipped in reports/fonts with its licence:
ReportLab's built-in fonts cover Latin-1 only, and names like "Łukasiewicz", "Ψυχογιός" or
"Дмитрий" must print as typed. Only the glyphs used are embedded (ReportLab subsets TTFs).
"""

from __future__ import annotations

import struct
import zlib
from functools import cache, lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFStreamFilterZCompress
from reportlab.pdfbase.ttfonts import TTFont

from clinic.domain.scales import PaperSize

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"

PAGE_SIZES = {PaperSize.LETTER: LETTER, PaperSize.A4: A4}
# 20 mm on the binding (left) edge clears a hole punch; 12 mm elsewhere clears any printer's
# unprintable edge with room to spare; the header and footer sit inside these margins.
MARGIN_LEFT = 20 * mm
MARGIN_RIGHT = 12 * mm
MARGIN_TOP = 24 * mm
MARGIN_BOTTOM = 18 * mm

INK = colors.HexColor("#1d2430")
MUTED = colors.HexColor("#5a6472")
RULE = colors.HexColor("#9aa3ae")
SHADE = colors.HexColor("#eef1f5")
PAINFUL = colors.HexColor("#b3261e")
ACTIVE = colors.HexColor("#b3261e")
LATENT = colors.HexColor("#1f5fa8")
REFERRAL = colors.HexColor("#f2b8a2")


class _FastDeflate(PDFStreamFilterZCompress):  # type: ignore[misc]
    """ReportLab's Flate filter at zlib's fastest level."""

    def encode(self, text: str | bytes) -> bytes:
        return zlib.compress(text.encode("utf8") if isinstance(text, str) else text, 1)


def _windows_names_only(font: TTFont) -> None:
    """Embed the font's naming table with only its Windows (Unicode) records: the Macintosh
    records repeat the same names, copyright and licence in another encoding, and were a seventh
    of every embedded subset. The copyright and licence notices stay in the embedded font."""
    face = font.face
    table: bytes = face.get_table("name")
    _format, count, storage = struct.unpack_from(">3H", table, 0)
    records = [struct.unpack_from(">6H", table, 6 + 12 * i) for i in range(count)]
    kept = [record for record in records if record[0] == 3]
    if not kept or len(kept) == len(records):
        return
    headers, strings = [], b""
    for platform, encoding, language, name_id, length, offset in kept:
        headers.append(
            struct.pack(">6H", platform, encoding, language, name_id, length, len(strings))
        )
        strings += table[storage + offset : storage + offset + length]
    names = struct.pack(">3H", 0, len(kept), 6 + 12 * len(kept)) + b"".join(headers) + strings
    get_table = face.get_table

    def trimmed(tag: str) -> bytes:
        return names if tag == "name" else get_table(tag)

    face.get_table = trimmed


@cache
def register_fonts() -> None:
    """Register the embedded fonts with ReportLab once per process."""
    # Attribute validation of every graphics shape costs a third of the diagram's time; the
    # diagram's shapes are built by our own tested code, so the check buys nothing at print time.
    rl_config.shapeChecking = 0
    # Page streams are deflated; ReportLab's default ASCII85 armour on top adds a quarter to
    # their size and costs time, and no PDF reader needs 7-bit-clean streams any more.
    rl_config.useA85 = 0
    # Deflate at zlib's fastest level: half the time of its default for about 6 % more bytes,
    # which the lighter font subsets below more than make up for.
    pdfdoc.PDFZCompress = _FastDeflate()
    # The same few dozen dictionary keys are escaped character by character for every object of
    # every PDF; the escaping is a pure function of the name, so remember it.
    pdfdoc.PDFName = lru_cache(maxsize=1024)(pdfdoc.PDFName)
    for name, file in ((FONT, "DejaVuSans.ttf"), (FONT_BOLD, "DejaVuSans-Bold.ttf")):
        font = TTFont(name, str(FONT_DIR / file))
        _windows_names_only(font)
        pdfmetrics.registerFont(font)
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
    )


def text(value: object) -> str:
    """User text made safe for ReportLab's paragraph markup: "<b>" prints as typed."""
    return escape(str(value)).replace("\n", "<br/>")


@cache
def styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles of every report."""
    register_fonts()
    body = ParagraphStyle(
        "body", fontName=FONT, fontSize=9, leading=11.5, textColor=INK, alignment=TA_LEFT
    )
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5, textColor=MUTED),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10),
        "cell_bold": ParagraphStyle(
            "cell_bold", parent=body, fontName=FONT_BOLD, fontSize=8, leading=10
        ),
        "h1": ParagraphStyle(
            "h1", parent=body, fontName=FONT_BOLD, fontSize=14, leading=17, spaceAfter=4
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=10.5,
            leading=13,
            spaceBefore=8,
            spaceAfter=3,
        ),
        "banner": ParagraphStyle(
            "banner",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=11,
            leading=14,
            textColor=colors.white,
        ),
    }
