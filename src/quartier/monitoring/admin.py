"""Admin for the monitoring: statistics, computations and their results, Aktionsraum decisions."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from quartier.monitoring.models import AktionsraumOverride, Computation, Observation, ResultPart


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["area", "period", "variable", "breakdown_key", "value", "flag"]
    list_filter = ["period"]
    search_fields = ["variable", "area__code"]
    list_select_related = ["area"]
    autocomplete_fields = ["area"]
    # Observation tables grow to millions of rows; counting them all on every page is too slow.
    show_full_result_count = False


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Written by `quartier compute` only, never edited by hand."""

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Computation)
class ComputationAdmin(ReadOnlyAdmin):
    list_display = [
        "computed_at",
        "years",
        "published_years",
        "min_count",
        "protection_width",
        "value_count",
        "seconds",
        "publish_seconds",
    ]


@admin.register(ResultPart)
class ResultPartAdmin(ReadOnlyAdmin):
    list_display = ["view", "period", "breakdowns", "indicator_count", "rows", "computation"]
    list_filter = ["view", "period", "breakdowns"]
    list_select_related = ["computation"]
    # The Parquet bytes are of no use on a page and would be loaded for every row.
    exclude = ["data"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ResultPart]:
        return super().get_queryset(request).defer("data")


@admin.register(AktionsraumOverride)
class AktionsraumOverrideAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["area", "year", "aktionsraum", "justification", "created_at"]
    list_filter = ["year", "aktionsraum"]
    search_fields = ["area__code", "area__name", "justification"]
    autocomplete_fields = ["area"]
