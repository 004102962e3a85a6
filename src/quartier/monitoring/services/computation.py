"""Services of the monitoring engine: compute, publish and store indicators, select Aktionsräume.

The computation itself lives in `quartier.analysis`; these functions read the database into
polars frames, call it, and write or return the result.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
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
from quartier.areas.models import AreaLevel
from quartier.areas.selectors import area_levels_list, areas_frame
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
# The steps `indicators_compute` reports to its `progress`.
COMPUTE_STEPS = (
    "reading the observations",
    "computing the indicators",
    "deciding the publication",
    "storing the results",
)


class MonitoringError(ValueError):
    """The monitoring cannot run as asked; the message says why.

    `setting` names what would settle it (`level`), for the caller to name its own option.
    """

    def __init__(self, message: str, *, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting


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
    progress: Callable[[str], None] | None = None,
) -> ComputeReport:
    """Compute all catalogue indicators for the given years (default all), publish, store.

    Breakdown cells are computed on every level for the internal view and published on
    ``breakdown_levels`` (default: the city's and the level below it; "all" for every
    level); an empty sequence publishes only the totals.

    The internal results of those years are replaced; the results of the other stored years
    are kept, and the publication is decided anew over all stored years at once (it links
    years: changes, lagged denominators). Everything is written in one transaction, and only
    once the publication succeeded, so a recomputation never leaves a mix of old and new.
    `progress` is told each of the `COMPUTE_STEPS` as it starts.
    """
    started = time.perf_counter()
    step = progress or (lambda _: None)
    step(COMPUTE_STEPS[0])
    catalogue = catalogue_load()
    observations = observations_frame(variables=_variables(catalogue))
    if observations.height == 0:
        raise MonitoringError("no observations of the catalogue's variables; import data first")
    wanted = _years(observations, years)
    areas = areas_frame()
    levels = _breakdown_levels(areas, breakdown_levels)
    step(COMPUTE_STEPS[1])
    results = compute_indicators(observations, areas, catalogue, years=wanted)
    del observations
    everything = _with_stored_years(results.values, wanted, catalogue)
    step(COMPUTE_STEPS[2])
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
    step(COMPUTE_STEPS[3])
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
    """What `quartier aktionsraeume` shows; `as_json` is the JSON it prints.

    `level` (selected) and `quartier_level` (searched for Aktionsquartiere, None if the method
    names none below) each with its key and its own name (`AreaLevel.name`).
    """

    year: int
    compare: int | None
    level: dict[str, str]
    quartier_level: dict[str, str] | None
    areas: list[dict[str, Any]]
    entered: list[str]
    left: list[str]
    stayed: list[str]
    aktionsquartiere: list[dict[str, Any]]
    domains: dict[str, str]

    def as_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if key != "domains"}


def aktionsraeume_report(
    *, year: int, compare: int | None = None, level: str | None = None
) -> AktionsraumReport:
    """Aktionsräume and Aktionsquartiere of a report year, and the change since `compare`.

    `level` is the level whose areas are selected (default: the method's `aktionsraum_level`);
    Aktionsquartiere are searched on the method's `aktionsquartier_level` if it lies below.
    """
    catalogue = catalogue_load()
    params = _below_average_method()
    index = _index_indicators(catalogue)
    chosen, finer = _report_levels(params, level)
    areas = areas_frame()
    now = _selection(year, index, params, areas, chosen, finer)
    changes: dict[str, list[str]] = {"entered": [], "left": [], "stayed": []}
    if compare is not None:
        before = _selection(compare, index, params, areas, chosen, finer)
        changes = rule.selection_changes(now.aktionsraeume, before.aktionsraeume)
    names = {(lv, code): name for lv, code, name in areas.select("level", "code", "name").rows()}
    shown = ("domains_below", "aktionsraum", "override")
    return AktionsraumReport(
        year=year,
        compare=compare,
        level={"key": chosen.key, "name": chosen.name},
        quartier_level={"key": finer.key, "name": finer.name} if finer else None,
        areas=[
            {"code": row["code"], "name": names.get((chosen.key, row["code"]), "")}
            | {key: row[key] for key in shown}
            for row in now.areas.to_dicts()
        ],
        aktionsquartiere=[
            {"code": code, "name": names.get((finer.key if finer else "", code), ""), "within": up}
            for code, up in now.aktionsquartiere.select("code", "sozialraum").rows()
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


def _index_indicators(catalogue: Catalogue) -> list[rule.IndexIndicator]:
    index = [
        rule.IndexIndicator(i.key, i.domain, bool(i.higher_is_worse))
        for items in catalogue.index_domains().values()
        for i in items
    ]
    if not index:
        raise MonitoringError(
            "the indicator catalogue has no index indicators (in_index: true), so no area can "
            "be below the city average; mark some in QUARTIER_INDICATORS_FILE"
        )
    return index


def _report_levels(
    params: BelowAverageParams, level: str | None
) -> tuple[AreaLevel, AreaLevel | None]:
    """The level to select and the finer level of the Aktionsquartiere (None: none below)."""
    levels = {lv.key: lv for lv in area_levels_list()}
    if not levels:
        raise MonitoringError("no area levels yet: set them with `quartier levels`")
    listed = ", ".join(levels)
    if level is not None and level not in levels:
        raise MonitoringError(f"unknown level {level!r} (levels: {listed})", setting="level")
    named = {"aktionsraum_level": level or params.aktionsraum_level}
    named["aktionsquartier_level"] = params.aktionsquartier_level
    source = "QUARTIER_METHODS_FILE" if settings.QUARTIER_METHODS_FILE else "shipped methods.yaml"
    for name, key in named.items():
        if key not in levels:
            raise MonitoringError(
                f"{name} {key!r} of the method {params.name!r} ({source}) is not a level of "
                f"the areas (levels: {listed}); give a copy of the methods file with the city's "
                "levels in QUARTIER_METHODS_FILE"
            )
    chosen, finer = levels[named["aktionsraum_level"]], levels[named["aktionsquartier_level"]]
    return chosen, finer if finer.rank > chosen.rank else None


def _selection(
    year: int,
    index: list[rule.IndexIndicator],
    params: BelowAverageParams,
    areas: pl.DataFrame,
    chosen: AreaLevel,
    finer: AreaLevel | None,
) -> rule.Selection:
    # The selection is an internal planning decision: it is based on the unsuppressed values
    # and publishes only which areas are selected, never a number.
    keys = [i.key for i in index]
    values = _level_values(year, keys, chosen, areas)
    finer_key = finer.key if finer else ""  # no level: no values
    quartiere = indicator_values(view="internal", indicators=keys, years=[year], level=finer_key)
    return rule.select_aktionsraeume(
        values,
        quartiere,
        parents=_ancestors(areas, finer, chosen) if finer else {},
        indicators=index,
        domain_share=params.domain_share,
        min_domains=params.min_domains,
        overrides=aktionsraum_overrides(year=year),
    )


def _level_values(
    year: int, keys: list[str], level: AreaLevel, areas: pl.DataFrame
) -> pl.DataFrame:
    """The index indicators' values of a year on a level; an error that says why there are none."""
    values = indicator_values(view="internal", indicators=keys, years=[year], level=level.key)
    if values.filter(pl.col("value").is_not_null()).height:
        return values
    where = f"level {level.key!r} ({level.name})"
    stored = result_years(view="internal")
    if not stored:
        raise MonitoringError("no stored indicator values: run `quartier compute` first")
    if year not in stored:
        raise MonitoringError(
            f"no indicator values for {year} (stored: {_years_text(stored)}); import its data "
            f"and run `quartier compute --year {year}`"
        )
    if not areas.filter(pl.col("level") == level.key).height:
        raise MonitoringError(f"{where} has no areas; import them with `quartier import-areas`")
    if values.height == 0:
        raise MonitoringError(
            f"no indicator values for {year} on {where}: its areas came after the last "
            "`quartier compute`; run it again"
        )
    raise MonitoringError(
        f"none of the index indicators ({', '.join(keys)}) has a value for {year} on {where}: "
        "their data are missing; `quartier catalogue-fit` shows what each indicator lacks"
    )


def _years_text(years: Sequence[int]) -> str:
    """`2008–2025` for a run of years, else the years listed: `2012, 2024`."""
    run = len(years) > 2 and max(years) - min(years) == len(years) - 1
    return f"{min(years)}–{max(years)}" if run else ", ".join(map(str, sorted(years)))


def _ancestors(areas: pl.DataFrame, finer: AreaLevel, coarser: AreaLevel) -> dict[str, str]:
    """Code of each area of `finer` -> the code of the area of `coarser` it lies in."""
    parent = {(lv, code): up for lv, code, up in areas.select("level", "code", "parent").rows()}
    key_of_rank = dict(zip(areas["rank"], areas["level"], strict=False))
    result: dict[str, str] = {}
    for code in areas.filter(pl.col("level") == finer.key)["code"]:
        current: str | None = code
        for rank in range(finer.rank, coarser.rank, -1):
            current = parent.get((key_of_rank.get(rank, ""), current or ""))
        if current is not None:
            result[code] = current
    return result
