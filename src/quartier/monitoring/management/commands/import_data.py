"""`quartier import-data FILE [--mapping mapping.yaml] [--dry-run]`: load observations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quartier.analysis.tables import TableError
from quartier.monitoring.mappings import load_mapping, tidy_csv_mapping
from quartier.monitoring.services import (
    ObservationImportError,
    ObservationImportReport,
    observations_import,
)


class Command(BaseCommand):
    help = (
        "Import observations from a CSV or XLSX table. Without --mapping the file must be in the "
        "tidy long form written by `quartier convert` (area, period, variable, value, flag, "
        "breakdown columns)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--mapping", type=Path, help="YAML file describing the table")
        parser.add_argument("--area-level", help="only match area codes of this level")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            mapping = (
                load_mapping(options["mapping"]) if options["mapping"] else tidy_csv_mapping(path)
            )
            report = observations_import(
                path=path,
                spec=mapping.spec,
                area_level=options["area_level"] or mapping.area_level,
                dry_run=options["dry_run"],
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


def _hint(setting: str | None) -> str:
    """Where to give the setting an error names: a key of the mapping file (or an option)."""
    if setting is None:
        return ""
    if setting == "area_level":
        return " (option --area-level, or area_level in the mapping file)"
    return f" (set {setting!r} in the mapping file, option --mapping)"
