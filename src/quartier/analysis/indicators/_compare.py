"""Indicator values from summed counts, and their comparison figures.

All functions work on arrays with the axes area × period × breakdown cell, one rank (level) at a
time; null is NaN. Comparisons run along the area axis, so every figure is "within level,
period and breakdown cell".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from quartier.analysis.catalogue import Kind
from quartier.analysis.indicators._aggregate import (
    NO_DATA,
    ZERO_DENOMINATOR,
    Codes,
    Floats,
    Ints,
    reason_codes,
)

# Ranks are whole numbers, 0 where a value has no rank.
Ranks = npt.NDArray[np.uint32]

__all__ = [
    "deciles",
    "differences",
    "lag_positions",
    "lagged",
    "min_ranks",
    "quotient",
    "zscores",
]

_TINY = 1e-12
_ALL_BITS = (1 << 64) - 1
_SIGN_BIT = 1 << 63


def quotient(
    numerator: Floats, denominator: Floats, scale: float, *, kind: Kind
) -> tuple[Floats, Codes | None]:
    """The indicator value of a rate, a change or a count.

    numerator / denominator × scale (a rate), (numerator / denominator − 1) × scale (a
    change, the denominator being the earlier count), or numerator × scale (a count). A zero
    denominator gives null with its reason code.

    Examples
    --------
    >>> value, codes = quotient(np.array([1.0, 2.0, 1.0]), np.array([4.0, 0.0, np.nan]), 100,
    ...                         kind="rate")
    >>> value.tolist(), (codes > 0).tolist()
    ([25.0, nan, nan], [False, True, False])
    """
    if kind == "count":
        return numerator * scale, None
    zero = denominator == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = numerator / np.where(zero, np.nan, denominator)
    value = (ratio - 1.0 if kind == "change" else ratio) * scale
    if not zero.any():
        return value, None
    codes = np.where(zero & ~np.isnan(numerator), reason_codes(ZERO_DENOMINATOR, 0, 0, 0), 0)
    return value, np.asarray(codes, dtype=np.uint64)


def lag_positions(periods: Sequence[int], years: int) -> Ints:
    """For each period position, the position of the period `years` earlier, or -1.

    Examples
    --------
    >>> lag_positions([2010, 2011, 2013], 1).tolist()
    [-1, 0, -1]
    """
    index = {period: position for position, period in enumerate(periods)}
    return np.array([index.get(period - years, -1) for period in periods], dtype=np.int64)


def lagged(
    values: Floats,
    codes: Codes | None,
    positions: Ints,
    *,
    variable: int,
    periods: Sequence[int],
    years: int,
) -> tuple[Floats, Codes | None]:
    """Values and codes `years` earlier along the period axis.

    Where the earlier period was not read: null with "no data for VARIABLE in PERIOD".
    """
    absent = positions < 0
    earlier = values[:, positions]
    earlier[:, absent] = np.nan
    if codes is None and not absent.any():
        return earlier, None
    result = np.zeros(earlier.shape, dtype=np.uint64) if codes is None else codes[:, positions]
    missing_periods = np.asarray(periods)[absent] - years
    result[:, absent] = reason_codes(NO_DATA, variable, 0, missing_periods)[None, :, None]
    return earlier, result


def differences(values: Floats, positions: Ints, *, relative: bool) -> Floats:
    """Change against the period at `positions` (-1: none).

    Value − earlier value, or the change in percent of the earlier value when `relative`
    (null when that is 0).

    Examples
    --------
    >>> values = np.array([[[100.0], [110.0], [99.0]]])
    >>> differences(values, np.array([-1, 0, 1]), relative=True).ravel().round(1).tolist()
    [nan, 10.0, -10.0]
    """
    earlier = values[:, positions]
    earlier[:, positions < 0] = np.nan
    if not relative:
        return values - earlier
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(earlier == 0, np.nan, (values / earlier - 1.0) * 100.0)


def min_ranks(values: Floats, *, descending: bool) -> Ranks:
    """Ranks along the first axis, 1 first; equal values share the smallest rank; 0 for NaN.

    Examples
    --------
    >>> min_ranks(np.array([3.0, np.nan, 1.0, 3.0]), descending=True).tolist()
    [1, 0, 3, 1]
    >>> min_ranks(np.array([[0.5, 2.0], [0.25, 2.0]]), descending=False).tolist()
    [[2, 1], [1, 1]]
    """
    if values.shape[0] == 1:
        return np.where(np.isnan(values), 0, 1).astype(np.uint32)
    keys = -values if descending else values
    # One row per period and cell, contiguous: sorting runs along it.
    rows = np.ascontiguousarray(keys.reshape(keys.shape[0], -1).T)
    order, ordered = _sort_order(rows)
    first = np.empty(ordered.shape, dtype=bool)
    first[:, 0] = True
    np.not_equal(ordered[:, 1:], ordered[:, :-1], out=first[:, 1:])
    # Whole numbers: 4 bytes a rank, and no conversion from floats for the output.
    start = np.where(first, np.arange(1, rows.shape[1] + 1, dtype=np.uint32), np.uint32(0))
    np.maximum.accumulate(start, axis=-1, out=start)
    start[np.isnan(ordered)] = 0
    ranks = np.empty(rows.shape, dtype=np.uint32)
    np.put_along_axis(ranks, order, start, axis=-1)
    return np.ascontiguousarray(ranks.T).reshape(values.shape)


def _sort_order(rows: Floats) -> tuple[Ints, Floats]:
    """The ascending order of each row (NaN last), and the rows in that order.

    An index sort is ten times slower than a plain sort of 64-bit keys, so the position is
    packed into the low bits of an order-preserving key. Values that differ only in those bits
    may come out of order; such rows are sorted again exactly.
    """
    count = rows.shape[1]
    low = np.uint64((1 << max(1, (count - 1).bit_length())) - 1)
    raw = rows.view(np.uint64)
    # Order-preserving bits: flip all bits of negative numbers, only the sign bit of others.
    keys = (raw >> np.uint64(63)) * np.uint64(_ALL_BITS)
    keys |= np.uint64(_SIGN_BIT)
    keys ^= raw
    keys[np.isnan(rows)] = np.uint64(_ALL_BITS)
    keys &= ~low
    keys |= np.arange(count, dtype=np.uint64)
    keys.sort(axis=-1)
    keys &= low
    order = keys.view(np.int64)
    ordered = np.take_along_axis(rows, order, axis=-1)
    for row in np.flatnonzero((ordered[:, 1:] < ordered[:, :-1]).any(axis=-1)):
        order[row] = np.argsort(rows[row], kind="stable")
        ordered[row] = rows[row, order[row]]
    return order, ordered


def deciles(ranks: Ranks) -> npt.NDArray[np.uint8]:
    """Deciles 1-10 from ranks along the first axis (0: no rank).

    floor(10 (rank − 1) / n) + 1, n the number of ranks; decile 1 holds the first tenth; 0
    where there is no rank.

    Examples
    --------
    >>> deciles(np.array([1, 2, 3, 0], dtype=np.uint32)).tolist()
    [1, 4, 7, 0]
    """
    count = np.count_nonzero(ranks, axis=0).astype(np.float64)
    # In floating point, which divides much faster than integers and is exact here: the floor
    # of a correctly rounded quotient of whole numbers below 2**33 is the true floor.
    tenths = (ranks.astype(np.float64) - 1.0) * 10.0
    tenths /= np.maximum(count, 1.0)
    np.floor(tenths, out=tenths)
    tenths += 1.0
    tenths[ranks == 0] = 0.0
    return tenths.astype(np.uint8)


def zscores(values: Floats) -> Floats:
    """z-scores, (value − mean) / standard deviation, along the first axis.

    Unweighted, population standard deviation (ddof 0), NaN ignored; null when the deviation
    is 0.

    Examples
    --------
    >>> zscores(np.array([1.0, 3.0, np.nan])).tolist()
    [-1.0, 1.0, nan]
    """
    present = ~np.isnan(values)
    count = present.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(present, values, 0.0).sum(axis=0) / count
        deviation = np.where(present, values - mean, 0.0)
        spread = np.sqrt((deviation**2).sum(axis=0) / count)
        # Equal values leave a spread of rounding noise, not a real one.
        real = spread > _TINY * np.maximum(np.abs(mean), 1.0)
        return np.where(real, (values - mean) / np.where(real, spread, 1.0), np.nan)
