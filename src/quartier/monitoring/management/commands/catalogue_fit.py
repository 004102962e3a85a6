"""`quartier catalogue-fit [--catalogue FILE] [--format text|csv]`: the indicators that fit."""

from __future__ import annotations

import csv
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from quartier.analysis.indicators import catalogue_fit, unused_variables
from quartier.monitoring.management.catalogue_options import add_catalogue_options, catalogue_of
from quartier.monitoring.selectors import observed_variables


class Command(BaseCommand):
    help = (
        "Say which indicators of the catalogue the imported observations allow: per indicator "
        "whether it can be computed and, if not, which variable or breakdown value it lacks; "
        "then the imported variables that no indicator reads (map them to the catalogue's "
        "variables in the mapping file, or add indicators for them in the city's catalogue)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_catalogue_options(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        catalogue = catalogue_of(options)
        observed = observed_variables()
        fit = catalogue_fit(catalogue, observed)
        unused = unused_variables(catalogue, observed)
        if options["format"] == "csv":
            writer = csv.writer(self.stdout, lineterminator="\n")
            writer.writerow(["indicator", "domain", "computable", "lacking"])
            for key, domain, computable, lacking in fit.rows():
                writer.writerow([key, domain, "yes" if computable else "no", "; ".join(lacking)])
            return
        computable = fit.filter("computable").height
        lines = [f"Indicators the imported data allow: {computable} of {fit.height}"]
        width = max((len(key) for key in fit["indicator"]), default=0)
        for key, _, fits, lacking in fit.rows():
            lines.append(f"  {key:<{width}}  " + ("yes" if fits else "no: " + "; ".join(lacking)))
        if unused:
            lines.append(f"Imported variables that no indicator reads ({len(unused)}):")
            lines += [f"  {variable}" for variable in unused]
        if observed.height == 0:
            lines.append("No observations imported yet: run quartier import-data first.")
        self.stdout.write("\n".join(lines))
