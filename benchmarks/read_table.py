"""How long a 1,000,000-row German statistics CSV takes from file to tidy frame.

Writes a cp1252, semicolon-delimited file with decimal commas, thousands dots, spaces and
non-breaking spaces as thousands separators, status flags and a header with a line break into a
temporary folder, then times `read_table` and `tidy_table` and prints the seconds.

    .venv/bin/python benchmarks/read_table.py [ROWS]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

from quartier.analysis.tables import TableSpec, read_table, tidy_table

HEADER = 'Bezirk;Jahr;Einwohner;"Anteil\nSGB II (%)";Arbeitslose;Kinder unter 6;Fläche (ha)\n'
FLAGGED = [".", "-", "–", "x", "- 23", "1\u00a0675", "12"]


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def write_table(path: Path, rows: int) -> None:
    """A wide table in the form German offices publish: one record per area and year."""
    rng = random.Random(1)
    lines = [HEADER]
    for index in range(rows):
        area = f"{index % 200_000:08d}"
        year = 2005 + index // 200_000
        share = f"{rng.uniform(0, 60):.1f}".replace(".", ",")
        hectares = f"{rng.uniform(0, 500):.2f}".replace(".", ",")
        children = f"{rng.randint(1, 999)} {rng.randint(100, 999)}"
        lines.append(
            f"{area};{year};{_thousands(rng.randint(0, 2_000_000))};{share};"
            f"{rng.choice(FLAGGED)};{children};{hectares}\n"
        )
    path.write_text("".join(lines), encoding="cp1252")


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bevoelkerung.csv"
        write_table(path, rows)
        size = path.stat().st_size / 1e6
        start = time.perf_counter()
        raw = read_table(path)
        read = time.perf_counter() - start
        tidy = tidy_table(raw, TableSpec(area="Bezirk", period="Jahr"))
        total = time.perf_counter() - start
    print(f"{rows:,} rows, {size:.0f} MB, {raw.encoding}, delimiter {raw.delimiter!r}")
    print(f"read_table:             {read:6.2f} s")
    print(f"tidy_table:             {total - read:6.2f} s  ({tidy.height:,} values)")
    print(f"file to tidy frame:     {total:6.2f} s")


if __name__ == "__main__":
    main()
