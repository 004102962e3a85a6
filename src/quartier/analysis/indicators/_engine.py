"""The indicator engine: values of every catalogue indicator for every area, level and year.

`compute_indicators` takes tidy observations, the area hierarchy and the catalogue. Counts are
summed up the hierarchy from the lowest level that has data for a variable (children sum to
their parents, level by level); observations of the same variable at coarser levels are not
used. Rates are computed from the sums, never as an average of rates. "-" (nothing) counts as
0; a secret ("."), not applicable ("x") or missing input makes every sum above it null, with a
reason, and so every rate computed from it. The value of the top area (rank 0, the city) is the
reference for the other areas.

Only the areas of the levels down to the lowest level with data for all of an indicator's
variables get rows, and only the years in which each of its variables has data. Breakdown
values are described in `quartier.analysis.indicators._breakdowns` (private).

Examples
--------
>>> areas = pl.DataFrame({
...     "code": ["S", "A", "B"], "level": ["stadt", "bezirk", "bezirk"],
...     "rank": [0, 1, 1], "parent": [None, "S", "S"],
... })
>>> observations = pl.DataFrame({
...     "area": ["A", "B", "A", "B"], "period": [2024] * 4,
...     "variable": ["sgb2", "sgb2", "einwohner_u65", "einwohner_u65"],
...     "breakdown_key": [""] * 4, "value": [30.0, 10.0, 100.0, 400.0], "flag": [""] * 4,
... })
>>> catalogue = load_catalogue()
>>> results = compute_indicators(observations, areas, catalogue, indicators=["sgb2_quote"])
>>> for row in results.values.select("area", "numerator", "denominator", "value", "rank").rows():
...     print(row)
('S', 40.0, 500.0, 8.0, 1)
('A', 30.0, 100.0, 30.0, 1)
('B', 10.0, 400.0, 2.5, 2)
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import polars as pl

from quartier.analysis.catalogue import Catalogue, Indicator, load_catalogue
from quartier.analysis.indicators._aggregate import AreaTree
from quartier.analysis.indicators._cubes import Observed, observe
from quartier.analysis.indicators._evaluate import Evaluator, Problem, years_text
from quartier.analysis.indicators._threads import thread_count

__all__ = [
    "OUTPUT_SCHEMA",
    "IndicatorResults",
    "Problem",
    "compute_indicators",
    "input_periods",
    "load_catalogue",
]

OUTPUT_SCHEMA: dict[str, pl.DataType] = {
    "indicator": pl.Utf8(),
    "area": pl.Utf8(),
    "level": pl.Utf8(),
    "period": pl.Int64(),
    "breakdown_key": pl.Utf8(),
    "numerator": pl.Float64(),
    "denominator": pl.Float64(),
    "value": pl.Float64(),
    "city_value": pl.Float64(),
    "diff_city": pl.Float64(),
    "ratio_city": pl.Float64(),
    "rank": pl.UInt32(),
    "decile": pl.UInt8(),
    "zscore": pl.Float64(),
    "change_1": pl.Float64(),
    "change_n": pl.Float64(),
    "missing_reason": pl.Utf8(),
}


@dataclass(frozen=True)
class IndicatorResults:
    """The computed values and the problems met.

    Attributes
    ----------
    values : polars.DataFrame
        One row per indicator × area × period × breakdown cell, columns as in `OUTPUT_SCHEMA`:
        ``indicator``, ``area``, ``level``, ``period``, ``breakdown_key`` ("" for totals),
        ``numerator``, ``denominator`` (null for counts; the earlier count for changes),
        ``value``, ``city_value``, ``diff_city`` (value − city value), ``ratio_city`` (value /
        city value), ``rank`` (1 = the most disadvantaged: highest value unless higher is
        better; within level, period and breakdown cell), ``decile`` (1-10, 1 = the most
        disadvantaged tenth), ``zscore`` (unweighted mean, population standard deviation),
        ``change_1`` and ``change_n`` (value minus the value 1 and `change_years` years
        earlier: percentage points for values in %, including changes; plain differences for
        other rates; the change in percent for counts), ``missing_reason`` (why the value is
        null, e.g. "secret input sgb2 in 010203", "denominator is 0"). Rows are ordered by
        indicator (in the order asked for), breakdown grouping, level, area, period and cell.
    problems : tuple of Problem
        Indicators left out (a variable without observations, an unknown breakdown value),
        years left out, observations of unknown areas.
    change_years : int
        The years of ``change_n``.
    """

    values: pl.DataFrame
    problems: tuple[Problem, ...] = ()
    change_years: int = 5


def compute_indicators(
    observations: pl.DataFrame,
    areas: pl.DataFrame,
    catalogue: Catalogue,
    *,
    years: Sequence[int] | None = None,
    change_years: int = 5,
    indicators: Sequence[str] | None = None,
    breakdowns: bool = True,
) -> IndicatorResults:
    """Compute catalogue indicators for every area, level and year.

    Parameters
    ----------
    observations : polars.DataFrame
        Columns ``area`` (code), ``period`` (year), ``variable``, ``breakdown_key`` ("" for
        totals, else "dim=value;..." with sorted dimensions), ``value`` (null when flagged) and
        ``flag`` ("", ".", "-", "x"); one row per cell. The text columns may be categorical
        (less memory for millions of rows).
    areas : polars.DataFrame
        Every area of every level: ``code``, ``level``, ``rank`` (0 = the city) and ``parent``
        (the code of the area one rank above; null for the city).
    catalogue : Catalogue
        The indicator definitions.
    years : sequence of int, optional
        The years to compute (all observed years by default). `observations` must still hold
        the earlier years that changes refer to: 1 and `change_years` years before, and the
        years of change-type indicators.
    change_years : int
        The span of ``change_n``.
    indicators : sequence of str, optional
        Indicator keys to compute (all by default).
    breakdowns : bool
        Whether to compute breakdown values as well as totals.

    Returns
    -------
    IndicatorResults

    Raises
    ------
    KeyError
        For an indicator key that is not in the catalogue.
    AreaError, ObservationError
        For areas that do not form a hierarchy, or unusable observations.

    Examples
    --------
    The SGB II rate of the Sozialräume in the Musterstadt sample, whose top area (rank 0) is
    the Stadtbezirk Hafen: Oberholz (1101) starts far above it and ends below it.

    >>> from quartier.analysis.musterstadt import load_example
    >>> example = load_example()
    >>> results = compute_indicators(
    ...     example.observations, example.areas, load_catalogue(),
    ...     years=[2012, 2024], indicators=["sgb2_quote"],
    ... )
    >>> sozialraeume = results.values.filter(pl.col("level") == "sozialraum")
    >>> columns = ["area", "period", "numerator", "denominator", "value", "city_value", "rank"]
    >>> for row in sozialraeume.select(columns).with_columns(pl.col(pl.Float64).round(1)).rows():
    ...     print(row)
    ('1101', 2012, 4196.0, 11204.0, 37.5, 29.5, 1)
    ('1101', 2024, 2151.0, 13773.0, 15.6, 19.1, 3)
    ('1102', 2012, 2410.0, 9499.0, 25.4, 29.5, 2)
    ('1102', 2024, 2415.0, 9762.0, 24.7, 19.1, 1)
    ('1103', 2012, 777.0, 4359.0, 17.8, 29.5, 3)
    ('1103', 2024, 767.0, 4420.0, 17.4, 19.1, 2)
    """
    tree = AreaTree.from_frame(areas)
    keys = dict.fromkeys(indicators or [i.key for i in catalogue])
    chosen = [catalogue.indicator(key) for key in keys]
    variables = list(dict.fromkeys(v for indicator in chosen for v in indicator.variables))
    wanted = None if years is None else input_periods(years, chosen, change_years)
    observed = observe(observations, tree, variables=variables, periods=wanted)
    evaluator = Evaluator(tree, observed, change_years)
    requested = [p for p in observed.periods if years is None or p in set(years)]
    # A job only reads what `jobs` prepared for it, and array work releases the interpreter
    # lock: each job runs on a thread per core as soon as it is prepared, while the next ones
    # are. Many parts, joined without copying: the key columns of equal shape share memory.
    with ThreadPoolExecutor(thread_count()) as pool:
        running = [
            pool.submit(evaluator.run, job)
            for indicator in chosen
            for job in evaluator.jobs(indicator, requested, breakdowns=breakdowns)
        ]
        parts = [job.result() for job in running]
    values = pl.concat(parts, rechunk=False) if parts else pl.DataFrame(schema=OUTPUT_SCHEMA)
    problems = _unknown_areas(observed) + _years_without_data(years, observed)
    return IndicatorResults(values, tuple(problems + evaluator.problems), change_years)


def input_periods(
    years: Sequence[int], chosen: Sequence[Indicator], change_years: int
) -> list[int]:
    """The years of observations needed to compute `years`, changes included.

    Examples
    --------
    >>> input_periods([2024], [load_catalogue().indicator("bevoelkerungsentwicklung")], 5)
    [2014, 2018, 2019, 2023, 2024]
    """
    offsets = {0, 1, change_years}
    spans = {0} | {i.years for i in chosen if i.kind == "change" and i.years is not None}
    return sorted({year - offset - span for year in years for offset in offsets for span in spans})


def _years_without_data(years: Sequence[int] | None, observed: Observed) -> list[Problem]:
    absent = sorted(set(years or ()) - set(observed.periods))
    if not absent:
        return []
    return [Problem(None, f"no observations in {years_text(absent)}")]


def _unknown_areas(observed: Observed) -> list[Problem]:
    count, examples = observed.unknown_areas
    if not count:
        return []
    listed = ", ".join(repr(code) for code in examples)
    return [Problem(None, f"{count} area codes are not in the areas (e.g. {listed}); ignored")]
