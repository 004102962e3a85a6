"""What fits: which indicators of a catalogue the observed variables and breakdowns allow.

A city's files rarely hold everything the catalogue reads. `catalogue_fit` says, per indicator,
whether it can be computed and, if not, what it lacks — a variable, or a breakdown value of one —
with the engine's own reading of the terms (`_breakdowns.resolve`), so that the answer is the
engine's. `unused_variables` names the observed variables no indicator reads.
"""

from __future__ import annotations

import polars as pl

from quartier.analysis.catalogue import Catalogue, Indicator
from quartier.analysis.indicators._aggregate import AreaTree
from quartier.analysis.indicators._breakdowns import resolve
from quartier.analysis.indicators._cubes import Observed, observe

__all__ = ["FIT_SCHEMA", "catalogue_fit", "unused_variables"]

FIT_SCHEMA: dict[str, pl.DataType] = {
    "indicator": pl.Utf8(),
    "domain": pl.Utf8(),
    "computable": pl.Boolean(),
    "lacking": pl.List(pl.Utf8()),
}
# One stand-in area and year: what can be computed depends only on what is observed.
_AREA = "·"


def catalogue_fit(catalogue: Catalogue, observed: pl.DataFrame) -> pl.DataFrame:
    """Per indicator: whether the observed variables allow it, and what it lacks if not.

    Parameters
    ----------
    catalogue : Catalogue
        The indicators to check, in catalogue order.
    observed : polars.DataFrame
        The variables and breakdown cells observed, columns ``variable`` and
        ``breakdown_key`` (one row per pair suffices; repeats are dropped).

    Returns
    -------
    polars.DataFrame
        Columns as in `FIT_SCHEMA`: ``indicator``, ``domain``, ``computable``, and
        ``lacking``, the engine's reasons (a variable that is not read, a breakdown value that
        never occurs).

    Examples
    --------
    >>> from quartier.analysis.catalogue import load_catalogue
    >>> observed = pl.DataFrame({
    ...     "variable": ["einwohner", "einwohner", "sgb2"],
    ...     "breakdown_key": ["", "age_group=65-79", ""],
    ... })
    >>> fit = catalogue_fit(load_catalogue(), observed)
    >>> for row in fit.filter(pl.col("indicator").is_in(["einwohnerzahl", "anteil_80plus"])).rows():
    ...     print(row)
    ('einwohnerzahl', 'demografie', True, [])
    ('anteil_80plus', 'demografie', False,
     ["age_group '80+' never occurs for the variable 'einwohner'"])
    """
    stand_in = _stand_in(catalogue, observed)
    rows = []
    for indicator in catalogue:
        lacking = _lacking(indicator, stand_in)
        rows.append((indicator.key, indicator.domain, not lacking, lacking))
    return pl.DataFrame(rows, schema=FIT_SCHEMA, orient="row")


def unused_variables(catalogue: Catalogue, observed: pl.DataFrame) -> list[str]:
    """The observed variables that no indicator of `catalogue` reads, sorted.

    Examples
    --------
    >>> from quartier.analysis.catalogue import load_catalogue
    >>> observed = pl.DataFrame({"variable": ["einwohner", "Einwohner in Köln: Einwohner"]})
    >>> unused_variables(load_catalogue(), observed)
    ['Einwohner in Köln: Einwohner']
    """
    read = {variable for indicator in catalogue for variable in indicator.variables}
    return sorted(set(observed["variable"].unique().to_list()) - read)


def _stand_in(catalogue: Catalogue, observed: pl.DataFrame) -> Observed:
    """The observed pairs as observations of one area in one year, read as the engine reads."""
    pairs = observed.select("variable", "breakdown_key").unique()
    observations = pairs.with_columns(
        area=pl.lit(_AREA),
        period=pl.lit(0, dtype=pl.Int64),
        value=pl.lit(1.0),
        flag=pl.lit(""),
    )
    tree = AreaTree.from_frame(
        pl.DataFrame(
            {"code": [_AREA], "level": ["-"], "rank": [0], "parent": [None]},
            schema={"code": pl.Utf8, "level": pl.Utf8, "rank": pl.Int64, "parent": pl.Utf8},
        )
    )
    variables = sorted({v for indicator in catalogue for v in indicator.variables})
    return observe(observations, tree, variables=variables, periods=None)


def _lacking(indicator: Indicator, observed: Observed) -> list[str]:
    reasons: list[str] = []
    for term in indicator.terms:
        found = resolve(term, (), observed)
        if isinstance(found, str) and found not in reasons:
            reasons.append(found)
    return reasons
