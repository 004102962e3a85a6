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


def breakdown_from_key(key: str) -> dict[str, str]:
    """Parse a breakdown key back into its dimensions."""
    if not key:
        return {}
    return dict(part.split("=", 1) for part in key.split(";"))


class Observation(models.Model):
    # No database-level constraint: checking a million rows one by one would dominate bulk
    # loads. The import service resolves every code to an existing area inside its transaction,
    # and PROTECT keeps areas with observations from being deleted through Django.
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="observations", db_constraint=False
    )
    period = models.PositiveSmallIntegerField(_("Jahr"))
    variable = models.CharField(_("Variable"), max_length=200)
    # The breakdown as canonical text, dimensions sorted ("age_group=0-5;gender=weiblich"), ""
    # for totals: one plain column keeps the unique key simple, portable and fast to bulk-load.
    breakdown_key = models.CharField(_("Gliederung"), max_length=300, blank=True, default="")
    value = models.FloatField(_("Wert"), null=True, blank=True)
    flag = models.CharField(_("Kennzeichen"), max_length=1, choices=Flag.choices, blank=True)
    source = models.CharField(_("Quelle"), max_length=300, blank=True)

    class Meta:
        constraints = [
            # Variable first: the monitoring reads one variable for all areas and years; the
            # area's own index serves the area profile. Two indexes keep bulk loads fast.
            models.UniqueConstraint(
                fields=["variable", "period", "area", "breakdown_key"],
                name="observation_unique_cell",
            )
        ]
        verbose_name = _("Beobachtung")
        verbose_name_plural = _("Beobachtungen")

    def __str__(self) -> str:
        shown = self.flag or self.value
        return f"{self.area.code} {self.period} {self.variable} {self.breakdown_key}: {shown}"

    @property
    def breakdown(self) -> dict[str, str]:
        """The breakdown dimensions, e.g. {"age_group": "0-5", "gender": "weiblich"}."""
        return breakdown_from_key(self.breakdown_key)
