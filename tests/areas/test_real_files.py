"""Real published area files: Berlin's 448 Planungsräume and Köln's 86 Stadtteile."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from quartier.areas.models import Area, AreaGeometry
from tests.realdata import BERLIN, BERLIN_FIX, load_koeln_areas

pytestmark = [pytest.mark.django_db, pytest.mark.shared_data]


def import_berlin(shared_data: Path, *extra: str) -> str:
    out = StringIO()
    call_command(
        "import_areas", str(shared_data / BERLIN), "--level", "planungsraum",
        "--code-field", "id", "--name-field", "name", *extra, stdout=out,
    )  # fmt: skip
    return out.getvalue()


def test_berlin_duplicate_code_is_reported(shared_data: Path) -> None:
    call_command("levels", "planungsraum:Planungsraum", verbosity=0)
    with pytest.raises(CommandError) as raised:
        import_berlin(shared_data)
    assert "feature 205: duplicate code '06010102' (field 'id'), first used by feature 124" in str(
        raised.value
    )
    assert Area.objects.count() == 0


def test_berlin_planungsraeume_keep_leading_zeros(shared_data: Path) -> None:
    call_command("levels", "planungsraum:Planungsraum", verbosity=0)
    out = import_berlin(shared_data, "--set-code", BERLIN_FIX)
    assert "448 new" in out
    assert Area.objects.count() == 448
    codes = set(Area.objects.values_list("code", flat=True))
    assert all(len(code) == 8 for code in codes)
    assert {"01011101", "04030417", "06010102"} <= codes
    table = (shared_data / "berlin-mss/mss_2013_table_2-1.csv").read_text(encoding="utf-8")
    mss_ids = {line.split(",")[0] for line in table.splitlines()[1:]}
    assert mss_ids <= codes  # every MSS Planungsraum has its polygon
    assert "0 new, 0 new boundary versions, 0 renamed, 0 new parent, 448 unchanged" in (
        import_berlin(shared_data, "--set-code", BERLIN_FIX)
    )
    assert AreaGeometry.objects.count() == 448


def test_koeln_stadtteile_kml(shared_data: Path, tmp_path: Path) -> None:
    load_koeln_areas(shared_data, tmp_path)
    assert Area.objects.filter(level__key="stadtteil").count() == 86
    assert Area.objects.filter(level__key="stadtbezirk").count() == 9
    # Stadtteil numbers begin with their Stadtbezirk's number (101 Altstadt/Süd lies in 1).
    mismatched = [
        a.code
        for a in Area.objects.filter(level__key="stadtteil").select_related("parent")
        if a.parent is None or a.parent.code != f"00{a.code[0]}"
    ]
    assert mismatched == []
    assert Area.objects.get(level__key="stadtteil", code="101").name == "Altstadt/Süd"
