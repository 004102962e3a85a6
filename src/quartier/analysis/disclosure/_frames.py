"""Relations of long frames of counts: area hierarchies and breakdown margins.

A frame of cells has one row per cell: an area column, optional breakdown dimension columns and
optional grouping columns (``by``, such as the period) that separate independent tables. Row
``i`` is cell ``i``.

- **Hierarchy.** A cell of an area is a part of the cell of its nearest ancestor present in the
  frame with the same breakdown and group: children sum to their parent, at any depth.
- **Breakdown margins.** In a dimension column, null stands for the total over that dimension
  ("insgesamt"). The cells with a category of a dimension sum to the cell with null in that
  dimension and the same values elsewhere: one-, two- and more-way margins, as far as present.

Breakdown keys such as ``"age_group=0-5;gender=weiblich"`` (dimensions sorted, ``""`` for the
total) are split into dimension columns by `split_breakdown_key`; a dimension missing from a key
(or with an empty value) is a total over it.

The relations are found on integer coordinates (a `CellGrid`): every cell gets a number for its
table, its area and its category in each dimension (0 for the total), so that finding a cell's
parent or margin is arithmetic and one array lookup, for millions of cells at once.

Examples
--------
>>> import polars as pl
>>> cells = pl.DataFrame({"area": ["city", "north", "south"], "value": [9, 4, 5]})
>>> areas = pl.DataFrame({"code": ["city", "north", "south"], "parent": [None, "city", "city"]})
>>> list(table_relations(cells, areas=areas))
[Relation(total=0, parts=(1, 2))]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import polars as pl

from quartier.analysis.tables import key_dimensions

from ._grid_relations import Lookup, hierarchy, margins
from ._key_index import DuplicateCellError, KeyIndex
from ._relations import IntArray, RelationSet

__all__ = [
    "CellGrid",
    "DuplicateCellError",
    "KeyIndex",
    "breakdown_relations",
    "check_unique_cells",
    "dense_codes",
    "grid_of",
    "hierarchy_relations",
    "parents_frame",
    "split_breakdown_key",
    "table_relations",
]

_T = TypeVar("_T")


def split_breakdown_key(
    frame: pl.DataFrame, *, column: str = "breakdown_key"
) -> tuple[pl.DataFrame, list[str]]:
    """Add one column per breakdown dimension found in a breakdown-key column.

    Returns the frame and the sorted dimension names. A dimension absent from a key, or with an
    empty value, is null (the total over that dimension).

    Examples
    --------
    >>> import polars as pl
    >>> keys = pl.DataFrame({"breakdown_key": ["", "gender=w", "age=0-5;gender=m"]})
    >>> split, dims = split_breakdown_key(keys)
    >>> dims
    ['age', 'gender']
    >>> split.rows()
    [('', None, None), ('gender=w', None, 'w'), ('age=0-5;gender=m', '0-5', 'm')]
    """
    keys = frame[column].drop_nulls().unique().to_list()
    dims = sorted({dim for key in keys for dim in key_dimensions(key)})
    clashes = sorted(set(dims) & set(frame.columns))
    if clashes:
        raise ValueError(f"breakdown dimensions {clashes} clash with columns of the frame")
    extracted = [
        pl.col(column).str.extract(rf"(?:^|;){re.escape(dim)}=([^;]*)", 1).alias(dim)
        for dim in dims
    ]
    split = frame.with_columns(extracted).with_columns(
        pl.when(pl.col(dim) == "").then(None).otherwise(pl.col(dim)).alias(dim) for dim in dims
    )
    return split, dims


def parents_frame(areas: pl.DataFrame | Mapping[str, str | None]) -> pl.DataFrame:
    """Area codes and their parents' codes (columns ``code``, ``parent``) from either form.

    Examples
    --------
    >>> parents_frame({"north": "city", "city": None}).rows()
    [('north', 'city'), ('city', None)]
    """
    if isinstance(areas, pl.DataFrame):
        frame = areas.select(pl.col("code").cast(pl.Utf8), pl.col("parent").cast(pl.Utf8))
    else:
        frame = pl.DataFrame(
            {"code": list(areas), "parent": list(areas.values())},
            schema={"code": pl.Utf8, "parent": pl.Utf8},
        )
    if frame["code"].is_duplicated().any():
        raise ValueError("an area code is listed twice")
    return frame


def dense_codes(column: pl.Series) -> tuple[IntArray, int]:
    """Numbers 1..k for the distinct values of a column in sorted order, 0 for null; and k.

    Examples
    --------
    >>> import polars as pl
    >>> codes, k = dense_codes(pl.Series(["w", None, "m", "w"]))
    >>> codes.tolist(), k
    ([2, 0, 1, 2], 2)
    """
    column = column.cast(pl.Utf8)
    values = column.drop_nulls().unique().sort()
    codes = column.cast(pl.Enum(values.to_list())).to_physical().cast(pl.Int64) + 1
    return np.asarray(codes.fill_null(0).to_numpy(), dtype=np.int64), values.len()


@dataclass(frozen=True)
class CellGrid:
    """Cells by integer coordinates.

    Attributes
    ----------
    table
        Per cell its independent table (no relation links two tables), from 0.
    area
        Per cell the index of its area in ``parents``.
    categories
        Per cell and breakdown dimension the category, 1..k, or 0 for the total (cells × dims).
    parents
        Per area the index of its parent area, -1 at the top.
    """

    table: IntArray
    area: IntArray
    categories: IntArray
    parents: IntArray

    @property
    def size(self) -> int:
        """The number of cells."""
        return int(self.table.size)

    def subset(self, cells: IntArray) -> CellGrid:
        """The grid of some cells (numbered anew in the order given)."""
        return CellGrid(self.table[cells], self.area[cells], self.categories[cells], self.parents)

    def relations(self) -> RelationSet:
        """The hierarchy relations, then the margins of each dimension in turn."""
        return RelationSet.concat(self.relation_sets())

    def relation_sets(self) -> list[RelationSet]:
        """The hierarchy relations and the margins of each dimension, as separate sets."""
        lookup = Lookup(self)
        return [hierarchy(self, lookup), *margins(self, lookup)]

    def check_unique(self) -> None:
        """Raise `DuplicateCellError` when two cells have the same coordinates."""
        Lookup(self)

    def hierarchy(self) -> RelationSet:
        """Relations "parent area = sum of its child areas", per breakdown cell and table."""
        return hierarchy(self, Lookup(self))

    def margins(self) -> RelationSet:
        """Relations "margin = sum of the categories", for each dimension in turn."""
        return RelationSet.concat(margins(self, Lookup(self)))


def grid_of(
    cells: pl.DataFrame,
    *,
    areas: pl.DataFrame | Mapping[str, str | None],
    area: str = "area",
    dims: Sequence[str] = (),
    by: Sequence[str] = (),
) -> CellGrid:
    """The integer coordinates of a frame of cells.

    Areas of the frame missing from ``areas`` have no parent.

    Examples
    --------
    >>> import polars as pl
    >>> cells = pl.DataFrame({"area": ["b", "a"], "g": ["m", None], "year": [2024, 2024]})
    >>> grid = grid_of(cells, areas={"a": None, "b": "a"}, dims=["g"], by=["year"])
    >>> grid.area.tolist(), grid.categories.tolist(), grid.parents.tolist()
    ([1, 0], [[1], [0]], [-1, 0])
    """
    parents = parents_frame(areas)
    codes = parents["code"].to_list()
    area_column = cells[area].cast(pl.Utf8)
    if area_column.null_count():
        raise ValueError(f"a cell has no area (column {area!r})")
    try:
        area_codes, extra = area_column.cast(pl.Enum(codes)).to_physical(), []
    except pl.exceptions.InvalidOperationError:  # areas unknown to the hierarchy
        extra = sorted(set(area_column.unique().to_list()) - set(codes))
        area_codes = area_column.cast(pl.Enum([*codes, *extra])).to_physical()
    position = {code: index for index, code in enumerate(codes)}
    parent_index = [position.get(p, -1) if p is not None else -1 for p in parents["parent"]]
    parent_array = np.asarray(parent_index + [-1] * len(extra), dtype=np.int64)
    _check_acyclic(parent_array)
    table = np.zeros(cells.height, dtype=np.int64)
    for column in by:
        codes_of, k = dense_codes(cells[column])
        table = table * (k + 1) + codes_of
    if by:
        table = np.unique(table, return_inverse=True)[1].reshape(-1)
    categories = [dense_codes(cells[dim])[0] for dim in dims]
    return CellGrid(
        table=table.astype(np.int64),
        area=np.asarray(area_codes.to_numpy(), dtype=np.int64),
        categories=(
            np.stack(categories, axis=1) if categories else np.zeros((cells.height, 0), np.int64)
        ),
        parents=parent_array,
    )


def table_relations(
    cells: pl.DataFrame,
    *,
    areas: pl.DataFrame | Mapping[str, str | None],
    area: str = "area",
    dims: Sequence[str] = (),
    by: Sequence[str] = (),
) -> RelationSet:
    """All relations of a frame of cells: the hierarchy and the breakdown margins."""
    grid = grid_of(cells, areas=areas, area=area, dims=dims, by=by)
    return _named_duplicates(cells, grid.relations)


def hierarchy_relations(
    cells: pl.DataFrame,
    *,
    areas: pl.DataFrame | Mapping[str, str | None],
    area: str = "area",
    dims: Sequence[str] = (),
    by: Sequence[str] = (),
) -> RelationSet:
    """Relations "parent area = sum of its child areas", for each breakdown cell and group.

    Examples
    --------
    >>> import polars as pl
    >>> cells = pl.DataFrame({"area": ["a", "b", "c", "d"], "value": [9, 4, 5, 2]})
    >>> list(hierarchy_relations(cells, areas={"a": None, "b": "a", "c": "a", "d": "b"}))
    [Relation(total=0, parts=(1, 2)), Relation(total=1, parts=(3,))]
    """
    grid = grid_of(cells, areas=areas, area=area, dims=dims, by=by)
    return _named_duplicates(cells, grid.hierarchy)


def breakdown_relations(
    cells: pl.DataFrame, *, dims: Sequence[str], area: str = "area", by: Sequence[str] = ()
) -> RelationSet:
    """Relations "margin = sum of the categories" for every dimension of a breakdown.

    Examples
    --------
    >>> import polars as pl
    >>> cells = pl.DataFrame({"area": ["a"] * 3, "gender": [None, "w", "m"], "value": [5, 2, 3]})
    >>> list(breakdown_relations(cells, dims=["gender"]))
    [Relation(total=0, parts=(1, 2))]
    """
    grid = grid_of(cells, areas={}, area=area, dims=dims, by=by)
    return _named_duplicates(cells, grid.margins)


def _named_duplicates(cells: pl.DataFrame, build: Callable[[], _T]) -> _T:
    """Run a function of the grid; a duplicate cell is reported with its row."""
    try:
        return build()
    except DuplicateCellError as duplicate:
        row = cells.row(duplicate.cell, named=True)
        raise ValueError(f"two cells share area, breakdown and group: {row}") from None


def check_unique_cells(cells: pl.DataFrame, grid: CellGrid) -> None:
    """Raise a `ValueError` naming the row when two cells of a frame share their coordinates."""
    _named_duplicates(cells, grid.check_unique)


def _check_acyclic(parents: IntArray) -> None:
    """Raise when following parents from some area never reaches the top."""
    current = parents.copy()
    for _ in range(parents.size + 1):
        if not np.any(current >= 0):
            return
        current = np.where(current >= 0, parents[np.maximum(current, 0)], -1)
    raise ValueError("the area hierarchy has a cycle")
