"""The base counts behind the figures of indicator results, and the relations between them.

Every numerator and denominator of a result row is a count: the sum of some cells of one or
more variables in one area and year. The same count appears under many names — the
inhabitants of an area are the count of `einwohnerzahl`, the denominator of every share, the
numerator of the population change and, five years later, its denominator. Disclosure control
must decide about the count, once, not about each name: so each figure is mapped to its
*count cell*, identified by what it counts (the canonical set of variable cells it sums), the
area and the year it refers to.

An *atom* is one variable restricted to one value of each of some breakdown dimensions
(``einwohner|age_group=80+;gender=weiblich``). A count cell is a set of atoms: one atom for
``einwohnerzahl`` by age group and gender, two for the 65-and-over (65-79 and 80+).

The relations an attacker knows between count cells of one year:

- hierarchy: an area's count is the sum of the same count of its child areas;
- margins: an atom summed over the values of one more dimension is the atom without it;
- sums: a count of several atoms is the sum of those atoms' counts.

Where some parts of a relation are not figures of any indicator (a category no indicator
shows, an area without rows), the rest of the total is a cell of its own that is never
published, so every relation holds exactly.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

from quartier.analysis.catalogue import Catalogue, Indicator, Term

from .relations import BoolArray, FloatArray, RelationSet

__all__ = ["CountCells", "count_cells"]

Positions = npt.NDArray[np.int64]
# Per result row: millions of entries, each a number far below 2**31.
RowPositions = npt.NDArray[np.int32]
_NONE = -1
_SUM = " + "  # joins the atoms of a count's name


@dataclass(frozen=True)
class CountCells:
    """The count cells behind a frame of indicator results.

    Attributes
    ----------
    values
        The value of each cell (NaN where it is unknown).
    never_published
        Cells that are no figure of any row: remainders of relations.
    relations
        The relations between the cells.
    numerator, denominator
        Per result row, the cell of its numerator and of its denominator (-1: none).
    is_city
        Cells of the top area.
    row_table, row_area
        Per result row, the number of its indicator and breakdown cell, and of its area
        (in ``area_codes``): what the publication needs to find a row's other years and
        its peers without matching strings again.
    tables
        The (indicator, breakdown key) of each table, by number.
    area_codes
        The codes of the areas, by number.
    """

    values: FloatArray
    never_published: BoolArray
    relations: RelationSet
    numerator: RowPositions
    denominator: RowPositions
    is_city: BoolArray
    row_table: RowPositions
    row_area: RowPositions
    tables: list[tuple[str, str]]
    area_codes: list[str]


def count_cells(results: pl.DataFrame, *, areas: pl.DataFrame, catalogue: Catalogue) -> CountCells:
    """Map each row's numerator and denominator to its count cell; find the relations.

    ``results`` has the columns ``indicator``, ``area``, ``period``, ``breakdown_key``,
    ``numerator`` and ``denominator``; ``areas`` has ``code`` and ``parent``.
    """
    places = _Places.of(areas, results["area"])
    roles = _Roles.of(results, catalogue, places)
    slots = Slots.of(np.concatenate([roles.numerator, roles.denominator[roles.has_denominator]]))
    numerator = slots.find(roles.numerator)
    denominator = np.where(roles.has_denominator, slots.find(roles.denominator), _NONE)
    values = _cell_values(slots, numerator, denominator, roles, places)
    layout, between_counts = roles.layout, _count_relations(roles.names)
    row_table, tables = roles.table, roles.tables
    # The rows' slots and values are no longer needed, and they are among the largest arrays.
    del roles
    cell_area = slots.keys % layout.areas
    keys, totals, parts = _relation_triples(slots, cell_area, places.parent, layout, between_counts)
    del slots
    is_city = places.is_root[cell_area]
    del cell_area
    relations, rest = _with_remainders(values, keys, totals, parts)
    return CountCells(
        values=np.concatenate([values, rest]),
        never_published=np.arange(values.size + rest.size) >= values.size,
        relations=relations,
        numerator=_per_row(numerator),
        denominator=_per_row(denominator),
        is_city=np.concatenate([is_city, np.zeros(rest.size, np.bool_)]),
        row_table=_per_row(row_table),
        row_area=_per_row(places.of_rows),
        tables=tables,
        area_codes=places.codes,
    )


def _per_row(positions: Positions) -> RowPositions:
    """Numbers per result row in half the memory (numbers of cells, tables and areas)."""
    if positions.size and int(positions.max()) >= 2**31:
        raise ValueError("more than 2**31 count cells, tables or areas")
    return positions.astype(np.int32)


@dataclass(frozen=True)
class _Places:
    """The areas numbered from the top down, children of one parent next to each other.

    In this order the cells of one count and year, sorted by area, have their parents in
    ascending order too, so the hierarchy's relations come out (nearly) sorted.
    """

    codes: list[str]
    parent: Positions  # the parent's number (-1: none)
    is_root: BoolArray  # the city (an area without a parent)
    of_rows: Positions  # the number of each result row's area

    @classmethod
    def of(cls, areas: pl.DataFrame, row_areas: pl.Series) -> _Places:
        table = areas.select(pl.col("code").cast(pl.Utf8), pl.col("parent").cast(pl.Utf8))
        number: dict[str, int] = {}
        tier = table.filter(pl.col("parent").is_null())["code"].to_list()
        roots = len(tier)
        parents = dict(zip(table["code"].to_list(), table["parent"].to_list(), strict=True))
        children: dict[str, list[str]] = {}
        for code, parent in parents.items():
            if parent is not None:
                children.setdefault(parent, []).append(code)
        while tier:
            fresh = [code for code in tier if code not in number]
            for code in fresh:
                number.setdefault(code, len(number))
            tier = [child for code in fresh for child in children.get(code, [])]
        # Areas below no root (or only in the results) come last, without a parent.
        rest = [code for code in parents if code not in number]
        rest += [c for c in row_areas.unique(maintain_order=True).to_list() if c not in parents]
        for code in rest:
            number.setdefault(code, len(number))
        codes = list(number)
        parent = np.full(len(codes), _NONE, dtype=np.int64)
        for code, i in number.items():
            up = parents.get(code)
            if up is not None and up in number:
                parent[i] = number[up]
        is_root = np.zeros(len(codes), dtype=np.bool_)
        is_root[:roots] = True
        of_rows = row_areas.cast(pl.Utf8).cast(pl.Enum(codes)).to_physical().to_numpy()
        return cls(codes, parent, is_root, of_rows.astype(np.int64))


@dataclass(frozen=True)
class _Layout:
    """A cell's slot: (count, year, area) packed into one integer."""

    first_period: int
    periods: int
    areas: int

    @property
    def per_count(self) -> int:
        return self.periods * self.areas

    def slot(self, count: Positions, period: Positions, area: Positions) -> Positions:
        # In place on one new array: millions of rows, and each new array costs its pages.
        slot = np.multiply(count, self.periods, dtype=np.int64)
        slot += period
        slot -= self.first_period
        slot *= self.areas
        slot += area
        return slot


@dataclass(frozen=True)
class _Roles:
    """Per result row the slot of its numerator and of its denominator, and their values."""

    names: list[str]  # the count names, by number
    layout: _Layout
    numerator: Positions
    denominator: Positions
    has_denominator: BoolArray
    table: Positions
    tables: list[tuple[str, str]]
    numerator_value: FloatArray
    denominator_value: FloatArray

    @classmethod
    def of(cls, results: pl.DataFrame, catalogue: Catalogue, places: _Places) -> _Roles:
        pair, pairs = _pairs(results)
        described = [_describe(catalogue.indicator(i), key) for i, key in pairs]
        names: dict[str, int] = {}
        for numerator_name, denominator_name, _ in described:
            names.setdefault(numerator_name, len(names))
            if denominator_name is not None:
                names.setdefault(denominator_name, len(names))
        numerator_count = np.array([names[d[0]] for d in described], dtype=np.int64)
        denominator_count = np.array(
            [_NONE if d[1] is None else names[d[1]] for d in described], dtype=np.int64
        )
        lag = np.array([d[2] for d in described], dtype=np.int64)
        period = results["period"].cast(pl.Int64).to_numpy()
        has_denominator = denominator_count[pair] >= 0
        denominator_period = period - lag[pair]
        earlier = denominator_period[has_denominator]
        first, last = 0, 0
        if period.size:
            first = min(int(period.min()), int(earlier.min(initial=period.min())))
            last = max(int(period.max()), int(earlier.max(initial=period.max())))
        layout = _Layout(first, last - first + 1, len(places.codes))
        area = places.of_rows
        return cls(
            names=list(names),
            layout=layout,
            numerator=layout.slot(numerator_count[pair], period, area),
            # Rows without a denominator get slot 0 here; `has_denominator` tells them apart.
            denominator=np.where(
                has_denominator,
                layout.slot(np.maximum(denominator_count[pair], 0), denominator_period, area),
                0,
            ),
            has_denominator=has_denominator,
            table=pair,
            tables=pairs,
            numerator_value=_floats(results["numerator"]),
            denominator_value=_floats(results["denominator"]),
        )


def _pairs(results: pl.DataFrame) -> tuple[Positions, list[tuple[str, str]]]:
    """Per row the number of its (indicator, breakdown key) pair, and the pairs."""
    indicator = results["indicator"].cast(pl.Utf8)
    key = results["breakdown_key"].cast(pl.Utf8)
    indicators = indicator.unique(maintain_order=True).to_list()
    keys = key.unique(maintain_order=True).to_list()
    code = (
        indicator.cast(pl.Enum(indicators)).to_physical().to_numpy().astype(np.int64) * len(keys)
        + key.cast(pl.Enum(keys)).to_physical().to_numpy()
    )
    present = np.flatnonzero(np.bincount(code, minlength=len(indicators) * len(keys)))
    number = np.full(len(indicators) * len(keys), _NONE, dtype=np.int64)
    number[present] = np.arange(present.size)
    pairs = [(indicators[c // len(keys)], keys[c % len(keys)]) for c in present.tolist()]
    return number[code], pairs


def _floats(column: pl.Series) -> FloatArray:
    """The column as floats, NaN where null (one copy)."""
    floats: FloatArray = column.cast(pl.Float64).to_numpy()
    return floats


@dataclass(frozen=True)
class Slots:
    """Non-negative integer keys in use, sorted; `find` maps a key to its number in that
    order (-1: not in use). Cells are numbered by their slot (count, year, area) this way.
    """

    keys: Positions
    table: Positions | None  # key -> number, where the keys are few enough for a table

    @classmethod
    def of(cls, used: Positions) -> Slots:
        space = int(used.max(initial=-1)) + 1
        if space > 8 * used.size + 2**20:
            return cls(np.unique(used), None)
        present = np.zeros(space, dtype=np.bool_)
        present[used] = True
        keys = np.flatnonzero(present)
        table = np.full(space, _NONE, dtype=np.int64)
        table[keys] = np.arange(keys.size)
        return cls(keys, table)

    @property
    def size(self) -> int:
        return int(self.keys.size)

    def find(self, slots: Positions) -> Positions:
        if self.table is not None and _within(slots, self.table.size):
            found: Positions = self.table[slots]
            return found
        inside = (slots >= 0) & (slots <= (self.keys[-1] if self.keys.size else -1))
        out = np.full(slots.size, _NONE, dtype=np.int64)
        if self.table is not None:
            out[inside] = self.table[slots[inside]]
            return out
        at = np.searchsorted(self.keys, slots[inside])
        hit = self.keys[np.minimum(at, self.keys.size - 1)] == slots[inside]
        out[np.flatnonzero(inside)[hit]] = at[hit]
        return out


def _within(slots: Positions, size: int) -> bool:
    return not slots.size or (int(slots.min()) >= 0 and int(slots.max()) < size)


def _describe(indicator: Indicator, key: str) -> tuple[str, str | None, int]:
    """The names of the numerator and denominator counts in one breakdown cell, and the lag."""
    cell = _parse_key(key)
    numerator = _count_name(indicator.numerator, cell)
    if indicator.kind == "change":
        return numerator, numerator, indicator.years or 1
    if indicator.kind == "count" or not indicator.denominator:
        return numerator, None, 0
    return numerator, _count_name(indicator.denominator, cell), 0


def _count_name(terms: Sequence[Term], cell: Mapping[str, str]) -> str:
    """The canonical name of a count: its atoms, sorted, joined by " + "."""
    atoms: set[str] = set()
    for term in terms:
        atoms.update(_atoms(term, cell))
    return _SUM.join(sorted(atoms))


def _atoms(term: Term, cell: Mapping[str, str]) -> Iterable[str]:
    restriction = {dimension: tuple(values) for dimension, values in term.breakdown}
    for dimension, value in cell.items():
        allowed = restriction.get(dimension)
        restriction[dimension] = (value,) if allowed is None or value in allowed else ()
    dimensions = sorted(restriction)
    for combination in itertools.product(*(restriction[d] for d in dimensions)):
        yield atom_name(term.variable, dict(zip(dimensions, combination, strict=True)))


def atom_name(variable: str, key: Mapping[str, str]) -> str:
    """``variable|dim=value;...`` with the dimensions sorted.

    Examples
    --------
    >>> atom_name("einwohner", {"gender": "weiblich", "age_group": "80+"})
    'einwohner|age_group=80+;gender=weiblich'
    """
    return variable + "|" + ";".join(f"{d}={key[d]}" for d in sorted(key))


def _parse_key(key: str | None) -> dict[str, str]:
    if not key:
        return {}
    return dict(part.split("=", 1) for part in key.split(";"))


def _cell_values(
    slots: Slots, numerator: Positions, denominator: Positions, roles: _Roles, places: _Places
) -> FloatArray:
    """Each cell's value; the same count under several names must have one value."""
    with_denominator = roles.has_denominator
    given = (
        (numerator, roles.numerator_value),
        (denominator[with_denominator], roles.denominator_value[with_denominator]),
    )
    values = np.full(slots.size, np.nan)
    for cells, value in given:
        known = ~np.isnan(value)
        if known.all():
            values[cells] = value
        else:
            values[cells[known]] = value[known]
    for cells, value in given:
        # NaN != NaN: an unknown value is never a conflict.
        conflict = np.flatnonzero((values[cells] != value) & ~np.isnan(value))
        if conflict.size:
            _conflict(slots, int(cells[conflict[0]]), given, roles, places)
    return values


def _conflict(
    slots: Slots,
    cell: int,
    given: tuple[tuple[Positions, FloatArray], ...],
    roles: _Roles,
    places: _Places,
) -> None:
    seen = np.concatenate([value[(cells == cell) & ~np.isnan(value)] for cells, value in given])
    layout = roles.layout
    count, rest = divmod(int(slots.keys[cell]), layout.per_count)
    period, area = divmod(rest, layout.areas)
    raise ValueError(
        f"the count {roles.names[count]} of {places.codes[area]} in "
        f"{layout.first_period + period} is both {seen.min()} and {seen.max()}"
    )


def _count_relations(names: Sequence[str]) -> list[tuple[int, str, int]]:
    """(total count, relation name, part count) between the counts named, by number.

    Margins: an atom is the sum of the atoms with one dimension more, over all values of
    that dimension seen. Sums: a count of several atoms is the sum of the atoms' counts.
    """
    number = {name: i for i, name in enumerate(names)}
    single = [name for name in names if _SUM not in name]
    values: dict[str, dict[str, list[str]]] = {}
    for atom in single:
        variable, key = atom.split("|", 1)
        for dimension, value in _parse_key(key).items():
            seen = values.setdefault(variable, {}).setdefault(dimension, [])
            if value not in seen:
                seen.append(value)
    rows: list[tuple[int, str, int]] = []
    for atom in single:
        variable, key = atom.split("|", 1)
        cell = _parse_key(key)
        for dimension, options in values.get(variable, {}).items():
            if dimension in cell:
                continue
            for value in options:
                part = atom_name(variable, {**cell, dimension: value})
                if part in number:
                    rows.append((number[atom], f"{atom}/{dimension}", number[part]))
    for name in names:
        if _SUM in name:
            rows += [(number[name], name, number[a]) for a in name.split(_SUM) if a in number]
    return rows


def _relation_triples(
    slots: Slots,
    cell_area: Positions,
    parent: Positions,
    layout: _Layout,
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


def _with_remainders(
    values: FloatArray, keys: Positions, total_of_part: Positions, flat: Positions
) -> tuple[RelationSet, FloatArray]:
    """The relations from (relation, total, part) rows sorted by relation, and the values of
    the remainder cells added where parts are missing (numbered after the cells)."""
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
    rest_cell = np.full(totals.size, _NONE, dtype=np.int64)
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
