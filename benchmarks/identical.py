"""Are the benchmark city's results the same as at another commit, cell by cell?

A check for changes that must not change behaviour (a redesign, a speed-up): the synthetic
city of `monitoring.py` is written once; then, each in a process of its own, the work tree and
the other commit (its ``src`` and ``benchmarks`` taken with ``git archive``) compute the
indicator values (internal) and publish them (public), each side with its own `monitoring.py`,
so that either side may have its modules elsewhere. The two sides' frames are compared column
by column, nulls and NaN included; every column that differs is named with its number of
differing rows.

    .venv/bin/python benchmarks/identical.py --against main~1
    .venv/bin/python benchmarks/identical.py --against 0359dbd --leaves 1000 --years 5

Exits with 1 when anything differs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
VIEWS = ("internal", "public")
# Run in each side's process: that side's benchmark city code and its quartier.
_CHILD = """
import sys
sys.path.insert(0, {benchmarks!r})
import monitoring
import quartier
assert quartier.__file__.startswith({src!r}), quartier.__file__
state = {{"folder": __import__("pathlib").Path({city!r})}}
monitoring.load_polars(state)
monitoring.step_indicators(state)
state["values"].write_parquet({out!r} + "/internal.parquet")
public = monitoring.publish(state["values"], areas=state["areas"], catalogue=state["catalogue"])
public.write_parquet({out!r} + "/public.parquet")
"""


def extract(commit: str, folder: Path) -> Path:
    """The commit's ``src`` and ``benchmarks`` in `folder`; ValueError for an unknown commit."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", commit, "src", "benchmarks"],
        capture_output=True,
    )
    if archive.returncode != 0:
        raise ValueError(f"no commit {commit!r}: {archive.stderr.decode().strip()}")
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def results(side: Path, city: Path, out: Path) -> float:
    """Compute and publish with the code in `side`; the frames go to `out`; the seconds."""
    out.mkdir()
    code = _CHILD.format(
        benchmarks=str(side / "benchmarks"), src=str(side / "src"), city=str(city), out=str(out)
    )
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(side / "src")}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    return time.perf_counter() - started


def differences(left: pl.DataFrame, right: pl.DataFrame) -> list[str]:
    """What differs between two frames: shape, column names and types, values per column."""
    if left.columns != right.columns:
        return [f"columns {left.columns} against {right.columns}"]
    if left.height != right.height:
        return [f"{left.height:,} rows against {right.height:,}"]
    found = []
    for name in left.columns:
        a, b = left[name], right[name]
        if a.dtype != b.dtype:
            found.append(f"{name}: type {a.dtype} against {b.dtype}")
        elif not a.equals(b, check_names=True, null_equal=True):
            same = (a == b) | (a.is_null() & b.is_null())
            if a.dtype.is_float():
                same |= a.is_nan() & b.is_nan()
            found.append(f"{name}: {int((~same.fill_null(False)).sum()):,} rows differ")
    return [f for f in found if not f.endswith(": 0 rows differ")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", required=True, help="the commit to compare with")
    parser.add_argument("--leaves", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=20)
    options = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import monitoring

    with tempfile.TemporaryDirectory(prefix="identical-") as name:
        folder = Path(name)
        try:
            other = extract(options.against, folder / "other")
        except ValueError as error:
            print(f"identical.py: {error}", file=sys.stderr)
            return 2
        city = folder / "city"
        city.mkdir()
        monitoring.write_city(city, options.leaves, options.years)
        seconds = {
            "work tree": results(ROOT, city, folder / "tree"),
            options.against: results(other, city, folder / "against"),
        }
        print(", ".join(f"{side}: {s:.1f} s" for side, s in seconds.items()))
        failed = False
        for view in VIEWS:
            left = pl.read_parquet(folder / "tree" / f"{view}.parquet")
            right = pl.read_parquet(folder / "against" / f"{view}.parquet")
            found = differences(left, right)
            failed |= bool(found)
            verdict = "identical" if not found else "DIFFERENT: " + "; ".join(found)
            print(f"{view}: {left.height:,} rows × {left.width} columns, {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
