"""Template tags shared by all pages of the web app."""

from __future__ import annotations

from django import template

from quartier.areas.selectors import area_data_is_synthetic

register = template.Library()


@register.simple_tag
def data_is_synthetic() -> bool:
    """Whether the page shows generated demo data, so every page can say so."""
    return area_data_is_synthetic()
