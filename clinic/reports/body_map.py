"""The exam's body diagram for the PDF: front and back views with sites, trigger points and zones.

Every position comes from clinic.domain.geometry (normalised to a box twice as tall as wide, y
downward); this module only scales it into ReportLab's points (y upward) and draws. Marks keep a
printed size of at least 2.5 mm whatever the width, so the diagram is meant for about half a
portrait page (85-95 mm wide).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, String
from reportlab.lib.attrmap import AttrMap, AttrMapValue
from reportlab.lib.colors import Color, white
from reportlab.lib.units import mm
from reportlab.lib.validators import isString
from reportlab.platypus import Flowable

from clinic.domain.body_diagram import DiagramMarks, SiteState, TriggerPointMark
from clinic.domain.geometry import (
    AREA_SHAPES,
    ASPECT_RATIO,
    MUSCLE_SHAPES,
    OUTLINES,
    SITE_POINTS,
    VIEWS,
    centroid,
    point_in_polygon,
)
from clinic.domain.geometry import Polygon as NormalisedPolygon
from clinic.domain.scales import Side, TriggerPointClass
from clinic.domain.sites import SITE_BY_CODE
from clinic.reports.styles import (
    ACTIVE,
    FONT,
    FONT_BOLD,
    INK,
    LATENT,
    MUTED,
    PAINFUL,
    REFERRAL,
    RULE,
    SHADE,
    register_fonts,
)

Point = tuple[float, float]

MIN_MARK_SIZE = 2.5 * mm  # smallest mark that still reads on a photocopied chart page
VIEW_TITLES: Mapping[str, str] = MappingProxyType({"front": "Front", "back": "Back"})
_TITLE_BAND = 12.0  # points above the figures for "Front" / "Back"
_VIEW_GAP = 0.03  # share of the width between the two views
# A trigger point is larger than a site mark: it carries its number.
_TRIGGER_POINT_SCALE = 1.75
_UNCLASSIFIED = "unclassified"
_MARK_GAP = 0.6  # points kept between a diamond and its neighbours: the white rims touch
# Where the "L" and "R" letters sit in each box: level with the face, well clear of the figure.
_LETTER_INSET = 0.3
_LETTER_HEIGHT = 0.085


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


@dataclass(frozen=True)
class ViewBox:
    """Where one view's normalised box lies on the drawing, in points."""

    view: str
    left: float
    bottom: float
    width: float

    @property
    def height(self) -> float:
        """The box's height: the geometry's boxes are ASPECT_RATIO times as tall as wide."""
        return self.width * ASPECT_RATIO

    def place(self, x: float, y: float) -> Point:
        """Map a normalised point (y downward) to drawing points (y upward)."""
        return self.left + x * self.width, self.bottom + (1.0 - y) * self.height

    def place_all(self, polygon: NormalisedPolygon) -> tuple[Point, ...]:
        """Map every vertex of a normalised polygon to drawing points."""
        return tuple(self.place(x, y) for x, y in polygon)


@dataclass(frozen=True)
class PlacedSite:
    """A tender-point or control site at its place on the drawing."""

    code: str
    view: str
    state: SiteState
    control: bool
    x: float
    y: float


@dataclass(frozen=True)
class PlacedTriggerPoint:
    """A trigger point at its place on the drawing, and the spot on its muscle it marks."""

    number: int
    state: str
    view: str
    x: float
    y: float
    # The mark itself when it sits on its muscle; else where on the muscle its leader line ends.
    anchor: Point
    # True when no free spot was left on the muscle: a leader line then joins mark and muscle.
    leader: bool


@dataclass(frozen=True)
class DiagramLayout:
    """Every position of one diagram, computed before drawing so it can be checked."""

    width: float
    height: float
    boxes: tuple[ViewBox, ...]
    site_radius: float
    trigger_point_radius: float
    sites: tuple[PlacedSite, ...]
    trigger_points: tuple[PlacedTriggerPoint, ...]


def patient_left_on_viewer_right(view: str) -> bool:
    """Return whether the patient's left is drawn on the viewer's right in a view."""
    # Read from the geometry's own left-side sites, so the letters cannot disagree with the marks.
    xs = [
        x
        for code, (v, x, _y) in SITE_POINTS.items()
        if v == view and SITE_BY_CODE[code].side is Side.LEFT
    ]
    return sum(xs) / len(xs) > 0.5


def trigger_point_state(mark: TriggerPointMark) -> str:
    """Return how a trigger point is drawn: its classification, or unclassified."""
    return mark.classification.value if mark.classification is not None else _UNCLASSIFIED


def mark_radii(width: float) -> tuple[float, float]:
    """Return the radius of a site mark and of a trigger-point diamond on a diagram this wide."""
    site = max(MIN_MARK_SIZE / 2, 0.03 * _view_width(width))
    return site, site * _TRIGGER_POINT_SCALE


def _view_width(width: float) -> float:
    return width * (1 - _VIEW_GAP) / 2


def diagram_layout(marks: DiagramMarks, width: float) -> DiagramLayout:
    """Place every site and trigger point of an exam on a diagram `width` points wide."""
    view_width = _view_width(width)
    boxes = tuple(
        ViewBox(view, index * (width - view_width), 0.0, view_width)
        for index, view in enumerate(VIEWS)
    )
    by_view = {box.view: box for box in boxes}
    site_radius, trigger_radius = mark_radii(width)
    sites = tuple(_place_site(by_view, mark.site_code, mark.state) for mark in marks.sites)
    placed: list[PlacedTriggerPoint] = []
    for mark in marks.trigger_points:
        point = _place_trigger_point(by_view, mark, sites, placed, site_radius, trigger_radius)
        if point is not None:
            placed.append(point)
    return DiagramLayout(
        width=width,
        height=boxes[0].height + _TITLE_BAND,
        boxes=boxes,
        site_radius=site_radius,
        trigger_point_radius=trigger_radius,
        sites=sites,
        trigger_points=tuple(placed),
    )


def _place_site(boxes: Mapping[str, ViewBox], code: str, state: SiteState) -> PlacedSite:
    view, x, y = SITE_POINTS[code]
    px, py = boxes[view].place(x, y)
    return PlacedSite(code, view, state, SITE_BY_CODE[code].control, px, py)


def _place_trigger_point(
    boxes: Mapping[str, ViewBox],
    mark: TriggerPointMark,
    sites: Sequence[PlacedSite],
    placed: Sequence[PlacedTriggerPoint],
    site_radius: float,
    radius: float,
) -> PlacedTriggerPoint | None:
    """Put a trigger point on its muscle, clear of the sites and earlier trigger points."""
    if mark.muscle_code is None or (mark.muscle_code, mark.side) not in MUSCLE_SHAPES:
        return None  # "other" muscles have no shape: the list names them instead
    view, shape = MUSCLE_SHAPES[(mark.muscle_code, mark.side)]
    box = boxes[view]
    polygon = box.place_all(shape)
    anchor = box.place(*centroid(shape))
    obstacles = _Obstacles(
        tuple((s.x, s.y) for s in sites if s.view == view),
        tuple((t.x, t.y) for t in placed if t.view == view),
        site_radius,
        radius,
    )
    step = site_radius / 2
    on_muscle = [p for p in (anchor, *_grid(polygon, step)) if _in(p, polygon)] or [anchor]
    spot = _nearest_free(anchor, on_muscle, obstacles)
    if spot is not None:
        return PlacedTriggerPoint(mark.number, trigger_point_state(mark), view, *spot, spot, False)
    ring = _ring(anchor, radius, step, box, radius)
    # A mark pushed off its muscle still belongs on the body, unless the body is full there.
    spot = _nearest_free(anchor, ring, obstacles, within=box.place_all(OUTLINES[view]))
    x, y = spot or _nearest_free(anchor, ring, obstacles) or anchor
    # The leader ends on the part of the muscle nearest the mark that no site hides.
    uncovered = [p for p in on_muscle if obstacles.clear_of_sites(p, 1.0)] or [anchor]
    end = min(uncovered, key=lambda p: math.hypot(p[0] - x, p[1] - y))
    return PlacedTriggerPoint(mark.number, trigger_point_state(mark), view, x, y, end, True)


def _in(point: Point, polygon: tuple[Point, ...]) -> bool:
    return point_in_polygon(point[0], point[1], polygon)


def _grid(polygon: Sequence[Point], step: float) -> Iterator[Point]:
    xs = [x for x, _ in polygon]
    ys = [y for _, y in polygon]
    columns = int((max(xs) - min(xs)) / step) + 1
    rows = int((max(ys) - min(ys)) / step) + 1
    for row in range(rows + 1):
        for column in range(columns + 1):
            yield min(xs) + column * step, min(ys) + row * step


def _ring(anchor: Point, radius: float, step: float, box: ViewBox, margin: float) -> list[Point]:
    """Candidate spots around a muscle too small or too crowded to hold its mark."""
    spots = []
    distance = radius
    while distance <= 5 * radius:
        for index in range(24):
            angle = 2 * math.pi * index / 24
            x = anchor[0] + distance * math.cos(angle)
            y = anchor[1] + distance * math.sin(angle)
            if box.left + margin <= x <= box.left + box.width - margin and (
                box.bottom + margin <= y <= box.bottom + box.height - margin
            ):
                spots.append((x, y))
        distance += step
    return spots


@dataclass(frozen=True)
class _Obstacles:
    """The marks a new diamond must not cover: sites, and diamonds placed before it."""

    sites: tuple[Point, ...]
    diamonds: tuple[Point, ...]
    site_radius: float
    radius: float

    def clear_of_sites(self, point: Point, gap: float) -> bool:
        """Return whether a point lies outside every site mark, with a gap to spare."""
        reach = self.site_radius + gap
        return all(math.hypot(point[0] - sx, point[1] - sy) > reach for sx, sy in self.sites)

    def clear(self, x: float, y: float) -> bool:
        """Return whether a diamond centred here leaves every other mark uncovered."""
        # Exact shapes, not bounding circles: a diamond is |dx| + |dy| <= radius, so along its
        # diagonal edges it can come much closer to a site than its corners allow.
        reach = self.radius + self.site_radius + _MARK_GAP
        edge = self.radius + (self.site_radius + _MARK_GAP) * math.sqrt(2)
        for sx, sy in self.sites:
            dx, dy = abs(x - sx), abs(y - sy)
            if dx + dy < edge and math.hypot(dx, dy) < reach:
                return False
        # Two diamonds are squares turned 45°: apart when one rotated coordinate is far enough.
        apart = self.radius * math.sqrt(2) + _MARK_GAP
        return all(
            max(abs(x - ox + y - oy), abs(x - ox - y + oy)) / math.sqrt(2) >= apart
            for ox, oy in self.diamonds
        )


def _nearest_free(
    anchor: Point,
    candidates: Sequence[Point],
    obstacles: _Obstacles,
    within: tuple[Point, ...] | None = None,
) -> Point | None:
    """Return the candidate nearest the anchor that clears every obstacle and lies within."""
    ax, ay = anchor
    for x, y in sorted(candidates, key=lambda p: (p[0] - ax) ** 2 + (p[1] - ay) ** 2):
        if obstacles.clear(x, y) and (within is None or _in((x, y), within)):
            return x, y
    return None


def body_diagram(marks: DiagramMarks, width: float) -> Drawing:
    """Draw an exam's front and back views with its sites, trigger points and referral zones."""
    register_fonts()
    layout = diagram_layout(marks, width)
    drawing = Drawing(layout.width, layout.height)
    for box in layout.boxes:
        drawing.add(_figure(box))
    for zone in sorted(marks.referral_zones):
        for view, shape in AREA_SHAPES.get(zone, ()):
            box = next(b for b in layout.boxes if b.view == view)
            drawing.add(_polygon(box.place_all(shape), fill=REFERRAL, stroke=None))
    for site in layout.sites:
        mark = DiagramMark("control" if site.control else "site", site.state.value, site.code)
        mark.add(site_symbol(site.x, site.y, layout.site_radius, site.state, site.control))
        drawing.add(mark)
    for point in layout.trigger_points:
        if point.leader:  # over the sites: the muscle it points to may lie under one
            drawing.add(_leader(point))
    for point in layout.trigger_points:
        mark = DiagramMark("trigger_point", point.state, str(point.number))
        mark.add(
            trigger_point_symbol(
                point.x, point.y, layout.trigger_point_radius, point.state, str(point.number)
            )
        )
        drawing.add(mark)
    for box in layout.boxes:
        drawing.add(_labels(box, layout.height))
    return drawing


def _figure(box: ViewBox) -> Group:
    group = Group()
    group.add(_polygon(box.place_all(OUTLINES[box.view]), fill=SHADE, stroke=RULE, width=0.7))
    return group


def _text(
    x: float,
    y: float,
    value: str,
    size: float,
    *,
    bold: bool = False,
    colour: Color = INK,
    anchor: str = "start",
) -> String:
    font = FONT_BOLD if bold else FONT
    return String(x, y, value, fontName=font, fontSize=size, fillColor=colour, textAnchor=anchor)


def _labels(box: ViewBox, height: float) -> Group:
    """Title the view and letter the patient's sides on either side of the head."""
    group = Group()
    title = VIEW_TITLES.get(box.view, box.view.title())
    group.add(_text(box.left + box.width / 2, height - 9, title, 8, bold=True, anchor="middle"))
    left_letter, right_letter = ("R", "L") if patient_left_on_viewer_right(box.view) else ("L", "R")
    # Beside the head the box is empty, and the letters read as belonging to this figure.
    y = box.bottom + box.height * (1 - _LETTER_HEIGHT)
    for letter, x in ((left_letter, _LETTER_INSET), (right_letter, 1 - _LETTER_INSET)):
        x = box.left + x * box.width
        group.add(_text(x, y, letter, 8, bold=True, colour=MUTED, anchor="middle"))
    return group


def _leader(point: PlacedTriggerPoint) -> Group:
    (ax, ay), ink = point.anchor, {"strokeColor": INK, "strokeWidth": 0.6}
    return Group(Line(ax, ay, point.x, point.y, **ink), Circle(ax, ay, 1.2, fillColor=INK, **ink))


def _polygon(
    points: Sequence[Point],
    fill: Color | None,
    stroke: Color | None,
    width: float = 0.8,
    dash: Sequence[float] | None = None,
) -> Polygon:
    return Polygon(
        points=[c for point in points for c in point],
        fillColor=fill,
        strokeColor=stroke,
        strokeWidth=width,
        strokeDashArray=dash,
        strokeLineJoin=1,
    )


# A layer of a site mark: size as a share of the radius, fill, stroke, stroke width, dash.
_Layer = tuple[float, Color | None, Color | None, float, tuple[float, ...] | None]
# A white rim under each mark keeps neighbouring sites (the two occiput points) apart.
_RIM: _Layer = (1.25, white, None, 0, None)
_SITE_LAYERS: Mapping[SiteState, tuple[_Layer, ...]] = MappingProxyType(
    {
        SiteState.PAINFUL: (_RIM, (1.0, PAINFUL, PAINFUL, 0.8, None)),
        SiteState.NOT_PAINFUL: (_RIM, (1.0, white, INK, 1.0, None)),
        SiteState.NOT_EXAMINED: (_RIM, (1.0, white, RULE, 0.5, None)),
        SiteState.NOT_RECORDED: ((0.7, None, MUTED, 0.7, (0.8, 1.0)),),
    }
)


def site_symbol(x: float, y: float, radius: float, state: SiteState, control: bool) -> Group:
    """Draw a site: circles for the ACR sites, squares for controls; the fill says the state."""
    group = Group()
    for scale, fill, stroke, width, dash in _SITE_LAYERS[state]:
        size = radius * scale
        if control:
            half = size * 0.88  # a square of about the circle's area
            corners = ((-1, -1), (1, -1), (1, 1), (-1, 1))
            square = [(x + half * a, y + half * b) for a, b in corners]
            group.add(_polygon(square, fill, stroke, width, dash))
        else:
            group.add(
                Circle(
                    x,
                    y,
                    size,
                    fillColor=fill,
                    strokeColor=stroke,
                    strokeWidth=width,
                    strokeDashArray=dash,
                )
            )
    if state is SiteState.NOT_EXAMINED:
        arm = radius * 0.75
        for dy in (arm, -arm):
            group.add(Line(x - arm, y - dy, x + arm, y + dy, strokeColor=INK, strokeWidth=1.1))
    return group


def trigger_point_symbol(x: float, y: float, radius: float, state: str, number: str) -> Group:
    """Draw a numbered diamond: filled for active, outlined for latent, grey otherwise."""
    fill, stroke, ink, dash = {
        TriggerPointClass.ACTIVE.value: (ACTIVE, ACTIVE, white, None),
        TriggerPointClass.LATENT.value: (white, LATENT, LATENT, None),
        TriggerPointClass.NOT_TRIGGER_POINT.value: (white, MUTED, MUTED, (1.2, 1.0)),
    }.get(state, (MUTED, MUTED, white, None))
    group = Group()
    halo = radius + 1.2
    group.add(_polygon(((x, y + halo), (x + halo, y), (x, y - halo), (x - halo, y)), white, None))
    diamond = ((x, y + radius), (x + radius, y), (x, y - radius), (x - radius, y))
    group.add(_polygon(diamond, fill, stroke, 1.2, dash))
    size = radius * (0.95 if len(number) < 2 else 0.8)
    group.add(_text(x, y - size * 0.36, number, size, bold=True, colour=ink, anchor="middle"))
    return group


def diagram_legend(marks: DiagramMarks, width: float) -> Drawing:
    """Draw the key to the diagram's marks in two columns; trigger-point keys only when used."""
    register_fonts()
    site_r, trigger_r = mark_radii(width)
    items: list[tuple[Group, str]] = [
        (site_symbol(0, 0, site_r, state, False), label) for state, label in _SITE_KEYS
    ]
    items.append((site_symbol(0, 0, site_r, SiteState.NOT_PAINFUL, True), "Square: control site"))
    used = {trigger_point_state(mark) for mark in marks.trigger_points}
    for state, label in _TRIGGER_POINT_KEYS:
        if state in used:  # a class no trigger point has would only add noise
            items.append((trigger_point_symbol(0, 0, trigger_r, state, "1"), label))
    if marks.referral_zones:
        corners = ((-1, -1), (1, -1), (1, 1), (-1, 1))
        swatch = Group(_polygon([(trigger_r * a, site_r * b) for a, b in corners], REFERRAL, None))
        items.append((swatch, "Referred pain zone"))
    return _legend_drawing(items, width, row=2 * trigger_r + 3)


_SITE_KEYS: tuple[tuple[SiteState, str], ...] = (
    (SiteState.PAINFUL, "Painful"),
    (SiteState.NOT_PAINFUL, "Not painful"),
    (SiteState.NOT_EXAMINED, "Not examined"),
    (SiteState.NOT_RECORDED, "Not recorded"),
)
_TRIGGER_POINT_KEYS: tuple[tuple[str, str], ...] = (
    (TriggerPointClass.ACTIVE.value, "Active trigger point"),
    (TriggerPointClass.LATENT.value, "Latent trigger point"),
    (_UNCLASSIFIED, "Spot, not classified"),
    (TriggerPointClass.NOT_TRIGGER_POINT.value, "Not a trigger point"),
)


def _legend_drawing(items: Sequence[tuple[Group, str]], width: float, row: float) -> Drawing:
    columns = 2
    rows = math.ceil(len(items) / columns)
    note = "L, R: the patient's left and right. Numbers follow the trigger-point list."
    height = rows * row + 12
    drawing = Drawing(width, height)
    for index, (symbol, label) in enumerate(items):
        column, line = index % columns, index // columns
        x = 1 + column * width / columns + row / 2
        y = height - (line + 0.5) * row
        symbol.transform = (1, 0, 0, 1, x, y)
        drawing.add(symbol)
        drawing.add(_text(x + row / 2 + 3, y - 2.5, label, 7))
    drawing.add(_text(1, 2, note, 6.5, colour=MUTED))
    return drawing


def body_diagram_flowables(marks: DiagramMarks, width: float) -> list[Flowable]:
    """Return the diagram and its legend, ready to place in a story or a table cell."""
    return [body_diagram(marks, width), diagram_legend(marks, width)]
