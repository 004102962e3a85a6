"""Loading the real Berlin and Köln area files, shared by the area and the statistics tests."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import shapely
from django.core.management import call_command

from quartier.analysis.geo import read_area_layer

BERLIN = "berlin-lor/planungsraeume-bis-2020.geojson"
# The published file gives Charlottenburg's "Schloßstraße" (feature 124) the code of the
# Steglitz "Schloßstraße" (06010102); the MSS tables know it as 04030417.
BERLIN_FIX = "124=04030417"


def load_berlin_areas(shared_data: Path) -> None:
    call_command("levels", "planungsraum:Planungsraum", verbosity=0)
    call_command(
        "import_areas", str(shared_data / BERLIN), "--level", "planungsraum",
        "--code-field", "id", "--name-field", "name", "--set-code", BERLIN_FIX, verbosity=0,
    )  # fmt: skip


def load_koeln_areas(shared_data: Path, folder: Path) -> None:
    """City and Stadtbezirke are dissolved from the Stadtteile (Köln publishes those separately);
    the Stadtteile then find their Stadtbezirk by location."""
    call_command(
        "levels", "stadt:Stadt", "stadtbezirk:Stadtbezirk", "stadtteil:Stadtteil", verbosity=0
    )
    kml = shared_data / "koeln/stadtteile.kml"
    layer = read_area_layer(kml, code_field="STT_NR", name_field="STT_NAME")
    groups: dict[str, list[shapely.MultiPolygon]] = {}
    for feature in layer.features:
        groups.setdefault(f"00{feature.code[0]}", []).append(feature.geometry)
    bezirke = [(code, shapely.union_all(parts)) for code, parts in sorted(groups.items())]
    city = shapely.union_all([shape for _, shape in bezirke])
    write(folder / "stadt.geojson", [("000", "Stadt Köln", city)])
    write(folder / "bezirke.geojson", [(code, f"Stadtbezirk {code}", s) for code, s in bezirke])
    for name, level, parent in [
        ("stadt.geojson", "stadt", []),
        ("bezirke.geojson", "stadtbezirk", ["--parent-by-location"]),
    ]:
        call_command(
            "import_areas", str(folder / name), "--level", level, "--code-field", "code",
            "--name-field", "name", *parent, verbosity=0,
        )  # fmt: skip
    call_command(
        "import_areas", str(kml), "--level", "stadtteil", "--code-field", "STT_NR",
        "--name-field", "STT_NAME", "--parent-by-location", verbosity=0, stderr=StringIO(),
    )  # fmt: skip


def write(path: Path, items: list[tuple[str, str, shapely.Geometry]]) -> None:
    features = [
        {
            "type": "Feature",
            "properties": {"code": code, "name": name},
            "geometry": shapely.geometry.mapping(shape),
        }
        for code, name, shape in items
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
