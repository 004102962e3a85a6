"""Primary suppression: the cells that are sensitive in themselves.

A count from 1 to ``min_count - 1`` is sensitive; a zero is not (it is published as "-",
"nothing"). Callers may mark further cells as sensitive, for instance the numerator of a rate
whose denominator is too small to publish.

Examples
--------
>>> import numpy as np
>>> primary_cells(np.array([0.0, 1.0, 2.0, 3.0, np.nan]), min_count=3)
array([False,  True,  True, False, False])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._relations import BoolArray, FloatArray

__all__ = ["DEFAULT_MIN_COUNT", "counts_array", "primary_cells"]

DEFAULT_MIN_COUNT = 3


def counts_array(values: Any) -> FloatArray:
    """Counts as a float array; NaN marks a missing count. Raises for negative counts.

    Examples
    --------
    >>> counts_array([3, None, 0])
    array([ 3., nan,  0.])
    """
    array = np.asarray(
        [np.nan if v is None else v for v in values] if isinstance(values, list) else values,
        dtype=np.float64,
    ).reshape(-1)
    if np.any(array < 0):
        raise ValueError("counts must not be negative")
    if np.any(np.isinf(array)):
        raise ValueError("counts must be finite")
    return array


def primary_cells(
    values: FloatArray, *, min_count: int = DEFAULT_MIN_COUNT, sensitive: BoolArray | None = None
) -> BoolArray:
    """Cells to suppress for their own sake: 0 < value < min_count, or marked sensitive.

    Zeros and missing values are never primary, also when marked sensitive.

    Examples
    --------
    >>> import numpy as np
    >>> values = np.array([0.0, 1.0, 5.0, 5.0])
    >>> primary_cells(values, sensitive=np.array([True, False, True, False]))
    array([False,  True,  True, False])
    """
    if min_count < 1:
        raise ValueError("min_count must be at least 1")
    positive = values > 0  # False for NaN
    small = positive & (values < min_count)
    if sensitive is None:
        return small
    flagged = np.asarray(sensitive, dtype=np.bool_).reshape(-1)
    if flagged.shape != values.shape:
        raise ValueError("sensitive must have one entry per cell")
    return small | (positive & flagged)
