"""The Musterstadt count tables that benchmarks/disclosure.py protects with each tool.

A table is one variable over the area hierarchy (city > Stadtbezirk > Sozialraum >
statistischer Bezirk, or down to the Sozialraum only), optionally crossed with breakdown
dimensions, one table per year. Its cells are a long frame: ``period, area, *dims, value``; a
breakdown cell named `TOTAL` is the sum over that dimension, an area above the finest level the
sum of its children.
"""

from __future__ import annotations

import itertools
import json
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from quartier.analysis.musterstadt import Manifest, generate
from quartier.analysis.tables import read_table, tidy_table
from quartier.monitoring.mappings import load_mapping

TOTAL = "Total"
# Breakdown tables of the population (bevoelkerung.csv): name -> dimensions and the finest
# level (3: statistischer Bezirk, 2: Sozialraum). einwohner_agn is the breakdown view of the
# population as quartier's indicators publish it.
BREAKDOWN_TABLES = {
    "einwohner_gn": (("gender", "nationality"), 3),
    "einwohner_ag": (("age_group", "gender"), 3),
    "einwohner_agn": (("age_group", "gender", "nationality"), 3),
    "einwohner_agn_sozialraum": (("age_group", "gender", "nationality"), 2),
}
# Variables of sozialdaten.csv that are not counts.
NOT_COUNTS = ("wohnflaeche",)


@dataclass(frozen=True)
class CountTable:
    """One variable, its breakdown dimensions and its cells in every year."""

    name: str
    dims: tuple[str, ...]
    cells: pl.DataFrame
    areas: pl.DataFrame

    def parents(self) -> dict[str, str | None]:
        return parent_of(self.areas)

    def years(self) -> list[int]:
        return sorted(self.cells["period"].unique().to_list())

    def year(self, period: int) -> pl.DataFrame:
        return self.cells.filter(pl.col("period") == period)


@dataclass(frozen=True)
class City:
    """The areas (code, parent, depth: 0 for the city) and the tidy observations."""

    areas: pl.DataFrame
    social: pl.DataFrame
    population: pl.DataFrame

    def ancestors(self, depth: int) -> dict[str, str]:
        """The area of level `depth` that each finer area lies in."""
        parent = parent_of(self.areas)
        level = dict(self.areas.select("code", "depth").iter_rows())
        found: dict[str, str] = {}
        for code in parent:
            above = code
            while level[above] > depth:
                above = str(parent[above])
            found[code] = above
        return found

    def table_names(self) -> list[str]:
        social = self.social["variable"].unique(maintain_order=True).to_list()
        return [n for n in social if n not in NOT_COUNTS] + list(BREAKDOWN_TABLES)


def parent_of(areas: pl.DataFrame) -> dict[str, str | None]:
    """The parent of every area (None for the city)."""
    return dict(areas.select("code", "parent").iter_rows())


def load_city(seed: int) -> City:
    """Musterstadt for `seed`, generated into a temporary folder and read as the import does."""
    with tempfile.TemporaryDirectory(prefix="musterstadt-") as name:
        folder = Path(name)
        manifest = generate(seed, folder)
        areas = _areas(manifest, folder)
        tidy = {spec.file: _tidy(folder, spec.file, spec.mapping) for spec in manifest.data}
    social, population = tidy["sozialdaten.csv"], tidy["bevoelkerung.csv"]
    return City(areas, social, population)


def _areas(manifest: Manifest, folder: Path) -> pl.DataFrame:
    rows = []
    for depth, spec in enumerate(manifest.areas):
        features = json.loads((folder / spec.file).read_text(encoding="utf-8"))["features"]
        for feature in features:
            properties = feature["properties"]
            parent = properties[spec.parent_field] if spec.parent_field else None
            rows.append((str(properties[spec.code_field]), parent, depth))
    return pl.DataFrame(rows, schema=["code", "parent", "depth"], orient="row")


def _tidy(folder: Path, file: str, mapping: str) -> pl.DataFrame:
    tidy = tidy_table(read_table(folder / file), load_mapping(folder / mapping).spec)
    # A "-" in the file is a zero.
    return tidy.with_columns(pl.col("value").fill_null(0.0).cast(pl.Int64))


def build_table(city: City, name: str, years: Sequence[int] | None) -> CountTable:
    """The table `name` (a variable of the social data or a key of `BREAKDOWN_TABLES`)."""
    dims, finest = BREAKDOWN_TABLES.get(name, ((), 3))
    if name in BREAKDOWN_TABLES:
        leaves = city.population.filter(pl.col("variable") == "einwohner")
    else:
        leaves = city.social.filter(pl.col("variable") == name)
    if leaves.is_empty():
        raise ValueError(f"no table {name!r}; the tables are {', '.join(city.table_names())}")
    if years:
        leaves = leaves.filter(pl.col("period").is_in(list(years)))
        if leaves.is_empty():
            raise ValueError(f"{name}: no data for the years {', '.join(map(str, years))}")
    areas = city.areas.filter(pl.col("depth") <= finest)
    leaves = leaves.with_columns(pl.col("area").replace(city.ancestors(finest)))
    leaves = leaves.group_by(["period", "area", *dims], maintain_order=True).agg(
        pl.col("value").sum()
    )
    cells = with_ancestors(with_margins(leaves, list(dims)), parent_of(areas), list(dims))
    return CountTable(name, dims, cells.sort(["period", "area", *dims]), areas)


def with_margins(leaves: pl.DataFrame, dims: list[str]) -> pl.DataFrame:
    """The leaf cells plus every margin over the breakdown dimensions (`TOTAL` cells)."""
    frames = []
    for size in range(len(dims) + 1):
        for kept in itertools.combinations(dims, size):
            margin = leaves.group_by(["period", "area", *kept], maintain_order=True).agg(
                pl.col("value").sum()
            )
            totals = [pl.lit(TOTAL).alias(d) for d in dims if d not in kept]
            frames.append(margin.with_columns(totals).select("period", "area", *dims, "value"))
    return pl.concat(frames)


def with_ancestors(
    cells: pl.DataFrame, parent: Mapping[str, str | None], dims: list[str]
) -> pl.DataFrame:
    """The cells of the finest areas plus their sums for every ancestor area."""
    frames, level = [cells], cells
    while True:
        level = level.with_columns(pl.col("area").replace_strict(parent, default=None))
        level = level.filter(pl.col("area").is_not_null())
        if level.is_empty():
            return pl.concat(frames)
        level = level.group_by(["period", "area", *dims], maintain_order=True).agg(
            pl.col("value").sum()
        )
        frames.append(level.select(cells.columns))
