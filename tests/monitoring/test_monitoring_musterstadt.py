"""The monitoring on Musterstadt: stored indicators and the Aktionsraum story of the generator."""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from quartier.analysis.musterstadt import read_manifest
from quartier.areas.models import Area, AreaLevel
from quartier.monitoring.models import AktionsraumOverride, Observation
from quartier.monitoring.selectors import indicator_values
from quartier.monitoring.services import computation

from .musterstadt import load_musterstadt

YEARS = ("2012", "2024")


@pytest.fixture(scope="module")
def musterstadt(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """Musterstadt loaded once for the module (and removed afterwards), indicators computed."""
    folder = tmp_path_factory.mktemp("musterstadt")
    with django_db_blocker.unblock():
        load_musterstadt(folder, YEARS)
        yield folder
        call_command("flush", interactive=False, verbosity=0)


def aktionsraeume(*args: str) -> str:
    out = StringIO()
    call_command("aktionsraeume", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_city_rate_is_computed_from_summed_counts(musterstadt: Path) -> None:
    def total(variable: str) -> float:
        rows = Observation.objects.filter(
            variable=variable,
            period=2024,
            breakdown_key="",
            area__level__key="statistischer_bezirk",
        )
        return float(rows.aggregate(s=Sum("value"))["s"])

    values = indicator_values(view="internal", indicators=["sgb2_quote"], years=[2024])
    city = values.filter(level="stadt").row(0, named=True)
    assert city["value"] == pytest.approx(100 * total("sgb2") / total("einwohner_u65"))
    sozialraeume = values.filter(level="sozialraum")
    sozialraum = sozialraeume.filter(area="1101").row(0, named=True)
    assert sozialraum["city_value"] == pytest.approx(city["value"])
    assert sozialraum["diff_city"] == pytest.approx(sozialraum["value"] - city["value"])
    assert sorted(sozialraeume["rank"]) == list(range(1, 40))


@pytest.mark.django_db
def test_aktionsraeume_find_the_planted_story(musterstadt: Path) -> None:
    story = read_manifest(musterstadt).story
    report = json.loads(aktionsraeume("--year", "2024", "--compare", "2012", "--format", "json"))
    assert report["year"] == 2024
    assert report["compare"] == 2012
    assert report["left"] == sorted(a.sozialraum for a in story.improving)
    assert report["entered"] == sorted(a.sozialraum for a in story.declining)
    assert report["level"] == {"key": "sozialraum", "name": "Sozialraum"}
    assert report["quartier_level"] == {
        "key": "statistischer_bezirk",
        "name": "Statistischer Bezirk",
    }
    aktionsquartiere = {(q["code"], q["within"]) for q in report["aktionsquartiere"]}
    for area in story.improving:
        assert (area.lagging_bezirk, area.sozialraum) in aktionsquartiere
    by_code = {a["code"]: a for a in report["areas"]}
    assert len(by_code) == 39
    assert set(report["stayed"]) == {c for c, a in by_code.items() if a["aktionsraum"]} - set(
        report["entered"]
    )
    assert all(len(a["domains_below"]) >= 3 for a in by_code.values() if a["aktionsraum"])
    assert all(a["override"] is None for a in by_code.values())


@pytest.mark.django_db
def test_override_is_shown_with_its_justification(musterstadt: Path) -> None:
    area = Area.objects.get(level__key="sozialraum", code="1101")
    AktionsraumOverride.objects.create(
        area=area, year=2024, aktionsraum=True, justification="Ratsbeschluss 2024/117"
    )
    report = json.loads(aktionsraeume("--year", "2024", "--compare", "2012", "--format", "json"))
    entry = next(a for a in report["areas"] if a["code"] == "1101")
    assert entry["aktionsraum"] is True
    assert entry["override"] == "Ratsbeschluss 2024/117"
    assert "1101" in report["stayed"]
    # An Aktionsraum by decision has no Aktionsquartiere of its own.
    assert all(q["within"] != "1101" for q in report["aktionsquartiere"])
    text = aktionsraeume("--year", "2024")
    assert "Festlegung: Ratsbeschluss 2024/117" in text


@pytest.mark.django_db
def test_text_and_csv_formats(musterstadt: Path) -> None:
    text = aktionsraeume("--year", "2024", "--compare", "2012")
    assert text.splitlines()[0] == (
        "Aktionsräume 2024: Ebene Sozialraum, verglichen mit der ganzen Stadt"
    )
    assert "Aktionsquartiere (Ebene Statistischer Bezirk): " in text
    assert "110103 Hammerhof (1101)" in text
    assert "neu seit 2012: 0503, 0603" in text
    rows = aktionsraeume("--year", "2024", "--format", "csv").splitlines()
    assert rows[0] == ("kind,level,code,name,within,domains_below,aktionsraum,override,change")
    assert sum(1 for r in rows if r.startswith("area,sozialraum,")) == 39
    assert "aktionsquartier,statistischer_bezirk,110103,Hammerhof,1101,,,," in rows


BELOW_AVERAGE = """{name}:
  method: below-average
  min_domains: {min_domains}
  domain_share: 0.5
  aktionsraum_level: sozialraum
  aktionsquartier_level: statistischer_bezirk
"""


def selected(report: dict[str, Any]) -> set[str]:
    return {area["code"] for area in report["areas"] if area["aktionsraum"]}


@pytest.mark.django_db
def test_the_methods_file_of_the_setting_decides_the_selection(
    musterstadt: Path, tmp_path: Path, settings: Any
) -> None:
    shipped = json.loads(aktionsraeume("--year", "2024", "--format", "json"))
    methods = tmp_path / "methods.yaml"
    methods.write_text(BELOW_AVERAGE.format(name="below-average", min_domains=1), "utf-8")
    settings.QUARTIER_METHODS_FILE = methods

    lenient = json.loads(aktionsraeume("--year", "2024", "--format", "json"))

    assert selected(shipped) < selected(lenient)


@pytest.mark.django_db
def test_a_methods_file_without_the_method_is_a_clear_error(
    musterstadt: Path, tmp_path: Path, settings: Any
) -> None:
    methods = tmp_path / "methods.yaml"
    methods.write_text(BELOW_AVERAGE.format(name="streng", min_domains=4), "utf-8")
    settings.QUARTIER_METHODS_FILE = methods

    with pytest.raises(CommandError) as raised:
        aktionsraeume("--year", "2024")

    assert str(raised.value) == (
        "methods.yaml: no method 'below-average'; the methods are streng (QUARTIER_METHODS_FILE)"
    )


@pytest.mark.django_db
def test_a_year_without_values_is_a_clear_error(musterstadt: Path) -> None:
    with pytest.raises(CommandError) as raised:
        aktionsraeume("--year", "2013")
    assert str(raised.value) == (
        "no indicator values for 2013 (stored: 2012, 2024); import its data and run "
        "`quartier compute --year 2013`"
    )


@pytest.mark.django_db
def test_the_aktionsraeume_of_another_level(musterstadt: Path) -> None:
    report = json.loads(
        aktionsraeume("--year", "2024", "--level", "stadtbezirk", "--format", "json")
    )
    assert report["level"] == {"key": "stadtbezirk", "name": "Stadtbezirk"}
    assert len(report["areas"]) == 12
    names = dict(Area.objects.filter(level__key="stadtbezirk").values_list("code", "name"))
    assert {a["code"]: a["name"] for a in report["areas"]} == names
    # Aktionsquartiere are still statistische Bezirke, now within Stadtbezirke outside the
    # Aktionsräume.
    chosen = {a["code"] for a in report["areas"] if a["aktionsraum"]}
    bezirke = Area.objects.filter(level__key="statistischer_bezirk").select_related("parent")
    stadtbezirk = {b.code: b.parent.parent.code for b in bezirke if b.parent and b.parent.parent}
    assert report["aktionsquartiere"]
    for quartier in report["aktionsquartiere"]:
        assert quartier["within"] == stadtbezirk[quartier["code"]]
        assert quartier["within"] not in chosen
    text = aktionsraeume("--year", "2024", "--level", "stadtbezirk")
    assert text.startswith("Aktionsräume 2024: Ebene Stadtbezirk, verglichen mit der ganzen Stadt")
    assert "Sozialr" not in text


@pytest.mark.django_db
def test_the_finest_level_has_no_aktionsquartiere(musterstadt: Path) -> None:
    arguments = ("--year", "2024", "--level", "statistischer_bezirk")
    report = json.loads(aktionsraeume(*arguments, "--format", "json"))
    assert len(report["areas"]) == 170
    assert report["quartier_level"] is None
    assert report["aktionsquartiere"] == []
    assert (
        "Aktionsquartiere: keine (das Verfahren nennt keine Ebene unter Statistischer Bezirk)"
        in aktionsraeume(*arguments)
    )


@pytest.mark.django_db
def test_an_unknown_level(musterstadt: Path) -> None:
    with pytest.raises(CommandError) as raised:
        aktionsraeume("--year", "2024", "--level", "ortsteil")
    assert str(raised.value) == (
        "--level: unknown level 'ortsteil' "
        "(levels: stadt, stadtbezirk, sozialraum, statistischer_bezirk)"
    )


@pytest.mark.django_db
def test_a_level_without_areas(musterstadt: Path) -> None:
    AreaLevel.objects.create(key="baublock", name="Baublock", rank=4)
    with pytest.raises(CommandError) as raised:
        aktionsraeume("--year", "2024", "--level", "baublock")
    assert str(raised.value) == (
        "level 'baublock' (Baublock) has no areas; import them with `quartier import-areas`"
    )


@pytest.mark.django_db
def test_a_method_level_that_is_no_level_of_the_areas(
    musterstadt: Path, tmp_path: Path, settings: Any
) -> None:
    methods = tmp_path / "methods.yaml"
    text = BELOW_AVERAGE.format(name="below-average", min_domains=3)
    methods.write_text(text.replace(": sozialraum", ": planungsraum"), "utf-8")
    settings.QUARTIER_METHODS_FILE = methods
    with pytest.raises(CommandError) as raised:
        aktionsraeume("--year", "2024")
    assert str(raised.value) == (
        "aktionsraum_level 'planungsraum' of the method 'below-average' (QUARTIER_METHODS_FILE) "
        "is not a level of the areas (levels: stadt, stadtbezirk, sozialraum, "
        "statistischer_bezirk); give a copy of the methods file with the city's levels in "
        "QUARTIER_METHODS_FILE"
    )
    # A level given on the command line replaces the method's.
    report = json.loads(
        aktionsraeume("--year", "2024", "--level", "sozialraum", "--format", "json")
    )
    assert len(report["areas"]) == 39


class NoIndex:
    """A catalogue without index indicators."""

    domains: tuple[Any, ...] = ()

    def index_domains(self) -> dict[str, Any]:
        return {}


@pytest.mark.django_db
def test_a_catalogue_without_index_indicators(
    musterstadt: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(computation, "catalogue_load", NoIndex)
    with pytest.raises(CommandError) as raised:
        aktionsraeume("--year", "2024")
    assert str(raised.value) == (
        "the indicator catalogue has no index indicators (in_index: true), so no area can be "
        "below the city average; mark some in QUARTIER_INDICATORS_FILE"
    )


@pytest.mark.django_db
def test_index_indicators_without_values(
    musterstadt: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def without_values(**options: Any) -> pl.DataFrame:
        return indicator_values(**options).with_columns(value=None)

    monkeypatch.setattr(computation, "indicator_values", without_values)
    with pytest.raises(CommandError) as raised:
        aktionsraeume("--year", "2024")
    message = str(raised.value)
    assert message.startswith("none of the index indicators (sgb2_quote, ")
    assert message.endswith(
        ") has a value for 2024 on level 'sozialraum' (Sozialraum): their data are missing; "
        "`quartier catalogue-fit` shows what each indicator lacks"
    )


@pytest.mark.django_db
def test_public_view_suppresses_what_the_internal_view_shows(musterstadt: Path) -> None:
    public = indicator_values(view="public", years=[2024], level="statistischer_bezirk")
    internal = indicator_values(view="internal", years=[2024], level="statistischer_bezirk")
    assert public.height == internal.height == 170 * internal["indicator"].n_unique()
    hidden = public.filter(pl.col("flag") == ".")
    assert hidden.height > 0
    assert hidden["value"].null_count() == hidden.height
    assert internal.filter(pl.col("value").is_null()).height < hidden.height
    # Every rate built on a count of 1 or 2 is hidden from the public.
    small = internal.filter(pl.col("numerator").is_between(1, 2)).select("indicator", "area")
    assert small.height > 0
    exposed = public.join(small, on=["indicator", "area"]).filter(pl.col("value").is_not_null())
    assert exposed.height == 0


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.django_db
def test_compute_shows_its_steps_on_a_terminal_only(musterstadt: Path) -> None:
    years = [arg for year in YEARS for arg in ("--year", year)]
    out, terminal = StringIO(), Terminal()
    call_command("compute", *years, stdout=out, stderr=terminal)
    assert "compute: storing the results" in terminal.getvalue()
    assert " indicators, 2012–2024: " in out.getvalue()
    out, log = StringIO(), StringIO()
    call_command("compute", *years, stdout=out, stderr=log)
    assert log.getvalue() == ""
    assert out.getvalue().count("\n") == 1
