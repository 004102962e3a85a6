"""The publication: which figure of the indicator results is public, decided once.

`publish` takes the engine's results (the internal view) and returns the public view of every
row: the same key columns, each figure null where it is not published, and flag columns.
`quartier compute` stores it; every public output reads the stored publication.
"""

from __future__ import annotations

import polars as pl

from quartier.analysis.catalogue import Catalogue

from .indicators import disclose_indicators
from .primary import DEFAULT_MIN_COUNT

__all__ = ["DEFAULT_PROTECTION_WIDTH", "publish"]

DEFAULT_PROTECTION_WIDTH = 3


def publish(
    results: pl.DataFrame,
    *,
    areas: pl.DataFrame,
    catalogue: Catalogue,
    min_count: int = DEFAULT_MIN_COUNT,
    protection_width: int = DEFAULT_PROTECTION_WIDTH,
) -> pl.DataFrame:
    """The public view of indicator results (all levels, years and breakdown cells at once)."""
    del protection_width
    return disclose_indicators(
        results,
        areas=areas,
        catalogue_min_denominators={i.key: i.min_denominator for i in catalogue},
        view="public",
        min_count=min_count,
        variables={i.key: i.counts for i in catalogue},
    )
