"""Writes to the area hierarchy: level definition and the transactional import of area files.

Everything a file brings is checked before anything is written, so that SQLite and PostgreSQL
refuse the same files with the same message: the lengths of codes and names (as the models
define them), characters no database stores (NUL), and areas that lie far outside the areas
stored so far (a file read in the wrong CRS).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import shapely
from django.db import transaction

from quartier.analysis.geo import (
    AreaFeature,
    AreaLayer,
    bounds_text,
    containing,
    outside_km,
    same_shape,
)
from quartier.areas.models import Area, AreaGeometry, AreaLevel

# Areas imported for the first time are taken as valid "since always": their start is unknown.
BEGINNING = datetime.date(1900, 1, 1)
# An area whose centroid is further than this from every area stored so far is refused: a city
# does not grow by leaps of 10 km, but a file read in the wrong CRS lands hundreds of km away.
FAR_OUTSIDE_KM = 10.0


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
    bounding_box: str = ""

    @property
    def changed(self) -> bool:
        return bool(self.created or self.renamed or self.reparented or self.new_geometry_versions)


def area_level_parse(item: str) -> tuple[str, str]:
    """A level as `KEY[:NAME]` on a command line: its key and name (by default from the key)."""
    key, _, name = item.partition(":")
    key = key.strip()
    if not key.replace("_", "").replace("-", "").isalnum():
        raise AreaImportError(f"level key {key!r} may contain only letters, digits, '_' and '-'")
    return key, name.strip() or key.replace("_", " ").capitalize()


def area_levels_define(*, levels: Sequence[tuple[str, str]]) -> list[AreaLevel]:
    """Set the ordered levels of the city, coarsest first; levels not listed must be empty."""
    keys = [key for key, _name in levels]
    if len(set(keys)) != len(keys):
        raise AreaImportError(f"a level is listed twice: {', '.join(keys)}")
    for key, name in levels:
        check_text(f"level {key[:20]!r}: key", key, field_length(AreaLevel, "key"))
        check_text(f"level {key[:20]!r}: name", name, field_length(AreaLevel, "name"))
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
    _check_layer_texts(layer)
    report = AreaImportReport(level=level.key, warnings=list(layer.warnings), dry_run=dry_run)
    report.bounding_box = bounds_text([feature.geometry for feature in layer.features])
    with transaction.atomic():
        _check_far_outside(layer)
        parents = _parents(layer, level, parent_by_location)
        areas_write(
            layer.features, level, parents, layer.source_crs, valid_from or datetime.date.today(),
            report,
        )  # fmt: skip
        if dry_run:
            transaction.set_rollback(True)
    return report


def areas_write(
    features: Sequence[AreaFeature],
    level: AreaLevel,
    parents: dict[str, Area | None],
    crs: str,
    start: datetime.date,
    report: AreaImportReport,
) -> None:
    """Create or update the areas of one level and their boundaries; what changed goes in `report`.

    Run inside a transaction; a changed boundary becomes a new version from `start`.
    """
    existing = {a.code: a for a in Area.objects.filter(level=level).select_related("parent")}
    current = _current_geometries(level)
    for feature in features:
        parent = parents.get(feature.code)
        area = existing.get(feature.code)
        if area is None:
            _create(feature, level, parent, crs)
            report.created.append(feature.code)
            continue
        _update(area, feature, parent, report)
        _version(area, current.get(area.pk), feature, crs, start, report)
    touched = {*report.created, *report.renamed, *report.reparented}
    report.unchanged = len(features) - len(touched | {*report.new_geometry_versions})


def check_text(where: str, text: str, max_length: int) -> None:
    """Refuse a text no database column of `max_length` characters would store the same way."""
    problem = None
    if "\x00" in text:
        problem = "contains a NUL character, which a database cannot store"
    elif len(text) > max_length:
        problem = f"has {len(text)} characters; at most {max_length} are allowed"
    else:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            problem = "contains characters that are not valid Unicode"
    if problem:
        raise AreaImportError(f"{where} {problem}")


def field_length(model: type[Area] | type[AreaLevel] | type[AreaGeometry], name: str) -> int:
    """The most characters a text field of the model holds."""
    length = getattr(model._meta.get_field(name), "max_length", None)
    assert isinstance(length, int)
    return length


def _check_layer_texts(layer: AreaLayer) -> None:
    code_length, name_length = field_length(Area, "code"), field_length(Area, "name")
    for feature in layer.features:
        where = f"{layer.path.name}: feature {feature.number} (code {_short(feature.code)!r})"
        check_text(f"{where}: field {layer.code_field!r}", feature.code, code_length)
        check_text(f"{where}: field {layer.name_field!r}", feature.name, name_length)
    crs_length = field_length(AreaGeometry, "source_crs")
    check_text(f"{layer.path.name}: the name of its CRS", layer.source_crs, crs_length)


def _short(text: str) -> str:
    return text if len(text) <= 20 else text[:20] + "…"


def _check_far_outside(layer: AreaLayer) -> None:
    """Refuse an area whose centroid lies more than `FAR_OUTSIDE_KM` from all stored areas."""
    stored = _shapes(AreaGeometry.objects.filter(valid_to__isnull=True).values_list("wkb"))
    if not stored:
        return
    distances = outside_km(stored, [feature.geometry for feature in layer.features])
    for feature, km in zip(layer.features, distances, strict=True):
        if km > FAR_OUTSIDE_KM:
            raise AreaImportError(
                f"{layer.path.name}: feature {feature.number} (code {feature.code!r}) lies "
                f"{km:,.0f} km outside the areas stored so far (more than {FAR_OUTSIDE_KM:g} km "
                f"from all of them); check the file and the CRS it is read in "
                f"({layer.source_crs})"
            )


def _shapes(rows: Iterable[tuple[bytes | memoryview]]) -> list[shapely.Geometry]:
    return [shapely.from_wkb(bytes(wkb)) for (wkb,) in rows]


def _level(level_key: str) -> AreaLevel:
    try:
        return AreaLevel.objects.get(key=level_key)
    except AreaLevel.DoesNotExist:
        known = ", ".join(AreaLevel.objects.values_list("key", flat=True)) or "(none yet)"
        raise AreaImportError(
            f"unknown level {level_key!r}; defined levels: {known}. "
            "Define the levels first, e.g. `quartier levels stadt stadtbezirk sozialraum`"
        ) from None


def level_above(level: AreaLevel) -> AreaLevel | None:
    """The level just above (coarser than) `level`, or None for the top level."""
    return AreaLevel.objects.filter(rank__lt=level.rank).order_by("-rank").first()


def _parents(layer: AreaLayer, level: AreaLevel, by_location: bool) -> dict[str, Area | None]:
    wants_parent = by_location or any(f.parent for f in layer.features)
    if not wants_parent:
        return {}
    parent_level = level_above(level)
    if parent_level is None:
        raise AreaImportError(f"level {level.key!r} is the top level; its areas have no parent")
    if by_location:
        return _parents_by_location(layer, parent_level)
    candidates = {a.code: a for a in Area.objects.filter(level=parent_level)}
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


def _parents_by_location(layer: AreaLayer, parent_level: AreaLevel) -> dict[str, Area | None]:
    """The parent is the area of the level above that contains the child's point on surface."""
    found = parents_by_location(parent_level, [feature.geometry for feature in layer.features])
    if found is None:
        raise AreaImportError(f"level {parent_level.key!r} has no areas with geometry yet")
    result: dict[str, Area | None] = {}
    for feature, parent in zip(layer.features, found, strict=True):
        if parent is None:
            raise AreaImportError(
                f"{layer.path.name}: feature {feature.number} (code {feature.code!r}) "
                f"lies in no area of level {parent_level.key!r}"
            )
        result[feature.code] = parent
    return result


def parents_by_location(
    level: AreaLevel, shapes: Sequence[shapely.Geometry]
) -> list[Area | None] | None:
    """Per shape the area of `level` that holds its point on surface, or None if none does.

    None instead of the list if the level has no areas with a boundary.
    """
    geometries = _current_geometries(level)
    parents = list(Area.objects.filter(level=level, pk__in=geometries).order_by("code"))
    if not parents:
        return None
    outlines = [shapely.from_wkb(bytes(geometries[p.pk].wkb)) for p in parents]
    return [parents[i] if i >= 0 else None for i in containing(outlines, shapes)]


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
