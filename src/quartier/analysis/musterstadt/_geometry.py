"""The shape of Musterstadt: an irregular city boundary tiled by Voronoi cells.

The finest level (statistische Bezirke) is built once as an exact coverage on a 1 cm grid; every
coarser level is a union of these cells, so shared edges are identical at every level and the
levels nest without gaps or overlaps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon

# Centre of the fictional city in EPSG:25832 (ETRS89 / UTM 32N), inside North Rhine-Westphalia.
CENTRE_X = 391_500.0
CENTRE_Y = 5_711_000.0
# Semi-axes of the ellipse the boundary wobbles around: about 15 km east-west, 12 km north-south.
SEMI_AXIS_X = 7_500.0
SEMI_AXIS_Y = 6_000.0
GRID_SIZE = 0.01
N_CELLS = 170
_BOUNDARY_VERTICES = 360
_LLOYD_ITERATIONS = 4
# Pulls cells towards the centre after relaxation: inner-city districts are smaller.
_RADIAL_WARP = 1.45
_MAX_FRACTION = 0.98
# Shared boundary shorter than this does not make two cells neighbours (corner contact).
_MIN_SHARED_EDGE = 1.0

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class CellLayout:
    """The finest cells: polygons on the 1 cm grid and their geometric facts.

    `rho` is the elliptic distance from the centre: 0 at the centre, about 1 at the boundary.
    """

    polygons: list[MultiPolygon]
    x: FloatArray
    y: FloatArray
    area_m2: FloatArray
    neighbours: list[list[int]]

    @property
    def rho(self) -> FloatArray:
        """Per cell its elliptic radius from the city centre."""
        return elliptic_radius(self.x, self.y)


def elliptic_radius(x: FloatArray, y: FloatArray) -> FloatArray:
    """Distance from the city centre in units of the ellipse's semi-axes."""
    return np.asarray(np.hypot((x - CENTRE_X) / SEMI_AXIS_X, (y - CENTRE_Y) / SEMI_AXIS_Y))


def polar_point(rho: float, theta_deg: float) -> tuple[float, float]:
    """The map coordinates of an elliptic radius and a direction in degrees."""
    angle = np.radians(theta_deg)
    return (
        CENTRE_X + rho * SEMI_AXIS_X * float(np.cos(angle)),
        CENTRE_Y + rho * SEMI_AXIS_Y * float(np.sin(angle)),
    )


def build_layout(rng: np.random.Generator) -> CellLayout:
    """Draw the boundary and the cells of the finest level."""
    boundary, radius = _city_boundary(rng)
    points = _relaxed_points(rng, boundary, N_CELLS)
    points = _warp_towards_centre(points, radius)
    polygons = _coverage(points, boundary)
    centroids = shapely.get_coordinates(shapely.centroid(polygons))
    areas = shapely.area(polygons)
    return CellLayout(
        polygons=polygons,
        x=centroids[:, 0].copy(),
        y=centroids[:, 1].copy(),
        area_m2=np.asarray(areas, dtype=np.float64),
        neighbours=_neighbours(polygons),
    )


def _city_boundary(rng: np.random.Generator) -> tuple[Polygon, _RadiusFunction]:
    """A noisy ellipse: the radius wobbles with a few random harmonics."""
    orders = np.arange(2, 8)
    amplitudes = rng.uniform(0.02, 0.07, size=orders.size) / np.sqrt(orders - 1)
    phases = rng.uniform(0.0, 2 * np.pi, size=orders.size)
    radius = _RadiusFunction(orders, amplitudes, phases)
    angles = np.linspace(0.0, 2 * np.pi, _BOUNDARY_VERTICES, endpoint=False)
    r = radius(angles)
    xs = CENTRE_X + SEMI_AXIS_X * r * np.cos(angles)
    ys = CENTRE_Y + SEMI_AXIS_Y * r * np.sin(angles)
    polygon = shapely.set_precision(Polygon(np.column_stack([xs, ys])), GRID_SIZE)
    return polygon, radius


class _RadiusFunction:
    """Relative radius of the boundary as a function of the angle (radians)."""

    def __init__(self, orders: IntArray, amplitudes: FloatArray, phases: FloatArray) -> None:
        self.orders = orders
        self.amplitudes = amplitudes
        self.phases = phases

    def __call__(self, angles: FloatArray) -> FloatArray:
        wobble = self.amplitudes[None, :] * np.cos(
            self.orders[None, :] * angles[:, None] + self.phases[None, :]
        )
        return np.asarray(1.0 + wobble.sum(axis=1))


def _relaxed_points(rng: np.random.Generator, boundary: Polygon, count: int) -> FloatArray:
    """Random points in the boundary, evened out by a few Lloyd iterations."""
    minx, miny, maxx, maxy = boundary.bounds
    points = np.empty((0, 2))
    while len(points) < count:
        candidates = rng.uniform((minx, miny), (maxx, maxy), size=(count * 2, 2))
        inside = shapely.contains_xy(boundary, candidates[:, 0], candidates[:, 1])
        points = np.vstack([points, candidates[inside]])
    points = points[:count]
    for _ in range(_LLOYD_ITERATIONS):
        cells = shapely.intersection(_voronoi(points, boundary), boundary)
        points = shapely.get_coordinates(shapely.centroid(cells))
    return points


def _warp_towards_centre(points: FloatArray, radius: _RadiusFunction) -> FloatArray:
    """Move points inwards along their ray, ending strictly inside the boundary.

    A Lloyd centroid of a cell on a concave stretch of the boundary can lie just outside it;
    capping the relative radius brings such points back in.
    """
    dx = (points[:, 0] - CENTRE_X) / SEMI_AXIS_X
    dy = (points[:, 1] - CENTRE_Y) / SEMI_AXIS_Y
    angles = np.arctan2(dy, dx)
    fraction = np.maximum(np.hypot(dx, dy) / radius(angles), 1e-9)
    scale = np.power(np.minimum(fraction, _MAX_FRACTION), _RADIAL_WARP) / fraction
    return np.column_stack(
        [CENTRE_X + dx * scale * SEMI_AXIS_X, CENTRE_Y + dy * scale * SEMI_AXIS_Y]
    )


def _voronoi(points: FloatArray, boundary: Polygon) -> list[Polygon]:
    extent = shapely.buffer(shapely.envelope(boundary), 2_000.0)
    regions = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=extent, ordered=True)
    return list(shapely.get_parts(regions))


def _coverage(points: FloatArray, boundary: Polygon) -> list[MultiPolygon]:
    """Cells clipped to the boundary, noded together on the grid so shared edges are identical.

    Noding all cell edges and the boundary in one operation and polygonizing the result gives
    faces that share their vertices exactly; each face belongs to the cell of its nearest point.
    """
    edges = [shapely.boundary(cell) for cell in _voronoi(points, boundary)]
    edges.append(shapely.boundary(boundary))
    noded = shapely.union_all(edges, grid_size=GRID_SIZE)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    probes = shapely.point_on_surface(faces)
    inside = shapely.contains(boundary, probes)
    faces, probes = faces[inside], probes[inside]
    probe_xy = shapely.get_coordinates(probes)
    nearest = np.argmin(((probe_xy[:, None, :] - points[None, :, :]) ** 2).sum(axis=2), axis=1)
    cells = []
    for index in range(len(points)):
        merged = shapely.union_all(faces[nearest == index], grid_size=GRID_SIZE)
        cells.append(as_multipolygon(merged))
    return cells


def as_multipolygon(geometry: shapely.Geometry) -> MultiPolygon:
    """Wrap a polygon as a MultiPolygon; drop anything that is not a polygon."""
    parts = [part for part in shapely.get_parts(geometry) if isinstance(part, Polygon)]
    if not parts:
        raise ValueError("geometry has no polygonal part")
    return MultiPolygon(parts)


def _neighbours(polygons: list[MultiPolygon]) -> list[list[int]]:
    """Rook contiguity: cells that share an edge of at least a metre."""
    tree = shapely.STRtree(polygons)
    pairs = tree.query(polygons, predicate="intersects")
    neighbours: list[list[int]] = [[] for _ in polygons]
    for left, right in zip(pairs[0].tolist(), pairs[1].tolist(), strict=True):
        if left >= right:
            continue
        shared = shapely.intersection(
            shapely.boundary(polygons[left]), shapely.boundary(polygons[right])
        )
        if shapely.length(shared) >= _MIN_SHARED_EDGE:
            neighbours[left].append(right)
            neighbours[right].append(left)
    return neighbours


def union_of(polygons: list[MultiPolygon], members: list[int]) -> MultiPolygon:
    """The union of some finest cells; exact because the cells share their vertices."""
    merged = shapely.union_all([polygons[i] for i in members], grid_size=GRID_SIZE)
    return as_multipolygon(merged)
