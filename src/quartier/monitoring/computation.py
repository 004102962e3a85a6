"""Services of the monitoring engine: compute and store indicators, select Aktionsräume.

The computation itself lives in `quartier.analysis`; these functions read the database into
polars frames, call it, and write or return the result.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.conf import settings
from django.db import transaction

from quartier.analysis import aktionsraeume as rule
from quartier.analysis.catalogue import Catalogue
from quartier.analysis.indicators import compute_indicators
from quartier.analysis.methods import BelowAverageParams, below_average_params
from quartier.areas.models import Area
from quartier.monitoring import writers
from quartier.monitoring.models import IndicatorValue
from quartier.monitoring.selectors import (
    VALUE_COLUMNS,
    aktionsraum_overrides,
    areas_frame,
    catalogue_load,
    indicator_values,
    observations_frame,
)

STORED_COLUMNS = ["indicator", "period", "breakdown_key", *VALUE_COLUMNS]


class MonitoringError(ValueError):
    """The monitoring cannot run as asked; the message says why."""


@dataclass
class ComputeReport:
    years: list[int]
    indicators: int = 0
    rows: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)


def indicators_compute(*, years: Sequence[int] | None = None) -> ComputeReport:
    """Compute all catalogue indicators for the given years (default all) and store them.

    Stored results of those years are replaced in one transaction, so a recomputation after an
    import never leaves a mix of old and new values.
    """
    started = time.perf_counter()
    catalogue = catalogue_load()
    variables = sorted({v for indicator in catalogue for v in indicator.variables})
    observations = observations_frame(variables=variables)
    if observations.height == 0:
        raise MonitoringError("no observations of the catalogue's variables; import data first")
    known = sorted(observations["period"].unique().to_list())
    wanted = known if years is None else sorted(set(years))
    missing = sorted(set(wanted) - set(known))
    if missing:
        raise MonitoringError(f"no observations for {', '.join(map(str, missing))}")
    areas = areas_frame()
    results = compute_indicators(observations, areas, catalogue, years=wanted)
    rows = _with_area_ids(results.values)
    with transaction.atomic():
        IndicatorValue.objects.filter(period__in=wanted).delete()
        writers.insert_rows(
            IndicatorValue._meta.db_table,
            rows,
            order=["indicator", "period", "area_id", "breakdown_key"],
        )
    return ComputeReport(
        years=wanted,
        indicators=results.values["indicator"].n_unique(),
        rows=rows.height,
        seconds=time.perf_counter() - started,
        problems=[str(problem) for problem in results.problems],
    )


def _with_area_ids(values: pl.DataFrame) -> pl.DataFrame:
    ids = pl.DataFrame(
        list(Area.objects.values_list("code", "level__key", "pk")),
        schema={"area": pl.Utf8, "level": pl.Utf8, "area_id": pl.Int64},
        orient="row",
    )
    joined = values.join(ids, on=["area", "level"], how="inner")
    return joined.select("area_id", *STORED_COLUMNS).with_columns(
        pl.col("missing_reason").fill_null("")
    )


@dataclass(frozen=True)
class AktionsraumReport:
    """What `quartier aktionsraeume` shows, in the JSON layout it prints."""

    year: int
    compare: int | None
    areas: list[dict[str, Any]]
    aktionsquartiere: list[dict[str, Any]]
    entered: list[str]
    left: list[str]
    stayed: list[str]
    domains: dict[str, str]

    def as_json(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "compare": self.compare,
            "areas": self.areas,
            "entered": self.entered,
            "left": self.left,
            "stayed": self.stayed,
            "aktionsquartiere": self.aktionsquartiere,
        }


def aktionsraeume_report(*, year: int, compare: int | None = None) -> AktionsraumReport:
    """Aktionsräume and Aktionsquartiere of a report year, and the change since `compare`."""
    catalogue = catalogue_load()
    params = below_average_params(path=settings.QUARTIER_METHODS_FILE)
    areas = areas_frame()
    now = _selection(year, catalogue, params, areas)
    before = _selection(compare, catalogue, params, areas) if compare is not None else None
    changes = rule.compare(now.aktionsraeume, before.aktionsraeume if before else set())
    if before is None:
        changes = {"entered": [], "left": [], "stayed": []}
    names = dict(zip(areas["code"], areas["name"], strict=True))
    return AktionsraumReport(
        year=year,
        compare=compare,
        areas=[_area_row(row, names) for row in now.areas.to_dicts()],
        aktionsquartiere=[
            {"code": r["code"], "name": names.get(r["code"], ""), "sozialraum": r["sozialraum"]}
            for r in now.quartiere.to_dicts()
        ],
        domains={d.key: d.name_de for d in catalogue.domains},
        **changes,
    )


def _area_row(row: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    return {
        "code": row["code"],
        "name": names.get(row["code"], ""),
        "domains_below": list(row["domains_below"]),
        "aktionsraum": bool(row["aktionsraum"]),
        "override": row["override"],
    }


def _selection(
    year: int, catalogue: Catalogue, params: BelowAverageParams, areas: pl.DataFrame
) -> rule.Selection:
    index = [
        rule.IndexIndicator(i.key, i.domain, bool(i.higher_is_worse))
        for items in catalogue.index_domains().values()
        for i in items
    ]
    keys = [i.key for i in index]
    # The selection is an internal planning decision: it is based on the unsuppressed values
    # and publishes only which areas are selected, never a number.
    values = {
        level: indicator_values(view="internal", indicators=keys, years=[year], level=level)
        for level in (params.area_level, params.quartier_level)
    }
    if values[params.area_level].height == 0:
        raise MonitoringError(
            f"no indicator values for {year} on level {params.area_level!r}; "
            "run `quartier compute` after importing the data"
        )
    quartier_areas = areas.filter(pl.col("level") == params.quartier_level)
    return rule.select_aktionsraeume(
        values[params.area_level],
        values[params.quartier_level],
        parents=dict(zip(quartier_areas["code"], quartier_areas["parent"], strict=True)),
        indicators=index,
        domain_share=params.domain_share,
        min_domains=params.min_domains,
        overrides=aktionsraum_overrides(year=year),
    )
