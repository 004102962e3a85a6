"""Breakdown keys: the canonical text of a breakdown cell, ``age_group=0-5;gender=weiblich``.

A key lists a cell's value in each of its breakdown dimensions, the dimensions sorted; ``""``
is the total. ``;`` separates the parts and ``=`` a dimension from its value, so neither may
appear in a value (the import refuses such values). Every module that builds or reads keys
uses this one codec.

Examples
--------
>>> format_key({"gender": "weiblich", "age_group": "0-5"})
'age_group=0-5;gender=weiblich'
>>> parse_key("age_group=0-5;gender=weiblich")
{'age_group': '0-5', 'gender': 'weiblich'}
>>> parse_key(""), key_dimensions("age_group=0-5;gender=weiblich")
({}, ('age_group', 'gender'))
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import polars as pl

__all__ = [
    "ASSIGN",
    "SEPARATOR",
    "dimension_key",
    "format_key",
    "key_dimensions",
    "key_expression",
    "parse_key",
]

SEPARATOR = ";"
ASSIGN = "="


def parse_key(key: str | None) -> dict[str, str]:
    """A key as a mapping of dimension to value (empty for the total)."""
    if not key:
        return {}
    return dict(part.split(ASSIGN, 1) for part in key.split(SEPARATOR))


def format_key(cell: Mapping[str, str]) -> str:
    """The key of a cell given as a mapping of dimension to value."""
    return SEPARATOR.join(f"{dimension}{ASSIGN}{cell[dimension]}" for dimension in sorted(cell))


def key_dimensions(key: str | None) -> tuple[str, ...]:
    """The dimensions of a key, sorted (none for the total)."""
    if not key:
        return ()
    return tuple(sorted({part.split(ASSIGN, 1)[0] for part in key.split(SEPARATOR) if part}))


def key_expression(dimensions: Sequence[str]) -> pl.Expr:
    """The key of every row of a frame with one column per dimension (null: an empty value).

    Examples
    --------
    >>> frame = pl.DataFrame({"gender": ["w", None], "age_group": ["0-5", "6-14"]})
    >>> frame.select(key_expression(["gender", "age_group"])).to_series().to_list()
    ['age_group=0-5;gender=w', 'age_group=6-14;gender=']
    """
    if not dimensions:
        return pl.lit("")
    parts = [pl.lit(f"{d}{ASSIGN}") + pl.col(d).fill_null("") for d in sorted(dimensions)]
    return pl.concat_str(parts, separator=SEPARATOR)


def dimension_key(header: str) -> str:
    """A breakdown key from a header: "Altersgruppe (Jahre)" -> "altersgruppe_jahre".

    Examples
    --------
    >>> dimension_key("Größe der Wohnung")
    'groesse_der_wohnung'
    """
    text = header.casefold()
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, plain)
    key = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    return key if key and not key[0].isdigit() else f"d_{key}"
