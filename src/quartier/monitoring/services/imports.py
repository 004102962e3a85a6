"""Writes of observations: the transactional, idempotent import of statistics tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.db import transaction

from quartier.analysis.tables import (
    TableSpec,
    check_unique_observations,
    read_table,
    tidy_table,
    with_breakdown_key,
)
from quartier.areas.models import Area, AreaLevel
from quartier.monitoring import writers

# Longest list of problems printed at once; the rest is counted.
MAX_LISTED = 10


class ObservationImportError(ValueError):
    """The table cannot be imported; nothing was written.

    `setting` names what would settle the problem ("area_level"), or is None; the caller says
    how to give it (a key of the mapping file, an option of the command).
    """

    def __init__(self, message: str, *, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting


@dataclass
class ObservationImportReport:
    file: str
    rows: int = 0
    written: int = 0
    unchanged: int = 0
    variables: list[str] = field(default_factory=list)
    periods: list[int] = field(default_factory=list)
    dry_run: bool = False


def observations_import(
    *,
    path: Path,
    spec: TableSpec,
    area_level: str | None = None,
    dry_run: bool = False,
) -> ObservationImportReport:
    """Load a table into observations, all or nothing; re-importing updates values in place.

    A table that cannot be read, gives a breakdown value the key cannot hold or a cell twice
    raises `quartier.analysis.tables.TableError`; unknown or ambiguous area codes raise
    `ObservationImportError`. Either way nothing is written.
    """
    raw = read_table(
        path,
        sheet=spec.sheet,
        encoding=spec.encoding,
        delimiter=spec.delimiter,
        decimal=spec.decimal,
    )
    tidy = with_breakdown_key(tidy_table(raw, spec), where=path.name)
    frame = _with_area_ids(tidy, path.name, area_level)
    check_unique_observations(frame, where=path.name)
    report = ObservationImportReport(
        file=path.name,
        rows=frame.height,
        variables=sorted(frame["variable"].unique().to_list()),
        periods=sorted(frame["period"].unique().to_list()),
        dry_run=dry_run,
    )
    rows = frame.select(
        "area_id", "period", "variable", "breakdown_key", "value", "flag"
    ).with_columns(pl.lit(spec.source).alias("source"))
    with transaction.atomic():
        report.written = writers.upsert_observations(rows)
        report.unchanged = rows.height - report.written
        if dry_run:
            transaction.set_rollback(True)
    return report


def _area_lookup(area_level: str | None) -> pl.DataFrame:
    areas = Area.objects.all()
    if area_level is not None:
        if not AreaLevel.objects.filter(key=area_level).exists():
            raise ObservationImportError(f"unknown area level {area_level!r}")
        areas = areas.filter(level__key=area_level)
    rows = list(areas.values_list("code", "pk", "level__key"))
    return pl.DataFrame(
        rows, schema={"area": pl.Utf8, "area_id": pl.Int64, "level": pl.Utf8}, orient="row"
    )


def _with_area_ids(tidy: pl.DataFrame, file: str, area_level: str | None) -> pl.DataFrame:
    lookup = _area_lookup(area_level)
    ambiguous = lookup.filter(pl.col("area").is_duplicated())
    used = ambiguous.join(tidy.select("area").unique(), on="area", how="semi")
    if used.height:
        codes = ", ".join(sorted(set(used["area"].to_list()))[:MAX_LISTED])
        raise ObservationImportError(
            f"{file}: area codes exist in several levels ({codes}); name the level",
            setting="area_level",
        )
    frame = tidy.join(lookup.select("area", "area_id"), on="area", how="left")
    unknown = frame.filter(pl.col("area_id").is_null())
    if unknown.height:
        raise ObservationImportError(_unknown_areas_message(unknown, file, area_level))
    return frame


def _unknown_areas_message(unknown: pl.DataFrame, file: str, area_level: str | None) -> str:
    first = unknown.group_by("area", maintain_order=True).agg(pl.col("line").min())
    listed = [f"line {row['line']}: {row['area']!r}" for row in first.head(MAX_LISTED).to_dicts()]
    more = first.height - len(listed)
    where = f" in level {area_level!r}" if area_level else ""
    text = f"{file}: {first.height} unknown area code(s){where}: " + "; ".join(listed)
    return text + (f"; and {more} more" if more > 0 else "")
