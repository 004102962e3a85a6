"""Protection intervals: hide complements until every sensitive cell keeps a wide interval.

The attacker sees every published cell, knows every relation (a total equals the sum of its
parts), knows that a hidden non-zero count is at least 1 (zeros are published as "-") and
that hidden cells in general are not negative. A sensitive cell ``p`` with value ``x_p`` is
protected when the attacker cannot rule out ``x_p + width``: then the largest value the
attacker can prove possible is at least ``x_p + width`` (≥ ``min_count``), and the feasible
interval is at least ``width`` wide.

That holds exactly when some change ``y`` of the hidden cells keeps every relation
(``A y = 0``), raises ``p`` by ``width`` and keeps each hidden cell at or above its lower
bound: the changed table is as consistent with the publication as the true one. For each
sensitive cell not yet protected, a linear program finds the cheapest such change over the
cells near ``p`` (those linked to it through a few relations), where a published cell costs
more than a hidden one, and a large one more than a small one; the cells it changes are
hidden. Hiding more cells only widens the attacker's choices, so a protection found stays
valid as later cells are protected, and the changes found are reused to skip linear programs.

Examples
--------
A district of three blocks; block 0 holds 2 people:

>>> import numpy as np
>>> from quartier.analysis.disclosure.relations import Relation, RelationSet
>>> values = np.array([2.0, 5.0, 7.0, 14.0])
>>> relations = RelationSet.of([Relation(total=3, parts=(0, 1, 2))])
>>> hidden = protect_cells(values, relations, sensitive=values < 3, width=3)
>>> hidden.tolist()
[True, True, False, False]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import highspy
import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from .relations import BoolArray, FloatArray, IntArray, RelationSet

__all__ = ["DEFAULT_PROTECTION_WIDTH", "protect_cells"]

DEFAULT_PROTECTION_WIDTH = 3
# Neighbourhoods tried in turn: cells within this many relation steps of the sensitive cell.
_RADII = (2, 4)
# The largest neighbourhood below a cell worth a linear program of its own.
_BELOW_CELLS = 4000
# More sensitive cells left than this for linear programs, and those in two relations are
# protected by rectangles and twin sums wherever these exist (see `_with_pairs`).
_PROGRAMS_AFFORDED = 2_000
# Components with more complements than this are not pruned (a linear program each; a
# breakdown table of 18,000 cells down to the blocks has about 2,800).
_PRUNE_COMPLEMENTS = 4000
# A complement moved by the changes of more sensitive cells than this is kept without trying.
_PRUNE_USERS = 8
# Orders of protection tried in a component with several sensitive cells and no more
# complements than `_ORDERS_COMPLEMENTS` (see `_Problem.protect`), and the seed of the random
# ones among them.
_ORDERS = 4
_ORDERS_COMPLEMENTS = 300
_ORDER_SEED = 2026
# How many steps up (to totals) the neighbourhoods below a cell are tried.
_STEPS_UP = 1
_HIDDEN_COST = 1e-3
_KEEP_COST = 1e3
_TOLERANCE = 1e-7


def protect_cells(
    values: FloatArray,
    relations: RelationSet,
    *,
    sensitive: BoolArray,
    width: int = DEFAULT_PROTECTION_WIDTH,
    hidden: BoolArray | None = None,
    lower: FloatArray | None = None,
    keep: BoolArray | None = None,
) -> BoolArray:
    """Cells to hide so that every sensitive cell is protected by ``width``.

    Parameters
    ----------
    values
        One value per cell; NaN for a cell whose value is unknown (it is hidden and may
        take any value at or above its lower bound, but only its rise is relied on).
    relations
        Additive relations between the cells.
    sensitive
        Cells to protect (they are hidden). An unknown cell may be sensitive too (secret in
        the source): it is protected by a rise, the only change its unknown value allows.
    width
        The protection width.
    hidden
        Cells hidden anyway (never published, or unknown); they protect at no cost.
    lower
        The lowest value the attacker allows each hidden cell (default: 1 for positive
        cells, 0 for others).
    keep
        Cells to hide only when nothing else protects (for instance the city total).

    Returns
    -------
    numpy.ndarray of bool
        The hidden cells: the sensitive, the given hidden and the complements.
    """
    size = values.size
    unknown = np.isnan(values)
    known = np.where(unknown, 0.0, values)
    floor = np.where(known > 0, 1.0, 0.0) if lower is None else np.asarray(lower, np.float64)
    given = _mask(hidden, size) | unknown | np.asarray(sensitive, dtype=np.bool_)
    cells = _Cells(
        values=known,
        sensitive=np.asarray(sensitive, dtype=np.bool_),
        given=given,
        # How far each cell may fall before it reaches its lower bound; an unknown cell only
        # rises, a published zero moves neither way.
        down=np.where(unknown, 0.0, np.maximum(known - floor, 0.0)),
        up=np.where((known == 0) & ~unknown & ~_mask(hidden, size), 0.0, np.inf),
        keep=_mask(keep, size),
        largest=float(known.max(initial=0.0)),
    )
    _check_cells(relations, size)
    cells = _with_pairs(cells, relations, float(width), _mask(keep, size))
    count, labels = _components(relations, size)
    # Only components with a sensitive cell left need the matrix of their relations; a
    # relation's cells all lie in one component, that of its total.
    wanted = np.bincount(labels, weights=cells.sensitive, minlength=count) > 0
    left = relations.take(np.flatnonzero(wanted[labels[relations.totals]]))
    matrix, by_cell = left.incidence_both(size)  # checks the relations left
    matrix = matrix.astype(np.float64)
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(count + 1))
    out = cells.given.copy()
    solver = _Solver()
    for component in range(count):
        members = order[bounds[component] : bounds[component + 1]]
        if not cells.sensitive[members].any():
            continue
        rows = np.unique(by_cell[members].indices)
        problem = _Problem.of(cells.at(members), matrix[rows][:, members], width, solver)
        problem.protect()
        out[members] = problem.hidden
    return out


def _check_cells(relations: RelationSet, size: int) -> None:
    for cells in (relations.totals, relations.parts):
        if cells.size and (cells.min() < 0 or cells.max() >= size):
            raise ValueError(f"a relation names a cell outside 0..{size - 1}")


def _components(relations: RelationSet, size: int) -> tuple[int, IntArray]:
    """The connected components of the cells (linked when they share a relation).

    Found on the graph of cells and relations, whose size is that of the relations: the
    graph of cells alone would square every relation's number of parts.
    """
    n = len(relations)
    owner = np.repeat(np.arange(n, dtype=np.int64), np.diff(relations.offsets))
    graph = sparse.coo_matrix(
        (
            np.ones(owner.size + n, dtype=np.int8),
            (
                np.concatenate([relations.parts, relations.totals]),
                size + np.concatenate([owner, np.arange(n, dtype=np.int64)]),
            ),
        ),
        shape=(size + n, size + n),
    )
    _, labels = connected_components(graph, directed=False)
    # Components are numbered anew over the cells only (a relation has cells).
    found, cells = np.unique(labels[:size], return_inverse=True)
    return int(found.size), cells.astype(np.int64)


@dataclass(frozen=True)
class _Links:
    """How each cell sits in the relations, for the passes of `_with_pairs`."""

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


def _with_pairs(cells: _Cells, relations: RelationSet, width: float, keep: BoolArray) -> _Cells:
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
    free = ~cells.sensitive & ~keep & (cells.down >= width - _TOLERANCE)
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
    # Cells in two relations, where they are the only hidden cell of their relations: with
    # other hidden cells near, the linear program often finds a change through them that
    # hides fewer cells. Unless so many are left that their linear programs would take
    # minutes (a city of thousands of blocks): then all of them.
    hidden_parts = np.bincount(owner, weights=given[parts], minlength=len(relations))
    alone = _alone((hidden_parts + given[totals]) == 1, links, size)
    if int((cells.sensitive & ~protected).sum()) > _PROGRAMS_AFFORDED:
        alone[:] = True
    for method in (_rectangles, _twin_pairs):
        more, used = method(cells, links, free, keep, protected | ~alone)
        protected |= more
        given[used] = True
    # Kept hidden for good: the pruning of complements does not know these changes.
    return replace(cells, sensitive=cells.sensitive & ~protected, given=given)


def _alone(alone: BoolArray, links: _Links, size: int) -> BoolArray:
    """Cells all of whose relations hold no other hidden cell (``alone`` per relation)."""
    crowded = np.zeros(size, dtype=np.bool_)
    crowded[links.relations.parts[~alone[links.owner]]] = True
    crowded[links.relations.totals[~alone]] = True
    return ~crowded


def _cheapest(cells: _Cells, cell: IntArray, group: IntArray) -> tuple[IntArray, IntArray]:
    """Per group (sorted) the index of its cheapest member: hidden first, then the smallest."""
    if group.size and np.all(group[1:] >= group[:-1]):
        return _cheapest_in_runs(cells.given[cell], cells.values[cell], group)
    ranked = np.lexsort((cells.values[cell], ~cells.given[cell], group))
    groups, first = np.unique(group[ranked], return_index=True)
    return groups, ranked[first]


def _cheapest_in_runs(
    given: BoolArray, values: FloatArray, group: IntArray
) -> tuple[IntArray, IntArray]:
    """`_cheapest` where the groups are sorted already (the parts of relations in order):
    minima over runs instead of a sort of millions of entries; ties go to the first."""
    starts = np.flatnonzero(np.concatenate([[True], group[1:] != group[:-1]]))
    run = np.repeat(np.arange(starts.size), np.diff(np.append(starts, group.size)))
    any_given = np.maximum.reduceat(given, starts)
    candidate = given == any_given[run]
    least = np.minimum.reduceat(np.where(candidate, values, np.inf), starts)
    best = candidate & (values == least[run])
    first = np.flatnonzero(best)
    first = first[np.concatenate([[True], run[first][1:] != run[first][:-1]])]
    return group[starts], first


def _first_per_relation(cells: _Cells, links: _Links, eligible: BoolArray) -> IntArray:
    """Per relation its cheapest eligible part (positions ``eligible``), or -1."""
    able = np.flatnonzero(eligible)
    relations, best = _cheapest(cells, links.relations.parts[able], links.owner[able])
    chosen = np.full(len(links.relations), -1, dtype=np.int64)
    chosen[relations] = links.relations.parts[able[best]]
    return chosen


def _nothing(size: int) -> tuple[BoolArray, IntArray]:
    return np.zeros(size, dtype=np.bool_), np.zeros(0, dtype=np.int64)


def _rectangles(
    cells: _Cells, links: _Links, free: BoolArray, keep: BoolArray, skip: BoolArray
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
    cells: _Cells, links: _Links, free: BoolArray, keep: BoolArray, skip: BoolArray
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


@dataclass(frozen=True)
class _Cells:
    """What the protection knows of each cell (see `protect_cells`)."""

    values: FloatArray
    sensitive: BoolArray
    given: BoolArray  # hidden before any complement: sensitive, unknown, never published
    down: FloatArray
    up: FloatArray
    keep: BoolArray  # hidden only when nothing else protects
    largest: float  # the largest value of all cells

    def cost(self, cells: IntArray) -> FloatArray:
        """The cost of hiding ``cells``: a kept cell's far above all, a large cell's above a
        small one's. Computed where asked, not for millions of cells at once."""
        cost: FloatArray = np.where(self.keep[cells], _KEEP_COST, 1.0) * (
            1.0 + self.values[cells] / (1.0 + self.largest)
        )
        return cost

    def at(self, members: IntArray) -> _Cells:
        arrays = ("values", "sensitive", "given", "down", "up", "keep")
        return replace(self, **{name: getattr(self, name)[members] for name in arrays})


@dataclass
class _Problem:
    """One connected component of cells and relations, indexed from 0."""

    cells: _Cells
    matrix: Any  # relations × cells, csc: -1 for the total, +1 for each part
    width: float
    solver: _Solver
    hidden: BoolArray
    pattern: Any  # |matrix|, csr, for finding neighbourhoods
    parts: Any  # 1 where a cell is a part of a relation
    totals: Any  # 1 where a cell is the total of a relation
    degree: IntArray  # the number of relations of each cell
    # The changes found so far, by each cell they raise.
    directions: dict[int, list[tuple[IntArray, FloatArray]]] = field(default_factory=dict)

    @classmethod
    def of(cls, cells: _Cells, matrix: Any, width: float, solver: _Solver) -> _Problem:
        pattern = abs(matrix).tocsr()
        return cls(
            cells=cells,
            matrix=matrix.tocsc(),
            width=float(width),
            solver=solver,
            hidden=cells.given.copy(),
            pattern=pattern,
            parts=(matrix > 0).astype(np.float64).tocsr(),
            totals=(matrix < 0).astype(np.float64).tocsr(),
            degree=np.diff(pattern.tocsc().indptr),
        )

    @property
    def size(self) -> int:
        return int(self.cells.values.size)

    def protect(self) -> None:
        """Protect the sensitive cells one after the other, in a few orders; keep the best.

        Each cell takes the cheapest change given what the cells before it hid, so the
        pattern depends on the order. Where a component has several sensitive cells and its
        pattern has no more than `_ORDERS_COMPLEMENTS` complements, other orders are tried
        too, and the pattern that hides the fewest cells (then the smallest total) is kept.
        """
        start = self.hidden.copy()
        best: tuple[tuple[int, float], BoolArray] | None = None
        for order in self._orders():
            self.hidden, self.directions = start.copy(), {}
            self._protect_in(order)
            hidden = self.hidden
            score = (int(hidden.sum()), float(self.cells.values[hidden].sum()))
            if best is None or score < best[0]:
                best = (score, hidden)
            if np.count_nonzero(hidden & ~self.cells.given) > _ORDERS_COMPLEMENTS:
                break
        assert best is not None
        self.hidden = best[1]

    def _orders(self) -> Iterator[IntArray]:
        """The orders to protect the sensitive cells in, the usual one first."""
        cells = np.flatnonzero(self.cells.sensitive)
        # Cells in many relations (totals of others) first: their changes reach far and
        # often protect the cells below them on the way.
        yield cells[np.argsort(-self.degree[cells], kind="stable")]
        if cells.size < 2 or _ORDERS < 2:
            return
        # The smallest counts first, then in random orders (seeded: the same every time).
        yield cells[np.lexsort((-self.degree[cells], self.cells.values[cells]))]
        random = np.random.default_rng(_ORDER_SEED)
        for _ in range(_ORDERS - 2):
            yield random.permutation(cells)

    def _protect_in(self, order: IntArray) -> None:
        chosen: dict[int, tuple[IntArray, FloatArray]] = {}
        for cell in order.tolist():
            found = self._protected(cell) or self._protect(cell)
            if found is not None:
                chosen[cell] = found
        self._prune(chosen)

    def _protected(self, cell: int) -> tuple[IntArray, FloatArray] | None:
        """A change found before that raises ``cell`` far enough within what is hidden."""
        for support, change in self.directions.get(cell, ()):
            at = np.searchsorted(support, cell)
            scaled = change * (self.width / change[at])
            falls = scaled < 0
            if (-scaled[falls] <= self.cells.down[support[falls]] + _TOLERANCE).all() and (
                self.hidden[support].all()
            ):
                return support, change
        return None

    def _remember(self, found: tuple[IntArray, FloatArray]) -> None:
        support, change = found
        for cell in support[change > _TOLERANCE].tolist():
            self.directions.setdefault(cell, []).append(found)

    def _protect(self, cell: int) -> tuple[IntArray, FloatArray] | None:
        for near in self._neighbourhoods(cell):
            change = self._cheapest_change(cell, near)
            if change is not None:
                moved = np.abs(change) > _TOLERANCE
                found = near[moved], change[moved]
                self.hidden[found[0]] = True
                self._remember(found)
                return found
        # No change at all: hide the cell's whole component (never seen in practice).
        self.hidden[:] = True
        return None

    def _prune(self, chosen: dict[int, tuple[IntArray, FloatArray]]) -> None:
        """Publish again complements that turn out unneeded, largest first.

        A complement is unneeded when every sensitive cell whose change moves it has another
        change within the other hidden cells.
        """
        complements = np.flatnonzero(self.hidden & ~self.cells.given)
        if complements.size > _PRUNE_COMPLEMENTS:
            return
        # Which sensitive cells' changes move each cell, in the order they were protected.
        rank = {cell: at for at, cell in enumerate(chosen)}
        users_of: dict[int, set[int]] = {}
        for cell, (support, _) in chosen.items():
            for moved in support.tolist():
                users_of.setdefault(moved, set()).add(cell)
        for complement in complements[np.argsort(-self.cells.values[complements], kind="stable")]:
            users = sorted(users_of.get(int(complement), ()), key=rank.__getitem__)
            if len(users) > _PRUNE_USERS:
                continue
            self.hidden[complement] = False
            replaced = self._replacements(users)
            if replaced is None:
                self.hidden[complement] = True
                continue
            for cell, found in replaced.items():
                for moved in chosen[cell][0].tolist():
                    users_of[moved].discard(cell)
                for moved in found[0].tolist():
                    users_of.setdefault(moved, set()).add(cell)
                chosen[cell] = found

    def _replacements(self, users: list[int]) -> dict[int, tuple[IntArray, FloatArray]] | None:
        """A change for each of ``users`` within the hidden cells; None at the first without."""
        inside = np.flatnonzero(self.hidden)
        replaced = {}
        for cell in users:
            found = self._protected(cell) or self._within(cell, inside)
            if found is None:
                return None
            # Valid whatever becomes of the complement: hiding more only widens the choices.
            self._remember(found)
            replaced[cell] = found
        return replaced

    def _within(self, cell: int, inside: IntArray) -> tuple[IntArray, FloatArray] | None:
        """A change raising ``cell`` by the width that moves only the cells ``inside``."""
        change = self._cheapest_change(cell, inside)
        if change is None:
            return None
        moved = np.abs(change) > _TOLERANCE
        return inside[moved], change[moved]

    def _neighbourhoods(self, cell: int) -> Iterator[IntArray]:
        """Cells to try changes over, smallest first.

        First the cells *beside and below* the cell: the other parts of each relation it is
        in, and the parts of the relations it is the total of, and so on (its totals stay
        fixed, so the change must balance within them). Then everything within a few steps
        over shared relations, totals included, and finally the whole component.
        """
        start = np.zeros(self.size, dtype=np.bool_)
        start[cell] = True
        for _ in range(_STEPS_UP + 1):
            yield self._below(start)
            # Then the same a step up: the totals of the relations reached may change too.
            rows = np.flatnonzero(self.parts @ start.astype(np.float64))
            start[self.totals[rows].indices] = True
        for radius in _RADII:
            yield self._near(cell, radius)
        yield np.arange(self.size)

    def _below(self, start: BoolArray) -> IntArray:
        reached = start.copy()
        count = int(reached.sum())
        while count < _BELOW_CELLS:
            rows = np.flatnonzero(self.pattern @ reached.astype(np.float64))
            reached[self.parts[rows].indices] = True
            grown = int(reached.sum())
            if grown == count:
                break
            count = grown
        return np.flatnonzero(reached)

    def _near(self, cell: int, radius: int) -> IntArray:
        """The cells reached from ``cell`` in up to ``radius`` steps over shared relations."""
        reached = np.zeros(self.size, dtype=np.bool_)
        reached[cell] = True
        for _ in range(radius):
            rows = np.flatnonzero(self.pattern @ reached.astype(np.float64))
            grown = reached.copy()
            grown[self.pattern[rows].indices] = True
            if grown.sum() == reached.sum():
                break
            reached = grown
        return np.flatnonzero(reached)

    def _cheapest_change(self, cell: int, near: IntArray) -> FloatArray | None:
        """The cheapest change over ``near`` raising ``cell`` by the width, if there is one.

        Variables are each cell's rise and fall; the relations touching ``near`` must hold,
        with the cells outside ``near`` unchanged.
        """
        columns = self.matrix[:, near]
        rows, local = np.unique(columns.indices, return_inverse=True)
        cost = np.where(self.hidden[near], _HIDDEN_COST, self.cells.cost(near))
        rise = self.cells.up[near].copy()
        fall = self.cells.down[near].copy()
        at = int(np.searchsorted(near, cell))
        lowest = np.zeros(near.size)
        lowest[at], rise[at], fall[at] = self.width, self.width, 0.0
        # The falls are the rises' columns negated: [A, -A] in column-wise form.
        solution = self.solver.minimise(
            cost=np.concatenate([cost, cost]),
            lower=np.concatenate([lowest, np.zeros(near.size)]),
            upper=np.concatenate([rise, fall]),
            rows=rows.size,
            starts=np.concatenate([columns.indptr, columns.indptr[1:] + columns.indptr[-1]]),
            indices=np.concatenate([local, local]),
            coefficients=np.concatenate([columns.data, -columns.data]),
        )
        if solution is None:
            return None
        return np.asarray(solution[: near.size] - solution[near.size :], dtype=np.float64)


class _Solver:
    """Linear programs min c·x, A x = 0, l ≤ x ≤ u, solved by HiGHS through one instance.

    highspy's own wrapper class prints a banner to the terminal when it is made; its core
    class does not, and is all that is needed here.
    """

    def __init__(self) -> None:
        self.highs = highspy._Highs()  # type: ignore[attr-defined]
        self.highs.setOptionValue("output_flag", False)

    def minimise(
        self,
        *,
        cost: FloatArray,
        lower: FloatArray,
        upper: FloatArray,
        rows: int,
        starts: Any,
        indices: Any,
        coefficients: Any,
    ) -> FloatArray | None:
        """The optimal x, or None if there is none (column-wise A given by its arrays)."""
        zeros = np.zeros(rows)
        self.highs.passModel(
            cost.size,
            rows,
            int(starts[-1]),
            int(highspy.MatrixFormat.kColwise),
            int(highspy.ObjSense.kMinimize),
            0.0,
            cost,
            lower,
            np.where(np.isinf(upper), highspy.kHighsInf, upper),
            zeros,
            zeros,
            np.asarray(starts, dtype=np.int32),
            np.asarray(indices, dtype=np.int32),
            np.asarray(coefficients, dtype=np.float64),
            np.zeros(cost.size, dtype=np.int32),  # every variable continuous
        )
        self.highs.run()
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        return np.asarray(self.highs.getSolution().col_value, dtype=np.float64)


def _mask(values: Any, size: int) -> BoolArray:
    if values is None:
        return np.zeros(size, dtype=np.bool_)
    return np.asarray(values, dtype=np.bool_).reshape(-1)
