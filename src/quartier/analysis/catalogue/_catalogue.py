"""Loading the shipped catalogue merged with a city's file; formulas as text."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from quartier.analysis.catalogue._entries import (
    Catalogue,
    Domain,
    Indicator,
    Term,
)
from quartier.analysis.catalogue._reader import check_domains, read_catalogue

__all__ = ["CATALOGUE_FILE", "formula", "load_catalogue"]

CATALOGUE_FILE = Path(__file__).resolve().parent / "indicators.yaml"


def formula(indicator: Indicator) -> str:
    """The computation as text, e.g. ``(zuzuege + fortzuege) / einwohner × 1000``.

    Examples
    --------
    >>> formula(load_catalogue().indicator("bevoelkerungsentwicklung"))
    '(einwohner / einwohner 5 Jahre zuvor − 1) × 100'
    """
    numerator = _sum_text(indicator.numerator, bracket=indicator.kind != "count")
    scale = "" if indicator.scale == 1 else f" × {_number_text(indicator.scale)}"
    if indicator.kind == "count":
        return numerator + scale
    if indicator.kind == "change":
        return f"({numerator} / {numerator} {indicator.years} Jahre zuvor − 1){scale}"
    return f"{numerator} / {_sum_text(indicator.denominator, bracket=True)}{scale}"


def _sum_text(terms: tuple[Term, ...], *, bracket: bool) -> str:
    text = " + ".join(str(term) for term in terms)
    return f"({text})" if bracket and len(terms) > 1 else text


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def load_catalogue(extra: Path | None = None) -> Catalogue:
    r"""The shipped catalogue, with the domains and indicators of a city's file merged in.

    Parameters
    ----------
    extra : Path, optional
        A catalogue file of the city. Its entries replace shipped entries of the same key (in
        place) and add new ones at the end.

    Raises
    ------
    CatalogueError
        If a file cannot be read or an entry is invalid; the message names the file, the
        line, the indicator and the field.

    Examples
    --------
    >>> import tempfile
    >>> from quartier.analysis.catalogue import CatalogueError
    >>> path = Path(tempfile.mkdtemp()) / "stadt.yaml"
    >>> _ = path.write_text(
    ...     "indicators:\n"
    ...     "  - key: sgb2_quote\n    name_de: SGB-II-Quote\n    name_en: SGB II rate\n"
    ...     "    domain: erwerb_transfer\n    unit: '%'\n    numerator: sgb2\n"
    ...     "    denominator: einwohner\n    scale: 100\n    polarity: higher_is_worse\n"
    ...     "    definition: Anteil an allen Einwohnern.\n    in_index: true\n",
    ...     encoding="utf-8",
    ... )
    >>> [str(t) for t in load_catalogue(path).indicator("sgb2_quote").denominator]
    ['einwohner']
    >>> _ = path.write_text("indicators:\n  - key: neu\n    domain: wohnen\n", encoding="utf-8")
    >>> try:
    ...     load_catalogue(path)
    ... except CatalogueError as error:
    ...     print(error)
    stadt.yaml, line 2, indicator 'neu': the field 'name_de' is missing
    """
    shipped = read_catalogue(CATALOGUE_FILE)
    if extra is None:
        return shipped
    city = read_catalogue(
        Path(extra),
        known_domains={d.key for d in shipped.domains},
        known_indicators={i.key for i in shipped.indicators},
    )
    indicators = _merged(shipped.indicators, city.indicators)
    return check_domains(
        Catalogue(
            domains=_merged(shipped.domains, city.domains),
            indicators=tuple(i for i in indicators if i.key not in city.disabled),
        ),
        Path(extra).name,
    )


_Keyed = TypeVar("_Keyed", Domain, Indicator)


def _merged(base: tuple[_Keyed, ...], extra: tuple[_Keyed, ...]) -> tuple[_Keyed, ...]:
    replaced = {item.key: item for item in extra}
    merged = [replaced.pop(item.key, item) for item in base]
    return tuple(merged + list(replaced.values()))
