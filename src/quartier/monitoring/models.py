"""Observations: the tidy long records every statistic is stored as.

One row is one value of one variable for one area and period, optionally broken down by generic
dimensions (age group, gender, nationality, ...). Counts are stored; rates are derived later.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from quartier.areas.models import Area


class Flag(models.TextChoices):
    """The status of a published value, using the symbols of German official statistics."""

    OK = "", _("Wert vorhanden")
    SECRET = ".", _("geheim (.)")
    NOTHING = "-", _("nichts vorhanden (-)")
    NOT_APPLICABLE = "x", _("nicht sinnvoll (x)")


class Observation(models.Model):
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="observations")
    period = models.PositiveSmallIntegerField(_("Jahr"))
    variable = models.CharField(_("Variable"), max_length=200)
    # Canonical text of the breakdown ("age_group=0-5;gender=w"), "" for totals; it keeps the
    # unique key simple and portable across SQLite and PostgreSQL.
    breakdown_key = models.CharField(_("Gliederung"), max_length=300, blank=True, default="")
    breakdown = models.JSONField(_("Gliederungsmerkmale"), default=dict, blank=True)
    value = models.FloatField(_("Wert"), null=True, blank=True)
    flag = models.CharField(_("Kennzeichen"), max_length=1, choices=Flag.choices, blank=True)
    source = models.CharField(_("Quelle"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["area", "period", "variable", "breakdown_key"],
                name="observation_unique_cell",
            )
        ]
        indexes = [models.Index(fields=["variable", "period"], name="observation_var_period")]
        verbose_name = _("Beobachtung")
        verbose_name_plural = _("Beobachtungen")

    def __str__(self) -> str:
        shown = self.flag or self.value
        return f"{self.area.code} {self.period} {self.variable} {self.breakdown_key}: {shown}"
