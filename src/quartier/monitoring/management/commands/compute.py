"""`quartier compute [--year Y | --all-years]`: compute, publish and store all indicators."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quartier.monitoring.computation import MonitoringError, indicators_compute


class Command(BaseCommand):
    help = (
        "Compute every indicator of the catalogue for every area, level and year: values from "
        "summed counts, city reference, differences, ranks, deciles, z-scores and changes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        years = parser.add_mutually_exclusive_group()
        years.add_argument("--year", type=int, action="append", help="a year (repeatable)")
        years.add_argument("--all-years", action="store_true", help="every year (the default)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = indicators_compute(years=options["year"])
        except MonitoringError as error:
            raise CommandError(str(error)) from error
        for problem in report.problems:
            self.stderr.write(f"Note: {problem}")
        span = f"{report.years[0]}–{report.years[-1]}" if len(report.years) > 1 else report.years[0]
        published = report.published_years
        self.stdout.write(
            f"{report.indicators} indicators, {span}: {report.rows} values stored "
            f"in {report.seconds:.1f} s; publication of {published[0]}–{published[-1]} "
            f"(min_count {report.min_count}, protection width {report.protection_width}) "
            f"decided in {report.publish_seconds:.1f} s"
        )
