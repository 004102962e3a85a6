"""What fits: the indicators the observed variables allow, with the engine's own reasons."""

from __future__ import annotations

import polars as pl

from quartier.analysis.catalogue import load_catalogue
from quartier.analysis.indicators import catalogue_fit, compute_indicators, unused_variables
from quartier.analysis.musterstadt import load_example


def test_what_fits_is_what_the_engine_computes() -> None:
    example = load_example()
    catalogue = load_catalogue()
    fit = catalogue_fit(catalogue, example.observations)
    computed = set(
        compute_indicators(example.observations, example.areas, catalogue)
        .values.filter(pl.col("value").is_not_null())["indicator"]
        .unique()
        .to_list()
    )
    assert set(fit.filter("computable")["indicator"].to_list()) == computed
    assert {"einwohnerzahl", "anteil_65plus", "sgb2_quote"} <= computed
    assert fit.height == len(list(catalogue))


def test_a_lacking_variable_and_a_lacking_breakdown_value_are_named() -> None:
    observed = pl.DataFrame(
        {
            "variable": ["einwohner", "einwohner", "einwohner"],
            "breakdown_key": ["", "age_group=65-79", "age_group=0-5"],
        }
    )
    fit = {row[0]: row[2:] for row in catalogue_fit(load_catalogue(), observed).rows()}
    assert fit["einwohnerzahl"] == (True, [])
    assert fit["anteil_80plus"] == (
        False,
        ["age_group '80+' never occurs for the variable 'einwohner'"],
    )
    assert fit["sgb2_quote"] == (
        False,
        ["variable 'sgb2' has no observations", "variable 'einwohner_u65' has no observations"],
    )


def test_variables_no_indicator_reads_are_listed() -> None:
    observed = pl.DataFrame(
        {"variable": ["einwohner", "Einwohner in Köln: Einwohner", "Einwohner in Köln: Einwohner"]}
    )
    assert unused_variables(load_catalogue(), observed) == ["Einwohner in Köln: Einwohner"]
