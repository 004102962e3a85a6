"""quartier's side of the disclosure benchmarks: the one call into its disclosure package.

Everything the benchmarks know about quartier's API is in `suppressed_cells`, so a change of
the package's signature (such as a ``protection_width`` keyword) is adapted here only.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import polars as pl

BoolArray = npt.NDArray[np.bool_]


def suppressed_cells(
    cells: pl.DataFrame,
    areas: pl.DataFrame,
    dims: Sequence[str],
    *,
    min_count: int,
    width: int,
    total: str | None = None,
) -> BoolArray:
    """Which rows of `cells` (``period, area, *dims, value``) quartier publishes as ".".

    A breakdown cell named `total` is the total over its dimension (null for quartier).
    """
    from quartier.analysis.disclosure import disclose_counts

    if total is not None:
        cells = cells.with_columns(
            pl.when(pl.col(d) == total).then(None).otherwise(pl.col(d)).alias(d) for d in dims
        )
    options: dict[str, int] = {"min_count": min_count}
    if "protection_width" in inspect.signature(disclose_counts).parameters:
        options["protection_width"] = width
    public = disclose_counts(
        cells, areas=areas.select("code", "parent"), view="public", dims=list(dims), **options
    )
    return (public["flag"] == ".").to_numpy()


def protected_against_zero_floor(
    values: npt.NDArray[np.float64], relations: object, *, min_count: int, width: int
) -> BoolArray:
    """quartier's protection for τ-ARGUS's requirement: a "." may be 0 to the attacker.

    `relations` is the table's relation matrix (+1 at the total, -1 at each part, one row per
    relation), the one the τ-ARGUS side and the attacker use; the pattern is therefore not
    safe for quartier's publication, where zeros are published and a "." is at least 1. It
    only tells how many cells quartier needs for the protection τ-ARGUS gives.
    """
    from scipy import sparse

    from quartier.analysis.disclosure import RelationSet, protect_cells

    matrix = sparse.csr_matrix(relations)
    parts = matrix.multiply(matrix < 0).tocsr()
    totals = matrix.multiply(matrix > 0).tocsr()
    # Each row holds exactly one total, so the totals' column indices are in row order.
    relation_set = RelationSet.from_arrays(
        totals=totals.indices, offsets=parts.indptr, parts=parts.indices
    )
    return protect_cells(
        values.astype(np.float64),
        relation_set,
        sensitive=(values > 0) & (values < min_count),
        width=width,
        lower=np.zeros(values.size),
    )
