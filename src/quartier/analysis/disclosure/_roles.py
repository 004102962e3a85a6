"""Where each result row's figures sit: the places of the rows and the count of each role."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from quartier.analysis.catalogue import Catalogue

from ._count_names import describe
from ._relations import BoolArray, FloatArray
from ._slots import NONE, Positions


@dataclass(frozen=True)
class Places:
    """The areas numbered from the top down, children of one parent next to each other.

    In this order the cells of one count and year, sorted by area, have their parents in
    ascending order too, so the hierarchy's relations come out (nearly) sorted.
    """

    codes: list[str]
    parent: Positions  # the parent's number (-1: none)
    is_root: BoolArray  # the city (an area without a parent)
    of_rows: Positions  # the number of each result row's area

    @classmethod
    def of(cls, areas: pl.DataFrame, row_areas: pl.Series) -> Places:
        table = areas.select(pl.col("code").cast(pl.Utf8), pl.col("parent").cast(pl.Utf8))
        number: dict[str, int] = {}
        tier = table.filter(pl.col("parent").is_null())["code"].to_list()
        roots = len(tier)
        parents = dict(zip(table["code"].to_list(), table["parent"].to_list(), strict=True))
        children: dict[str, list[str]] = {}
        for code, parent in parents.items():
            if parent is not None:
                children.setdefault(parent, []).append(code)
        while tier:
            fresh = [code for code in tier if code not in number]
            for code in fresh:
                number.setdefault(code, len(number))
            tier = [child for code in fresh for child in children.get(code, [])]
        # Areas below no root (or only in the results) come last, without a parent.
        rest = [code for code in parents if code not in number]
        rest += [c for c in row_areas.unique(maintain_order=True).to_list() if c not in parents]
        for code in rest:
            number.setdefault(code, len(number))
        codes = list(number)
        parent = np.full(len(codes), NONE, dtype=np.int64)
        for code, i in number.items():
            up = parents.get(code)
            if up is not None and up in number:
                parent[i] = number[up]
        is_root = np.zeros(len(codes), dtype=np.bool_)
        is_root[:roots] = True
        of_rows = row_areas.cast(pl.Utf8).cast(pl.Enum(codes)).to_physical().to_numpy()
        return cls(codes, parent, is_root, of_rows.astype(np.int64))


@dataclass(frozen=True)
class Layout:
    """A cell's slot: (count, year, area) packed into one integer."""

    first_period: int
    periods: int
    areas: int

    @property
    def per_count(self) -> int:
        return self.periods * self.areas

    def slot(self, count: Positions, period: Positions, area: Positions) -> Positions:
        # In place on one new array: millions of rows, and each new array costs its pages.
        slot = np.multiply(count, self.periods, dtype=np.int64)
        slot += period
        slot -= self.first_period
        slot *= self.areas
        slot += area
        return slot


@dataclass(frozen=True)
class Roles:
    """Per result row the slot of its numerator and of its denominator, and their values."""

    names: list[str]  # the count names, by number
    layout: Layout
    numerator: Positions
    denominator: Positions
    has_denominator: BoolArray
    table: Positions
    tables: list[tuple[str, str]]
    numerator_value: FloatArray
    denominator_value: FloatArray

    @classmethod
    def of(cls, results: pl.DataFrame, catalogue: Catalogue, places: Places) -> Roles:
        pair, pairs = _pairs(results)
        described = [describe(catalogue.indicator(i), key) for i, key in pairs]
        names: dict[str, int] = {}
        for numerator_name, denominator_name, _ in described:
            names.setdefault(numerator_name, len(names))
            if denominator_name is not None:
                names.setdefault(denominator_name, len(names))
        numerator_count = np.array([names[d[0]] for d in described], dtype=np.int64)
        denominator_count = np.array(
            [NONE if d[1] is None else names[d[1]] for d in described], dtype=np.int64
        )
        lag = np.array([d[2] for d in described], dtype=np.int64)
        period = results["period"].cast(pl.Int64).to_numpy()
        has_denominator = denominator_count[pair] >= 0
        denominator_period = period - lag[pair]
        earlier = denominator_period[has_denominator]
        first, last = 0, 0
        if period.size:
            first = min(int(period.min()), int(earlier.min(initial=period.min())))
            last = max(int(period.max()), int(earlier.max(initial=period.max())))
        layout = Layout(first, last - first + 1, len(places.codes))
        area = places.of_rows
        return cls(
            names=list(names),
            layout=layout,
            numerator=layout.slot(numerator_count[pair], period, area),
            # Rows without a denominator get slot 0 here; `has_denominator` tells them apart.
            denominator=np.where(
                has_denominator,
                layout.slot(np.maximum(denominator_count[pair], 0), denominator_period, area),
                0,
            ),
            has_denominator=has_denominator,
            table=pair,
            tables=pairs,
            numerator_value=_floats(results["numerator"]),
            denominator_value=_floats(results["denominator"]),
        )


def _pairs(results: pl.DataFrame) -> tuple[Positions, list[tuple[str, str]]]:
    """Per row the number of its (indicator, breakdown key) pair, and the pairs."""
    indicator = results["indicator"].cast(pl.Utf8)
    key = results["breakdown_key"].cast(pl.Utf8)
    indicators = indicator.unique(maintain_order=True).to_list()
    keys = key.unique(maintain_order=True).to_list()
    code = (
        indicator.cast(pl.Enum(indicators)).to_physical().to_numpy().astype(np.int64) * len(keys)
        + key.cast(pl.Enum(keys)).to_physical().to_numpy()
    )
    present = np.flatnonzero(np.bincount(code, minlength=len(indicators) * len(keys)))
    number = np.full(len(indicators) * len(keys), NONE, dtype=np.int64)
    number[present] = np.arange(present.size)
    pairs = [(indicators[c // len(keys)], keys[c % len(keys)]) for c in present.tolist()]
    return number[code], pairs


def _floats(column: pl.Series) -> FloatArray:
    """The column as floats, NaN where null (one copy)."""
    floats: FloatArray = column.cast(pl.Float64).to_numpy()
    return floats
