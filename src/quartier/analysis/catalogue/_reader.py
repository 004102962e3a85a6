"""Reading and checking catalogue files (YAML); errors name the file, the entry and the field."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from quartier.analysis.catalogue._entries import (
    KINDS,
    POLARITIES,
    Catalogue,
    CatalogueError,
    Domain,
    Indicator,
    Kind,
    Term,
    default_decimals,
)

__all__ = ["check_domains", "read_catalogue"]

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_REQUIRED = ("name_de", "name_en", "domain", "unit", "numerator", "polarity", "definition")
_OPTIONAL = (
    "kind",
    "denominator",
    "scale",
    "source",
    "min_denominator",
    "in_index",
    "years",
    "decimals",
)
_DOMAIN_FIELDS = ("key", "name_de", "name_en")
_KEY_RULE = "must start with a lowercase letter and hold only a-z, 0-9 and _"


def read_catalogue(path: Path, *, known_domains: set[str] | None = None) -> Catalogue:
    """Read one catalogue file on its own (without merging).

    `known_domains` are domain keys defined elsewhere that indicators of this file may use
    (the shipped domains, for a city's file).

    Raises
    ------
    CatalogueError
        If the file cannot be read or an entry is invalid.

    Examples
    --------
    >>> import tempfile
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
    stadt.yaml: indicator 'dichte', field 'domain': unknown domain 'wohnen' (known domains: none)
    """
    content = _read_yaml(path)
    where = path.name
    unknown = sorted(str(key) for key in content if key not in ("domains", "indicators"))
    if unknown:
        raise CatalogueError(
            f"{where}: unknown section {unknown[0]!r} (the sections are domains, indicators)"
        )
    domains = tuple(_domain(entry, where) for entry in _entries(content, "domains", where))
    indicators = tuple(
        _Entry(entry, where, position).indicator()
        for position, entry in enumerate(_entries(content, "indicators", where), start=1)
    )
    _check_unique([d.key for d in domains], where, "domain")
    _check_unique([i.key for i in indicators], where, "indicator")
    catalogue = Catalogue(domains=domains, indicators=indicators)
    extra_domains = [Domain(key, key, key) for key in sorted(known_domains or ())]
    check_domains(Catalogue(domains + tuple(extra_domains), indicators), where)
    return catalogue


def check_domains(catalogue: Catalogue, where: str) -> Catalogue:
    """The catalogue, if every indicator's domain is one of its domains; `where` names it."""
    keys = {d.key for d in catalogue.domains}
    for indicator in catalogue.indicators:
        if indicator.domain not in keys:
            raise CatalogueError(
                f"{where}: indicator {indicator.key!r}, field 'domain': unknown domain "
                f"{indicator.domain!r} (known domains: {', '.join(sorted(keys)) or 'none'})"
            )
    return catalogue


def _check_unique(keys: list[str], where: str, what: str) -> None:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise CatalogueError(f"{where}: {what} {key!r} is listed twice")
        seen.add(key)


def _read_yaml(path: Path) -> dict[Any, Any]:
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise CatalogueError(f"{path}: cannot read the catalogue ({error.strerror})") from error
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise CatalogueError(f"{path.name}: not a valid UTF-8 YAML file ({error})") from error
    if not isinstance(content, dict):
        raise CatalogueError(
            f"{path.name}: the catalogue must have the sections domains, indicators"
        )
    return content


def _entries(content: dict[Any, Any], section: str, where: str) -> list[Any]:
    entries = content.get(section) or []
    if not isinstance(entries, list):
        raise CatalogueError(f"{where}: the section {section!r} must be a list")
    return entries


def _domain(entry: Any, where: str) -> Domain:
    if not isinstance(entry, dict):
        raise CatalogueError(f"{where}: every domain must be a set of keys and values")
    name = repr(entry.get("key", "?"))
    for key in entry:
        if key not in _DOMAIN_FIELDS:
            raise CatalogueError(f"{where}: domain {name}: unknown field {str(key)!r}")
    for key in _DOMAIN_FIELDS:
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise CatalogueError(f"{where}: domain {name}, field {key!r}: must be a text")
    if not _KEY.match(entry["key"]):
        raise CatalogueError(f"{where}: domain {name}, field 'key': {_KEY_RULE}")
    return Domain(entry["key"], entry["name_de"].strip(), entry["name_en"].strip())


class _Entry:
    """Typed access to one indicator entry; errors name the file, the indicator and the field."""

    def __init__(self, entry: Any, where: str, position: int) -> None:
        if not isinstance(entry, dict):
            raise CatalogueError(f"{where}: indicator {position}: must be a set of keys and values")
        self.entry: dict[str, Any] = {str(k): v for k, v in entry.items()}
        self.where = where
        key = self.entry.get("key")
        if not isinstance(key, str) or not _KEY.match(key):
            raise CatalogueError(
                f"{where}: indicator {position}, field 'key': {_KEY_RULE}, not {key!r}"
            )
        self.key = key

    def fail(self, name: str, problem: str) -> CatalogueError:
        return CatalogueError(f"{self.where}: indicator {self.key!r}, field {name!r}: {problem}")

    def indicator(self) -> Indicator:
        self._check_fields()
        kind = self._choice("kind", KINDS, "rate")
        numerator = self._terms("numerator")
        denominator = self._terms("denominator") if "denominator" in self.entry else ()
        self._check_kind(kind, denominator)
        return Indicator(
            key=self.key,
            name_de=self._text("name_de"),
            name_en=self._text("name_en"),
            domain=self._text("domain"),
            unit=self._text("unit"),
            numerator=numerator,
            denominator=denominator,
            scale=self._number("scale", 1.0, positive=True),
            polarity=self._choice("polarity", POLARITIES, None),
            definition=self._text("definition"),
            source=self._text("source", ""),
            min_denominator=self._number("min_denominator", 0.0, positive=False),
            in_index=self._flag("in_index"),
            kind=kind,
            years=self._years(kind),
            decimals=self._decimals(kind),
        )

    def _check_fields(self) -> None:
        for name in self.entry:
            if name != "key" and name not in _REQUIRED + _OPTIONAL:
                raise CatalogueError(
                    f"{self.where}: indicator {self.key!r}: unknown field {name!r}"
                )
        for name in _REQUIRED:
            if self.entry.get(name) is None:
                raise CatalogueError(
                    f"{self.where}: indicator {self.key!r}: the field {name!r} is missing"
                )

    def _check_kind(self, kind: Kind, denominator: tuple[Term, ...]) -> None:
        if kind == "rate" and not denominator:
            raise self.fail("denominator", "a rate needs a denominator (or use kind: count)")
        if kind != "rate" and denominator:
            raise self.fail("denominator", f"an indicator of kind {kind!r} has no denominator")

    def _text(self, name: str, default: str | None = None) -> str:
        value = self.entry.get(name, default)
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(name, "must be a text")
        text = " ".join(str(value).split())
        if default is None and not text:
            raise self.fail(name, "must not be empty")
        return text

    def _number(self, name: str, default: float, *, positive: bool) -> float:
        value = self.entry.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(name, f"must be a number, not {value!r}")
        if value < 0 or (positive and value == 0):
            raise self.fail(name, f"must be {'more than' if positive else 'at least'} 0")
        return float(value)

    def _flag(self, name: str) -> bool:
        value = self.entry.get(name, False)
        if not isinstance(value, bool):
            raise self.fail(name, f"must be true or false, not {value!r}")
        return value

    def _choice(self, name: str, choices: tuple[str, ...], default: str | None) -> Any:
        value = self.entry.get(name, default)
        if value not in choices:
            raise self.fail(name, f"must be one of {', '.join(choices)}, not {value!r}")
        return value

    def _years(self, kind: Kind) -> int | None:
        value = self.entry.get("years")
        if kind != "change":
            if value is not None:
                raise self.fail("years", "only an indicator of kind 'change' has years")
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.fail("years", f"must be a whole number of at least 1, not {value!r}")
        return value

    def _decimals(self, kind: Kind) -> int:
        value = self.entry.get("decimals")
        if value is None:
            return default_decimals(kind, self._text("unit"))
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail("decimals", f"must be a whole number of at least 0, not {value!r}")
        return int(value)

    def _terms(self, name: str) -> tuple[Term, ...]:
        value = self.entry.get(name)
        items = value if isinstance(value, list) else [value]
        if not items:
            raise self.fail(name, "must name at least one variable")
        return tuple(self._term(name, item) for item in items)

    def _term(self, name: str, item: Any) -> Term:
        if isinstance(item, str) and item.strip():
            return Term(item.strip())
        if not isinstance(item, dict) or not isinstance(item.get("variable"), str):
            raise self.fail(
                name, "a term is a variable key or {variable: KEY, breakdown: {DIMENSION: [...]}}"
            )
        unknown = [str(k) for k in item if k not in ("variable", "breakdown")]
        if unknown:
            raise self.fail(name, f"unknown key {unknown[0]!r} in a term")
        return Term(item["variable"].strip(), self._breakdown(name, item.get("breakdown") or {}))

    def _breakdown(self, name: str, value: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
        if not isinstance(value, Mapping):
            raise self.fail(name, "breakdown must map dimensions to lists of values")
        restricted = []
        for dimension, allowed in sorted(value.items(), key=lambda item: str(item[0])):
            values = allowed if isinstance(allowed, list) else [allowed]
            if not values or any(isinstance(v, bool | dict | list) or v is None for v in values):
                raise self.fail(name, f"breakdown {dimension!r} must list values")
            restricted.append((str(dimension), tuple(str(v) for v in values)))
        return tuple(restricted)
