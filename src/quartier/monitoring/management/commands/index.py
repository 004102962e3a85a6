"""`quartier index TABLE --out result.csv`: a composite social index per area, no database."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from quartier.analysis.indices import (
    BerlinMssParams,
    MethodError,
    MssError,
    MssResult,
    berlin_mss,
    berlin_mss_params,
    numeric_columns,
)
from quartier.analysis.tables import RawTable, TableError
from quartier.monitoring.export_files import output_problem
from quartier.monitoring.management.reading_options import (
    READING_OPTIONS,
    add_reading_options,
    option_hint,
    read_with_options,
)

OUTPUT_COLUMNS = (
    "id",
    "included",
    "status_sum",
    "status_index",
    "status_class",
    "status_label",
    "dynamics_index",
    "dynamics_class",
    "dynamics_label",
    "combined",
)
# Usage errors exit with 2, as argparse does for a malformed command line.
USAGE_ERROR = 2


class Command(BaseCommand):
    help = (
        "Compute a composite social index per area (the Berlin MSS status and dynamics index) "
        "from a CSV or XLSX table and write one row per area to a UTF-8 CSV file. Areas that do "
        "not take part have included=false and empty index fields. Nothing is written to the "
        "database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "table", type=Path, metavar="TABLE", help="CSV or XLSX file, one row per area"
        )
        parser.add_argument(
            "--out", type=Path, required=True, metavar="FILE", help="the result CSV to write"
        )
        parser.add_argument(
            "--method",
            default="berlin-mss",
            metavar="NAME",
            help="a berlin-mss method of the methods file (default: berlin-mss)",
        )
        parser.add_argument(
            "--methods",
            type=Path,
            metavar="FILE",
            help="a YAML methods file (default: QUARTIER_METHODS_FILE, else the presets "
            "shipped with quartier)",
        )
        parser.add_argument("--id", required=True, metavar="COLUMN", help="the area id column")
        parser.add_argument(
            "--population", required=True, metavar="COLUMN", help="the inhabitants column"
        )
        parser.add_argument(
            "--status", required=True, metavar="COLUMNS", help="status indicators, comma-separated"
        )
        parser.add_argument(
            "--dynamics", required=True, metavar="COLUMNS", help="their changes, comma-separated"
        )
        parser.add_argument(
            "--exclude",
            default="",
            metavar="IDS",
            help="area ids excluded by hand, comma-separated",
        )
        parser.add_argument(
            "--min-population",
            type=float,
            metavar="N",
            help="minimum inhabitants for an area to take part (default: from the method)",
        )
        parser.add_argument(
            "--format",
            choices=["csv", "de"],
            default="csv",
            help="csv (',' and '.', the default) or de (';' and decimal comma, for Excel); "
            "an --out ending in .xlsx writes an Excel workbook",
        )
        add_reading_options(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        unwritable = output_problem(out)
        if unwritable:
            raise CommandError(f"--out: {unwritable}", returncode=USAGE_ERROR)
        params = method_params(options)
        try:
            raw = read_with_options(options["table"], options)
            result = index_table(raw, options, params)
            write_result(result.frame.select(OUTPUT_COLUMNS), out, options["format"])
        except TableError as error:
            raise CommandError(f"{error}{option_hint(error.setting, READING_OPTIONS)}") from error
        except MssError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"--out: cannot write {out} ({error.strerror or error})") from error
        for problem in [*raw.problems, *result.warnings]:
            self.stderr.write(f"Warning: {problem}")
        self.stdout.write(summary(result, params, out))


def write_result(frame: pl.DataFrame, out: Path, fmt: str) -> None:
    """The result as CSV (plain or German) or, for an `out` ending in .xlsx, as a workbook."""
    if out.suffix.lower() == ".xlsx":
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "index"
        sheet.append(frame.columns)
        for row in frame.iter_rows():
            sheet.append(list(row))
        workbook.save(out)
    elif fmt == "de":
        # A byte order mark, so that Excel reads the file as UTF-8.
        frame.write_csv(out, separator=";", decimal_comma=True, include_bom=True)
    else:
        frame.write_csv(out)


def index_table(raw: RawTable, options: dict[str, Any], params: BerlinMssParams) -> MssResult:
    """The index of the areas of a table, with the columns named on the command line."""
    status, dynamics = names(options["status"]), names(options["dynamics"])
    numbers = [options["population"], *status, *dynamics]
    return berlin_mss(
        numeric_columns(raw, id_column=options["id"], numbers=numbers),
        id_column=options["id"],
        population=options["population"],
        status=status,
        dynamics=dynamics,
        exclude=names(options["exclude"]),
        params=params,
    )


def method_params(options: dict[str, Any]) -> BerlinMssParams:
    """The preset named by --method, with --min-population.

    From the file --methods names, else QUARTIER_METHODS_FILE, else the shipped presets.
    """
    path: Path | None = options["methods"]
    source = "--methods"
    if path is None:
        path, source = settings.QUARTIER_METHODS_FILE, "QUARTIER_METHODS_FILE"
    try:
        params = berlin_mss_params(options["method"], path=path)
    except MethodError as error:
        raise CommandError(f"{error} ({source})" if path else str(error)) from error
    if options["min_population"] is None:
        return params
    try:
        return dataclasses.replace(params, min_population=options["min_population"])
    except MethodError as error:
        raise CommandError(f"--min-population: {error}") from error


def names(text: str) -> list[str]:
    """`"s1, s2,"` -> ["s1", "s2"]."""
    return [name.strip() for name in text.split(",") if name.strip()]


def summary(result: MssResult, params: BerlinMssParams, out: Path) -> str:
    """What was written, with the number of areas per class."""
    frame = result.frame
    lines = [f"{out}: {result.participants} of {frame.height} areas indexed ({params.name})"]
    for part, labels in (("status", params.status_labels), ("dynamics", params.dynamics_labels)):
        counts = frame[f"{part}_class"].drop_nulls().value_counts()
        found = dict(counts.iter_rows())
        listed = ", ".join(f"{i} {label}: {found.get(i, 0)}" for i, label in enumerate(labels, 1))
        lines.append(f"{part.capitalize()} classes: {listed}")
    return "\n".join(lines)
