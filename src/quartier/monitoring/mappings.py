"""Mapping files: how a statistics table becomes observations (YAML, written by users)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from quartier.analysis.tables import TableSpec, read_table, spec_from_mapping

# Keys that concern reading the file or matching areas, not the shape of the table.
READING_KEYS = ("area_level", "sheet", "encoding", "delimiter", "decimal")
TIDY_COLUMNS = ("area", "period", "variable", "value", "flag")


class MappingError(ValueError):
    """The mapping file is unreadable or wrong."""


@dataclass(frozen=True)
class Mapping:
    spec: TableSpec
    area_level: str | None = None
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None


def load_mapping(path: Path) -> Mapping:
    """Read and validate a mapping file; errors name the file and the key."""
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise MappingError(f"{path}: cannot read the mapping ({error.strerror})") from error
    except yaml.YAMLError as error:
        raise MappingError(f"{path.name}: not valid YAML ({error})") from error
    if not isinstance(content, dict):
        raise MappingError(f"{path.name}: the mapping must be a YAML mapping of keys to values")
    reading = {key: content.pop(key, None) for key in READING_KEYS}
    for key, value in reading.items():
        if value is not None and not isinstance(value, str):
            raise MappingError(f"{path.name}: {key!r} must be text")
    return Mapping(spec=spec_from_mapping(content, where=path.name), **reading)


def tidy_csv_mapping(path: Path) -> Mapping:
    """The mapping of the tidy long form written by `quartier convert`."""
    columns = read_table(path).columns
    missing = [c for c in ("area", "period", "variable", "value") if c not in columns]
    if missing:
        raise MappingError(
            f"{path.name}: without --mapping the file must have the columns area, period, "
            f"variable, value (and optionally flag and breakdown columns); missing: "
            f"{', '.join(missing)}"
        )
    breakdowns = {c: c for c in columns if c not in TIDY_COLUMNS}
    content: dict[str, Any] = {
        "layout": "long",
        "area": "area",
        "period": "period",
        "variable": "variable",
        "value": "value",
        "breakdowns": breakdowns,
        "source": path.name,
    }
    if "flag" in columns:
        content["flag"] = "flag"
    return Mapping(spec=spec_from_mapping(content, where=path.name))
