"""Secondary suppression: hide complements so that no suppressed cell can be recovered.

The algorithm repeats the first two steps until nothing changes, then takes the third:

1. every relation holding exactly one hidden cell gets a complement, the cheapest published
   non-zero cell of that relation (a relation with one hidden cell gives it away by
   subtraction); cheapest means: first a cell that closes another such relation at the same
   time rather than one that opens a new one, then the smallest value;
2. every component of hidden cells linked by relations that contains a cycle is checked with
   linear algebra (see `determinacy`); where a hidden cell is still determined, a complement
   that breaks its determining combination of relations is hidden;
3. finally, complements that turned out unnecessary are published again, largest first.

Examples
--------
A district of three blocks; block 0 holds 2 people, so one more block must be hidden:

>>> from quartier.analysis.disclosure.relations import Relation
>>> result = suppress([2, 5, 7, 14], [Relation(total=3, parts=(0, 1, 2))])
>>> result.suppressed.tolist(), result.secondary.tolist()
([True, True, False, False], [False, True, False, False])
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .determinacy import protect_determined, prune
from .primary import DEFAULT_MIN_COUNT, counts_array, primary_cells
from .relations import BoolArray, IntArray, Relation, RelationSet
from .state import Table

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
    sensitive: Any = None,
    keep: Any = None,
    blocks: Any = None,
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
    sensitive
        Optional boolean per cell: non-zero cells to suppress whatever their value.
    keep
        Optional boolean per cell: cells to publish if at all possible (for instance the
        city total); they become complements only when no other cell can protect.
    blocks
        Optional integer label per cell, such as the index of its area. The result does not
        depend on it; large tables whose blocks are bound by their own relations (breakdown
        margins) and linked by a few others (the hierarchy) are processed much faster.

    Returns
    -------
    Suppression
        Which cells are suppressed. No suppressed cell can be recovered exactly from the
        published cells and the relations; a missing cell, unknown to everyone, is protected
        against subtraction from a single relation.

    Examples
    --------
    A two-by-two table with margins; the cell with value 1 needs three complements:

    >>> from quartier.analysis.disclosure.relations import Relation
    >>> values = [1, 4, 5, 6, 7, 13, 7, 11, 18]
    >>> relations = [Relation(2, (0, 1)), Relation(5, (3, 4)), Relation(6, (0, 3)),
    ...              Relation(7, (1, 4)), Relation(8, (2, 5)), Relation(8, (6, 7))]
    >>> suppress(values, relations).suppressed.nonzero()[0].tolist()
    [0, 1, 3, 4]
    """
    counts = counts_array(values)
    primary = primary_cells(counts, min_count=min_count, sensitive=_mask(sensitive, counts.size))
    table = Table(
        counts,
        RelationSet.of(relations),
        primary,
        _mask(keep, counts.size),
        _labels(blocks, counts.size),
    )
    protect(table)
    prune(table, table.hidden & ~primary & ~table.unknown)
    return Suppression(
        primary=primary, suppressed=table.hidden & ~table.unknown, missing=table.unknown
    )


def _mask(values: Any, size: int) -> BoolArray:
    if values is None:
        return np.zeros(size, dtype=np.bool_)
    mask = np.asarray(values, dtype=np.bool_).reshape(-1)
    if mask.size != size:
        raise ValueError("a cell mask must have one entry per cell")
    return mask


def _labels(blocks: Any, size: int) -> IntArray:
    if blocks is None:
        return np.zeros(size, dtype=np.int64)
    labels = np.asarray(blocks).reshape(-1)
    if not np.issubdtype(labels.dtype, np.integer):
        labels = labels.astype(np.int64)  # integer labels keep their width: millions of cells
    if labels.size != size:
        raise ValueError("blocks must have one label per cell")
    return labels


def protect(table: Table) -> None:
    """Hide complements until no hidden cell is determined (steps 1 and 2)."""
    while True:
        fill_lonely_relations(table)
        if not protect_determined(table):
            return


def fill_lonely_relations(table: Table) -> None:
    """Give every relation with exactly one hidden cell a complement (step 1).

    Relations with the fewest candidates go first: where the choice is forced, taking it early
    lets later choices close two relations with one cell.
    """
    heap = [(_choice(table, r).size, r) for r in np.flatnonzero(table.count == 1).tolist()]
    heapq.heapify(heap)
    while heap:
        size, relation = heapq.heappop(heap)
        if table.count[relation] != 1:
            continue
        candidates = _choice(table, relation)
        if candidates.size != size:
            heapq.heappush(heap, (candidates.size, relation))
        elif size:  # no candidate only when the input violates the relation
            for exposed in table.hide(table.best(candidates, exclude=relation)).tolist():
                if table.count[exposed] == 1:
                    heapq.heappush(heap, (_choice(table, exposed).size, exposed))


def _choice(table: Table, relation: int) -> IntArray:
    return table.candidates(table.relation_cells(relation))
