"""`quartier export-areas --level LEVEL --format geojson|gpkg|csv --out FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quartier.analysis.geo import EXPORT_DRIVERS, GeodataError, write_area_layer
from quartier.areas.selectors import area_current_shapes


class Command(BaseCommand):
    help = "Export the current areas of one level with their geometry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--level", required=True)
        parser.add_argument("--format", required=True, choices=sorted(EXPORT_DRIVERS))
        parser.add_argument("--crs", default="EPSG:4326", help="output CRS, e.g. EPSG:25832")
        parser.add_argument("--out", required=True, type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        shapes = area_current_shapes(level=options["level"])
        if not shapes:
            raise CommandError(f"level {options['level']!r} has no areas")
        records = [
            {"code": s.code, "name": s.name, "parent": s.parent_code or "", "level": s.level}
            for s in shapes
        ]
        try:
            write_area_layer(
                options["out"],
                fmt=options["format"],
                records=records,
                geometries=[s.geometry for s in shapes],
                crs=options["crs"],
                layer_name=options["level"],
            )
        except GeodataError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{len(shapes)} areas written to {options['out']}")
