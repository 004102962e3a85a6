"""Indicator terms resolved against the observed breakdowns, and breakdown cells.

A term (a variable, optionally restricted to breakdown values) is read from the block of the
variable whose dimensions cover what it needs with the fewest dimensions: the totals when the
term has no restriction and the variable has totals; otherwise the most aggregated breakdown
that has the restricted dimensions, summing its cells (so totals can also come from a full
breakdown).

Breakdown values: an indicator gets values per breakdown cell for every non-empty set of its
*free* dimensions, the dimensions by which all its variables are broken down minus those its
terms restrict. With inhabitants by age group × gender × nationality, the share of inhabitants
under 18 (restricted on age group) has the free dimensions gender and nationality and the cells
``gender=…``, ``nationality=…`` and ``gender=…;nationality=…``: the share of under-18s among
women, among non-Germans, among non-German women, and so on. A cell's numerator and denominator
are the sums of the term's records in that cell.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from quartier.analysis.catalogue import Indicator, Term
from quartier.analysis.indicators._aggregate import MISSING, Codes, Floats, Ints, reason_codes
from quartier.analysis.indicators._cubes import Block, Observed
from quartier.analysis.tables import format_key, parse_key

__all__ = [
    "Resolved",
    "cell_label",
    "cell_labels",
    "cell_sums",
    "groupings",
    "resolve",
]

_NONE = np.iinfo(np.uint64).max


def cell_label(key: dict[str, str], grouping: Sequence[str]) -> str:
    """The label of a key's cell in a grouping: its values of the grouping's dimensions.

    Examples
    --------
    >>> cell_label({"age_group": "0-5", "gender": "weiblich"}, ("gender",))
    'gender=weiblich'
    """
    return format_key({dimension: key[dimension] for dimension in grouping})


@dataclass(frozen=True)
class Resolved:
    """A term read from a block.

    Attributes
    ----------
    variable : int
        Variable id.
    block : tuple of str
        The dimensions of the block read.
    position : int
        The variable's position in the block.
    cells : dict
        Cell label -> key positions in the block whose records the cell sums.
    """

    variable: int
    block: tuple[str, ...]
    position: int
    cells: dict[str, Ints]


def resolve(term: Term, grouping: tuple[str, ...], observed: Observed) -> Resolved | str:
    """Read `term` for `grouping`: where from, and which keys make each cell.

    Returns the resolution, or a text saying why the term cannot be read.
    """
    if term.variable not in observed.variables:
        return f"variable {term.variable!r} is not read"
    variable = observed.variables.index(term.variable)
    found = _blocks_of(observed, variable, term.dimensions | set(grouping))
    if not found:
        return _no_block_problem(term, observed, variable)
    block = found[0]
    position = block.position(variable)
    assert position is not None
    present = block.keys_present(position)
    parsed = [parse_key(observed.keys[k]) for k in block.key_ids]
    for dimension, allowed in term.breakdown:
        seen = {keys[dimension] for keys, here in zip(parsed, present, strict=True) if here}
        absent = [value for value in allowed if value not in seen]
        if absent:
            return f"{dimension} {absent[0]!r} never occurs for the variable {term.variable!r}"
    cells: dict[str, list[int]] = {}
    for index, (keys, here) in enumerate(zip(parsed, present, strict=True)):
        if here and all(keys[d] in allowed for d, allowed in term.breakdown):
            cells.setdefault(cell_label(keys, grouping), []).append(index)
    arrays = {label: np.asarray(positions, dtype=np.int64) for label, positions in cells.items()}
    return Resolved(variable, block.dimensions, position, arrays)


def _blocks_of(observed: Observed, variable: int, needed: set[str] | frozenset[str]) -> list[Block]:
    found = [
        block
        for block in observed.blocks.values()
        if block.position(variable) is not None and needed <= set(block.dimensions)
    ]
    return sorted(found, key=lambda block: (len(block.dimensions), block.dimensions))


def _no_block_problem(term: Term, observed: Observed, variable: int) -> str:
    if not any(block.position(variable) is not None for block in observed.blocks.values()):
        return f"variable {term.variable!r} has no observations"
    wanted = ", ".join(sorted(term.dimensions))
    return f"variable {term.variable!r} is not broken down by {wanted}"


def groupings(indicator: Indicator, observed: Observed) -> list[tuple[str, ...]]:
    """The breakdown groupings of an indicator: the non-empty sets of its free dimensions.

    Smaller sets first, then alphabetically; only sets by which every term can be read.
    """
    available: set[str] | None = None
    for term in indicator.terms:
        if term.variable not in observed.variables:
            return []
        variable = observed.variables.index(term.variable)
        dims = {
            dimension
            for block in observed.blocks.values()
            if block.position(variable) is not None
            for dimension in block.dimensions
        }
        available = dims if available is None else available & dims
    restricted = {d for term in indicator.terms for d in term.dimensions}
    free = sorted((available or set()) - restricted)
    return [
        grouping
        for size in range(1, len(free) + 1)
        for grouping in combinations(free, size)
        if all(isinstance(resolve(t, grouping, observed), Resolved) for t in indicator.terms)
    ]


def cell_labels(resolved: Sequence[Resolved]) -> tuple[str, ...]:
    """The cells of a grouping over all terms, in the order of the observed keys."""
    labels: dict[str, None] = {}
    for term in resolved:
        labels.update(dict.fromkeys(term.cells))
    return tuple(labels)


def cell_sums(
    values: Floats,
    codes: Codes | None,
    resolved: Resolved,
    labels: Sequence[str],
    first_area: int,
) -> tuple[Floats, Codes | None]:
    """The term's sums per cell, axes area × period × cell (in `labels` order).

    `values` and `codes` are the counts of one rank (area × period × key); `first_area` is the
    id of its first area. A cell the term has no key for is null (missing input).
    """
    if len(labels) == 1 and values.shape[-1] == 1 and labels[0] in resolved.cells:
        return values, codes
    shape = (*values.shape[:2], len(labels))
    sums = np.full(shape, np.nan)
    result_codes = None if codes is None else np.zeros(shape, dtype=np.uint64)
    for index, label in enumerate(labels):
        positions = resolved.cells.get(label)
        if positions is None:
            if result_codes is None:
                result_codes = np.zeros(shape, dtype=np.uint64)
            areas = np.arange(first_area, first_area + shape[0])[:, None]
            result_codes[..., index] = reason_codes(MISSING, resolved.variable, 0, areas)
            continue
        # NaN + anything is NaN: a single null record makes the cell null.
        sums[..., index] = values[..., positions].sum(axis=-1)
        if codes is not None and result_codes is not None:
            marked = np.where(codes[..., positions] == 0, _NONE, codes[..., positions])
            least = marked.min(axis=-1)
            result_codes[..., index] = np.where(least == _NONE, 0, least)
    return sums, result_codes
