"""Reading and checking catalogue files (YAML); errors name the file, the line, the entry and field.

The shape of a file is the pydantic model `_CatalogueFile`; what a model cannot say (a rate needs
a denominator, an indicator's domain must be known, a key is listed once) is checked here, with
the same error.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from quartier.analysis.catalogue._entries import (
    Catalogue,
    CatalogueError,
    Domain,
    Indicator,
    Kind,
    Polarity,
    Term,
    default_decimals,
)
from quartier.analysis.config import (
    ConfigModel,
    Document,
    Loc,
    number_as_text,
    one_or_many,
    read_yaml,
    validate,
)

__all__ = ["check_domains", "read_catalogue"]

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_KEY_RULE = "must start with a lowercase letter and hold only a-z, 0-9 and _"
_TERM_RULE = "a term is a variable key or {variable: KEY, breakdown: {DIMENSION: [...]}}"
_SECTIONS = {"domains": "domain", "indicators": "indicator"}


def _key(value: str) -> str:
    if not _KEY.match(value):
        raise ValueError(f"{_KEY_RULE}, not {value!r}")
    return value


def _not_empty(text: str) -> str:
    if not text:
        raise ValueError("must not be empty")
    return text


def _listing(problem: str) -> AfterValidator:
    """Refuses an empty list with `problem`."""

    def check(values: list[Any]) -> list[Any]:
        if not values:
            raise ValueError(problem)
        return values

    return AfterValidator(check)


def _term_entry(value: Any) -> Any:
    if isinstance(value, str):
        return {"variable": value}
    if not isinstance(value, dict):
        raise ValueError(_TERM_RULE)
    return value


def _dimensions(value: Any) -> Any:
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else value


_Key = Annotated[str, AfterValidator(_key)]
# A text of the entry, written in one line; YAML may read it as a number (a unit of 1000).
_OptionalText = Annotated[
    str, BeforeValidator(number_as_text), AfterValidator(lambda text: " ".join(text.split()))
]
_Text = Annotated[_OptionalText, AfterValidator(_not_empty)]
_Name = Annotated[str, AfterValidator(str.strip), AfterValidator(_not_empty)]
_Values = Annotated[
    list[Annotated[str, BeforeValidator(number_as_text)]],
    BeforeValidator(one_or_many),
    _listing("must list values"),
]


class _TermEntry(ConfigModel):
    variable: _Name
    breakdown: Annotated[dict[str, _Values], BeforeValidator(_dimensions)] = Field(
        default_factory=dict, description="a mapping of dimensions to lists of values"
    )

    @model_validator(mode="before")
    @classmethod
    def _from_key(cls, value: Any) -> Any:
        return _term_entry(value)


_Terms = Annotated[
    list[_TermEntry], BeforeValidator(one_or_many), _listing("must name at least one variable")
]


class _DomainEntry(ConfigModel):
    key_noun: ClassVar[str] = "field"
    key: _Key
    name_de: _Name
    name_en: _Name


class _IndicatorEntry(ConfigModel):
    key_noun: ClassVar[str] = "field"
    key: _Key
    name_de: _Text
    name_en: _Text
    domain: _Text
    unit: _Text
    numerator: _Terms
    polarity: Polarity
    definition: _Text
    kind: Kind = "rate"
    denominator: _Terms | None = None
    scale: float = Field(1.0, gt=0)
    source: _OptionalText = ""
    min_denominator: float = Field(0.0, ge=0)
    in_index: bool = False
    years: int | None = Field(None, ge=1)
    decimals: int | None = Field(None, ge=0)


class _CatalogueFile(ConfigModel):
    key_noun: ClassVar[str] = "section"
    domains: list[_DomainEntry] = Field(default_factory=list)
    indicators: list[_IndicatorEntry] = Field(default_factory=list)
    disabled: list[str] = Field(default_factory=list)


def read_catalogue(
    path: Path,
    *,
    known_domains: set[str] | None = None,
    known_indicators: set[str] | None = None,
) -> Catalogue:
    """Read one catalogue file on its own (without merging).

    `known_domains` are domain keys defined elsewhere that indicators of this file may use
    (the shipped domains, for a city's file); `known_indicators` the indicator keys its
    section ``disabled`` may leave out (the shipped indicators).

    Raises
    ------
    CatalogueError
        If the file cannot be read or an entry is invalid; the message names the file, the
        line, the entry and the field.

    Examples
    --------
    >>> import tempfile, yaml
    >>> path = Path(tempfile.mkdtemp()) / "stadt.yaml"
    >>> entry = {"key": "dichte", "name_de": "Dichte", "name_en": "Density", "domain": "wohnen",
    ...          "unit": "je ha", "numerator": "einwohner", "denominator": "hektar",
    ...          "polarity": "neutral", "definition": "Je Hektar."}
    >>> _ = path.write_text(yaml.safe_dump({"indicators": [entry]}), encoding="utf-8")
    >>> [i.key for i in read_catalogue(path, known_domains={"wohnen"})]
    ['dichte']
    >>> try:
    ...     read_catalogue(path)
    ... except CatalogueError as error:
    ...     print(error)
    stadt.yaml, line 4, indicator 'dichte', field 'domain': unknown domain 'wohnen' (known
    domains: none)
    """
    document = read_yaml(Path(path), what="the catalogue", error=CatalogueError, describe=_place)
    content = validate(document, _CatalogueFile)
    domains = tuple(Domain(d.key, d.name_de, d.name_en) for d in content.domains)
    indicators = tuple(
        _indicator(document, position, entry) for position, entry in enumerate(content.indicators)
    )
    _check_unique(document, "domains", [d.key for d in domains])
    _check_unique(document, "indicators", [i.key for i in indicators])
    known = {d.key for d in domains} | set(known_domains or ())
    for position, indicator in enumerate(indicators):
        if indicator.domain not in known:
            raise document.error(
                ("indicators", position, "domain"),
                f"unknown domain {indicator.domain!r} "
                f"(known domains: {', '.join(sorted(known)) or 'none'})",
            )
    _check_disabled(document, content.disabled, {i.key for i in indicators}, known_indicators)
    return Catalogue(domains=domains, indicators=indicators, disabled=tuple(content.disabled))


def _check_disabled(
    document: Document, disabled: list[str], defined: set[str], known: set[str] | None
) -> None:
    """Each key left out is a known indicator, once, and not also defined in this file."""
    _check_unique(document, "disabled", disabled)
    for position, key in enumerate(disabled):
        if key in defined:
            raise document.error(
                ("disabled", position), f"{key!r} is defined in this file and disabled too"
            )
        if key not in (known or set()):
            listed = ", ".join(sorted(known or ())) or "none"
            raise document.error(
                ("disabled", position), f"unknown indicator {key!r} (known indicators: {listed})"
            )


def check_domains(catalogue: Catalogue, where: str) -> Catalogue:
    """The catalogue, if every indicator's domain is one of its domains; `where` names it."""
    keys = {d.key for d in catalogue.domains}
    for indicator in catalogue.indicators:
        if indicator.domain not in keys:
            raise CatalogueError(
                f"indicator {indicator.key!r}, field 'domain': unknown domain "
                f"{indicator.domain!r} (known domains: {', '.join(sorted(keys)) or 'none'})",
                file=where,
            )
    return catalogue


def _indicator(document: Document, position: int, entry: _IndicatorEntry) -> Indicator:
    """The indicator of a valid entry, after the checks across its fields."""
    at = ("indicators", position)
    denominator = _terms(entry.denominator or [])
    if entry.kind == "rate" and not denominator:
        raise document.error(
            (*at, "denominator"), "a rate needs a denominator (or use kind: count)"
        )
    if entry.kind != "rate" and denominator:
        raise document.error(
            (*at, "denominator"), f"an indicator of kind {entry.kind!r} has no denominator"
        )
    if entry.kind != "change" and entry.years is not None:
        raise document.error((*at, "years"), "only an indicator of kind 'change' has years")
    if entry.kind == "change" and entry.years is None:
        raise document.error((*at, "years"), "must be a whole number of at least 1, not None")
    decimals = entry.decimals
    return Indicator(
        key=entry.key,
        name_de=entry.name_de,
        name_en=entry.name_en,
        domain=entry.domain,
        unit=entry.unit,
        numerator=_terms(entry.numerator),
        denominator=denominator,
        scale=entry.scale,
        polarity=entry.polarity,
        definition=entry.definition,
        source=entry.source,
        min_denominator=entry.min_denominator,
        in_index=entry.in_index,
        kind=entry.kind,
        years=entry.years,
        decimals=default_decimals(entry.kind, entry.unit) if decimals is None else decimals,
    )


def _terms(entries: list[_TermEntry]) -> tuple[Term, ...]:
    return tuple(
        Term(entry.variable, tuple((d, tuple(v)) for d, v in sorted(entry.breakdown.items())))
        for entry in entries
    )


def _check_unique(document: Document, section: str, keys: list[str]) -> None:
    first: dict[str, int] = {}
    for position, key in enumerate(keys):
        if key in first:
            line = document.line((section, first[key]))
            raise document.error((section, position), f"listed twice (first on line {line})")
        first[key] = position


def _place(loc: Loc, content: Any) -> str:
    """Names a location as people do: ``indicator 'neu', field 'numerator', term 2``."""
    if not loc:
        return ""
    section = str(loc[0])
    if section not in _SECTIONS or len(loc) == 1 or not isinstance(loc[1], int):
        return f"section {section!r}"
    entries = content.get(section) if isinstance(content, dict) else None
    entry = entries[loc[1]] if isinstance(entries, list) and loc[1] < len(entries) else None
    key = entry.get("key") if isinstance(entry, dict) else None
    named = repr(key) if isinstance(key, str) and _KEY.match(key) else str(loc[1] + 1)
    parts = [f"{_SECTIONS[section]} {named}"]
    if len(loc) > 2:
        parts.append(f"field {str(loc[2])!r}")
    rest = loc[3:]
    if rest and isinstance(rest[0], int):
        parts.append(f"term {rest[0] + 1}")
        rest = rest[1:]
    if rest[:1] == ("breakdown",):
        parts.append(f"breakdown {str(rest[1])!r}" if len(rest) > 1 else "breakdown")
        rest = rest[2:]
    elif rest:
        parts.append(f"key {str(rest[0])!r}")
        rest = rest[1:]
    if rest and isinstance(rest[0], int):
        parts.append(f"value {rest[0] + 1}")
    return ", ".join(parts)
