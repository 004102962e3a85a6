"""The mapping file model: selecting records (where), variables of long tables, recoding."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from quartier.analysis.tables import TableError, TableSpec, load_spec, spec_from_mapping


def test_where_takes_a_text_or_a_list_of_texts() -> None:
    spec = spec_from_mapping(
        {"where": {"tabelle": "Einwohner nach Alter", "jahr": [2012, "2013"]}}, where="m.yaml"
    )
    assert spec.where == {"tabelle": ["Einwohner nach Alter"], "jahr": ["2012", "2013"]}
    assert spec_from_mapping({}, where="m.yaml").where == {}


def test_variables_may_rename_and_select_in_the_long_layout() -> None:
    spec = spec_from_mapping(
        {"layout": "long", "variables": {"Einwohner in Köln": "einwohner"}}, where="m.yaml"
    )
    assert spec.variables == {"Einwohner in Köln": "einwohner"}
    listed = spec_from_mapping({"layout": "long", "variables": ["a", "b"]}, where="m.yaml")
    assert listed.variables == {"a": "a", "b": "b"}


def test_recode_maps_values_of_a_breakdown_dimension() -> None:
    spec = spec_from_mapping(
        {
            "breakdowns": {"zeile": "age_group"},
            "recode": {"age_group": {"00 - < 03": "0-5", "03 - < 06": "0-5", 75: "65+"}},
        },
        where="m.yaml",
    )
    assert spec.recode == {"age_group": {"00 - < 03": "0-5", "03 - < 06": "0-5", "75": "65+"}}
    assert spec == TableSpec(breakdowns={"zeile": "age_group"}, recode=spec.recode)


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"where": "tabelle"}, "m.yaml, where: must be a mapping of column names to a text or a "
         "list of texts, not 'tabelle'"),
        ({"where": {"tabelle": []}}, "m.yaml, where.tabelle: must be a text or a list of texts, "
         "not []"),
        ({"where": {"tabelle": None}}, "m.yaml, where.tabelle: must be a text or a list of "
         "texts, not None"),
        ({"where": {"tabelle": 1.5}}, "m.yaml, where.tabelle: must be a text or a list of texts, "
         "not 1.5"),
        ({"where": {"tabelle": " "}}, "m.yaml, where.tabelle: must be a non-empty text"),
        ({"where": {"tabelle": ["A", ["B"]]}}, "m.yaml, where.tabelle (item 2): must be a text, "
         "not a list"),
        ({"recode": {"age_group": {"a": "b"}}}, "m.yaml, recode.age_group: unknown dimension "
         "'age_group'; recode takes the dimension keys of breakdowns, and breakdowns gives none"),
        ({"breakdowns": {"Alter": "age_group", "Geschlecht": "gender"},
          "recode": {"age": {"a": "b"}}}, "m.yaml, recode.age: unknown dimension 'age'; recode "
         "takes the dimension keys of breakdowns: age_group, gender"),
        ({"breakdowns": {"Alter": "age_group"}, "recode": {"age_group": ["a"]}},
         "m.yaml, recode.age_group: must be a set of keys and values, not a list"),
        ({"breakdowns": {"Alter": "age_group"}, "recode": {"age_group": {"a": 1.5}}},
         "m.yaml, recode.age_group.a: must be a text, not 1.5"),
        ({"recode": "age_group"}, "m.yaml, recode: must be a mapping of dimension keys to "
         "mappings of values to new values, not 'age_group'"),
    ],
)  # fmt: skip
def test_errors_of_the_new_keys_name_the_key(mapping: dict[str, Any], message: str) -> None:
    with pytest.raises(TableError) as error:
        spec_from_mapping(mapping, where="m.yaml")
    assert str(error.value) == message


def test_an_unknown_dimension_in_recode_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "koeln.yaml"
    path.write_text(
        "layout: long\nbreakdowns: {zeile: age_group}\nrecode:\n"
        "  age_group: {'00 - < 03': 0-5}\n  alter: {'75 und älter': 65+}\n",
        encoding="utf-8",
    )
    with pytest.raises(TableError) as error:
        load_spec(path)
    assert str(error.value) == (
        "koeln.yaml, line 5, recode.alter: unknown dimension 'alter'; recode takes the dimension "
        "keys of breakdowns: age_group"
    )


def test_a_spec_from_a_file_knows_its_origin(tmp_path: Path) -> None:
    path = tmp_path / "koeln.yaml"
    path.write_text("layout: long\nwhere: {tabelle: Einwohner}\n", encoding="utf-8")
    spec = load_spec(path)
    assert spec.origin is not None
    assert spec.origin.line(("where", "tabelle")) == 2
    assert spec == TableSpec(layout="long", where={"tabelle": ["Einwohner"]})
