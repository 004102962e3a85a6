"""Public pages: the start page with the areas on a map, their GeoJSON, accessibility."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from quartier.areas.models import AreaLevel
from quartier.areas.selectors import (
    WEB_SIMPLIFY_TOLERANCE,
    area_city_name,
    area_count_by_level,
    area_geojson,
    area_level_get,
    area_levels_list,
    area_list,
)


def _default_level(levels: list[AreaLevel], counts: dict[str, int]) -> AreaLevel | None:
    """The coarsest level worth a map: more than one area, else the first with any area."""
    for level in levels:
        if counts.get(level.key, 0) > 1:
            return level
    return next((level for level in levels if counts.get(level.key, 0)), None)


@require_safe
def start(request: HttpRequest) -> HttpResponse:
    levels = area_levels_list()
    counts = area_count_by_level()
    requested = request.GET.get("level", "")
    if requested:
        selected = next((level for level in levels if level.key == requested), None)
        if selected is None:
            raise Http404("unknown area level")
    else:
        selected = _default_level(levels, counts)
    context = {
        "city_name": area_city_name(),
        "levels": [(level, counts.get(level.key, 0)) for level in levels],
        "selected_level": selected,
        "areas": area_list(level=selected.key) if selected else [],
        "has_areas": any(counts.values()),
    }
    return render(request, "web/start.html", context)


@require_safe
def area_geojson_view(request: HttpRequest, level: str) -> JsonResponse:
    if area_level_get(key=level) is None:
        raise Http404("unknown area level")
    data = area_geojson(level=level, simplify_tolerance=WEB_SIMPLIFY_TOLERANCE)
    response = JsonResponse(data, json_dumps_params={"separators": (",", ":")})
    response["Content-Type"] = "application/geo+json"
    return response


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accessibility.html")
