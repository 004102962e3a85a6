"""The indicator catalogue: what each indicator means and how it is computed, as data.

quartier ships `indicators.yaml` in this package; `load_catalogue` reads it, merged with a
city's own file, into a `Catalogue` of `Domain` and `Indicator` entries made of `Term` objects.
Errors are `CatalogueError` and name the file, the entry and the field.
"""

from __future__ import annotations

from quartier.analysis.catalogue._catalogue import (
    CATALOGUE_FILE,
    KINDS,
    POLARITIES,
    Catalogue,
    CatalogueError,
    Domain,
    Indicator,
    Kind,
    Polarity,
    Term,
    formula,
    load_catalogue,
    read_catalogue,
)

__all__ = [
    "CATALOGUE_FILE",
    "KINDS",
    "POLARITIES",
    "Catalogue",
    "CatalogueError",
    "Domain",
    "Indicator",
    "Kind",
    "Polarity",
    "Term",
    "formula",
    "load_catalogue",
    "read_catalogue",
]
