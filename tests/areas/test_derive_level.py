"""`quartier derive-level`: coarser areas dissolved from finer ones, parents assigned.

A small city in UTM 32N: two districts of four 500 m cells each, drawn with gaps of 0.3 m
between the cells, as published layers are; and Köln's 86 real Stadtteile.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError

from quartier.analysis.geo import area_km2
from quartier.areas.models import Area, AreaGeometry, AreaLevel
from tests.realdata import KOELN, KOELN_BEZIRKE

from .conftest import X0, Y0, WriteGeojson, feature, square

pytestmark = pytest.mark.django_db

GAP = 0.3  # metres between neighbouring cells


@pytest.fixture
def cells(levels: None, write_geojson: WriteGeojson) -> Path:
    """Cells 101-104 (district 1, west) and 201-204 (district 2, east), imported as Sozialräume."""
    items = []
    for district, dx in ((1, 0), (2, 1000)):
        for index, (cx, cy) in enumerate([(0, 0), (500, 0), (0, 500), (500, 500)], start=1):
            cell = square(X0 + dx + cx + GAP / 2, Y0 + cy + GAP / 2, 500 - GAP)
            items.append(feature(f"{district}0{index}", f"Zelle {district}.{index}", cell))
    path = write_geojson("zellen.geojson", items)
    call_command(
        "import_areas", str(path), "--level", "sozialraum", "--code-field", "code",
        "--name-field", "name", stdout=StringIO(),
    )  # fmt: skip
    return path


def derive(*args: str) -> str:
    out = StringIO()
    call_command("derive_level", *args, stdout=out, stderr=out)
    return out.getvalue()


def shape(area: Area) -> shapely.MultiPolygon:
    return shapely.from_wkb(bytes(area.geometries.get(valid_to__isnull=True).wkb))


def state() -> tuple[list[tuple[str, str, str, str | None]], int, list[tuple[str, int]]]:
    """Areas (level, code, name, parent), geometry versions and levels: all a derivation writes."""
    areas = list(
        Area.objects.order_by("level__rank", "code").values_list(
            "level__key", "code", "name", "parent__code"
        )
    )
    levels = list(AreaLevel.objects.order_by("rank").values_list("key", "rank"))
    return areas, AreaGeometry.objects.count(), levels


def test_a_code_prefix_dissolves_the_children_without_slivers(cells: Path) -> None:
    out = derive("stadtbezirk", "--from", "sozialraum", "--code-prefix", "1", "--pad", "2")
    assert out.splitlines() == [
        "level stadtbezirk from level sozialraum: 2 new, 0 new boundary versions, 0 renamed, "
        "0 new parent, 0 unchanged; 8 area(s) of level sozialraum with a new parent",
        "stored bounding box: 7.41–7.44 °E, 51.53–51.54 °N",
        "Note: no name given for 2 area(s), named by their code: 01, 02 (option --names)",
    ]
    districts = {a.code: a for a in Area.objects.filter(level__key="stadtbezirk")}
    assert {code: a.name for code, a in districts.items()} == {"01": "01", "02": "02"}
    for district in districts.values():
        outline = shape(district)
        assert len(outline.geoms) == 1
        assert list(outline.geoms[0].interiors) == []
        assert area_km2(outline) == pytest.approx(1.0, rel=0.005)
    parents = dict(Area.objects.filter(level__key="sozialraum").values_list("code", "parent__code"))
    assert parents == {f"{d}0{i}": f"0{d}" for d in (1, 2) for i in range(1, 5)}
    # The two districts share their border exactly: no sliver between them either.
    west, east = shape(districts["01"]), shape(districts["02"])
    assert shapely.intersection(west, east).area == 0
    assert list(shapely.union_all([west, east]).interiors) == []


def test_deriving_again_changes_nothing(cells: Path, tmp_path: Path) -> None:
    names = tmp_path / "namen.csv"
    names.write_text("code;name\n01;West\n02;Ost\n", encoding="utf-8")
    args = ("stadtbezirk", "--from", "sozialraum", "--code-prefix", "1", "--pad", "2")
    derive(*args, "--names", str(names))
    before = state()
    out = derive(*args)  # without names, the stored names stay
    assert state() == before
    assert out.splitlines()[0] == (
        "level stadtbezirk from level sozialraum: 0 new, 0 new boundary versions, 0 renamed, "
        "0 new parent, 2 unchanged; 0 area(s) of level sozialraum with a new parent"
    )
    assert "Note" not in out
    assert dict(Area.objects.filter(level__key="stadtbezirk").values_list("code", "name")) == {
        "01": "West",
        "02": "Ost",
    }


def test_a_table_of_codes_groups_the_children(cells: Path, tmp_path: Path) -> None:
    mapping = tmp_path / "zuordnung.csv"
    rows = [f"{d}0{i},{'N' if i <= 2 else 'S'}" for d in (1, 2) for i in range(1, 5)]
    mapping.write_text("\n".join(["sozialraum,bezirk", *rows, ""]), encoding="utf-8")
    derive("stadtbezirk", "--from", "sozialraum", "--mapping", str(mapping))
    # Cells 1 and 2 of each district are its southern row: N and S are strips across the city.
    outlines = {a.code: shape(a) for a in Area.objects.filter(level__key="stadtbezirk")}
    assert set(outlines) == {"N", "S"}
    assert outlines["N"].bounds[1] < outlines["S"].bounds[1]
    assert area_km2(outlines["N"]) == pytest.approx(1.0, rel=0.005)


def test_the_city_is_one_area_in_a_level_created_above(cells: Path) -> None:
    derive("stadtbezirk", "--from", "sozialraum", "--code-prefix", "1", "--pad", "2")
    out = derive("stadt:Stadt", "--from", "stadtbezirk", "--code", "000", "--name", "Musterdorf")
    assert out.startswith(
        "level stadt (new, just above stadtbezirk) from level stadtbezirk: 1 new, "
    )
    assert list(AreaLevel.objects.order_by("rank").values_list("key", "rank")) == [
        ("stadt", 0),
        ("stadtbezirk", 1),
        ("sozialraum", 2),
    ]
    city = Area.objects.get(level__key="stadt")
    assert (city.code, city.name) == ("000", "Musterdorf")
    outline = shape(city)
    assert len(outline.geoms) == 1
    assert list(outline.geoms[0].interiors) == []
    assert area_km2(outline) == pytest.approx(2.0, rel=0.005)
    assert set(
        Area.objects.filter(level__key="stadtbezirk").values_list("parent__code", flat=True)
    ) == {"000"}


def test_a_new_level_between_two_finds_its_parents_by_location(
    db: None, write_geojson: WriteGeojson
) -> None:
    call_command("levels", "stadt:Stadt", "quartier:Quartier", verbosity=0)
    city = write_geojson("stadt.geojson", [feature("0", "Stadt", square(X0 - 100, Y0 - 100, 2200))])
    quarters = write_geojson(
        "quartiere.geojson",
        [feature(f"{d}{i}", f"Q {d}{i}", square(X0 + 1000 * (d - 1), Y0 + 500 * i, 500))
         for d in (1, 2) for i in (0, 1)],
    )  # fmt: skip
    for path, level in ((city, "stadt"), (quarters, "quartier")):
        call_command(
            "import_areas", str(path), "--level", level, "--code-field", "code",
            "--name-field", "name", stdout=StringIO(),
        )  # fmt: skip
    derive("bezirk:Bezirk", "--from", "quartier", "--code-prefix", "1")
    assert list(AreaLevel.objects.order_by("rank").values_list("key", "name")) == [
        ("stadt", "Stadt"),
        ("bezirk", "Bezirk"),
        ("quartier", "Quartier"),
    ]
    assert dict(Area.objects.filter(level__key="bezirk").values_list("code", "parent__code")) == {
        "1": "0",
        "2": "0",
    }
    assert set(
        Area.objects.filter(level__key="quartier").values_list("parent__code", flat=True)
    ) == {"1", "2"}


def test_a_changed_child_gives_its_parent_a_new_boundary_version(
    cells: Path, write_geojson: WriteGeojson
) -> None:
    args = ("stadtbezirk", "--from", "sozialraum", "--code-prefix", "1", "--pad", "2")
    derive(*args)
    bigger = write_geojson(
        "groesser.geojson", [feature("101", "Zelle 1.1", square(X0 - 500, Y0, 1000))]
    )
    call_command(
        "import_areas", str(bigger), "--level", "sozialraum", "--code-field", "code",
        "--name-field", "name", "--valid-from", "2030-01-01", stdout=StringIO(),
    )  # fmt: skip
    out = derive(*args, "--valid-from", "2030-01-01")
    assert "0 new, 1 new boundary versions, 0 renamed, 0 new parent, 1 unchanged" in out
    west = Area.objects.get(level__key="stadtbezirk", code="01")
    assert west.geometries.count() == 2
    assert area_km2(shape(west)) > 1.2


def test_a_dry_run_writes_nothing(cells: Path) -> None:
    before = state()
    out = derive("stadt", "--from", "sozialraum", "--code", "0", "--dry-run")
    assert out.startswith("Dry run, nothing written: level stadt (new, just above sozialraum)")
    assert state() == before


def table(tmp_path: Path, text: str) -> str:
    path = tmp_path / "tabelle.csv"
    path.write_bytes(text.encode("utf-8"))
    return str(path)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["stadt", "--from", "gemeinde", "--code", "0"],
            "unknown level 'gemeinde'; defined levels: stadtbezirk, sozialraum",
        ),
        (
            ["stadtbezirk", "--from", "sozialraum", "--code-prefix", "4"],
            "code '101' has fewer than 4 characters to take as its parent's (option --code-prefix)",
        ),
        (
            ["sozialraum", "--from", "sozialraum", "--code", "0"],
            "level 'sozialraum' cannot be derived from itself",
        ),
        (
            ["stadtbezirk", "--from", "sozialraum", "--mapping", "code,parent\n101,1\n"],
            "the table of codes gives no parent for 7 area(s): 102, 103, 104, 201, 202, 203, "
            "204 (option --mapping)",
        ),
        (
            ["stadtbezirk", "--from", "sozialraum", "--mapping", "code,parent\n999,1\n"],
            "the table of codes lists '999', which is no area of the level to derive from "
            "(option --mapping)",
        ),
        (
            ["stadtbezirk", "--from", "sozialraum", "--mapping", "code,parent\n101,1\n101,2\n"],
            "tabelle.csv, line 3: '101' is listed twice (first in line 2)",
        ),
        (
            ["stadtbezirk", "--from", "sozialraum", "--mapping", "code,parent\n101,\n102,1\n"],
            "tabelle.csv, line 2: a cell is empty (child code, parent code)",
        ),
        (
            ["stadtbezirk", "--from", "sozialraum", "--code-prefix", "1", "--names",
             "code,name\n1,We\0st\n"],
            "tabelle.csv, line 2, column 'name' contains a NUL character, which a database "
            "cannot store",
        ),
        (
            ["stadtbezirk", "--from", "sozialraum", "--code-prefix", "1", "--names",
             "code,name\n1," + "W" * 201 + "\n"],
            "tabelle.csv, line 2, column 'name' has 201 characters; at most 200 are allowed",
        ),
    ],
)  # fmt: skip
def test_bad_input_is_refused_and_nothing_changes(
    cells: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    for index, arg in enumerate(args):
        if "\n" in arg:
            args[index] = table(tmp_path, arg)
    before = state()
    with pytest.raises(CommandError) as raised:
        derive(*args)
    assert str(raised.value) == f"{message}\nNothing was changed."
    assert state() == before


def test_a_level_that_is_not_just_above_is_refused(cells: Path) -> None:
    call_command("levels", "stadt", "stadtbezirk", "sozialraum", verbosity=0)
    before = state()
    with pytest.raises(CommandError) as raised:
        derive("stadt", "--from", "sozialraum", "--code", "0")
    assert str(raised.value) == (
        "level 'stadt' is not the level just above 'sozialraum' (the level just above it is "
        "'stadtbezirk'); areas have their parents in the level just above\nNothing was changed."
    )
    assert state() == before


def test_a_name_belongs_to_the_one_area_of_a_code(cells: Path) -> None:
    with pytest.raises(CommandError) as raised:
        derive("stadtbezirk", "--from", "sozialraum", "--code-prefix", "1", "--name", "X")
    assert str(raised.value) == "--name names the one area of --code; give several in --names"


@pytest.mark.shared_data
def test_koeln_stadtbezirke_and_city_from_the_stadtteile(shared_data: Path, tmp_path: Path) -> None:
    call_command(
        "levels", "stadt:Stadt", "stadtbezirk:Stadtbezirk", "stadtteil:Stadtteil", verbosity=0
    )
    call_command(
        "import_areas", str(shared_data / KOELN), "--level", "stadtteil", "--code-field",
        "STT_NR", "--name-field", "STT_NAME", stdout=StringIO(), stderr=StringIO(),
    )  # fmt: skip
    names = tmp_path / "stadtbezirke.csv"
    names.write_text(
        "\n".join(["code,name", *(f"{c},{n}" for c, n in KOELN_BEZIRKE.items())]), "utf-8"
    )
    bezirke = ("stadtbezirk", "--from", "stadtteil", "--code-prefix", "1", "--pad", "3")
    out = derive(*bezirke, "--names", str(names))
    assert "9 new" in out
    assert "86 area(s) of level stadtteil with a new parent" in out
    derive("stadt", "--from", "stadtbezirk", "--code", "000", "--name", "Stadt Köln")

    stadtteile = sum(area_km2(shape(a)) for a in Area.objects.filter(level__key="stadtteil"))
    outlines = [shape(a) for a in Area.objects.filter(level__key="stadtbezirk")]
    assert len(outlines) == 9
    assert [len(p.interiors) for outline in outlines for p in outline.geoms] == [0] * 9
    assert sum(area_km2(o) for o in outlines) == pytest.approx(stadtteile, rel=1e-4)
    (city,) = Area.objects.filter(level__key="stadt")
    assert len(shape(city).geoms) == 1
    assert not list(shape(city).geoms[0].interiors)
    assert area_km2(shape(city)) == pytest.approx(stadtteile, rel=1e-4)
    assert Area.objects.get(level__key="stadtbezirk", code="001").name == "Innenstadt"
    assert Area.objects.get(level__key="stadtteil", code="101").parent.code == "001"  # type: ignore[union-attr]
    assert set(
        Area.objects.filter(level__key="stadtbezirk").values_list("parent__code", flat=True)
    ) == {"000"}

    before = state()
    again = derive(*bezirke, "--names", str(names))
    assert "0 new, 0 new boundary versions, 0 renamed, 0 new parent, 9 unchanged" in again
    assert state() == before
