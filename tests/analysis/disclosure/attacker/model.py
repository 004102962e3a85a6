"""The attacker's unknowns, and every public count written in them.

The base counts nobody publishes directly ("atoms") are, per variable and period, one per area
of the lowest level the variable appears on and per finest breakdown cell (the categories of
all its dimensions). Every count of the public view is a sum of atoms: an aggregate area sums
its leaves, a breakdown cell or margin sums the finest cells in it, a term restricted to some
categories sums those, several terms add up, and the denominator of a change indicator is its
numerator `years` earlier.

A term of a row is a box: an area, and per dimension the categories summed. Each box is a
node of the linear programs, defined as the sum of a few smaller boxes (its child areas, or
the categories of one dimension) down to the atoms, so that every row stays short: a city total
over thousands of atoms is the sum of a dozen districts.

Everything here is learnt from the public view, the catalogue and the area hierarchy, which an
outside analyst has too; nothing is taken from the disclosure layer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import polars as pl

from quartier.analysis.catalogue import Catalogue, Indicator, Term

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

PUBLISHED, SECRET, ZERO, NOT_APPLICABLE, UNRELIABLE = "", ".", "-", "x", "/"
# The rest of a dimension the view never shows in full (only some categories are named in terms).
OTHER = "*"
KEYS = ("indicator", "area", "period", "breakdown_key")


def parse_key(key: str) -> dict[str, str]:
    """A breakdown key ("age_group=0-5;gender=weiblich") as a mapping; "" is the total."""
    return dict(part.split("=", 1) for part in key.split(";")) if key else {}


class Hierarchy:
    """The areas as a tree."""

    def __init__(self, areas: pl.DataFrame) -> None:
        codes = [str(c) for c in areas["code"].to_list()]
        parents = [None if p is None else str(p) for p in areas["parent"].to_list()]
        self.parent = dict(zip(codes, parents, strict=True))
        self.children: dict[str, list[str]] = {code: [] for code in codes}
        for code, parent in self.parent.items():
            if parent is not None:
                self.children[parent].append(code)
        self.roots = [code for code, parent in self.parent.items() if parent is None]
        self.depth: dict[str, int] = {}
        stack = [(root, 0) for root in self.roots]
        while stack:
            code, depth = stack.pop()
            self.depth[code] = depth
            stack.extend((child, depth + 1) for child in self.children[code])
        self._same: dict[tuple[str, int], str] = {}

    def parts(self, area: str, depth: int) -> list[str]:
        """The child areas an area sums for a variable of this lowest depth (none for a leaf)."""
        return [] if self.depth[area] >= depth else self.children[area]

    def canonical(self, area: str, depth: int) -> str:
        """The deepest area with the same leaves: an area with a single child is that child,
        so both name one count."""
        found = self._same.get((area, depth))
        if found is None:
            found = area
            while len(self.parts(found, depth)) == 1:
                found = self.parts(found, depth)[0]
            self._same[(area, depth)] = found
        return found


@dataclass
class Shape:
    """What the attacker knows of a variable: lowest depth, dimensions and their categories."""

    depth: int = 0
    categories: dict[str, list[str]] = field(default_factory=dict)
    complete: set[str] = field(default_factory=set)

    def add(self, dimension: str, values: Iterable[str], *, complete: bool) -> None:
        known = self.categories.setdefault(dimension, [])
        known.extend(v for v in values if v not in known)
        if complete:
            self.complete.add(dimension)

    def finish(self) -> None:
        """Add the unnamed rest to dimensions that no indicator shows in full."""
        for dimension, values in self.categories.items():
            if dimension not in self.complete and OTHER not in values:
                values.append(OTHER)

    @property
    def dimensions(self) -> list[str]:
        return sorted(self.categories)


def counted_terms(indicator: Indicator, role: str) -> tuple[Term, ...]:
    """The terms summed in a role; a change's denominator is its numerator years earlier."""
    if role == "numerator" or indicator.kind == "change":
        return indicator.numerator
    return indicator.denominator if indicator.kind == "rate" else ()


def lag(indicator: Indicator, role: str) -> int:
    """Years between the row's period and the count of the role."""
    return (indicator.years or 1) if role == "denominator" and indicator.kind == "change" else 0


def learn_shapes(
    public: pl.DataFrame, catalogue: Catalogue, hierarchy: Hierarchy
) -> dict[str, Shape]:
    """Variables' depths, dimensions and categories, from the breakdown keys and the terms."""
    shapes: dict[str, Shape] = {}
    summary = public.group_by("indicator", "breakdown_key").agg(pl.col("area").unique())
    for indicator_key, key, areas in summary.iter_rows():
        indicator = catalogue.indicator(indicator_key)
        depth = max(hierarchy.depth[a] for a in areas)
        cell = parse_key(key)
        for term in indicator.terms:
            shape = shapes.setdefault(term.variable, Shape())
            shape.depth = max(shape.depth, depth)
            for dimension, value in cell.items():
                shape.add(dimension, [value], complete=True)
            for dimension, allowed in term.breakdown:
                shape.add(dimension, allowed, complete=False)
    for shape in shapes.values():
        shape.finish()
    return shapes


@dataclass(frozen=True)
class Box:
    """A sum of atoms of one variable and period: an area, and per dimension the categories
    (positions in the variable's `Shape`)."""

    variable: str
    period: int
    area: str
    cells: tuple[tuple[int, ...], ...]


class Nodes:
    """Every box the figures need, each defined as the sum of a few smaller boxes."""

    def __init__(self, shapes: dict[str, Shape], hierarchy: Hierarchy) -> None:
        self.shapes = shapes
        self.hierarchy = hierarchy
        self.index: dict[Box, int] = {}
        self.boxes: list[Box] = []
        self.children: list[list[int]] = []
        self.periods: set[tuple[str, int]] = set()

    def __len__(self) -> int:
        return len(self.boxes)

    def box(self, term: Term, cell: dict[str, str], area: str, period: int) -> Box:
        """The box a term sums in one area, period and breakdown cell."""
        shape = self.shapes[term.variable]
        restricted = dict(term.breakdown)
        chosen = []
        for dimension in shape.dimensions:
            names = shape.categories[dimension]
            if dimension in cell:
                wanted: Sequence[str] = [cell[dimension]]
            elif dimension in restricted:
                wanted = restricted[dimension]
            else:
                wanted = names
            chosen.append(tuple(sorted(names.index(name) for name in wanted)))
        area = self.hierarchy.canonical(area, shape.depth)
        return Box(term.variable, period, area, tuple(chosen))

    def node(self, box: Box) -> int:
        """The node of a box, creating it and the nodes of all boxes it is made of."""
        if box in self.index:
            return self.index[box]
        self.periods.add((box.variable, box.period))
        parts: dict[int, list[Box]] = {}
        pending = [box]
        while pending:
            current = pending.pop()
            if current in self.index:
                continue
            node = self.index[current] = len(self.boxes)
            self.boxes.append(current)
            self.children.append([])
            parts[node] = self._split(current)
            pending.extend(parts[node])
        for node, boxes in parts.items():
            self.children[node] = [self.index[b] for b in boxes]
        return self.index[box]

    def _split(self, box: Box) -> list[Box]:
        """Child areas first, then the categories of the first dimension with several."""
        depth = self.shapes[box.variable].depth
        areas = self.hierarchy.parts(box.area, depth)
        if areas:
            return [
                Box(box.variable, box.period, self.hierarchy.canonical(a, depth), box.cells)
                for a in areas
            ]
        for position, values in enumerate(box.cells):
            if len(values) > 1:
                before, after = box.cells[:position], box.cells[position + 1 :]
                return [
                    Box(box.variable, box.period, box.area, (*before, (value,), *after))
                    for value in values
                ]
        return []


@dataclass
class Figures:
    """The distinct counts of the view, each a sum of nodes.

    A count published under one indicator and hidden under another is one figure: that is how
    the attacker links them.
    """

    nodes: Nodes
    terms: list[dict[int, float]] = field(default_factory=list)
    variables: list[frozenset[str]] = field(default_factory=list)
    _index: dict[tuple[Box, ...], int] = field(default_factory=dict)

    def add(self, boxes: Sequence[Box]) -> int:
        """The figure summing these boxes."""
        signature = tuple(boxes) if len(boxes) == 1 else tuple(sorted(boxes, key=repr))
        found = self._index.get(signature)
        if found is not None:
            return found
        self._index[signature] = len(self.terms)
        terms: dict[int, float] = {}
        for box in boxes:
            node = self.nodes.node(box)
            terms[node] = terms.get(node, 0.0) + 1.0
        self.terms.append(terms)
        self.variables.append(frozenset(box.variable for box in boxes))
        return len(self.terms) - 1

    def __len__(self) -> int:
        return len(self.terms)


@dataclass
class Rows:
    """The public view, with each row's numerator and denominator figure (−1: none)."""

    frame: pl.DataFrame
    numerator: Ints
    denominator: Ints


def figures_of_rows(public: pl.DataFrame, catalogue: Catalogue, figures: Figures) -> Rows:
    """Give every row its numerator and denominator figure."""
    nodes = figures.nodes
    roles: dict[str, list[int]] = {"numerator": [], "denominator": []}
    # Many rows name the same count (the population is the denominator of many indicators).
    seen: dict[tuple[tuple[Term, ...], str, int, str], int] = {}
    for indicator_key, area, period, key in public.select(*KEYS).iter_rows():
        indicator = catalogue.indicator(indicator_key)
        for role, found in roles.items():
            terms = counted_terms(indicator, role)
            if not terms:
                found.append(-1)
                continue
            year = period - lag(indicator, role)
            signature = (terms, area, year, key)
            if signature not in seen:
                cell = parse_key(key)
                seen[signature] = figures.add([nodes.box(t, cell, area, year) for t in terms])
            found.append(seen[signature])
    return Rows(
        public,
        np.asarray(roles["numerator"], dtype=np.int64),
        np.asarray(roles["denominator"], dtype=np.int64),
    )


def earlier_figure(
    catalogue: Catalogue, figures: Figures, row: tuple[str, str, int, str], years: int
) -> int | None:
    """The numerator figure of a row `years` earlier, if the model has that period at all.

    A relation to counts of a period the view says nothing else about constrains nothing.
    """
    indicator_key, area, period, key = row
    indicator = catalogue.indicator(indicator_key)
    earlier = period - years
    nodes = figures.nodes
    if any((t.variable, earlier) not in nodes.periods for t in indicator.numerator):
        return None
    cell = parse_key(key)
    return figures.add([nodes.box(t, cell, area, earlier) for t in indicator.numerator])
