"""The configuration reader: lines of keys and items, and one clear error per problem."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, ClassVar, Literal

import pytest
from pydantic import BeforeValidator, Field

from quartier.analysis.config import (
    ConfigError,
    ConfigModel,
    Document,
    key_path,
    number_as_text,
    one_or_many,
    read_yaml,
    validate,
)

PRESETS = """\
# Presets of a city.
hamburg:
  method: berlin-mss
  min_population: 500
  status_cuts:
    - -1
    - 1
  labels:
    status: [gut, schlecht]
    dynamics:
      - besser
      - schlechter
"""


class Labels(ConfigModel):
    status: list[str]
    dynamics: list[str]


class Preset(ConfigModel):
    method: Literal["berlin-mss", "below-average"]
    min_population: float = Field(ge=0)
    status_cuts: list[float]
    labels: Labels
    years: int | None = Field(None, ge=1)
    source: Annotated[str, BeforeValidator(number_as_text)] = ""


class Section(ConfigModel):
    key_noun: ClassVar[str] = "field"
    numerator: Annotated[list[str], BeforeValidator(one_or_many)]


def write(folder: Path, text: str, name: str = "presets.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def problem(document: Document, preset: dict[str, object]) -> str:
    content = {"hamburg": {**document.content["hamburg"], **preset}}
    changed = Document(content, document.name, document.lines)
    with pytest.raises(ConfigError) as raised:
        validate(changed, Preset, at=("hamburg",))
    return str(raised.value)


# --- lines ----------------------------------------------------------------------------------------


def test_the_line_of_every_key_and_item(tmp_path: Path) -> None:
    document = read_yaml(write(tmp_path, PRESETS))
    assert document.name == "presets.yaml"
    assert document.content["hamburg"]["labels"]["dynamics"] == ["besser", "schlechter"]
    assert document.line(("hamburg",)) == 2
    assert document.line(("hamburg", "status_cuts")) == 5
    assert document.line(("hamburg", "status_cuts", 1)) == 7
    assert document.line(("hamburg", "labels", "status")) == 9
    assert document.line(("hamburg", "labels", "status", 1)) == 9
    assert document.line(("hamburg", "labels", "dynamics", 1)) == 12
    # A key that is not there: the line of the nearest value around it.
    assert document.line(("hamburg", "labels", "colour")) == 8


def test_a_wrong_list_item_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, PRESETS.replace("    - 1\n", "    - eins\n"))
    with pytest.raises(ConfigError) as raised:
        validate(read_yaml(path), Preset, at=("hamburg",))
    assert str(raised.value) == (
        "presets.yaml, line 7, hamburg.status_cuts (item 2): must be a number, not 'eins'"
    )


def test_a_wrong_nested_key_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, PRESETS.replace("      - schlechter\n", "      - [schlechter]\n"))
    with pytest.raises(ConfigError) as raised:
        validate(read_yaml(path), Preset, at=("hamburg",))
    assert str(raised.value) == (
        "presets.yaml, line 12, hamburg.labels.dynamics (item 2): must be a text, not a list"
    )


def test_a_missing_key_names_the_line_of_its_section(tmp_path: Path) -> None:
    path = write(tmp_path, PRESETS.replace("    status: [gut, schlecht]\n", ""))
    with pytest.raises(ConfigError) as raised:
        validate(read_yaml(path), Preset, at=("hamburg",))
    assert str(raised.value) == "presets.yaml, line 8, hamburg.labels: the key 'status' is missing"


# --- keys -----------------------------------------------------------------------------------------


def test_a_key_given_twice_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, PRESETS.replace("  min_population: 500\n", "  method: x\n"))
    with pytest.raises(ConfigError) as raised:
        read_yaml(path)
    assert str(raised.value) == (
        "presets.yaml, line 4, hamburg: the key 'method' is given twice (first on line 3)"
    )


def test_a_merged_key_may_be_given_again(tmp_path: Path) -> None:
    text = "base: &base\n  a: 1\n  b: 2\nown:\n  <<: *base\n  b: 3\n"
    document = read_yaml(write(tmp_path, text))
    assert document.content == {"base": {"a": 1, "b": 2}, "own": {"a": 1, "b": 3}}
    assert document.line(("own", "b")) == 6


def test_an_unknown_key_is_refused_with_the_known_keys(tmp_path: Path) -> None:
    path = write(tmp_path, PRESETS.replace("  min_population:", "  min_populaton:"))
    with pytest.raises(ConfigError) as raised:
        validate(read_yaml(path), Preset, at=("hamburg",))
    # A misspelt key is also a missing one; the unknown key is named, it is the one to correct.
    assert str(raised.value) == (
        "presets.yaml, line 4, hamburg: unknown key 'min_populaton' (the keys are method, "
        "min_population, status_cuts, labels, years, source)"
    )


def test_a_section_names_its_keys_in_its_own_word() -> None:
    document = Document({"numerator": "a", "colour": "rot"}, "stadt.yaml")
    with pytest.raises(ConfigError, match=r"^stadt.yaml: unknown field 'colour' \(the fields are "):
        validate(document, Section)
    assert validate(Document({"numerator": "a"}, "stadt.yaml"), Section).numerator == ["a"]


def test_a_null_value_is_no_value(tmp_path: Path) -> None:
    document = read_yaml(write(tmp_path, PRESETS + "  years:\n"))
    assert validate(document, Preset, at=("hamburg",)).years is None
    path = write(tmp_path, PRESETS.replace("  method: berlin-mss\n", "  method:\n"))
    with pytest.raises(ConfigError, match=r"^presets.yaml, line 2, hamburg: the key 'method' is "):
        validate(read_yaml(path), Preset, at=("hamburg",))


# --- types and limits -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"min_population": "500"}, "line 4, hamburg.min_population: must be a number, not '500'"),
        ({"min_population": True}, "line 4, hamburg.min_population: must be a number, not True"),
        ({"min_population": -1}, "line 4, hamburg.min_population: must be at least 0, not -1"),
        ({"years": 2.5}, "line 2, hamburg.years: must be a whole number of at least 1, not 2.5"),
        ({"years": 0}, "line 2, hamburg.years: must be a whole number of at least 1, not 0"),
        ({"method": "mss"}, "line 3, hamburg.method: must be one of berlin-mss, below-average, "
         "not 'mss'"),
        ({"status_cuts": 1}, "line 5, hamburg.status_cuts: must be a list, not 1"),
        ({"labels": ["gut"]}, "line 8, hamburg.labels: must be a set of keys and values (the keys "
         "are status, dynamics), not a list"),
        ({"source": ["a"]}, "line 2, hamburg.source: must be a text, not a list"),
    ],
)  # fmt: skip
def test_a_wrong_type_is_named(tmp_path: Path, change: dict[str, object], message: str) -> None:
    document = read_yaml(write(tmp_path, PRESETS))
    assert problem(document, change) == f"presets.yaml, {message}"


def test_numbers_are_not_texts_unless_the_model_says_so(tmp_path: Path) -> None:
    document = read_yaml(write(tmp_path, PRESETS + "  source: 2012\n"))
    assert validate(document, Preset, at=("hamburg",)).source == "2012"
    assert problem(document, {"labels": {"status": [1, 2], "dynamics": ["a", "b"]}}) == (
        "presets.yaml, line 9, hamburg.labels.status (item 1): must be a text, not 1"
    )


def test_the_top_of_the_file_must_be_keys_and_values(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        validate(read_yaml(write(tmp_path, "- a\n- b\n")), Labels)
    assert str(raised.value) == (
        "presets.yaml, line 1: the file must be a set of keys and values (the keys are status, "
        "dynamics), not a list"
    )


# --- files that cannot be read --------------------------------------------------------------------


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        read_yaml(tmp_path / "fehlt.yaml", what="the methods")
    assert str(raised.value) == (
        f"{tmp_path / 'fehlt.yaml'}: cannot read the methods (No such file or directory)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: [1, 2\n", "presets.yaml, line 2: not a valid UTF-8 YAML file (while parsing a flow "
         "sequence on line 1, expected ',' or ']', but got '<stream end>')"),
        ("a: 1\n b: 2\n", "presets.yaml, line 2: not a valid UTF-8 YAML file (mapping values are "
         "not allowed here)"),
        ("a: !!python/name:os.system x\n", "presets.yaml, line 1: not a valid UTF-8 YAML file "
         "(could not determine a constructor for the tag 'tag:yaml.org,2002:python/name:os."
         "system')"),
        ("a: &a [*a]\n", "presets.yaml, line 1: not a valid UTF-8 YAML file (an alias refers to "
         "itself)"),
        ("? [a, b]\n: 1\n", "presets.yaml, line 1: not a valid UTF-8 YAML file (a key must be a "
         "text or a number)"),
        ("a: 1\n---\nb: 2\n", "presets.yaml, line 2: not a valid UTF-8 YAML file (expected a "
         "single document in the stream on line 1, but found another document)"),
        ("", "presets.yaml: the file is empty"),
        ("# nothing but a comment\n\n", "presets.yaml: the file is empty"),
    ],
)  # fmt: skip
def test_a_file_that_is_no_yaml(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        read_yaml(write(tmp_path, text))
    assert str(raised.value) == message


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "presets.yaml"
    path.write_bytes("a: 1\nstadt: Köln\n".encode("cp1252"))
    with pytest.raises(ConfigError) as raised:
        read_yaml(path)
    assert str(raised.value) == (
        "presets.yaml, line 2: not a valid UTF-8 YAML file (byte 0xf6 is not UTF-8; save it as "
        "UTF-8)"
    )


# --- the error ------------------------------------------------------------------------------------


class PresetError(ConfigError):
    """The error of one reader."""


def test_a_reader_raises_its_own_error_with_its_own_words(tmp_path: Path) -> None:
    def place(loc: tuple[str | int, ...], content: object) -> str:
        return f"preset {loc[0]!r}" if loc else ""

    document = read_yaml(write(tmp_path, PRESETS), error=PresetError, describe=place)
    error = document.error(("hamburg", "status_cuts"), "the cuts must be ascending")
    assert isinstance(error, PresetError)
    assert isinstance(error, ValueError)
    assert (error.file, error.line, error.place) == ("presets.yaml", 5, "preset 'hamburg'")
    assert str(error) == "presets.yaml, line 5, preset 'hamburg': the cuts must be ascending"
    with pytest.raises(PresetError, match=r"^presets.yaml, line 6, preset 'hamburg': must be"):
        validate(
            Document({"hamburg": {"a": 1}}, "presets.yaml", {("hamburg", "a"): 6}, PresetError,
                     place),
            Preset,
            at=("hamburg", "a"),
        )  # fmt: skip


def test_key_paths() -> None:
    content = {"x": {"cuts": [1, 2], "codes": {1: "a"}}}
    assert key_path(("x", "cuts", 1), content) == "x.cuts (item 2)"
    assert key_path(("x", "codes", 1), content) == "x.codes.1"
    assert key_path(("Anteil SGB II", "x")) == "'Anteil SGB II'.x"
    assert key_path(()) == ""
