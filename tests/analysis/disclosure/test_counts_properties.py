"""Property tests: random hierarchies and breakdown tables, checked independently.

Each generated table is consistent (children sum to parents, categories to margins). The
relations for the checks are built here from the generator's own structure, and the checks use
linear programs (`lp_widths`) computed in the test:

- every count from 1 to 2 is suppressed, no zero is;
- every suppressed count from 1 to 2 keeps an interval at least 3 wide reaching 3 or more,
  against an attacker who knows that hidden counts are at least 1;
- nothing is suppressed in tables without small counts.
"""

from __future__ import annotations

import itertools

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from quartier.analysis.disclosure import Relation, suppress_counts

from .test_counts import assert_protected

# Many ones, twos and zeros, some larger counts.
SMALL_COUNTS = st.sampled_from([0, 0, 1, 1, 2, 2, 3, 4, 5, 7, 12, 30])
LARGE_COUNTS = st.sampled_from([0, 3, 4, 8, 15, 60])


@st.composite
def hierarchies(draw: st.DrawFn, counts: st.SearchStrategy[int] = SMALL_COUNTS) -> pl.DataFrame:
    """Areas of depth 2 to 4 with random fan-out; columns area, parent, value."""
    depth = draw(st.integers(2, 4))
    parents: dict[str, str | None] = {"r": None}
    level = ["r"]
    for below in range(1, depth):
        lowest = below == depth - 1
        level = [
            f"{parent}.{i}"
            for parent in level
            for i in range(draw(st.integers(1 if parent == "r" or lowest else 0, 4)))
        ]
        parents |= dict.fromkeys(level, None)
        for code in level:
            parents[code] = code.rsplit(".", 1)[0]
    children = {code: [c for c, p in parents.items() if p == code] for code in parents}
    values: dict[str, int] = {}
    for code in sorted(parents, key=lambda c: -c.count(".")):
        values[code] = sum(values[c] for c in children[code]) if children[code] else draw(counts)
    return pl.DataFrame(
        {
            "area": list(parents),
            "parent": list(parents.values()),
            "value": [values[c] for c in parents],
        }
    )


def tree_relations(frame: pl.DataFrame) -> list[Relation]:
    row = {code: i for i, code in enumerate(frame["area"].to_list())}
    children: dict[str, list[int]] = {}
    for code, parent in frame.select("area", "parent").iter_rows():
        if parent is not None:
            children.setdefault(parent, []).append(row[code])
    return [Relation(row[parent], tuple(parts)) for parent, parts in children.items()]


def check_suppression(
    frame: pl.DataFrame,
    relations: list[Relation],
    primary: np.ndarray,
    suppressed: np.ndarray,
) -> None:
    values = frame["value"].to_list()
    small = np.array([0 < v < 3 for v in values])
    assert (primary == small).all()
    assert suppressed[small].all()
    assert not suppressed[np.array(values) == 0].any()
    assert_protected(values, relations, suppressed.tolist())


@settings(max_examples=80, deadline=None)
@given(hierarchies())
def test_random_hierarchies_are_protected(frame: pl.DataFrame) -> None:
    areas = frame.select(pl.col("area").alias("code"), "parent")
    result = suppress_counts(frame, areas=areas)
    check_suppression(frame, tree_relations(frame), result.primary, result.suppressed)


@settings(max_examples=30, deadline=None)
@given(hierarchies(LARGE_COUNTS))
def test_hierarchies_without_small_counts_are_published_whole(frame: pl.DataFrame) -> None:
    areas = frame.select(pl.col("area").alias("code"), "parent")
    assert not suppress_counts(frame, areas=areas).suppressed.any()


@st.composite
def breakdown_tables(
    draw: st.DrawFn, counts: st.SearchStrategy[int] = SMALL_COUNTS
) -> pl.DataFrame:
    """A city and 2-3 districts x 1-3 breakdown dimensions with every margin (null = total)."""
    n_dims = draw(st.integers(1, 3))
    sizes = [draw(st.integers(2, {1: 5, 2: 4, 3: 2}[n_dims])) for _ in range(n_dims)]
    districts = [f"d{i}" for i in range(draw(st.integers(2, 3)))]
    inner = list(itertools.product(*(range(s) for s in sizes)))
    leaves = {(d, cell): draw(counts) for d in districts for cell in inner}
    rows = []
    for area in ["city", *districts]:
        for cell in itertools.product(*([*range(s), None] for s in sizes)):
            value = sum(
                v
                for (d, leaf), v in leaves.items()
                if area in ("city", d)
                and all(c is None or c == x for c, x in zip(cell, leaf, strict=True))
            )
            rows.append((area, *(None if c is None else f"c{c}" for c in cell), value))
    dims = [f"dim{i}" for i in range(n_dims)]
    return pl.DataFrame(rows, schema=["area", *dims, "value"], orient="row")


def table_relations_of(frame: pl.DataFrame) -> list[Relation]:
    """Margins per dimension and the districts summing to the city, from first principles."""
    dims = [c for c in frame.columns if c.startswith("dim")]
    index = {tuple(row[:-1]): i for i, row in enumerate(frame.iter_rows())}
    relations = []
    for key, i in index.items():
        area, cell = key[0], key[1:]
        if area == "city":
            parts = [
                index[(d, *cell)] for d in frame["area"].unique(maintain_order=True) if d != "city"
            ]
            relations.append(Relation(i, tuple(parts)))
        for k in range(len(dims)):
            if cell[k] is None:
                categories = sorted(x for x in frame[dims[k]].unique().to_list() if x is not None)
                parts = [index[(area, *cell[:k], c, *cell[k + 1 :])] for c in categories]
                relations.append(Relation(i, tuple(parts)))
    return relations


@settings(max_examples=50, deadline=None)
@given(breakdown_tables())
def test_random_breakdown_tables_are_protected(frame: pl.DataFrame) -> None:
    dims = [c for c in frame.columns if c.startswith("dim")]
    areas = {"city": None} | {d: "city" for d in frame["area"].unique().to_list() if d != "city"}
    result = suppress_counts(frame, areas=areas, dims=dims)
    check_suppression(frame, table_relations_of(frame), result.primary, result.suppressed)


@settings(max_examples=20, deadline=None)
@given(breakdown_tables(LARGE_COUNTS))
def test_breakdown_tables_without_small_counts_are_published_whole(frame: pl.DataFrame) -> None:
    dims = [c for c in frame.columns if c.startswith("dim")]
    areas = {"city": None} | {d: "city" for d in frame["area"].unique().to_list() if d != "city"}
    assert not suppress_counts(frame, areas=areas, dims=dims).suppressed.any()
