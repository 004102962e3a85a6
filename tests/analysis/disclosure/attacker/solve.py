"""Feasible intervals of figures, by linear programs (HiGHS through scipy).

The variables are nodes: boxes of atoms (see `model.Nodes`), each defined as the sum of a few
smaller ones, so that every row is short. A node is known when a figure publishes it, or when
a definition or another equality leaves it as the only unknown, or makes it part of a sum
that must be 0. Known nodes are constants; the rest splits into independent programs
(connected components of nodes linked by rows: mostly one per period and base table, and small
where much is published). Rows restricted to a component are a relaxation only if no row is
cut, which components guarantee.

Proving that a sensitive figure is protected needs feasible points, not optima: a solution of
any program is a point where every figure of the component has some value, so the largest and
smallest values seen bound the true maximum from below and the minimum from above. A program
that pushes all targets down, and a few that push the undecided ones up to what they need
(capped, so that one target cannot take everything), decide most of them; the rest get
programs of their own. Exposed ones get both exact bounds, narrowed with integers where cheap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse.csgraph import connected_components

from .knowledge import System
from .model import Floats, Ints

TOLERANCE = 1e-6
MILP_SECONDS = 10.0
MILP_LARGEST = 3_000
WITNESS_ROUNDS = 4
# Programs with more nodes try the rows near an undecided target first (see `_Search`).
LOCAL_ABOVE = 1_500
LOCAL_RADII = (2, 3)
LOCAL_LARGEST = 2_500
Mask = npt.NDArray[np.bool_]


def whole_high(value: float) -> float:
    """The largest whole number not above a bound (float noise allowed)."""
    return float(math.floor(value + TOLERANCE)) if math.isfinite(value) else value


def whole_low(value: float) -> float:
    """The smallest whole number not below a bound."""
    return float(math.ceil(value - TOLERANCE)) if math.isfinite(value) else value


@dataclass(frozen=True)
class Rule:
    """When a sensitive figure counts as exposed."""

    min_count: int
    protection_width: int

    def exposed(self, low: float, high: float, integral: bool) -> bool:
        if integral:
            low, high = whole_low(low), whole_high(high)
        return high < self.min_count - TOLERANCE or high - low < self.protection_width - TOLERANCE

    def needed(self, low: float, integral: bool) -> float:
        """The value a figure must be able to reach, given the lowest value seen."""
        low = whole_low(low) if integral else low
        return max(float(self.min_count), low + self.protection_width)


@dataclass(frozen=True)
class Interval:
    """The attacker's interval of a figure; `exact` when both ends were optimised."""

    low: float
    high: float
    exposed: bool
    exact: bool


@dataclass
class Counters:
    programs: int = 0
    integer_programs: int = 0
    largest: int = 0
    problems: list[str] = field(default_factory=list)


def _csr(
    rows: list[int], cols: list[int], data: list[float], shape: tuple[int, int]
) -> sp.csr_matrix:
    return sp.csr_matrix((data, (rows, cols)), shape=shape)


def fix_nodes(rows: sp.csr_matrix, target: Floats, low: Floats, high: Floats) -> int:
    """Narrow node bounds in place from equality rows (rows · nodes = target): a row with one
    unknown node fixes it; one whose unknown nodes all have the same sign and must add up to 0
    makes them 0 (nodes are not negative). Returns how many nodes were fixed outside their
    bounds (a contradiction in the knowledge)."""
    conflicts = 0
    while True:
        known = low == high
        rest = target - rows @ np.where(known, low, 0.0)
        part = sp.csr_matrix(rows.multiply((~known)[None, :].astype(np.float64)))
        part.eliminate_zeros()
        counts = np.diff(part.indptr)
        positive = np.diff(sp.csr_matrix(part > 0).indptr)
        same = (positive == 0) | (positive == counts)
        zero = np.flatnonzero((counts > 0) & same & (np.abs(rest) <= TOLERANCE))
        single = np.flatnonzero((counts == 1) & ~((np.abs(rest) <= TOLERANCE) & same))
        if zero.size == 0 and single.size == 0:
            return conflicts
        for row in zero.tolist():
            nodes = part.indices[part.indptr[row] : part.indptr[row + 1]]
            conflicts += int(np.count_nonzero(low[nodes] > TOLERANCE))
            low[nodes] = high[nodes] = 0.0
        starts = part.indptr[single]
        values = np.round(rest[single] / part.data[starts], 9)
        nodes = part.indices[starts]
        outside = (values < low[nodes] - TOLERANCE) | (values > high[nodes] + TOLERANCE)
        conflicts += int(np.count_nonzero(outside))
        low[nodes] = high[nodes] = values


class Bounder:
    """Intervals of target figures over all the knowledge of a system."""

    def __init__(self, system: System, rule: Rule) -> None:
        self.system = system
        self.rule = rule
        self.counters = Counters()
        nodes = system.figures.nodes
        definitions, self.expressions = _node_matrices(system)
        self.low, self.high = np.zeros(len(nodes)), np.full(len(nodes), np.inf)
        single, rows = self._single_node_figures()
        np.maximum.at(self.low, single[:, 0], system.low[single[:, 1]])
        np.minimum.at(self.high, single[:, 0], system.high[single[:, 1]])
        relations = system.relation_matrix() @ self.expressions
        self.rows = sp.vstack([definitions, self.expressions[rows], relations], format="csr")
        zeros = np.zeros(definitions.shape[0])
        self.row_low = np.concatenate([zeros, system.low[rows], system.relation_low])
        self.row_high = np.concatenate([zeros, system.high[rows], system.relation_high])
        equal = np.flatnonzero(self.row_low == self.row_high)
        conflicts = fix_nodes(self.rows[equal], self.row_high[equal], self.low, self.high)
        if conflicts:
            self.counters.problems.append(f"{conflicts} nodes fixed outside their bounds")
        broken = (self.low > self.high + TOLERANCE) | (self.high < -TOLERANCE)
        for node in np.flatnonzero(broken)[:5]:
            self.counters.problems.append(f"node {node}: {self.low[node]}..{self.high[node]}")
        integral = system.integral_variables
        self.integral = np.array([b.variable in integral for b in nodes.boxes], dtype=bool)

    def _single_node_figures(self) -> tuple[Ints, Ints]:
        """(node, figure) pairs of figures that are one node: their bounds are the node's.
        The other figures with bounds become rows."""
        pairs, rows = [], []
        system = self.system
        for figure, terms in enumerate(system.figures.terms):
            if not system.low[figure] > 0 and not math.isfinite(system.high[figure]):
                continue
            if len(terms) == 1 and next(iter(terms.values())) == 1.0:
                pairs.append((next(iter(terms)), figure))
            else:
                rows.append(figure)
        return np.asarray(pairs, dtype=np.int64).reshape(-1, 2), np.asarray(rows, dtype=np.int64)

    def intervals(self, targets: Sequence[int]) -> dict[int, Interval]:
        """The interval of every target figure."""
        known = self.low == self.high
        values = np.where(known, self.low, 0.0)
        target_rows = self.expressions[np.asarray(targets, dtype=np.int64)]
        constants = target_rows @ values
        # Known nodes become constants: the rows keep the unknown ones only.
        columns = np.flatnonzero(~known)
        shift = self.rows @ values
        rows = sp.csr_matrix(self.rows[:, columns])
        rows.eliminate_zeros()
        low, high = self.row_low - shift, self.row_high - shift
        self._check_fixed_rows(rows, low, high)
        goals = sp.csr_matrix(target_rows[:, columns])
        goals.eliminate_zeros()
        result: dict[int, Interval] = {}
        has_free = np.diff(goals.indptr) > 0
        for position in np.flatnonzero(~has_free).tolist():
            value = float(constants[position])
            result[targets[position]] = Interval(value, value, True, True)
        row_labels, goal_labels, node_labels = _components(rows, goals)
        for label, chosen in _grouped(goal_labels, np.flatnonzero(has_free)):
            variables = np.flatnonzero(node_labels == label)
            members = np.flatnonzero(row_labels == label)
            program = Program(
                sp.csr_matrix(rows[members][:, variables]),
                low[members],
                high[members],
                self.low[columns[variables]],
                self.high[columns[variables]],
                self.integral[columns[variables]],
                self.counters,
            )
            self.counters.largest = max(self.counters.largest, program.size)
            figures = [targets[position] for position in chosen.tolist()]
            found = self._search(program, goals[chosen][:, variables], constants[chosen], figures)
            for position, interval in zip(chosen.tolist(), found, strict=True):
                result[targets[position]] = interval
        return result

    def _search(
        self, program: Program, goals: sp.csr_matrix, constants: Floats, figures: list[int]
    ) -> list[Interval]:
        integral = [self.system.integral(figure) for figure in figures]
        return _Search(program, sp.csr_matrix(goals), constants, self.rule, integral).run()

    def _check_fixed_rows(self, rows: sp.csr_matrix, low: Floats, high: Floats) -> None:
        """Rows without unknown nodes must hold as they are, or the model is wrong somewhere."""
        empty = np.diff(rows.indptr) == 0
        broken = empty & ((low > 1e3 * TOLERANCE) | (high < -1e3 * TOLERANCE))
        for row in np.flatnonzero(broken)[:5]:
            self.counters.problems.append(f"row {row}: 0 not within {low[row]}..{high[row]}")


def _node_matrices(system: System) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Definitions (node − Σ its parts = 0, a row per composite node) and figures × nodes."""
    nodes = system.figures.nodes
    rows, cols, data = [], [], []
    composite = [n for n, parts in enumerate(nodes.children) if parts]
    for row, node in enumerate(composite):
        parts = nodes.children[node]
        rows.extend([row] * (len(parts) + 1))
        cols.extend([node, *parts])
        data.extend([1.0] + [-1.0] * len(parts))
    definitions = _csr(rows, cols, data, (len(composite), len(nodes)))
    rows, cols, data = [], [], []
    for figure, terms in enumerate(system.figures.terms):
        rows.extend([figure] * len(terms))
        cols.extend(terms)
        data.extend(terms.values())
    expressions = _csr(rows, cols, data, (len(system.figures), len(nodes)))
    return definitions, expressions


def _components(rows: sp.csr_matrix, goals: sp.csr_matrix) -> tuple[Ints, Ints, Ints]:
    """Component labels of rows, goals and nodes (nodes linked by rows and by goals)."""
    incidence = sp.vstack([rows, goals], format="csr")
    incidence.data = np.ones_like(incidence.data)
    count = incidence.shape[0]
    graph = sp.bmat([[None, incidence], [incidence.T, None]], format="csr")
    _, labels = connected_components(graph, directed=False)
    return labels[: rows.shape[0]], labels[rows.shape[0] : count], labels[count:]


def _grouped(labels: Ints, positions: Ints) -> list[tuple[int, Ints]]:
    """Positions grouped by their label."""
    order = positions[np.argsort(labels[positions], kind="stable")]
    cuts = np.flatnonzero(np.diff(labels[order])) + 1
    return [(int(labels[part[0]]), part) for part in np.split(order, cuts) if part.size]


@dataclass
class Program:
    """One component: row_low ≤ A x ≤ row_high, low ≤ x ≤ high."""

    matrix: sp.csr_matrix
    row_low: Floats
    row_high: Floats
    low: Floats
    high: Floats
    integral: Mask
    counters: Counters
    _by_column: sp.csc_matrix | None = field(default=None, repr=False)

    @property
    def size(self) -> int:
        return int(self.matrix.shape[1])

    def optimise(
        self, objective: Floats, extra: tuple[sp.csr_matrix, Floats] | None = None
    ) -> tuple[float, Floats | None]:
        """min objective · x (−inf if unbounded, NaN if it fails).

        `extra` = (rows y − G x ≤ 0, caps of y) adds capped copies y of some figures, for the
        witness search; the returned point is then x alone.
        """
        matrix, row_low, row_high, low, high = (
            self.matrix,
            self.row_low,
            self.row_high,
            self.low,
            self.high,
        )
        if extra is not None:
            spread, caps = extra
            count = caps.size
            matrix = sp.bmat([[matrix, None], [-spread, sp.identity(count)]], format="csr")
            row_low = np.concatenate([row_low, np.full(count, -np.inf)])
            row_high = np.concatenate([row_high, np.zeros(count)])
            low = np.concatenate([low, np.zeros(count)])
            high = np.concatenate([high, caps])
        self.counters.programs += 1
        result = linprog(
            objective,
            *_split_rows(matrix, row_low, row_high),
            bounds=np.column_stack([low, high]),
            method="highs",
        )
        if result.status == 0:
            return float(result.fun), np.asarray(result.x)[: self.size]
        if result.status == 3:
            return -math.inf, None
        self.counters.problems.append(f"linear program: {result.message}")
        return math.nan, None

    def around(self, nodes: Ints, radius: int) -> tuple[Program, Ints]:
        """The rows within `radius` steps of some nodes, with all their nodes: dropping rows
        relaxes the program, so its bounds hold for the whole one (they may be wider).
        Returns the program and the positions of its nodes in this one."""
        by_column = self.by_column()
        columns = np.unique(nodes)
        rows = np.zeros(0, dtype=np.int64)
        for _ in range(radius):
            rows = np.unique(by_column[:, columns].indices)
            columns = np.unique(np.concatenate([columns, self.matrix[rows].indices]))
        part = Program(
            sp.csr_matrix(self.matrix[rows][:, columns]),
            self.row_low[rows],
            self.row_high[rows],
            self.low[columns],
            self.high[columns],
            self.integral[columns],
            self.counters,
        )
        return part, columns

    def by_column(self) -> sp.csc_matrix:
        if self._by_column is None:
            self._by_column = sp.csc_matrix(self.matrix)
        return self._by_column

    def optimise_integer(self, objective: Floats) -> float | None:
        """min objective · x over whole numbers (where the variable counts whole things)."""
        if self.size > MILP_LARGEST:
            return None
        self.counters.integer_programs += 1
        result = milp(
            objective,
            constraints=LinearConstraint(self.matrix, self.row_low, self.row_high),
            integrality=self.integral.astype(np.int64),
            bounds=Bounds(self.low, self.high),
            options={"time_limit": MILP_SECONDS},
        )
        return float(result.fun) if result.status == 0 else None


def _split_rows(
    matrix: sp.csr_matrix, low: Floats, high: Floats
) -> tuple[sp.csr_matrix | None, Floats | None, sp.csr_matrix | None, Floats | None]:
    """A_ub, b_ub, A_eq, b_eq for linprog from ranged rows."""
    equal = low == high
    upper = ~equal & np.isfinite(high)
    lower = ~equal & np.isfinite(low)
    a_eq = matrix[np.flatnonzero(equal)] if equal.any() else None
    b_eq = high[equal] if equal.any() else None
    if not (upper.any() or lower.any()):
        return None, None, a_eq, b_eq
    a_ub = sp.vstack([matrix[np.flatnonzero(upper)], -matrix[np.flatnonzero(lower)]], format="csr")
    return a_ub, np.concatenate([high[upper], -low[lower]]), a_eq, b_eq


class _Search:
    """Witnesses first, then exact programs for the targets they leave undecided."""

    def __init__(
        self,
        program: Program,
        goals: sp.csr_matrix,
        constants: Floats,
        rule: Rule,
        integral: list[bool],
    ) -> None:
        self.program = program
        self.goals = goals
        self.constants = constants
        self.rule = rule
        self.integral = integral
        count = goals.shape[0]
        self.seen_high = np.full(count, -math.inf)
        self.seen_low = np.full(count, math.inf)
        self.high: list[float | None] = [None] * count
        self.low: list[float | None] = [None] * count
        self.relaxed = [False] * count

    def run(self) -> list[Interval]:
        self._witnesses()
        for target in range(self.goals.shape[0]):
            if not self._undecided(target):
                continue
            if self.program.size <= LOCAL_ABOVE or not self._exposed_locally(target):
                self._exact(target)
        return [self._interval(t) for t in range(self.goals.shape[0])]

    def _exposed_locally(self, target: int) -> bool:
        """Whether the rows near the target alone expose it (then it is exposed, and the
        bounds found hold). In a large program most exposures show this way, at a fraction
        of the cost of the whole program."""
        goal = self.goals[target]
        for radius in LOCAL_RADII:
            part, columns = self.program.around(goal.indices, radius)
            if radius > LOCAL_RADII[0] and part.size > LOCAL_LARGEST:
                break
            objective = goal[:, columns].toarray().ravel()
            high, _ = part.optimise(-objective)
            low, _ = part.optimise(objective)
            constant = float(self.constants[target])
            bounds = (low + constant, -high + constant)
            if self.rule.exposed(*bounds, self.integral[target]):
                self.low[target], self.high[target] = bounds
                self.relaxed[target] = True
                return True
        return False

    def _witnesses(self) -> None:
        """A point with all targets as low as they go together, then points pushing the
        undecided ones up to what each needs, as long as that decides some."""
        total = np.asarray(self.goals.sum(axis=0)).ravel()
        _, point = self.program.optimise(total)
        if point is None:
            return
        self._saw(point)
        for _ in range(WITNESS_ROUNDS):
            undecided = [t for t in range(self.goals.shape[0]) if self._undecided(t)]
            if not undecided:
                return
            caps = np.array(
                [
                    self.rule.needed(self.seen_low[t], self.integral[t]) - self.constants[t]
                    for t in undecided
                ]
            )
            objective = np.concatenate([np.zeros(self.program.size), -np.ones(len(undecided))])
            _, point = self.program.optimise(objective, (self.goals[undecided], caps))
            if point is None:
                return
            self._saw(point)
            if all(self._undecided(t) for t in undecided):
                return

    def _saw(self, point: Floats) -> None:
        values = self.goals @ point + self.constants
        np.maximum(self.seen_high, values, out=self.seen_high)
        np.minimum(self.seen_low, values, out=self.seen_low)

    def _bounds(self, target: int) -> tuple[float, float]:
        high = self.seen_high[target] if self.high[target] is None else self.high[target]
        low = self.seen_low[target] if self.low[target] is None else self.low[target]
        return float(low), float(high)  # type: ignore[arg-type]

    def _undecided(self, target: int) -> bool:
        return self.rule.exposed(*self._bounds(target), self.integral[target])

    def _exact(self, target: int) -> None:
        objective = self.goals[target].toarray().ravel()
        constant = float(self.constants[target])
        value, point = self.program.optimise(-objective)
        if point is not None:
            self._saw(point)
        self.high[target] = -value + constant
        if not self._undecided(target):
            return
        value, point = self.program.optimise(objective)
        if point is not None:
            self._saw(point)
        self.low[target] = value + constant
        low, high = self._bounds(target)
        # Whole numbers can narrow an exposed interval only if rounding has not pinned it.
        if self._undecided(target) and self.integral[target] and whole_low(low) < whole_high(high):
            self._integer(target, objective, constant)

    def _integer(self, target: int, objective: Floats, constant: float) -> None:
        """Narrow an exposed interval with whole numbers."""
        high = self.program.optimise_integer(-objective)
        low = self.program.optimise_integer(objective)
        if high is not None:
            self.high[target] = -high + constant
        if low is not None:
            self.low[target] = low + constant

    def _interval(self, target: int) -> Interval:
        exact = self.high[target] is not None and self.low[target] is not None
        exact = exact and not self.relaxed[target]
        low, high = self._bounds(target)
        if self.integral[target]:
            low, high = whole_low(low), whole_high(high)
        return Interval(low, high, self.rule.exposed(low, high, False), exact)
