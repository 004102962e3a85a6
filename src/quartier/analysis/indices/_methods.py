"""Composite index methods as data: named presets with their parameters, read from YAML.

quartier ships `data/methods.yaml`. A city copies it, changes the numbers or adds a method under
a new name, and passes the copy (`quartier index ... --methods FILE`). Every entry names its kind
in the key ``method``:

- ``berlin-mss``: the Berlin "Monitoring Soziale Stadtentwicklung" status and dynamics index
  (`BerlinMssParams`, computed by `berlin_mss`);
- ``below-average``: the Dortmund selection of Aktionsräume, areas below the city average in
  several domains (`BelowAverageParams`).

Examples
--------
>>> sorted(load_methods())
['below-average', 'berlin-mss']
>>> params = berlin_mss_params()
>>> params.min_population, params.status_cuts, params.dynamics_symbols
(300.0, (-1.0, 1.0, 1.5), ('+', '+/-', '-'))
>>> below_average_params().min_domains
3
"""

from __future__ import annotations

import itertools
import math
import string
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias, TypeVar

import yaml

__all__ = [
    "BELOW_AVERAGE",
    "BERLIN_MSS",
    "METHODS_FILE",
    "BelowAverageParams",
    "BerlinMssParams",
    "MethodError",
    "MethodParams",
    "below_average_params",
    "berlin_mss_params",
    "load_methods",
]

METHODS_FILE = Path(__file__).resolve().parent / "methods.yaml"
BERLIN_MSS = "berlin-mss"
BELOW_AVERAGE = "below-average"
LABEL_FIELDS = frozenset({"status", "dynamics"})


class MethodError(ValueError):
    """A method preset is unknown or invalid; the message names the file and the key."""


@dataclass(frozen=True)
class BerlinMssParams:
    """Parameters of the Berlin MSS method.

    Attributes
    ----------
    name : str
        The name of the preset.
    description : str
        What the preset is, for people.
    min_population : float
        Areas with fewer inhabitants do not take part.
    status_cuts : tuple of float
        Ascending class limits of the status index. A value below the first cut is class 1; a
        value equal to the first cut is class 2; a value equal to any other cut stays in the
        class below it: with (-1, 1, 1.5), -1 <= x <= 1 is class 2 and 1 < x <= 1.5 class 3.
    status_labels : tuple of str
        One label per status class (one more than cuts).
    dynamics_cuts : tuple of float
        Ascending class limits of the dynamics index, with the same boundary rule.
    dynamics_labels : tuple of str
        One label per dynamics class.
    dynamics_symbols : tuple of str
        One symbol per dynamics class; the combined code is the status class followed by the
        symbol ("2-", "1+/-").
    combined_label : str
        Template of the combined label with the fields ``{status}`` and ``{dynamics}`` (the
        class labels), e.g. "Status {status}, Dynamik {dynamics}".

    Raises
    ------
    MethodError
        If a value is out of range; the message names the parameter.
    """

    name: str
    description: str
    min_population: float
    status_cuts: tuple[float, ...]
    status_labels: tuple[str, ...]
    dynamics_cuts: tuple[float, ...]
    dynamics_labels: tuple[str, ...]
    dynamics_symbols: tuple[str, ...]
    combined_label: str

    def __post_init__(self) -> None:
        if not (math.isfinite(self.min_population) and self.min_population >= 0):
            raise MethodError(f"min_population: must be 0 or more, not {self.min_population}")
        _check_cuts("status_cuts", self.status_cuts)
        _check_cuts("dynamics_cuts", self.dynamics_cuts)
        _check_texts("status_labels", self.status_labels, len(self.status_cuts) + 1)
        _check_texts("dynamics_labels", self.dynamics_labels, len(self.dynamics_cuts) + 1)
        _check_texts("dynamics_symbols", self.dynamics_symbols, len(self.dynamics_cuts) + 1)
        _check_template("combined_label", self.combined_label)


@dataclass(frozen=True)
class BelowAverageParams:
    """Parameters of the Dortmund selection of Aktionsräume.

    Attributes
    ----------
    name : str
        The name of the preset.
    description : str
        What the preset is, for people.
    min_domains : int
        k: an area is an Aktionsraum when at least k domains are below the city average.
    domain_share : float
        A domain is below average when at least this share (0 < share <= 1) of its index
        indicators is worse than the city value.
    area_level : str
        The area level that is selected (e.g. ``sozialraum``).
    quartier_level : str
        The finer level that shows where inside an Aktionsraum the situation is worst.

    Raises
    ------
    MethodError
        If a value is out of range; the message names the parameter.
    """

    name: str
    description: str
    min_domains: int
    domain_share: float
    area_level: str
    quartier_level: str

    def __post_init__(self) -> None:
        if self.min_domains < 1:
            raise MethodError(f"min_domains: must be at least 1, not {self.min_domains}")
        if not 0 < self.domain_share <= 1:
            raise MethodError(
                f"domain_share: must be more than 0 and at most 1, not {self.domain_share}"
            )
        for key in ("area_level", "quartier_level"):
            if not getattr(self, key).strip():
                raise MethodError(f"{key}: must be a non-empty text")


MethodParams: TypeAlias = BerlinMssParams | BelowAverageParams
_Params = TypeVar("_Params", BerlinMssParams, BelowAverageParams)


def _check_cuts(key: str, cuts: tuple[float, ...]) -> None:
    if not cuts:
        raise MethodError(f"{key}: at least one cut is needed")
    if not all(math.isfinite(cut) for cut in cuts):
        raise MethodError(f"{key}: the cuts must be finite numbers, not {list(cuts)}")
    if any(low >= high for low, high in itertools.pairwise(cuts)):
        raise MethodError(f"{key}: the cuts must be strictly ascending, not {list(cuts)}")


def _check_texts(key: str, texts: tuple[str, ...], count: int) -> None:
    if len(texts) != count:
        raise MethodError(f"{key}: {count} entries are needed (one per class), not {len(texts)}")
    if any(not text.strip() for text in texts):
        raise MethodError(f"{key}: the entries must be non-empty texts")
    if len(set(texts)) != len(texts):
        raise MethodError(f"{key}: the entries must differ, not {list(texts)}")


def _check_template(key: str, template: str) -> None:
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as error:
        raise MethodError(f"{key}: not a valid template ({error})") from error
    unknown = sorted(fields - LABEL_FIELDS)
    if unknown:
        raise MethodError(
            f"{key}: unknown field {{{unknown[0]}}}; the fields are {{status}} and {{dynamics}}"
        )


def load_methods(path: Path | None = None) -> dict[str, MethodParams]:
    r"""Read all method presets of a YAML file.

    Parameters
    ----------
    path : Path, optional
        A methods file; the file shipped with quartier by default.

    Returns
    -------
    dict
        Name -> `BerlinMssParams` or `BelowAverageParams`, in the order of the file.

    Raises
    ------
    MethodError
        If the file cannot be read or an entry is invalid; the message names the file, the
        method and the key.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "methods.yaml"
    >>> _ = path.write_text(
    ...     "strict:\n  method: below-average\n  min_domains: 0\n  domain_share: 0.5\n"
    ...     "  area_level: sozialraum\n  quartier_level: statistischer_bezirk\n"
    ... )
    >>> load_methods(path)
    Traceback (most recent call last):
    ...
    quartier...MethodError: methods.yaml: strict.min_domains: must be at least 1, ...
    """
    path = METHODS_FILE if path is None else Path(path)
    content = _read_yaml(path)
    return {str(name): _method(str(name), entry, path.name) for name, entry in content.items()}


def berlin_mss_params(name: str = BERLIN_MSS, *, path: Path | None = None) -> BerlinMssParams:
    """The named Berlin MSS preset of a methods file (the shipped file by default).

    Raises
    ------
    MethodError
        If the file has no such method or the method is of another kind.
    """
    return _named(name, path, BerlinMssParams, BERLIN_MSS)


def below_average_params(
    name: str = BELOW_AVERAGE, *, path: Path | None = None
) -> BelowAverageParams:
    """The named below-average preset of a methods file (the shipped file by default).

    Raises
    ------
    MethodError
        If the file has no such method or the method is of another kind.
    """
    return _named(name, path, BelowAverageParams, BELOW_AVERAGE)


def _named(name: str, path: Path | None, kind: type[_Params], kind_name: str) -> _Params:
    methods = load_methods(path)
    where = (METHODS_FILE if path is None else Path(path)).name
    if name not in methods:
        listed = ", ".join(methods) or "none"
        raise MethodError(f"{where}: no method {name!r}; the methods are {listed}")
    params = methods[name]
    if not isinstance(params, kind):
        other = BERLIN_MSS if isinstance(params, BerlinMssParams) else BELOW_AVERAGE
        raise MethodError(f"{where}: {name!r} is a {other} method, not a {kind_name} method")
    return params


def _read_yaml(path: Path) -> dict[Any, Any]:
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise MethodError(f"{path}: cannot read the methods ({error.strerror})") from error
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise MethodError(f"{path.name}: not a valid UTF-8 YAML file ({error})") from error
    if not isinstance(content, dict) or not content:
        raise MethodError(f"{path.name}: the file must name methods with their parameters")
    return content


def _method(name: str, entry: Any, where: str) -> MethodParams:
    if not isinstance(entry, dict):
        raise MethodError(f"{where}: {name}: the parameters must be a set of keys and values")
    reader = _Entry(where, name, entry)
    kind = entry.get("method", name)
    if kind not in _BUILDERS:
        raise MethodError(
            f"{where}: {name}.method: unknown method {kind!r}; the methods are "
            + ", ".join(_BUILDERS)
        )
    builder, keys = _BUILDERS[kind]
    reader.check_keys(keys)
    try:
        return builder(reader)
    except MethodError as error:
        raise MethodError(f"{where}: {name}.{error}") from error


class _Entry:
    """Typed access to the keys of one method entry; errors name the file, method and key."""

    def __init__(self, where: str, name: str, entry: dict[Any, Any]) -> None:
        self.where = where
        self.name = name
        self.entry = entry

    def fail(self, key: str, expected: str) -> MethodError:
        """An error about one key; `_method` puts the file and method in front."""
        return MethodError(f"{key}: must be {expected}, not {self.entry.get(key)!r}")

    def check_keys(self, keys: tuple[str, ...]) -> None:
        allowed = ("method", "description", *keys)
        unknown = [str(key) for key in self.entry if key not in allowed]
        if unknown:
            raise MethodError(
                f"{self.where}: {self.name}: unknown key {unknown[0]!r} "
                f"(the keys are {', '.join(allowed)})"
            )
        missing = [key for key in keys if self.entry.get(key) is None]
        if missing:
            raise MethodError(f"{self.where}: {self.name}: the key {missing[0]!r} is missing")

    def number(self, key: str) -> float:
        value = self.entry[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, "a number")
        return float(value)

    def integer(self, key: str) -> int:
        value = self.entry[key]
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, "a whole number")
        return int(value)

    def text(self, key: str, default: str | None = None) -> str:
        value = self.entry.get(key, default)
        if not isinstance(value, str):
            raise self.fail(key, "a text")
        return value.strip()

    def numbers(self, key: str) -> tuple[float, ...]:
        values = self.entry[key]
        if not isinstance(values, list) or any(
            isinstance(v, bool) or not isinstance(v, int | float) for v in values
        ):
            raise self.fail(key, "a list of numbers")
        return tuple(float(v) for v in values)

    def texts(self, key: str) -> tuple[str, ...]:
        values = self.entry[key]
        if not isinstance(values, list) or any(not isinstance(v, str) for v in values):
            raise self.fail(key, "a list of texts")
        return tuple(v.strip() for v in values)


def _berlin_mss(entry: _Entry) -> BerlinMssParams:
    return BerlinMssParams(
        name=entry.name,
        description=entry.text("description", ""),
        min_population=entry.number("min_population"),
        status_cuts=entry.numbers("status_cuts"),
        status_labels=entry.texts("status_labels"),
        dynamics_cuts=entry.numbers("dynamics_cuts"),
        dynamics_labels=entry.texts("dynamics_labels"),
        dynamics_symbols=entry.texts("dynamics_symbols"),
        combined_label=entry.text("combined_label"),
    )


def _below_average(entry: _Entry) -> BelowAverageParams:
    return BelowAverageParams(
        name=entry.name,
        description=entry.text("description", ""),
        min_domains=entry.integer("min_domains"),
        domain_share=entry.number("domain_share"),
        area_level=entry.text("area_level"),
        quartier_level=entry.text("quartier_level"),
    )


_BUILDERS: dict[str, tuple[Callable[[_Entry], MethodParams], tuple[str, ...]]] = {
    BERLIN_MSS: (
        _berlin_mss,
        (
            "min_population",
            "status_cuts",
            "status_labels",
            "dynamics_cuts",
            "dynamics_labels",
            "dynamics_symbols",
            "combined_label",
        ),
    ),
    BELOW_AVERAGE: (
        _below_average,
        ("min_domains", "domain_share", "area_level", "quartier_level"),
    ),
}
