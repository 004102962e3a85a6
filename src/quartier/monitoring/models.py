"""Observations, the stored indicator results and their publication.

An observation is one value of one variable for one area and period, optionally broken down by
generic dimensions (age group, gender, nationality, ...). Counts are stored; rates are derived
by `quartier compute`, which stores its results and their publication as columnar parts.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from quartier.analysis.tables import parse_key
from quartier.areas.models import Area


class Flag(models.TextChoices):
    """The status of a published value, using the symbols of German official statistics."""

    OK = "", _("Wert vorhanden")
    SECRET = ".", _("geheim (.)")
    NOTHING = "-", _("nichts vorhanden (-)")
    NOT_APPLICABLE = "x", _("nicht sinnvoll (x)")


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
        return parse_key(self.breakdown_key)


class View(models.TextChoices):
    """The audience of stored results: the planners' or the public."""

    INTERNAL = "internal", _("intern")
    PUBLIC = "public", _("öffentlich")


class Computation(models.Model):
    """One run of `quartier compute`: when it ran, for which years, with which parameters.

    The latest computation made the stored publication; the internal parts of a year not
    recomputed since belong to an earlier one.
    """

    computed_at = models.DateTimeField(_("berechnet am"), auto_now_add=True)
    years = models.JSONField(_("neu berechnete Jahre"), default=list)
    published_years = models.JSONField(_("veröffentlichte Jahre"), default=list)
    min_count = models.PositiveSmallIntegerField(_("kleinste veröffentlichte Fallzahl"))
    protection_width = models.PositiveSmallIntegerField(_("Schutzbreite"))
    breakdown_levels = models.JSONField(
        _("Ebenen mit veröffentlichten Aufschlüsselungen"), default=list
    )
    value_count = models.PositiveIntegerField(_("Werte"), default=0)
    seconds = models.FloatField(_("Dauer (s)"), default=0.0)
    publish_seconds = models.FloatField(_("Dauer der Veröffentlichung (s)"), default=0.0)

    class Meta:
        ordering = ["-computed_at", "-pk"]
        verbose_name = _("Berechnung")
        verbose_name_plural = _("Berechnungen")

    def __str__(self) -> str:
        years = ", ".join(map(str, self.years))
        return f"{self.computed_at:%Y-%m-%d %H:%M} ({years})"


class ResultPart(models.Model):
    """The indicator results of one view and year as a Parquet file (zstd), all indicators.

    Results are read whole, by year, never queried row by row, so they are stored columnar:
    Musterstadt's 915,084 values are 36 internal parts (18 years, totals and breakdowns),
    written in about a second (as rows they took ten). Each Parquet file costs about a
    millisecond to write, whatever its size, so a part per indicator and year (450 per view)
    would cost a second more. Totals and breakdown cells are separate parts, so the usual read
    (totals only) skips the much larger breakdowns. Rows carry area codes and level keys as
    text, as the analysis core returns them.
    """

    computation = models.ForeignKey(Computation, on_delete=models.CASCADE, related_name="parts")
    view = models.CharField(_("Sicht"), max_length=8, choices=View.choices)
    period = models.PositiveSmallIntegerField(_("Jahr"))
    breakdowns = models.BooleanField(_("Gliederungen"), default=False)
    indicator_count = models.PositiveSmallIntegerField(_("Indikatoren"), default=0)
    rows = models.PositiveIntegerField(_("Zeilen"))
    data = models.BinaryField(_("Parquet"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["view", "period", "breakdowns"], name="resultpart_unique_part"
            )
        ]
        verbose_name = _("Ergebnisteil")
        verbose_name_plural = _("Ergebnisteile")

    def __str__(self) -> str:
        cells = "Gliederungen" if self.breakdowns else "Summen"
        return f"{self.view} {self.period} {cells}: {self.rows} Zeilen"


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
