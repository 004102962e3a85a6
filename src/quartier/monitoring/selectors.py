"""Reads for the monitoring: observations, areas and computed indicators as polars frames.

Frames are read with one SQL query each, straight into polars: the ORM's model instances would
cost more than the computation itself for a million observations.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl
from django.conf import settings
from django.db import connection

from quartier.analysis.catalogue import Catalogue, load_catalogue
from quartier.analysis.disclosure import View, internal_view, publish
from quartier.analysis.evaluate import FIGURE_COLUMNS
from quartier.areas.models import Area, AreaLevel
from quartier.monitoring.models import AktionsraumOverride, IndicatorValue, Observation

# Codes, variables, keys and flags repeat over millions of rows: categoricals hold each text
# once (4 bytes a row instead of a string each), and the engine maps them to ids cheaply.
OBSERVATION_SCHEMA = {
    "area": pl.Categorical,
    "period": pl.Int64,
    "variable": pl.Categorical,
    "breakdown_key": pl.Categorical,
    "value": pl.Float64,
    "flag": pl.Categorical,
}
AREA_SCHEMA = {
    "code": pl.Utf8,
    "name": pl.Utf8,
    "level": pl.Utf8,
    "rank": pl.Int64,
    "parent": pl.Utf8,
}


def _frame(sql: str, params: Sequence[Any], schema: dict[str, Any]) -> pl.DataFrame:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return pl.DataFrame(rows, schema=schema, orient="row")


def _in_clause(column: str, values: Sequence[Any] | None) -> tuple[str, list[Any]]:
    if values is None:
        return "", []
    if not values:
        return " AND 1 = 0", []
    marks = ", ".join(["%s"] * len(values))
    return f" AND {column} IN ({marks})", list(values)


def observations_frame(
    *, variables: Sequence[str] | None = None, years: Sequence[int] | None = None
) -> pl.DataFrame:
    """All observations (optionally of some variables and years), area given by its code."""
    obs, area = Observation._meta.db_table, Area._meta.db_table
    var_sql, var_params = _in_clause("o.variable", variables)
    year_sql, year_params = _in_clause("o.period", years)
    sql = (
        f"SELECT a.code, o.period, o.variable, o.breakdown_key, o.value, o.flag "
        f"FROM {obs} o JOIN {area} a ON a.id = o.area_id WHERE 1 = 1{var_sql}{year_sql}"
    )
    return _frame(sql, var_params + year_params, OBSERVATION_SCHEMA)


def areas_frame() -> pl.DataFrame:
    """Every area with its level key, the level's rank (0 = the city) and its parent's code."""
    area, level = Area._meta.db_table, AreaLevel._meta.db_table
    sql = (
        f"SELECT a.code, a.name, l.key, l.rank, p.code FROM {area} a "
        f"JOIN {level} l ON l.id = a.level_id LEFT JOIN {area} p ON p.id = a.parent_id "
        "ORDER BY l.rank, a.code"
    )
    return _frame(sql, [], AREA_SCHEMA)


VALUE_COLUMNS = [*FIGURE_COLUMNS, "missing_reason"]


def catalogue_load() -> Catalogue:
    """The shipped catalogue with the city's own file (QUARTIER_INDICATORS_FILE) on top."""
    return load_catalogue(settings.QUARTIER_INDICATORS_FILE)


def indicator_values(
    *,
    view: View,
    indicators: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    level: str | None = None,
    totals_only: bool = True,
) -> pl.DataFrame:
    """Stored indicator results for one audience.

    `view="public"` is the publication (`quartier.analysis.disclosure.publish`): figures not
    published are null with flag "." (or "/" for a rate withheld as unreliable). It is
    decided over every stored indicator, level and year at once and then filtered, so the
    pattern never depends on what is asked for; the public view holds the totals.
    `view="internal"` is the planners' unsuppressed view.
    """
    if view == "internal":
        stored = _stored_indicator_values(
            indicators=indicators, years=years, level=level, totals_only=totals_only
        )
        return internal_view(stored)
    if view != "public":
        raise ValueError(f"view must be 'public' or 'internal', not {view!r}")
    public = publish(
        _stored_indicator_values(totals_only=True), areas=areas_frame(), catalogue=catalogue_load()
    )
    if indicators is not None:
        public = public.filter(pl.col("indicator").is_in(list(indicators)))
    if years is not None:
        public = public.filter(pl.col("period").is_in(list(years)))
    return public if level is None else public.filter(pl.col("level") == level)


def _stored_indicator_values(
    *,
    indicators: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    level: str | None = None,
    totals_only: bool = True,
) -> pl.DataFrame:
    """Stored indicator results as computed (unsuppressed), with area code and level."""
    table, area = IndicatorValue._meta.db_table, Area._meta.db_table
    level_table = AreaLevel._meta.db_table
    ind_sql, ind_params = _in_clause("v.indicator", indicators)
    year_sql, year_params = _in_clause("v.period", years)
    level_sql, level_params = _in_clause("l.key", None if level is None else [level])
    total_sql = " AND v.breakdown_key = ''" if totals_only else ""
    columns = ", ".join(f"v.{c}" for c in VALUE_COLUMNS)
    sql = (
        f"SELECT v.indicator, a.code, l.key, v.period, v.breakdown_key, {columns} "
        f"FROM {table} v JOIN {area} a ON a.id = v.area_id "
        f"JOIN {level_table} l ON l.id = a.level_id "
        f"WHERE 1 = 1{ind_sql}{year_sql}{level_sql}{total_sql}"
    )
    schema: dict[str, Any] = {
        "indicator": pl.Utf8,
        "area": pl.Utf8,
        "level": pl.Utf8,
        "period": pl.Int64,
        "breakdown_key": pl.Utf8,
        **dict.fromkeys(VALUE_COLUMNS, pl.Float64),
    }
    schema.update({"rank": pl.Int64, "decile": pl.Int64, "missing_reason": pl.Utf8})
    return _frame(sql, ind_params + year_params + level_params, schema)


def aktionsraum_overrides(*, year: int) -> dict[str, tuple[bool, str]]:
    """Manual decisions for a report year: area code -> (aktionsraum, justification)."""
    rows = AktionsraumOverride.objects.filter(year=year).select_related("area")
    return {o.area.code: (o.aktionsraum, o.justification) for o in rows}
