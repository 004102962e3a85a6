"""What the public view tells about the figures, as linear knowledge.

- Published counts are equalities, "-" is 0, "." is at least 1.
- A value known to the attacker ties numerator and denominator: numerator − value / scale ×
  denominator = 0 for a rate (linear even if both counts are hidden), numerator = value / scale
  for a count, numerator − (1 + value / scale) × denominator = 0 for a change.
- Values are known when published, or derived: from the city value with ``diff_city`` or
  ``ratio_city`` (the city value itself from any row that gives it), from a change and the
  value at the other end of it, and from z-scores computed over all areas (two published pairs
  of value and z-score give mean and standard deviation of all values: their sum and sum of
  squares; one hidden value in the group is then known, several are bounded).
- The relative change of a count indicator ties the two counts linearly.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import polars as pl
import scipy.sparse as sp

from quartier.analysis.catalogue import Catalogue, Indicator

from .model import (
    NOT_APPLICABLE,
    PUBLISHED,
    SECRET,
    UNRELIABLE,
    ZERO,
    Figures,
    Floats,
    Hierarchy,
    Rows,
    earlier_figure,
)

# Float noise in published rates and in values derived from them: relations hold to this.
SLACK = 1e-6
HIDDEN = (SECRET, UNRELIABLE)


@dataclass
class System:
    """Bounds on the figures, and relations between them (coefficients per figure)."""

    figures: Figures
    low: Floats
    high: Floats
    integral_variables: set[str]
    relation_rows: list[dict[int, float]] = field(default_factory=list)
    relation_low: list[float] = field(default_factory=list)
    relation_high: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def integral(self, figure: int) -> bool:
        """Whether a figure is a whole number: all its variables count whole things."""
        return self.figures.variables[figure] <= self.integral_variables

    def bound(self, figure: int, low: float, high: float) -> None:
        """Narrow a figure's bounds; whole figures are rounded to the nearest whole number."""
        if self.integral(figure):
            low = math.ceil(low - SLACK) if math.isfinite(low) else low
            high = math.floor(high + SLACK) if math.isfinite(high) else high
        self.low[figure] = max(self.low[figure], low)
        self.high[figure] = min(self.high[figure], high)
        if self.low[figure] > self.high[figure] + SLACK:
            self.problems.append(f"figure {figure}: contradictory bounds {low}..{high}")

    def fixed(self, figure: int) -> float | None:
        return float(self.low[figure]) if self.low[figure] == self.high[figure] else None

    def relate(self, terms: dict[int, float], low: float, high: float) -> None:
        """Add low ≤ Σ coefficient × figure ≤ high, or a bound if only one figure is free."""
        constant = 0.0
        free: dict[int, float] = {}
        for figure, coefficient in terms.items():
            if coefficient == 0:
                continue
            known = self.fixed(figure)
            if known is None:
                free[figure] = free.get(figure, 0.0) + coefficient
            else:
                constant += coefficient * known
        low, high = low - constant, high - constant
        if not free:
            if not low - SLACK * 10 <= 0 <= high + SLACK * 10:
                self.problems.append(f"relation {terms} broken by {-constant}")
            return
        if len(free) == 1:
            ((figure, coefficient),) = free.items()
            if coefficient > 0:
                self.bound(figure, low / coefficient, high / coefficient)
            elif coefficient < 0:
                self.bound(figure, high / coefficient, low / coefficient)
            return
        self.relation_rows.append(free)
        self.relation_low.append(low)
        self.relation_high.append(high)

    def relation_matrix(self) -> sp.csr_matrix:
        """Relations × figures."""
        rows: list[int] = []
        cols: list[int] = []
        data: list[float] = []
        for index, terms in enumerate(self.relation_rows):
            rows.extend([index] * len(terms))
            cols.extend(terms)
            data.extend(terms.values())
        shape = (len(self.relation_rows), len(self.figures))
        return sp.csr_matrix((data, (rows, cols)), shape=shape)


class View:
    """The public rows as Python lists, addressed by row number."""

    def __init__(self, rows: Rows, catalogue: Catalogue, hierarchy: Hierarchy) -> None:
        frame = rows.frame
        self.rows = rows
        self.indicators = [catalogue.indicator(k) for k in frame["indicator"].to_list()]
        self.key = list(frame.select("indicator", "area", "period", "breakdown_key").iter_rows())
        self.level = frame["level"].to_list()
        self.at = {key: index for index, key in enumerate(self.key)}
        self.numbers: dict[str, list[float | None]] = {
            name: frame[name].cast(pl.Float64).to_list()
            for name in (
                "numerator",
                "denominator",
                "value",
                "city_value",
                "diff_city",
                "ratio_city",
                "zscore",
                "change_1",
                "change_n",
            )
        }
        self.flags: dict[str, list[str]] = {
            name: frame[name].cast(pl.Utf8).to_list()
            for name in ("flag", "numerator_flag", "denominator_flag")
        }
        self.roots = set(hierarchy.roots)

    def __len__(self) -> int:
        return len(self.key)

    def exists(self, row: int) -> bool:
        """Whether the row has a value at all (hidden or not): no zero denominator."""
        flags = self.flags
        return flags["flag"][row] != NOT_APPLICABLE and flags["denominator_flag"][row] != ZERO


def initial_bounds(view: View, system: System) -> None:
    """Published counts, zeros and "at least 1" for secret counts."""
    for role, figures in (
        ("numerator", view.rows.numerator),
        ("denominator", view.rows.denominator),
    ):
        flags = view.flags[f"{role}_flag"]
        numbers = view.numbers[role]
        for row, figure in enumerate(figures.tolist()):
            if figure < 0:
                continue
            flag = flags[row]
            number = numbers[row]
            if flag == PUBLISHED and number is not None:
                system.bound(figure, number, number)
            elif flag == ZERO:
                system.bound(figure, 0.0, 0.0)
            elif flag == SECRET:
                system.bound(figure, 1.0, math.inf)


def integral_variables(view: View, variables: Iterable[str]) -> set[str]:
    """Variables all of whose published counts are whole numbers."""
    fractional: set[str] = set()
    for index, indicator in enumerate(view.indicators):
        for role, terms in (
            ("numerator", indicator.numerator),
            ("denominator", indicator.denominator),
        ):
            number = view.numbers[role][index]
            if number is not None and number != round(number):
                fractional.update(t.variable for t in terms)
    return set(variables) - fractional


@dataclass(frozen=True)
class ZGroup:
    """Rows of one indicator, level, period and cell whose z-scores used all values."""

    rows: tuple[int, ...]
    mean: float
    variance: float


def zscore_groups(view: View) -> list[ZGroup]:
    """Groups whose published z-scores reveal the mean and spread of all (also hidden) values."""
    groups: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for row, (indicator, _area, period, key) in enumerate(view.key):
        groups[(indicator, view.level[row], period, key)].append(row)
    found = []
    values, zscores = view.numbers["value"], view.numbers["zscore"]
    for rows in groups.values():
        existing = [r for r in rows if view.exists(r)]
        published = [r for r in existing if values[r] is not None]
        pairs = [(values[r], zscores[r]) for r in published if zscores[r] is not None]
        if len(published) == len(existing) or len({z for _, z in pairs}) < 2:
            continue
        v = np.array([p[0] for p in pairs], dtype=np.float64)
        z = np.array([p[1] for p in pairs], dtype=np.float64)
        spread, mean = np.polyfit(z, v, 1)
        if not np.allclose(mean + spread * z, v, rtol=1e-9, atol=1e-9):
            continue
        shown = np.array([values[r] for r in published], dtype=np.float64)
        tolerance = 1e-9 * (1.0 + abs(mean) + abs(spread))
        if abs(shown.mean() - mean) <= tolerance and abs(shown.std() - abs(spread)) <= tolerance:
            continue  # computed among the published values only: nothing to learn
        found.append(ZGroup(tuple(existing), float(mean), float(spread) ** 2))
    return found


def derive_values(view: View, groups: list[ZGroup], change_years: int) -> dict[int, float]:
    """Every value the attacker can compute exactly, by row, until nothing new follows."""
    values = view.numbers["value"]
    known = {row: value for row, value in enumerate(values) if value is not None}
    known |= {row: 0.0 for row, flag in enumerate(view.flags["flag"]) if flag == ZERO}
    cities = _city_groups(view)
    while True:
        before = len(known)
        for rows in cities.values():
            _from_city(view, rows, known)
        _from_changes(view, known, change_years)
        for group in groups:
            unknown = [r for r in group.rows if r not in known]
            if len(unknown) == 1:
                known[unknown[0]] = len(group.rows) * group.mean - sum(
                    known[r] for r in group.rows if r in known
                )
        if len(known) == before:
            return known


def _city_groups(view: View) -> dict[tuple[object, ...], list[int]]:
    groups: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for row, (indicator, _area, period, key) in enumerate(view.key):
        groups[(indicator, period, key)].append(row)
    return groups


def _from_city(view: View, rows: list[int], known: dict[int, float]) -> None:
    """The city value from any row that gives it; then values from differences and ratios."""
    city, diff, ratio = (view.numbers[c] for c in ("city_value", "diff_city", "ratio_city"))
    value: float | None = None
    for row in rows:
        if view.key[row][1] in view.roots and row in known:
            value = known[row]
        elif city[row] is not None:
            value = city[row]
        elif row in known and diff[row] is not None:
            value = known[row] - diff[row]  # type: ignore[operator]
        elif row in known and ratio[row] not in (None, 0.0):
            value = known[row] / ratio[row]  # type: ignore[operator]
        if value is not None:
            break
    if value is None:
        return
    for row in rows:
        if row in known:
            continue
        if view.key[row][1] in view.roots:
            known[row] = value
        elif diff[row] is not None:
            known[row] = value + diff[row]  # type: ignore[operator]
        elif ratio[row] is not None:
            known[row] = value * ratio[row]  # type: ignore[operator]


def _from_changes(view: View, known: dict[int, float], change_years: int) -> None:
    """A change and the value at one end of it give the value at the other end."""
    for column, years in (("change_1", 1), ("change_n", change_years)):
        changes = view.numbers[column]
        for row, change in enumerate(changes):
            if change is None:
                continue
            indicator, area, period, key = view.key[row]
            earlier = view.at.get((indicator, area, period - years, key))
            if earlier is None or (row in known) == (earlier in known):
                continue
            if view.indicators[row].kind == "count":  # in percent of the earlier value
                factor = 1.0 + change / 100.0
                if earlier in known:
                    known[row] = known[earlier] * factor
                elif factor != 0:
                    known[earlier] = known[row] / factor
            elif earlier in known:
                known[row] = known[earlier] + change
            else:
                known[earlier] = known[row] - change


def value_relations(view: View, system: System, known: dict[int, float]) -> None:
    """Each known value ties its row's numerator and denominator."""
    for row, value in known.items():
        if view.exists(row):
            _value_between(view, system, row, value, value)


def _value_between(view: View, system: System, row: int, low: float, high: float) -> None:
    """low ≤ value ≤ high as linear knowledge on the row's counts."""
    indicator = view.indicators[row]
    numerator = int(view.rows.numerator[row])
    denominator = int(view.rows.denominator[row])
    scale = indicator.scale
    if indicator.kind == "count":
        system.bound(numerator, low / scale, high / scale)
        return
    offset = 1.0 if indicator.kind == "change" else 0.0
    for limit, upper in ((high, True), (low, False)):
        if math.isinf(limit):
            continue
        factor = offset + limit / scale
        terms = {numerator: 1.0}
        terms[denominator] = terms.get(denominator, 0.0) - factor
        if low == high:
            system.relate(terms, -SLACK, SLACK)
            return
        if upper:
            system.relate(terms, -math.inf, SLACK)
        else:
            system.relate(terms, -SLACK, math.inf)


def count_change_relations(
    view: View, system: System, catalogue: Catalogue, change_years: int
) -> None:
    """The change of a count in percent: count now − (1 + change / 100) × count then = 0."""
    for column, years in (("change_1", 1), ("change_n", change_years)):
        changes = view.numbers[column]
        for row, change in enumerate(changes):
            if change is None or view.indicators[row].kind != "count":
                continue
            earlier = earlier_figure(catalogue, system.figures, view.key[row], years)
            if earlier is None:
                continue
            _grow(system, len(system.figures))
            numerator = int(view.rows.numerator[row])
            terms = {numerator: 1.0}
            terms[earlier] = terms.get(earlier, 0.0) - (1.0 + change / 100.0)
            system.relate(terms, -SLACK, SLACK)


def zscore_relations(
    view: View, system: System, groups: list[ZGroup], known: dict[int, float]
) -> None:
    """Hidden values of a group: their sum and sum of squares are known, so each is bounded,
    and their sum is linear in the numerators where the denominators are known."""
    for group in groups:
        unknown = [r for r in group.rows if r not in known]
        if len(unknown) < 2:
            continue
        count = len(group.rows)
        shown = [known[r] for r in group.rows if r in known]
        total = count * group.mean - sum(shown)
        squares = count * (group.variance + group.mean**2) - sum(v * v for v in shown)
        k = len(unknown)
        spread = squares - total**2 / k
        if spread < -1e-6 * (1.0 + squares):
            system.problems.append(f"z-scores of rows {group.rows[:3]}…: inconsistent counts")
            continue
        radius = math.sqrt(max(spread, 0.0) * (k - 1) / k)
        margin = 1e-7 * (1.0 + abs(total) + radius)
        for row in unknown:
            _value_between(
                view, system, row, total / k - radius - margin, total / k + radius + margin
            )
        _sum_of_values(view, system, unknown, total, margin)


def _sum_of_values(
    view: View, system: System, rows: list[int], total: float, margin: float
) -> None:
    """Σ value = total, linear in the numerators once every denominator is known."""
    terms: dict[int, float] = {}
    constant = 0.0
    for row in rows:
        indicator: Indicator = view.indicators[row]
        numerator = int(view.rows.numerator[row])
        if indicator.kind == "count":
            terms[numerator] = terms.get(numerator, 0.0) + indicator.scale
            continue
        denominator = system.fixed(int(view.rows.denominator[row]))
        if not denominator:
            return
        terms[numerator] = terms.get(numerator, 0.0) + indicator.scale / denominator
        if indicator.kind == "change":
            constant += indicator.scale
    system.relate(terms, total + constant - margin, total + constant + margin)


def _grow(system: System, size: int) -> None:
    """Room for figures added after the bounds were made (earlier counts of changes)."""
    if size > system.low.size:
        extra = size - system.low.size
        system.low = np.concatenate([system.low, np.zeros(extra)])
        system.high = np.concatenate([system.high, np.full(extra, np.inf)])


def build_system(view: View, catalogue: Catalogue, figures: Figures, change_years: int) -> System:
    """All linear knowledge of the view."""
    size = len(figures)
    integral = integral_variables(view, figures.nodes.shapes)
    system = System(figures, np.zeros(size), np.full(size, np.inf), integral)
    initial_bounds(view, system)
    groups = zscore_groups(view)
    known = derive_values(view, groups, change_years)
    value_relations(view, system, known)
    count_change_relations(view, system, catalogue, change_years)
    zscore_relations(view, system, groups, known)
    return system
