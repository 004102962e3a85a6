"""Operations on area shapes: containment, GeoJSON for the web, geodesic size, same boundary."""

from __future__ import annotations

import pytest
from shapely.geometry import MultiPolygon, Polygon, box

from quartier.analysis.geo import (
    COORDINATE_DECIMALS,
    area_km2,
    containing,
    geojson_geometries,
    same_shape,
)


def test_a_child_drawn_across_its_parents_border_falls_in_the_parent_holding_most_of_it() -> None:
    west, east = box(7.0, 51.0, 7.1, 51.1), box(7.1, 51.0, 7.2, 51.1)
    # Reaches 0.001° into the west parent: its point on surface lies in the east one.
    child = box(7.099, 51.02, 7.15, 51.05)
    assert containing([west, east], [child, box(8, 52, 8.1, 52.1)]) == [1, -1]


def test_web_geometries_are_rounded_and_stay_multipolygons_when_simplified() -> None:
    shape = MultiPolygon([Polygon([(7.0, 51.0), (7.05, 51.0000001), (7.1, 51.0), (7.1, 51.1)])])
    plain, simplified = (
        geojson_geometries([shape])[0],
        geojson_geometries([shape], simplify_tolerance=0.001)[0],
    )
    assert plain["type"] == simplified["type"] == "MultiPolygon"
    ring = plain["coordinates"][0][0]
    assert all(round(x, COORDINATE_DECIMALS) == x for point in ring for x in point)
    assert len(simplified["coordinates"][0][0]) < len(ring)


def test_the_size_of_a_shape_is_geodesic() -> None:
    # A degree of latitude is about 111.2 km; a degree of longitude at 51° about 70.2 km.
    assert area_km2(box(7.0, 51.0, 8.0, 51.0 + 1 / 111.2)) == pytest.approx(70.2, rel=0.01)


def test_a_boundary_is_the_same_only_up_to_float_noise() -> None:
    shape = box(7.0, 51.0, 7.1, 51.1)
    assert same_shape(shape, box(7.0, 51.0, 7.1 + 1e-12, 51.1))
    assert not same_shape(shape, box(7.0, 51.0, 7.1 + 1e-6, 51.1))
    # The same area from another first vertex is another drawing of the boundary.
    assert not same_shape(shape, Polygon([(7.0, 51.0), (7.1, 51.0), (7.1, 51.1), (7.0, 51.1)]))
