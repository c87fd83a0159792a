"""The tablet body map as SVG-ready numbers, from the same geometry the PDF diagram draws.

Each view is a 100 × 200 box (the geometry's 1:2 aspect); the back view sits 110 units to the
right of the front. The template only writes these numbers into SVG elements.
"""

from __future__ import annotations

from dataclasses import dataclass

from clinic.domain.body_areas import zone_label
from clinic.domain.body_diagram import DiagramMarks, SiteState
from clinic.domain.findings import ExamFindings
from clinic.domain.geometry import AREA_SHAPES, MUSCLE_SHAPES, OUTLINES, SITE_POINTS, VIEWS, Polygon
from clinic.domain.muscles import MUSCLE_BY_CODE
from clinic.domain.sites import SITE_BY_CODE
from clinic.domain.summary import tender_point_text

VIEW_WIDTH = 100.0
VIEW_HEIGHT = 200.0
VIEW_GAP = 10.0
OFFSETS = {view: index * (VIEW_WIDTH + VIEW_GAP) for index, view in enumerate(VIEWS)}
VIEW_BOX = f"0 0 {len(VIEWS) * VIEW_WIDTH + VIEW_GAP:g} {VIEW_HEIGHT + 6:g}"
# A tap counts for a site or shape within this many map units: about 48 CSS px across when the
# map is 700 px wide (3.3 px per unit). The site hit circles have this radius.
SITE_HIT_RADIUS = 7.0
SITE_MARK_RADIUS = 3.2


def _points(view: str, polygon: Polygon) -> str:
    offset = OFFSETS[view]
    return " ".join(f"{x * VIEW_WIDTH + offset:.2f},{y * VIEW_HEIGHT:.2f}" for x, y in polygon)


@dataclass(frozen=True)
class MapSite:
    """A tappable tender-point or control site."""

    code: str
    label: str
    x: float
    y: float
    state: str
    rating: int | None
    control: bool
    text: str


@dataclass(frozen=True)
class MapShape:
    """A tappable muscle or referral area."""

    code: str
    side: str
    label: str
    points: str
    marked: bool


@dataclass(frozen=True)
class BodyMap:
    """Everything the SVG needs."""

    view_box: str
    outlines: list[tuple[str, str, float]]
    sites: list[MapSite]
    muscles: list[MapShape]
    zones: list[MapShape]
    hit_radius: float = SITE_HIT_RADIUS


def body_map(findings: ExamFindings, marks: DiagramMarks) -> BodyMap:
    """The body map of an exam: site states, muscles with trigger points, shaded zones."""
    sites = []
    for mark in marks.sites:
        view, x, y = SITE_POINTS[mark.site_code]
        site = SITE_BY_CODE[mark.site_code]
        sites.append(
            MapSite(
                code=site.code,
                label=site.label,
                x=round(x * VIEW_WIDTH + OFFSETS[view], 2),
                y=round(y * VIEW_HEIGHT, 2),
                state=mark.state.value,
                rating=mark.rating if mark.state is not SiteState.NOT_RECORDED else None,
                control=site.control,
                text=tender_point_text(findings.tender_points.get(site.code)),
            )
        )
    with_points = {(m.muscle_code, m.side.value) for m in marks.trigger_points}
    muscles = [
        MapShape(
            code,
            side.value,
            f"{MUSCLE_BY_CODE[code].label}, {side.value}",
            _points(view, polygon),
            (code, side.value) in with_points,
        )
        for (code, side), (view, polygon) in MUSCLE_SHAPES.items()
    ]
    shaded = marks.referral_zones
    zones = [
        MapShape(zone, "", zone_label(zone), _points(view, polygon), zone in shaded)
        for zone, shapes in AREA_SHAPES.items()
        for view, polygon in shapes
    ]
    outlines = [
        (view, _points(view, OUTLINES[view]), OFFSETS[view] + VIEW_WIDTH / 2) for view in VIEWS
    ]
    return BodyMap(VIEW_BOX, outlines, sites, muscles, zones)
