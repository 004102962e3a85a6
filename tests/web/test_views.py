"""The start page, its GeoJSON endpoint and the accessibility page, through Django's test client."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.test import Client

from tests.web.conftest import City

pytestmark = pytest.mark.django_db


def table_codes(html: str) -> list[str]:
    """The codes in the first column of the area table."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr>\s*<td>([^<]*)</td>", body)


def test_start_page_is_german_by_default(client: Client, city: City) -> None:
    response = client.get("/")
    html = response.content.decode()

    assert response.status_code == 200
    assert '<html lang="de">' in html
    assert "<title>quartier – Sozialplanung für Teststadt</title>" in html
    assert "Gebietsebene" in html
    assert 'href="#main"' in html
    assert '<main id="main"' in html


def test_start_page_shows_the_coarsest_level_with_several_areas(client: Client, city: City) -> None:
    html = client.get("/").content.decode()

    assert table_codes(html) == ["1", "2"]
    assert '<option value="stadtbezirk" selected>' in html
    assert 'data-geojson-url="/gebiete/stadtbezirk.geojson"' in html
    assert "2 Gebiete der Ebene „Stadtbezirk“, nach Kennziffer" in html


def test_level_form_selects_the_level_without_javascript(client: Client, city: City) -> None:
    html = client.get("/", {"level": "sozialraum"}).content.decode()

    assert table_codes(html) == ["11", "12", "21", "22"]
    assert "1 Nord" in html  # the parent column
    assert 'data-geojson-url="/gebiete/sozialraum.geojson"' in html
    assert "Sozialraum (4 Gebiete)" in html
    assert "Stadt (1 Gebiet)" in html


def test_an_unknown_level_on_the_start_page_is_not_found(client: Client, city: City) -> None:
    assert client.get("/", {"level": "ortsteil"}).status_code == 404


def test_browser_language_alone_does_not_switch_to_english(client: Client, city: City) -> None:
    html = client.get("/", headers={"accept-language": "en-US,en;q=0.9"}).content.decode()

    assert '<html lang="de">' in html
    assert "Zum Inhalt springen" in html


def test_start_page_in_english_when_chosen(client: Client, city: City) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get("/").content.decode()

    assert '<html lang="en">' in html
    assert "<title>quartier – social planning for Teststadt</title>" in html
    assert "Area level" in html
    assert "Skip to content" in html


def test_start_page_in_english_by_language_cookie(client: Client, city: City) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get("/", headers={"accept-language": "de"}).content.decode()

    assert '<html lang="en">' in html
    assert "2 areas of the level “Stadtbezirk”, by code" in html


def test_language_switch_sets_the_cookie_and_returns(client: Client, city: City) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/?level=sozialraum"})

    assert response.status_code == 302
    assert response["Location"] == "/?level=sozialraum"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Skip to content" in client.get(response["Location"]).content.decode()


def test_start_page_offers_the_language_switch(client: Client, city: City) -> None:
    html = client.get("/").content.decode()

    assert 'action="/i18n/setlang/"' in html
    assert 'value="en" lang="en">English</button>' in html
    assert 'value="de" lang="de" aria-current="true">Deutsch</button>' in html


def test_empty_database_shows_how_to_get_areas(client: Client, db: None) -> None:
    response = client.get("/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "Noch keine Gebiete importiert" in html
    assert "<code>quartier demo</code>" in html
    assert "<code>quartier import-areas</code>" in html
    assert "<title>quartier – Sozialplanung</title>" in html
    assert 'id="map"' not in html
    assert "leaflet.js" not in html


def test_empty_database_hint_in_english(client: Client, db: None) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/").content.decode()

    assert "No areas imported yet" in html


def test_real_data_carry_no_synthetic_label(client: Client, city: City) -> None:
    assert "Synthetische Demodaten" not in client.get("/").content.decode()


@pytest.mark.parametrize("url", ["/", "/barrierefreiheit/"])
def test_demo_data_are_labelled_synthetic_on_every_page(
    client: Client, demo_city: City, url: str
) -> None:
    html = client.get(url).content.decode()

    assert "<strong>Synthetische Demodaten</strong>" in html


def test_synthetic_label_in_english(client: Client, demo_city: City) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/").content.decode()

    assert "<strong>Synthetic demo data</strong>" in html


def test_geojson_endpoint_serves_the_areas_of_a_level(client: Client, city: City) -> None:
    response = client.get("/gebiete/sozialraum.geojson")
    data = json.loads(response.content)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert [f["properties"]["code"] for f in data["features"]] == ["11", "12", "21", "22"]
    assert data["features"][0]["properties"]["parent"] == "1"
    assert data["features"][0]["geometry"]["type"] == "MultiPolygon"


def test_geojson_endpoint_for_an_unknown_level_is_not_found(client: Client, city: City) -> None:
    assert client.get("/gebiete/ortsteil.geojson").status_code == 404


def test_geojson_endpoint_for_an_empty_level_is_an_empty_collection(
    client: Client, db: None
) -> None:
    from quartier.areas.models import AreaLevel

    AreaLevel.objects.create(key="stadt", name="Stadt", rank=0)

    data = client.get("/gebiete/stadt.geojson").json()

    assert data == {"type": "FeatureCollection", "features": []}


def test_geojson_endpoint_refuses_writes(client: Client, city: City) -> None:
    assert client.post("/gebiete/stadt.geojson").status_code == 405


def test_accessibility_page(client: Client, db: None) -> None:
    response = client.get("/barrierefreiheit/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "<h1>Erklärung zur Barrierefreiheit</h1>" in html
    assert "BITV 2.0" in html
    assert "Kontakt:" in html


def test_accessibility_page_in_english(client: Client, db: None) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/barrierefreiheit/").content.decode()

    assert "<h1>Accessibility statement</h1>" in html
    assert "BITV 2.0" in html


def test_footer_links_to_the_accessibility_page(client: Client, city: City) -> None:
    html = client.get("/").content.decode()

    assert '<footer class="site-footer">' in html
    assert '<a href="/barrierefreiheit/">Barrierefreiheit</a>' in html
