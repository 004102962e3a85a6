"""Benchmark: `quartier demo --no-serve` from an empty folder (target: under 2 minutes).

Usage: .venv/bin/python benchmarks/demo.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time


def main() -> None:
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
