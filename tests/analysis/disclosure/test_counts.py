"""Disclosure control: hand-made tables with pinned suppression patterns, frames and flags.

The checks here do not use the package's own audit: `lp_widths` finds the feasible interval of
every hidden cell with linear programs written out in the test.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
import pytest
from scipy.optimize import linprog

from quartier.analysis.disclosure import (
    Relation,
    RelationSet,
    disclose_counts,
    feasible_intervals,
    hierarchy_relations,
    recoverable_cells,
    split_breakdown_key,
    suppress,
    suppress_counts,
    table_relations,
)


def _hidden_system(
    values: Sequence[float], relations: Sequence[Relation], hidden: Sequence[bool]
) -> tuple[dict[int, int], np.ndarray, list[float]]:
    """The relations as equations in the hidden cells, published cells moved to the right."""
    columns = {cell: k for k, cell in enumerate(i for i, h in enumerate(hidden) if h)}
    rows, right = [], []
    for relation in relations:
        row, known = np.zeros(len(columns)), 0.0
        for cell, sign in [(relation.total, -1.0), *((p, 1.0) for p in relation.parts)]:
            if hidden[cell]:
                row[columns[cell]] += sign
            else:
                known += sign * values[cell]
        if row.any():
            rows.append(row)
            right.append(-known)
    return columns, np.array(rows).reshape(len(rows), len(columns)), right


def _extreme(
    system: tuple[dict[int, int], np.ndarray, list[float]],
    cell: int,
    sign: float,
    lowest: float = 0.0,
) -> float:
    """The smallest (sign 1) or largest (sign -1) feasible value of a hidden cell, every
    hidden cell at least ``lowest``."""
    columns, rows, right = system
    objective = np.zeros(len(columns))
    objective[columns[cell]] = sign
    solved = linprog(
        objective, A_eq=rows if len(right) else None, b_eq=right or None, bounds=(lowest, None)
    )
    if solved.status == 3:
        return np.inf
    assert solved.status == 0, solved.message
    return float(sign * solved.fun)


def lp_widths(
    values: Sequence[float], relations: Sequence[Relation], hidden: Sequence[bool]
) -> dict[int, float]:
    """max - min of every hidden cell over non-negative tables agreeing with the published."""
    system = _hidden_system(values, relations, hidden)
    return {cell: _extreme(system, cell, -1.0) - _extreme(system, cell, 1.0) for cell in system[0]}


def assert_protected(
    values: Sequence[float],
    relations: Sequence[Relation],
    hidden: Sequence[bool],
    *,
    min_count: int = 3,
    width: float = 3,
) -> None:
    """Every hidden count from 1 to min_count - 1 keeps an interval at least ``width`` wide
    whose top is at least min_count, where the attacker knows that hidden counts are ≥ 1."""
    system = _hidden_system(values, relations, hidden)
    exposed = []
    for cell in system[0]:
        if not 0 < values[cell] < min_count:
            continue
        low, high = _extreme(system, cell, 1.0, 1.0), _extreme(system, cell, -1.0, 1.0)
        if high < min_count - 1e-6 or high - low < width - 1e-6:
            exposed.append((cell, low, high))
    assert exposed == [], f"cells exposed (cell, min, max): {exposed}"


# A city with three districts: district 1 has blocks a, b, c; district 2 has d, e; 3 has f, g.
CELLS = ["city", "d1", "d2", "d3", "a", "b", "c", "d", "e", "f", "g"]
PARENTS = {"city": None, "d1": "city", "d2": "city", "d3": "city"} | {
    block: district
    for district, blocks in (("d1", "abc"), ("d2", "de"), ("d3", "fg"))
    for block in blocks
}


def _tree_relations() -> list[Relation]:
    index = CELLS.index
    children: dict[str, list[int]] = {}
    for cell, parent in PARENTS.items():
        if parent is not None:
            children.setdefault(parent, []).append(index(cell))
    return [Relation(index(parent), tuple(parts)) for parent, parts in children.items()]


def _with_totals(blocks: dict[str, int]) -> list[int]:
    districts = {
        d: sum(v for b, v in blocks.items() if PARENTS[b] == d) for d in ("d1", "d2", "d3")
    }
    return [sum(blocks.values()), *districts.values(), *blocks.values()]


@pytest.mark.parametrize(
    ("blocks", "suppressed", "secondary"),
    [
        # The district of a (2) needs one more hidden block: b, the smallest.
        ({"a": 2, "b": 5, "c": 7, "d": 4, "e": 9, "f": 10, "g": 30}, {"a", "b"}, {"b"}),
        # District 2 (2 people) is hidden with its blocks. Hiding district 1 alone (enough
        # against exact recovery) would leave a in [1, 2]: d1 + d2 = 16 with d2 = d + e >= 2.
        # So block a gets b beside it, and district 2 trades with district 1.
        (
            {"a": 2, "b": 5, "c": 7, "d": 1, "e": 1, "f": 10, "g": 30},
            {"a", "b", "d1", "d2", "d", "e"},
            {"b", "d1"},
        ),
        # Zeros are published as "-" and never serve as complements.
        ({"a": 1, "b": 0, "c": 6, "d": 4, "e": 9, "f": 10, "g": 30}, {"a", "c"}, {"c"}),
    ],
)
def test_three_level_hierarchy(
    blocks: dict[str, int], suppressed: set[str], secondary: set[str]
) -> None:
    values = _with_totals(blocks)
    relations = _tree_relations()
    result = suppress(values, relations)
    assert {CELLS[i] for i in np.flatnonzero(result.suppressed)} == suppressed
    assert {CELLS[i] for i in np.flatnonzero(result.secondary)} == secondary
    assert_protected(values, relations, result.suppressed)


def test_the_hierarchy_relations_of_a_frame_follow_the_parents() -> None:
    frame = pl.DataFrame({"area": CELLS, "value": _with_totals(dict.fromkeys("abcdefg", 5))})
    assert sorted(hierarchy_relations(frame, areas=PARENTS), key=lambda r: r.total) == sorted(
        _tree_relations(), key=lambda r: r.total
    )


def test_a_missing_level_links_blocks_to_the_nearest_ancestor_present() -> None:
    frame = pl.DataFrame({"area": ["city", "a", "b", "c", "d2"], "value": [30, 2, 5, 7, 16]})
    assert list(hierarchy_relations(frame, areas=PARENTS)) == [Relation(0, (1, 2, 3, 4))]


# Gender x age group with margins, one area:
#            0-17  18-64  65+ | total
#  weiblich     1      5    8 |    14
#  männlich     4      6    9 |    19
#  total        5     11   17 |    33
TWO_BY_THREE = pl.DataFrame(
    {
        "area": ["city"] * 12,
        "gender": ["weiblich"] * 4 + ["männlich"] * 4 + [None] * 4,
        "age_group": ["0-17", "18-64", "65+", None] * 3,
        "value": [1, 5, 8, 14, 4, 6, 9, 19, 5, 11, 17, 33],
    }
)


def test_two_by_three_breakdown_hides_a_rectangle() -> None:
    public = disclose_counts(
        TWO_BY_THREE, areas={"city": None}, view="public", dims=["gender", "age_group"]
    )
    hidden = public.filter(pl.col("flag") == ".").select("gender", "age_group").rows()
    assert hidden == [
        ("weiblich", "0-17"),
        ("weiblich", "18-64"),
        ("männlich", "0-17"),
        ("männlich", "18-64"),
    ]
    relations = list(
        table_relations(TWO_BY_THREE, areas={"city": None}, dims=["gender", "age_group"])
    )
    assert len(relations) == 3 + 4  # one per row (with the margin row), one per column
    assert_protected(TWO_BY_THREE["value"].to_list(), relations, (public["flag"] == ".").to_list())


def _grid(inner: list[list[int]]) -> tuple[list[float], list[Relation]]:
    """A table with row and column margins; cell (i, j) has index 5 i + j, index 4 = margin."""
    table = np.zeros((5, 5))
    table[:4, :4] = inner
    table[:4, 4], table[4, :4], table[4, 4] = (
        table[:4, :4].sum(1),
        table[:4, :4].sum(0),
        table[:4, :4].sum(),
    )
    relations = [Relation(5 * i + 4, tuple(5 * i + j for j in range(4))) for i in range(5)]
    relations += [Relation(20 + j, tuple(5 * i + j for i in range(4))) for j in range(5)]
    return table.reshape(-1).tolist(), relations


# Two rectangles of small cells, joined by the cell (1, 2): every row and every column holds at
# least two hidden cells, yet (1, 2) is a bridge between two cycles and can be computed.
BRIDGE = [[1, 2, 9, 8], [2, 1, 1, 7], [10, 11, 1, 2], [6, 12, 2, 1]]
DUMBBELL = {(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)}


def test_the_bridge_defeats_the_two_cells_per_relation_rule() -> None:
    values, relations = _grid(BRIDGE)
    naive = [divmod(cell, 5) in DUMBBELL for cell in range(25)]
    for relation in relations:
        hidden = sum(naive[c] for c in (relation.total, *relation.parts))
        assert hidden in (0, 2, 3, 4)
    widths = lp_widths(values, relations, naive)
    assert [divmod(c, 5) for c, w in widths.items() if w < 1e-6] == [(1, 2)]
    assert widths[5 * 1 + 2] == pytest.approx(0.0, abs=1e-9)


def test_suppression_breaks_the_bridge_with_the_smallest_connecting_cell() -> None:
    values, relations = _grid(BRIDGE)
    result = suppress(values, relations)
    assert {divmod(int(c), 5) for c in np.flatnonzero(result.primary)} == DUMBBELL
    # Breaking the bridge, (3, 0), is enough against exact recovery, but each small cell
    # must also be able to rise by 3 within what is hidden: that takes cells joining the
    # rectangles with room to fall ((0, 2) 9, (1, 3) 7, (2, 1) 11, (3, 0) 6).
    assert [divmod(int(c), 5) for c in np.flatnonzero(result.secondary)] == [
        (0, 2),
        (1, 3),
        (2, 1),
        (3, 0),
    ]
    assert_protected(values, relations, result.suppressed)
    assert recoverable_cells(values, relations, result.suppressed) == []


def test_a_table_without_small_counts_is_published_whole() -> None:
    values, relations = _grid([[3, 4, 0, 9], [12, 0, 5, 5], [3, 3, 3, 3], [0, 0, 0, 7]])
    result = suppress(values, relations)
    assert not result.suppressed.any()
    assert result.published.all()


def test_min_count_is_a_parameter() -> None:
    values, relations = _grid(BRIDGE)
    assert suppress(values, relations, min_count=2).primary.sum() == 5  # only the ones
    assert suppress(values, relations, min_count=1).suppressed.sum() == 0


def test_sensitive_cells_are_primary_and_kept_cells_are_avoided() -> None:
    values = [20, 9, 5, 6]
    relations = [Relation(0, (1, 2, 3))]
    sensitive = [False, True, False, False]
    result = suppress(values, relations, sensitive=sensitive)
    assert result.primary.tolist() == sensitive
    assert result.secondary.tolist() == [False, False, True, False]
    kept = suppress(values, relations, sensitive=sensitive, keep=[False, False, True, False])
    assert kept.secondary.tolist() == [False, False, False, True]


def test_a_missing_value_counts_as_hidden() -> None:
    # Block 1 is missing: unknown, it may be 0, so it cannot fall to let block 2 rise; block
    # 3 must be hidden too (the missing block is protected by the same change).
    result = suppress([20, np.nan, 2, 9], [Relation(0, (1, 2, 3))])
    assert result.missing.tolist() == [False, True, False, False]
    assert result.suppressed.tolist() == [False, False, True, True]


def test_negative_counts_and_bad_relations_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        suppress([3, -1, 4], [Relation(0, (1, 2))])
    with pytest.raises(ValueError, match="outside"):
        suppress([3, 1, 2], [Relation(0, (1, 3))])
    with pytest.raises(ValueError, match="twice"):
        suppress([3, 1, 2], [Relation(0, (1, 1))])
    with pytest.raises(ValueError, match="one entry per cell"):
        suppress([3, 1, 2], [Relation(0, (1, 2))], sensitive=[True])


def test_relation_sets_round_trip() -> None:
    listed = [Relation(0, (1, 2)), Relation(3, (4,))]
    relations = RelationSet.of(listed)
    assert list(relations) == listed
    assert list(RelationSet.concat([relations, relations]))[2:] == listed
    with pytest.raises(ValueError, match="offsets"):
        RelationSet.from_arrays(totals=[0], offsets=[0], parts=[1])


def test_feasible_intervals_bound_every_hidden_cell() -> None:
    values, relations = _grid(BRIDGE)
    result = suppress(values, relations)
    intervals = feasible_intervals(values, relations, result.suppressed)
    hidden = result.suppressed
    assert np.all(intervals[hidden, 0] <= np.asarray(values)[hidden])
    assert np.all(intervals[hidden, 1] >= np.asarray(values)[hidden])
    assert np.isnan(intervals[~hidden]).all()


AREAS = pl.DataFrame(
    {
        "code": ["city", "north", "south", "n1", "n2", "s1", "s2"],
        "level": ["stadt", "bezirk", "bezirk", "block", "block", "block", "block"],
        "rank": [0, 1, 1, 2, 2, 2, 2],
        "parent": [None, "city", "city", "north", "north", "south", "south"],
    }
)


def _yearly(values_2023: list[int], values_2024: list[int]) -> pl.DataFrame:
    codes = AREAS["code"].to_list()
    return pl.DataFrame(
        {
            "area": codes * 2,
            "period": [2023] * 7 + [2024] * 7,
            "value": values_2023 + values_2024,
        }
    )


def test_disclose_counts_sets_flags_per_period() -> None:
    # 2023: n1 has 1 person; 2024: n2 has 0 people (published "-"), nothing is small.
    frame = _yearly([40, 15, 25, 1, 14, 10, 15], [40, 15, 25, 15, 0, 10, 15])
    public = disclose_counts(frame, areas=AREAS, view="public")
    assert public["flag"].to_list()[:7] == ["", "", "", ".", ".", "", ""]
    assert public["flag"].to_list()[7:] == ["", "", "", "", "-", "", ""]
    assert public["published_value"].to_list()[:7] == [40, 15, 25, None, None, 10, 15]
    assert public["published_value"].to_list()[7:] == [40, 15, 25, 15, 0, 10, 15]


def test_the_internal_view_returns_the_values_unchanged() -> None:
    frame = _yearly([40, 15, 25, 1, 14, 10, 15], [40, 15, 25, 15, None, 10, 15])
    internal = disclose_counts(frame, areas=AREAS, view="internal")
    assert internal["published_value"].to_list() == frame["value"].to_list()
    assert internal["flag"].to_list() == [""] * 11 + ["."] + [""] * 2


def test_the_view_must_be_named() -> None:
    frame = _yearly([40, 15, 25, 1, 14, 10, 15], [40, 15, 25, 15, 0, 10, 15])
    with pytest.raises(ValueError, match="view"):
        disclose_counts(frame, areas=AREAS, view="everyone")  # type: ignore[arg-type]


def test_input_flags_survive_and_dashes_count_as_zero() -> None:
    frame = pl.DataFrame(
        {
            "area": ["city", "north", "south", "n1", "n2", "s1", "s2"],
            "value": [40, 15, 25, None, 15, None, 10],
            "flag": ["", "", "", "-", "", ".", ""],
        }
    )
    public = disclose_counts(frame, areas=AREAS, view="public")
    # n1 is a known zero ("-"), so n2 = 15 is no secret. s1 is unknown (secret in the source):
    # s2 must not give it away by subtraction from south.
    assert public["flag"].to_list() == ["", "", "", "-", "", ".", "."]


def test_breakdown_keys_become_dimension_columns() -> None:
    frame = pl.DataFrame(
        {
            "area": ["city"] * 6,
            "breakdown_key": ["", "gender=m", "gender=w", "age_group=0-5", "age_group=6-17", ""],
        }
    ).head(5)
    split, dims = split_breakdown_key(frame)
    assert dims == ["age_group", "gender"]
    assert split.select(dims).rows() == [
        (None, None),
        (None, "m"),
        (None, "w"),
        ("0-5", None),
        ("6-17", None),
    ]
    assert list(table_relations(split, areas={"city": None}, dims=dims)) == [
        Relation(0, (3, 4)),
        Relation(0, (1, 2)),
    ]


def test_disclose_counts_reads_breakdown_keys() -> None:
    keys = {("weiblich", "0-17"): "age_group=0-17;gender=weiblich"}
    frame = TWO_BY_THREE.with_columns(
        pl.concat_str(
            [
                pl.when(pl.col("age_group").is_null())
                .then(pl.lit(""))
                .otherwise("age_group=" + pl.col("age_group")),
                pl.when(pl.col("gender").is_null())
                .then(pl.lit(""))
                .otherwise("gender=" + pl.col("gender")),
            ],
            separator=";",
        )
        .str.strip_chars(";")
        .alias("breakdown_key")
    ).drop("gender", "age_group")
    assert frame["breakdown_key"][0] == keys[("weiblich", "0-17")]
    public = disclose_counts(frame, areas={"city": None}, view="public")
    assert public.filter(pl.col("flag") == ".")["breakdown_key"].to_list() == [
        "age_group=0-17;gender=weiblich",
        "age_group=18-64;gender=weiblich",
        "age_group=0-17;gender=männlich",
        "age_group=18-64;gender=männlich",
    ]
    assert "gender" not in public.columns


def test_duplicate_cells_and_cyclic_hierarchies_are_refused() -> None:
    frame = pl.DataFrame({"area": ["city", "city"], "value": [1, 2]})
    with pytest.raises(ValueError, match="share area"):
        suppress_counts(frame, areas={"city": None})
    loop = pl.DataFrame({"area": ["a", "b"], "value": [1, 2]})
    with pytest.raises(ValueError, match="cycle"):
        suppress_counts(loop, areas={"a": "b", "b": "a"})


def test_a_hidden_cell_outside_every_relation_is_unbounded() -> None:
    intervals = feasible_intervals([1, 5], [], [True, False])
    assert intervals[0].tolist() == [0.0, np.inf]
    assert recoverable_cells([1, 5], [], [True, False]) == []
    assert not suppress([], []).suppressed.any()
