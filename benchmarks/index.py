"""How long `quartier index` takes, from file to result CSV.

Writes a UTF-8, semicolon-delimited table with decimal commas, thousands dots and a few status
flags (4 status shares, 4 changes, inhabitants) into a temporary folder.

    .venv/bin/python benchmarks/index.py [ROWS]

runs the command in-process (`call_command`) on ROWS areas (default 100,000) and prints the
seconds; loading the command module is timed apart. Target on a 2-core machine: <= 2 s.

    .venv/bin/python benchmarks/index.py --whole [ROWS] [--runs N]

times whole processes on ROWS areas (default 1,000,000): the console script `quartier index`,
plain pandas scripts and a plain polars script doing the same (`_index_pandas.py`,
`_index_polars.py`: read, index, write), each N times (default 3) in turns, and prints the best
and the median of each and quartier's share of pandas' time. The pandas script runs twice:
with pandas' C parser reading the German numbers, and reading every cell as text first, as
quartier does. Target: quartier <= 0.25 x pandas.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

HERE = Path(__file__).resolve().parent

STATUS = ["Arbeitslose", "Langzeitarbeitslose", "Transferbezug", "Transferbezug unter 15"]
DYNAMICS = [f"{name} Veränderung" for name in STATUS]


def _german(number: float) -> str:
    return f"{number:.5f}".replace(".", ",")


def write_table(path: Path, rows: int) -> None:
    """One record per area: id with leading zeros, inhabitants, shares and their changes."""
    rng = random.Random(1)
    header = ["Planungsraum", "Einwohner", *STATUS, *DYNAMICS]
    lines = [";".join(header) + "\n"]
    for index in range(rows):
        inhabitants = rng.randint(0, 30_000)
        people = f"{inhabitants:,}".replace(",", ".") if index % 997 else "."
        shares = [_german(rng.uniform(0, 60)) for _ in STATUS]
        changes = [_german(rng.gauss(0, 2)) for _ in DYNAMICS]
        lines.append(";".join([f"{index:08d}", people, *shares, *changes]) + "\n")
    path.write_text("".join(lines), encoding="utf-8")


def in_process(rows: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("QUARTIER_HOME", folder)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quartier.settings")
        import django

        django.setup()
        from django.core.management import call_command, load_command_class

        table, out = Path(folder) / "sozialindex.csv", Path(folder) / "index.csv"
        write_table(table, rows)
        size = table.stat().st_size / 1e6
        started = time.perf_counter()
        load_command_class("quartier.monitoring", "index")
        loading = time.perf_counter() - started
        started = time.perf_counter()
        call_command(
            "index", str(table), "--id", "Planungsraum", "--population", "Einwohner",
            "--status", ",".join(STATUS), "--dynamics", ",".join(DYNAMICS),
            "--exclude", "00000001,00000002", "--out", str(out),
            stdout=StringIO(), stderr=StringIO(),
        )  # fmt: skip
        seconds = time.perf_counter() - started
        written = sum(1 for _ in out.open(encoding="utf-8")) - 1
    print(f"{rows:,} areas, {size:.1f} MB, {written:,} result rows")
    print(f"loading the command (imports polars):  {loading:.2f} s")
    print(f"quartier index, file to result CSV:    {seconds:.2f} s")
    print(f"together:                              {loading + seconds:.2f} s")


def _seconds(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - started


def whole_processes(rows: int, runs: int) -> None:
    """quartier, pandas and polars as whole processes, in turns, on the same table."""
    python = sys.executable
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "QUARTIER_HOME": folder}
        table = Path(folder) / "sozialindex.csv"
        write_table(table, rows)
        columns = ["Planungsraum", "Einwohner", ",".join(STATUS), ",".join(DYNAMICS)]
        exclude = "00000001,00000002"
        quartier = [
            str(Path(python).parent / "quartier"), "index", str(table),
            "--id", columns[0], "--population", columns[1], "--status", columns[2],
            "--dynamics", columns[3], "--exclude", exclude, "--out", f"{folder}/quartier.csv",
        ]  # fmt: skip
        scripts = {
            name: [python, str(HERE / f"_index_{name}.py"), str(table), f"{folder}/{name}.csv"]
            for name in ("pandas", "polars")
        }
        scripts = {name: [*command, *columns, exclude] for name, command in scripts.items()}
        scripts["pandas, text first"] = [*scripts["pandas"], "text"]
        commands = {"quartier index": quartier, **scripts}
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, command in commands.items():
                times[name].append(_seconds(command, env))
        size = table.stat().st_size / 1e6
    print(f"{rows:,} areas, {size:.1f} MB; {runs} runs each, in turns (best, median)")
    for name, seconds in times.items():
        print(f"{name:20s} {min(seconds):5.2f} s  {statistics.median(seconds):5.2f} s")
    for yardstick in ("pandas", "pandas, text first"):
        ratio = statistics.median(times["quartier index"]) / statistics.median(times[yardstick])
        print(f"quartier / {yardstick} (medians): {ratio:.2f}")


def main() -> None:
    arguments = sys.argv[1:]
    runs = 3
    if "--runs" in arguments:
        position = arguments.index("--runs")
        runs = int(arguments[position + 1])
        del arguments[position : position + 2]
    if arguments[:1] == ["--whole"]:
        whole_processes(int(arguments[1]) if len(arguments) > 1 else 1_000_000, runs)
    else:
        in_process(int(arguments[0]) if arguments else 100_000)


if __name__ == "__main__":
    main()
