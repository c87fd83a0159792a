"""The reports' data tables: a header row, hairlines between rows, plain strings where they fit."""

from __future__ import annotations

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.platypus import Flowable, Table, TableStyle
from reportlab.platypus.tables import CellStyle

from clinic.reports.flowables import PlainParagraph, string_operators
from clinic.reports.styles import FONT, INK, RULE, SHADE, styles

CELL_PADDING = 3
CELL_FONT_SIZE = 8
CELL_LEADING = 10
_CELL_VERTICAL_PADDING = 2
# The least of a row printed on either side of a page end: three lines of a cell.
ROW_SPLIT_MIN = 3 * CELL_LEADING + 2 * _CELL_VERTICAL_PADDING


def cell(value: object, width: float) -> object:
    """Short text as a plain string (fast to lay out); text that needs wrapping as a paragraph."""
    if isinstance(value, Flowable):
        return value
    shown = str(value)
    fits = stringWidth(shown, FONT, CELL_FONT_SIZE) <= width - 2 * CELL_PADDING
    return shown if fits and "\n" not in shown else PlainParagraph(shown, styles()["cell"])


def _cell_style() -> CellStyle:
    """How every cell of a data table is set: one style object that all its cells share."""
    style = CellStyle("data")
    style.fontname, style.fontsize, style.leading = FONT, CELL_FONT_SIZE, CELL_LEADING
    style.color = INK
    style.valign = "TOP"
    style.topPadding = style.bottomPadding = _CELL_VERTICAL_PADDING
    style.leftPadding = style.rightPadding = CELL_PADDING
    return style


class TallRowTable(Table):  # type: ignore[misc]
    """A Table that splits between rows, as Table does, and splits a row itself only when the
    row is taller than a whole page (the longest free texts in a narrow column): where the table
    or its part starts under what precedes it, or at a page's top. A later part is never split
    into what is left of the page after its earlier part, where it would repeat the header.
    """

    splitInRow: int  # noqa: N815 - ReportLab's name: the least row part split off, in points
    _continued = False  # a later part of a table split across pages

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        self._calc(available_width, available_height)
        frame = getattr(self, "_frame", None)
        if self._continued and frame is not None and not frame._atTop:
            return []  # the rest of the table starts the next page
        in_row: int = self.splitInRow
        if not self._row_taller_than_page(frame):
            self.splitInRow = 0
        try:
            parts: list[Flowable] = super().split(available_width, available_height)
        finally:
            self.splitInRow = in_row
        for index, part in enumerate(parts):
            part.splitInRow = in_row
            part._continued = bool(index)
        return parts

    def _row_taller_than_page(self, frame: object) -> bool:
        """Whether the first row after the repeated header cannot fit even on a whole page."""
        first = self.repeatRows if isinstance(self.repeatRows, int) else len(self.repeatRows)
        if frame is None or first >= len(self._rowHeights):
            return False
        page = float(frame._aH)  # type: ignore[attr-defined]
        return bool(self._rowHeights[first] > page - sum(self._rowHeights[:first]))


class _DataTable(TallRowTable):
    """A Table that writes its plain-string cells (one line, left and top aligned) directly, the
    cells of a row in one text object: a row's strings, each placed by its own text matrix and
    ended by a line feed, read in a PDF's extracted text exactly as one text object per cell.
    """

    _curcellstyle: CellStyle | None  # Table.draw resets it; the last cell style set
    # The open row: its text object as last written, its baseline and its font subset.
    _row: tuple[str, float, int] | None = None

    def _drawCell(  # noqa: N802 - ReportLab's name
        self,
        value: object,
        style: CellStyle,
        position: tuple[float, float],
        size: tuple[float, float],
    ) -> None:
        if (
            not isinstance(value, str)
            or "\n" in value
            or style.alignment != "LEFT"
            or style.valign != "TOP"
            or style.href
            or style.destination
        ):
            super()._drawCell(value, style, position, size)
            return
        current = self._curcellstyle
        if current is not style:  # set the font and colour as Table would
            canvas = self.canv
            if current is None or style.color != current.color:
                canvas.setFillColor(style.color)
            if current is None or (style.fontname, style.fontsize, style.leading) != (
                current.fontname,
                current.fontsize,
                current.leading,
            ):
                canvas.setFont(style.fontname, style.fontsize, style.leading)
            self._curcellstyle = style
        canvas = self.canv
        if not value:
            return  # an empty cell shows nothing
        if not getFont(canvas._fontname)._dynamicFont or canvas.bottomup != 1:
            super()._drawCell(value, style, position, size)
            return
        x = position[0] + style.leftPadding
        y = position[1] + size[1] - style.topPadding - style.fontsize
        code: list[str] = canvas._code
        row = self._row
        if row is not None and row[1] == y and code and code[-1] is row[0]:
            operators, subset = string_operators(canvas, value, row[2])
            block = f"{row[0][:-3]} 1 0 0 1 {fp_str(x, y)} Tm {' '.join(operators)} T* ET"
            code[-1] = block
        else:
            operators, subset = string_operators(canvas, value)
            block = f"BT 1 0 0 1 {fp_str(x, y)} Tm {' '.join(operators)} T* ET"
            code.append(block)
        self._row = (block, y, subset)


def data_table(rows: list[list[object]], widths: list[float], header: bool = True) -> Table:
    """A table of rows, the first a shaded header repeated on every page when `header`."""
    cells = [[cell(value, widths[i]) for i, value in enumerate(row)] for row in rows]
    # Setting the font, colour and padding by style commands would apply each command to each
    # cell in turn; one shared cell style says the same for the whole table at once.
    shared = _cell_style()
    # A row of plain strings is one line high: saying so spares Table measuring every cell.
    line = CELL_LEADING + 2 * _CELL_VERTICAL_PADDING
    heights = [None if any(isinstance(c, Flowable) for c in row) else line for row in cells]
    table = _DataTable(
        cells,
        colWidths=widths,
        rowHeights=heights,
        repeatRows=1 if header else 0,
        # A row taller than what is left of a page starts the next page; one taller than a
        # whole page (the longest free texts) is split inside its cells, a few lines at least.
        splitInRow=ROW_SPLIT_MIN,
        hAlign="LEFT",
        cellStyles=[[shared] * len(widths) for _ in cells],
    )
    commands: list[tuple[object, ...]] = [("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE)]
    if header:
        commands += [
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("LINEBELOW", (0, 0), (-1, 0), 0.6, INK),
        ]
    table.setStyle(TableStyle(commands))
    return table
