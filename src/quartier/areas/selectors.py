"""Reads of the area hierarchy: levels, the areas valid on a date, and GeoJSON for web maps.

"Valid on a date" means `valid_from <= date` and `valid_to` empty or not before the date, for
areas and for geometry versions alike; `valid_to` is the last day of validity.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import polars as pl
import shapely
from django.db import connection
from django.db.models import BinaryField, Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from quartier.analysis.geo import geojson_geometries
from quartier.areas.models import Area, AreaGeometry, AreaLevel

# 0.00005° is 3.5 m east-west and 5.6 m north-south at 51° N: invisible at city zoom, yet it
# shrinks the GeoJSON of detailed boundaries to about a third.
WEB_SIMPLIFY_TOLERANCE = 0.00005
# Marker in the name of the top-level area of generated demo data ("Musterstadt (synthetisch)").
SYNTHETIC_MARKER = "synthetisch"


def _today() -> datetime.date:
    return timezone.localdate()


def _valid_on(on: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}valid_from__lte": on}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": on})
    )


def area_levels_list() -> list[AreaLevel]:
    """All configured levels, coarsest first."""
    return list(AreaLevel.objects.order_by("rank"))


def area_levels_with_counts() -> list[tuple[AreaLevel, int]]:
    """All configured levels, coarsest first, each with its number of areas (ever imported)."""
    levels = AreaLevel.objects.annotate(area_count=Count("areas")).order_by("rank")
    return [(level, level.area_count) for level in levels]


def area_level_get(*, key: str) -> AreaLevel | None:
    """The level with this key, or None if there is none."""
    return AreaLevel.objects.filter(key=key).first()


def area_count_by_level(*, on: datetime.date | None = None) -> dict[str, int]:
    """Number of areas valid on `on` (default today) per level key; levels without areas give 0."""
    on = on or _today()
    levels = AreaLevel.objects.annotate(
        area_count=Count("areas", filter=_valid_on(on, prefix="areas__"))
    ).order_by("rank")
    return {level.key: level.area_count for level in levels}


def area_list(*, level: str, on: datetime.date | None = None) -> list[Area]:
    """The areas of a level valid on `on` (default today), by code, with level and parent."""
    on = on or _today()
    queryset = Area.objects.filter(_valid_on(on), level__key=level)
    return list(queryset.select_related("level", "parent").order_by("code"))


def area_city_name(*, on: datetime.date | None = None) -> str | None:
    """The name of the single area on the top level (the city), or None if it is not unique."""
    on = on or _today()
    top = Area.objects.filter(_valid_on(on)).order_by("level__rank").values("level_id").first()
    if top is None:
        return None
    names = list(
        Area.objects.filter(_valid_on(on), level_id=top["level_id"]).values_list("name", flat=True)[
            :2
        ]
    )
    return names[0] if len(names) == 1 else None


def area_data_is_synthetic() -> bool:
    """Whether the areas are generated demo data, judged by the top-level area's name."""
    top = AreaLevel.objects.order_by("rank").first()
    if top is None:
        return False
    return top.areas.filter(name__icontains=SYNTHETIC_MARKER).exists()


def _geometry_valid_on(on: datetime.date) -> QuerySet[AreaGeometry, Any]:
    return (
        AreaGeometry.objects.filter(_valid_on(on), area=OuterRef("pk"))
        .order_by("-valid_from")
        .values("wkb")[:1]
    )


@dataclass(frozen=True)
class AreaShape:
    """An area with the geometry version valid on the date asked for (EPSG:4326)."""

    code: str
    name: str
    level: str
    parent_code: str | None
    parent_name: str | None
    geometry: shapely.MultiPolygon


def area_current_shapes(*, level: str, on: datetime.date | None = None) -> list[AreaShape]:
    """The areas of a level valid on `on` (default today) with their geometry, by code.

    An area counts if it has a geometry version valid on that date; with several, the most
    recent `valid_from` wins. Areas without such a version are left out. One query, whatever
    the number of areas.
    """
    on = on or _today()
    rows = (
        Area.objects.filter(_valid_on(on), level__key=level)
        .annotate(geometry_wkb=Subquery(_geometry_valid_on(on), output_field=BinaryField()))
        .filter(geometry_wkb__isnull=False)
        .order_by("code")
        .values_list("code", "name", "level__key", "parent__code", "parent__name", "geometry_wkb")
    )
    return [
        AreaShape(code, name, level_key, parent_code, parent_name, shapely.from_wkb(bytes(wkb)))
        for code, name, level_key, parent_code, parent_name, wkb in rows
    ]


def area_geojson(
    *,
    level: str,
    simplify_tolerance: float | None = None,
    on: datetime.date | None = None,
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of `area_current_shapes(level=level, on=on)`.

    Properties are `code`, `name`, `level` (key), `parent` (code or null) and `parent_name`.
    Coordinates are WGS 84 (EPSG:4326), rounded to six decimals; `simplify_tolerance` (degrees)
    simplifies each polygon while keeping it valid, which suits web maps but not area
    computations.
    """
    shapes = area_current_shapes(level=level, on=on)
    geometries = geojson_geometries([shape.geometry for shape in shapes], simplify_tolerance)
    features = [
        {
            "type": "Feature",
            "id": shape.code,
            "properties": {
                "code": shape.code,
                "name": shape.name,
                "level": shape.level,
                "parent": shape.parent_code,
                "parent_name": shape.parent_name,
            },
            "geometry": geometry,
        }
        for shape, geometry in zip(shapes, geometries, strict=True)
    ]
    return {"type": "FeatureCollection", "features": features}


# The columns of `areas_frame`: what the analysis core knows of an area.
AREA_SCHEMA = {
    "code": pl.Utf8,
    "name": pl.Utf8,
    "level": pl.Utf8,
    "rank": pl.Int64,
    "parent": pl.Utf8,
}


def areas_frame() -> pl.DataFrame:
    """Every area with its level key, the level's rank (0 = the city) and its parent's code."""
    area, level = Area._meta.db_table, AreaLevel._meta.db_table
    sql = (
        f"SELECT a.code, a.name, l.key, l.rank, p.code FROM {area} a "
        f"JOIN {level} l ON l.id = a.level_id LEFT JOIN {area} p ON p.id = a.parent_id "
        "ORDER BY l.rank, a.code"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    return pl.DataFrame(rows, schema=AREA_SCHEMA, orient="row")
