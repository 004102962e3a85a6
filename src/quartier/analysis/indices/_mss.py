"""The Berlin "Monitoring Soziale Stadtentwicklung" (MSS): status and dynamics index per area.

The method of the editions 2013-2021:

1. Areas with at least ``min_population`` inhabitants take part, minus areas excluded by hand
   (declared outliers). Areas with a missing population or a missing index value are left out.
2. Each index indicator is z-standardised over the participating areas: the plain (unweighted)
   mean over areas and the population standard deviation (ddof = 0).
3. The status sum is the sum of the status z-values; the status index is the status sum
   z-standardised again the same way. Dynamics: the same on the changes.
4. Classes by the cuts of the preset; the combined code is the status class followed by the
   dynamics symbol ("2-" = status mittel, dynamics negativ).

The public API is `berlin_mss`, its result `MssResult` and `mss_class`; `numeric_columns`
(`_numbers`)
which turns a table read by `quartier.analysis.tables.read_table` into numbers.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import polars as pl

from quartier.analysis.indices import BerlinMssParams

__all__ = [
    "MIN_AREAS",
    "RESULT_COLUMNS",
    "MssError",
    "MssResult",
    "berlin_mss",
    "mss_class",
]

RESULT_COLUMNS = (
    "id",
    "included",
    "reason",
    "status_sum",
    "status_index",
    "status_class",
    "status_label",
    "dynamics_sum",
    "dynamics_index",
    "dynamics_class",
    "dynamics_label",
    "combined",
    "combined_label",
)
# Fewer areas give no meaningful standard deviation.
MIN_AREAS = 3
# Ids quoted in one warning; the rest is counted.
MAX_LISTED = 10
# A standard deviation this small relative to the values means they are all the same.
_FLAT = 1e-10
_POPULATION = "__population"
EXCLUDED = "excluded by hand"
NO_POPULATION = "population missing"
NO_VALUE = "no value in "


class MssError(ValueError):
    """The index cannot be computed; the message names the column or says what is missing."""


@dataclass(frozen=True)
class MssResult:
    """The MSS index of every area of a table.

    Attributes
    ----------
    frame : polars.DataFrame
        One row per area in the order of the table, with the columns of `RESULT_COLUMNS`:
        ``id`` (text), ``included``, ``reason`` (why an area is not included, "" otherwise),
        sums, indices (Float64), classes (Int32, 1 = the first label) and labels, the combined
        code ("2-") and label. Areas not included have null index fields.
    left_out : tuple of str
        Ids of areas not included because the population or an index value is missing.
    warnings : tuple of str
        Messages about left-out areas and excluded ids that are not in the table.
    """

    frame: pl.DataFrame
    left_out: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def participants(self) -> int:
        """The number of areas that take part in the index."""
        return int(self.frame["included"].sum())


def berlin_mss(
    table: pl.DataFrame,
    *,
    id_column: str,
    population: str,
    status: Sequence[str],
    dynamics: Sequence[str],
    exclude: Collection[str] = (),
    params: BerlinMssParams,
) -> MssResult:
    """Compute the status and dynamics index of the Berlin MSS.

    Parameters
    ----------
    table : polars.DataFrame
        One row per area with an id column and numeric columns (null where a value is missing).
    id_column : str
        The area ids; kept as text.
    population : str
        The inhabitants of each area.
    status, dynamics : sequence of str
        The status indicators (shares, a high value is worse) and their changes.
    exclude : collection of str
        Ids excluded by hand (declared outliers).
    params : BerlinMssParams
        The method preset (minimum population, cuts, labels).

    Returns
    -------
    MssResult

    Raises
    ------
    MssError
        If a column is missing or not numeric, an id is empty or repeated, fewer than
        `MIN_AREAS` areas take part, or an indicator has the same value in all of them.

    Examples
    --------
    >>> from quartier.analysis.indices import berlin_mss_params
    >>> table = pl.DataFrame({
    ...     "plr": ["01", "02", "03", "04", "05"],
    ...     "inhabitants": [1000, 500, 800, 200, 600],
    ...     "s1": [2.0, 4.0, 6.0, 100.0, 8.0],
    ...     "s2": [10.0, 10.0, 30.0, 0.0, 30.0],
    ...     "d1": [-1.0, 0.0, 0.0, 5.0, 1.0],
    ... })
    >>> result = berlin_mss(table, id_column="plr", population="inhabitants",
    ...     status=["s1", "s2"], dynamics=["d1"], params=berlin_mss_params())
    >>> result.frame.select("status_index").to_series().round(4).to_list()
    [-1.203, -0.7435, 0.7435, None, 1.203]
    >>> result.frame["combined"].to_list()
    ['1+', '2+/-', '2+/-', None, '3-']
    >>> result.frame.filter(~pl.col("included")).select("id", "reason").row(0)
    ('04', 'fewer than 300 inhabitants')
    """
    if not status or not dynamics:
        raise MssError("at least one status and one dynamics indicator are needed")
    _check_columns(table, id_column, population, [*status, *dynamics])
    status_names, dynamics_names = _numbered("s", status), _numbered("d", dynamics)
    areas = _areas(table, id_column, {_POPULATION: population, **status_names, **dynamics_names})
    excluded = sorted({str(area).strip() for area in exclude})
    areas = _with_reasons(areas, {**status_names, **dynamics_names}, excluded, params)
    _check_participants(areas)
    areas = _indices(areas, "status", status_names)
    areas = _indices(areas, "dynamics", dynamics_names)
    frame = _with_labels(areas.select(_result_columns(params)), params)
    left_out, warnings = _warnings(areas, excluded)
    return MssResult(frame=frame, left_out=left_out, warnings=warnings)


def mss_class(index: pl.Expr, cuts: Sequence[float]) -> pl.Expr:
    """The class (1, 2, ...) of an index by ascending cuts, with the boundaries of the MSS.

    A value below the first cut is class 1, a value equal to the first cut is class 2, a value
    equal to any other cut stays in the class below it. Null stays null.

    Examples
    --------
    >>> values = pl.Series([-1.2, -1.0, 0.0, 1.0, 1.2, 1.5, 1.6, None])
    >>> pl.select(mss_class(pl.lit(values), [-1.0, 1.0, 1.5])).to_series().to_list()
    [1, 2, 2, 2, 3, 3, 4, None]
    """
    first, *others = cuts
    above = [(index >= first).cast(pl.Int32), *[(index > cut).cast(pl.Int32) for cut in others]]
    return pl.when(index.is_not_null()).then(1 + pl.sum_horizontal(above)).cast(pl.Int32)


def _numbered(prefix: str, names: Sequence[str]) -> dict[str, str]:
    """Internal column names (s0, s1, ...) -> the names of the table, for messages."""
    return {f"__{prefix}{i}": name for i, name in enumerate(names)}


def _check_columns(table: pl.DataFrame, id_column: str, population: str, values: list[str]) -> None:
    for name in [id_column, population, *values]:
        if name not in table.columns:
            listed = ", ".join(repr(c) for c in table.columns)
            raise MssError(f"no column {name!r}; the columns are {listed}")
    if id_column in values:
        raise MssError(f"column {id_column!r} holds the ids and cannot be an index indicator")
    for name in [population, *values]:
        if not table.schema[name].is_numeric():
            raise MssError(f"column {name!r} holds {table.schema[name]}, not numbers")
    repeated = [name for name in values if values.count(name) > 1]
    if repeated:
        raise MssError(f"column {repeated[0]!r} is named twice as an index indicator")


def _areas(table: pl.DataFrame, id_column: str, columns: dict[str, str]) -> pl.DataFrame:
    """Id and numbers under internal names; NaN and infinity become null.

    In one chunk each: means and deviations are summed chunk by chunk, so the same numbers in
    other chunks could differ in the last bit.
    """
    areas = table.select(
        pl.col(id_column).cast(pl.Utf8).str.strip_chars().alias("id"),
        *[_finite(pl.col(name)).alias(key) for key, name in columns.items()],
    ).rechunk()
    empty = areas.filter(pl.col("id").fill_null("") == "").height
    if empty:
        raise MssError(f"column {id_column!r}: {empty} areas have no id")
    # Counting unique ids is a tenth of the cost of counting each id's rows.
    if areas["id"].n_unique() < areas.height:
        counts = areas["id"].value_counts().filter(pl.col("count") > 1)
        first, count = counts.sort("id").row(0)
        raise MssError(f"column {id_column!r}: the id {first!r} appears {count} times")
    return areas


def _finite(value: pl.Expr) -> pl.Expr:
    number = value.cast(pl.Float64)
    return pl.when(number.is_finite()).then(number)


def _with_reasons(
    areas: pl.DataFrame, names: dict[str, str], excluded: list[str], params: BerlinMssParams
) -> pl.DataFrame:
    """Add why an area does not take part ("reason", "" when it does) and "included"."""
    inhabitants = pl.col(_POPULATION)
    incomplete = pl.any_horizontal([pl.col(key).is_null() for key in names])
    reason = (
        pl.when(pl.col("id").is_in(excluded))
        .then(pl.lit(EXCLUDED))
        .when(inhabitants.is_null())
        .then(pl.lit(NO_POPULATION))
        .when(inhabitants < params.min_population)
        .then(pl.lit(f"fewer than {params.min_population:g} inhabitants"))
        .when(incomplete)
        .then(pl.lit(NO_VALUE))
        .otherwise(pl.lit(""))
    )
    areas = areas.with_columns(reason.alias("reason"))
    # The names of the missing values only where values are missing: usually few areas.
    rows = (pl.col("reason") == NO_VALUE).arg_true()
    positions = areas.select(rows).to_series()
    if positions.len():
        missing = pl.concat_str(
            [pl.when(pl.col(key).is_null()).then(pl.lit(name)) for key, name in names.items()],
            separator=", ",
            ignore_nulls=True,
        )
        texts = areas[positions].select(pl.lit(NO_VALUE) + missing).to_series()
        areas = areas.with_columns(areas["reason"].scatter(positions, texts))
    return areas.with_columns(included=pl.col("reason") == "")


def _check_participants(areas: pl.DataFrame) -> None:
    taking_part = int(areas["included"].sum())
    if taking_part >= MIN_AREAS:
        return
    reasons = areas.filter(~pl.col("included"))["reason"].value_counts(sort=True)
    why = "; ".join(f"{reason}: {count}" for reason, count in reasons.rows())
    raise MssError(
        f"only {taking_part} of {areas.height} areas take part in the index, at least "
        f"{MIN_AREAS} are needed" + (f" ({why})" if why else "")
    )


def _indices(areas: pl.DataFrame, part: str, names: dict[str, str]) -> pl.DataFrame:
    """Add the sum of the z-values (`<part>_sum`) and its z-value (`<part>_index`)."""
    scores = _z_scores(areas, names, floor=0.0)
    total = pl.when(pl.col("included")).then(pl.sum_horizontal(scores)).alias(f"{part}_sum")
    areas = areas.with_columns(total)
    index = _z_scores(areas, {f"{part}_sum": f"the {part} sum"}, floor=1.0)
    return areas.with_columns(index[0].alias(f"{part}_index"))


def _z_scores(areas: pl.DataFrame, names: dict[str, str], *, floor: float) -> list[pl.Expr]:
    """Z = (x - mean) / sd over the included areas (sd with ddof = 0); null elsewhere.

    `floor` is the least scale the flatness check compares the spread with: z-values have a
    standard deviation of 1, so the sum of z-values is flat when its spread is near 0.
    """
    stats = (
        areas.filter(pl.col("included"))
        .select(
            *[pl.col(key).mean().alias(f"mean{key}") for key in names],
            *[pl.col(key).std(ddof=0).alias(f"sd{key}") for key in names],
            *[pl.col(key).abs().max().alias(f"top{key}") for key in names],
        )
        .row(0, named=True)
    )
    scores: list[pl.Expr] = []
    for key, name in names.items():
        mean, sd, top = stats[f"mean{key}"], stats[f"sd{key}"], stats[f"top{key}"]
        if sd is None or sd <= _FLAT * max(top, floor):
            raise MssError(
                f"{name!r} has the same value in all participating areas; it cannot be "
                "z-standardised"
            )
        scores.append(pl.when(pl.col("included")).then((pl.col(key) - mean) / sd))
    return scores


def _result_columns(params: BerlinMssParams) -> list[pl.Expr]:
    status_class = mss_class(pl.col("status_index"), params.status_cuts)
    dynamics_class = mss_class(pl.col("dynamics_index"), params.dynamics_cuts)
    return [
        pl.col("id"),
        pl.col("included"),
        pl.col("reason"),
        pl.col("status_sum"),
        pl.col("status_index"),
        status_class.alias("status_class"),
        pl.col("dynamics_sum"),
        pl.col("dynamics_index"),
        dynamics_class.alias("dynamics_class"),
    ]


def _with_labels(frame: pl.DataFrame, params: BerlinMssParams) -> pl.DataFrame:
    """Add the labels of the classes, the combined code and the combined label.

    Each is looked up by the pair of classes: there are only a few pairs, and a lookup is much
    cheaper than joining texts for every area.
    """
    pair = pl.col("status_class") * 100 + pl.col("dynamics_class")
    pairs = [
        (status, dynamics)
        for status in range(1, len(params.status_labels) + 1)
        for dynamics in range(1, len(params.dynamics_labels) + 1)
    ]
    codes = {s * 100 + d: f"{s}{params.dynamics_symbols[d - 1]}" for s, d in pairs}
    texts = {
        s * 100 + d: params.combined_label.format(
            status=params.status_labels[s - 1], dynamics=params.dynamics_labels[d - 1]
        )
        for s, d in pairs
    }
    return frame.with_columns(
        _labels(pl.col("status_class"), params.status_labels).alias("status_label"),
        _labels(pl.col("dynamics_class"), params.dynamics_labels).alias("dynamics_label"),
        pair.replace_strict(codes, default=None, return_dtype=pl.Utf8).alias("combined"),
        pair.replace_strict(texts, default=None, return_dtype=pl.Utf8).alias("combined_label"),
    ).select(RESULT_COLUMNS)


def _labels(classes: pl.Expr, labels: Sequence[str]) -> pl.Expr:
    mapping = dict(enumerate(labels, start=1))
    return classes.replace_strict(mapping, default=None, return_dtype=pl.Utf8)


def _warnings(areas: pl.DataFrame, excluded: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The ids left out for missing data, and the warnings to show."""
    missing = (pl.col("reason") == NO_POPULATION) | pl.col("reason").str.starts_with(NO_VALUE)
    left = areas.filter(missing).select("id", "reason")
    warnings: list[str] = []
    if left.height:
        quoted = [f"{area} ({reason})" for area, reason in left.head(MAX_LISTED).rows()]
        more = f" and {left.height - MAX_LISTED} more" if left.height > MAX_LISTED else ""
        verb = "area is" if left.height == 1 else "areas are"
        warnings.append(
            f"{left.height} {verb} not included because data are missing: "
            + ", ".join(quoted)
            + more
        )
    found = areas.filter(pl.col("id").is_in(excluded))["id"].to_list()
    unknown = sorted(set(excluded) - set(found))
    if unknown:
        warnings.append("ids to exclude that are not in the table: " + ", ".join(unknown))
    return tuple(left["id"].to_list()), tuple(warnings)
