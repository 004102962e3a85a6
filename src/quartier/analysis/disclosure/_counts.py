"""Disclosure control for long frames of counts.

Every call states its view: ``"public"`` applies primary and secondary suppression,
``"internal"`` (planners) returns the values unchanged. Both add the columns
``published_value`` and ``flag``, where the flag is a symbol of official statistics:

- ``"."`` secret (suppressed) or unknown; the published value is null;
- ``"-"`` nothing: the count is zero (public view only);
- ``"x"`` not applicable, kept from the input;
- ``""`` an ordinary published number.

A value that is null in the input keeps the input's flag (``"."`` when there is none). An input
"-" or "x" counts as a known zero in the relations.

Examples
--------
>>> import polars as pl
>>> areas = pl.DataFrame({"code": ["city", "north", "south", "east"],
...                       "parent": [None, "city", "city", "city"]})
>>> counts = pl.DataFrame({"area": ["city", "north", "south", "east"], "period": [2024] * 4,
...                        "value": [20, 2, 0, 18]})
>>> public = disclose_counts(counts, areas=areas, view="public")
>>> public.select("area", "published_value", "flag").rows()
[('city', 20, ''), ('north', None, '.'), ('south', 0, '-'), ('east', None, '.')]
>>> disclose_counts(counts, areas=areas, view="internal")["flag"].to_list()
['', '', '', '']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl

from ._flags import NOT_APPLICABLE, NOTHING, SECRET
from ._frames import CellGrid, check_unique_cells, grid_of, split_breakdown_key
from ._primary import DEFAULT_MIN_COUNT, counts_array, primary_cells
from ._protection import DEFAULT_PROTECTION_WIDTH
from ._relations import BoolArray, FloatArray, IntArray, RelationSet
from ._secondary import Suppression, suppress

__all__ = [
    "NOTHING",
    "NOT_APPLICABLE",
    "SECRET",
    "View",
    "check_view",
    "disclose_counts",
    "group_columns",
    "suppress_counts",
    "suppress_grid",
]

View = Literal["public", "internal"]
# Grouping columns taken when present: each variable and each period is a table of its own.
DEFAULT_GROUPS = ("variable", "period")


def check_view(view: str) -> None:
    """Raise unless ``view`` is "public" or "internal"."""
    if view not in ("public", "internal"):
        raise ValueError(f"view must be 'public' or 'internal', not {view!r}")


def group_columns(frame: pl.DataFrame, by: Sequence[str] | None) -> list[str]:
    """The grouping columns: as given, or those of "variable" and "period" present."""
    if by is not None:
        return list(by)
    return [column for column in DEFAULT_GROUPS if column in frame.columns]


def _with_dims(frame: pl.DataFrame, dims: Sequence[str] | None) -> tuple[pl.DataFrame, list[str]]:
    if dims is not None:
        return frame, list(dims)
    if "breakdown_key" in frame.columns:
        return split_breakdown_key(frame)
    return frame, []


def _input_flags(frame: pl.DataFrame) -> pl.Expr:
    if "flag" in frame.columns:
        return pl.col("flag").fill_null("")
    return pl.lit("")


def _counts(frame: pl.DataFrame, value: str) -> FloatArray:
    """The counts, with "-" and "x" inputs as known zeros and other gaps as NaN."""
    zero_flags = _input_flags(frame).is_in([NOTHING, NOT_APPLICABLE])
    filled = pl.when(pl.col(value).is_null() & zero_flags).then(0).otherwise(pl.col(value))
    return np.asarray(
        frame.select(filled.cast(pl.Float64)).to_series().to_numpy(), dtype=np.float64
    )


def suppress_counts(
    frame: pl.DataFrame,
    *,
    areas: pl.DataFrame | Mapping[str, str | None],
    value: str = "value",
    area: str = "area",
    dims: Sequence[str] | None = None,
    by: Sequence[str] | None = None,
    min_count: int = DEFAULT_MIN_COUNT,
    protection_width: int = DEFAULT_PROTECTION_WIDTH,
    sensitive: str | None = None,
    keep: str | None = None,
) -> Suppression:
    """The suppression pattern for the rows of a frame of counts (row i is cell i).

    ``dims`` are breakdown dimension columns (default: split ``breakdown_key`` when present);
    ``by`` are columns separating independent tables (default: "variable" and "period" when
    present); ``sensitive`` and ``keep`` name optional boolean columns (see `suppress`).
    """
    cells, dim_columns = _with_dims(frame, dims)
    grid = grid_of(cells, areas=areas, area=area, dims=dim_columns, by=group_columns(frame, by))
    check_unique_cells(frame, grid)
    return suppress_grid(
        _counts(frame, value),
        grid,
        min_count=min_count,
        protection_width=protection_width,
        sensitive=None if sensitive is None else frame[sensitive].fill_null(False).to_numpy(),
        keep=None if keep is None else frame[keep].fill_null(False).to_numpy(),
    )


def suppress_grid(
    values: FloatArray,
    grid: CellGrid,
    *,
    min_count: int = DEFAULT_MIN_COUNT,
    protection_width: int = DEFAULT_PROTECTION_WIDTH,
    sensitive: BoolArray | None = None,
    keep: BoolArray | None = None,
) -> Suppression:
    """`suppress` for cells given by their coordinates, one table at a time where it matters.

    Tables without a small, sensitive or missing cell need no suppression at all; only the
    others are handed to `suppress`, together (their relations never meet), which gives the same
    pattern as handing over everything, in a fraction of the time.
    """
    cells = _Cells.of(values, min_count, sensitive, keep)
    n_tables = int(grid.table.max(initial=-1)) + 1
    active_tables = np.bincount(grid.table[cells.active], minlength=n_tables) > 0
    active = np.flatnonzero(active_tables[grid.table]) if n_tables else np.zeros(0, np.int64)
    part = grid.subset(active)
    return cells.suppress(active, part.relations(), min_count, protection_width)


@dataclass(frozen=True)
class _Cells:
    """The counts of all cells and their primary suppression.

    Also the cells that start a table's secondary suppression (primary or missing).
    """

    counts: FloatArray
    sensitive: BoolArray
    keep: BoolArray
    primary: BoolArray
    active: IntArray

    @classmethod
    def of(
        cls,
        values: FloatArray,
        min_count: int,
        sensitive: BoolArray | None,
        keep: BoolArray | None,
    ) -> _Cells:
        counts = counts_array(values)
        sensitive_mask = np.zeros(counts.size, np.bool_) if sensitive is None else sensitive
        keep_mask = np.zeros(counts.size, np.bool_) if keep is None else keep
        start = primary_cells(counts, min_count=min_count, sensitive=sensitive_mask)
        active = np.flatnonzero(start | np.isnan(counts))
        return cls(counts, sensitive_mask, keep_mask, start, active)

    def suppress(
        self, cells: IntArray, relations: RelationSet, min_count: int, protection_width: int
    ) -> Suppression:
        """Suppress the given cells (whole tables) with their relations; the rest is published."""
        suppressed = np.zeros(self.counts.size, np.bool_)
        suppressed[cells] = suppress(
            self.counts[cells],
            relations,
            min_count=min_count,
            protection_width=protection_width,
            sensitive=self.sensitive[cells],
            keep=self.keep[cells],
        ).suppressed
        return self.result(suppressed)

    def result(self, suppressed: BoolArray) -> Suppression:
        return Suppression(
            primary=self.primary, suppressed=suppressed, missing=np.isnan(self.counts)
        )


def disclose_counts(
    frame: pl.DataFrame,
    *,
    areas: pl.DataFrame | Mapping[str, str | None],
    view: View,
    value: str = "value",
    area: str = "area",
    dims: Sequence[str] | None = None,
    by: Sequence[str] | None = None,
    min_count: int = DEFAULT_MIN_COUNT,
    protection_width: int = DEFAULT_PROTECTION_WIDTH,
    sensitive: str | None = None,
    keep: str | None = None,
) -> pl.DataFrame:
    """The frame with ``published_value`` and ``flag`` for the chosen view.

    Parameters are those of `suppress_counts`; ``view`` is "public" or "internal".

    Examples
    --------
    The recipients of old-age basic income support in the Musterstadt sample, as observed in
    the statistische Bezirke: one count is sensitive (2 in 2024). Without totals nothing else
    can give it away, so it is the only one hidden:

    >>> from quartier.analysis.musterstadt import load_example
    >>> example = load_example()
    >>> counts = example.observations.filter(pl.col("variable") == "grusi_65plus")
    >>> public = disclose_counts(counts, areas=example.areas, view="public")
    >>> public.filter(pl.col("flag") != "").select("area", "period", "value", "flag").rows()
    [('110102', 2024, 2.0, '.')]

    With the totals of every level, summed by the indicator engine, a second count of the
    Sozialraum is hidden too, or the 2 could be worked out from the Sozialraum's total:

    >>> from quartier.analysis.catalogue import load_catalogue
    >>> from quartier.analysis.indicators import compute_indicators
    >>> results = compute_indicators(
    ...     example.observations, example.areas, load_catalogue(),
    ...     years=[2024], indicators=["grundsicherung_alter"],
    ... )
    >>> totals = results.values.select("area", "period", value="numerator")
    >>> public = disclose_counts(totals, areas=example.areas, view="public")
    >>> public.filter(pl.col("flag") != "").select("area", "value", "flag").rows()
    [('110102', 2.0, '.'), ('110105', 17.0, '.')]
    """
    check_view(view)
    if view == "internal":
        return _flagged(frame, value, pl.lit(False), public=False)
    result = suppress_counts(
        frame,
        areas=areas,
        value=value,
        area=area,
        dims=dims,
        by=by,
        min_count=min_count,
        protection_width=protection_width,
        sensitive=sensitive,
        keep=keep,
    )
    return _flagged(frame, value, pl.Series(values=result.suppressed), public=True)


def _flagged(
    frame: pl.DataFrame, value: str, suppressed: pl.Series | pl.Expr, *, public: bool
) -> pl.DataFrame:
    given = _input_flags(frame)
    missing = pl.col(value).is_null()
    hidden = pl.lit(suppressed) if isinstance(suppressed, pl.Series) else suppressed
    flag = (
        pl.when(missing)
        .then(pl.when(given == "").then(pl.lit(SECRET)).otherwise(given))
        .when(hidden)
        .then(pl.lit(SECRET))
        .when(pl.lit(public) & (pl.col(value) == 0))
        .then(pl.lit(NOTHING))
        .otherwise(pl.lit(""))
    )
    published = pl.when(hidden).then(None).otherwise(pl.col(value))
    return frame.with_columns(published.alias("published_value"), flag.alias("flag"))
