"""Turns a simulated city into the folder of files a real city would hand over."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from quartier.analysis.musterstadt._geometry import union_of
from quartier.analysis.musterstadt._hierarchy import Area
from quartier.analysis.musterstadt._manifest import (
    MANIFEST_FILE,
    AreaFileSpec,
    DataFileSpec,
    DecliningArea,
    ImprovingArea,
    LevelSpec,
    Manifest,
    Story,
)
from quartier.analysis.musterstadt._population import AGE_GROUPS, GENDERS, NATIONALITIES, YEARS
from quartier.analysis.musterstadt._simulate import City
from quartier.analysis.musterstadt._social import DECIMAL_VARIABLES, SOZIALDATEN_COLUMNS
from quartier.analysis.musterstadt._story import BASELINE_YEAR, TARGET_YEAR
from quartier.analysis.musterstadt._writer import (
    german_count,
    german_decimal,
    write_csv,
    write_geojson,
    write_json,
    write_yaml,
)

CITY = "Musterstadt"
CRS = "EPSG:25832"
SOURCE = "Musterstadt, Statistikstelle (synthetische Daten)"
LEVELS = (
    LevelSpec("stadt", "Stadt"),
    LevelSpec("stadtbezirk", "Stadtbezirk"),
    LevelSpec("sozialraum", "Sozialraum"),
    LevelSpec("statistischer_bezirk", "Statistischer Bezirk"),
)
AREA_FILES = (
    AreaFileSpec("stadt.geojson", "stadt", "code", "name", None),
    AreaFileSpec("stadtbezirke.geojson", "stadtbezirk", "code", "name", "parent"),
    AreaFileSpec("sozialraeume.geojson", "sozialraum", "code", "name", "parent"),
    AreaFileSpec("statistische_bezirke.geojson", "statistischer_bezirk", "code", "name", "parent"),
)
DATA_FILES = (
    DataFileSpec("bevoelkerung.csv", "mapping-bevoelkerung.yaml"),
    DataFileSpec("sozialdaten.csv", "mapping-sozialdaten.yaml"),
)
AREA_COLUMN = "Bezirk"
YEAR_COLUMN = "Jahr"
BREAKDOWN_COLUMNS = {
    "Altersgruppe": "age_group",
    "Geschlecht": "gender",
    "Staatsangehörigkeit": "nationality",
}

README = """\
Musterstadt (synthetisch) – alle Daten sind erfunden.

Musterstadt ist eine fiktive Stadt mit etwa 600.000 Einwohnerinnen und Einwohnern. Gebiete,
Namen und Zahlen in diesem Ordner wurden mit einem Zufallsgenerator (Startwert {seed}) erzeugt.
Sie beschreiben keine reale Stadt und keine realen Personen; Ähnlichkeiten mit wirklichen Orten
sind zufällig.

Musterstadt is a fictional city. All areas, names and figures in this folder are synthetic,
generated from the seed {seed}; they describe no real city and no real persons.

Dateien / files: siehe manifest.json (Reihenfolge des Imports / order of import).
"""


def export_city(city: City, out: Path) -> Manifest:
    """Write all files of `city` into `out` (created if missing) and return the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    _write_areas(city, out)
    _write_population(city, out / DATA_FILES[0].file)
    _write_social(city, out / DATA_FILES[1].file)
    _write_mappings(out)
    manifest = _manifest(city)
    write_json(out / MANIFEST_FILE, manifest.to_json())
    (out / "README.txt").write_text(README.format(seed=city.seed), encoding="utf-8")
    return manifest


def _write_areas(city: City, out: Path) -> None:
    hierarchy, polygons = city.hierarchy, city.layout.polygons
    levels: tuple[list[Area], ...] = (
        [hierarchy.stadt],
        hierarchy.stadtbezirke,
        hierarchy.sozialraeume,
        hierarchy.statistische_bezirke,
    )
    for spec, areas in zip(AREA_FILES, levels, strict=True):
        features = [
            (area.code, area.name, area.parent, union_of(polygons, list(area.cells)))
            for area in areas
        ]
        write_geojson(out / spec.file, spec.file.removesuffix(".geojson"), features)


def _cells_by_code(city: City) -> list[tuple[str, int]]:
    return [(bezirk.code, bezirk.cells[0]) for bezirk in city.hierarchy.statistische_bezirke]


def _write_population(city: City, path: Path) -> None:
    header = [YEAR_COLUMN, AREA_COLUMN, *BREAKDOWN_COLUMNS, "Einwohner"]
    write_csv(path, header, _population_rows(city))


def _population_rows(city: City) -> Iterator[list[str]]:
    people = city.people
    for column, year in enumerate(YEARS.tolist()):
        for code, cell in _cells_by_code(city):
            counts = people[cell, column]
            for a, age in enumerate(AGE_GROUPS):
                for g, gender in enumerate(GENDERS):
                    for n, nationality in enumerate(NATIONALITIES):
                        value = german_count(int(counts[a, g, n]))
                        yield [str(year), code, age, gender, nationality, value]


def _write_social(city: City, path: Path) -> None:
    header = [YEAR_COLUMN, AREA_COLUMN, *(title for title, _ in SOZIALDATEN_COLUMNS)]
    write_csv(path, header, _social_rows(city))


def _social_rows(city: City) -> Iterator[list[str]]:
    keys = [key for _, key in SOZIALDATEN_COLUMNS]
    table = np.stack([city.social[key] for key in keys], axis=2)
    for column, year in enumerate(YEARS.tolist()):
        for code, cell in _cells_by_code(city):
            row = [str(year), code]
            for key, value in zip(keys, table[cell, column].tolist(), strict=True):
                row.append(
                    german_decimal(value) if key in DECIMAL_VARIABLES else german_count(int(value))
                )
            yield row


def _write_mappings(out: Path) -> None:
    comment = "Column mapping for `quartier import-data {file} --mapping {mapping}`."
    population = DATA_FILES[0]
    write_yaml(
        out / population.mapping,
        comment.format(file=population.file, mapping=population.mapping),
        _mapping(BREAKDOWN_COLUMNS, {"Einwohner": "einwohner"}),
    )
    social = DATA_FILES[1]
    write_yaml(
        out / social.mapping,
        comment.format(file=social.file, mapping=social.mapping),
        _mapping({}, dict(SOZIALDATEN_COLUMNS)),
    )


def _mapping(breakdowns: dict[str, str], variables: dict[str, str]) -> dict[str, object]:
    return {
        "layout": "wide",
        "area": AREA_COLUMN,
        "area_level": "statistischer_bezirk",
        "period": YEAR_COLUMN,
        "breakdowns": breakdowns,
        "variables": variables,
        "source": SOURCE,
    }


def _manifest(city: City) -> Manifest:
    sozialraum = {s.code: s for s in city.hierarchy.sozialraeume}
    bezirk = {b.code: b for b in city.hierarchy.statistische_bezirke}
    plan = city.plan
    story = Story(
        baseline_year=BASELINE_YEAR,
        target_year=TARGET_YEAR,
        improving=tuple(
            ImprovingArea(code, sozialraum[code].name, lagging, bezirk[lagging].name)
            for code, lagging in zip(plan.improving, plan.lagging, strict=True)
        ),
        declining=tuple(DecliningArea(code, sozialraum[code].name) for code in plan.declining),
    )
    return Manifest(
        city=CITY,
        synthetic=True,
        seed=city.seed,
        crs=CRS,
        first_year=int(YEARS[0]),
        last_year=int(YEARS[-1]),
        levels=LEVELS,
        areas=AREA_FILES,
        data=DATA_FILES,
        story=story,
    )
