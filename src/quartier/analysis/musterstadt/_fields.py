"""Smooth latent fields over the city that drive every simulated count.

`deprivation` is a sum of Gaussian bumps (a disadvantaged inner north, old industrial districts
at the harbour, the former steelworks and the former colliery, a prosperous south) plus a
north-south gradient and a little noise, so neighbouring areas are alike. `urbanity` falls from the
centre outwards and shapes age structure, household size and mobility.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quartier.analysis.musterstadt._geometry import (
    CENTRE_Y,
    SEMI_AXIS_X,
    SEMI_AXIS_Y,
    CellLayout,
    FloatArray,
    polar_point,
)

# (elliptic radius, direction in degrees, amplitude, width in elliptic units)
_DEPRIVATION_BUMPS: tuple[tuple[float, float, float, float], ...] = (
    (0.28, 95.0, 1.8, 0.22),  # inner north: old workers' quarter by the railway
    (0.60, 150.0, 1.3, 0.17),  # harbour and its industrial estates
    (0.55, 310.0, 1.1, 0.15),  # the former steelworks in Seetal
    (0.65, 70.0, 0.8, 0.18),  # the former colliery in Zechenfeld
    (0.65, 255.0, -1.2, 0.30),  # the prosperous south
    (0.75, 10.0, -0.6, 0.22),  # villages in the east
)
# Deprivation rises towards the north: the city's "social equator" runs east-west.
_NORTH_GRADIENT = 0.35
_RANDOM_BUMPS = 8
_CELL_NOISE = 0.18
# Inhabitants per km² at the centre and at the edge of the city.
_DENSITY_CENTRE = 8_500.0
_DENSITY_EDGE = 1_300.0
_SPARSE_SHARE = 0.06


@dataclass(frozen=True)
class Fields:
    """Latent values per finest cell.

    deprivation: standardised (mean 0, sd 1 over cells); higher is worse.
    drift: change of deprivation per decade, smooth in space.
    urbanity: 1 at the centre, towards 0 at the edge.
    density: inhabitants per km² in the first year.
    """

    deprivation: FloatArray
    drift: FloatArray
    urbanity: FloatArray
    density: FloatArray


def latent_fields(rng: np.random.Generator, layout: CellLayout) -> Fields:
    """Draw the latent fields for the cells of `layout`."""
    deprivation = _NORTH_GRADIENT * (layout.y - CENTRE_Y) / SEMI_AXIS_Y
    for rho, theta, amplitude, width in _DEPRIVATION_BUMPS:
        deprivation = deprivation + _bump(layout, rho, theta, amplitude, width)
    deprivation = deprivation + _random_bumps(rng, layout, _RANDOM_BUMPS, 0.35)
    deprivation = deprivation + rng.normal(0.0, _CELL_NOISE, size=layout.x.size)
    deprivation = (deprivation - deprivation.mean()) / deprivation.std()
    drift = _random_bumps(rng, layout, 5, 0.2)
    urbanity = np.exp(-(layout.rho**2) / (2 * 0.33**2))
    return Fields(
        deprivation=deprivation,
        drift=drift,
        urbanity=urbanity,
        density=_density(rng, layout),
    )


def _bump(
    layout: CellLayout, rho: float, theta: float, amplitude: float, width: float
) -> FloatArray:
    x0, y0 = polar_point(rho, theta)
    distance2 = ((layout.x - x0) / SEMI_AXIS_X) ** 2 + ((layout.y - y0) / SEMI_AXIS_Y) ** 2
    return np.asarray(amplitude * np.exp(-distance2 / (2 * width**2)))


def _random_bumps(
    rng: np.random.Generator, layout: CellLayout, count: int, scale: float
) -> FloatArray:
    total = np.zeros_like(layout.x)
    for _ in range(count):
        rho = float(rng.uniform(0.0, 0.9))
        theta = float(rng.uniform(0.0, 360.0))
        amplitude = float(rng.normal(0.0, scale))
        width = float(rng.uniform(0.12, 0.25))
        total = total + _bump(layout, rho, theta, amplitude, width)
    return total


def _density(rng: np.random.Generator, layout: CellLayout) -> FloatArray:
    """Dense centre, sparse edge, and a few cells of mostly woods, fields or industry."""
    density = _DENSITY_EDGE + _DENSITY_CENTRE * np.exp(-(layout.rho**2) / (2 * 0.3**2))
    density = density * rng.lognormal(0.0, 0.3, size=layout.x.size)
    sparse = rng.random(layout.x.size) < _SPARSE_SHARE
    return np.asarray(np.where(sparse, density * 0.15, density))
