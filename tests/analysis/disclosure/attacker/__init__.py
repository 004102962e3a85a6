"""An independent attacker on the public view of indicator results.

It knows what an outside analyst knows: the public view (every published figure and flag at
once), the catalogue (how each indicator is computed from base counts), the area hierarchy, and
the method's parameters. From that alone it bounds every hidden count with linear programs (see
`model`, `knowledge` and `solve`); the true results only decide which hidden counts are
sensitive and score what it found. It imports nothing from the disclosure layer it attacks.

A sensitive count (1 to ``min_count - 1``) is exposed when the largest value the attacker can
prove possible is below ``min_count`` or its feasible interval is narrower than
``protection_width``. `attack` returns a `Report`; `check_derived` asserts separately that
ranks, deciles and z-scores were computed among the published values only.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

import polars as pl

from quartier.analysis.catalogue import Catalogue

from .derived import Violation, check_derived
from .knowledge import HIDDEN, View, build_system
from .model import (
    KEYS,
    PUBLISHED,
    Figures,
    Hierarchy,
    Nodes,
    figures_of_rows,
    learn_shapes,
)
from .solve import Bounder, Interval, Rule

__all__ = ["Exposure", "Report", "Violation", "attack", "check_derived"]

ROLES = ("numerator", "denominator")


@dataclass(frozen=True)
class Exposure:
    """A sensitive count the attacker narrowed too far: where it is, its true value, and the
    interval proven (`exact`: both ends optimised over all the knowledge; else the bounds come
    from the rows near the count alone, and the true interval may be narrower still)."""

    indicator: str
    role: str
    area: str
    period: int
    breakdown_key: str
    true_value: float
    low: float
    high: float
    exact: bool
    occurrences: int

    @property
    def recovered(self) -> bool:
        return self.low == self.high


@dataclass(frozen=True)
class Report:
    """What the attack found.

    Attributes
    ----------
    sensitive : int
        Distinct sensitive counts (true value 1 to min_count − 1) hidden somewhere in the view.
    published : int
        Sensitive counts published as they are somewhere (they are exposures too).
    exposures : tuple of Exposure
        The exposed sensitive counts (published ones included), first hidden occurrence each.
    unsound : tuple of Exposure
        Counts whose true value lies outside their proven interval: the attacker's model
        assumed something false. Must be empty for the verdict to mean anything.
    problems : tuple of str
        Contradictions met (an infeasible program, a broken relation): same meaning.
    """

    sensitive: int
    published: int
    exposures: tuple[Exposure, ...]
    unsound: tuple[Exposure, ...]
    problems: tuple[str, ...]
    programs: int
    integer_programs: int
    largest_program: int
    seconds: float

    @property
    def consistent(self) -> bool:
        """Whether the attack met no contradiction (else its verdict means nothing)."""
        return not self.unsound and not self.problems

    @property
    def exposed(self) -> int:
        return len(self.exposures)

    @property
    def recovered(self) -> int:
        return sum(e.recovered for e in self.exposures)

    def at(self, area: str, period: int, *, indicator: str | None = None) -> list[Exposure]:
        """The exposures of an area and period (optionally of one indicator)."""
        return [
            e
            for e in self.exposures
            if e.area == area and e.period == period and indicator in (None, e.indicator)
        ]

    def summary(self, examples: int = 5) -> str:
        lines = [
            f"{self.sensitive} sensitive hidden counts, {self.exposed} exposed "
            f"({self.recovered} recovered exactly, {self.published} published as they are); "
            f"{self.programs} linear and {self.integer_programs} integer programs, largest "
            f"{self.largest_program} unknowns, {self.seconds:.1f} s"
        ]
        lines += [
            f"  {e.indicator} {e.role} {e.area} {e.period} [{e.breakdown_key}]: true "
            f"{e.true_value:g}, attacker {e.low:g}..{e.high:g}"
            for e in self.exposures[:examples]
        ]
        if self.unsound or self.problems:
            lines.append(f"  unsound: {len(self.unsound)}, problems: {list(self.problems[:3])}")
        return "\n".join(lines)


def attack(
    public: pl.DataFrame,
    *,
    catalogue: Catalogue,
    areas: pl.DataFrame,
    truth: pl.DataFrame,
    min_count: int = 3,
    protection_width: int = 3,
    change_years: int = 5,
) -> Report:
    """Bound every sensitive hidden count of `public` and report the exposed ones.

    Parameters
    ----------
    public
        The public view: one row per indicator × area × period × breakdown_key with the
        figures (null where not published) and the flag columns.
    catalogue
        How the indicators are computed.
    areas
        ``code``, ``parent`` (null for the city), ``level``.
    truth
        The internal results (same keys, true ``numerator`` and ``denominator``): used only to
        pick the sensitive counts and to score, never as knowledge.
    min_count, protection_width, change_years
        The method's parameters, which the attacker knows.
    """
    started = time.perf_counter()
    hierarchy = Hierarchy(areas)
    figures = Figures(Nodes(learn_shapes(public, catalogue, hierarchy), hierarchy))
    rows = figures_of_rows(public, catalogue, figures)
    view = View(rows, catalogue, hierarchy)
    system = build_system(view, catalogue, figures, change_years)
    occurrences = _occurrences(view, _true_counts(public, truth), min_count)
    targets = sorted(occurrences)
    bounder = Bounder(system, Rule(min_count, protection_width))
    intervals = bounder.intervals(targets)
    exposures, unsound = _scored(view, occurrences, intervals)
    hidden = [f for f, seen in occurrences.items() if any(o.hidden for o in seen)]
    return Report(
        sensitive=len(hidden),
        published=len(occurrences) - len(hidden),
        exposures=tuple(exposures),
        unsound=tuple(unsound),
        problems=tuple(system.problems + bounder.counters.problems),
        programs=bounder.counters.programs,
        integer_programs=bounder.counters.integer_programs,
        largest_program=bounder.counters.largest,
        seconds=time.perf_counter() - started,
    )


@dataclass(frozen=True)
class _Occurrence:
    row: int
    role: str
    true_value: float
    hidden: bool


def _true_counts(public: pl.DataFrame, truth: pl.DataFrame) -> pl.DataFrame:
    """The true numerator and denominator of each public row, in its order."""
    true = truth.select(*KEYS, *ROLES).with_columns(pl.col(ROLES).cast(pl.Float64))
    return public.select(*KEYS).join(true, on=list(KEYS), how="left", maintain_order="left")


def _occurrences(view: View, truth: pl.DataFrame, min_count: int) -> dict[int, list[_Occurrence]]:
    """Where each sensitive count appears in the view (figure → its occurrences)."""
    found: dict[int, list[_Occurrence]] = defaultdict(list)
    for role, figures in zip(ROLES, (view.rows.numerator, view.rows.denominator), strict=True):
        flags = view.flags[f"{role}_flag"]
        values = truth[role].to_list()
        for row, (figure, value) in enumerate(zip(figures.tolist(), values, strict=True)):
            if figure < 0 or value is None or not 1 <= value < min_count:
                continue
            flag = flags[row]
            found[figure].append(_Occurrence(row, role, float(value), flag in HIDDEN))
    # A count shown nowhere as a number or a secret (e.g. only as "x") is not attacked.
    return {
        figure: seen
        for figure, seen in found.items()
        if any(o.hidden or _published(view, o) for o in seen)
    }


def _published(view: View, occurrence: _Occurrence) -> bool:
    return view.flags[f"{occurrence.role}_flag"][occurrence.row] == PUBLISHED


def _scored(
    view: View, occurrences: dict[int, list[_Occurrence]], intervals: dict[int, Interval]
) -> tuple[list[Exposure], list[Exposure]]:
    """Exposed counts, and counts whose exact interval misses the truth (an unsound model)."""
    exposures, unsound = [], []
    for figure, seen in occurrences.items():
        interval = intervals[figure]
        first = next((o for o in seen if o.hidden), seen[0])
        indicator, area, period, key = view.key[first.row]
        exposure = Exposure(
            indicator=indicator,
            role=first.role,
            area=area,
            period=period,
            breakdown_key=key,
            true_value=first.true_value,
            low=interval.low,
            high=interval.high,
            exact=interval.exact,
            occurrences=len(seen),
        )
        # Exact and exposed intervals are proofs: the truth must lie within them.
        proven = interval.exact or interval.exposed
        if proven and not interval.low - 1e-6 <= first.true_value <= interval.high + 1e-6:
            unsound.append(exposure)
        elif interval.exposed:
            exposures.append(exposure)
    return exposures, unsound
