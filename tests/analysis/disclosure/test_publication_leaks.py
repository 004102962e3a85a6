"""The independent attacker: each leak of issue 10 on a tiny public view, with exact intervals,
and the old disclosure layer (stored as a fixture) shown to leak.

The views are written by hand: a count is given as a number (published), "." (secret), "-"
(zero) or "x" (not applicable). The attacker must find exactly what the knowledge allows.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from pathlib import Path

import polars as pl
import pytest

from quartier.analysis.catalogue import Catalogue, Domain, Indicator, Term, load_catalogue

from .attacker import Report, attack, check_derived

FIXTURES = Path(__file__).parent / "fixtures"
FLAG = pl.Enum(["", ".", "-", "x", "/"])
FIGURES = (
    "city_value",
    "diff_city",
    "ratio_city",
    "rank",
    "decile",
    "zscore",
    "change_1",
    "change_n",
)
Cell = float | str | None

AGE = ("age_group", ("jung", "mittel", "alt"))
POP = Indicator(
    "pop", "Einwohner", "Inhabitants", "d", "Anzahl", (Term("pop"),), "neutral", "-", kind="count"
)
CASES = Indicator(
    "cases", "Fälle", "Cases", "d", "Anzahl", (Term("cases"),), "neutral", "-", kind="count"
)
QUOTE = Indicator(
    "quote", "Quote", "Rate", "d", "%", (Term("cases"),), "higher_is_worse", "-",
    denominator=(Term("pop"),), scale=100,
)  # fmt: skip
OLDER = Indicator(
    "older", "Ältere", "Older", "d", "Anzahl", (Term("pop", (("age_group", ("mittel", "alt")),)),),
    "neutral", "-", kind="count",
)  # fmt: skip
GROWTH = Indicator(
    "growth", "Entwicklung", "Growth", "d", "%", (Term("pop"),), "neutral", "-",
    scale=100, kind="change", years=5,
)  # fmt: skip
OLDEST = Indicator(
    "oldest", "Älteste", "Oldest", "d", "Anzahl", (Term("pop", (("age_group", ("alt",)),)),),
    "neutral", "-", kind="count",
)  # fmt: skip
CATALOGUE = Catalogue((Domain("d", "D", "D"),), (POP, CASES, QUOTE, OLDER, OLDEST, GROWTH))


def areas(children: Sequence[str]) -> pl.DataFrame:
    """A city "S" with the given districts."""
    return pl.DataFrame(
        {
            "code": ["S", *children],
            "parent": [None, *(["S"] * len(children))],
            "level": ["stadt", *(["bezirk"] * len(children))],
        }
    )


def cell(value: Cell) -> tuple[float | None, str]:
    """A published number and its flag from the shorthand."""
    if value is None or value in (".", "x", "/"):
        return None, "" if value is None else str(value)
    if value == "-":
        return 0.0, "-"
    return float(value), ""


def row(
    indicator: str,
    area: str,
    numerator: Cell,
    denominator: Cell = "x",
    value: Cell = None,
    *,
    period: int = 2024,
    key: str = "",
    **figures: float,
) -> dict[str, object]:
    """One row of a public view; `value` defaults to hidden when a count is, else to the count
    or the rate in % (numerator / denominator × 100)."""
    num, num_flag = cell(numerator)
    den, den_flag = cell(denominator)
    if value is None and "." in (num_flag, den_flag):
        value = "."
    elif value is None:
        value = numerator if den is None else 100 * (num or 0.0) / den
    shown, flag = cell(value)
    level = "stadt" if area == "S" else "bezirk"
    out: dict[str, object] = {
        "indicator": indicator, "area": area, "level": level, "period": period,
        "breakdown_key": key, "numerator": num, "denominator": den, "value": shown,
        "flag": flag, "numerator_flag": num_flag, "denominator_flag": den_flag,
        "change_1_flag": "", "change_n_flag": "",
    }  # fmt: skip
    out |= dict.fromkeys(FIGURES) | figures
    return out


def view(rows: Sequence[dict[str, object]]) -> pl.DataFrame:
    schema: dict[str, pl.DataType] = {
        "indicator": pl.Utf8(), "area": pl.Utf8(), "level": pl.Utf8(), "period": pl.Int64(),
        "breakdown_key": pl.Utf8(), "numerator": pl.Float64(), "denominator": pl.Float64(),
        "value": pl.Float64(),
    }  # fmt: skip
    schema |= {name: pl.Float64() for name in FIGURES}
    schema |= {"rank": pl.UInt32(), "decile": pl.UInt8()}
    for name in ("flag", "numerator_flag", "denominator_flag", "change_1_flag", "change_n_flag"):
        schema[name] = FLAG
    return pl.DataFrame(rows, schema=schema)


def truth(
    rows: Sequence[tuple[str, str, float, float | None]],
    *,
    period: int = 2024,
    keys: Sequence[str] | None = None,
) -> pl.DataFrame:
    """True (indicator, area, numerator, denominator) rows."""
    return pl.DataFrame(
        {
            "indicator": [r[0] for r in rows],
            "area": [r[1] for r in rows],
            "period": [period] * len(rows),
            "breakdown_key": list(keys) if keys is not None else [""] * len(rows),
            "numerator": [r[2] for r in rows],
            "denominator": [r[3] for r in rows],
        },
        schema_overrides={"numerator": pl.Float64, "denominator": pl.Float64},
    )


def published(
    frame: pl.DataFrame, indicator: str, area: str, role: str, number: float
) -> pl.DataFrame:
    """The view with one more count published."""
    here = (pl.col("indicator") == indicator) & (pl.col("area") == area)
    return frame.with_columns(
        pl.when(here).then(pl.lit(number, pl.Float64)).otherwise(pl.col(role)).alias(role),
        pl.when(here)
        .then(pl.lit("", FLAG))
        .otherwise(pl.col(f"{role}_flag"))
        .alias(f"{role}_flag"),
    )


def intervals(report: Report) -> dict[tuple[str, str, str], tuple[float, float]]:
    """(indicator, area, breakdown key) → the proven interval of each exposed count."""
    assert report.consistent, report.summary()
    return {(e.indicator, e.area, e.breakdown_key): (e.low, e.high) for e in report.exposures}


def attacked(public: pl.DataFrame, true: pl.DataFrame, codes: Sequence[str]) -> Report:
    return attack(public, catalogue=CATALOGUE, areas=areas(codes), truth=true)


# --- 1. Bounds: "." is at least 1 -----------------------------------------------------------------


def test_two_secret_cells_summing_to_two_are_both_one() -> None:
    public = view(
        [
            row("cases", "S", 12),
            row("cases", "a", "."),
            row("cases", "b", "."),
            row("cases", "c", 10),
        ]
    )
    true = truth(
        [
            ("cases", "S", 12, None),
            ("cases", "a", 1, None),
            ("cases", "b", 1, None),
            ("cases", "c", 10, None),
        ]
    )
    report = attacked(public, true, "abc")
    assert intervals(report) == {("cases", "a", ""): (1, 1), ("cases", "b", ""): (1, 1)}
    assert (report.sensitive, report.exposed, report.recovered) == (2, 2, 2)


@pytest.mark.parametrize(("total", "exposed"), [(4, {("cases", "a", ""): (1, 3)}), (5, {})])
def test_the_interval_must_be_as_wide_as_the_protection_width(
    total: int, exposed: dict[tuple[str, str, str], tuple[float, float]]
) -> None:
    """a + b = total − 10, both at least 1: [1, 3] is too narrow, [1, 4] is wide enough."""
    public = view(
        [
            row("cases", "S", 10 + total),
            row("cases", "a", "."),
            row("cases", "b", "."),
            row("cases", "c", 10),
        ]
    )
    true = truth(
        [
            ("cases", "S", 10 + total, None),
            ("cases", "a", 1, None),
            ("cases", "b", total - 1, None),
            ("cases", "c", 10, None),
        ]
    )
    assert intervals(attacked(public, true, "abc")) == exposed


# --- 2. Rates: value × published denominator ------------------------------------------------------


def test_a_published_rate_gives_its_hidden_numerator_away() -> None:
    public = view(
        [
            row("quote", "S", 22, 440, 5.0),
            row("quote", "a", ".", 40, 5.0),
            row("quote", "b", ".", 400),
        ]
    )
    true = truth([("quote", "S", 22, 440), ("quote", "a", 2, 40), ("quote", "b", 20, 400)])
    assert intervals(attacked(public, true, "ab")) == {("quote", "a", ""): (2, 2)}


def test_a_published_rate_ties_two_hidden_counts() -> None:
    """Numerator and denominator both hidden: 25 % and the denominator's margin pin both."""
    public = view(
        [
            row("quote", "S", 30, 208), row("quote", "a", ".", ".", 25.0),
            row("quote", "b", ".", "."), row("pop", "S", 208), row("pop", "a", "."),
            row("pop", "b", "."),
        ]
    )  # fmt: skip
    true = truth(
        [
            ("quote", "S", 30, 208),
            ("quote", "a", 2, 8),
            ("quote", "b", 28, 200),
            ("pop", "S", 208, None),
            ("pop", "a", 8, None),
            ("pop", "b", 200, None),
        ]
    )
    report = attacked(public, true, "ab")
    # 2 = 8 / 4 is not pinned by the rate alone, and nothing else bounds the districts' sizes.
    assert intervals(report) == {}
    # The population of b published as a denominator: a's is 208 − 200 = 8, its cases 25 % of it.
    closed = published(public, "quote", "b", "denominator", 200)
    assert intervals(attacked(closed, true, "ab")) == {("quote", "a", ""): (2, 2)}


def test_city_value_and_difference_give_the_value() -> None:
    public = view(
        [
            row("quote", "S", 22, 440, 5.0),
            row("quote", "a", ".", 40, ".", diff_city=0.0, city_value=5.0),
            row("quote", "b", ".", 400),
        ]
    )
    true = truth([("quote", "S", 22, 440), ("quote", "a", 2, 40), ("quote", "b", 20, 400)])
    assert intervals(attacked(public, true, "ab")) == {("quote", "a", ""): (2, 2)}


# --- 3. z-scores over all areas -------------------------------------------------------------------


def zscore_view(over_all: bool) -> pl.DataFrame:
    """Four districts 10, 20, 1, 2 (the last two hidden); z-scores of the published two computed
    over all four values, or over the published ones only."""
    values = [10.0, 20.0, 1.0, 2.0] if over_all else [10.0, 20.0]
    mean = sum(values) / len(values)
    spread = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5
    return view(
        [
            row("cases", "S", "."),
            row("cases", "a", 10, zscore=(10 - mean) / spread),
            row("cases", "b", 20, zscore=(20 - mean) / spread),
            row("cases", "c", "."),
            row("cases", "d", "."),
        ]
    )


def test_zscores_over_all_areas_give_the_sum_and_the_squares_of_the_hidden_values() -> None:
    true = truth(
        [
            ("cases", "S", 33, None),
            ("cases", "a", 10, None),
            ("cases", "b", 20, None),
            ("cases", "c", 1, None),
            ("cases", "d", 2, None),
        ]
    )
    # Sum 3 and sum of squares 5 of two counts: {1, 2} in some order.
    assert intervals(attacked(zscore_view(True), true, "abcd")) == {
        ("cases", "c", ""): (1, 2),
        ("cases", "d", ""): (1, 2),
    }
    assert intervals(attacked(zscore_view(False), true, "abcd")) == {}


def test_the_check_of_derived_figures_flags_zscores_over_all_areas() -> None:
    found = check_derived(zscore_view(True), catalogue=CATALOGUE)
    assert {(v.area, v.column) for v in found} == {("a", "zscore"), ("b", "zscore")}
    assert check_derived(zscore_view(False), catalogue=CATALOGUE) == []


def test_the_check_of_derived_figures_flags_ranks_and_deciles_over_all_areas() -> None:
    ranked = zscore_view(False).with_columns(
        rank=pl.when(pl.col("area") == "a").then(4).when(pl.col("area") == "b").then(1),
        decile=pl.when(pl.col("area") == "a").then(6).when(pl.col("area") == "b").then(1),
    )
    found = {(v.area, v.column, v.expected) for v in check_derived(ranked, catalogue=CATALOGUE)}
    # Among the published values only, b (20) is first and a (10) second, in the sixth decile.
    assert found == {("a", "rank", 2.0)}


# --- 4. The same count under another name ---------------------------------------------------------


def test_a_count_hidden_in_one_indicator_is_published_as_another_ones_denominator() -> None:
    public = view(
        [
            row("pop", "S", 402),
            row("pop", "a", "."),
            row("pop", "b", "."),
            row("quote", "S", 20, 402),
            row("quote", "a", ".", 2, "/"),
            row("quote", "b", ".", 400),
        ]
    )
    true = truth(
        [
            ("pop", "S", 402, None),
            ("pop", "a", 2, None),
            ("pop", "b", 400, None),
            ("quote", "S", 20, 402),
            ("quote", "a", 1, 2),
            ("quote", "b", 19, 400),
        ]
    )
    found = intervals(attacked(public, true, "ab"))
    assert found[("pop", "a", "")] == (2, 2)


def test_sums_of_breakdown_cells_give_each_other_away() -> None:
    """Inhabitants aged "mittel" + "alt" (a restricted term) published in `older`, "alt" alone
    in `oldest`, every age cell hidden in `pop`: "mittel" is the difference."""
    keys = ["", "age_group=jung", "age_group=mittel", "age_group=alt"]
    pops = [row("pop", "a", ".", key=k) for k in keys]
    public = view([*pops, row("pop", "S", "."), row("older", "a", 10), row("oldest", "a", 8)])
    true = truth(
        [("pop", "a", n, None) for n in (50, 40, 2, 8)]
        + [("pop", "S", 50, None), ("older", "a", 10, None), ("oldest", "a", 8, None)],
        keys=[*keys, "", "", ""],
    )
    assert intervals(attacked(public, true, "a")) == {("pop", "a", "age_group=mittel"): (2, 2)}


# --- 5. A lagged denominator ----------------------------------------------------------------------


def test_a_count_hidden_five_years_earlier_is_the_denominator_of_a_change() -> None:
    public = view(
        [
            row("pop", "S", 402, period=2019), row("pop", "a", ".", period=2019),
            row("pop", "b", ".", period=2019), row("growth", "a", 5, 2, 150.0),
            row("growth", "b", ".", "."), row("growth", "S", 410, 402, ".", ),
        ]
    )  # fmt: skip
    true = pl.concat(
        [
            truth(
                [("pop", "S", 402, None), ("pop", "a", 2, None), ("pop", "b", 400, None)],
                period=2019,
            ),
            truth([("growth", "a", 5, 2), ("growth", "b", 405, 400), ("growth", "S", 410, 402)]),
        ]
    )
    found = intervals(attacked(public, true, "ab"))
    assert found == {("pop", "a", ""): (2, 2)}


def test_a_relative_change_of_a_count_links_the_years() -> None:
    """The count fell by 50 % to a hidden value: it is half the published one before."""
    public = view(
        [
            row("cases", "a", 4, period=2023),
            row("cases", "a", ".", change_1=-50.0),
            row("cases", "S", 40),
            row("cases", "b", "."),
            row("cases", "S", 44, period=2023),
            row("cases", "b", 40, period=2023),
        ]
    )
    true = pl.concat(
        [
            truth([("cases", "a", 2, None), ("cases", "S", 40, None), ("cases", "b", 38, None)]),
            truth(
                [("cases", "a", 4, None), ("cases", "S", 44, None), ("cases", "b", 40, None)],
                period=2023,
            ),
        ]
    )
    assert intervals(attacked(public, true, "ab")) == {("cases", "a", ""): (2, 2)}


# --- The attacker is independent of the layer it attacks ------------------------------------------


def test_the_attacker_imports_nothing_from_the_disclosure_layer() -> None:
    folder = Path(__file__).parent / "attacker"
    imported = set()
    for path in folder.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    assert imported, "no imports found: wrong folder?"
    assert not {name for name in imported if "disclosure" in name}


# --- The old layer leaks --------------------------------------------------------------------------


def old_public_view() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The public view of the layer at f92f3ea, the true counts and the areas (see the README)."""
    frame = pl.read_parquet(FIXTURES / "old_public_view.parquet")
    ratio = pl.when(pl.col("city_value") != 0).then(pl.col("value") / pl.col("city_value"))
    public = frame.with_columns(
        diff_city=pl.when(pl.col("diff_city_shown")).then(pl.col("value") - pl.col("city_value")),
        ratio_city=pl.when(pl.col("ratio_city_shown")).then(ratio),
    ).drop("diff_city_shown", "ratio_city_shown", "true_numerator", "true_denominator")
    true = frame.select(
        "indicator", "area", "period", "breakdown_key",
        numerator=pl.coalesce("numerator", "true_numerator"),
        denominator=pl.coalesce("denominator", "true_denominator"),
    )  # fmt: skip
    areas = pl.read_csv(
        FIXTURES / "musterstadt_areas.csv", schema_overrides={"code": pl.Utf8, "parent": pl.Utf8}
    )
    return public, true, areas


@pytest.fixture(scope="module")
def old_report() -> Report:
    public, true, areas = old_public_view()
    return attack(public, catalogue=load_catalogue(), areas=areas, truth=true)


def test_the_old_layer_leaks_the_two_bezirke_of_sozialraum_1003(old_report: Report) -> None:
    """hilfen_zur_erziehung 2010: 1003 has 31, its published Bezirke 29, the other two 1 each."""
    for area in ("100304", "100305"):
        (found,) = old_report.at(area, 2010, indicator="hilfen_zur_erziehung")
        assert (found.low, found.high, found.true_value) == (1, 1, 1)


def test_the_old_layer_leaks_many_cells(old_report: Report) -> None:
    """1239 sensitive counts are hidden; the attacker narrows 1021 of them, 555 to the exact
    value (with the knowledge of today's attacker: more knowledge can only find more)."""
    assert old_report.consistent, old_report.summary()
    assert old_report.exposed >= 1000, old_report.summary()
    assert old_report.recovered >= 500, old_report.summary()


def test_the_old_layer_computes_ranks_and_zscores_over_all_areas() -> None:
    public, _, _ = old_public_view()
    found = check_derived(
        public.filter(pl.col("indicator") == "hilfen_zur_erziehung"), catalogue=load_catalogue()
    )
    assert {v.column for v in found} == {"rank", "decile", "zscore"}
