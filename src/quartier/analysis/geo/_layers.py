"""Readers and writers for area geometries: GeoJSON, GeoPackage, zipped Shapefile and KML.

Every reader returns the same thing: one `AreaFeature` per feature with its code, name, optional
parent code and a valid MultiPolygon in EPSG:4326. Problems that make the file unusable raise
`GeodataError` with a message that names the file, the feature and the field; problems that can be
repaired (invalid rings) are repaired and reported as warnings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import shapely
from pyogrio import raw
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

from quartier.analysis.geo import _kml as kml

STORAGE_CRS = "EPSG:4326"
SUPPORTED_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip", ".shp", ".kml", ".kmz")


class GeodataError(ValueError):
    """A geodata file cannot be imported; the message says where and why.

    Parameters
    ----------
    message : str
        What is wrong, and where.
    setting : str, optional
        The parameter of `read_area_layer` that would settle the problem (``"crs"``,
        ``"set_codes"``), or None; the message does not say how to give it, the caller does.
    """

    def __init__(self, message: str, *, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting


@dataclass(frozen=True)
class AreaFeature:
    """One area read from a file; `number` is the 1-based position of the feature in the file."""

    number: int
    code: str
    name: str
    parent: str | None
    geometry: shapely.MultiPolygon


@dataclass
class AreaLayer:
    """All areas of one file, reprojected to EPSG:4326."""

    path: Path
    source_crs: str
    features: list[AreaFeature]
    warnings: list[str] = field(default_factory=list)
    parent_field: str | None = None


@dataclass(frozen=True)
class _RawLayer:
    crs: str | None
    fields: dict[str, list[Any]]
    geometries: list[BaseGeometry | None]


def read_area_layer(
    path: Path,
    *,
    code_field: str,
    name_field: str,
    parent_field: str | None = None,
    crs: str | None = None,
    set_codes: dict[int, str] | None = None,
) -> AreaLayer:
    """Read the areas of a geodata file and reproject them to EPSG:4326.

    Parameters
    ----------
    path : Path
        A GeoJSON, GeoPackage, zipped Shapefile, Shapefile, KML or KMZ file.
    code_field, name_field, parent_field : str
        Attribute names holding the area code, its name and the parent's code.
    crs : str, optional
        The coordinate reference system of the file (e.g. ``"EPSG:25832"``); overrides what the
        file declares. Needed for files that declare none.
    """
    layer = _read_raw(path)
    source_crs = _source_crs(path, declared=layer.crs, override=crs)
    for name in (code_field, name_field, parent_field):
        if name is not None and name not in layer.fields:
            known = ", ".join(layer.fields) or "(none)"
            raise GeodataError(f"{path.name}: field {name!r} not found; fields are: {known}")
    result = AreaLayer(path=path, source_crs=source_crs, features=[], parent_field=parent_field)
    transformer = _transformer(source_crs)
    codes: dict[str, int] = {}
    for index, geometry in enumerate(layer.geometries):
        feature = _feature(path, index, layer, geometry, code_field, name_field, parent_field)
        if set_codes and feature.number in set_codes:
            feature = _Feature(
                feature.number, set_codes[feature.number], feature.name, feature.parent, geometry
            )
        if feature.code in codes:
            raise GeodataError(
                f"{path.name}: feature {feature.number}: duplicate code {feature.code!r} "
                f"(field {code_field!r}), first used by feature {codes[feature.code]}"
            )
        codes[feature.code] = feature.number
        polygons, warning = _to_multipolygon(path, feature, transformer)
        if warning:
            result.warnings.append(warning)
        result.features.append(
            AreaFeature(feature.number, feature.code, feature.name, feature.parent, polygons)
        )
    unknown = sorted(set(set_codes or {}) - set(codes.values()))
    if unknown:
        raise GeodataError(
            f"{path.name}: codes are set for feature numbers the file does not have: {unknown}",
            setting="set_codes",
        )
    if not result.features:
        raise GeodataError(f"{path.name}: the file contains no features")
    return result


def _read_raw(path: Path) -> _RawLayer:
    if not path.exists():
        raise GeodataError(f"{path}: file not found")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        supported = ", ".join(SUPPORTED_SUFFIXES)
        raise GeodataError(f"{path.name}: unsupported file type; supported are {supported}")
    if path.suffix.lower() in {".kml", ".kmz"}:
        try:
            placemarks = kml.read_placemarks(path)
        except kml.KmlError as error:
            raise GeodataError(f"{path.name}: {error}") from error
        names = sorted({key for placemark in placemarks for key in placemark.data})
        fields = {name: [p.data.get(name) for p in placemarks] for name in names}
        return _RawLayer("EPSG:4326", fields, [p.geometry for p in placemarks])
    try:
        meta, _fids, wkb, field_data = raw.read(path)
    except Exception as error:  # GDAL raises many types; all mean "unreadable"
        raise GeodataError(f"{path.name}: cannot read the file ({error})") from error
    fields = {
        str(name): list(values) for name, values in zip(meta["fields"], field_data, strict=True)
    }
    geometries = [None if item is None else shapely.from_wkb(item) for item in wkb]
    return _RawLayer(meta.get("crs"), fields, geometries)


def _source_crs(path: Path, *, declared: str | None, override: str | None) -> str:
    text = override or declared
    if not text:
        raise GeodataError(
            f"{path.name}: the file declares no coordinate reference system; "
            "give one, e.g. EPSG:25832",
            setting="crs",
        )
    try:
        parsed = CRS.from_user_input(text)
    except Exception as error:
        raise GeodataError(f"{path.name}: unknown coordinate reference system {text!r}") from error
    authority = parsed.to_authority()
    return f"{authority[0]}:{authority[1]}" if authority else parsed.to_string()


def _transformer(source_crs: str) -> Transformer | None:
    if CRS.from_user_input(source_crs) == CRS.from_user_input(STORAGE_CRS):
        return None
    return Transformer.from_crs(source_crs, STORAGE_CRS, always_xy=True)


@dataclass(frozen=True)
class _Feature:
    number: int
    code: str
    name: str
    parent: str | None
    geometry: BaseGeometry | None


def _feature(
    path: Path,
    index: int,
    layer: _RawLayer,
    geometry: BaseGeometry | None,
    code_field: str,
    name_field: str,
    parent_field: str | None,
) -> _Feature:
    number = index + 1
    code = _text(layer.fields[code_field][index])
    if not code:
        raise GeodataError(f"{path.name}: feature {number}: field {code_field!r} is empty")
    name = _text(layer.fields[name_field][index])
    if not name:
        raise GeodataError(
            f"{path.name}: feature {number} (code {code!r}): field {name_field!r} is empty"
        )
    parent = _text(layer.fields[parent_field][index]) if parent_field else ""
    return _Feature(number, code, name, parent or None, geometry)


def _text(value: Any) -> str:
    """Attribute values as text; whole numbers lose a trailing '.0' (codes are text)."""
    if value is None:
        return ""
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return ""
        if float(value).is_integer():
            return str(int(value))
    return str(value).strip()


def _to_multipolygon(
    path: Path, feature: _Feature, transformer: Transformer | None
) -> tuple[shapely.MultiPolygon, str | None]:
    where = f"{path.name}: feature {feature.number} (code {feature.code!r})"
    geometry = feature.geometry
    if geometry is None or geometry.is_empty:
        raise GeodataError(f"{where}: has no geometry")
    if geometry.geom_type not in {"Polygon", "MultiPolygon"}:
        raise GeodataError(f"{where}: geometry is a {geometry.geom_type}, a polygon is expected")
    geometry = shapely.force_2d(geometry)
    if transformer is not None:
        geometry = shapely.transform(geometry, _project(transformer))
    warning = None
    if not geometry.is_valid:
        reason = shapely.is_valid_reason(geometry)
        geometry = _polygonal_part(shapely.make_valid(geometry))
        warning = f"{where}: invalid geometry repaired ({reason})"
    return _as_multi(geometry), warning


def _project(transformer: Transformer) -> Any:
    def project(coords: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return project


def _polygonal_part(geometry: BaseGeometry) -> BaseGeometry:
    """make_valid may return a collection with stray lines; keep only the polygons."""
    if geometry.geom_type == "GeometryCollection":
        parts = [
            g for g in shapely.get_parts(geometry) if g.geom_type in {"Polygon", "MultiPolygon"}
        ]
        return shapely.union_all(parts)
    return geometry


def _as_multi(geometry: BaseGeometry) -> shapely.MultiPolygon:
    if isinstance(geometry, shapely.MultiPolygon):
        return geometry
    if isinstance(geometry, shapely.Polygon):
        return shapely.MultiPolygon([geometry])
    raise GeodataError(f"geometry became a {geometry.geom_type} after repair")


EXPORT_DRIVERS = {"geojson": "GeoJSON", "gpkg": "GPKG", "csv": "CSV"}


def write_area_layer(
    path: Path,
    *,
    fmt: str,
    records: Sequence[dict[str, str]],
    geometries: Sequence[shapely.MultiPolygon],
    crs: str = STORAGE_CRS,
    layer_name: str = "areas",
) -> None:
    """Write areas with their attributes; geometries come in EPSG:4326 and go out in `crs`."""
    if fmt not in EXPORT_DRIVERS:
        raise GeodataError(f"unknown format {fmt!r}; choose one of {', '.join(EXPORT_DRIVERS)}")
    target = _source_crs(path, declared=None, override=crs)
    transformer = None
    if CRS.from_user_input(target) != CRS.from_user_input(STORAGE_CRS):
        transformer = Transformer.from_crs(STORAGE_CRS, target, always_xy=True)
    shapes = [
        g if transformer is None else shapely.transform(g, _project(transformer))
        for g in geometries
    ]
    names = list(records[0]) if records else ["code", "name"]
    columns = [np.array([record[name] for record in records], dtype=object) for name in names]
    options: dict[str, Any] = {}
    if fmt == "csv":
        options["layer_options"] = {"GEOMETRY": "AS_WKT", "SEPARATOR": "COMMA"}
    if path.exists():
        path.unlink()
    pyogrio.raw.write(
        path,
        geometry=np.array(shapely.to_wkb(shapes), dtype=object),
        field_data=columns,
        fields=names,
        crs=target,
        driver=EXPORT_DRIVERS[fmt],
        geometry_type="MultiPolygon",
        layer=layer_name,
        **options,
    )
