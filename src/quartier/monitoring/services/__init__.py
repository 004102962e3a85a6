"""The writes and runs of the monitoring: import observations, compute and publish indicators.

- `imports`: `observations_import` loads a statistics table into observations, all or nothing.
- `computation`: `indicators_compute` computes, publishes and stores the indicators;
  `aktionsraeume_report` selects the Aktionsräume of a year.
- `reset`: `city_reset` deletes the city's areas, observations and results, to start afresh.

Callers import from here; tests that replace a function the services call patch it in the
module that calls it (`quartier.monitoring.services.computation.publish`).
"""

from __future__ import annotations

from quartier.monitoring.services.computation import (
    COMPUTE_STEPS,
    AktionsraumReport,
    ComputeReport,
    MonitoringError,
    aktionsraeume_report,
    indicators_compute,
)
from quartier.monitoring.services.imports import (
    ObservationImportError,
    ObservationImportReport,
    observations_import,
)
from quartier.monitoring.services.reset import ResetReport, city_reset, city_reset_preview

__all__ = [
    "COMPUTE_STEPS",
    "AktionsraumReport",
    "ComputeReport",
    "MonitoringError",
    "ObservationImportError",
    "ObservationImportReport",
    "ResetReport",
    "aktionsraeume_report",
    "city_reset",
    "city_reset_preview",
    "indicators_compute",
    "observations_import",
]
