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

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from quartier.analysis.catalogue import Catalogue

from ._count_relations import count_relations, relation_triples, with_remainders
from ._relations import BoolArray, FloatArray, RelationSet
from ._roles import Places, Roles
from ._slots import NONE, Positions, Slots

__all__ = ["CountCells", "count_cells"]

# Per result row: millions of entries, each a number far below 2**31.
RowPositions = npt.NDArray[np.int32]


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
    row_table, row_area
        Per result row, the number of its indicator and breakdown cell, and of its area
        (in ``area_codes``): what the publication needs to find a row's other years and
        its peers without matching strings again.
    tables
        The (indicator, breakdown key) of each table, by number.
    area_codes
        The codes of the areas, by number.
    """

    values: FloatArray
    never_published: BoolArray
    relations: RelationSet
    numerator: RowPositions
    denominator: RowPositions
    is_city: BoolArray
    row_table: RowPositions
    row_area: RowPositions
    tables: list[tuple[str, str]]
    area_codes: list[str]


def count_cells(results: pl.DataFrame, *, areas: pl.DataFrame, catalogue: Catalogue) -> CountCells:
    """Map each row's numerator and denominator to its count cell; find the relations.

    ``results`` has the columns ``indicator``, ``area``, ``period``, ``breakdown_key``,
    ``numerator`` and ``denominator``; ``areas`` has ``code`` and ``parent``.
    """
    places = Places.of(areas, results["area"])
    roles = Roles.of(results, catalogue, places)
    slots = Slots.of(np.concatenate([roles.numerator, roles.denominator[roles.has_denominator]]))
    numerator = slots.find(roles.numerator)
    denominator = np.where(roles.has_denominator, slots.find(roles.denominator), NONE)
    values = _cell_values(slots, numerator, denominator, roles, places)
    layout, between_counts = roles.layout, count_relations(roles.names)
    row_table, tables = roles.table, roles.tables
    # The rows' slots and values are no longer needed, and they are among the largest arrays.
    del roles
    cell_area = slots.keys % layout.areas
    keys, totals, parts = relation_triples(slots, cell_area, places.parent, layout, between_counts)
    del slots
    is_city = places.is_root[cell_area]
    del cell_area
    relations, rest = with_remainders(values, keys, totals, parts)
    return CountCells(
        values=np.concatenate([values, rest]),
        never_published=np.arange(values.size + rest.size) >= values.size,
        relations=relations,
        numerator=_per_row(numerator),
        denominator=_per_row(denominator),
        is_city=np.concatenate([is_city, np.zeros(rest.size, np.bool_)]),
        row_table=_per_row(row_table),
        row_area=_per_row(places.of_rows),
        tables=tables,
        area_codes=places.codes,
    )


def _per_row(positions: Positions) -> RowPositions:
    """Numbers per result row in half the memory (numbers of cells, tables and areas)."""
    if positions.size and int(positions.max()) >= 2**31:
        raise ValueError("more than 2**31 count cells, tables or areas")
    return positions.astype(np.int32)


def _cell_values(
    slots: Slots, numerator: Positions, denominator: Positions, roles: Roles, places: Places
) -> FloatArray:
    """Each cell's value; the same count under several names must have one value."""
    with_denominator = roles.has_denominator
    given = (
        (numerator, roles.numerator_value),
        (denominator[with_denominator], roles.denominator_value[with_denominator]),
    )
    values = np.full(slots.size, np.nan)
    for cells, value in given:
        known = ~np.isnan(value)
        if known.all():
            values[cells] = value
        else:
            values[cells[known]] = value[known]
    for cells, value in given:
        # NaN != NaN: an unknown value is never a conflict.
        conflict = np.flatnonzero((values[cells] != value) & ~np.isnan(value))
        if conflict.size:
            _conflict(slots, int(cells[conflict[0]]), given, roles, places)
    return values


def _conflict(
    slots: Slots,
    cell: int,
    given: tuple[tuple[Positions, FloatArray], ...],
    roles: Roles,
    places: Places,
) -> None:
    seen = np.concatenate([value[(cells == cell) & ~np.isnan(value)] for cells, value in given])
    layout = roles.layout
    count, rest = divmod(int(slots.keys[cell]), layout.per_count)
    period, area = divmod(rest, layout.areas)
    raise ValueError(
        f"the count {roles.names[count]} of {places.codes[area]} in "
        f"{layout.first_period + period} is both {seen.min()} and {seen.max()}"
    )
