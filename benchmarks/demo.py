"""Benchmark: Musterstadt's generation (target: under 20 s) and `quartier demo --no-serve`
from an empty folder (target: under 2 minutes).

Usage: .venv/bin/python benchmarks/demo.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    from quartier.analysis.musterstadt import DEFAULT_SEED, generate

    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        generate(DEFAULT_SEED, Path(folder))
        print(f"Musterstadt generated: {time.perf_counter() - started:.1f} s")
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "QUARTIER_HOME": home, "QUARTIER_DATABASE_URL": ""}
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "quartier", "demo", "--no-serve"],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        print(f"quartier demo --no-serve (SQLite): {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
