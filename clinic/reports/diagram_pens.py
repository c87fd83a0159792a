"""Two ways to put the body diagram's shapes on paper, behind one small drawing interface.

clinic.reports.body_map says once what the diagram looks like, in terms of a Pen. DrawingPen
builds a reportlab.graphics Drawing from it, whose shape tree can be inspected (the tests count
its marks and check their bounds); CanvasPen paints the same shapes straight onto a PDF canvas,
which is what the printed report uses: through the graphics renderer, the diagram's few hundred
shapes cost more than a page of tables. The body outline is the same on every diagram of a
given size, so CanvasPen draws it once per PDF as a form XObject and reuses it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import lru_cache
from typing import Any, Protocol

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, String
from reportlab.lib.attrmap import AttrMap, AttrMapValue
from reportlab.lib.colors import Color
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.validators import isString
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFName
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from clinic.reports.flowables import draw_string
from clinic.reports.styles import FONT, FONT_BOLD

Point = tuple[float, float]
Dash = tuple[float, ...] | None
# Draws a symbol's shapes with a pen, centred on a point.
Symbol = Callable[["Pen", float, float], None]

# A quarter circle as a cubic Bézier: its control points sit this share of the radius out.
_KAPPA = 0.5522847498307936
# The paint operators ReportLab's canvas uses for (fill, stroke), with its even-odd fill rule.
_PAINT = {(True, True): "B*", (True, False): "f*", (False, True): "S", (False, False): "n"}

# The diagram's forms hold only path, colour and line operators: their resource dictionary
# needs no fonts or images (ReportLab's default names every font and image procedure set).
_PATH_RESOURCES = PDFDictionary({"ProcSet": PDFArray([PDFName("PDF")])})


class DiagramMark(Group):  # type: ignore[misc]
    """A group drawing one site or trigger point, tagged so the marks can be told apart."""

    _attrMap = AttrMap(  # noqa: N815 - ReportLab's name; it validates these attributes
        BASE=Group,
        kind=AttrMapValue(isString),
        state=AttrMapValue(isString),
        code=AttrMapValue(isString),
    )

    def __init__(self, kind: str, state: str, code: str) -> None:
        super().__init__()
        self.kind = kind
        self.state = state
        self.code = code


class Pen(Protocol):
    """What the diagram is drawn with. Polygons are closed and have rounded joins."""

    def polygon(
        self,
        points: Sequence[Point],
        fill: Color | None,
        stroke: Color | None,
        width: float = 0.8,
        dash: Dash = None,
        *,
        static: bool = False,
    ) -> None:
        """Draw a closed polygon; `static` when it is the same on every diagram of a size."""

    def figure(self, key: str, points: Sequence[Point], fill: Color, stroke: Color) -> None:
        """Draw a polygon that every diagram of this size shares; `key` names it uniquely."""

    def circle(
        self,
        x: float,
        y: float,
        radius: float,
        fill: Color | None,
        stroke: Color | None,
        width: float,
        dash: Dash = None,
    ) -> None:
        """Draw a circle."""

    def line(self, start: Point, end: Point, colour: Color, width: float) -> None:
        """Draw a straight line."""

    def text(
        self, x: float, y: float, value: str, size: float, bold: bool, colour: Color, anchor: str
    ) -> None:
        """Draw one line of text; `anchor` is start, middle or end."""

    def mark(self, kind: str, state: str, code: str) -> AbstractContextManager[None]:
        """Group what is drawn inside as one site or trigger point."""

    def symbol(self, key: str, x: float, y: float, reach: float, draw: Symbol) -> None:
        """Draw `draw`'s shapes centred on (x, y): the same for every use of `key`, and within
        `reach` of their centre."""


class DrawingPen:
    """Builds a reportlab.graphics Drawing, one shape per call, marks as DiagramMark groups."""

    def __init__(self, width: float, height: float) -> None:
        self.drawing = Drawing(width, height)
        self._group: Any = self.drawing

    def polygon(
        self,
        points: Sequence[Point],
        fill: Color | None,
        stroke: Color | None,
        width: float = 0.8,
        dash: Dash = None,
        *,
        static: bool = False,
    ) -> None:
        """Add a Polygon."""
        self._group.add(
            Polygon(
                points=[c for point in points for c in point],
                fillColor=fill,
                strokeColor=stroke,
                strokeWidth=width,
                strokeDashArray=dash,
                strokeLineJoin=1,
            )
        )

    def figure(self, key: str, points: Sequence[Point], fill: Color, stroke: Color) -> None:
        """Add the shared polygon like any other."""
        self.polygon(points, fill, stroke, 0.7)

    def circle(
        self,
        x: float,
        y: float,
        radius: float,
        fill: Color | None,
        stroke: Color | None,
        width: float,
        dash: Dash = None,
    ) -> None:
        """Add a Circle."""
        self._group.add(
            Circle(
                x,
                y,
                radius,
                fillColor=fill,
                strokeColor=stroke,
                strokeWidth=width,
                strokeDashArray=dash,
            )
        )

    def line(self, start: Point, end: Point, colour: Color, width: float) -> None:
        """Add a Line."""
        self._group.add(Line(*start, *end, strokeColor=colour, strokeWidth=width))

    def text(
        self, x: float, y: float, value: str, size: float, bold: bool, colour: Color, anchor: str
    ) -> None:
        """Add a String."""
        font = FONT_BOLD if bold else FONT
        self._group.add(
            String(x, y, value, fontName=font, fontSize=size, fillColor=colour, textAnchor=anchor)
        )

    def symbol(self, key: str, x: float, y: float, reach: float, draw: Symbol) -> None:
        """Add the symbol's shapes where they fall."""
        draw(self, x, y)

    @contextmanager
    def mark(self, kind: str, state: str, code: str) -> Iterator[None]:
        """Collect the shapes drawn inside into one DiagramMark."""
        outer, group = self._group, DiagramMark(kind, state, code)
        outer.add(group)
        self._group = group
        try:
            yield
        finally:
            self._group = outer


def _polygon_path(points: Sequence[Point]) -> str:
    """A closed polygon as PDF path operators."""
    (x0, y0), rest = points[0], points[1:]
    return " ".join([f"{fp_str(x0, y0)} m", *(f"{fp_str(x, y)} l" for x, y in rest), "h"])


# The outlines and zones of the figures are the same on every diagram of a size: their path
# operators are worked out once per process.
_static_path = lru_cache(maxsize=2048)(_polygon_path)
_UNSET: Any = object()


class CanvasPen:
    """Paints straight onto a PDF canvas, setting only the graphics state that changes."""

    def __init__(self, canvas: Canvas, width: float, height: float) -> None:
        self._canvas = canvas
        self._size = (width, height)
        self._code: list[str] = canvas._code
        # The graphics state last set, unknown at first: colours and dashes are the module's
        # own constants, so telling them apart by identity is enough.
        self._fill = self._stroke = self._width = self._dash = self._join = self._font = _UNSET

    def _paint(
        self,
        path: str,
        fill: Color | None,
        stroke: Color | None,
        width: float,
        dash: Dash,
        join: int | None = None,
    ) -> None:
        """Paint a path; `join` None when the path has no corners for a join to shape."""
        canvas = self._canvas
        if fill is not None and fill is not self._fill:
            canvas.setFillColor(fill)
            self._fill = fill
        if stroke is not None:
            if stroke is not self._stroke:
                canvas.setStrokeColor(stroke)
                self._stroke = stroke
            if width != self._width:
                canvas.setLineWidth(width)
                self._width = width
            if dash is not self._dash:
                canvas.setDash(list(dash or ()))
                self._dash = dash
            if join is not None and join != self._join:
                canvas.setLineJoin(join)
                self._join = join
        self._code.append(f"{path} {_PAINT[fill is not None, stroke is not None]}")

    def polygon(
        self,
        points: Sequence[Point],
        fill: Color | None,
        stroke: Color | None,
        width: float = 0.8,
        dash: Dash = None,
        *,
        static: bool = False,
    ) -> None:
        """Fill and stroke a closed path."""
        path = _static_path(tuple(points)) if static else _polygon_path(points)
        self._paint(path, fill, stroke, width, dash, join=1)

    def figure(self, key: str, points: Sequence[Point], fill: Color, stroke: Color) -> None:
        """Draw the shared polygon from a form XObject, defining the form on first use."""
        canvas = self._canvas
        name = f"BodyFigure-{key}"
        if not canvas.hasForm(name):
            canvas.beginForm(name, 0, 0, *self._size)
            canvas.setFillColor(fill)
            canvas.setStrokeColor(stroke)
            canvas.setLineWidth(0.7)
            canvas.setLineJoin(1)
            canvas.addLiteral(f"{_static_path(tuple(points))} {_PAINT[True, True]}")
            canvas.endForm(Resources=_PATH_RESOURCES)
        canvas.doForm(name)

    def circle(
        self,
        x: float,
        y: float,
        radius: float,
        fill: Color | None,
        stroke: Color | None,
        width: float,
        dash: Dash = None,
    ) -> None:
        """Fill and stroke a circle made of four Bézier quarters, as ReportLab draws one."""
        k = radius * _KAPPA
        right, top, left, bottom = x + radius, y + radius, x - radius, y - radius
        path = (
            f"{fp_str(right, y)} m "
            f"{fp_str(right, y + k, x + k, top, x, top)} c "
            f"{fp_str(x - k, top, left, y + k, left, y)} c "
            f"{fp_str(left, y - k, x - k, bottom, x, bottom)} c "
            f"{fp_str(x + k, bottom, right, y - k, right, y)} c"
        )
        self._paint(path, fill, stroke, width, dash)

    def line(self, start: Point, end: Point, colour: Color, width: float) -> None:
        """Stroke a line."""
        path = f"{fp_str(*start)} m {fp_str(*end)} l"
        self._paint(path, None, colour, width, None)

    def text(
        self, x: float, y: float, value: str, size: float, bold: bool, colour: Color, anchor: str
    ) -> None:
        """Draw a string; the canvas keeps track of the glyphs each font subset needs."""
        font = FONT_BOLD if bold else FONT
        if anchor != "start":
            shift = stringWidth(value, font, size)
            x -= shift / 2 if anchor == "middle" else shift
        canvas = self._canvas
        if colour is not self._fill:
            canvas.setFillColor(colour)
            self._fill = colour
        if (font, size) != self._font:
            canvas.setFont(font, size)
            self._font = (font, size)
        draw_string(canvas, x, y, value)

    def mark(self, kind: str, state: str, code: str) -> AbstractContextManager[None]:
        """Marks need no grouping on paper."""
        return nullcontext()

    def symbol(self, key: str, x: float, y: float, reach: float, draw: Symbol) -> None:
        """Place the symbol's form XObject, drawn once per PDF around the origin, at (x, y)."""
        canvas = self._canvas
        name = f"Symbol-{key}"
        if not canvas.hasForm(name):
            canvas.beginForm(name, -reach, -reach, reach, reach)
            # A fresh pen: the form starts from the graphics state of wherever it is placed.
            draw(CanvasPen(canvas, *self._size), 0, 0)
            canvas.endForm(Resources=_PATH_RESOURCES)
        self._code.append(f"q 1 0 0 1 {fp_str(x, y)} cm /{canvas._doc.getXObjectName(name)} Do Q")
        canvas._formsinuse.append(name)


class PenFlowable(Flowable):  # type: ignore[misc]
    """A fixed-size flowable that paints itself with a CanvasPen."""

    def __init__(self, width: float, height: float, paint: Callable[[Pen], None]) -> None:
        super().__init__()
        self.width, self.height = width, height
        self._paint = paint

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self._paint(CanvasPen(self.canv, self.width, self.height))
