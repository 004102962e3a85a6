"""The "below city average" method of selecting Aktionsräume (as Dortmund does it).

For each area and domain, the domain is below the city average when at least `domain_share` of
the domain's index indicators are worse than the city value (polarity-aware; indicators without a
value for the area do not count either way). An area is below average overall when at least
`min_domains` domains are. A Sozialraum below average is an Aktionsraum; a statistischer Bezirk
below average inside a Sozialraum that is not an Aktionsraum is an Aktionsquartier, so that
pockets of disadvantage in better-off Sozialräume are not overlooked.

Examples
--------
>>> values = pl.DataFrame({
...     "indicator": ["sgb2", "alo", "gym", "sgb2", "alo", "gym"],
...     "area": ["A", "A", "A", "B", "B", "B"],
...     "value": [20.0, 9.0, 30.0, 10.0, 5.0, 50.0],
...     "city_value": [15.0, 7.0, 40.0, 15.0, 7.0, 40.0],
... })
>>> indicators = [IndexIndicator("sgb2", "transfer", True), IndexIndicator("alo", "transfer", True),
...               IndexIndicator("gym", "bildung", False)]
>>> result = classify_areas(values, indicators, domain_share=0.5, min_domains=2)
>>> result.select("area", "domains_below", "below_average").rows()
[('A', ['bildung', 'transfer'], True), ('B', [], False)]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class IndexIndicator:
    """An indicator that enters the index: its domain and direction."""

    key: str
    domain: str
    higher_is_worse: bool


@dataclass(frozen=True)
class Selection:
    """The result for one year.

    `areas`: code, domains_below (sorted list), computed (bool), aktionsraum (bool, after
    overrides), override (justification or null). `aktionsquartiere`: code, sozialraum,
    domains_below.
    """

    areas: pl.DataFrame
    aktionsquartiere: pl.DataFrame

    @property
    def aktionsraeume(self) -> set[str]:
        """The codes of the areas selected as Aktionsräume."""
        return set(self.areas.filter(pl.col("aktionsraum"))["code"].to_list())


def _indicator_frame(indicators: Sequence[IndexIndicator]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "indicator": [i.key for i in indicators],
            "domain": [i.domain for i in indicators],
            "higher_is_worse": [i.higher_is_worse for i in indicators],
        },
        schema={"indicator": pl.Utf8, "domain": pl.Utf8, "higher_is_worse": pl.Boolean},
    )


def domain_status(
    values: pl.DataFrame, indicators: Sequence[IndexIndicator], *, domain_share: float
) -> pl.DataFrame:
    """Per area and domain: index indicators with a value, how many are worse, and `below`.

    `values` has columns indicator, area, value, city_value (one period, one level).
    """
    worse = (
        pl.when(pl.col("higher_is_worse"))
        .then(pl.col("value") > pl.col("city_value"))
        .otherwise(pl.col("value") < pl.col("city_value"))
    )
    joined = values.join(_indicator_frame(indicators), on="indicator", how="inner").filter(
        pl.col("value").is_not_null() & pl.col("city_value").is_not_null()
    )
    return (
        joined.with_columns(worse.alias("worse"))
        .group_by("area", "domain")
        .agg(pl.len().alias("available"), pl.col("worse").sum().alias("worse"))
        .with_columns((pl.col("worse") >= domain_share * pl.col("available")).alias("below"))
        .sort("area", "domain")
    )


def classify_areas(
    values: pl.DataFrame,
    indicators: Sequence[IndexIndicator],
    *,
    domain_share: float,
    min_domains: int,
) -> pl.DataFrame:
    """Per area: the sorted list of domains below the city average and `below_average`."""
    status = domain_status(values, indicators, domain_share=domain_share)
    areas = values.select("area").unique()
    below = (
        status.filter(pl.col("below"))
        .group_by("area")
        .agg(pl.col("domain").sort().alias("domains_below"))
    )
    return (
        areas.join(below, on="area", how="left")
        .with_columns(pl.col("domains_below").fill_null(pl.lit([], dtype=pl.List(pl.Utf8))))
        .with_columns((pl.col("domains_below").list.len() >= min_domains).alias("below_average"))
        .sort("area")
    )


def select_aktionsraeume(
    sozialraeume: pl.DataFrame,
    statistische_bezirke: pl.DataFrame,
    *,
    parents: Mapping[str, str],
    indicators: Sequence[IndexIndicator],
    domain_share: float,
    min_domains: int,
    overrides: Mapping[str, tuple[bool, str]] | None = None,
) -> Selection:
    """Aktionsräume among Sozialräume and Aktionsquartiere among statistische Bezirke.

    `sozialraeume` and `statistische_bezirke` hold the indicator values (indicator, area, value,
    city_value) of one year for the two levels; `parents` maps a Bezirk to its Sozialraum;
    `overrides` maps a Sozialraum to a manual (aktionsraum, justification) decision.

    Examples
    --------
    The Musterstadt sample in 2024, compared with its top area, the Stadtbezirk Hafen, by the
    three index indicators of one domain it has data for: Lindenheide (1102) is an
    Aktionsraum, and two statistische Bezirke of the other Sozialräume are Aktionsquartiere
    (Hammerhof, 110103, stayed behind when its Sozialraum Oberholz caught up).

    >>> from quartier.analysis.catalogue import load_catalogue
    >>> from quartier.analysis.indicators import compute_indicators
    >>> from quartier.analysis.musterstadt import load_example
    >>> example = load_example()
    >>> keys = ["sgb2_quote", "sgb2_quote_kinder", "grundsicherung_alter"]
    >>> values = compute_indicators(
    ...     example.observations, example.areas, load_catalogue(),
    ...     years=[2024], indicators=keys, breakdowns=False,
    ... ).values
    >>> selection = select_aktionsraeume(
    ...     values.filter(pl.col("level") == "sozialraum"),
    ...     values.filter(pl.col("level") == "statistischer_bezirk"),
    ...     parents=dict(example.areas.drop_nulls("parent").select("code", "parent").rows()),
    ...     indicators=[IndexIndicator(key, "erwerb_transfer", True) for key in keys],
    ...     domain_share=0.5,
    ...     min_domains=1,
    ... )
    >>> selection.aktionsraeume
    {'1102'}
    >>> selection.aktionsquartiere.select("code", "sozialraum").rows()
    [('110103', '1101'), ('110301', '1103')]
    """

    def classify(values: pl.DataFrame) -> pl.DataFrame:
        result = classify_areas(
            values, indicators, domain_share=domain_share, min_domains=min_domains
        )
        return result.rename({"area": "code"})

    areas = classify(sozialraeume)
    decided = overrides or {}
    areas = areas.with_columns(
        pl.col("below_average").alias("computed"),
        pl.col("code").replace_strict(
            {code: reason for code, (_, reason) in decided.items()}, default=None,
            return_dtype=pl.Utf8,
        ).alias("override"),
    ).with_columns(
        pl.col("code").replace_strict(
            {code: flag for code, (flag, _) in decided.items()}, default=pl.col("computed"),
            return_dtype=pl.Boolean,
        ).alias("aktionsraum"),
    ).select("code", "domains_below", "computed", "aktionsraum", "override")  # fmt: skip
    chosen = set(areas.filter(pl.col("aktionsraum"))["code"].to_list())
    bezirke = classify(statistische_bezirke).with_columns(
        pl.col("code").replace_strict(dict(parents), default=None, return_dtype=pl.Utf8)
        .alias("sozialraum")
    )  # fmt: skip
    below = bezirke.filter(pl.col("below_average") & ~pl.col("sozialraum").is_in(list(chosen)))
    found = below.select("code", "sozialraum", "domains_below")
    return Selection(areas=areas, aktionsquartiere=found)


def selection_changes(now: set[str], before: set[str]) -> dict[str, list[str]]:
    """Areas that entered, left and stayed between two report years (sorted codes)."""
    return {
        "entered": sorted(now - before),
        "left": sorted(before - now),
        "stayed": sorted(now & before),
    }
