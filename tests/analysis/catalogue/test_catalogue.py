"""The indicator catalogue: the shipped entries, validation errors, and a city's own file."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from quartier.analysis.catalogue import (
    CatalogueError,
    Indicator,
    Term,
    formula,
    load_catalogue,
    read_catalogue,
)

INDEX = {
    "erwerb_transfer": [
        "sgb2_quote",
        "sgb2_quote_kinder",
        "arbeitslosenanteil",
        "beschaeftigungsquote",
        "grundsicherung_alter",
    ],
    "bildung": ["gymnasialuebergaenge", "hilfen_zur_erziehung"],
    "gesundheit": ["normalgewicht"],
    "wohnen": ["wohnflaeche_je_einwohner", "mobilitaet", "leerstandsquote"],
}
VALID = {
    "key": "neu",
    "name_de": "Neu",
    "name_en": "New",
    "domain": "wohnen",
    "unit": "%",
    "numerator": "a",
    "denominator": "b",
    "scale": 100,
    "polarity": "higher_is_worse",
    "definition": "Ein Test.",
}


def write(folder: Path, content: object, name: str = "stadt.yaml") -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return path


def entry(**changes: object) -> dict[str, object]:
    item = dict(VALID)
    for key, value in changes.items():
        if value is None:
            item.pop(key, None)
        else:
            item[key] = value
    return item


# --- the shipped catalogue ------------------------------------------------------------------------


def test_the_domains_of_the_shipped_catalogue() -> None:
    catalogue = load_catalogue()
    assert [(d.key, d.name_de) for d in catalogue.domains] == [
        ("demografie", "Demografie"),
        ("erwerb_transfer", "Erwerbstätigkeit und Transferleistungen"),
        ("bildung", "Bildung und Jugend"),
        ("gesundheit", "Gesundheit"),
        ("wohnen", "Wohnen"),
    ]


def test_the_index_indicators_per_domain() -> None:
    grouped = load_catalogue().index_domains()
    assert {domain: [i.key for i in items] for domain, items in grouped.items()} == INDEX


def test_demography_is_neutral_and_not_in_the_index() -> None:
    demography = load_catalogue().in_domain("demografie")
    assert [i.key for i in demography] == [
        "einwohnerzahl",
        "anteil_unter_18",
        "anteil_65plus",
        "anteil_80plus",
        "anteil_nichtdeutsch",
        "bevoelkerungsentwicklung",
        "anteil_einpersonenhaushalte",
        "alleinlebende_65plus",
    ]
    assert all(i.polarity == "neutral" and not i.in_index for i in demography)


@pytest.mark.parametrize(
    ("key", "text", "polarity", "unit"),
    [
        ("sgb2_quote", "sgb2 / einwohner_u65 × 100", "higher_is_worse", "%"),
        ("sgb2_quote_kinder", "sgb2_u15 / kinder_u15 × 100", "higher_is_worse", "%"),
        ("arbeitslosenanteil", "arbeitslose / einwohner_15_64 × 100", "higher_is_worse", "%"),
        ("beschaeftigungsquote", "svb / einwohner_15_64 × 100", "higher_is_better", "%"),
        ("grundsicherung_alter", "grusi_65plus / einwohner_65plus × 100", "higher_is_worse", "%"),
        ("gymnasialuebergaenge", "uebergaenge_gym / uebergaenge × 100", "higher_is_better", "%"),
        ("hilfen_zur_erziehung", "hze / einwohner_u21 × 1000", "higher_is_worse", "‰"),
        ("normalgewicht", "normalgewicht / schuleingang × 100", "higher_is_better", "%"),
        ("wohnflaeche_je_einwohner", "wohnflaeche / einwohner", "higher_is_better", "m²"),
        ("mobilitaet", "(zuzuege + fortzuege) / einwohner × 1000", "higher_is_worse", "‰"),
        ("leerstandsquote", "leerstand / wohnungen × 100", "higher_is_worse", "%"),
        ("alleinlebende_65plus", "hh_einpersonen_65plus / einwohner_65plus × 100", "neutral", "%"),
        ("anteil_80plus", "einwohner[age_group: 80+] / einwohner × 100", "neutral", "%"),
        ("anteil_nichtdeutsch", "einwohner[nationality: nichtdeutsch] / einwohner × 100",
         "neutral", "%"),
        ("bevoelkerungsentwicklung", "(einwohner / einwohner 5 Jahre zuvor − 1) × 100",
         "neutral", "%"),
        ("einwohnerzahl", "einwohner", "neutral", "Anzahl"),
    ],
)  # fmt: skip
def test_shipped_formulas(key: str, text: str, polarity: str, unit: str) -> None:
    indicator = load_catalogue().indicator(key)
    assert formula(indicator) == text
    assert (indicator.polarity, indicator.unit) == (polarity, unit)
    assert indicator.definition
    assert indicator.source


def test_minimum_denominators_for_publication() -> None:
    catalogue = load_catalogue()
    assert catalogue.indicator("sgb2_quote").min_denominator == 50
    assert catalogue.indicator("normalgewicht").min_denominator == 20
    assert catalogue.indicator("einwohnerzahl").min_denominator == 0


def test_decimals_of_the_shipped_indicators() -> None:
    catalogue = load_catalogue()
    assert catalogue.indicator("einwohnerzahl").decimals == 0
    for indicator in catalogue:
        if indicator.unit in ("%", "‰", "m²"):
            assert indicator.decimals == 1, indicator.key


@pytest.mark.parametrize(
    ("changes", "decimals"),
    [
        ({}, 1),
        ({"decimals": 2}, 2),
        ({"decimals": 0}, 0),
        ({"kind": "count", "denominator": None, "unit": "Anzahl"}, 0),
        ({"kind": "count", "denominator": None, "unit": "Anzahl", "decimals": 1}, 1),
        ({"kind": "count", "denominator": None, "unit": "ha"}, 1),
        ({"unit": "Anzahl"}, 1),
    ],
)
def test_decimals_default_by_kind_and_unit(
    tmp_path: Path, changes: dict[str, object], decimals: int
) -> None:
    path = write(tmp_path, {"indicators": [entry(**changes)]})
    assert load_catalogue(path).indicator("neu").decimals == decimals


def test_decimals_of_an_indicator_made_in_code() -> None:
    count = Indicator("n", "N", "N", "demografie", "Anzahl", (Term("a"),), "neutral", "-",
                      kind="count")  # fmt: skip
    share = Indicator("s", "S", "S", "demografie", "%", (Term("a"),), "neutral", "-",
                      denominator=(Term("b"),), scale=100)  # fmt: skip
    assert (count.decimals, share.decimals) == (0, 1)
    assert replace(share, decimals=3).decimals == 3


def test_a_change_knows_its_years_and_variables() -> None:
    catalogue = load_catalogue()
    change = catalogue.indicator("bevoelkerungsentwicklung")
    assert (change.kind, change.years, change.scale) == ("change", 5, 100.0)
    mobility = catalogue.indicator("mobilitaet")
    assert mobility.variables == ("zuzuege", "fortzuege", "einwohner")
    assert catalogue.indicator("anteil_unter_18").numerator == (
        Term("einwohner", (("age_group", ("0-5", "6-14", "15-17")),)),
    )
    assert mobility.higher_is_worse is True
    assert change.higher_is_worse is None


def test_an_unknown_key_is_named() -> None:
    with pytest.raises(KeyError, match="no indicator 'nope'"):
        load_catalogue().indicator("nope")


# --- a city's own file ----------------------------------------------------------------------------


def test_a_city_file_replaces_and_adds(tmp_path: Path) -> None:
    shipped = load_catalogue()
    path = write(
        tmp_path,
        {
            "domains": [{"key": "sicherheit", "name_de": "Sicherheit", "name_en": "Safety"}],
            "indicators": [
                entry(key="sgb2_quote", numerator="sgb2", denominator="einwohner", in_index=True,
                      domain="erwerb_transfer"),
                entry(key="straftaten", domain="sicherheit", scale=1000, unit="‰"),
            ],
        },
    )  # fmt: skip
    merged = load_catalogue(path)
    keys = [i.key for i in merged]
    assert keys == [i.key for i in shipped] + ["straftaten"]
    assert formula(merged.indicator("sgb2_quote")) == "sgb2 / einwohner × 100"
    assert merged.indicator("sgb2_quote").name_de == "Neu"
    assert merged.domain("sicherheit").name_en == "Safety"
    assert len(merged.domains) == len(shipped.domains) + 1


def test_a_city_file_may_rename_a_domain(tmp_path: Path) -> None:
    path = write(
        tmp_path, {"domains": [{"key": "wohnen", "name_de": "Wohnen und Umfeld", "name_en": "H"}]}
    )
    merged = load_catalogue(path)
    assert merged.domain("wohnen").name_de == "Wohnen und Umfeld"
    assert [d.key for d in merged.domains] == [d.key for d in load_catalogue().domains]


def test_a_city_file_alone_needs_its_domains(tmp_path: Path) -> None:
    path = write(tmp_path, {"indicators": [entry()]})
    with pytest.raises(CatalogueError) as raised:
        read_catalogue(path)
    assert str(raised.value) == (
        "stadt.yaml, line 4, indicator 'neu', field 'domain': unknown domain 'wohnen' "
        "(known domains: none)"
    )
    assert read_catalogue(path, known_domains={"wohnen"}).indicator("neu").domain == "wohnen"


# --- validation -----------------------------------------------------------------------------------


# yaml.safe_dump writes the keys sorted: the entry starts on line 2 with its first key.
@pytest.mark.parametrize(
    ("item", "message"),
    [
        (entry(name_de=None), "line 2, indicator 'neu': the field 'name_de' is missing"),
        (entry(colour="rot"), "line 2, indicator 'neu': unknown field 'colour' (the fields are "
         "key, name_de, name_en, domain, unit, numerator, polarity, definition, kind, "
         "denominator, scale, source, min_denominator, in_index, years, decimals)"),
        (entry(polarity="bad"), "line 9, indicator 'neu', field 'polarity': must be one of "
         "higher_is_worse, higher_is_better, neutral, not 'bad'"),
        (entry(kind="ratio"), "line 6, indicator 'neu', field 'kind': must be one of rate, count, "
         "change, not 'ratio'"),
        (entry(denominator=None), "line 2, indicator 'neu', field 'denominator': a rate needs a "
         "denominator (or use kind: count)"),
        (entry(kind="count"), "line 3, indicator 'neu', field 'denominator': an indicator of "
         "kind 'count' has no denominator"),
        (entry(kind="change", denominator=None), "line 2, indicator 'neu', field 'years': must be "
         "a whole number of at least 1, not None"),
        (entry(years=5), "line 12, indicator 'neu', field 'years': only an indicator of kind "
         "'change' has years"),
        (entry(scale=0), "line 10, indicator 'neu', field 'scale': must be more than 0, not 0"),
        (entry(scale="hundert"), "line 10, indicator 'neu', field 'scale': must be a number, not "
         "'hundert'"),
        (entry(min_denominator=-1), "line 6, indicator 'neu', field 'min_denominator': must be at "
         "least 0, not -1"),
        (entry(in_index="ja"), "line 5, indicator 'neu', field 'in_index': must be true or false, "
         "not 'ja'"),
        (entry(decimals=-1), "line 2, indicator 'neu', field 'decimals': must be a whole number "
         "of at least 0, not -1"),
        (entry(decimals=1.5), "line 2, indicator 'neu', field 'decimals': must be a whole number "
         "of at least 0, not 1.5"),
        (entry(decimals=True), "line 2, indicator 'neu', field 'decimals': must be a whole number "
         "of at least 0, not True"),
        (entry(decimals="eins"), "line 2, indicator 'neu', field 'decimals': must be a whole "
         "number of at least 0, not 'eins'"),
        (entry(unit=""), "line 11, indicator 'neu', field 'unit': must not be empty"),
        (entry(domain="sport"), "line 4, indicator 'neu', field 'domain': unknown domain 'sport' "
         "(known domains: bildung, demografie, erwerb_transfer, gesundheit, wohnen)"),
        (entry(numerator=[]), "line 8, indicator 'neu', field 'numerator': must name at least one "
         "variable"),
        (entry(numerator=[3]), "line 9, indicator 'neu', field 'numerator', term 1: a term is a "
         "variable key or {variable: KEY, breakdown: {DIMENSION: [...]}}"),
        (entry(numerator=[{"name": "a"}]), "line 9, indicator 'neu', field 'numerator', term 1: "
         "unknown key 'name' (the keys are variable, breakdown)"),
        (entry(numerator=[{"variable": "a", "filter": {}}]), "line 9, indicator 'neu', field "
         "'numerator', term 1: unknown key 'filter' (the keys are variable, breakdown)"),
        (entry(numerator=[{"variable": "a", "breakdown": ["x"]}]), "line 9, indicator 'neu', "
         "field 'numerator', term 1, breakdown: must be a mapping of dimensions to lists of "
         "values, not a list"),
        (entry(numerator=[{"variable": "a", "breakdown": {"age_group": []}}]), "line 10, "
         "indicator 'neu', field 'numerator', term 1, breakdown 'age_group': must list values"),
        (entry(numerator=["a", {"variable": "b", "breakdown": {"age_group": ["x", True]}}]),
         "line 13, indicator 'neu', field 'numerator', term 2, breakdown 'age_group', value 2: "
         "must be a text, not True"),
        (entry(key="Neu Quote"), "line 5, indicator 1, field 'key': must start with a lowercase "
         "letter and hold only a-z, 0-9 and _, not 'Neu Quote'"),
    ],
)  # fmt: skip
def test_errors_name_the_file_the_line_the_indicator_and_the_field(
    tmp_path: Path, item: dict[str, object], message: str
) -> None:
    path = write(tmp_path, {"indicators": [item]})
    with pytest.raises(CatalogueError) as raised:
        load_catalogue(path)
    assert str(raised.value) == f"stadt.yaml, {message}"


def test_a_key_listed_twice_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, {"indicators": [entry(), entry()]})
    with pytest.raises(
        CatalogueError,
        match=r"^stadt\.yaml, line 12, indicator 'neu': listed twice \(first on line 2\)$",
    ):
        load_catalogue(path)


def test_a_field_given_twice_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "stadt.yaml"
    path.write_text(
        "indicators:\n  - key: neu\n    unit: '%'\n    unit: Anzahl\n", encoding="utf-8"
    )
    with pytest.raises(
        CatalogueError,
        match=r"^stadt\.yaml, line 4, indicator 'neu': the key 'unit' is given twice "
        r"\(first on line 3\)$",
    ):
        load_catalogue(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("indicators: [\n", r"^stadt.yaml, line 2: not a valid UTF-8 YAML file \(while parsing "
         r"a flow node on line 2, expected the node content, but found '<stream end>'\)$"),
        ("- a\n- b\n", r"^stadt.yaml, line 1: the file must be a set of keys and values \(the "
         r"sections are domains, indicators, disabled\), not a list$"),
        ("", r"^stadt.yaml: the file is empty$"),
        ("methods: {}\n", r"^stadt.yaml, line 1: unknown section 'methods' \(the sections are "
         r"domains, indicators, disabled\)$"),
        ("indicators: {a: 1}\n", r"^stadt.yaml, line 1, section 'indicators': must be a list, "
         r"not a set of keys and values$"),
        ("domains: [{key: x, name_de: X}]\n",
         r"^stadt.yaml, line 1, domain 'x': the field 'name_en' is missing$"),
        ("domains:\n  - 3\n", r"^stadt.yaml, line 2, domain 1: must be a set of keys and values "
         r"\(the fields are key, name_de, name_en\), not 3$"),
        ("domains:\n  - {key: X, name_de: X, name_en: X}\n", r"^stadt.yaml, line 2, domain 1, "
         r"field 'key': must start with a lowercase letter and hold only a-z, 0-9 and _, not 'X'$"),
    ],
)  # fmt: skip
def test_files_that_are_no_catalogue(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "stadt.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError, match=message):
        load_catalogue(path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        CatalogueError,
        match=r"fehlt\.yaml: cannot read the catalogue \(No such file or directory\)$",
    ):
        load_catalogue(tmp_path / "fehlt.yaml")


def test_numbers_in_breakdown_values_become_texts(tmp_path: Path) -> None:
    item = entry(numerator=[{"variable": "a", "breakdown": {"jahrgang": [2019, "2020"]}}])
    merged = load_catalogue(write(tmp_path, {"indicators": [item]}))
    assert merged.indicator("neu").numerator == (Term("a", (("jahrgang", ("2019", "2020")),)),)


# --- the command ----------------------------------------------------------------------------------


def test_the_command_lists_the_catalogue_by_domain() -> None:
    out = io.StringIO()
    call_command("indicators", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Demografie (demografie)"
    sgb2 = next(line for line in lines if line.strip().startswith("sgb2_quote "))
    assert sgb2.split() == ["sgb2_quote", "%", "sgb2", "/", "einwohner_u65", "×", "100",
                            "[higher", "is", "worse,", "index]"]  # fmt: skip
    assert lines[-1] == f"{len(load_catalogue())} indicators in 5 domains"


def test_the_command_writes_csv_with_the_city_file(tmp_path: Path) -> None:
    path = write(tmp_path, {"indicators": [entry(min_denominator=30, in_index=True)]})
    out = io.StringIO()
    call_command("indicators", catalogue=path, format="csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == len(load_catalogue()) + 1
    assert rows[-1] == {
        "key": "neu",
        "domain": "wohnen",
        "name_de": "Neu",
        "name_en": "New",
        "unit": "%",
        "kind": "rate",
        "formula": "a / b × 100",
        "scale": "100",
        "polarity": "higher_is_worse",
        "in_index": "true",
        "min_denominator": "30",
        "definition": "Ein Test.",
        "source": "",
    }
    assert rows[1]["formula"] == "einwohner[age_group: 0-5, 6-14, 15-17] / einwohner × 100"


def test_the_command_names_an_invalid_file(tmp_path: Path) -> None:
    path = write(tmp_path, {"indicators": [entry(polarity="bad")]})
    with pytest.raises(
        CommandError, match=r"stadt\.yaml, line 9, indicator 'neu', field 'polarity': must be one"
    ):
        call_command("indicators", catalogue=path)


def test_a_city_leaves_shipped_indicators_out_and_adds_its_own_domain(tmp_path: Path) -> None:
    path = tmp_path / "stadt.yaml"
    path.write_text(
        "domains:\n  - {key: kultur, name_de: Kultur, name_en: Culture}\n"
        "indicators:\n"
        "  - {key: buecherei, name_de: Büchereien, name_en: Libraries, domain: kultur,\n"
        "     unit: Anzahl, kind: count, numerator: buechereien, polarity: neutral,\n"
        "     definition: Büchereien.}\n"
        "disabled: [anteil_80plus, sgb2_quote_kinder]\n",
        encoding="utf-8",
    )
    catalogue = load_catalogue(path)
    keys = [i.key for i in catalogue]
    assert "anteil_80plus" not in keys
    assert "sgb2_quote_kinder" not in keys
    assert keys[-1] == "buecherei"
    assert len(keys) == len(list(load_catalogue())) - 1
    assert catalogue.domains[-1].key == "kultur"


@pytest.mark.parametrize(
    ("disabled", "message"),
    [
        ("[anteil_90plus]", r"line 1, section 'disabled': unknown indicator 'anteil_90plus' \("),
        (
            "[sgb2_quote, sgb2_quote]",
            r"line 1, section 'disabled': listed twice \(first on line 1\)",
        ),
    ],
)
def test_what_a_city_disables_must_be_shipped_and_listed_once(
    tmp_path: Path, disabled: str, message: str
) -> None:
    path = tmp_path / "stadt.yaml"
    path.write_text(f"disabled: {disabled}\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=rf"^stadt.yaml, {message}"):
        load_catalogue(path)
