"""The start page in a real Chromium: the map draws the areas, the level switch works in place,
and axe-core finds no WCAG 2.1 A/AA violations.

Debian's Chromium (/usr/bin/chromium) is driven through Playwright; Playwright's own browser
downloads are not used.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import require
from tests.web.conftest import build_city

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AREA_PATHS = "#map path.leaflet-interactive"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require(CHROMIUM.exists(), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="de-DE")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on(
        "response",
        lambda response: (
            errors.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    yield page
    context.close()
    assert errors == [], "the page reported JavaScript errors"


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """The WCAG 2.1 A/AA violations axe-core finds on the page, as (rule, nodes) summaries."""
    page.add_script_tag(path=AXE_SCRIPT)
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
    )
    return [
        {"rule": item["id"], "nodes": [node["target"] for node in item["nodes"]]}
        for item in results["violations"]
    ]


def test_map_draws_one_path_per_area_and_switches_levels(live_server: Any, page: Page) -> None:
    build_city()

    page.goto(live_server.url + "/")

    expect(page.locator(AREA_PATHS)).to_have_count(2)
    expect(page.locator(".area-table tbody tr")).to_have_count(2)

    page.select_option("#level", "sozialraum")

    expect(page.locator(AREA_PATHS)).to_have_count(4)
    expect(page.locator(".area-table tbody tr")).to_have_count(4)
    expect(page.locator("#map-status")).to_have_text("Sozialraum: 4 Gebiete angezeigt")
    assert page.url.endswith("/?level=sozialraum")
    assert page.locator(".language-switch input[name=next]").input_value() == "/?level=sozialraum"

    page.go_back()

    expect(page.locator(AREA_PATHS)).to_have_count(2)


def test_level_form_works_without_javascript(live_server: Any, browser: Browser) -> None:
    build_city()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()

    page.goto(live_server.url + "/")
    page.select_option("#level", "sozialraum")
    page.click("#level-form button[type=submit]")

    expect(page.locator(".area-table tbody tr")).to_have_count(4)
    assert page.url.endswith("/?level=sozialraum")
    context.close()


def test_areas_on_the_map_are_reachable_by_keyboard(live_server: Any, page: Page) -> None:
    build_city()
    page.goto(live_server.url + "/?level=sozialraum")
    first_area = page.locator(AREA_PATHS).first
    expect(first_area).to_have_attribute("aria-label", "11 Hafen")

    first_area.focus()

    expect(page.locator(".leaflet-tooltip")).to_have_text("11 Hafen")


def test_language_switch_shows_the_page_in_english(live_server: Any, page: Page) -> None:
    build_city()
    page.goto(live_server.url + "/")

    page.click("button[lang=en]")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("quartier – social planning for Teststadt")
    expect(page.locator(AREA_PATHS)).to_have_count(2)


@pytest.mark.parametrize("path", ["/", "/?level=sozialraum", "/barrierefreiheit/"])
def test_pages_have_no_wcag_violations(live_server: Any, page: Page, path: str) -> None:
    build_city("Musterstadt (synthetisch)")
    page.goto(live_server.url + path)
    if path.startswith("/?"):
        expect(page.locator(AREA_PATHS)).to_have_count(4)

    assert axe_violations(page) == []


def test_empty_start_page_has_no_wcag_violations(live_server: Any, page: Page) -> None:
    page.goto(live_server.url + "/")
    expect(page.locator("h1")).to_have_text("quartier – Sozialplanung")

    assert axe_violations(page) == []


def test_english_start_page_has_no_wcag_violations(live_server: Any, page: Page) -> None:
    build_city()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(live_server.url + "/")
    expect(page.locator(AREA_PATHS)).to_have_count(2)

    assert axe_violations(page) == []
