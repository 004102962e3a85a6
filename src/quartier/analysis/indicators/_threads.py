"""How many threads the array work of the analysis core uses side by side.

numpy and polars release the interpreter lock while they work on arrays, so independent parts
(indicators, halves of the observation rows, groups of tables) run on a thread per core; more
threads than cores would only add switching.
"""

from __future__ import annotations

import os

__all__ = ["MAX_THREADS", "thread_count"]

MAX_THREADS = 4


def thread_count(limit: int | None = None) -> int:
    """Threads for independent parts: one per core, at most `MAX_THREADS` and `limit`, at least 1.

    Examples
    --------
    >>> 1 <= thread_count() <= MAX_THREADS
    True
    >>> thread_count(0)
    1
    """
    count = min(os.cpu_count() or 1, MAX_THREADS)
    if limit is not None:
        count = min(count, limit)
    return max(1, count)
