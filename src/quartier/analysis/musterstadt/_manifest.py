"""The manifest: what a generated Musterstadt folder holds and in which order to import it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quartier.analysis.musterstadt._story import IndexRate, rates_by_domain, rule_text

MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True)
class LevelSpec:
    """An area level, coarsest first."""

    key: str
    name: str


@dataclass(frozen=True)
class AreaFileSpec:
    """A geodata file with the areas of one level and the property names to read."""

    file: str
    level: str
    code_field: str
    name_field: str
    parent_field: str | None


@dataclass(frozen=True)
class DataFileSpec:
    """A table of observations and the YAML mapping that describes its columns."""

    file: str
    mapping: str


@dataclass(frozen=True)
class ImprovingArea:
    """A Sozialraum that leaves the below-average group, and its Bezirk that stays behind."""

    sozialraum: str
    name: str
    lagging_bezirk: str
    lagging_name: str


@dataclass(frozen=True)
class DecliningArea:
    """A Sozialraum that joins the below-average group."""

    sozialraum: str
    name: str


@dataclass(frozen=True)
class Story:
    """The planted development between the baseline and the target year."""

    baseline_year: int
    target_year: int
    improving: tuple[ImprovingArea, ...]
    declining: tuple[DecliningArea, ...]


@dataclass(frozen=True)
class Manifest:
    """Contents of a generated folder: areas first (coarsest level first), then data."""

    city: str
    synthetic: bool
    seed: int
    crs: str
    first_year: int
    last_year: int
    levels: tuple[LevelSpec, ...]
    areas: tuple[AreaFileSpec, ...]
    data: tuple[DataFileSpec, ...]
    story: Story

    def to_json(self) -> dict[str, Any]:
        """The manifest as a JSON object, including the monitoring rule the story is made for."""
        return {
            "city": self.city,
            "synthetic": self.synthetic,
            "seed": self.seed,
            "crs": self.crs,
            "years": [self.first_year, self.last_year],
            "levels": [{"key": lv.key, "name": lv.name} for lv in self.levels],
            "areas": [vars(spec) for spec in self.areas],
            "data": [vars(spec) for spec in self.data],
            "story": _story_json(self.story),
        }


def _story_json(story: Story) -> dict[str, Any]:
    return {
        "baseline_year": story.baseline_year,
        "target_year": story.target_year,
        "rule": rule_text(),
        "domains": {
            name: [_indicator_json(i) for i in items] for name, items in rates_by_domain().items()
        },
        "improving": [vars(area) for area in story.improving],
        "declining": [vars(area) for area in story.declining],
    }


def _indicator_json(indicator: IndexRate) -> dict[str, Any]:
    return {
        "numerator": list(indicator.numerators),
        "denominator": indicator.denominator,
        "higher_is_worse": indicator.higher_is_worse,
    }


def read_manifest(folder: Path) -> Manifest:
    """Read `manifest.json` from a generated folder."""
    raw = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    story = raw["story"]
    first_year, last_year = raw["years"]
    return Manifest(
        city=raw["city"],
        synthetic=raw["synthetic"],
        seed=raw["seed"],
        crs=raw["crs"],
        first_year=first_year,
        last_year=last_year,
        levels=tuple(LevelSpec(**item) for item in raw["levels"]),
        areas=tuple(AreaFileSpec(**item) for item in raw["areas"]),
        data=tuple(DataFileSpec(**item) for item in raw["data"]),
        story=Story(
            baseline_year=story["baseline_year"],
            target_year=story["target_year"],
            improving=tuple(ImprovingArea(**item) for item in story["improving"]),
            declining=tuple(DecliningArea(**item) for item in story["declining"]),
        ),
    )
