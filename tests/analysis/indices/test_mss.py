"""The Berlin MSS method: the official classes of 2013, 2015 and 2017, and pinned small cases."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from quartier.analysis.indices import BerlinMssParams, berlin_mss_params
from quartier.analysis.indices._mss import (
    RESULT_COLUMNS,
    MssError,
    MssResult,
    berlin_mss,
    mss_class,
)
from quartier.analysis.indices._numbers import numeric_columns
from quartier.analysis.tables import read_table

YEARS = (2013, 2015, 2017)
STATUS = [
    "s1_percentage_unemployed",
    "s2_percentage_long_term_unemployed",
    "s3_percentage_transfer_payments_recipients",
    "s4_percentage_transfer_payments_recipients_below_15_years",
]
DYNAMICS = ["d" + name[1:] for name in STATUS]
# Planungsräume with at least 300 inhabitants that the MSS excluded by hand as outliers: they
# appear in table 2-1 with zeros and are missing from table 1.
HAND_EXCLUDED = {
    2013: ["10010203"],  # Gewerbegebiet Bitterfelder Straße
    2015: ["10010203"],
    2017: ["04020314", "10010203"],  # Messegelände; Gewerbegebiet Bitterfelder Straße
}
DYNAMICS_CLASSES = {"+": 1, "+/-": 2, "-": 3}
PARAMS = berlin_mss_params()


def berlin_indicators(shared_data: Path, year: int) -> pl.DataFrame:
    raw = read_table(shared_data / f"berlin-mss/mss_{year}_table_2-1.csv")
    return numeric_columns(raw, id_column="id", numbers=["inhabitants", *STATUS, *DYNAMICS])


def official_classes(shared_data: Path, year: int) -> dict[str, tuple[int, int, str, str]]:
    """Id -> status class, dynamics class, combined code, combined label of table 1."""
    frame = read_table(shared_data / f"berlin-mss/mss_{year}_table_1.csv").frame
    rows = frame.select(
        "id", "status_index", "dynamik_index", "status_dynamik_index", "status_dynamik_index_klasse"
    ).rows()
    return {
        area: (int(float(status)), DYNAMICS_CLASSES[dynamics], combined, label)
        for area, status, dynamics, combined, label in rows
    }


def berlin(shared_data: Path, year: int) -> MssResult:
    return berlin_mss(
        berlin_indicators(shared_data, year),
        id_column="id",
        population="inhabitants",
        status=STATUS,
        dynamics=DYNAMICS,
        exclude=HAND_EXCLUDED[year],
        params=PARAMS,
    )


@pytest.mark.shared_data
@pytest.mark.parametrize("year", YEARS)
def test_official_berlin_classes_are_reproduced(shared_data: Path, year: int) -> None:
    official = official_classes(shared_data, year)
    result = berlin(shared_data, year)
    included = result.frame.filter("included")
    assert set(included["id"]) == set(official)
    computed = {
        area: (status, dynamics, combined, label)
        for area, status, dynamics, combined, label in included.select(
            "id", "status_class", "dynamics_class", "combined", "combined_label"
        ).rows()
    }
    wrong = {
        area: (computed[area], official[area])
        for area in official
        if computed[area] != official[area]
    }
    assert wrong == {}
    assert result.left_out == ()
    assert result.warnings == ()


@pytest.mark.shared_data
@pytest.mark.parametrize("year", YEARS)
def test_the_hand_excluded_areas_are_the_large_ones_missing_from_table_1(
    shared_data: Path, year: int
) -> None:
    large = berlin_indicators(shared_data, year).filter(pl.col("inhabitants") >= 300)
    missing = sorted(set(large["id"]) - set(official_classes(shared_data, year)))
    assert missing == HAND_EXCLUDED[year]
    excluded = berlin(shared_data, year).frame.filter(pl.col("reason") == "excluded by hand")
    assert excluded["id"].to_list() == HAND_EXCLUDED[year]


@pytest.mark.shared_data
def test_berlin_2013_figures(shared_data: Path) -> None:
    frame = berlin(shared_data, 2013).frame
    assert frame.height == 447
    assert frame["id"][0] == "01011101"
    first = frame.row(0, named=True)
    assert first["status_index"] == pytest.approx(-0.49038348711755614)
    assert first["dynamics_index"] == pytest.approx(0.10576771583234663)
    counts = frame["status_class"].drop_nulls().value_counts().sort("status_class").rows()
    assert counts == [(1, 80), (2, 264), (3, 52), (4, 38)]
    small = frame.filter(pl.col("reason") == "fewer than 300 inhabitants")
    assert small.height == 12
    assert small.select(pl.exclude("id", "included", "reason").is_null().all()).row(0) == (
        (True,) * (len(RESULT_COLUMNS) - 3)
    )


def table(**columns: list[float | None]) -> pl.DataFrame:
    height = len(next(iter(columns.values())))
    ids = [f"{i:02d}" for i in range(1, height + 1)]
    return pl.DataFrame({"id": ids, **columns}, schema_overrides=dict.fromkeys(columns, pl.Float64))


def index(frame: pl.DataFrame, **options: Any) -> MssResult:
    status = [c for c in frame.columns if c.startswith("s")]
    dynamics = [c for c in frame.columns if c.startswith("d")]
    arguments: dict[str, Any] = {
        "id_column": "id",
        "population": "ew",
        "status": status,
        "dynamics": dynamics,
        "params": PARAMS,
        **options,
    }
    return berlin_mss(frame, **arguments)


SMALL = table(
    ew=[1000, 500, 800, 200, 600],
    s1=[2, 4, 6, 100, 8],
    s2=[10, 10, 30, 0, 30],
    d1=[-1, 0, 0, 5, 1],
)


def test_a_small_table_computed_by_hand() -> None:
    # Participants 01, 02, 03, 05 (04 has 200 inhabitants). s1: mean 5, sd sqrt(5);
    # s2: mean 20, sd 10. Status sums -3/sqrt(5) - 1, ... with sd sqrt(2 + 4/sqrt(5)).
    result = index(SMALL)
    frame = result.frame
    assert frame.columns == list(RESULT_COLUMNS)
    root5 = math.sqrt(5)
    sums = [-3 / root5 - 1, -1 / root5 - 1, 1 / root5 + 1, 3 / root5 + 1]
    spread = math.sqrt(2 + 4 / root5)
    included = frame.filter("included")
    assert included["status_sum"].to_list() == pytest.approx(sums)
    assert included["status_index"].to_list() == pytest.approx([s / spread for s in sums])
    assert included["status_index"].to_list() == pytest.approx(
        [-1.2030, -0.7435, 0.7435, 1.2030], abs=1e-4
    )
    assert included["status_class"].to_list() == [1, 2, 2, 3]
    assert included["status_label"].to_list() == ["hoch", "mittel", "mittel", "niedrig"]
    # d1: mean 0, sd sqrt(0.5).
    assert included["dynamics_index"].to_list() == pytest.approx(
        [-math.sqrt(2), 0, 0, math.sqrt(2)]
    )
    assert included["dynamics_class"].to_list() == [1, 2, 2, 3]
    assert included["dynamics_label"].to_list() == ["positiv", "stabil", "stabil", "negativ"]
    assert included["combined"].to_list() == ["1+", "2+/-", "2+/-", "3-"]
    assert included["combined_label"][0] == "Status hoch, Dynamik positiv"
    assert frame.row(3, named=True) == {
        "id": "04",
        "included": False,
        "reason": "fewer than 300 inhabitants",
        **dict.fromkeys(RESULT_COLUMNS[3:]),
    }
    assert result.participants == 4
    assert (result.left_out, result.warnings) == ((), ())


def test_boundaries_of_the_classes() -> None:
    # Mean 0 and population sd 2, so the z-values are exactly 1.5, -1.5, 1, -1, 0.5, -0.5, 0.
    values: list[float | None] = [3, -3, 2, -2, 1, -1, 0]
    result = index(table(ew=[300] * 7, s1=values, d1=values))
    frame = result.frame
    assert frame["status_index"].to_list() == [1.5, -1.5, 1.0, -1.0, 0.5, -0.5, 0.0]
    assert frame["status_class"].to_list() == [3, 1, 2, 2, 2, 2, 2]
    assert frame["dynamics_class"].to_list() == [3, 1, 2, 2, 2, 2, 2]
    assert frame["combined"].to_list() == ["3-", "1+", "2+/-", "2+/-", "2+/-", "2+/-", "2+/-"]


def test_boundaries_of_mss_class() -> None:
    values = pl.Series([-1.0000001, -1.0, 1.0, 1.0000001, 1.5, 1.5000001, None])
    status = pl.select(mss_class(pl.lit(values), [-1.0, 1.0, 1.5])).to_series()
    dynamics = pl.select(mss_class(pl.lit(values), [-1.0, 1.0])).to_series()
    assert status.to_list() == [1, 2, 2, 3, 3, 4, None]
    assert dynamics.to_list() == [1, 2, 2, 3, 3, 3, None]


def test_the_standard_deviation_is_that_of_the_population() -> None:
    # ddof = 0: sd sqrt(2/3), z = -1.2247, 0, 1.2247 (with ddof = 1 it would be -1, 0, 1).
    result = index(table(ew=[400] * 3, s1=[0, 1, 2], d1=[2, 1, 0]))
    assert result.frame["status_index"].to_list() == pytest.approx([-1.2247449, 0, 1.2247449])
    assert result.frame["status_class"].to_list() == [1, 2, 3]
    assert result.frame["combined"].to_list() == ["1-", "2+/-", "3+"]


def test_the_minimum_population_is_inclusive() -> None:
    frame = index(table(ew=[299.9, 300, 300, 300], s1=[9, 1, 2, 3], d1=[9, 1, 2, 3])).frame
    assert frame["included"].to_list() == [False, True, True, True]
    lower = dataclasses.replace(PARAMS, min_population=0)
    frame = index(table(ew=[0, 1, 1, 1], s1=[9, 1, 2, 3], d1=[9, 1, 2, 3]), params=lower).frame
    assert frame["included"].all()


def test_areas_excluded_by_hand() -> None:
    large = SMALL.with_columns(ew=pl.lit(1000.0))
    result = index(large, exclude=["05", " 01", "99"])
    assert result.frame["reason"].to_list() == ["excluded by hand", "", "", "", "excluded by hand"]
    assert result.warnings == ("ids to exclude that are not in the table: 99",)
    # An excluded area does not count in the means and standard deviations.
    excluded = index(large, exclude=["05"]).frame.filter("included").drop("reason")
    expected = index(large.filter(pl.col("id") != "05")).frame.drop("reason")
    assert excluded.equals(expected)
    assert not excluded.equals(index(large).frame.head(4).drop("reason"))


def test_too_few_areas() -> None:
    with pytest.raises(
        MssError,
        match=r"^only 2 of 5 areas take part in the index, at least 3 are needed "
        r"\(excluded by hand: 2; fewer than 300 inhabitants: 1\)",
    ):
        index(SMALL, exclude=["01", "05"])
    with pytest.raises(MssError, match=r"^only 0 of 0 areas"):
        index(SMALL.clear())


def test_an_indicator_without_spread() -> None:
    with pytest.raises(MssError, match=r"^'s2' has the same value in all participating areas"):
        index(table(ew=[400] * 3, s1=[1, 2, 3], s2=[0.1, 0.1, 0.1], d1=[1, 2, 3]))
    # z(s1) + z(s2) is 0 in every area.
    with pytest.raises(MssError, match=r"^'the status sum' has the same value"):
        index(table(ew=[400] * 3, s1=[1, 2, 3], s2=[3, 2, 1], d1=[1, 2, 3]))


def test_missing_values_leave_an_area_out_with_a_warning() -> None:
    frame = table(
        ew=[1000, None, 800, 100, 600, 700, 500, 400],
        s1=[2, 4, None, None, 8, 1, 3, 5],
        s2=[10, 10, 30, 0, float("nan"), 5, 7, 9],
        d1=[-1, 0, 0, 5, 1, float("inf"), 2, 3],
    )
    result = index(frame)
    assert result.frame["reason"].to_list() == [
        "",
        "population missing",
        "no value in s1",
        "fewer than 300 inhabitants",
        "no value in s2",
        "no value in d1",
        "",
        "",
    ]
    assert result.left_out == ("02", "03", "05", "06")
    assert result.warnings == (
        "4 areas are not included because data are missing: 02 (population missing), "
        "03 (no value in s1), 05 (no value in s2), 06 (no value in d1)",
    )
    complete = index(frame.filter(pl.col("id").is_in(["01", "07", "08"]))).frame
    assert result.frame.filter("included").drop("reason").equals(complete.drop("reason"))
    both = frame.with_columns(s2=pl.when(pl.col("id") != "03").then(pl.col("s2")))
    assert index(both).frame["reason"][2] == "no value in s1, s2"


def test_a_long_list_of_left_out_areas_is_cut() -> None:
    ew: list[float | None] = [None] * 12 + [400, 400, 400]
    values: list[float | None] = list(range(15))
    result = index(table(ew=ew, s1=values, d1=values))
    assert len(result.left_out) == 12
    assert result.warnings[0].startswith("12 areas are not included because data are missing: ")
    assert result.warnings[0].endswith("10 (population missing) and 2 more")


def test_ids_stay_text() -> None:
    frame = SMALL.with_columns(id=pl.Series(["0101", "0102 ", "0103", "0104", "0105"]))
    assert index(frame).frame["id"].to_list() == ["0101", "0102", "0103", "0104", "0105"]
    numbered = SMALL.with_columns(id=pl.Series([11, 12, 13, 14, 15]))
    assert index(numbered).frame["id"].to_list() == ["11", "12", "13", "14", "15"]


@pytest.mark.parametrize(
    ("frame", "options", "message"),
    [
        (SMALL, {"population": "EW"}, r"^no column 'EW'; the columns are 'id', 'ew', "),
        (SMALL, {"status": ["s1", "s1"]}, r"^column 's1' is named twice"),
        (SMALL, {"dynamics": []}, r"^at least one status and one dynamics indicator"),
        (SMALL, {"status": ["s1", "id"]}, r"^column 'id' holds the ids"),
        (SMALL.with_columns(s2=pl.lit("x")), {}, r"^column 's2' holds String, not numbers"),
        (SMALL.with_columns(id=pl.lit("01")), {}, r"^column 'id': the id '01' appears 5 times"),
        (SMALL.with_columns(id=pl.Series(["a", "", "b", None, "c"])), {}, r"2 areas have no id"),
    ],
)
def test_bad_input(frame: pl.DataFrame, options: dict[str, object], message: str) -> None:
    with pytest.raises(MssError, match=message):
        index(frame, **options)


def test_other_cuts_and_labels() -> None:
    params = BerlinMssParams(
        name="zwei",
        description="",
        min_population=0,
        status_cuts=(0.0,),
        status_labels=("gut", "schlecht"),
        dynamics_cuts=(-0.5, 0.0, 0.5),
        dynamics_labels=("a", "b", "c", "d"),
        dynamics_symbols=("++", "+", "-", "--"),
        combined_label="{dynamics} ({status})",
    )
    result = index(SMALL, params=params).frame
    assert result["status_class"].to_list() == [1, 1, 2, 2, 2]
    # d1 has mean 1 and sd sqrt(4.4): z = -0.95, -0.48, -0.48, 1.91, 0.
    assert result["dynamics_class"].to_list() == [1, 2, 2, 4, 2]
    assert result["combined"].to_list() == ["1++", "1+", "2+", "2--", "2+"]
    assert result["combined_label"].to_list() == [
        "a (gut)",
        "b (gut)",
        "b (schlecht)",
        "d (schlecht)",
        "b (schlecht)",
    ]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=3, max_value=30).flatmap(
        lambda n: st.tuples(
            st.lists(st.integers(0, 2000), min_size=n, max_size=n),
            st.lists(
                st.lists(st.floats(0, 100, allow_nan=False), min_size=n, max_size=n),
                min_size=2,
                max_size=5,
            ),
        )
    )
)
def test_the_indices_have_mean_0_and_sd_1_over_participants(
    data: tuple[list[int], list[list[float]]],
) -> None:
    population, columns = data
    frame = pl.DataFrame(
        {"id": [str(i) for i in range(len(population))], "ew": population}
        | {f"s{i}": values for i, values in enumerate(columns[:-1])}
        | {"d0": columns[-1]}
    )
    try:
        result = index(frame)
    except MssError:
        assume(False)
        raise
    included = result.frame.filter("included")
    assert included.height == sum(p >= 300 for p in population)
    for column in ("status_index", "dynamics_index"):
        assert included[column].mean() == pytest.approx(0, abs=1e-9)
        assert included[column].std(ddof=0) == pytest.approx(1)
    assert result.frame.filter(~pl.col("included"))["status_index"].null_count() == (
        len(population) - included.height
    )
