"""Body-map geometry: inside the figure, on the right side, mirror-symmetric, on the right view."""

from __future__ import annotations

import pytest

from clinic.domain import body_map_shapes
from clinic.domain.body_areas import AREA_BY_CODE, ZONE_CODES, parse_zone
from clinic.domain.geometry import (
    AREA_SHAPES,
    MUSCLE_SHAPES,
    OUTLINES,
    SITE_POINTS,
    VIEWS,
    Polygon,
    centroid,
    mirror,
    point_in_polygon,
)
from clinic.domain.muscles import MUSCLES
from clinic.domain.scales import Side
from clinic.domain.sites import ACR_SITES, ALL_SITES, SITE_BY_CODE

SQUARE: Polygon = ((0.2, 0.2), (0.6, 0.2), (0.6, 0.6), (0.2, 0.6))


def _in_unit_box(polygon: Polygon) -> bool:
    return all(0.0 <= x <= 1.0 and 0.0 <= y <= 1.0 for x, y in polygon)


def _inside_figure(view: str, polygon: Polygon) -> bool:
    return all(point_in_polygon(x, y, OUTLINES[view]) for x, y in polygon)


def _viewer_half(view: str, side: Side) -> str:
    """Which half of the box the patient's side is drawn on: front mirrors, back does not."""
    if view == "front":
        return "right" if side is Side.LEFT else "left"
    return "left" if side is Side.LEFT else "right"


def _half_of(x: float) -> str:
    return "right" if x > 0.5 else "left"


def test_helpers() -> None:
    assert mirror(((0.25, 0.1), (0.5, 0.2))) == ((0.75, 0.1), (0.5, 0.2))
    assert point_in_polygon(0.4, 0.4, SQUARE)
    assert not point_in_polygon(0.7, 0.4, SQUARE)
    assert not point_in_polygon(0.4, 0.1, SQUARE)
    assert centroid(SQUARE) == pytest.approx((0.4, 0.4))
    assert centroid(tuple(reversed(SQUARE))) == pytest.approx((0.4, 0.4))
    with pytest.raises(ValueError, match="area"):
        centroid(((0.1, 0.1), (0.2, 0.2), (0.3, 0.3)))


def test_two_views_share_one_symmetric_outline() -> None:
    assert VIEWS == ("front", "back")
    assert set(OUTLINES) == set(VIEWS)
    for outline in OUTLINES.values():
        assert 60 <= len(outline) <= 120
        assert len(set(outline)) == len(outline)
        assert _in_unit_box(outline)
        assert set(mirror(outline)) == set(outline)
        ys = [y for _, y in outline]
        assert min(ys) < 0.05
        assert max(ys) > 0.95


def test_outline_is_a_figure_with_a_head_and_a_gap_between_arm_and_body() -> None:
    outline = OUTLINES["front"]
    assert point_in_polygon(0.5, 0.08, outline)  # head
    assert point_in_polygon(0.5, 0.16, outline)  # neck
    assert not point_in_polygon(0.6, 0.16, outline)  # beside the neck, above the shoulder
    assert not point_in_polygon(0.74, 0.42, outline)  # between the arm and the waist
    assert not point_in_polygon(0.5, 0.8, outline)  # between the legs


def test_every_site_has_one_point_inside_its_view() -> None:
    assert set(SITE_POINTS) == {s.code for s in ALL_SITES}
    for code, (view, x, y) in SITE_POINTS.items():
        assert view == SITE_BY_CODE[code].view
        assert point_in_polygon(x, y, OUTLINES[view]), code


def test_left_sites_are_on_the_viewer_right_in_front_and_left_in_back() -> None:
    for site in ALL_SITES:
        view, x, _ = SITE_POINTS[site.code]
        if site.side is Side.MIDLINE:
            assert x == 0.5
        else:
            assert _half_of(x) == _viewer_half(view, site.side), site.code
    assert SITE_POINTS["TP02L"][1] > 0.5  # front
    assert SITE_POINTS["TP01L"][1] < 0.5  # back


def test_site_pairs_are_mirror_images() -> None:
    for left, right in zip(ACR_SITES[::2], ACR_SITES[1::2], strict=True):
        lview, lx, ly = SITE_POINTS[left.code]
        rview, rx, ry = SITE_POINTS[right.code]
        assert (lview, ly) == (rview, ry)
        assert lx == pytest.approx(1 - rx)


def test_sites_are_in_head_to_toe_order() -> None:
    y = {s.name: SITE_POINTS[s.code][2] for s in ACR_SITES[::2]}
    order = ["Occiput", "Low cervical", "Trapezius", "Supraspinatus", "Lateral epicondyle"]
    assert [y[n] for n in order] == sorted(y[n] for n in order)
    assert y["Second rib"] < y["Lateral epicondyle"] < y["Gluteal"] < y["Greater trochanter"]
    assert y["Greater trochanter"] < y["Knee"]
    assert 0.68 < y["Knee"] < 0.72  # just above the knee joint line
    assert SITE_POINTS["CTRL_FOREHEAD"][2] < y["Occiput"]


def test_every_muscle_has_a_shape_on_each_side() -> None:
    expected = {(m.code, side) for m in MUSCLES for side in (Side.LEFT, Side.RIGHT)}
    assert set(MUSCLE_SHAPES) == expected
    views = {m.code: m.views[0] for m in MUSCLES}
    for (code, side), (view, polygon) in MUSCLE_SHAPES.items():
        assert view == views[code]
        assert len(polygon) >= 3
        assert _in_unit_box(polygon), code
        assert _inside_figure(view, polygon), code
        assert _half_of(centroid(polygon)[0]) == _viewer_half(view, side), code


def test_muscle_shapes_mirror_left_to_right() -> None:
    for muscle in MUSCLES:
        left_view, left = MUSCLE_SHAPES[(muscle.code, Side.LEFT)]
        right_view, right = MUSCLE_SHAPES[(muscle.code, Side.RIGHT)]
        assert left_view == right_view
        assert mirror(left) == right


def test_every_zone_has_shapes_on_the_area_views() -> None:
    assert set(AREA_SHAPES) == ZONE_CODES
    for zone, drawn in AREA_SHAPES.items():
        area, side = parse_zone(zone)
        assert tuple(view for view, _ in drawn) == area.views, zone
        for view, polygon in drawn:
            assert len(polygon) >= 3
            assert _in_unit_box(polygon), zone
            assert _inside_figure(view, polygon), zone
            x, _ = centroid(polygon)
            if side is Side.MIDLINE:
                assert x == pytest.approx(0.5), zone
                assert set(mirror(polygon)) == set(polygon), zone
            else:
                assert _half_of(x) == _viewer_half(view, side), zone


def test_area_shapes_mirror_left_to_right() -> None:
    for area in AREA_BY_CODE.values():
        if not area.paired:
            continue
        left = AREA_SHAPES[f"{area.code}_left"]
        right = AREA_SHAPES[f"{area.code}_right"]
        assert [(view, mirror(polygon)) for view, polygon in left] == list(right)


def test_shape_data_has_nothing_the_catalogues_lack() -> None:
    assert set(body_map_shapes.ACR_SITE_POINTS) == set(range(1, 10))
    assert set(body_map_shapes.CONTROL_SITE_POINTS) == {s.code for s in ALL_SITES if s.control}
    assert set(body_map_shapes.MUSCLE_SHAPES) == {m.code for m in MUSCLES}
    assert set(body_map_shapes.AREA_SHAPES) == set(AREA_BY_CODE)
    for x, _ in body_map_shapes.ACR_SITE_POINTS.values():
        assert x > 0.5  # written on the viewer's right half, mirrored by geometry
