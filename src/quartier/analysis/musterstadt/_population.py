"""Inhabitants per finest cell and year by age group, gender and nationality.

The city's total follows a plausible curve (a dip until the 2011 census, growth with the
immigration of 2015 and 2022). The inner city is young, the outskirts are old, deprived
quarters have more children and more inhabitants without German citizenship. Each cell-year's
inhabitants are drawn from a multinomial distribution, so small areas have small, noisy cells.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from quartier.analysis.musterstadt._fields import Fields
from quartier.analysis.musterstadt._geometry import CellLayout, FloatArray

YEARS = np.arange(2008, 2026)
AGE_GROUPS = ("0-5", "6-14", "15-17", "18-24", "25-44", "45-64", "65-79", "80+")
GENDERS = ("männlich", "weiblich")
NATIONALITIES = ("deutsch", "nichtdeutsch")

# City total relative to the first year.
_CITY_CURVE = (
    1.000, 0.996, 0.993, 0.990, 0.992, 0.995, 1.000, 1.012, 1.022,
    1.024, 1.026, 1.027, 1.025, 1.024, 1.035, 1.037, 1.038, 1.037,
)  # fmt: skip
_FIRST_YEAR_TOTAL = 588_000
_MIN_CELL_POPULATION = 150

_BASE_AGE_SHARES = np.array([0.053, 0.074, 0.027, 0.094, 0.272, 0.280, 0.145, 0.055])
# Log-linear effects on the age shares of urbanity (centred), deprivation and the year.
_AGE_URBANITY = np.array([-0.1, -0.3, -0.3, 0.9, 0.6, -0.2, -0.5, -0.5])
_AGE_DEPRIVATION = np.array([0.25, 0.25, 0.2, 0.1, 0.05, -0.05, -0.15, -0.2])
_AGE_TREND = np.array([0.004, -0.004, -0.005, 0.0, -0.004, 0.004, -0.004, 0.012])
# Logit offsets of the share without German citizenship by age group: few among the old.
_FOREIGN_AGE_OFFSET = np.array([0.1, 0.0, 0.0, 0.35, 0.35, -0.1, -0.9, -1.7])
_MALE_SHARE = np.array([0.513, 0.513, 0.512, 0.52, 0.51, 0.50, 0.47, 0.36])

IntArray = NDArray[np.int64]


def simulate_population(
    rng: np.random.Generator,
    layout: CellLayout,
    fields: Fields,
    deprivation: FloatArray,
    extra_growth: FloatArray,
) -> IntArray:
    """Counts with shape (cell, year, age group, gender, nationality).

    `deprivation` holds the deprivation of every cell and year, `extra_growth` the log growth a
    story adds to a cell's population.
    """
    totals = _cell_totals(rng, layout, fields, extra_growth)
    shares = _category_shares(rng, fields, deprivation)
    cells, years = totals.shape
    flat = rng.multinomial(totals.reshape(-1), shares.reshape(cells * years, -1))
    return np.asarray(flat.reshape(cells, years, len(AGE_GROUPS), 2, 2), dtype=np.int64)


def _cell_totals(
    rng: np.random.Generator, layout: CellLayout, fields: Fields, extra_growth: FloatArray
) -> IntArray:
    base = fields.density * layout.area_m2 / 1e6
    first_total = _FIRST_YEAR_TOTAL + int(rng.integers(-6_000, 6_001))
    elapsed = (YEARS - YEARS[0]).astype(np.float64)
    # Outskirts shrink a little, the centre and areas with falling deprivation grow.
    slope = 0.003 * (fields.urbanity - 0.4) - 0.003 * fields.drift
    slope = slope + rng.normal(0.0, 0.002, size=slope.size)
    raw = base[:, None] * np.exp(slope[:, None] * elapsed[None, :] + extra_growth)
    target = first_total * np.array(_CITY_CURVE)
    scaled = raw * (target / raw.sum(axis=0))[None, :]
    return np.asarray(np.maximum(np.rint(scaled), _MIN_CELL_POPULATION), dtype=np.int64)


def _category_shares(
    rng: np.random.Generator, fields: Fields, deprivation: FloatArray
) -> FloatArray:
    """Probabilities with shape (cell, year, age group, gender, nationality)."""
    cells = fields.deprivation.size
    elapsed = (YEARS - YEARS[0]).astype(np.float64)
    quirk = rng.normal(0.0, 0.1, size=(cells, len(AGE_GROUPS)))
    log_age = (
        np.log(_BASE_AGE_SHARES)[None, None, :]
        + (fields.urbanity - 0.5)[:, None, None] * _AGE_URBANITY[None, None, :]
        + fields.deprivation[:, None, None] * _AGE_DEPRIVATION[None, None, :]
        + elapsed[None, :, None] * _AGE_TREND[None, None, :]
        + quirk[:, None, :]
    )
    age = np.exp(log_age)
    age = age / age.sum(axis=2, keepdims=True)
    foreign = _foreign_share(fields, deprivation)
    male = _MALE_SHARE[:, None] + np.array([0.0, 0.02])[None, :]
    by_gender = np.stack([male, 1.0 - male], axis=1)
    by_nationality = np.stack([1.0 - foreign, foreign], axis=3)
    shares = age[:, :, :, None, None] * by_gender[None, None] * by_nationality[:, :, :, None, :]
    return np.asarray(shares / shares.sum(axis=(2, 3, 4), keepdims=True))


def _foreign_share(fields: Fields, deprivation: FloatArray) -> FloatArray:
    """Share without German citizenship with shape (cell, year, age group)."""
    elapsed = (YEARS - YEARS[0]).astype(np.float64)
    arrivals = 0.025 * elapsed + 0.2 * (YEARS >= 2015) + 0.1 * (YEARS >= 2022)
    logit = (
        -2.2
        + 0.7 * deprivation[:, :, None]
        + 0.8 * (fields.urbanity - 0.5)[:, None, None]
        + arrivals[None, :, None]
        + _FOREIGN_AGE_OFFSET[None, None, :]
    )
    return np.asarray(1.0 / (1.0 + np.exp(-logit)))
