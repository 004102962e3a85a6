"""Admin for the monitoring: stored statistics, computed indicators, Aktionsraum decisions."""

from __future__ import annotations

from django.contrib import admin

from quartier.monitoring.models import AktionsraumOverride, IndicatorValue, Observation


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["area", "period", "variable", "breakdown_key", "value", "flag"]
    list_filter = ["period"]
    search_fields = ["variable", "area__code"]
    list_select_related = ["area"]
    autocomplete_fields = ["area"]
    # Observation tables grow to millions of rows; counting them all on every page is too slow.
    show_full_result_count = False


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: values are computed by `quartier compute`, never edited by hand."""

    list_display = ["indicator", "area", "period", "value", "city_value", "rank", "change_1"]
    list_filter = ["period", "indicator"]
    search_fields = ["indicator", "area__code", "area__name"]
    list_select_related = ["area"]
    show_full_result_count = False

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(AktionsraumOverride)
class AktionsraumOverrideAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["area", "year", "aktionsraum", "justification", "created_at"]
    list_filter = ["year", "aktionsraum"]
    search_fields = ["area__code", "area__name", "justification"]
    autocomplete_fields = ["area"]
