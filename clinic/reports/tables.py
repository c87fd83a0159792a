"""The reports' data tables: a header row, hairlines between rows, plain strings where they fit."""

from __future__ import annotations

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Table, TableStyle
from reportlab.platypus.tables import CellStyle

from clinic.reports.flowables import PlainParagraph
from clinic.reports.styles import FONT, INK, RULE, SHADE, styles

CELL_PADDING = 3
CELL_FONT_SIZE = 8
CELL_LEADING = 10


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
    style.topPadding = style.bottomPadding = 2
    style.leftPadding = style.rightPadding = CELL_PADDING
    return style


def data_table(rows: list[list[object]], widths: list[float], header: bool = True) -> Table:
    """A table of rows, the first a shaded header repeated on every page when `header`."""
    cells = [[cell(value, widths[i]) for i, value in enumerate(row)] for row in rows]
    # Setting the font, colour and padding by style commands would apply each command to each
    # cell in turn; one shared cell style says the same for the whole table at once.
    shared = _cell_style()
    table = Table(
        cells,
        colWidths=widths,
        repeatRows=1 if header else 0,
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
