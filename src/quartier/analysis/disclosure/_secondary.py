"""Primary and secondary suppression of the cells of one table.

Counts from 1 to ``min_count - 1`` (and cells marked sensitive) are suppressed; complements
are then hidden until every such cell keeps a feasible interval at least
``protection_width`` wide against an attacker who knows every relation, that a hidden
count is at least 1 and that zeros are published (`protection`).

Examples
--------
A district of three blocks; block 0 holds 2 people, so one more block must be hidden:

>>> from quartier.analysis.disclosure import Relation
>>> result = suppress([2, 5, 7, 14], [Relation(total=3, parts=(0, 1, 2))])
>>> result.suppressed.tolist(), result.secondary.tolist()
([True, True, False, False], [False, True, False, False])
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._primary import DEFAULT_MIN_COUNT, counts_array, primary_cells
from ._protection import DEFAULT_PROTECTION_WIDTH, protect_cells
from ._relations import BoolArray, Relation, RelationSet

__all__ = ["Suppression", "suppress"]


@dataclass(frozen=True)
class Suppression:
    """The outcome of disclosure control for the cells of one table.

    Attributes
    ----------
    primary
        Cells suppressed for their own sake (small counts, cells marked sensitive).
    suppressed
        All suppressed cells: primary and secondary.
    missing
        Cells without a value in the input; they are published as "." as well.
    """

    primary: BoolArray
    suppressed: BoolArray
    missing: BoolArray

    @property
    def secondary(self) -> BoolArray:
        """Cells suppressed only to protect others."""
        return self.suppressed & ~self.primary

    @property
    def published(self) -> BoolArray:
        """Cells whose value is published (zeros included, as "-")."""
        return ~self.suppressed & ~self.missing


def suppress(
    values: Any,
    relations: RelationSet | Iterable[Relation],
    *,
    min_count: int = DEFAULT_MIN_COUNT,
    protection_width: int = DEFAULT_PROTECTION_WIDTH,
    sensitive: Any = None,
    keep: Any = None,
) -> Suppression:
    """Primary and secondary suppression for the cells of a table.

    Parameters
    ----------
    values
        Non-negative counts, one per cell; NaN (or None) where the value is missing.
    relations
        Additive relations between the cells (totals, parent areas, breakdown margins).
    min_count
        Counts from 1 to ``min_count - 1`` are suppressed.
    protection_width
        The least width of the interval an attacker can narrow a suppressed count to.
    sensitive
        Optional boolean per cell: non-zero cells to suppress whatever their value.
    keep
        Optional boolean per cell: cells to publish if at all possible (for instance the
        city total); they become complements only when no other cell can protect.

    Returns
    -------
    Suppression
        Which cells are suppressed. For every primary cell the largest value consistent
        with the published cells and the relations is at least its value plus
        ``protection_width``.

    Examples
    --------
    A two-by-two table with margins; the cell with value 1 needs three complements:

    >>> from quartier.analysis.disclosure import Relation
    >>> values = [1, 4, 5, 6, 7, 13, 7, 11, 18]
    >>> relations = [Relation(2, (0, 1)), Relation(5, (3, 4)), Relation(6, (0, 3)),
    ...              Relation(7, (1, 4)), Relation(8, (2, 5)), Relation(8, (6, 7))]
    >>> suppress(values, relations).suppressed.nonzero()[0].tolist()
    [0, 1, 3, 4]
    """
    counts = counts_array(values)
    primary = primary_cells(counts, min_count=min_count, sensitive=_mask(sensitive, counts.size))
    missing = np.isnan(counts)
    # A missing value is unknown to everyone, perhaps secret in the source: it is protected
    # like a sensitive count, so that no published total gives it away.
    hidden = protect_cells(
        counts,
        relations if isinstance(relations, RelationSet) else RelationSet.of(relations),
        sensitive=primary | missing,
        width=protection_width,
        keep=_mask(keep, counts.size),
    )
    return Suppression(primary=primary, suppressed=hidden & ~missing, missing=missing)


def _mask(values: Any, size: int) -> BoolArray:
    if values is None:
        return np.zeros(size, dtype=np.bool_)
    mask = np.asarray(values, dtype=np.bool_).reshape(-1)
    if mask.size != size:
        raise ValueError("a cell mask must have one entry per cell")
    return mask
