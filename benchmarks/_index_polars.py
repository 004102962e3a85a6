"""The Berlin MSS index in plain polars: the lower bound of what index.py measures.

python benchmarks/_index_polars.py TABLE OUT ID POPULATION STATUS DYNAMICS EXCLUDE
"""

from __future__ import annotations

import sys

import polars as pl

MIN_POPULATION = 300
STATUS_CUTS = [-1.0, 1.0, 1.5]
DYNAMICS_CUTS = [-1.0, 1.0]
SYMBOLS = ["+", "+/-", "-"]


def german(name: str) -> pl.Expr:
    """A German number column read as text: flags become null, dots and commas are resolved."""
    text = pl.col(name).str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
    return text.cast(pl.Float64, strict=False).alias(name)


def classes(index: pl.Expr, cuts: list[float]) -> pl.Expr:
    above = [(index >= cuts[0]).cast(pl.Int32), *[(index > cut).cast(pl.Int32) for cut in cuts[1:]]]
    return pl.when(index.is_not_null()).then(1 + pl.sum_horizontal(above))


def z(name: str) -> pl.Expr:
    values = pl.col(name).filter(pl.col("included"))
    return pl.when(pl.col("included")).then((pl.col(name) - values.mean()) / values.std(ddof=0))


def main() -> None:
    table, out, id_column, population, status, dynamics, exclude = sys.argv[1:8]
    status, dynamics = status.split(","), dynamics.split(",")
    numbers = [population, *status, *dynamics]
    frame = pl.read_csv(table, separator=";", infer_schema=False).select(
        pl.col(id_column).alias("id"), *[german(name) for name in numbers]
    )
    if frame["id"].n_unique() != frame.height:
        sys.exit("repeated ids")
    complete = pl.all_horizontal([pl.col(name).is_not_null() for name in numbers])
    frame = frame.with_columns(
        included=~pl.col("id").is_in(exclude.split(","))
        & (pl.col(population) >= MIN_POPULATION).fill_null(False)
        & complete
    )
    parts = (("status", status, STATUS_CUTS), ("dynamics", dynamics, DYNAMICS_CUTS))
    for part, names, cuts in parts:
        frame = frame.with_columns(pl.sum_horizontal([z(n) for n in names]).alias(f"{part}_sum"))
        frame = frame.with_columns(z(f"{part}_sum").alias(f"{part}_index"))
        frame = frame.with_columns(classes(pl.col(f"{part}_index"), cuts).alias(f"{part}_class"))
    symbol = pl.col("dynamics_class").replace_strict(dict(enumerate(SYMBOLS, 1)), default=None)
    frame = frame.with_columns(combined=pl.concat_str([pl.col("status_class"), symbol]))
    frame.select(
        "id", "included", "status_index", "status_class", "dynamics_index", "dynamics_class",
        "combined",
    ).write_csv(out)  # fmt: skip


if __name__ == "__main__":
    main()
