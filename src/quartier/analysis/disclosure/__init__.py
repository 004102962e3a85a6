"""Statistical disclosure control: what every public output passes.

Counts from 1 to ``min_count - 1`` (default: 1 and 2) are sensitive and suppressed (published
as "."); zeros are published as "-". Secondary suppression then hides further cells until an
attacker who knows every relation (totals, parent areas at any depth, breakdown margins, the
same count under any name) and that a hidden count is at least 1 cannot narrow a sensitive
count to an interval narrower than the protection width (default 3). Rates follow their
counts; changes and comparisons follow their values.

Every frame-level function takes ``view``: "public" applies disclosure control, "internal"
(planners) returns the values unchanged.

The layers, from generic to specific:

- `suppress` works on an array of counts and a set of `Relation` objects;
- `table_relations` (with `hierarchy_relations`, `breakdown_relations`,
  `split_breakdown_key`) builds the relations of a long frame of counts;
- `protect_cells` hides complements until every sensitive cell keeps a protection interval;
- `disclose_counts` applies it to a frame of counts, `publish` to indicator results (the
  stored public view), `internal_view` flags the planners' view;
- `recoverable_cells` and `feasible_intervals` audit a result with linear programs.

Examples
--------
A city with two districts of two blocks each; one block holds a single person:

>>> import polars as pl
>>> areas = pl.DataFrame({
...     "code": ["city", "n", "s", "n1", "n2", "s1", "s2"],
...     "parent": [None, "city", "city", "n", "n", "s", "s"]})
>>> counts = pl.DataFrame({"area": ["city", "n", "s", "n1", "n2", "s1", "s2"],
...                        "period": [2024] * 7, "value": [40, 15, 25, 1, 14, 10, 15]})
>>> public = disclose_counts(counts, areas=areas, view="public")
>>> public.select("area", "published_value", "flag").rows()  # doctest: +NORMALIZE_WHITESPACE
[('city', 40, ''), ('n', 15, ''), ('s', 25, ''), ('n1', None, '.'), ('n2', None, '.'),
 ('s1', 10, ''), ('s2', 15, '')]
"""

from __future__ import annotations

from ._audit import feasible_intervals, recoverable_cells
from ._counts import (
    NOT_APPLICABLE,
    NOTHING,
    SECRET,
    View,
    disclose_counts,
    suppress_counts,
)
from ._frames import (
    breakdown_relations,
    hierarchy_relations,
    split_breakdown_key,
    table_relations,
)
from ._primary import DEFAULT_MIN_COUNT, primary_cells
from ._protection import DEFAULT_PROTECTION_WIDTH, protect_cells
from ._publication import FLAG, FLAG_COLUMNS, UNRELIABLE, hierarchy_levels, internal_view, publish
from ._relations import Relation, RelationSet
from ._secondary import Suppression, suppress

__all__ = [
    "DEFAULT_MIN_COUNT",
    "DEFAULT_PROTECTION_WIDTH",
    "FLAG",
    "FLAG_COLUMNS",
    "NOTHING",
    "NOT_APPLICABLE",
    "SECRET",
    "UNRELIABLE",
    "Relation",
    "RelationSet",
    "Suppression",
    "View",
    "breakdown_relations",
    "disclose_counts",
    "feasible_intervals",
    "hierarchy_levels",
    "hierarchy_relations",
    "internal_view",
    "primary_cells",
    "protect_cells",
    "publish",
    "recoverable_cells",
    "split_breakdown_key",
    "suppress",
    "suppress_counts",
    "table_relations",
]
