"""Start afresh: delete the city's areas, observations and results, all in one transaction.

After the demo a city starts its own data with `quartier reset --yes`: the area levels, the
areas with their geometries, the observations, the computations with their stored results and
the planners' Aktionsraum decisions go; users, their roles and the settings stay.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models, transaction

from quartier.areas.models import Area, AreaGeometry, AreaLevel
from quartier.monitoring.models import AktionsraumOverride, Computation, Observation, ResultPart

# What a reset deletes, in the words a message uses (one, many), in the order of deletion
# (dependents first, so that no protected reference stands in the way).
DELETED: tuple[tuple[str, type[models.Model]], ...] = (
    ("stored result part(s)", ResultPart),
    ("computation(s)", Computation),
    ("Aktionsraum decision(s)", AktionsraumOverride),
    ("observation(s)", Observation),
    ("area geometr(y/ies)", AreaGeometry),
    ("area(s)", Area),
    ("area level(s)", AreaLevel),
)


@dataclass(frozen=True)
class ResetReport:
    """The number of rows a reset deletes (or deleted), by what they are."""

    counts: dict[str, int]

    @property
    def empty(self) -> bool:
        return not any(self.counts.values())

    def __str__(self) -> str:
        """`4 area levels, 222 areas, 1 computation, ...`: the areas first."""
        listed = [
            f"{count} {_word(label, count)}" for label, count in reversed(self.counts.items())
        ]
        return ", ".join(item for item in listed if not item.startswith("0 ")) or "nothing"


def _word(label: str, count: int) -> str:
    """`area(s)` -> `area` or `areas`; `geometr(y/ies)` -> `geometry` or `geometries`."""
    stem, _, ending = label.partition("(")
    one, _, many = ending.rstrip(")").rpartition("/")
    return stem + (one if count == 1 else many)


def city_reset_preview() -> ResetReport:
    """What `city_reset` would delete now; nothing is changed."""
    return ResetReport({label: model._default_manager.count() for label, model in DELETED})


def city_reset() -> ResetReport:
    """Delete every area level, area, observation, computation, result and decision.

    All or nothing: one transaction, so a failure leaves the database as it was.
    """
    with transaction.atomic():
        report = city_reset_preview()
        # Areas refer to their parents (protected); cut the tree first, then delete at once.
        Area.objects.exclude(parent=None).update(parent=None)
        for _label, model in DELETED:
            model._default_manager.all().delete()
    return report
