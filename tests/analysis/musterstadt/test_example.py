"""The tiny Musterstadt sample of `load_example`: current, well-formed, the city's own numbers."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import polars as pl
import pytest

import quartier
from quartier.analysis.catalogue import load_catalogue
from quartier.analysis.indicators import compute_indicators
from quartier.analysis.musterstadt import (
    DEFAULT_SEED,
    Example,
    Manifest,
    generate,
    load_example,
    read_manifest,
    write_example,
)
from tests.analysis.musterstadt.test_musterstadt import engine_areas, engine_observations

PROJECT_DIR = Path(__file__).resolve().parents[3]
SCRIPT = PROJECT_DIR / "scripts" / "make_musterstadt_example.py"
PACKAGE_DIR = Path(quartier.__file__).resolve().parent
SAMPLE_DIR = PACKAGE_DIR / "analysis" / "musterstadt" / "example"
SAMPLE_FILES = ["README.txt", "areas.csv", "bevoelkerung.csv", "sozialdaten.csv"]
# The indicators the sample has every variable for.
INDICATORS = [
    "einwohnerzahl",
    "anteil_unter_18",
    "anteil_65plus",
    "anteil_80plus",
    "bevoelkerungsentwicklung",
    "sgb2_quote",
    "sgb2_quote_kinder",
    "grundsicherung_alter",
]


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    folder = tmp_path_factory.mktemp("musterstadt")
    return folder, generate(DEFAULT_SEED, folder)


@pytest.fixture(scope="module")
def example() -> Example:
    return load_example()


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_the_committed_sample_is_what_the_script_writes_today(tmp_path: Path) -> None:
    out = tmp_path / "example"
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert sorted(_files(out)) == SAMPLE_FILES
    assert _files(out) == _files(SAMPLE_DIR), (
        f"outdated: run python {SCRIPT.relative_to(PROJECT_DIR)}"
    )


def test_write_example_gives_the_same_bytes_from_a_generated_city(
    city: tuple[Path, Manifest], tmp_path: Path
) -> None:
    written = write_example(city[0], tmp_path)
    assert sorted(path.name for path in written) == SAMPLE_FILES
    assert _files(tmp_path) == _files(SAMPLE_DIR)


def test_the_sample_is_a_few_kilobytes_of_text() -> None:
    files = _files(SAMPLE_DIR)
    assert sum(len(content) for content in files.values()) < 10_000
    for content in files.values():
        content.decode("utf-8")


def test_the_frames_have_the_engine_columns_and_dtypes(example: Example) -> None:
    assert example.areas.schema == pl.Schema(
        {"code": pl.Utf8, "level": pl.Utf8, "rank": pl.Int64, "parent": pl.Utf8}
    )
    assert example.observations.schema == pl.Schema(
        {
            "area": pl.Utf8,
            "period": pl.Int64,
            "variable": pl.Utf8,
            "breakdown_key": pl.Utf8,
            "value": pl.Float64,
            "flag": pl.Utf8,
        }
    )
    assert example.years == (2012, 2019, 2023, 2024)
    assert sorted(example.observations["period"].unique()) == list(example.years)


def test_the_areas_are_one_stadtbezirk_with_its_sozialraeume_and_bezirke(example: Example) -> None:
    areas = example.areas
    assert areas.filter(pl.col("rank") == 0).rows() == [("11", "stadtbezirk", 0, None)]
    sozialraeume = areas.filter(pl.col("level") == "sozialraum")
    assert sozialraeume["code"].to_list() == ["1101", "1102", "1103"]
    assert set(sozialraeume["parent"]) == {"11"}
    bezirke = areas.filter(pl.col("level") == "statistischer_bezirk")
    assert bezirke.height == 14
    assert set(bezirke["rank"]) == {2}
    assert all(code[:4] == parent for code, parent in bezirke.select("code", "parent").rows())
    assert example.names["11"] == "Hafen"
    assert example.names["1101"] == "Oberholz"
    assert set(example.names) == set(areas["code"])
    # Observations only for the finest level, each cell once, no secret or missing cell.
    observations = example.observations
    assert set(observations["area"]) == set(bezirke["code"])
    key = ["area", "period", "variable", "breakdown_key"]
    assert observations.select(key).is_unique().all()
    assert observations.filter(pl.col("value").is_null() & (pl.col("flag") != "-")).height == 0


def test_the_age_groups_add_up_to_the_inhabitants(example: Example) -> None:
    observations = example.observations.filter(pl.col("variable") == "einwohner")
    totals = observations.filter(pl.col("breakdown_key") == "")
    by_age = observations.filter(pl.col("breakdown_key") != "")
    assert by_age["breakdown_key"].unique().len() == 8
    assert by_age["breakdown_key"].str.starts_with("age_group=").all()
    summed = by_age.group_by("area", "period").agg(pl.col("value").sum())
    joined = totals.join(summed, on=["area", "period"], suffix="_ages")
    assert joined.height == totals.height == 14 * 4
    assert (joined["value"] == joined["value_ages"]).all()


def test_the_engine_computes_the_stadtbezirk_from_its_bezirke(example: Example) -> None:
    results = compute_indicators(
        example.observations, example.areas, load_catalogue(), indicators=INDICATORS
    )
    assert results.problems == ()
    assert set(results.values["indicator"]) == set(INDICATORS)
    population = results.values.filter(
        pl.col("indicator") == "einwohnerzahl", pl.col("breakdown_key") == ""
    )
    hafen = population.filter(pl.col("area") == "11", pl.col("period") == 2024)
    assert hafen["value"].to_list() == [35115.0]
    bezirke = population.filter(pl.col("level") == "statistischer_bezirk", pl.col("period") == 2024)
    assert bezirke["value"].sum() == 35115.0
    # Oberholz, the story's improving Sozialraum, drops below the Stadtbezirk's SGB II rate.
    sgb2 = results.values.filter(pl.col("indicator") == "sgb2_quote", pl.col("area") == "1101")
    rates = {row["period"]: row for row in sgb2.iter_rows(named=True)}
    assert rates[2012]["value"] > rates[2012]["city_value"]
    assert rates[2024]["value"] < rates[2024]["city_value"]


def test_the_sample_has_the_values_of_the_full_city(
    city: tuple[Path, Manifest], example: Example
) -> None:
    folder, manifest = city
    assert read_manifest(folder).story.improving[0].sozialraum == "1101"
    catalogue = load_catalogue()
    years = list(example.years)
    full = compute_indicators(
        engine_observations(folder, manifest),
        engine_areas(folder, manifest),
        catalogue,
        years=years,
        indicators=INDICATORS,
        breakdowns=False,
    ).values
    sample = compute_indicators(
        example.observations,
        example.areas,
        catalogue,
        years=years,
        indicators=INDICATORS,
        breakdowns=False,
    ).values
    # The change over 5 years needs the year 5 years before: in the sample, 2024 only.
    without_base = (pl.col("indicator") == "bevoelkerungsentwicklung") & (pl.col("period") < 2024)
    assert sample.filter(without_base)["value"].is_null().all()
    columns = ["indicator", "area", "level", "period", "numerator", "denominator", "value"]
    in_sample = full.filter(pl.col("area").is_in(example.areas["code"].implode()), ~without_base)
    expected = in_sample.select(columns).sort(columns[:4])
    got = sample.filter(~without_base).select(columns).sort(columns[:4])
    assert got.height == expected.height > 0
    assert got.equals(expected)
    hafen = got.filter(
        pl.col("indicator") == "einwohnerzahl", pl.col("area") == "11", pl.col("period") == 2024
    )
    assert hafen["value"].to_list() == [35115.0]


def test_load_example_reads_the_files_of_its_installed_package(tmp_path: Path) -> None:
    """The sample comes with the package, wherever it is installed, even from a zip archive."""
    archive = tmp_path / "site.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in sorted(PACKAGE_DIR.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                bundle.write(path, path.relative_to(PACKAGE_DIR.parent).as_posix())
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "import quartier.analysis.musterstadt as m; "
        "assert m.__file__.startswith(sys.argv[1]), m.__file__; "
        "e = m.load_example(); "
        "print(e.areas.height, e.observations.height, e.years)"
    )
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    run = subprocess.run(
        [sys.executable, "-c", code, str(archive)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=environment,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["18", "840", "(2012,", "2019,", "2023,", "2024)"]
