"""Musterstadt, the synthetic demo city: files, geometry, consistency, realism and the story.

The city is generated once per session; every check reads the written files back, the way an
importer would, so the tests see what a user gets.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
import yaml
from django.core.management import call_command
from shapely.geometry import shape

from quartier.analysis.musterstadt import DEFAULT_SEED, Manifest, generate, read_manifest

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
# The monitoring rule of the story: (numerators, denominator, higher is worse) per domain.
DOMAINS: dict[str, list[tuple[tuple[str, ...], str, bool]]] = {
    "transfer": [
        (("sgb2",), "einwohner_u65", True),
        (("sgb2_u15",), "kinder_u15", True),
        (("arbeitslose",), "einwohner_15_64", True),
        (("grusi_65plus",), "einwohner_65plus", True),
    ],
    "education": [(("uebergaenge_gym",), "uebergaenge", False), (("hze",), "einwohner_u21", True)],
    "health": [(("normalgewicht",), "schuleingang", False)],
    "housing": [
        (("leerstand",), "wohnungen", True),
        (("wohnflaeche",), "einwohner", False),
        (("zuzuege", "fortzuege"), "einwohner", True),
    ],
    "employment": [(("svb",), "einwohner_15_64", False)],
}


@dataclass(frozen=True)
class Generated:
    folder: Path
    manifest: Manifest
    seconds: float


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
    started = time.perf_counter()
    manifest = generate(SEED, folder)
    return Generated(folder, manifest, time.perf_counter() - started)


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


def _sum_by(
    social: dict[tuple[str, int], dict[str, float]], year: int, group: Any
) -> dict[str, dict[str, float]]:
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for (code, row_year), values in social.items():
        if row_year == year:
            for key, value in values.items():
                sums[group(code)][key] += value
    return sums


def _domains_below(area: dict[str, float], city: dict[str, float]) -> int:
    below = 0
    for indicators in DOMAINS.values():
        worse = 0
        for numerators, denominator, higher_is_worse in indicators:
            rate = sum(area[n] for n in numerators) / area[denominator]
            city_rate = sum(city[n] for n in numerators) / city[denominator]
            worse += rate > city_rate if higher_is_worse else rate < city_rate
        below += 2 * worse >= len(indicators)
    return below


def _below_in_most(area: dict[str, float], city: dict[str, float]) -> bool:
    return 2 * _domains_below(area, city) > len(DOMAINS)


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


def test_generation_is_fast(city: Generated) -> None:
    assert city.seconds < 20


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
    city: Generated, social: dict[tuple[str, int], dict[str, float]]
) -> None:
    story = city.manifest.story
    status = {}
    for year in (story.baseline_year, story.target_year):
        groups = _sum_by(social, year, lambda code: code[:4])
        whole = _sum_by(social, year, lambda code: "city")["city"]
        status[year] = {code: _below_in_most(values, whole) for code, values in groups.items()}
    before, after = status[story.baseline_year], status[story.target_year]
    improved = {code for code in before if before[code] and not after[code]}
    declined = {code for code in before if after[code] and not before[code]}
    assert (story.baseline_year, story.target_year) == (2012, 2024)
    assert improved == {area.sozialraum for area in story.improving}
    assert declined == {area.sozialraum for area in story.declining}
    assert len(improved) == len(declined) == 2


def test_story_one_bezirk_lags_in_each_improving_sozialraum(
    city: Generated, social: dict[tuple[str, int], dict[str, float]]
) -> None:
    story = city.manifest.story
    year = story.target_year
    whole = _sum_by(social, year, lambda code: "city")["city"]
    for area in story.improving:
        members = [code for (code, y) in social if y == year and code.startswith(area.sozialraum)]
        lagging = [code for code in members if _below_in_most(social[(code, year)], whole)]
        assert area.lagging_bezirk.startswith(area.sozialraum)
        assert area.lagging_bezirk in lagging
        assert len(members) >= 3


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
    written = [
        [(tuple(i["numerator"]), i["denominator"], i["higher_is_worse"]) for i in indicators]
        for indicators in raw["story"]["domains"].values()
    ]
    assert written == list(DOMAINS.values())
