"""Deriving a coarser level from a finer one: Köln publishes its Stadtteile, not its Stadtbezirke.

The parent of each area of the finer level is given by the first characters of its code, by a
table of codes, or is one area for all (the city). The parents' boundaries are the children's
dissolved (`geo.dissolve`), their names come from a table or are their codes. Like an import,
a derivation is one transaction and can be repeated: unchanged areas stay as they are, a
changed boundary becomes a new version.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from django.db import transaction

from quartier.analysis.geo import AreaFeature, bounds_text, dissolve
from quartier.analysis.tables import LINE, TableError, read_table
from quartier.areas.models import Area, AreaGeometry, AreaLevel
from quartier.areas.services import (
    AreaImportError,
    AreaImportReport,
    area_levels_define,
    areas_write,
    check_text,
    field_length,
    level_above,
    parents_by_location,
)

# The derived boundaries are computed in, and stored as, longitude/latitude.
DERIVED_CRS = "EPSG:4326"


@dataclass(frozen=True)
class Grouping:
    """How the parent of each child is found: exactly one of the three is given.

    `code_prefix`: the first N characters of the child's code; `mapping`: child code to parent
    code; `code`: one parent for all children. `pad` left-pads the parents' codes with zeros to
    that many characters (Köln's Stadtbezirk "1" is "001" in its tables).
    """

    code_prefix: int | None = None
    mapping: Mapping[str, str] | None = None
    code: str | None = None
    pad: int | None = None


@dataclass
class DerivationReport:
    """What a derivation did: the derived level's areas, and the children that got a parent."""

    child_level: str
    areas: AreaImportReport
    level_created: bool = False
    children_reparented: list[str] = field(default_factory=list)
    named_by_code: list[str] = field(default_factory=list)
    unused_names: list[str] = field(default_factory=list)


def area_level_derive(
    *,
    level: tuple[str, str],
    child_level: str,
    grouping: Grouping,
    names: Mapping[str, str] | None = None,
    valid_from: datetime.date | None = None,
    dry_run: bool = False,
) -> DerivationReport:
    """Derive the areas of `level` (key, name) from those of `child_level`, all or nothing.

    The level is created just above the child level if it does not exist; if it exists, it must
    be the level just above. The children get the derived areas as parents; the derived areas
    get the area of the level above that holds them, if that level has areas with a boundary.
    """
    key, level_name = level
    with transaction.atomic():
        child = _child_level(child_level)
        children = _children(child)
        parents = parent_codes(sorted(children), grouping)
        target, created = _target_level(key, level_name, child)
        report = DerivationReport(
            child.key, AreaImportReport(level=key, dry_run=dry_run), level_created=created
        )
        features = _derived(target, children, parents, names or {}, report)
        above = level_above(target)
        found = parents_by_location(above, [f.geometry for f in features]) if above else None
        start = valid_from or datetime.date.today()
        parents_above = _found(features, found, above)
        areas_write(features, target, parents_above, DERIVED_CRS, start, report.areas)
        _assign_parents(target, children, parents, report)
        if dry_run:
            transaction.set_rollback(True)
    return report


def parent_codes(children: list[str], grouping: Grouping) -> dict[str, str]:
    """The parent's code of each child code."""
    if grouping.code is not None:
        result = dict.fromkeys(children, grouping.code)
    elif grouping.mapping is not None:
        unknown = sorted(set(grouping.mapping) - set(children))
        if unknown:
            raise AreaImportError(
                f"the table of codes lists {unknown[0]!r}, which is no area of the level to "
                "derive from",
                setting="mapping",
            )
        missing = [code for code in children if code not in grouping.mapping]
        if missing:
            listed = ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")
            raise AreaImportError(
                f"the table of codes gives no parent for {len(missing)} area(s): {listed}",
                setting="mapping",
            )
        result = {code: grouping.mapping[code] for code in children}
    elif grouping.code_prefix is not None and grouping.code_prefix > 0:
        width = grouping.code_prefix
        short = [code for code in children if len(code) < width]
        if short:
            raise AreaImportError(
                f"code {short[0]!r} has fewer than {width} characters to take as its parent's",
                setting="code_prefix",
            )
        result = {code: code[:width] for code in children}
    else:
        raise AreaImportError("give how parents are found: a code prefix, a table or one code")
    if grouping.pad:
        result = {child: parent.rjust(grouping.pad, "0") for child, parent in result.items()}
    return result


def read_code_table(path: Path, what: str, *, value: str = "code") -> dict[str, str]:
    """The first two columns of a CSV or XLSX table with a header line, as key to value.

    `what` names the columns in messages, e.g. "child code, parent code"; `value` is the field
    of `Area` the second column holds ("code" or "name"), whose length it must fit.
    """
    try:
        table = read_table(path)
    except TableError as error:
        raise AreaImportError(str(error)) from error
    if len(table.columns) < 2:
        raise AreaImportError(f"{path.name}: two columns are expected ({what})")
    first, second = table.columns[:2]
    result: dict[str, str] = {}
    lines: dict[str, int] = {}
    limits = field_length(Area, "code"), field_length(Area, value)
    for key, cell, line in table.frame.select(first, second, LINE).iter_rows():
        key, text = key.strip(), cell.strip()
        if not key or not text:
            raise AreaImportError(f"{path.name}, line {line}: a cell is empty ({what})")
        if key in lines:
            raise AreaImportError(
                f"{path.name}, line {line}: {key!r} is listed twice (first in line {lines[key]})"
            )
        check_text(f"{path.name}, line {line}, column {first!r}", key, limits[0])
        check_text(f"{path.name}, line {line}, column {second!r}", text, limits[1])
        result[key], lines[key] = text, line
    return result


def _child_level(key: str) -> AreaLevel:
    level = AreaLevel.objects.filter(key=key).first()
    if level is None:
        known = ", ".join(AreaLevel.objects.values_list("key", flat=True)) or "(none yet)"
        raise AreaImportError(f"unknown level {key!r}; defined levels: {known}")
    return level


def _children(level: AreaLevel) -> dict[str, tuple[Area, shapely.MultiPolygon]]:
    """The areas of the level with their current boundary, by code."""
    areas = {a.pk: a for a in Area.objects.filter(level=level)}
    if not areas:
        raise AreaImportError(f"level {level.key!r} has no areas to derive from")
    current = AreaGeometry.objects.filter(area__level=level, valid_to__isnull=True)
    shapes = {g.area_id: shapely.from_wkb(bytes(g.wkb)) for g in current}
    without = sorted(a.code for pk, a in areas.items() if pk not in shapes)
    if without:
        raise AreaImportError(
            f"level {level.key!r}: {len(without)} area(s) have no boundary: {', '.join(without)}"
        )
    return {a.code: (a, shapes[pk]) for pk, a in areas.items()}


def _target_level(key: str, name: str, child: AreaLevel) -> tuple[AreaLevel, bool]:
    """The level to derive, created just above the child level if it does not exist."""
    if key == child.key:
        raise AreaImportError(f"level {key!r} cannot be derived from itself")
    existing = AreaLevel.objects.filter(key=key).first()
    above = level_above(child)
    if existing is None:
        levels = [(lv.key, lv.name) for lv in AreaLevel.objects.order_by("rank")]
        position = [lv for lv, _ in levels].index(child.key)
        area_levels_define(levels=[*levels[:position], (key, name), *levels[position:]])
        return AreaLevel.objects.get(key=key), True
    if above is None or above.pk != existing.pk:
        just_above = f"the level just above it is {above.key!r}" if above else "it is the top level"
        raise AreaImportError(
            f"level {key!r} is not the level just above {child.key!r} ({just_above}); "
            "areas have their parents in the level just above"
        )
    return existing, False


def _derived(
    level: AreaLevel,
    children: dict[str, tuple[Area, shapely.MultiPolygon]],
    parents: dict[str, str],
    names: Mapping[str, str],
    report: DerivationReport,
) -> list[AreaFeature]:
    """The derived areas: code, name (given, else as stored, else the code) and boundary."""
    groups: dict[str, list[shapely.MultiPolygon]] = {}
    for code in sorted(children):
        groups.setdefault(parents[code], []).append(children[code][1])
    try:
        shapes = dissolve(dict(sorted(groups.items())))
    except ValueError as error:
        raise AreaImportError(f"level {level.key!r}: {error}") from error
    stored = dict(Area.objects.filter(level=level).values_list("code", "name"))
    features = []
    for number, (code, shape) in enumerate(shapes.items(), start=1):
        name = names.get(code) or stored.get(code)
        if name is None:
            name = code
            report.named_by_code.append(code)
        where = f"level {level.key!r}, area {code[:20]!r}:"
        check_text(f"{where} the code", code, field_length(Area, "code"))
        check_text(f"{where} the name", name, field_length(Area, "name"))
        features.append(AreaFeature(number, code, name, None, shape))
    report.unused_names = sorted(set(names) - set(shapes))
    report.areas.bounding_box = bounds_text([feature.geometry for feature in features])
    return features


def _found(
    features: list[AreaFeature], found: list[Area | None] | None, above: AreaLevel | None
) -> dict[str, Area | None]:
    if found is None or above is None:
        return {}
    for feature, parent in zip(features, found, strict=True):
        if parent is None:
            raise AreaImportError(
                f"derived area {feature.code!r} lies in no area of level {above.key!r}"
            )
    return {feature.code: parent for feature, parent in zip(features, found, strict=True)}


def _assign_parents(
    level: AreaLevel,
    children: dict[str, tuple[Area, shapely.MultiPolygon]],
    parents: dict[str, str],
    report: DerivationReport,
) -> None:
    derived = {a.code: a for a in Area.objects.filter(level=level)}
    for code in sorted(children):
        child, parent = children[code][0], derived[parents[code]]
        if child.parent_id != parent.pk:
            child.parent = parent
            child.save(update_fields=["parent"])
            report.children_reparented.append(code)
