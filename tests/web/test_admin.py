"""The admin pages for areas and observations."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.test import Client
from shapely.geometry import MultiPolygon, box

from quartier.areas.admin import geometry_area_km2
from quartier.areas.models import AreaGeometry
from quartier.monitoring.models import Observation
from tests.web.conftest import City, square_wkb

pytestmark = pytest.mark.django_db


def test_geodesic_area_of_a_square_at_the_equator() -> None:
    # 0.01° of longitude is 1.11319 km at the equator, 0.01° of latitude 1.10574 km.
    wkb = bytes(MultiPolygon([box(0, 0, 0.01, 0.01)]).wkb)

    assert geometry_area_km2(wkb) == pytest.approx(1.11319 * 1.10574, rel=1e-4)


def test_area_changelist_lists_areas_with_level_and_parent(
    admin_client: Client, city: City
) -> None:
    response = admin_client.get("/admin/areas/area/", {"level__id__exact": city.sozialraum.pk})
    html = response.content.decode()

    assert response.status_code == 200
    assert re.findall(r'<td class="field-name">([^<]*)</td>', html) == [
        "Hafen",
        "Nordmarkt",
        "Hörde",
        "Phoenix-See",
    ]
    assert re.findall(r'<td class="field-parent nowrap">([^<]*)</td>', html) == [
        "1 Nord",
        "1 Nord",
        "2 Süd",
        "2 Süd",
    ]


def test_area_search_by_code(admin_client: Client, city: City) -> None:
    html = admin_client.get("/admin/areas/area/", {"q": "Phoenix"}).content.decode()

    assert re.findall(r'<td class="field-name">([^<]*)</td>', html) == ["Phoenix-See"]


def test_area_change_page_shows_geometry_versions_read_only(
    admin_client: Client, city: City
) -> None:
    hafen = city.sozialraeume[0]
    old = AreaGeometry.objects.get(area=hafen)
    old.valid_to = datetime.date(2020, 12, 31)
    old.save()
    AreaGeometry.objects.create(
        area=hafen,
        wkb=square_wkb(0, 1, cols=2),
        source_crs="EPSG:4326",
        valid_from=datetime.date(2021, 1, 1),
    )

    html = admin_client.get(f"/admin/areas/area/{hafen.pk}/change/").content.decode()

    assert "EPSG:25832" in html
    assert "EPSG:4326" in html
    # One cell of 0.01° x 0.01° at 51.5° N is about 0.77 km², the reformed area twice that.
    assert "0,77" in html
    assert "1,54" in html
    assert 'name="geometries-0-valid_from"' not in html  # read-only, no form fields


def test_area_level_changelist_counts_areas(admin_client: Client, city: City) -> None:
    html = admin_client.get("/admin/areas/arealevel/").content.decode()

    assert '<td class="field-area_count">4</td>' in html


def test_observation_changelist(admin_client: Client, city: City) -> None:
    Observation.objects.create(
        area=city.sozialraeume[1], period=2023, variable="einwohner", value=1234
    )
    Observation.objects.create(
        area=city.sozialraeume[2], period=2022, variable="einwohner", flag="."
    )

    response = admin_client.get("/admin/monitoring/observation/", {"period": "2023"})
    html = response.content.decode()

    assert response.status_code == 200
    assert "12 Nordmarkt" in html
    assert "21 Hörde" not in html


def test_observation_search_by_area_code(admin_client: Client, city: City) -> None:
    Observation.objects.create(area=city.sozialraeume[1], period=2023, variable="a", value=1)
    Observation.objects.create(area=city.sozialraeume[2], period=2023, variable="b", value=2)

    html = admin_client.get("/admin/monitoring/observation/", {"q": "21"}).content.decode()

    assert "21 Hörde" in html
    assert "12 Nordmarkt" not in html


def test_admin_site_is_titled_in_the_user_language(admin_client: Client) -> None:
    assert "quartier – Verwaltung" in admin_client.get("/admin/").content.decode()
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = admin_client.get("/admin/").content.decode()
    assert "quartier – administration" in english
