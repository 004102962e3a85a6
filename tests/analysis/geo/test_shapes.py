"""Operations on area shapes: containment, web GeoJSON, sizes and distances, dissolving."""

from __future__ import annotations

import pytest
from shapely.geometry import MultiPolygon, Polygon, box

from quartier.analysis.geo import (
    COORDINATE_DECIMALS,
    area_km2,
    bounds_text,
    containing,
    dissolve,
    geojson_geometries,
    outside_km,
    polygonal,
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


def cell(x0: float, y0: float, x1: float, y1: float) -> Polygon:
    """A box in hundredths of a degree near Köln (0.01° is about 700 m east-west)."""
    return box(7 + x0 / 100, 51 + y0 / 100, 7 + x1 / 100, 51 + y1 / 100)


def holes(shape: MultiPolygon) -> int:
    return sum(len(part.interiors) for part in shape.geoms)


def test_a_valid_coverage_dissolves_to_the_plain_union() -> None:
    groups = {"1": [cell(0, 0, 1, 1), cell(1, 0, 2, 1)], "2": [cell(2, 0, 3, 1)]}
    merged = dissolve(groups)
    assert list(merged) == ["1", "2"]
    assert merged["1"].equals(cell(0, 0, 2, 1))
    assert merged["2"].geom_type == "MultiPolygon"


def test_slivers_and_overlaps_between_neighbours_vanish_but_a_lake_stays() -> None:
    # Neighbours 0.2 m apart and 0.2 m overlapping, around a lake of about 700 x 1100 m.
    sliver = 0.0003  # hundredths of a degree: about 0.2 m
    frame = [
        cell(0, 0, 3, 1), cell(0, 2 + sliver, 3, 3), cell(0, 1, 1 - sliver, 2),
        cell(2 - sliver, 1, 3, 2),
    ]  # fmt: skip
    merged = dissolve({"west": frame[::2], "east": frame[1::2]})
    city = dissolve({"all": frame})["all"]
    assert len(city.geoms) == 1
    assert holes(city) == 1  # the lake
    assert area_km2(Polygon(city.geoms[0].interiors[0])) == pytest.approx(0.78, rel=0.01)
    assert merged["west"].intersection(merged["east"]).area == 0


def test_a_narrow_gap_closes_and_a_wide_one_stays() -> None:
    frame = [cell(0, 0, 3, 1), cell(0, 2, 3, 3), cell(0, 1, 1, 2), cell(2, 1, 3, 2)]
    narrow = cell(1.0005, 1.0005, 1.9995, 1.9995)  # about 0.5 m around it
    wide = cell(1.02, 1.02, 1.98, 1.98)  # about 15 m around it
    assert holes(dissolve({"1": [*frame, narrow]})["1"]) == 0
    assert holes(dissolve({"1": [*frame, wide]})["1"]) == 1
    assert holes(dissolve({"1": [*frame, wide]}, gap_m=30)["1"]) == 0


def test_the_same_shape_dissolves_to_the_same_vertices_however_it_was_drawn() -> None:
    drawn = cell(0, 0, 1, 1)
    corners = list(drawn.exterior.coords)
    again = Polygon((corners[2:-1] + corners[:3])[::-1])  # another first vertex, the other way
    assert again.equals(drawn)
    assert not same_shape(drawn, again)
    assert same_shape(dissolve({"1": [drawn]})["1"], dissolve({"1": [again]})["1"])


def test_an_empty_group_is_refused() -> None:
    with pytest.raises(ValueError, match="group '2' has no shapes"):
        dissolve({"1": [cell(0, 0, 1, 1)], "2": []})


def test_distances_outside_other_shapes_are_geodesic() -> None:
    city = [cell(0, 0, 10, 10)]
    # 0.1° east of the city at 51.05° N is about 7 km; the centroid lies 0.15° east.
    far = outside_km(city, [cell(1, 1, 2, 2), cell(20, 0, 30, 10)])
    assert far[0] == 0
    assert far[1] == pytest.approx(0.15 * 111.32 * 0.6293, rel=0.01)
    assert outside_km(city, []) == []


def test_a_bounding_box_for_people() -> None:
    assert bounds_text([cell(-10, 0, 1, 1), cell(5, 5, 16.2, 8.5)]) == (
        "6.90–7.16 °E, 51.00–51.09 °N"
    )


def test_polygonal_keeps_a_multipolygon_as_it_is() -> None:
    shape = MultiPolygon([box(1, 1, 2, 2), box(0, 0, 1, 1)])
    assert polygonal(shape) is shape
    assert polygonal(Polygon()) is None
