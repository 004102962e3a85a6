"""`quartier levels [KEY[:NAME] ...]`: show or set the city's ordered area levels."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quartier.areas.selectors import area_levels_with_counts
from quartier.areas.services import AreaImportError, area_levels_define


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
                area_levels_define(levels=[_parse(item) for item in options["levels"]])
            except AreaImportError as error:
                raise CommandError(str(error)) from error
        for level, count in area_levels_with_counts():
            self.stdout.write(f"{level.rank}  {level.key:<24} {level.name:<28} {count} areas")


def _parse(item: str) -> tuple[str, str]:
    key, _, name = item.partition(":")
    key = key.strip()
    if not key.replace("_", "").replace("-", "").isalnum():
        raise CommandError(f"level key {key!r} may contain only letters, digits, '_' and '-'")
    return key, name.strip() or key.replace("_", " ").capitalize()
