"""`quartier aktionsraeume --year Y [--compare Y0] [--level L] [--format text|csv|json]`."""

from __future__ import annotations

import csv
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from quartier.monitoring.services import (
    AktionsraumReport,
    MonitoringError,
    aktionsraeume_report,
)

CSV_HEADER = ["kind", "level", "code", "name", "within", "domains_below", "aktionsraum",
              "override", "change"]  # fmt: skip


class Command(BaseCommand):
    help = (
        "Show the areas of a level (default: the method's aktionsraum_level, e.g. the "
        "Sozialräume) with the domains in which they are below the city average, the "
        "Aktionsräume and Aktionsquartiere of a year, and which entered, left or stayed since "
        "another year (method `below-average` of QUARTIER_METHODS_FILE or the shipped presets)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="report year")
        parser.add_argument("--compare", type=int, help="an earlier report year")
        parser.add_argument(
            "--level",
            metavar="LEVEL",
            help="the level whose areas are selected (default: aktionsraum_level of the "
            "method); Aktionsquartiere are searched on its aktionsquartier_level if that lies "
            "below",
        )
        parser.add_argument("--format", choices=["text", "csv", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = aktionsraeume_report(
                year=options["year"], compare=options["compare"], level=options["level"]
            )
        except MonitoringError as error:
            option = "--level: " if error.setting == "level" else ""
            raise CommandError(f"{option}{error}") from error
        if options["format"] == "json":
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        elif options["format"] == "csv":
            self._csv(report)
        else:
            self._text(report)

    def _csv(self, report: AktionsraumReport) -> None:
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        change = {c: k for k in ("entered", "left", "stayed") for c in getattr(report, k)}
        level = report.level["key"]
        for area in report.areas:
            writer.writerow(["area", level, area["code"], area["name"], "",
                             ";".join(area["domains_below"]), area["aktionsraum"],
                             area["override"] or "", change.get(area["code"], "")])  # fmt: skip
        finer = report.quartier_level["key"] if report.quartier_level else ""
        for quartier in report.aktionsquartiere:
            writer.writerow(["aktionsquartier", finer, quartier["code"], quartier["name"],
                             quartier["within"], "", "", "", ""])  # fmt: skip

    def _text(self, report: AktionsraumReport) -> None:
        write = self.stdout.write
        level = report.level["name"]
        write(f"Aktionsräume {report.year}: Ebene {level}, verglichen mit der ganzen Stadt")
        write(f"{'Code':<8} {'Name':<28} {'AR':<4} Bereiche unter Durchschnitt")
        for area in report.areas:
            mark = "ja" if area["aktionsraum"] else "–"
            domains = ", ".join(report.domains.get(d, d) for d in area["domains_below"]) or "–"
            write(f"{area['code']:<8} {area['name'][:28]:<28} {mark:<4} {domains}")
            if area["override"]:
                write(f"{'':<8} Festlegung: {area['override']}")
        if report.quartier_level is None:
            write(f"Aktionsquartiere: keine (das Verfahren nennt keine Ebene unter {level})")
        else:
            quartiere = [
                f"{q['code']} {q['name']} ({q['within']})" for q in report.aktionsquartiere
            ]
            finer = report.quartier_level["name"]
            write(f"Aktionsquartiere (Ebene {finer}): " + ("; ".join(quartiere) or "keine"))
        if report.compare is not None:
            for label, codes in (("neu", report.entered), ("entfallen", report.left),
                                 ("geblieben", report.stayed)):  # fmt: skip
                write(f"{label} seit {report.compare}: {', '.join(codes) or 'keine'}")
