"""`quartier demo --no-serve`: Musterstadt goes in through the users' import commands."""

from __future__ import annotations

import socket
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from quartier.areas.models import Area, AreaGeometry
from quartier.monitoring.models import Observation

pytestmark = pytest.mark.django_db


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def run_demo(folder: Path, stderr: StringIO | None = None) -> str:
    out = StringIO()
    call_command("demo", "--no-serve", "--dir", str(folder), stdout=out, stderr=stderr)
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
    # Once more, on a terminal: a progress bar shows the steps, the lines stay on stdout.
    terminal = Terminal()
    again = run_demo(tmp_path, stderr=terminal)
    shown = terminal.getvalue()
    assert "Musterstadt: importing " in shown
    assert "Musterstadt: storing the results" in shown
    assert Observation.objects.count() == count
    assert "97920 new or changed" not in again
    assert "0 new or changed, 97920 unchanged" in again


def test_a_bad_address_stops_before_the_load(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as raised:
        call_command("demo", "--addrport", "irgendwo:http", "--dir", str(tmp_path))
    assert str(raised.value) == (
        "--addrport 'irgendwo:http': give a port (8000) or HOST:PORT (127.0.0.1:8000)"
    )
    assert raised.value.returncode == 2
    assert list(tmp_path.iterdir()) == []


def test_a_port_in_use_stops_before_the_load(tmp_path: Path) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        with pytest.raises(CommandError) as raised:
            call_command("demo", "--addrport", f"127.0.0.1:{port}", "--dir", str(tmp_path))
    assert str(raised.value) == (
        f"--addrport 127.0.0.1:{port}: cannot serve there (in use); give another port, "
        f"e.g. --addrport 127.0.0.1:{port + 1} (make demo PORT={port + 1})"
    )
    assert list(tmp_path.iterdir()) == []
