"""Body-map geometry, defined once for the tablet's SVG body map and the PDF's diagram.

Coordinates are normalised to each view's box: x and y run from 0 to 1, x to the right, y
downward, and the box is twice as tall as it is wide (width:height = 1:2). So a step of 0.1 in y
is twice as long on screen as a step of 0.1 in x; a renderer maps (x, y) to (x * W, y * 2W).
The figure stands in the anatomical position (palms forward, thumbs out), 0.02 to 0.985 tall.

Two views: "front", where the patient faces the viewer so the patient's left is on the viewer's
right (x > 0.5); and "back", where the patient's left is on the viewer's left (x < 0.5).
Everything paired is written once, on the viewer's right half, and mirrored (x -> 1 - x) onto the
side it belongs to, so left and right shapes are exact mirror images.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final

from clinic.domain import body_map_shapes as shapes
from clinic.domain.body_areas import BODY_AREAS, zone_code
from clinic.domain.muscles import MUSCLES
from clinic.domain.scales import Side
from clinic.domain.sites import ALL_SITES

Point = tuple[float, float]
Polygon = tuple[Point, ...]

FRONT: Final = "front"
BACK: Final = "back"
VIEWS: Final[tuple[str, str]] = (FRONT, BACK)
ASPECT_RATIO: Final = 2.0  # box height / box width


def mirror(points: Iterable[Point]) -> Polygon:
    """Return the points reflected across the vertical midline (x -> 1 - x)."""
    return tuple((round(1.0 - x, 6), y) for x, y in points)


def point_in_polygon(x: float, y: float, polygon: Polygon) -> bool:
    """Return whether (x, y) lies inside the polygon (even-odd ray casting)."""
    inside = False
    j = len(polygon) - 1
    for i, (xi, yi) in enumerate(polygon):
        xj, yj = polygon[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def centroid(polygon: Polygon) -> Point:
    """Return the area centroid of a simple polygon (where a label or tap target goes)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if area == 0:
        raise ValueError("a polygon needs a non-zero area")
    return cx / (3 * area), cy / (3 * area)


def _symmetric(half: Iterable[Point]) -> Polygon:
    """Close a shape drawn from a point on the midline, down its right side, to the midline."""
    right = tuple(half)
    return right + tuple(reversed(mirror(right[1:-1])))


def _on_side(view: str, side: Side, polygon: Polygon) -> Polygon:
    """Place a shape written on the viewer's right half onto the patient's side in a view."""
    viewer_right = Side.LEFT if view == FRONT else Side.RIGHT
    return polygon if side is viewer_right else mirror(polygon)


# The silhouette's right half (viewer's right), from the crown down the outside of the arm and
# leg, and back up the inside to the crotch. Proportions: 7.5 heads; 1 unit of x is about 91 cm
# on a 175 cm figure, 1 unit of y about 182 cm.
_OUTLINE_HALF: Final[Polygon] = (
    # Head: an ellipse centred at (0.5, 0.083), with the ear from y 0.075 to 0.108.
    (0.500, 0.020),
    (0.534, 0.026),
    (0.561, 0.042),
    (0.581, 0.076),
    (0.590, 0.079),
    (0.593, 0.092),
    (0.586, 0.107),
    (0.563, 0.125),
    (0.546, 0.136),
    # Neck and the slope of the trapezius to the shoulder.
    (0.546, 0.168),
    (0.590, 0.180),
    (0.690, 0.196),
    (0.722, 0.204),
    # Deltoid, then the outside of the arm, a little away from the body.
    (0.746, 0.222),
    (0.760, 0.255),
    (0.778, 0.310),
    (0.815, 0.380),
    (0.840, 0.430),
    (0.874, 0.505),
    # Hand, palm forward, thumb out.
    (0.888, 0.522),
    (0.906, 0.538),
    (0.916, 0.556),
    (0.912, 0.566),
    (0.899, 0.562),
    (0.902, 0.604),
    (0.892, 0.616),
    (0.870, 0.614),
    (0.850, 0.598),
    (0.836, 0.566),
    (0.822, 0.512),
    # Inside of the forearm and upper arm, up to the armpit.
    (0.805, 0.468),
    (0.782, 0.420),
    (0.762, 0.383),
    (0.722, 0.300),
    (0.700, 0.272),
    (0.678, 0.262),
    # Side of the chest, waist, hip.
    (0.672, 0.300),
    (0.652, 0.390),
    (0.664, 0.430),
    (0.684, 0.468),
    (0.692, 0.500),
    # Outside of the leg.
    (0.688, 0.535),
    (0.676, 0.585),
    (0.660, 0.645),
    (0.646, 0.700),
    (0.648, 0.775),
    (0.638, 0.825),
    (0.614, 0.885),
    (0.600, 0.930),
    # Foot, toes toward the viewer.
    (0.612, 0.976),
    (0.600, 0.986),
    (0.560, 0.986),
    (0.547, 0.976),
    (0.546, 0.930),
    # Inside of the leg, up to the crotch.
    (0.544, 0.875),
    (0.534, 0.805),
    (0.540, 0.722),
    (0.536, 0.680),
    (0.520, 0.600),
    (0.500, 0.535),
)

_OUTLINE: Final[Polygon] = _symmetric(_OUTLINE_HALF)

OUTLINES: Final[Mapping[str, Polygon]] = MappingProxyType({FRONT: _OUTLINE, BACK: _OUTLINE})


def _build_site_points() -> dict[str, tuple[str, float, float]]:
    points: dict[str, tuple[str, float, float]] = {}
    for site in ALL_SITES:
        if site.pair is not None:
            point = shapes.ACR_SITE_POINTS[site.pair]
        else:
            point = shapes.CONTROL_SITE_POINTS[site.code]
        if site.side is not Side.MIDLINE:
            (point,) = _on_side(site.view, site.side, (point,))
        points[site.code] = (site.view, *point)
    return points


def _build_muscle_shapes() -> dict[tuple[str, Side], tuple[str, Polygon]]:
    result: dict[tuple[str, Side], tuple[str, Polygon]] = {}
    for muscle in MUSCLES:
        view = muscle.views[0]  # one shape, on the view the muscle is palpated on
        for side in (Side.LEFT, Side.RIGHT):
            result[(muscle.code, side)] = (
                view,
                _on_side(view, side, shapes.MUSCLE_SHAPES[muscle.code]),
            )
    return result


def _build_area_shapes() -> dict[str, tuple[tuple[str, Polygon], ...]]:
    result: dict[str, tuple[tuple[str, Polygon], ...]] = {}
    for area in BODY_AREAS:
        polygon = shapes.AREA_SHAPES[area.code]
        if not area.paired:
            result[area.code] = tuple((view, _symmetric(polygon)) for view in area.views)
            continue
        for side in (Side.LEFT, Side.RIGHT):
            result[zone_code(area.code, side)] = tuple(
                (view, _on_side(view, side, polygon)) for view in area.views
            )
    return result


# Site code -> (view, x, y) of the point the examiner presses.
SITE_POINTS: Final[Mapping[str, tuple[str, float, float]]] = MappingProxyType(_build_site_points())

# (muscle code, side) -> (view, polygon) over the muscle where it is palpated.
MUSCLE_SHAPES: Final[Mapping[tuple[str, Side], tuple[str, Polygon]]] = MappingProxyType(
    _build_muscle_shapes()
)

# Side-qualified zone code -> one or more (view, polygon) shaded for a referral zone.
AREA_SHAPES: Final[Mapping[str, tuple[tuple[str, Polygon], ...]]] = MappingProxyType(
    _build_area_shapes()
)
