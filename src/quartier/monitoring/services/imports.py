"""Writes of observations: the transactional, idempotent import of statistics tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.db import models, transaction

from quartier.analysis.tables import (
    RawTable,
    TableError,
    TableSpec,
    check_repairs,
    check_unique_observations,
    convert_table,
    negative_counts,
    read_table,
    with_breakdown_key,
)
from quartier.areas.models import Area, AreaLevel
from quartier.monitoring import writers
from quartier.monitoring.models import Observation

# Longest list of problems printed at once; the rest is counted.
MAX_LISTED = 10
# Longest text quoted from a cell in a message.
MAX_QUOTED = 40


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
    warnings: list[str] = field(default_factory=list)
    # What was left out on purpose (records of variables the mapping does not list).
    notes: list[str] = field(default_factory=list)


def observations_import(
    *,
    path: Path,
    spec: TableSpec,
    area_level: str | None = None,
    dry_run: bool = False,
    accept_warnings: bool = False,
    warn: Callable[[str], None] | None = None,
) -> ObservationImportReport:
    """Load a table into observations, all or nothing; re-importing updates values in place.

    Every warning of the reader (what it repaired or skipped) and of the conversion (text
    columns left out) goes to `warn` as soon as it is known, and into the report; what the
    mapping leaves out on purpose (records of variables it does not list) goes into the
    report's notes. A repair
    that may have lost or made up values (a record with missing cells, a quote not closed, a
    footnote holding a number, a formula without a saved value) stops the import unless
    `accept_warnings`. So do, always, and raise `quartier.analysis.tables.TableError`: a table
    that cannot be read or converted (numbers that are not finite, a flagged cell with a
    value), a negative count (`spec.counts`), a breakdown value the key cannot hold and a cell
    given twice. A text the database could not store as it is (too long for its field, or with
    a NUL character) and unknown or ambiguous area codes raise `ObservationImportError`.
    Either way nothing is written.
    """
    warnings: list[str] = []

    def note(text: str) -> None:
        warnings.append(text)
        if warn is not None:
            warn(text)

    raw = read_table(
        path, sheet=spec.sheet, encoding=spec.encoding, delimiter=spec.delimiter,
        decimal=spec.decimal,
    )  # fmt: skip
    for problem in raw.problems:
        note(f"{path.name}: {problem}")
    if not accept_warnings:
        check_repairs(raw)
    notes: list[str] = []
    tidy = _tidy(raw, spec, note, notes.append)
    frame = _with_area_ids(tidy, path.name, area_level)
    report = ObservationImportReport(
        file=path.name,
        rows=frame.height,
        variables=sorted(frame["variable"].unique().to_list()),
        periods=sorted(frame["period"].unique().to_list()),
        dry_run=dry_run,
        warnings=warnings,
        notes=notes,
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


def _tidy(
    raw: RawTable,
    spec: TableSpec,
    note: Callable[[str], None],
    remark: Callable[[str], None],
) -> pl.DataFrame:
    """The checked tidy records of a table, with their breakdown keys."""
    where = raw.path.name
    conversion = convert_table(raw, spec)
    if conversion.left_out:
        note(f"{where}: text columns left out (no numbers): {', '.join(conversion.left_out)}")
    if conversion.records_left_out:
        remark(
            f"{where}: {conversion.records_left_out} record(s) left out, as variables does not "
            "list their variables"
        )
    negative = negative_counts(raw, conversion.frame, spec.counts)
    if negative is not None:
        raise TableError(negative, setting="counts")
    tidy = with_breakdown_key(conversion.frame, where=where)
    check_unique_observations(tidy, where=where)
    _check_storable(tidy, source=spec.source, where=where)
    return tidy


# The texts of an import and the fields that store them, with their names in messages.
_STORED = (
    ("area", Area, "code", "area code"),
    ("variable", Observation, "variable", "variable name"),
    ("breakdown_key", Observation, "breakdown_key", "breakdown"),
)


def _check_storable(tidy: pl.DataFrame, *, source: str, where: str) -> None:
    """Raise unless every text fits its field the same way on SQLite and PostgreSQL.

    SQLite stores texts longer than a field's `max_length` and NUL characters; PostgreSQL
    refuses both, in the middle of the import. Both are refused here, before anything is
    written, with the file, the line and the field. The limits are the model fields'.
    """
    limits = {column: _max_length(model, name) for column, model, name, _ in _STORED}
    facts = tidy.select(
        *[pl.col(c).str.len_chars().max().alias(f"{c}_length") for c in limits],
        *[pl.col(c).str.contains("\x00", literal=True).any().alias(f"{c}_nul") for c in limits],
    ).row(0, named=True)
    for column, _, _, what in _STORED:
        if (facts[f"{column}_length"] or 0) > limits[column]:
            row = tidy.filter(pl.col(column).str.len_chars() > limits[column]).row(0, named=True)
            text = row[column]
            _refuse(f"{where}, line {row['line']}", what, text, _too_long(text, limits[column]))
        if facts[f"{column}_nul"]:
            row = tidy.filter(pl.col(column).str.contains("\x00", literal=True)).row(0, named=True)
            _refuse(f"{where}, line {row['line']}", what, row[column], _NUL)
    limit = _max_length(Observation, "source")
    if len(source) > limit:
        _refuse(where, "source", source, _too_long(source, limit), setting="source")
    if "\x00" in source:
        _refuse(where, "source", source, _NUL, setting="source")


_NUL = "holds a NUL character (\\x00), which a database cannot store"


def _too_long(text: str, limit: int) -> str:
    return f"has {len(text)} characters, more than the {limit} a database stores"


def _refuse(place: str, what: str, text: str, problem: str, setting: str | None = None) -> None:
    shown = text if len(text) <= MAX_QUOTED else text[:MAX_QUOTED] + "…"
    raise ObservationImportError(f"{place}: the {what} {shown!r} {problem}", setting=setting)


def _max_length(model: type[models.Model], name: str) -> int:
    stored = model._meta.get_field(name)
    assert isinstance(stored, models.Field), name
    assert stored.max_length is not None, name
    return int(stored.max_length)


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
