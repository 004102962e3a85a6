"""τ-ARGUS (pytauargus, the engine with HiGHS) on one Musterstadt count table of one year.

The table goes in as tabular data, the way official statistics hand τ-ARGUS a table they
have already aggregated: a ``.tab`` file with every cell (totals included), a ``.rda`` file
describing its columns, a ``.hrc`` file with the area hierarchy and an ``.arb`` batch, run
in-process by ``pytauargus.engine.run_batch``. The batch writes the protected table as a
simple intermediate file (``WRITETABLE`` type 5, ``SO+``), read back with
``pytauargus.result.parse_simple_tab``; its status column says, per cell, S (safe),
U (primary unsafe), M (secondary suppressed) or E (empty: a zero, published).

Primary suppression is the minimum frequency rule, marked by us in the status column: a count
from 1 to ``min_count - 1`` is unsafe ("U") with a lower protection level of 0 and an upper
protection level of ``upper_protection``. τ-ARGUS's own ``FREQ(n, range)`` rule cannot say
this: its protection level is a percentage (at most 100) of the cell value, 1 for a count of 1.
Zeros are not submitted: τ-ARGUS treats them as empty cells, published and never suppressed.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl
from pytauargus.engine import run_batch
from pytauargus.result import parse_simple_tab

from _disclosure_tables import TOTAL

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
# The SUPPRESS commands: MOD(table, minutes per subtable, singleton, multiple singletons,
# minimum frequency) is the modular method (HiTaS) with the singleton option that rtauargus
# uses by default; OPT(table, minutes) the optimal method on the whole table.
SUPPRESS = {
    "tau_mod": "MOD(1,{minutes},1,0,0)",
    "tau_opt": "OPT(1,{minutes})",
}
_SUPPRESSED = ("U", "M")
_OUTPUT = "protected.tab"


def protect_year(
    cells: pl.DataFrame,
    areas: pl.DataFrame,
    dims: Sequence[str],
    method: str,
    *,
    min_count: int = 3,
    upper_protection: int | IntArray = 3,
    minutes: int = 5,
) -> BoolArray:
    """Which cells (rows of `cells`: ``area, *dims, value`` of one year) τ-ARGUS suppresses.

    `upper_protection` is one level for every sensitive cell or one per row of `cells`.
    """
    city = areas.filter(pl.col("parent").is_null())["code"].item()
    suppress = SUPPRESS[method].format(minutes=minutes)
    with tempfile.TemporaryDirectory(prefix="tauargus-") as name:
        folder = Path(name).resolve()
        _write(folder / "areas.hrc", hierarchy_file(areas))
        _write(folder / "table.rda", metadata_file(dims, city, folder / "areas.hrc"))
        _write(folder / "table.tab", cells_file(cells, dims, min_count, upper_protection))
        _write(folder / "table.arb", batch_file(dims, suppress, folder))
        # The engine writes its work files (HiTaS.log, JJUit.dat, ...) where it runs.
        with contextlib.chdir(folder):
            run_batch(folder / "table.arb")
        status = read_status(folder / _OUTPUT, cells, dims)
    return status.is_in(_SUPPRESSED).to_numpy()


def timed_protect_year(
    cells: pl.DataFrame,
    areas: pl.DataFrame,
    dims: Sequence[str],
    method: str,
    minutes: int,
    upper_protection: int | IntArray = 3,
) -> tuple[BoolArray, float]:
    """`protect_year` and its seconds (files written, engine run, statuses read back)."""
    start = time.perf_counter()
    hidden = protect_year(
        cells, areas, dims, method, minutes=minutes, upper_protection=upper_protection
    )
    return hidden, time.perf_counter() - start


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def hierarchy_file(areas: pl.DataFrame) -> str:
    """The ``.hrc`` file: every area below the city, one "@" per level below the first."""
    children: dict[str | None, list[str]] = {}
    for code, parent in areas.select("code", "parent").sort("code").iter_rows():
        children.setdefault(parent, []).append(code)
    lines: list[str] = []

    def visit(code: str, depth: int) -> None:
        for child in children.get(code, []):
            lines.append("@" * depth + child)
            visit(child, depth + 1)

    for city in children[None]:
        visit(city, 0)
    return "\n".join(lines) + "\n"


def metadata_file(dims: Sequence[str], city: str, hierarchy: Path) -> str:
    """The ``.rda`` file of the tabular input: explanatory variables, then the cell columns."""
    lines = ['<SEPARATOR> ";"', '<SAFE> "S"', '<UNSAFE> "U"', '<PROTECT> "P"']
    lines += ["area", "  <RECODEABLE>", f'  <TOTCODE> "{city}"', "  <HIERARCHICAL>"]
    lines += [f'  <HIERCODELIST> "{hierarchy}"', '  <HIERLEADSTRING> "@"']
    for dim in dims:
        lines += [dim, "  <RECODEABLE>", f'  <TOTCODE> "{TOTAL}"']
    lines += ["value", "  <NUMERIC>", "freq", "  <FREQUENCY>", "status", "  <STATUS>"]
    lines += ["lpl", "  <NUMERIC> <LOWERPL>", "upl", "  <NUMERIC> <UPPERPL>"]
    return "\n".join(lines) + "\n"


def cells_file(
    cells: pl.DataFrame, dims: Sequence[str], min_count: int, upper_protection: int | IntArray
) -> str:
    """The ``.tab`` file: ``area;dims;value;freq;status;lpl;upl``, a count is its frequency."""
    unsafe = (pl.col("value") > 0) & (pl.col("value") < min_count)
    levels = np.broadcast_to(np.asarray(upper_protection, dtype=np.int64), (cells.height,))
    rows = cells.with_columns(pl.Series("_upl", levels)).select(
        pl.col("area"),
        *dims,
        pl.col("value").cast(pl.Utf8),
        pl.col("value").cast(pl.Utf8).alias("freq"),
        pl.when(unsafe).then(pl.lit("U")).otherwise(pl.lit("S")).alias("status"),
        pl.when(unsafe).then(pl.lit("0")).otherwise(pl.lit("")).alias("lpl"),
        pl.when(unsafe).then(pl.col("_upl").cast(pl.Utf8)).otherwise(pl.lit("")).alias("upl"),
    )
    return "".join(";".join(row) + "\n" for row in rows.iter_rows())


def batch_file(dims: Sequence[str], suppress: str, folder: Path) -> str:
    """The ``.arb`` batch: read the table with its given status, suppress, write the statuses.

    Paths are absolute: pytauargus looks for a relative one in the working directory first.
    """
    explanatory = "".join(f'"{name}"' for name in ("area", *dims))
    return "\n".join(
        [
            f'<OPENTABLEDATA> "{folder / "table.tab"}"',
            f'<OPENMETADATA> "{folder / "table.rda"}"',
            f'<SPECIFYTABLE> {explanatory}|"value"||',
            "<SAFETYRULE>",
            "<READTABLE> 0",
            f"<SUPPRESS> {suppress}",
            f'<WRITETABLE> (1,5,SO+,"{folder / _OUTPUT}")',
            "",
        ]
    )


def read_status(path: Path, cells: pl.DataFrame, dims: Sequence[str]) -> pl.Series:
    """The τ-ARGUS status of every row of `cells`, in their order."""
    names = ["area", *dims]
    rows = parse_simple_tab(path, names, "value")
    # Codes come back padded to the variable's length; the area total is the city's code.
    status = pl.DataFrame(
        {
            **{n: [str(r[n]).strip() for r in rows] for n in names},
            "status": [r["status"] for r in rows],
        }
    )
    joined = cells.select(names).join(status, on=names, how="left", maintain_order="left")
    if joined["status"].null_count():
        raise RuntimeError(f"τ-ARGUS returned no status for {joined['status'].null_count()} cells")
    return joined["status"]
