"""The below-average rule: domains, Aktionsräume, Aktionsquartiere, overrides, comparison."""

from __future__ import annotations

import polars as pl

from quartier.analysis.indices._below_average import (
    IndexIndicator,
    classify_areas,
    domain_status,
    select_aktionsraeume,
    selection_changes,
)

INDICATORS = [
    IndexIndicator("sgb2", "transfer", True),
    IndexIndicator("alo", "transfer", True),
    IndexIndicator("svb", "transfer", False),
    IndexIndicator("gym", "bildung", False),
    IndexIndicator("hze", "bildung", True),
    IndexIndicator("gewicht", "gesundheit", False),
]
CITY = {"sgb2": 15.0, "alo": 7.0, "svb": 55.0, "gym": 40.0, "hze": 20.0, "gewicht": 85.0}


def frame(rows: dict[str, dict[str, float | None]]) -> pl.DataFrame:
    records = [
        {"indicator": key, "area": area, "value": value, "city_value": CITY[key]}
        for area, values in rows.items()
        for key, value in values.items()
    ]
    return pl.DataFrame(
        records,
        schema={
            "indicator": pl.Utf8,
            "area": pl.Utf8,
            "value": pl.Float64,
            "city_value": pl.Float64,
        },
    )


# A: worse in transfer (3 of 3), bildung (1 of 2 = half), gesundheit -> 3 domains below.
# B: worse in transfer (1 of 3 only), bildung (2 of 2) -> 1 domain below.
# C: everything better; one indicator missing, which counts neither way.
SOZIALRAEUME = frame(
    {
        "A": {"sgb2": 25, "alo": 9, "svb": 50, "gym": 45, "hze": 30, "gewicht": 80},
        "B": {"sgb2": 16, "alo": 6, "svb": 60, "gym": 30, "hze": 25, "gewicht": 90},
        "C": {"sgb2": 10, "alo": None, "svb": 60, "gym": 50, "hze": 10, "gewicht": 90},
    }
)


def test_domain_status_counts_polarity_aware() -> None:
    status = domain_status(SOZIALRAEUME, INDICATORS, domain_share=0.5)
    rows = {
        (r["area"], r["domain"]): (r["available"], r["worse"], r["below"])
        for r in status.to_dicts()
    }
    assert rows[("A", "transfer")] == (3, 3, True)
    assert rows[("A", "bildung")] == (2, 1, True)  # exactly half counts
    assert rows[("B", "transfer")] == (3, 1, False)
    assert rows[("C", "transfer")] == (2, 0, False)  # the missing value is not counted


def test_classify_areas_with_k() -> None:
    result = classify_areas(SOZIALRAEUME, INDICATORS, domain_share=0.5, min_domains=3)
    assert result.rows() == [
        ("A", ["bildung", "gesundheit", "transfer"], True),
        ("B", ["bildung"], False),
        ("C", [], False),
    ]
    stricter = classify_areas(SOZIALRAEUME, INDICATORS, domain_share=0.6, min_domains=3)
    assert stricter.filter(pl.col("area") == "A")["domains_below"].to_list() == [
        ["gesundheit", "transfer"]
    ]


def test_aktionsquartiere_only_outside_aktionsraeume_and_overrides() -> None:
    bad = {"sgb2": 30.0, "alo": 12.0, "svb": 40.0, "gym": 20.0, "hze": 40.0, "gewicht": 70.0}
    good = {"sgb2": 5.0, "alo": 3.0, "svb": 70.0, "gym": 60.0, "hze": 5.0, "gewicht": 95.0}
    bezirke = frame({"A1": bad, "A2": good, "B1": bad, "B2": good, "C1": good})
    parents = {"A1": "A", "A2": "A", "B1": "B", "B2": "B", "C1": "C"}
    rule = {"domain_share": 0.5, "min_domains": 3}
    selection = select_aktionsraeume(
        SOZIALRAEUME, bezirke, parents=parents, indicators=INDICATORS, **rule
    )
    assert selection.aktionsraeume == {"A"}
    assert selection.aktionsquartiere.select("code", "sozialraum").rows() == [("B1", "B")]
    overridden = select_aktionsraeume(
        SOZIALRAEUME, bezirke, parents=parents, indicators=INDICATORS,
        overrides={"B": (True, "Großsiedlung, Beschluss des Rates"), "A": (False, "Sanierung")},
        **rule,
    )  # fmt: skip
    areas = {r["code"]: r for r in overridden.areas.to_dicts()}
    assert overridden.aktionsraeume == {"B"}
    assert areas["B"]["computed"] is False
    assert areas["B"]["override"] == "Großsiedlung, Beschluss des Rates"
    assert areas["C"]["override"] is None
    # A is no Aktionsraum by decision, so its lagging Bezirk A1 becomes an Aktionsquartier.
    assert overridden.aktionsquartiere["code"].to_list() == ["A1"]


def test_compare_years() -> None:
    assert selection_changes({"A", "B", "D"}, {"A", "C"}) == {
        "entered": ["B", "D"],
        "left": ["C"],
        "stayed": ["A"],
    }
