"""Composite indices and the selection of Aktionsräume, with their methods as data.

- `berlin_mss` computes the Berlin "Monitoring Soziale Stadtentwicklung" status and dynamics
  index (`MssResult`; errors are `MssError`).
- `classify_areas` and `select_aktionsraeume` apply the below-average rule (as Dortmund does).
- Method parameters are presets in `methods.yaml` of this package, read by
  `berlin_mss_params` and `below_average_params` (errors are `MethodError`).
"""

from __future__ import annotations

from quartier.analysis.indices._below_average import (
    IndexIndicator,
    Selection,
    classify_areas,
    select_aktionsraeume,
    selection_changes,
)
from quartier.analysis.indices._methods import (
    METHODS_FILE,
    BelowAverageParams,
    BerlinMssParams,
    MethodError,
    below_average_params,
    berlin_mss_params,
    load_methods,
)
from quartier.analysis.indices._mss import (
    RESULT_COLUMNS,
    MssError,
    MssResult,
    berlin_mss,
)
from quartier.analysis.indices._numbers import numeric_columns

__all__ = [
    "METHODS_FILE",
    "RESULT_COLUMNS",
    "BelowAverageParams",
    "BerlinMssParams",
    "IndexIndicator",
    "MethodError",
    "MssError",
    "MssResult",
    "Selection",
    "below_average_params",
    "berlin_mss",
    "berlin_mss_params",
    "classify_areas",
    "load_methods",
    "numeric_columns",
    "select_aktionsraeume",
    "selection_changes",
]
