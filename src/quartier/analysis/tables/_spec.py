"""The description of a statistics table: which column is the area, the period, the variables.

A spec usually comes from a YAML mapping file written by a user, so every check names the file,
the line and the key. The shape of a mapping file is the pydantic model `_Mapping`.
"""

from __future__ import annotations

import codecs
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, cast

from pydantic import AfterValidator, BeforeValidator, Field, create_model

from quartier.analysis.config import ConfigError, ConfigModel, Document, read_yaml, validate
from quartier.analysis.tables._csv import DELIMITER_WORDS
from quartier.analysis.tables._raw import TableError

Layout = Literal["wide", "long"]
# Which variables are counts, which cannot be negative (see `TableSpec.counts`).
CountRule = Literal["auto", "all", "none"]
COUNT_RULES = ("auto", "all", "none")

TIDY_COLUMNS = ("area", "period", "variable", "value", "flag")
TRACE_COLUMNS = ("line", "column")
RESERVED = frozenset(TIDY_COLUMNS + TRACE_COLUMNS)
DIMENSION_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
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
        is the header. Long layout: the variable names the layout builds (from `variable`) ->
        the keys to store; the records of other variables are left out.
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
    where : dict
        Column -> the texts to keep, e.g. ``{"tabelle": ["Einwohner nach Alter"]}``: only the
        records whose cell (spaces trimmed) is one of them are read; every column must match.
    recode : dict
        Breakdown dimension key (as in `breakdowns`) -> {value: new value}. Values not listed
        stay; the records that become one cell are summed (see `tidy_table`).
    area_codes : dict
        Recoding of area codes as found in the table -> codes of the areas.
    source : str
        Free text stored with each value.
    counts : {"auto", "all", "none"} or list of str
        Which variables are counts, whose values cannot be negative: "auto" (the default) every
        variable whose numbers are all whole, "all" or "none", or the list of the variables
        (as named in the tidy records) that are counts. A variable with a decimal number (a
        share, a rate, an index) is no count under "auto"; a whole-number variable that may
        be negative (a balance, a change) needs the list, or "none".
    sheet, encoding, delimiter, decimal : str, optional
        How to read the file (see `read_table`); detected by default.
    origin : Document, optional
        The mapping file the spec was read from, so that an error found in the table (a
        column of `where` the table lacks) names the line of the mapping file.
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
    where: dict[str, list[str]] = field(default_factory=dict)
    recode: dict[str, dict[str, str]] = field(default_factory=dict)
    area_codes: dict[str, str] = field(default_factory=dict)
    source: str = ""
    counts: CountRule | list[str] = "auto"
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    origin: Document | None = field(default=None, compare=False, repr=False)


def _int_as_text(value: Any) -> Any:
    """A column name YAML read as a whole number (``2012``) as its text."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("must be a non-empty text")
    return text


def _known_encoding(name: str) -> str:
    try:
        codecs.lookup(name)
    except LookupError as error:
        raise ValueError(f"unknown encoding {name!r}") from error
    return name


def _delimiter(word: str) -> str:
    if word not in DELIMITER_WORDS:
        raise ValueError(f"must be ';', ',' or 'tab', not {word!r}")
    return DELIMITER_WORDS[word]


def _period(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool) and 1000 <= value <= 9999:
        return value
    if isinstance(value, str) and value.strip():
        return value
    raise ValueError(f"must be a year like 2012 or the name of a column, not {value!r}")


def _names(value: Any) -> Any:
    """One column name as a list of it."""
    return [value] if isinstance(value, str | int) and not isinstance(value, bool) else value


def _pairs(value: Any) -> Any:
    """A list of column names as the mapping of each name to itself; names as texts."""
    if isinstance(value, list) and all(isinstance(v, str | int) for v in value):
        value = {v: v for v in value}
    if isinstance(value, dict):
        return {_int_as_text(k): _int_as_text(v) for k, v in value.items()}
    return value


def _texts(value: Any) -> Any:
    """The texts to keep (`where`): one text as a list of it; whole numbers as texts."""
    if isinstance(value, str):
        return [_not_blank(value)]
    texts = _names(value)
    if not isinstance(texts, list) or not texts:
        raise ValueError(f"must be a text or a list of texts, not {value!r}")
    return [_int_as_text(text) for text in texts]


def _recodes(value: Any) -> Any:
    """Old and new values of a recoding as texts (YAML reads 5 as a number)."""
    if isinstance(value, dict):
        return {_int_as_text(k): _int_as_text(v) for k, v in value.items()}
    return value


def _counts(value: Any) -> CountRule | list[str]:
    """A rule of `COUNT_RULES` as it is; variables as a list of texts (one, or a list)."""
    if isinstance(value, str) and value in COUNT_RULES:
        return cast(CountRule, value)
    names = _names(value)
    if isinstance(names, list) and names and all(isinstance(n, str | int) for n in names):
        texts = [_int_as_text(n) for n in names]
        if all(isinstance(t, str) and t.strip() for t in texts):
            return texts
    raise ValueError(f"must be auto, all, none or a list of variables, not {value!r}")


def _quoted_code(code: Any) -> Any:
    if not isinstance(code, str):
        raise ValueError(
            "write every code in quotes, e.g. '001': '05315001' (YAML reads unquoted 001 as the "
            f"number 1); found {code!r}"
        )
    return code


_Text = Annotated[str, BeforeValidator(_int_as_text), AfterValidator(_not_blank)]
_Pairs = Annotated[dict[_Text, _Text], BeforeValidator(_pairs)]
_PAIRS = "a mapping of column names to keys (or a list of column names)"
_Code = Annotated[str, BeforeValidator(_quoted_code)]
_Texts = Annotated[list[_Text], BeforeValidator(_texts)]
_Recode = Annotated[dict[_Text, _Text], BeforeValidator(_recodes)]


class _Mapping(ConfigModel):
    """The keys of a mapping file; see `TableSpec` for their meaning."""

    layout: Literal["wide", "long"] = Field("wide", description="'wide' or 'long'")
    sheet: _Text | None = None
    encoding: Annotated[_Text, AfterValidator(_known_encoding)] | None = None
    delimiter: Annotated[str, AfterValidator(_delimiter)] | None = Field(
        None, description="';', ',' or 'tab'"
    )
    decimal: Literal[",", "."] | None = Field(None, description="',' or '.'")
    area: _Text | None = None
    period: Annotated[int | str, BeforeValidator(_period)] | None = None
    breakdowns: _Pairs = Field(default_factory=dict, description=_PAIRS)
    variables: _Pairs | None = Field(None, description=_PAIRS)
    variable: _Text | None = None
    value: _Text | None = None
    flag: _Text | None = None
    ignore: Annotated[list[_Text], BeforeValidator(_names)] = Field(
        default_factory=list, description="a list of column names"
    )
    where: dict[_Text, _Texts] = Field(
        default_factory=dict, description="a mapping of column names to a text or a list of texts"
    )
    recode: dict[_Text, _Recode] = Field(
        default_factory=dict,
        description="a mapping of dimension keys to mappings of values to new values",
    )
    area_codes: dict[_Code, _Code] = Field(
        default_factory=dict, description="a mapping of codes in the table to area codes"
    )
    source: _Text | None = None
    counts: Annotated[Any, BeforeValidator(_counts)] = Field(
        "auto", description="auto, all, none or a list of variables"
    )


@functools.cache
def _model(more_keys: tuple[str, ...]) -> type[_Mapping]:
    """The model of a mapping file that also has keys another reader reads (any value)."""
    if not more_keys:
        return _Mapping
    fields: dict[str, Any] = dict.fromkeys(more_keys, (Any, None))
    return create_model("_Mapping", __base__=_Mapping, **fields)


def spec_from_mapping(
    mapping: dict[str, Any] | Document, *, where: str = "", more_keys: tuple[str, ...] = ()
) -> TableSpec:
    """Validate a parsed YAML mapping and turn it into a `TableSpec`.

    Parameters
    ----------
    mapping : dict or Document
        Keys: layout, sheet, encoding, delimiter, decimal, area, period, breakdowns, variables,
        variable, value, flag, ignore, where, recode, area_codes, source, counts. A `Document`
        (`read_mapping`) knows the lines of its keys, and its name.
    where : str
        The name of the mapping file, for error messages (for a dict).
    more_keys : tuple of str
        Keys of the file that the caller reads and checks itself (the database's
        ``area_level``); allowed, and named with the others in messages.

    Raises
    ------
    TableError
        For an unknown key or a value of the wrong kind; the message names the file, the line
        (for a `Document`) and the key.

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
    quartier.analysis.tables._raw.TableError: einwohner.yaml: unknown key 'aera' (the keys are ...)
    """
    document = mapping if isinstance(mapping, Document) else Document(mapping, where)
    try:
        return _spec(document, _model(more_keys))
    except ConfigError as error:
        raise TableError(str(error)) from error


def _spec(document: Document, model: type[_Mapping]) -> TableSpec:
    """The spec of a mapping, after the checks across its keys."""
    mapping = validate(document, model)
    wide = mapping.layout == "wide"
    misplaced = [k for k in LONG_ONLY if wide and getattr(mapping, k) is not None]
    if misplaced:
        raise document.error((misplaced[0],), "only used with 'layout: long'")
    for column, key in mapping.breakdowns.items():
        if not DIMENSION_KEY.fullmatch(key) or key in RESERVED:
            raise document.error(
                ("breakdowns", column),
                f"the dimension key {key!r} must consist of letters, digits and _ and not be "
                f"one of {', '.join(sorted(RESERVED))}",
            )
    dimensions = sorted(set(mapping.breakdowns.values()))
    for key in mapping.recode:
        if key not in dimensions:
            given = f": {', '.join(dimensions)}" if dimensions else ", and breakdowns gives none"
            raise document.error(
                ("recode", key),
                f"unknown dimension {key!r}; recode takes the dimension keys of breakdowns{given}",
            )
    return TableSpec(
        layout=mapping.layout,
        area=mapping.area,
        period=mapping.period,
        breakdowns=mapping.breakdowns,
        variables=mapping.variables,
        variable=mapping.variable,
        value=mapping.value,
        flag=mapping.flag,
        ignore=mapping.ignore,
        where=mapping.where,
        recode=mapping.recode,
        area_codes=mapping.area_codes,
        source=mapping.source or "",
        counts=mapping.counts,
        sheet=mapping.sheet,
        encoding=mapping.encoding,
        delimiter=mapping.delimiter,
        decimal=mapping.decimal,
        origin=document,
    )


def read_mapping(path: Path) -> Document:
    r"""Parse a YAML mapping file into a `Document`: its keys and values, and their lines.

    `spec_from_mapping` takes the document; its errors then name the line of the key.

    Raises
    ------
    TableError
        If the file cannot be read, is not YAML or is no set of keys and values; the message
        names the file (and the line).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "einwohner.yaml"
    >>> _ = path.write_text("area: Bezirk\nperiod: 2012\n", encoding="utf-8")
    >>> document = read_mapping(path)
    >>> document.content, document.line(("period",))
    ({'area': 'Bezirk', 'period': 2012}, 2)
    """
    try:
        document = read_yaml(path, what="the mapping")
    except ConfigError as error:
        raise TableError(str(error)) from error
    if not isinstance(document.content, dict):
        problem = "the mapping must be a set of keys and values"
        raise TableError(str(document.error((), problem)))
    return document


def read_mapping_file(path: Path) -> dict[str, Any]:
    """Parse a YAML mapping file into its keys and values; errors name the file and the line."""
    return dict(read_mapping(path).content)


def load_spec(path: Path) -> TableSpec:
    r"""Read a YAML mapping file into a `TableSpec`; errors name the file, the line and the key.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "einwohner.yaml"
    >>> _ = path.write_text("area: Bezirk\nperiod: 2012\nlayout: tall\n", encoding="utf-8")
    >>> load_spec(path)
    Traceback (most recent call last):
    ...
    quartier...TableError: einwohner.yaml, line 3, layout: must be 'wide' or 'long', not 'tall'
    """
    return spec_from_mapping(read_mapping(path))
