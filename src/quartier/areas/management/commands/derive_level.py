"""`quartier derive-level LEVEL --from CHILD_LEVEL ...`: coarser areas from finer ones."""

from __future__ import annotations

import argparse
import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quartier.areas.derivation import DerivationReport, Grouping, area_level_derive, read_code_table
from quartier.areas.services import AreaImportError, area_level_parse

# The option that gives each setting an error of the derivation may name.
OPTIONS = {
    "mapping": "option --mapping",
    "code_prefix": "option --code-prefix",
    "valid_from": "option --valid-from",
}
LISTED = 10


def positive(text: str) -> int:
    """A whole number of at least 1, for argparse."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"a whole number of at least 1 is expected, not {text!r}")
    return int(text)


class Command(BaseCommand):
    help = (
        "Derive the areas of a coarser level from those of a finer one: the children's "
        "boundaries dissolved, the children's parents assigned. "
        "E.g. quartier derive-level stadtbezirk --from stadtteil --code-prefix 1 --pad 3"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "level",
            metavar="LEVEL[:NAME]",
            help="the level to derive; created just above --from if it does not exist",
        )
        parser.add_argument(
            "--from", dest="child_level", required=True, metavar="CHILD_LEVEL",
            help="the finer level whose areas are grouped",
        )  # fmt: skip
        groups = parser.add_mutually_exclusive_group(required=True)
        groups.add_argument(
            "--code-prefix", type=positive, metavar="N",
            help="the parent's code is the first N characters of the child's (101 -> 1)",
        )  # fmt: skip
        groups.add_argument(
            "--mapping", type=Path, metavar="CODES.csv",
            help="a table (CSV or XLSX, with a header line): child code, parent code",
        )  # fmt: skip
        groups.add_argument(
            "--code", help="one area with this code for all children (the city, e.g. 000)"
        )
        parser.add_argument(
            "--pad", type=positive, metavar="WIDTH",
            help="left-pad the parents' codes with zeros to WIDTH characters (1 -> 001)",
        )  # fmt: skip
        names = parser.add_mutually_exclusive_group()
        names.add_argument(
            "--names", type=Path, metavar="NAMES.csv",
            help="a table (CSV or XLSX, with a header line): code, name of the derived areas",
        )  # fmt: skip
        names.add_argument("--name", help="the name of the one area of --code")
        parser.add_argument(
            "--valid-from", type=datetime.date.fromisoformat,
            help="start date (YYYY-MM-DD) of changed boundaries; default today",
        )  # fmt: skip
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["name"] is not None and options["code"] is None:
            raise CommandError("--name names the one area of --code; give several in --names")
        try:
            level = area_level_parse(options["level"])
            mapping = options["mapping"]
            grouping = Grouping(
                code_prefix=options["code_prefix"],
                mapping=read_code_table(mapping, "child code, parent code") if mapping else None,
                code=options["code"],
                pad=options["pad"],
            )
            names = {}
            if options["names"]:
                names = read_code_table(options["names"], "code, name", value="name")
            if options["name"] is not None:
                names = {grouping.code or "": options["name"]}
            report = area_level_derive(
                level=level,
                child_level=options["child_level"],
                grouping=grouping,
                names=names,
                valid_from=options["valid_from"],
                dry_run=options["dry_run"],
            )
        except AreaImportError as error:
            option = OPTIONS.get(error.setting or "")
            hint = f" ({option})" if option else ""
            raise CommandError(f"{error}{hint}\nNothing was changed.") from error
        self._print(report)

    def _print(self, report: DerivationReport) -> None:
        areas = report.areas
        prefix = "Dry run, nothing written: " if areas.dry_run else ""
        created = f" (new, just above {report.child_level})" if report.level_created else ""
        self.stdout.write(
            f"{prefix}level {areas.level}{created} from level {report.child_level}: "
            f"{len(areas.created)} new, {len(areas.new_geometry_versions)} new boundary "
            f"versions, {len(areas.renamed)} renamed, {len(areas.reparented)} new parent, "
            f"{areas.unchanged} unchanged; {len(report.children_reparented)} area(s) of level "
            f"{report.child_level} with a new parent"
        )
        self.stdout.write(f"stored bounding box: {areas.bounding_box}")
        if report.named_by_code:
            self.stdout.write(
                f"Note: no name given for {len(report.named_by_code)} area(s), named by their "
                f"code: {_listed(report.named_by_code)} (option --names)"
            )
        if report.unused_names:
            self.stderr.write(
                f"Warning: names given for codes that are not derived: "
                f"{_listed(report.unused_names)}"
            )


def _listed(codes: list[str]) -> str:
    more = len(codes) - LISTED
    return ", ".join(codes[:LISTED]) + (f" and {more} more" if more > 0 else "")
