"""The area selectors: levels, counts, the city name and the GeoJSON for the map."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import shapely
from django.utils import timezone
from shapely.geometry import Point, shape

from quartier.areas.models import AreaGeometry
from quartier.areas.selectors import (
    area_city_name,
    area_count_by_level,
    area_current_shapes,
    area_data_is_synthetic,
    area_geojson,
    area_level_get,
    area_levels_list,
    area_list,
)
from tests.web.conftest import LONG_AGO, City, add_area, square_wkb

pytestmark = pytest.mark.django_db


def codes(collection: dict[str, Any]) -> list[str]:
    return [feature["properties"]["code"] for feature in collection["features"]]


def test_levels_are_listed_coarsest_first(city: City) -> None:
    assert [level.key for level in area_levels_list()] == ["stadt", "stadtbezirk", "sozialraum"]
    assert area_level_get(key="sozialraum") == city.sozialraum
    assert area_level_get(key="ortsteil") is None


def test_counts_per_level_include_empty_levels(city: City) -> None:
    city.sozialraeume[0].valid_to = timezone.localdate() - datetime.timedelta(days=1)
    city.sozialraeume[0].save()

    assert area_count_by_level() == {"stadt": 1, "stadtbezirk": 2, "sozialraum": 3}


def test_city_name_is_the_single_top_level_area(city: City) -> None:
    assert area_city_name() == "Teststadt"


def test_city_name_is_none_when_the_top_level_has_two_areas(city: City) -> None:
    add_area(city.stadt, "05914000", "Nachbarstadt", None)

    assert area_city_name() is None


def test_city_name_is_none_without_areas(db: None) -> None:
    assert area_city_name() is None


def test_synthetic_data_are_recognised_by_the_city_name(demo_city: City) -> None:
    assert area_data_is_synthetic() is True


def test_real_data_are_not_synthetic(city: City) -> None:
    assert area_data_is_synthetic() is False


def test_area_list_has_parents_without_extra_queries(
    city: City, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        areas = area_list(level="sozialraum")
        parents = [area.parent.code for area in areas if area.parent]

    assert [area.code for area in areas] == ["11", "12", "21", "22"]
    assert parents == ["1", "1", "2", "2"]


def test_current_shapes_carry_the_geometry_and_the_parent(city: City) -> None:
    shapes = area_current_shapes(level="sozialraum")

    assert [(s.code, s.name, s.level, s.parent_code) for s in shapes] == [
        ("11", "Hafen", "sozialraum", "1"),
        ("12", "Nordmarkt", "sozialraum", "1"),
        ("21", "Hörde", "sozialraum", "2"),
        ("22", "Phoenix-See", "sozialraum", "2"),
    ]
    assert shapes[3].parent_name == "Süd"
    assert shapes[3].geometry.geom_type == "MultiPolygon"
    assert shapes[3].geometry.bounds == pytest.approx((7.41, 51.50, 7.42, 51.51))


def test_geojson_has_one_feature_per_area_with_its_properties(city: City) -> None:
    collection = area_geojson(level="stadtbezirk")

    assert collection["type"] == "FeatureCollection"
    assert codes(collection) == ["1", "2"]
    assert collection["features"][1]["properties"] == {
        "code": "2",
        "name": "Süd",
        "level": "stadtbezirk",
        "parent": "05913000",
        "parent_name": "Teststadt",
    }
    geometry = shape(collection["features"][1]["geometry"])
    assert geometry.geom_type == "MultiPolygon"
    assert geometry.bounds == pytest.approx((7.40, 51.50, 7.42, 51.51))


def test_geojson_of_the_top_level_has_no_parent(city: City) -> None:
    properties = area_geojson(level="stadt")["features"][0]["properties"]

    assert properties["parent"] is None
    assert properties["parent_name"] is None


def test_geojson_is_one_query_whatever_the_number_of_areas(
    city: City, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        collection = area_geojson(level="sozialraum")

    assert len(collection["features"]) == 4


def test_geojson_serves_the_current_geometry_version_only(city: City) -> None:
    hafen = city.sozialraeume[0]
    old = AreaGeometry.objects.get(area=hafen)
    old.valid_to = datetime.date(2020, 12, 31)
    old.save()
    # After a boundary reform Hafen is two cells wide.
    AreaGeometry.objects.create(
        area=hafen,
        wkb=square_wkb(0, 1, cols=2),
        source_crs="EPSG:25832",
        valid_from=datetime.date(2021, 1, 1),
    )

    feature = area_geojson(level="sozialraum")["features"][0]

    assert feature["properties"]["code"] == "11"
    assert shape(feature["geometry"]).bounds == pytest.approx((7.40, 51.51, 7.42, 51.52))


def test_an_area_whose_only_geometry_has_ended_is_not_served(city: City) -> None:
    geometry = AreaGeometry.objects.get(area=city.sozialraeume[0])
    geometry.valid_to = timezone.localdate() - datetime.timedelta(days=1)
    geometry.save()

    assert codes(area_geojson(level="sozialraum")) == ["12", "21", "22"]


def test_a_geometry_version_starting_in_the_future_is_not_served_yet(city: City) -> None:
    today = timezone.localdate()
    current = AreaGeometry.objects.get(area=city.sozialraeume[0])
    current.valid_to = today + datetime.timedelta(days=30)
    current.save()
    AreaGeometry.objects.create(
        area=city.sozialraeume[0],
        wkb=square_wkb(5, 5),
        source_crs="EPSG:25832",
        valid_from=today + datetime.timedelta(days=31),
    )

    feature = area_geojson(level="sozialraum")["features"][0]
    later = area_geojson(level="sozialraum", on=today + datetime.timedelta(days=31))["features"][0]

    assert shape(feature["geometry"]).bounds == pytest.approx((7.40, 51.51, 7.41, 51.52))
    assert shape(later["geometry"]).bounds == pytest.approx((7.45, 51.55, 7.46, 51.56))


def test_an_area_that_has_ended_is_not_served(city: City) -> None:
    hoerde = city.sozialraeume[2]
    hoerde.valid_to = datetime.date(2019, 12, 31)
    hoerde.save()

    assert codes(area_geojson(level="sozialraum")) == ["11", "12", "22"]
    assert codes(area_geojson(level="sozialraum", on=datetime.date(2019, 6, 30))) == [
        "11",
        "12",
        "21",
        "22",
    ]


def test_an_area_without_geometry_is_left_out(city: City) -> None:
    add_area(city.sozialraum, "23", "Ohne Grenze", None, city.stadtbezirke[1])

    assert codes(area_geojson(level="sozialraum")) == ["11", "12", "21", "22"]


def test_an_unknown_level_gives_an_empty_collection(city: City) -> None:
    assert area_geojson(level="ortsteil") == {"type": "FeatureCollection", "features": []}


def test_coordinates_are_rounded_to_six_decimals(city: City) -> None:
    add_area(
        city.sozialraum,
        "31",
        "Rund",
        bytes(shapely.multipolygons([Point(7.4, 51.4).buffer(0.0123456789)]).wkb),
    )

    ring = area_geojson(level="sozialraum")["features"][-1]["geometry"]["coordinates"][0][0]

    assert all(round(value, 6) == value for point in ring for value in point)
    assert max(x for x, _ in ring) == pytest.approx(7.412346, abs=1e-9)


def test_simplification_keeps_the_shape_with_fewer_vertices(city: City) -> None:
    circle = Point(7.4, 51.4).buffer(0.01, quad_segs=64)
    add_area(city.sozialraum, "31", "Kreis", bytes(shapely.multipolygons([circle]).wkb))

    def circle_feature(collection: dict[str, Any]) -> dict[str, Any]:
        return next(f for f in collection["features"] if f["properties"]["code"] == "31")

    def ring(collection: dict[str, Any]) -> list[Any]:
        coordinates: list[Any] = circle_feature(collection)["geometry"]["coordinates"][0][0]
        return coordinates

    def feature_type(collection: dict[str, Any]) -> str:
        return str(circle_feature(collection)["geometry"]["type"])

    full = ring(area_geojson(level="sozialraum"))
    simplified = ring(area_geojson(level="sozialraum", simplify_tolerance=0.0005))

    assert (
        feature_type(area_geojson(level="sozialraum", simplify_tolerance=0.0005)) == "MultiPolygon"
    )
    assert len(full) == 257
    assert len(simplified) < 40
    assert shapely.Polygon(simplified).area == pytest.approx(circle.area, rel=0.05)


def test_valid_from_in_the_future_hides_an_area(city: City) -> None:
    future = timezone.localdate() + datetime.timedelta(days=1)
    area = add_area(city.sozialraum, "24", "Neubaugebiet", None, city.stadtbezirke[1])
    area.valid_from = future
    area.save()
    AreaGeometry.objects.create(
        area=area, wkb=square_wkb(3, 3), source_crs="EPSG:4326", valid_from=LONG_AGO
    )

    assert "24" not in codes(area_geojson(level="sozialraum"))
    assert "24" in codes(area_geojson(level="sozialraum", on=future))
