"""`quartier convert FILE --out tidy.csv`: a statistics table in tidy long form, no database."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quartier.analysis.tables import (
    Conversion,
    RawTable,
    TableError,
    TableSpec,
    check_repairs,
    convert_table,
    dimension_key,
    negative_counts,
    read_table,
    repeated_cells,
    tidy_to_csv,
)
from quartier.monitoring.management.reading_options import (
    READING_OPTIONS,
    add_reading_options,
    delimiter_option,
    option_hint,
)
from quartier.monitoring.mappings import load_mapping

# The option that gives each field of the spec, for the hints after an error.
SPEC_OPTIONS = {
    "layout": "--layout",
    "area": "--id-column",
    "period": "--period",
    "variable": "--variable-column",
    "value": "--value-column",
    "flag": "--flag-column",
    "breakdowns": "--breakdown",
    "ignore": "--ignore",
    "source": "--source",
    **READING_OPTIONS,
}


class Command(BaseCommand):
    # Runs without the apps (quartier.cli.WITHOUT_DATABASE); the system checks need them.
    requires_system_checks: list[str] = []
    help = (
        "Convert a CSV or XLSX statistics table into the tidy long form (UTF-8 CSV with the "
        "columns area, period, variable, value, flag and one column per breakdown). Nothing is "
        "written to the database. Warnings are printed; a repair of the reader that may have "
        "lost or made up values stops the conversion unless --accept-warnings is given, as the "
        "tidy file would no longer show it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV or XLSX file")
        parser.add_argument("--out", type=Path, required=True, help="the tidy CSV to write")
        parser.add_argument("--spec", type=Path, help="YAML mapping describing the table")
        parser.add_argument("--layout", choices=["wide", "long"], help="default: wide")
        parser.add_argument("--id-column", help="column with the area code (default: the first)")
        parser.add_argument("--period", help="a year for the whole table, or the period column")
        parser.add_argument("--variable-column", help="long layout: column naming the variable")
        parser.add_argument("--value-column", help="long layout: column with the values")
        parser.add_argument("--flag-column", help="long layout: column with flag symbols")
        parser.add_argument(
            "--breakdown",
            action="append",
            default=[],
            metavar="COLUMN=KEY",
            help="a breakdown column and its dimension key, e.g. Geschlecht=gender (repeatable)",
        )
        parser.add_argument(
            "--ignore",
            action="append",
            default=[],
            metavar="COLUMN",
            help="a column to drop (repeatable)",
        )
        parser.add_argument("--source", help="free text stored with each value")
        parser.add_argument(
            "--accept-warnings",
            action="store_true",
            help="convert a table even where the reader's repairs may have lost or made up "
            "values (records with missing cells, quotes not closed, footnotes with numbers, "
            "formulas without saved values)",
        )
        add_reading_options(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        if not out.parent.is_dir():
            raise CommandError(f"--out: the folder {out.parent} does not exist")
        try:
            spec = table_spec(options)
            raw = read_table(
                options["file"],
                sheet=spec.sheet,
                encoding=spec.encoding,
                delimiter=spec.delimiter,
                decimal=spec.decimal,
            )
            for problem in raw.problems:
                self.stderr.write(f"Warning: {raw.path.name}: {problem}")
            if not options["accept_warnings"]:
                check_repairs(raw)
            conversion = convert_table(raw, spec)
            for warning in checks(raw, conversion, spec):
                self.stderr.write(f"Warning: {warning}")
            tidy_to_csv(conversion.frame, out)
        except TableError as error:
            raise CommandError(f"{error}{_hint(error.setting)}") from error
        except OSError as error:
            raise CommandError(f"{out}: cannot write ({error.strerror})") from error
        self.stdout.write(summary(conversion, out))


def _hint(setting: str | None) -> str:
    if setting == "accept_warnings":
        return "; to convert it as read, give --accept-warnings"
    if setting == "counts":
        return " (key counts of the mapping file, option --spec)"
    return option_hint(setting, SPEC_OPTIONS)


def checks(raw: RawTable, conversion: Conversion, spec: TableSpec) -> list[str]:
    """What `import-data` would refuse in the tidy file: negative counts, cells given twice."""
    found = [
        negative_counts(raw, conversion.frame, spec.counts),
        repeated_cells(conversion.frame, where=raw.path.name),
    ]
    return [warning for warning in found if warning is not None]


def table_spec(options: dict[str, Any]) -> TableSpec:
    """The spec from --spec (if given) with the command line options on top."""
    spec = load_mapping(options["spec"]).spec if options["spec"] else TableSpec()
    given: dict[str, Any] = {
        "layout": options["layout"],
        "area": options["id_column"],
        "period": options["period"],
        "variable": options["variable_column"],
        "value": options["value_column"],
        "flag": options["flag_column"],
        "source": options["source"],
        "sheet": options["sheet"],
        "encoding": options["encoding"],
        "delimiter": delimiter_option(options["delimiter"]),
        "decimal": options["decimal"],
    }
    changes = {key: value for key, value in given.items() if value is not None}
    if options["breakdown"]:
        changes["breakdowns"] = {**spec.breakdowns, **breakdown_options(options["breakdown"])}
    if options["ignore"]:
        changes["ignore"] = [*spec.ignore, *options["ignore"]]
    return dataclasses.replace(spec, **changes)


def breakdown_options(values: list[str]) -> dict[str, str]:
    """`Geschlecht=gender` -> {"Geschlecht": "gender"}; without `=KEY` the key is made up."""
    breakdowns: dict[str, str] = {}
    for value in values:
        column, _, key = value.rpartition("=") if "=" in value else (value, "", "")
        breakdowns[column.strip()] = key.strip() or dimension_key(column)
    return breakdowns


def summary(conversion: Conversion, out: Path) -> str:
    """One paragraph about what was written."""
    frame = conversion.frame
    flagged = frame.filter(frame["flag"] != "").height
    periods = frame["period"].unique().sort().to_list()
    span = f"{periods[0]}–{periods[-1]}" if len(periods) > 1 else "".join(map(str, periods))
    text = (
        f"{out}: {frame.height} values ({flagged} flagged) for "
        f"{frame['area'].n_unique()} areas, {frame['variable'].n_unique()} variables, "
        f"period {span or '-'}"
    )
    if conversion.left_out:
        text += "\nText columns left out: " + ", ".join(conversion.left_out)
    if conversion.records_left_out:
        text += f"\nNote: {_unlisted(conversion.records_left_out)}"
    return text


def _unlisted(records: int) -> str:
    return f"{records} record(s) left out, as variables does not list their variables"
