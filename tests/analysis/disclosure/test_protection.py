"""`protect_cells` on hand-made and random hierarchies, checked by an attacker's own programs.

The check below is independent of the protection's code: it fixes every published cell to its
value, lets each hidden non-zero cell range from 1 up (as "." tells), and asks scipy's HiGHS for
the largest value of each sensitive cell that the relations allow.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from quartier.analysis.disclosure import Relation, RelationSet, _programs, protect_cells

WIDTH = 3


def largest_possible(
    values: np.ndarray, relations: RelationSet, hidden: np.ndarray, cell: int
) -> float:
    """The largest value of ``cell`` consistent with the published cells and the relations."""
    matrix = relations.incidence(values.size).toarray().astype(float)
    low = np.where(hidden, np.where(values > 0, 1.0, 0.0), values)
    high = np.where(hidden, np.inf, values)
    objective = np.zeros(values.size)
    objective[cell] = -1.0
    result = linprog(
        objective,
        A_eq=matrix,
        b_eq=np.zeros(len(relations)),
        bounds=list(zip(low, high, strict=True)),
        method="highs",
    )
    assert result.status in (0, 3), result.message
    return np.inf if result.status == 3 else -float(result.fun)


def assert_protected(values: np.ndarray, relations: RelationSet, hidden: np.ndarray) -> None:
    sensitive = (values > 0) & (values < 3)
    assert hidden[sensitive].all()
    for cell in np.flatnonzero(sensitive):
        assert largest_possible(values, relations, hidden, int(cell)) >= values[cell] + WIDTH


def test_a_small_count_is_hidden_with_the_smallest_sibling_that_can_fall_by_the_width() -> None:
    # A district (cell 5) of five blocks: 1 and 2 are small; 5 is the smallest of at least 4.
    values = np.array([1.0, 2.0, 10.0, 5.0, 30.0, 48.0])
    relations = RelationSet.of([Relation(total=5, parts=(0, 1, 2, 3, 4))])

    hidden = protect_cells(values, relations, sensitive=(values > 0) & (values < 3), width=WIDTH)

    assert np.flatnonzero(hidden).tolist() == [0, 1, 3]
    assert_protected(values, relations, hidden)


def test_where_no_sibling_can_fall_far_enough_the_totals_above_take_the_change() -> None:
    # City 6 = districts 4 + 5; district 4 = blocks 0 + 1 (both small), 5 = blocks 2 + 3.
    values = np.array([1.0, 2.0, 10.0, 20.0, 3.0, 30.0, 33.0])
    relations = RelationSet.of([Relation(4, (0, 1)), Relation(5, (2, 3)), Relation(6, (4, 5))])
    keep = np.zeros(values.size, dtype=bool)
    keep[6] = True

    hidden = protect_cells(
        values, relations, sensitive=(values > 0) & (values < 3), width=WIDTH, keep=keep
    )

    # Both small blocks, both districts, and the smaller block of the other district.
    assert np.flatnonzero(hidden).tolist() == [0, 1, 2, 4, 5]
    assert_protected(values, relations, hidden)


def test_a_small_count_in_a_hierarchy_and_a_sum_moves_with_the_sums_of_a_sibling() -> None:
    # Blocks a and b of one district; groups x and y; s = x + y per block and district.
    # x@a (1) is small; y@a (3) cannot fall by 3, so the change goes through the sums.
    x_a, x_b, y_a, y_b, s_a, s_b, x_d, y_d, s_d = range(9)
    values = np.array([1.0, 10.0, 3.0, 6.0, 4.0, 16.0, 11.0, 9.0, 20.0])
    relations = RelationSet.of(
        [
            Relation(x_d, (x_a, x_b)),
            Relation(y_d, (y_a, y_b)),
            Relation(s_a, (x_a, y_a)),
            Relation(s_b, (x_b, y_b)),
            Relation(s_d, (s_a, s_b)),
            Relation(s_d, (x_d, y_d)),
        ]
    )

    hidden = protect_cells(values, relations, sensitive=(values > 0) & (values < 3), width=WIDTH)

    assert np.flatnonzero(hidden).tolist() == [x_a, x_b, s_a, s_b]
    assert_protected(values, relations, hidden)


@st.composite
def hierarchies(draw: st.DrawFn) -> tuple[np.ndarray, RelationSet]:
    """A city of districts of blocks, block counts drawn small, totals summed."""
    districts = draw(st.lists(st.integers(1, 5), min_size=1, max_size=5))
    blocks = [draw(st.lists(st.integers(1, 9), min_size=size, max_size=size)) for size in districts]
    values: list[float] = []
    relations: list[Relation] = []
    totals: list[int] = []
    for counts in blocks:
        first = len(values)
        values += [float(count) for count in counts]
        values.append(float(sum(counts)))
        totals.append(len(values) - 1)
        relations.append(Relation(len(values) - 1, tuple(range(first, first + len(counts)))))
    values.append(sum(values[total] for total in totals))
    relations.append(Relation(len(values) - 1, tuple(totals)))
    return np.array(values), RelationSet.of(relations)


@settings(max_examples=60, deadline=None)
@given(hierarchies())
def test_every_small_count_of_a_random_hierarchy_is_protected(
    city: tuple[np.ndarray, RelationSet],
) -> None:
    values, relations = city
    sensitive = (values > 0) & (values < 3)
    keep = np.zeros(values.size, dtype=bool)
    keep[-1] = True
    hidden = protect_cells(values, relations, sensitive=sensitive, width=WIDTH, keep=keep)
    assert_protected(values, relations, hidden)


@pytest.mark.parametrize("width", [1, 3, 5])
def test_the_width_asked_for_is_the_width_given(width: int) -> None:
    values = np.array([2.0, 4.0, 6.0, 9.0, 21.0])
    relations = RelationSet.of([Relation(total=4, parts=(0, 1, 2, 3))])
    hidden = protect_cells(values, relations, sensitive=values < 3, width=width)
    assert largest_possible(values, relations, hidden, 0) >= 2 + width


def grid(inner: list[list[int]]) -> tuple[np.ndarray, RelationSet]:
    """A two-way table with row and column margins; cell (i, j) is 5 i + j, 4 the margin."""
    table = np.zeros((5, 5))
    table[:4, :4] = inner
    table[:4, 4], table[4, :4], table[4, 4] = (
        table[:4, :4].sum(1),
        table[:4, :4].sum(0),
        table.sum(),
    )
    relations = [Relation(5 * i + 4, tuple(5 * i + j for j in range(4))) for i in range(5)]
    relations += [Relation(20 + j, tuple(5 * i + j for i in range(4))) for j in range(5)]
    return table.reshape(-1), RelationSet.of(relations)


def test_thousands_of_small_counts_in_two_relations_are_all_protected_without_programs() -> None:
    # 300 tables of 4 × 4 with 9 small counts each: more than the linear programs afforded,
    # so the cells in a row and a column are protected by rectangles.
    values, relations = grid([[1, 2, 9, 8], [2, 1, 1, 7], [10, 11, 1, 2], [6, 12, 2, 1]])
    copies = 300
    many = np.tile(values, copies)
    sensitive = (many > 0) & (many < 3)
    assert sensitive.sum() > 2_000
    hidden = protect_cells(many, relations.tile(copies, stride=values.size), sensitive=sensitive)
    for copy in (0, copies - 1):
        assert_protected(values, relations, hidden[copy * 25 : (copy + 1) * 25])


def test_of_the_orders_tried_the_pattern_hiding_fewest_cells_is_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Four small counts close together: protected in the usual order (cells in many
    # relations first) they take 12 cells; another order shares more complements.
    values, relations = grid([[4, 8, 12, 3], [8, 12, 1, 1], [12, 8, 2, 12], [12, 3, 3, 1]])
    sensitive = (values > 0) & (values < 3)

    hidden = protect_cells(values, relations, sensitive=sensitive)
    monkeypatch.setattr(_programs, "_ORDERS", 1)
    usual = protect_cells(values, relations, sensitive=sensitive)

    assert (int(usual.sum()), int(hidden.sum())) == (12, 10)
    assert_protected(values, relations, hidden)
