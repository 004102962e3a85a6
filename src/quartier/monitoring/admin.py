"""Admin for observations: a look into the stored statistics, for checking imports."""

from __future__ import annotations

from django.contrib import admin

from quartier.monitoring.models import Observation


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["area", "period", "variable", "breakdown_key", "value", "flag"]
    list_filter = ["period"]
    search_fields = ["variable", "area__code"]
    list_select_related = ["area"]
    autocomplete_fields = ["area"]
    # Observation tables grow to millions of rows; counting them all on every page is too slow.
    show_full_result_count = False
