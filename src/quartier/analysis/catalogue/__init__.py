"""The indicator catalogue: what each indicator means and how it is computed, as data.

quartier ships `indicators.yaml` in this package. A city adds indicators or replaces shipped
ones with a file of its own in the same format (`load_catalogue(extra=...)`): an entry with the
key of a shipped indicator or domain replaces it, a new key adds one at the end. Errors are
`CatalogueError` and name the file, the line, the entry and the field.

An indicator is computed from terms. A term is a variable key, optionally restricted to some
values of its breakdown dimensions, e.g. the inhabitants under 18 are
``{variable: einwohner, breakdown: {age_group: [0-5, 6-14, 15-17]}}``. The kinds:

- ``rate`` (default): sum of the numerator terms / sum of the denominator terms × scale;
- ``count``: sum of the numerator terms × scale (no denominator);
- ``change``: percent change of the numerator terms over `years` years,
  (numerator now / numerator `years` years earlier − 1) × scale (no denominator).

Examples
--------
>>> catalogue = load_catalogue()
>>> indicator = catalogue.indicator("sgb2_quote")
>>> indicator.name_de, indicator.unit, indicator.polarity
('SGB-II-Quote (unter 65 Jahren)', '%', 'higher_is_worse')
>>> formula(catalogue.indicator("anteil_unter_18"))
'einwohner[age_group: 0-5, 6-14, 15-17] / einwohner × 100'
>>> [d.key for d in catalogue.domains][:2]
['demografie', 'erwerb_transfer']
"""

from __future__ import annotations

from quartier.analysis.catalogue._catalogue import CATALOGUE_FILE, formula, load_catalogue
from quartier.analysis.catalogue._entries import (
    KINDS,
    POLARITIES,
    Catalogue,
    CatalogueError,
    Domain,
    Indicator,
    Kind,
    Polarity,
    Term,
)
from quartier.analysis.catalogue._reader import read_catalogue

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
