"""Titles of the admin site; the models register themselves in their apps' admin modules."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("quartier – Verwaltung")
admin.site.site_title = _("quartier – Verwaltung")
admin.site.index_title = _("Daten und Einstellungen")
admin.site.site_url = "/"
