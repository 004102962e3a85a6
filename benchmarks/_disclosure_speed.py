"""How long quartier's disclosure control takes for a city-sized hierarchy and a breakdown table.

1. 10,000 blocks in 100 districts in one city (3 levels) x 20 years, one count variable;
2. 2,000 blocks in 20 districts in one city x 32 breakdown cells (8 age groups x 2 genders x
   2 nationalities) with every margin (81 cells per area), one year.

Counts are small on purpose (many 0, 1 and 2), as for people aged 80 and over living alone.
Prints the seconds for the public view and the number of sensitive and suppressed cells.
Run with ``.venv/bin/python benchmarks/disclosure.py --synthetic``.
"""

from __future__ import annotations

import itertools
import time

import numpy as np
import polars as pl

from _quartier import suppressed_cells

DIMENSIONS = {
    "age_group": ["0-5", "6-17", "18-29", "30-44", "45-64", "65-74", "75-84", "85+"],
    "gender": ["m", "w"],
    "nationality": ["deutsch", "nichtdeutsch"],
}


def hierarchy(blocks: int, districts: int) -> pl.DataFrame:
    """Areas: a city, its districts and their blocks (code, parent)."""
    codes = ["city"] + [f"d{d:03d}" for d in range(districts)]
    parents: list[str | None] = [None] + ["city"] * districts
    codes += [f"b{b:05d}" for b in range(blocks)]
    parents += [f"d{b * districts // blocks:03d}" for b in range(blocks)]
    return pl.DataFrame({"code": codes, "parent": parents})


def leaf_counts(rng: np.random.Generator, shape: tuple[int, ...], mean: float) -> np.ndarray:
    """Small counts: Poisson with area-specific means spread over two orders of magnitude."""
    means = mean * rng.lognormal(0.0, 1.0, size=shape[0])
    return rng.poisson(means.reshape(-1, *[1] * (len(shape) - 1)) * np.ones(shape))


def with_totals(areas: pl.DataFrame, leaves: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Leaf counts plus the sums for every ancestor."""
    parent = dict(areas.select("code", "parent").iter_rows())
    frames, level = [leaves], leaves
    while True:
        level = level.with_columns(pl.col("area").replace_strict(parent, default=None))
        level = level.filter(pl.col("area").is_not_null())
        if level.is_empty():
            return pl.concat(frames)
        level = level.group_by(["area", *keys], maintain_order=True).agg(pl.col("value").sum())
        frames.append(level.select(frames[0].columns))


def yearly_table(blocks: int = 10_000, years: int = 20) -> pl.DataFrame:
    rng = np.random.default_rng(7)
    values = leaf_counts(rng, (blocks, years), 40.0)
    return pl.DataFrame(
        {
            "area": np.repeat([f"b{b:05d}" for b in range(blocks)], years),
            "period": np.tile(np.arange(2005, 2005 + years), blocks),
            "value": values.reshape(-1).astype(np.int64),
        }
    )


def breakdown_table(blocks: int = 2_000) -> pl.DataFrame:
    rng = np.random.default_rng(11)
    shape = (blocks, *(len(v) for v in DIMENSIONS.values()))
    values = leaf_counts(rng, shape, 5.0).reshape(blocks, -1)
    combos = list(itertools.product(*DIMENSIONS.values()))
    leaves = pl.DataFrame(
        {
            "area": np.repeat([f"b{b:05d}" for b in range(blocks)], len(combos)),
            **{d: [c[i] for _ in range(blocks) for c in combos] for i, d in enumerate(DIMENSIONS)},
            "value": values.reshape(-1).astype(np.int64),
        }
    )
    dims = list(DIMENSIONS)
    tables = [leaves]
    for subset in itertools.chain.from_iterable(
        itertools.combinations(dims, k) for k in range(len(dims))
    ):
        margin = leaves.group_by(["area", *subset], maintain_order=True).agg(pl.col("value").sum())
        missing = [pl.lit(None, pl.Utf8).alias(d) for d in dims if d not in subset]
        tables.append(margin.with_columns(missing).select(leaves.columns))
    return pl.concat(tables).with_columns(pl.lit(2024).alias("period"))


def measure(name: str, frame: pl.DataFrame, areas: pl.DataFrame, dims: list[str]) -> None:
    start = time.perf_counter()
    hidden = suppressed_cells(frame, areas, dims, min_count=3, width=3)
    seconds = time.perf_counter() - start
    values = frame["value"].to_numpy()
    sensitive = int(((values > 0) & (values < 3)).sum())
    print(
        f"{name}: {frame.height:,} cells, {sensitive:,} sensitive, {int(hidden.sum()):,} "
        f"suppressed: {seconds:.2f} s"
    )


def main() -> None:
    areas = hierarchy(10_000, 100)
    measure("10,000 blocks x 20 years", with_totals(areas, yearly_table(), ["period"]), areas, [])
    areas, dims = hierarchy(2_000, 20), list(DIMENSIONS)
    frame = with_totals(areas, breakdown_table(), ["period", *dims])
    measure("2,000 blocks x 32 breakdown cells", frame, areas, dims)
