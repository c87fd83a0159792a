"""Where every mark of the body diagram goes: sites from the geometry, trigger points on their
muscles clear of the sites and of each other.

Every position comes from clinic.domain.geometry (normalised to a box twice as tall as wide, y
downward); this module only scales it into ReportLab's points (y upward) and places the marks.
Nothing here draws: clinic.reports.body_map does.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib.units import mm

from clinic.domain.body_diagram import DiagramMarks, SiteState, TriggerPointMark
from clinic.domain.geometry import (
    ASPECT_RATIO,
    MUSCLE_SHAPES,
    OUTLINES,
    SITE_POINTS,
    VIEWS,
    centroid,
    point_in_polygon,
)
from clinic.domain.geometry import Polygon as NormalisedPolygon
from clinic.domain.scales import Side
from clinic.domain.sites import SITE_BY_CODE

Point = tuple[float, float]

MIN_MARK_SIZE = 2.5 * mm  # smallest mark that still reads on a photocopied chart page
TITLE_BAND = 12.0  # points above the figures for "Front" / "Back"
_VIEW_GAP = 0.03  # share of the width between the two views
# A trigger point is larger than a site mark: it carries its number.
_TRIGGER_POINT_SCALE = 1.75
UNCLASSIFIED = "unclassified"
_MARK_GAP = 0.6  # points kept between a diamond and its neighbours: the white rims touch


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
        """Map every vertex of a normalised polygon to drawing points (the same polygon in the
        same box again: the points worked out before, for this process)."""
        key = (self, id(polygon))
        known = _PLACED.get(key)
        if known is not None and known[0] is polygon:
            return known[1]
        left, bottom, width, height = self.left, self.bottom, self.width, self.height
        placed = tuple((left + x * width, bottom + (1.0 - y) * height) for x, y in polygon)
        if len(_PLACED) >= _PLACED_LIMIT:
            _PLACED.clear()
        _PLACED[key] = (polygon, placed)
        return placed


# Static outlines placed in a box: geometry of the page width only, never of an exam. The
# polygon is kept with its points, so its id cannot be reused for another while it is known.
_PLACED: dict[tuple[ViewBox, int], tuple[NormalisedPolygon, tuple[Point, ...]]] = {}
_PLACED_LIMIT = 4096


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
    return mark.classification.value if mark.classification is not None else UNCLASSIFIED


def mark_radii(width: float) -> tuple[float, float]:
    """Return the radius of a site mark and of a trigger-point diamond on a diagram this wide."""
    site = max(MIN_MARK_SIZE / 2, 0.03 * _view_width(width))
    return site, site * _TRIGGER_POINT_SCALE


def _view_width(width: float) -> float:
    return width * (1 - _VIEW_GAP) / 2


def view_boxes(width: float) -> tuple[ViewBox, ...]:
    """The boxes of the front and back views, side by side across `width` points."""
    view_width = _view_width(width)
    return tuple(
        ViewBox(view, index * (width - view_width), 0.0, view_width)
        for index, view in enumerate(VIEWS)
    )


def diagram_layout(marks: DiagramMarks, width: float) -> DiagramLayout:
    """Place every site and trigger point of an exam on a diagram `width` points wide."""
    boxes = view_boxes(width)
    by_view = {box.view: box for box in boxes}
    site_radius, trigger_radius = mark_radii(width)
    sites = tuple(_place_site(by_view, mark.site_code, mark.state) for mark in marks.sites)
    site_spots = {view: tuple((s.x, s.y) for s in sites if s.view == view) for view in by_view}
    placed: list[PlacedTriggerPoint] = []
    for mark in marks.trigger_points:
        point = _place_trigger_point(by_view, mark, site_spots, placed, site_radius, trigger_radius)
        if point is not None:
            placed.append(point)
    return DiagramLayout(
        width=width,
        height=boxes[0].height + TITLE_BAND,
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
    site_spots: Mapping[str, tuple[Point, ...]],
    placed: Sequence[PlacedTriggerPoint],
    site_radius: float,
    radius: float,
) -> PlacedTriggerPoint | None:
    """Put a trigger point on its muscle, clear of the sites and earlier trigger points."""
    if mark.muscle_code is None or (mark.muscle_code, mark.side) not in MUSCLE_SHAPES:
        return None  # "other" muscles have no shape: the list names them instead
    view = MUSCLE_SHAPES[(mark.muscle_code, mark.side)][0]
    box = boxes[view]
    spots = _muscle_spots(mark.muscle_code, mark.side, box, site_radius / 2, radius)
    anchor = spots.anchor
    obstacles = _Obstacles(
        site_spots[view],
        tuple((t.x, t.y) for t in placed if t.view == view),
        site_radius,
        radius,
    )
    spot = _first_free(spots.nearest_first, obstacles)
    if spot is not None:
        return PlacedTriggerPoint(mark.number, trigger_point_state(mark), view, *spot, spot, False)
    # A mark pushed off its muscle still belongs on the body, unless the body is full there.
    spot = _first_free(spots.ring, obstacles, within=box.place_all(OUTLINES[view]))
    x, y = spot or _first_free(spots.ring, obstacles) or anchor
    # The leader ends on the part of the muscle nearest the mark that no site hides.
    uncovered = [p for p in spots.on_muscle if obstacles.clear_of_sites(p, 1.0)] or [anchor]
    end = min(uncovered, key=lambda p: math.hypot(p[0] - x, p[1] - y))
    return PlacedTriggerPoint(mark.number, trigger_point_state(mark), view, x, y, end, True)


@dataclass(frozen=True)
class _MuscleSpots:
    """A muscle's candidate spots in one view box: static geometry, never of an exam."""

    anchor: Point
    on_muscle: tuple[Point, ...]  # the anchor, then the grid points inside the muscle, by rows
    nearest_first: tuple[Point, ...]  # the same, nearest the anchor first
    ring: tuple[Point, ...]  # spots around the muscle for a mark it has no room for, nearest first


@lru_cache(maxsize=1024)
def _muscle_spots(
    muscle_code: str, side: Side, box: ViewBox, step: float, radius: float
) -> _MuscleSpots:
    """The spots a trigger point of this muscle may take, worked out once per process."""
    shape = MUSCLE_SHAPES[(muscle_code, side)][1]
    anchor = box.place(*centroid(shape))
    on_muscle = _on_muscle(anchor, box.place_all(shape), step)
    ring = _ring(anchor, radius, step, box, radius)
    return _MuscleSpots(
        anchor, tuple(on_muscle), _nearest_first(anchor, on_muscle), _nearest_first(anchor, ring)
    )


def _nearest_first(anchor: Point, spots: Sequence[Point]) -> tuple[Point, ...]:
    """The spots by their distance from the anchor, nearest first (ties in their order)."""
    ax, ay = anchor
    return tuple(sorted(spots, key=lambda p: (p[0] - ax) ** 2 + (p[1] - ay) ** 2))


def _in(point: Point, polygon: tuple[Point, ...]) -> bool:
    return point_in_polygon(point[0], point[1], polygon)


def _on_muscle(anchor: Point, polygon: tuple[Point, ...], step: float) -> list[Point]:
    """The anchor and the grid points `step` apart inside the muscle: its candidate spots."""
    spots = [anchor] if _in(anchor, polygon) else []
    spots += _grid_inside(polygon, step)
    return spots or [anchor]


def _grid_inside(polygon: tuple[Point, ...], step: float) -> list[Point]:
    """The grid points over the polygon's bounding box that lie inside it, row by row.

    The same even-odd rule as point_in_polygon, evaluated once per row: a point is inside when
    an odd number of the row's edge crossings lie to its right.
    """
    xs = [x for x, _ in polygon]
    ys = [y for _, y in polygon]
    left, bottom = min(xs), min(ys)
    columns = int((max(xs) - left) / step) + 1
    rows = int((max(ys) - bottom) / step) + 1
    edges = list(zip(polygon, polygon[-1:] + polygon[:-1], strict=True))
    inside: list[Point] = []
    for row in range(rows + 1):
        y = bottom + row * step
        crossings = sorted(
            (xj - xi) * (y - yi) / (yj - yi) + xi
            for (xi, yi), (xj, yj) in edges
            if (yi > y) != (yj > y)
        )
        if not crossings:
            continue
        for column in range(columns + 1):
            x = left + column * step
            if (len(crossings) - bisect_right(crossings, x)) % 2:
                inside.append((x, y))
    return inside


# The 24 directions, every 15 degrees, in which a mark pushed off its muscle may sit.
_DIRECTIONS = tuple(
    (math.cos(2 * math.pi * index / 24), math.sin(2 * math.pi * index / 24)) for index in range(24)
)


def _ring(anchor: Point, radius: float, step: float, box: ViewBox, margin: float) -> list[Point]:
    """Candidate spots around a muscle too small or too crowded to hold its mark."""
    ax, ay = anchor
    left, right = box.left + margin, box.left + box.width - margin
    bottom, top = box.bottom + margin, box.bottom + box.height - margin
    spots = []
    distance = radius
    while distance <= 5 * radius:
        for dx, dy in _DIRECTIONS:
            x, y = ax + distance * dx, ay + distance * dy
            if left <= x <= right and bottom <= y <= top:
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


def _first_free(
    candidates: Sequence[Point], obstacles: _Obstacles, within: tuple[Point, ...] | None = None
) -> Point | None:
    """Return the first candidate that clears every obstacle and lies within."""
    for x, y in candidates:
        if obstacles.clear(x, y) and (within is None or _in((x, y), within)):
            return x, y
    return None
