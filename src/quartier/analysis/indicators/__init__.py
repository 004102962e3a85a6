"""The indicator engine: values of every catalogue indicator for every area, level and year.

`compute_indicators` takes tidy observations, the area tree and the catalogue and returns
`IndicatorResults`: one row per indicator, area, year and breakdown cell with its value, the
counts behind it and the comparison figures (`FIGURE_COLUMNS`), in the frame `OUTPUT_SCHEMA`
describes. Bad areas raise `AreaError`, bad observations `ObservationError`.
"""

from __future__ import annotations

from quartier.analysis.indicators._aggregate import AreaError
from quartier.analysis.indicators._cubes import ObservationError
from quartier.analysis.indicators._engine import (
    OUTPUT_SCHEMA,
    IndicatorResults,
    Problem,
    compute_indicators,
    input_periods,
)
from quartier.analysis.indicators._evaluate import FIGURE_COLUMNS
from quartier.analysis.indicators._fit import FIT_SCHEMA, catalogue_fit, unused_variables

__all__ = [
    "FIGURE_COLUMNS",
    "FIT_SCHEMA",
    "OUTPUT_SCHEMA",
    "AreaError",
    "IndicatorResults",
    "ObservationError",
    "Problem",
    "catalogue_fit",
    "compute_indicators",
    "input_periods",
    "unused_variables",
]
