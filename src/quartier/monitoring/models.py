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


class IndicatorValue(models.Model):
    """A computed indicator for one area, year and breakdown cell, with its comparison figures.

    Results are unsuppressed (the internal view); public outputs pass disclosure control when
    they are read (see selectors).
    """

    indicator = models.CharField(_("Indikator"), max_length=100)
    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="indicator_values", db_constraint=False
    )
    period = models.PositiveSmallIntegerField(_("Jahr"))
    breakdown_key = models.CharField(_("Gliederung"), max_length=300, blank=True, default="")
    numerator = models.FloatField(_("Zähler"), null=True)
    denominator = models.FloatField(_("Nenner"), null=True)
    value = models.FloatField(_("Wert"), null=True)
    city_value = models.FloatField(_("Wert der Stadt"), null=True)
    diff_city = models.FloatField(_("Abstand zur Stadt"), null=True)
    ratio_city = models.FloatField(_("Verhältnis zur Stadt"), null=True)
    rank = models.PositiveIntegerField(_("Rang"), null=True)
    decile = models.PositiveSmallIntegerField(_("Dezil"), null=True)
    zscore = models.FloatField(_("z-Wert"), null=True)
    change_1 = models.FloatField(_("Veränderung zum Vorjahr"), null=True)
    change_n = models.FloatField(_("Veränderung über n Jahre"), null=True)
    missing_reason = models.CharField(_("Grund für fehlenden Wert"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "area", "breakdown_key"],
                name="indicatorvalue_unique_cell",
            )
        ]
        verbose_name = _("Indikatorwert")
        verbose_name_plural = _("Indikatorwerte")

    def __str__(self) -> str:
        return f"{self.indicator} {self.area_id} {self.period}: {self.value}"


class AktionsraumOverride(models.Model):
    """A planner's decision that overrides the computed Aktionsraum status, with its reason."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="aktionsraum_overrides")
    year = models.PositiveSmallIntegerField(_("Berichtsjahr"))
    aktionsraum = models.BooleanField(_("Aktionsraum"))
    justification = models.TextField(_("Begründung"))
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["area", "year"], name="override_one_per_area_year")
        ]
        verbose_name = _("Festlegung Aktionsraum")
        verbose_name_plural = _("Festlegungen Aktionsraum")

    def __str__(self) -> str:
        decision = "Aktionsraum" if self.aktionsraum else "kein Aktionsraum"
        return f"{self.area} {self.year}: {decision}"
