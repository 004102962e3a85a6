"""`quartier index TABLE --out result.csv`: a composite social index per area, no database.

It needs neither the database nor the apps, so `quartier` runs it without setting Django up
(see `quartier.cli.WITHOUT_DATABASE`); keep its imports light: the workbook writer is loaded
only for an .xlsx result.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

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
from quartier.analysis.tables import (
    LINE,
    Columns,
    RawTable,
    TableError,
    lost_leading_zeros,
    padded_ids,
    table_name,
)
from quartier.monitoring.management.reading_options import (
    READING_OPTIONS,
    add_reading_options,
    option_hint,
    read_with_options,
)
from quartier.monitoring.output_files import atomically, output_problem

OUTPUT_COLUMNS = (
    "id",
    "included",
    "reason",
    "status_sum",
    "status_index",
    "status_class",
    "status_label",
    "dynamics_index",
    "dynamics_class",
    "dynamics_label",
    "combined",
)
# The result's headers with --lang de.
GERMAN_HEADERS = {
    "id": "Gebiet",
    "name": "Name",
    "included": "einbezogen",
    "reason": "Grund",
    "status_sum": "Statussumme",
    "status_index": "Statusindex",
    "status_class": "Statusklasse",
    "status_label": "Status",
    "dynamics_index": "Dynamikindex",
    "dynamics_class": "Dynamikklasse",
    "dynamics_label": "Dynamik",
    "combined": "Status/Dynamik",
}
# The reasons `berlin_mss` gives, in German: (pattern, replacement) in order.
GERMAN_REASONS = (
    (r"^excluded by hand$", "von Hand ausgeschlossen"),
    (r"^population missing$", "Einwohnerzahl fehlt"),
    (r"^fewer than (\S+) inhabitants$", "weniger als ${1} Einwohner"),
    (r"^no value in ", "kein Wert in "),
)
# The options of the table's settings that `index` adds to the reading options.
INDEX_OPTIONS = {**READING_OPTIONS, "id_width": "--id-width"}
# An XLSX sheet holds this many rows, the header included.
XLSX_ROWS = 1_048_576
# Usage errors exit with 2, as argparse does for a malformed command line.
USAGE_ERROR = 2


class Command(BaseCommand):
    # Runs without the apps (quartier.cli.WITHOUT_DATABASE); the system checks need them.
    requires_system_checks: list[str] = []
    help = (
        "Compute a composite social index per area (the Berlin MSS status and dynamics index) "
        "from a CSV or XLSX table and write one row per area to a CSV file or an XLSX "
        "workbook. Areas that do not take part have included=false, the reason, and empty index "
        "fields. Nothing is written to the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "table", type=Path, metavar="TABLE", help="CSV or XLSX file, one row per area"
        )
        parser.add_argument(
            "--out",
            type=Path,
            required=True,
            metavar="FILE",
            help="the result to write: a CSV file, or an Excel workbook for a name ending in .xlsx",
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
        add_column_options(parser)
        add_output_options(parser)
        add_reading_options(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        unwritable = output_problem(out)
        if unwritable:
            raise CommandError(f"--out: {unwritable}", returncode=USAGE_ERROR)
        params = method_params(options)
        try:
            raw = read_with_options(options["table"], options)
            table, notes = area_table(raw, options)
            result = index_table(table, options, params)
            frame = labelled(result_frame(result, table, options), options["lang"])
            write_result(frame, out, options["format"])
        except TableError as error:
            raise CommandError(f"{error}{option_hint(error.setting, INDEX_OPTIONS)}") from error
        except MssError as error:
            raise CommandError(str(error)) from error
        except OSError as error:
            raise CommandError(f"--out: cannot write {out} ({error.strerror or error})") from error
        for problem in [*raw.problems, *notes, *result.warnings]:
            self.stderr.write(f"Warning: {problem}")
        self.stdout.write(summary(result, params, out))


def add_column_options(parser: CommandParser) -> None:
    """The columns of the table: ids, names, population, indicators, exclusions."""
    parser.add_argument("--id", required=True, metavar="COLUMN", help="the area id column")
    parser.add_argument(
        "--name", metavar="COLUMN", help="a column of area names to carry into the result"
    )
    parser.add_argument(
        "--id-width",
        type=int,
        metavar="N",
        help="fill ids of digits with leading zeros to N digits (ids that a spreadsheet "
        "stored as numbers lost them)",
    )
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


def add_output_options(parser: CommandParser) -> None:
    """The form of the result: CSV or German CSV, language."""
    parser.add_argument(
        "--format",
        choices=["csv", "de"],
        default="csv",
        help="csv (',' and '.', the default) or de (';' and decimal comma, for Excel); "
        "an --out ending in .xlsx writes an Excel workbook",
    )
    parser.add_argument(
        "--lang",
        choices=["en", "de"],
        default="en",
        help="language of the result's headers, yes/no and reasons (default: en)",
    )


def area_table(raw: RawTable, options: dict[str, Any]) -> tuple[pl.DataFrame, list[str]]:
    """Ids (padded with --id-width), names (--name) and the numbers the index needs.

    Also the warnings about the ids: leading zeros that look lost.
    """
    numbers = [options["population"], *names(options["status"]), *names(options["dynamics"])]
    table = numeric_columns(raw, id_column=options["id"], numbers=numbers)
    ids = table[options["id"]]
    notes: list[str] = []
    if options["id_width"] is not None:
        ids = padded_ids(
            ids,
            options["id_width"],
            lines=raw.frame[LINE],
            table=table_name(raw),
            column=Columns(raw).find(options["id"], "area id"),
        )
        table = table.with_columns(ids)
    else:
        lost = lost_leading_zeros(ids)
        if lost:
            notes.append(f"{lost} (option --id-width)")
    if options["name"]:
        column = Columns(raw).find(options["name"], "names")
        table = table.with_columns(raw.frame[column].str.strip_chars().alias("__name"))
    return table, notes


def index_table(table: pl.DataFrame, options: dict[str, Any], params: BerlinMssParams) -> MssResult:
    """The index of the areas of a table, with the columns named on the command line."""
    exclude = names(options["exclude"])
    if options["id_width"] is not None:
        exclude = [i.zfill(options["id_width"]) if i.isdigit() else i for i in exclude]
    return berlin_mss(
        table,
        id_column=options["id"],
        population=options["population"],
        status=names(options["status"]),
        dynamics=names(options["dynamics"]),
        exclude=exclude,
        params=params,
    )


def result_frame(result: MssResult, table: pl.DataFrame, options: dict[str, Any]) -> pl.DataFrame:
    """The columns of the result file; the names after the ids with --name.

    An included area has no reason: an empty cell, not "" (which CSV writes as two quotes).
    """
    reason = pl.when(pl.col("reason") != "").then(pl.col("reason")).alias("reason")
    frame = result.frame.select(OUTPUT_COLUMNS).with_columns(reason)
    if options["name"]:
        # `berlin_mss` keeps the order of the table's rows.
        frame = frame.insert_column(1, table["__name"].alias("name"))
    return frame


def labelled(frame: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The result with German headers, "ja"/"nein" and German reasons for `lang` "de"."""
    if lang != "de":
        return frame
    reason = pl.col("reason")
    for pattern, german in GERMAN_REASONS:
        reason = reason.str.replace(pattern, german)
    included = pl.when(pl.col("included")).then(pl.lit("ja")).otherwise(pl.lit("nein"))
    frame = frame.with_columns(reason.alias("reason"), included.alias("included"))
    return frame.rename({name: GERMAN_HEADERS[name] for name in frame.columns})


def write_result(frame: pl.DataFrame, out: Path, fmt: str) -> None:
    """The result as CSV (plain or German) or, for an `out` ending in .xlsx, as a workbook.

    Written to a temporary file first, so a failure leaves no half file.
    """
    if out.suffix.lower() == ".xlsx":
        if frame.height >= XLSX_ROWS:
            raise MssError(
                f"--out: {frame.height} areas do not fit in an XLSX sheet (at most "
                f"{XLSX_ROWS - 1}); write a CSV file"
            )
        atomically(out, lambda target: _write_workbook(frame, target))
    elif fmt == "de":
        # A byte order mark, so that Excel reads the file as UTF-8.
        atomically(
            out,
            lambda target: frame.write_csv(
                target, separator=";", decimal_comma=True, include_bom=True
            ),
        )
    else:
        atomically(out, frame.write_csv)


def _write_workbook(frame: pl.DataFrame, target: Path) -> None:
    import openpyxl  # only here: loading it costs a tenth of a second

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("index")
    sheet.append(frame.columns)
    for row in frame.iter_rows():
        sheet.append(list(row))
    workbook.save(target)


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
