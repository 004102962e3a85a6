"""The entries of the indicator catalogue: domains, indicators and their terms.

See `quartier.analysis.catalogue` for the catalogue as a whole and how it is loaded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from quartier.analysis.config import ConfigError

__all__ = [
    "AUTO_DECIMALS",
    "KINDS",
    "POLARITIES",
    "Catalogue",
    "CatalogueError",
    "Domain",
    "Indicator",
    "Kind",
    "Polarity",
    "Term",
    "default_decimals",
]

Polarity: TypeAlias = Literal["higher_is_worse", "higher_is_better", "neutral"]
Kind: TypeAlias = Literal["rate", "count", "change"]
POLARITIES: tuple[Polarity, ...] = ("higher_is_worse", "higher_is_better", "neutral")
KINDS: tuple[Kind, ...] = ("rate", "count", "change")
# `Indicator.decimals` left at this value is set from kind and unit (see `default_decimals`).
AUTO_DECIMALS = -1


class CatalogueError(ConfigError):
    """An invalid catalogue file; the message names the file, the line, the entry and the field."""


@dataclass(frozen=True)
class Term:
    """A variable, optionally restricted to some values of its breakdown dimensions.

    Attributes
    ----------
    variable : str
        The variable key, e.g. ``einwohner``.
    breakdown : tuple of (str, tuple of str)
        Dimension -> allowed values, dimensions sorted; empty for the total of the variable
        (observations with an empty breakdown key).
    """

    variable: str
    breakdown: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def dimensions(self) -> frozenset[str]:
        """The dimensions the term is restricted on."""
        return frozenset(dimension for dimension, _ in self.breakdown)

    def __str__(self) -> str:
        if not self.breakdown:
            return self.variable
        parts = "; ".join(f"{dim}: {', '.join(values)}" for dim, values in self.breakdown)
        return f"{self.variable}[{parts}]"


@dataclass(frozen=True)
class Domain:
    """A domain (Handlungsfeld) the indicators are grouped in."""

    key: str
    name_de: str
    name_en: str


@dataclass(frozen=True)
class Indicator:
    """One catalogue entry; see the module docstring for the kinds.

    Attributes
    ----------
    key, name_de, name_en, domain, unit : str
        Identity, names, the domain key and the unit ("%", "‰", "m²", "Anzahl", ...).
    numerator, denominator : tuple of Term
        The terms summed above and below the line; `denominator` is empty for counts and
        changes.
    scale : float
        Multiplier of the quotient (1, 100, 1000).
    polarity : {"higher_is_worse", "higher_is_better", "neutral"}
        Whether a higher value means a worse social situation.
    definition, source : str
        German definition text, data source.
    min_denominator : float
        Smallest denominator for publishing the value (disclosure control); 0 for none.
    in_index : bool
        Whether the indicator enters composite indices and the Aktionsraum selection.
    kind : {"rate", "count", "change"}
    years : int or None
        Years of a change (kind ``change`` only).
    decimals : int
        Decimal places of the value in outputs meant for people (German CSV, XLSX, GeoJSON);
        by default 0 for a count in "Anzahl", else 1 (see `default_decimals`).
    """

    key: str
    name_de: str
    name_en: str
    domain: str
    unit: str
    numerator: tuple[Term, ...]
    polarity: Polarity
    definition: str
    denominator: tuple[Term, ...] = ()
    scale: float = 1.0
    source: str = ""
    min_denominator: float = 0.0
    in_index: bool = False
    kind: Kind = "rate"
    years: int | None = None
    decimals: int = AUTO_DECIMALS

    def __post_init__(self) -> None:
        if self.decimals == AUTO_DECIMALS:
            object.__setattr__(self, "decimals", default_decimals(self.kind, self.unit))

    @property
    def terms(self) -> tuple[Term, ...]:
        """Numerator and denominator terms."""
        return self.numerator + self.denominator

    @property
    def variables(self) -> tuple[str, ...]:
        """The variables the indicator reads, each once, in order of appearance."""
        return tuple(dict.fromkeys(term.variable for term in self.terms))

    @property
    def counts(self) -> tuple[str, str | None]:
        """Names of the counts behind numerator and denominator (None: no denominator).

        Indicators naming the same count share its disclosure control. The denominator of a
        change is the numerator some years before, a count of its own.

        Examples
        --------
        >>> share = Indicator("u18", "U18", "U18", "demografie", "%",
        ...                   (Term("einwohner", (("age_group", ("0-5", "6-17")),)),),
        ...                   "neutral", "-", denominator=(Term("einwohner"),), scale=100)
        >>> share.counts
        ('einwohner[age_group: 0-5, 6-17]', 'einwohner')
        """
        numerator = " + ".join(str(term) for term in self.numerator)
        if self.kind == "change":
            return numerator, f"{numerator} ({self.years or 1} years earlier)"
        if self.kind == "count":
            return numerator, None
        return numerator, " + ".join(str(term) for term in self.denominator)

    @property
    def higher_is_worse(self) -> bool | None:
        """True or False by polarity; None for neutral indicators."""
        return None if self.polarity == "neutral" else self.polarity == "higher_is_worse"


def default_decimals(kind: Kind, unit: str) -> int:
    """Decimal places of an indicator whose entry names none: 0 for a count in "Anzahl", else 1.

    Examples
    --------
    >>> default_decimals("count", "Anzahl"), default_decimals("rate", "%")
    (0, 1)
    """
    return 0 if kind == "count" and unit == "Anzahl" else 1


@dataclass(frozen=True)
class Catalogue:
    """Domains and indicators, in catalogue order.

    `disabled` holds the keys of indicators that a city's file leaves out of the catalogue it
    is merged into (empty once merged).
    """

    domains: tuple[Domain, ...]
    indicators: tuple[Indicator, ...]
    disabled: tuple[str, ...] = ()
    _by_key: dict[str, Indicator] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {i.key: i for i in self.indicators})

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators)

    def __len__(self) -> int:
        return len(self.indicators)

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def indicator(self, key: str) -> Indicator:
        """The indicator with this key; KeyError names the known keys if there is none."""
        if key not in self._by_key:
            raise KeyError(f"no indicator {key!r} in the catalogue")
        return self._by_key[key]

    def domain(self, key: str) -> Domain:
        """The domain with this key."""
        for domain in self.domains:
            if domain.key == key:
                return domain
        raise KeyError(f"no domain {key!r} in the catalogue")

    def in_domain(self, domain: str) -> tuple[Indicator, ...]:
        """The indicators of one domain, in catalogue order."""
        return tuple(i for i in self.indicators if i.domain == domain)

    def index_domains(self) -> dict[str, tuple[Indicator, ...]]:
        """Domain key -> its `in_index` indicators, for domains that have any.

        Examples
        --------
        >>> from quartier.analysis.catalogue import load_catalogue
        >>> {d: [i.key for i in items] for d, items in load_catalogue().index_domains().items()}
        ... # doctest: +NORMALIZE_WHITESPACE
        {'erwerb_transfer': ['sgb2_quote', 'sgb2_quote_kinder', 'arbeitslosenanteil',
                             'beschaeftigungsquote', 'grundsicherung_alter'],
         'bildung': ['gymnasialuebergaenge', 'hilfen_zur_erziehung'],
         'gesundheit': ['normalgewicht'],
         'wohnen': ['wohnflaeche_je_einwohner', 'mobilitaet', 'leerstandsquote']}
        """
        grouped: dict[str, tuple[Indicator, ...]] = {}
        for domain in self.domains:
            members = tuple(i for i in self.in_domain(domain.key) if i.in_index)
            if members:
                grouped[domain.key] = members
        return grouped
