"""`quartier levels [KEY[:NAME] ...]`: show or set the city's ordered area levels."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quartier.areas.selectors import area_levels_with_counts
from quartier.areas.services import AreaImportError, area_level_parse, area_levels_define


class Command(BaseCommand):
    help = (
        "Show the area levels, or set them, coarsest first: "
        "quartier levels stadt:Stadt stadtbezirk:Stadtbezirk sozialraum:Sozialraum"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "levels", nargs="*", metavar="KEY[:NAME]", help="levels from coarsest to finest"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["levels"]:
            try:
                levels = [area_level_parse(item) for item in options["levels"]]
                area_levels_define(levels=levels)
            except AreaImportError as error:
                raise CommandError(str(error)) from error
        for level, count in area_levels_with_counts():
            self.stdout.write(f"{level.rank}  {level.key:<24} {level.name:<28} {count} areas")
