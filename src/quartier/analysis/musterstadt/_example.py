"""A tiny sample of Musterstadt, shipped with the package, for examples and quick tests.

The sample is one Stadtbezirk of the city generated from the default seed: the Stadtbezirk of
the story's first improving Sozialraum, with its Sozialräume and statistische Bezirke, four
years (the story's baseline year, the target year, one and five years before it) and the counts
of a handful of catalogue indicators. The Stadtbezirk is the top of the sample's hierarchy
(rank 0): comparisons with "the city" in the results are comparisons with it.

The files are plain CSV (UTF-8, ``,``, integers), written by `write_example` from a generated
city and read by `load_example`:

- ``areas.csv``: ``code``, ``name``, ``level``, ``rank``, ``parent``;
- ``sozialdaten.csv``: ``area``, ``period`` and one column per variable of `SOCIAL_VARIABLES`;
- ``bevoelkerung.csv``: ``area``, ``period`` and the inhabitants (``einwohner``) of each age
  group, one column per group, headed by its breakdown key (``age_group=0-5``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import polars as pl

from quartier.analysis.musterstadt._export import DATA_FILES
from quartier.analysis.musterstadt._manifest import Manifest, read_manifest
from quartier.analysis.musterstadt._population import AGE_GROUPS
from quartier.analysis.tables import (
    format_key,
    key_expression,
    read_mapping_file,
    read_table,
    spec_from_mapping,
    tidy_table,
)

__all__ = [
    "EXAMPLE_FILES",
    "SOCIAL_VARIABLES",
    "Example",
    "load_example",
    "write_example",
]

# The variables of sozialdaten.csv kept in the sample: with the inhabitants by age group, enough
# for the indicators einwohnerzahl, anteil_unter_18, anteil_65plus, anteil_80plus,
# bevoelkerungsentwicklung, sgb2_quote, sgb2_quote_kinder and grundsicherung_alter.
SOCIAL_VARIABLES = (
    "einwohner",
    "einwohner_u65",
    "einwohner_65plus",
    "kinder_u15",
    "sgb2",
    "sgb2_u15",
    "grusi_65plus",
)
AREAS_FILE = "areas.csv"
SOCIAL_FILE = "sozialdaten.csv"
POPULATION_FILE = "bevoelkerung.csv"
README_FILE = "README.txt"
EXAMPLE_FILES = (README_FILE, AREAS_FILE, SOCIAL_FILE, POPULATION_FILE)
_PACKAGE_FOLDER = "example"
_AGE_KEYS = tuple(format_key({"age_group": group}) for group in AGE_GROUPS)
_NOTHING = "-"
# The city's data files: inhabitants by age group, gender and nationality; the social data.
_CITY_POPULATION, _CITY_SOCIAL = (spec.file for spec in DATA_FILES)

_README = """\
Musterstadt (synthetisch) – alle Daten sind erfunden. / All data are synthetic.

A tiny sample of Musterstadt (seed {seed}) for quartier.analysis.musterstadt.load_example():
Stadtbezirk {code} {name}, its {sozialraeume} Sozialräume and {bezirke} statistische Bezirke,
the years {years}.

Do not edit these files: regenerate them with

    python scripts/make_musterstadt_example.py
"""


@dataclass(frozen=True)
class Example:
    """The sample of Musterstadt, in the frames the indicator engine and disclosure take.

    Attributes
    ----------
    areas : polars.DataFrame
        Every area of the sample: ``code``, ``level``, ``rank`` (0 = the Stadtbezirk, the top
        of the sample) and ``parent`` (null for the Stadtbezirk), as `compute_indicators`
        (``quartier.analysis.indicators``) and `publish` (``quartier.analysis.disclosure``)
        take them.
    observations : polars.DataFrame
        Tidy observations of the statistische Bezirke, as the importer gives them and
        `compute_indicators` takes them: ``area``, ``period``, ``variable``,
        ``breakdown_key`` ("" for totals, ``age_group=...`` for the inhabitants by age group),
        ``value`` and ``flag`` ("", or "-" with a null value for a count of zero).
    names : mapping of str to str
        The name of every area by its code.
    years : tuple of int
        The years of the observations.
    """

    areas: pl.DataFrame
    observations: pl.DataFrame
    names: Mapping[str, str]
    years: tuple[int, ...]


def load_example() -> Example:
    """The tiny sample of Musterstadt shipped with the package.

    One Stadtbezirk of the city of the default seed with its 3 Sozialräume and 14 statistische
    Bezirke, the years 2012, 2019, 2023 and 2024, and the counts behind the indicators
    einwohnerzahl, anteil_unter_18, anteil_65plus, anteil_80plus, sgb2_quote,
    sgb2_quote_kinder, grundsicherung_alter and (for 2024) bevoelkerungsentwicklung. The files
    are read from the installed package; nothing is generated.

    Returns
    -------
    Example
        The areas and observations, ready for `compute_indicators`.

    Examples
    --------
    >>> from quartier.analysis.catalogue import load_catalogue
    >>> from quartier.analysis.indicators import compute_indicators
    >>> example = load_example()
    >>> example.areas.group_by("rank", "level").len().sort("rank").rows()
    [(0, 'stadtbezirk', 1), (1, 'sozialraum', 3), (2, 'statistischer_bezirk', 14)]
    >>> example.names["11"], example.years
    ('Hafen', (2012, 2019, 2023, 2024))
    >>> example.observations.columns
    ['area', 'period', 'variable', 'breakdown_key', 'value', 'flag']
    >>> results = compute_indicators(
    ...     example.observations, example.areas, load_catalogue(),
    ...     indicators=["einwohnerzahl"], breakdowns=False,
    ... )
    >>> results.values.filter(pl.col("area") == "11").select("period", "value").rows()
    [(2012, 31575.0), (2019, 33843.0), (2023, 34895.0), (2024, 35115.0)]
    """
    folder = resources.files(__package__).joinpath(_PACKAGE_FOLDER)
    areas = pl.read_csv(
        folder.joinpath(AREAS_FILE).read_bytes(),
        schema={
            "code": pl.Utf8,
            "name": pl.Utf8,
            "level": pl.Utf8,
            "rank": pl.Int64,
            "parent": pl.Utf8,
        },
    )
    social = _read_counts(folder.joinpath(SOCIAL_FILE).read_bytes(), SOCIAL_VARIABLES)
    population = _read_counts(folder.joinpath(POPULATION_FILE).read_bytes(), _AGE_KEYS)
    observations = pl.concat(
        [
            _tidy(social, variable=pl.col("column"), key=pl.lit("")),
            _tidy(population, variable=pl.lit("einwohner"), key=pl.col("column")),
        ]
    )
    years = tuple(sorted(observations["period"].unique().to_list()))
    return Example(
        areas=areas.select("code", "level", "rank", "parent"),
        observations=observations,
        names=dict(zip(areas["code"].to_list(), areas["name"].to_list(), strict=True)),
        years=years,
    )


def _read_counts(content: bytes, columns: Sequence[str]) -> pl.DataFrame:
    schema: dict[str, pl.DataType] = {"area": pl.Utf8(), "period": pl.Int64()}
    schema.update({column: pl.Int64() for column in columns})
    return pl.read_csv(content, schema=schema)


def _tidy(wide: pl.DataFrame, *, variable: pl.Expr, key: pl.Expr) -> pl.DataFrame:
    """One row per area, period and column; a zero as the importer reads "-"."""
    long = wide.unpivot(index=["area", "period"], variable_name="column", value_name="count")
    zero = pl.col("count") == 0
    return long.select(
        "area",
        "period",
        variable.alias("variable"),
        key.alias("breakdown_key"),
        pl.when(zero).then(None).otherwise(pl.col("count")).cast(pl.Float64).alias("value"),
        pl.when(zero).then(pl.lit(_NOTHING)).otherwise(pl.lit("")).alias("flag"),
    )


def write_example(city: Path, out: Path) -> list[Path]:
    """Write the sample of the Musterstadt generated in the folder `city` into `out`.

    `city` holds the files of `generate`; the sample takes the Stadtbezirk of the story's
    first improving Sozialraum and the years of the story (baseline, target, one and five
    years before the target). `out` is created if it does not exist; the files of
    `EXAMPLE_FILES` in it are overwritten.

    Parameters
    ----------
    city : pathlib.Path
        A folder written by `generate`.
    out : pathlib.Path
        The folder of the sample.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    ValueError
        If the chosen counts hold a secret or missing cell (a generated city has none).
    """
    manifest = read_manifest(city)
    areas = _sample_areas(city, manifest)
    codes = set(areas["code"].to_list())
    story = manifest.story
    target = story.target_year
    years = sorted({story.baseline_year, target - 5, target - 1, target})
    tidy = {
        spec.file: _read_data(city, spec.file, spec.mapping, codes, years) for spec in manifest.data
    }
    social = _wide(
        tidy[_CITY_SOCIAL].filter(pl.col("variable").is_in(SOCIAL_VARIABLES)),
        pl.col("variable"),
        SOCIAL_VARIABLES,
    )
    by_age = tidy[_CITY_POPULATION].filter(pl.col("variable") == "einwohner")
    population = _wide(by_age, key_expression(["age_group"]), _AGE_KEYS)
    out.mkdir(parents=True, exist_ok=True)
    top = areas.row(0, named=True)
    readme = _README.format(
        seed=manifest.seed,
        code=top["code"],
        name=top["name"],
        sozialraeume=areas.filter(pl.col("rank") == 1).height,
        bezirke=areas.filter(pl.col("rank") == 2).height,
        years=", ".join(str(year) for year in years),
    )
    (out / README_FILE).write_text(readme, encoding="utf-8")
    _write_csv(out / AREAS_FILE, areas.columns, areas.rows())
    _write_csv(out / SOCIAL_FILE, social.columns, social.rows())
    _write_csv(out / POPULATION_FILE, population.columns, population.rows())
    return [out / name for name in EXAMPLE_FILES]


def _sample_areas(city: Path, manifest: Manifest) -> pl.DataFrame:
    """The chosen Stadtbezirk (rank 0), its Sozialräume (1) and statistische Bezirke (2)."""
    by_level: dict[str, list[tuple[str, str, str | None]]] = {}
    for spec in manifest.areas:
        collection = json.loads((city / spec.file).read_text(encoding="utf-8"))
        by_level[spec.level] = [
            (
                feature["properties"][spec.code_field],
                feature["properties"][spec.name_field],
                feature["properties"].get(spec.parent_field) if spec.parent_field else None,
            )
            for feature in collection["features"]
        ]
    levels = [level.key for level in manifest.levels]
    parent_of = {code: parent for code, _, parent in by_level["sozialraum"] if parent}
    top = parent_of[manifest.story.improving[0].sozialraum]
    name_of = {code: name for code, name, _ in by_level["stadtbezirk"]}
    rows: list[tuple[str, str, str, int, str | None]] = [
        (top, name_of[top], "stadtbezirk", 0, None)
    ]
    for rank, level in enumerate(levels[levels.index("stadtbezirk") + 1 :], start=1):
        above = {row[0] for row in rows if row[3] == rank - 1}
        rows += [
            (code, name, level, rank, parent)
            for code, name, parent in sorted(by_level[level])
            if parent in above
        ]
    return pl.DataFrame(
        rows, schema=["code", "name", "level", "rank", "parent"], orient="row"
    ).with_columns(pl.col("rank").cast(pl.Int64))


def _read_data(
    city: Path, file: str, mapping_file: str, codes: set[str], years: Sequence[int]
) -> pl.DataFrame:
    """A data file of the city, read as the importer reads it, for the sample's areas and years."""
    mapping = read_mapping_file(city / mapping_file)
    mapping.pop("area_level", None)
    tidy = tidy_table(read_table(city / file), spec_from_mapping(mapping, where=mapping_file))
    sample = tidy.filter(pl.col("area").is_in(sorted(codes)), pl.col("period").is_in(years))
    unusable = sample.filter(pl.col("value").is_null() & (pl.col("flag") != _NOTHING))
    if unusable.height:
        row = unusable.row(0, named=True)
        raise ValueError(f"{file}: no count for {row['variable']} in {row['area']}")
    return sample.with_columns(pl.col("value").fill_null(0.0))


def _wide(tidy: pl.DataFrame, column: pl.Expr, columns: Sequence[str]) -> pl.DataFrame:
    """Counts summed by area, period and `column`, one column each, in the order given."""
    summed = (
        tidy.group_by("area", "period", column.alias("column"))
        .agg(pl.col("value").sum().round().cast(pl.Int64))
        .pivot("column", index=["area", "period"], values="value")
    )
    return summed.select("area", "period", *columns).sort("period", "area")


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(["" if cell is None else cell for cell in row] for row in rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
