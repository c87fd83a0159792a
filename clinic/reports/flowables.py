"""Text flowables for the reports: plain text set exactly as ReportLab's Paragraph sets it, without
its markup parser, and with its line breaker's steps taken directly for one-style text; and
strings written into the page exactly as the canvas writes them, without its text objects.
"""

from __future__ import annotations

from reportlab.lib.enums import TA_LEFT
from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph

from clinic.reports.styles import text

# A line that fills its width to within this many points goes to the paragraph's own line
# breaker, which alone knows exactly where it would break it.
_SLACK = 1e-6


class _FontText:
    """What one document has written in one embedded font: the characters it has already placed
    in the font's first subset (codes below 256), as a translation table, so that a string made
    only of those needs no splitting; and the font-selection operators it has already formatted.
    """

    def __init__(self, font: TTFont) -> None:
        self.font = font
        self.known: set[str] = set()
        self.codes: dict[int, int] = {}
        self._selections: dict[tuple[int, float, float], str] = {}

    def learn(self, value: str, assignments: dict[int, int]) -> None:
        """Note the characters of `value` that the document's font state has now assigned."""
        for char in set(value) - self.known:
            code = assignments.get(ord(char))
            if code is not None and code < 256:
                self.known.add(char)
                self.codes[ord(char)] = code

    def select(self, subset: int, size: float, leading: float, doc: object) -> str:
        """The operators that select `subset` of the font at `size` with `leading`."""
        key = (subset, size, leading)
        selection = self._selections.get(key)
        if selection is None:
            name = self.font.getSubsetInternalName(subset, doc)
            selection = f"{name} {fp_str(size)} Tf {fp_str(leading)} TL"
            self._selections[key] = selection
        return selection


def _font_text(canvas: Canvas) -> _FontText:
    """The canvas's current font's `_FontText`, which lives and dies with the canvas."""
    texts: dict[str, _FontText] = canvas.__dict__.setdefault("_clinic_font_texts", {})
    text = texts.get(canvas._fontname)
    if text is None:
        text = texts[canvas._fontname] = _FontText(getFont(canvas._fontname))
    return text


def string_operators(canvas: Canvas, value: str, subset: int = -1) -> tuple[list[str], int]:
    """The operators that show `value` in the canvas's current (embedded TrueType) font from inside
    a text object whose font subset is `subset` (-1: none set yet), and the subset they leave set.

    The same operators as `font.splitString` and a text object would give; a string whose
    characters all have their codes in the first subset already is encoded with one
    `str.translate` instead of ReportLab's loop over its characters.
    """
    text = _font_text(canvas)
    size, leading, doc = canvas._fontsize, canvas._leading, canvas._doc
    if value and text.known.issuperset(value):
        shown = f"({escapePDF(value.translate(text.codes).encode('latin-1'))}) Tj"
        if subset == 0:
            return [shown], 0
        return [text.select(0, size, leading, doc), shown], 0
    operators: list[str] = []
    for part, chunk in text.font.splitString(value, doc):
        if part != subset:
            operators.append(text.select(part, size, leading, doc))
            subset = part
        operators.append(f"({escapePDF(chunk)}) Tj")
    text.learn(value, text.font.state[doc].assignments)
    return operators, subset


def draw_string(canvas: Canvas, x: float, y: float, value: str) -> None:
    """Draw one line in the canvas's current font, writing exactly what `canvas.drawString` writes.

    drawString builds a text object, measures the string and formats it operator by operator;
    for the embedded TrueType fonts (no shaping, no bidi) this writes the same text object
    straight away, a fifth of the time for the few hundred strings of a summary.
    """
    if not getFont(canvas._fontname)._dynamicFont or canvas.bottomup != 1:
        canvas.drawString(x, y, value)
        return
    operators, _ = string_operators(canvas, value)
    canvas._code.append(f"BT 1 0 0 1 {fp_str(x, y)} Tm {' '.join(operators)} T* ET")


class _Paragraph(Paragraph):  # type: ignore[misc]
    """A Paragraph that breaks its lines once per width: platypus often wraps a flowable twice."""

    _wrapped: tuple[float, float, float] | None = None

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        # Paragraph.split drops the broken lines when it sends the paragraph on whole.
        if (
            self._wrapped is None
            or self._wrapped[0] != available_width
            or not hasattr(self, "blPara")
        ):
            width, height = super().wrap(available_width, available_height)
            self._wrapped = (available_width, width, height)
        _, self.width, self.height = self._wrapped
        return self.width, self.height


def _plain_style(style: ParagraphStyle) -> bool:
    """Whether Paragraph would set one-style text in `style` as plain left-aligned lines: no
    indents, bullets, hyphenation, borders, shaping or automatic leading."""
    return (
        style.alignment == TA_LEFT
        and not (style.leftIndent or style.rightIndent or style.firstLineIndent)
        and not (style.wordWrap or style.shaping or style.endDots or style.textTransform)
        and not (getattr(style, "hyphenationLang", "") or style.uriWasteReduce)
        and not (style.embeddedHyphenation or style.backColor or style.borderWidth)
        and getattr(style, "autoLeading", "") in ("", "off")
        and not (getattr(style, "underline", False) or getattr(style, "strike", False))
        and bool(style.splitLongWords)
    )


class PlainParagraph(Flowable):  # type: ignore[misc]
    """Plain user text in a paragraph style: "<b>" prints as typed, newlines break the line.

    Canonical text (single spaces, nothing unprintable) is broken into lines exactly as Paragraph
    breaks one-style text, and drawn with the same text operators Paragraph would write; anything
    else (line breaks, unusual white space, markup characters, a word wider than the column, a
    paragraph split across pages) is handed to a real Paragraph.
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
        self._breakable: bool | None = None  # worked out when the text needs breaking
        self._broken: tuple[float, list[tuple[float, list[str]]] | None] | None = None
        self._paragraph: Paragraph | None = None

    def _as_paragraph(self) -> Paragraph:
        if self._paragraph is None:
            self._paragraph = _Paragraph(text(self._value), self.style)
        return self._paragraph

    def _fits(self, available_width: float) -> bool:
        return self._simple and self._width <= available_width - _SLACK

    def _lines(self, available_width: float) -> list[tuple[float, list[str]]] | None:
        """The lines Paragraph would break the text into at this width, as (room left, words),
        None if only Paragraph can say."""
        if self._fits(available_width):
            return [(0.0, [self._value])]
        if self._breakable is None:
            # Escaped markup characters make Paragraph set the text as several fragments.
            self._breakable = (
                self._simple
                and not any(c in self._value for c in "&<>")
                and _plain_style(self.style)
            )
        if not self._breakable:
            return None
        if self._broken is None or self._broken[0] != available_width:
            self._broken = (available_width, self._break(available_width))
        return self._broken[1]

    def _break(self, width: float) -> list[tuple[float, list[str]]] | None:
        # Paragraph.breakLines for one fragment, step for step (the same sums in the same order,
        # so the same floating-point comparisons); a word wider than the line it leaves to it.
        style = self.style
        font, size = style.fontName, style.fontSize
        space = stringWidth(" ", font, size)
        shrink = style.spaceShrinkage * space
        lines: list[tuple[float, list[str]]] = []
        line: list[str] = []
        current = -space
        for word in self._value.split(" "):
            word_width = stringWidth(word, font, size)
            if word_width > width:
                return None
            new = current + space + word_width
            if new <= width + shrink * len(line) or not line:
                line.append(word)
                current = new
            else:
                lines.append((width - current, line))
                line, current = [word], word_width
        lines.append((width - current, line))
        return lines

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        lines = self._lines(available_width)
        if lines is not None:
            self.width, self.height = available_width, self.style.leading * len(lines)
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
        lines = self._lines(self.width)
        if lines is None:
            self._as_paragraph().drawOn(self.canv, 0, 0)
            return
        canvas = self.canv
        canvas.setFillColor(style.textColor)
        canvas.setFont(style.fontName, style.fontSize, style.leading)
        if self._fits(self.width):
            draw_string(canvas, 0, style.leading - style.fontSize, self._value)
            return
        # As Paragraph writes it: one text object, a line feed (by the leading) after each line,
        # and the word spacing squeezed on a line that uses the style's space shrinkage.
        operators: list[str] = []
        subset = -1
        for room, words in lines:
            squeeze = room <= -1e-8 and len(words) > 1
            if squeeze:
                operators.append(f"{fp_str(room / float(len(words) - 1))} Tw")
            shown, subset = string_operators(canvas, " ".join(words), subset)
            operators += shown
            operators.append("T*")
            if squeeze:
                operators.append("0 Tw")
        top = self.height - style.fontSize
        canvas._code.append(f"BT 1 0 0 1 0 {fp_str(top)} Tm {' '.join(operators)} ET")


class Heading(PlainParagraph):
    """A section heading that moves to the next page rather than end a page on its own.

    It asks for ROOM_BELOW under it: offered less, it answers taller than the room (and will not
    split), so its height depends on the room, unlike a paragraph's; whatever keeps it with other
    lines must test the room the frame's way, not add up heights (see KeepLines).
    """

    ROOM_BELOW = 25 * mm

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        width, height = super().wrap(available_width, available_height)
        if available_height < height + self.ROOM_BELOW:
            return width, available_height + 1  # too tall here: the frame moves it on
        return width, height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        return []
