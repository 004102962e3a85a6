"""Evaluation of one indicator: summed terms, values and comparison figures per level.

Each grouping of an indicator (the totals, or one set of breakdown dimensions) gives a frame in
the output layout of `compute_indicators`, level by level.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from quartier.analysis.catalogue import Indicator
from quartier.analysis.indicators._aggregate import (
    AreaTree,
    Codes,
    Counts,
    Floats,
    Ints,
    first_reason,
    reason_texts,
    sum_up,
)
from quartier.analysis.indicators._breakdowns import (
    Resolved,
    cell_labels,
    cell_sums,
    groupings,
    resolve,
)
from quartier.analysis.indicators._compare import (
    deciles,
    differences,
    lag_positions,
    lagged,
    min_ranks,
    quotient,
    zscores,
)
from quartier.analysis.indicators._cubes import Observed

__all__ = ["Evaluator", "Job", "Problem"]

WHOLE_NUMBERS: dict[str, pl.DataType] = {"rank": pl.UInt32(), "decile": pl.UInt8()}
FIGURE_COLUMNS = (
    "numerator",
    "denominator",
    "value",
    "city_value",
    "diff_city",
    "ratio_city",
    "rank",
    "decile",
    "zscore",
    "change_1",
    "change_n",
)


@dataclass(frozen=True)
class Problem:
    """Something that kept an indicator (or some of its years) from being computed."""

    indicator: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.indicator}: {self.message}" if self.indicator else self.message


@dataclass
class _Layer:
    """One rank of an indicator grouping; axes area × period × cell."""

    numerator: Floats
    denominator: Floats | None
    value: Floats
    codes: Codes | None


@dataclass(frozen=True)
class Job:
    """One grouping of one indicator: its terms as read, and the periods to report."""

    indicator: Indicator
    resolved: tuple[Resolved, ...]
    grouping: tuple[str, ...]
    periods: Ints


@dataclass
class Evaluator:
    """Computes indicators on observed blocks and collects the problems met on the way."""

    tree: AreaTree
    observed: Observed
    change_years: int
    problems: list[Problem] = field(default_factory=list)
    _counts: dict[tuple[int, tuple[str, ...]], Counts] = field(default_factory=dict)
    _key_columns: dict[
        tuple[int, tuple[int, ...], tuple[str, ...]],
        tuple[pl.Series, pl.Series, pl.Series, pl.Series],
    ] = field(default_factory=dict)
    _area_codes: list[str] | None = None
    _null_columns: dict[pl.DataType, pl.Series] = field(default_factory=dict)

    def jobs(self, indicator: Indicator, requested: list[int], *, breakdowns: bool) -> list[Job]:
        """The groupings of one indicator to compute: totals first, then each breakdown.

        Resolves the terms, sums their counts up the hierarchy and notes problems; running a
        job (`run`) then only reads them.
        """
        totals = [resolve(term, (), self.observed) for term in indicator.terms]
        failed = [r for r in totals if isinstance(r, str)]
        if failed:
            self.problems.append(Problem(indicator.key, failed[0]))
            return []
        resolved = [r for r in totals if isinstance(r, Resolved)]
        periods = self._periods(indicator, resolved, requested)
        if not periods.size:
            return []
        jobs = [Job(indicator, tuple(resolved), (), periods)]
        for grouping in groupings(indicator, self.observed) if breakdowns else []:
            cells = [resolve(term, grouping, self.observed) for term in indicator.terms]
            by_cell = tuple(r for r in cells if isinstance(r, Resolved))
            jobs.append(Job(indicator, by_cell, grouping, periods))
        for job in jobs:
            for term in job.resolved:
                self._counts_of(term)
        return jobs

    def run(self, job: Job) -> pl.DataFrame:
        """The rows of one job, level by level, in the output layout."""
        return self._part(job.indicator, list(job.resolved), job.grouping, job.periods)

    def _periods(
        self, indicator: Indicator, resolved: list[Resolved], requested: list[int]
    ) -> Ints:
        """Positions of the requested periods in which every variable has data."""
        usable = np.ones(len(self.observed.periods), dtype=bool)
        for term in resolved:
            present = self.observed.blocks[term.block].periods_present(term.position)
            lacking = [p for p in requested if not present[self.observed.periods.index(p)]]
            if lacking:
                name = self.observed.variables[term.variable]
                text = f"no data for {name} in {years_text(lacking)}"
                if Problem(indicator.key, text) not in self.problems:
                    self.problems.append(Problem(indicator.key, text))
            usable &= present
        positions = [self.observed.periods.index(p) for p in requested]
        return np.array([p for p in positions if usable[p]], dtype=np.int64)

    def _counts_of(self, term: Resolved) -> Counts:
        key = (term.variable, term.block)
        if key not in self._counts:
            block = self.observed.blocks[term.block]
            base = block.base_rank(term.position, self.tree)
            values, codes = block.base_counts(term.position, self.tree.span(base), term.variable)
            missing = (term.variable, block.key_ids)
            self._counts[key] = sum_up(values, codes, base=base, tree=self.tree, missing=missing)
        return self._counts[key]

    def _part(
        self,
        indicator: Indicator,
        resolved: list[Resolved],
        grouping: tuple[str, ...],
        out: Ints,
    ) -> pl.DataFrame:
        labels = cell_labels(resolved) if grouping else ("",)
        counts = [self._counts_of(term) for term in resolved]
        base = min(c.base for c in counts)
        layers = [self._layer(indicator, resolved, counts, labels, r) for r in range(base + 1)]
        chosen = _chosen(out, len(self.observed.periods))
        city = layers[0].value[:, chosen]
        frames = [
            self._frame(indicator, rank, layer, city, labels, out)
            for rank, layer in enumerate(layers)
        ]
        return pl.concat(frames, rechunk=False) if len(frames) > 1 else frames[0]

    def _layer(
        self,
        indicator: Indicator,
        resolved: list[Resolved],
        counts: list[Counts],
        labels: tuple[str, ...],
        rank: int,
    ) -> _Layer:
        first = self.tree.span(rank).start
        sums = [
            cell_sums(c.values[rank], c.codes[rank], term, labels, first)
            for c, term in zip(counts, resolved, strict=True)
        ]
        split = len(indicator.numerator)
        numerator, numerator_codes = _added(sums[:split])
        denominator, denominator_codes = _added(sums[split:]) if sums[split:] else (None, None)
        if indicator.kind == "change":
            years = indicator.years or 1
            denominator, denominator_codes = lagged(
                numerator,
                numerator_codes,
                lag_positions(self.observed.periods, years),
                variable=resolved[0].variable,
                periods=self.observed.periods,
                years=years,
            )
        value, zero_codes = quotient(
            numerator,
            numerator if denominator is None else denominator,
            indicator.scale,
            kind=indicator.kind,
        )
        codes = first_reason([numerator_codes, denominator_codes, zero_codes], value.shape)
        return _Layer(numerator, denominator, value, codes)

    def _frame(
        self,
        indicator: Indicator,
        rank: int,
        layer: _Layer,
        city: Floats,
        labels: tuple[str, ...],
        out: Ints,
    ) -> pl.DataFrame:
        """The rows of one rank: keys, figures and reasons, in the output layout."""
        chosen = _chosen(out, len(self.observed.periods))
        value = layer.value[:, chosen]
        figures = _figures(indicator, layer, value, city, self.observed.periods, self.change_years)
        columns = {"numerator": layer.numerator[:, chosen]}
        if layer.denominator is not None:
            columns["denominator"] = layer.denominator[:, chosen]
        columns |= {
            name: figures[name][:, chosen] if name.startswith("change") else figures[name]
            for name in figures
        }
        size = value.size
        numbers = {name: _series(name, array.ravel()) for name, array in columns.items()}
        if layer.denominator is None:
            numbers["denominator"] = self._nulls(size, pl.Float64())
        reasons = self._reasons(value, None if layer.codes is None else layer.codes[:, chosen])
        keys = self._keys(indicator, rank, value.shape, labels, out)
        return pl.DataFrame(
            [
                *keys,
                *(numbers[name].alias(name) for name in FIGURE_COLUMNS),
                reasons.alias("missing_reason"),
            ]
        )

    def _keys(
        self,
        indicator: Indicator,
        rank: int,
        shape: tuple[int, ...],
        labels: tuple[str, ...],
        out: Ints,
    ) -> list[pl.Series]:
        """Indicator, area, level, period and breakdown key of every row, in array order."""
        size = shape[0] * shape[1] * shape[2]
        cached = (rank, tuple(out.tolist()), labels)
        if cached not in self._key_columns:
            # Shared by all indicators of the same shape: the frames share the memory too.
            self._key_columns[cached] = self._key_series(rank, shape, labels, out)
        area, level, period, breakdown_key = self._key_columns[cached]
        indicator_column = _repeated(indicator.key, size, pl.Utf8()).alias("indicator")
        return [indicator_column, area, level, period, breakdown_key]

    def _key_series(
        self, rank: int, shape: tuple[int, ...], labels: tuple[str, ...], out: Ints
    ) -> tuple[pl.Series, pl.Series, pl.Series, pl.Series]:
        areas, periods, cells = shape
        start = self.tree.span(rank).start
        chosen = np.asarray(self.observed.periods, dtype=np.int64)[out]
        ids = np.repeat(np.arange(start, start + areas, dtype=np.uint32), periods * cells)
        cell_ids = np.tile(np.arange(cells, dtype=np.uint32), areas * periods)
        return (
            self.tree.codes.gather(ids).alias("area"),
            _repeated(self.tree.level(rank), ids.size, pl.Utf8()).alias("level"),
            pl.Series("period", np.tile(np.repeat(chosen, cells), areas)),
            pl.Series(labels, dtype=pl.Utf8).gather(cell_ids).alias("breakdown_key"),
        )

    def _reasons(self, value: Floats, codes: Codes | None) -> pl.Series:
        """The texts of the reason codes of the null values; each distinct text is made once."""
        size = value.size
        flat = None if codes is None else np.where(np.isnan(value), codes, np.uint64(0)).ravel()
        if flat is None or not flat.any():
            return self._nulls(size, pl.Utf8())
        given = np.flatnonzero(flat)
        distinct, inverse = np.unique(flat[given], return_inverse=True)
        texts = pl.Series(self._reason_texts(distinct), dtype=pl.Utf8).gather(inverse)
        # Few rows have a reason: they are written into a column of nulls (a copy of the shared
        # one), which is much cheaper than gathering a text for every row.
        return self._nulls(size, pl.Utf8()).clone().scatter(given, texts)

    def _nulls(self, size: int, dtype: pl.DataType) -> pl.Series:
        """`size` nulls: slices of one shared series, so that they take no memory."""
        shared = self._null_columns.get(dtype)
        if shared is None or shared.len() < size:
            shared = pl.Series([None], dtype=dtype).new_from_index(0, max(size, 1 << 20))
            self._null_columns[dtype] = shared
        return shared.slice(0, size)

    def _reason_texts(self, codes: Codes) -> list[str]:
        if self._area_codes is None:
            self._area_codes = self.tree.codes.to_list()
        return reason_texts(codes, self.observed.variables, self.observed.keys, self._area_codes)


def _repeated(value: str | None, size: int, dtype: pl.DataType) -> pl.Series:
    return pl.Series([value], dtype=dtype).new_from_index(0, size)


def _series(name: str, values: npt.NDArray[Any]) -> pl.Series:
    """A column of figures: NaN becomes null; ranks and deciles are whole numbers, 0 null."""
    if name in WHOLE_NUMBERS:
        return pl.Series(name, np.ma.MaskedArray(values, values == 0), dtype=WHOLE_NUMBERS[name])
    return pl.Series(name, values, nan_to_null=True)


def _chosen(out: Ints, count: int) -> Ints | slice:
    """`out` as an index, or a plain slice when it holds every period (no copies then)."""
    if out.size == count and (out == np.arange(count)).all():
        return slice(None)
    return out


def _figures(
    indicator: Indicator,
    layer: _Layer,
    value: Floats,
    city: Floats,
    periods: tuple[int, ...],
    change_years: int,
) -> dict[str, npt.NDArray[Any]]:
    """Comparison figures of the chosen periods (`value`, `city`), and changes of all periods."""
    city_value = np.broadcast_to(city, value.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(city_value == 0, np.nan, value / city_value)
    ranks = min_ranks(value, descending=indicator.polarity != "higher_is_better")
    relative = indicator.kind == "count"
    return {
        "value": value,
        "city_value": city_value,
        "diff_city": value - city_value,
        "ratio_city": ratio,
        "rank": ranks,
        "decile": deciles(ranks),
        "zscore": zscores(value),
        "change_1": differences(layer.value, lag_positions(periods, 1), relative=relative),
        "change_n": differences(
            layer.value, lag_positions(periods, change_years), relative=relative
        ),
    }


def _added(sums: list[tuple[Floats, Codes | None]]) -> tuple[Floats, Codes | None]:
    total = sums[0][0]
    for values, _ in sums[1:]:
        total = total + values
    return total, first_reason([codes for _, codes in sums], total.shape)


def years_text(years: list[int]) -> str:
    """Years as ranges.

    Examples
    --------
    >>> years_text([2008, 2009, 2010, 2015])
    '2008–2010, 2015'
    """
    runs: list[list[int]] = []
    for year in sorted(years):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)
