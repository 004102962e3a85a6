"""Writes to the area hierarchy: level definition and the transactional import of area files."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

import shapely
from django.db import transaction

from quartier.analysis.geo import AreaFeature, AreaLayer, containing, same_shape
from quartier.areas.models import Area, AreaGeometry, AreaLevel

# Areas imported for the first time are taken as valid "since always": their start is unknown.
BEGINNING = datetime.date(1900, 1, 1)


class AreaImportError(ValueError):
    """The areas cannot be imported; nothing was written.

    `setting` names the parameter of `areas_import` that would settle the problem
    ("valid_from"), or is None; the caller says how to give it.
    """

    def __init__(self, message: str, *, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting


@dataclass
class AreaImportReport:
    level: str
    created: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    reparented: list[str] = field(default_factory=list)
    new_geometry_versions: list[str] = field(default_factory=list)
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.created or self.renamed or self.reparented or self.new_geometry_versions)


def area_levels_define(*, levels: Sequence[tuple[str, str]]) -> list[AreaLevel]:
    """Set the ordered levels of the city, coarsest first; levels not listed must be empty."""
    keys = [key for key, _name in levels]
    if len(set(keys)) != len(keys):
        raise AreaImportError(f"a level is listed twice: {', '.join(keys)}")
    with transaction.atomic():
        leftover = AreaLevel.objects.exclude(key__in=keys)
        for level in leftover:
            if level.areas.exists():
                raise AreaImportError(
                    f"level {level.key!r} has areas and cannot be removed; list it too"
                )
        leftover.delete()
        # Ranks are unique, so move every level out of the way before assigning the new order.
        offset = 1000
        for rank, level in enumerate(AreaLevel.objects.order_by("rank")):
            AreaLevel.objects.filter(pk=level.pk).update(rank=offset + rank)
        result = []
        for rank, (key, name) in enumerate(levels):
            level, _ = AreaLevel.objects.update_or_create(
                key=key, defaults={"name": name, "rank": rank}
            )
            result.append(level)
    return result


def areas_import(
    *,
    layer: AreaLayer,
    level_key: str,
    parent_by_location: bool = False,
    valid_from: datetime.date | None = None,
    dry_run: bool = False,
) -> AreaImportReport:
    """Import the areas of a file into one level, all or nothing.

    Importing the same file again changes nothing; a changed boundary closes the current geometry
    version the day before `valid_from` (default today) and starts a new one.
    """
    level = _level(level_key)
    report = AreaImportReport(level=level.key, warnings=list(layer.warnings), dry_run=dry_run)
    start = valid_from or datetime.date.today()
    with transaction.atomic():
        parents = _parents(layer, level, parent_by_location)
        existing = {a.code: a for a in Area.objects.filter(level=level).select_related("parent")}
        current = _current_geometries(level)
        for feature in layer.features:
            parent = parents.get(feature.code)
            area = existing.get(feature.code)
            if area is None:
                _create(feature, level, parent, layer.source_crs)
                report.created.append(feature.code)
                continue
            _update(area, feature, parent, report)
            _version(area, current.get(area.pk), feature, layer.source_crs, start, report)
        touched = {*report.created, *report.renamed, *report.reparented}
        report.unchanged = len(layer.features) - len(touched | {*report.new_geometry_versions})
        if dry_run:
            transaction.set_rollback(True)
    return report


def _level(level_key: str) -> AreaLevel:
    try:
        return AreaLevel.objects.get(key=level_key)
    except AreaLevel.DoesNotExist:
        known = ", ".join(AreaLevel.objects.values_list("key", flat=True)) or "(none yet)"
        raise AreaImportError(
            f"unknown level {level_key!r}; defined levels: {known}. "
            "Define the levels first, e.g. `quartier levels stadt stadtbezirk sozialraum`"
        ) from None


def _parent_level(level: AreaLevel) -> AreaLevel | None:
    return AreaLevel.objects.filter(rank__lt=level.rank).order_by("-rank").first()


def _parents(layer: AreaLayer, level: AreaLevel, by_location: bool) -> dict[str, Area | None]:
    wants_parent = by_location or any(f.parent for f in layer.features)
    if not wants_parent:
        return {}
    parent_level = _parent_level(level)
    if parent_level is None:
        raise AreaImportError(f"level {level.key!r} is the top level; its areas have no parent")
    candidates = {a.code: a for a in Area.objects.filter(level=parent_level)}
    if by_location:
        return _parents_by_location(layer, parent_level, candidates)
    result: dict[str, Area | None] = {}
    for feature in layer.features:
        if feature.parent is None:
            raise AreaImportError(
                f"{layer.path.name}: feature {feature.number} (code {feature.code!r}): "
                f"field {layer.parent_field!r} (parent) is empty"
            )
        if feature.parent not in candidates:
            raise AreaImportError(
                f"{layer.path.name}: feature {feature.number} (code {feature.code!r}): "
                f"field {layer.parent_field!r}: unknown parent {feature.parent!r} "
                f"in level {parent_level.key!r}"
            )
        result[feature.code] = candidates[feature.parent]
    return result


def _parents_by_location(
    layer: AreaLayer, parent_level: AreaLevel, candidates: dict[str, Area]
) -> dict[str, Area | None]:
    """The parent is the area of the level above that contains the child's point on surface."""
    geometries = _current_geometries(parent_level)
    parents = [candidates[code] for code in candidates if candidates[code].pk in geometries]
    if not parents:
        raise AreaImportError(f"level {parent_level.key!r} has no areas with geometry yet")
    shapes = [shapely.from_wkb(bytes(geometries[p.pk].wkb)) for p in parents]
    found = containing(shapes, [feature.geometry for feature in layer.features])
    result: dict[str, Area | None] = {}
    for feature, parent in zip(layer.features, found, strict=True):
        if parent < 0:
            raise AreaImportError(
                f"{layer.path.name}: feature {feature.number} (code {feature.code!r}) "
                f"lies in no area of level {parent_level.key!r}"
            )
        result[feature.code] = parents[parent]
    return result


def _current_geometries(level: AreaLevel) -> dict[int, AreaGeometry]:
    rows = AreaGeometry.objects.filter(area__level=level, valid_to__isnull=True)
    return {g.area_id: g for g in rows}


def _create(feature: AreaFeature, level: AreaLevel, parent: Area | None, crs: str) -> None:
    area = Area.objects.create(
        level=level, code=feature.code, name=feature.name, parent=parent, valid_from=BEGINNING
    )
    AreaGeometry.objects.create(
        area=area, wkb=shapely.to_wkb(feature.geometry), source_crs=crs, valid_from=BEGINNING
    )


def _update(
    area: Area, feature: AreaFeature, parent: Area | None, report: AreaImportReport
) -> None:
    fields = []
    if area.name != feature.name:
        area.name = feature.name
        fields.append("name")
        report.renamed.append(area.code)
    if parent is not None and area.parent_id != parent.pk:
        area.parent = parent
        fields.append("parent")
        report.reparented.append(area.code)
    if fields:
        area.save(update_fields=fields)


def _version(
    area: Area,
    current: AreaGeometry | None,
    feature: AreaFeature,
    crs: str,
    start: datetime.date,
    report: AreaImportReport,
) -> None:
    wkb = shapely.to_wkb(feature.geometry)
    if current is not None:
        old = shapely.from_wkb(bytes(current.wkb))
        if same_shape(old, feature.geometry):
            return
        if current.valid_from >= start:
            raise AreaImportError(
                f"{area.code}: the current boundary starts on {current.valid_from}; "
                "a new version must start later; give its start",
                setting="valid_from",
            )
        current.valid_to = start - datetime.timedelta(days=1)
        current.save(update_fields=["valid_to"])
    AreaGeometry.objects.create(area=area, wkb=wkb, source_crs=crs, valid_from=start)
    report.new_geometry_versions.append(area.code)
