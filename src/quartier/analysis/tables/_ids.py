"""Area ids as text: the leading zeros a spreadsheet drops when it stores an id as a number.

Excel turns the id "01011101" into the number 1011101 unless the cell is formatted as text, and a
CSV file saved from such a sheet carries the shortened id on. Ids that are all digits but of
different lengths are the trace of it; a known width gives the zeros back.
"""

from __future__ import annotations

import polars as pl

from quartier.analysis.tables._raw import TableError

__all__ = ["lost_leading_zeros", "padded_ids"]

_DIGITS = r"^\d+$"


def padded_ids(
    ids: pl.Series, width: int, *, lines: pl.Series, table: str, column: str
) -> pl.Series:
    """Ids of digits only filled with leading zeros to `width`; other ids stay as they are.

    Parameters
    ----------
    ids : polars.Series
        The ids as text.
    width : int
        The number of digits every id has (8 for a Berlin Planungsraum).
    lines : polars.Series
        The line of each id, for the message.
    table, column : str
        The file (and sheet) and the column, for the message.

    Raises
    ------
    TableError
        If `width` is below 1 or an id of digits is longer than `width`.

    Examples
    --------
    >>> ids = pl.Series(["1011101", "12010101", "A1"])
    >>> padded_ids(ids, 8, lines=pl.Series([2, 3, 4]), table="plr.xlsx", column="PLR").to_list()
    ['01011101', '12010101', 'A1']
    """
    if width < 1:
        raise TableError(f"the id width must be at least 1, not {width}", setting="id_width")
    digits = ids.str.contains(_DIGITS).fill_null(False)
    longer = digits & (ids.str.len_chars() > width)
    if longer.any():
        index = int(longer.arg_true()[0])
        raise TableError(
            f"{table}, line {lines[index]}, column {column!r}: the id {ids[index]!r} has more "
            f"than {width} digits; give the width of the longest id",
            setting="id_width",
        )
    return pl.select(pl.when(digits).then(ids.str.zfill(width)).otherwise(ids)).to_series()


def lost_leading_zeros(ids: pl.Series) -> str | None:
    """A warning when ids of digits differ in length, as ids stored as numbers do; else None.

    Examples
    --------
    >>> print(lost_leading_zeros(pl.Series(["1011101", "12010101", "12010102"])))
    ids of 7 and 8 digits: leading zeros may have been lost (a spreadsheet stores 01011101 as \
1011101); give the width of the ids to restore them
    >>> lost_leading_zeros(pl.Series(["01011101", "12010101"])) is None
    True
    """
    digits = ids.filter(ids.str.contains(_DIGITS).fill_null(False))
    lengths = digits.str.len_chars().unique().sort().to_list()
    if len(lengths) < 2:
        return None
    widest = lengths[-1]
    example = digits.filter(digits.str.len_chars() < widest)[0]
    shown = " and ".join([", ".join(str(n) for n in lengths[:-1]), str(widest)])
    return (
        f"ids of {shown} digits: leading zeros may have been lost (a spreadsheet stores "
        f"{example.zfill(widest)} as {example}); give the width of the ids to restore them"
    )
