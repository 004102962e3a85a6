"""The publication against the independent attacker: the five leaks of the old layer are gone.

A small city (2 Stadtbezirke × 2 Sozialräume × 3 Bezirke) with inhabitants by age group and
gender and cases of child and youth welfare, full of small counts, goes through the real
engine and `publish`; the attacker in `attacker` sees only the public view.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from quartier.analysis.catalogue import load_catalogue
from quartier.analysis.disclosure import internal_view, publish
from quartier.analysis.indicators import compute_indicators

from .attacker import attack, check_derived

INDICATORS = [
    "einwohnerzahl",
    "anteil_80plus",
    "anteil_65plus",
    "bevoelkerungsentwicklung",
    "hilfen_zur_erziehung",
]
YEARS = list(range(2018, 2025))
AGES = ("0-17", "18-64", "65-79", "80+")


def _areas() -> pl.DataFrame:
    rows = [("S", "stadt", 0, None)]
    for b in (1, 2):
        rows.append((f"{b}", "stadtbezirk", 1, "S"))
        for s in (1, 2):
            rows.append((f"{b}{s}", "sozialraum", 2, f"{b}"))
            rows += [(f"{b}{s}{q}", "statistischer_bezirk", 3, f"{b}{s}") for q in (1, 2, 3)]
    return pl.DataFrame(
        rows, schema=["code", "level", "rank", "parent"], orient="row"
    ).with_columns(name=pl.col("code"))


def _observations(seed: int) -> pl.DataFrame:
    """Leaf counts: many 0, 1 and 2 among old people and welfare cases, some larger ones."""
    rng = np.random.default_rng(seed)
    leaves = _areas().filter(pl.col("rank") == 3)["code"].to_list()
    typical = {"0-17": 8, "18-64": 20, "65-79": 3, "80+": 1}
    # One Bezirk is almost empty (a new housing area): its own total is a small count.
    scale = {area: 0.04 if area == "113" else 1.0 for area in leaves}
    rows = []
    for year in YEARS:
        for area in leaves:
            for age in AGES:
                for gender in ("w", "m"):
                    count = float(rng.poisson(typical[age] * scale[area]))
                    key = f"age_group={age};gender={gender}"
                    rows.append((area, year, "einwohner", key, count))
            rows.append((area, year, "hze", "", float(rng.choice([0, 1, 1, 2, 4, 9]))))
            rows.append((area, year, "einwohner_u21", "", float(rng.integers(20, 80))))
    frame = pl.DataFrame(
        rows, schema=["area", "period", "variable", "breakdown_key", "value"], orient="row"
    )
    return frame.with_columns(flag=pl.lit(""))


def _results(seed: int) -> pl.DataFrame:
    results = compute_indicators(
        _observations(seed), _areas(), load_catalogue(), indicators=INDICATORS
    )
    assert results.problems == ()
    return results.values


@pytest.fixture(scope="module")
def results() -> pl.DataFrame:
    return _results(7)


@pytest.fixture(scope="module")
def public(results: pl.DataFrame) -> pl.DataFrame:
    return publish(results, areas=_areas(), catalogue=load_catalogue(), breakdowns=True)


def test_no_sensitive_count_is_exposed_with_breakdowns(
    results: pl.DataFrame, public: pl.DataFrame
) -> None:
    report = attack(public, catalogue=load_catalogue(), areas=_areas(), truth=results)
    assert report.unsound == (), report.summary()
    assert report.problems == (), report.summary()
    assert report.sensitive > 50  # the city is full of small counts
    assert report.exposed == 0, report.summary()


def test_breakdowns_on_the_levels_named_only_and_none_exposed(results: pl.DataFrame) -> None:
    levels = ["stadt", "stadtbezirk"]
    public = publish(results, areas=_areas(), catalogue=load_catalogue(), breakdowns=levels)
    cells = public.filter(pl.col("breakdown_key") != "")
    assert set(cells["level"].to_list()) == set(levels)
    assert (
        public.filter(pl.col("breakdown_key") == "").height
        == results.filter(pl.col("breakdown_key") == "").height
    )
    report = attack(public, catalogue=load_catalogue(), areas=_areas(), truth=results)
    assert report.unsound == (), report.summary()
    assert report.sensitive > 10, report.summary()
    assert report.exposed == 0, report.summary()


@pytest.mark.parametrize("seed", [1, 2])
def test_no_sensitive_count_is_exposed_in_the_totals(seed: int) -> None:
    results = _results(seed)
    public = publish(results, areas=_areas(), catalogue=load_catalogue())
    assert set(public["breakdown_key"].unique().to_list()) == {""}
    report = attack(public, catalogue=load_catalogue(), areas=_areas(), truth=results)
    assert report.unsound == (), report.summary()
    assert report.problems == (), report.summary()
    assert report.sensitive > 0
    assert report.exposed == 0, report.summary()


def test_leak_1_two_hidden_ones_under_a_published_total_are_not_pinned(
    results: pl.DataFrame, public: pl.DataFrame
) -> None:
    """Where a Sozialraum's hidden Bezirke hold 1 and 1, they are not forced to be 1 and 1."""
    cases = results.filter(pl.col("indicator") == "hilfen_zur_erziehung")
    ones = cases.filter(pl.col("numerator") == 1, pl.col("level") == "statistischer_bezirk")
    assert ones.height > 0
    shown = public.join(
        ones.select("indicator", "area", "period"), on=["indicator", "area", "period"]
    )
    assert (shown["numerator_flag"] == ".").all()
    report = attack(public, catalogue=load_catalogue(), areas=_areas(), truth=results)
    assert [e for e in report.exposures if e.indicator == "hilfen_zur_erziehung"] == []


def test_leak_2_a_rate_on_a_small_denominator_is_withheld_as_unreliable(
    results: pl.DataFrame, public: pl.DataFrame
) -> None:
    """The rate is "/", not ".", and its counts follow their own rule: a zero numerator is a
    published zero, which reveals no secret."""
    small = public.filter(
        pl.col("indicator") == "anteil_80plus", pl.col("denominator") < 50, pl.col("flag") != "."
    )
    assert small.height > 0
    assert (small["flag"] == "/").all()
    assert small["value"].null_count() == small.height
    zero = small.filter(pl.col("numerator_flag") == "-")
    assert zero.height > 0
    assert (zero["numerator"] == 0).all()


def test_leak_3_ranks_deciles_and_zscores_are_among_published_values_only(
    public: pl.DataFrame,
) -> None:
    assert check_derived(public, catalogue=load_catalogue()) == []
    hidden = public.filter(pl.col("flag").is_in([".", "/"]))
    assert hidden.height > 0
    assert hidden.select("rank", "decile", "zscore").null_count().row(0) == (hidden.height,) * 3


def test_leak_4_one_count_has_one_decision_under_every_name(public: pl.DataFrame) -> None:
    """Inhabitants: the count of einwohnerzahl, the denominator of the shares, the numerator of
    the population change and its denominator five years later are flagged alike."""
    totals = public.filter(pl.col("breakdown_key") == "")

    def flags(indicator: str, role: str, shift: int = 0) -> dict[tuple[str, int], str]:
        part = totals.filter(pl.col("indicator") == indicator)
        return {
            (area, period + shift): str(flag)
            for area, period, flag in part.select("area", "period", f"{role}_flag").iter_rows()
            if (period + shift) in YEARS
        }

    count = flags("einwohnerzahl", "numerator")
    assert "." in count.values()
    for indicator, role, shift in (
        ("anteil_80plus", "denominator", 0),
        ("anteil_65plus", "denominator", 0),
        ("bevoelkerungsentwicklung", "numerator", 0),
        ("bevoelkerungsentwicklung", "denominator", -5),
    ):
        other = flags(indicator, role, shift)
        assert other, indicator
        assert all(count[key] == flag for key, flag in other.items()), indicator
    # The 80+ of the share are the einwohnerzahl cell of the age group 80+.
    oldest = public.filter(
        pl.col("indicator") == "einwohnerzahl", pl.col("breakdown_key") == "age_group=80+"
    )
    share = totals.filter(pl.col("indicator") == "anteil_80plus")
    joined = oldest.join(share, on=["area", "period"], suffix="_share")
    assert (joined["numerator_flag"] == joined["numerator_flag_share"]).all()


def test_leak_5_the_pattern_does_not_depend_on_what_is_asked_for(
    results: pl.DataFrame, public: pl.DataFrame
) -> None:
    """The publication is decided over everything at once; a part of it is a filter of it, and
    deciding again gives the same pattern."""
    totals = publish(results, areas=_areas(), catalogue=load_catalogue())
    again = publish(results, areas=_areas(), catalogue=load_catalogue())
    assert again.equals(totals)
    one = public.filter(pl.col("indicator") == "hilfen_zur_erziehung")
    assert one.height == results.filter(pl.col("indicator") == "hilfen_zur_erziehung").height


def test_the_public_comparisons_follow_the_engine_where_everything_is_published(
    results: pl.DataFrame, public: pl.DataFrame
) -> None:
    """Ranks, deciles and z-scores recomputed among published values equal the engine's where
    no value of a group is withheld (one rule, two places)."""
    group = ["indicator", "level", "period", "breakdown_key"]
    complete = public.filter(pl.col("flag").is_in(["", "-"]).all().over(group))
    assert complete.height > 0
    engine = results.join(complete.select(*group, "area"), on=[*group, "area"])
    mine = complete.sort(*group, "area")
    engine = engine.sort(*group, "area")
    assert mine["rank"].cast(pl.Int64).to_list() == engine["rank"].cast(pl.Int64).to_list()
    assert mine["decile"].cast(pl.Int64).to_list() == engine["decile"].cast(pl.Int64).to_list()
    np.testing.assert_allclose(
        mine["zscore"].fill_null(np.nan).to_numpy(),
        engine["zscore"].fill_null(np.nan).to_numpy(),
        rtol=1e-9,
    )


def test_the_internal_view_shows_every_value() -> None:
    results = _results(3)
    internal = internal_view(results)
    assert internal["value"].null_count() == results["value"].null_count()
    counts = internal.filter(pl.col("indicator") == "einwohnerzahl")
    assert (counts["denominator_flag"] == "x").all()


def test_the_attacker_finds_a_protection_narrower_than_the_width() -> None:
    """The check can fail: protected by a width of 1 only, counts are exposed."""
    results = _results(1)
    public = publish(results, areas=_areas(), catalogue=load_catalogue(), protection_width=1)
    report = attack(public, catalogue=load_catalogue(), areas=_areas(), truth=results)
    assert report.exposed > 0
    assert all(e.high - e.low < 3 for e in report.exposures)


def test_one_count_with_two_values_is_refused(results: pl.DataFrame) -> None:
    # The population of a Bezirk is einwohnerzahl's numerator and anteil_80plus's denominator.
    broken = results.with_columns(
        pl.when(
            (pl.col("indicator") == "anteil_80plus")
            & (pl.col("area") == "111")
            & (pl.col("period") == 2020)
            & (pl.col("breakdown_key") == "")
        )
        .then(pl.col("denominator") + 1)
        .otherwise(pl.col("denominator"))
        .alias("denominator")
    )
    with pytest.raises(ValueError, match="of 111 in 2020 is both"):
        publish(broken, areas=_areas(), catalogue=load_catalogue())
