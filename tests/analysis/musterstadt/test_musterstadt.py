"""Musterstadt, the synthetic demo city: files, geometry, consistency, realism and the story.

The city is generated once per session; every check reads the written files back, the way an
importer would, so the tests see what a user gets.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
import shapely
import yaml
from django.core.management import call_command
from shapely.geometry import shape

from quartier.analysis.catalogue import load_catalogue
from quartier.analysis.indicators import compute_indicators
from quartier.analysis.indices import below_average_params
from quartier.analysis.musterstadt import DEFAULT_SEED, Manifest, generate, read_manifest
from quartier.analysis.tables import breakdown_dimensions, read_table, spec_from_mapping, tidy_table

SEED = DEFAULT_SEED
LEVEL_FILES = {
    "stadt": "stadt.geojson",
    "stadtbezirk": "stadtbezirke.geojson",
    "sozialraum": "sozialraeume.geojson",
    "statistischer_bezirk": "statistische_bezirke.geojson",
}
CHILD_LEVEL = {
    "stadt": "stadtbezirk",
    "stadtbezirk": "sozialraum",
    "sozialraum": "statistischer_bezirk",
}
GERMAN_COUNT = re.compile(r"^(-|[1-9]\d{0,2}(\.\d{3})*)$")
GERMAN_DECIMAL = re.compile(r"^(-|[1-9]\d{0,2}(\.\d{3})*,\d|0,\d)$")
AGE_GROUPS = ["0-5", "6-14", "15-17", "18-24", "25-44", "45-64", "65-79", "80+"]


@dataclass(frozen=True)
class Generated:
    folder: Path
    manifest: Manifest


def german_number(text: str) -> float:
    """Parse a German number; "-" means nothing (zero)."""
    if text == "-":
        return 0.0
    return float(text.replace(".", "").replace(",", "."))


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def read_areas(folder: Path, level: str) -> dict[str, dict[str, Any]]:
    collection = json.loads((folder / LEVEL_FILES[level]).read_text(encoding="utf-8"))
    return {
        feature["properties"]["code"]: {
            "properties": feature["properties"],
            "geometry": shape(feature["geometry"]),
            "type": feature["geometry"]["type"],
        }
        for feature in collection["features"]
    }


@pytest.fixture(scope="session")
def city(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    folder = tmp_path_factory.mktemp("musterstadt")
    return Generated(folder, generate(SEED, folder))


@pytest.fixture(scope="session")
def social(city: Generated) -> dict[tuple[str, int], dict[str, float]]:
    """sozialdaten.csv as numbers by (Bezirk, Jahr) and variable key."""
    mapping = _mapping(city.folder, "mapping-sozialdaten.yaml")
    table: dict[tuple[str, int], dict[str, float]] = {}
    for row in read_csv(city.folder / "sozialdaten.csv"):
        key = (row["Bezirk"], int(row["Jahr"]))
        table[key] = {var: german_number(row[column]) for column, var in mapping.items()}
    return table


@pytest.fixture(scope="session")
def population(city: Generated) -> list[dict[str, str]]:
    return read_csv(city.folder / "bevoelkerung.csv")


def _mapping(folder: Path, name: str) -> dict[str, str]:
    content = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
    return dict(content["variables"])


@pytest.fixture(scope="session")
def frames(city: Generated) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Observations and areas of the generated folder, read as the importer reads them."""
    return engine_observations(city.folder, city.manifest), engine_areas(city.folder, city.manifest)


def engine_observations(folder: Path, manifest: Manifest) -> pl.DataFrame:
    """All data files as tidy observations with a canonical breakdown key."""
    parts = []
    for spec in manifest.data:
        mapping = yaml.safe_load((folder / spec.mapping).read_text(encoding="utf-8"))
        mapping.pop("area_level")
        tidy = tidy_table(read_table(folder / spec.file), spec_from_mapping(mapping, where=""))
        dimensions = sorted(breakdown_dimensions(tidy))
        key = (
            pl.concat_str([pl.lit(f"{d}=") + pl.col(d) for d in dimensions], separator=";")
            if dimensions
            else pl.lit("")
        )
        parts.append(
            tidy.select("area", "period", "variable", key.alias("breakdown_key"), "value", "flag")
        )
    return pl.concat(parts)


def engine_areas(folder: Path, manifest: Manifest) -> pl.DataFrame:
    """Every area with its level, rank and parent."""
    rows = []
    for rank, spec in enumerate(manifest.areas):
        for code, area in read_areas(folder, spec.level).items():
            rows.append((code, spec.level, rank, area["properties"].get("parent")))
    return pl.DataFrame(rows, schema=["code", "level", "rank", "parent"], orient="row")


@pytest.fixture(scope="session")
def index_values(frames: tuple[pl.DataFrame, pl.DataFrame]) -> pl.DataFrame:
    """The index indicators of the story's years, computed by the indicator engine."""
    catalogue = load_catalogue()
    keys = [i.key for items in catalogue.index_domains().values() for i in items]
    observations, areas = frames
    results = compute_indicators(
        observations, areas, catalogue, years=[2012, 2024], indicators=keys, breakdowns=False
    )
    assert results.problems == ()
    return results.values


def below_average(values: pl.DataFrame, level: str, year: int) -> dict[str, int]:
    """Areas of a level below the city average, with their number of domains below.

    A domain is below average when at least `domain_share` of its index indicators with a value
    are worse than the city value; an area is below average in at least `min_domains` domains.
    """
    rule = below_average_params()
    polarity = {
        i.key: (domain, i.higher_is_worse)
        for domain, items in load_catalogue().index_domains().items()
        for i in items
    }
    rows = values.filter(
        pl.col("indicator").is_in(list(polarity)),
        pl.col("level") == level,
        pl.col("period") == year,
        pl.col("value").is_not_null(),
        pl.col("breakdown_key") == "",
    )
    worse: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for row in rows.iter_rows(named=True):
        domain, higher_is_worse = polarity[row["indicator"]]
        difference = row["value"] - row["city_value"]
        worse[(row["area"], domain)].append(difference > 0 if higher_is_worse else difference < 0)
    domains: dict[str, int] = defaultdict(int)
    for (area, _), flags in worse.items():
        domains[area] += sum(flags) >= rule.domain_share * len(flags)
    return {area: count for area, count in domains.items() if count >= rule.min_domains}


# --- files and manifest ------------------------------------------------------------------------


def test_manifest_lists_the_files_in_import_order(city: Generated) -> None:
    raw = json.loads((city.folder / "manifest.json").read_text(encoding="utf-8"))
    assert raw["city"] == "Musterstadt"
    assert raw["synthetic"] is True
    assert raw["seed"] == SEED
    assert [level["key"] for level in raw["levels"]] == list(LEVEL_FILES)
    assert [spec["file"] for spec in raw["areas"]] == list(LEVEL_FILES.values())
    assert raw["areas"][0]["parent_field"] is None
    assert [spec["file"] for spec in raw["data"]] == ["bevoelkerung.csv", "sozialdaten.csv"]
    listed = [s["file"] for s in raw["areas"]] + [
        name for s in raw["data"] for name in (s["file"], s["mapping"])
    ]
    assert all((city.folder / name).is_file() for name in listed)
    assert read_manifest(city.folder) == city.manifest


def test_readme_says_the_data_are_synthetic(city: Generated) -> None:
    text = (city.folder / "README.txt").read_text(encoding="utf-8")
    assert "synthetic" in text
    assert "erfunden" in text


def test_mappings_name_columns_that_exist(city: Generated) -> None:
    for spec in city.manifest.data:
        mapping = yaml.safe_load((city.folder / spec.mapping).read_text(encoding="utf-8"))
        header = (city.folder / spec.file).read_text(encoding="utf-8").split("\n", 1)[0].split(";")
        assert mapping["layout"] == "wide"
        assert mapping["area_level"] == "statistischer_bezirk"
        used = [mapping["area"], mapping["period"], *mapping["breakdowns"], *mapping["variables"]]
        assert sorted(used) == sorted(header)
    population = yaml.safe_load((city.folder / "mapping-bevoelkerung.yaml").read_text("utf-8"))
    assert population["breakdowns"] == {
        "Altersgruppe": "age_group",
        "Geschlecht": "gender",
        "Staatsangehörigkeit": "nationality",
    }


# --- areas -------------------------------------------------------------------------------------


def test_number_of_areas_per_level(city: Generated) -> None:
    counts = {level: len(read_areas(city.folder, level)) for level in LEVEL_FILES}
    assert counts["stadt"] == 1
    assert counts["stadtbezirk"] == 12
    assert counts["sozialraum"] == 39
    assert 160 <= counts["statistischer_bezirk"] <= 180


def test_area_files_are_multipolygons_in_utm_32n_in_nrw(city: Generated) -> None:
    for level, name in LEVEL_FILES.items():
        collection = json.loads((city.folder / name).read_text(encoding="utf-8"))
        assert collection["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::25832"
        for area in read_areas(city.folder, level).values():
            assert area["type"] == "MultiPolygon"
            assert area["geometry"].is_valid
            minx, miny, maxx, maxy = area["geometry"].bounds
            assert 280_000 < minx < maxx < 540_000
            assert 5_560_000 < miny < maxy < 5_830_000
            assert ("parent" in area["properties"]) == (level != "stadt")
    (stadt,) = read_areas(city.folder, "stadt").values()
    assert stadt["properties"]["name"] == "Musterstadt (synthetisch)"
    width = stadt["geometry"].bounds[2] - stadt["geometry"].bounds[0]
    height = stadt["geometry"].bounds[3] - stadt["geometry"].bounds[1]
    assert 12_000 < width < 18_000
    assert 9_000 < height < 15_000


def test_codes_extend_their_parent_codes(city: Generated) -> None:
    bezirke = read_areas(city.folder, "stadtbezirk")
    assert sorted(bezirke) == [f"{n:02d}" for n in range(1, 13)]
    for level, digits in (("sozialraum", 4), ("statistischer_bezirk", 6)):
        for code, area in read_areas(city.folder, level).items():
            assert len(code) == digits
            assert code.startswith(area["properties"]["parent"])


@pytest.mark.parametrize("level", list(LEVEL_FILES)[1:])
def test_every_level_tiles_the_city(city: Generated, level: str) -> None:
    (stadt,) = read_areas(city.folder, "stadt").values()
    geometries = [a["geometry"] for a in read_areas(city.folder, level).values()]
    assert shapely.union_all(geometries).area == pytest.approx(stadt["geometry"].area, abs=1.0)
    assert sum(g.area for g in geometries) == pytest.approx(stadt["geometry"].area, abs=1.0)
    tree = shapely.STRtree(geometries)
    left, right = tree.query(geometries, predicate="intersects")
    pairs = [(i, j) for i, j in zip(left.tolist(), right.tolist(), strict=True) if i < j]
    overlaps = [geometries[i].intersection(geometries[j]).area for i, j in pairs]
    assert pairs
    assert max(overlaps) <= 1.0


@pytest.mark.parametrize("parent_level", list(CHILD_LEVEL))
def test_children_nest_exactly_in_their_parents(city: Generated, parent_level: str) -> None:
    parents = read_areas(city.folder, parent_level)
    children = read_areas(city.folder, CHILD_LEVEL[parent_level])
    by_parent: dict[str, list[Any]] = defaultdict(list)
    for child in children.values():
        by_parent[child["properties"]["parent"]].append(child["geometry"])
    assert set(by_parent) == set(parents)
    for code, parent in parents.items():
        geometry = parent["geometry"]
        for child in by_parent[code]:
            assert child.difference(geometry).area <= 1.0
        union = shapely.union_all(by_parent[code])
        assert union.symmetric_difference(geometry).area <= 1.0
        assert sum(c.area for c in by_parent[code]) == pytest.approx(geometry.area, abs=1.0)


# --- population and social data ----------------------------------------------------------------


def test_population_is_about_600000_in_every_year(
    social: dict[tuple[str, int], dict[str, float]],
) -> None:
    totals: dict[int, float] = defaultdict(float)
    for (_, year), values in social.items():
        totals[year] += values["einwohner"]
    assert sorted(totals) == list(range(2008, 2026))
    assert all(570_000 <= total <= 630_000 for total in totals.values())


def test_breakdowns_add_up_to_the_totals(
    population: list[dict[str, str]], social: dict[tuple[str, int], dict[str, float]]
) -> None:
    total: dict[tuple[str, int], float] = defaultdict(float)
    by_age: dict[tuple[str, int, str], float] = defaultdict(float)
    for row in population:
        key = (row["Bezirk"], int(row["Jahr"]))
        value = german_number(row["Einwohner"])
        total[key] += value
        by_age[(*key, row["Altersgruppe"])] += value
    assert {row["Geschlecht"] for row in population} == {"männlich", "weiblich"}
    assert {row["Staatsangehörigkeit"] for row in population} == {"deutsch", "nichtdeutsch"}
    assert sorted({row["Altersgruppe"] for row in population}) == sorted(AGE_GROUPS)
    assert len(population) == len(social) * len(AGE_GROUPS) * 2 * 2
    for key, values in social.items():
        ages = [by_age[(*key, group)] for group in AGE_GROUPS]
        assert values["einwohner"] == total[key]
        assert values["einwohner_u65"] + values["einwohner_65plus"] == values["einwohner"]
        assert values["einwohner_65plus"] == sum(ages[6:])
        assert values["kinder_u15"] == sum(ages[:2])
        assert values["einwohner_15_64"] == sum(ages[2:6])
        assert sum(ages[:3]) <= values["einwohner_u21"] <= sum(ages[:4])


PARTS_OF_WHOLES = [
    ("sgb2", "einwohner_u65"),
    ("sgb2_u15", "kinder_u15"),
    ("sgb2_u15", "sgb2"),
    ("arbeitslose", "einwohner_15_64"),
    ("svb", "einwohner_15_64"),
    ("grusi_65plus", "einwohner_65plus"),
    ("haushalte", "einwohner"),
    ("hh_einpersonen", "haushalte"),
    ("hh_einpersonen_65plus", "hh_einpersonen"),
    ("hh_einpersonen_65plus", "einwohner_65plus"),
    ("normalgewicht", "schuleingang"),
    ("uebergaenge_gym", "uebergaenge"),
    ("hze", "einwohner_u21"),
    ("leerstand", "wohnungen"),
    ("zuzuege", "einwohner"),
    ("fortzuege", "einwohner"),
]


def test_parts_never_exceed_wholes(social: dict[tuple[str, int], dict[str, float]]) -> None:
    for values in social.values():
        for part, whole in PARTS_OF_WHOLES:
            assert values[part] <= values[whole], (part, whole)
        assert values["svb"] + values["arbeitslose"] <= values["einwohner_15_64"]
        assert 20 <= values["wohnflaeche"] / values["einwohner"] <= 75


def test_csv_files_use_german_number_format(city: Generated) -> None:
    for name, value_columns in (("bevoelkerung.csv", 1), ("sozialdaten.csv", 24)):
        text = (city.folder / name).read_text(encoding="utf-8")
        header, *lines = text.rstrip("\n").split("\n")
        assert header.startswith("Jahr;Bezirk;")
        cells = [line.split(";") for line in lines]
        assert {len(row) for row in cells} == {len(header.split(";"))}
        values = [value for row in cells for value in row[-value_columns:]]
        assert any(re.fullmatch(r"\d{1,3}(\.\d{3})+", v) for v in values)
        assert "-" in values
    rows = read_csv(city.folder / "sozialdaten.csv")
    for row in rows:
        for column, value in row.items():
            if column == "Wohnfläche in m²":
                assert GERMAN_DECIMAL.match(value), value
            elif column not in ("Jahr", "Bezirk"):
                assert GERMAN_COUNT.match(value), (column, value)
    assert rows[0]["Wohnfläche in m²"].count(",") == 1


def test_small_cells_exist_but_are_few(population: list[dict[str, str]]) -> None:
    values = [german_number(row["Einwohner"]) for row in population]
    small = sum(1 for v in values if v in (1.0, 2.0))
    assert small > 0
    assert small < len(values) / 2


def test_inner_city_is_younger_than_the_outskirts(population: list[dict[str, str]]) -> None:
    old: dict[bool, float] = defaultdict(float)
    everyone: dict[bool, float] = defaultdict(float)
    for row in population:
        if row["Jahr"] != "2024":
            continue
        inner = row["Bezirk"][:2] in {"01", "02", "03"}
        value = german_number(row["Einwohner"])
        everyone[inner] += value
        if row["Altersgruppe"] in ("65-79", "80+"):
            old[inner] += value
    assert old[True] / everyone[True] < old[False] / everyone[False] - 0.03


def test_sgb2_falls_after_2008(social: dict[tuple[str, int], dict[str, float]]) -> None:
    def rate(year: int) -> float:
        rows = [v for (_, y), v in social.items() if y == year]
        return sum(v["sgb2"] for v in rows) / sum(v["einwohner_u65"] for v in rows)

    assert rate(2019) < rate(2008) - 0.01


def test_sgb2_rate_is_spatially_autocorrelated(
    city: Generated, social: dict[tuple[str, int], dict[str, float]]
) -> None:
    areas = read_areas(city.folder, "statistischer_bezirk")
    codes = sorted(areas)
    geometries = [areas[code]["geometry"] for code in codes]
    rate = np.array([social[(c, 2020)]["sgb2"] / social[(c, 2020)]["einwohner_u65"] for c in codes])
    tree = shapely.STRtree(geometries)
    left, right = tree.query(geometries, predicate="intersects")
    weights = np.zeros((len(codes), len(codes)))
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i != j and geometries[i].boundary.intersection(geometries[j].boundary).length > 1.0:
            weights[i, j] = 1.0
    assert weights.sum(axis=1).min() >= 1
    deviation = rate - rate.mean()
    morans_i = (
        (len(codes) / weights.sum()) * (deviation @ weights @ deviation) / (deviation**2).sum()
    )
    assert morans_i > 0.3


# --- the planted story -------------------------------------------------------------------------


def test_story_two_sozialraeume_improve_and_two_decline(
    city: Generated, index_values: pl.DataFrame
) -> None:
    story = city.manifest.story
    before = below_average(index_values, "sozialraum", story.baseline_year)
    after = below_average(index_values, "sozialraum", story.target_year)
    assert (story.baseline_year, story.target_year) == (2012, 2024)
    assert set(before) - set(after) == {area.sozialraum for area in story.improving}
    assert set(after) - set(before) == {area.sozialraum for area in story.declining}
    # Aktionsräume in both years: the story happens elsewhere, nothing else changes sides.
    assert len(set(before) & set(after)) >= 8


def test_story_one_bezirk_lags_in_each_improving_sozialraum(
    city: Generated, index_values: pl.DataFrame
) -> None:
    story = city.manifest.story
    bezirke = below_average(index_values, "statistischer_bezirk", story.target_year)
    sozialraeume = below_average(index_values, "sozialraum", story.target_year)
    for area in story.improving:
        assert area.lagging_bezirk.startswith(area.sozialraum)
        # Below average in a Sozialraum that is no Aktionsraum: an Aktionsquartier.
        assert area.lagging_bezirk in bezirke
        assert area.sozialraum not in sozialraeume
        members = read_areas(city.folder, "statistischer_bezirk")
        assert sum(code.startswith(area.sozialraum) for code in members) >= 3


def test_the_story_codes_of_the_default_seed(city: Generated) -> None:
    story = city.manifest.story
    assert [(a.sozialraum, a.lagging_bezirk) for a in story.improving] == [
        ("1101", "110103"),
        ("1201", "120101"),
    ]
    assert [a.sozialraum for a in story.declining] == ["0503", "0603"]


def test_city_rates_are_computed_from_summed_counts(
    frames: tuple[pl.DataFrame, pl.DataFrame], social: dict[tuple[str, int], dict[str, float]]
) -> None:
    observations, areas = frames
    values = compute_indicators(
        observations, areas, load_catalogue(), years=[2024], indicators=["sgb2_quote"]
    ).values
    rows = [v for (_, year), v in social.items() if year == 2024]
    recipients = sum(v["sgb2"] for v in rows)
    inhabitants = sum(v["einwohner_u65"] for v in rows)
    city = values.filter(pl.col("level") == "stadt").row(0, named=True)
    assert (city["numerator"], city["denominator"]) == (recipients, inhabitants)
    assert city["value"] == pytest.approx(100 * recipients / inhabitants)
    sozialraum = values.filter(pl.col("area") == "1101").row(0, named=True)
    members = [v for (code, year), v in social.items() if year == 2024 and code[:4] == "1101"]
    assert sozialraum["numerator"] == sum(v["sgb2"] for v in members)
    assert values["level"].value_counts().sort("level").rows() == [
        ("sozialraum", 39),
        ("stadt", 1),
        ("stadtbezirk", 12),
        ("statistischer_bezirk", len(rows)),
    ]


def test_breakdown_values_of_the_population(frames: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    observations, areas = frames
    values = compute_indicators(
        observations, areas, load_catalogue(), years=[2024], indicators=["anteil_nichtdeutsch"]
    ).values
    city = values.filter(pl.col("level") == "stadt")
    shares = dict(zip(city["breakdown_key"], city["value"], strict=True))
    # Very few of the over-80s lack German citizenship; far more of the young adults.
    assert shares["age_group=80+"] < shares[""] / 2 < shares["age_group=25-44"]
    assert len(shares) == 1 + 8 + 2 + 16
    assert values["missing_reason"].drop_nulls().str.contains("denominator is 0").all()


def test_story_areas_carry_their_names(city: Generated) -> None:
    sozialraeume = read_areas(city.folder, "sozialraum")
    bezirke = read_areas(city.folder, "statistischer_bezirk")
    for area in city.manifest.story.improving:
        assert sozialraeume[area.sozialraum]["properties"]["name"] == area.name
        assert bezirke[area.lagging_bezirk]["properties"]["name"] == area.lagging_name
    for declining in city.manifest.story.declining:
        assert sozialraeume[declining.sozialraum]["properties"]["name"] == declining.name


# --- determinism and the command ---------------------------------------------------------------


def _file_bytes(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_same_seed_gives_identical_files(city: Generated, tmp_path: Path) -> None:
    generate(SEED, tmp_path)
    assert _file_bytes(tmp_path) == _file_bytes(city.folder)


def test_another_seed_gives_different_files(city: Generated, tmp_path: Path) -> None:
    manifest = generate(SEED + 1, tmp_path)
    first, second = _file_bytes(city.folder), _file_bytes(tmp_path)
    assert manifest.seed == SEED + 1
    assert first.keys() == second.keys()
    differing = [name for name in first if first[name] != second[name]]
    assert set(differing) >= {
        "statistische_bezirke.geojson",
        "bevoelkerung.csv",
        "sozialdaten.csv",
        "manifest.json",
    }


def test_generate_demo_command_writes_the_city(city: Generated, tmp_path: Path) -> None:
    stdout = io.StringIO()
    call_command("generate_demo", seed=SEED, out=tmp_path / "demo", stdout=stdout)
    assert f"Musterstadt (seed {SEED})" in stdout.getvalue()
    assert _file_bytes(tmp_path / "demo") == _file_bytes(city.folder)


def test_domains_match_the_manifest(city: Generated) -> None:
    raw = json.loads((city.folder / "manifest.json").read_text(encoding="utf-8"))
    written = {
        domain: [(i["numerator"], i["denominator"], i["higher_is_worse"]) for i in indicators]
        for domain, indicators in raw["story"]["domains"].items()
    }
    expected = {
        domain: [
            (
                [t.variable for t in i.numerator],
                i.denominator[0].variable,
                i.higher_is_worse,
            )
            for i in items
        ]
        for domain, items in load_catalogue().index_domains().items()
    }
    assert written == expected
