"""Readers and writers for area geometries: GeoJSON, GeoPackage, zipped Shapefile and KML.

Every reader returns the same thing: one `AreaFeature` per feature with its code, name, optional
parent code and a valid MultiPolygon in EPSG:4326. Problems that make the file unusable raise
`GeodataError` with a message that names the file, the feature and the field: coordinates that
do not fit the CRS they are read in (with the CRS the numbers likely are in), a CRS given that
contradicts the one the file declares. Problems that can be repaired (invalid or unclosed
rings) are repaired and reported as warnings.
"""

from __future__ import annotations

import json
import math
import warnings
import zipfile
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
from quartier.analysis.geo._shapes import (
    crs_label,
    first_outside,
    range_problem,
    shapes_from_wkb,
    valid_box,
    valid_multipolygon,
)

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
        ``"force_crs"``, ``"set_codes"``), or None; the message does not say how to give it,
        the caller does.
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
    """All areas of one file, reprojected to EPSG:4326, and the fields they were read from."""

    path: Path
    source_crs: str
    features: list[AreaFeature]
    warnings: list[str] = field(default_factory=list)
    parent_field: str | None = None
    code_field: str = "code"
    name_field: str = "name"


@dataclass(frozen=True)
class _RawLayer:
    crs: str | None
    declared: bool  # the CRS is the file's own (or its format's), not a reader's default
    fields: dict[str, list[Any]]
    geometries: list[BaseGeometry | None]
    unclosed: frozenset[int] = frozenset()


@dataclass(frozen=True)
class _Feature:
    number: int
    code: str
    name: str
    parent: str | None
    geometry: BaseGeometry | None


@dataclass(frozen=True)
class _Reading:
    """The CRS a file is read in, how it was chosen, and where its coordinates may lie."""

    crs: CRS
    code: str
    how: str  # "declared", "given" or "default" (GeoJSON without a crs member)
    valid: tuple[float, float, float, float]  # longitude/latitude box of valid coordinates
    centre: tuple[float, float]  # the median of the file's coordinates, in the file's CRS
    transformer: Transformer | None


def read_area_layer(
    path: Path,
    *,
    code_field: str,
    name_field: str,
    parent_field: str | None = None,
    crs: str | None = None,
    force_crs: bool = False,
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
        The coordinate reference system of the file (e.g. ``"EPSG:25832"``). Needed for files
        that declare none; a GeoJSON without a ``crs`` member is CRS84 (longitude/latitude).
    force_crs : bool
        Read the file in `crs` although it declares another CRS; without it, that is an error.
    set_codes : dict of int to str, optional
        Codes that replace those of some features, by the 1-based number of the feature.

    Returns
    -------
    AreaLayer

    Raises
    ------
    GeodataError
        If the file cannot be used; the message names the file, the feature and the field.
    """
    layer = _read_raw(path)
    if not layer.geometries:
        raise GeodataError(f"{path.name}: the file has no features")
    reading = _reading(path, layer, override=crs, force=force_crs)
    for name in (code_field, name_field, parent_field):
        if name is not None and name not in layer.fields:
            known = ", ".join(layer.fields) or "(none)"
            raise GeodataError(f"{path.name}: field {name!r} not found; fields are: {known}")
    features = _features(path, layer, code_field, name_field, parent_field, set_codes or {})
    result = AreaLayer(path, reading.code, [], [], parent_field, code_field, name_field)
    for feature in features:
        unclosed = feature.number - 1 in layer.unclosed
        polygons = _to_multipolygon(path, feature, reading, result.warnings, unclosed=unclosed)
        result.features.append(
            AreaFeature(feature.number, feature.code, feature.name, feature.parent, polygons)
        )
    return result


def _read_raw(path: Path) -> _RawLayer:
    if not path.exists():
        raise GeodataError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        supported = ", ".join(SUPPORTED_SUFFIXES)
        raise GeodataError(f"{path.name}: unsupported file type; supported are {supported}")
    if suffix in {".kml", ".kmz"}:
        try:
            fields, geometries, unclosed = kml.read_kml_layer(path)
        except kml.KmlError as error:
            raise GeodataError(f"{path.name}: {error}") from error
        return _RawLayer("EPSG:4326", True, fields, geometries, frozenset(unclosed))
    if suffix == ".zip":
        _check_zip(path)
    try:
        with warnings.catch_warnings():  # unclosed rings: repaired and reported below
            warnings.filterwarnings("ignore", "Non closed ring", RuntimeWarning)
            meta, _fids, wkb, field_data = raw.read(path)
    except Exception as error:  # GDAL raises many types; all mean "unreadable"
        raise GeodataError(f"{path.name}: cannot read the file ({error})") from error
    fields = {
        str(name): list(values) for name, values in zip(meta["fields"], field_data, strict=True)
    }
    geometries, unclosed = shapes_from_wkb(wkb)
    crs = meta.get("crs")
    return _RawLayer(
        crs, crs is not None and _declares_crs(path), fields, geometries, frozenset(unclosed)
    )


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (OSError, zipfile.BadZipFile) as error:
        raise GeodataError(f"{path.name}: not a readable zip archive ({error})") from error
    shapefiles = ", ".join(name for name in names if name.lower().endswith(".shp"))
    if not shapefiles:
        raise GeodataError(f"{path.name}: the zip holds no Shapefile (.shp)")
    if "," in shapefiles:
        raise GeodataError(f"{path.name}: the zip holds several Shapefiles ({shapefiles})")


def _declares_crs(path: Path) -> bool:
    """Whether the file states its CRS: GeoJSON without a ``crs`` member is CRS84 by default."""
    if path.suffix.lower() not in {".geojson", ".json"}:
        return True
    try:
        document = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError):
        return True
    return isinstance(document, dict) and ("crs" in document or "spatialReference" in document)


def _crs_code(path: Path, text: str) -> tuple[CRS, str]:
    try:
        parsed = CRS.from_user_input(text)
    except Exception as error:
        raise GeodataError(
            f"{path.name}: unknown coordinate reference system {text!r}", setting="crs"
        ) from error
    authority = parsed.to_authority()
    # A CRS without a code (a Shapefile's own .prj) is recorded by its name.
    return parsed, f"{authority[0]}:{authority[1]}" if authority else parsed.name


def _reading(path: Path, layer: _RawLayer, *, override: str | None, force: bool) -> _Reading:
    declared = layer.crs if layer.declared else None
    if override is not None and declared is not None:
        given, file = _crs_code(path, override), _crs_code(path, declared)
        if not force and not given[0].equals(file[0], ignore_axis_order=True):
            raise GeodataError(
                f"{path.name}: the file declares {crs_label(file[0])}, but "
                f"{crs_label(given[0])} is given; to read the file in the CRS given, force it",
                setting="force_crs",
            )
    text = override or layer.crs
    if not text:
        raise GeodataError(
            f"{path.name}: the file declares no coordinate reference system; "
            "give one, e.g. EPSG:25832",
            setting="crs",
        )
    parsed, code = _crs_code(path, text)
    how = "given" if override else "declared" if layer.declared else "default"
    coordinates = shapely.get_coordinates(np.asarray(layer.geometries, dtype=object))
    x, y = np.median(coordinates, axis=0) if len(coordinates) else (0.0, 0.0)
    centre = (float(x), float(y))
    transformer = _transformer(parsed, CRS.from_user_input(STORAGE_CRS))
    return _Reading(parsed, code, how, valid_box(parsed), centre, transformer)


def _transformer(source: CRS, target: CRS) -> Transformer | None:
    if source.equals(target, ignore_axis_order=True):
        return None
    return Transformer.from_crs(source, target, always_xy=True)


def _features(
    path: Path,
    layer: _RawLayer,
    code_field: str,
    name_field: str,
    parent_field: str | None,
    set_codes: dict[int, str],
) -> list[_Feature]:
    result: list[_Feature] = []
    codes: dict[str, int] = {}
    for index, geometry in enumerate(layer.geometries):
        number = index + 1
        code = set_codes.get(number) or _text(layer.fields[code_field][index])
        if not code:
            raise GeodataError(f"{path.name}: feature {number}: field {code_field!r} is empty")
        name = _text(layer.fields[name_field][index])
        if not name:
            raise GeodataError(
                f"{path.name}: feature {number} (code {code!r}): field {name_field!r} is empty"
            )
        if code in codes:
            raise GeodataError(
                f"{path.name}: feature {number}: duplicate code {code!r} "
                f"(field {code_field!r}), first used by feature {codes[code]}"
            )
        codes[code] = number
        parent = _text(layer.fields[parent_field][index]) if parent_field else ""
        result.append(_Feature(number, code, name, parent or None, geometry))
    unknown = sorted(set(set_codes) - set(codes.values()))
    if unknown:
        raise GeodataError(
            f"{path.name}: codes are set for feature numbers the file does not have: {unknown}",
            setting="set_codes",
        )
    return result


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
    path: Path, feature: _Feature, reading: _Reading, notes: list[str], *, unclosed: bool
) -> shapely.MultiPolygon:
    """The feature's shape in EPSG:4326, valid; what was repaired is added to `notes`."""
    where = f"{path.name}: feature {feature.number} (code {feature.code!r})"
    geometry = feature.geometry
    if geometry is None or geometry.is_empty:
        raise GeodataError(f"{where}: has no geometry")
    if geometry.geom_type not in {"Polygon", "MultiPolygon"}:
        raise GeodataError(f"{where}: geometry is a {geometry.geom_type}, a polygon is expected")
    geometry = shapely.force_2d(geometry)
    coordinates = degrees = shapely.get_coordinates(geometry)
    if reading.transformer is not None:
        degrees = np.column_stack(reading.transformer.transform(*coordinates.T))
    outside = first_outside(coordinates if reading.crs.is_geographic else degrees, reading.valid)
    if outside is not None:
        x, y = coordinates[outside]
        problem, setting = range_problem((x, y), reading.crs, reading.how, reading.centre)
        raise GeodataError(f"{where}: {problem}", setting=setting)
    if reading.transformer is not None:
        geometry = shapely.transform(geometry, lambda _xy: degrees)
    if unclosed:
        notes.append(f"{where}: a ring was not closed; closed it")
    result, reason = valid_multipolygon(geometry)
    if result is None:
        raise GeodataError(f"{where}: the polygon has no area ({reason}); it cannot be repaired")
    if reason:
        notes.append(f"{where}: invalid geometry repaired ({reason})")
    return result


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
    if path.is_dir():
        example = path / f"{layer_name}.{fmt}"
        raise GeodataError(f"{path} is a folder; give a file in it, e.g. {example}")
    if not path.parent.is_dir():
        raise GeodataError(f"{path}: the folder {path.parent} does not exist")
    target, code = _crs_code(path, crs)
    shapes = list(geometries)
    if (transformer := _transformer(CRS.from_user_input(STORAGE_CRS), target)) is not None:
        project = transformer.transform
        shapes = [shapely.transform(g, lambda xy: np.column_stack(project(*xy.T))) for g in shapes]
    names = list(records[0]) if records else ["code", "name"]
    columns = [np.array([record[name] for record in records], dtype=object) for name in names]
    options: dict[str, Any] = {}
    if fmt == "csv":
        options["layer_options"] = {"GEOMETRY": "AS_WKT", "SEPARATOR": "COMMA"}
    try:
        if path.exists():
            path.unlink()
        pyogrio.raw.write(
            path, geometry=np.array(shapely.to_wkb(shapes), dtype=object), field_data=columns,
            fields=names, crs=code if ":" in code else target.to_wkt(),
            driver=EXPORT_DRIVERS[fmt], geometry_type="MultiPolygon",
            layer=layer_name, **options,
        )  # fmt: skip
    except Exception as error:  # GDAL and the file system raise many types
        raise GeodataError(f"{path}: cannot write the file ({error})") from error
