"""Benchmark: the monitoring pipeline on a synthetic large city (target: ≤ 5 s and ≤ 2 GB).

The city has 10,000 lowest-level areas in a 3-level hierarchy (city > 100 districts > 10,000
quarters), 40 indicators and 20 years: 38 count variables, of which the population is also
broken down by age group × gender (16 cells), with secret (".") and nothing ("-") cells. That is
about 10.8 million observations and 8 million indicator values (totals).

The pipeline is a list of steps, each a function that takes and extends a shared state, so that
further steps (composite indices, disclosure control) can be added to the timed run. The same
indicator steps run in a plain pandas implementation (without missing reasons and breakdown
values) in the same run, each implementation in its own process so that its peak memory is its
own. Peak memory is the resident high-water mark (VmHWM), reset after loading the input and
before each step, so that every step shows its own peak.

Usage: .venv/bin/python benchmarks/monitoring.py [--leaves 10000] [--years 20] [--no-pandas]
       [--warm-memory GIB]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from quartier.analysis.catalogue import Catalogue, Domain, Indicator, Term
from quartier.analysis.disclosure import publish
from quartier.analysis.indicators import compute_indicators
from quartier.analysis.indices import IndexIndicator, berlin_mss, berlin_mss_params, classify_areas

State = dict[str, Any]
Step = tuple[str, Callable[[State], None]]

DISTRICTS = 100
FIRST_YEAR = 2006
AGE_GROUPS = ("0-5", "6-14", "15-17", "18-24", "25-44", "45-64", "65-79", "80+")
GENDERS = ("männlich", "weiblich")
AGE_SHARES = np.array([0.06, 0.08, 0.03, 0.08, 0.27, 0.27, 0.15, 0.06])
# Population groups used as denominators, as shares of the population.
DENOMINATORS = {
    "einwohner_u65": 0.79,
    "einwohner_65plus": 0.21,
    "einwohner_15_64": 0.65,
    "kinder_u15": 0.14,
    "haushalte": 0.52,
    "wohnungen": 0.55,
    "schuleingang": 0.01,
}
NUMERATORS = 30
SECRET_SHARE = 0.003
NOTHING_SHARE = 0.02


@dataclass(frozen=True)
class City:
    """The synthetic city as plain arrays, to build polars or pandas frames from."""

    areas: dict[str, list[Any]]
    observations: dict[str, np.ndarray]
    names: dict[str, list[str]]


# --- the synthetic city --------------------------------------------------------------------------


def synthetic_city(leaves: int, years: int, seed: int = 7) -> City:
    """Areas and observations; the observations hold ids into `names` (area, variable, key,
    flag) to keep generation fast."""
    rng = np.random.default_rng(seed)
    per_district = leaves // DISTRICTS
    leaf_codes = [f"{1 + i // per_district:03d}{i % per_district:04d}" for i in range(leaves)]
    districts = [f"{d:03d}" for d in range(1, DISTRICTS + 1)]
    areas = {
        "code": ["000", *districts, *leaf_codes],
        "level": ["stadt"] + ["bezirk"] * DISTRICTS + ["quartier"] * leaves,
        "rank": [0] + [1] * DISTRICTS + [2] * leaves,
        "parent": [None] + ["000"] * DISTRICTS + [code[:3] for code in leaf_codes],
    }
    first_leaf = 1 + DISTRICTS
    population = rng.integers(300, 3000, size=(leaves, 1)) * np.linspace(1, 1.1, years)[None, :]
    population = np.rint(population)
    totals = {"einwohner": population}
    for name, share in DENOMINATORS.items():
        totals[name] = np.rint(population * share * rng.uniform(0.9, 1.1, size=(leaves, 1)))
    denominators = list(DENOMINATORS)
    for k in range(NUMERATORS):
        base = totals[denominators[k % len(denominators)]]
        totals[f"n{k:02d}"] = rng.binomial(base.astype(np.int64), rng.uniform(0.02, 0.3)).astype(
            np.float64
        )
    variables = list(totals)
    columns = [_totals(totals, first_leaf), _breakdown(rng, population, first_leaf)]
    observations = {k: np.concatenate([c[k] for c in columns]) for k in columns[0]}
    _flag(rng, observations, numerator_ids=range(1 + len(DENOMINATORS), len(totals)))
    keys = [""] + [f"age_group={a};gender={g}" for a in AGE_GROUPS for g in GENDERS]
    names = {
        "area": areas["code"],
        "variable": variables,
        "key": keys,
        "flag": ["", "-", "."],
        "period": list(range(FIRST_YEAR, FIRST_YEAR + years)),
    }
    return City(areas, observations, names)


def _totals(totals: dict[str, np.ndarray], first_leaf: int) -> dict[str, np.ndarray]:
    stacked = np.stack(list(totals.values()))  # variable × leaf × year
    variable, leaf, year = np.indices(stacked.shape).reshape(3, -1)
    return {
        "area": (leaf + first_leaf).astype(np.int64),
        "period": year.astype(np.int64),
        "variable": variable.astype(np.int64),
        "key": np.zeros(variable.size, dtype=np.int64),
        "value": stacked.reshape(-1),
        "flag": np.zeros(variable.size, dtype=np.int64),
    }


def _breakdown(
    rng: np.random.Generator, population: np.ndarray, first_leaf: int
) -> dict[str, np.ndarray]:
    """The population by age group × gender; the cells add up to the total."""
    leaves, years = population.shape
    cells = len(AGE_GROUPS) * len(GENDERS)
    shares = np.repeat(AGE_SHARES / 2, len(GENDERS))
    counts = rng.multinomial(population.astype(np.int64).reshape(-1), shares)  # (leaf·year) × cell
    leaf, year, cell = np.indices((leaves, years, cells)).reshape(3, -1)
    return {
        "area": (leaf + first_leaf).astype(np.int64),
        "period": year.astype(np.int64),
        "variable": np.zeros(leaf.size, dtype=np.int64),
        "key": (cell + 1).astype(np.int64),
        "value": counts.reshape(-1).astype(np.float64),
        "flag": np.zeros(leaf.size, dtype=np.int64),
    }


def _flag(
    rng: np.random.Generator, observations: dict[str, np.ndarray], numerator_ids: range
) -> None:
    """Some numerator cells become secret ("."), some nothing ("-")."""
    is_numerator = (observations["variable"] >= numerator_ids.start) & (
        observations["variable"] < numerator_ids.stop
    )
    draw = rng.random(observations["value"].size)
    secret = is_numerator & (draw < SECRET_SHARE)
    nothing = is_numerator & (draw >= SECRET_SHARE) & (draw < SECRET_SHARE + NOTHING_SHARE)
    observations["flag"][nothing] = 1
    observations["flag"][secret] = 2
    observations["value"][secret | nothing] = np.nan


def catalogue() -> Catalogue:
    """40 indicators: 4 breakdown shares, a count, a change and 34 rates."""
    domain = Domain("test", "Test", "Test")
    polarities = ("higher_is_worse", "higher_is_better", "neutral")
    items = [
        _share("unter_18", ["0-5", "6-14", "15-17"]),
        _share("ab_65", ["65-79", "80+"]),
        _share("ab_80", ["80+"]),
        Indicator(
            "frauen", "Frauen", "Women", "test", "%",
            (Term("einwohner", (("gender", ("weiblich",)),)),), "neutral", "-",
            denominator=(Term("einwohner"),), scale=100,
        ),
        Indicator("einwohner", "E", "E", "test", "Anzahl", (Term("einwohner"),), "neutral", "-",
                  kind="count"),
        Indicator("entwicklung", "E", "E", "test", "%", (Term("einwohner"),), "neutral", "-",
                  kind="change", years=5, scale=100),
    ]  # fmt: skip
    denominators = list(DENOMINATORS)
    for k in range(NUMERATORS + 4):
        numerator = (Term(f"n{k % NUMERATORS:02d}"),)
        if k >= NUMERATORS:
            numerator += (Term(f"n{(k + 7) % NUMERATORS:02d}"),)
        items.append(
            Indicator(
                f"rate{k:02d}", "R", "R", "test", "%", numerator,
                polarities[k % 3], "-",
                denominator=(Term(denominators[k % len(denominators)]),),
                scale=100.0 if k % 2 else 1000.0, in_index=True,
            )
        )  # fmt: skip
    return Catalogue((domain,), tuple(items))


def _share(key: str, ages: list[str]) -> Indicator:
    return Indicator(
        key, key, key, "test", "%", (Term("einwohner", (("age_group", tuple(ages)),)),),
        "neutral", "-", denominator=(Term("einwohner"),), scale=100,
    )  # fmt: skip


def polars_observations(city: City) -> pl.DataFrame:
    o, n = city.observations, city.names

    def texts(name: str, ids: np.ndarray) -> pl.Series:
        # Categorical, as the monitoring selector hands the observations over.
        return pl.Series(n[name], dtype=pl.Categorical).gather(ids)

    return pl.DataFrame(
        {
            "area": texts("area", o["area"]),
            "period": np.asarray(n["period"], dtype=np.int64)[o["period"]],
            "variable": texts("variable", o["variable"]),
            "breakdown_key": texts("key", o["key"]),
            "value": pl.Series(o["value"], nan_to_null=True),
            "flag": texts("flag", o["flag"]),
        }
    )


# --- the pipeline under test ------------------------------------------------------------------


def load_polars(state: State) -> None:
    """The input, as a selector would hand it over (not timed)."""
    state["observations"] = pl.read_parquet(state["folder"] / OBSERVATIONS)
    state["areas"] = pl.read_parquet(state["folder"] / AREAS)
    state["catalogue"] = catalogue()


def step_indicators(state: State) -> None:
    """Aggregation up the hierarchy, rates, city reference, ranks, deciles, z-scores, changes.

    The observations are let go once the indicators are computed: no later step needs them.
    """
    results = compute_indicators(
        state.pop("observations"), state["areas"], state["catalogue"], breakdowns=False
    )
    state["values"] = results.values
    state["rows"] = results.values.height


def step_breakdowns_last_year(state: State) -> None:
    """An incremental run: the last year only, with breakdown values (by age group, gender)."""
    last = int(state["observations"]["period"].max())
    results = compute_indicators(
        state["observations"], state["areas"], state["catalogue"], years=[last]
    )
    state["rows"] = results.values.height


def _last_year(state: State, level: str, indicators: list[str] | None = None) -> pl.DataFrame:
    values: pl.DataFrame = state["values"]
    last = int(values["period"].max())
    chosen = (pl.col("period") == last) & (pl.col("level") == level)
    if indicators is not None:
        chosen &= pl.col("indicator").is_in(indicators)
    return values.filter(chosen)


def step_berlin_mss(state: State) -> None:
    """The Berlin MSS index on the lowest level, last year: 4 status and 4 dynamics columns."""
    rates = [f"rate{k:02d}" for k in range(4)]
    values = _last_year(state, "quartier", [*rates, "einwohner"])
    wide = values.pivot(on="indicator", index="area", values=["value", "change_n"])
    status = [f"value_{rate}" for rate in rates]
    dynamics = [f"change_n_{rate}" for rate in rates]
    table = wide.select("area", pl.col("value_einwohner").alias("population"), *status, *dynamics)
    result = berlin_mss(table, id_column="area", population="population", status=status,
                        dynamics=dynamics, params=berlin_mss_params())  # fmt: skip
    state["mss_participants"] = result.frame.height


def step_below_average(state: State) -> None:
    """The below-average rule (Aktionsräume) on the district level, last year."""
    index = [
        IndexIndicator(i.key, f"domain{n % 4}", bool(i.higher_is_worse))
        for n, i in enumerate(state["catalogue"])
        if i.in_index and i.higher_is_worse is not None
    ]
    classify_areas(_last_year(state, "bezirk"), index, domain_share=0.5, min_domains=3)


def step_disclosure(state: State) -> None:
    """The publication of all indicator values, all years (what `quartier compute` stores)."""
    catalogue: Catalogue = state["catalogue"]
    publish(state["values"], areas=state["areas"], catalogue=catalogue)


# The timed pipeline: every step takes the state with "values" (the indicator results).
POLARS_STEPS: list[Step] = [
    ("indicators, all years (totals)", step_indicators),
    ("Berlin MSS index (lowest level, last year)", step_berlin_mss),
    ("below-average rule (districts, last year)", step_below_average),
    ("disclosure control (all values, all years)", step_disclosure),
]
INCREMENTAL_STEPS: list[Step] = [
    ("indicators, last year, with breakdown values", step_breakdowns_last_year),
]


# --- the same indicator steps in plain pandas -------------------------------------------------


def load_pandas(state: State) -> None:
    import pandas as pd

    frame = pl.read_parquet(state["folder"] / OBSERVATIONS)
    state["observations"] = pd.DataFrame({c: frame[c].to_numpy() for c in frame.columns})
    del frame
    areas = pl.read_parquet(state["folder"] / AREAS)
    state["areas"] = pd.DataFrame({c: areas[c].to_list() for c in areas.columns})
    state["catalogue"] = catalogue()


def pandas_terms(state: State) -> None:
    """Flags, the totals as one column per variable, and the terms restricted to breakdowns."""
    obs = state.pop("observations")
    value = obs["value"].where(obs["flag"] != "-", 0.0).where(~obs["flag"].isin([".", "x"]))
    obs["value"] = value
    totals = obs[obs["breakdown_key"] == ""]
    wide = totals.set_index(["area", "period", "variable"])["value"].unstack("variable")
    broken = obs[obs["breakdown_key"] != ""]
    keys = {
        k: dict(p.split("=", 1) for p in k.split(";")) for k in broken["breakdown_key"].unique()
    }
    for indicator in state["catalogue"]:
        for term in indicator.terms:
            if term.breakdown and str(term) not in wide.columns:
                matching = [
                    k for k, parts in keys.items()
                    if all(parts.get(d) in allowed for d, allowed in term.breakdown)
                ]  # fmt: skip
                chosen = broken["breakdown_key"].isin(matching)
                rows = broken[(broken["variable"] == term.variable) & chosen]
                rows = rows.assign(null=rows["value"].isna())
                sums = rows.groupby(["area", "period"]).agg(
                    value=("value", "sum"), null=("null", "any")
                )
                wide[str(term)] = sums["value"].mask(sums["null"])
    state["wide"] = wide


def pandas_aggregate(state: State) -> None:
    """Children sum to parents, level by level; a null child makes the parent null."""
    import pandas as pd

    areas = state["areas"]
    parent = dict(zip(areas["code"], areas["parent"], strict=True))
    rank = dict(zip(areas["code"], areas["rank"], strict=True))
    level = dict(zip(areas["code"], areas["level"], strict=True))
    layers = [state.pop("wide")]
    while rank[layers[-1].index.get_level_values("area")[0]] > 0:
        child = layers[-1]
        codes = child.index.get_level_values("area")
        keys = [codes.map(parent).rename("area"), child.index.get_level_values("period")]
        layers.append(child.groupby(keys).sum().mask(child.isna().groupby(keys).any()))
    combined = pd.concat(layers)
    combined["level"] = combined.index.get_level_values("area").map(level)
    state["counts"] = combined


def pandas_rates(state: State) -> None:
    """Each indicator from the summed counts, in one long table."""
    import pandas as pd

    counts = state.pop("counts")
    parts = []
    for indicator in state["catalogue"]:
        numerator = sum(counts[str(t)] for t in indicator.numerator)
        frame = numerator.rename("numerator").reset_index()
        if indicator.kind == "change":
            earlier = numerator.rename("earlier").reset_index()
            earlier["period"] += indicator.years or 0
            denominator = frame.merge(earlier, on=["area", "period"], how="left")["earlier"]
            value = (frame["numerator"] / denominator.where(denominator != 0) - 1) * indicator.scale
        elif indicator.kind == "count":
            denominator = pd.Series(np.nan, index=frame.index)
            value = frame["numerator"] * indicator.scale
        else:
            total = sum(counts[str(t)] for t in indicator.denominator)
            denominator = pd.Series(total.to_numpy(), index=frame.index)
            value = frame["numerator"] / denominator.where(denominator != 0) * indicator.scale
        frame["denominator"] = denominator
        frame["value"] = value
        frame["level"] = counts["level"].to_numpy()
        frame["indicator"] = indicator.key
        parts.append(frame)
    state["values"] = pd.concat(parts, ignore_index=True)


def pandas_reference(state: State) -> None:
    """The city value of the same indicator and year, difference and ratio."""
    values = state["values"]
    city = values[values["level"] == "stadt"][["indicator", "period", "value"]]
    values = values.merge(city.rename(columns={"value": "city_value"}), on=["indicator", "period"])
    values["diff_city"] = values["value"] - values["city_value"]
    values["ratio_city"] = values["value"] / values["city_value"].where(values["city_value"] != 0)
    state["values"] = values


def pandas_ranks(state: State) -> None:
    """Rank (polarity-aware), decile and z-score within indicator, level and year."""
    values = state["values"]
    better = {i.key for i in state["catalogue"] if i.polarity == "higher_is_better"}
    values["_key"] = values["value"] * np.where(values["indicator"].isin(better), -1.0, 1.0)
    groups = values.groupby(["indicator", "level", "period"])
    values["rank"] = groups["_key"].rank(method="min", ascending=False)
    count = groups["value"].transform("count")
    values["decile"] = np.floor(10 * (values["rank"] - 1) / count) + 1
    mean = groups["value"].transform("mean")
    spread = groups["value"].transform("std", ddof=0)
    values["zscore"] = (values["value"] - mean) / spread.where(spread > 0)
    state["values"] = values.drop(columns="_key")


def pandas_changes(state: State) -> None:
    """Changes against 1 and 5 years before (percent for counts)."""
    values = state["values"]
    counts = {i.key for i in state["catalogue"] if i.kind == "count"}
    relative = values["indicator"].isin(counts).to_numpy()
    now = values["value"].to_numpy()
    for name, years in (("change_1", 1), ("change_n", 5)):
        earlier = values[["indicator", "area", "period", "value"]].copy()
        earlier["period"] += years
        before = (
            values[["indicator", "area", "period"]]
            .merge(earlier, on=["indicator", "area", "period"], how="left")["value"]
            .to_numpy()
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            percent = (now / np.where(before == 0, np.nan, before) - 1) * 100
        values[name] = np.where(relative, percent, now - before)
    state["rows"] = len(values)


PANDAS_STEPS: list[Step] = [
    ("terms (flags, totals by variable, breakdown terms)", pandas_terms),
    ("aggregation up the hierarchy", pandas_aggregate),
    ("rates", pandas_rates),
    ("city reference", pandas_reference),
    ("ranks, deciles, z-scores", pandas_ranks),
    ("changes", pandas_changes),
]


# --- running -----------------------------------------------------------------------------------

OBSERVATIONS = "observations.parquet"
AREAS = "areas.parquet"
RUNS: dict[str, tuple[Callable[[State], None], list[Step]]] = {
    "polars": (load_polars, POLARS_STEPS),
    "incremental": (load_polars, INCREMENTAL_STEPS),
    "pandas": (load_pandas, PANDAS_STEPS),
}


def peak_mb() -> float:
    """Peak resident memory of this process in MB: VmHWM, which `reset_peak` can reset."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


def reset_peak() -> bool:
    """Start the peak memory afresh (Linux), so that loading the input does not count."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def run_steps(kind: str, folder: Path) -> dict[str, Any]:
    """Load the input, then run the steps in order on one state, timing each."""
    load, steps = RUNS[kind]
    state: State = {"folder": folder}
    load(state)
    input_mb = peak_mb() if reset_peak() else None
    timings = []
    for name, step in steps:
        reset_peak()
        started, cpu = time.perf_counter(), time.process_time()
        step(state)
        elapsed, processor = time.perf_counter() - started, time.process_time() - cpu
        timings.append((name, elapsed, processor, peak_mb()))
    peak = max([input_mb or 0.0] + [step_peak for *_, step_peak in timings])
    return {"steps": timings, "peak_mb": peak, "input_mb": input_mb, "rows": state["rows"]}


def write_city(folder: Path, leaves: int, years: int) -> tuple[int, int]:
    city = synthetic_city(leaves, years)
    observations = polars_observations(city)
    observations.write_parquet(folder / OBSERVATIONS)
    pl.DataFrame(city.areas).write_parquet(folder / AREAS)
    return observations.height, len(city.areas["code"])


def in_child(kind: str, folder: Path) -> dict[str, Any]:
    """Run one implementation in a fresh process, so that its memory is its own."""
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--folder", str(folder)],
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def report(title: str, figures: dict[str, Any]) -> float:
    """Print the figures of one run; return its total seconds."""
    memory = f"peak memory {figures['peak_mb']:,.0f} MB"
    if figures["input_mb"] is not None:
        memory += f", of which {figures['input_mb']:,.0f} MB before the first step"
    print(f"\n{title} ({memory})")
    total = sum(seconds for _, seconds, _, _ in figures["steps"])
    cpu = sum(processor for _, _, processor, _ in figures["steps"])
    for name, seconds, processor, step_peak in figures["steps"]:
        print(f"  {name:<52} {seconds:6.2f} s  (CPU {processor:6.2f} s, peak {step_peak:,.0f} MB)")
    print(f"  {'total':<52} {total:6.2f} s  (CPU {cpu:6.2f} s)")
    return total


def warm_memory(gigabytes: float) -> None:
    """Touch and free that much memory once, in a process of its own, and say how long it took.

    On a virtual machine whose host backs guest memory only when it is first touched (such as
    a Firecracker micro-VM), a fresh page costs a fault on the host too, and a run that needs
    gigabytes of pages the guest never used pays seconds for it that a real server does not.
    Touching the memory once beforehand leaves those pages backed for the runs that follow.
    """
    code = (
        "import numpy as np\n"
        f"blocks = [np.ones(2**27) for _ in range({int(gigabytes)})]\n"  # 1 GiB each
    )
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    print(f"Touched {int(gigabytes)} GiB of memory first in {time.perf_counter() - started:.1f} s")


def pandas_available() -> bool:
    try:
        import pandas  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leaves", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=20)
    parser.add_argument("--no-pandas", action="store_true", help="skip the pandas comparison")
    parser.add_argument(
        "--warm-memory",
        type=float,
        default=0,
        metavar="GIB",
        help="touch this much memory once before the runs (see `warm_memory`)",
    )
    parser.add_argument("--child", choices=list(RUNS), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(run_steps(options.child, options.folder)))
        return
    if options.warm_memory:
        warm_memory(options.warm_memory)
    with tempfile.TemporaryDirectory() as folder:
        rows, areas = write_city(Path(folder), options.leaves, options.years)
        print(
            f"Synthetic city: {areas:,} areas in 3 levels ({options.leaves:,} lowest-level), "
            f"{options.years} years, {len(catalogue())} indicators, {rows:,} observations"
        )
        ours = in_child("polars", Path(folder))
        report(f"quartier: {ours['rows']:,} indicator values", ours)
        extra = in_child("incremental", Path(folder))
        report(f"quartier, incremental: {extra['rows']:,} values", extra)
        if options.no_pandas:
            return
        if not pandas_available():
            print("\npandas is not installed: no comparison (`uv pip install pandas` to run it).")
            return
        theirs = in_child("pandas", Path(folder))
        other = report(f"plain pandas, the same indicator steps: {theirs['rows']:,} values", theirs)
        # Compare like with like: pandas implements the indicator step only.
        indicator_seconds = ours["steps"][0][1]
        print(
            f"\npandas takes {other / indicator_seconds:.1f} × the time of quartier's indicator "
            f"step ({other:.2f} s against {indicator_seconds:.2f} s)."
        )


if __name__ == "__main__":
    main()
