"""Services of the monitoring engine: compute, publish and store indicators, select Aktionsräume.

The computation itself lives in `quartier.analysis`; these functions read the database into
polars frames, call it, and write or return the result.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl
from django.conf import settings
from django.db import transaction

from quartier.analysis import indices as rule
from quartier.analysis.catalogue import Catalogue
from quartier.analysis.disclosure import (
    DEFAULT_MIN_COUNT,
    DEFAULT_PROTECTION_WIDTH,
    hierarchy_levels,
    internal_view,
    publish,
)
from quartier.analysis.indicators import compute_indicators
from quartier.analysis.indices import BelowAverageParams, MethodError, below_average_params
from quartier.areas.selectors import areas_frame
from quartier.monitoring import writers
from quartier.monitoring.models import Computation, ResultPart
from quartier.monitoring.selectors import (
    aktionsraum_overrides,
    catalogue_load,
    indicator_values,
    observations_frame,
    result_years,
)

# Breakdowns are published by default on the city's level and the one below it (the
# Stadtbezirke): what a social report tabulates. Finer levels hold most of the small counts,
# so publishing them hides many more cells and takes many times longer.
DEFAULT_BREAKDOWN_TIERS = 2


class MonitoringError(ValueError):
    """The monitoring cannot run as asked; the message says why."""


@dataclass
class ComputeReport:
    years: list[int]
    indicators: int = 0
    rows: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    published_years: list[int] = field(default_factory=list)
    publish_seconds: float = 0.0
    min_count: int = DEFAULT_MIN_COUNT
    protection_width: int = DEFAULT_PROTECTION_WIDTH
    breakdown_levels: list[str] = field(default_factory=list)


def indicators_compute(
    *,
    years: Sequence[int] | None = None,
    min_count: int = DEFAULT_MIN_COUNT,
    protection_width: int = DEFAULT_PROTECTION_WIDTH,
    breakdown_levels: Sequence[str] | Literal["all"] | None = None,
) -> ComputeReport:
    """Compute all catalogue indicators for the given years (default all), publish, store.

    Breakdown cells are computed on every level for the internal view and published on
    ``breakdown_levels`` (default: the city's and the level below it; "all" for every
    level); an empty sequence publishes only the totals.

    The internal results of those years are replaced; the results of the other stored years
    are kept, and the publication is decided anew over all stored years at once (it links
    years: changes, lagged denominators). Everything is written in one transaction, and only
    once the publication succeeded, so a recomputation never leaves a mix of old and new.
    """
    started = time.perf_counter()
    catalogue = catalogue_load()
    observations = observations_frame(variables=_variables(catalogue))
    if observations.height == 0:
        raise MonitoringError("no observations of the catalogue's variables; import data first")
    wanted = _years(observations, years)
    areas = areas_frame()
    levels = _breakdown_levels(areas, breakdown_levels)
    results = compute_indicators(observations, areas, catalogue, years=wanted)
    del observations
    everything = _with_stored_years(results.values, wanted, catalogue)
    publish_started = time.perf_counter()
    public = publish(
        everything,
        areas=areas,
        catalogue=catalogue,
        min_count=min_count,
        protection_width=protection_width,
        breakdowns=levels,
    )
    publish_seconds = time.perf_counter() - publish_started
    report = ComputeReport(
        years=wanted,
        indicators=results.values["indicator"].n_unique(),
        rows=results.values.height,
        problems=[str(problem) for problem in results.problems],
        published_years=sorted(everything["period"].unique().to_list()),
        publish_seconds=publish_seconds,
        min_count=min_count,
        protection_width=protection_width,
        breakdown_levels=levels,
    )
    _store(report, internal_view(results.values), public, started)
    return report


def _breakdown_levels(
    areas: pl.DataFrame, wanted: Sequence[str] | Literal["all"] | None
) -> list[str]:
    known = hierarchy_levels(areas)
    if wanted is None:
        return known[:DEFAULT_BREAKDOWN_TIERS]
    if wanted == "all":
        return known
    unknown = [level for level in wanted if level not in known]
    if unknown:
        raise MonitoringError(
            f"breakdown level {unknown[0]!r} is not a level of the areas; "
            f"give one of {', '.join(known)}"
        )
    # In the order of the hierarchy, each once.
    return [level for level in known if level in set(wanted)]


def _variables(catalogue: Catalogue) -> list[str]:
    return sorted({v for indicator in catalogue for v in indicator.variables})


def _years(observations: pl.DataFrame, years: Sequence[int] | None) -> list[int]:
    known = sorted(observations["period"].unique().to_list())
    wanted = known if years is None else sorted(set(years))
    missing = sorted(set(wanted) - set(known))
    if missing:
        raise MonitoringError(f"no observations for {', '.join(map(str, missing))}")
    return wanted


def _with_stored_years(
    values: pl.DataFrame, wanted: Sequence[int], catalogue: Catalogue
) -> pl.DataFrame:
    """The new results and the stored internal results of every other year, as computed."""
    others = [year for year in result_years(view="internal") if year not in set(wanted)]
    if not others:
        return values
    stored = indicator_values(
        view="internal",
        indicators=[indicator.key for indicator in catalogue],
        years=others,
        totals_only=False,
    )
    if stored.height == 0:
        return values
    kept = stored.select(values.columns).cast(values.schema)
    return pl.concat([kept, values], how="vertical", rechunk=False)


def _store(
    report: ComputeReport,
    internal: pl.DataFrame,
    public: pl.DataFrame,
    started: float,
) -> None:
    """Replace the internal parts of the computed years and the whole publication."""
    parts = writers.result_parts(internal, view="internal")
    parts += writers.result_parts(public, view="public")
    with transaction.atomic():
        ResultPart.objects.filter(view="internal", period__in=report.years).delete()
        ResultPart.objects.filter(view="public").delete()
        computation = Computation.objects.create(
            years=report.years,
            published_years=report.published_years,
            min_count=report.min_count,
            protection_width=report.protection_width,
            breakdown_levels=report.breakdown_levels,
            value_count=report.rows,
            publish_seconds=report.publish_seconds,
        )
        for part in parts:
            part.computation = computation
        writers.insert_parts(parts)
        # Recorded up to the commit; the report below includes it.
        computation.seconds = time.perf_counter() - started
        computation.save(update_fields=["seconds"])
    report.seconds = time.perf_counter() - started


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
    params = _below_average_method()
    areas = areas_frame()
    now = _selection(year, catalogue, params, areas)
    before = _selection(compare, catalogue, params, areas) if compare is not None else None
    changes = rule.selection_changes(now.aktionsraeume, before.aktionsraeume if before else set())
    if before is None:
        changes = {"entered": [], "left": [], "stayed": []}
    names = dict(zip(areas["code"], areas["name"], strict=True))
    return AktionsraumReport(
        year=year,
        compare=compare,
        areas=[_area_row(row, names) for row in now.areas.to_dicts()],
        aktionsquartiere=[
            {"code": r["code"], "name": names.get(r["code"], ""), "sozialraum": r["sozialraum"]}
            for r in now.aktionsquartiere.to_dicts()
        ],
        domains={d.key: d.name_de for d in catalogue.domains},
        **changes,
    )


def _below_average_method() -> BelowAverageParams:
    """The below-average method of QUARTIER_METHODS_FILE, or the shipped one without that file."""
    try:
        return below_average_params(path=settings.QUARTIER_METHODS_FILE)
    except MethodError as error:
        raise MonitoringError(f"{error} (QUARTIER_METHODS_FILE)") from error


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
        for level in (params.aktionsraum_level, params.aktionsquartier_level)
    }
    if values[params.aktionsraum_level].height == 0:
        raise MonitoringError(
            f"no indicator values for {year} on level {params.aktionsraum_level!r}; "
            "run `quartier compute` after importing the data"
        )
    quartier_areas = areas.filter(pl.col("level") == params.aktionsquartier_level)
    return rule.select_aktionsraeume(
        values[params.aktionsraum_level],
        values[params.aktionsquartier_level],
        parents=dict(zip(quartier_areas["code"], quartier_areas["parent"], strict=True)),
        indicators=index,
        domain_share=params.domain_share,
        min_domains=params.min_domains,
        overrides=aktionsraum_overrides(year=year),
    )
