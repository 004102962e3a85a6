"""The generated indicator reference stays in step with the catalogue."""

from __future__ import annotations

from quartier.analysis.catalogue import load_catalogue
from quartier.indicator_reference import reference

from .conftest import PROJECT_DIR


def test_indicator_reference_is_up_to_date() -> None:
    current = (PROJECT_DIR / "docs" / "indicators.md").read_text(encoding="utf-8")
    assert current == reference(), "docs/indicators.md is out of date: run `make docs`"


def test_every_indicator_and_domain_is_documented() -> None:
    text = reference()
    catalogue = load_catalogue()
    for indicator in catalogue:
        assert f"| `{indicator.key}` | {indicator.name_de} |" in text
    for domain in catalogue.domains:
        assert f"## {domain.name_de} (`{domain.key}`)" in text


def test_formulas_and_units_are_in_the_table() -> None:
    text = reference()
    mobility = "| ‰ | `(zuzuege + fortzuege) / einwohner × 1000` | 1000 | higher is worse | yes |"
    assert mobility in text
    assert "`einwohner[age_group: 0-5, 6-14, 15-17] / einwohner × 100`" in text
