"""The city's area hierarchy (Gebietsgliederung): levels, areas and their geometry versions.

An area is an identity (level + stable code) that observations refer to. Its boundary lives in
`AreaGeometry` rows with validity dates, so that a boundary reform adds a version instead of
rewriting history: time series stay attached to the same area.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.Model):
    """One level of the hierarchy, e.g. stadtbezirk; `rank` 0 is the coarsest."""

    key = models.SlugField(_("Schlüssel"), max_length=50, unique=True)
    name = models.CharField(_("Bezeichnung"), max_length=100)
    rank = models.PositiveSmallIntegerField(_("Rang"), unique=True)

    class Meta:
        ordering = ["rank"]
        verbose_name = _("Gebietsebene")
        verbose_name_plural = _("Gebietsebenen")

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    """An area of one level: Stadtbezirk, Sozialraum, statistischer Bezirk, Planungsraum, ..."""

    level = models.ForeignKey(AreaLevel, on_delete=models.PROTECT, related_name="areas")
    code = models.CharField(_("Kennziffer"), max_length=50)
    name = models.CharField(_("Name"), max_length=200)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    valid_from = models.DateField(_("gültig ab"), default=datetime.date(1900, 1, 1))
    valid_to = models.DateField(_("gültig bis"), null=True, blank=True)

    class Meta:
        ordering = ["level__rank", "code"]
        constraints = [
            models.UniqueConstraint(fields=["level", "code"], name="area_unique_code_per_level")
        ]
        verbose_name = _("Gebiet")
        verbose_name_plural = _("Gebiete")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AreaGeometry(models.Model):
    """One version of an area's boundary: a MultiPolygon in EPSG:4326, stored as WKB."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="geometries")
    wkb = models.BinaryField(_("Geometrie (WKB, EPSG:4326)"))
    source_crs = models.CharField(_("Quell-Koordinatensystem"), max_length=50)
    valid_from = models.DateField(_("gültig ab"))
    valid_to = models.DateField(_("gültig bis"), null=True, blank=True)

    class Meta:
        ordering = ["area", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["area"],
                condition=models.Q(valid_to__isnull=True),
                name="areageometry_one_current_version",
            )
        ]
        verbose_name = _("Gebietsgeometrie")
        verbose_name_plural = _("Gebietsgeometrien")

    def __str__(self) -> str:
        end = self.valid_to.isoformat() if self.valid_to else "…"
        return f"{self.area.code}: {self.valid_from.isoformat()}–{end}"
