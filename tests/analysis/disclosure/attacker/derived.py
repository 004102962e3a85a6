"""Ranks, deciles and z-scores must be computed among the published values only.

Then they say nothing about the hidden values. The attacker exploits z-scores over all values
(see `knowledge`); ranks and deciles over all values would bound hidden values by order, which
it does not model, so this check asserts they carry nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from quartier.analysis.catalogue import Catalogue

GROUP = ("indicator", "level", "period", "breakdown_key")


@dataclass(frozen=True)
class Violation:
    """A published rank, decile or z-score that differs from the one among published values."""

    indicator: str
    level: str
    period: int
    breakdown_key: str
    area: str
    column: str
    published: float
    expected: float | None


def check_derived(public: pl.DataFrame, *, catalogue: Catalogue) -> list[Violation]:
    """Every published rank, decile and z-score that is not the one among published values."""
    violations: list[Violation] = []
    columns = ("area", "value", "rank", "decile", "zscore")
    for group, frame in public.select(*GROUP, *columns).group_by(GROUP):
        indicator, level, period, key = (str(group[0]), str(group[1]), int(group[2]), str(group[3]))
        descending = catalogue.indicator(indicator).polarity != "higher_is_better"
        expected = _expected(frame["value"].to_numpy(), descending)
        for name in ("rank", "decile", "zscore"):
            published = frame[name].cast(pl.Float64).to_list()
            violations += [
                Violation(indicator, level, period, key, area, name, shown, wanted)
                for area, shown, wanted in zip(
                    frame["area"], published, expected[name], strict=True
                )
                if shown is not None and not _same(shown, wanted)
            ]
    return violations


def _expected(values: np.ndarray, descending: bool) -> dict[str, list[float | None]]:
    """Ranks (1 = most disadvantaged, ties share the smallest), deciles and z-scores (population
    standard deviation) among the non-null values."""
    values = np.asarray(values, dtype=np.float64)
    present = ~np.isnan(values)
    shown = values[present]
    keys = -shown if descending else shown
    ranks = np.array([1 + int(np.sum(keys < k)) for k in keys], dtype=np.float64)
    deciles = np.floor(10 * (ranks - 1) / max(len(shown), 1)) + 1
    spread = shown.std() if shown.size else 0.0
    mean = shown.mean() if shown.size else 0.0
    real = spread > 1e-12 * max(abs(mean), 1.0)
    zscores = (shown - mean) / spread if real else np.full(shown.shape, np.nan)
    out: dict[str, list[float | None]] = {}
    for name, numbers in (("rank", ranks), ("decile", deciles), ("zscore", zscores)):
        column: list[float | None] = [None] * len(values)
        for position, number in zip(np.flatnonzero(present), numbers, strict=True):
            column[int(position)] = None if np.isnan(number) else float(number)
        out[name] = column
    return out


def _same(shown: float, wanted: float | None) -> bool:
    return wanted is not None and abs(shown - wanted) <= 1e-9 * max(1.0, abs(wanted))
