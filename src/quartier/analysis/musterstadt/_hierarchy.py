"""Groups the finest cells into Sozialräume and Stadtbezirke and gives every area a code.

Stadtbezirke grow from fixed centres over the adjacency graph of the cells (a multi-source
shortest-path partition, which keeps every district contiguous); each Stadtbezirk is then split
into three or four Sozialräume by balanced region growing from well-spread seeds.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from quartier.analysis.musterstadt._geometry import CellLayout, polar_point
from quartier.analysis.musterstadt._names import STADTBEZIRKE, place_names

CITY_CODE = "05999000"
CITY_NAME = "Musterstadt (synthetisch)"
N_SOZIALRAEUME = 39
_MIN_CELLS_PER_SOZIALRAUM = 2
_MIN_CELLS_PER_DISTRICT = 9
_MAX_CELLS_PER_DISTRICT = 21
_BALANCING_ROUNDS = 300
_BALANCING_STEP = 100.0


@dataclass(frozen=True)
class Area:
    """One area: its code, name, parent code and the finest cells it is made of."""

    code: str
    name: str
    parent: str | None
    cells: tuple[int, ...]


@dataclass(frozen=True)
class Hierarchy:
    """All four levels, each list sorted by code."""

    stadt: Area
    stadtbezirke: list[Area]
    sozialraeume: list[Area]
    statistische_bezirke: list[Area]

    def sozialraum_of_cells(self) -> list[str]:
        """The Sozialraum code of every finest cell, indexed by cell."""
        codes = [""] * len(self.statistische_bezirke)
        for sozialraum in self.sozialraeume:
            for cell in sozialraum.cells:
                codes[cell] = sozialraum.code
        return codes

    def statistischer_bezirk_of_cells(self) -> list[str]:
        """The statistischer-Bezirk code of every finest cell, indexed by cell."""
        codes = [""] * len(self.statistische_bezirke)
        for bezirk in self.statistische_bezirke:
            codes[bezirk.cells[0]] = bezirk.code
        return codes


def build_hierarchy(rng: np.random.Generator, layout: CellLayout) -> Hierarchy:
    """Group the cells of `layout` into the levels above them and name everything."""
    district_of = _grow_districts(layout)
    names = place_names(rng, N_SOZIALRAEUME + len(layout.polygons))
    sozialraum_names, bezirk_names = names[:N_SOZIALRAEUME], names[N_SOZIALRAEUME:]
    counts = _sozialraum_counts(district_of)
    stadtbezirke: list[Area] = []
    sozialraeume: list[Area] = []
    statistische_bezirke: list[Area] = []
    for district, (code, name, _, _) in enumerate(STADTBEZIRKE):
        members = [i for i in range(len(district_of)) if district_of[i] == district]
        stadtbezirke.append(Area(code, name, CITY_CODE, tuple(members)))
        for number, group in enumerate(_split(layout, members, counts[district]), start=1):
            sr_code = f"{code}{number:02d}"
            sozialraeume.append(Area(sr_code, sozialraum_names.pop(0), code, tuple(group)))
            for position, cell in enumerate(_by_distance_to_centre(layout, group), start=1):
                statistische_bezirke.append(
                    Area(f"{sr_code}{position:02d}", bezirk_names.pop(0), sr_code, (cell,))
                )
    stadt = Area(CITY_CODE, CITY_NAME, None, tuple(range(len(district_of))))
    return Hierarchy(stadt, stadtbezirke, sozialraeume, statistische_bezirke)


def _grow_districts(layout: CellLayout) -> list[int]:
    """Assign each cell to a district centre along the adjacency graph.

    A multi-source shortest-path partition keeps districts contiguous, also when every centre
    starts with its own head start; the head starts are tuned until no district is too small or
    too large.
    """
    xy = np.column_stack([layout.x, layout.y])
    sources: list[int] = []
    for _, _, rho, theta in STADTBEZIRKE:
        centre = np.array(polar_point(rho, theta))
        order = np.argsort(((xy - centre) ** 2).sum(axis=1), kind="stable")
        sources.append(next(int(i) for i in order if int(i) not in sources))
    head_start = np.zeros(len(sources))
    for _ in range(_BALANCING_ROUNDS):
        owner = _partition(layout, xy, sources, head_start)
        sizes = np.bincount(np.asarray(owner), minlength=len(sources))
        small, large = sizes < _MIN_CELLS_PER_DISTRICT, sizes > _MAX_CELLS_PER_DISTRICT
        if not small.any() and not large.any():
            return owner
        head_start = head_start + _BALANCING_STEP * (small.astype(float) - large.astype(float))
    raise RuntimeError("cannot balance the Stadtbezirke")


def _partition(
    layout: CellLayout, xy: np.ndarray, sources: list[int], head_start: np.ndarray
) -> list[int]:
    owner = [-1] * len(xy)
    best = [np.inf] * len(xy)
    heap: list[tuple[float, int, int]] = []
    for district, cell in enumerate(sources):
        best[cell] = -float(head_start[district])
        heapq.heappush(heap, (best[cell], district, cell))
    while heap:
        distance, district, cell = heapq.heappop(heap)
        if owner[cell] != -1:
            continue
        owner[cell] = district
        for neighbour in layout.neighbours[cell]:
            step = float(np.hypot(*(xy[neighbour] - xy[cell])))
            if owner[neighbour] == -1 and distance + step < best[neighbour]:
                best[neighbour] = distance + step
                heapq.heappush(heap, (distance + step, district, neighbour))
    if -1 in owner:
        raise RuntimeError("the cell adjacency graph is not connected")
    return owner


def _sozialraum_counts(district_of: list[int]) -> list[int]:
    """Three Sozialräume per Stadtbezirk; the districts with most cells get a fourth."""
    sizes = np.bincount(np.asarray(district_of), minlength=len(STADTBEZIRKE))
    counts = [3] * len(STADTBEZIRKE)
    extra = N_SOZIALRAEUME - sum(counts)
    for district in np.argsort(-sizes, kind="stable")[:extra]:
        counts[int(district)] += 1
    for district, count in enumerate(counts):
        if sizes[district] < count * _MIN_CELLS_PER_SOZIALRAUM:
            raise RuntimeError(f"Stadtbezirk {district + 1} has too few cells ({sizes[district]})")
    return counts


def _split(layout: CellLayout, members: list[int], parts: int) -> list[list[int]]:
    """Split a contiguous set of cells into `parts` contiguous groups of similar size.

    Seeds are spread by farthest-point sampling; if a group is boxed in while too small, the
    sampling starts again from the next outermost cell.
    """
    xy = np.column_stack([layout.x, layout.y])
    centre = xy[members].mean(axis=0)
    outermost = sorted(members, key=lambda c: (-float(((xy[c] - centre) ** 2).sum()), c))
    for start in outermost:
        groups = _grow_groups(layout, xy, members, _spread_seeds(xy, members, parts, start))
        if min(len(g) for g in groups) >= _MIN_CELLS_PER_SOZIALRAUM:
            return sorted(groups, key=lambda g: _distance_to_centre(layout, g))
    raise RuntimeError(f"cannot split cells {sorted(members)} into {parts} Sozialräume")


def _grow_groups(
    layout: CellLayout, xy: np.ndarray, members: list[int], seeds: list[int]
) -> list[list[int]]:
    """Balanced region growing: the smallest group that can grow takes its nearest neighbour."""
    groups = [[seed] for seed in seeds]
    free = set(members) - set(seeds)
    while free:
        for index in sorted(range(len(groups)), key=lambda g: (len(groups[g]), g)):
            frontier = sorted({n for c in groups[index] for n in layout.neighbours[c] if n in free})
            if frontier:
                seed_xy = xy[seeds[index]]
                cell = min(frontier, key=lambda n: (float(((xy[n] - seed_xy) ** 2).sum()), n))
                groups[index].append(cell)
                free.discard(cell)
                break
        else:
            raise RuntimeError(f"cells {sorted(free)} are cut off from their Stadtbezirk")
    return groups


def _spread_seeds(xy: np.ndarray, members: list[int], parts: int, start: int) -> list[int]:
    """Farthest-point sampling from `start` over the cells of `members`."""
    points = xy[members]
    chosen = [members.index(start)]
    while len(chosen) < parts:
        distance = np.min(
            ((points[:, None, :] - points[chosen][None, :, :]) ** 2).sum(axis=2), axis=1
        )
        chosen.append(int(np.argmax(distance)))
    return [members[i] for i in chosen]


def _distance_to_centre(layout: CellLayout, cells: list[int]) -> float:
    return float(layout.rho[cells].mean())


def _by_distance_to_centre(layout: CellLayout, cells: list[int]) -> list[int]:
    return sorted(cells, key=lambda c: (float(layout.rho[c]), c))
