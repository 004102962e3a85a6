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
from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

from .relations import RelationSet

__all__ = [
    "breakdown_relations",
    "hierarchy_relations",
    "parents_frame",
    "split_breakdown_key",
    "table_relations",
]

# Stands for "total over this dimension" inside join keys, where null would not match null.
_TOTAL = "\x00"
_CELL, _AREA, _UP, _PARENT = "__cell", "__area", "__up", "__total"


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
    dims = sorted({part.split("=", 1)[0] for key in keys for part in key.split(";") if part})
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


def table_relations(
    cells: pl.DataFrame,
    *,
    areas: pl.DataFrame | Mapping[str, str | None],
    area: str = "area",
    dims: Sequence[str] = (),
    by: Sequence[str] = (),
) -> RelationSet:
    """All relations of a frame of cells: the hierarchy and the breakdown margins."""
    keyed = _keyed(cells, area=area, dims=dims, by=by)
    hierarchy = _hierarchy(keyed, parents_frame(areas), [*_dim_keys(dims), *_by_keys(by)])
    margins = [_margin(keyed, dims, index, by) for index in range(len(dims))]
    return RelationSet.concat([hierarchy, *margins])


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
    keyed = _keyed(cells, area=area, dims=dims, by=by)
    return _hierarchy(keyed, parents_frame(areas), [*_dim_keys(dims), *_by_keys(by)])


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
    keyed = _keyed(cells, area=area, dims=dims, by=by)
    return RelationSet.concat([_margin(keyed, dims, index, by) for index in range(len(dims))])


def _dim_keys(dims: Sequence[str]) -> list[str]:
    return [f"__dim{index}" for index in range(len(dims))]


def _by_keys(by: Sequence[str]) -> list[str]:
    return [f"__by{index}" for index in range(len(by))]


def _keyed(
    cells: pl.DataFrame, *, area: str, dims: Sequence[str], by: Sequence[str]
) -> pl.DataFrame:
    """Cell number, area and every key as text (totals as a sentinel); checks uniqueness."""
    keys = [
        *(
            pl.col(d).cast(pl.Utf8).fill_null(_TOTAL).alias(k)
            for d, k in zip(dims, _dim_keys(dims), strict=True)
        ),
        *(
            pl.col(b).cast(pl.Utf8).fill_null(_TOTAL).alias(k)
            for b, k in zip(by, _by_keys(by), strict=True)
        ),
    ]
    keyed = cells.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias(_CELL),
        pl.col(area).cast(pl.Utf8).alias(_AREA),
        *keys,
    )
    duplicated = keyed.drop(_CELL).is_duplicated()
    if duplicated.any():
        row = cells.filter(duplicated).row(0, named=True)
        raise ValueError(f"two cells share area, breakdown and group: {row}")
    return keyed


def _hierarchy(keyed: pl.DataFrame, parents: pl.DataFrame, keys: list[str]) -> RelationSet:
    """Link every cell to the cell of its nearest ancestor present with the same keys."""
    step = parents.select(pl.col("code").alias(_UP), pl.col("parent").alias("__next"))
    _check_acyclic(step)
    present = keyed.select(pl.col(_AREA).alias(_UP), *keys, pl.col(_CELL).alias(_PARENT))
    pending = _climb(keyed.select(_CELL, *keys, pl.col(_AREA).alias(_UP)), step)
    links: list[pl.DataFrame] = []
    while not pending.is_empty():
        found = pending.join(present, on=[_UP, *keys], how="left")
        links.append(found.filter(pl.col(_PARENT).is_not_null()).select(_CELL, _PARENT))
        pending = _climb(found.filter(pl.col(_PARENT).is_null()).drop(_PARENT), step)
    return _relations(pl.concat(links) if links else pl.DataFrame())


def _check_acyclic(step: pl.DataFrame) -> None:
    """Raise when following parents from some area never reaches the top."""
    pending = _climb(step.select(_UP), step)
    for _ in range(step.height):
        if pending.is_empty():
            return
        pending = _climb(pending, step)
    raise ValueError("the area hierarchy has a cycle")


def _climb(pending: pl.DataFrame, step: pl.DataFrame) -> pl.DataFrame:
    """Replace each area by its parent; drop cells that reached the top."""
    climbed = pending.join(step, on=_UP, how="left").drop(_UP).rename({"__next": _UP})
    return climbed.filter(pl.col(_UP).is_not_null())


def _margin(keyed: pl.DataFrame, dims: Sequence[str], index: int, by: Sequence[str]) -> RelationSet:
    """Relations summing the categories of one dimension to its margin."""
    dim = _dim_keys(dims)[index]
    others = [_AREA, *(k for k in _dim_keys(dims) if k != dim), *_by_keys(by)]
    totals = keyed.filter(pl.col(dim) == _TOTAL).select(*others, pl.col(_CELL).alias(_PARENT))
    parts = keyed.filter(pl.col(dim) != _TOTAL).select(*others, _CELL)
    return _relations(parts.join(totals, on=others, how="inner").select(_CELL, _PARENT))


def _relations(links: pl.DataFrame) -> RelationSet:
    """Relations from (part cell, total cell) links."""
    if links.is_empty():
        return RelationSet.of([])
    ordered = links.sort([_PARENT, _CELL])
    totals, starts = np.unique(ordered[_PARENT].to_numpy(), return_index=True)
    return RelationSet.from_arrays(
        totals=totals, offsets=np.append(starts, ordered.height), parts=ordered[_CELL].to_numpy()
    )
