"""The names of count cells: the atoms (a variable with some breakdown values) they sum."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence

from quartier.analysis.catalogue import Indicator, Term
from quartier.analysis.tables import format_key, parse_key

SUM = " + "  # joins the atoms of a count's name


def describe(indicator: Indicator, key: str) -> tuple[str, str | None, int]:
    """The names of the numerator and denominator counts in one breakdown cell, and the lag."""
    cell = parse_key(key)
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
    return SUM.join(sorted(atoms))


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
    return variable + "|" + format_key(key)
