"""The planted story: two Sozialräume catch up, two fall behind between 2012 and 2024.

The monitoring rule the story is written for is the selection of Aktionsräume by the indicator
catalogue (`quartier.analysis.catalogue`) and the ``below-average`` method
(`quartier.analysis.indices`): every index indicator is a rate from summed counts; an area is
below the city average in a domain when at least `domain_share` (0.5) of the domain's index
indicators with a value are worse than the city value, and below the city average overall (an
Aktionsraum, for a Sozialraum) when that holds in at least `min_domains` (3) domains.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np
import polars as pl

from quartier.analysis.catalogue import Catalogue, load_catalogue
from quartier.analysis.indices import IndexIndicator, below_average_params, classify_areas
from quartier.analysis.musterstadt._fields import Fields
from quartier.analysis.musterstadt._geometry import CellLayout, FloatArray
from quartier.analysis.musterstadt._hierarchy import Area, Hierarchy

BASELINE_YEAR = 2012
TARGET_YEAR = 2024
# Innenstadt-Nord stays the most deprived Stadtbezirk throughout; the story happens elsewhere.
_PERSISTENT_DISTRICT = "02"
# An improving quarter needs enough cells to outweigh its lagging Bezirk.
_MIN_IMPROVING_CELLS = 4
_MIN_DECLINING_CELLS = 3
_INNER_CITY = ("01", "02", "03")
# Improving quarters are at most this many times as populous as the median Sozialraum.
_SIZE_LIMIT = 1.3
# Mean deprivation an improving quarter should at least start from.
_DEPRIVED_ENOUGH = 0.8
# Mean deprivation of a Sozialraum that can decline: better off than average, not affluent.
_DECLINING_RANGE = (-1.0, -0.2)
# Deprivation levels the story's quarters reach in the target year (0 is the average cell).
_IMPROVED_LEVEL = -0.8
_DECLINED_LEVEL = 1.4
_DECLINED_LEVEL_RANGE = (1.2, 2.4)
_LEVEL_STEP = 0.4
# The lagging Bezirk even worsens a little as the better-off move to the new housing nearby.
_LAGGING_WORSENING = 0.3
# The lagging Bezirk has at most this share of an average cell's inhabitants in its quarter.
_LAGGING_SIZE = 0.9


@dataclass(frozen=True)
class IndexRate:
    """An index indicator of the catalogue as a rate: the numerators summed over the denominator."""

    key: str
    domain: str
    numerators: tuple[str, ...]
    denominator: str
    higher_is_worse: bool


def index_rates(catalogue: Catalogue) -> tuple[IndexRate, ...]:
    """The catalogue's index indicators, domain by domain, as rates of plain variables.

    Raises
    ------
    ValueError
        If an index indicator is not a rate of whole variables over one variable, or neutral:
        the generated data have no breakdowns of the social variables.
    """
    rates = []
    for domain, members in catalogue.index_domains().items():
        for indicator in members:
            if (
                indicator.kind != "rate"
                or len(indicator.denominator) != 1
                or any(term.breakdown for term in indicator.terms)
                or indicator.higher_is_worse is None
            ):
                raise ValueError(f"the story cannot check the index indicator {indicator.key!r}")
            numerators = tuple(term.variable for term in indicator.numerator)
            rates.append(
                IndexRate(
                    indicator.key,
                    domain,
                    numerators,
                    indicator.denominator[0].variable,
                    indicator.higher_is_worse,
                )
            )
    return tuple(rates)


@cache
def story_rates() -> tuple[IndexRate, ...]:
    """The shipped catalogue's index indicators, read once when first needed."""
    return index_rates(load_catalogue())


def rates_by_domain() -> dict[str, tuple[IndexRate, ...]]:
    """`story_rates` grouped by domain, in the catalogue's order."""
    domains: dict[str, list[IndexRate]] = {}
    for rate in story_rates():
        domains.setdefault(rate.domain, []).append(rate)
    return {domain: tuple(rates) for domain, rates in domains.items()}


def rule_text() -> str:
    """The monitoring rule the story is written for, in words, with the shipped parameters."""
    rule = below_average_params()
    return (
        "Rates from summed counts; the domains and their index indicators are those of the "
        "indicator catalogue. An area is below the city average in a domain when at least "
        f"{rule.domain_share:.0%} of the domain's index indicators with a value are worse than "
        f"the city value, and below the city average overall when that holds in at least "
        f"{rule.min_domains} domains (a Sozialraum: an Aktionsraum; a statistischer Bezirk in a "
        "Sozialraum that is no Aktionsraum: an Aktionsquartier)."
    )


@dataclass(frozen=True)
class StoryPlan:
    """Which areas carry the story."""

    improving: tuple[str, ...]
    lagging: tuple[str, ...]
    declining: tuple[str, ...]
    # Deprivation level the declining quarters reach, tuned to balance the improvement.
    declined_level: float = _DECLINED_LEVEL


def plan_story(hierarchy: Hierarchy, fields: Fields, layout: CellLayout) -> StoryPlan:
    """Pick the story's areas from the latent deprivation.

    Improving: the two most deprived Sozialräume of ordinary size outside the inner north, in
    different Stadtbezirke; the lagging Bezirk is the most deprived of their smaller cells.
    Declining: two somewhat better-off Sozialräume in two other, outer Stadtbezirke, chosen so
    that their decline weighs about as much as the improvement. The city average then stays
    steady, and no other Sozialraum changes sides merely because the average moved.
    """
    d = fields.deprivation
    inhabitants = fields.density * layout.area_m2
    improving = _improving(hierarchy.sozialraeume, d, inhabitants)
    bezirk_code = hierarchy.statistischer_bezirk_of_cells()
    lagging_cells = [_lagging_cell(s, d, inhabitants) for s in improving]
    gain = sum(
        float(inhabitants[c]) * (float(d[c]) - _IMPROVED_LEVEL)
        for s in improving
        for c in s.cells
        if c not in lagging_cells
    )
    declining = _declining(hierarchy.sozialraeume, improving, d, inhabitants, gain)
    cells = [c for s in declining for c in s.cells]
    weight = float(inhabitants[cells].sum())
    level = (gain + float((inhabitants[cells] * d[cells]).sum())) / weight
    return StoryPlan(
        improving=tuple(s.code for s in improving),
        lagging=tuple(bezirk_code[c] for c in lagging_cells),
        declining=tuple(s.code for s in declining),
        declined_level=float(np.clip(level, *_DECLINED_LEVEL_RANGE)),
    )


def _improving(sozialraeume: list[Area], d: FloatArray, inhabitants: FloatArray) -> list[Area]:
    """Clearly deprived quarters; the inner north and oversized quarters only if nothing else."""
    typical = float(np.median([_total(inhabitants, s) for s in sozialraeume]))

    def preference(area: Area) -> tuple[bool, bool, float, str]:
        return (
            _mean(d, area) < _DEPRIVED_ENOUGH,
            area.parent == _PERSISTENT_DISTRICT
            or _total(inhabitants, area) > _SIZE_LIMIT * typical,
            -_mean(d, area),
            area.code,
        )

    candidates = [s for s in sozialraeume if len(s.cells) >= _MIN_IMPROVING_CELLS]
    chosen: list[Area] = []
    for candidate in sorted(candidates, key=preference):
        if _distinct(candidate, chosen):
            chosen.append(candidate)
    if len(chosen) < 2:
        raise RuntimeError("no two Sozialräume fit the improving part of the story")
    return chosen[:2]


def _declining(
    sozialraeume: list[Area],
    improving: list[Area],
    d: FloatArray,
    inhabitants: FloatArray,
    gain: float,
) -> list[Area]:
    candidates = [
        s
        for s in sozialraeume
        if len(s.cells) >= _MIN_DECLINING_CELLS
        and s.parent not in _INNER_CITY
        and _distinct(s, improving)
        and _DECLINING_RANGE[0] <= _mean(d, s) <= _DECLINING_RANGE[1]
    ]

    def loss(area: Area) -> float:
        return sum(float(inhabitants[c]) * (_DECLINED_LEVEL - float(d[c])) for c in area.cells)

    pairs = [
        (abs(loss(first) + loss(second) - gain), first.code, second.code, first, second)
        for first in candidates
        for second in candidates
        if first.code < second.code and first.parent != second.parent
    ]
    if not pairs:
        raise RuntimeError("no Sozialräume fit the declining part of the story")
    best = min(pairs, key=lambda pair: pair[:3])
    return [best[3], best[4]]


def _mean(d: FloatArray, area: Area) -> float:
    return float(d[list(area.cells)].mean())


def _total(values: FloatArray, area: Area) -> float:
    return float(values[list(area.cells)].sum())


def _distinct(candidate: Area, chosen: list[Area]) -> bool:
    return all(candidate.parent != other.parent for other in chosen)


def _lagging_cell(area: Area, d: FloatArray, inhabitants: FloatArray) -> int:
    """The most deprived of the smaller cells, so that the rest of the quarter can outweigh it."""
    cells = list(area.cells)
    average = float(inhabitants[cells].mean())
    smaller = [c for c in cells if float(inhabitants[c]) <= _LAGGING_SIZE * average]
    if not smaller:
        return min(cells, key=lambda c: (float(inhabitants[c]), c))
    return max(smaller, key=lambda c: (float(d[c]), c))


def ramp(years: np.ndarray) -> FloatArray:
    """0 up to the baseline year, rising linearly to 1 in the target year."""
    span = TARGET_YEAR - BASELINE_YEAR
    return np.asarray(np.clip((years - BASELINE_YEAR) / span, 0.0, 1.0), dtype=np.float64)


def story_roles(hierarchy: Hierarchy, plan: StoryPlan) -> list[str]:
    """Per finest cell: "improving", "lagging", "declining" or ""."""
    sozialraum = hierarchy.sozialraum_of_cells()
    bezirk = hierarchy.statistischer_bezirk_of_cells()
    roles = []
    for cell in range(len(bezirk)):
        if bezirk[cell] in plan.lagging:
            roles.append("lagging")
        elif sozialraum[cell] in plan.improving:
            roles.append("improving")
        elif sozialraum[cell] in plan.declining:
            roles.append("declining")
        else:
            roles.append("")
    return roles


def deprivation_shift(
    plan: StoryPlan,
    roles: list[str],
    deprivation: FloatArray,
    years: np.ndarray,
    strength: float,
) -> FloatArray:
    """The story's change of deprivation per cell and year.

    Improving cells move towards a level better than the city average, declining cells towards
    a deprived level; `strength` (at least 1) pushes both levels further out.
    """
    improved = _IMPROVED_LEVEL - _LEVEL_STEP * (strength - 1.0)
    declined = plan.declined_level + _LEVEL_STEP * (strength - 1.0)
    amplitude = np.zeros_like(deprivation)
    for cell, role in enumerate(roles):
        if role == "improving":
            amplitude[cell] = improved - deprivation[cell]
        elif role == "declining":
            amplitude[cell] = declined - deprivation[cell]
        elif role == "lagging":
            amplitude[cell] = _LAGGING_WORSENING
    return np.asarray(amplitude[:, None] * ramp(years)[None, :])


def below_average(counts: Mapping[str, FloatArray], city: Mapping[str, float]) -> np.ndarray:
    """True where an area is below the city average by the monitoring's own rule.

    `counts` holds summed counts per area (one array per variable), `city` the city's sums. An
    indicator without a value for an area (a zero denominator) counts neither way. The rule is
    `quartier.analysis.indices.classify_areas` with the shipped ``below-average`` parameters.
    """
    rates = story_rates()
    n_areas = len(next(iter(counts.values())))
    values = pl.concat(
        pl.DataFrame(
            {
                "indicator": [rate.key] * n_areas,
                "area": np.arange(n_areas),
                "value": _rate(counts, rate),
                "city_value": [_city_rate(city, rate)] * n_areas,
            }
        )
        for rate in rates
    ).with_columns(pl.col("value").fill_nan(None))
    rule = below_average_params()
    classes = classify_areas(
        values,
        [IndexIndicator(rate.key, rate.domain, rate.higher_is_worse) for rate in rates],
        domain_share=rule.domain_share,
        min_domains=rule.min_domains,
    )
    return classes.sort("area")["below_average"].to_numpy()


def _city_rate(city: Mapping[str, float], rate: IndexRate) -> float:
    return sum(city[n] for n in rate.numerators) / city[rate.denominator]


def _rate(counts: Mapping[str, FloatArray], indicator: IndexRate) -> FloatArray:
    numerator = sum(np.asarray(counts[n], dtype=np.float64) for n in indicator.numerators)
    denominator = np.asarray(counts[indicator.denominator], dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator == 0, np.nan, numerator / denominator)
