"""Mapping files: how a statistics table becomes observations (YAML, written by users).

The table-shape keys are those of `quartier.analysis.tables.TableSpec`; the database adds one:
`area_level`, the level whose area codes the table uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from quartier.analysis.tables import TableError, TableSpec, read_mapping_file, spec_from_mapping


@dataclass(frozen=True)
class Mapping:
    spec: TableSpec
    area_level: str | None = None


def load_mapping(path: Path) -> Mapping:
    """Read and validate a mapping file; errors name the file and the key."""
    content = read_mapping_file(path)
    area_level = content.pop("area_level", None)
    if area_level is not None and not isinstance(area_level, str):
        raise TableError(f"{path.name}: 'area_level' must be a level key such as 'sozialraum'")
    return Mapping(spec=spec_from_mapping(content, where=path.name), area_level=area_level)


def tidy_csv_mapping(path: Path) -> Mapping:
    """The mapping of the tidy long form written by `quartier convert`.

    In the long layout every further column is a breakdown dimension, and a `flag` column is
    found by its name.
    """
    content = {
        "layout": "long",
        "area": "area",
        "period": "period",
        "variable": "variable",
        "value": "value",
        "source": path.name,
    }
    return Mapping(spec=spec_from_mapping(content, where=path.name))
