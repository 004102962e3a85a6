"""`quartier demo --no-serve`: Musterstadt goes in through the users' import commands."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Sum

from quartier.areas.models import Area, AreaGeometry
from quartier.monitoring.models import Observation

pytestmark = pytest.mark.django_db


def run_demo(folder: Path) -> str:
    out = StringIO()
    call_command("demo", "--no-serve", "--dir", str(folder), stdout=out)
    return out.getvalue()


def test_demo_loads_musterstadt_and_is_repeatable(tmp_path: Path) -> None:
    run_demo(tmp_path)
    per_level = {
        key: Area.objects.filter(level__key=key).count()
        for key in ("stadt", "stadtbezirk", "sozialraum", "statistischer_bezirk")
    }
    assert per_level == {
        "stadt": 1,
        "stadtbezirk": 12,
        "sozialraum": 39,
        "statistischer_bezirk": 170,
    }
    assert Area.objects.get(level__key="stadt").name == "Musterstadt (synthetisch)"
    assert AreaGeometry.objects.filter(valid_to__isnull=True).count() == 222
    # Every statistischer Bezirk hangs under a Sozialraum, every Sozialraum under a Stadtbezirk.
    assert not Area.objects.filter(level__rank__gt=0, parent__isnull=True).exists()
    years = sorted(Observation.objects.values_list("period", flat=True).distinct())
    assert years == list(range(2008, 2026))
    total_2020 = Observation.objects.filter(variable="einwohner", period=2020, breakdown_key="")
    by_breakdown = Observation.objects.filter(variable="einwohner", period=2020).exclude(
        breakdown_key=""
    )
    total = total_2020.aggregate(s=Sum("value"))["s"]
    assert 570_000 <= total <= 630_000
    assert by_breakdown.aggregate(s=Sum("value"))["s"] == total
    assert by_breakdown.first() is not None
    assert set(by_breakdown.first().breakdown) == {"age_group", "gender", "nationality"}
    count = Observation.objects.count()
    again = run_demo(tmp_path)
    assert Observation.objects.count() == count
    assert "97920 new or changed" not in again
    assert "0 new or changed, 97920 unchanged" in again
