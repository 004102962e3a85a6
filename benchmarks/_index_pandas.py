"""The Berlin MSS index in plain pandas, as an analyst would write it: the yardstick of index.py.

    python benchmarks/_index_pandas.py TABLE OUT ID POPULATION STATUS DYNAMICS EXCLUDE [text]

STATUS, DYNAMICS and EXCLUDE are comma-separated. The German CSV of index.py is read with its
decimal commas, thousands dots and status flags; the method is that of the berlin-mss preset.
By default pandas' C parser reads the numbers (thousands=".", decimal=",", the flags as NA);
with `text` every cell is read as text first and the numbers are converted from it, as
quartier reads tables.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

MIN_POPULATION = 300
STATUS_CUTS = [-1.0, 1.0, 1.5]
STATUS_LABELS = ["hoch", "mittel", "niedrig", "sehr niedrig"]
DYNAMICS_CUTS = [-1.0, 1.0]
DYNAMICS_LABELS = ["positiv", "stabil", "negativ"]
SYMBOLS = ["+", "+/-", "-"]


def classes(index: pd.Series, cuts: list[float]) -> pd.Series:
    """1 below the first cut, the first cut itself in class 2, other cuts in the class below."""
    above = (index >= cuts[0]).astype(int) + sum((index > cut).astype(int) for cut in cuts[1:])
    return (1 + above).where(index.notna()).astype("Int32")


def z(frame: pd.DataFrame, column: str, included: pd.Series) -> pd.Series:
    values = frame.loc[included, column]
    return ((frame[column] - values.mean()) / values.std(ddof=0)).where(included)


def from_text(table: str, numbers: list[str]) -> pd.DataFrame:
    """Every cell as text, then the German numbers converted; flags and empty cells are NA."""
    frame = pd.read_csv(table, sep=";", dtype=str, keep_default_na=False)
    for name in numbers:
        text = frame[name].str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        flagged = frame[name].isin([".", "-", "x", ""])
        frame[name] = pd.to_numeric(text.where(~flagged), errors="raise")
    return frame


def main() -> None:
    table, out, id_column, population, status, dynamics, exclude = sys.argv[1:8]
    status, dynamics = status.split(","), dynamics.split(",")
    if sys.argv[8:] == ["text"]:
        frame = from_text(table, [population, *status, *dynamics])
    else:
        frame = pd.read_csv(
            table, sep=";", decimal=",", thousands=".", dtype={id_column: str},
            na_values=[".", "-", "x"], keep_default_na=False,
        )  # fmt: skip
    if frame[id_column].duplicated().any():
        sys.exit("repeated ids")
    excluded = frame[id_column].isin(exclude.split(","))
    complete = frame[[population, *status, *dynamics]].notna().all(axis=1)
    included = ~excluded & (frame[population] >= MIN_POPULATION) & complete
    result = pd.DataFrame({"id": frame[id_column], "included": included})
    for part, names, cuts, labels in (
        ("status", status, STATUS_CUTS, STATUS_LABELS),
        ("dynamics", dynamics, DYNAMICS_CUTS, DYNAMICS_LABELS),
    ):
        total = sum(z(frame, name, included) for name in names)
        result[f"{part}_sum"] = total.where(included)
        result[f"{part}_index"] = z(result, f"{part}_sum", included)
        result[f"{part}_class"] = classes(result[f"{part}_index"], cuts)
        result[f"{part}_label"] = result[f"{part}_class"].map(dict(enumerate(labels, 1)))
    symbol = result["dynamics_class"].map(dict(enumerate(SYMBOLS, 1)))
    result["combined"] = np.where(
        included, result["status_class"].astype(str) + symbol.astype(str), None
    )
    result.drop(columns=["status_sum", "dynamics_sum"]).to_csv(out, index=False)


if __name__ == "__main__":
    main()
