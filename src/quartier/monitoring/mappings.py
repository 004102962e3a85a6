"""Mapping files: how a statistics table becomes observations (YAML, written by users).

The table-shape keys are those of `quartier.analysis.tables.TableSpec`; the database adds one:
`area_level`, the level whose area codes the table uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from quartier.analysis.tables import TableError, TableSpec, read_mapping, spec_from_mapping


@dataclass(frozen=True)
class Mapping:
    spec: TableSpec
    area_level: str | None = None


def load_mapping(path: Path) -> Mapping:
    """Read and validate a mapping file; errors name the file, the line and the key."""
    document = read_mapping(path)
    area_level = document.content.get("area_level")
    if area_level is not None and not isinstance(area_level, str):
        problem = f"must be a level key such as 'sozialraum', not {area_level!r}"
        raise TableError(str(document.error(("area_level",), problem)))
    spec = spec_from_mapping(document, more_keys=("area_level",))
    return Mapping(spec=spec, area_level=area_level)


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
