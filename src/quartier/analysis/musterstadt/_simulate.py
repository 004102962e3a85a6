"""Draws the whole city from a seed: areas, inhabitants and social data, with the story checked."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quartier.analysis.musterstadt._fields import Fields, latent_fields
from quartier.analysis.musterstadt._geometry import CellLayout, FloatArray, build_layout
from quartier.analysis.musterstadt._hierarchy import Hierarchy, build_hierarchy
from quartier.analysis.musterstadt._population import YEARS, IntArray, simulate_population
from quartier.analysis.musterstadt._social import simulate_social
from quartier.analysis.musterstadt._story import (
    BASELINE_YEAR,
    TARGET_YEAR,
    StoryPlan,
    below_average,
    deprivation_shift,
    plan_story,
    ramp,
    story_roles,
)

# The story's effects are scaled up step by step until the monitoring rule finds it; random
# noise in small areas can blur it at the smallest strength.
_STRENGTHS = (1.0, 1.2, 1.45, 1.75, 2.1, 2.5)
# Independent draws per strength: the one where no other Sozialraum changes sides is kept.
_VARIANTS = 4
# Sozialräume whose mean deprivation is within this distance of 0 do not drift.
_DRIFT_FREE_BAND = 0.5
# New housing lets the improving quarters grow, the declining ones lose inhabitants.
_STORY_GROWTH = {"improving": 0.2, "declining": -0.06, "lagging": 0.0, "": 0.0}


@dataclass(frozen=True)
class City:
    """Everything drawn for one seed; counts have the cell index as their first axis."""

    seed: int
    layout: CellLayout
    hierarchy: Hierarchy
    plan: StoryPlan
    people: IntArray
    social: dict[str, FloatArray]


def simulate_city(seed: int) -> City:
    """Draw Musterstadt for `seed`; raise RuntimeError if the story cannot be planted."""
    rng = np.random.default_rng([seed, 0])
    layout = build_layout(rng)
    hierarchy = build_hierarchy(rng, layout)
    fields = latent_fields(rng, layout)
    plan = plan_story(hierarchy, fields, layout)
    roles = story_roles(hierarchy, plan)
    drift = fields.drift * _drift_weight(hierarchy, fields, roles)
    best: tuple[int, City] | None = None
    for attempt, strength in enumerate(_STRENGTHS):
        for variant in range(_VARIANTS):
            data_rng = np.random.default_rng([seed, 1, attempt, variant])
            people, social = _simulate_data(data_rng, layout, fields, drift, plan, roles, strength)
            stray = story_errors(hierarchy, plan, social)
            if stray is None:
                continue
            city = City(seed, layout, hierarchy, plan, people, social)
            if stray == 0:
                return city
            if best is None or stray < best[0]:
                best = (stray, city)
    if best is None:
        raise RuntimeError(f"the story is not visible for seed {seed}")
    return best[1]


def _simulate_data(
    rng: np.random.Generator,
    layout: CellLayout,
    fields: Fields,
    drift: FloatArray,
    plan: StoryPlan,
    roles: list[str],
    strength: float,
) -> tuple[IntArray, dict[str, FloatArray]]:
    elapsed = (YEARS - YEARS[0]).astype(np.float64)
    deprivation = (
        fields.deprivation[:, None]
        + drift[:, None] * elapsed[None, :] / 10.0
        + deprivation_shift(plan, roles, fields.deprivation, YEARS, strength)
    )
    growth = np.array([_STORY_GROWTH[role] for role in roles])[:, None] * ramp(YEARS)[None, :]
    people = simulate_population(rng, layout, fields, deprivation, growth)
    return people, simulate_social(rng, fields, people, deprivation)


def _drift_weight(hierarchy: Hierarchy, fields: Fields, roles: list[str]) -> FloatArray:
    """Slow drifts act on clearly deprived or clearly well-off quarters only.

    Near the city average they would make quarters change sides and blur the story.
    """
    weight = np.zeros_like(fields.deprivation)
    for sozialraum in hierarchy.sozialraeume:
        cells = list(sozialraum.cells)
        distance = abs(float(fields.deprivation[cells].mean()))
        weight[cells] = np.clip((distance - _DRIFT_FREE_BAND) / _DRIFT_FREE_BAND, 0.0, 1.0)
    weight[[cell for cell, role in enumerate(roles) if role]] = 0.0
    return weight


def story_errors(
    hierarchy: Hierarchy, plan: StoryPlan, social: dict[str, FloatArray]
) -> int | None:
    """Check the story with the monitoring rule.

    None if a planted change is missing, else how many other Sozialräume change sides
    between the baseline and the target year.
    """
    codes = [s.code for s in hierarchy.sozialraeume]
    bezirk_code = hierarchy.statistischer_bezirk_of_cells()
    lagging_cells = [bezirk_code.index(code) for code in plan.lagging]
    status = {}
    for year in (BASELINE_YEAR, TARGET_YEAR):
        column = year - int(YEARS[0])
        city = {key: float(value[:, column].sum()) for key, value in social.items()}
        groups = {
            key: np.array([value[list(s.cells), column].sum() for s in hierarchy.sozialraeume])
            for key, value in social.items()
        }
        cells = {key: value[lagging_cells, column] for key, value in social.items()}
        status[year] = (below_average(groups, city), below_average(cells, city))
    before, after = status[BASELINE_YEAR][0], status[TARGET_YEAR][0]
    improved = {c for i, c in enumerate(codes) if before[i] and not after[i]}
    declined = {c for i, c in enumerate(codes) if after[i] and not before[i]}
    lagging = bool(status[TARGET_YEAR][1].all())
    if not (set(plan.improving) <= improved and set(plan.declining) <= declined and lagging):
        return None
    return len(improved - set(plan.improving)) + len(declined - set(plan.declining))
