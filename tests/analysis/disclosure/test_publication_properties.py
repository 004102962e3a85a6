"""The publication against the attacker on random cities: hierarchies of 2 or 3 levels,
breakdowns by 1 or 2 dimensions, many small counts, two years.

The tables go through the real engine (`compute_indicators`) with a small catalogue: a count,
a share with a restricted term, a change over one year and a rate of another variable; then
`publish`, then the attack. A naive publication that hides only the small counts themselves
shows that these tables are full of leaks the attacker finds.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quartier.analysis.catalogue import Catalogue, Domain, Indicator, Term
from quartier.analysis.disclosure import publish
from quartier.analysis.indicators import compute_indicators

from .attacker import Report, attack, check_derived

YEARS = (2023, 2024)
DIMENSIONS = {"age_group": ("jung", "mittel", "alt"), "gender": ("w", "m")}
COUNTS = st.sampled_from([0, 0, 1, 1, 1, 2, 2, 3, 4, 6, 9, 25])
CHANGED = [*(f"{c}_flag" for c in ("change_1", "change_n")), "change_1", "change_n"]


@dataclass(frozen=True)
class City:
    areas: pl.DataFrame
    observations: pl.DataFrame
    catalogue: Catalogue


def catalogue(dimension: str) -> Catalogue:
    """A count, a share restricted on one category, a change and a rate of another variable."""
    first = DIMENSIONS[dimension][0]
    indicators = (
        Indicator("pop", "E", "P", "d", "Anzahl", (Term("pop"),), "neutral", "-", kind="count"),
        Indicator(
            "share", "A", "S", "d", "%", (Term("pop", ((dimension, (first,)),)),), "neutral",
            "-", denominator=(Term("pop"),), scale=100, min_denominator=5,
        ),
        Indicator(
            "growth", "V", "G", "d", "%", (Term("pop"),), "neutral", "-", scale=100,
            kind="change", years=1, min_denominator=5,
        ),
        Indicator(
            "cases", "F", "C", "d", "%", (Term("cases"),), "higher_is_worse", "-",
            denominator=(Term("pop"),), scale=100, min_denominator=10,
        ),
    )  # fmt: skip
    return Catalogue((Domain("d", "D", "D"),), indicators)


@st.composite
def cities(draw: st.DrawFn) -> City:
    levels = draw(st.integers(2, 3))
    rows: list[tuple[str, str, int, str | None]] = [("S", "stadt", 0, None)]
    parents = ["S"]
    for rank in range(1, levels):
        below = []
        for parent in parents:
            for i in range(draw(st.integers(2 if rank == 1 else 1, 3))):
                code = f"{parent}{i}" if parent != "S" else f"{i}"
                rows.append((code, f"level{rank}", rank, parent))
                below.append(code)
        parents = below
    areas = pl.DataFrame(rows, schema=["code", "level", "rank", "parent"], orient="row")
    dimensions = sorted(draw(st.sets(st.sampled_from(sorted(DIMENSIONS)), min_size=1)))
    cells = [""]
    for dimension in dimensions:
        cells = [f"{c};{dimension}={v}".lstrip(";") for c in cells for v in DIMENSIONS[dimension]]
    observed = []
    for year in YEARS:
        for leaf in parents:
            observed += [(leaf, year, "pop", key, float(draw(COUNTS))) for key in cells]
            observed.append((leaf, year, "cases", "", float(draw(COUNTS))))
    observations = pl.DataFrame(
        observed, schema=["area", "period", "variable", "breakdown_key", "value"], orient="row"
    ).with_columns(flag=pl.lit(""))
    return City(areas, observations, catalogue(dimensions[0]))


def results_of(city: City) -> pl.DataFrame:
    results = compute_indicators(city.observations, city.areas, city.catalogue)
    assert results.problems == ()
    return results.values


def attacked(city: City, public: pl.DataFrame, results: pl.DataFrame) -> Report:
    report = attack(public, catalogue=city.catalogue, areas=city.areas, truth=results)
    assert report.consistent, report.summary()
    return report


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cities())
def test_no_sensitive_count_of_a_random_city_is_exposed(city: City) -> None:
    results = results_of(city)
    public = publish(results, areas=city.areas, catalogue=city.catalogue, breakdowns=True)
    report = attacked(city, public, results)
    assert report.exposures == (), report.summary()
    assert check_derived(public, catalogue=city.catalogue) == []


def naive(results: pl.DataFrame, catalogue: Catalogue) -> pl.DataFrame:
    """Primary suppression only: small counts hidden, values with them; nothing derived."""
    counts = {i.key: i.kind == "count" for i in catalogue}
    is_count = pl.col("indicator").replace_strict(counts, return_dtype=pl.Boolean)
    flag = pl.Enum(["", ".", "-", "x", "/"])

    def flagged(column: str) -> pl.Expr:
        small = (pl.col(column) > 0) & (pl.col(column) < 3)
        absent = is_count if column == "denominator" else pl.lit(False)
        return (
            pl.when(absent)
            .then(pl.lit("x", flag))
            .when(pl.col(column).is_null() | small)
            .then(pl.lit(".", flag))
            .when(pl.col(column) == 0)
            .then(pl.lit("-", flag))
            .otherwise(pl.lit("", flag))
        )

    frame = results.with_columns(
        numerator_flag=flagged("numerator"), denominator_flag=flagged("denominator")
    )
    hidden = (pl.col("numerator_flag") == ".") | (pl.col("denominator_flag") == ".")
    nothing = pl.lit(None, pl.Float64)
    withheld = ("city_value", "diff_city", "ratio_city", "zscore", "change_1", "change_n")
    return frame.with_columns(
        *(
            pl.when(pl.col(f"{role}_flag") == ".").then(nothing).otherwise(role).alias(role)
            for role in ("numerator", "denominator")
        ),
        pl.when(hidden).then(nothing).otherwise("value").alias("value"),
        pl.when(hidden).then(pl.lit(".", flag)).otherwise(pl.lit("", flag)).alias("flag"),
        *(nothing.alias(c) for c in withheld),
        pl.lit(None, pl.UInt32).alias("rank"),
        pl.lit(None, pl.UInt8).alias("decile"),
        pl.lit(".", flag).alias("change_1_flag"),
        pl.lit(".", flag).alias("change_n_flag"),
    )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cities())
def test_hiding_only_the_small_counts_is_exposed_whenever_a_margin_gives_them_away(
    city: City,
) -> None:
    """Where a parent is published and exactly one of its children is a small hidden count,
    that count is recovered: the attacker must see it."""
    results = results_of(city)
    public = naive(results, city.catalogue)
    report = attacked(city, public, results)
    lonely = _lonely_small_children(public, city.areas)
    # An exposure names the count's first hidden row: `pop` comes first in the catalogue, and
    # the engine keeps that order.
    recovered = {
        (e.area, e.period)
        for e in report.exposures
        if e.recovered and e.indicator == "pop" and e.breakdown_key == ""
    }
    assert lonely <= recovered, report.summary()


def _lonely_small_children(public: pl.DataFrame, areas: pl.DataFrame) -> set[tuple[str, int]]:
    """Totals of `pop` hidden as the only hidden child of a published parent."""
    parents = dict(areas.select("code", "parent").iter_rows())
    totals = public.filter(pl.col("indicator") == "pop", pl.col("breakdown_key") == "")
    hidden = totals.filter(pl.col("numerator_flag") == ".").select("area", "period").rows()
    shown = set(totals.filter(pl.col("numerator_flag") != ".").select("area", "period").rows())
    siblings: dict[tuple[str | None, int], list[str]] = {}
    for area, period in hidden:
        siblings.setdefault((parents[area], period), []).append(area)
    return {
        (children[0], period)
        for (parent, period), children in siblings.items()
        if len(children) == 1 and (parent, period) in shown
    }
