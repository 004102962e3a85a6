"""Small counts protected without a linear program: by a sibling, a rectangle or a twin sum.

Most small counts of a hierarchy are parts of one relation only; the cheapest change for them
is plain (see `with_pairs`), and it is found for all relations at once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ._cell_state import TOLERANCE, CellState
from ._relations import BoolArray, FloatArray, IntArray, RelationSet

# More sensitive cells left than this for linear programs, and those in two relations are
# protected by rectangles and twin sums wherever these exist (see `with_pairs`).
_PROGRAMS_AFFORDED = 2_000


@dataclass(frozen=True)
class _Links:
    """How each cell sits in the relations, for the passes of `with_pairs`."""

    relations: RelationSet
    owner: IntArray  # per position among the parts: its relation
    in_parts: IntArray  # per cell: of how many relations it is a part
    in_totals: IntArray  # per cell: of how many relations it is the total
    above: IntArray  # per cell: a relation it is a part of (-1: none)
    below: IntArray  # per cell: a relation it is the total of (-1: none)
    two: IntArray  # positions of cells that are parts of two relations and totals of none,
    other: IntArray  # each cell's two side by side, and per such position its other relation

    @classmethod
    def of(cls, relations: RelationSet, size: int) -> _Links:
        parts, totals = relations.parts, relations.totals
        owner = np.repeat(np.arange(len(relations)), np.diff(relations.offsets))
        in_parts = np.bincount(parts, minlength=size)
        in_totals = np.bincount(totals, minlength=size)
        above = np.full(size, -1, dtype=np.int64)
        above[parts] = owner
        below = np.full(size, -1, dtype=np.int64)
        below[totals] = np.arange(len(relations))
        two = np.flatnonzero((in_parts[parts] == 2) & (in_totals[parts] == 0))
        two = two[np.argsort(parts[two], kind="stable")]
        other = np.empty(two.size, dtype=np.int64)
        other[0::2], other[1::2] = owner[two[1::2]], owner[two[0::2]]
        return cls(relations, owner, in_parts, in_totals, above, below, two, other)


def with_pairs(
    cells: CellState, relations: RelationSet, width: float, keep: BoolArray
) -> CellState:
    """The cells once those protected by a sibling are (no longer sensitive).

    A sensitive cell that is a part of one relation and in no other is protected by raising
    it by the width and lowering another part of that relation, in no other relation either,
    by as much: the cheapest change there is for it. Where no part can fall that far, the
    relation's total rises with the cell, a sibling of that total in the one relation above
    falls, and so does a part below that sibling (four cells). One sibling per relation
    serves all its sensitive parts (each change is a table of its own), preferably one
    hidden anyway, else the smallest. Found for all relations at once, these spare the
    linear programs that most small counts of a hierarchy would otherwise take.
    """
    size, parts, totals = cells.values.size, relations.parts, relations.totals
    links = _Links.of(relations, size)
    owner, in_parts, in_totals = links.owner, links.in_parts, links.in_totals
    free = ~cells.sensitive & ~keep & (cells.down >= width - TOLERANCE)
    # Per part: a part of one relation only, and the total of none (a leaf) or of one.
    once = in_parts[parts] == 1
    below = in_totals[parts]
    middle = once & (below == 1)
    once &= below == 0
    del below
    wanting = once & cells.sensitive[parts]
    leaf = once & free[parts]
    del once
    sibling = _first_per_relation(cells, links, leaf)
    given = cells.given.copy()
    paired = wanting & (sibling[owner] >= 0)
    given[sibling[owner[paired]]] = True
    # A step up: relations whose total is a part of one relation above and nothing else.
    uncle = _first_per_relation(
        cells, links, middle & free[parts] & (sibling[links.below[parts]] >= 0)
    )
    total = totals[owner]
    lifted = (
        wanting
        & (sibling[owner] < 0)
        & ~keep[total]
        & (cells.up[total] > 0)
        & (in_parts[total] == 1)
        & (in_totals[total] == 1)
        & (uncle[links.above[total]] >= 0)
    )
    raised, fallen = total[lifted], uncle[links.above[total[lifted]]]
    given[raised] = given[fallen] = True
    given[sibling[links.below[fallen]]] = True
    protected = np.zeros(size, dtype=np.bool_)
    protected[parts[paired | lifted]] = True
    protected = _in_two_relations(cells, relations, links, free, keep, given, protected)
    # Kept hidden for good: the pruning of complements does not know these changes.
    return replace(cells, sensitive=cells.sensitive & ~protected, given=given)


def _in_two_relations(
    cells: CellState,
    relations: RelationSet,
    links: _Links,
    free: BoolArray,
    keep: BoolArray,
    given: BoolArray,
    protected: BoolArray,
) -> BoolArray:
    """`protected` with the cells a rectangle or a twin sum protects; marks what they hide.

    Only cells in two relations that are the only hidden cell of their relations: with other
    hidden cells near, the linear program often finds a change through them that hides fewer
    cells. Unless so many are left that their linear programs would take minutes (a city of
    thousands of blocks): then all of them.
    """
    size = cells.values.size
    hidden_parts = np.bincount(
        links.owner, weights=given[relations.parts], minlength=len(relations)
    )
    alone = _alone((hidden_parts + given[relations.totals]) == 1, links, size)
    if int((cells.sensitive & ~protected).sum()) > _PROGRAMS_AFFORDED:
        alone[:] = True
    for method in (_rectangles, _twin_pairs):
        more, used = method(cells, links, free, keep, protected | ~alone)
        protected |= more
        given[used] = True
    return protected


def _alone(alone: BoolArray, links: _Links, size: int) -> BoolArray:
    """Cells all of whose relations hold no other hidden cell (``alone`` per relation)."""
    crowded = np.zeros(size, dtype=np.bool_)
    crowded[links.relations.parts[~alone[links.owner]]] = True
    crowded[links.relations.totals[~alone]] = True
    return ~crowded


def _cheapest(cells: CellState, cell: IntArray, group: IntArray) -> tuple[IntArray, IntArray]:
    """Per group (sorted) the index of its cheapest member: hidden first, then the smallest."""
    if group.size and np.all(group[1:] >= group[:-1]):
        return _cheapest_in_runs(cells.given[cell], cells.values[cell], group)
    ranked = np.lexsort((cells.values[cell], ~cells.given[cell], group))
    groups, first = np.unique(group[ranked], return_index=True)
    return groups, ranked[first]


def _cheapest_in_runs(
    given: BoolArray, values: FloatArray, group: IntArray
) -> tuple[IntArray, IntArray]:
    """`_cheapest` where the groups are sorted already (the parts of relations in order).

    Minima over runs instead of a sort of millions of entries; ties go to the first.
    """
    starts = np.flatnonzero(np.concatenate([[True], group[1:] != group[:-1]]))
    run = np.repeat(np.arange(starts.size), np.diff(np.append(starts, group.size)))
    any_given = np.maximum.reduceat(given, starts)
    candidate = given == any_given[run]
    least = np.minimum.reduceat(np.where(candidate, values, np.inf), starts)
    best = candidate & (values == least[run])
    first = np.flatnonzero(best)
    first = first[np.concatenate([[True], run[first][1:] != run[first][:-1]])]
    return group[starts], first


def _first_per_relation(cells: CellState, links: _Links, eligible: BoolArray) -> IntArray:
    """Per relation its cheapest eligible part (positions ``eligible``), or -1."""
    able = np.flatnonzero(eligible)
    relations, best = _cheapest(cells, links.relations.parts[able], links.owner[able])
    chosen = np.full(len(links.relations), -1, dtype=np.int64)
    chosen[relations] = links.relations.parts[able[best]]
    return chosen


def _nothing(size: int) -> tuple[BoolArray, IntArray]:
    return np.zeros(size, dtype=np.bool_), np.zeros(0, dtype=np.int64)


def _rectangles(
    cells: CellState, links: _Links, free: BoolArray, keep: BoolArray, skip: BoolArray
) -> tuple[BoolArray, IntArray]:
    """Sensitive cells in two relations, protected by a rectangle of four cells.

    A cell of a two-way table (a row and a column) rises with the cell opposite it, while a
    cell of its row and one of its column fall: every relation keeps its total. Cells in
    ``skip`` are left alone. Returns the cells protected and those used.
    """
    size, two, other = cells.values.size, links.two, links.other
    cell, relation = links.relations.parts[two], links.owner[two]
    n = np.int64(len(links.relations))
    # The cell in both of two relations, by the pair of relations.
    pairs, where = np.unique(
        np.minimum(relation, other) * n + np.maximum(relation, other), return_index=True
    )
    able = np.flatnonzero(free[cell])
    if able.size == 0:
        return _nothing(size)
    # Per relation its cheapest cell able to fall by the width.
    groups, best = _cheapest(cells, cell[able], relation[able])
    lookup = np.full(len(links.relations), -1, dtype=np.int64)
    lookup[groups] = able[best]
    # Each sensitive cell once: its first position (row) and second (column).
    first = np.arange(0, two.size, 2)
    wanting = first[cells.sensitive[cell[first]] & ~skip[cell[first]]]
    q, r = lookup[relation[wanting]], lookup[relation[wanting + 1]]
    ok = (q >= 0) & (r >= 0)
    wanting, q, r = wanting[ok], q[ok], r[ok]
    key = np.minimum(other[q], other[r]) * n + np.maximum(other[q], other[r])
    at = np.minimum(np.searchsorted(pairs, key), pairs.size - 1)
    s = cell[where[at]]
    ok = (pairs[at] == key) & (cell[q] != cell[r]) & (cells.up[s] > 0) & (other[q] != other[r])
    ok &= (s != cell[wanting]) & (s != cell[q]) & (s != cell[r]) & ~keep[s]
    done = np.zeros(size, dtype=np.bool_)
    done[cell[wanting[ok]]] = True
    return done, np.concatenate([cell[q[ok]], cell[r[ok]], s[ok]])


def _twin_pairs(
    cells: CellState, links: _Links, free: BoolArray, keep: BoolArray, skip: BoolArray
) -> tuple[BoolArray, IntArray]:
    """Sensitive cells in two relations, protected with a sibling alike (four cells).

    A count that is a part of a hierarchy and of a sum (a block's count of one group, in its
    district and in the block's count of several groups) rises with the sum it is part of,
    while a sibling in the hierarchy falls with its own sum, where the two sums are siblings
    in one relation above and in nothing else. Cells in ``skip`` are left alone. Returns the
    cells protected and those used.
    """
    size, two = cells.values.size, links.two
    cell, sums = links.relations.parts[two], links.relations.totals[links.other]
    # The sum rises or falls with the cell; it must be a part of one relation and no other.
    movable = (
        (links.in_parts[sums] == 1)
        & (links.in_totals[sums] == 1)
        & ~keep[sums]
        & (cells.up[sums] > 0)
    )
    key = links.owner[two] * np.int64(len(links.relations)) + links.above[sums]
    candidates = np.flatnonzero(movable & free[cell] & free[sums])
    wanting = np.flatnonzero(movable & cells.sensitive[cell] & ~skip[cell])
    if candidates.size == 0 or wanting.size == 0:
        return _nothing(size)
    keys, best = _cheapest(cells, cell[candidates], key[candidates])
    at = np.minimum(np.searchsorted(keys, key[wanting]), keys.size - 1)
    found = keys[at] == key[wanting]
    wanting, partner = wanting[found], candidates[best[at[found]]]
    done = np.zeros(size, dtype=np.bool_)
    done[cell[wanting]] = True
    return done, np.concatenate([cell[partner], sums[partner], sums[wanting]])
