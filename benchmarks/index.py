"""How long `quartier index` takes for a 100,000-area table, from file to result CSV.

Writes a UTF-8, semicolon-delimited table with decimal commas, thousands dots and a few status
flags (4 status shares, 4 changes, inhabitants) into a temporary folder, then runs the command
in-process (`call_command`) and prints the seconds. Loading the command module, which imports
polars, is timed apart: it is paid once per process and depends on Python's bytecode cache.
Target on a 2-core machine: <= 2 s for file to result CSV.

    .venv/bin/python benchmarks/index.py [ROWS]
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

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


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
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


if __name__ == "__main__":
    main()
