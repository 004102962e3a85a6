"""Social data per finest cell and year, derived from the population and the latent fields.

Every count is drawn from a binomial distribution over the group it belongs to, so parts never
exceed wholes (children in SGB II are a part of the children, people living alone a part of the
households). Rates follow logistic curves of the cell's deprivation in that year.
"""

from __future__ import annotations

import numpy as np
from scipy import special, stats

from quartier.analysis.musterstadt._fields import Fields
from quartier.analysis.musterstadt._geometry import FloatArray
from quartier.analysis.musterstadt._population import YEARS, IntArray

# Column header in sozialdaten.csv -> variable key, in column order.
SOZIALDATEN_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Einwohner", "einwohner"),
    ("Einwohner unter 65 Jahren", "einwohner_u65"),
    ("Einwohner 65 Jahre und älter", "einwohner_65plus"),
    ("Kinder unter 15 Jahren", "kinder_u15"),
    ("Einwohner 15 bis unter 65 Jahren", "einwohner_15_64"),
    ("Einwohner unter 21 Jahren", "einwohner_u21"),
    ("Haushalte", "haushalte"),
    ("Einpersonenhaushalte", "hh_einpersonen"),
    ("Einpersonenhaushalte 65 Jahre und älter", "hh_einpersonen_65plus"),
    ("SGB-II-Empfänger unter 65 Jahren", "sgb2"),
    ("SGB-II-Empfänger unter 15 Jahren", "sgb2_u15"),
    ("Arbeitslose", "arbeitslose"),
    ("Sozialversicherungspflichtig Beschäftigte", "svb"),
    ("Empfänger Grundsicherung im Alter 65 Jahre und älter", "grusi_65plus"),
    ("Schuleingangsuntersuchungen", "schuleingang"),
    ("Kinder mit Normalgewicht bei der Schuleingangsuntersuchung", "normalgewicht"),
    ("Übergänge aus der Grundschule", "uebergaenge"),
    ("Übergänge auf das Gymnasium", "uebergaenge_gym"),
    ("Hilfen zur Erziehung", "hze"),
    ("Zuzüge", "zuzuege"),
    ("Fortzüge", "fortzuege"),
    ("Wohnfläche in m²", "wohnflaeche"),
    ("Wohnungen", "wohnungen"),
    ("Leerstehende Wohnungen", "leerstand"),
)
# Year-to-year correlation of the chance deviation of a count from its expectation.
_PERSISTENCE = 0.95
# Variables with a decimal place (all others are counts).
DECIMAL_VARIABLES = frozenset({"wohnflaeche"})

# SGB II on the logit scale over the years: falling after 2008, refugees from Ukraine in 2022.
_SGB2_YEAR = (
    0.0, 0.02, 0.0, -0.03, -0.05, -0.06, -0.07, -0.06, -0.04,
    -0.07, -0.10, -0.13, -0.11, -0.12, -0.07, -0.07, -0.08, -0.09,
)  # fmt: skip


def simulate_social(
    rng: np.random.Generator, fields: Fields, people: IntArray, deprivation: FloatArray
) -> dict[str, FloatArray]:
    """All sozialdaten variables with shape (cell, year); counts are whole numbers."""
    values: dict[str, FloatArray] = _population_groups(rng, people)
    quirk = _CellQuirks(rng, fields.deprivation.size)
    values.update(_transfers(rng, values, deprivation, quirk))
    values.update(_schools(rng, values, deprivation, quirk))
    values.update(_housing(rng, values, fields, deprivation, quirk))
    del values["_0_5"], values["_6_14"]
    return values


class _CellQuirks:
    """A fixed logit offset per cell and indicator: areas differ beyond their deprivation."""

    def __init__(self, rng: np.random.Generator, cells: int) -> None:
        self._rng = rng
        self._cells = cells

    def __call__(self, scale: float = 0.12) -> FloatArray:
        return np.asarray(self._rng.normal(0.0, scale, size=(self._cells, 1)))


def _expit(logit: FloatArray) -> FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp(-logit)))


def _binomial(rng: np.random.Generator, n: FloatArray, p: FloatArray) -> FloatArray:
    """Binomial counts whose chance deviations persist over the years in each cell.

    Small-area rates are sticky: a quarter that was a little above its expectation last year
    tends to stay so. The quantile of every draw mixes a fixed per-cell part with a yearly part.
    """
    persistent = rng.standard_normal((n.shape[0], 1))
    yearly = rng.standard_normal(n.shape)
    quantile = special.ndtr(_PERSISTENCE * persistent + np.sqrt(1 - _PERSISTENCE**2) * yearly)
    counts = stats.binom.ppf(quantile, n, np.clip(p, 1e-9, 1.0 - 1e-9))
    return np.asarray(counts, dtype=np.float64)


def _population_groups(rng: np.random.Generator, people: IntArray) -> dict[str, FloatArray]:
    by_age = people.sum(axis=(3, 4)).astype(np.float64)
    under_18 = by_age[:, :, :3].sum(axis=2)
    return {
        "einwohner": by_age.sum(axis=2),
        "einwohner_u65": by_age[:, :, :6].sum(axis=2),
        "einwohner_65plus": by_age[:, :, 6:].sum(axis=2),
        "kinder_u15": by_age[:, :, :2].sum(axis=2),
        "einwohner_15_64": by_age[:, :, 2:6].sum(axis=2),
        # Three of the seven years of the group 18-24 are under 21.
        "einwohner_u21": under_18 + _binomial(rng, by_age[:, :, 3], np.full_like(under_18, 3 / 7)),
        "_0_5": by_age[:, :, 0],
        "_6_14": by_age[:, :, 1],
    }


def _transfers(
    rng: np.random.Generator, v: dict[str, FloatArray], d: FloatArray, quirk: _CellQuirks
) -> dict[str, FloatArray]:
    year = np.array(_SGB2_YEAR)[None, :]
    elapsed = (YEARS - YEARS[0])[None, :].astype(np.float64)
    children = _binomial(rng, v["kinder_u15"], _expit(-1.35 + 0.95 * d + year + quirk()))
    adults = _binomial(
        rng, v["einwohner_u65"] - v["kinder_u15"], _expit(-1.9 + 0.85 * d + year + quirk())
    )
    unemployed = _binomial(rng, v["einwohner_15_64"], _expit(-2.7 + 0.7 * d + year + quirk()))
    employed = _binomial(
        rng, v["einwohner_15_64"] - unemployed, _expit(0.15 - 0.4 * d + 0.02 * elapsed + quirk())
    )
    old_age = _binomial(
        rng, v["einwohner_65plus"], _expit(-3.0 + 0.8 * d + 0.02 * elapsed + quirk())
    )
    return {
        "sgb2": children + adults,
        "sgb2_u15": children,
        "arbeitslose": unemployed,
        "svb": employed,
        "grusi_65plus": old_age,
    }


def _schools(
    rng: np.random.Generator, v: dict[str, FloatArray], d: FloatArray, quirk: _CellQuirks
) -> dict[str, FloatArray]:
    elapsed = (YEARS - YEARS[0])[None, :].astype(np.float64)
    # One birth cohort of the 0-5 year olds is examined, one of the 6-14 year olds moves on.
    exams = _binomial(rng, v["_0_5"], np.full_like(d, 1 / 6))
    transitions = _binomial(rng, v["_6_14"], np.full_like(d, 1 / 9))
    return {
        "schuleingang": exams,
        "normalgewicht": _binomial(rng, exams, _expit(1.75 - 0.5 * d + quirk())),
        "uebergaenge": transitions,
        "uebergaenge_gym": _binomial(
            rng, transitions, _expit(-0.3 - 0.75 * d + 0.01 * elapsed + quirk())
        ),
        "hze": _binomial(rng, v["einwohner_u21"], _expit(-3.7 + 0.6 * d + quirk())),
    }


def _housing(
    rng: np.random.Generator,
    v: dict[str, FloatArray],
    fields: Fields,
    d: FloatArray,
    quirk: _CellQuirks,
) -> dict[str, FloatArray]:
    urban = (fields.urbanity - 0.5)[:, None]
    elapsed = (YEARS - YEARS[0])[None, :].astype(np.float64)
    people = v["einwohner"]
    size = np.clip(1.95 - 0.3 * urban + 0.1 * d + quirk(0.05), 1.4, 2.8)
    households = np.minimum(np.rint(people / size), people)
    alone = _binomial(rng, households, _expit(-0.3 + 1.2 * urban + 0.1 * d + quirk()))
    old_alone = np.minimum(_binomial(rng, v["einwohner_65plus"], np.full_like(d, 0.33)), alone)
    vacancy = _expit(-3.5 + 0.55 * d - 0.02 * elapsed + quirk(0.2))
    dwellings = np.rint(households * 1.01 / (1.0 - vacancy))
    per_person = np.clip(41.0 - 4.5 * d - 6.0 * urban + 0.12 * elapsed + quirk(1.5), 24.0, 70.0)
    floor_space = np.round(people * per_person * rng.lognormal(0.0, 0.01, size=d.shape), 1)
    growth = np.diff(people, axis=1, append=people[:, -1:]) / people
    moving = _expit(-2.4 + 0.25 * d + 1.0 * urban + quirk())
    return {
        "haushalte": households,
        "hh_einpersonen": alone,
        "hh_einpersonen_65plus": old_alone,
        "zuzuege": _binomial(rng, people, moving * (1.0 + np.clip(growth, -0.5, 0.5))),
        "fortzuege": _binomial(rng, people, moving),
        "wohnflaeche": floor_space,
        "wohnungen": dwellings,
        "leerstand": _binomial(rng, dwellings, vacancy),
    }
