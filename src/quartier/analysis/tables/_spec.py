"""The description of a statistics table: which column is the area, the period, the variables.

A spec usually comes from a YAML mapping file written by a user, so every check names the key and
the file.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from quartier.analysis.tables._csv import DELIMITER_WORDS
from quartier.analysis.tables._raw import TableError

Layout = Literal["wide", "long"]

TIDY_COLUMNS = ("area", "period", "variable", "value", "flag")
TRACE_COLUMNS = ("line", "column")
RESERVED = frozenset(TIDY_COLUMNS + TRACE_COLUMNS)
DIMENSION_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAPPING_KEYS = (
    "layout",
    "sheet",
    "encoding",
    "delimiter",
    "decimal",
    "area",
    "period",
    "breakdowns",
    "variables",
    "variable",
    "value",
    "flag",
    "ignore",
    "area_codes",
    "source",
)
LONG_ONLY = ("variable", "value", "flag")


@dataclass(frozen=True)
class TableSpec:
    """How a raw table becomes tidy observations.

    Attributes
    ----------
    layout : {"wide", "long"}
        Wide: one column per variable. Long: one column names the variable, one holds the value.
    area : str, optional
        The column with the area code; the first column by default.
    period : str or int, optional
        A column holding the year (or a date), or the year of the whole table. By default a
        column called period, Jahr, year or Stichtag.
    breakdowns : dict
        Column -> breakdown dimension key, e.g. ``{"Geschlecht": "gender"}``.
    variables : dict, optional
        Wide layout: the value columns to import -> variable key. By default every column that
        is not the area, period, a breakdown or ignored, and holds at least one number; the key
        is the header.
    variable : str, optional
        Long layout: the column naming the variable, or a template such as
        ``"{tabelle}: {zeile}"``. By default a column called variable or Merkmal.
    value : str, optional
        Long layout: the column with the values. By default value, Wert, Zahl or Anzahl.
    flag : str, optional
        Long layout: a column with the flag symbols. By default a column called flag or
        Kennzeichen, if there is one.
    ignore : list of str
        Columns to drop. In the long layout all other columns become breakdowns.
    area_codes : dict
        Recoding of area codes as found in the table -> codes of the areas.
    source : str
        Free text stored with each value.
    sheet, encoding, delimiter, decimal : str, optional
        How to read the file (see `read_table`); detected by default.
    """

    layout: Layout = "wide"
    area: str | None = None
    period: str | int | None = None
    breakdowns: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] | None = None
    variable: str | None = None
    value: str | None = None
    flag: str | None = None
    ignore: list[str] = field(default_factory=list)
    area_codes: dict[str, str] = field(default_factory=dict)
    source: str = ""
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None


def spec_from_mapping(mapping: dict[str, Any], *, where: str) -> TableSpec:
    """Validate a parsed YAML mapping and turn it into a `TableSpec`.

    Parameters
    ----------
    mapping : dict
        Keys: layout, sheet, encoding, delimiter, decimal, area, period, breakdowns, variables,
        variable, value, flag, ignore, area_codes, source.
    where : str
        The name of the mapping file, for error messages.

    Raises
    ------
    TableError
        For an unknown key or a value of the wrong kind; the message names `where` and the key.

    Examples
    --------
    >>> spec = spec_from_mapping(
    ...     {"area": "Bezirk", "period": 2012, "breakdowns": {"Geschlecht": "gender"}},
    ...     where="einwohner.yaml",
    ... )
    >>> spec.layout, spec.period, spec.breakdowns
    ('wide', 2012, {'Geschlecht': 'gender'})
    >>> spec_from_mapping({"aera": "Bezirk"}, where="einwohner.yaml")
    Traceback (most recent call last):
    ...
    quartier.analysis.tables._raw.TableError: einwohner.yaml: unknown key 'aera' ...
    """
    check = _Checker(where)
    if not isinstance(mapping, dict):
        raise TableError(f"{where}: the mapping must be a set of keys and values")
    unknown = [str(k) for k in mapping if k not in MAPPING_KEYS]
    if unknown:
        raise TableError(
            f"{where}: unknown key {unknown[0]!r} (the keys are {', '.join(MAPPING_KEYS)})"
        )
    layout = mapping.get("layout", "wide")
    if layout not in ("wide", "long"):
        raise TableError(f"{where}: 'layout' must be 'wide' or 'long', not {layout!r}")
    misplaced = [k for k in LONG_ONLY if layout == "wide" and mapping.get(k) is not None]
    if misplaced:
        raise TableError(f"{where}: {misplaced[0]!r} is only used with 'layout: long'")
    if layout == "long" and mapping.get("variables") is not None:
        raise TableError(f"{where}: 'variables' is only used with 'layout: wide'")
    return TableSpec(
        layout="long" if layout == "long" else "wide",
        area=check.text(mapping, "area"),
        period=check.period(mapping),
        breakdowns=check.breakdowns(mapping),
        variables=check.variables(mapping),
        variable=check.text(mapping, "variable"),
        value=check.text(mapping, "value"),
        flag=check.text(mapping, "flag"),
        ignore=check.names(mapping, "ignore"),
        area_codes=check.area_codes(mapping),
        source=check.text(mapping, "source") or "",
        sheet=check.text(mapping, "sheet"),
        encoding=check.encoding(mapping),
        delimiter=check.delimiter(mapping),
        decimal=check.decimal(mapping),
    )


def read_mapping_file(path: Path) -> dict[str, Any]:
    """Parse a YAML mapping file into its keys and values; errors name the file."""
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise TableError(f"{path}: cannot read the mapping ({error.strerror})") from error
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise TableError(f"{path.name}: not a valid UTF-8 YAML file ({error})") from error
    if not isinstance(content, dict):
        raise TableError(f"{path.name}: the mapping must be a set of keys and values")
    return content


def load_spec(path: Path) -> TableSpec:
    """Read a YAML mapping file into a `TableSpec`; errors name the file and the key."""
    return spec_from_mapping(read_mapping_file(path), where=path.name)


class _Checker:
    """Checks of single mapping values; errors name the mapping file and the key."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, key: str, expected: str) -> TableError:
        return TableError(f"{self.where}: {key!r} must be {expected}")

    def text(self, mapping: dict[str, Any], key: str) -> str | None:
        value = mapping.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.fail(key, "text")
        if not str(value).strip():
            raise self.fail(key, "a non-empty text")
        return str(value)

    def period(self, mapping: dict[str, Any]) -> str | int | None:
        value = mapping.get("period")
        if isinstance(value, int) and not isinstance(value, bool):
            if not 1000 <= value <= 9999:
                raise self.fail("period", "a year like 2012 or the name of a column")
            return value
        return self.text(mapping, "period")

    def names(self, mapping: dict[str, Any], key: str) -> list[str]:
        value = mapping.get(key)
        if value is None:
            return []
        if isinstance(value, str | int) and not isinstance(value, bool):
            return [str(value)]
        if not isinstance(value, list) or not all(_is_name(v) for v in value):
            raise self.fail(key, "a list of column names")
        return [str(v) for v in value]

    def pairs(self, mapping: dict[str, Any], key: str) -> dict[str, str] | None:
        value = mapping.get(key)
        if value is None:
            return None
        if isinstance(value, list):
            value = {v: v for v in value} if all(_is_name(v) for v in value) else None
        if not isinstance(value, dict) or not all(
            _is_name(k) and _is_name(v) for k, v in value.items()
        ):
            raise self.fail(key, "a mapping of column names to keys (or a list of column names)")
        return {str(k): str(v) for k, v in value.items()}

    def breakdowns(self, mapping: dict[str, Any]) -> dict[str, str]:
        pairs = self.pairs(mapping, "breakdowns") or {}
        for column, key in pairs.items():
            if not DIMENSION_KEY.fullmatch(key) or key in RESERVED:
                raise TableError(
                    f"{self.where}: 'breakdowns': the key {key!r} of column {column!r} must "
                    f"consist of letters, digits and _ and not be one of "
                    f"{', '.join(sorted(RESERVED))}"
                )
        return pairs

    def variables(self, mapping: dict[str, Any]) -> dict[str, str] | None:
        return self.pairs(mapping, "variables")

    def area_codes(self, mapping: dict[str, Any]) -> dict[str, str]:
        value = mapping.get("area_codes")
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail("area_codes", "a mapping of codes in the table to area codes")
        for code, target in value.items():
            if not isinstance(code, str) or not isinstance(target, str):
                raise TableError(
                    f"{self.where}: 'area_codes': write every code in quotes, e.g. '001': "
                    f"'05315001' (YAML reads unquoted 001 as the number 1); found {code!r}"
                )
        return {str(k): str(v) for k, v in value.items()}

    def encoding(self, mapping: dict[str, Any]) -> str | None:
        value = self.text(mapping, "encoding")
        if value is not None:
            try:
                codecs.lookup(value)
            except LookupError as error:
                raise TableError(f"{self.where}: 'encoding': unknown encoding {value!r}") from error
        return value

    def delimiter(self, mapping: dict[str, Any]) -> str | None:
        value = mapping.get("delimiter")
        if value is None:
            return None
        if value not in DELIMITER_WORDS:
            raise self.fail("delimiter", "';', ',' or 'tab'")
        return DELIMITER_WORDS[value]

    def decimal(self, mapping: dict[str, Any]) -> str | None:
        value = mapping.get("decimal")
        if value is not None and value not in (",", "."):
            raise self.fail("decimal", "',' or '.'")
        return None if value is None else str(value)


def _is_name(value: object) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool) and bool(str(value).strip())
