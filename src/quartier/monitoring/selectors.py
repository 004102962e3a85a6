"""Reads for the monitoring: observations, areas and computed indicators as polars frames.

Frames are read with one SQL query each, straight into polars: the ORM's model instances would
cost more than the computation itself for a million observations. Indicator results are read
from their stored Parquet parts (see `ResultPart`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import polars as pl
from django.conf import settings
from django.db import connection

from quartier.analysis.catalogue import Catalogue, load_catalogue
from quartier.analysis.disclosure import View, internal_view
from quartier.analysis.indicators import FIGURE_COLUMNS, OUTPUT_SCHEMA
from quartier.areas.models import Area
from quartier.monitoring.models import (
    AktionsraumOverride,
    Computation,
    Observation,
    ResultPart,
)
from quartier.monitoring.models import View as ResultView

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


VALUE_COLUMNS = [*FIGURE_COLUMNS, "missing_reason"]
# The columns of stored results and their types: the internal view of the engine's output
# (ranks and deciles as Int64, flags as an Enum). Stored parts are read back in these types.
RESULT_SCHEMA: dict[str, pl.DataType] = dict(
    internal_view(pl.DataFrame(schema=OUTPUT_SCHEMA)).schema
)


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
    """Stored indicator results for one audience, as `quartier compute` stored them.

    `view="public"` is the stored publication (figures not published are null, flag "." or
    "/"); `view="internal"` the planners' unsuppressed view (flag "." only where a value is
    missing). Nothing is computed here: the publication was decided once over all indicators,
    levels, years and breakdown cells, so no request can change its pattern.
    """
    if view not in ResultView.values:
        raise ValueError(f"view must be 'public' or 'internal', not {view!r}")
    parts = ResultPart.objects.filter(view=view)
    if years is not None:
        parts = parts.filter(period__in=list(years))
    if totals_only:
        parts = parts.filter(breakdowns=False)
    if indicators is not None and not indicators:
        parts = parts.none()
    blobs = parts.order_by("period", "breakdowns").values_list("data", flat=True)
    wanted = _part_filter(indicators, level)
    frames = [_part_frame(blob, wanted) for blob in blobs.iterator(chunk_size=8)]
    if not frames:
        return pl.DataFrame(schema=RESULT_SCHEMA)
    return pl.concat(frames, how="diagonal_relaxed")


def _part_filter(indicators: Sequence[str] | None, level: str | None) -> pl.Expr:
    wanted = pl.lit(True)
    if indicators is not None:
        wanted &= pl.col("indicator").is_in(list(indicators))
    if level is not None:
        wanted &= pl.col("level") == level
    return wanted


def _part_frame(blob: bytes | memoryview, wanted: pl.Expr) -> pl.DataFrame:
    """The wanted rows of one stored part, in the types of `RESULT_SCHEMA`.

    Parts of an earlier computation (kept for the years not recomputed since) may have been
    written with other types.
    """
    frame = pl.read_parquet(io.BytesIO(blob)).filter(wanted)
    schema = frame.schema
    differ = [pl.col(c).cast(t) for c, t in RESULT_SCHEMA.items() if schema.get(c, t) != t]
    return frame.with_columns(differ) if differ else frame


def result_years(*, view: View) -> list[int]:
    """The years with stored results of a view, ascending."""
    periods = ResultPart.objects.filter(view=view).values_list("period", flat=True)
    return sorted(set(periods))


def computation_latest() -> Computation | None:
    """The latest computation: it made the stored publication (None before the first).

    It says when the results were computed, which years it recomputed, which years the
    publication covers, and its parameters (`min_count`, `protection_width`), so that every
    output can state them.
    """
    return Computation.objects.order_by("-computed_at", "-pk").first()


def aktionsraum_overrides(*, year: int) -> dict[str, tuple[bool, str]]:
    """Manual decisions for a report year: area code -> (aktionsraum, justification)."""
    rows = AktionsraumOverride.objects.filter(year=year).select_related("area")
    return {o.area.code: (o.aktionsraum, o.justification) for o in rows}


def observed_variables() -> pl.DataFrame:
    """Each variable and breakdown key that has observations, once (for what fits)."""
    pairs = Observation.objects.values_list("variable", "breakdown_key").distinct()
    return pl.DataFrame(
        list(pairs), schema={"variable": pl.Utf8, "breakdown_key": pl.Utf8}, orient="row"
    )
