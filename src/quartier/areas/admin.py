"""Admin for the area hierarchy: levels, areas and their (read-only) geometry versions.

Geometries come from imports only (`quartier import-areas`), so the admin shows their validity
and size but does not edit them.
"""

from __future__ import annotations

import shapely
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from quartier.analysis.geo import area_km2
from quartier.areas.models import Area, AreaGeometry, AreaLevel


def geometry_area_km2(wkb: bytes | memoryview) -> float:
    """The area of a WKB (Multi)Polygon in EPSG:4326, in square kilometres."""
    return area_km2(shapely.from_wkb(bytes(wkb)))


@admin.register(AreaLevel)
class AreaLevelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["rank", "key", "name", "area_count"]
    list_display_links = ["key"]
    ordering = ["rank"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AreaLevel]:
        levels: QuerySet[AreaLevel] = super().get_queryset(request)
        return levels.annotate(area_count=Count("areas"))

    @admin.display(description=_("Gebiete"), ordering="area_count")
    def area_count(self, level: AreaLevel) -> int:
        return int(getattr(level, "area_count", 0))


class AreaGeometryInline(admin.TabularInline):  # type: ignore[type-arg]
    model = AreaGeometry
    fields = ("valid_from", "valid_to", "source_crs", "area_km2")
    readonly_fields = fields
    ordering = ["-valid_from"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Area | None = None) -> bool:
        return False

    @admin.display(description=_("Fläche (km²)"))
    def area_km2(self, geometry: AreaGeometry) -> str:
        return number_format(geometry_area_km2(geometry.wkb), decimal_pos=2)


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name", "level", "parent", "valid_from", "valid_to"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["level", "parent"]
    autocomplete_fields = ["parent"]
    inlines = [AreaGeometryInline]
