"""Page geometry, fonts and paragraph styles shared by every report.

Text is set in DejaVu Sans, a Unicode TrueType font shipped in reports/fonts with its licence:
ReportLab's built-in fonts cover Latin-1 only, and names like "Łukasiewicz", "Ψυχογιός" or
"Дмитрий" must print as typed. Only the glyphs used are embedded (ReportLab subsets TTFs).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
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


@cache
def register_fonts() -> None:
    """Register the embedded fonts with ReportLab once per process."""
    # Attribute validation of every graphics shape costs a third of the diagram's time; the
    # diagram's shapes are built by our own tested code, so the check buys nothing at print time.
    rl_config.shapeChecking = 0
    # Page streams are deflated; ReportLab's default ASCII85 armour on top adds a quarter to
    # their size and costs time, and no PDF reader needs 7-bit-clean streams any more.
    rl_config.useA85 = 0
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
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
