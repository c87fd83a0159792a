"""The exam's body diagram for the PDF: front and back views with sites, trigger points and zones.

clinic.reports.body_layout places every mark; this module says how each is drawn, once, in terms
of a Pen (clinic.reports.diagram_pens): on paper through a CanvasPen, or as a reportlab.graphics
Drawing through a DrawingPen. Marks keep a printed size of at least 2.5 mm whatever the width,
so the diagram is meant for about half a portrait page (85-95 mm wide).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from types import MappingProxyType

from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import Color, white
from reportlab.platypus import Flowable

from clinic.domain.body_diagram import DiagramMarks, SiteState
from clinic.domain.geometry import AREA_SHAPES, OUTLINES
from clinic.domain.scales import TriggerPointClass
from clinic.reports.body_layout import (
    UNCLASSIFIED,
    DiagramLayout,
    PlacedTriggerPoint,
    ViewBox,
    diagram_layout,
    mark_radii,
    patient_left_on_viewer_right,
    trigger_point_state,
)
from clinic.reports.diagram_pens import DiagramMark, DrawingPen, Pen, PenFlowable
from clinic.reports.styles import (
    ACTIVE,
    INK,
    LATENT,
    MUTED,
    PAINFUL,
    REFERRAL,
    RULE,
    SHADE,
    register_fonts,
)

__all__ = [
    "DiagramMark",
    "PlacedTriggerPoint",
    "body_diagram",
    "body_diagram_flowables",
    "diagram_layout",
    "diagram_legend",
    "mark_radii",
    "patient_left_on_viewer_right",
    "site_symbol",
    "trigger_point_symbol",
]

Point = tuple[float, float]
Paint = Callable[[Pen], None]

VIEW_TITLES: Mapping[str, str] = MappingProxyType({"front": "Front", "back": "Back"})
# Where the "L" and "R" letters sit in each box: level with the face, well clear of the figure.
_LETTER_INSET = 0.3
_LETTER_HEIGHT = 0.085


def body_diagram(marks: DiagramMarks, width: float) -> Drawing:
    """Draw an exam's front and back views with its sites, trigger points and referral zones."""
    layout = diagram_layout(marks, width)
    return _drawing(layout.width, layout.height, _diagram_painter(marks, layout))


def diagram_legend(marks: DiagramMarks, width: float) -> Drawing:
    """Draw the key to the diagram's marks in two columns; trigger-point keys only when used."""
    height, paint = _legend_painter(marks, width)
    return _drawing(width, height, paint)


def body_diagram_flowables(marks: DiagramMarks, width: float) -> list[Flowable]:
    """Return the diagram and its legend, ready to place in a story or a table cell."""
    register_fonts()
    layout = diagram_layout(marks, width)
    legend_height, legend = _legend_painter(marks, width)
    return [
        PenFlowable(layout.width, layout.height, _diagram_painter(marks, layout)),
        PenFlowable(width, legend_height, legend),
    ]


def _drawing(width: float, height: float, paint: Paint) -> Drawing:
    register_fonts()
    pen = DrawingPen(width, height)
    paint(pen)
    return pen.drawing


def _diagram_painter(marks: DiagramMarks, layout: DiagramLayout) -> Paint:
    def paint(pen: Pen) -> None:
        boxes = {box.view: box for box in layout.boxes}
        for box in layout.boxes:
            key = f"{box.view}-{box.left:.3f}-{box.width:.3f}"
            pen.figure(key, box.place_all(OUTLINES[box.view]), SHADE, RULE)
        for zone in sorted(marks.referral_zones):
            for view, shape in AREA_SHAPES.get(zone, ()):
                pen.polygon(boxes[view].place_all(shape), REFERRAL, None, static=True)
        for site in layout.sites:
            with pen.mark("control" if site.control else "site", site.state.value, site.code):
                site_symbol(pen, site.x, site.y, layout.site_radius, site.state, site.control)
        for point in layout.trigger_points:
            if point.leader:  # over the sites: the muscle it points to may lie under one
                _leader(pen, point)
        radius = layout.trigger_point_radius
        for point in layout.trigger_points:
            with pen.mark("trigger_point", point.state, str(point.number)):
                trigger_point_symbol(pen, point.x, point.y, radius, point.state, str(point.number))
        for box in layout.boxes:
            _labels(pen, box, layout.height)

    return paint


def _labels(pen: Pen, box: ViewBox, height: float) -> None:
    """Title the view and letter the patient's sides on either side of the head."""
    title = VIEW_TITLES.get(box.view, box.view.title())
    pen.text(box.left + box.width / 2, height - 9, title, 8, True, INK, "middle")
    left_letter, right_letter = ("R", "L") if patient_left_on_viewer_right(box.view) else ("L", "R")
    # Beside the head the box is empty, and the letters read as belonging to this figure.
    y = box.bottom + box.height * (1 - _LETTER_HEIGHT)
    for letter, x in ((left_letter, _LETTER_INSET), (right_letter, 1 - _LETTER_INSET)):
        pen.text(box.left + x * box.width, y, letter, 8, True, MUTED, "middle")


def _leader(pen: Pen, point: PlacedTriggerPoint) -> None:
    pen.line(point.anchor, (point.x, point.y), INK, 0.6)
    pen.circle(*point.anchor, 1.2, INK, INK, 0.6)


# A layer of a site mark: size as a share of the radius, fill, stroke, stroke width, dash.
_Layer = tuple[float, Color | None, Color | None, float, tuple[float, ...] | None]
# A white rim under each mark keeps neighbouring sites (the two occiput points) apart.
_RIM: _Layer = (1.25, white, None, 0, None)
_SITE_LAYERS: Mapping[SiteState, tuple[_Layer, ...]] = MappingProxyType(
    {
        SiteState.PAINFUL: (_RIM, (1.0, PAINFUL, PAINFUL, 0.8, None)),
        SiteState.NOT_PAINFUL: (_RIM, (1.0, white, INK, 1.0, None)),
        # Examined, "painful" not asked: a dashed ring, never the not-painful mark.
        SiteState.UNANSWERED: (_RIM, (1.0, white, PAINFUL, 1.0, (1.2, 0.9))),
        SiteState.NOT_EXAMINED: (_RIM, (1.0, white, RULE, 0.5, None)),
        SiteState.NOT_RECORDED: ((0.7, None, MUTED, 0.7, (0.8, 1.0)),),
    }
)
_SQUARE = ((-1, -1), (1, -1), (1, 1), (-1, 1))


def site_symbol(
    pen: Pen, x: float, y: float, radius: float, state: SiteState, control: bool
) -> None:
    """Draw a site: circles for the ACR sites, squares for controls; the fill says the state."""

    def draw(pen: Pen, x: float, y: float) -> None:
        _site_shapes(pen, x, y, radius, state, control)

    key = f"site-{state.value}-{'square' if control else 'circle'}-{radius:.4f}"
    pen.symbol(key, x, y, radius * _RIM[0] + 1.5, draw)


def _site_shapes(
    pen: Pen, x: float, y: float, radius: float, state: SiteState, control: bool
) -> None:
    for scale, fill, stroke, width, dash in _SITE_LAYERS[state]:
        size = radius * scale
        if control:
            half = size * 0.88  # a square of about the circle's area
            square = [(x + half * a, y + half * b) for a, b in _SQUARE]
            pen.polygon(square, fill, stroke, width, dash)
        else:
            pen.circle(x, y, size, fill, stroke, width, dash)
    if state is SiteState.NOT_EXAMINED:
        arm = radius * 0.75
        for dy in (arm, -arm):
            pen.line((x - arm, y - dy), (x + arm, y + dy), INK, 1.1)


_TRIGGER_POINT_INKS: Mapping[str, tuple[Color, Color, Color, tuple[float, ...] | None]] = (
    MappingProxyType(
        {
            TriggerPointClass.ACTIVE.value: (ACTIVE, ACTIVE, white, None),
            TriggerPointClass.LATENT.value: (white, LATENT, LATENT, None),
            TriggerPointClass.NOT_TRIGGER_POINT.value: (white, MUTED, MUTED, (1.2, 1.0)),
        }
    )
)


def trigger_point_symbol(
    pen: Pen, x: float, y: float, radius: float, state: str, number: str
) -> None:
    """Draw a numbered diamond: filled for active, outlined for latent, grey otherwise."""
    fill, stroke, ink, dash = _TRIGGER_POINT_INKS.get(state, (MUTED, MUTED, white, None))
    halo = radius + 1.2
    pen.polygon(((x, y + halo), (x + halo, y), (x, y - halo), (x - halo, y)), white, None)
    diamond = ((x, y + radius), (x + radius, y), (x, y - radius), (x - radius, y))
    pen.polygon(diamond, fill, stroke, 1.2, dash)
    size = radius * (0.95 if len(number) < 2 else 0.8)
    pen.text(x, y - size * 0.36, number, size, True, ink, "middle")


_SITE_KEYS: tuple[tuple[SiteState, str], ...] = (
    (SiteState.PAINFUL, "Painful"),
    (SiteState.NOT_PAINFUL, "Not painful"),
    (SiteState.UNANSWERED, "Painful not asked"),
    (SiteState.NOT_EXAMINED, "Not examined"),
    (SiteState.NOT_RECORDED, "Not recorded"),
)
_TRIGGER_POINT_KEYS: tuple[tuple[str, str], ...] = (
    (TriggerPointClass.ACTIVE.value, "Active trigger point"),
    (TriggerPointClass.LATENT.value, "Latent trigger point"),
    (UNCLASSIFIED, "Spot, not classified"),
    (TriggerPointClass.NOT_TRIGGER_POINT.value, "Not a trigger point"),
)
# A key entry: its label, and how to draw its symbol centred on a point.
_Key = tuple[str, Callable[[Pen, float, float], None]]


def _legend_keys(marks: DiagramMarks, site_r: float, trigger_r: float) -> list[_Key]:
    def site(state: SiteState, control: bool) -> Callable[[Pen, float, float], None]:
        return lambda pen, x, y: site_symbol(pen, x, y, site_r, state, control)

    def spot(state: str) -> Callable[[Pen, float, float], None]:
        return lambda pen, x, y: trigger_point_symbol(pen, x, y, trigger_r, state, "1")

    def swatch(pen: Pen, x: float, y: float) -> None:
        pen.polygon([(x + trigger_r * a, y + site_r * b) for a, b in _SQUARE], REFERRAL, None)

    # "Painful not asked" only when a site is so: a signed exam never has one.
    shown = {mark.state for mark in marks.sites} | {
        state for state in SiteState if state is not SiteState.UNANSWERED
    }
    keys: list[_Key] = [
        (label, site(state, False)) for state, label in _SITE_KEYS if state in shown
    ]
    keys.append(("Square: control site", site(SiteState.NOT_PAINFUL, True)))
    used = {trigger_point_state(mark) for mark in marks.trigger_points}
    # A class no trigger point has would only add noise.
    keys += [(label, spot(state)) for state, label in _TRIGGER_POINT_KEYS if state in used]
    if marks.referral_zones:
        keys.append(("Referred pain zone", swatch))
    return keys


def _legend_painter(marks: DiagramMarks, width: float) -> tuple[float, Paint]:
    """The legend's height, and how to draw it."""
    site_r, trigger_r = mark_radii(width)
    keys = _legend_keys(marks, site_r, trigger_r)
    columns, row = 2, 2 * trigger_r + 3
    height = math.ceil(len(keys) / columns) * row + 12
    note = "L, R: the patient's left and right. Numbers follow the trigger-point list."

    def paint(pen: Pen) -> None:
        for index, (label, symbol) in enumerate(keys):
            column, line = index % columns, index // columns
            x = 1 + column * width / columns + row / 2
            y = height - (line + 0.5) * row
            symbol(pen, x, y)
            pen.text(x + row / 2 + 3, y - 2.5, label, 7, False, INK, "start")
        pen.text(1, 2, note, 6.5, False, MUTED, "start")

    return height, paint
