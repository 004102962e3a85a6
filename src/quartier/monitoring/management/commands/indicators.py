"""`quartier indicators [--catalogue FILE] [--format text|csv]`: list the indicator catalogue."""

from __future__ import annotations

import csv
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from quartier.analysis.catalogue import (
    Catalogue,
    Indicator,
    formula,
)
from quartier.monitoring.management.catalogue_options import add_catalogue_options, catalogue_of

CSV_COLUMNS = (
    "key",
    "domain",
    "name_de",
    "name_en",
    "unit",
    "kind",
    "formula",
    "scale",
    "polarity",
    "in_index",
    "min_denominator",
    "definition",
    "source",
)
POLARITY_TEXT = {
    "higher_is_worse": "higher is worse",
    "higher_is_better": "higher is better",
    "neutral": "neutral",
}


class Command(BaseCommand):
    help = (
        "List the indicator catalogue by domain: key, name, unit, formula, polarity and whether "
        "the indicator enters the index. The shipped catalogue is merged with the city's own "
        "file (--catalogue, or QUARTIER_INDICATORS_FILE)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_catalogue_options(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        catalogue = catalogue_of(options)
        if options["format"] == "csv":
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(CSV_COLUMNS)
            writer.writerows(csv_row(indicator) for indicator in catalogue)
        else:
            self.stdout.write("\n".join(text_lines(catalogue)))


def csv_row(indicator: Indicator) -> list[str]:
    """One indicator as CSV fields, in the order of `CSV_COLUMNS`."""
    return [
        indicator.key,
        indicator.domain,
        indicator.name_de,
        indicator.name_en,
        indicator.unit,
        indicator.kind,
        formula(indicator),
        f"{indicator.scale:g}",
        indicator.polarity,
        "true" if indicator.in_index else "false",
        f"{indicator.min_denominator:g}",
        indicator.definition,
        indicator.source,
    ]


def text_lines(catalogue: Catalogue) -> list[str]:
    """The catalogue as aligned text, one block per domain."""
    width = max((len(i.key) for i in catalogue), default=0)
    unit_width = max((len(i.unit) for i in catalogue), default=0)
    lines = []
    for domain in catalogue.domains:
        members = catalogue.in_domain(domain.key)
        if not members:
            continue
        lines.append(f"{domain.name_de} ({domain.key})")
        for indicator in members:
            index = ", index" if indicator.in_index else ""
            lines.append(
                f"  {indicator.key:<{width}}  {indicator.unit:<{unit_width}}  {formula(indicator)}"
                f"  [{POLARITY_TEXT[indicator.polarity]}{index}]"
            )
            lines.append(f"  {'':<{width}}  {'':<{unit_width}}  {indicator.name_de}")
    lines.append(f"{len(catalogue)} indicators in {len(catalogue.domains)} domains")
    return lines
