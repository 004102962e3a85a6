"""The indicator engine on small hand-made hierarchies: numbers pinned by hand.

The city S has the Bezirke A and B; A has the quarters A1 and A2, B has B1.
"""

from __future__ import annotations

import math

import polars as pl
import pytest

from quartier.analysis.catalogue import Catalogue, Domain, Indicator, Term, load_catalogue
from quartier.analysis.indicators import (
    OUTPUT_SCHEMA,
    AreaError,
    IndicatorResults,
    ObservationError,
    compute_indicators,
)
from quartier.analysis.indicators import _cubes as cubes

AREAS = pl.DataFrame(
    {
        "code": ["S", "A", "B", "A1", "A2", "B1"],
        "level": ["stadt", "bezirk", "bezirk", "quartier", "quartier", "quartier"],
        "rank": [0, 1, 1, 2, 2, 2],
        "parent": [None, "S", "S", "A", "A", "B"],
    }
)
CATALOGUE = load_catalogue()


def observations(
    *rows: tuple[str, int, str, float | None, str] | tuple[str, int, str, float | None, str, str],
) -> pl.DataFrame:
    """Rows (area, period, variable, value, flag[, breakdown_key])."""
    return pl.DataFrame(
        [(r[0], r[1], r[2], r[5] if len(r) > 5 else "", r[3], r[4]) for r in rows],  # type: ignore[misc]
        schema={
            "area": pl.Utf8,
            "period": pl.Int64,
            "variable": pl.Utf8,
            "breakdown_key": pl.Utf8,
            "value": pl.Float64,
            "flag": pl.Utf8,
        },
        orient="row",
    )


def sgb2(values: dict[str, tuple[float | None, str]], *, year: int = 2024) -> pl.DataFrame:
    """SGB II recipients per quarter with 100, 100 and 50 inhabitants under 65."""
    population = {"A1": 100.0, "A2": 100.0, "B1": 50.0}
    rows = [(a, year, "sgb2", v, f) for a, (v, f) in values.items()]
    rows += [(a, year, "einwohner_u65", v, "") for a, v in population.items()]
    return observations(*rows)


def computed(frame: pl.DataFrame, keys: list[str], **options: object) -> pl.DataFrame:
    return compute_indicators(frame, AREAS, CATALOGUE, indicators=keys, **options).values  # type: ignore[arg-type]


def row(values: pl.DataFrame, area: str, **match: object) -> dict[str, object]:
    selected = values.filter(pl.col("area") == area, pl.col("breakdown_key") == "")
    for column, wanted in match.items():
        selected = selected.filter(pl.col(column) == wanted)
    assert selected.height == 1, selected
    return selected.row(0, named=True)


BASIC = sgb2({"A1": (10.0, ""), "A2": (30.0, ""), "B1": (1.0, "")})


# --- sums up the hierarchy, rates from sums -------------------------------------------------------


def test_counts_are_summed_up_and_rates_come_from_the_sums() -> None:
    values = computed(BASIC, ["sgb2_quote"])
    assert row(values, "A")["numerator"] == 40.0
    assert row(values, "A")["denominator"] == 200.0
    assert row(values, "A")["value"] == pytest.approx(20.0)
    city = row(values, "S")
    assert (city["numerator"], city["denominator"]) == (41.0, 250.0)
    # 41 / 250, not the mean of the quarters' rates (14 %) nor of the Bezirke's (11 %).
    assert city["value"] == pytest.approx(16.4)


def test_every_area_of_every_level_gets_a_row() -> None:
    values = computed(BASIC, ["sgb2_quote"])
    assert values.columns == list(OUTPUT_SCHEMA)
    assert values.schema == pl.Schema(OUTPUT_SCHEMA)
    assert values.select("area", "level").rows() == [
        ("S", "stadt"),
        ("A", "bezirk"),
        ("B", "bezirk"),
        ("A1", "quartier"),
        ("A2", "quartier"),
        ("B1", "quartier"),
    ]
    assert values["missing_reason"].null_count() == 6


def test_the_city_is_the_reference() -> None:
    values = computed(BASIC, ["sgb2_quote"])
    a1 = row(values, "A1")
    assert a1["city_value"] == pytest.approx(16.4)
    assert a1["diff_city"] == pytest.approx(10.0 - 16.4)
    assert a1["ratio_city"] == pytest.approx(10.0 / 16.4)
    assert row(values, "S")["diff_city"] == 0.0


# --- flags and missing inputs ---------------------------------------------------------------------


def test_nothing_counts_as_zero() -> None:
    values = computed(sgb2({"A1": (10.0, ""), "A2": (None, "-"), "B1": (1.0, "")}), ["sgb2_quote"])
    assert row(values, "A2")["value"] == 0.0
    assert row(values, "A")["value"] == pytest.approx(5.0)
    assert row(values, "S")["numerator"] == 11.0


def test_a_secret_input_makes_every_sum_above_it_null() -> None:
    values = computed(sgb2({"A1": (None, "."), "A2": (30.0, ""), "B1": (1.0, "")}), ["sgb2_quote"])
    for area in ("A1", "A", "S"):
        assert row(values, area)["value"] is None
        assert row(values, area)["numerator"] is None
        assert row(values, area)["missing_reason"] == "secret input sgb2 in A1"
    assert row(values, "A")["denominator"] == 200.0
    assert row(values, "B")["value"] == pytest.approx(2.0)
    assert row(values, "A2")["value"] == pytest.approx(30.0)
    assert row(values, "A2")["city_value"] is None


def test_a_secret_value_is_not_used_even_if_given() -> None:
    values = computed(sgb2({"A1": (7.0, "."), "A2": (30.0, ""), "B1": (1.0, "")}), ["sgb2_quote"])
    assert row(values, "A")["value"] is None


def test_not_applicable_and_empty_inputs_are_named() -> None:
    values = computed(sgb2({"A1": (10.0, ""), "A2": (None, "x"), "B1": (None, "")}), ["sgb2_quote"])
    assert row(values, "A2")["missing_reason"] == "input sgb2 not applicable in A2"
    assert row(values, "B1")["missing_reason"] == "missing input sgb2 in B1"
    # The city reports the first reason: a value not applicable before a missing one.
    assert row(values, "S")["missing_reason"] == "input sgb2 not applicable in A2"


def test_a_missing_child_makes_its_parent_null() -> None:
    frame = sgb2({"A1": (10.0, ""), "B1": (1.0, "")})
    values = computed(frame, ["sgb2_quote"])
    assert row(values, "A2")["missing_reason"] == "missing input sgb2 in A2"
    assert row(values, "A")["value"] is None
    assert row(values, "A")["missing_reason"] == "missing input sgb2 in A2"
    assert row(values, "S")["value"] is None
    assert row(values, "B")["value"] == pytest.approx(2.0)


def test_a_zero_denominator_gives_null() -> None:
    frame = BASIC.with_columns(
        pl.when((pl.col("area") == "B1") & (pl.col("variable") == "einwohner_u65"))
        .then(0.0)
        .otherwise(pl.col("value"))
        .alias("value")
    )
    frame = frame.with_columns(
        pl.when(pl.col("area") == "B1").then(None).otherwise(pl.col("value")).alias("value"),
        pl.when(pl.col("area") == "B1").then(pl.lit("-")).otherwise(pl.col("flag")).alias("flag"),
    )
    values = computed(frame, ["sgb2_quote"])
    assert row(values, "B1")["value"] is None
    assert row(values, "B1")["missing_reason"] == "denominator is 0"
    assert row(values, "S")["value"] == pytest.approx(20.0)


# --- comparison within level and period -----------------------------------------------------------


def test_ranks_deciles_and_zscores_within_level_and_period() -> None:
    values = computed(BASIC, ["sgb2_quote"]).filter(pl.col("level") == "quartier")
    by_area = {r["area"]: r for r in values.to_dicts()}
    # Higher is worse: the highest SGB II rate is rank 1.
    assert [by_area[a]["rank"] for a in ("A1", "A2", "B1")] == [2, 1, 3]
    assert [by_area[a]["decile"] for a in ("A1", "A2", "B1")] == [4, 1, 7]
    spread = math.sqrt(((10 - 14) ** 2 + (30 - 14) ** 2 + (2 - 14) ** 2) / 3)
    assert by_area["A1"]["zscore"] == pytest.approx((10 - 14) / spread)
    assert by_area["A2"]["zscore"] == pytest.approx((30 - 14) / spread)
    assert sum(r["zscore"] for r in by_area.values()) == pytest.approx(0.0)
    bezirke = computed(BASIC, ["sgb2_quote"]).filter(pl.col("level") == "bezirk")
    assert bezirke["rank"].to_list() == [1, 2]
    assert bezirke["zscore"].to_list() == pytest.approx([1.0, -1.0])


@pytest.mark.parametrize(
    ("polarity", "ranks"),
    [("higher_is_worse", [2, 1, 3]), ("higher_is_better", [2, 3, 1]), ("neutral", [2, 1, 3])],
)
def test_rank_one_is_the_most_disadvantaged(polarity: str, ranks: list[int]) -> None:
    indicator = Indicator(
        "quote", "Quote", "Rate", "d", "%", (Term("sgb2"),), polarity,  # type: ignore[arg-type]
        "-", denominator=(Term("einwohner_u65"),), scale=100,
    )  # fmt: skip
    own = Catalogue((Domain("d", "D", "D"),), (indicator,))
    values = compute_indicators(BASIC, AREAS, own).values.filter(pl.col("level") == "quartier")
    assert values["rank"].to_list() == ranks


def test_equal_values_share_the_smallest_rank() -> None:
    values = computed(sgb2({"A1": (10.0, ""), "A2": (10.0, ""), "B1": (4.0, "")}), ["sgb2_quote"])
    quarters = values.filter(pl.col("level") == "quartier")
    assert quarters["rank"].to_list() == [1, 1, 3]


def test_a_null_value_has_no_rank_and_does_not_count() -> None:
    values = computed(sgb2({"A1": (None, "."), "A2": (30.0, ""), "B1": (1.0, "")}), ["sgb2_quote"])
    quarters = values.filter(pl.col("level") == "quartier")
    assert quarters["rank"].to_list() == [None, 1, 2]
    assert quarters["decile"].to_list() == [None, 1, 6]
    assert quarters["zscore"].to_list() == pytest.approx([None, 1.0, -1.0], nan_ok=True)


def test_equal_values_have_no_zscore() -> None:
    values = computed(sgb2({"A1": (10.0, ""), "A2": (10.0, ""), "B1": (5.0, "")}), ["sgb2_quote"])
    quarters = values.filter(pl.col("level") == "quartier")
    assert quarters["zscore"].to_list() == [None, None, None]
    assert quarters["rank"].to_list() == [1, 1, 1]
    assert quarters["decile"].to_list() == [1, 1, 1]
    city = values.filter(pl.col("level") == "stadt")
    assert city["zscore"].to_list() == [None]


# --- changes --------------------------------------------------------------------------------------


def years_of_sgb2(rates: dict[int, float]) -> pl.DataFrame:
    """The same SGB II count in A1, A2 and B1 per year (of 100, 100 and 50 inhabitants)."""
    return pl.concat(
        [
            sgb2(dict.fromkeys(("A1", "A2", "B1"), (count, "")), year=year)
            for year, count in rates.items()
        ]
    )


def test_changes_are_differences_in_percentage_points() -> None:
    frame = years_of_sgb2({2020: 10.0, 2021: 12.0, 2022: 15.0})
    values = computed(frame, ["sgb2_quote"], change_years=2)
    a1 = {r["period"]: r for r in values.filter(pl.col("area") == "A1").to_dicts()}
    assert a1[2020]["change_1"] is None
    assert a1[2021]["change_1"] == pytest.approx(2.0)
    assert a1[2022]["change_1"] == pytest.approx(3.0)
    assert a1[2021]["change_n"] is None
    assert a1[2022]["change_n"] == pytest.approx(5.0)


def test_changes_of_counts_are_in_percent() -> None:
    frame = observations(
        *[
            (a, y, "einwohner", v, "")
            for y, v in ((2023, 200.0), (2024, 210.0))
            for a in ("A1", "A2", "B1")
        ]
    )
    values = computed(frame, ["einwohnerzahl"])
    city = values.filter(pl.col("area") == "S", pl.col("period") == 2024).row(0, named=True)
    assert city["value"] == 630.0
    assert city["denominator"] is None
    assert city["change_1"] == pytest.approx(5.0)


def test_change_indicator_compares_with_years_earlier() -> None:
    rows = [(a, 2019, "einwohner", 100.0, "") for a in ("A1", "A2", "B1")]
    rows += [(a, 2024, "einwohner", v, "") for a, v in (("A1", 110.0), ("A2", 90.0), ("B1", 130.0))]
    values = computed(observations(*rows), ["bevoelkerungsentwicklung"])
    latest = values.filter(pl.col("period") == 2024)
    by_area = {r["area"]: r for r in latest.to_dicts()}
    assert by_area["A1"]["value"] == pytest.approx(10.0)
    assert by_area["A"]["value"] == pytest.approx(0.0)
    assert by_area["S"]["value"] == pytest.approx(10.0)
    assert (by_area["S"]["numerator"], by_area["S"]["denominator"]) == (330.0, 300.0)
    early = values.filter(pl.col("period") == 2019, pl.col("area") == "S").row(0, named=True)
    assert early["value"] is None
    assert early["missing_reason"] == "no data for einwohner in 2014"


def test_selected_years_match_the_full_computation() -> None:
    frame = years_of_sgb2({2018: 9.0, 2019: 10.0, 2020: 12.0, 2021: 15.0, 2022: 11.0})
    full = computed(frame, ["sgb2_quote"], change_years=2)
    some = computed(frame, ["sgb2_quote"], change_years=2, years=[2021])
    assert some.equals(full.filter(pl.col("period") == 2021))
    assert some["change_n"].drop_nulls().len() == 6


# --- levels and data availability -----------------------------------------------------------------


def test_the_lowest_level_with_data_is_summed_and_coarser_data_ignored() -> None:
    frame = observations(
        ("A", 2024, "sgb2", 40.0, ""),
        ("B", 2024, "sgb2", 1.0, ""),
        ("A", 2024, "einwohner_u65", 200.0, ""),
        ("B", 2024, "einwohner_u65", 50.0, ""),
        # A city total that disagrees with the Bezirke is not used.
        ("S", 2024, "sgb2", 999.0, ""),
    )
    values = computed(frame, ["sgb2_quote"])
    assert values["level"].to_list() == ["stadt", "bezirk", "bezirk"]
    assert row(values, "S")["numerator"] == 41.0


def test_an_indicator_without_its_variable_is_a_problem() -> None:
    results = compute_indicators(
        BASIC, AREAS, CATALOGUE, indicators=["sgb2_quote", "leerstandsquote"]
    )
    assert set(results.values["indicator"]) == {"sgb2_quote"}
    assert [str(p) for p in results.problems] == [
        "leerstandsquote: variable 'leerstand' has no observations"
    ]


def test_years_without_data_for_a_variable_are_left_out() -> None:
    frame = pl.concat(
        [BASIC, observations(("A1", 2023, "sgb2", 5.0, ""), ("A2", 2023, "sgb2", 5.0, ""))]
    )
    results = compute_indicators(frame, AREAS, CATALOGUE, indicators=["sgb2_quote"])
    assert set(results.values["period"]) == {2024}
    assert [str(p) for p in results.problems] == ["sgb2_quote: no data for einwohner_u65 in 2023"]


def test_unknown_areas_are_reported_and_ignored() -> None:
    frame = pl.concat([BASIC, observations(("Z9", 2024, "sgb2", 5.0, ""))])
    results = compute_indicators(frame, AREAS, CATALOGUE, indicators=["sgb2_quote"])
    assert row(results.values, "S")["numerator"] == 41.0
    assert [str(p) for p in results.problems] == [
        "1 area codes are not in the areas (e.g. 'Z9'); ignored"
    ]


def test_an_unknown_indicator_key_raises() -> None:
    with pytest.raises(KeyError, match="no indicator 'nope'"):
        compute_indicators(BASIC, AREAS, CATALOGUE, indicators=["nope"])


def test_no_observations_give_an_empty_frame() -> None:
    results = compute_indicators(BASIC.clear(), AREAS, CATALOGUE)
    assert results.values.height == 0
    assert results.values.schema == pl.Schema(OUTPUT_SCHEMA)
    assert isinstance(results, IndicatorResults)
    assert len(results.problems) == len(CATALOGUE)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (pl.col("code").replace("A1", "A2"), "the code 'A2' is listed twice"),
        (pl.col("parent").replace("A", "Q"), "'A1' has the unknown parent 'Q'"),
        (pl.col("parent").replace("A", "S"), "the parent 'S' of 'A1' is not one rank above it"),
        (pl.col("rank").replace(0, 1), "exactly one area of rank 0 is needed, not 0"),
    ],
)
def test_areas_that_are_no_hierarchy_are_refused(change: pl.Expr, message: str) -> None:
    column = change.meta.root_names()[0]
    with pytest.raises(AreaError, match=message):
        compute_indicators(BASIC, AREAS.with_columns(change.alias(column)), CATALOGUE)


def test_a_repeated_cell_is_refused() -> None:
    frame = pl.concat([BASIC, observations(("A1", 2024, "sgb2", 5.0, ""))])
    with pytest.raises(
        ObservationError, match="area 'A1', period 2024, variable 'sgb2' occurs twice"
    ):
        compute_indicators(frame, AREAS, CATALOGUE, indicators=["sgb2_quote"])


def test_a_repeated_breakdown_cell_is_named_with_its_key() -> None:
    cell = (pl.col("area") == "A2") & (pl.col("breakdown_key") == "age_group=65-79;gender=w")
    frame = pl.concat([population(), population().filter(cell)])
    with pytest.raises(ObservationError, match="area 'A2', period 2024, variable 'einwohner', "
                       "breakdown 'age_group=65-79;gender=w' occurs twice"):  # fmt: skip
        computed(frame, ["anteil_unter_18"])


def test_an_unknown_flag_is_refused() -> None:
    frame = BASIC.with_columns(pl.lit("?").alias("flag"))
    with pytest.raises(ObservationError, match="unknown flag '\\?'"):
        compute_indicators(frame, AREAS, CATALOGUE, indicators=["sgb2_quote"])


# --- breakdown values -----------------------------------------------------------------------------


def population() -> pl.DataFrame:
    """Inhabitants by age group × gender in the quarters, and their totals."""
    cells = {
        "A1": {("0-5", "m"): 10, ("0-5", "w"): 20, ("65-79", "m"): 30, ("65-79", "w"): 40},
        "A2": {("0-5", "m"): 5, ("0-5", "w"): 5, ("65-79", "m"): 45, ("65-79", "w"): 45},
        "B1": {("0-5", "m"): 0, ("0-5", "w"): 10, ("65-79", "m"): 20, ("65-79", "w"): 20},
    }
    rows: list[tuple[str, int, str, float | None, str, str]] = []
    for counts in cells.values():
        # Nobody aged 6 to 17: "-" (nothing) cells.
        counts.update({(age, g): 0 for age in ("6-14", "15-17") for g in ("m", "w")})
    for area, counts in cells.items():
        for (age, gender), count in counts.items():
            flag = "-" if count == 0 else ""
            value = None if count == 0 else float(count)
            rows.append((area, 2024, "einwohner", value, flag, f"age_group={age};gender={gender}"))
        rows.append((area, 2024, "einwohner", float(sum(counts.values())), "", ""))
    return observations(*rows)


def test_a_restricted_term_sums_the_matching_breakdown_cells() -> None:
    values = computed(population(), ["anteil_unter_18"], breakdowns=False)
    assert row(values, "A1")["numerator"] == 30.0
    assert row(values, "A1")["denominator"] == 100.0
    assert row(values, "S")["value"] == pytest.approx(100 * 50 / 250)


def test_breakdown_values_per_cell_of_the_free_dimensions() -> None:
    values = computed(population(), ["anteil_unter_18"])
    assert values["breakdown_key"].unique(maintain_order=True).to_list() == [
        "",
        "gender=m",
        "gender=w",
    ]
    women = values.filter(pl.col("breakdown_key") == "gender=w")
    by_area = {r["area"]: r for r in women.to_dicts()}
    assert (by_area["A1"]["numerator"], by_area["A1"]["denominator"]) == (20.0, 60.0)
    assert by_area["S"]["value"] == pytest.approx(100 * 35 / 140)
    assert by_area["A1"]["city_value"] == pytest.approx(100 * 35 / 140)
    assert by_area["A1"]["rank"] == 1
    assert by_area["B1"]["value"] == pytest.approx(100 * 10 / 30)


def test_counts_get_every_combination_of_dimensions() -> None:
    values = computed(population(), ["einwohnerzahl"])
    city = values.filter(pl.col("area") == "S")
    assert dict(zip(city["breakdown_key"], city["value"], strict=True)) == {
        "": 250.0,
        "age_group=0-5": 50.0,
        "age_group=65-79": 200.0,
        "age_group=6-14": 0.0,
        "age_group=15-17": 0.0,
        "gender=m": 110.0,
        "gender=w": 140.0,
        "age_group=0-5;gender=m": 15.0,
        "age_group=0-5;gender=w": 35.0,
        "age_group=65-79;gender=m": 95.0,
        "age_group=65-79;gender=w": 105.0,
        "age_group=6-14;gender=m": 0.0,
        "age_group=6-14;gender=w": 0.0,
        "age_group=15-17;gender=m": 0.0,
        "age_group=15-17;gender=w": 0.0,
    }


def test_a_secret_breakdown_cell_is_named_with_its_key() -> None:
    frame = population().with_columns(
        pl.when((pl.col("area") == "A2") & (pl.col("breakdown_key") == "age_group=0-5;gender=w"))
        .then(pl.lit("."))
        .otherwise(pl.col("flag"))
        .alias("flag")
    )
    values = computed(frame, ["anteil_unter_18"])
    total = row(values, "A")
    assert total["value"] is None
    assert total["missing_reason"] == "secret input einwohner (age_group=0-5;gender=w) in A2"
    men = values.filter(pl.col("area") == "A", pl.col("breakdown_key") == "gender=m")
    assert men["value"].to_list() == pytest.approx([100 * 15 / 90])


def test_totals_can_come_from_the_breakdown_alone() -> None:
    frame = population().filter(pl.col("breakdown_key") != "")
    values = computed(frame, ["einwohnerzahl"], breakdowns=False)
    assert row(values, "S")["value"] == 250.0


def test_an_unknown_breakdown_value_is_a_problem() -> None:
    frame = population().with_columns(pl.col("breakdown_key").str.replace("0-5", "0-4"))
    results = compute_indicators(frame, AREAS, CATALOGUE, indicators=["anteil_unter_18"])
    assert results.values.height == 0
    assert [str(p) for p in results.problems] == [
        "anteil_unter_18: age_group '0-5' never occurs for the variable 'einwohner'"
    ]


def test_a_term_needs_its_breakdown_dimension() -> None:
    frame = population().filter(pl.col("breakdown_key") == "")
    results = compute_indicators(frame, AREAS, CATALOGUE, indicators=["anteil_nichtdeutsch"])
    assert [str(p) for p in results.problems] == [
        "anteil_nichtdeutsch: variable 'einwohner' is not broken down by nationality"
    ]


def test_years_without_observations_are_a_problem() -> None:
    results = compute_indicators(BASIC, AREAS, CATALOGUE, indicators=["sgb2_quote"], years=[2030])
    assert results.values.height == 0
    assert str(results.problems[0]) == "no observations in 2030"


def test_an_indicator_asked_twice_is_computed_once() -> None:
    values = computed(BASIC, ["sgb2_quote", "sgb2_quote"])
    assert values.height == 6


@pytest.mark.parametrize("chunk", [None, 3])
def test_categorical_text_columns_give_the_same_values(
    chunk: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Selectors hand over codes, variables, keys and flags as categoricals, to save memory.

    Their categories are looked up as the chunks of rows meet them (in chunks of 3 rows,
    each chunk meets new ones)."""
    if chunk is not None:
        monkeypatch.setattr(cubes, "_CHUNK", chunk)
    frame = pl.concat([population(), BASIC, sgb2({"A1": (2.0, "."), "A2": (0, "-")}, year=2023)])
    texts = ["area", "variable", "breakdown_key", "flag"]
    keys = ["anteil_unter_18", "sgb2_quote"]
    expected = computed(frame, keys)
    categorical = computed(frame.with_columns(pl.col(texts).cast(pl.Categorical)), keys)
    assert expected.height > 20
    assert categorical.equals(expected)


def test_a_repeated_cell_far_apart_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows are placed in chunks side by side: a cell repeated across chunks is found."""
    monkeypatch.setattr(cubes, "_CHUNK", 1 << 14)
    leaves = [f"Q{i:04d}" for i in range(1_000)]
    areas = pl.DataFrame(
        {
            "code": ["S", *leaves],
            "level": ["stadt"] + ["quartier"] * len(leaves),
            "rank": [0] + [1] * len(leaves),
            "parent": [None] + ["S"] * len(leaves),
        }
    )
    years = list(range(1900, 2000))
    frame = pl.DataFrame(
        {
            "area": [a for a in leaves for _ in years] * 2,
            "period": years * len(leaves) * 2,
            "variable": ["sgb2"] * (len(leaves) * len(years)) + ["einwohner_u65"] * (
                len(leaves) * len(years)),
            "breakdown_key": [""] * (2 * len(leaves) * len(years)),
            "value": [5.0] * (2 * len(leaves) * len(years)),
            "flag": [""] * (2 * len(leaves) * len(years)),
        }
    )  # fmt: skip
    assert compute_indicators(frame, areas, CATALOGUE, indicators=["sgb2_quote"]).values.height
    repeated = pl.concat([frame, frame.head(1)])
    with pytest.raises(ObservationError, match=r"area 'Q0000', period 1900, .* occurs twice"):
        compute_indicators(repeated, areas, CATALOGUE, indicators=["sgb2_quote"])
