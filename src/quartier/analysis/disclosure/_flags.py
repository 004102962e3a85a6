"""The flags of published figures: "." secret, "-" nothing, "x" not applicable, "/" unreliable."""

from __future__ import annotations

import numpy as np
import polars as pl

from ._relations import BoolArray

SECRET, NOTHING, NOT_APPLICABLE, UNRELIABLE = ".", "-", "x", "/"
FLAGS = ["", SECRET, NOTHING, NOT_APPLICABLE, UNRELIABLE]
# Flags take a byte each instead of a string: millions of values are flagged at once.
FLAG = pl.Enum(FLAGS)


def missing(column: pl.Series) -> BoolArray:
    return column.is_null().to_numpy()


def zero(column: pl.Series) -> BoolArray:
    return (column == 0).fill_null(False).to_numpy()


def count_flags(
    column: pl.Series, hidden: BoolArray, name: str, *, absent: BoolArray | None = None
) -> pl.Series:
    """The flag of a numerator or denominator: "x" absent, "." hidden or missing, "-" zero."""
    cases = [(missing(column) | hidden, SECRET), (zero(column), NOTHING)]
    return flags(cases if absent is None else [(absent, NOT_APPLICABLE), *cases], name)


def flags(cases: list[tuple[BoolArray, str]], name: str) -> pl.Series:
    """Per row the flag of the first case that holds ("" if none does).

    Chosen as a byte per row, then made a flag: choosing among flag strings row by row is
    many times slower on millions of rows.
    """
    codes = np.zeros(cases[0][0].size, dtype=np.uint8)
    for condition, flag in reversed(cases):
        codes[condition] = FLAGS.index(flag)
    return pl.Series(name, codes).replace_strict(dict(enumerate(FLAGS)), return_dtype=FLAG)
