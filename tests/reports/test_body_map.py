"""The body diagram: every mark from the geometry, on the right side, in bounds, and legible."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from io import BytesIO
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.graphics.shapes import Polygon
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from clinic.domain.body_diagram import (
    DiagramMarks,
    SiteMark,
    SiteState,
    TriggerPointMark,
    diagram_marks,
)
from clinic.domain.findings import ExamFindings, TenderPointInput
from clinic.domain.geometry import MUSCLE_SHAPES, centroid, point_in_polygon
from clinic.domain.muscles import OTHER_MUSCLE, typical_referral_zones
from clinic.domain.report_models import ClinicHeader
from clinic.domain.scales import PaperSize, Side, TriggerPointClass
from clinic.domain.scoring_trigger_points import score_trigger_points
from clinic.domain.sites import ACR_SITES, CONTROL_SITES, SITE_BY_CODE
from clinic.reports.body_map import (
    DiagramMark,
    PlacedTriggerPoint,
    body_diagram,
    body_diagram_flowables,
    diagram_layout,
    mark_radii,
    patient_left_on_viewer_right,
)
from clinic.reports.layout import PageHeader, render_parts
from clinic.reports.styles import MARGIN_LEFT, MARGIN_RIGHT, REFERRAL

# Half of the narrower (A4) text column, the space the exam summary gives the diagram.
WIDTH = (A4[0] - MARGIN_LEFT - MARGIN_RIGHT) / 2
PATIENT_LINE = "Łukasiewicz, Zoë · MRN A-000123 · born 1971-04-09"

ACTIVE = TriggerPointClass.ACTIVE
LATENT = TriggerPointClass.LATENT


def _trigger_point(
    number: int, muscle: str, side: Side, classification: TriggerPointClass | None
) -> TriggerPointMark:
    zones = typical_referral_zones(muscle, side)
    return TriggerPointMark(number, muscle, side, classification, zones)


def _exam_marks() -> DiagramMarks:
    """12 painful ACR sites, 4 not painful, 2 not examined; controls not painful; 7 spots."""
    states = [SiteState.PAINFUL] * 12 + [SiteState.NOT_PAINFUL] * 4 + [SiteState.NOT_EXAMINED] * 2
    sites = [
        SiteMark(site.code, state, None) for site, state in zip(ACR_SITES, states, strict=True)
    ]
    sites += [SiteMark(site.code, SiteState.NOT_PAINFUL, 0) for site in CONTROL_SITES]
    points = (
        _trigger_point(1, "upper_trapezius", Side.LEFT, ACTIVE),
        _trigger_point(2, "infraspinatus", Side.RIGHT, ACTIVE),
        _trigger_point(3, "gluteus_medius", Side.LEFT, LATENT),
        _trigger_point(4, "scm_sternal", Side.RIGHT, LATENT),
        _trigger_point(5, "levator_scapulae", Side.RIGHT, None),
        _trigger_point(6, "upper_trapezius", Side.LEFT, LATENT),  # a second spot, same muscle
        TriggerPointMark(7, OTHER_MUSCLE, Side.LEFT, ACTIVE, ()),
    )
    return DiagramMarks(tuple(sites), points)


def _marks_in(node: Any) -> Iterator[DiagramMark]:
    for child in getattr(node, "contents", ()):
        if isinstance(child, DiagramMark):
            yield child
        else:
            yield from _marks_in(child)


def _render(flowables: list[Any]) -> PdfReader:
    clinic = ClinicHeader("Tender Point Clinic", "1 Main St", "555 0100", PaperSize.A4, "UTC")
    pdf = render_parts(
        clinic,
        [(PageHeader("Exam summary", PATIENT_LINE), flowables)],
        datetime(2025, 2, 1, 9, 30, tzinfo=UTC),
        {"title": "Exam"},
    )
    return PdfReader(BytesIO(pdf))


def test_views_put_the_patients_left_where_the_geometry_does() -> None:
    assert patient_left_on_viewer_right("front")
    assert not patient_left_on_viewer_right("back")
    layout = diagram_layout(_exam_marks(), WIDTH)
    boxes = {box.view: box for box in layout.boxes}
    assert boxes["front"].left + boxes["front"].width <= boxes["back"].left
    for site in layout.sites:
        side = SITE_BY_CODE[site.code].side
        if side is Side.MIDLINE:
            continue
        box = boxes[site.view]
        on_viewer_right = site.x > box.left + box.width / 2
        assert on_viewer_right == ((side is Side.LEFT) == (site.view == "front")), site.code


def test_every_site_and_spot_on_a_known_muscle_is_marked_once_by_kind() -> None:
    drawing = body_diagram(_exam_marks(), WIDTH)
    kinds = Counter((mark.kind, mark.state) for mark in _marks_in(drawing))
    assert kinds == {
        ("site", "painful"): 12,
        ("site", "not_painful"): 4,
        ("site", "not_examined"): 2,
        ("control", "not_painful"): 4,
        ("trigger_point", "active"): 2,
        ("trigger_point", "latent"): 3,
        ("trigger_point", "unclassified"): 1,
    }
    numbers = {mark.code for mark in _marks_in(drawing) if mark.kind == "trigger_point"}
    assert numbers == {"1", "2", "3", "4", "5", "6"}  # 7 is in an "other" muscle: listed only


def test_every_mark_lies_inside_the_drawing() -> None:
    drawing = body_diagram(_exam_marks(), WIDTH)
    assert drawing.width == pytest.approx(WIDTH)
    marks = list(_marks_in(drawing))
    assert len(marks) == 28
    for mark in marks:
        x0, y0, x1, y1 = mark.getBounds()
        assert 0 <= x0 < x1 <= drawing.width, mark.code
        assert 0 <= y0 < y1 <= drawing.height, mark.code


def test_trigger_points_sit_on_their_muscle_clear_of_sites_and_each_other() -> None:
    marks = _exam_marks()
    layout = diagram_layout(marks, WIDTH)
    boxes = {box.view: box for box in layout.boxes}
    by_number = {mark.number: mark for mark in marks.trigger_points}
    site_r, spot_r = layout.site_radius, layout.trigger_point_radius
    for point in layout.trigger_points:
        mark = by_number[point.number]
        assert mark.muscle_code is not None
        view, shape = MUSCLE_SHAPES[(mark.muscle_code, mark.side)]
        polygon = boxes[view].place_all(shape)
        assert point.view == view
        assert point.leader or point_in_polygon(point.x, point.y, polygon), point.number
        for site in layout.sites:
            if site.view == view:  # no site circle reaches into the diamond
                assert _distance_to_diamond(site.x, site.y, point, spot_r) >= site_r, site.code
        for other in layout.trigger_points:
            if other.view == view and other.number != point.number:
                # Equal diamonds overlap only if a corner of one lies inside the other.
                for cx, cy in _corners(other, spot_r):
                    assert abs(cx - point.x) + abs(cy - point.y) >= spot_r - 1e-6


def _corners(point: PlacedTriggerPoint, radius: float) -> list[tuple[float, float]]:
    x, y = point.x, point.y
    return [(x, y + radius), (x + radius, y), (x, y - radius), (x - radius, y)]


def _distance_to_diamond(x: float, y: float, point: PlacedTriggerPoint, radius: float) -> float:
    corners = _corners(point, radius)
    if abs(x - point.x) + abs(y - point.y) <= radius:
        return 0.0
    distances = []
    for (ax, ay), (bx, by) in zip(corners, corners[1:] + corners[:1], strict=True):
        t = ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)
        t = min(1.0, max(0.0, t))
        distances.append(math.hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay))))
    return min(distances)


@pytest.mark.parametrize("page", [LETTER, A4], ids=["letter", "a4"])
def test_marks_stay_legible_at_half_a_page(page: tuple[float, float]) -> None:
    width = (page[0] - MARGIN_LEFT - MARGIN_RIGHT) / 2
    site_r, spot_r = mark_radii(width)
    assert 2 * site_r >= 2.5 * mm
    assert spot_r > site_r  # the diamond carries a number
    drawing = body_diagram(_exam_marks(), width)
    assert drawing.width <= width
    assert drawing.height < page[1] / 2  # leaves room for the findings beside and below


def test_referral_zones_are_shaded_under_the_marks() -> None:
    drawing = body_diagram(_exam_marks(), WIDTH)
    zones = [
        index
        for index, node in enumerate(drawing.contents)
        if isinstance(node, Polygon) and node.fillColor == REFERRAL
    ]
    first_mark = next(i for i, n in enumerate(drawing.contents) if isinstance(n, DiagramMark))
    assert zones
    assert max(zones) < first_mark
    assert not any(
        isinstance(n, Polygon) and n.fillColor == REFERRAL
        for n in body_diagram(DiagramMarks((), ()), WIDTH).contents
    )


def test_diagram_and_legend_print_on_one_page() -> None:
    reader = _render(body_diagram_flowables(_exam_marks(), WIDTH))
    assert len(reader.pages) == 1
    page = reader.pages[0].extract_text()
    for label in ("Front", "Back", "Painful", "Not painful", "Not examined", "Not recorded"):
        assert label in page
    for label in ("control site", "Active trigger point", "Latent trigger point"):
        assert label in page
    assert "Spot, not classified" in page
    assert "Not a trigger point" not in page  # no spot was judged not a trigger point
    assert "Painful not asked" not in page  # no site is so
    assert "Referred pain zone" in page
    assert PATIENT_LINE in page
    assert "Page 1 of 1" in page


def test_legend_without_trigger_points_keys_only_the_sites() -> None:
    sites = tuple(SiteMark(s.code, SiteState.NOT_RECORDED, None) for s in ACR_SITES)
    flowables = body_diagram_flowables(DiagramMarks(sites, ()), WIDTH)
    assert all(isinstance(f, Flowable) for f in flowables)
    page = _render(flowables).pages[0].extract_text()
    assert "Not recorded" in page
    assert "trigger point" not in page.replace("trigger-point list", "")
    assert "Referred pain zone" not in page


def test_a_site_examined_with_painful_not_asked_is_its_own_mark_not_not_painful() -> None:
    """A draft whose rating was tapped before "painful" was answered: the PDF shows what the
    tablet shows and the server stores, 'painful not asked', never 'not painful'."""
    findings = ExamFindings(
        tender_points={"TP01L": TenderPointInput("TP01L", examined=True, painful=None, rating=3)}
    )
    marks = diagram_marks(findings, score_trigger_points(()))
    (occiput,) = [mark for mark in marks.sites if mark.site_code == "TP01L"]
    assert occiput.state is SiteState.UNANSWERED

    drawn = {(m.kind, m.code): m.state for m in _marks_in(body_diagram(marks, WIDTH))}
    assert drawn[("site", "TP01L")] == "unanswered"
    page = _render(body_diagram_flowables(marks, WIDTH)).pages[0].extract_text()
    assert "Painful not asked" in page


def test_a_leader_line_ends_on_a_part_of_the_muscle_no_site_hides() -> None:
    layout = diagram_layout(_exam_marks(), WIDTH)
    (neck,) = [point for point in layout.trigger_points if point.number == 4]
    assert neck.leader  # both low cervical sites sit on sternocleidomastoid
    front = next(box for box in layout.boxes if box.view == "front")
    _view, shape = MUSCLE_SHAPES[("scm_sternal", Side.RIGHT)]
    assert point_in_polygon(*neck.anchor, front.place_all(shape))
    for site in layout.sites:
        assert math.dist((site.x, site.y), neck.anchor) > layout.site_radius


def test_a_crowded_muscle_falls_back_to_a_leader_line() -> None:
    crowded = [_trigger_point(n, "suboccipitals", Side.LEFT, ACTIVE) for n in range(1, 5)]
    points = (*crowded, _trigger_point(10, "masseter", Side.RIGHT, None))
    sites = tuple(SiteMark(s.code, SiteState.PAINFUL, 7) for s in ACR_SITES)
    layout = diagram_layout(DiagramMarks(sites, points), WIDTH)
    assert len(layout.trigger_points) == 5
    assert any(point.leader for point in layout.trigger_points)
    back = next(box for box in layout.boxes if box.view == "back")
    _view, shape = MUSCLE_SHAPES[("suboccipitals", Side.LEFT)]
    for point in layout.trigger_points:
        if point.leader and point.number < 10:  # the occiput site covers all of this muscle
            assert point.anchor == pytest.approx(back.place(*centroid(shape)))
    drawing = body_diagram(DiagramMarks(sites, points), WIDTH)
    for mark in _marks_in(drawing):
        x0, y0, x1, y1 = mark.getBounds()
        assert x0 >= 0
        assert y0 >= 0
        assert x1 <= drawing.width
        assert y1 <= drawing.height
