"""`quartier export-values [--indicator K ...] [--year Y ...] [--level L] [--breakdowns]
[--view public|internal] --format csv|csv-de|xlsx|geojson --out FILE`."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl
from django.core.management.base import BaseCommand, CommandError, CommandParser

from quartier.analysis.catalogue import Catalogue, CatalogueError
from quartier.areas.selectors import area_geojson, area_levels_list, areas_frame
from quartier.monitoring.export_files import write_export
from quartier.monitoring.exports import (
    FORMATS,
    INTERNAL_NOTE,
    ExportError,
    Geometries,
    export_table,
)
from quartier.monitoring.output_files import output_problem
from quartier.monitoring.selectors import catalogue_load, indicator_values

# Usage errors exit with 2, as argparse does for a malformed command line.
USAGE_ERROR = 2


def fail(message: str) -> CommandError:
    return CommandError(message, returncode=USAGE_ERROR)


class Command(BaseCommand):
    help = (
        "Export stored indicator values with their comparisons to the city, ranks, deciles, "
        "z-scores and changes: one row per indicator, area, year (and breakdown cell). A figure "
        "that is not published is empty; the flag says why ('.' suppressed, '-' zero, "
        "'/' withheld: small denominator, 'x' not applicable). csv keeps full precision; csv-de "
        "(';', decimal comma, for Excel), xlsx and geojson round to the indicator's decimals."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--indicator", action="append", metavar="K", help="an indicator key (repeatable)"
        )
        parser.add_argument(
            "--year", action="append", type=int, metavar="Y", help="a year (repeatable)"
        )
        parser.add_argument("--level", metavar="L", help="only the areas of this level")
        parser.add_argument(
            "--breakdowns",
            action="store_true",
            help="also the values per breakdown cell (default: totals only)",
        )
        parser.add_argument(
            "--view",
            choices=["public", "internal"],
            default="public",
            help="public (default): after disclosure control; internal: every value, "
            "not for publication",
        )
        parser.add_argument("--format", required=True, choices=FORMATS, help="the file format")
        parser.add_argument(
            "--out", required=True, type=Path, metavar="FILE", help="the file to write"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        unwritable = output_problem(out)
        if unwritable:
            raise fail(f"--out: {unwritable}")
        try:
            catalogue = catalogue_load()
        except CatalogueError as error:
            raise fail(str(error)) from error
        indicators = _known_indicators(options["indicator"], catalogue)
        level = _known_level(options["level"])
        values = indicator_values(
            view=options["view"],
            indicators=indicators,
            years=options["year"],
            level=level,
            totals_only=not options["breakdowns"],
        )
        _check_found(values, indicators, options["year"], level)
        internal = options["view"] == "internal"
        if internal:
            self.stderr.write(INTERNAL_NOTE)
        table = export_table(values, areas_frame(), catalogue)
        try:
            write_export(
                table,
                out,
                fmt=options["format"],
                catalogue=catalogue,
                internal=internal,
                geometries=_geometries,
            )
        except ExportError as error:
            raise fail(f"--format {options['format']}: {error}") from error
        except OSError as error:
            raise fail(f"--out: cannot write {out} ({error.strerror or error})") from error
        view = " (internal view)" if internal else ""
        self.stdout.write(f"{table.height} rows{view} written to {out}")


def _known_indicators(keys: list[str] | None, catalogue: Catalogue) -> list[str] | None:
    for key in keys or ():
        if key not in catalogue:
            raise fail(f"--indicator: unknown indicator {key!r} (`quartier indicators` lists them)")
    return None if keys is None else list(dict.fromkeys(keys))


def _known_level(key: str | None) -> str | None:
    if key is None:
        return None
    levels = [level.key for level in area_levels_list()]
    if key not in levels:
        raise fail(f"--level: unknown level {key!r} (levels: {', '.join(levels) or 'none'})")
    return key


def _check_found(
    values: pl.DataFrame,
    indicators: Sequence[str] | None,
    years: Sequence[int] | None,
    level: str | None,
) -> None:
    found = set(values["period"].unique().to_list())
    missing = [year for year in dict.fromkeys(years or ()) if year not in found]
    if values.height and not missing:
        return
    stored = _stored_years(indicators)
    if not stored:
        raise fail("no stored values: run `quartier compute` first")
    if missing:
        span = f"{min(stored)}–{max(stored)}" if len(stored) > 1 else str(min(stored))
        raise fail(
            f"--year: no values for {', '.join(map(str, missing))} (values exist for {span})"
        )
    if level is not None:
        raise fail(f"--level: no values for the areas of level {level!r}")
    raise fail("no values for this selection")


def _stored_years(indicators: Sequence[str] | None) -> set[int]:
    """The years with stored values (of these indicators), read on the top level only."""
    levels = area_levels_list()
    if not levels:
        return set()
    top = indicator_values(view="internal", indicators=indicators, level=levels[0].key)
    return set(top["period"].unique().to_list())


def _geometries(levels: Sequence[str]) -> Geometries:
    """The current geometry of every area of these levels, by (level, code)."""
    shapes: dict[tuple[str, str], dict[str, Any] | None] = {}
    for level in levels:
        for feature in area_geojson(level=level)["features"]:
            shapes[(level, feature["properties"]["code"])] = feature["geometry"]
    return shapes
