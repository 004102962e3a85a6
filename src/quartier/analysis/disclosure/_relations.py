"""Additive relations between the cells of a table: a total equals the sum of its parts.

Cells are numbered 0 .. n-1. A `Relation` names one total cell and its part cells; a
`RelationSet` holds many relations in compressed arrays, so that tables with hundreds of
thousands of cells are described without a Python object per relation.

Examples
--------
>>> relations = RelationSet.of([Relation(total=0, parts=(1, 2)), Relation(3, (4, 5, 6))])
>>> len(relations), relations[1]
(2, Relation(total=3, parts=(4, 5, 6)))
>>> relations.incidence(7).toarray()
array([[-1,  1,  1,  0,  0,  0,  0],
       [ 0,  0,  0, -1,  1,  1,  1]])
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

__all__ = ["BoolArray", "FloatArray", "IntArray", "Relation", "RelationSet"]


@dataclass(frozen=True)
class Relation:
    """The cell ``total`` equals the sum of the cells ``parts`` (all given by index).

    Examples
    --------
    >>> Relation(total=0, parts=(1, 2))
    Relation(total=0, parts=(1, 2))
    """

    total: int
    parts: tuple[int, ...]


@dataclass(frozen=True, eq=False)
class RelationSet:
    """Many relations in compressed form.

    Relation ``i`` has the total cell ``totals[i]`` and the parts
    ``parts[offsets[i]:offsets[i + 1]]``.

    Examples
    --------
    >>> relations = RelationSet.from_arrays(totals=[0], offsets=[0, 2], parts=[1, 2])
    >>> list(relations)
    [Relation(total=0, parts=(1, 2))]
    """

    totals: IntArray
    offsets: IntArray
    parts: IntArray

    @classmethod
    def from_arrays(cls, *, totals: Any, offsets: Any, parts: Any) -> RelationSet:
        """Relations from array-likes of totals, part offsets (length + 1) and parts."""
        made = cls(
            np.asarray(totals, dtype=np.int64).reshape(-1),
            np.asarray(offsets, dtype=np.int64).reshape(-1),
            np.asarray(parts, dtype=np.int64).reshape(-1),
        )
        if made.offsets.size != made.totals.size + 1 or made.offsets[-1] != made.parts.size:
            raise ValueError("offsets must have one entry more than totals and end at len(parts)")
        if np.any(np.diff(made.offsets) < 1):
            raise ValueError("every relation needs at least one part")
        return made

    @classmethod
    def of(cls, relations: Iterable[Relation]) -> RelationSet:
        """Relations from `Relation` objects (or a `RelationSet`, returned as it is)."""
        if isinstance(relations, RelationSet):
            return relations
        listed = list(relations)
        sizes = [len(relation.parts) for relation in listed]
        return cls.from_arrays(
            totals=[relation.total for relation in listed],
            offsets=np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]),
            parts=[part for relation in listed for part in relation.parts],
        )

    @classmethod
    def concat(cls, sets: Sequence[RelationSet]) -> RelationSet:
        """All relations of several sets, in order.

        Examples
        --------
        >>> a = RelationSet.of([Relation(0, (1, 2))])
        >>> len(RelationSet.concat([a, a, RelationSet.of([])]))
        2
        """
        if not sets:
            return cls.of([])
        starts = np.cumsum([0] + [s.parts.size for s in sets[:-1]])
        offsets = [s.offsets[:-1] + start for s, start in zip(sets, starts, strict=True)]
        return cls.from_arrays(
            totals=np.concatenate([s.totals for s in sets]),
            offsets=np.concatenate([*offsets, [sum(s.parts.size for s in sets)]]),
            parts=np.concatenate([s.parts for s in sets]),
        )

    def tile(self, copies: int, stride: int) -> RelationSet:
        """The relations repeated for ``copies`` tables of ``stride`` cells each, table by table.

        Copy ``k`` names the cells shifted by ``k * stride``: the relations of many tables with
        the same structure, from those of one.

        Examples
        --------
        >>> list(RelationSet.of([Relation(0, (1, 2))]).tile(2, stride=3))
        [Relation(total=0, parts=(1, 2)), Relation(total=3, parts=(4, 5))]
        """
        shift = np.arange(copies, dtype=np.int64)[:, None]
        starts = self.offsets[:-1][None, :] + shift * self.parts.size
        return RelationSet.from_arrays(
            totals=(self.totals[None, :] + shift * stride).reshape(-1),
            offsets=np.append(starts.reshape(-1), copies * self.parts.size),
            parts=(self.parts[None, :] + shift * stride).reshape(-1),
        )

    def take(self, indices: Any) -> RelationSet:
        """The relations at ``indices`` (ascending), in that order.

        Examples
        --------
        >>> relations = RelationSet.of([Relation(0, (1, 2)), Relation(3, (4, 5, 6))])
        >>> list(relations.take([1]))
        [Relation(total=3, parts=(4, 5, 6))]
        """
        chosen = np.asarray(indices, dtype=np.int64)
        if chosen.size == len(self):
            return self
        lengths = np.diff(self.offsets)[chosen]
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        starts = np.repeat(self.offsets[chosen] - offsets[:-1], lengths)
        positions = np.arange(offsets[-1], dtype=np.int64) + starts
        return RelationSet(self.totals[chosen], offsets, self.parts[positions])

    def __len__(self) -> int:
        return int(self.totals.size)

    def __getitem__(self, index: int) -> Relation:
        start, end = self.offsets[index], self.offsets[index + 1]
        return Relation(int(self.totals[index]), tuple(int(p) for p in self.parts[start:end]))

    def __iter__(self) -> Iterator[Relation]:
        return (self[index] for index in range(len(self)))

    def incidence(self, n_cells: int) -> Any:
        """The relations as a sparse matrix A (relations x cells): A x = 0 for a valid table.

        A total has the coefficient -1, a part +1. Raises `ValueError` for a cell index outside
        0 .. n_cells-1 or a cell named twice in one relation.
        """
        return self.incidence_both(n_cells)[0].astype(np.int64)

    def incidence_both(self, n_cells: int) -> tuple[Any, Any]:
        """The incidence matrix (relations x cells) and its transpose (cells x relations), CSR.

        Built straight from the compressed arrays: a relation's row holds its total, then its
        parts, so no sorting of millions of entries is needed.
        """
        n_relations = len(self)
        for cells in (self.totals, self.parts):
            if cells.size and (cells.min() < 0 or cells.max() >= n_cells):
                raise ValueError(f"a relation names a cell outside 0..{n_cells - 1}")
        # Small integer types: the matrices of millions of cells take a fraction of the memory.
        index = np.int32 if max(n_cells, self.parts.size + n_relations) < 2**31 else np.int64
        indptr = (self.offsets + np.arange(n_relations + 1)).astype(index)
        is_total = np.zeros(self.parts.size + n_relations, dtype=np.bool_)
        is_total[indptr[:-1]] = True
        indices = np.empty(is_total.size, dtype=index)
        indices[is_total] = self.totals
        indices[~is_total] = self.parts
        signs = np.where(is_total, -1, 1).astype(np.int8)
        shape = (n_relations, n_cells)
        matrix = sparse.csr_matrix((signs, indices, indptr), shape=shape)
        by_cell = matrix.T.tocsr()  # the conversion sorts each cell's relations
        relations = by_cell.indices
        repeated = relations[1:] == relations[:-1]
        row_start = np.zeros(relations.size, dtype=np.bool_)
        row_start[by_cell.indptr[:-1][by_cell.indptr[:-1] < relations.size]] = True
        if np.any(repeated & ~row_start[1:]):
            raise ValueError("a relation names the same cell twice")
        return matrix, by_cell
