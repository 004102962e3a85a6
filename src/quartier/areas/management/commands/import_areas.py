"""`quartier import-areas FILE --level LEVEL ...`: import area polygons, all or nothing."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quartier.analysis.geo import GeodataError, read_area_layer
from quartier.areas.services import AreaImportError, AreaImportReport, areas_import

# The option that gives each setting an error of the import may name.
OPTIONS = {
    "crs": "option --crs",
    "force_crs": "options --crs and --force-crs",
    "set_codes": "option --set-code",
    "valid_from": "option --valid-from",
}


class Command(BaseCommand):
    help = "Import areas from GeoJSON, GeoPackage, zipped Shapefile or KML into one level."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--level", required=True, help="level key, e.g. sozialraum")
        parser.add_argument("--code-field", required=True, help="attribute with the area code")
        parser.add_argument("--name-field", required=True, help="attribute with the area name")
        parents = parser.add_mutually_exclusive_group()
        parents.add_argument("--parent-field", help="attribute with the parent area's code")
        parents.add_argument(
            "--parent-by-location",
            action="store_true",
            help="parent = area of the level above that contains the area's point on surface",
        )
        parser.add_argument(
            "--crs",
            help="CRS of the file if it declares none, e.g. EPSG:25832; a GeoJSON without a "
            "crs member is longitude/latitude (CRS84)",
        )
        parser.add_argument(
            "--force-crs",
            action="store_true",
            help="read the file in --crs although it declares another CRS",
        )
        parser.add_argument(
            "--valid-from",
            type=datetime.date.fromisoformat,
            help="start date (YYYY-MM-DD) of changed boundaries; default today",
        )
        parser.add_argument(
            "--set-code",
            action="append",
            default=[],
            metavar="FEATURE=CODE",
            help="correct the code of feature number FEATURE (1-based) in a published file",
        )
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            layer = read_area_layer(
                options["file"],
                code_field=options["code_field"],
                name_field=options["name_field"],
                parent_field=options["parent_field"],
                crs=options["crs"],
                force_crs=options["force_crs"],
                set_codes=_set_codes(options["set_code"]),
            )
            report = areas_import(
                layer=layer,
                level_key=options["level"],
                parent_by_location=options["parent_by_location"],
                valid_from=options["valid_from"],
                dry_run=options["dry_run"],
            )
        except (GeodataError, AreaImportError) as error:
            option = OPTIONS.get(error.setting or "")
            hint = f" ({option})" if option else ""
            raise CommandError(f"{error}{hint}\nNothing was imported.") from error
        self._print(report, options["file"].name, layer.source_crs)

    def _print(self, report: AreaImportReport, name: str, crs: str) -> None:
        for warning in report.warnings:
            self.stderr.write(f"Warning: {warning}")
        prefix = "Dry run, nothing written: " if report.dry_run else ""
        self.stdout.write(
            f"{prefix}{name} ({crs}) -> level {report.level}: "
            f"{len(report.created)} new, {len(report.new_geometry_versions)} new boundary "
            f"versions, {len(report.renamed)} renamed, {len(report.reparented)} new parent, "
            f"{report.unchanged} unchanged"
        )
        self.stdout.write(f"stored bounding box: {report.bounding_box}")


def _set_codes(items: list[str]) -> dict[int, str]:
    result = {}
    for item in items:
        number, sep, code = item.partition("=")
        if not sep or not number.strip().isdigit() or not code.strip():
            raise CommandError(f"--set-code expects FEATURE=CODE, e.g. 124=04030417; got {item!r}")
        result[int(number)] = code.strip()
    return result
