"""`quartier import-data FILE [--mapping mapping.yaml] [--dry-run]`: load observations."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quartier.analysis.tables import COUNT_RULES, TableError, TableSpec
from quartier.monitoring.management.reading_options import (
    READING_OPTIONS,
    add_reading_options,
    delimiter_option,
)
from quartier.monitoring.mappings import load_mapping, tidy_csv_mapping
from quartier.monitoring.services import (
    ObservationImportError,
    ObservationImportReport,
    observations_import,
)

# The options of this command that give a setting of the mapping file.
MAPPING_OPTIONS = {**READING_OPTIONS, "counts": "--counts", "area_level": "--area-level"}


class Command(BaseCommand):
    help = (
        "Import observations from a CSV or XLSX table. Without --mapping the file must be in the "
        "tidy long form written by `quartier convert` (area, period, variable, value, flag, "
        "breakdown columns). Warnings of the reader are printed; a repair that may have lost or "
        "made up values stops the import unless --accept-warnings is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--mapping", type=Path, help="YAML file describing the table")
        parser.add_argument("--area-level", help="only match area codes of this level")
        parser.add_argument(
            "--counts",
            choices=COUNT_RULES,
            help="which variables are counts, never negative: auto (those with whole numbers "
            "only; the default), all or none; overrides counts of the mapping file",
        )
        parser.add_argument(
            "--accept-warnings",
            action="store_true",
            help="import a table even where the reader's repairs may have lost or made up "
            "values (records with missing cells, quotes not closed, footnotes with numbers, "
            "formulas without saved values)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")
        add_reading_options(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            mapping = (
                load_mapping(options["mapping"]) if options["mapping"] else tidy_csv_mapping(path)
            )
            report = observations_import(
                path=path,
                spec=_with_options(mapping.spec, options),
                area_level=options["area_level"] or mapping.area_level,
                dry_run=options["dry_run"],
                accept_warnings=options["accept_warnings"],
                warn=lambda text: self.stderr.write(f"Warning: {text}"),
            )
        except (TableError, ObservationImportError) as error:
            hint = _hint(error.setting)
            raise CommandError(f"{error}{hint}\nNothing was imported.") from error
        self._print(report)

    def _print(self, report: ObservationImportReport) -> None:
        prefix = "Dry run, nothing written: " if report.dry_run else ""
        periods = f"{report.periods[0]}–{report.periods[-1]}" if report.periods else "no periods"
        self.stdout.write(
            f"{prefix}{report.file}: {report.rows} values ({len(report.variables)} variable(s), "
            f"{periods}); {report.written} new or changed, {report.unchanged} unchanged"
        )
        for note in report.notes:
            self.stdout.write(f"Note: {note}")


def _with_options(spec: TableSpec, options: dict[str, Any]) -> TableSpec:
    """The spec of the mapping with the options given on the command line on top."""
    given = {
        "sheet": options["sheet"],
        "encoding": options["encoding"],
        "delimiter": delimiter_option(options["delimiter"]),
        "decimal": options["decimal"],
        "counts": options["counts"],
    }
    return dataclasses.replace(spec, **{k: v for k, v in given.items() if v is not None})


def _hint(setting: str | None) -> str:
    """Where to give the setting an error names: an option, or a key of the mapping file."""
    if setting is None:
        return ""
    if setting == "accept_warnings":
        return "; to import it as read, give --accept-warnings"
    if setting in MAPPING_OPTIONS:
        return f" (option {MAPPING_OPTIONS[setting]}, or {setting} in the mapping file)"
    return f" (set {setting!r} in the mapping file, option --mapping)"
