"""Regenerate the tiny Musterstadt sample that `load_example()` reads.

    python scripts/make_musterstadt_example.py [--out FOLDER]

Generates the city of the default seed into a temporary folder and writes the sample into
src/quartier/analysis/musterstadt/example/ (or FOLDER). The same code always gives the same
bytes; tests/analysis/musterstadt/test_example.py checks that the committed sample is current.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from quartier.analysis.musterstadt import DEFAULT_SEED, generate, write_example

SAMPLE = Path(__file__).resolve().parents[1] / "src/quartier/analysis/musterstadt/example"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=SAMPLE, help=f"default: {SAMPLE}")
    out = parser.parse_args().out
    with tempfile.TemporaryDirectory() as folder:
        generate(DEFAULT_SEED, Path(folder))
        written = write_example(Path(folder), out)
    for path in written:
        print(f"{path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
