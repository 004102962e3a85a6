"""`quartier compute [--year Y | --all-years] [--min-count N] [--protection-width W]
[--breakdown-levels L,L | --no-breakdowns]`.

Compute, publish and store all indicators.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quartier.analysis.disclosure import DEFAULT_MIN_COUNT, DEFAULT_PROTECTION_WIDTH
from quartier.cli import progress
from quartier.monitoring.services import COMPUTE_STEPS, MonitoringError, indicators_compute


class Command(BaseCommand):
    help = (
        "Compute every indicator of the catalogue for every area, level and year: values from "
        "summed counts, city reference, differences, ranks, deciles, z-scores and changes."
    )
    # A caller that shows its own progress (the demo) passes `progress`, told of each step.
    stealth_options = ("progress",)

    def add_arguments(self, parser: CommandParser) -> None:
        years = parser.add_mutually_exclusive_group()
        years.add_argument("--year", type=int, action="append", help="a year (repeatable)")
        years.add_argument("--all-years", action="store_true", help="every year (the default)")
        parser.add_argument(
            "--min-count",
            type=int,
            default=DEFAULT_MIN_COUNT,
            help=f"counts from 1 to N-1 are not published (default {DEFAULT_MIN_COUNT})",
        )
        parser.add_argument(
            "--protection-width",
            type=int,
            default=DEFAULT_PROTECTION_WIDTH,
            help="the least width of the interval an outsider can narrow a hidden small count "
            f"to (default {DEFAULT_PROTECTION_WIDTH})",
        )
        published = parser.add_mutually_exclusive_group()
        published.add_argument(
            "--breakdown-levels",
            metavar="LEVEL,LEVEL",
            help="the levels on which breakdown cells (age group, gender, ...) are published, "
            "comma-separated, or 'all' (default: the city and the level below it)",
        )
        published.add_argument(
            "--no-breakdowns",
            action="store_true",
            help="publish only the totals (breakdown cells stay internal)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        min_count, width = options["min_count"], options["protection_width"]
        if min_count < 2:
            raise CommandError(
                f"--min-count {min_count}: give 2 or more (1 would publish every count)"
            )
        if width < 1:
            raise CommandError(f"--protection-width {width}: give 1 or more")
        told = options.get("progress")
        with progress(
            "compute", stdout=self.stdout, stderr=self.stderr, quiet=told is not None
        ) as steps:
            steps.add(len(COMPUTE_STEPS))
            try:
                report = indicators_compute(
                    years=options["year"],
                    min_count=min_count,
                    protection_width=width,
                    breakdown_levels=_levels(options),
                    progress=told or steps.start,
                )
            except MonitoringError as error:
                raise CommandError(str(error)) from error
        for problem in report.problems:
            self.stderr.write(f"Note: {problem}")
        span = f"{report.years[0]}–{report.years[-1]}" if len(report.years) > 1 else report.years[0]
        published = report.published_years
        self.stdout.write(
            f"{report.indicators} indicators, {span}: {report.rows} values stored "
            f"in {report.seconds:.1f} s; publication of {published[0]}–{published[-1]} "
            f"(min_count {report.min_count}, protection width {report.protection_width}, "
            f"breakdowns on {', '.join(report.breakdown_levels) or 'no level'}) "
            f"decided in {report.publish_seconds:.1f} s"
        )


def _levels(options: dict[str, Any]) -> list[str] | str | None:
    """The levels asked for: a list, "all", or None for the default."""
    if options["no_breakdowns"]:
        return []
    given = options["breakdown_levels"]
    if given is None:
        return None
    if given.strip() == "all":
        return "all"
    levels = [level.strip() for level in given.split(",") if level.strip()]
    if not levels:
        raise CommandError("--breakdown-levels: give level names separated by commas, or 'all'")
    return levels
