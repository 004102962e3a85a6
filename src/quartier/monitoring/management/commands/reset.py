"""`quartier reset [--yes]`: delete all areas, observations and results, to start afresh."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quartier.monitoring.services import city_reset, city_reset_preview


class Command(BaseCommand):
    help = (
        "Delete every area level, area and geometry, every observation, every computation "
        "with its stored results and every Aktionsraum decision, in one transaction: to start "
        "one's own city after the demo. Users and their roles stay. Without --yes it only "
        "says what it would delete."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--yes", action="store_true", help="really delete (without it nothing is changed)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            preview = city_reset_preview()
            if preview.empty:
                self.stdout.write("Nothing to delete: there are no areas, observations or results.")
                return
            raise CommandError(
                f"this would delete {preview}; nothing was deleted: run `quartier reset --yes` "
                "to delete them"
            )
        report = city_reset()
        self.stdout.write(f"Deleted {report}. Start with `quartier levels`.")
