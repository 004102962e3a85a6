"""A small city built directly in the database: 1 city, 2 Stadtbezirke, 4 Sozialräume.

The areas are squares of 0.01° (about 0.7 x 1.1 km) near Dortmund, so the numbers in the tests
can be worked out by hand.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass

import pytest
from django.test import Client
from shapely.geometry import MultiPolygon, box

from quartier.areas.models import Area, AreaGeometry, AreaLevel

# Playwright's sync API runs an event loop in the test thread; Django then refuses database
# access from that thread unless told it is safe, which it is for these single-threaded tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

X0, Y0 = 7.40, 51.50
STEP = 0.01
LONG_AGO = datetime.date(1900, 1, 1)


def square_wkb(col: int, row: int, cols: int = 1, rows: int = 1) -> bytes:
    """The WKB of a MultiPolygon covering `cols` x `rows` grid cells from cell (col, row)."""
    x, y = X0 + col * STEP, Y0 + row * STEP
    return bytes(MultiPolygon([box(x, y, x + cols * STEP, y + rows * STEP)]).wkb)


def add_area(
    level: AreaLevel,
    code: str,
    name: str,
    wkb: bytes | None,
    parent: Area | None = None,
) -> Area:
    area = Area.objects.create(level=level, code=code, name=name, parent=parent)
    if wkb is not None:
        AreaGeometry.objects.create(
            area=area, wkb=wkb, source_crs="EPSG:25832", valid_from=LONG_AGO
        )
    return area


@dataclass
class City:
    stadt: AreaLevel
    stadtbezirk: AreaLevel
    sozialraum: AreaLevel
    city: Area
    stadtbezirke: list[Area]
    sozialraeume: list[Area]


def build_city(name: str = "Teststadt") -> City:
    stadt = AreaLevel.objects.create(key="stadt", name="Stadt", rank=0)
    stadtbezirk = AreaLevel.objects.create(key="stadtbezirk", name="Stadtbezirk", rank=1)
    sozialraum = AreaLevel.objects.create(key="sozialraum", name="Sozialraum", rank=2)
    city = add_area(stadt, "05913000", name, square_wkb(0, 0, cols=2, rows=2))
    nord = add_area(stadtbezirk, "1", "Nord", square_wkb(0, 1, cols=2), city)
    sued = add_area(stadtbezirk, "2", "Süd", square_wkb(0, 0, cols=2), city)
    sozialraeume = [
        add_area(sozialraum, "11", "Hafen", square_wkb(0, 1), nord),
        add_area(sozialraum, "12", "Nordmarkt", square_wkb(1, 1), nord),
        add_area(sozialraum, "21", "Hörde", square_wkb(0, 0), sued),
        add_area(sozialraum, "22", "Phoenix-See", square_wkb(1, 0), sued),
    ]
    return City(stadt, stadtbezirk, sozialraum, city, [nord, sued], sozialraeume)


@pytest.fixture
def city(db: None) -> City:
    """Teststadt with 2 Stadtbezirke and 4 Sozialräume, all with one current geometry."""
    return build_city()


@pytest.fixture
def demo_city(db: None) -> City:
    """The same city, named like the generated demo data."""
    return build_city("Musterstadt (synthetisch)")


@pytest.fixture
def admin_client(administrator_client: Client) -> Client:
    """A client logged in as the admin persona (tests/conftest.py), a superuser."""
    return administrator_client
