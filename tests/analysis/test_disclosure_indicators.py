"""Disclosure control of indicator results: rates, their counts, changes and comparisons."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from quartier.analysis.disclosure import changes_hidden, disclose_indicators, disclose_rates
from quartier.analysis.disclosure.indicators import _Layout, _Rows

AREAS = pl.DataFrame(
    {
        "code": ["city", "north", "south", "n1", "n2", "s1", "s2"],
        "level": ["stadt", "bezirk", "bezirk", "block", "block", "block", "block"],
        "rank": [0, 1, 1, 2, 2, 2, 2],
        "parent": [None, "city", "city", "north", "north", "south", "south"],
    }
)
CODES = AREAS["code"].to_list()


def results(
    blocks: dict[str, tuple[int, int]], *, indicator: str = "alone", period: int = 2024
) -> pl.DataFrame:
    """Indicator rows for the city, both districts and the four blocks from block counts."""
    counts = dict(blocks)
    for district, (a, b) in {"north": ("n1", "n2"), "south": ("s1", "s2")}.items():
        counts[district] = (counts[a][0] + counts[b][0], counts[a][1] + counts[b][1])
    counts["city"] = (
        counts["north"][0] + counts["south"][0],
        counts["north"][1] + counts["south"][1],
    )
    return pl.DataFrame(
        {
            "indicator": [indicator] * 7,
            "area": CODES,
            "period": [period] * 7,
            "numerator": [float(counts[c][0]) for c in CODES],
            "denominator": [float(counts[c][1]) for c in CODES],
        }
    ).with_columns(value=pl.col("numerator") / pl.col("denominator") * 100)


PLAIN = {"n1": (12, 100), "n2": (15, 120), "s1": (9, 80), "s2": (20, 150)}


def flags(frame: pl.DataFrame, column: str = "flag") -> dict[str, str]:
    return dict(zip(frame["area"].to_list(), frame[column].to_list(), strict=True))


def test_a_table_without_small_counts_is_published() -> None:
    public = disclose_indicators(
        results(PLAIN), areas=AREAS, catalogue_min_denominators={"alone": 20}, view="public"
    )
    assert set(flags(public).values()) == {""}
    assert public["value"].to_list() == results(PLAIN)["value"].to_list()


def test_a_suppressed_numerator_suppresses_the_rate() -> None:
    frame = results(PLAIN | {"n1": (2, 100)})
    public = disclose_indicators(
        frame, areas=AREAS, catalogue_min_denominators={"alone": 20}, view="public"
    )
    # n1 holds 2 people; n2 is the only possible complement within the north district.
    assert flags(public, "numerator_flag") == dict.fromkeys(CODES, "") | {"n1": ".", "n2": "."}
    assert flags(public) == dict.fromkeys(CODES, "") | {"n1": ".", "n2": "."}
    assert public.filter(pl.col("area").is_in(["n1", "n2"]))["value"].to_list() == [None, None]
    assert set(flags(public, "denominator_flag").values()) == {""}


def test_a_small_denominator_suppresses_rate_and_numerator() -> None:
    frame = results(PLAIN | {"s1": (5, 15)})
    public = disclose_indicators(
        frame, areas=AREAS, catalogue_min_denominators={"alone": 20}, view="public"
    )
    assert flags(public) == dict.fromkeys(CODES, "") | {"s1": ".", "s2": "."}
    # Numerator 5 and denominator 15 would give the rate away: the numerator goes, with s2's
    # as its complement; the denominator 15 itself is no small count.
    assert flags(public, "numerator_flag") == dict.fromkeys(CODES, "") | {"s1": ".", "s2": "."}
    assert flags(public, "denominator_flag") == dict.fromkeys(CODES, "")


def test_a_zero_rate_is_nothing() -> None:
    frame = results(PLAIN | {"n1": (0, 100)})
    public = disclose_indicators(
        frame, areas=AREAS, catalogue_min_denominators={"alone": 20}, view="public"
    )
    assert flags(public)["n1"] == "-"
    assert flags(public, "numerator_flag")["n1"] == "-"
    assert public.filter(pl.col("area") == "n1")["value"].item() == 0.0


def _with_changes(frame: pl.DataFrame, years: int) -> pl.DataFrame:
    ordered = frame.sort("indicator", "area", "period")
    value = pl.col("value")
    return ordered.with_columns(
        change_1=(value - value.shift(1)).over("indicator", "area"),
        change_n=(value - value.shift(years)).over("indicator", "area"),
    )


def test_changes_are_suppressed_when_either_year_is() -> None:
    years = [
        results(PLAIN, period=2022),
        results(PLAIN | {"n1": (1, 100)}, period=2023),
        results(PLAIN, period=2024),
        results(PLAIN, period=2025),
    ]
    frame = _with_changes(pl.concat(years), years=2)
    public = disclose_indicators(
        frame,
        areas=AREAS,
        catalogue_min_denominators={"alone": 20},
        view="public",
        change_n_years=2,
    )
    n1 = public.filter(pl.col("area") == "n1").sort("period")
    assert n1["flag"].to_list() == ["", ".", "", ""]
    # 2022 has no year before it; 2023 and 2024 involve the hidden 2023 rate.
    assert n1["change_1_flag"].to_list() == [".", ".", ".", ""]
    assert n1["change_1"][3] == pytest.approx(0.0)
    # Over two years: 2024 - 2022 is published, 2025 - 2023 is not.
    assert n1["change_n_flag"].to_list() == [".", ".", "", "."]
    s1 = public.filter(pl.col("area") == "s1").sort("period")
    assert s1["change_1_flag"].to_list() == [".", "", "", ""]


def test_changes_hidden_marks_the_missing_earlier_year() -> None:
    frame = pl.DataFrame(
        {"area": ["a", "a", "b"], "period": [2023, 2024, 2024], "hidden": [False, False, False]}
    )
    assert changes_hidden(frame, "hidden", keys=["area"]).to_list() == [True, False, True]


def test_indicators_sharing_a_count_share_its_pattern() -> None:
    # Two rates over the same population; the population of s1 is 2.
    population = {"n1": (12, 100), "n2": (15, 120), "s1": (1, 2), "s2": (20, 150)}
    men = {"n1": (30, 100), "n2": (31, 120), "s1": (1, 2), "s2": (60, 150)}
    frame = pl.concat([results(population, indicator="alone"), results(men, indicator="men")])
    public = disclose_indicators(
        frame,
        areas=AREAS,
        catalogue_min_denominators={"alone": 20, "men": 1},
        view="public",
    )
    by_indicator = {
        name: flags(public.filter(pl.col("indicator") == name), "denominator_flag")
        for name in ("alone", "men")
    }
    assert by_indicator["alone"] == by_indicator["men"]
    assert by_indicator["men"] == dict.fromkeys(CODES, "") | {"s1": ".", "s2": "."}


def test_named_variables_link_indicators_with_the_same_numerator() -> None:
    # The same numerator over two denominators: one is small in n1 for the first indicator only.
    first = results(PLAIN | {"n1": (12, 15)}, indicator="per_household")
    second = results(PLAIN, indicator="per_person")
    public = disclose_indicators(
        pl.concat([first, second]),
        areas=AREAS,
        catalogue_min_denominators={"per_household": 20, "per_person": 20},
        view="public",
        variables={"per_household": ("alone", "households"), "per_person": ("alone", "people")},
    )
    second_public = public.filter(pl.col("indicator") == "per_person")
    # Publishing 12 for n1 in the second indicator would undo the first one's suppression.
    assert flags(second_public, "numerator_flag") == dict.fromkeys(CODES, "") | {
        "n1": ".",
        "n2": ".",
    }


def test_comparisons_follow_the_rate_and_the_city() -> None:
    frame = results(PLAIN | {"n1": (2, 100)}).with_columns(
        diff_city=pl.lit(1.0), rank=pl.lit(3.0), city_value=pl.lit(10.0)
    )
    public = disclose_indicators(
        frame, areas=AREAS, catalogue_min_denominators={"alone": 20}, view="public"
    )
    assert public["diff_city"].null_count() == 2
    assert public["rank"].null_count() == 2
    assert public["city_value"].null_count() == 0
    tiny = results({"n1": (1, 100), "n2": (0, 120), "s1": (0, 80), "s2": (1, 150)})
    tiny = tiny.with_columns(city_value=pl.lit(0.4))
    hidden_city = disclose_indicators(
        tiny, areas=AREAS, catalogue_min_denominators={"alone": 20}, view="public"
    )
    assert hidden_city["city_value"].null_count() == 7


def test_rates_by_breakdown_are_protected_within_each_area() -> None:
    keys = ["", "gender=m", "gender=w"]
    rows = {
        "city": (30, 300, 20, 150, 10, 150),
        "north": (30, 300, 20, 150, 10, 150),
        "n1": (14, 140, 12, 70, 2, 70),
        "n2": (16, 160, 8, 80, 8, 80),
    }
    frame = pl.DataFrame(
        [
            ("alone", area, 2024, key, float(counts[2 * i]), float(counts[2 * i + 1]))
            for area, counts in rows.items()
            for i, key in enumerate(keys)
        ],
        schema=["indicator", "area", "period", "breakdown_key", "numerator", "denominator"],
        orient="row",
    ).with_columns(value=pl.col("numerator") / pl.col("denominator"))
    areas = AREAS.filter(pl.col("code").is_in(list(rows)))
    public = disclose_indicators(
        frame, areas=areas, catalogue_min_denominators={"alone": 20}, view="public"
    )
    hidden = public.filter(pl.col("flag") == ".").select("area", "breakdown_key").rows()
    # n1's women (2) need n1's men within n1 and n2's women within the north district, and
    # those two again a fourth cell: n2's men.
    assert sorted(hidden) == [
        ("n1", "gender=m"),
        ("n1", "gender=w"),
        ("n2", "gender=m"),
        ("n2", "gender=w"),
    ]


def test_the_internal_view_is_unchanged() -> None:
    frame = results(PLAIN | {"n1": (1, 100)}).with_columns(
        pl.when(pl.col("area") == "s2").then(None).otherwise(pl.col("value")).alias("value")
    )
    internal = disclose_indicators(
        frame, areas=AREAS, catalogue_min_denominators={"alone": 20}, view="internal"
    )
    assert internal.select(frame.columns).equals(frame)
    assert flags(internal) == dict.fromkeys(CODES, "") | {"s2": "."}


def test_every_rate_needs_a_minimum_denominator() -> None:
    with pytest.raises(ValueError, match="alone"):
        disclose_indicators(
            results(PLAIN), areas=AREAS, catalogue_min_denominators={}, view="public"
        )


def test_a_count_indicator_follows_its_count() -> None:
    counts = results(PLAIN | {"s2": (1, 150)}, indicator="inhabitants").with_columns(
        denominator=pl.lit(None, pl.Float64), value=pl.col("numerator")
    )
    public = disclose_indicators(counts, areas=AREAS, catalogue_min_denominators={}, view="public")
    assert flags(public) == dict.fromkeys(CODES, "") | {"s1": ".", "s2": "."}
    assert flags(public, "denominator_flag") == dict.fromkeys(CODES, "x")


def test_disclose_rates_handles_a_single_rate() -> None:
    frame = results(PLAIN | {"n1": (2, 100)}).drop("indicator")
    public = disclose_rates(frame, areas=AREAS, min_denominator=20, view="public")
    assert "indicator" not in public.columns
    assert flags(public) == dict.fromkeys(CODES, "") | {"n1": ".", "n2": "."}


def _cube_results(seed: int) -> pl.DataFrame:
    """Two rates sharing a denominator, for every area, three years and a gender breakdown
    (with its total): rows in the order of the indicator engine, one cube per indicator."""
    rng = np.random.default_rng(seed)
    leaves = ["n1", "n2", "s1", "s2"]
    parent = dict(zip(CODES, AREAS["parent"].to_list(), strict=True))
    keys = ["", "gender=m", "gender=w"]
    periods = [2022, 2023, 2024]
    shape = (len(leaves), len(periods))
    men = {"pop": rng.integers(20, 60, shape), "a": rng.integers(0, 5, shape),
           "b": rng.integers(0, 12, shape)}  # fmt: skip
    women = {name: rng.integers(0, 3 * value.max(), shape) // 3 for name, value in men.items()}
    women["pop"] = women["pop"] + 20
    by_key = {"gender=m": men, "gender=w": women}
    by_key[""] = {name: men[name] + women[name] for name in men}
    frames = []
    for indicator in ("a", "b"):
        for code in CODES:
            members = [i for i, leaf in enumerate(leaves) if code in (leaf, parent[leaf], "city")]
            for period_index, period in enumerate(periods):
                for key in keys:
                    counts = by_key[key]
                    numerator = float(counts[indicator][members, period_index].sum())
                    denominator = float(counts["pop"][members, period_index].sum())
                    frames.append((indicator, code, period, key, numerator, denominator))
    frame = pl.DataFrame(
        frames,
        schema=["indicator", "area", "period", "breakdown_key", "numerator", "denominator"],
        orient="row",
    )
    value = pl.col("numerator") / pl.col("denominator") * 100
    series = ("indicator", "area", "breakdown_key")
    city = pl.col("value").filter(pl.col("area") == "city").first()
    return frame.with_columns(value=value).with_columns(
        change_1=(pl.col("value") - pl.col("value").shift(1)).over(series),
        change_n=(pl.col("value") - pl.col("value").shift(2)).over(series),
        city_value=city.over("indicator", "period", "breakdown_key"),
    )


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_results_as_cubes_and_in_any_order_give_the_same_public_view(seed: int) -> None:
    # Changes of the first year refer to a year outside the results: they must be hidden.
    frame = _cube_results(seed).with_columns(pl.col("change_1", "change_n").fill_null(1.0))
    options = {
        "areas": AREAS,
        "catalogue_min_denominators": {"a": 25, "b": 25},
        "view": "public",
        "change_n_years": 2,
    }
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=seed)
    # Each indicator's rows by period, then area: still cubes, but not in the engine's order.
    by_period = frame.sort("indicator", "period", maintain_order=True)
    engine_layout = _Layout.of(_Rows.of(frame, AREAS))
    period_layout = _Layout.of(_Rows.of(by_period, AREAS))
    assert engine_layout is not None  # the path for cubes
    assert engine_layout.transposed
    assert period_layout is not None
    assert not period_layout.transposed
    assert _Layout.of(_Rows.of(shuffled, AREAS)) is None  # the general path
    cubes = disclose_indicators(frame, **options)  # type: ignore[arg-type]
    in_any_order = disclose_indicators(shuffled, **options)  # type: ignore[arg-type]
    period_cubes = disclose_indicators(by_period, **options)  # type: ignore[arg-type]
    keys = ["indicator", "area", "period", "breakdown_key"]
    assert_frame_equal(cubes.sort(keys), in_any_order.sort(keys))
    assert_frame_equal(period_cubes.sort(keys), in_any_order.sort(keys))
    secondary = cubes.filter(pl.col("numerator").is_null() & (frame["numerator"] >= 3))
    assert secondary.height > 0  # complements were needed: the comparison has something to show
    first_year = cubes.filter(pl.col("period") == 2022)
    assert first_year["change_1"].null_count() == first_year.height
    assert cubes.filter(pl.col("period") == 2023)["change_n"].null_count() == first_year.height


def test_cubes_with_two_top_areas_hide_the_city_value_as_rows_in_any_order_do() -> None:
    """Two hierarchies side by side (two top areas): the city value of a row is hidden when a
    top area's rate of its indicator, year and key is hidden, on both paths."""
    first = _cube_results(5)
    second = _cube_results(6).with_columns(("x" + pl.col("area")).alias("area"))
    frame = pl.concat(
        [part for indicator in ("a", "b") for part in (
            first.filter(pl.col("indicator") == indicator),
            second.filter(pl.col("indicator") == indicator),
        )]
    )  # fmt: skip
    areas = pl.concat(
        [AREAS, AREAS.with_columns(("x" + pl.col("code")).alias("code"),
                                   ("x" + pl.col("parent")).alias("parent"))]
    )  # fmt: skip
    options = {
        "areas": areas,
        "catalogue_min_denominators": {"a": 25, "b": 25},
        "view": "public",
        "change_n_years": 2,
    }
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=5)
    assert _Layout.of(_Rows.of(frame, areas)) is not None
    cubes = disclose_indicators(frame, **options)  # type: ignore[arg-type]
    in_any_order = disclose_indicators(shuffled, **options)  # type: ignore[arg-type]
    keys = ["indicator", "area", "period", "breakdown_key"]
    assert_frame_equal(cubes.sort(keys), in_any_order.sort(keys))
    tops = cubes.filter(pl.col("area").is_in(["city", "xcity"]))
    hidden_top = tops.filter(pl.col("flag") == ".").select("indicator", "period", "breakdown_key")
    assert hidden_top.height > 0  # some city rate is hidden: the city value must follow it
    hidden_city = cubes.join(hidden_top.unique(), on=["indicator", "period", "breakdown_key"])
    assert hidden_city["city_value"].null_count() == hidden_city.height
