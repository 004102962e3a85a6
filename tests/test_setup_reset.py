"""`quartier reset`: after the demo, a city starts its own data on an empty database."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from quartier.areas.models import Area, AreaGeometry, AreaLevel
from quartier.monitoring.models import AktionsraumOverride, Computation, Observation, ResultPart
from quartier.monitoring.services import reset

pytestmark = pytest.mark.django_db
MODELS = (AreaLevel, Area, AreaGeometry, Observation, Computation, ResultPart, AktionsraumOverride)


@pytest.fixture
def city() -> None:
    """Two levels, three areas in a tree, and something of everything that hangs on them."""
    stadt = AreaLevel.objects.create(key="stadt", name="Stadt", rank=0)
    bezirk = AreaLevel.objects.create(key="stadtbezirk", name="Stadtbezirk", rank=1)
    top = Area.objects.create(level=stadt, code="0", name="Musterstadt (synthetisch)")
    for code in ("01", "02"):
        area = Area.objects.create(level=bezirk, code=code, name=f"Bezirk {code}", parent=top)
        AreaGeometry.objects.create(
            area=area, wkb=b"\x01", source_crs="EPSG:4326", valid_from=datetime.date(2020, 1, 1)
        )
        Observation.objects.create(area=area, period=2024, variable="einwohner", value=100)
    AktionsraumOverride.objects.create(area=area, year=2024, aktionsraum=True, justification="R")
    computation = Computation.objects.create(min_count=3, protection_width=3)
    ResultPart.objects.create(computation=computation, view="public", period=2024, rows=0, data=b"")
    User.objects.create_user("anna")


def counts() -> list[int]:
    return [model._default_manager.count() for model in MODELS]


def test_without_yes_it_says_what_it_would_delete(city: None) -> None:
    before = counts()
    with pytest.raises(CommandError) as raised:
        call_command("reset")
    assert str(raised.value) == (
        "this would delete 2 area levels, 3 areas, 2 area geometries, 2 observations, "
        "1 Aktionsraum decision, 1 computation, 1 stored result part; nothing was deleted: "
        "run `quartier reset --yes` to delete them"
    )
    assert counts() == before


def test_with_yes_everything_of_the_city_goes_and_the_users_stay(city: None) -> None:
    out = StringIO()
    call_command("reset", "--yes", stdout=out)
    assert out.getvalue() == (
        "Deleted 2 area levels, 3 areas, 2 area geometries, 2 observations, "
        "1 Aktionsraum decision, 1 computation, 1 stored result part. "
        "Start with `quartier levels`.\n"
    )
    assert counts() == [0] * len(MODELS)
    assert User.objects.filter(username="anna").exists()
    out = StringIO()
    call_command("reset", stdout=out)
    assert out.getvalue() == "Nothing to delete: there are no areas, observations or results.\n"


class Failing:
    """A model manager whose delete fails, after everything before it was deleted."""

    class _default_manager:  # noqa: N801 (stands in for a model's manager)
        @staticmethod
        def count() -> int:
            return 0

        @staticmethod
        def all() -> Any:
            return Failing._default_manager

        @staticmethod
        def delete() -> None:
            raise RuntimeError("disk full")


def test_a_failed_reset_deletes_nothing(city: None, monkeypatch: pytest.MonkeyPatch) -> None:
    before = counts()
    monkeypatch.setattr(reset, "DELETED", (*reset.DELETED, ("failing", Failing)))
    with pytest.raises(RuntimeError, match="disk full"):
        call_command("reset", "--yes")
    assert counts() == before


def test_after_a_reset_the_aktionsraeume_ask_for_levels(city: None) -> None:
    call_command("reset", "--yes", stdout=StringIO())
    with pytest.raises(
        CommandError, match=r"^no area levels yet: set them with `quartier levels`$"
    ):
        call_command("aktionsraeume", "--year", "2024")
