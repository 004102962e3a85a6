"""The publication of Musterstadt against the independent attacker.

Musterstadt is generated here (the same seed as the demo database, so the same city) and goes
through the engine and `publish`; the attacker sees the public view alone: all indicators and
levels, with breakdowns for two years five apart (so the population change of the later year
has the earlier population as its denominator), and the totals of every year.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from quartier.analysis.catalogue import Catalogue, load_catalogue
from quartier.analysis.disclosure import publish
from quartier.analysis.indicators import compute_indicators
from quartier.analysis.musterstadt import DEFAULT_SEED, generate
from tests.analysis.musterstadt.test_musterstadt import engine_areas, engine_observations

from .attacker import Report, attack, check_derived

BREAKDOWN_YEARS = [2019, 2024]


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Observations and areas of Musterstadt."""
    folder: Path = tmp_path_factory.mktemp("musterstadt")
    manifest = generate(DEFAULT_SEED, folder)
    return engine_observations(folder, manifest), engine_areas(folder, manifest)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def published_and_attacked(
    city: tuple[pl.DataFrame, pl.DataFrame], catalogue: Catalogue, *, breakdowns: bool
) -> tuple[pl.DataFrame, Report]:
    observations, areas = city
    years = BREAKDOWN_YEARS if breakdowns else None
    results = compute_indicators(observations, areas, catalogue, years=years, breakdowns=breakdowns)
    assert results.problems == ()
    public = publish(results.values, areas=areas, catalogue=catalogue, breakdowns=breakdowns)
    report = attack(public, catalogue=catalogue, areas=areas, truth=results.values)
    assert report.consistent, report.summary()
    return public, report


def test_no_sensitive_count_of_the_breakdowns_is_exposed(
    city: tuple[pl.DataFrame, pl.DataFrame], catalogue: Catalogue
) -> None:
    public, report = published_and_attacked(city, catalogue, breakdowns=True)
    assert report.sensitive > 1000, report.summary()
    assert report.exposures == (), report.summary()
    assert check_derived(public, catalogue=catalogue) == []


def test_no_sensitive_count_of_the_totals_of_all_years_is_exposed(
    city: tuple[pl.DataFrame, pl.DataFrame], catalogue: Catalogue
) -> None:
    public, report = published_and_attacked(city, catalogue, breakdowns=False)
    assert report.sensitive > 100, report.summary()
    assert report.exposures == (), report.summary()
    assert check_derived(public, catalogue=catalogue) == []
