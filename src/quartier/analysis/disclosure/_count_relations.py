"""The relations between count cells: hierarchy, margins and sums, with remainder cells."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from quartier.analysis.tables import parse_key

from ._count_names import SUM, atom_name
from ._relations import BoolArray, FloatArray, RelationSet
from ._roles import Layout
from ._slots import NONE, Positions, Slots


def count_relations(names: Sequence[str]) -> list[tuple[int, str, int]]:
    """(total count, relation name, part count) between the counts named, by number.

    Margins: an atom is the sum of the atoms with one dimension more, over all values of
    that dimension seen. Sums: a count of several atoms is the sum of the atoms' counts.
    """
    number = {name: i for i, name in enumerate(names)}
    single = [name for name in names if SUM not in name]
    values: dict[str, dict[str, list[str]]] = {}
    for atom in single:
        variable, key = atom.split("|", 1)
        for dimension, value in parse_key(key).items():
            seen = values.setdefault(variable, {}).setdefault(dimension, [])
            if value not in seen:
                seen.append(value)
    rows: list[tuple[int, str, int]] = []
    for atom in single:
        variable, key = atom.split("|", 1)
        cell = parse_key(key)
        for dimension, options in values.get(variable, {}).items():
            if dimension in cell:
                continue
            for value in options:
                part = atom_name(variable, {**cell, dimension: value})
                if part in number:
                    rows.append((number[atom], f"{atom}/{dimension}", number[part]))
    for name in names:
        if SUM in name:
            rows += [(number[name], name, number[a]) for a in name.split(SUM) if a in number]
    return rows


def relation_triples(
    slots: Slots,
    cell_area: Positions,
    parent: Positions,
    layout: Layout,
    between_counts: list[tuple[int, str, int]],
) -> tuple[Positions, Positions, Positions]:
    """(relation, total, part) per part of a relation, sorted by relation.

    A relation is numbered by its total cell and what it sums: the hierarchy (an area is
    the sum of the same count of the areas whose nearest present ancestor it is), or one
    of ``between_counts`` in the same area and year.
    """
    size = slots.size
    relation, totals, parts = [], [], []
    part = np.arange(size, dtype=np.int64)
    ancestor = parent[cell_area]
    while part.size:
        up = ancestor >= 0
        part, ancestor = part[up], ancestor[up]
        total = slots.find(slots.keys[part] - cell_area[part] + ancestor)
        hit = total >= 0
        found = total[hit]
        relation.append(found)
        totals.append(found)
        parts.append(part[hit])
        part, ancestor = part[~hit], parent[ancestor[~hit]]
    groups: dict[str, int] = {}
    for count, name, part_count in between_counts:
        group = groups.setdefault(name, len(groups) + 1)
        start, end = np.searchsorted(
            slots.keys, [count * layout.per_count, (count + 1) * layout.per_count]
        )
        total = np.arange(start, end, dtype=np.int64)
        found = slots.find(slots.keys[total] + (part_count - count) * layout.per_count)
        hit = found >= 0
        relation.append(group * size + total[hit])
        totals.append(total[hit])
        parts.append(found[hit])
    none = np.zeros(0, dtype=np.int64)
    keys = np.concatenate([none, *relation])
    del relation
    total = np.concatenate([none, *totals])
    del totals
    part = np.concatenate([none, *parts])
    del parts
    # Stable: the pieces are sorted runs, which the sort merges in a fraction of the time.
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    total = total[order]
    return keys, total, part[order]


def with_remainders(
    values: FloatArray, keys: Positions, total_of_part: Positions, flat: Positions
) -> tuple[RelationSet, FloatArray]:
    """The relations from (relation, total, part) rows sorted by relation.

    Also the values of the remainder cells added where parts are missing (numbered after the
    cells).
    """
    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]])) if keys.size else keys
    totals = total_of_part[starts]
    lengths = np.diff(np.append(starts, keys.size))
    owners = np.repeat(np.arange(totals.size), lengths)
    sums = np.bincount(owners, weights=values[flat], minlength=totals.size)
    rest = values[totals] - sums
    scale = np.maximum(np.abs(values[totals]), 1.0)
    known = ~np.isnan(rest)
    # Data that break a relation are no knowledge for anyone; an unknown remainder is left
    # out, which only narrows the changes the protection may rely on.
    inconsistent = known & (rest < -1e-9 * scale)
    needs_rest = known & (rest > 1e-9 * scale)
    keep = ~inconsistent
    extra = np.flatnonzero(needs_rest & keep)
    rest_cell = np.full(totals.size, NONE, dtype=np.int64)
    rest_cell[extra] = values.size + np.arange(extra.size)
    relations = _relation_set(totals, flat, owners, starts, rest_cell, keep)
    return relations, rest[extra]


def _relation_set(
    totals: Positions,
    flat: Positions,
    owners: Positions,
    starts: Positions,
    rest: Positions,
    keep: BoolArray,
) -> RelationSet:
    """The relations kept, each with its parts and, last, its remainder cell if it has one.

    The parts are moved to their place in one step instead of sorted there: the relations
    keep their order, only the remainders and the relations left out shift them.
    """
    kept = np.flatnonzero(keep)
    lengths = np.diff(np.append(starts, flat.size))[kept]
    with_rest = rest[kept] >= 0
    offsets = np.concatenate([[0], np.cumsum(lengths + with_rest)])
    shift = np.zeros(totals.size, dtype=np.int64)
    shift[kept] = offsets[:-1] - starts[kept]
    parts = np.empty(int(offsets[-1]), dtype=np.int64)
    chosen = np.flatnonzero(keep[owners]) if kept.size < totals.size else np.arange(flat.size)
    parts[chosen + shift[owners[chosen]]] = flat[chosen]
    parts[(offsets[:-1] + lengths)[with_rest]] = rest[kept][with_rest]
    return RelationSet.from_arrays(totals=totals[kept], offsets=offsets, parts=parts)
