"""`quartier catalogue-fit`: which indicators the imported observations allow, and why not."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from quartier.areas.models import Area, AreaLevel
from quartier.monitoring.models import Observation


@pytest.fixture
def observed(db: None) -> None:
    level = AreaLevel.objects.create(key="stadt", name="Stadt", rank=0)
    city = Area.objects.create(level=level, code="000", name="Stadt Köln")
    for variable, key, value in [
        ("einwohner", "", 1023101.0),
        ("einwohner", "age_group=65-79", 150000.0),
        ("Einwohner in Köln: Einwohner", "", 1023101.0),
    ]:
        Observation.objects.create(
            area=city, period=2005, variable=variable, breakdown_key=key, value=value
        )


def fit(*options: str) -> list[str]:
    out = StringIO()
    call_command("catalogue_fit", *options, stdout=out)
    return out.getvalue().splitlines()


def test_each_indicator_says_whether_it_fits_and_what_it_lacks(observed: None) -> None:
    lines = fit()
    assert lines[0] == "Indicators the imported data allow: 2 of 19"
    rows = {line.split()[0]: line.split(maxsplit=1)[1] for line in lines[1:20]}
    assert rows["einwohnerzahl"] == rows["bevoelkerungsentwicklung"] == "yes"
    assert rows["anteil_80plus"] == "no: age_group '80+' never occurs for the variable 'einwohner'"
    assert rows["sgb2_quote"].startswith("no: variable 'sgb2' has no observations")
    assert lines[20:] == [
        "Imported variables that no indicator reads (1):",
        "  Einwohner in Köln: Einwohner",
    ]


def test_as_csv(observed: None) -> None:
    lines = fit("--format", "csv")
    assert lines[0] == "indicator,domain,computable,lacking"
    assert "einwohnerzahl,demografie,yes," in lines
    assert len(lines) == 20


def test_without_observations_it_says_what_to_do(db: None) -> None:
    lines = fit()
    assert lines[0] == "Indicators the imported data allow: 0 of 19"
    assert lines[-1] == "No observations imported yet: run quartier import-data first."
