"""Disclosure control for indicator results: rates, their counts, changes and comparisons.

An indicator result has, per indicator, area, period (and breakdown key), the columns
``numerator``, ``denominator``, ``value`` (the rate) and the changes ``change_1`` (to the year
before) and ``change_n`` (over ``change_n_years``). In the public view:

1. Numerators and denominators are counts and get primary and secondary suppression over the
   area hierarchy and the breakdown margins. A numerator whose denominator is below the
   indicator's minimum is suppressed as well (with complements), because numerator and
   denominator would otherwise give the rate away.
2. A rate is suppressed when its numerator or denominator is suppressed or missing, or the
   denominator is below the minimum.
3. A change is suppressed when the rate of either year is suppressed or its row is missing;
   comparisons derived from the rate (``diff_city``, ``ratio_city``, ``rank``, ``decile``,
   ``zscore``) follow the rate, ``city_value`` follows the city's rate.

A count used by several indicators (the population as a denominator, say) gets one suppression
pattern for all of them; otherwise the patterns together could reveal what each one hides.
Counts are matched by their variable names when ``variables`` is given, else by identical
content.

Every published column gets a flag column: ``flag`` for the value, ``numerator_flag``,
``denominator_flag``, ``change_1_flag``, ``change_n_flag`` ("." secret or unknown, "-" a zero
count or rate, "x" no denominator for a count indicator, "" a number). The internal view
returns the values unchanged, with "." only where a value is missing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import polars as pl

from .counts import NOT_APPLICABLE, NOTHING, SECRET, View, check_view, suppress_counts
from .primary import DEFAULT_MIN_COUNT
from .tables import parents_frame

__all__ = ["DERIVED", "changes_hidden", "disclose_indicators", "disclose_rates"]

DERIVED = ("diff_city", "ratio_city", "rank", "decile", "zscore")
_ROW, _HIDDEN, _RATE = "__row", "__hidden", "__rate_hidden"
_COUNTS = {"numerator": "__num_hidden", "denominator": "__den_hidden"}
_CHANGES = ("change_1", "change_n")


def disclose_indicators(
    results: pl.DataFrame,
    *,
    areas: pl.DataFrame,
    catalogue_min_denominators: Mapping[str, float],
    view: View,
    min_count: int = DEFAULT_MIN_COUNT,
    change_n_years: int = 5,
    variables: Mapping[str, tuple[str, str | None]] | None = None,
    derived: Sequence[str] = DERIVED,
) -> pl.DataFrame:
    """Indicator results with public values (null where suppressed) and flag columns.

    Parameters
    ----------
    results
        Columns ``indicator``, ``area``, ``period``, ``numerator``, ``value``, optional
        ``denominator`` (null or absent for a count indicator), ``breakdown_key``, ``change_1``,
        ``change_n`` and comparison columns.
    areas
        The areas with ``code`` and ``parent``.
    catalogue_min_denominators
        The smallest denominator for which each indicator's rate is published; required for
        every indicator with denominators (a count indicator has none).
    view
        "public" or "internal".
    min_count
        Counts from 1 to ``min_count - 1`` are suppressed.
    change_n_years
        The number of years ``change_n`` spans.
    variables
        Optional: per indicator the names of its numerator and denominator variables, so that
        indicators sharing a count share its suppression.
    derived
        Columns computed from the rate, suppressed with it.

    Examples
    --------
    >>> import polars as pl
    >>> areas = pl.DataFrame({"code": ["city", "a", "b", "c"], "parent": [None] + ["city"] * 3})
    >>> results = pl.DataFrame({
    ...     "indicator": ["alone"] * 4, "area": ["city", "a", "b", "c"], "period": [2024] * 4,
    ...     "numerator": [25.0, 2.0, 11.0, 12.0], "denominator": [250.0, 40.0, 100.0, 110.0]})
    >>> results = results.with_columns(value=pl.col("numerator") / pl.col("denominator") * 100)
    >>> public = disclose_indicators(results, areas=areas, view="public",
    ...                              catalogue_min_denominators={"alone": 50})
    >>> public.select("area", "numerator", "value", "flag").rows()  # doctest: +NORMALIZE_WHITESPACE
    [('city', 25.0, 10.0, ''), ('a', None, None, '.'), ('b', None, None, '.'),
     ('c', 12.0, 10.909..., '')]
    """
    check_view(view)
    if view == "public":
        results = _public(
            results, areas, catalogue_min_denominators, min_count, change_n_years, variables
        )
        results = _hide_derived(results, areas, derived)
    return _with_flags(results)


def disclose_rates(
    frame: pl.DataFrame,
    *,
    areas: pl.DataFrame,
    min_denominator: float,
    view: View,
    min_count: int = DEFAULT_MIN_COUNT,
    change_n_years: int = 5,
) -> pl.DataFrame:
    """`disclose_indicators` for a frame holding a single rate (no ``indicator`` column).

    Examples
    --------
    >>> import polars as pl
    >>> areas = {"city": None, "a": "city", "b": "city"}
    >>> rates = pl.DataFrame({"area": ["city", "a", "b"], "period": [2024] * 3,
    ...     "numerator": [9.0, 4.0, 5.0], "denominator": [60.0, 10.0, 50.0],
    ...     "value": [15.0, 40.0, 10.0]})
    >>> areas_frame = pl.DataFrame({"code": list(areas), "parent": list(areas.values())})
    >>> public = disclose_rates(rates, areas=areas_frame, min_denominator=20, view="public")
    >>> public["flag"].to_list()
    ['', '.', '.']
    """
    named = frame.with_columns(pl.lit("rate").alias("indicator"))
    disclosed = disclose_indicators(
        named,
        areas=areas,
        catalogue_min_denominators={"rate": min_denominator},
        view=view,
        min_count=min_count,
        change_n_years=change_n_years,
    )
    return disclosed.drop("indicator")


def changes_hidden(
    frame: pl.DataFrame, hidden: str, *, keys: Sequence[str], period: str = "period", years: int = 1
) -> pl.Series:
    """Whether a change over ``years`` must be hidden: either year hidden, or the earlier missing.

    Examples
    --------
    >>> import polars as pl
    >>> frame = pl.DataFrame({"area": ["a"] * 3, "period": [2022, 2023, 2024],
    ...                       "hidden": [False, True, False]})
    >>> changes_hidden(frame, "hidden", keys=["area"]).to_list()
    [True, True, True]
    >>> changes_hidden(frame, "hidden", keys=["area"], years=2).to_list()
    [True, True, False]
    """
    earlier = frame.select(
        *keys, (pl.col(period) + years).alias(period), pl.col(hidden).alias("__earlier")
    ).unique(subset=[*keys, period], keep="any")
    joined = frame.select(*keys, period, hidden).join(
        earlier, on=[*keys, period], how="left", nulls_equal=True, maintain_order="left"
    )
    return (joined[hidden] | joined["__earlier"].fill_null(True)).alias(hidden)


def _public(
    results: pl.DataFrame,
    areas: pl.DataFrame,
    minimum: Mapping[str, float],
    min_count: int,
    change_n_years: int,
    variables: Mapping[str, tuple[str, str | None]] | None,
) -> pl.DataFrame:
    if "denominator" not in results.columns:
        results = results.with_columns(pl.lit(None, pl.Float64).alias("denominator"))
    frame = results.with_row_index(_ROW).with_columns(
        pl.col("indicator")
        .replace_strict(_minimums(results, minimum), return_dtype=pl.Float64)
        .alias("__min")
    )
    status = _count_status(frame, areas, min_count, variables)
    frame = frame.join(status, on=_ROW, how="left", maintain_order="left").with_columns(
        pl.col(name).fill_null(False) for name in _COUNTS.values()
    )
    frame = frame.with_columns(_rate_hidden(frame).alias(_RATE))
    hidden = {
        **{column: frame[name] for column, name in _COUNTS.items()},
        "value": frame[_RATE],
        **_changes_hidden(frame, change_n_years),
    }
    published = [
        pl.when(pl.lit(mask)).then(None).otherwise(pl.col(column)).alias(column)
        for column, mask in hidden.items()
    ]
    return frame.with_columns(published).drop(_ROW, "__min", *_COUNTS.values())


def _changes_hidden(frame: pl.DataFrame, change_n_years: int) -> dict[str, pl.Series]:
    keys = ["indicator", "area", *(["breakdown_key"] if "breakdown_key" in frame.columns else [])]
    return {
        change: changes_hidden(frame, _RATE, keys=keys, years=years)
        for change, years in zip(_CHANGES, (1, change_n_years), strict=True)
        if change in frame.columns
    }


def _minimums(results: pl.DataFrame, minimum: Mapping[str, float]) -> dict[str, float]:
    """The minimum denominator per indicator; counts without denominator need none."""
    with_denominator = results.filter(pl.col("denominator").is_not_null())["indicator"]
    missing = sorted(set(with_denominator.unique().to_list()) - set(minimum))
    if missing:
        raise ValueError(f"no minimum denominator in the catalogue for {missing}")
    return dict.fromkeys(results["indicator"].unique().to_list(), 0.0) | dict(minimum)


def _rate_hidden(frame: pl.DataFrame) -> pl.Expr:
    numerator_bad = pl.col(_COUNTS["numerator"]) | pl.col("numerator").is_null()
    denominator = pl.col("denominator")
    denominator_bad = denominator.is_not_null() & (
        pl.col(_COUNTS["denominator"]) | (denominator < pl.col("__min"))
    )
    return numerator_bad | denominator_bad | pl.col("value").is_null()


def _count_status(
    frame: pl.DataFrame,
    areas: pl.DataFrame,
    min_count: int,
    variables: Mapping[str, tuple[str, str | None]] | None,
) -> pl.DataFrame:
    """Per result row whether its numerator and its denominator are hidden."""
    keys = ["area", "period", *(["breakdown_key"] if "breakdown_key" in frame.columns else [])]
    long = pl.concat([_role(frame, role, keys) for role in _COUNTS])
    # A role without any count (an indicator without denominator) has nothing to protect.
    long = long.filter(pl.col("__count").is_not_null().any().over("indicator", "__role"))
    long = long.join(_series(long, keys, variables), on=["indicator", "__role"], how="left")
    # Sorted, so that the result does not depend on the order of the rows.
    cells = (
        long.group_by(["__series", *keys])
        .agg(
            pl.col("__count").first(),
            pl.col("__sensitive").any(),
            (pl.col("__count").n_unique() > 1).alias("__conflict"),
        )
        .sort(["__series", *keys])
    )
    if cells["__conflict"].any():
        raise ValueError("indicators sharing a count variable disagree about its values")
    suppression = suppress_counts(
        cells,
        areas=parents_frame(areas),
        value="__count",
        by=["__series", "period"],
        min_count=min_count,
        sensitive="__sensitive",
    )
    status = cells.select("__series", *keys).with_columns(
        pl.Series(_HIDDEN, suppression.suppressed | suppression.missing)
    )
    flagged = long.join(status, on=["__series", *keys], how="left", nulls_equal=True)
    wide = flagged.pivot("__role", index=_ROW, values=_HIDDEN)
    return wide.select(
        _ROW,
        *(
            (pl.col(role).fill_null(False) if role in wide.columns else pl.lit(False)).alias(name)
            for role, name in _COUNTS.items()
        ),
    )


def _role(frame: pl.DataFrame, role: str, keys: list[str]) -> pl.DataFrame:
    small = (pl.col("denominator") < pl.col("__min")).fill_null(False)
    return frame.select(
        _ROW,
        "indicator",
        *keys,
        pl.lit(role).alias("__role"),
        pl.col(role).cast(pl.Float64).alias("__count"),
        (small if role == "numerator" else pl.lit(False)).alias("__sensitive"),
    )


def _series(
    long: pl.DataFrame, keys: list[str], variables: Mapping[str, tuple[str, str | None]] | None
) -> pl.DataFrame:
    """A name for the count behind each indicator and role: its variable, or its content."""
    rows = []
    for (indicator, role), group in long.group_by(["indicator", "__role"]):
        named = (variables or {}).get(str(indicator))
        name = named[0 if role == "numerator" else 1] if named else None
        if name is None:
            content = group.sort(keys).select(*keys, "__count").hash_rows(seed=0)
            name = "content:" + hashlib.sha256(content.to_numpy().tobytes()).hexdigest()
        rows.append((indicator, role, name))
    return pl.DataFrame(
        rows, schema={"indicator": pl.Utf8, "__role": pl.Utf8, "__series": pl.Utf8}, orient="row"
    )


def _hide_derived(frame: pl.DataFrame, areas: pl.DataFrame, derived: Sequence[str]) -> pl.DataFrame:
    hidden = pl.col(_RATE)
    columns = [c for c in derived if c in frame.columns]
    frame = frame.with_columns(
        pl.when(hidden).then(None).otherwise(pl.col(c)).alias(c) for c in columns
    )
    if "city_value" in frame.columns:
        frame = _hide_city_value(frame, areas)
    return frame.drop(_RATE)


def _hide_city_value(frame: pl.DataFrame, areas: pl.DataFrame) -> pl.DataFrame:
    tops = parents_frame(areas).filter(pl.col("parent").is_null())["code"]
    keys = ["indicator", "period", *(["breakdown_key"] if "breakdown_key" in frame.columns else [])]
    city = (
        frame.filter(pl.col("area").is_in(tops.implode()))
        .group_by(keys)
        .agg(pl.col(_RATE).any().alias("__city_hidden"))
    )
    joined = frame.join(city, on=keys, how="left", nulls_equal=True, maintain_order="left")
    hidden = pl.col("__city_hidden").fill_null(False)
    city_value = pl.when(hidden).then(None).otherwise(pl.col("city_value")).alias("city_value")
    return joined.with_columns(city_value).drop("__city_hidden")


def _with_flags(frame: pl.DataFrame) -> pl.DataFrame:
    """Flag columns: "." for null, "-" for a zero count or rate, "" otherwise.

    A count indicator has no denominator: its denominator flag is "x", not applicable.
    """
    named = {"value": "flag", "numerator": "numerator_flag", "denominator": "denominator_flag"}
    named |= {change: f"{change}_flag" for change in _CHANGES}
    flags = []
    for column, flag in named.items():
        if column not in frame.columns:
            continue
        absent = pl.lit(False)
        if column == "denominator" and "indicator" in frame.columns:
            absent = pl.col(column).is_null().all().over("indicator")
        zero = pl.lit(column not in _CHANGES) & (pl.col(column) == 0)
        expression = (
            pl.when(absent)
            .then(pl.lit(NOT_APPLICABLE))
            .when(pl.col(column).is_null())
            .then(pl.lit(SECRET))
            .when(zero)
            .then(pl.lit(NOTHING))
            .otherwise(pl.lit(""))
        )
        flags.append(expression.alias(flag))
    return frame.with_columns(flags)
