"""Loading the real Berlin and Köln area files, shared by the area and the statistics tests."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.core.management import call_command

BERLIN = "berlin-lor/planungsraeume-bis-2020.geojson"
# The published file gives Charlottenburg's "Schloßstraße" (feature 124) the code of the
# Steglitz "Schloßstraße" (06010102); the MSS tables know it as 04030417.
BERLIN_FIX = "124=04030417"
KOELN = "koeln/stadtteile.kml"


def load_berlin_areas(shared_data: Path) -> None:
    call_command("levels", "planungsraum:Planungsraum", verbosity=0)
    call_command(
        "import_areas", str(shared_data / BERLIN), "--level", "planungsraum",
        "--code-field", "id", "--name-field", "name", "--set-code", BERLIN_FIX, verbosity=0,
    )  # fmt: skip


# Köln's Stadtbezirke by number; their codes in the statistics are 001-009 (the city is 000).
KOELN_BEZIRKE = {
    "001": "Innenstadt", "002": "Rodenkirchen", "003": "Lindenthal", "004": "Ehrenfeld",
    "005": "Nippes", "006": "Chorweiler", "007": "Porz", "008": "Kalk", "009": "Mülheim",
}  # fmt: skip


def load_koeln_areas(shared_data: Path, folder: Path) -> None:
    """The 86 Stadtteile from Köln's KML; the Stadtbezirke and the city derived from them.

    A Stadtteil's number begins with its Stadtbezirk's (101 Altstadt/Süd lies in 1, Innenstadt).
    """
    call_command(
        "levels", "stadt:Stadt", "stadtbezirk:Stadtbezirk", "stadtteil:Stadtteil", verbosity=0
    )
    call_command(
        "import_areas", str(shared_data / KOELN), "--level", "stadtteil", "--code-field",
        "STT_NR", "--name-field", "STT_NAME", stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip
    names = folder / "stadtbezirke.csv"
    rows = [f"{code},{name}" for code, name in KOELN_BEZIRKE.items()]
    names.write_text("\n".join(["code,name", *rows, ""]), encoding="utf-8")
    call_command(
        "derive_level", "stadtbezirk", "--from", "stadtteil", "--code-prefix", "1", "--pad",
        "3", "--names", str(names), stdout=StringIO(),
    )  # fmt: skip
    call_command(
        "derive_level", "stadt", "--from", "stadtbezirk", "--code", "000", "--name",
        "Stadt Köln", stdout=StringIO(),
    )  # fmt: skip
