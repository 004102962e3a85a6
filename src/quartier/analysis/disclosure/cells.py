"""The base counts behind the figures of indicator results, and the relations between them.

Every numerator and denominator of a result row is a count: the sum of some cells of one or
more variables in one area and year. The same count appears under many names — the
inhabitants of an area are the count of `einwohnerzahl`, the denominator of every share, the
numerator of the population change and, five years later, its denominator. Disclosure control
must decide about the count, once, not about each name: so each figure is mapped to its
*count cell*, identified by what it counts (the canonical set of variable cells it sums), the
area and the year it refers to.

An *atom* is one variable restricted to one value of each of some breakdown dimensions
(``einwohner|age_group=80+;gender=weiblich``). A count cell is a set of atoms: one atom for
``einwohnerzahl`` by age group and gender, two for the 65-and-over (65-79 and 80+).

The relations an attacker knows between count cells of one year:

- hierarchy: an area's count is the sum of the same count of its child areas;
- margins: an atom summed over the values of one more dimension is the atom without it;
- sums: a count of several atoms is the sum of those atoms' counts.

Where some parts of a relation are not figures of any indicator (a category no indicator
shows, an area without rows), the rest of the total is a cell of its own that is never
published, so every relation holds exactly.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from quartier.analysis.catalogue import Catalogue, Indicator, Term

from .relations import BoolArray, FloatArray, RelationSet

__all__ = ["CountCells", "count_cells"]

Positions = npt.NDArray[np.int64]
_NONE = -1


@dataclass(frozen=True)
class CountCells:
    """The count cells behind a frame of indicator results.

    Attributes
    ----------
    values
        The value of each cell (NaN where it is unknown).
    never_published
        Cells that are no figure of any row: remainders of relations.
    relations
        The relations between the cells.
    numerator, denominator
        Per result row, the cell of its numerator and of its denominator (-1: none).
    is_city
        Cells of the top area.
    """

    values: FloatArray
    never_published: BoolArray
    relations: RelationSet
    numerator: Positions
    denominator: Positions
    is_city: BoolArray


def count_cells(results: pl.DataFrame, *, areas: pl.DataFrame, catalogue: Catalogue) -> CountCells:
    """Map each row's numerator and denominator to its count cell; find the relations.

    ``results`` has the columns ``indicator``, ``area``, ``period``, ``breakdown_key``,
    ``numerator`` and ``denominator``; ``areas`` has ``code`` and ``parent``.
    """
    counts = _counts_of_rows(results, catalogue)
    found = _found_cells(counts)
    values = _cell_values(found)
    cells = found.select("cell", "count", "area", "period")
    roles = counts.join(cells, on=["count", "area", "period"], how="left")
    numerator = _per_row(roles, "numerator", results.height)
    denominator = _per_row(roles, "denominator", results.height)
    expressions = _expressions(counts)
    parents = _parents(areas)
    triples = pl.concat(
        [
            _hierarchy(cells, parents),
            _margins(cells, expressions),
            _sums(cells, expressions),
        ],
        how="vertical",
    )
    city = set(areas.filter(pl.col("parent").is_null())["code"].to_list())
    is_city = cells["area"].is_in(list(city)).to_numpy()
    return _with_remainders(values, triples, numerator, denominator, is_city)


def _counts_of_rows(results: pl.DataFrame, catalogue: Catalogue) -> pl.DataFrame:
    """One row per result row and role: the count's name, area and the year it refers to."""
    pairs = results.select("indicator", "breakdown_key").unique(maintain_order=True)
    described = [
        _describe(catalogue.indicator(indicator), key) for indicator, key in pairs.iter_rows()
    ]
    table = pl.DataFrame(
        {
            "indicator": pairs["indicator"],
            "breakdown_key": pairs["breakdown_key"],
            "numerator_count": [d[0] for d in described],
            "denominator_count": [d[1] for d in described],
            "lag": [d[2] for d in described],
        },
        schema_overrides={"numerator_count": pl.Utf8, "denominator_count": pl.Utf8},
    )
    rows = results.select(
        "indicator", "area", "period", "breakdown_key", "numerator", "denominator"
    ).with_row_index("row")
    rows = rows.join(table, on=["indicator", "breakdown_key"], how="left", maintain_order="left")
    numerators = rows.select(
        "row",
        pl.lit("numerator").alias("role"),
        pl.col("numerator_count").alias("count"),
        "area",
        pl.col("period").cast(pl.Int64),
        pl.col("numerator").alias("value"),
    )
    denominators = rows.filter(pl.col("denominator_count").is_not_null()).select(
        "row",
        pl.lit("denominator").alias("role"),
        pl.col("denominator_count").alias("count"),
        "area",
        (pl.col("period").cast(pl.Int64) - pl.col("lag")).alias("period"),
        pl.col("denominator").alias("value"),
    )
    # Categoricals: the joins below match millions of rows on these names.
    both = pl.concat([numerators, denominators])
    return both.with_columns(pl.col("count", "area").cast(pl.Categorical))


def _describe(indicator: Indicator, key: str) -> tuple[str, str | None, int]:
    """The names of the numerator and denominator counts in one breakdown cell, and the lag."""
    cell = _parse_key(key)
    numerator = _count_name(indicator.numerator, cell)
    if indicator.kind == "change":
        return numerator, numerator, indicator.years or 1
    if indicator.kind == "count" or not indicator.denominator:
        return numerator, None, 0
    return numerator, _count_name(indicator.denominator, cell), 0


def _count_name(terms: Sequence[Term], cell: Mapping[str, str]) -> str:
    """The canonical name of a count: its atoms, sorted, joined by " + "."""
    atoms: set[str] = set()
    for term in terms:
        atoms.update(_atoms(term, cell))
    return " + ".join(sorted(atoms))


def _atoms(term: Term, cell: Mapping[str, str]) -> Iterable[str]:
    restriction = {dimension: tuple(values) for dimension, values in term.breakdown}
    for dimension, value in cell.items():
        allowed = restriction.get(dimension)
        restriction[dimension] = (value,) if allowed is None or value in allowed else ()
    dimensions = sorted(restriction)
    for combination in itertools.product(*(restriction[d] for d in dimensions)):
        yield atom_name(term.variable, dict(zip(dimensions, combination, strict=True)))


def atom_name(variable: str, key: Mapping[str, str]) -> str:
    """``variable|dim=value;...`` with the dimensions sorted.

    Examples
    --------
    >>> atom_name("einwohner", {"gender": "weiblich", "age_group": "80+"})
    'einwohner|age_group=80+;gender=weiblich'
    """
    return variable + "|" + ";".join(f"{d}={key[d]}" for d in sorted(key))


def _parse_key(key: str | None) -> dict[str, str]:
    if not key:
        return {}
    return dict(part.split("=", 1) for part in key.split(";"))


def _found_cells(counts: pl.DataFrame) -> pl.DataFrame:
    """One row per cell (count, area, year) in order of appearance, with its lowest and
    highest value under any name."""
    found = counts.group_by(["count", "area", "period"], maintain_order=True).agg(
        pl.col("value").drop_nulls().min().alias("low"),
        pl.col("value").drop_nulls().max().alias("high"),
    )
    return found.with_row_index("cell")


def _cell_values(found: pl.DataFrame) -> FloatArray:
    """Each cell's value; the same count under several names must have one value."""
    conflict = found.filter(pl.col("low") != pl.col("high"))
    if conflict.height:
        _, name, area, period, low, high = conflict.row(0)
        raise ValueError(f"the count {name} of {area} in {period} is both {low} and {high}")
    return found["low"].cast(pl.Float64).fill_null(np.nan).to_numpy().copy()


def _per_row(roles: pl.DataFrame, role: str, height: int) -> Positions:
    chosen = roles.filter(pl.col("role") == role)
    out = np.full(height, _NONE, dtype=np.int64)
    out[chosen["row"].to_numpy()] = chosen["cell"].to_numpy()
    return out


@dataclass(frozen=True)
class _Expressions:
    """The counts named, split into atoms: count name -> atoms, atom -> variable and key."""

    atoms: pl.DataFrame  # count, atom
    single: pl.DataFrame  # atom, variable, key (counts of exactly one atom)


def _expressions(counts: pl.DataFrame) -> _Expressions:
    names = counts.select(pl.col("count").unique().cast(pl.Utf8))
    atoms = names.with_columns(pl.col("count").str.split(" + ").alias("atom")).explode("atom")
    sizes = atoms.group_by("count").agg(pl.len().alias("size"))
    single = (
        atoms.join(sizes.filter(pl.col("size") == 1), on="count")
        .select(
            "atom",
            pl.col("atom").str.split_exact("|", 1).struct.field("field_0").alias("variable"),
            pl.col("atom").str.split_exact("|", 1).struct.field("field_1").alias("key"),
        )
        .unique()
    )
    return _Expressions(atoms=atoms, single=single)


def _parents(areas: pl.DataFrame) -> dict[str, str | None]:
    return dict(zip(areas["code"].to_list(), areas["parent"].to_list(), strict=True))


def _hierarchy(cells: pl.DataFrame, parents: Mapping[str, str | None]) -> pl.DataFrame:
    """(relation, total cell, part cell): each cell is a part of its nearest present ancestor."""
    remaining = cells.select("cell", "count", "period", "area")
    present = cells.select(pl.col("cell").alias("total"), "count", "period", "area")
    found: list[pl.DataFrame] = []
    ancestor = pl.col("ancestor")
    remaining = remaining.with_columns(
        pl.col("area")
        .cast(pl.Utf8)
        .replace_strict(parents, default=None, return_dtype=pl.Utf8)
        .cast(pl.Categorical)
        .alias("ancestor")
    )
    while remaining.height:
        remaining = remaining.filter(ancestor.is_not_null())
        joined = remaining.join(
            present.rename({"area": "ancestor"}),
            on=["count", "period", "ancestor"],
            how="left",
        )
        hit = joined.filter(pl.col("total").is_not_null())
        found.append(hit.select("total", pl.col("cell").alias("part")))
        remaining = joined.filter(pl.col("total").is_null()).select(
            "cell",
            "count",
            "period",
            "area",
            ancestor.cast(pl.Utf8)
            .replace_strict(parents, default=None, return_dtype=pl.Utf8)
            .cast(pl.Categorical)
            .alias("ancestor"),
        )
    pairs = (
        pl.concat(found) if found else pl.DataFrame(schema={"total": pl.UInt32, "part": pl.UInt32})
    )
    return pairs.with_columns(pl.format("h{}", pl.col("total")).alias("relation"))


def _margins(cells: pl.DataFrame, expressions: _Expressions) -> pl.DataFrame:
    """(relation, total, part): an atom is the sum of its atoms with one dimension more."""
    single = expressions.single
    parsed = single.with_columns(
        pl.col("key").str.split(";").list.eval(pl.element().filter(pl.element() != ""))
    )
    categories = (
        parsed.explode("key")
        .filter(pl.col("key").is_not_null())
        .select("variable", pl.col("key").str.split_exact("=", 1).struct.unnest())
        .rename({"field_0": "dimension", "field_1": "value"})
        .unique()
    )
    pairs: list[tuple[str, str, str]] = []
    by_variable: dict[str, dict[str, list[str]]] = {}
    for variable, dimension, value in categories.iter_rows():
        by_variable.setdefault(variable, {}).setdefault(dimension, []).append(value)
    known = set(single["atom"].to_list())
    for atom, variable, key in single.iter_rows():
        cell = _parse_key(key)
        for dimension, values in by_variable.get(variable, {}).items():
            if dimension in cell:
                continue
            for value in values:
                part = atom_name(variable, {**cell, dimension: value})
                if part in known:
                    pairs.append((atom, f"{atom}/{dimension}", part))
    groups = pl.DataFrame(
        pairs, schema={"count": pl.Utf8, "group": pl.Utf8, "part_count": pl.Utf8}, orient="row"
    ).with_columns(pl.col("count", "part_count").cast(pl.Categorical))
    return _within_areas(cells, groups)


def _sums(cells: pl.DataFrame, expressions: _Expressions) -> pl.DataFrame:
    """(relation, total, part): a count of several atoms is the sum of the atoms' counts."""
    atoms = expressions.atoms
    sizes = atoms.group_by("count").agg(pl.len().alias("size"))
    several = atoms.join(sizes.filter(pl.col("size") > 1), on="count").select(
        pl.col("count").cast(pl.Categorical),
        pl.col("count").alias("group"),
        pl.col("atom").cast(pl.Categorical).alias("part_count"),
    )
    return _within_areas(cells, several)


def _within_areas(cells: pl.DataFrame, groups: pl.DataFrame) -> pl.DataFrame:
    """Count-level relations (count, group, part_count) made cell-level, area by area."""
    totals = cells.select(pl.col("cell").alias("total"), "count", "area", "period")
    parts = cells.select(
        pl.col("cell").alias("part"), pl.col("count").alias("part_count"), "area", "period"
    )
    joined = totals.join(groups, on="count").join(parts, on=["part_count", "area", "period"])
    return joined.select(
        "total",
        "part",
        pl.format("{}@{}", pl.col("group"), pl.col("total")).alias("relation"),
    )


def _with_remainders(
    values: FloatArray,
    triples: pl.DataFrame,
    numerator: Positions,
    denominator: Positions,
    is_city: BoolArray,
) -> CountCells:
    """Relations from (relation, total, part) rows; a remainder cell where parts are missing."""
    # Relations in the order they first appear, each with its parts in ascending order:
    # one sort of all rows is much faster than sorting each relation's list of parts.
    ordered = (
        triples.with_row_index("_row")
        .with_columns(pl.col("_row").min().over("relation").alias("_first"))
        .sort("_first", "part")
    )
    grouped = ordered.group_by("_first", maintain_order=True).agg(
        pl.col("total").first(), pl.col("part")
    )
    totals = grouped["total"].to_numpy().astype(np.int64)
    parts = grouped["part"]
    lengths = parts.list.len().to_numpy().astype(np.int64)
    flat = parts.explode().to_numpy().astype(np.int64)
    owners = np.repeat(np.arange(totals.size), lengths)
    sums = np.bincount(owners, weights=values[flat], minlength=totals.size)
    rest = values[totals] - sums
    scale = np.maximum(np.abs(values[totals]), 1.0)
    known = ~np.isnan(rest)
    # Data that break a relation are no knowledge for anyone; an unknown remainder is left
    # out, which only narrows the changes the protection may rely on.
    inconsistent = known & (rest < -1e-9 * scale)
    needs_rest = known & (rest > 1e-9 * scale)
    keep = ~inconsistent
    extra = np.flatnonzero(needs_rest & keep)
    size = values.size
    all_values = np.concatenate([values, rest[extra]])
    rest_cell = np.full(totals.size, _NONE, dtype=np.int64)
    rest_cell[extra] = size + np.arange(extra.size)
    relations = _relation_set(totals, flat, lengths, rest_cell, keep)
    never = np.zeros(all_values.size, dtype=np.bool_)
    never[size:] = True
    return CountCells(
        values=all_values,
        never_published=never,
        relations=relations,
        numerator=numerator,
        denominator=denominator,
        is_city=np.concatenate([is_city, np.zeros(extra.size, dtype=np.bool_)]),
    )


def _relation_set(
    totals: Positions, flat: Positions, lengths: Positions, rest: Positions, keep: BoolArray
) -> RelationSet:
    owners = np.repeat(np.arange(totals.size), lengths)
    chosen = keep[owners]
    members = [flat[chosen], rest[keep & (rest >= 0)]]
    member_owner = [owners[chosen], np.flatnonzero(keep & (rest >= 0))]
    order = np.argsort(np.concatenate(member_owner), kind="stable")
    parts = np.concatenate(members)[order]
    kept = np.flatnonzero(keep)
    counts = lengths[kept] + (rest[kept] >= 0)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    return RelationSet.from_arrays(totals=totals[kept], offsets=offsets, parts=parts)
