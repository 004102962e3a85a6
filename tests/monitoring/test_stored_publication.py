"""`quartier compute` stores results and their publication as Parquet parts; reads use them.

Teststadt (2 Stadtbezirke, 4 Sozialräume) has its population for 2020–2022, totals and by
gender. Hafen (11) has a single inhabitant: the public may never see that count.
"""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from quartier.analysis import disclosure
from quartier.analysis.disclosure import _publication
from quartier.areas.models import Area
from quartier.monitoring import writers
from quartier.monitoring.models import Computation, Observation, ResultPart
from quartier.monitoring.selectors import (
    RESULT_SCHEMA,
    computation_latest,
    indicator_values,
    result_years,
)
from quartier.monitoring.services import computation as service
from tests.web.conftest import City, build_city

pytestmark = pytest.mark.django_db

YEARS = (2020, 2021, 2022)
# Sozialraum -> (men, women) in 2020; every later year adds 10 women everywhere.
POPULATION = {"11": (1, 0), "12": (20, 20), "21": (25, 25), "22": (30, 30)}
KEY = ["indicator", "area", "level", "period", "breakdown_key"]


def add_population(area: Area, year: int, men: float, women: float) -> None:
    cells = {"": men + women, "gender=m": men, "gender=w": women}
    Observation.objects.bulk_create(
        Observation(area=area, period=year, variable="einwohner", breakdown_key=key, value=value)
        for key, value in cells.items()
    )


@pytest.fixture
def teststadt() -> City:
    city = build_city()
    for area in city.sozialraeume:
        men, women = POPULATION[area.code]
        for year in YEARS:
            add_population(area, year, men, women + 10 * (year - YEARS[0]))
    return city


def compute(*args: str) -> str:
    out = StringIO()
    call_command("compute", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def stored_parts() -> dict[tuple[str, int, bool], tuple[int, bytes]]:
    """Every stored part: (view, year, breakdowns) -> (computation, Parquet bytes)."""
    rows = ResultPart.objects.values_list("view", "period", "breakdowns", "computation_id", "data")
    return {(v, p, b): (c, bytes(data)) for v, p, b, c, data in rows}


def cell(frame: pl.DataFrame, **where: Any) -> dict[str, Any]:
    rows = frame.filter(**where)
    assert rows.height == 1, rows
    return rows.row(0, named=True)


def refuse(*args: Any, **kwargs: Any) -> pl.DataFrame:
    raise RuntimeError("the publication is being decided")


def test_compute_stores_both_views_and_the_computation(teststadt: City) -> None:
    out = compute()

    latest = computation_latest()
    assert latest is not None
    assert (latest.years, latest.published_years) == (list(YEARS), list(YEARS))
    assert (latest.min_count, latest.protection_width) == (3, 3)
    assert latest.value_count == indicator_values(view="internal", totals_only=False).height
    assert "min_count 3, protection width 3" in out
    assert result_years(view="public") == result_years(view="internal") == list(YEARS)
    # One part per view, year and kind of cell (totals, breakdowns), with every indicator
    # computed: einwohnerzahl and bevoelkerungsentwicklung (the only ones with their data).
    # The public view has the breakdown cells the publication returns (maybe none).
    internal = ResultPart.objects.filter(view="internal")
    assert internal.count() == len(YEARS) * 2
    totals = internal.get(period=2020, breakdowns=False)
    assert (totals.indicator_count, totals.rows) == (2, 2 * (1 + 2 + 4))
    assert totals.computation_id == latest.pk
    assert internal.get(period=2020, breakdowns=True).rows == 2 * (1 + 2 + 4) * 2
    public = ResultPart.objects.filter(view="public")
    assert public.filter(breakdowns=False).count() == len(YEARS)


def test_internal_view_has_the_values_and_the_public_view_hides_the_small_count(
    teststadt: City,
) -> None:
    compute()

    internal = indicator_values(view="internal", indicators=["einwohnerzahl"], years=[2020])
    public = indicator_values(view="public", indicators=["einwohnerzahl"], years=[2020])

    assert cell(internal, area="05913000")["value"] == 151
    assert cell(internal, area="11")["value"] == 1
    assert cell(internal, area="11")["flag"] == ""
    hafen = cell(public, area="11")
    assert (hafen["value"], hafen["numerator"], hafen["flag"]) == (None, None, ".")
    assert public.height == internal.height == 7
    assert public.schema["flag"] == internal.schema["flag"] == RESULT_SCHEMA["flag"]


def test_public_read_is_the_stored_publication_and_computes_nothing(
    teststadt: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    published: list[pl.DataFrame] = []
    real_publish: Callable[..., pl.DataFrame] = service.publish

    def recording(*args: Any, **kwargs: Any) -> pl.DataFrame:
        published.append(real_publish(*args, **kwargs))
        return published[-1]

    monkeypatch.setattr(service, "publish", recording)
    compute()
    for module in (service, disclosure, _publication):
        monkeypatch.setattr(module, "publish", refuse)
    monkeypatch.setattr(service, "compute_indicators", refuse)

    public = indicator_values(view="public", totals_only=False)

    expected = published[0].with_columns(
        pl.col(name).cast(dtype) for name, dtype in RESULT_SCHEMA.items()
    )
    assert public.columns == expected.columns
    assert public.sort(KEY).equals(expected.sort(KEY))


def test_reads_select_indicators_years_levels_and_cells(teststadt: City) -> None:
    compute()

    totals = indicator_values(view="public", indicators=["einwohnerzahl"], level="sozialraum")
    everything = indicator_values(view="internal", indicators=["einwohnerzahl"], totals_only=False)

    assert sorted(totals["area"].unique()) == ["11", "12", "21", "22"]
    assert sorted(totals["period"].unique()) == list(YEARS)
    assert set(totals["breakdown_key"]) == {""}
    assert set(everything["breakdown_key"]) == {"", "gender=m", "gender=w"}
    assert everything.height == 7 * 3 * len(YEARS)
    assert indicator_values(view="public", years=[1999]).columns == list(RESULT_SCHEMA)
    assert indicator_values(view="internal", indicators=[]).height == 0
    with pytest.raises(ValueError, match="view must be 'public' or 'internal'"):
        indicator_values(view="everyone")  # type: ignore[arg-type]


def test_a_failing_publication_leaves_the_previous_computation_intact(
    teststadt: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    compute()
    before, computations = stored_parts(), Computation.objects.count()
    Observation.objects.filter(period=2022, breakdown_key="").update(value=500)
    monkeypatch.setattr(service, "publish", refuse)

    with pytest.raises(RuntimeError, match="the publication is being decided"):
        compute()

    assert stored_parts() == before
    assert Computation.objects.count() == computations


def test_a_failing_write_rolls_back_the_whole_replacement(
    teststadt: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    compute()
    before, computations = stored_parts(), Computation.objects.count()
    # The old parts are deleted and the computation recorded before the new parts go in.
    monkeypatch.setattr(writers, "insert_parts", refuse)

    with pytest.raises(RuntimeError):
        compute()

    assert stored_parts() == before
    assert Computation.objects.count() == computations


def test_compute_one_year_keeps_the_other_years_and_publishes_all(teststadt: City) -> None:
    compute()
    first = computation_latest()
    before = stored_parts()
    hafen = Area.objects.get(code="11")
    # New data for 2022 and, not recomputed, for 2021.
    Observation.objects.filter(area=hafen, period__in=[2021, 2022]).delete()
    add_population(hafen, 2021, 7, 8)
    add_population(hafen, 2022, 40, 40)

    out = compute("--year", "2022")

    latest = computation_latest()
    assert first is not None
    assert latest is not None
    assert latest.pk != first.pk
    assert (latest.years, latest.published_years) == ([2022], list(YEARS))
    assert "2022: " in out
    after = stored_parts()
    assert after.keys() == before.keys()
    for (view, year, breakdowns), (made_by, data) in after.items():
        kept = view == "internal" and year != 2022
        assert (made_by == first.pk) == kept, (view, year, breakdowns)
        if kept:
            assert data == before[view, year, breakdowns][1]
    internal = indicator_values(view="internal", indicators=["einwohnerzahl"], years=[2021, 2022])
    assert cell(internal, area="11", period=2022)["value"] == 80
    assert cell(internal, area="11", period=2021)["value"] == 11  # as computed before
    public = indicator_values(view="public", indicators=["einwohnerzahl"], years=[2022])
    assert cell(public, area="11")["value"] == 80


def test_parts_are_stored_as_plain_bytes() -> None:
    """Parquet is compressed already: PostgreSQL must not compress it again (storage
    "external"); SQLite keeps it as a BLOB."""
    table = ResultPart._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT attstorage FROM pg_attribute WHERE attrelid = %s::regclass "
                "AND attname = 'data'",
                [table],
            )
            assert cursor.fetchone() == ("e",)
        else:
            cursor.execute(f"SELECT type FROM pragma_table_info('{table}') WHERE name = 'data'")
            assert cursor.fetchone() == ("BLOB",)


def test_admin_lists_computations_and_parts(teststadt: City, admin_client: Client) -> None:
    compute()

    parts = admin_client.get("/admin/monitoring/resultpart/", {"view__exact": "internal"})
    computations = admin_client.get("/admin/monitoring/computation/")

    assert parts.status_code == computations.status_code == 200
    assert parts.content.decode().count('<td class="field-rows">') == len(YEARS) * 2
    assert admin_client.get("/admin/monitoring/resultpart/add/").status_code == 403


def test_compute_takes_the_minimum_count_and_protection_width(teststadt: City) -> None:
    # Hörde holds 50 people in 2020: published with the default minimum count of 3, a small
    # count below a minimum count of 55.
    compute("--year", "2020")
    default = indicator_values(view="public", indicators=["einwohnerzahl"], years=[2020])
    assert cell(default, area="21")["value"] == 50

    out = compute("--year", "2020", "--min-count", "55", "--protection-width", "5")

    latest = computation_latest()
    assert latest is not None
    assert (latest.min_count, latest.protection_width) == (55, 5)
    assert "min_count 55, protection width 5" in out
    strict = indicator_values(view="public", indicators=["einwohnerzahl"], years=[2020])
    assert cell(strict, area="21")["flag"] == "."
    assert cell(strict, area="21")["value"] is None


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [("--min-count", "1", "--min-count 1: give 2 or more"), ("--protection-width", "0", "give 1")],
)
def test_compute_refuses_a_minimum_count_or_width_that_protects_nothing(
    teststadt: City, option: str, value: str, message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        compute(option, value)
    assert computation_latest() is None


def public_breakdown_levels() -> set[str]:
    public = indicator_values(view="public", indicators=["einwohnerzahl"], totals_only=False)
    return set(public.filter(pl.col("breakdown_key") != "")["level"].to_list())


def test_compute_publishes_breakdowns_on_the_city_and_the_level_below_by_default(
    teststadt: City,
) -> None:
    out = compute()

    latest = computation_latest()
    assert latest is not None
    assert latest.breakdown_levels == ["stadt", "stadtbezirk"]
    assert "breakdowns on stadt, stadtbezirk" in out
    assert public_breakdown_levels() == {"stadt", "stadtbezirk"}
    # The internal view keeps the breakdown cells of every level.
    internal = indicator_values(view="internal", indicators=["einwohnerzahl"], totals_only=False)
    assert set(internal.filter(pl.col("breakdown_key") != "")["level"]) == {
        "stadt",
        "stadtbezirk",
        "sozialraum",
    }


def test_compute_publishes_breakdowns_on_the_levels_asked_for(teststadt: City) -> None:
    compute("--breakdown-levels", "all")
    assert public_breakdown_levels() == {"stadt", "stadtbezirk", "sozialraum"}
    public = indicator_values(view="public", indicators=["einwohnerzahl"], totals_only=False)
    # Hafen's one man of 2020 is a small count, hidden with its complements.
    hafen = cell(public, area="11", period=2020, breakdown_key="gender=m")
    assert (hafen["value"], hafen["flag"]) == (None, ".")

    compute("--breakdown-levels", "sozialraum, stadt")
    latest = computation_latest()
    assert latest is not None
    assert latest.breakdown_levels == ["stadt", "sozialraum"]
    assert public_breakdown_levels() == {"stadt", "sozialraum"}

    compute("--no-breakdowns")
    assert public_breakdown_levels() == set()
    assert not ResultPart.objects.filter(view="public", breakdowns=True).exists()


def test_compute_refuses_an_unknown_breakdown_level_and_stores_nothing(teststadt: City) -> None:
    with pytest.raises(CommandError, match="breakdown level 'bezirk' is not a level"):
        compute("--breakdown-levels", "stadt,bezirk")
    assert computation_latest() is None


CITY_INDICATOR = """indicators:
  - key: menschen
    name_de: Menschen
    name_en: People
    domain: demografie
    kind: count
    unit: Anzahl
    decimals: 0
    numerator: einwohner
    polarity: neutral
    definition: Die Einwohnerinnen und Einwohner, unter dem Namen der Stadt.
    source: Einwohnermelderegister
"""


def test_compute_takes_the_city_indicators_of_the_setting(
    teststadt: City, tmp_path: Path, settings: Any
) -> None:
    catalogue = tmp_path / "stadt.yaml"
    catalogue.write_text(CITY_INDICATOR, encoding="utf-8")
    settings.QUARTIER_INDICATORS_FILE = catalogue

    compute("--year", "2020")

    values = indicator_values(view="internal", indicators=["menschen", "einwohnerzahl"])
    city = values.filter(area="05913000")
    assert dict(zip(city["indicator"], city["value"], strict=True)) == {
        "einwohnerzahl": 151,
        "menschen": 151,
    }
