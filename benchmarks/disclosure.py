"""Disclosure control side by side: quartier and τ-ARGUS on the same Musterstadt count tables.

Every table is one variable over the area hierarchy (city > Stadtbezirk > Sozialraum >
statistischer Bezirk), for the population also crossed with breakdowns, one table per year.
Counts of 1 and 2 are sensitive (minimum frequency 3), zeros are published as "-". Each tool
protects the tables: quartier (`disclose_counts`, public view), τ-ARGUS's modular method
(HiTaS) and its optimal method (pytauargus, the τ-ARGUS engine with HiGHS), each sensitive
cell with an upper protection level of 3. An attacker with a linear-programming solver
(`_disclosure_attack`) then bounds every sensitive cell from what each tool publishes.

Prints, per table and method: the years protected, sensitive cells, cells suppressed (primary
and secondary), their total value, the sensitive cells the attacker exposes (largest value
below 3 or interval narrower than 3), the same for an attacker who lets a "." be 0 (τ-ARGUS's
own audit), and the seconds the tool took. The output is a Markdown table.

"quartier, . ≥ 0" is quartier's protection asked for τ-ARGUS's requirement (a "." may be 0 to
the attacker): not a pattern quartier publishes, but the fair count to set against τ-ARGUS's.
"τ-ARGUS …, made safe" is the other way round: τ-ARGUS cannot be told that a "." is at least
1, so its pattern is attacked with that knowledge and the exposed cells' protection levels are
raised until the attacker exposes none (several τ-ARGUS runs per year; asked for by name).

    .venv/bin/python benchmarks/disclosure.py                  # all tables but einwohner_agn
    .venv/bin/python benchmarks/disclosure.py --tables hze einwohner_agn --years 2012 2020
    .venv/bin/python benchmarks/disclosure.py --methods quartier tau_mod
    .venv/bin/python benchmarks/disclosure.py --methods quartier tau_mod_safe tau_opt_safe
    .venv/bin/python benchmarks/disclosure.py --synthetic      # quartier's speed alone
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from multiprocessing import get_context

import numpy as np
import numpy.typing as npt

from _disclosure_attack import attack, relation_matrix
from _disclosure_tables import TOTAL, City, CountTable, build_table, load_city
from _quartier import protected_against_zero_floor, suppressed_cells
from quartier.analysis.musterstadt import DEFAULT_SEED

BoolArray = npt.NDArray[np.bool_]
MIN_COUNT = 3
WIDTH = 3
METHODS = {
    "quartier": "quartier",
    "quartier_floor0": "quartier, . ≥ 0",
    "tau_mod": "τ-ARGUS modular",
    "tau_opt": "τ-ARGUS optimal",
    "tau_mod_safe": "τ-ARGUS modular, made safe",
    "tau_opt_safe": "τ-ARGUS optimal, made safe",
}
# τ-ARGUS's method for each method run through it.
ENGINE_METHOD = {
    "tau_mod": "tau_mod",
    "tau_opt": "tau_opt",
    "tau_mod_safe": "tau_mod",
    "tau_opt_safe": "tau_opt",
}
# The methods run unless others are named: each τ-ARGUS pattern once.
DEFAULT_METHODS = ("quartier", "quartier_floor0", "tau_mod", "tau_opt")
# Rounds of raising protection levels before "made safe" gives up on a year.
SAFE_ROUNDS = 8
# The heaviest table (17,982 cells a year) is left out unless named.
DEFAULT_LEFT_OUT = ("einwohner_agn",)


@dataclass(frozen=True)
class Outcome:
    """What one method did to one table over the years it protected."""

    table: str
    method: str
    years: int = 0
    sensitive: int = 0
    suppressed: int = 0
    suppressed_value: int = 0
    exposed: int = 0
    exposed_zero: int = 0
    seconds: float = 0.0
    failed: str = ""

    def __add__(self, other: Outcome) -> Outcome:
        return replace(
            self,
            years=self.years + other.years,
            sensitive=self.sensitive + other.sensitive,
            suppressed=self.suppressed + other.suppressed,
            suppressed_value=self.suppressed_value + other.suppressed_value,
            exposed=self.exposed + other.exposed,
            exposed_zero=self.exposed_zero + other.exposed_zero,
            seconds=self.seconds + other.seconds,
            failed=self.failed or other.failed,
        )


class TauArgus:
    """τ-ARGUS runs in a worker process: an engine that crashes takes only the worker down."""

    def __init__(self, minutes: int) -> None:
        self.minutes = minutes
        self._pool: ProcessPoolExecutor | None = None

    def protect(
        self,
        table: CountTable,
        method: str,
        period: int,
        upper_protection: int | npt.NDArray[np.int64] = WIDTH,
    ) -> tuple[BoolArray, float]:
        """The cells of one year τ-ARGUS suppresses, and the seconds it took in the worker."""
        from _tauargus import timed_protect_year

        if self._pool is None:
            self._pool = ProcessPoolExecutor(1, mp_context=get_context("spawn"))
        cells = table.year(period).drop("period")
        job = self._pool.submit(
            timed_protect_year,
            cells,
            table.areas,
            table.dims,
            ENGINE_METHOD[method],
            self.minutes,
            upper_protection,
        )
        try:
            return job.result()
        except BrokenProcessPool:
            self._pool = None
            raise RuntimeError("the τ-ARGUS engine crashed") from None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()


def protect_quartier(table: CountTable) -> tuple[BoolArray, float, list[int]]:
    """quartier's pattern for every year at once, its seconds and the years it protected."""
    start = time.perf_counter()
    hidden = suppressed_cells(
        table.cells, table.areas, table.dims, min_count=MIN_COUNT, width=WIDTH, total=TOTAL
    )
    return hidden, time.perf_counter() - start, table.years()


def protect_quartier_floor0(table: CountTable) -> tuple[BoolArray, float, list[int]]:
    """quartier protecting as τ-ARGUS does, against an attacker who lets a "." be 0."""
    relations = relation_matrix(table.cells, table.parents(), table.dims)
    start = time.perf_counter()
    hidden = protected_against_zero_floor(
        table.cells["value"].to_numpy(), relations, min_count=MIN_COUNT, width=WIDTH
    )
    return hidden, time.perf_counter() - start, table.years()


def protect_tauargus(
    table: CountTable, method: str, engine: TauArgus
) -> tuple[BoolArray, float, list[int], str]:
    """τ-ARGUS's pattern, year by year; years without a sensitive cell need no run."""
    hidden = np.zeros(table.cells.height, dtype=np.bool_)
    periods = table.cells["period"].to_numpy()
    values = table.cells["value"].to_numpy()
    seconds, done, failed = 0.0, [], ""
    for period in table.years():
        rows = periods == period
        if not np.any((values[rows] > 0) & (values[rows] < MIN_COUNT)):
            done.append(period)
            continue
        try:
            if method.endswith("_safe"):
                hidden[rows], spent = protect_made_safe(table, method, period, engine)
            else:
                hidden[rows], spent = engine.protect(table, method, period)
        except Exception as error:  # the engine's errors have no common type
            failed = failed or f"{period}: {str(error).strip() or type(error).__name__}"
            continue
        seconds += spent
        done.append(period)
    return hidden, seconds, done, failed


def protect_made_safe(
    table: CountTable, method: str, period: int, engine: TauArgus
) -> tuple[BoolArray, float]:
    """τ-ARGUS's pattern of one year, its protection levels raised until it is safe.

    τ-ARGUS cannot be told that a "." is at least 1. So the pattern is attacked with that
    knowledge, and every sensitive cell the attacker exposes gets its upper protection level
    raised by what its interval lacks (to a largest value of `MIN_COUNT` and a width of
    `WIDTH`); τ-ARGUS then protects the year again, up to `SAFE_ROUNDS` times.
    """
    cells = table.year(period)
    values = cells["value"].to_numpy()
    relations = relation_matrix(cells, table.parents(), table.dims)
    levels = np.full(cells.height, WIDTH, dtype=np.int64)
    seconds = 0.0
    for attempt in range(1, SAFE_ROUNDS + 1):
        hidden, spent = engine.protect(table, method, period, levels)
        seconds += spent
        found = attack(values, hidden, relations, min_count=MIN_COUNT, width=WIDTH)
        print(
            f"  {table.name} {period}, {METHODS[method]}, round {attempt}: "
            f"{int(hidden.sum()):,} suppressed, {int(found.exposed.sum()):,} exposed, "
            f"{spent:.0f} s",
            file=sys.stderr,
            flush=True,
        )
        if not found.exposed.any():
            return hidden, seconds
        exposed = found.exposed & hidden[found.cells]
        if not exposed.any():
            raise RuntimeError("a sensitive cell is published")
        lacking = np.maximum(
            MIN_COUNT - found.upper[exposed], WIDTH - (found.upper - found.lower)[exposed]
        )
        levels[found.cells[exposed]] += np.maximum(lacking, 1).astype(np.int64)
    raise RuntimeError(f"still exposed after {SAFE_ROUNDS} rounds")


def outcome(table: CountTable, method: str, hidden: BoolArray, years: Sequence[int]) -> Outcome:
    """The attacker's figures for the years a method protected."""
    cells = table.cells.filter(table.cells["period"].is_in(list(years)))
    rows = table.cells["period"].is_in(list(years)).to_numpy()
    values, hidden = cells["value"].to_numpy(), hidden[rows]
    relations = relation_matrix(cells, table.parents(), table.dims)
    found = attack(values, hidden, relations, min_count=MIN_COUNT, width=WIDTH)
    weaker = attack(values, hidden, relations, min_count=MIN_COUNT, width=WIDTH, floor=0.0)
    return Outcome(
        table.name,
        method,
        years=len(years),
        sensitive=int(found.cells.size),
        suppressed=int(hidden.sum()),
        suppressed_value=int(values[hidden].sum()),
        exposed=int(found.exposed.sum()),
        exposed_zero=int(weaker.exposed.sum()),
    )


def run_method(table: CountTable, method: str, engine: TauArgus) -> Outcome:
    if method == "quartier":
        hidden, seconds, years = protect_quartier(table)
        failed = ""
    elif method == "quartier_floor0":
        hidden, seconds, years = protect_quartier_floor0(table)
        failed = ""
    else:
        hidden, seconds, years, failed = protect_tauargus(table, method, engine)
    result = outcome(table, method, hidden, years)
    return replace(result, seconds=seconds, failed=failed)


def report(outcomes: Sequence[Outcome], years: int) -> str:
    """The figures as a Markdown table: every table and method, then the totals per method.

    The common total is over the tables every method protected in every year; the other over
    the tables each method protected in every year.
    """
    head = (
        "| table | method | years | sensitive | suppressed | suppressed value | exposed "
        "| exposed if . ≥ 0 | s |"
    )
    lines = [head, "|---|---|--:|--:|--:|--:|--:|--:|--:|"]
    lines += [_row(o, years) for o in outcomes]
    complete = [o for o in outcomes if o.years == years]
    failed = {o.table for o in outcomes if o.years < years}
    common = [o for o in complete if o.table not in failed]
    lines += _totals(common, years, "**total, common tables**")
    if failed:
        lines += _totals(complete, years, "**total, tables it protected**")
    failures = [f"- {o.table}, {METHODS[o.method]}: {o.failed}" for o in outcomes if o.failed]
    if failures:
        lines += ["", "Failed (years left out of the row; first error):", *failures]
    return "\n".join(lines)


def _totals(outcomes: Sequence[Outcome], years: int, label: str) -> list[str]:
    lines = []
    for method in METHODS:
        chosen = [o for o in outcomes if o.method == method]
        if not chosen:
            continue
        total = sum(chosen[1:], chosen[0])
        lines.append(_row(replace(total, table=label), years * len(chosen)))
    return lines


def _row(o: Outcome, years: int) -> str:
    done = f"{o.years}" if o.years == years else f"{o.years} of {years}"
    return (
        f"| {o.table} | {METHODS[o.method]} | {done} | {o.sensitive:,} | {o.suppressed:,} | "
        f"{o.suppressed_value:,} | {o.exposed:,} | {o.exposed_zero:,} | {o.seconds:.2f} |"
    )


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Musterstadt's seed")
    parser.add_argument("--years", type=int, nargs="+", help="years (default: all)")
    parser.add_argument("--tables", nargs="+", help="tables (default: all but einwohner_agn)")
    parser.add_argument(
        "--methods", nargs="+", choices=list(METHODS), default=list(DEFAULT_METHODS), help="methods"
    )
    parser.add_argument(
        "--minutes",
        type=int,
        default=5,
        help="τ-ARGUS's time limit (optimal: per table and year; modular: per subtable)",
    )
    parser.add_argument("--synthetic", action="store_true", help="quartier's speed alone")
    return parser.parse_args(argv)


def chosen_tables(
    city: City, names: Sequence[str] | None, years: Sequence[int] | None
) -> list[CountTable]:
    """The tables asked for (default: all but `DEFAULT_LEFT_OUT`); ValueError names a wrong one."""
    names = names or [n for n in city.table_names() if n not in DEFAULT_LEFT_OUT]
    return [build_table(city, name, years) for name in names]


def run_all(tables: Sequence[CountTable], methods: Sequence[str], minutes: int) -> list[Outcome]:
    """Every method on every table; each row goes to stderr as soon as it is done."""
    engine = TauArgus(minutes)
    outcomes = []
    try:
        for table in tables:
            for method in methods:
                outcomes.append(run_method(table, method, engine))
                print(_row(outcomes[-1], len(table.years())), file=sys.stderr, flush=True)
    finally:
        engine.close()
    return outcomes


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    if arguments.synthetic:
        from _disclosure_speed import main as speed

        speed()
        return 0
    city = load_city(arguments.seed)
    try:
        tables = chosen_tables(city, arguments.tables, arguments.years)
    except ValueError as error:
        print(f"disclosure.py: {error}", file=sys.stderr)
        return 2
    outcomes = run_all(tables, arguments.methods, arguments.minutes)
    print(report(outcomes, len(tables[0].years())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
