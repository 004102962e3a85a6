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
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias, TypeVar

from quartier.analysis.config import ConfigError, ConfigModel, Document, read_yaml, validate

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


class MethodError(ConfigError):
    """A method preset is unknown or invalid; the message names the file, the line and the key."""


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
            raise MethodError(
                f"must be 0 or more, not {self.min_population}", place="min_population"
            )
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
    aktionsraum_level : str
        The area level that is selected (e.g. ``sozialraum``).
    aktionsquartier_level : str
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
    aktionsraum_level: str
    aktionsquartier_level: str

    def __post_init__(self) -> None:
        if self.min_domains < 1:
            raise MethodError(f"must be at least 1, not {self.min_domains}", place="min_domains")
        if not 0 < self.domain_share <= 1:
            raise MethodError(
                f"must be more than 0 and at most 1, not {self.domain_share}", place="domain_share"
            )
        for key in ("aktionsraum_level", "aktionsquartier_level"):
            if not getattr(self, key).strip():
                raise MethodError("must be a non-empty text", place=key)


MethodParams: TypeAlias = BerlinMssParams | BelowAverageParams
_Params = TypeVar("_Params", BerlinMssParams, BelowAverageParams)


def _check_cuts(key: str, cuts: tuple[float, ...]) -> None:
    if not cuts:
        raise MethodError("at least one cut is needed", place=key)
    if not all(math.isfinite(cut) for cut in cuts):
        raise MethodError(f"the cuts must be finite numbers, not {list(cuts)}", place=key)
    if any(low >= high for low, high in itertools.pairwise(cuts)):
        raise MethodError(f"the cuts must be strictly ascending, not {list(cuts)}", place=key)


def _check_texts(key: str, texts: tuple[str, ...], count: int) -> None:
    if len(texts) != count:
        raise MethodError(
            f"{count} entries are needed (one per class), not {len(texts)}", place=key
        )
    if any(not text.strip() for text in texts):
        raise MethodError("the entries must be non-empty texts", place=key)
    if len(set(texts)) != len(texts):
        raise MethodError(f"the entries must differ, not {list(texts)}", place=key)


def _check_template(key: str, template: str) -> None:
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as error:
        raise MethodError(f"not a valid template ({error})", place=key) from error
    unknown = sorted(fields - LABEL_FIELDS)
    if unknown:
        raise MethodError(
            f"unknown field {{{unknown[0]}}}; the fields are {{status}} and {{dynamics}}",
            place=key,
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
        line, the method and the key.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "methods.yaml"
    >>> _ = path.write_text(
    ...     "strict:\n  method: below-average\n  min_domains: 0\n  domain_share: 0.5\n"
    ...     "  aktionsraum_level: sozialraum\n  aktionsquartier_level: statistischer_bezirk\n"
    ... )
    >>> load_methods(path)
    Traceback (most recent call last):
    ...
    quartier...MethodError: methods.yaml, line 3, strict.min_domains: must be at least 1, ...
    """
    path = METHODS_FILE if path is None else Path(path)
    document = read_yaml(path, what="the methods", error=MethodError)
    if not isinstance(document.content, dict) or not document.content:
        raise document.error((), "the file must name methods with their parameters")
    return {str(name): _method(document, name) for name in document.content}


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
        raise MethodError(f"no method {name!r}; the methods are {listed}", file=where)
    params = methods[name]
    if not isinstance(params, kind):
        other = BERLIN_MSS if isinstance(params, BerlinMssParams) else BELOW_AVERAGE
        raise MethodError(f"{name!r} is a {other} method, not a {kind_name} method", file=where)
    return params


class _Preset(ConfigModel):
    """The keys of every method entry; a subclass adds those of its method."""

    method: str | None = None
    description: str = ""

    def params(self, name: str) -> MethodParams:
        raise NotImplementedError


class _BerlinMssEntry(_Preset):
    min_population: float
    status_cuts: list[float]
    status_labels: list[str]
    dynamics_cuts: list[float]
    dynamics_labels: list[str]
    dynamics_symbols: list[str]
    combined_label: str

    def params(self, name: str) -> BerlinMssParams:
        return BerlinMssParams(
            name=name,
            description=self.description.strip(),
            min_population=self.min_population,
            status_cuts=tuple(self.status_cuts),
            status_labels=_texts(self.status_labels),
            dynamics_cuts=tuple(self.dynamics_cuts),
            dynamics_labels=_texts(self.dynamics_labels),
            dynamics_symbols=_texts(self.dynamics_symbols),
            combined_label=self.combined_label.strip(),
        )


class _BelowAverageEntry(_Preset):
    min_domains: int
    domain_share: float
    aktionsraum_level: str
    aktionsquartier_level: str

    def params(self, name: str) -> BelowAverageParams:
        return BelowAverageParams(
            name=name,
            description=self.description.strip(),
            min_domains=self.min_domains,
            domain_share=self.domain_share,
            aktionsraum_level=self.aktionsraum_level.strip(),
            aktionsquartier_level=self.aktionsquartier_level.strip(),
        )


_ENTRIES: dict[str, type[_Preset]] = {
    BERLIN_MSS: _BerlinMssEntry,
    BELOW_AVERAGE: _BelowAverageEntry,
}


def _texts(values: list[str]) -> tuple[str, ...]:
    return tuple(value.strip() for value in values)


def _method(document: Document, name: str) -> MethodParams:
    """The parameters of one entry; its kind is the key ``method``, by default its name."""
    entry = document.content[name]
    if not isinstance(entry, dict):
        raise document.error((name,), "the parameters must be a set of keys and values")
    kind = name if entry.get("method") is None else entry["method"]
    if not isinstance(kind, str) or kind not in _ENTRIES:
        raise document.error(
            (name, "method"), f"unknown method {kind!r}; the methods are " + ", ".join(_ENTRIES)
        )
    values = validate(document, _ENTRIES[kind], at=(name,))
    try:
        return values.params(str(name))
    except MethodError as error:
        raise document.error((name, error.place), error.problem) from error
