"""Benchmark: import 1,000,000 observation rows from a German CSV, on SQLite and PostgreSQL.

Usage:
    .venv/bin/python benchmarks/import.py                      # SQLite in a temporary folder
    .venv/bin/python benchmarks/import.py --postgres URL       # also PostgreSQL (database is reset)

Prints seconds for the first import (all rows new), the re-import (nothing changes) and peak
memory. Target on a 2-core machine: first import <= 30 s on each database.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AREAS = 1_000
YEARS = 20
VARIABLES = 50  # 1,000 x 20 x 50 = 1,000,000 rows


def write_csv(path: Path) -> None:
    """A long German table: `;`, decimal comma, thousands dots, some flagged cells."""
    with path.open("w", encoding="utf-8") as out:
        out.write("Gebiet;Jahr;Merkmal;Wert\n")
        for area in range(AREAS):
            for year in range(2006, 2006 + YEARS):
                for variable in range(VARIABLES):
                    value = (area * 7919 + year * 31 + variable * 17) % 25_000
                    if value % 997 == 0:
                        text = "."
                    elif value >= 1000:
                        text = f"{value // 1000}.{value % 1000:03d},5"
                    else:
                        text = f"{value},5"
                    out.write(f"{area:05d};{year};Merkmal {variable:02d};{text}\n")


MAPPING = """layout: long
area: Gebiet
period: Jahr
variable: Merkmal
value: Wert
area_level: bezirk
source: Benchmark
"""


def run_one(database_url: str, folder: Path) -> None:
    """Runs in a child process so that Django reads the database URL at start-up."""
    os.environ["QUARTIER_DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "quartier.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from quartier.areas.models import Area, AreaLevel
    from quartier.monitoring.models import Observation

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    level = AreaLevel.objects.create(key="bezirk", name="Bezirk", rank=0)
    Area.objects.bulk_create(
        Area(level=level, code=f"{i:05d}", name=f"Bezirk {i}") for i in range(AREAS)
    )
    csv_path, mapping_path = folder / "observations.csv", folder / "mapping.yaml"
    mapping_path.write_text(MAPPING, encoding="utf-8")
    for label in ("first import", "re-import"):
        started = time.perf_counter()
        call_command("import_data", str(csv_path), "--mapping", str(mapping_path), verbosity=0)
        seconds = time.perf_counter() - started
        print(f"  {label}: {seconds:.1f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  rows in database: {Observation.objects.count():,}; peak memory {peak:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", help="PostgreSQL URL; its tables are emptied")
    parser.add_argument("--child", nargs=2, metavar=("URL", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_one(args.child[0], Path(args.child[1]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        write_csv(folder / "observations.csv")
        size = (folder / "observations.csv").stat().st_size / 1e6
        print(f"wrote {AREAS * YEARS * VARIABLES:,} rows ({size:.0f} MB) in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        targets = [("SQLite", f"sqlite:///{folder / 'bench.sqlite3'}")]
        if args.postgres:
            targets.append(("PostgreSQL", args.postgres))
        for name, url in targets:
            print(f"{name}:")
            command = [sys.executable, __file__, "--child", url, str(folder)]
            subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
