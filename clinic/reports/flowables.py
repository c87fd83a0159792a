"""Text flowables for the reports: plain text set exactly as ReportLab's Paragraph sets it, without
the markup parser and line breaker when the text fits on one line (most lines of a summary do).
"""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph

from clinic.reports.styles import text

# A line that fills its width to within this many points goes to the paragraph's own line
# breaker, which alone knows exactly where it would break it.
_SLACK = 1e-6


class _Paragraph(Paragraph):  # type: ignore[misc]
    """A Paragraph that breaks its lines once per width: platypus often wraps a flowable twice."""

    _wrapped: tuple[float, float, float] | None = None

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        if self._wrapped is None or self._wrapped[0] != available_width:
            width, height = super().wrap(available_width, available_height)
            self._wrapped = (available_width, width, height)
        _, self.width, self.height = self._wrapped
        return self.width, self.height


class PlainParagraph(Flowable):  # type: ignore[misc]
    """Plain user text in a paragraph style: "<b>" prints as typed, newlines break the line.

    Text that fits its width on one line is drawn as one string where Paragraph would draw it;
    anything else (wrapping, line breaks, unusual white space) is handed to a real Paragraph.
    """

    def __init__(self, value: object, style: ParagraphStyle) -> None:
        super().__init__()
        self._value = str(value)
        # Flowable reads spaceBefore, spaceAfter and keepWithNext from a `style` attribute.
        self.style = style
        # Only canonical text (single spaces, none at the ends, nothing unprintable) is drawn
        # directly: Paragraph would collapse, strip or specially treat anything else.
        self._simple = (
            bool(self._value)
            and self._value.isprintable()
            and (" ".join(self._value.split()) == self._value)
        )
        self._width = (
            stringWidth(self._value, style.fontName, style.fontSize) if self._simple else 0.0
        )
        self._paragraph: Paragraph | None = None

    def _as_paragraph(self) -> Paragraph:
        if self._paragraph is None:
            self._paragraph = _Paragraph(text(self._value), self.style)
        return self._paragraph

    def _fits(self, available_width: float) -> bool:
        return self._simple and self._width <= available_width - _SLACK

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        if self._fits(available_width):
            self.width, self.height = available_width, self.style.leading
        else:
            paragraph = self._as_paragraph()
            self.width, self.height = paragraph.wrap(available_width, available_height)
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        if self._fits(available_width):
            return []  # one line: it moves to the next frame whole
        result: list[Flowable] = self._as_paragraph().split(available_width, available_height)
        return result

    def draw(self) -> None:
        style = self.style
        if not self._fits(self.width):
            self._as_paragraph().drawOn(self.canv, 0, 0)
            return
        canvas = self.canv
        canvas.setFillColor(style.textColor)
        canvas.setFont(style.fontName, style.fontSize, style.leading)
        canvas.drawString(0, style.leading - style.fontSize, self._value)


class Heading(PlainParagraph):
    """A section heading that moves to the next page rather than end a page on its own."""

    ROOM_BELOW = 25 * mm

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        width, height = super().wrap(available_width, available_height)
        if available_height < height + self.ROOM_BELOW:
            return width, available_height + 1  # too tall here: the frame moves it on
        return width, height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        return []
